-- 0028_web_live.sql - the operations panel of the election-day page
-- (docs/web.md): GET /api/ops answers sawt.web_ops() for national
-- coordinators (no area: the whole election, as the operator is).  It
-- reads what `sawt status` and /metrics read: sawt.modems, sawt.nodes, the
-- outbox backlog, and the messages in and out per minute.  No SIM number,
-- IMEI or phone number: balance texts are masked.

-- The sent half of the rate, on its own partial index.
CREATE INDEX outbox_sent_at_idx ON sawt.outbox (sent_at) WHERE sent_at IS NOT NULL;

CREATE FUNCTION sawt.web_ops(p_person integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_out json;
BEGIN
	IF EXISTS (SELECT 1 FROM sawt.person_areas WHERE person_id = p_person) THEN
		RAISE EXCEPTION 'the operations panel is for national coordinators'
			USING ERRCODE = '42501';
	END IF;
	WITH minutes AS (
		SELECT m FROM generate_series(date_trunc('minute', now()) - interval '14 minutes',
			date_trunc('minute', now()), interval '1 minute') m
	), msg_in AS (
		SELECT date_trunc('minute', received_at) m, count(*) n FROM sawt.inbound_messages
		WHERE received_at >= date_trunc('minute', now()) - interval '14 minutes' GROUP BY 1
	), msg_out AS (
		SELECT date_trunc('minute', sent_at) m, count(*) n FROM sawt.outbox
		WHERE sent_at IS NOT NULL
		  AND sent_at >= date_trunc('minute', now()) - interval '14 minutes' GROUP BY 1
	)
	SELECT json_build_object(
		'at', now(),
		'modems', COALESCE((SELECT json_agg(json_build_object(
				'node', md.node, 'name', md.name, 'state', md.state,
				'signal_percent', md.signal_percent, 'operator', md.operator,
				'balance', analytics.mask_private(md.balance), 'balance_at', md.balance_at,
				'sent', md.sent, 'received', md.received,
				'send_failures', md.send_failures, 'last_seen_at', md.last_seen_at)
				ORDER BY md.node, md.name) FROM sawt.modems md), '[]'::json),
		'nodes', COALESCE((SELECT json_agg(json_build_object(
				'node', nd.node, 'spool_messages', nd.spool_messages,
				'spool_free_bytes', nd.spool_free_bytes, 'spool_low', nd.spool_low,
				'refusing', nd.refusing, 'held_on_source', nd.held_on_source,
				'updated_at', nd.updated_at) ORDER BY nd.node) FROM sawt.nodes nd), '[]'::json),
		'outbox', (SELECT json_build_object(
				'queued', count(*) FILTER (WHERE state = 'queued'),
				'sending', count(*) FILTER (WHERE state = 'sending'))
			FROM sawt.outbox WHERE state IN ('queued', 'sending')),
		'per_minute', (SELECT json_agg(json_build_object(
				't', mi.m, 'in', COALESCE(i.n, 0), 'out', COALESCE(o.n, 0)) ORDER BY mi.m)
			FROM minutes mi LEFT JOIN msg_in i ON i.m = mi.m LEFT JOIN msg_out o ON o.m = mi.m))
	INTO v_out;
	RETURN v_out;
END
$$;

-- The stations of area p_area itself (not of the areas below it), for the
-- drill-down's last step: turnout and women's share as sawt.web_areas
-- computes them for an area.  42501 when p_area is outside the session's
-- areas; [] without p_area.
CREATE FUNCTION sawt.web_station_list(p_person integer, p_area integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_roots integer[] := sawt.web_roots(p_person, p_area);
	v_out json;
BEGIN
	IF p_area IS NULL THEN
		RETURN '[]'::json;
	END IF;
	SELECT COALESCE(json_agg(json_build_object(
		'id', s.id, 'code', s.code, 'name', s.name,
		'registered', s.registered, 'voters', t.voters, 'women', t.women,
		'opened', t.opened_at IS NOT NULL, 'closed', t.closed_at IS NOT NULL,
		'with_results', t.results_at IS NOT NULL,
		'turnout_pct', round(100.0 * t.voters / NULLIF(s.registered, 0), 1),
		'women_share', round(100.0 * t.women / NULLIF(t.voters, 0), 1),
		'women_turnout_pct', round(100.0 * t.women / NULLIF(s.registered_women, 0), 1))
		ORDER BY s.code), '[]'::json)
	INTO v_out
	FROM sawt.stations s
	LEFT JOIN sawt.web_station_facts t ON t.station_id = s.id
	WHERE s.area_id = p_area;
	RETURN v_out;
END;
$$;
