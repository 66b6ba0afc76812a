#!/bin/sh
# GET /metrics and GET /healthz on a real sawtd with a real PostgreSQL and
# Gammu's dummy phone: the exposition parses with Prometheus' own promtool,
# counters move when messages arrive, /healthz turns 503 while the database
# is stopped and back to 200 when it returns; open to loopback, the secret
# needed from any other address.
. "$(dirname "$0")/tap.sh"

PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
if [ ! -x "$PROMTOOL" ]; then
	# scripts/deps.sh test installs it (Debian package prometheus)
	echo "1..0 # skip promtool is not installed ($PROMTOOL)"
	exit 0
fi
import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
SECRET='m3trics-S3cret'
LOG="$SAWT_TEST_TMP/sawtd.log"
OUT="$SAWT_TEST_TMP/metrics.txt"
HEAD="$SAWT_TEST_TMP/head"
JSON="$SAWT_TEST_TMP/health.json"
cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 0.0.0.0:0
secret = $SECRET
CONF
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTP on 0\.0\.0\.0:0 \(port [0-9]+" 30 && pass "sawtd listens for HTTP" || fail "sawtd listens for HTTP"
wait_for "$LOG" "modem \"dummy\": starting -> ready" 30
wait_for "$LOG" "registry loaded" 30
PORT=$(sed -n 's/.*HTTP on 0\.0\.0\.0:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
BASE="http://127.0.0.1:$PORT"

# scrape: /metrics into $OUT; prints the status
scrape() { curl -s -o "$OUT" -D "$HEAD" -w '%{http_code}' "$BASE/metrics"; }
# metric SERIES: the value of one series (exactly as printed) in $OUT, 0 when absent
metric() { awk -v k="$1" 'index($0, k " ") == 1 { v = $2 } END { print v == "" ? 0 : v }' "$OUT"; }
# wait_metric SERIES WANT: scrape until SERIES is WANT (20 s at most)
wait_metric() {
	_i=0
	while [ $_i -lt 200 ]; do
		scrape >/dev/null
		[ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out waiting for $1 = $2 (last: $(metric "$1"))"
	return 1
}
# health: /healthz into $JSON; prints the status
health() { curl -s -o "$JSON" -w '%{http_code}' "$BASE/healthz"; }
# field PYTHON-EXPR: a field of $JSON ("j" is the parsed object)
field() { /usr/bin/python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($1)" "$JSON"; }
# promcheck: promtool's verdict on $OUT ("ok" or its complaints)
promcheck() { "$PROMTOOL" check metrics <"$OUT" >"$SAWT_TEST_TMP/promtool.out" 2>&1 && echo ok || cat "$SAWT_TEST_TMP/promtool.out"; }

# --- 1. the exposition parses, with the expected families -------------------
is "$(scrape)" 200 "GET /metrics from loopback without the secret: 200"
like "$(cat "$HEAD")" '^Content-Type: text/plain; version=0\.0\.4; charset=utf-8' "in the text format, version 0.0.4"
is "$(promcheck)" ok "promtool check metrics accepts it (syntax and naming lints)"
printf 'sawt_broken_total{x="1" 1\n' >"$SAWT_TEST_TMP/bad.txt"
"$PROMTOOL" check metrics <"$SAWT_TEST_TMP/bad.txt" >/dev/null 2>&1 && fail "promtool refuses a malformed exposition" || pass "promtool refuses a malformed exposition"
is "$(metric 'sawt_db_up')" 1 "sawt_db_up is 1"
is "$(metric 'sawt_modem_up{modem="dummy"}')" 1 "the dummy modem is up"
is "$(metric 'sawt_modem_state{modem="dummy",state="ready"}')" 1 "and in state ready"
like "$(cat "$OUT")" '^sawt_build_info\{version="[0-9.]+"\} 1$' "sawt_build_info carries the version"
like "$(cat "$OUT")" '^sawt_db_query_duration_seconds_bucket\{connection="main",le="\+Inf"\} [1-9][0-9]*$' "database query latency is a histogram with queries in it"
like "$(cat "$OUT")" '^sawt_db_query_duration_seconds_count\{connection="write"\} [0-9]+$' "for the write connections too"
is "$(metric 'sawt_spool_messages')" 0 "the spool is empty"
wait_metric 'sawt_outbox_messages{priority="0",state="queued"}' 0 && pass "the outbox backlog is counted (nothing queued)" || fail "the outbox backlog is counted (nothing queued)"

# --- 2. counters move when messages arrive through the dummy phone -----------
ACC='sawt_messages_total{transport="modem",outcome="accepted",code=""}'
is "$(metric "$ACC")" 0 "no message accepted yet"
"$SAWT" inject +96176123456 'T 2011 V300 W120' >/dev/null
wait_metric "$ACC" 1 && pass "an accepted report moves sawt_messages_total" || fail "an accepted report moves sawt_messages_total"
is "$(metric 'sawt_reports_total{form="turnout",outcome="accepted"}')" 1 "and sawt_reports_total by form"
is "$(metric 'sawt_intake_messages_total{transport="modem",result="committed"}')" 1 "the intake counts it committed"
"$SAWT" inject +96176123456 'T 9999 V1' >/dev/null
wait_metric 'sawt_messages_total{transport="modem",outcome="rejected",code="station_unknown"}' 1 && pass "a rejected report is counted with its error code" || fail "a rejected report is counted with its error code"
is "$(metric 'sawt_reports_total{form="turnout",outcome="rejected"}')" 1 "and as a rejected turnout report"
wait_metric 'sawt_outbox_sends_total{transport="modem",kind="reply",result="sent"}' 2 && pass "both replies are counted sent through the modem" || fail "both replies are counted sent through the modem"
is "$(metric 'sawt_modem_received_total{modem="dummy"}')" 2 "the modem counts the two messages read"
is "$(promcheck)" ok "promtool still accepts the exposition with these series"
like "$(metric 'sawt_http_requests_total{path="/metrics",status="200"}')" '^[1-9][0-9]*$' "the scrapes themselves are counted by path and status"

# --- 2b. the alerts module: impossible numbers raise an alert ----------------
wait_metric 'sawt_alert_dispatcher' 1 && pass "this node dispatches the alerts (sawt_alert_dispatcher 1)" || fail "this node dispatches the alerts (sawt_alert_dispatcher 1)"
is "$(metric 'sawt_alerts_total{rule="impossible_numbers",outcome="opened"}')" 0 "no impossible_numbers alert yet"
"$SAWT" inject +96176123456 'T 2011 V5000' >/dev/null
wait_metric 'sawt_alerts_total{rule="impossible_numbers",outcome="opened"}' 1 && pass "5000 voters at 2011 open one impossible_numbers alert, counted by rule and outcome" || fail "5000 voters at 2011 open one impossible_numbers alert, counted by rule and outcome"
like "$(metric 'sawt_alert_passes_total{result="ok"}')" '^[1-9][0-9]*$' "the alerts module's passes are counted"
is "$(metric 'sawt_alert_passes_total{result="failed"}')" 0 "none failed"
is "$(promcheck)" ok "promtool accepts the alerts' families"

# --- 3. /healthz --------------------------------------------------------------
is "$(health)" 200 "GET /healthz: 200"
is "$(field 'j["status"], j["database"]["ok"], j["spool"]["messages"], j["modems"][0]["name"], j["modems"][0]["ok"], j["outbox"]["known"]')" "ok True 0 dummy True True" "with database, spool, modem and outbox fields"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/metrics")
is "$code" 405 "POST /metrics: 405"

# --- 4. access from another address needs the secret ------------------------
OTHER=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | grep -v '^127\.' | head -n 1)
if [ -n "$OTHER" ]; then
	is "$(curl -s -o /dev/null -w '%{http_code}' "http://$OTHER:$PORT/metrics")" 401 "from $OTHER without the secret: 401"
	is "$(curl -s -o /dev/null -w '%{http_code}' "http://$OTHER:$PORT/healthz")" 401 "/healthz too"
	is "$(curl -s -o /dev/null -w '%{http_code}' -u "prometheus:$SECRET" "http://$OTHER:$PORT/metrics")" 200 "with the secret: 200"
else
	echo "ok $((TAP_N + 1)) # skip no address but loopback to connect from"; TAP_N=$((TAP_N + 1))
fi

# --- 5. the database stops: 503, messages spooled, back to 200 ---------------
"$SAWT_TEST_PGCTL" stop
wait_for "$LOG" "lost connection to the database" 15
is "$(health)" 503 "with the database stopped /healthz answers 503"
like "$(field 'j["reasons"][0]')" '^database: not connected' "saying why: the database"
is "$(field 'j["database"]["ok"], j["outbox"]["known"]')" "False False" "the database is not ok, the outbox backlog not known"
"$SAWT" inject +96176123456 'T 2011 V350 W140' >/dev/null
wait_metric 'sawt_spool_messages' 1 && pass "a message arriving meanwhile is spooled (sawt_spool_messages 1)" || fail "a message arriving meanwhile is spooled (sawt_spool_messages 1)"
is "$(metric 'sawt_db_up')" 0 "sawt_db_up is 0"
is "$(metric 'sawt_intake_messages_total{transport="modem",result="spooled"}')" 1 "the intake counts it spooled"
is "$(promcheck)" ok "/metrics still answers and parses"
health >/dev/null
is "$(field 'j["spool"]["messages"]')" 1 "/healthz shows the spooled message"
"$SAWT_TEST_PGCTL" start
i=0; while [ "$(health)" != 200 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
is "$(health)" 200 "when the database is back /healthz answers 200 again"
wait_metric 'sawt_spool_replayed_total' 1 && pass "the spooled message is replayed" || fail "the spooled message is replayed"
is "$(metric 'sawt_spool_messages')" 0 "the spool is empty again"
is "$(metric "$ACC")" 2 "and the replayed report is counted accepted once"
is "$(metric 'sawt_db_connection_events_total{connection="main",event="lost"}')" 1 "the lost connection is counted"

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
grep -F -e "$SECRET" "$LOG" >/dev/null && fail "the secret appears in no log line" || pass "the secret appears in no log line"
# stopping PostgreSQL may cut the outbox's claim query short (outbox.c)
no_errors "$LOG" "could not claim outbox rows: terminating connection due to administrator command" "no other error in sawtd's log"
done_testing
