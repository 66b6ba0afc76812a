-- 0015_alerts.sql - alerts to coordinators (issue 17; docs/alerts.md).
--
-- sawtd's alerts module (src/daemon/alerts.c) decides every alert in
-- memory (src/core/alert*.c) and records it here; this file holds what it
-- needs from the database:
--
--   sawt.alerts          one row per alert, now with its lifecycle: new
--                        (stored by another part of sawt, e.g. the
--                        sender_flood of ingest_batch, not sent yet),
--                        batching (serious incidents of an area, sent at
--                        due_at), open (sent, or held for its recipients),
--                        duplicate (the same rule and subject within the
--                        dedup window: recorded, not sent), resolved (its
--                        condition cleared: the missing report came, the
--                        modem is back); its subject (the dedup key), its
--                        figures, the area whose coordinators got it,
--                        escalations and resolution;
--   sawt.alert_recipients  who got it, why (area, ancestor, national,
--                        fallback, escalation), in which language, and
--                        what became of their copy: queued (an outbox row,
--                        whose state is the delivery state), held (rate
--                        limit), digested (sent in a digest), dropped
--                        (resolved before it went out);
--   sawt.alert_stations  the stations an alert is about (missing reports,
--                        batches), and when each one's report came;
--   sawt.alert_queue     the reports not looked at yet: filled by a
--                        statement trigger on sawt.reports, in the
--                        transaction that stores them (so no report is
--                        missed, whatever crashes), emptied by the
--                        module's write;
--   sawt.alert_dispatcher  the node dispatching and its last tick;
--   sawt.alert_work()    the one query of each pass: the queued reports,
--                        the alerts to send, and on each tick the missing
--                        reports, the alerts to escalate, the modems and
--                        the outbox, having resolved what cleared;
--   sawt.alert_apply()   the one write of each pass.
--
-- One sawtd dispatches for an election at a time: the one whose
-- connection holds an advisory lock (others' passes return nothing), so
-- the dedup window and rate limits are one node's memory; a node that
-- takes over reads them back from these tables.
--
-- Outbox rows of an alert dropped before it was sent become 'cancelled'.
-- Analysts see analytics.alerts (now with the lifecycle and what reached
-- the coordinators) and analytics.alert_deliveries, with pseudonyms.

ALTER TABLE sawt.outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE sawt.outbox ADD CONSTRAINT outbox_state_check
	CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled'));

ALTER TABLE sawt.alerts
	ADD COLUMN state text NOT NULL DEFAULT 'new'
		CHECK (state IN ('new', 'batching', 'open', 'duplicate', 'resolved')),
	ADD COLUMN subject text,
	ADD COLUMN figures jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN route_area_id integer REFERENCES sawt.areas(id),
	ADD COLUMN due_at timestamptz,
	ADD COLUMN dispatched_at timestamptz,
	ADD COLUMN duplicate_of bigint REFERENCES sawt.alerts(id),
	ADD COLUMN escalated_at timestamptz,
	ADD COLUMN escalations smallint NOT NULL DEFAULT 0,
	ADD COLUMN resolved_at timestamptz;
COMMENT ON COLUMN sawt.alerts.kind IS 'the rule: critical_incident, missing_turnout, ... (src/core/alert.h)';
COMMENT ON COLUMN sawt.alerts.subject IS 'rule and what it is about (station, area, check): the dedup key';
COMMENT ON COLUMN sawt.alerts.route_area_id IS 'the area whose coordinators have it; NULL: the national ones';
-- The alerts stored before: nothing was sent for them, they stay open.
UPDATE sawt.alerts SET state = 'open', dispatched_at = created_at;
CREATE INDEX alerts_pending_idx ON sawt.alerts (id) WHERE state IN ('new', 'batching');
CREATE INDEX alerts_open_idx ON sawt.alerts (id) WHERE state = 'open';

CREATE TABLE sawt.alert_recipients (
	id          bigserial PRIMARY KEY,
	alert_id    bigint NOT NULL REFERENCES sawt.alerts(id),
	person_id   integer NOT NULL REFERENCES sawt.people(id),
	created_at  timestamptz NOT NULL,
	reason      text NOT NULL
		CHECK (reason IN ('area', 'ancestor', 'national', 'fallback', 'escalation')),
	lang        text NOT NULL CHECK (lang IN ('ar', 'en', 'fr')),
	state       text NOT NULL CHECK (state IN ('queued', 'held', 'digested', 'dropped')),
	body        text NOT NULL,
	outbox_id   bigint,      -- sawt.outbox(id); no FK, like tallies.report_id
	sent_at     timestamptz, -- when its SMS (or its digest) was queued
	CHECK ((state IN ('queued', 'digested')) = (outbox_id IS NOT NULL))
);
CREATE INDEX alert_recipients_alert_idx ON sawt.alert_recipients (alert_id);
CREATE INDEX alert_recipients_sent_idx ON sawt.alert_recipients (sent_at);
CREATE INDEX alert_recipients_held_idx ON sawt.alert_recipients (id) WHERE state = 'held';
CREATE INDEX alert_recipients_outbox_idx ON sawt.alert_recipients (outbox_id);

CREATE TABLE sawt.alert_stations (
	alert_id    bigint NOT NULL REFERENCES sawt.alerts(id),
	station_id  integer NOT NULL REFERENCES sawt.stations(id),
	cleared_at  timestamptz,
	PRIMARY KEY (alert_id, station_id)
);
CREATE INDEX alert_stations_station_idx ON sawt.alert_stations (station_id);

-- The node dispatching each election's alerts and its last tick (its
-- clock), written by the tick's query: `sawt status` shows it.
CREATE TABLE sawt.alert_dispatcher (
	election_id integer PRIMARY KEY REFERENCES sawt.elections(id),
	node        text,
	tick_at     timestamptz NOT NULL,
	ticks       bigint NOT NULL DEFAULT 0
);

CREATE TABLE sawt.alert_queue (
	report_id   bigint PRIMARY KEY
);

CREATE FUNCTION sawt.alert_queue_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.alert_queue (report_id)
	SELECT n.id FROM new_reports n WHERE n.form <> 'open';
	RETURN NULL;
END;
$$;
CREATE TRIGGER reports_alert_queue AFTER INSERT ON sawt.reports
	REFERENCING NEW TABLE AS new_reports
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.alert_queue_reports();

-- True when station has sent what a missing-report rule looks for:
-- missing_opening an opening (or any turnout, which says it is open);
-- missing_turnout turnout sent at or after p_after (Unix s; NULL any), or
-- its close; missing_results results.
CREATE FUNCTION sawt.alert_station_reported(p_station integer, p_kind text,
	p_after double precision) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM sawt.tallies t
		WHERE t.station_id = p_station AND t.report_id IS NOT NULL AND CASE p_kind
		WHEN 'missing_opening' THEN t.form IN ('open', 'turnout', 'close')
		WHEN 'missing_turnout' THEN t.form = 'close' OR (t.form = 'turnout'
			AND (p_after IS NULL OR t.sent_at >= to_timestamp(p_after)))
		WHEN 'missing_results' THEN t.form = 'results'
		ELSE false END)
$$;

-- Resolve alerts p_ids at p_now: each recipient's copy not sent yet is
-- dropped (a queued outbox row becomes 'cancelled').  Returns the ids
-- resolved now.
CREATE FUNCTION sawt.alert_resolve(p_ids bigint[], p_now timestamptz) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	WITH a AS (
		UPDATE sawt.alerts SET state = 'resolved', resolved_at = p_now
		WHERE id = ANY (p_ids) AND state IN ('new', 'batching', 'open')
		RETURNING id
	),
	ob AS (
		UPDATE sawt.outbox o SET state = 'cancelled', error = 'alert resolved before it was sent'
		FROM sawt.alert_recipients r
		WHERE r.alert_id IN (SELECT id FROM a) AND r.state = 'queued'
		  AND o.id = r.outbox_id AND o.state = 'queued'
		RETURNING o.id
	),
	rq AS (
		UPDATE sawt.alert_recipients r SET state = 'dropped', outbox_id = NULL
		WHERE r.alert_id IN (SELECT id FROM a)
		  AND (r.state = 'held' OR (r.state = 'queued' AND r.outbox_id IN (SELECT id FROM ob)))
	)
	SELECT id FROM a;
END;
$$;

-- What one pass of the alerts module reads.  Every row is (k, id, n, s1..s9);
-- n holds numbers, s1..s9 texts, by kind k:
--   lead   n {leader 1/0, fresh 1/0}: this session dispatches (fresh: it
--          just took over, the state rows follow)
--   id     id: a reserved alert id (p_ids of them)
--   dd     id alert, n {created}, s1 subject: alerted within p_dedup minutes
--   rs     n {person, sent}: an alert SMS within p_rate minutes
--   hd     id alert, n {person}, s1 rule: held for person
--   bt     id alert, n {area, due, count}, s1 stations: an open batch
--   res    id: an alert resolved by this pass, s1 its kind (tick)
--   rep    id report, n {inbound, station, area, person, contest, registered,
--          registered_women, voters, women, men, sum, incident_code,
--          prev_id, prev_person, prev_voters, prev_sum, prev_same_counts},
--          s1 form, s2 outcome, s3 error_code, s4 flags, s5 station code,
--          s6 incident severity, s7..s9 incident name ar, en, fr
--   new    id alert, n {station, area, report, inbound, count, code},
--          s1 kind, s2 severity, s3 message, s4 station code, s5 sender,
--          s6 the sender's name, s7 stations (figures)
--   due    the same, for a batch whose time is up
--   miss   id station, n {check, area}, s1 station code (tick)
--   esc    id alert, n {station, area, route area, escalations, report},
--          s1 kind, s2 severity, s4 station code, s5 recipients "1,2" (tick)
--   opn    id alert, s1 subject: an open operations alert (low_balance,
--          spool_backlog, outbox_backlog) to clear when its condition
--          has (tick)
--   mod    n {updated}, s1 node, s2 name, s3 state, s4 balance (tick)
--   obx    n {queued, oldest age in s} (tick)
CREATE TYPE sawt.alert_row AS (
	k text, id bigint, n bigint[],
	s1 text, s2 text, s3 text, s4 text, s5 text, s6 text, s7 text, s8 text, s9 text
);

CREATE FUNCTION sawt.alert_work(p_election integer, p_now double precision,
	p_reload boolean, p_ids integer, p_limit integer, p_dedup integer, p_rate integer,
	p_tick boolean, p_checks jsonb, p_escalate integer, p_node text)
RETURNS SETOF sawt.alert_row
LANGUAGE plpgsql
-- The queue and the reports grow fast during the day and their statistics
-- lag behind: every lookup must be an index probe, as in ingest_batch.
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off
AS $$
DECLARE
	v_now timestamptz := to_timestamp(p_now);
	v_fresh boolean := false;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
		       AND pid = pg_backend_pid() AND classid = 1935767412
		       AND objid = p_election AND objsubid = 2 AND granted) THEN
		IF NOT pg_try_advisory_lock(1935767412, p_election) THEN
			RETURN NEXT ROW('lead', NULL, ARRAY[0, 0], NULL, NULL, NULL, NULL, NULL,
				NULL, NULL, NULL, NULL)::sawt.alert_row;
			RETURN;
		END IF;
		v_fresh := true;
	END IF;
	RETURN NEXT ROW('lead', NULL, ARRAY[1, v_fresh::int], NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL)::sawt.alert_row;
	RETURN QUERY SELECT 'id', nextval('sawt.alerts_id_seq'), NULL::bigint[], NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM generate_series(1, p_ids);

	IF v_fresh OR p_reload THEN
		RETURN QUERY SELECT 'dd', a.id, ARRAY[extract(epoch FROM a.created_at)::bigint],
			a.subject, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM sawt.alerts a
		WHERE a.created_at > v_now - make_interval(mins => p_dedup)
		  AND a.subject IS NOT NULL AND a.state IN ('new', 'batching', 'open');
		RETURN QUERY SELECT 'rs', NULL::bigint,
			ARRAY[r.person_id, extract(epoch FROM min(r.sent_at))::bigint],
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM sawt.alert_recipients r
		WHERE r.sent_at > v_now - make_interval(mins => p_rate) AND r.outbox_id IS NOT NULL
		GROUP BY r.person_id, r.outbox_id;
		RETURN QUERY SELECT 'hd', r.alert_id, ARRAY[r.person_id::bigint], a.kind,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM sawt.alert_recipients r JOIN sawt.alerts a ON a.id = r.alert_id
		WHERE r.state = 'held' ORDER BY r.id;
		RETURN QUERY SELECT 'bt', a.id, ARRAY[COALESCE(a.area_id, 0),
			extract(epoch FROM a.due_at)::bigint, COALESCE((a.figures->>'count')::bigint, 1)],
			a.figures->>'stations', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM sawt.alerts a WHERE a.state = 'batching';
	END IF;

	IF p_tick THEN
		INSERT INTO sawt.alert_dispatcher AS d (election_id, node, tick_at, ticks)
		VALUES (p_election, p_node, v_now, 1)
		ON CONFLICT (election_id) DO UPDATE SET node = p_node, tick_at = v_now,
			ticks = d.ticks + 1;
		-- missing reports that came, modems back up: resolved
		UPDATE sawt.alert_stations x SET cleared_at = v_now
		FROM sawt.alerts a
		WHERE a.id = x.alert_id AND x.cleared_at IS NULL AND a.state = 'open'
		  AND a.kind IN ('missing_opening', 'missing_turnout', 'missing_results')
		  AND sawt.alert_station_reported(x.station_id, a.kind,
			(a.figures->>'after')::double precision);
		RETURN QUERY SELECT 'res', r.id, NULL::bigint[],
			(SELECT a.kind FROM sawt.alerts a WHERE a.id = r.id), NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL
		FROM sawt.alert_resolve(ARRAY(
			SELECT a.id FROM sawt.alerts a
			WHERE a.state = 'open'
			  AND a.kind IN ('missing_opening', 'missing_turnout', 'missing_results')
			  AND NOT EXISTS (SELECT 1 FROM sawt.alert_stations x
				WHERE x.alert_id = a.id AND x.cleared_at IS NULL)
			UNION ALL
			SELECT a.id FROM sawt.alerts a
			JOIN sawt.modems m ON a.subject = 'modem_down:' || m.node || '/' || m.name
			WHERE a.state = 'open' AND a.kind = 'modem_down' AND m.state = 'ready'),
			v_now) AS r(id);
	END IF;

	RETURN QUERY SELECT 'rep', r.id, ARRAY[r.inbound_id, COALESCE(r.station_id, 0),
		COALESCE(s.area_id, 0), COALESCE(r.person_id, 0), COALESCE(r.contest_id, 0),
		COALESCE(s.registered, 0), COALESCE(s.registered_women, 0),
		r.voters, r.women, r.men,
		CASE WHEN r.form = 'results' THEN (SELECT COALESCE(sum(c), 0) FROM unnest(r.counts) c)
			+ COALESCE(r.invalid, 0) + COALESCE(r.blank, 0) END,
		r.incident_code, pv.id, pv.person_id, pv.voters,
		CASE WHEN pv.id IS NOT NULL AND r.form = 'results' THEN
			(SELECT COALESCE(sum(c), 0) FROM unnest(pv.counts) c)
			+ COALESCE(pv.invalid, 0) + COALESCE(pv.blank, 0) END,
		(pv.counts IS NOT DISTINCT FROM r.counts AND pv.invalid IS NOT DISTINCT FROM r.invalid
			AND pv.blank IS NOT DISTINCT FROM r.blank)::int],
		r.form, r.outcome, r.error_code, r.flags::text, COALESCE(s.code, r.station_code),
		ic.severity, ic.name_ar, ic.name_en, ic.name_fr
	FROM sawt.alert_queue q
	JOIN sawt.reports r ON r.id = q.report_id AND r.election_id = p_election
	LEFT JOIN sawt.stations s ON s.id = r.station_id
	LEFT JOIN sawt.incident_codes ic ON ic.election_id = r.election_id
		AND ic.code = r.incident_code
	LEFT JOIN LATERAL (SELECT p.id, p.person_id, p.voters, p.counts, p.invalid, p.blank
		FROM sawt.reports p WHERE p.superseded_by = r.id AND p.id < r.id
		  AND NOT (p.flags && '{resend,out_of_order}')
		ORDER BY p.id + 0 DESC LIMIT 1) pv ON true -- + 0: by superseded_by's index
	ORDER BY q.report_id LIMIT p_limit;

	RETURN QUERY SELECT CASE WHEN a.state = 'new' THEN 'new' ELSE 'due' END, a.id,
		ARRAY[COALESCE(a.station_id, 0), COALESCE(a.area_id, s.area_id, 0),
		COALESCE(a.report_id, 0), COALESCE(a.inbound_id, 0),
		COALESCE((a.figures->>'count')::bigint, -1),
		COALESCE((a.figures->>'code')::bigint, -1)]::bigint[],
		a.kind, a.severity, a.message, s.code, i.sender, p.name, a.figures->>'stations',
		NULL, NULL
	FROM sawt.alerts a
	LEFT JOIN sawt.stations s ON s.id = a.station_id
	LEFT JOIN sawt.inbound_messages i ON i.id = a.inbound_id
	LEFT JOIN sawt.people p ON p.id = i.person_id
	WHERE (a.state = 'new' OR (a.state = 'batching' AND a.due_at <= v_now))
	  AND COALESCE(a.election_id, p_election) = p_election
	ORDER BY a.id LIMIT p_limit;

	IF NOT p_tick THEN
		RETURN;
	END IF;
	IF p_checks IS NOT NULL THEN
		-- every station of the election: a scan is right here
		PERFORM set_config('enable_seqscan', 'on', true),
			set_config('enable_hashjoin', 'on', true);
		RETURN QUERY SELECT 'miss', s.id::bigint, ARRAY[c.i, s.area_id]::bigint[], s.code,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM jsonb_to_recordset(p_checks) AS c(i integer, rule text, after double precision,
			key text)
		JOIN sawt.stations s ON s.election_id = p_election
		WHERE NOT sawt.alert_station_reported(s.id, c.rule, c.after)
		  AND NOT EXISTS (SELECT 1 FROM sawt.alert_stations x
			JOIN sawt.alerts a ON a.id = x.alert_id
			WHERE x.station_id = s.id AND a.kind = c.rule AND a.figures->>'key' = c.key)
		ORDER BY c.i, s.area_id, s.code;
	END IF;
	RETURN QUERY SELECT 'esc', a.id, ARRAY[COALESCE(a.station_id, 0),
		COALESCE(a.area_id, s.area_id, 0), a.route_area_id, a.escalations,
		COALESCE(a.report_id, 0)]::bigint[],
		a.kind, a.severity, NULL, s.code,
		(SELECT string_agg(r.person_id::text, ',') FROM sawt.alert_recipients r
		 WHERE r.alert_id = a.id), NULL, NULL, NULL, NULL
	FROM sawt.alerts a LEFT JOIN sawt.stations s ON s.id = a.station_id
	WHERE a.state = 'open' AND a.severity = 'critical' AND a.acknowledged_at IS NULL
	  AND a.route_area_id IS NOT NULL AND p_escalate > 0
	  AND COALESCE(a.escalated_at, a.dispatched_at) <= v_now - make_interval(mins => p_escalate);
	RETURN QUERY SELECT 'opn', a.id, NULL::bigint[], a.subject, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL
	FROM sawt.alerts a
	WHERE a.election_id = p_election AND a.state IN ('new', 'batching', 'open')
	  AND a.kind IN ('low_balance', 'spool_backlog', 'outbox_backlog')
	ORDER BY a.id LIMIT 256;
	RETURN QUERY SELECT 'mod', NULL::bigint, ARRAY[extract(epoch FROM m.updated_at)::bigint],
		m.node, m.name, m.state, m.balance, NULL, NULL, NULL, NULL, NULL
	FROM sawt.modems m;
	RETURN QUERY SELECT 'obx', NULL::bigint, ARRAY[count(*),
		COALESCE(extract(epoch FROM now() - min(o.created_at)), 0)::bigint],
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM sawt.outbox o WHERE o.state = 'queued';
END;
$$;

-- The one write of a pass: p_doc is a JSON array of operations (src/daemon/alerts.c):
--   {"op":"claim","ids":[report ids]}       looked at: out of the queue
--   {"op":"alert","id","kind","severity","station","area","report",
--    "inbound","subject","figures","message","state","dup","due","route"}
--                                            a new alert (state open,
--                                            duplicate or batching)
--   {"op":"update","id","state","figures","message","route"}
--                                            a stored alert sent now, or a
--                                            batch grown (state batching)
--   {"op":"stations","id","ids":[station ids]}  what it is about
--   {"op":"send","id","person","phone","reason","lang","held","body"}
--                                            a recipient (an outbox row at
--                                            priority 0 unless held)
--   {"op":"release","id","person"}          a held copy sent alone
--   {"op":"digest","person","phone","body","ids":[alert ids]}
--                                            held copies sent as one digest
--   {"op":"escalate","id","route"}          escalated (route 0: national)
--   {"op":"resolve","ids":[alert ids]}      resolved
--   {"op":"clear","subjects":[subjects]}    an operations condition that
--                                            cleared: its open alert, if
--                                            any, is resolved
-- Times are p_now (Unix s).  Returns the outbox rows queued and the
-- alerts resolved by subject, "id:kind" joined by commas ('' for none).
CREATE FUNCTION sawt.alert_apply(p_election integer, p_now double precision, p_doc jsonb,
	OUT queued integer, OUT resolved text)
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := to_timestamp(p_now);
	v_queued integer := 0;
	o jsonb;
	v_ob bigint;
BEGIN
	DELETE FROM sawt.alert_queue q
	USING jsonb_array_elements(p_doc) d, jsonb_array_elements_text(d->'ids') x
	WHERE d->>'op' = 'claim' AND q.report_id = x::bigint;

	INSERT INTO sawt.alerts (id, election_id, created_at, kind, severity, station_id,
		area_id, report_id, inbound_id, message, subject, figures, state, duplicate_of,
		due_at, route_area_id, dispatched_at)
	SELECT (d->>'id')::bigint, p_election, v_now, d->>'kind', d->>'severity',
		NULLIF((d->>'station')::int, 0), NULLIF((d->>'area')::int, 0),
		NULLIF((d->>'report')::bigint, 0), NULLIF((d->>'inbound')::bigint, 0),
		d->>'message', d->>'subject', COALESCE(d->'figures', '{}'), d->>'state',
		NULLIF((d->>'dup')::bigint, 0), to_timestamp((d->>'due')::double precision),
		NULLIF((d->>'route')::int, 0),
		CASE WHEN d->>'state' = 'open' THEN v_now END
	FROM jsonb_array_elements(p_doc) d WHERE d->>'op' = 'alert'
	ORDER BY (d->>'id')::bigint;

	UPDATE sawt.alerts a SET state = d->>'state',
		figures = COALESCE(d->'figures', a.figures),
		message = COALESCE(d->>'message', a.message),
		route_area_id = CASE WHEN d->>'state' = 'open' THEN NULLIF((d->>'route')::int, 0)
			ELSE a.route_area_id END,
		dispatched_at = CASE WHEN d->>'state' = 'open' THEN v_now ELSE a.dispatched_at END
	FROM jsonb_array_elements(p_doc) d
	WHERE d->>'op' = 'update' AND a.id = (d->>'id')::bigint
	  AND a.state IN ('new', 'batching');

	INSERT INTO sawt.alert_stations (alert_id, station_id)
	SELECT DISTINCT (d->>'id')::bigint, x::int
	FROM jsonb_array_elements(p_doc) d, jsonb_array_elements_text(d->'ids') x
	WHERE d->>'op' = 'stations'
	ON CONFLICT DO NOTHING;

	UPDATE sawt.alerts a SET escalated_at = v_now, escalations = a.escalations + 1,
		route_area_id = NULLIF((d->>'route')::int, 0)
	FROM jsonb_array_elements(p_doc) d
	WHERE d->>'op' = 'escalate' AND a.id = (d->>'id')::bigint;

	FOR o IN SELECT d FROM jsonb_array_elements(p_doc) d
		 WHERE d->>'op' IN ('send', 'release', 'digest')
	LOOP
		v_ob := NULL;
		IF o->>'op' = 'send' THEN
			IF NOT (o->>'held')::boolean THEN
				INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, alert_id)
				VALUES (o->>'phone', o->>'body', 0, 'alert', (o->>'person')::int,
					(o->>'id')::bigint)
				RETURNING id INTO v_ob;
				v_queued := v_queued + 1;
			END IF;
			INSERT INTO sawt.alert_recipients (alert_id, person_id, created_at, reason, lang,
				state, body, outbox_id, sent_at)
			VALUES ((o->>'id')::bigint, (o->>'person')::int, v_now, o->>'reason', o->>'lang',
				CASE WHEN v_ob IS NULL THEN 'held' ELSE 'queued' END, o->>'body', v_ob,
				CASE WHEN v_ob IS NOT NULL THEN v_now END);
		ELSIF o->>'op' = 'release' THEN
			INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, alert_id)
			SELECT p.phone, r.body, 0, 'alert', r.person_id, r.alert_id
			FROM sawt.alert_recipients r JOIN sawt.people p ON p.id = r.person_id
			WHERE r.alert_id = (o->>'id')::bigint AND r.person_id = (o->>'person')::int
			  AND r.state = 'held'
			ORDER BY r.id LIMIT 1
			RETURNING id INTO v_ob;
			IF v_ob IS NOT NULL THEN
				UPDATE sawt.alert_recipients SET state = 'queued', outbox_id = v_ob,
					sent_at = v_now
				WHERE alert_id = (o->>'id')::bigint AND person_id = (o->>'person')::int
				  AND state = 'held';
				v_queued := v_queued + 1;
			END IF;
		ELSE
			INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id)
			SELECT p.phone, o->>'body', 0, 'alert', p.id
			FROM sawt.people p WHERE p.id = (o->>'person')::int
			RETURNING id INTO v_ob;
			IF v_ob IS NOT NULL THEN
				UPDATE sawt.alert_recipients SET state = 'digested', outbox_id = v_ob,
					sent_at = v_now
				WHERE person_id = (o->>'person')::int AND state = 'held'
				  AND alert_id IN (SELECT x::bigint
					FROM jsonb_array_elements_text(o->'ids') x);
				v_queued := v_queued + 1;
			END IF;
		END IF;
	END LOOP;

	PERFORM sawt.alert_resolve(ARRAY(SELECT x::bigint
		FROM jsonb_array_elements(p_doc) d, jsonb_array_elements_text(d->'ids') x
		WHERE d->>'op' = 'resolve'), v_now);
	SELECT COALESCE(string_agg(a.id || ':' || a.kind, ',' ORDER BY a.id), '') INTO resolved
	FROM sawt.alert_resolve(ARRAY(
		SELECT a.id FROM sawt.alerts a
		WHERE a.election_id = p_election AND a.state IN ('new', 'batching', 'open')
		  AND a.subject IN (SELECT x FROM jsonb_array_elements(p_doc) d,
			jsonb_array_elements_text(d->'subjects') x WHERE d->>'op' = 'clear')),
		v_now) r(id)
	JOIN sawt.alerts a ON a.id = r.id;
	queued := v_queued;
END;
$$;

-- For analysts: alerts with their lifecycle and what reached whom, with
-- no phone number, name or PIN (texts masked as in 0010).
CREATE OR REPLACE VIEW analytics.alerts WITH (security_barrier) AS
SELECT a.id AS alert_id, a.created_at, a.kind, a.severity,
	s.code AS station_code, COALESCE(ar.name, sar.name) AS area,
	analytics.mask_private(CASE WHEN np.pattern IS NULL THEN a.message
		ELSE regexp_replace(a.message, np.pattern, '[person]', 'g') END) AS message,
	a.acknowledged_at IS NULL AS open,
	a.acknowledged_at, ack.pseudonym AS acknowledged_by,
	a.report_id AS incident_id, e.name AS election,
	a.kind AS rule, a.state, ra.name AS routed_to, a.dispatched_at, a.duplicate_of,
	a.escalations, a.escalated_at, a.resolved_at,
	COALESCE(rc.coordinators, 0) AS coordinators, COALESCE(rc.sent, 0) AS sent,
	COALESCE(rc.delivered, 0) AS delivered, COALESCE(rc.held, 0) AS held,
	COALESCE(rc.dropped, 0) AS dropped
FROM sawt.alerts a
LEFT JOIN sawt.stations s ON s.id = a.station_id
LEFT JOIN sawt.areas ar ON ar.id = a.area_id
LEFT JOIN sawt.areas sar ON sar.id = s.area_id
LEFT JOIN sawt.areas ra ON ra.id = a.route_area_id
LEFT JOIN sawt.people ack ON ack.id = a.acknowledged_by
LEFT JOIN sawt.elections e ON e.id = COALESCE(a.election_id, s.election_id, ar.election_id)
LEFT JOIN sawt.analytics_name_patterns np ON np.election_id = e.id
LEFT JOIN LATERAL (
	SELECT count(*) AS coordinators,
		count(*) FILTER (WHERE o.state IN ('sent', 'delivered')) AS sent,
		count(*) FILTER (WHERE o.state = 'delivered') AS delivered,
		count(*) FILTER (WHERE r.state = 'held') AS held,
		count(*) FILTER (WHERE r.state = 'dropped') AS dropped
	FROM sawt.alert_recipients r LEFT JOIN sawt.outbox o ON o.id = r.outbox_id
	WHERE r.alert_id = a.id) rc ON true
ORDER BY a.id;

-- Each coordinator each alert went to: their pseudonym, never their
-- phone or name; delivery is the outbox row's state (or held, dropped).
CREATE VIEW analytics.alert_deliveries WITH (security_barrier) AS
SELECT r.alert_id, p.pseudonym AS coordinator, r.reason, r.lang, r.created_at,
	CASE WHEN r.state IN ('queued', 'digested') THEN o.state ELSE r.state END AS delivery,
	r.state = 'digested' AS in_digest, r.sent_at, o.sent_at AS left_at, o.delivered_at
FROM sawt.alert_recipients r
JOIN sawt.people p ON p.id = r.person_id
LEFT JOIN sawt.outbox o ON o.id = r.outbox_id
ORDER BY r.alert_id, r.id;

GRANT SELECT ON analytics.alerts, analytics.alert_deliveries TO sawt_analyst;
