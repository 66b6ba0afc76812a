# web_lib.sh - helpers of the page's tests (sourced after tap.sh): the
# fixtures with a national coordinator, sawtd with HTTP, curl GET and POST keeping
# every answer in $ALL, a JSON field of the last answer, and sign-in by the
# code texted to a phone, read from the outbox.

# The files the helpers use, and q: a query of the test database.
LOG="$SAWT_TEST_TMP/sawtd.log"
OUT="$SAWT_TEST_TMP/out"
HEAD="$SAWT_TEST_TMP/head"
ALL="$SAWT_TEST_TMP/all-answers"
: >"$ALL"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

# web_fixtures: the fixtures, and Lina (+96170999888), a coordinator with
# no area (the whole election).
web_fixtures() {
	import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
	printf 'phone,name,role,language,stations,areas,pin\n%s,Lina,coordinator,,,,\n' "+96170999888" \
		>"$SAWT_TEST_TMP/lina.csv"
	"$SAWT" import people "$SAWT_TEST_TMP/lina.csv" >/dev/null || fail "a coordinator without area imports"
}

# web_start: sawtd with HTTP on a free port, its log in $LOG; sets pid,
# PORT and BASE once the registry is loaded.
web_start() {
	cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
CONF
	"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
	pid=$!
	wait_for "$LOG" "HTTP on 127\.0\.0\.1:0 \(port [0-9]+" 30 && pass "sawtd listens for HTTP" ||
		fail "sawtd listens for HTTP"
	wait_for "$LOG" "modem \"dummy\": starting -> ready" 60
	wait_for "$LOG" "registry loaded" 60
	PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
	BASE="http://127.0.0.1:$PORT"
}

# get PATH [COOKIE]: GET into $OUT (kept in $ALL too); prints the status
get() {
	_s=$(curl -s -o "$OUT" -D "$HEAD" -w '%{http_code}' ${2:+-H "Cookie: sawt_session=$2"} "$BASE$1")
	cat "$OUT" >>"$ALL"
	echo "$_s"
}
# post PATH FORM [COOKIE]: POST the form into $OUT; prints the status
post() {
	_s=$(curl -s -o "$OUT" -D "$HEAD" -w '%{http_code}' ${3:+-H "Cookie: sawt_session=$3"} \
		--data-urlencode "$2" "$BASE$1")
	cat "$OUT" >>"$ALL"
	echo "$_s"
}
# post2 PATH PHONE CODE: POST phone and code
post2() {
	_s=$(curl -s -o "$OUT" -D "$HEAD" -w '%{http_code}' --data-urlencode "phone=$2" \
		--data-urlencode "code=$3" "$BASE$1")
	cat "$OUT" >>"$ALL"
	echo "$_s"
}
# field PYTHON-EXPR: a field of $OUT ("j" is the parsed JSON)
field() { /usr/bin/python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($1)" "$OUT"; }
# code_of PHONE: the code in the newest SMS queued for PHONE
code_of() { q "SELECT substring(body FROM '[0-9]{6}') FROM sawt.outbox WHERE recipient = '$1' AND kind = 'manual' AND priority = 0 ORDER BY id DESC LIMIT 1"; }
n_codes() { q "SELECT count(*) FROM sawt.outbox WHERE recipient = '$1' AND kind = 'manual'"; }
# again PHONE: let PHONE ask for a new code (the minute between codes passed)
again() { q "UPDATE sawt.web_codes c SET created_at = c.created_at - interval '2 minutes' FROM sawt.people p WHERE p.id = c.person_id AND p.phone = '$1'"; }
# sign_in PHONE: a session token for PHONE, through a texted code
sign_in() {
	again "$1"
	echo "# sign_in $1: code $(post /api/login/code "phone=$1")" >&2
	echo "# sign_in $1: verify $(post2 /api/login/verify "$1" "$(code_of "$1")") $(cat "$OUT")" >&2
	sed -n 's/^Set-Cookie: sawt_session=\([0-9a-f]*\);.*/\1/p' "$HEAD" | tr -d '\r'
}
area_id() { q "SELECT id FROM sawt.areas WHERE name = '$1'"; }
