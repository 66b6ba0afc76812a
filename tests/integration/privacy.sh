#!/bin/sh
# No analyst-visible column holds a phone number, a name or a PIN: every
# text column of every view in schema analytics is scanned for each
# person's phone (as stored, and its digits alone), each person's name and
# any PIN token, over the synthetic election (tests/data/analytics) plus
# messages that carry PINs (ASCII, Arabic-Indic and Eastern Arabic-Indic
# digits, right and wrong) and an alert text that names an observer, as
# the sender_flood rule writes it.
. "$(dirname "$0")/tap.sh"

q() { psql -X -q -A -t -F'|' -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

"$SAWT" migrate >/dev/null 2>&1
is "$?" 0 "migrate succeeds"
psql -X -q -v ON_ERROR_STOP=1 -f "$SAWT_TEST_DATA/analytics/election.sql" >/dev/null 2>&1
is "$?" 0 "the synthetic election loads"

out=$(psql -X -q -v ON_ERROR_STOP=1 2>&1 <<'SQL'
UPDATE sawt.people SET name = 'Rania Haddad' WHERE id = 2;
UPDATE sawt.people SET name = 'ريم الحسن' WHERE id = 3;
INSERT INTO sawt.inbound_messages (transport, sender, text, dedup_key, person_id, state)
SELECT 'modem', p.phone, t.text, sha256(convert_to(t.text, 'UTF8')), p.id, 'processed'
FROM sawt.people p,
	(VALUES ('فتح ١٠١ ٠٧٠٠ #1357'), ('T 101 V420 W190 #١٣٥٧'), ('T 101 V420 #۱۳۵۷ W190'),
		('OPEN 102 ＃2468'), ('T 102 V10 W5 # 9999'), ('T 102 V10 W5 #l357')) AS t(text)
WHERE p.id = 2;
INSERT INTO sawt.alerts (election_id, kind, severity, message, alert_key)
VALUES (1, 'sender_flood', 'serious',
	'Rania Haddad (+96171000002) sent more than 10 messages in 60 s: replies stopped for 60 min',
	'sender_flood:test-a'),
	(1, 'sender_flood', 'serious', 'ريم الحسن sent more than 10 messages in 60 s', 'sender_flood:test-b');
SQL
)
is "$?" 0 "messages with PINs and alerts naming observers are stored"

# Every text-like column of every analytics view, as "view.column".
cols=$(q "SELECT c.table_name || '.' || c.column_name FROM information_schema.columns c
	JOIN information_schema.views v ON v.table_schema = c.table_schema AND v.table_name = c.table_name
	WHERE c.table_schema = 'analytics' AND c.data_type IN ('text', 'character varying', 'ARRAY', 'USER-DEFINED')
	ORDER BY 1")
[ -n "$cols" ] && pass "the analytics views have text columns to scan" || fail "the analytics views have text columns to scan"

# scan LABEL CONDITION: no row of any column matches CONDITION (on "v").
scan() {
	_bad=""
	for _c in $cols; do
		_view=${_c%%.*} _col=${_c#*.}
		_n=$(q "SELECT count(*) FROM analytics.$_view t, LATERAL (SELECT t.$_col::text AS v) x WHERE $2")
		[ "$_n" = 0 ] || _bad="$_bad $_c($_n)"
	done
	if [ -z "$_bad" ]; then pass "no analytics column holds $1"; else fail "no analytics column holds $1"; echo "#  $_bad"; fi
}
scan "a person's phone number" "EXISTS (SELECT 1 FROM sawt.people p WHERE strpos(x.v, p.phone) > 0 OR strpos(x.v, substr(p.phone, 2)) > 0)"
scan "a person's name" "EXISTS (SELECT 1 FROM sawt.people p WHERE strpos(x.v, p.name) > 0)"
scan "a PIN" "x.v ~ '[#＃][ ]*[0-9٠-٩۰-۹０-９Oo]'"

is "$(q "SELECT text FROM analytics.message_log WHERE text LIKE 'فتح ١٠١%'")" "فتح ١٠١ ٠٧٠٠ #[pin]" \
	"message_log keeps the message and masks only the PIN"
is "$(q "SELECT message FROM analytics.alerts WHERE message LIKE '%more than 10%' ORDER BY alert_id LIMIT 1")" \
	"[person] ([number]) sent more than 10 messages in 60 s: replies stopped for 60 min" \
	"an alert that names an observer shows neither the name nor the number"
done_testing
