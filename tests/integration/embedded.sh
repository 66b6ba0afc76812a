#!/bin/sh
# Embedded default: sawtd with an empty state directory creates a private
# cluster, migrates, and stops cleanly on SIGTERM; a second start reuses it.
. "$(dirname "$0")/tap.sh"

S="$SAWT_TEST_TMP/embedded-state"
CONF="$SAWT_TEST_TMP/embedded.conf"
printf '[sawt]\nstate_dir = %s\n' "$S" > "$CONF"
LOG="$SAWT_TEST_TMP/sawtd1.log"

run_once() {
	"$SAWTD" -c "$CONF" >"$1" 2>&1 &
	pid=$!
	if wait_for "$1" "database schema at version" 120; then
		pass "$2: sawtd comes up and checks the schema"
	else
		fail "$2: sawtd comes up and checks the schema"
	fi
	kill -TERM $pid
	wait $pid
	is "$?" 0 "$2: exits 0 on SIGTERM"
}

run_once "$LOG" "first start"
like "$(cat "$LOG")" "creating the embedded database cluster" "first start runs initdb"
like "$(cat "$LOG")" "applied migration \"0001_init.sql\"" "first start applies the migrations"
like "$(cat "$LOG")" "stopping the embedded PostgreSQL" "the cluster is stopped on exit"
test -f "$S/pg/data/postmaster.pid" && fail "no server is left running" || pass "no server is left running"
test -S "$S/pg/run/.s.PGSQL.5432" && fail "no socket left" || pass "no socket left"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c %U "$S/pg/data")" "$(id -un sawt 2>/dev/null || echo postgres)" "as root the cluster belongs to an unprivileged user"
fi
grep -q "listen_addresses = ''" "$S/pg/data/sawt_embedded.conf" && pass "the cluster does not listen on TCP" || fail "the cluster does not listen on TCP"

LOG2="$SAWT_TEST_TMP/sawtd2.log"
run_once "$LOG2" "second start"
grep -q "creating the embedded database cluster" "$LOG2" && fail "second start reuses the cluster" || pass "second start reuses the cluster"
like "$(cat "$LOG2")" "schema at version [0-9]+ \(0 migration\(s\) applied now\)" "second start has nothing to migrate"

# Two daemons on one state directory: the second refuses.
"$SAWTD" -c "$CONF" >"$SAWT_TEST_TMP/a.log" 2>&1 &
pid=$!
wait_for "$SAWT_TEST_TMP/a.log" "database schema at version" 120
out=$(timeout 30 "$SAWTD" -c "$CONF" 2>&1); rc=$?
is "$rc" 1 "a second sawtd on the same state directory refuses to start"
like "$out" "is in use by another sawtd" "and says why"
kill -TERM $pid; wait $pid
is "$?" 0 "the first one still stops cleanly"
done_testing
