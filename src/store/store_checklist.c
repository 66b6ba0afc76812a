/*
 * store_checklist.c - write checklist definitions in one transaction; see
 * store_checklist.h.
 */
#include "store_checklist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "util.h"

/* The forms of set as the JSON array sawt.checklist_import() takes; NULL when out of memory. */
static char *forms_json(const struct checklist_set *set)
{
	size_t cap = 256 * 1024;

	for (;;) {
		char *buf = malloc(cap);
		struct json_buf j;
		bool ok = true;

		if (buf == NULL)
			return NULL;
		json_init(&j, buf, cap);
		json_open_array(&j, NULL);
		for (size_t i = 0; ok && i < checklist_set_n_forms(set); i++)
			ok = checklist_form_json(checklist_set_form(set, i), &j);
		json_close_array(&j);
		if (ok && json_finish(&j))
			return buf;
		free(buf);
		if (!ok || cap >= 64 * 1024 * 1024)
			return NULL;
		cap *= 4;
	}
}

static void db_error(PGconn *conn, PGresult *res, char *err, size_t errlen)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (state != NULL && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0 ||
			      strcmp(state, "42883") == 0))
		util_seterr(err, errlen,
			    "the database has no checklist tables yet: run \"sawt migrate\" first");
	else
		util_seterr(err, errlen, "%s",
			    res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	/* libpq's messages end with a newline */
	for (size_t n = strlen(err); n > 0 && err[n - 1] == '\n'; n--)
		err[n - 1] = '\0';
}

static bool exec_ok(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		db_error(conn, res, err, errlen);
	PQclear(res);
	return ok;
}

bool store_checklist_import(const char *conninfo, const struct checklist_set *set,
			    const char *election, bool dry_run, struct store_checklist_outcome *out,
			    char *err, size_t errlen)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char *json = NULL;
	const char *params[2];
	bool ok = false;

	err[0] = '\0';
	if ((json = forms_json(set)) == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto fail;
	}
	if ((conn = db_connect_blocking(conninfo, err, errlen)) == NULL)
		goto fail;
	if (!exec_ok(conn, "BEGIN", err, errlen))
		goto fail;
	params[0] = election != NULL ? election : CONFIG_DEFAULT_ELECTION;
	params[1] = json;
	res = PQexecParams(conn,
			   "WITH e AS (INSERT INTO sawt.elections (name) VALUES ($1) "
			   "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) "
			   "SELECT c.code, c.version, c.outcome FROM e, "
			   "LATERAL sawt.checklist_import(e.id, $2::jsonb) c",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_error(conn, res, err, errlen);
		goto rollback;
	}
	if ((size_t)PQntuples(res) != checklist_set_n_forms(set)) {
		util_seterr(err, errlen, "sawt.checklist_import returned %d rows for %zu forms",
			    PQntuples(res), checklist_set_n_forms(set));
		goto rollback;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		snprintf(out[i].code, sizeof(out[i].code), "%s", PQgetvalue(res, i, 0));
		out[i].version = atoi(PQgetvalue(res, i, 1));
		snprintf(out[i].outcome, sizeof(out[i].outcome), "%s", PQgetvalue(res, i, 2));
	}
	if (!exec_ok(conn, dry_run ? "ROLLBACK" : "COMMIT", err, errlen))
		goto fail;
	ok = true;
	goto fail;
rollback:
	PQclear(PQexec(conn, "ROLLBACK"));
fail:
	PQclear(res);
	if (conn != NULL)
		PQfinish(conn);
	free(json);
	return ok;
}
