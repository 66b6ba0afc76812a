/*
 * store_operator.c - the operator's account on the page; see
 * store_operator.h.
 */
#include "store_operator.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "store_rows_int.h"
#include "util.h"

struct store_operator {
	PGconn *conn;
};

struct store_operator *store_operator_new(const char *conninfo, char *err, size_t errlen)
{
	struct store_operator *so = calloc(1, sizeof(*so));

	if (so == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	so->conn = db_connect_blocking(conninfo, err, errlen);
	if (so->conn == NULL) {
		free(so);
		return NULL;
	}
	return so;
}

void store_operator_free(struct store_operator *so)
{
	if (so == NULL)
		return;
	PQfinish(so->conn);
	free(so);
}

/* Run sql, whose one row and column is the outcome, into outcome. */
static bool one_word(struct store_operator *so, const char *sql, int n, const char *const *p,
		     char *outcome, size_t cap, char *err, size_t errlen)
{
	struct store_rows *rows = store_rows_query(so->conn, sql, n, p, err, errlen);
	const char *v = rows != NULL ? store_rows_value(rows, 0, 0) : NULL;

	if (rows != NULL && v == NULL)
		util_seterr(err, errlen, "the server answered no outcome");
	if (v != NULL)
		snprintf(outcome, cap, "%s", v);
	store_rows_free(rows);
	return v != NULL;
}

bool store_operator_add(struct store_operator *so, const char *election, const char *phone,
			const char *name, const char *language, const char *pseudonym,
			char *outcome, size_t cap, char *err, size_t errlen)
{
	const char *p[] = { election, phone, name, language, pseudonym };

	return one_word(so, "SELECT sawt.web_operator_add($1, $2, $3, $4, $5)", 5, p, outcome, cap,
			err, errlen);
}

bool store_operator_remove(struct store_operator *so, const char *election, const char *phone,
			   char *outcome, size_t cap, char *err, size_t errlen)
{
	const char *p[] = { election, phone };

	return one_word(so, "SELECT sawt.web_operator_remove($1, $2)", 2, p, outcome, cap, err,
			errlen);
}

struct store_rows *store_operator_list(struct store_operator *so, const char *election, char *err,
				       size_t errlen)
{
	const char *p[] = { election };

	return store_rows_query(
		so->conn,
		"SELECT p.phone, p.name, COALESCE(p.language, ''),"
		" to_char(p.created_at, 'YYYY-MM-DD HH24:MI'),"
		" (SELECT count(*) FROM sawt.web_sessions s"
		"  WHERE s.person_id = p.id AND s.expires_at > now()),"
		" (SELECT to_char(max(s.created_at), 'YYYY-MM-DD HH24:MI') FROM sawt.web_sessions s"
		"  WHERE s.person_id = p.id)"
		" FROM sawt.people p JOIN sawt.elections e ON e.id = p.election_id"
		" WHERE e.name = $1 AND p.role = 'operator' ORDER BY p.name, p.phone",
		1, p, err, errlen);
}
