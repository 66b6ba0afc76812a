/*
 * test_inbound.c - the inbound record's sender (inbound.c): a malformed
 * sender is marked, never turned into another number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "inbound.h"
#include "phone.h"

#define FFFD "\xef\xbf\xbd"

static const char *clean(const char *raw, size_t cap, bool *ok)
{
	static char out[INBOUND_SENDER_MAX];

	assert_true(cap <= sizeof(out));
	*ok = inbound_sender_clean(raw, out, cap);
	return out;
}

static void test_clean_senders_unchanged(void **state)
{
	bool ok;

	(void)state;
	assert_string_equal(clean("+96171123456", INBOUND_SENDER_MAX, &ok), "+96171123456");
	assert_true(ok);
	assert_string_equal(clean("MTC Touch", INBOUND_SENDER_MAX, &ok), "MTC Touch");
	assert_true(ok);
	assert_string_equal(clean("\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7", INBOUND_SENDER_MAX, &ok),
			    "\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7"); /* ألفا */
	assert_true(ok);
	/* exactly the field's 32 bytes */
	assert_string_equal(clean("12345678901234567890123456789012", INBOUND_SENDER_MAX, &ok),
			    "12345678901234567890123456789012");
	assert_true(ok);
}

static void test_malformed_marked(void **state)
{
	char e164[PHONE_E164_BUF];
	const char *why, *s;
	bool ok;

	(void)state;
	/* control characters and bytes that are not UTF-8 */
	assert_string_equal(clean("+9617\x01\x02"
				  "123456",
				  INBOUND_SENDER_MAX, &ok),
			    "+9617" FFFD FFFD "123456");
	assert_false(ok);
	assert_string_equal(clean("+96171123\xff"
				  "456",
				  INBOUND_SENDER_MAX, &ok),
			    "+96171123" FFFD "456");
	assert_false(ok);
	assert_string_equal(clean("+961\xc2\x85"
				  "71",
				  INBOUND_SENDER_MAX, &ok),
			    "+961" FFFD "71");
	assert_false(ok);
	/* too long: cut at a character boundary, and marked */
	s = clean("+961711234567890123456789012345678", INBOUND_SENDER_MAX, &ok);
	assert_false(ok);
	assert_int_equal(strlen(s), 32);
	assert_string_equal(s, "+9617112345678901234567890123" FFFD);
	s =
		clean("\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7"
		      "\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7",
		      12, &ok);
	assert_false(ok);
	assert_string_equal(s, "\xd8\xa3\xd9\x84\xd9\x81\xd8\xa7" FFFD);
	/* and never a phone number */
	assert_false(phone_normalize(s, strlen(s), "961", e164, &why));
	s =
		clean("+96171123\xff"
		      "456",
		      INBOUND_SENDER_MAX, &ok);
	assert_false(phone_normalize(s, strlen(s), "961", e164, &why));
	s = clean("+961711234567890123456789012345678", INBOUND_SENDER_MAX, &ok);
	assert_false(phone_normalize(s, strlen(s), "961", e164, &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_senders_unchanged),
		cmocka_unit_test(test_malformed_marked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
