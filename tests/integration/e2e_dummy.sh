#!/bin/sh
# End to end through Gammu's dummy phone: messages dropped into the inbox
# are processed, deleted from the phone only after they are durable,
# answered through the modem (Arabic in, Arabic out), and survive a
# database outage (spool) and a killed modem worker without being lost or
# counted twice.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
INBOX="$SAWT_TEST_TMP/state/dummy/sms/1"
SPOOL="$SAWT_TEST_TMP/state/spool"
LOG="$SAWT_TEST_TMP/sawtd.log"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 30 && pass "the dummy modem comes up" || fail "the dummy modem comes up"
wait_for "$LOG" "registry loaded" 30

# --- 1. one message each way, Arabic in and Arabic out -------------------
"$SAWT" inject +9613123456 'ق ١٠٢١ م٤٢٠ ن١٩٠ #1234' >/dev/null
"$SAWT" inject +96176123456 'T 2011 V300 W120' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE state = 'sent'" 2 30 && pass "both replies leave through the modem and are recorded sent" || fail "both replies leave through the modem and are recorded sent"
is "$(ls "$INBOX" | wc -l)" 0 "both messages are deleted from the phone"
is "$(psql -XAtc "SELECT outcome || ' ' || voters || ' ' || women FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '1021'")" "accepted 420 190" "the Arabic report is stored with its numbers"
body=$(psql -XAtc "SELECT body FROM sawt.outbox WHERE recipient = '+9613123456'")
like "$body" "1021" "the Arabic reply echoes the station"
printf '%s' "$body" | LC_ALL=C grep -q '[^ -~]' && like "$body" "^تم" "the Arabic observer is answered in Arabic" || fail "the Arabic observer is answered in Arabic"
like "$body" "(45|٤٥)" "the reply gives the women's share"
like "$(psql -XAtc "SELECT body FROM sawt.outbox WHERE recipient = '+96176123456'")" "2011.*300.*120.*40%" "the English observer gets the numbers and share in English"
is "$(psql -XAtc "SELECT modem || ' ' || attempts FROM sawt.outbox WHERE recipient = '+96176123456'")" "dummy 1" "the outbox row records the modem and one attempt"

# --- 2. deleted from the phone only after commit --------------------------
# Hold a lock that blocks the pipeline's transaction: the message must stay
# on the phone until the transaction can commit.
psql -XAq >/dev/null 2>&1 <<'SQL' &
BEGIN;
LOCK TABLE sawt.inbound_messages IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(4);
COMMIT;
SQL
lockpid=$!
sleep 0.5
"$SAWT" inject +96176123456 'T 2011 V350 W140' >/dev/null
sleep 2.5
is "$(ls "$INBOX" | wc -l)" 1 "while the commit is blocked, the message stays on the phone"
is "$(ls "$SPOOL" | grep -c '\.msg$')" 0 "and it is not spooled: the database is up, only slow"
wait $lockpid
wait_sql "SELECT count(*) FROM sawt.reports WHERE voters = 350" 1 20 && pass "once the lock goes, it commits" || fail "once the lock goes, it commits"
i=0; while [ "$(ls "$INBOX" | wc -l)" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
is "$(ls "$INBOX" | wc -l)" 0 "and only then leaves the phone"

# --- 3. the database goes away while messages arrive ----------------------
"$SAWT_TEST_PGCTL" stop
wait_for "$LOG" "lost connection to the database" 15
"$SAWT" inject +96176123456 'T 2011 V400 W160' >/dev/null
"$SAWT" inject +9613123456 'T 1021 V500 W230 #1234' >/dev/null
"$SAWT" inject +96171123456 'T 1022 V100 W50 #5678' >/dev/null
i=0; while [ "$(ls "$INBOX" | wc -l)" != 0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
is "$(ls "$INBOX" | wc -l)" 0 "with the database down, messages leave the phone..."
is "$(ls "$SPOOL" | grep -c '\.msg$')" 3 "...only because they are in the spool"
kill -0 $pid && pass "sawtd keeps running" || fail "sawtd keeps running"
"$SAWT_TEST_PGCTL" start
wait_for "$LOG" "replaying 3 spooled message" 30 && pass "the spool is replayed when the database is back" || fail "the spool is replayed when the database is back"
wait_sql "SELECT count(*) FROM sawt.inbound_messages" 6 30 && pass "every spooled message is stored" || fail "every spooled message is stored"
i=0; while [ "$(ls "$SPOOL" | grep -c '\.msg$')" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
is "$(ls "$SPOOL" | grep -c '\.msg$')" 0 "the spool empties"
is "$(psql -XAtc "SELECT count(*) FROM sawt.reports WHERE voters IN (400, 500, 100)")" 3 "each counted exactly once"
is "$(psql -XAtc "SELECT voters FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '2011' AND r.superseded_by IS NULL AND r.outcome <> 'rejected'")" 400 "the latest turnout is the current one"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE state = 'sent'" 6 30 && pass "the replayed messages are answered" || fail "the replayed messages are answered"

# --- 4. a worker killed with SIGKILL mid-stream -----------------------------
n=0
t0=$(date +%s)
for v in 1 2 3 4 5 6; do
	# distinct SMSC times: the stream's order does not hang on SIM slots
	"$SAWT" inject --time $((t0 + v)) +96176123456 "T 2011 V$((400 + v * 10)) W$((160 + v))" >/dev/null
	"$SAWT" inject --time $((t0 + v)) +9613123456 "T 1021 V$((500 + v * 10)) W$((230 + v)) #1234" >/dev/null
	n=$((n + 2))
done
wpid=$(psql -XAtc "SELECT worker_pid FROM sawt.modems WHERE name = 'dummy'")
sleep 0.3
killed=$wpid
kill -KILL "$wpid" 2>/dev/null && pass "the modem worker is killed mid-stream" || fail "the modem worker is killed mid-stream"
wait_for "$LOG" "modem \"dummy\": worker $wpid (exited|was terminated|killed|died)" 15 && pass "the daemon notices" || fail "the daemon notices"
wait_sql "SELECT count(*) FROM sawt.inbound_messages" $((6 + n)) 60 && pass "after the restart every message is stored" || fail "after the restart every message is stored"
i=0; while [ "$(ls "$INBOX" | wc -l)" != 0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
is "$(ls "$INBOX" | wc -l)" 0 "and deleted from the phone"
is "$(psql -XAtc "SELECT count(*) FROM sawt.reports")" $((6 + n)) "none is counted twice"
wait_sql "SELECT restarts > 0 FROM sawt.modems WHERE name = 'dummy'" t 15 && pass "the restart is recorded in sawt.modems" || fail "the restart is recorded in sawt.modems"
is "$(psql -XAtc "SELECT voters FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '1021' AND r.superseded_by IS NULL AND r.outcome <> 'rejected'")" 560 "the last turnout of the stream is current"

# --- 5. messages read in one scan are handed over in SMSC-time order ------
# A SIM refills its lowest free location, so a later message can sit
# before an earlier one; read in location order, cumulative turnout would
# look like a decrease.
wpid=$(psql -XAtc "SELECT worker_pid FROM sawt.modems WHERE name = 'dummy'")
kill -STOP "$wpid"
t=$(date +%s)
"$SAWT" inject --time $((t + 60)) +96171123456 'T 1031 V900 W450 #5678' >/dev/null
"$SAWT" inject --time $t +96171123456 'T 1031 V800 W400 #5678' >/dev/null
kill -CONT "$wpid"
wait_sql "SELECT count(*) FROM sawt.reports WHERE voters IN (800, 900)" 2 30
is "$(psql -XAtc "SELECT voters FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '1031' AND r.superseded_by IS NULL AND r.outcome <> 'rejected'")" 900 "the later turnout stays current"
is "$(psql -XAtc "SELECT count(*) FROM sawt.reports WHERE voters IN (800, 900) AND 'turnout_decrease' = ANY(flags)")" 0 "and nothing is flagged as a decrease"

# --- 5. a U+0000 inside a UCS-2 message is no silent cut -------------------
# 'T 1022 V80<NUL> W30' once lost " W30" without a word; now the whole text
# is kept (the NUL as U+001A) and the observer is told control_character.
hex=$(printf 'T 1022 V80\000 W30 #5678' | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
cat >"$SAWT_TEST_TMP/nul.sms" <<SMS
; written by e2e_dummy.sh
[SMSBackup000]
PDU = Deliver
DateTime = 20250504T100000Z
State = UnRead
Number = "+96171123456"
NumberUnicode = 002B00390036003100370031003100320033003400350036
Text00 = $hex
Coding = Unicode_No_Compression
Folder = 1
Length = $((${#hex} / 4))
Class = -1
ReplySMSC = False
RejectDuplicates = False
ReplaceMessage = 0
MessageReference = 0
SMS
mv "$SAWT_TEST_TMP/nul.sms" "$INBOX/9000"
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE text LIKE 'T 1022 V80%W30 #5678'" 1 20
is "$(psql -XAtc "SELECT error_code || ' ' || (strpos(text, chr(26)) > 0)::text || ' ' || (SELECT count(*) FROM sawt.outbox o WHERE o.inbound_id = i.id) FROM sawt.inbound_messages i WHERE text LIKE 'T 1022 V80%'")" \
	"control_character true 1" "a NUL inside a UCS-2 SMS: kept whole, answered control_character"

wait_sql "SELECT received >= 20 AND sent >= 20 AND network = 'home' AND signal_percent IS NOT NULL FROM sawt.modems WHERE name = 'dummy'" t 20 && pass "sawt.modems shows the modem's counters, network and signal" || {
	fail "sawt.modems shows the modem's counters, network and signal"
	psql -XAtc "SELECT received, sent, network, signal_percent, state FROM sawt.modems WHERE name = 'dummy'" | sed 's/^/# /'
	psql -XAtc "SELECT id, state, attempts, modem, error FROM sawt.outbox ORDER BY id" | sed 's/^/# /'
}

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
# The one error the test provokes: the worker it killed.
no_errors "$LOG" "modem \"dummy\": worker $killed was terminated by signal 9" \
	"no error in sawtd's log but the killed worker's"
done_testing
