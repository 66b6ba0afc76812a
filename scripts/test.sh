#!/bin/sh
# test.sh [BUILDDIR [MESON-OPTIONS...]] - install what is missing, build
# with warnings as errors, run every test suite, and print a last line
# "N passed, N failed".  The suites: unit, fuzz, cli, layers,
# integration, deploy, bench (docs/operator.md); SAWT_TEST_SUITES (e.g. "unit
# integration") limits the suites run.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build-test}
[ $# -gt 0 ] && shift
./scripts/deps.sh test || exit 1

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --werror "$@" >"$BUILD.setup.log" 2>&1 ||
		{ cat "$BUILD.setup.log"; echo "0 passed, 1 failed"; exit 1; }
fi
rm -f "$BUILD.setup.log"
if ! ninja -C "$BUILD"; then
	echo "0 passed, 1 failed"
	exit 1
fi

suites=""
for s in ${SAWT_TEST_SUITES:-}; do suites="$suites --suite $s"; done
# shellcheck disable=SC2086
meson test -C "$BUILD" --print-errorlogs --num-processes 2 $suites
rc=$?

# Count the results meson recorded (one JSON object a line).
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r != "SKIP":
        failed += 1
print(f"{passed} passed, {failed} failed")
PY
exit $rc
