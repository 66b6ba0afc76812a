/*
 * store_pvt.c - the quick count's samples and figures; see store_pvt.h.
 */
#include "store_pvt.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pvt.h"
#include "util.h"

struct store_pvt {
	PGconn *conn;
};

struct store_pvt_rows {
	PGresult *res;
};

static const char *primary_message(const PGresult *res, const PGconn *conn)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	return msg != NULL ? msg : PQerrorMessage(conn);
}

/* Run sql with params; the result when its status is want, else NULL with
 * err set ("could not WHAT: message"). */
static PGresult *run(struct store_pvt *sp, const char *what, const char *sql, int n,
		     const char *const *params, ExecStatusType want, char *err, size_t errlen)
{
	PGresult *res = PQexecParams(sp->conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) == want)
		return res;
	util_seterr(err, errlen, "could not %s: %s", what, primary_message(res, sp->conn));
	PQclear(res);
	return NULL;
}

struct store_pvt *store_pvt_new(const char *conninfo, char *err, size_t errlen)
{
	struct store_pvt *sp = calloc(1, sizeof(*sp));
	PGresult *res;

	if (sp == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	sp->conn = db_connect_blocking(conninfo, err, errlen);
	if (sp->conn == NULL)
		goto fail;
	/* a few large joins: compiling them costs more than it saves */
	res = run(sp, "turn jit off", "SET jit = off", 0, NULL, PGRES_COMMAND_OK, err, errlen);
	if (res == NULL)
		goto fail;
	PQclear(res);
	return sp;
fail:
	store_pvt_free(sp);
	return NULL;
}

void store_pvt_free(struct store_pvt *sp)
{
	if (sp == NULL)
		return;
	PQfinish(sp->conn);
	free(sp);
}

/* The population: the election's stations with registered voters and
 * their stratum ($2: none, region or district).  The draw reads it ordered
 * by stratum then station code, so the same seed gives the same sample. */
#define POPULATION_SQL \
	"SELECT s.id, CASE $2 WHEN 'region' THEN COALESCE(p.region, 'all')" \
	"  WHEN 'district' THEN COALESCE(p.district, p.region, 'all') ELSE 'all' END AS stratum," \
	"  s.registered " \
	"FROM sawt.stations s JOIN sawt.elections e ON e.id = s.election_id " \
	"LEFT JOIN sawt.analytics_station_place p ON p.station_id = s.id " \
	"WHERE e.name = $1 AND s.registered > 0"

static const char *const strata_names[] = { "none", "region", "district" };

/* Append text to the growing buffer *buf (of *len bytes used, *cap). */
static bool append(char **buf, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);

	if (*len + n + 1 > *cap) {
		size_t c = (*cap + n + 1) * 2;
		char *b = realloc(*buf, c);
		if (b == NULL)
			return false;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, text, n + 1);
	*len += n;
	return true;
}

bool store_pvt_draw(struct store_pvt *sp, const char *election, const char *name,
		    enum store_pvt_strata strata, long size, uint64_t seed, size_t *drawn_strata,
		    char *err, size_t errlen)
{
	PGresult *pop = NULL, *res = NULL;
	size_t n = 0, nstrata = 0, *of = NULL;
	long *st = NULL, *alloc = NULL;
	double *reg = NULL;
	bool *chosen = NULL, ok = false, in_txn = false;
	char *ids = NULL, num[64], size_s[32], seed_s[32];
	size_t ids_len = 0, ids_cap = 0;

	res = run(sp, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, err, errlen);
	if (res == NULL)
		goto fail;
	PQclear(res);
	res = NULL;
	in_txn = true;
	{
		const char *p[2] = { election, strata_names[strata] };
		pop = run(sp, "read the stations",
			  POPULATION_SQL " ORDER BY 2, length(s.code), s.code", 2, p,
			  PGRES_TUPLES_OK, err, errlen);
	}
	if (pop == NULL)
		goto fail;
	n = (size_t)PQntuples(pop);
	if (n == 0) {
		util_seterr(err, errlen, "election \"%s\" has no station with registered voters",
			    election);
		goto fail;
	}
	of = calloc(n, sizeof(*of));
	st = calloc(n, sizeof(*st));
	alloc = calloc(n, sizeof(*alloc));
	reg = calloc(n, sizeof(*reg));
	chosen = calloc(n, sizeof(*chosen));
	if (of == NULL || st == NULL || alloc == NULL || reg == NULL || chosen == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(PQgetvalue(pop, (int)i, 1), PQgetvalue(pop, (int)i - 1, 1)))
			nstrata++;
		of[i] = nstrata;
		st[nstrata]++;
		reg[nstrata] += strtod(PQgetvalue(pop, (int)i, 2), NULL);
	}
	nstrata++;
	if (!pvt_allocate(st, reg, nstrata, size, alloc, err, errlen))
		goto fail;
	if (!pvt_draw(of, n, alloc, nstrata, seed, chosen)) {
		util_seterr(err, errlen, "could not draw the sample");
		goto fail;
	}
	snprintf(size_s, sizeof(size_s), "%ld", size);
	snprintf(seed_s, sizeof(seed_s), "%lld", (long long)seed);
	{
		const char *p[5] = { election, name, strata_names[strata], size_s, seed_s };
		res = run(sp, "store the sample",
			  "INSERT INTO sawt.pvt_samples (election_id, name, strata, size, seed) "
			  "SELECT id, $2, $3, $4, $5 FROM sawt.elections WHERE name = $1 "
			  "RETURNING id",
			  5, p, PGRES_TUPLES_OK, err, errlen);
	}
	if (res == NULL)
		goto fail;
	if (PQntuples(res) != 1) {
		util_seterr(err, errlen, "election \"%s\" not found", election);
		goto fail;
	}
	snprintf(num, sizeof(num), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (!append(&ids, &ids_len, &ids_cap, "{"))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (!chosen[i])
			continue;
		if (ids_len > 1 && !append(&ids, &ids_len, &ids_cap, ","))
			goto oom;
		if (!append(&ids, &ids_len, &ids_cap, PQgetvalue(pop, (int)i, 0)))
			goto oom;
	}
	if (!append(&ids, &ids_len, &ids_cap, "}"))
		goto oom;
	{
		/* strata and members from the same population query */
		const char *p[4] = { election, strata_names[strata], num, ids };
		res = run(sp, "store the sample's stations",
			  "WITH pop AS (" POPULATION_SQL
			  "), "
			  "strata AS (INSERT INTO sawt.pvt_sample_strata "
			  "  (sample_id, stratum, stations, registered, drawn) "
			  "  SELECT $3::integer, stratum, count(*), sum(registered), "
			  "    count(*) FILTER (WHERE id = ANY ($4::integer[])) "
			  "  FROM pop GROUP BY stratum RETURNING stratum) "
			  "INSERT INTO sawt.pvt_sample_stations (sample_id, station_id, stratum) "
			  "SELECT $3::integer, id, stratum FROM pop WHERE id = ANY ($4::integer[])",
			  4, p, PGRES_COMMAND_OK, err, errlen);
	}
	if (res == NULL)
		goto fail;
	PQclear(res);
	res = NULL;
	res = run(sp, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, err, errlen);
	if (res == NULL)
		goto fail;
	PQclear(res);
	res = NULL;
	in_txn = false;
	*drawn_strata = nstrata;
	ok = true;
	goto fail;
oom:
	util_seterr(err, errlen, "out of memory");
fail:
	if (in_txn)
		PQclear(PQexec(sp->conn, "ROLLBACK"));
	PQclear(res);
	PQclear(pop);
	free(of);
	free(st);
	free(alloc);
	free(reg);
	free(chosen);
	free(ids);
	return ok;
}

/* Append texts[0..n) to *buf as a PostgreSQL array literal, each element
 * quoted ("" and \\ escaped); NULL texts become NULL. */
static bool append_array(char **buf, size_t *len, size_t *cap, const char *const *texts, size_t n)
{
	char one[2] = { 0, 0 };

	if (!append(buf, len, cap, "{"))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && !append(buf, len, cap, ","))
			return false;
		if (texts[i] == NULL || texts[i][0] == '\0') {
			if (!append(buf, len, cap, "NULL"))
				return false;
			continue;
		}
		if (!append(buf, len, cap, "\""))
			return false;
		for (const char *p = texts[i]; *p; p++) {
			if ((*p == '"' || *p == '\\') && !append(buf, len, cap, "\\"))
				return false;
			one[0] = *p;
			if (!append(buf, len, cap, one))
				return false;
		}
		if (!append(buf, len, cap, "\""))
			return false;
	}
	return append(buf, len, cap, "}");
}

bool store_pvt_import(struct store_pvt *sp, const char *election, const char *name,
		      const char *const *codes, const char *const *strata, size_t n, char *err,
		      size_t errlen)
{
	char *ca = NULL, *sa = NULL, size_s[32];
	size_t cl = 0, cc = 0, sl = 0, sc = 0;
	PGresult *res = NULL;
	bool ok = false, in_txn = false;
	const char *bad;

	if (!append_array(&ca, &cl, &cc, codes, n) || !append_array(&sa, &sl, &sc, strata, n)) {
		util_seterr(err, errlen, "out of memory");
		goto out;
	}
	snprintf(size_s, sizeof(size_s), "%zu", n);
	res = run(sp, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, err, errlen);
	if (res == NULL)
		goto out;
	PQclear(res);
	res = NULL;
	in_txn = true;
	{
		/* One row per problem, the first one reported. */
		const char *p[4] = { election, ca, sa, name };
		res = run(
			sp, "check the sample",
			"WITH e AS (SELECT id FROM sawt.elections WHERE name = $1), "
			"f AS (SELECT u.code, NULLIF(u.stratum, '') AS stratum, u.i "
			"  FROM unnest($2::text[], $3::text[]) WITH ORDINALITY u (code, stratum, i)), "
			"j AS (SELECT f.*, s.id, p.region, p.district FROM f "
			"  LEFT JOIN sawt.stations s ON s.code = f.code "
			"    AND s.election_id = (SELECT id FROM e) "
			"  LEFT JOIN sawt.analytics_station_place p ON p.station_id = s.id) "
			"SELECT msg FROM ("
			"  SELECT 0 AS o, format('election \"%s\" not found', $1::text) AS msg "
			"    WHERE NOT EXISTS (SELECT 1 FROM e) "
			"  UNION ALL SELECT i, format('station \"%s\" (row %s) not found', code, i) "
			"    FROM j WHERE id IS NULL "
			"  UNION ALL SELECT i, format('station \"%s\" is listed twice', code) "
			"    FROM (SELECT code, i, count(*) OVER (PARTITION BY code) AS c FROM f) d "
			"    WHERE c > 1 "
			"  UNION ALL SELECT i, format('station \"%s\" is not in stratum \"%s\"', "
			"    code, stratum) FROM j WHERE id IS NOT NULL AND stratum IS NOT NULL "
			"    AND stratum IS DISTINCT FROM region AND stratum IS DISTINCT FROM district "
			"  UNION ALL SELECT 0, format('sample \"%s\" already exists', $4::text) "
			"    FROM sawt.pvt_samples ps WHERE ps.name = $4::text "
			"    AND ps.election_id = (SELECT id FROM e)"
			") x ORDER BY o LIMIT 1",
			4, p, PGRES_TUPLES_OK, err, errlen);
	}
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0) {
		bad = PQgetvalue(res, 0, 0);
		util_seterr(err, errlen, "%s", bad);
		goto out;
	}
	PQclear(res);
	{
		const char *p[5] = { election, ca, sa, name, size_s };
		res = run(
			sp, "store the sample",
			"WITH e AS (SELECT id FROM sawt.elections WHERE name = $1), "
			"smp AS (INSERT INTO sawt.pvt_samples (election_id, name, strata, size) "
			"  SELECT id, $4, 'imported', $5 FROM e RETURNING id), "
			"f AS (SELECT s.id, COALESCE(NULLIF(u.stratum, ''), 'all') AS stratum "
			"  FROM unnest($2::text[], $3::text[]) u (code, stratum) "
			"  JOIN sawt.stations s ON s.code = u.code "
			"    AND s.election_id = (SELECT id FROM e)), "
			"pop AS (SELECT s.id, s.registered, p.region, p.district "
			"  FROM sawt.stations s "
			"  LEFT JOIN sawt.analytics_station_place p ON p.station_id = s.id "
			"  WHERE s.election_id = (SELECT id FROM e) AND s.registered > 0), "
			"st AS (INSERT INTO sawt.pvt_sample_strata "
			"  (sample_id, stratum, stations, registered, drawn) "
			"  SELECT (SELECT id FROM smp), g.stratum, "
			"    (SELECT count(*) FROM pop WHERE g.stratum = 'all' "
			"      OR pop.region = g.stratum OR pop.district = g.stratum), "
			"    (SELECT COALESCE(sum(registered), 0) FROM pop WHERE g.stratum = 'all' "
			"      OR pop.region = g.stratum OR pop.district = g.stratum), "
			"    g.drawn "
			"  FROM (SELECT stratum, count(*) AS drawn FROM f GROUP BY stratum) g "
			"  RETURNING stratum) "
			"INSERT INTO sawt.pvt_sample_stations (sample_id, station_id, stratum) "
			"SELECT (SELECT id FROM smp), f.id, f.stratum FROM f "
			"WHERE EXISTS (SELECT 1 FROM st WHERE st.stratum = f.stratum)",
			5, p, PGRES_COMMAND_OK, err, errlen);
	}
	if (res == NULL)
		goto out;
	PQclear(res);
	res = run(sp, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, err, errlen);
	if (res == NULL)
		goto out;
	in_txn = false;
	ok = true;
out:
	if (in_txn)
		PQclear(PQexec(sp->conn, "ROLLBACK"));
	PQclear(res);
	free(ca);
	free(sa);
	return ok;
}

struct store_pvt_rows *store_pvt_sums(struct store_pvt *sp, const char *election,
				      const char *sample, const char *contest, char *err,
				      size_t errlen)
{
	const char *p[3] = { election, sample, contest };
	struct store_pvt_rows *rows = NULL;
	PGresult *res, *found;

	found = run(sp, "find the sample",
		    "SELECT p.name FROM sawt.pvt_samples p "
		    "JOIN sawt.elections e ON e.id = p.election_id "
		    "WHERE e.name = $1 AND ($2::text IS NULL OR p.name = $2) "
		    "ORDER BY p.created_at DESC, p.id DESC LIMIT 1",
		    2, p, PGRES_TUPLES_OK, err, errlen);
	if (found == NULL)
		return NULL;
	if (PQntuples(found) == 0) {
		if (sample != NULL)
			util_seterr(err, errlen, "sample \"%s\" not found in election \"%s\"",
				    sample, election);
		else
			util_seterr(err, errlen,
				    "election \"%s\" has no sample: draw one with \"sawt sample "
				    "draw\"",
				    election);
		PQclear(found);
		return NULL;
	}
	p[1] = PQgetvalue(found, 0, 0);
	res = run(sp, "read the sample's figures",
		  "SELECT p.name, i.code, s.ikey, "
		  "  CASE s.ikey WHEN -1 THEN 'invalid' WHEN -2 THEN 'blank' "
		  "    WHEN -3 THEN 'turnout' WHEN -4 THEN 'women_share' "
		  "    WHEN -5 THEN 'women_turnout' ELSE ca.name END, "
		  "  CASE WHEN s.ikey > 0 THEN s.ikey END, s.stratum, s.population, s.drawn, "
		  "  s.n, s.sy, s.sx, s.syy, s.sxx, s.sxy "
		  "FROM sawt.pvt_strata_sums s "
		  "JOIN sawt.pvt_samples p ON p.id = s.sample_id "
		  "JOIN sawt.elections e ON e.id = p.election_id "
		  "LEFT JOIN sawt.contests i ON i.id = s.contest_id "
		  "LEFT JOIN sawt.candidates ca ON ca.contest_id = s.contest_id "
		  "  AND ca.position = s.ikey "
		  "WHERE e.name = $1 AND p.name = $2 AND s.kind = 'now' "
		  "  AND ($3::text IS NULL OR i.code = $3 OR s.contest_id = 0) "
		  "ORDER BY s.contest_id, s.ikey < 0, abs(s.ikey), s.stratum",
		  3, p, PGRES_TUPLES_OK, err, errlen);
	PQclear(found);
	if (res == NULL)
		return NULL;
	rows = calloc(1, sizeof(*rows));
	if (rows == NULL) {
		util_seterr(err, errlen, "out of memory");
		PQclear(res);
		return NULL;
	}
	rows->res = res;
	return rows;
}

int store_pvt_nrows(const struct store_pvt_rows *rows)
{
	return PQntuples(rows->res);
}

const char *store_pvt_value(const struct store_pvt_rows *rows, int row, int col)
{
	if (PQgetisnull(rows->res, row, col))
		return NULL;
	return PQgetvalue(rows->res, row, col);
}

void store_pvt_rows_free(struct store_pvt_rows *rows)
{
	if (rows == NULL)
		return;
	PQclear(rows->res);
	free(rows);
}
