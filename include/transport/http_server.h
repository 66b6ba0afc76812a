/*
 * http_server.h - sawtd's HTTP(S) door: libevent's evhttp in the daemon's
 * one loop, with routes, authentication by the shared secret, limits and
 * counters.  What each route does (inbound SMS, delivery reports, metrics,
 * health) lives in the daemon layer; this module only serves.
 *
 * Routes are exact paths, each with an access level:
 *
 *   HTTP_ACCESS_SECRET           the request must carry the [http] secret
 *   HTTP_ACCESS_LOCAL_OR_SECRET  loopback peers need nothing, others the secret
 *   HTTP_ACCESS_OPEN             anyone
 *
 * The secret is accepted as the password of HTTP Basic auth (any user
 * name: Kannel writes http://sawt:SECRET@host/...), as
 * "Authorization: Bearer SECRET" or in the header "X-Sawt-Secret".  It is
 * compared in constant time (SHA-256 digests, CRYPTO_memcmp) and never
 * logged.  A request whose query string holds a parameter named "secret",
 * or any parameter whose value is the secret, is refused with 401 even when
 * the secret is right: a URL ends up in proxy and access logs.  A refusal
 * is a 401 with WWW-Authenticate, counted; an address that keeps failing
 * gets its 401s later and later (a bounded table of addresses).
 *
 * A handler gets the request and must answer it exactly once with
 * http_reply() (or http_reply_text()), now or later from the loop (after
 * the message is durable, say).  When the client goes away first, libevent
 * detaches the request from its connection but keeps it until that one
 * reply, which then only frees it: a late reply is always safe.  The one
 * exception is http_server_free(): it frees every request still held, so
 * a module that holds requests must have answered them (or dropped them)
 * before the server is freed.
 *
 * Limits: request headers and body sizes (413 beyond them), a timeout on
 * every read and write (a slow or idle client is disconnected), at most
 * max_conns connections at a time (more are accepted and closed at once,
 * counted as refused), methods GET, POST and HEAD only (405 for the
 * others).
 *
 * HTTPS through OpenSSL bufferevents when tls_cert and tls_key are set:
 * TLS 1.2 or later, forward-secret AEAD ciphers only; a key file that its
 * group or others may access is refused at start-up.
 */
#ifndef SAWT_HTTP_SERVER_H
#define SAWT_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct event_base;
struct evhttp_request;
struct http_server;

enum http_access {
	HTTP_ACCESS_SECRET,
	HTTP_ACCESS_LOCAL_OR_SECRET,
	HTTP_ACCESS_OPEN,
};

/* Handle req; answer it exactly once with http_reply(), now or later. */
typedef void (*http_handler_fn)(struct evhttp_request *req, void *arg);

#define HTTP_DEFAULT_MAX_BODY (64 * 1024)
#define HTTP_DEFAULT_MAX_HEADERS (8 * 1024)
#define HTTP_DEFAULT_TIMEOUT_S 30
#define HTTP_DEFAULT_MAX_CONNS 2048

/* Zero (or NULL) fields take the defaults above.  Strings are copied. */
struct http_server_options {
	const char *listen;   /* "host:port" or "[ipv6]:port"; port 0: any free port */
	const char *secret;   /* NULL or "": routes that need it refuse everyone */
	const char *tls_cert; /* PEM chain; with tls_key: HTTPS */
	const char *tls_key;  /* PEM key, mode 0600 or stricter */
	size_t max_body;      /* bytes of a request body */
	size_t max_headers;   /* bytes of the request line and headers */
	int timeout_s;        /* idle read/write timeout of a connection */
	unsigned max_conns;   /* connections open at once */
};

#define HTTP_STATS_ROUTES_MAX 32 /* registered routes; one more for "other" */
#define HTTP_STATS_CODES_MAX 12  /* distinct statuses per route; the rest as 0 */
#define HTTP_STATS_PATH_MAX 64

struct http_status_count {
	int status; /* 200, 401, ...; 0 collects statuses beyond HTTP_STATS_CODES_MAX */
	uint64_t count;
};

/* Requests answered on one route, by status. */
struct http_route_stats {
	char path[HTTP_STATS_PATH_MAX]; /* the route; "other" for unknown paths */
	size_t n_codes;
	struct http_status_count codes[HTTP_STATS_CODES_MAX];
};

/*
 * Counters of a server.  Requests are counted when their reply has been
 * written; a request whose client left first is counted in client_gone,
 * not by status.  Requests libevent itself rejects before routing them
 * (a malformed request line, headers or body over the limits) are not
 * seen here.
 */
struct http_server_stats {
	size_t n_routes; /* routes[n_routes - 1] is "other" */
	struct http_route_stats routes[HTTP_STATS_ROUTES_MAX + 1];
	uint64_t auth_failures;  /* 401s for a missing, wrong or misplaced secret */
	uint64_t auth_delayed;   /* of those, answered late (repeated failures) */
	uint64_t conns_accepted; /* connections taken */
	uint64_t conns_refused;  /* connections closed at once: max_conns reached */
	uint64_t client_gone;    /* requests whose client left before the reply */
	unsigned conns_open;     /* connections open now */
};

/*
 * Listen on opt->listen with base's loop.  Checks the TLS files (the key's
 * mode, that key and certificate match) and binds the socket; NULL with a
 * one-line message in err on failure, e.g.
 *   key file "/etc/sawt/key.pem" is accessible by group or others (mode 0644); make it 0600
 * Requests are answered 404 until routes are added.
 */
struct http_server *http_server_new(struct event_base *base, const struct http_server_options *opt,
				    char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Serve path (exact match, e.g. "/sms/inbound") with fn(req, arg) for
 * requests that pass access.  False when the path is taken, the table is
 * full (HTTP_STATS_ROUTES_MAX) or memory ran out.
 */
bool http_server_route(struct http_server *srv, const char *path, enum http_access access,
		       http_handler_fn fn, void *arg) SAWT_MUST_CHECK;

/* The port the server listens on (useful with port 0). */
int http_server_port(const struct http_server *srv);

/* True when the server speaks HTTPS. */
bool http_server_tls(const struct http_server *srv);

/*
 * Answer req with status, a Content-Type (NULL: none) and len bytes of
 * body, and give req back to libevent: req must not be used afterwards.
 * "Cache-Control: no-store" is always sent.  Safe when the client has
 * gone (see above).
 */
void http_reply(struct evhttp_request *req, int status, const char *content_type, const char *body,
		size_t len);

/*
 * Called when the connection of a streamed reply (evhttp_send_reply_start)
 * closes before evhttp_send_reply_end().  When
 * evhttp_request_get_connection(req) is NULL then, libevent has let go of
 * req and gone must free it with evhttp_send_reply_end(); otherwise
 * libevent frees it right after (the server is shutting down) and req
 * must not be used again.
 */
typedef void (*http_gone_fn)(struct evhttp_request *req, void *arg);

/* Call gone(req, arg) if req's client goes away before its reply ends
 * (see http_gone_fn).  req is a request srv is handling now. */
void http_server_on_gone(struct http_server *srv, struct evhttp_request *req, http_gone_fn gone,
			 void *arg);

/* http_reply() with a text/plain body of line and a newline: the one-line
 * reason of a 4xx or 5xx ("missing parameter \"from\""). */
void http_reply_text(struct evhttp_request *req, int status, const char *line);

/*
 * The peer address of req as text ("127.0.0.1", "::1") into buf (n bytes),
 * "unknown" when the connection is gone.  Returns buf.
 */
const char *http_peer(struct evhttp_request *req, char *buf, size_t n);

/* Copy the counters into *out. */
void http_server_stats(const struct http_server *srv, struct http_server_stats *out);

/* Stop accepting connections (at shutdown); open ones are served on. */
void http_server_stop_listening(struct http_server *srv);

/* Close everything and free; NULL is a no-op.  See above about requests
 * still held by handlers. */
void http_server_free(struct http_server *srv);

#endif
