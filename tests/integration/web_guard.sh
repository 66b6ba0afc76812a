#!/bin/sh
# The page's guards and its [web] section (docs/web.md): a POST from
# another site is refused and changes nothing; sign-in requests are limited
# per client address (429 with Retry-After, no code texted); [web] root
# serves the page from another directory, and a missing one stops sawtd
# with a clear error; bad [web] values are refused by sawtd --check.
. "$(dirname "$0")/tap.sh"

RANA=+9613555666 SAM=+96176123456
. "$(dirname "$0")/web_lib.sh"
import_fixtures || { fail "fixtures import"; done_testing; exit 1; }

# --- [web] values are checked -----------------------------------------------------
BASECONF=$(cat "$SAWT_CONFIG")
printf '%s\n\n[web]\ncode_seconds = 5\n' "$BASECONF" >"$SAWT_TEST_TMP/bad.conf"
out=$("$SAWTD" -c "$SAWT_TEST_TMP/bad.conf" --check 2>&1)
is "$?" 1 "sawtd --check refuses code_seconds = 5"
like "$out" 'code_seconds.*a number of seconds from 30 to 86400' "naming the key and what it takes"
printf '%s\n\n[web]\nsign_in_per_address = 0\n' "$BASECONF" >"$SAWT_TEST_TMP/bad.conf"
out=$("$SAWTD" -c "$SAWT_TEST_TMP/bad.conf" --check 2>&1)
like "$out" 'sign_in_per_address.*from 1 to 1000' "and sign_in_per_address = 0"
printf '%s\n\n[http]\nlisten = 127.0.0.1:0\n\n[web]\nroot = %s/nowhere\n' "$BASECONF" "$SAWT_TEST_TMP" \
	>"$SAWT_TEST_TMP/bad.conf"
"$SAWTD" -c "$SAWT_TEST_TMP/bad.conf" >"$SAWT_TEST_TMP/bad.log" 2>&1
is "$?" 1 "sawtd does not start when [web] root has no page"
like "$(cat "$SAWT_TEST_TMP/bad.log")" "could not load the election-day page from \"$SAWT_TEST_TMP/nowhere\": could not open file \"$SAWT_TEST_TMP/nowhere/index\\.html\"" \
	"and says which file it missed"

# --- a page from [web] root, a small allowance ---------------------------------------
mkdir -p "$SAWT_TEST_TMP/page"
cp "$SAWT_SOURCE_DIR"/web/* "$SAWT_TEST_TMP/page/"
sed -i 's|<title>sawt</title>|<title>sawt (our network)</title>|' "$SAWT_TEST_TMP/page/index.html"
printf '\n[web]\nroot = %s/page\nsign_in_per_address = 3\n' "$SAWT_TEST_TMP" >>"$SAWT_CONFIG"
web_start
is "$(get /)" 200 "GET /"
like "$(cat "$OUT")" '<title>sawt \(our network\)</title>' "the page comes from [web] root"

# --- same origin --------------------------------------------------------------------
n0=$(n_codes "$RANA")
st=$(curl -s -o "$OUT" -w '%{http_code}' -H "Origin: http://evil.example" --data-urlencode "phone=$RANA" "$BASE/api/login/code")
is "$st" 403 "a code request from another site: 403"
like "$(cat "$OUT")" 'cross-site request refused' "saying why"
st=$(curl -s -o "$OUT" -w '%{http_code}' -H "Referer: http://evil.example/page" --data-urlencode "phone=$RANA" "$BASE/api/login/code")
is "$st" 403 "a Referer from another site: 403"
is "$(n_codes "$RANA")" "$n0" "no code was texted"
st=$(curl -s -o "$OUT" -w '%{http_code}' -H "Origin: http://127.0.0.1:$PORT" --data-urlencode "phone=$RANA" "$BASE/api/login/code")
is "$st" 202 "from the page itself: 202"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE recipient = '$RANA' AND kind = 'manual'" $((n0 + 1)) 30 &&
	pass "and the code is texted" || fail "and the code is texted"
rana=$(sed -n 's/^Set-Cookie: sawt_session=\([0-9a-f]*\);.*/\1/p' "$HEAD")
code=$(code_of "$RANA")
st=$(curl -s -o "$OUT" -D "$HEAD" -w '%{http_code}' -H "Origin: http://127.0.0.1:$PORT" \
	--data-urlencode "phone=$RANA" --data-urlencode "code=$code" "$BASE/api/login/verify")
is "$st" 200 "signing in from the page"
rana=$(sed -n 's/^Set-Cookie: sawt_session=\([0-9a-f]*\);.*/\1/p' "$HEAD" | tr -d '\r')
send_report "$SAM" 60 'I 2011 3 vote buying' >/dev/null
wait_sql "SELECT count(*) FROM sawt.alerts WHERE state = 'open'" 1 60 || fail "the critical incident's alert is open"
aid=$(q "SELECT max(id) FROM sawt.alerts")
st=$(curl -s -o "$OUT" -w '%{http_code}' -H "Cookie: sawt_session=$rana" -H "Origin: http://evil.example" \
	--data-urlencode "id=$aid" "$BASE/api/alerts/ack")
is "$st" 403 "acknowledging from another site with her cookie: 403"
is "$(q "SELECT acknowledged_at IS NULL FROM sawt.alerts WHERE id = $aid")" t "the alert is not acknowledged"
st=$(curl -s -o "$OUT" -w '%{http_code}' -H "Cookie: sawt_session=$rana" -H "Origin: http://evil.example" "$BASE/api/logout" -X POST)
is "$st" 403 "signing her out from another site: 403"
is "$(get /api/me "$rana")" 200 "her session still stands"

# --- sign-in requests per address ------------------------------------------------------
# two used above (the code and the verify); the third is allowed, the fourth not
again "$RANA"
is "$(post /api/login/code "phone=$RANA")" 202 "the third sign-in request of the hour"
n1=$(n_codes "$RANA")
again "$RANA"
is "$(post /api/login/code "phone=$RANA")" 429 "the fourth: 429"
is "$(cat "$OUT")" '{"ok":false,"error":"too_many"}' "too_many"
like "$(cat "$HEAD")" '^Retry-After: [0-9]+' "with Retry-After"
sleep 1
is "$(n_codes "$RANA")" "$n1" "and no code is texted"
is "$(post2 /api/login/verify "$RANA" 123456)" 429 "code tries count too"
like "$(cat "$LOG")" 'too many sign-in requests from 127\.0\.0\.1: refused for [0-9]+ s' "the log says from where"
is "$(get /api/me "$rana")" 200 "a signed-in coordinator is not limited"
unlike "$(cat "$ALL")" '\+961' "no answer holds a phone number"

kill -TERM $pid
wait $pid
is "$?" 0 "sawtd stops cleanly"
done_testing
