#!/bin/sh
# http_inbound.sh [SECONDS [CONNECTIONS [RATE]]] - durable inbound messages
# per second through sawtd's HTTP door (POST /sms/inbound, Kannel's form),
# measured with wrk over keep-alive connections, and the answer latency
# at a fixed offered rate.  An answer 200 means committed or spooled with
# fsync, so both figures include PostgreSQL's commit (fsync on).
#
#   PGTMP_DURABLE=1 tests/pgtmp.sh tests/bench/http_inbound.sh 20 32 500
#
# Phase (a): CONNECTIONS connections (32) send as fast as sawtd answers,
# for SECONDS (20).  Phase (b): RATE (500) messages per second offered
# over RATE/10 connections (at least 2), each pausing 100 ms before a
# request (wrk has no open-loop mode, so the rate offered is below RATE by
# the share of the answer latency in 100 ms), for SECONDS.  After each phase the committed rows are
# counted in the database.  Needs $SAWT, $SAWTD and wrk (Debian package
# wrk); prints figures and asserts nothing.
set -eu
SECS=${1:-20}
CONNS=${2:-32}
RATE=${3:-500}
STATIONS=2000
W="$SAWT_TEST_TMP/bench-http"
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
printf '\n[http]\nlisten = 127.0.0.1:0\nsecret = %s\n' "$SECRET" >>"$W/sawt.conf"
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
LUA="$(cd "$(dirname "$0")" && pwd)/http_inbound.lua"

rows() { psql -XAtc "SELECT count(*) FROM sawt.inbound_messages WHERE modem = 'wrk'"; }

phase() {  # $1 label, $2 connections, $3 delay ms, $4 send-time base
	before=$(rows)
	SAWT_BENCH_DELAY_MS=$3 SAWT_BENCH_BASE=$4 \
		wrk -t 2 -c "$2" -d "${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$port/sms/inbound" \
		>"$W/wrk.out" 2>&1 || { cat "$W/wrk.out"; exit 1; }
	after=$(rows)
	echo "$1:"
	grep '^wrk:' "$W/wrk.out" | sed 's/^/  /'
	awk -v n="$((after - before))" -v s="$SECS" 'BEGIN {
		printf "  %d messages committed in the database: %.0f durable msgs/s\n", n, n / s }'
}

now=$(date +%s)
# Send times within the last 24 hours (older ones are not believed), the
# two phases on separate stretches, each observer's reports 10 min apart.
phase "(a) $CONNS connections, as fast as answered, ${SECS}s" "$CONNS" 0 $((now - 20 * 3600))
c=$((RATE / 10)); [ "$c" -ge 2 ] || c=2
phase "(b) offered about $RATE msgs/s over $c connections, ${SECS}s" "$c" $((c * 1000 / RATE)) \
	$((now - 4 * 3600))
