#!/bin/sh
# scripts/start.sh shows why the build failed (meson's and the compiler's
# own errors), not only an exit status.  A stand-in meson or ninja on PATH
# fails the way a machine without C headers does.
. "$(dirname "$0")/tap.sh"

P="$SAWT_TEST_TMP/project"
mkdir -p "$P/scripts" "$SAWT_TEST_TMP/bin"
cp "$SAWT_SOURCE_DIR/scripts/start.sh" "$SAWT_SOURCE_DIR/scripts/deps.sh" "$P/scripts/"
cat >"$SAWT_TEST_TMP/bin/meson" <<'SH'
#!/bin/sh
echo "The Meson build system"
echo "meson.build:1:0: ERROR: Compiler cc cannot compile programs."   # meson prints it on stdout
exit 1
SH
chmod +x "$SAWT_TEST_TMP/bin/meson"

out=$(PATH="$SAWT_TEST_TMP/bin:$PATH" "$P/scripts/start.sh" 2>&1); rc=$?
is "$rc" 1 "start.sh exits 1 when meson setup fails"
like "$out" "ERROR: Compiler cc cannot compile programs" "and shows meson's own error"
like "$out" "meson setup failed" "and says which step failed"

# setup passes, the compiler fails
mkdir -p "$P/build" && : >"$P/build/build.ninja"
cat >"$SAWT_TEST_TMP/bin/ninja" <<'SH'
#!/bin/sh
echo "../src/log.c:1:10: fatal error: stdio.h: No such file or directory"
exit 1
SH
chmod +x "$SAWT_TEST_TMP/bin/ninja"
out=$(PATH="$SAWT_TEST_TMP/bin:$PATH" "$P/scripts/start.sh" 2>&1); rc=$?
is "$rc" 1 "start.sh exits 1 when the build fails"
like "$out" "fatal error: stdio.h: No such file or directory" "and shows the compiler's error"
done_testing
