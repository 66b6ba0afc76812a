#!/bin/sh
# smoke.sh BUILD_DIR - the pipeline benchmark runs on a tiny load, reports
# its figures, and touches nothing but its own throwaway PostgreSQL (never
# the embedded default's socket under /var/lib/sawt).  No timing is judged.
. "$(dirname "$0")/../integration/tap.sh"

out=$("$(dirname "$0")/pipeline.sh" "$1" -s 20 -n 200 -r 400 2>&1); rc=$?
is "$rc" 0 "pipeline.sh exits 0"
like "$out" "^\(a\) as fast as possible: 200 messages .* 0 failed" "phase (a) reports its figures"
like "$out" "^\(b\) offered 400 msg/s: 200 messages .* 0 failed" "phase (b) reports its figures"
if printf '%s\n' "$out" | grep -q "could not connect\|/var/lib/sawt"; then
	fail "no connection to the default state directory's server"
	printf '%s\n' "$out" | grep "could not connect\|/var/lib/sawt" | sed 's/^/#   /'
else
	pass "no connection to the default state directory's server"
fi
done_testing
