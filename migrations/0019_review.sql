-- 0019_review.sql - coordinators review reports (issue 19).
--
-- Every report has a review state:
--   pending       new, nothing looked odd (the default);
--   needs_review  flagged on arrival (outcome accepted_flagged, e.g. a
--                 conflict or a turnout decrease): a coordinator should look;
--   verified      a coordinator checked it;
--   quarantined   stored and visible, but NOT counted in tallies or views;
--   rejected      a coordinator rejected it: not counted.
--
-- THE "COUNTS" PREDICATE.  A report counts in tallies and analytics when
-- sawt.report_counts(outcome, review_state) is true: outcome is not
-- 'rejected' and review_state is neither 'quarantined' nor 'rejected'.
-- Anything that reads "reports that count" (the PVT quick count, exports)
-- must use this function and nothing else, so that a review decision
-- reaches it.  sawt.analytics_current applies it below.
--
-- A change of state goes through sawt.review_set(), which in ONE
-- transaction locks the station's tally, records the transition in
-- sawt.review_history (who, when, why, the previous state) and rebuilds
-- the tally from the reports that still count (sawt.tally_refresh).  A
-- coordinator's corrected figures are a new report (sawt.review_correct)
-- whose correction_of names the observer's report; it is verified at once
-- and, sent at the same time as the report it corrects but newer, becomes
-- the current figure.
--
-- sawt.ingest_batch is NOT restated: reports start in their state through
-- a BEFORE INSERT trigger, and ingest keeps working on the tally rows
-- sawt.tally_refresh leaves (an emptied tally has report_id NULL).

CREATE FUNCTION sawt.report_counts(p_outcome text, p_state text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_outcome <> 'rejected' AND p_state NOT IN ('quarantined', 'rejected')
$$;
COMMENT ON FUNCTION sawt.report_counts(text, text) IS
	'true when a report with this outcome and review state counts in tallies and views';

ALTER TABLE sawt.reports
	ADD COLUMN review_state text NOT NULL DEFAULT 'pending'
		CHECK (review_state IN ('pending', 'needs_review', 'verified',
					'quarantined', 'rejected')),
	ADD COLUMN correction_of bigint REFERENCES sawt.reports(id),
	ADD COLUMN corrected_by integer REFERENCES sawt.people(id);
COMMENT ON COLUMN sawt.reports.correction_of IS
	'the observer''s report a coordinator''s correction replaces (NULL: not a correction)';
CREATE INDEX reports_review_idx ON sawt.reports (election_id, review_state)
	WHERE review_state = 'needs_review';

UPDATE sawt.reports SET review_state = 'needs_review'
WHERE outcome = 'accepted_flagged' AND superseded_by IS NULL;

-- Who changed what.  by_person is the coordinator (SMS, or a CLI user who
-- named themselves); actor says how: 'sms', 'cli:USER', 'rule:NAME'.
CREATE TABLE sawt.review_history (
	id              bigserial PRIMARY KEY,
	report_id       bigint NOT NULL REFERENCES sawt.reports(id),
	at              timestamptz NOT NULL DEFAULT now(),
	by_person       integer REFERENCES sawt.people(id),
	actor           text NOT NULL,
	previous_state  text NOT NULL,
	new_state       text NOT NULL,
	reason          text
);
CREATE INDEX review_history_report_idx ON sawt.review_history (report_id);

-- Flagged reports start as needs_review.  Resends and reports stored as
-- history (out_of_order) never were current: they stay pending.
CREATE FUNCTION sawt.review_initial_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.review_state = 'pending' AND NEW.outcome = 'accepted_flagged'
	   AND NOT NEW.flags && '{resend,out_of_order}'::text[] THEN
		NEW.review_state := 'needs_review';
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER reports_review_initial BEFORE INSERT ON sawt.reports
	FOR EACH ROW EXECUTE FUNCTION sawt.review_initial_state();

-- Rebuild the tally of one station, form and contest (0: none) from the
-- reports that count, resends excepted.  The current report is the one
-- sent last (send time: the SMSC's, else the receipt; ties: the newest);
-- it is marked current (superseded_by NULL) and the other counting
-- reports that claimed to be current are superseded by it.  With no
-- report left the tally is emptied, not deleted (ingest_batch has it
-- locked or will).  The caller holds the tally row lock.
CREATE FUNCTION sawt.tally_refresh(p_station integer, p_form text, p_contest integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	cur record;
	n integer;
BEGIN
	SELECT r.*, COALESCE(i.smsc_time, i.received_at) AS sent INTO cur
	FROM sawt.reports r JOIN sawt.inbound_messages i ON i.id = r.inbound_id
	WHERE r.station_id = p_station AND r.form = p_form
	  AND COALESCE(r.contest_id, 0) = p_contest
	  AND sawt.report_counts(r.outcome, r.review_state)
	  AND NOT 'resend' = ANY (r.flags)
	ORDER BY COALESCE(i.smsc_time, i.received_at) DESC, r.id DESC
	LIMIT 1;
	SELECT count(*) INTO n FROM sawt.reports r
	WHERE r.station_id = p_station AND r.form = p_form
	  AND COALESCE(r.contest_id, 0) = p_contest
	  AND sawt.report_counts(r.outcome, r.review_state)
	  AND NOT 'resend' = ANY (r.flags) AND r.correction_of IS NULL;
	IF cur.id IS NULL THEN
		UPDATE sawt.tallies SET report_id = NULL, person_id = NULL,
			open_time = NULL, voters = NULL, women = NULL, men = NULL,
			counts = NULL, invalid = NULL, blank = NULL, total = NULL,
			incident_code = NULL, reports = 0, conflict = false,
			corrected = false, sent_at = NULL, updated_at = now()
		WHERE station_id = p_station AND form = p_form AND contest_id = p_contest;
		RETURN;
	END IF;
	IF p_form <> 'incident' THEN
		UPDATE sawt.reports SET superseded_by = NULL WHERE id = cur.id;
		UPDATE sawt.reports r SET superseded_by = cur.id
		WHERE r.station_id = p_station AND r.form = p_form
		  AND COALESCE(r.contest_id, 0) = p_contest AND r.id <> cur.id
		  AND r.superseded_by IS NULL
		  AND sawt.report_counts(r.outcome, r.review_state);
	END IF;
	INSERT INTO sawt.tallies (station_id, form, contest_id)
	VALUES (p_station, p_form, p_contest) ON CONFLICT DO NOTHING;
	UPDATE sawt.tallies t SET report_id = cur.id, person_id = cur.person_id,
		open_time = cur.open_time, voters = cur.voters, women = cur.women,
		men = cur.men, counts = cur.counts, invalid = cur.invalid,
		blank = cur.blank, total = cur.total, incident_code = cur.incident_code,
		reports = n,
		conflict = EXISTS (SELECT 1 FROM sawt.reports r
			WHERE r.station_id = p_station AND r.form = p_form
			  AND COALESCE(r.contest_id, 0) = p_contest
			  AND sawt.report_counts(r.outcome, r.review_state)
			  AND 'conflict' = ANY (r.flags)),
		corrected = cur.correction_of IS NOT NULL OR EXISTS (SELECT 1 FROM sawt.reports r
			WHERE r.station_id = p_station AND r.form = p_form
			  AND COALESCE(r.contest_id, 0) = p_contest
			  AND sawt.report_counts(r.outcome, r.review_state)
			  AND 'turnout_decrease' = ANY (r.flags)),
		sent_at = cur.sent, updated_at = now()
	WHERE t.station_id = p_station AND t.form = p_form AND t.contest_id = p_contest;
END;
$$;

-- Lock the tally of a report's station, form and contest (creating it),
-- then the report; returns the report locked.  Raises when there is none.
CREATE FUNCTION sawt.review_lock(p_report bigint) RETURNS sawt.reports
LANGUAGE plpgsql AS $$
DECLARE
	r sawt.reports;
BEGIN
	SELECT * INTO r FROM sawt.reports WHERE id = p_report;
	IF r.id IS NULL THEN
		RAISE EXCEPTION 'report % does not exist', p_report USING ERRCODE = 'no_data_found';
	END IF;
	IF r.station_id IS NOT NULL THEN
		INSERT INTO sawt.tallies (station_id, form, contest_id)
		VALUES (r.station_id, r.form, COALESCE(r.contest_id, 0)) ON CONFLICT DO NOTHING;
		PERFORM 1 FROM sawt.tallies WHERE station_id = r.station_id AND form = r.form
			AND contest_id = COALESCE(r.contest_id, 0) FOR UPDATE;
	END IF;
	SELECT * INTO r FROM sawt.reports WHERE id = p_report FOR UPDATE;
	RETURN r;
END;
$$;

-- Move a report to p_state, recording who (p_person, p_actor), why
-- (p_reason) and the previous state, and rebuild its tally.  A report the
-- pipeline rejected cannot be verified or quarantined (it never counts).
-- Setting the state it already has records nothing and returns false.
CREATE FUNCTION sawt.review_set(p_report bigint, p_state text, p_person integer,
	p_actor text, p_reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	r sawt.reports;
BEGIN
	IF p_state NOT IN ('pending', 'needs_review', 'verified', 'quarantined', 'rejected') THEN
		RAISE EXCEPTION 'invalid review state "%"', p_state USING ERRCODE = 'invalid_parameter_value';
	END IF;
	r := sawt.review_lock(p_report);
	IF r.outcome = 'rejected' THEN
		RAISE EXCEPTION 'report % was rejected by validation (%): it cannot be reviewed',
			p_report, r.error_code USING ERRCODE = 'check_violation';
	END IF;
	IF r.review_state = p_state THEN
		RETURN false;
	END IF;
	INSERT INTO sawt.review_history (report_id, by_person, actor, previous_state,
		new_state, reason)
	VALUES (p_report, p_person, p_actor, r.review_state, p_state, p_reason);
	UPDATE sawt.reports SET review_state = p_state WHERE id = p_report;
	IF r.station_id IS NOT NULL THEN
		PERFORM sawt.tally_refresh(r.station_id, r.form, COALESCE(r.contest_id, 0));
	END IF;
	RETURN true;
END;
$$;

-- A coordinator's corrected figures for report p_report: a new report,
-- a copy of it with the figures given (NULL: kept), marked as a
-- correction (correction_of, corrected_by), verified at once; the
-- observer's report keeps its state and is superseded.  Returns the new
-- report's id.
CREATE FUNCTION sawt.review_correct(p_report bigint, p_person integer, p_actor text,
	p_reason text, p_voters integer, p_women integer, p_men integer,
	p_counts integer[], p_invalid integer, p_blank integer, p_total integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	r sawt.reports;
	nid bigint;
BEGIN
	r := sawt.review_lock(p_report);
	IF r.outcome = 'rejected' OR r.station_id IS NULL OR r.form = 'incident' THEN
		RAISE EXCEPTION 'report % cannot be corrected (rejected by validation, or an incident)',
			p_report USING ERRCODE = 'check_violation';
	END IF;
	INSERT INTO sawt.reports (election_id, inbound_id, person_id, station_id,
		station_code, form, outcome, flags, open_time, voters, women, men,
		contest_id, counts, invalid, blank, total, review_state,
		correction_of, corrected_by)
	VALUES (r.election_id, r.inbound_id, r.person_id, r.station_id, r.station_code,
		r.form, 'accepted', '{}', r.open_time, COALESCE(p_voters, r.voters),
		COALESCE(p_women, r.women), COALESCE(p_men, r.men), r.contest_id,
		COALESCE(p_counts, r.counts), COALESCE(p_invalid, r.invalid),
		COALESCE(p_blank, r.blank), COALESCE(p_total, r.total), 'verified',
		p_report, p_person)
	RETURNING id INTO nid;
	INSERT INTO sawt.review_history (report_id, by_person, actor, previous_state,
		new_state, reason)
	VALUES (nid, p_person, p_actor, 'pending', 'verified',
		'correction of report ' || p_report || COALESCE(': ' || p_reason, ''));
	PERFORM sawt.tally_refresh(r.station_id, r.form, COALESCE(r.contest_id, 0));
	RETURN nid;
END;
$$;

-- The analytics current report: as in 0006_analytics.sql, among the
-- reports that count.
CREATE OR REPLACE VIEW sawt.analytics_current AS
SELECT id, election_id, inbound_id, person_id, station_id, form, ckey,
	outcome, flags, voters, women, men, counts, invalid, blank, total,
	open_time, conflict
FROM (
	SELECT r.*,
		CASE WHEN r.form = 'results' THEN r.contest_id ELSE 0 END AS ckey,
		(count(*) OVER w > 1 OR 'conflict' = ANY (r.flags)) AS conflict,
		row_number() OVER (w ORDER BY r.id DESC) AS rn
	FROM sawt.reports r
	WHERE r.outcome <> 'rejected' AND r.superseded_by IS NULL
		AND sawt.report_counts(r.outcome, r.review_state)
		AND r.station_id IS NOT NULL
		AND r.form IN ('open', 'turnout', 'close', 'results')
	WINDOW w AS (PARTITION BY r.station_id, r.form,
		CASE WHEN r.form = 'results' THEN r.contest_id ELSE 0 END)
) c
WHERE rn = 1;

-- Review history for analysts: people as their pseudonym, reasons masked.
CREATE VIEW analytics.review_history WITH (security_barrier) AS
SELECT h.id, h.report_id, r.election_id, s.code AS station, r.form, h.at,
	p.pseudonym AS by_person,
	CASE WHEN h.actor LIKE 'cli:%' THEN 'cli' ELSE h.actor END AS actor,
	h.previous_state, h.new_state, analytics.mask_phones(h.reason) AS reason,
	r.correction_of
FROM sawt.review_history h
JOIN sawt.reports r ON r.id = h.report_id
LEFT JOIN sawt.stations s ON s.id = r.station_id
LEFT JOIN sawt.people p ON p.id = h.by_person;
GRANT SELECT ON analytics.review_history TO sawt_analyst;

-- Automatic quarantine rules, per election (issue 19).  A row turns a
-- rule on; tolerance is a fraction (0.05 = 5 %):
--   turnout_over_registered  turnout or close voters above
--                            registered x (1 + tolerance) (tolerance may be
--                            negative: validation already rejects more
--                            than registered; stations with 0 registered
--                            are skipped);
--   results_sum              a results report whose counts + invalid +
--                            blank differ from the station's current voters
--                            (close, else turnout) by more than
--                            voters x tolerance (no voters figure: skipped);
--   unbound_sender           the sender is not bound to the station itself
--                            (only through an area); tolerance unused.
-- A report a rule catches arrives quarantined, names the rule in
-- quarantine_rule and in its history row (actor 'rule:NAME'), and its
-- tally is rebuilt when the transaction commits (after ingest_batch
-- folded it in).
CREATE TABLE sawt.quarantine_rules (
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	rule            text NOT NULL CHECK (rule IN ('turnout_over_registered',
				'results_sum', 'unbound_sender')),
	tolerance       numeric NOT NULL DEFAULT 0 CHECK (tolerance >= -1 AND tolerance <= 1),
	PRIMARY KEY (election_id, rule)
);
ALTER TABLE sawt.reports ADD COLUMN quarantine_rule text;

CREATE FUNCTION sawt.review_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	q record;
	reg integer;
	v integer;
	cast_ integer;
BEGIN
	IF NEW.outcome = 'rejected' OR NEW.station_id IS NULL OR NEW.correction_of IS NOT NULL
	   OR NEW.flags && '{resend,out_of_order}'::text[] THEN
		RETURN NEW;
	END IF;
	FOR q IN SELECT rule, tolerance FROM sawt.quarantine_rules
		 WHERE election_id = NEW.election_id ORDER BY rule LOOP
		IF q.rule = 'turnout_over_registered' AND NEW.form IN ('turnout', 'close')
		   AND NEW.voters IS NOT NULL THEN
			SELECT registered INTO reg FROM sawt.stations WHERE id = NEW.station_id;
			IF reg > 0 AND NEW.voters > reg * (1 + q.tolerance) THEN
				NEW.quarantine_rule := q.rule;
			END IF;
		ELSIF q.rule = 'results_sum' AND NEW.form = 'results' AND NEW.counts IS NOT NULL THEN
			SELECT t.voters INTO v FROM sawt.tallies t
			WHERE t.station_id = NEW.station_id AND t.form IN ('close', 'turnout')
			  AND t.voters IS NOT NULL
			ORDER BY t.form = 'close' DESC LIMIT 1;
			cast_ := (SELECT sum(x) FROM unnest(NEW.counts) x)
				 + COALESCE(NEW.invalid, 0) + COALESCE(NEW.blank, 0);
			IF v IS NOT NULL AND abs(cast_ - v) > v * q.tolerance THEN
				NEW.quarantine_rule := q.rule;
			END IF;
		ELSIF q.rule = 'unbound_sender' AND NEW.person_id IS NOT NULL
		      AND NOT EXISTS (SELECT 1 FROM sawt.person_stations ps
				      WHERE ps.person_id = NEW.person_id
					AND ps.station_id = NEW.station_id) THEN
			NEW.quarantine_rule := q.rule;
		END IF;
		EXIT WHEN NEW.quarantine_rule IS NOT NULL;
	END LOOP;
	IF NEW.quarantine_rule IS NOT NULL THEN
		NEW.review_state := 'quarantined';
	END IF;
	RETURN NEW;
END;
$$;
-- after reports_review_initial (triggers fire in name order)
CREATE TRIGGER reports_review_rules BEFORE INSERT ON sawt.reports
	FOR EACH ROW EXECUTE FUNCTION sawt.review_rules();

CREATE FUNCTION sawt.review_rules_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sawt.review_history (report_id, actor, previous_state, new_state, reason)
	VALUES (NEW.id, 'rule:' || NEW.quarantine_rule, 'pending', 'quarantined',
		'automatic quarantine rule ' || NEW.quarantine_rule);
	PERFORM 1 FROM sawt.tallies WHERE station_id = NEW.station_id AND form = NEW.form
		AND contest_id = COALESCE(NEW.contest_id, 0) FOR UPDATE;
	PERFORM sawt.tally_refresh(NEW.station_id, NEW.form, COALESCE(NEW.contest_id, 0));
	RETURN NULL;
END;
$$;
-- at commit, once ingest_batch has folded the report into the tally
CREATE CONSTRAINT TRIGGER reports_review_rules_record AFTER INSERT ON sawt.reports
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	WHEN (NEW.quarantine_rule IS NOT NULL)
	EXECUTE FUNCTION sawt.review_rules_record();

-- The quick count's current reports (0018) follow the review states too:
-- the rule of sawt.analytics_current, with sawt.report_counts().
CREATE OR REPLACE VIEW sawt.pvt_current AS
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
		AND sawt.report_counts(r.outcome, r.review_state) AND r.superseded_by IS NULL
		AND r.form IN ('turnout', 'close', 'results')
) c
WHERE c.rn = 1;
