/*
 * fuzz_decide.c - fuzz the decision of a message (decide.c) and its
 * record (decide_json.c) against a small fixed registry.
 *
 * The first byte picks the sender (observer, observer with PIN,
 * coordinator, unknown, own number, letters, short code, national form),
 * whether parts of a multipart message are missing, and when it was sent
 * (during polls, after the deadline, an implausible SMSC time); the second
 * how many times it arrives (1 to 8, a second apart, so the rate limit and
 * the PIN lock are reached); the rest is the text.  Every decision must be
 * consistent (a message recorded only has no reply, parse or tally; a
 * rejected one no tally or flags; a processed one a reply) and its record
 * must fit DECIDE_JSON_MAX and be one object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "decide_json.h"
#include "fuzz_snap.h"
#include "regsnap.h"
#include "sender.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const senders[] = {
	FUZZ_OBSERVER, FUZZ_PINNED, FUZZ_COORDINATOR, "+9617000000",
	"+9613999999", "MTC",       "1234",           "03 100 001",
};
static const char *const own[] = { "+9613999999" };
static const struct decide_settings set = {
	.country_code = "961",
	.own = own,
	.n_own = 1,
	.default_lang = LANG_EN,
	.rules = { .rate_max = 3, .rate_window_s = 60, .mute_s = 3600 },
};

static struct regsnap *snap;
static struct validate_clock clk;

/* Only sawt's own numbers and non-phone senders are left undecided. */
static void check_ignored(const struct decide_result *d)
{
	if ((d->no_reply != DECIDE_NO_REPLY_NON_PHONE &&
	     d->no_reply != DECIDE_NO_REPLY_OWN_NUMBER) ||
	    d->parsed || d->body[0] || d->resend[0] || d->decrease[0] || d->tally_key[0] ||
	    d->station_id != 0 || d->alert.raise)
		abort();
}

/* What a message does to the tallies, whether or not it is answered. */
static void check_tally(const struct decide_result *d)
{
	const struct validate_result *v = &d->verdict;

	if (v->outcome == VALIDATE_REJECTED) {
		if (d->tally_key[0] || v->flags || d->missing_parts)
			abort();
		return;
	}
	if (d->state == DECIDE_PROCESSED && decide_is_report(d) != (d->tally_key[0] != '\0'))
		abort();
	if ((v->outcome == VALIDATE_ACCEPTED_FLAGGED) != (v->flags != 0 || d->missing_parts))
		abort();
}

/* A throttled sender, a stranger past its first message, or a message
 * reprocessed: judged and recorded like any other, only not answered. */
static void check_withheld(const struct decide_result *d)
{
	if (d->no_reply != DECIDE_NO_REPLY_RATE_LIMITED && d->no_reply != DECIDE_NO_REPLY_UNKNOWN &&
	    d->no_reply != DECIDE_NO_REPLY_REPROCESSED)
		abort();
	if ((d->no_reply == DECIDE_NO_REPLY_REPROCESSED) != (d->redo != 0))
		abort();
	if (d->state != DECIDE_PROCESSED || d->body[0] || d->resend[0] || d->decrease[0])
		abort();
	if (d->alert.raise && (d->no_reply != DECIDE_NO_REPLY_RATE_LIMITED || !d->alert.key[0]))
		abort();
}

static void check_processed(const struct decide_result *d)
{
	const struct validate_result *v = &d->verdict;

	if (!d->parsed || d->render_failed)
		abort();
	check_tally(d);
	if (d->no_reply != DECIDE_REPLY) {
		check_withheld(d);
		return;
	}
	if (d->alert.raise)
		abort();
	if (d->state == DECIDE_RECEIVED) {
		if (d->body[0] || v->outcome == VALIDATE_REJECTED)
			abort();
		return;
	}
	if (d->state != DECIDE_PROCESSED || d->body[0] == '\0')
		abort();
	if (v->outcome == VALIDATE_REJECTED) {
		if (d->resend[0] || d->priority != DECIDE_PRIORITY_ERROR)
			abort();
		return;
	}
	if (decide_is_report(d) != (d->resend[0] != '\0'))
		abort();
}

static void check_record(const struct decide_result *d)
{
	static char buf[DECIDE_JSON_MAX];
	size_t n;

	if (!decide_json(d, d->in->dedup, buf, sizeof(buf)))
		abort();
	n = strlen(buf);
	if (n < 2 || buf[0] != '{' || buf[n - 1] != '}')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t times[3] = { 1746360000, 1746400000, 1 };
	static struct inbound in;
	struct decide_result d;
	struct decide_context c = { NULL, &clk, NULL, 1000000, 1746360005000LL, 0 };
	unsigned repeat;

	if (snap == NULL)
		snap = fuzz_snap_build(&clk);
	if (size < 2)
		return 0;
	memset(&in, 0, sizeof(in));
	in.transport = INBOUND_GSM;
	strcpy(in.sender, senders[data[0] % 8]);
	in.concat_parts = (data[0] / 8) % 2 ? 3 : 1;
	in.concat_missing = in.concat_parts > 1;
	in.smsc_time = times[(data[0] / 16) % 3];
	in.received_ms = 1746360005000LL;
	repeat = 1 + data[1] % 8;
	c.redo = data[1] & 0x80 ? 7 : 0; /* an operator's reprocessing */
	data += 2;
	size -= 2;
	if (size > INBOUND_TEXT_MAX)
		size = INBOUND_TEXT_MAX;
	memcpy(in.text, data, size);
	in.text_len = (uint16_t)size;
	inbound_dedup_key(&in);
	c.snap = snap;
	if ((c.senders = sender_table_new()) == NULL)
		abort();
	for (unsigned i = 0; i < repeat; i++, c.mono_ms += 1000) {
		decide_message(&set, &c, &in, &d);
		if (d.state == DECIDE_IGNORED)
			check_ignored(&d);
		else
			check_processed(&d);
		check_record(&d);
	}
	sender_table_free(c.senders);
	return 0;
}
