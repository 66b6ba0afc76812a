#!/bin/sh
# Coordinators' STATUS and ACK through sawtd and Gammu's dummy phone
# (src/daemon/command.c): the numbers agree with the analytics views, areas are
# found by name (Arabic folded) within the coordinator's scope, alerts are
# acknowledged once and only by those who may see them, replies are in the
# coordinator's language and leave through the modem; a row left
# 'received' while sawtd was down is answered once it is back, exactly
# once, also with two sawtd nodes on one database; one failing answer does
# not hold up the others and is retried.
#
# Fixtures (tests/data/import/people.csv): Rana +9613555666, coordinator,
# English, areas بيروت and جبل لبنان; Karim +96181222333, coordinator,
# Arabic, area صيدا (a district of الجنوب).  Added here: Lina
# +96170999888, coordinator, no language, no area (the whole election).
. "$(dirname "$0")/tap.sh"

RANA=+9613555666
KARIM=+96181222333
LINA=+96170999888
LOG="$SAWT_TEST_TMP/sawtd.log"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
printf 'phone,name,role,language,stations,areas,pin\n%s,Lina,coordinator,,,,\n' "$LINA" \
	>"$SAWT_TEST_TMP/lina.csv"
"$SAWT" import people "$SAWT_TEST_TMP/lina.csv" >/dev/null || fail "a coordinator without area imports"

start_sawtd() {
	"$SAWTD" -c "${1:-$SAWT_CONFIG}" >>"${2:-$LOG}" 2>&1 &
}
start_sawtd
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 || fail "the dummy modem comes up"
wait_for "$LOG" "registry loaded" 60

# ask FROM TEXT: send TEXT from FROM and print the reply queued for it (not
# the alerts coordinators also get: tests/integration/alerts.sh)
ask() {
	_n=$(q "SELECT count(*) FROM sawt.outbox WHERE recipient = '$1' AND kind <> 'alert'")
	"$SAWT" inject "$1" "$2" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$1' AND kind <> 'alert'" $((_n + 1)) 90 >&2
	q "SELECT body FROM sawt.outbox WHERE recipient = '$1' AND kind <> 'alert' ORDER BY id DESC LIMIT 1"
}

# figures WHERE_AREA WHERE_INCIDENT: "reported stations turnout women
# incidents" over the rows of analytics.area_turnout and
# analytics.incidents the conditions select.  Several areas are combined
# from their sums (every report below gives W, so women's share is
# women / voters).
figures() {
	q "SELECT sum(stations_reporting), sum(stations_total),
		COALESCE(round(round(100.0 * sum(voters) / NULLIF(sum(registered_reporting), 0), 1)), 0),
		COALESCE(round(round(100.0 * sum(women) / NULLIF(sum(voters), 0), 1)), 0),
		(SELECT count(*) FROM analytics.incidents WHERE open AND ($2))
		FROM analytics.area_turnout WHERE $1" | tr '|' ' '
}
en_status() { echo "$1/$2 stations reported, turnout $3%, women $4%, $5 incidents"; }
# en_status_in AREA FIGURES...: the English reply naming AREA (after the
# first words, so an Arabic name does not turn the reply right to left)
en_status_in() { _a=$1; shift; echo "$1/$2 reported in $_a, turnout $3%, women $4%, $5 incidents"; }
fr_status() { echo "$1/$2 bureaux, participation $3%, femmes $4%, $5 incidents"; }
ar_status() { echo "$1/$2 قلم، الاقتراع $3%، النساء $4%، مخالفات $5"; }

# --- turnout and incidents from observers ---------------------------------
"$SAWT" inject +9613123456 'T 1021 V420 W190 #1234' >/dev/null
"$SAWT" inject +96171123456 'T 1031 V300 W140 #5678' >/dev/null
"$SAWT" inject +96176123456 'T 2011 V300 W120' >/dev/null
"$SAWT" inject +9613987654 'T 4011 V500 W260 #9753' >/dev/null
"$SAWT" inject +9613123456 'I 1021 3 vote buying at the door #1234' >/dev/null
"$SAWT" inject +96176123456 'I 2011 1' >/dev/null
wait_sql "SELECT count(*) FROM sawt.reports WHERE outcome <> 'rejected'" 6 90 &&
	pass "observers' turnout and incidents are stored" || fail "observers' turnout and incidents are stored"

# --- STATUS ---------------------------------------------------------------
RANA_AREAS="level = 'region' AND area IN ('بيروت', 'جبل لبنان')"
RANA_INC="region IN ('بيروت', 'جبل لبنان')"
# shellcheck disable=SC2046
set -- $(figures "$RANA_AREAS" "$RANA_INC")
want=$(en_status "$@")
is "$want" "3/5 stations reported, turnout 43%, women 44%, 2 incidents" "the views give Rana's areas as worked out by hand"
is "$(ask $RANA 'STATUS')" "$want" "STATUS alone: the coordinator's areas together, as analytics.area_turnout and analytics.incidents give them"
is "$(q "SELECT kind || ' ' || priority || ' ' || (person_id IS NOT NULL) || ' ' || (inbound_id IS NOT NULL) FROM sawt.outbox WHERE recipient = '$RANA' AND kind <> 'alert'")" \
	"status 2 true true" "the reply is an outbox row of kind status, priority 2, with person and inbound message"
is "$(q "SELECT state || ' ' || (processed_at IS NOT NULL) || ' ' || COALESCE(error_code, '-') FROM sawt.inbound_messages WHERE sender = '$RANA'")" \
	"processed true -" "the STATUS message is marked processed"

set -- $(figures "area = 'صيدا'" "district = 'صيدا'")
is "$(q "SELECT stations_reporting || '/' || stations_total || ' ' || round(turnout_pct) || ' ' || round(women_share) FROM analytics.area_turnout WHERE area = 'صيدا'")" \
	"$1/$2 $3 $4" "(the figures of a single area are area_turnout's row)"
is "$(ask $KARIM 'وضع')" "صيدا: $(ar_status "$@")" "Arabic STATUS alone: Arabic reply named after the coordinator's one area"
is "$(ask $KARIM 'وضع صيدا')" "صيدا: $(ar_status "$@")" "Arabic STATUS with an Arabic area name"

set -- $(figures "area = 'جبل لبنان'" "region = 'جبل لبنان'")
out=$(ask $RANA 'وضع جبل لبنان')
is "$out" "$(en_status_in 'جبل لبنان' "$@")" \
	"an Arabic area from an English-registered coordinator: English reply, Arabic area"
like "$out" '^[0-9]+/[0-9]+ reported in ' "which starts left to right, with the figures, not the Arabic name"

set -- $(figures "level = 'election'" "true")
is "$(ask $LINA 'ETAT')" "$(fr_status "$@")" "no area assigned: the whole election; no registered language: the message's (French)"
set -- $(figures "area = 'الأشرفية'" "district = 'الأشرفية'")
is "$(ask $LINA 'STATUS الاشرفيه')" "$(en_status_in الأشرفية "$@")" \
	"area names are folded like the parser folds Arabic (الاشرفيه finds الأشرفية)"
set -- $(figures "area = 'المركز' AND parent = 'الشمال'" "region = 'الشمال' AND district = 'المركز'")
is "$(ask $LINA 'STATUS الشمال/المركز')" "$(en_status_in المركز "$@")" "a name two areas share, qualified by its parent"
is "$(ask $LINA 'STATUS المركز')" 'Unknown area "المركز". Send STATUS alone for your whole area.' \
	"an ambiguous name is not guessed"

is "$(ask $RANA 'STATUS Atlantis')" 'Unknown area "Atlantis". Send STATUS alone for your whole area.' "unknown area"
is "$(q "SELECT error_code FROM sawt.inbound_messages WHERE text = 'STATUS Atlantis'")" "status_unknown_area" \
	"the message records why"
is "$(ask $KARIM 'وضع بيروت')" "منطقة غير معروفة «بيروت». أرسل وضع وحدها لكل منطقتك" \
	"an area outside the coordinator's areas is unknown to them"
is "$(ask $KARIM 'وضع الجنوب')" "منطقة غير معروفة «الجنوب». أرسل وضع وحدها لكل منطقتك" \
	"so is the region above their district"

is "$(ask +96176123456 'STATUS')" "STATUS, ACK, VERIFY and QUAR are for coordinators only." "an observer's STATUS gets not_coordinator"

# --- ACK ------------------------------------------------------------------
# A real sender_flood alert (election-wide): an unknown number sends 11
# messages within a minute.
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	"$SAWT" inject +9613777888 "T 1021 V$i" >/dev/null
done
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'sender_flood'" 1 90 &&
	pass "a flooding sender raises a sender_flood alert" || fail "a flooding sender raises a sender_flood alert"
flood=$(q "SELECT id FROM sawt.alerts WHERE kind = 'sender_flood'")
# The alert sawtd raised about the critical incident at station 1021 (Beirut).
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'critical_incident' AND state = 'open'" 1 90
inc=$(q "SELECT a.id FROM sawt.alerts a JOIN sawt.stations s ON s.id = a.station_id
	WHERE a.kind = 'critical_incident' AND s.code = '1021'")

is "$(ask $KARIM "تم $flood")" "تم تأكيد استلام التنبيه $flood. شكرا" "ACK of an election-wide alert (Arabic)"
is "$(q "SELECT (acknowledged_at IS NOT NULL) || ' ' || (acknowledged_by = (SELECT id FROM sawt.people WHERE phone = '$KARIM')) FROM sawt.alerts WHERE id = $flood")" \
	"true true" "acknowledged_at and acknowledged_by are set"
is "$(q "SELECT kind || ' ' || priority FROM sawt.outbox WHERE recipient = '$KARIM' AND kind <> 'alert' ORDER BY id DESC LIMIT 1")" "reply 2" \
	"the ACK reply is an outbox row of kind reply, priority 2"
is "$(ask $KARIM "تم $inc")" "لا يوجد تنبيه $inc لك. تحقق من الرقم" "ACK of an alert outside the coordinator's areas: unknown alert"
is "$(q "SELECT acknowledged_at IS NULL FROM sawt.alerts WHERE id = $inc")" "t" "and the alert stays open"

set -- $(figures "$RANA_AREAS" "$RANA_INC")
is "$5" 2 "(before the ACK both incidents are open)"
is "$(ask $RANA "ACK $inc")" "Alert $inc acknowledged. Thank you." "ACK of an alert at a station in the coordinator's area"
is "$(q "SELECT acknowledged_by = (SELECT id FROM sawt.people WHERE phone = '$RANA') FROM sawt.alerts WHERE id = $inc")" "t" \
	"acknowledged by that coordinator"
set -- $(figures "$RANA_AREAS" "$RANA_INC")
is "$5" 1 "(analytics.incidents: the acknowledged incident is no longer open)"
is "$(ask $RANA 'status')" "$(en_status "$@")" "and STATUS counts one open incident, like the view"
is "$(ask $LINA "ACK $flood")" "Alert $flood acknowledged. Thank you." "ACK of an alert already acknowledged is still confirmed"
is "$(q "SELECT acknowledged_by = (SELECT id FROM sawt.people WHERE phone = '$KARIM') FROM sawt.alerts WHERE id = $flood")" "t" \
	"and keeps its first acknowledgement"
is "$(ask $LINA 'ACK 999999')" "No alert 999999 for you. Check the number." "ACK of an alert that does not exist"
is "$(q "SELECT error_code FROM sawt.inbound_messages WHERE text = 'ACK 999999'")" "ack_unknown_alert" "the message records why"

wait_sql "SELECT count(*) FROM sawt.outbox WHERE state NOT IN ('sent', 'delivered')" 0 90 &&
	pass "every reply leaves through the dummy modem (outbox state sent)" || {
	fail "every reply leaves through the dummy modem (outbox state sent)"
	q "SELECT id, kind, state, attempts, error FROM sawt.outbox WHERE state NOT IN ('sent', 'delivered')" | sed 's/^/# /'
}
is "$(q "SELECT count(*) FROM sawt.inbound_messages WHERE state = 'received'")" 0 "no coordinator message is left unanswered"

# --- one failing answer holds up nothing, and is retried --------------------
q "CREATE FUNCTION public.coordinator_test_fail() RETURNS trigger LANGUAGE plpgsql AS
	\$\$BEGIN IF NEW.body LIKE '%Narnia%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END\$\$;
	CREATE TRIGGER coordinator_test_fail BEFORE INSERT ON sawt.outbox
	FOR EACH ROW EXECUTE FUNCTION public.coordinator_test_fail()"
"$SAWT" inject $LINA 'STATUS Narnia' >/dev/null
wait_for "$LOG" "could not answer coordinator message [0-9]+: .*refused by the test" 90 &&
	pass "a failing answer is logged" || fail "a failing answer is logged"
set -- $(figures "level = 'election'" "true")
is "$(ask $LINA 'STATUS')" "$(en_status "$@")" "the next message is answered"
is "$(q "SELECT state FROM sawt.inbound_messages WHERE text = 'STATUS Narnia'")" "received" "the failed one stays received"
kill -0 $pid && pass "sawtd keeps running" || fail "sawtd keeps running"
q "DROP TRIGGER coordinator_test_fail ON sawt.outbox; DROP FUNCTION public.coordinator_test_fail()"
wait_sql "SELECT state FROM sawt.inbound_messages WHERE text = 'STATUS Narnia'" processed 90 &&
	pass "it is answered on a later pass" || fail "it is answered on a later pass"
is "$(q "SELECT count(*) FROM sawt.outbox o JOIN sawt.inbound_messages i ON i.id = o.inbound_id WHERE i.text = 'STATUS Narnia'")" 1 \
	"once"

# --- left 'received' while sawtd was down --------------------------------------
kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
# received_rows N FROM TEXT: N rows as the pipeline stores a coordinator's
# command; prints their ids
received_rows() {
	q "INSERT INTO sawt.inbound_messages (transport, sender, text, dedup_key, person_id, state)
		SELECT 'modem', p.phone, '$3', decode(md5(random()::text) || md5(random()::text), 'hex'), p.id, 'received'
		FROM sawt.people p CROSS JOIN generate_series(1, $1) WHERE p.phone = '$2' RETURNING id"
}
id=$(received_rows 1 $RANA 'STATUS')
set -- $(figures "$RANA_AREAS" "$RANA_INC")
start_sawtd
pid=$!
wait_sql "SELECT state FROM sawt.inbound_messages WHERE id = $id" processed 90 &&
	pass "a STATUS stored while sawtd was down is answered after it starts" ||
	fail "a STATUS stored while sawtd was down is answered after it starts"
is "$(q "SELECT body FROM sawt.outbox WHERE inbound_id = $id")" "$(en_status "$@")" "with the current figures"
wait_sql "SELECT state FROM sawt.outbox WHERE inbound_id = $id" sent 90 &&
	pass "its reply is sent" || fail "its reply is sent"
is "$(q "SELECT count(*) FROM sawt.outbox WHERE inbound_id = $id")" 1 "exactly once"
kill -TERM $pid
wait $pid

# --- two sawtd nodes on one database ---------------------------------------
received_rows 20 $RANA 'STATUS' >/dev/null
received_rows 20 $KARIM "تم $flood" >/dev/null
received_rows 20 $LINA 'ACK 999999' >/dev/null
sed "s|^state_dir = .*|state_dir = $SAWT_TEST_TMP/state2\nnode_name = node-2|" "$SAWT_CONFIG" >"$SAWT_TEST_TMP/sawt2.conf"
start_sawtd
pid=$!
start_sawtd "$SAWT_TEST_TMP/sawt2.conf" "$SAWT_TEST_TMP/sawtd2.log"
pid2=$!
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE state = 'received'" 0 120 &&
	pass "two nodes answer 60 waiting messages" || fail "two nodes answer 60 waiting messages"
is "$(q "SELECT count(*) FROM sawt.inbound_messages i WHERE i.state = 'processed' AND i.processed_at > now() - interval '10 minutes' AND i.modem IS NULL
	AND (SELECT count(*) FROM sawt.outbox o WHERE o.inbound_id = i.id) = 1")" 61 \
	"each has exactly one reply"
kill -TERM $pid $pid2
wait $pid
is "$?" 0 "node 1 stops cleanly"
wait $pid2
is "$?" 0 "node 2 stops cleanly"
# The one error the test provokes: the answer its trigger refuses.
narnia=$(q "SELECT id FROM sawt.inbound_messages WHERE text = 'STATUS Narnia'")
no_errors "$LOG" "could not answer coordinator message $narnia: refused by the test" \
	"no error in node 1's log but the refused answer"
no_errors "$SAWT_TEST_TMP/sawtd2.log" "no error in node 2's log"
done_testing
