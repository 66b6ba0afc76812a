#!/bin/sh
# ingest.sh [MESSAGES] - messages per second from Gammu's dummy phone to
# committed reports, for sawtd and, as a reference, for gammu-smsd with its
# native PostgreSQL backend (raw storage only, no validation), both reading
# the same inbox files into the same kind of server (fsync on).
#
#   PGTMP_DURABLE=1 tests/pgtmp.sh tests/bench/ingest.sh 5000
#
# Needs $SAWT and $SAWTD (built programs) and, for the reference,
# gammu-smsd (Debian package gammu-smsd).  Prints figures; asserts nothing.
set -eu
N=${1:-5000}
STATIONS=$((N / 5))
W="$SAWT_TEST_TMP/bench"
mkdir -p "$W"

# A registry: STATIONS stations, one observer each (no PIN), five turnout
# rounds per station, so no sender goes over the per-sender rate.
awk -v n="$STATIONS" 'BEGIN {
	print "code,name,region,district,centre,registered,registered_women,contests" > "'"$W"'/stations.csv"
	print "phone,name,role,language,stations,areas,pin" > "'"$W"'/people.csv"
	for (i = 1; i <= n; i++) {
		printf "%d,Station %d,Region %d,District %d,Centre %d,1000,520,MUN\n", 1000 + i, i, i % 5, i % 25, i % 100 > "'"$W"'/stations.csv"
		printf "+9617%07d,Observer %d,observer,en,%d,,\n", i, i, 1000 + i > "'"$W"'/people.csv"
	}
}'
printf 'contest,contest_name,position,candidate\nMUN,Council,1,A\nMUN,Council,2,B\n' >"$W/contests.csv"
"$SAWT" migrate >/dev/null
"$SAWT" import contests "$W/contests.csv" >/dev/null
"$SAWT" import stations "$W/stations.csv" >/dev/null
"$SAWT" import people "$W/people.csv" >/dev/null

fill_inbox() {  # $1: dummy phone folder
	i=0
	for round in 1 2 3 4 5; do
		s=1
		while [ $s -le $STATIONS ] && [ $i -lt "$N" ]; do
			"$SAWT" inject --dir "$1" "$(printf '+9617%07d' $s)" \
				"T $((1000 + s)) V$((round * 100)) W$((round * 50))" >/dev/null
			s=$((s + 1)); i=$((i + 1))
		done
	done
}

now() { date +%s.%N; }

# --- sawtd --------------------------------------------------------------
fill_inbox "$SAWT_TEST_TMP/state/dummy"
echo "# $N messages from $STATIONS observers waiting in the dummy inbox"
t0=$(now)
"$SAWTD" -c "$SAWT_CONFIG" >"$W/sawtd.log" 2>&1 &
pid=$!
while [ "$(psql -XAtc 'SELECT count(*) FROM sawt.inbound_messages')" -lt "$N" ]; do sleep 0.2; done
t1=$(now)
span=$(psql -XAtc "SELECT extract(epoch FROM max(received_at) - min(received_at)) FROM sawt.inbound_messages")
reports=$(psql -XAtc "SELECT count(*) FROM sawt.reports WHERE outcome <> 'rejected'")
kill -TERM $pid; wait $pid || true
awk -v n="$N" -v a="$t0" -v b="$t1" -v s="$span" -v r="$reports" 'BEGIN {
	printf "sawtd:      %d messages committed (%d accepted reports) in %.2f s from start: %.0f msgs/s; first-to-last commit %.2f s: %.0f msgs/s\n", n, r, b - a, n / (b - a), s, (s > 0 ? n / s : 0) }'

# --- gammu-smsd (reference) -----------------------------------------------
if ! command -v gammu-smsd >/dev/null; then
	echo "gammu-smsd: not installed (apt-get install gammu-smsd) - reference skipped"
	exit 0
fi
psql -XAq -d postgres -c 'CREATE DATABASE smsd'
zcat -f /usr/share/doc/gammu-smsd/examples/pgsql.sql* 2>/dev/null | grep -v '^CREATE LANGUAGE' |
	psql -XAq -d smsd >/dev/null 2>&1
D="$W/smsd-phone"
mkdir -p "$D"
fill_inbox "$D"
cat >"$W/smsdrc" <<RC
[gammu]
device = $D
model = dummy
connection = none

[smsd]
service = sql
driver = native_pgsql
host = $PGHOST
user = $PGUSER
password =
database = smsd
logfile = $W/smsd.log
debuglevel = 0
loopsleep = 0
commtimeout = 0
checksecurity = 0
checkbattery = 0
checksignal = 0
statusfrequency = 0
RC
t0=$(now)
gammu-smsd -c "$W/smsdrc" &
spid=$!
while [ "$(psql -XAtc 'SELECT count(*) FROM inbox' -d smsd 2>/dev/null || echo 0)" -lt "$N" ]; do
	kill -0 $spid 2>/dev/null || { echo "gammu-smsd exited; see $W/smsd.log"; tail -5 "$W/smsd.log"; exit 1; }
	sleep 0.2
done
t1=$(now)
kill -TERM $spid; wait $spid || true
awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "gammu-smsd: %d messages stored raw in %.2f s from start: %.0f msgs/s\n", n, b - a, n / (b - a) }'
