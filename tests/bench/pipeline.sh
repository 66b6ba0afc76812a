#!/bin/sh
# pipeline.sh [BUILD_DIR] [BENCH_ARGS...] - benchmark the processing pipeline.
#
# Starts a throwaway PostgreSQL with fsync and synchronous_commit on
# (PGTMP_DURABLE=1 tests/pgtmp.sh), applies the migrations with `sawt
# migrate`, and runs bench_pipeline, which prints messages per second and
# receipt-to-commit latencies (see tests/bench/bench_pipeline.c for
# BENCH_ARGS).  BUILD_DIR defaults to build.  Example:
#
#   tests/bench/pipeline.sh build-release -s 5000 -n 50000 -r 1000
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case $build in /*) ;; *) build="$here/$build" ;; esac
for f in "$build/src/sawt" "$build/tests/bench/bench_pipeline"; do
	if [ ! -x "$f" ]; then
		echo "pipeline.sh: $f not found: build it first (ninja -C $build)" >&2
		exit 1
	fi
done
export SAWT="$build/src/sawt" BENCH="$build/tests/bench/bench_pipeline"
export SAWT_MIGRATIONS_DIR="$here/migrations"
PGTMP_DURABLE=1 exec "$here/tests/pgtmp.sh" sh -c '
	"$SAWT" migrate >/dev/null && exec "$BENCH" "$@"' bench "$@"
