#!/bin/sh
# Checklists' logic checks and time windows through sawtd, the dummy phone
# and the alerts module: a check that starts to hold flags the station and
# alerts its coordinator (checklist_check); a correction clears the flag, an
# older answer arriving later does not; holding again raises a new alert; a
# check over the station's turnout is evaluated again when the turnout
# comes or changes; a checklist sent outside its form's window is recorded,
# rejected and answered with the hours; a form imported while sawtd runs
# is taken at once.
. "$(dirname "$0")/tap.sh"

cat >>"$SAWT_CONFIG" <<'CONF'

[alerts]
tick_seconds = 1
CONF
import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
"$SAWT" import checklists "$SAWT_TEST_DATA/checklists/checks.csv" >/dev/null || fail "checklists import"
LOG="$SAWT_TEST_TMP/sawtd.log"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "registry loaded" 60
wait_for "$LOG" "dispatching the alerts of this election" 60 &&
	pass "the node dispatches the alerts" || fail "the node dispatches the alerts"

q() { psql -XAtc "$1"; }
EN=+96176123456   # Sam Khoury, English, station 2011 (جبل لبنان/بعبدا), no PIN
FR=+96171123456   # Jean Dupont, French, stations 1022 and 1031, PIN 5678
RANA=+9613555666  # coordinator of بيروت and جبل لبنان, English
t0=$(recent_utc 06:30 09:30)   # inside OP's window, 06:00-10:00 UTC
out=$(recent_utc 11:30 14:30)  # outside it
n_in=0
# say FROM TIME TEXT: inject, and wait until it is decided and the alerts
# module has looked at what it stored
say() {
	n_in=$((n_in + 1))
	"$SAWT" inject --time "$2" "$1" "$3" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE state <> 'received'" $n_in 60 >&2 ||
		fail "message $n_in is decided"
	wait_sql "SELECT count(*) FROM sawt.alerts WHERE state = 'new'" 0 60 >&2 ||
		fail "the alerts of message $n_in are dispatched"
}
flag() { q "SELECT holds FROM sawt.checklist_flags f JOIN sawt.stations s ON s.id = f.station_id
	WHERE s.code = '$1' AND f.check_name = '$2'"; }
alerts() { q "SELECT count(*) FROM sawt.alerts a JOIN sawt.stations s ON s.id = a.station_id
	WHERE a.kind = 'checklist_check' AND s.code = '$1' AND a.subject LIKE 'checklist_check:$1:%:$2'"; }

# --- a check that starts to hold: flagged, and the coordinator alerted
say "$EN" "$t0" 'OP 2011 AA1 AB2 AD5'
is "$(flag 2011 unsealed)" t "AB = 2 flags the checklist of 2011"
is "$(flag 2011 late_and_tense)" f "AA = 2 AND ... is false when AA is 1"
is "$(flag 2011 no_party_a)" f "a check over an unanswered question does not hold"
is "$(q "SELECT severity || ' ' || state || ' ' || subject FROM sawt.alerts WHERE kind = 'checklist_check'")" \
	"critical open checklist_check:2011:OP:unsealed" "a critical checklist_check alert is open"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$RANA' AND kind = 'alert'" 1 30 ||
	fail "the coordinator's alert is queued"
like "$(q "SELECT body FROM sawt.outbox WHERE recipient = '$RANA' AND kind = 'alert'")" \
	'^Alert [0-9]+: checklist at 2011 fails check OP unsealed: AB = 2\. ACK [0-9]+$' \
	"the coordinator of the station's region is alerted in English"

# --- a correction clears the flag; an older answer arriving later does not
# bring it back; holding again is a new alert
say "$EN" $((t0 + 60)) 'OP 2011 AB1'
is "$(flag 2011 unsealed)" f "a correction (AB1) clears the flag"
say "$EN" $((t0 + 30)) 'OP 2011 AB2'
is "$(flag 2011 unsealed)" f "an answer sent earlier but arriving later changes nothing"
is "$(alerts 2011 unsealed)" 1 "and raises nothing"
say "$EN" $((t0 + 120)) 'OP 2011 AB2 AA2 AE3'
is "$(flag 2011 unsealed) $(flag 2011 late_and_tense)" "t t" "a newer AB2 flags it again, and late_and_tense now holds"
is "$(alerts 2011 unsealed) $(alerts 2011 late_and_tense)" "2 1" "each check that starts to hold raises its alert"

# --- a check over the turnout: BA > 50 OR BA > VOTERS (CL has no window)
say "$FR" "$t0" 'CLOT 1022 BA10 BB1 #5678'
is "$(flag 1022 many_turned_away)" f "BA 10, no turnout yet: unknown, not holding"
say "$FR" $((t0 + 10)) 'T 1022 V8 W3 #5678'
is "$(flag 1022 many_turned_away)" t "the turnout arrives (8 voters): 10 turned away > 8 voters holds"
is "$(alerts 1022 many_turned_away)" 1 "and alerts"
say "$FR" $((t0 + 20)) 'T 1022 V100 W40 #5678'
is "$(flag 1022 many_turned_away)" f "a later turnout of 100 clears it"
say "$FR" $((t0 + 15)) 'T 1022 V9 W3 #5678'
is "$(flag 1022 many_turned_away)" f "a turnout sent before the current one does not bring it back"

# --- outside the form's window
say "$EN" "$out" 'OP 2011 AA1 AB1'
is "$(q "SELECT state || ' ' || error_code FROM sawt.inbound_messages WHERE smsc_time = to_timestamp($out)")" \
	"processed outside_window" "a checklist sent outside 06:00-10:00 is recorded, rejected"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$EN' AND body LIKE 'Nothing saved%'" 1 30 ||
	fail "the outside-window checklist is answered"
is "$(q "SELECT body FROM sawt.outbox WHERE recipient = '$EN' ORDER BY id DESC LIMIT 1")" \
	"Nothing saved for 2011 OP: this checklist is sent 06:00-10:00 only." "the observer is told the hours"
is "$(flag 2011 unsealed)" t "its answers are not stored"
say "$FR" "$out" 'CLOT 1031 BB2 #5678'
is "$(q "SELECT value FROM sawt.checklist_current_answers a JOIN sawt.stations s ON s.id = a.station_id
	 WHERE s.code = '1031' AND a.question = 'BB'")" 2 "a form without a window takes any hour"

# --- definitions imported while sawtd runs are taken at once
n_loads=$(grep -c 'registry loaded' "$LOG")
printf '%s\n' "form,kind,code,type,required,en" "VT,form,,,,Voting" "VT,question,VA,yesno,yes,Queue orderly?" \
	>"$SAWT_TEST_TMP/vt.csv"
"$SAWT" import checklists "$SAWT_TEST_TMP/vt.csv" >/dev/null || fail "a new form imports"
i=0
while [ "$(grep -c 'registry loaded' "$LOG")" -le "$n_loads" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
say "$EN" "$t0" 'VT 2011 VA1'
is "$(q "SELECT value FROM sawt.checklist_current_answers a JOIN sawt.stations s ON s.id = a.station_id
	 WHERE s.code = '2011' AND a.form = 'VT'")" 1 "a form imported while sawtd runs is read at once"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
