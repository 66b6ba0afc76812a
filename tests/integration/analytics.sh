#!/bin/sh
# Analytics views and `sawt status` on a synthetic election with known
# totals (tests/data/analytics/election.sql: three regions, four districts,
# seven stations, two contests, superseded, rejected, resent and
# conflicting reports).  Every expected figure below was worked out by hand
# from that file.  Also: role sawt_analyst reads every view and nothing in
# schema sawt, and no view shows a phone number.
. "$(dirname "$0")/tap.sh"

export PGTZ=UTC
q() { psql -X -q -A -t -F'|' -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

out=$("$SAWT" migrate 2>&1)
is "$?" 0 "migrate succeeds"
out=$(psql -X -q -v ON_ERROR_STOP=1 -f "$SAWT_TEST_DATA/analytics/election.sql" 2>&1)
is "$?" 0 "the synthetic election loads"

# ---- station_turnout ------------------------------------------------------
# close report when present (101, 201, 501), else the current turnout
# report; 101's first turnout is superseded, 102's 900 rejected, 102's
# resend superseded; 201 and 501 are in conflict (two observers); 202 never
# sent a valid turnout; 401 gave no women count (men unknown too).
got=$(q "SELECT station_code, station_name, region, district, registered,
	registered_women, voters, women, men, women_share, turnout_pct,
	women_turnout_pct, to_char(reported_at, 'HH24:MI'), flags, conflict, source
	FROM analytics.station_turnout WHERE election = 'default' ORDER BY station_code")
is "$got" "101|Akkar School A|North|Akkar|1000|520|600|290|310|48.3|60.0|55.8|19:10|{}|f|close
102|Akkar School B|North|Akkar|800|400|350|170|180|48.6|43.8|42.5|12:30|{}|f|turnout
201|Tripoli Hall|North|Tripoli|1200|600|720|350|370|48.6|60.0|58.3|19:25|{}|t|close
202|Tripoli Mina|North|Tripoli|600|310||||||||{}|f|
301|Tyre Centre|South|Tyre|900|450|480|250|230|52.1|53.3|55.6|14:00|{turnout_decrease}|f|turnout
401|Saida Port|South|Saida|700|360|400||||57.1||15:00|{}|f|turnout
501|Achrafieh|Beirut||1500|800|900|480|420|53.3|60.0|60.0|19:30|{conflict}|t|close" \
	"station_turnout: every station's figures"
is "$(q "SELECT station_code, voters, women FROM analytics.station_turnout WHERE election = 'other'")" \
	"101|50|20" "station_turnout: the other election's station 101 stays apart"

# ---- area_turnout ----------------------------------------------------------
# rates over reporting stations: North 1670/3000; women's share over the
# stations that gave W: election 1540/3050, South 250/480.
got=$(q "SELECT area, level, stations_total, stations_reporting, registered,
	voters, women, women_share, turnout_pct, women_turnout_pct,
	registered_women, registered_reporting, parent
	FROM analytics.area_turnout WHERE election = 'default'
	ORDER BY depth, parent NULLS FIRST, area")
is "$got" "default|election|7|6|6700|3450|1540|50.5|56.6|55.6|3440|6100|
Beirut|region|1|1|1500|900|480|53.3|60.0|60.0|800|1500|
North|region|4|3|3600|1670|810|48.5|55.7|53.3|1830|3000|
South|region|2|2|1600|880|250|52.1|55.0|55.6|810|1600|
Akkar|district|2|2|1800|950|460|48.4|52.8|50.0|920|1800|North
Tripoli|district|2|1|1800|720|350|48.6|60.0|58.3|910|1200|North
Saida|district|1|1|700|400|||57.1||360|700|South
Tyre|district|1|1|900|480|250|52.1|53.3|55.6|450|900|South" \
	"area_turnout: every level and the whole election"
is "$(q "SELECT area, level, stations_total, voters, women, turnout_pct FROM analytics.area_turnout WHERE election = 'other' ORDER BY depth")" \
	"other|election|1|50|20|50.0
North|region|1|50|20|50.0" "area_turnout: the other election has its own rows"

# ---- results -----------------------------------------------------------------
# MUN: 101 (second report), 102, 201 (newer of two), 301, 501; 202 rejected.
# MUK: 101, 102, 501; 301's MUK report does not count (not on its ballot).
got=$(q "SELECT contest, position, candidate, votes, vote_share,
	stations_reporting, stations_total, kind, ballot_share, stations_conflict,
	contest_code FROM analytics.results WHERE election = 'default'
	ORDER BY contest_code DESC, position NULLS LAST, kind DESC")
is "$got" "Municipal council|1|Amal|1160|39.9|5|7|candidate|37.4|1|MUN
Municipal council|2|Bassem|1210|41.6|5|7|candidate|39.0|1|MUN
Municipal council|3|Carla|540|18.6|5|7|candidate|17.4|1|MUN
Municipal council||(invalid)|115||5|7|invalid|3.7|1|MUN
Municipal council||(blank)|75||5|7|blank|2.4|1|MUN
Mukhtar|1|Dina|1000|57.1|3|4|candidate|54.1|0|MUK
Mukhtar|2|Elias|750|42.9|3|4|candidate|40.5|0|MUK
Mukhtar||(invalid)|60||3|4|invalid|3.2|0|MUK
Mukhtar||(blank)|40||3|4|blank|2.2|0|MUK" \
	"results: votes, shares, invalid and blank of both contests"

# ---- reporting_progress ---------------------------------------------------
got=$(q "SELECT form, area, expected, received, pct, level, parent, contest, conflicts
	FROM analytics.reporting_progress WHERE election = 'default'
	ORDER BY depth, parent NULLS FIRST, area,
		array_position(ARRAY['open','turnout','close','results'], form), contest")
is "$got" "open|default|7|5|71.4|election|||0
turnout|default|7|4|57.1|election|||0
close|default|7|3|42.9|election|||2
results|default|4|3|75.0|election||MUK|0
results|default|7|5|71.4|election||MUN|1
open|Beirut|1|1|100.0|region|||0
turnout|Beirut|1|0|0.0|region|||0
close|Beirut|1|1|100.0|region|||1
results|Beirut|1|1|100.0|region||MUK|0
results|Beirut|1|1|100.0|region||MUN|0
open|North|4|3|75.0|region|||0
turnout|North|4|2|50.0|region|||0
close|North|4|2|50.0|region|||1
results|North|3|2|66.7|region||MUK|0
results|North|4|3|75.0|region||MUN|1
open|South|2|1|50.0|region|||0
turnout|South|2|2|100.0|region|||0
close|South|2|0|0.0|region|||0
results|South|2|1|50.0|region||MUN|0
open|Akkar|2|2|100.0|district|North||0
turnout|Akkar|2|2|100.0|district|North||0
close|Akkar|2|1|50.0|district|North||0
results|Akkar|2|2|100.0|district|North|MUK|0
results|Akkar|2|2|100.0|district|North|MUN|0
open|Tripoli|2|1|50.0|district|North||0
turnout|Tripoli|2|0|0.0|district|North||0
close|Tripoli|2|1|50.0|district|North||1
results|Tripoli|1|0|0.0|district|North|MUK|0
results|Tripoli|2|1|50.0|district|North|MUN|1
open|Saida|1|0|0.0|district|South||0
turnout|Saida|1|1|100.0|district|South||0
close|Saida|1|0|0.0|district|South||0
results|Saida|1|0|0.0|district|South|MUN|0
open|Tyre|1|1|100.0|district|South||0
turnout|Tyre|1|1|100.0|district|South||0
close|Tyre|1|0|0.0|district|South||0
results|Tyre|1|1|100.0|district|South|MUN|0" \
	"reporting_progress: every form, contest and area"

# ---- incidents, alerts, message_log -----------------------------------
got=$(q "SELECT to_char(i.reported_at, 'HH24:MI'), i.station_code, i.region,
	i.district, i.code, i.severity, i.incident, i.text, i.alerted,
	to_char(i.acknowledged_at, 'HH24:MI'), i.open
	FROM analytics.incidents i WHERE i.election = 'default' ORDER BY i.reported_at")
is "$got" "07:30|301|South|Tyre|2|info|Late opening|opened 30 min late|f||t
09:00|101|North|Akkar|1|critical|Vote buying|vote buying at door, call [number]|t|09:10|f
16:00|501|Beirut||3|serious|Intimidation|party agents threatening voters|t||t" \
	"incidents: accepted ones only, acknowledged or open, phone masked"
is "$(q "SELECT count(DISTINCT observer) FILTER (WHERE observer ~ '^[0-9a-f]{64}$') FROM analytics.incidents")" \
	3 "incidents: observers appear as pseudonyms"
is "$(q "SELECT incident_ar FROM analytics.incidents WHERE code = 1")" "شراء أصوات" \
	"incidents: the Arabic name of the code"

got=$(q "SELECT kind, severity, station_code, area, message, open,
	acknowledged_by IS NOT NULL, incident_id IS NOT NULL, election
	FROM analytics.alerts ORDER BY created_at")
is "$got" "station_missing|serious|201|Tripoli|Station 201 has not opened|t|f|f|default
critical_incident|critical|101|Akkar|Critical incident at 101: Vote buying|f|t|t|default
modem_down|critical|||Modem usb1 (SIM [number]) is down|t|f|f|
serious_incident|serious|501|Beirut|Incident at 501: Intimidation|t|f|t|default" \
	"alerts: every alert, the SIM number masked"
is "$(q "SELECT a.acknowledged_by = i.observer FROM analytics.alerts a, analytics.incidents i WHERE a.kind = 'critical_incident' AND i.code = 1")" \
	f "alerts: acknowledged_by is the coordinator's pseudonym, not the observer's"
is "$(q "SELECT kind, state, coordinators, sent, delivered, held, dropped FROM analytics.alerts
	WHERE kind IN ('critical_incident', 'serious_incident') ORDER BY alert_id")" \
	"critical_incident|open|1|1|1|0|0
serious_incident|open|1|0|0|0|1" "alerts: coordinators reached, sent, delivered, held, dropped"
is "$(q "SELECT d.reason, d.lang, d.delivery, d.in_digest, d.left_at - a.created_at,
	d.coordinator = (SELECT acknowledged_by FROM analytics.alerts WHERE kind = 'critical_incident')
	FROM analytics.alert_deliveries d JOIN analytics.alerts a USING (alert_id) ORDER BY a.alert_id")" \
	"area|ar|delivered|f|00:00:04|t
area|ar|dropped|f||t" "alert_deliveries: the coordinator's pseudonym, delivery state and delay"

is "$(q "SELECT count(*), count(pseudonym), count(*) FILTER (WHERE superseded),
	count(*) FILTER (WHERE outcome = 'rejected'), count(report_id)
	FROM analytics.message_log")" "41|39|6|5|38" \
	"message_log: every message, with pseudonym, superseded and rejected counts"
is "$(q "SELECT state, error_code, no_reply_reason, text, pseudonym IS NULL
	FROM analytics.message_log WHERE report_id IS NULL AND pseudonym IS NULL ORDER BY message_id")" \
	"processed|unknown_sender||T 101 V10 W5 my number is [number]|t
ignored||non_phone_sender|Your balance is 5000 LBP|t" \
	"message_log: unknown and non-phone senders, no number shown"
is "$(q "SELECT form, outcome, flags, superseded FROM analytics.message_log
	WHERE station_code = '102' AND form = 'turnout' ORDER BY message_id")" \
	"turnout|accepted|{}|f
turnout|accepted_flagged|{resend}|t
turnout|rejected|{}|f" "message_log: outcome, flags and supersession of each report"
is "$(q "SELECT error_code FROM analytics.message_log WHERE outcome = 'rejected' ORDER BY error_code")" \
	"bad_pin
results_gt_registered
unknown_incident_code
voters_gt_registered
women_gt_voters" "message_log: error codes of rejected reports"

# ---- role sawt_analyst --------------------------------------------------
VIEWS="alert_deliveries alerts area_turnout checklist_answers checklist_flags checklist_problems checklist_summary incidents message_log reporting_progress results review_history station_turnout"
# the quick count's views (docs/pvt.md) are empty here: no sample
is "$(q "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'analytics'")" \
	"alert_deliveries alerts area_turnout broadcasts checklist_answers checklist_flags checklist_problems checklist_summary incidents message_log pvt_convergence pvt_estimates reporting_progress results review_history review_queue station_turnout" \
	"schema analytics holds exactly the documented views"
# one review decision, so that analytics.review_history has a row to read
# (verified counts as before: no figure changes)
q "WITH r AS (UPDATE sawt.reports SET review_state = 'verified'
	WHERE id = (SELECT min(id) FROM sawt.reports WHERE outcome = 'accepted') RETURNING id)
   INSERT INTO sawt.review_history (report_id, actor, previous_state, new_state, reason)
   SELECT id, 'cli:test', 'pending', 'verified', 'checked' FROM r" >/dev/null
q "CREATE ROLE alice LOGIN IN ROLE sawt_analyst" >/dev/null
for v in $VIEWS; do
	# no checklist here: those views are read with rows in checklist_views.sh
	case $v in checklist_*) rows=">= 0" ;; *) rows="> 0" ;; esac
	out=$(psql -X -A -t -U alice -c "SELECT count(*) $rows FROM analytics.$v" 2>&1)
	is "$out" t "analyst reads analytics.$v"
done
for v in pvt_estimates pvt_convergence broadcasts review_queue; do
	out=$(psql -X -A -t -U alice -c "SELECT count(*) FROM analytics.$v" 2>&1)
	is "$out" 0 "analyst reads analytics.$v (none here: no sample, no broadcast, nothing to review)"
done
for t in sawt.people sawt.inbound_messages sawt.reports sawt.outbox sawt.stations \
	 sawt.analytics_current sawt.station_turnout public.sawt_migrations; do
	out=$(psql -X -A -t -U alice -c "SELECT count(*) FROM $t" 2>&1)
	like "$out" "permission denied" "analyst may not read $t"
done
out=$(psql -X -A -t -U alice -c "SET ROLE sawt_analyst; SELECT phone FROM sawt.people" 2>&1)
like "$out" "permission denied for schema sawt" "SET ROLE sawt_analyst: no access to schema sawt"
out=$(psql -X -A -t -U alice -c "DELETE FROM analytics.alerts" 2>&1)
like "$out" "permission denied|cannot delete" "analyst may not modify a view"
out=$(psql -X -A -t -U alice -c "CREATE VIEW analytics.mine AS SELECT 1" 2>&1)
like "$out" "permission denied" "analyst may not create objects in schema analytics"
is "$(q "SELECT count(*) FROM information_schema.table_privileges WHERE table_schema = 'analytics' AND grantee = 'sawt_analyst' AND privilege_type <> 'SELECT'")" \
	0 "sawt_analyst holds SELECT only"

# Every example query of docs/analysts.md runs for an analyst.
DOC="$SAWT_SOURCE_DIR/docs/analysts.md"
nblocks=$(grep -c '^```sql$' "$DOC" 2>/dev/null)
like "${nblocks:-0}" '^[1-9][0-9]*$' "docs/analysts.md has example queries"
i=1
while [ "$i" -le "$nblocks" ]; do
	sql=$(awk -v want="$i" '/^```sql$/ { n++; inb = (n == want); next } /^```$/ { inb = 0 } inb' "$DOC")
	out=$(printf '%s\n' "$sql" | psql -X -q -A -t -U alice -v ON_ERROR_STOP=1 2>&1); rc=$?
	if [ "$rc" -eq 0 ] && [ -n "$out" ] && ! printf '%s' "$out" | grep -q ERROR; then
		pass "docs/analysts.md example block $i runs as the analyst and returns rows"
	else
		fail "docs/analysts.md example block $i runs as the analyst and returns rows"
		printf '%s\n' "$out" | head -5 | sed 's/^/#   /'
	fi
	i=$((i + 1))
done

# ---- no phone numbers -----------------------------------------------------
is "$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'analytics' AND column_name ~ 'phone|sender|recipient|number|msisdn'")" \
	0 "no analytics column is named like a phone number"
for v in $VIEWS; do
	n=$(q "SELECT count(*) FROM analytics.$v x WHERE x::text ~ '[+][0-9]{6,}'
		OR EXISTS (SELECT 1 FROM sawt.people p WHERE strpos(x::text, substr(p.phone, 5)) > 0)
		OR EXISTS (SELECT 1 FROM sawt.inbound_messages m WHERE m.sender ~ '^[+][0-9]{8,}'
			AND strpos(x::text, substr(m.sender, 5)) > 0)
		OR EXISTS (SELECT 1 FROM sawt.modems m WHERE strpos(x::text, substr(m.own_number, 5)) > 0)")
	is "$n" 0 "no phone number in the rows of analytics.$v"
done
is "$(q "SELECT count(*) > 0 FROM sawt.people x WHERE x::text ~ '[+][0-9]{6,}'
	AND EXISTS (SELECT 1 FROM sawt.people p WHERE strpos(x::text, substr(p.phone, 5)) > 0)")" \
	t "the phone scan does find phone numbers (checked on sawt.people)"
is "$(q "SELECT analytics.mask_phones('+961 3 123 456, 0096171123456, ٠٧١١٢٣٤٥٦, R 101 120 340 55 12 3, V1200')")" \
	"[number], [number], [number], R 101 120 340 55 12 3, V1200" \
	"mask_phones hides numbers but keeps report figures"

# ---- a registry loaded by sawt import -------------------------------------
# tests/data/import: 9 stations in 4 regions, two districts both named
# المركز (in different regions); registered 6450, women 3270.
IMP="$SAWT_TEST_TMP/imported.conf"
cp "$SAWT_CONFIG" "$IMP"
echo "name = imported" >> "$IMP"
"$SAWT" -c "$IMP" import contests "$SAWT_TEST_DATA/import/contests.csv" >/dev/null 2>&1 &&
	"$SAWT" -c "$IMP" import stations "$SAWT_TEST_DATA/import/stations.csv" >/dev/null 2>&1
is "$?" 0 "sawt import loads another election's registry"
is "$(q "SELECT stations_total, stations_reporting, registered, registered_women, voters FROM analytics.area_turnout WHERE election = 'imported' AND level = 'election'")" \
	"9|0|6450|3270|0" "imported registry: election totals"
is "$(q "SELECT area, stations_total, registered FROM analytics.area_turnout WHERE election = 'imported' AND level = 'region' AND area = 'بيروت'")" \
	"بيروت|3|2450" "imported registry: a region's totals"
is "$(q "SELECT string_agg(parent || '/' || registered, ' ' ORDER BY parent) FROM analytics.area_turnout WHERE election = 'imported' AND area = 'المركز'")" \
	"الجنوب/350 الشمال/300" "imported registry: same-named districts kept apart by parent"
is "$(q "SELECT region, district FROM analytics.station_turnout WHERE election = 'imported' AND station_code = '4011'")" \
	"الجنوب|صيدا" "imported registry: a station's region and district"
is "$(q "SELECT expected, received FROM analytics.reporting_progress WHERE election = 'imported' AND level = 'election' AND contest = 'MUK'")" \
	"3|0" "imported registry: stations expected for a contest"

# ---- sawt status ----------------------------------------------------------
CONF="$SAWT_TEST_TMP/status.conf"
cp "$SAWT_CONFIG" "$CONF"
echo "timezone = UTC" >> "$CONF"
out=$("$SAWT" -c "$CONF" status 2>&1); rc=$?
is "$rc" 0 "sawt status succeeds"
like "$out" '^Election "default" at 20[0-9-]+ [0-9:]+ UTC' "status: header names the election"
like "$out" '  all +5/7 71\.4% +4/7 57\.1% +3/7 42\.9% +3/4 75\.0% +5/7 71\.4%' "status: reporting progress overall"
like "$out" '  area +open +turnout +close +results MUK +results MUN' "status: a column per form and contest"
like "$out" '  North +3/4 75\.0% +2/4 50\.0% +2/4 50\.0% +2/3 66\.7% +3/4 75\.0%' "status: reporting progress of a region"
like "$out" '  all +6/7 +6700 +3450 +56\.6% +1540 +50\.5% +55\.6%' "status: turnout and women overall"
like "$out" '  South +2/2 +1600 +880 +55\.0% +250 +52\.1% +55\.6%' "status: turnout of a region"
like "$out" '  2 +Bassem +1210 +41\.6%' "status: results"
like "$out" '\(invalid\) +115' "status: invalid ballots"
like "$out" '^Open incidents: 2 \(serious 1, info 1\)' "status: open incidents by severity"
like "$out" '#[0-9]+ 16:00 station 501 serious: Intimidation - party agents' "status: lists serious open incidents"
like "$out" '^Open alerts: 3 \(critical 1, serious 2\)' "status: open alerts"
like "$out" '^Flagged reports: 2 \(conflict 1, turnout_decrease 1\)' "status: flags of current reports"
like "$out" '^Conflicting reports: close 2 \(station 201 501\), results MUN 1' "status: conflicts"
like "$out" '^Message errors: 6 \(bad_pin 1, ' "status: message errors"
like "$out" '^Not answered: 1 \(non_phone_sender 1\)' "status: messages not answered, by reason"
out0=$out
like "$out" '  usb1 +down +- +touch +3 +2 +4 +5 +0 +13:00:00' "status: the modems table (held 0)"
if printf '%s\n' "$out" | grep -q 'Akkar'; then fail "status: districts only on request"; else pass "status: districts only on request"; fi
out=$("$SAWT" -c "$CONF" status --districts 2>&1)
like "$out" '    Tripoli +1/2 +1800 +720 +60\.0% +350 +48\.6% +58\.3%' "status --districts: turnout of a district"

out=$("$SAWT" -c "$CONF" status -e other 2>&1)
like "$out" '  all +1/1 +100 +50 +50\.0% +20 +40\.0% +40\.0%' "status -e: another election"
out=$("$SAWT" -c "$CONF" status -e nowhere 2>&1); rc=$?
is "$rc" 1 "status: an unknown election fails"
like "$out" 'election "nowhere" not found' "status: and says so"
out=$("$SAWT" -c "$CONF" status --bogus 2>&1); rc=$?
is "$rc" 2 "status: a bad option is a usage error"

# Messages recorded but not processed (by an older sawtd's rate limit, or a
# processing error): counted for sawt reprocess, then gone again.
like "$out0" '^Not processed \(sawt reprocess\): none' "status: nothing left to reprocess"
q "INSERT INTO sawt.inbound_messages (received_at, transport, sender, text, dedup_key, state,
	no_reply_reason, processed_at) VALUES
	('2024-05-12 10:00+00', 'modem', '+96170000001', 'T 101 V1', sha256('x1'), 'ignored',
	 'rate_limited', '2024-05-12 10:00+00'),
	('2024-05-12 10:01+00', 'modem', '+96170000001', 'T 101 V2', sha256('x2'), 'failed',
	 NULL, '2024-05-12 10:01+00')" >/dev/null
out=$("$SAWT" -c "$CONF" status 2>&1)
like "$out" '^Not processed \(sawt reprocess\): 2 \(failed 1, rate_limited 1\)' \
	"status: messages recorded but not processed, for sawt reprocess"
q "DELETE FROM sawt.inbound_messages WHERE dedup_key IN (sha256('x1'), sha256('x2'))" >/dev/null

# As the analyst: the same figures, no modems (no access to schema sawt).
sed "s/user=sawt/user=alice/" "$CONF" > "$SAWT_TEST_TMP/alice.conf"
out=$("$SAWT" -c "$SAWT_TEST_TMP/alice.conf" status 2>&1); rc=$?
is "$rc" 0 "status works for an analyst"
like "$out" '  all +6/7 +6700 +3450 +56\.6%' "status as analyst: same turnout"
if printf '%s\n' "$out" | grep -q '^Modems'; then fail "status as analyst: no modems"; else pass "status as analyst: no modems"; fi

# Before migration: a clear message.
q "CREATE DATABASE bare" >/dev/null
sed "s/dbname=sawt/dbname=bare/" "$CONF" > "$SAWT_TEST_TMP/bare.conf"
out=$("$SAWT" -c "$SAWT_TEST_TMP/bare.conf" status 2>&1); rc=$?
is "$rc" 1 "status on an unmigrated database fails"
like "$out" 'analytics views are missing.*sawt migrate' "status: says to run sawt migrate"
done_testing
