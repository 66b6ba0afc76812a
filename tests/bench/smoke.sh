#!/bin/sh
# smoke.sh BUILD_DIR - the pipeline and HTTP benchmarks run on a tiny load, report
# their figures, and touch nothing but their own throwaway PostgreSQL (never
# the embedded default's socket under /var/lib/sawt).  No timing is judged.
. "$(dirname "$0")/../integration/tap.sh"

out=$("$(dirname "$0")/pipeline.sh" "$1" -s 20 -n 200 -r 400 2>&1); rc=$?
is "$rc" 0 "pipeline.sh exits 0"
like "$out" "^\(a\) as fast as possible: 200 messages .* 0 failed" "phase (a) reports its figures"
like "$out" "^\(b\) offered 400 msg/s: 200 messages .* 0 failed" "phase (b) reports its figures"
unlike "$out" "could not connect|/var/lib/sawt" "no connection to the default state directory's server"
# The HTTP door's benchmark (wrk), two seconds a phase.
out=$(SAWT="$1/src/sawt" SAWTD="$1/src/sawtd" "$(dirname "$0")/../pgtmp.sh" \
	"$(dirname "$0")/http_inbound.sh" 2 4 100 2>&1); rc=$?
is "$rc" 0 "http_inbound.sh exits 0"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
like "$out" "^  [0-9]+ messages committed in the database: [0-9]+ durable msgs/s" "it reports durable messages per second"
like "$out" "^  wrk: [0-9]+ requests, 0 non-2xx, 0 socket errors; latency p50" "and the latency of the answers, all 2xx"
# The quick count's benchmark on a small election.
out=$(SAWT="$1/src/sawt" "$(dirname "$0")/../pgtmp.sh" "$(dirname "$0")/pvt.sh" 400 60 2>&1); rc=$?
is "$rc" 0 "pvt.sh exits 0"
like "$out" "^analytics.pvt_estimates \(9 rows\): [0-9.]+ ms" "it reports the time of the estimates"
# The USSD menu's benchmark (wrk), two seconds.
out=$(SAWT="$1/src/sawt" SAWTD="$1/src/sawtd" "$(dirname "$0")/../pgtmp.sh" \
	"$(dirname "$0")/ussd.sh" 2 4 2>&1); rc=$?
is "$rc" 0 "ussd.sh exits 0"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
like "$out" "^  wrk: [0-9]+ requests, 0 unexpected answers, 0 socket errors" "every USSD answer is the expected screen"
like "$out" "^  wrk: step confirm +[0-9]+ answers  p50 +[0-9.]+ ms  p99 +[0-9.]+ ms" "it reports p50 and p99 per menu step"
done_testing
