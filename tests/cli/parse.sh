#!/bin/sh
# parse.sh SAWT - test the `sawt parse` and `sawt bench` commands end to end.
# Prints TAP.
set -u
sawt=$1
unset SAWT_CONFIG
n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# expect NAME WANT-OUTPUT WANT-STATUS COMMAND... (stdin from $input)
expect() {
	name=$1 want=$2 want_rc=$3
	shift 3
	got=$(printf '%s' "$input" | "$@" 2>/dev/null)
	rc=$?
	if [ "$got" = "$want" ] && [ "$rc" -eq "$want_rc" ]; then
		ok "$name"
	else
		not_ok "$name" "want ($want_rc): $want" "got ($rc): $got"
	fi
}

echo "1..16"
defs="$(dirname "$0")/../data/checklists"

input=""
expect "one message" \
	'{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"women":190}' 0 \
	"$sawt" parse 'T 1021 V420 W190'

expect "words are joined" \
	'{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"women":190}' 0 \
	"$sawt" parse T 1021 V420 W190

expect "an error exits 1 with a detail" \
	'{"ok":false,"error":"missing_field","field":"women","pos":12,"form":"close","lang":"en","station":"1021","detail":"the women count (W) is missing"}' 1 \
	"$sawt" parse 'C 1021 V610'

input='T 1021 V420 W190
ق ١٠٢١ م٤٢٠ ن١٩٠

HELP
'
expect "one JSON line per input line" \
	'{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"women":190}
{"ok":true,"form":"turnout","lang":"ar","station":"1021","voters":420,"women":190}
{"ok":false,"error":"empty_message","lang":"en","detail":"the message is empty"}
{"ok":true,"form":"help","lang":"en"}' 1 \
	"$sawt" parse

input='T 1021 V420 W190
R 1021 120 340 55 12 3'
expect "all good exits 0, CRLF-free last line without newline" \
	'{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"women":190}
{"ok":true,"form":"results","lang":"en","station":"1021","counts":[120,340,55,12,3]}' 0 \
	"$sawt" parse

input=""
expect "--reply adds the reply" \
	'{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"women":190,"reply_kind":"accepted_turnout","reply":"OK 1021: 420 voters, 190 women (45%)"}' 0 \
	"$sawt" parse --reply 'T 1021 V420 W190'

expect "--observer-lang picks the reply language" \
	'{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"women":190,"reply_kind":"accepted_turnout","reply":"OK 1021: 420 votants, 190 femmes (45%)"}' 0 \
	"$sawt" parse --reply --observer-lang fr 'T 1021 V420 W190'

expect "--lang sets the default language" \
	'{"ok":true,"form":"results","lang":"fr","station":"1","counts":[2]}' 0 \
	"$sawt" parse --lang fr 'RES 1 2'

# ق ١٠٢١ م٤٢٠ as a modem delivers it
expect "--ucs2 parses modem text the same" \
	'{"ok":true,"form":"turnout","lang":"ar","station":"1021","voters":420}' 0 \
	"$sawt" parse --ucs2 '0642 0020 0661066006620661 0020 0645066406620660'

expect "bad option is a usage error" "" 2 "$sawt" parse --bogus 'T 1 V1'

input='OP 1021 AA1 AB3 AC13 ZZ2 #4821
T 1021 V420
استمارة ١٠٢١ AA1 AB2 AD5 AF طابور
'
expect "--checklists reads checklist messages, and v1 messages as before" \
	'{"ok":true,"checklist":"OP","lang":"en","station":"1021","pin":true,"answers":{"AA":1,"AC":[1,3]},"problems":[{"problem":"bad_value","code":"AB","pos":13},{"problem":"unknown_code","code":"ZZ","pos":22}],"missing":["AB","AD"],"checks":[],"reply":"OK 1021 OP: 2 saved. Wrong: AB. Unknown: ZZ. Missing: AB AD."}
{"ok":true,"form":"turnout","lang":"en","station":"1021","voters":420,"reply_kind":"accepted_turnout","reply":"OK 1021: 420 voters"}
{"ok":true,"checklist":"OP","lang":"ar","station":"1021","pin":false,"answers":{"AA":1,"AB":2,"AD":5,"AF":"طابور"},"problems":[],"missing":[],"checks":[],"reply":"تم 1021 OP: حفظت 4. مكتمل. شكرا"}' 0 \
	"$sawt" parse --reply --checklists "$defs/good.csv"

input=""
expect "a checklist message refused whole exits 1" \
	'{"ok":false,"error":"no_answers","checklist":"CL","lang":"fr","station":"1021","pin":false,"answers":{},"problems":[{"problem":"bad_value","code":"BB","pos":11}],"missing":["BA","BB"],"checks":[],"reply":"Rien enregistré pour 1021 CL: aucune réponse valide. Erronées: BB. Manquent: BA BB."}' 1 \
	"$sawt" parse --reply --checklists "$defs/good.csv" 'CLOT 1021 BB7'

expect "--observer-lang sets the checklist reply's language" \
	'{"ok":true,"checklist":"CL","lang":"en","station":"1021","pin":false,"answers":{"BA":0,"BB":1},"problems":[],"missing":[],"checks":[],"reply":"تم 1021 CL: حفظت 2. مكتمل. شكرا"}' 0 \
	"$sawt" parse --reply --observer-lang ar --checklists "$defs/good.csv" 'CL 1021 BA0 BB1'

input='OP 1021 AA2 AB2 AE3 AC2
CL 1021 BA60
CL 1021 BA6
'
expect "--checklists names the checks that hold on the message alone (no figure known)" \
	'{"ok":true,"checklist":"OP","lang":"en","station":"1021","pin":false,"answers":{"AA":2,"AB":2,"AE":3,"AC":[2]},"problems":[],"missing":["AD"],"checks":["unsealed","late_and_tense","no_party_a"]}
{"ok":true,"checklist":"CL","lang":"en","station":"1021","pin":false,"answers":{"BA":60},"problems":[],"missing":["BB"],"checks":["many_turned_away"]}
{"ok":true,"checklist":"CL","lang":"en","station":"1021","pin":false,"answers":{"BA":6},"problems":[],"missing":["BB"],"checks":[]}' 0 \
	"$sawt" parse --checklists "$defs/checks.csv"
input=""

expect "a bad definitions file is a usage error" "" 2 \
	"$sawt" parse --checklists "$defs/bad.csv" 'OP 1021 AA1'

out=$("$sawt" bench parse --seconds 0.2 2>&1)
case $out in
*"msgs/s"*) ok "bench prints messages per second" ;;
*) not_ok "bench prints messages per second" "$out" ;;
esac

[ "$fails" -eq 0 ]
