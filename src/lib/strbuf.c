/*
 * strbuf.c - building a string in a caller's fixed buffer; see strbuf.h.
 */
#include "strbuf.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb->len = 0;
	sb->overflow = false;
	if (cap > 0)
		buf[0] = '\0';
}

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
	size_t room;

	if (n == 0 || sb->overflow)
		return;
	room = sb->cap > sb->len ? sb->cap - sb->len - 1 : 0;
	if (n > room) {
		n = room;
		sb->overflow = true;
	}
	if (sb->cap == 0)
		return;
	assert(sb->len + n < sb->cap);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	size_t room;
	int n;

	if (sb->overflow)
		return;
	if (sb->cap == 0) {
		sb->overflow = true;
		return;
	}
	assert(sb->len < sb->cap);
	room = sb->cap - sb->len;
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		sb->overflow = true;
	} else if ((size_t)n >= room) {
		sb->len = sb->cap - 1;
		sb->overflow = true;
	} else {
		sb->len += (size_t)n;
	}
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}
