/*
 * test_util.c - error buffers and hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util.h"

static void test_mono_us(void **state)
{
	int64_t ms = util_mono_ms(), us = util_mono_us(), us2 = util_mono_us();

	(void)state;
	/* the same clock in finer units, read later */
	assert_true(us2 >= us);
	assert_true(us / 1000 >= ms);
}

static void test_seterr_plain(void **state)
{
	char err[64];

	(void)state;
	util_seterr(err, sizeof(err), "could not open file \"%s\": %s", "a.csv", "denied");
	assert_string_equal(err, "could not open file \"a.csv\": denied");
}

static void test_seterr_one_line(void **state)
{
	char err[128];

	(void)state;
	/* a libpq result message: newline-separated, with a final newline */
	util_seterr(err, sizeof(err), "query failed: %s",
		    "ERROR:  duplicate key\nDETAIL:  Key (code)=(7) already exists.\n");
	assert_string_equal(
		err, "query failed: ERROR:  duplicate key DETAIL:  Key (code)=(7) already exists.");
	/* a connection message: newline and tab */
	util_seterr(err, sizeof(err), "%s",
		    "connection failed: refused\n\tIs the server running?\n\n");
	assert_string_equal(err, "connection failed: refused Is the server running?");
	util_seterr(err, sizeof(err), "%s", "\n\n");
	assert_string_equal(err, "");
	util_seterr(err, sizeof(err), "trailing blanks  \n ");
	assert_string_equal(err, "trailing blanks");
}

static void test_seterr_small(void **state)
{
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	util_seterr(err, sizeof(err), "%s", "0123456789");
	assert_string_equal(err, "0123456");
	util_seterr(err, sizeof(err), "%s", "ab\ncdefghij");
	assert_string_equal(err, "ab cdef");
	err[0] = 'x';
	util_seterr(err, 0, "%s", "nothing");
	assert_int_equal(err[0], 'x');
	util_seterr(err, 1, "%s", "nothing");
	assert_string_equal(err, "");
}

static void test_hex(void **state)
{
	const unsigned char data[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(data) + 1];

	(void)state;
	assert_ptr_equal(util_hex(out, data, sizeof(data)), out);
	assert_string_equal(out, "00017f80abff");
	memset(out, 'x', sizeof(out));
	util_hex(out, data, 0);
	assert_string_equal(out, "");
}

static void test_hex_digit(void **state)
{
	(void)state;
	assert_int_equal(util_hex_digit('0'), 0);
	assert_int_equal(util_hex_digit('9'), 9);
	assert_int_equal(util_hex_digit('a'), 10);
	assert_int_equal(util_hex_digit('F'), 15);
	assert_int_equal(util_hex_digit('g'), -1);
	assert_int_equal(util_hex_digit('G'), -1);
	assert_int_equal(util_hex_digit('/'), -1);
	assert_int_equal(util_hex_digit('@'), -1);
	assert_int_equal(util_hex_digit('\0'), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mono_us),
		cmocka_unit_test(test_seterr_plain),
		cmocka_unit_test(test_seterr_one_line),
		cmocka_unit_test(test_seterr_small),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hex_digit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
