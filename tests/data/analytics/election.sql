-- A synthetic election with known totals, for tests/integration/analytics.sh.
-- Every figure the analytics views must return is worked out by hand in
-- that script; change both together.
--
-- Election "default": regions North (districts Akkar, Tripoli), South
-- (Tyre, Saida) and Beirut (no district); 7 stations; contests MUN (3
-- candidates, every station) and MUK (2 candidates, stations 101 102 201
-- 501).  Election "other": one station with the same code as one of
-- "default"'s, in a region with the same name, to show that elections are
-- kept apart.
--
-- Reports are inserted directly (not through the pipeline), with triggers
-- off, so that the tables hold exactly the state described here:
-- superseded, rejected and conflicting reports included.
\set ON_ERROR_STOP 1
SET TimeZone = 'UTC';
BEGIN;

INSERT INTO sawt.elections (id, name, country_code) VALUES
	(1, 'default', '961'), (2, 'other', '961');

INSERT INTO sawt.areas (id, election_id, parent_id, name, depth) VALUES
	(1, 1, NULL, 'North', 1),
	(2, 1, 1, 'Akkar', 2),
	(3, 1, 1, 'Tripoli', 2),
	(4, 1, NULL, 'South', 1),
	(5, 1, 4, 'Tyre', 2),
	(6, 1, 4, 'Saida', 2),
	(7, 1, NULL, 'Beirut', 1),
	(8, 2, NULL, 'North', 1);

INSERT INTO sawt.stations (id, election_id, code, name, area_id, centre,
			   registered, registered_women) VALUES
	(1, 1, '101', 'Akkar School A', 2, 'Akkar School', 1000, 520),
	(2, 1, '102', 'Akkar School B', 2, 'Akkar School', 800, 400),
	(3, 1, '201', 'Tripoli Hall', 3, NULL, 1200, 600),
	(4, 1, '202', 'Tripoli Mina', 3, NULL, 600, 310),
	(5, 1, '301', 'Tyre Centre', 5, NULL, 900, 450),
	(6, 1, '401', 'Saida Port', 6, NULL, 700, 360),
	(7, 1, '501', 'Achrafieh', 7, NULL, 1500, 800),
	(8, 2, '101', 'Other 101', 8, NULL, 100, 50);

INSERT INTO sawt.contests (id, election_id, code, name) VALUES
	(1, 1, 'MUN', 'Municipal council'),
	(2, 1, 'MUK', 'Mukhtar');
INSERT INTO sawt.candidates (contest_id, position, name) VALUES
	(1, 1, 'Amal'), (1, 2, 'Bassem'), (1, 3, 'Carla'),
	(2, 1, 'Dina'), (2, 2, 'Elias');
INSERT INTO sawt.station_contests (station_id, contest_id)
	SELECT s, 1 FROM generate_series(1, 7) s
	UNION ALL
	SELECT s, 2 FROM unnest(ARRAY[1, 2, 3, 7]) s;

INSERT INTO sawt.incident_codes (election_id, code, severity, name_en, name_ar) VALUES
	(1, 1, 'critical', 'Vote buying', 'شراء أصوات'),
	(1, 2, 'info', 'Late opening', NULL),
	(1, 3, 'serious', 'Intimidation', NULL);

-- Pseudonyms stand for HMACs: any 64 lowercase hex digits will do.
INSERT INTO sawt.people (id, election_id, phone, name, role, language, pseudonym)
	SELECT i, CASE WHEN i = 9 THEN 2 ELSE 1 END,
		'+9617100000' || i, 'Person ' || i,
		CASE WHEN i = 8 THEN 'coordinator' ELSE 'observer' END, 'ar',
		encode(sha256(convert_to('pseudo' || i, 'UTF8')), 'hex')
	FROM generate_series(1, 9) i;

SELECT setval('sawt.elections_id_seq', 2), setval('sawt.areas_id_seq', 8),
	setval('sawt.stations_id_seq', 8), setval('sawt.contests_id_seq', 2),
	setval('sawt.people_id_seq', 9);

-- Messages and reports.  Triggers off (fixture state is exact).
SET LOCAL session_replication_role = replica;

-- One inbound message (and its report, unless form is NULL).
CREATE FUNCTION pg_temp.rep(person int, txt text, at text,
	station text DEFAULT NULL, form text DEFAULT NULL,
	outcome text DEFAULT 'accepted', err text DEFAULT NULL,
	flags text[] DEFAULT '{}', voters int DEFAULT NULL,
	women int DEFAULT NULL, men int DEFAULT NULL,
	contest text DEFAULT NULL, counts int[] DEFAULT NULL,
	invalid int DEFAULT NULL, blank int DEFAULT NULL,
	code int DEFAULT NULL, supersedes bigint DEFAULT NULL,
	sender text DEFAULT NULL, state text DEFAULT 'processed',
	no_reply text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	el int := COALESCE((SELECT election_id FROM sawt.people WHERE id = person), 1);
	m bigint;
	r bigint;
BEGIN
	INSERT INTO sawt.inbound_messages (received_at, transport, modem, sender,
		text, dedup_key, person_id, state, error_code, no_reply_reason,
		processed_at)
	VALUES (('2024-05-12 ' || at || '+00')::timestamptz, 'modem', 'usb0',
		COALESCE(sender, (SELECT phone FROM sawt.people WHERE id = person)),
		txt, sha256(convert_to(txt || at || COALESCE(person, 0), 'UTF8')),
		person, state, CASE WHEN form IS NULL THEN err END, no_reply,
		('2024-05-12 ' || at || '+00')::timestamptz)
	RETURNING id INTO m;
	IF form IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO sawt.reports (election_id, inbound_id, person_id, station_id,
		station_code, form, outcome, error_code, flags, voters, women, men,
		contest_id, counts, invalid, blank, incident_code, text)
	VALUES (el, m, person,
		(SELECT id FROM sawt.stations s WHERE s.code = station AND s.election_id = el),
		station, form, outcome, err, flags, voters, women, men,
		(SELECT id FROM sawt.contests k WHERE k.code = contest AND k.election_id = el),
		counts, invalid, blank, code,
		CASE WHEN form = 'incident' THEN regexp_replace(txt, '^I [0-9]+ [0-9]+ ?', '') END)
	RETURNING id INTO r;
	IF supersedes IS NOT NULL THEN
		UPDATE sawt.reports SET superseded_by = r WHERE id = supersedes;
	END IF;
	RETURN r;
END;
$$;

-- open: 101 (twice), 102, 202, 301, 501; 201's is rejected
SELECT pg_temp.rep(1, 'OPEN 101 0700', '07:00', '101', 'open') AS o101 \gset
SELECT pg_temp.rep(1, 'OPEN 101 0705', '07:05', '101', 'open', supersedes => :o101);
SELECT pg_temp.rep(2, 'OPEN 102', '07:01', '102', 'open');
SELECT pg_temp.rep(3, 'OPEN 201', '07:02', '201', 'open', 'rejected', 'bad_pin');
SELECT pg_temp.rep(5, 'OPEN 202', '07:03', '202', 'open');
SELECT pg_temp.rep(6, 'OPEN 301', '07:04', '301', 'open');
SELECT pg_temp.rep(7, 'OPEN 501', '07:06', '501', 'open');

-- turnout and close
-- 101: turnout 300/140 superseded by 450/210; close 600/290/310 wins
SELECT pg_temp.rep(1, 'T 101 V300 W140', '10:00', '101', 'turnout', voters => 300, women => 140) AS t101 \gset
SELECT pg_temp.rep(1, 'T 101 V450 W210', '12:00', '101', 'turnout', voters => 450, women => 210, supersedes => :t101);
SELECT pg_temp.rep(1, 'C 101 V600 W290 M310', '19:10', '101', 'close', voters => 600, women => 290, men => 310);
-- 102: turnout 350/170, sent twice (the resend is superseded by the
-- original at once); a rejected 900 must not count
SELECT pg_temp.rep(2, 'T 102 V350 W170', '12:30', '102', 'turnout', voters => 350, women => 170) AS t102 \gset
SELECT pg_temp.rep(2, 'T 102 V350 W170 ', '12:31', '102', 'turnout', 'accepted_flagged', flags => '{resend}', voters => 350, women => 170) AS t102r \gset
UPDATE sawt.reports SET superseded_by = :t102 WHERE id = :t102r;
SELECT pg_temp.rep(2, 'T 102 V900 W170', '13:00', '102', 'turnout', 'rejected', 'voters_gt_registered', voters => 900, women => 170);
-- 201: two observers close with different figures: the newer wins, conflict
SELECT pg_temp.rep(3, 'C 201 V700 W330', '19:20', '201', 'close', voters => 700, women => 330);
SELECT pg_temp.rep(4, 'C 201 V720 W350', '19:25', '201', 'close', voters => 720, women => 350);
-- 202: only a rejected turnout
SELECT pg_temp.rep(5, 'T 202 V380 W400', '11:00', '202', 'turnout', 'rejected', 'women_gt_voters', voters => 380, women => 400);
-- 301: 500/260, then 480/250 accepted with a flag
SELECT pg_temp.rep(6, 'T 301 V500 W260', '11:00', '301', 'turnout', voters => 500, women => 260) AS t301 \gset
SELECT pg_temp.rep(6, 'T 301 V480 W250', '14:00', '301', 'turnout', 'accepted_flagged', flags => '{turnout_decrease}', voters => 480, women => 250, supersedes => :t301);
-- 401: voters only (no women count)
SELECT pg_temp.rep(7, 'T 401 V400', '15:00', '401', 'turnout', voters => 400);
-- 501: close 850/450, then another observer's 900/480, which the pipeline
-- flags 'conflict' and makes current (superseding the first)
SELECT pg_temp.rep(7, 'C 501 V850 W450', '19:00', '501', 'close', voters => 850, women => 450) AS c501 \gset
SELECT pg_temp.rep(5, 'C 501 V900 W480', '19:30', '501', 'close', 'accepted_flagged', flags => '{conflict}', voters => 900, women => 480, supersedes => :c501);
-- election "other"
SELECT pg_temp.rep(9, 'C 101 V50 W20', '19:00', '101', 'close', voters => 50, women => 20);

-- results
-- MUN 101: superseded, then current
SELECT pg_temp.rep(1, 'R 101 MUN 190 240 100 30 20', '20:00', '101', 'results', contest => 'MUN', counts => '{190,240,100}', invalid => 30, blank => 20) AS r101 \gset
SELECT pg_temp.rep(1, 'R 101 MUN 200 250 100 30 20', '20:10', '101', 'results', contest => 'MUN', counts => '{200,250,100}', invalid => 30, blank => 20, supersedes => :r101);
SELECT pg_temp.rep(2, 'R 102 MUN 100 150 80 10 10', '20:05', '102', 'results', contest => 'MUN', counts => '{100,150,80}', invalid => 10, blank => 10);
-- MUN 201: conflict, the newer wins
SELECT pg_temp.rep(3, 'R 201 MUN 300 250 120 30 20', '20:20', '201', 'results', contest => 'MUN', counts => '{300,250,120}', invalid => 30, blank => 20);
SELECT pg_temp.rep(4, 'R 201 MUN 310 260 110 25 15', '20:25', '201', 'results', contest => 'MUN', counts => '{310,260,110}', invalid => 25, blank => 15);
-- MUN 202: rejected
SELECT pg_temp.rep(5, 'R 202 MUN 1000 0 0 0 0', '20:30', '202', 'results', 'rejected', 'results_gt_registered', contest => 'MUN', counts => '{1000,0,0}', invalid => 0, blank => 0);
SELECT pg_temp.rep(6, 'R 301 MUN 150 200 100 20 10', '20:40', '301', 'results', contest => 'MUN', counts => '{150,200,100}', invalid => 20, blank => 10);
SELECT pg_temp.rep(7, 'R 501 MUN 400 350 150 30 20', '20:50', '501', 'results', contest => 'MUN', counts => '{400,350,150}', invalid => 30, blank => 20);
-- MUK
SELECT pg_temp.rep(1, 'R 101 MUK 300 260 25 15', '20:15', '101', 'results', contest => 'MUK', counts => '{300,260}', invalid => 25, blank => 15);
SELECT pg_temp.rep(2, 'R 102 MUK 200 140 5 5', '20:16', '102', 'results', contest => 'MUK', counts => '{200,140}', invalid => 5, blank => 5);
-- 301 has no MUK on its ballot: must not count even though accepted
SELECT pg_temp.rep(6, 'R 301 MUK 90 90 0 0', '20:41', '301', 'results', contest => 'MUK', counts => '{90,90}', invalid => 0, blank => 0);
SELECT pg_temp.rep(7, 'R 501 MUK 500 350 30 20', '20:51', '501', 'results', contest => 'MUK', counts => '{500,350}', invalid => 30, blank => 20);

-- incidents
SELECT pg_temp.rep(1, 'I 101 1 vote buying at door, call +961 71 999 888', '09:00', '101', 'incident', code => 1) AS i1 \gset
SELECT pg_temp.rep(6, 'I 301 2 opened 30 min late', '07:30', '301', 'incident', code => 2) AS i2 \gset
SELECT pg_temp.rep(7, 'I 501 3 party agents threatening voters', '16:00', '501', 'incident', code => 3) AS i3 \gset
SELECT pg_temp.rep(2, 'I 102 99 something', '09:30', '102', 'incident', 'rejected', 'unknown_incident_code', code => 99);

-- messages without a report: unknown sender, a short-code sender, HELP
SELECT pg_temp.rep(NULL, 'T 101 V10 W5 my number is 0096170555444', '09:45', sender => '+96170555444', err => 'unknown_sender');
SELECT pg_temp.rep(NULL, 'Your balance is 5000 LBP', '09:50', sender => 'OGERO', state => 'ignored', no_reply => 'non_phone_sender');
SELECT pg_temp.rep(3, 'HELP', '08:00');

-- alerts
INSERT INTO sawt.alerts (election_id, created_at, kind, severity, station_id,
			 report_id, message, alert_key, acknowledged_at, acknowledged_by) VALUES
	(1, '2024-05-12 09:00:05+00', 'critical_incident', 'critical', 1, :i1,
	 'Critical incident at 101: Vote buying', 'incident:' || :i1,
	 '2024-05-12 09:10:00+00', 8),
	(1, '2024-05-12 16:00:05+00', 'serious_incident', 'serious', 7, :i3,
	 'Incident at 501: Intimidation', 'incident:' || :i3, NULL, NULL),
	(1, '2024-05-12 08:00:00+00', 'station_missing', 'serious', 3, NULL,
	 'Station 201 has not opened', 'station_missing:201:open', NULL, NULL),
	(NULL, '2024-05-12 13:00:00+00', 'modem_down', 'critical', NULL, NULL,
	 'Modem usb1 (SIM +96170123456) is down', NULL, NULL, NULL);

UPDATE sawt.alerts SET state = 'open', dispatched_at = created_at;

-- the critical incident's alert went to coordinator 8 (delivered); a
-- second copy was held by the rate limit, then dropped
INSERT INTO sawt.outbox (id, created_at, recipient, body, priority, kind, person_id,
			 alert_id, state, attempts, sent_at, delivered_at)
SELECT 1, '2024-05-12 09:00:06+00', '+96171000008', 'Alert 1 CRITICAL at 101', 0, 'alert', 8,
	a.id, 'delivered', 1, '2024-05-12 09:00:09+00', '2024-05-12 09:00:15+00'
FROM sawt.alerts a WHERE a.kind = 'critical_incident';
SELECT setval('sawt.outbox_id_seq', 1);
INSERT INTO sawt.alert_recipients (alert_id, person_id, created_at, reason, lang, state, body,
				   outbox_id, sent_at)
SELECT a.id, 8, '2024-05-12 09:00:05+00', 'area', 'ar', 'queued', 'Alert 1 CRITICAL at 101', 1,
	'2024-05-12 09:00:05+00'
FROM sawt.alerts a WHERE a.kind = 'critical_incident';
INSERT INTO sawt.alert_recipients (alert_id, person_id, created_at, reason, lang, state, body)
SELECT a.id, 8, '2024-05-12 16:00:05+00', 'area', 'ar', 'dropped', 'Alert 2 at 501'
FROM sawt.alerts a WHERE a.kind = 'serious_incident';

INSERT INTO sawt.modems (node, name, state, own_number, operator, signal_percent,
			 sent, received, send_failures, restarts, last_seen_at) VALUES
	('', 'usb0', 'ready', '+96170123455', 'alfa', 71, 40, 52, 1, 0, '2024-05-12 21:00:00+00'),
	('', 'usb1', 'down', '+96170123456', 'touch', NULL, 3, 2, 4, 5, '2024-05-12 13:00:00+00');

COMMIT;
