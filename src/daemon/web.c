/*
 * web.c - the election-day page's routes; see web.h and docs/web.md.
 */
#include "web.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "file.h"
#include "http_form.h"
#include "phone.h"
#include "sawt_build.h"
#include "web_auth.h"
#include "web_csv.h"

#define DEFAULT_CODE_TTL_S 300
#define DEFAULT_SESSION_S (12 * 3600)
#define DEFAULT_MAX_ATTEMPTS 5
#define DEFAULT_SIGN_IN_PER_ADDRESS 20
#define LIMIT_WINDOW_S 3600
#define LIMIT_SLOTS 4096
#define LIMIT_LOG_S 10 /* seconds between two log lines about refusals */
#define FIELD_MAX 64
#define FILE_MAX (1024 * 1024)
#define CHART_MAX (4 * 1024 * 1024)

/* What a request waits for from the database. */
enum web_call {
	WEB_CALL_CODE,
	WEB_CALL_VERIFY,
	WEB_CALL_LOGOUT,
	WEB_CALL_DATA,
};

struct waiting {
	struct web *w;              /* NULL once the page is freed */
	struct evhttp_request *req; /* NULL then too */
	struct waiting *prev, *next;
	enum web_call call;
	char token[WEB_TOKEN_BUF];    /* VERIFY: the new session's */
	const struct data_route *csv; /* DATA: answer as this route's CSV; NULL JSON */
};

struct web {
	struct db *db;
	web_kick_fn kick;
	void *kick_arg;
	struct waiting *waiting;
	char *files[3]; /* the page's files, as page_files[] */
	size_t lens[3];
	char *chart; /* Chart.js, NULL when it is not installed */
	size_t chart_len;
	int code_ttl_s, session_s, max_attempts;
	struct web_limit *limit; /* sign-in requests per client address */
	int64_t limit_logged_s;  /* when a refusal was last logged (monotonic) */
	unsigned limit_unlogged; /* refusals not logged since */
	bool tls;
};

/* The page's files, read at start from the root directory. */
static const struct page_file {
	const char *path, *file, *type;
} page_files[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/app.js", "app.js", "text/javascript; charset=utf-8" },
	{ "/app.css", "app.css", "text/css; charset=utf-8" },
};
#define N_PAGE_FILES (sizeof(page_files) / sizeof(page_files[0]))

/* The JSON endpoints: each one function of (person, area) in 0022_web.sql.
 * With ?format=csv each answers its rows as CSV (web_csv.h): those of the
 * array member csv_rows (NULL: the answer's rows), as file csv_name. */
struct data_route {
	const char *path;
	const char *sql; /* $1 the token, $2 the area or NULL */
	const char *csv_name, *csv_rows;
};

static const struct data_route data_routes[] = {
	{ "/api/me",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_me(p) END"
	  " FROM sawt.web_session_person($1) p WHERE $2::integer IS NULL OR true",
	  NULL, NULL },
	{ "/api/areas",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_areas(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-areas.csv", NULL },
	{ "/api/incidents",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_incidents(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-incidents.csv", NULL },
	{ "/api/alerts",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_alerts(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-alerts.csv", NULL },
	{ "/api/timeline",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_timeline(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-timeline.csv", "points" },
	{ "/api/results",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_results(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-results.csv", NULL },
	{ "/api/stations",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_station_list(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-stations.csv", NULL },
	{ "/api/checklists",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_checklists(p, $2) END"
	  " FROM sawt.web_session_person($1) p",
	  "sawt-checklists.csv", NULL },
	/* national coordinators only: 403 for others (0028_web_live.sql) */
	{ "/api/ops",
	  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_ops(p) END"
	  " FROM sawt.web_session_person($1) p WHERE $2::integer IS NULL OR true",
	  "sawt-modems.csv", "modems" },
};
#define N_DATA_ROUTES (sizeof(data_routes) / sizeof(data_routes[0]))

/* ==== helpers ==== */

static void add_header(struct evhttp_request *req, const char *key, const char *value)
{
	if (evhttp_add_header(evhttp_request_get_output_headers(req), key, value) != 0)
		log_warn("could not add a header to an HTTP reply: out of memory");
}

static void reply_json(struct evhttp_request *req, int status, const char *json)
{
	http_reply(req, status, "application/json; charset=utf-8", json, strlen(json));
}

static void waiting_unlink(struct web *w, struct waiting *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		w->waiting = x->next;
	if (x->next)
		x->next->prev = x->prev;
}

/*
 * Send sql with params for req; the answer goes to cb.  Answers req 503
 * itself when the database is away or memory ran out; returns the
 * waiting record or NULL then.
 */
static struct waiting *ask(struct web *w, struct evhttp_request *req, enum web_call call,
			   const char *sql, int n, const char *const *params, db_query_cb cb)
{
	struct waiting *x;

	if (db_get_state(w->db) != DB_STATE_READY) {
		http_reply_text(req, 503, "the database is unavailable");
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		goto oom;
	x->w = w;
	x->req = req;
	x->call = call;
	if (!db_query(w->db, sql, n, params, cb, x)) {
		free(x);
		goto oom;
	}
	x->next = w->waiting;
	if (x->next)
		x->next->prev = x;
	w->waiting = x;
	return x;
oom:
	http_reply_text(req, 503, "out of memory");
	return NULL;
}

/* Take the answer's waiting record off the list; NULL when the page is gone
 * (the record is freed then). */
static struct waiting *answered(void *arg)
{
	struct waiting *x = arg;

	if (x->w == NULL) {
		free(x);
		return NULL;
	}
	waiting_unlink(x->w, x);
	return x;
}

/* Fill buf (n bytes) with random bytes from the kernel; false on failure. */
static bool random_fill(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom((char *)buf + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_error("could not draw random bytes: %s", strerror(errno));
			return false;
		}
		got += (size_t)r;
	}
	return true;
}

/*
 * The form field name of a POST body (or NULL: the query string) into out
 * (cap bytes).  False when absent, empty, badly escaped or too long.
 */
static bool form_field(struct evhttp_request *req, bool body, const char *name, char *out,
		       size_t cap)
{
	const char *text;
	size_t len, pos = 0, outlen;
	struct http_form_field f;

	if (body) {
		struct evbuffer *b = evhttp_request_get_input_buffer(req);

		len = evbuffer_get_length(b);
		text = len > 0 ? (const char *)evbuffer_pullup(b, -1) : "";
		if (text == NULL)
			return false;
	} else {
		text = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
		if (text == NULL)
			text = "";
		len = strlen(text);
	}
	while (http_form_next(text, len, &pos, &f)) {
		if (!http_form_key_is(&f, name))
			continue;
		if (http_form_unescape(f.value, f.value_len, out, cap, &outlen) != HTTP_FORM_OK ||
		    outlen == 0 || outlen >= cap || memchr(out, '\0', outlen) != NULL)
			return false;
		return true;
	}
	return false;
}

/* The session token of req's cookie into out; false when there is none. */
static bool session_token(struct evhttp_request *req, char *out)
{
	const char *cookie = evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie");

	return web_cookie_get(cookie, WEB_COOKIE, out, WEB_TOKEN_BUF) && web_token_valid(out);
}

static bool method_is(struct evhttp_request *req, enum evhttp_cmd_type want, const char *allow)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);

	if (m == want || (want == EVHTTP_REQ_GET && m == EVHTTP_REQ_HEAD))
		return true;
	add_header(req, "Allow", allow);
	http_reply_text(req, 405, "method not allowed");
	return false;
}

/*
 * A state-changing request: POST, from the page itself (web_origin_ok());
 * answers 405 or 403 itself otherwise.
 */
static bool post_from_page(struct evhttp_request *req)
{
	const struct evkeyvalq *h = evhttp_request_get_input_headers(req);

	if (!method_is(req, EVHTTP_REQ_POST, "POST"))
		return false;
	if (web_origin_ok(evhttp_find_header(h, "Origin"), evhttp_find_header(h, "Referer"),
			  evhttp_find_header(h, "Host")))
		return true;
	http_reply_text(req, 403, "cross-site request refused: post from the page itself");
	return false;
}

/*
 * Count a sign-in request against its client address's hourly allowance
 * ([web] sign_in_per_address); answers 429 with Retry-After itself when it
 * is spent.
 */
static bool within_limit(struct web *w, struct evhttp_request *req)
{
	char *addr = NULL;
	ev_uint16_t port = 0;
	unsigned retry = 0;
	char after[16], key[WEB_LIMIT_KEY_BUF];
	int64_t now;

	evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr, &port);
	web_limit_key(addr, key, sizeof(key));
	/* a monotonic clock: setting the wall clock back opens no window */
	now = util_mono_ms() / 1000;
	if (web_limit_take(w->limit, key, now, &retry))
		return true;
	/* one line per LIMIT_LOG_S at most: a flood does not flood the log */
	if (w->limit_logged_s == 0 || now - w->limit_logged_s >= LIMIT_LOG_S) {
		if (w->limit_unlogged > 0)
			log_warn(
				"too many sign-in requests from %s: refused for %u s (and %u "
				"other refusal(s) since the last such line)",
				key, retry, w->limit_unlogged);
		else
			log_warn("too many sign-in requests from %s: refused for %u s", key, retry);
		w->limit_logged_s = now;
		w->limit_unlogged = 0;
	} else {
		w->limit_unlogged++;
	}
	snprintf(after, sizeof(after), "%u", retry > 0 ? retry : 1);
	add_header(req, "Retry-After", after);
	reply_json(req, 429, "{\"ok\":false,\"error\":\"too_many\"}");
	return false;
}

/* ==== sign-in ==== */

static void code_done(const struct db_result *res, void *arg)
{
	struct waiting *x = answered(arg);

	if (x == NULL)
		return;
	if (!db_result_ok(res)) {
		log_warn("could not start a sign-in: %s", db_result_error(res));
		http_reply_text(x->req, 503, "could not send a code");
	} else {
		if (strcmp(db_result_value(res, 0, 0), "sent") == 0 && x->w->kick != NULL)
			x->w->kick(x->w->kick_arg);
		/* the same answer whether the number is registered or not */
		reply_json(x->req, 202, "{\"sent\":true}");
	}
	free(x);
}

/* POST /api/login/code: phone=+961... */
static void handle_code(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	char raw[FIELD_MAX], phone[PHONE_E164_BUF], code[WEB_CODE_BUF], ttl[16];
	char bodies[WEB_LANGS][WEB_CODE_TEXT_MAX];
	const char *why, *params[6];
	unsigned r;

	if (!post_from_page(req) || !within_limit(w, req))
		return;
	if (!form_field(req, true, "phone", raw, sizeof(raw)) ||
	    !phone_normalize(raw, strlen(raw), NULL, phone, &why)) {
		http_reply_text(req, 400, "give the phone number in international form (+...)");
		return;
	}
	do {
		if (!random_fill(&r, sizeof(r))) {
			http_reply_text(req, 503, "could not draw a code");
			return;
		}
	} while (r >= WEB_CODE_LIMIT);
	web_code_format(r, code);
	for (int l = 0; l < WEB_LANGS; l++)
		web_code_text((enum web_lang)l, code, (unsigned)(w->code_ttl_s + 59) / 60,
			      bodies[l]);
	snprintf(ttl, sizeof(ttl), "%d", w->code_ttl_s);
	params[0] = phone;
	params[1] = code;
	params[2] = bodies[WEB_LANG_AR];
	params[3] = bodies[WEB_LANG_EN];
	params[4] = bodies[WEB_LANG_FR];
	params[5] = ttl;
	(void)ask(w, req, WEB_CALL_CODE,
		  "SELECT sawt.web_code_request($1, $2, ARRAY[$3, $4, $5], $6::integer)", 6, params,
		  code_done);
}

static void verify_done(const struct db_result *res, void *arg)
{
	struct waiting *x = answered(arg);
	const char *v;
	char cookie[256];

	if (x == NULL)
		return;
	if (!db_result_ok(res)) {
		log_warn("could not check a sign-in code: %s", db_result_error(res));
		http_reply_text(x->req, 503, "could not check the code");
		goto done;
	}
	v = db_result_value(res, 0, 0);
	if (strcmp(v, "ok") == 0) {
		snprintf(cookie, sizeof(cookie),
			 "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", WEB_COOKIE,
			 x->token, x->w->session_s, x->w->tls ? "; Secure" : "");
		add_header(x->req, "Set-Cookie", cookie);
		reply_json(x->req, 200, "{\"ok\":true}");
	} else if (strcmp(v, "locked") == 0) {
		reply_json(x->req, 429, "{\"ok\":false,\"error\":\"locked\"}");
	} else if (strcmp(v, "expired") == 0) {
		reply_json(x->req, 401, "{\"ok\":false,\"error\":\"expired\"}");
	} else if (strcmp(v, "wrong") == 0) {
		reply_json(x->req, 401, "{\"ok\":false,\"error\":\"wrong\"}");
	} else {
		reply_json(x->req, 401, "{\"ok\":false,\"error\":\"none\"}");
	}
done:
	explicit_bzero(x->token, sizeof(x->token));
	free(x);
}

/* POST /api/login/verify: phone=+961...&code=123456 */
static void handle_verify(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	char raw[FIELD_MAX], phone[PHONE_E164_BUF], code[FIELD_MAX], token[WEB_TOKEN_BUF];
	char attempts[16], session[16];
	unsigned char rnd[32];
	const char *why, *params[5];
	struct waiting *x;

	if (!post_from_page(req) || !within_limit(w, req))
		return;
	if (!form_field(req, true, "phone", raw, sizeof(raw)) ||
	    !phone_normalize(raw, strlen(raw), NULL, phone, &why) ||
	    !form_field(req, true, "code", code, sizeof(code)) || !web_code_valid(code)) {
		http_reply_text(req, 400, "give the phone number and the 6-digit code");
		return;
	}
	if (!random_fill(rnd, sizeof(rnd))) {
		http_reply_text(req, 503, "could not draw a session");
		return;
	}
	web_token_format(rnd, token);
	snprintf(attempts, sizeof(attempts), "%d", w->max_attempts);
	snprintf(session, sizeof(session), "%d", w->session_s);
	params[0] = phone;
	params[1] = code;
	params[2] = token;
	params[3] = attempts;
	params[4] = session;
	x = ask(w, req, WEB_CALL_VERIFY,
		"SELECT sawt.web_code_verify($1, $2, $3, $4::integer, $5::integer)", 5, params,
		verify_done);
	if (x != NULL)
		memcpy(x->token, token, sizeof(token));
	explicit_bzero(token, sizeof(token));
}

static void logout_done(const struct db_result *res, void *arg)
{
	struct waiting *x = answered(arg);

	if (x == NULL)
		return;
	if (!db_result_ok(res))
		log_warn("could not end a session: %s", db_result_error(res));
	add_header(x->req, "Set-Cookie",
		   WEB_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	reply_json(x->req, 200, "{\"ok\":true}");
	free(x);
}

/* POST /api/logout */
static void handle_logout(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	char token[WEB_TOKEN_BUF];
	const char *params[1] = { token };

	if (!post_from_page(req))
		return;
	if (!session_token(req, token)) {
		http_reply_text(req, 401, "not signed in");
		return;
	}
	(void)ask(w, req, WEB_CALL_LOGOUT, "SELECT sawt.web_logout($1)", 1, params, logout_done);
}

static void ack_done(const struct db_result *res, void *arg)
{
	struct waiting *x = answered(arg);
	const char *v;

	if (x == NULL)
		return;
	if (!db_result_ok(res)) {
		log_warn("could not acknowledge an alert from the page: %s", db_result_error(res));
		http_reply_text(x->req, 503, "could not acknowledge the alert");
	} else if (db_result_rows(res) != 1 || strcmp(db_result_value(res, 0, 0), "t") == 0) {
		http_reply_text(x->req, 401, "not signed in");
	} else if (strcmp((v = db_result_value(res, 0, 1)), "none") == 0) {
		http_reply_text(x->req, 404, "no such alert in your areas");
	} else {
		reply_json(x->req, 200,
			   strcmp(v, "ok") == 0 ? "{\"acknowledged\":true,\"already\":false}"
						: "{\"acknowledged\":true,\"already\":true}");
	}
	free(x);
}

/* POST /api/alerts/ack: id=ALERT */
static void handle_ack(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	char token[WEB_TOKEN_BUF], id[FIELD_MAX];
	const char *params[2] = { token, id };
	char *end;
	long long n;

	if (!post_from_page(req))
		return;
	if (!session_token(req, token)) {
		http_reply_text(req, 401, "not signed in");
		return;
	}
	if (!form_field(req, true, "id", id, sizeof(id))) {
		http_reply_text(req, 400, "missing parameter \"id\"");
		return;
	}
	errno = 0;
	n = strtoll(id, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0) {
		http_reply_text(req, 400, "id must be an alert's number");
		return;
	}
	(void)ask(w, req, WEB_CALL_DATA,
		  "SELECT p IS NULL, CASE WHEN p IS NOT NULL THEN sawt.web_ack(p, $2::bigint) END"
		  " FROM sawt.web_session_person($1) p",
		  2, params, ack_done);
}

/* ==== data ==== */

/* Answer json's rows as route's CSV download (web_csv.h). */
static void reply_csv(struct evhttp_request *req, const struct data_route *route, const char *json)
{
	char err[256], disposition[96];
	size_t n = 0;
	char *csv = web_csv_from_json(json, strlen(json), route->csv_rows, &n, err, sizeof(err));

	if (csv == NULL) {
		log_warn("could not write %s as CSV: %s", route->path, err);
		http_reply_text(req, 500, "could not write the CSV");
		return;
	}
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", route->csv_name);
	add_header(req, "Content-Disposition", disposition);
	http_reply(req, 200, "text/csv; charset=utf-8", csv, n);
	free(csv);
}

static void data_done(const struct db_result *res, void *arg)
{
	struct waiting *x = answered(arg);

	if (x == NULL)
		return;
	if (!db_result_ok(res)) {
		const char *state = db_result_sqlstate(res);

		if (state != NULL && strcmp(state, "42501") == 0) {
			http_reply_text(x->req, 403, "that area is outside yours");
		} else {
			log_warn("could not answer the page: %s", db_result_error(res));
			http_reply_text(x->req, 503, "could not read the figures");
		}
	} else if (db_result_rows(res) != 1 || strcmp(db_result_value(res, 0, 0), "t") == 0) {
		http_reply_text(x->req, 401, "not signed in");
	} else if (x->csv != NULL) {
		reply_csv(x->req, x->csv, db_result_value(res, 0, 1));
	} else {
		reply_json(x->req, 200, db_result_value(res, 0, 1));
	}
	free(x);
}

static void handle_data(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const struct data_route *route = NULL;
	char token[WEB_TOKEN_BUF], area[FIELD_MAX], format[8];
	const char *params[2] = { token, NULL };
	bool csv = false;
	struct waiting *x;
	char *end;
	long id;

	if (!method_is(req, EVHTTP_REQ_GET, "GET, HEAD"))
		return;
	for (size_t i = 0; i < N_DATA_ROUTES; i++) {
		if (path != NULL && strcmp(path, data_routes[i].path) == 0)
			route = &data_routes[i];
	}
	if (route == NULL) {
		http_reply_text(req, 404, "not found");
		return;
	}
	if (!session_token(req, token)) {
		http_reply_text(req, 401, "not signed in");
		return;
	}
	if (form_field(req, false, "area", area, sizeof(area))) {
		errno = 0;
		id = strtol(area, &end, 10);
		if (errno != 0 || *end != '\0' || id <= 0 || id > 2147483647L) {
			http_reply_text(req, 400, "area must be an area's number");
			return;
		}
		params[1] = area;
	}
	if (form_field(req, false, "format", format, sizeof(format))) {
		csv = strcmp(format, "csv") == 0 && route->csv_name != NULL;
		if (!csv && strcmp(format, "json") != 0) {
			http_reply_text(req, 400,
					route->csv_name != NULL ? "format must be csv or json"
								: "this answer has no CSV form");
			return;
		}
	}
	x = ask(w, req, WEB_CALL_DATA, route->sql, 2, params, data_done);
	if (x != NULL && csv)
		x->csv = route;
}

/* ==== the page ==== */

static void handle_file(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	size_t i;

	if (!method_is(req, EVHTTP_REQ_GET, "GET, HEAD"))
		return;
	for (i = 0; i < N_PAGE_FILES; i++) {
		if (path != NULL && strcmp(path, page_files[i].path) == 0)
			break;
	}
	if (i == N_PAGE_FILES) {
		http_reply_text(req, 404, "not found");
		return;
	}
	add_header(req, "Content-Security-Policy",
		   "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
	add_header(req, "X-Content-Type-Options", "nosniff");
	http_reply(req, 200, page_files[i].type, w->files[i], w->lens[i]);
}

/* True when this program runs from the build tree it was built in (as
 * src/store/migrate.c decides for the migrations). */
static bool running_from_build_tree(void)
{
	static const char build[] = SAWT_BUILD_DIR "/";
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strncmp(exe, build, sizeof(build) - 1) == 0;
}

const char *web_default_root(void)
{
	return running_from_build_tree() ? SAWT_SOURCE_DIR "/web" : SAWT_WEB_DIR;
}

struct web *web_new(struct db *db, const struct web_options *opt, web_kick_fn kick, void *kick_arg,
		    char *err, size_t errlen)
{
	struct web *w = calloc(1, sizeof(*w));
	char path[4096], why[512];

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->db = db;
	w->kick = kick;
	w->kick_arg = kick_arg;
	w->code_ttl_s = opt->code_ttl_s > 0 ? opt->code_ttl_s : DEFAULT_CODE_TTL_S;
	w->session_s = opt->session_s > 0 ? opt->session_s : DEFAULT_SESSION_S;
	w->max_attempts = opt->max_attempts > 0 ? opt->max_attempts : DEFAULT_MAX_ATTEMPTS;
	w->limit = web_limit_new(opt->sign_in_per_address > 0 ? (unsigned)opt->sign_in_per_address
							      : DEFAULT_SIGN_IN_PER_ADDRESS,
				 LIMIT_WINDOW_S, LIMIT_SLOTS);
	if (w->limit == NULL) {
		snprintf(err, errlen, "out of memory");
		web_free(w);
		return NULL;
	}
	for (size_t i = 0; i < N_PAGE_FILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", opt->root, page_files[i].file);
		w->files[i] = file_read_all(path, FILE_MAX, &w->lens[i], err, errlen);
		if (w->files[i] == NULL) {
			web_free(w);
			return NULL;
		}
	}
	w->chart = file_read_all(opt->chart_js, CHART_MAX, &w->chart_len, why, sizeof(why));
	if (w->chart == NULL)
		log_error(
			"the page's charts are off: could not read Chart.js: %s (install the Debian "
			"package libjs-chart.js: scripts/deps.sh runtime)",
			why);
	return w;
}

/* GET /chart.js: Debian's Chart.js, read at start. */
static void handle_chart(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;

	if (!method_is(req, EVHTTP_REQ_GET, "GET, HEAD"))
		return;
	if (w->chart == NULL) {
		http_reply_text(req, 404,
				"Chart.js is not installed (Debian package libjs-chart.js)");
		return;
	}
	add_header(req, "X-Content-Type-Options", "nosniff");
	http_reply(req, 200, "text/javascript; charset=utf-8", w->chart, w->chart_len);
}

bool web_route(struct web *w, struct http_server *srv)
{
	if (!http_server_route(srv, "/chart.js", HTTP_ACCESS_OPEN, handle_chart, w))
		return false;
	w->tls = http_server_tls(srv);
	for (size_t i = 0; i < N_PAGE_FILES; i++) {
		if (!http_server_route(srv, page_files[i].path, HTTP_ACCESS_OPEN, handle_file, w))
			return false;
	}
	if (!http_server_route(srv, "/api/alerts/ack", HTTP_ACCESS_OPEN, handle_ack, w) ||
	    !http_server_route(srv, "/api/login/code", HTTP_ACCESS_OPEN, handle_code, w) ||
	    !http_server_route(srv, "/api/login/verify", HTTP_ACCESS_OPEN, handle_verify, w) ||
	    !http_server_route(srv, "/api/logout", HTTP_ACCESS_OPEN, handle_logout, w))
		return false;
	for (size_t i = 0; i < N_DATA_ROUTES; i++) {
		if (!http_server_route(srv, data_routes[i].path, HTTP_ACCESS_OPEN, handle_data, w))
			return false;
	}
	return true;
}

void web_free(struct web *w)
{
	if (w == NULL)
		return;
	/* the database still calls back for these: they are freed then */
	for (struct waiting *x = w->waiting; x != NULL; x = x->next) {
		x->w = NULL;
		x->req = NULL;
	}
	for (size_t i = 0; i < N_PAGE_FILES; i++)
		free(w->files[i]);
	free(w->chart);
	web_limit_free(w->limit);
	free(w);
}
