-- 0022_web.sql - the coordinators' election-day page (issue 18; docs/web.md).
--
-- A coordinator signs in with the phone number they are registered with
-- and a one-time code that sawt texts to it (sawt.web_codes); the code
-- buys a session (sawt.web_sessions), kept in a cookie.  Codes and
-- session tokens are stored as SHA-256 digests only: a copy of the
-- database signs nobody in.  The figures the page shows come from the
-- functions below, scoped to the coordinator's areas (national
-- coordinators, who cover no area, see the whole election), as JSON built
-- here so that the daemon passes it through.  No function returns a phone
-- number.

CREATE TABLE sawt.web_codes (
	id              bigserial PRIMARY KEY,
	person_id       integer NOT NULL REFERENCES sawt.people(id) ON DELETE CASCADE,
	code_hash       text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
	created_at      timestamptz NOT NULL DEFAULT now(),
	expires_at      timestamptz NOT NULL,
	attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	used_at         timestamptz
);
CREATE INDEX web_codes_person_idx ON sawt.web_codes (person_id, id);
COMMENT ON TABLE sawt.web_codes IS 'one-time sign-in codes texted to coordinators (digests only)';

CREATE TABLE sawt.web_sessions (
	token_hash      text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	person_id       integer NOT NULL REFERENCES sawt.people(id) ON DELETE CASCADE,
	created_at      timestamptz NOT NULL DEFAULT now(),
	expires_at      timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_idx ON sawt.web_sessions (expires_at);
COMMENT ON TABLE sawt.web_sessions IS 'signed-in page sessions (digests of the cookie tokens)';

-- Incidents newest first, per election.
CREATE INDEX IF NOT EXISTS reports_web_incident_idx ON sawt.reports (election_id, id DESC)
	WHERE form = 'incident';

-- What the page shows of each station, kept up to date from the reports
-- (the analytics views compute it from every report at each read, too slow
-- for the page's first screen on an election day): whether its current
-- reports include each form, when the first standing report of each form
-- arrived, and its turnout figure as sawt.analytics_turnout picks it (the
-- newest close report giving voters, else the newest turnout report);
-- reports count as sawt.report_counts() says (0019_review.sql: not
-- rejected, not quarantined), as in sawt.analytics_current.
CREATE TABLE sawt.web_station_facts (
	station_id      integer PRIMARY KEY REFERENCES sawt.stations(id) ON DELETE CASCADE,
	opened_at       timestamptz,
	turnout_at      timestamptz,
	closed_at       timestamptz,
	results_at      timestamptz,
	voters          integer,
	women           integer
);
COMMENT ON TABLE sawt.web_station_facts IS 'per station, what the page shows (kept from sawt.reports by triggers)';

CREATE FUNCTION sawt.web_facts_refresh(p_stations integer[]) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM sawt.web_station_facts f USING unnest(p_stations) u (id)
	WHERE f.station_id = u.id;
	WITH r AS (
		SELECT r.id, r.station_id, r.form, r.voters, r.women, im.received_at
		FROM unnest(p_stations) u (id)
		JOIN sawt.reports r ON r.station_id = u.id
		JOIN sawt.inbound_messages im ON im.id = r.inbound_id
		WHERE sawt.report_counts(r.outcome, r.review_state)
		  AND r.superseded_by IS NULL
		  AND r.form IN ('open', 'turnout', 'close', 'results')
	),
	per_form AS (
		SELECT DISTINCT ON (station_id, form) station_id, form, voters, women
		FROM r WHERE form IN ('turnout', 'close')
		ORDER BY station_id, form, id DESC
	),
	t AS (
		SELECT DISTINCT ON (station_id) station_id, voters, women
		FROM per_form WHERE voters IS NOT NULL
		ORDER BY station_id, (form = 'close') DESC
	)
	INSERT INTO sawt.web_station_facts
	SELECT r.station_id,
		min(r.received_at) FILTER (WHERE r.form = 'open'),
		min(r.received_at) FILTER (WHERE r.form = 'turnout'),
		min(r.received_at) FILTER (WHERE r.form = 'close'),
		min(r.received_at) FILTER (WHERE r.form = 'results'),
		max(t.voters), max(t.women)
	FROM r LEFT JOIN t ON t.station_id = r.station_id
	GROUP BY r.station_id;
$$;

CREATE FUNCTION sawt.web_facts_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM sawt.web_facts_refresh(ARRAY(
		SELECT DISTINCT station_id FROM new_rows WHERE station_id IS NOT NULL));
	RETURN NULL;
END;
$$;
CREATE FUNCTION sawt.web_facts_old() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM sawt.web_facts_refresh(ARRAY(
		SELECT DISTINCT station_id FROM old_rows WHERE station_id IS NOT NULL));
	RETURN NULL;
END;
$$;
CREATE TRIGGER reports_web_facts_insert AFTER INSERT ON sawt.reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_facts_new();
CREATE TRIGGER reports_web_facts_update AFTER UPDATE ON sawt.reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_facts_new();
CREATE TRIGGER reports_web_facts_delete AFTER DELETE ON sawt.reports
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_facts_old();
SELECT sawt.web_facts_refresh(ARRAY(SELECT id FROM sawt.stations));

CREATE FUNCTION sawt.web_digest(p text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT encode(sha256(convert_to(p, 'UTF8')), 'hex')
$$;

-- Start a sign-in: when p_phone is a registered coordinator's, store the
-- code's digest (valid p_ttl_s seconds) and queue the text of the
-- coordinator's language (p_bodies: ar, en, fr) at priority 0.  At most
-- one code a minute per coordinator: a request within the minute queues
-- nothing.  Returns 'sent', 'recent' or 'unknown'; the caller answers the
-- same in every case (the page does not tell who is registered).
CREATE FUNCTION sawt.web_code_request(p_phone text, p_code text, p_bodies text[],
	p_ttl_s integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_person sawt.people%ROWTYPE;
	v_body text;
BEGIN
	SELECT * INTO v_person FROM sawt.people
	WHERE phone = p_phone AND role = 'coordinator'
	ORDER BY election_id DESC LIMIT 1;
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	PERFORM 1 FROM sawt.web_codes
	WHERE person_id = v_person.id AND created_at > now() - interval '1 minute'
	FOR UPDATE;
	IF FOUND THEN
		RETURN 'recent';
	END IF;
	-- a new code voids the earlier ones
	UPDATE sawt.web_codes SET used_at = now()
	WHERE person_id = v_person.id AND used_at IS NULL;
	INSERT INTO sawt.web_codes (person_id, code_hash, expires_at)
	VALUES (v_person.id, sawt.web_digest(p_code), now() + make_interval(secs => p_ttl_s));
	v_body := CASE COALESCE(v_person.language, 'ar')
		WHEN 'en' THEN p_bodies[2] WHEN 'fr' THEN p_bodies[3] ELSE p_bodies[1] END;
	INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id)
	VALUES (v_person.phone, v_body, 0, 'manual', v_person.id);
	RETURN 'sent';
END;
$$;

-- Finish a sign-in: check p_code against the newest code of p_phone's
-- coordinator.  A code works once, until it expires, and for at most
-- p_max_attempts tries (wrong ones count).  On success the session
-- p_token (its digest) is stored for p_session_s seconds.  Returns 'ok',
-- 'wrong', 'locked', 'expired' or 'none' (no code outstanding).
CREATE FUNCTION sawt.web_code_verify(p_phone text, p_code text, p_token text,
	p_max_attempts integer, p_session_s integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_code sawt.web_codes%ROWTYPE;
BEGIN
	SELECT c.* INTO v_code FROM sawt.web_codes c
	JOIN sawt.people p ON p.id = c.person_id
	WHERE p.phone = p_phone AND p.role = 'coordinator'
	ORDER BY c.id DESC LIMIT 1 FOR UPDATE OF c;
	IF NOT FOUND OR v_code.used_at IS NOT NULL THEN
		RETURN 'none';
	END IF;
	IF v_code.attempts >= p_max_attempts THEN
		RETURN 'locked';
	END IF;
	IF v_code.expires_at <= now() THEN
		RETURN 'expired';
	END IF;
	IF v_code.code_hash <> sawt.web_digest(p_code) THEN
		UPDATE sawt.web_codes SET attempts = attempts + 1 WHERE id = v_code.id;
		RETURN CASE WHEN v_code.attempts + 1 >= p_max_attempts THEN 'locked' ELSE 'wrong' END;
	END IF;
	UPDATE sawt.web_codes SET used_at = now(), attempts = attempts + 1 WHERE id = v_code.id;
	DELETE FROM sawt.web_sessions WHERE expires_at <= now();
	INSERT INTO sawt.web_sessions (token_hash, person_id, expires_at)
	VALUES (sawt.web_digest(p_token), v_code.person_id,
		now() + make_interval(secs => p_session_s));
	RETURN 'ok';
END;
$$;

-- The coordinator of a live session, NULL when there is none.
CREATE FUNCTION sawt.web_session_person(p_token text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT person_id FROM sawt.web_sessions
	WHERE token_hash = sawt.web_digest(p_token) AND expires_at > now()
$$;

CREATE FUNCTION sawt.web_logout(p_token text) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM sawt.web_sessions WHERE token_hash = sawt.web_digest(p_token)
$$;

-- The areas the session may see as roots: p_area when given (an error
-- 42501 when it lies outside the coordinator's areas or election), else
-- the coordinator's own areas; NULL for a national coordinator without
-- p_area (the whole election).
CREATE FUNCTION sawt.web_roots(p_person integer, p_area integer) RETURNS integer[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_election integer;
	v_own integer[];
BEGIN
	SELECT election_id INTO v_election FROM sawt.people
	WHERE id = p_person AND role = 'coordinator';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such coordinator' USING ERRCODE = '42501';
	END IF;
	SELECT array_agg(area_id) INTO v_own FROM sawt.person_areas WHERE person_id = p_person;
	IF p_area IS NULL THEN
		RETURN v_own;
	END IF;
	IF NOT EXISTS (
		SELECT 1 FROM sawt.areas a
		JOIN sawt.analytics_area_ancestors aa ON aa.area_id = a.id
		WHERE a.id = p_area AND a.election_id = v_election
		  AND (v_own IS NULL OR aa.ancestors && v_own)) THEN
		RAISE EXCEPTION 'area % is outside the areas of the session', p_area
			USING ERRCODE = '42501';
	END IF;
	RETURN ARRAY[p_area];
END;
$$;

-- Who is signed in: a pseudonymous summary (never the phone number).
CREATE FUNCTION sawt.web_me(p_person integer) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'language', COALESCE(p.language, 'ar'),
		'election', e.name,
		'national', NOT EXISTS (SELECT 1 FROM sawt.person_areas WHERE person_id = p.id),
		'areas', COALESCE((SELECT json_agg(json_build_object('id', a.id, 'name', a.name)
				ORDER BY a.name)
			FROM sawt.person_areas pa JOIN sawt.areas a ON a.id = pa.area_id
			WHERE pa.person_id = p.id), '[]'::json))
	FROM sawt.people p JOIN sawt.elections e ON e.id = p.election_id
	WHERE p.id = p_person
$$;

-- Reporting progress and turnout per area shown: the children of p_area,
-- or the session's root areas (the regions for a national coordinator).
-- Rates as analytics.area_turnout computes them.
CREATE FUNCTION sawt.web_areas(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	WITH shown AS (
		SELECT a.id, a.name, a.depth FROM sawt.areas a
		WHERE a.election_id = v_election AND CASE
			WHEN p_area IS NOT NULL THEN a.parent_id = p_area
			WHEN v_roots IS NULL THEN a.parent_id IS NULL
			ELSE a.id = ANY (v_roots) END
	),
	st AS (
		SELECT sh.id AS gid, s.id AS station_id, s.registered, s.registered_women
		FROM shown sh
		JOIN sawt.analytics_station_areas sa ON sa.area_id = sh.id
		JOIN sawt.stations s ON s.id = sa.station_id
	),
	agg AS (
		SELECT st.gid, count(*) AS stations_total,
			count(t.opened_at) AS opened,
			count(*) FILTER (WHERE t.turnout_at IS NOT NULL OR t.closed_at IS NOT NULL)
				AS with_turnout,
			count(t.closed_at) AS closed,
			count(t.results_at) AS with_results,
			count(t.voters) AS stations_reporting,
			sum(st.registered) AS registered,
			sum(st.registered) FILTER (WHERE t.voters IS NOT NULL) AS registered_reporting,
			sum(t.voters) AS voters, sum(t.women) AS women,
			sum(t.voters) FILTER (WHERE t.women IS NOT NULL) AS voters_w,
			sum(st.registered_women) FILTER (WHERE t.women IS NOT NULL) AS registered_women_w
		FROM st
		LEFT JOIN sawt.web_station_facts t ON t.station_id = st.station_id
		GROUP BY st.gid
	)
	SELECT COALESCE(json_agg(json_build_object(
		'id', sh.id, 'name', sh.name, 'depth', sh.depth,
		'has_children', EXISTS (SELECT 1 FROM sawt.areas k WHERE k.parent_id = sh.id),
		'stations_total', COALESCE(a.stations_total, 0),
		'opened', COALESCE(a.opened, 0),
		'with_turnout', COALESCE(a.with_turnout, 0),
		'closed', COALESCE(a.closed, 0),
		'with_results', COALESCE(a.with_results, 0),
		'stations_reporting', COALESCE(a.stations_reporting, 0),
		'registered', COALESCE(a.registered, 0),
		'voters', COALESCE(a.voters, 0),
		'women', a.women,
		'turnout_pct', round(100.0 * a.voters / NULLIF(a.registered_reporting, 0), 1),
		'women_share', round(100.0 * a.women / NULLIF(a.voters_w, 0), 1),
		'women_turnout_pct', round(100.0 * a.women / NULLIF(a.registered_women_w, 0), 1))
		ORDER BY sh.name), '[]'::json)
	INTO v_out
	FROM shown sh LEFT JOIN agg a ON a.gid = sh.id;
	RETURN v_out;
END;
$$;

-- Incidents in the session's areas (or under p_area), newest first, at
-- most 500, their text with phone numbers masked (analytics.incidents).
CREATE FUNCTION sawt.web_incidents(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	-- the columns of analytics.incidents, for the 500 newest only
	WITH r AS (
		SELECT r.id, r.inbound_id, r.station_id, r.incident_code, r.text
		FROM sawt.reports r
		WHERE r.election_id = v_election AND r.form = 'incident'
		  AND r.outcome <> 'rejected' AND r.superseded_by IS NULL
		  AND (v_roots IS NULL OR r.station_id IN (
			SELECT station_id FROM sawt.web_stations(v_election, v_roots)))
		ORDER BY r.id DESC LIMIT 500
	)
	SELECT COALESCE(json_agg(json_build_object(
		'id', r.id, 'reported_at', im.received_at,
		'station_code', s.code, 'station_name', s.name,
		'region', pl.region, 'district', pl.district, 'code', r.incident_code,
		'severity', ic.severity,
		'incident', COALESCE(ic.name_en, ic.name_fr, ic.name_ar),
		'incident_ar', ic.name_ar, 'incident_fr', ic.name_fr,
		'text', analytics.mask_phones(r.text),
		'open', NOT COALESCE((SELECT bool_and(al.acknowledged_at IS NOT NULL)
			FROM sawt.alerts al WHERE al.report_id = r.id), false))
		ORDER BY r.id DESC), '[]'::json)
	INTO v_out
	FROM r
	JOIN sawt.inbound_messages im ON im.id = r.inbound_id
	LEFT JOIN sawt.stations s ON s.id = r.station_id
	-- region and district among the station's area and the two above it
	LEFT JOIN sawt.areas a1 ON a1.id = s.area_id
	LEFT JOIN sawt.areas a2 ON a2.id = a1.parent_id
	LEFT JOIN sawt.areas a3 ON a3.id = a2.parent_id
	CROSS JOIN LATERAL (SELECT
		CASE 1 WHEN a1.depth THEN a1.name WHEN a2.depth THEN a2.name
			WHEN a3.depth THEN a3.name END AS region,
		CASE 2 WHEN a1.depth THEN a1.name WHEN a2.depth THEN a2.name
			WHEN a3.depth THEN a3.name END AS district) pl
	LEFT JOIN sawt.incident_codes ic
		ON ic.election_id = v_election AND ic.code = r.incident_code;
	RETURN v_out;
END;
$$;

-- The stations the session may see under v_roots (NULL: every station of
-- the election).
CREATE FUNCTION sawt.web_stations(p_election integer, p_roots integer[])
RETURNS TABLE (station_id integer)
LANGUAGE sql STABLE AS $$
	SELECT s.id FROM sawt.stations s
	WHERE s.election_id = p_election AND p_roots IS NULL
	UNION
	SELECT sa.station_id FROM sawt.analytics_station_areas sa
	WHERE p_roots IS NOT NULL AND sa.area_id = ANY (p_roots)
$$;

-- True when alert p_alert is one the session may see: about a station or
-- area under v_roots; alerts about no place (operations) only for
-- national coordinators.
CREATE FUNCTION sawt.web_alert_visible(p_alert bigint, p_election integer, p_roots integer[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (
		SELECT 1 FROM sawt.alerts a
		LEFT JOIN sawt.stations s ON s.id = a.station_id
		LEFT JOIN sawt.analytics_area_ancestors aa
			ON aa.area_id = COALESCE(a.area_id, s.area_id)
		WHERE a.id = p_alert
		  AND COALESCE(a.election_id, s.election_id, p_election) = p_election
		  AND (p_roots IS NULL OR aa.ancestors && p_roots))
$$;

-- Alerts in scope that were sent or are being batched (not duplicates,
-- not resolved), newest first (at most 200), with their state:
-- acknowledged, escalations, copies sent and delivered.  The message is
-- analytics.alerts' (names and numbers masked).
CREATE FUNCTION sawt.web_alerts(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	SELECT COALESCE(json_agg(json_build_object(
		'id', v.alert_id, 'created_at', v.created_at, 'rule', v.rule,
		'severity', v.severity, 'station_code', v.station_code, 'area', v.area,
		'message', v.message, 'state', v.state,
		'acknowledged', v.acknowledged_at IS NOT NULL,
		'acknowledged_at', v.acknowledged_at, 'escalations', v.escalations,
		'sent', v.sent, 'delivered', v.delivered)
		ORDER BY v.alert_id DESC), '[]'::json)
	INTO v_out
	FROM (
		SELECT a.id FROM sawt.alerts a
		WHERE a.state IN ('open', 'batching')
		  AND sawt.web_alert_visible(a.id, v_election, v_roots)
		ORDER BY a.id DESC LIMIT 200
	) a
	JOIN analytics.alerts v ON v.alert_id = a.id;
	RETURN v_out;
END;
$$;

-- Acknowledge alert p_alert from the page.  Returns 'ok', 'already' or
-- 'none' (no such alert in the session's scope).
CREATE FUNCTION sawt.web_ack(p_person integer, p_alert bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, NULL);
	v_election integer;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	IF NOT sawt.web_alert_visible(p_alert, v_election, v_roots) THEN
		RETURN 'none';
	END IF;
	UPDATE sawt.alerts SET acknowledged_at = now(), acknowledged_by = p_person
	WHERE id = p_alert AND acknowledged_at IS NULL;
	RETURN CASE WHEN FOUND THEN 'ok' ELSE 'already' END;
END;
$$;

-- Results by contest over the stations in scope: per candidate the votes
-- and share of valid votes, then invalid and blank, and the stations
-- counted against those expected (the current results reports, as
-- analytics.results counts them).
CREATE FUNCTION sawt.web_results(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	WITH st AS (SELECT station_id FROM sawt.web_stations(v_election, v_roots)),
	res AS (
		SELECT r.* FROM sawt.analytics_results r
		WHERE r.station_id IN (SELECT station_id FROM st)
	),
	per_contest AS (
		SELECT k.id, k.code, k.name,
			(SELECT count(*) FROM sawt.station_contests sc
				WHERE sc.contest_id = k.id
				  AND sc.station_id IN (SELECT station_id FROM st)) AS stations_total,
			(SELECT count(*) FROM res WHERE res.ckey = k.id) AS stations_counted,
			(SELECT COALESCE(sum(res.invalid), 0) FROM res WHERE res.ckey = k.id) AS invalid,
			(SELECT COALESCE(sum(res.blank), 0) FROM res WHERE res.ckey = k.id) AS blank
		FROM sawt.contests k WHERE k.election_id = v_election
	),
	per_candidate AS (
		SELECT cd.contest_id, cd.position, cd.name,
			(SELECT COALESCE(sum(res.counts[cd.position]), 0) FROM res
				WHERE res.ckey = cd.contest_id) AS votes
		FROM sawt.candidates cd
		WHERE cd.contest_id IN (SELECT id FROM per_contest)
	),
	valid AS (
		SELECT contest_id, sum(votes) AS valid FROM per_candidate GROUP BY contest_id
	)
	SELECT COALESCE(json_agg(json_build_object(
		'code', pc.code, 'name', pc.name,
		'stations_total', pc.stations_total, 'stations_counted', pc.stations_counted,
		'valid', COALESCE(v.valid, 0), 'invalid', pc.invalid, 'blank', pc.blank,
		'candidates', COALESCE((SELECT json_agg(json_build_object(
				'position', c.position, 'name', c.name, 'votes', c.votes,
				'share', round(100.0 * c.votes / NULLIF(v.valid, 0), 1))
				ORDER BY c.position)
			FROM per_candidate c WHERE c.contest_id = pc.id), '[]'::json))
		ORDER BY pc.code), '[]'::json)
	INTO v_out
	FROM per_contest pc LEFT JOIN valid v ON v.contest_id = pc.id
	WHERE pc.stations_total > 0;
	RETURN v_out;
END;
$$;

-- Reporting over the day in scope: for each form (open, turnout, close,
-- results), how many stations had reported it by the end of each quarter
-- hour (the arrival of their first report of it still standing), and the
-- stations in scope.
CREATE FUNCTION sawt.web_timeline(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	WITH st AS (SELECT station_id FROM sawt.web_stations(v_election, v_roots)),
	f AS (
		SELECT x.form, x.at
		FROM st JOIN sawt.web_station_facts t ON t.station_id = st.station_id
		CROSS JOIN LATERAL (VALUES ('open', t.opened_at), ('turnout', t.turnout_at),
			('close', t.closed_at), ('results', t.results_at)) x (form, at)
		WHERE x.at IS NOT NULL
	),
	b AS (
		SELECT form, date_bin('15 minutes', at, timestamptz '2000-01-01') AS t, count(*) AS n
		FROM f GROUP BY 1, 2
	),
	x AS (
		SELECT form, t, sum(n) OVER (PARTITION BY form ORDER BY t) AS n FROM b
	)
	SELECT json_build_object('stations', (SELECT count(*) FROM st),
		'points', COALESCE((SELECT json_agg(json_build_object('form', form, 't', t, 'n', n)
			ORDER BY form, t) FROM x), '[]'::json))
	INTO v_out;
	RETURN v_out;
END;
$$;
