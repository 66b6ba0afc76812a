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
-- shown.

CREATE FUNCTION sawt.web_checklists(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_election integer;
	v_out json;
BEGIN
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	WITH st AS (SELECT station_id FROM sawt.web_stations(v_election, v_roots)),
	f AS (
		SELECT f.id, f.code, f.current_version AS version,
			v.title_ar, v.title_en, v.title_fr
		FROM sawt.checklist_forms f
		JOIN sawt.checklist_versions v ON v.form_id = f.id AND v.version = f.current_version
		WHERE f.election_id = v_election
	),
	a AS MATERIALIZED (
		SELECT a.station_id, a.form, a.question, a.value, a.options
		FROM sawt.checklist_current_answers a
		WHERE a.election_id = v_election AND a.station_id IN (SELECT station_id FROM st)
	),
	q AS (
		SELECT f.id AS form_id, f.code AS form, x.code, x.type, x.position, x.problem,
			x.label_ar, x.label_en, x.label_fr,
			(SELECT count(*) FROM a WHERE a.form = f.code AND a.question = x.code)
				AS answered
		FROM f JOIN sawt.checklist_questions x ON x.form_id = f.id AND x.version = f.version
	)
	SELECT COALESCE(json_agg(json_build_object(
		'code', f.code, 'version', f.version,
		'title_ar', f.title_ar, 'title_en', f.title_en, 'title_fr', f.title_fr,
		'stations_total', (SELECT count(*) FROM st),
		'stations_reported', (SELECT count(DISTINCT a.station_id) FROM a WHERE a.form = f.code),
		'questions', (SELECT COALESCE(json_agg(json_build_object(
				'code', q.code, 'type', q.type,
				'label_ar', q.label_ar, 'label_en', q.label_en, 'label_fr', q.label_fr,
				'answered', q.answered,
				'problems', CASE WHEN q.problem <> '{}' THEN (SELECT count(*) FROM a
					WHERE a.form = q.form AND a.question = q.code
					  AND (a.value = ANY (q.problem) OR a.options && q.problem)) END,
				'mean', CASE WHEN q.type = 'integer' THEN (SELECT round(avg(a.value), 2)
					FROM a WHERE a.form = q.form AND a.question = q.code) END,
				'min', CASE WHEN q.type = 'integer' THEN (SELECT min(a.value)
					FROM a WHERE a.form = q.form AND a.question = q.code) END,
				'max', CASE WHEN q.type = 'integer' THEN (SELECT max(a.value)
					FROM a WHERE a.form = q.form AND a.question = q.code) END,
				'options', (SELECT COALESCE(json_agg(json_build_object(
						'option', o.option, 'problem', o.option = ANY (q.problem),
						'label_ar', o.label_ar, 'label_en', o.label_en,
						'label_fr', o.label_fr, 'count', o.n,
						'share', round(100.0 * o.n / NULLIF(q.answered, 0), 1))
						ORDER BY o.option), '[]'::json)
					FROM (SELECT y.option, y.label_ar, y.label_en, y.label_fr,
						(SELECT count(*) FROM a WHERE a.form = q.form
						  AND a.question = q.code
						  AND (a.value = y.option OR y.option = ANY (a.options))) AS n
						FROM (SELECT 1 AS option, 'نعم' AS label_ar, 'yes' AS label_en,
							'oui' AS label_fr WHERE q.type = 'yesno'
							UNION ALL SELECT 2, 'لا', 'no', 'non' WHERE q.type = 'yesno'
							UNION ALL SELECT co.option, co.label_ar, co.label_en, co.label_fr
							FROM sawt.checklist_options co
							WHERE co.form_id = q.form_id AND co.question = q.code
							  AND co.version = f.version) y) o))
				ORDER BY q.position), '[]'::json)
			FROM q WHERE q.form_id = f.id),
		'checks', (SELECT COALESCE(json_agg(json_build_object(
				'name', c.name, 'severity', c.severity, 'expr', c.expr,
				'label_ar', c.label_ar, 'label_en', c.label_en, 'label_fr', c.label_fr,
				'stations', (SELECT count(*) FROM sawt.checklist_flags fl
					WHERE fl.form = f.code AND fl.check_name = c.name AND fl.holds
					  AND fl.station_id IN (SELECT station_id FROM st)))
				ORDER BY c.position), '[]'::json)
			FROM sawt.checklist_checks c WHERE c.form_id = f.id AND c.version = f.version))
		ORDER BY f.code), '[]'::json)
	INTO v_out
	FROM f;
	RETURN v_out;
END;
$$;
