/*
 * store_broadcast.c - broadcasts; see store_broadcast.h.
 */
#include "store_broadcast.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "db.h"
#include "store_rows_int.h"
#include "util.h"

struct store_broadcast {
	PGconn *conn;
};

struct store_broadcast *store_broadcast_new(const char *conninfo, char *err, size_t errlen)
{
	struct store_broadcast *sb = calloc(1, sizeof(*sb));

	if (sb == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	sb->conn = db_connect_blocking(conninfo, err, errlen);
	if (sb->conn == NULL) {
		free(sb);
		return NULL;
	}
	return sb;
}

void store_broadcast_free(struct store_broadcast *sb)
{
	if (sb == NULL)
		return;
	PQfinish(sb->conn);
	free(sb);
}

/* The election must exist: a query on no election row gives no row. */
static struct store_rows *need_election(struct store_rows *rows, const char *election, char *err,
					size_t errlen)
{
	if (rows != NULL && store_rows_count(rows) == 0) {
		store_rows_free(rows);
		util_seterr(err, errlen, "election \"%s\" does not exist", election);
		return NULL;
	}
	return rows;
}

struct store_rows *store_broadcast_plan(struct store_broadcast *sb,
					const struct store_broadcast_msg *m, char *err,
					size_t errlen)
{
	const char *p[] = { m->election, m->filter,  m->default_lang,
			    m->text_ar,  m->text_en, m->text_fr };
	struct store_rows *rows = store_rows_query(
		sb->conn,
		"SELECT p.copy, p.language, p.body, count(p.person_id)"
		" FROM sawt.elections e"
		" LEFT JOIN LATERAL sawt.broadcast_plan(e.id, $2::jsonb, $3, $4, $5, $6) p ON true"
		" WHERE e.name = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2",
		6, p, err, errlen);

	return need_election(rows, m->election, err, errlen);
}

struct store_rows *store_broadcast_send(struct store_broadcast *sb,
					const struct store_broadcast_msg *m, const char *by,
					char *err, size_t errlen)
{
	const char *p[] = { m->election, m->filter, m->default_lang, m->text_ar, m->text_en,
			    m->text_fr,  by };
	struct store_rows *rows = store_rows_query(
		sb->conn,
		"SELECT x.id, x.recipients, x.copies FROM sawt.elections e"
		" CROSS JOIN LATERAL sawt.broadcast_send(e.id, $2::jsonb, $3, $4, $5, $6, $7) x"
		" WHERE e.name = $1",
		7, p, err, errlen);

	return need_election(rows, m->election, err, errlen);
}

struct store_rows *store_broadcast_schedule(struct store_broadcast *sb,
					    const struct store_broadcast_msg *m, const char *at,
					    const char *by, char *err, size_t errlen)
{
	const char *p[] = { m->election, m->filter,  m->default_lang,
			    m->text_ar,  m->text_en, m->text_fr,
			    at,          by };
	/* the plan is drawn once now so that a bad filter is refused at once */
	struct store_rows *rows = store_rows_query(
		sb->conn,
		"WITH e AS (SELECT id FROM sawt.elections WHERE name = $1),"
		" ok AS (SELECT count(*) FROM e, sawt.broadcast_plan(e.id, $2::jsonb, $3, $4, $5, $6)),"
		" r AS (INSERT INTO sawt.reminders (election_id, at, filter, default_lang, text_ar,"
		"  text_en, text_fr, created_by)"
		"  SELECT e.id, $7::time, $2::jsonb, $3, $4, $5, $6, $8 FROM e, ok RETURNING id, at, filter)"
		" SELECT r.id, (now() AT TIME ZONE COALESCE(r.filter->>'timezone',"
		"  current_setting('TimeZone')))::time >= r.at FROM r",
		8, p, err, errlen);

	return need_election(rows, m->election, err, errlen);
}

struct store_rows *store_broadcast_reminders(struct store_broadcast *sb, const char *election,
					     char *err, size_t errlen)
{
	const char *p[] = { election };

	return store_rows_query(
		sb->conn,
		"SELECT m.id, to_char(m.at, 'HH24:MI'), m.filter::text,"
		" concat_ws(' | ', 'ar: ' || m.text_ar, 'en: ' || m.text_en, 'fr: ' || m.text_fr),"
		" (SELECT x.day || COALESCE(' broadcast ' || x.broadcast_id, ' nobody')"
		"  FROM sawt.reminder_runs x WHERE x.reminder_id = m.id ORDER BY x.day DESC LIMIT 1)"
		" FROM sawt.reminders m JOIN sawt.elections e ON e.id = m.election_id"
		" WHERE e.name = $1 AND m.cancelled_at IS NULL ORDER BY m.at, m.id",
		1, p, err, errlen);
}

bool store_broadcast_cancel(struct store_broadcast *sb, const char *election, const char *id,
			    bool *found, char *err, size_t errlen)
{
	const char *p[] = { election, id };
	struct store_rows *rows = store_rows_query(
		sb->conn,
		"UPDATE sawt.reminders m SET cancelled_at = now() FROM sawt.elections e"
		" WHERE e.id = m.election_id AND e.name = $1 AND m.id = $2::int"
		" AND m.cancelled_at IS NULL RETURNING m.id",
		2, p, err, errlen);

	if (rows == NULL)
		return false;
	*found = store_rows_count(rows) > 0;
	store_rows_free(rows);
	return true;
}
