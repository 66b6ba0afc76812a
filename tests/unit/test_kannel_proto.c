/*
 * test_kannel_proto.c - the sendsms query (escaping, GSM 7-bit or UCS-2,
 * the dlr-url with the secret), Kannel's answers, and the delivery
 * reports of /sms/dlr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_form.h"
#include "kannel_proto.h"
#include "utf8.h"

static char q[65536];
static size_t qlen;

static const struct kannel_sendsms plain = {
	.username = "sawt",
	.password = "p&ss w+rd",
};

static enum kannel_query_status query(const struct kannel_sendsms *m, const char *to,
				      const char *text)
{
	return kannel_sendsms_query(m, 42, to, text, strlen(text), q, sizeof(q), &qlen);
}

/* The decoded value of field name in q (bytes into out); false if absent. */
static bool field(const char *name, char *out, size_t cap, size_t *n)
{
	struct http_form_field f;
	size_t pos = 0;

	while (http_form_next(q, qlen, &pos, &f)) {
		if (http_form_key_is(&f, name)) {
			assert_int_equal(http_form_unescape(f.value, f.value_len, out, cap, n),
					 HTTP_FORM_OK);
			return true;
		}
	}
	return false;
}

static void test_query_gsm7(void **state)
{
	struct kannel_sendsms m = plain;

	(void)state;
	m.sender = "1234";
	m.smsc = "op1";
	assert_int_equal(query(&m, "+96171123456", "OK 1021: V=420 W=190 (45%)"), KANNEL_QUERY_OK);
	assert_string_equal(q,
			    "username=sawt&password=p%26ss%20w%2Brd&to=%2B96171123456"
			    "&from=1234&smsc=op1&coding=0&charset=UTF-8"
			    "&text=OK%201021%3A%20V%3D420%20W%3D190%20%2845%25%29");
	assert_int_equal(qlen, strlen(q));
}

static void test_query_gsm7_extension_and_accents(void **state)
{
	char v[256];
	size_t n;

	(void)state;
	/* é and € are in the GSM alphabet (basic and extension table) */
	assert_int_equal(query(&plain, "96171123456", "Recu é ü [x] 5€"), KANNEL_QUERY_OK);
	assert_non_null(strstr(q, "&coding=0&charset=UTF-8&"));
	assert_true(field("text", v, sizeof(v), &n));
	assert_int_equal(n, strlen("Recu é ü [x] 5€"));
	assert_memory_equal(v, "Recu é ü [x] 5€", n);
	/* no from or smsc when not configured, no dlr fields without dlr_url */
	assert_false(field("from", v, sizeof(v), &n));
	assert_false(field("smsc", v, sizeof(v), &n));
	assert_false(field("dlr-url", v, sizeof(v), &n));
	assert_false(field("dlr-mask", v, sizeof(v), &n));
}

static void test_query_arabic_ucs2(void **state)
{
	(void)state;
	/* ت U+062A, م U+0645, space, ١ U+0661 */
	assert_int_equal(query(&plain, "+9613123456", "تم ١"), KANNEL_QUERY_OK);
	assert_string_equal(q,
			    "username=sawt&password=p%26ss%20w%2Brd&to=%2B9613123456"
			    "&coding=2&charset=UTF-16BE&text=%06%2A%06E%00%20%06a");
}

static void test_query_ucs2_long_and_astral(void **state)
{
	char text[4096], want[8192], got[8192];
	size_t tl = 0, wl, gl;

	(void)state;
	/* 700 Arabic letters and an emoji (a surrogate pair) across the
	 * converter's chunks */
	for (int i = 0; i < 700; i++) {
		memcpy(text + tl, "ش", 2);
		tl += 2;
		if (i == 126) {
			memcpy(text + tl, "\xf0\x9f\x98\x80", 4);
			tl += 4;
		}
	}
	text[tl] = '\0';
	assert_int_equal(query(&plain, "+96171123456", text), KANNEL_QUERY_OK);
	assert_int_equal(utf8_to_ucs2(text, tl, (uint8_t *)want, sizeof(want), &wl), UTF8_CONV_OK);
	assert_int_equal(wl, 1404);
	assert_true(field("text", got, sizeof(got), &gl));
	assert_int_equal(gl, wl);
	assert_memory_equal(got, want, wl);
}

static void test_query_dlr_url(void **state)
{
	struct kannel_sendsms m = plain;
	char v[1024];
	size_t n;

	(void)state;
	m.dlr_url = "http://10.0.0.5:8080/sms/dlr";
	m.secret = "s3cr.et-~_X";
	m.dlr_mask = 27;
	assert_int_equal(query(&m, "+96171123456", "OK"), KANNEL_QUERY_OK);
	assert_true(field("dlr-mask", v, sizeof(v), &n));
	assert_string_equal(v, "27");
	assert_true(field("dlr-url", v, sizeof(v), &n));
	assert_string_equal(
		v, "http://sawt:s3cr.et-~_X@10.0.0.5:8080/sms/dlr?id=42&status=%d&reply=%A");
	/* escaped once in the query: Kannel's escapes survive its CGI decoding */
	assert_non_null(strstr(q,
			       "&dlr-url=http%3A%2F%2Fsawt%3As3cr.et-~_X%4010.0.0.5%3A8080"
			       "%2Fsms%2Fdlr%3Fid%3D42%26status%3D%25d%26reply%3D%25A"));
	/* https keeps its scheme; an out-of-range mask takes the default */
	m.dlr_url = "HTTPS://sawt.example.org/sms/dlr";
	m.dlr_mask = 0;
	assert_int_equal(query(&m, "+96171123456", "OK"), KANNEL_QUERY_OK);
	assert_true(field("dlr-url", v, sizeof(v), &n));
	assert_string_equal(
		v, "HTTPS://sawt:s3cr.et-~_X@sawt.example.org/sms/dlr?id=42&status=%d&reply=%A");
	assert_true(field("dlr-mask", v, sizeof(v), &n));
	assert_string_equal(v, "27");
}

static void test_query_refusals(void **state)
{
	struct kannel_sendsms m = plain;

	(void)state;
	assert_int_equal(query(&plain, "", "x"), KANNEL_QUERY_BAD_RECIPIENT);
	assert_int_equal(query(&plain, "12", "x"), KANNEL_QUERY_BAD_RECIPIENT);
	assert_int_equal(query(&plain, "+9617112345a", "x"), KANNEL_QUERY_BAD_RECIPIENT);
	assert_int_equal(query(&plain, "+123456789012345678901", "x"), KANNEL_QUERY_BAD_RECIPIENT);
	assert_int_equal(query(&plain, "96171 123456", "x"), KANNEL_QUERY_BAD_RECIPIENT);
	assert_int_equal(query(&plain, "+96171123456", "bad \xff utf-8"), KANNEL_QUERY_BAD_TEXT);
	assert_int_equal(query(&plain, "+96171123456", "\xd8\xaa\xed\xa0\x80"),
			 KANNEL_QUERY_BAD_TEXT);
	m.dlr_url = "http://sawt:x@host/sms/dlr";
	m.secret = "abc";
	assert_int_equal(query(&m, "+96171123456", "OK"), KANNEL_QUERY_BAD_DLR_URL);
	m.dlr_url = "http://host/sms/dlr";
	m.secret = "a@b";
	assert_int_equal(query(&m, "+96171123456", "OK"), KANNEL_QUERY_BAD_DLR_URL);
	m.secret = NULL;
	assert_int_equal(query(&m, "+96171123456", "OK"), KANNEL_QUERY_BAD_DLR_URL);
	assert_int_equal(kannel_sendsms_query(&plain, 1, "+96171123456", "OK", 2, q, 40, &qlen),
			 KANNEL_QUERY_NO_SPACE);
	assert_int_equal(qlen, 0);
	assert_string_equal(kannel_query_status_name(KANNEL_QUERY_BAD_TEXT),
			    "text is not valid UTF-8");
}

static void test_dlr_url_and_secret_checks(void **state)
{
	(void)state;
	assert_true(kannel_dlr_url_check("http://127.0.0.1:8080/sms/dlr"));
	assert_true(kannel_dlr_url_check("https://sawt.example.org/sms/dlr"));
	assert_true(kannel_dlr_url_check("http://[::1]:8080/sms/dlr"));
	assert_false(kannel_dlr_url_check("ftp://host/sms/dlr"));
	assert_false(kannel_dlr_url_check("http:///sms/dlr"));
	assert_false(kannel_dlr_url_check("http://user:pw@host/sms/dlr"));
	assert_false(kannel_dlr_url_check("http://host/sms/dlr?x=1"));
	assert_false(kannel_dlr_url_check("http://host/sms/dlr#x"));
	assert_false(kannel_dlr_url_check("http://host/sms dlr"));
	assert_false(kannel_dlr_url_check("http://host/sms%20dlr"));
	assert_false(kannel_dlr_url_check("http://:80/sms/dlr"));
	assert_true(kannel_secret_check("Abc-123._~"));
	assert_false(kannel_secret_check(""));
	assert_false(kannel_secret_check("a@b"));
	assert_false(kannel_secret_check("a/b"));
	assert_false(kannel_secret_check("a b"));
	assert_false(kannel_secret_check("a%41"));
	assert_false(kannel_secret_check("s3cr=t#1"));
}

static void test_answer_classify(void **state)
{
	static const struct {
		int status;
		const char *body;
		enum kannel_answer want;
	} cases[] = {
		{ 202, "0: Accepted for delivery", KANNEL_ANSWER_ACCEPTED },
		{ 202, "3: Queued for later delivery", KANNEL_ANSWER_ACCEPTED },
		{ 202, "Sent.", KANNEL_ANSWER_ACCEPTED },
		{ 200, "", KANNEL_ANSWER_ACCEPTED },
		{ 503, "Temporal failure, try again later.", KANNEL_ANSWER_UNAVAILABLE },
		{ 500, "Sending failed.", KANNEL_ANSWER_UNAVAILABLE },
		{ 0, NULL, KANNEL_ANSWER_UNAVAILABLE },
		{ 403, "Authorization failed for sendsms", KANNEL_ANSWER_UNAVAILABLE },
		{ 404, "Unknown service", KANNEL_ANSWER_UNAVAILABLE },
		{ 429, "", KANNEL_ANSWER_UNAVAILABLE },
		{ 408, "", KANNEL_ANSWER_UNAVAILABLE },
		{ 403, "Not routable. Do not try again.", KANNEL_ANSWER_REJECTED },
		{ 400, "Missing receiver number, rejected", KANNEL_ANSWER_REJECTED },
		{ 413, "", KANNEL_ANSWER_REJECTED },
		{ 302, "", KANNEL_ANSWER_REJECTED },
		{ 403, NULL, KANNEL_ANSWER_REJECTED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *b = cases[i].body;

		if (kannel_answer_classify(cases[i].status, b, b ? strlen(b) : 0) != cases[i].want)
			fail_msg("%d \"%s\": %s", cases[i].status, b ? b : "(null)",
				 kannel_answer_name(kannel_answer_classify(cases[i].status, b,
									   b ? strlen(b) : 0)));
	}
}

static void test_answer_text(void **state)
{
	char out[KANNEL_ANSWER_TEXT_MAX], tiny[16];
	char longbody[400];

	(void)state;
	kannel_answer_text(202, "0: Accepted for delivery", 24, NULL, out, sizeof(out));
	assert_string_equal(out, "kannel: 202 0: Accepted for delivery");
	kannel_answer_text(403, "Not routable.\r\nsecond line", 26, NULL, out, sizeof(out));
	assert_string_equal(out, "kannel: 403 Not routable.");
	kannel_answer_text(400, "bad\x01\xff text", 10, NULL, out, sizeof(out));
	assert_string_equal(out, "kannel: 400 bad?? text");
	kannel_answer_text(0, NULL, 0, "connection refused", out, sizeof(out));
	assert_string_equal(out, "kannel: no answer (connection refused)");
	kannel_answer_text(0, NULL, 0, NULL, out, sizeof(out));
	assert_string_equal(out, "kannel: no answer");
	memset(longbody, 'x', sizeof(longbody));
	memcpy(longbody + 140, "ش", 2);
	kannel_answer_text(500, longbody, sizeof(longbody), NULL, out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	/* a character that does not fit is left out whole */
	kannel_answer_text(500, "ab\xd8\xb4", 4, NULL, tiny, 15);
	assert_string_equal(tiny, "kannel: 500 ab");
}

static void expect_dlr(const char *query, enum kannel_dlr_error want)
{
	struct kannel_dlr d;
	enum kannel_dlr_error got = kannel_dlr_parse(query, strlen(query), &d);

	if (got != want)
		fail_msg("%s: got \"%s\", want \"%s\"", query, kannel_dlr_error_text(got),
			 kannel_dlr_error_text(want));
	if (got != KANNEL_DLR_OK)
		assert_true(d.id == 0 && d.status == 0 && d.reply[0] == '\0');
}

static void test_dlr_parse(void **state)
{
	struct kannel_dlr d;
	const char *s;
	char big[2048];

	(void)state;
	s = "id=42&status=1&reply=id%3A123+sub%3A001+dlvrd%3A001+stat%3ADELIVRD";
	assert_int_equal(kannel_dlr_parse(s, strlen(s), &d), KANNEL_DLR_OK);
	assert_int_equal(d.id, 42);
	assert_int_equal(d.status, KANNEL_DLR_DELIVERED);
	assert_string_equal(d.reply, "id:123 sub:001 dlvrd:001 stat:DELIVRD");
	s = "status=16&other=x&id=9223372036854775807";
	assert_int_equal(kannel_dlr_parse(s, strlen(s), &d), KANNEL_DLR_OK);
	assert_true(d.id == 9223372036854775807ull && d.status == 16 && d.reply[0] == '\0');
	/* control characters and bad UTF-8 of the SMSC's reply are masked */
	s = "id=1&status=2&reply=a%0Db%01%FF%D8%B4";
	assert_int_equal(kannel_dlr_parse(s, strlen(s), &d), KANNEL_DLR_OK);
	assert_string_equal(d.reply, "a");
	s = "id=1&status=2&reply=x%01%FFy%D8%B4";
	assert_int_equal(kannel_dlr_parse(s, strlen(s), &d), KANNEL_DLR_OK);
	assert_string_equal(d.reply, "x??yش");
	/* a long reply is cut, not refused; its escapes are still checked */
	strcpy(big, "id=7&status=8&reply=");
	for (int i = 0; i < 500; i++)
		strcat(big, "%41");
	assert_int_equal(kannel_dlr_parse(big, strlen(big), &d), KANNEL_DLR_OK);
	assert_int_equal(strlen(d.reply), KANNEL_DLR_REPLY_MAX - 1);
	strcat(big, "%4");
	expect_dlr(big, KANNEL_DLR_BAD_ESCAPE);

	expect_dlr("", KANNEL_DLR_NO_ID);
	expect_dlr("status=1", KANNEL_DLR_NO_ID);
	expect_dlr("id=&status=1", KANNEL_DLR_NO_ID);
	expect_dlr("id=1", KANNEL_DLR_NO_STATUS);
	expect_dlr("id=1&status=", KANNEL_DLR_NO_STATUS);
	expect_dlr("id=0&status=1", KANNEL_DLR_BAD_ID);
	expect_dlr("id=-1&status=1", KANNEL_DLR_BAD_ID);
	expect_dlr("id=1x&status=1", KANNEL_DLR_BAD_ID);
	expect_dlr("id=9223372036854775808&status=1", KANNEL_DLR_BAD_ID);
	expect_dlr("id=99999999999999999999&status=1", KANNEL_DLR_BAD_ID);
	expect_dlr("id=1&status=3", KANNEL_DLR_BAD_STATUS);
	expect_dlr("id=1&status=%25d", KANNEL_DLR_BAD_STATUS);
	expect_dlr("id=1&status=064", KANNEL_DLR_BAD_STATUS);
	expect_dlr("id=1&status=1&id=2", KANNEL_DLR_DUPLICATE);
	expect_dlr("id=1&status=1&reply=a&reply=b", KANNEL_DLR_DUPLICATE);
	expect_dlr("id=%4&status=1", KANNEL_DLR_BAD_ESCAPE);
	expect_dlr("id=1&status=1&reply=%zz", KANNEL_DLR_BAD_ESCAPE);
	expect_dlr("id=%31&status=%38", KANNEL_DLR_OK);
	assert_string_equal(kannel_dlr_error_text(KANNEL_DLR_NO_ID), "missing parameter \"id\"");
}

static void test_dlr_status_names(void **state)
{
	(void)state;
	assert_string_equal(kannel_dlr_status_name(1), "delivered");
	assert_string_equal(kannel_dlr_status_name(2), "failed");
	assert_string_equal(kannel_dlr_status_name(4), "smsc_queued");
	assert_string_equal(kannel_dlr_status_name(8), "smsc_accepted");
	assert_string_equal(kannel_dlr_status_name(16), "smsc_rejected");
	assert_string_equal(kannel_dlr_status_name(32), "smsc_queued");
	assert_null(kannel_dlr_status_name(0));
	assert_null(kannel_dlr_status_name(3));
	assert_true(kannel_dlr_final(1) && kannel_dlr_final(2) && kannel_dlr_final(16));
	assert_false(kannel_dlr_final(4) || kannel_dlr_final(8) || kannel_dlr_final(32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_gsm7),
		cmocka_unit_test(test_query_gsm7_extension_and_accents),
		cmocka_unit_test(test_query_arabic_ucs2),
		cmocka_unit_test(test_query_ucs2_long_and_astral),
		cmocka_unit_test(test_query_dlr_url),
		cmocka_unit_test(test_query_refusals),
		cmocka_unit_test(test_dlr_url_and_secret_checks),
		cmocka_unit_test(test_answer_classify),
		cmocka_unit_test(test_answer_text),
		cmocka_unit_test(test_dlr_parse),
		cmocka_unit_test(test_dlr_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
