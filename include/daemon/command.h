/*
 * command.h - answering coordinators: STATUS [area] and ACK <alert id>
 * (fr ETAT / OK, ar وضع / تم; DESIGN.md section 4).
 *
 * The pipeline validates a coordinator's STATUS or ACK and stores it in
 * sawt.inbound_messages with state 'received' and no reply.  This module
 * finds those rows (in pages, oldest first), re-parses each stored text
 * (parse_message is pure and cheap) and answers:
 *
 *   STATUS        the coordinator's assigned areas together (the whole
 *                 election when none is assigned): stations, stations
 *                 with a turnout figure, turnout %, women's share %, open
 *                 incidents, computed from the same helper views as
 *                 analytics.area_turnout and analytics.incidents;
 *   STATUS area   the area of that name (folded with sawt.fold_name(),
 *                 optionally qualified by its parent: "North/Centre"),
 *                 if the coordinator may see it (it lies in one of their
 *                 areas, or they have none); else status_unknown_area;
 *   ACK n         alert n of the coordinator's election, visible to them
 *                 (its station or area lies in one of their areas, it has
 *                 neither, it was sent to them, or they have no area):
 *                 acknowledged_at/by set, which stops its escalation,
 *                 unless already set, reply ack; else ack_unknown_alert.
 *
 * Replies are in the coordinator's registered language, else the
 * message's (reply_lang()), rendered with reply_render().
 *
 * Exactly once.  The reply is queued in sawt.outbox by the same statement
 * that moves the row from 'received' to 'processed' (and, for ACK, that
 * acknowledges the alert), guarded by state = 'received': a retry, a
 * restart or another sawtd node on the same database never queues a
 * second reply.  A message whose answer fails is logged, counted and left
 * 'received' for the next pass; nothing stops the module.
 *
 * Passes run after command_kick() (coalesced: one pass at a time, another
 * right after it if kicked meanwhile), when the database (re)connects and
 * every COMMAND_TICK_SEC seconds, so rows left by a restart or by another
 * node are answered too.
 */
#ifndef SAWT_COMMAND_H
#define SAWT_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "log.h"

#define COMMAND_TICK_SEC 10
#define COMMAND_PAGE 32 /* rows read and answered at a time */

struct event_base;
struct db;
struct command;

struct command_stats {
	uint64_t status_answered; /* STATUS replies queued (unknown area included) */
	uint64_t ack_answered;    /* ACK replies queued (unknown alert included) */
	uint64_t review_answered; /* VERIFY and QUAR replies queued (refusals included) */
	uint64_t refused;         /* sender no longer a coordinator: not_coordinator */
	uint64_t failures;        /* answers that failed; the row stays 'received' */
	uint64_t passes;          /* passes over the 'received' rows */
};

/* Called after a reply has been queued in sawt.outbox. */
typedef void (*command_queued_cb)(void *arg);

/*
 * Create the module over db (not owned) for cfg's election and default
 * language (read now).  queued (may be NULL) is called with arg after each
 * reply queued.  Nothing is read before command_set_db_ready(true).
 * Returns NULL when out of memory or when the tick timer cannot start.
 */
struct command *command_new(struct event_base *base, struct db *db, const struct config *cfg,
			    command_queued_cb queued, void *arg) SAWT_MUST_CHECK;

/*
 * Free the module; NULL is a no-op.  Callbacks of queries still in flight
 * must not run afterwards: free it once command_in_flight() is 0, or
 * without running the loop again before db_free() (which drops them).
 */
void command_free(struct command *cmd);

/* The database is connected (true: a pass starts soon) or not. */
void command_set_db_ready(struct command *cmd, bool ready);

/* Something may wait for an answer (a batch committed): pass soon. */
void command_kick(struct command *cmd);

/* Graceful stop: no new pass or page is started; answers already under
 * way complete. */
void command_stop(struct command *cmd);

/* Queries of this module in flight. */
unsigned command_in_flight(const struct command *cmd);

void command_get_stats(const struct command *cmd, struct command_stats *out);

#endif
