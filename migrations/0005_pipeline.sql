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
	report_id       bigint REFERENCES sawt.reports(id),
	person_id       integer REFERENCES sawt.people(id),
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
-- The columns after them are ingest_batch's own work space.
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
	reply_decrease text, alert_key text, alert_msg text,
	-- work space
	in_id bigint,           -- the new inbound row; NULL: duplicate
	old_in bigint,          -- duplicate: the earlier inbound row
	t_report bigint,        -- the station's current report
	resend_of bigint,       -- identical resend of this report
	decrease boolean,
	conflict boolean,
	w_flags text[],
	rep_id bigint,          -- the new report row
	body text,              -- the reply chosen
	replied boolean
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

-- The work table of ingest_batch: private to the session, emptied at
-- every commit.
CREATE FUNCTION sawt.ingest_prepare() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF to_regclass('pg_temp.sawt_ingest_w') IS NULL THEN
		CREATE TEMP TABLE sawt_ingest_w OF sawt.ingest_msg (PRIMARY KEY (i))
			ON COMMIT DELETE ROWS;
	END IF;
	DELETE FROM pg_temp.sawt_ingest_w;
END;
$$;

-- Find the duplicates; store the new inbound rows with ids taken in
-- advance (so nothing has to be matched back).
CREATE FUNCTION sawt.ingest_inbound(p_node text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_want bigint;
	v_got bigint;
BEGIN
	UPDATE pg_temp.sawt_ingest_w w SET old_in = im.id
	FROM sawt.inbound_messages im
	WHERE im.dedup_key = decode(w.dkey, 'hex');

	UPDATE pg_temp.sawt_ingest_w w SET
		in_id = nextval('sawt.inbound_messages_id_seq'),
		rep_id = CASE WHEN w.form IS NOT NULL THEN nextval('sawt.reports_id_seq') END
	WHERE w.old_in IS NULL;
	GET DIAGNOSTICS v_want = ROW_COUNT;

	INSERT INTO sawt.inbound_messages (id, received_at, transport, node, modem,
		sender, smsc_time, multipart_ref, multipart_part, multipart_total,
		text, dedup_key, person_id, state, error_code, no_reply_reason,
		processed_at)
	SELECT w.in_id, to_timestamp(w.recv_ms / 1000.0), w.transport, p_node, w.modem, w.sender,
		to_timestamp(w.smsc), w.mp_ref, w.mp_part, w.mp_total, w.txt, decode(w.dkey, 'hex'), w.person,
		w.in_state, w.in_error, w.no_reply, CASE WHEN w.in_state <> 'received' THEN now() END
	FROM pg_temp.sawt_ingest_w w
	WHERE w.in_id IS NOT NULL
	ORDER BY w.i
	ON CONFLICT (dedup_key) DO NOTHING;
	GET DIAGNOSTICS v_got = ROW_COUNT;
	IF v_got <> v_want THEN
		-- another node stored one of these meanwhile: retry the batch
		RAISE EXCEPTION 'ingest batch raced with another writer'
			USING ERRCODE = 'serialization_failure';
	END IF;
END;
$$;

-- Lock the tally rows the accepted reports touch (creating missing ones),
-- in key order, and decide resend, decrease and conflict against them;
-- then the flags, outcome and reply of each accepted report.
CREATE FUNCTION sawt.ingest_decide() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.tallies (station_id, form, contest_id)
	SELECT w.station, w.form, COALESCE(w.contest, 0) FROM pg_temp.sawt_ingest_w w
	WHERE w.in_id IS NOT NULL AND w.form IS NOT NULL AND w.verdict <> 'rejected'
	ORDER BY 1, 2, 3
	ON CONFLICT DO NOTHING;

	PERFORM 1 FROM sawt.tallies t
	JOIN pg_temp.sawt_ingest_w w ON t.station_id = w.station AND t.form = w.form
		AND t.contest_id = COALESCE(w.contest, 0)
	WHERE w.in_id IS NOT NULL AND w.form IS NOT NULL AND w.verdict <> 'rejected'
	ORDER BY t.station_id, t.form, t.contest_id
	FOR UPDATE OF t;

	UPDATE pg_temp.sawt_ingest_w w SET
		t_report = t.report_id,
		resend_of = CASE
			WHEN w.form = 'incident' THEN (
				SELECT r.id FROM sawt.reports r
				WHERE r.station_id = w.station AND r.form = 'incident'
				  AND r.contest_id IS NULL AND r.superseded_by IS NULL
				  AND r.outcome <> 'rejected' AND r.person_id = w.person
				  AND r.incident_code = w.incident AND r.text IS NOT DISTINCT FROM w.incident_text
				ORDER BY r.id LIMIT 1)
			WHEN t.report_id IS NOT NULL AND t.person_id = w.person
			     AND sawt.ingest_same(w, t) THEN t.report_id END,
		decrease = COALESCE(w.form IN ('turnout', 'close') AND w.voters < GREATEST(t.voters,
			CASE WHEN w.form = 'close' THEN (
				SELECT x.voters FROM sawt.tallies x
				WHERE x.station_id = w.station AND x.form = 'turnout'
				  AND x.contest_id = 0) END), false),
		conflict = COALESCE(w.form IN ('close', 'results') AND t.report_id IS NOT NULL
			AND t.person_id IS DISTINCT FROM w.person AND NOT sawt.ingest_same(w, t), false)
	FROM sawt.tallies t
	WHERE w.in_id IS NOT NULL AND w.form IS NOT NULL AND w.verdict <> 'rejected'
	  AND t.station_id = w.station AND t.form = w.form AND t.contest_id = COALESCE(w.contest, 0);

	UPDATE pg_temp.sawt_ingest_w w SET
		w_flags = COALESCE(w.flags, '{}')
			|| CASE WHEN w.resend_of IS NOT NULL THEN '{resend}'::text[] ELSE '{}' END
			|| CASE WHEN w.resend_of IS NULL AND w.decrease
				THEN '{turnout_decrease}'::text[] ELSE '{}' END
			|| CASE WHEN w.resend_of IS NULL AND w.conflict
				THEN '{conflict}'::text[] ELSE '{}' END,
		body = CASE WHEN w.resend_of IS NOT NULL THEN COALESCE(w.reply_resend, w.reply)
			    WHEN w.decrease THEN COALESCE(w.reply_decrease, w.reply) ELSE w.reply END
	WHERE w.in_id IS NOT NULL AND w.form IS NOT NULL AND w.verdict <> 'rejected';
END;
$$;

-- True when m repeats the figures of the tally t.
CREATE FUNCTION sawt.ingest_same(m sawt.ingest_msg, t sawt.tallies)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE m.form
		WHEN 'open' THEN t.open_time IS NOT DISTINCT FROM m.open_at::time
		WHEN 'results' THEN t.counts IS NOT DISTINCT FROM m.counts
			AND t.invalid IS NOT DISTINCT FROM m.invalid
			AND t.blank IS NOT DISTINCT FROM m.blank
			AND t.total IS NOT DISTINCT FROM m.total
		ELSE t.voters IS NOT DISTINCT FROM m.voters
			AND t.women IS NOT DISTINCT FROM m.women
			AND t.men IS NOT DISTINCT FROM m.men
	END
$$;

-- Insert the reports; supersede the current ones; update the tallies.
CREATE FUNCTION sawt.ingest_store(p_election integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.reports (id, election_id, inbound_id, person_id, station_id,
		station_code, form, outcome, error_code, flags, superseded_by,
		open_time, voters, women, men, contest_id, counts, invalid, blank,
		total, incident_code, text)
	SELECT w.rep_id, p_election, w.in_id, w.person, w.station, w.station_code, w.form,
		CASE WHEN w.verdict = 'rejected' THEN 'rejected'
		     WHEN cardinality(w.w_flags) > 0 THEN 'accepted_flagged' ELSE 'accepted' END,
		CASE WHEN w.verdict = 'rejected' THEN w.error END,
		CASE WHEN w.verdict = 'rejected' THEN '{}' ELSE w.w_flags END,
		w.resend_of, w.open_at::time, w.voters, w.women, w.men, w.contest, w.counts, w.invalid, w.blank, w.total,
		w.incident, w.incident_text
	FROM pg_temp.sawt_ingest_w w
	WHERE w.rep_id IS NOT NULL
	ORDER BY w.i;

	UPDATE sawt.reports r SET superseded_by = w.rep_id
	FROM pg_temp.sawt_ingest_w w
	WHERE r.id = w.t_report AND w.rep_id IS NOT NULL AND w.resend_of IS NULL
	  AND w.verdict <> 'rejected' AND w.form <> 'incident';

	UPDATE sawt.tallies t SET
		report_id = w.rep_id, person_id = w.person, open_time = w.open_at::time,
		voters = w.voters, women = w.women, men = w.men, counts = w.counts, invalid = w.invalid,
		blank = w.blank, total = w.total, incident_code = w.incident, reports = t.reports + 1,
		conflict = t.conflict OR w.conflict, corrected = t.corrected OR w.decrease,
		updated_at = now()
	FROM pg_temp.sawt_ingest_w w
	WHERE w.rep_id IS NOT NULL AND w.resend_of IS NULL AND w.verdict <> 'rejected'
	  AND t.station_id = w.station AND t.form = w.form AND t.contest_id = COALESCE(w.contest, 0);
END;
$$;

-- Queue the replies (new messages, and duplicates whose earlier reply is
-- no longer waiting) and the sender_flood alerts.
CREATE FUNCTION sawt.ingest_replies(p_election integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, inbound_id)
	SELECT w.recipient, COALESCE(w.body, w.reply), COALESCE(w.priority, 2), 'reply', w.person, w.in_id
	FROM pg_temp.sawt_ingest_w w
	WHERE w.in_id IS NOT NULL AND w.recipient IS NOT NULL AND COALESCE(w.body, w.reply) IS NOT NULL
	ORDER BY w.i;

	IF EXISTS (SELECT 1 FROM pg_temp.sawt_ingest_w w WHERE w.old_in IS NOT NULL) THEN
		WITH o AS (
			INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id,
				inbound_id)
			SELECT DISTINCT ON (w.i) ob.recipient, ob.body, ob.priority, ob.kind,
				ob.person_id, ob.inbound_id
			FROM pg_temp.sawt_ingest_w w
			JOIN sawt.outbox ob ON ob.inbound_id = w.old_in AND ob.kind = 'reply'
			WHERE w.old_in IS NOT NULL AND w.recipient IS NOT NULL AND NOT EXISTS (
				SELECT 1 FROM sawt.outbox q
				WHERE q.inbound_id = w.old_in AND q.kind = 'reply'
				  AND q.state IN ('queued', 'sending'))
			ORDER BY w.i, ob.id
			RETURNING inbound_id
		)
		UPDATE pg_temp.sawt_ingest_w w SET replied = true
		FROM o WHERE o.inbound_id = w.old_in;
	END IF;

	INSERT INTO sawt.alerts (election_id, kind, severity, inbound_id, message, alert_key)
	SELECT p_election, 'sender_flood', 'serious', w.in_id, w.alert_msg, w.alert_key
	FROM pg_temp.sawt_ingest_w w
	WHERE w.in_id IS NOT NULL AND w.alert_key IS NOT NULL
	ORDER BY w.i
	ON CONFLICT (alert_key) DO NOTHING;
END;
$$;

-- Record a batch of messages in one transaction: see the top of this file.
-- p_batch is a JSON array of sawt.ingest_msg objects (the input fields
-- only).  Within one batch, dedup keys must be unique, and so must the
-- (station, form, contest) of accepted reports: sawtd puts a message that
-- would repeat one into the next batch, which sees this one committed.
-- Returns one row per message, in batch order.
CREATE FUNCTION sawt.ingest_batch(p_election integer, p_node text, p_batch jsonb)
RETURNS SETOF sawt.ingest_result
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM sawt.ingest_prepare();
	INSERT INTO pg_temp.sawt_ingest_w
	SELECT * FROM jsonb_populate_recordset(NULL::sawt.ingest_msg, p_batch);
	IF EXISTS (SELECT 1 FROM pg_temp.sawt_ingest_w GROUP BY dkey HAVING count(*) > 1)
	   OR EXISTS (SELECT 1 FROM pg_temp.sawt_ingest_w
		      WHERE form IS NOT NULL AND verdict <> 'rejected'
		      GROUP BY station, form, contest HAVING count(*) > 1) THEN
		RAISE EXCEPTION 'ingest batch repeats a dedup key or a station report'
			USING ERRCODE = 'data_exception';
	END IF;
	PERFORM sawt.ingest_inbound(p_node);
	PERFORM sawt.ingest_decide();
	PERFORM sawt.ingest_store(p_election);
	PERFORM sawt.ingest_replies(p_election);
	RETURN QUERY
	SELECT w.i, COALESCE(w.in_id, w.old_in), w.in_id IS NULL,
	       CASE WHEN w.in_id IS NULL THEN d.outcome
		    WHEN w.form IS NULL THEN NULL
		    WHEN w.verdict = 'rejected' THEN 'rejected'
		    WHEN cardinality(w.w_flags) > 0 THEN 'accepted_flagged' ELSE 'accepted' END,
	       CASE WHEN w.in_id IS NULL THEN COALESCE(d.error_code, im.error_code)
		    ELSE COALESCE(w.error, w.in_error) END,
	       CASE WHEN w.in_id IS NULL THEN d.flags
		    WHEN w.form IS NULL THEN NULL
		    WHEN w.verdict = 'rejected' THEN '{}' ELSE w.w_flags END,
	       COALESCE(w.rep_id, d.id),
	       CASE WHEN w.in_id IS NULL THEN COALESCE(w.replied, false)
		    ELSE w.recipient IS NOT NULL AND COALESCE(w.body, w.reply) IS NOT NULL END
	FROM pg_temp.sawt_ingest_w w
	LEFT JOIN sawt.inbound_messages im ON w.in_id IS NULL AND im.id = w.old_in
	LEFT JOIN LATERAL (
		SELECT r.id, r.outcome, r.error_code, r.flags FROM sawt.reports r
		WHERE w.in_id IS NULL AND r.inbound_id = w.old_in
		ORDER BY r.id LIMIT 1) d ON true
	ORDER BY w.i;
END;
$$;
