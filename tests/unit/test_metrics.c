/*
 * test_metrics.c - metric families and the Prometheus text format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "metrics.h"

#define L(...) ((const char *const[]){ __VA_ARGS__ })

static char out[8192];

/* Render m into out; true when it rendered. */
static bool render(const struct metrics *m)
{
	struct strbuf sb;

	strbuf_init(&sb, out, sizeof(out));
	return metrics_render(m, &sb);
}

static void test_counter_and_gauge(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_family *c, *g;

	(void)state;
	assert_non_null(m);
	c = metrics_family(m, METRICS_COUNTER, "sawt_messages_total", "Messages stored.",
			   "transport,outcome");
	g = metrics_family(m, METRICS_GAUGE, "sawt_spool_messages", "Messages in the spool.", NULL);
	assert_non_null(c);
	assert_non_null(g);
	metrics_add(c, L("gsm", "accepted"), 1);
	metrics_add(c, L("http", "rejected"), 2);
	metrics_add(c, L("gsm", "accepted"), 1);
	metrics_set(g, NULL, 3);
	metrics_set(g, NULL, 4);
	assert_true(render(m));
	assert_string_equal(out,
			    "# HELP sawt_messages_total Messages stored.\n"
			    "# TYPE sawt_messages_total counter\n"
			    "sawt_messages_total{transport=\"gsm\",outcome=\"accepted\"} 2\n"
			    "sawt_messages_total{transport=\"http\",outcome=\"rejected\"} 2\n"
			    "# HELP sawt_spool_messages Messages in the spool.\n"
			    "# TYPE sawt_spool_messages gauge\n"
			    "sawt_spool_messages 4\n");
	assert_true(metrics_get(c, L("gsm", "accepted")) == 2);
	assert_true(metrics_get(c, L("ussd", "accepted")) == 0);
	assert_string_equal(metrics_error(m), "");
	metrics_free(m);
}

static void test_declared_again(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_family *a, *b;

	(void)state;
	a = metrics_family(m, METRICS_GAUGE, "sawt_x", "X.", "a");
	b = metrics_family(m, METRICS_GAUGE, "sawt_x", "other help", "a");
	assert_non_null(a);
	assert_ptr_equal(a, b);
	metrics_set(b, L("1"), 5);
	assert_true(metrics_get(a, L("1")) == 5);
	assert_null(metrics_family(m, METRICS_COUNTER, "sawt_x", "X.", "a"));
	assert_false(render(m));
	assert_string_equal(metrics_error(m),
			    "metric \"sawt_x\" declared again with another type or labels");
	metrics_free(m);

	m = metrics_new();
	assert_non_null(metrics_family(m, METRICS_GAUGE, "sawt_x", "X.", "a"));
	assert_null(metrics_family(m, METRICS_GAUGE, "sawt_x", "X.", "a,b"));
	assert_false(render(m));
	metrics_free(m);
}

static void test_escaping(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_family *g;

	(void)state;
	g = metrics_family(m, METRICS_GAUGE, "sawt_modem_up", "A help\\line\nwith \"quotes\".",
			   "modem");
	metrics_set(g, L("a\\b\"c\nd"), 1);
	metrics_set(g, L("bad\xff\xfe utf8 \xd8\xa7"), 0);
	metrics_set(g, L(""), 2);
	assert_true(render(m));
	assert_string_equal(out,
			    "# HELP sawt_modem_up A help\\\\line\\nwith \"quotes\".\n"
			    "# TYPE sawt_modem_up gauge\n"
			    "sawt_modem_up{modem=\"a\\\\b\\\"c\\nd\"} 1\n"
			    "sawt_modem_up{modem=\"bad\xef\xbf\xbd\xef\xbf\xbd utf8 \xd8\xa7\"} 0\n"
			    "sawt_modem_up{modem=\"\"} 2\n");
	metrics_free(m);
}

static void test_histogram(void **state)
{
	static const double le[] = { 0.001, 0.01, 0.1 };
	struct metrics *m = metrics_new();
	struct metrics_family *f;
	struct metrics_hist h;

	(void)state;
	assert_true(metrics_hist_init(&h, le, 3));
	metrics_hist_observe(&h, 0.0005);
	metrics_hist_observe(&h, 0.001); /* on a bound: in that bucket */
	metrics_hist_observe(&h, 0.05);
	metrics_hist_observe(&h, 2);
	f = metrics_family(m, METRICS_HISTOGRAM, "sawt_db_query_duration_seconds", "Query latency.",
			   NULL);
	metrics_hist_set(f, NULL, &h);
	assert_true(render(m));
	assert_string_equal(out,
			    "# HELP sawt_db_query_duration_seconds Query latency.\n"
			    "# TYPE sawt_db_query_duration_seconds histogram\n"
			    "sawt_db_query_duration_seconds_bucket{le=\"0.001\"} 2\n"
			    "sawt_db_query_duration_seconds_bucket{le=\"0.01\"} 2\n"
			    "sawt_db_query_duration_seconds_bucket{le=\"0.1\"} 3\n"
			    "sawt_db_query_duration_seconds_bucket{le=\"+Inf\"} 4\n"
			    "sawt_db_query_duration_seconds_sum 2.0515\n"
			    "sawt_db_query_duration_seconds_count 4\n");
	assert_true(metrics_get(f, NULL) == 4);
	metrics_free(m);
}

static void test_histogram_labels(void **state)
{
	static const double le[] = { 1 };
	struct metrics *m = metrics_new();
	struct metrics_family *f;
	struct metrics_hist h;

	(void)state;
	assert_true(metrics_hist_init(&h, le, 1));
	metrics_hist_observe(&h, 0.5);
	f = metrics_family(m, METRICS_HISTOGRAM, "sawt_x_seconds", "X.", "path");
	metrics_hist_set(f, L("/metrics"), &h);
	assert_true(render(m));
	assert_string_equal(out,
			    "# HELP sawt_x_seconds X.\n"
			    "# TYPE sawt_x_seconds histogram\n"
			    "sawt_x_seconds_bucket{path=\"/metrics\",le=\"1\"} 1\n"
			    "sawt_x_seconds_bucket{path=\"/metrics\",le=\"+Inf\"} 1\n"
			    "sawt_x_seconds_sum{path=\"/metrics\"} 0.5\n"
			    "sawt_x_seconds_count{path=\"/metrics\"} 1\n");
	metrics_free(m);
}

static void test_hist_init_and_merge(void **state)
{
	static const double up[] = { 1, 2, 3 }, down[] = { 1, 3, 2 }, same[] = { 1, 1 };
	static const double other[] = { 1, 2, 4 };
	double inf = 1e308 * 10, nan = inf - inf;
	double bad_inf[] = { 1, inf }, bad_nan[] = { nan };
	double many[METRICS_BUCKETS_MAX + 1];
	struct metrics_hist a, b, z;

	(void)state;
	for (int i = 0; i <= METRICS_BUCKETS_MAX; i++)
		many[i] = i;
	assert_false(metrics_hist_init(&a, down, 3));
	assert_false(metrics_hist_init(&a, same, 2));
	assert_false(metrics_hist_init(&a, bad_inf, 2));
	assert_false(metrics_hist_init(&a, bad_nan, 1));
	assert_false(metrics_hist_init(&a, up, 0));
	assert_false(metrics_hist_init(&a, many, METRICS_BUCKETS_MAX + 1));
	assert_true(metrics_hist_init(&a, many, METRICS_BUCKETS_MAX));
	assert_true(metrics_hist_init(&a, up, 3));
	assert_true(metrics_hist_init(&b, up, 3));
	metrics_hist_observe(&a, 1.5);
	metrics_hist_observe(&a, nan);
	metrics_hist_observe(&b, 10);
	assert_int_equal(a.count, 1);
	assert_true(metrics_hist_merge(&a, &b));
	assert_int_equal(a.count, 2);
	assert_int_equal(a.bucket[1], 1);
	assert_int_equal(a.bucket[3], 1);
	assert_true(a.sum == 11.5);
	memset(&z, 0, sizeof(z));
	assert_true(metrics_hist_merge(&a, &z)); /* zeroed: nothing to add */
	assert_int_equal(a.count, 2);
	assert_int_equal(a.n, 3);
	assert_true(metrics_hist_merge(&z, &a));
	assert_int_equal(z.n, 3);
	assert_int_equal(z.count, 2);
	assert_true(metrics_hist_init(&b, other, 3));
	assert_false(metrics_hist_merge(&a, &b));
	assert_int_equal(a.count, 2);
}

static void test_errors(void **state)
{
	static const char *const bad_names[] = { "", "9lives", "sawt-x", "sawt x", "sawt_é" };
	struct metrics *m;
	struct metrics_family *f;
	struct metrics_hist h;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		m = metrics_new();
		assert_null(metrics_family(m, METRICS_GAUGE, bad_names[i], "x", NULL));
		assert_false(render(m));
		metrics_free(m);
	}
	m = metrics_new();
	assert_non_null(metrics_family(m, METRICS_GAUGE, "ns:sub_x", "colons are allowed", NULL));
	assert_true(render(m));
	metrics_free(m);

	m = metrics_new();
	assert_null(metrics_family(m, METRICS_GAUGE, "sawt_x", "x", "__reserved"));
	assert_string_equal(metrics_error(m),
			    "metric \"sawt_x\": invalid label name \"__reserved\"");
	metrics_free(m);
	m = metrics_new();
	assert_null(metrics_family(m, METRICS_HISTOGRAM, "sawt_x", "x", "le"));
	metrics_free(m);
	m = metrics_new();
	assert_null(metrics_family(m, METRICS_GAUGE, "sawt_x", "x", "a,a"));
	metrics_free(m);
	m = metrics_new();
	assert_null(metrics_family(m, METRICS_GAUGE, "sawt_x", "x", "a,,b"));
	metrics_free(m);
	m = metrics_new();
	assert_null(metrics_family(m, METRICS_GAUGE, "sawt_x", "x", "a,b,c,d,e,f,g"));
	metrics_free(m);

	/* a missing label value: the series is not made, render fails */
	m = metrics_new();
	f = metrics_family(m, METRICS_GAUGE, "sawt_x", "x", "a,b");
	metrics_set(f, L("1", NULL), 1);
	assert_false(render(m));
	assert_string_equal(metrics_error(m), "metric \"sawt_x\": no value for label \"b\"");
	metrics_free(m);

	/* the wrong kind of value */
	m = metrics_new();
	f = metrics_family(m, METRICS_HISTOGRAM, "sawt_x", "x", NULL);
	metrics_set(f, NULL, 1);
	assert_false(render(m));
	metrics_free(m);
	m = metrics_new();
	f = metrics_family(m, METRICS_GAUGE, "sawt_x", "x", NULL);
	assert_true(metrics_hist_init(&h, metrics_latency_le, metrics_latency_n));
	metrics_hist_set(f, NULL, &h);
	assert_false(render(m));
	metrics_free(m);
	m = metrics_new();
	f = metrics_family(m, METRICS_HISTOGRAM, "sawt_x", "x", NULL);
	memset(&h, 0, sizeof(h));
	metrics_hist_set(f, NULL, &h);
	assert_false(render(m));
	metrics_free(m);

	/* after an error everything is a no-op, NULL families included */
	m = metrics_new();
	assert_null(metrics_family(m, METRICS_GAUGE, "bad name", "x", NULL));
	assert_null(metrics_family(m, METRICS_GAUGE, "sawt_good", "x", NULL));
	metrics_set(NULL, NULL, 1);
	metrics_add(NULL, NULL, 1);
	metrics_hist_set(NULL, NULL, &h);
	metrics_family_clear(NULL);
	assert_true(metrics_get(NULL, NULL) == 0);
	assert_string_equal(metrics_error(m), "invalid metric name \"bad name\"");
	metrics_free(m);
	metrics_free(NULL);
}

static void test_clear_and_empty(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_family *f;

	(void)state;
	f = metrics_family(m, METRICS_GAUGE, "sawt_modem_up", "Up.", "modem");
	metrics_set(f, L("a"), 1);
	metrics_set(f, L("b"), 1);
	metrics_family_clear(f);
	metrics_set(f, L("c"), 0);
	assert_true(render(m));
	assert_string_equal(out,
			    "# HELP sawt_modem_up Up.\n"
			    "# TYPE sawt_modem_up gauge\n"
			    "sawt_modem_up{modem=\"c\"} 0\n");
	assert_true(metrics_get(f, L("a")) == 0);
	metrics_family_clear(f);
	assert_true(render(m));
	assert_string_equal(out, "# HELP sawt_modem_up Up.\n# TYPE sawt_modem_up gauge\n");
	metrics_free(m);
}

static void test_overflow(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_family *f;
	char small[40];
	struct strbuf sb;

	(void)state;
	f = metrics_family(m, METRICS_COUNTER, "sawt_x_total", "A counter.", NULL);
	metrics_add(f, NULL, 1);
	strbuf_init(&sb, small, sizeof(small));
	assert_false(metrics_render(m, &sb));
	assert_true(sb.overflow);
	metrics_free(m);
}

static void test_format_value(void **state)
{
	char buf[40];
	double inf = 1e308 * 10;

	(void)state;
	assert_string_equal(metrics_format_value(0, buf, sizeof(buf)), "0");
	assert_string_equal(metrics_format_value(-0.0, buf, sizeof(buf)), "0");
	assert_string_equal(metrics_format_value(42, buf, sizeof(buf)), "42");
	assert_string_equal(metrics_format_value(-7, buf, sizeof(buf)), "-7");
	assert_string_equal(metrics_format_value(18446744073709551615.0, buf, sizeof(buf)),
			    "1.8446744073709552e+19");
	assert_string_equal(metrics_format_value(0.005, buf, sizeof(buf)), "0.005");
	assert_string_equal(metrics_format_value(2.5, buf, sizeof(buf)), "2.5");
	assert_string_equal(metrics_format_value(0.1 + 0.2, buf, sizeof(buf)),
			    "0.30000000000000004");
	assert_string_equal(metrics_format_value(1e-9, buf, sizeof(buf)), "1e-09");
	assert_string_equal(metrics_format_value(inf, buf, sizeof(buf)), "+Inf");
	assert_string_equal(metrics_format_value(-inf, buf, sizeof(buf)), "-Inf");
	assert_string_equal(metrics_format_value(inf - inf, buf, sizeof(buf)), "NaN");
}

static void test_latency_bounds(void **state)
{
	struct metrics_hist h;

	(void)state;
	assert_true(metrics_hist_init(&h, metrics_latency_le, metrics_latency_n));
	assert_true(metrics_latency_n <= METRICS_BUCKETS_MAX);
	assert_true(metrics_latency_le[metrics_latency_n - 1] == 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_and_gauge),
		cmocka_unit_test(test_declared_again),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_histogram_labels),
		cmocka_unit_test(test_hist_init_and_merge),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_clear_and_empty),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_format_value),
		cmocka_unit_test(test_latency_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
