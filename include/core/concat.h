/*
 * concat.h - putting concatenated (multipart) SMS back together.
 *
 * Parts of one message share its sender, reference and part count; they
 * may arrive in any order, twice, or never.  An assembler keeps the parts
 * of each message (a group) until every part is there or its wait has run
 * out, then hands the message over once, its text joined in part order,
 * with the number of parts that never came.
 *
 * Pure: no I/O, no clock of its own (every time is a monotonic value in
 * milliseconds given by the caller), no transport types.  The caller's
 * storage location of each part (a modem's folder, location and memory) is
 * carried along as a struct concat_loc and handed back with the message,
 * so the caller can delete the parts once the message is safe; duplicate
 * parts' locations are handed back too.
 *
 * Messages are handed over through the ready callback, from inside
 * concat_add() (the last part arrived, or the oldest group made room for a
 * new one) or concat_expire() (the wait ran out).
 */
#ifndef SAWT_CONCAT_H
#define SAWT_CONCAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbound.h"
#include "log.h"

#define CONCAT_PARTS_MAX 255 /* parts of one message (a UDH byte) */
#define CONCAT_SENDER_MAX INBOUND_SENDER_MAX

/* Where the caller keeps a part; copied, never interpreted. */
struct concat_loc {
	int folder;
	int location;
	int memory;
};

/* One part as received. */
struct concat_part {
	const char *sender;    /* as received, NUL-terminated */
	int ref;               /* the message's reference */
	int part;              /* 1 .. total */
	int total;             /* 2 .. CONCAT_PARTS_MAX */
	int64_t smsc_time;     /* Unix seconds; 0 unknown */
	const uint16_t *units; /* its text, UTF-16 units */
	size_t n_units;
	const struct concat_loc *loc; /* NULL: not stored by the caller */
};

/* A message put together; valid only during the ready callback. */
struct concat_message {
	const char *sender;
	int ref;
	int total;                     /* parts it has */
	int missing;                   /* of which never arrived */
	int64_t smsc_time;             /* the first part's, else the earliest known */
	const uint16_t *units;         /* the parts that came, in order */
	size_t n_units;                /* at most max_units: the rest is cut */
	bool cut;                      /* the parts held more than max_units */
	const struct concat_loc *locs; /* stored parts in order, then duplicates */
	size_t n_locs;
};

/* Called once per message handed over. */
typedef void (*concat_ready_fn)(void *arg, const struct concat_message *msg);

struct concat_options {
	int64_t wait_ms;   /* longest wait for the missing parts */
	size_t max_groups; /* messages assembled at once, >= 1 */
	size_t max_units;  /* longest text handed over, >= 1 */
};

enum concat_result {
	CONCAT_HELD = 0,  /* a new part kept until the others come */
	CONCAT_COMPLETE,  /* it was the last: the message was handed over */
	CONCAT_DUPLICATE, /* that part was there: only its location is kept */
	CONCAT_REFUSED,   /* not a valid part, or out of memory: nothing kept */
};

struct concat;

/*
 * A new, empty assembler with options opt (copied) that hands messages to
 * ready(arg, msg).  NULL when out of memory.
 */
struct concat *concat_new(const struct concat_options *opt, concat_ready_fn ready,
			  void *arg) SAWT_MUST_CHECK;

/* Free c and the parts it holds, handing nothing over; NULL is a no-op. */
void concat_free(struct concat *c);

/*
 * Add part p (copied) received at now.  A part with a new sender,
 * reference and part count starts a group; when max_groups are already
 * being assembled, the oldest is handed over first, incomplete.  The part
 * that completes its group has the message handed over before this
 * returns.  A part seen before keeps only its location (when it has one).
 */
enum concat_result concat_add(struct concat *c, const struct concat_part *p,
			      int64_t now) SAWT_MUST_CHECK;

/* Hand over, incomplete, every group whose wait has run out at now. */
void concat_expire(struct concat *c, int64_t now);

/*
 * When the next wait runs out: true and *at set, or false when no group
 * is being assembled.
 */
bool concat_next_due(const struct concat *c, int64_t *at) SAWT_MUST_CHECK;

/* Groups being assembled. */
size_t concat_pending(const struct concat *c);

/* "held", "complete", "duplicate", "refused". */
const char *concat_result_name(enum concat_result r);

#endif
