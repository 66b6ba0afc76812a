-- 0025_broadcasts.sql - coordinators' broadcasts to observers (issue 19,
-- docs/broadcasts.md): `sawt broadcast` picks the recipients with a filter
-- (role, area, stations, language, what the station has not reported yet,
-- open incidents), texts each in their language, copies the coordinators
-- of the areas concerned once each, and queues it all through the outbox
-- in one transaction, recorded here.

ALTER TABLE sawt.outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE sawt.outbox ADD CONSTRAINT outbox_kind_check
	CHECK (kind IN ('reply', 'alert', 'status', 'manual', 'broadcast'));

CREATE TABLE sawt.broadcasts (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	created_at      timestamptz NOT NULL DEFAULT now(),
	created_by      text NOT NULL,          -- cli:NAME
	filter          jsonb NOT NULL,         -- as given (docs/broadcasts.md)
	text_ar         text,
	text_en         text,
	text_fr         text,
	recipients      integer NOT NULL,       -- observers (or the role chosen)
	copies          integer NOT NULL,       -- coordinators copied
	CHECK (COALESCE(text_ar, text_en, text_fr) IS NOT NULL)
);

-- One row a person a broadcast: nobody gets a broadcast twice.
CREATE TABLE sawt.broadcast_recipients (
	broadcast_id    integer NOT NULL REFERENCES sawt.broadcasts(id) ON DELETE CASCADE,
	person_id       integer NOT NULL REFERENCES sawt.people(id),
	copy            boolean NOT NULL,       -- a coordinator's copy
	language        text NOT NULL CHECK (language IN ('ar', 'en', 'fr')),
	outbox_id       bigint NOT NULL REFERENCES sawt.outbox(id),
	PRIMARY KEY (broadcast_id, person_id)
);
CREATE INDEX broadcast_recipients_outbox_idx ON sawt.broadcast_recipients (outbox_id);

-- Does station p_station lack a counted report of what p_missing names
-- (opening, turnout, close, results) sent at or after p_since (NULL: ever)?
-- A close report gives the final turnout, so it counts as turnout too.
CREATE FUNCTION sawt.broadcast_missing(p_station integer, p_missing text,
	p_since timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT NOT EXISTS (
		SELECT 1 FROM sawt.reports r
		JOIN sawt.inbound_messages i ON i.id = r.inbound_id
		WHERE r.station_id = p_station
		  AND sawt.report_counts(r.outcome, r.review_state)
		  AND r.form = ANY (CASE p_missing
			WHEN 'opening' THEN ARRAY['open']
			WHEN 'turnout' THEN ARRAY['turnout', 'close']
			WHEN 'close' THEN ARRAY['close']
			WHEN 'results' THEN ARRAY['results'] END)
		  AND (p_since IS NULL OR COALESCE(i.smsc_time, i.received_at) >= p_since))
$$;

-- Has station p_station an open incident (reported, counted, its alerts
-- not all acknowledged, as analytics.incidents says "open")?
CREATE FUNCTION sawt.broadcast_open_incident(p_station integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (
		SELECT 1 FROM sawt.reports r
		WHERE r.station_id = p_station AND r.form = 'incident'
		  AND r.outcome <> 'rejected' AND r.superseded_by IS NULL
		  AND sawt.report_counts(r.outcome, r.review_state)
		  AND NOT COALESCE((SELECT bool_and(a.acknowledged_at IS NOT NULL)
			FROM sawt.alerts a WHERE a.report_id = r.id), false))
$$;

-- The text for language p_lang: its own, else the default language's,
-- else the first given in the order ar, en, fr.
CREATE FUNCTION sawt.broadcast_text(p_lang text, p_default text, p_ar text, p_en text,
	p_fr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT COALESCE(
		CASE p_lang WHEN 'ar' THEN p_ar WHEN 'en' THEN p_en WHEN 'fr' THEN p_fr END,
		CASE p_default WHEN 'ar' THEN p_ar WHEN 'en' THEN p_en WHEN 'fr' THEN p_fr END,
		p_ar, p_en, p_fr)
$$;

-- Who a broadcast reaches, and what each gets.  p_filter (jsonb): role
-- ("observers", default, or "coordinators"), area (a name or
-- Region/District path), stations (an array of codes), lang, missing
-- ("opening", "turnout", "close", "results"), since ("HH:MM" today in
-- timezone, with missing), timezone, open_incidents (true).  The stations in scope pass every
-- filter given; observers who cover one of them (bound to it, or to an
-- area holding it) are the recipients (each once); the coordinators whose
-- areas hold a recipient's station in scope get a
-- copy (once each; a coordinator with no area is national and is not
-- copied).  With role "coordinators" the recipients are the coordinators
-- whose areas hold a station in scope, and there are no copies.
CREATE FUNCTION sawt.broadcast_plan(p_election integer, p_filter jsonb, p_default_lang text,
	p_ar text, p_en text, p_fr text)
RETURNS TABLE (person_id integer, phone text, language text, body text, copy boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_role text := COALESCE(p_filter->>'role', 'observers');
	v_area integer;
	v_missing text := p_filter->>'missing';
	v_tz text := COALESCE(p_filter->>'timezone', current_setting('TimeZone'));
	v_since timestamptz;
	v_codes text[];
BEGIN
	IF v_role NOT IN ('observers', 'coordinators') THEN
		RAISE EXCEPTION 'invalid role "%"', v_role USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Give observers or coordinators.';
	END IF;
	IF v_missing IS NOT NULL AND v_missing NOT IN ('opening', 'turnout', 'close', 'results') THEN
		RAISE EXCEPTION 'invalid missing "%"', v_missing USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Give opening, turnout, close or results.';
	END IF;
	-- since: HH:MM today, in the election's time zone
	IF p_filter ? 'since' THEN
		v_since := ((now() AT TIME ZONE v_tz)::date + (p_filter->>'since')::time)
			AT TIME ZONE v_tz;
	END IF;
	IF p_filter ? 'area' THEN
		v_area := sawt.review_area(p_election, p_filter->>'area');
	END IF;
	IF p_filter ? 'stations' THEN
		SELECT array_agg(x) INTO v_codes FROM jsonb_array_elements_text(p_filter->'stations') x;
		PERFORM 1 FROM unnest(v_codes) c
		WHERE NOT EXISTS (SELECT 1 FROM sawt.stations s
			WHERE s.election_id = p_election AND s.code = c);
		IF FOUND THEN
			RAISE EXCEPTION 'station "%" does not exist',
				(SELECT c FROM unnest(v_codes) c WHERE NOT EXISTS (SELECT 1 FROM sawt.stations s
					WHERE s.election_id = p_election AND s.code = c) LIMIT 1)
				USING ERRCODE = 'no_data_found';
		END IF;
	END IF;
	RETURN QUERY
	WITH scope AS (
		SELECT s.id, s.area_id FROM sawt.stations s
		WHERE s.election_id = p_election
		  AND (v_area IS NULL OR EXISTS (SELECT 1 FROM sawt.analytics_station_areas sa
			WHERE sa.station_id = s.id AND sa.area_id = v_area))
		  AND (v_codes IS NULL OR s.code = ANY (v_codes))
		  AND (v_missing IS NULL OR sawt.broadcast_missing(s.id, v_missing, v_since))
		  AND (NOT COALESCE((p_filter->>'open_incidents')::boolean, false)
			OR sawt.broadcast_open_incident(s.id))
	),
	-- the stations each person covers: bound to them, or in their areas
	covers AS (
		SELECT ps.person_id, ps.station_id FROM sawt.person_stations ps
		JOIN scope ON scope.id = ps.station_id
		UNION
		SELECT pa.person_id, sa.station_id FROM sawt.person_areas pa
		JOIN sawt.analytics_station_areas sa ON sa.area_id = pa.area_id
		JOIN scope ON scope.id = sa.station_id
	),
	-- observers of stations in scope, or coordinators over them
	main AS (
		SELECT DISTINCT pe.id, pe.phone,
			COALESCE(pe.language, p_default_lang) AS lang
		FROM sawt.people pe
		WHERE pe.election_id = p_election
		  AND pe.role = CASE v_role WHEN 'observers' THEN 'observer' ELSE 'coordinator' END
		  AND EXISTS (SELECT 1 FROM covers c WHERE c.person_id = pe.id)
	),
	main_lang AS (
		SELECT * FROM main WHERE p_filter->>'lang' IS NULL OR main.lang = p_filter->>'lang'
	),
	-- the coordinators over the stations of the observers reached
	copies AS (
		SELECT DISTINCT pe.id, pe.phone, COALESCE(pe.language, p_default_lang) AS lang
		FROM main_lang m
		JOIN covers mc ON mc.person_id = m.id
		JOIN covers cc ON cc.station_id = mc.station_id
		JOIN sawt.people pe ON pe.id = cc.person_id
		WHERE v_role = 'observers' AND pe.role = 'coordinator'
		  AND pe.id NOT IN (SELECT id FROM main_lang)
	)
	SELECT m.id, m.phone, m.lang,
		sawt.broadcast_text(m.lang, p_default_lang, p_ar, p_en, p_fr), false
	FROM main_lang m
	UNION ALL
	SELECT c.id, c.phone, c.lang,
		sawt.broadcast_text(c.lang, p_default_lang, p_ar, p_en, p_fr), true
	FROM copies c;
END;
$$;

-- Queue a broadcast: the plan above, one outbox row a recipient (kind
-- broadcast, the priority of replies), recorded in sawt.broadcasts and
-- sawt.broadcast_recipients; all or nothing.  Returns the broadcast's id
-- and counts, or NULLs when the filter reaches nobody (nothing is
-- recorded then).
CREATE FUNCTION sawt.broadcast_send(p_election integer, p_filter jsonb, p_default_lang text,
	p_ar text, p_en text, p_fr text, p_by text,
	OUT id integer, OUT recipients integer, OUT copies integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_id integer;
BEGIN
	CREATE TEMP TABLE broadcast_plan_rows ON COMMIT DROP AS
	SELECT * FROM sawt.broadcast_plan(p_election, p_filter, p_default_lang, p_ar, p_en, p_fr);
	IF NOT EXISTS (SELECT 1 FROM broadcast_plan_rows) THEN
		DROP TABLE broadcast_plan_rows;
		RETURN;
	END IF;
	INSERT INTO sawt.broadcasts (election_id, created_by, filter, text_ar, text_en, text_fr,
		recipients, copies)
	SELECT p_election, p_by, p_filter, p_ar, p_en, p_fr,
		count(*) FILTER (WHERE NOT copy), count(*) FILTER (WHERE copy)
	FROM broadcast_plan_rows
	RETURNING sawt.broadcasts.id, sawt.broadcasts.recipients, sawt.broadcasts.copies
	INTO v_id, recipients, copies;
	id := v_id;
	WITH q AS (
		INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id)
		SELECT phone, body, 2, 'broadcast', person_id FROM broadcast_plan_rows
		ORDER BY copy, person_id
		RETURNING sawt.outbox.id, sawt.outbox.person_id
	)
	INSERT INTO sawt.broadcast_recipients (broadcast_id, person_id, copy, language, outbox_id)
	SELECT v_id, q.person_id, pr.copy, pr.language, q.id
	FROM q JOIN broadcast_plan_rows pr ON pr.person_id = q.person_id;
	DROP TABLE broadcast_plan_rows;
END;
$$;

-- For analysts: each broadcast with its filter, texts and what became of
-- its messages.  No phone number, name or PIN.
CREATE VIEW analytics.broadcasts WITH (security_barrier) AS
SELECT b.id AS broadcast_id, e.name AS election, b.created_at, b.filter,
	b.text_ar, b.text_en, b.text_fr, b.recipients AS people_reached,
	b.copies AS coordinator_copies,
	count(o.id) FILTER (WHERE o.state = 'queued') AS queued,
	count(o.id) FILTER (WHERE o.state = 'sending') AS sending,
	count(o.id) FILTER (WHERE o.state = 'sent') AS sent,
	count(o.id) FILTER (WHERE o.state = 'delivered') AS delivered,
	count(o.id) FILTER (WHERE o.state = 'failed') AS failed
FROM sawt.broadcasts b
JOIN sawt.elections e ON e.id = b.election_id
LEFT JOIN sawt.broadcast_recipients br ON br.broadcast_id = b.id
LEFT JOIN sawt.outbox o ON o.id = br.outbox_id
GROUP BY b.id, e.name;

GRANT SELECT ON analytics.broadcasts TO sawt_analyst;
