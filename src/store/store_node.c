/*
 * store_node.c - a node's claim on its name, the blocking way; see
 * store_node.h.
 */
#include "store_node.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "util.h"

const char store_node_claim_sql[] =
	"SELECT claimed, holder, seen_seconds_ago,"
	" to_char(holder_started_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
	" FROM sawt.node_claim($1, $2)";

enum store_node_claim store_node_claim(const char *conninfo, const char *name, const char *instance,
				       unsigned timeout_sec, struct store_node_holder *holder,
				       char *err, size_t errlen)
{
	char timeout[16];
	const char *keys[] = { "dbname", "connect_timeout", "client_encoding", NULL };
	const char *vals[] = { conninfo, timeout, "UTF8", NULL };
	const char *params[2] = { name, instance };
	enum store_node_claim out = STORE_NODE_UNKNOWN;
	PGconn *conn;
	PGresult *res;

	snprintf(timeout, sizeof(timeout), "%u", timeout_sec);
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		util_seterr(err, errlen, "could not connect to the database: %s",
			    conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return STORE_NODE_UNKNOWN;
	}
	res = PQexecParams(conn, store_node_claim_sql, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		util_seterr(err, errlen, "could not claim the node name \"%s\": %s", name,
			    PQerrorMessage(conn));
	} else if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		out = STORE_NODE_CLAIMED;
	} else {
		snprintf(holder->instance, sizeof(holder->instance), "%s", PQgetvalue(res, 0, 1));
		snprintf(holder->seen_ago, sizeof(holder->seen_ago), "%s", PQgetvalue(res, 0, 2));
		snprintf(holder->started, sizeof(holder->started), "%s", PQgetvalue(res, 0, 3));
		out = STORE_NODE_TAKEN;
	}
	PQclear(res);
	PQfinish(conn);
	return out;
}
