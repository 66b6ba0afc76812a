#!/bin/sh
# pvt.sh [STATIONS [SAMPLE]] - the quick count's estimates on a synthetic
# election of STATIONS stations (20000) with a stratified sample of SAMPLE
# stations (1500) every one of which reported (close and results): the
# time of `sawt pvt` (the per-stratum sums read from the views, the
# estimates computed by src/core/pvt.c), of a SELECT of every row of
# analytics.pvt_estimates for the sample, and of analytics.pvt_convergence.
# Prints figures and asserts nothing (issue 21 asks for <= 50 ms).
#
#   SAWT=build/src/sawt tests/pgtmp.sh tests/bench/pvt.sh 20000 1500
set -eu
N=${1:-20000}
K=${2:-1500}
ROUNDS=5
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

"$SAWT" migrate >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v n="$N" >/dev/null <<'SQL'
SET session_replication_role = replica;
INSERT INTO sawt.elections (id, name) VALUES (1, 'default');
INSERT INTO sawt.areas (id, election_id, parent_id, name, depth)
	SELECT r, 1, NULL, 'Region ' || r, 1 FROM generate_series(1, 10) r;
INSERT INTO sawt.areas (id, election_id, parent_id, name, depth)
	SELECT 100 + d, 1, 1 + d % 10, 'District ' || d, 2 FROM generate_series(0, 59) d;
INSERT INTO sawt.stations (id, election_id, code, name, area_id, registered, registered_women)
	SELECT i, 1, (10000 + i)::text, 'Station ' || i, 100 + i % 60, 300 + (i * 7919) % 700,
		150 + (i * 7919) % 350
	FROM generate_series(1, :n) i;
INSERT INTO sawt.contests (id, election_id, code, name) VALUES (1, 1, 'MUN', 'Municipal');
INSERT INTO sawt.candidates (contest_id, position, name)
	VALUES (1, 1, 'A'), (1, 2, 'B'), (1, 3, 'C'), (1, 4, 'D');
INSERT INTO sawt.station_contests SELECT id, 1 FROM sawt.stations;
INSERT INTO sawt.people (id, election_id, phone, name, role, language, pseudonym)
	VALUES (1, 1, '+96171000001', 'Observer', 'observer', 'ar', repeat('a', 64));
INSERT INTO sawt.inbound_messages (id, received_at, transport, modem, sender, text,
	dedup_key, person_id, state)
	SELECT i, timestamptz '2024-05-12 19:00+00' + (i % 240) * interval '1 minute', 'modem',
		'usb0', '+96171000001', 'x', sha256(int8send(i)), 1, 'processed'
	FROM generate_series(1, 2 * :n) i;
INSERT INTO sawt.reports (election_id, inbound_id, person_id, station_id, station_code,
	form, outcome, voters, women)
	SELECT 1, s.id, 1, s.id, s.code, 'close', 'accepted',
		s.registered * (40 + s.id % 30) / 100, s.registered * (40 + s.id % 30) / 200
	FROM sawt.stations s;
INSERT INTO sawt.reports (election_id, inbound_id, person_id, station_id, station_code,
	form, outcome, contest_id, counts, invalid, blank)
	SELECT 1, :n + s.id, 1, s.id, s.code, 'results', 'accepted', 1,
		ARRAY[100 + s.id % 50, 80 + s.id % 37, 30 + s.id % 11, 10 + s.area_id % 7], 3, 2
	FROM sawt.stations s;
ANALYZE;
SQL
"$SAWT" sample draw --name P --size "$K" --strata region --seed 1 >/dev/null
psql -X -q -c "ANALYZE" >/dev/null

ms() { echo $(( ($2 - $1) / 1000000 )); }
best() { sort -n | head -1; }
t_cli=$(for i in $(seq $ROUNDS); do
	a=$(date +%s%N); "$SAWT" pvt --sample P >/dev/null; b=$(date +%s%N); ms "$a" "$b"
done | best)
timing() {
	for i in $(seq $ROUNDS); do
		psql -X -q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
	done | sort -n | head -1
}
t_view=$(timing "SELECT count(*) FROM (SELECT * FROM analytics.pvt_estimates WHERE sample = 'P') x")
t_conv=$(timing "SELECT count(*) FROM (SELECT * FROM analytics.pvt_convergence WHERE sample = 'P') x")
rows=$(q "SELECT count(*) FROM analytics.pvt_estimates WHERE sample = 'P'")
crow=$(q "SELECT count(*) FROM analytics.pvt_convergence WHERE sample = 'P'")
echo "quick count: $N stations, sample of $K in 10 region strata, every sample station reported"
echo "sawt pvt (connect, sums, C estimator, print): ${t_cli} ms wall, best of $ROUNDS"
echo "analytics.pvt_estimates ($rows rows): ${t_view} ms server, best of $ROUNDS"
echo "analytics.pvt_convergence ($crow rows): ${t_conv} ms server, best of $ROUNDS"
