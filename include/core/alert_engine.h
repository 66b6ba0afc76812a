/*
 * alert_engine.h - deciding what becomes of an alert: its id, whether it
 * repeats one (dedup), who receives it (alert_route.h), whether each
 * recipient gets it now or it is held back by their rate limit and sent
 * later in a digest, batching serious incidents, escalation.
 *
 * The engine keeps, in memory, what those decisions need: the subjects
 * alerted within the dedup window, each coordinator's alert SMS within
 * the rate window and the alerts held back for them, the open batches of
 * serious incidents, and a pool of alert ids reserved in the database (so
 * a text can carry its alert's id before the alert is stored).  Its owner
 * (src/daemon/alerts.c) loads that state from the database when it starts
 * dispatching (alert_engine_reset() and the load functions) and writes
 * every plan to the database; when a write fails it loads the state again.
 *
 *   dedup       an alert whose subject (alert.h) was alerted less than
 *               dedup_minutes ago is recorded as a duplicate, not sent;
 *   rate limit  a coordinator gets at most rate_max alert SMS in any
 *               rate_minutes; past that an alert is held for them
 *               (critical ones are always sent, and count);
 *   digest      when their window has room again, the alerts held for a
 *               coordinator go out as one digest ("5 more alerts in ...:
 *               3 missing turnout, 2 high turnout. Reply STATUS"), or as
 *               itself when only one is held;
 *   batches     serious incidents of one area within
 *               incident_batch_minutes make one alert, sent when the time
 *               is up (alert_engine_dispatch() of the stored batch).
 *
 * Pure: times are inputs (Unix seconds); no I/O.  Ownership: the engine
 * owns its state; plans are written into the caller's structs.
 */
#ifndef SAWT_ALERT_ENGINE_H
#define SAWT_ALERT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "alert_route.h"
#include "alert_text.h"
#include "config.h"
#include "log.h"
#include "phone.h"

#define ALERT_SENDS_MAX 32   /* recipients of one alert, at most */
#define ALERT_DIGEST_MAX 200 /* alerts one digest covers, at most */

struct alert_engine;

enum alert_plan_kind {
	ALERT_PLAN_OPEN = 0,  /* stored and sent (or held) now */
	ALERT_PLAN_DUPLICATE, /* a repeat of plan.other within the window: stored only */
	ALERT_PLAN_BATCH_NEW, /* a new batch of serious incidents, sent at plan.due */
	ALERT_PLAN_BATCH_ADD, /* added to the batch plan.other (plan.alert updated) */
	ALERT_PLAN_NO_ID,     /* no alert id left: reserve more and try again */
};

/* One recipient and what they get. */
struct alert_send {
	int person;
	char phone[PHONE_E164_BUF];
	enum lang lang;
	enum alert_reason reason;
	bool held; /* rate-limited: sent later, alone or in a digest */
	char body[ALERT_TEXT_MAX];
};

struct alert_plan {
	enum alert_plan_kind kind;
	struct alert alert;           /* as stored: id, area name, figures */
	int64_t other;                /* the alert repeated, or the batch added to */
	int route_area;               /* whose coordinators have it; 0: national or none */
	int64_t due;                  /* BATCH_NEW: when it is sent */
	char message[ALERT_TEXT_MAX]; /* the text in the election's language */
	size_t n_sends;
	struct alert_send sends[ALERT_SENDS_MAX];
};

/* Held alerts going out: one alone, or several as a digest. */
struct alert_release {
	int person;
	enum lang lang;
	bool digest;
	size_t n_alerts;
	int64_t alerts[ALERT_DIGEST_MAX]; /* one, or those the digest covers */
	char body[ALERT_TEXT_MAX];        /* the digest ("" for one alone: its stored text) */
};

/*
 * Create an engine for cfg (copied) writing the stored message of each
 * alert in default_lang.  NULL when out of memory.
 */
struct alert_engine *alert_engine_new(const struct config_alerts *cfg,
				      enum lang default_lang) SAWT_MUST_CHECK;

/* Free; NULL is a no-op. */
void alert_engine_free(struct alert_engine *e);

/* Forget all state (ids reserved included), before loading it again. */
void alert_engine_reset(struct alert_engine *e);

/*
 * Load the state, each false when out of memory: an alert about subject
 * stored at at; an alert SMS sent to person at at; alert id of rule held
 * for person; an open batch (alert id) of area due at due, with count
 * incidents at stations (codes separated by spaces).
 */
bool alert_engine_load_recent(struct alert_engine *e, const char *subject, int64_t id,
			      int64_t at) SAWT_MUST_CHECK;
bool alert_engine_load_sent(struct alert_engine *e, int person, int64_t at) SAWT_MUST_CHECK;
bool alert_engine_load_held(struct alert_engine *e, int person, int64_t id,
			    enum alert_rule rule) SAWT_MUST_CHECK;
bool alert_engine_load_batch(struct alert_engine *e, int area, int64_t id, int64_t due,
			     unsigned count, const char *stations) SAWT_MUST_CHECK;

/* Add a reserved alert id to the pool; the ids in it. */
bool alert_engine_add_id(struct alert_engine *e, int64_t id) SAWT_MUST_CHECK;
size_t alert_engine_ids(const struct alert_engine *e);

/* Forget what has aged out of the dedup and rate windows. */
void alert_engine_sweep(struct alert_engine *e, int64_t now);

/*
 * Decide a newly raised alert a with routes at now into *out (always fully
 * written).  False only when out of memory (the state is then not to be
 * trusted: reload it).
 */
bool alert_engine_raise(struct alert_engine *e, const struct alert_routes *routes,
			const struct alert *a, int64_t now, struct alert_plan *out) SAWT_MUST_CHECK;

/*
 * Send a stored alert a (a->id set) that was not sent yet: one stored by
 * another part of sawt, or a batch whose time is up.  out->kind is
 * ALERT_PLAN_OPEN.
 */
bool alert_engine_dispatch(struct alert_engine *e, const struct alert_routes *routes,
			   const struct alert *a, int64_t now,
			   struct alert_plan *out) SAWT_MUST_CHECK;

/*
 * Escalate alert a, which route_area's coordinators (had[0..n_had) in
 * all) have not acknowledged for minutes: out->sends are the recipients
 * of the escalation text (never held), out->route_area the area above
 * (0: the national coordinators, and no further escalation).
 */
bool alert_engine_escalate(struct alert_engine *e, const struct alert_routes *routes,
			   const struct alert *a, int route_area, const int *had, size_t n_had,
			   unsigned minutes, int64_t now, struct alert_plan *out) SAWT_MUST_CHECK;

/*
 * The held alerts that may go out at now, into out (cap entries): for each
 * coordinator whose window has room, the one held alert, or a digest of
 * them.  Returns how many.
 */
size_t alert_engine_release(struct alert_engine *e, const struct alert_routes *routes, int64_t now,
			    struct alert_release *out, size_t cap);

/* Alert id was resolved (or dropped): forget it wherever it is held. */
void alert_engine_resolved(struct alert_engine *e, int64_t id);

/*
 * True when an alert about subject was raised less than dedup_minutes
 * before now (the rules a tick evaluates again and again, on modems and
 * backlogs, raise nothing then, rather than a duplicate a tick).
 */
bool alert_engine_recent(const struct alert_engine *e, const char *subject, int64_t now);

/*
 * Observe whether key (a modem, the spool) is in trouble at now.  Returns
 * since when it has been, without a break; 0 when it is not.  (Kept
 * across alert_engine_reset(): it is what this sawtd saw.)
 */
int64_t alert_engine_watch(struct alert_engine *e, const char *key, bool trouble, int64_t now);

/* Counters for logs and metrics. */
struct alert_engine_stats {
	size_t recent;  /* subjects in the dedup window */
	size_t held;    /* alerts held for coordinators */
	size_t batches; /* open batches */
	size_t ids;     /* reserved ids */
};
void alert_engine_stats(const struct alert_engine *e, struct alert_engine_stats *out);

#endif
