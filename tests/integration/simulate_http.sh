#!/bin/sh
# `sawt simulate --via http`: a synthetic election of 100 stations goes
# through sawtd's HTTP door (POST /sms/inbound, Kannel's form fields) and
# the analytics views must match the generated totals exactly; every
# message is one inbound row with transport http.  A wrong secret stops
# the simulation at once with the server's reason, and a stopped sawtd
# makes it offer the message again until its deadline, then fail clearly.
. "$(dirname "$0")/tap.sh"

LOG="$SAWT_TEST_TMP/sawtd.log"
OUT="$SAWT_TEST_TMP/simulate.out"
CONF="$SAWT_TEST_TMP/http.conf"

"$SAWT" migrate >/dev/null 2>&1
is "$?" 0 "migrate succeeds"
cp "$SAWT_CONFIG" "$CONF"
printf '\n[http]\nlisten = 127.0.0.1:0\nsecret = sim-secret\n' >>"$CONF"
"$SAWTD" -c "$CONF" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "registry loaded" 30 || fail "sawtd loads its registry"
port=$(sed -n 's/.*HTTP on .*(port \([0-9]*\),.*/\1/p' "$LOG" | head -1)
like "$port" "^[0-9]+$" "sawtd logs the port of its HTTP door"
URL="http://127.0.0.1:$port/sms/inbound"

"$SAWT" -c "$CONF" simulate --via http --url "$URL" --connections 4 --stations 100 --rate 0 \
	--seed 11 --timeout 180 >"$OUT" 2>&1
rc=$?
is "$rc" 0 "simulate --via http exits 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$OUT" | grep -v "✓" | tail -40
like "$(cat "$OUT")" "^0 differences$" "the analytics views match the generated election: 0 differences"
like "$(cat "$OUT")" "^http: [0-9]+ messages taken over 4 connections" "it reports what the HTTP door took"
written=$(sed -n 's/^written: \([0-9]*\) messages.*/\1/p' "$OUT")
is "$(psql -XAtc "SELECT count(*) FROM sawt.inbound_messages WHERE transport = 'http' AND modem = 'simulate' AND text <> 'HELP'")" \
	"$written" "one inbound row per message posted, through the HTTP door"

# The secret comes from the configuration; a wrong one is refused for good.
sed 's/^secret = sim-secret$/secret = wrong/' "$CONF" >"$CONF.wrong"
out=$("$SAWT" -c "$CONF.wrong" simulate --via http --url "$URL" --stations 100 --seed 11 \
	--no-import --timeout 20 2>&1)
is "$?" 1 "a wrong secret makes simulate fail"
like "$out" "the server refused a message: HTTP 401" "and it says the server refused it (401)"

# A URL with the secret in it is refused before anything is sent.
out=$("$SAWT" -c "$CONF" simulate --via http --url "http://sawt:sim-secret@127.0.0.1:$port/sms/inbound" \
	--stations 100 --no-import 2>&1)
is "$?" 1 "a secret in the URL is refused"
like "$out" "comes from the configuration, not the URL" "with the reason"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"

# Nobody listening: the message is offered again until the deadline.
out=$("$SAWT" -c "$CONF" simulate --via http --url "$URL" --stations 100 --seed 11 --no-import \
	--timeout 3 2>&1)
is "$?" 1 "with sawtd stopped, simulate fails at its deadline"
like "$out" "(did not take every message in time|no answer from sawtd)" "and says sawtd did not take the messages"
done_testing
