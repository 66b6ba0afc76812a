#!/bin/sh
# ussd.sh [SECONDS [CONNECTIONS]] - the latency of each step of a USSD
# session (/ussd) under load: CONNECTIONS (16) concurrent sessions, each
# walking the turnout menu (dial, turnout, voters, women, confirm) over and
# over for SECONDS (20), measured with wrk (tests/bench/ussd.lua).  A menu
# step is answered from memory; the confirmation waits for the report's
# commit (fsync on with PGTMP_DURABLE=1).
#
#   PGTMP_DURABLE=1 tests/pgtmp.sh tests/bench/ussd.sh 20 16
#
# Needs $SAWT, $SAWTD and wrk; prints p50 and p99 per step and the reports
# committed; asserts nothing.
set -eu
SECS=${1:-20}
CONNS=${2:-16}
STATIONS=2000
W="$SAWT_TEST_TMP/bench-ussd"
mkdir -p "$W"
command -v wrk >/dev/null || { echo "wrk: not installed (apt-get install wrk)"; exit 1; }

awk -v n="$STATIONS" -v w="$W" 'BEGIN {
	print "code,name,region,district,centre,registered,registered_women,contests" > w "/stations.csv"
	print "phone,name,role,language,stations,areas,pin" > w "/people.csv"
	for (i = 1; i <= n; i++) {
		printf "%d,Station %d,Region %d,District %d,Centre %d,1000,520,MUN\n", 1000 + i, i, i % 5, i % 25, i % 100 > w "/stations.csv"
		printf "+9617%07d,Observer %d,observer,en,%d,,\n", i, i, 1000 + i > w "/people.csv"
	}
}'
printf 'contest,contest_name,position,candidate\nMUN,Council,1,A\nMUN,Council,2,B\n' >"$W/contests.csv"
"$SAWT" migrate >/dev/null 2>&1
"$SAWT" import contests "$W/contests.csv" >/dev/null
"$SAWT" import stations "$W/stations.csv" >/dev/null
"$SAWT" import people "$W/people.csv" >/dev/null

SECRET=bench-secret-$$
cp "$SAWT_CONFIG" "$W/sawt.conf"
printf '\n[http]\nlisten = 127.0.0.1:0\nsecret = %s\n\n[ussd]\nsession_timeout = 600\nmax_sessions = 1000000\n' \
	"$SECRET" >>"$W/sawt.conf"
"$SAWTD" -c "$W/sawt.conf" >"$W/sawtd.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 300); do
	port=$(sed -n 's/.*HTTP on .*(port \([0-9]*\),.*/\1/p' "$W/sawtd.log" | head -1)
	[ -n "$port" ] && grep -q "registry loaded" "$W/sawtd.log" && break
	sleep 0.1
done
[ -n "$port" ] || { echo "sawtd did not start its HTTP door:"; tail "$W/sawtd.log"; exit 1; }
SAWT_BENCH_AUTH="Basic $(printf 'sawt:%s' "$SECRET" | base64 -w0)"
SAWT_BENCH_STATIONS=$STATIONS
export SAWT_BENCH_AUTH SAWT_BENCH_STATIONS
LUA="$(cd "$(dirname "$0")" && pwd)/ussd.lua"

echo "USSD sessions: $CONNS at once, ${SECS}s:"
wrk -t "$CONNS" -c "$CONNS" -d "${SECS}s" -s "$LUA" "http://127.0.0.1:$port/ussd" \
	>"$W/wrk.out" 2>&1 || { cat "$W/wrk.out"; exit 1; }
grep '^wrk:' "$W/wrk.out" | sed 's/^/  /'
n=$(psql -XAtc "SELECT count(*) FROM sawt.inbound_messages WHERE transport = 'ussd'")
awk -v n="$n" -v s="$SECS" 'BEGIN { printf "  %d reports committed in the database: %.0f reports/s\n", n, n / s }'
