/*
 * web_events.c - GET /api/events, the page's Server-Sent Events; see
 * web_events.h and docs/web.md.
 *
 * A stream is a chunked reply (evhttp_send_reply_start) that stays open.
 * One timer a second compares the daemon's counters with the last look
 * and writes one event naming what moved to every stream: the page hears
 * of a burst of reports once a second at most.  A comment line every
 * KEEPALIVE_S keeps proxies from closing an idle stream.  When a client
 * goes away the HTTP server tells us (http_server_on_gone) and the stream
 * is freed there.
 */
#include "web_events.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "web_auth.h"

#define DEFAULT_MAX_STREAMS 64
#define KEEPALIVE_S 15
#define RETRY_MS 3000
#define STREAM_TIMEOUT_S (24 * 3600)

struct stream {
	struct web_events *ev; /* NULL when freed while its session was checked */
	struct evhttp_request *req;
	bool open;       /* false while its session is checked */
	bool thresholds; /* GET /api/thresholds: answered, not streamed */
	struct stream *prev, *next;
};

struct web_events {
	struct event_base *base;
	struct db *db;
	struct http_server *srv;
	struct event *tick;
	web_events_stamp_fn stamp;
	void *stamp_arg;
	struct web_events_stamp last;
	struct stream *streams; /* open ones and ones being checked */
	unsigned n_open, n_checking, max_streams;
	unsigned ticks;
	struct web_thresholds marks;
	uint64_t elsewhere;         /* NOTIFYs heard on WEB_EVENTS_CHANNEL */
	uint64_t listened_on;       /* the db's connection count when LISTEN last worked */
	struct listen_q *listening; /* the LISTEN in flight, or NULL */
};

/* A LISTEN in flight; ev is NULL once the module is freed. */
struct listen_q {
	struct web_events *ev;
};

static void stream_unlink(struct web_events *ev, struct stream *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		ev->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->open)
		ev->n_open--;
	else
		ev->n_checking--;
}

static void stream_link(struct web_events *ev, struct stream *s)
{
	s->prev = NULL;
	s->next = ev->streams;
	if (s->next)
		s->next->prev = s;
	ev->streams = s;
	if (s->open)
		ev->n_open++;
	else
		ev->n_checking++;
}

/* Write text to stream s. */
static void stream_write(struct stream *s, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		return;
	if (evbuffer_add(b, text, strlen(text)) == 0)
		evhttp_send_reply_chunk(s->req, b);
	evbuffer_free(b);
}

/* The client of a stream went away (see http_gone_fn). */
static void stream_gone(struct evhttp_request *req, void *arg)
{
	struct stream *s = arg;

	stream_unlink(s->ev, s);
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_send_reply_end(req); /* frees req */
	free(s);
}

static void listen_done(const struct db_result *res, void *arg)
{
	struct listen_q *q = arg;
	struct web_events *ev = q->ev;
	struct db_stats st;

	free(q);
	if (ev == NULL)
		return;
	ev->listening = NULL;
	if (!db_result_ok(res)) {
		log_warn("could not LISTEN %s: %s", WEB_EVENTS_CHANNEL, db_result_error(res));
		return;
	}
	db_get_stats(ev->db, &st);
	ev->listened_on = st.connects;
}

/* LISTEN on a connection that has not: the first, or a new one. */
static void listen_check(struct web_events *ev)
{
	struct db_stats st;
	struct listen_q *q;

	if (ev->listening != NULL || db_get_state(ev->db) != DB_STATE_READY)
		return;
	db_get_stats(ev->db, &st);
	if (st.connects == ev->listened_on || (q = calloc(1, sizeof(*q))) == NULL)
		return;
	q->ev = ev;
	if (!db_query(ev->db, "LISTEN " WEB_EVENTS_CHANNEL, 0, NULL, listen_done, q)) {
		free(q);
		return;
	}
	ev->listening = q;
}

/* Once a second: tell every stream what moved; now and then a comment. */
static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct web_events *ev = arg;
	struct web_events_stamp now;
	char text[160];
	bool keepalive;

	(void)fd;
	(void)what;
	listen_check(ev);
	ev->stamp(ev->stamp_arg, &now);
	now.reports += ev->elsewhere;
	keepalive = ++ev->ticks % KEEPALIVE_S == 0;
	text[0] = '\0';
	if (now.reports != ev->last.reports || now.alerts != ev->last.alerts ||
	    now.ops != ev->last.ops)
		snprintf(text, sizeof(text),
			 "event: change\ndata: {\"reports\":%s,\"alerts\":%s,\"ops\":%s}\n\n",
			 now.reports != ev->last.reports ? "true" : "false",
			 now.alerts != ev->last.alerts ? "true" : "false",
			 now.ops != ev->last.ops ? "true" : "false");
	else if (keepalive)
		snprintf(text, sizeof(text), ": keep-alive\n\n");
	ev->last = now;
	if (text[0] == '\0')
		return;
	for (struct stream *s = ev->streams; s != NULL; s = s->next)
		if (s->open)
			stream_write(s, text);
}

static void session_done(const struct db_result *res, void *arg)
{
	struct stream *s = arg;
	struct web_events *ev = s->ev;
	struct evhttp_request *req = s->req;
	struct evhttp_connection *evcon;
	char hello[64];

	if (ev == NULL) { /* freed meanwhile: the server answers nothing more */
		free(s);
		return;
	}
	stream_unlink(ev, s);
	if (!db_result_ok(res)) {
		log_warn("could not check a session for /api/events: %s", db_result_error(res));
		http_reply_text(req, 503, "could not check the session");
		goto fail;
	}
	if (db_result_rows(res) != 1 || strcmp(db_result_value(res, 0, 0), "t") == 0) {
		http_reply_text(req, 401, "not signed in");
		goto fail;
	}
	if (s->thresholds) {
		char json[256];

		snprintf(json, sizeof(json),
			 "{\"turnout_high_pct\":%u,\"women_low_pct\":%u,\"women_high_pct\":%u,"
			 "\"women_min_voters\":%u}",
			 ev->marks.turnout_high_pct, ev->marks.women_low_pct,
			 ev->marks.women_high_pct, ev->marks.women_min_voters);
		http_reply(req, 200, "application/json; charset=utf-8", json, strlen(json));
		goto fail;
	}
	if (ev->n_open >= ev->max_streams) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "30");
		http_reply_text(req, 503, "too many event streams open");
		goto fail;
	}
	evcon = evhttp_request_get_connection(req);
	if (evcon != NULL)
		evhttp_connection_set_timeout(evcon, STREAM_TIMEOUT_S);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/event-stream; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Accel-Buffering", "no");
	evhttp_send_reply_start(req, 200, "OK");
	s->open = true;
	stream_link(ev, s);
	http_server_on_gone(ev->srv, req, stream_gone, s);
	snprintf(hello, sizeof(hello), "retry: %d\n: hello\n\n", RETRY_MS);
	stream_write(s, hello);
	return;
fail:
	free(s);
}

/* GET /api/events, or GET /api/thresholds when thresholds */
static void handle(struct evhttp_request *req, struct web_events *ev, bool thresholds)
{
	const char *cookie = evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie");
	char token[WEB_TOKEN_BUF];
	const char *params[1] = { token };
	struct stream *s;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
		http_reply_text(req, 405, "method not allowed");
		return;
	}
	if (!web_cookie_get(cookie, WEB_COOKIE, token, sizeof(token)) || !web_token_valid(token)) {
		http_reply_text(req, 401, "not signed in");
		return;
	}
	if (!thresholds && ev->n_open + ev->n_checking >= ev->max_streams) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "30");
		http_reply_text(req, 503, "too many event streams open");
		return;
	}
	if (db_get_state(ev->db) != DB_STATE_READY) {
		http_reply_text(req, 503, "the database is unavailable");
		return;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		http_reply_text(req, 503, "out of memory");
		return;
	}
	s->ev = ev;
	s->req = req;
	s->thresholds = thresholds;
	if (!db_query(ev->db, "SELECT sawt.web_session_person($1) IS NULL", 1, params, session_done,
		      s)) {
		free(s);
		http_reply_text(req, 503, "out of memory");
		return;
	}
	stream_link(ev, s);
}

static void handle_events(struct evhttp_request *req, void *arg)
{
	handle(req, arg, false);
}

static void handle_thresholds(struct evhttp_request *req, void *arg)
{
	handle(req, arg, true);
}

struct web_events *web_events_new(struct event_base *base, struct db *db, unsigned max_streams,
				  const struct web_thresholds *marks, web_events_stamp_fn stamp,
				  void *arg)
{
	struct web_events *ev = calloc(1, sizeof(*ev));
	struct timeval second = { 1, 0 };

	if (ev == NULL)
		return NULL;
	ev->base = base;
	ev->db = db;
	ev->stamp = stamp;
	ev->stamp_arg = arg;
	ev->max_streams = max_streams > 0 ? max_streams : DEFAULT_MAX_STREAMS;
	ev->marks = *marks;
	stamp(arg, &ev->last);
	listen_check(ev);
	ev->tick = event_new(base, -1, EV_PERSIST, tick_cb, ev);
	if (ev->tick == NULL || event_add(ev->tick, &second) != 0) {
		web_events_free(ev);
		return NULL;
	}
	return ev;
}

bool web_events_route(struct web_events *ev, struct http_server *srv)
{
	ev->srv = srv;
	return http_server_route(srv, "/api/events", HTTP_ACCESS_OPEN, handle_events, ev) &&
	       http_server_route(srv, "/api/thresholds", HTTP_ACCESS_OPEN, handle_thresholds, ev);
}

void web_events_on_notify(struct web_events *ev, const char *channel)
{
	if (ev != NULL && strcmp(channel, WEB_EVENTS_CHANNEL) == 0)
		ev->elsewhere++;
}

void web_events_set_thresholds(struct web_events *ev, const struct web_thresholds *marks)
{
	if (ev != NULL)
		ev->marks = *marks;
}

unsigned web_events_open(const struct web_events *ev)
{
	return ev->n_open;
}

void web_events_free(struct web_events *ev)
{
	if (ev == NULL)
		return;
	while (ev->streams != NULL) {
		struct stream *s = ev->streams;

		stream_unlink(ev, s);
		if (s->open) {
			http_server_on_gone(ev->srv, s->req, NULL, NULL);
			evhttp_send_reply_end(s->req);
			free(s);
		} else {
			s->ev = NULL; /* session_done() frees it */
		}
	}
	if (ev->listening != NULL)
		ev->listening->ev = NULL; /* listen_done() frees it */
	if (ev->tick != NULL)
		event_free(ev->tick);
	free(ev);
}
