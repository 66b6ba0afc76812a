-- 0013_operator.sql - the operator unmutes a sender and reprocesses
-- messages that were recorded but never processed (issue 13, item 1); an
-- over-long message says it was cut (item 4).
--
-- sawtd keeps each sender's rate and mute in memory and reads them back
-- at start from the messages stored in the last hour.  An operator's
-- request (`sawt unmute PHONE`, `sawt reprocess`) is a row of
-- sawt.operator_requests, announced with NOTIFY sawt_control in the same
-- transaction: every running sawtd applies an unmute at once, and a
-- restarted one reads the unmute back with the messages, so the mute does
-- not come back.  One sawtd claims a reprocess request and runs the
-- eligible messages through its pipeline again.
--
-- Eligible for reprocessing (sawt.reprocessable): a message stored as
-- ignored because its sender was rate-limited (sawtd before the fix of
-- issue 13 item 1 recorded such reports without processing them), and a
-- message stored as failed (its processing raised an error and only its
-- raw row was kept).  Not eligible: a message ignored on purpose (sawt's
-- own number, a short code or alphanumeric sender: deciding it again gives
-- the same answer), a coordinator's command waiting for its answer
-- (received), and anything processed.  A reprocessed message keeps its
-- inbound row (id, received_at, processed_at, and the reason its reply was
-- withheld); it gets its report, tally change and flags as if it had been
-- processed when it arrived, by its send time (an older report becomes
-- history), no reply, and reprocessed_at.  ingest_batch locks the row and
-- checks it is still eligible in the same transaction, so a message is
-- reprocessed once even when two requests or two nodes race.

CREATE FUNCTION sawt.reprocessable(p_state text, p_no_reply text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT (p_state = 'ignored' AND p_no_reply IS NOT DISTINCT FROM 'rate_limited')
		OR p_state = 'failed'
$$;

ALTER TABLE sawt.inbound_messages ADD COLUMN reprocessed_at timestamptz;
COMMENT ON COLUMN sawt.inbound_messages.reprocessed_at IS
	'when an operator''s sawt reprocess processed this message (NULL: never)';
CREATE INDEX inbound_messages_reprocessable_idx ON sawt.inbound_messages (id)
	WHERE sawt.reprocessable(state, no_reply_reason);

-- What the operator asked sawtd to do.
--   kind        unmute: forget the sender's mute (every sawtd, and at restart);
--               reprocess: process the eligible messages (of sender, or all)
--   sender      E.164; NULL: every sender (reprocess only)
--   node        the sawtd that applied it first (unmute) or claimed it (reprocess)
--   started_at  when that sawtd started on it (a reprocess claimed by a
--               sawtd that died is claimed again after five minutes)
--   done_at     when it was done; reprocessed: messages processed by it
CREATE TABLE sawt.operator_requests (
	id          bigserial PRIMARY KEY,
	created_at  timestamptz NOT NULL DEFAULT now(),
	kind        text NOT NULL CHECK (kind IN ('unmute', 'reprocess')),
	sender      text,
	node        text,
	started_at  timestamptz,
	done_at     timestamptz,
	reprocessed integer CHECK (reprocessed >= 0),
	CHECK (kind <> 'unmute' OR sender IS NOT NULL)
);
CREATE INDEX operator_requests_pending_idx ON sawt.operator_requests (id)
	WHERE done_at IS NULL;
CREATE INDEX operator_requests_unmute_idx ON sawt.operator_requests (created_at)
	WHERE kind = 'unmute';

-- redo: the inbound row a reprocessed message is stored into (NULL: a new
-- message)
ALTER TYPE sawt.ingest_msg ADD ATTRIBUTE redo bigint;

-- A message longer than sawtd keeps (2,048 bytes of UTF-8, about 1,000
-- Arabic or 2,000 Latin characters: a dozen concatenated SMS) is stored cut
-- there, and says so (issue 13, item 4).
ALTER TABLE sawt.inbound_messages ADD COLUMN text_cut boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN sawt.inbound_messages.text_cut IS
	'the message was longer than sawtd keeps: text holds its first 2,048 bytes';
-- cut: the text was cut (true) or is whole (NULL, false)
ALTER TYPE sawt.ingest_msg ADD ATTRIBUTE cut boolean;

CREATE OR REPLACE FUNCTION sawt.ingest_batch(p_election integer, p_node text, p_batch jsonb)
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
	-- the rows reprocessed: locked, then judged eligible once more below
	-- (a second reprocess of the same row, from this node or another,
	-- waits here and then finds it processed)
	PERFORM 1 FROM sawt.inbound_messages i
	WHERE i.id IN (SELECT m.redo FROM unnest(ms) m WHERE m.redo IS NOT NULL)
	ORDER BY i.id FOR UPDATE;
	PERFORM sawt.ingest_lock_tallies(ms);
	RETURN QUERY
	WITH m AS MATERIALIZED (
		-- every message, with the inbound row of an earlier copy (duplicate)
		SELECT x.*, decode(x.dkey, 'hex') AS dk,
		       x.form IS NOT NULL AND x.verdict <> 'rejected' AS accepted,
		       COALESCE(to_timestamp(x.sent), to_timestamp(x.recv_ms / 1000.0)) AS sent_ts,
		       CASE WHEN x.redo IS NOT NULL AND EXISTS (
				SELECT 1 FROM sawt.inbound_messages i
				WHERE i.id = x.redo AND i.dedup_key = decode(x.dkey, 'hex')
				  AND sawt.reprocessable(i.state, i.no_reply_reason))
			    THEN NULL
			    ELSE (SELECT i.id FROM sawt.inbound_messages i
				  WHERE i.dedup_key = decode(x.dkey, 'hex')) END AS old_in
		FROM unnest(ms) x
	),
	n AS MATERIALIZED (
		-- new messages (and those reprocessed, which keep their inbound
		-- row), with their inbound and report ids taken now
		SELECT m.*, COALESCE(m.redo, nextval('sawt.inbound_messages_id_seq')) AS in_id,
		       CASE WHEN m.form IS NOT NULL
			    THEN nextval('sawt.reports_id_seq') END AS rep_id
		FROM m WHERE m.old_in IS NULL
	),
	f AS MATERIALIZED (
		-- accepted reports decided against the current figures (locked
		-- above): resend, decrease, conflict; then flags, outcome, reply
		SELECT n.*, t.report_id AS t_report, dd.resend_of, dd.decrease, dd.conflict,
		       lt.late, g.flags AS w_flags,
		       CASE WHEN NOT n.accepted THEN 'rejected'
			    WHEN cardinality(g.flags) > 0 THEN 'accepted_flagged'
			    ELSE 'accepted' END AS outcome,
		       CASE WHEN dd.resend_of IS NOT NULL THEN COALESCE(n.reply_resend, n.reply)
			    WHEN dd.decrease AND NOT lt.late AND t.person_id = n.person
			    THEN COALESCE(n.reply_decrease, n.reply)
			    ELSE n.reply END AS body
		FROM n
		LEFT JOIN sawt.tallies t ON n.accepted AND t.station_id = n.station
			AND t.form = n.form AND t.contest_id = COALESCE(n.contest, 0)
		-- sent before the current figure was: history, not the current one
		CROSS JOIN LATERAL (SELECT COALESCE(n.accepted AND n.form <> 'incident'
			AND t.report_id IS NOT NULL AND n.sent_ts < t.sent_at, false) AS late) lt
		CROSS JOIN LATERAL (SELECT CASE
			WHEN n.form = 'open' THEN t.open_time IS NOT DISTINCT FROM n.open_at::time
			WHEN n.form = 'results' THEN t.counts IS NOT DISTINCT FROM n.counts
				AND t.invalid IS NOT DISTINCT FROM n.invalid
				AND t.blank IS NOT DISTINCT FROM n.blank
				AND t.total IS NOT DISTINCT FROM n.total
			ELSE t.voters IS NOT DISTINCT FROM n.voters
				AND t.women IS NOT DISTINCT FROM n.women
				AND t.men IS NOT DISTINCT FROM n.men
			END AS same,
			-- what both reports state agrees: a figure only one gives
			-- completes the record, it does not contradict it
			CASE WHEN n.form = 'results' THEN t.counts IS NOT DISTINCT FROM n.counts
				AND t.invalid IS NOT DISTINCT FROM n.invalid
				AND t.blank IS NOT DISTINCT FROM n.blank
				AND (t.total IS NULL OR n.total IS NULL OR t.total = n.total)
			ELSE t.voters IS NOT DISTINCT FROM n.voters
				AND (t.women IS NULL OR n.women IS NULL OR t.women = n.women)
				AND (t.men IS NULL OR n.men IS NULL OR t.men = n.men)
			END AS agrees) s
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
			COALESCE(n.accepted AND NOT lt.late AND n.form IN ('turnout', 'close')
				AND n.voters < GREATEST(t.voters,
				CASE WHEN n.form = 'close' THEN (
					SELECT x.voters FROM sawt.tallies x
					WHERE x.station_id = n.station AND x.form = 'turnout'
					  AND x.contest_id = 0) END), false) AS decrease,
			COALESCE(n.accepted AND n.form IN ('close', 'results')
				AND t.report_id IS NOT NULL
				AND t.person_id IS DISTINCT FROM n.person AND NOT s.agrees,
				false) AS conflict) dd
		CROSS JOIN LATERAL (SELECT CASE WHEN NOT n.accepted THEN '{}'::text[]
			ELSE COALESCE(n.flags, '{}')
			|| CASE WHEN dd.resend_of IS NOT NULL THEN '{resend}'::text[] ELSE '{}' END
			|| CASE WHEN dd.resend_of IS NULL AND dd.decrease
				THEN '{turnout_decrease}'::text[] ELSE '{}' END
			|| CASE WHEN dd.resend_of IS NULL AND dd.conflict
				THEN '{conflict}'::text[] ELSE '{}' END
			|| CASE WHEN dd.resend_of IS NULL AND lt.late
				THEN '{out_of_order}'::text[] ELSE '{}' END END AS flags) g
	),
	ins_inbound AS (
		INSERT INTO sawt.inbound_messages (id, received_at, transport, node, modem,
			sender, smsc_time, multipart_ref, multipart_part, multipart_total,
			text, dedup_key, person_id, state, error_code, no_reply_reason,
			processed_at, text_cut)
		SELECT f.in_id, to_timestamp(f.recv_ms / 1000.0), f.transport, p_node, f.modem,
			f.sender, to_timestamp(f.smsc), f.mp_ref, f.mp_part, f.mp_total, f.txt,
			f.dk, f.person, f.in_state, f.in_error, f.no_reply,
			CASE WHEN f.in_state <> 'received' THEN now() END, COALESCE(f.cut, false)
		FROM f WHERE f.redo IS NULL ORDER BY f.i
	),
	-- a reprocessed message: its row says what became of it now; the time
	-- it was first decided stays (the sender read-back counts it), the
	-- reason its reply was withheld then stays
	upd_inbound AS (
		UPDATE sawt.inbound_messages i SET sender = f.sender, person_id = f.person,
			state = f.in_state, error_code = f.in_error,
			no_reply_reason = COALESCE(i.no_reply_reason, f.no_reply),
			processed_at = COALESCE(i.processed_at, now()), reprocessed_at = now()
		FROM f WHERE f.redo IS NOT NULL AND i.id = f.redo
	),
	ins_report AS (
		INSERT INTO sawt.reports (id, election_id, inbound_id, person_id, station_id,
			station_code, form, outcome, error_code, flags, superseded_by,
			open_time, voters, women, men, contest_id, counts, invalid, blank,
			total, incident_code, text)
		SELECT f.rep_id, p_election, f.in_id, f.person, f.station, f.station_code,
			f.form, f.outcome, CASE WHEN NOT f.accepted THEN f.error END, f.w_flags,
			CASE WHEN f.late AND f.resend_of IS NULL THEN f.t_report ELSE f.resend_of END,
			f.open_at::time, f.voters, f.women, f.men, f.contest,
			f.counts, f.invalid, f.blank, f.total, f.incident, f.incident_text
		FROM f WHERE f.rep_id IS NOT NULL
		ORDER BY f.i
	),
	supersede AS (
		UPDATE sawt.reports r SET superseded_by = f.rep_id
		FROM f
		WHERE r.id = f.t_report AND f.accepted AND f.resend_of IS NULL
		  AND NOT f.late AND f.form <> 'incident'
	),
	tally AS (
		UPDATE sawt.tallies t SET
			report_id = f.rep_id, person_id = f.person, open_time = f.open_at::time,
			voters = f.voters, women = f.women, men = f.men, counts = f.counts,
			invalid = f.invalid, blank = f.blank, total = f.total,
			incident_code = f.incident, reports = t.reports + 1,
			conflict = t.conflict OR f.conflict, corrected = t.corrected OR f.decrease,
			sent_at = f.sent_ts, updated_at = now()
		FROM f
		WHERE f.accepted AND f.resend_of IS NULL AND NOT f.late AND t.station_id = f.station
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
		WHERE m.old_in IS NOT NULL AND m.recipient IS NOT NULL AND m.redo IS NULL
		  AND NOT EXISTS (
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
