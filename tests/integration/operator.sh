#!/bin/sh
# The operator's requests to a running sawtd (src/daemon/control.c,
# migrations/0013_operator.sql), through Gammu's dummy phone:
#   - `sawt unmute PHONE` lifts a flooding observer's mute in the running
#     sawtd at once, and a restarted sawtd does not mute them again;
#   - `sawt reprocess` processes messages an older sawtd recorded without
#     processing them (ignored for the rate limit), once, without replies,
#     also when it is asked while no sawtd runs.
#
# Fixtures (tests/data/import/people.csv): Sam +96176123456, observer of
# 2011, English, no PIN.
. "$(dirname "$0")/tap.sh"

SAM=+96176123456
LOG="$SAWT_TEST_TMP/sawtd.log"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }

start_sawtd() {
	"$SAWTD" -c "$SAWT_CONFIG" >>"$LOG" 2>&1 &
	pid=$!
	wait_for "$LOG" "registry loaded" 60 "$1" || fail "sawtd starts"
}
stop_sawtd() {
	kill -TERM "$pid"
	wait "$pid" || fail "sawtd exits 0"
}
replies() { q "SELECT count(*) FROM sawt.outbox WHERE recipient = '$SAM'"; }

start_sawtd 1
wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 || fail "the dummy modem comes up"

# --- a flood: 12 messages sent within a minute (rate: 10 in 60 s) ---------
now=$(date +%s)
i=0
while [ $i -lt 12 ]; do
	"$SAWT" inject --time $((now - 60 + i)) "$SAM" "T 2011 V$((100 + i)) W$((40 + i))" >/dev/null
	i=$((i + 1))
done
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '$SAM'" 12 90 &&
	pass "the 12 messages are stored" || fail "the 12 messages are stored"
is "$(q "SELECT count(*) FILTER (WHERE no_reply_reason = 'rate_limited'), count(*) FILTER (WHERE state = 'processed')
	FROM sawt.inbound_messages WHERE sender = '$SAM'")" "2|12" \
	"the 11th and 12th are rate-limited, all are processed"
"$SAWT" inject "$SAM" "T 2011 V200 W90" >/dev/null
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '$SAM'" 13 90
is "$(q "SELECT coalesce(no_reply_reason, '-') FROM sawt.inbound_messages WHERE sender = '$SAM' ORDER BY id DESC LIMIT 1")" \
	rate_limited "the observer is muted"
n=$(replies)

# --- sawt unmute ----------------------------------------------------------
out=$("$SAWT" unmute '076 123 456' 2>&1); rc=$?
is "$rc" 0 "sawt unmute succeeds"
like "$out" "^unmute \\$SAM: request [0-9]+ \\(3 message\\(s\\) not answered for the rate limit in the last hour\\)" \
	"it names the E.164 number and what was not answered"
like "$out" '^applied by sawtd on ".+"$' "the running sawtd applied it"
"$SAWT" inject "$SAM" "T 2011 V210 W95" >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$SAM'" $((n + 1)) 90 &&
	pass "the next message is answered again" || fail "the next message is answered again"

stop_sawtd
start_sawtd 2
n=$(replies)
"$SAWT" inject "$SAM" "T 2011 V220 W100" >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$SAM'" $((n + 1)) 90 &&
	pass "after a restart the observer is still unmuted" ||
	fail "after a restart the observer is still unmuted"

out=$("$SAWT" unmute 12ab 2>&1); rc=$?
is "$rc" 2 "a mistyped number is refused"
like "$out" '"12ab" is not a phone number: contains letters' "and says why"

# --- sawt reprocess -------------------------------------------------------
# Two reports an older sawtd recorded without processing them (sent before
# the current figure: history), and one sent after (the current figure).
old() {
	q "INSERT INTO sawt.inbound_messages (received_at, transport, modem, sender, smsc_time,
		text, dedup_key, state, no_reply_reason, processed_at)
		VALUES (to_timestamp($1), 'modem', 'dummy', '$SAM', to_timestamp($1), '$2',
		sha256(convert_to('$2', 'UTF8')), 'ignored', 'rate_limited', to_timestamp($1))"
}
old $((now - 7200)) "T 2011 V50 W20"
old $((now - 7100)) "T 2011 V60 W25"
stop_sawtd
out=$("$SAWT" reprocess --dry-run 2>&1)
like "$out" '^2 message\(s\) recorded but not processed \(rate_limited 2, failed 0\)$' "reprocess --dry-run counts them"
is "$(q "SELECT count(*) FROM sawt.operator_requests WHERE kind = 'reprocess'")" 0 "and asks nothing"
out=$("$SAWT" reprocess --wait 0 2>&1); rc=$?
is "$rc" 0 "sawt reprocess with no sawtd running succeeds"
like "$out" '^no sawtd has taken it yet' "and says the request waits"
start_sawtd 3
wait_sql "SELECT count(*) FROM sawt.operator_requests WHERE kind = 'reprocess' AND done_at IS NOT NULL" 1 60 &&
	pass "a starting sawtd takes the waiting request" || fail "a starting sawtd takes the waiting request"
is "$(q "SELECT reprocessed FROM sawt.operator_requests WHERE kind = 'reprocess'")" 2 "it reprocessed both"
is "$(q "SELECT i.state, i.no_reply_reason, r.outcome, r.flags::text, r.superseded_by IS NOT NULL,
	(SELECT count(*) FROM sawt.outbox o WHERE o.inbound_id = i.id)
	FROM sawt.inbound_messages i JOIN sawt.reports r ON r.inbound_id = i.id
	WHERE i.text = 'T 2011 V60 W25'")" "processed|rate_limited|accepted_flagged|{out_of_order}|t|0" \
	"a reprocessed report sent before the current one is history, not answered"
is "$(q "SELECT t.voters FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id
	WHERE s.code = '2011' AND t.form = 'turnout'")" 220 "the current figure stays the latest sent"

old $((now + 60)) "T 2011 V300 W140"
out=$("$SAWT" reprocess --sender '+961 76 123 456' 2>&1); rc=$?
is "$rc" 0 "sawt reprocess --sender succeeds"
like "$out" "^1 message\\(s\\) recorded but not processed from \\$SAM" "it counts that sender's"
like "$out" '^sawtd on ".+" reprocessed 1 message\(s\)$' "the running sawtd reprocessed it"
is "$(q "SELECT t.voters FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id
	WHERE s.code = '2011' AND t.form = 'turnout'")" 300 "a reprocessed report sent last is the current figure"
out=$("$SAWT" reprocess 2>&1)
like "$out" '^0 message\(s\) recorded but not processed' "nothing is left to reprocess"
is "$(q "SELECT count(*) FROM sawt.reports r JOIN sawt.inbound_messages i ON i.id = r.inbound_id
	WHERE i.sender = '$SAM'")" 18 "one report per message, none counted twice"

stop_sawtd
no_errors "$LOG" "no error in sawtd's log"
done_testing
