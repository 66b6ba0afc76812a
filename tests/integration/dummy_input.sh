#!/bin/sh
# Input that once went astray through Gammu's dummy phone (issue 13, item 4):
#   - a file the dummy driver cannot read stayed in the inbox forever, with
#     no log line, and stopped every message after it: now moved to
#     DIR/bad/ and logged, and the messages after it are read;
#   - a sender Number with bytes Gammu does not read (a raw byte, U+0000)
#     was read as a shorter number and answered there: now recorded with
#     the sender marked, and not answered;
#   - a message longer than sawtd keeps was stored cut without a word, and
#     an English one was answered in the default language (Arabic here):
#     now the record says it was cut, and the reply is in English.
# Fixtures (tests/data/import/people.csv): Sam +96176123456 (2011, English);
# محمد علي +9613987654 (4011, no language).
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
CONF="$SAWT_TEST_TMP/ar.conf"
cp "$SAWT_CONFIG" "$CONF"
printf 'default_language = ar\n' >>"$CONF" # [election] is the file's last section
DUMMY="$SAWT_TEST_TMP/state/dummy"
INBOX="$DUMMY/sms/1"
LOG="$SAWT_TEST_TMP/sawtd.log"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

"$SAWTD" -c "$CONF" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 || fail "the dummy modem comes up"
wait_for "$LOG" "registry loaded" 60

# put LOCATION: stdin becomes the inbox file LOCATION, in one rename
put() {
	cat >"$SAWT_TEST_TMP/put.tmp"
	mv "$SAWT_TEST_TMP/put.tmp" "$INBOX/$1"
}
sms() { # NUMBER-LINES TEXT-HEX LENGTH
	printf '[SMSBackup000]\nPDU = Deliver\nDateTime = 20250504T100000Z\nState = UnRead\n%s\nText00 = %s\nCoding = Default_No_Compression\nFolder = 1\nLength = %s\n' "$1" "$2" "$3"
}
T2011=$(printf 'T 2011 V300 W120' | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
T4011=$(printf 'T 4011 V100' | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n' | tr a-f A-F)

# --- files the dummy driver cannot read, then a message after them --------
printf 'garbage, not an SMS backup\n' | put 1
printf '[SMSBackup000]\nPDU = Deliver\n' | put 2
sms 'Number = "+96176123456"' "$T2011" 16 | put 3
wait_sql "SELECT count(*) FROM sawt.reports r JOIN sawt.inbound_messages i ON i.id = r.inbound_id
	WHERE i.sender = '+96176123456' AND r.voters = 300" 1 60 &&
	pass "a message after two unreadable files is read" || fail "a message after two unreadable files is read"
is "$(ls "$DUMMY/bad" 2>/dev/null | sed 's/\..*//' | sort | tr '\n' ' ')" "1 2 " \
	"the unreadable files are moved to the dummy phone's bad/ folder"
is "$(cat "$DUMMY"/bad/1.*)" "garbage, not an SMS backup" "kept as they were"
wait_for "$LOG" "the dummy phone cannot read \"$(re_quote "$INBOX")/1\" \(.+\): moved to \"$(re_quote "$DUMMY")/bad/1\..+\"" 10 &&
	pass "and each is logged" || fail "and each is logged"

# --- senders Gammu would cut ------------------------------------------------
# A raw byte: Gammu reads "+96139876" (a number, once answered there);
# U+0000 inside NumberUnicode: Gammu reads "+961398765".
sms "$(printf 'Number = "+96139876\37754"')" "$T4011" 11 | put 4
sms 'Number = "+9613987654"
NumberUnicode = 002B00390036003100330039003800370036003500000034' "$T4011" 11 | put 5
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE position(chr(65533) in sender) > 0" 2 60 &&
	pass "both are recorded, the sender marked where Gammu would not read it" ||
	fail "both are recorded, the sender marked where Gammu would not read it"
is "$(q "SELECT string_agg(state || ' ' || no_reply_reason, ',') FROM sawt.inbound_messages
	WHERE position(chr(65533) in sender) > 0")" "ignored non_phone_sender,ignored non_phone_sender" \
	"as messages from no phone number"
is "$(q "SELECT count(*) FROM sawt.outbox WHERE recipient NOT IN ('+96176123456', '+9613987654')")" 0 \
	"no reply goes to a number that was never the sender"
wait_for "$LOG" "the sender of \"$(re_quote "$INBOX")/4\" is not readable as written" 10 &&
	pass "the marking is logged" || fail "the marking is logged"

# --- a message longer than sawtd keeps ----------------------------------------
long="I 4011 3 $(i=0; while [ $i -lt 90 ]; do printf 'vote buying at the door '; i=$((i + 1)); done)#9753"
"$SAWT" inject +9613987654 "$long" >/dev/null
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE text_cut" 1 60 &&
	pass "a message longer than sawtd keeps is recorded, and says it was cut" ||
	fail "a message longer than sawtd keeps is recorded, and says it was cut"
is "$(q "SELECT octet_length(text) <= 2048 AND text LIKE 'I 4011 3 vote buying at the door%', error_code
	FROM sawt.inbound_messages WHERE text_cut")" "t|message_too_long" "its text is the start of the message"
wait_sql "SELECT count(*) FROM sawt.outbox o JOIN sawt.inbound_messages i ON i.id = o.inbound_id WHERE i.text_cut" 1 30
like "$(q "SELECT o.body FROM sawt.outbox o JOIN sawt.inbound_messages i ON i.id = o.inbound_id WHERE i.text_cut")" \
	'^Message too long' "an English text is answered in English, whatever the default language"

wait_sql "SELECT count(*) FROM sawt.outbox WHERE state = 'queued'" 0 30
is "$(ls "$INBOX" | wc -l)" 0 "nothing is left in the inbox"
kill -TERM "$pid"
wait "$pid"
is "$?" 0 "sawtd exits 0"
no_errors "$LOG" "no error in sawtd's log"
done_testing
