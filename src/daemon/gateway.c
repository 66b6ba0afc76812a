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
#include "intake.h"
#include "modem.h"
#include "modem_report.h"
#include "outbox.h"
#include "pipeline.h"

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
	struct command *command; /* answers coordinators */
	struct alerts *alerts;   /* alerts to coordinators */
	struct modem_report *report;
	struct event *ev_report; /* refreshes sawt.modems' counters */
	unsigned drain_ticks;
};

#define GATEWAY_REPORT_SEC 1

/* What a pending acknowledgement needs to find its message again. */
struct ack_ctx {
	struct gateway *gw;
	uint64_t token;
	char modem[MODEM_NAME_BUF];
};

static void inbound_acked(void *arg, enum intake_result result)
{
	struct ack_ctx *ctx = arg;

	if (result != INTAKE_FAILED && !modem_mgr_ack(ctx->gw->modems, ctx->modem, ctx->token))
		log_warn("could not acknowledge a message to modem %s; it will be offered again",
			 ctx->modem);
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

/* Counters change with every message; the table follows within
 * MODEM_REPORT_MIN_SEC (modem_report throttles). */
static void report_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < modem_mgr_count(gw->modems); i++)
		modem_report_status(gw->report, modem_mgr_status_at(gw->modems, i));
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
	gw->report = modem_report_new(gw->db, gw->node);
	gw->modems = modem_mgr_new(base, cfg, NULL, &cb);
	gw->ev_report = event_new(base, -1, EV_PERSIST, report_tick, gw);
	gw->alerts = alerts_new(base, gw->db, pipeline_registry(gw->pl), gw->intake, cfg, gw->node,
				alerts_queued, gw);
	if (gw->outbox == NULL || gw->command == NULL || gw->report == NULL || gw->modems == NULL ||
	    gw->ev_report == NULL || gw->alerts == NULL)
		goto oom;
	outbox_set_modems(gw->outbox, gw->modems);
	return true;
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
	if (gethostname(gw->node, sizeof(gw->node) - 1) != 0)
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
	alerts_set_db_ready(gw->alerts, ready && gw->phase == GATEWAY_RUNNING);
}

void gateway_on_notify(struct gateway *gw, const char *channel, const char *payload)
{
	pipeline_on_notify(gw->pl, channel, payload);
}

void gateway_stop(struct gateway *gw)
{
	if (gw->phase != GATEWAY_RUNNING)
		return;
	gw->phase = GATEWAY_DRAINING;
	event_del(gw->ev_report);
	outbox_stop(gw->outbox);
	command_stop(gw->command);
	alerts_stop(gw->alerts);
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
		     alerts_in_flight(gw->alerts) > 0) &&
		    ++gw->drain_ticks < 200)
			return false;
		gw->phase = GATEWAY_STOPPING_MODEMS;
		modem_mgr_stop(gw->modems);
		return false;
	case GATEWAY_STOPPING_MODEMS:
		if (modem_mgr_running(gw->modems) > 0)
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
	modem_mgr_free(gw->modems);
	outbox_free(gw->outbox);
	command_free(gw->command);
	alerts_free(gw->alerts);
	modem_report_free(gw->report);
	intake_free(gw->intake);
	pipeline_free(gw->pl);
	free(gw);
}
