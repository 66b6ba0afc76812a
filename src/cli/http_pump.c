/*
 * http_pump.c - POST form bodies over keep-alive connections, offering
 * each again until it is taken (http_pump.h).
 */
#include "http_pump.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "array.h"

#define PUMP_RETRY_MIN_S 0.1
#define PUMP_RETRY_MAX_S 2.0
#define PUMP_TIMEOUT_S 30
#define PUMP_ERR_MAX 512

enum slot_state {
	SLOT_FREE,    /* no body */
	SLOT_SENDING, /* a request in flight */
	SLOT_WAITING, /* refused for now; the retry timer runs */
};

struct slot {
	struct http_pump *p;
	struct evhttp_connection *conn;
	struct event *retry;
	enum slot_state state;
	char *body;
	size_t len;
	double sent_at, pause;
};

struct http_pump {
	struct event_base *base;
	char host[256];
	int port;
	char path[1024];
	char auth[512]; /* "Basic ..." or "" */
	struct slot slots[HTTP_PUMP_MAX_CONNS];
	unsigned n_slots;
	bool refused;
	char refusal[PUMP_ERR_MAX];
	uint64_t posted, taken, retried;
	double *lat; /* milliseconds of each taken attempt */
	size_t n_lat, cap_lat;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void slot_send(struct slot *s);

/* Keep the answer's first line as the reason of a refusal. */
static void note_refusal(struct http_pump *p, struct evhttp_request *req, int code)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char line[256] = "";
	size_t n = in ? evbuffer_get_length(in) : 0;

	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (n > 0)
		evbuffer_copyout(in, line, n);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	p->refused = true;
	snprintf(p->refusal, sizeof(p->refusal), "the server refused a message: HTTP %d%s%s", code,
		 line[0] ? ": " : "", line);
}

static void slot_wait(struct slot *s)
{
	struct timeval tv;

	s->pause = s->pause <= 0 ? PUMP_RETRY_MIN_S : s->pause * 2;
	if (s->pause > PUMP_RETRY_MAX_S)
		s->pause = PUMP_RETRY_MAX_S;
	tv.tv_sec = (time_t)s->pause;
	tv.tv_usec = (suseconds_t)((s->pause - (double)tv.tv_sec) * 1e6);
	s->state = SLOT_WAITING;
	s->p->retried++;
	evtimer_add(s->retry, &tv);
}

static void record_latency(struct http_pump *p, double ms)
{
	if (p->n_lat == p->cap_lat &&
	    !array_grow((void **)&p->lat, &p->cap_lat, p->n_lat + 1, sizeof(*p->lat)))
		return; /* the figure is lost, not the message */
	p->lat[p->n_lat++] = ms;
}

/* The answer to the slot's request; req is NULL when the connection failed. */
static void slot_done(struct evhttp_request *req, void *arg)
{
	struct slot *s = arg;
	struct http_pump *p = s->p;
	int code = req ? evhttp_request_get_response_code(req) : 0;

	if (code >= 200 && code < 300) {
		record_latency(p, (now_s() - s->sent_at) * 1000);
		p->taken++;
		free(s->body);
		s->body = NULL;
		s->state = SLOT_FREE;
		s->pause = 0;
	} else if (code == 0 || code >= 500 || code == 429) {
		slot_wait(s);
	} else {
		note_refusal(p, req, code);
		free(s->body);
		s->body = NULL;
		s->state = SLOT_FREE;
	}
	event_base_loopbreak(p->base);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	slot_send(arg);
}

static void slot_send(struct slot *s)
{
	struct http_pump *p = s->p;
	struct evhttp_request *req = evhttp_request_new(slot_done, s);
	struct evkeyvalq *h;

	if (req == NULL)
		goto fail;
	h = evhttp_request_get_output_headers(req);
	if (evhttp_add_header(h, "Host", p->host) != 0 ||
	    evhttp_add_header(h, "Content-Type", "application/x-www-form-urlencoded") != 0 ||
	    (p->auth[0] && evhttp_add_header(h, "Authorization", p->auth) != 0) ||
	    evbuffer_add(evhttp_request_get_output_buffer(req), s->body, s->len) != 0) {
		evhttp_request_free(req);
		goto fail;
	}
	s->state = SLOT_SENDING;
	s->sent_at = now_s();
	if (evhttp_make_request(s->conn, req, EVHTTP_REQ_POST, p->path) != 0)
		goto fail; /* libevent owns req, and may have answered slot_done */
	return;
fail:
	if (s->state != SLOT_WAITING)
		slot_wait(s);
}

static bool parse_url(struct http_pump *p, const char *url, char *err, size_t errlen)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
	const char *host = u ? evhttp_uri_get_host(u) : NULL;
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	bool ok = false;

	if (u == NULL || scheme == NULL || host == NULL || host[0] == '\0') {
		snprintf(err, errlen, "invalid URL \"%s\"", url);
		goto done;
	}
	if (strcmp(scheme, "http") != 0) {
		snprintf(err, errlen,
			 "unsupported URL \"%s\": the simulation speaks plain http only; "
			 "give sawtd a plain listener on the loopback for it",
			 url);
		goto done;
	}
	if (evhttp_uri_get_userinfo(u) != NULL) {
		snprintf(err, errlen,
			 "invalid URL \"%s\": the secret comes from the configuration, "
			 "not the URL",
			 url);
		goto done;
	}
	snprintf(p->host, sizeof(p->host), "%s", host);
	p->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
	snprintf(p->path, sizeof(p->path), "%s", path && path[0] ? path : "/");
	ok = true;
done:
	if (u != NULL)
		evhttp_uri_free(u);
	return ok;
}

static bool set_auth(struct http_pump *p, const char *secret)
{
	char plain[300];
	unsigned char enc[420];
	int n;

	if (secret == NULL || secret[0] == '\0')
		return true;
	n = snprintf(plain, sizeof(plain), "sawt:%s", secret);
	if (n < 0 || (size_t)n >= sizeof(plain))
		return false;
	EVP_EncodeBlock(enc, (const unsigned char *)plain, n);
	snprintf(p->auth, sizeof(p->auth), "Basic %s", (const char *)enc);
	return true;
}

struct http_pump *http_pump_new(const char *url, const char *secret, unsigned conns, char *err,
				size_t errlen)
{
	struct http_pump *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!parse_url(p, url, err, errlen))
		goto fail;
	if (!set_auth(p, secret)) {
		snprintf(err, errlen, "the [http] secret is too long for the simulation");
		goto fail;
	}
	if (conns < 1 || conns > HTTP_PUMP_MAX_CONNS || (p->base = event_base_new()) == NULL) {
		snprintf(err, errlen,
			 conns < 1 || conns > HTTP_PUMP_MAX_CONNS
				 ? "the number of connections must be 1 to 64"
				 : "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < conns; i++) {
		struct slot *s = &p->slots[i];

		s->p = p;
		s->conn =
			evhttp_connection_base_new(p->base, NULL, p->host, (unsigned short)p->port);
		s->retry = evtimer_new(p->base, retry_cb, s);
		p->n_slots++;
		if (s->conn == NULL || s->retry == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		evhttp_connection_set_timeout(s->conn, PUMP_TIMEOUT_S);
	}
	return p;
fail:
	http_pump_free(p);
	return NULL;
}

void http_pump_free(struct http_pump *p)
{
	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->n_slots; i++) {
		if (p->slots[i].conn != NULL)
			evhttp_connection_free(p->slots[i].conn);
		if (p->slots[i].retry != NULL)
			event_free(p->slots[i].retry);
		free(p->slots[i].body);
	}
	if (p->base != NULL)
		event_base_free(p->base);
	free(p->lat);
	free(p);
}

/* Run the loop once (at most 100 ms); false when refused or past deadline. */
static bool pump_step(struct http_pump *p, double deadline, char *err, size_t errlen)
{
	struct timeval tv = { 0, 100000 };

	event_base_loopexit(p->base, &tv);
	event_base_dispatch(p->base);
	if (p->refused) {
		snprintf(err, errlen, "%s", p->refusal);
		return false;
	}
	if (deadline > 0 && now_s() > deadline) {
		snprintf(err, errlen,
			 "sawtd did not take every message in time (%llu of %llu taken, "
			 "%llu attempts refused for now)",
			 (unsigned long long)p->taken, (unsigned long long)p->posted,
			 (unsigned long long)p->retried);
		return false;
	}
	return true;
}

static struct slot *free_slot(struct http_pump *p)
{
	for (unsigned i = 0; i < p->n_slots; i++)
		if (p->slots[i].state == SLOT_FREE)
			return &p->slots[i];
	return NULL;
}

bool http_pump_post(struct http_pump *p, const char *body, size_t len, double deadline, char *err,
		    size_t errlen)
{
	struct slot *s;

	while ((s = free_slot(p)) == NULL)
		if (!pump_step(p, deadline, err, errlen))
			return false;
	if (p->refused) {
		snprintf(err, errlen, "%s", p->refusal);
		return false;
	}
	if ((s->body = malloc(len ? len : 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	memcpy(s->body, body, len);
	s->len = len;
	s->pause = 0;
	p->posted++;
	slot_send(s);
	return true;
}

bool http_pump_drain(struct http_pump *p, double deadline, char *err, size_t errlen)
{
	for (;;) {
		bool busy = false;

		for (unsigned i = 0; i < p->n_slots; i++)
			busy |= p->slots[i].state != SLOT_FREE;
		if (!busy)
			break;
		if (!pump_step(p, deadline, err, errlen))
			return false;
	}
	if (p->refused) {
		snprintf(err, errlen, "%s", p->refusal);
		return false;
	}
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void http_pump_stats(const struct http_pump *p, struct http_pump_stats *out)
{
	*out = (struct http_pump_stats){ .posted = p->posted,
					 .taken = p->taken,
					 .retried = p->retried };
	if (p->n_lat == 0)
		return;
	qsort(p->lat, p->n_lat, sizeof(*p->lat), cmp_double);
	out->lat_p50_ms = p->lat[(p->n_lat - 1) / 2];
	out->lat_p99_ms = p->lat[(size_t)((double)(p->n_lat - 1) * 0.99)];
}

bool http_pump_form_add(char *buf, size_t n, size_t *len, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t at = *len;

	if (at > 0) {
		if (at + 1 >= n)
			return false;
		buf[at++] = '&';
	}
	for (const char *c = name; *c; c++) {
		if (at + 1 >= n)
			return false;
		buf[at++] = *c;
	}
	if (at + 1 >= n)
		return false;
	buf[at++] = '=';
	for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
		bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' ||
			     *c == '~';

		if (at + (plain ? 1 : 3) >= n)
			return false;
		if (plain) {
			buf[at++] = (char)*c;
		} else {
			buf[at++] = '%';
			buf[at++] = hex[*c >> 4];
			buf[at++] = hex[*c & 15];
		}
	}
	buf[at] = '\0';
	*len = at;
	return true;
}

bool http_pump_default_url(const char *listen, char *buf, size_t n)
{
	const char *colon = listen ? strrchr(listen, ':') : NULL;
	char host[256];
	int w;

	if (colon == NULL || colon == listen || (size_t)(colon - listen) >= sizeof(host))
		return false;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (strcmp(host, "[::]") == 0)
		snprintf(host, sizeof(host), "[::1]");
	w = snprintf(buf, n, "http://%s:%s/sms/inbound", host, colon + 1);
	return w > 0 && (size_t)w < n;
}
