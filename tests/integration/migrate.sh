#!/bin/sh
# Migrations: apply, re-apply (no-op), changed file refused, unknown
# (newer) schema refused by sawt and by sawtd, failed migration rolled back.
. "$(dirname "$0")/tap.sh"

out=$("$SAWT" migrate 2>&1); rc=$?
is "$rc" 0 "first migrate succeeds"
like "$out" "^applied [1-9][0-9]* migration\(s\), 0 already applied" "first migrate applies every migration"
n=$(ls "$SAWT_MIGRATIONS_DIR" | grep -c '^[0-9][0-9][0-9][0-9]_.*\.sql$')
is "$(psql -XAtc 'SELECT count(*) FROM public.sawt_migrations')" "$n" "every file is recorded"
is "$(psql -XAtc "SELECT count(*) FROM public.sawt_migrations WHERE length(checksum) = 64")" "$n" "each with a SHA-256 checksum"
is "$(psql -XAtc "SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('sawt','analytics')")" 2 "schemas sawt and analytics exist"

out=$("$SAWT" migrate 2>&1); rc=$?
is "$rc" 0 "second migrate succeeds"
like "$out" "^applied 0 migration\(s\), $n already applied" "second migrate is a no-op"
out=$("$SAWT" migrate --check 2>&1)
is "$?" 0 "migrate --check passes when up to date"

# A copy of the migrations that we can tamper with.
M="$SAWT_TEST_TMP/migrations"
cp -r "$SAWT_MIGRATIONS_DIR" "$M"
first=$(ls "$M" | grep '\.sql$' | sort | head -1)
echo "-- edited" >> "$M/$first"
out=$(SAWT_MIGRATIONS_DIR="$M" "$SAWT" migrate 2>&1); rc=$?
is "$rc" 1 "a changed applied file is refused"
like "$out" "migration file \"$first\" has changed since it was applied" "the error names the changed file"

rm -rf "$M"; cp -r "$SAWT_MIGRATIONS_DIR" "$M"
last=$(ls "$M" | grep '\.sql$' | sort | tail -1)
rm "$M/$last"
out=$(SAWT_MIGRATIONS_DIR="$M" "$SAWT" migrate 2>&1); rc=$?
is "$rc" 1 "a schema newer than the files is refused"
like "$out" "newer than this sawt: migration \"$last\" is applied but unknown" "the error names the unknown migration"

SAWT_MIGRATIONS_DIR="$M" timeout 60 "$SAWTD" -c "$SAWT_CONFIG" >"$SAWT_TEST_TMP/sawtd.log" 2>&1; rc=$?
out=$(cat "$SAWT_TEST_TMP/sawtd.log")
is "$rc" 1 "sawtd refuses to run against a newer schema"
like "$out" "has migration [0-9]*, which this sawtd does not know" "sawtd says why"
lastv=$(echo "$last" | sed 's/^0*//; s/_.*//')
no_errors "$SAWT_TEST_TMP/sawtd.log" \
	"the database schema has migration $lastv, which this sawtd does not know \\(it knows up to version [0-9]+\\); upgrade sawtd" \
	"and that is its only error, naming the unknown migration"

# A gap: a database that lacks a migration below the highest one (two
# branches that each added one) is behind, though its highest version
# matches.  sawtd names the missing migration instead of starting.
mid=$(psql -XAtc "SELECT version FROM public.sawt_migrations ORDER BY version OFFSET 3 LIMIT 1")
row=$(psql -XAtc "SELECT format('(%s,%L,%L,%L)', version, name, checksum, applied_at) FROM public.sawt_migrations WHERE version = $mid")
psql -XAtqc "DELETE FROM public.sawt_migrations WHERE version = $mid"
: > "$SAWT_TEST_TMP/sawtd.log"
timeout 60 "$SAWTD" -c "$SAWT_CONFIG" >"$SAWT_TEST_TMP/sawtd.log" 2>&1; rc=$?
is "$rc" 1 "sawtd refuses a schema with a migration missing below the highest"
like "$(cat "$SAWT_TEST_TMP/sawtd.log")" "lacks migration $mid, which this sawtd needs" "sawtd says which migration is missing"
no_errors "$SAWT_TEST_TMP/sawtd.log" \
	"the database schema lacks migration $mid, which this sawtd needs \\(it knows up to version [0-9]+\\); run \"sawt migrate\"" \
	"and names the missing migration"
psql -XAtqc "INSERT INTO public.sawt_migrations (version, name, checksum, applied_at) VALUES $row"

# A new, broken migration: nothing of it stays, nothing is recorded.
rm -rf "$M"; cp -r "$SAWT_MIGRATIONS_DIR" "$M"
cat > "$M/9998_good_part.sql" <<'SQL'
CREATE TABLE sawt.should_vanish (x int);
SQL
cat > "$M/9999_broken.sql" <<'SQL'
CREATE TABLE sawt.half_done (x int);
SELECT no_such_function();
SQL
out=$(SAWT_MIGRATIONS_DIR="$M" "$SAWT" migrate 2>&1); rc=$?
is "$rc" 1 "a failing migration makes migrate fail"
like "$out" "migration \"9999_broken.sql\" failed: .*no_such_function" "the error names the migration and the cause"
is "$(psql -XAtc "SELECT to_regclass('sawt.half_done') IS NULL")" t "the failed migration left nothing behind"
is "$(psql -XAtc "SELECT count(*) FROM public.sawt_migrations WHERE version = 9999")" 0 "the failed migration is not recorded"
is "$(psql -XAtc "SELECT to_regclass('sawt.should_vanish') IS NOT NULL")" t "the migration before it was applied and kept"

out=$(SAWT_MIGRATIONS_DIR="$M" "$SAWT" migrate --status 2>&1)
like "$out" "applied  $first" "migrate --status lists applied migrations"
like "$out" "pending  9999_broken.sql" "migrate --status lists pending migrations"
out=$(SAWT_MIGRATIONS_DIR="$M" "$SAWT" migrate --check 2>&1)
is "$?" 1 "migrate --check fails while a migration is pending"
done_testing
