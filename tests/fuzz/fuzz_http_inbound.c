/*
 * fuzz_http_inbound.c - fuzz the decoding of an SMS delivered over HTTP:
 * the form decoder (http_form.c) and the three request forms of
 * sms_http.c (query string, form or text body, JSON body).
 *
 * The first byte picks the Content-Type; the rest is the query string, a
 * newline, then the body.  Every field the form decoder finds must lie
 * inside its input and unescape to no more bytes than it has.  A decoded
 * message must be a valid inbound record (inbound_valid) with a sender, a
 * 64-digit dedup key and transport HTTP; a refusal must have a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_form.h"
#include "sms_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
	NULL,
	"text/plain",
	"text/plain; charset=\"UTF-16BE\"",
	"text/plain; charset=ISO-8859-1",
	"application/x-www-form-urlencoded",
	"application/json",
	"application/vnd.sawt+json; charset=utf-8",
	"application/octet-stream; charset=",
};

static void check_form(const char *form, size_t len)
{
	struct http_form_field f;
	size_t pos = 0, n;
	char out[256];

	while (http_form_next(form, len, &pos, &f)) {
		if (f.key < form || f.key + f.key_len > form + len || f.value < form ||
		    f.value + f.value_len > form + len || pos > len)
			abort();
		switch (http_form_unescape(f.value, f.value_len, out, sizeof(out), &n)) {
		case HTTP_FORM_OK:
			if (n > f.value_len || (n < sizeof(out) && out[n] != '\0'))
				abort();
			break;
		case HTTP_FORM_NO_SPACE:
			if (n != sizeof(out))
				abort();
			break;
		case HTTP_FORM_BAD_ESCAPE: break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sms_http_request rq = { .received_ms = 1714800000000 };
	struct sms_http_extra x;
	struct inbound in;
	const char *text, *nl;
	char why[256];
	enum sms_http_error e;

	if (size == 0)
		return 0;
	rq.content_type =
		content_types[data[0] % (sizeof(content_types) / sizeof(content_types[0]))];
	text = (const char *)data + 1;
	size--;
	nl = memchr(text, '\n', size);
	rq.query = text;
	rq.query_len = nl ? (size_t)(nl - text) : size;
	if (nl != NULL) {
		rq.body = nl + 1;
		rq.body_len = size - rq.query_len - 1;
	}
	check_form(rq.query, rq.query_len);
	check_form(rq.body, rq.body_len);
	e = sms_http_decode(&rq, &in, &x);
	if (e == SMS_HTTP_OK) {
		if (!inbound_valid(&in) || in.transport != INBOUND_HTTP || in.sender[0] == '\0' ||
		    strlen(in.dedup) != 64 || in.source[0] == '\0' || in.smsc_time < 0)
			abort();
	} else if (sms_http_error_text(e, &x, why, sizeof(why))[0] == '\0' ||
		   strcmp(sms_http_error_code(e), "ok") == 0) {
		abort();
	}
	return 0;
}
