#!/bin/sh
# Backups of the embedded database (issue 20): `sawt backup FILE` while
# sawtd runs, then `sawt restore FILE` into a fresh state directory gives
# the same analytics views (every row of every view in schema analytics,
# compared as COPY output); a restore refuses a state directory that
# already holds a sawt schema or a running sawtd; an external database is
# refused with a pointer to the docs.
. "$(dirname "$0")/tap.sh"

A="$SAWT_TEST_TMP/bk-a"
B="$SAWT_TEST_TMP/bk-b"
BACKUP="$SAWT_TEST_TMP/sawt.backup"
for s in a b; do
	printf '[sawt]\nstate_dir = %s/bk-%s\n[election]\ncountry_code = 961\npseudonym_secret = test-secret\n' \
		"$SAWT_TEST_TMP" "$s" >"$SAWT_TEST_TMP/bk-$s.conf"
done
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; return 0; }
trap cleanup EXIT
# eq STATE SQL: psql on the embedded cluster of STATE (peer authentication)
eq() { PGTZ=UTC psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$1/pg/run" -U sawt -d sawt -c "$2"; }
# views STATE: COPY of every analytics view, each sorted, with its name
views() {
	for v in $(eq "$1" "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'analytics' AND c.relkind IN ('v', 'm') ORDER BY 1"); do
		echo "== $v"
		eq "$1" "COPY (SELECT * FROM analytics.$v) TO STDOUT" | LC_ALL=C sort
	done
}

# pgctl STATE ARGS: pg_ctl on the embedded cluster of STATE, as its owner
pgctl() {
	_d="$1"; shift
	if [ "$(id -u)" = 0 ]; then _as="runuser -u $(stat -c %U "$_d/pg/data") --"; else _as=""; fi
	$_as "$SAWT_PG_BINDIR/pg_ctl" -D "$_d/pg/data" -l "$_d/pg/postgres.log" -w "$@" >/dev/null
}

# a first start makes the cluster and its schema; the synthetic election of
# analytics.sh then replaces sawtd's empty one, the cluster run by hand
"$SAWTD" -c "$SAWT_TEST_TMP/bk-a.conf" >"$SAWT_TEST_TMP/bk-a0.log" 2>&1 &
pid=$!
wait_for "$SAWT_TEST_TMP/bk-a0.log" "database schema at version" 120
kill -TERM $pid; wait $pid; pid=
pgctl "$A" start
out=$(eq "$A" "TRUNCATE sawt.elections CASCADE" 2>&1 &&
	PGTZ=UTC psql -X -q -v ON_ERROR_STOP=1 -h "$A/pg/run" -U sawt -d sawt -f "$SAWT_TEST_DATA/analytics/election.sql" 2>&1)
rc_load=$?
is "$rc_load" 0 "a synthetic election loads into the embedded database"
[ "$rc_load" = 0 ] || printf "%s\n" "$out" | sed "s/^/# /"
pgctl "$A" stop -m fast

"$SAWTD" -c "$SAWT_TEST_TMP/bk-a.conf" >"$SAWT_TEST_TMP/bk-a.log" 2>&1 &
pid=$!
wait_for "$SAWT_TEST_TMP/bk-a.log" "database schema at version" 120 && pass "sawtd runs on it" || fail "sawtd runs on it"
wait_for "$SAWT_TEST_TMP/bk-a.log" "node \"" 30
out=$("$SAWT" -c "$SAWT_TEST_TMP/bk-a.conf" backup "$BACKUP" 2>&1)
is "$?" 0 "sawt backup while sawtd runs"
like "$out" "backed up the embedded database" "and says so"
is "$(stat -c %a "$BACKUP")" 600 "the backup is readable by its owner only"
before=$(views "$A")
like "$before" "^== station_turnout" "the analytics views are listed"
[ "$(printf '%s\n' "$before" | grep -vc '^==')" -gt 10 ] && pass "and hold rows" || fail "and hold rows"
# a change after the backup is not in it
eq "$A" "DELETE FROM sawt.reports WHERE id IN (SELECT min(id) FROM sawt.reports)" >/dev/null
kill -TERM $pid; wait $pid; rc=$?; pid=
is "$rc" 0 "sawtd stops cleanly"
no_errors "$SAWT_TEST_TMP/bk-a.log" "no error in its log"

out=$("$SAWT" -c "$SAWT_TEST_TMP/bk-b.conf" restore "$BACKUP" 2>&1)
is "$?" 0 "sawt restore into a fresh state directory"
like "$out" "restored .* start sawtd" "and says what next"
test -f "$B/pg/data/postmaster.pid" && fail "the restored cluster is left stopped" || pass "the restored cluster is left stopped"
"$SAWTD" -c "$SAWT_TEST_TMP/bk-b.conf" >"$SAWT_TEST_TMP/bk-b.log" 2>&1 &
pid=$!
wait_for "$SAWT_TEST_TMP/bk-b.log" "database schema at version" 120 && pass "sawtd starts on the restored database" || fail "sawtd starts on the restored database"
like "$(cat "$SAWT_TEST_TMP/bk-b.log")" "0 migration\(s\) applied now" "with its schema complete"
after=$(views "$B")
if [ "$before" = "$after" ]; then pass "every analytics view is identical after the restore"; else
	fail "every analytics view is identical after the restore"
	printf '%s\n' "$before" >"$SAWT_TEST_TMP/before"; printf '%s\n' "$after" >"$SAWT_TEST_TMP/after"
	diff "$SAWT_TEST_TMP/before" "$SAWT_TEST_TMP/after" | head -20 | sed 's/^/# /'
fi
is "$(eq "$B" "SELECT has_table_privilege('sawt_analyst', 'analytics.station_turnout', 'SELECT')")" t \
	"the analysts' role keeps its grants"
out=$("$SAWT" -c "$SAWT_TEST_TMP/bk-b.conf" restore "$BACKUP" 2>&1)
is "$?" 1 "a restore where sawtd runs is refused"
like "$out" "is in use by a running sawtd; stop it first" "and says why"
kill -TERM $pid; wait $pid; rc=$?; pid=
is "$rc" 0 "sawtd stops cleanly"
no_errors "$SAWT_TEST_TMP/bk-b.log" "no error in its log"

out=$("$SAWT" -c "$SAWT_TEST_TMP/bk-b.conf" restore "$BACKUP" 2>&1)
is "$?" 1 "a restore over a database that holds a sawt schema is refused"
like "$out" "already holds a sawt schema; restore into a fresh state directory" "and says what to do"
test -f "$B/pg/data/postmaster.pid" && fail "and leaves the cluster stopped" || pass "and leaves the cluster stopped"

out=$("$SAWT" backup "$SAWT_TEST_TMP/ext.backup" 2>&1)
is "$?" 1 "sawt backup with an external database is refused"
like "$out" "embedded database only.*docs/deploy.md" "and points to the docs"
done_testing
