/*
 * strbuf.h - building a string in a caller's fixed buffer.
 *
 * A struct strbuf never allocates: it appends into the buffer it was given
 * and keeps it NUL-terminated.  What does not fit is cut (at a byte, so a
 * cut UTF-8 sequence is possible) and the overflow flag is set; once set,
 * further appends do nothing, so a caller can append everything and check
 * the flag once at the end.
 */
#ifndef SAWT_STRBUF_H
#define SAWT_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct strbuf {
	char *buf; /* the caller's buffer, cap bytes */
	size_t cap;
	size_t len;    /* bytes in buf before the NUL; at most cap - 1 */
	bool overflow; /* something did not fit */
};

/*
 * Start building into buf (cap bytes, owned by the caller): empty, no
 * overflow, and buf[0] = '\0' when cap > 0.  With cap 0 every non-empty
 * append overflows.
 */
void strbuf_init(struct strbuf *sb, char *buf, size_t cap);

/* Append the n bytes at s (which may hold NUL bytes). */
void strbuf_append(struct strbuf *sb, const char *s, size_t n);

/* Append the NUL-terminated string s. */
void strbuf_puts(struct strbuf *sb, const char *s);

/* Append a printf-formatted string; an encoding error sets the overflow flag. */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) SAWT_PRINTF(2, 3);
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) SAWT_PRINTF(2, 0);

#endif
