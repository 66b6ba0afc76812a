/*
 * report_json.c - the JSON form of a parsed observer message; see
 * report_json.h.
 */
#include "report_json.h"

#include <string.h>

static void span(struct json_buf *j, const char *k, const char *input, size_t len,
		 struct parse_span sp)
{
	if ((size_t)sp.off + sp.len <= len)
		json_string(j, k, input + sp.off, sp.len);
}

static void report_error(struct json_buf *j, const struct parse_msg *m, const char *input,
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

void report_json_turnout(struct json_buf *j, const struct parse_msg *m)
{
	if (m->has & PARSE_HAS_VOTERS)
		json_uint(j, "voters", m->voters);
	if (m->has & PARSE_HAS_WOMEN)
		json_uint(j, "women", m->women);
	if (m->has & PARSE_HAS_MEN)
		json_uint(j, "men", m->men);
}

static void report_numbers(struct json_buf *j, const struct parse_msg *m)
{
	report_json_turnout(j, m);
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

static void report_body(struct json_buf *j, const struct parse_msg *m, const char *input,
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

void report_json(struct json_buf *j, const struct parse_msg *m, const char *input, size_t len,
		 bool detail)
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
