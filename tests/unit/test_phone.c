/*
 * test_phone.c - E.164 normalisation and pseudonyms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "phone.h"

/* Normalise in with cc; must give want. */
static void ok(const char *in, const char *cc, const char *want)
{
	char out[PHONE_E164_BUF];
	const char *reason = NULL;

	if (!phone_normalize(in, strlen(in), cc, out, &reason)) {
		print_error("\"%s\" (cc %s) rejected: %s\n", in, cc ? cc : "none", reason);
		fail();
	}
	assert_string_equal(out, want);
}

/* Normalise in with cc; must fail with why. */
static void bad(const char *in, const char *cc, const char *why)
{
	char out[PHONE_E164_BUF];
	const char *reason = NULL;

	if (phone_normalize(in, strlen(in), cc, out, &reason)) {
		print_error("\"%s\" (cc %s) accepted as %s\n", in, cc ? cc : "none", out);
		fail();
	}
	assert_string_equal(reason, why);
	assert_string_equal(out, "");
}

static void test_local_forms(void **state)
{
	(void)state;
	ok("03 123 456", "961", "+9613123456");
	ok("03-123-456", "961", "+9613123456");
	ok("71 123 456", "961", "+96171123456");
	ok("0944 123 456", "963", "+963944123456");
	ok("0612-345678", "212", "+212612345678");
	ok("(03) 123.456", "961", "+9613123456");
	ok("3/123456", "961", "+9613123456");
	ok("\t03 123 456 ", "961", "+9613123456");
}

static void test_international_forms(void **state)
{
	(void)state;
	ok("+961 3 123 456", "961", "+9613123456");
	ok("00961 3 123 456", "961", "+9613123456");
	ok("9613123456", "961", "+9613123456");
	ok("+963 944 123 456", "961", "+963944123456"); /* another country */
	ok("0033 6 12 34 56 78", "961", "+33612345678");
	ok("+96171123456", NULL, "+96171123456");
	ok("+96171123456", "", "+96171123456");
	/* the trunk 0 typed after the country code */
	ok("+961 03 123 456", "961", "+9613123456");
	ok("+961 (0)3 123.456", "961", "+9613123456");
	ok("+961 0 03 123 456", "961", "+9613123456");
	ok("00963 0944 123 456", "963", "+963944123456");
	/* ...is part of the number in Italy */
	ok("06 1234 5678", "39", "+390612345678");
	ok("+39 06 1234 5678", "39", "+390612345678");
	/* a short national number that merely starts like the country code */
	ok("96112345", "961", "+96196112345");
}

static void test_scripts_and_marks(void **state)
{
	(void)state;
	ok("٠٣ ١٢٣ ٤٥٦", "961", "+9613123456");       /* Arabic-Indic */
	ok("۰۳۱۲۳۴۵۶", "961", "+9613123456");         /* Eastern Arabic-Indic */
	ok("０３１２３４５６", "961", "+9613123456"); /* full-width */
	ok("＋９６１３１２３４５６", "961", "+9613123456");
	ok("\xE2\x80\x8F+961\xC2\xA0"
	   "3\xE2\x80\x91"
	   "123456\xE2\x80\x8E",
	   "961", "+9613123456");
	ok("\xD8\x9C"
	   "03 123 456",
	   "961", "+9613123456"); /* Arabic letter mark */
	ok("\xE2\x81\xA6"
	   "03 123 456\xE2\x81\xA9",
	   "961", "+9613123456");
}

static void test_rejects(void **state)
{
	(void)state;
	bad("", "961", "empty");
	bad(" - ", "961", "empty");
	bad("+", "961", "empty");
	/* long enough for E.164, not for the country's numbering plan */
	bad("0944 11", "963", "too short for its country's numbering plan");
	bad("+963 944 11", "961", "too short for its country's numbering plan");
	bad("03 123 45", "961", "too short for its country's numbering plan");
	bad("+961 71 123 4567", "961", "too long for its country's numbering plan");
	bad("0612 34567", "212", "too short for its country's numbering plan");
	bad("+1 212 555 012", "961", "too short for its country's numbering plan");
	ok("01 123 456", "961", "+9611123456");
	ok("011 123 4567", "963", "+963111234567");
	ok("+1 212 555 0123", "961", "+12125550123");
	ok("+49 30 1234", "961", "+49301234"); /* a plan phone.c does not know */
	bad("03-12", "961", "too short");
	bad("0312", "961", "too short");
	bad("+1234567", "961", "too short");
	bad("00", "961", "too short");
	bad("+12345678901234567", "961", "too long (E.164 allows 15 digits)");
	bad("0312345678901234567890123456789012345678901234567890", "961",
	    "too long (E.164 allows 15 digits)");
	bad("03 123 45x", "961", "contains letters");
	bad("Alfa", "961", "contains letters");
	bad("03#123456", "961", "invalid character");
	bad("03 123 456\x01", "961", "invalid character");
	bad("961+3123456", "961", "\"+\" not at the start");
	bad("++9613123456", "961", "\"+\" not at the start");
	bad("+0961123456", "961", "invalid country code");
	bad("000961123456", "961", "invalid country code");
	bad("03 123 456", NULL, "local number but no country code is configured");
	bad("03 123 456", "", "local number but no country code is configured");
	bad("03 123 456", "0961", "bad country code in the configuration");
	bad("03 123 456", "9612", "bad country code in the configuration");
	bad("03 123 456", "+961", "bad country code in the configuration");
	/* a truncated multi-byte digit */
	bad("03 123 45\xD9", "961", "invalid character");
}

static void test_not_nul_terminated(void **state)
{
	char out[PHONE_E164_BUF];
	const char *reason;
	const char in[] = { '0', '3', '1', '2', '3', '4', '5', '6', 'x' };

	(void)state;
	assert_true(phone_normalize(in, 8, "961", out, &reason));
	assert_string_equal(out, "+9613123456");
}

static void test_digit(void **state)
{
	size_t adv = 99;

	(void)state;
	assert_int_equal(phone_digit("7", 1, &adv), 7);
	assert_int_equal(adv, 1);
	assert_int_equal(phone_digit("٩", 2, &adv), 9);
	assert_int_equal(adv, 2);
	assert_int_equal(phone_digit("۴", 2, &adv), 4);
	assert_int_equal(phone_digit("５", 3, &adv), 5);
	assert_int_equal(adv, 3);
	adv = 42;
	assert_int_equal(phone_digit("٩", 1, &adv), -1); /* cut short */
	assert_int_equal(phone_digit("a", 1, &adv), -1);
	assert_int_equal(phone_digit("", 0, &adv), -1);
	assert_int_equal(adv, 42);
}

static void test_pseudonym(void **state)
{
	char a[PHONE_PSEUDONYM_BUF], b[PHONE_PSEUDONYM_BUF], c[PHONE_PSEUDONYM_BUF];

	(void)state;
	/* RFC 4231 test case 2: key "Jefe" */
	assert_true(phone_pseudonym("Jefe", "what do ya want for nothing?", a));
	assert_string_equal(a, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	assert_true(phone_pseudonym("test-secret", "+9613123456", a));
	assert_true(phone_pseudonym("test-secret", "+9613123456", b));
	assert_true(phone_pseudonym("other-secret", "+9613123456", c));
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_true(phone_pseudonym("test-secret", "+9613123457", c));
	assert_string_not_equal(a, c);

	assert_false(phone_pseudonym(NULL, "+9613123456", a));
	assert_string_equal(a, "");
	assert_false(phone_pseudonym("", "+9613123456", a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_forms),
		cmocka_unit_test(test_international_forms),
		cmocka_unit_test(test_scripts_and_marks),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_digit),
		cmocka_unit_test(test_pseudonym),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
