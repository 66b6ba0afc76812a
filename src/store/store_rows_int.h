/*
 * store_rows_int.h - for store modules only: make store_rows of a libpq
 * result, and the error text of a failed one.
 */
#ifndef SAWT_STORE_ROWS_INT_H
#define SAWT_STORE_ROWS_INT_H

#include <libpq-fe.h>

#include "store_rows.h"

/* Wrap res (taken: freed here on failure); NULL when out of memory. */
struct store_rows *store_rows_take(PGresult *res) SAWT_MUST_CHECK;

/* Run sql with n text params; the rows, or NULL with err set (the
 * server's message and hint). */
struct store_rows *store_rows_query(PGconn *conn, const char *sql, int n, const char *const *params,
				    char *err, size_t errlen) SAWT_MUST_CHECK;

/* err: the primary message of res (else conn's), then "\nhint: HINT". */
void store_rows_error(const PGresult *res, const PGconn *conn, char *err, size_t errlen);

#endif
