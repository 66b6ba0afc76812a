/*
 * store_import.c - write validated registry rows to PostgreSQL in one
 * transaction; see store_import.h.
 */
#include "store_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "array.h"
#include "config.h"
#include "db.h"
#include "util.h"

enum stmt {
	S_ELECTION,
	S_AREA,
	S_STATION,
	S_STATION_CONTESTS,
	S_CONTEST,
	S_CANDIDATE,
	S_CANDIDATES_TRIM,
	S_PERSON,
	S_PERSON_STATIONS,
	S_PERSON_AREAS,
	S_INCIDENT,
	S_COUNT,
};

/*
 * Upserts return (id, inserted): xmax is 0 on a row version this statement
 * inserted, and set on one it updated after a conflict.  The link
 * statements make a set exactly $2 (an int[]): one statement deletes the
 * links not in it and adds the missing ones.
 */
static const char *const stmt_sql[S_COUNT] = {
	[S_ELECTION] =
		"INSERT INTO sawt.elections (name, country_code) VALUES ($1, $2) "
		"ON CONFLICT (name) DO UPDATE SET country_code = "
		"COALESCE(EXCLUDED.country_code, sawt.elections.country_code) "
		"RETURNING id",
	/* An area already there under another spelling of the same name
	 * (إعزاز, اعزاز; Mont-Liban, MONT LIBAN: sawt.fold_name, the way the
	 * message parser reads names) is that area, not a second one. */
	[S_AREA] =
		"WITH same AS (SELECT id FROM sawt.areas WHERE election_id = $1 "
		"  AND COALESCE(parent_id, 0) = COALESCE($2::integer, 0) "
		"  AND sawt.fold_name(name) = sawt.fold_name($3::text) ORDER BY id LIMIT 1), "
		"ins AS (INSERT INTO sawt.areas (election_id, parent_id, name, depth) "
		"  SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM same) "
		"  ON CONFLICT (election_id, (COALESCE(parent_id, 0)), name) "
		"  DO UPDATE SET depth = EXCLUDED.depth "
		"  RETURNING id, (xmax = 0)) "
		"SELECT id, false FROM same UNION ALL SELECT * FROM ins",
	[S_STATION] =
		"INSERT INTO sawt.stations (election_id, code, name, area_id, centre, "
		"registered, registered_women) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		"ON CONFLICT (election_id, code) DO UPDATE SET name = EXCLUDED.name, "
		"area_id = EXCLUDED.area_id, centre = EXCLUDED.centre, "
		"registered = EXCLUDED.registered, "
		"registered_women = EXCLUDED.registered_women, updated_at = now() "
		"RETURNING id, (xmax = 0)",
	[S_STATION_CONTESTS] =
		"WITH gone AS (DELETE FROM sawt.station_contests "
		"WHERE station_id = $1 AND contest_id <> ALL ($2::int[])) "
		"INSERT INTO sawt.station_contests (station_id, contest_id) "
		"SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING",
	[S_CONTEST] =
		"INSERT INTO sawt.contests (election_id, code, name) VALUES ($1, $2, $3) "
		"ON CONFLICT (election_id, code) DO UPDATE SET name = EXCLUDED.name, "
		"updated_at = now() RETURNING id, (xmax = 0)",
	[S_CANDIDATE] =
		"INSERT INTO sawt.candidates (contest_id, position, name) VALUES ($1, $2, $3) "
		"ON CONFLICT (contest_id, position) DO UPDATE SET name = EXCLUDED.name "
		"RETURNING id, (xmax = 0)",
	[S_CANDIDATES_TRIM] = "DELETE FROM sawt.candidates WHERE contest_id = $1 AND position > $2",
	[S_PERSON] =
		"INSERT INTO sawt.people (election_id, phone, name, role, language, "
		"pin_hash, pseudonym) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		"ON CONFLICT (election_id, phone) DO UPDATE SET name = EXCLUDED.name, "
		"role = EXCLUDED.role, language = EXCLUDED.language, "
		"pin_hash = COALESCE(EXCLUDED.pin_hash, sawt.people.pin_hash), "
		"pseudonym = EXCLUDED.pseudonym, updated_at = now() "
		"RETURNING id, (xmax = 0)",
	[S_PERSON_STATIONS] =
		"WITH gone AS (DELETE FROM sawt.person_stations "
		"WHERE person_id = $1 AND station_id <> ALL ($2::int[])) "
		"INSERT INTO sawt.person_stations (person_id, station_id) "
		"SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING",
	[S_PERSON_AREAS] =
		"WITH gone AS (DELETE FROM sawt.person_areas "
		"WHERE person_id = $1 AND area_id <> ALL ($2::int[])) "
		"INSERT INTO sawt.person_areas (person_id, area_id) "
		"SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING",
	[S_INCIDENT] =
		"INSERT INTO sawt.incident_codes (election_id, code, severity, name_en, "
		"name_ar, name_fr) VALUES ($1, $2, $3, $4, $5, $6) "
		"ON CONFLICT (election_id, code) DO UPDATE SET severity = EXCLUDED.severity, "
		"name_en = EXCLUDED.name_en, name_ar = EXCLUDED.name_ar, "
		"name_fr = EXCLUDED.name_fr, updated_at = now() "
		"RETURNING id, (xmax = 0)",
};

/* A key -> id map loaded from the database (keys live in res). */
struct id_entry {
	const char *key;
	int id;
};

struct area_entry {
	int id;
	int parent;         /* 0 for a root */
	const char *folded; /* its name, sawt.fold_name() */
};

/* Areas created or found while importing stations. */
struct area_cache {
	int parent;
	int id;
	char *name;
};

/* A contest seen while importing contests. */
struct contest_seen {
	const char *code;
	int id;
	int top; /* highest position in the file */
};

struct store {
	PGconn *conn;
	struct registry_import *imp;
	struct store_import_summary *sum;
	char *err;
	size_t errlen;
	unsigned line; /* the row being written, for messages */
	char eid[16];  /* the election id, as text */

	PGresult *map_res;
	struct id_entry *map;
	size_t n_map;
	PGresult *area_res;
	struct area_entry *areas;
	size_t n_areas;
	struct area_cache *cache;
	size_t n_cache;
	size_t cap_cache;
};

static void seterr(struct store *s, const char *fmt, ...) SAWT_PRINTF(2, 3);

static void seterr(struct store *s, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if (s->line > 0)
		n = (size_t)snprintf(s->err, s->errlen, "line %u: ", s->line);
	if (n >= s->errlen)
		return;
	va_start(ap, fmt);
	util_vseterr(s->err + n, s->errlen - n, fmt, ap);
	va_end(ap);
}

static void db_error(struct store *s, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state != NULL && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0)) {
		s->line = 0;
		seterr(s, "the database has no sawt schema yet: run \"sawt migrate\" first");
		return;
	}
	seterr(s, "%s", res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(s->conn));
}

static bool row_error(struct store *s, const char *fmt, ...) SAWT_PRINTF(2, 3);

/* Add a bad-row error about the current row; false when out of memory. */
static bool row_error(struct store *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (registry_import_add_error(s->imp, s->line, "%s", msg))
		return true;
	s->line = 0;
	seterr(s, "out of memory");
	return false;
}

static bool exec_simple(struct store *s, const char *sql)
{
	PGresult *res = PQexec(s->conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		db_error(s, res);
	PQclear(res);
	return ok;
}

static const char *stmt_name(enum stmt st)
{
	static char names[S_COUNT][24];

	snprintf(names[st], sizeof(names[st]), "sawt_import_%d", (int)st);
	return names[st];
}

static bool prepare_all(struct store *s)
{
	for (int i = 0; i < S_COUNT; i++) {
		PGresult *res = PQprepare(s->conn, stmt_name((enum stmt)i), stmt_sql[i], 0, NULL);
		bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

		if (!ok)
			db_error(s, res);
		PQclear(res);
		if (!ok)
			return false;
	}
	return true;
}

/* Run a prepared statement; NULL (error set) unless it gives want. */
static PGresult *run(struct store *s, enum stmt st, int n, const char *const *params,
		     ExecStatusType want)
{
	PGresult *res = PQexecPrepared(s->conn, stmt_name(st), n, params, NULL, NULL, 0);

	if (PQresultStatus(res) == want)
		return res;
	db_error(s, res);
	PQclear(res);
	return NULL;
}

/* Run an upsert returning (id, inserted). */
static bool upsert(struct store *s, enum stmt st, int n, const char *const *params, int *id,
		   bool *inserted)
{
	PGresult *res = run(s, st, n, params, PGRES_TUPLES_OK);

	if (res == NULL)
		return false;
	*id = atoi(PQgetvalue(res, 0, 0));
	*inserted = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	return true;
}

static void count(struct store *s, bool inserted)
{
	if (inserted)
		s->sum->inserted++;
	else
		s->sum->updated++;
}

static const char *num(int v, char *buf, size_t n)
{
	snprintf(buf, n, "%d", v);
	return buf;
}

/* Make the links of owner (stmt S_*_STATIONS/AREAS/CONTESTS) exactly ids. */
static bool set_links(struct store *s, enum stmt st, int owner, const int *ids, size_t n)
{
	char owner_text[16], *arr = malloc(n * 12 + 3);
	const char *params[2];
	size_t len = 0;
	PGresult *res;

	if (arr == NULL) {
		seterr(s, "out of memory");
		return false;
	}
	arr[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(arr + len, 13, i ? ",%d" : "%d", ids[i]);
	arr[len++] = '}';
	arr[len] = '\0';
	params[0] = num(owner, owner_text, sizeof(owner_text));
	params[1] = arr;
	res = run(s, st, 2, params, PGRES_COMMAND_OK);
	free(arr);
	PQclear(res);
	return res != NULL;
}

/* ---- lookups -------------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct id_entry *)a)->key, ((const struct id_entry *)b)->key);
}

/* Load "SELECT key, id ... WHERE election_id = $1" into s->map. */
static bool load_map(struct store *s, const char *sql)
{
	const char *params[1] = { s->eid };
	int rows;

	s->map_res = PQexecParams(s->conn, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(s->map_res) != PGRES_TUPLES_OK) {
		db_error(s, s->map_res);
		return false;
	}
	rows = PQntuples(s->map_res);
	s->map = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*s->map));
	if (s->map == NULL) {
		seterr(s, "out of memory");
		return false;
	}
	for (int i = 0; i < rows; i++) {
		s->map[i].key = PQgetvalue(s->map_res, i, 0);
		s->map[i].id = atoi(PQgetvalue(s->map_res, i, 1));
	}
	s->n_map = (size_t)rows;
	qsort(s->map, s->n_map, sizeof(*s->map), entry_cmp);
	return true;
}

static int map_find(const struct store *s, const char *key)
{
	struct id_entry want = { .key = key };
	const struct id_entry *e = bsearch(&want, s->map, s->n_map, sizeof(*s->map), entry_cmp);

	return e != NULL ? e->id : -1;
}

/*
 * Resolve every key of list through s->map into ids (list->n entries,
 * caller frees).  Unknown keys are bad-row errors "unknown WHAT "key"HINT";
 * *bad is set when there was one.  NULL only when out of memory.
 */
static int *resolve_keys(struct store *s, const struct registry_list *list, const char *what,
			 const char *hint, bool *bad)
{
	int *ids = malloc((list->n ? list->n : 1) * sizeof(*ids));

	if (ids == NULL) {
		seterr(s, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < list->n; i++) {
		ids[i] = map_find(s, list->items[i]);
		if (ids[i] >= 0)
			continue;
		*bad = true;
		if (!row_error(s, "unknown %s \"%s\"%s", what, list->items[i], hint)) {
			free(ids);
			return NULL;
		}
	}
	return ids;
}

static bool load_areas(struct store *s)
{
	const char *params[1] = { s->eid };
	int rows;

	s->area_res = PQexecParams(
		s->conn,
		"SELECT id, COALESCE(parent_id, 0), sawt.fold_name(name) FROM sawt.areas"
		" WHERE election_id = $1",
		1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(s->area_res) != PGRES_TUPLES_OK) {
		db_error(s, s->area_res);
		return false;
	}
	rows = PQntuples(s->area_res);
	s->areas = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*s->areas));
	if (s->areas == NULL) {
		seterr(s, "out of memory");
		return false;
	}
	for (int i = 0; i < rows; i++) {
		s->areas[i].id = atoi(PQgetvalue(s->area_res, i, 0));
		s->areas[i].parent = atoi(PQgetvalue(s->area_res, i, 1));
		s->areas[i].folded = PQgetvalue(s->area_res, i, 2);
	}
	s->n_areas = (size_t)rows;
	return true;
}

/*
 * name folded the way area names are matched (sawt.fold_name(): hamzas,
 * ة/ه, accents, case, punctuation), into buf; false after a database error.
 */
static bool fold_name(struct store *s, const char *name, char *buf, size_t n)
{
	const char *params[1] = { name };
	PGresult *res =
		PQexecParams(s->conn, "SELECT sawt.fold_name($1)", 1, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;

	if (ok)
		snprintf(buf, n, "%s", PQgetvalue(res, 0, 0));
	else
		db_error(s, res);
	PQclear(res);
	return ok;
}

/* The area called name under parent (-1: anywhere), names compared
 * folded; *n gets the matches, -2 after a database error. */
static int find_area(struct store *s, const char *name, int parent, size_t *n)
{
	char folded[1024];
	int id = -1;

	*n = 0;
	if (!fold_name(s, name, folded, sizeof(folded)))
		return -2;
	for (size_t i = 0; i < s->n_areas; i++) {
		if ((parent >= 0 && s->areas[i].parent != parent) ||
		    strcmp(s->areas[i].folded, folded) != 0)
			continue;
		id = s->areas[i].id;
		(*n)++;
	}
	return id;
}

/* Walk "Region/District" (or "Region > District") from the roots; -2
 * after a database error. */
static int resolve_path(struct store *s, const char *ref)
{
	char buf[1024], *save = NULL, *part;
	int parent = 0;
	size_t n;

	snprintf(buf, sizeof(buf), "%s", ref);
	for (part = strtok_r(buf, "/>", &save); part != NULL; part = strtok_r(NULL, "/>", &save)) {
		char *end = part + strlen(part);

		while (*part == ' ' || *part == '\t')
			part++;
		while (end > part && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		parent = find_area(s, part, parent, &n);
		if (parent == -2)
			return -2;
		if (n != 1)
			return -1;
	}
	return parent > 0 ? parent : -1;
}

/* An area reference of a person: a unique name, else a path. */
static int resolve_area(struct store *s, const char *ref, bool *bad)
{
	size_t n;
	int id = find_area(s, ref, -1, &n);

	if (id == -2)
		return -1;
	if (n == 1)
		return id;
	if (n == 0 && strpbrk(ref, "/>") != NULL && (id = resolve_path(s, ref)) != -1)
		return id == -2 ? -1 : id;
	*bad = true;
	if (n > 1)
		return row_error(s,
				 "area \"%s\" is ambiguous: several areas have that name; "
				 "write it as \"Region/District\"",
				 ref)
			       ? 0
			       : -1;
	return row_error(s, "unknown area \"%s\"", ref) ? 0 : -1;
}

/* ---- stations ------------------------------------------------------- */

/* The id of area name under parent (0: a region), created if missing. */
static int area_id(struct store *s, int parent, const char *name, int depth)
{
	char parent_text[16], depth_text[16];
	const char *params[4];
	bool inserted;
	int id;

	for (size_t i = 0; i < s->n_cache; i++)
		if (s->cache[i].parent == parent && strcmp(s->cache[i].name, name) == 0)
			return s->cache[i].id;
	params[0] = s->eid;
	params[1] = parent > 0 ? num(parent, parent_text, sizeof(parent_text)) : NULL;
	params[2] = name;
	params[3] = num(depth, depth_text, sizeof(depth_text));
	if (!upsert(s, S_AREA, 4, params, &id, &inserted))
		return -1;
	if (inserted)
		s->sum->areas_inserted++;
	if (!array_grow(&s->cache, &s->cap_cache, s->n_cache + 1, sizeof(*s->cache)))
		goto oom;
	s->cache[s->n_cache] = (struct area_cache){ parent, id, strdup(name) };
	if (s->cache[s->n_cache].name == NULL)
		goto oom;
	s->n_cache++;
	return id;
oom:
	seterr(s, "out of memory");
	return -1;
}

static bool write_station(struct store *s, const struct registry_station *st)
{
	char area_text[16], reg[16], women[16];
	const char *params[7];
	bool bad = false, inserted, ok = false;
	int *contests, area, id;

	contests = resolve_keys(s, &st->contests, "contest", " (import contests first)", &bad);
	if (contests == NULL)
		return false;
	if (bad) {
		free(contests);
		return true; /* a bad row: keep checking the others */
	}
	area = area_id(s, 0, st->region, 1);
	if (area > 0 && st->district != NULL)
		area = area_id(s, area, st->district, 2);
	if (area <= 0)
		goto done;
	params[0] = s->eid;
	params[1] = st->code;
	params[2] = st->name;
	params[3] = num(area, area_text, sizeof(area_text));
	params[4] = st->centre;
	params[5] = num(st->registered, reg, sizeof(reg));
	params[6] = num(st->registered_women, women, sizeof(women));
	if (!upsert(s, S_STATION, 7, params, &id, &inserted) ||
	    !set_links(s, S_STATION_CONTESTS, id, contests, st->contests.n))
		goto done;
	count(s, inserted);
	ok = true;
done:
	free(contests);
	return ok;
}

static bool write_stations(struct store *s)
{
	size_t n;
	const struct registry_station *rows = registry_import_stations(s->imp, &n);

	if (!load_map(s, "SELECT code, id FROM sawt.contests WHERE election_id = $1"))
		return false;
	for (size_t i = 0; i < n; i++) {
		s->line = rows[i].line;
		if (!write_station(s, &rows[i]))
			return false;
	}
	s->line = 0;
	return true;
}

/* ---- contests ------------------------------------------------------- */

static bool write_candidate(struct store *s, const struct registry_candidate *c,
			    struct contest_seen *seen, size_t *n_seen)
{
	char id_text[16], pos_text[16];
	const char *params[3];
	struct contest_seen *k = NULL;
	bool inserted;
	int id;

	for (size_t i = 0; i < *n_seen && k == NULL; i++)
		if (strcmp(seen[i].code, c->contest) == 0)
			k = &seen[i];
	if (k == NULL) {
		params[0] = s->eid;
		params[1] = c->contest;
		params[2] = c->contest_name;
		k = &seen[(*n_seen)++];
		*k = (struct contest_seen){ .code = c->contest };
		if (!upsert(s, S_CONTEST, 3, params, &k->id, &inserted))
			return false;
		if (inserted)
			s->sum->groups_inserted++;
		else
			s->sum->groups_updated++;
	}
	if (c->position > k->top)
		k->top = c->position;
	params[0] = num(k->id, id_text, sizeof(id_text));
	params[1] = num(c->position, pos_text, sizeof(pos_text));
	params[2] = c->name;
	if (!upsert(s, S_CANDIDATE, 3, params, &id, &inserted))
		return false;
	count(s, inserted);
	return true;
}

/* Drop candidates past each contest's last position in the file. */
static bool trim_contests(struct store *s, const struct contest_seen *seen, size_t n)
{
	char id_text[16], top_text[16];
	const char *params[2];
	PGresult *res;

	for (size_t i = 0; i < n; i++) {
		params[0] = num(seen[i].id, id_text, sizeof(id_text));
		params[1] = num(seen[i].top, top_text, sizeof(top_text));
		res = run(s, S_CANDIDATES_TRIM, 2, params, PGRES_COMMAND_OK);
		if (res == NULL)
			return false;
		PQclear(res);
	}
	return true;
}

static bool write_contests(struct store *s)
{
	size_t n, n_seen = 0;
	const struct registry_candidate *rows = registry_import_candidates(s->imp, &n);
	struct contest_seen *seen = calloc(n ? n : 1, sizeof(*seen));
	bool ok = false;

	if (seen == NULL) {
		seterr(s, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		s->line = rows[i].line;
		if (!write_candidate(s, &rows[i], seen, &n_seen))
			goto done;
	}
	s->line = 0;
	ok = trim_contests(s, seen, n_seen);
done:
	free(seen);
	return ok;
}

/* ---- people --------------------------------------------------------- */

/* Resolve a person's areas into ids (caller frees); NULL when out of memory. */
static int *resolve_areas(struct store *s, const struct registry_list *areas, bool *bad)
{
	int *ids = malloc((areas->n ? areas->n : 1) * sizeof(*ids));

	if (ids == NULL) {
		seterr(s, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < areas->n; i++) {
		ids[i] = resolve_area(s, areas->items[i], bad);
		if (ids[i] < 0) {
			free(ids);
			return NULL;
		}
	}
	return ids;
}

static bool write_person(struct store *s, const struct registry_person *p)
{
	const char *params[7];
	bool bad = false, inserted, ok = false;
	int *stations, *areas = NULL, id;

	stations = resolve_keys(s, &p->stations, "station", " (import stations first)", &bad);
	if (stations == NULL || (areas = resolve_areas(s, &p->areas, &bad)) == NULL)
		goto done;
	if (bad) {
		ok = true; /* a bad row: keep checking the others */
		goto done;
	}
	params[0] = s->eid;
	params[1] = p->phone;
	params[2] = p->name;
	params[3] = registry_role_name(p->role);
	params[4] = p->language;
	params[5] = p->pin_hash;
	params[6] = p->pseudonym;
	if (!upsert(s, S_PERSON, 7, params, &id, &inserted) ||
	    !set_links(s, S_PERSON_STATIONS, id, stations, p->stations.n) ||
	    !set_links(s, S_PERSON_AREAS, id, areas, p->areas.n))
		goto done;
	count(s, inserted);
	ok = true;
done:
	free(stations);
	free(areas);
	return ok;
}

static bool write_people(struct store *s)
{
	size_t n;
	const struct registry_person *rows = registry_import_people(s->imp, &n);

	if (!load_map(s, "SELECT code, id FROM sawt.stations WHERE election_id = $1") ||
	    !load_areas(s))
		return false;
	for (size_t i = 0; i < n; i++) {
		s->line = rows[i].line;
		if (!write_person(s, &rows[i]))
			return false;
	}
	s->line = 0;
	return true;
}

/* ---- incident codes ------------------------------------------------- */

static bool write_incident_codes(struct store *s)
{
	size_t n;
	const struct registry_incident_code *rows = registry_import_incident_codes(s->imp, &n);
	char code[16];
	const char *params[6];
	bool inserted;
	int id;

	for (size_t i = 0; i < n; i++) {
		s->line = rows[i].line;
		params[0] = s->eid;
		params[1] = num(rows[i].code, code, sizeof(code));
		params[2] = registry_severity_name(rows[i].severity);
		params[3] = rows[i].name_en;
		params[4] = rows[i].name_ar;
		params[5] = rows[i].name_fr;
		if (!upsert(s, S_INCIDENT, 6, params, &id, &inserted))
			return false;
		count(s, inserted);
	}
	s->line = 0;
	return true;
}

/* ---- the transaction ------------------------------------------------ */

static bool election(struct store *s, const struct store_import_options *opt)
{
	const char *params[2];
	PGresult *res;

	params[0] = opt != NULL && opt->election != NULL ? opt->election : CONFIG_DEFAULT_ELECTION;
	params[1] = opt != NULL && opt->country_code != NULL && opt->country_code[0] != '\0'
			    ? opt->country_code
			    : NULL;
	res = run(s, S_ELECTION, 2, params, PGRES_TUPLES_OK);
	if (res == NULL)
		return false;
	snprintf(s->eid, sizeof(s->eid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

static bool write_rows(struct store *s)
{
	switch (registry_import_kind(s->imp)) {
	case REGISTRY_STATIONS: return write_stations(s);
	case REGISTRY_CONTESTS: return write_contests(s);
	case REGISTRY_PEOPLE: return write_people(s);
	case REGISTRY_INCIDENT_CODES: return write_incident_codes(s);
	}
	seterr(s, "unknown kind of import");
	return false;
}

static bool connect_db(struct store *s, const char *conninfo)
{
	s->conn = db_connect_blocking(conninfo, s->err, s->errlen);
	return s->conn != NULL;
}

static void store_release(struct store *s)
{
	for (size_t i = 0; i < s->n_cache; i++)
		free(s->cache[i].name);
	free(s->cache);
	free(s->map);
	free(s->areas);
	PQclear(s->map_res);
	PQclear(s->area_res);
	PQfinish(s->conn);
}

enum store_import_result store_import_run(const char *conninfo, struct registry_import *imp,
					  const struct store_import_options *opt,
					  struct store_import_summary *sum, char *err,
					  size_t errlen)
{
	struct store s = { .imp = imp, .sum = sum, .err = err, .errlen = errlen };
	enum store_import_result result = STORE_IMPORT_FAILED;

	memset(sum, 0, sizeof(*sum));
	err[0] = '\0';
	/* bad rows alone: the good ones are still checked against the
	 * database (and rolled back), so both kinds are listed at once */
	if (registry_import_n_errors(imp) > 0 && !registry_import_rows_checkable(imp))
		return STORE_IMPORT_BAD_ROWS;
	sum->rows = registry_import_n_rows(imp);
	if (!connect_db(&s, conninfo))
		goto done;
	if (!exec_simple(&s, "BEGIN") || !prepare_all(&s) || !election(&s, opt) || !write_rows(&s))
		goto rollback;
	if (registry_import_n_errors(imp) > 0) {
		result = STORE_IMPORT_BAD_ROWS;
		goto rollback;
	}
	if (exec_simple(&s, opt != NULL && opt->dry_run ? "ROLLBACK" : "COMMIT"))
		result = STORE_IMPORT_OK;
	goto done;
rollback:
	PQclear(PQexec(s.conn, "ROLLBACK"));
done:
	store_release(&s);
	return result;
}
