/*
 * db.h - asynchronous PostgreSQL on the libevent loop.
 *
 * One struct db owns one connection.  Queries are queued with db_query();
 * they are sent in pipeline mode (each followed by its own sync point, so
 * each is its own implicit transaction and one failing query does not
 * affect the next), and each result is handed to the query's callback.
 *
 * The connection is opened without blocking (PQconnectStart and
 * PQconnectPoll, waiting on the socket between steps).  When it fails or is
 * lost, the module waits with exponential backoff (0.25 s doubling to 5 s)
 * and tries again, forever, without blocking the loop:
 *   - queries already sent when the connection is lost get an error result
 *     (SQLSTATE 08006): whether they committed is unknown, so callers must
 *     make them idempotent or check;
 *   - queries not yet sent stay queued and go out after reconnecting.
 *
 * Only this module (and migrate.c, pgembed.c, store_*.c) include libpq.
 *
 * How modules reach the database, one way for each kind of caller:
 *   - on the daemon's loop, a module takes the shared struct db * (and the
 *     config when it needs more): registry, ingest, pipeline, outbox,
 *     command, modem_report, gateway.  A module that needs connections of
 *     its own besides (ingest's extra lanes) takes the conninfo too;
 *   - a blocking, one-shot job (migrate_run, store_import_run,
 *     store_sim_new, store_status_new; the CLI, and sawtd before its loop
 *     starts) takes a conninfo string and owns its PGconn for the job.
 * Every conninfo comes from db_conninfo(); no module takes a PGconn from
 * its caller.
 */
#ifndef SAWT_DB_H
#define SAWT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"
#include "metrics.h"

struct event;
struct event_base;
struct pg_conn; /* libpq's PGconn */
struct db;
struct db_result;

enum db_state {
	DB_STATE_IDLE,       /* created, db_start() not called */
	DB_STATE_CONNECTING, /* PQconnectPoll in progress */
	DB_STATE_READY,      /* connected, pipeline mode */
	DB_STATE_BACKOFF,    /* waiting before the next attempt */
	DB_STATE_CLOSED,     /* db_close() called */
};

/*
 * What one connection has done, for /metrics.  A query is answered when
 * the server sent its result (an error included), unanswered when it
 * failed without one (connection lost, db_fail_queued()).  Its latency is
 * the time from sending it to its result: the server's work and, in
 * pipeline mode, the queries sent before it on the same connection, not
 * the time it waited to be sent.
 */
struct db_stats {
	uint64_t answered;
	uint64_t errors; /* of those, an error */
	uint64_t unanswered;
	uint64_t connects;           /* connections made (reconnections included) */
	uint64_t lost;               /* connections lost while ready */
	uint64_t connect_failures;   /* attempts that failed */
	struct metrics_hist latency; /* seconds; bounds metrics_latency_le */
};

/*
 * Called with every result.  res is never NULL and is valid only during the
 * call.  The callback may queue further queries; it must not free the db.
 */
typedef void (*db_query_cb)(const struct db_result *res, void *arg);

/* Called on each state change (connected, lost, ...). */
typedef void (*db_state_cb)(struct db *db, enum db_state state, void *arg);

/* Called for each NOTIFY on a channel this connection LISTENs to. */
typedef void (*db_notify_cb)(const char *channel, const char *payload, void *arg);

/*
 * Create a db for conninfo (copied).  Nothing happens until db_start().
 * Returns NULL when out of memory.
 */
struct db *db_new(struct event_base *base, const char *conninfo) SAWT_MUST_CHECK;

/* Close the connection, fail nothing, free everything; NULL is a no-op.
 * Queued queries are dropped without callbacks. */
void db_free(struct db *db);

void db_set_state_cb(struct db *db, db_state_cb cb, void *arg);
void db_set_notify_cb(struct db *db, db_notify_cb cb, void *arg);

/* Start connecting (returns at once; the state callback reports progress). */
void db_start(struct db *db);

/*
 * Queue sql with nparams text parameters (NULL entries are SQL NULL).  sql
 * and the parameters are copied.  Returns false only when out of memory or
 * after db_close(); cb is then not called.
 */
bool db_query(struct db *db, const char *sql, int nparams, const char *const *params,
	      db_query_cb cb, void *arg) SAWT_MUST_CHECK;

enum db_state db_get_state(const struct db *db);
const char *db_state_name(enum db_state state);

/* Queries queued or in flight. */
size_t db_pending(const struct db *db);

/* Copy db's counters into *out. */
void db_get_stats(const struct db *db, struct db_stats *out);

/* Add from's counters and latencies to into (zeroed, or with the same
 * bounds).  False when the bounds differ (the latencies are not added). */
bool db_stats_add(struct db_stats *into, const struct db_stats *from) SAWT_MUST_CHECK;

/*
 * Fail every query that has not been sent yet (their callbacks get an error
 * with SQLSTATE 08006).  Used at shutdown when the database is down.
 */
void db_fail_queued(struct db *db, const char *why);

/* Result accessors; see db_query_cb. */
bool db_result_ok(const struct db_result *res);
int db_result_rows(const struct db_result *res);
int db_result_cols(const struct db_result *res);
/* "" for NULL or out of range */
const char *db_result_value(const struct db_result *res, int row, int col);
bool db_result_isnull(const struct db_result *res, int row, int col);
/* Number of rows affected by INSERT/UPDATE/DELETE, 0 otherwise. */
long db_result_affected(const struct db_result *res);
/* The error message (one line, no trailing newline); "" when ok. */
const char *db_result_error(const struct db_result *res);
/* The SQLSTATE, "" when ok. */
const char *db_result_sqlstate(const struct db_result *res);

/*
 * The libpq conninfo for cfg: cfg->db_url when set, else the embedded
 * cluster's Unix socket under cfg->state_dir.  Caller frees.  NULL when out
 * of memory.
 */
char *db_conninfo(const struct config *cfg) SAWT_MUST_CHECK;

/*
 * Open a connection the blocking way (PQconnectdb), for the command-line
 * tools and start-up steps that may wait: conninfo is a libpq connection
 * string or URI ("" for the PG* environment).  The client encoding is set
 * to UTF8.  Returns the connection, which the caller closes with PQfinish(),
 * or NULL with a one-line message in err (errlen bytes), e.g. "could not
 * connect to the database: ...".
 */
struct pg_conn *db_connect_blocking(const char *conninfo, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * The same with libpq's keyword and value arrays (NULL-terminated, as for
 * PQconnectdbParams without expand_dbname).
 */
struct pg_conn *db_connect_blocking_params(const char *const *keys, const char *const *vals,
					   char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * (Re)arm the timer event ev (evtimer_new()) to fire once after ms
 * milliseconds; a pending timeout is replaced.  For the store and daemon
 * modules on the libevent loop.
 */
void db_timer_arm(struct event *ev, unsigned ms);

#endif
