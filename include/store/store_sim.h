/*
 * store_sim.h - the queries of "sawt simulate".
 *
 * Blocking libpq (CLI code).  The simulation writes messages into the
 * dummy phone of a running sawtd and then reads back what sawtd made of
 * them: the inbound rows of its senders (to know when everything has been
 * processed) and the analytics views (to compare with the figures it
 * generated).  The messages of one simulation are recognised by their
 * senders and the span of their SMSC times, so an earlier run in the same
 * database does not disturb the count.
 *
 * The analytics figures come back as (key, value) pairs with the keys of
 * simgen_expected() (include/simgen.h); a NULL in a view is reported with
 * isnull set.
 */
#ifndef SAWT_STORE_SIM_H
#define SAWT_STORE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct store_sim;

/* What sawtd has made of the simulation's messages so far. */
struct store_sim_progress {
	long long stored;         /* inbound rows */
	long long rejected;       /* ... with an error code */
	long long ignored;        /* ... not processed (rate limit, ...) */
	long long resends;        /* reports flagged resend */
	long long flagged_time;   /* reports flagged early or late */
	long long out_of_order;   /* reports flagged out_of_order (sent before the current one) */
	long long replies;        /* replies queued for them */
	long long replies_sent;   /* ... in state sent or delivered */
	long long replies_failed; /* ... in state failed */
	double first_received;    /* Unix time of the first received_at; 0: none */
	double last_received;
	double last_processed; /* the latest processed_at */
};

/*
 * Connect to conninfo.  On failure return NULL with one line in err:
 * "could not connect to the database: ...".
 */
struct store_sim *store_sim_new(const char *conninfo, char *err, size_t errlen) SAWT_MUST_CHECK;

/* Close the connection; NULL is a no-op. */
void store_sim_free(struct store_sim *s);

/*
 * The offset from UTC, in seconds, of time zone tz (a tz database name)
 * at local time deadline ("YYYY-MM-DD HH:MM", NULL: now), as PostgreSQL
 * computes it (sawtd asks the same).  False with a message in err.
 */
bool store_sim_utc_offset(struct store_sim *s, const char *tz, const char *deadline, long *offset,
			  char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Look for the inbound row of the message sender sent at SMSC time smsc.
 * *found: the row exists; *known: its sender was recognised as a
 * registered person.  False with a message in err.
 */
bool store_sim_probe(struct store_sim *s, const char *sender, int64_t smsc, bool *found,
		     bool *known, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Count what became of the messages from senders (n E.164 numbers) with
 * SMSC times in [from, to] (Unix seconds) into *out.  False with a
 * message in err.
 */
bool store_sim_progress(struct store_sim *s, const char *const *senders, size_t n, int64_t from,
			int64_t to, struct store_sim_progress *out, char *err,
			size_t errlen) SAWT_MUST_CHECK;

typedef void (*store_sim_fact_cb)(const char *key, long long value, bool isnull, void *arg);

/*
 * Read the figures of election from the analytics views and call fn for
 * each (keys as in simgen_expected(): whole election and regions of
 * area_turnout, results, the election's reporting_progress, every
 * station's turnout, the number of incidents).  All in one snapshot.
 * False with a message in err.
 */
bool store_sim_facts(struct store_sim *s, const char *election, store_sim_fact_cb fn, void *arg,
		     char *err, size_t errlen) SAWT_MUST_CHECK;

#endif
