#!/bin/sh
# USSD sessions over HTTP (/ussd, Africa's Talking's callback convention)
# into a real sawtd and PostgreSQL: full sessions in English and Arabic
# (turnout with a wrong figure corrected, results with several candidates,
# an incident, a PIN, two stations, an unknown number), a replayed final
# request counted once, out-of-order and edited requests answered from
# their own text, two sessions from one phone, a session that times out,
# and the same report through USSD and through SMS giving the same rows.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
SECRET='ussd-t3st-s3cret'
LOG="$SAWT_TEST_TMP/sawtd.log"
BODY="$SAWT_TEST_TMP/body"
cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
secret = $SECRET

[ussd]
contact = +961 1 555 000
session_timeout = 5
CONF
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTP on 127.0.0.1:0 \(port [0-9]+" 30 && pass "sawtd listens for HTTP" || fail "sawtd listens for HTTP"
wait_for "$LOG" "registry loaded" 30
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
URL="http://127.0.0.1:$PORT/ussd"
q() { psql -XAtc "$1"; }

SAM=+96176123456   # English, station 2011 (650 registered, 300 women), MUN (4 candidates), no PIN
LEILA=+9613123456  # Arabic, station 1021 (800, 420), MUN and MUK, PIN 1234
JEAN=+96171123456  # French, stations 1022 and 1031, PIN 5678
# ussd SESSION PHONE TEXT: POST the callback as Africa's Talking does; the
# status in $code, the answer in $got
ussd() {
	code=$(curl -s -o "$BODY" -w '%{http_code}' -u "sawt:$SECRET" \
		--data-urlencode "sessionId=$1" --data-urlencode 'serviceCode=*384*12#' \
		--data-urlencode "phoneNumber=$2" --data-urlencode 'networkCode=41501' \
		--data-urlencode "text=$3" "$URL")
	got=$(cat "$BODY")
}
NL='
'

# --- 1. English turnout, a wrong figure corrected -----------------------------
ussd en1 $SAM ''
is "$code $got" "200 CON Station 2011${NL}1 Turnout${NL}2 Close${NL}3 Results${NL}4 Incident${NL}5 Last report${NL}6 Help" "the first request shows the main menu for the observer's station"
ussd la0 $SAM ''
ussd la0 $SAM '5'
is "$got" "END No report from you yet." "last report, before any"
ussd en1 $SAM '1'
is "$got" "CON Number of voters at 2011:" "turnout asks for the voters"
ussd en1 $SAM '1*700'
is "$got" "CON More than the 650 registered.${NL}Number of voters at 2011:" "more voters than registered is asked again with the reason"
ussd en1 $SAM '1*700*400'
is "$got" "CON Number of women:" "the corrected figure is taken"
ussd en1 $SAM '1*700*400*200'
is "$got" "CON Turnout 2011: voters 400, women 200${NL}1 Send${NL}2 Cancel" "a summary asks to confirm"
is "$(q "SELECT count(*) FROM sawt.inbound_messages")" 0 "nothing is stored before the confirmation"
ussd en1 $SAM '1*700*400*200*1'
is "$code $got" "200 END Sent: turnout for 2011 recorded. Thank you." "the confirmation ends the session"
is "$(q "SELECT transport || ' ' || modem || ' ' || text || ' ' || no_reply_reason FROM sawt.inbound_messages")" \
	"ussd ussd T 2011 V400 W200 ussd" "stored before the END: the v1 SMS of the report, transport ussd, no SMS reply"
is "$(q "SELECT voters || ' ' || women FROM sawt.station_turnout WHERE code = '2011'")" "400 200" "counted in the tallies"

ussd la1 $SAM ''
ussd la1 $SAM '5'
like "$got" "^END Your last report: turnout for 2011 at [0-2][0-9]:[0-5][0-9], accepted\.$" "last report: the one just sent"

# --- 2. the final request replayed: one report --------------------------------
ussd en1 $SAM '1*700*400*200*1'
is "$code $got" "200 END Sent: turnout for 2011 recorded. Thank you." "a replayed final request gets the same END"
is "$(q "SELECT count(*) FROM sawt.inbound_messages")" 1 "and is stored once"
is "$(q "SELECT count(*) FROM sawt.reports")" 1 "one report"

# --- 3. results with several candidates; an incident -------------------------
ussd en2 $SAM ''
ussd en2 $SAM '3'
is "$got" "CON MUN candidate 1 of 4: votes?" "results ask for each candidate in ballot order"
ussd en2 $SAM '3*100*120*90*60'
is "$got" "CON Invalid ballots:" "then the invalid ballots"
ussd en2 $SAM '3*100*120*90*60*5*x'
is "$got" "CON Enter a number.${NL}Blank ballots:" "then the blank ones; a non-number is asked again"
ussd en2 $SAM '3*100*120*90*60*5*3'
is "$got" "CON Results 2011 MUN: 100 120 90 60 5 3${NL}1 Send${NL}2 Cancel" "the summary lists the counts"
ussd en2 $SAM '3*100*120*90*60*5*3*1'
is "$got" "END Sent: results for 2011 recorded. Thank you." "results sent"
is "$(q "SELECT outcome || ' ' || array_to_string(counts, ',') || ' ' || invalid || ' ' || blank FROM sawt.reports WHERE form = 'results'")" \
	"accepted 100,120,90,60 5 3" "the results are stored as the SMS would be"
ussd en3 $SAM ''
ussd en3 $SAM '4*77'
is "$got" "CON Unknown incident code.${NL}Incident code (see your card):${NL}1 Late opening${NL}2 Observer denied entry${NL}3 Vote buying${NL}4 Violence${NL}5 Ballot box not sealed" \
	"an unknown incident code is asked again, above the imported codes and their names"
ussd en3 $SAM '4*77*3*vote buying at the door*1'
is "$got" "END Sent: incident for 2011 recorded. Thank you." "an incident with its text"
is "$(q "SELECT code || ' ' || severity || ' ' || text FROM analytics.incidents")" "3 critical vote buying at the door" "is in the analysts' incidents"
wait_sql "SELECT count(*) FROM sawt.alerts WHERE kind = 'critical_incident'" 1 20 && pass "and raises the alert an SMS would" || fail "and raises the alert an SMS would"

# --- 4. Arabic, with a PIN, a wrong PIN and a wrong figure --------------------
ussd ar1 $LEILA ''
is "$got" "CON أدخل الرمز السري:" "an observer with a PIN is asked for it first, in Arabic"
ussd ar0 $LEILA ''
ussd ar0 $LEILA '1234*4'
is "$got" "CON رمز المخالفة (انظر بطاقتك):${NL}1 تأخر في الافتتاح${NL}2 منع دخول المراقب${NL}3 شراء أصوات" "in Arabic, the codes' Arabic names, as many as fit the page"
ussd ar1 $LEILA '9999'
is "$got" "CON رمز خاطئ.${NL}أدخل الرمز السري:" "a wrong PIN is asked again"
ussd ar1 $LEILA '9999*1234'
like "$got" "^CON المركز 1021" "the right PIN opens the menu"
ussd ar1 $LEILA '9999*1234*1*500*600'
is "$got" "CON أكثر من المقترعين (500).${NL}عدد النساء:" "more women than voters is asked again with the reason"
ussd ar1 $LEILA '9999*1234*1*500*600*250'
like "$got" "^CON الاقتراع 1021: مقترعون 500، نساء 250" "the Arabic summary"
ussd ar1 $LEILA '9999*1234*1*500*600*250*1'
is "$got" "END تم الإرسال: الاقتراع 1021. شكرا" "sent, in Arabic"
is "$(q "SELECT r.outcome || ' ' || r.voters || ' ' || r.women FROM sawt.reports r WHERE r.station_code = '1021'")" "accepted 500 250" "the Arabic observer's report is stored"
ussd ar2 $LEILA ''
ussd ar2 $LEILA '1234*3'
is "$got" "CON اختر الانتخاب:${NL}1 MUN${NL}2 MUK" "a station with two contests asks which"
ussd ar2 $LEILA '1234*3*2*200*150*10*5*1'
is "$got" "END تم الإرسال: النتائج 1021. شكرا" "results for the second contest"
is "$(q "SELECT k.code || ' ' || array_to_string(r.counts, ',') FROM sawt.reports r JOIN sawt.contests k ON k.id = r.contest_id WHERE r.station_code = '1021' AND r.form = 'results'")" "MUK 200,150" "stored for that contest"

# --- 5. an observer with two stations (French) --------------------------------
ussd fr1 $JEAN ''
ussd fr1 $JEAN '5678'
is "$got" "CON Choisissez votre bureau :${NL}1 1022${NL}2 1031" "an observer with two stations chooses one"
ussd fr1 $JEAN '5678*3'
is "$got" "CON Choix invalide.${NL}Choisissez votre bureau :${NL}1 1022${NL}2 1031" "a choice not on the list is asked again"
ussd fr1 $JEAN '5678*1*1*300*150*1'
is "$got" "END Envoyé : participation du bureau 1022 enregistré. Merci." "the report goes to the chosen station"

# --- 6. the same report by USSD and by SMS ------------------------------------
# Jean reports the same figures for 1022 by USSD (above, and results below)
# and for 1031 by SMS: the rows differ by the station only.
ussd fr2 $JEAN ''
ussd fr2 $JEAN '5678*1*3*1*50*60*70*80*5*3*1'
like "$got" "^END Envoyé" "results for 1022 by USSD"
for t in 'T 1031 V300 W150 #5678' 'R 1031 MUN 50 60 70 80 5 3 #5678'; do
	c=$(curl -s -o /dev/null -w '%{http_code}' -u "sawt:$SECRET" --data-urlencode "from=$JEAN" --data-urlencode "text=$t" "http://127.0.0.1:$PORT/sms/inbound")
	is "$c" 200 "the same report for 1031 by SMS: $t"
done
cols="person_id, form, outcome, error_code, flags, superseded_by, voters, women, men, contest_id, counts, invalid, blank, total, incident_code, text"
is "$(q "SELECT $cols FROM sawt.reports WHERE station_code = '1022' ORDER BY form")" \
	"$(q "SELECT $cols FROM sawt.reports WHERE station_code = '1031' ORDER BY form")" "the reports are identical but for the station"
vcols="voters, women, men, women_share, flags, conflict, source"
is "$(q "SELECT $vcols FROM analytics.station_turnout WHERE station_code = '1022'")" \
	"$(q "SELECT $vcols FROM analytics.station_turnout WHERE station_code = '1031'")" "and so are the analysts' turnout rows"
is "$(q "SELECT string_agg(transport, ' ' ORDER BY transport) FROM sawt.inbound_messages i JOIN sawt.reports r ON r.inbound_id = i.id WHERE r.station_code IN ('1022', '1031') AND r.form = 'results'")" \
	"http ussd" "one came by USSD, the other by HTTP SMS"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$JEAN'" 2 20 && pass "the SMS reports are answered by SMS" || fail "the SMS reports are answered by SMS"
is "$(q "SELECT count(*) FROM sawt.outbox o JOIN sawt.inbound_messages i ON i.id = o.inbound_id WHERE i.transport = 'ussd'")" 0 "the USSD ones are not ([ussd] sms_reply = no)"

# --- 7. an unknown number -----------------------------------------------------
ussd un1 +96170999999 ''
is "$code $got" "200 END This number is not registered. Call +961 1 555 000." "an unknown number is told whom to call"
is "$(q "SELECT transport || ' ' || state || ' ' || error_code FROM sawt.inbound_messages WHERE sender = '+96170999999'")" \
	"ussd processed unknown_sender" "and recorded like an unknown SMS sender"
ussd un1 +96170999999 ''
is "$(q "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '+96170999999'")" 1 "once per session"

# --- 8. out of order and edited requests --------------------------------------
ussd oo1 $SAM ''
ussd oo1 $SAM '2*350*170'
is "$got" "CON Close 2011: voters 350, women 170${NL}1 Send${NL}2 Cancel" "close: voters, women, then the summary"
ussd oo1 $SAM '2'
is "$got" "CON Number of voters at 2011:" "an older request is answered from its own text"
ussd oo1 $SAM '2*360*170*1'
is "$got" "END Sent: close for 2011 recorded. Thank you." "an edited path is taken as it is"
is "$(q "SELECT voters || ' ' || women FROM sawt.reports WHERE form = 'close'")" "360 170" "with the figures of the request that confirmed"
ussd nosuch $SAM '1*300'
is "$got" "END Session expired. Dial again." "input for a session sawtd never saw ends it"

# --- 9. two sessions from one phone -------------------------------------------
ussd tw1 $SAM ''
ussd tw2 $SAM ''
ussd tw1 $SAM '1*410'
is "$got" "CON Number of women:" "session 1 at the women"
ussd tw2 $SAM '3*1'
is "$got" "CON MUN candidate 2 of 4: votes?" "session 2 at the second candidate"
ussd tw1 $SAM '1*410*205*1'
like "$got" "^END Sent: turnout" "session 1 sends its turnout"
ussd tw2 $SAM '3*1*2*3*4*0*0*1'
like "$got" "^END Sent: results" "session 2 its results"
is "$(q "SELECT voters || ' ' || women FROM sawt.reports WHERE form = 'turnout' AND station_code = '2011' AND superseded_by IS NULL")" "410 205" "both reports are counted"
is "$(q "SELECT array_to_string(counts, ',') FROM sawt.reports WHERE form = 'results' AND station_code = '2011' AND superseded_by IS NULL")" "1,2,3,4" "each in its own right"

# --- 10. a session that times out ---------------------------------------------
ussd to1 $SAM ''
ussd to1 $SAM '1'
is "$got" "CON Number of voters at 2011:" "a session under way"
sleep 7 # [ussd] session_timeout = 5, swept every 5 s or at the next request
ussd to1 $SAM '1*420'
is "$got" "END Session expired. Dial again." "after the idle timeout it has expired"

# --- 11. the database down: the END waits for the spool, counted once -------
ussd db1 $SAM ''
"$SAWT_TEST_PGCTL" stop
wait_for "$LOG" "lost connection to the database" 15
ussd db1 $SAM '1*420*190'
is "$got" "CON Turnout 2011: voters 420, women 190${NL}1 Send${NL}2 Cancel" "with the database down the menu still answers"
ussd db1 $SAM '1*420*190*1'
is "$code $got" "200 END Sent: turnout for 2011 recorded. Thank you." "the confirmation is answered once spooled"
is "$(ls "$SAWT_TEST_TMP/state/spool" | grep -c '\.msg$')" 1 "the report is in the spool"
ussd db1 $SAM '1*420*190*1'
is "$code" 200 "its replay meanwhile too"
"$SAWT_TEST_PGCTL" start
wait_sql "SELECT count(*) FROM sawt.reports WHERE form = 'turnout' AND voters = 420 AND station_code = '2011'" 1 30 &&
	pass "when the database returns the report is stored" || fail "when the database returns the report is stored"
i=0; while [ "$(ls "$SAWT_TEST_TMP/state/spool" | grep -c '\.msg$')" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
is "$(q "SELECT count(*) FROM sawt.reports WHERE form = 'turnout' AND voters = 420 AND station_code = '2011'")" 1 "once"

# --- 12. Hubtel's convention: JSON, the latest input only --------------------
# hub SESSION TYPE MESSAGE: POST Hubtel's callback for Sam
hub() {
	code=$(curl -s -o "$BODY" -w '%{http_code}' -u "sawt:$SECRET" -H 'Content-Type: application/json' \
		--data-binary "{\"SessionId\": \"$1\", \"Mobile\": \"$SAM\", \"Type\": \"$2\", \"Message\": \"$3\", \"ServiceCode\": \"714\", \"Operator\": \"mtn\"}" \
		"http://127.0.0.1:$PORT/ussd/hubtel")
	got=$(cat "$BODY")
}
hub hb1 Initiation '*714#'
is "$code $got" '200 {"Type":"Response","Message":"Station 2011\n1 Turnout\n2 Close\n3 Results\n4 Incident\n5 Last report\n6 Help"}' \
	"Hubtel: the initiation gets the main menu as a Response"
hub hb1 Response 4
hub hb1 Response 2
hub hb1 Response 'door*window'
like "$got" "Incident 2 at 2011: door\*window" "each input is kept whole, a '*' included"
hub hb1 Response 1
is "$got" '{"Type":"Release","Message":"Sent: incident for 2011 recorded. Thank you."}' "the confirmation is a Release"
is "$(q "SELECT text FROM sawt.reports WHERE incident_code = 2")" "door*window" "the report is stored"
hub hb1 Release ''
is "$code" 200 "a Release ends the session"
hub hb1 Response 1
like "$got" "Session expired" "after which it is unknown"

# --- 13. malformed and unauthenticated ----------------------------------------
c=$(curl -s -o "$BODY" -w '%{http_code}' -u "sawt:$SECRET" --data-urlencode "phoneNumber=$SAM" "$URL")
is "$c $(cat "$BODY")" '400 missing field "sessionId"' "no session id: 400 with the reason"
c=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "sessionId=x" --data-urlencode "phoneNumber=$SAM" "$URL")
is "$c" 401 "no secret: 401"

m=$(curl -s "http://127.0.0.1:$PORT/metrics")
like "$m" '^sawt_ussd_answers_total\{result="submitted"\} 1[0-9]$' "/metrics counts the reports made durable"
like "$m" '^sawt_ussd_answers_total\{result="expired"\} 3$' "and the expired sessions"
like "$m" '^sawt_ussd_refused_total\{reason="no_session"\} 1$' "and the refusals by reason"
like "$m" '^sawt_ussd_sessions [0-9]+$' "and the sessions kept"

# --- 14. a restart mid-session loses nothing confirmed -----------------------
ussd rs1 $SAM ''
ussd rs1 $SAM '1*430*215*1'
is "$got" "END Sent: turnout for 2011 recorded. Thank you." "a report confirmed just before a restart"
ussd rs2 $SAM ''
ussd rs2 $SAM '2*440'
kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
nload=$(grep -c "registry loaded" "$LOG")
"$SAWTD" -c "$SAWT_CONFIG" >>"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTP on 127.0.0.1:0 \(port [0-9]+" 30 2
wait_for "$LOG" "registry loaded" 30 $((nload + 1))
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | tail -n 1)
URL="http://127.0.0.1:$PORT/ussd"
is "$(q "SELECT count(*) FROM sawt.reports WHERE form = 'turnout' AND voters = 430")" 1 "after the restart the confirmed report is stored"
ussd rs2 $SAM '2*440*220'
is "$got" "END Session expired. Dial again." "a session under way when sawtd stopped has expired"
ussd rs1 $SAM '1*430*215*1'
is "$got" "END Session expired. Dial again." "and a replay of the confirmation sends nothing again"
is "$(q "SELECT count(*) FROM sawt.reports WHERE form = 'turnout' AND voters = 430")" 1 "still one report"
kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0 again"
grep -F -e "$SECRET" -e '#1234' -e '#5678' "$LOG" >/dev/null && fail "no secret or PIN in the log" || pass "no secret or PIN in the log"
# stopping PostgreSQL may cut the outbox's claim query short (outbox.c)
no_errors "$LOG" "could not claim outbox rows: terminating connection due to administrator command" "no other error in sawtd's log"
done_testing
