/*
 * decide_json.c - the record of a decided message; see decide_json.h.
 */
#include "decide_json.h"

#include <string.h>

#include "json.h"
#include "report_json.h"

static void jstr(struct json_buf *j, const char *key, const char *s)
{
	json_string(j, key, s, strlen(s));
}

static void json_error(struct json_buf *j, const struct decide_result *d)
{
	const char *why = decide_no_reply_code(d->no_reply);

	if (d->state == DECIDE_FAILED)
		jstr(j, "in_error", "internal_error");
	else if (d->verdict.outcome == VALIDATE_REJECTED)
		jstr(j, "in_error", reply_kind_code(d->verdict.reply));
	if (why != NULL)
		jstr(j, "no_reply", why);
}

static void json_inbound(struct json_buf *j, const struct decide_result *d, const char *dedup)
{
	const struct inbound *in = d->in;

	jstr(j, "dkey", dedup);
	jstr(j, "transport", inbound_transport_name(in->transport));
	if (in->source[0])
		jstr(j, "modem", in->source);
	jstr(j, "sender", d->sender);
	if (in->smsc_time > 0)
		json_uint(j, "smsc", (uint64_t)in->smsc_time);
	json_uint(j, "recv_ms", (uint64_t)d->recv_ms);
	json_uint(j, "sent", (uint64_t)d->sent_s);
	if (in->concat_parts > 1) {
		json_uint(j, "mp_ref", in->concat_ref);
		json_uint(j, "mp_part", (unsigned)(in->concat_parts - in->concat_missing));
		json_uint(j, "mp_total", in->concat_parts);
	}
	json_string(j, "txt", in->text, in->text_len);
	if (in->flags & INBOUND_TEXT_CUT)
		json_bool(j, "cut", true);
	if (d->verdict.person != NULL)
		json_uint(j, "person", (uint64_t)d->verdict.person->id);
	jstr(j, "in_state", decide_state_name(d->state));
	json_error(j, d);
	if (d->redo > 0)
		json_uint(j, "redo", (uint64_t)d->redo);
}

static void json_flags(struct json_buf *j, const struct decide_result *d)
{
	json_open_array(j, "flags");
	for (uint32_t bit = 1; bit < (1u << VALIDATE_FLAG_COUNT); bit <<= 1)
		if (d->verdict.flags & bit)
			jstr(j, NULL, validate_flag_name(bit));
	if (d->missing_parts)
		jstr(j, NULL, "missing_parts");
	json_close_array(j);
}

static void json_counts(struct json_buf *j, const struct parse_msg *m)
{
	uint8_t n = m->n_counts, cand = n >= 2 ? (uint8_t)(n - 2) : n;

	json_open_array(j, "counts");
	for (uint8_t i = 0; i < cand; i++)
		json_uint(j, NULL, m->counts[i]);
	json_close_array(j);
	if (n >= 2) {
		json_uint(j, "invalid", m->counts[n - 2]);
		json_uint(j, "blank", m->counts[n - 1]);
	}
}

static void json_numbers(struct json_buf *j, const struct parse_msg *m)
{
	if (m->has & PARSE_HAS_TIME) {
		char t[6] = { m->time[0], m->time[1], ':', m->time[2], m->time[3], '\0' };

		jstr(j, "open_at", t);
	}
	report_json_turnout(j, m);
	if (m->form == PARSE_FORM_RESULTS && m->n_counts > 0)
		json_counts(j, m);
	if (m->has & PARSE_HAS_TOTAL)
		json_uint(j, "total", m->total);
}

static void json_report(struct json_buf *j, const struct decide_result *d)
{
	const struct parse_msg *m = &d->msg;
	const struct validate_result *v = &d->verdict;
	bool rejected = v->outcome == VALIDATE_REJECTED;

	if (!decide_is_report(d))
		return;
	jstr(j, "form", parse_form_name(m->form));
	if (v->station != NULL)
		json_uint(j, "station", (uint64_t)v->station->id);
	if (m->has & PARSE_HAS_STATION)
		jstr(j, "station_code", m->station);
	jstr(j, "verdict", rejected ? "rejected" : "accepted");
	if (rejected)
		jstr(j, "error", reply_kind_code(v->reply));
	else
		json_flags(j, d);
	json_numbers(j, m);
	if (v->contest != NULL)
		json_uint(j, "contest", (uint64_t)v->contest->id);
	if (m->form == PARSE_FORM_INCIDENT && (m->has & PARSE_HAS_CODE))
		json_uint(j, "incident", m->code);
	if ((m->has & PARSE_HAS_TEXT) && (size_t)m->text.off + m->text.len <= d->in->text_len)
		json_string(j, "incident_text", d->in->text + m->text.off, m->text.len);
}

/* An accepted checklist message: its form, version, station and answers. */
static void json_checklist(struct json_buf *j, const struct decide_result *d)
{
	const struct checklist_msg *cl = &d->cl;

	if (!d->checklist || d->verdict.outcome == VALIDATE_REJECTED ||
	    d->verdict.station == NULL || cl->form == NULL || d->state != DECIDE_PROCESSED)
		return;
	json_open_object(j, "checklist");
	jstr(j, "form", cl->form->code);
	json_uint(j, "version", (uint64_t)cl->form->version);
	json_uint(j, "station", (uint64_t)d->verdict.station->id);
	json_open_array(j, "answers");
	for (size_t i = 0; i < cl->n_answers; i++) {
		const struct checklist_answer *a = &cl->answers[i];
		const struct checklist_question *q = &cl->form->questions[a->q];

		json_open_object(j, NULL);
		jstr(j, "q", q->code);
		if (q->type == CHECKLIST_TEXT) {
			if ((size_t)a->text.off + a->text.len <= d->in->text_len)
				json_string(j, "t", d->in->text + a->text.off, a->text.len);
		} else if (q->type == CHECKLIST_MULTI) {
			json_open_array(j, "o");
			for (unsigned k = 1; k <= CHECKLIST_MAX_OPTIONS; k++)
				if (a->value & (1u << k))
					json_uint(j, NULL, k);
			json_close_array(j);
		} else {
			json_uint(j, "v", a->value);
		}
		json_close_object(j);
	}
	json_close_array(j);
	json_close_object(j);
}

static void json_replies(struct json_buf *j, const struct decide_result *d)
{
	if (d->body[0] == '\0')
		return;
	jstr(j, "recipient", d->sender);
	json_uint(j, "priority", (uint64_t)d->priority);
	jstr(j, "reply", d->body);
	if (d->resend[0])
		jstr(j, "reply_resend", d->resend);
	if (d->decrease[0])
		jstr(j, "reply_decrease", d->decrease);
}

bool decide_json(const struct decide_result *d, const char *dedup, char *buf, size_t cap)
{
	struct json_buf j;

	json_init(&j, buf, cap);
	json_open_object(&j, NULL);
	json_inbound(&j, d, dedup);
	json_report(&j, d);
	json_checklist(&j, d);
	json_replies(&j, d);
	if (d->alert.raise) {
		jstr(&j, "alert_key", d->alert.key);
		jstr(&j, "alert_msg", d->alert.text);
	}
	json_close_object(&j);
	return json_finish(&j);
}
