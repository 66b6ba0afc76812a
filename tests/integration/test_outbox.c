/*
 * test_outbox.c - the outbox sender against a real PostgreSQL, with fake
 * modems: priorities, sent and delivered, retries with backoff up to
 * failed, a modem going down (its rows go to another modem), stuck rows,
 * two nodes sharing one outbox without sending anything twice; the other
 * sender (Kannel's place) alone and beside a modem, each row handed to
 * exactly one sender; and Kannel's delivery reports on the rows
 * (store_dlr.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fake_modem.h"
#include "outbox.h"
#include "store_dlr.h"

static struct event_base *base;
static PGconn *pg;

static char *conninfo(void)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "host=%s port=%s user=%s dbname=%s", getenv("PGHOST"),
		 getenv("PGPORT"), getenv("PGUSER"), getenv("PGDATABASE"));
	return buf;
}

static void sql(const char *q)
{
	PGresult *r = PQexec(pg, q);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQerrorMessage(pg));
	PQclear(r);
}

/* First column of the first row of q, as text. */
static const char *val(const char *q)
{
	static char out[512];
	PGresult *r = PQexec(pg, q);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQerrorMessage(pg));
	snprintf(out, sizeof(out), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "(none)");
	PQclear(r);
	return out;
}

static void run_ms(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Run the loop until the fake has recorded n sends (at most 10 s). */
static void run_until_sends(struct modem_mgr *m, size_t n)
{
	for (int i = 0; i < 500 && m->n_sends < n; i++)
		run_ms(20);
}

/* Run until q returns want (at most 10 s). */
static void run_until(const char *q, const char *want)
{
	for (int i = 0; i < 500 && strcmp(val(q), want) != 0; i++)
		run_ms(20);
}

static int setup(void **state)
{
	(void)state;
	base = event_base_new();
	pg = PQconnectdb(conninfo());
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	sql("TRUNCATE sawt.outbox, sawt.broadcast_recipients");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(pg);
	event_base_free(base);
	return 0;
}

struct node {
	struct db *db;
	struct outbox *ob;
	struct modem_mgr *mgr;
};

static void node_state(struct db *db, enum db_state st, void *arg)
{
	(void)db;
	outbox_set_db_ready(((struct node *)arg)->ob, st == DB_STATE_READY);
}

static void node_start(struct node *n, const char *name, struct modem_mgr *mgr)
{
	n->mgr = mgr;
	n->db = db_new(base, conninfo());
	n->ob = outbox_new(base, n->db, mgr, name);
	assert_non_null(n->ob);
	db_set_state_cb(n->db, node_state, n);
	db_start(n->db);
}

static void node_stop(struct node *n)
{
	outbox_free(n->ob);
	db_free(n->db);
}

static void test_priorities_sent_delivered(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct node a;
	char q[256];

	(void)state;
	fake_modem_add(m, "m1", true);
	sql("INSERT INTO sawt.outbox (recipient, body, priority, kind) VALUES"
	    " ('+9613000002', 'confirmation', 2, 'reply'),"
	    " ('+9613000000', 'alert', 0, 'alert'),"
	    " ('+9613000001', 'error reply', 1, 'reply')");
	node_start(&a, "node-a", m);
	run_until_sends(m, 3);
	assert_int_equal(m->n_sends, 3);
	assert_string_equal(m->sends[0].text, "alert");
	assert_string_equal(m->sends[1].text, "error reply");
	assert_string_equal(m->sends[2].text, "confirmation");
	run_until(
		"SELECT count(*) FROM sawt.outbox WHERE state = 'sending' AND modem = 'm1' AND node = 'node-a'",
		"3");
	assert_string_equal(
		val("SELECT count(*) FROM sawt.outbox WHERE state = 'sending' AND modem = 'm1' AND node = 'node-a' AND attempts = 1"),
		"3");

	outbox_on_sent(a.ob, "m1", m->sends[0].id, MODEM_SEND_OK, 1, 42, "");
	snprintf(q, sizeof(q), "SELECT state || ' ' || smsc_ref FROM sawt.outbox WHERE id = %llu",
		 (unsigned long long)m->sends[0].id);
	run_until(q, "sent 42");
	assert_string_equal(val(q), "sent 42");
	outbox_on_delivery(a.ob, "m1", 42, FRAME_DLR_DELIVERED, "+9613000000");
	snprintf(
		q, sizeof(q),
		"SELECT state || ' ' || (delivered_at IS NOT NULL) FROM sawt.outbox WHERE id = %llu",
		(unsigned long long)m->sends[0].id);
	run_until(q, "delivered true");
	assert_string_equal(val(q), "delivered true");
	{
		struct outbox_stats st;

		outbox_get_stats(a.ob, &st);
		assert_int_equal(
			st.results[OUTBOX_VIA_MODEM][OUTBOX_KIND_ALERT][OUTBOX_RESULT_SENT], 1);
		assert_int_equal(
			st.results[OUTBOX_VIA_MODEM][OUTBOX_KIND_REPLY][OUTBOX_RESULT_SENT], 0);
		assert_int_equal(st.delivered, 1);
		assert_int_equal(st.not_delivered, 0);
	}
	node_stop(&a);
	free(m);
}

static void test_retry_backoff_then_failed(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct node a;
	char q[256];

	(void)state;
	fake_modem_add(m, "m1", true);
	sql("INSERT INTO sawt.outbox (recipient, body, priority) VALUES ('+9613000003', 'retry me', 2)");
	node_start(&a, "node-a", m);
	for (int attempt = 1; attempt <= OUTBOX_MAX_ATTEMPTS; attempt++) {
		run_until_sends(m, (size_t)attempt);
		assert_int_equal(m->n_sends, attempt);
		snprintf(q, sizeof(q), "%d", attempt);
		assert_string_equal(val("SELECT attempts FROM sawt.outbox"), q);
		outbox_on_sent(a.ob, "m1", m->sends[attempt - 1].id, MODEM_SEND_FAILED, 0, -1,
			       "CMS ERROR 500");
		if (attempt < OUTBOX_MAX_ATTEMPTS) {
			run_until("SELECT state FROM sawt.outbox", "queued");
			/* backed off: 30 s, 60 s, ... from now */
			snprintf(
				q, sizeof(q),
				"SELECT next_attempt_at > now() + interval '%d seconds' - interval '5 seconds' FROM sawt.outbox",
				30 << (attempt - 1));
			assert_string_equal(val(q), "t");
			assert_string_equal(val("SELECT error FROM sawt.outbox"), "CMS ERROR 500");
			run_ms(1200);
			assert_int_equal(m->n_sends, attempt); /* not before its time */
			sql("UPDATE sawt.outbox SET next_attempt_at = now()");
			outbox_kick(a.ob);
		}
	}
	run_until("SELECT state FROM sawt.outbox", "failed");
	assert_string_equal(val("SELECT state || ' ' || attempts || ' ' || error FROM sawt.outbox"),
			    "failed 5 CMS ERROR 500");
	{
		struct outbox_stats st;
		const uint64_t *r = NULL;

		outbox_get_stats(a.ob, &st);
		r = st.results[OUTBOX_VIA_MODEM][OUTBOX_KIND_REPLY];
		assert_int_equal(r[OUTBOX_RESULT_RETRY], OUTBOX_MAX_ATTEMPTS - 1);
		assert_int_equal(r[OUTBOX_RESULT_FAILED], 1);
		assert_int_equal(r[OUTBOX_RESULT_SENT], 0);
	}
	node_stop(&a);
	free(m);
}

/* A worker that dies with a send queued says nothing against the modem:
 * the row goes back to the queue at once, not after a backoff. */
static void test_lost_send_is_requeued_at_once(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct node a;

	(void)state;
	fake_modem_add(m, "m1", true);
	sql("INSERT INTO sawt.outbox (recipient, body) VALUES ('+9613000006', 'lost with its worker')");
	node_start(&a, "node-a", m);
	run_until_sends(m, 1);
	outbox_on_sent(a.ob, "m1", m->sends[0].id, MODEM_SEND_LOST, 0, -1, "the worker exited");
	run_until_sends(m, 2);
	assert_int_equal(m->n_sends, 2);
	assert_true(m->sends[1].id == m->sends[0].id);
	outbox_on_sent(a.ob, "m1", m->sends[1].id, MODEM_SEND_OK, 1, 3, "");
	run_until("SELECT state FROM sawt.outbox", "sent");
	assert_string_equal(val("SELECT state || ' ' || attempts FROM sawt.outbox"), "sent 2");
	{
		struct outbox_stats st;

		outbox_get_stats(a.ob, &st);
		assert_int_equal(
			st.results[OUTBOX_VIA_MODEM][OUTBOX_KIND_REPLY][OUTBOX_RESULT_LOST], 1);
		assert_int_equal(
			st.results[OUTBOX_VIA_MODEM][OUTBOX_KIND_REPLY][OUTBOX_RESULT_SENT], 1);
	}
	node_stop(&a);
	free(m);
}

static void test_modem_down_hands_over(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct node a;

	(void)state;
	fake_modem_add(m, "m1", true);
	fake_modem_add(m, "m2", false);
	sql("INSERT INTO sawt.outbox (recipient, body) VALUES ('+9613000004', 'stuck on m1')");
	node_start(&a, "node-a", m);
	outbox_on_modem_status(a.ob, &m->st[0]);
	run_until_sends(m, 1);
	assert_string_equal(m->sends[0].modem, "m1");
	run_until("SELECT modem FROM sawt.outbox", "m1");

	/* m1 dies with the message; m2 comes up */
	m->st[0].state = MODEM_STATE_DOWN;
	outbox_on_modem_status(a.ob, &m->st[0]);
	run_until("SELECT state FROM sawt.outbox", "queued");
	assert_string_equal(val("SELECT error FROM sawt.outbox"),
			    "modem m1 went down while sending");
	m->st[1].state = MODEM_STATE_READY;
	outbox_on_modem_status(a.ob, &m->st[1]);
	run_until_sends(m, 2);
	assert_int_equal(m->n_sends, 2);
	assert_string_equal(m->sends[1].modem, "m2");
	/* the late failure report from m1's worker changes nothing */
	outbox_on_sent(a.ob, "m1", m->sends[0].id, MODEM_SEND_LOST, 0, -1, "worker died");
	outbox_on_sent(a.ob, "m2", m->sends[1].id, MODEM_SEND_OK, 1, 9, "");
	run_until("SELECT state || ' ' || modem FROM sawt.outbox", "sent m2");
	assert_string_equal(val("SELECT state || ' ' || modem || ' ' || attempts FROM sawt.outbox"),
			    "sent m2 2");
	node_stop(&a);
	free(m);
}

static void test_stuck_rows_are_requeued(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct node a;

	(void)state;
	fake_modem_add(m, "m1", true);
	sql("INSERT INTO sawt.outbox (recipient, body, state, node, modem, claimed_at, attempts)"
	    " VALUES ('+9613000005', 'claimed by a node that died', 'sending', 'node-x', 'mx',"
	    " now() - interval '10 minutes', 1)");
	node_start(&a, "node-a", m);
	run_until_sends(m, 1);
	assert_int_equal(m->n_sends, 1);
	assert_string_equal(m->sends[0].text, "claimed by a node that died");
	run_until("SELECT node || ' ' || modem || ' ' || attempts FROM sawt.outbox", "node-a m1 2");
	node_stop(&a);
	free(m);
}

static void test_two_nodes_never_send_twice(void **state)
{
	struct modem_mgr *ma = calloc(1, sizeof(*ma)), *mb = calloc(1, sizeof(*mb));
	struct node a, b;
	static char seen[1001];

	(void)state;
	fake_modem_add(ma, "a1", true);
	fake_modem_add(mb, "b1", true);
	sql("INSERT INTO sawt.outbox (recipient, body)"
	    " SELECT '+9613' || lpad(g::text, 6, '0'), 'message ' || g FROM generate_series(1, 1000) g");
	node_start(&a, "node-a", ma);
	node_start(&b, "node-b", mb);
	for (int i = 0; i < 1000 && ma->n_sends + mb->n_sends < 1000; i++) {
		run_ms(20);
		/* the modems report back, so each node keeps claiming */
		while (a.ob && outbox_in_flight(a.ob) > 0)
			outbox_on_sent(a.ob, "a1",
				       ma->sends[ma->n_sends - outbox_in_flight(a.ob)].id,
				       MODEM_SEND_OK, 1, 1, "");
		while (b.ob && outbox_in_flight(b.ob) > 0)
			outbox_on_sent(b.ob, "b1",
				       mb->sends[mb->n_sends - outbox_in_flight(b.ob)].id,
				       MODEM_SEND_OK, 1, 1, "");
	}
	assert_int_equal(ma->n_sends + mb->n_sends, 1000);
	assert_true(ma->n_sends > 0);
	assert_true(mb->n_sends > 0);
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < ma->n_sends + mb->n_sends; i++) {
		const char *t =
			i < ma->n_sends ? ma->sends[i].text : mb->sends[i - ma->n_sends].text;
		int k = atoi(t + strlen("message "));

		assert_true(k >= 1 && k <= 1000);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
	}
	run_until("SELECT count(*) FROM sawt.outbox WHERE state = 'sent'", "1000");
	assert_string_equal(val("SELECT count(*) FROM sawt.outbox WHERE state = 'sent'"), "1000");
	node_stop(&a);
	node_stop(&b);
	free(ma);
	free(mb);
}

/* The other sender, faked: takes up to cap rows at a time, records them. */
struct fake_sender {
	unsigned cap;
	unsigned in_flight;
	size_t n;
	uint64_t ids[FAKE_SENDS_MAX];
	char text[FAKE_SENDS_MAX][64];
};

static unsigned fs_room(void *ctx)
{
	struct fake_sender *f = ctx;

	return f->in_flight < f->cap ? f->cap - f->in_flight : 0;
}

static bool fs_send(void *ctx, uint64_t id, const char *to, const char *body)
{
	struct fake_sender *f = ctx;

	(void)to;
	if (fs_room(f) == 0 || f->n == FAKE_SENDS_MAX)
		return false;
	f->ids[f->n] = id;
	snprintf(f->text[f->n], sizeof(f->text[0]), "%s", body);
	f->n++;
	f->in_flight++;
	return true;
}

/* Report the outcome of the i-th row handed to f. */
static void fs_result(struct node *n, struct fake_sender *f, size_t i, enum outbox_outcome o,
		      const char *error)
{
	f->in_flight--;
	outbox_on_sender_result(n->ob, f->ids[i], o, error);
}

static void node_add_sender(struct node *n, struct fake_sender *f)
{
	struct outbox_sender s = { "kannel", fs_room, fs_send, f };

	outbox_set_sender(n->ob, &s);
	outbox_kick(n->ob);
}

static void run_until_sender(struct fake_sender *f, size_t n)
{
	for (int i = 0; i < 500 && f->n < n; i++)
		run_ms(20);
}

static const char *row(uint64_t id, const char *cols)
{
	static char q[512];

	snprintf(q, sizeof(q), "SELECT %s FROM sawt.outbox WHERE id = %llu", cols,
		 (unsigned long long)id);
	return q;
}

/* Replies through the other sender alone: sent, refused for good, refused
 * for now (backed off, then sent on the next attempt). */
static void test_sender_only(void **state)
{
	struct fake_sender *f = calloc(1, sizeof(*f));
	struct node a;
	const char *cols =
		"state || ' ' || attempts || ' ' || coalesce(via, '-') || ' ' || "
		"coalesce(modem, '-') || ' ' || coalesce(error, '-')";
	uint64_t first;

	(void)state;
	f->cap = 8;
	sql("INSERT INTO sawt.outbox (recipient, body) VALUES ('+9613000010', 'one'),"
	    " ('+9613000011', 'two'), ('+9613000012', 'three')");
	node_start(&a, "node-a", NULL);
	node_add_sender(&a, f);
	run_until_sender(f, 3);
	assert_int_equal(f->n, 3);
	assert_int_equal(outbox_in_flight(a.ob), 3);
	run_until(
		"SELECT count(*) FROM sawt.outbox WHERE state = 'sending' AND node = 'node-a'"
		" AND modem IS NULL",
		"3");
	fs_result(&a, f, 0, OUTBOX_SENT, NULL);
	fs_result(&a, f, 1, OUTBOX_REJECTED, "kannel: 403 Not routable. Do not try again.");
	fs_result(&a, f, 2, OUTBOX_RETRY, "kannel: 503 Temporal failure, try again later.");
	run_until(row(f->ids[2], "state"), "queued");
	assert_string_equal(val(row(f->ids[0], cols)), "sent 1 kannel - -");
	assert_string_equal(val(row(f->ids[1], cols)),
			    "failed 1 kannel - kannel: 403 Not routable. Do not try again.");
	assert_string_equal(val(row(f->ids[2], cols)),
			    "queued 1 kannel - kannel: 503 Temporal failure, try again later.");
	assert_string_equal(val(row(f->ids[2], "next_attempt_at > now() + interval '25 seconds'")),
			    "t");
	run_ms(1200);
	assert_int_equal(f->n, 3); /* not before its time, and the refused one never */
	first = f->ids[2];
	sql("UPDATE sawt.outbox SET next_attempt_at = now() WHERE state = 'queued'");
	outbox_kick(a.ob);
	run_until_sender(f, 4);
	assert_int_equal(f->n, 4);
	assert_true(f->ids[3] == first);
	fs_result(&a, f, 3, OUTBOX_SENT, NULL);
	run_until(row(first, "state"), "sent");
	assert_string_equal(val(row(first, cols)), "sent 2 kannel - -");
	assert_int_equal(outbox_in_flight(a.ob), 0);
	{
		struct outbox_stats st;
		const uint64_t *r;

		outbox_get_stats(a.ob, &st);
		assert_string_equal(st.sender_via, "kannel");
		r = st.results[OUTBOX_VIA_SENDER][OUTBOX_KIND_REPLY];
		assert_int_equal(r[OUTBOX_RESULT_SENT], 2);
		assert_int_equal(r[OUTBOX_RESULT_REJECTED], 1);
		assert_int_equal(r[OUTBOX_RESULT_RETRY], 1);
		assert_int_equal(r[OUTBOX_RESULT_FAILED], 0);
		assert_int_equal(
			st.results[OUTBOX_VIA_MODEM][OUTBOX_KIND_REPLY][OUTBOX_RESULT_SENT], 0);
	}
	node_stop(&a);
	free(f);
}

/* A modem and the other sender share the queue: every row goes out
 * through exactly one of them, and the rows say which. */
static void test_modem_and_sender_exactly_once(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct fake_sender *f = calloc(1, sizeof(*f));
	static char seen[601];
	struct node a;
	size_t done_m = 0, done_f = 0;
	char want[32];

	(void)state;
	f->cap = 32;
	fake_modem_add(m, "m1", true);
	sql("INSERT INTO sawt.outbox (recipient, body)"
	    " SELECT '+9613' || lpad(g::text, 6, '0'), 'message ' || g FROM generate_series(1, 600) g");
	node_start(&a, "node-a", m);
	node_add_sender(&a, f);
	for (int i = 0; i < 1000 && m->n_sends + f->n < 600; i++) {
		run_ms(20);
		for (; done_m < m->n_sends; done_m++)
			outbox_on_sent(a.ob, "m1", m->sends[done_m].id, MODEM_SEND_OK, 1, 1, "");
		for (; done_f < f->n; done_f++)
			fs_result(&a, f, done_f, OUTBOX_SENT, NULL);
	}
	assert_int_equal(m->n_sends + f->n, 600);
	assert_true(m->n_sends > 0);
	assert_true(f->n > 0);
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < m->n_sends + f->n; i++) {
		const char *t = i < m->n_sends ? m->sends[i].text : f->text[i - m->n_sends];
		int k = atoi(t + strlen("message "));

		assert_true(k >= 1 && k <= 600);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
	}
	run_until("SELECT count(*) FROM sawt.outbox WHERE state = 'sent'", "600");
	snprintf(want, sizeof(want), "%zu", m->n_sends);
	assert_string_equal(
		val("SELECT count(*) FROM sawt.outbox WHERE via = 'modem' AND modem = 'm1'"
		    " AND attempts = 1"),
		want);
	snprintf(want, sizeof(want), "%zu", f->n);
	assert_string_equal(
		val("SELECT count(*) FROM sawt.outbox WHERE via = 'kannel' AND modem IS NULL"
		    " AND attempts = 1"),
		want);
	node_stop(&a);
	free(m);
	free(f);
}

/* The other sender's answer comes after its attempt was given up and the
 * row went to a modem: it changes nothing. */
static void test_late_sender_result(void **state)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	struct fake_sender *f = calloc(1, sizeof(*f));
	struct node a;

	(void)state;
	f->cap = 1;
	fake_modem_add(m, "m1", false);
	sql("INSERT INTO sawt.outbox (recipient, body) VALUES ('+9613000020', 'slow answer')");
	node_start(&a, "node-a", m);
	node_add_sender(&a, f);
	run_until_sender(f, 1);
	assert_int_equal(f->n, 1);
	run_until(row(f->ids[0], "state || ' ' || node"), "sending node-a");
	/* another node's stuck-row rule queues it again; the modem takes it */
	f->cap = 0;
	sql("UPDATE sawt.outbox SET state = 'queued', error = 'no outcome'");
	m->st[0].state = MODEM_STATE_READY;
	outbox_on_modem_status(a.ob, &m->st[0]);
	run_until_sends(m, 1);
	assert_int_equal(m->n_sends, 1);
	run_until(row(f->ids[0], "coalesce(modem, '-')"), "m1");
	fs_result(&a, f, 0, OUTBOX_SENT, NULL);
	run_ms(200);
	assert_string_equal(val(row(f->ids[0], "state || ' ' || modem || ' ' || via")),
			    "sending m1 modem");
	outbox_on_sent(a.ob, "m1", m->sends[0].id, MODEM_SEND_OK, 1, 5, "");
	run_until(row(f->ids[0], "state"), "sent");
	assert_string_equal(
		val(row(f->ids[0], "state || ' ' || modem || ' ' || via || ' ' || attempts")),
		"sent m1 modem 2");
	node_stop(&a);
	free(m);
	free(f);
}

struct dlr_seen {
	int calls;
	enum store_dlr_result r;
	char state[32];
};

static void dlr_done(enum store_dlr_result r, const char *st, const char *error, void *arg)
{
	struct dlr_seen *s = arg;

	(void)error;
	s->calls++;
	s->r = r;
	snprintf(s->state, sizeof(s->state), "%s", st);
}

/* Record one report through a db on the loop; the outcome. */
static struct dlr_seen dlr(struct db *db, const char *id, int status, const char *reply)
{
	struct dlr_seen s = { 0 };
	struct kannel_dlr d = { 0 };

	d.id = strtoull(id, NULL, 10);
	d.status = status;
	snprintf(d.reply, sizeof(d.reply), "%s", reply);
	assert_true(store_dlr_record(db, &d, dlr_done, &s));
	for (int i = 0; i < 500 && s.calls == 0; i++)
		run_ms(10);
	assert_int_equal(s.calls, 1);
	return s;
}

static void dlr_db_state(struct db *db, enum db_state st, void *arg)
{
	(void)db;
	*(bool *)arg = st == DB_STATE_READY;
}

/* Kannel's delivery reports move a row forward and never back. */
static void test_kannel_dlr(void **state)
{
	struct db *db = db_new(base, conninfo());
	bool ready = false;
	struct dlr_seen s;
	char sent[24], sending[24], queued[24], modem[24], failed[24];
	const char *cols =
		"state || ' ' || coalesce(dlr_status, '-') || ' ' || "
		"(delivered_at IS NOT NULL) || ' ' || (sent_at IS NOT NULL) || ' ' || "
		"coalesce(error, '-') || ' ' || coalesce(dlr_detail, '-')";
	char q[512];

	(void)state;
	db_set_state_cb(db, dlr_db_state, &ready);
	db_start(db);
	for (int i = 0; i < 500 && !ready; i++)
		run_ms(10);
	assert_true(ready);
	snprintf(
		sent, sizeof(sent), "%s",
		val("INSERT INTO sawt.outbox (recipient, body, state, via, node, sent_at, attempts)"
		    " VALUES ('+9613000030', 'a', 'sent', 'kannel', 'n', now(), 1) RETURNING id"));
	snprintf(sending, sizeof(sending), "%s",
		 val("INSERT INTO sawt.outbox (recipient, body, state, via, node, attempts)"
		     " VALUES ('+9613000031', 'b', 'sending', 'kannel', 'n', 1) RETURNING id"));
	snprintf(
		queued, sizeof(queued), "%s",
		val("INSERT INTO sawt.outbox (recipient, body, state, via, attempts, error)"
		    " VALUES ('+9613000032', 'c', 'queued', 'kannel', 1, 'kannel: no answer (timed out)')"
		    " RETURNING id"));
	snprintf(modem, sizeof(modem), "%s",
		 val("INSERT INTO sawt.outbox (recipient, body, state, via, modem, attempts)"
		     " VALUES ('+9613000033', 'd', 'sent', 'modem', 'm1', 1) RETURNING id"));
	snprintf(
		failed, sizeof(failed), "%s",
		val("INSERT INTO sawt.outbox (recipient, body, state, via, node, sent_at, attempts)"
		    " VALUES ('+9613000034', 'e', 'sent', 'kannel', 'n', now(), 1) RETURNING id"));
#define ROW(id) (snprintf(q, sizeof(q), "SELECT %s FROM sawt.outbox WHERE id = %s", cols, id), q)

	/* the SMSC took it: still sent; then delivered; a late failure is ignored */
	s = dlr(db, sent, KANNEL_DLR_SMSC_ACCEPTED, "");
	assert_int_equal(s.r, STORE_DLR_RECORDED);
	assert_string_equal(s.state, "sent");
	assert_string_equal(val(ROW(sent)), "sent smsc_accepted false true - -");
	s = dlr(db, sent, KANNEL_DLR_DELIVERED, "id:1 stat:DELIVRD");
	assert_string_equal(s.state, "delivered");
	assert_string_equal(val(ROW(sent)), "delivered delivered true true - id:1 stat:DELIVRD");
	s = dlr(db, sent, KANNEL_DLR_UNDELIVERED, "");
	assert_int_equal(s.r, STORE_DLR_RECORDED);
	assert_string_equal(val(ROW(sent)), "delivered delivered true true - id:1 stat:DELIVRD");

	/* a report before the answer to sendsms: Kannel had it */
	s = dlr(db, sending, KANNEL_DLR_BUFFERED, "");
	assert_string_equal(val(ROW(sending)), "sent smsc_queued false true - -");
	/* ... or after its attempt was given up for no answer: no retry */
	s = dlr(db, queued, KANNEL_DLR_DELIVERED, "");
	assert_string_equal(val(ROW(queued)), "delivered delivered true true - -");

	/* refused by the SMSC: failed, with its reason */
	s = dlr(db, failed, KANNEL_DLR_SMSC_REJECTED, "err:0B");
	assert_string_equal(s.state, "failed");
	assert_string_equal(
		val(ROW(failed)),
		"failed smsc_rejected false true kannel: delivery smsc_rejected: err:0B "
		"err:0B");

	/* not sent through Kannel, or no such row */
	s = dlr(db, modem, KANNEL_DLR_DELIVERED, "");
	assert_int_equal(s.r, STORE_DLR_NO_ROW);
	assert_string_equal(val(ROW(modem)), "sent - false false - -");
	s = dlr(db, "999999", KANNEL_DLR_DELIVERED, "");
	assert_int_equal(s.r, STORE_DLR_NO_ROW);
#undef ROW
	db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_priorities_sent_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_backoff_then_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_send_is_requeued_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_modem_down_hands_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_rows_are_requeued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_nodes_never_send_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modem_and_sender_exactly_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_late_sender_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kannel_dlr, setup, teardown),
	};

	if (system("\"$SAWT\" migrate >/dev/null") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
