/*
 * ini.c - a tokenizer for INI files held in memory; see ini.h.
 */
#include "ini.h"

#include <string.h>

/* State carried from line to line. */
struct ini_state {
	const char *buf;
	size_t len;
	ini_handler handler;
	void *ctx;
	struct ini_error *err;
	unsigned line;
	bool in_section;
	struct ini_span section;
	struct ini_span arg;
};

static const char *const status_str[] = {
	[INI_OK] = "no error",
	[INI_STOPPED] = "stopped",
	[INI_ERR_NUL] = "invalid NUL byte",
	[INI_ERR_CONTROL] = "invalid control character",
	[INI_ERR_UTF8] = "invalid UTF-8 byte sequence (save the file as UTF-8)",
	[INI_ERR_LINE_TOO_LONG] = "line is too long",
	[INI_ERR_NO_BRACKET] = "missing \"]\" in section header",
	[INI_ERR_AFTER_BRACKET] = "unexpected text after section header",
	[INI_ERR_EMPTY_SECTION] = "empty section header",
	[INI_ERR_NO_EQUALS] = "missing \"=\": expected key = value",
	[INI_ERR_EMPTY_KEY] = "missing key before \"=\"",
	[INI_ERR_NO_SECTION] = "key before the first section header",
};

const char *ini_status_name(enum ini_status status)
{
	if ((size_t)status >= sizeof(status_str) / sizeof(status_str[0]))
		return "unknown error";
	return status_str[status];
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct ini_span span_trim(const char *p, size_t len)
{
	struct ini_span s;

	while (len > 0 && is_blank(p[0])) {
		p++;
		len--;
	}
	while (len > 0 && is_blank(p[len - 1]))
		len--;
	s.p = p;
	s.len = len;
	return s;
}

static enum ini_status fail(struct ini_state *st, enum ini_status status, const char *p, size_t len)
{
	if (st->err != NULL) {
		st->err->status = status;
		st->err->line = st->line;
		st->err->text.p = p;
		st->err->text.len = len;
	}
	return status;
}

/*
 * Length of the UTF-8 sequence at s (n bytes available), or 0 when it is
 * not well formed (overlong forms, surrogates and code points past
 * U+10FFFF are refused).
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	}
	return need;
}

/*
 * Check the line starting at pos and find its end: *end is the offset of
 * its '\n' (or of the end of the buffer), *content its length without the
 * line ending.
 */
static enum ini_status scan_line(struct ini_state *st, size_t pos, size_t *end, size_t *content)
{
	const unsigned char *b = (const unsigned char *)st->buf;
	size_t i = pos, n;

	while (i < st->len && b[i] != '\n') {
		if (b[i] == '\r' && (i + 1 == st->len || b[i + 1] == '\n')) {
			i++;
			continue;
		}
		if (b[i] == '\0')
			return fail(st, INI_ERR_NUL, NULL, 0);
		if ((b[i] < 0x20 && b[i] != '\t') || b[i] == 0x7F) {
			if (st->err != NULL)
				st->err->byte = b[i];
			return fail(st, INI_ERR_CONTROL, NULL, 0);
		}
		n = utf8_len(b + i, st->len - i);
		if (n == 0)
			return fail(st, INI_ERR_UTF8, NULL, 0);
		i += n;
		if (i - pos > INI_LINE_MAX + 1)
			return fail(st, INI_ERR_LINE_TOO_LONG, NULL, 0);
	}
	*end = i;
	*content = i - pos;
	if (*content > 0 && b[i - 1] == '\r')
		(*content)--;
	if (*content > INI_LINE_MAX)
		return fail(st, INI_ERR_LINE_TOO_LONG, NULL, 0);
	return INI_OK;
}

static enum ini_status emit(struct ini_state *st, struct ini_event *ev)
{
	ev->line = st->line;
	ev->section = st->section;
	ev->arg = st->arg;
	if (!st->handler(ev, st->ctx))
		return fail(st, INI_STOPPED, NULL, 0);
	return INI_OK;
}

/* A line that starts with '['; s is trimmed. */
static enum ini_status parse_header(struct ini_state *st, struct ini_span s)
{
	struct ini_event ev;
	const char *close = memchr(s.p, ']', s.len);
	struct ini_span inner, rest;
	size_t name_len = 0;

	if (close == NULL)
		return fail(st, INI_ERR_NO_BRACKET, s.p, s.len);
	rest = span_trim(close + 1, s.len - (size_t)(close + 1 - s.p));
	if (rest.len > 0)
		return fail(st, INI_ERR_AFTER_BRACKET, rest.p, rest.len);
	inner = span_trim(s.p + 1, (size_t)(close - s.p - 1));
	if (inner.len == 0)
		return fail(st, INI_ERR_EMPTY_SECTION, s.p, s.len);
	while (name_len < inner.len && !is_blank(inner.p[name_len]))
		name_len++;
	st->section.p = inner.p;
	st->section.len = name_len;
	st->arg = span_trim(inner.p + name_len, inner.len - name_len);
	st->in_section = true;
	memset(&ev, 0, sizeof(ev));
	ev.type = INI_EVENT_SECTION;
	return emit(st, &ev);
}

/* A key = value line; s is trimmed and not empty. */
static enum ini_status parse_key(struct ini_state *st, struct ini_span s)
{
	struct ini_event ev;
	const char *eq = memchr(s.p, '=', s.len);

	if (eq == NULL)
		return fail(st, INI_ERR_NO_EQUALS, s.p, s.len);
	memset(&ev, 0, sizeof(ev));
	ev.type = INI_EVENT_KEY;
	ev.key = span_trim(s.p, (size_t)(eq - s.p));
	ev.value = span_trim(eq + 1, s.len - (size_t)(eq + 1 - s.p));
	if (ev.key.len == 0)
		return fail(st, INI_ERR_EMPTY_KEY, s.p, s.len);
	if (!st->in_section)
		return fail(st, INI_ERR_NO_SECTION, ev.key.p, ev.key.len);
	return emit(st, &ev);
}

static enum ini_status parse_line(struct ini_state *st, const char *p, size_t len)
{
	struct ini_span s = span_trim(p, len);

	if (s.len == 0 || s.p[0] == '#' || s.p[0] == ';')
		return INI_OK;
	if (s.p[0] == '[')
		return parse_header(st, s);
	return parse_key(st, s);
}

enum ini_status ini_parse(const char *buf, size_t len, ini_handler handler, void *ctx,
			  struct ini_error *err)
{
	struct ini_state st;
	enum ini_status rc = INI_OK;
	size_t pos = 0, end, content;

	memset(&st, 0, sizeof(st));
	st.buf = buf;
	st.len = len;
	st.handler = handler;
	st.ctx = ctx;
	st.err = err;
	st.line = 1;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		rc = scan_line(&st, pos, &end, &content);
		if (rc != INI_OK)
			break;
		rc = parse_line(&st, buf + pos, content);
		if (rc != INI_OK)
			break;
		pos = end + 1;
		st.line++;
	}
	return rc;
}
