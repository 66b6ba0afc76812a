#!/bin/sh
# `sawt simulate` end to end: a synthetic election of 200 stations is
# imported and its whole election day (openings, turnout rounds, closes,
# results, incidents, typos resent correctly, identical resends, Arabic)
# goes through a running sawtd via Gammu's dummy phone; the analytics views
# must match the generated totals exactly.  Also: every message leaves the
# phone, every reply is sent, and sawtd stops cleanly afterwards.
. "$(dirname "$0")/tap.sh"

INBOX="$SAWT_TEST_TMP/state/dummy/sms/1"
LOG="$SAWT_TEST_TMP/sawtd.log"
OUT="$SAWT_TEST_TMP/simulate.out"

"$SAWT" migrate >/dev/null 2>&1
is "$?" 0 "migrate succeeds"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "registry loaded" 30 || fail "sawtd loads its registry"

"$SAWT" simulate --stations 200 --rate 0 --seed 7 --timeout 180 >"$OUT" 2>&1
rc=$?
is "$rc" 0 "simulate exits 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$OUT" | grep -v "✓" | tail -40
like "$(cat "$OUT")" "^0 differences$" "the analytics views match the generated election: 0 differences"
like "$(cat "$OUT")" "messages stored +[0-9]+ +[0-9]+ +✓" "every message is stored once"
like "$(cat "$OUT")" "messages rejected \(typos\) +[1-9][0-9]* +[0-9]+ +✓" "each typo is rejected, and only the typos"
like "$(cat "$OUT")" "identical resends recognised +[1-9][0-9]* +[0-9]+ +✓" "identical resends are not counted twice"

is "$(ls "$INBOX" | wc -l | tr -d ' ')" 0 "every message was consumed from the dummy phone"
written=$(sed -n 's/^written: \([0-9]*\) messages.*/\1/p' "$OUT")
is "$(psql -XAtc "SELECT count(*) FROM sawt.inbound_messages WHERE text <> 'HELP'")" \
	"$written" "one inbound row per message written"
is "$(psql -XAtc "SELECT count(*) FROM sawt.inbound_messages WHERE text ~ '[٠-٩]'")" \
	"$(cut -f5 "$SAWT_TEST_TMP/state/simulation/messages.tsv" |
		grep -c -F -e ٠ -e ١ -e ٢ -e ٣ -e ٤ -e ٥ -e ٦ -e ٧ -e ٨ -e ٩)" \
	"the Arabic-Indic messages arrive as written"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE state NOT IN ('sent', 'delivered')" 0 60 &&
	pass "every outbox row is sent" || fail "every outbox row is sent"
is "$(psql -XAtc "SELECT count(*) > 0 FROM sawt.outbox")" t "replies were queued"
is "$(psql -XAtc "SELECT count(*) FROM sawt.stations")" 200 "200 stations imported"

out=$("$SAWT" simulate --stations 0 2>&1)
is "$?" 2 "--stations 0 is a usage error"

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: sawtd exits 0"
no_errors "$LOG" "no error in sawtd's log"
done_testing
