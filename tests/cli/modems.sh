#!/bin/sh
# modems.sh SAWT - `sawt modems` against Gammu's dummy phone (answers: a
# ready-to-paste [modem] section), a path with no device (listed with the
# reason) and a terminal that never answers (given up at the timeout).
# Prints TAP.
set -u
sawt=$1
unset SAWT_CONFIG
n=0
fails=0
tmp=$(mktemp -d)
holder=""
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT

check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		fails=$((fails + 1))
		echo "not ok $n - $2"
		[ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"
	fi
}

echo "1..9"

# The dummy phone: a folder with the driver's sms/1..5.
for i in 1 2 3 4 5; do mkdir -p "$tmp/dummy/sms/$i"; done
"$sawt" modems --device "$tmp/dummy" --connection none --model dummy >"$tmp/out" 2>&1
check $? "the dummy phone answers (exit 0)"
grep -q "answers: Gammu Dummy, IMEI 999999999999999" "$tmp/out"
check $? "with its model and IMEI"
grep -q "SIM ready, network home (999 99 GammuT3l), signal 42 %" "$tmp/out"
check $? "its SIM, network and signal"
sed -n '/^\[modem m1\]$/,/^model/p' "$tmp/out" >"$tmp/section"
printf '[modem m1]\ndevice = %s\nconnection = none\nmodel = dummy\n' "$tmp/dummy" | cmp -s - "$tmp/section"
check $? "and a [modem] section to paste"

# The section's name is not one the configuration already has, and the
# section pasted into it makes a valid file.
printf '[modem m1]\ndevice = /dev/sawt-modem-1\n' >"$tmp/conf"
"$sawt" -c "$tmp/conf" modems --device "$tmp/dummy" --connection none --model dummy >"$tmp/out" 2>&1
grep -q '^\[modem m2\]$' "$tmp/out"
check $? "a name the configuration does not use yet (m2)"

"$sawt" modems --device "$tmp/no-such-tty" >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "no answer: could not open the device" "$tmp/out" && grep -q "no device answered" "$tmp/out"
check $? "a path with no device is listed with the reason (exit 1)"

# A terminal nobody answers on: the probe gives up at the timeout.
python3 -c '
import os, pty, sys, time
m, s = pty.openpty()
print(os.ttyname(s), flush=True)
time.sleep(60)
' >"$tmp/pty" &
holder=$!
i=0
while [ ! -s "$tmp/pty" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tty=$(cat "$tmp/pty")
"$sawt" modems --device "$tty" --timeout 1 >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "no answer: no answer within 1 s" "$tmp/out"
check $? "a device that never answers is given up after --timeout"

"$sawt" modems --timeout 0 >"$tmp/out" 2>&1
check $([ $? = 2 ]; echo $?) "--timeout 0 is a usage error"
"$sawt" modems --model dummy >"$tmp/out" 2>&1
check $([ $? = 2 ]; echo $?) "--model without --device is a usage error"

[ "$fails" = 0 ]
