-- 0007_modem_health: what sawtd knows of each modem's radio side, next to
-- the state it already records in sawt.modems.
--   network           home, roaming, searching, none, denied or unknown
--   signal_dbm        received signal strength (e.g. -73), NULL unknown
--   operator_code     MCC MNC as the network gives it ("415 01")
--   last_activity_at  last SMS in or out through this modem
--   worker_pid        the current worker process, NULL when none
ALTER TABLE sawt.modems
	ADD COLUMN network text CHECK (network IN ('home', 'roaming', 'searching', 'none', 'denied', 'unknown')),
	ADD COLUMN signal_dbm smallint,
	ADD COLUMN operator_code text,
	ADD COLUMN last_activity_at timestamptz,
	ADD COLUMN worker_pid integer,
	ADD COLUMN started_at timestamptz;
