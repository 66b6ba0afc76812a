#!/bin/sh
# The page's checklists panel (GET /api/checklists, docs/web.md): refused
# without a session; for the whole election and for an area its figures
# equal analytics.checklist_summary, checklist_problems and
# checklist_flags for the same area; a coordinator cannot read another
# area; text answers are counted, never shown; the CSV holds its rows.
. "$(dirname "$0")/tap.sh"

RANA=+9613555666 LINA=+96170999888
. "$(dirname "$0")/web_lib.sh"

web_fixtures
"$SAWT" import checklists "$SAWT_TEST_DATA/checklists/checks.csv" >/dev/null || fail "checklists import"

# answer STATION QUESTION VALUE OPTIONS TEXT: one stored answer to OP
answer() {
	q "INSERT INTO sawt.checklist_answers (dedup_key, question, election_id, form, version,
		station_id, value, options, text_value, sent_at, received_at)
	   SELECT sha256(convert_to('$1 $2', 'UTF8')), '$2', s.election_id, 'OP', 1, s.id,
		$3, $4, $5, now(), now()
	   FROM sawt.stations s WHERE s.code = '$1'"
}
# AB yes at 1021 2011 3011, no at 1022 2021; AD 10 20 5; AC {1,3} {3};
# AE 2 (a problem) at 1021; AF a text with a phone number
for s in 1021 2011 3011; do answer $s AB 1 NULL NULL; done
for s in 1022 2021; do answer $s AB 2 NULL NULL; done
answer 1021 AD 10 NULL NULL
answer 1022 AD 20 NULL NULL
answer 2011 AD 5 NULL NULL
answer 1021 AC NULL "'{1,3}'" NULL
answer 1022 AC NULL "'{3}'" NULL
answer 1021 AE 2 NULL NULL
answer 2011 AF NULL NULL "'call +961 70 123 456'"

web_start
is "$(get /api/checklists)" 401 "GET /api/checklists without a session: 401"
is "$(get "/api/checklists?format=csv")" 401 "nor its CSV"
lina=$(sign_in "$LINA")
rana=$(sign_in "$RANA")

# panel AREA-ID TOKEN: the answer's figures, one line a question/option,
# as "form q option | total reported answered count share mean min max"
panel() {
	get "/api/checklists${1:+?area=$1}" "$2" >/dev/null
	/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1])):
    if f['code'] != 'OP': continue
    for x in f['questions']:
        opts = x['options'] or [None]
        for o in opts:
            c = (o['count'], o['share']) if o else (None, None)
            m = ('%.2f' % x['mean'] if x['mean'] is not None else None, x['min'], x['max']) if x['type'] == 'integer' else (None, None, None)
            vals = [f['stations_total'], f['stations_reported'], x['answered'], c[0], c[1], *m]
            print(x['code'], o['option'] if o else '-', '|', ' '.join('-' if v is None else str(v) for v in vals))
PY
}
# view AREA: the same figures from analytics.checklist_summary
view() {
	q "SELECT question || ' ' || COALESCE(option::text, '-') || ' | ' || stations_total || ' ' ||
		stations_reported || ' ' || answered || ' ' || COALESCE(count::text, '-') || ' ' ||
		COALESCE(share::text, '-') || ' ' || COALESCE(mean::text, '-') || ' ' ||
		COALESCE(min::text, '-') || ' ' || COALESCE(max::text, '-')
	   FROM analytics.checklist_summary WHERE form = 'OP' AND area = '$1'
	   ORDER BY question, option"
}
is "$(panel "" "$lina" | sort)" "$(view default | sort)" "national: the panel equals analytics.checklist_summary for the election"
beirut=$(area_id بيروت)
is "$(panel "$beirut" "$lina" | sort)" "$(view بيروت | sort)" "an area: the panel equals the view for بيروت"
is "$(panel "" "$rana" | sed -n 's/^AB 2 | \([0-9]*\) .*/\1/p')" 5 "Rana's own scope: her five stations (بيروت and جبل لبنان)"
get /api/checklists "$lina" >/dev/null
is "$(field "[(q['code'], q['problems']) for f in j if f['code'] == 'OP' for q in f['questions'] if q['problems'] is not None]")" \
	"[('AA', 0), ('AB', 2), ('AE', 1)]" "problem answers per question, as analytics.checklist_problems counts them"
is "$(q "SELECT string_agg(question || ' ' || problems, ' ' ORDER BY question) FROM analytics.checklist_problems WHERE area = 'default' AND form = 'OP'")" \
	"AA 0 AB 2 AE 1" "(the view)"
is "$(field "[(c['name'], c['stations']) for f in j if f['code'] == 'OP' for c in f['checks']]")" \
	"$(q "SELECT '[' || string_agg('(''' || c.name || ''', ' || (SELECT count(*) FROM analytics.checklist_flags fl WHERE fl.check_code = c.name AND fl.holds) || ')', ', ' ORDER BY c.position) || ']'
	     FROM sawt.checklist_checks c JOIN sawt.checklist_forms f ON f.id = c.form_id AND c.version = f.current_version WHERE f.code = 'OP'")" \
	"the checks holding, as analytics.checklist_flags lists them"
is "$(field "[q['answered'] for f in j for q in f['questions'] if q['code'] == 'AF']")" "[1]" "a text answer is counted"
unlike "$(cat "$OUT")" 'call|123 456' "and never shown"
south=$(area_id الجنوب)
is "$(get "/api/checklists?area=$south" "$rana")" 403 "another's area: 403"
is "$(get "/api/checklists?area=$south&format=csv" "$rana")" 403 "its CSV too"
is "$(get "/api/checklists?format=csv" "$rana")" 200 "the CSV of the panel"
like "$(head -n 1 "$OUT")" 'code,version,title_ar,title_en,title_fr,stations_total,stations_reported,checks,questions\.code' \
	"a line per form and question (the checks as JSON)"
unlike "$(cat "$ALL")" '\+961' "no answer holds a phone number"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
