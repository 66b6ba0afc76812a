/*
 * alert_route.h - who receives an alert (DESIGN.md section 7, issue 17).
 *
 * Coordinators are the registry's people with the coordinator role; each
 * covers the areas assigned to them, or the whole election when none is
 * (a national coordinator).  An alert about area A (a station's area, or
 * the area of a group of stations) goes to
 *   - the coordinators of the nearest of A and its ancestors (district,
 *     region, ...) that has any: reason "area" when that is A itself,
 *     "ancestor" when it is above;
 *   - the national coordinators, when its severity is at least the
 *     configured one ([alerts] national_severity, serious by default);
 *   - the national coordinators whatever its severity ("fallback") when
 *     no area up the tree has a coordinator.
 * An alert about no area (a modem, the outbox) goes to the national
 * coordinators, else ("fallback") to those of the top areas.  An
 * escalation goes to the coordinators of the nearest area above the one
 * that had it, then to the national ones.  Each receives it in their
 * registered language, else the election's.
 *
 * The routes index a registry snapshot (regsnap.h), which must outlive
 * them: build new routes for each new snapshot.
 */
#ifndef SAWT_ALERT_ROUTE_H
#define SAWT_ALERT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "alert.h"
#include "lang.h"
#include "log.h"
#include "regsnap.h"

enum alert_reason {
	ALERT_REASON_AREA = 0,
	ALERT_REASON_ANCESTOR,
	ALERT_REASON_NATIONAL,
	ALERT_REASON_FALLBACK,
	ALERT_REASON_ESCALATION,
};

/* "area", "ancestor", "national", "fallback", "escalation". */
const char *alert_reason_name(enum alert_reason reason);

/* One recipient. */
struct alert_to {
	int person;
	const char *phone; /* E.164, the snapshot's */
	enum lang lang;
	enum alert_reason reason;
};

struct alert_routes;

/* Index snapshot s (finished; not owned).  NULL when out of memory. */
struct alert_routes *alert_routes_new(const struct regsnap *s,
				      enum lang default_lang) SAWT_MUST_CHECK;

/* Free; NULL is a no-op. */
void alert_routes_free(struct alert_routes *r);

/* The snapshot indexed. */
const struct regsnap *alert_routes_snap(const struct alert_routes *r);

/* The name of area (NULL when unknown or 0). */
const char *alert_routes_area_name(const struct alert_routes *r, int area);

/*
 * The recipients of an alert about area (0: none) of severity sev, into
 * out (cap entries; the rest are dropped); returns how many.  *route_area
 * is the area whose coordinators receive it (0: the national ones, or
 * nobody).
 */
size_t alert_routes_find(const struct alert_routes *r, int area, enum alert_severity sev,
			 enum alert_severity national_min, struct alert_to *out, size_t cap,
			 int *route_area);

/*
 * The recipients of the escalation of an alert that route_area's
 * coordinators had: those of the nearest area above with any (*new_area),
 * else the national ones (*new_area 0) except the persons in had[0..n_had).
 * Returns how many; 0 when route_area is 0 (nothing above).
 */
size_t alert_routes_escalate(const struct alert_routes *r, int route_area, const int *had,
			     size_t n_had, struct alert_to *out, size_t cap, int *new_area);

/*
 * Coordinator person as a recipient (reason area) and the name of their
 * first area (NULL: none); false when person is not a coordinator.
 */
bool alert_routes_coordinator(const struct alert_routes *r, int person, struct alert_to *out,
			      const char **area_name);

#endif
