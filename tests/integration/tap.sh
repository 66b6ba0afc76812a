# tap.sh - tiny TAP helpers for shell tests; source it.
#   ok CONDITION-COMMAND... -- description   (runs the command)
#   is GOT WANT description
#   wait_for FILE PATTERN [SECONDS] [COUNT]  wait until PATTERN is in FILE COUNT times
#   done_testing                           print the plan, exit non-zero on failure
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
import_fixtures() {
	"$SAWT" migrate >/dev/null || return 1
	for _k in "contests contests.csv" "stations stations.csv" "incident-codes incident_codes.csv" "people people.csv"; do
		# shellcheck disable=SC2086
		set -- $_k
		"$SAWT" import "$1" "$SAWT_TEST_DATA/import/$2" >/dev/null || return 1
	done
}
