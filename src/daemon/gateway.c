/*
 * gateway.c - the message path of sawtd; see gateway.h.
 */
#include "gateway.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts.h"
#include "command.h"
#include "reminders.h"
#include "http_door.h"
#include "http_server.h"
#include "intake.h"
#include "kannel.h"
#include "modem.h"
#include "modem_report.h"
#include "ops.h"
#include "outbox.h"
#include "pipeline.h"
#include "sms_dlr.h"
#include "sms_inbound.h"
#include "ussd_inbound.h"
#include "util.h"
#include "web.h"
#include "web_events.h"

#include "sawt_build.h"

enum gateway_phase {
	GATEWAY_RUNNING,
	GATEWAY_DRAINING, /* received messages finish; modems still up */
	GATEWAY_STOPPING_MODEMS,
	GATEWAY_STOPPED,
};

struct gateway {
	enum gateway_phase phase;
	char node[64];
	struct db *db;
	struct pipeline *pl;
	struct intake *intake;
	struct modem_mgr *modems;
	struct outbox *outbox;
	struct command *command;     /* answers coordinators */
	struct reminders *reminders; /* scheduled broadcasts */
	struct alerts *alerts;       /* alerts to coordinators */
	struct modem_report *report;
	struct event *ev_report;         /* refreshes sawt.modems' counters */
	struct http_server *http;        /* NULL: [http] listen not set */
	struct sms_inbound *sms_inbound; /* /sms/inbound */
	struct sms_dlr *sms_dlr;         /* /sms/dlr */
	struct web *web;                 /* /, /api/... (the election-day page) */
	struct web_events *events;       /* /api/events (the page's live updates) */
	struct ussd_inbound *ussd;       /* /ussd */
	struct kannel *kannel;           /* NULL: [kannel] url not set */
	struct ops *ops;                 /* /metrics, /healthz */
	unsigned drain_ticks;
	int64_t rescan_ms;  /* last rescan asked of the modems, monotonic */
	bool rescan_wanted; /* one more is due after GATEWAY_RESCAN_MIN_MS */
};

#define GATEWAY_REPORT_SEC 1
#define GATEWAY_RESCAN_MIN_MS 1000 /* at most one rescan a second */

/* What a pending acknowledgement needs to find its message again. */
struct ack_ctx {
	struct gateway *gw;
	uint64_t token;
	char modem[MODEM_NAME_BUF];
};

static void inbound_acked(void *arg, enum intake_result result)
{
	struct ack_ctx *ctx = arg;

	/* refused: it stays on the modem, which offers it again later */
	if (result == INTAKE_FAILED) {
		if (!modem_mgr_release(ctx->gw->modems, ctx->modem, ctx->token))
			log_debug(
				"could not release a message to modem %s; it will be offered "
				"again",
				ctx->modem);
	} else if (!modem_mgr_ack(ctx->gw->modems, ctx->modem, ctx->token)) {
		log_warn("could not acknowledge a message to modem %s; it will be offered again",
			 ctx->modem);
	}
	if (result == INTAKE_COMMITTED) {
		outbox_kick(ctx->gw->outbox);
		command_kick(ctx->gw->command);
		alerts_kick(ctx->gw->alerts);
	}
	free(ctx);
}

/* A coordinator's answer was queued: send it soon. */
static void command_queued(void *arg)
{
	struct gateway *gw = arg;

	outbox_kick(gw->outbox);
}

/* Alerts were queued: send them soon. */
static void alerts_queued(void *arg)
{
	struct gateway *gw = arg;

	outbox_kick(gw->outbox);
}

static void on_inbound(const struct inbound *in, const char *modem, uint64_t token, void *arg)
{
	struct gateway *gw = arg;
	struct ack_ctx *ctx = malloc(sizeof(*ctx));
	char phone[LOG_PHONE_BUF];

	if (ctx == NULL) {
		log_error("out of memory: a message from modem %s stays on it", modem);
		return;
	}
	log_debug("message from %s on modem %s (%u bytes)",
		  log_phone(in->sender, phone, sizeof(phone)), modem, in->text_len);
	ctx->gw = gw;
	ctx->token = token;
	snprintf(ctx->modem, sizeof(ctx->modem), "%s", modem);
	intake_submit(gw->intake, in, inbound_acked, ctx);
}

static void on_sent(const char *modem, uint64_t outbox_id, enum modem_send_outcome outcome,
		    int parts, int reference, const char *error, void *arg)
{
	struct gateway *gw = arg;

	outbox_on_sent(gw->outbox, modem, outbox_id, outcome, parts, reference, error);
}

static void on_status(const struct modem_status *st, void *arg)
{
	struct gateway *gw = arg;

	outbox_on_modem_status(gw->outbox, st);
	modem_report_status(gw->report, st);
}

static void on_delivery(const char *modem, int reference, enum frame_delivery status,
			const char *recipient, void *arg)
{
	struct gateway *gw = arg;

	outbox_on_delivery(gw->outbox, modem, reference, status, recipient);
}

/* The intake can take messages again: the modems offer what it refused,
 * at once, but not more than once every GATEWAY_RESCAN_MIN_MS. */
static void intake_room(void *arg)
{
	struct gateway *gw = arg;
	int64_t now = util_mono_ms();

	if (gw->phase != GATEWAY_RUNNING)
		return;
	if (now - gw->rescan_ms < GATEWAY_RESCAN_MIN_MS) {
		gw->rescan_wanted = true;
		return;
	}
	gw->rescan_ms = now;
	gw->rescan_wanted = false;
	modem_mgr_rescan(gw->modems);
}

static size_t intake_held(void *arg)
{
	struct gateway *gw = arg;

	return modem_mgr_held(gw->modems);
}

/* Counters change with every message; the table follows within
 * MODEM_REPORT_MIN_SEC (modem_report throttles). */
static void report_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;
	struct intake_stats is;

	(void)fd;
	(void)what;
	if (gw->rescan_wanted)
		intake_room(gw);
	for (size_t i = 0; i < modem_mgr_count(gw->modems); i++)
		modem_report_status(gw->report, modem_mgr_status_at(gw->modems, i));
	intake_stats(gw->intake, &is);
	modem_report_node(gw->report, &is);
}

/* Kannel's answer to a row the outbox handed it. */
static void kannel_result(uint64_t id, enum kannel_answer answer, const char *text, void *arg)
{
	struct gateway *gw = arg;
	enum outbox_outcome o = answer == KANNEL_ANSWER_ACCEPTED   ? OUTBOX_SENT
				: answer == KANNEL_ANSWER_REJECTED ? OUTBOX_REJECTED
								   : OUTBOX_RETRY;

	outbox_on_sender_result(gw->outbox, id, o, o == OUTBOX_SENT ? NULL : text);
}

static unsigned kannel_room_cb(void *ctx)
{
	return kannel_room(ctx);
}

static bool kannel_send_cb(void *ctx, uint64_t id, const char *to, const char *body)
{
	return kannel_send(ctx, id, to, body);
}

/*
 * Kannel's sendsms as the outbox's other sender, when [kannel] url is
 * set: with outbound = kannel (the default) the modems send nothing.
 */
static bool gateway_kannel(struct gateway *gw, struct event_base *base, const struct config *cfg,
			   char *err, size_t errlen)
{
	struct outbox_sender s = {
		.via = "kannel",
		.room = kannel_room_cb,
		.send = kannel_send_cb,
	};

	gw->kannel = kannel_new(base, cfg, kannel_result, gw, err, errlen);
	if (gw->kannel == NULL)
		return err[0] == '\0';
	s.ctx = gw->kannel;
	outbox_set_sender(gw->outbox, &s);
	if (cfg->kannel_outbound == CONFIG_OUTBOUND_KANNEL)
		outbox_set_modems(gw->outbox, NULL);
	log_info("replies and alerts leave through Kannel (%s)%s%s", cfg->kannel_url,
		 cfg->kannel_outbound == CONFIG_OUTBOUND_BOTH ? " and the modems" : "",
		 cfg->kannel_dlr_url ? ", with delivery reports" : "");
	return true;
}

/* A message that came over HTTP was committed: replies may wait. */
static void http_committed(void *arg)
{
	struct gateway *gw = arg;

	outbox_kick(gw->outbox);
	command_kick(gw->command);
	alerts_kick(gw->alerts);
}

/*
 * /metrics and /healthz over every part of the message path.  With
 * [kannel] outbound = kannel the modems send nothing.
 */
static bool gateway_ops(struct gateway *gw, struct event_base *base, const struct config *cfg,
			char *err, size_t errlen)
{
	struct ops_sources src = {
		.db = gw->db,
		.pl = gw->pl,
		.intake = gw->intake,
		.outbox = gw->outbox,
		.modems = gw->modems,
		.modems_send = gw->kannel == NULL || cfg->kannel_outbound != CONFIG_OUTBOUND_KANNEL,
		.kannel = gw->kannel,
		.http = gw->http,
		.sms_inbound = gw->sms_inbound,
		.sms_dlr = gw->sms_dlr,
		.ussd = gw->ussd,
		.alerts = gw->alerts,
	};

	gw->ops = ops_new(base, &src);
	if (gw->ops == NULL || !ops_route(gw->ops, gw->http)) {
		snprintf(err, errlen, "could not add the HTTP routes /metrics and /healthz");
		return false;
	}
	return true;
}

/* A sign-in code was queued: send it now. */
static void web_code_queued(void *arg)
{
	struct gateway *gw = arg;

	outbox_kick(gw->outbox);
}

/* The coordinators' page (docs/web.md), from the installed page files. */
static bool gateway_web(struct gateway *gw, const struct config *cfg, char *err, size_t errlen)
{
	struct web_options opt = {
		.root = cfg->web.root != NULL ? cfg->web.root : web_default_root(),
		.chart_js = cfg->web.chart_js != NULL ? cfg->web.chart_js : SAWT_CHART_JS,
		.code_ttl_s = cfg->web.code_ttl_s,
		.session_s = cfg->web.session_hours * 3600,
		.max_attempts = cfg->web.max_attempts,
		.sign_in_per_address = cfg->web.sign_in_per_address,
	};
	char why[256];

	gw->web = web_new(gw->db, &opt, web_code_queued, gw, why, sizeof(why));
	if (gw->web == NULL) {
		snprintf(err, errlen, "could not load the election-day page from \"%s\": %s",
			 opt.root, why);
		return false;
	}
	if (!web_route(gw->web, gw->http)) {
		snprintf(err, errlen, "could not add the page's HTTP routes: the table is full");
		return false;
	}
	return true;
}

/* The alert thresholds the page marks by, from [alerts]. */
static void web_marks(const struct config *cfg, struct web_thresholds *marks)
{
	marks->turnout_high_pct = cfg->alerts.turnout_high_pct;
	marks->women_low_pct = cfg->alerts.women_low_pct;
	marks->women_high_pct = cfg->alerts.women_high_pct;
	marks->women_min_voters = cfg->alerts.women_min_voters;
}

/* The counters whose moves the page hears of (web_events.h). */
static void gateway_stamp(void *arg, struct web_events_stamp *out)
{
	struct gateway *gw = arg;
	struct pipeline_stats ps;
	struct alerts_stats as;
	struct outbox_stats os;

	memset(out, 0, sizeof(*out));
	if (gw->pl != NULL) {
		pipeline_stats(gw->pl, &ps);
		out->reports = ps.committed;
		out->ops += ps.received;
	}
	if (gw->alerts != NULL) {
		alerts_get_stats(gw->alerts, &as);
		for (size_t r = 0; r < ALERT_RULE_COUNT; r++)
			for (size_t o = 0; o < ALERTS_OUTCOMES; o++)
				out->alerts += as.by_rule[r][o];
	}
	if (gw->outbox != NULL) {
		outbox_get_stats(gw->outbox, &os);
		out->ops += os.sent + os.failed_attempts + os.rejected;
	}
}

/*
 * The HTTP door, when [http] listen is set, and its routes.  Each
 * module's route is added here.
 */
static bool gateway_http(struct gateway *gw, struct event_base *base, const struct config *cfg,
			 char *err, size_t errlen)
{
	struct web_thresholds marks;

	gw->http = http_door_new(base, cfg, err, errlen);
	if (gw->http == NULL)
		return err[0] == '\0';
	gw->sms_inbound = sms_inbound_new(gw->intake, http_committed, gw);
	if (gw->sms_inbound == NULL || !sms_inbound_route(gw->sms_inbound, gw->http)) {
		snprintf(err, errlen, "could not add the HTTP route /sms/inbound: out of memory");
		return false;
	}
	gw->ussd = ussd_inbound_new(base, gw->intake, gw->pl, gw->db, cfg, http_committed, gw);
	if (gw->ussd == NULL || !ussd_inbound_route(gw->ussd, gw->http)) {
		snprintf(err, errlen, "could not add the HTTP route /ussd: out of memory");
		return false;
	}
	gw->sms_dlr = sms_dlr_new(gw->db);
	if (gw->sms_dlr == NULL || !sms_dlr_route(gw->sms_dlr, gw->http)) {
		snprintf(err, errlen, "could not add the HTTP route /sms/dlr: out of memory");
		return false;
	}
	if (!gateway_ops(gw, base, cfg, err, errlen))
		return false;
	if (!gateway_web(gw, cfg, err, errlen))
		return false;
	web_marks(cfg, &marks);
	gw->events = web_events_new(base, gw->db, (unsigned)cfg->web.max_streams, &marks,
				    gateway_stamp, gw);
	if (gw->events == NULL || !web_events_route(gw->events, gw->http)) {
		snprintf(err, errlen, "could not add the HTTP route /api/events: out of memory");
		return false;
	}
	return true;
}

static bool gateway_build(struct gateway *gw, struct event_base *base, const struct config *cfg,
			  char *err, size_t errlen)
{
	struct modem_callbacks cb = {
		.on_inbound = on_inbound,
		.on_sent = on_sent,
		.on_status = on_status,
		.on_delivery = on_delivery,
		.arg = gw,
	};
	struct pipeline_options opt;
	char spool_dir[4096];

	gw->pl = pipeline_new(base, gw->db, cfg);
	if (gw->pl == NULL) {
		snprintf(err, errlen,
			 "could not create the pipeline (check [election] results_deadline)");
		return false;
	}
	pipeline_options_init(&opt);
	opt.node = gw->node;
	if (!pipeline_set_options(gw->pl, &opt))
		goto oom;
	snprintf(spool_dir, sizeof(spool_dir), "%s/spool", cfg->state_dir);
	gw->intake = intake_new(base, gw->pl, spool_dir, err, errlen);
	if (gw->intake == NULL)
		return false;
	gw->outbox = outbox_new(base, gw->db, NULL, gw->node);
	gw->command = command_new(base, gw->db, cfg, command_queued, gw);
	gw->reminders = reminders_new(base, gw->db, cfg, gw->node);
	gw->report = modem_report_new(gw->db, gw->node);
	gw->modems = modem_mgr_new(base, cfg, NULL, &cb);
	gw->ev_report = event_new(base, -1, EV_PERSIST, report_tick, gw);
	gw->alerts = alerts_new(base, gw->db, pipeline_registry(gw->pl), gw->intake, cfg, gw->node,
				alerts_queued, gw);
	if (gw->outbox == NULL || gw->command == NULL || gw->reminders == NULL ||
	    gw->report == NULL || gw->modems == NULL || gw->ev_report == NULL || gw->alerts == NULL)
		goto oom;
	outbox_set_modems(gw->outbox, gw->modems);
	intake_set_hooks(gw->intake, &(struct intake_hooks){
					     .room = intake_room, .held = intake_held, .arg = gw });
	intake_set_spool_warn(gw->intake, cfg->spool_warn_free.bytes, cfg->spool_warn_free.pct);
	if (!gateway_kannel(gw, base, cfg, err, errlen))
		return false;
	return gateway_http(gw, base, cfg, err, errlen);
oom:
	snprintf(err, errlen, "out of memory");
	return false;
}

struct gateway *gateway_new(struct event_base *base, struct db *db, const struct config *cfg,
			    char *err, size_t errlen)
{
	struct gateway *gw = calloc(1, sizeof(*gw));

	if (gw == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	gw->db = db;
	if (cfg->node_name != NULL)
		snprintf(gw->node, sizeof(gw->node), "%s", cfg->node_name);
	else if (gethostname(gw->node, sizeof(gw->node) - 1) != 0)
		snprintf(gw->node, sizeof(gw->node), "sawtd");
	if (!gateway_build(gw, base, cfg, err, errlen)) {
		gateway_free(gw);
		return NULL;
	}
	return gw;
}

bool gateway_start(struct gateway *gw, char *err, size_t errlen)
{
	struct timeval tv = { GATEWAY_REPORT_SEC, 0 };

	if (event_add(gw->ev_report, &tv) != 0) {
		snprintf(err, errlen, "could not start the modem status timer");
		return false;
	}
	return modem_mgr_start(gw->modems, err, errlen);
}

void gateway_on_db_state(struct gateway *gw, enum db_state state)
{
	bool ready = state == DB_STATE_READY;

	pipeline_on_db_state(gw->pl, state);
	intake_set_db_ready(gw->intake, ready);
	outbox_set_db_ready(gw->outbox, ready && gw->phase == GATEWAY_RUNNING);
	command_set_db_ready(gw->command, ready && gw->phase == GATEWAY_RUNNING);
	reminders_set_db_ready(gw->reminders, ready && gw->phase == GATEWAY_RUNNING);
	alerts_set_db_ready(gw->alerts, ready && gw->phase == GATEWAY_RUNNING);
	ops_set_db_ready(gw->ops, ready && gw->phase == GATEWAY_RUNNING);
}

void gateway_reconfigure(struct gateway *gw, const struct config *cfg)
{
	struct web_thresholds marks;

	alerts_reconfigure(gw->alerts, cfg);
	web_marks(cfg, &marks);
	web_events_set_thresholds(gw->events, &marks);
	if (gw->phase == GATEWAY_RUNNING)
		modem_mgr_reconfigure(gw->modems, cfg);
}

void gateway_on_notify(struct gateway *gw, const char *channel, const char *payload)
{
	pipeline_on_notify(gw->pl, channel, payload);
	web_events_on_notify(gw->events, channel);
}

void gateway_stop(struct gateway *gw)
{
	if (gw->phase != GATEWAY_RUNNING)
		return;
	gw->phase = GATEWAY_DRAINING;
	http_server_stop_listening(gw->http);
	event_del(gw->ev_report);
	outbox_stop(gw->outbox);
	command_stop(gw->command);
	reminders_stop(gw->reminders);
	alerts_stop(gw->alerts);
	ops_set_db_ready(gw->ops, false);
	pipeline_flush(gw->pl);
}

/* Called every 50 ms while stopping. */
bool gateway_stopped(struct gateway *gw)
{
	switch (gw->phase) {
	case GATEWAY_RUNNING: return false;
	case GATEWAY_DRAINING:
		/* received messages commit (or spool) and are acknowledged;
		 * give up waiting after 10 s: they stay on the SIM */
		if ((intake_in_flight(gw->intake) > 0 || command_in_flight(gw->command) > 0 ||
		     reminders_in_flight(gw->reminders) > 0 || alerts_in_flight(gw->alerts) > 0) &&
		    ++gw->drain_ticks < 200)
			return false;
		gw->phase = GATEWAY_STOPPING_MODEMS;
		modem_mgr_stop(gw->modems);
		return false;
	case GATEWAY_STOPPING_MODEMS:
		/* and Kannel answers what it was handed (within [kannel] timeout) */
		if (modem_mgr_running(gw->modems) > 0 ||
		    (gw->kannel != NULL && kannel_in_flight(gw->kannel) > 0))
			return false;
		gw->phase = GATEWAY_STOPPED;
		return true;
	case GATEWAY_STOPPED: return true;
	}
	return true;
}

void gateway_free(struct gateway *gw)
{
	if (gw == NULL)
		return;
	if (gw->ev_report)
		event_free(gw->ev_report);
	ops_free(gw->ops);
	sms_inbound_free(gw->sms_inbound); /* before the server frees its requests */
	ussd_inbound_free(gw->ussd);
	sms_dlr_free(gw->sms_dlr);
	web_events_free(gw->events);
	web_free(gw->web);
	http_server_free(gw->http);
	modem_mgr_free(gw->modems);
	kannel_free(gw->kannel);
	outbox_free(gw->outbox);
	command_free(gw->command);
	reminders_free(gw->reminders);
	alerts_free(gw->alerts);
	modem_report_free(gw->report);
	intake_free(gw->intake);
	pipeline_free(gw->pl);
	free(gw);
}
