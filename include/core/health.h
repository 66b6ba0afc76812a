/*
 * health.h - whether sawtd is healthy, and why not: the verdict and the
 * JSON that GET /healthz answers (200 when healthy, 503 when not).
 *
 * The daemon gathers what it knows (the database connection, the spool,
 * the modems, other senders such as Kannel, the outbox backlog) into a
 * struct health_input; health_report() decides and writes
 *
 *   {"status": "ok" | "fail",
 *    "reasons": ["..."],        why it fails (empty when ok)
 *    "warnings": ["..."],       what is wrong without failing
 *    "database": {"ok", "state", "connections_ready", "connections"},
 *    "spool": {"ok", "messages", "oldest_age_s", "free_bytes",
 *              "total_bytes", "low", "refusing", "held_on_source"},
 *    "modems": [{"name", "ok", "state", "send", "receive",
 *                "signal_percent", "last_error"}],
 *    "senders": [{"name", "ok", "state", "detail"}],
 *    "outbox": {"ok", "known", "queued", "sending", "oldest_due_age_s",
 *               "checked_age_s"}}
 *
 * Unhealthy (503) when:
 *   - the database connection is not ready (messages are being spooled);
 *   - the oldest spooled message has waited longer than spool_age_max_s
 *     (the database is up but the spool does not drain);
 *   - messages are being refused: neither stored nor spooled (the
 *     spool's disk is full or failing); they stay with their sources;
 *   - nothing can send replies: no modem that sends is ready and no
 *     other sender is up, or none is configured;
 *   - the outbox is known and its oldest message due for sending has
 *     waited longer than outbox_age_max_s.
 * A modem down while another can send, write connections down while the
 * main one is up, the spool's filesystem below spool_warn_free, and
 * messages still held on their sources after the refusals ended are
 * warnings.
 *
 * Pure: no I/O, no clock (ages are given), no allocation.
 */
#ifndef SAWT_HEALTH_H
#define SAWT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define HEALTH_SPOOL_AGE_MAX_S 300  /* default spool_age_max_s */
#define HEALTH_OUTBOX_AGE_MAX_S 600 /* default outbox_age_max_s */

struct health_modem {
	const char *name;
	const char *state; /* "ready", "down", ... */
	bool up;           /* ready: open and on a network */
	bool send;         /* the outbox sends through it */
	bool receive;
	int signal_percent;     /* -1 unknown */
	const char *last_error; /* "" none */
};

/* A way out besides the modems (Kannel's sendsms). */
struct health_sender {
	const char *name;   /* "kannel" */
	bool up;            /* takes messages now */
	const char *state;  /* its own word for it: "up", "down", "probing" */
	const char *detail; /* "" or one line: the last error */
};

struct health_input {
	/* the database (the main connection; the write connections) */
	bool db_ready;
	const char *db_state; /* "ready", "backoff", ... */
	unsigned db_connections_ready, db_connections;
	/* the spool, its filesystem, and the messages it could not take */
	size_t spool_messages;
	int64_t spool_oldest_age_s; /* -1: empty or unknown */
	int64_t spool_free_bytes;   /* -1: unknown */
	int64_t spool_total_bytes;  /* -1: unknown */
	bool spool_low;             /* free space below spool_warn_free */
	bool refusing;              /* messages neither stored nor spooled now */
	size_t held_on_source;      /* refused messages waiting on their sources */
	/* the modems and the other senders */
	const struct health_modem *modems;
	size_t n_modems;
	const struct health_sender *senders;
	size_t n_senders;
	/* the outbox, as last counted (shared by every node) */
	bool outbox_known; /* counted since the database was last ready */
	uint64_t outbox_queued, outbox_sending;
	int64_t outbox_oldest_due_age_s; /* -1: none due */
	int64_t outbox_checked_age_s;    /* since it was counted */
	/* limits; 0: the defaults above */
	int64_t spool_age_max_s;
	int64_t outbox_age_max_s;
};

/*
 * Decide whether in is healthy (*healthy) and write the JSON object above,
 * NUL-terminated, into buf (cap bytes; 4096 holds a few dozen modems).
 * Returns false when it does not fit (buf then holds an unspecified
 * prefix; *healthy is set all the same).
 */
bool health_report(const struct health_input *in, char *buf, size_t cap,
		   bool *healthy) SAWT_MUST_CHECK;

#endif
