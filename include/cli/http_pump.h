/*
 * http_pump.h - the sawt tool's HTTP client for `sawt simulate --via http`:
 * POSTs form bodies to one URL over a few keep-alive connections, one
 * request in flight on each, and offers a request again until the server
 * takes it.
 *
 * The rule is the one Kannel and aggregators follow with sawtd's
 * /sms/inbound: a 2xx answer means the message is durable; a 5xx, a 429
 * or a lost connection means "not taken, try again" (after a pause that
 * grows from 0.1 s to 2 s); any other 4xx is a permanent refusal, which
 * stops the pump with the server's one-line reason.  Nothing posted is
 * dropped while the pump runs: http_pump_drain() returns only when every
 * body has been taken, refused, or the deadline has passed.
 *
 * Plain http only (a load generator on the same network as sawtd); the
 * secret goes as the password of HTTP Basic auth, never in the URL.
 */
#ifndef SAWT_HTTP_PUMP_H
#define SAWT_HTTP_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define HTTP_PUMP_MAX_CONNS 64

struct http_pump;

struct http_pump_stats {
	uint64_t posted;   /* bodies handed to http_pump_post() */
	uint64_t taken;    /* answered 2xx */
	uint64_t retried;  /* attempts answered 5xx/429 or lost */
	double lat_p50_ms; /* latency of the answered 2xx attempts */
	double lat_p99_ms;
};

/*
 * A pump POSTing to url ("http://host:port/path") over conns connections
 * (1 to HTTP_PUMP_MAX_CONNS), with secret (may be NULL) as the Basic-auth
 * password.  NULL with a message in err when the URL is not a plain http
 * URL or memory runs out.  Free with http_pump_free().
 */
struct http_pump *http_pump_new(const char *url, const char *secret, unsigned conns, char *err,
				size_t errlen) SAWT_MUST_CHECK;

/* Free the pump; requests still in flight are abandoned.  NULL is a no-op. */
void http_pump_free(struct http_pump *p);

/*
 * Queue one application/x-www-form-urlencoded body (copied), waiting (and
 * running the pump) until a connection is free.  False with the reason in
 * err when the server refused an earlier body for good or deadline (Unix
 * seconds, 0: none) passed.
 */
bool http_pump_post(struct http_pump *p, const char *body, size_t len, double deadline, char *err,
		    size_t errlen) SAWT_MUST_CHECK;

/* Run until every body posted so far is taken; false as for http_pump_post(). */
bool http_pump_drain(struct http_pump *p, double deadline, char *err,
		     size_t errlen) SAWT_MUST_CHECK;

/* Counters so far, and latency percentiles of the taken attempts. */
void http_pump_stats(const struct http_pump *p, struct http_pump_stats *out);

/*
 * Append name=value to the form body in buf (used bytes *len, size n),
 * percent-encoding value as application/x-www-form-urlencoded.  False
 * when it does not fit.
 */
bool http_pump_form_add(char *buf, size_t n, size_t *len, const char *name,
			const char *value) SAWT_MUST_CHECK;

/* The default URL of sawtd's /sms/inbound for the [http] listen address
 * ("host:port"; a wildcard host becomes the loopback) into buf. */
bool http_pump_default_url(const char *listen, char *buf, size_t n) SAWT_MUST_CHECK;

#endif
