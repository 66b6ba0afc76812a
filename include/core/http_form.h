/*
 * http_form.h - application/x-www-form-urlencoded text (a URL's query
 * string or a POST body): stepping through its fields and undoing the
 * percent escapes.  Pure and allocation-free: fields point into the
 * caller's text, decoded values go into the caller's buffers.
 *
 *   "from=%2B96171123456&text=T+101+V+80"
 *     -> ("from", "+96171123456"), ("text", "T 101 V 80")
 */
#ifndef SAWT_HTTP_FORM_H
#define SAWT_HTTP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* One field, still escaped; key and value point into the form text. */
struct http_form_field {
	const char *key;
	size_t key_len;
	const char *value; /* "" (value_len 0) for "key" or "key=" */
	size_t value_len;
};

enum http_form_status {
	HTTP_FORM_OK,
	HTTP_FORM_BAD_ESCAPE, /* '%' not followed by two hexadecimal digits */
	HTTP_FORM_NO_SPACE,   /* the decoded text does not fit */
};

/*
 * The field at *pos of form (len bytes; *pos starts at 0) into *f, and
 * *pos moved past it.  Fields are separated by '&' (or ';'); empty ones
 * ("a=1&&b=2") are skipped.  False at the end of the text.
 */
bool http_form_next(const char *form, size_t len, size_t *pos, struct http_form_field *f);

/*
 * Undo the escapes of in (len bytes) into out (cap bytes): "%XX" becomes
 * the byte XX and '+' a space.  The result is bytes, not a string: "%00"
 * gives a NUL byte.  *outlen is set to the bytes written; out is also
 * NUL-terminated when there is room.  On HTTP_FORM_NO_SPACE out holds the
 * first cap bytes of the result (the rest is dropped; no terminator); on
 * HTTP_FORM_BAD_ESCAPE its content is unspecified.
 */
enum http_form_status http_form_unescape(const char *in, size_t len, char *out, size_t cap,
					 size_t *outlen) SAWT_MUST_CHECK;

/*
 * True when f's key, unescaped, is name (compared exactly; names are
 * short ASCII words such as "from").
 */
bool http_form_key_is(const struct http_form_field *f, const char *name);

#endif
