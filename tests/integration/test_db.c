/*
 * test_db.c - the asynchronous database module against a real server
 * (run under tests/pgtmp.sh): queries, parameters, errors, pipelining,
 * a server restart under an open connection, and a server that is down.
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

struct outcome {
	int calls;
	bool ok;
	char value[256];
	bool isnull;
	char sqlstate[6];
	char error[256];
	long affected;
};

static struct event_base *base;
static struct db *db;

static void record_cb(const struct db_result *res, void *arg)
{
	struct outcome *o = arg;

	o->calls++;
	o->ok = db_result_ok(res);
	snprintf(o->value, sizeof(o->value), "%s", db_result_value(res, 0, 0));
	o->isnull = db_result_isnull(res, 0, 0);
	snprintf(o->sqlstate, sizeof(o->sqlstate), "%s", db_result_sqlstate(res));
	snprintf(o->error, sizeof(o->error), "%s", db_result_error(res));
	o->affected = db_result_affected(res);
}

/* Run the loop until *done becomes nonzero (or 20 s pass). */
static void run_until(int *done)
{
	struct timeval tick = { 0, 20000 };
	int rounds = 0;

	while (*done == 0 && rounds++ < 1000) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
}

/* Run the loop for ms milliseconds. */
static void run_for(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static char *test_conninfo(void)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "host=%s port=%s user=%s dbname=%s", getenv("PGHOST"),
		 getenv("PGPORT"), getenv("PGUSER"), getenv("PGDATABASE"));
	return strdup(buf);
}

static int setup(void **state)
{
	char *ci = test_conninfo();

	(void)state;
	base = event_base_new();
	db = db_new(base, ci);
	free(ci);
	assert_non_null(db);
	db_start(db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_free(db);
	event_base_free(base);
	return 0;
}

static void test_simple_query(void **state)
{
	struct outcome o = { 0 };

	(void)state;
	assert_true(db_query(db, "SELECT 1 + 1", 0, NULL, record_cb, &o));
	run_until(&o.calls);
	assert_int_equal(o.calls, 1);
	assert_true(o.ok);
	assert_string_equal(o.value, "2");
	assert_int_equal(db_get_state(db), DB_STATE_READY);
	assert_int_equal(db_pending(db), 0);
}

static void test_parameters_and_null(void **state)
{
	const char *p1[] = { "21", "صوت" };
	const char *p2[] = { NULL };
	struct outcome a = { 0 }, b = { 0 }, c = { 0 };

	(void)state;
	assert_true(db_query(db, "SELECT $1::int * 2 || ' ' || $2", 2, p1, record_cb, &a));
	assert_true(db_query(db, "SELECT $1::text", 1, p2, record_cb, &b));
	/* text that looks like SQL is only ever a value */
	const char *p3[] = { "'; DROP TABLE x; --" };
	assert_true(db_query(db, "SELECT $1::text", 1, p3, record_cb, &c));
	run_until(&c.calls);
	assert_string_equal(a.value, "42 صوت");
	assert_true(b.ok);
	assert_true(b.isnull);
	assert_string_equal(c.value, "'; DROP TABLE x; --");
}

static void test_error_is_isolated(void **state)
{
	struct outcome bad = { 0 }, good = { 0 }, ddl = { 0 }, ins = { 0 };

	(void)state;
	assert_true(db_query(db, "SELECT * FROM no_such_table", 0, NULL, record_cb, &bad));
	assert_true(db_query(db, "CREATE TEMP TABLE t (x int)", 0, NULL, record_cb, &ddl));
	assert_true(db_query(db, "INSERT INTO t SELECT generate_series(1, 7)", 0, NULL, record_cb,
			     &ins));
	assert_true(db_query(db, "SELECT count(*) FROM t", 0, NULL, record_cb, &good));
	run_until(&good.calls);
	assert_false(bad.ok);
	assert_string_equal(bad.sqlstate, "42P01");
	assert_non_null(strstr(bad.error, "no_such_table"));
	assert_true(ddl.ok);
	assert_int_equal(ins.affected, 7);
	assert_true(good.ok);
	assert_string_equal(good.value, "7");
}

/* Every query counted once; latency from sending to the result. */
static void test_stats(void **state)
{
	struct outcome bad = { 0 }, slow = { 0 }, fast = { 0 };
	struct db_stats st, sum = { 0 };
	uint64_t above = 0;

	(void)state;
	assert_true(db_query(db, "SELECT * FROM no_such_table", 0, NULL, record_cb, &bad));
	assert_true(db_query(db, "SELECT pg_sleep(0.06)", 0, NULL, record_cb, &slow));
	assert_true(db_query(db, "SELECT 1", 0, NULL, record_cb, &fast));
	run_until(&fast.calls);
	db_get_stats(db, &st);
	assert_int_equal(st.answered, 3);
	assert_int_equal(st.errors, 1);
	assert_int_equal(st.unanswered, 0);
	assert_int_equal(st.connects, 1);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.latency.count, 3);
	assert_int_equal(st.latency.n, metrics_latency_n);
	assert_true(st.latency.sum >= 0.06);
	/* pg_sleep(0.06) and the query behind it in the pipeline waited at
	 * least 60 ms: above the 0.05 bound */
	for (size_t i = 0; i <= st.latency.n; i++)
		if (i == st.latency.n || st.latency.le[i] > 0.05)
			above += st.latency.bucket[i];
	assert_true(above >= 2);
	assert_true(db_stats_add(&sum, &st));
	assert_true(db_stats_add(&sum, &st));
	assert_int_equal(sum.answered, 6);
	assert_int_equal(sum.latency.count, 6);
}

struct order {
	int next;
	int wrong;
};

static void order_cb(const struct db_result *res, void *arg)
{
	struct order *o = arg;

	if (!db_result_ok(res) || atoi(db_result_value(res, 0, 0)) != o->next)
		o->wrong++;
	o->next++;
}

static void test_pipeline_keeps_order(void **state)
{
	struct order o = { 0, 0 };
	char num[16];
	const char *p[] = { num };
	int done = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		snprintf(num, sizeof(num), "%d", i);
		assert_true(db_query(db, "SELECT $1::int", 1, p, order_cb, &o));
	}
	while (o.next < 2000 && done++ < 1000)
		run_for(20);
	assert_int_equal(o.next, 2000);
	assert_int_equal(o.wrong, 0);
}

static void pgctl(const char *what)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "\"%s\" %s", getenv("SAWT_TEST_PGCTL"), what);
	assert_int_equal(system(cmd), 0);
}

static void start_server_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	pgctl("start");
}

static void test_server_restart(void **state)
{
	struct outcome before = { 0 }, inflight = { 0 }, during = { 0 };
	struct timeval later = { 1, 0 };
	struct event *ev;

	(void)state;
	assert_true(db_query(db, "SELECT 'before'", 0, NULL, record_cb, &before));
	run_until(&before.calls);
	assert_true(before.ok);

	/* a query in flight when the server goes away fails... */
	assert_true(db_query(db, "SELECT pg_sleep(30)", 0, NULL, record_cb, &inflight));
	run_for(200);
	pgctl("stop");
	run_until(&inflight.calls);
	assert_int_equal(inflight.calls, 1);
	assert_false(inflight.ok);
	assert_int_not_equal(db_get_state(db), DB_STATE_READY);

	/* ...a query queued while it is down waits, then succeeds */
	assert_true(db_query(db, "SELECT 'after'", 0, NULL, record_cb, &during));
	run_for(300);
	assert_int_equal(during.calls, 0);
	ev = evtimer_new(base, start_server_cb, NULL);
	evtimer_add(ev, &later);
	run_until(&during.calls);
	event_free(ev);
	assert_int_equal(during.calls, 1);
	assert_true(during.ok);
	assert_string_equal(during.value, "after");
	assert_int_equal(db_get_state(db), DB_STATE_READY);
	{
		struct db_stats st;

		db_get_stats(db, &st);
		assert_int_equal(st.connects, 2);
		assert_int_equal(st.lost, 1);
		/* the one in flight: the server's "terminating connection"
		 * error, or nothing before the connection closed */
		assert_int_equal(st.answered + st.unanswered, 3);
		assert_int_equal(st.answered - st.errors, 2);
	}
}

static void test_server_down_does_not_block(void **state)
{
	struct event_base *b = event_base_new();
	struct db *d = db_new(
		b, "host=/nonexistent/socket/dir port=5432 user=x dbname=x connect_timeout=2");
	struct timeval t = { 1, 0 };
	struct outcome o = { 0 };

	(void)state;
	assert_non_null(d);
	db_start(d);
	assert_true(db_query(d, "SELECT 1", 0, NULL, record_cb, &o));
	event_base_loopexit(b, &t);
	event_base_dispatch(b); /* returns after 1 s: the loop was never blocked */
	assert_int_equal(db_get_state(d), DB_STATE_BACKOFF);
	assert_int_equal(o.calls, 0);
	assert_int_equal(db_pending(d), 1);
	db_fail_queued(d, "test over");
	assert_int_equal(o.calls, 1);
	assert_false(o.ok);
	assert_string_equal(o.sqlstate, "08006");
	{
		struct db_stats st;

		db_get_stats(d, &st);
		assert_true(st.connect_failures >= 1);
		assert_int_equal(st.connects, 0);
		assert_int_equal(st.unanswered, 1);
		assert_int_equal(st.latency.count, 0);
	}
	db_free(d);
	db_free(NULL);
	event_base_free(b);
}

static void test_connect_blocking(void **state)
{
	const char *keys[] = { "host", "port", "user", "dbname", NULL };
	const char *vals[] = { getenv("PGHOST"), getenv("PGPORT"), getenv("PGUSER"),
			       getenv("PGDATABASE"), NULL };
	char *ci = test_conninfo();
	char err[512] = "";
	PGconn *conn;

	(void)state;
	conn = db_connect_blocking(ci, err, sizeof(err));
	free(ci);
	assert_non_null(conn);
	assert_string_equal(PQparameterStatus(conn, "client_encoding"), "UTF8");
	PQfinish(conn);
	conn = db_connect_blocking_params(keys, vals, err, sizeof(err));
	assert_non_null(conn);
	assert_string_equal(PQparameterStatus(conn, "client_encoding"), "UTF8");
	PQfinish(conn);
	/* a database that does not exist: one line, the server's words */
	ci = test_conninfo();
	ci = realloc(ci, strlen(ci) + 32);
	assert_non_null(ci);
	strcat(ci, " dbname=sawt_no_such_db");
	assert_null(db_connect_blocking(ci, err, sizeof(err)));
	free(ci);
	assert_non_null(strstr(err, "could not connect to the database: "));
	assert_non_null(strstr(err, "sawt_no_such_db"));
	assert_null(strchr(err, '\n'));
	assert_null(db_connect_blocking("port=1 host=/nonexistent/sawt", err, sizeof(err)));
	assert_non_null(strstr(err, "could not connect to the database: "));
	assert_null(strchr(err, '\n'));
	assert_int_not_equal(err[strlen(err) - 1], ' ');
}

static void test_conninfo_embedded(void **state)
{
	struct config cfg = { 0 };
	char *ci;

	(void)state;
	cfg.state_dir = "/var/lib/it's here";
	ci = db_conninfo(&cfg);
	assert_string_equal(
		ci, "host='/var/lib/it\\'s here/pg/run' port='5432' user='sawt' dbname='sawt'");
	free(ci);
	cfg.db_url = "postgresql://u@h/db";
	ci = db_conninfo(&cfg);
	assert_string_equal(ci, "postgresql://u@h/db");
	free(ci);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_blocking),
		cmocka_unit_test_setup_teardown(test_simple_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parameters_and_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_is_isolated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_keeps_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_restart, setup, teardown),
		cmocka_unit_test(test_server_down_does_not_block),
		cmocka_unit_test(test_conninfo_embedded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
