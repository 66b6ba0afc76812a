/*
 * store_status.c - the queries behind `sawt status`; see store_status.h.
 */
#include "store_status.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

/* Parameter types (pg_type OIDs): the election name and the depth. */
#define TEXT_OID 25
#define INT4_OID 23

#define SQLSTATE_UNDEFINED_TABLE "42P01"
#define SQLSTATE_INSUFFICIENT_PRIVILEGE "42501"

struct store_status {
	PGconn *conn;
	bool in_txn;
};

struct store_status_rows {
	PGresult *res;
};

/* sawt.reprocessable(state, no_reply_reason) of migrations/0013, written
 * out: analysts may run sawt status, and may not call sawt's functions. */
#define REPROCESSABLE \
	"((state = 'ignored' AND no_reply_reason = 'rate_limited') OR state = 'failed')"

/* Regions before their districts: (depth > 0, region, depth, area). */
#define TREE_ORDER "(depth > 0), COALESCE(parent, area), depth, area"
#define FORM_ORDER "array_position(ARRAY['open','turnout','close','results'], form)"
#define SEVERITY_ORDER "array_position(ARRAY['critical','serious','info'], severity)"

static const char *const queries[STORE_STATUS_N_QUERIES] = {
	[STORE_STATUS_NOW] =
		"SELECT to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ')"
		" WHERE $1::text IS NOT NULL AND $2 >= 0",
	[STORE_STATUS_PROGRESS] =
		"SELECT area, depth, parent, form, contest, received, expected, pct,"
		" conflicts"
		" FROM analytics.reporting_progress"
		" WHERE election = $1 AND depth <= $2"
		" ORDER BY " TREE_ORDER ", " FORM_ORDER ", contest",
	[STORE_STATUS_TURNOUT] =
		"SELECT area, depth, parent, stations_reporting, stations_total,"
		" registered, voters, turnout_pct, women, women_share, women_turnout_pct"
		" FROM analytics.area_turnout"
		" WHERE election = $1 AND depth <= $2"
		" ORDER BY " TREE_ORDER,
	[STORE_STATUS_RESULTS] =
		"SELECT contest_code, contest, kind, position, candidate, votes,"
		" vote_share, stations_reporting, stations_total"
		" FROM analytics.results WHERE election = $1 AND $2 >= 0"
		" ORDER BY contest_code, position NULLS LAST, kind DESC",
	[STORE_STATUS_INCIDENT_COUNTS] =
		"SELECT severity, count(*) FROM analytics.incidents"
		" WHERE election = $1 AND open AND $2 >= 0"
		" GROUP BY severity ORDER BY " SEVERITY_ORDER,
	[STORE_STATUS_INCIDENTS] =
		"SELECT incident_id, to_char(reported_at, 'HH24:MI'), station_code,"
		" severity, incident, text FROM analytics.incidents"
		" WHERE election = $1 AND open AND severity IN ('critical', 'serious')"
		" AND $2 >= 0"
		" ORDER BY " SEVERITY_ORDER ", reported_at DESC, incident_id DESC LIMIT 10",
	[STORE_STATUS_ALERT_COUNTS] =
		"SELECT severity, count(*) FROM analytics.alerts"
		" WHERE (election = $1 OR election IS NULL) AND open"
		" AND state IN ('new', 'batching', 'open') AND $2 >= 0"
		" GROUP BY severity ORDER BY " SEVERITY_ORDER,
	[STORE_STATUS_CHECKS] =
		"WITH m AS MATERIALIZED ("
		"  SELECT flags, superseded, outcome, error_code, no_reply_reason, election,"
		"  state"
		"  FROM analytics.message_log"
		"  WHERE (election = $1 OR election IS NULL) AND $2 >= 0)"
		" (SELECT 'flag', f, count(*) FROM m, unnest(m.flags) f"
		"  WHERE m.election = $1 AND NOT m.superseded AND m.outcome <> 'rejected'"
		"  GROUP BY f)"
		" UNION ALL"
		" (SELECT 'error', error_code, count(*) FROM m"
		"  WHERE error_code IS NOT NULL GROUP BY error_code)"
		" UNION ALL"
		" (SELECT 'no_reply', no_reply_reason, count(*) FROM m"
		"  WHERE no_reply_reason IS NOT NULL GROUP BY no_reply_reason)"
		" UNION ALL"
		" (SELECT 'unprocessed', CASE WHEN state = 'failed' THEN 'failed'"
		"  ELSE no_reply_reason END, count(*) FROM m"
		"  WHERE " REPROCESSABLE
		" GROUP BY 2)"
		" ORDER BY 1 DESC, 3 DESC, 2",
	[STORE_STATUS_CONFLICT_STATIONS] =
		"SELECT source, string_agg(station_code, ' '"
		"  ORDER BY length(station_code), station_code)"
		" FROM analytics.station_turnout"
		" WHERE election = $1 AND conflict AND $2 >= 0 GROUP BY source",
	[STORE_STATUS_MODEMS] =
		"SELECT name, node, state, signal_percent, operator, sent, received,"
		" send_failures, restarts, to_char(last_seen_at, 'HH24:MI:SS'), last_error, held"
		" FROM sawt.modems WHERE $1::text IS NOT NULL AND $2 >= 0"
		" ORDER BY node, name",
	[STORE_STATUS_NODES] =
		"SELECT node, spool_messages, spool_free_bytes, spool_total_bytes, spool_low,"
		" refusing, held_on_source, to_char(updated_at, 'HH24:MI:SS')"
		" FROM sawt.nodes WHERE $1::text IS NOT NULL AND $2 >= 0 ORDER BY node",
	[STORE_STATUS_ALERTS] =
		"SELECT alert_id, to_char(created_at, 'HH24:MI'), severity, rule, station_code,"
		" COALESCE(routed_to, area), coordinators, sent, held, escalations"
		" FROM analytics.alerts"
		" WHERE (election = $1 OR election IS NULL) AND open"
		" AND state IN ('new', 'batching', 'open') AND $2 >= 0"
		" ORDER BY alert_id DESC LIMIT 20",
	[STORE_STATUS_ALERT_DISPATCHER] =
		"SELECT d.node, to_char(d.tick_at, 'HH24:MI:SS'), d.ticks"
		" FROM sawt.alert_dispatcher d JOIN sawt.elections e ON e.id = d.election_id"
		" WHERE e.name = $1 AND $2 >= 0",
	[STORE_STATUS_REVIEW] =
		"SELECT region, needs_review, quarantined,"
		" to_char(now() - oldest, 'FMDD\"d \"HH24\"h\"MI\"m\"')"
		" FROM analytics.review_queue WHERE election = $1 AND $2 >= 0 ORDER BY region",
	[STORE_STATUS_CHECKLISTS] =
		"SELECT s.form, s.version, max(s.stations_reported), max(s.stations_total),"
		" (SELECT string_agg(p.question || ' ' || p.problems || '/' || p.answered"
		"   || ' (' || p.share || '%)', ', ' ORDER BY p.problems DESC, p.question)"
		"  FROM (SELECT * FROM analytics.checklist_problems p WHERE p.election = $1"
		"   AND p.depth = 0 AND p.form = s.form AND p.problems > 0"
		"   ORDER BY p.problems DESC, p.question LIMIT 3) p),"
		" (SELECT string_agg(f.check_code || ' ' || f.n, ', ' ORDER BY f.n DESC, f.check_code)"
		"  FROM (SELECT f.check_code, count(*) AS n FROM analytics.checklist_flags f"
		"   WHERE f.election = $1 AND f.form = s.form AND f.holds GROUP BY f.check_code) f)"
		" FROM analytics.checklist_summary s WHERE s.election = $1 AND s.depth = 0 AND $2 >= 0"
		" GROUP BY s.form, s.version ORDER BY s.form",
};

static bool guarded_query(enum store_status_query q)
{
	return q == STORE_STATUS_MODEMS || q == STORE_STATUS_NODES ||
	       q == STORE_STATUS_ALERT_DISPATCHER;
}

static const char *primary_message(const PGresult *res, const PGconn *conn)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	return msg != NULL ? msg : PQerrorMessage(conn);
}

static bool exec_command(struct store_status *st, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(st->conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		util_seterr(err, errlen, "could not run \"%s\": %s", sql,
			    primary_message(res, st->conn));
	PQclear(res);
	return ok;
}

static bool set_timezone(struct store_status *st, const char *timezone, char *err, size_t errlen)
{
	const char *params[1] = { timezone };
	PGresult *res;
	bool ok;

	res = PQexecParams(st->conn, "SELECT set_config('TimeZone', $1, false)", 1, NULL, params,
			   NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		util_seterr(err, errlen, "could not set the time zone to \"%s\": %s", timezone,
			    primary_message(res, st->conn));
	PQclear(res);
	return ok;
}

struct store_status *store_status_new(const char *conninfo, const char *timezone, char *err,
				      size_t errlen)
{
	struct store_status *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	st->conn = db_connect_blocking(conninfo, err, errlen);
	if (st->conn == NULL)
		goto fail;
	if (timezone != NULL && !set_timezone(st, timezone, err, errlen))
		goto fail;
	/* The views are a few large joins: compiling them costs more than it
	 * saves (seconds with 10,000 stations). */
	if (!exec_command(st, "SET jit = off", err, errlen))
		goto fail;
	if (!exec_command(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen))
		goto fail;
	st->in_txn = true;
	return st;
fail:
	store_status_free(st);
	return NULL;
}

void store_status_free(struct store_status *st)
{
	if (st == NULL)
		return;
	if (st->in_txn)
		PQclear(PQexec(st->conn, "ROLLBACK"));
	PQfinish(st->conn);
	free(st);
}

static struct store_status_rows *rows_new(PGresult *res)
{
	struct store_status_rows *rows = calloc(1, sizeof(*rows));

	if (rows == NULL) {
		PQclear(res);
		return NULL;
	}
	rows->res = res;
	return rows;
}

/*
 * Run q inside a savepoint so that a query that may fail for lack of
 * privilege (the modems table) does not abort the transaction.
 */
static PGresult *run_query(struct store_status *st, enum store_status_query q,
			   const char *const params[2])
{
	static const unsigned int types[2] = { TEXT_OID, INT4_OID };
	bool guarded = guarded_query(q);
	PGresult *res;

	if (guarded)
		PQclear(PQexec(st->conn, "SAVEPOINT store_status"));
	res = PQexecParams(st->conn, queries[q], 2, types, params, NULL, NULL, 0);
	if (guarded && PQresultStatus(res) != PGRES_TUPLES_OK)
		PQclear(PQexec(st->conn, "ROLLBACK TO SAVEPOINT store_status"));
	return res;
}

struct store_status_rows *store_status_query(struct store_status *st, enum store_status_query q,
					     const char *election, int depth, char *err,
					     size_t errlen)
{
	char dbuf[16];
	const char *params[2] = { election, dbuf };
	struct store_status_rows *rows;
	const char *state;
	PGresult *res;

	if ((int)q < 0 || q >= STORE_STATUS_N_QUERIES) {
		util_seterr(err, errlen, "unknown status query %d", (int)q);
		return NULL;
	}
	snprintf(dbuf, sizeof(dbuf), "%d", depth);
	res = run_query(st, q, params);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		goto done;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (guarded_query(q) && state != NULL &&
	    strcmp(state, SQLSTATE_INSUFFICIENT_PRIVILEGE) == 0) {
		PQclear(res);
		res = PQmakeEmptyPGresult(st->conn, PGRES_TUPLES_OK);
		if (res == NULL)
			goto oom;
		goto done;
	}
	if (state != NULL && strcmp(state, SQLSTATE_UNDEFINED_TABLE) == 0)
		util_seterr(err, errlen,
			    "the analytics views are missing (%s): run \"sawt migrate\"",
			    primary_message(res, st->conn));
	else
		util_seterr(err, errlen, "could not query the database: %s",
			    primary_message(res, st->conn));
	PQclear(res);
	return NULL;
done:
	rows = rows_new(res);
	if (rows != NULL)
		return rows;
oom:
	util_seterr(err, errlen, "out of memory");
	return NULL;
}

void store_status_rows_free(struct store_status_rows *rows)
{
	if (rows == NULL)
		return;
	PQclear(rows->res);
	free(rows);
}

int store_status_nrows(const struct store_status_rows *rows)
{
	return rows != NULL ? PQntuples(rows->res) : 0;
}

const char *store_status_value(const struct store_status_rows *rows, int row, int col)
{
	if (rows == NULL || row < 0 || col < 0 || row >= PQntuples(rows->res) ||
	    col >= PQnfields(rows->res) || PQgetisnull(rows->res, row, col))
		return NULL;
	return PQgetvalue(rows->res, row, col);
}
