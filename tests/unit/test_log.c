/*
 * test_log.c - log levels and phone-number masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "log.h"

static void test_mask_keeps_prefix_and_last_two(void **state)
{
	char buf[LOG_PHONE_BUF];

	(void)state;
	assert_string_equal(log_mask_phone("+96171123456", buf, sizeof(buf)), "+961******56");
	assert_string_equal(log_mask_phone("+963944123456", buf, sizeof(buf)), "+963*******56");
	assert_string_equal(log_mask_phone(NULL, buf, sizeof(buf)), "(none)");
	/* short codes and alphanumeric senders are not personal numbers */
	assert_string_equal(log_mask_phone("1234", buf, sizeof(buf)), "1234");
	assert_string_equal(log_mask_phone("MTC", buf, sizeof(buf)), "MTC");
}

static void test_mask_truncates_safely(void **state)
{
	char small[6];

	(void)state;
	assert_string_equal(log_mask_phone("+96171123456", small, sizeof(small)), "+961*");
}

static void test_log_phone_depends_on_level(void **state)
{
	char buf[LOG_PHONE_BUF];

	(void)state;
	log_set_level(LOG_LEVEL_INFO);
	assert_string_equal(log_phone("+96171123456", buf, sizeof(buf)), "+961******56");
	log_set_level(LOG_LEVEL_DEBUG);
	assert_string_equal(log_phone("+96171123456", buf, sizeof(buf)), "+96171123456");
	log_set_level(LOG_LEVEL_INFO);
}

static void test_level_parse(void **state)
{
	enum log_level l = LOG_LEVEL_INFO;

	(void)state;
	assert_true(log_level_parse("debug", &l));
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_true(log_level_parse("warning", &l));
	assert_int_equal(l, LOG_LEVEL_WARNING);
	assert_true(log_level_parse("error", &l));
	assert_int_equal(l, LOG_LEVEL_ERROR);
	assert_false(log_level_parse("loud", &l));
	assert_int_equal(l, LOG_LEVEL_ERROR);
	assert_string_equal(log_level_name(LOG_LEVEL_INFO), "info");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_keeps_prefix_and_last_two),
		cmocka_unit_test(test_mask_truncates_safely),
		cmocka_unit_test(test_log_phone_depends_on_level),
		cmocka_unit_test(test_level_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
