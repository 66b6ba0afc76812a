#!/bin/sh
# The operator's account on the election-day page (docs/web.md): `sawt
# operator add` makes it, the operator signs in with the texted code (read
# from the outbox), sees the whole election and the operations panel; the
# phone of a coordinator or an observer is refused; the operator is not in
# sawtd's registry (an SMS from that phone is an unknown sender's) and gets
# no alert; `sawt operator remove` ends the session at once, and sign-in
# then fails.
. "$(dirname "$0")/tap.sh"

OP=+96170111222 RANA=+9613555666 SAM=+96176123456
. "$(dirname "$0")/web_lib.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }

# --- the command ---------------------------------------------------------------
out=$("$SAWT" operator 2>&1)
is "$?" 0 "sawt operator lists"
like "$out" '^no operator account in election "default"' "none at first, and how to add one"
out=$("$SAWT" operator add 070111222 --name "Nadia Operator" --lang en 2>&1)
is "$?" 0 "sawt operator add"
is "$out" "operator $OP (Nadia Operator): added; sign in at the page with this number and the texted code" \
	"the number is made E.164 with the country code"
out=$("$SAWT" operator add "$OP" --name "Nadia" 2>&1)
like "$out" ': updated;' "adding again updates the account"
out=$("$SAWT" operator add "$RANA" --name Rana 2>&1)
is "$?" 1 "a coordinator's phone is refused"
like "$out" 'is registered as an coordinator of election "default"' "with the reason"
like "$out" 'hint: The operator needs a phone number of their own\.' "and a hint"
out=$("$SAWT" operator add "$OP" 2>&1)
is "$?" 2 "add without --name is a usage error"
out=$("$SAWT" operator add "$OP" --name X --lang de 2>&1)
is "$?:$out" '2:sawt: language "de" is not one of ar, en, fr' "a language not ar, en or fr is refused"
out=$("$SAWT" operator add 12 --name X 2>&1)
is "$?" 2 "a number that is no phone number is refused"
is "$(q "SELECT role || ' ' || name || ' ' || language || ' ' || (pseudonym ~ '^[0-9a-f]{64}$') FROM sawt.people WHERE phone = '$OP'")" \
	"operator Nadia en true" "stored as a person of role operator, with a pseudonym; its language kept"
like "$("$SAWT" operator list 2>&1)" "^\\$OP  Nadia  lang en  since [0-9-]+ [0-9:]+  sessions 0  last sign-in never\$" \
	"listed, never signed in"

# --- the page ------------------------------------------------------------------
web_start
tok=$(sign_in "$OP")
like "$tok" '^[0-9a-f]{64}$' "the operator signs in with the texted code"
is "$(get /api/me "$tok")" 200 "GET /api/me"
is "$(field "j['national']")" True "the operator sees the whole election"
is "$(get /api/ops "$tok")" 200 "the operations panel is open to the operator"
is "$(get /api/areas "$tok")" 200 "GET /api/areas"
is "$(field "len(j)")" "$(q "SELECT count(*) FROM sawt.areas WHERE parent_id IS NULL")" "every region"
like "$("$SAWT" operator list 2>&1)" "sessions 1  last sign-in [0-9-]+ " "the list shows the session"

# --- not an SMS user, no alert ---------------------------------------------------
"$SAWT" inject "$OP" 'T 1021 V10' >/dev/null
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '$OP' AND state <> 'received'" 1 30 ||
	fail "the operator's SMS is decided"
is "$(q "SELECT error_code FROM sawt.inbound_messages WHERE sender = '$OP'")" "unknown_sender" \
	"an SMS from the operator's phone is an unknown sender's"
is "$(q "SELECT count(*) FROM sawt.alert_recipients r JOIN sawt.people p ON p.id = r.person_id WHERE p.phone = '$OP'")" 0 \
	"the operator gets no alert"

# --- remove ----------------------------------------------------------------------
out=$("$SAWT" operator remove "$OP" 2>&1)
is "$?" 0 "sawt operator remove"
like "$out" "operator \\$OP removed: sessions ended; the record is kept" \
	"the record is kept when the code SMS refers to it"
is "$(get /api/me "$tok")" 401 "the session ended at once"
is "$(post /api/login/code "phone=$OP")" 202 "asking for a code answers as for anyone"
is "$(q "SELECT count(*) FROM sawt.web_codes c JOIN sawt.people p ON p.id = c.person_id WHERE p.phone = '$OP'")" 0 \
	"but no code is made for a removed operator"
out=$("$SAWT" operator remove "$OP" 2>&1)
is "$?:$out" "1:sawt: $OP is not an operator of election \"default\"" "removing again says so"
out=$("$SAWT" operator add "$OP" --name "Nadia" 2>&1)
like "$out" ': restored;' "adding back restores the kept record"
"$SAWT" operator add +96170333444 --name Fresh >/dev/null
out=$("$SAWT" operator remove +96170333444 2>&1)
is "$out" "operator +96170333444 removed: sessions ended" "an operator nothing refers to is deleted"
is "$(q "SELECT count(*) FROM sawt.people WHERE phone = '+96170333444'")" 0 "gone from the table"
unlike "$(cat "$ALL")" '\+961' "no page answer holds a phone number"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
