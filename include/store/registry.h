/*
 * registry.h - the registry cache of sawtd: the election's stations,
 * people, contests and incident codes in memory (a struct regsnap), kept
 * fresh from PostgreSQL so that validating a message costs no database
 * round trip.
 *
 * Loading.  One query reads the whole registry of the configured election
 * (one statement, so one consistent snapshot) into a new regsnap built off
 * to the side; when it is complete it replaces the current one.  A failed
 * load keeps the current snapshot and is retried.  The election row is
 * created when it does not exist yet, so reports always have one.
 *
 * Freshness.  The registry tables NOTIFY 'sawt_registry' on every change
 * (migrations/0002_registry.sql).  The cache LISTENs on that channel on
 * every (re)connection and reloads after a notification, coalescing bursts
 * (an import sends several): at most one reload per REGISTRY_COALESCE_MS,
 * never two at once.  After a reconnection it reloads too, since changes
 * may have been missed meanwhile.
 *
 * The db has one state callback and one notify callback, owned by whoever
 * created it (sawtd); that owner forwards them with registry_on_db_state()
 * and registry_on_notify() (pipeline.h has wrappers).
 *
 * The election clock (validate.h) comes with it: polls_open and
 * results_deadline from the configuration, and the UTC offset of [election]
 * timezone asked from PostgreSQL (which knows every tz database name), or
 * of the system's time zone when none is configured.
 */
#ifndef SAWT_REGISTRY_H
#define SAWT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "regsnap.h"
#include "validate.h"

#define REGISTRY_CHANNEL "sawt_registry"
#define REGISTRY_COALESCE_MS 200
#define REGISTRY_RETRY_MS 2000

struct event_base;
struct registry;

/* Called after each new snapshot is installed. */
typedef void (*registry_loaded_cb)(void *arg);

struct registry_stats {
	uint64_t loads;      /* snapshots installed */
	uint64_t failures;   /* loads that failed */
	double last_load_ms; /* time the last load took */
	size_t stations;
	size_t people;
	size_t dropped; /* rows of the last load that did not resolve */
};

/*
 * Create the cache for cfg's election over db (neither owned; cfg's
 * strings are copied).  Nothing is queued until registry_start().
 * Returns NULL when out of memory or when cfg->results_deadline cannot be
 * read.
 */
struct registry *registry_new(struct event_base *base, struct db *db,
			      const struct config *cfg) SAWT_MUST_CHECK;

/*
 * Free the cache and its snapshot; NULL is a no-op.  Queries still in
 * flight are detached (their results are dropped when they arrive).
 */
void registry_free(struct registry *reg);

/* Queue LISTEN and the first load (they go out when the db connects). */
void registry_start(struct registry *reg);

/* Forward the db's state changes: READY re-LISTENs and reloads. */
void registry_on_db_state(struct registry *reg, enum db_state state);

/* Forward the db's notifications; other channels are ignored. */
void registry_on_notify(struct registry *reg, const char *channel, const char *payload);

/* Schedule a reload (coalesced with any already scheduled). */
void registry_reload(struct registry *reg);

/* The current snapshot, or NULL before the first load completed.  Valid
 * until control returns to the event loop. */
struct regsnap *registry_current(struct registry *reg);

/* The election's id (0 before the first load). */
int registry_election_id(const struct registry *reg);

/* The election clock. */
const struct validate_clock *registry_clock(const struct registry *reg);

void registry_set_loaded_cb(struct registry *reg, registry_loaded_cb cb, void *arg);

void registry_stats(const struct registry *reg, struct registry_stats *out);

/* True while a load or LISTEN is waiting for the database. */
bool registry_busy(const struct registry *reg);

#endif
