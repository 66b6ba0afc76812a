#!/bin/sh
# SIGHUP applies [modem] sections without a restart (issue 20): a section
# added gets a worker that reads its phone while the other worker keeps
# running untouched; a section changed gets a new worker with the new
# keys; a section removed has its worker stopped, its row marked
# disabled (no modem_down alert for it) and nothing lost; a file that does
# not load changes nothing.  Gammu's dummy phones, in folders of the test.
. "$(dirname "$0")/tap.sh"

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
LOG="$SAWT_TEST_TMP/sawtd.log"
CONF="$SAWT_TEST_TMP/modems.conf"
A="$SAWT_TEST_TMP/phone-a"
B="$SAWT_TEST_TMP/phone-b"
B2="$SAWT_TEST_TMP/phone-b2"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
section() { # NAME DIR
	printf '\n[modem %s]\ndevice = %s\nmodel = dummy\nconnection = none\n' "$1" "$2"
}
# the base file, modem_down after one minute, then the modem sections
write() { # SECTIONS...
	{
		cat "$SAWT_CONFIG"
		printf '\n[alerts]\nmodem_down_minutes = 1\n'
		for s in "$@"; do printf '%s\n' "$s"; done
	} >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"
}
write "$(section a "$A")"
"$SAWTD" -c "$CONF" --check >/dev/null 2>&1 && pass "the configuration with modem a passes --check" ||
	fail "the configuration with modem a passes --check"

: >"$LOG"
"$SAWTD" -c "$CONF" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" 'modem "a": starting -> ready' 60 || fail "modem a comes up"
wait_for "$LOG" "registry loaded" 60
worker() { q "SELECT worker_pid FROM sawt.modems WHERE name = '$1'"; }
wait_sql "SELECT state FROM sawt.modems WHERE name = 'a'" ready 30
pid_a=$(worker a)
[ -n "$pid_a" ] && kill -0 "$pid_a" 2>/dev/null && pass "modem a's worker runs (pid $pid_a)" ||
	fail "modem a's worker runs"
reported() { # SENDER: the number of messages stored from it
	q "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '$1'"
}
hup() { kill -HUP "$pid"; wait_for "$LOG" "configuration reloaded" 30 "$1"; } # N-th reload

# --- add b -------------------------------------------------------------------
write "$(section a "$A")" "$(section b "$B")"
hup 1 || fail "the first reload is done"
wait_for "$LOG" 'modem "b": starting -> ready' 60 && pass "SIGHUP adds modem b, which comes up" ||
	fail "SIGHUP adds modem b, which comes up"
"$SAWT" inject --dir "$B" +96176123456 "T 2011 V301" >/dev/null
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '+96176123456'" 1 60 &&
	pass "a message in b's phone is read" || fail "a message in b's phone is read"
is "$(q "SELECT modem FROM sawt.inbound_messages WHERE sender = '+96176123456'")" b "and recorded as b's"
is "$(worker a)" "$pid_a" "modem a's worker was left alone"
kill -0 "$pid_a" 2>/dev/null && pass "and still runs" || fail "and still runs"
"$SAWT" inject --dir "$A" +9613987654 "T 4011 V101" >/dev/null
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '+9613987654'" 1 60 &&
	pass "a still reads its phone" || fail "a still reads its phone"

# --- change b's folder ---------------------------------------------------------
wait_sql "SELECT state FROM sawt.modems WHERE name = 'b'" ready 30
pid_b=$(worker b)
write "$(section a "$A")" "$(section b "$B2")"
hup 2 || fail "the second reload is done"
wait_for "$LOG" 'modem "b": configuration changed; restarting it' 30 &&
	pass "changing b's device restarts b" || fail "changing b's device restarts b"
wait_for "$LOG" 'modem "b": starting -> ready' 60 2
wait_sql "SELECT state FROM sawt.modems WHERE name = 'b' AND worker_pid <> $pid_b" ready 30 &&
	pass "with a new worker" || fail "with a new worker"
"$SAWT" inject --dir "$B2" +96176123456 "T 2011 V302" >/dev/null
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '+96176123456'" 2 60 &&
	pass "that reads the new folder" || fail "that reads the new folder"
is "$(worker a)" "$pid_a" "a is still untouched"

# --- a file that does not load ----------------------------------------------------
cp "$CONF" "$SAWT_TEST_TMP/good.conf"
printf '\n[modem c]\nmodel = dummy\nbogus_key_without_value\n' >>"$CONF"
kill -HUP "$pid"
wait_for "$LOG" "reload failed, keeping the running configuration" 30 &&
	pass "a configuration that does not load is refused" || fail "a configuration that does not load is refused"
sleep 1
unlike "$(cat "$LOG")" 'modem "c"' "no modem c is started"
is "$(worker a)/$(q "SELECT count(*) FROM sawt.modems WHERE state = 'ready'")" "$pid_a/2" \
	"a and b run as before"
cp "$SAWT_TEST_TMP/good.conf" "$CONF"

# --- remove b; a message left in its phone stays there ----------------------------------
pid_b=$(worker b)
write "$(section a "$A")"
hup 3 || fail "the third reload is done"
wait_for "$LOG" 'modem "b": removed' 30 && pass "SIGHUP removes modem b" || fail "SIGHUP removes modem b"
kill -0 "$pid_b" 2>/dev/null && fail "b's worker is gone" || pass "b's worker is gone"
is "$(q "SELECT state FROM sawt.modems WHERE name = 'b'")" disabled "b's row says disabled, not down"
"$SAWT" inject --dir "$B2" +96176123456 "T 2011 V303" >/dev/null
sleep 3
is "$(reported +96176123456)" 2 "a message put in b's phone afterwards is not read (b is gone)"
is "$(ls "$B2/sms/1" 2>/dev/null | wc -l)" 1 "and stays in the phone"
is "$(worker a)" "$pid_a" "a is still untouched"
is "$(q "SELECT count(*) FROM sawt.alerts WHERE kind = 'modem_down'")" 0 "no modem_down alert"

# --- b back: the message left in its phone is read ------------------------------------
write "$(section a "$A")" "$(section b "$B2")"
hup 4 || fail "the fourth reload is done"
wait_sql "SELECT count(*) FROM sawt.inbound_messages WHERE sender = '+96176123456'" 3 60 &&
	pass "adding b back reads the message left in its phone" ||
	fail "adding b back reads the message left in its phone"
is "$(q "SELECT count(*) FROM sawt.inbound_messages")" 4 "every message stored once"

kill -TERM "$pid"
wait "$pid"
is "$?" 0 "sawtd stops cleanly"
no_errors "$LOG" 'reload failed, keeping the running configuration: .*' "no error but the refused file's"
done_testing
