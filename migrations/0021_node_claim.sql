-- Node names (issue 20): several sawtd nodes may share one database, each
-- under its own [sawt] node_name (default: the host name).  Two live nodes
-- under one name would write the same sawt.modems and sawt.nodes rows, so
-- a node claims its name when it connects, and refuses to run when
-- another live node holds it.
--
-- A node is one state directory: its instance is the random identifier
-- sawtd keeps in STATE_DIR/node_id, so the same node restarting (after a
-- crash, a reboot) takes its name back at once.
--
-- Live: the holder's heartbeat (sawt.nodes.updated_at, written at least
-- every 10 seconds while it runs and reaches the database) is younger than
-- sawt.node_live_seconds() and it did not stop cleanly (stopped_at, set
-- as it stops).
ALTER TABLE sawt.nodes
	ADD COLUMN instance text,
	ADD COLUMN started_at timestamptz,
	ADD COLUMN stopped_at timestamptz;
COMMENT ON COLUMN sawt.nodes.instance IS
	'the node''s state directory (STATE_DIR/node_id) that holds the name';
COMMENT ON COLUMN sawt.nodes.stopped_at IS
	'when the holder stopped cleanly; NULL while it runs (or if it died)';

-- Seconds after its last heartbeat a node that did not stop is no longer
-- live: three times the heartbeat (MODEM_REPORT_MIN_SEC, 10 s).
CREATE FUNCTION sawt.node_live_seconds() RETURNS integer
	LANGUAGE sql IMMUTABLE AS 'SELECT 30';

-- Claim p_node for the instance p_instance.  One row: claimed, and when
-- not, the instance holding it and its last heartbeat (seconds ago).
CREATE FUNCTION sawt.node_claim(p_node text, p_instance text)
	RETURNS TABLE (claimed boolean, holder text, seen_seconds_ago integer,
		       holder_started_at timestamptz)
	LANGUAGE plpgsql AS $$
DECLARE
	r sawt.nodes;
BEGIN
	INSERT INTO sawt.nodes (node, instance, started_at, updated_at)
		VALUES (p_node, p_instance, now(), now())
		ON CONFLICT (node) DO NOTHING;
	SELECT * INTO r FROM sawt.nodes WHERE node = p_node FOR UPDATE;
	IF r.instance IS NOT NULL AND r.instance <> p_instance AND r.stopped_at IS NULL
	   AND r.updated_at > now() - make_interval(secs => sawt.node_live_seconds()) THEN
		RETURN QUERY SELECT false, r.instance,
			extract(epoch FROM now() - r.updated_at)::integer, r.started_at;
		RETURN;
	END IF;
	IF r.instance IS DISTINCT FROM p_instance OR r.stopped_at IS NOT NULL THEN
		UPDATE sawt.nodes SET instance = p_instance, started_at = now(),
			stopped_at = NULL, updated_at = now()
			WHERE node = p_node;
	END IF;
	RETURN QUERY SELECT true, p_instance, 0, coalesce(r.started_at, now());
END
$$;

-- As the holder stops cleanly: the name is free at once.
CREATE FUNCTION sawt.node_release(p_node text, p_instance text) RETURNS void
	LANGUAGE sql AS $$
	UPDATE sawt.nodes SET stopped_at = now()
	 WHERE node = p_node AND instance = p_instance
$$;
