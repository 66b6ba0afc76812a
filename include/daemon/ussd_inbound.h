/*
 * ussd_inbound.h - the route /ussd: observers' USSD sessions from an
 * aggregator (Africa's Talking's callback convention; docs/ussd.md).
 *
 * Each request is decoded by core/ussd_request.c and run through the menu
 * (core/ussd_menu.h) against the registry snapshot the pipeline keeps.
 * The answer is text/plain, "CON screen" or "END screen":
 *
 *   200 CON/END   a screen; a confirmed report (or the record of an
 *                 unknown caller) is answered END only once it is durable
 *                 (committed, or spooled with fsync), as /sms/inbound
 *   400, one line the request is malformed
 *   503           the registry is not loaded yet, or the report could be
 *                 neither committed nor spooled
 *
 * "Last report" reads the caller's latest report from the database (one
 * query on db); while the database is down it answers that it cannot
 * check now.
 *
 * A confirmed report goes through the intake and the pipeline as the v1
 * SMS it stands for (transport ussd, source "ussd"), with a dedup key made
 * of the session id and the inputs up to the confirmation: a replayed
 * final request is stored once.
 *
 * Sessions live in memory, keyed by session id: the caller's phone, the
 * PINs already judged (as SHA-256 digests, never in clear) and when it was
 * last active.  They are bounded ([ussd] max_sessions: a new session over
 * the limit gets a "busy" END) and expire after [ussd] session_timeout
 * seconds idle; a request with input for a session sawtd does not know
 * (expired, or sawtd restarted) gets an "expired" END.  Wrong PINs typed
 * in the menu count towards a per-phone lock with the SMS rules (sender.h:
 * three in ten minutes lock the PIN for thirty).
 */
#ifndef SAWT_USSD_INBOUND_H
#define SAWT_USSD_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "http_server.h"
#include "intake.h"
#include "log.h"
#include "pipeline.h"
#include "ussd.h"

struct event_base;
struct ussd_inbound;

struct ussd_inbound_stats {
	uint64_t requests;                   /* answered 200 */
	uint64_t submitted;                  /* reports made durable */
	uint64_t unknown;                    /* unknown callers recorded */
	uint64_t failed;                     /* answered 503 */
	uint64_t expired;                    /* answered "expired" */
	uint64_t busy;                       /* answered "busy" */
	uint64_t rejected[USSD_ERROR_COUNT]; /* answered 400, by reason */
	size_t sessions;                     /* open now */
	size_t pending;                      /* waiting for the intake or the database now */
};

/* Called after a report is committed (replies and alerts may be due). */
typedef void (*ussd_inbound_committed_fn)(void *arg);

/*
 * A handler over intake, pl and db (not owned; db answers "last report"),
 * configured by cfg's [ussd]
 * and [election] (read now; strings copied); committed(arg) after each
 * commit.  NULL when out of memory.
 */
struct ussd_inbound *ussd_inbound_new(struct event_base *base, struct intake *intake,
				      struct pipeline *pl, struct db *db, const struct config *cfg,
				      ussd_inbound_committed_fn committed,
				      void *arg) SAWT_MUST_CHECK;

/* Serve /ussd on srv (secret required).  False if it could not. */
bool ussd_inbound_route(struct ussd_inbound *ui, struct http_server *srv) SAWT_MUST_CHECK;

void ussd_inbound_stats(const struct ussd_inbound *ui, struct ussd_inbound_stats *out);

/*
 * Free, with every session; NULL is a no-op.  Reports still with the
 * intake stay there but are no longer answered: call it before
 * http_server_free().
 */
void ussd_inbound_free(struct ussd_inbound *ui);

#endif
