/*
 * fuzz_ussd.c - fuzz the USSD session input decoding and the menu: the
 * Africa's Talking adapter (ussd_request.c) and a session's inputs run
 * through the menu (ussd_menu.c) against the fuzz targets' registry.
 *
 * The first byte picks the caller (observer, observer with a PIN, a
 * coordinator, unknown, not a phone), whether men are asked and whether
 * the PIN is locked; the rest is the query string, a newline, then the
 * body.  With bit 0x10 of the first byte the body is Hubtel's JSON instead,
 * its message appended to the query's inputs as the daemon does.  A decoded request must have a
 * session id, a phone and inputs that lie inside its text; a refusal must have a reason.
 * A submitted checklist must read back through the checklist parser, whole.  Every
 * screen must be one USSD page; a submission must be a v1 SMS that parses and validates as accepted
 * for the caller, with the confirmation among the inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_snap.h"
#include "parse.h"
#include "checklist_parse.h"
#include "regsnap.h"
#include "ussd.h"
#include "ussd_menu.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const callers[] = {
	FUZZ_OBSERVER, FUZZ_PINNED, FUZZ_COORDINATOR, "+9617000000", "",
};

static struct regsnap *snap;
static struct validate_clock clock_;

/* An empty input is an input (Hubtel's empty answer; "*1" in Africa's
 * Talking's text): the text ends where the last input does. */
static void check_request(const struct ussd_request *r)
{
	if (r->session[0] == '\0' || r->phone[0] == '\0' || r->text_len > USSD_TEXT_MAX ||
	    r->n_inputs > USSD_INPUTS_MAX || (r->n_inputs == 0 && r->text_len != 0) ||
	    (r->n_inputs > 0 &&
	     (size_t)r->inputs[r->n_inputs - 1].off + r->inputs[r->n_inputs - 1].len !=
		     r->text_len))
		abort();
	for (size_t i = 0; i < r->n_inputs; i++)
		if ((size_t)r->inputs[i].off + r->inputs[i].len > r->text_len ||
		    r->inputs[i].len > USSD_INPUT_MAX)
			abort();
}

static void check_outcome(const struct ussd_env *env, const struct ussd_request *r,
			  const struct ussd_outcome *o)
{
	struct parse_msg m;
	struct validate_input in;
	struct validate_result v;

	if (o->screen[0] == '\0' || !ussd_page_fits(o->screen, strlen(o->screen)))
		abort();
	if (o->action != USSD_SUBMIT)
		return;
	if (o->path == 0 || o->path > r->n_inputs || env->phone[0] == '\0')
		abort();
	if (checklist_match(regsnap_checklists(snap), o->sms, strlen(o->sms)) != NULL) {
		/* a checklist: its SMS reads back whole, every answer good */
		struct checklist_msg cm;

		if (!checklist_parse(regsnap_checklists(snap), o->sms, strlen(o->sms), LANG_EN,
				     &cm) ||
		    cm.n_answers == 0 || cm.n_problems != 0)
			abort();
		return;
	}
	if (!parse_message(o->sms, strlen(o->sms), LANG_EN, &m))
		abort();
	in.sender = env->phone;
	in.msg = &m;
	in.sent_at = env->now_s;
	in.pin_locked = false;
	validate_message(snap, &clock_, &in, &v);
	if (v.outcome == VALIDATE_REJECTED)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ussd_request r;
	struct ussd_outcome o;
	struct ussd_env env = { 0 };
	const char *q, *nl, *body = NULL;
	size_t qlen, blen = 0;
	char why[256];
	enum ussd_error e;

	if (size < 1)
		return 0;
	if (snap == NULL)
		snap = fuzz_snap_build(&clock_);
	q = (const char *)data + 1;
	qlen = size - 1;
	nl = memchr(q, '\n', qlen);
	if (nl != NULL) {
		body = nl + 1;
		blen = qlen - (size_t)(body - q);
		qlen = (size_t)(nl - q);
	}
	e = ussd_at_decode(q, qlen, data[0] & 0x10 ? NULL : body, data[0] & 0x10 ? 0 : blen, &r,
			   why, sizeof(why));
	if (e == USSD_OK && (data[0] & 0x10)) {
		struct ussd_request h;

		e = ussd_hubtel_decode(body, blen, &h, why, sizeof(why));
		if (e == USSD_OK && h.kind == USSD_RESPONSE) {
			size_t before = r.n_inputs;

			if (ussd_append(&r, h.text, h.text_len) == USSD_OK &&
			    (r.n_inputs != before + 1 || r.inputs[before].len != h.text_len))
				abort();
		}
	}
	if (e != USSD_OK) {
		if (why[0] == '\0' || strcmp(ussd_error_code(e), "ok") == 0)
			abort();
		return 0;
	}
	check_request(&r);
	env.snap = snap;
	env.clock = &clock_;
	env.now_s = 1746342000; /* election day, 10:00 local */
	env.default_lang = (enum lang)(data[0] % LANG_COUNT);
	env.phone = callers[(data[0] >> 2) % 5];
	env.ask_men = data[0] & 0x20;
	env.pin_locked = data[0] & 0x40;
	env.contact = data[0] & 0x80 ? "+961 1 234 567 ext. 1234" : NULL;
	ussd_menu_run(&env, &r, &o);
	check_outcome(&env, &r, &o);
	return 0;
}
