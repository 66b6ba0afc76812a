-- 0006_analytics.sql - the analysts' views (schema analytics).
--
-- Everything here is computed from sawt.reports and the registry at query
-- time: nothing is stored, so the views are always as fresh as the data.
-- docs/analysts.md documents every view with example queries.
--
-- Access.  The views in schema analytics are owned by the migrating role
-- and run with its rights, so role sawt_analyst reads them with SELECT on
-- the views alone and no privilege at all on schema sawt.  No view exposes
-- a phone number: people appear only as their keyed pseudonym
-- (people.pseudonym), and free text (messages, incident text, alert
-- messages) goes through analytics.mask_phones().  The views are
-- security_barrier so an analyst's own functions cannot see rows or values
-- a view leaves out.
--
-- The current report.  For a station and form (and contest, for results)
-- the current report is the newest one with outcome <> 'rejected' and
-- superseded_by IS NULL.  Its figure carries conflict = true when the
-- report is flagged 'conflict' (another observer sent different figures:
-- the pipeline keeps both, the newer current) or when more than one such
-- report remains (then the newest by id is used).
--
-- Helper views live in schema sawt (prefix analytics_), out of analysts'
-- reach.  Percentages are numeric, 0..100, rounded to one decimal; NULL
-- when the denominator is zero or unknown.

-- Free text with phone-number-like runs replaced by '[number]': '+' and at
-- least 7 digits (spaces, dots, dashes and brackets allowed between them),
-- or 8 or more digits in a row.  ASCII, Arabic-Indic, Eastern
-- Arabic-Indic and full-width digits count.  Best effort: it cannot
-- recognise a number written with spaces and no '+'.
CREATE FUNCTION analytics.mask_phones(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT regexp_replace(t,
		'\+[ ]*[0-9\u0660-\u0669\u06F0-\u06F9\uFF10-\uFF19]'
		'(?:[ .()-]*[0-9\u0660-\u0669\u06F0-\u06F9\uFF10-\uFF19]){6,}'
		'|[0-9\u0660-\u0669\u06F0-\u06F9\uFF10-\uFF19]{8,}',
		'[number]', 'g')
$$;

-- Each area with the array of itself and every area above it.  The
-- recursion runs over the (small) areas table only, and its rows are
-- folded into one per area: the planner cannot guess the size of a
-- recursive query, and a guess fifty times too large, multiplied through
-- the joins below, makes it choose slow plans and JIT-compile them.
CREATE VIEW sawt.analytics_area_ancestors AS
WITH RECURSIVE up (area_id, ancestor_id) AS (
	SELECT a.id, a.id FROM sawt.areas a
	UNION ALL
	SELECT up.area_id, a.parent_id
	FROM up JOIN sawt.areas a ON a.id = up.ancestor_id
	WHERE a.parent_id IS NOT NULL
)
SELECT area_id, array_agg(ancestor_id) AS ancestors
FROM up GROUP BY area_id;

-- Each station with every area it lies in: its own (deepest) area and all
-- the ancestors of that area.
CREATE VIEW sawt.analytics_station_areas AS
SELECT s.id AS station_id, x.area_id
FROM sawt.stations s
JOIN sawt.analytics_area_ancestors aa ON aa.area_id = s.area_id
CROSS JOIN LATERAL unnest(aa.ancestors) x (area_id);

-- Each station's region (depth 1) and district (depth 2, NULL when the
-- station lies directly in its region).
CREATE VIEW sawt.analytics_station_place AS
SELECT sa.station_id,
	max(a.name) FILTER (WHERE a.depth = 1) AS region,
	max(a.name) FILTER (WHERE a.depth = 2) AS district
FROM sawt.analytics_station_areas sa
JOIN sawt.areas a ON a.id = sa.area_id
GROUP BY sa.station_id;

-- The groups figures are aggregated over: every area, and each whole
-- election (area_id NULL, gkey 0).  gkey = COALESCE(area_id, 0) so that
-- joins on it are plain equality.
CREATE VIEW sawt.analytics_groups AS
SELECT a.election_id, a.id AS gkey, a.id AS area_id, a.name AS area,
	CASE a.depth WHEN 1 THEN 'region' WHEN 2 THEN 'district'
		ELSE 'level ' || a.depth END AS level,
	a.depth::integer AS depth, p.name AS parent
FROM sawt.areas a
LEFT JOIN sawt.areas p ON p.id = a.parent_id
UNION ALL
SELECT e.id, 0, NULL, e.name, 'election', 0, NULL
FROM sawt.elections e;

-- Station membership of those groups: one row per (group, station).
CREATE VIEW sawt.analytics_group_stations AS
SELECT s.election_id, x.gkey, s.id AS station_id
FROM sawt.stations s
JOIN sawt.analytics_area_ancestors aa ON aa.area_id = s.area_id
CROSS JOIN LATERAL unnest(aa.ancestors || 0) x (gkey);

-- The current report of each station, form and contest (see above), with
-- its conflict mark.  ckey is the contest for results and 0 for the other
-- forms (0, not NULL, so that joins on it are plain equality).  Incidents
-- are not included: each incident stands on its own.
CREATE VIEW sawt.analytics_current AS
SELECT id, election_id, inbound_id, person_id, station_id, form, ckey,
	outcome, flags, voters, women, men, counts, invalid, blank, total,
	open_time, conflict
FROM (
	SELECT r.*,
		CASE WHEN r.form = 'results' THEN r.contest_id ELSE 0 END AS ckey,
		(count(*) OVER w > 1 OR 'conflict' = ANY (r.flags)) AS conflict,
		row_number() OVER (w ORDER BY r.id DESC) AS rn
	FROM sawt.reports r
	WHERE r.outcome <> 'rejected' AND r.superseded_by IS NULL
		AND r.station_id IS NOT NULL
		AND r.form IN ('open', 'turnout', 'close', 'results')
	WINDOW w AS (PARTITION BY r.station_id, r.form,
		CASE WHEN r.form = 'results' THEN r.contest_id ELSE 0 END)
) c
WHERE rn = 1;

-- The turnout figure of each station that has one: its current close
-- report when there is one, else its current turnout report.  men is
-- derived (voters - women) when the observer gave only W.
CREATE VIEW sawt.analytics_turnout AS
SELECT DISTINCT ON (c.station_id)
	c.station_id, c.id AS report_id, c.inbound_id, c.form,
	c.voters, c.women, COALESCE(c.men, c.voters - c.women) AS men,
	c.flags, c.conflict
FROM sawt.analytics_current c
WHERE c.form IN ('close', 'turnout') AND c.voters IS NOT NULL
ORDER BY c.station_id, (c.form = 'close') DESC;

-- The current results report of each station and contest on its ballot.
CREATE VIEW sawt.analytics_results AS
SELECT c.*
FROM sawt.analytics_current c
JOIN sawt.station_contests sc
	ON sc.station_id = c.station_id AND sc.contest_id = c.ckey
WHERE c.form = 'results';

-- ---------------------------------------------------------------------
-- Views for analysts
-- ---------------------------------------------------------------------

CREATE VIEW analytics.station_turnout WITH (security_barrier) AS
SELECT s.code AS station_code, s.name AS station_name,
	p.region, p.district, s.registered, s.registered_women,
	t.voters, t.women, t.men,
	round(100.0 * t.women / NULLIF(t.voters, 0), 1) AS women_share,
	round(100.0 * t.voters / NULLIF(s.registered, 0), 1) AS turnout_pct,
	round(100.0 * t.women / NULLIF(s.registered_women, 0), 1) AS women_turnout_pct,
	im.received_at AS reported_at,
	COALESCE(t.flags, '{}') AS flags, COALESCE(t.conflict, false) AS conflict,
	t.form AS source, s.centre, e.name AS election
FROM sawt.stations s
JOIN sawt.elections e ON e.id = s.election_id
LEFT JOIN sawt.analytics_station_place p ON p.station_id = s.id
LEFT JOIN sawt.analytics_turnout t ON t.station_id = s.id
LEFT JOIN sawt.inbound_messages im ON im.id = t.inbound_id
ORDER BY e.name, p.region, p.district NULLS FIRST, length(s.code), s.code;

-- Turnout per area and per election.  Rates are computed over the
-- stations that reported (registered_reporting), women's figures over the
-- stations whose report gave the number of women (women is NULL when none
-- did).
CREATE VIEW analytics.area_turnout WITH (security_barrier) AS
WITH agg AS (
	SELECT gs.election_id, gs.gkey,
		count(*) AS stations_total,
		count(t.voters) AS stations_reporting,
		sum(s.registered) AS registered,
		sum(s.registered_women) AS registered_women,
		sum(s.registered) FILTER (WHERE t.voters IS NOT NULL) AS registered_reporting,
		sum(t.voters) AS voters,
		sum(t.women) AS women,
		sum(t.voters) FILTER (WHERE t.women IS NOT NULL) AS voters_w,
		sum(s.registered_women) FILTER (WHERE t.women IS NOT NULL) AS registered_women_w
	FROM sawt.analytics_group_stations gs
	JOIN sawt.stations s ON s.id = gs.station_id
	LEFT JOIN sawt.analytics_turnout t ON t.station_id = gs.station_id
	GROUP BY gs.election_id, gs.gkey
)
SELECT g.area, g.level,
	COALESCE(a.stations_total, 0) AS stations_total,
	COALESCE(a.stations_reporting, 0) AS stations_reporting,
	COALESCE(a.registered, 0) AS registered,
	COALESCE(a.voters, 0) AS voters,
	a.women,
	round(100.0 * a.women / NULLIF(a.voters_w, 0), 1) AS women_share,
	round(100.0 * a.voters / NULLIF(a.registered_reporting, 0), 1) AS turnout_pct,
	round(100.0 * a.women / NULLIF(a.registered_women_w, 0), 1) AS women_turnout_pct,
	COALESCE(a.registered_women, 0) AS registered_women,
	COALESCE(a.registered_reporting, 0) AS registered_reporting,
	g.parent, g.depth, e.name AS election
FROM sawt.analytics_groups g
JOIN sawt.elections e ON e.id = g.election_id
LEFT JOIN agg a ON a.election_id = g.election_id AND a.gkey = g.gkey
ORDER BY e.name, g.depth, g.parent NULLS FIRST, g.area;

-- Results per contest: one row per candidate in ballot order, then one
-- row for invalid and one for blank ballots (kind tells them apart).
CREATE VIEW analytics.results WITH (security_barrier) AS
WITH per_contest AS (
	SELECT k.id AS contest_id,
		(SELECT count(*) FROM sawt.station_contests sc
			WHERE sc.contest_id = k.id) AS stations_total,
		count(r.id) AS stations_reporting,
		count(r.id) FILTER (WHERE r.conflict) AS stations_conflict,
		COALESCE(sum(r.invalid), 0) AS invalid,
		COALESCE(sum(r.blank), 0) AS blank
	FROM sawt.contests k
	LEFT JOIN sawt.analytics_results r ON r.ckey = k.id
	GROUP BY k.id
),
per_candidate AS (
	SELECT cd.contest_id, cd.position, cd.name,
		COALESCE(sum(r.counts[cd.position]), 0) AS votes
	FROM sawt.candidates cd
	LEFT JOIN sawt.analytics_results r ON r.ckey = cd.contest_id
	GROUP BY cd.contest_id, cd.position, cd.name
),
lines AS (
	SELECT contest_id, 'candidate' AS kind, position, name AS candidate,
		votes, sum(votes) OVER (PARTITION BY contest_id) AS valid
	FROM per_candidate
),
all_lines AS (
	SELECT l.contest_id, l.kind, l.position, l.candidate, l.votes, l.valid
	FROM lines l
	UNION ALL
	SELECT pc.contest_id, v.kind, NULL, v.label, v.votes, NULL
	FROM per_contest pc
	CROSS JOIN LATERAL (VALUES ('invalid', '(invalid)', pc.invalid),
				   ('blank', '(blank)', pc.blank)) v (kind, label, votes)
),
ballots AS (
	SELECT contest_id, sum(votes) AS ballots FROM all_lines GROUP BY contest_id
)
SELECT k.name AS contest, l.position, l.candidate, l.votes,
	round(100.0 * l.votes / NULLIF(l.valid, 0), 1) AS vote_share,
	pc.stations_reporting, pc.stations_total,
	l.kind,
	round(100.0 * l.votes / NULLIF(b.ballots, 0), 1) AS ballot_share,
	pc.stations_conflict,
	k.code AS contest_code, e.name AS election
FROM all_lines l
JOIN sawt.contests k ON k.id = l.contest_id
JOIN sawt.elections e ON e.id = k.election_id
JOIN per_contest pc ON pc.contest_id = l.contest_id
JOIN ballots b ON b.contest_id = l.contest_id
ORDER BY e.name, k.code, l.position NULLS LAST, l.kind DESC;

-- Reporting progress per form (results: per contest) and group.  Each
-- station's expected forms are matched with its current reports first,
-- then counted per group.
CREATE VIEW analytics.reporting_progress WITH (security_barrier) AS
WITH expected AS (
	SELECT s.id AS station_id, f.form, f.ord, 0 AS ckey
	FROM sawt.stations s
	CROSS JOIN (VALUES ('open', 1), ('turnout', 2), ('close', 3)) f (form, ord)
	UNION ALL
	SELECT sc.station_id, 'results', 4, sc.contest_id
	FROM sawt.station_contests sc
),
per_station AS (
	SELECT x.station_id, x.form, x.ord, x.ckey,
		c.id IS NOT NULL AS received, COALESCE(c.conflict, false) AS conflict
	FROM expected x
	LEFT JOIN sawt.analytics_current c ON c.station_id = x.station_id
		AND c.form = x.form AND c.ckey = x.ckey
),
agg AS (
	SELECT gs.election_id, gs.gkey, p.form, p.ord, p.ckey,
		count(*) AS expected,
		count(*) FILTER (WHERE p.received) AS received,
		count(*) FILTER (WHERE p.conflict) AS conflicts
	FROM per_station p
	JOIN sawt.analytics_group_stations gs ON gs.station_id = p.station_id
	GROUP BY gs.election_id, gs.gkey, p.form, p.ord, p.ckey
)
SELECT a.form, g.area, a.expected, a.received,
	round(100.0 * a.received / NULLIF(a.expected, 0), 1) AS pct,
	g.level, g.parent, k.code AS contest, a.conflicts, g.depth,
	e.name AS election
FROM agg a
JOIN sawt.analytics_groups g ON g.election_id = a.election_id AND g.gkey = a.gkey
JOIN sawt.elections e ON e.id = a.election_id
LEFT JOIN sawt.contests k ON k.id = a.ckey
ORDER BY e.name, g.depth, g.parent NULLS FIRST, g.area, a.ord, k.code;

-- Every incident report that was not rejected.  open: no coordinator has
-- acknowledged an alert about it (an incident without alert stays open).
CREATE VIEW analytics.incidents WITH (security_barrier) AS
SELECT r.id AS incident_id, im.received_at AS reported_at,
	s.code AS station_code, s.name AS station_name, p.region, p.district,
	r.incident_code AS code, ic.severity,
	COALESCE(ic.name_en, ic.name_fr, ic.name_ar) AS incident,
	analytics.mask_phones(r.text) AS text,
	pe.pseudonym AS observer,
	r.flags,
	COALESCE(al.n, 0) > 0 AS alerted,
	CASE WHEN al.all_ack THEN al.ack_at END AS acknowledged_at,
	NOT COALESCE(al.all_ack, false) AS open,
	ic.name_ar AS incident_ar, ic.name_fr AS incident_fr,
	e.name AS election
FROM sawt.reports r
JOIN sawt.elections e ON e.id = r.election_id
JOIN sawt.inbound_messages im ON im.id = r.inbound_id
LEFT JOIN sawt.stations s ON s.id = r.station_id
LEFT JOIN sawt.analytics_station_place p ON p.station_id = r.station_id
LEFT JOIN sawt.incident_codes ic
	ON ic.election_id = r.election_id AND ic.code = r.incident_code
LEFT JOIN sawt.people pe ON pe.id = r.person_id
LEFT JOIN (
	SELECT report_id, count(*) AS n,
		bool_and(acknowledged_at IS NOT NULL) AS all_ack,
		max(acknowledged_at) AS ack_at
	FROM sawt.alerts WHERE report_id IS NOT NULL
	GROUP BY report_id
) al ON al.report_id = r.id
WHERE r.form = 'incident' AND r.outcome <> 'rejected'
	AND r.superseded_by IS NULL
ORDER BY r.id;

-- Every inbound message with what became of it: the message's state and
-- the outcome of its report (the newest, if a message made several).
CREATE VIEW analytics.message_log WITH (security_barrier) AS
SELECT im.id AS message_id, im.received_at, im.transport,
	pe.pseudonym, pe.role,
	im.state, r.form, r.outcome,
	COALESCE(r.error_code, im.error_code) AS error_code,
	COALESCE(r.flags, '{}') AS flags,
	COALESCE(s.code, r.station_code) AS station_code,
	r.superseded_by IS NOT NULL AS superseded,
	im.no_reply_reason,
	analytics.mask_phones(im.text) AS text,
	im.node, im.modem, im.processed_at, r.id AS report_id,
	e.name AS election
FROM sawt.inbound_messages im
LEFT JOIN sawt.people pe ON pe.id = im.person_id
LEFT JOIN sawt.reports r ON r.inbound_id = im.id
	AND NOT EXISTS (SELECT 1 FROM sawt.reports n
		WHERE n.inbound_id = im.id AND n.id > r.id)
LEFT JOIN sawt.stations s ON s.id = r.station_id
LEFT JOIN sawt.elections e ON e.id = COALESCE(r.election_id, pe.election_id)
ORDER BY im.id;

-- Alerts for coordinators.  acknowledged_by is the coordinator's
-- pseudonym; open: not acknowledged yet.
CREATE VIEW analytics.alerts WITH (security_barrier) AS
SELECT a.id AS alert_id, a.created_at, a.kind, a.severity,
	s.code AS station_code, COALESCE(ar.name, sar.name) AS area,
	analytics.mask_phones(a.message) AS message,
	a.acknowledged_at IS NULL AS open,
	a.acknowledged_at, ack.pseudonym AS acknowledged_by,
	a.report_id AS incident_id, e.name AS election
FROM sawt.alerts a
LEFT JOIN sawt.stations s ON s.id = a.station_id
LEFT JOIN sawt.areas ar ON ar.id = a.area_id
LEFT JOIN sawt.areas sar ON sar.id = s.area_id
LEFT JOIN sawt.people ack ON ack.id = a.acknowledged_by
LEFT JOIN sawt.elections e ON e.id = COALESCE(a.election_id, s.election_id, ar.election_id)
ORDER BY a.id;

-- The analysts read schema analytics only (0004 set this up; repeated
-- here so the grants do not depend on who ran 0004).
GRANT USAGE ON SCHEMA analytics TO sawt_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO sawt_analyst;
GRANT EXECUTE ON FUNCTION analytics.mask_phones(text) TO sawt_analyst;
