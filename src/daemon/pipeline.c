/*
 * pipeline.c - the processing pipeline of sawtd; see pipeline.h.
 *
 * A message is decided as soon as it is submitted, in memory, by the
 * core's decide_message() (sender checks, parse, validation against the
 * registry snapshot, replies, tally, alert) and written as one JSON record
 * (a sawt.ingest_msg, decide_json.h) handed to the group commit
 * (ingest.c), which reports back once it has committed.  This file is the
 * glue: timers, the wait for the registry, the sender state read back at
 * start, and the callbacks.
 */
#include "pipeline.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "decide.h"
#include "decide_json.h"
#include "ingest.h"
#include "parse.h"
#include "phone.h"
#include "registry.h"
#include "reply.h"
#include "sender.h"
#include "util.h"

#define SWEEP_MS 60000

struct msg {
	struct pipeline *pl;
	pipeline_done_cb cb;
	pipeline_redo_cb redo_cb; /* instead of cb for a reprocessed message */
	void *arg;
	int64_t redo;     /* the inbound row reprocessed; 0: a new message */
	int64_t t_submit; /* monotonic ms */
	char dedup[INBOUND_DEDUP_HEX];
	int station_id;                       /* 0: none */
	char tally_key[DECIDE_TALLY_KEY_MAX]; /* "" unless an accepted report */
	bool ignored;
	uint8_t state;     /* enum decide_state */
	uint8_t no_reply;  /* enum decide_no_reply */
	uint8_t form;      /* enum parse_form of a report; PARSE_FORM_NONE */
	struct inbound in; /* the record (for its fallback record) */
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
	struct ingest_stats ingest_past; /* of the ingests replaced */
	struct pipeline_options opt;
	char *conninfo; /* for the extra connections */
	char *country_code;
	char **own; /* sawt's own numbers, E.164 */
	size_t n_own;
	struct decide_settings set; /* over the above and opt */
	struct sender_table *senders;
	enum pipeline_restore restore;
	struct waiting *wait_head, *wait_tail;
	struct event *ev_sweep;  /* forgets idle senders */
	struct event *ev_wait;   /* fails messages the registry kept waiting */
	struct control *control; /* the operator's requests */
	bool closing;
	struct pipeline_stats stats;
	pipeline_stored_fn stored;
	void *stored_arg;
};

/* ==== messages ==== */

static void msg_free(struct msg *m)
{
	free(m);
}

/* m is done: res (NULL: failed).  A reprocessed message's callback hears
 * what became of it. */
static void msg_done_res(struct pipeline *pl, struct msg *m, const struct ingest_result *res)
{
	bool stored = res != NULL && res->stored;
	enum pipeline_redo_outcome redo = PIPELINE_REDONE;

	pl->stats.pending--;
	if (!stored)
		pl->stats.failed++;
	else
		pl->stats.committed++;
	if (m->redo_cb == NULL) {
		m->cb(m->arg, stored ? PIPELINE_COMMITTED : PIPELINE_FAILED);
	} else {
		if (!stored)
			redo = PIPELINE_REDO_FAILED;
		else if (res->recorded_failed)
			redo = PIPELINE_REDO_ERROR;
		else if (res->duplicate)
			redo = PIPELINE_REDO_NOT_DUE;
		m->redo_cb(m->arg, redo);
	}
	msg_free(m);
}

static void msg_done(struct pipeline *pl, struct msg *m, enum pipeline_outcome outcome)
{
	struct ingest_result res = { .stored = outcome == PIPELINE_COMMITTED };

	msg_done_res(pl, m, &res);
}

/* ==== deciding a message ==== */

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;
	int64_t now = util_mono_ms();

	(void)fd;
	(void)what;
	sender_table_sweep(pl->senders, now);
	db_timer_arm(pl->ev_sweep, SWEEP_MS);
}

/* What a decision has for the log. */
static void log_decision(const struct msg *m, const struct decide_result *d)
{
	if (d->parsed && d->msg.error != PARSE_OK)
		log_debug("message from %s does not parse: %s", m->in.source,
			  parse_error_code(d->msg.error));
	if (d->render_failed)
		log_error("could not render reply \"%s\" in %s", reply_kind_code(d->failed_kind),
			  lang_code(d->lang));
}

/* d's record in a new string: the members after its '{'. */
static char *record_json(const struct decide_result *d, const char *dedup)
{
	static char buf[DECIDE_JSON_MAX];

	if (!decide_json(d, dedup, buf, sizeof(buf))) {
		log_error("a message does not fit the %d-byte record", DECIDE_JSON_MAX);
		return NULL;
	}
	return strdup(buf + 1);
}

/* Decide m; its JSON record, or NULL when out of memory. */
static char *process(struct pipeline *pl, struct msg *m)
{
	struct decide_result d;
	struct decide_context c = {
		.snap = registry_current(pl->reg),
		.clock = registry_clock(pl->reg),
		.senders = pl->senders,
		.mono_ms = util_mono_ms(),
		.wall_ms = util_wall_ms(),
		.redo = m->redo,
	};

	decide_message(&pl->set, &c, &m->in, &d);
	log_decision(m, &d);
	m->ignored = d.no_reply != DECIDE_REPLY && m->redo == 0;
	m->state = (uint8_t)d.state;
	m->no_reply = (uint8_t)d.no_reply;
	m->form = (uint8_t)(decide_is_report(&d) ? d.msg.form : PARSE_FORM_NONE);
	m->station_id = d.station_id;
	memcpy(m->tally_key, d.tally_key, sizeof(m->tally_key));
	return record_json(&d, m->dedup);
}

/* A message that failed alone: recorded as failed, nothing else. */
static char *failed_json(const struct msg *m)
{
	struct decide_result d;

	decide_failed(&m->in, util_wall_ms(), &d);
	return record_json(&d, m->dedup);
}

/* ==== handing over to the group commit ==== */

/* Tell the stored callback what became of m (see pipeline.h). */
static void report_stored(struct pipeline *pl, const struct msg *m, const struct ingest_result *res)
{
	struct pipeline_stored s = {
		.transport = m->in.transport,
		.reprocessed = m->redo != 0,
		.outcome = "answered",
		.code = "",
		.form = "",
	};
	const char *why;

	if (pl->stored == NULL || !res->stored)
		return;
	if (res->recorded_failed) {
		s.outcome = "failed";
		s.code = "internal_error";
	} else if (res->duplicate) {
		s.outcome = "duplicate";
	} else if (res->outcome[0] != '\0') {
		s.outcome = res->outcome;
		s.code = res->error_code;
		if (m->form != PARSE_FORM_NONE)
			s.form = parse_form_name((enum parse_form)m->form);
	} else if (res->error_code[0] != '\0') {
		s.outcome = "rejected";
		s.code = res->error_code;
	} else if (m->state == DECIDE_IGNORED) {
		why = decide_no_reply_code((enum decide_no_reply)m->no_reply);
		s.outcome = "ignored";
		s.code = why ? why : "";
	} else if (m->state == DECIDE_RECEIVED) {
		s.outcome = "command";
	}
	pl->stored(pl->stored_arg, &s);
}

static void ingest_done(void *arg, const struct ingest_result *res)
{
	struct msg *m = arg;
	struct pipeline *pl = m->pl;

	report_stored(pl, m, res);
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
	msg_done_res(pl, m, res);
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
	if (!ingest_add(pl->ingest, json, m->dedup, m->station_id, m->tally_key, ingest_done, m)) {
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
 * What the messages processed in the last hour say about rate limits,
 * PINs and strangers: rate-limited messages, PIN errors, unknown_sender
 * replies that went out, and messages that may have carried a right PIN
 * (parsed again below), in the order they were decided; and the
 * operator's unmutes (sawt unmute) among them (the control module then
 * looks only at later ones).  processed_at, not
 * received_at: the live rules count when a message is decided, and a
 * spooled message is decided late (a reprocessed message keeps the time it
 * was first decided).
 */
static const char restore_sql[] =
	"SELECT sender, (extract(epoch FROM clock_timestamp() - t) * 1000)::bigint, what, text, o * id"
	" FROM (SELECT sender, processed_at AS t, 0 AS o, id,"
	"  CASE WHEN no_reply_reason = 'rate_limited' THEN 'rate_limited'"
	"  WHEN error_code = 'unknown_sender' THEN 'unknown_replied'"
	"  ELSE coalesce(error_code, '') END AS what, text"
	"  FROM sawt.inbound_messages"
	"  WHERE processed_at > now() - make_interval(secs => $1::int)"
	"  AND (no_reply_reason = 'rate_limited' OR error_code IN ('bad_pin', 'pin_locked')"
	"  OR (error_code = 'unknown_sender' AND no_reply_reason IS NULL)"
	"  OR (state = 'processed' AND strpos(text, '#') > 0"
	"  AND coalesce(error_code, '') NOT IN ('pin_required', 'unknown_sender')))"
	" UNION ALL SELECT sender, created_at, 1, id, 'unmuted', ''"
	"  FROM sawt.operator_requests"
	"  WHERE kind = 'unmute' AND created_at > now() - make_interval(secs => $1::int)) e"
	" ORDER BY t, o, id";

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
	else if (strcmp(what, "unknown_replied") == 0)
		*ev = SENDER_EV_UNKNOWN_REPLIED;
	else if (strcmp(what, "unmuted") == 0)
		*ev = SENDER_EV_UNMUTED;
	else if (parse_message(text, strlen(text), pl->set.default_lang, &m) &&
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
		if (!lost)
			control_start(pl->control);
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
			sender_replay(s, &pl->set.rules, ev, at);
		if (ev == SENDER_EV_UNMUTED)
			control_unmutes_seen(pl->control,
					     strtoll(db_result_value(res, i, 4), NULL, 10));
	}
	log_info("read back rate limits and PIN locks: %d messages, %zu senders", rows,
		 sender_table_len(pl->senders) - before);
	pl->restore = RESTORE_DONE;
	/* the operator's requests from here on */
	control_start(pl->control);
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
	if (SENDER_UNKNOWN_WINDOW_MS / 1000 > span)
		span = SENDER_UNKNOWN_WINDOW_MS / 1000;
	snprintf(secs, sizeof(secs), "%u", span + 60);
	pl->restore = RESTORE_RUNNING;
	if (!db_query(pl->db, restore_sql, 1, p, restore_cb, pl)) {
		log_warn("could not read back rate limits and PIN locks: out of memory");
		pl->restore = RESTORE_DONE;
		control_start(pl->control);
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
		log_warn("the registry is not loaded yet: %zu message(s) failed after %u ms", n,
			 pl->opt.registry_wait_ms);
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
	pl->set.own = (const char *const *)pl->own;
	pl->set.n_own = pl->n_own;
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
		if (!db_stats_add(&pl->ingest_past.db, &is.db))
			log_error("write connections: query latencies with other bounds");
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
	pl->set.rules.rate_max = pl->opt.rate_max;
	pl->set.rules.rate_window_s = pl->opt.rate_window_s;
	pl->set.rules.mute_s = pl->opt.mute_s;
}

struct pipeline *pipeline_new(struct event_base *base, struct db *db, const struct config *cfg)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->base = base;
	pl->db = db;
	pipeline_options_init(&pl->opt);
	take_rules(pl);
	pl->set.default_lang = cfg->default_language;
	pl->set.unknown_reply = cfg->unknown_sender_reply;
	pl->set.ussd_sms_reply = cfg->ussd_sms_reply;
	if (cfg->country_code && (pl->country_code = strdup(cfg->country_code)) == NULL)
		goto fail;
	pl->set.country_code = pl->country_code;
	pl->conninfo = db_conninfo(cfg);
	pl->senders = sender_table_new();
	pl->reg = registry_new(base, db, cfg);
	pl->ev_sweep = evtimer_new(base, sweep_cb, pl);
	pl->ev_wait = evtimer_new(base, wait_cb, pl);
	pl->control = control_new(db, pl);
	if (pl->control == NULL || pl->conninfo == NULL || pl->senders == NULL || pl->reg == NULL ||
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
	control_stop(pl->control);
	while ((w = wait_pop(pl)) != NULL) {
		msg_done(pl, w->m, PIPELINE_FAILED);
		free(w);
	}
	ingest_free(pl->ingest);
	if (pl->ev_sweep)
		event_free(pl->ev_sweep);
	if (pl->ev_wait)
		event_free(pl->ev_wait);
	control_free(pl->control);
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

static struct msg *msg_new(struct pipeline *pl, const struct inbound *in, pipeline_done_cb cb,
			   void *arg)
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

/* Take m (decide it, or let it wait for the registry); false when it
 * cannot be taken now (m is freed). */
static bool take(struct pipeline *pl, struct msg *m)
{
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
	pl->stats.pending++;
	return true;
fail:
	msg_free(m);
	return false;
}

/* False when no message can be taken now. */
static bool can_take(const struct pipeline *pl, const struct inbound *in)
{
	if (pl->closing || db_get_state(pl->db) != DB_STATE_READY)
		return false;
	if (!inbound_valid(in)) {
		log_warn("refusing a malformed inbound record from \"%s\"", in->source);
		return false;
	}
	return true;
}

bool pipeline_submit(struct pipeline *pl, const struct inbound *in, pipeline_done_cb cb, void *arg)
{
	if (!can_take(pl, in) || !take(pl, msg_new(pl, in, cb, arg)))
		return false;
	pl->stats.received++;
	return true;
}

bool pipeline_reprocess(struct pipeline *pl, const struct inbound *in, int64_t inbound_id,
			pipeline_redo_cb cb, void *arg)
{
	struct msg *m;

	if (inbound_id <= 0 || !can_take(pl, in))
		return false;
	m = msg_new(pl, in, NULL, arg);
	if (m != NULL) {
		m->redo = inbound_id;
		m->redo_cb = cb;
	}
	return take(pl, m);
}

void pipeline_unmute(struct pipeline *pl, const char *sender, int64_t ago_ms)
{
	struct sender *s = sender_table_find(pl->senders, sender);

	if (s != NULL)
		sender_unmute(s, &pl->set.rules, util_mono_ms() - ago_ms);
}

const char *pipeline_node(const struct pipeline *pl)
{
	return pl->opt.node ? pl->opt.node : "";
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
	control_on_db_state(pl->control, state);
}

void pipeline_on_notify(struct pipeline *pl, const char *channel, const char *payload)
{
	registry_on_notify(pl->reg, channel, payload);
	control_on_notify(pl->control, channel, payload);
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
				     ? is.batch_largest
				     : pl->ingest_past.batch_largest;
	out->retries = pl->ingest_past.retries + is.retries;
	out->in_flight = is.in_flight;
	out->lanes_ready = is.lanes_ready;
	out->lanes = is.lanes;
	out->write_db = pl->ingest_past.db;
	if (!db_stats_add(&out->write_db, &is.db))
		log_error("write connections: query latencies with other bounds");
}

void pipeline_set_stored_cb(struct pipeline *pl, pipeline_stored_fn fn, void *arg)
{
	pl->stored = fn;
	pl->stored_arg = arg;
}
