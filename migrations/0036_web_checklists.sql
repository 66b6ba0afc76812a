-- 0036_web_checklists.sql - the checklists panel of the election-day page
-- (issues 22 and 18).
--
-- Per form's current version, over the stations in the session's scope
-- (sawt.web_roots(), as every panel): the stations reporting the form, and
-- per question the stations that answered it, those whose answer is a
-- "problem", per option the count and share (yes/no as options 1 and 2),
-- and for integers the mean, min and max; per logic check the stations
-- where it holds.  The figures are analytics.checklist_summary's and
-- checklist_problems' for the same area.  Text answers are counted, never
-- shown.  The current answers are kept in sawt.checklist_latest.

-- The current answer of each station to each question, as
-- sawt.checklist_current_answers picks it (the newest by send time, then
-- by receipt, then the smaller dedup key), kept by a trigger in the
-- transaction that stores the answers, so the panel reads it without
-- sorting every answer.  No text: the panel counts text answers only.
CREATE TABLE sawt.checklist_latest (
	station_id      integer NOT NULL REFERENCES sawt.stations(id) ON DELETE CASCADE,
	form            text NOT NULL,
	question        text NOT NULL,
	election_id     integer NOT NULL,
	value           integer,
	options         smallint[],
	sent_at         timestamptz NOT NULL,
	received_at     timestamptz NOT NULL,
	dedup_key       bytea NOT NULL,
	PRIMARY KEY (station_id, form, question)
);
CREATE INDEX checklist_latest_election_idx ON sawt.checklist_latest (election_id, form);

CREATE FUNCTION sawt.checklist_latest_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.checklist_latest AS l (station_id, form, question, election_id, value,
		options, sent_at, received_at, dedup_key)
	SELECT DISTINCT ON (n.station_id, n.form, n.question) n.station_id, n.form, n.question,
		n.election_id, n.value, n.options, n.sent_at, n.received_at, n.dedup_key
	FROM new_answers n
	ORDER BY n.station_id, n.form, n.question, n.sent_at DESC, n.received_at DESC,
		n.dedup_key
	ON CONFLICT (station_id, form, question) DO UPDATE SET
		election_id = EXCLUDED.election_id, value = EXCLUDED.value,
		options = EXCLUDED.options, sent_at = EXCLUDED.sent_at,
		received_at = EXCLUDED.received_at, dedup_key = EXCLUDED.dedup_key
	WHERE (EXCLUDED.sent_at, EXCLUDED.received_at) > (l.sent_at, l.received_at)
	   OR ((EXCLUDED.sent_at, EXCLUDED.received_at) = (l.sent_at, l.received_at)
	       AND EXCLUDED.dedup_key < l.dedup_key);
	RETURN NULL;
END;
$$;

CREATE TRIGGER checklist_answers_latest
	AFTER INSERT ON sawt.checklist_answers
	REFERENCING NEW TABLE AS new_answers
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.checklist_latest_keep();

INSERT INTO sawt.checklist_latest (station_id, form, question, election_id, value, options,
	sent_at, received_at, dedup_key)
SELECT a.station_id, a.form, a.question, a.election_id, a.value, a.options, a.sent_at,
	a.received_at, a.dedup_key
FROM sawt.checklist_current_answers a;

CREATE FUNCTION sawt.web_checklists(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	-- every figure is one aggregate over the answers in scope, computed
	-- once (MATERIALIZED: inlined, each would run again per form or question)
	WITH st AS MATERIALIZED (SELECT station_id FROM sawt.web_stations(v_election, v_roots)),
	f AS (
		SELECT f.id, f.code, f.current_version AS version,
			v.title_ar, v.title_en, v.title_fr
		FROM sawt.checklist_forms f
		JOIN sawt.checklist_versions v ON v.form_id = f.id AND v.version = f.current_version
		WHERE f.election_id = v_election
	),
	a AS MATERIALIZED (
		SELECT a.station_id, a.form, a.question, a.value, a.options
		FROM sawt.checklist_latest a
		JOIN st ON st.station_id = a.station_id
		WHERE a.election_id = v_election
	),
	q AS (
		SELECT f.id AS form_id, f.code AS form, f.version, x.code, x.type, x.position,
			x.problem, x.label_ar, x.label_en, x.label_fr
		FROM f JOIN sawt.checklist_questions x ON x.form_id = f.id AND x.version = f.version
	),
	per_q AS MATERIALIZED (
		SELECT a.form, a.question, count(*) AS answered, round(avg(a.value), 2) AS mean,
			min(a.value) AS min, max(a.value) AS max,
			count(*) FILTER (WHERE a.value = ANY (q.problem) OR a.options && q.problem)
				AS problems
		FROM a JOIN q ON q.form = a.form AND q.code = a.question
		GROUP BY a.form, a.question
	),
	per_o AS MATERIALIZED (
		SELECT a.form, a.question, o.option, count(*) AS n
		FROM a CROSS JOIN LATERAL (SELECT a.value WHERE a.options IS NULL
			UNION ALL SELECT unnest(a.options)::integer) o (option)
		WHERE o.option IS NOT NULL
		GROUP BY a.form, a.question, o.option
	),
	opts AS MATERIALIZED (
		SELECT q.form, q.code AS question, y.option, y.label_ar, y.label_en, y.label_fr,
			y.option = ANY (q.problem) AS problem
		FROM q CROSS JOIN LATERAL (
			SELECT 1 AS option, 'نعم' AS label_ar, 'yes' AS label_en, 'oui' AS label_fr
			WHERE q.type = 'yesno'
			UNION ALL SELECT 2, 'لا', 'no', 'non' WHERE q.type = 'yesno'
			UNION ALL SELECT co.option, co.label_ar, co.label_en, co.label_fr
			FROM sawt.checklist_options co
			WHERE co.form_id = q.form_id AND co.version = q.version
			  AND co.question = q.code) y
	),
	rep AS MATERIALIZED (SELECT a.form, count(DISTINCT a.station_id) AS n FROM a GROUP BY a.form),
	held AS MATERIALIZED (
		SELECT fl.form, fl.check_name, count(*) AS n
		FROM sawt.checklist_flags fl JOIN st ON st.station_id = fl.station_id
		WHERE fl.holds GROUP BY fl.form, fl.check_name
	)
	SELECT COALESCE(json_agg(json_build_object(
		'code', f.code, 'version', f.version,
		'title_ar', f.title_ar, 'title_en', f.title_en, 'title_fr', f.title_fr,
		'stations_total', (SELECT count(*) FROM st),
		'stations_reported', COALESCE((SELECT rep.n FROM rep WHERE rep.form = f.code), 0),
		'questions', (SELECT COALESCE(json_agg(json_build_object(
				'code', q.code, 'type', q.type,
				'label_ar', q.label_ar, 'label_en', q.label_en, 'label_fr', q.label_fr,
				'answered', COALESCE(pq.answered, 0),
				'problems', CASE WHEN q.problem <> '{}' THEN COALESCE(pq.problems, 0) END,
				'mean', CASE WHEN q.type = 'integer' THEN pq.mean END,
				'min', CASE WHEN q.type = 'integer' THEN pq.min END,
				'max', CASE WHEN q.type = 'integer' THEN pq.max END,
				'options', (SELECT COALESCE(json_agg(json_build_object(
						'option', o.option, 'problem', o.problem,
						'label_ar', o.label_ar, 'label_en', o.label_en,
						'label_fr', o.label_fr, 'count', COALESCE(po.n, 0),
						'share', round(100.0 * COALESCE(po.n, 0)
							/ NULLIF(pq.answered, 0), 1))
						ORDER BY o.option), '[]'::json)
					FROM opts o
					LEFT JOIN per_o po ON po.form = o.form AND po.question = o.question
						AND po.option = o.option
					WHERE o.form = q.form AND o.question = q.code))
				ORDER BY q.position), '[]'::json)
			FROM q LEFT JOIN per_q pq ON pq.form = q.form AND pq.question = q.code
			WHERE q.form_id = f.id),
		'checks', (SELECT COALESCE(json_agg(json_build_object(
				'name', c.name, 'severity', c.severity, 'expr', c.expr,
				'label_ar', c.label_ar, 'label_en', c.label_en, 'label_fr', c.label_fr,
				'stations', COALESCE(h.n, 0))
				ORDER BY c.position), '[]'::json)
			FROM sawt.checklist_checks c
			LEFT JOIN held h ON h.form = f.code AND h.check_name = c.name
			WHERE c.form_id = f.id AND c.version = f.version))
		ORDER BY f.code), '[]'::json)
	INTO v_out
	FROM f;
	RETURN v_out;
END;
$$;

-- The current results of each station and contest (sawt.analytics_results'
-- rows), kept by statement triggers on sawt.reports in the transaction
-- that stores or reviews them, as sawt.web_station_facts is: the results
-- panel reads them without ranking every report.
CREATE TABLE sawt.web_station_results (
	station_id      integer NOT NULL REFERENCES sawt.stations(id) ON DELETE CASCADE,
	contest_id      integer NOT NULL REFERENCES sawt.contests(id) ON DELETE CASCADE,
	counts          integer[],
	invalid         integer,
	blank           integer,
	PRIMARY KEY (station_id, contest_id)
);
COMMENT ON TABLE sawt.web_station_results IS 'per station and contest, the current results the page shows (kept from sawt.reports by triggers)';

CREATE FUNCTION sawt.web_results_refresh(p_stations integer[]) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM sawt.web_station_results w
	WHERE w.station_id = ANY (p_stations)
	  AND NOT EXISTS (SELECT 1 FROM sawt.analytics_results r
		WHERE r.station_id = w.station_id AND r.ckey = w.contest_id);
	INSERT INTO sawt.web_station_results AS w (station_id, contest_id, counts, invalid, blank)
	SELECT r.station_id, r.ckey, r.counts, r.invalid, r.blank
	FROM sawt.analytics_results r WHERE r.station_id = ANY (p_stations)
	ON CONFLICT (station_id, contest_id) DO UPDATE SET counts = EXCLUDED.counts,
		invalid = EXCLUDED.invalid, blank = EXCLUDED.blank;
$$;

CREATE FUNCTION sawt.web_results_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM sawt.web_results_refresh(ARRAY(
		SELECT DISTINCT station_id FROM changed
		WHERE station_id IS NOT NULL AND form = 'results'));
	RETURN NULL;
END;
$$;
CREATE TRIGGER reports_web_results_insert AFTER INSERT ON sawt.reports
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_results_keep();
CREATE TRIGGER reports_web_results_update AFTER UPDATE ON sawt.reports
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_results_keep();
CREATE TRIGGER reports_web_results_delete AFTER DELETE ON sawt.reports
	REFERENCING OLD TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_results_keep();
SELECT sawt.web_results_refresh(ARRAY(SELECT id FROM sawt.stations));

-- The results panel (0022_web.sql), restated to read the current results
-- once, from sawt.web_station_results: each figure was a scan of
-- sawt.analytics_results per contest and per candidate (41 ms for 10,000
-- stations).  The same figures: per contest over the
-- stations in scope, stations counted of those expected, per candidate
-- the votes and share of valid votes, invalid and blank.
CREATE OR REPLACE FUNCTION sawt.web_results(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	WITH st AS MATERIALIZED (SELECT station_id FROM sawt.web_stations(v_election, v_roots)),
	res AS MATERIALIZED (
		SELECT w.contest_id AS ckey, w.counts, w.invalid, w.blank
		FROM sawt.web_station_results w
		JOIN st ON st.station_id = w.station_id
		JOIN sawt.station_contests sc ON sc.station_id = w.station_id
			AND sc.contest_id = w.contest_id
	),
	expected AS (
		SELECT sc.contest_id, count(*) AS n
		FROM sawt.station_contests sc JOIN st ON st.station_id = sc.station_id
		GROUP BY sc.contest_id
	),
	counted AS (
		SELECT res.ckey, count(*) AS n, COALESCE(sum(res.invalid), 0) AS invalid,
			COALESCE(sum(res.blank), 0) AS blank
		FROM res GROUP BY res.ckey
	),
	votes AS (
		SELECT res.ckey, u.pos, sum(u.v) AS v
		FROM res CROSS JOIN LATERAL unnest(res.counts) WITH ORDINALITY u (v, pos)
		GROUP BY res.ckey, u.pos
	),
	per_candidate AS MATERIALIZED (
		SELECT cd.contest_id, cd.position, cd.name, COALESCE(vo.v, 0) AS votes
		FROM sawt.candidates cd
		JOIN sawt.contests k ON k.id = cd.contest_id AND k.election_id = v_election
		LEFT JOIN votes vo ON vo.ckey = cd.contest_id AND vo.pos = cd.position
	),
	valid AS (
		SELECT contest_id, sum(votes) AS valid FROM per_candidate GROUP BY contest_id
	)
	SELECT COALESCE(json_agg(json_build_object(
		'code', k.code, 'name', k.name,
		'stations_total', e.n, 'stations_counted', COALESCE(c.n, 0),
		'valid', COALESCE(v.valid, 0), 'invalid', COALESCE(c.invalid, 0),
		'blank', COALESCE(c.blank, 0),
		'candidates', COALESCE((SELECT json_agg(json_build_object(
				'position', pc.position, 'name', pc.name, 'votes', pc.votes,
				'share', round(100.0 * pc.votes / NULLIF(v.valid, 0), 1))
				ORDER BY pc.position)
			FROM per_candidate pc WHERE pc.contest_id = k.id), '[]'::json))
		ORDER BY k.code), '[]'::json)
	INTO v_out
	FROM sawt.contests k
	JOIN expected e ON e.contest_id = k.id
	LEFT JOIN counted c ON c.ckey = k.id
	LEFT JOIN valid v ON v.contest_id = k.id
	WHERE k.election_id = v_election AND e.n > 0;
	RETURN v_out;
END;
$$;
