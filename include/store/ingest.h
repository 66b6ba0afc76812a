/*
 * ingest.h - group commit of decided messages into PostgreSQL through
 * sawt.ingest_batch() (migrations/0005_pipeline.sql).
 *
 * The pipeline decides each message in memory and hands over its JSON
 * record; this module gathers records into batches, writes each batch in
 * one transaction, and reports back per message once that transaction has
 * committed (or failed).
 *
 * Lanes.  Work is spread over `connections` database connections (lanes):
 * the pipeline's db for lane 0, and connections of its own for the others,
 * so PostgreSQL can use more than one core.  A message goes to the lane of
 * its station (by station id; by dedup key when it has no station), so
 * every report of a station is written in arrival order by one lane, and
 * lanes never wait for each other's tally rows.  While an extra lane's
 * connection is down its stations use lane 0; when it comes back it takes
 * them over only after lane 0 has finished the batches opened before, so
 * no report overtakes an earlier one of its station.
 *
 * Batches.  A lane's open batch takes messages until it holds batch_max of
 * them or batch_delay_ms have passed; while max_in_flight batches of the
 * lane are in the database, it keeps growing instead (group commit: the
 * busier the database, the larger the transactions).  A batch never holds
 * two messages with the same dedup key, nor two with the same tally key
 * (station, form, contest of an accepted report): such a message opens the
 * next batch, which is sent after this one has committed.
 *
 * Failures.  A lost connection fails the messages of its batches.  A
 * serialization failure, deadlock or unique violation (another node
 * stored the same message) resends the batch; another error splits it into
 * single messages, and a single message that still fails is replaced by
 * its fallback record (the inbound row alone, in state 'failed') so the
 * message is recorded anyway.
 */
#ifndef SAWT_INGEST_H
#define SAWT_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "log.h"

struct event_base;
struct ingest;

/*
 * What the store says of one message.  The strings are the store's
 * answer (sawt.ingest_result), valid during the callback only; "" when it
 * has none.
 */
struct ingest_result {
	bool stored;            /* committed; false: failed, not stored */
	bool duplicate;         /* the dedup key was stored before */
	bool rejected;          /* stored with an error code */
	bool recorded_failed;   /* stored only as its fallback record */
	const char *outcome;    /* the report's: accepted, accepted_flagged, rejected */
	const char *error_code; /* the report's, else the message's */
};

/*
 * Called once per message added, from the event loop (never from inside
 * ingest_add()).
 */
typedef void (*ingest_done_cb)(void *arg, const struct ingest_result *res);

/* The fallback record of the message with argument arg: JSON members as
 * for ingest_add(), in a new string; NULL when there is none. */
typedef char *(*ingest_fallback_fn)(void *arg);

/* Called after the main connection (lane 0) came back from a loss. */
typedef void (*ingest_reconnect_fn)(void *ctx);

struct ingest_options {
	unsigned batch_max;      /* messages per transaction */
	unsigned batch_delay_ms; /* longest wait for more */
	unsigned max_in_flight;  /* batches per lane in the database at once */
	unsigned connections;    /* lanes, 1 to INGEST_MAX_LANES */
	const char *conninfo;    /* for the extra lanes' own connections */
	const char *node;        /* recorded on inbound rows; NULL: none */
};

#define INGEST_MAX_LANES 16

struct ingest_stats {
	uint64_t batches;        /* transactions committed */
	uint64_t batch_messages; /* messages in them */
	uint64_t batch_largest;
	uint64_t retries;     /* batches resent or split */
	size_t in_flight;     /* batches in the database */
	unsigned lanes_ready; /* lanes whose connection is up */
	unsigned lanes;       /* lanes in use */
	struct db_stats db;   /* the extra lanes' own connections (not lane 0's) */
};

/*
 * Create the batcher over db (lane 0; not owned).  opt is copied; the
 * extra lanes' connections are opened at once.  fallback and reconnect
 * (with ctx) may be NULL.  NULL when out of memory.
 */
struct ingest *ingest_new(struct event_base *base, struct db *db, const struct ingest_options *opt,
			  ingest_fallback_fn fallback, ingest_reconnect_fn reconnect,
			  void *ctx) SAWT_MUST_CHECK;

/*
 * Free; NULL is a no-op.  Messages not yet sent fail (their callbacks
 * run); batches in lane 0's database are detached: their callbacks never
 * run.  The extra lanes' connections are closed.
 */
void ingest_free(struct ingest *ing);

/* The election every report of the following batches belongs to. */
void ingest_set_election(struct ingest *ing, int election_id);

/*
 * Queue one message.  json holds the members of its sawt.ingest_msg object
 * after the opening brace, without "i" (ownership passes on success);
 * dedup is its dedup key; station_id its station (0: none); tally_key
 * (NULL or "") the tally it updates.  Returns false, keeping nothing,
 * when the message's lane is not connected or memory ran out.
 */
bool ingest_add(struct ingest *ing, char *json, const char *dedup, int station_id,
		const char *tally_key, ingest_done_cb cb, void *arg) SAWT_MUST_CHECK;

/* Send every open batch now. */
void ingest_flush(struct ingest *ing);

/* Forward lane 0's state changes (its db's state callback belongs to the
 * owner of that db). */
void ingest_on_db_state(struct ingest *ing, enum db_state state);

void ingest_stats(const struct ingest *ing, struct ingest_stats *out);

#endif
