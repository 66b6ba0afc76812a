/*
 * json.c - a small JSON writer into a caller buffer; see json.h.
 */
#include "json.h"

#include <string.h>

#include "utf8.h"
#include "util.h"

void json_init(struct json_buf *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->overflow = cap == 0;
	j->need_comma = false;
}

static void put(struct json_buf *j, const char *s, size_t n)
{
	if (j->overflow || j->len + n + 1 > j->cap) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void putc_(struct json_buf *j, char c)
{
	put(j, &c, 1);
}

static void escape(struct json_buf *j, const char *s, size_t len)
{
	size_t pos = 0, run = 0;
	uint32_t cp;

	putc_(j, '"');
	while (pos < len) {
		unsigned char c = (unsigned char)s[pos];
		size_t start = pos;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			pos++;
			continue;
		}
		put(j, s + run, start - run);
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			put(j, e, 2);
			pos++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			char e[2] = { '\\', c == '\n' ? 'n' : c == '\r' ? 'r' : 't' };

			put(j, e, 2);
			pos++;
		} else if (c < 0x20) {
			char e[7] = "\\u00";

			util_hex(e + 4, &c, 1);
			put(j, e, 6);
			pos++;
		} else if (!utf8_decode(s, len, &pos, &cp)) {
			put(j, "\\ufffd", 6);
			pos++;
		} else if (cp == 0x2028 || cp == 0x2029) {
			put(j, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
		} else {
			put(j, s + start, pos - start);
		}
		run = pos;
	}
	put(j, s + run, len - run);
	putc_(j, '"');
}

static void key(struct json_buf *j, const char *k)
{
	if (j->need_comma)
		putc_(j, ',');
	j->need_comma = true;
	if (k != NULL) {
		escape(j, k, strlen(k));
		putc_(j, ':');
	}
}

void json_open_object(struct json_buf *j, const char *k)
{
	key(j, k);
	putc_(j, '{');
	j->need_comma = false;
}

void json_close_object(struct json_buf *j)
{
	putc_(j, '}');
	j->need_comma = true;
}

void json_open_array(struct json_buf *j, const char *k)
{
	key(j, k);
	putc_(j, '[');
	j->need_comma = false;
}

void json_close_array(struct json_buf *j)
{
	putc_(j, ']');
	j->need_comma = true;
}

void json_bool(struct json_buf *j, const char *k, bool v)
{
	key(j, k);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_uint(struct json_buf *j, const char *k, uint64_t v)
{
	char tmp[24];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	key(j, k);
	put(j, tmp + n, sizeof(tmp) - n);
}

void json_int(struct json_buf *j, const char *k, int64_t v)
{
	if (v >= 0) {
		json_uint(j, k, (uint64_t)v);
		return;
	}
	key(j, k);
	putc_(j, '-');
	j->need_comma = false;
	json_uint(j, NULL, (uint64_t)0 - (uint64_t)v);
}

void json_string(struct json_buf *j, const char *k, const char *s, size_t len)
{
	key(j, k);
	escape(j, s, len);
}

bool json_finish(struct json_buf *j)
{
	if (j->cap > 0)
		j->buf[j->overflow ? 0 : j->len] = '\0';
	return !j->overflow;
}
