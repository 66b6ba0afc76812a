/*
 * outbox.h - draining sawt.outbox over the modems.
 *
 * Queued rows are claimed with FOR UPDATE SKIP LOCKED (so several sawtd
 * nodes can share one database), most urgent first (priority 0 alerts,
 * 1 error replies, 2 confirmations), as many as the healthy modems have
 * room for; each is handed to a modem, round robin.  A row goes
 *   queued -> sending -> sent -> delivered
 * or back to queued with a later next_attempt_at after a failure (at most
 * OUTBOX_MAX_ATTEMPTS attempts, then failed with the modem's error).  Rows
 * left in sending by a modem that went down, or for longer than
 * OUTBOX_STUCK_SEC, are queued again for another modem.
 */
#ifndef SAWT_OUTBOX_H
#define SAWT_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "modem.h"
#include "log.h"

#define OUTBOX_MAX_ATTEMPTS 5
#define OUTBOX_STUCK_SEC 120

struct event_base;
struct db;
struct outbox;

/* sawt.outbox.kind */
enum outbox_kind {
	OUTBOX_KIND_REPLY,
	OUTBOX_KIND_ALERT,
	OUTBOX_KIND_STATUS,
	OUTBOX_KIND_MANUAL,
	OUTBOX_KINDS,
};

/* What one attempt came to. */
enum outbox_result {
	OUTBOX_RESULT_SENT,   /* handed to the network */
	OUTBOX_RESULT_RETRY,  /* refused: queued again after a backoff */
	OUTBOX_RESULT_LOST,   /* unknown whether it went: queued again at once */
	OUTBOX_RESULT_FAILED, /* refused or lost at the last attempt: failed */
	OUTBOX_RESULTS,
};

#define OUTBOX_VIA_MODEM 0 /* the only sender so far */
#define OUTBOX_VIAS 1

struct outbox_stats {
	uint64_t claimed;
	uint64_t sent;
	uint64_t failed_attempts;
	uint64_t delivered;     /* delivery reports: delivered */
	uint64_t not_delivered; /* delivery reports: failed */
	/* attempts by sender, kind of message and result */
	uint64_t results[OUTBOX_VIAS][OUTBOX_KINDS][OUTBOX_RESULTS];
};

/* "reply", "alert", "status", "manual". */
const char *outbox_kind_name(enum outbox_kind kind);

/* "sent", "retry", "lost", "failed". */
const char *outbox_result_name(enum outbox_result result);

/* "modem". */
const char *outbox_via_name(unsigned via);

/*
 * Create the sender for node (this machine's name, recorded on claimed
 * rows).  db and mgr are not owned.  NULL when out of memory.
 */
struct outbox *outbox_new(struct event_base *base, struct db *db, struct modem_mgr *mgr,
			  const char *node) SAWT_MUST_CHECK;

/* Set the modem manager (when it is created after the outbox). */
void outbox_set_modems(struct outbox *ob, struct modem_mgr *mgr);

/* Free; NULL is a no-op.  Rows being sent stay in sending and are
 * recovered by the stuck-row rule. */
void outbox_free(struct outbox *ob);

/* Start or pause claiming (database ready or not). */
void outbox_set_db_ready(struct outbox *ob, bool ready);

/* Something was queued: claim soon rather than at the next tick. */
void outbox_kick(struct outbox *ob);

/* Stop claiming (shutdown); sends already handed out still complete. */
void outbox_stop(struct outbox *ob);

/* Rows handed to modems whose outcome is not recorded yet. */
unsigned outbox_in_flight(const struct outbox *ob);

/*
 * Modem callbacks, forwarded by the daemon.  outbox_on_sent(): a row sent
 * becomes 'sent'; one the modem refused is retried after a backoff (30 s,
 * doubling) and 'failed' after OUTBOX_MAX_ATTEMPTS; one lost with its
 * worker is queued again at once for any healthy modem (also bounded by
 * OUTBOX_MAX_ATTEMPTS), since the modem did not say it was wrong.
 */
void outbox_on_sent(struct outbox *ob, const char *modem, uint64_t id,
		    enum modem_send_outcome outcome, int parts, int reference, const char *error);
void outbox_on_delivery(struct outbox *ob, const char *modem, int reference,
			enum frame_delivery status, const char *recipient);
void outbox_on_modem_status(struct outbox *ob, const struct modem_status *st);

void outbox_get_stats(const struct outbox *ob, struct outbox_stats *out);

#endif
