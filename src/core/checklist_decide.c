/*
 * checklist_decide.c - the decision step's part for checklist messages;
 * see checklist_decide.h.
 */
#include "checklist_decide.h"

#include <string.h>

#include "checklist_reply.h"

static enum parse_error parse_error_of(enum checklist_error e)
{
	switch (e) {
	case CHECKLIST_OK:
	case CHECKLIST_ERR_NO_ANSWERS:
	case CHECKLIST_ERR_OUTSIDE_WINDOW: return PARSE_OK; /* judged after the sender */
	case CHECKLIST_ERR_EMPTY_MESSAGE: return PARSE_ERR_EMPTY_MESSAGE;
	case CHECKLIST_ERR_MESSAGE_TOO_LONG: return PARSE_ERR_MESSAGE_TOO_LONG;
	case CHECKLIST_ERR_INVALID_UTF8: return PARSE_ERR_INVALID_UTF8;
	case CHECKLIST_ERR_CONTROL_CHARACTER: return PARSE_ERR_CONTROL_CHARACTER;
	case CHECKLIST_ERR_UNKNOWN_FORM: return PARSE_ERR_UNKNOWN_KEYWORD;
	case CHECKLIST_ERR_MISSING_STATION: return PARSE_ERR_MISSING_STATION;
	case CHECKLIST_ERR_BAD_STATION: return PARSE_ERR_BAD_STATION;
	case CHECKLIST_ERR_MALFORMED_PIN: return PARSE_ERR_MALFORMED_PIN;
	}
	return PARSE_ERR_UNEXPECTED_TOKEN;
}

bool checklist_decide_parse(const struct checklist_set *set, enum lang fallback,
			    struct decide_result *d)
{
	struct parse_msg *m = &d->msg;
	struct checklist_msg *cl = &d->cl;

	if (set == NULL || checklist_match(set, d->in->text, d->in->text_len) == NULL)
		return false;
	d->checklist = true;
	if (!checklist_parse(set, d->in->text, d->in->text_len, fallback, cl)) {
		/* refused whole: the error is judged with the sender's */
	}
	memset(m, 0, sizeof(*m));
	m->form = PARSE_FORM_OPEN; /* a report with a station, for validation only */
	m->lang = cl->lang;
	m->error = parse_error_of(cl->error);
	if (cl->station[0] != '\0') {
		memcpy(m->station, cl->station, sizeof(m->station));
		m->has |= PARSE_HAS_STATION;
	}
	if (cl->pin[0] != '\0') {
		memcpy(m->pin, cl->pin, sizeof(m->pin));
		m->has |= PARSE_HAS_PIN;
	}
	return true;
}

bool checklist_in_window(const struct checklist_form *form, const struct validate_clock *clock,
			 int64_t sent_s)
{
	int64_t local = sent_s + (clock != NULL ? clock->utc_offset : 0);
	int minute = (int)(((local % 86400) + 86400) % 86400 / 60);

	if (form == NULL || form->window_from < 0)
		return true;
	return minute >= form->window_from && minute <= form->window_to;
}

void checklist_decide_verdict(struct regsnap *snap, const struct validate_clock *clock,
			      struct decide_result *d)
{
	struct validate_result *v = &d->verdict;
	const struct checklist_msg *cl = &d->cl;

	if (!d->checklist) {
		/* HELP followed by a form's code or alias */
		d->help_form = checklist_help_topic(regsnap_checklists(snap), &d->msg, d->in->text,
						    d->in->text_len);
		return;
	}
	if (cl->form != NULL)
		d->cl_missing = checklist_missing(cl->form, cl->answered, cl->groups);
	d->msg.form = PARSE_FORM_NONE; /* no v1 report, no tally */
	v->flags = 0;
	if (v->outcome != VALIDATE_REJECTED) {
		d->checklist_reply = true;
		if (d->cl.error != CHECKLIST_OK) {
			v->outcome = VALIDATE_REJECTED;
			v->reply = reply_kind_for_error(PARSE_ERR_MISSING_FIELD);
		} else if (!checklist_in_window(cl->form, clock, d->sent_s)) {
			v->outcome = VALIDATE_REJECTED;
			v->reply = REPLY_OUTSIDE_WINDOW;
			d->cl.error = CHECKLIST_ERR_OUTSIDE_WINDOW;
		} else {
			/* what the station answered before counts: the whole form */
			uint64_t *ans = regsnap_checklist_answered(snap, v->station, cl->form);

			if (ans != NULL) {
				*ans |= cl->answered;
				d->cl_missing = checklist_missing(cl->form, *ans, 0);
			}
		}
		return;
	}
	/* refused for what the checklist parser found, not for the sender */
	d->checklist_reply =
		d->msg.error != PARSE_OK && v->reply == reply_kind_for_error(d->msg.error);
}

bool checklist_decide_reply(struct decide_result *d)
{
	if (d->help_form != NULL && d->verdict.reply == REPLY_HELP) {
		if (checklist_help(d->help_form, d->lang, d->body, REPLY_MAX) < 0) {
			d->body[0] = '\0';
			d->render_failed = true;
		}
		return true;
	}
	if (!d->checklist || !d->checklist_reply)
		return false;
	if (checklist_reply(&d->cl, d->lang, d->cl_missing, d->body, REPLY_MAX) < 0) {
		d->body[0] = '\0';
		d->render_failed = true;
	}
	return true;
}
