/*
 * store_review.h - the review queue and review decisions for `sawt review`
 * and `sawt status` (docs/review.md; SQL in migrations 0019 and 0024).
 *
 * Blocking libpq, for the command line.  Every decision goes through
 * sawt.review_set() or sawt.review_correct(): one transaction that records
 * who, how, when, why and the previous state, and brings the station's
 * tally (and so every figure and view) in line.  No row returned here
 * holds a phone number.
 */
#ifndef SAWT_STORE_REVIEW_H
#define SAWT_STORE_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "store_rows.h"

struct store_review;

/* Connect; NULL with err set on failure.  Free with store_review_free(). */
struct store_review *store_review_new(const char *conninfo, char *err,
				      size_t errlen) SAWT_MUST_CHECK;

/* Disconnect and free; NULL is a no-op. */
void store_review_free(struct store_review *sr);

/*
 * The queue (sawt.review_queue): reports of election in the states of
 * states (a comma-separated list; NULL: needs_review and quarantined), of
 * stations in area and below (a name or Region/District path; NULL:
 * everywhere), oldest first, at most limit.  Columns: 0 id, 1 station,
 * 2 region, 3 district, 4 form, 5 contest, 6 state, 7 outcome, 8 figures,
 * 9 sent, 10 waiting, 11 reason.  NULL with err set on failure (an unknown
 * or ambiguous area, an unknown election).
 */
struct store_rows *store_review_queue(struct store_review *sr, const char *election,
				      const char *area, const char *states, int limit, char *err,
				      size_t errlen) SAWT_MUST_CHECK;

/*
 * Report id of election, as the queue shows it (no row when it does not
 * exist or belongs to another election), then its review history (0 at,
 * 1 actor, 2 previous, 3 new, 4 reason, 5 person's name or NULL), then the
 * station's other reports (columns as the queue's, plus 12 "current" when
 * the report is the station's current one for its form).
 */
struct store_rows *store_review_report(struct store_review *sr, const char *election,
				       const char *id, char *err, size_t errlen) SAWT_MUST_CHECK;
struct store_rows *store_review_history(struct store_review *sr, const char *id, char *err,
					size_t errlen) SAWT_MUST_CHECK;
struct store_rows *store_review_station(struct store_review *sr, const char *id, char *err,
					size_t errlen) SAWT_MUST_CHECK;

/*
 * Set report id's review state (pending, needs_review, verified,
 * quarantined, rejected) as actor ("cli:NAME") with reason.  *changed is
 * false when it already was in that state.  False with err set on
 * failure (nothing changed).
 */
bool store_review_set(struct store_review *sr, const char *id, const char *state, const char *actor,
		      const char *reason, bool *changed, char *err, size_t errlen) SAWT_MUST_CHECK;

/* The figures a coordinator's correction may set, as text (NULL: kept). */
struct store_review_figures {
	const char *voters, *women, *men, *counts, *invalid, *blank, *total;
};

/*
 * Store a coordinator's correction of report id (sawt.review_correct): a
 * new, verified report with the figures given; its id in new_id (a buffer
 * of 24 bytes).  False with err set on failure.
 */
bool store_review_correct(struct store_review *sr, const char *id, const char *actor,
			  const char *reason, const struct store_review_figures *f, char *new_id,
			  char *err, size_t errlen) SAWT_MUST_CHECK;

#endif
