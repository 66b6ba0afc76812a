-- A small election with a hand-made quick-count sample, for
-- tests/integration/pvt.sh, which gives the expected figures (worked out
-- by hand from these rows).
--
-- Regions North (stations 101-104) and South (201-206), 100 registered
-- voters and 50 registered women each; contest MUN (Amal, Bassem) on every
-- ballot.  Sample H, stratified by region: North 101 102 (of 4), South
-- 201 202 203 (of 6).  Sample T: North 101 103 (103 never reports), South
-- 201 202.  Reports that must not count: a rejected one (101), a
-- superseded one (102's first results), and one of a station outside the
-- samples (104).
\set ON_ERROR_STOP 1
SET TimeZone = 'UTC';
BEGIN;
INSERT INTO sawt.elections (id, name, country_code) VALUES (1, 'default', '961');
INSERT INTO sawt.areas (id, election_id, parent_id, name, depth) VALUES
	(1, 1, NULL, 'North', 1), (2, 1, NULL, 'South', 1);
INSERT INTO sawt.stations (id, election_id, code, name, area_id, registered, registered_women)
	SELECT i, 1, c::text, 'Station ' || c, CASE WHEN c < 200 THEN 1 ELSE 2 END, 100, 50
	FROM unnest(ARRAY[101, 102, 103, 104, 201, 202, 203, 204, 205, 206])
		WITH ORDINALITY u (c, i);
INSERT INTO sawt.contests (id, election_id, code, name) VALUES (1, 1, 'MUN', 'Municipal council');
INSERT INTO sawt.candidates (contest_id, position, name) VALUES (1, 1, 'Amal'), (1, 2, 'Bassem');
INSERT INTO sawt.station_contests SELECT id, 1 FROM sawt.stations;
INSERT INTO sawt.people (id, election_id, phone, name, role, language, pseudonym)
	SELECT i, 1, '+9617100000' || i, 'Person ' || i, 'observer', 'ar',
		encode(sha256(convert_to('pseudo' || i, 'UTF8')), 'hex')
	FROM generate_series(1, 9) i;
SELECT setval('sawt.elections_id_seq', 1), setval('sawt.areas_id_seq', 2),
	setval('sawt.stations_id_seq', 10), setval('sawt.contests_id_seq', 1),
	setval('sawt.people_id_seq', 9);

INSERT INTO sawt.pvt_samples (id, election_id, name, strata, size, seed) VALUES
	(1, 1, 'H', 'region', 5, NULL), (2, 1, 'T', 'region', 4, NULL);
SELECT setval('sawt.pvt_samples_id_seq', 2);
INSERT INTO sawt.pvt_sample_strata VALUES
	(1, 'North', 4, 400, 2), (1, 'South', 6, 600, 3),
	(2, 'North', 4, 400, 2), (2, 'South', 6, 600, 2);
INSERT INTO sawt.pvt_sample_stations
	SELECT 1, s.id, CASE WHEN s.area_id = 1 THEN 'North' ELSE 'South' END
	FROM sawt.stations s WHERE s.code IN ('101', '102', '201', '202', '203')
	UNION ALL
	SELECT 2, s.id, CASE WHEN s.area_id = 1 THEN 'North' ELSE 'South' END
	FROM sawt.stations s WHERE s.code IN ('101', '103', '201', '202');

-- One inbound message and its report (triggers off: the state is exact).
SET LOCAL session_replication_role = replica;
CREATE FUNCTION sawt.pvt_test_rep(person int, txt text, at text, station text,
	form text, outcome text DEFAULT 'accepted', voters int DEFAULT NULL,
	women int DEFAULT NULL, counts int[] DEFAULT NULL, invalid int DEFAULT NULL,
	blank int DEFAULT NULL, supersedes bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	m bigint;
	r bigint;
BEGIN
	INSERT INTO sawt.inbound_messages (received_at, transport, modem, sender,
		text, dedup_key, person_id, state, processed_at)
	VALUES (('2024-05-12 ' || at || '+00')::timestamptz, 'modem', 'usb0',
		(SELECT phone FROM sawt.people WHERE id = person), txt,
		sha256(convert_to(txt || at || person, 'UTF8')), person, 'processed',
		('2024-05-12 ' || at || '+00')::timestamptz)
	RETURNING id INTO m;
	INSERT INTO sawt.reports (election_id, inbound_id, person_id, station_id,
		station_code, form, outcome, error_code, voters, women, contest_id,
		counts, invalid, blank)
	VALUES (1, m, person, (SELECT id FROM sawt.stations s WHERE s.code = station),
		station, form, outcome,
		CASE WHEN outcome = 'rejected' THEN 'bad_pin' END, voters, women,
		CASE WHEN form = 'results' THEN 1 END, counts, invalid, blank)
	RETURNING id INTO r;
	IF supersedes IS NOT NULL THEN
		UPDATE sawt.reports SET superseded_by = r WHERE id = supersedes;
	END IF;
	RETURN r;
END;
$$;

SELECT sawt.pvt_test_rep(1, 'C 101 V40 W20', '19:01', '101', 'close', voters => 40, women => 20);
SELECT sawt.pvt_test_rep(2, 'C 102 V45 W25', '19:02', '102', 'close', voters => 45, women => 25);
SELECT sawt.pvt_test_rep(5, 'C 201 V60 W30', '19:03', '201', 'close', voters => 60, women => 30);
SELECT sawt.pvt_test_rep(6, 'C 202 V70 W30', '19:14', '202', 'close', voters => 70, women => 30);
SELECT sawt.pvt_test_rep(7, 'C 203 V55 W25', '19:15', '203', 'close', voters => 55, women => 25);
SELECT sawt.pvt_test_rep(1, 'R 101 MUN 10 10 1 1', '20:01', '101', 'results', counts => '{10,10}', invalid => 1, blank => 1);
SELECT sawt.pvt_test_rep(1, 'R 101 MUN 99 1 0 0', '20:02', '101', 'results', 'rejected', counts => '{99,1}', invalid => 0, blank => 0);
SELECT sawt.pvt_test_rep(2, 'R 102 MUN 1 19 0 0', '20:03', '102', 'results', counts => '{1,19}', invalid => 0, blank => 0) AS r102 \gset
SELECT sawt.pvt_test_rep(2, 'R 102 MUN 14 6 0 2', '20:04', '102', 'results', counts => '{14,6}', invalid => 0, blank => 2, supersedes => :r102);
SELECT sawt.pvt_test_rep(5, 'R 201 MUN 30 10 2 0', '20:05', '201', 'results', counts => '{30,10}', invalid => 2, blank => 0);
SELECT sawt.pvt_test_rep(6, 'R 202 MUN 36 4 1 1', '20:16', '202', 'results', counts => '{36,4}', invalid => 1, blank => 1);
SELECT sawt.pvt_test_rep(7, 'R 203 MUN 28 12 0 0', '20:17', '203', 'results', counts => '{28,12}', invalid => 0, blank => 0);
SELECT sawt.pvt_test_rep(4, 'R 104 MUN 0 50 0 0', '20:18', '104', 'results', counts => '{0,50}', invalid => 0, blank => 0);
COMMIT;
