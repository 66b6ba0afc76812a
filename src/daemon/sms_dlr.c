/*
 * sms_dlr.c - the route /sms/dlr; see sms_dlr.h.
 */
#include "sms_dlr.h"

#include <event2/http.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kannel_proto.h"
#include "store_dlr.h"

#define ADDR_BUF 64

/* A report with the database, and the request that waits for it. */
struct waiting {
	struct sms_dlr *d;          /* NULL once the handler is freed */
	struct evhttp_request *req; /* NULL then too */
	struct waiting *prev, *next;
	uint64_t id;
	int status;
};

struct sms_dlr {
	struct db *db;
	struct waiting *waiting;
	struct sms_dlr_stats stats;
};

static void waiting_unlink(struct sms_dlr *d, struct waiting *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		d->waiting = w->next;
	if (w->next)
		w->next->prev = w->prev;
}

static void recorded(enum store_dlr_result r, const char *state, const char *error, void *arg)
{
	struct waiting *w = arg;
	struct sms_dlr *d = w->d;
	char line[96];

	if (d == NULL) {
		free(w);
		return;
	}
	waiting_unlink(d, w);
	switch (r) {
	case STORE_DLR_RECORDED:
		d->stats.recorded++;
		if (w->status == KANNEL_DLR_DELIVERED)
			d->stats.delivered++;
		else if (w->status == KANNEL_DLR_UNDELIVERED ||
			 w->status == KANNEL_DLR_SMSC_REJECTED)
			d->stats.undelivered++;
		log_debug("delivery report for outbox %" PRIu64 ": %s, the row is %s", w->id,
			  kannel_dlr_status_name(w->status), state);
		http_reply_text(w->req, 200, state);
		break;
	case STORE_DLR_NO_ROW:
		d->stats.no_row++;
		log_info("delivery report for outbox %" PRIu64
			 " (%s): no such row sent "
			 "through Kannel",
			 w->id, kannel_dlr_status_name(w->status));
		snprintf(line, sizeof(line), "no outbox row %" PRIu64 " sent through Kannel",
			 w->id);
		http_reply_text(w->req, 404, line);
		break;
	case STORE_DLR_FAILED:
		d->stats.failed++;
		log_warn("could not record a delivery report for outbox %" PRIu64 ": %s", w->id,
			 error);
		http_reply_text(w->req, 503, "could not record the report");
		break;
	}
	free(w);
}

static void handle(struct evhttp_request *req, void *arg)
{
	struct sms_dlr *d = arg;
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct kannel_dlr dlr;
	enum kannel_dlr_error e;
	struct waiting *w;
	char addr[ADDR_BUF];

	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_POST) {
		if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
				      "GET, POST") != 0)
			log_warn("could not add a header to an HTTP reply: out of memory");
		http_reply_text(req, 405, "method not allowed: use GET");
		return;
	}
	e = kannel_dlr_parse(query ? query : "", query ? strlen(query) : 0, &dlr);
	if (e != KANNEL_DLR_OK) {
		d->stats.malformed++;
		log_info("delivery report from %s refused (400): %s",
			 http_peer(req, addr, sizeof(addr)), kannel_dlr_error_text(e));
		http_reply_text(req, 400, kannel_dlr_error_text(e));
		return;
	}
	if (db_get_state(d->db) != DB_STATE_READY) {
		d->stats.failed++;
		log_warn("delivery report for outbox %" PRIu64
			 " not recorded: the database is "
			 "unavailable",
			 dlr.id);
		http_reply_text(req, 503, "the database is unavailable");
		return;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		http_reply_text(req, 503, "out of memory");
		return;
	}
	w->d = d;
	w->req = req;
	w->id = dlr.id;
	w->status = dlr.status;
	if (!store_dlr_record(d->db, &dlr, recorded, w)) {
		free(w);
		http_reply_text(req, 503, "out of memory");
		return;
	}
	w->next = d->waiting;
	if (w->next)
		w->next->prev = w;
	d->waiting = w;
}

struct sms_dlr *sms_dlr_new(struct db *db)
{
	struct sms_dlr *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->db = db;
	return d;
}

bool sms_dlr_route(struct sms_dlr *d, struct http_server *srv)
{
	return http_server_route(srv, "/sms/dlr", HTTP_ACCESS_SECRET, handle, d);
}

void sms_dlr_stats(const struct sms_dlr *d, struct sms_dlr_stats *out)
{
	*out = d->stats;
}

void sms_dlr_free(struct sms_dlr *d)
{
	if (d == NULL)
		return;
	/* the database still calls recorded() for these: it frees them then */
	for (struct waiting *w = d->waiting; w != NULL; w = w->next) {
		w->d = NULL;
		w->req = NULL;
	}
	free(d);
}
