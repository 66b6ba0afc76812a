/*
 * store_sim.c - the queries of "sawt simulate"; see store_sim.h.
 */
#include "store_sim.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

struct store_sim {
	PGconn *conn;
};

static const char offset_sql[] =
	"SELECT EXTRACT(EPOCH FROM (d - ((d AT TIME ZONE $1) AT TIME ZONE 'UTC')))::bigint"
	" FROM (SELECT COALESCE($2::timestamp, now() AT TIME ZONE $1) AS d) x";

static const char probe_sql[] =
	"SELECT person_id IS NOT NULL FROM sawt.inbound_messages"
	" WHERE sender = $1 AND smsc_time = to_timestamp($2::bigint)"
	" ORDER BY id DESC LIMIT 1";

/* $1 senders, $2 and $3 the SMSC time span. */
static const char progress_sql[] =
	"WITH m AS MATERIALIZED ("
	"  SELECT id, state, error_code, received_at, processed_at"
	"  FROM sawt.inbound_messages"
	"  WHERE sender = ANY ($1::text[])"
	"    AND smsc_time BETWEEN to_timestamp($2::bigint) AND to_timestamp($3::bigint)),"
	" r AS MATERIALIZED (SELECT r.flags FROM sawt.reports r JOIN m ON r.inbound_id = m.id),"
	" o AS MATERIALIZED (SELECT o.state FROM sawt.outbox o JOIN m ON o.inbound_id = m.id"
	"  WHERE o.kind = 'reply')"
	" SELECT (SELECT count(*) FROM m),"
	"  (SELECT count(*) FROM m WHERE error_code IS NOT NULL),"
	"  (SELECT count(*) FROM m WHERE state = 'ignored'),"
	"  (SELECT count(*) FROM r WHERE 'resend' = ANY (flags)),"
	"  (SELECT count(*) FROM r WHERE flags && '{early,late}'::text[]),"
	"  (SELECT count(*) FROM r WHERE 'out_of_order' = ANY (flags)),"
	"  (SELECT count(*) FROM o),"
	"  (SELECT count(*) FROM o WHERE state IN ('sent', 'delivered')),"
	"  (SELECT count(*) FROM o WHERE state = 'failed'),"
	"  (SELECT COALESCE(EXTRACT(EPOCH FROM min(received_at)), 0) FROM m),"
	"  (SELECT COALESCE(EXTRACT(EPOCH FROM max(received_at)), 0) FROM m),"
	"  (SELECT COALESCE(EXTRACT(EPOCH FROM max(processed_at)), 0) FROM m)";

/* $1 the election; keys as in simgen_expected(). */
static const char facts_sql[] =
	"SELECT 'area|' || a.level || '|' || a.area || '|' || f.k, f.v"
	" FROM analytics.area_turnout a"
	" CROSS JOIN LATERAL (VALUES ('stations_total', a.stations_total::bigint),"
	"   ('stations_reporting', a.stations_reporting::bigint),"
	"   ('registered', a.registered::bigint), ('voters', a.voters::bigint),"
	"   ('women', a.women::bigint)) f (k, v)"
	" WHERE a.election = $1 AND a.level IN ('election', 'region')"
	" UNION ALL"
	" SELECT 'results|' || contest_code || '|' || COALESCE(position::text, kind), votes::bigint"
	" FROM analytics.results WHERE election = $1"
	" UNION ALL"
	" SELECT DISTINCT 'results|' || contest_code || '|stations_reporting',"
	"   stations_reporting::bigint"
	" FROM analytics.results WHERE election = $1"
	" UNION ALL"
	" SELECT 'progress|' || form || COALESCE(' ' || contest, ''), received::bigint"
	" FROM analytics.reporting_progress WHERE election = $1 AND level = 'election'"
	" UNION ALL"
	" SELECT 'station|' || s.station_code || '|' || f.k, f.v"
	" FROM analytics.station_turnout s"
	" CROSS JOIN LATERAL (VALUES ('voters', s.voters::bigint), ('women', s.women::bigint)) f (k, v)"
	" WHERE s.election = $1"
	" UNION ALL"
	" SELECT 'incidents', count(*) FROM analytics.incidents WHERE election = $1";

struct store_sim *store_sim_new(const char *conninfo, char *err, size_t errlen)
{
	struct store_sim *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	s->conn = db_connect_blocking(conninfo, err, errlen);
	if (s->conn == NULL) {
		store_sim_free(s);
		return NULL;
	}
	return s;
}

void store_sim_free(struct store_sim *s)
{
	if (s == NULL)
		return;
	PQfinish(s->conn);
	free(s);
}

/* Run sql with text parameters; NULL (after a message in err) unless it
 * returned rows. */
static PGresult *run(struct store_sim *s, const char *sql, int n, const char *const *params,
		     char *err, size_t errlen)
{
	PGresult *res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		util_seterr(err, errlen, "query failed: %s",
			    res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(s->conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

bool store_sim_utc_offset(struct store_sim *s, const char *tz, const char *deadline, long *offset,
			  char *err, size_t errlen)
{
	const char *params[2] = { tz, deadline };
	PGresult *res = run(s, offset_sql, 2, params, err, errlen);

	if (res == NULL)
		return false;
	*offset = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return true;
}

bool store_sim_probe(struct store_sim *s, const char *sender, int64_t smsc, bool *found,
		     bool *known, char *err, size_t errlen)
{
	char t[24];
	const char *params[2] = { sender, t };
	PGresult *res;

	snprintf(t, sizeof(t), "%lld", (long long)smsc);
	if ((res = run(s, probe_sql, 2, params, err, errlen)) == NULL)
		return false;
	*found = PQntuples(res) == 1;
	*known = *found && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return true;
}

/* The senders as a PostgreSQL array literal; NULL when out of memory. */
static char *array_literal(const char *const *v, size_t n)
{
	size_t len = 3;
	char *out, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	if ((out = malloc(len)) == NULL)
		return NULL;
	p = out;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(v[i]);

		if (i > 0)
			*p++ = ',';
		memcpy(p, v[i], k);
		p += k;
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

bool store_sim_progress(struct store_sim *s, const char *const *senders, size_t n, int64_t from,
			int64_t to, struct store_sim_progress *out, char *err, size_t errlen)
{
	char f[24], t[24], *arr = array_literal(senders, n);
	const char *params[3] = { arr, f, t };
	long long *c[9] = { &out->stored,  &out->rejected,     &out->ignored,
			    &out->resends, &out->flagged_time, &out->out_of_order,
			    &out->replies, &out->replies_sent, &out->replies_failed };
	PGresult *res;

	if (arr == NULL) {
		util_seterr(err, errlen, "out of memory");
		return false;
	}
	snprintf(f, sizeof(f), "%lld", (long long)from);
	snprintf(t, sizeof(t), "%lld", (long long)to);
	res = run(s, progress_sql, 3, params, err, errlen);
	free(arr);
	if (res == NULL)
		return false;
	for (int i = 0; i < 9; i++)
		*c[i] = strtoll(PQgetvalue(res, 0, i), NULL, 10);
	out->first_received = strtod(PQgetvalue(res, 0, 9), NULL);
	out->last_received = strtod(PQgetvalue(res, 0, 10), NULL);
	out->last_processed = strtod(PQgetvalue(res, 0, 11), NULL);
	PQclear(res);
	return true;
}

bool store_sim_facts(struct store_sim *s, const char *election, store_sim_fact_cb fn, void *arg,
		     char *err, size_t errlen)
{
	const char *params[1] = { election };
	PGresult *res = run(s, facts_sql, 1, params, err, errlen);

	if (res == NULL)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		fn(PQgetvalue(res, i, 0), strtoll(PQgetvalue(res, i, 1), NULL, 10),
		   PQgetisnull(res, i, 1), arg);
	PQclear(res);
	return true;
}
