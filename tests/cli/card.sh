#!/bin/sh
# card.sh SAWT - `sawt card` end to end, without a database: each
# language to a file, the Arabic card right to left, usage errors, and a
# station lookup with no database reachable.  Prints TAP.
set -u
sawt=$1
unset SAWT_CONFIG
n=0
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		fails=$((fails + 1))
		echo "not ok $n - $2"
	fi
}

echo "1..12"

for l in ar en fr; do
	"$sawt" card --lang "$l" --station 3107 --offline -o "$tmp/$l.html" 2>"$tmp/err"
	check $? "card --lang $l writes the file"
done
grep -q '<html lang="ar" dir="rtl">' "$tmp/ar.html"
check $? "the Arabic card is marked right to left"
grep -q '<code>P 3107 V420 F190</code>' "$tmp/fr.html"
check $? "the French card has the station in its examples"
grep -q '@page{size:A5' "$tmp/en.html"
check $? "the card prints on A5"

"$sawt" card --lang de >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'unknown language "de"' "$tmp/err"
check $? "an unknown language is a usage error"

"$sawt" card --lang en --station 12x --offline >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'station code "12x" is not valid' "$tmp/err"
check $? "a station code that is not digits is refused"

"$sawt" card --bogus >/dev/null 2>&1
check $([ $? = 2 ]; echo $?) "an unknown option is a usage error"

out=$("$sawt" card --lang en)
echo "$out" | grep -q '<b class="code">____</b>'
check $? "without --station the card has a blank for the code"

# A database that is not there: the lookup fails and points at --offline.
printf '[database]\nurl = postgresql:///sawt?host=%s/nosock\n' "$tmp" >"$tmp/nodb.conf"
"$sawt" -c "$tmp/nodb.conf" card --lang en --station 3107 >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q -- '--offline' "$tmp/err"
check $? "with no database --station fails and suggests --offline"

"$sawt" card --lang en -o "$tmp/no/such/dir/card.html" 2>"$tmp/err"
[ $? = 1 ] && grep -q 'could not open file' "$tmp/err"
check $? "an unwritable output file fails"

[ "$fails" = 0 ]
