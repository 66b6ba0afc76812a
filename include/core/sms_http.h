/*
 * sms_http.h - an SMS delivered over HTTP (POST or GET /sms/inbound) made
 * into the same struct inbound a modem produces.  Pure: the HTTP server
 * hands over the query string, the body and its Content-Type.
 *
 * Three forms (docs/http.md):
 *
 * 1. Kannel's sms-service get-url, every field in the query string:
 *      /sms/inbound?from=%p&to=%P&text=%b&time=%T&smsc=%i&id=%I&coding=%c&charset=%C
 *    or the same fields as an application/x-www-form-urlencoded POST body.
 * 2. Kannel's post-url: the text is the body (Content-Type text/plain, or
 *    anything but the two below), the other fields in the query string.
 * 3. A JSON object (Content-Type application/json) for other aggregators:
 *      {"from": "+96171123456", "to": "1234", "text": "T 101 V 80",
 *       "time": 1714800000, "smsc": "op1", "id": "abc-1"}
 *    "time" is Unix seconds or an RFC 3339 string
 *    ("2025-05-04T10:00:00Z", "2025-05-04T13:00:00+03:00").
 *
 *   field    Kannel  meaning
 *   from     %p      sender, required ("+96171123456", "96171123456", "MTC")
 *   to       %P      the number the SMS was sent to (logged, not stored)
 *   text     %b      the text; empty when absent (not %a, which splits
 *                    UCS-2 text at bytes that are ASCII blanks)
 *   time     %T      SMSC time, Unix seconds (0 or absent: unknown)
 *   smsc     %i      SMSC id: names the source ("modem" column) when it is
 *                    1 to 32 letters, digits, '.', '-' or '_'; else "http"
 *   id       %I      the gateway's message id (logged, not stored)
 *   coding   %c      0 (7-bit), 1 (8-bit), 2 (UCS-2); empty for unknown
 *   charset  %C      the text's character set: UTF-8 (the default),
 *                    UTF-16BE (also UTF-16, UCS-2; the default with
 *                    coding=2), ISO-8859-1 (also latin1, US-ASCII; the
 *                    default with coding=1), WINDOWS-1252
 *
 * For the body of a post-url, the charset parameter of its Content-Type
 * counts when the query has no charset.  Fields other than these are
 * ignored; a field given twice (or a text both in the query and as the
 * body) is refused.  An unescaped '+' in from reads as a space: a sender
 * " 96171123456" is taken as "+96171123456".
 *
 * What is refused (an HTTP 400 with the one-line reason of
 * sms_http_error_text(); nothing is recorded, since there is no sender to
 * record or answer): no sender, a sender over 127 bytes, a bad percent escape, a bad time, coding
 * or charset, JSON that does not parse or has a field of the wrong type.  What is accepted and
 * mended: text that is not valid in its character set (each bad sequence becomes U+FFFD), a NUL
 * (U+001A, as from a modem), text longer than INBOUND_TEXT_MAX bytes of UTF-8 (cut at a character,
 * INBOUND_TEXT_CUT), a sender of 33 to 127 bytes or with a control
 * character or invalid UTF-8 (kept as inbound_sender_clean() marks it, as
 * from a modem: recorded, never answered).
 */
#ifndef SAWT_SMS_HTTP_H
#define SAWT_SMS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbound.h"
#include "log.h"

/* The most bytes of a decoded text field before conversion to UTF-8. */
#define SMS_HTTP_RAW_MAX (2 * INBOUND_TEXT_MAX + 8)
#define SMS_HTTP_ID_MAX 65 /* "id", NUL included */

enum sms_http_error {
	SMS_HTTP_OK,
	SMS_HTTP_NO_SENDER,   /* from missing or empty */
	SMS_HTTP_BAD_SENDER,  /* over 127 bytes */
	SMS_HTTP_BAD_ESCAPE,  /* '%' without two hex digits */
	SMS_HTTP_TOO_LONG,    /* a field other than text too long */
	SMS_HTTP_DUPLICATE,   /* a field given twice */
	SMS_HTTP_BAD_TIME,    /* time not Unix seconds / RFC 3339 */
	SMS_HTTP_BAD_CODING,  /* coding not 0, 1 or 2 */
	SMS_HTTP_BAD_CHARSET, /* a character set not listed above */
	SMS_HTTP_BAD_JSON,    /* body is not one JSON object */
	SMS_HTTP_BAD_TYPE,    /* a JSON field of the wrong type */
	SMS_HTTP_ERROR_COUNT,
};

/* What the HTTP layer hands over; pointers may be NULL when empty. */
struct sms_http_request {
	const char *query; /* the raw query string, without '?' */
	size_t query_len;
	const char *body;
	size_t body_len;
	const char *content_type; /* the Content-Type header, NULL if none */
	int64_t received_ms;      /* Unix milliseconds */
};

/* What a request says beyond the inbound record, and which field an
 * error is about. */
struct sms_http_extra {
	char to[INBOUND_SENDER_MAX];
	char id[SMS_HTTP_ID_MAX];
	const char *field;  /* the field of the error ("from", ...), or NULL */
	bool text_mended;   /* invalid sequences replaced, or a NUL */
	bool text_cut;      /* text longer than INBOUND_TEXT_MAX, cut */
	bool sender_marked; /* sender not printable or over 32 bytes: kept marked
			     * (inbound_sender_clean), recorded, not answered */
};

/*
 * Decode rq into *out (transport INBOUND_HTTP, dedup key computed) and
 * *extra.  Returns SMS_HTTP_OK, or the reason the request is refused
 * (then *out is unspecified).
 */
enum sms_http_error sms_http_decode(const struct sms_http_request *rq, struct inbound *out,
				    struct sms_http_extra *extra) SAWT_MUST_CHECK;

/*
 * The one-line reason of err into buf (n bytes), naming the field, e.g.
 * "missing field \"from\"", "invalid value of field \"time\": expected
 * Unix seconds or an RFC 3339 time".  Returns buf.
 */
const char *sms_http_error_text(enum sms_http_error err, const struct sms_http_extra *extra,
				char *buf, size_t n);

/* A stable snake_case code of err for logs and metrics ("no_sender"). */
const char *sms_http_error_code(enum sms_http_error err);

#endif
