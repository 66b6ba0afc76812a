#!/bin/sh
# Real Kannel in front of sawtd: bearerbox and smsbox (Debian's kannel)
# with Kannel's test SMSC, fakesmsc (kannel-extras), as the operator's
# network.  Observers' SMS go fakesmsc -> bearerbox -> smsbox's
# sms-service -> sawtd's /sms/inbound; sawt's replies go outbox -> smsbox's
# sendsms -> bearerbox -> fakesmsc, and Kannel's delivery reports come
# back to /sms/dlr.  Arabic both ways in UCS-2, tallies right, each
# observer answered exactly once per message (also when Kannel and a
# modem share the replies), reports recorded on the outbox rows.  Then
# sawt's retry rules against a stand-in for sendsms (kannel_standin.py)
# that answers 503, 403, or nothing at all.
#
# Every part runs from this test's own configuration on free ports; no
# system Kannel service is used or disturbed.
. "$(dirname "$0")/tap.sh"

BEARERBOX=/usr/sbin/bearerbox
SMSBOX=/usr/sbin/smsbox
FAKESMSC=/usr/lib/kannel/test/fakesmsc
for p in "$BEARERBOX" "$SMSBOX" "$FAKESMSC"; do
	if [ ! -x "$p" ]; then
		fail "$p is installed (scripts/deps.sh test installs kannel and kannel-extras)"
		done_testing
		exit 1
	fi
done
import_fixtures || { fail "fixtures import"; done_testing; exit 1; }

K="$SAWT_TEST_TMP/kannel"
mkdir -p "$K"
LOG="$SAWT_TEST_TMP/sawtd.log"
BASECONF="$SAWT_TEST_TMP/base.conf"
cp "$SAWT_CONFIG" "$BASECONF"
SECRET='Zq9-t0p.s3cret_K~'
KUSER=sawt
KPASS='k&pa ss+w/rd'
ADMINPW=admin-pw
PY=/usr/bin/python3
pids=""

cleanup() {
	exec 3>&- 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

# free_ports N: N TCP ports free on 127.0.0.1 now (held together while
# chosen, so they are distinct)
free_ports() {
	$PY -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"
}
# ucs2 TEXT: TEXT as percent-escaped UTF-16BE (fakesmsc's "ucs2" message data)
ucs2() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1].encode("utf-16-be")))' "$1"; }
# unucs2 DATA: fakesmsc's form-escaped UTF-16BE ('+' for a 0x20 byte) as UTF-8
unucs2() { $PY -c 'import sys, urllib.parse; print(urllib.parse.unquote_to_bytes(sys.argv[1].replace("+", "%20")).decode("utf-16-be"))' "$1"; }
q() { psql -XAtc "$1"; }
# replies TO: the messages fakesmsc received for TO, one a line ("TYPE DATA")
replies() {
	sed -n 's/.*Got message [0-9]*: <\(.*\)>$/\1/p' "$K/fakesmsc.out" |
		awk -v to="$1" '$2 == to { $1 = ""; $2 = ""; sub(/^  /, ""); print }'
}
stop_sawtd() {
	kill -TERM "$pid"
	wait "$pid"
}

# --- the parts ------------------------------------------------------------
# Kannel's ports, and sawtd's: the dlr_url in sawt's configuration and the
# get-url in Kannel's both name it, so it is chosen before either starts.
# A port found free may be taken before its box binds it: then every part
# is stopped and started again on other ports (start_parts, at most 3
# times).

write_configs() {
	cp "$BASECONF" "$SAWT_CONFIG"
	cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:$PORT
secret = $SECRET

[kannel]
url = http://127.0.0.1:$SENDSMS/cgi-bin/sendsms
username = $KUSER
password = $KPASS
smsc = fake
sender = 1234
dlr_url = http://127.0.0.1:$PORT/sms/dlr
timeout = 10
CONF
	cat >"$K/kannel.conf" <<KCONF
group = core
admin-port = $ADMIN
admin-password = $ADMINPW
admin-interface = 127.0.0.1
admin-allow-ip = "127.0.0.1"
smsbox-port = $BOXPORT
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$K/bearerbox.log"
log-level = 0
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = $FAKEPORT
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $BOXPORT
sendsms-port = $SENDSMS
sendsms-interface = 127.0.0.1
log-file = "$K/smsbox.log"
log-level = 0
http-request-retry = 3
http-queue-delay = 1

group = sendsms-user
username = $KUSER
password = "$KPASS"
max-messages = 3
concatenation = true

group = sms-service
keyword-regex = .*
catch-all = true
get-url = "http://sawt:$SECRET@127.0.0.1:$PORT/sms/inbound?from=%p&to=%P&text=%b&time=%T&smsc=%i&id=%I&coding=%c&charset=%C"
omit-empty = true
max-messages = 0
concatenation = true
KCONF
}

# until_ok CMD...: run CMD every 0.1 s until it succeeds (true) or 10 s pass
until_ok() {
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
}
bearerbox_runs() { curl -s "http://127.0.0.1:$ADMIN/status.txt?password=$ADMINPW" 2>/dev/null | grep -q "Status: running"; }
sendsms_answers() { [ "$(curl -s "http://127.0.0.1:$SENDSMS/cgi-bin/sendsms" 2>/dev/null)" = "Authorization failed for sendsms" ]; }

# start_parts: sawtd, bearerbox, smsbox and fakesmsc on fresh ports; false
# (with everything it started stopped) when one of them did not come up
start_parts() {
	set -- $(free_ports 5)
	ADMIN=$1 BOXPORT=$2 FAKEPORT=$3 SENDSMS=$4 PORT=$5
	write_configs
	started=""
	: >"$LOG"
	rm -f "$K"/*.log "$K"/*.out "$K/fakesmsc.in"
	"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
	pid=$!
	started="$pid"
	"$BEARERBOX" -v 4 "$K/kannel.conf" >"$K/bearerbox.out" 2>&1 &
	started="$started $!"
	if wait_for "$LOG" "HTTP on 127\.0\.0\.1:$PORT" 30 && wait_for "$LOG" "registry loaded" 30 &&
		until_ok bearerbox_runs; then
		"$SMSBOX" -v 4 "$K/kannel.conf" >"$K/smsbox.out" 2>&1 &
		started="$started $!"
		if until_ok sendsms_answers; then
			mkfifo "$K/fakesmsc.in"
			"$FAKESMSC" -H 127.0.0.1 -r "$FAKEPORT" -i 0 <"$K/fakesmsc.in" >"$K/fakesmsc.out" 2>&1 &
			started="$started $!"
			exec 3>"$K/fakesmsc.in"
			if wait_for "$K/bearerbox.log" "Fakesmsc client connected" 30; then
				pids="$pids $started"
				return 0
			fi
			exec 3>&-
		fi
	fi
	echo "# the parts did not all come up (ports $*); again on other ports"
	for p in $started; do kill "$p" 2>/dev/null; done
	for p in $started; do wait "$p" 2>/dev/null; done
	return 1
}

tries=0
until start_parts; do
	tries=$((tries + 1))
	[ $tries -ge 3 ] && break
done
kill -0 "$pid" 2>/dev/null && pass "sawtd listens for Kannel" || fail "sawtd listens for Kannel"
like "$(cat "$LOG")" "replies and alerts leave through Kannel \(http://127\.0\.0\.1:$SENDSMS/cgi-bin/sendsms\), with delivery reports" "sawtd sends through Kannel"
bearerbox_runs && pass "bearerbox runs on its own ports" || fail "bearerbox runs on its own ports"
sendsms_answers && pass "smsbox's sendsms answers" || fail "smsbox's sendsms answers"
grep -q "Fakesmsc client connected" "$K/bearerbox.log" && pass "fakesmsc is the SMSC" || fail "fakesmsc is the SMSC"
# mo LINE: one SMS from an observer (fakesmsc's "FROM TO TYPE DATA"),
# written only once fakesmsc has sent the one before: it reads a line
# each time its input becomes readable, so lines written together would
# wait in its buffer
MO=0
mo() {
	MO=$((MO + 1))
	printf '%s\n' "$1" >&3
	wait_for "$K/fakesmsc.out" "fakesmsc: sent message $MO\$" 10
}

# --- 1. one observer in English, one in Arabic (UCS-2) ------------------------
T0=$(date +%s)
mo "+96176123456 5555 text T 2011 V300 W120"
mo "+9613123456 5555 ucs2 $(ucs2 'ق ١٠٢١، م٤٢٠، ن١٩٠ #1234')"
wait_sql "SELECT count(*) FROM sawt.inbound_messages" 2 30 && pass "both SMS reach sawt through Kannel's sms-service" || fail "both SMS reach sawt through Kannel's sms-service"
is "$(q "SELECT string_agg(transport || ' ' || modem, ',') FROM sawt.inbound_messages")" "http fake,http fake" "stored as HTTP messages from the SMSC \"fake\""
is "$(q "SELECT r.outcome || ' ' || r.voters || ' ' || r.women FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '1021'")" "accepted 420 190" "the Arabic report (UCS-2, with Arabic commas) is read whole"
is "$(q "SELECT r.outcome || ' ' || r.voters || ' ' || r.women FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '2011'")" "accepted 300 120" "the English report is read"
wait_for "$K/fakesmsc.out" "Got message" 30 2 && pass "two replies reach fakesmsc" || fail "two replies reach fakesmsc"
en=$(replies +96176123456)
like "$en" "^text .*2011.*300.*120.*40%" "the English observer's reply comes out of the SMSC as 7-bit text"
ar=$(replies +9613123456)
like "$ar" "^ucs-2 " "the Arabic observer's reply goes out as UCS-2"
artext=$(unucs2 "$(printf '%s\n' "$ar" | sed 's/^ucs-2 //')")
is "$artext" "$(q "SELECT body FROM sawt.outbox WHERE recipient = '+9613123456'")" "and is the reply sawt wrote, character for character"
like "$artext" "^تم.*1021" "in Arabic, naming the station"
like "$(sed -n 's/.*Got message [0-9]*: <\(.*\)>$/\1/p' "$K/fakesmsc.out" | awk '{print $1}' | sort -u)" "^1234$" "replies come from the configured sender"

# --- 2. delivery reports on the outbox rows -----------------------------------
wait_sql "SELECT count(*) FROM sawt.outbox WHERE state = 'delivered'" 2 30 && pass "Kannel's delivery reports reach /sms/dlr" || fail "Kannel's delivery reports reach /sms/dlr"
is "$(q "SELECT string_agg(state || ' ' || via || ' ' || coalesce(modem, '-') || ' ' || dlr_status || ' ' || attempts || ' ' || (delivered_at >= sent_at), ',' ORDER BY id) FROM sawt.outbox")" \
	"delivered kannel - delivered 1 true,delivered kannel - delivered 1 true" "each row: delivered, through Kannel, on the first attempt"

# --- 3. a small election: tallies right, one reply per message -----------------
mo "+96171123456 5555 text T 1022 V100 W50 #5678"
mo "+96171123456 5555 text T 1031 V200 W90 #5678"
mo "+9613987654 5555 ucs2 $(ucs2 'ق ٤٠١١ م١٥٠ ن٧٠ #٩٧٥٣')"
mo "+96176123456 5555 text T 2011 V350 W150"
mo "+9613123456 5555 ucs2 $(ucs2 'ق ١٠٢١ م٥٠٠ ن٢٣٠ #1234')"
mo "+96171123456 5555 text T 1022 V999 W50 #0000"
wait_sql "SELECT count(*) FROM sawt.inbound_messages" 8 30 && pass "every message is stored" || fail "every message is stored"
wait_for "$K/fakesmsc.out" "Got message" 30 8 && pass "every message is answered" || fail "every message is answered"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE state = 'delivered'" 8 30
is "$(q "SELECT string_agg(s.code || '=' || t.voters || '/' || t.women, ' ' ORDER BY s.code) FROM sawt.station_turnout t JOIN sawt.stations s ON s.code = t.code WHERE t.voters IS NOT NULL")" \
	"1021=500/230 1022=100/50 1031=200/90 2011=350/150 4011=150/70" "the tallies hold each station's latest report"
is "$(q "SELECT count(*) FROM sawt.reports WHERE outcome = 'rejected'")" 1 "the wrong PIN is rejected"
for who in +96176123456 +9613123456 +96171123456 +9613987654; do
	is "$(replies "$who" | wc -l)" "$(q "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '$who'")" "$who: one reply per message"
done
is "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE state = 'delivered' AND via = 'kannel' AND attempts = 1) FROM sawt.outbox")" "8 8" "eight rows, each sent once through Kannel and delivered"
like "$(replies +96171123456 | tail -n 1)" "^text .*" "the French observer's answer is 7-bit text"
is "$(q "SELECT coalesce(sum(sent), 0) FROM sawt.modems")" 0 "the modems send nothing (outbound = kannel)"

# --- 3b. /metrics and /healthz see Kannel ---------------------------------------
M="$SAWT_TEST_TMP/metrics.txt"
curl -s -o "$M" "http://127.0.0.1:$PORT/metrics"
metric() { awk -v k="$1" 'index($0, k " ") == 1 { v = $2 } END { print v == "" ? 0 : v }' "$M"; }
if [ -x /usr/bin/promtool ]; then
	/usr/bin/promtool check metrics <"$M" >"$SAWT_TEST_TMP/promtool.out" 2>&1 && pass "promtool accepts /metrics with Kannel's series" || {
		fail "promtool accepts /metrics with Kannel's series"; sed 's/^/#   /' "$SAWT_TEST_TMP/promtool.out"; }
else
	echo "ok $((TAP_N + 1)) # skip promtool is not installed"; TAP_N=$((TAP_N + 1))
fi
is "$(metric 'sawt_outbox_sends_total{transport="kannel",kind="reply",result="sent"}') $(metric 'sawt_kannel_answers_total{answer="accepted"}') $(metric 'sawt_outbox_delivery_reports_total{transport="kannel",state="delivered"}')" "8 8 8" "/metrics: eight replies sent through Kannel, accepted by it, reported delivered"
is "$(metric 'sawt_kannel_up') $(metric 'sawt_messages_total{transport="http",outcome="rejected",code="bad_pin"}')" "1 1" "/metrics: Kannel up; the wrong PIN counted with its code"
is "$(curl -s "http://127.0.0.1:$PORT/healthz" | $PY -c 'import json, sys; j = json.load(sys.stdin); print(j["status"], j["senders"][0]["name"], j["senders"][0]["ok"], j["modems"][0]["send"])')" "ok kannel True False" "/healthz: healthy, Kannel the sender, the modems not sending"

# --- 4. the secrets stay out of sawt's log -------------------------------------
if grep -qF "$SECRET" "$LOG" || grep -qF "$KPASS" "$LOG"; then
	fail "neither the HTTP secret nor Kannel's password is in sawtd's log"
else
	pass "neither the HTTP secret nor Kannel's password is in sawtd's log"
fi
stop_sawtd
is "$?" 0 "SIGTERM: exit 0"
no_errors "$LOG" "no error in sawtd's log"

# --- 5. outbound = both: modems and Kannel share, each message answered once ---
sed -i 's/^timeout = 10$/timeout = 10\noutbound = both/' "$SAWT_CONFIG"
# emptied here, not only by the redirection in the background child, so
# the waits below never read the previous sawtd's log
: >"$LOG"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$LOG" "modem \"dummy\": starting -> ready" 30
wait_for "$LOG" "registry loaded" 30
like "$(cat "$LOG")" "leave through Kannel .* and the modems" "outbound = both: Kannel and the modems send"
before=$(q "SELECT count(*) FROM sawt.outbox")
n=0
for v in 1 2 3 4 5 6 7 8 9 10; do
	mo "+96176123456 5555 text T 2011 V$((400 + v)) W$((160 + v))"
	n=$((n + 1))
	wait_sql "SELECT count(*) FROM sawt.outbox WHERE id > 0 AND state IN ('sent', 'delivered')" $((before + n)) 30
done
kannel_rows=$(q "SELECT count(*) FROM sawt.outbox WHERE via = 'kannel' AND modem IS NULL")
wait_for "$K/fakesmsc.out" "Got message" 30 "$kannel_rows"
is "$(q "SELECT count(*) FROM sawt.outbox")" "$((before + 10))" "ten more messages, ten more replies"
is "$(q "SELECT count(*) FROM sawt.outbox WHERE id > (SELECT max(id) - 10 FROM sawt.outbox) AND attempts = 1 AND ((via = 'modem' AND modem = 'dummy') OR (via = 'kannel' AND modem IS NULL))")" 10 "each went out once, through the dummy modem or through Kannel"
like "$(q "SELECT count(DISTINCT via) FROM sawt.outbox WHERE id > (SELECT max(id) - 10 FROM sawt.outbox)")" "^2$" "both senders took some"
is "$(replies +96176123456 | wc -l)" "$((kannel_rows - $(q "SELECT count(*) FROM sawt.outbox WHERE via = 'kannel' AND recipient <> '+96176123456'")))" "fakesmsc got exactly the replies Kannel was given"
is "$(q "SELECT sent FROM sawt.modems WHERE name = 'dummy'")" "$(q "SELECT count(*) FROM sawt.outbox WHERE via = 'modem'")" "and the dummy modem exactly the others"
stop_sawtd
is "$?" 0 "SIGTERM: exit 0"
no_errors "$LOG" "no error in sawtd's log"
sed -i '/^outbound = both$/d' "$SAWT_CONFIG"

# --- 6. sendsms answers 503, 403, or nothing: the retry rules -----------------
S="$SAWT_TEST_TMP/standin"
mkdir -p "$S"
$PY "$(dirname "$0")/kannel_standin.py" "$S" &
standin=$!
pids="$pids $standin"
i=0; while [ ! -s "$S/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
SPORT=$(cat "$S/port")
sed -i "s|^url = http://127\.0\.0\.1:[0-9]*/cgi-bin/sendsms|url = http://127.0.0.1:$SPORT/cgi-bin/sendsms|" "$SAWT_CONFIG"
printf '503 Temporal failure, try again later.\n' >"$S/script"
# No Kannel calls sawtd from here on, so it takes any free port: the one
# it had may have been taken, since it stopped, by another program.
sed -i "s|^listen = 127\.0\.0\.1:$PORT\$|listen = 127.0.0.1:0|" "$SAWT_CONFIG"
: >"$LOG"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$LOG" "registry loaded" 30 || fail "sawtd starts with the stand-in as its Kannel"
PORT=$(sed -n 's/.*HTTP on .*(port \([0-9]*\),.*/\1/p' "$LOG" | head -1)
T1=$(date +%s)
code=$(curl -s -o /dev/null -w '%{http_code}' -u "sawt:$SECRET" "http://127.0.0.1:$PORT/sms/inbound?from=%2B96171123456&text=T+1031+V300+W140+%235678&time=$T1")
is "$code" 200 "a message comes in"
[ "$code" = 200 ] || tail -20 "$LOG" | sed 's/^/#   sawtd: /'
row="SELECT state || ' ' || attempts || ' ' || via || ' ' || coalesce(error, '-') FROM sawt.outbox WHERE id = (SELECT max(id) FROM sawt.outbox)"
wait_sql "$row" "queued 1 kannel kannel: 503 Temporal failure, try again later." 30 && pass "sendsms answers 503: the reply is queued again, the answer recorded" || fail "sendsms answers 503: the reply is queued again, the answer recorded"
is "$(q "SELECT next_attempt_at > now() + interval '20 seconds' FROM sawt.outbox WHERE id = (SELECT max(id) FROM sawt.outbox)")" t "after the outbox's backoff"
is "$(wc -l <"$S/requests")" 1 "one request so far"
q "UPDATE sawt.outbox SET next_attempt_at = now() WHERE state = 'queued'" >/dev/null
wait_sql "$row" "sent 2 kannel -" 30 && pass "the next attempt is accepted: sent, on attempt 2" || fail "the next attempt is accepted: sent, on attempt 2"
id=$(q "SELECT max(id) FROM sawt.outbox")
is "$(awk '{print $1, $2, $3, $4}' "$S/requests" | tr '\n' ',')" "503 $id +96171123456 0,202 $id +96171123456 0," "both requests were for that row, with its id in the dlr-url"

printf '403 Not routable. Do not try again.\n' >"$S/script"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "sawt:$SECRET" "http://127.0.0.1:$PORT/sms/inbound?from=%2B96171123456&text=T+1031+V310+W145+%235678&time=$((T1 + 1))")
wait_sql "$row" "failed 1 kannel kannel: 403 Not routable. Do not try again." 30 && pass "sendsms answers 403 Not routable: failed at once" || fail "sendsms answers 403 Not routable: failed at once"
q "UPDATE sawt.outbox SET next_attempt_at = now()" >/dev/null
sleep 1.5
is "$(wc -l <"$S/requests")" 3 "and never tried again"

bad=$(psql -XAtqc "INSERT INTO sawt.outbox (recipient, body, kind) VALUES ('12', 'to a number that is none', 'manual') RETURNING id")
wait_sql "SELECT state || ' ' || attempts || ' ' || error FROM sawt.outbox WHERE id = $bad" "failed 1 kannel: not sent: recipient is not a phone number" 30 && pass "a row that cannot be a sendsms request fails at once" || fail "a row that cannot be a sendsms request fails at once"
is "$(wc -l <"$S/requests")" 3 "without a request"

kill "$standin"
wait "$standin" 2>/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -u "sawt:$SECRET" "http://127.0.0.1:$PORT/sms/inbound?from=%2B96171123456&text=T+1031+V320+W150+%235678&time=$((T1 + 2))")
wait_sql "SELECT state || ' ' || attempts FROM sawt.outbox WHERE id = (SELECT max(id) FROM sawt.outbox)" "queued 1" 30 && pass "sendsms does not answer at all: queued again" || fail "sendsms does not answer at all: queued again"
like "$(q "SELECT error FROM sawt.outbox WHERE id = (SELECT max(id) FROM sawt.outbox)")" "^kannel: no answer" "with the reason recorded"
like "$(cat "$LOG")" "kannel: sendsms unavailable" "sawtd says Kannel is unavailable"
stop_sawtd
is "$?" 0 "SIGTERM: exit 0"
no_errors "$LOG" "no error in sawtd's log"
done_testing
