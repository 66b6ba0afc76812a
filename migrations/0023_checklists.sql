-- 0023_checklists.sql - observation checklists the network defines (issue 22).
--
-- A form (OP, CL, ...) belongs to an election and has versions: each
-- `sawt import checklists` that changes a form's definition adds a version
-- and makes it current; an unchanged form keeps its version.  A version
-- keeps its canonical definition (the CSV lines checklist_form_canonical()
-- writes, which sawtd reads back with checklist_set_parse()) and, for SQL,
-- its questions and options.  Versions are never changed nor deleted, so a
-- report keeps the version it was answered against.

CREATE TABLE sawt.checklist_forms (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	code            text NOT NULL CHECK (code ~ '^[A-Z]{2,3}$'),
	current_version integer,
	created_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (election_id, code)
);

CREATE TABLE sawt.checklist_versions (
	form_id         integer NOT NULL REFERENCES sawt.checklist_forms(id),
	version         integer NOT NULL CHECK (version >= 1),
	definition      text NOT NULL,  -- canonical CSV lines, without the header
	alias_ar        text,
	alias_fr        text,
	title_ar        text,
	title_en        text,
	title_fr        text,
	window_from     time,
	window_to       time,
	imported_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (form_id, version)
);

CREATE TABLE sawt.checklist_questions (
	form_id         integer NOT NULL,
	version         integer NOT NULL,
	position        smallint NOT NULL,  -- order in the file, from 1
	code            text NOT NULL CHECK (code ~ '^[A-HJKMNP-Z]{1,2}$'),
	type            text NOT NULL
		CHECK (type IN ('integer', 'yesno', 'choice', 'multi', 'text')),
	min_value       integer,
	max_value       integer,
	required        boolean NOT NULL,
	grp             smallint NOT NULL CHECK (grp BETWEEN 1 AND 9),
	label_ar        text,
	label_en        text,
	label_fr        text,
	PRIMARY KEY (form_id, version, code),
	FOREIGN KEY (form_id, version) REFERENCES sawt.checklist_versions
);

CREATE TABLE sawt.checklist_options (
	form_id         integer NOT NULL,
	version         integer NOT NULL,
	question        text NOT NULL,
	option          smallint NOT NULL CHECK (option BETWEEN 1 AND 9),
	label_ar        text,
	label_en        text,
	label_fr        text,
	PRIMARY KEY (form_id, version, question, option),
	FOREIGN KEY (form_id, version, question) REFERENCES sawt.checklist_questions
);

-- Import the forms of one file: p_forms is a JSON array written by
-- store_checklist.c, one object per form: code, definition (canonical
-- text), alias_ar, alias_fr, title_ar/en/fr, window_from, window_to
-- ("HH:MM" or null) and questions [{code, type, min, max, required, group,
-- label_ar/en/fr, options [{option, label_ar/en/fr}]}].  A form whose
-- definition equals its current version's is left as it is; any other
-- gets a new version, made current.  Returns one row a form: its code, its
-- current version and what happened ('new', 'changed', 'unchanged').
CREATE FUNCTION sawt.checklist_import(p_election integer, p_forms jsonb)
RETURNS TABLE (code text, version integer, outcome text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	f jsonb;
	q jsonb;
	o jsonb;
	fid integer;
	cur integer;
	curdef text;
	pos integer;
BEGIN
	FOR f IN SELECT * FROM jsonb_array_elements(p_forms) LOOP
		INSERT INTO sawt.checklist_forms AS cf (election_id, code)
		VALUES (p_election, f->>'code')
		ON CONFLICT (election_id, code) DO UPDATE SET code = EXCLUDED.code
		RETURNING cf.id, cf.current_version INTO fid, cur;
		curdef := NULL;
		IF cur IS NOT NULL THEN
			SELECT v.definition INTO curdef FROM sawt.checklist_versions v
			WHERE v.form_id = fid AND v.version = cur;
		END IF;
		IF curdef IS NOT DISTINCT FROM f->>'definition' THEN
			code := f->>'code'; version := cur; outcome := 'unchanged';
			RETURN NEXT;
			CONTINUE;
		END IF;
		version := COALESCE(cur, 0) + 1;
		INSERT INTO sawt.checklist_versions (form_id, version, definition, alias_ar, alias_fr,
			title_ar, title_en, title_fr, window_from, window_to)
		VALUES (fid, version, f->>'definition', f->>'alias_ar', f->>'alias_fr',
			f->>'title_ar', f->>'title_en', f->>'title_fr',
			(f->>'window_from')::time, (f->>'window_to')::time);
		pos := 0;
		FOR q IN SELECT * FROM jsonb_array_elements(f->'questions') LOOP
			pos := pos + 1;
			INSERT INTO sawt.checklist_questions (form_id, version, position, code, type,
				min_value, max_value, required, grp, label_ar, label_en, label_fr)
			VALUES (fid, version, pos, q->>'code', q->>'type', (q->>'min')::integer,
				(q->>'max')::integer, (q->>'required')::boolean, (q->>'group')::smallint,
				q->>'label_ar', q->>'label_en', q->>'label_fr');
			FOR o IN SELECT * FROM jsonb_array_elements(q->'options') LOOP
				INSERT INTO sawt.checklist_options (form_id, version, question, option,
					label_ar, label_en, label_fr)
				VALUES (fid, version, q->>'code', (o->>'option')::smallint,
					o->>'label_ar', o->>'label_en', o->>'label_fr');
			END LOOP;
		END LOOP;
		UPDATE sawt.checklist_forms SET current_version = version WHERE id = fid;
		code := f->>'code';
		outcome := CASE WHEN cur IS NULL THEN 'new' ELSE 'changed' END;
		RETURN NEXT;
	END LOOP;
END;
$$;

-- The current definitions sawtd loads: the canonical lines of every form's
-- current version, with the form's code and version.
CREATE VIEW sawt.checklist_current AS
SELECT f.election_id, f.code, v.version, v.definition
FROM sawt.checklist_forms f
JOIN sawt.checklist_versions v ON v.form_id = f.id AND v.version = f.current_version;

-- Answers: one row per question a stored checklist message answered well
-- (partial saves: a message's wrong answers are not stored, its good ones
-- are).  Keyed by the message's dedup key, so a message delivered again
-- stores nothing twice.  Written in the transaction of sawt.ingest_batch()
-- by sawt.checklist_ingest() (src/store/ingest.c), from the "checklist"
-- member of each record (src/core/decide_json.c).
CREATE TABLE sawt.checklist_answers (
	dedup_key       bytea NOT NULL,
	question        text NOT NULL,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	form            text NOT NULL,
	version         integer NOT NULL,
	station_id      integer NOT NULL REFERENCES sawt.stations(id),
	person_id       integer REFERENCES sawt.people(id),
	value           integer,      -- integer, yesno (1 yes, 2 no), choice
	options         smallint[],   -- multi: the options chosen
	text_value      text,         -- text
	sent_at         timestamptz NOT NULL,
	received_at     timestamptz NOT NULL,
	PRIMARY KEY (dedup_key, question)
);
CREATE INDEX checklist_answers_station_idx
	ON sawt.checklist_answers (station_id, form, question, sent_at DESC);

-- The current answer of each station to each question: the newest by send
-- time (a later message completes or corrects the checklist; one sent
-- earlier but arriving later does not undo a newer answer).
CREATE VIEW sawt.checklist_current_answers AS
SELECT DISTINCT ON (a.station_id, a.form, a.question) a.*
FROM sawt.checklist_answers a
ORDER BY a.station_id, a.form, a.question, a.sent_at DESC, a.received_at DESC, a.dedup_key;

CREATE FUNCTION sawt.checklist_ingest(p_election integer, p_batch jsonb)
RETURNS boolean
LANGUAGE sql AS $$
	INSERT INTO sawt.checklist_answers (dedup_key, question, election_id, form, version,
		station_id, person_id, value, options, text_value, sent_at, received_at)
	SELECT decode(b->>'dkey', 'hex'), a->>'q', p_election, b->'checklist'->>'form',
		(b->'checklist'->>'version')::integer, (b->'checklist'->>'station')::integer,
		(b->>'person')::integer, (a->>'v')::integer,
		CASE WHEN a ? 'o' THEN ARRAY(SELECT jsonb_array_elements_text(a->'o')::smallint) END,
		a->>'t', to_timestamp((b->>'sent')::bigint),
		to_timestamp((b->>'recv_ms')::bigint / 1000.0)
	FROM jsonb_array_elements(p_batch) b,
	     jsonb_array_elements(b->'checklist'->'answers') a
	WHERE b ? 'checklist'
	ON CONFLICT DO NOTHING;
	SELECT true;
$$;

-- ---- analysts' views (docs/analysts.md) ---------------------------------

-- The current answer of each station to each question of each form,
-- pseudonymised: the observer as their pseudonym, text answers through
-- analytics.mask_private (no phone number, no PIN).
CREATE VIEW analytics.checklist_answers WITH (security_barrier) AS
SELECT e.name AS election, a.form, a.version, s.code AS station, sp.region, sp.district,
	a.question, x.type, a.value, a.options,
	analytics.mask_private(a.text_value) AS text_value,
	pe.pseudonym AS observer, a.sent_at
FROM sawt.checklist_current_answers a
JOIN sawt.elections e ON e.id = a.election_id
JOIN sawt.stations s ON s.id = a.station_id
LEFT JOIN sawt.analytics_station_place sp ON sp.station_id = a.station_id
LEFT JOIN sawt.people pe ON pe.id = a.person_id
LEFT JOIN sawt.checklist_forms f ON f.election_id = a.election_id AND f.code = a.form
LEFT JOIN sawt.checklist_questions x ON x.form_id = f.id AND x.version = a.version
	AND x.code = a.question
ORDER BY e.name, a.form, s.code, a.question;

-- Per area (every level, and the whole election) and question of each
-- form's current version: the stations in the area, those that reported
-- the form (any current answer) and those missing; the stations that
-- answered the question; for yes/no, choice and multi questions one row
-- per option with its count and share of those answers (yes/no: option 1
-- is yes, 2 no; multi: a station counts once for each option it chose, so
-- shares may add up to more than 100); for integers the mean, min and max.
CREATE VIEW analytics.checklist_summary WITH (security_barrier) AS
WITH q AS (
	SELECT f.election_id, f.id AS form_id, f.code AS form, f.current_version AS version,
		x.code AS question, x.type, x.position
	FROM sawt.checklist_forms f
	JOIN sawt.checklist_questions x ON x.form_id = f.id AND x.version = f.current_version
), b AS (
	SELECT q.*, o.option, o.label_en, o.label_ar, o.label_fr
	FROM q CROSS JOIN LATERAL (
		SELECT 1 AS option, 'yes' AS label_en, 'نعم' AS label_ar, 'oui' AS label_fr
		WHERE q.type = 'yesno'
		UNION ALL SELECT 2, 'no', 'لا', 'non' WHERE q.type = 'yesno'
		UNION ALL SELECT co.option, co.label_en, co.label_ar, co.label_fr
		FROM sawt.checklist_options co
		WHERE co.form_id = q.form_id AND co.version = q.version AND co.question = q.question
		UNION ALL SELECT NULL, NULL, NULL, NULL WHERE q.type IN ('integer', 'text')) o
), tot AS (
	SELECT gs.election_id, gs.gkey, count(*) AS total
	FROM sawt.analytics_group_stations gs GROUP BY gs.election_id, gs.gkey
), rep AS (
	SELECT gs.election_id, gs.gkey, a.form, count(DISTINCT a.station_id) AS reported
	FROM sawt.analytics_group_stations gs
	JOIN sawt.checklist_current_answers a ON a.station_id = gs.station_id
	GROUP BY gs.election_id, gs.gkey, a.form
), ans AS (
	SELECT gs.election_id, gs.gkey, a.form, a.question, count(*) AS answered,
		avg(a.value) AS mean, min(a.value) AS min, max(a.value) AS max
	FROM sawt.analytics_group_stations gs
	JOIN sawt.checklist_current_answers a ON a.station_id = gs.station_id
	GROUP BY gs.election_id, gs.gkey, a.form, a.question
), opt AS (
	SELECT gs.election_id, gs.gkey, a.form, a.question, o.option, count(*) AS n
	FROM sawt.analytics_group_stations gs
	JOIN sawt.checklist_current_answers a ON a.station_id = gs.station_id
	CROSS JOIN LATERAL (SELECT a.value WHERE a.options IS NULL
			    UNION ALL SELECT unnest(a.options)::integer) o (option)
	WHERE o.option IS NOT NULL
	GROUP BY gs.election_id, gs.gkey, a.form, a.question, o.option
)
SELECT e.name AS election, g.area, g.level, g.parent, g.depth, b.form, b.version,
	b.question, b.type, b.option, b.label_en, b.label_ar, b.label_fr,
	COALESCE(t.total, 0) AS stations_total,
	COALESCE(r.reported, 0) AS stations_reported,
	COALESCE(t.total, 0) - COALESCE(r.reported, 0) AS stations_missing,
	COALESCE(n.answered, 0) AS answered,
	CASE WHEN b.option IS NOT NULL THEN COALESCE(o.n, 0) END AS count,
	CASE WHEN b.option IS NOT NULL
		THEN round(100.0 * COALESCE(o.n, 0) / NULLIF(n.answered, 0), 1) END AS share,
	CASE WHEN b.type = 'integer' THEN round(n.mean, 2) END AS mean,
	CASE WHEN b.type = 'integer' THEN n.min END AS min,
	CASE WHEN b.type = 'integer' THEN n.max END AS max
FROM sawt.analytics_groups g
JOIN sawt.elections e ON e.id = g.election_id
JOIN b ON b.election_id = g.election_id
LEFT JOIN tot t ON t.election_id = g.election_id AND t.gkey = g.gkey
LEFT JOIN rep r ON r.election_id = g.election_id AND r.gkey = g.gkey AND r.form = b.form
LEFT JOIN ans n ON n.election_id = g.election_id AND n.gkey = g.gkey AND n.form = b.form
	AND n.question = b.question
LEFT JOIN opt o ON o.election_id = g.election_id AND o.gkey = g.gkey AND o.form = b.form
	AND o.question = b.question AND o.option = b.option
ORDER BY e.name, g.depth, g.parent NULLS FIRST, g.area, b.form, b.position, b.option;

GRANT SELECT ON analytics.checklist_answers, analytics.checklist_summary TO sawt_analyst;
