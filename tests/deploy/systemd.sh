#!/bin/bash
# systemd.sh BUILD_DIR SOURCE_DIR - the installed unit under a real systemd
# (issue 20).  systemd runs as PID 1 of its own PID, mount and cgroup
# namespaces, like a container, on an overlay of this machine's root (so
# nothing it writes reaches the machine).  `meson install` puts sawt there,
# the user sawt is made as docs/deploy.md says, and systemd starts
# sawtd.service as a boot would.  Checked:
#   - Type=notify: the unit becomes active once sawtd says READY;
#   - sawtd, its modem worker and the embedded PostgreSQL run as sawt with
#     dialout, no capability, no new privileges, a seccomp filter;
#   - a message dropped in the dummy phone is stored (the hardening still
#     lets sawtd reach its state directory);
#   - `systemctl reload` re-reads the configuration in place;
#   - a hung event loop (SIGSTOP) is killed by the watchdog and restarted,
#     and so is a sawtd killed with SIGKILL; nothing stored is lost;
#   - `systemctl stop` ends cleanly: exit 0, nothing left running (sawtd
#     stops its own PostgreSQL: KillMode=mixed).
# Needs root, unshare, overlayfs and a writable cgroup hierarchy; skipped
# otherwise, with the reason.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/tap.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "needs root to boot systemd in a namespace"
[ -x /lib/systemd/systemd ] || skip_all "systemd is not installed (scripts/deps.sh test)"
command -v unshare >/dev/null || skip_all "unshare is not installed"

D=$(mktemp -d "${TMPDIR:-/tmp}/sawt-systemd.XXXXXX")
CG=sawt-test-$$
PID1=
cleanup() {
	[ -n "$PID1" ] && kill -9 "$PID1" 2>/dev/null
	sleep 1
	for c in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -d "$c/$CG" ] && find "$c/$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$D/upper" "$D/work" "$D/root"
if ! mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root" 2>"$D/mount.err"; then
	skip_all "could not mount an overlay of /: $(cat "$D/mount.err")"
fi
umount "$D/root"

# The new cgroup namespace is rooted at a fresh group of each hierarchy
# (cgroup v1 with systemd's named hierarchy, cgroup v2, or both); the
# launcher moves itself there before unshare.
CGDIRS=
for c in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
	[ -d "$c" ] && mkdir -p "$c/$CG" 2>/dev/null && CGDIRS="$CGDIRS $c/$CG"
done
[ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p "/sys/fs/cgroup/$CG" 2>/dev/null &&
	CGDIRS="$CGDIRS /sys/fs/cgroup/$CG"
[ -n "$CGDIRS" ] || skip_all "no writable cgroup hierarchy for systemd"

PREFIX=$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"] + "\t" + o["sysconfdir"])')
SYSCONF=${PREFIX#*	}
PREFIX=${PREFIX%%	*}
case "$SYSCONF" in /*) ;; *) SYSCONF=$PREFIX/$SYSCONF ;; esac
CONF=$SYSCONF/sawt/sawt.conf

# Inside the namespaces: the overlay, the install, the user, then systemd.
cat >"$D/boot.sh" <<EOF
set -e
R=$D/root
mount -t overlay overlay -o lowerdir=/,upperdir=$D/upper,workdir=$D/work \$R
meson install -C "$BUILD" --no-rebuild --destdir \$R >$D/install.log 2>&1
chroot \$R /bin/sh -c '
	getent passwd sawt >/dev/null || adduser --system --group --home /var/lib/sawt --no-create-home sawt
	adduser sawt dialout
	rm -rf /var/lib/sawt
	sed -i "s/^name =\\\$/name = systemd-test/" $CONF
	chgrp sawt $CONF && chmod 0640 $CONF
	mkdir -p /etc/systemd/system/sawtd.service.d
	printf "[Service]\nWatchdogSec=4\nRestartSec=1\n" >/etc/systemd/system/sawtd.service.d/test.conf
' >$D/prepare.log 2>&1
mount -t proc proc \$R/proc
mount --rbind /sys \$R/sys
mount --rbind /dev \$R/dev
mount -t tmpfs tmpfs \$R/run
mount -t tmpfs tmpfs \$R/tmp
cd \$R
mkdir -p .oldroot
pivot_root . .oldroot
umount -l /.oldroot
exec /usr/bin/env -i container=sawt-test PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/lib/systemd/systemd --unit=sawtd.service --log-target=journal
EOF
(
	for c in $CGDIRS; do echo "$BASHPID" >"$c/cgroup.procs" || exit 1; done
	exec unshare --pid --fork --mount --uts --ipc --cgroup --propagation private \
		bash "$D/boot.sh"
) >"$D/boot.log" 2>&1 &
UNSHARE=$!

# PID 1 of the new namespace is unshare's child once it runs systemd
for _ in $(seq 1 600); do
	PID1=$(pgrep -P "$UNSHARE" 2>/dev/null | head -1)
	[ -n "$PID1" ] && [ "$(readlink "/proc/$PID1/exe" 2>/dev/null)" = /usr/lib/systemd/systemd -o \
		"$(readlink "/proc/$PID1/exe" 2>/dev/null)" = /lib/systemd/systemd ] && break
	kill -0 "$UNSHARE" 2>/dev/null || break
	sleep 0.2
done
in_ns() { nsenter -t "$PID1" -a -r -w "$@"; }
unit() { in_ns systemctl show -p "$1" --value sawtd 2>/dev/null; }
# wait_unit PROPERTY VALUE SECONDS: poll until the unit's property is VALUE
wait_unit() {
	for _ in $(seq 1 $(($3 * 5))); do
		[ "$(unit "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
if [ -z "$PID1" ] || ! kill -0 "$PID1" 2>/dev/null; then
	fail "systemd boots in the namespace"
	sed 's/^/#   /' "$D/boot.log" "$D/install.log" "$D/prepare.log" 2>/dev/null | tail -20
	done_testing
fi
pass "systemd boots in the namespace as PID 1"

wait_unit ActiveState active 180
is "$(unit ActiveState)/$(unit SubState)" "active/running" "sawtd.service becomes active (Type=notify: sawtd said READY)"
is "$(unit NRestarts)" 0 "on its first start"
journal() { in_ns journalctl --no-pager -o cat -u sawtd; }
if [ "$(unit ActiveState)" != active ]; then
	journal | tail -20 | sed 's/^/#   /'
	done_testing
fi

SAWT_UID=$(in_ns id -u sawt)
DIALOUT=$(in_ns getent group dialout | cut -d: -f3)
main=$(unit MainPID)
st=$(in_ns cat "/proc/$main/status")
is "$(printf '%s\n' "$st" | awk '/^Uid:/ {print $2 "," $3}')" "$SAWT_UID,$SAWT_UID" "sawtd runs as the user sawt"
like "$(printf '%s\n' "$st" | grep '^Groups:')" "[[:space:]]$DIALOUT([[:space:]]|$)" "with the group dialout"
like "$(printf '%s\n' "$st" | grep '^CapEff:')" ':[[:space:]]+0+$' "with no effective capability"
like "$(printf '%s\n' "$st" | grep '^CapBnd:')" ':[[:space:]]+0+$' "and an empty bounding set"
like "$(printf '%s\n' "$st" | grep '^NoNewPrivs:')" ':[[:space:]]+1$' "with no new privileges"
like "$(printf '%s\n' "$st" | grep '^Seccomp:')" ':[[:space:]]+2$' "under a seccomp filter"
# every process of the unit: sawtd, its modem worker, the postmaster and its children
procs=$(in_ns cat /sys/fs/cgroup/systemd/system.slice/sawtd.service/cgroup.procs 2>/dev/null ||
	in_ns cat /sys/fs/cgroup/system.slice/sawtd.service/cgroup.procs)
n=0 bad=0 names=
for p in $procs; do
	n=$((n + 1))
	u=$(in_ns awk '/^Uid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
	names="$names $(in_ns cat "/proc/$p/comm" 2>/dev/null)"
	[ "$u" = "$SAWT_UID" ] || bad=$((bad + 1))
done
is "$bad" 0 "all $n processes of the unit run as sawt"
like "$names" 'postgres' "the embedded PostgreSQL is among them, in the unit's cgroup"
is "$(echo "$names" | tr ' ' '\n' | grep -c '^sawtd$')" 2 "and sawtd's modem worker"

# a message through the dummy phone, stored in the embedded database
psql_ns() { in_ns runuser -u sawt -- psql -h /var/lib/sawt/pg/run -d sawt -XAtc "$1"; }
out=$(in_ns "$PREFIX/bin/sawt" -c "$CONF" inject +96170111222 "T 1021 V 55" 2>&1)
like "$out" "queued 1 SMS" "sawt inject drops a message in /var/lib/sawt/dummy"
got=
for _ in $(seq 1 150); do
	got=$(psql_ns "SELECT count(*) FROM sawt.inbound_messages" 2>/dev/null)
	[ "$got" = 1 ] && break
	sleep 0.2
done
is "$got" 1 "sawtd reads it from the dummy phone and stores it"

out=$(in_ns systemctl reload sawtd 2>&1)
is "$?" 0 "systemctl reload succeeds"
is "$(unit MainPID)" "$main" "in place: the same sawtd"
wait_unit ActiveState active 10
like "$(journal)" 'configuration reloaded from' "sawtd re-read its configuration"

# a hung event loop: the watchdog (4 s in the test's drop-in) ends it
in_ns kill -STOP "$main"
wait_unit NRestarts 1 60
wait_unit ActiveState active 120
is "$(unit NRestarts)/$(unit ActiveState)" "1/active" "a stopped event loop is killed by the watchdog and sawtd restarted"
like "$(in_ns journalctl --no-pager -o cat -u sawtd)" 'Watchdog timeout' "systemd says it was the watchdog"
main2=$(unit MainPID)
[ "$main2" != "$main" ] && pass "by a new sawtd" || fail "by a new sawtd"
in_ns kill -9 "$main2"
wait_unit NRestarts 2 60
wait_unit ActiveState active 120
is "$(unit NRestarts)/$(unit ActiveState)" "2/active" "a sawtd killed with SIGKILL is restarted (Restart=on-failure)"
is "$(psql_ns "SELECT count(*) FROM sawt.inbound_messages")" 1 "the stored message is still there, once"

out=$(in_ns systemctl stop sawtd 2>&1)
is "$?" 0 "systemctl stop succeeds"
is "$(unit ActiveState)/$(unit Result)/$(unit ExecMainStatus)" "inactive/success/0" "sawtd exits 0 and the unit ends in success"
left=$(in_ns ps -u sawt -o pid= 2>/dev/null | wc -l)
is "$left" 0 "no process of sawt is left"
j=$(journal)
like "$j" 'stopping the embedded PostgreSQL' "sawtd stopped its own PostgreSQL"
unlike "$j" 'giving up after|could not stop the embedded|could not release the node name' \
	"without losing the database under it"
done_testing
