/*
 * test_sender.c - rate limit, mute, PIN lock and their replay after a
 * restart (sender.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sender.h"

#define MIN (60 * 1000)

static const struct sender_rules rules = { .rate_max = 3, .rate_window_s = 60, .mute_s = 3600 };

static struct sender *fresh(struct sender_table **t)
{
	*t = sender_table_new();
	assert_non_null(*t);
	return sender_table_get(*t, "+9613123456", 1000);
}

static void test_rate_mutes_the_message_over_the_limit(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);
	bool started;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_false(sender_rate(s, &rules, 1000 + i * 1000, &started));
		assert_false(started);
	}
	assert_true(sender_rate(s, &rules, 4000, &started));
	assert_true(started);
	assert_true(sender_rate(s, &rules, 5000, &started));
	assert_false(started); /* the alert is raised once */
	/* muted for mute_s after the message that muted it */
	assert_true(sender_rate(s, &rules, 4000 + 3600 * 1000 - 1, &started));
	assert_false(sender_rate(s, &rules, 4000 + 3600 * 1000, &started));
	sender_table_free(t);
}

static void test_rate_window_slides(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);
	bool started;

	(void)state;
	/* one message every 20 s: four within 60 s never happen */
	for (int i = 0; i < 20; i++)
		assert_false(sender_rate(s, &rules, 1000 + (int64_t)i * 20001, &started));
	sender_table_free(t);
}

static void test_three_wrong_pins_lock(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);

	(void)state;
	assert_false(sender_pin_fail(s, 1000));
	assert_false(sender_pin_fail(s, 2000));
	assert_false(sender_locked(s, 2000));
	assert_true(sender_pin_fail(s, 3000));
	assert_true(sender_locked(s, 3000 + 30 * MIN - 1));
	assert_false(sender_locked(s, 3000 + 30 * MIN));
	sender_table_free(t);
}

static void test_old_wrong_pins_and_right_pin_forgotten(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);

	(void)state;
	assert_false(sender_pin_fail(s, 1000));
	assert_false(sender_pin_fail(s, 2000));
	/* ten minutes later the first two no longer count */
	assert_false(sender_pin_fail(s, 1000 + 10 * MIN + 1000));
	assert_false(sender_pin_fail(s, 1000 + 10 * MIN + 2000));
	assert_true(sender_pin_fail(s, 1000 + 10 * MIN + 3000));
	sender_table_free(t);

	s = fresh(&t);
	assert_false(sender_pin_fail(s, 1000));
	assert_false(sender_pin_fail(s, 2000));
	sender_pin_ok(s);
	assert_false(sender_pin_fail(s, 3000));
	assert_false(sender_pin_fail(s, 4000));
	assert_true(sender_pin_fail(s, 5000));
	sender_table_free(t);
}

/* A key noted before is seen again, until SENDER_SEEN newer ones pushed
 * it out. */
static void test_seen_keys(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);

	(void)state;
	assert_false(sender_seen(s, 42));
	assert_true(sender_seen(s, 42));
	for (uint64_t k = 1; k < SENDER_SEEN; k++)
		assert_false(sender_seen(s, 1000 + k));
	assert_true(sender_seen(s, 42));
	assert_false(sender_seen(s, 2000)); /* the 65th pushes out 42 */
	assert_false(sender_seen(s, 42));
	sender_table_free(t);
}

/* A stranger is answered once an hour; a replayed reply counts. */
static void test_unknown_reply_window(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);

	(void)state;
	assert_true(sender_unknown_reply(s, -5000)); /* negative clocks work */
	assert_false(sender_unknown_reply(s, 1000));
	assert_false(sender_unknown_reply(s, -5000 + SENDER_UNKNOWN_WINDOW_MS - 1));
	assert_true(sender_unknown_reply(s, -5000 + SENDER_UNKNOWN_WINDOW_MS));
	sender_table_sweep(t, 10 * SENDER_UNKNOWN_WINDOW_MS / 10); /* still within the hour */
	assert_int_equal(sender_table_len(t), 1);
	s = sender_table_get(t, "+96170000001", 0);
	sender_replay(s, NULL, SENDER_EV_UNKNOWN_REPLIED, 2 * SENDER_UNKNOWN_WINDOW_MS);
	assert_false(sender_unknown_reply(s, 2 * SENDER_UNKNOWN_WINDOW_MS + 1));
	sender_table_free(t);
}

/* Events from before the restart have times before the monotonic clock's
 * start: negative ones must work. */
static void test_replay_restores_lock_and_mute(void **state)
{
	struct sender_table *t = sender_table_new();
	struct sender *s;
	bool started;

	(void)state;
	assert_non_null(t);
	s = sender_table_get(t, "+9613123456", -20 * MIN);
	sender_replay(s, &rules, SENDER_EV_PIN_LOCKED, -20 * MIN);
	sender_replay(s, &rules, SENDER_EV_PIN_LOCKED, -5 * MIN); /* inside: no extension */
	assert_true(sender_locked(s, 1000));
	assert_true(sender_locked(s, 10 * MIN - 1));
	assert_false(sender_locked(s, 10 * MIN));

	sender_replay(s, &rules, SENDER_EV_RATE_LIMITED, -50 * MIN);
	sender_replay(s, &rules, SENDER_EV_RATE_LIMITED, -40 * MIN);
	assert_true(sender_rate(s, &rules, 1000, &started));
	assert_false(started);
	assert_false(sender_rate(s, &rules, 10 * MIN, &started));
	sender_table_free(t);
}

static void test_replay_counts_wrong_pins(void **state)
{
	struct sender_table *t = sender_table_new();
	struct sender *s;

	(void)state;
	assert_non_null(t);
	s = sender_table_get(t, "+9613123456", -3 * MIN);
	sender_replay(s, &rules, SENDER_EV_BAD_PIN, -3 * MIN);
	sender_replay(s, &rules, SENDER_EV_PIN_OK, -2 * MIN);
	sender_replay(s, &rules, SENDER_EV_BAD_PIN, -2 * MIN);
	sender_replay(s, &rules, SENDER_EV_BAD_PIN, -1 * MIN);
	assert_false(sender_locked(s, 1000));
	assert_true(sender_pin_fail(s, 1000)); /* the third since the right PIN */
	sender_table_free(t);
}

/* The operator's unmute ends the mute that was on when it was asked, not a
 * later one; the messages counted before it are forgotten; replayed after
 * a restart it does the same. */
static void test_unmute(void **state)
{
	struct sender_table *t;
	struct sender *s = fresh(&t);
	bool started;

	(void)state;
	assert_null(sender_table_find(t, "+9613000000"));
	assert_ptr_equal(sender_table_find(t, "+9613123456"), s);
	for (int i = 0; i < 4; i++)
		assert_int_equal(sender_rate(s, &rules, 1000 + i * 1000, &started), i == 3);
	assert_true(started);           /* muted at 4000 */
	sender_unmute(s, &rules, 3000); /* asked before the mute began: it stays */
	assert_true(sender_rate(s, &rules, 10000, &started));
	sender_unmute(s, &rules, 20000);
	sender_unmute(s, &rules, 20000); /* twice: no more than once */
	for (int i = 0; i < 3; i++)
		assert_false(sender_rate(s, &rules, 21000 + i * 1000, &started));
	assert_true(sender_rate(s, &rules, 24000, &started)); /* a new flood */
	assert_true(started);
	sender_unmute(s, &rules, 23000); /* before the new flood's mute */
	assert_true(sender_rate(s, &rules, 25000, &started));
	sender_table_free(t);

	/* after a restart: the mute, then the unmute, replayed in order */
	s = fresh(&t);
	sender_replay(s, &rules, SENDER_EV_RATE_LIMITED, 1000);
	sender_replay(s, &rules, SENDER_EV_RATE_LIMITED, 2000);
	assert_true(sender_rate(s, &rules, 3000, &started));
	sender_replay(s, &rules, SENDER_EV_UNMUTED, 4000);
	assert_false(sender_rate(s, &rules, 5000, &started));
	sender_table_free(t);
}

static void test_table(void **state)
{
	struct sender_table *t = sender_table_new();
	struct sender *a, *b;
	char longkey[SENDER_KEY_MAX + 8];

	(void)state;
	assert_non_null(t);
	a = sender_table_get(t, "+9613000001", 1000);
	b = sender_table_get(t, "+9613000002", 1000);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_equal(sender_table_get(t, "+9613000001", 2000), a);
	memset(longkey, '9', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_null(sender_table_get(t, longkey, 1000));
	assert_true(sender_pin_fail(b, 1000) == false && sender_pin_fail(b, 1001) == false &&
		    sender_pin_fail(b, 1002));
	/* an hour later: a is forgotten, b too once its lock is over */
	sender_table_sweep(t, 1002 + 29 * MIN);
	assert_int_equal(sender_table_len(t), 1);
	sender_table_sweep(t, 1002 + 31 * MIN);
	assert_int_equal(sender_table_len(t), 0);
	sender_table_free(t);
	sender_table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_mutes_the_message_over_the_limit),
		cmocka_unit_test(test_rate_window_slides),
		cmocka_unit_test(test_three_wrong_pins_lock),
		cmocka_unit_test(test_old_wrong_pins_and_right_pin_forgotten),
		cmocka_unit_test(test_seen_keys),
		cmocka_unit_test(test_unknown_reply_window),
		cmocka_unit_test(test_replay_restores_lock_and_mute),
		cmocka_unit_test(test_replay_counts_wrong_pins),
		cmocka_unit_test(test_unmute),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
