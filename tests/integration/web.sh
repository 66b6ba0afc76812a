#!/bin/sh
# The coordinators' election-day page (docs/web.md) on a real sawtd with a
# real PostgreSQL and Gammu's dummy phone, driven with curl: every API
# endpoint refuses without a session; sign-in by a one-time code read from
# the outbox (priority 0), which works once, expires, and locks after the
# allowed wrong tries; a coordinator sees only their areas whatever the
# parameters; the figures equal analytics.area_turnout; no answer holds a
# phone number.
#
# Fixtures (tests/data/import/people.csv): Rana +9613555666, coordinator,
# English, areas بيروت and جبل لبنان; Karim +96181222333, coordinator,
# Arabic, area صيدا (a district of الجنوب).  Added here: Lina
# +96170999888, coordinator, no area (the whole election).
. "$(dirname "$0")/tap.sh"

RANA=+9613555666 KARIM=+96181222333 LINA=+96170999888
SAM=+96176123456 MOHAMMAD=+9613987654
. "$(dirname "$0")/web_lib.sh"

web_fixtures
# this test signs in and out many times from one address (web_guard.sh
# tests the limit)
printf '\n[web]\nsign_in_per_address = 1000\n' >>"$SAWT_CONFIG"
web_start

# --- 1. the page and its files ----------------------------------------------
is "$(get /)" 200 "GET /: 200"
like "$(cat "$OUT")" '<html lang="ar" dir="rtl">' "the page is Arabic, right to left, by default"
like "$(cat "$HEAD")" '^Content-Security-Policy: default-src .self.' "with a content security policy that allows only its own files"
is "$(get /app.js)" 200 "GET /app.js: 200"
is "$(get /app.css)" 200 "GET /app.css: 200"
is "$(get /chart.js)" 200 "GET /chart.js: 200 (Debian's libjs-chart.js)"
like "$(head -c 300 "$OUT")" 'Chart\.js' "it is Chart.js"

# --- 2. nothing without a session -------------------------------------------
BOGUS=$(printf '%064d' 0)
for p in /api/me /api/areas /api/incidents /api/alerts /api/results /api/timeline /api/ops /api/stations "/api/timeline?area=1" "/api/areas?area=1" "/api/incidents?area=1" "/api/alerts?area=1" "/api/results?area=1"; do
	is "$(get "$p")" 401 "GET $p without a session: 401"
	is "$(get "$p" "$BOGUS")" 401 "GET $p with an unknown session: 401"
	is "$(get "$p" "not-a-token")" 401 "GET $p with a malformed cookie: 401"
done
is "$(post /api/logout x=1)" 401 "POST /api/logout without a session: 401"
is "$(post /api/alerts/ack id=1)" 401 "POST /api/alerts/ack without a session: 401"
is "$(post /api/alerts/ack id=1 "$BOGUS")" 401 "POST /api/alerts/ack with an unknown session: 401"

# --- 3. the one-time code -----------------------------------------------------
is "$(post /api/login/code "phone=$KARIM")" 202 "Karim asks for a code: 202"
is "$(q "SELECT priority, kind, state <> 'failed' FROM sawt.outbox WHERE recipient = '$KARIM'")" "0|manual|t" \
	"one SMS is queued for him at priority 0"
K1=$(code_of "$KARIM")
like "$K1" '^[0-9]{6}$' "holding a 6-digit code"
like "$(q "SELECT body FROM sawt.outbox WHERE recipient = '$KARIM'")" 'رمز الدخول' "in his language (Arabic)"
is "$(q "SELECT count(*) FROM sawt.web_codes WHERE code_hash = '$K1'")" 0 "the code itself is not stored (its digest is)"
wait_sql "SELECT state FROM sawt.outbox WHERE recipient = '$KARIM'" sent 60 && pass "and it leaves through the modem" || fail "and it leaves through the modem"
is "$(post /api/login/code "phone=$KARIM")" 202 "asking again within the minute: 202"
is "$(n_codes "$KARIM")" 1 "but no second SMS is sent"
is "$(post /api/login/code "phone=+96170000001")" 202 "an unregistered number gets the same answer"
is "$(n_codes +96170000001)" 0 "and no SMS"
is "$(post /api/login/code "phone=$SAM")" 202 "an observer's number gets the same answer"
is "$(n_codes "$SAM")" 0 "and no SMS (the page is for coordinators)"
is "$(post /api/login/code "phone=hello")" 400 "a phone that is no number: 400"
is "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/login/code?phone=$KARIM")" 405 "GET /api/login/code: 405"

WRONG=$(printf '%06d' $(( (1${K1} + 1) % 1000000 )))
is "$(post2 /api/login/verify "$KARIM" "$WRONG")" 401 "a wrong code: 401"
is "$(field 'j["error"]')" wrong "saying wrong"
is "$(post2 /api/login/verify "$KARIM" "$K1")" 200 "the right code: 200"
like "$(cat "$HEAD")" '^Set-Cookie: sawt_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=[0-9]+' \
	"sets an HttpOnly, SameSite=Strict session cookie"
KTOK=$(sed -n 's/^Set-Cookie: sawt_session=\([0-9a-f]*\);.*/\1/p' "$HEAD" | tr -d '\r')
is "$(q "SELECT count(*) FROM sawt.web_sessions WHERE token_hash = '$KTOK'")" 0 "the session token itself is not stored"
is "$(post2 /api/login/verify "$KARIM" "$K1")" 401 "the same code a second time: 401"
is "$(field 'j["error"]')" none "it works once"

# wrong codes are limited: the 5th wrong try locks the code, right or not after
again "$RANA"
post /api/login/code "phone=$RANA" >/dev/null
R1=$(code_of "$RANA")
RW=$(printf '%06d' $(( (1${R1} + 7) % 1000000 )))
for i in 1 2 3 4; do post2 /api/login/verify "$RANA" "$RW" >/dev/null; done
is "$(field 'j["error"]')" wrong "4 wrong codes: still wrong"
is "$(post2 /api/login/verify "$RANA" "$RW")" 429 "the 5th wrong code: 429"
is "$(field 'j["error"]')" locked "locked"
is "$(post2 /api/login/verify "$RANA" "$R1")" 429 "then the right code is refused too"

# expiry
again "$LINA"
post /api/login/code "phone=$LINA" >/dev/null
L1=$(code_of "$LINA")
q "UPDATE sawt.web_codes c SET expires_at = now() - interval '1 second' FROM sawt.people p WHERE p.id = c.person_id AND p.phone = '$LINA'"
is "$(post2 /api/login/verify "$LINA" "$L1")" 401 "an expired code: 401"
is "$(field 'j["error"]')" expired "expired"
like "$(q "SELECT max(expires_at - created_at) FROM sawt.web_codes")" '^00:05:00$' "codes are valid 5 minutes"

# --- 4. figures and scope ------------------------------------------------------
"$SAWT" inject "$SAM" 'T 2011 V300 W120' >/dev/null
"$SAWT" inject "$MOHAMMAD" 'T 4011 V400 W150 #9753' >/dev/null
"$SAWT" inject "$SAM" "I 2011 3 money handed out, call $SAM" >/dev/null
"$SAWT" inject "$MOHAMMAD" 'I 4011 4 #9753' >/dev/null
wait_sql "SELECT count(*) FROM sawt.reports WHERE outcome = 'accepted'" 4 60 && pass "four reports stored" || fail "four reports stored"

RTOK=$(sign_in "$RANA")
LTOK=$(sign_in "$LINA")
like "$RTOK" '^[0-9a-f]{64}$' "Rana signs in (a new code after the locked one)"
like "$LTOK" '^[0-9a-f]{64}$' "Lina signs in"

is "$(get /api/me "$KTOK")" 200 "Karim's /api/me: 200"
is "$(field 'j["national"], [a["name"] for a in j["areas"]], j["language"]')" "False ['صيدا'] ar" "he covers صيدا, in Arabic"
is "$(get /api/areas "$KTOK")" 200 "Karim's /api/areas: 200"
is "$(field '[(a["name"], a["stations_total"], a["voters"], a["women"]) for a in j]')" "[('صيدا', 1, 400, 150)]" "shows his district only, with its figures"
is "$(get "/api/areas?area=$(area_id 'بيروت')" "$KTOK")" 403 "Karim asking for بيروت: 403"
is "$(get "/api/areas?area=$(area_id 'الجنوب')" "$KTOK")" 403 "asking for the region above his district: 403"
is "$(get "/api/incidents?area=$(area_id 'جبل لبنان')" "$KTOK")" 403 "incidents of جبل لبنان: 403"
is "$(get "/api/areas?area=$(area_id 'صيدا')" "$KTOK")" 200 "his own district by number: 200"
is "$(get "/api/areas?area=99999" "$KTOK")" 403 "an area that does not exist: 403"
is "$(get "/api/areas?area=1%20OR%201=1" "$KTOK")" 400 "an area that is no number: 400"
is "$(get "/api/areas?area=$(area_id 'صيدا')&area=$(area_id 'بيروت')" "$KTOK")" 200 "a second area parameter is ignored (the first counts)"
is "$(field 'j')" "[]" "and shows nothing of بيروت"
is "$(get /api/incidents "$KTOK")" 200 "Karim's incidents: 200"
is "$(field '[(i["station_code"], i["code"], i["severity"]) for i in j]')" "[('4011', 4, 'critical')]" "only the one at 4011"

is "$(get /api/areas "$RTOK")" 200 "Rana's /api/areas: 200"
is "$(field 'sorted(a["name"] for a in j)')" "['بيروت', 'جبل لبنان']" "her two regions"
is "$(get /api/incidents "$RTOK")" 200 "Rana's incidents: 200"
is "$(field '[(i["station_code"], i["incident"]) for i in j]')" "[('2011', 'Vote buying')]" "only the one at 2011"
like "$(field 'j[0]["text"]')" 'money handed out' "with its text"

is "$(get /api/areas "$LTOK")" 200 "Lina's /api/areas: 200"
is "$(field 'len(j)')" "$(q "SELECT count(*) FROM sawt.areas WHERE parent_id IS NULL")" "the national coordinator sees every region"
for r in 'جبل لبنان' 'الجنوب' 'بيروت'; do
	is "$(field "[(a['stations_total'], a['stations_reporting'], a['voters'], a['women'], str(a['turnout_pct']), str(a['women_share']), str(a['women_turnout_pct'])) for a in j if a['name'] == '$r'][0]")" \
		"$(q "SELECT '(' || stations_total || ', ' || stations_reporting || ', ' || voters || ', ' || COALESCE(women::text, 'None') || ', ''' || COALESCE(turnout_pct::text, 'None') || ''', ''' || COALESCE(women_share::text, 'None') || ''', ''' || COALESCE(women_turnout_pct::text, 'None') || ''')' FROM analytics.area_turnout WHERE area = '$r' AND level = 'region'")" \
		"$r: the figures equal analytics.area_turnout"
done
# a quarantined report leaves the figures, as it leaves the analytics views
q "UPDATE sawt.reports SET review_state = 'quarantined' WHERE form = 'turnout' AND station_code = '4011'"
is "$(get /api/areas "$LTOK")" 200 "Lina's /api/areas after 4011's turnout is quarantined"
is "$(field "[(a['stations_reporting'], a['voters']) for a in j if a['name'] == 'الجنوب'][0]")" \
	"$(q "SELECT '(' || stations_reporting || ', ' || voters || ')' FROM analytics.area_turnout WHERE area = 'الجنوب' AND level = 'region'")" \
	"الجنوب's figures leave it out, as analytics.area_turnout does"
is "$(field "[a['voters'] for a in j if a['name'] == 'الجنوب'][0]")" 0 "(no voters left there)"
q "UPDATE sawt.reports SET review_state = 'verified' WHERE form = 'turnout' AND station_code = '4011'"
is "$(get /api/areas "$LTOK")" 200 "verified again"
is "$(field "[a['voters'] for a in j if a['name'] == 'الجنوب'][0]")" 400 "it counts again"
is "$(get "/api/areas?area=$(area_id 'جبل لبنان')" "$LTOK")" 200 "Lina drills down to جبل لبنان"
is "$(field 'sorted((a["name"], a["opened"], a["with_turnout"]) for a in j)')" "[('المتن', 0, 0), ('بعبدا', 0, 1)]" "its districts, بعبدا with its turnout"
is "$(get /api/incidents "$LTOK")" 200 "Lina's incidents: 200"
is "$(field '[i["station_code"] for i in j]')" "[$(q "SELECT string_agg('''' || s.code || '''', ', ' ORDER BY r.id DESC) FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE r.form = 'incident'")]" "all of them, newest first"

# alerts: each coordinator sees and acknowledges the alerts of their areas only
wait_sql "SELECT count(*) FROM sawt.alerts a JOIN sawt.stations s ON s.id = a.station_id WHERE a.kind = 'critical_incident' AND a.state = 'open' AND s.code IN ('2011', '4011')" 2 60 &&
	pass "the two critical incidents raised their alerts" || fail "the two critical incidents raised their alerts"
A4011=$(q "SELECT a.id FROM sawt.alerts a JOIN sawt.stations s ON s.id = a.station_id WHERE a.kind = 'critical_incident' AND s.code = '4011'")
A2011=$(q "SELECT a.id FROM sawt.alerts a JOIN sawt.stations s ON s.id = a.station_id WHERE a.kind = 'critical_incident' AND s.code = '2011'")
is "$(get /api/alerts "$KTOK")" 200 "Karim's /api/alerts: 200"
is "$(field '[(a["id"], a["station_code"], a["state"], a["acknowledged"]) for a in j]')" "[($A4011, '4011', 'open', False)]" "only the alert at 4011, open, not acknowledged"
is "$(get /api/alerts "$LTOK")" 200 "Lina's /api/alerts: 200"
is "$(field 'sorted(a["id"] for a in j if a["rule"] == "critical_incident")')" "$(q "SELECT '[' || string_agg(id::text, ', ' ORDER BY id) || ']' FROM sawt.alerts WHERE id IN ($A2011, $A4011)")" "the national coordinator sees both"
is "$(get "/api/alerts?area=$(area_id 'جبل لبنان')" "$KTOK")" 403 "Karim's alerts of جبل لبنان: 403"
is "$(post /api/alerts/ack "id=$A2011" "$KTOK")" 404 "Karim cannot acknowledge the alert at 2011"
is "$(q "SELECT acknowledged_at IS NULL FROM sawt.alerts WHERE id = $A2011")" t "which stays unacknowledged"
is "$(post /api/alerts/ack "id=x" "$KTOK")" 400 "an id that is no number: 400"
is "$(post /api/alerts/ack "id=$A4011" "$KTOK")" 200 "Karim acknowledges the alert at 4011 from the page"
is "$(field 'j["already"]')" False "the first time"
is "$(q "SELECT p.name FROM sawt.alerts a JOIN sawt.people p ON p.id = a.acknowledged_by WHERE a.id = $A4011")" Karim "the alert is acknowledged by him"
is "$(post /api/alerts/ack "id=$A4011" "$KTOK")" 200 "acknowledging again: 200"
is "$(field 'j["already"]')" True "saying it already was"
is "$(get /api/alerts "$KTOK")" 200 "Karim's alerts again"
is "$(field '[a["acknowledged"] for a in j]')" "[True]" "show it acknowledged"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "sawt_session=$KTOK" "$BASE/api/alerts/ack?id=$A4011")" 405 "GET /api/alerts/ack: 405"

# results: the contests of the stations in scope
is "$(get /api/results "$LTOK")" 200 "Lina's /api/results: 200"
is "$(field '[(c["code"], c["stations_total"], c["stations_counted"]) for c in j]')" \
	"[$(q "SELECT string_agg('(''' || contest_code || ''', ' || stations_total || ', ' || stations_reporting || ')', ', ' ORDER BY contest_code) FROM (SELECT DISTINCT contest_code, stations_total, stations_reporting FROM analytics.results) r")]" \
	"the contests with their stations, as analytics.results counts them"
is "$(get /api/results "$KTOK")" 200 "Karim's /api/results: 200"
is "$(field '[(c["code"], c["stations_total"]) for c in j]')" "[('MUN', 1)]" "only the contest of his one station"

# the day's progress: stations with each form by quarter hour, cumulated
is "$(get /api/timeline "$LTOK")" 200 "Lina's /api/timeline: 200"
is "$(field 'j["stations"], [(p["form"], p["n"]) for p in j["points"]][-1]')" "9 ('turnout', 2)" "9 stations, 2 with turnout by the last quarter hour"
is "$(get /api/timeline "$KTOK")" 200 "Karim's /api/timeline: 200"
is "$(field 'j["stations"], [(p["form"], p["n"]) for p in j["points"]]')" "1 [('turnout', 1)]" "his one station, with its turnout"

# --- 4b. live updates: Server-Sent Events --------------------------------------
SSE="$SAWT_TEST_TMP/events"
is "$(get /api/events)" 401 "GET /api/events without a session: 401"
is "$(get /api/events "$BOGUS")" 401 "GET /api/events with an unknown session: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -b "sawt_session=$LTOK" "$BASE/api/events")" 405 "POST /api/events: 405"
t0=$(date +%s)
curl -s -N -D "$HEAD" -b "sawt_session=$LTOK" --max-time 120 "$BASE/api/events" >"$SSE" &
cpid=$!
wait_for "$SSE" '^retry: [0-9]+' 30 && pass "a stream opens with a retry: hint" || fail "a stream opens with a retry: hint"
like "$(cat "$HEAD")" '^Content-Type: text/event-stream' "as text/event-stream"
n0=$(q "SELECT count(*) FROM sawt.inbound_messages")
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$SAWT" inject "$SAM" "I 2011 1 burst $i" >/dev/null
done
wait_sql "SELECT count(*) - $n0 FROM sawt.inbound_messages" 10 60 && pass "a burst of ten messages is stored" || fail "a burst of ten messages is stored"
wait_for "$SSE" '"reports":true' 30 && pass "an event says the reports changed" || fail "an event says the reports changed"
sleep 2
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
t1=$(date +%s)
events=$(grep -c '^event: change' "$SSE")
echo "# $events events in $((t1 - t0)) s"
if [ "$events" -ge 1 ] && [ "$events" -le $((t1 - t0 + 1)) ]; then
	pass "no more than one event a second ($events in $((t1 - t0)) s)"
else
	fail "no more than one event a second ($events in $((t1 - t0)) s)"
fi
is "$(grep -v '^event: change$' "$SSE" | grep -v '^data: {"reports":\(true\|false\),"alerts":\(true\|false\),"ops":\(true\|false\)}$' | grep -v '^retry: [0-9]*$' | grep -v '^: \(hello\|keep-alive\)$' | grep -cv '^$')" 0 \
	"the stream holds only events naming what changed (no figures, no numbers)"
cat "$SSE" >>"$ALL"
# the server let go of the stream whose client left: a new one still opens
curl -s -N -b "sawt_session=$LTOK" --max-time 5 "$BASE/api/events" >"$SSE" 2>/dev/null
like "$(cat "$SSE")" '^retry: ' "a second stream opens after the first client left"

# --- 4c. the operations panel (national coordinators) --------------------------
is "$(get /api/ops "$KTOK")" 403 "Karim (a district's coordinator) asking for /api/ops: 403"
is "$(get /api/ops "$LTOK")" 200 "Lina's /api/ops: 200"
is "$(field '[(m["name"], m["state"]) for m in j["modems"]]')" \
	"[$(q "SELECT string_agg('(''' || name || ''', ''' || state || ''')', ', ' ORDER BY node, name) FROM sawt.modems")]" \
	"the modems with their state, as sawt.modems holds them"
is "$(field 'sorted(set(k for m in j["modems"] for k in m) & {"own_number", "imei"})')" "[]" "without the SIM's number or IMEI"
is "$(field 'len(j["per_minute"]), sum(p["in"] for p in j["per_minute"]) >= 14')" "15 True" \
	"messages per minute over 15 minutes, the messages of this test among them"
is "$(field 'sum(p["in"] for p in j["per_minute"])')" \
	"$(q "SELECT count(*) FROM sawt.inbound_messages WHERE received_at >= date_trunc('minute', now()) - interval '14 minutes'")" \
	"as many in as sawt.inbound_messages holds"
is "$(field 'sum(p["out"] for p in j["per_minute"])')" \
	"$(q "SELECT count(*) FROM sawt.outbox WHERE sent_at >= date_trunc('minute', now()) - interval '14 minutes'")" \
	"as many out as sawt.outbox sent"
is "$(field 'j["outbox"]["queued"] + j["outbox"]["sending"]')" \
	"$(q "SELECT count(*) FROM sawt.outbox WHERE state IN ('queued', 'sending')")" "the outbox backlog"
is "$(field '[n["node"] for n in j["nodes"]]')" "[$(q "SELECT string_agg('''' || node || '''', ', ' ORDER BY node) FROM sawt.nodes")]" \
	"each node with its spool"

# --- 4d. stations of an area, and the thresholds the page marks them by --------
is "$(get /api/thresholds)" 401 "GET /api/thresholds without a session: 401"
is "$(get /api/stations "$BOGUS")" 401 "GET /api/stations with an unknown session: 401"
is "$(get /api/thresholds "$KTOK")" 200 "Karim's /api/thresholds: 200"
is "$(field 'j["turnout_high_pct"], j["women_low_pct"], j["women_high_pct"], j["women_min_voters"]')" "90 15 85 50" \
	"the running configuration's [alerts] thresholds (the defaults here)"
is "$(get "/api/stations?area=$(area_id 'بعبدا')" "$KTOK")" 403 "Karim asking for the stations of بعبدا: 403"
is "$(get "/api/stations?area=$(area_id 'بعبدا')" "$LTOK")" 200 "Lina's stations of بعبدا: 200"
is "$(field '[(s["code"], s["registered"], s["voters"], s["women"], s["turnout_pct"], s["women_share"]) for s in j]')" \
	"[('2011', 650, 300, 120, 46.2, 40.0)]" "2011 with its turnout and women's share"
is "$(get "/api/stations?area=$(area_id 'صيدا')" "$KTOK")" 200 "Karim's stations of صيدا: 200"
is "$(field '[(s["code"], s["turnout_pct"]) for s in j]')" "[('4011', 40.0)]" "4011 at 40%"
is "$(get /api/stations "$KTOK")" 200 "without an area"
is "$(field 'j')" "[]" "no stations are listed"

# --- 5. no phone number anywhere -------------------------------------------
NUMS=$(q "SELECT string_agg(substr(phone, 2), '|') FROM sawt.people")
if grep -Eq "$NUMS" "$ALL"; then fail "no answer holds a registered phone number"; else pass "no answer holds a registered phone number"; fi
if grep -Eq '\+[0-9]{8,}' "$ALL"; then fail "nor anything shaped like one"; else pass "nor anything shaped like one"; fi

# --- 6. sign out ----------------------------------------------------------------
is "$(post /api/logout x=1 "$KTOK")" 200 "Karim signs out"
is "$(get /api/me "$KTOK")" 401 "his session no longer works"

# a stream still open when sawtd stops is ended
curl -s -N -b "sawt_session=$LTOK" --max-time 60 "$BASE/api/events" >"$SSE" 2>/dev/null &
cpid=$!
wait_for "$SSE" '^retry: ' 30 >/dev/null
kill "$pid"
wait "$pid"
rc=$?
wait "$cpid"
crc=$?
# 0: it saw the last chunk; 18: the connection closed first (the browser reconnects either way)
like "$crc" '^(0|18)$' "a stream open when sawtd stops is closed, not left hanging (curl: $crc)"
is "$rc" 0 "sawtd stops cleanly (under ASan: nothing leaked, the event streams included)"
[ "$rc" -eq 0 ] || grep -A12 'Sanitizer' "$LOG" | sed 's/^/# /'
no_errors "$LOG"
done_testing
