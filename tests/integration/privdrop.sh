#!/bin/sh
# Least privilege (issue 20): sawtd started as root opens what needs root
# (a port under 1024, a TLS key only root may read, the state directory,
# the embedded cluster), then becomes the user named by [sawt] user, and
# so do its modem workers, with the user's groups
# (dialout for the serial devices); it still reads the dummy phone in its
# state directory, owns that directory, and runs its embedded cluster as
# that user.  A configured user that does not exist is a clear error.
#
# Needs root (useradd, starting as root); as another user it is skipped
# (exit 77).  The user is made for this run (a name no other test uses, so
# a concurrent test started as root is not affected) and removed after.
. "$(dirname "$0")/tap.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root to create a user and start sawtd as root"
	exit 77
fi
U="sawtpd$$"
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	userdel "$U" >/dev/null 2>&1
	getent group "$U" >/dev/null 2>&1 && groupdel "$U" >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
useradd --system --user-group --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin --groups dialout "$U" || { fail "useradd $U"; done_testing; exit 1; }
UID_U=$(id -u "$U")
GID_U=$(id -g "$U")
DIALOUT=$(getent group dialout | cut -d: -f3)

import_fixtures || { fail "fixtures import"; done_testing; exit 1; }

# the Uid: and Gid: lines of /proc/PID/status: "real effective saved fs"
ids() { awk '/^(Uid|Gid):/ { printf "%s %s %s %s %s\n", $1, $2, $3, $4, $5 }' "/proc/$1/status"; }
want_ids() { printf 'Uid: %s %s %s %s\nGid: %s %s %s %s\n' "$UID_U" "$UID_U" "$UID_U" "$UID_U" "$GID_U" "$GID_U" "$GID_U" "$GID_U"; }

# --- 1. an external database, the dummy phone in the state directory ------
STATE="$SAWT_TEST_TMP/pd-state"
CONF="$SAWT_TEST_TMP/pd.conf"
LOG="$SAWT_TEST_TMP/pd.log"
sed "s|^state_dir = .*|state_dir = $STATE\nuser = $U|" "$SAWT_CONFIG" >"$CONF"
# HTTPS on a privileged port with a key only root may read: both are
# opened before sawtd becomes the user
LOWPORT=$(/usr/bin/python3 -c '
import socket
for p in range(1023, 600, -1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')
CERT="$SAWT_TEST_TMP/pd-cert.pem"
KEY="$SAWT_TEST_TMP/pd-key.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEY" -out "$CERT" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || fail "openssl makes a certificate"
chmod 600 "$KEY"
printf '\n[http]\nlisten = 127.0.0.1:%s\nsecret = pd-secret\ntls_cert = %s\ntls_key = %s\n' "$LOWPORT" "$CERT" "$KEY" >>"$CONF"
# a spool file left by an earlier run as root must become the user's too
mkdir -p "$STATE/spool" && touch "$STATE/spool/leftover.tmp"
"$SAWTD" -c "$CONF" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 && pass "the dummy modem comes up" || fail "the dummy modem comes up"
wait_for "$LOG" "registry loaded" 60
like "$(cat "$LOG")" "running as user \"$U\" \(uid $UID_U, gid $GID_U\)" "sawtd says whom it runs as"
is "$(ids $pid)" "$(want_ids)" "the daemon's real, effective, saved and fs ids are the user's"
like "$(awk '/^Groups:/' /proc/$pid/status)" "(^|[[:space:]])$DIALOUT([[:space:]]|\$)" "its groups include dialout"
unlike_root=$(awk '/^Groups:/ { for (i = 2; i <= NF; i++) if ($i == 0) print "root" }' /proc/$pid/status)
is "$unlike_root" "" "and not root's group"
is "$(awk '/^CapEff:/ { print $2 }' /proc/$pid/status)" "0000000000000000" "it has no capability left"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" "https://127.0.0.1:$LOWPORT/healthz")
is "$code" 200 "it serves HTTPS on the privileged port $LOWPORT with the key only root may read"
runuser -u "$U" -- cat "$KEY" >/dev/null 2>&1 && fail "(the user cannot read the key itself)" || pass "(the user cannot read the key itself)"
# its children, from /proc (a fresh Debian has no pgrep)
workers=$(awk -v p="$pid" '/^PPid:/ && $2 == p { split(FILENAME, a, "/"); print a[3] }' /proc/[0-9]*/status 2>/dev/null)
[ -n "$workers" ] && pass "the modem worker runs" || fail "the modem worker runs"
for w in $workers; do
	is "$(ids $w)" "$(want_ids)" "the modem worker $w runs as the user"
done
# sawt inject as root writes the file for the phone's owner (the user):
# a file of root's (mode 0640) is one the unprivileged worker cannot read
"$SAWT" -c "$CONF" inject +96176123456 'T 2011 V300 W120' >/dev/null
wait_sql "SELECT count(*) FROM sawt.reports WHERE voters = 300" 1 60 &&
	pass "a message dropped into the dummy phone is read and stored" || fail "a message dropped into the dummy phone is read and stored"
i=0; while [ "$(ls "$STATE/dummy/sms/1" | wc -l)" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
is "$(ls "$STATE/dummy/sms/1" | wc -l)" 0 "and deleted from the phone by the unprivileged worker"
is "$(find "$STATE" ! -user "$U" | wc -l)" 0 "everything in the state directory belongs to the user"
kill -TERM $pid; wait $pid; rc=$?; pid=
is "$rc" 0 "sawtd stops cleanly"
no_errors "$LOG" "no error in the log"

# --- 2. the embedded cluster as that user ----------------------------------
ESTATE="$SAWT_TEST_TMP/pd-embedded"
ECONF="$SAWT_TEST_TMP/pd-embedded.conf"
ELOG="$SAWT_TEST_TMP/pd-embedded.log"
printf '[sawt]\nstate_dir = %s\nuser = %s\n[election]\ncountry_code = 961\npseudonym_secret = x\n' "$ESTATE" "$U" >"$ECONF"
"$SAWTD" -c "$ECONF" >"$ELOG" 2>&1 &
pid=$!
wait_for "$ELOG" "database schema at version" 120 && pass "with the embedded cluster sawtd comes up" || fail "with the embedded cluster sawtd comes up"
is "$(ids $pid)" "$(want_ids)" "and runs as the user"
is "$(stat -c %U "$ESTATE/pg/data")" "$U" "the cluster belongs to the user"
pm=$(head -1 "$ESTATE/pg/data/postmaster.pid")
is "$(ids $pm)" "$(want_ids)" "the postmaster runs as the user"
kill -TERM $pid; wait $pid; rc=$?; pid=
is "$rc" 0 "sawtd stops cleanly, stopping its cluster as the user"
test -f "$ESTATE/pg/data/postmaster.pid" && fail "no server is left running" || pass "no server is left running"
no_errors "$ELOG" "no error in the log"

# --- 3. a user that does not exist ------------------------------------------
printf '[sawt]\nstate_dir = %s\nuser = nosuchuser%s\n' "$SAWT_TEST_TMP/pd-none" "$$" >"$SAWT_TEST_TMP/none.conf"
timeout 60 "$SAWTD" -c "$SAWT_TEST_TMP/none.conf" >"$SAWT_TEST_TMP/none.log" 2>&1; rc=$?
is "$rc" 1 "a configured user that does not exist: sawtd exits 1"
like "$(cat "$SAWT_TEST_TMP/none.log")" "user \"nosuchuser$$\" \(\[sawt\] user\) does not exist.*adduser --system" "and says which user and how to create it"
test -e "$SAWT_TEST_TMP/pd-none" && fail "before touching the state directory" || pass "before touching the state directory"
"$SAWTD" -c "$SAWT_TEST_TMP/none.conf" --check >/dev/null 2>&1 && pass "--check does not need the user to exist" || fail "--check does not need the user to exist"
done_testing
