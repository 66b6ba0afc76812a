#!/bin/sh
# config_examples.sh SAWTD CONFIG_DIR - every example configuration in
# CONFIG_DIR (sawt.conf and examples/*.conf) passes `sawtd --check`.
# --check reads the file only, so the example with an external PostgreSQL
# passes with no database anywhere.  Prints TAP.
set -u
sawtd=$1
dir=$2
unset SAWT_CONFIG
n=0
fails=0

check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		fails=$((fails + 1))
		echo "not ok $n - $2"
	fi
}

files="$dir/sawt.conf"
for want in laptop server kannel; do
	files="$files $dir/examples/$want.conf"
done
for f in "$dir"/examples/*.conf; do
	case " $files " in *" $f "*) ;; *) files="$files $f" ;; esac
done
set -- $files
echo "1..$#"
for f in "$@"; do
	if [ ! -f "$f" ]; then
		check 1 "$(basename "$f") exists"
		continue
	fi
	out=$("$sawtd" --check -c "$f" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || echo "# $out"
	check "$rc" "sawtd --check $(basename "$f")"
done
[ "$fails" = 0 ]
