/*
 * web_events.h - GET /api/events: Server-Sent Events telling the
 * election-day page (docs/web.md) that its figures changed, so that it
 * re-reads them instead of polling.  An event names what changed
 * ("reports", "alerts", "ops") and carries no figures, so it needs no
 * scoping beyond the session the stream was opened with.
 */
#ifndef SAWT_WEB_EVENTS_H
#define SAWT_WEB_EVENTS_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "http_server.h"
#include "util.h"

struct web_events;

/* What changed, as counters that only grow: an event is sent when one
 * moved since the last look. */
struct web_events_stamp {
	uint64_t reports; /* messages committed by the pipeline */
	uint64_t alerts;  /* alerts opened, batched, escalated or resolved */
	uint64_t ops;     /* messages sent and received, modem changes */
};

/* The alert thresholds the page marks stations and areas by ([alerts] of
 * the configuration; 0: the rule is off), served at /api/thresholds. */
struct web_thresholds {
	unsigned turnout_high_pct, women_low_pct, women_high_pct, women_min_voters;
};

/* Fill *out with the daemon's counters now. */
typedef void (*web_events_stamp_fn)(void *arg, struct web_events_stamp *out);

/*
 * Streams over db (sessions are checked there) on base; stamp(arg) is
 * read once a second and every open stream hears of what moved, so no
 * stream gets more than one event a second.  At most max_streams streams
 * are open at once (0: 64).  marks is copied.  db is borrowed.  NULL when memory ran out.
 */
struct web_events *web_events_new(struct event_base *base, struct db *db, unsigned max_streams,
				  const struct web_thresholds *marks, web_events_stamp_fn stamp,
				  void *arg) SAWT_MUST_CHECK;

/* The channel the database NOTIFYs when reports, alerts or checklist
 * answers change, whoever changed them (migrations/0035_web_notify.sql). */
#define WEB_EVENTS_CHANNEL "sawt_web"

/*
 * A NOTIFY arrived on channel: one on WEB_EVENTS_CHANNEL is a change made
 * elsewhere (another sawtd, the sawt command, SQL), told to the streams
 * as "reports" at the next tick.  Other channels are ignored.  The module
 * LISTENs on its db, again after each reconnection.
 */
void web_events_on_notify(struct web_events *ev, const char *channel);

/* Serve marks at /api/thresholds from now on (SIGHUP); copied. */
void web_events_set_thresholds(struct web_events *ev, const struct web_thresholds *marks);

/* Add GET /api/events and GET /api/thresholds to srv; false when the routing table is full. */
bool web_events_route(struct web_events *ev, struct http_server *srv) SAWT_MUST_CHECK;

/* The number of streams open now. */
unsigned web_events_open(const struct web_events *ev);

/* End every stream and free.  NULL is a no-op. */
void web_events_free(struct web_events *ev);

#endif
