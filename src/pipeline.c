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
	(void)parse_message(d->in->text, d->in->text_len, pl->default_lang, &d->msg);
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
	if (d->v.reply == REPLY_BAD_CONTEST && (m->has & PARSE_HAS_CONTEST)) {
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
