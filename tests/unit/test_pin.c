/*
 * test_pin.c - PIN hashes (pin.c): salted, verifiable, and malformed
 * hashes never verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pin.h"

static void test_pin_hash(void **state)
{
	char h1[PIN_HASH_BUF], h2[PIN_HASH_BUF], bad[PIN_HASH_BUF];
	char small[32];

	(void)state;
	assert_true(pin_hash("2468", 0, h1, sizeof(h1)));
	assert_true(pin_hash("2468", 0, h2, sizeof(h2)));
	assert_int_equal(strncmp(h1, "pbkdf2-sha256$10000$", 20), 0);
	assert_int_equal(strlen(h1), 20 + 32 + 1 + 64);
	assert_string_not_equal(h1, h2); /* salted */
	assert_true(pin_verify("2468", h1));
	assert_true(pin_verify("2468", h2));
	assert_false(pin_verify("2469", h1));
	assert_false(pin_verify("", h1));
	assert_false(pin_hash("2468", 0, small, sizeof(small)));

	/* malformed hashes never verify */
	assert_false(pin_verify("2468", NULL));
	assert_false(pin_verify("2468", ""));
	assert_false(pin_verify("2468", "2468"));
	strcpy(bad, h1);
	bad[strlen(bad) - 1] = '\0';
	assert_false(pin_verify("2468", bad));
	strcpy(bad, h1);
	bad[30] = 'X';
	assert_false(pin_verify("2468", bad));
	strcpy(bad, h1);
	memcpy(bad + 14, "0", 1);
	assert_false(pin_verify("2468", bad));
}

/* The iteration count is read back from the hash, not assumed. */
static void test_pin_iterations(void **state)
{
	char h[PIN_HASH_BUF], bad[PIN_HASH_BUF];

	(void)state;
	assert_true(pin_hash("12345678", 1000, h, sizeof(h)));
	assert_int_equal(strncmp(h, "pbkdf2-sha256$1000$", 19), 0);
	assert_true(pin_verify("12345678", h));
	assert_false(pin_verify("1234567", h));
	assert_false(pin_verify(NULL, h));

	/* the same salt and hash under another count is another hash */
	snprintf(bad, sizeof(bad), "pbkdf2-sha256$1001$%s", h + 19);
	assert_false(pin_verify("12345678", bad));

	/* counts out of range or with a leading zero are malformed */
	snprintf(bad, sizeof(bad), "pbkdf2-sha256$01000$%s", h + 19);
	assert_false(pin_verify("12345678", bad));
	snprintf(bad, sizeof(bad), "pbkdf2-sha256$99999999$%s", h + 19);
	assert_false(pin_verify("12345678", bad));

	/* uppercase hex is not what pin_hash() writes */
	strcpy(bad, h);
	for (char *c = bad + 19; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	if (strcmp(bad, h) != 0)
		assert_false(pin_verify("12345678", bad));

	/* a negative count means the default */
	assert_true(pin_hash("1234", -5, h, sizeof(h)));
	assert_int_equal(strncmp(h, "pbkdf2-sha256$10000$", 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_hash),
		cmocka_unit_test(test_pin_iterations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
