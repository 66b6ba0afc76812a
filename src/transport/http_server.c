/*
 * http_server.c - sawtd's HTTP(S) door; see http_server.h.
 *
 * Connections.  libevent 2.1's evhttp has no cap on connections and tells
 * nobody when it accepts one.  It does ask the bufferevent callback
 * (evhttp_set_bevcb) for each new connection, then builds the connection
 * around that bufferevent, with the connection as the bufferevent's
 * callback argument, all within the listener's callback.  So the
 * bufferevent callback keeps a reference to each new bufferevent and
 * wakes an event that runs right after, in the same pass of the loop; it
 * finds the connection (bufferevent_getcb), counts it and sets its close
 * callback, or closes it at once when max_conns are open.  A bufferevent
 * that libevent freed in between has its callbacks cleared, and our
 * reference keeps it readable until we let go.
 *
 * Requests.  Each request handed to a route gets a small record, linked in
 * the server's list, that counts it by route and status when its reply has
 * been written (evhttp_request_set_on_complete_cb).  When a connection
 * closes, the records of its requests still unanswered are counted as
 * "client gone" and dropped; libevent keeps the request itself for the
 * handler's late reply.
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "array.h"
#include "util.h"

#define AUTH_TABLE_SIZE 256
#define AUTH_FREE_FAILS 3       /* failures answered at once */
#define AUTH_DELAY_BASE_MS 250  /* then 250 ms, doubling ... */
#define AUTH_DELAY_MAX_SHIFT 5  /* ... up to 8 s */
#define AUTH_FORGET_MS 600000   /* an address quiet for 10 min starts afresh */
#define AUTH_LOG_EVERY_MS 60000 /* one log line per address a minute */
#define ACCEPT_PAUSE_MS 1000    /* after an accept error (no file descriptors) */
#define ADDR_MAX 64

/* Mozilla's "intermediate" list: forward secrecy and AEAD only (TLS 1.2;
 * TLS 1.3's suites are all of that kind and keep OpenSSL's defaults). */
#define TLS_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"

struct route {
	char *path;
	enum http_access access;
	http_handler_fn fn;
	void *arg;
};

/* One request handed to a route and not answered yet. */
struct pending_req {
	struct http_server *srv;
	struct evhttp_connection *evcon;
	size_t route; /* index into srv->stats.routes */
	struct evhttp_request *req;
	http_gone_fn gone; /* http_server_on_gone(); NULL: none */
	void *gone_arg;
	struct pending_req *prev, *next;
};

enum auth_result {
	AUTH_OK,
	AUTH_MISSING,
	AUTH_WRONG,
	AUTH_IN_QUERY,
};

/* A 401 held back for an address that keeps failing. */
struct delayed {
	struct http_server *srv;
	struct evhttp_request *req;
	enum auth_result why;
	struct event *ev;
	struct delayed *prev, *next;
};

struct auth_entry {
	char addr[ADDR_MAX]; /* "" unused */
	unsigned fails;
	int64_t last_ms;
	int64_t logged_ms;
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	SSL_CTX *ssl;
	int port;
	unsigned max_conns;
	bool have_secret;
	unsigned char secret_md[32];

	struct route routes[HTTP_STATS_ROUTES_MAX];
	size_t n_routes;

	struct bufferevent **fresh; /* new connections to look at */
	size_t n_fresh, cap_fresh;
	struct event *ev_fresh;
	struct event *ev_resume; /* re-enables the listener after an error */

	struct pending_req *pending;
	struct delayed *delayed;
	struct auth_entry auth[AUTH_TABLE_SIZE];
	struct http_server_stats stats;
};

/* ------------------------------------------------------------ helpers */

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != 32)
		memset(out, 0, 32);
}

/* The last OpenSSL error as text (or "unknown error"). */
static const char *ssl_error(char *buf, size_t n)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(buf, n, "unknown error");
	else
		ERR_error_string_n(e, buf, n);
	ERR_clear_error();
	return buf;
}

/*
 * Split "host:port" or "[v6]:port" into host (n bytes) and *port.  The
 * configuration has checked the form; this only cuts it.
 */
static bool split_listen(const char *listen, char *host, size_t n, int *port)
{
	const char *colon = strrchr(listen, ':');
	const char *h = listen;
	size_t len;
	char *end;
	long p;

	if (colon == NULL)
		return false;
	len = (size_t)(colon - listen);
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
		h++;
		len -= 2;
	}
	if (len == 0 || len >= n)
		return false;
	memcpy(host, h, len);
	host[len] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || p < 0 || p > 65535)
		return false;
	*port = (int)p;
	return true;
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t n)
{
	const void *src = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (src == NULL || inet_ntop(sa->sa_family, src, buf, (socklen_t)n) == NULL)
		snprintf(buf, n, "unknown");
}

static bool addr_is_loopback(const struct sockaddr *sa)
{
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

static const struct sockaddr *req_addr(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	return evcon ? evhttp_connection_get_addr(evcon) : NULL;
}

const char *http_peer(struct evhttp_request *req, char *buf, size_t n)
{
	addr_text(req_addr(req), buf, n);
	return buf;
}

/* ------------------------------------------------------------ replies */

void http_reply(struct evhttp_request *req, int status, const char *content_type, const char *body,
		size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	if (content_type != NULL && evhttp_find_header(h, "Content-Type") == NULL &&
	    evhttp_add_header(h, "Content-Type", content_type) != 0)
		log_warn("could not add a header to an HTTP reply: out of memory");
	if (evhttp_add_header(h, "Cache-Control", "no-store") != 0)
		log_warn("could not add a header to an HTTP reply: out of memory");
	if (len > 0 && evbuffer_add(out, body, len) != 0) {
		evbuffer_drain(out, evbuffer_get_length(out));
		status = 500;
	}
	evhttp_send_reply(req, status, NULL, NULL);
}

void http_server_on_gone(struct http_server *srv, struct evhttp_request *req, http_gone_fn gone,
			 void *arg)
{
	for (struct pending_req *p = srv->pending; p != NULL; p = p->next) {
		if (p->req == req) {
			p->gone = gone;
			p->gone_arg = arg;
			return;
		}
	}
}

void http_reply_text(struct evhttp_request *req, int status, const char *line)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	http_reply(req, status, "text/plain; charset=utf-8", buf, (size_t)n);
}

/* ------------------------------------------------------------ counters */

static void count_status(struct http_route_stats *rs, int status)
{
	for (size_t i = 0; i < rs->n_codes; i++) {
		if (rs->codes[i].status == status) {
			rs->codes[i].count++;
			return;
		}
	}
	if (rs->n_codes < HTTP_STATS_CODES_MAX - 1) {
		rs->codes[rs->n_codes].status = status;
		rs->codes[rs->n_codes].count = 1;
		rs->n_codes++;
		return;
	}
	/* the last slot collects the rest */
	if (rs->n_codes == HTTP_STATS_CODES_MAX - 1) {
		rs->codes[rs->n_codes].status = 0;
		rs->codes[rs->n_codes].count = 0;
		rs->n_codes++;
	}
	rs->codes[HTTP_STATS_CODES_MAX - 1].count++;
}

static void pending_unlink(struct http_server *srv, struct pending_req *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		srv->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

/* The reply of a routed request has been written. */
static void request_done(struct evhttp_request *req, void *arg)
{
	struct pending_req *p = arg;
	struct http_server *srv = p->srv;

	count_status(&srv->stats.routes[p->route], evhttp_request_get_response_code(req));
	pending_unlink(srv, p);
	free(p);
}

/* ------------------------------------------------------------ connections */

/* A connection is going away: its unanswered requests lose their records. */
static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_server *srv = arg;
	struct pending_req *p = srv->pending, *next;

	evhttp_connection_set_closecb(evcon, NULL, NULL);
	if (srv->stats.conns_open > 0)
		srv->stats.conns_open--;
	for (; p != NULL; p = next) {
		next = p->next;
		if (p->evcon != evcon)
			continue;
		srv->stats.client_gone++;
		pending_unlink(srv, p);
		if (p->gone != NULL)
			p->gone(p->req, p->gone_arg);
		free(p);
	}
}

/* Right after the listener's callback: count, or refuse, new connections. */
static void fresh_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < srv->n_fresh; i++) {
		struct bufferevent *bev = srv->fresh[i];
		void *cbarg = NULL;
		struct evhttp_connection *evcon;

		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		evcon = cbarg;
		if (evcon != NULL) {
			if (srv->stats.conns_open >= srv->max_conns) {
				srv->stats.conns_refused++;
				evhttp_connection_free(evcon);
			} else {
				srv->stats.conns_open++;
				srv->stats.conns_accepted++;
				evhttp_connection_set_closecb(evcon, conn_closed, srv);
			}
		}
		bufferevent_decref(bev);
	}
	srv->n_fresh = 0;
}

/* evhttp asks for the bufferevent of each new connection. */
static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	struct bufferevent *bev;

	if (srv->ssl != NULL) {
		SSL *ssl = SSL_new(srv->ssl);

		if (ssl == NULL)
			return NULL;
		bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
						     BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL) {
			SSL_free(ssl);
			return NULL;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL)
			return NULL;
	}
	if (!array_grow((void **)&srv->fresh, &srv->cap_fresh, srv->n_fresh + 1,
			sizeof(*srv->fresh))) {
		/* uncounted: the connection is served but not capped */
		log_warn("out of memory: an HTTP connection is not counted");
		return bev;
	}
	bufferevent_incref(bev);
	srv->fresh[srv->n_fresh++] = bev;
	event_active(srv->ev_fresh, EV_TIMEOUT, 0);
	return bev;
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)what;
	if (srv->bound != NULL)
		evconnlistener_enable(evhttp_bound_socket_get_listener(srv->bound));
}

/* accept() failed (out of file descriptors, most likely): pause a second
 * rather than spin on a listener that stays readable. */
static void accept_error(struct evconnlistener *lev, void *arg)
{
	struct http_server *srv = arg;
	struct timeval tv = { ACCEPT_PAUSE_MS / 1000, (ACCEPT_PAUSE_MS % 1000) * 1000 };
	int e = EVUTIL_SOCKET_ERROR();

	log_warn("could not accept an HTTP connection: %s; pausing for %d ms",
		 evutil_socket_error_to_string(e), ACCEPT_PAUSE_MS);
	evconnlistener_disable(lev);
	if (evtimer_add(srv->ev_resume, &tv) != 0)
		evconnlistener_enable(lev);
}

/* ------------------------------------------------------------ auth */

/* The entry of addr, a new one (replacing the stalest) if none. */
static struct auth_entry *auth_entry(struct http_server *srv, const char *addr, int64_t now)
{
	struct auth_entry *stalest = &srv->auth[0];

	for (size_t i = 0; i < AUTH_TABLE_SIZE; i++) {
		struct auth_entry *e = &srv->auth[i];

		if (e->addr[0] != '\0' && strcmp(e->addr, addr) == 0) {
			if (now - e->last_ms > AUTH_FORGET_MS)
				e->fails = 0;
			return e;
		}
		if (e->addr[0] == '\0' || e->last_ms < stalest->last_ms ||
		    (stalest->addr[0] != '\0' && e->addr[0] == '\0'))
			stalest = e;
	}
	memset(stalest, 0, sizeof(*stalest));
	snprintf(stalest->addr, sizeof(stalest->addr), "%s", addr);
	return stalest;
}

static bool secret_matches(const struct http_server *srv, const char *s, size_t len)
{
	unsigned char md[32];

	if (!srv->have_secret)
		return false;
	sha256(s, len, md);
	return CRYPTO_memcmp(md, srv->secret_md, sizeof(md)) == 0;
}

static const char *const auth_reasons[] = {
	[AUTH_OK] = "ok",
	[AUTH_MISSING] = "authentication required",
	[AUTH_WRONG] = "wrong secret",
	/* one string: parentheses keep clang's -Wstring-concatenation quiet */
	[AUTH_IN_QUERY] = ("a secret in the URL is refused: send it as the Basic auth password or "
			   "in the X-Sawt-Secret header"),
};

/* True when the query string carries a secret: a parameter named so, or
 * any parameter whose value is the secret. */
static bool query_has_secret(const struct http_server *srv, struct evhttp_request *req)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	struct evkeyval *kv;
	bool found = false;

	if (q == NULL || q[0] == '\0')
		return false;
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(q, &params) != 0) {
		evhttp_clear_headers(&params);
		/* undecodable: look at the raw text */
		for (const char *c = q; *c != '\0'; c++)
			if (strncasecmp(c, "secret", 6) == 0)
				return true;
		return false;
	}
	TAILQ_FOREACH(kv, &params, next)
	{
		if (strcasecmp(kv->key, "secret") == 0 ||
		    secret_matches(srv, kv->value, strlen(kv->value)))
			found = true;
	}
	evhttp_clear_headers(&params);
	return found;
}

/* The password of "Basic base64(user:password)" into buf; its length or -1. */
static int basic_password(const char *value, char *buf, size_t n)
{
	size_t len = strlen(value), pad = 0;
	int got;
	char *colon;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 >= n)
		return -1;
	got = EVP_DecodeBlock((unsigned char *)buf, (const unsigned char *)value, (int)len);
	if (got < 0)
		return -1;
	while (pad < 2 && len > pad && value[len - 1 - pad] == '=')
		pad++;
	got -= (int)pad;
	buf[got] = '\0';
	colon = memchr(buf, ':', (size_t)got);
	if (colon == NULL)
		return -1;
	got -= (int)(colon + 1 - buf);
	memmove(buf, colon + 1, (size_t)got);
	buf[got] = '\0';
	return got;
}

static enum auth_result check_secret(const struct http_server *srv, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *v;
	char buf[1024];
	bool ok = false, offered = false;

	if (query_has_secret(srv, req))
		return AUTH_IN_QUERY;
	v = evhttp_find_header(h, "X-Sawt-Secret");
	if (v != NULL) {
		offered = true;
		ok = secret_matches(srv, v, strlen(v));
	}
	v = evhttp_find_header(h, "Authorization");
	if (!ok && v != NULL) {
		offered = true;
		if (strncasecmp(v, "Basic ", 6) == 0) {
			int n;

			v += 6;
			while (*v == ' ')
				v++;
			n = basic_password(v, buf, sizeof(buf));
			ok = n >= 0 && secret_matches(srv, buf, (size_t)n);
			OPENSSL_cleanse(buf, sizeof(buf));
		} else if (strncasecmp(v, "Bearer ", 7) == 0) {
			v += 7;
			while (*v == ' ')
				v++;
			ok = secret_matches(srv, v, strlen(v));
		}
	}
	if (ok)
		return AUTH_OK;
	return offered ? AUTH_WRONG : AUTH_MISSING;
}

static void send_401(struct evhttp_request *req, enum auth_result r)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (evhttp_add_header(h, "WWW-Authenticate", "Basic realm=\"sawt\", charset=\"UTF-8\"") !=
	    0)
		log_warn("could not add a header to an HTTP reply: out of memory");
	http_reply_text(req, 401, auth_reasons[r]);
}

static void delayed_unlink(struct http_server *srv, struct delayed *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		srv->delayed = d->next;
	if (d->next)
		d->next->prev = d->prev;
}

static void delayed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct delayed *d = arg;

	(void)fd;
	(void)what;
	delayed_unlink(d->srv, d);
	send_401(d->req, d->why);
	event_free(d->ev);
	free(d);
}

/* Refuse req: at once, or later for an address that keeps failing. */
static void refuse(struct http_server *srv, struct evhttp_request *req, const char *path,
		   enum auth_result r)
{
	char addr[ADDR_MAX];
	int64_t now = util_mono_ms();
	struct auth_entry *e;
	int64_t delay = 0;
	struct delayed *d;

	srv->stats.auth_failures++;
	addr_text(req_addr(req), addr, sizeof(addr));
	e = auth_entry(srv, addr, now);
	e->fails++;
	e->last_ms = now;
	if (e->logged_ms == 0 || now - e->logged_ms >= AUTH_LOG_EVERY_MS) {
		log_warn("HTTP %s from %s refused: %s (%u failure(s) from this address)", path,
			 addr, r == AUTH_IN_QUERY ? "secret in the URL" : auth_reasons[r],
			 e->fails);
		e->logged_ms = now;
	}
	if (e->fails > AUTH_FREE_FAILS) {
		unsigned shift = e->fails - AUTH_FREE_FAILS - 1;

		delay = (int64_t)AUTH_DELAY_BASE_MS
			<< (shift > AUTH_DELAY_MAX_SHIFT ? AUTH_DELAY_MAX_SHIFT : shift);
	}
	if (delay == 0)
		goto now;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		goto now;
	d->ev = evtimer_new(srv->base, delayed_cb, d);
	if (d->ev != NULL) {
		struct timeval tv = { (time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000 };

		d->srv = srv;
		d->req = req;
		d->why = r;
		if (evtimer_add(d->ev, &tv) == 0) {
			d->next = srv->delayed;
			if (d->next)
				d->next->prev = d;
			srv->delayed = d;
			srv->stats.auth_delayed++;
			return;
		}
		event_free(d->ev);
	}
	free(d);
now:
	send_401(req, r);
}

/* ------------------------------------------------------------ dispatch */

static void dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct pending_req *p;
	const struct route *rt = NULL;
	size_t idx;
	enum auth_result r = AUTH_OK;

	if (path == NULL)
		path = "";
	for (idx = 0; idx < srv->n_routes; idx++) {
		if (strcmp(srv->routes[idx].path, path) == 0) {
			rt = &srv->routes[idx];
			break;
		}
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		http_reply_text(req, 503, "out of memory");
		return;
	}
	p->srv = srv;
	p->evcon = evhttp_request_get_connection(req);
	p->req = req;
	p->route = rt ? idx : srv->n_routes; /* "other" follows the routes */
	p->next = srv->pending;
	if (p->next)
		p->next->prev = p;
	srv->pending = p;
	evhttp_request_set_on_complete_cb(req, request_done, p);
	if (rt == NULL) {
		http_reply_text(req, 404, "not found");
		return;
	}
	if ((evhttp_request_get_command(req) &
	     (EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD)) == 0) {
		if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
				      "GET, POST, HEAD") != 0)
			log_warn("could not add a header to an HTTP reply: out of memory");
		http_reply_text(req, 405, "method not allowed");
		return;
	}
	switch (rt->access) {
	case HTTP_ACCESS_OPEN: break;
	case HTTP_ACCESS_LOCAL_OR_SECRET:
		if (addr_is_loopback(req_addr(req)) && !query_has_secret(srv, req))
			break;
		r = check_secret(srv, req);
		break;
	case HTTP_ACCESS_SECRET: r = check_secret(srv, req); break;
	}
	if (r != AUTH_OK) {
		refuse(srv, req, rt->path, r);
		return;
	}
	rt->fn(req, rt->arg);
}

/* ------------------------------------------------------------ set-up */

/* The key file may be read by its owner only. */
static bool check_key_mode(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		util_seterr(err, errlen, "could not open key file \"%s\": %s", path,
			    strerror(errno));
		return false;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		util_seterr(err, errlen,
			    "key file \"%s\" is accessible by group or others (mode %04o); "
			    "make it 0600 (chmod 600 \"%s\")",
			    path, (unsigned)(st.st_mode & 07777), path);
		return false;
	}
	return true;
}

static SSL_CTX *tls_new(const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	char e[256];

	if (!check_key_mode(key, err, errlen))
		return NULL;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		util_seterr(err, errlen, "could not create the TLS context: %s",
			    ssl_error(e, sizeof(e)));
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
					 SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS)) {
		util_seterr(err, errlen, "could not configure TLS: %s", ssl_error(e, sizeof(e)));
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		util_seterr(err, errlen, "could not load certificate file \"%s\": %s", cert,
			    ssl_error(e, sizeof(e)));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		util_seterr(err, errlen, "could not load key file \"%s\": %s", key,
			    ssl_error(e, sizeof(e)));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		util_seterr(err, errlen, "key file \"%s\" does not match certificate file \"%s\"",
			    key, cert);
		ERR_clear_error();
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static bool server_listen(struct http_server *srv, const char *listen, char *err, size_t errlen)
{
	char host[256];
	int port;
	evutil_socket_t fd;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (listen == NULL || !split_listen(listen, host, sizeof(host), &port)) {
		util_seterr(err, errlen, "invalid HTTP listen address \"%s\"",
			    listen ? listen : "");
		return false;
	}
	srv->bound = evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port);
	if (srv->bound == NULL) {
		util_seterr(err, errlen, "could not listen on \"%s\": %s", listen,
			    strerror(errno ? errno : EADDRINUSE));
		return false;
	}
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(srv->bound), accept_error);
	fd = evhttp_bound_socket_get_fd(srv->bound);
	srv->port = port;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return true;
}

struct http_server *http_server_new(struct event_base *base, const struct http_server_options *opt,
				    char *err, size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));

	if (srv == NULL)
		goto oom;
	srv->base = base;
	srv->max_conns = opt->max_conns ? opt->max_conns : HTTP_DEFAULT_MAX_CONNS;
	if (opt->secret != NULL && opt->secret[0] != '\0') {
		srv->have_secret = true;
		sha256(opt->secret, strlen(opt->secret), srv->secret_md);
	}
	snprintf(srv->stats.routes[0].path, HTTP_STATS_PATH_MAX, "other");
	srv->stats.n_routes = 1;
	if ((opt->tls_cert != NULL) != (opt->tls_key != NULL)) {
		util_seterr(err, errlen, "tls_cert and tls_key must be set together");
		goto fail;
	}
	if (opt->tls_cert != NULL) {
		srv->ssl = tls_new(opt->tls_cert, opt->tls_key, err, errlen);
		if (srv->ssl == NULL)
			goto fail;
	}
	srv->http = evhttp_new(base);
	srv->ev_fresh = event_new(base, -1, 0, fresh_cb, srv);
	srv->ev_resume = evtimer_new(base, resume_cb, srv);
	if (srv->http == NULL || srv->ev_fresh == NULL || srv->ev_resume == NULL)
		goto oom;
	evhttp_set_max_body_size(
		srv->http, (ev_ssize_t)(opt->max_body ? opt->max_body : HTTP_DEFAULT_MAX_BODY));
	evhttp_set_max_headers_size(
		srv->http,
		(ev_ssize_t)(opt->max_headers ? opt->max_headers : HTTP_DEFAULT_MAX_HEADERS));
	evhttp_set_timeout(srv->http, opt->timeout_s > 0 ? opt->timeout_s : HTTP_DEFAULT_TIMEOUT_S);
	/* every method reaches dispatch(), which answers 405 to the others */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
						      EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						      EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
						      EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_bevcb(srv->http, bev_cb, srv);
	evhttp_set_gencb(srv->http, dispatch, srv);
	if (!server_listen(srv, opt->listen, err, errlen))
		goto fail;
	return srv;
oom:
	util_seterr(err, errlen, "out of memory");
fail:
	http_server_free(srv);
	return NULL;
}

bool http_server_route(struct http_server *srv, const char *path, enum http_access access,
		       http_handler_fn fn, void *arg)
{
	struct route *rt;
	struct http_route_stats *rs;

	if (srv->n_routes >= HTTP_STATS_ROUTES_MAX || strlen(path) >= HTTP_STATS_PATH_MAX)
		return false;
	for (size_t i = 0; i < srv->n_routes; i++)
		if (strcmp(srv->routes[i].path, path) == 0)
			return false;
	rt = &srv->routes[srv->n_routes];
	rt->path = strdup(path);
	if (rt->path == NULL)
		return false;
	rt->access = access;
	rt->fn = fn;
	rt->arg = arg;
	/* the route takes the counters' slot n_routes; "other" moves up one */
	rs = &srv->stats.routes[srv->n_routes];
	srv->stats.routes[srv->n_routes + 1] = *rs;
	memset(rs, 0, sizeof(*rs));
	snprintf(rs->path, sizeof(rs->path), "%s", path);
	for (struct pending_req *p = srv->pending; p != NULL; p = p->next)
		if (p->route == srv->n_routes)
			p->route++;
	srv->n_routes++;
	srv->stats.n_routes = srv->n_routes + 1;
	return true;
}

int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

bool http_server_tls(const struct http_server *srv)
{
	return srv->ssl != NULL;
}

void http_server_stats(const struct http_server *srv, struct http_server_stats *out)
{
	*out = srv->stats;
}

void http_server_stop_listening(struct http_server *srv)
{
	if (srv == NULL || srv->bound == NULL)
		return;
	evhttp_del_accept_socket(srv->http, srv->bound);
	srv->bound = NULL;
}

void http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	/* answer the held-back 401s: a detached request is freed by that */
	while (srv->delayed != NULL) {
		struct delayed *d = srv->delayed;

		delayed_unlink(srv, d);
		send_401(d->req, d->why);
		event_free(d->ev);
		free(d);
	}
	if (srv->ev_fresh != NULL)
		fresh_cb(-1, 0, srv);
	if (srv->http != NULL)
		evhttp_free(srv->http); /* closes connections: conn_closed() runs */
	while (srv->pending != NULL) {
		struct pending_req *p = srv->pending;

		pending_unlink(srv, p);
		free(p);
	}
	if (srv->ev_fresh)
		event_free(srv->ev_fresh);
	if (srv->ev_resume)
		event_free(srv->ev_resume);
	free(srv->fresh);
	for (size_t i = 0; i < srv->n_routes; i++)
		free(srv->routes[i].path);
	SSL_CTX_free(srv->ssl);
	free(srv);
}
