#!/bin/sh
# deps.sh [runtime|build|test|ci] - install the Debian packages sawt needs
# for that purpose when they are missing (as root, or through sudo).
# procps: /bin/kill, which the systemd unit's ExecReload runs.
#
# Packages are installed without their recommendations, so every package
# used is named here, even one that a development machine happens to have
# (gcc only recommends libc6-dev, without which nothing compiles).
set -eu

runtime="postgresql procps libgammu8 libevent-2.1-7 libevent-openssl-2.1-7 libpq5 libssl3 libjansson4 libjs-chart.js"
build="gcc libc6-dev pkg-config meson ninja-build libevent-dev libpq-dev libssl-dev libgammu-dev libjansson-dev"
test="libcmocka-dev postgresql-client gammu python3 openssl wrk curl kannel kannel-extras prometheus systemd chromium chromium-driver python3-selenium"
ci="clang libclang-rt-dev"

case "${1:-build}" in
runtime) want="$runtime" ;;
build) want="$runtime $build" ;;
test) want="$runtime $build $test" ;;
ci) want="$runtime $build $test $ci" ;;
*) echo "usage: $0 [runtime|build|test|ci]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "sawt: installing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "sawt: missing packages:$missing; install them as root (apt-get install$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/tmp/sawt-apt.$$ 2>&1; then
	cat /tmp/sawt-apt.$$ >&2
	rm -f /tmp/sawt-apt.$$
	echo "sawt: could not install:$missing" >&2
	exit 1
fi
rm -f /tmp/sawt-apt.$$

# Debian's kannel starts a system bearerbox and wapbox from
# /etc/kannel/kannel.conf (ports 13000 and up) where services may start.
# sawt's tests run boxes of their own on free ports and need none: when
# this script installed kannel, stop that service and keep it from
# starting at boot.  A kannel installed before is left alone.
case " $missing " in
*" kannel "*)
	$SUDO invoke-rc.d kannel stop >/dev/null 2>&1 || true
	$SUDO update-rc.d kannel disable >/dev/null 2>&1 || true
	;;
esac

# Debian's prometheus starts a system Prometheus server (port 9090) where
# services may start.  sawt's tests only need its promtool: when this
# script installed prometheus, stop that service and keep it from starting
# at boot.  A prometheus installed before is left alone.
case " $missing " in
*" prometheus "*)
	$SUDO invoke-rc.d prometheus stop >/dev/null 2>&1 || true
	$SUDO update-rc.d prometheus disable >/dev/null 2>&1 || true
	;;
esac
