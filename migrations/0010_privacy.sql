-- 0010_privacy.sql - no PIN and no name in an analyst-visible text.
--
-- analytics.message_log showed observers' messages with their PINs
-- (`فتح ١٠١ ٠٧٠٠ #1357`, and every wrong attempt), and analytics.alerts
-- showed alert texts written for coordinators, which name the observer.
-- Every analyst-visible free text now goes through analytics.mask_private:
-- phone-number-like runs become '[number]' (as before) and a PIN token --
-- '#' or full-width '＃' and what follows it up to the next separator,
-- whatever its digits' script -- becomes '#[pin]'.  Alert texts also have
-- the names of the election's people replaced by '[person]': alerts are
-- few, and names are stored in schema sawt, which analysts cannot read.

CREATE FUNCTION analytics.mask_private(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT regexp_replace(analytics.mask_phones(t),
		'[#＃][ ]*[^ ,،;؛./:=*\t\n\r-]+', '#[pin]', 'g')
$$;
GRANT EXECUTE ON FUNCTION analytics.mask_private(text) TO sawt_analyst;

-- For each election, one regular expression matching any of its people's
-- names (longest first, metacharacters escaped); out of analysts' reach.
CREATE VIEW sawt.analytics_name_patterns AS
SELECT election_id,
	string_agg(regexp_replace(name, '([.*+?^${}()|\[\]\\])', '\\\1', 'g'), '|'
		ORDER BY length(name) DESC) AS pattern
FROM sawt.people
WHERE length(name) >= 2
GROUP BY election_id;

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
	e.name AS election
FROM sawt.inbound_messages im
LEFT JOIN sawt.people pe ON pe.id = im.person_id
LEFT JOIN sawt.reports r ON r.inbound_id = im.id
	AND NOT EXISTS (SELECT 1 FROM sawt.reports n
		WHERE n.inbound_id = im.id AND n.id > r.id)
LEFT JOIN sawt.stations s ON s.id = r.station_id
LEFT JOIN sawt.elections e ON e.id = COALESCE(r.election_id, pe.election_id)
ORDER BY im.id;

CREATE OR REPLACE VIEW analytics.alerts WITH (security_barrier) AS
SELECT a.id AS alert_id, a.created_at, a.kind, a.severity,
	s.code AS station_code, COALESCE(ar.name, sar.name) AS area,
	analytics.mask_private(CASE WHEN np.pattern IS NULL THEN a.message
		ELSE regexp_replace(a.message, np.pattern, '[person]', 'g') END) AS message,
	a.acknowledged_at IS NULL AS open,
	a.acknowledged_at, ack.pseudonym AS acknowledged_by,
	a.report_id AS incident_id, e.name AS election
FROM sawt.alerts a
LEFT JOIN sawt.stations s ON s.id = a.station_id
LEFT JOIN sawt.areas ar ON ar.id = a.area_id
LEFT JOIN sawt.areas sar ON sar.id = s.area_id
LEFT JOIN sawt.people ack ON ack.id = a.acknowledged_by
LEFT JOIN sawt.elections e ON e.id = COALESCE(a.election_id, s.election_id, ar.election_id)
LEFT JOIN sawt.analytics_name_patterns np ON np.election_id = e.id
ORDER BY a.id;
