/*
 * pipeline.c - the processing pipeline of sawtd; see pipeline.h.
 *
 * A message is decided as soon as it is submitted: sender checks, parse,
 * validation against the registry snapshot and the reply texts all happen
 * in memory.  The result is one JSON record (a sawt.ingest_msg) handed to
 * the group commit (ingest.c), which reports back once it has committed.
 */
#include "pipeline.h"

#include <event2/event.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest.h"
#include "json.h"
#include "report_json.h"
#include "parse.h"
#include "phone.h"
#include "registry.h"
#include "reply.h"
#include "sender.h"
#include "util.h"
#include "validate.h"

#define SWEEP_MS 60000
#define MSG_JSON_MAX 32768

struct msg {
	struct pipeline *pl;
	pipeline_done_cb cb;
	void *arg;
	int64_t t_submit;           /* monotonic ms */
	char dedup[INBOUND_DEDUP_HEX];
	int station_id;             /* 0: none */
	char tally_key[48];         /* "" unless an accepted report */
	bool ignored;
	struct inbound in;          /* the record (for its fallback record) */
};

struct waiting {
	struct waiting *next;
	struct msg *m;
};

/* Reading back the sender state of the last run (once per daemon). */
enum pipeline_restore {
	RESTORE_NONE = 0,
	RESTORE_RUNNING,
	RESTORE_DONE,
};

struct pipeline {
	struct event_base *base;
	struct db *db;
	struct registry *reg;
	struct ingest *ingest;
	struct ingest_stats ingest_past;    /* of the ingests replaced */
	struct pipeline_options opt;
	char *conninfo;             /* for the extra connections */
	char *country_code;
	enum lang default_lang;
	char **own;                 /* sawt's own numbers, E.164 */
	size_t n_own;
	struct sender_table *senders;
	struct sender_rules rules;  /* from opt */
	enum pipeline_restore restore;
	struct waiting *wait_head, *wait_tail;
	struct event *ev_sweep;     /* forgets idle senders */
	struct event *ev_wait;      /* fails messages the registry kept waiting */
	bool closing;
	struct pipeline_stats stats;
};

/* ==== messages ==== */

static void msg_free(struct msg *m)
{
	free(m);
}

static void msg_done(struct pipeline *pl, struct msg *m, enum pipeline_outcome outcome)
{
	pl->stats.pending--;
	if (outcome == PIPELINE_FAILED)
		pl->stats.failed++;
	else
		pl->stats.committed++;
	m->cb(m->arg, outcome);
	msg_free(m);
}

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

static bool is_own_number(const struct pipeline *pl, const char *e164)
{
	for (size_t i = 0; i < pl->n_own; i++)
		if (strcmp(pl->own[i], e164) == 0)
			return true;
	return false;
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;
	int64_t now = util_mono_ms();

	(void)fd;
	(void)what;
	sender_table_sweep(pl->senders, now);
	db_timer_arm(pl->ev_sweep, SWEEP_MS);
}

/* ==== deciding a message ==== */

struct decision {
	const struct inbound *in;
	char sender[INBOUND_SENDER_MAX];    /* E.164, or as received */
	const char *in_state;
	const char *no_reply;
	bool alert;
	bool again;                         /* its sender sent this message before */
	bool parsed;
	struct parse_msg msg;
	struct validate_result v;
	uint32_t minutes;                   /* PIN lock minutes for the reply */
	bool missing_parts;
	int priority;
	char body[REPLY_MAX];
	char resend[REPLY_MAX];
	char decrease[REPLY_MAX];
};

static bool is_report_form(enum parse_form f)
{
	return f == PARSE_FORM_OPEN || f == PARSE_FORM_TURNOUT || f == PARSE_FORM_CLOSE ||
	       f == PARSE_FORM_RESULTS || f == PARSE_FORM_INCIDENT;
}

/* The first 64 bits of a dedup key (64 hex digits). */
static uint64_t dedup_bits(const char *dedup)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%s", dedup);
	return (uint64_t)strtoull(hex, NULL, 16);
}

/*
 * The sender checks of section 3; false when the message is only recorded.
 * A message its sender sent before (same dedup key: redelivered by a modem
 * worker that died before deleting it, replayed from the spool, resent
 * after a failed batch) was counted then: it does not count for the rate
 * again, or a crash could mute an observer's next reports.
 */
static bool check_sender(struct pipeline *pl, struct decision *d, int64_t now,
			 struct sender **out)
{
	const char *raw = d->in->sender, *why;
	char e164[PHONE_E164_BUF];
	bool started = false;

	*out = NULL;
	if (is_short_code(raw) ||
	    !phone_normalize(raw, strlen(raw), pl->country_code, e164, &why)) {
		snprintf(d->sender, sizeof(d->sender), "%s", raw);
		d->no_reply = "non_phone_sender";
		return false;
	}
	snprintf(d->sender, sizeof(d->sender), "%s", e164);
	if (is_own_number(pl, e164)) {
		d->no_reply = "own_number";
		return false;
	}
	*out = sender_table_get(pl->senders, e164, now);
	d->again = *out != NULL && sender_seen(*out, dedup_bits(d->in->dedup));
	if (*out != NULL && (d->again ? now < (*out)->muted_until
				     : sender_rate(*out, &pl->rules, now, &started))) {
		d->no_reply = "rate_limited";
		d->alert = started;
		return false;
	}
	return true;
}

/* When the observer sent it: the SMSC time when plausible, else receipt. */
static int64_t sent_at(const struct inbound *in)
{
	int64_t rcv = in->received_ms > 0 ? in->received_ms / 1000 : util_wall_ms() / 1000;

	if (in->smsc_time > 0 && in->smsc_time <= rcv + 300 && in->smsc_time >= rcv - 86400)
		return in->smsc_time;
	return rcv;
}

/* Apply the PIN lock rules to a verdict; a message sent before counts no
 * wrong PIN again. */
static void pin_rules(struct decision *d, struct sender *s, int64_t now)
{
	enum reply_kind k = d->v.reply;

	if (s == NULL)
		return;
	if (k == REPLY_BAD_PIN && !d->again && sender_pin_fail(s, now))
		d->v.reply = REPLY_PIN_LOCKED;
	if (d->v.reply == REPLY_PIN_LOCKED || d->v.reply == REPLY_BAD_PIN) {
		int64_t left = d->v.reply == REPLY_PIN_LOCKED ? s->locked_until - now : SENDER_PIN_LOCK_MS;

		d->minutes = (uint32_t)((left + 59999) / 60000);
		return;
	}
	if (!d->again && d->parsed && d->msg.error == PARSE_OK &&
	    (d->msg.has & PARSE_HAS_PIN) &&
	    d->v.person != NULL && d->v.person->pin_hash != NULL &&
	    k != REPLY_PIN_REQUIRED && k != REPLY_UNKNOWN_SENDER)
		sender_pin_ok(s);       /* the PIN was right */
}

static void decide(struct pipeline *pl, struct decision *d, int64_t now)
{
	struct regsnap *snap = registry_current(pl->reg);
	struct sender *s;
	struct validate_input vi;

	d->in_state = "processed";
	if (!check_sender(pl, d, now, &s)) {
		d->in_state = "ignored";
		return;
	}
	d->parsed = true;
	if (!parse_message(d->in->text, d->in->text_len, pl->default_lang, &d->msg))
		log_debug("message from %s does not parse: %s", d->in->source,
			  parse_error_code(d->msg.error));
	vi.sender = d->sender;
	vi.msg = &d->msg;
	vi.sent_at = sent_at(d->in);
	vi.pin_locked = s != NULL && sender_locked(s, now);
	validate_message(snap, registry_clock(pl->reg), &vi, &d->v);
	pin_rules(d, s, now);
	if (d->v.outcome != VALIDATE_REJECTED && is_report_form(d->msg.form) &&
	    d->in->concat_missing > 0) {
		d->missing_parts = true;
		d->v.outcome = VALIDATE_ACCEPTED_FLAGGED;
	}
	/* STATUS and ACK from coordinators are answered elsewhere */
	if (d->v.outcome != VALIDATE_REJECTED &&
	    (d->v.reply == REPLY_STATUS || d->v.reply == REPLY_ACK))
		d->in_state = "received";
}

/* ==== replies ==== */

static bool render(enum reply_kind kind, enum lang lang, const struct reply_args *a,
		   char *buf)
{
	if (reply_render(kind, lang, a, buf, REPLY_MAX, NULL) < 0) {
		log_error("could not render reply \"%s\" in %s", reply_kind_code(kind),
			  lang_code(lang));
		buf[0] = '\0';
		return false;
	}
	return true;
}

static void render_replies(struct decision *d)
{
	const struct parse_msg *m = &d->msg;
	struct reply_args a;
	enum lang lang;

	if (d->no_reply != NULL || strcmp(d->in_state, "received") == 0)
		return;
	lang = reply_lang(d->v.person ? d->v.person->lang : -1, m);
	reply_args_from_msg(&a, m, d->in->text, d->in->text_len);
	a.expected = d->v.expected;
	a.registered = d->v.registered;
	a.minutes = d->minutes;
	if (d->v.reply == REPLY_SUM_MISMATCH || d->v.reply == REPLY_WRONG_COUNT_NUMBER ||
	    d->v.reply == REPLY_COUNTS_TOTAL_MISMATCH ||
	    d->v.reply == REPLY_RESULTS_EXCEED_REGISTERED)
		a.sum = d->v.sum;
	if (d->v.reply == REPLY_CONTEST_NOT_ON_BALLOT) {
		/* the contest typed, normalised by the parser */
		a.token = m->contest;
		a.token_len = strlen(m->contest);
	}
	d->priority = d->v.outcome == VALIDATE_REJECTED ? 1 : m->form == PARSE_FORM_HELP ? 3 : 2;
	(void)render(d->v.reply, lang, &a, d->body);
	if (d->v.outcome == VALIDATE_REJECTED || !is_report_form(m->form))
		return;
	(void)render(REPLY_IDENTICAL_RESEND, lang, &a, d->resend);
	if (m->form == PARSE_FORM_TURNOUT || m->form == PARSE_FORM_CLOSE)
		(void)render(REPLY_CORRECTION_FLAGGED, lang, &a, d->decrease);
}

/* ==== the JSON of one message (see sawt.ingest_msg) ==== */

static void jstr(struct json_buf *j, const char *key, const char *s)
{
	json_string(j, key, s, strlen(s));
}

static const char *transport_name(uint8_t t)
{
	switch (t) {
	case INBOUND_HTTP: return "http";
	case INBOUND_USSD: return "ussd";
	default: return "modem";
	}
}

static void json_inbound(struct json_buf *j, const struct decision *d, const char *dedup)
{
	const struct inbound *in = d->in;

	jstr(j, "dkey", dedup);
	jstr(j, "transport", transport_name(in->transport));
	if (in->source[0])
		jstr(j, "modem", in->source);
	jstr(j, "sender", d->sender);
	if (in->smsc_time > 0)
		json_uint(j, "smsc", (uint64_t)in->smsc_time);
	json_uint(j, "recv_ms", (uint64_t)(in->received_ms > 0 ? in->received_ms : util_wall_ms()));
	if (in->concat_parts > 1) {
		json_uint(j, "mp_ref", in->concat_ref);
		json_uint(j, "mp_part", (unsigned)(in->concat_parts - in->concat_missing));
		json_uint(j, "mp_total", in->concat_parts);
	}
	json_string(j, "txt", in->text, in->text_len);
	if (d->v.person != NULL)
		json_uint(j, "person", (uint64_t)d->v.person->id);
	jstr(j, "in_state", d->in_state);
	if (d->v.outcome == VALIDATE_REJECTED)
		jstr(j, "in_error", reply_kind_code(d->v.reply));
	if (d->no_reply != NULL)
		jstr(j, "no_reply", d->no_reply);
}

static void json_flags(struct json_buf *j, const struct decision *d)
{
	json_open_array(j, "flags");
	for (uint32_t bit = 1; bit < (1u << VALIDATE_FLAG_COUNT); bit <<= 1)
		if (d->v.flags & bit)
			jstr(j, NULL, validate_flag_name(bit));
	if (d->missing_parts)
		jstr(j, NULL, "missing_parts");
	json_close_array(j);
}

static void json_numbers(struct json_buf *j, const struct parse_msg *m)
{
	uint8_t n = m->n_counts, cand = n >= 2 ? (uint8_t)(n - 2) : n;

	if (m->has & PARSE_HAS_TIME) {
		char t[6] = { m->time[0], m->time[1], ':', m->time[2], m->time[3], '\0' };

		jstr(j, "open_at", t);
	}
	report_json_turnout(j, m);
	if (m->form == PARSE_FORM_RESULTS && n > 0) {
		json_open_array(j, "counts");
		for (uint8_t i = 0; i < cand; i++)
			json_uint(j, NULL, m->counts[i]);
		json_close_array(j);
		if (n >= 2) {
			json_uint(j, "invalid", m->counts[n - 2]);
			json_uint(j, "blank", m->counts[n - 1]);
		}
	}
	if (m->has & PARSE_HAS_TOTAL)
		json_uint(j, "total", m->total);
}

static void json_report_fields(struct json_buf *j, const struct decision *d)
{
	const struct parse_msg *m = &d->msg;
	bool rejected = d->v.outcome == VALIDATE_REJECTED;

	if (!d->parsed || !is_report_form(m->form))
		return;
	jstr(j, "form", parse_form_name(m->form));
	if (d->v.station != NULL)
		json_uint(j, "station", (uint64_t)d->v.station->id);
	if (m->has & PARSE_HAS_STATION)
		jstr(j, "station_code", m->station);
	jstr(j, "verdict", rejected ? "rejected" : "accepted");
	if (rejected)
		jstr(j, "error", reply_kind_code(d->v.reply));
	else
		json_flags(j, d);
	json_numbers(j, m);
	if (d->v.contest != NULL)
		json_uint(j, "contest", (uint64_t)d->v.contest->id);
	if (m->form == PARSE_FORM_INCIDENT && (m->has & PARSE_HAS_CODE))
		json_uint(j, "incident", m->code);
	if ((m->has & PARSE_HAS_TEXT) && (size_t)m->text.off + m->text.len <= d->in->text_len)
		json_string(j, "incident_text", d->in->text + m->text.off, m->text.len);
}

static void json_replies(struct json_buf *j, const struct decision *d)
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

/* The sender_flood alert: once per sender and day (by its key). */
static void json_alert(struct json_buf *j, struct pipeline *pl, const struct decision *d)
{
	struct regsnap_person *p = regsnap_person(registry_current(pl->reg), d->sender);
	unsigned char md[32];
	unsigned int mdlen = 0;
	char key[96], text[256], who[LOG_PHONE_BUF];
	time_t t = time(NULL);
	struct tm tm;

	if (!d->alert)
		return;
	gmtime_r(&t, &tm);
	if (p != NULL) {
		snprintf(key, sizeof(key), "sender_flood:p%d:%04d-%02d-%02d", p->id,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	} else {
		EVP_Digest(d->sender, strlen(d->sender), md, &mdlen, EVP_sha256(), NULL);
		snprintf(key, sizeof(key), "sender_flood:%02x%02x%02x%02x%02x%02x%02x%02x:"
			 "%04d-%02d-%02d", md[0], md[1], md[2], md[3], md[4], md[5], md[6],
			 md[7], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
	snprintf(text, sizeof(text),
		 "%s%s sent more than %u messages in %u s: replies stopped for %u min",
		 p && p->name ? p->name : "sender ",
		 p && p->name ? "" : log_mask_phone(d->sender, who, sizeof(who)),
		 pl->opt.rate_max, pl->opt.rate_window_s, pl->opt.mute_s / 60);
	jstr(j, "alert_key", key);
	jstr(j, "alert_msg", text);
}

/* The members of d's object after its '{', in a new string. */
static char *message_json(struct pipeline *pl, const struct decision *d, const char *dedup)
{
	static char buf[MSG_JSON_MAX];
	struct json_buf j;

	json_init(&j, buf, sizeof(buf));
	json_open_object(&j, NULL);
	json_inbound(&j, d, dedup);
	json_report_fields(&j, d);
	json_replies(&j, d);
	json_alert(&j, pl, d);
	json_close_object(&j);
	if (!json_finish(&j)) {
		log_error("a message does not fit the %d-byte record", MSG_JSON_MAX);
		return NULL;
	}
	return strdup(buf + 1);
}

/* Decide m; its JSON record, or NULL when out of memory. */
static char *process(struct pipeline *pl, struct msg *m)
{
	struct decision d;
	int64_t now = util_mono_ms();

	memset(&d, 0, sizeof(d));
	d.in = &m->in;
	decide(pl, &d, now);
	render_replies(&d);
	m->ignored = d.no_reply != NULL;
	m->station_id = d.v.station ? d.v.station->id : 0;
	if (d.v.outcome != VALIDATE_REJECTED && d.parsed && is_report_form(d.msg.form) &&
	    d.v.station != NULL)
		snprintf(m->tally_key, sizeof(m->tally_key), "%d/%s/%d", d.v.station->id,
			 parse_form_name(d.msg.form), d.v.contest ? d.v.contest->id : 0);
	return message_json(pl, &d, m->dedup);
}

/* A message that failed alone: recorded as failed, nothing else. */
static char *failed_json(const struct msg *m)
{
	struct decision d;

	static char buf[MSG_JSON_MAX];
	struct json_buf j;

	memset(&d, 0, sizeof(d));
	d.in = &m->in;
	d.in_state = "failed";
	snprintf(d.sender, sizeof(d.sender), "%s", m->in.sender);
	json_init(&j, buf, sizeof(buf));
	json_open_object(&j, NULL);
	json_inbound(&j, &d, m->dedup);
	jstr(&j, "in_error", "internal_error");
	json_close_object(&j);
	return json_finish(&j) ? strdup(buf + 1) : NULL;
}

/* ==== handing over to the group commit ==== */

static void ingest_done(void *arg, const struct ingest_result *res)
{
	struct msg *m = arg;
	struct pipeline *pl = m->pl;

	if (res->stored) {
		if (res->recorded_failed)
			pl->stats.internal_errors++;
		else if (res->duplicate)
			pl->stats.duplicates++;
		else if (m->ignored)
			pl->stats.ignored++;
		if (res->rejected)
			pl->stats.rejected++;
	}
	msg_done(pl, m, res->stored ? PIPELINE_COMMITTED : PIPELINE_FAILED);
}

static char *fallback_json(void *arg)
{
	return failed_json(arg);
}

/* Decide m and hand it over; false when it cannot be taken now. */
static bool dispatch(struct pipeline *pl, struct msg *m)
{
	char *json = process(pl, m);

	if (json == NULL)
		return false;
	if (!ingest_add(pl->ingest, json, m->dedup, m->station_id, m->tally_key,
			ingest_done, m)) {
		free(json);
		return false;
	}
	return true;
}

/* ==== waiting for the registry ==== */

static void wait_push(struct pipeline *pl, struct msg *m, struct waiting *w)
{
	w->m = m;
	w->next = NULL;
	if (pl->wait_tail)
		pl->wait_tail->next = w;
	else
		pl->wait_head = w;
	pl->wait_tail = w;
	if (!evtimer_pending(pl->ev_wait, NULL))
		db_timer_arm(pl->ev_wait, pl->opt.registry_wait_ms);
}

static struct waiting *wait_pop(struct pipeline *pl)
{
	struct waiting *w = pl->wait_head;

	if (w == NULL)
		return NULL;
	pl->wait_head = w->next;
	if (pl->wait_head == NULL)
		pl->wait_tail = NULL;
	return w;
}

/* Registry loaded and senders restored: decide the messages that waited. */
static bool is_ready(const struct pipeline *pl)
{
	return pl->restore == RESTORE_DONE && registry_current(pl->reg) != NULL;
}

static void drain_waiting(struct pipeline *pl)
{
	struct waiting *w;

	if (!is_ready(pl))
		return;
	event_del(pl->ev_wait);
	while ((w = wait_pop(pl)) != NULL) {
		struct msg *m = w->m;

		free(w);
		if (!dispatch(pl, m))
			msg_done(pl, m, PIPELINE_FAILED);
	}
}

static void registry_loaded(void *arg)
{
	struct pipeline *pl = arg;

	pl->stats.registry_loads++;
	ingest_set_election(pl->ingest, registry_election_id(pl->reg));
	drain_waiting(pl);
}

/* ==== sender state across a restart ==== */

/*
 * What the messages processed in the last hour say about rate limits and
 * PINs: rate-limited messages, PIN errors, and messages that may have
 * carried a right PIN (parsed again below), in the order they were
 * decided.  processed_at, not received_at: the live rules count when a
 * message is decided, and a spooled message is decided late.
 */
static const char restore_sql[] =
	"SELECT sender, (extract(epoch FROM clock_timestamp() - processed_at) * 1000)::bigint,"
	" CASE WHEN no_reply_reason = 'rate_limited' THEN 'rate_limited'"
	" ELSE coalesce(error_code, '') END, text"
	" FROM sawt.inbound_messages"
	" WHERE processed_at > now() - make_interval(secs => $1::int)"
	" AND (no_reply_reason = 'rate_limited' OR error_code IN ('bad_pin', 'pin_locked')"
	" OR (state = 'processed' AND strpos(text, '#') > 0"
	" AND coalesce(error_code, '') NOT IN ('pin_required', 'unknown_sender')))"
	" ORDER BY processed_at, id";

/* The event a restored row stands for; false when it says nothing. */
static bool restore_event(const struct pipeline *pl, const char *what, const char *text,
			  enum sender_event *ev)
{
	struct parse_msg m;

	if (strcmp(what, "rate_limited") == 0)
		*ev = SENDER_EV_RATE_LIMITED;
	else if (strcmp(what, "bad_pin") == 0)
		*ev = SENDER_EV_BAD_PIN;
	else if (strcmp(what, "pin_locked") == 0)
		*ev = SENDER_EV_PIN_LOCKED;
	else if (parse_message(text, strlen(text), pl->default_lang, &m) &&
		 (m.has & PARSE_HAS_PIN))
		*ev = SENDER_EV_PIN_OK;
	else
		return false;
	return true;
}

static void restore_cb(const struct db_result *res, void *arg)
{
	struct pipeline *pl = arg;
	int64_t now = util_mono_ms();
	size_t before = sender_table_len(pl->senders);
	int rows;

	if (!db_result_ok(res)) {
		bool lost = strcmp(db_result_sqlstate(res), "08006") == 0;

		log_warn("could not read back rate limits and PIN locks: %s", db_result_error(res));
		pl->restore = lost ? RESTORE_NONE : RESTORE_DONE;
		drain_waiting(pl);
		return;
	}
	rows = db_result_rows(res);
	for (int i = 0; i < rows; i++) {
		enum sender_event ev;
		struct sender *s;
		int64_t at = now - strtoll(db_result_value(res, i, 1), NULL, 10);

		if (!restore_event(pl, db_result_value(res, i, 2), db_result_value(res, i, 3), &ev))
			continue;
		s = sender_table_get(pl->senders, db_result_value(res, i, 0), at);
		if (s != NULL)
			sender_replay(s, &pl->rules, ev, at);
	}
	log_info("read back rate limits and PIN locks: %d messages, %zu senders", rows,
		 sender_table_len(pl->senders) - before);
	pl->restore = RESTORE_DONE;
	drain_waiting(pl);
}

/* Once per daemon: read back what the last run knew about senders. */
static void restore_senders(struct pipeline *pl)
{
	char secs[16];
	const char *p[] = { secs };
	unsigned span = (SENDER_PIN_WINDOW_MS + SENDER_PIN_LOCK_MS) / 1000;

	if (pl->restore != RESTORE_NONE)
		return;
	if (pl->opt.mute_s > span)
		span = pl->opt.mute_s;
	snprintf(secs, sizeof(secs), "%u", span + 60);
	pl->restore = RESTORE_RUNNING;
	if (!db_query(pl->db, restore_sql, 1, p, restore_cb, pl)) {
		log_warn("could not read back rate limits and PIN locks: out of memory");
		pl->restore = RESTORE_DONE;
	}
}

/* Messages waited too long for the first registry load: fail them. */
static void wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;
	int64_t now = util_mono_ms();
	struct waiting *w;
	size_t n = 0;

	(void)fd;
	(void)what;
	while (pl->wait_head &&
	       now - pl->wait_head->m->t_submit >= (int64_t)pl->opt.registry_wait_ms) {
		w = wait_pop(pl);
		msg_done(pl, w->m, PIPELINE_FAILED);
		free(w);
		n++;
	}
	if (n > 0)
		log_warn("the registry is not loaded yet: %zu message(s) failed after %u ms",
			 n, pl->opt.registry_wait_ms);
	if (pl->wait_head)
		db_timer_arm(pl->ev_wait, pl->opt.registry_wait_ms);
}

/* Lane 0 came back after losing its connection: LISTEN and reload. */
static void reconnected(void *ctx)
{
	struct pipeline *pl = ctx;

	registry_on_db_state(pl->reg, DB_STATE_READY);
}

/* ==== public ==== */

void pipeline_options_init(struct pipeline_options *opt)
{
	*opt = (struct pipeline_options){
		.batch_max = 500,
		.batch_delay_ms = 2,
		.max_in_flight = 1,
		.connections = 2,
		.rate_max = 10,
		.rate_window_s = 60,
		.mute_s = 3600,
		.registry_wait_ms = 5000,
		.node = NULL,
		.conninfo = NULL,
	};
}

/* Normalise the [modem] numbers: replies to them would loop. */
static bool load_own_numbers(struct pipeline *pl, const struct config *cfg)
{
	pl->own = calloc(cfg->n_modems + 1, sizeof(*pl->own));
	if (pl->own == NULL)
		return false;
	for (size_t i = 0; i < cfg->n_modems; i++) {
		const char *num = cfg->modems[i].number, *why;
		char e164[PHONE_E164_BUF];

		if (num == NULL || num[0] == '\0')
			continue;
		if (!phone_normalize(num, strlen(num), cfg->country_code, e164, &why)) {
			log_warn("modem \"%s\": number \"%s\" is not a phone number (%s)",
				 cfg->modems[i].name, num, why);
			continue;
		}
		if ((pl->own[pl->n_own] = strdup(e164)) == NULL)
			return false;
		pl->n_own++;
	}
	return true;
}

/* (Re)create the group commit with the current options. */
static bool make_ingest(struct pipeline *pl)
{
	struct ingest_options io = {
		.batch_max = pl->opt.batch_max,
		.batch_delay_ms = pl->opt.batch_delay_ms,
		.max_in_flight = pl->opt.max_in_flight,
		.connections = pl->opt.connections,
		.conninfo = pl->conninfo,
		.node = pl->opt.node,
	};

	if (pl->ingest != NULL) {
		struct ingest_stats is;

		ingest_stats(pl->ingest, &is);
		pl->ingest_past.batches += is.batches;
		pl->ingest_past.batch_messages += is.batch_messages;
		pl->ingest_past.retries += is.retries;
		if (is.batch_largest > pl->ingest_past.batch_largest)
			pl->ingest_past.batch_largest = is.batch_largest;
	}
	ingest_free(pl->ingest);
	pl->ingest = ingest_new(pl->base, pl->db, &io, fallback_json, reconnected, pl);
	if (pl->ingest == NULL)
		return false;
	ingest_set_election(pl->ingest, registry_election_id(pl->reg));
	return true;
}

/* The sender rules of the options, rate_max clamped to what a sender keeps. */
static void take_rules(struct pipeline *pl)
{
	if (pl->opt.rate_max == 0 || pl->opt.rate_max >= SENDER_RATE_RING)
		pl->opt.rate_max = SENDER_RATE_RING - 1;
	pl->rules.rate_max = pl->opt.rate_max;
	pl->rules.rate_window_s = pl->opt.rate_window_s;
	pl->rules.mute_s = pl->opt.mute_s;
}

struct pipeline *pipeline_new(struct event_base *base, struct db *db,
			      const struct config *cfg)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->base = base;
	pl->db = db;
	pipeline_options_init(&pl->opt);
	take_rules(pl);
	pl->default_lang = cfg->default_language;
	if (cfg->country_code && (pl->country_code = strdup(cfg->country_code)) == NULL)
		goto fail;
	pl->conninfo = db_conninfo(cfg);
	pl->senders = sender_table_new();
	pl->reg = registry_new(base, db, cfg);
	pl->ev_sweep = evtimer_new(base, sweep_cb, pl);
	pl->ev_wait = evtimer_new(base, wait_cb, pl);
	if (pl->conninfo == NULL || pl->senders == NULL || pl->reg == NULL ||
	    pl->ev_sweep == NULL || pl->ev_wait == NULL || !load_own_numbers(pl, cfg) ||
	    !make_ingest(pl))
		goto fail;
	db_timer_arm(pl->ev_sweep, SWEEP_MS);
	registry_set_loaded_cb(pl->reg, registry_loaded, pl);
	registry_start(pl->reg);
	restore_senders(pl);
	return pl;
fail:
	pipeline_free(pl);
	return NULL;
}

bool pipeline_set_options(struct pipeline *pl, const struct pipeline_options *opt)
{
	char *node = opt->node ? strdup(opt->node) : NULL;
	char *conninfo = opt->conninfo ? strdup(opt->conninfo) : NULL;

	if ((opt->node && node == NULL) || (opt->conninfo && conninfo == NULL)) {
		free(node);
		free(conninfo);
		return false;
	}
	free((char *)pl->opt.node);
	pl->opt = *opt;
	pl->opt.node = node;
	pl->opt.conninfo = NULL;
	if (conninfo != NULL) {
		free(pl->conninfo);
		pl->conninfo = conninfo;
	}
	take_rules(pl);
	return make_ingest(pl);
}

void pipeline_free(struct pipeline *pl)
{
	struct waiting *w;

	if (pl == NULL)
		return;
	pl->closing = true;
	while ((w = wait_pop(pl)) != NULL) {
		msg_done(pl, w->m, PIPELINE_FAILED);
		free(w);
	}
	ingest_free(pl->ingest);
	if (pl->ev_sweep)
		event_free(pl->ev_sweep);
	if (pl->ev_wait)
		event_free(pl->ev_wait);
	sender_table_free(pl->senders);
	registry_free(pl->reg);
	for (size_t i = 0; pl->own && i < pl->n_own; i++)
		free(pl->own[i]);
	free(pl->own);
	free(pl->country_code);
	free(pl->conninfo);
	free((char *)pl->opt.node);
	free(pl);
}

static struct msg *msg_new(struct pipeline *pl, const struct inbound *in,
			   pipeline_done_cb cb, void *arg)
{
	struct msg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->pl = pl;
	m->cb = cb;
	m->arg = arg;
	m->t_submit = util_mono_ms();
	m->in = *in;
	if (m->in.dedup[0] == '\0')
		inbound_dedup_key(&m->in);
	memcpy(m->dedup, m->in.dedup, sizeof(m->dedup));
	return m;
}

bool pipeline_submit(struct pipeline *pl, const struct inbound *in,
		     pipeline_done_cb cb, void *arg)
{
	struct msg *m;

	if (pl->closing || db_get_state(pl->db) != DB_STATE_READY)
		return false;
	if (!inbound_valid(in)) {
		log_warn("refusing a malformed inbound record from \"%s\"", in->source);
		return false;
	}
	m = msg_new(pl, in, cb, arg);
	if (m == NULL || strlen(m->dedup) != 64)
		goto fail;
	if (!is_ready(pl)) {
		struct waiting *w = calloc(1, sizeof(*w));

		if (w == NULL)
			goto fail;
		wait_push(pl, m, w);
	} else if (!dispatch(pl, m)) {
		goto fail;
	}
	pl->stats.received++;
	pl->stats.pending++;
	return true;
fail:
	msg_free(m);
	return false;
}

void pipeline_flush(struct pipeline *pl)
{
	ingest_flush(pl->ingest);
}

void pipeline_on_db_state(struct pipeline *pl, enum db_state state)
{
	registry_on_db_state(pl->reg, state);
	ingest_on_db_state(pl->ingest, state);
	if (state == DB_STATE_READY)
		restore_senders(pl);
}

void pipeline_on_notify(struct pipeline *pl, const char *channel, const char *payload)
{
	registry_on_notify(pl->reg, channel, payload);
}

bool pipeline_ready(const struct pipeline *pl)
{
	return is_ready(pl);
}

struct registry *pipeline_registry(struct pipeline *pl)
{
	return pl->reg;
}

void pipeline_stats(const struct pipeline *pl, struct pipeline_stats *out)
{
	struct ingest_stats is;

	*out = pl->stats;
	ingest_stats(pl->ingest, &is);
	out->batches = pl->ingest_past.batches + is.batches;
	out->batch_messages = pl->ingest_past.batch_messages + is.batch_messages;
	out->batch_largest = is.batch_largest > pl->ingest_past.batch_largest
				     ? is.batch_largest : pl->ingest_past.batch_largest;
	out->retries = pl->ingest_past.retries + is.retries;
	out->in_flight = is.in_flight;
	out->lanes_ready = is.lanes_ready;
}
