/*
 * migrate.c - database schema migrations; see migrate.h.
 */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "file.h"
#include "sawt_build.h"
#include "util.h"

#define MIGRATE_MAX 1000
#define MIGRATE_LOCK_KEY "7310001"

struct migration {
	int version;
	char name[128];    /* file name */
	char checksum[65]; /* hex SHA-256 of the file */
	char *sql;
	bool applied;
};

struct migration_set {
	struct migration *m;
	size_t n;
};

/* True when this program runs from the build tree it was built in. */
static bool running_from_build_tree(void)
{
	static const char build[] = SAWT_BUILD_DIR "/";
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strncmp(exe, build, sizeof(build) - 1) == 0;
}

const char *migrate_default_dir(const char *configured)
{
	const char *env = getenv("SAWT_MIGRATIONS_DIR");

	if (configured != NULL)
		return configured;
	if (env != NULL && env[0] != '\0')
		return env;
	return running_from_build_tree() ? SAWT_SOURCE_MIGRATIONS_DIR : SAWT_MIGRATIONS_DIR;
}

/* NNNN_name.sql with lowercase name; returns the version or -1. */
static int migration_version(const char *fname)
{
	size_t len = strlen(fname);

	if (len < 10 || len >= 128 || strcmp(fname + len - 4, ".sql") != 0 || fname[4] != '_')
		return -1;
	for (size_t i = 0; i < 4; i++)
		if (!isdigit((unsigned char)fname[i]))
			return -1;
	for (size_t i = 5; i < len - 4; i++)
		if (!islower((unsigned char)fname[i]) && !isdigit((unsigned char)fname[i]) &&
		    fname[i] != '_')
			return -1;
	return atoi(fname);
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	util_hex(out, md, mdlen < 32 ? mdlen : 32);
	out[64] = '\0';
}

static int cmp_migration(const void *a, const void *b)
{
	return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

static void set_free(struct migration_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->m[i].sql);
	free(s->m);
	s->m = NULL;
	s->n = 0;
}

static bool set_add(struct migration_set *s, const char *dir, const char *fname, int version,
		    char *err, size_t n)
{
	char path[4096];
	struct migration *m;
	size_t len = 0;

	if (s->n >= MIGRATE_MAX) {
		util_seterr(err, n, "too many migration files in \"%s\"", dir);
		return false;
	}
	m = &s->m[s->n];
	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	m->sql = file_read_all(path, SIZE_MAX, &len, err, n);
	if (m->sql == NULL)
		return false;
	m->version = version;
	snprintf(m->name, sizeof(m->name), "%s", fname);
	sha256_hex(m->sql, len, m->checksum);
	s->n++;
	return true;
}

/* Read every migration file of dir, sorted; duplicates are an error. */
static bool set_load(struct migration_set *s, const char *dir, char *err, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool ok = true;

	if (d == NULL) {
		util_seterr(err, n, "could not open directory \"%s\": %s", dir, strerror(errno));
		return false;
	}
	s->m = calloc(MIGRATE_MAX, sizeof(*s->m));
	s->n = 0;
	while (ok && s->m && (e = readdir(d)) != NULL) {
		int v = migration_version(e->d_name);

		if (v >= 0)
			ok = set_add(s, dir, e->d_name, v, err, n);
	}
	closedir(d);
	if (s->m == NULL) {
		util_seterr(err, n, "out of memory");
		return false;
	}
	qsort(s->m, s->n, sizeof(*s->m), cmp_migration);
	for (size_t i = 1; ok && i < s->n; i++) {
		if (s->m[i].version == s->m[i - 1].version) {
			util_seterr(err, n, "migrations \"%s\" and \"%s\" have the same number",
				    s->m[i - 1].name, s->m[i].name);
			ok = false;
		}
	}
	return ok;
}

int migrate_latest_version(const char *dir)
{
	struct migration_set s = { 0 };
	char err[256];
	int v;

	if (!set_load(&s, dir, err, sizeof(err))) {
		set_free(&s);
		return -1;
	}
	v = s.n ? s.m[s.n - 1].version : 0;
	set_free(&s);
	return v;
}

const char migrate_versions_sql[] =
	"SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '')"
	" FROM public.sawt_migrations";

bool migrate_known_versions(const char *dir, char *out, size_t outlen)
{
	struct migration_set s = { 0 };
	char err[256];
	size_t used = 0;
	bool ok = false;

	if (outlen == 0 || !set_load(&s, dir, err, sizeof(err)))
		goto fail;
	out[0] = '\0';
	for (size_t i = 0; i < s.n; i++) {
		int w = snprintf(out + used, outlen - used, "%s%d", i ? "," : "", s.m[i].version);
		if (w < 0 || (size_t)w >= outlen - used)
			goto fail;
		used += (size_t)w;
	}
	ok = true;
fail:
	set_free(&s);
	return ok;
}

/* Next version of a comma-separated list at *p, advancing *p; -1 at the end. */
static int next_version(const char **p)
{
	int v = 0;

	if (**p == '\0')
		return -1;
	while (**p >= '0' && **p <= '9' && v < 100000)
		v = v * 10 + (*(*p)++ - '0');
	while (**p != '\0' && **p != ',')
		(*p)++;
	if (**p == ',')
		(*p)++;
	return v;
}

void migrate_compare_versions(const char *known, const char *applied, int *unknown, int *missing)
{
	int k = next_version(&known), a = next_version(&applied);

	*unknown = 0;
	*missing = 0;
	while (k >= 0 || a >= 0) {
		if (a >= 0 && (k < 0 || a < k)) {
			if (*unknown == 0)
				*unknown = a;
			a = next_version(&applied);
		} else if (k >= 0 && (a < 0 || k < a)) {
			if (*missing == 0)
				*missing = k;
			k = next_version(&known);
		} else {
			k = next_version(&known);
			a = next_version(&applied);
		}
	}
}

static bool exec_ok(PGconn *conn, const char *sql, char *err, size_t n)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		util_seterr(err, n, "could not run \"%s\": %s", sql, PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

static struct migration *set_find(struct migration_set *s, int version)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].version == version)
			return &s->m[i];
	return NULL;
}

/* Mark applied migrations; refuse changed files and unknown versions. */
static bool compare_applied(PGconn *conn, struct migration_set *s, struct migrate_report *rep,
			    char *err, size_t n)
{
	PGresult *res = PQexec(
		conn,
		"SELECT version, name, checksum FROM public.sawt_migrations ORDER BY version");
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		util_seterr(err, n, "could not read applied migrations: %s", PQerrorMessage(conn));
	for (int i = 0; ok && i < PQntuples(res); i++) {
		int v = atoi(PQgetvalue(res, i, 0));
		struct migration *m = set_find(s, v);

		if (m == NULL) {
			util_seterr(
				err, n,
				"the database schema is newer than this sawt: migration \"%s\" is applied but unknown here. "
				"Upgrade sawt before running it against this database.",
				PQgetvalue(res, i, 1));
			ok = false;
		} else if (strcmp(m->checksum, PQgetvalue(res, i, 2)) != 0) {
			util_seterr(
				err, n,
				"migration file \"%s\" has changed since it was applied (checksum %.12s, applied %.12s). "
				"Applied migrations must not be edited; add a new migration instead.",
				m->name, m->checksum, PQgetvalue(res, i, 2));
			ok = false;
		} else {
			m->applied = true;
			rep->already++;
		}
	}
	PQclear(res);
	return ok;
}

static bool apply_one(PGconn *conn, struct migration *m, char *err, size_t n)
{
	char vbuf[16];
	const char *params[3] = { vbuf, m->name, m->checksum };
	PGresult *res;

	snprintf(vbuf, sizeof(vbuf), "%d", m->version);
	if (!exec_ok(conn, "BEGIN", err, n))
		return false;
	res = PQexec(conn, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		util_seterr(err, n, "migration \"%s\" failed: %s", m->name, PQerrorMessage(conn));
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		return false;
	}
	PQclear(res);
	res = PQexecParams(
		conn,
		"INSERT INTO public.sawt_migrations (version, name, checksum) VALUES ($1, $2, $3)",
		3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		util_seterr(err, n, "could not record migration \"%s\": %s", m->name,
			    PQerrorMessage(conn));
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		return false;
	}
	PQclear(res);
	if (!exec_ok(conn, "COMMIT", err, n))
		return false;
	log_info("applied migration \"%s\"", m->name);
	return true;
}

static bool run_mode(PGconn *conn, struct migration_set *s, enum migrate_mode mode,
		     struct migrate_report *rep, char *err, size_t n)
{
	for (size_t i = 0; i < s->n; i++) {
		struct migration *m = &s->m[i];

		if (mode == MIGRATE_STATUS)
			printf("%s  %s\n", m->applied ? "applied" : "pending", m->name);
		if (m->applied)
			continue;
		if (mode != MIGRATE_APPLY) {
			rep->pending++;
			continue;
		}
		if (!apply_one(conn, m, err, n))
			return false;
		rep->applied_now++;
	}
	if (mode == MIGRATE_CHECK && rep->pending > 0) {
		util_seterr(
			err, n,
			"the database schema is behind this sawt: %d migration(s) pending. Run \"sawt migrate\".",
			rep->pending);
		return false;
	}
	return true;
}

bool migrate_run(const char *conninfo, const char *dir, enum migrate_mode mode,
		 struct migrate_report *rep, char *err, size_t n)
{
	struct migration_set s = { 0 };
	PGconn *conn = NULL;
	bool ok = false;

	memset(rep, 0, sizeof(*rep));
	if (!set_load(&s, dir, err, n))
		goto out;
	rep->latest = s.n ? s.m[s.n - 1].version : 0;
	conn = db_connect_blocking(conninfo, err, n);
	if (conn == NULL)
		goto out;
	PQclear(PQexec(conn, "SET client_min_messages = warning"));
	if (!exec_ok(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, n) ||
	    !exec_ok(conn,
		     "CREATE TABLE IF NOT EXISTS public.sawt_migrations ("
		     " version integer PRIMARY KEY, name text NOT NULL,"
		     " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
		     err, n))
		goto out;
	if (!compare_applied(conn, &s, rep, err, n))
		goto out;
	ok = run_mode(conn, &s, mode, rep, err, n);
out:
	if (conn)
		PQfinish(conn);
	set_free(&s);
	return ok;
}
