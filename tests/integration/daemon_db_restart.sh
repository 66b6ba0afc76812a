#!/bin/sh
# The database restarts under a running sawtd: the daemon says so, keeps
# running, reconnects by itself and its next query succeeds; SIGTERM still
# gives exit 0.  Then the database stays down while sawtd starts.
. "$(dirname "$0")/tap.sh"

"$SAWT" migrate >/dev/null 2>&1 || { fail "migrate"; done_testing; exit 1; }
LOG="$SAWT_TEST_TMP/sawtd.log"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "database schema at version" 30 && pass "sawtd connects and checks the schema" || fail "sawtd connects and checks the schema"

"$SAWT_TEST_PGCTL" stop
wait_for "$LOG" "lost connection to the database" 15 && pass "the loss is logged" || fail "the loss is logged"
sleep 1.5
kill -0 $pid 2>/dev/null && pass "sawtd keeps running while the database is down" || fail "sawtd keeps running while the database is down"
wait_for "$LOG" "could not connect to the database: .*retrying in" 15 && pass "reconnection attempts are logged with their delay" || fail "reconnection attempts are logged with their delay"

"$SAWT_TEST_PGCTL" start
wait_for "$LOG" "reconnected to the database" 30 && pass "sawtd reconnects by itself" || fail "sawtd reconnects by itself"
wait_for "$LOG" "database schema at version" 15 2 && pass "the next query after reconnecting succeeds" || fail "the next query after reconnecting succeeds"

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM after the restart: exit 0"

# Database down from the start: sawtd still starts and waits for it.
"$SAWT_TEST_PGCTL" stop
LOG2="$SAWT_TEST_TMP/sawtd2.log"
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG2" 2>&1 &
pid=$!
wait_for "$LOG2" "could not connect to the database" 15 && pass "database down at start is logged" || fail "database down at start is logged"
kill -0 $pid 2>/dev/null && pass "sawtd runs without its database" || fail "sawtd runs without its database"
"$SAWT_TEST_PGCTL" start
wait_for "$LOG2" "database schema at version" 30 && pass "and connects once it appears" || fail "and connects once it appears"
kill -INT $pid
wait $pid
is "$?" 0 "SIGINT: exit 0"
# Losing the database is a warning (lost connection, retrying), not an error.
no_errors "$LOG" "no error in the log of the restart under sawtd"
no_errors "$LOG2" "no error in the log of the start without a database"
done_testing
