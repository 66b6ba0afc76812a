#!/bin/sh
# A checklist answered by USSD through the real /ussd door (docs/ussd.md,
# docs/checklists.md): the forms listed under 7, each question one screen
# from the same definitions (choices as numbered menus), wrong answers asked
# again, optional ones skipped with 0; the confirmed checklist goes through
# the SMS path and its stored answers equal those of the same checklist
# sent by SMS; a form outside its window is refused with its hours.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
SECRET='ussd-t3st-s3cret'
LOG="$SAWT_TEST_TMP/sawtd.log"
BODY="$SAWT_TEST_TMP/body"
# CL (closing, no window) and VT (voting, all day): choice, multi and text
cat >"$SAWT_TEST_TMP/ussd.csv" <<'CSV'
form,kind,code,type,min,max,required,group,option,window,ar,en,fr
CL,form,,,,,,,,,استمارة الإغلاق,Closing checklist,
CL,question,BA,integer,0,5000,yes,1,,,,Voters turned away,
CL,question,BB,yesno,,,yes,1,,,,Was the count public?,
VT,form,,,,,,,,00:00-23:59,,Voting,
VT,question,VA,choice,,,yes,1,,,,How calm?,
VT,option,VA,,,,,,1,,,Calm,
VT,option,VA,,,,,,2,,,Tense,
VT,question,VB,multi,,,no,1,,,,Agents present,
VT,option,VB,,,,,,1,,,Party A,
VT,option,VB,,,,,,3,,,Party C,
VT,question,VC,yesno,,,no,1,,,,Ink used?,
VT,question,VD,text,,,no,2,,,,Notes,
CSV
"$SAWT" import checklists "$SAWT_TEST_TMP/ussd.csv" >/dev/null || fail "checklists import"
"$SAWT" import checklists "$SAWT_TEST_DATA/checklists/good.csv" >/dev/null || fail "OP imports"
cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
secret = $SECRET
CONF
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTP on 127.0.0.1:0 \(port [0-9]+" 30 >/dev/null
wait_for "$LOG" "registry loaded" 30 && pass "sawtd is up" || fail "sawtd is up"
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
URL="http://127.0.0.1:$PORT/ussd"
q() { psql -XAtc "$1"; }
SAM=+96176123456  # English, station 2011, no PIN
JEAN=+96171123456 # French, stations 1022 and 1031, PIN 5678
ussd() {
	code=$(curl -s -o "$BODY" -w '%{http_code}' -u "sawt:$SECRET" \
		--data-urlencode "sessionId=$1" --data-urlencode 'serviceCode=*384*12#' \
		--data-urlencode "phoneNumber=$2" --data-urlencode 'networkCode=41501' \
		--data-urlencode "text=$3" "$URL")
	got=$(cat "$BODY")
}
answers() {
	q "SELECT string_agg(question || '=' || COALESCE(value::text, array_to_string(options, '+'), text_value), ' ' ORDER BY question)
	   FROM sawt.checklist_current_answers a JOIN sawt.stations s ON s.id = a.station_id
	   WHERE s.code = '$1' AND a.form = '$2'"
}
NL='
'

ussd s1 $SAM ''
like "$got" "${NL}7 Checklists\$" "the main menu offers the checklists"
ussd s1 $SAM '7'
is "$got" "CON Checklist for 2011:${NL}1 CL Closing checklist${NL}2 OP Opening checklist${NL}3 VT Voting" \
	"the forms, numbered"
ussd s1 $SAM '7*3'
is "$got" "CON VA How calm?${NL}1 Calm${NL}2 Tense" "a choice as its numbered options"
ussd s1 $SAM '7*3*3'
is "$got" "CON Not valid.${NL}VA How calm?${NL}1 Calm${NL}2 Tense" "an option it lacks is asked again"
ussd s1 $SAM '7*3*2'
is "$got" "CON VB Agents present (several, e.g. 13)${NL}0 Skip${NL}1 Party A${NL}3 Party C" \
	"a multiple choice, optional: 0 skips"
ussd s1 $SAM '7*3*2*13*0'
is "$got" "CON VD Notes (text)${NL}0 Skip" "a yes/no skipped, then the text"
ussd s1 $SAM '7*3*2*13*0*long queue at 7'
is "$got" "CON Send VT for 2011: 3 answers?${NL}1 Send${NL}2 Cancel" "the summary"
ussd s1 $SAM '7*3*2*13*0*long queue at 7*1'
is "$got" "END Sent: checklist VT for 2011. Thank you." "sent"
wait_sql "SELECT count(*) FROM sawt.checklist_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '2011' AND a.form = 'VT'" 3 30 ||
	fail "the USSD checklist is stored"
ussd_answers=$(answers 2011 VT)
is "$ussd_answers" "VA=2 VB=1+3 VD=long queue at 7" "its answers are stored through the SMS path"
is "$(q "SELECT transport || ' ' || text FROM sawt.inbound_messages WHERE text LIKE 'VT 2011%'")" \
	"ussd VT 2011 VA2 VB13 VD long queue at 7" "as the checklist's own SMS, recorded with its transport"

# the same checklist by SMS from Jean for 1022 stores the same answers
"$SAWT" inject "$JEAN" 'VT 1022 VA2 VB13 VD long queue at 7 #5678' >/dev/null
wait_sql "SELECT count(*) FROM sawt.checklist_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '1022' AND a.form = 'VT'" 3 30 ||
	fail "the SMS checklist is stored"
is "$(answers 1022 VT)" "$ussd_answers" "the same checklist by SMS stores the same answers"

# Jean (French, a PIN, two stations) by USSD: CL's integer and yes/no
ussd s2 $JEAN ''
ussd s2 $JEAN '5678*2*7*1'
is "$got" "CON BA Électeurs refoulés (0-5000) :" "in French, an integer with its range and its French label"
ussd s2 $JEAN '5678*2*7*1*9999'
like "$got" '^CON Réponse invalide\.' "out of range is asked again"
ussd s2 $JEAN '5678*2*7*1*12*1*1'
is "$got" "END Envoyé : liste CL du bureau 1031. Merci." "sent for his second station"
wait_sql "SELECT count(*) FROM sawt.checklist_answers a JOIN sawt.stations s ON s.id = a.station_id WHERE s.code = '1031' AND a.form = 'CL'" 2 30 ||
	fail "Jean's checklist is stored"
is "$(answers 1031 CL)" "BA=12 BB=1" "with his PIN, through the SMS path"

# OP (06:00-10:00 UTC) outside its window is refused with its hours
h=$(date -u +%H%M)
if [ "$h" -lt 0600 ] || [ "$h" -gt 1000 ]; then
	ussd s3 $SAM ''
	ussd s3 $SAM '7*2'
	is "$got" "CON OP is sent 06:00-10:00 only.${NL}Checklist for 2011:${NL}1 CL Closing checklist${NL}2 OP Opening checklist${NL}3 VT Voting" \
		"a form outside its window is refused with its hours"
else
	pass "# SKIP OP's window is open now ($h UTC): its refusal is tested outside 06:00-10:00"
fi
ussd s4 $SAM ''
ussd s4 $SAM '7*1*5*2*2'
is "$got" "END Cancelled: nothing was sent." "cancelled: nothing sent"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
