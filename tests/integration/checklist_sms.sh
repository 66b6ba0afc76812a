#!/bin/sh
# Checklist answers by SMS through sawtd and Gammu's dummy phone: partial
# saves, completion by a later message, correction by send time (a message
# sent earlier but arriving later does not undo a newer answer), replies in
# the observer's language naming what was wrong, unknown or still missing,
# a redelivered copy stored once, refusals (PIN, station), and v1 reports
# going on as before.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
"$SAWT" import checklists "$SAWT_TEST_DATA/checklists/good.csv" >/dev/null || fail "checklists import"
LOG="$SAWT_TEST_TMP/sawtd.log"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 30 && pass "the dummy modem comes up" || fail "the dummy modem comes up"
wait_for "$LOG" "registry loaded" 30

q() { psql -XAtc "$1"; }
EN=+96176123456   # Sam Khoury, English, station 2011, no PIN
AR=+9613123456    # ليلى حداد, Arabic, station 1021, PIN 1234
FR=+96171123456   # Jean Dupont, French, stations 1022 and 1031, PIN 5678
answers() {
	q "SELECT string_agg(question || '=' || COALESCE(value::text, array_to_string(options, '+'), text_value), ' ' ORDER BY question)
	   FROM sawt.checklist_current_answers a JOIN sawt.stations s ON s.id = a.station_id
	   WHERE s.code = '$1' AND a.form = '$2'"
}
reply_to() {
	q "SELECT body FROM sawt.outbox WHERE recipient = '$1' ORDER BY id DESC LIMIT 1"
}
t0=$(recent_utc 06:30 09:30) # inside OP's window, 06:00-10:00 (the election's time zone is UTC)

# --- a partial save: the good answers are stored, the reply names the rest
"$SAWT" inject --time "$t0" "$EN" 'OP 2011 AA1 AB3 AC13 ZZ2' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$EN'" 1 30 || fail "the first checklist is answered"
is "$(answers 2011 OP)" "AA=1 AC=1+3" "the good answers are stored, the wrong and unknown ones are not"
is "$(reply_to "$EN")" "OK 2011 OP: 2 saved. Wrong: AB. Unknown: ZZ. Missing: AB AD." "the reply names the wrong, unknown and missing codes"
is "$(q "SELECT version FROM sawt.checklist_answers LIMIT 1")" 1 "answers keep the form's version"

# --- a later message completes the checklist
"$SAWT" inject --time $((t0 + 60)) "$EN" 'op2011ab2ad12' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$EN'" 2 30 || fail "the second checklist is answered"
is "$(answers 2011 OP)" "AA=1 AB=2 AC=1+3 AD=12" "a later message completes the checklist"
is "$(reply_to "$EN")" "OK 2011 OP: 2 saved. Complete. Thank you." "and the reply counts what was stored before"

# --- correction by send time
"$SAWT" inject --time $((t0 + 120)) "$EN" 'OP 2011 AD 14' >/dev/null
"$SAWT" inject --time $((t0 + 90)) "$EN" 'OP 2011 AD 13 AA2' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$EN'" 4 30 || fail "the corrections are answered"
is "$(answers 2011 OP)" "AA=2 AB=2 AC=1+3 AD=14" "the newest answer by send time counts, whatever order they arrive in"
is "$(q "SELECT count(*) FROM sawt.checklist_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '2011'")" 7 \
	"every answer is kept as history"

# --- Arabic alias and digits, PIN, the Arabic reply
"$SAWT" inject --time "$t0" "$AR" 'استمارة ١٠٢١ AA١ AB٢ AF طابور طويل #1234' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$AR'" 1 30 || fail "the Arabic checklist is answered"
is "$(answers 1021 OP)" "AA=1 AB=2 AF=طابور طويل" "Arabic alias and digits; the text answer is kept without the PIN"
is "$(reply_to "$AR")" "تم 1021 OP: حفظت 3. ناقص: AD." "the Arabic observer is answered in Arabic"

# --- refused: a wrong PIN, a station not one's own, no good answer
"$SAWT" inject --time $((t0 + 1)) "$AR" 'OP 1021 AD5 #9999' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$AR'" 2 30 || fail "the wrong PIN is answered"
is "$(answers 1021 OP)" "AA=1 AB=2 AF=طابور طويل" "a wrong PIN stores nothing"
"$SAWT" inject --time "$t0" "$FR" 'CLOT 2011 BA3 BB1 #5678' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$FR'" 1 30 || fail "the unassigned station is answered"
is "$(answers 2011 CL)" "" "another observer's station stores nothing"
"$SAWT" inject --time $((t0 + 1)) "$FR" 'CLOT 1022 BB7 #5678' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$FR'" 2 30 || fail "no good answer is answered"
is "$(reply_to "$FR")" "Rien enregistré pour 1022 CL: aucune réponse valide. Erronées: BB. Manquent: BA BB." \
	"no good answer: nothing saved, in French"
is "$(q "SELECT state || ' ' || error_code FROM sawt.inbound_messages WHERE text LIKE 'CLOT 1022%'")" "processed missing_field" \
	"the message is recorded, rejected"

# --- a redelivered copy is stored once
"$SAWT" inject --time $((t0 + 2)) "$FR" 'CLOT 1022 BA3 BB1 #5678' >/dev/null
wait_sql "SELECT count(*) FROM sawt.checklist_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '1022'" 2 30 \
	&& pass "a French checklist by alias is stored" || fail "a French checklist by alias is stored"
"$SAWT" inject --time $((t0 + 2)) "$FR" 'CLOT 1022 BA3 BB1 #5678' >/dev/null
# a message after it, for the same station: once it is stored, so is the copy
"$SAWT" inject --time $((t0 + 3)) "$FR" 'CLOT 1022 BA4 #5678' >/dev/null
wait_sql "SELECT value FROM sawt.checklist_current_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '1022' AND question = 'BA'" 4 30 \
	|| fail "the message after the copy is stored"
is "$(q "SELECT count(*) FROM sawt.inbound_messages WHERE text = 'CLOT 1022 BA3 BB1 #5678'")" 1 "the copy is one message"
is "$(q "SELECT count(*) FROM sawt.checklist_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '1022'")" 3 \
	"the same message again stores nothing twice"

# --- HELP CODE lists the form's codes; HELP alone is v1's
"$SAWT" inject --time $((t0 + 4)) "$EN" 'HELP OP' >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$EN' AND body LIKE 'OP station%'" 1 30 || fail "HELP OP is answered"
is "$(reply_to "$EN")" "OP station + AA 1/2, AB 1/2, AC 1-3 (several), AD 0-50, AE 1-3, AF text. 1=yes 2=no" \
	"HELP OP lists the form's codes"

# --- v1 reports are untouched
"$SAWT" inject --time $((t0 + 3)) "$EN" 'T 2011 V300 W120' >/dev/null
wait_sql "SELECT count(*) FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '2011' AND voters = 300" 1 30 \
	&& pass "a v1 report is stored as before" || fail "a v1 report is stored as before"
is "$(q "SELECT count(*) FROM sawt.reports WHERE form = 'open'")" 0 "checklists make no v1 report"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
