/*
 * store_status.h - the queries behind `sawt status`.
 *
 * Blocking libpq (CLI code).  Everything but the modems table is read from
 * the analytics views, so the operator sees what analysts see.  All
 * queries of one store_status run in one REPEATABLE READ, READ ONLY
 * transaction: the figures of one `sawt status` are consistent with each
 * other even while reports keep arriving.
 *
 * Each query takes the election name ($1) and the deepest area level to
 * list ($2: 0 the whole election only, 1 regions too, 2 districts too).
 * Values come back as text, NULL for SQL NULL; percentages are already
 * rounded to one decimal by the views.
 */
#ifndef SAWT_STORE_STATUS_H
#define SAWT_STORE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* The queries and the columns of their rows, in order. */
enum store_status_query {
	/* now (text, in the session time zone) */
	STORE_STATUS_NOW,
	/* area, depth, parent, form, contest, received, expected, pct,
	 * conflicts; the election first (depth 0), then each region followed
	 * by its districts */
	STORE_STATUS_PROGRESS,
	/* area, depth, parent, stations_reporting, stations_total,
	 * registered, voters, turnout_pct, women, women_share,
	 * women_turnout_pct; same order (no rows: no such election) */
	STORE_STATUS_TURNOUT,
	/* contest_code, contest, kind, position, candidate, votes,
	 * vote_share, stations_reporting, stations_total */
	STORE_STATUS_RESULTS,
	/* severity, open incidents; critical first */
	STORE_STATUS_INCIDENT_COUNTS,
	/* incident_id, reported_at (HH:MI), station_code, severity,
	 * incident, text: the newest ten open critical or serious ones */
	STORE_STATUS_INCIDENTS,
	/* severity, open alerts (not acknowledged, not resolved, not
	 * duplicates); critical first (alerts of no election too) */
	STORE_STATUS_ALERT_COUNTS,
	/* what ('flag', 'error' or 'no_reply'), code, count: the flags of
	 * current reports, the error codes of messages (those of unknown
	 * senders included), and why messages were not answered (own_number,
	 * non_phone_sender: ignored; rate_limited: counted, not answered),
	 * and ('unprocessed') the messages recorded but not processed that
	 * sawt reprocess would process (rate_limited, failed);
	 * most frequent first */
	STORE_STATUS_CHECKS,
	/* source ('turnout' or 'close'), station codes joined with ' ': the
	 * stations whose turnout figure is in conflict */
	STORE_STATUS_CONFLICT_STATIONS,
	/* name, node, state, signal_percent, operator, sent, received,
	 * send_failures, restarts, last_seen (HH:MI:SS), last_error, held;
	 * from sawt.modems, not an analytics view */
	STORE_STATUS_MODEMS,
	/* node, spool_messages, spool_free_bytes, spool_total_bytes,
	 * spool_low, refusing, held_on_source, updated (HH:MI:SS); from
	 * sawt.nodes */
	STORE_STATUS_NODES,
	/* alert_id, created (HH:MI), severity, rule, station_code, area,
	 * coordinators, sent, held, escalations: the open alerts (not
	 * acknowledged, not resolved, not duplicates), newest first, twenty */
	STORE_STATUS_ALERTS,
	/* node, last tick (HH:MI:SS), ticks: the sawtd dispatching the
	 * election's alerts; from sawt.alert_dispatcher, like the modems */
	STORE_STATUS_ALERT_DISPATCHER,
	/* form, version, stations_reported, stations_total, the three
	 * yes/no questions with the most "no" answers ("AB 2 (28.6%), ...",
	 * NULL: none): each checklist form over the whole election */
	STORE_STATUS_CHECKLISTS,
	/* region, needs_review, quarantined, oldest wait ("1d 02h05m"): the
	 * reports waiting for review (analytics.review_queue) */
	STORE_STATUS_REVIEW,
};

#define STORE_STATUS_N_QUERIES (STORE_STATUS_REVIEW + 1)

struct store_status;
struct store_status_rows;

/*
 * Connect to conninfo and start the read-only transaction.  timezone, when
 * not NULL, becomes the session's TimeZone (times are printed in it).
 * Returns NULL after writing one line to err ("could not connect to the
 * database: ...", or "the analytics views are missing: run sawt migrate").
 */
struct store_status *store_status_new(const char *conninfo, const char *timezone, char *err,
				      size_t errlen) SAWT_MUST_CHECK;

/* End the transaction and close the connection; NULL is a no-op. */
void store_status_free(struct store_status *st);

/*
 * Run query q for election and the deepest area level depth (0..2).  The
 * caller owns the rows and frees them with store_status_rows_free().
 * Returns NULL after writing one line to err.  STORE_STATUS_MODEMS and
 * STORE_STATUS_NODES and STORE_STATUS_ALERT_DISPATCHER return no rows
 * (not an error) when the user may not read sawt.modems, sawt.nodes or
 * sawt.alert_dispatcher.
 */
struct store_status_rows *store_status_query(struct store_status *st, enum store_status_query q,
					     const char *election, int depth, char *err,
					     size_t errlen) SAWT_MUST_CHECK;

/* Free rows; NULL is a no-op. */
void store_status_rows_free(struct store_status_rows *rows);

/* Number of rows (0 for NULL). */
int store_status_nrows(const struct store_status_rows *rows);

/*
 * The value at row, col: a string owned by rows, or NULL for SQL NULL and
 * out-of-range positions.
 */
const char *store_status_value(const struct store_status_rows *rows, int row, int col);

#endif
