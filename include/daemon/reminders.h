/*
 * reminders.h - sending the scheduled reminders (docs/broadcasts.md,
 * issue 19).
 *
 * A reminder is a broadcast saved with a time of day (`sawt broadcast --at
 * HH:MM`, table sawt.reminders).  Every REMINDERS_TICK_SEC this module asks
 * the database to run the reminders that are due (sawt.reminders_run): each
 * is claimed for the day, so it goes out once a day whichever node gets
 * there first and whatever restarts; its recipients are chosen at that
 * moment, so a station that has reported since it was scheduled is left
 * out.  Messages go through the outbox like any broadcast.
 */
#ifndef SAWT_REMINDERS_H
#define SAWT_REMINDERS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "log.h"

#define REMINDERS_TICK_SEC 15

struct event_base;
struct db;
struct reminders;

/*
 * Create the module for cfg's election on db as node (both copied).
 * Nothing runs until reminders_set_db_ready(true).  NULL when out of memory.
 */
struct reminders *reminders_new(struct event_base *base, struct db *db, const struct config *cfg,
				const char *node) SAWT_MUST_CHECK;

/* Free; NULL is a no-op. */
void reminders_free(struct reminders *rm);

/* The database is usable (or not): run due reminders from now on. */
void reminders_set_db_ready(struct reminders *rm, bool ready);

/* Stop running reminders (sawtd is stopping). */
void reminders_stop(struct reminders *rm);

/* 1 while a run is out to the database (sawtd waits for it when stopping). */
unsigned reminders_in_flight(const struct reminders *rm);

#endif
