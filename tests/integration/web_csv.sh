#!/bin/sh
# The page's CSV downloads (docs/web.md): every panel's answer with
# ?format=csv holds exactly the rows of its JSON (checked against an
# independent flattening in Python), refuses without a session, keeps the
# coordinator's scope whatever the parameters, holds no phone number, and
# defuses spreadsheet formulas in observers' texts.
. "$(dirname "$0")/tap.sh"

RANA=+9613555666 LINA=+96170999888 SAM=+96176123456 MOHAMMAD=+9613987654
. "$(dirname "$0")/web_lib.sh"
JSON="$SAWT_TEST_TMP/answer.json"

web_fixtures
web_start

send_report "$SAM" 600 'T 2011 V300 W120' >/dev/null
send_report "$SAM" 500 'O 2011 0705' >/dev/null
send_report "$MOHAMMAD" 400 'T 4011 V400 W150 #9753' >/dev/null
send_report "$SAM" 300 'I 2011 3 money "quoted", with comma' >/dev/null
q "UPDATE sawt.stations SET name = '=HYPERLINK(\"http://x\")' WHERE code = '2011'"
send_report "$SAM" 200 'R 2011 MUN 120 100 30 5 2' >/dev/null
# what the comparisons read must stand still: replies and alerts sent
wait_sql "SELECT count(*) FROM sawt.alerts WHERE state = 'new'" 0 60 || fail "the alerts are dispatched"
lina=$(sign_in "$LINA")
rana=$(sign_in "$RANA")
like "$lina$rana" '^[0-9a-f]{128}$' "two coordinators sign in"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE state IN ('queued', 'sending')" 0 60 || fail "the outbox drains"
south=$(area_id الجنوب)
baabda=$(area_id بعبدا)

# same PATH TOKEN ROWS: the CSV of PATH holds the rows of its JSON
same() {
	get "$1" "$2" >/dev/null
	cp "$OUT" "$JSON"
	case $1 in *\?*) sep='&' ;; *) sep='?' ;; esac
	st=$(get "$1${sep}format=csv" "$2")
	/usr/bin/python3 - "$JSON" "$OUT" "$3" "$st" <<'PY'
import csv, io, json, sys
answer, got, member, status = json.load(open(sys.argv[1])), open(sys.argv[2], 'rb').read(), sys.argv[3], sys.argv[4]
def text(v):
    if v is None: return ''
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, str): return "'" + v if v[:1] in ('=', '+', '-', '@', '\t', '\r') else v
    if isinstance(v, (int, float)): return json.dumps(v)
    return json.dumps(v, separators=(',', ':'), ensure_ascii=False)
top, rows = {}, answer
if isinstance(answer, dict):
    top = {k: v for k, v in answer.items() if not isinstance(v, (list, dict))}
    rows = answer[member]
lines = []
for r in rows:
    nk = next((k for k, v in r.items() if isinstance(v, list) and v and isinstance(v[0], dict)), None)
    if nk is None:
        nk = next((k for k, v in r.items() if isinstance(v, list) and not v), None)
    subs = r.get(nk) or [None] if nk else [None]
    for s in subs:
        d = dict(top)
        d.update({k: v for k, v in r.items() if k != nk})
        if s: d.update({nk + '.' + k: v for k, v in s.items()})
        lines.append(d)
cols = []
for d in lines:
    cols += [k for k in d if k not in cols]
want = [cols] + [[text(d.get(c)) for c in cols] for d in lines]
if status != '200' or not got.startswith(b'\xef\xbb\xbf'):
    print('status %s, starts %r' % (status, got[:8])); sys.exit(0)
have = list(csv.reader(io.StringIO(got.decode('utf-8-sig'), newline='')))
# times that move between the two requests: the answer's, a modem's poll
for c in ('at', 'last_seen_at'):
    if have and c in have[0] and c in cols:
        i = have[0].index(c); have = [r[:i] + r[i + 1:] for r in have]
        j = want[0].index(c); want = [r[:j] + r[j + 1:] for r in want]
if len(want) == 1 and not cols: want = [[]]
if have != want:
    print('want %r\nhave %r' % (want[:4], have[:4])); sys.exit(0)
print('%d rows' % (len(have) - 1))
PY
}
for p in /api/areas "/api/areas?area=$south" /api/incidents /api/alerts /api/results /api/timeline \
	"/api/stations?area=$baabda"; do
	member=""
	case $p in /api/timeline*) member=points ;; esac
	like "$(same "$p" "$lina" "$member")" '^[0-9]+ rows$' "national: the CSV of $p holds its JSON's rows"
done
like "$(same /api/ops "$lina" modems)" '^[0-9]+ rows$' "the operations panel's CSV: its modems"
like "$(same /api/areas "$rana" "")" '^2 rows$' "a coordinator's CSV of areas: her two regions"
like "$(same /api/results "$lina" "")" '^[1-9][0-9]* rows$' "results: a line per candidate"
is "$(same /api/incidents "$lina" "")" "1 rows" "the incident is there"

# the CSV against the analysts' view itself: each region's turnout figures
get "/api/areas?format=csv" "$lina" >/dev/null
is "$(/usr/bin/python3 -c '
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(open(sys.argv[1], encoding="utf-8-sig").read(), newline="")))
for r in sorted(rows, key=lambda r: r["name"]):
    print(r["name"], r["stations_total"], r["voters"], r["turnout_pct"] or "-", r["women_share"] or "-")
' "$OUT")" "$(q "SELECT area || ' ' || stations_total || ' ' || COALESCE(voters, 0) || ' ' || COALESCE(turnout_pct::text, '-') || ' ' || COALESCE(women_share::text, '-')
	FROM analytics.area_turnout WHERE level = 'region' ORDER BY area COLLATE \"C\"")" "the areas' CSV equals analytics.area_turnout"

# the results panel against analytics.results: votes, shares, invalid, blank
get /api/results "$lina" >/dev/null
is "$(/usr/bin/python3 -c '
import json, sys
for k in json.load(open(sys.argv[1])):
    for c in k["candidates"]:
        print(k["code"], c["position"], c["votes"], c["share"] if c["share"] is not None else "-")
    print(k["code"], "invalid", k["invalid"], k["stations_counted"], k["stations_total"])
    print(k["code"], "blank", k["blank"])
' "$OUT")" "$(q "SELECT string_agg(l, E'\n' ORDER BY o) FROM (
	SELECT contest_code || ' ' || CASE kind WHEN 'candidate' THEN position || ' ' || votes || ' ' || COALESCE(vote_share::text, '-')
		WHEN 'invalid' THEN 'invalid ' || votes || ' ' || stations_reporting || ' ' || stations_total ELSE 'blank ' || votes END AS l,
		contest_code || CASE kind WHEN 'candidate' THEN lpad(position::text, 3, '0') WHEN 'invalid' THEN 'x' ELSE 'y' END AS o
	FROM analytics.results WHERE stations_total > 0) r")" "the results panel equals analytics.results (votes, shares, invalid, blank, stations)"

# the page's copy of the current results is the analysts' view's, also
# after a correction and a quarantine
send_report "$SAM" 100 'R 2011 MUN 130 90 30 5 2' >/dev/null
"$SAWT" review quarantine "$(q "SELECT max(id) FROM sawt.reports WHERE form = 'results'")" --reason test >/dev/null
is "$(q "SELECT count(*) FROM ((SELECT station_id, ckey, counts, invalid, blank FROM sawt.analytics_results
	 EXCEPT SELECT station_id, contest_id, counts, invalid, blank FROM sawt.web_station_results)
	UNION ALL (SELECT station_id, contest_id, counts, invalid, blank FROM sawt.web_station_results
	 EXCEPT SELECT station_id, ckey, counts, invalid, blank FROM sawt.analytics_results)) d")" 0 \
	"sawt.web_station_results holds exactly the current results, after a correction and a quarantine"

# headers
get "/api/areas?format=csv" "$rana" >/dev/null
like "$(cat "$HEAD")" '^Content-Type: text/csv; charset=utf-8' "Content-Type text/csv"
like "$(cat "$HEAD")" '^Content-Disposition: attachment; filename="sawt-areas\.csv"' "a download named after the panel"
like "$(head -c 3 "$OUT" | od -An -tx1 | tr -d ' \n')" '^efbbbf$' "UTF-8 with a byte order mark"
like "$(head -n 1 "$OUT" | od -c | tr -d ' \n')" '\\r\\n' "lines end with CRLF"

# an observer's text cannot run as a formula
get "/api/incidents?format=csv" "$lina" >/dev/null
like "$(cat "$OUT")" ",\"'=HYPERLINK\\(\"\"http://x\"\"\\)\"," "a name starting with = is defused with a leading '"
like "$(cat "$OUT")" ',"money ""quoted"", with comma",' "the incident's text: quoted, quotes doubled"

# refusals and scope
for p in /api/areas /api/incidents /api/alerts /api/results /api/timeline /api/ops "/api/stations?area=$baabda"; do
	case $p in *\?*) sep='&' ;; *) sep='?' ;; esac
	is "$(get "$p${sep}format=csv")" 401 "CSV of $p without a session: 401"
done
for p in areas incidents alerts results timeline stations; do
	is "$(get "/api/$p?area=$south&format=csv" "$rana")" 403 "CSV of /api/$p of another's area: 403"
done
is "$(get "/api/ops?format=csv" "$rana")" 403 "the operations CSV is for national coordinators"
is "$(get "/api/areas?format=xls" "$rana")" 400 "an unknown format: 400"
is "$(cat "$OUT")" "format must be csv or json" "saying which"
is "$(get "/api/me?format=csv" "$rana")" 400 "/api/me has no CSV"
is "$(get "/api/areas?format=json" "$rana")" 200 "format=json is the JSON"
unlike "$(cat "$ALL")" '\+961|96176123456|9613987654' "no answer, CSV or JSON, holds a phone number"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
