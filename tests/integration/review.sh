#!/bin/sh
# Review states (issue 19, migrations/0019_review.sql): reports sent
# through sawtd and Gammu's dummy phone start pending, or needs_review when
# flagged; every transition through sawt.review_set() is recorded (who,
# why, the previous state) and the station's tally and the analytics views
# follow in the same transaction; a coordinator's correction is a new,
# verified report linked to the observer's; quarantining every report of a
# station empties its tally, and a later report still reaches it.
#
# Fixtures (tests/data/import/people.csv): Leila +9613123456, PIN 1234,
# station 1021 (800 registered); Sam +96176123456, station 2011; Rana
# +9613555666, coordinator.
. "$(dirname "$0")/tap.sh"

LEILA=+9613123456
SAM=+96176123456
LOG="$SAWT_TEST_TMP/sawtd.log"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
start_fixture_sawtd

send() { send_report "$@"; }
RANA_ID=$(q "SELECT id FROM sawt.people WHERE phone = '+9613555666'")
tally() {
	q "SELECT t.report_id, t.voters FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id
	   WHERE s.code = '$1' AND t.form = 'turnout'" | tr '|' ' '
}
view_voters() {
	q "SELECT COALESCE(sum(t.voters), 0) FROM sawt.analytics_turnout t
	   JOIN sawt.stations s ON s.id = t.station_id WHERE s.code = '$1'"
}
state() { q "SELECT review_state FROM sawt.reports WHERE id = $1"; }
review() { q "SELECT sawt.review_set($1, '$2', $RANA_ID, 'cli:test', '$3')"; }

r1=$(send "$LEILA" 600 "T 1021 V100 W40 #1234")
r2=$(send "$LEILA" 300 "T 1021 V200 W90 #1234")
is "$(state "$r1") $(state "$r2")" "pending pending" "unflagged reports start pending"
is "$(tally 1021)" "$r2 200" "the newer report is current"
is "$(view_voters 1021)" "200" "the analytics view shows it"

is "$(review "$r2" quarantined "observer called: misread")" "t" "pending -> quarantined"
is "$(tally 1021)" "$r1 100" "a quarantined report leaves the tally: the previous one is current again"
is "$(view_voters 1021)" "100" "and the analytics view follows"
is "$(q "SELECT count(*) FROM sawt.reports WHERE id = $r2")" "1" "the quarantined report is still stored"
is "$(q "SELECT previous_state, new_state, by_person = $RANA_ID, actor, reason FROM sawt.review_history WHERE report_id = $r2")" \
	"pending|quarantined|t|cli:test|observer called: misread" "the transition is recorded: who, how, previous state, why"

is "$(review "$r2" verified "checked by phone")" "t" "quarantined -> verified"
is "$(tally 1021)" "$r2 200" "a verified report counts again"
is "$(view_voters 1021)" "200" "and the view follows"
is "$(review "$r2" verified "again")" "f" "verifying a verified report changes nothing"
is "$(q "SELECT count(*) FROM sawt.review_history WHERE report_id = $r2")" "2" "and records nothing"

is "$(review "$r2" rejected "wrong station")" "t" "verified -> rejected"
is "$(tally 1021)" "$r1 100" "a rejected report leaves the tally"
is "$(view_voters 1021)" "100" "and the view"
is "$(q "SELECT string_agg(previous_state || '>' || new_state, ' ' ORDER BY id) FROM sawt.review_history WHERE report_id = $r2")" \
	"pending>quarantined quarantined>verified verified>rejected" "the history keeps every transition in order"

# a turnout decrease is flagged: needs_review
r3=$(send "$LEILA" 100 "T 1021 V90 W40 #1234")
is "$(q "SELECT outcome FROM sawt.reports WHERE id = $r3")" "accepted_flagged" "a lower turnout is flagged"
is "$(state "$r3")" "needs_review" "a flagged report starts as needs_review"
is "$(tally 1021)" "$r3 90" "it is current (the pipeline counts it)"
is "$(review "$r3" quarantined "lower than before")" "t" "needs_review -> quarantined"
is "$(tally 1021)" "$r1 100" "back to the last report that counts"

# a coordinator's correction of the observer's first report
c=$(q "SELECT sawt.review_correct($r1, $RANA_ID, 'cli:test', 'observer said 120', 120, 50, NULL, NULL, NULL, NULL, NULL)")
is "$(q "SELECT correction_of = $r1, corrected_by = $RANA_ID, review_state, voters, women FROM sawt.reports WHERE id = $c")" \
	"t|t|verified|120|50" "a correction is a new verified report linked to the observer's, by the coordinator"
is "$(tally 1021)" "$c 120" "the correction is the current figure"
is "$(q "SELECT corrected FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id WHERE s.code = '1021' AND form = 'turnout'")" \
	"t" "the tally is marked corrected"
is "$(view_voters 1021)" "120" "the view shows the correction"
is "$(q "SELECT superseded_by FROM sawt.reports WHERE id = $r1")" "$c" "the observer's report is superseded by it"
is "$(q "SELECT voters FROM sawt.reports WHERE id = $r1")" "100" "and keeps its figures"
is "$(review "$c" rejected "typo")" "t" "a correction can itself be rejected"
is "$(tally 1021)" "$r1 100" "and the observer's report is current again"

# the only report of a station quarantined: an empty tally, then ingest again
s1=$(send "$SAM" 500 "T 2011 V300 W100")
review "$s1" quarantined "sender not at the station" >/dev/null
is "$(tally 2011)" " " "quarantining a station's only report empties its tally"
is "$(view_voters 2011)" "0" "the view has no turnout for it"
s2=$(send "$SAM" 50 "T 2011 V310 W110")
is "$(tally 2011)" "$s2 310" "a later report reaches the emptied tally"
is "$(review "$s1" pending "back to the queue")" "t" "quarantined -> pending"
is "$(tally 2011)" "$s2 310" "an older report counting again does not displace the newer one"
is "$(q "SELECT superseded_by FROM sawt.reports WHERE id = $s1")" "$s2" "it is superseded by the current one"

# incidents: the count follows
i1=$(send "$SAM" 40 "I 2011 1")
n_inc() { q "SELECT reports FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id WHERE s.code = '2011' AND form = 'incident'"; }
before=$(n_inc)
review "$i1" rejected "duplicate call" >/dev/null
is "$(n_inc)" "$((before - 1))" "a rejected incident leaves the station's incident count"

# reports rejected by validation are not reviewable
bad=$(send "$SAM" 30 "T 9999 V1")
like "$(q "SELECT sawt.review_set($bad, 'verified', NULL, 'cli:test', 'x')" 2>&1)" "cannot be reviewed" \
	"a report rejected by validation cannot be verified"
like "$(q "SELECT sawt.review_set($r1, 'bogus', NULL, 'cli:test', 'x')" 2>&1)" "invalid review state" \
	"an unknown state is refused"

# the counts predicate
is "$(q "SELECT sawt.report_counts('accepted', 'pending'), sawt.report_counts('accepted_flagged', 'needs_review'),
	sawt.report_counts('accepted', 'verified'), sawt.report_counts('accepted', 'quarantined'),
	sawt.report_counts('accepted', 'rejected'), sawt.report_counts('rejected', 'pending')")" \
	"t|t|t|f|f|f" "sawt.report_counts: pending, needs_review and verified count"

# analysts see the history pseudonymised
is "$(q "SELECT count(*) FROM analytics.review_history WHERE by_person = (SELECT pseudonym FROM sawt.people WHERE id = $RANA_ID)")" \
	"$(q "SELECT count(*) FROM sawt.review_history WHERE by_person = $RANA_ID")" \
	"analytics.review_history names the coordinator by pseudonym"
is "$(q "SELECT count(*) FROM analytics.review_history WHERE actor LIKE 'cli:%'")" "0" "without the CLI user's name"
is "$(q "SELECT has_table_privilege('sawt_analyst', 'analytics.review_history', 'SELECT')")" "t" "analysts may read it"

# automatic quarantine rules, each at, below and above its tolerance
JEAN=+96171123456
NOOR=+96171123457
EL=$(q "SELECT id FROM sawt.elections LIMIT 1")
q "INSERT INTO sawt.quarantine_rules VALUES ($EL, 'turnout_over_registered', -0.1),
	($EL, 'results_sum', 0.1), ($EL, 'unbound_sender', 0)"
rule() { q "SELECT review_state || ' ' || COALESCE(quarantine_rule, '-') FROM sawt.reports WHERE id = $1"; }
# 1022: 750 registered, the rule's limit 750 x 0.9 = 675
j1=$(send "$JEAN" 290 "T 1022 V600 W300 #5678")
is "$(rule "$j1")" "pending -" "turnout_over_registered: below the limit, counted"
j2=$(send "$JEAN" 280 "T 1022 V675 W300 #5678")
is "$(rule "$j2")" "pending -" "turnout_over_registered: at the limit, counted"
j3=$(send "$JEAN" 270 "T 1022 V676 W300 #5678")
is "$(rule "$j3")" "quarantined turnout_over_registered" "turnout_over_registered: above the limit, quarantined"
is "$(tally 1022)" "$j2 675" "the quarantined report is not in the tally"
is "$(view_voters 1022)" "675" "nor in the analytics view"
is "$(q "SELECT actor || ' ' || previous_state || '>' || new_state FROM sawt.review_history WHERE report_id = $j3")" \
	"rule:turnout_over_registered pending>quarantined" "the rule names itself in the history"
# 2011: current turnout 310, results must add up to 310 +/- 31
res() { q "SELECT t.report_id FROM sawt.tallies t JOIN sawt.stations s ON s.id = t.station_id WHERE s.code = '2011' AND t.form = 'results'"; }
k1=$(send "$SAM" 25 "R 2011 100 100 60 50 5 5")
is "$(rule "$k1")" "pending -" "results_sum: 320 for 310 voters, within 10 %, counted (the sender is bound: unbound_sender passes)"
k2=$(send "$SAM" 20 "R 2011 100 100 80 51 5 5")
is "$(rule "$k2")" "pending -" "results_sum: 341 for 310 voters, at 10 %, counted"
k3=$(send "$SAM" 15 "R 2011 100 100 80 52 5 5")
is "$(rule "$k3")" "quarantined results_sum" "results_sum: 342 for 310 voters, above 10 %, quarantined"
is "$(res)" "$k2" "the results tally keeps the last report that adds up"
# 3021 is in Noor's area, not bound to her
n1=$(send "$NOOR" 10 "T 3021 V100 W50 #2468")
is "$(rule "$n1")" "quarantined unbound_sender" "unbound_sender: a sender covering the station only by area, quarantined"
is "$(tally 3021)" " " "and not counted"
is "$(review "$n1" verified "Noor confirmed by phone")" "t" "a coordinator can verify an automatically quarantined report"
is "$(tally 3021)" "$n1 100" "which then counts"

kill -TERM $pid
wait $pid
done_testing
