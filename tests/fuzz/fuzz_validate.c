/*
 * fuzz_validate.c - fuzz parse + registry validation against a small
 * fixed registry.
 *
 * The first byte picks the sender (observer, observer with PIN,
 * coordinator, unknown, not a phone), whether the PIN is locked, and the
 * time (before polls open, during, after the deadline); the rest is the
 * message.  The verdict must be consistent (an accepted report has its
 * person, station and figures within the rules; a rejected one has no
 * flags) and its reply must render into one SMS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_snap.h"
#include "parse.h"
#include "regsnap.h"
#include "reply.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const senders[] = {
	FUZZ_OBSERVER, FUZZ_PINNED, FUZZ_COORDINATOR, "+9617000000", "",
};

static struct regsnap *snap;
static struct validate_clock clock_;

static bool is_report(enum parse_form f)
{
	return f == PARSE_FORM_OPEN || f == PARSE_FORM_TURNOUT || f == PARSE_FORM_CLOSE ||
	       f == PARSE_FORM_RESULTS || f == PARSE_FORM_INCIDENT;
}

static void check_accepted(const struct parse_msg *m, const struct validate_result *r)
{
	uint64_t sum = 0;

	if (r->person == NULL || r->station == NULL ||
	    !regsnap_assigned(snap, r->person, r->station))
		abort();
	if ((r->flags != 0) != (r->outcome == VALIDATE_ACCEPTED_FLAGGED))
		abort();
	if (m->form == PARSE_FORM_TURNOUT || m->form == PARSE_FORM_CLOSE) {
		if ((m->has & PARSE_HAS_WOMEN) && m->women > m->voters)
			abort();
		if (r->station->registered > 0 && m->voters > (uint32_t)r->station->registered)
			abort();
	}
	if (m->form == PARSE_FORM_RESULTS) {
		if (r->contest == NULL || m->n_counts != r->contest->n_candidates + 2)
			abort();
		for (uint8_t i = 0; i < m->n_counts; i++)
			sum += m->counts[i];
		if ((m->has & PARSE_HAS_TOTAL) && sum != m->total)
			abort();
	}
	if (m->form == PARSE_FORM_INCIDENT && r->incident == NULL)
		abort();
}

static void check_reply(const struct parse_msg *m, const struct validate_result *r,
			const char *text, size_t len)
{
	struct reply_args a;
	char buf[REPLY_MAX];
	enum lang lang = reply_lang(r->person ? r->person->lang : -1, m);

	if (strcmp(reply_kind_code(r->reply), "unknown") == 0)
		abort();
	if (r->reply == REPLY_STATUS || r->reply == REPLY_ACK)
		return; /* answered from the database */
	reply_args_from_msg(&a, m, text, len);
	a.expected = r->expected;
	a.registered = r->registered;
	a.minutes = 30;
	a.sum = r->sum ? r->sum : a.sum;
	if (r->reply == REPLY_BAD_CONTEST) {
		a.token = (m->has & PARSE_HAS_CONTEST) ? m->contest : "";
		a.token_len = strlen(a.token);
	}
	if (reply_render(r->reply, lang, &a, buf, sizeof(buf), NULL) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t times[3] = { 1746328000, 1746360000, 1746400000 };
	struct parse_msg msg;
	struct validate_result r;
	struct validate_input in;

	if (snap == NULL)
		snap = fuzz_snap_build(&clock_);
	if (size == 0)
		return 0;
	in.sender = senders[data[0] % 5];
	in.pin_locked = (data[0] / 5) % 2;
	in.sent_at = times[(data[0] / 10) % 3];
	in.msg = &msg;
	data++;
	size--;
	if (!parse_message((const char *)data, size, LANG_EN, &msg)) {
		/* validated all the same */
	}
	validate_message(snap, &clock_, &in, &r);
	if (r.outcome == VALIDATE_REJECTED && r.flags != 0)
		abort();
	if (r.outcome != VALIDATE_REJECTED && is_report(msg.form))
		check_accepted(&msg, &r);
	if (r.outcome != VALIDATE_REJECTED && msg.error != PARSE_OK)
		abort();
	check_reply(&msg, &r, (const char *)data, size);
	return 0;
}
