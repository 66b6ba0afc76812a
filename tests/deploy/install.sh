#!/bin/sh
# install.sh BUILD_DIR SOURCE_DIR - `meson install` into a DESTDIR puts
# everything where the systemd unit and the docs say (issue 20): the
# programs the unit starts, the configuration it names, the migrations
# the installed programs read, the docs; the installed unit passes
# `systemd-analyze verify`, and `systemd-analyze security` rates it
# (the exposure figure is printed).
BUILD=$1
SRC=$2
. "$SRC/tests/integration/tap.sh"

D=$(mktemp -d "${TMPDIR:-/tmp}/sawt-install.XXXXXX")
trap 'rm -rf "$D"' EXIT
out=$(meson install -C "$BUILD" --no-rebuild --destdir "$D" 2>&1)
is "$?" 0 "meson install --destdir succeeds"
PREFIX=$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"])')
P="$D$PREFIX"

UNIT="$P/lib/systemd/system/sawtd.service"
test -f "$UNIT" && pass "the unit is installed in PREFIX/lib/systemd/system" || fail "the unit is installed in PREFIX/lib/systemd/system"
exec_line=$(sed -n 's/^ExecStart=//p' "$UNIT")
bin=${exec_line%% *}
conf=$(printf '%s\n' "$exec_line" | sed -n 's/.* -c \([^ ]*\).*/\1/p')
like "$bin" "^$(re_quote "$PREFIX")/" "the unit starts sawtd from this prefix ($bin)"
test -x "$D$bin" && pass "the program the unit starts is installed" || fail "the program the unit starts is installed"
test -f "$D$conf" && pass "the configuration the unit names is installed ($conf)" || fail "the configuration the unit names is installed ($conf)"
"$D$bin" -c "$D$conf" --check >/dev/null && pass "and passes sawtd --check" || fail "and passes sawtd --check"
like "$(grep '^state_dir' "$D$conf")" '^state_dir = /var/lib/sawt$' "the installed configuration names the unit's state directory"
is "$(stat -c %a "$D$conf")" 640 "and is not readable by every user (it will hold secrets)"
# a reinstall (an upgrade) keeps the operator's configuration
sed -i 's/^name =$/name = kept-by-reinstall/' "$D$conf"
out=$(meson install -C "$BUILD" --no-rebuild --destdir "$D" 2>&1)
is "$?" 0 "meson install again over it succeeds"
like "$(grep '^name' "$D$conf")" 'kept-by-reinstall' "and keeps the operator's edited configuration"
doc=$(sed -n 's/^Documentation=file://p' "$UNIT")
test -f "$D$doc" && pass "the documentation the unit names is installed ($doc)" || fail "the documentation the unit names is installed ($doc)"
test -x "$P/bin/sawt" && pass "sawt is installed in PREFIX/bin" || fail "sawt is installed in PREFIX/bin"

# every migration of the source tree, where the installed programs look
want=$(cd "$SRC/migrations" && ls *.sql | sort)
got=$(cd "$P/share/sawt/migrations" 2>/dev/null && ls *.sql | sort)
is "$got" "$want" "every migration is installed in PREFIX/share/sawt/migrations"
# the installed sawt reads them from there (a program in the build tree
# reads the source tree's); the installed path is outside DESTDIR, so a
# missing one is reported by name
unset SAWT_MIGRATIONS_DIR
printf '[database]\nurl = host=%s/nowhere connect_timeout=1\n' "$D" >"$D/nodb.conf"
out=$("$P/bin/sawt" -c "$D/nodb.conf" migrate --status 2>&1)
if [ -d "$PREFIX/share/sawt/migrations" ]; then
	like "$out" "could not connect" "the installed sawt finds its migrations (installed on this machine too)"
else
	like "$out" "$(re_quote "$PREFIX/share/sawt/migrations")" "the installed sawt looks for the migrations in PREFIX/share/sawt/migrations"
fi
out=$("$BUILD/src/sawt" -c "$D/nodb.conf" migrate --status 2>&1)
like "$out" "could not connect" "sawt in the build tree reads the source tree's migrations"

# the docs deploy.md and the unit name
for f in README.md deploy.md configuration.md operator.md examples/sawt.conf examples/laptop.conf examples/server.conf examples/kannel.conf operations.md observers.md deploy/99-sawt-modems.rules.example deploy/sawtd.service; do
	test -f "$P/share/doc/sawt/$f" && pass "share/doc/sawt/$f is installed" || fail "share/doc/sawt/$f is installed"
done
# every /usr/local path docs/deploy.md gives for a source build
if [ "$PREFIX" = /usr/local ]; then
	for f in $(grep -o '`/usr/local/[^` ]*`' "$SRC/docs/deploy.md" | tr -d '`' | sort -u); do
		test -e "$D$f" && pass "docs/deploy.md's $f is installed" || fail "docs/deploy.md's $f is installed"
	done
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "ok $((TAP_N + 1)) # SKIP systemd-analyze is not installed (scripts/deps.sh test)"
	TAP_N=$((TAP_N + 1))
	done_testing
	exit
fi
# verify checks the unit and that its programs exist: point it at DESTDIR's
V="$D/verify"
mkdir -p "$V"
sed "s|$(re_quote "$bin")|$D$bin|" "$UNIT" >"$V/sawtd.service"
out=$(systemd-analyze verify "$V/sawtd.service" 2>&1)
rc=$?
is "$rc" 0 "systemd-analyze verify passes on the installed unit"
[ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
sec=$(systemd-analyze security --offline=yes "$V/sawtd.service" 2>&1 | sed -n 's/.*Overall exposure level for sawtd.service: //p')
echo "# systemd-analyze security --offline=yes: exposure $sec"
like "$sec" "^[0-9.]+ (SAFE|OK)" "systemd-analyze security rates the unit's exposure low (SAFE or OK)"
done_testing
