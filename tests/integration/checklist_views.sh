#!/bin/sh
# The analysts' checklist views on a synthetic election with known answer
# shares: analytics.checklist_summary per question and option at every
# level (election, region, district), exact counts, shares, means; the
# current answer by send time; analytics.checklist_answers pseudonymised,
# text masked; both readable by sawt_analyst.  With the problem answers and
# logic checks of checks.csv: analytics.checklist_problems per area, the
# checks flagged exactly where they hold (analytics.checklist_flags), and
# sawt status naming both.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
"$SAWT" import checklists "$SAWT_TEST_DATA/checklists/checks.csv" >/dev/null || fail "checklists import"
q() { psql -XAtq -c "$1"; }

# answer STATION QUESTION SENT-OFFSET VALUE OPTIONS TEXT: one stored answer
answer() {
	q "INSERT INTO sawt.checklist_answers (dedup_key, question, election_id, form, version,
		station_id, person_id, value, options, text_value, sent_at, received_at)
	   SELECT sha256(convert_to('$1 $2 $3', 'UTF8')), '$2', s.election_id, 'OP', 1, s.id,
		(SELECT person_id FROM sawt.person_stations WHERE station_id = s.id LIMIT 1),
		$4, $5, $6, timestamptz '2026-06-01 08:00Z' + interval '$3 minutes', now()
	   FROM sawt.stations s WHERE s.code = '$1'"
}
# AB (yes/no): yes at 1021 1031 2011 3011 4021, no at 1022 2021; 3011 first
# said no, then yes (sent later, stored first: the order of arrival does
# not matter); 3021 and 4011 did not report.
answer 3011 AB 10 1 NULL NULL
for s in 1021 1031 2011 4021; do answer $s AB 0 1 NULL NULL; done
for s in 1022 2021; do answer $s AB 0 2 NULL NULL; done
answer 3011 AB 5 2 NULL NULL
# AD (integer 0..50): 10, 20, 30 in Beirut, 5 at 2011
answer 1021 AD 0 10 NULL NULL
answer 1022 AD 0 20 NULL NULL
answer 1031 AD 0 30 NULL NULL
answer 2011 AD 0 5 NULL NULL
# AC (multi): options 1 and 3 at 1021, 3 at 1022
answer 1021 AC 0 NULL "'{1,3}'" NULL
answer 1022 AC 0 NULL "'{3}'" NULL
# AF (text) with a phone number and a PIN in it
answer 2011 AF 0 NULL NULL "'call +961 70 123 456 #1234 now'"

row() { # AREA QUESTION OPTION -> the summary's figures
	q "SELECT stations_total || ' ' || stations_reported || ' ' || stations_missing || ' ' ||
		answered || ' ' || COALESCE(count::text, '-') || ' ' || COALESCE(share::text, '-')
	   FROM analytics.checklist_summary WHERE area = '$1' AND question = '$2'
	   AND option IS NOT DISTINCT FROM $3"
}
E=default
is "$(row $E AB 1)" "9 7 2 7 5 71.4" "election: 7 of 9 stations reported; 5 of 7 said yes"
is "$(row $E AB 2)" "9 7 2 7 2 28.6" "election: 2 of 7 said no"
is "$(row بيروت AB 1)" "3 3 0 3 2 66.7" "region Beirut: 2 of 3 yes"
is "$(row الأشرفية AB 2)" "2 2 0 2 1 50.0" "district Achrafieh: 1 of 2 no"
is "$(row الشمال AB 1)" "2 1 1 1 1 100.0" "region North: the newest answer by send time counts"
is "$(row الجنوب AB 1)" "2 1 1 1 1 100.0" "region South: one reported, one missing"
is "$(row $E AC 1) | $(row $E AC 2) | $(row $E AC 3)" \
	"9 7 2 2 1 50.0 | 9 7 2 2 0 0.0 | 9 7 2 2 2 100.0" "multi: each option counted per station that chose it"
is "$(row $E AE 1)" "9 7 2 0 0 -" "a question nobody answered: no share"
is "$(q "SELECT mean || ' ' || min || ' ' || max || ' ' || answered FROM analytics.checklist_summary WHERE area = '$E' AND question = 'AD'")" \
	"16.25 5 30 4" "integer: mean, min and max over the election"
is "$(q "SELECT mean || ' ' || min || ' ' || max FROM analytics.checklist_summary WHERE area = 'بيروت' AND question = 'AD'")" \
	"20.00 10 30" "integer: over a region"
is "$(q "SELECT label_en || '/' || label_fr FROM analytics.checklist_summary WHERE area = '$E' AND question = 'AC' AND option = 2")" \
	"Party B/Parti B" "options carry their labels"
is "$(q "SELECT count(DISTINCT level) FROM analytics.checklist_summary")" 3 "rows for the election, regions and districts"

is "$(q "SELECT value FROM analytics.checklist_answers WHERE station = '3011' AND question = 'AB'")" 1 \
	"checklist_answers: the current answer"
is "$(q "SELECT text_value FROM analytics.checklist_answers WHERE question = 'AF'")" "call [number] #[pin] now" \
	"text answers are masked"
is "$(q "SELECT observer = (SELECT pseudonym FROM sawt.people p JOIN sawt.person_stations ps ON ps.person_id = p.id
	 JOIN sawt.stations s ON s.id = ps.station_id WHERE s.code = '2011') FROM analytics.checklist_answers WHERE question = 'AF'")" t \
	"the observer is their pseudonym"
is "$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'analytics'
	 AND table_name LIKE 'checklist%' AND column_name ~ '(phone|name|pin)'")" 0 "no phone, name or PIN column"
is "$(psql -XAtq -c "SET ROLE sawt_analyst; SELECT count(*) FROM analytics.checklist_answers; SELECT count(*) > 0 FROM analytics.checklist_summary" | tr '\n' ' ')" \
	"14 t " "the analyst role reads both (14 current answers: 7 AB, 4 AD, 2 AC, 1 AF)"
# the district example of docs/analysts.md
is "$(q "SELECT string_agg(area || ' ' || stations_reported || ' ' || stations_missing || ' ' || count || ' ' || share, ', ' ORDER BY share DESC, area)
	 FROM analytics.checklist_summary WHERE form = 'OP' AND question = 'AB' AND option = 2 AND level = 'district' AND share IS NOT NULL")" \
	"المتن 1 0 1 100.0, الأشرفية 2 0 1 50.0, المركز 1 0 0 0.0, المزرعة 1 0 0 0.0, بعبدا 1 0 0 0.0, طرابلس 1 0 0 0.0" \
	"the share of stations without sealed boxes by district"
# problem answers (AB: "no" is a problem) per area
prob() { q "SELECT answered || ' ' || problems || ' ' || COALESCE(share::text, '-') FROM analytics.checklist_problems
	WHERE area = '$1' AND question = '$2'"; }
is "$(prob $E AB)" "7 2 28.6" "checklist_problems: 2 of 7 stations answered a problem to AB"
is "$(prob الأشرفية AB)" "2 1 50.0" "checklist_problems: per district"
is "$(prob $E AE)" "0 0 -" "a problem question nobody answered: no share"
is "$(q "SELECT string_agg(question || ':' || array_to_string(problem_answers, ''), ' ' ORDER BY question)
	 FROM analytics.checklist_problems WHERE area = '$E' AND form = 'OP'")" "AA:2 AB:2 AE:23" \
	"only the questions with problem answers, and which"
# logic checks: unsealed (AB = 2) holds at 1022 and 2021, not at 3011
# (its newest AB is 1); no_party_a (AC != 1) at 1022, not at 1021 (chose
# 1), unknown (so not holding) where AC is unanswered
flags() { q "SELECT string_agg(station, ' ' ORDER BY station) FROM analytics.checklist_flags
	WHERE check_code = '$1' AND holds"; }
is "$(flags unsealed)" "1022 2021" "the unsealed check holds exactly where AB is 2"
is "$(flags no_party_a)" "1022" "a multiple-choice check: option 1 not chosen"
is "$(flags late_and_tense)" "" "a check over unanswered questions does not hold"
is "$(q "SELECT holds FROM analytics.checklist_flags WHERE station = '3011' AND check_code = 'unsealed'")" f \
	"an earlier answer arriving later does not flag the station"
is "$(q "SELECT string_agg(s.code || ' ' || a.severity || ' ' || a.message, '; ' ORDER BY s.code, a.message)
	 FROM sawt.alerts a JOIN sawt.stations s ON s.id = a.station_id WHERE a.kind = 'checklist_check'")" \
	"1022 info OP no_party_a: AC != 1; 1022 critical OP unsealed: AB = 2; 2021 critical OP unsealed: AB = 2" \
	"one checklist_check alert per check that started to hold, with its severity"
is "$(psql -XAtq -c "SET ROLE sawt_analyst; SELECT count(*) FROM analytics.checklist_flags WHERE holds; SELECT count(*) > 0 FROM analytics.checklist_problems" | tr '\n' ' ')" \
	"3 t " "the analyst role reads the flags and the problems"
# the page's copy of the current answers (sawt.checklist_latest, kept by a
# trigger) is the view's, out-of-order arrival included
is "$(q "SELECT count(*) FROM (
	(SELECT station_id, form, question, value, options, sent_at FROM sawt.checklist_current_answers
	 EXCEPT SELECT station_id, form, question, value, options, sent_at FROM sawt.checklist_latest)
	UNION ALL
	(SELECT station_id, form, question, value, options, sent_at FROM sawt.checklist_latest
	 EXCEPT SELECT station_id, form, question, value, options, sent_at FROM sawt.checklist_current_answers)) d")" 0 \
	"sawt.checklist_latest holds exactly the current answers"

# the examples of docs/analysts.md
is "$(q "SELECT form, question, label_en, problems, answered, share FROM analytics.checklist_problems
	 WHERE level = 'election' AND problems > 0 ORDER BY share DESC")" "OP|AB|Were the boxes shown empty and sealed?|2|7|28.6" \
	"the problems most often reported"
is "$(q "SELECT district, check_code, label_en, count(*) AS stations FROM analytics.checklist_flags
	 WHERE holds AND severity = 'critical' GROUP BY district, check_code, label_en ORDER BY stations DESC, district")" \
	"الأشرفية|unsealed|Boxes not sealed|1
المتن|unsealed|Boxes not sealed|1" "stations flagged by a critical check, by district"
# sawt status: each form's coverage, its most frequent problems, its checks holding
st=$("$SAWT" status 2>&1)
is "$(printf '%s\n' "$st" | sed -n '/^Checklists/,/^ *checks holding/p')" 'Checklists (stations reporting / all)
  CL v1: 0/9
  OP v1: 7/9; most problems: AB 2/7 (28.6%)
    checks holding: unsealed 2, no_party_a 1' "sawt status shows the forms' coverage, the most frequent problems and the checks holding"
done_testing
