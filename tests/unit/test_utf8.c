/*
 * test_utf8.c - UTF-8 decoding, UCS-2 conversion, GSM 03.38 and SMS
 * segment counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "gsm7.h"
#include "utf8.h"

static void expect_invalid_at(const char *s, size_t len, size_t at)
{
	assert_int_equal(utf8_validate(s, len), at);
}

static void test_decode_valid(void **state)
{
	/* 1, 2, 3 and 4 byte forms, and the extremes of each */
	const char *s = "A\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf";
	const uint32_t want[] = { 'A', 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff };
	size_t pos = 0, len = strlen(s);
	uint32_t cp;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(utf8_decode(s, len, &pos, &cp));
		assert_int_equal(cp, want[i]);
	}
	assert_int_equal(pos, len);
	assert_false(utf8_decode(s, len, &pos, &cp));
	assert_int_equal(utf8_validate(s, len), len);
	assert_int_equal(utf8_count(s, len), 7);
}

static void test_decode_rejects(void **state)
{
	(void)state;
	expect_invalid_at("ab\x80", 3, 2);           /* stray continuation */
	expect_invalid_at("\xc0\xaf", 2, 0);         /* overlong '/' */
	expect_invalid_at("\xc1\xbf", 2, 0);         /* overlong */
	expect_invalid_at("\xe0\x80\xaf", 3, 0);     /* overlong 3-byte */
	expect_invalid_at("\xf0\x80\x80\xaf", 4, 0); /* overlong 4-byte */
	expect_invalid_at("x\xed\xa0\x80", 4, 1);    /* surrogate U+D800 */
	expect_invalid_at("\xed\xbf\xbf", 3, 0);     /* surrogate U+DFFF */
	expect_invalid_at("\xf4\x90\x80\x80", 4, 0); /* above U+10FFFF */
	expect_invalid_at("\xf5\x80\x80\x80", 4, 0);
	expect_invalid_at("\xff", 1, 0);
	expect_invalid_at("ok\xe2\x82", 4, 2);   /* truncated */
	expect_invalid_at("\xe2\x28\xa1", 3, 0); /* bad continuation */
}

static void test_encode(void **state)
{
	char buf[UTF8_MAX_BYTES];

	(void)state;
	assert_int_equal(utf8_encode('a', buf), 1);
	assert_int_equal(utf8_encode(0x645, buf), 2);
	assert_memory_equal(buf, "\xd9\x85", 2);
	assert_int_equal(utf8_encode(0x20ac, buf), 3);
	assert_memory_equal(buf, "\xe2\x82\xac", 3);
	assert_int_equal(utf8_encode(0x1f600, buf), 4);
	assert_memory_equal(buf, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(utf8_encode(0xd800, buf), 0);
	assert_int_equal(utf8_encode(0x110000, buf), 0);
}

static void test_from_ucs2(void **state)
{
	/* "ق 1" then U+1F600 as a surrogate pair */
	const uint8_t in[] = { 0x06, 0x42, 0x00, 0x20, 0x00, 0x31, 0xd8, 0x3d, 0xde, 0x00 };
	char out[32];
	size_t n;

	(void)state;
	assert_int_equal(utf8_from_ucs2(in, sizeof(in), out, sizeof(out), &n), UTF8_CONV_OK);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "\xd9\x82 1\xf0\x9f\x98\x80", 8);
	assert_int_equal(out[n], '\0');
	/* exactly enough room, then one byte short */
	assert_int_equal(utf8_from_ucs2(in, sizeof(in), out, 9, &n), UTF8_CONV_OK);
	assert_int_equal(utf8_from_ucs2(in, sizeof(in), out, 8, &n), UTF8_CONV_NO_SPACE);
	assert_int_equal(n, 0);
	assert_int_equal(utf8_from_ucs2(in, 3, out, sizeof(out), &n), UTF8_CONV_ODD_LENGTH);
	/* high surrogate at the end, and followed by a non-surrogate */
	assert_int_equal(utf8_from_ucs2(in + 6, 2, out, sizeof(out), &n), UTF8_CONV_BAD_SURROGATE);
	assert_int_equal(
		utf8_from_ucs2((const uint8_t *)"\xd8\x3d\x00\x41", 4, out, sizeof(out), &n),
		UTF8_CONV_BAD_SURROGATE);
	/* lone low surrogate */
	assert_int_equal(utf8_from_ucs2((const uint8_t *)"\xde\x00", 2, out, sizeof(out), &n),
			 UTF8_CONV_BAD_SURROGATE);
	/* empty */
	assert_int_equal(utf8_from_ucs2(in, 0, out, 1, &n), UTF8_CONV_OK);
	assert_int_equal(n, 0);
	assert_string_equal(utf8_conv_name(UTF8_CONV_BAD_SURROGATE), "unpaired UTF-16 surrogate");
}

static void test_ucs2_round_trip(void **state)
{
	const char *s =
		"\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 V420 \xe2\x82\xac \xf0\x9f\x98\x80";
	uint8_t ucs2[64];
	char back[64];
	size_t n, m;

	(void)state;
	assert_int_equal(utf8_to_ucs2(s, strlen(s), ucs2, sizeof(ucs2), &n), UTF8_CONV_OK);
	assert_int_equal(utf8_from_ucs2(ucs2, n, back, sizeof(back), &m), UTF8_CONV_OK);
	assert_int_equal(m, strlen(s));
	assert_memory_equal(back, s, m);
	assert_int_equal(utf8_to_ucs2("\xff", 1, ucs2, sizeof(ucs2), &n), UTF8_CONV_INVALID_UTF8);
	assert_int_equal(utf8_to_ucs2("abc", 3, ucs2, 5, &n), UTF8_CONV_NO_SPACE);
}

static void test_gsm7_alphabet(void **state)
{
	(void)state;
	assert_int_equal(gsm7_septets('A'), 1);
	assert_int_equal(gsm7_septets('@'), 1);
	assert_int_equal(gsm7_septets('$'), 1);
	assert_int_equal(gsm7_septets('\n'), 1);
	assert_int_equal(gsm7_septets('`'), 0);
	assert_int_equal(gsm7_septets('\t'), 0);
	assert_int_equal(gsm7_septets('['), 2);
	assert_int_equal(gsm7_septets('|'), 2);
	assert_int_equal(gsm7_septets('^'), 2);
	assert_int_equal(gsm7_septets(0x20ac), 2); /* euro */
	assert_int_equal(gsm7_septets(0xe9), 1);   /* é */
	assert_int_equal(gsm7_septets(0xe8), 1);   /* è */
	assert_int_equal(gsm7_septets(0xe0), 1);   /* à */
	assert_int_equal(gsm7_septets(0xc7), 1);   /* Ç */
	assert_int_equal(gsm7_septets(0xe7), 0);   /* ç is not in the table */
	assert_int_equal(gsm7_septets(0xea), 0);   /* ê */
	assert_int_equal(gsm7_septets(0x394), 1);  /* Greek capital delta */
	assert_int_equal(gsm7_septets(0x3b4), 0);  /* small delta */
	assert_int_equal(gsm7_septets(0x645), 0);  /* Arabic */
	assert_int_equal(gsm7_septets(0x2019), 0); /* typographic apostrophe */
}

static void fill(char *buf, const char *unit, size_t times)
{
	buf[0] = '\0';
	for (size_t i = 0; i < times; i++)
		strcat(buf, unit);
}

static void expect_size(const char *s, enum gsm7_coding coding, size_t units, size_t segments)
{
	struct gsm7_size sz;

	assert_true(gsm7_measure(s, strlen(s), &sz));
	assert_int_equal(sz.coding, coding);
	assert_int_equal(sz.units, units);
	assert_int_equal(sz.segments, segments);
	assert_int_equal(gsm7_segments(s, strlen(s)), segments);
}

static void test_segments(void **state)
{
	static char buf[2048];

	(void)state;
	expect_size("", GSM7_CODING_GSM7, 0, 1);
	fill(buf, "a", 160);
	expect_size(buf, GSM7_CODING_GSM7, 160, 1);
	fill(buf, "a", 161);
	expect_size(buf, GSM7_CODING_GSM7, 161, 2);
	fill(buf, "a", 306);
	expect_size(buf, GSM7_CODING_GSM7, 306, 2);
	fill(buf, "a", 307);
	expect_size(buf, GSM7_CODING_GSM7, 307, 3);
	/* extension characters count two */
	fill(buf, "[", 80);
	expect_size(buf, GSM7_CODING_GSM7, 160, 1);
	fill(buf, "[", 81);
	expect_size(buf, GSM7_CODING_GSM7, 162, 2);
	/* an escape pair is not split: 306 septets that would fill two
	 * parts exactly need three when '[' straddles the boundary */
	fill(buf, "a", 151);
	strcat(buf, "[");
	fill(buf + 152, "a", 153);
	expect_size(buf, GSM7_CODING_GSM7, 306, 2);
	fill(buf, "a", 152);
	strcat(buf, "[");
	fill(buf + 153, "a", 152);
	expect_size(buf, GSM7_CODING_GSM7, 306, 3);
	/* one Arabic letter makes it UCS-2 */
	fill(buf, "\xd9\x85", 70);
	expect_size(buf, GSM7_CODING_UCS2, 70, 1);
	fill(buf, "\xd9\x85", 71);
	expect_size(buf, GSM7_CODING_UCS2, 71, 2);
	fill(buf, "a", 69);
	strcat(buf, "\xd9\x85");
	expect_size(buf, GSM7_CODING_UCS2, 70, 1);
	fill(buf, "\xd9\x85", 134);
	expect_size(buf, GSM7_CODING_UCS2, 134, 2);
	fill(buf, "\xd9\x85", 135);
	expect_size(buf, GSM7_CODING_UCS2, 135, 3);
	/* outside the BMP: two units, and a pair is not split */
	fill(buf, "\xf0\x9f\x98\x80", 35);
	expect_size(buf, GSM7_CODING_UCS2, 70, 1);
	fill(buf, "\xd9\x85", 66);
	strcat(buf, "\xf0\x9f\x98\x80");
	strcat(buf, "\xd9\x85");
	expect_size(buf, GSM7_CODING_UCS2, 69, 1);
	fill(buf, "\xd9\x85", 65);
	strcat(buf, "\xf0\x9f\x98\x80");
	fill(buf + strlen(buf), "\xd9\x85", 67);
	expect_size(buf, GSM7_CODING_UCS2, 134, 2);
	fill(buf, "\xd9\x85", 66);
	strcat(buf, "\xf0\x9f\x98\x80");
	fill(buf + strlen(buf), "\xd9\x85", 66);
	expect_size(buf, GSM7_CODING_UCS2, 134, 3);
	/* invalid UTF-8 */
	assert_int_equal(gsm7_segments("\xff", 1), 0);
	assert_string_equal(gsm7_coding_name(GSM7_CODING_UCS2), "ucs2");
}

static void test_digit_value(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(utf8_digit_value('0' + i), (int)i);
		assert_int_equal(utf8_digit_value(0x660 + i), (int)i);
		assert_int_equal(utf8_digit_value(0x6F0 + i), (int)i);
		assert_int_equal(utf8_digit_value(0xFF10 + i), (int)i);
	}
	assert_int_equal(utf8_digit_value('/'), -1);
	assert_int_equal(utf8_digit_value(':'), -1);
	assert_int_equal(utf8_digit_value('a'), -1);
	assert_int_equal(utf8_digit_value(0), -1);
	assert_int_equal(utf8_digit_value(0x65F), -1);
	assert_int_equal(utf8_digit_value(0x66A), -1);
	assert_int_equal(utf8_digit_value(0x6EF), -1);
	assert_int_equal(utf8_digit_value(0x6FA), -1);
	assert_int_equal(utf8_digit_value(0xFF0F), -1);
	assert_int_equal(utf8_digit_value(0xFF1A), -1);
	assert_int_equal(utf8_digit_value(0x0966), -1); /* Devanagari zero */
	assert_int_equal(utf8_digit_value(0x10FFFF), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),    cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_encode),          cmocka_unit_test(test_from_ucs2),
		cmocka_unit_test(test_ucs2_round_trip), cmocka_unit_test(test_gsm7_alphabet),
		cmocka_unit_test(test_segments),        cmocka_unit_test(test_digit_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
