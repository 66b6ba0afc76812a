/*
 * outbox.h - draining sawt.outbox over the senders: the modems, and one
 * other sender (Kannel's sendsms, src/transport/kannel.c), or both.
 *
 * Queued rows are claimed with FOR UPDATE SKIP LOCKED (so several sawtd
 * nodes can share one database), most urgent first (priority 0 alerts,
 * 1 error replies, 2 confirmations), as many as the senders have room
 * for; each claimed row is handed to exactly one sender, round robin over
 * the healthy modems and the other sender.  The claim is the only way to
 * a sender, and each outcome names the sender (and node) it is about, so
 * a row is sent once whichever sender takes it.  A row goes
 *   queued -> sending -> sent -> delivered
 * or back to queued with a later next_attempt_at after a failure (at most
 * OUTBOX_MAX_ATTEMPTS attempts, then failed with the sender's error), or
 * to failed at once when the sender says it can never go.  Rows left in
 * sending by a modem that went down, or for longer than OUTBOX_STUCK_SEC,
 * are queued again for any sender.  sawt.outbox.via records which kind of
 * sender took the current attempt (migrations/0014_kannel.sql).
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
	OUTBOX_KIND_BROADCAST, /* sawt broadcast (docs/broadcasts.md) */
	OUTBOX_KINDS,
};

/* What one attempt came to, for counting. */
enum outbox_result {
	OUTBOX_RESULT_SENT,     /* taken by the modem or the other sender */
	OUTBOX_RESULT_RETRY,    /* refused for now: queued again after a backoff */
	OUTBOX_RESULT_LOST,     /* unknown whether it went: queued again at once */
	OUTBOX_RESULT_FAILED,   /* refused or lost at the last attempt: failed */
	OUTBOX_RESULT_REJECTED, /* refused for good by the sender: failed at once */
	OUTBOX_RESULTS,
};

#define OUTBOX_VIA_MODEM 0  /* the modems */
#define OUTBOX_VIA_SENDER 1 /* the other sender (outbox_set_sender()) */
#define OUTBOX_VIAS 2

struct outbox_stats {
	uint64_t claimed;         /* rows handed to a sender */
	uint64_t sent;            /* of those, taken by a modem or the other sender */
	uint64_t failed_attempts; /* refused or lost, queued again (or failed at the last) */
	uint64_t rejected;        /* refused for good: failed at once */
	uint64_t delivered;       /* modems' delivery reports of delivery */
	uint64_t not_delivered;   /* modems' delivery reports of failure */
	uint64_t sender_claimed;  /* of claimed, handed to the other sender */
	uint64_t sender_sent;     /* of sent, by the other sender */
	/* attempts by sender (OUTBOX_VIA_*), kind of message and result */
	uint64_t results[OUTBOX_VIAS][OUTBOX_KINDS][OUTBOX_RESULTS];
	char sender_via[16]; /* the other sender's via ("kannel"); "" none */
};

/* What became of a row handed to the other sender. */
enum outbox_outcome {
	OUTBOX_SENT,     /* the sender took it */
	OUTBOX_RETRY,    /* refused for now: queued again after a backoff */
	OUTBOX_REJECTED, /* it can never go: failed now */
	OUTBOX_LOST,     /* unknown whether it went: queued again at once */
};

/*
 * A sender besides the modems.  room() says how many rows it would take
 * now; send() takes one (true: exactly one outbox_on_sender_result()
 * later, never from inside send(); false: it did not take it).  via is
 * the sender's kind as recorded in sawt.outbox.via ("kannel").
 */
struct outbox_sender {
	const char *via;
	unsigned (*room)(void *ctx);
	bool (*send)(void *ctx, uint64_t id, const char *to, const char *body);
	void *ctx;
};

/* "reply", "alert", "status", "manual". */
const char *outbox_kind_name(enum outbox_kind kind);

/* "sent", "retry", "lost", "failed", "rejected". */
const char *outbox_result_name(enum outbox_result result);

/*
 * Create the sender for node (this machine's name, recorded on claimed
 * rows).  db and mgr are not owned.  NULL when out of memory.
 */
struct outbox *outbox_new(struct event_base *base, struct db *db, struct modem_mgr *mgr,
			  const char *node) SAWT_MUST_CHECK;

/* Set the modem manager (when it is created after the outbox); NULL:
 * the modems send nothing (replies leave through the other sender). */
void outbox_set_modems(struct outbox *ob, struct modem_mgr *mgr);

/* Add the other sender (*s is copied; its ctx is not owned); NULL
 * removes it. */
void outbox_set_sender(struct outbox *ob, const struct outbox_sender *s);

/* Free; NULL is a no-op.  Rows being sent stay in sending and are
 * recovered by the stuck-row rule. */
void outbox_free(struct outbox *ob);

/* Start or pause claiming (database ready or not). */
void outbox_set_db_ready(struct outbox *ob, bool ready);

/* Something was queued: claim soon rather than at the next tick. */
void outbox_kick(struct outbox *ob);

/* Stop claiming (shutdown); sends already handed out still complete. */
void outbox_stop(struct outbox *ob);

/* Rows handed to senders whose outcome is not recorded yet. */
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

/*
 * The other sender's outcome for row id: sent; retry (a backoff of 30 s
 * doubling, failed after OUTBOX_MAX_ATTEMPTS); rejected (failed now); lost
 * (queued again at once, also bounded by OUTBOX_MAX_ATTEMPTS).  error is
 * recorded on the row (NULL or "" for none).  An outcome about a row that
 * is no longer this node's attempt through the other sender changes
 * nothing.
 */
void outbox_on_sender_result(struct outbox *ob, uint64_t id, enum outbox_outcome outcome,
			     const char *error);

void outbox_get_stats(const struct outbox *ob, struct outbox_stats *out);

#endif
