#!/bin/sh
# Alerts to coordinators through sawtd and Gammu's dummy phone (issue 17,
# docs/alerts.md): each per-report rule fires at and above its threshold
# and not below; routing by area (district, then the region above, then
# the national coordinators), by severity and in each coordinator's
# language; dedup; the rate limit holds alerts back and sends a digest;
# serious incidents batched per area; the missing-report rules on a moved
# clock (no sleeping: sawtd reads its clock offset from
# SAWT_TEST_CLOCK_FILE); resolution drops what was not sent; an Arabic
# critical incident reaches the district coordinator's phone as an Arabic
# SMS, escalates to the region unacknowledged, and her Arabic ACK is
# recorded; the operations rules (modem down, low balance, outbox
# backlog); `sawt status` lists the open alerts; one node dispatches.
#
# Fixtures: tests/data/import (Rana: coordinator of the regions بيروت and
# جبل لبنان, English; Karim: district صيدا, Arabic).  Added here: Huda,
# district الأشرفية, Arabic; Omar, region الشمال, French; Lina, no area
# (national), no language; Ziad, observer of 1021 and 2021, English.
. "$(dirname "$0")/tap.sh"

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
LOG="$SAWT_TEST_TMP/sawtd.log"
RANA=+9613555666 KARIM=+96181222333 HUDA=+96170111222 OMAR=+96170333444 LINA=+96170999888
LAYLA=+9613123456 JEAN=+96171123456 SAM=+96176123456 NOUR=+96171123457 MOHAMMAD=+9613987654
ZIAD=+96170444555

# The election's time zone puts the real time between 11:00 and 12:00, so
# the reports (stamped with the real time) come after polls_open and a
# moved clock stays within the day.
T0=$(date +%s)
N=$((11 - $(date -u +%H | sed 's/^0//')))
if [ $N -gt 0 ]; then TZNAME="Etc/GMT-$N"; elif [ $N -lt 0 ]; then TZNAME="Etc/GMT+$((-N))"; else TZNAME=UTC; fi
MIDNIGHT=$((T0 - (T0 + N * 3600) % 86400))
CLOCK="$SAWT_TEST_TMP/clock"
export SAWT_TEST_CLOCK_FILE="$CLOCK"
# at H M: sawtd's clock shows H:M today, in the election's time zone
at() { echo $((MIDNIGHT + $1 * 3600 + $2 * 60 - $(date +%s))) >"$CLOCK"; }
# at_epoch T: sawtd's clock shows Unix time T
at_epoch() { echo $(($1 - $(date +%s))) >"$CLOCK"; }
# epoch SQL: a timestamp of sawt's tables as Unix time
epoch() { q "SELECT extract(epoch FROM ($1))::bigint"; }
at 6 50

sed -i "s|^\[election\]|[election]\ntimezone = $TZNAME\npolls_open = 07:00\npolls_close = 19:00|" "$SAWT_CONFIG"
cat >>"$SAWT_CONFIG" <<'CONF'

[alerts]
tick_seconds = 1
rate_max = 1
rate_minutes = 60
turnout_checkpoints = 11:00
list_max = 1
balance_min = 100
CONF

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
printf 'phone,name,role,language,stations,areas,pin\n%s,Huda,coordinator,ar,,بيروت/الأشرفية,\n%s,Omar,coordinator,fr,,الشمال,\n%s,Lina,coordinator,,,,\n%s,Ziad,observer,en,1021|2021,,\n' \
	"$HUDA" "$OMAR" "$LINA" "$ZIAD" >"$SAWT_TEST_TMP/more.csv"
"$SAWT" import people "$SAWT_TEST_TMP/more.csv" >/dev/null || fail "the extra people import"
pid_of() { q "SELECT id FROM sawt.people WHERE phone = '$1'"; }

"$SAWTD" -c "$SAWT_CONFIG" >>"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 || fail "the dummy modem comes up"
wait_for "$LOG" "registry loaded" 60
wait_for "$LOG" "dispatching the alerts of this election" 60 &&
	pass "the node dispatches the alerts" || fail "the node dispatches the alerts"

# say FROM TEXT: send TEXT (unique) from FROM; wait until it is stored and
# the alerts module has looked at its report
say() {
	"$SAWT" inject "$1" "$2" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE text = '$2' AND state <> 'received'" 1 60 >&2
	wait_sql "SELECT count(*) FROM sawt.alert_queue" 0 60 >&2
}
# ticks: wait for two ticks of the dispatcher after now (after a clock move)
ticks() {
	_t=$(q "SELECT COALESCE(max(ticks), 0) FROM sawt.alert_dispatcher")
	wait_sql "SELECT ticks >= $((_t + 2)) FROM sawt.alert_dispatcher" t 60 >&2
}
# alerts RULE [STATION]: "state severity recipients(person:reason:lang:state)" of its alerts
alerts() {
	q "SELECT a.state || ' ' || a.severity || ' ' || COALESCE((SELECT string_agg(p.name || ':' || r.reason || ':' || r.lang || ':' || r.state, ',' ORDER BY p.name)
		FROM sawt.alert_recipients r JOIN sawt.people p ON p.id = r.person_id WHERE r.alert_id = a.id), '-')
		FROM sawt.alerts a LEFT JOIN sawt.stations s ON s.id = a.station_id
		WHERE a.kind = '$1' ${2:+AND s.code = '$2'} ORDER BY a.id"
}
alert_id() {
	q "SELECT a.id FROM sawt.alerts a LEFT JOIN sawt.stations s ON s.id = a.station_id
		WHERE a.kind = '$1' ${2:+AND s.code = '$2'} ORDER BY a.id LIMIT 1"
}
# sms ALERT NAME: the text of alert ALERT sent to NAME
sms() {
	q "SELECT o.body FROM sawt.alert_recipients r JOIN sawt.people p ON p.id = r.person_id
		JOIN sawt.outbox o ON o.id = r.outbox_id WHERE r.alert_id = $1 AND p.name = '$2'"
}

# --- per-report rules: at, below and above each threshold -------------------
# turnout_high, 90% of registered: 1022 has 750 registered (675 is 90%)
say $JEAN 'T 1022 V674 W300 #5678'
is "$(alerts turnout_high 1022)" "" "turnout 89.9% (674 of 750): no alert"
say $JEAN 'T 1022 V675 W300 #5678'
is "$(alerts turnout_high 1022)" "open serious Huda:area:ar:queued,Lina:national:en:queued" \
	"turnout 90.0% (675 of 750): turnout_high to the district's coordinator (Arabic) and the national one"
say $JEAN 'T 1031 V900 W450 #5678'
is "$(alerts turnout_high 1031)" "open serious Lina:national:en:held,Rana:ancestor:en:queued" \
	"turnout 100% at 1031 (district without coordinator): to the region's, the national one held by her rate limit"
like "$(sms "$(alert_id turnout_high 1031)" Rana)" "^Alert [0-9]+: turnout 100% at 1031: 900 of 900 registered\. ACK [0-9]+\$" \
	"in English, naming the station and the figures (the Arabic district name would make it UCS-2: left out)"

# turnout_jump, 30 points of 650 registered at 2011 (195 voters)
say $SAM 'T 2011 V100 W50'
say $SAM 'T 2011 V294 W140'
is "$(alerts turnout_jump 2011)" "" "a rise of 194 (29.8 points): no alert"
say $SAM 'T 2011 V489 W240'
is "$(alerts turnout_jump 2011)" "open serious Lina:national:en:held,Rana:ancestor:en:held" \
	"a rise of 195 (30 points): turnout_jump, held for both (one alert an hour each)"

# women's share: below 15% from 50 voters; above 85%
say $MOHAMMAD 'T 4011 V100 W15 #9753'
is "$(alerts women_share_low 4011)" "" "women 15% of 100: no alert"
say $MOHAMMAD 'T 4011 V200 W29 #9753'
is "$(alerts women_share_low 4011)" "open serious Karim:area:ar:queued,Lina:national:en:held" \
	"women 14.5% of 200: women_share_low"
is "$(sms "$(alert_id women_share_low 4011)" Karim)" "تنبيه $(alert_id women_share_low 4011): النساء 14% فقط من 200 مقترع في 4011 صيدا. تم $(alert_id women_share_low 4011)" \
	"in Arabic for the Arabic coordinator"
say $NOUR 'T 3021 V49 W0 #2468'
say $NOUR 'T 3021 V100 W85 #2468'
is "$(alerts women_share_low 3021)$(alerts women_share_high 3021)" "" "0% of 49 voters and 85% of 100: no alert"
say $NOUR 'T 3021 V150 W128 #2468'
is "$(alerts women_share_high 3021)" "open info Omar:ancestor:fr:queued" \
	"women 85.3% of 150: women_share_high (info: not the national coordinator), in French"
like "$(sms "$(alert_id women_share_high 3021)" Omar)" "^Alerte [0-9]+: 86% de femmes sur 150 votants au bureau 3021" "the French text"

# impossible numbers, then the same rule and station again within 30 min
say $LAYLA 'T 1021 V900 W100 #1234'
is "$(alerts impossible_numbers 1021)" "open serious Huda:area:ar:held,Lina:national:en:held" \
	"900 voters at 1021 (800 registered): impossible_numbers"
is "$(q "SELECT figures->>'check' || ' ' || (figures->>'value') || ' ' || (figures->>'threshold') FROM sawt.alerts WHERE id = $(alert_id impossible_numbers 1021)")" \
	"voters_exceed_registered 900 800" "its figures are recorded"
say $LAYLA 'T 1021 V100 W200 #1234'
is "$(alerts impossible_numbers 1021)" "open serious Huda:area:ar:held,Lina:national:en:held
duplicate serious -" "women > voters at 1021 within 30 min: recorded as a duplicate, sent to nobody"
is "$(q "SELECT duplicate_of FROM sawt.alerts WHERE kind = 'impossible_numbers' AND state = 'duplicate'")" \
	"$(alert_id impossible_numbers 1021)" "the duplicate names the alert it repeats"
say $ZIAD 'T 1021 V60'
is "$(alerts women_missing 1021)" "open info Huda:area:ar:held" "60 voters without W: women_missing (info) to the district only"

# --- a critical incident in Arabic, end to end -----------------------------
say $LAYLA 'ح ١٠٢١ ٣ شراء اصوات عند الباب #1234'
C=$(alert_id critical_incident 1021)
is "$(alerts critical_incident 1021)" "open critical Huda:area:ar:queued,Lina:national:en:queued" \
	"critical_incident: sent at once, the rate limit does not hold it"
is "$(sms "$C" Huda)" "تنبيه $C خطير في 1021 الأشرفية: شراء أصوات، مخالفة 3. أرسل تم $C" \
	"Huda's SMS is Arabic: the alert's number, the station, the district, the incident"
wait_sql "SELECT o.state || ' ' || o.modem || ' ' || o.priority || ' ' || o.kind FROM sawt.alert_recipients r JOIN sawt.outbox o ON o.id = r.outbox_id WHERE r.alert_id = $C AND r.person_id = $(pid_of $HUDA)" \
	"sent dummy 0 alert" 60 && pass "it left through the dummy phone at priority 0" ||
	fail "it left through the dummy phone at priority 0"
is "$(q "SELECT recipient FROM sawt.outbox WHERE id = (SELECT outbox_id FROM sawt.alert_recipients WHERE alert_id = $C AND person_id = $(pid_of $HUDA))")" \
	"$HUDA" "to Huda's phone"

# --- serious incidents: one alert per area after 5 minutes ------------------
say $LAYLA 'I 1021 2 observer kept out #1234'
say $JEAN 'I 1022 5 #5678'
B=$(alert_id serious_incidents)
is "$(q "SELECT state || ' ' || (figures->>'count') || ' ' || (figures->>'stations') FROM sawt.alerts WHERE kind = 'serious_incidents'")" \
	"batching 2 1021 1022" "two serious incidents in one district make one batch"
due=$(epoch "SELECT due_at FROM sawt.alerts WHERE id = $B")
is "$((due - $(epoch "SELECT created_at FROM sawt.alerts WHERE id = $B")))" 300 "due 5 minutes after the first"
at_epoch $((due - 60))
ticks
is "$(q "SELECT state FROM sawt.alerts WHERE id = $B")" "batching" "not sent before 5 minutes"
at_epoch $((due + 60))
wait_sql "SELECT state FROM sawt.alerts WHERE id = $B" open 60 &&
	pass "sent when the 5 minutes are up" || fail "sent when the 5 minutes are up"
is "$(alerts serious_incidents)" "open serious Huda:area:ar:held,Lina:national:en:held" "to the district and the national coordinator"

# --- conflicting reports and corrected results -----------------------------
say $LAYLA 'C 1021 V400 W200 #1234'
say $ZIAD 'C 1021 V410 W200'
is "$(alerts conflicting_reports 1021)" "open serious Huda:area:ar:held,Lina:national:en:held" \
	"two observers' closing figures disagree: conflicting_reports"
is "$(q "SELECT figures->>'prev' || ' ' || (figures->>'value') FROM sawt.alerts WHERE kind = 'conflicting_reports'")" "400 410" "both figures"
say $JEAN 'R 1031 100 120 30 40 5 5 #5678'
is "$(alerts results_corrected 1031)" "" "first results: no alert"
say $JEAN 'R 1031 100 120 30 41 5 5 #5678'
is "$(alerts results_corrected 1031)" "open serious Lina:national:en:held,Rana:ancestor:en:held" \
	"the same observer changes them: results_corrected"
say $JEAN 'R 1031 100 120 30 41 5 5 #5678 '
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'results_corrected'")" 1 "an identical resend raises nothing"

# --- escalation, and the Arabic ACK --------------------------------------------
sent=$(epoch "SELECT dispatched_at FROM sawt.alerts WHERE id = $C")
at_epoch $((sent + 14 * 60))
ticks
is "$(q "SELECT escalations FROM sawt.alerts WHERE id = $C")" 0 "not escalated after 14 minutes"
at_epoch $((sent + 16 * 60))
wait_sql "SELECT escalations FROM sawt.alerts WHERE id = $C" 1 60 &&
	pass "unacknowledged after 15 minutes: escalated" || fail "unacknowledged after 15 minutes: escalated"
is "$(alerts critical_incident 1021)" "open critical Huda:area:ar:queued,Lina:national:en:queued,Rana:escalation:en:queued" \
	"to the coordinator of the region above (not held)"
is "$(sms "$C" Rana)" "Escalated: alert $C, critical incident at 1021, not acknowledged for 15 min. Reply ACK $C" \
	"and the text says so"
is "$(q "SELECT a.name FROM sawt.alerts al JOIN sawt.areas a ON a.id = al.route_area_id WHERE al.id = $C")" "بيروت" "it is now with the region"
"$SAWT" inject $HUDA "تم $C" >/dev/null
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$HUDA' AND kind = 'reply'" 1 60
is "$(q "SELECT body FROM sawt.outbox WHERE recipient = '$HUDA' AND kind = 'reply'")" "تم تأكيد استلام التنبيه $C. شكرا" \
	"Huda's Arabic ACK is confirmed in Arabic"
is "$(q "SELECT acknowledged_by FROM sawt.alerts WHERE id = $C")" "$(pid_of $HUDA)" "and recorded as hers"
at_epoch $(($(epoch "SELECT escalated_at FROM sawt.alerts WHERE id = $C") + 16 * 60))
ticks
is "$(q "SELECT escalations FROM sawt.alerts WHERE id = $C")" 1 "an acknowledged alert escalates no further"

# --- missing reports on the moved clock --------------------------------------
# opened (or reported turnout) so far: all but 2021, 3011, 4021
at 7 29
ticks
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_opening'")" 0 "07:29: no missing_opening yet"
at 7 31
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_opening'" 3 60 &&
	pass "07:31: missing_opening, one alert per routed area" || fail "07:31: missing_opening, one alert per routed area"
missing() {
	q "SELECT COALESCE(ra.name, '-') || '|' || (a.figures->>'count') || '|' || COALESCE(a.figures->>'stations', '-') || '|'
		|| (SELECT string_agg(p.name || ':' || r.reason || ':' || r.state, ',' ORDER BY p.name) FROM sawt.alert_recipients r JOIN sawt.people p ON p.id = r.person_id WHERE r.alert_id = a.id)
		FROM sawt.alerts a LEFT JOIN sawt.areas ra ON ra.id = a.area_id WHERE a.kind = '$1' ORDER BY ra.name NULLS FIRST"
}
is "$(missing missing_opening)" "-|1|4021|Lina:national:held
الشمال|1|3011|Lina:national:held,Omar:area:held
جبل لبنان|1|2021|Lina:national:held,Rana:area:held" \
	"4021 (nobody above its district: the national coordinator), 3011 (the region's, French), 2021"
O=$(q "SELECT a.id FROM sawt.alerts a JOIN sawt.alert_stations x ON x.alert_id = a.id JOIN sawt.stations s ON s.id = x.station_id WHERE a.kind = 'missing_opening' AND s.code = '3011'")
is "$(q "SELECT body FROM sawt.alert_recipients WHERE alert_id = $O AND person_id = $(pid_of $OMAR)")" \
	"Alerte $O: 1 bureau(x) à الشمال non ouvert(s) à 07:00: 3011. OK $O" "Omar's text is French, with the station listed"
# the opening arrives: resolved, the held copies dropped
M=$(q "SELECT a.id FROM sawt.alerts a JOIN sawt.alert_stations x ON x.alert_id = a.id JOIN sawt.stations s ON s.id = x.station_id WHERE a.kind = 'missing_opening' AND s.code = '2021'")
say $ZIAD 'O 2021 0715'
wait_sql "SELECT state FROM sawt.alerts WHERE id = $M" resolved 60 &&
	pass "the opening of 2021 arrives: its alert is resolved" || fail "the opening of 2021 arrives: its alert is resolved"
is "$(q "SELECT string_agg(state, ',') FROM sawt.alert_recipients WHERE alert_id = $M")" "dropped,dropped" \
	"its copies not sent yet are dropped"
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_opening' AND state = 'open'")" 2 "the others stay open"
at 7 45
ticks
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_opening'")" 3 "a station is alerted once per check"

# turnout checkpoint 11:00 (+15 min): stations without turnout since 07:00
at 11 14
ticks
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_turnout'")" 0 "11:14: no missing_turnout yet"
at 11 16
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_turnout'" 3 60 &&
	pass "11:16: missing_turnout" || fail "11:16: missing_turnout"
is "$(missing missing_turnout | cut -d'|' -f1-3)" "-|1|4021
الشمال|1|3011
جبل لبنان|1|2021" "for the stations that sent no turnout"

# results: polls_close 19:00 + 120 min; more than list_max stations: a count
at 21 1
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'missing_results'" 5 60 &&
	pass "21:01: missing_results" || fail "21:01: missing_results"
is "$(missing missing_results | cut -d'|' -f1-3)" "-|1|4021
الأشرفية|2|-
الشمال|2|-
جبل لبنان|2|-
صيدا|1|4011" "grouped per routed area, codes listed up to list_max (1), else a count"
R=$(q "SELECT a.id FROM sawt.alerts a JOIN sawt.areas ra ON ra.id = a.area_id WHERE a.kind = 'missing_results' AND ra.name = 'صيدا'")
is "$(q "SELECT body FROM sawt.alert_recipients WHERE alert_id = $R AND person_id = $(pid_of $KARIM)")" \
	"تنبيه $R: 1 مركز في صيدا بلا نتائج منذ 19:00: 4011. تم $R" "Karim's Arabic text"

# --- the rate limit's digest ---------------------------------------------------
# Lina has had one alert SMS in the window (plus the critical one); the
# rest wait for the window to pass, then go as one digest
held=$(q "SELECT count(*) FROM sawt.alert_recipients WHERE person_id = $(pid_of $LINA) AND state = 'held'")
like "$held" '^[1-9][0-9]*$' "alerts are held for the national coordinator"
at 22 5
wait_sql "SELECT count(*) FROM sawt.alert_recipients WHERE person_id = $(pid_of $LINA) AND state = 'held'" 0 60 &&
	pass "an hour later they go out" || fail "an hour later they go out"
D=$(q "SELECT max(o.id) FROM sawt.outbox o WHERE o.recipient = '$LINA' AND o.kind = 'alert' AND o.alert_id IS NULL")
dig=$(q "SELECT body FROM sawt.outbox WHERE id = $D")
like "$dig" "^[0-9]+ more alerts: [0-9]+ [a-z ]+(, [0-9]+ [a-z ]+)*(, \\+[0-9]+)?\\. Reply STATUS\$" "as one digest, by rule"
is "$(q "SELECT count(*) FROM sawt.alert_recipients WHERE person_id = $(pid_of $LINA) AND state = 'digested' AND outbox_id = $D")" \
	"$(echo "$dig" | cut -d' ' -f1)" "the digest covers every held alert"
is "$(q "SELECT count(*) FROM sawt.alert_recipients WHERE person_id = $(pid_of $LINA) AND state = 'dropped'")" 1 \
	"(the one resolved before was dropped, not digested)"

# --- operations ------------------------------------------------------------------
q "INSERT INTO sawt.modems (node, name, state, balance) VALUES ('node2', 'usb9', 'down', 'Your balance is 2.50 USD')"
ticks
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'low_balance'" 1 60 &&
	pass "a balance of 2 (under 100): low_balance" || fail "a balance of 2 (under 100): low_balance"
ticks
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'low_balance'")" 1 "not again at every tick within the dedup window"
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'modem_down'")" 0 "a modem just seen down: no alert yet"
at 22 16
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'modem_down'" 1 60 &&
	pass "down for 11 minutes: modem_down" || fail "down for 11 minutes: modem_down"
is "$(alerts modem_down)" "open serious Lina:national:en:held" "to the national coordinator (held: her digest just went)"
like "$(q "SELECT message FROM sawt.alerts WHERE kind = 'modem_down'")" "^Alert [0-9]+: modem node2/usb9 down for 1[01] min\\. ACK [0-9]+\$" "naming the modem"
q "UPDATE sawt.modems SET state = 'ready' WHERE node = 'node2'"
wait_sql "SELECT state FROM sawt.alerts WHERE kind = 'modem_down'" resolved 60 &&
	pass "the modem is back: resolved" || fail "the modem is back: resolved"
q "INSERT INTO sawt.outbox (recipient, body, created_at, next_attempt_at) VALUES ('+96170000001', 'stuck', now() - interval '20 minutes', now() + interval '1 day')"
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'outbox_backlog'" 1 60 &&
	pass "an SMS waiting 20 minutes: outbox_backlog" || fail "an SMS waiting 20 minutes: outbox_backlog"
is "$(q "SELECT state FROM sawt.alerts WHERE kind = 'low_balance'")" open "the low balance is still open while the balance is low"
q "UPDATE sawt.modems SET balance = 'Your balance is 150.00 USD' WHERE node = 'node2'"
wait_sql "SELECT state FROM sawt.alerts WHERE kind = 'low_balance'" resolved 60 &&
	pass "the SIM topped up to 150: low_balance resolved" || fail "the SIM topped up to 150: low_balance resolved"
q "UPDATE sawt.outbox SET state = 'sent' WHERE body = 'stuck'"
wait_sql "SELECT state FROM sawt.alerts WHERE kind = 'outbox_backlog'" resolved 60 &&
	pass "the stuck SMS went: outbox_backlog resolved" || fail "the stuck SMS went: outbox_backlog resolved"
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind IN ('low_balance', 'outbox_backlog')")" 2 "resolving raised nothing new"

# --- sawt status ---------------------------------------------------------------------
st=$("$SAWT" status 2>&1)
like "$st" "^Open alerts: [0-9]+ \\(serious [0-9]+, info [0-9]+\\)\$" "sawt status counts the open alerts (the critical one was acknowledged)"
like "$st" "^ *$(alert_id women_share_low 4011) +[0-9:]+ +serious +women_share_low +4011 +صيدا +2 +2 +0 +0\$" "and lists them (sent to 2, both sent: one alone, one in a digest)"
like "$st" "^Alerts dispatched by .+, last tick 22:1[67]:[0-9]{2} \\([0-9]+ ticks\\)\$" "and names the dispatching node and its clock"

# --- SIGHUP applies [alerts] ---------------------------------------------------------
is "$(alerts turnout_high 2011)" "" "75% at 2011, under turnout_high_pct 90: no turnout_high"
printf 'turnout_high_pct = 70\n' >>"$SAWT_CONFIG"
kill -HUP $pid
wait_for "$LOG" "\[alerts\] reloaded" 30 && pass "SIGHUP reloads [alerts]" || fail "SIGHUP reloads [alerts]"
say $SAM 'T 2011 V500 W250'
like "$(alerts turnout_high 2011)" "^open serious " "then 76.9% at 2011 is over the new 70%: turnout_high"

# --- two nodes (each with its own node_name): one dispatches -------------------------
sed "s|^state_dir = .*|state_dir = $SAWT_TEST_TMP/state2\nnode_name = node-2|" "$SAWT_CONFIG" >"$SAWT_TEST_TMP/sawt2.conf"
"$SAWTD" -c "$SAWT_TEST_TMP/sawt2.conf" >"$SAWT_TEST_TMP/sawtd2.log" 2>&1 &
pid2=$!
wait_for "$SAWT_TEST_TMP/sawtd2.log" "registry loaded" 60
say $LAYLA 'I 1021 4 #1234'
V=$(q "SELECT max(id) FROM sawt.alerts WHERE kind = 'critical_incident'")
is "$(q "SELECT count(*) FROM sawt.alert_recipients WHERE alert_id = $V")" 2 "with two nodes running, an alert is sent once to each coordinator"
kill -TERM $pid2
wait $pid2
is "$?" 0 "the second node stops cleanly"

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
no_errors "$LOG" "no error in sawtd's log"
no_errors "$SAWT_TEST_TMP/sawtd2.log" "no error in the second node's log"
done_testing
