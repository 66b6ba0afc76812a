#!/bin/sh
# The page's live updates beyond its own pipeline (docs/web.md): a review
# made with the sawt command and a row written by another program reach
# an open /api/events stream (the database's NOTIFY); the cap on streams
# ([web] max_streams) answers 503 with Retry-After and a closed stream
# frees its slot; a SIGHUP applies new [alerts] thresholds to
# /api/thresholds.
. "$(dirname "$0")/tap.sh"

LINA=+96170999888 SAM=+96176123456
. "$(dirname "$0")/web_lib.sh"
SSE="$SAWT_TEST_TMP/events"

web_fixtures
printf '\n[web]\nmax_streams = 3\n\n[alerts]\nturnout_high_pct = 90\n' >>"$SAWT_CONFIG"
web_start
report=$(send_report "$SAM" 60 'T 2011 V300 W120')
lina=$(sign_in "$LINA")
like "$lina" '^[0-9a-f]{64}$' "Lina signs in"

# stream FILE SECONDS: open a stream into FILE in the background; its pid
stream() {
	curl -s -N -b "sawt_session=$lina" --max-time "$2" "$BASE/api/events" >"$1" 2>/dev/null &
	echo $!
}
# reports_events FILE: the events of FILE that say reports moved
reports_events() { grep -c '^data: {"reports":true' "$1"; }

# --- changes made elsewhere ----------------------------------------------------------
s1=$(stream "$SSE" 120)
wait_for "$SSE" '^retry: ' 30 && pass "a stream opens" || fail "a stream opens"
sleep 3 # what the sign-in and the report moved has been told
n=$(reports_events "$SSE")
out=$("$SAWT" review quarantine "$report" --reason "checked by phone" 2>&1)
is "$?" 0 "sawt review quarantines the report"
i=0
while [ "$(reports_events "$SSE")" -le "$n" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
like "$(reports_events "$SSE")" "^$((n + 1))|^$((n + 2))" "a review made with the sawt command reaches the stream"
n=$(reports_events "$SSE")
q "INSERT INTO sawt.alerts (election_id, kind, severity, message, state)
   SELECT id, 'other', 'info', 'written by another program', 'resolved' FROM sawt.elections"
i=0
while [ "$(reports_events "$SSE")" -le "$n" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
like "$(reports_events "$SSE")" "^$((n + 1))|^$((n + 2))" "so does a row another program writes"
unlike "$(grep -v '^retry:' "$SSE")" '[0-9]{4}|\+961' "the stream carries no figures and no number"

# --- the cap on streams ------------------------------------------------------------------
s2=$(stream "$SAWT_TEST_TMP/e2" 120)
s3=$(stream "$SAWT_TEST_TMP/e3" 120)
wait_for "$SAWT_TEST_TMP/e2" '^retry: ' 30 >/dev/null
wait_for "$SAWT_TEST_TMP/e3" '^retry: ' 30 && pass "three streams open ([web] max_streams = 3)" ||
	fail "three streams open ([web] max_streams = 3)"
st=$(curl -s -o "$OUT" -D "$HEAD" -w '%{http_code}' -b "sawt_session=$lina" --max-time 5 "$BASE/api/events")
is "$st" 503 "a fourth: 503"
like "$(cat "$HEAD")" '^Retry-After: [0-9]+' "with Retry-After"
is "$(cat "$OUT")" "too many event streams open" "saying why"
kill "$s2"
wait "$s2" 2>/dev/null
i=0
while :; do
	st=$(curl -s -o "$SAWT_TEST_TMP/e4" -w '%{http_code}' -b "sawt_session=$lina" --max-time 2 "$BASE/api/events")
	[ "$st" = 200 ] || [ $i -ge 50 ] && break
	sleep 0.2
	i=$((i + 1))
done
is "$st" 200 "a stream whose client left frees its slot"
like "$(cat "$SAWT_TEST_TMP/e4")" '^retry: ' "and the new one streams"

# --- thresholds on SIGHUP --------------------------------------------------------------------
is "$(get /api/thresholds "$lina")" 200 "GET /api/thresholds"
is "$(field "j['turnout_high_pct']")" 90 "turnout_high_pct 90"
sed -i 's/^turnout_high_pct = 90$/turnout_high_pct = 80/' "$SAWT_CONFIG"
kill -HUP "$pid"
wait_for "$LOG" 'configuration reloaded' 30 && pass "SIGHUP reloads" || fail "SIGHUP reloads"
get /api/thresholds "$lina" >/dev/null
is "$(field "j['turnout_high_pct']")" 80 "the page's thresholds follow the reloaded [alerts]"

kill "$s1" "$s3" 2>/dev/null
wait "$s1" "$s3" 2>/dev/null
kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
