/*
 * test_web_auth.c - the session cookie, token and code shapes, and the
 * code SMS texts of the election-day page's sign-in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "web_auth.h"

static void test_cookie(void **state)
{
	char v[WEB_TOKEN_BUF];

	(void)state;
	assert_true(web_cookie_get("sawt_session=ab12", WEB_COOKIE, v, sizeof(v)));
	assert_string_equal(v, "ab12");
	assert_true(web_cookie_get("a=1; sawt_session=cd; b=2", WEB_COOKIE, v, sizeof(v)));
	assert_string_equal(v, "cd");
	/* a longer name that starts the same is another cookie */
	assert_false(web_cookie_get("sawt_session2=x", WEB_COOKIE, v, sizeof(v)));
	assert_false(web_cookie_get("xsawt_session=x", WEB_COOKIE, v, sizeof(v)));
	assert_false(web_cookie_get("sawt_session=", WEB_COOKIE, v, sizeof(v)));
	assert_false(web_cookie_get(NULL, WEB_COOKIE, v, sizeof(v)));
	assert_false(web_cookie_get("", WEB_COOKIE, v, sizeof(v)));
	assert_false(web_cookie_get("sawt_session=abcdef", WEB_COOKIE, v, 4));
}

static void test_shapes(void **state)
{
	unsigned char r[32];
	char tok[WEB_TOKEN_BUF], code[WEB_CODE_BUF];

	(void)state;
	for (int i = 0; i < 32; i++)
		r[i] = (unsigned char)(i * 37 + 250);
	web_token_format(r, tok);
	assert_int_equal(strlen(tok), 64);
	assert_true(web_token_valid(tok));
	tok[3] = 'A';
	assert_false(web_token_valid(tok));
	tok[63] = '\0';
	assert_false(web_token_valid("abc"));
	web_code_format(7, code);
	assert_string_equal(code, "000007");
	assert_true(web_code_valid(code));
	web_code_format(WEB_CODE_LIMIT - 1, code);
	assert_string_equal(code, "999999");
	assert_false(web_code_valid("12345"));
	assert_false(web_code_valid("1234567"));
	assert_false(web_code_valid("12a456"));
}

static void test_texts(void **state)
{
	char out[WEB_CODE_TEXT_MAX];

	(void)state;
	for (int l = 0; l < WEB_LANGS; l++) {
		web_code_text((enum web_lang)l, "123456", 5, out);
		assert_non_null(strstr(out, "123456"));
		assert_non_null(strstr(out, "5"));
		assert_true(strlen(out) + 1 < sizeof(out));
	}
	web_code_text(WEB_LANG_EN, "042042", 5, out);
	assert_string_equal(out,
			    "sawt page sign-in code: 042042 (valid 5 min, once). Do not share it.");
}

static void test_origin(void **state)
{
	(void)state;
	assert_true(web_origin_ok("http://127.0.0.1:8080", NULL, "127.0.0.1:8080"));
	assert_true(web_origin_ok("https://Sawt.Example.org", NULL, "sawt.example.org"));
	assert_true(web_origin_ok(NULL, "http://127.0.0.1:8080/?area=3", "127.0.0.1:8080"));
	assert_true(web_origin_ok(NULL, NULL, "127.0.0.1:8080")); /* curl */
	assert_true(web_origin_ok(NULL, NULL, NULL));
	assert_false(web_origin_ok("http://evil.example", NULL, "127.0.0.1:8080"));
	assert_false(web_origin_ok("http://127.0.0.1:8081", NULL, "127.0.0.1:8080"));
	assert_false(web_origin_ok("null", NULL, "127.0.0.1:8080"));
	assert_false(web_origin_ok("http://127.0.0.1:8080", NULL, NULL));
	assert_false(web_origin_ok(NULL, "http://evil.example/x", "127.0.0.1:8080"));
	assert_false(web_origin_ok(NULL, "/relative", "127.0.0.1:8080"));
	assert_false(web_origin_ok("http://user@127.0.0.1:8080", NULL, "127.0.0.1:8080"));
	assert_false(web_origin_ok("1ttp://127.0.0.1:8080", NULL, "127.0.0.1:8080"));
	/* Origin wins over Referer */
	assert_false(
		web_origin_ok("http://evil.example", "http://127.0.0.1:8080/", "127.0.0.1:8080"));
}

static void test_limit(void **state)
{
	struct web_limit *l = web_limit_new(3, 3600, 16);
	unsigned retry = 0;

	(void)state;
	assert_non_null(l);
	for (int i = 0; i < 3; i++)
		assert_true(web_limit_take(l, "192.0.2.1", 1000 + i, &retry));
	assert_false(web_limit_take(l, "192.0.2.1", 1010, &retry));
	assert_int_equal(retry, 3590);                             /* the window started at 1000 */
	assert_true(web_limit_take(l, "192.0.2.2", 1010, &retry)); /* another address */
	assert_true(web_limit_take(l, "192.0.2.1", 4600, &retry)); /* a new window */
	/* a full table forgets the address seen longest ago, never a busy one
	 * more recent: 100 addresses through 16 slots */
	for (int i = 0; i < 100; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.51.100.%d", i);
		assert_true(web_limit_take(l, a, 5000 + i, &retry));
	}
	for (int i = 0; i < 2; i++)
		assert_true(web_limit_take(l, "2001:db8::1", 6000, &retry));
	assert_true(web_limit_take(l, "2001:db8::1", 6001, &retry));
	assert_false(web_limit_take(l, "2001:db8::1", 6002, &retry));
	assert_true(web_limit_take(l, NULL, 6002, &retry));
	web_limit_free(l);
	web_limit_free(NULL);
}

static void test_limit_key(void **state)
{
	char k[WEB_LIMIT_KEY_BUF];

	(void)state;
	web_limit_key("192.0.2.7", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	/* every address of one /64 is one key; another /64 another */
	web_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	web_limit_key("2001:db8:1:2::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	web_limit_key("2001:db8:1:3::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:3::/64");
	web_limit_key("::1", k, sizeof(k));
	assert_string_equal(k, "::/64");
	/* IPv4 through an IPv6 socket */
	web_limit_key("::ffff:198.51.100.4", k, sizeof(k));
	assert_string_equal(k, "198.51.100.4");
	web_limit_key(NULL, k, sizeof(k));
	assert_string_equal(k, "?");
	web_limit_key("", k, sizeof(k));
	assert_string_equal(k, "?");
	web_limit_key("not an address", k, sizeof(k));
	assert_string_equal(k, "not an address");
	web_limit_key("2001:db8::1", k, 6);
	assert_string_equal(k, "2001:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie), cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_texts),  cmocka_unit_test(test_origin),
		cmocka_unit_test(test_limit),  cmocka_unit_test(test_limit_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
