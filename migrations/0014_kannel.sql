-- 0014_kannel.sql - replies that leave through Kannel, and the delivery
-- reports Kannel fetches back.
--
-- A claimed row is handed to one sender: a modem (modem names it) or
-- Kannel's sendsms ([kannel] in the configuration).  via records which
-- one took the current attempt; the claim clears it, so a late answer or
-- report about an earlier attempt finds no row to change.
--
-- Kannel's delivery reports (GET /sms/dlr?id=OUTBOX_ID&status=%d) are
-- recorded on the row they name: dlr_status is the last one, dlr_at when
-- it came, dlr_detail the SMSC's reply (Kannel's %A).  delivered (1) and
-- failed (2, or 16 for a refusal by the SMSC) end the row; smsc_queued
-- (4) and smsc_accepted (8) mean Kannel had it, so a row still queued or
-- sending becomes sent.  A report never undoes a final one.

ALTER TABLE sawt.outbox ADD COLUMN via text CHECK (via IN ('modem', 'kannel'));
ALTER TABLE sawt.outbox ADD COLUMN dlr_status text
	CHECK (dlr_status IN ('smsc_queued', 'smsc_accepted', 'delivered', 'failed', 'smsc_rejected'));
ALTER TABLE sawt.outbox ADD COLUMN dlr_at timestamptz;
ALTER TABLE sawt.outbox ADD COLUMN dlr_detail text;

COMMENT ON COLUMN sawt.outbox.via IS 'the sender of the current attempt: modem or kannel';
COMMENT ON COLUMN sawt.outbox.dlr_status IS 'the last delivery report from Kannel';
COMMENT ON COLUMN sawt.outbox.dlr_at IS 'when that report came';
COMMENT ON COLUMN sawt.outbox.dlr_detail IS 'the SMSC''s reply in that report (Kannel''s %A)';

UPDATE sawt.outbox SET via = 'modem' WHERE modem IS NOT NULL;
