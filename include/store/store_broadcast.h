/*
 * store_broadcast.h - coordinators' broadcasts for `sawt broadcast`
 * (docs/broadcasts.md; SQL in migration 0025).
 *
 * Blocking libpq, for the command line.  The recipients are chosen by
 * sawt.broadcast_plan() from a filter (JSON, as docs/broadcasts.md gives
 * it); sending queues every message through the outbox and records the
 * broadcast in one transaction (sawt.broadcast_send()).  No row returned
 * here holds a phone number.
 */
#ifndef SAWT_STORE_BROADCAST_H
#define SAWT_STORE_BROADCAST_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "store_rows.h"

struct store_broadcast;

/* What a broadcast says and to whom (texts NULL when not given). */
struct store_broadcast_msg {
	const char *election;
	const char *filter; /* JSON object */
	const char *default_lang;
	const char *text_ar, *text_en, *text_fr;
};

/* Connect; NULL with err set.  Free with store_broadcast_free(). */
struct store_broadcast *store_broadcast_new(const char *conninfo, char *err,
					    size_t errlen) SAWT_MUST_CHECK;

/* Disconnect and free; NULL is a no-op. */
void store_broadcast_free(struct store_broadcast *sb);

/*
 * The plan without sending: one row a (copy, language, text): 0 copy
 * ("t" for coordinators' copies), 1 language, 2 text, 3 recipients.
 * NULL with err set on failure (an unknown area, station or election).
 */
struct store_rows *store_broadcast_plan(struct store_broadcast *sb,
					const struct store_broadcast_msg *m, char *err,
					size_t errlen) SAWT_MUST_CHECK;

/*
 * Queue it, recorded as sent by by ("cli:NAME"): one row, 0 broadcast id
 * (NULL when the filter reaches nobody: nothing queued), 1 recipients,
 * 2 copies.  NULL with err set on failure (nothing queued).
 */
struct store_rows *store_broadcast_send(struct store_broadcast *sb,
					const struct store_broadcast_msg *m, const char *by,
					char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Save it as a reminder sawtd sends at time at (HH:MM, in the filter's
 * timezone) once a day: one row, 0 reminder id, 1 "t" when that time has
 * already come today (sawtd sends it at its next tick).  NULL with err set.
 */
struct store_rows *store_broadcast_schedule(struct store_broadcast *sb,
					    const struct store_broadcast_msg *m, const char *at,
					    const char *by, char *err,
					    size_t errlen) SAWT_MUST_CHECK;

/*
 * The election's reminders that are not cancelled: 0 id, 1 at (HH:MM),
 * 2 filter (JSON), 3 texts (one line), 4 last run (day and broadcast, or
 * NULL).
 */
struct store_rows *store_broadcast_reminders(struct store_broadcast *sb, const char *election,
					     char *err, size_t errlen) SAWT_MUST_CHECK;

/* Cancel reminder id of election; *found false when there is none. */
bool store_broadcast_cancel(struct store_broadcast *sb, const char *election, const char *id,
			    bool *found, char *err, size_t errlen) SAWT_MUST_CHECK;

#endif
