/*
 * store_control.c - the operator's requests to sawtd; see store_control.h.
 */
#include "store_control.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

struct store_control {
	PGconn *conn;
};

struct store_control *store_control_new(const char *conninfo, char *err, size_t errlen)
{
	struct store_control *sc = calloc(1, sizeof(*sc));

	if (sc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sc->conn = db_connect_blocking(conninfo, err, errlen);
	if (sc->conn == NULL) {
		free(sc);
		return NULL;
	}
	return sc;
}

void store_control_free(struct store_control *sc)
{
	if (sc == NULL)
		return;
	PQfinish(sc->conn);
	free(sc);
}

/* Run sql with params; the result when it returned rows, else NULL after
 * writing err. */
static PGresult *run(struct store_control *sc, const char *sql, int n, const char *const *params,
		     char *err, size_t errlen)
{
	PGresult *res = PQexecParams(sc->conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	util_seterr(err, errlen, "could not query the database: %s", PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

bool store_control_pending(struct store_control *sc, const char *sender,
			   struct store_control_pending *out, char *err, size_t errlen)
{
	const char *p[] = { sender };
	PGresult *res = run(sc,
			    "SELECT count(*) FILTER (WHERE state = 'ignored'),"
			    " count(*) FILTER (WHERE state = 'failed')"
			    " FROM sawt.inbound_messages"
			    " WHERE sawt.reprocessable(state, no_reply_reason)"
			    " AND ($1::text IS NULL OR sender = $1)",
			    1, p, err, errlen);

	if (res == NULL)
		return false;
	out->rate_limited = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->failed = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return true;
}

bool store_control_muted_messages(struct store_control *sc, const char *sender, long long *out,
				  char *err, size_t errlen)
{
	const char *p[] = { sender };
	PGresult *res = run(sc,
			    "SELECT count(*) FROM sawt.inbound_messages"
			    " WHERE sender = $1 AND no_reply_reason = 'rate_limited'"
			    " AND received_at > now() - interval '1 hour'",
			    1, p, err, errlen);

	if (res == NULL)
		return false;
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool store_control_ask(struct store_control *sc, enum store_control_kind kind, const char *sender,
		       long long *id, char *err, size_t errlen)
{
	const char *p[] = { kind == STORE_CONTROL_UNMUTE ? "unmute" : "reprocess", sender };
	/* the NOTIFY is sent when the row commits: one statement, one
	 * transaction */
	PGresult *res = run(sc,
			    "WITH r AS (INSERT INTO sawt.operator_requests (kind, sender)"
			    " VALUES ($1, $2) RETURNING id)"
			    " SELECT id, pg_notify('sawt_control', id::text) FROM r",
			    2, p, err, errlen);

	if (res == NULL)
		return false;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool store_control_get(struct store_control *sc, long long id, struct store_control_request *out,
		       char *err, size_t errlen)
{
	char ids[24];
	const char *p[] = { ids };
	PGresult *res;

	snprintf(ids, sizeof(ids), "%lld", id);
	res = run(sc,
		  "SELECT started_at IS NOT NULL, done_at IS NOT NULL, coalesce(node, ''),"
		  " coalesce(reprocessed, 0) FROM sawt.operator_requests WHERE id = $1::bigint",
		  1, p, err, errlen);
	if (res == NULL)
		return false;
	memset(out, 0, sizeof(*out));
	if (PQntuples(res) == 1) {
		out->started = PQgetvalue(res, 0, 0)[0] == 't';
		out->done = PQgetvalue(res, 0, 1)[0] == 't';
		snprintf(out->node, sizeof(out->node), "%s", PQgetvalue(res, 0, 2));
		out->reprocessed = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	}
	PQclear(res);
	return true;
}

bool store_control_station(struct store_control *sc, const char *election, const char *code,
			   bool *found, char *name, size_t cap, char *err, size_t errlen)
{
	const char *p[] = { election, code };
	PGresult *res = run(sc,
			    "SELECT s.name FROM sawt.stations s"
			    " JOIN sawt.elections e ON e.id = s.election_id"
			    " WHERE e.name = $1 AND s.code = $2",
			    2, p, err, errlen);

	if (res == NULL)
		return false;
	*found = PQntuples(res) > 0;
	if (*found && cap > 0)
		snprintf(name, cap, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}
