/*
 * test_strbuf.c - building strings in fixed buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "strbuf.h"

static void test_fits(void **state)
{
	char buf[32];
	struct strbuf sb;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	strbuf_init(&sb, buf, sizeof(buf));
	assert_string_equal(buf, "");
	strbuf_puts(&sb, "abc");
	strbuf_append(&sb, "defgh", 2);
	strbuf_append(&sb, NULL, 0);
	strbuf_printf(&sb, "-%d-%s", 42, "x");
	assert_false(sb.overflow);
	assert_int_equal(sb.len, 10);
	assert_string_equal(buf, "abcde-42-x");
}

static void test_exact_fit(void **state)
{
	char buf[6];
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_puts(&sb, "abc");
	strbuf_printf(&sb, "%s", "de");
	assert_false(sb.overflow);
	assert_string_equal(buf, "abcde");
	strbuf_puts(&sb, "");
	assert_false(sb.overflow);
	strbuf_puts(&sb, "f");
	assert_true(sb.overflow);
	assert_string_equal(buf, "abcde");
}

static void test_append_cuts(void **state)
{
	char buf[6];
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_puts(&sb, "abc");
	strbuf_puts(&sb, "defgh");
	assert_true(sb.overflow);
	assert_int_equal(sb.len, 5);
	assert_string_equal(buf, "abcde");
	/* sticky: nothing more goes in, even what would fit */
	sb.len = 1;
	buf[1] = '\0';
	strbuf_puts(&sb, "z");
	strbuf_printf(&sb, "%d", 1);
	assert_string_equal(buf, "a");
}

static void test_printf_cuts(void **state)
{
	char buf[8];
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_printf(&sb, "%s", "abcd");
	strbuf_printf(&sb, "%d", 123456);
	assert_true(sb.overflow);
	assert_int_equal(sb.len, 7);
	assert_string_equal(buf, "abcd123");
}

static void test_zero_capacity(void **state)
{
	char c = 'x';
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, &c, 0);
	assert_int_equal(c, 'x');
	strbuf_puts(&sb, "");
	assert_false(sb.overflow);
	strbuf_puts(&sb, "a");
	assert_true(sb.overflow);
	assert_int_equal(c, 'x');
	assert_int_equal(sb.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),          cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_append_cuts),   cmocka_unit_test(test_printf_cuts),
		cmocka_unit_test(test_zero_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
