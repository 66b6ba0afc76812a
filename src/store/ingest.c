/*
 * ingest.c - group commit into sawt.ingest_batch(); see ingest.h.
 *
 * Each lane moves batches through
 *
 *   open (taking messages) -> ready (closed, in order) -> in flight
 *
 * and always sends them in the order they were opened.  Each in-flight
 * batch is one query, whose rows say what happened to each message.
 */
#include "ingest.h"

#include <assert.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strmap.h"

#define BATCH_RETRIES 3
#define TALLY_KEY_MAX 48

/* The checklist answers of the batch are written in the same statement
 * (sawt.checklist_ingest(), migrations/0023_checklists.sql): keyed by
 * dedup key, they do not depend on the order the two run in. */
static const char ingest_sql[] =
	"WITH c AS MATERIALIZED (SELECT sawt.checklist_ingest($1::integer, $3::jsonb) AS ok)"
	" SELECT o_seq, o_inbound_id, o_duplicate, o_outcome, o_error_code, o_replied"
	" FROM sawt.ingest_batch($1::integer, $2, $3::jsonb), c";

struct item {
	ingest_done_cb cb;
	void *arg;
	char dedup[65];
	char tally_key[TALLY_KEY_MAX];
	char *json;
};

struct lane;

struct batch {
	struct batch *next;
	struct lane *lane; /* NULL: detached by ingest_free() */
	uint64_t seq;      /* order of opening in its lane */
	struct item **items;
	size_t n, cap;
	struct strmap *keys; /* dedup and tally keys */
	int attempts;
	bool fallback; /* a single message replaced by its fallback */
};

struct blist {
	struct batch *head, *tail;
};

/*
 * An extra lane is DOWN until its connection is up: its stations use lane
 * 0 meanwhile.  Once up it is PENDING: it takes its stations' messages
 * again but sends nothing until lane 0 has finished every batch opened
 * before (the barrier), so no report overtakes an earlier one of its
 * station.  Then it is ACTIVE.  Lane 0 is always ACTIVE.
 */
enum lane_mode {
	LANE_DOWN,
	LANE_PENDING,
	LANE_ACTIVE
};

struct lane {
	struct ingest *ing;
	struct db *db;
	bool own; /* db opened (and freed) here */
	enum lane_mode mode;
	uint64_t next_seq; /* seq of the next batch opened */
	uint64_t barrier;  /* PENDING: lane 0's batches before this */
	struct blist open, ready;
	struct batch *flight; /* in the database (unordered) */
	size_t in_flight;
	bool pumping, pump_again, conn_lost;
	struct event *ev_delay; /* closes the open batches */
	struct event *ev_pump;  /* sends ready batches from the loop */
};

struct ingest {
	struct event_base *base;
	struct ingest_options opt;
	char *node;
	char *conninfo;
	int election_id;
	struct lane lanes[INGEST_MAX_LANES];
	unsigned n_lanes;
	ingest_fallback_fn fallback;
	ingest_reconnect_fn reconnect;
	void *ctx;
	struct ingest_stats stats;
};

static void pump(struct lane *l);

/* ==== items and batches ==== */

static void item_done(struct item *it, const struct ingest_result *res)
{
	it->cb(it->arg, res);
	free(it->json);
	free(it);
}

static void item_fail(struct item *it)
{
	struct ingest_result res = { .stored = false, .outcome = "", .error_code = "" };

	item_done(it, &res);
}

static struct batch *batch_new(struct lane *l)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->lane = l;
	b->seq = l->next_seq++;
	b->cap = 16;
	b->items = calloc(b->cap, sizeof(*b->items));
	b->keys = strmap_new(b->cap * 2);
	if (b->items == NULL || b->keys == NULL) {
		strmap_free(b->keys);
		free(b->items);
		free(b);
		return NULL;
	}
	return b;
}

/* Free b itself (its items must have been handed back). */
static void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	strmap_free(b->keys);
	free(b->items);
	free(b);
}

static bool batch_add(struct batch *b, struct item *it)
{
	if (!array_grow(&b->items, &b->cap, b->n + 1, sizeof(*b->items)))
		return false;
	if (!strmap_put(b->keys, it->dedup, it) ||
	    (it->tally_key[0] && !strmap_put(b->keys, it->tally_key, it))) {
		strmap_del(b->keys, it->dedup);
		return false;
	}
	b->items[b->n++] = it;
	return true;
}

static bool batch_conflicts(const struct batch *b, const struct item *it)
{
	return strmap_get(b->keys, it->dedup) != NULL ||
	       (it->tally_key[0] && strmap_get(b->keys, it->tally_key) != NULL);
}

/* Fail every item of b and free it. */
static void batch_fail(struct batch *b)
{
	for (unsigned i = 0; i < b->n; i++)
		item_fail(b->items[i]);
	batch_free(b);
}

static void blist_push(struct blist *l, struct batch *b)
{
	b->next = NULL;
	if (l->tail)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
}

static struct batch *blist_pop(struct blist *l)
{
	struct batch *b = l->head;

	if (b == NULL)
		return NULL;
	l->head = b->next;
	if (l->head == NULL)
		l->tail = NULL;
	b->next = NULL;
	return b;
}

/* Put batches first..last (linked) back at the front of the ready list. */
static void requeue_front(struct lane *l, struct batch *first, struct batch *last)
{
	last->next = l->ready.head;
	l->ready.head = first;
	if (l->ready.tail == NULL)
		l->ready.tail = last;
}

static void flight_remove(struct lane *l, struct batch *b)
{
	for (struct batch **pp = &l->flight; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			b->next = NULL;
			assert(l->in_flight > 0 && l->ing->stats.in_flight > 0);
			l->in_flight--;
			l->ing->stats.in_flight--;
			return;
		}
	}
}

static void close_all(struct lane *l)
{
	struct batch *b;

	while ((b = blist_pop(&l->open)) != NULL)
		blist_push(&l->ready, b);
	event_del(l->ev_delay);
}

/*
 * Put it into the lane's first open batch that holds neither its dedup
 * key nor its tally key; open a new batch when none can take it.
 */
static bool place(struct lane *l, struct item *it)
{
	struct batch *b;

	for (b = l->open.head; b; b = b->next)
		if (!batch_conflicts(b, it))
			break;
	if (b != NULL) {
		if (!batch_add(b, it))
			return false;
	} else {
		b = batch_new(l);
		if (b == NULL || !batch_add(b, it)) {
			batch_free(b);
			return false;
		}
		blist_push(&l->open, b);
	}
	if (!evtimer_pending(l->ev_delay, NULL))
		db_timer_arm(l->ev_delay, l->ing->opt.batch_delay_ms);
	while (l->open.head && l->open.head->n >= l->ing->opt.batch_max)
		blist_push(&l->ready, blist_pop(&l->open));
	if (l->ready.head)
		event_active(l->ev_pump, 0, 0);
	return true;
}

/* ==== sending ==== */

static void batch_cb(const struct db_result *res, void *arg);

/* The JSON array of b's records, each with its position "i". */
static char *batch_json(const struct batch *b)
{
	size_t len = 3, o = 0;
	char *out;

	for (unsigned i = 0; i < b->n; i++)
		len += strlen(b->items[i]->json) + 24;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	out[o++] = '[';
	for (unsigned i = 0; i < b->n; i++)
		o += (size_t)snprintf(out + o, len - o, "%s{\"i\":%u,%s", i ? "," : "", i,
				      b->items[i]->json);
	out[o++] = ']';
	out[o] = '\0';
	return out;
}

static bool batch_send(struct lane *l, struct batch *b)
{
	struct ingest *ing = l->ing;
	char election[16];
	const char *params[3] = { election, ing->node, NULL };
	char *json = batch_json(b);
	bool ok;

	if (json == NULL)
		return false;
	snprintf(election, sizeof(election), "%d", ing->election_id);
	params[2] = json;
	b->next = l->flight;
	l->flight = b;
	l->in_flight++;
	ing->stats.in_flight++;
	ok = db_query(l->db, ingest_sql, 3, params, batch_cb, b);
	free(json);
	if (!ok)
		flight_remove(l, b);
	return ok;
}

static void pump(struct lane *l)
{
	struct batch *b;

	if (l->pumping) {
		l->pump_again = true;
		return;
	}
	l->pumping = true;
	do {
		l->pump_again = false;
		while (l->in_flight < l->ing->opt.max_in_flight && l->ready.head) {
			bool up = db_get_state(l->db) == DB_STATE_READY;

			if (up && l->mode != LANE_ACTIVE)
				break;
			b = blist_pop(&l->ready);
			if (!up || !batch_send(l, b))
				batch_fail(b);
		}
	} while (l->pump_again);
	l->pumping = false;
}

/* ==== results ==== */

/* Split b into single-message batches at the front of the ready list. */
static void batch_split(struct lane *l, struct batch *b)
{
	struct batch *first = NULL, *last = NULL;

	for (unsigned i = 0; i < b->n; i++) {
		struct batch *one = batch_new(l);

		if (one == NULL || !batch_add(one, b->items[i])) {
			batch_free(one);
			item_fail(b->items[i]);
			continue;
		}
		one->seq = b->seq;
		if (last)
			last->next = one;
		else
			first = one;
		last = one;
	}
	batch_free(b);
	if (first)
		requeue_front(l, first, last);
}

static bool sqlstate_is(const char *st, const char *prefix)
{
	return strncmp(st, prefix, strlen(prefix)) == 0;
}

/* Replace a single message by its fallback record and resend it. */
static bool batch_fallback(struct lane *l, struct batch *b)
{
	struct ingest *ing = l->ing;
	char *json;

	if (b->n != 1 || b->fallback || ing->fallback == NULL)
		return false;
	json = ing->fallback(b->items[0]->arg);
	if (json == NULL)
		return false;
	free(b->items[0]->json);
	b->items[0]->json = json;
	b->fallback = true;
	requeue_front(l, b, b);
	return true;
}

static void batch_error(struct lane *l, struct batch *b, const struct db_result *res)
{
	const char *st = db_result_sqlstate(res);

	if (sqlstate_is(st, "08") || sqlstate_is(st, "57P") || st[0] == '\0') {
		l->conn_lost = true;
		batch_fail(b);
		return;
	}
	l->ing->stats.retries++;
	if ((strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "23505") == 0) &&
	    ++b->attempts < BATCH_RETRIES) {
		requeue_front(l, b, b);
		return;
	}
	if (b->n > 1) {
		log_warn("a batch of %zu messages failed (%s): retrying them one by one", b->n,
			 db_result_error(res));
		batch_split(l, b);
		return;
	}
	if (!b->fallback)
		log_error("could not store a message: %s; recording it as failed",
			  db_result_error(res));
	if (batch_fallback(l, b))
		return;
	log_error("could not record a message at all: %s", db_result_error(res));
	batch_fail(b);
}

static void batch_ok(struct lane *l, struct batch *b, const struct db_result *res)
{
	struct ingest_stats *st = &l->ing->stats;

	st->batches++;
	st->batch_messages += b->n;
	if (b->n > st->batch_largest)
		st->batch_largest = b->n;
	for (int r = 0; r < db_result_rows(res); r++) {
		unsigned seq = (unsigned)strtoul(db_result_value(res, r, 0), NULL, 10);
		struct ingest_result out = { .stored = true,
					     .outcome = db_result_value(res, r, 3),
					     .error_code = db_result_value(res, r, 4) };

		if (seq >= b->n || b->items[seq] == NULL)
			continue;
		out.recorded_failed = b->fallback;
		out.duplicate = !b->fallback && db_result_value(res, r, 2)[0] == 't';
		out.rejected = !b->fallback && !db_result_isnull(res, r, 4);
		item_done(b->items[seq], &out);
		b->items[seq] = NULL;
	}
	for (unsigned i = 0; i < b->n; i++) {
		struct ingest_result out = { .stored = true, .outcome = "", .error_code = "" };

		if (b->items[i] == NULL)
			continue;
		log_error("the store returned no row for a message; it was committed");
		item_done(b->items[i], &out);
	}
	batch_free(b);
}

/* True when l still has a batch opened before seq. */
static bool has_before(const struct lane *l, uint64_t seq)
{
	const struct batch *lists[3] = { l->open.head, l->ready.head, l->flight };

	for (int i = 0; i < 3; i++)
		for (const struct batch *b = lists[i]; b; b = b->next)
			if (b->seq < seq)
				return true;
	return false;
}

/* Activate the pending lanes whose barrier lane 0 has passed. */
static void check_barriers(struct ingest *ing)
{
	for (unsigned i = 1; i < ing->n_lanes; i++) {
		struct lane *l = &ing->lanes[i];

		if (l->mode != LANE_PENDING || has_before(&ing->lanes[0], l->barrier))
			continue;
		l->mode = LANE_ACTIVE;
		event_active(l->ev_pump, 0, 0);
	}
}

static void batch_cb(const struct db_result *res, void *arg)
{
	struct batch *b = arg;
	struct lane *l = b->lane;

	if (l == NULL) {
		for (unsigned i = 0; i < b->n; i++) {
			free(b->items[i]->json);
			free(b->items[i]);
		}
		batch_free(b);
		return;
	}
	flight_remove(l, b);
	if (db_result_ok(res)) {
		if (l->conn_lost) {
			l->conn_lost = false;
			if (l == &l->ing->lanes[0] && l->ing->reconnect)
				l->ing->reconnect(l->ing->ctx);
		}
		batch_ok(l, b, res);
	} else {
		batch_error(l, b, res);
	}
	/* the database is free again: send what gathered meanwhile */
	if (l->ready.head == NULL)
		close_all(l);
	pump(l);
	if (l == &l->ing->lanes[0])
		check_barriers(l->ing);
}

/* ==== lanes ==== */

static void delay_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lane *l = arg;

	(void)fd;
	(void)what;
	/* while the lane's database is busy, let the batch grow */
	if (l->in_flight >= l->ing->opt.max_in_flight)
		return;
	close_all(l);
	pump(l);
}

static void pump_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

static void own_state_cb(struct db *db, enum db_state state, void *arg)
{
	struct lane *l = arg;
	struct lane *l0 = &l->ing->lanes[0];

	(void)db;
	if (state != DB_STATE_READY) {
		/* its stations go back to lane 0; what it holds fails */
		l->mode = LANE_DOWN;
		close_all(l);
		event_active(l->ev_pump, 0, 0);
		return;
	}
	if (l->mode != LANE_DOWN)
		return;
	l->mode = LANE_PENDING;
	l->barrier = l0->next_seq;
	close_all(l0);
	pump(l0);
	check_barriers(l->ing);
}

static bool lane_init(struct ingest *ing, struct lane *l, struct db *db)
{
	l->ing = ing;
	l->mode = db != NULL ? LANE_ACTIVE : LANE_DOWN;
	l->ev_delay = evtimer_new(ing->base, delay_cb, l);
	l->ev_pump = event_new(ing->base, -1, 0, pump_cb, l);
	if (l->ev_delay == NULL || l->ev_pump == NULL)
		return false;
	if (db != NULL) {
		l->db = db;
		return true;
	}
	l->db = db_new(ing->base, ing->conninfo);
	if (l->db == NULL)
		return false;
	l->own = true;
	db_set_state_cb(l->db, own_state_cb, l);
	db_start(l->db);
	return true;
}

static void lane_close(struct lane *l)
{
	struct batch *b;

	while ((b = blist_pop(&l->ready)) != NULL)
		batch_fail(b);
	while ((b = blist_pop(&l->open)) != NULL)
		batch_fail(b);
	if (l->own) {
		/* our own db drops its queries without callbacks */
		db_free(l->db);
		while ((b = l->flight) != NULL) {
			l->flight = b->next;
			batch_fail(b);
		}
	} else {
		for (b = l->flight; b; b = b->next)
			b->lane = NULL;
	}
	if (l->ev_delay)
		event_free(l->ev_delay);
	if (l->ev_pump)
		event_free(l->ev_pump);
}

/* ==== public ==== */

struct ingest *ingest_new(struct event_base *base, struct db *db, const struct ingest_options *opt,
			  ingest_fallback_fn fallback, ingest_reconnect_fn reconnect, void *ctx)
{
	struct ingest *ing = calloc(1, sizeof(*ing));

	if (ing == NULL)
		return NULL;
	ing->base = base;
	ing->opt = *opt;
	ing->fallback = fallback;
	ing->reconnect = reconnect;
	ing->ctx = ctx;
	if (ing->opt.batch_max == 0)
		ing->opt.batch_max = 1;
	if (ing->opt.max_in_flight == 0)
		ing->opt.max_in_flight = 1;
	if (ing->opt.connections == 0 || opt->conninfo == NULL)
		ing->opt.connections = 1;
	if (ing->opt.connections > INGEST_MAX_LANES)
		ing->opt.connections = INGEST_MAX_LANES;
	ing->node = opt->node ? strdup(opt->node) : NULL;
	ing->conninfo = opt->conninfo ? strdup(opt->conninfo) : NULL;
	ing->opt.node = ing->opt.conninfo = NULL;
	if ((opt->node && !ing->node) || (opt->conninfo && !ing->conninfo))
		goto fail;
	for (unsigned i = 0; i < ing->opt.connections; i++) {
		ing->n_lanes = i + 1;
		if (!lane_init(ing, &ing->lanes[i], i == 0 ? db : NULL))
			goto fail;
	}
	return ing;
fail:
	ingest_free(ing);
	return NULL;
}

void ingest_free(struct ingest *ing)
{
	if (ing == NULL)
		return;
	for (unsigned i = 0; i < ing->n_lanes; i++)
		lane_close(&ing->lanes[i]);
	free(ing->node);
	free(ing->conninfo);
	free(ing);
}

void ingest_set_election(struct ingest *ing, int election_id)
{
	ing->election_id = election_id;
}

/*
 * A station's lane (a message without station goes by its dedup key);
 * lane 0 while that lane's connection is down.
 */
static struct lane *lane_of(struct ingest *ing, const char *dedup, int station_id)
{
	char hex[9] = "";
	unsigned long h;
	struct lane *l;

	if (station_id > 0) {
		h = (unsigned long)station_id;
	} else {
		snprintf(hex, sizeof(hex), "%s", dedup);
		h = strtoul(hex, NULL, 16);
	}
	l = &ing->lanes[h % ing->n_lanes];
	return l->mode == LANE_DOWN ? &ing->lanes[0] : l;
}

bool ingest_add(struct ingest *ing, char *json, const char *dedup, int station_id,
		const char *tally_key, ingest_done_cb cb, void *arg)
{
	struct lane *l = lane_of(ing, dedup, station_id);
	struct item *it;

	if (db_get_state(l->db) != DB_STATE_READY)
		return false; /* lane 0 down, or a lane just lost */
	it = calloc(1, sizeof(*it));
	if (it == NULL)
		return false;
	it->cb = cb;
	it->arg = arg;
	snprintf(it->dedup, sizeof(it->dedup), "%s", dedup);
	snprintf(it->tally_key, sizeof(it->tally_key), "%s", tally_key ? tally_key : "");
	it->json = json;
	if (!place(l, it)) {
		free(it);
		return false;
	}
	return true;
}

void ingest_flush(struct ingest *ing)
{
	for (unsigned i = 0; i < ing->n_lanes; i++) {
		close_all(&ing->lanes[i]);
		pump(&ing->lanes[i]);
	}
}

void ingest_on_db_state(struct ingest *ing, enum db_state state)
{
	struct lane *l = &ing->lanes[0];

	if (state == DB_STATE_READY) {
		l->conn_lost = false;
		if (l->ready.head)
			event_active(l->ev_pump, 0, 0);
	}
}

void ingest_stats(const struct ingest *ing, struct ingest_stats *out)
{
	*out = ing->stats;
	out->lanes_ready = 0;
	out->lanes = ing->n_lanes;
	memset(&out->db, 0, sizeof(out->db));
	for (unsigned i = 0; i < ing->n_lanes; i++) {
		if (ing->lanes[i].mode == LANE_ACTIVE &&
		    db_get_state(ing->lanes[i].db) == DB_STATE_READY)
			out->lanes_ready++;
		if (ing->lanes[i].own) {
			struct db_stats st;

			db_get_stats(ing->lanes[i].db, &st);
			if (!db_stats_add(&out->db, &st))
				log_error("ingest lane %u: query latencies with other bounds", i);
		}
	}
}
