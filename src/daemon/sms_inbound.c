/*
 * sms_inbound.c - the route /sms/inbound; see sms_inbound.h.
 */
#include "sms_inbound.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define RETRY_AFTER_S "5"
#define ADDR_BUF 64

/* A message with the intake, and the request that waits for it. */
struct waiting {
	struct sms_inbound *si;     /* NULL once the handler is freed */
	struct evhttp_request *req; /* NULL then too */
	struct waiting *prev, *next;
};

struct sms_inbound {
	struct intake *intake;
	sms_inbound_committed_fn committed;
	void *arg;
	struct waiting *waiting;
	struct sms_inbound_stats stats;
};

static void waiting_unlink(struct sms_inbound *si, struct waiting *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		si->waiting = w->next;
	if (w->next)
		w->next->prev = w->prev;
	si->stats.pending--;
}

/* The intake's verdict: answer the client now. */
static void acked(void *arg, enum intake_result result)
{
	struct waiting *w = arg;
	struct sms_inbound *si = w->si;

	if (si == NULL) {
		free(w);
		return;
	}
	waiting_unlink(si, w);
	switch (result) {
	case INTAKE_COMMITTED:
		si->stats.committed++;
		http_reply(w->req, 200, "text/plain; charset=utf-8", "", 0);
		if (si->committed)
			si->committed(si->arg);
		break;
	case INTAKE_SPOOLED:
		si->stats.spooled++;
		http_reply(w->req, 200, "text/plain; charset=utf-8", "", 0);
		break;
	case INTAKE_FAILED:
		si->stats.failed++;
		if (evhttp_add_header(evhttp_request_get_output_headers(w->req), "Retry-After",
				      RETRY_AFTER_S) != 0)
			log_warn("could not add a header to an HTTP reply: out of memory");
		http_reply_text(w->req, 503, "could not store the message; send it again later");
		break;
	}
	free(w);
}

static void handle(struct evhttp_request *req, void *arg)
{
	struct sms_inbound *si = arg;
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	struct sms_http_request rq = { 0 };
	struct sms_http_extra x;
	struct inbound in;
	struct waiting *w;
	enum sms_http_error e;
	char why[256], addr[ADDR_BUF], phone[LOG_PHONE_BUF];

	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_POST) {
		if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
				      "GET, POST") != 0)
			log_warn("could not add a header to an HTTP reply: out of memory");
		http_reply_text(req, 405, "method not allowed: use GET or POST");
		return;
	}
	rq.query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	rq.query_len = rq.query ? strlen(rq.query) : 0;
	rq.body_len = evbuffer_get_length(body);
	rq.body = rq.body_len > 0 ? (const char *)evbuffer_pullup(body, -1) : NULL;
	rq.content_type = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	rq.received_ms = util_wall_ms();
	if (rq.body_len > 0 && rq.body == NULL) {
		http_reply_text(req, 503, "out of memory");
		return;
	}
	e = sms_http_decode(&rq, &in, &x);
	if (e != SMS_HTTP_OK) {
		si->stats.rejected[e]++;
		sms_http_error_text(e, &x, why, sizeof(why));
		log_info("HTTP inbound SMS from %s refused (400): %s",
			 http_peer(req, addr, sizeof(addr)), why);
		http_reply_text(req, 400, why);
		return;
	}
	if (x.text_cut || x.text_mended)
		log_info("HTTP inbound SMS from %s: text %s",
			 log_phone(in.sender, phone, sizeof(phone)),
			 x.text_cut ? "too long, cut" : "not valid in its character set, mended");
	log_debug("HTTP inbound SMS from %s via %s (%u bytes, id \"%s\")",
		  log_phone(in.sender, phone, sizeof(phone)), in.source, in.text_len, x.id);
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		http_reply_text(req, 503, "out of memory");
		return;
	}
	w->si = si;
	w->req = req;
	w->next = si->waiting;
	if (w->next)
		w->next->prev = w;
	si->waiting = w;
	si->stats.pending++;
	intake_submit(si->intake, &in, acked, w);
}

struct sms_inbound *sms_inbound_new(struct intake *intake, sms_inbound_committed_fn committed,
				    void *arg)
{
	struct sms_inbound *si = calloc(1, sizeof(*si));

	if (si == NULL)
		return NULL;
	si->intake = intake;
	si->committed = committed;
	si->arg = arg;
	return si;
}

bool sms_inbound_route(struct sms_inbound *si, struct http_server *srv)
{
	return http_server_route(srv, "/sms/inbound", HTTP_ACCESS_SECRET, handle, si);
}

void sms_inbound_stats(const struct sms_inbound *si, struct sms_inbound_stats *out)
{
	*out = si->stats;
}

void sms_inbound_free(struct sms_inbound *si)
{
	if (si == NULL)
		return;
	/* the intake still calls acked() for these: it frees them then */
	for (struct waiting *w = si->waiting; w != NULL; w = w->next) {
		w->si = NULL;
		w->req = NULL;
	}
	free(si);
}
