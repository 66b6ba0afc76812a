#!/bin/sh
# sawt broadcast (issue 19, docs/broadcasts.md): the filters pick exactly
# the observers expected (state, area, stations, language, role, open
# incidents); each gets the text of their language; the coordinators of
# the areas concerned get one copy each; a dry run sends nothing; a text
# over one segment is refused; a real broadcast is queued once per person,
# recorded, sent by the dummy phone, and readable by analysts without a
# phone number.
#
# Fixtures (tests/data/import): observers Leila (ar, 1021 in بيروت), Jean
# (fr, 1022 and 1031 in بيروت), Sam (en, 2011 in جبل لبنان), Nour (ar, the
# area الشمال/المركز: station 3021), Mohammad (no language: the default,
# en; 4011 in صيدا); coordinators Rana (en; بيروت and جبل لبنان) and Karim
# (ar; صيدا).
. "$(dirname "$0")/tap.sh"

LEILA=+9613123456
SAM=+96176123456
LOG="$SAWT_TEST_TMP/sawtd.log"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
start_fixture_sawtd

bc() { "$SAWT" -c "$SAWT_CONFIG" broadcast "$@" 2>&1; }
TEXTS="--text-ar أرسلوا_نسبة_الاقتراع --text-en Send_turnout_now --text-fr Envoyez_la_participation"
# plan FILTERS...: "LANG:N ... | copies LANG:N ..." from a dry run
plan() {
	bc --dry-run $TEXTS "$@" | awk '
		/ recipients \(/ { r = r sprintf("%s:%s ", substr($3, 2, 2), $1) }
		/ coordinator copies \(/ { c = c sprintf("%s:%s ", substr($4, 2, 2), $1) }
		END { printf "%s| copies %s", r, c }'
}
outbox_broadcasts() { q "SELECT count(*) FROM sawt.outbox WHERE kind = 'broadcast'"; }

out=$(bc --dry-run --missing turnout $TEXTS); rc=$?
is "$rc" 0 "a dry run succeeds"
like "$out" "^2 recipients \(ar\): أرسلوا_نسبة_الاقتراع$" "each language gets its own text"
like "$out" "^1 recipients \(fr\): Envoyez_la_participation$" "French too"
like "$out" "^2 recipients \(en\): Send_turnout_now$" "and English, for Sam and for Mohammad (no language: the default)"
like "$out" "^dry run: 5 recipient\(s\) and 2 coordinator copy\(ies\) would be sent; nothing was queued$" \
	"every observer misses turnout; Rana and Karim are copied"
unlike "$out" '\+961|961[0-9]{6}' "no phone number is printed"
is "$(outbox_broadcasts)" 0 "a dry run queues nothing"

# Leila reports turnout: her station drops out of "missing turnout"
"$SAWT" inject "$LEILA" "T 1021 V300 W140 #1234" >/dev/null
wait_sql "SELECT count(*) FROM sawt.reports WHERE form = 'turnout'" 1 60
is "$(plan --missing turnout)" "ar:1 en:2 fr:1 | copies ar:1 en:1 " \
	"missing turnout: Leila, who reported, is left out; Jean (two stations) counts once"
is "$(plan --missing opening)" "ar:2 en:2 fr:1 | copies ar:1 en:1 " "missing opening: everyone"
is "$(plan --missing results)" "ar:2 en:2 fr:1 | copies ar:1 en:1 " "missing results: everyone (no results yet)"
is "$(plan --missing close)" "ar:2 en:2 fr:1 | copies ar:1 en:1 " "missing close: everyone (no close yet)"
is "$(plan --missing turnout --area بيروت)" "fr:1 | copies en:1 " \
	"--area: Jean in بيروت, Rana copied"
is "$(plan --area "جبل لبنان/بعبدا")" "en:1 | copies en:1 " "a Region/District path"
is "$(plan --lang ar)" "ar:2 | copies en:1 " "--lang ar: Leila and Nour; Rana copied for Leila (nobody covers Nour's area)"
is "$(plan --stations 2011,4011)" "en:2 | copies ar:1 en:1 " "--stations"
is "$(plan --role coordinators --area بيروت)" "en:1 | copies " "--role coordinators: Rana, no copies"
is "$(plan --open-incidents)" "| copies " "--open-incidents: none yet"
"$SAWT" inject "$SAM" "I 2011 3 fight at the door" >/dev/null
wait_sql "SELECT count(*) FROM sawt.reports WHERE form = 'incident'" 1 60
is "$(plan --open-incidents)" "en:1 | copies en:1 " "--open-incidents: Sam's station"
hour=$(date -u +%H)
if [ "$hour" -ge 1 ]; then
	since=$(date -u -d '-30 min' +%H:%M)
	"$SAWT" inject --time $(($(date +%s) - 3600)) "$SAM" "T 2011 V120 W50" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.reports WHERE form = 'turnout'" 2 60
	is "$(plan --missing turnout --stations 1021,2011 --since "$since")" "en:1 | copies en:1 " \
		"--since: turnout sent before the time does not count"
	is "$(plan --missing turnout --stations 1021,2011)" "| copies " "without --since it does"
else
	for _ in 1 2; do
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N # SKIP --since: too close to midnight UTC for a time an hour back today"
	done
fi

# refusals
long=$(printf 'x%.0s' $(seq 1 161))
out=$(bc --text-en "$long"); rc=$?
is "$rc" 2 "an English text over one segment is refused"
like "$out" "the English text takes 2 SMS segments \(161 GSM characters; one segment holds 160\)" "saying by how much"
longar=$(printf 'ب%.0s' $(seq 1 71))
out=$(bc --text-ar "$longar"); rc=$?
is "$rc" 2 "an Arabic text over one segment is refused"
like "$out" "the Arabic text takes 2 SMS segments \(71 UTF-16 units" "with Unicode's limit"
out=$(bc --area Nowhere --text-en hi); rc=$?
is "$rc" 1 "an unknown area is refused"
like "$out" '^sawt: area "Nowhere" does not exist$' "by name"
out=$(bc --stations 9999 --text-en hi); rc=$?
like "$out" 'station "9999" does not exist' "an unknown station is refused by name"
out=$(bc --missing sometime --text-en hi); rc=$?
is "$rc" 2 "an unknown --missing value is refused"
out=$(bc --since 11:00 --text-en hi); rc=$?
is "$rc" 2 "--since without --missing is refused"
out=$(bc --role observers); rc=$?
is "$rc" 2 "no text is refused"
is "$(outbox_broadcasts)" 0 "nothing was queued by any of these"

# a real broadcast
out=$(bc --missing opening --by Rana $TEXTS); rc=$?
like "$rc/$out" "^0/broadcast [0-9]+: 5 recipient\(s\) and 2 coordinator copy\(ies\) queued$" "broadcast queues"
is "$(outbox_broadcasts)" 7 "one outbox row each"
is "$(q "SELECT count(DISTINCT recipient) FROM sawt.outbox WHERE kind = 'broadcast'")" 7 "nobody twice"
is "$(q "SELECT body FROM sawt.outbox WHERE kind = 'broadcast' AND recipient = '+96171123456'")" \
	"Envoyez_la_participation" "Jean gets the French text"
is "$(q "SELECT count(*) FROM sawt.broadcast_recipients WHERE copy")" 2 "the copies are recorded as copies"
is "$(q "SELECT created_by, recipients, copies, filter->>'missing' FROM sawt.broadcasts")" \
	"cli:Rana|5|2|opening" "the broadcast is recorded with its filter"
wait_sql "SELECT count(*) FROM sawt.outbox WHERE kind = 'broadcast' AND state = 'sent'" 7 90 &&
	pass "sawtd sends them all through the dummy phone" || fail "sawtd sends them all through the dummy phone"
is "$(q "SET ROLE sawt_analyst; SELECT people_reached, coordinator_copies, sent FROM analytics.broadcasts")" "5|2|7" \
	"analysts read it in analytics.broadcasts, with what was sent"
unlike "$(q "SET ROLE sawt_analyst; SELECT * FROM analytics.broadcasts")" '\+961|9613' \
	"with no phone number"
out=$(bc --stations 1021 --missing turnout --text-en hi); rc=$?
is "$rc/$out" "0/nobody matches the filter: nothing was sent" "a filter that reaches nobody sends nothing"

# scheduled reminders: chosen when they run, once a day
is "$(bc --scheduled)" "no reminder scheduled" "no reminder at first"
out=$(bc --at 25:00 --text-en hi); rc=$?
is "$rc" 2 "an invalid --at is refused"
hour=$(date -u +%H)
if [ "$hour" -lt 23 ] && [ "$hour" -ge 1 ]; then
	later=$(date -u -d '+30 min' +%H:%M)
	out=$(bc --at "$later" --missing close --stations 1021,1022 $TEXTS); rc=$?
	like "$rc/$out" "^0/reminder [0-9]+: sawtd sends it every day at $later$" "--at schedules a reminder"
	rid=$(q "SELECT max(id) FROM sawt.reminders")
	like "$(bc --scheduled)" "^reminder $rid at $later: .*\"missing\": \"close\"" "--scheduled lists it with its filter"
	n0=$(outbox_broadcasts)
	"$SAWT" inject "$LEILA" "C 1021 V400 W180 #1234" >/dev/null
	wait_sql "SELECT count(*) FROM sawt.reports WHERE form = 'close'" 1 60
	# run what is due 40 minutes from now, as sawtd's tick would then
	is "$(q "SELECT reminder_id, broadcast_id IS NOT NULL, recipients, copies
		FROM sawt.reminders_run('default', 'test', now() + interval '40 min')")" "$rid|t|1|1" \
		"when its time comes it reaches Jean only: Leila closed since it was scheduled"
	is "$(q "SELECT o.body FROM sawt.outbox o JOIN sawt.broadcast_recipients br ON br.outbox_id = o.id
		JOIN sawt.broadcasts b ON b.id = br.broadcast_id WHERE b.reminder_id = $rid AND NOT br.copy")" \
		"Envoyez_la_participation" "in his language"
	is "$(q "SELECT count(*) FROM sawt.reminders_run('default', 'test', now() + interval '50 min')")" 0 \
		"it does not run twice the same day"
	is "$(($(outbox_broadcasts) - n0))" 2 "two messages queued in all (Jean, and Rana's copy)"
	is "$(bc --cancel "$rid")" "reminder $rid cancelled" "--cancel"
	is "$(bc --scheduled)" "no reminder scheduled" "a cancelled reminder is not listed"
	# a reminder whose time has passed today goes at sawtd's next tick
	early=$(date -u -d '-1 min' +%H:%M)
	out=$(bc --at "$early" --stations 2011 --text-en "Reminder_for_Sam")
	like "$out" "that time has passed: today's goes now" "a time already passed today is sent at once"
	wait_sql "SELECT count(*) FROM sawt.outbox WHERE body = 'Reminder_for_Sam'" 2 60 &&
		pass "sawtd runs it by itself: Sam and Rana's copy" ||
		fail "sawtd runs it by itself: Sam and Rana's copy"
	wait_for "$LOG" "reminder [0-9]+ sent: broadcast [0-9]+, 1 recipient\(s\) and 1 coordinator copy\(ies\)" 10 &&
		pass "and logs it" || fail "and logs it"
else
	for _ in 1 2 3 4 5 6 7 8 9 10 11; do
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N # SKIP reminders: too close to midnight UTC for times earlier and later today"
	done
fi

kill -TERM "$pid"
wait "$pid"
no_errors "$LOG" "no error in sawtd's log"
done_testing
