#!/bin/sh
# sawtd --check, bad configuration, SIGHUP reload, systemd notification.
. "$(dirname "$0")/tap.sh"

out=$("$SAWTD" --check -c "$SAWT_CONFIG" 2>&1)
is "$?" 0 "--check accepts a valid file"
like "$out" "is valid" "--check says so"

BAD="$SAWT_TEST_TMP/bad.conf"
printf '[sawt]\nstate_dir = /tmp/x\n\n[http]\nlisen = 0.0.0.0:8080\n' > "$BAD"
out=$("$SAWTD" --check -c "$BAD" 2>&1)
is "$?" 1 "--check rejects an unknown key"
like "$out" "bad.conf:5: .*unknown key \"lisen\"" "the error names file, line and key"

out=$("$SAWTD" --check -c "$SAWT_TEST_TMP/missing.conf" 2>&1)
is "$?" 1 "--check rejects a missing file"
like "$out" "could not open file \".*missing.conf\"" "the error names the file"

for prog in "$SAWT" "$SAWTD"; do
	for opt in --help -h; do
		out=$("$prog" $opt 2>&1)
		is "$?" 0 "${prog##*/} $opt: exit 0"
		like "$out" "^usage: ${prog##*/} " "${prog##*/} $opt prints the usage"
	done
	out=$("$prog" --version 2>&1)
	like "$out" "^${prog##*/} [0-9]" "${prog##*/} --version prints the version"
done

"$SAWT" migrate >/dev/null 2>&1
# systemd notification through a datagram socket we listen on.
command -v python3 >/dev/null || { done_testing; exit $?; }
NS="$SAWT_TEST_TMP/notify.sock"
python3 - "$NS" > "$SAWT_TEST_TMP/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        m = s.recv(4096).decode()
        print(m, flush=True)
        if m == "STOPPING=1":
            break
except socket.timeout:
    pass
PY
lpid=$!
i=0; while [ ! -S "$NS" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done

CONF="$SAWT_TEST_TMP/reload.conf"
cp "$SAWT_CONFIG" "$CONF"
LOG="$SAWT_TEST_TMP/sawtd.log"
NOTIFY_SOCKET="$NS" WATCHDOG_USEC=400000 "$SAWTD" -c "$CONF" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "database schema at version" 30
wait_for "$SAWT_TEST_TMP/notify.out" "WATCHDOG=1" 10 2 && pass "watchdog pings come from the loop" || fail "watchdog pings come from the loop"
grep -qx "READY=1" "$SAWT_TEST_TMP/notify.out" && pass "READY=1 is sent" || fail "READY=1 is sent"

printf '\n[sawt]\nlog_level = debug\n' >> "$CONF"   # duplicate section: invalid
kill -HUP $pid
wait_for "$LOG" "reload failed, keeping the running configuration" 10 && pass "a bad file on SIGHUP is reported and ignored" || fail "a bad file on SIGHUP is reported and ignored"
cp "$SAWT_CONFIG" "$CONF"
sed -i 's/^\[sawt\]$/[sawt]\nlog_level = debug/' "$CONF"
kill -HUP $pid
wait_for "$LOG" "configuration reloaded" 10 && pass "SIGHUP reloads a good file" || fail "SIGHUP reloads a good file"
kill -0 $pid && pass "sawtd survives reloads" || fail "sawtd survives reloads"
kill -TERM $pid
wait $pid
is "$?" 0 "exit 0"
no_errors "$LOG" "reload failed, keeping the running configuration: $(re_quote "$CONF"):[0-9]+: duplicate section \[sawt\] \(first on line 1\)" \
	"no error in the log but the refused reload"
wait $lpid
grep -qx "STOPPING=1" "$SAWT_TEST_TMP/notify.out" && pass "STOPPING=1 is sent" || fail "STOPPING=1 is sent"
done_testing
