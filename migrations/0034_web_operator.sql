-- 0034_web_operator.sql - the operator's account on the election-day page
-- (issue 18).
--
-- The operator signs in like a coordinator (phone number and a texted
-- one-time code) and sees what a national coordinator sees, the
-- operations panel included.  The account is a row of sawt.people with
-- role 'operator', made by `sawt operator add` (src/cli/cmd_operator.c):
-- not in the registry files, not in sawtd's registry snapshot (an SMS from
-- that phone is an unknown sender's), given no alert.  `sawt operator
-- remove` ends its sessions and deletes it, or, when rows refer to it (the
-- code SMS in the outbox, alerts it acknowledged), keeps it for those
-- records with role 'operator_removed', which cannot sign in.

ALTER TABLE sawt.people DROP CONSTRAINT people_role_check;
ALTER TABLE sawt.people ADD CONSTRAINT people_role_check
	CHECK (role IN ('observer', 'coordinator', 'operator', 'operator_removed'));

-- Who may sign in to the page.
CREATE FUNCTION sawt.web_may_sign_in(p_role text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_role IN ('coordinator', 'operator')
$$;

-- As in 0022_web.sql, for coordinators and operators.
CREATE OR REPLACE FUNCTION sawt.web_code_request(p_phone text, p_code text, p_bodies text[],
	p_ttl_s integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_person sawt.people%ROWTYPE;
	v_body text;
BEGIN
	SELECT * INTO v_person FROM sawt.people
	WHERE phone = p_phone AND sawt.web_may_sign_in(role)
	ORDER BY election_id DESC LIMIT 1;
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	PERFORM 1 FROM sawt.web_codes
	WHERE person_id = v_person.id AND created_at > now() - interval '1 minute'
	FOR UPDATE;
	IF FOUND THEN
		RETURN 'recent';
	END IF;
	-- a new code voids the earlier ones
	UPDATE sawt.web_codes SET used_at = now()
	WHERE person_id = v_person.id AND used_at IS NULL;
	INSERT INTO sawt.web_codes (person_id, code_hash, expires_at)
	VALUES (v_person.id, sawt.web_digest(p_code), now() + make_interval(secs => p_ttl_s));
	v_body := CASE COALESCE(v_person.language, 'ar')
		WHEN 'en' THEN p_bodies[2] WHEN 'fr' THEN p_bodies[3] ELSE p_bodies[1] END;
	INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id)
	VALUES (v_person.phone, v_body, 0, 'manual', v_person.id);
	RETURN 'sent';
END;
$$;

-- As in 0022_web.sql, for coordinators and operators.
CREATE OR REPLACE FUNCTION sawt.web_code_verify(p_phone text, p_code text, p_token text,
	p_max_attempts integer, p_session_s integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_code sawt.web_codes%ROWTYPE;
BEGIN
	SELECT c.* INTO v_code FROM sawt.web_codes c
	JOIN sawt.people p ON p.id = c.person_id
	WHERE p.phone = p_phone AND sawt.web_may_sign_in(p.role)
	ORDER BY c.id DESC LIMIT 1 FOR UPDATE OF c;
	IF NOT FOUND OR v_code.used_at IS NOT NULL THEN
		RETURN 'none';
	END IF;
	IF v_code.attempts >= p_max_attempts THEN
		RETURN 'locked';
	END IF;
	IF v_code.expires_at <= now() THEN
		RETURN 'expired';
	END IF;
	IF v_code.code_hash <> sawt.web_digest(p_code) THEN
		UPDATE sawt.web_codes SET attempts = attempts + 1 WHERE id = v_code.id;
		RETURN CASE WHEN v_code.attempts + 1 >= p_max_attempts THEN 'locked' ELSE 'wrong' END;
	END IF;
	UPDATE sawt.web_codes SET used_at = now(), attempts = attempts + 1 WHERE id = v_code.id;
	DELETE FROM sawt.web_sessions WHERE expires_at <= now();
	INSERT INTO sawt.web_sessions (token_hash, person_id, expires_at)
	VALUES (sawt.web_digest(p_token), v_code.person_id,
		now() + make_interval(secs => p_session_s));
	RETURN 'ok';
END;
$$;

-- As in 0022_web.sql; an operator has no areas, so sees the whole
-- election as a national coordinator does.
CREATE OR REPLACE FUNCTION sawt.web_roots(p_person integer, p_area integer) RETURNS integer[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_election integer;
	v_own integer[];
BEGIN
	SELECT election_id INTO v_election FROM sawt.people
	WHERE id = p_person AND sawt.web_may_sign_in(role);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such coordinator' USING ERRCODE = '42501';
	END IF;
	SELECT array_agg(area_id) INTO v_own FROM sawt.person_areas WHERE person_id = p_person;
	IF p_area IS NULL THEN
		RETURN v_own;
	END IF;
	IF NOT EXISTS (
		SELECT 1 FROM sawt.areas a
		JOIN sawt.analytics_area_ancestors aa ON aa.area_id = a.id
		WHERE a.id = p_area AND a.election_id = v_election
		  AND (v_own IS NULL OR aa.ancestors && v_own)) THEN
		RAISE EXCEPTION 'area % is outside the areas of the session', p_area
			USING ERRCODE = '42501';
	END IF;
	RETURN ARRAY[p_area];
END;
$$;

-- A session's person may only be a coordinator or an operator: a
-- removed operator's session ends at once.
CREATE OR REPLACE FUNCTION sawt.web_session_person(p_token text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT s.person_id FROM sawt.web_sessions s JOIN sawt.people p ON p.id = s.person_id
	WHERE s.token_hash = sawt.web_digest(p_token) AND s.expires_at > now()
	  AND sawt.web_may_sign_in(p.role)
$$;

-- Make (or bring back) the operator account of p_phone in election
-- p_election (its name).  Returns 'added', 'updated' or 'restored'.
-- Refuses (22023) a phone registered as an observer or a coordinator, and
-- an unknown election.
CREATE FUNCTION sawt.web_operator_add(p_election text, p_phone text, p_name text,
	p_language text, p_pseudonym text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_election integer;
	v_person sawt.people%ROWTYPE;
BEGIN
	SELECT id INTO v_election FROM sawt.elections WHERE name = p_election;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'election "%" does not exist', p_election USING ERRCODE = '22023',
			HINT = 'Import the registry (sawt import stations) first.';
	END IF;
	SELECT * INTO v_person FROM sawt.people
	WHERE election_id = v_election AND phone = p_phone FOR UPDATE;
	IF FOUND AND v_person.role IN ('observer', 'coordinator') THEN
		RAISE EXCEPTION '% is registered as an % of election "%"', p_phone, v_person.role,
			p_election USING ERRCODE = '22023',
			HINT = 'The operator needs a phone number of their own.';
	END IF;
	IF NOT FOUND THEN
		INSERT INTO sawt.people (election_id, phone, name, role, language, pseudonym)
		VALUES (v_election, p_phone, p_name, 'operator', p_language, p_pseudonym);
		RETURN 'added';
	END IF;
	UPDATE sawt.people SET name = p_name, role = 'operator', language = COALESCE(p_language, language),
		pseudonym = p_pseudonym, updated_at = now()
	WHERE id = v_person.id;
	RETURN CASE WHEN v_person.role = 'operator' THEN 'updated' ELSE 'restored' END;
END;
$$;

-- Remove the operator account of p_phone: its sessions and codes go; the
-- row goes too unless other rows refer to it, when it is kept with role
-- 'operator_removed'.  Returns 'removed', 'kept' or 'none'.
CREATE FUNCTION sawt.web_operator_remove(p_election text, p_phone text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_id integer;
BEGIN
	SELECT p.id INTO v_id FROM sawt.people p JOIN sawt.elections e ON e.id = p.election_id
	WHERE e.name = p_election AND p.phone = p_phone AND p.role = 'operator' FOR UPDATE OF p;
	IF NOT FOUND THEN
		RETURN 'none';
	END IF;
	DELETE FROM sawt.web_sessions WHERE person_id = v_id;
	DELETE FROM sawt.web_codes WHERE person_id = v_id;
	BEGIN
		DELETE FROM sawt.people WHERE id = v_id;
		RETURN 'removed';
	EXCEPTION WHEN foreign_key_violation THEN
		UPDATE sawt.people SET role = 'operator_removed', updated_at = now() WHERE id = v_id;
		RETURN 'kept';
	END;
END;
$$;
