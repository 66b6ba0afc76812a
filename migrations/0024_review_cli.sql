-- 0024_review_cli.sql - what `sawt review` and `sawt status` read of the
-- review states (issue 19; the states and their changes are 0019's).
-- Nothing here names a sender: reports are shown by station, form and
-- figures, people by name only where a coordinator decided.

-- The area p_area names in election p_election: an area name, or a path of
-- names from the region down ("Beirut/Achrafieh") when a name is used at
-- several places.  Raises a clear error when there is none or several.
CREATE FUNCTION sawt.review_area(p_election integer, p_area text) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
	ids integer[];
BEGIN
	WITH RECURSIVE path (id, depth, full_path) AS (
		SELECT a.id, a.depth, a.name FROM sawt.areas a
		WHERE a.election_id = p_election AND a.parent_id IS NULL
		UNION ALL
		SELECT a.id, a.depth, path.full_path || '/' || a.name
		FROM path JOIN sawt.areas a ON a.parent_id = path.id
	)
	SELECT array_agg(id) INTO ids FROM path
	WHERE full_path = p_area OR right(full_path, length(p_area) + 1) = '/' || p_area;
	IF ids IS NULL THEN
		RAISE EXCEPTION 'area "%" does not exist', p_area
			USING ERRCODE = 'no_data_found',
			HINT = 'Give the area''s name as imported, or its path of names from the region down, such as "Region/District".';
	END IF;
	IF cardinality(ids) > 1 THEN
		RAISE EXCEPTION 'area name "%" is used by % areas', p_area, cardinality(ids)
			USING ERRCODE = 'cardinality_violation',
			HINT = 'Give its path of names from the region down, such as "Region/District".';
	END IF;
	RETURN ids[1];
END;
$$;

-- A report's figures in one line, as a coordinator reads them.
CREATE FUNCTION sawt.review_figures(r sawt.reports) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT concat_ws(' ',
		'open ' || to_char(r.open_time, 'HH24:MI'),
		'voters ' || r.voters, 'women ' || r.women, 'men ' || r.men,
		'votes ' || array_to_string(r.counts, ','),
		'invalid ' || r.invalid, 'blank ' || r.blank, 'total ' || r.total,
		'incident ' || r.incident_code)
$$;

-- Reports of election p_election in the given review states (default:
-- needs_review and quarantined), of stations in area p_area and below
-- (NULL: everywhere), oldest first (the longest waiting), at most p_limit.
-- reason: the last decision's reason, else the flags.
CREATE FUNCTION sawt.review_queue(p_election text, p_area text, p_states text[],
	p_limit integer)
RETURNS TABLE (id bigint, station text, region text, district text, form text,
	contest text, review_state text, outcome text, figures text, sent_at timestamptz,
	waiting text, reason text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_election integer;
	v_area integer;
	v_states text[] := COALESCE(p_states, ARRAY['needs_review', 'quarantined']);
BEGIN
	SELECT e.id INTO v_election FROM sawt.elections e WHERE e.name = p_election;
	IF v_election IS NULL THEN
		RAISE EXCEPTION 'election "%" does not exist', p_election USING ERRCODE = 'no_data_found';
	END IF;
	IF p_area IS NOT NULL THEN
		v_area := sawt.review_area(v_election, p_area);
	END IF;
	RETURN QUERY
	SELECT r.id, COALESCE(s.code, r.station_code), pl.region, pl.district, r.form,
		c.code, r.review_state, r.outcome, sawt.review_figures(r),
		COALESCE(i.smsc_time, i.received_at),
		to_char(now() - COALESCE(i.smsc_time, i.received_at), 'FMDD"d "HH24"h"MI"m"'),
		COALESCE((SELECT h.reason FROM sawt.review_history h WHERE h.report_id = r.id
			ORDER BY h.id DESC LIMIT 1), array_to_string(r.flags, ','))
	FROM sawt.reports r
	JOIN sawt.inbound_messages i ON i.id = r.inbound_id
	LEFT JOIN sawt.stations s ON s.id = r.station_id
	LEFT JOIN sawt.analytics_station_place pl ON pl.station_id = r.station_id
	LEFT JOIN sawt.contests c ON c.id = r.contest_id
	WHERE r.election_id = v_election AND r.review_state = ANY (v_states)
	  AND (v_area IS NULL OR EXISTS (SELECT 1 FROM sawt.analytics_station_areas sa
		WHERE sa.station_id = r.station_id AND sa.area_id = v_area))
	ORDER BY COALESCE(i.smsc_time, i.received_at), r.id
	LIMIT COALESCE(p_limit, 50);
END;
$$;

-- The queue by region, for `sawt status` (which analysts may run too):
-- reports waiting per state and since when.  Counts only: no report,
-- person or phone.
CREATE VIEW analytics.review_queue WITH (security_barrier) AS
SELECT e.name AS election, COALESCE(pl.region, '(no station)') AS region,
	count(*) FILTER (WHERE r.review_state = 'needs_review') AS needs_review,
	count(*) FILTER (WHERE r.review_state = 'quarantined') AS quarantined,
	min(COALESCE(i.smsc_time, i.received_at)) AS oldest
FROM sawt.reports r
JOIN sawt.elections e ON e.id = r.election_id
JOIN sawt.inbound_messages i ON i.id = r.inbound_id
LEFT JOIN sawt.analytics_station_place pl ON pl.station_id = r.station_id
WHERE r.review_state IN ('needs_review', 'quarantined')
GROUP BY e.name, 2;

GRANT SELECT ON analytics.review_queue TO sawt_analyst;

CREATE INDEX reports_review_waiting_idx ON sawt.reports (election_id, review_state)
	WHERE review_state IN ('needs_review', 'quarantined');

-- The [quarantine] section of sawtd's configuration (src/daemon/review_rules.c):
-- the whole set of the election's rules, tolerances as fractions (NULL:
-- the rule is off).  Returns what is on, for the log.
CREATE FUNCTION sawt.quarantine_configure(p_election text, p_turnout numeric,
	p_results numeric, p_unbound boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v integer;
BEGIN
	SELECT id INTO v FROM sawt.elections WHERE name = p_election;
	IF v IS NULL THEN
		RETURN format('no election "%s" yet: none applied (reload after the import)', p_election);
	END IF;
	DELETE FROM sawt.quarantine_rules WHERE election_id = v;
	INSERT INTO sawt.quarantine_rules (election_id, rule, tolerance)
	SELECT v, r, t FROM (VALUES ('turnout_over_registered', p_turnout),
		('results_sum', p_results),
		('unbound_sender', CASE WHEN p_unbound THEN 0 END)) x (r, t)
	WHERE t IS NOT NULL;
	RETURN COALESCE((SELECT string_agg(rule || CASE WHEN rule = 'unbound_sender' THEN ''
			ELSE ' ' || round(tolerance * 100) || '%' END, ', ' ORDER BY rule)
		FROM sawt.quarantine_rules WHERE election_id = v), 'none');
END;
$$;

-- A coordinator's VERIFY or QUAR by SMS (src/daemon/command.c), for inbound
-- row p_inbound of person p_person, about station p_station: only while
-- the row is 'received' (a second pass finds it answered), and only for a
-- station in the coordinator's areas or below (a coordinator with no area
-- is national).  VERIFY verifies the station's reports waiting for review
-- (needs_review or quarantined); QUAR quarantines its newest counted
-- report (by send time) and needs a reason.  The decisions go through
-- sawt.review_set (actor 'sms', recorded with the coordinator), the row is
-- marked processed and the reply queued (p_verified, p_quarantined,
-- p_nothing, p_not_yours or p_no_reason), all in one statement.  Returns
-- replies queued (0 or 1), the reply's code and the reports changed.
CREATE FUNCTION sawt.review_sms(p_person integer, p_inbound bigint, p_station text,
	p_action text, p_reason text, p_verified text, p_quarantined text, p_nothing text,
	p_not_yours text, p_no_reason text)
RETURNS TABLE (queued integer, result text, changed integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_election integer;
	v_station integer;
	v_mine integer[];
	v_result text;
	v_changed integer := 0;
	v_reason text := NULLIF(btrim(p_reason), '');
	v_report bigint;
	v_sender text;
BEGIN
	SELECT sender INTO v_sender FROM sawt.inbound_messages
	WHERE id = p_inbound AND state = 'received' FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 0, 'answered'::text, 0;
		RETURN;
	END IF;
	SELECT election_id INTO v_election FROM sawt.people WHERE id = p_person;
	SELECT array_agg(area_id) INTO v_mine FROM sawt.person_areas WHERE person_id = p_person;
	SELECT s.id INTO v_station FROM sawt.stations s
	WHERE s.election_id = v_election AND s.code = p_station;
	IF v_station IS NULL OR (v_mine IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM sawt.analytics_station_areas sa
		WHERE sa.station_id = v_station AND sa.area_id = ANY (v_mine))) THEN
		v_result := 'review_not_yours';
	ELSIF p_action = 'quarantine' AND v_reason IS NULL THEN
		v_result := 'review_no_reason';
	ELSIF p_action = 'verify' THEN
		FOR v_report IN SELECT r.id FROM sawt.reports r
			WHERE r.station_id = v_station AND r.outcome <> 'rejected'
			  AND r.review_state IN ('needs_review', 'quarantined')
			ORDER BY r.id LOOP
			IF sawt.review_set(v_report, 'verified', p_person, 'sms',
				COALESCE(v_reason, 'verified by SMS')) THEN
				v_changed := v_changed + 1;
			END IF;
		END LOOP;
		v_result := CASE WHEN v_changed > 0 THEN 'review_verified' ELSE 'review_nothing' END;
	ELSE
		SELECT r.id INTO v_report FROM sawt.reports r
		JOIN sawt.inbound_messages i ON i.id = r.inbound_id
		WHERE r.station_id = v_station AND sawt.report_counts(r.outcome, r.review_state)
		ORDER BY COALESCE(i.smsc_time, i.received_at) DESC, r.id DESC LIMIT 1;
		IF v_report IS NOT NULL AND sawt.review_set(v_report, 'quarantined', p_person, 'sms',
			v_reason) THEN
			v_changed := 1;
		END IF;
		v_result := CASE WHEN v_changed > 0 THEN 'review_quarantined' ELSE 'review_nothing' END;
	END IF;
	UPDATE sawt.inbound_messages SET state = 'processed', processed_at = now(),
		error_code = CASE WHEN v_changed > 0 THEN NULL ELSE v_result END
	WHERE id = p_inbound;
	INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, inbound_id)
	VALUES (v_sender, CASE v_result WHEN 'review_verified' THEN p_verified
		WHEN 'review_quarantined' THEN p_quarantined WHEN 'review_nothing' THEN p_nothing
		WHEN 'review_not_yours' THEN p_not_yours ELSE p_no_reason END,
		2, 'reply', p_person, p_inbound);
	RETURN QUERY SELECT 1, v_result, v_changed;
END;
$$;
