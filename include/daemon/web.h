/*
 * web.h - the coordinators' election-day page on sawtd's HTTP door
 * (docs/web.md): sign-in by a one-time code texted through the outbox,
 * cookie sessions, and a small JSON API whose figures are scoped to the
 * coordinator's areas.  The SQL lives in migrations/0022_web.sql; this
 * module parses requests, draws codes and tokens, and passes the JSON the
 * database built through.
 */
#ifndef SAWT_WEB_H
#define SAWT_WEB_H

#include <stdbool.h>

#include "db.h"
#include "http_server.h"
#include "util.h"

struct web;

/* Called after a code SMS was queued (to wake the outbox). */
typedef void (*web_kick_fn)(void *arg);

struct web_options {
	const char *root;        /* directory of the page's files (index.html, ...) */
	const char *chart_js;    /* Chart.js (Debian's libjs-chart.js), served at /chart.js */
	int code_ttl_s;          /* how long a code works; 0: 300 */
	int session_s;           /* how long a session lasts; 0: 12 hours */
	int max_attempts;        /* tries per code, wrong ones included; 0: 5 */
	int sign_in_per_address; /* code requests and tries an hour per client address; 0: 20 */
};

/*
 * A page over db; kick(kick_arg) after each code queued.  Reads the
 * page's files from opt->root now; NULL with a message in err when they
 * are missing or memory ran out.  Reads opt->chart_js too: when it is
 * missing, says so (an error in the log) and the page goes without
 * charts.  db is borrowed.
 */
struct web *web_new(struct db *db, const struct web_options *opt, web_kick_fn kick, void *kick_arg,
		    char *err, size_t errlen) SAWT_MUST_CHECK;

/* The page's directory: the source tree's web/ when this program runs
 * from its build tree, else the installed one (share/sawt/web). */
const char *web_default_root(void);

/* Add the page's routes to srv; false when the routing table is full. */
bool web_route(struct web *w, struct http_server *srv) SAWT_MUST_CHECK;

/* Free; requests still waiting for the database are forgotten (the
 * server answers nothing more).  NULL is a no-op. */
void web_free(struct web *w);

#endif
