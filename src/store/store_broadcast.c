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
