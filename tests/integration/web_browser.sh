#!/bin/sh
# The election-day page in headless Chromium (Selenium, chromium-driver)
# against a real sawtd: web_browser.py signs in with the code read from the
# outbox, compares the figures on the page with analytics.area_turnout,
# checks that the Arabic page is right to left, that a coordinator sees
# only their areas, and that a new report shows up without a reload; it
# saves screenshots in meson-logs/web/ of the build directory.
. "$(dirname "$0")/tap.sh"

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] ||
	! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	# scripts/deps.sh test installs them (chromium, chromium-driver, python3-selenium)
	echo "1..0 # skip chromium, chromium-driver or python3-selenium is not installed"
	exit 0
fi
LINA=+96170999888
LOG="$SAWT_TEST_TMP/sawtd.log"
import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
printf 'phone,name,role,language,stations,areas,pin\n%s,Lina,coordinator,,,,\n' "$LINA" \
	>"$SAWT_TEST_TMP/lina.csv"
"$SAWT" import people "$SAWT_TEST_TMP/lina.csv" >/dev/null || { fail "Lina imports"; done_testing; exit 1; }
# the checklists before sawtd starts: a running sawtd takes an import
# asynchronously, and an OP message decided before would be refused
"$SAWT" import checklists "$SAWT_TEST_DATA/checklists/checks.csv" >/dev/null || fail "checklists import"
cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
CONF
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTP on 127\.0\.0\.1:0 \(port [0-9]+" 30 >&2
wait_for "$LOG" "registry loaded" 60 >&2
wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 >&2
PORT=$(sed -n 's/.*HTTP on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
# two checklists answered (no at AB: the box not sealed, a problem)
CK_TIME=$(recent_utc 06:30 09:30) # inside OP's window
"$SAWT" inject --time "$CK_TIME" +9613123456 'OP 1021 AA1 AB2 AD3 #1234' >/dev/null
"$SAWT" inject --time "$CK_TIME" +96171123456 'OP 1022 AA1 AB1 AD4 #5678' >/dev/null
"$SAWT" inject +96176123456 'T 2011 V300 W120' >/dev/null
wait_sql "SELECT count(DISTINCT station_id) FROM sawt.checklist_answers" 2 60 >&2 ||
	fail "the two checklists are stored"
wait_sql "SELECT count(*) FROM sawt.reports WHERE outcome = 'accepted'" 1 60 >&2

echo "$pid" >"$SAWT_TEST_TMP/sawtd.pid"
# web_browser.py stops sawtd and starts it again on the same port, to see
# the page lose its stream and find it again
sed -i "s/^listen = 127\.0\.0\.1:0\$/listen = 127.0.0.1:$PORT/" "$SAWT_CONFIG"
RESTART="$SAWT_TEST_TMP/restart"
cat >"$RESTART" <<SCRIPT
#!/bin/sh
# restart stop|start: stop sawtd (waiting until it is gone), or start it again
case \$1 in
stop)
	p=\$(cat "$SAWT_TEST_TMP/sawtd.pid")
	kill -TERM "\$p"
	while kill -0 "\$p" 2>/dev/null; do sleep 0.1; done ;;
start)
	: >"$SAWT_TEST_TMP/sawtd2.log"
	"$SAWTD" -c "$SAWT_CONFIG" >>"$SAWT_TEST_TMP/sawtd2.log" 2>&1 &
	echo \$! >"$SAWT_TEST_TMP/sawtd.pid"
	i=0
	until grep -q 'registry loaded' "$SAWT_TEST_TMP/sawtd2.log" || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i + 1)); done ;;
esac
SCRIPT
chmod +x "$RESTART"

SAWT_WEB_BASE="http://127.0.0.1:$PORT" SAWT_WEB_SHOTS="${SAWT_WEB_SHOTS:-$SAWT_TEST_TMP/shots}" \
	SAWT_WEB_RESTART="$RESTART" SAWT_CK_TIME="$CK_TIME" /usr/bin/python3 "$(dirname "$0")/web_browser.py"
rc=$?
pid=$(cat "$SAWT_TEST_TMP/sawtd.pid")
kill "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
exit $rc
