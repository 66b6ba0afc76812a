/*
 * test_health.c - the /healthz verdict and its JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "health.h"

static struct health_modem modems[2];
static struct health_sender senders[1];

/* A healthy daemon: database ready, empty spool, two modems up. */
static void healthy(struct health_input *in)
{
	memset(in, 0, sizeof(*in));
	memset(modems, 0, sizeof(modems));
	for (int i = 0; i < 2; i++) {
		modems[i].name = i == 0 ? "m1" : "m2";
		modems[i].state = "ready";
		modems[i].up = true;
		modems[i].send = true;
		modems[i].receive = true;
		modems[i].signal_percent = 60;
		modems[i].last_error = "";
	}
	in->db_ready = true;
	in->db_state = "ready";
	in->db_connections_ready = 2;
	in->db_connections = 2;
	in->spool_oldest_age_s = -1;
	in->spool_free_bytes = 100 << 20;
	in->spool_total_bytes = 1000 << 20;
	in->modems = modems;
	in->n_modems = 2;
	in->outbox_known = true;
	in->outbox_oldest_due_age_s = -1;
}

/* Run health_report on in; the parsed JSON in *root (caller decrefs). */
static bool report(const struct health_input *in, json_t **root)
{
	char buf[4096];
	json_error_t err;
	bool ok;

	assert_true(health_report(in, buf, sizeof(buf), &ok));
	*root = json_loads(buf, 0, &err);
	if (*root == NULL)
		fail_msg("not JSON (%s): %s", err.text, buf);
	return ok;
}

static const char *str_at(json_t *root, const char *key, size_t i)
{
	json_t *a = json_object_get(root, key);

	assert_true(json_is_array(a));
	if (i >= json_array_size(a))
		return NULL;
	return json_string_value(json_array_get(a, i));
}

static bool ok_of(json_t *root, const char *part)
{
	return json_is_true(json_object_get(json_object_get(root, part), "ok"));
}

static void test_healthy(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	in.outbox_queued = 3;
	in.outbox_oldest_due_age_s = 2;
	assert_true(report(&in, &root));
	assert_string_equal(json_string_value(json_object_get(root, "status")), "ok");
	assert_null(str_at(root, "reasons", 0));
	assert_null(str_at(root, "warnings", 0));
	assert_true(ok_of(root, "database"));
	assert_true(ok_of(root, "spool"));
	assert_true(ok_of(root, "outbox"));
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(root, "outbox"), "queued")), 3);
	assert_int_equal(json_array_size(json_object_get(root, "modems")), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(root, "modems"), 1), "name")),
			    "m2");
	assert_int_equal(json_array_size(json_object_get(root, "senders")), 0);
	json_decref(root);
}

static void test_database_down(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	in.db_ready = false;
	in.db_state = "backoff";
	in.db_connections_ready = 0;
	in.outbox_known = false;
	in.outbox_oldest_due_age_s = 5000; /* stale: not judged */
	in.spool_messages = 4;
	in.spool_oldest_age_s = 20;
	assert_false(report(&in, &root));
	assert_string_equal(json_string_value(json_object_get(root, "status")), "fail");
	assert_string_equal(str_at(root, "reasons", 0),
			    "database: not connected (backoff); messages are spooled");
	assert_null(str_at(root, "reasons", 1));
	assert_false(ok_of(root, "database"));
	assert_true(ok_of(root, "spool"));
	assert_true(ok_of(root, "outbox"));
	json_decref(root);
}

static void test_spool_stuck(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	in.spool_messages = 2;
	in.spool_oldest_age_s = HEALTH_SPOOL_AGE_MAX_S;
	assert_true(report(&in, &root));
	assert_string_equal(str_at(root, "warnings", 0),
			    "spool: 2 message(s) waiting to be replayed");
	json_decref(root);
	in.spool_oldest_age_s = HEALTH_SPOOL_AGE_MAX_S + 1;
	assert_false(report(&in, &root));
	assert_string_equal(str_at(root, "reasons", 0),
			    "spool: the oldest message has waited 301 s (limit 300 s)");
	assert_false(ok_of(root, "spool"));
	json_decref(root);
	in.spool_age_max_s = 1000;
	assert_true(report(&in, &root));
	json_decref(root);
}

/* Messages refused (the spool's disk full): unhealthy, with the figures;
 * the spool running low and messages still held are warnings. */
static void test_spool_refusing(void **state)
{
	struct health_input in;
	json_t *root, *sp;

	(void)state;
	healthy(&in);
	in.db_ready = false;
	in.db_state = "backoff";
	in.spool_messages = 80;
	in.spool_oldest_age_s = 30;
	in.spool_free_bytes = 0;
	in.spool_total_bytes = 327680;
	in.spool_low = true;
	in.refusing = true;
	in.held_on_source = 520;
	assert_false(report(&in, &root));
	assert_string_equal(str_at(root, "reasons", 1),
			    "spool: messages are refused (neither stored nor spooled, 0 bytes "
			    "free); 520 held on their sources");
	assert_false(ok_of(root, "spool"));
	sp = json_object_get(root, "spool");
	assert_int_equal(json_integer_value(json_object_get(sp, "free_bytes")), 0);
	assert_int_equal(json_integer_value(json_object_get(sp, "total_bytes")), 327680);
	assert_int_equal(json_integer_value(json_object_get(sp, "held_on_source")), 520);
	assert_true(json_is_true(json_object_get(sp, "refusing")));
	assert_true(json_is_true(json_object_get(sp, "low")));
	json_decref(root);

	/* the database back, the refusals over: healthy, with warnings */
	in.db_ready = true;
	in.db_state = "ready";
	in.spool_messages = 0;
	in.spool_oldest_age_s = -1;
	in.refusing = false;
	in.spool_free_bytes = 16384;
	in.held_on_source = 3;
	assert_true(report(&in, &root));
	assert_string_equal(str_at(root, "warnings", 0),
			    "spool: its filesystem is nearly full (16384 of 327680 bytes free)");
	assert_string_equal(str_at(root, "warnings", 1),
			    "sources: 3 refused message(s) held, being offered again");
	assert_true(ok_of(root, "spool"));
	json_decref(root);
}

static void test_modems(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	modems[1].up = false;
	modems[1].state = "no_network";
	assert_true(report(&in, &root));
	assert_string_equal(str_at(root, "warnings", 0), "modem \"m2\": no_network");
	json_decref(root);

	modems[0].up = false;
	modems[0].state = "down";
	assert_false(report(&in, &root));
	assert_string_equal(str_at(root, "reasons", 0),
			    "senders: no modem that sends is ready and no other sender is up");
	json_decref(root);

	/* a modem that only receives cannot answer anyone */
	healthy(&in);
	modems[0].send = false;
	modems[1].send = false;
	assert_false(report(&in, &root));
	assert_string_equal(str_at(root, "reasons", 0),
			    "senders: nothing is configured to send replies");
	json_decref(root);
}

static void test_other_sender(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	modems[0].send = modems[1].send = false;
	senders[0] =
		(struct health_sender){ .name = "kannel", .up = true, .state = "up", .detail = "" };
	in.senders = senders;
	in.n_senders = 1;
	assert_true(report(&in, &root));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(root, "senders"), 0), "name")),
			    "kannel");
	json_decref(root);
	senders[0].up = false;
	senders[0].state = "down";
	assert_false(report(&in, &root));
	json_decref(root);
	/* the modems still send: Kannel down is a warning */
	modems[0].send = true;
	assert_true(report(&in, &root));
	assert_string_equal(str_at(root, "warnings", 0), "sender \"kannel\": down");
	json_decref(root);
}

static void test_outbox_backlog(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	in.outbox_queued = 900;
	in.outbox_oldest_due_age_s = HEALTH_OUTBOX_AGE_MAX_S + 1;
	assert_false(report(&in, &root));
	assert_string_equal(str_at(root, "reasons", 0),
			    "outbox: the oldest message due has waited 601 s (limit 600 s)");
	assert_false(ok_of(root, "outbox"));
	json_decref(root);
	in.outbox_age_max_s = 3600;
	assert_true(report(&in, &root));
	json_decref(root);
}

static void test_write_connections(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	in.db_connections_ready = 1;
	assert_true(report(&in, &root));
	assert_string_equal(str_at(root, "warnings", 0), "database: 1 of 2 write connections up");
	json_decref(root);
}

static void test_too_small(void **state)
{
	struct health_input in;
	char buf[64];
	bool ok = false;

	(void)state;
	healthy(&in);
	assert_false(health_report(&in, buf, sizeof(buf), &ok));
	assert_true(ok);
}

static void test_escaped(void **state)
{
	struct health_input in;
	json_t *root;

	(void)state;
	healthy(&in);
	modems[0].last_error = "bad \"PIN\"\n\xff";
	assert_true(report(&in, &root));
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(root, "modems"), 0), "last_error")),
		"bad \"PIN\"\n\xef\xbf\xbd");
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),        cmocka_unit_test(test_database_down),
		cmocka_unit_test(test_spool_stuck),    cmocka_unit_test(test_spool_refusing),
		cmocka_unit_test(test_modems),         cmocka_unit_test(test_other_sender),
		cmocka_unit_test(test_outbox_backlog), cmocka_unit_test(test_write_connections),
		cmocka_unit_test(test_escaped),        cmocka_unit_test(test_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
