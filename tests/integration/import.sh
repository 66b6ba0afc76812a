#!/bin/sh
# Registry import (sawt import) against a real PostgreSQL: good files of
# every kind, Arabic names, phone forms, PINs and pseudonyms, re-import in
# place, bad files (validation and database checks) importing nothing.
. "$(dirname "$0")/tap.sh"

D="$SAWT_TEST_DATA/import"
q() { psql -XAtq -c "$1"; }

# run_import KIND FILE: run sawt import, leaving $out (stdout+stderr) and $rc
run_import() {
	out=$("$SAWT" import "$1" "$D/$2" 2>&1); rc=$?
}

# The whole registry, to show that a failed import changed nothing.
snapshot() {
	q "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
	   SELECT 's' || row(s.*)::text AS t FROM sawt.stations s
	   UNION ALL SELECT 'a' || row(a.*)::text FROM sawt.areas a
	   UNION ALL SELECT 'p' || row(p.*)::text FROM sawt.people p
	   UNION ALL SELECT 'c' || row(c.*)::text FROM sawt.contests c
	   UNION ALL SELECT 'k' || row(k.*)::text FROM sawt.candidates k
	   UNION ALL SELECT 'i' || row(i.*)::text FROM sawt.incident_codes i
	   UNION ALL SELECT 'x' || row(x.*)::text FROM sawt.station_contests x
	   UNION ALL SELECT 'y' || row(y.*)::text FROM sawt.person_stations y
	   UNION ALL SELECT 'z' || row(z.*)::text FROM sawt.person_areas z) u"
}

out=$("$SAWT" migrate 2>&1)
is "$?" 0 "migrate"

# ---- a database without the schema ------------------------------------
q "CREATE DATABASE bare"
sed 's/dbname=sawt/dbname=bare/' "$SAWT_CONFIG" > "$SAWT_TEST_TMP/bare.conf"
out=$("$SAWT" -c "$SAWT_TEST_TMP/bare.conf" import incident-codes "$D/incident_codes.csv" 2>&1)
is "$?" 1 "import into a database without the schema fails"
like "$out" 'no sawt schema yet: run "sawt migrate" first' "and says to run sawt migrate"

# ---- good files -------------------------------------------------------
run_import incident-codes incident_codes.csv
is "$rc" 0 "import incident-codes"
is "$out" "imported 5 incident codes (5 new, 0 updated)" "incident-codes summary"

run_import stations stations.csv
is "$rc" 1 "stations before their contests are refused"
like "$out" '^line 2: unknown contest "MUN" \(import contests first\)$' "the unknown contest is named with its line"
is "$(q 'SELECT count(*) FROM sawt.stations') $(q 'SELECT count(*) FROM sawt.areas')" "0 0" "nothing of it was written"

run_import contests contests.csv
is "$rc" 0 "import contests"
is "$out" "imported 2 contests (2 new, 0 updated) with 6 candidates (6 new, 0 updated)" "contests summary"

run_import stations stations.csv
is "$rc" 0 "import stations (BOM, CRLF, Arabic)"
is "$out" "imported 9 stations (9 new, 0 updated), 12 new areas" "stations summary"

run_import people people.csv
is "$rc" 0 "import people"
is "$out" "imported 7 people (7 new, 0 updated)" "people summary"

is "$(q 'SELECT count(*) FROM sawt.stations')" 9 "9 stations"
is "$(q "SELECT count(*) FILTER (WHERE depth = 1) || ' ' || count(*) FILTER (WHERE depth = 2) FROM sawt.areas")" \
	"4 8" "4 regions and 8 districts"
is "$(q "SELECT count(*) FROM sawt.areas d JOIN sawt.areas r ON r.id = d.parent_id WHERE d.name = 'المركز'")" 2 \
	"two districts of the same name in different regions"
is "$(q "SELECT r.name || '/' || d.name FROM sawt.stations s JOIN sawt.areas d ON d.id = s.area_id
	 JOIN sawt.areas r ON r.id = d.parent_id WHERE s.code = '2011'")" "جبل لبنان/بعبدا" "a station sits in its district"
is "$(q 'SELECT count(*) FROM sawt.contests') $(q 'SELECT count(*) FROM sawt.candidates') $(q 'SELECT count(*) FROM sawt.incident_codes')" \
	"2 6 5" "2 contests, 6 candidates, 5 incident codes"
is "$(q 'SELECT count(*) FROM sawt.people') $(q 'SELECT count(*) FROM sawt.person_stations') $(q 'SELECT count(*) FROM sawt.person_areas')" \
	"7 5 4" "7 people, 5 station and 4 area assignments"
is "$(q "SELECT string_agg(c.code, '|' ORDER BY c.code) FROM sawt.station_contests sc
	 JOIN sawt.stations s ON s.id = sc.station_id JOIN sawt.contests c ON c.id = sc.contest_id WHERE s.code = '1021'")" \
	"MUK|MUN" "a station's contests"
is "$(q "SELECT count(*) FROM sawt.station_contests sc JOIN sawt.stations s ON s.id = sc.station_id WHERE s.code = '2021'")" 1 \
	"a lower-case contest code matches"

# ---- Arabic and Arabic-Indic digits -----------------------------------
is "$(q "SELECT name FROM sawt.stations WHERE code = '1021'")" "مدرسة الأشرفية الرسمية - غرفة 1" "Arabic station name round-trips"
is "$(q "SELECT centre FROM sawt.stations WHERE code = '1022'")" "مدرسة الأشرفية الرسمية" "Arabic centre round-trips"
is "$(q "SELECT name FROM sawt.stations WHERE code = '2011'")" "Ecole Saint-Joseph, salle 1" "a quoted name with a comma"
is "$(q "SELECT registered || '/' || registered_women FROM sawt.stations WHERE code = '4011'")" "1000/500" \
	"Arabic-Indic digits in numbers"
is "$(q "SELECT k.name FROM sawt.candidates k JOIN sawt.contests c ON c.id = k.contest_id WHERE c.code = 'MUN' AND k.position = 4")" \
	"جورج نصر" "Arabic candidate name in ballot order"
is "$(q "SELECT name_en || '|' || name_ar || '|' || name_fr FROM sawt.incident_codes WHERE code = 2")" \
	"Observer denied entry|منع دخول المراقب|Observateur refoulé" "incident names in three languages"
is "$(q "SELECT severity FROM sawt.incident_codes WHERE code = 3")" critical "incident severity"
is "$(q "SELECT name FROM sawt.people WHERE phone = '+9613123456'")" "ليلى حداد" "Arabic person name round-trips"

# ---- phones, PINs, pseudonyms -----------------------------------------
is "$(q "SELECT string_agg(phone, ' ' ORDER BY id) FROM sawt.people")" \
	"+9613123456 +96171123456 +96176123456 +96171123457 +9613987654 +9613555666 +96181222333" \
	"every phone form normalised to E.164"
is "$(q "SELECT count(*) FROM sawt.people WHERE pin_hash IS NOT NULL")" 4 "four people have a PIN"
is "$(q "SELECT count(*) FROM sawt.people WHERE pin_hash ~ '^pbkdf2-sha256\\\$[0-9]+\\\$[0-9a-f]{32}\\\$[0-9a-f]{64}\$'")" 4 \
	"PINs are stored as PBKDF2 hashes"
is "$(q "SELECT count(*) FROM sawt.people p WHERE row_to_json(p)::text ~ '\"(1234|5678|2468|9753|٩٧٥٣)\"'")" 0 \
	"no PIN is stored in clear"
is "$(q "SELECT count(DISTINCT pin_hash) FROM sawt.people")" 4 "PIN hashes are salted"
want=$(printf '%s' '+9613123456' | openssl dgst -sha256 -hmac test-secret | sed 's/.*= *//')
is "$(q "SELECT pseudonym FROM sawt.people WHERE phone = '+9613123456'")" "$want" \
	"pseudonym is HMAC-SHA256 of the phone with the configured secret"
is "$(q "SELECT count(DISTINCT pseudonym) FROM sawt.people")" 7 "every person has their own pseudonym"
is "$(q "SELECT role || '/' || COALESCE(language, '-') FROM sawt.people WHERE phone = '+9613555666'")" "coordinator/en" "role and language"
is "$(q "SELECT COALESCE(language, '-') FROM sawt.people WHERE phone = '+9613987654'")" "-" "no language given: NULL"
is "$(q "SELECT r.name || '/' || a.name FROM sawt.person_areas pa JOIN sawt.people p ON p.id = pa.person_id
	 JOIN sawt.areas a ON a.id = pa.area_id JOIN sawt.areas r ON r.id = a.parent_id WHERE p.phone = '+96171123457'")" \
	"الشمال/المركز" "an area given as Region/District"
is "$(q "SELECT string_agg(a.name, '|' ORDER BY a.name) FROM sawt.person_areas pa JOIN sawt.people p ON p.id = pa.person_id
	 JOIN sawt.areas a ON a.id = pa.area_id WHERE p.phone = '+9613555666'")" "بيروت|جبل لبنان" "areas given by name"

# ---- re-import: same files, nothing new -------------------------------
before=$(snapshot)
ids=$(q "SELECT string_agg(id::text, ',' ORDER BY code) FROM sawt.stations")
run_import stations stations.csv
is "$out" "imported 9 stations (0 new, 9 updated), 0 new areas" "re-importing stations updates in place"
run_import people people.csv
is "$out" "imported 7 people (0 new, 7 updated)" "re-importing people updates in place"
is "$(q "SELECT string_agg(id::text, ',' ORDER BY code) FROM sawt.stations")" "$ids" "station ids are kept"
is "$(q 'SELECT count(*) FROM sawt.stations') $(q 'SELECT count(*) FROM sawt.areas') $(q 'SELECT count(*) FROM sawt.people') $(q 'SELECT count(*) FROM sawt.person_stations')" \
	"9 12 7 5" "counts unchanged"

# ---- bad files import nothing -----------------------------------------
before=$(snapshot)
run_import stations stations_bad.csv
is "$rc" 1 "a file with bad rows fails"
is "$out" 'line 3: registered_women 900 exceeds registered 800
line 4: registered "abc" is not a whole number from 0 to 999999999
line 6: duplicate station code "1022" (first on line 5)
line 7: only 3 fields, missing column "district"
sawt: '"$D"'/stations_bad.csv: 4 bad rows, nothing imported' "every bad row is listed with its line and reason"
is "$(snapshot)" "$before" "nothing of the bad file was imported (not even its good rows)"

run_import stations stations_unknown_contest.csv
is "$rc" 1 "a row naming an unknown contest fails the file"
like "$out" '^line 3: unknown contest "XYZ" \(import contests first\)$' "the unknown contest is listed with its line"
is "$(snapshot)" "$before" "the good row before it (station and new areas) was rolled back"

run_import people people_bad.csv
is "$rc" 1 "people with unknown stations or areas fail the file"
is "$out" 'line 3: unknown station "9999" (import stations first)
line 4: unknown area "Atlantis"
line 5: area "المركز" is ambiguous: several areas have that name; write it as "Region/District"
line 6: unknown area "بيروت/صيدا"
sawt: '"$D"'/people_bad.csv: 4 bad rows, nothing imported' "database checks list every bad row"
is "$(snapshot)" "$before" "nothing of the bad people file was imported"

printf 'phone,name,role\n03 123 456,A,observer\n03-12,B,boss\n0944 11,C,coordinator\n' > "$SAWT_TEST_TMP/p.csv"
out=$("$SAWT" import people "$SAWT_TEST_TMP/p.csv" 2>&1)
is "$out" "line 2: an observer needs at least one station or area
line 3: invalid phone \"03-12\": too short
line 3: unknown role \"boss\": expected observer or coordinator
line 4: invalid phone \"0944 11\": too short for its country's numbering plan
sawt: $SAWT_TEST_TMP/p.csv: 3 bad rows, nothing imported" "several reasons on one line, bad rows counted once, a number too short for its country"

# Bad rows and rows only the database can refuse, listed in one pass.
before=$(snapshot)
printf 'phone,name,role,stations,areas\n03 123 456,A,observer,9999,\n03-12,B,observer,1021,\n71 123 457,C,observer,,Atlantis\n' > "$SAWT_TEST_TMP/both.csv"
out=$("$SAWT" import people "$SAWT_TEST_TMP/both.csv" 2>&1)
is "$out" "line 2: unknown station \"9999\" (import stations first)
line 3: invalid phone \"03-12\": too short
line 4: unknown area \"Atlantis\"
sawt: $SAWT_TEST_TMP/both.csv: 3 bad rows, nothing imported" "bad rows and unknown stations or areas are listed together, by line"
is "$(snapshot)" "$before" "and nothing is imported"

# ---- dry run ----------------------------------------------------------
out=$("$SAWT" import --dry-run stations "$D/stations_v2.csv" 2>&1)
is "$out" "would import 9 stations (0 new, 9 updated), 0 new areas" "--dry-run reports what it would do"
is "$(snapshot)" "$before" "--dry-run writes nothing"

# ---- updates in place -------------------------------------------------
leila_pin=$(q "SELECT pin_hash FROM sawt.people WHERE phone = '+9613123456'")
psql -XAtq -c "LISTEN sawt_registry" -c "UPDATE sawt.stations SET name = name WHERE code = '1021'" \
	> "$SAWT_TEST_TMP/notify.out" 2>&1
like "$(cat "$SAWT_TEST_TMP/notify.out")" 'notification "sawt_registry" with payload "stations"' \
	"registry changes are announced on channel sawt_registry"

run_import stations stations_v2.csv
is "$out" "imported 9 stations (0 new, 9 updated), 0 new areas" "stations v2"
is "$(q "SELECT name || '|' || registered || '|' || registered_women FROM sawt.stations WHERE code = '1021'")" \
	"مدرسة الأشرفية - الغرفة الأولى|820|430" "a station is renamed and recounted in place"
is "$(q "SELECT string_agg(id::text, ',' ORDER BY code) FROM sawt.stations")" "$ids" "with the same ids"
is "$(q "SELECT a.name FROM sawt.stations s JOIN sawt.areas a ON a.id = s.area_id WHERE s.code = '2011'")" "المتن" \
	"a station moves to another district"
is "$(q "SELECT count(*) FROM sawt.station_contests sc JOIN sawt.stations s ON s.id = sc.station_id WHERE s.code = '3011'")" 1 \
	"a station's contests follow the file"

run_import contests contests_v2.csv
is "$out" "imported 2 contests (0 new, 2 updated) with 5 candidates (0 new, 5 updated)" "contests v2"
is "$(q "SELECT string_agg(k.position || ':' || k.name, '|' ORDER BY k.position) FROM sawt.candidates k
	 JOIN sawt.contests c ON c.id = k.contest_id WHERE c.code = 'MUN'")" \
	"1:ريما عون الخوري|2:سمير خوري|3:Lina Haddad" "a contest shrinks and a candidate is renamed"

run_import people people_v2.csv
is "$out" "imported 7 people (0 new, 7 updated)" "people v2 (other phone forms, same people)"
is "$(q "SELECT name || '|' || language FROM sawt.people WHERE phone = '+9613123456'")" "ليلى حداد الخوري|en" "a person is updated in place"
is "$(q "SELECT pin_hash FROM sawt.people WHERE phone = '+9613123456'")" "$leila_pin" "an empty pin keeps the PIN"
is "$(q "SELECT count(*) FROM sawt.people WHERE phone = '+96176123456' AND pin_hash IS NOT NULL")" 1 "a PIN can be added"
is "$(q "SELECT string_agg(s.code, ',') FROM sawt.person_stations ps JOIN sawt.stations s ON s.id = ps.station_id
	 JOIN sawt.people p ON p.id = ps.person_id WHERE p.phone = '+96171123457'")" "3021" "assignments follow the file (station)"
is "$(q "SELECT count(*) FROM sawt.person_areas pa JOIN sawt.people p ON p.id = pa.person_id WHERE p.phone = '+96171123457'")" 0 \
	"assignments follow the file (area removed)"
is "$(q 'SELECT count(*) FROM sawt.people')" 7 "still 7 people"

# ---- area names are matched as the parser reads them --------------------
# "الاشرفيه" (no hamza, ه for ة) and "  الأشرفيّة" are the area الأشرفية
# already imported, not new ones.
before=$(q 'SELECT count(*) FROM sawt.areas')
printf 'code,name,region,district,centre,registered,registered_women,contests\n9101,A,بيروت,الاشرفيه,C,100,50,\n9102,B,بيروت,الأشرفيّة,C,100,50,\n' >"$SAWT_TEST_TMP/fold.csv"
out=$("$SAWT" import stations "$SAWT_TEST_TMP/fold.csv" 2>&1)
is "$?" 0 "stations whose district is spelt differently import"
is "$(q 'SELECT count(*) FROM sawt.areas')" "$before" "and make no new area"
is "$(q "SELECT count(DISTINCT area_id) FROM sawt.stations WHERE code IN ('1021', '9101', '9102')")" 1 \
	"they are in the district already registered"

# A person's areas are matched the same way: "بـيـروت" (tatweel),
# "جَبَل-لبنان" (harakat, a dash) and "الاشرفيه" are the areas imported.
printf 'phone,name,role,language,stations,areas\n03 555 777,Folded,coordinator,en,,بـيـروت|جَبَل-لبنان|بيروت / الاشرفيه\n' >"$SAWT_TEST_TMP/fold_people.csv"
out=$("$SAWT" import people "$SAWT_TEST_TMP/fold_people.csv" 2>&1)
is "$out" "imported 1 person (1 new, 0 updated)" "a person's areas spelt differently import"
is "$(q "SELECT string_agg(a.name, '|' ORDER BY a.name) FROM sawt.person_areas pa JOIN sawt.people p ON p.id = pa.person_id
	 JOIN sawt.areas a ON a.id = pa.area_id WHERE p.phone = '+9613555777'")" "الأشرفية|بيروت|جبل لبنان" \
	"and are the areas already registered"

# ---- the observer's card looks its station up --------------------------
out=$("$SAWT" card --lang ar --station 1031 2>&1); rc=$?
is "$rc" 0 "sawt card --station finds an imported station"
like "$out" '<b class="code">1031</b> <span class="name">ثانوية المزرعة</span>' "and puts its code and name on the card"
like "$out" '<code>ق 1031 م420 ن190</code>' "with the code in the examples"
out=$("$SAWT" card --lang en --station 9999 2>&1); rc=$?
is "$rc" 1 "an unknown station is refused"
like "$out" 'station "9999" not found in election' "and named"
out=$("$SAWT" card --lang en --station 9999 --offline 2>&1); rc=$?
is "$rc" 0 "--offline takes the code as given"
like "$out" '<code>T 9999 V420 W190</code>' "into the examples"

# ---- configuration and usage ------------------------------------------
grep -v pseudonym_secret "$SAWT_CONFIG" > "$SAWT_TEST_TMP/nosecret.conf"
out=$("$SAWT" -c "$SAWT_TEST_TMP/nosecret.conf" import people "$D/people.csv" 2>&1)
is "$?" 1 "people cannot be imported without a pseudonym secret"
like "$out" "pseudonym_secret is not set in section \[election\]" "and the error says which setting"
out=$("$SAWT" import voters "$D/people.csv" 2>&1)
is "$?" 2 "an unknown kind is a usage error"
out=$("$SAWT" import stations "$SAWT_TEST_TMP/missing.csv" 2>&1)
is "$?" 1 "a missing file fails"
like "$out" "could not open file \".*missing.csv\": No such file or directory" "and says so"

done_testing
