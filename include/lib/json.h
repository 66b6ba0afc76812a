/*
 * json.h - a small JSON writer into a caller buffer.
 *
 * The writer never allocates.  When the buffer is too small it stops
 * writing and remembers the overflow: json_finish() then returns false, so
 * a caller never prints a truncated object by accident.
 */
#ifndef SAWT_JSON_H
#define SAWT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct json_buf {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
	bool need_comma;
};

/* Start writing into buf (cap bytes; one is kept for the final NUL). */
void json_init(struct json_buf *j, char *buf, size_t cap);

/* '{' and '}'; '[' and ']'.  A key, when not NULL, comes first. */
void json_open_object(struct json_buf *j, const char *key);
void json_close_object(struct json_buf *j);
void json_open_array(struct json_buf *j, const char *key);
void json_close_array(struct json_buf *j);

/* A member "key": value (key NULL: an array element). */
void json_bool(struct json_buf *j, const char *key, bool v);
void json_uint(struct json_buf *j, const char *key, uint64_t v);
void json_int(struct json_buf *j, const char *key, int64_t v);
/* s is UTF-8 of len bytes; it is escaped (quotes, backslash, control
 * characters, U+2028/U+2029); bytes that are not valid UTF-8 become U+FFFD. */
void json_string(struct json_buf *j, const char *key, const char *s, size_t len);

/*
 * NUL-terminate and return true, or false when something did not fit (the
 * buffer then holds an unspecified prefix).
 */
bool json_finish(struct json_buf *j) SAWT_MUST_CHECK;

#endif
