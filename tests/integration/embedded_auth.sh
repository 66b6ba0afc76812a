#!/bin/sh
# The embedded cluster authenticates every role but the daemon's own
# (DESIGN.md section 8; docs/analysts.md): role sawt only by peer
# authentication from the users who run sawtd or own the cluster (or
# root), never over TCP; an analyst's role by password (scram-sha-256)
# over the socket, when in [database] analyst_group, or over TCP when
# [database] listen is set; an analyst sees schema analytics only.  A
# cluster made by an older sawtd (initdb's "trust") is rewritten at start.
. "$(dirname "$0")/tap.sh"

S="$SAWT_TEST_TMP/auth-state"
CONF="$SAWT_TEST_TMP/auth.conf"
LOG="$SAWT_TEST_TMP/sawtd-auth.log"
# the embedded cluster, not the harness's server
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" = 0 ]; then
	OWNER=$(id -un sawt 2>/dev/null || echo postgres)
else
	OWNER=$(id -un)
fi
GROUP=$(id -gn "$OWNER")
RUN="$S/pg/run"
printf '[sawt]\nstate_dir = %s\n[database]\nlisten = 127.0.0.1:%s\nanalyst_group = %s\n' \
	"$S" "$PORT" "$GROUP" >"$CONF"

start() {
	"$SAWTD" -c "$CONF" >>"$LOG" 2>&1 &
	pid=$!
	wait_for "$LOG" "database schema at version" 120 "$1" || fail "sawtd starts"
}
stop() {
	kill -TERM "$pid"
	wait "$pid" || fail "sawtd exits 0"
}
# sql CONNINFO SQL [PASSWORD]: run SQL, print its output and errors
sql() {
	PGPASSWORD=${3:-} psql -X -A -t -w -c "$2" "$1" 2>&1
}
SOCK="host=$RUN port=$PORT dbname=sawt"
TCP="host=127.0.0.1 port=$PORT dbname=sawt"

start 1
is "$(sql "$SOCK user=sawt" "SELECT current_user")" sawt \
	"the operator (who runs sawtd) is role sawt by peer authentication, without a password"
out=$("$SAWT" -c "$CONF" status 2>&1); rc=$?
is "$rc" 0 "sawt status works as before"
sql "$SOCK user=sawt" "CREATE ROLE alice LOGIN PASSWORD 'alice-secret' IN ROLE sawt_analyst" >/dev/null

is "$(sql "$TCP user=alice" "SELECT count(*) >= 0 FROM analytics.station_turnout" alice-secret)" t \
	"an analyst connects over TCP with her password and reads the analytics views"
like "$(sql "$TCP user=alice" "SELECT count(*) FROM sawt.people" alice-secret)" \
	"permission denied for schema sawt" "and cannot read schema sawt"
like "$(sql "$TCP user=alice" "SELECT 1" wrong)" 'password authentication failed for user "alice"' \
	"a wrong password is refused"
like "$(sql "$TCP user=alice" "SELECT 1")" 'no password supplied' "no password is refused"
like "$(sql "$TCP user=sawt" "SELECT 1" whatever)" 'rejects connection for host "127.0.0.1", user "sawt"' \
	"role sawt is never reached over TCP"
is "$(sql "$SOCK user=alice" "SELECT current_user" alice-secret)" alice \
	"an analyst connects through the socket with her password"
like "$(sql "$SOCK user=alice" "SELECT 1")" 'no password supplied' \
	"the socket asks for it too: no role but sawt is trusted"
is "$(sql "$SOCK user=sawt" "SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'sawt'")" t \
	"role sawt has no password to guess"
is "$(sql "$SOCK user=sawt" "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = 'alice'")" t \
	"passwords are stored as SCRAM"
is "$(stat -c '%G %a' "$RUN")" "$GROUP 750" "the socket directory belongs to analyst_group"
is "$(stat -c '%G %a' "$RUN/.s.PGSQL.$PORT")" "$GROUP 770" "and so does the socket"

if [ "$(id -u)" = 0 ]; then
	# from "/": the test's directory may be closed to other users (a
	# fresh machine's /root), and psql would say so on stderr
	like "$(runuser -u nobody -- sh -c "cd / && PGPASSWORD=alice-secret psql -X -A -t -w -c 'SELECT 1' '$SOCK user=alice'" 2>&1)" \
		'failed: Permission denied' "a user outside analyst_group cannot reach the socket"
	is "$(runuser -u nobody -g "$GROUP" -- sh -c "cd / && PGPASSWORD=alice-secret psql -X -A -t -w -c 'SELECT current_user' '$SOCK user=alice'" 2>&1)" \
		alice "a member of analyst_group connects through the socket with a password"
	like "$(runuser -u nobody -g "$GROUP" -- sh -c "cd / && psql -X -A -t -w -c 'SELECT 1' '$SOCK user=sawt'" 2>&1)" \
		'Peer authentication failed for user "sawt"' "but cannot be role sawt"
fi
stop

# A cluster an older sawtd made trusted every local connection: rewritten at start.
printf 'local all all trust\nhost all all all trust\n' >"$S/pg/data/pg_hba.conf"
start 2
like "$(sql "$SOCK user=alice" "SELECT 1")" 'no password supplied' \
	"an old cluster's trust is replaced at start"
grep -q trust "$S/pg/data/pg_hba.conf" && fail "no trust line is left" || pass "no trust line is left"
stop

# Without listen and analyst_group: socket only, the cluster user's alone.
printf '[sawt]\nstate_dir = %s\n' "$S" >"$CONF"
start 3
is "$(stat -c '%a' "$RUN")" 700 "without analyst_group the socket directory is private"
grep -q "listen_addresses = ''" "$S/pg/data/sawt_embedded.conf" &&
	pass "without listen there is no TCP" || fail "without listen there is no TCP"
is "$(sql "host=$RUN dbname=sawt user=sawt" "SELECT current_user")" sawt "the operator still connects"
stop

no_errors "$LOG" "no error in sawtd's log"
done_testing
