#!/bin/sh
# start.sh [SAWTD OPTIONS] - install what is missing, build, and run the
# gateway in the foreground.  With no -c it runs on the embedded defaults:
# a private PostgreSQL under the state directory and Gammu's dummy phone.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh build
if [ ! -f build/build.ninja ]; then
	meson setup build --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build >/dev/null
echo "sawt: built; starting sawtd (Ctrl-C stops it)" >&2
exec ./build/src/sawtd "$@"
