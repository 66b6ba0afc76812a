/*
 * test_outbox.c - the outbox sender against a real PostgreSQL, with fake
 * modems: priorities, sent and delivered, retries with backoff up to
 * failed, a modem going down (its rows go to another modem), stuck rows,
 * and two nodes sharing one outbox without sending anything twice.
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
	sql("TRUNCATE sawt.outbox");
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
	};

	if (system("\"$SAWT\" migrate >/dev/null") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
