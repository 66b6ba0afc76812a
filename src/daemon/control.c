/*
 * control.c - the operator's requests to the running sawtd; see control.h.
 *
 * Each query's callback gets a struct control_q that points back at the
 * control; freeing the control while a query is in flight only clears that
 * pointer (the db outlives it).
 */
#include "control.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "pipeline.h"
#include "sender.h"

/* Where the reprocessing is. */
enum control_step {
	CONTROL_IDLE = 0,
	CONTROL_CLAIM,   /* claiming a reprocess request */
	CONTROL_SELECT,  /* reading a page of its messages */
	CONTROL_RUNNING, /* the page's messages are in the pipeline */
	CONTROL_FINISH,  /* recording the request done */
};

struct control;

struct control_q {
	struct control *ctl;     /* NULL: detached */
	struct control_q **slot; /* where ctl points to it */
};

struct control {
	struct db *db;
	struct pipeline *pl;
	struct control_q *listen; /* the LISTEN in flight, or NULL */
	/* unmutes */
	struct control_q *unmute_q; /* the read in flight, or NULL */
	bool unmute_again;          /* asked to read again meanwhile */
	/* reprocessing */
	enum control_step step;
	struct control_q *q; /* the step's query in flight, or NULL */
	bool again;          /* asked to look while a request was running */
	bool started;        /* control_start() was called */
	bool stopping;
	long long last_unmute; /* the newest unmute applied */
	/* the reprocess request being run */
	long long request;
	char sender[INBOUND_SENDER_MAX]; /* "" every sender */
	long long cursor;                /* the last inbound id handed over */
	size_t running;                  /* its messages in the pipeline */
	unsigned redone, not_due, errors, failed, skipped;
};

/* The unmutes of the last day not applied yet, marked done by this node
 * when no other did. */
static const char unmutes_sql[] =
	"WITH u AS (SELECT id, sender, created_at FROM sawt.operator_requests"
	"  WHERE kind = 'unmute' AND id > $1 AND created_at > now() - interval '1 day'),"
	" d AS (UPDATE sawt.operator_requests r SET node = $2, started_at = now(),"
	"  done_at = now() FROM u WHERE r.id = u.id AND r.done_at IS NULL)"
	" SELECT id, sender, (extract(epoch FROM clock_timestamp() - created_at) * 1000)::bigint"
	" FROM u ORDER BY id";

/* The oldest reprocess request nobody is running. */
static const char claim_sql[] =
	"UPDATE sawt.operator_requests SET node = $1, started_at = now()"
	" WHERE id = (SELECT id FROM sawt.operator_requests"
	"  WHERE kind = 'reprocess' AND done_at IS NULL AND (started_at IS NULL"
	"  OR started_at < now() - interval '5 minutes' OR node = $1)"
	"  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" RETURNING id, coalesce(sender, '')";

/* A page of the messages eligible for reprocessing (migrations/0013). */
static const char select_sql[] =
	"SELECT id, (extract(epoch FROM received_at) * 1000)::bigint, transport,"
	" coalesce(modem, ''), sender, coalesce(extract(epoch FROM smsc_time)::bigint, 0),"
	" coalesce(multipart_ref, 0), coalesce(multipart_part, 0), coalesce(multipart_total, 0),"
	" text, encode(dedup_key, 'hex'), text_cut"
	" FROM sawt.inbound_messages"
	" WHERE sawt.reprocessable(state, no_reply_reason) AND id > $1::bigint"
	" AND ($2 = '' OR sender = $2)"
	" ORDER BY id LIMIT $3::int";

static const char finish_sql[] =
	"UPDATE sawt.operator_requests SET done_at = now(), reprocessed = $2::int"
	" WHERE id = $1::bigint";

static void claim(struct control *ctl);

/* Queue sql with cb, its context in *slot; false when out of memory. */
static bool ask(struct control *ctl, struct control_q **slot, const char *sql, int n,
		const char *const *params, db_query_cb cb)
{
	struct control_q *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return false;
	q->ctl = ctl;
	q->slot = slot;
	if (!db_query(ctl->db, sql, n, params, cb, q)) {
		free(q);
		return false;
	}
	*slot = q;
	return true;
}

/* The control of an answer, NULL when detached (q is freed). */
static struct control *answered(void *arg)
{
	struct control_q *q = arg;
	struct control *ctl = q->ctl;

	if (ctl != NULL)
		*q->slot = NULL;
	free(q);
	return ctl;
}

/* Queue sql for the reprocessing step; when it cannot be queued the
 * reprocessing stops (it goes on at the next look). */
static void step_query(struct control *ctl, enum control_step step, const char *sql, int n,
		       const char *const *params, db_query_cb cb)
{
	ctl->step = step;
	if (!ask(ctl, &ctl->q, sql, n, params, cb)) {
		log_warn("could not look at the operator's requests: out of memory");
		ctl->step = CONTROL_IDLE;
	}
}

/* The reprocessing is idle; the next request if a look was asked for
 * meanwhile. */
static void idle(struct control *ctl)
{
	ctl->step = CONTROL_IDLE;
	ctl->request = 0;
	if (ctl->again && !ctl->stopping) {
		ctl->again = false;
		claim(ctl);
	}
}

static void query_failed(struct control *ctl, const char *what, const struct db_result *res)
{
	log_warn("could not %s: %s", what, db_result_error(res));
	idle(ctl);
}

/* ---- reprocess ---- */

static void finish_cb(const struct db_result *res, void *arg)
{
	struct control *ctl = answered(arg);

	if (ctl == NULL)
		return;
	if (!db_result_ok(res)) {
		query_failed(ctl, "record a reprocess request done", res);
		return;
	}
	log_info(
		"reprocess request %lld done: %u message(s) reprocessed, %u already processed, "
		"%u refused again, %u too long to reprocess",
		ctl->request, ctl->redone, ctl->not_due, ctl->errors, ctl->skipped);
	ctl->request = 0;
	claim(ctl);
}

static void finish(struct control *ctl)
{
	char id[24], n[16];
	const char *p[] = { id, n };

	snprintf(id, sizeof(id), "%lld", ctl->request);
	snprintf(n, sizeof(n), "%u", ctl->redone);
	step_query(ctl, CONTROL_FINISH, finish_sql, 2, p, finish_cb);
}

static void select_page(struct control *ctl);

/* The page's messages are all back: the next page, or stop the run when
 * some could not be stored. */
static void page_done(struct control *ctl)
{
	if (ctl->stopping)
		return;
	if (ctl->failed > 0) {
		log_warn(
			"reprocess request %lld stopped: %u message(s) could not be stored; "
			"it goes on when the database is back",
			ctl->request, ctl->failed);
		idle(ctl);
		return;
	}
	select_page(ctl);
}

/* One message of the page is back (or the hand-over is over). */
static void page_release(struct control *ctl)
{
	assert(ctl->running > 0);
	if (--ctl->running == 0)
		page_done(ctl);
}

static void redo_cb(void *arg, enum pipeline_redo_outcome outcome)
{
	struct control *ctl = arg;

	switch (outcome) {
	case PIPELINE_REDONE: ctl->redone++; break;
	case PIPELINE_REDO_NOT_DUE: ctl->not_due++; break;
	case PIPELINE_REDO_ERROR: ctl->errors++; break;
	case PIPELINE_REDO_FAILED: ctl->failed++; break;
	}
	page_release(ctl);
}

static uint8_t transport_of(const char *name)
{
	if (strcmp(name, "http") == 0)
		return INBOUND_HTTP;
	if (strcmp(name, "ussd") == 0)
		return INBOUND_USSD;
	return INBOUND_GSM;
}

/* Row r of a page as an inbound record; false when it does not fit one. */
static bool row_inbound(const struct db_result *res, int r, struct inbound *in)
{
	const char *text = db_result_value(res, r, 9), *dedup = db_result_value(res, r, 10);
	size_t len = strlen(text);
	long total = strtol(db_result_value(res, r, 8), NULL, 10);
	long part = strtol(db_result_value(res, r, 7), NULL, 10);

	memset(in, 0, sizeof(*in));
	if (len > INBOUND_TEXT_MAX || strlen(dedup) != 64 ||
	    strlen(db_result_value(res, r, 4)) >= sizeof(in->sender))
		return false;
	in->transport = transport_of(db_result_value(res, r, 2));
	in->received_ms = strtoll(db_result_value(res, r, 1), NULL, 10);
	snprintf(in->source, sizeof(in->source), "%s", db_result_value(res, r, 3));
	snprintf(in->sender, sizeof(in->sender), "%s", db_result_value(res, r, 4));
	in->smsc_time = strtoll(db_result_value(res, r, 5), NULL, 10);
	if (total > 1 && total <= 255 && part >= 0 && part <= total) {
		in->concat_ref = (uint16_t)strtol(db_result_value(res, r, 6), NULL, 10);
		in->concat_parts = (uint8_t)total;
		in->concat_missing = (uint8_t)(total - part);
	}
	memcpy(in->text, text, len);
	in->text[len] = '\0';
	in->text_len = (uint16_t)len;
	memcpy(in->dedup, dedup, 65);
	in->flags = db_result_value(res, r, 11)[0] == 't' ? INBOUND_TEXT_CUT : 0;
	return true;
}

static void select_cb(const struct db_result *res, void *arg)
{
	struct control *ctl = answered(arg);
	int rows;

	if (ctl == NULL)
		return;
	if (!db_result_ok(res)) {
		query_failed(ctl, "read the messages to reprocess", res);
		return;
	}
	rows = db_result_rows(res);
	if (rows == 0 || ctl->stopping) {
		finish(ctl);
		return;
	}
	ctl->step = CONTROL_RUNNING;
	ctl->failed = 0;
	ctl->running = 1; /* held while handing over: no callback ends the page early */
	for (int r = 0; r < rows; r++) {
		static struct inbound in;
		long long id = strtoll(db_result_value(res, r, 0), NULL, 10);

		ctl->cursor = id;
		if (!row_inbound(res, r, &in)) {
			ctl->skipped++;
			log_warn("message %lld is too long to reprocess; it stays as it is", id);
			continue;
		}
		ctl->running++;
		if (!pipeline_reprocess(ctl->pl, &in, id, redo_cb, ctl)) {
			ctl->running--;
			ctl->failed++;
			break;
		}
	}
	page_release(ctl);
}

/* The next page of the request's messages. */
static void select_page(struct control *ctl)
{
	char cursor[24], page[16];
	const char *p[] = { cursor, ctl->sender, page };

	snprintf(cursor, sizeof(cursor), "%lld", ctl->cursor);
	snprintf(page, sizeof(page), "%d", CONTROL_PAGE);
	step_query(ctl, CONTROL_SELECT, select_sql, 3, p, select_cb);
}

static void claim_cb(const struct db_result *res, void *arg)
{
	struct control *ctl = answered(arg);

	if (ctl == NULL)
		return;
	if (!db_result_ok(res)) {
		query_failed(ctl, "claim a reprocess request", res);
		return;
	}
	if (db_result_rows(res) == 0 || ctl->stopping) {
		idle(ctl);
		return;
	}
	ctl->request = strtoll(db_result_value(res, 0, 0), NULL, 10);
	snprintf(ctl->sender, sizeof(ctl->sender), "%s", db_result_value(res, 0, 1));
	ctl->cursor = 0;
	ctl->redone = ctl->not_due = ctl->errors = ctl->failed = ctl->skipped = 0;
	log_info("reprocess request %lld: reprocessing the messages recorded but not processed%s",
		 ctl->request, ctl->sender[0] ? " of one sender" : "");
	select_page(ctl);
}

static void claim(struct control *ctl)
{
	const char *p[] = { pipeline_node(ctl->pl) };

	step_query(ctl, CONTROL_CLAIM, claim_sql, 1, p, claim_cb);
}

/* ---- unmute ---- */

static void unmutes_start(struct control *ctl);

static void unmutes_cb(const struct db_result *res, void *arg)
{
	struct control *ctl = answered(arg);

	if (ctl == NULL)
		return;
	if (!db_result_ok(res))
		log_warn("could not read the operator's unmutes: %s", db_result_error(res));
	for (int r = 0; db_result_ok(res) && r < db_result_rows(res); r++) {
		long long id = strtoll(db_result_value(res, r, 0), NULL, 10);
		const char *sender = db_result_value(res, r, 1);
		char masked[LOG_PHONE_BUF];

		pipeline_unmute(ctl->pl, sender, strtoll(db_result_value(res, r, 2), NULL, 10));
		if (id > ctl->last_unmute)
			ctl->last_unmute = id;
		log_info("unmute request %lld: %s is no longer muted", id,
			 log_phone(sender, masked, sizeof(masked)));
	}
	if (ctl->unmute_again && !ctl->stopping) {
		ctl->unmute_again = false;
		unmutes_start(ctl);
	}
}

static void unmutes_start(struct control *ctl)
{
	char last[24];
	const char *p[] = { last, pipeline_node(ctl->pl) };

	if (ctl->unmute_q != NULL) {
		ctl->unmute_again = true;
		return;
	}
	snprintf(last, sizeof(last), "%lld", ctl->last_unmute);
	if (!ask(ctl, &ctl->unmute_q, unmutes_sql, 2, p, unmutes_cb))
		log_warn("could not read the operator's unmutes: out of memory");
}

/* Look at the requests: the unmutes not applied yet, and a reprocess
 * request unless one is running (then after it). */
static void look(struct control *ctl)
{
	if (ctl->stopping)
		return;
	unmutes_start(ctl);
	if (ctl->step != CONTROL_IDLE)
		ctl->again = true;
	else
		claim(ctl);
}

/* ---- LISTEN ---- */

static void listen_cb(const struct db_result *res, void *arg)
{
	struct control *ctl = answered(arg);

	if (ctl == NULL)
		return;
	if (!db_result_ok(res))
		log_warn("could not LISTEN %s: %s", CONTROL_CHANNEL, db_result_error(res));
}

static void listen_start(struct control *ctl)
{
	if (ctl->listen == NULL &&
	    !ask(ctl, &ctl->listen, "LISTEN " CONTROL_CHANNEL, 0, NULL, listen_cb))
		log_warn("could not LISTEN %s: out of memory", CONTROL_CHANNEL);
}

/* ---- public ---- */

struct control *control_new(struct db *db, struct pipeline *pl)
{
	struct control *ctl = calloc(1, sizeof(*ctl));

	if (ctl == NULL)
		return NULL;
	ctl->db = db;
	ctl->pl = pl;
	return ctl;
}

void control_start(struct control *ctl)
{
	if (ctl->started)
		return;
	ctl->started = true;
	listen_start(ctl);
	look(ctl);
}

void control_stop(struct control *ctl)
{
	if (ctl != NULL)
		ctl->stopping = true;
}

void control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	if (ctl->q != NULL)
		ctl->q->ctl = NULL;
	if (ctl->unmute_q != NULL)
		ctl->unmute_q->ctl = NULL;
	if (ctl->listen != NULL)
		ctl->listen->ctl = NULL;
	free(ctl);
}

void control_unmutes_seen(struct control *ctl, long long id)
{
	if (ctl != NULL && id > ctl->last_unmute)
		ctl->last_unmute = id;
}

void control_on_db_state(struct control *ctl, enum db_state state)
{
	if (state != DB_STATE_READY || !ctl->started)
		return;
	listen_start(ctl);
	look(ctl);
}

void control_on_notify(struct control *ctl, const char *channel, const char *payload)
{
	(void)payload;
	if (ctl->started && strcmp(channel, CONTROL_CHANNEL) == 0)
		look(ctl);
}
