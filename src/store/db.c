/*
 * db.c - asynchronous PostgreSQL on the libevent loop; see db.h.
 *
 * The connection goes IDLE -> CONNECTING -> READY, and on any failure to
 * BACKOFF -> CONNECTING again.  While READY, queued queries are sent in
 * pipeline mode, each followed by a sync; results come back in order and
 * are matched to the head of the in-flight list.  Every wait re-registers
 * PQsocket(), because libpq may change socket during connection.
 */
#include "db.h"

#include <errno.h>
#include <event2/event.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgembed.h"
#include "util.h"

#define DB_BACKOFF_MIN_MS 250
#define DB_BACKOFF_MAX_MS 5000
#define DB_MAX_IN_FLIGHT 512

struct db_query {
	struct db_query *next;
	db_query_cb cb;
	void *arg;
	int nparams;
	char *sql;
	char **params;   /* nparams entries, NULL = SQL NULL */
	PGresult *res;   /* first result, kept until the query ends */
	int64_t sent_us; /* when it was sent (util_mono_us()) */
};

struct db_result {
	PGresult *res;
	const char *error;
	const char *sqlstate;
};

struct qlist {
	struct db_query *head;
	struct db_query *tail;
	size_t len;
};

struct db {
	struct event_base *base;
	char *conninfo;
	PGconn *conn;
	enum db_state state;
	struct event *ev_connect; /* one-shot wait during connection */
	struct event *ev_read;    /* persistent read while READY */
	struct event *ev_write;   /* armed while output is pending */
	struct event *ev_timer;   /* backoff */
	int backoff_ms;
	bool was_connected;
	struct qlist waiting;   /* not sent */
	struct qlist in_flight; /* sent, awaiting results */
	db_state_cb state_cb;
	void *state_arg;
	db_notify_cb notify_cb;
	void *notify_arg;
	struct db_stats stats;
};

static void db_connect_begin(struct db *db);
static void db_lost(struct db *db, const char *why);
static void db_pump(struct db *db);
static void db_connected(struct db *db);

static const char *const state_names[] = {
	[DB_STATE_IDLE] = "idle",     [DB_STATE_CONNECTING] = "connecting",
	[DB_STATE_READY] = "ready",   [DB_STATE_BACKOFF] = "backoff",
	[DB_STATE_CLOSED] = "closed",
};

const char *db_state_name(enum db_state state)
{
	return state_names[state];
}

/* ---- query lists ---- */

static void qlist_push(struct qlist *l, struct db_query *q)
{
	q->next = NULL;
	if (l->tail)
		l->tail->next = q;
	else
		l->head = q;
	l->tail = q;
	l->len++;
}

static struct db_query *qlist_pop(struct qlist *l)
{
	struct db_query *q = l->head;

	if (q == NULL)
		return NULL;
	l->head = q->next;
	if (l->head == NULL)
		l->tail = NULL;
	l->len--;
	q->next = NULL;
	return q;
}

static void query_free(struct db_query *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	PQclear(q->res);
	free(q);
}

static struct db_query *query_new(const char *sql, int nparams, const char *const *params)
{
	struct db_query *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->sql = strdup(sql);
	q->params = calloc(nparams > 0 ? (size_t)nparams : 1, sizeof(char *));
	if (q->sql == NULL || q->params == NULL)
		goto fail;
	for (int i = 0; i < nparams; i++) {
		q->nparams = i + 1;
		if (params[i] == NULL)
			continue;
		q->params[i] = strdup(params[i]);
		if (q->params[i] == NULL)
			goto fail;
	}
	q->nparams = nparams;
	return q;
fail:
	query_free(q);
	return NULL;
}

/* ---- results ---- */

/* Make libpq's multi-line messages one line: "a\n\tb\n" -> "a b". */
static void strip_newline(char *s)
{
	size_t o = 0;
	bool space = false;

	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
			space = o > 0;
			continue;
		}
		if (space && s[o - 1] != ' ')
			s[o++] = ' ';
		space = false;
		s[o++] = s[i];
	}
	s[o] = '\0';
}

/*
 * Deliver q's outcome to its callback and free q: its result (error NULL),
 * or error with sqlstate when it got no answer.  Counted in db's stats.
 */
static void query_finish(struct db *db, struct db_query *q, const char *error, const char *sqlstate)
{
	struct db_result r = { .res = q->res, .error = "", .sqlstate = "" };
	char buf[1024];

	if (error != NULL) {
		db->stats.unanswered++;
	} else {
		db->stats.answered++;
		metrics_hist_observe(&db->stats.latency, (util_mono_us() - q->sent_us) / 1e6);
	}
	if (error != NULL) {
		r.res = NULL;
		r.error = error;
		r.sqlstate = sqlstate;
	} else if (q->res == NULL) {
		r.error = "no result from server";
		r.sqlstate = "XX000";
	} else {
		ExecStatusType st = PQresultStatus(q->res);

		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			const char *msg = PQresultErrorField(q->res, PG_DIAG_MESSAGE_PRIMARY);
			const char *code = PQresultErrorField(q->res, PG_DIAG_SQLSTATE);

			snprintf(buf, sizeof(buf), "%s", msg ? msg : PQresultErrorMessage(q->res));
			strip_newline(buf);
			r.error = buf[0] ? buf : "query failed";
			r.sqlstate = code ? code : "XX000";
		}
	}
	if (error == NULL && r.error[0] != '\0')
		db->stats.errors++;
	if (q->cb)
		q->cb(&r, q->arg);
	query_free(q);
}

bool db_result_ok(const struct db_result *res)
{
	return res->error[0] == '\0';
}

int db_result_rows(const struct db_result *res)
{
	return res->res && db_result_ok(res) ? PQntuples(res->res) : 0;
}

int db_result_cols(const struct db_result *res)
{
	return res->res && db_result_ok(res) ? PQnfields(res->res) : 0;
}

const char *db_result_value(const struct db_result *res, int row, int col)
{
	if (row < 0 || col < 0 || row >= db_result_rows(res) || col >= db_result_cols(res))
		return "";
	return PQgetvalue(res->res, row, col);
}

bool db_result_isnull(const struct db_result *res, int row, int col)
{
	if (row < 0 || col < 0 || row >= db_result_rows(res) || col >= db_result_cols(res))
		return true;
	return PQgetisnull(res->res, row, col) != 0;
}

long db_result_affected(const struct db_result *res)
{
	const char *n;

	if (res->res == NULL || !db_result_ok(res))
		return 0;
	n = PQcmdTuples(res->res);
	return n[0] ? strtol(n, NULL, 10) : 0;
}

const char *db_result_error(const struct db_result *res)
{
	return res->error;
}

const char *db_result_sqlstate(const struct db_result *res)
{
	return res->sqlstate;
}

/* ---- state ---- */

static void db_set_state(struct db *db, enum db_state state)
{
	if (db->state == state)
		return;
	db->state = state;
	if (db->state_cb)
		db->state_cb(db, state, db->state_arg);
}

static void db_clear_events(struct db *db)
{
	if (db->ev_connect) {
		event_free(db->ev_connect);
		db->ev_connect = NULL;
	}
	if (db->ev_read) {
		event_free(db->ev_read);
		db->ev_read = NULL;
	}
	if (db->ev_write) {
		event_free(db->ev_write);
		db->ev_write = NULL;
	}
}

static void db_close_conn(struct db *db)
{
	db_clear_events(db);
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
}

static void db_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	(void)fd;
	(void)what;
	db_connect_begin(db);
}

/* Schedule the next connection attempt after the current backoff. */
static void db_schedule_retry(struct db *db)
{
	db_close_conn(db);
	db_set_state(db, DB_STATE_BACKOFF);
	db_timer_arm(db->ev_timer, (unsigned)db->backoff_ms);
	db->backoff_ms *= 2;
	if (db->backoff_ms > DB_BACKOFF_MAX_MS)
		db->backoff_ms = DB_BACKOFF_MAX_MS;
}

static void db_fail_in_flight(struct db *db, const char *why)
{
	struct db_query *q;

	while ((q = qlist_pop(&db->in_flight)) != NULL)
		query_finish(db, q, why, "08006");
}

/* The connection failed or broke: fail what was sent, retry later. */
static void db_lost(struct db *db, const char *why)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", why && why[0] ? why : "connection lost");
	strip_newline(msg);
	if (db->state == DB_STATE_READY) {
		db->stats.lost++;
		log_warn(
			"lost connection to the database: %s; %zu queries in flight failed, %zu queued",
			msg, db->in_flight.len, db->waiting.len);
	} else {
		db->stats.connect_failures++;
		log_warn("could not connect to the database: %s; retrying in %.2f s", msg,
			 db->backoff_ms / 1000.0);
	}
	db_close_conn(db);
	db_fail_in_flight(db, "connection to the database was lost");
	if (db->state != DB_STATE_CLOSED)
		db_schedule_retry(db);
}

/* ---- connecting ---- */

static void db_connect_wait(struct db *db, short what);

static void db_connect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	(void)fd;
	(void)what;
	switch (PQconnectPoll(db->conn)) {
	case PGRES_POLLING_READING: db_connect_wait(db, EV_READ); break;
	case PGRES_POLLING_WRITING: db_connect_wait(db, EV_WRITE); break;
	case PGRES_POLLING_OK: db_connected(db); break;
	default: db_lost(db, PQerrorMessage(db->conn)); break;
	}
}

/* Wait for the connection socket (which may have changed) to be ready. */
static void db_connect_wait(struct db *db, short what)
{
	int fd = PQsocket(db->conn);

	if (db->ev_connect)
		event_free(db->ev_connect);
	db->ev_connect = NULL;
	if (fd < 0) {
		db_lost(db, "no socket");
		return;
	}
	db->ev_connect = event_new(db->base, fd, what, db_connect_cb, db);
	if (db->ev_connect == NULL || event_add(db->ev_connect, NULL) != 0) {
		db_lost(db, "could not register socket event");
		return;
	}
}

/* Server notices (and libpq's own) go to the log, not to stderr raw. */
static void db_notice(void *arg, const char *message)
{
	char buf[1024];

	(void)arg;
	snprintf(buf, sizeof(buf), "%s", message);
	strip_newline(buf);
	log_info("database: %s", buf);
}

static void db_connect_begin(struct db *db)
{
	db_set_state(db, DB_STATE_CONNECTING);
	db->conn = PQconnectStart(db->conninfo);
	if (db->conn == NULL) {
		db_lost(db, "out of memory");
		return;
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		db_lost(db, PQerrorMessage(db->conn));
		return;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	db_connect_wait(db, EV_WRITE);
}

/* ---- connected: pipeline I/O ---- */

static void db_flush(struct db *db)
{
	int r = PQflush(db->conn);

	if (r < 0) {
		db_lost(db, PQerrorMessage(db->conn));
		return;
	}
	if (r > 0 && !event_pending(db->ev_write, EV_WRITE, NULL))
		event_add(db->ev_write, NULL);
}

static void db_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	db_flush(arg);
}

static void db_deliver_notifies(struct db *db)
{
	PGnotify *n;

	while ((n = PQnotifies(db->conn)) != NULL) {
		if (db->notify_cb)
			db->notify_cb(n->relname, n->extra, db->notify_arg);
		PQfreemem(n);
	}
}

/*
 * Take one result off the connection for the head in-flight query.  A
 * query's results end with NULL; its sync point follows as a separate
 * PGRES_PIPELINE_SYNC result.  Returns false when nothing more can be read
 * without blocking.
 */
static bool db_take_result(struct db *db)
{
	struct db_query *q = db->in_flight.head;
	PGresult *res;

	if (PQisBusy(db->conn))
		return false;
	res = PQgetResult(db->conn);
	if (res != NULL && PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
		PQclear(res);
		return true;
	}
	if (q == NULL) {
		/* nothing outstanding: NULL means idle */
		PQclear(res);
		return false;
	}
	if (res == NULL) {
		q = qlist_pop(&db->in_flight);
		query_finish(db, q, NULL, NULL);
		return db->state == DB_STATE_READY;
	}
	if (q->res == NULL)
		q->res = res;
	else
		PQclear(res);
	return true;
}

static void db_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(db->conn) || PQstatus(db->conn) == CONNECTION_BAD) {
		db_lost(db, PQerrorMessage(db->conn));
		return;
	}
	while (db->state == DB_STATE_READY && db_take_result(db))
		;
	if (db->state != DB_STATE_READY)
		return;
	db_deliver_notifies(db);
	db_pump(db);
}

/* Send queued queries while the pipeline has room. */
static void db_pump(struct db *db)
{
	struct db_query *q;

	if (db->state != DB_STATE_READY)
		return;
	while (db->waiting.head && db->in_flight.len < DB_MAX_IN_FLIGHT) {
		q = db->waiting.head;
		if (!PQsendQueryParams(db->conn, q->sql, q->nparams, NULL,
				       (const char *const *)q->params, NULL, NULL, 0) ||
		    !PQpipelineSync(db->conn)) {
			db_lost(db, PQerrorMessage(db->conn));
			return;
		}
		q->sent_us = util_mono_us();
		qlist_push(&db->in_flight, qlist_pop(&db->waiting));
	}
	db_flush(db);
}

static void db_connected(struct db *db)
{
	int fd = PQsocket(db->conn);

	db_clear_events(db);
	if (PQsetnonblocking(db->conn, 1) != 0 || !PQenterPipelineMode(db->conn)) {
		db_lost(db, PQerrorMessage(db->conn));
		return;
	}
	db->ev_read = event_new(db->base, fd, EV_READ | EV_PERSIST, db_read_cb, db);
	db->ev_write = event_new(db->base, fd, EV_WRITE, db_write_cb, db);
	if (db->ev_read == NULL || db->ev_write == NULL || event_add(db->ev_read, NULL) != 0) {
		db_lost(db, "could not register socket events");
		return;
	}
	log_info("%s the database (server %d, %zu queries queued)",
		 db->was_connected ? "reconnected to" : "connected to", PQserverVersion(db->conn),
		 db->waiting.len);
	db->was_connected = true;
	db->stats.connects++;
	db->backoff_ms = DB_BACKOFF_MIN_MS;
	db_set_state(db, DB_STATE_READY);
	db_pump(db);
}

/* ---- public ---- */

struct db *db_new(struct event_base *base, const char *conninfo)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->base = base;
	db->conninfo = strdup(conninfo);
	db->ev_timer = evtimer_new(base, db_timer_cb, db);
	db->backoff_ms = DB_BACKOFF_MIN_MS;
	if (!metrics_hist_init(&db->stats.latency, metrics_latency_le, metrics_latency_n) ||
	    db->conninfo == NULL || db->ev_timer == NULL) {
		db_free(db);
		return NULL;
	}
	return db;
}

static void qlist_drop(struct qlist *l)
{
	struct db_query *q;

	while ((q = qlist_pop(l)) != NULL)
		query_free(q);
}

void db_free(struct db *db)
{
	if (db == NULL)
		return;
	db->state = DB_STATE_CLOSED;
	db_close_conn(db);
	if (db->ev_timer)
		event_free(db->ev_timer);
	qlist_drop(&db->in_flight);
	qlist_drop(&db->waiting);
	free(db->conninfo);
	free(db);
}

void db_set_state_cb(struct db *db, db_state_cb cb, void *arg)
{
	db->state_cb = cb;
	db->state_arg = arg;
}

void db_set_notify_cb(struct db *db, db_notify_cb cb, void *arg)
{
	db->notify_cb = cb;
	db->notify_arg = arg;
}

void db_start(struct db *db)
{
	if (db->state == DB_STATE_IDLE)
		db_connect_begin(db);
}

bool db_query(struct db *db, const char *sql, int nparams, const char *const *params,
	      db_query_cb cb, void *arg)
{
	struct db_query *q;

	if (db->state == DB_STATE_CLOSED)
		return false;
	q = query_new(sql, nparams, params);
	if (q == NULL)
		return false;
	q->cb = cb;
	q->arg = arg;
	qlist_push(&db->waiting, q);
	db_pump(db);
	return true;
}

enum db_state db_get_state(const struct db *db)
{
	return db->state;
}

size_t db_pending(const struct db *db)
{
	return db->waiting.len + db->in_flight.len;
}

void db_get_stats(const struct db *db, struct db_stats *out)
{
	*out = db->stats;
}

bool db_stats_add(struct db_stats *into, const struct db_stats *from)
{
	into->answered += from->answered;
	into->errors += from->errors;
	into->unanswered += from->unanswered;
	into->connects += from->connects;
	into->lost += from->lost;
	into->connect_failures += from->connect_failures;
	return metrics_hist_merge(&into->latency, &from->latency);
}

void db_fail_queued(struct db *db, const char *why)
{
	struct db_query *q;

	while ((q = qlist_pop(&db->waiting)) != NULL)
		query_finish(db, q, why, "08006");
}

/* Append key='value' to buf, quoting as libpq's conninfo requires. */
static void conninfo_add(char *buf, size_t n, const char *key, const char *value)
{
	size_t o = strlen(buf);

	o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%s='", o ? " " : "", key);
	for (const char *p = value; *p && o + 3 < n; p++) {
		if (*p == '\'' || *p == '\\')
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	if (o + 1 < n) {
		buf[o++] = '\'';
		buf[o] = '\0';
	}
}

char *db_conninfo(const struct config *cfg)
{
	char buf[4096] = "", port[8];
	char *sock;

	if (cfg->db_url != NULL)
		return strdup(cfg->db_url);
	sock = pgembed_socket_dir(cfg);
	if (sock == NULL)
		return NULL;
	conninfo_add(buf, sizeof(buf), "host", sock);
	conninfo_add(buf, sizeof(buf), "port", pgembed_port(cfg, port, sizeof(port)));
	conninfo_add(buf, sizeof(buf), "user", PGEMBED_USER);
	conninfo_add(buf, sizeof(buf), "dbname", PGEMBED_DBNAME);
	free(sock);
	return strdup(buf);
}

/* The end of both blocking connects: check conn, set UTF8. */
static PGconn *connect_finish(PGconn *conn, char *err, size_t errlen)
{
	if (conn == NULL) {
		util_seterr(err, errlen, "could not connect to the database: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		util_seterr(err, errlen, "could not connect to the database: %s",
			    PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		util_seterr(err, errlen, "could not set the client encoding to UTF8: %s",
			    PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

struct pg_conn *db_connect_blocking(const char *conninfo, char *err, size_t errlen)
{
	return connect_finish(PQconnectdb(conninfo), err, errlen);
}

struct pg_conn *db_connect_blocking_params(const char *const *keys, const char *const *vals,
					   char *err, size_t errlen)
{
	return connect_finish(PQconnectdbParams(keys, vals, 0), err, errlen);
}

void db_timer_arm(struct event *ev, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}
