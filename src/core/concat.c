/*
 * concat.c - putting concatenated SMS back together; see concat.h.
 *
 * Groups live in one array of max_groups entries, removed by moving the
 * last into the hole (a few dozen at most: a SIM holds little).
 */
#include "concat.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

struct part {
	bool have;
	bool stored;
	struct concat_loc loc;
	int64_t smsc_time;
	uint16_t *units;
	size_t n_units;
};

struct group {
	char sender[CONCAT_SENDER_MAX];
	int ref;
	int total;
	int have;
	int64_t first_ms;
	struct part *parts;       /* total entries */
	struct concat_loc *extra; /* locations of duplicate parts */
	size_t n_extra;
};

struct concat {
	struct concat_options o;
	concat_ready_fn ready;
	void *arg;
	struct group *groups; /* o.max_groups entries */
	size_t n_groups;
	uint16_t *units; /* o.max_units: the text handed over */
};

struct concat *concat_new(const struct concat_options *opt, concat_ready_fn ready, void *arg)
{
	struct concat *c;

	assert(opt->max_groups >= 1 && opt->max_units >= 1 && ready != NULL);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->o = *opt;
	c->ready = ready;
	c->arg = arg;
	c->groups = calloc(opt->max_groups, sizeof(*c->groups));
	c->units = malloc(opt->max_units * sizeof(*c->units));
	if (c->groups == NULL || c->units == NULL) {
		concat_free(c);
		return NULL;
	}
	return c;
}

static void group_free(struct group *g)
{
	for (int i = 0; g->parts != NULL && i < g->total; i++)
		free(g->parts[i].units);
	free(g->parts);
	free(g->extra);
}

void concat_free(struct concat *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_groups; i++)
		group_free(&c->groups[i]);
	free(c->groups);
	free(c->units);
	free(c);
}

/* The SMSC time of a message: its first part's, else the earliest that
 * arrived (the same whenever the same parts are there). */
static int64_t group_time(const struct group *g)
{
	int64_t t = 0;

	if (g->parts[0].have)
		return g->parts[0].smsc_time;
	for (int i = 1; i < g->total; i++)
		if (g->parts[i].have && g->parts[i].smsc_time != 0 &&
		    (t == 0 || g->parts[i].smsc_time < t))
			t = g->parts[i].smsc_time;
	return t;
}

/* Join the text of g's parts in order into c->units; its length.  *cut
 * is set when they hold more than max_units. */
static size_t group_text(struct concat *c, const struct group *g, bool *cut)
{
	size_t n = 0;

	*cut = false;
	for (int i = 0; i < g->total; i++) {
		const struct part *p = &g->parts[i];

		for (size_t k = 0; p->have && k < p->n_units; k++) {
			if (n == c->o.max_units) {
				*cut = true;
				break;
			}
			c->units[n++] = p->units[k];
		}
	}
	assert(n <= c->o.max_units);
	return n;
}

/* Forget group idx. */
static void group_drop(struct concat *c, size_t idx)
{
	assert(idx < c->n_groups);
	group_free(&c->groups[idx]);
	c->groups[idx] = c->groups[--c->n_groups];
}

/* Hand over what arrived of group idx and forget it (dropped when out of
 * memory: its parts stay with the caller). */
static void group_flush(struct concat *c, size_t idx)
{
	struct group *g = &c->groups[idx];
	struct concat_loc *locs = calloc((size_t)g->total + g->n_extra, sizeof(*locs));
	struct concat_message m;

	assert(idx < c->n_groups && g->have >= 1 && g->have <= g->total);
	if (locs != NULL) {
		m = (struct concat_message){ .sender = g->sender,
					     .ref = g->ref,
					     .total = g->total,
					     .missing = g->total - g->have,
					     .smsc_time = group_time(g),
					     .locs = locs };
		for (int i = 0; i < g->total; i++)
			if (g->parts[i].have && g->parts[i].stored)
				locs[m.n_locs++] = g->parts[i].loc;
		for (size_t i = 0; i < g->n_extra; i++)
			locs[m.n_locs++] = g->extra[i];
		m.units = c->units;
		m.n_units = group_text(c, g, &m.cut);
		c->ready(c->arg, &m);
		free(locs);
	}
	group_drop(c, idx);
}

static struct group *group_find(struct concat *c, const char *sender, const struct concat_part *p)
{
	for (size_t i = 0; i < c->n_groups; i++) {
		struct group *g = &c->groups[i];

		if (g->ref == p->ref && g->total == p->total && strcmp(g->sender, sender) == 0)
			return g;
	}
	return NULL;
}

/* A new group for p's message, the oldest handed over if there is no room. */
static struct group *group_start(struct concat *c, const char *sender, const struct concat_part *p,
				 int64_t now)
{
	struct group *g;
	size_t oldest = 0;

	if (c->n_groups == c->o.max_groups) {
		for (size_t i = 1; i < c->n_groups; i++)
			if (c->groups[i].first_ms < c->groups[oldest].first_ms)
				oldest = i;
		group_flush(c, oldest);
	}
	assert(c->n_groups < c->o.max_groups);
	g = &c->groups[c->n_groups];
	memset(g, 0, sizeof(*g));
	g->parts = calloc((size_t)p->total, sizeof(*g->parts));
	if (g->parts == NULL)
		return NULL;
	memcpy(g->sender, sender, sizeof(g->sender));
	g->ref = p->ref;
	g->total = p->total;
	g->first_ms = now;
	c->n_groups++;
	return g;
}

static enum concat_result add_duplicate(struct group *g, const struct concat_loc *loc)
{
	struct concat_loc *n;

	if (loc == NULL)
		return CONCAT_DUPLICATE;
	n = realloc(g->extra, (g->n_extra + 1) * sizeof(*n));
	if (n == NULL)
		return CONCAT_REFUSED;
	g->extra = n;
	g->extra[g->n_extra++] = *loc;
	return CONCAT_DUPLICATE;
}

static bool valid_part(const struct concat_part *p)
{
	return p->sender != NULL && p->total >= 2 && p->total <= CONCAT_PARTS_MAX && p->part >= 1 &&
	       p->part <= p->total && (p->units != NULL || p->n_units == 0);
}

enum concat_result concat_add(struct concat *c, const struct concat_part *p, int64_t now)
{
	char sender[CONCAT_SENDER_MAX];
	struct group *g;
	struct part *pt;

	if (!valid_part(p))
		return CONCAT_REFUSED;
	frame_copy_str(sender, sizeof(sender), p->sender); /* as it is kept */
	g = group_find(c, sender, p);
	if (g == NULL && (g = group_start(c, sender, p, now)) == NULL)
		return CONCAT_REFUSED;
	pt = &g->parts[p->part - 1];
	if (pt->have)
		return add_duplicate(g, p->loc);
	pt->units = malloc((p->n_units ? p->n_units : 1) * sizeof(*pt->units));
	if (pt->units == NULL) {
		if (g->have == 0)
			group_drop(c, (size_t)(g - c->groups));
		return CONCAT_REFUSED;
	}
	if (p->n_units > 0)
		memcpy(pt->units, p->units, p->n_units * sizeof(*pt->units));
	pt->n_units = p->n_units;
	pt->have = true;
	pt->stored = p->loc != NULL;
	if (p->loc != NULL)
		pt->loc = *p->loc;
	pt->smsc_time = p->smsc_time;
	if (++g->have < g->total)
		return CONCAT_HELD;
	group_flush(c, (size_t)(g - c->groups));
	return CONCAT_COMPLETE;
}

void concat_expire(struct concat *c, int64_t now)
{
	for (size_t i = 0; i < c->n_groups;) {
		if (now - c->groups[i].first_ms >= c->o.wait_ms)
			group_flush(c, i);
		else
			i++;
	}
}

bool concat_next_due(const struct concat *c, int64_t *at)
{
	if (c->n_groups == 0)
		return false;
	*at = c->groups[0].first_ms + c->o.wait_ms;
	for (size_t i = 1; i < c->n_groups; i++)
		if (c->groups[i].first_ms + c->o.wait_ms < *at)
			*at = c->groups[i].first_ms + c->o.wait_ms;
	return true;
}

size_t concat_pending(const struct concat *c)
{
	return c->n_groups;
}

const char *concat_result_name(enum concat_result r)
{
	switch (r) {
	case CONCAT_HELD: return "held";
	case CONCAT_COMPLETE: return "complete";
	case CONCAT_DUPLICATE: return "duplicate";
	case CONCAT_REFUSED: return "refused";
	}
	return "refused";
}
