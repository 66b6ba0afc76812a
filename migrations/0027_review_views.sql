-- 0027_review_views.sql - the review state in the incident and message
-- lists (issue 19): analytics.incidents and analytics.message_log listed
-- quarantined and rejected reports without saying so.  Each gets the
-- report's review_state as its last column (docs/analysts.md); the rest is
-- unchanged (0006, 0010).

CREATE OR REPLACE VIEW analytics.incidents WITH (security_barrier) AS
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
	e.name AS election,
	r.review_state
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

CREATE OR REPLACE VIEW analytics.message_log WITH (security_barrier) AS
SELECT im.id AS message_id, im.received_at, im.transport,
	pe.pseudonym, pe.role,
	im.state, r.form, r.outcome,
	COALESCE(r.error_code, im.error_code) AS error_code,
	COALESCE(r.flags, '{}') AS flags,
	COALESCE(s.code, r.station_code) AS station_code,
	r.superseded_by IS NOT NULL AS superseded,
	im.no_reply_reason,
	analytics.mask_private(im.text) AS text,
	im.node, im.modem, im.processed_at, r.id AS report_id,
	e.name AS election,
	r.review_state
FROM sawt.inbound_messages im
LEFT JOIN sawt.people pe ON pe.id = im.person_id
LEFT JOIN sawt.reports r ON r.inbound_id = im.id
	AND NOT EXISTS (SELECT 1 FROM sawt.reports n
		WHERE n.inbound_id = im.id AND n.id > r.id)
LEFT JOIN sawt.stations s ON s.id = r.station_id
LEFT JOIN sawt.elections e ON e.id = COALESCE(r.election_id, pe.election_id)
ORDER BY im.id;
