/*
 * control.h - the operator's requests to the running sawtd: `sawt unmute
 * PHONE` and `sawt reprocess` (migrations/0013_operator.sql).
 *
 * The CLI inserts a row into sawt.operator_requests and NOTIFYs
 * CONTROL_CHANNEL in the same transaction.  This module, owned by the
 * pipeline, LISTENs on that channel (again after every reconnection), and
 * on each notification, at start and after a reconnection it looks at the
 * requests:
 *
 *   - unmute: every sawtd applies each unmute it has not applied yet, at
 *     the time it was asked (sender_unmute(): a mute that started later
 *     stays), and marks it done (node, done_at) if no other node has;
 *     unmutes of the last day are read, so one asked while the connection
 *     was down is applied when it is back.  A restarted sawtd reads them
 *     back in order with the messages (pipeline.c's restore, which then
 *     tells control_unmutes_seen()), so the mute does not come back;
 *   - reprocess: one sawtd claims the oldest pending request (FOR UPDATE
 *     SKIP LOCKED; a claim older than five minutes, or its own, may be
 *     taken again), reads the eligible messages (sawt.reprocessable, of the
 *     request's sender or all) 200 at a time in id order, hands each to
 *     pipeline_reprocess(), and when none is left records done_at and how
 *     many it reprocessed.  A page that could not be stored (the database
 *     went away) stops the run; it starts again from the first eligible
 *     message on the next notification or reconnection.  The store decides
 *     each message once whatever runs race (ingest_batch locks its row).
 *
 * Unmutes and reprocessing go separately: an unmute is applied at once
 * even while a long reprocess request runs; a notification that comes
 * during a reprocess request's run starts the next request after it.
 */
#ifndef SAWT_CONTROL_H
#define SAWT_CONTROL_H

#include <stdbool.h>

#include "db.h"
#include "log.h"

#define CONTROL_CHANNEL "sawt_control"
#define CONTROL_PAGE 200

struct pipeline;
struct control;

/* A control over db (lane 0 of pl; neither owned).  NULL when out of memory. */
struct control *control_new(struct db *db, struct pipeline *pl) SAWT_MUST_CHECK;

/* Queue the LISTEN and a first look at the requests; once (the pipeline
 * calls it when the sender read-back is over).  Until then notifications
 * and state changes are ignored. */
void control_start(struct control *ctl);

/* From now on, start nothing: messages still in the pipeline only count
 * down.  NULL is a no-op. */
void control_stop(struct control *ctl);

/* Free; queries in flight are detached.  NULL is a no-op. */
void control_free(struct control *ctl);

/* The unmutes up to id were applied by the sender read-back at start
 * (pipeline.c): look at later ones only.  NULL is a no-op. */
void control_unmutes_seen(struct control *ctl, long long id);

/* The db's state (READY: LISTEN again and look) and notifications. */
void control_on_db_state(struct control *ctl, enum db_state state);
void control_on_notify(struct control *ctl, const char *channel, const char *payload);

#endif
