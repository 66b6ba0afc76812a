/*
 * kannel.c - outgoing SMS through Kannel's sendsms; see kannel.h.
 */
#include "kannel.h"

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BODY_SHOWN 256              /* bytes of an answer looked at */
#define ANSWER_BODY_MAX (64 * 1024) /* larger answers are cut off */

struct kreq;

struct kconn {
	struct evhttp_connection *evcon;
	unsigned outstanding;
};

struct kannel {
	struct event_base *base;
	struct evdns_base *dns; /* NULL: a numeric host */
	struct kconn conns[KANNEL_CONNS];
	char *host;     /* for the Host header: "host" or "host:port" */
	char *path;     /* of the sendsms URL, "/cgi-bin/sendsms" */
	char *username; /* the strings of the sendsms query */
	char *password; /* secret: never logged */
	char *sender;   /* NULL: smsbox's default */
	char *smsc;     /* NULL: Kannel's routing */
	char *dlr_url;  /* NULL: no reports */
	char *secret;   /* [http] secret, for the dlr-url; never logged */
	int dlr_mask;
	kannel_result_fn on_result;
	void *arg;
	struct kreq *reqs;      /* in flight, a doubly linked list */
	struct event *ev_flush; /* reports the deferred ones */
	int64_t retry_at_ms;
	int backoff_ms;
	struct kannel_status st;
};

/* One request in flight. */
struct kreq {
	struct kannel *k;
	struct kreq *prev, *next;
	struct kconn *conn;
	uint64_t id;
	bool has_error;
	enum evhttp_request_error error;
	bool starting; /* inside evhttp_make_request() */
	bool deferred; /* its result waits for the loop (see done_cb) */
	bool local;    /* refused here, not by Kannel: says nothing of its health */
	enum kannel_answer answer;
	char text[KANNEL_ANSWER_TEXT_MAX];
};

static const char *const state_names[] = {
	[KANNEL_STATE_UP] = "up",
	[KANNEL_STATE_DOWN] = "down",
	[KANNEL_STATE_PROBING] = "probing",
};

const char *kannel_state_name(enum kannel_state st)
{
	if ((unsigned)st >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[st];
}

static const char *request_error_name(enum evhttp_request_error e)
{
	switch (e) {
	case EVREQ_HTTP_TIMEOUT: return "timed out";
	case EVREQ_HTTP_EOF: return "connection closed";
	case EVREQ_HTTP_INVALID_HEADER: return "invalid answer";
	case EVREQ_HTTP_BUFFER_ERROR: return "connection failed";
	case EVREQ_HTTP_REQUEST_CANCEL: return "cancelled";
	case EVREQ_HTTP_DATA_TOO_LONG: return "answer too long";
	}
	return "connection failed";
}

/* ------------------------------------------------------------- health */

/* The sender's state now, moving from down to probing when due. */
static enum kannel_state current_state(const struct kannel *k)
{
	if (k->st.state == KANNEL_STATE_DOWN && util_mono_ms() >= k->retry_at_ms)
		return KANNEL_STATE_PROBING;
	return k->st.state;
}

unsigned kannel_room(const struct kannel *k)
{
	switch (current_state(k)) {
	case KANNEL_STATE_UP:
		return k->st.in_flight < KANNEL_IN_FLIGHT_MAX
			       ? KANNEL_IN_FLIGHT_MAX - k->st.in_flight
			       : 0;
	case KANNEL_STATE_PROBING: return k->st.in_flight == 0 ? 1 : 0;
	case KANNEL_STATE_DOWN: break;
	}
	return 0;
}

unsigned kannel_in_flight(const struct kannel *k)
{
	return k->st.in_flight;
}

void kannel_get_status(const struct kannel *k, struct kannel_status *out)
{
	*out = k->st;
	out->state = current_state(k);
}

/* Record what an answer says about Kannel itself. */
static void note_health(struct kannel *k, enum kannel_answer a, const char *text)
{
	switch (a) {
	case KANNEL_ANSWER_ACCEPTED:
	case KANNEL_ANSWER_REJECTED:
		if (k->st.state != KANNEL_STATE_UP)
			log_info("kannel: sendsms answers again; sending resumes");
		k->st.state = KANNEL_STATE_UP;
		k->backoff_ms = 0;
		if (a == KANNEL_ANSWER_ACCEPTED) {
			k->st.accepted++;
			k->st.last_accepted_ms = util_wall_ms();
		} else {
			k->st.rejected++;
			snprintf(k->st.last_error, sizeof(k->st.last_error), "%s", text);
		}
		return;
	case KANNEL_ANSWER_UNAVAILABLE:
		k->st.unavailable++;
		snprintf(k->st.last_error, sizeof(k->st.last_error), "%s", text);
		k->backoff_ms = k->backoff_ms == 0 ? KANNEL_BACKOFF_MIN_MS : k->backoff_ms * 2;
		if (k->backoff_ms > KANNEL_BACKOFF_MAX_MS)
			k->backoff_ms = KANNEL_BACKOFF_MAX_MS;
		k->retry_at_ms = util_mono_ms() + k->backoff_ms;
		if (k->st.state == KANNEL_STATE_UP)
			log_warn(
				"kannel: sendsms unavailable (%s); holding replies back, "
				"trying again in %d s",
				text, k->backoff_ms / 1000);
		k->st.state = KANNEL_STATE_DOWN;
		return;
	}
}

/* ------------------------------------------------------------ requests */

static void unlink_req(struct kreq *r)
{
	struct kannel *k = r->k;

	if (r->prev)
		r->prev->next = r->next;
	else
		k->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

/* Hand the outcome of r to the outbox and forget r. */
static void finish(struct kreq *r)
{
	struct kannel *k = r->k;
	uint64_t id = r->id;
	enum kannel_answer a = r->answer;
	char text[KANNEL_ANSWER_TEXT_MAX];

	memcpy(text, r->text, sizeof(text));
	unlink_req(r);
	if (r->conn->outstanding > 0)
		r->conn->outstanding--;
	if (k->st.in_flight > 0)
		k->st.in_flight--;
	if (!r->local)
		note_health(k, a, text);
	free(r);
	/* the outbox logs what the answer does to the row */
	log_debug("kannel: outbox %" PRIu64 " %s (%s)", id, kannel_answer_name(a), text);
	k->on_result(id, a, text, k->arg);
}

/* Report the requests whose failure came inside evhttp_make_request(). */
static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kannel *k = arg;
	struct kreq *r = k->reqs;

	(void)fd;
	(void)what;
	while (r != NULL) {
		struct kreq *next = r->next;

		if (r->deferred)
			finish(r); /* frees r only; on_result may add new ones at the head */
		r = next;
	}
}

/* Report r's outcome from the loop (flush_cb), not from the caller's stack. */
static void defer(struct kreq *r)
{
	struct timeval now = { 0, 0 };

	r->deferred = true;
	if (evtimer_add(r->k->ev_flush, &now) != 0)
		log_error("kannel: could not defer the outcome of outbox %" PRIu64, r->id);
}

/* Count r in flight on its connection. */
static void link_req(struct kannel *k, struct kreq *r)
{
	r->next = k->reqs;
	if (k->reqs)
		k->reqs->prev = r;
	k->reqs = r;
	r->conn->outstanding++;
	k->st.in_flight++;
}

static void error_cb(enum evhttp_request_error error, void *arg)
{
	struct kreq *r = arg;

	r->has_error = true;
	r->error = error;
}

/*
 * The answer to a request, or its failure (req NULL, or a response code
 * of 0).  libevent frees req after this returns.
 */
static void done_cb(struct evhttp_request *req, void *arg)
{
	struct kreq *r = arg;
	int status = req ? evhttp_request_get_response_code(req) : 0;
	const char *body = NULL;
	size_t len = 0;
	const char *why = NULL;

	if (status > 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);

		len = evbuffer_get_length(in);
		if (len > BODY_SHOWN)
			len = BODY_SHOWN;
		body = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
	} else {
		why = r->has_error ? request_error_name(r->error) : "connection failed";
	}
	r->answer = kannel_answer_classify(status, body, len);
	kannel_answer_text(status, body, len, why, r->text, sizeof(r->text));
	if (r->starting) {
		/* failed inside evhttp_make_request(): report from the loop,
		 * after kannel_send() has returned true */
		defer(r);
		return;
	}
	finish(r);
}

static struct kconn *pick_conn(struct kannel *k)
{
	struct kconn *best = &k->conns[0];

	for (int i = 1; i < KANNEL_CONNS; i++)
		if (k->conns[i].outstanding < best->outstanding)
			best = &k->conns[i];
	return best;
}

/*
 * The request target, path?query, into *out (allocated); what stopped it
 * otherwise (*out NULL): KANNEL_QUERY_NO_SPACE also for out of memory.
 */
static enum kannel_query_status request_target(struct kannel *k, uint64_t id, const char *to,
					       const char *text, char **out)
{
	const struct kannel_sendsms m = {
		.username = k->username,
		.password = k->password,
		.sender = k->sender,
		.smsc = k->smsc,
		.dlr_url = k->dlr_url,
		.secret = k->secret,
		.dlr_mask = k->dlr_mask,
	};
	size_t tl = strlen(text), pl = strlen(k->path);
	size_t cap = pl + 1 + 6 * tl + 2048, qlen = 0;
	char *target = malloc(cap);
	enum kannel_query_status qs;

	*out = NULL;
	if (target == NULL)
		return KANNEL_QUERY_NO_SPACE;
	memcpy(target, k->path, pl);
	target[pl] = '?';
	qs = kannel_sendsms_query(&m, id, to, text, tl, target + pl + 1, cap - pl - 1, &qlen);
	if (qs != KANNEL_QUERY_OK) {
		free(target);
		return qs;
	}
	*out = target;
	return KANNEL_QUERY_OK;
}

bool kannel_send(struct kannel *k, uint64_t id, const char *to, const char *text)
{
	struct evhttp_request *req = NULL;
	struct evkeyvalq *hdr;
	struct kreq *r = NULL;
	char *target = NULL;
	bool ok = false;
	int rc;

	enum kannel_query_status qs;

	if (kannel_room(k) == 0)
		return false;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto done;
	r->k = k;
	r->id = id;
	r->conn = pick_conn(k);
	qs = request_target(k, id, to, text, &target);
	if (qs == KANNEL_QUERY_NO_SPACE) {
		log_error("kannel: out of memory for outbox %" PRIu64, id);
		goto done;
	}
	if (qs != KANNEL_QUERY_OK) {
		/* a row that can never be written as a query: failed, not
		 * offered again and again */
		r->answer = KANNEL_ANSWER_REJECTED;
		r->local = true;
		snprintf(r->text, sizeof(r->text), "kannel: not sent: %s",
			 kannel_query_status_name(qs));
		link_req(k, r);
		defer(r);
		ok = true;
		r = NULL;
		goto done;
	}
	req = evhttp_request_new(done_cb, r);
	if (req == NULL)
		goto done;
	evhttp_request_set_error_cb(req, error_cb);
	hdr = evhttp_request_get_output_headers(req);
	if (evhttp_add_header(hdr, "Host", k->host) != 0 ||
	    evhttp_add_header(hdr, "User-Agent", "sawt") != 0) {
		evhttp_request_free(req);
		goto done;
	}
	/* linked before the call: a failure inside it calls done_cb */
	link_req(k, r);
	if (k->st.state == KANNEL_STATE_DOWN)
		k->st.state = KANNEL_STATE_PROBING;
	r->starting = true;
	rc = evhttp_make_request(r->conn->evcon, req, EVHTTP_REQ_GET, target);
	r->starting = false;
	if (rc != 0) {
		/* req is freed; done_cb may have run and deferred itself */
		if (r->deferred) {
			ok = true;
			r = NULL;
			goto done;
		}
		unlink_req(r);
		r->conn->outstanding--;
		k->st.in_flight--;
		log_error("kannel: could not send a request for outbox %" PRIu64, id);
		goto done;
	}
	log_debug("kannel: outbox %" PRIu64 " handed to sendsms", id);
	ok = true;
	r = NULL;
done:
	free(target);
	free(r);
	return ok;
}

/* ------------------------------------------------------------ lifecycle */

/* A copy of s when set and not empty, else NULL; *oom on failure. */
static char *dup_opt(const char *s, bool *oom)
{
	char *c;

	if (s == NULL || s[0] == '\0')
		return NULL;
	c = strdup(s);
	if (c == NULL)
		*oom = true;
	return c;
}

/* Host, port and path of cfg's URL into k; false with a message. */
static bool parse_url(struct kannel *k, const char *url, char *err, size_t errlen)
{
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(url, 0);
	const char *host, *path;
	int port;
	char hostbuf[256];
	size_t hl;
	bool ok = false;

	if (u == NULL || evhttp_uri_get_host(u) == NULL) {
		util_seterr(err, errlen, "[kannel] url \"%s\" cannot be parsed", url);
		goto done;
	}
	host = evhttp_uri_get_host(u);
	hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(hostbuf)) {
		util_seterr(err, errlen, "[kannel] url \"%s\" has no usable host", url);
		goto done;
	}
	memcpy(hostbuf, host, hl);
	hostbuf[hl] = '\0';
	port = evhttp_uri_get_port(u);
	if (port <= 0)
		port = 80;
	path = evhttp_uri_get_path(u);
	k->path = strdup(path && path[0] ? path : "/");
	k->host = malloc(hl + 16);
	if (k->path == NULL || k->host == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto done;
	}
	if (strchr(hostbuf, ':'))
		snprintf(k->host, hl + 16, "[%s]:%d", hostbuf, port);
	else
		snprintf(k->host, hl + 16, "%s:%d", hostbuf, port);
	{
		struct in6_addr a6;

		if (evutil_inet_pton(AF_INET, hostbuf, &a6) != 1 &&
		    evutil_inet_pton(AF_INET6, hostbuf, &a6) != 1) {
			k->dns = evdns_base_new(k->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
								 EVDNS_BASE_DISABLE_WHEN_INACTIVE);
			if (k->dns == NULL)
				log_warn("kannel: no DNS resolver; \"%s\" is looked up blocking",
					 hostbuf);
		}
	}
	for (int i = 0; i < KANNEL_CONNS; i++) {
		struct evhttp_connection *c =
			evhttp_connection_base_new(k->base, k->dns, hostbuf, (unsigned short)port);

		if (c == NULL) {
			util_seterr(err, errlen, "could not create a connection to Kannel");
			goto done;
		}
		k->conns[i].evcon = c;
		evhttp_connection_set_retries(c, 0);
		evhttp_connection_set_max_body_size(c, ANSWER_BODY_MAX);
	}
	ok = true;
done:
	if (u)
		evhttp_uri_free(u);
	return ok;
}

struct kannel *kannel_new(struct event_base *base, const struct config *cfg,
			  kannel_result_fn on_result, void *arg, char *err, size_t errlen)
{
	struct kannel *k;
	bool oom = false;

	if (errlen > 0)
		err[0] = '\0';
	if (cfg->kannel_url == NULL)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		goto nomem;
	k->base = base;
	k->on_result = on_result;
	k->arg = arg;
	k->dlr_mask = cfg->kannel_dlr_mask;
	k->username = dup_opt(cfg->kannel_username, &oom);
	k->password = dup_opt(cfg->kannel_password, &oom);
	k->sender = dup_opt(cfg->kannel_sender, &oom);
	k->smsc = dup_opt(cfg->kannel_smsc, &oom);
	k->dlr_url = dup_opt(cfg->kannel_dlr_url, &oom);
	k->secret = dup_opt(cfg->http_secret, &oom);
	if (oom)
		goto nomem;
	k->ev_flush = evtimer_new(base, flush_cb, k);
	if (k->ev_flush == NULL)
		goto nomem;
	if (!parse_url(k, cfg->kannel_url, err, errlen))
		goto fail;
	for (int i = 0; i < KANNEL_CONNS; i++)
		evhttp_connection_set_timeout(k->conns[i].evcon, cfg->kannel_timeout);
	return k;
nomem:
	util_seterr(err, errlen, "out of memory");
fail:
	kannel_free(k);
	return NULL;
}

void kannel_free(struct kannel *k)
{
	if (k == NULL)
		return;
	for (int i = 0; i < KANNEL_CONNS; i++)
		if (k->conns[i].evcon)
			evhttp_connection_free(k->conns[i].evcon);
	while (k->reqs) {
		struct kreq *r = k->reqs;

		k->reqs = r->next;
		free(r);
	}
	if (k->ev_flush)
		event_free(k->ev_flush);
	if (k->dns)
		evdns_base_free(k->dns, 0);
	free(k->host);
	free(k->path);
	free(k->username);
	free(k->password);
	free(k->sender);
	free(k->smsc);
	free(k->dlr_url);
	free(k->secret);
	free(k);
}
