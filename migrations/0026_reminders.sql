-- 0026_reminders.sql - scheduled reminders (issue 19, docs/broadcasts.md):
-- a broadcast saved with a time of day (`sawt broadcast --at 11:00 ...`)
-- that sawtd sends once a day when that time has come, choosing the
-- recipients then, so a station that has reported since is left out.

CREATE TABLE sawt.reminders (
	id              serial PRIMARY KEY,
	election_id     integer NOT NULL REFERENCES sawt.elections(id),
	at              time NOT NULL,          -- in filter->>'timezone'
	filter          jsonb NOT NULL,
	default_lang    text NOT NULL CHECK (default_lang IN ('ar', 'en', 'fr')),
	text_ar         text,
	text_en         text,
	text_fr         text,
	created_by      text NOT NULL,
	created_at      timestamptz NOT NULL DEFAULT now(),
	cancelled_at    timestamptz,
	CHECK (COALESCE(text_ar, text_en, text_fr) IS NOT NULL)
);

-- One run a reminder a day, whichever node gets there first.
CREATE TABLE sawt.reminder_runs (
	reminder_id     integer NOT NULL REFERENCES sawt.reminders(id),
	day             date NOT NULL,
	ran_at          timestamptz NOT NULL DEFAULT now(),
	node            text NOT NULL,
	broadcast_id    integer REFERENCES sawt.broadcasts(id), -- NULL: nobody to remind
	PRIMARY KEY (reminder_id, day)
);

ALTER TABLE sawt.broadcasts ADD COLUMN reminder_id integer REFERENCES sawt.reminders(id);

-- Run the reminders of election p_election that are due at p_now (their
-- time of day has come in their time zone, not run that day, not
-- cancelled), as node p_node: each is claimed for the day (a second node
-- finds it taken), its recipients chosen now, and it is sent like `sawt
-- broadcast`.  Returns one row a reminder run; broadcast_id NULL when
-- nobody matched.
CREATE FUNCTION sawt.reminders_run(p_election text, p_node text,
	p_now timestamptz DEFAULT now())
RETURNS TABLE (reminder_id integer, broadcast_id integer, recipients integer, copies integer)
LANGUAGE plpgsql AS $$
DECLARE
	r sawt.reminders;
	v_day date;
	b record;
BEGIN
	FOR r IN SELECT m.* FROM sawt.reminders m
		 JOIN sawt.elections e ON e.id = m.election_id
		 WHERE e.name = p_election AND m.cancelled_at IS NULL
		   AND (p_now AT TIME ZONE COALESCE(m.filter->>'timezone', current_setting('TimeZone')))::time >= m.at
		 ORDER BY m.at, m.id LOOP
		v_day := (p_now AT TIME ZONE COALESCE(r.filter->>'timezone', current_setting('TimeZone')))::date;
		INSERT INTO sawt.reminder_runs (reminder_id, day, ran_at, node)
		VALUES (r.id, v_day, p_now, p_node)
		ON CONFLICT DO NOTHING;
		CONTINUE WHEN NOT FOUND;
		SELECT * INTO b FROM sawt.broadcast_send(r.election_id, r.filter, r.default_lang,
			r.text_ar, r.text_en, r.text_fr, 'reminder:' || r.id);
		IF b.id IS NOT NULL THEN
			UPDATE sawt.broadcasts SET reminder_id = r.id WHERE id = b.id;
			UPDATE sawt.reminder_runs SET broadcast_id = b.id
			WHERE sawt.reminder_runs.reminder_id = r.id AND day = v_day;
		END IF;
		reminder_id := r.id;
		broadcast_id := b.id;
		recipients := b.recipients;
		copies := b.copies;
		RETURN NEXT;
	END LOOP;
END;
$$;
