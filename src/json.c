/*
 * json.c - a small JSON writer into a caller buffer, and the JSON form of a
 * parsed observer message.
 */
#include "json.h"

#include <string.h>

#include "utf8.h"

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
	static const char hex[] = "0123456789abcdef";
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
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

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

static void span(struct json_buf *j, const char *k, const char *input, size_t len,
		 struct parse_span sp)
{
	if ((size_t)sp.off + sp.len <= len)
		json_string(j, k, input + sp.off, sp.len);
}

static void report_error(struct json_buf *j, const struct report_msg *m, const char *input,
			 size_t len)
{
	json_string(j, "error", parse_error_code(m->error), strlen(parse_error_code(m->error)));
	if (m->err_field != PARSE_FIELD_NONE)
		json_string(j, "field", parse_field_name(m->err_field),
			    strlen(parse_field_name(m->err_field)));
	if (m->err_column > 0)
		json_uint(j, "pos", m->err_column);
	if (m->err_span.len > 0)
		span(j, "token", input, len, m->err_span);
}

void json_turnout_numbers(struct json_buf *j, const struct report_msg *m)
{
	if (m->has & PARSE_HAS_VOTERS)
		json_uint(j, "voters", m->voters);
	if (m->has & PARSE_HAS_WOMEN)
		json_uint(j, "women", m->women);
	if (m->has & PARSE_HAS_MEN)
		json_uint(j, "men", m->men);
}

static void report_numbers(struct json_buf *j, const struct report_msg *m)
{
	json_turnout_numbers(j, m);
	if (m->form == PARSE_FORM_RESULTS) {
		json_open_array(j, "counts");
		for (size_t i = 0; i < m->n_counts; i++)
			json_uint(j, NULL, m->counts[i]);
		json_close_array(j);
	}
	if (m->has & PARSE_HAS_TOTAL)
		json_uint(j, "total", m->total);
	if (m->has & PARSE_HAS_CODE)
		json_uint(j, "code", m->code);
}

static void report_body(struct json_buf *j, const struct report_msg *m, const char *input,
			size_t len)
{
	if (m->has & PARSE_HAS_CONTEST)
		json_string(j, "contest", m->contest, strlen(m->contest));
	if (m->has & PARSE_HAS_TIME)
		json_string(j, "time", m->time, strlen(m->time));
	report_numbers(j, m);
	if (m->has & PARSE_HAS_TEXT)
		span(j, "text", input, len, m->text);
	if (m->has & PARSE_HAS_AREA)
		span(j, "area", input, len, m->area);
	if (m->has & PARSE_HAS_ALERT)
		json_uint(j, "alert_id", m->alert_id);
	if (m->has & PARSE_HAS_PIN)
		json_string(j, "pin", m->pin, strlen(m->pin));
	if (m->has & PARSE_HAS_TOPIC)
		json_string(j, "topic", parse_form_name(m->topic),
			    strlen(parse_form_name(m->topic)));
	if (m->ignored[0].len > 0 || m->ignored[1].len > 0) {
		json_open_array(j, "ignored");
		for (size_t i = 0; i < 2; i++)
			if (m->ignored[i].len > 0)
				span(j, NULL, input, len, m->ignored[i]);
		json_close_array(j);
	}
}

void json_report(struct json_buf *j, const struct report_msg *m, const char *input,
		 size_t len, bool detail)
{
	const char *lang = lang_code(m->lang);

	json_bool(j, "ok", m->error == PARSE_OK);
	if (m->error != PARSE_OK)
		report_error(j, m, input, len);
	if (m->form != PARSE_FORM_NONE)
		json_string(j, "form", parse_form_name(m->form), strlen(parse_form_name(m->form)));
	json_string(j, "lang", lang, strlen(lang));
	if (m->has & PARSE_HAS_STATION)
		json_string(j, "station", m->station, strlen(m->station));
	if (m->error == PARSE_OK)
		report_body(j, m, input, len);
	if (detail && m->error != PARSE_OK) {
		char buf[256];
		size_t n = parse_error_detail(m, input, len, buf, sizeof(buf));

		json_string(j, "detail", buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	}
}
