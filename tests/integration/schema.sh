#!/bin/sh
# The core schema (migrations 0002-0004): the analysts' role and its
# limits, the inbound dedup key, the constraints later parts rely on, and
# the registry notifications.
. "$(dirname "$0")/tap.sh"

q() { psql -XAtq -c "$1" 2>&1; }
# fails SQL SQLSTATE: the statement must fail with that SQLSTATE
fails() {
	_out=$(psql -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$1" 2>&1)
	if [ $? -ne 0 ] && printf '%s' "$_out" | grep -q "ERROR:  $2"; then pass "$3"; else
		fail "$3"; printf '%s\n' "$_out" | sed 's/^/#   /' | head -5; fi
}

out=$("$SAWT" migrate 2>&1)
is "$?" 0 "migrate"

# ---- the analysts' role ----------------------------------------------
is "$(q "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'sawt_analyst'")" f "role sawt_analyst exists, NOLOGIN"
is "$(q "SELECT has_schema_privilege('sawt_analyst', 'sawt', 'USAGE')")" f "sawt_analyst has no access to schema sawt"
is "$(q "SELECT has_schema_privilege('sawt_analyst', 'analytics', 'USAGE')")" t "sawt_analyst may use schema analytics"
is "$(q "SELECT count(*) FROM information_schema.table_privileges WHERE grantee = 'sawt_analyst' AND table_schema = 'sawt'")" 0 \
	"sawt_analyst holds no privilege on any sawt table"
fails "SET ROLE sawt_analyst; SELECT phone FROM sawt.people" 42501 "sawt_analyst cannot read phone numbers"
q "CREATE ROLE alice LOGIN IN ROLE sawt_analyst" >/dev/null
fails "SET ROLE alice; SELECT * FROM sawt.inbound_messages" 42501 "an analyst login cannot read inbound messages"
out=$( (echo 'BEGIN;'; cat "$SAWT_MIGRATIONS_DIR/0004_analytics_role.sql"; echo 'COMMIT;') |
	psql -XAtq -v ON_ERROR_STOP=1 2>&1)
is "$?" 0 "the role migration can run again (role already there)"

# ---- registry constraints --------------------------------------------
q "INSERT INTO sawt.elections (name, country_code) VALUES ('t', '961')" >/dev/null
q "INSERT INTO sawt.areas (election_id, name, depth) VALUES (1, 'R', 1)" >/dev/null
fails "INSERT INTO sawt.areas (election_id, name, depth) VALUES (1, 'R', 1)" 23505 "root area names are unique"
fails "INSERT INTO sawt.stations (election_id, code, name, area_id, registered, registered_women)
       VALUES (1, '1', 'S', 1, 100, 101)" 23514 "registered_women cannot exceed registered"
fails "INSERT INTO sawt.stations (election_id, code, name, area_id, registered, registered_women)
       VALUES (1, 'A1', 'S', 1, 100, 10)" 23514 "station codes are digits"
fails "INSERT INTO sawt.people (election_id, phone, name, role, pseudonym)
       VALUES (1, '03123456', 'P', 'observer', repeat('a', 64))" 23514 "phones are E.164"
fails "INSERT INTO sawt.people (election_id, phone, name, role, pin_hash, pseudonym)
       VALUES (1, '+9613123456', 'P', 'observer', '1234', repeat('a', 64))" 23514 "a clear PIN is refused"
fails "INSERT INTO sawt.incident_codes (election_id, code, severity) VALUES (1, 1, 'info')" 23514 \
	"an incident code needs a name"
is "$(q "INSERT INTO sawt.contests (election_id, code, name) VALUES (1, 'MUN2', 'M'), (1, 'بلديه', 'B') RETURNING code" | tr '\n' ' ')" "MUN2 بلديه " \
	"contest codes may be Latin or Arabic (0009)"
fails "INSERT INTO sawt.contests (election_id, code, name) VALUES (1, 'mun', 'M')" 23514 "contest codes are stored upper-case"
fails "INSERT INTO sawt.contests (election_id, code, name) VALUES (1, 'A B', 'M')" 23514 "a contest code has no separator"
fails "INSERT INTO sawt.contests (election_id, code, name) VALUES (1, '2A', 'M')" 23514 "a contest code does not start with a digit"
fails "INSERT INTO sawt.contests (election_id, code, name) VALUES (1, 'المجلسالبلدي', 'M')" 23514 "a contest code has at most 16 bytes"

# ---- inbound messages and reports ------------------------------------
ins="INSERT INTO sawt.inbound_messages (transport, sender, smsc_time, text, dedup_key)
     VALUES ('modem', '+9613123456', '2026-05-10 08:00:00+03', 'T 1021 V420 W190', sha256('k1'))"
is "$(q "$ins RETURNING id")" 1 "an inbound message is recorded"
fails "$ins" 23505 "the same dedup key cannot be recorded twice"
is "$(q "$ins ON CONFLICT (dedup_key) DO NOTHING RETURNING id")" "" "a redelivery is skipped with ON CONFLICT"
fails "INSERT INTO sawt.inbound_messages (transport, sender, text, dedup_key) VALUES ('modem', 'x', 't', 'short')" 23514 \
	"the dedup key is a 32-byte hash"
fails "INSERT INTO sawt.reports (election_id, inbound_id, form, outcome) VALUES (1, 1, 'turnout', 'rejected')" 23514 \
	"a rejected report carries an error code"
fails "INSERT INTO sawt.reports (election_id, inbound_id, form, outcome) VALUES (1, 1, 'turnout', 'accepted_flagged')" 23514 \
	"a flagged report carries flags"
is "$(q "INSERT INTO sawt.reports (election_id, inbound_id, form, outcome, flags, voters, women)
	 VALUES (1, 1, 'turnout', 'accepted_flagged', '{turnout_down}', 420, 190) RETURNING flags[1]")" turnout_down \
	"a flagged report is stored with its flags"
is "$(q "INSERT INTO sawt.outbox (recipient, body) VALUES ('+9613123456', 'OK') RETURNING state || ' ' || priority || ' ' || attempts")" \
	"queued 2 0" "outbox rows start queued"
fails "UPDATE sawt.outbox SET state = 'lost'" 23514 "outbox states are checked"

# ---- notifications ---------------------------------------------------
out=$(psql -XAtq -c "LISTEN sawt_registry" \
	-c "INSERT INTO sawt.people (election_id, phone, name, role, pseudonym) VALUES (1, '+9613123456', 'P', 'observer', repeat('a', 64))" 2>&1)
like "$out" 'notification "sawt_registry" with payload "people"' "a people change is announced"
out=$(psql -XAtq -c "LISTEN sawt_registry" -c "UPDATE sawt.outbox SET attempts = 1" 2>&1)
is "$out" "" "an outbox change is not"

done_testing
