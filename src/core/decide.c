/*
 * decide.c - what one inbound message is and what it does; see decide.h.
 */
#include "decide.h"

#include <assert.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checklist_decide.h"
#include "phone.h"

/* ==== senders: own numbers, non-phone senders, rate, PIN lock ==== */

/* Digits and letters of a raw sender, for the non-phone test. */
static bool is_short_code(const char *raw)
{
	size_t digits = 0;

	if (raw[0] == '+')
		return false;
	for (const char *p = raw; *p; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	return digits <= 6;
}

static bool is_own_number(const struct decide_settings *s, const char *e164)
{
	for (size_t i = 0; i < s->n_own; i++)
		if (strcmp(s->own[i], e164) == 0)
			return true;
	return false;
}

/*
 * When the observer sent d, on the sender table's (monotonic) clock: the
 * send time (sent_s, from sent_at(): the SMSC's, bounded to a day before and five
 * minutes after receipt) shifted by how long ago it was.  The rate limit
 * counts this, not arrival, so a backlog delivered at once is not a flood.
 */
static int64_t send_clock(const struct decide_context *c, const struct decide_result *d)
{
	return c->mono_ms - (d->recv_ms - d->sent_s * 1000);
}

/* The first 64 bits of a dedup key (64 hex digits). */
static uint64_t dedup_bits(const char *dedup)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%s", dedup);
	return (uint64_t)strtoull(hex, NULL, 16);
}

/*
 * The sender checks of section 3; false when the message is only recorded
 * (sawt's own number, a short code or alphanumeric sender).  A throttled
 * sender's message is still processed: only its reply is withheld
 * (no_reply rate_limited).  A message its sender sent before (same dedup key: redelivered by a
 * modem worker that died before deleting it, replayed from the spool, resent after a failed batch)
 * was counted then: it does not count for the rate again, or a crash could mute an observer's next
 * reports.
 */
static bool check_sender(const struct decide_settings *s, const struct decide_context *c,
			 struct decide_result *d, struct sender **out)
{
	const char *raw = d->in->sender, *why;
	char e164[PHONE_E164_BUF];
	bool started = false;
	int64_t sent;

	*out = NULL;
	if (is_short_code(raw) || !phone_normalize(raw, strlen(raw), s->country_code, e164, &why)) {
		snprintf(d->sender, sizeof(d->sender), "%s", raw);
		d->no_reply = DECIDE_NO_REPLY_NON_PHONE;
		return false;
	}
	snprintf(d->sender, sizeof(d->sender), "%s", e164);
	if (is_own_number(s, e164)) {
		d->no_reply = DECIDE_NO_REPLY_OWN_NUMBER;
		return false;
	}
	if (c->redo != 0) {
		/* reprocessed: counted when it came; its sender is looked up,
		 * not changed */
		d->again = true;
		d->no_reply = DECIDE_NO_REPLY_REPROCESSED;
		return true;
	}
	*out = sender_table_get(c->senders, e164, c->mono_ms);
	d->again = *out != NULL && sender_seen(*out, dedup_bits(d->in->dedup));
	sent = send_clock(c, d);
	if (*out != NULL && (d->again ? sent < (*out)->muted_until
				      : sender_rate(*out, &s->rules, sent, &started))) {
		/* throttled: the reply is withheld, the report is not */
		d->no_reply = DECIDE_NO_REPLY_RATE_LIMITED;
		d->alert.raise = started;
	}
	return true;
}

/* When the observer sent it: the SMSC time when plausible, else receipt. */
static int64_t sent_at(const struct decide_result *d)
{
	int64_t rcv = d->recv_ms / 1000, smsc = d->in->smsc_time;

	if (smsc > 0 && smsc <= rcv + 300 && smsc >= rcv - 86400)
		return smsc;
	return rcv;
}

/* Apply the PIN lock rules to a verdict; a message sent before counts no
 * wrong PIN again. */
static void pin_rules(struct decide_result *d, struct sender *s, int64_t now)
{
	struct validate_result *v = &d->verdict;
	enum reply_kind k = v->reply;

	if (s == NULL)
		return;
	if (k == REPLY_BAD_PIN && !d->again && sender_pin_fail(s, now))
		v->reply = REPLY_PIN_LOCKED;
	if (v->reply == REPLY_PIN_LOCKED || v->reply == REPLY_BAD_PIN) {
		int64_t left =
			v->reply == REPLY_PIN_LOCKED ? s->locked_until - now : SENDER_PIN_LOCK_MS;

		d->minutes = (uint32_t)((left + 59999) / 60000);
		return;
	}
	if (!d->again && d->msg.error == PARSE_OK && (d->msg.has & PARSE_HAS_PIN) &&
	    v->person != NULL && v->person->pin_hash != NULL && k != REPLY_PIN_REQUIRED &&
	    k != REPLY_UNKNOWN_SENDER)
		sender_pin_ok(s); /* the PIN was right */
}

static bool is_report_form(enum parse_form f)
{
	return f == PARSE_FORM_OPEN || f == PARSE_FORM_TURNOUT || f == PARSE_FORM_CLOSE ||
	       f == PARSE_FORM_RESULTS || f == PARSE_FORM_INCIDENT;
}

/* A number that is not registered (whatever it sent: a report, HELP): answered
 * as [election] unknown_sender_reply says (default: the first message of each
 * hour), so the gateway's number is not confirmed to every stranger. */
static void unknown_rules(const struct decide_settings *s, const struct decide_context *c,
			  struct decide_result *d, struct sender *snd)
{
	bool answer;

	if (d->verdict.person != NULL || d->no_reply != DECIDE_REPLY)
		return;
	switch (s->unknown_reply) {
	case CONFIG_UNKNOWN_REPLY_ALWAYS: answer = true; break;
	case CONFIG_UNKNOWN_REPLY_NEVER: answer = false; break;
	default: answer = snd != NULL && sender_unknown_reply(snd, c->mono_ms); break;
	}
	if (!answer)
		d->no_reply = DECIDE_NO_REPLY_UNKNOWN;
}

/*
 * True when text (len bytes) is only a courtesy: "ok", "thanks", "merci",
 * "شكرا" ... (any case, surrounding spaces and punctuation ignored).
 */
static bool is_courtesy(const char *text, size_t len)
{
	static const char *const words[] = {
		"ok",
		"okay",
		"ok thanks",
		"ok thank you",
		"thanks",
		"thank you",
		"thx",
		"merci",
		"merci beaucoup",
		"\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7",         /* شكرا */
		"\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7\xd9\x8b", /* شكراً */
		"\xd8\xb4\xd9\x83\xd8\xb1\xd9\x8b\xd8\xa7", /* شكرًا */
		"\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7 \xd8\xac\xd8\xb2\xd9\x8a\xd9\x84\xd8\xa7", /* شكرا
												جزيلا
											      */
		"\xd9\x85\xd8\xb4\xd9\x83\xd9\x88\xd8\xb1", /* مشكور */
		"\xd8\xaa\xd9\x85\xd8\xa7\xd9\x85",         /* تمام */
	};
	char buf[64];
	size_t a = 0, b = len, n = 0;

	while (a < b && strchr(" .!,?\t\r\n", text[a]) != NULL)
		a++;
	while (b > a && strchr(" .!,?\t\r\n", text[b - 1]) != NULL)
		b--;
	if (b - a >= sizeof(buf))
		return false;
	for (size_t i = a; i < b; i++)
		buf[n++] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(buf, words[i]) == 0)
			return true;
	return false;
}

/* Parse and validate a message whose sender passed the checks. */
static void judge(const struct decide_settings *s, const struct decide_context *c,
		  struct decide_result *d, struct sender *snd)
{
	struct validate_input vi;

	d->parsed = true;
	if (checklist_decide_parse(regsnap_checklists(c->snap), s->default_lang, d)) {
		/* a checklist message (checklist_decide.c) */
	} else if (!parse_message(d->in->text, d->in->text_len, s->default_lang, &d->msg)) {
		/* a parse error is validated like the rest: it has its reply */
	}
	vi.sender = d->sender;
	vi.msg = &d->msg;
	vi.sent_at = d->sent_s;
	vi.pin_locked = snd != NULL && sender_locked(snd, c->mono_ms);
	validate_message(c->snap, c->clock, &vi, &d->verdict);
	checklist_decide_verdict(c->snap, c->clock, d);
	pin_rules(d, snd, c->mono_ms);
	/* an observer's "ok" or "thanks" is a courtesy, answered as one (a
	 * coordinator's OK stays the ACK command) */
	if (d->verdict.person != NULL && d->verdict.person->role != REGISTRY_ROLE_COORDINATOR &&
	    is_courtesy(d->in->text, d->in->text_len)) {
		d->verdict.outcome = VALIDATE_ACCEPTED;
		d->verdict.reply = REPLY_THANKS;
		d->verdict.flags = 0;
	}
	if (d->verdict.outcome != VALIDATE_REJECTED && is_report_form(d->msg.form) &&
	    d->in->concat_missing > 0) {
		d->missing_parts = true;
		d->verdict.outcome = VALIDATE_ACCEPTED_FLAGGED;
	}
	/* STATUS, ACK, VERIFY and QUAR from coordinators are answered
	 * elsewhere (src/daemon/command.c) */
	if (d->verdict.outcome != VALIDATE_REJECTED &&
	    (d->verdict.reply == REPLY_STATUS || d->verdict.reply == REPLY_ACK ||
	     d->verdict.reply == REPLY_REVIEW_VERIFIED ||
	     d->verdict.reply == REPLY_REVIEW_QUARANTINED))
		d->state = DECIDE_RECEIVED;
}

/* ==== replies ==== */

static void render(struct decide_result *d, enum reply_kind kind, const struct reply_args *a,
		   char *buf)
{
	if (reply_render(kind, d->lang, a, buf, REPLY_MAX, NULL) < 0) {
		buf[0] = '\0';
		if (!d->render_failed)
			d->failed_kind = kind;
		d->render_failed = true;
	}
}

/* The values the reply to d echoes. */
static void reply_args(const struct decide_result *d, struct reply_args *a)
{
	const struct validate_result *v = &d->verdict;

	reply_args_from_msg(a, &d->msg, d->in->text, d->in->text_len);
	a->expected = v->expected;
	a->registered = v->registered;
	a->minutes = d->minutes;
	if (v->reply == REPLY_SUM_MISMATCH || v->reply == REPLY_WRONG_COUNT_NUMBER ||
	    v->reply == REPLY_COUNTS_TOTAL_MISMATCH || v->reply == REPLY_RESULTS_EXCEED_REGISTERED)
		a->sum = v->sum;
	if (v->reply == REPLY_CONTEST_NOT_ON_BALLOT) {
		/* the contest typed, normalised by the parser */
		a->token = d->msg.contest;
		a->token_len = strlen(d->msg.contest);
	}
}

static void render_replies(struct decide_result *d)
{
	const struct parse_msg *m = &d->msg;
	bool rejected = d->verdict.outcome == VALIDATE_REJECTED;
	struct reply_args a;

	if (d->no_reply != DECIDE_REPLY || d->state != DECIDE_PROCESSED)
		return;
	d->lang = reply_lang(d->verdict.person ? d->verdict.person->lang : -1, m);
	reply_args(d, &a);
	d->priority = rejected                     ? DECIDE_PRIORITY_ERROR
		      : m->form == PARSE_FORM_HELP ? DECIDE_PRIORITY_HELP
						   : DECIDE_PRIORITY_CONFIRM;
	if (!checklist_decide_reply(d))
		render(d, d->verdict.reply, &a, d->body);
	if (rejected || !is_report_form(m->form))
		return;
	render(d, REPLY_IDENTICAL_RESEND, &a, d->resend);
	if (m->form == PARSE_FORM_TURNOUT || m->form == PARSE_FORM_CLOSE)
		render(d, REPLY_CORRECTION_FLAGGED, &a, d->decrease);
}

/* ==== tally and alert ==== */

static void tally(struct decide_result *d)
{
	const struct validate_result *v = &d->verdict;

	d->station_id = v->station ? v->station->id : 0;
	if (v->outcome == VALIDATE_REJECTED || !d->parsed || !is_report_form(d->msg.form) ||
	    v->station == NULL)
		return;
	snprintf(d->tally_key, sizeof(d->tally_key), "%d/%s/%d", v->station->id,
		 parse_form_name(d->msg.form), v->contest ? v->contest->id : 0);
}

/* The sender_flood alert: once per sender and day (by its key). */
static void flood_alert(const struct decide_settings *s, const struct decide_context *c,
			struct decide_result *d)
{
	struct regsnap_person *p = regsnap_person(c->snap, d->sender);
	struct decide_alert *al = &d->alert;
	unsigned char md[32];
	unsigned int mdlen = 0;
	char who[LOG_PHONE_BUF];
	time_t t = (time_t)(c->wall_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (p != NULL) {
		snprintf(al->key, sizeof(al->key), "sender_flood:p%d:%04d-%02d-%02d", p->id,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	} else {
		memset(md, 0, sizeof(md));
		EVP_Digest(d->sender, strlen(d->sender), md, &mdlen, EVP_sha256(), NULL);
		snprintf(al->key, sizeof(al->key),
			 "sender_flood:%02x%02x%02x%02x%02x%02x%02x%02x:%04d-%02d-%02d", md[0],
			 md[1], md[2], md[3], md[4], md[5], md[6], md[7], tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday);
	}
	snprintf(al->text, sizeof(al->text),
		 "%s%s sent more than %u messages in %u s: replies stopped for %u min",
		 p && p->name ? p->name : "sender ",
		 p && p->name ? "" : log_mask_phone(d->sender, who, sizeof(who)), s->rules.rate_max,
		 s->rules.rate_window_s, s->rules.mute_s / 60);
}

/* ==== public ==== */

static void result_init(const struct inbound *in, int64_t wall_ms, struct decide_result *out)
{
	memset(out, 0, sizeof(*out));
	out->in = in;
	out->recv_ms = in->received_ms > 0 ? in->received_ms : wall_ms;
	out->sent_s = sent_at(out);
	out->state = DECIDE_PROCESSED;
	out->no_reply = DECIDE_REPLY;
	out->priority = DECIDE_PRIORITY_NONE;
}

void decide_message(const struct decide_settings *s, const struct decide_context *c,
		    const struct inbound *in, struct decide_result *out)
{
	struct sender *snd;

	assert(s != NULL && c != NULL && c->snap != NULL && c->clock != NULL && in != NULL);
	result_init(in, c->wall_ms, out);
	out->redo = c->redo;
	if (!check_sender(s, c, out, &snd)) {
		out->state = DECIDE_IGNORED;
		return;
	}
	if (out->alert.raise)
		flood_alert(s, c, out);
	judge(s, c, out, snd);
	if (in->transport == INBOUND_USSD && !s->ussd_sms_reply && out->no_reply == DECIDE_REPLY)
		out->no_reply = DECIDE_NO_REPLY_USSD;
	unknown_rules(s, c, out, snd);
	/* a throttled coordinator's STATUS or ACK is recorded, not answered */
	if (out->no_reply != DECIDE_REPLY && out->state == DECIDE_RECEIVED)
		out->state = DECIDE_PROCESSED;
	render_replies(out);
	tally(out);
	assert(out->no_reply == DECIDE_REPLY || out->body[0] == '\0');
	assert(out->verdict.outcome != VALIDATE_REJECTED || out->tally_key[0] == '\0');
}

void decide_failed(const struct inbound *in, int64_t wall_ms, struct decide_result *out)
{
	result_init(in, wall_ms, out);
	out->state = DECIDE_FAILED;
	snprintf(out->sender, sizeof(out->sender), "%s", in->sender);
}

bool decide_is_report(const struct decide_result *d)
{
	return d->parsed && is_report_form(d->msg.form);
}

const char *decide_state_name(enum decide_state state)
{
	switch (state) {
	case DECIDE_PROCESSED: return "processed";
	case DECIDE_IGNORED: return "ignored";
	case DECIDE_RECEIVED: return "received";
	case DECIDE_FAILED: return "failed";
	}
	return "failed";
}

const char *decide_no_reply_code(enum decide_no_reply why)
{
	switch (why) {
	case DECIDE_REPLY: return NULL;
	case DECIDE_NO_REPLY_NON_PHONE: return "non_phone_sender";
	case DECIDE_NO_REPLY_OWN_NUMBER: return "own_number";
	case DECIDE_NO_REPLY_RATE_LIMITED: return "rate_limited";
	case DECIDE_NO_REPLY_UNKNOWN: return "unknown_sender";
	case DECIDE_NO_REPLY_REPROCESSED: return "reprocessed";
	case DECIDE_NO_REPLY_USSD: return "ussd";
	}
	return NULL;
}
