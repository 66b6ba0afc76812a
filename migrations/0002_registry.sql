-- 0002_registry.sql - the election registry: elections, areas, stations,
-- contests and candidates, incident codes, people and their assignments.
--
-- Everything the registry import (`sawt import`) writes lives here.  Every
-- registry table belongs to one election; `sawt import` and sawtd find
-- theirs by the configured [election] name ('default' when unset).  Import
-- upserts on the natural keys below (station code, contest code, phone,
-- incident code), so re-importing a file updates rows in place and never
-- deletes anything.

CREATE TABLE sawt.elections (
	id              serial PRIMARY KEY,
	name            text NOT NULL UNIQUE,
	country_code    text CHECK (country_code ~ '^[1-9][0-9]{0,2}$'),
	created_at      timestamptz NOT NULL DEFAULT now()
);

-- Administrative areas: a tree (region > district > ...).  Roots have no
-- parent; depth is 1 for a region, 2 for a district, and so on.  Names are
-- unique among siblings.
CREATE TABLE sawt.areas (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	parent_id       integer REFERENCES sawt.areas(id),
	name            text NOT NULL CHECK (name <> ''),
	depth           smallint NOT NULL CHECK (depth >= 1),
	created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX areas_sibling_name_key
	ON sawt.areas (election_id, (COALESCE(parent_id, 0)), name);
CREATE INDEX areas_parent_idx ON sawt.areas (parent_id);

-- Contests (a council, a mayoralty, ...) and their candidates in ballot
-- order: positions run 1..n without gaps, the order observers type results.
-- code is what observers type after the station in a results message
-- (`R 1021 MUN ...`), upper-case as the message parser folds it.
CREATE TABLE sawt.contests (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	code            text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9]{0,15}$'),
	name            text NOT NULL CHECK (name <> ''),
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (election_id, code)
);

CREATE TABLE sawt.candidates (
	id              serial PRIMARY KEY,
	contest_id      integer NOT NULL REFERENCES sawt.contests(id) ON DELETE CASCADE,
	position        smallint NOT NULL CHECK (position BETWEEN 1 AND 999),
	name            text NOT NULL CHECK (name <> ''),
	UNIQUE (contest_id, position)
);

-- Polling stations.  code is what observers type (ASCII digits); area_id is
-- the deepest area given (the district, else the region); centre is the
-- polling centre (school, town hall) that groups stations.
CREATE TABLE sawt.stations (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	code            text NOT NULL CHECK (code ~ '^[0-9]{1,10}$'),
	name            text NOT NULL CHECK (name <> ''),
	area_id         integer NOT NULL REFERENCES sawt.areas(id),
	centre          text,
	registered      integer NOT NULL CHECK (registered >= 0),
	registered_women integer NOT NULL CHECK (registered_women >= 0),
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (election_id, code),
	CHECK (registered_women <= registered)
);
CREATE INDEX stations_area_idx ON sawt.stations (area_id);

-- The contests on each station's ballot.
CREATE TABLE sawt.station_contests (
	station_id      integer NOT NULL REFERENCES sawt.stations(id) ON DELETE CASCADE,
	contest_id      integer NOT NULL REFERENCES sawt.contests(id) ON DELETE CASCADE,
	PRIMARY KEY (station_id, contest_id)
);
CREATE INDEX station_contests_contest_idx ON sawt.station_contests (contest_id);

-- Incident codes observers send with `I station code [text]`.
CREATE TABLE sawt.incident_codes (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	code            integer NOT NULL CHECK (code BETWEEN 1 AND 9999),
	severity        text NOT NULL CHECK (severity IN ('info', 'serious', 'critical')),
	name_en         text,
	name_ar         text,
	name_fr         text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (election_id, code),
	CHECK (COALESCE(name_en, name_ar, name_fr) IS NOT NULL)
);

-- Observers and coordinators.  phone is E.164 ('+9613123456'); pseudonym is
-- the lowercase hex HMAC-SHA256 of phone keyed with [election]
-- pseudonym_secret, the only identity analysts see.  pin_hash is
-- 'pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX' or NULL (no PIN); the PIN is
-- never stored in clear.  language NULL: reply in the message's script.
CREATE TABLE sawt.people (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	phone           text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
	name            text NOT NULL CHECK (name <> ''),
	role            text NOT NULL CHECK (role IN ('observer', 'coordinator')),
	language        text CHECK (language IN ('ar', 'en', 'fr')),
	pin_hash        text CHECK (pin_hash LIKE 'pbkdf2-sha256$%'),
	pseudonym       text NOT NULL CHECK (pseudonym ~ '^[0-9a-f]{64}$'),
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (election_id, phone)
);
CREATE INDEX people_phone_idx ON sawt.people (phone);

CREATE TABLE sawt.person_stations (
	person_id       integer NOT NULL REFERENCES sawt.people(id) ON DELETE CASCADE,
	station_id      integer NOT NULL REFERENCES sawt.stations(id) ON DELETE CASCADE,
	PRIMARY KEY (person_id, station_id)
);
CREATE INDEX person_stations_station_idx ON sawt.person_stations (station_id);

-- Area assignments cover every station in the area and its descendants.
CREATE TABLE sawt.person_areas (
	person_id       integer NOT NULL REFERENCES sawt.people(id) ON DELETE CASCADE,
	area_id         integer NOT NULL REFERENCES sawt.areas(id) ON DELETE CASCADE,
	PRIMARY KEY (person_id, area_id)
);
CREATE INDEX person_areas_area_idx ON sawt.person_areas (area_id);

-- Registry changes are announced on channel 'sawt_registry' (payload: the
-- table name) so sawtd can refresh its cache.  Statement-level: one
-- notification per statement, and PostgreSQL folds identical ones within a
-- transaction, so an import of 10,000 rows sends a handful.
CREATE FUNCTION sawt.notify_registry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('sawt_registry', TG_TABLE_NAME);
	RETURN NULL;
END;
$$;

CREATE TRIGGER areas_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.areas FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER contests_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.contests FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER candidates_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.candidates FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER stations_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.stations FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER station_contests_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.station_contests FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER incident_codes_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.incident_codes FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER people_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.people FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER person_stations_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.person_stations FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
CREATE TRIGGER person_areas_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.person_areas FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();
