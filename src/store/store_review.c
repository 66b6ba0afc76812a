/*
 * store_review.c - the review queue and decisions; see store_review.h.
 */
#include "store_review.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store_rows_int.h"
#include "util.h"

struct store_review {
	PGconn *conn;
};

/* The queue's columns, of report r with its message i and station s. */
#define REPORT_COLUMNS \
	"r.id, COALESCE(s.code, r.station_code), pl.region, pl.district, r.form, c.code," \
	" r.review_state, r.outcome, sawt.review_figures(r)," \
	" to_char(COALESCE(i.smsc_time, i.received_at), 'YYYY-MM-DD HH24:MI:SS')," \
	" to_char(now() - COALESCE(i.smsc_time, i.received_at), 'FMDD\"d \"HH24\"h\"MI\"m\"')," \
	" COALESCE((SELECT h.reason FROM sawt.review_history h WHERE h.report_id = r.id" \
	" ORDER BY h.id DESC LIMIT 1), array_to_string(r.flags, ','))"
#define REPORT_FROM \
	" FROM sawt.reports r JOIN sawt.inbound_messages i ON i.id = r.inbound_id" \
	" LEFT JOIN sawt.stations s ON s.id = r.station_id" \
	" LEFT JOIN sawt.analytics_station_place pl ON pl.station_id = r.station_id" \
	" LEFT JOIN sawt.contests c ON c.id = r.contest_id"

struct store_review *store_review_new(const char *conninfo, char *err, size_t errlen)
{
	struct store_review *sr = calloc(1, sizeof(*sr));

	if (sr == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	sr->conn = db_connect_blocking(conninfo, err, errlen);
	if (sr->conn == NULL) {
		free(sr);
		return NULL;
	}
	return sr;
}

void store_review_free(struct store_review *sr)
{
	if (sr == NULL)
		return;
	PQfinish(sr->conn);
	free(sr);
}

struct store_rows *store_review_queue(struct store_review *sr, const char *election,
				      const char *area, const char *states, int limit, char *err,
				      size_t errlen)
{
	char lim[16];
	const char *p[] = { election, area, states, lim };

	snprintf(lim, sizeof(lim), "%d", limit);
	return store_rows_query(sr->conn,
				"SELECT q.id, q.station, q.region, q.district, q.form, q.contest,"
				" q.review_state, q.outcome, q.figures,"
				" to_char(q.sent_at, 'YYYY-MM-DD HH24:MI:SS'), q.waiting, q.reason"
				" FROM sawt.review_queue($1, $2,"
				" string_to_array(replace($3, ' ', ''), ','), $4::int) q",
				4, p, err, errlen);
}

struct store_rows *store_review_report(struct store_review *sr, const char *election,
				       const char *id, char *err, size_t errlen)
{
	const char *p[] = { election, id };

	return store_rows_query(sr->conn,
				"SELECT " REPORT_COLUMNS REPORT_FROM
				" JOIN sawt.elections e ON e.id = r.election_id"
				" WHERE e.name = $1 AND r.id = $2::bigint",
				2, p, err, errlen);
}

struct store_rows *store_review_history(struct store_review *sr, const char *id, char *err,
					size_t errlen)
{
	const char *p[] = { id };

	return store_rows_query(sr->conn,
				"SELECT to_char(h.at, 'YYYY-MM-DD HH24:MI:SS'), h.actor,"
				" h.previous_state, h.new_state, h.reason, pe.name"
				" FROM sawt.review_history h"
				" LEFT JOIN sawt.people pe ON pe.id = h.by_person"
				" WHERE h.report_id = $1::bigint ORDER BY h.id",
				1, p, err, errlen);
}

struct store_rows *store_review_station(struct store_review *sr, const char *id, char *err,
					size_t errlen)
{
	const char *p[] = { id };

	return store_rows_query(
		sr->conn,
		"SELECT " REPORT_COLUMNS
		","
		" CASE WHEN EXISTS (SELECT 1 FROM sawt.tallies t WHERE t.report_id = r.id)"
		" THEN 'current' END" REPORT_FROM
		" JOIN sawt.reports me ON me.id = $1::bigint"
		" WHERE r.station_id = me.station_id AND r.id <> me.id"
		" ORDER BY COALESCE(i.smsc_time, i.received_at), r.id",
		1, p, err, errlen);
}

/* Run a statement of one row in a transaction of its own; its first value
 * into out (cap bytes) when out is not NULL. */
static bool exec_one(struct store_review *sr, const char *sql, int n, const char *const *p,
		     char *out, size_t cap, char *err, size_t errlen)
{
	struct store_rows *rows = store_rows_query(sr->conn, sql, n, p, err, errlen);
	const char *v;

	if (rows == NULL)
		return false;
	v = store_rows_value(rows, 0, 0);
	if (out != NULL)
		snprintf(out, cap, "%s", v ? v : "");
	store_rows_free(rows);
	return true;
}

bool store_review_set(struct store_review *sr, const char *id, const char *state, const char *actor,
		      const char *reason, bool *changed, char *err, size_t errlen)
{
	const char *p[] = { id, state, actor, reason };
	char v[8];

	if (!exec_one(sr, "SELECT sawt.review_set($1::bigint, $2, NULL, $3, $4)", 4, p, v,
		      sizeof(v), err, errlen))
		return false;
	*changed = v[0] == 't';
	return true;
}

bool store_review_correct(struct store_review *sr, const char *id, const char *actor,
			  const char *reason, const struct store_review_figures *f, char *new_id,
			  char *err, size_t errlen)
{
	const char *p[] = { id,     actor,     reason,     f->voters, f->women,
			    f->men, f->counts, f->invalid, f->blank,  f->total };

	return exec_one(sr,
			"SELECT sawt.review_correct($1::bigint, NULL, $2, $3, $4::int, $5::int,"
			" $6::int, string_to_array($7, ',')::int[], $8::int, $9::int, $10::int)",
			10, p, new_id, 24, err, errlen);
}
