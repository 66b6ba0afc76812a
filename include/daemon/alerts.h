/*
 * alerts.h - sawtd's alerts to coordinators (issue 17; docs/alerts.md).
 *
 * Passes.  Each pass is one query, sawt.alert_work()
 * (migrations/0015_alerts.sql), and at most one write, sawt.alert_apply().
 * The query returns the reports stored since the last pass (a trigger on
 * sawt.reports queues each one in the transaction that stores it), the
 * alerts other parts of sawt stored (sender_flood) and the batches whose
 * time is up; on a tick (every [alerts] tick_seconds) also the stations
 * missing a report whose deadline has passed, the critical alerts due for
 * escalation, the modems and the outbox, after resolving the alerts whose
 * missing reports came.  The rules, routing, dedup, rate limit and texts
 * are decided in memory by the core (alert.h, alert_route.h,
 * alert_engine.h, alert_text.h), and the write records all of it: the
 * alerts, their recipients, their SMS (sawt.outbox, priority 0), the
 * reports looked at.  A pass runs soon after alerts_kick() (a batch of
 * messages committed), coalesced, and on every tick: no query per message
 * and one per tick.
 *
 * One node dispatches.  sawt.alert_work() returns nothing to a session
 * that does not hold the election's advisory lock; the node that takes it
 * reads the dedup window, rate limits, held alerts and open batches back
 * from the database first.  A failed write is logged, and the next pass
 * reads them back again, so memory never drifts from the database.
 *
 * The clock.  Times are the wall clock, plus, for tests only, the number
 * of seconds written in the file named by the environment variable
 * SAWT_TEST_CLOCK_FILE (read at each pass), so a test moves time instead
 * of sleeping.
 */
#ifndef SAWT_ALERTS_H
#define SAWT_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "config.h"
#include "log.h"

struct event_base;
struct db;
struct registry;
struct intake;
struct alerts;

/* What became of alerts, by rule, since start (for metrics). */
enum alerts_outcome {
	ALERTS_OPENED = 0, /* stored and sent (or held) */
	ALERTS_DUPLICATE,  /* a repeat within the dedup window: stored only */
	ALERTS_BATCHED,    /* a serious incident added to its area's batch */
	ALERTS_ESCALATED,
	ALERTS_RESOLVED,
};
#define ALERTS_OUTCOMES 5

struct alerts_stats {
	uint64_t by_rule[ALERT_RULE_COUNT][ALERTS_OUTCOMES];
	uint64_t sms_queued; /* alert SMS put in the outbox (digests included) */
	uint64_t held;       /* copies held back by a rate limit */
	uint64_t digests;    /* digests sent */
	uint64_t released;   /* held copies sent alone later */
	uint64_t reports;    /* reports looked at */
	uint64_t passes;
	uint64_t failures; /* passes whose query or write failed */
	bool leader;       /* this node dispatches */
};

/* Called after a pass queued alert SMS in sawt.outbox. */
typedef void (*alerts_queued_cb)(void *arg);

/*
 * Create the module over db and the registry cache reg (neither owned),
 * for cfg's election, [alerts] and polls (read now); intake (may be NULL)
 * tells the spool's depth; node names this sawtd (copied; may be NULL).
 * Nothing is read before alerts_set_db_ready(true).  NULL when out of
 * memory.
 */
struct alerts *alerts_new(struct event_base *base, struct db *db, struct registry *reg,
			  struct intake *intake, const struct config *cfg, const char *node,
			  alerts_queued_cb queued, void *arg) SAWT_MUST_CHECK;

/*
 * Free; NULL is a no-op.  Callbacks of queries in flight must not run
 * afterwards: free it once alerts_in_flight() is 0, or before db_free()
 * without running the loop again.
 */
void alerts_free(struct alerts *al);

/*
 * SIGHUP: use cfg's [alerts] (copied) from now on.  Applied at once, or
 * when the pass under way ends; the engine's state is read back from the
 * database.  polls_open/close and the language need a restart.
 */
void alerts_reconfigure(struct alerts *al, const struct config *cfg);

/* The database is connected (a pass starts soon) or not. */
void alerts_set_db_ready(struct alerts *al, bool ready);

/* Reports were stored: pass soon. */
void alerts_kick(struct alerts *al);

/* Graceful stop: no new pass; the one under way completes. */
void alerts_stop(struct alerts *al);

/* Queries of this module in flight. */
unsigned alerts_in_flight(const struct alerts *al);

void alerts_get_stats(const struct alerts *al, struct alerts_stats *out);

#endif
