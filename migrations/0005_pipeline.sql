-- 0005_pipeline.sql - the store of the processing pipeline: tallies, the
-- turnout views built on them, and sawt.ingest_batch(), which records a
-- batch of messages sawtd has parsed and validated in ONE transaction.
--
-- sawtd decides everything the registry can tell (see src/validate.c);
-- this function decides what only the database can tell, under row locks
-- so that several sawtd nodes may share one database:
--   duplicate         the same inbound message again (same dedup key):
--                     nothing new is stored; the earlier outcome is
--                     returned and its reply queued again (unless a copy
--                     is still waiting in the outbox);
--   resend            the same observer sends the same figures again:
--                     recorded (flag resend, superseded by the original
--                     at once), acknowledged, not counted again;
--   supersede         a newer accepted report for the same station, form
--                     and contest replaces the current one (its
--                     superseded_by is set; history is kept); incidents
--                     never supersede each other;
--   turnout_decrease  cumulative turnout lower than the station's current
--                     figure: accepted as a correction, flagged;
--   conflict          close or results from another observer that differ
--                     from the current ones: both kept (the newer one is
--                     current), report and station tally flagged.

-- The current figures of each station, one row per station, form and
-- contest (contest_id 0 for forms without one).  report_id is the current
-- report; the figures are copied from it.  For incidents, reports counts
-- the accepted incidents (resends excluded); for the other forms, the
-- accepted reports folded in.
CREATE TABLE sawt.tallies (
	station_id      integer NOT NULL REFERENCES sawt.stations(id),
	form            text NOT NULL
		CHECK (form IN ('open', 'turnout', 'close', 'results', 'incident')),
	contest_id      integer NOT NULL DEFAULT 0,
	report_id       bigint,         -- sawt.reports(id); no FK: kept by ingest_batch
	person_id       integer,        -- sawt.people(id), the current report's
	open_time       time,
	voters          integer,
	women           integer,
	men             integer,
	counts          integer[],
	invalid         integer,
	blank           integer,
	total           integer,
	incident_code   integer,
	reports         integer NOT NULL DEFAULT 0,
	conflict        boolean NOT NULL DEFAULT false,
	corrected       boolean NOT NULL DEFAULT false,
	first_at        timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (station_id, form, contest_id)
);
CREATE INDEX tallies_report_idx ON sawt.tallies (report_id);

-- Turnout per station: the close figures when the station has closed,
-- else the latest cumulative turnout.  women_share_pct is women / voters
-- (the share of women among those who voted), women_rate_pct is women /
-- registered women (the turnout of women); NULL when a figure is missing.
CREATE VIEW sawt.station_turnout AS
SELECT s.election_id, s.id AS station_id, s.code, s.area_id,
       s.registered, s.registered_women, f.final, f.voters, f.women, f.men,
       round(100.0 * f.voters / NULLIF(s.registered, 0), 1) AS turnout_pct,
       round(100.0 * f.women / NULLIF(f.voters, 0), 1) AS women_share_pct,
       round(100.0 * f.women / NULLIF(s.registered_women, 0), 1) AS women_rate_pct,
       f.conflict, f.corrected, f.updated_at
FROM sawt.stations s
LEFT JOIN sawt.tallies t
	ON t.station_id = s.id AND t.form = 'turnout' AND t.contest_id = 0
LEFT JOIN sawt.tallies c
	ON c.station_id = s.id AND c.form = 'close' AND c.contest_id = 0
CROSS JOIN LATERAL (
	SELECT c.report_id IS NOT NULL AS final,
	       CASE WHEN c.report_id IS NOT NULL THEN c.voters ELSE t.voters END AS voters,
	       CASE WHEN c.report_id IS NOT NULL THEN c.women ELSE t.women END AS women,
	       CASE WHEN c.report_id IS NOT NULL THEN c.men ELSE t.men END AS men,
	       COALESCE(c.conflict, false) AS conflict,
	       COALESCE(t.corrected, false) OR COALESCE(c.corrected, false) AS corrected,
	       GREATEST(t.updated_at, c.updated_at) AS updated_at
) f;

-- Turnout per area, over the stations of the area and all areas below it.
-- Shares are computed over the stations that reported the figures
-- involved, so a station without a women figure does not pull them down.
CREATE VIEW sawt.area_turnout AS
WITH RECURSIVE tree (ancestor, area_id) AS (
	SELECT id, id FROM sawt.areas
	UNION ALL
	SELECT tree.ancestor, a.id FROM tree JOIN sawt.areas a ON a.parent_id = tree.area_id
)
SELECT a.election_id, a.id AS area_id, a.name, a.depth, a.parent_id,
       count(st.station_id) AS stations,
       count(st.voters) AS stations_reporting,
       count(*) FILTER (WHERE st.final) AS stations_closed,
       sum(st.registered) AS registered,
       sum(st.registered_women) AS registered_women,
       sum(st.voters) AS voters,
       sum(st.women) AS women,
       round(100.0 * sum(st.voters) FILTER (WHERE st.registered > 0)
	     / NULLIF(sum(st.registered) FILTER (WHERE st.voters IS NOT NULL), 0), 1)
	     AS turnout_pct,
       round(100.0 * sum(st.women) FILTER (WHERE st.voters IS NOT NULL)
	     / NULLIF(sum(st.voters) FILTER (WHERE st.women IS NOT NULL), 0), 1)
	     AS women_share_pct,
       round(100.0 * sum(st.women)
	     / NULLIF(sum(st.registered_women) FILTER (WHERE st.women IS NOT NULL), 0), 1)
	     AS women_rate_pct,
       count(*) FILTER (WHERE st.conflict) AS stations_conflict
FROM sawt.areas a
JOIN tree ON tree.ancestor = a.id
JOIN sawt.station_turnout st ON st.area_id = tree.area_id
GROUP BY a.id;


-- One message of a batch, as sawtd sends it (JSON keys = field names).
--   i               position in the batch (returned as o_seq)
--   dkey            dedup key, 64 hex digits
--   transport modem 'modem', 'http' or 'ussd'; the modem or source name
--   sender          E.164 when it is a phone number, else as received
--   smsc recv_ms    SMSC time (Unix s), when sawtd received it (Unix ms)
--   mp_ref mp_part mp_total  multipart reference, parts received, announced
--   txt person      the text; the sender's person id
--   in_state in_error no_reply  inbound state, error code, no-reply reason
--   form            report form (NULL: the message makes no report)
--   station station_code  station id (NULL: unknown), code as typed
--   verdict error flags   validation outcome, error code, flags
--   open_at voters women men  open time 'HH:MM', turnout figures
--   contest counts invalid blank total  results (counts: candidates only)
--   incident incident_text  incident code and text
--   recipient priority  reply recipient (NULL: no reply), outbox priority
--   reply reply_resend reply_decrease  reply body; the body for an
--                   identical resend; for a turnout decrease
--   alert_key alert_msg  a sender_flood alert, inserted once per key
CREATE TYPE sawt.ingest_msg AS (
	i integer, dkey text, transport text, modem text, sender text,
	smsc bigint, recv_ms bigint, mp_ref integer, mp_part smallint,
	mp_total smallint, txt text, person integer,
	in_state text, in_error text, no_reply text,
	form text, station integer, station_code text, verdict text, error text,
	flags text[], open_at text, voters integer, women integer, men integer,
	contest integer, counts integer[], invalid integer, blank integer,
	total integer, incident integer, incident_text text,
	recipient text, priority smallint, reply text, reply_resend text,
	reply_decrease text, alert_key text, alert_msg text
);

-- What ingest_batch returns for each message.
CREATE TYPE sawt.ingest_result AS (
	o_seq integer,
	o_inbound_id bigint,    -- the message's inbound row (the earlier one for a duplicate)
	o_duplicate boolean,
	o_outcome text,         -- NULL when the message made no report
	o_error_code text,
	o_flags text[],
	o_report_id bigint,
	o_replied boolean       -- a reply was queued in the outbox
);

-- Lock the tally rows the accepted reports of p_msgs will touch, creating
-- the missing ones, in key order (so two sawtd nodes never deadlock).
CREATE FUNCTION sawt.ingest_lock_tallies(p_msgs sawt.ingest_msg[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.tallies (station_id, form, contest_id)
	SELECT m.station, m.form, COALESCE(m.contest, 0) FROM unnest(p_msgs) m
	WHERE m.form IS NOT NULL AND m.verdict <> 'rejected'
	  AND NOT EXISTS (SELECT 1 FROM sawt.tallies t WHERE t.station_id = m.station
			  AND t.form = m.form AND t.contest_id = COALESCE(m.contest, 0))
	ORDER BY 1, 2, 3
	ON CONFLICT DO NOTHING;
	PERFORM 1 FROM sawt.tallies t
	JOIN unnest(p_msgs) m ON t.station_id = m.station AND t.form = m.form
		AND t.contest_id = COALESCE(m.contest, 0)
	WHERE m.form IS NOT NULL AND m.verdict <> 'rejected'
	ORDER BY t.station_id, t.form, t.contest_id
	FOR UPDATE OF t;
END;
$$;

-- Record a batch of messages in one transaction: see the top of this file.
-- p_batch is a JSON array of sawt.ingest_msg objects.  Within one batch,
-- dedup keys must be unique, and so must the (station, form, contest) of
-- accepted reports: sawtd puts a message that would repeat one into the
-- next batch, which then sees this one committed.  Returns one row per
-- message, in batch order.
CREATE FUNCTION sawt.ingest_batch(p_election integer, p_node text, p_batch jsonb)
RETURNS SETOF sawt.ingest_result
LANGUAGE plpgsql
-- A batch is small next to the tables it touches, and the planner cannot
-- know its size: every lookup must be an index probe, whatever the
-- statistics say.
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off
AS $$
DECLARE
	ms sawt.ingest_msg[];
BEGIN
	ms := ARRAY(SELECT x FROM jsonb_populate_recordset(NULL::sawt.ingest_msg, p_batch) x);
	IF (SELECT count(DISTINCT m.dkey) <> count(*) FROM unnest(ms) m)
	   OR EXISTS (SELECT 1 FROM unnest(ms) m WHERE m.form IS NOT NULL
		      AND m.verdict <> 'rejected'
		      GROUP BY m.station, m.form, m.contest HAVING count(*) > 1) THEN
		RAISE EXCEPTION 'ingest batch repeats a dedup key or a station report'
			USING ERRCODE = 'data_exception';
	END IF;
	PERFORM sawt.ingest_lock_tallies(ms);
	RETURN QUERY
	WITH m AS MATERIALIZED (
		-- every message, with the inbound row of an earlier copy (duplicate)
		SELECT x.*, decode(x.dkey, 'hex') AS dk,
		       x.form IS NOT NULL AND x.verdict <> 'rejected' AS accepted,
		       (SELECT i.id FROM sawt.inbound_messages i
			WHERE i.dedup_key = decode(x.dkey, 'hex')) AS old_in
		FROM unnest(ms) x
	),
	n AS MATERIALIZED (
		-- new messages, with their inbound and report ids taken now
		SELECT m.*, nextval('sawt.inbound_messages_id_seq') AS in_id,
		       CASE WHEN m.form IS NOT NULL
			    THEN nextval('sawt.reports_id_seq') END AS rep_id
		FROM m WHERE m.old_in IS NULL
	),
	f AS MATERIALIZED (
		-- accepted reports decided against the current figures (locked
		-- above): resend, decrease, conflict; then flags, outcome, reply
		SELECT n.*, t.report_id AS t_report, dd.resend_of, dd.decrease, dd.conflict,
		       g.flags AS w_flags,
		       CASE WHEN NOT n.accepted THEN 'rejected'
			    WHEN cardinality(g.flags) > 0 THEN 'accepted_flagged'
			    ELSE 'accepted' END AS outcome,
		       CASE WHEN dd.resend_of IS NOT NULL THEN COALESCE(n.reply_resend, n.reply)
			    WHEN dd.decrease THEN COALESCE(n.reply_decrease, n.reply)
			    ELSE n.reply END AS body
		FROM n
		LEFT JOIN sawt.tallies t ON n.accepted AND t.station_id = n.station
			AND t.form = n.form AND t.contest_id = COALESCE(n.contest, 0)
		CROSS JOIN LATERAL (SELECT CASE
			WHEN n.form = 'open' THEN t.open_time IS NOT DISTINCT FROM n.open_at::time
			WHEN n.form = 'results' THEN t.counts IS NOT DISTINCT FROM n.counts
				AND t.invalid IS NOT DISTINCT FROM n.invalid
				AND t.blank IS NOT DISTINCT FROM n.blank
				AND t.total IS NOT DISTINCT FROM n.total
			ELSE t.voters IS NOT DISTINCT FROM n.voters
				AND t.women IS NOT DISTINCT FROM n.women
				AND t.men IS NOT DISTINCT FROM n.men
			END AS same) s
		CROSS JOIN LATERAL (SELECT
			CASE WHEN NOT n.accepted THEN NULL
			     WHEN n.form = 'incident' THEN (
				SELECT r.id FROM sawt.reports r
				WHERE r.station_id = n.station AND r.form = 'incident'
				  AND r.contest_id IS NULL AND r.superseded_by IS NULL
				  AND r.outcome <> 'rejected' AND r.person_id = n.person
				  AND r.incident_code = n.incident
				  AND r.text IS NOT DISTINCT FROM n.incident_text
				ORDER BY r.id LIMIT 1)
			     WHEN t.report_id IS NOT NULL AND t.person_id = n.person AND s.same
			     THEN t.report_id END AS resend_of,
			COALESCE(n.accepted AND n.form IN ('turnout', 'close')
				AND n.voters < GREATEST(t.voters,
				CASE WHEN n.form = 'close' THEN (
					SELECT x.voters FROM sawt.tallies x
					WHERE x.station_id = n.station AND x.form = 'turnout'
					  AND x.contest_id = 0) END), false) AS decrease,
			COALESCE(n.accepted AND n.form IN ('close', 'results')
				AND t.report_id IS NOT NULL
				AND t.person_id IS DISTINCT FROM n.person AND NOT s.same,
				false) AS conflict) dd
		CROSS JOIN LATERAL (SELECT CASE WHEN NOT n.accepted THEN '{}'::text[]
			ELSE COALESCE(n.flags, '{}')
			|| CASE WHEN dd.resend_of IS NOT NULL THEN '{resend}'::text[] ELSE '{}' END
			|| CASE WHEN dd.resend_of IS NULL AND dd.decrease
				THEN '{turnout_decrease}'::text[] ELSE '{}' END
			|| CASE WHEN dd.resend_of IS NULL AND dd.conflict
				THEN '{conflict}'::text[] ELSE '{}' END END AS flags) g
	),
	ins_inbound AS (
		INSERT INTO sawt.inbound_messages (id, received_at, transport, node, modem,
			sender, smsc_time, multipart_ref, multipart_part, multipart_total,
			text, dedup_key, person_id, state, error_code, no_reply_reason,
			processed_at)
		SELECT f.in_id, to_timestamp(f.recv_ms / 1000.0), f.transport, p_node, f.modem,
			f.sender, to_timestamp(f.smsc), f.mp_ref, f.mp_part, f.mp_total, f.txt,
			f.dk, f.person, f.in_state, f.in_error, f.no_reply,
			CASE WHEN f.in_state <> 'received' THEN now() END
		FROM f ORDER BY f.i
	),
	ins_report AS (
		INSERT INTO sawt.reports (id, election_id, inbound_id, person_id, station_id,
			station_code, form, outcome, error_code, flags, superseded_by,
			open_time, voters, women, men, contest_id, counts, invalid, blank,
			total, incident_code, text)
		SELECT f.rep_id, p_election, f.in_id, f.person, f.station, f.station_code,
			f.form, f.outcome, CASE WHEN NOT f.accepted THEN f.error END, f.w_flags,
			f.resend_of, f.open_at::time, f.voters, f.women, f.men, f.contest,
			f.counts, f.invalid, f.blank, f.total, f.incident, f.incident_text
		FROM f WHERE f.rep_id IS NOT NULL
		ORDER BY f.i
	),
	supersede AS (
		UPDATE sawt.reports r SET superseded_by = f.rep_id
		FROM f
		WHERE r.id = f.t_report AND f.accepted AND f.resend_of IS NULL
		  AND f.form <> 'incident'
	),
	tally AS (
		UPDATE sawt.tallies t SET
			report_id = f.rep_id, person_id = f.person, open_time = f.open_at::time,
			voters = f.voters, women = f.women, men = f.men, counts = f.counts,
			invalid = f.invalid, blank = f.blank, total = f.total,
			incident_code = f.incident, reports = t.reports + 1,
			conflict = t.conflict OR f.conflict, corrected = t.corrected OR f.decrease,
			updated_at = now()
		FROM f
		WHERE f.accepted AND f.resend_of IS NULL AND t.station_id = f.station
		  AND t.form = f.form AND t.contest_id = COALESCE(f.contest, 0)
	),
	reply AS (
		INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, inbound_id)
		SELECT f.recipient, f.body, COALESCE(f.priority, 2), 'reply', f.person, f.in_id
		FROM f WHERE f.recipient IS NOT NULL AND f.body IS NOT NULL
		ORDER BY f.i
	),
	-- a duplicate's earlier reply, again, unless a copy is still waiting
	requeue AS (
		INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, inbound_id)
		SELECT DISTINCT ON (m.i) ob.recipient, ob.body, ob.priority, ob.kind,
			ob.person_id, ob.inbound_id
		FROM m JOIN sawt.outbox ob ON ob.inbound_id = m.old_in AND ob.kind = 'reply'
		WHERE m.old_in IS NOT NULL AND m.recipient IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM sawt.outbox q
			WHERE q.inbound_id = m.old_in AND q.kind = 'reply'
			  AND q.state IN ('queued', 'sending'))
		ORDER BY m.i, ob.id
		RETURNING inbound_id
	),
	alert AS (
		INSERT INTO sawt.alerts (election_id, kind, severity, inbound_id, message,
			alert_key)
		SELECT p_election, 'sender_flood', 'serious', f.in_id, f.alert_msg, f.alert_key
		FROM f WHERE f.alert_key IS NOT NULL
		ORDER BY f.i
		ON CONFLICT (alert_key) DO NOTHING
	)
	SELECT x.* FROM (
		SELECT f.i, f.in_id, false,
		       CASE WHEN f.form IS NOT NULL THEN f.outcome END,
		       COALESCE(f.error, f.in_error),
		       CASE WHEN f.form IS NOT NULL THEN f.w_flags END,
		       f.rep_id, f.recipient IS NOT NULL AND f.body IS NOT NULL
		FROM f
		UNION ALL
		SELECT m.i, m.old_in, true, e.outcome, COALESCE(e.error_code,
			(SELECT i.error_code FROM sawt.inbound_messages i WHERE i.id = m.old_in)),
		       e.flags, e.id,
		       EXISTS (SELECT 1 FROM requeue q WHERE q.inbound_id = m.old_in)
		FROM m
		LEFT JOIN LATERAL (
			SELECT r.id, r.outcome, r.error_code, r.flags FROM sawt.reports r
			WHERE r.inbound_id = m.old_in ORDER BY r.id LIMIT 1) e ON true
		WHERE m.old_in IS NOT NULL
	) x ORDER BY 1;
END;
$$;
