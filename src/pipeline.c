/*
 * pipeline.c - the processing pipeline of sawtd; see pipeline.h.
 *
 * A message is decided as soon as it is submitted (everything up to the
 * reply text happens in memory, against the registry snapshot), turned
 * into one JSON object and put into a batch.  Batches go
 *
 *   open (still taking messages) -> ready (closed, in order) -> in flight
 *
 * and each in-flight batch is one call of sawt.ingest_batch(), whose rows
 * say what happened to each message.  Batches are always sent in the order
 * they were opened.
 */
#include "pipeline.h"

#include <event2/event.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "parse.h"
#include "phone.h"
#include "registry.h"
#include "reply.h"
#include "strmap.h"
#include "validate.h"

#define PIN_FAILS_TO_LOCK 3
#define PIN_FAIL_WINDOW_MS (10 * 60 * 1000)
#define PIN_LOCK_MS (30 * 60 * 1000)
#define RATE_RING 61            /* rate_max + 1 timestamps at most */
#define SWEEP_MS 60000
#define MSG_JSON_MAX 32768
#define BATCH_RETRIES 3

static const char ingest_sql[] =
	"SELECT o_seq, o_inbound_id, o_duplicate, o_outcome, o_error_code, o_replied"
	" FROM sawt.ingest_batch($1::integer, $2, $3::jsonb)";

/* What we keep about a sender between messages. */
struct sender {
	char key[INBOUND_SENDER_MAX];
	int64_t times[RATE_RING];   /* ring of arrival times (monotonic ms) */
	unsigned n_times, next;
	int64_t muted_until;
	int64_t pin_fails[PIN_FAILS_TO_LOCK];
	unsigned n_fails;
	int64_t locked_until;
	int64_t last_seen;
};

struct msg {
	pipeline_done_cb cb;
	void *arg;
	int64_t t_submit;           /* monotonic ms */
	char dedup[INBOUND_DEDUP_HEX];
	char station_key[48];       /* "" unless an accepted report */
	char *json;                 /* the object's members after its '{' */
	bool ignored;
	struct inbound in;          /* the record (to record an internal error) */
};

enum batch_state { BATCH_OPEN, BATCH_READY, BATCH_IN_FLIGHT };

struct batch {
	struct batch *next;
	struct pipeline *pl;        /* NULL: detached by pipeline_free() */
	enum batch_state state;
	struct msg **msgs;
	unsigned n, cap;
	struct strmap *keys;        /* dedup and station keys */
	int attempts;
	bool fallback;              /* a single message recorded as failed */
};

struct waiting {
	struct waiting *next;
	struct msg *m;
};

struct blist {
	struct batch *head, *tail;
	size_t len;
};

struct pipeline {
	struct event_base *base;
	struct db *db;
	struct registry *reg;
	struct pipeline_options opt;
	char *node;
	char *country_code;
	enum lang default_lang;
	char **own;                 /* sawt's own numbers, E.164 */
	size_t n_own;
	struct strmap *senders;
	struct blist open, ready;
	struct batch *flight;       /* in-flight batches (unordered) */
	struct waiting *wait_head, *wait_tail;
	struct event *ev_delay;     /* closes the open batches */
	struct event *ev_pump;      /* sends ready batches from the loop */
	struct event *ev_sweep;     /* forgets idle senders */
	struct event *ev_wait;      /* fails messages the registry kept waiting */
	bool pumping, pump_again, closing, conn_lost;
	struct pipeline_stats stats;
};

static void pump(struct pipeline *pl);

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void arm(struct event *ev, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* ==== messages and batches ==== */

static void msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	free(m->json);
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

static struct batch *batch_new(struct pipeline *pl)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->pl = pl;
	b->cap = 16;
	b->msgs = calloc(b->cap, sizeof(*b->msgs));
	b->keys = strmap_new(b->cap * 2);
	if (b->msgs == NULL || b->keys == NULL) {
		strmap_free(b->keys);
		free(b->msgs);
		free(b);
		return NULL;
	}
	return b;
}

/* Free b (its messages must have been handed back). */
static void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	strmap_free(b->keys);
	free(b->msgs);
	free(b);
}

static bool batch_add(struct batch *b, struct msg *m)
{
	if (b->n == b->cap) {
		unsigned cap = b->cap * 2;
		struct msg **p = realloc(b->msgs, cap * sizeof(*p));

		if (p == NULL)
			return false;
		b->msgs = p;
		b->cap = cap;
	}
	if (!strmap_put(b->keys, m->dedup, m) ||
	    (m->station_key[0] && !strmap_put(b->keys, m->station_key, m))) {
		strmap_del(b->keys, m->dedup);
		return false;
	}
	b->msgs[b->n++] = m;
	return true;
}

static bool batch_conflicts(const struct batch *b, const struct msg *m)
{
	return strmap_get(b->keys, m->dedup) != NULL ||
	       (m->station_key[0] && strmap_get(b->keys, m->station_key) != NULL);
}

static void blist_push(struct blist *l, struct batch *b)
{
	b->next = NULL;
	if (l->tail)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
	l->len++;
}

static struct batch *blist_pop(struct blist *l)
{
	struct batch *b = l->head;

	if (b == NULL)
		return NULL;
	l->head = b->next;
	if (l->head == NULL)
		l->tail = NULL;
	l->len--;
	b->next = NULL;
	return b;
}

static void flight_remove(struct pipeline *pl, struct batch *b)
{
	for (struct batch **pp = &pl->flight; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			b->next = NULL;
			pl->stats.in_flight--;
			return;
		}
	}
}

/* Close the oldest open batch. */
static void close_oldest(struct pipeline *pl)
{
	struct batch *b = blist_pop(&pl->open);

	if (b == NULL)
		return;
	b->state = BATCH_READY;
	blist_push(&pl->ready, b);
}

static void close_all(struct pipeline *pl)
{
	while (pl->open.head)
		close_oldest(pl);
	event_del(pl->ev_delay);
}

/*
 * Put m into the first open batch that holds neither its dedup key nor
 * its station; open a new batch when none can take it.
 */
static bool place(struct pipeline *pl, struct msg *m)
{
	struct batch *b;

	for (b = pl->open.head; b; b = b->next)
		if (!batch_conflicts(b, m))
			break;
	if (b != NULL) {
		if (!batch_add(b, m))
			return false;
	} else {
		b = batch_new(pl);
		if (b == NULL || !batch_add(b, m)) {
			batch_free(b);
			return false;
		}
		blist_push(&pl->open, b);
	}
	if (!evtimer_pending(pl->ev_delay, NULL))
		arm(pl->ev_delay, pl->opt.batch_delay_ms);
	while (pl->open.head && pl->open.head->n >= pl->opt.batch_max)
		close_oldest(pl);
	if (pl->ready.head)
		event_active(pl->ev_pump, 0, 0);
	return true;
}

/* ==== senders: own numbers, non-phone senders, rate, PIN lock ==== */

static struct sender *sender_get(struct pipeline *pl, const char *key, int64_t now)
{
	struct sender *s = strmap_get(pl->senders, key);

	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return NULL;
		snprintf(s->key, sizeof(s->key), "%s", key);
		if (!strmap_put(pl->senders, s->key, s)) {
			free(s);
			return NULL;
		}
	}
	s->last_seen = now;
	return s;
}

/*
 * Count a message from s at now.  True when s is muted; *started is set
 * when this message is the one that muted it.
 */
static bool rate_check(const struct pipeline *pl, struct sender *s, int64_t now, bool *started)
{
	unsigned keep = pl->opt.rate_max + 1;

	*started = false;
	if (now < s->muted_until)
		return true;
	s->times[s->next] = now;
	s->next = (s->next + 1) % keep;
	if (s->n_times < keep)
		s->n_times++;
	/* with keep entries, s->next is the oldest */
	if (s->n_times == keep && now - s->times[s->next] < (int64_t)pl->opt.rate_window_s * 1000) {
		s->muted_until = now + (int64_t)pl->opt.mute_s * 1000;
		s->n_times = 0;
		s->next = 0;
		*started = true;
		return true;
	}
	return false;
}

/* Record a wrong PIN; true when it locks the PIN. */
static bool pin_fail(struct sender *s, int64_t now)
{
	unsigned o = 0;

	for (unsigned i = 0; i < s->n_fails; i++)
		if (now - s->pin_fails[i] < PIN_FAIL_WINDOW_MS)
			s->pin_fails[o++] = s->pin_fails[i];
	s->n_fails = o;
	if (s->n_fails < PIN_FAILS_TO_LOCK)
		s->pin_fails[s->n_fails++] = now;
	if (s->n_fails < PIN_FAILS_TO_LOCK)
		return false;
	s->n_fails = 0;
	s->locked_until = now + PIN_LOCK_MS;
	return true;
}

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

static bool sweep_one(const char *key, void *value, void *arg)
{
	struct sender *s = value;
	int64_t now = *(const int64_t *)arg;

	(void)key;
	if (now < s->muted_until || now < s->locked_until ||
	    now - s->last_seen < PIN_FAIL_WINDOW_MS + 60000)
		return false;
	free(s);
	return true;
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;
	int64_t now = mono_ms();

	(void)fd;
	(void)what;
	strmap_sweep(pl->senders, sweep_one, &now);
	arm(pl->ev_sweep, SWEEP_MS);
}

/* ==== deciding a message ==== */

struct decision {
	const struct inbound *in;
	char sender[INBOUND_SENDER_MAX];    /* E.164, or as received */
	const char *in_state;
	const char *no_reply;
	bool alert;
	bool parsed;
	struct report_msg msg;
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

/* The sender checks of section 3; false when the message is only recorded. */
static bool check_sender(struct pipeline *pl, struct decision *d, int64_t now,
			 struct sender **out)
{
	const char *raw = d->in->sender, *why;
	char e164[PHONE_E164_BUF];
	bool started;

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
	*out = sender_get(pl, e164, now);
	if (*out != NULL && rate_check(pl, *out, now, &started)) {
		d->no_reply = "rate_limited";
		d->alert = started;
		return false;
	}
	return true;
}

/* When the observer sent it: the SMSC time when plausible, else receipt. */
static int64_t sent_at(const struct inbound *in)
{
	int64_t rcv = in->received_ms > 0 ? in->received_ms / 1000 : wall_ms() / 1000;

	if (in->smsc_time > 0 && in->smsc_time <= rcv + 300 && in->smsc_time >= rcv - 86400)
		return in->smsc_time;
	return rcv;
}

/* Apply the PIN lock rules to a verdict. */
static void pin_rules(struct decision *d, struct sender *s, int64_t now)
{
	enum reply_kind k = d->v.reply;

	if (s == NULL)
		return;
	if (k == REPLY_BAD_PIN && pin_fail(s, now))
		d->v.reply = REPLY_PIN_LOCKED;
	if (d->v.reply == REPLY_PIN_LOCKED || d->v.reply == REPLY_BAD_PIN) {
		int64_t left = d->v.reply == REPLY_PIN_LOCKED ? s->locked_until - now : PIN_LOCK_MS;

		d->minutes = (uint32_t)((left + 59999) / 60000);
		return;
	}
	if (d->parsed && d->msg.error == PARSE_OK && (d->msg.has & PARSE_HAS_PIN) &&
	    d->v.person != NULL && d->v.person->pin_hash != NULL &&
	    k != REPLY_PIN_REQUIRED && k != REPLY_UNKNOWN_SENDER)
		s->n_fails = 0;         /* the PIN was right */
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
	vi.pin_locked = s != NULL && now < s->locked_until;
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
	const struct report_msg *m = &d->msg;
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
	if (d->v.reply == REPLY_MISSING_FIELD && m->error == PARSE_OK)
		a.field = PARSE_FIELD_CONTEST;
	if (d->v.reply == REPLY_BAD_CONTEST) {
		/* the contest typed; none when the ballot has no contest at all */
		a.token = (m->has & PARSE_HAS_CONTEST) ? m->contest : "";
		a.token_len = strlen(a.token);
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
	json_uint(j, "recv_ms", (uint64_t)(in->received_ms > 0 ? in->received_ms : wall_ms()));
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

static void json_numbers(struct json_buf *j, const struct report_msg *m)
{
	uint8_t n = m->n_counts, cand = n >= 2 ? (uint8_t)(n - 2) : n;

	if (m->has & PARSE_HAS_TIME) {
		char t[6] = { m->time[0], m->time[1], ':', m->time[2], m->time[3], '\0' };

		jstr(j, "open_at", t);
	}
	if (m->has & PARSE_HAS_VOTERS)
		json_uint(j, "voters", m->voters);
	if (m->has & PARSE_HAS_WOMEN)
		json_uint(j, "women", m->women);
	if (m->has & PARSE_HAS_MEN)
		json_uint(j, "men", m->men);
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
	const struct report_msg *m = &d->msg;
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
	struct reg_person *p = regsnap_person(registry_current(pl->reg), d->sender);
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

/* Decide m and render its JSON; false when out of memory. */
static bool process(struct pipeline *pl, struct msg *m)
{
	struct decision d;
	int64_t now = mono_ms();

	memset(&d, 0, sizeof(d));
	d.in = &m->in;
	decide(pl, &d, now);
	render_replies(&d);
	m->ignored = d.no_reply != NULL;
	if (d.v.outcome != VALIDATE_REJECTED && d.parsed && is_report_form(d.msg.form) &&
	    d.v.station != NULL)
		snprintf(m->station_key, sizeof(m->station_key), "%d/%s/%d", d.v.station->id,
			 parse_form_name(d.msg.form), d.v.contest ? d.v.contest->id : 0);
	m->json = message_json(pl, &d, m->dedup);
	return m->json != NULL;
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

/* ==== sending batches and reading their results ==== */

static void batch_cb(const struct db_result *res, void *arg);

/* The JSON array of b's messages, each with its position "i". */
static char *batch_json(const struct batch *b)
{
	size_t len = 3, o = 0;
	char *out;

	for (unsigned i = 0; i < b->n; i++)
		len += strlen(b->msgs[i]->json) + 24;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	out[o++] = '[';
	for (unsigned i = 0; i < b->n; i++)
		o += (size_t)snprintf(out + o, len - o, "%s{\"i\":%u,%s", i ? "," : "", i,
				      b->msgs[i]->json);
	out[o++] = ']';
	out[o] = '\0';
	return out;
}

/* Fail every message of b and free it. */
static void batch_fail(struct pipeline *pl, struct batch *b)
{
	for (unsigned i = 0; i < b->n; i++)
		msg_done(pl, b->msgs[i], PIPELINE_FAILED);
	batch_free(b);
}

static bool batch_send(struct pipeline *pl, struct batch *b)
{
	char election[16];
	const char *params[3] = { election, pl->node, NULL };
	char *json = batch_json(b);
	bool ok;

	if (json == NULL)
		return false;
	snprintf(election, sizeof(election), "%d", registry_election_id(pl->reg));
	params[2] = json;
	b->state = BATCH_IN_FLIGHT;
	b->next = pl->flight;
	pl->flight = b;
	pl->stats.in_flight++;
	ok = db_query(pl->db, ingest_sql, 3, params, batch_cb, b);
	free(json);
	if (!ok)
		flight_remove(pl, b);
	return ok;
}

static void pump(struct pipeline *pl)
{
	struct batch *b;

	if (pl->pumping) {
		pl->pump_again = true;
		return;
	}
	pl->pumping = true;
	do {
		pl->pump_again = false;
		while (pl->stats.in_flight < pl->opt.max_in_flight &&
		       (b = blist_pop(&pl->ready)) != NULL) {
			if (db_get_state(pl->db) != DB_STATE_READY || !batch_send(pl, b))
				batch_fail(pl, b);
		}
	} while (pl->pump_again);
	pl->pumping = false;
}

/* Put batches back at the front of the ready list, in order. */
static void requeue_front(struct pipeline *pl, struct batch *first, struct batch *last)
{
	last->next = pl->ready.head;
	pl->ready.head = first;
	if (pl->ready.tail == NULL)
		pl->ready.tail = last;
	for (struct batch *b = first; b != last->next; b = b->next) {
		b->state = BATCH_READY;
		pl->ready.len++;
	}
}

/* Split b into single-message batches at the front of the ready list. */
static void batch_split(struct pipeline *pl, struct batch *b)
{
	struct batch *first = NULL, *last = NULL;

	for (unsigned i = 0; i < b->n; i++) {
		struct batch *one = batch_new(pl);

		if (one == NULL || !batch_add(one, b->msgs[i])) {
			batch_free(one);
			msg_done(pl, b->msgs[i], PIPELINE_FAILED);
			continue;
		}
		if (last)
			last->next = one;
		else
			first = one;
		last = one;
	}
	batch_free(b);
	if (first)
		requeue_front(pl, first, last);
}

static bool sqlstate_is(const char *st, const char *prefix)
{
	return strncmp(st, prefix, strlen(prefix)) == 0;
}

static void batch_error(struct pipeline *pl, struct batch *b, const struct db_result *res)
{
	const char *st = db_result_sqlstate(res);

	if (sqlstate_is(st, "08") || sqlstate_is(st, "57P") || st[0] == '\0') {
		/* the connection went away: LISTEN and the cache must be redone */
		pl->conn_lost = true;
		batch_fail(pl, b);
		return;
	}
	pl->stats.retries++;
	if ((strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0) &&
	    ++b->attempts < BATCH_RETRIES) {
		requeue_front(pl, b, b);
		return;
	}
	if (b->n > 1) {
		log_warn("a batch of %u messages failed (%s): retrying them one by one",
			 b->n, db_result_error(res));
		batch_split(pl, b);
		return;
	}
	if (b->n == 1 && !b->fallback) {
		char *json = failed_json(b->msgs[0]);

		log_error("could not store a message from %s: %s; recording it as failed",
			  b->msgs[0]->in.source, db_result_error(res));
		if (json != NULL) {
			free(b->msgs[0]->json);
			b->msgs[0]->json = json;
			b->fallback = true;
			requeue_front(pl, b, b);
			return;
		}
	}
	log_error("could not record a message at all: %s", db_result_error(res));
	batch_fail(pl, b);
}

static void count_row(struct pipeline *pl, const struct msg *m, const struct db_result *res,
		      int r, bool fallback)
{
	if (fallback)
		pl->stats.internal_errors++;
	else if (db_result_value(res, r, 2)[0] == 't')
		pl->stats.duplicates++;
	else if (m->ignored)
		pl->stats.ignored++;
	if (!fallback && !db_result_isnull(res, r, 4))
		pl->stats.rejected++;
}

static void batch_ok(struct pipeline *pl, struct batch *b, const struct db_result *res)
{
	pl->stats.batches++;
	pl->stats.batch_messages += b->n;
	if (b->n > pl->stats.batch_largest)
		pl->stats.batch_largest = b->n;
	for (int r = 0; r < db_result_rows(res); r++) {
		unsigned seq = (unsigned)strtoul(db_result_value(res, r, 0), NULL, 10);

		if (seq >= b->n || b->msgs[seq] == NULL)
			continue;
		count_row(pl, b->msgs[seq], res, r, b->fallback);
		msg_done(pl, b->msgs[seq], PIPELINE_COMMITTED);
		b->msgs[seq] = NULL;
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (b->msgs[i] == NULL)
			continue;
		log_error("the store returned no row for a message; it was committed");
		msg_done(pl, b->msgs[i], PIPELINE_COMMITTED);
	}
	batch_free(b);
}

static void batch_cb(const struct db_result *res, void *arg)
{
	struct batch *b = arg;
	struct pipeline *pl = b->pl;

	if (pl == NULL) {
		for (unsigned i = 0; i < b->n; i++)
			msg_free(b->msgs[i]);
		batch_free(b);
		return;
	}
	flight_remove(pl, b);
	if (db_result_ok(res)) {
		if (pl->conn_lost) {
			pl->conn_lost = false;
			registry_on_db_state(pl->reg, DB_STATE_READY);
		}
		batch_ok(pl, b, res);
	} else {
		batch_error(pl, b, res);
	}
	/* the database is free again: send what has gathered meanwhile */
	if (pl->ready.head == NULL)
		close_all(pl);
	pump(pl);
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
		arm(pl->ev_wait, pl->opt.registry_wait_ms);
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

/* The registry is there: decide the messages that waited for it. */
static void registry_loaded(void *arg)
{
	struct pipeline *pl = arg;
	struct waiting *w;

	pl->stats.registry_loads++;
	event_del(pl->ev_wait);
	while ((w = wait_pop(pl)) != NULL) {
		struct msg *m = w->m;

		free(w);
		if (!process(pl, m) || !place(pl, m))
			msg_done(pl, m, PIPELINE_FAILED);
	}
}

/* Messages waited too long for the first registry load: fail them. */
static void wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;
	int64_t now = mono_ms();
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
		arm(pl->ev_wait, pl->opt.registry_wait_ms);
}

/* ==== public ==== */

void pipeline_default_options(struct pipeline_options *opt)
{
	*opt = (struct pipeline_options){
		.batch_max = 500,
		.batch_delay_ms = 2,
		.max_in_flight = 2,
		.rate_max = 10,
		.rate_window_s = 60,
		.mute_s = 3600,
		.registry_wait_ms = 5000,
		.node = NULL,
	};
}

static void delay_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;

	(void)fd;
	(void)what;
	/* while the database is busy, let the batch grow: a completion sends it */
	if (pl->stats.in_flight >= pl->opt.max_in_flight)
		return;
	close_all(pl);
	pump(pl);
}

static void pump_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
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

static bool pipeline_events(struct pipeline *pl)
{
	pl->ev_delay = evtimer_new(pl->base, delay_cb, pl);
	pl->ev_pump = event_new(pl->base, -1, 0, pump_cb, pl);
	pl->ev_sweep = evtimer_new(pl->base, sweep_cb, pl);
	pl->ev_wait = evtimer_new(pl->base, wait_cb, pl);
	if (!pl->ev_delay || !pl->ev_pump || !pl->ev_sweep || !pl->ev_wait)
		return false;
	arm(pl->ev_sweep, SWEEP_MS);
	return true;
}

struct pipeline *pipeline_new(struct event_base *base, struct db *db,
			      const struct config *cfg)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->base = base;
	pl->db = db;
	pipeline_default_options(&pl->opt);
	if (cfg->default_language == NULL || !lang_parse(cfg->default_language, &pl->default_lang))
		pl->default_lang = LANG_EN;
	if (cfg->country_code && (pl->country_code = strdup(cfg->country_code)) == NULL)
		goto fail;
	pl->senders = strmap_new(1024);
	pl->reg = registry_new(base, db, cfg);
	if (pl->senders == NULL || pl->reg == NULL || !load_own_numbers(pl, cfg) ||
	    !pipeline_events(pl))
		goto fail;
	registry_set_loaded_cb(pl->reg, registry_loaded, pl);
	registry_start(pl->reg);
	return pl;
fail:
	pipeline_free(pl);
	return NULL;
}

bool pipeline_set_options(struct pipeline *pl, const struct pipeline_options *opt)
{
	char *node = opt->node ? strdup(opt->node) : NULL;

	if (opt->node && node == NULL)
		return false;
	free(pl->node);
	pl->node = node;
	pl->opt = *opt;
	pl->opt.node = NULL;
	if (pl->opt.batch_max == 0)
		pl->opt.batch_max = 1;
	if (pl->opt.max_in_flight == 0)
		pl->opt.max_in_flight = 1;
	if (pl->opt.rate_max == 0 || pl->opt.rate_max >= RATE_RING)
		pl->opt.rate_max = RATE_RING - 1;
	return true;
}

static bool free_sender(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
	return true;
}

/* Fail what was never sent (at free). */
static void fail_unsent(struct pipeline *pl)
{
	struct waiting *w;
	struct batch *b;

	while ((w = wait_pop(pl)) != NULL) {
		msg_done(pl, w->m, PIPELINE_FAILED);
		free(w);
	}
	while ((b = blist_pop(&pl->ready)) != NULL)
		batch_fail(pl, b);
	while ((b = blist_pop(&pl->open)) != NULL)
		batch_fail(pl, b);
}

void pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	pl->closing = true;
	fail_unsent(pl);
	for (struct batch *b = pl->flight; b; b = b->next)
		b->pl = NULL;
	if (pl->ev_delay)
		event_free(pl->ev_delay);
	if (pl->ev_pump)
		event_free(pl->ev_pump);
	if (pl->ev_sweep)
		event_free(pl->ev_sweep);
	if (pl->ev_wait)
		event_free(pl->ev_wait);
	if (pl->senders) {
		strmap_sweep(pl->senders, free_sender, NULL);
		strmap_free(pl->senders);
	}
	registry_free(pl->reg);
	for (size_t i = 0; pl->own && i < pl->n_own; i++)
		free(pl->own[i]);
	free(pl->own);
	free(pl->country_code);
	free(pl->node);
	free(pl);
}

static struct msg *msg_new(const struct inbound *in, pipeline_done_cb cb, void *arg)
{
	struct msg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cb = cb;
	m->arg = arg;
	m->t_submit = mono_ms();
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
	m = msg_new(in, cb, arg);
	if (m == NULL || strlen(m->dedup) != 64)
		goto fail;
	if (registry_current(pl->reg) == NULL) {
		struct waiting *w = calloc(1, sizeof(*w));

		if (w == NULL)
			goto fail;
		wait_push(pl, m, w);
	} else if (!process(pl, m) || !place(pl, m)) {
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
	close_all(pl);
	pump(pl);
}

void pipeline_on_db_state(struct pipeline *pl, enum db_state state)
{
	registry_on_db_state(pl->reg, state);
	if (state == DB_STATE_READY)
		pl->conn_lost = false;
	if (state == DB_STATE_READY && pl->ready.head)
		event_active(pl->ev_pump, 0, 0);
}

void pipeline_on_notify(struct pipeline *pl, const char *channel, const char *payload)
{
	registry_on_notify(pl->reg, channel, payload);
}

bool pipeline_ready(const struct pipeline *pl)
{
	return registry_current(pl->reg) != NULL;
}

struct registry *pipeline_registry(struct pipeline *pl)
{
	return pl->reg;
}

void pipeline_stats(const struct pipeline *pl, struct pipeline_stats *out)
{
	*out = pl->stats;
}
