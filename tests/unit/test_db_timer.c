/*
 * test_db_timer.c - db_timer_arm on a libevent loop (no server needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>

#include "db.h"
#include "util.h"

struct fired {
	int calls;
	int64_t at;
};

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fired *f = arg;

	(void)fd;
	assert_true(what & EV_TIMEOUT);
	f->calls++;
	f->at = util_mono_ms();
}

static void test_fires_after_delay(void **state)
{
	struct event_base *base = event_base_new();
	struct fired f = { 0, 0 };
	struct event *ev;
	int64_t start;

	(void)state;
	assert_non_null(base);
	ev = evtimer_new(base, on_timer, &f);
	assert_non_null(ev);
	start = util_mono_ms();
	db_timer_arm(ev, 1150); /* seconds and milliseconds both used */
	assert_true(evtimer_pending(ev, NULL));
	event_base_dispatch(base);
	assert_int_equal(f.calls, 1);
	assert_true(f.at - start >= 1140);
	assert_true(f.at - start < 3000);
	event_free(ev);
	event_base_free(base);
}

static void test_rearm_replaces(void **state)
{
	struct event_base *base = event_base_new();
	struct fired f = { 0, 0 };
	struct event *ev;
	int64_t start;

	(void)state;
	ev = evtimer_new(base, on_timer, &f);
	assert_non_null(ev);
	start = util_mono_ms();
	db_timer_arm(ev, 5000);
	db_timer_arm(ev, 20);
	event_base_dispatch(base);
	assert_int_equal(f.calls, 1);
	assert_true(f.at - start < 2000);
	db_timer_arm(ev, 0);
	event_base_dispatch(base);
	assert_int_equal(f.calls, 2);
	event_free(ev);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_after_delay),
		cmocka_unit_test(test_rearm_replaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
