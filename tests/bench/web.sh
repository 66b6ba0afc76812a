#!/bin/sh
# web.sh [STATIONS] [REPORTS] - the election-day page under an election
# day's load: STATIONS stations (10000) in 20 regions of 10 districts,
# REPORTS reports (100000: open, turnout rounds, close, results, incidents,
# written straight into the tables), then the time of each API answer
# behind the first screen (median and worst of 20, national and regional
# sessions), and, with headless Chromium, the time from opening the page
# to its tables filled.
#
#   SAWT=build/src/sawt SAWTD=build/src/sawtd tests/pgtmp.sh tests/bench/web.sh
#
# Prints figures; asserts nothing.
set -eu
NS=${1:-10000}
NR=${2:-100000}
W="$SAWT_TEST_TMP/bench"
mkdir -p "$W"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

awk -v n="$NS" 'BEGIN {
	print "code,name,region,district,centre,registered,registered_women,contests" > "'"$W"'/stations.csv"
	for (i = 1; i <= n; i++)
		printf "%d,Station %d,Region %d,District %d-%d,,1000,520,MUN\n", 100000 + i, i, i % 20, i % 20, i % 200 > "'"$W"'/stations.csv"
}'
printf 'contest,contest_name,position,candidate\nMUN,Council,1,A\nMUN,Council,2,B\nMUN,Council,3,C\n' >"$W/contests.csv"
printf 'phone,name,role,language,stations,areas,pin\n+96170000001,National,coordinator,ar,,,\n+96170000002,Regional,coordinator,ar,,Region 7,\n+96170000003,Observer,observer,ar,100001,,\n' >"$W/people.csv"
"$SAWT" migrate >/dev/null
"$SAWT" import contests "$W/contests.csv" >/dev/null
"$SAWT" import stations "$W/stations.csv" >/dev/null
"$SAWT" import people "$W/people.csv" >/dev/null
printf 'code,severity,name_en,name_ar,name_fr\n1,serious,Late,تأخر,Retard\n' >"$W/codes.csv"
"$SAWT" import incident-codes "$W/codes.csv" >/dev/null
"$SAWT" import checklists "$(dirname "$0")/../data/checklists/checks.csv" >/dev/null

t0=$(date +%s.%N)
# per station, in order: open, turnouts, close, results, an incident on
# every tenth; REPORTS reports in all
q "
CREATE TEMP TABLE plan AS
SELECT g AS n, s.id AS station_id, s.election_id,
	CASE WHEN g % 10 = 0 THEN 'open' WHEN g % 10 IN (1,2,3,4,5,6) THEN 'turnout'
	     WHEN g % 10 = 7 THEN 'close' WHEN g % 10 = 8 THEN 'results' ELSE 'incident' END AS form
FROM generate_series(0, $NR - 1) g
JOIN sawt.stations s ON s.code = (100001 + (g / 10) % $NS)::text;
INSERT INTO sawt.inbound_messages (received_at, transport, sender, text, dedup_key, state, processed_at)
SELECT now() - interval '10 hours' + (n * interval '10 hours' / $NR), 'cli', '+96170000003',
	'bench ' || n, sha256(('bench ' || n)::bytea), 'processed', now()
FROM plan;
INSERT INTO sawt.reports (election_id, inbound_id, station_id, station_code, form, outcome,
	voters, women, men, contest_id, counts, invalid, blank, total, incident_code, text)
SELECT p.election_id, im.id, p.station_id, s.code, p.form, 'accepted',
	CASE WHEN p.form IN ('turnout', 'close') THEN 60 * (p.n % 10 + 1) END,
	CASE WHEN p.form IN ('turnout', 'close') THEN 25 * (p.n % 10 + 1) END,
	CASE WHEN p.form IN ('turnout', 'close') THEN 35 * (p.n % 10 + 1) END,
	CASE WHEN p.form = 'results' THEN k.id END,
	CASE WHEN p.form = 'results' THEN ARRAY[200, 150, 50] END,
	CASE WHEN p.form = 'results' THEN 10 END, CASE WHEN p.form = 'results' THEN 5 END,
	CASE WHEN p.form = 'results' THEN 415 END,
	CASE WHEN p.form = 'incident' THEN 1 END, CASE WHEN p.form = 'incident' THEN 'late' END
FROM plan p
JOIN sawt.stations s ON s.id = p.station_id
JOIN sawt.inbound_messages im ON im.dedup_key = sha256(('bench ' || p.n)::bytea)
LEFT JOIN sawt.contests k ON k.code = 'MUN';
DELETE FROM sawt.alert_queue;
-- the opening checklist answered at every other station: 4 questions each
INSERT INTO sawt.checklist_answers (dedup_key, question, election_id, form, version, station_id,
	value, sent_at, received_at)
SELECT sha256(convert_to(s.code || x.q, 'UTF8')), x.q, s.election_id, 'OP', 1, s.id,
	CASE x.q WHEN 'AD' THEN s.id % 50 ELSE 1 + s.id % 2 END, now(), now()
FROM sawt.stations s CROSS JOIN (VALUES ('AA'), ('AB'), ('AD'), ('AE')) x (q)
WHERE s.id % 2 = 0;
ANALYZE;"
t1=$(date +%s.%N)
echo "# $(q 'SELECT count(*) FROM sawt.stations') stations, $(q 'SELECT count(*) FROM sawt.reports') reports written in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
CONF
"$SAWTD" -c "$SAWT_CONFIG" >"$W/sawtd.log" 2>&1 &
pid=$!
i=0
while ! grep -q "registry loaded" "$W/sawtd.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$W/sawtd.log" | head -n 1)
BASE="http://127.0.0.1:$PORT"

# session PHONE: sign in through the API with the code queued for PHONE
session() {
	curl -s -o /dev/null --data-urlencode "phone=$1" "$BASE/api/login/code"
	_c=$(q "SELECT substring(body FROM '[0-9]{6}') FROM sawt.outbox WHERE recipient = '$1' AND kind = 'manual' ORDER BY id DESC LIMIT 1")
	curl -s -D - -o /dev/null --data-urlencode "phone=$1" --data-urlencode "code=$_c" "$BASE/api/login/verify" |
		sed -n 's/^Set-Cookie: sawt_session=\([0-9a-f]*\);.*/\1/p'
}
# timing WHO TOKEN PATH: median and worst of 20 answers, in ms
timing() {
	for _i in $(seq 20); do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: sawt_session=$2" "$BASE$3"
	done | sort -n | awk -v who="$1" -v p="$3" '{ t[NR] = $1 * 1000 } END {
		printf "%-9s %-16s median %6.1f ms  worst %6.1f ms\n", who, p, t[int((NR + 1) / 2)], t[NR] }'
}
NAT=$(session +96170000001)
REG=$(session +96170000002)
curl -s -H "Cookie: sawt_session=$NAT" "$BASE/api/areas" >/dev/null # warm the caches
for p in /api/me /api/areas /api/incidents /api/alerts /api/results /api/timeline /api/checklists; do
	timing national "$NAT" "$p"
done
R7=$(q "SELECT id FROM sawt.areas WHERE name = 'Region 7'")
for p in /api/areas /api/incidents /api/results /api/timeline /api/checklists "/api/areas?area=$R7"; do
	timing regional "$REG" "$p"
done
# the first screen: the five answers the page asks for at once
for _i in $(seq 10); do
	s=$(date +%s%N)
	for p in areas incidents alerts results timeline checklists; do
		curl -s -o /dev/null -H "Cookie: sawt_session=$NAT" "$BASE/api/$p" &
	done
	wait
	echo $(( ($(date +%s%N) - s) / 1000000 ))
done | sort -n | awk '{ t[NR] = $1 } END { printf "national  first screen (its 6 answers at once) median %d ms  worst %d ms\n", t[int((NR + 1) / 2)], t[NR] }'

if [ -x /usr/bin/chromium ] && /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	/usr/bin/python3 - "$BASE" "$NAT" <<'PY'
import sys, time
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
base, tok = sys.argv[1], sys.argv[2]
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
    o.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.get(base + "/app.css")
d.add_cookie({"name": "sawt_session", "value": tok, "path": "/"})
ts = []
for _ in range(5):
    t = time.monotonic()
    d.get(base + "/")
    while not d.execute_script("return document.querySelectorAll('#areas tbody tr').length > 0"
                               " && document.querySelectorAll('#results h3').length > 0"):
        time.sleep(0.01)
    ts.append((time.monotonic() - t) * 1000)
d.quit()
ts.sort()
print("national  page usable (open to tables filled, headless Chromium) median %.0f ms  worst %.0f ms" % (ts[2], ts[-1]))
PY
fi
kill -TERM $pid
wait $pid || true
