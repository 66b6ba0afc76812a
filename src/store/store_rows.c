/*
 * store_rows.c - query rows for the command line; see store_rows.h and
 * store_rows_int.h.
 */
#include "store_rows_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct store_rows {
	PGresult *res;
};

struct store_rows *store_rows_take(PGresult *res)
{
	struct store_rows *rows = calloc(1, sizeof(*rows));

	if (rows == NULL) {
		PQclear(res);
		return NULL;
	}
	rows->res = res;
	return rows;
}

void store_rows_error(const PGresult *res, const PGconn *conn, char *err, size_t errlen)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

	if (msg == NULL)
		msg = PQerrorMessage(conn);
	/* the message and hint are the server's sentences: kept as two lines */
	if (hint != NULL)
		snprintf(err, errlen, "%.*s\nhint: %s", (int)strcspn(msg, "\n"), msg, hint);
	else
		snprintf(err, errlen, "%.*s", (int)strcspn(msg, "\n"), msg);
}

struct store_rows *store_rows_query(PGconn *conn, const char *sql, int n, const char *const *params,
				    char *err, size_t errlen)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	struct store_rows *rows;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		store_rows_error(res, conn, err, errlen);
		PQclear(res);
		return NULL;
	}
	rows = store_rows_take(res);
	if (rows == NULL)
		util_seterr(err, errlen, "out of memory");
	return rows;
}

int store_rows_count(const struct store_rows *rows)
{
	return rows ? PQntuples(rows->res) : 0;
}

const char *store_rows_value(const struct store_rows *rows, int row, int col)
{
	if (rows == NULL || row < 0 || row >= PQntuples(rows->res) || col < 0 ||
	    col >= PQnfields(rows->res) || PQgetisnull(rows->res, row, col))
		return NULL;
	return PQgetvalue(rows->res, row, col);
}

void store_rows_free(struct store_rows *rows)
{
	if (rows == NULL)
		return;
	PQclear(rows->res);
	free(rows);
}
