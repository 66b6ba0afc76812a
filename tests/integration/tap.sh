# tap.sh - tiny TAP helpers for shell tests; source it.
#   pass DESCRIPTION / fail DESCRIPTION      one test line, ok or not ok
#   is GOT WANT DESCRIPTION                  pass when GOT = WANT, else show both
#   like TEXT REGEX DESCRIPTION              pass when a line of TEXT matches REGEX (grep -E)
#   unlike TEXT REGEX DESCRIPTION            pass when no line of TEXT matches REGEX
#   no_errors LOGFILE [ALLOWED] DESCRIPTION  pass when LOGFILE holds no error-level line
#                                            of sawt's log format (src/lib/log.c) but those
#                                            whose whole message matches the regex ALLOWED
#   re_quote STRING                          print STRING as an extended regex matching it literally
#   wait_for FILE PATTERN [SECONDS] [COUNT]  wait until PATTERN is in FILE COUNT times
#   wait_sql SQL WANT [SECONDS]              wait until psql -Atc SQL prints WANT
#   import_fixtures                          migrate and import tests/data/import
#   start_fixture_sawtd                      import_fixtures, start sawtd (pid in $pid, log
#                                            in $LOG) and wait for its dummy modem and registry
#   send_report FROM SECONDS_AGO TEXT        inject an SMS sent that long ago, wait for its
#                                            report, print the report's id
#   done_testing                             print the plan, exit non-zero on failure
TAP_N=0
TAP_FAILED=0

pass() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
fail() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }

is() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}

# like TEXT PATTERN description (grep -E)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; else
		fail "$3"; printf '%s\n' "$1" | sed 's/^/#   got: /' | head -20; echo "#   want /$2/"; fi
}

# unlike TEXT PATTERN description (grep -E): pass when no line matches,
# else fail and show the lines that do
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3"; printf '%s\n' "$1" | grep -E -- "$2" | sed 's/^/#   got: /' | head -20
	else pass "$3"; fi
}

# no_errors LOGFILE [ALLOWED] DESCRIPTION: fail, listing them, when LOGFILE
# has error-level lines of sawt's log (src/lib/log.c): "YYYY-MM-DD HH:MM:SS
# IDENT error: MESSAGE", or under systemd's journal "<3>IDENT: MESSAGE"
# (IDENT is sawtd, sawt, or modem:NAME for a modem worker).  ALLOWED is an
# extended regex that must match the whole MESSAGE of an error the test
# provokes on purpose; keep it as narrow as the error it allows.
no_errors() {
	_file=$1 _allow=
	if [ $# -ge 3 ]; then _allow=$2; shift; fi
	_desc=$2
	if [ ! -f "$_file" ]; then
		fail "$_desc"; echo "#   no log file $_file"; return
	fi
	_prefix='^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+ error|<[0-3]>[^ ]+): '
	_bad=$(grep -E -- "$_prefix" "$_file" | while IFS= read -r _line; do
		_msg=$(printf '%s\n' "$_line" | sed -E "s/$_prefix//")
		if [ -n "$_allow" ] && printf '%s\n' "$_msg" | grep -Eqx -- "$_allow"; then
			continue
		fi
		printf '%s\n' "$_line"
	done)
	if [ -z "$_bad" ]; then pass "$_desc"; else
		fail "$_desc"; printf '%s\n' "$_bad" | head -20 | sed 's/^/#   /'; fi
}

# re_quote STRING: STRING with the characters special in an extended
# regex escaped, to put a path into an ALLOWED pattern of no_errors.
re_quote() {
	printf '%s\n' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'
}

wait_for() {
	_file=$1 _pat=$2 _secs=${3:-30} _count=${4:-1}
	_i=0
	while [ $_i -lt $((_secs * 10)) ]; do
		if [ -f "$_file" ] && [ "$(grep -Ec -- "$_pat" "$_file")" -ge "$_count" ]; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out after ${_secs}s waiting for /$_pat/ x$_count in $_file"
	[ -f "$_file" ] && tail -n 15 "$_file" | sed 's/^/#   /'
	return 1
}

done_testing() {
	echo "1..$TAP_N"
	[ $TAP_FAILED -eq 0 ]
}

# wait_sql SQL WANT [SECONDS]: wait until psql -Atc SQL prints WANT
wait_sql() {
	_i=0
	while [ $_i -lt $((${3:-30} * 10)) ]; do
		_got=$(psql -XAtc "$1" 2>/dev/null)
		[ "$_got" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out waiting for [$1] = '$2' (last: '$_got')"
	return 1
}

# import_fixtures: migrate and import tests/data/import into the test database
# start_fixture_sawtd: the fixtures, then sawtd on $SAWT_CONFIG with its
# log in $LOG ($SAWT_TEST_TMP/sawtd.log unless set); sets pid.  Exits the
# test when the fixtures cannot be imported.
start_fixture_sawtd() {
	LOG=${LOG:-$SAWT_TEST_TMP/sawtd.log}
	import_fixtures || { fail "fixtures import"; done_testing; exit 1; }
	"$SAWTD" -c "$SAWT_CONFIG" >>"$LOG" 2>&1 &
	pid=$!
	wait_for "$LOG" "modem \"dummy\": starting -> ready" 60 || fail "the dummy modem comes up"
	wait_for "$LOG" "registry loaded" 60
}

# send_report FROM SECONDS_AGO TEXT: inject an SMS with that send time,
# wait for the report it makes, print the report's id
# recent_utc HH:MM...: the Unix time of the latest occurrence of the first
# of these UTC times that lies between 1 and 23 hours ago, for send times
# inside (or outside) a checklist's window: sawtd takes an SMSC time up to
# a day old as the send time.  Two times 3 hours apart always give one.
recent_utc() {
	_now=$(date +%s)
	for _hm in "$@"; do
		_t=$(date -u -d "today $_hm" +%s)
		[ "$_t" -le "$_now" ] || _t=$((_t - 86400))
		if [ "$_t" -le $((_now - 3600)) ] && [ "$_t" -ge $((_now - 82800)) ]; then
			echo "$_t"
			return 0
		fi
	done
	return 1
}

send_report() {
	_n=$(psql -X -q -A -t -c "SELECT count(*) FROM sawt.reports")
	"$SAWT" inject --time $(($(date +%s) - $2)) "$1" "$3" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.reports" $((_n + 1)) 90 >&2
	psql -X -q -A -t -c "SELECT max(id) FROM sawt.reports"
}

import_fixtures() {
	"$SAWT" migrate >/dev/null || return 1
	for _k in "contests contests.csv" "stations stations.csv" "incident-codes incident_codes.csv" "people people.csv"; do
		# shellcheck disable=SC2086
		set -- $_k
		"$SAWT" import "$1" "$SAWT_TEST_DATA/import/$2" >/dev/null || return 1
	done
}
