/*
 * fuzz_kannel_sendsms.c - fuzz the sendsms query written for an outbox row.
 *
 * Any text: invalid UTF-8 is refused, valid text gives a query whose text
 * field, decoded as Kannel does (percent escapes, then the charset it
 * names), is the text again, in UTF-8 for coding=0 and UTF-16BE for
 * coding=2; every byte of the query is unreserved or part of an escape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_form.h"
#include "kannel_proto.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP (6 * 4096 + 2048)

static char q[CAP], field[CAP], conv[CAP];

static bool get(size_t qlen, const char *name, size_t *n)
{
	struct http_form_field f;
	size_t pos = 0;

	while (http_form_next(q, qlen, &pos, &f))
		if (http_form_key_is(&f, name))
			return http_form_unescape(f.value, f.value_len, field, sizeof(field), n) ==
			       HTTP_FORM_OK;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kannel_sendsms m = {
		.username = "sawt",
		.password = "p&ss",
		.sender = "1234",
		.dlr_url = "http://127.0.0.1:8080/sms/dlr",
		.secret = "s3cret",
		.dlr_mask = 27,
	};
	const char *text = (const char *)data;
	size_t qlen = 0, n = 0, cn = 0;
	enum kannel_query_status st;

	if (size > 4096)
		return 0;
	st = kannel_sendsms_query(&m, 42, "+96171123456", text, size, q, sizeof(q), &qlen);
	if (utf8_validate(text, size) != size) {
		if (st != KANNEL_QUERY_BAD_TEXT)
			abort();
		return 0;
	}
	if (st != KANNEL_QUERY_OK || strlen(q) != qlen)
		abort();
	for (size_t i = 0; i < qlen; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%&=",
			   q[i]) == NULL)
			abort();
	if (!get(qlen, "coding", &n))
		abort();
	if (strcmp(field, "0") == 0) {
		if (!get(qlen, "text", &n) || n != size || memcmp(field, text, size) != 0)
			abort();
	} else if (strcmp(field, "2") == 0) {
		if (!get(qlen, "text", &n) ||
		    utf8_from_ucs2((const uint8_t *)field, n, conv, sizeof(conv), &cn) !=
			    UTF8_CONV_OK ||
		    cn != size || memcmp(conv, text, size) != 0)
			abort();
	} else {
		abort();
	}
	return 0;
}
