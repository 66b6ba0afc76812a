#!/bin/sh
# Node names (issue 20): two sawtd on one database under the same
# [sawt] node_name would share their sawt.modems and sawt.nodes rows; the
# second refuses to run, saying which node holds the name and how to fix
# it.  Another name runs beside it; a name freed by a clean stop, or held
# by the same state directory (a restart after a crash), is taken at once.
. "$(dirname "$0")/tap.sh"

"$SAWT" migrate >/dev/null 2>&1 || { fail "migrate"; done_testing; exit 1; }
# conf NAME STATE NODE: a config on the test database with its own state
# directory and node name, and an empty inbox modem (the dummy phone)
conf() {
	sed "s|^state_dir = .*|state_dir = $SAWT_TEST_TMP/$2\nnode_name = $3|" "$SAWT_CONFIG" >"$SAWT_TEST_TMP/$1.conf"
}
start() { # NAME: start sawtd with NAME.conf, log in NAME.log
	"$SAWTD" -c "$SAWT_TEST_TMP/$1.conf" >"$SAWT_TEST_TMP/$1.log" 2>&1 &
	eval "pid_$1=$!"
}
q() { psql -XAtq -c "$1"; }

conf a state-a polling-1
conf b state-b polling-1
conf c state-c polling-2
start a
wait_for "$SAWT_TEST_TMP/a.log" "node \"polling-1\" \(instance" 60 && pass "the first node claims its name" || fail "the first node claims its name"
is "$(q "SELECT count(*) FROM sawt.nodes WHERE node = 'polling-1' AND instance = '$(cat "$SAWT_TEST_TMP/state-a/node_id")'")" 1 \
	"sawt.nodes holds the name for the first node's state directory"

# --- the same name from another state directory: refused --------------------
timeout 60 "$SAWTD" -c "$SAWT_TEST_TMP/b.conf" >"$SAWT_TEST_TMP/b.log" 2>&1; rc=$?
is "$rc" 1 "a second node with the same name exits 1"
A8=$(cut -c1-8 "$SAWT_TEST_TMP/state-a/node_id")
like "$(cat "$SAWT_TEST_TMP/b.log")" "another sawtd is running as node \"polling-1\" on this database \(instance $A8[0-9a-f]*, started .*, last seen [0-9]+ s ago\): give this one its own name with \[sawt\] node_name" \
	"and says which node holds the name and how to fix it"
no_errors "$SAWT_TEST_TMP/b.log" "another sawtd is running as node \"polling-1\" on this database .*" "and that is its only error"
grep -q 'modem "dummy"' "$SAWT_TEST_TMP/b.log" && fail "it refuses before starting a modem" || pass "it refuses before starting a modem"
is "$(q "SELECT instance FROM sawt.nodes WHERE node = 'polling-1'")" "$(cat "$SAWT_TEST_TMP/state-a/node_id")" "the name stays the first node's"
kill -0 $pid_a 2>/dev/null && pass "the first node keeps running" || fail "the first node keeps running"

# --- another name beside it ---------------------------------------------------
start c
wait_for "$SAWT_TEST_TMP/c.log" "node \"polling-2\" \(instance" 60 && pass "a node with another name runs beside it" || fail "a node with another name runs beside it"
kill -TERM $pid_c; wait $pid_c
is "$?" 0 "and stops cleanly"
no_errors "$SAWT_TEST_TMP/c.log" "with no error"

# --- a crash: the same state directory takes its name back at once ----------
kill -KILL $pid_a; wait $pid_a 2>/dev/null
start a
wait_for "$SAWT_TEST_TMP/a.log" "node \"polling-1\" \(instance" 60 &&
	pass "after a crash the same node restarts under its name at once" || fail "after a crash the same node restarts under its name at once"

# --- a clean stop frees the name at once ----------------------------------------
kill -TERM $pid_a; wait $pid_a
is "$?" 0 "the first node stops cleanly"
is "$(q "SELECT stopped_at IS NOT NULL FROM sawt.nodes WHERE node = 'polling-1'")" t "its stop is recorded"
start b
wait_for "$SAWT_TEST_TMP/b.log" "node \"polling-1\" \(instance" 60 &&
	pass "another state directory then takes the name" || fail "another state directory then takes the name"
kill -TERM $pid_b; wait $pid_b
is "$?" 0 "and stops cleanly"
no_errors "$SAWT_TEST_TMP/b.log" "another sawtd is running as node \"polling-1\" on this database .*" "with no other error"
no_errors "$SAWT_TEST_TMP/a.log" "no error in the first node's log"
done_testing
