-- 0018_pvt.sql - the quick count (parallel vote tabulation, issue 21):
-- samples of stations and the estimates with their margins of error.
-- docs/pvt.md gives the formulas beside Apollo's; src/core/pvt.c computes
-- the same in C for `sawt pvt` (tests/integration/pvt.sh checks that both
-- agree).
--
-- Which reports count: the current ones of sawt.analytics_current (not
-- rejected, not superseded; the newest when several remain), through
-- sawt.analytics_turnout and sawt.analytics_results, exactly what the
-- other analytics views count.  Review states (quarantined, rejected by a
-- reviewer: issue 19) plug in there, in analytics_current, and reach the
-- quick count with no change here.
--
-- Sample membership lives in schema sawt only: analysts see estimates and
-- coverage per stratum, never which stations are in a sample, and nothing
-- here reaches observers.

-- A named sample of one election.  strata is how it was stratified:
-- 'none', 'region' or 'district' (a station directly in its region is in
-- its region's stratum), 'imported' for `sawt import sample`.
CREATE TABLE sawt.pvt_samples (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	name            text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,40}$'),
	strata          text NOT NULL
		CHECK (strata IN ('none', 'region', 'district', 'imported')),
	size            integer NOT NULL CHECK (size > 0),
	seed            bigint,
	created_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (election_id, name)
);

-- Each stratum of a sample: its population when the sample was drawn
-- (stations, registered voters) and how many stations were drawn.
CREATE TABLE sawt.pvt_sample_strata (
	sample_id       integer NOT NULL REFERENCES sawt.pvt_samples(id) ON DELETE CASCADE,
	stratum         text NOT NULL,
	stations        integer NOT NULL CHECK (stations > 0),
	registered      bigint NOT NULL CHECK (registered >= 0),
	drawn           integer NOT NULL CHECK (drawn > 0 AND drawn <= stations),
	PRIMARY KEY (sample_id, stratum)
);

-- The stations of a sample.  A station may be in several samples.
CREATE TABLE sawt.pvt_sample_stations (
	sample_id       integer NOT NULL,
	station_id      integer NOT NULL REFERENCES sawt.stations(id),
	stratum         text NOT NULL,
	PRIMARY KEY (sample_id, station_id),
	FOREIGN KEY (sample_id, stratum) REFERENCES sawt.pvt_sample_strata
		ON DELETE CASCADE
);

-- The current reports of sample stations: the rule of
-- sawt.analytics_current (0006: not rejected, not superseded, the newest
-- by id when several remain), restated per sample station (LATERAL, by
-- index reports_current_idx) so that PostgreSQL computes it for those
-- stations only
-- (computing analytics_current for every station of a 20,000-station
-- election and joining afterwards costs ten times the 50 ms the quick
-- count may take).  Change both together: tests/integration/pvt.sh checks
-- that they agree.  Review states (issue 19) must be excluded here too.
CREATE VIEW sawt.pvt_current AS
SELECT c.id, c.inbound_id, c.station_id, c.form, c.ckey, c.voters, c.women,
	c.counts, c.invalid, c.blank
FROM (SELECT DISTINCT station_id FROM sawt.pvt_sample_stations) x
CROSS JOIN LATERAL (
	SELECT r.*,
		CASE WHEN r.form = 'results' THEN r.contest_id ELSE 0 END AS ckey,
		row_number() OVER (PARTITION BY r.form,
			CASE WHEN r.form = 'results' THEN r.contest_id ELSE 0 END
			ORDER BY r.id DESC) AS rn
	FROM sawt.reports r
	WHERE r.station_id = x.station_id
		AND r.outcome <> 'rejected' AND r.superseded_by IS NULL
		AND r.form IN ('turnout', 'close', 'results')
) c
WHERE c.rn = 1;

-- One row per sample station and item with a figure: y over x.  ikey is
-- the candidate's position (1..n) or -1 invalid, -2 blank (of the ballots
-- cast: valid + invalid + blank), -3 turnout (voters of registered), -4
-- women_share (women of voters), -5 women_turnout (women of registered
-- women).  contest_id is 0 for the turnout items.  The turnout figure is
-- the close report's, else the turnout report's (as
-- sawt.analytics_turnout); results count for contests on the station's
-- ballot (as sawt.analytics_results).  Stations without registered voters
-- are left out.
CREATE VIEW sawt.pvt_station_figures AS
WITH st AS (
	SELECT ss.sample_id, ss.station_id, ss.stratum,
		s.registered::float8 AS registered,
		s.registered_women::float8 AS registered_women
	FROM sawt.pvt_sample_stations ss
	JOIN sawt.stations s ON s.id = ss.station_id
	WHERE s.registered > 0
), cur AS MATERIALIZED (
	SELECT * FROM sawt.pvt_current
), turnout AS (
	SELECT DISTINCT ON (c.station_id) c.station_id, c.inbound_id, c.voters, c.women
	FROM cur c
	WHERE c.form IN ('close', 'turnout') AND c.voters IS NOT NULL
	ORDER BY c.station_id, (c.form = 'close') DESC
), results AS (
	SELECT c.* FROM cur c
	JOIN sawt.station_contests sc
		ON sc.station_id = c.station_id AND sc.contest_id = c.ckey
	WHERE c.form = 'results'
)
SELECT st.sample_id, 0 AS contest_id, k.ikey, st.stratum, k.y, k.x,
	im.received_at AS reported_at
FROM st
JOIN turnout t ON t.station_id = st.station_id
LEFT JOIN sawt.inbound_messages im ON im.id = t.inbound_id
CROSS JOIN LATERAL (VALUES
	(-3, t.voters::float8, st.registered),
	(-4, t.women::float8, t.voters::float8),
	(-5, t.women::float8, st.registered_women)) k (ikey, y, x)
WHERE k.y IS NOT NULL AND k.x IS NOT NULL
UNION ALL
SELECT st.sample_id, r.ckey, k.ikey, st.stratum, k.y, k.x,
	im.received_at
FROM st
JOIN results r ON r.station_id = st.station_id
LEFT JOIN sawt.inbound_messages im ON im.id = r.inbound_id
CROSS JOIN LATERAL (SELECT COALESCE(sum(v), 0)::float8 AS valid,
	COALESCE(sum(v), 0)::float8 + COALESCE(r.invalid, 0) + COALESCE(r.blank, 0) AS cast_
	FROM unnest(r.counts) v) b
CROSS JOIN LATERAL (
	SELECT u.o::integer, u.c::float8, b.valid
	FROM unnest(r.counts) WITH ORDINALITY u (c, o)
	UNION ALL
	VALUES (-1, r.invalid::float8, b.cast_), (-2, r.blank::float8, b.cast_)
) k (ikey, y, x)
WHERE k.y IS NOT NULL;

-- Per sample, moment, contest, item and stratum (every stratum of the
-- sample, reported or not): population N_h, drawn, reported n_h and the
-- sums of y, x, y^2, x^2 and xy over the reporting stations.  kind 'now'
-- rows (cutoff 'infinity') count every report so far: `sawt pvt` reads
-- them and computes with src/core/pvt.c.  kind 'convergence' rows count
-- the reports received before cutoff, the end of each 10-minute interval
-- in which a sample report arrived.  The two kinds are separate branches
-- so that a query naming one kind never computes the other (PostgreSQL
-- folds the other branch's kind = '...' to false).
CREATE VIEW sawt.pvt_strata_sums AS
SELECT * FROM (
	WITH f AS MATERIALIZED (
		SELECT * FROM sawt.pvt_station_figures
	), sums AS (
		SELECT f.sample_id, f.contest_id, f.ikey, f.stratum,
			count(*) AS n, sum(f.y) AS sy, sum(f.x) AS sx,
			sum(f.y * f.y) AS syy, sum(f.x * f.x) AS sxx, sum(f.x * f.y) AS sxy
		FROM f GROUP BY 1, 2, 3, 4
	), items AS (
		SELECT DISTINCT sample_id, contest_id, ikey FROM sums
	)
	SELECT 'now'::text AS kind, timestamptz 'infinity' AS cutoff,
		i.sample_id, i.contest_id, i.ikey, ps.stratum,
		ps.stations AS population, ps.drawn,
		COALESCE(s.n, 0) AS n, COALESCE(s.sy, 0) AS sy, COALESCE(s.sx, 0) AS sx,
		COALESCE(s.syy, 0) AS syy, COALESCE(s.sxx, 0) AS sxx,
		COALESCE(s.sxy, 0) AS sxy
	FROM items i
	JOIN sawt.pvt_sample_strata ps ON ps.sample_id = i.sample_id
	LEFT JOIN sums s ON s.sample_id = i.sample_id AND s.contest_id = i.contest_id
		AND s.ikey = i.ikey AND s.stratum = ps.stratum
) now_
UNION ALL
SELECT * FROM (
	WITH f AS MATERIALIZED (
		SELECT * FROM sawt.pvt_station_figures
	), cutoffs AS (
		SELECT DISTINCT sample_id,
			date_bin('10 minutes', reported_at, timestamptz '2000-01-01 00:00+00')
				+ interval '10 minutes' AS cutoff
		FROM f WHERE reported_at IS NOT NULL
	), sums AS (
		SELECT c.sample_id, c.cutoff, f.contest_id, f.ikey, f.stratum,
			count(*) AS n, sum(f.y) AS sy, sum(f.x) AS sx,
			sum(f.y * f.y) AS syy, sum(f.x * f.x) AS sxx, sum(f.x * f.y) AS sxy
		FROM cutoffs c
		JOIN f ON f.sample_id = c.sample_id AND f.reported_at < c.cutoff
		GROUP BY 1, 2, 3, 4, 5
	), items AS (
		SELECT DISTINCT sample_id, cutoff, contest_id, ikey FROM sums
	)
	SELECT 'convergence'::text, i.cutoff,
		i.sample_id, i.contest_id, i.ikey, ps.stratum,
		ps.stations, ps.drawn,
		COALESCE(s.n, 0), COALESCE(s.sy, 0), COALESCE(s.sx, 0),
		COALESCE(s.syy, 0), COALESCE(s.sxx, 0), COALESCE(s.sxy, 0)
	FROM items i
	JOIN sawt.pvt_sample_strata ps ON ps.sample_id = i.sample_id
	LEFT JOIN sums s ON s.sample_id = i.sample_id AND s.cutoff = i.cutoff
		AND s.contest_id = i.contest_id AND s.ikey = i.ikey
		AND s.stratum = ps.stratum
) convergence_;

-- The combined ratio estimator (docs/pvt.md; src/core/pvt.c):
--   w_h = N_h / n_h, R = sum w_h sy_h / sum w_h sx_h = Y / X,
--   Var(R) = sum_h N_h^2 (1 - n_h/N_h) / n_h * s2_h / X^2,
--   s2_h = [syy - 2R sxy + R^2 sxx - (sy - R sx)^2 / n_h] / (n_h - 1).
-- No margin (std_error NULL) while a stratum has fewer than two reports:
-- short_strata names them.
CREATE VIEW sawt.pvt_formula AS
WITH r AS (
	SELECT s.*,
		sum(CASE WHEN s.n > 0 THEN s.population::float8 / s.n * s.sy END)
			OVER g AS y_hat,
		sum(CASE WHEN s.n > 0 THEN s.population::float8 / s.n * s.sx END)
			OVER g AS x_hat
	FROM sawt.pvt_strata_sums s
	WINDOW g AS (PARTITION BY s.kind, s.sample_id, s.cutoff, s.contest_id, s.ikey)
), t AS (
	SELECT r.*, r.y_hat / NULLIF(r.x_hat, 0) AS ratio FROM r
)
SELECT kind, sample_id, cutoff, contest_id, ikey,
	max(ratio) AS estimate,
	CASE WHEN bool_and(n >= 2) AND max(x_hat) > 0 THEN
		sqrt(sum(CASE WHEN n >= 2 THEN
			population::float8 * population * (1 - n::float8 / population) / n
			* greatest(syy - 2 * ratio * sxy + ratio * ratio * sxx
				- (sy - ratio * sx) ^ 2 / n, 0) / (n - 1) END))
		/ max(x_hat) END AS std_error,
	sum(n) AS stations_reported, sum(drawn) AS stations_in_sample,
	string_agg(stratum, ', ' ORDER BY stratum) FILTER (WHERE n < 2) AS short_strata
FROM t
GROUP BY kind, sample_id, cutoff, contest_id, ikey;

-- Item names: the candidate (ikey > 0) or the item's word.
CREATE VIEW sawt.pvt_items AS
SELECT f.kind, f.sample_id, f.cutoff, f.contest_id, f.ikey,
	co.code AS contest_code,
	CASE f.ikey WHEN -1 THEN 'invalid' WHEN -2 THEN 'blank'
		WHEN -3 THEN 'turnout' WHEN -4 THEN 'women_share'
		WHEN -5 THEN 'women_turnout' ELSE ca.name END AS item,
	CASE WHEN f.ikey > 0 THEN f.ikey END AS position,
	f.estimate, f.std_error, f.stations_reported, f.stations_in_sample,
	f.short_strata
FROM sawt.pvt_formula f
LEFT JOIN sawt.contests co ON co.id = f.contest_id
LEFT JOIN sawt.candidates ca ON ca.contest_id = f.contest_id AND ca.position = f.ikey;

-- ---------------------------------------------------------------------
-- Views for analysts.  Percentages (0..100) to two decimals; std_error,
-- moe95 and moe99 NULL when a stratum has fewer than two reports
-- (no_margin says which).  contest is NULL for turnout, women_share and
-- women_turnout.
-- ---------------------------------------------------------------------

CREATE VIEW analytics.pvt_estimates WITH (security_barrier) AS
SELECT e.name AS election, p.name AS sample, p.strata, i.contest_code AS contest,
	i.item, i.position,
	round((100 * i.estimate)::numeric, 2) AS estimate,
	round((100 * i.std_error)::numeric, 2) AS std_error,
	round((100 * 1.959963984540054 * i.std_error)::numeric, 2) AS moe95,
	round((100 * 2.5758293035489004 * i.std_error)::numeric, 2) AS moe99,
	i.stations_reported, i.stations_in_sample,
	round(100.0 * i.stations_reported / NULLIF(i.stations_in_sample, 0), 1)
		AS coverage_pct,
	CASE WHEN i.short_strata IS NOT NULL THEN
		'fewer than two reports in stratum ' || i.short_strata END AS no_margin
FROM sawt.pvt_items i
JOIN sawt.pvt_samples p ON p.id = i.sample_id
JOIN sawt.elections e ON e.id = p.election_id
WHERE i.kind = 'now';

-- The estimates after each 10-minute interval in which sample reports
-- arrived: at is the end of the interval; every report received before it
-- counts, each station from the arrival of its current report (a station
-- corrected later enters at the correction).
CREATE VIEW analytics.pvt_convergence WITH (security_barrier) AS
SELECT e.name AS election, p.name AS sample, i.cutoff AS at,
	i.contest_code AS contest, i.item, i.position,
	round((100 * i.estimate)::numeric, 2) AS estimate,
	round((100 * 1.959963984540054 * i.std_error)::numeric, 2) AS moe95,
	round((100 * 2.5758293035489004 * i.std_error)::numeric, 2) AS moe99,
	i.stations_reported, i.stations_in_sample
FROM sawt.pvt_items i
JOIN sawt.pvt_samples p ON p.id = i.sample_id
JOIN sawt.elections e ON e.id = p.election_id
WHERE i.kind = 'convergence' AND i.stations_reported > 0;

GRANT SELECT ON analytics.pvt_estimates, analytics.pvt_convergence TO sawt_analyst;
