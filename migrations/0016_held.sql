-- 0016_held: where messages wait when sawtd cannot make them durable
-- (issue 23).
--
-- A message that can be neither committed nor spooled (the spool's disk
-- is full while the database is down, say) stays on its modem and is
-- offered again.  sawt.modems.held counts those messages per modem.
--
-- sawt.nodes has one row per sawtd node (its host name, as in
-- sawt.modems.node) with the state of its spool, written while the
-- database is reachable (so, after an outage, what it was when it ended):
--   spool_messages      messages spooled, waiting for the database
--   spool_free_bytes    free space on the spool's filesystem (NULL unknown)
--   spool_total_bytes   that filesystem's size (NULL unknown)
--   spool_low           free space below [sawt] spool_warn_free
--   refusing            messages are being refused now (neither committed
--                       nor spooled)
--   held_on_source      messages held on all the node's modems
ALTER TABLE sawt.modems ADD COLUMN held integer NOT NULL DEFAULT 0 CHECK (held >= 0);
COMMENT ON COLUMN sawt.modems.held IS
	'messages sawtd could not make durable, still on the modem and offered again';

CREATE TABLE sawt.nodes (
	node              text PRIMARY KEY,
	spool_messages    integer NOT NULL DEFAULT 0 CHECK (spool_messages >= 0),
	spool_free_bytes  bigint CHECK (spool_free_bytes >= 0),
	spool_total_bytes bigint CHECK (spool_total_bytes >= 0),
	spool_low         boolean NOT NULL DEFAULT false,
	refusing          boolean NOT NULL DEFAULT false,
	held_on_source    integer NOT NULL DEFAULT 0 CHECK (held_on_source >= 0),
	updated_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE sawt.nodes IS 'each sawtd node''s spool and the messages held on its modems';
