/*
 * alert_route.c - who receives an alert; see alert_route.h.
 *
 * The routes are the coordinators of the snapshot, and (area,
 * coordinator) pairs sorted by area, so an area's coordinators are a
 * binary search away.
 */
#include "alert_route.h"

#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 64 /* areas above one another, at most (a cycle stops there) */

struct pair {
	int area;
	int person; /* index in coords */
};

struct alert_routes {
	const struct regsnap *snap;
	enum lang default_lang;
	const struct regsnap_person **coords; /* coordinators */
	size_t n_coords;
	struct pair *pairs; /* by area */
	size_t n_pairs;
};

const char *alert_reason_name(enum alert_reason reason)
{
	static const char *const names[] = { "area", "ancestor", "national", "fallback",
					     "escalation" };

	return (unsigned)reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "area";
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	return (x->person > y->person) - (x->person < y->person);
}

struct alert_routes *alert_routes_new(const struct regsnap *s, enum lang default_lang)
{
	struct alert_routes *r = calloc(1, sizeof(*r));
	size_t np = regsnap_n_people(s), n_pairs = 0;

	if (r == NULL)
		return NULL;
	r->snap = s;
	r->default_lang = default_lang;
	r->coords = calloc(np + 1, sizeof(*r->coords));
	if (r->coords == NULL)
		goto fail;
	for (size_t i = 0; i < np; i++) {
		const struct regsnap_person *p = regsnap_person_at(s, i);

		if (p->role == REGISTRY_ROLE_COORDINATOR) {
			r->coords[r->n_coords++] = p;
			n_pairs += p->n_areas;
		}
	}
	r->pairs = calloc(n_pairs + 1, sizeof(*r->pairs));
	if (r->pairs == NULL)
		goto fail;
	for (size_t i = 0; i < r->n_coords; i++)
		for (size_t k = 0; k < r->coords[i]->n_areas; k++)
			r->pairs[r->n_pairs++] = (struct pair){ r->coords[i]->areas[k], (int)i };
	qsort(r->pairs, r->n_pairs, sizeof(*r->pairs), cmp_pair);
	return r;
fail:
	alert_routes_free(r);
	return NULL;
}

void alert_routes_free(struct alert_routes *r)
{
	if (r == NULL)
		return;
	free(r->coords);
	free(r->pairs);
	free(r);
}

const struct regsnap *alert_routes_snap(const struct alert_routes *r)
{
	return r->snap;
}

const char *alert_routes_area_name(const struct alert_routes *r, int area)
{
	const struct regsnap_area *a = area > 0 ? regsnap_area(r->snap, area) : NULL;

	return a ? a->name : NULL;
}

/* The first pair of area, or n_pairs. */
static size_t first_pair(const struct alert_routes *r, int area)
{
	size_t lo = 0, hi = r->n_pairs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->pairs[mid].area < area)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool has_coordinators(const struct alert_routes *r, int area)
{
	size_t i = first_pair(r, area);

	return i < r->n_pairs && r->pairs[i].area == area;
}

static void to(const struct alert_routes *r, const struct regsnap_person *p,
	       enum alert_reason reason, struct alert_to *out)
{
	out->person = p->id;
	out->phone = p->phone;
	out->lang = p->lang >= 0 && p->lang < LANG_COUNT ? (enum lang)p->lang : r->default_lang;
	out->reason = reason;
}

static bool listed(const struct alert_to *out, size_t n, int person)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].person == person)
			return true;
	return false;
}

/* Append area's coordinators. */
static size_t add_area(const struct alert_routes *r, int area, enum alert_reason reason,
		       struct alert_to *out, size_t n, size_t cap)
{
	for (size_t i = first_pair(r, area); i < r->n_pairs && r->pairs[i].area == area; i++) {
		const struct regsnap_person *p = r->coords[r->pairs[i].person];

		if (n < cap && !listed(out, n, p->id))
			to(r, p, reason, &out[n++]);
	}
	return n;
}

/* Append the national coordinators (no area) not listed yet, except had. */
static size_t add_national(const struct alert_routes *r, enum alert_reason reason, const int *had,
			   size_t n_had, struct alert_to *out, size_t n, size_t cap)
{
	for (size_t i = 0; i < r->n_coords; i++) {
		const struct regsnap_person *p = r->coords[i];
		bool skip = p->n_areas > 0 || listed(out, n, p->id);

		for (size_t k = 0; !skip && k < n_had; k++)
			skip = had[k] == p->id;
		if (!skip && n < cap)
			to(r, p, reason, &out[n++]);
	}
	return n;
}

/* The nearest of area and its ancestors with coordinators; 0 when none. */
static int nearest(const struct alert_routes *r, int area)
{
	for (int depth = 0; area > 0 && depth < DEPTH_MAX; depth++) {
		const struct regsnap_area *a;

		if (has_coordinators(r, area))
			return area;
		a = regsnap_area(r->snap, area);
		if (a == NULL)
			return 0;
		area = a->parent_id;
	}
	return 0;
}

static int parent_of(const struct alert_routes *r, int area)
{
	const struct regsnap_area *a = regsnap_area(r->snap, area);

	return a ? a->parent_id : 0;
}

size_t alert_routes_find(const struct alert_routes *r, int area, enum alert_severity sev,
			 enum alert_severity national_min, struct alert_to *out, size_t cap,
			 int *route_area)
{
	size_t n = 0;
	int at = nearest(r, area);

	*route_area = at;
	if (at > 0) {
		n = add_area(r, at, at == area ? ALERT_REASON_AREA : ALERT_REASON_ANCESTOR, out, 0,
			     cap);
		if (sev >= national_min)
			n = add_national(r, ALERT_REASON_NATIONAL, NULL, 0, out, n, cap);
		return n;
	}
	n = add_national(r, area > 0 ? ALERT_REASON_FALLBACK : ALERT_REASON_NATIONAL, NULL, 0, out,
			 0, cap);
	if (n > 0 || area > 0)
		return n;
	/* about no area, and no national coordinator: the top areas' */
	for (size_t i = 0; i < r->n_pairs; i++)
		if (parent_of(r, r->pairs[i].area) == 0 &&
		    (i == 0 || r->pairs[i - 1].area != r->pairs[i].area))
			n = add_area(r, r->pairs[i].area, ALERT_REASON_FALLBACK, out, n, cap);
	return n;
}

size_t alert_routes_escalate(const struct alert_routes *r, int route_area, const int *had,
			     size_t n_had, struct alert_to *out, size_t cap, int *new_area)
{
	int above;

	*new_area = 0;
	if (route_area <= 0)
		return 0;
	above = nearest(r, parent_of(r, route_area));
	if (above > 0) {
		*new_area = above;
		return add_area(r, above, ALERT_REASON_ESCALATION, out, 0, cap);
	}
	return add_national(r, ALERT_REASON_ESCALATION, had, n_had, out, 0, cap);
}

bool alert_routes_coordinator(const struct alert_routes *r, int person, struct alert_to *out,
			      const char **area_name)
{
	for (size_t i = 0; i < r->n_coords; i++) {
		const struct regsnap_person *p = r->coords[i];

		if (p->id != person)
			continue;
		to(r, p, ALERT_REASON_AREA, out);
		*area_name = p->n_areas > 0 ? alert_routes_area_name(r, p->areas[0]) : NULL;
		return true;
	}
	return false;
}
