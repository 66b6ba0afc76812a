#!/bin/sh
# Issue 23's fault test: the spool on a small filesystem (a 320 kB tmpfs),
# PostgreSQL stopped, more messages through the dummy phone than the spool
# holds.  sawtd stays up, deletes nothing it has not spooled, and says so
# in one error line; the messages it refused stay on the phone and are
# offered again.  Once PostgreSQL is back every message is counted exactly
# once and the phone empties, without restarting anything.
#
# Needs root (mount); as another user it is skipped (exit 77).
. "$(dirname "$0")/tap.sh"

N=${SAWT_STRANDED_MESSAGES:-600}
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root to mount a tmpfs for the spool"
	exit 77
fi

STATE="$SAWT_TEST_TMP/state"
SPOOL="$STATE/spool"
PHONE="$STATE/dummy"
INBOX="$PHONE/sms/1"
LOG="$SAWT_TEST_TMP/sawtd.log"
CONF="$SAWT_TEST_TMP/stranded.conf"
mkdir -p "$SPOOL"
mount -t tmpfs -o size=320k,mode=0700 sawt-stranded "$SPOOL" || { fail "mount a tmpfs on the spool"; done_testing; exit 1; }
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	umount "$SPOOL" 2>/dev/null || umount -l "$SPOOL" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# debug: each refusal after the first is a debug line, to show that
# messages were offered again during the outage while only one error was
# logged; the warning threshold is a quarter of the 320 kB
sed 's/^\[sawt\]$/[sawt]\nlog_level = debug\nspool_warn_free = 25%/' "$SAWT_CONFIG" >"$CONF"
printf '\n[http]\nlisten = 127.0.0.1:0\n' >>"$CONF"
import_fixtures || { fail "fixtures import"; done_testing; exit 1; }

count() { ls "$1" 2>/dev/null | grep -c "${2:-.}"; }
phone_empty() { [ "$(count "$INBOX")" -eq 0 ]; }
spool_empty() { [ "$(count "$SPOOL" '\.msg$')" -eq 0 ]; }
# poll_until SECONDS CMD...: run CMD every 0.2 s until it succeeds
poll_until() {
	_end=$(($(date +%s) + $1)); shift
	while ! "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
}

"$SAWTD" -c "$CONF" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 30 && wait_for "$LOG" "registry loaded" 30 &&
	pass "sawtd is up with the dummy phone" || fail "sawtd is up with the dummy phone"
wait_sql "SELECT worker_pid IS NOT NULL FROM sawt.modems WHERE name = 'dummy'" t 30
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
# metric NAME: its value in /metrics (one series, no labels)
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
# health FIELD: a field of /healthz's spool object
health() { curl -s "http://127.0.0.1:$PORT/healthz" | /usr/bin/python3 -c "import json, sys; v = json.load(sys.stdin)['spool']['$1']; print(str(v).lower())"; }
worker=$(psql -XAtc "SELECT worker_pid FROM sawt.modems WHERE name = 'dummy'")

# --- 1. the database goes, the messages come ------------------------------
"$SAWT_TEST_PGCTL" stop
wait_for "$LOG" "lost connection to the database" 30
t0=$(date +%s)
i=1
while [ $i -le "$N" ]; do
	# distinct SMSC times: every message has its own dedup key
	"$SAWT" -c "$CONF" inject --dir "$PHONE" --time $((t0 - 3600 + i)) +96176123456 "T 2011 V$((100 + i / 2)) W$((i / 4))" >/dev/null ||
		fail "inject message $i"
	i=$((i + 1))
done
pass "$N messages arrive on the phone while PostgreSQL is down"

# every message is on the phone or in the spool, never neither; the ones
# refused stay on the phone and are offered again (the debug lines)
settled() {
	[ "$(($(count "$INBOX") + $(count "$SPOOL" '\.msg$')))" -eq "$N" ] &&
		[ "$(grep -c 'could not spool a message from dummy; it stays with its source' "$LOG")" -gt "$(count "$INBOX")" ]
}
poll_until 120 settled && pass "nothing leaves the phone unspooled; the refused messages are offered again" ||
	fail "nothing leaves the phone unspooled; the refused messages are offered again"
spooled=$(count "$SPOOL" '\.msg$')
held=$(count "$INBOX")
echo "# spooled: $spooled, held on the phone: $held, of $N"
[ "$spooled" -gt 0 ] && [ "$held" -gt 0 ] && pass "the spool is full: some spooled, the rest held" ||
	fail "the spool is full: some spooled, the rest held"
is "$(($(count "$INBOX") + $(count "$SPOOL" '\.msg$')))" "$N" "every message is on the phone or in the spool"
kill -0 "$pid" 2>/dev/null && pass "sawtd stays up" || fail "sawtd stays up"
is "$(grep -c 'error: could not spool a message' "$LOG")" 1 "one error line for the episode"
held_metric() { [ "$(metric sawt_messages_held_on_source)" = "$held" ]; }
poll_until 60 held_metric && pass "/metrics: sawt_messages_held_on_source $held" ||
	fail "/metrics: sawt_messages_held_on_source $held (got $(metric sawt_messages_held_on_source))"
is "$(metric sawt_spool_free_bytes)" 0 "/metrics: sawt_spool_free_bytes 0"
is "$(metric sawt_intake_refusing)" 1 "/metrics: sawt_intake_refusing 1"
is "$(health refusing) $(health held_on_source) $(health free_bytes) $(health low)" "true $held 0 true" \
	"/healthz: the spool refuses, its disk is full, $held messages held"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" 503 "/healthz: 503"
like "$(grep 'error: could not spool a message' "$LOG")" \
	"could not spool a message from dummy: .*No space left on device; .*offered again \(database down, [0-9]+ message\(s\) spooled, [0-9.]+ [kB]+ free for the spool\)" \
	"the error says why, and gives the spool's figures"
is "$(grep -c "the spool's filesystem is nearly full" "$LOG")" 1 "one warning when the spool's filesystem ran low"
warned=$(grep -n "the spool's filesystem is nearly full" "$LOG" | cut -d: -f1)
failed=$(grep -n 'error: could not spool a message' "$LOG" | cut -d: -f1)
[ -n "$warned" ] && [ -n "$failed" ] && [ "$warned" -lt "$failed" ] &&
	pass "the warning comes before the spool is full" || fail "the warning comes before the spool is full"
grep "the spool's filesystem is nearly full\|error: could not spool a message" "$LOG" | sed 's/^/# /'
wait_for "$LOG" "modem \"dummy\": $held refused message\(s\) held" 60 &&
	pass "the modem reports how many it holds" || fail "the modem reports how many it holds"

# --- 2. the database comes back -------------------------------------------
"$SAWT_TEST_PGCTL" start
back=$(date +%s)
wait_sql "SELECT count(*) FROM sawt.inbound_messages" "$N" 180 &&
	pass "every message is stored once PostgreSQL is back" || fail "every message is stored once PostgreSQL is back"
poll_until 60 phone_empty && pass "the phone is empty" || fail "the phone is empty"
echo "# all $N stored and the phone empty $(($(date +%s) - back)) s after PostgreSQL was started"
poll_until 60 spool_empty && pass "the spool is empty" || fail "the spool is empty"
is "$(psql -XAtc "SELECT count(DISTINCT dedup_key) || ' ' || count(*) FROM sawt.inbound_messages")" "$N $N" \
	"each counted exactly once"
is "$(psql -XAtc "SELECT count(*) FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '2011'")" "$N" \
	"one report per message"
is "$(psql -XAtc "SELECT voters FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id WHERE s.code = '2011' AND r.superseded_by IS NULL AND r.outcome <> 'rejected'")" \
	"$((100 + N / 2))" "the latest report is the current one"
wait_for "$LOG" "messages are durable again" 60
is "$(grep -c 'messages are durable again' "$LOG")" 1 "one line when the episode ends"
grep 'messages are durable again' "$LOG" | sed 's/^/# /'
like "$(grep 'messages are durable again' "$LOG")" " $held message\(s\) were refused meanwhile .*; 0 held there now" \
	"it counts the messages refused, and none is held any more"
is "$(grep -c 'error: could not spool a message' "$LOG")" 1 "still one error line"
wait_sql "SELECT worker_pid || ' ' || restarts || ' ' || held FROM sawt.modems WHERE name = 'dummy'" "$worker 0 0" 30 &&
	pass "the same worker, never restarted, holds nothing" || fail "the same worker, never restarted, holds nothing"
kill -0 "$pid" 2>/dev/null && pass "sawtd still up" || fail "sawtd still up"
is "$(metric sawt_messages_held_on_source) $(metric sawt_intake_refusing) $(metric sawt_intake_refusal_episodes_total)" "0 0 1" \
	"/metrics: none held, not refusing, one episode"
[ "$(metric sawt_spool_free_bytes)" -gt 0 ] && pass "/metrics: the spool has room" || fail "/metrics: the spool has room"
is "$(health refusing) $(health held_on_source)" "false 0" "/healthz: not refusing, none held"

# the same message handed over once more (same sender, SMSC time and text:
# the same dedup key) is acknowledged and deleted, and not counted again
"$SAWT" inject --dir "$PHONE" --time $((t0 - 3600 + 7)) +96176123456 "T 2011 V$((100 + 7 / 2)) W$((7 / 4))" >/dev/null
poll_until 60 phone_empty && pass "a copy of a stored message leaves the phone" ||
	fail "a copy of a stored message leaves the phone"
is "$(psql -XAtc "SELECT count(*) FROM sawt.inbound_messages")" "$N" "and is not stored twice"
is "$(psql -XAtc "SELECT count(*) FROM sawt.reports")" "$N" "nor counted twice"
status=$("$SAWT" -c "$CONF" status 2>&1)
like "$status" "spool: 0 messages, [0-9.]+ [kMG]?B free" "sawt status shows the spool and its free space"
like "$status" "held on modems: 0" "and the messages held on modems"

kill -TERM "$pid"
wait "$pid"
is "$?" 0 "SIGTERM: exit 0"
pid=
no_errors "$LOG" "could not spool a message from dummy: could not (create|write) file \"$(re_quote "$SPOOL")/tmp\.[0-9]+\": No space left on device; .*" \
	"no error in the log but the one the test provokes"
[ -n "${SAWT_TEST_KEEPLOG:-}" ] && cp "$LOG" "$SAWT_TEST_KEEPLOG"
done_testing
