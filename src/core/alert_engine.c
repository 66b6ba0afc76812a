/*
 * alert_engine.c - dedup, routing, rate limit, digests, batches; see
 * alert_engine.h.
 *
 * State: a map of the subjects alerted within the dedup window; one entry
 * per coordinator heard from (the times of their alert SMS within the
 * rate window, the alerts held for them); the open batches (by area); the
 * pool of reserved ids.  Coordinators and batches are few (hundreds), so
 * they are plain arrays searched in order.
 */
#include "alert_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strmap.h"

struct recent {
	char subject[ALERT_SUBJECT_MAX];
	int64_t id;
	int64_t at;
};

struct held {
	int64_t id;
	enum alert_rule rule;
};

struct coord {
	int person;
	int64_t *sent; /* times of alert SMS within the window, oldest first */
	size_t n_sent, cap_sent;
	struct held *held;
	size_t n_held, cap_held;
};

struct batch {
	int area;
	int64_t id;
	int64_t due;
	unsigned count;
	char stations[ALERT_STATIONS_MAX];
};

struct watch {
	char key[ALERT_SUBJECT_MAX];
	int64_t since;
};

struct alert_engine {
	struct config_alerts cfg;
	struct watch *watches;
	size_t n_watches, cap_watches;
	enum lang lang;
	struct strmap *recent;
	struct coord *coords;
	size_t n_coords, cap_coords;
	struct batch *batches;
	size_t n_batches, cap_batches;
	int64_t *ids;
	size_t n_ids, cap_ids;
};

/* ==== state ==== */

static bool free_recent(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
	return true;
}

static void clear(struct alert_engine *e)
{
	if (e->recent)
		strmap_sweep(e->recent, free_recent, NULL);
	for (size_t i = 0; i < e->n_coords; i++) {
		free(e->coords[i].sent);
		free(e->coords[i].held);
	}
	e->n_coords = 0;
	e->n_batches = 0;
	e->n_ids = 0;
}

struct alert_engine *alert_engine_new(const struct config_alerts *cfg, enum lang default_lang)
{
	struct alert_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->lang = default_lang;
	e->recent = strmap_new(64);
	if (e->recent == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void alert_engine_free(struct alert_engine *e)
{
	if (e == NULL)
		return;
	clear(e);
	strmap_free(e->recent);
	free(e->coords);
	free(e->batches);
	free(e->ids);
	free(e->watches);
	free(e);
}

int64_t alert_engine_watch(struct alert_engine *e, const char *key, bool trouble, int64_t now)
{
	for (size_t i = 0; i < e->n_watches; i++) {
		if (strcmp(e->watches[i].key, key) != 0)
			continue;
		if (trouble)
			return e->watches[i].since;
		e->watches[i] = e->watches[--e->n_watches];
		return 0;
	}
	if (!trouble ||
	    !array_grow(&e->watches, &e->cap_watches, e->n_watches + 1, sizeof(*e->watches)))
		return 0;
	snprintf(e->watches[e->n_watches].key, sizeof(e->watches[0].key), "%s", key);
	e->watches[e->n_watches].since = now;
	return e->watches[e->n_watches++].since;
}

void alert_engine_reset(struct alert_engine *e)
{
	clear(e);
}

static int64_t dedup_s(const struct alert_engine *e)
{
	return (int64_t)e->cfg.dedup_min * 60;
}

static int64_t rate_s(const struct alert_engine *e)
{
	return (int64_t)e->cfg.rate_min * 60;
}

static bool remember(struct alert_engine *e, const char *subject, int64_t id, int64_t at)
{
	struct recent *r = strmap_get(e->recent, subject);

	if (subject[0] == '\0' || e->cfg.dedup_min == 0)
		return true;
	if (r != NULL) {
		if (at >= r->at) {
			r->id = id;
			r->at = at;
		}
		return true;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return false;
	snprintf(r->subject, sizeof(r->subject), "%s", subject);
	r->id = id;
	r->at = at;
	if (!strmap_put(e->recent, r->subject, r)) {
		free(r);
		return false;
	}
	return true;
}

bool alert_engine_load_recent(struct alert_engine *e, const char *subject, int64_t id, int64_t at)
{
	return remember(e, subject, id, at);
}

static struct coord *coord_get(struct alert_engine *e, int person, bool create)
{
	for (size_t i = 0; i < e->n_coords; i++)
		if (e->coords[i].person == person)
			return &e->coords[i];
	if (!create || !array_grow(&e->coords, &e->cap_coords, e->n_coords + 1, sizeof(*e->coords)))
		return NULL;
	memset(&e->coords[e->n_coords], 0, sizeof(*e->coords));
	e->coords[e->n_coords].person = person;
	return &e->coords[e->n_coords++];
}

static bool add_sent(struct coord *c, int64_t at)
{
	size_t i;

	if (!array_grow(&c->sent, &c->cap_sent, c->n_sent + 1, sizeof(*c->sent)))
		return false;
	for (i = c->n_sent; i > 0 && c->sent[i - 1] > at; i--)
		c->sent[i] = c->sent[i - 1];
	c->sent[i] = at;
	c->n_sent++;
	return true;
}

bool alert_engine_load_sent(struct alert_engine *e, int person, int64_t at)
{
	struct coord *c = coord_get(e, person, true);

	return c != NULL && add_sent(c, at);
}

static bool add_held(struct coord *c, int64_t id, enum alert_rule rule)
{
	if (!array_grow(&c->held, &c->cap_held, c->n_held + 1, sizeof(*c->held)))
		return false;
	c->held[c->n_held++] = (struct held){ id, rule };
	return true;
}

bool alert_engine_load_held(struct alert_engine *e, int person, int64_t id, enum alert_rule rule)
{
	struct coord *c = coord_get(e, person, true);

	return c != NULL && add_held(c, id, rule);
}

static struct batch *batch_of(struct alert_engine *e, int area)
{
	for (size_t i = 0; i < e->n_batches; i++)
		if (e->batches[i].area == area)
			return &e->batches[i];
	return NULL;
}

bool alert_engine_load_batch(struct alert_engine *e, int area, int64_t id, int64_t due,
			     unsigned count, const char *stations)
{
	struct batch *b;

	if (!array_grow(&e->batches, &e->cap_batches, e->n_batches + 1, sizeof(*e->batches)))
		return false;
	b = &e->batches[e->n_batches++];
	*b = (struct batch){ .area = area, .id = id, .due = due, .count = count };
	snprintf(b->stations, sizeof(b->stations), "%s", stations ? stations : "");
	return true;
}

static void batch_drop(struct alert_engine *e, int64_t id)
{
	for (size_t i = 0; i < e->n_batches; i++) {
		if (e->batches[i].id != id)
			continue;
		e->batches[i] = e->batches[--e->n_batches];
		return;
	}
}

bool alert_engine_add_id(struct alert_engine *e, int64_t id)
{
	if (!array_grow(&e->ids, &e->cap_ids, e->n_ids + 1, sizeof(*e->ids)))
		return false;
	e->ids[e->n_ids++] = id;
	return true;
}

size_t alert_engine_ids(const struct alert_engine *e)
{
	return e->n_ids;
}

/* The smallest reserved id (ids go out in order); 0 when none is left. */
static int64_t take_id(struct alert_engine *e)
{
	size_t best = 0;
	int64_t id;

	if (e->n_ids == 0)
		return 0;
	for (size_t i = 1; i < e->n_ids; i++)
		if (e->ids[i] < e->ids[best])
			best = i;
	id = e->ids[best];
	e->ids[best] = e->ids[--e->n_ids];
	return id;
}

struct sweep_arg {
	int64_t before;
	int64_t id; /* or this alert (> 0) */
};

static bool aged(const char *key, void *value, void *arg)
{
	const struct recent *r = value;
	const struct sweep_arg *s = arg;

	(void)key;
	if (s->id > 0 ? r->id != s->id : r->at > s->before)
		return false;
	free(value);
	return true;
}

void alert_engine_sweep(struct alert_engine *e, int64_t now)
{
	struct sweep_arg s = { now - dedup_s(e), 0 };
	int64_t from = now - rate_s(e);

	strmap_sweep(e->recent, aged, &s);
	for (size_t i = 0; i < e->n_coords; i++) {
		struct coord *c = &e->coords[i];
		size_t k = 0;

		while (k < c->n_sent && c->sent[k] <= from)
			k++;
		if (k == 0)
			continue;
		memmove(c->sent, c->sent + k, (c->n_sent - k) * sizeof(*c->sent));
		c->n_sent -= k;
	}
}

void alert_engine_resolved(struct alert_engine *e, int64_t id)
{
	struct sweep_arg s = { 0, id };

	strmap_sweep(e->recent, aged, &s);
	for (size_t i = 0; i < e->n_coords; i++) {
		struct coord *c = &e->coords[i];
		size_t o = 0;

		for (size_t k = 0; k < c->n_held; k++)
			if (c->held[k].id != id)
				c->held[o++] = c->held[k];
		c->n_held = o;
	}
	batch_drop(e, id);
}

void alert_engine_stats(const struct alert_engine *e, struct alert_engine_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->recent = strmap_len(e->recent);
	for (size_t i = 0; i < e->n_coords; i++)
		out->held += e->coords[i].n_held;
	out->batches = e->n_batches;
	out->ids = e->n_ids;
}

/* ==== decisions ==== */

/* Alert SMS sent to c within the window ending at now. */
static size_t sent_within(const struct alert_engine *e, const struct coord *c, int64_t now)
{
	int64_t from = now - rate_s(e);
	size_t n = 0;

	for (size_t i = 0; i < c->n_sent; i++)
		if (c->sent[i] > from && c->sent[i] <= now)
			n++;
	return n;
}

static bool room(const struct alert_engine *e, const struct coord *c, int64_t now)
{
	return e->cfg.rate_max == 0 || sent_within(e, c, now) < e->cfg.rate_max;
}

static void plan_init(struct alert_plan *p, const struct alert *a, enum alert_plan_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->alert = *a;
}

/* The stored message: the text in the election's language. */
static void message(const struct alert_engine *e, struct alert_plan *p)
{
	if (alert_text_render(&p->alert, e->lang, p->message, sizeof(p->message)) < 0)
		snprintf(p->message, sizeof(p->message), "%s", alert_rule_name(p->alert.rule));
}

static void send_to(struct alert_send *s, const struct alert_to *t)
{
	s->person = t->person;
	snprintf(s->phone, sizeof(s->phone), "%s", t->phone);
	s->lang = t->lang;
	s->reason = t->reason;
}

/* Route p->alert, hold what the rate limit holds, render every text. */
static bool route(struct alert_engine *e, const struct alert_routes *routes, struct alert_plan *p,
		  int64_t now)
{
	struct alert_to to[ALERT_SENDS_MAX];
	struct alert *a = &p->alert;
	size_t n;

	n = alert_routes_find(routes, a->area_id, a->severity,
			      (enum alert_severity)e->cfg.national_severity, to, ALERT_SENDS_MAX,
			      &p->route_area);
	for (size_t i = 0; i < n; i++) {
		struct alert_send *s = &p->sends[p->n_sends++];
		struct coord *c = coord_get(e, to[i].person, true);

		if (c == NULL)
			return false;
		send_to(s, &to[i]);
		s->held = a->severity < ALERT_SEV_CRITICAL && !room(e, c, now);
		if (s->held ? !add_held(c, a->id, a->rule) : !add_sent(c, now))
			return false;
		if (alert_text_render(a, s->lang, s->body, sizeof(s->body)) < 0)
			snprintf(s->body, sizeof(s->body), "%s %lld", alert_rule_name(a->rule),
				 (long long)a->id);
	}
	message(e, p);
	return remember(e, a->subject, a->id, now);
}

static void fill_area(const struct alert_routes *routes, struct alert *a)
{
	const char *name = alert_routes_area_name(routes, a->area_id);

	snprintf(a->area_name, sizeof(a->area_name), "%s", name ? name : "");
}

/* Add a's station to the batch's list, once, while it fits. */
static void batch_station(struct batch *b, const char *station)
{
	size_t len = strlen(b->stations), add = strlen(station);
	const char *p = b->stations;

	if (station[0] == '\0')
		return;
	while ((p = strstr(p, station)) != NULL) {
		if ((p == b->stations || p[-1] == ' ') && (p[add] == ' ' || p[add] == '\0'))
			return;
		p += add;
	}
	if (len + add + 2 > sizeof(b->stations))
		return;
	snprintf(b->stations + len, sizeof(b->stations) - len, "%s%s", len ? " " : "", station);
}

static bool batch(struct alert_engine *e, const struct alert_routes *routes, const struct alert *a,
		  int64_t now, struct alert_plan *out)
{
	struct batch *b = batch_of(e, a->area_id);
	int64_t id;

	if (b != NULL) {
		plan_init(out, a, ALERT_PLAN_BATCH_ADD);
		out->other = b->id;
		b->count++;
		batch_station(b, a->station);
		out->alert.id = b->id;
		out->alert.f.count = b->count;
		snprintf(out->alert.f.stations, sizeof(out->alert.f.stations), "%s", b->stations);
		out->due = b->due;
		message(e, out);
		return true;
	}
	if ((id = take_id(e)) == 0) {
		plan_init(out, a, ALERT_PLAN_NO_ID);
		return true;
	}
	plan_init(out, a, ALERT_PLAN_BATCH_NEW);
	out->alert.id = id;
	out->due = now + (int64_t)e->cfg.incident_batch_min * 60;
	fill_area(routes, &out->alert);
	message(e, out);
	return alert_engine_load_batch(e, a->area_id, id, out->due, 1, a->station);
}

bool alert_engine_recent(const struct alert_engine *e, const char *subject, int64_t now)
{
	const struct recent *r = strmap_get(e->recent, subject);

	return r != NULL && e->cfg.dedup_min > 0 && now - r->at < dedup_s(e);
}

bool alert_engine_raise(struct alert_engine *e, const struct alert_routes *routes,
			const struct alert *a, int64_t now, struct alert_plan *out)
{
	const struct recent *r = strmap_get(e->recent, a->subject);
	int64_t id;

	if (a->rule == ALERT_SERIOUS_INCIDENTS && e->cfg.incident_batch_min > 0)
		return batch(e, routes, a, now, out);
	if ((id = take_id(e)) == 0) {
		plan_init(out, a, ALERT_PLAN_NO_ID);
		return true;
	}
	if (r != NULL && alert_engine_recent(e, a->subject, now)) {
		plan_init(out, a, ALERT_PLAN_DUPLICATE);
		out->alert.id = id;
		out->other = r->id;
		fill_area(routes, &out->alert);
		message(e, out);
		return true;
	}
	plan_init(out, a, ALERT_PLAN_OPEN);
	out->alert.id = id;
	fill_area(routes, &out->alert);
	return route(e, routes, out, now);
}

bool alert_engine_dispatch(struct alert_engine *e, const struct alert_routes *routes,
			   const struct alert *a, int64_t now, struct alert_plan *out)
{
	plan_init(out, a, ALERT_PLAN_OPEN);
	batch_drop(e, a->id);
	fill_area(routes, &out->alert);
	return route(e, routes, out, now);
}

bool alert_engine_escalate(struct alert_engine *e, const struct alert_routes *routes,
			   const struct alert *a, int route_area, const int *had, size_t n_had,
			   unsigned minutes, int64_t now, struct alert_plan *out)
{
	struct alert_to to[ALERT_SENDS_MAX];
	size_t n;

	plan_init(out, a, ALERT_PLAN_OPEN);
	fill_area(routes, &out->alert);
	n = alert_routes_escalate(routes, route_area, had, n_had, to, ALERT_SENDS_MAX,
				  &out->route_area);
	for (size_t i = 0; i < n; i++) {
		struct alert_send *s = &out->sends[out->n_sends++];
		struct coord *c = coord_get(e, to[i].person, true);

		if (c == NULL || !add_sent(c, now))
			return false;
		send_to(s, &to[i]);
		if (alert_text_escalation(&out->alert, minutes, s->lang, s->body, sizeof(s->body)) <
		    0)
			snprintf(s->body, sizeof(s->body), "%s %lld", alert_rule_name(a->rule),
				 (long long)a->id);
	}
	message(e, out);
	return true;
}

size_t alert_engine_release(struct alert_engine *e, const struct alert_routes *routes, int64_t now,
			    struct alert_release *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < e->n_coords && n < cap; i++) {
		struct coord *c = &e->coords[i];
		struct alert_release *r = &out[n];
		unsigned counts[ALERT_RULE_COUNT] = { 0 };
		const char *area = NULL;
		struct alert_to to;
		size_t take;

		if (c->n_held == 0 || !room(e, c, now) || !add_sent(c, now))
			continue;
		memset(r, 0, sizeof(*r));
		r->person = c->person;
		r->lang = e->lang;
		if (alert_routes_coordinator(routes, c->person, &to, &area))
			r->lang = to.lang;
		take = c->n_held < ALERT_DIGEST_MAX ? c->n_held : ALERT_DIGEST_MAX;
		for (size_t k = 0; k < take; k++) {
			r->alerts[k] = c->held[k].id;
			counts[c->held[k].rule < ALERT_RULE_COUNT ? c->held[k].rule
								  : ALERT_OTHER]++;
		}
		r->n_alerts = take;
		r->digest = take > 1;
		if (r->digest && alert_text_digest((unsigned)take, counts, area, r->lang, r->body,
						   sizeof(r->body)) < 0)
			snprintf(r->body, sizeof(r->body), "%zu alerts", take);
		memmove(c->held, c->held + take, (c->n_held - take) * sizeof(*c->held));
		c->n_held -= take;
		n++;
	}
	return n;
}
