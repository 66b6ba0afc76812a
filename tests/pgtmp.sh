#!/bin/sh
# pgtmp.sh CMD [ARGS...] - run CMD against a throwaway PostgreSQL.
#
# Creates a cluster with initdb in a fresh temporary directory (Unix socket
# only, fsync off), starts it, runs CMD with the connection in the
# environment, then stops the cluster and removes the directory, whatever
# CMD did.  Exits with CMD's status.
#
# Environment given to CMD:
#   PGHOST PGPORT PGUSER=sawt PGDATABASE=sawt   the server (superuser sawt)
#   SAWT_TEST_TMP    scratch directory, removed afterwards
#   SAWT_TEST_PGDATA the cluster's data directory (to stop/start it)
#   SAWT_PG_BINDIR   PostgreSQL's server programs
#   SAWT_CONFIG      a sawt config file pointing at the server
#   SAWT_TEST_PGCTL  a script: "$SAWT_TEST_PGCTL stop" / "start" / "restart"
#
# PGTMP_DURABLE=1 keeps fsync and synchronous_commit on (for benchmarks).
#
# initdb refuses to run as root: as root the cluster belongs to the
# "postgres" user (created by Debian's postgresql-common).
set -eu

find_bindir() {
	if [ -n "${SAWT_PG_BINDIR:-}" ]; then echo "$SAWT_PG_BINDIR"; return; fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	done
	echo "pgtmp: could not find PostgreSQL's initdb; install postgresql" >&2
	exit 1
}

BINDIR=$(find_bindir)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sawt-test.XXXXXX")
PGDATA_DIR="$TMP/pgdata"
SOCK="$TMP/sock"
mkdir -p "$SOCK" "$TMP/scratch" "$TMP/log"
chmod 755 "$TMP"

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

cleanup() {
	as_pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" = 0 ]; then
	chown postgres "$SOCK" "$TMP/log"
	mkdir -p "$PGDATA_DIR" && chown postgres "$PGDATA_DIR"
fi

as_pg "$BINDIR/initdb" -D "$PGDATA_DIR" -U sawt -A trust -E UTF8 \
	--locale=C.UTF-8 --no-sync >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log" >&2; exit 1; }
cat >>"$PGDATA_DIR/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
max_connections = 40
CONF
if [ "${PGTMP_DURABLE:-0}" = 1 ]; then
	# benchmarks: the settings of a real deployment
	echo "shared_buffers = 256MB" >>"$PGDATA_DIR/postgresql.conf"
else
	printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$PGDATA_DIR/postgresql.conf"
fi
as_pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$TMP/log/postgres.log" -w start >/dev/null ||
	{ cat "$TMP/log/postgres.log" >&2; exit 1; }
"$BINDIR/psql" -X -q -h "$SOCK" -U sawt -d postgres -c 'CREATE DATABASE sawt' >/dev/null

export PGHOST="$SOCK" PGPORT=5432 PGUSER=sawt PGDATABASE=sawt
export SAWT_TEST_TMP="$TMP/scratch" SAWT_TEST_PGDATA="$PGDATA_DIR" SAWT_PG_BINDIR="$BINDIR"
export SAWT_CONFIG="$TMP/scratch/sawt.conf"
# $SAWT_TEST_PGCTL stop|start|restart: control the server from a test.
export SAWT_TEST_PGCTL="$TMP/scratch/pgctl"
cat >"$SAWT_TEST_PGCTL" <<CTL
#!/bin/sh
if [ "\$(id -u)" = 0 ]; then run="runuser -u postgres --"; else run=""; fi
exec \$run "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$TMP/log/postgres.log" -m fast -w "\$@" >/dev/null
CTL
chmod +x "$SAWT_TEST_PGCTL"
cat >"$SAWT_CONFIG" <<CONF
[sawt]
state_dir = $TMP/scratch/state

[database]
url = host=$SOCK port=5432 user=sawt dbname=sawt

[election]
country_code = 961
pseudonym_secret = test-secret
CONF

set +e
"$@"
rc=$?
set -e
if [ $rc -ne 0 ] && [ -s "$TMP/log/postgres.log" ]; then
	echo "# postgres log:" >&2
	tail -n 20 "$TMP/log/postgres.log" | sed 's/^/# /' >&2
fi
exit $rc
