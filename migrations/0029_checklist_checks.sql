-- 0029_checklist_checks.sql - checklists' logic checks and "problem"
-- answers (issue 22).
--
-- A form's version may define checks (src/core/checklist_expr.h): a name,
-- a severity, an expression over the form's questions and the station's
-- figures, and a label in ar/en/fr.  The import stores each check with its
-- postfix program (rpn) written by checklist_expr_json().  Whenever a
-- station's answers to a form change, and whenever its turnout changes for
-- a form whose checks read the figures, the checks of the form's current
-- version are evaluated against the station's current answers
-- (sawt.checklist_evaluate()); sawt.checklist_flags keeps whether each
-- holds, and a check that starts to hold raises an alert of rule
-- checklist_check, stored as 'new' for sawtd's alerts module to route and
-- send.  A question may name the answers that are a "problem" (the box not
-- sealed); analytics.checklist_problems counts them per area.

ALTER TABLE sawt.checklist_questions
	ADD COLUMN problem smallint[] NOT NULL DEFAULT '{}';

CREATE TABLE sawt.checklist_checks (
	form_id         integer NOT NULL,
	version         integer NOT NULL,
	name            text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,23}$'),
	position        smallint NOT NULL,
	severity        text NOT NULL CHECK (severity IN ('info', 'serious', 'critical')),
	expr            text NOT NULL,
	rpn             jsonb NOT NULL,
	uses_figures    boolean NOT NULL,
	label_ar        text,
	label_en        text,
	label_fr        text,
	PRIMARY KEY (form_id, version, name),
	FOREIGN KEY (form_id, version) REFERENCES sawt.checklist_versions
);

-- Whether each check of a form holds for a station, as last evaluated.
-- since: when it last started to hold; alert_id: the alert it raised then.
CREATE TABLE sawt.checklist_flags (
	station_id      integer NOT NULL REFERENCES sawt.stations(id),
	form            text NOT NULL,
	check_name      text NOT NULL,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	version         integer NOT NULL,
	severity        text NOT NULL,
	holds           boolean NOT NULL,
	since           timestamptz,
	alert_id        bigint REFERENCES sawt.alerts(id),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (station_id, form, check_name)
);

-- A running sawtd reads the checklist definitions with its registry: an
-- import (a new form, a new version) is announced on the registry's
-- channel, as the registry tables' changes are (0002_registry.sql), so
-- that it takes the new definitions at once.
CREATE TRIGGER checklist_forms_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON sawt.checklist_forms FOR EACH STATEMENT EXECUTE FUNCTION sawt.notify_registry();

-- Import the forms of one file, as 0023's version did, now also storing
-- each question's problem answers and each form's checks.
CREATE OR REPLACE FUNCTION sawt.checklist_import(p_election integer, p_forms jsonb)
RETURNS TABLE (code text, version integer, outcome text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	f jsonb;
	q jsonb;
	o jsonb;
	k jsonb;
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
				min_value, max_value, required, grp, label_ar, label_en, label_fr,
				problem)
			VALUES (fid, version, pos, q->>'code', q->>'type', (q->>'min')::integer,
				(q->>'max')::integer, (q->>'required')::boolean, (q->>'group')::smallint,
				q->>'label_ar', q->>'label_en', q->>'label_fr',
				ARRAY(SELECT jsonb_array_elements_text(COALESCE(q->'problem', '[]'))::smallint));
			FOR o IN SELECT * FROM jsonb_array_elements(q->'options') LOOP
				INSERT INTO sawt.checklist_options (form_id, version, question, option,
					label_ar, label_en, label_fr)
				VALUES (fid, version, q->>'code', (o->>'option')::smallint,
					o->>'label_ar', o->>'label_en', o->>'label_fr');
			END LOOP;
		END LOOP;
		pos := 0;
		FOR k IN SELECT * FROM jsonb_array_elements(COALESCE(f->'checks', '[]')) LOOP
			pos := pos + 1;
			INSERT INTO sawt.checklist_checks (form_id, version, name, position, severity,
				expr, rpn, uses_figures, label_ar, label_en, label_fr)
			VALUES (fid, version, k->>'name', pos, k->>'severity', k->>'expr', k->'rpn',
				(k->>'uses_figures')::boolean, k->>'label_ar', k->>'label_en',
				k->>'label_fr');
		END LOOP;
		UPDATE sawt.checklist_forms SET current_version = version WHERE id = fid;
		code := f->>'code';
		outcome := CASE WHEN cur IS NULL THEN 'new' ELSE 'changed' END;
		RETURN NEXT;
	END LOOP;
END;
$$;

-- Does a check hold?  p_rpn is its postfix program (checklist_expr.h);
-- p_answers maps each answered question code to {"v": value} or, for
-- multiple choice, {"o": [options]}; p_figures maps registered,
-- registered_women, voters and women to their values when known.  NULL
-- is unknown: comparisons with an unknown value are unknown and AND, OR
-- and NOT are SQL's (Kleene's), as checklist_expr_eval() does.
CREATE FUNCTION sawt.checklist_check_holds(p_rpn jsonb, p_answers jsonb, p_figures jsonb)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n jsonb;
	st bigint[] := '{}';  -- numbers, and truths as 1/0; NULL unknown
	sp integer := 0;
	a bigint;
	b bigint;
	r boolean;
BEGIN
	FOR n IN SELECT * FROM jsonb_array_elements(p_rpn) LOOP
		CASE n->>'k'
		WHEN 'num' THEN
			sp := sp + 1; st[sp] := (n->>'n')::bigint;
		WHEN 'q' THEN
			sp := sp + 1; st[sp] := (p_answers->(n->>'q')->>'v')::bigint;
		WHEN 'fig' THEN
			sp := sp + 1; st[sp] := (p_figures->>(n->>'f'))::bigint;
		WHEN 'has' THEN
			sp := sp + 1;
			st[sp] := CASE WHEN p_answers ? (n->>'q') THEN
				((p_answers->(n->>'q')->'o') @> to_jsonb((n->>'n')::integer))::integer END;
		WHEN 'not' THEN
			st[sp] := (NOT (st[sp] = 1))::integer;
		ELSE
			b := st[sp]; a := st[sp - 1]; sp := sp - 1;
			r := CASE n->>'k'
				WHEN 'and' THEN (a = 1) AND (b = 1)
				WHEN 'or' THEN (a = 1) OR (b = 1)
				ELSE CASE n->>'op'
					WHEN '=' THEN a = b WHEN '!=' THEN a <> b
					WHEN '<' THEN a < b WHEN '<=' THEN a <= b
					WHEN '>' THEN a > b WHEN '>=' THEN a >= b END
				END;
			st[sp] := r::integer;
		END CASE;
	END LOOP;
	RETURN CASE WHEN sp = 1 THEN st[1] = 1 END;
END;
$$;

-- The figures a station's checks read: its registered voters and women,
-- and the voters and women of its latest counting turnout or close report
-- (by the observer's send time).
CREATE FUNCTION sawt.checklist_figures(p_station integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'registered', s.registered, 'registered_women', s.registered_women,
		'voters', t.voters, 'women', t.women))
	FROM sawt.stations s
	LEFT JOIN LATERAL (SELECT x.voters, x.women FROM sawt.tallies x
		WHERE x.station_id = s.id AND x.form IN ('turnout', 'close')
		  AND x.report_id IS NOT NULL
		ORDER BY x.sent_at DESC NULLS LAST LIMIT 1) t ON true
	WHERE s.id = p_station;
$$;

-- Evaluate the checks of form p_form's current version for one station
-- against its current answers, record each in sawt.checklist_flags, and
-- raise a checklist_check alert for each check that starts to hold.  The
-- alert's text names the form, the check and its expression (the same in
-- every language); its label is in the flags and views.
CREATE FUNCTION sawt.checklist_evaluate(p_station integer, p_form text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	st record;
	k record;
	ans jsonb;
	figs jsonb;
	h boolean;
	was boolean;
	aid bigint;
BEGIN
	SELECT s.id, s.election_id, s.area_id, s.code INTO st
	FROM sawt.stations s WHERE s.id = p_station;
	SELECT COALESCE(jsonb_object_agg(a.question, CASE WHEN a.options IS NOT NULL
			THEN jsonb_build_object('o', to_jsonb(a.options))
			ELSE jsonb_build_object('v', a.value) END)
		FILTER (WHERE a.value IS NOT NULL OR a.options IS NOT NULL), '{}')
	INTO ans
	FROM sawt.checklist_current_answers a
	WHERE a.station_id = p_station AND a.form = p_form;
	FOR k IN SELECT c.*, f.current_version
		FROM sawt.checklist_forms f
		JOIN sawt.checklist_checks c ON c.form_id = f.id AND c.version = f.current_version
		WHERE f.election_id = st.election_id AND f.code = p_form
		ORDER BY c.position
	LOOP
		IF figs IS NULL THEN
			figs := sawt.checklist_figures(p_station);
		END IF;
		h := COALESCE(sawt.checklist_check_holds(k.rpn, ans, figs), false);
		SELECT fl.holds INTO was FROM sawt.checklist_flags fl
		WHERE fl.station_id = p_station AND fl.form = p_form AND fl.check_name = k.name
		FOR UPDATE;
		aid := NULL;
		IF h AND NOT COALESCE(was, false) THEN
			INSERT INTO sawt.alerts (election_id, kind, severity, station_id, area_id,
				message, subject, figures, state)
			VALUES (st.election_id, 'checklist_check', k.severity, p_station, st.area_id,
				p_form || ' ' || k.name || ': ' || k.expr,
				'checklist_check:' || st.code || ':' || p_form || ':' || k.name,
				jsonb_build_object('form', p_form, 'check', k.name), 'new')
			RETURNING id INTO aid;
		END IF;
		INSERT INTO sawt.checklist_flags AS fl (station_id, form, check_name, election_id,
			version, severity, holds, since, alert_id)
		VALUES (p_station, p_form, k.name, st.election_id, k.current_version, k.severity, h,
			CASE WHEN h THEN now() END, aid)
		ON CONFLICT (station_id, form, check_name) DO UPDATE SET
			version = EXCLUDED.version, severity = EXCLUDED.severity, holds = EXCLUDED.holds,
			since = CASE WHEN EXCLUDED.holds AND NOT fl.holds THEN now()
				WHEN EXCLUDED.holds THEN fl.since END,
			alert_id = COALESCE(EXCLUDED.alert_id, CASE WHEN EXCLUDED.holds THEN fl.alert_id END),
			updated_at = now();
	END LOOP;
END;
$$;

-- New answers: evaluate each (station, form) they touch, once.
CREATE FUNCTION sawt.checklist_answers_checks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM sawt.checklist_evaluate(x.station_id, x.form)
	FROM (SELECT DISTINCT n.station_id, n.form FROM new_answers n
		WHERE EXISTS (SELECT 1 FROM sawt.checklist_forms f
			JOIN sawt.checklist_checks c ON c.form_id = f.id AND c.version = f.current_version
			WHERE f.election_id = n.election_id AND f.code = n.form)
		ORDER BY 1, 2) x;
	RETURN NULL;
END;
$$;

CREATE TRIGGER checklist_answers_checks
	AFTER INSERT ON sawt.checklist_answers
	REFERENCING NEW TABLE AS new_answers
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.checklist_answers_checks();

-- A station's turnout changed: evaluate its forms whose checks read the
-- figures, when it has answered them.
CREATE FUNCTION sawt.checklist_tallies_checks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM sawt.checklist_checks WHERE uses_figures) THEN
		RETURN NULL;
	END IF;
	PERFORM sawt.checklist_evaluate(x.station_id, x.form)
	FROM (SELECT DISTINCT t.station_id, f.code AS form
		FROM changed_tallies t
		JOIN sawt.stations s ON s.id = t.station_id
		JOIN sawt.checklist_forms f ON f.election_id = s.election_id
		WHERE t.form IN ('turnout', 'close')
		  AND EXISTS (SELECT 1 FROM sawt.checklist_checks c
			WHERE c.form_id = f.id AND c.version = f.current_version AND c.uses_figures)
		  AND EXISTS (SELECT 1 FROM sawt.checklist_answers a
			WHERE a.station_id = t.station_id AND a.form = f.code)
		ORDER BY 1, 2) x;
	RETURN NULL;
END;
$$;

CREATE TRIGGER checklist_tallies_checks_ins
	AFTER INSERT ON sawt.tallies
	REFERENCING NEW TABLE AS changed_tallies
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.checklist_tallies_checks();
CREATE TRIGGER checklist_tallies_checks_upd
	AFTER UPDATE ON sawt.tallies
	REFERENCING NEW TABLE AS changed_tallies
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.checklist_tallies_checks();

-- ---- analysts' views (docs/analysts.md) ---------------------------------

-- Each station's checks as last evaluated: which hold, since when, with
-- the check's label and expression.  No person, no phone number.
CREATE VIEW analytics.checklist_flags WITH (security_barrier) AS
SELECT e.name AS election, fl.form, fl.version, fl.check_name AS check_code, fl.severity,
	c.expr, c.label_ar, c.label_en, c.label_fr,
	s.code AS station, sp.region, sp.district, fl.holds, fl.since, fl.alert_id,
	fl.updated_at
FROM sawt.checklist_flags fl
JOIN sawt.elections e ON e.id = fl.election_id
JOIN sawt.stations s ON s.id = fl.station_id
LEFT JOIN sawt.analytics_station_place sp ON sp.station_id = fl.station_id
LEFT JOIN sawt.checklist_forms f ON f.election_id = fl.election_id AND f.code = fl.form
LEFT JOIN sawt.checklist_checks c ON c.form_id = f.id AND c.version = fl.version
	AND c.name = fl.check_name
ORDER BY e.name, fl.form, s.code, c.position;

-- Per area (every level, and the whole election) and question with
-- problem answers of each form's current version: the stations that
-- answered it, those whose current answer is a problem (multi: any
-- problem option chosen), and their share.
CREATE VIEW analytics.checklist_problems WITH (security_barrier) AS
WITH q AS (
	SELECT f.election_id, f.code AS form, f.current_version AS version, x.code AS question,
		x.type, x.position, x.problem, x.label_ar, x.label_en, x.label_fr
	FROM sawt.checklist_forms f
	JOIN sawt.checklist_questions x ON x.form_id = f.id AND x.version = f.current_version
	WHERE x.problem <> '{}'
), n AS (
	SELECT gs.election_id, gs.gkey, q.form, q.question, count(*) AS answered,
		count(*) FILTER (WHERE a.value = ANY (q.problem) OR a.options && q.problem)
			AS problems
	FROM q
	JOIN sawt.checklist_current_answers a ON a.election_id = q.election_id
		AND a.form = q.form AND a.question = q.question
	JOIN sawt.analytics_group_stations gs ON gs.station_id = a.station_id
	GROUP BY gs.election_id, gs.gkey, q.form, q.question
)
SELECT e.name AS election, g.area, g.level, g.parent, g.depth, q.form, q.version,
	q.question, q.type, q.problem AS problem_answers, q.label_ar, q.label_en, q.label_fr,
	COALESCE(n.answered, 0) AS answered, COALESCE(n.problems, 0) AS problems,
	round(100.0 * n.problems / NULLIF(n.answered, 0), 1) AS share
FROM sawt.analytics_groups g
JOIN sawt.elections e ON e.id = g.election_id
JOIN q ON q.election_id = g.election_id
LEFT JOIN n ON n.election_id = g.election_id AND n.gkey = g.gkey AND n.form = q.form
	AND n.question = q.question
ORDER BY e.name, g.depth, g.parent NULLS FIRST, g.area, q.form, q.position;

GRANT SELECT ON analytics.checklist_flags, analytics.checklist_problems TO sawt_analyst;
