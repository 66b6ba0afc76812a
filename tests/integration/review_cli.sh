#!/bin/sh
# sawt review (issue 19, docs/review.md): the queue by area and state,
# oldest first; a report shown with its history and the station's other
# reports; verify / quarantine / reject / reopen / correct with a reason,
# each recorded (who, how, why, the previous state) with the tally and the
# analytics views following; clear errors for what cannot be done; no
# phone number printed; the queue in sawt status.
#
# Fixtures (tests/data/import): Leila +9613123456, PIN 1234, station 1021
# (بيروت / الأشرفية); Sam +96176123456, station 2011 (جبل لبنان / بعبدا).
. "$(dirname "$0")/tap.sh"

LEILA=+9613123456
SAM=+96176123456
LOG="$SAWT_TEST_TMP/sawtd.log"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
start_fixture_sawtd

send() { send_report "$@"; }
tally() {
	q "SELECT t.report_id, t.voters FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id
	   WHERE s.code = '$1' AND t.form = 'turnout'" | tr '|' ' '
}
view_voters() {
	q "SELECT COALESCE(sum(t.voters), 0) FROM sawt.analytics_turnout t
	   JOIN sawt.stations s ON s.id = t.station_id WHERE s.code = '$1'"
}
state() { q "SELECT review_state FROM sawt.reports WHERE id = $1"; }
review() { "$SAWT" -c "$SAWT_CONFIG" review "$@" 2>&1; }

out=$(review list); rc=$?
is "$rc/$out" "0/nothing to review" "an empty queue says so"

r1=$(send "$LEILA" 900 "T 1021 V300 W140 #1234")
r2=$(send "$LEILA" 600 "T 1021 V250 W100 #1234") # lower: flagged
r3=$(send "$SAM" 300 "T 2011 V200 W90")
r4=$(send "$SAM" 200 "T 2011 V150 W60")           # lower: flagged
is "$(state "$r2") $(state "$r4") $(state "$r1")" "needs_review needs_review pending" \
	"the lower turnouts wait for review"

out=$(review list)
is "$(printf '%s\n' "$out" | sed -n '2p;3p' | awk '{print $1}' | tr '\n' ' ')" "$r2 $r4 " \
	"list: the waiting reports, the longest waiting first"
like "$out" "^$r2 +1021 +الأشرفية +turnout +needs_review .*voters 250 women 100" \
	"each with its station, area, form, state and figures"
like "$out" "^2 report\(s\)$" "and a count"
unlike "$out" '\+?961[0-9]{6,}|9613123456|96176123456' "no phone number is printed"
out=$(review list --area "بيروت")
is "$(printf '%s\n' "$out" | sed -n '2,$p' | awk '$2 ~ /^[0-9]+$/ {print $1}' | tr '\n' ' ')" "$r2 " \
	"--area keeps the stations of that region"
out=$(review list --area "جبل لبنان/بعبدا")
is "$(printf '%s\n' "$out" | awk '$2 ~ /^[0-9]+$/ {print $1}' | tr '\n' ' ')" "$r4 " "and takes a Region/District path"
out=$(review list --area "Nowhere"); rc=$?
is "$rc" 1 "an unknown area is an error"
like "$out" '^sawt: area "Nowhere" does not exist$' "that names it"
like "$out" '^hint: ' "with a hint"
out=$(review list --state pending)
is "$(printf '%s\n' "$out" | awk '$2 ~ /^[0-9]+$/ {print $1}' | tr '\n' ' ')" "$r1 $r3 " "--state lists other states"

out=$(review show "$r2")
like "$out" "^report $r2: station 1021 \(بيروت / الأشرفية\), turnout" "show: the report"
like "$out" "state: needs_review \(validation: accepted_flagged\)" "its state and validation"
like "$out" "^  \(no decision yet\)$" "its history, empty so far"
like "$out" "^    $r1 .*voters 300" "the station's other reports"

# decisions: each recorded, the tally and the view following
is "$(tally 1021)" "$r2 250" "the flagged report is current before review"
out=$(review quarantine "$r2" --reason "observer called: she misread" --by Rana); rc=$?
is "$rc/$out" "0/report $r2: quarantined; the totals follow" "quarantine"
is "$(tally 1021)/$(view_voters 1021)" "$r1 300/300" "a quarantined report leaves the tally and the view"
is "$(q "SELECT review_state FROM analytics.message_log WHERE report_id = $r2")" quarantined \
	"analytics.message_log shows the report's review state"
like "$(review show "$r2")" "^  \* $r1 .*voters 300" "show marks the station's report that is current now"
is "$(q "SELECT previous_state, new_state, actor, reason FROM sawt.review_history WHERE report_id = $r2")" \
	"needs_review|quarantined|cli:Rana|observer called: she misread" "recorded: previous state, who, why"
out=$(review quarantine "$r2" --reason "again")
is "$out" "report $r2: already quarantined" "the same decision again changes nothing"
out=$(review verify "$r2" --reason "confirmed by phone" --by Rana)
is "$(state "$r2")/$(tally 1021)" "verified/$r2 250" "verify: counted again"
out=$(review reopen "$r2" --reason "second look" --by Rana)
is "$(state "$r2")" "needs_review" "reopen: back to needs_review"
out=$(review reject "$r2" --reason "wrong station" --by Rana)
is "$(state "$r2")/$(tally 1021)/$(view_voters 1021)" "rejected/$r1 300/300" "reject: out of the totals"
out=$(review show "$r2")
is "$(printf '%s\n' "$out" | grep -c ' by cli:Rana: ')" 4 "show lists the four decisions"
like "$out" "needs_review -> quarantined  by cli:Rana: observer called: she misread" "with their reasons"

out=$(review correct "$r4" --reason "observer read 160 on the sheet" --by Rana voters=160 women=70); rc=$?
c=$(q "SELECT max(id) FROM sawt.reports")
is "$rc/$out" "0/report $r4 corrected: report $c holds the corrected figures, verified; the totals follow" \
	"correct: a new report with the figures"
is "$(q "SELECT correction_of, voters, women, review_state FROM sawt.reports WHERE id = $c")" "$r4|160|70|verified" \
	"linked to the observer's, verified"
is "$(tally 2011)/$(view_voters 2011)" "$c 160/160" "the totals follow the correction"

# errors
out=$(review verify "$r1"); rc=$?
is "$rc" 2 "a decision without --reason is refused"
like "$out" "needs --reason" "saying why"
out=$(review verify 99999999 --reason x); rc=$?
is "$rc" 1 "an unknown report is refused"
like "$out" '^sawt: report "99999999" does not exist in election' "naming it"
out=$(review verify abc --reason x); rc=$?
is "$rc" 2 "a report that is not a number is refused"
out=$(review correct "$r4" --reason x size=3); rc=$?
is "$rc" 2 "an unknown figure is refused"
like "$out" 'invalid figure "size=3"' "naming it"
rej=$(send "$LEILA" 100 "T 9999 V10 #1234") # an unknown station: rejected by validation
out=$(review verify "$rej" --reason x); rc=$?
is "$rc" 1 "a report rejected by validation cannot be reviewed"
like "$out" "was rejected by validation" "the database says why"

# an incident quarantined is still listed, saying so
inc=$(send "$SAM" 40 "I 2011 3 crowd at the door")
out=$(review quarantine "$inc" --reason "duplicate of a call" --by Rana)
is "$(q "SELECT review_state FROM analytics.incidents WHERE incident_id = $inc")" quarantined \
	"analytics.incidents lists a quarantined incident with its review state"

# by SMS: coordinators verify and quarantine stations in their areas
RANA=+9613555666
KARIM=+96181222333
# sms FROM TEXT: inject, wait for the reply to it, print the reply
sms() {
	_n=$(q "SELECT count(*) FROM sawt.inbound_messages")
	"$SAWT" inject "$1" "$2" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.outbox o JOIN sawt.inbound_messages i ON i.id = o.inbound_id
		WHERE i.id > (SELECT id FROM sawt.inbound_messages ORDER BY id OFFSET $((_n - 1)) LIMIT 1)" 1 60 >&2
	q "SELECT o.body FROM sawt.outbox o WHERE o.inbound_id = (SELECT max(id) FROM sawt.inbound_messages)"
}
r8=$(send "$LEILA" 30 "T 1021 V280 W130 #1234") # lower than 300: needs review
is "$(state "$r8")" needs_review "a lower turnout waits for review"
is "$(sms "$KARIM" "VERIFY 1021")" "القلم 1021 ليس في مناطقك" \
	"VERIFY of a station outside the coordinator's areas is refused (in Karim's Arabic)"
is "$(state "$r8")" needs_review "and changes nothing"
is "$(sms "$RANA" "VERIFY 1021")" \
	"Station 1021: the reports waiting for review are verified and counted. Thank you." \
	"VERIFY by the coordinator of its region verifies it"
is "$(state "$r8")/$(tally 1021)" "verified/$r8 280" "the totals follow"
is "$(q "SELECT actor, by_person IS NOT NULL FROM sawt.review_history WHERE report_id = $r8")" "sms|t" \
	"recorded as an SMS decision, with the coordinator"
is "$(sms "$RANA" "VERIFY 1021 once more")" "Station 1021: no report to review." "nothing left to verify says so"
is "$(sms "$RANA" "QUAR 1021")" "Give a reason: QUAR 1021 reason" "QUAR without a reason asks for one"
is "$(state "$r8")" verified "and changes nothing"
out=$(sms "$RANA" "حجر ١٠٢١ ارقام خاطئة")
like "$out" "^Station 1021: its latest report is quarantined" \
	"QUAR in Arabic quarantines the newest counted report (answered in Rana's English)"
is "$(state "$r8")/$(q "SELECT reason FROM sawt.review_history WHERE report_id = $r8 ORDER BY id DESC LIMIT 1")" \
	"quarantined/ارقام خاطئة" "with the reason given"
is "$(tally 1021)" "$r1 300" "and the totals follow"
is "$(sms "$SAM" "VERIFY 2011")" "STATUS, ACK, VERIFY and QUAR are for coordinators only." \
	"an observer's VERIFY is refused"
unlike "$(q "SELECT string_agg(body, ' ') FROM sawt.outbox")" '\+961|9613555666' "no reply holds a phone number"

# the queue in sawt status
r5=$(send "$LEILA" 50 "T 1021 V200 W80 #1234")
out=$("$SAWT" -c "$SAWT_CONFIG" status 2>&1)
like "$out" "^Review queue" "sawt status has the review queue"
like "$out" "^  بيروت +1 +1 " "by region: needs_review, quarantined"

kill -TERM "$pid"
wait "$pid"
no_errors "$LOG" "no error in sawtd's log"

# [quarantine] in the configuration: written at start, again on SIGHUP
CONF="$SAWT_TEST_TMP/quarantine.conf"
{ cat "$SAWT_CONFIG"; printf '\n[quarantine]\nturnout_over_registered = -10\nunbound_sender = no\n'; } >"$CONF"
"$SAWTD" -c "$CONF" --check >/dev/null 2>&1 && pass "a [quarantine] section passes --check" ||
	fail "a [quarantine] section passes --check"
: >"$LOG"
"$SAWTD" -c "$CONF" >>"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "quarantine rules: " 60 && pass "sawtd applies [quarantine] at start" ||
	fail "sawtd applies [quarantine] at start"
is "$(q "SELECT string_agg(rule || ' ' || tolerance::float8, ',' ORDER BY rule) FROM sawt.quarantine_rules")" \
	"turnout_over_registered -0.1" "the rules it turns on are in the table, and only those"
r6=$(send "$SAM" 20 "T 2011 V600 W300")
is "$(state "$r6")/$(q "SELECT quarantine_rule FROM sawt.reports WHERE id = $r6")" \
	"quarantined/turnout_over_registered" "600 of 650 registered (92 %) is above 90 %: quarantined by the rule"
{ cat "$SAWT_CONFIG"; printf '\n[quarantine]\nturnout_over_registered = off\nresults_sum = 2\n'; } >"$CONF"
kill -HUP "$pid"
wait_for "$LOG" "quarantine rules: " 30 2 && pass "SIGHUP applies it again" || fail "SIGHUP applies it again"
is "$(q "SELECT string_agg(rule || ' ' || tolerance::float8, ',' ORDER BY rule) FROM sawt.quarantine_rules")" \
	"results_sum 0.02" "a rule turned off leaves the table"
r7=$(send "$SAM" 10 "T 2011 V610 W300")
is "$(state "$r7")" "pending" "and the same turnout now counts"
{ cat "$SAWT_CONFIG"; printf '\n[quarantine]\nresults_sum = -3\n'; } >"$SAWT_TEST_TMP/bad.conf"
out=$("$SAWTD" -c "$SAWT_TEST_TMP/bad.conf" --check 2>&1); rc=$?
is "$rc" 1 "a negative results_sum tolerance is refused"
like "$out" 'results_sum.*off, or a whole percentage from 0 to 100' "saying what is expected"
kill -TERM "$pid"
wait "$pid"
no_errors "$LOG" "no error in sawtd's log with [quarantine]"
done_testing
