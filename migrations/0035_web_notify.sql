-- 0035_web_notify.sql - tell every sawtd that the page's figures moved
-- (issue 18).
--
-- sawtd's /api/events streams hear of what its own pipeline and alerts
-- did; reports stored by another sawtd on the same database, reviews made
-- with the sawt command, alerts acknowledged elsewhere, checklist answers
-- and anything written with SQL reach them through this NOTIFY, which
-- every sawtd LISTENs to (src/daemon/web_events.c) and passes on at most
-- once a second.  Only statements that changed rows notify (a statement
-- trigger fires for none too), once per transaction: PostgreSQL folds
-- identical notifications, and the payload is empty (nothing to scope,
-- nothing private).

CREATE FUNCTION sawt.web_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM changed) THEN
		PERFORM pg_notify('sawt_web', '');
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER reports_web_notify_ins AFTER INSERT ON sawt.reports
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_notify();
CREATE TRIGGER reports_web_notify_upd AFTER UPDATE ON sawt.reports
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_notify();
CREATE TRIGGER alerts_web_notify_ins AFTER INSERT ON sawt.alerts
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_notify();
CREATE TRIGGER alerts_web_notify_upd AFTER UPDATE ON sawt.alerts
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_notify();
CREATE TRIGGER checklist_answers_web_notify AFTER INSERT ON sawt.checklist_answers
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sawt.web_notify();
