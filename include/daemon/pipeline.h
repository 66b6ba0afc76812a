/*
 * pipeline.h - the processing pipeline of sawtd: every inbound message,
 * from any transport, goes
 *
 *   dedup key -> sender checks -> parse -> validate (registry cache)
 *     -> reply rendered -> batch -> ONE transaction (sawt.ingest_batch):
 *        raw message, report, supersede, tally, outbox reply
 *
 * and its caller hears back only once that transaction has committed.
 *
 * Sender checks (DESIGN.md section 3), decided by src/core/decide.c.
 * Every message is recorded, but it is not answered (and not processed)
 * when the sender is one of sawt's own numbers (no_reply_reason
 * own_number) or is not a phone number: letters or a short code of at
 * most 6 digits (non_phone_sender).  A sender that has sent more than
 * rate_max messages within rate_window_s seconds, by send time, is
 * throttled (rate_limited): its messages are processed and counted, only
 * not answered, for mute_s seconds, and one sender_flood alert is raised
 * per sender and day.  Three wrong PINs within ten minutes lock a
 * sender's PIN for thirty minutes; the third wrong PIN is answered with
 * pin_locked, and so is every message needing the PIN while locked.  A
 * message delivered again (same dedup key: a modem that did not get to
 * delete it, a spool replay) counts for neither the rate nor the PIN
 * again.  Rate
 * and PIN state live in memory (sender.h); at start the pipeline reads it
 * back from the messages stored in the last hour (rate-limited ones, PIN
 * errors, right PINs, the operator's unmutes), and messages wait until it
 * has, so a restart neither lifts a lock or a mute nor forgets wrong PINs,
 * nor brings back a mute the operator lifted.  Each sawtd node
 * keeps its own: two nodes sharing a database each count what they see.
 *
 * Group commit (ingest.h).  Messages are collected for at most
 * batch_delay_ms or batch_max messages, then written by one query per
 * batch; while a connection has max_in_flight batches in the database, its
 * next batch keeps growing, so transactions grow with the load.  Writes
 * are spread over `connections` connections (the db given here and others
 * the pipeline opens itself), each station always on the same one, so
 * PostgreSQL works on several cores and a station's reports are still
 * written in arrival order.  A batch never holds two messages with the
 * same dedup key, nor two accepted reports for the same station, form and
 * contest: such a message goes into a later batch, which sees the earlier
 * one committed (so duplicates, resends and supersedes are decided in
 * arrival order).
 *
 * Failures.  A batch lost with its connection fails all its messages
 * (PIPELINE_FAILED: the caller spools them; the dedup key makes a retry
 * safe).  A serialization failure, deadlock or unique violation retries
 * the batch; any other error splits it into single messages, and a message
 * that fails alone is recorded as an inbound row in state 'failed' (error
 * internal_error) without report or reply, so one bad message never
 * blocks the rest.  pipeline_submit() refuses a message while its
 * connection is down.
 *
 * Before the registry cache has loaded and the sender state is read back,
 * messages wait (at most registry_wait_ms, then they fail).
 */
#ifndef SAWT_PIPELINE_H
#define SAWT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "inbound.h"
#include "log.h"

struct event_base;
struct pipeline;
struct registry;

enum pipeline_outcome {
	PIPELINE_COMMITTED = 0, /* durable in PostgreSQL (duplicates too) */
	PIPELINE_FAILED,        /* not stored: spool it and offer it again */
};

/*
 * Called exactly once per accepted message, from the event loop, never
 * from inside pipeline_submit().  It may submit more messages; it must not
 * free the pipeline.
 */
typedef void (*pipeline_done_cb)(void *arg, enum pipeline_outcome outcome);

struct pipeline_options {
	unsigned batch_max;        /* messages per transaction; default 500 */
	unsigned batch_delay_ms;   /* longest wait for more; default 2 */
	unsigned max_in_flight;    /* batches per connection in the database; default 1 */
	unsigned connections;      /* database connections for the writes; default 2 */
	const char *conninfo;      /* for the extra ones (copied); NULL: cfg's */
	unsigned rate_max;         /* messages per sender per window; default 10 (max 60) */
	unsigned rate_window_s;    /* default 60 */
	unsigned mute_s;           /* how long a flooding sender is muted; default 3600 */
	unsigned registry_wait_ms; /* longest wait for the first registry load; 5000 */
	const char *node;          /* recorded on inbound rows (copied); NULL: none */
};

struct pipeline_stats {
	uint64_t received;        /* accepted by pipeline_submit() */
	uint64_t committed;       /* stored (duplicates included) */
	uint64_t duplicates;      /* dedup key already stored */
	uint64_t rejected;        /* stored with an error code */
	uint64_t ignored;         /* recorded, not processed: no_reply_reason */
	uint64_t failed;          /* PIPELINE_FAILED */
	uint64_t internal_errors; /* recorded in state 'failed' */
	uint64_t batches;         /* transactions committed */
	uint64_t batch_messages;  /* messages in them (mean = /batches) */
	uint64_t batch_largest;
	uint64_t retries; /* batches resent or split */
	uint64_t registry_loads;
	size_t pending;           /* accepted, no callback yet */
	size_t in_flight;         /* batches in the database */
	unsigned lanes_ready;     /* write connections up */
	unsigned lanes;           /* write connections in use */
	struct db_stats write_db; /* the write connections the pipeline opened
				   * itself (not the db it was given) */
};

/*
 * What became of one stored message, for counting (/metrics).  outcome:
 *   accepted, accepted_flagged, rejected   a report, as the store decided
 *                                          it (code: its error code);
 *   rejected                               another message with an error
 *                                          code (parse error, unknown_sender,
 *                                          bad_pin, ...);
 *   ignored                                recorded only (code: why, e.g.
 *                                          non_phone_sender, own_number);
 *   command                                STATUS or ACK, answered later;
 *   answered                               HELP and other messages answered
 *                                          without an error;
 *   duplicate                              its dedup key was stored before;
 *   failed                                 recorded as failed (code
 *                                          internal_error).
 * form is the report's form ("turnout", ...) for a new report, else "".
 * code is "" when there is none.  reprocessed: a message stored before,
 * decided again at the operator's request (pipeline_reprocess()).
 * Strings are valid during the call.
 */
struct pipeline_stored {
	uint8_t transport; /* enum inbound_transport */
	bool reprocessed;
	const char *outcome;
	const char *code;
	const char *form;
};

typedef void (*pipeline_stored_fn)(void *arg, const struct pipeline_stored *s);

/* The defaults above. */
void pipeline_options_init(struct pipeline_options *opt);

/*
 * Create the pipeline over db (not owned) for cfg's election (cfg is read
 * now: own numbers, country code, default language, clock, and
 * db_conninfo(cfg) for the extra write connections, which it opens at
 * once).  It creates the registry cache and queues its LISTEN and first
 * load.  Returns NULL when out of memory or when cfg's results_deadline
 * cannot be read.
 */
struct pipeline *pipeline_new(struct event_base *base, struct db *db,
			      const struct config *cfg) SAWT_MUST_CHECK;

/*
 * Replace the options (before submitting: the write connections are
 * reopened).  opt's strings are copied.  False when out of memory.
 */
bool pipeline_set_options(struct pipeline *pl, const struct pipeline_options *opt) SAWT_MUST_CHECK;

/*
 * Free the pipeline and the connections it opened; NULL is a no-op.
 * Messages not yet committed get PIPELINE_FAILED first, except those of
 * batches in flight on db, which are detached and never called back: free
 * it once pipeline_stats().in_flight is 0 (or after db_free()).
 */
void pipeline_free(struct pipeline *pl);

/*
 * Hand over one record (copied).  Returns false, and will never call cb,
 * when the pipeline cannot take it now: the database is not connected, the
 * record is malformed (inbound_valid()), or memory ran out.  Otherwise
 * cb(arg, outcome) follows once the message is committed or has failed.
 */
bool pipeline_submit(struct pipeline *pl, const struct inbound *in, pipeline_done_cb cb,
		     void *arg) SAWT_MUST_CHECK;

/* Send the messages gathered so far without waiting for more. */
void pipeline_flush(struct pipeline *pl);

/*
 * Forward the db's state changes and notifications: the db's callbacks
 * belong to its owner (sawtd), who must pass them on for LISTEN to be
 * renewed after a reconnection and the registry cache to follow changes.
 */
void pipeline_on_db_state(struct pipeline *pl, enum db_state state);
void pipeline_on_notify(struct pipeline *pl, const char *channel, const char *payload);

/*
 * Operator requests (control.h): the pipeline LISTENs on CONTROL_CHANNEL
 * and applies `sawt unmute` and `sawt reprocess` through the two functions
 * below.
 *
 * pipeline_unmute: the operator unmuted sender (E.164) ago_ms milliseconds
 * ago: sender_unmute() on its state, when this sawtd has any.
 */
void pipeline_unmute(struct pipeline *pl, const char *sender, int64_t ago_ms);

/* What became of a reprocessed message. */
enum pipeline_redo_outcome {
	PIPELINE_REDONE = 0,   /* processed now, in its inbound row */
	PIPELINE_REDO_NOT_DUE, /* no longer eligible (processed meanwhile): untouched */
	PIPELINE_REDO_ERROR,   /* the store refused it again (logged): it stays as it was */
	PIPELINE_REDO_FAILED,  /* not stored (the database went away): it stays as it was */
};

typedef void (*pipeline_redo_cb)(void *arg, enum pipeline_redo_outcome outcome);

/*
 * Reprocess the message in (copied; its dedup key as stored), recorded
 * before as inbound row inbound_id without being processed: decided as
 * decide.h says for reprocessing and stored into that row by
 * sawt.ingest_batch (migrations/0013_operator.sql), once whatever else
 * reprocesses it.  As pipeline_submit(): false when it cannot be taken
 * now, else cb(arg, outcome) follows.
 */
bool pipeline_reprocess(struct pipeline *pl, const struct inbound *in, int64_t inbound_id,
			pipeline_redo_cb cb, void *arg) SAWT_MUST_CHECK;

/* The node name recorded on inbound rows ("" when none). */
const char *pipeline_node(const struct pipeline *pl);

/* True once the registry cache has loaded. */
bool pipeline_ready(const struct pipeline *pl);

/* The registry cache (owned by the pipeline). */
struct registry *pipeline_registry(struct pipeline *pl);

void pipeline_stats(const struct pipeline *pl, struct pipeline_stats *out);

/* Call fn(arg, ...) for every message stored from now on, just before its
 * done callback; NULL stops it. */
void pipeline_set_stored_cb(struct pipeline *pl, pipeline_stored_fn fn, void *arg);

#endif
