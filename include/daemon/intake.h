/*
 * intake.h - where every transport hands over a received message, and the
 * rule that decides when the transport may acknowledge it.
 *
 * A message is acknowledged to its source (deleted from the SIM, HTTP 200)
 * only once it is durable:
 *   - committed by the pipeline (report, tally and reply in one
 *     transaction), or
 *   - written to the spool with fsync, when the database is unreachable or
 *     failed the message.
 * While the spool holds messages, new ones are spooled too, so the
 * database sees them in arrival order; when the database is ready the
 * spool is replayed oldest first and each file is removed after its
 * commit.  The dedup key makes a replay of an already committed message
 * harmless.
 *
 * A message that can be neither committed nor spooled (the spool's disk is
 * full, say, while the database is down) is refused (INTAKE_FAILED): it
 * stays with its source, which offers it again — a modem worker after a
 * backoff or at once when the intake's room hook fires, an HTTP client
 * when it retries after its 503.  Offered again it takes the same path as
 * any message, and its dedup key keeps it from being counted twice.  The
 * first refusal logs one error, the next durable message one line with how
 * many were refused; the spool's free space is watched (statvfs) and a
 * warning logged, once, below spool_warn_free.
 */
#ifndef SAWT_INTAKE_H
#define SAWT_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbound.h"
#include "log.h"

struct event_base;
struct pipeline;
struct intake;

enum intake_result {
	INTAKE_COMMITTED, /* in the database */
	INTAKE_SPOOLED,   /* on disk, will be replayed */
	INTAKE_FAILED,    /* neither: do NOT acknowledge; offer it again later */
};

/* Called once per submitted message, possibly before intake_submit returns. */
typedef void (*intake_ack_cb)(void *arg, enum intake_result result);

#define INTAKE_TRANSPORTS 4 /* by enum inbound_transport; 0: any other */

struct intake_stats {
	uint64_t submitted;
	uint64_t committed;
	uint64_t spooled;
	uint64_t replayed;
	uint64_t failed;   /* offers refused (INTAKE_FAILED) */
	uint64_t episodes; /* refusal episodes that ended */
	size_t spool_depth;
	/* submitted messages by transport and enum intake_result */
	uint64_t results[INTAKE_TRANSPORTS][3];
	int64_t spool_oldest_ms;   /* when the oldest spooled message was written
				    * (Unix ms); 0: none */
	bool refusing;             /* refused, and nothing durable since */
	size_t held_on_source;     /* refused messages waiting on their sources
				    * (the held hook; 0 without one) */
	int64_t spool_free_bytes;  /* free space for the spool; -1 unknown */
	int64_t spool_total_bytes; /* size of its filesystem; -1 unknown */
	bool spool_low;            /* free space below spool_warn_free */
};

/* Warn when the spool's filesystem has less than this share free, unless
 * configured otherwise. */
#define INTAKE_SPOOL_WARN_PCT_DEFAULT 10

struct intake_hooks {
	/* Messages refused earlier may be taken now (the database is back,
	 * the spool shrank or its disk has room, a message was made durable
	 * again): the transports should offer them at once.  May be NULL. */
	void (*room)(void *arg);
	/* How many refused messages wait on their sources (for the stats and
	 * the log).  May be NULL. */
	size_t (*held)(void *arg);
	void *arg;
};

/*
 * Create the intake over pipeline with its spool in spool_dir (created if
 * missing; leftovers from a previous run are replayed).  The pipeline is
 * not owned.  NULL with err set on failure.
 */
struct intake *intake_new(struct event_base *base, struct pipeline *pl, const char *spool_dir,
			  char *err, size_t errlen) SAWT_MUST_CHECK;

/* Free; NULL is a no-op.  Spooled files stay for the next run. */
void intake_free(struct intake *in);

/*
 * Hand over msg (copied).  ack(arg, ...) is called exactly once when the
 * message is durable, or with INTAKE_FAILED when it could be neither
 * committed nor spooled.
 */
void intake_submit(struct intake *in, const struct inbound *msg, intake_ack_cb ack, void *arg);

/* Tell the intake whether the database is usable (from the db state
 * callback); becoming ready starts the replay of the spool. */
void intake_set_db_ready(struct intake *in, bool ready);

/* Set the hooks (copied). */
void intake_set_hooks(struct intake *in, const struct intake_hooks *hooks);

/*
 * Warn when the spool's filesystem has less than bytes free, or, when pct
 * is not 0, less than pct percent of its size ([sawt] spool_warn_free).
 */
void intake_set_spool_warn(struct intake *in, uint64_t bytes, unsigned pct);

/* Messages accepted but not yet acknowledged. */
size_t intake_in_flight(const struct intake *in);

/* The counters, the spool's depth, the age of its oldest message (one
 * stat() when the spool is not empty) and its free space (as last
 * checked: after each spooled message and every few seconds), and the
 * messages held on sources. */
void intake_stats(const struct intake *in, struct intake_stats *out);

#endif
