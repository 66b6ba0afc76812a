/*
 * reminders.c - running the due reminders; see reminders.h.
 */
#include "reminders.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static const char run_sql[] =
	"SELECT reminder_id, broadcast_id, COALESCE(recipients, 0), COALESCE(copies, 0)"
	" FROM sawt.reminders_run($1, $2)";

struct reminders {
	struct db *db;
	struct event *ev_tick;
	char *election;
	char *node;
	bool db_ready;
	bool running; /* a query is out */
	bool stopped;
};

static void run_cb(const struct db_result *res, void *arg)
{
	struct reminders *rm = arg;

	rm->running = false;
	if (!db_result_ok(res)) {
		/* 08006: the connection went; the next tick tries again */
		if (strcmp(db_result_sqlstate(res), "08006") != 0)
			log_error("could not run the scheduled reminders: %s",
				  db_result_error(res));
		return;
	}
	for (int i = 0; i < db_result_rows(res); i++) {
		const char *bc = db_result_value(res, i, 1);
		if (bc[0] == '\0')
			log_info(
				"reminder %s: nobody to remind (every station concerned has reported)",
				db_result_value(res, i, 0));
		else
			log_info(
				"reminder %s sent: broadcast %s, %s recipient(s) and %s coordinator "
				"copy(ies)",
				db_result_value(res, i, 0), bc, db_result_value(res, i, 2),
				db_result_value(res, i, 3));
	}
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reminders *rm = arg;
	const char *p[] = { rm->election, rm->node };

	(void)fd;
	(void)what;
	if (rm->stopped || !rm->db_ready || rm->running)
		return;
	if (db_query(rm->db, run_sql, 2, p, run_cb, rm))
		rm->running = true;
	else
		log_error("could not queue the scheduled reminders: out of memory");
}

struct reminders *reminders_new(struct event_base *base, struct db *db, const struct config *cfg,
				const char *node)
{
	struct reminders *rm = calloc(1, sizeof(*rm));
	struct timeval tick = { REMINDERS_TICK_SEC, 0 };

	if (rm == NULL)
		return NULL;
	rm->db = db;
	rm->election = strdup(config_election(cfg));
	rm->node = strdup(node);
	rm->ev_tick = event_new(base, -1, EV_PERSIST, tick_cb, rm);
	if (rm->election == NULL || rm->node == NULL || rm->ev_tick == NULL ||
	    event_add(rm->ev_tick, &tick) != 0)
		goto fail;
	return rm;
fail:
	reminders_free(rm);
	return NULL;
}

void reminders_free(struct reminders *rm)
{
	if (rm == NULL)
		return;
	if (rm->ev_tick)
		event_free(rm->ev_tick);
	free(rm->election);
	free(rm->node);
	free(rm);
}

void reminders_set_db_ready(struct reminders *rm, bool ready)
{
	rm->db_ready = ready;
	if (ready)
		tick_cb(-1, 0, rm); /* a reminder due while the database was away goes now */
}

void reminders_stop(struct reminders *rm)
{
	rm->stopped = true;
	event_del(rm->ev_tick);
}

unsigned reminders_in_flight(const struct reminders *rm)
{
	return rm->running ? 1 : 0;
}
