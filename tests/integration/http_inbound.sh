#!/bin/sh
# SMS over HTTP (/sms/inbound) into a real sawtd and PostgreSQL, as Kannel
# and aggregators send it: accepted only once durable, a retry counted
# once, malformed requests refused with a reason and nothing recorded, the
# database down (spooled, 200, counted once when it returns); the secret
# required, refused in the URL and never logged; limits on body, headers,
# slow clients and idle connections.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
SECRET='Zq9-t0p+s3cret/HTTP'
LOG="$SAWT_TEST_TMP/sawtd.log"
SPOOL="$SAWT_TEST_TMP/state/spool"
BODY="$SAWT_TEST_TMP/body"
HEAD="$SAWT_TEST_TMP/head"
CONNS="/usr/bin/python3 $(dirname "$0")/http_conns.py"
cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
secret = $SECRET
timeout = 2
CONF
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTP on 127.0.0.1:0 \(port [0-9]+" 30 && pass "sawtd listens for HTTP" || fail "sawtd listens for HTTP"
wait_for "$LOG" "registry loaded" 30
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
URL="http://127.0.0.1:$PORT/sms/inbound"
AUTH="sawt:$SECRET"

# req CURL-ARGS...: the status; the body in $BODY, the headers in $HEAD
req() { curl -s -o "$BODY" -D "$HEAD" -w '%{http_code}' "$@"; }
# ucs2 TEXT: TEXT as percent-escaped UTF-16BE, the way Kannel sends coding=2
ucs2() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1].encode("utf-16-be")))' "$1"; }
q() { psql -XAtc "$1"; }
T0=$(date +%s)

# --- 1. accepted: durable before the 200, counted in the tallies -------------
code=$(req -u "$AUTH" "$URL?from=%2B96176123456&to=5555&text=T+2011+V300+W120&time=$T0&smsc=op1&id=k-1&coding=0&charset=UTF-8")
is "$code" 200 "a Kannel get-url request is answered 200"
is "$(wc -c <"$BODY")" 0 "with an empty body (the reply leaves through the outbox)"
is "$(q "SELECT transport || ' ' || modem || ' ' || extract(epoch FROM smsc_time)::bigint FROM sawt.inbound_messages")" "http op1 $T0" "the message was stored before the 200: transport http, source the SMSC id, the SMSC time"
is "$(q "SELECT voters || ' ' || women FROM sawt.station_turnout WHERE code = '2011'")" "300 120" "the report is counted in the tallies"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '+96176123456'" 1 20 && pass "the observer's reply is queued in the outbox" || fail "the observer's reply is queued in the outbox"

# --- 2. a client that retries is counted once ------------------------------
code=$(req -u "$AUTH" "$URL?from=%2B96176123456&to=5555&text=T+2011+V300+W120&time=$T0&smsc=op1&id=k-1&coding=0&charset=UTF-8")
is "$code" 200 "the same request again is answered 200"
is "$(q "SELECT count(*) FROM sawt.inbound_messages")" 1 "and stored once"
is "$(q "SELECT count(*) FROM sawt.reports WHERE voters = 300")" 1 "the report is counted once"
# docs/pipeline.md: the same SMS delivered twice is answered once
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '+96176123456' AND state IN ('sent', 'delivered')" 1 20
code=$(req -u "$AUTH" "$URL?from=%2B96176123456&to=5555&text=T+2011+V300+W120&time=$T0&smsc=op1&id=k-1&coding=0&charset=UTF-8")
is "$code" 200 "a retry after the reply has left is answered 200"
is "$(q "SELECT count(*) FROM sawt.outbox WHERE recipient = '+96176123456'")" 1 "and gets no second reply: one reply per message"

# --- 3. Arabic in UCS-2, post-url, JSON ------------------------------------
code=$(req -u "$AUTH" "$URL?from=%2B9613123456&text=$(ucs2 'ق ١٠٢١ م٤٢٠ ن١٩٠ #1234')&time=$((T0 + 1))&coding=2&charset=UTF-16BE")
is "$code" 200 "an Arabic SMS in UCS-2 (coding=2, UTF-16BE) is accepted"
is "$(q "SELECT r.outcome || ' ' || r.voters || ' ' || r.women FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '1021'")" "accepted 420 190" "and read as the Arabic report it is"
code=$(req -u "$AUTH" -H 'Content-Type: text/plain; charset=UTF-8' --data-binary 'T 1022 V100 W50 #5678' "$URL?from=%2B96171123456&time=$((T0 + 2))")
is "$code" 200 "a post-url request (the text as the body) is accepted"
code=$(req -u "$AUTH" -H 'Content-Type: application/json' --data-binary "{\"from\": \"+96171123456\", \"text\": \"T 1031 V200 W90 #5678\", \"time\": $((T0 + 3)), \"id\": \"agg-7\"}" "$URL")
is "$code" 200 "a JSON request is accepted"
is "$(q "SELECT string_agg(s.code || '=' || r.voters, ' ' ORDER BY s.code) FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code IN ('1022', '1031')")" "1022=100 1031=200" "both are stored as reports"
wait_sql "SELECT count(DISTINCT inbound_id) FROM sawt.outbox" 4 20 && pass "each message gets its reply" || fail "each message gets its reply"
like "$(q "SELECT body FROM sawt.outbox WHERE recipient = '+9613123456'")" "1021" "the Arabic observer's reply names the station"

# --- 4. malformed: 400 with a reason, nothing recorded ----------------------
n0=$(q "SELECT count(*) FROM sawt.inbound_messages")
code=$(req -u "$AUTH" "$URL?text=T+2011+V1")
is "$code" 400 "no sender: 400"
is "$(cat "$BODY")" 'missing field "from"' "with the reason on one line"
code=$(req -u "$AUTH" "$URL?from=%2B96176123456&text=x&time=yesterday")
is "$code" 400 "a bad time: 400"
like "$(cat "$BODY")" 'field "time"' "naming the field"
code=$(req -u "$AUTH" "$URL?from=%2B96176123456&text=%G1")
is "$code" 400 "a bad percent escape: 400"
code=$(req -u "$AUTH" -H 'Content-Type: application/json' --data-binary '{"from": ' "$URL")
is "$code" 400 "JSON that does not parse: 400"
code=$(req -u "$AUTH" "$URL?from=1&from=2")
is "$code" 400 "a field given twice: 400"
code=$(req -u "$AUTH" -X PUT "$URL?from=1")
is "$code" 405 "another method: 405"
is "$(q "SELECT count(*) FROM sawt.inbound_messages")" "$n0" "no malformed request is recorded"
# a sender no phone has (a control character) is recorded, marked, unanswered
code=$(req -u "$AUTH" "$URL?from=%2B961%0A76123456&text=T+2011+V999&time=$T0")
is "$code" 200 "a sender with a control character is taken (200)"
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '+961' || U&'\FFFD' || '76123456' AND no_reply_reason = 'non_phone_sender'" 1 20 &&
	pass "recorded with the bad character marked, not answered" ||
	fail "recorded with the bad character marked, not answered"
is "$(q "SELECT count(*) FROM sawt.reports WHERE voters = 999")" 0 "and not counted as a report"
n0=$(q "SELECT count(*) FROM sawt.inbound_messages")

# --- 5. authentication -----------------------------------------------------
OK_Q="from=%2B96176123456&to=5555&text=T+2011+V300+W120&time=$T0&smsc=op1&id=k-1&coding=0&charset=UTF-8"
code=$(req "$URL?$OK_Q")
is "$code" 401 "no secret: 401"
like "$(cat "$HEAD")" '^WWW-Authenticate: Basic realm="sawt"' "with WWW-Authenticate"
code=$(req -u "sawt:wrong" "$URL?$OK_Q")
is "$code" 401 "a wrong Basic password: 401"
code=$(req -H "X-Sawt-Secret: $SECRET-" "$URL?$OK_Q")
is "$code" 401 "a wrong header secret: 401"
esc=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$SECRET")
code=$(req -u "$AUTH" "$URL?$OK_Q&secret=$esc")
is "$code" 401 "the right secret in the query string is refused, even with the right Basic auth"
code=$(req -u "$AUTH" "$URL?$OK_Q&password=$esc")
is "$code" 401 "the secret as any query parameter is refused"
code=$(req -H "X-Sawt-Secret: $SECRET" "$URL?$OK_Q")
is "$code" 200 "the secret in X-Sawt-Secret is accepted"
code=$(req -H "Authorization: Bearer $SECRET" "$URL?$OK_Q")
is "$code" 200 "and as a Bearer token"
code=$(req -u "kannel:$SECRET" "$URL?$OK_Q")
is "$code" 200 "any Basic user name will do"
is "$(q "SELECT count(*) FROM sawt.inbound_messages")" "$n0" "the repeats are still one message"
like "$(cat "$LOG")" "HTTP /sms/inbound from 127\.0\.0\.1 refused: authentication required" "refusals are logged with the address"
for i in 1 2 3 4 5; do req -u "sawt:wrong$i" "$URL?$OK_Q" >/dev/null; done
code=$(req -u "$AUTH" "$URL?$OK_Q")
is "$code" 200 "after repeated failures the right secret still gets in"

# --- 6. a client that gives up before the commit ----------------------------
# A lock holds the pipeline's transaction; the client leaves after 1 s; the
# late answer goes to a connection that is gone (safe: see http_server.h).
psql -XAq >/dev/null 2>&1 <<'SQL' &
BEGIN;
LOCK TABLE sawt.inbound_messages IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(3);
COMMIT;
SQL
lockpid=$!
sleep 0.5
code=$(req -m 1 -u "$AUTH" "$URL?from=%2B96176123456&text=T+2011+V310+W125&time=$((T0 + 5))")
is "$code" 000 "while the commit is blocked no answer comes"
wait $lockpid
wait_sql "SELECT count(*) FROM sawt.reports WHERE voters = 310" 1 20 && pass "the message of the client that left is stored once the lock goes" || fail "the message of the client that left is stored once the lock goes"
code=$(req -u "$AUTH" "$URL?from=%2B96176123456&text=T+2011+V310+W125&time=$((T0 + 5))")
is "$code" 200 "its retry is answered 200"
is "$(q "SELECT count(*) FROM sawt.reports WHERE voters = 310")" 1 "and counted once"

# --- 7. the database down: spooled, 200, counted once -----------------------
"$SAWT_TEST_PGCTL" stop
wait_for "$LOG" "lost connection to the database" 15
DOWN_Q="from=%2B96176123456&text=T+2011+V350+W140&time=$((T0 + 10))"
code=$(req -u "$AUTH" "$URL?$DOWN_Q")
is "$code" 200 "with the database down the message is answered 200"
is "$(ls "$SPOOL" | grep -c '\.msg$')" 1 "because it was spooled first"
code=$(req -u "$AUTH" "$URL?$DOWN_Q")
is "$code" 200 "a retry meanwhile is answered 200 too"
kill -0 $pid && pass "sawtd keeps running" || fail "sawtd keeps running"
"$SAWT_TEST_PGCTL" start
wait_sql "SELECT count(*) FROM sawt.reports WHERE voters = 350" 1 30 && pass "when the database returns the spooled report is stored" || fail "when the database returns the spooled report is stored"
i=0; while [ "$(ls "$SPOOL" | grep -c '\.msg$')" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
is "$(ls "$SPOOL" | grep -c '\.msg$')" 0 "the spool empties"
is "$(q "SELECT count(*) FROM sawt.inbound_messages WHERE extract(epoch FROM smsc_time)::bigint = $((T0 + 10))")" 1 "the message and its retry are counted once"
is "$(q "SELECT voters FROM sawt.station_turnout WHERE code = '2011'")" 350 "and the tally follows"

# --- 8. limits -------------------------------------------------------------
code=$(head -c 200000 /dev/zero | tr '\0' a | req -u "$AUTH" -H 'Content-Type: text/plain' --data-binary @- "$URL?from=1")
is "$code" 413 "a body over the limit: 413"
code=$(req -u "$AUTH" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$URL?$OK_Q")
like "$code" '^4[0-9][0-9]$' "headers over the limit: 4xx"
is "$($CONNS slow "$PORT" 30)" closed "a client that stops half way through its request is disconnected"
out=$($CONNS idle "$PORT" 1000 60 "/sms/inbound?$OK_Q" "Basic $(printf '%s' "$AUTH" | base64 -w0)")
like "$out" "^status 200$" "with 1,000 idle connections open a normal request is still answered"
like "$out" "^closed 1000 of 1000$" "and the idle connections are closed by the server"
code=$(req -u "$AUTH" "$URL?$OK_Q")
is "$code" 200 "the daemon is unaffected afterwards"

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
grep -F -e "$SECRET" -e "$esc" -e "$(printf '%s' "$AUTH" | base64 -w0)" "$LOG" >/dev/null && fail "the secret appears in no log line" || pass "the secret appears in no log line"
# stopping PostgreSQL may cut the outbox's claim query short (outbox.c)
no_errors "$LOG" "could not claim outbox rows: terminating connection due to administrator command" "no other error in sawtd's log"
done_testing
