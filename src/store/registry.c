/*
 * registry.c - the registry cache; see registry.h.
 *
 * A load is two queries queued back to back: the election time zone's UTC
 * offset (only when [election] timezone is set), then the registry itself,
 * as one UNION ALL whose first column says what each row is.  Each query's
 * callback gets a struct load that points back at the registry; freeing
 * the registry while they are in flight only clears that pointer.
 */
#include "registry.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "parse.h"

struct load {
	struct registry *reg; /* NULL: detached */
	struct regsnap *snap;
	bool tz_pending;  /* the offset query has not answered yet */
	bool load_queued; /* the registry query holds this load */
	bool tz_ok;
	long utc_offset;
	bool failed;
	int election_id;
	double started_ms;
};

struct listen_req {
	struct registry *reg; /* NULL: detached */
};

struct registry {
	struct event_base *base;
	struct db *db;
	char *election;
	char *timezone; /* NULL: the system's */
	char *deadline;
	int polls_open;
	struct regsnap *snap;
	int election_id;
	struct validate_clock clock;
	struct event *ev_reload;
	struct load *loading;         /* the load in flight, or NULL */
	bool reload_again;            /* a change was announced during the load */
	struct listen_req *listening; /* the LISTEN in flight, or NULL */
	registry_loaded_cb loaded_cb;
	void *loaded_arg;
	struct registry_stats stats;
};

static const char load_sql[] =
	"WITH ins AS (INSERT INTO sawt.elections (name) SELECT $1 WHERE NOT EXISTS"
	" (SELECT 1 FROM sawt.elections WHERE name = $1) ON CONFLICT (name) DO NOTHING"
	" RETURNING id),"
	" e AS (SELECT id FROM ins UNION ALL SELECT id FROM sawt.elections WHERE name = $1)"
	" SELECT 'e', id, NULL::int, NULL::int, NULL::int, NULL::text, NULL::text,"
	"  NULL::text, NULL::text, NULL::text FROM e"
	" UNION ALL SELECT 'a', a.id, COALESCE(a.parent_id, 0), NULL, NULL, a.name, NULL,"
	"  NULL, NULL, NULL FROM sawt.areas a JOIN e ON a.election_id = e.id"
	" UNION ALL SELECT 'c', c.id, (SELECT count(*) FROM sawt.candidates k"
	"  WHERE k.contest_id = c.id)::int, NULL, NULL, c.code, NULL, NULL, NULL, NULL"
	"  FROM sawt.contests c JOIN e ON c.election_id = e.id"
	" UNION ALL SELECT 's', s.id, s.area_id, s.registered, s.registered_women, s.code,"
	"  NULL, NULL, NULL, NULL FROM sawt.stations s JOIN e ON s.election_id = e.id"
	" UNION ALL SELECT 'x', sc.station_id, sc.contest_id, NULL, NULL, NULL, NULL, NULL,"
	"  NULL, NULL FROM sawt.station_contests sc"
	"  JOIN sawt.stations s ON s.id = sc.station_id JOIN e ON s.election_id = e.id"
	" UNION ALL SELECT 'p', p.id, NULL, NULL, NULL, p.phone, p.name, p.role,"
	"  p.language, p.pin_hash FROM sawt.people p JOIN e ON p.election_id = e.id"
	"  WHERE p.role IN ('observer', 'coordinator')" /* not the page's operator */
	" UNION ALL SELECT 'q', ps.person_id, ps.station_id, NULL, NULL, NULL, NULL, NULL,"
	"  NULL, NULL FROM sawt.person_stations ps"
	"  JOIN sawt.people p ON p.id = ps.person_id JOIN e ON p.election_id = e.id"
	" UNION ALL SELECT 'r', pa.person_id, pa.area_id, NULL, NULL, NULL, NULL, NULL,"
	"  NULL, NULL FROM sawt.person_areas pa"
	"  JOIN sawt.people p ON p.id = pa.person_id JOIN e ON p.election_id = e.id"
	" UNION ALL SELECT 'i', ic.code, NULL, NULL, NULL, ic.severity, ic.name_ar, ic.name_en,"
	"  ic.name_fr, NULL FROM sawt.incident_codes ic JOIN e ON ic.election_id = e.id"
	" UNION ALL SELECT 'k', k.version, NULL, NULL, NULL, k.code, k.definition, NULL, NULL,"
	"  NULL FROM sawt.checklist_current k JOIN e ON k.election_id = e.id"
	" UNION ALL SELECT 'm', ca.station_id, NULL, NULL, NULL, ca.form,"
	"  string_agg(ca.question, ' '), NULL, NULL, NULL FROM sawt.checklist_answers ca"
	"  JOIN e ON ca.election_id = e.id GROUP BY ca.station_id, ca.form";

/* The offset of time zone $1 from UTC, in seconds, at the local time $2
 * (the results deadline) or now. */
static const char tz_sql[] =
	"SELECT EXTRACT(EPOCH FROM (d - ((d AT TIME ZONE $1) AT TIME ZONE 'UTC')))::bigint"
	" FROM (SELECT COALESCE($2::timestamp, now() AT TIME ZONE $1) AS d) x";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The system time zone's offset at the deadline (local time), or now. */
static long system_offset(const char *deadline)
{
	struct tm tm;
	time_t t = time(NULL);

	memset(&tm, 0, sizeof(tm));
	if (deadline != NULL && sscanf(deadline, "%d-%d-%d%*c%d:%d", &tm.tm_year, &tm.tm_mon,
				       &tm.tm_mday, &tm.tm_hour, &tm.tm_min) == 5) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

static void reload_cb(evutil_socket_t fd, short what, void *arg);

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct registry *registry_new(struct event_base *base, struct db *db, const struct config *cfg)
{
	struct registry *reg = calloc(1, sizeof(*reg));

	if (reg == NULL)
		return NULL;
	reg->base = base;
	reg->db = db;
	reg->polls_open = cfg->polls_open;
	reg->election = strdup(config_election(cfg));
	reg->timezone = dup_or_null(cfg->timezone);
	reg->deadline = dup_or_null(cfg->results_deadline);
	reg->ev_reload = evtimer_new(base, reload_cb, reg);
	if (reg->election == NULL || reg->ev_reload == NULL || (cfg->timezone && !reg->timezone) ||
	    (cfg->results_deadline && !reg->deadline))
		goto fail;
	if (!validate_clock_init(&reg->clock, reg->polls_open, reg->deadline,
				 reg->timezone ? 0 : system_offset(reg->deadline))) {
		log_error("cannot read results_deadline \"%s\"", reg->deadline);
		goto fail;
	}
	return reg;
fail:
	registry_free(reg);
	return NULL;
}

void registry_free(struct registry *reg)
{
	if (reg == NULL)
		return;
	if (reg->loading)
		reg->loading->reg = NULL;
	if (reg->listening)
		reg->listening->reg = NULL;
	if (reg->ev_reload)
		event_free(reg->ev_reload);
	regsnap_free(reg->snap);
	free(reg->election);
	free(reg->timezone);
	free(reg->deadline);
	free(reg);
}

/* ---- loading ---- */

static void load_free(struct load *ld)
{
	regsnap_free(ld->snap);
	free(ld);
}

static int ival(const struct db_result *res, int row, int col)
{
	return atoi(db_result_value(res, row, col));
}

static const char *sval(const struct db_result *res, int row, int col)
{
	return db_result_isnull(res, row, col) ? NULL : db_result_value(res, row, col);
}

static int person_lang(const char *code)
{
	enum lang l;

	return code != NULL && lang_parse(code, &l) ? (int)l : -1;
}

static enum registry_severity severity_of(const char *s)
{
	if (strcmp(s, "critical") == 0)
		return REGISTRY_SEVERITY_CRITICAL;
	if (strcmp(s, "serious") == 0)
		return REGISTRY_SEVERITY_SERIOUS;
	return REGISTRY_SEVERITY_INFO;
}

/* Add one row of the load query to ld; false when out of memory. */
static bool load_row(struct load *ld, const struct db_result *res, int r)
{
	struct regsnap *s = ld->snap;
	int a = ival(res, r, 1), b = ival(res, r, 2);

	switch (db_result_value(res, r, 0)[0]) {
	case 'e': ld->election_id = a; return true;
	case 'a': return regsnap_add_area_named(s, a, b, sval(res, r, 5));
	case 'c': return regsnap_add_contest(s, a, sval(res, r, 5), b);
	case 's':
		return regsnap_add_station(s, a, sval(res, r, 5), b, ival(res, r, 3),
					   ival(res, r, 4));
	case 'x': return regsnap_add_station_contest(s, a, b);
	case 'p':
		return regsnap_add_person(s, a, sval(res, r, 5), sval(res, r, 6),
					  strcmp(db_result_value(res, r, 7), "coordinator") == 0
						  ? REGISTRY_ROLE_COORDINATOR
						  : REGISTRY_ROLE_OBSERVER,
					  person_lang(sval(res, r, 8)), sval(res, r, 9));
	case 'q': return regsnap_add_person_station(s, a, b);
	case 'r': return regsnap_add_person_area(s, a, b);
	case 'i': {
		const char *names[LANG_COUNT] = { [LANG_AR] = sval(res, r, 6),
						  [LANG_EN] = sval(res, r, 7),
						  [LANG_FR] = sval(res, r, 8) };

		return regsnap_add_incident_named(s, a, severity_of(db_result_value(res, r, 5)),
						  names);
	}
	case 'k': return regsnap_add_checklist(s, sval(res, r, 5), a, sval(res, r, 6));
	case 'm': return regsnap_add_checklist_answered(s, a, sval(res, r, 5), sval(res, r, 6));
	default: return true;
	}
}

static void schedule(struct registry *reg, int ms)
{
	if (!event_pending(reg->ev_reload, EV_TIMEOUT, NULL))
		db_timer_arm(reg->ev_reload, (unsigned)ms);
}

/* Both queries of ld have answered: install or drop the snapshot. */
static void load_done(struct registry *reg, struct load *ld)
{
	reg->loading = NULL;
	if (ld->failed || ld->election_id == 0 || !regsnap_finish(ld->snap)) {
		reg->stats.failures++;
		if (!ld->failed && ld->election_id == 0)
			/* our INSERT waited for another session creating the
			 * same election (an import) and our snapshot predates it */
			log_info(
				"election \"%s\" is being created by another session; loading the registry again in %d ms",
				reg->election, REGISTRY_RETRY_MS);
		else
			log_warn("could not load the registry; retrying in %d ms",
				 REGISTRY_RETRY_MS);
		schedule(reg, REGISTRY_RETRY_MS);
		load_free(ld);
		return;
	}
	if (ld->tz_ok &&
	    !validate_clock_init(&reg->clock, reg->polls_open, reg->deadline, ld->utc_offset))
		log_warn("cannot read results_deadline \"%s\"", reg->deadline);
	regsnap_free(reg->snap);
	reg->snap = ld->snap;
	ld->snap = NULL;
	reg->election_id = ld->election_id;
	reg->stats.loads++;
	reg->stats.last_load_ms = now_ms() - ld->started_ms;
	reg->stats.stations = regsnap_n_stations(reg->snap);
	reg->stats.people = regsnap_n_people(reg->snap);
	reg->stats.dropped = regsnap_dropped(reg->snap);
	log_info("registry loaded: %zu stations, %zu people (%.0f ms)", reg->stats.stations,
		 reg->stats.people, reg->stats.last_load_ms);
	if (reg->stats.dropped > 0)
		log_warn("registry: %zu assignments or rows did not resolve and were ignored",
			 reg->stats.dropped);
	load_free(ld);
	if (reg->reload_again) {
		reg->reload_again = false;
		schedule(reg, REGISTRY_COALESCE_MS);
	}
	if (reg->loaded_cb)
		reg->loaded_cb(reg->loaded_arg);
}

static void tz_cb(const struct db_result *res, void *arg)
{
	struct load *ld = arg;

	ld->tz_pending = false;
	if (ld->reg == NULL) {
		if (!ld->load_queued)
			load_free(ld);
		return;
	}
	if (db_result_ok(res) && db_result_rows(res) == 1) {
		ld->tz_ok = true;
		ld->utc_offset = strtol(db_result_value(res, 0, 0), NULL, 10);
	} else {
		log_warn("could not get the offset of time zone \"%s\": %s", ld->reg->timezone,
			 db_result_error(res));
	}
}

static void load_cb(const struct db_result *res, void *arg)
{
	struct load *ld = arg;

	if (ld->reg == NULL) {
		load_free(ld);
		return;
	}
	if (!db_result_ok(res)) {
		log_warn("registry query failed: %s", db_result_error(res));
		ld->failed = true;
	}
	for (int r = 0; !ld->failed && r < db_result_rows(res); r++) {
		if (!load_row(ld, res, r)) {
			log_error("out of memory loading the registry");
			ld->failed = true;
		}
	}
	/* the offset query was queued first: it has answered */
	load_done(ld->reg, ld);
}

static void load_start(struct registry *reg)
{
	const char *tz_params[2] = { reg->timezone, reg->deadline };
	const char *params[1] = { reg->election };
	struct load *ld;

	if (reg->loading != NULL) {
		reg->reload_again = true;
		return;
	}
	ld = calloc(1, sizeof(*ld));
	if (ld == NULL || (ld->snap = regsnap_new()) == NULL)
		goto fail;
	ld->reg = reg;
	ld->started_ms = now_ms();
	if (reg->timezone != NULL) {
		ld->tz_pending = true;
		if (!db_query(reg->db, tz_sql, 2, tz_params, tz_cb, ld))
			goto fail;
	}
	if (!db_query(reg->db, load_sql, 1, params, load_cb, ld)) {
		/* the offset query holds ld: detach it rather than free it */
		if (ld->tz_pending) {
			ld->reg = NULL;
			ld = NULL;
		}
		goto fail;
	}
	ld->load_queued = true;
	reg->loading = ld;
	return;
fail:
	if (ld != NULL)
		load_free(ld);
	log_error("could not queue the registry load; retrying in %d ms", REGISTRY_RETRY_MS);
	schedule(reg, REGISTRY_RETRY_MS);
}

static void reload_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	load_start(arg);
}

/* ---- LISTEN and notifications ---- */

static void listen_cb(const struct db_result *res, void *arg)
{
	struct listen_req *lr = arg;
	struct registry *reg = lr->reg;

	free(lr);
	if (reg == NULL)
		return;
	reg->listening = NULL;
	if (!db_result_ok(res))
		log_warn("could not LISTEN %s: %s", REGISTRY_CHANNEL, db_result_error(res));
}

static void listen_start(struct registry *reg)
{
	struct listen_req *lr;

	if (reg->listening != NULL)
		return;
	lr = calloc(1, sizeof(*lr));
	if (lr == NULL)
		return;
	lr->reg = reg;
	if (!db_query(reg->db, "LISTEN " REGISTRY_CHANNEL, 0, NULL, listen_cb, lr)) {
		free(lr);
		return;
	}
	reg->listening = lr;
}

void registry_start(struct registry *reg)
{
	listen_start(reg);
	load_start(reg);
}

void registry_on_db_state(struct registry *reg, enum db_state state)
{
	if (state != DB_STATE_READY)
		return;
	listen_start(reg);
	if (reg->loading == NULL)
		load_start(reg);
}

void registry_on_notify(struct registry *reg, const char *channel, const char *payload)
{
	(void)payload;
	if (strcmp(channel, REGISTRY_CHANNEL) != 0)
		return;
	if (reg->loading != NULL)
		reg->reload_again = true;
	else
		schedule(reg, REGISTRY_COALESCE_MS);
}

void registry_reload(struct registry *reg)
{
	registry_on_notify(reg, REGISTRY_CHANNEL, "");
}

struct regsnap *registry_current(struct registry *reg)
{
	return reg->snap;
}

int registry_election_id(const struct registry *reg)
{
	return reg->election_id;
}

const struct validate_clock *registry_clock(const struct registry *reg)
{
	return &reg->clock;
}

void registry_set_loaded_cb(struct registry *reg, registry_loaded_cb cb, void *arg)
{
	reg->loaded_cb = cb;
	reg->loaded_arg = arg;
}

void registry_stats(const struct registry *reg, struct registry_stats *out)
{
	*out = reg->stats;
}

bool registry_busy(const struct registry *reg)
{
	return reg->loading != NULL || reg->listening != NULL;
}
