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
	no_errors "$1" "$2: no error in the log"
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
timeout 30 "$SAWTD" -c "$CONF" >"$SAWT_TEST_TMP/b.log" 2>&1; rc=$?
out=$(cat "$SAWT_TEST_TMP/b.log")
is "$rc" 1 "a second sawtd on the same state directory refuses to start"
like "$out" "is in use by another sawtd" "and says why"
no_errors "$SAWT_TEST_TMP/b.log" "state directory \"$(re_quote "$S")\" is in use by another sawtd \(lock file \"$(re_quote "$S")/[^\"]+\"\)" \
	"and that is its only error"
kill -TERM $pid; wait $pid
is "$?" 0 "the first one still stops cleanly"
no_errors "$SAWT_TEST_TMP/a.log" "no error in the first one's log"

# The embedded server stopped behind sawtd's back is started again.
"$SAWTD" -c "$CONF" >"$SAWT_TEST_TMP/r.log" 2>&1 &
pid=$!
wait_for "$SAWT_TEST_TMP/r.log" "database schema at version" 120
if [ "$(id -u)" = 0 ]; then asuser="runuser -u $(stat -c %U "$S/pg/data") --"; else asuser=""; fi
$asuser "$SAWT_PG_BINDIR/pg_ctl" stop -m fast -w -D "$S/pg/data" >/dev/null
wait_for "$SAWT_TEST_TMP/r.log" "the embedded PostgreSQL is not running; starting it again" 30 &&
	pass "sawtd notices its server is gone" || fail "sawtd notices its server is gone"
wait_for "$SAWT_TEST_TMP/r.log" "the embedded PostgreSQL is running again" 60 &&
	pass "and starts it again" || fail "and starts it again"
wait_for "$SAWT_TEST_TMP/r.log" "database schema at version" 60 2 &&
	pass "and reconnects to it" || fail "and reconnects to it"
kill -TERM $pid; wait $pid
is "$?" 0 "stops cleanly after the restart"
# A server gone behind sawtd's back is a warning, not an error.
no_errors "$SAWT_TEST_TMP/r.log" "no error in the log of the restart"
test -f "$S/pg/data/postmaster.pid" && fail "the restarted server is stopped too" || pass "the restarted server is stopped too"

# initdb that cannot run, or fails: the error says why and the log exists.
FAKE="$SAWT_TEST_TMP/fakebin"
mkdir -p "$FAKE"
printf '#!/nonexistent/interpreter\n' >"$FAKE/initdb"
cp "$FAKE/initdb" "$FAKE/pg_ctl"
chmod 755 "$FAKE" "$FAKE/initdb" "$FAKE/pg_ctl"
printf '[sawt]\nstate_dir = %s\n[database]\npg_bindir = %s\n' "$SAWT_TEST_TMP/fake-state" "$FAKE" >"$SAWT_TEST_TMP/fake.conf"
timeout 60 "$SAWTD" -c "$SAWT_TEST_TMP/fake.conf" >"$SAWT_TEST_TMP/f1.log" 2>&1; rc=$?
out=$(cat "$SAWT_TEST_TMP/f1.log")
FS=$(re_quote "$SAWT_TEST_TMP/fake-state/pg")
is "$rc" 1 "initdb that cannot be executed: sawtd exits 1"
like "$out" "initdb failed for .*could not execute \"$FAKE/initdb\": No such file or directory" "and the error says why"
no_errors "$SAWT_TEST_TMP/f1.log" "initdb failed for \"$FS/data\": sawtd: could not execute \"$(re_quote "$FAKE/initdb")\": No such file or directory \(full output in \"$FS/postgres\.log\"\)" \
	"and that is its only error"
test -s "$SAWT_TEST_TMP/fake-state/pg/postgres.log" && pass "the log it names exists" || fail "the log it names exists"
printf '#!/bin/sh\necho "initdb: error: could not create directory: No space left on device" >&2\nexit 1\n' >"$FAKE/initdb"
rm -rf "$SAWT_TEST_TMP/fake-state"
timeout 60 "$SAWTD" -c "$SAWT_TEST_TMP/fake.conf" >"$SAWT_TEST_TMP/f2.log" 2>&1; rc=$?
out=$(cat "$SAWT_TEST_TMP/f2.log")
is "$rc" 1 "initdb that fails: sawtd exits 1"
like "$out" "initdb failed for .*: initdb: error: could not create directory: No space left on device \(full output in" "and the error carries initdb's own message"
no_errors "$SAWT_TEST_TMP/f2.log" "initdb failed for \"$FS/data\": initdb: error: could not create directory: No space left on device \(full output in \"$FS/postgres\.log\"\)" \
	"and that is its only error"
done_testing
