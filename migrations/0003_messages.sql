-- 0003_messages.sql - what flows through sawtd: inbound messages, reports,
-- alerts, the outbox, and the status of each modem.
--
-- Every inbound message is recorded, whatever happens to it (report,
-- command, rejected, ignored, sender rate-limited); the raw message, its
-- report and any tally change commit in one transaction.

-- Every message as received.  dedup_key is the SHA-256 (32 bytes, computed
-- by sawtd) of sender, SMSC timestamp, multipart reference/part and text:
-- redelivery, spool replay and crash-restart hit the UNIQUE constraint and
-- are never counted twice.
CREATE TABLE sawt.inbound_messages (
	id              bigserial PRIMARY KEY,
	received_at     timestamptz NOT NULL DEFAULT now(),
	transport       text NOT NULL CHECK (transport IN ('modem', 'http', 'ussd', 'cli')),
	node            text,
	modem           text,
	sender          text NOT NULL,
	smsc_time       timestamptz,
	multipart_ref   integer,
	multipart_part  smallint,
	multipart_total smallint,
	text            text NOT NULL,
	dedup_key       bytea NOT NULL UNIQUE CHECK (octet_length(dedup_key) = 32),
	person_id       integer REFERENCES sawt.people(id),
	-- received: stored, not processed yet; processed: parsed and answered
	-- (the report or command may still be rejected: see reports); ignored:
	-- not processed on purpose (no_reply_reason); failed: processing error.
	state           text NOT NULL DEFAULT 'received'
		CHECK (state IN ('received', 'processed', 'ignored', 'failed')),
	error_code      text,
	-- why no reply was sent: own_number, non_phone_sender, rate_limited, ...
	no_reply_reason text,
	processed_at    timestamptz,
	CHECK ((multipart_ref IS NULL) = (multipart_part IS NULL))
);
CREATE INDEX inbound_messages_sender_idx ON sawt.inbound_messages (sender, received_at);
CREATE INDEX inbound_messages_received_idx ON sawt.inbound_messages (received_at);
CREATE INDEX inbound_messages_person_idx ON sawt.inbound_messages (person_id);

-- One row a parsed observer report, accepted or not.  The typed values
-- used depend on form:
--   open      open_time
--   turnout   voters [women] [men]   (cumulative)
--   close     voters women [men]     (final turnout)
--   results   contest_id, counts (candidates in ballot order), invalid,
--             blank, [total]
--   incident  incident_code, text
-- A newer accepted report for the same station, form and contest sets
-- superseded_by on the older one; history is kept.  Incidents never
-- supersede each other.  error_code is the stable snake_case code of a
-- rejection; flags hold the codes of an accepted_flagged report.
CREATE TABLE sawt.reports (
	id              bigserial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	inbound_id      bigint NOT NULL REFERENCES sawt.inbound_messages(id),
	person_id       integer REFERENCES sawt.people(id),
	station_id      integer REFERENCES sawt.stations(id),
	station_code    text,
	form            text NOT NULL
		CHECK (form IN ('open', 'turnout', 'close', 'results', 'incident')),
	outcome         text NOT NULL
		CHECK (outcome IN ('accepted', 'accepted_flagged', 'rejected')),
	error_code      text,
	flags           text[] NOT NULL DEFAULT '{}',
	superseded_by   bigint REFERENCES sawt.reports(id),
	open_time       time,
	voters          integer CHECK (voters >= 0),
	women           integer CHECK (women >= 0),
	men             integer CHECK (men >= 0),
	contest_id      integer REFERENCES sawt.contests(id),
	counts          integer[],
	invalid         integer CHECK (invalid >= 0),
	blank           integer CHECK (blank >= 0),
	total           integer CHECK (total >= 0),
	incident_code   integer,
	text            text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	CHECK (outcome <> 'rejected' OR error_code IS NOT NULL),
	CHECK (outcome <> 'accepted_flagged' OR cardinality(flags) > 0)
);
CREATE INDEX reports_current_idx ON sawt.reports (station_id, form, contest_id)
	WHERE superseded_by IS NULL AND outcome <> 'rejected';
CREATE INDEX reports_inbound_idx ON sawt.reports (inbound_id);
CREATE INDEX reports_created_idx ON sawt.reports (created_at);
CREATE INDEX reports_superseded_by_idx ON sawt.reports (superseded_by);

-- Alerts for coordinators.  kind is a snake_case code (critical_incident,
-- station_missing, impossible_numbers, suspicious_numbers, sender_flood,
-- modem_down, ...).  alert_key, when set, makes an alert fire once (e.g.
-- 'station_missing:1021:open').
CREATE TABLE sawt.alerts (
	id              bigserial PRIMARY KEY,
	election_id     integer REFERENCES sawt.elections(id),
	created_at      timestamptz NOT NULL DEFAULT now(),
	kind            text NOT NULL,
	severity        text NOT NULL CHECK (severity IN ('info', 'serious', 'critical')),
	station_id      integer REFERENCES sawt.stations(id),
	area_id         integer REFERENCES sawt.areas(id),
	report_id       bigint REFERENCES sawt.reports(id),
	inbound_id      bigint REFERENCES sawt.inbound_messages(id),
	message         text NOT NULL,
	alert_key       text UNIQUE,
	acknowledged_at timestamptz,
	acknowledged_by integer REFERENCES sawt.people(id)
);
CREATE INDEX alerts_created_idx ON sawt.alerts (created_at);
CREATE INDEX alerts_station_idx ON sawt.alerts (station_id);

-- Outgoing SMS.  Lower priority goes first: 0 alerts, 1 error replies,
-- 2 confirmations, 3 other.  A sender claims queued rows whose
-- next_attempt_at has passed with FOR UPDATE SKIP LOCKED, marks them
-- sending (node, modem, claimed_at), then sent (sent_at, smsc_ref) and
-- delivered on a delivery report, or back to queued with a later
-- next_attempt_at, or failed after its last attempt (error).
CREATE TABLE sawt.outbox (
	id              bigserial PRIMARY KEY,
	created_at      timestamptz NOT NULL DEFAULT now(),
	recipient       text NOT NULL,
	body            text NOT NULL,
	priority        smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 9),
	kind            text NOT NULL DEFAULT 'reply'
		CHECK (kind IN ('reply', 'alert', 'status', 'manual')),
	person_id       integer REFERENCES sawt.people(id),
	inbound_id      bigint REFERENCES sawt.inbound_messages(id),
	alert_id        bigint REFERENCES sawt.alerts(id),
	state           text NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
	attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	node            text,
	modem           text,
	claimed_at      timestamptz,
	sent_at         timestamptz,
	delivered_at    timestamptz,
	smsc_ref        integer,
	error           text
);
CREATE INDEX outbox_queue_idx ON sawt.outbox (priority, next_attempt_at, id)
	WHERE state = 'queued';
CREATE INDEX outbox_sending_idx ON sawt.outbox (claimed_at) WHERE state = 'sending';
CREATE INDEX outbox_inbound_idx ON sawt.outbox (inbound_id);
CREATE INDEX outbox_alert_idx ON sawt.outbox (alert_id);

-- The last known status of each modem, one row per (node, modem name),
-- written by the sawtd that owns it.
CREATE TABLE sawt.modems (
	node            text NOT NULL DEFAULT '',
	name            text NOT NULL,
	state           text NOT NULL DEFAULT 'starting'
		CHECK (state IN ('starting', 'ready', 'degraded', 'down', 'disabled')),
	own_number      text,
	imei            text,
	operator        text,
	signal_percent  smallint CHECK (signal_percent BETWEEN 0 AND 100),
	balance         text,
	balance_at      timestamptz,
	sent            bigint NOT NULL DEFAULT 0,
	received        bigint NOT NULL DEFAULT 0,
	send_failures   bigint NOT NULL DEFAULT 0,
	restarts        integer NOT NULL DEFAULT 0,
	last_error      text,
	last_seen_at    timestamptz,
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (node, name)
);
