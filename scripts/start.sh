#!/bin/sh
# start.sh [SAWTD OPTIONS] - install what is missing, build, and run the
# gateway in the foreground (Ctrl-C stops it).
#
# With no options it runs on the embedded defaults: a private PostgreSQL
# under the state directory and Gammu's dummy phone, no hardware.  On the
# first such start it also shows the demo: `sawt simulate` generates a
# small election, imports it, texts the observers' messages into the dummy
# phone, checks the analytics views against what it sent, and `sawt
# status` prints the summary.  SAWT_DEMO=0 skips the demo; SAWT_DEMO=1
# runs it again.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh build
# quiet when the build succeeds; its errors in full when it does not
if [ ! -f build/build.ninja ]; then
	if ! meson setup build --buildtype=release -Dtests=false >build.setup.log 2>&1; then
		cat build.setup.log >&2
		echo "sawt: meson setup failed (above; also in build.setup.log)" >&2
		exit 1
	fi
	rm -f build.setup.log
fi
if ! ninja -C build >build.log 2>&1; then
	cat build.log >&2
	echo "sawt: the build failed (above; also in build.log)" >&2
	exit 1
fi
rm -f build.log
BIN=./build/src

if [ $# -gt 0 ]; then
	echo "sawt: built; starting sawtd $* (Ctrl-C stops it)" >&2
	exec "$BIN/sawtd" "$@"
fi

if [ "$(id -u)" = 0 ]; then STATE=/var/lib/sawt; else STATE=./sawt-state; fi
demo=${SAWT_DEMO:-auto}
if [ "$demo" = auto ]; then
	if [ -d "$STATE/simulation" ]; then demo=0; else demo=1; fi
fi

echo "sawt: built; starting sawtd on the embedded defaults (state directory $STATE)" >&2
"$BIN/sawtd" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' INT TERM

if [ "$demo" = 1 ]; then
	# the embedded database is up once the schema check passes
	i=0
	until "$BIN/sawt" migrate --check >/dev/null 2>&1; do
		kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }
		i=$((i + 1)); [ $i -gt 600 ] && break
		sleep 0.2
	done
	echo "sawt: demo: a synthetic election of 20 stations through the dummy phone" >&2
	"$BIN/sawt" simulate --stations 20 --rate 25 --timeout 120 || true
	"$BIN/sawt" status || true
	echo "sawt: demo done. Try: $BIN/sawt inject +96170000001 'HELP'   (see docs/simulate.md, docs/protocol.md)" >&2
fi
echo "sawt: sawtd is running (pid $pid); Ctrl-C stops it" >&2
set +e
wait $pid
rc=$?
# wait returns early when the trap fires; wait again for sawtd's exit
kill -0 $pid 2>/dev/null && { wait $pid; rc=$?; }
exit $rc
