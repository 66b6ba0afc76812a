/*
 * ops.h - what operators watch: GET /metrics (Prometheus text format) and
 * GET /healthz (200 or 503 with a small JSON saying why), on sawtd's HTTP
 * door.  docs/http.md lists every metric and every field.
 *
 * Access: both routes are HTTP_ACCESS_LOCAL_OR_SECRET: a client on the
 * loopback address (Prometheus or a health check on the same machine)
 * needs nothing, any other needs the [http] secret like every other
 * route.
 *
 * Most figures are collected when they are asked for (pull): the
 * counters the modules keep (intake, pipeline, outbox, modems, the HTTP
 * server, the database connections) are read at each scrape.  Two things
 * are kept here:
 *   - every stored message, counted by transport, outcome and error code,
 *     and every new report by form and outcome (the pipeline's stored
 *     callback, set by ops_new());
 *   - the outbox backlog (messages queued and being sent, by priority,
 *     and how long the oldest message due has waited), counted in the
 *     database every OPS_BACKLOG_MS while it is ready.  It is the
 *     database's, shared by every node.
 *
 * Kannel's sendsms, when configured, is a sender of /healthz's besides
 * the modems, with metrics of its own.
 */
#ifndef SAWT_OPS_H
#define SAWT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"
#include "log.h"
#include "metrics.h"

struct event_base;
struct db;
struct pipeline;
struct intake;
struct outbox;
struct modem_mgr;
struct http_server;
struct sms_inbound;
struct sms_dlr;
struct ussd_inbound;
struct alerts;
struct kannel;
struct ops;

#define OPS_BACKLOG_MS 5000
#define OPS_PRIORITIES 10 /* sawt.outbox.priority is 0 to 9 */

/* The modules ops reads; none is owned.  NULL: not there. */
struct ops_sources {
	struct db *db; /* the main connection */
	struct pipeline *pl;
	struct intake *intake;
	struct outbox *outbox;
	struct modem_mgr *modems;
	bool modems_send; /* the outbox sends through the modems */
	struct kannel *kannel;
	struct http_server *http;
	struct sms_inbound *sms_inbound;
	struct sms_dlr *sms_dlr;
	struct ussd_inbound *ussd;
	struct alerts *alerts;
};

/* The outbox backlog as last counted. */
struct ops_backlog {
	bool known;         /* counted since the database was last ready */
	int64_t counted_ms; /* util_mono_ms() when it was */
	uint64_t queued[OPS_PRIORITIES];
	uint64_t sending[OPS_PRIORITIES];
	int64_t oldest_due_age_s; /* -1: nothing due */
};

/* What a scrape reads (ops_collect()). */
struct ops_view {
	const struct ops_sources *src;
	const struct ops_backlog *backlog;
	int64_t started_ms; /* Unix ms when sawtd started */
};

/*
 * Create the operations routes' state over src (copied).  Sets the
 * pipeline's stored callback.  NULL when out of memory.
 */
struct ops *ops_new(struct event_base *base, const struct ops_sources *src) SAWT_MUST_CHECK;

/* Free; NULL is a no-op.  Unsets the pipeline's stored callback. */
void ops_free(struct ops *ops);

/* Serve /metrics and /healthz on srv.  False when out of memory or the
 * routes are taken. */
bool ops_route(struct ops *ops, struct http_server *srv) SAWT_MUST_CHECK;

/* Tell ops whether the database is ready (from the db state callback):
 * the backlog is counted while it is. */
void ops_set_db_ready(struct ops *ops, bool ready);

/* The metrics of v's modules into m (ops_metrics.c): every family
 * docs/http.md lists but the stored-message counters kept by ops. */
void ops_collect(const struct ops_view *v, struct metrics *m);

#endif
