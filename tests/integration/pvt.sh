#!/bin/sh
# The quick count (issue 21) on a real PostgreSQL: sawt sample draw
# (reproducible from its seed, proportional with two per stratum, refusing
# sizes beyond the population); the estimates of analytics.pvt_estimates
# and of `sawt pvt` (src/core/pvt.c) against figures worked out by hand
# from tests/data/pvt/election.sql, equal to each other; reports that must
# not count (rejected, superseded, of stations outside the sample) do not
# move them, a late correction does; no margin while a stratum has fewer
# than two reports, saying why; the convergence view; sawt_analyst reads
# the views and not the sample's stations.
#
# Hand computation (docs/pvt.md), sample H: North N=4, n=2; South N=6,
# n=3; weights 2 and 2.  Amal: y = 10 14 | 30 36 28, x = 20 20 | 40 40 40:
# R = 2*(24+94) / 2*(40+120) = 73.75%; residuals about their stratum mean
# -2 2 | -1 5 -4 ... (see /docs/pvt.md for the formulas) give
# se = sqrt(16*.5/2*s2_N + 36*.5/3*s2_S) / 320 = 3.64%.
. "$(dirname "$0")/tap.sh"

export PGTZ=UTC
q() { psql -X -q -A -t -F'|' -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

out=$("$SAWT" migrate 2>&1)
is "$?" 0 "migrate succeeds"
out=$(psql -X -q -v ON_ERROR_STOP=1 -f "$SAWT_TEST_DATA/pvt/election.sql" 2>&1)
is "$?" 0 "the election and its samples load"

# ---- sample draw -------------------------------------------------------------
out=$("$SAWT" sample draw --name A --size 5 --strata region --seed 7 2>&1)
is "$?" 0 "sample draw succeeds"
is "$out" 'sample "A": 5 stations in 2 strata (region), seed 7' "sample draw says what it drew"
"$SAWT" sample draw --name B --size 5 --strata region --seed 7 >/dev/null 2>&1
"$SAWT" sample draw --name C --size 5 --strata region --seed 8 >/dev/null 2>&1
members() { q "SELECT string_agg(s.code, ' ' ORDER BY s.code) FROM sawt.pvt_sample_stations ss
	JOIN sawt.pvt_samples p ON p.id = ss.sample_id JOIN sawt.stations s ON s.id = ss.station_id
	WHERE p.name = '$1'"; }
is "$(members A)" "$(members B)" "the same seed draws the same sample"
if [ "$(members A)" != "$(members C)" ]; then pass "another seed draws another sample"; else fail "another seed draws another sample"; fi
is "$(q "SELECT ps.stratum, ps.stations, ps.registered, ps.drawn, count(ss.station_id)
	FROM sawt.pvt_sample_strata ps JOIN sawt.pvt_samples p ON p.id = ps.sample_id
	LEFT JOIN sawt.pvt_sample_stations ss ON (ss.sample_id, ss.stratum) = (ps.sample_id, ps.stratum)
	WHERE p.name = 'A' GROUP BY 1, 2, 3, 4 ORDER BY 1")" "North|4|400|2|2
South|6|600|3|3" "proportional to registered voters: 2 of North's 400, 3 of South's 600"
out=$("$SAWT" sample draw --name D --size 11 --strata region --seed 1 2>&1)
is "$?" 1 "a sample larger than the population is refused"
is "$out" "sawt: sample size 11 exceeds the population of 10 stations" "saying why"
is "$(q "SELECT count(*) FROM sawt.pvt_samples WHERE name = 'D'")" 0 "and nothing is stored"
out=$("$SAWT" sample draw --name E --size 3 --strata region --seed 1 2>&1)
is "$out" "sawt: sample size 3 is too small: 2 strata need at least 4 stations (two each)" \
	"two stations per stratum at least"
out=$("$SAWT" sample draw --name A --size 5 --seed 1 2>&1)
like "$out" 'could not store the sample: duplicate key' "a sample name is taken once"
"$SAWT" sample draw --name U --size 10 --seed 3 >/dev/null 2>&1
is "$(q "SELECT stratum, stations, drawn FROM sawt.pvt_sample_strata ps JOIN sawt.pvt_samples p ON p.id = ps.sample_id WHERE p.name = 'U'")" \
	"all|10|10" "unstratified: one stratum, every station"

# ---- estimates -----------------------------------------------------------------
est() { q "SELECT contest, item, position, estimate, std_error, moe95, moe99,
	stations_reported, stations_in_sample, coverage_pct, no_margin
	FROM analytics.pvt_estimates WHERE sample = '$1'
	ORDER BY contest NULLS FIRST, position NULLS LAST, item"; }
H="|turnout||54.00|2.00|3.92|5.15|5|5|100.0|
|women_share||48.15|1.29|2.52|3.31|5|5|100.0|
|women_turnout||52.00|2.00|3.92|5.15|5|5|100.0|
MUN|Amal|1|73.75|3.64|7.14|9.39|5|5|100.0|
MUN|Bassem|2|26.25|3.64|7.14|9.39|5|5|100.0|
MUN|blank||2.38|0.59|1.15|1.52|5|5|100.0|
MUN|invalid||2.38|0.83|1.62|2.13|5|5|100.0|"
is "$(est H)" "$H" "pvt_estimates: hand-computed estimates and margins (rejected, superseded, non-sample reports left out)"

# sawt pvt computes with src/core/pvt.c from the per-stratum sums; the view
# computes in SQL: they agree to the printed digit.
out=$("$SAWT" pvt --sample H 2>&1)
is "$?" 0 "sawt pvt succeeds"
cli=$(printf '%s\n' "$out" | awk '$1 == "MUN" || $1 == "turnout" { g = $1 }
	/%/ && NF >= 6 && $1 != "coverage:" && $1 != "item" { sub(/%/, "", $2); print g "|" $1 "|" $2 "|" $3 "|" $4 "|" $5 }' | sort)
view=$(q "SELECT COALESCE(contest, 'turnout'), item, estimate, std_error, moe95, moe99
	FROM analytics.pvt_estimates WHERE sample = 'H'" | sort)
is "$cli" "$view" "sawt pvt (C estimator) equals analytics.pvt_estimates (SQL)"
like "$out" "coverage: 5 of 5 sample stations, 100.0%" "sawt pvt reports coverage"
like "$out" "^  Amal +73\.75% +3\.64 +7\.14 +9\.39 +5/5" "sawt pvt prints Amal's share and margins"

# reports that must not count do not move the estimate
psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null 2>&1
SET session_replication_role = replica;
SELECT sawt.pvt_test_rep(9, 'R 204 MUN 0 40 0 0', '21:00', '204', 'results', counts => '{0,40}', invalid => 0, blank => 0);
SELECT sawt.pvt_test_rep(5, 'R 201 MUN 0 40 0 0', '21:01', '201', 'results', 'rejected', counts => '{0,40}', invalid => 0, blank => 0);
SELECT sawt.pvt_test_rep(8, 'R 205 MUN 0 40 0 0', '21:02', '205', 'results', counts => '{0,40}', invalid => 0, blank => 0);
SQL
is "$(est H)" "$H" "a rejected report and reports of stations outside the sample do not move the estimate"

# a late correction does: 201 now 20 20 (superseding 30 10)
psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null 2>&1
SET session_replication_role = replica;
SELECT sawt.pvt_test_rep(5, 'R 201 MUN 20 20 2 0', '21:30', '201', 'results', counts => '{20,20}', invalid => 2, blank => 0,
	supersedes => (SELECT id FROM sawt.reports WHERE station_code = '201' AND form = 'results' AND outcome = 'accepted' AND superseded_by IS NULL));
SQL
is "$(q "SELECT estimate, std_error, moe95, moe99 FROM analytics.pvt_estimates WHERE sample = 'H' AND item = 'Amal'")" \
	"67.50|6.37|12.49|16.42" "a late correction moves the estimate (hand-computed)"
out=$("$SAWT" pvt --sample H --contest MUN 2>&1)
like "$out" "^  Amal +67\.50% +6\.37 +12\.49 +16\.42" "and sawt pvt agrees"
# a coordinator quarantines the correction (issue 19): the observer's
# earlier figures count again; verifying it brings the correction back
C=$(q "SELECT id FROM sawt.reports WHERE station_code = '201' AND form = 'results' AND outcome = 'accepted' AND superseded_by IS NULL")
q "SELECT sawt.review_set($C, 'quarantined', NULL, 'cli:test', 'checking')" >/dev/null
is "$(est H)" "$H" "a quarantined report does not count: the estimate is the one before the correction"
q "SELECT sawt.review_set($C, 'verified', NULL, 'cli:test', 'confirmed by phone')" >/dev/null
is "$(q "SELECT estimate FROM analytics.pvt_estimates WHERE sample = 'H' AND item = 'Amal'")" "67.50" "verified, it counts again"

# ---- a stratum of one report: no margin, and why -------------------------------
# Sample T: North 101 (103 silent), South 201 (corrected: 20 20) 202.
# Amal = (4*10 + 3*(20+36)) / (4*20 + 3*(40+40)) = 208/320 = 65%;
# turnout = (4*40 + 3*(60+70)) / (4*100 + 3*200) = 55%.
is "$(q "SELECT item, estimate, moe95, stations_reported, stations_in_sample, coverage_pct, no_margin
	FROM analytics.pvt_estimates WHERE sample = 'T' AND item IN ('Amal', 'turnout') ORDER BY item")" \
	"Amal|65.00||3|4|75.0|fewer than two reports in stratum North
turnout|55.00||3|4|75.0|fewer than two reports in stratum North" \
	"no margin while a stratum has fewer than two reports"
out=$("$SAWT" pvt --sample T 2>&1)
like "$out" "Amal .* no margin: fewer than two reports in stratum North" "sawt pvt says why it prints no margin"
like "$out" "coverage: 3 of 4 sample stations, 75.0%$" "sawt pvt reports the coverage of sample T"
# sample W: North 103 only (silent), South 201 202
q "INSERT INTO sawt.pvt_samples (id, election_id, name, strata, size) VALUES (10, 1, 'W', 'region', 3);
	INSERT INTO sawt.pvt_sample_strata VALUES (10, 'North', 4, 400, 1), (10, 'South', 6, 600, 2);
	INSERT INTO sawt.pvt_sample_stations SELECT 10, id, CASE WHEN area_id = 1 THEN 'North' ELSE 'South' END
	FROM sawt.stations WHERE code IN ('103', '201', '202')" >/dev/null
out=$("$SAWT" pvt --sample W 2>&1)
like "$out" "coverage: 2 of 3 sample stations, 66.7%; strata below 50%: North" "sawt pvt names the strata below 50%"

# ---- convergence ---------------------------------------------------------------
# Amal in H: each station counts from the arrival of its current report:
# 101 102 by 20:10 (South has none: no margin), 202 203 by 20:20
# ((2*24 + 3*64) / (2*40 + 3*80) = 75%), 201 with its correction at 21:30.
is "$(q "SELECT to_char(at, 'HH24:MI'), estimate, moe95, stations_reported FROM analytics.pvt_convergence
	WHERE sample = 'H' AND item = 'Amal' ORDER BY at")" "20:10|60.00||2
20:20|75.00|12.49|4
21:40|67.50|12.49|5" "pvt_convergence: the estimate after each 10 minutes with reports"

# sawt.pvt_current restates analytics_current's rule for sample stations:
# both pick the same reports.
is "$(q "SELECT count(*) FROM (SELECT id, station_id, form, ckey FROM sawt.pvt_current
	EXCEPT SELECT id, station_id, form, ckey FROM sawt.analytics_current
	WHERE station_id IN (SELECT station_id FROM sawt.pvt_sample_stations)
	AND form IN ('turnout', 'close', 'results')) x")|$(q "SELECT count(*) FROM (SELECT id, station_id, form, ckey FROM sawt.analytics_current
	WHERE station_id IN (SELECT station_id FROM sawt.pvt_sample_stations)
	AND form IN ('turnout', 'close', 'results')
	EXCEPT SELECT id, station_id, form, ckey FROM sawt.pvt_current) x")" "0|0" \
	"pvt_current picks the reports analytics_current picks"

# ---- import sample -------------------------------------------------------------
T="$SAWT_TEST_TMP"
printf 'station,stratum\n101,North\n102,North\n201,South\n202,South\n203,South\n' > "$T/i.csv"
out=$("$SAWT" import sample I "$T/i.csv" 2>&1)
is "$out" 'sample "I": 5 stations imported' "import sample stores a sample drawn elsewhere"
is "$(q "SELECT stratum, stations, registered, drawn FROM sawt.pvt_sample_strata ps JOIN sawt.pvt_samples p ON p.id = ps.sample_id WHERE p.name = 'I' ORDER BY 1")" \
	"North|4|400|2
South|6|600|3" "its strata's populations come from the registry"
is "$(est I)" "$(est H)" "the imported sample gives the same estimates as the same sample made by hand"
printf 'station\n101\n205\n' > "$T/j.csv"
"$SAWT" import sample J "$T/j.csv" >/dev/null 2>&1
is "$(q "SELECT stratum, stations, drawn FROM sawt.pvt_sample_strata ps JOIN sawt.pvt_samples p ON p.id = ps.sample_id WHERE p.name = 'J'")" \
	"all|10|2" "without a stratum column: one stratum of every station"
printf 'station,stratum\n101,North\n999,South\n' > "$T/k.csv"
is "$("$SAWT" import sample K "$T/k.csv" 2>&1)" 'sawt: station "999" (row 2) not found' "an unknown station is refused"
printf 'station,stratum\n101,South\n' > "$T/k.csv"
is "$("$SAWT" import sample K "$T/k.csv" 2>&1)" 'sawt: station "101" is not in stratum "South"' "a station outside its stratum is refused"
printf 'station\n101\n101\n' > "$T/k.csv"
is "$("$SAWT" import sample K "$T/k.csv" 2>&1)" 'sawt: station "101" is listed twice' "a station listed twice is refused"
is "$("$SAWT" import sample I "$T/i.csv" 2>&1)" 'sawt: sample "I" already exists' "a sample name is taken once"
is "$(q "SELECT count(*) FROM sawt.pvt_samples WHERE name = 'K'")" 0 "nothing is stored for a refused file"

# ---- access ----------------------------------------------------------------------
is "$(q "SET ROLE sawt_analyst; SELECT count(*) FROM analytics.pvt_estimates WHERE sample = 'H'")" 7 \
	"sawt_analyst reads pvt_estimates"
is "$(q "SET ROLE sawt_analyst; SELECT count(*) > 0 FROM analytics.pvt_convergence")" t \
	"sawt_analyst reads pvt_convergence"
like "$(q "SET ROLE sawt_analyst; SELECT * FROM sawt.pvt_sample_stations")" "permission denied" \
	"sawt_analyst cannot read which stations are in a sample"

done_testing
