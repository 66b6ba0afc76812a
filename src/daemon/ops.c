/*
 * ops.c - GET /metrics and GET /healthz; see ops.h.  What each metric is
 * made of is in ops_metrics.c, the health verdict in src/core/health.c.
 */
#include "ops.h"

#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "db.h"
#include "http_server.h"
#include "intake.h"
#include "kannel.h"
#include "modem.h"
#include "pipeline.h"
#include "strmap.h"
#include "util.h"

#define RENDER_FIRST (64 * 1024)
#define RENDER_MAX (16 * 1024 * 1024)
#define HEALTH_BUF 4096
#define HEALTH_PER_PART 768 /* JSON bytes a modem or sender may take */

/* One stored-message counter: its label values joined by tabs. */
struct count {
	uint64_t n;
	char key[];
};

struct ops {
	struct event_base *base;
	struct ops_sources src;
	int64_t started_ms;
	/* stored messages (transport, outcome, code), those reprocessed (the
	 * same), and reports (form, outcome) */
	struct strmap *messages, *reprocessed, *reports;
	struct count **counts; /* both maps' entries, to free them */
	size_t n_counts, cap_counts;
	/* the outbox backlog */
	struct ops_backlog backlog;
	bool db_ready;
	bool counting; /* the backlog query is out */
	struct event *ev_backlog;
	size_t render_cap; /* the last scrape's buffer: where the next starts */
};

/* ==== stored messages ==== */

/* Add one to the counter of key in map; false when out of memory. */
static bool count_one(struct ops *ops, struct strmap *map, const char *key)
{
	struct count *c = strmap_get(map, key);
	size_t len;

	if (c != NULL) {
		c->n++;
		return true;
	}
	len = strlen(key);
	c = malloc(sizeof(*c) + len + 1);
	if (c == NULL ||
	    !array_grow(&ops->counts, &ops->cap_counts, ops->n_counts + 1, sizeof(*ops->counts))) {
		free(c);
		return false;
	}
	memcpy(c->key, key, len + 1);
	c->n = 1;
	if (!strmap_put(map, c->key, c)) {
		free(c);
		return false;
	}
	ops->counts[ops->n_counts++] = c;
	return true;
}

static void on_stored(void *arg, const struct pipeline_stored *s)
{
	struct ops *ops = arg;
	char key[256];
	bool ok;

	snprintf(key, sizeof(key), "%s\t%s\t%s", inbound_transport_name(s->transport), s->outcome,
		 s->code);
	ok = count_one(ops, s->reprocessed ? ops->reprocessed : ops->messages, key);
	if (s->form[0] != '\0') {
		snprintf(key, sizeof(key), "%s\t%s", s->form, s->outcome);
		ok = count_one(ops, ops->reports, key) && ok;
	}
	if (!ok)
		log_warn("out of memory: a stored message is not counted in /metrics");
}

/* Copy map's counters into family f (label values split at tabs). */
static void put_counts(const struct ops *ops, struct strmap *map, struct metrics_family *f,
		       size_t n_labels)
{
	for (size_t i = 0; i < ops->n_counts; i++) {
		const struct count *c = ops->counts[i];
		char buf[256], *values[3] = { "", "", "" };
		const char *cv[3];
		size_t k = 0;

		if (strmap_get(map, c->key) != c)
			continue;
		snprintf(buf, sizeof(buf), "%s", c->key);
		values[0] = buf;
		for (char *p = buf; *p && k + 1 < n_labels; p++) {
			if (*p == '\t') {
				*p = '\0';
				values[++k] = p + 1;
			}
		}
		for (k = 0; k < 3; k++)
			cv[k] = values[k];
		metrics_add(f, cv, (double)c->n);
	}
}

/* ==== the outbox backlog ==== */

/* Queued rows by priority with the age of the oldest due, and rows being
 * sent: each half on its partial index (0003_messages.sql). */
static const char backlog_sql[] =
	"SELECT priority, 'queued', count(*),"
	" coalesce(extract(epoch FROM now() - min(next_attempt_at)"
	" FILTER (WHERE next_attempt_at <= now()))::bigint, -1)"
	" FROM sawt.outbox WHERE state = 'queued' GROUP BY priority"
	" UNION ALL"
	" SELECT priority, 'sending', count(*), -1"
	" FROM sawt.outbox WHERE state = 'sending' GROUP BY priority";

static void backlog_cb(const struct db_result *res, void *arg)
{
	struct ops *ops = arg;
	struct ops_backlog bl = { .known = true, .oldest_due_age_s = -1 };

	ops->counting = false;
	if (!db_result_ok(res)) {
		const char *st = db_result_sqlstate(res);

		/* a lost connection (08...) or a server shutting down (57P...)
		 * is the database's health, reported as such */
		if (strncmp(st, "08", 2) != 0 && strncmp(st, "57P", 3) != 0)
			log_error("could not count the outbox backlog: %s", db_result_error(res));
		ops->backlog.known = false;
		return;
	}
	for (int r = 0; r < db_result_rows(res); r++) {
		int prio = atoi(db_result_value(res, r, 0));
		uint64_t n = strtoull(db_result_value(res, r, 2), NULL, 10);
		int64_t age = strtoll(db_result_value(res, r, 3), NULL, 10);

		if (prio < 0 || prio >= OPS_PRIORITIES)
			continue;
		if (strcmp(db_result_value(res, r, 1), "queued") == 0)
			bl.queued[prio] = n;
		else
			bl.sending[prio] = n;
		if (age > bl.oldest_due_age_s)
			bl.oldest_due_age_s = age;
	}
	bl.counted_ms = util_mono_ms();
	bl.known = ops->db_ready;
	ops->backlog = bl;
}

static void backlog_count(struct ops *ops)
{
	if (!ops->db_ready || ops->counting || ops->src.db == NULL)
		return;
	if (db_query(ops->src.db, backlog_sql, 0, NULL, backlog_cb, ops))
		ops->counting = true;
}

static void backlog_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	backlog_count(arg);
}

void ops_set_db_ready(struct ops *ops, bool ready)
{
	if (ops == NULL)
		return;
	ops->db_ready = ready;
	if (!ready) {
		ops->backlog.known = false;
		event_del(ops->ev_backlog);
		return;
	}
	if (!event_pending(ops->ev_backlog, EV_TIMEOUT, NULL)) {
		struct timeval tv = { OPS_BACKLOG_MS / 1000, (OPS_BACKLOG_MS % 1000) * 1000 };

		event_add(ops->ev_backlog, &tv);
	}
	backlog_count(ops);
}

/* ==== the routes ==== */

/* GET and HEAD only; false when req was answered 405. */
static bool method_ok(struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);

	if (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
		return true;
	if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD") != 0)
		log_warn("could not add a header to an HTTP reply: out of memory");
	http_reply_text(req, 405, "method not allowed: use GET");
	return false;
}

/* Render the stored-message counters and every module's metrics into a
 * new buffer; NULL with a message in err. */
static char *render(struct ops *ops, size_t *len, char *err, size_t errlen)
{
	struct ops_view v = { .src = &ops->src,
			      .backlog = &ops->backlog,
			      .started_ms = ops->started_ms };
	struct metrics *m = metrics_new();
	char *buf = NULL;
	size_t cap = ops->render_cap;

	if (m == NULL)
		goto oom;
	put_counts(ops, ops->messages,
		   metrics_family(m, METRICS_COUNTER, "sawt_messages_total",
				  "Messages stored, by transport, outcome and error code (or the "
				  "reason an ignored message was not processed).",
				  "transport,outcome,code"),
		   3);
	put_counts(
		ops, ops->reprocessed,
		metrics_family(m, METRICS_COUNTER, "sawt_messages_reprocessed_total",
			       "Messages stored before and decided again at the operator's "
			       "request (sawt reprocess, sawt unmute), by transport, outcome and "
			       "error code.",
			       "transport,outcome,code"),
		3);
	put_counts(ops, ops->reports,
		   metrics_family(m, METRICS_COUNTER, "sawt_reports_total",
				  "New reports stored, by form and outcome.", "form,outcome"),
		   2);
	ops_collect(&v, m);
	for (;;) {
		struct strbuf sb;

		buf = malloc(cap);
		if (buf == NULL)
			goto oom;
		strbuf_init(&sb, buf, cap);
		if (metrics_render(m, &sb)) {
			*len = sb.len;
			ops->render_cap = cap;
			break;
		}
		free(buf);
		buf = NULL;
		if (!sb.overflow) {
			util_seterr(err, errlen, "%s", metrics_error(m));
			break;
		}
		if (cap >= RENDER_MAX) {
			util_seterr(err, errlen, "the metrics take more than %d bytes", RENDER_MAX);
			break;
		}
		cap *= 2;
	}
	metrics_free(m);
	return buf;
oom:
	metrics_free(m);
	util_seterr(err, errlen, "out of memory");
	return NULL;
}

static void metrics_route(struct evhttp_request *req, void *arg)
{
	struct ops *ops = arg;
	char err[256];
	size_t len = 0;
	char *body;

	if (!method_ok(req))
		return;
	body = render(ops, &len, err, sizeof(err));
	if (body == NULL) {
		log_error("could not answer /metrics: %s", err);
		http_reply_text(req, 500, "could not render the metrics");
		return;
	}
	http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
	free(body);
}

/* The modems for /healthz into m (n of them). */
static void health_modems(const struct ops *ops, struct health_modem *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct modem_status *st = modem_mgr_status_at(ops->src.modems, i);

		m[i] = (struct health_modem){
			.name = "?", .state = "unknown", .signal_percent = -1, .last_error = ""
		};
		if (st == NULL)
			continue;
		m[i].name = st->name;
		m[i].state = modem_state_name(st->state);
		m[i].up = st->state == MODEM_STATE_READY;
		m[i].send = st->send && ops->src.modems_send;
		m[i].receive = st->receive;
		m[i].signal_percent = st->signal_percent;
		m[i].last_error = st->last_error;
	}
}

/* Kannel as a sender for /healthz into out; ks holds its strings. */
static void health_kannel(const struct ops *ops, struct kannel_status *ks,
			  struct health_sender *out)
{
	kannel_get_status(ops->src.kannel, ks);
	*out = (struct health_sender){
		.name = "kannel",
		.up = ks->state == KANNEL_STATE_UP,
		.state = kannel_state_name(ks->state),
		.detail = ks->last_error,
	};
}

/*
 * What /healthz reports into in; modems is an array of n_modems the
 * caller allocated, sender and ks room for Kannel.
 */
static void health_gather(const struct ops *ops, struct health_input *in,
			  struct health_modem *modems, size_t n_modems,
			  struct health_sender *sender, struct kannel_status *ks)
{
	enum db_state st = ops->src.db ? db_get_state(ops->src.db) : DB_STATE_CLOSED;
	int64_t now = util_wall_ms();

	memset(in, 0, sizeof(*in));
	in->db_ready = st == DB_STATE_READY;
	in->db_state = db_state_name(st);
	in->spool_oldest_age_s = -1;
	in->spool_free_bytes = in->spool_total_bytes = -1;
	if (ops->src.pl != NULL) {
		struct pipeline_stats ps;

		pipeline_stats(ops->src.pl, &ps);
		in->db_connections = ps.lanes;
		in->db_connections_ready = ps.lanes_ready;
	}
	if (ops->src.intake != NULL) {
		struct intake_stats is;

		intake_stats(ops->src.intake, &is);
		in->spool_messages = is.spool_depth;
		in->spool_free_bytes = is.spool_free_bytes;
		in->spool_total_bytes = is.spool_total_bytes;
		in->spool_low = is.spool_low;
		in->refusing = is.refusing;
		in->held_on_source = is.held_on_source;
		if (is.spool_oldest_ms > 0)
			in->spool_oldest_age_s =
				now > is.spool_oldest_ms ? (now - is.spool_oldest_ms) / 1000 : 0;
	}
	health_modems(ops, modems, n_modems);
	in->modems = modems;
	in->n_modems = n_modems;
	if (ops->src.kannel != NULL) {
		health_kannel(ops, ks, sender);
		in->senders = sender;
		in->n_senders = 1;
	}
	in->outbox_known = ops->backlog.known;
	in->outbox_oldest_due_age_s = ops->backlog.known ? ops->backlog.oldest_due_age_s : -1;
	in->outbox_checked_age_s = ops->backlog.counted_ms > 0
					   ? (util_mono_ms() - ops->backlog.counted_ms) / 1000
					   : -1;
	for (int p = 0; p < OPS_PRIORITIES; p++) {
		in->outbox_queued += ops->backlog.queued[p];
		in->outbox_sending += ops->backlog.sending[p];
	}
}

static void healthz_route(struct evhttp_request *req, void *arg)
{
	struct ops *ops = arg;
	size_t n_modems = ops->src.modems ? modem_mgr_count(ops->src.modems) : 0;
	struct health_modem *modems = calloc(n_modems + 1, sizeof(*modems));
	size_t cap = HEALTH_BUF + (n_modems + 1) * HEALTH_PER_PART;
	char *buf = malloc(cap);
	struct health_sender sender;
	struct kannel_status ks;
	struct health_input in;
	bool healthy = false;

	if (!method_ok(req))
		goto done;
	if (modems == NULL || buf == NULL) {
		http_reply_text(req, 503, "out of memory");
		goto done;
	}
	health_gather(ops, &in, modems, n_modems, &sender, &ks);
	if (!health_report(&in, buf, cap, &healthy)) {
		log_error("could not answer /healthz: the report takes more than %zu bytes", cap);
		http_reply_text(req, 503, "could not write the health report");
		goto done;
	}
	http_reply(req, healthy ? 200 : 503, "application/json", buf, strlen(buf));
done:
	free(buf);
	free(modems);
}

/* ==== public ==== */

struct ops *ops_new(struct event_base *base, const struct ops_sources *src)
{
	struct ops *ops = calloc(1, sizeof(*ops));

	if (ops == NULL)
		return NULL;
	ops->base = base;
	ops->src = *src;
	ops->started_ms = util_wall_ms();
	ops->render_cap = RENDER_FIRST;
	ops->backlog.oldest_due_age_s = -1;
	ops->messages = strmap_new(64);
	ops->reprocessed = strmap_new(16);
	ops->reports = strmap_new(32);
	ops->ev_backlog = event_new(base, -1, EV_PERSIST, backlog_tick, ops);
	if (ops->messages == NULL || ops->reprocessed == NULL || ops->reports == NULL ||
	    ops->ev_backlog == NULL) {
		ops_free(ops);
		return NULL;
	}
	if (src->pl != NULL)
		pipeline_set_stored_cb(src->pl, on_stored, ops);
	return ops;
}

void ops_free(struct ops *ops)
{
	if (ops == NULL)
		return;
	if (ops->src.pl != NULL)
		pipeline_set_stored_cb(ops->src.pl, NULL, NULL);
	if (ops->ev_backlog)
		event_free(ops->ev_backlog);
	for (size_t i = 0; i < ops->n_counts; i++)
		free(ops->counts[i]);
	free(ops->counts);
	strmap_free(ops->messages);
	strmap_free(ops->reprocessed);
	strmap_free(ops->reports);
	free(ops);
}

bool ops_route(struct ops *ops, struct http_server *srv)
{
	return http_server_route(srv, "/metrics", HTTP_ACCESS_LOCAL_OR_SECRET, metrics_route,
				 ops) &&
	       http_server_route(srv, "/healthz", HTTP_ACCESS_LOCAL_OR_SECRET, healthz_route, ops);
}
