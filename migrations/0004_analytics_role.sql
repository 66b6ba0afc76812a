-- 0004_analytics_role.sql - the analysts' role.
--
-- sawt_analyst is a group role (NOLOGIN): grant it to analysts' own login
-- roles (GRANT sawt_analyst TO alice).  It may read schema analytics and
-- nothing else: no access to schema sawt, where phone numbers live.  The
-- analytics views come in a later migration; the default privileges below
-- make every table or view created there by the migrating role readable.
--
-- Roles are shared by every database of a cluster, so creation is guarded.
-- Creating it needs CREATEROLE (the embedded cluster's owner has it).

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sawt_analyst') THEN
		CREATE ROLE sawt_analyst NOLOGIN;
	END IF;
END
$$;

REVOKE ALL ON SCHEMA sawt FROM PUBLIC;
REVOKE ALL ON SCHEMA sawt FROM sawt_analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA sawt FROM sawt_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA sawt FROM sawt_analyst;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sawt FROM sawt_analyst;

REVOKE ALL ON SCHEMA analytics FROM PUBLIC;
GRANT USAGE ON SCHEMA analytics TO sawt_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO sawt_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO sawt_analyst;
