/*
 * ops_metrics.c - the metrics of sawtd's modules, read from their stats at
 * each scrape; see ops.h.  docs/http.md lists them: keep it in step.
 *
 * Names follow Prometheus' conventions: the sawt_ prefix, _total on
 * counters, base units (seconds, bytes, ratios), and label values that
 * are the words the database and the logs use.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "alerts.h"
#include "db.h"
#include "http_server.h"
#include "intake.h"
#include "kannel.h"
#include "modem.h"
#include "outbox.h"
#include "pipeline.h"
#include "sawt_build.h"
#include "sms_http.h"
#include "sms_dlr.h"
#include "sms_inbound.h"
#include "ussd_inbound.h"
#include "util.h"

#define L(...) ((const char *const[]){ __VA_ARGS__ })

static struct metrics_family *counter(struct metrics *m, const char *name, const char *help,
				      const char *labels)
{
	return metrics_family(m, METRICS_COUNTER, name, help, labels);
}

static struct metrics_family *gauge(struct metrics *m, const char *name, const char *help,
				    const char *labels)
{
	return metrics_family(m, METRICS_GAUGE, name, help, labels);
}

static void collect_process(const struct ops_view *v, struct metrics *m)
{
	metrics_set(gauge(m, "sawt_build_info", "Always 1; the version of sawtd as a label.",
			  "version"),
		    L(SAWT_VERSION), 1);
	metrics_set(
		gauge(m, "sawt_start_time_seconds", "When sawtd started, in Unix seconds.", NULL),
		NULL, (double)v->started_ms / 1000.0);
}

static void collect_intake(const struct ops_view *v, struct metrics *m)
{
	static const char *const results[3] = { "committed", "spooled", "failed" };
	struct metrics_family *f;
	struct intake_stats st;
	int64_t now = util_wall_ms();

	if (v->src->intake == NULL)
		return;
	intake_stats(v->src->intake, &st);
	f = counter(m, "sawt_intake_messages_total",
		    "Messages handed over by a transport, by what became of them: committed, "
		    "spooled (durable on disk, stored later), failed (left with their source, "
		    "offered again).",
		    "transport,result");
	for (unsigned t = 1; t < INTAKE_TRANSPORTS; t++)
		for (int r = 0; r < 3; r++)
			metrics_set(f, L(inbound_transport_name((uint8_t)t), results[r]),
				    (double)st.results[t][r]);
	metrics_set(counter(m, "sawt_spool_replayed_total",
			    "Spooled messages stored once the database was back.", NULL),
		    NULL, (double)st.replayed);
	metrics_set(gauge(m, "sawt_spool_messages",
			  "Messages in the spool, waiting for the "
			  "database.",
			  NULL),
		    NULL, (double)st.spool_depth);
	metrics_set(gauge(m, "sawt_spool_oldest_age_seconds",
			  "How long the oldest spooled message has waited; 0 when the spool is "
			  "empty.",
			  NULL),
		    NULL,
		    st.spool_oldest_ms > 0 && now > st.spool_oldest_ms
			    ? (double)(now - st.spool_oldest_ms) / 1000.0
			    : 0);
	metrics_set(gauge(m, "sawt_messages_held_on_source",
			  "Messages sawtd could neither store nor spool, left on their modems "
			  "and offered again.",
			  NULL),
		    NULL, (double)st.held_on_source);
	metrics_set(counter(m, "sawt_intake_refusal_episodes_total",
			    "Times messages were refused (neither stored nor spooled) and then "
			    "made durable again.",
			    NULL),
		    NULL, (double)st.episodes);
	metrics_set(gauge(m, "sawt_intake_refusing",
			  "1 while messages are refused: neither stored nor spooled.", NULL),
		    NULL, st.refusing ? 1 : 0);
	if (st.spool_free_bytes >= 0)
		metrics_set(gauge(m, "sawt_spool_free_bytes",
				  "Free space on the spool's filesystem, in bytes.", NULL),
			    NULL, (double)st.spool_free_bytes);
	if (st.spool_total_bytes >= 0)
		metrics_set(gauge(m, "sawt_spool_size_bytes",
				  "Size of the spool's filesystem, in bytes.", NULL),
			    NULL, (double)st.spool_total_bytes);
}

/* A db_stats as the sawt_db_* families, for the connections named conn. */
static void put_db(struct metrics *m, const char *conn, const struct db_stats *st)
{
	struct metrics_family *f;

	f = counter(m, "sawt_db_queries_total",
		    "Database queries by connection and result: ok, error (the server's), "
		    "unanswered (the connection was lost first).",
		    "connection,result");
	metrics_set(f, L(conn, "ok"), (double)(st->answered - st->errors));
	metrics_set(f, L(conn, "error"), (double)st->errors);
	metrics_set(f, L(conn, "unanswered"), (double)st->unanswered);
	f = counter(m, "sawt_db_connection_events_total",
		    "Database connection events by connection: connected, lost, failed (an "
		    "attempt to connect).",
		    "connection,event");
	metrics_set(f, L(conn, "connected"), (double)st->connects);
	metrics_set(f, L(conn, "lost"), (double)st->lost);
	metrics_set(f, L(conn, "failed"), (double)st->connect_failures);
	metrics_hist_set(metrics_family(m, METRICS_HISTOGRAM, "sawt_db_query_duration_seconds",
					"Database query latency: from sending a query to its "
					"result, by connection.",
					"connection"),
			 L(conn), &st->latency);
}

static void collect_db(const struct ops_view *v, struct metrics *m)
{
	struct pipeline_stats ps;
	struct db_stats st;
	bool up = v->src->db != NULL && db_get_state(v->src->db) == DB_STATE_READY;

	metrics_set(gauge(m, "sawt_db_up", "1 when the main database connection is ready.", NULL),
		    NULL, up ? 1 : 0);
	if (v->src->db != NULL) {
		db_get_stats(v->src->db, &st);
		put_db(m, "main", &st);
	}
	if (v->src->pl == NULL)
		return;
	pipeline_stats(v->src->pl, &ps);
	if (ps.lanes > 1)
		put_db(m, "write", &ps.write_db);
	metrics_set(gauge(m, "sawt_db_write_connections",
			  "Connections the pipeline writes messages over (the main one "
			  "included).",
			  NULL),
		    NULL, ps.lanes);
	metrics_set(gauge(m, "sawt_db_write_connections_ready",
			  "Of those, connections that are ready.", NULL),
		    NULL, ps.lanes_ready);
	metrics_set(gauge(m, "sawt_pipeline_pending_messages",
			  "Messages handed to the pipeline and not yet committed.", NULL),
		    NULL, (double)ps.pending);
	metrics_set(counter(m, "sawt_pipeline_batches_total",
			    "Transactions that stored a batch of messages.", NULL),
		    NULL, (double)ps.batches);
	metrics_set(counter(m, "sawt_pipeline_batch_messages_total",
			    "Messages in those transactions.", NULL),
		    NULL, (double)ps.batch_messages);
	metrics_set(counter(m, "sawt_pipeline_batch_retries_total",
			    "Batches sent again or split after an error.", NULL),
		    NULL, (double)ps.retries);
}

static void collect_outbox(const struct ops_view *v, struct metrics *m)
{
	const struct ops_backlog *bl = v->backlog;
	struct metrics_family *f;
	struct outbox_stats st;

	if (v->src->outbox != NULL) {
		outbox_get_stats(v->src->outbox, &st);
		f = counter(m, "sawt_outbox_sends_total",
			    "Attempts to send replies, alerts and other messages, by transport "
			    "(modem, kannel), kind and result: sent, retry (refused, queued again "
			    "later), lost (unknown whether it went, queued again), failed (the "
			    "last attempt), rejected (refused for good by Kannel).",
			    "transport,kind,result");
		for (unsigned via = 0; via < OUTBOX_VIAS; via++) {
			const char *name = via == OUTBOX_VIA_MODEM ? "modem" : st.sender_via;

			if (name[0] == '\0')
				continue;
			for (int k = 0; k < OUTBOX_KINDS; k++)
				for (int r = 0; r < OUTBOX_RESULTS; r++)
					metrics_set(f,
						    L(name, outbox_kind_name((enum outbox_kind)k),
						      outbox_result_name((enum outbox_result)r)),
						    (double)st.results[via][k][r]);
		}
		f = counter(m, "sawt_outbox_delivery_reports_total",
			    "Delivery reports by transport and state: delivered, failed.",
			    "transport,state");
		metrics_set(f, L("modem", "delivered"), (double)st.delivered);
		metrics_set(f, L("modem", "failed"), (double)st.not_delivered);
		if (v->src->kannel != NULL && v->src->sms_dlr != NULL) {
			struct sms_dlr_stats ds;

			sms_dlr_stats(v->src->sms_dlr, &ds);
			metrics_set(f, L("kannel", "delivered"), (double)ds.delivered);
			metrics_set(f, L("kannel", "failed"), (double)ds.undelivered);
		}
		metrics_set(gauge(m, "sawt_outbox_in_flight_messages",
				  "Messages this node has handed to a sender and not heard back "
				  "about.",
				  NULL),
			    NULL, outbox_in_flight(v->src->outbox));
	}
	if (bl == NULL || !bl->known)
		return; /* the database's figures are not known now: no series */
	f = gauge(m, "sawt_outbox_messages",
		  "Messages in the outbox (every node's), by priority (0 alerts, 1 error "
		  "replies, 2 confirmations, 3 other) and state: queued, sending.",
		  "priority,state");
	for (int p = 0; p < OPS_PRIORITIES; p++) {
		char prio[4];

		if (p > 3 && bl->queued[p] == 0 && bl->sending[p] == 0)
			continue;
		snprintf(prio, sizeof(prio), "%d", p);
		metrics_set(f, L(prio, "queued"), (double)bl->queued[p]);
		metrics_set(f, L(prio, "sending"), (double)bl->sending[p]);
	}
	metrics_set(gauge(m, "sawt_outbox_oldest_due_age_seconds",
			  "How long the oldest queued message due for sending has waited; 0 when "
			  "none is due.",
			  NULL),
		    NULL, bl->oldest_due_age_s > 0 ? (double)bl->oldest_due_age_s : 0);
}

static void collect_modems(const struct ops_view *v, struct metrics *m)
{
	static const enum modem_state states[] = {
		MODEM_STATE_DOWN,       MODEM_STATE_STARTING, MODEM_STATE_READY,
		MODEM_STATE_NO_NETWORK, MODEM_STATE_STOPPING, MODEM_STATE_STOPPED,
	};
	struct metrics_family *up, *state, *ratio, *dbm, *recv, *sends, *restarts, *queued, *last;
	size_t n = v->src->modems ? modem_mgr_count(v->src->modems) : 0;

	up = gauge(m, "sawt_modem_up", "1 when the modem is open and on a network (ready).",
		   "modem");
	state = gauge(m, "sawt_modem_state", "1 for the modem's current state, 0 for the others.",
		      "modem,state");
	ratio = gauge(m, "sawt_modem_signal_ratio",
		      "Signal strength, 0 to 1 (the modem's percentage); absent when unknown.",
		      "modem");
	dbm = gauge(m, "sawt_modem_signal_dbm", "Signal strength in dBm; absent when unknown.",
		    "modem");
	recv = counter(m, "sawt_modem_received_total",
		       "Messages read from the modem and handed over.", "modem");
	sends = counter(m, "sawt_modem_sends_total",
			"Messages the modem was asked to send, by result: ok, failed.",
			"modem,result");
	restarts = counter(m, "sawt_modem_restarts_total",
			   "Worker processes started for the modem after the first.", "modem");
	queued = gauge(m, "sawt_modem_sends_queued", "Sends waiting on the modem's worker.",
		       "modem");
	last = gauge(m, "sawt_modem_last_activity_timestamp_seconds",
		     "When a message last went in or out of the modem, in Unix seconds; 0 never.",
		     "modem");
	for (size_t i = 0; i < n; i++) {
		const struct modem_status *st = modem_mgr_status_at(v->src->modems, i);

		if (st == NULL)
			continue;
		metrics_set(up, L(st->name), st->state == MODEM_STATE_READY ? 1 : 0);
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			metrics_set(state, L(st->name, modem_state_name(states[k])),
				    st->state == states[k] ? 1 : 0);
		if (st->signal_percent >= 0)
			metrics_set(ratio, L(st->name), st->signal_percent / 100.0);
		if (st->signal_dbm != 0)
			metrics_set(dbm, L(st->name), st->signal_dbm);
		metrics_set(recv, L(st->name), (double)st->received);
		metrics_set(sends, L(st->name, "ok"), (double)st->sent);
		metrics_set(sends, L(st->name, "failed"), (double)st->send_failed);
		metrics_set(restarts, L(st->name), st->restarts);
		metrics_set(queued, L(st->name), st->sends_queued);
		metrics_set(last, L(st->name), (double)(st->last_activity_ms / 1000));
	}
}

static void collect_http(const struct ops_view *v, struct metrics *m)
{
	struct http_server_stats st;
	struct metrics_family *f;

	if (v->src->http == NULL)
		return;
	http_server_stats(v->src->http, &st);
	f = counter(m, "sawt_http_requests_total",
		    "HTTP requests answered, by route (\"other\": no such route) and status.",
		    "path,status");
	for (size_t r = 0; r < st.n_routes; r++) {
		for (size_t c = 0; c < st.routes[r].n_codes; c++) {
			char status[16];

			if (st.routes[r].codes[c].status > 0)
				snprintf(status, sizeof(status), "%d",
					 st.routes[r].codes[c].status);
			else
				snprintf(status, sizeof(status), "other");
			metrics_add(f, L(st.routes[r].path, status),
				    (double)st.routes[r].codes[c].count);
		}
	}
	metrics_set(counter(m, "sawt_http_auth_failures_total",
			    "Requests refused 401: a missing, wrong or misplaced secret.", NULL),
		    NULL, (double)st.auth_failures);
	metrics_set(counter(m, "sawt_http_auth_delayed_total",
			    "Of those, answered late: an address that keeps failing.", NULL),
		    NULL, (double)st.auth_delayed);
	f = counter(m, "sawt_http_connections_total",
		    "HTTP connections by result: accepted, refused (max_connections reached).",
		    "result");
	metrics_set(f, L("accepted"), (double)st.conns_accepted);
	metrics_set(f, L("refused"), (double)st.conns_refused);
	metrics_set(gauge(m, "sawt_http_connections_open", "HTTP connections open now.", NULL),
		    NULL, st.conns_open);
	metrics_set(counter(m, "sawt_http_client_gone_total",
			    "Requests whose client left before the answer.", NULL),
		    NULL, (double)st.client_gone);
}

static void collect_sms_inbound(const struct ops_view *v, struct metrics *m)
{
	struct sms_inbound_stats st;
	struct metrics_family *f;

	if (v->src->sms_inbound == NULL)
		return;
	sms_inbound_stats(v->src->sms_inbound, &st);
	f = counter(m, "sawt_http_inbound_refused_total",
		    "Requests to /sms/inbound refused 400, by reason.", "reason");
	for (int e = 1; e < SMS_HTTP_ERROR_COUNT; e++)
		metrics_set(f, L(sms_http_error_code((enum sms_http_error)e)),
			    (double)st.rejected[e]);
	metrics_set(gauge(m, "sawt_http_inbound_pending_messages",
			  "Requests to /sms/inbound waiting for their message to be durable.",
			  NULL),
		    NULL, (double)st.pending);
}

static void collect_ussd(const struct ops_view *v, struct metrics *m)
{
	struct ussd_inbound_stats st;
	struct metrics_family *f;

	if (v->src->ussd == NULL)
		return;
	ussd_inbound_stats(v->src->ussd, &st);
	f = counter(m, "sawt_ussd_answers_total",
		    "USSD requests answered, by what they ended in: a screen (continue, end), a "
		    "report made durable, an unknown caller recorded, expired, busy, failed (503).",
		    "result");
	metrics_set(f, L("screen"),
		    (double)(st.requests - st.submitted - st.unknown - st.expired - st.busy));
	metrics_set(f, L("submitted"), (double)st.submitted);
	metrics_set(f, L("unknown"), (double)st.unknown);
	metrics_set(f, L("expired"), (double)st.expired);
	metrics_set(f, L("busy"), (double)st.busy);
	metrics_set(f, L("failed"), (double)st.failed);
	f = counter(m, "sawt_ussd_refused_total", "Requests to /ussd refused 400, by reason.",
		    "reason");
	for (int e = 1; e < USSD_ERROR_COUNT; e++)
		metrics_set(f, L(ussd_error_code((enum ussd_error)e)), (double)st.rejected[e]);
	metrics_set(gauge(m, "sawt_ussd_sessions", "USSD sessions kept in memory.", NULL), NULL,
		    (double)st.sessions);
	metrics_set(gauge(m, "sawt_ussd_pending_reports",
			  "Confirmed USSD reports waiting to be durable.", NULL),
		    NULL, (double)st.pending);
}

static void collect_kannel(const struct ops_view *v, struct metrics *m)
{
	static const enum kannel_state states[] = { KANNEL_STATE_UP, KANNEL_STATE_DOWN,
						    KANNEL_STATE_PROBING };
	struct kannel_status ks;
	struct metrics_family *f;

	if (v->src->kannel != NULL) {
		kannel_get_status(v->src->kannel, &ks);
		metrics_set(
			gauge(m, "sawt_kannel_up", "1 when Kannel's sendsms takes messages.", NULL),
			NULL, ks.state == KANNEL_STATE_UP ? 1 : 0);
		f = gauge(m, "sawt_kannel_state",
			  "1 for the Kannel sender's state (up, down, probing), 0 for the others.",
			  "state");
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			metrics_set(f, L(kannel_state_name(states[i])),
				    ks.state == states[i] ? 1 : 0);
		f = counter(m, "sawt_kannel_answers_total",
			    "Kannel's answers to sendsms requests: accepted, rejected (the message "
			    "will never go), unavailable (no answer, 5xx, a setup error).",
			    "answer");
		metrics_set(f, L("accepted"), (double)ks.accepted);
		metrics_set(f, L("rejected"), (double)ks.rejected);
		metrics_set(f, L("unavailable"), (double)ks.unavailable);
		metrics_set(gauge(m, "sawt_kannel_in_flight_requests",
				  "sendsms requests waiting for Kannel's answer.", NULL),
			    NULL, ks.in_flight);
		metrics_set(gauge(m, "sawt_kannel_last_accepted_timestamp_seconds",
				  "When Kannel last accepted a message, in Unix seconds; 0 never.",
				  NULL),
			    NULL, (double)(ks.last_accepted_ms / 1000));
	}
	if (v->src->sms_dlr != NULL) {
		struct sms_dlr_stats ds;

		sms_dlr_stats(v->src->sms_dlr, &ds);
		f = counter(m, "sawt_http_dlr_reports_total",
			    "Requests to /sms/dlr by result: recorded, malformed (400), no_row "
			    "(404), failed (503, the database).",
			    "result");
		metrics_set(f, L("recorded"), (double)ds.recorded);
		metrics_set(f, L("malformed"), (double)ds.malformed);
		metrics_set(f, L("no_row"), (double)ds.no_row);
		metrics_set(f, L("failed"), (double)ds.failed);
	}
}

/*
 * The alerts module: what became of each rule's alerts since start, the
 * SMS it queued, what rate limits held back, and whether this node is
 * the one dispatching the election's alerts (docs/alerts.md).
 */
static void collect_alerts(const struct ops_view *v, struct metrics *m)
{
	static const char *const outcomes[ALERTS_OUTCOMES] = {
		[ALERTS_OPENED] = "opened",     [ALERTS_DUPLICATE] = "duplicate",
		[ALERTS_BATCHED] = "batched",   [ALERTS_ESCALATED] = "escalated",
		[ALERTS_RESOLVED] = "resolved",
	};
	struct alerts_stats st;
	struct metrics_family *f;

	if (v->src->alerts == NULL)
		return;
	alerts_get_stats(v->src->alerts, &st);
	f = counter(m, "sawt_alerts_total",
		    "Alerts by rule and what became of them: opened (stored and sent), duplicate "
		    "(within the dedup window: stored only), batched (added to an area's batch), "
		    "escalated, resolved.",
		    "rule,outcome");
	for (int r = 0; r < ALERT_RULE_COUNT; r++)
		for (int o = 0; o < ALERTS_OUTCOMES; o++)
			metrics_set(f, L(alert_rule_name((enum alert_rule)r), outcomes[o]),
				    (double)st.by_rule[r][o]);
	metrics_set(counter(m, "sawt_alert_sms_queued_total",
			    "Alert SMS put in the outbox, digests included.", NULL),
		    NULL, (double)st.sms_queued);
	f = counter(m, "sawt_alert_copies_total",
		    "Copies of alerts a coordinator's rate limit touched: held (kept back), "
		    "released (sent alone later; the others went in a digest).",
		    "result");
	metrics_set(f, L("held"), (double)st.held);
	metrics_set(f, L("released"), (double)st.released);
	metrics_set(counter(m, "sawt_alert_digests_total", "Digests sent to coordinators.", NULL),
		    NULL, (double)st.digests);
	metrics_set(counter(m, "sawt_alert_reports_total",
			    "Reports the alerts module has looked at.", NULL),
		    NULL, (double)st.reports);
	f = counter(m, "sawt_alert_passes_total",
		    "Passes of the alerts module, by result: ok, failed (its query or write "
		    "failed; the next pass does the work).",
		    "result");
	metrics_set(f, L("ok"), (double)(st.passes - st.failures));
	metrics_set(f, L("failed"), (double)st.failures);
	metrics_set(gauge(m, "sawt_alert_dispatcher",
			  "1 when this node dispatches the election's alerts (one node does).",
			  NULL),
		    NULL, st.leader ? 1 : 0);
}

void ops_collect(const struct ops_view *v, struct metrics *m)
{
	collect_process(v, m);
	collect_intake(v, m);
	collect_db(v, m);
	collect_outbox(v, m);
	collect_modems(v, m);
	collect_http(v, m);
	collect_sms_inbound(v, m);
	collect_ussd(v, m);
	collect_kannel(v, m);
	collect_alerts(v, m);
}
