/*
 * test_sms_http.c - an SMS over HTTP into an inbound record: the form
 * decoder (http_form.c) and the three request forms of sms_http.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_form.h"
#include "sms_http.h"

static enum sms_http_error decode_q(const char *query, struct inbound *in, struct sms_http_extra *x)
{
	struct sms_http_request rq = { .query = query,
				       .query_len = strlen(query),
				       .received_ms = 1000 };

	return sms_http_decode(&rq, in, x);
}

static enum sms_http_error decode_body(const char *query, const char *ctype, const char *body,
				       size_t len, struct inbound *in, struct sms_http_extra *x)
{
	struct sms_http_request rq = { .query = query,
				       .query_len = query ? strlen(query) : 0,
				       .body = body,
				       .body_len = len,
				       .content_type = ctype,
				       .received_ms = 1000 };

	return sms_http_decode(&rq, in, x);
}

static void test_form_fields(void **state)
{
	const char *f = "a=1&&b=%41+c;flag&=x&d=";
	struct http_form_field fld;
	size_t pos = 0;
	char out[16];
	size_t n;

	(void)state;
	assert_true(http_form_next(f, strlen(f), &pos, &fld));
	assert_true(http_form_key_is(&fld, "a"));
	assert_int_equal(fld.value_len, 1);
	assert_true(http_form_next(f, strlen(f), &pos, &fld));
	assert_true(http_form_key_is(&fld, "b"));
	assert_int_equal(http_form_unescape(fld.value, fld.value_len, out, sizeof(out), &n),
			 HTTP_FORM_OK);
	assert_string_equal(out, "A c");
	assert_true(http_form_next(f, strlen(f), &pos, &fld));
	assert_true(http_form_key_is(&fld, "flag"));
	assert_int_equal(fld.value_len, 0);
	assert_true(http_form_next(f, strlen(f), &pos, &fld));
	assert_int_equal(fld.key_len, 0);
	assert_true(http_form_next(f, strlen(f), &pos, &fld));
	assert_true(http_form_key_is(&fld, "d"));
	assert_int_equal(fld.value_len, 0);
	assert_false(http_form_next(f, strlen(f), &pos, &fld));
}

static void test_form_unescape(void **state)
{
	char out[4];
	size_t n;

	(void)state;
	assert_int_equal(http_form_unescape("%00%ff", 6, out, sizeof(out), &n), HTTP_FORM_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0);
	assert_int_equal((unsigned char)out[1], 0xff);
	assert_int_equal(http_form_unescape("%4", 2, out, sizeof(out), &n), HTTP_FORM_BAD_ESCAPE);
	assert_int_equal(http_form_unescape("%", 1, out, sizeof(out), &n), HTTP_FORM_BAD_ESCAPE);
	assert_int_equal(http_form_unescape("%zz", 3, out, sizeof(out), &n), HTTP_FORM_BAD_ESCAPE);
	assert_int_equal(http_form_unescape("abcde", 5, out, sizeof(out), &n), HTTP_FORM_NO_SPACE);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "abcd", 4);
	/* exactly full: no room for the terminator, still OK */
	assert_int_equal(http_form_unescape("abcd", 4, out, sizeof(out), &n), HTTP_FORM_OK);
	assert_int_equal(n, 4);
}

static void test_kannel_get(void **state)
{
	struct inbound in, again;
	struct sms_http_extra x;

	(void)state;
	assert_int_equal(decode_q("from=%2B96171123456&to=1234&text=T+101+V+80&time=1714800000"
				  "&smsc=op1&id=f00d-1&coding=0&charset=UTF-8&extra=ignored",
				  &in, &x),
			 SMS_HTTP_OK);
	assert_int_equal(in.transport, INBOUND_HTTP);
	assert_string_equal(in.sender, "+96171123456");
	assert_string_equal(in.text, "T 101 V 80");
	assert_int_equal(in.text_len, 10);
	assert_int_equal(in.smsc_time, 1714800000);
	assert_int_equal(in.received_ms, 1000);
	assert_string_equal(in.source, "op1");
	assert_string_equal(x.to, "1234");
	assert_string_equal(x.id, "f00d-1");
	assert_true(inbound_valid(&in));
	assert_int_equal(strlen(in.dedup), 64);
	/* a retry is the same message: same key whatever the id */
	assert_int_equal(decode_q("from=%2B96171123456&text=T%20101%20V%2080&time=1714800000"
				  "&id=other",
				  &again, &x),
			 SMS_HTTP_OK);
	assert_string_equal(again.dedup, in.dedup);
	assert_string_equal(again.source, "http");
}

static void test_ucs2(void **state)
{
	struct inbound in;
	struct sms_http_extra x;

	(void)state;
	/* "ق 101" in UTF-16BE, as Kannel sends coding=2 */
	assert_int_equal(decode_q("from=96171123456&text=%06%42%00%20%00%31%00%30%00%31"
				  "&coding=2&charset=UTF-16BE",
				  &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.text, "\xd9\x82 101");
	/* coding=2 alone means UTF-16BE */
	assert_int_equal(decode_q("from=1&text=%06%42&coding=2", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.text, "\xd9\x82");
	/* charset wins over coding (Kannel's mo-recode) */
	assert_int_equal(decode_q("from=1&text=%D9%82&coding=2&charset=utf-8", &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.text, "\xd9\x82");
	/* a surrogate pair; a lone surrogate and an odd byte are mended */
	assert_int_equal(decode_q("from=1&text=%D8%3D%DE%00&charset=UTF-16BE", &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.text, "\xf0\x9f\x98\x80");
	assert_false(x.text_mended);
	assert_int_equal(decode_q("from=1&text=%D8%3D%00%41%00&charset=UCS-2", &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.text,
			    "\xef\xbf\xbd"
			    "A"
			    "\xef\xbf\xbd");
	assert_true(x.text_mended);
	/* a NUL is kept as U+001A */
	assert_int_equal(decode_q("from=1&text=%00A%00%00%00B&coding=2", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.text,
			    "A\x1a"
			    "B");
	assert_true(inbound_valid(&in));
}

static void test_8bit_charsets(void **state)
{
	struct inbound in;
	struct sms_http_extra x;

	(void)state;
	assert_int_equal(decode_q("from=1&text=caf%E9&charset=ISO-8859-1", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.text, "caf\xc3\xa9");
	assert_int_equal(decode_q("from=1&text=%80&charset=windows-1252", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.text, "\xe2\x82\xac");
	/* invalid UTF-8 is mended, not refused */
	assert_int_equal(decode_q("from=1&text=a%E9b", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.text,
			    "a\xef\xbf\xbd"
			    "b");
	assert_true(x.text_mended);
	assert_true(inbound_valid(&in));
}

static void test_post_url(void **state)
{
	static const char body[] = { 0x06, 0x42, 0x00, 0x20, 0x00, 0x31 };
	struct inbound in;
	struct sms_http_extra x;

	(void)state;
	assert_int_equal(decode_body("from=%2B1&time=5", "text/plain; charset=\"UTF-16BE\"", body,
				     sizeof(body), &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.text, "\xd9\x82 1");
	assert_int_equal(decode_body("from=%2B1", "text/plain", "T 1 V 2", 7, &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.text, "T 1 V 2");
	/* the text both ways */
	assert_int_equal(decode_body("from=%2B1&text=a", "text/plain", "b", 1, &in, &x),
			 SMS_HTTP_DUPLICATE);
	assert_string_equal(x.field, "text");
	/* a form body */
	assert_int_equal(decode_body(NULL, "application/x-www-form-urlencoded; charset=utf-8",
				     "from=%2B2&text=hi", 17, &in, &x),
			 SMS_HTTP_OK);
	assert_string_equal(in.sender, "+2");
	assert_string_equal(in.text, "hi");
	assert_int_equal(decode_body("from=1", "text/plain; charset=klingon", "x", 1, &in, &x),
			 SMS_HTTP_BAD_CHARSET);
	assert_string_equal(x.field, "Content-Type");
}

static void test_json(void **state)
{
	const char *j =
		"{\"from\": \"+96171123456\", \"to\": \"1234\", \"text\": "
		"\"\\u0642 101 \\u0000x\", \"time\": \"2025-05-04T13:00:00+03:00\", "
		"\"smsc\": \"agg\", \"id\": 42, \"other\": [1]}";
	struct inbound in;
	struct sms_http_extra x;
	char why[256];

	(void)state;
	assert_int_equal(decode_body(NULL, "application/json", j, strlen(j), &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.sender, "+96171123456");
	assert_string_equal(in.text,
			    "\xd9\x82 101 \x1a"
			    "x");
	assert_int_equal(in.smsc_time, 1746352800);
	assert_string_equal(in.source, "agg");
	assert_string_equal(x.id, "42");
	j = "{\"from\": \"1\", \"time\": 1746352800}";
	assert_int_equal(
		decode_body(NULL, "application/json; charset=utf-8", j, strlen(j), &in, &x),
		SMS_HTTP_OK);
	assert_int_equal(in.smsc_time, 1746352800);
	assert_int_equal(in.text_len, 0);
	j = "{\"from\": 961}";
	assert_int_equal(decode_body(NULL, "application/json", j, strlen(j), &in, &x),
			 SMS_HTTP_BAD_TYPE);
	assert_string_equal(sms_http_error_text(SMS_HTTP_BAD_TYPE, &x, why, sizeof(why)),
			    "field \"from\" has the wrong JSON type");
	j = "{\"from\": \"1\", \"from\": \"2\"}";
	assert_int_equal(decode_body(NULL, "application/json", j, strlen(j), &in, &x),
			 SMS_HTTP_BAD_JSON);
	j = "[1]";
	assert_int_equal(decode_body(NULL, "application/json", j, strlen(j), &in, &x),
			 SMS_HTTP_BAD_JSON);
	j = "{\"from\": \"1\", \"time\": -5}";
	assert_int_equal(decode_body(NULL, "application/json", j, strlen(j), &in, &x),
			 SMS_HTTP_BAD_TIME);
	j = "{\"from\": \"1\", \"time\": \"2025-02-29T00:00:00Z\"}";
	assert_int_equal(decode_body(NULL, "application/json", j, strlen(j), &in, &x),
			 SMS_HTTP_BAD_TIME);
	/* query and JSON fields together: no field twice */
	j = "{\"from\": \"1\"}";
	assert_int_equal(decode_body("from=2", "application/json", j, strlen(j), &in, &x),
			 SMS_HTTP_DUPLICATE);
}

static void test_refused(void **state)
{
	struct inbound in;
	struct sms_http_extra x;
	char why[256];

	(void)state;
	assert_int_equal(decode_q("text=hello", &in, &x), SMS_HTTP_NO_SENDER);
	assert_string_equal(sms_http_error_text(SMS_HTTP_NO_SENDER, &x, why, sizeof(why)),
			    "missing field \"from\"");
	assert_int_equal(decode_q("from=&text=hello", &in, &x), SMS_HTTP_NO_SENDER);
	assert_int_equal(decode_q("from=+++", &in, &x), SMS_HTTP_NO_SENDER);
	/* a sender with a control character or over 32 bytes is kept, marked
	 * (recorded as no phone number, never answered), as from a modem */
	assert_int_equal(decode_q("from=%0a1", &in, &x), SMS_HTTP_OK);
	assert_true(x.sender_marked);
	assert_string_equal(in.sender,
			    "\xEF\xBF\xBD"
			    "1");
	assert_int_equal(decode_q("from=123456789012345678901234567890123", &in, &x), SMS_HTTP_OK);
	assert_true(x.sender_marked);
	assert_true(strlen(in.sender) < INBOUND_SENDER_MAX);
	assert_non_null(strstr(in.sender, "\xEF\xBF\xBD"));
	assert_int_equal(decode_q("from=1&text=x", &in, &x), SMS_HTTP_OK);
	assert_false(x.sender_marked);
	/* beyond what any gateway writes: refused */
	char longq[300] = "from=";
	memset(longq + 5, '7', 200);
	longq[205] = '\0';
	assert_int_equal(decode_q(longq, &in, &x), SMS_HTTP_BAD_SENDER);
	assert_int_equal(decode_q("from=1&text=%zz", &in, &x), SMS_HTTP_BAD_ESCAPE);
	assert_string_equal(x.field, "text");
	assert_int_equal(decode_q("from=1&from=2", &in, &x), SMS_HTTP_DUPLICATE);
	assert_int_equal(decode_q("from=1&time=12x", &in, &x), SMS_HTTP_BAD_TIME);
	assert_int_equal(decode_q("from=1&time=1234567890123", &in, &x), SMS_HTTP_BAD_TIME);
	assert_int_equal(decode_q("from=1&coding=3", &in, &x), SMS_HTTP_BAD_CODING);
	assert_int_equal(decode_q("from=1&charset=GSM", &in, &x), SMS_HTTP_BAD_CHARSET);
	assert_string_equal(sms_http_error_code(SMS_HTTP_BAD_CHARSET), "bad_charset");
}

static void test_mended(void **state)
{
	struct inbound in;
	struct sms_http_extra x;
	char q[8 * 1024];
	int n;

	(void)state;
	/* an unescaped '+' in the sender */
	assert_int_equal(decode_q("from=+96171123456&text=x", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.sender, "+96171123456");
	/* a bad smsc name falls back to "http" */
	assert_int_equal(decode_q("from=1&smsc=a%20b", &in, &x), SMS_HTTP_OK);
	assert_string_equal(in.source, "http");
	/* a text over INBOUND_TEXT_MAX is cut at a character */
	n = snprintf(q, sizeof(q), "from=1&text=a");
	for (int i = 0; i < 1100; i++)
		n += snprintf(q + n, sizeof(q) - (size_t)n, "%%D9%%82");
	assert_int_equal(decode_q(q, &in, &x), SMS_HTTP_OK);
	assert_true(x.text_cut);
	assert_int_equal(in.flags, INBOUND_TEXT_CUT); /* stored and answered as cut */
	assert_int_equal(in.text_len, INBOUND_TEXT_MAX - 1);
	assert_true(inbound_valid(&in));
	assert_int_equal(decode_q("from=1&text=short", &in, &x), SMS_HTTP_OK);
	assert_int_equal(in.flags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_fields),   cmocka_unit_test(test_form_unescape),
		cmocka_unit_test(test_kannel_get),    cmocka_unit_test(test_ucs2),
		cmocka_unit_test(test_8bit_charsets), cmocka_unit_test(test_post_url),
		cmocka_unit_test(test_json),          cmocka_unit_test(test_refused),
		cmocka_unit_test(test_mended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
