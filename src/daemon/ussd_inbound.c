/*
 * ussd_inbound.c - the route /ussd and its sessions; see ussd_inbound.h.
 */
#include "ussd_inbound.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "phone.h"
#include "registry.h"
#include "sender.h"
#include "strmap.h"
#include "ussd_menu.h"
#include "util.h"

#define RETRY_AFTER_S "5"
#define ADDR_BUF 64
#define SWEEP_S 5
#define PINS_KEPT 3 /* wrong PINs remembered per session */
#define CONTENT_TYPE "text/plain; charset=utf-8"

struct session {
	char id[USSD_SESSION_MAX + 1]; /* the map's key */
	char phone[INBOUND_SENDER_MAX];
	int64_t last_ms;             /* monotonic */
	struct session *prev, *next; /* by last activity, oldest first */
	/* PINs judged: SHA-256 of the PIN hash and the PIN */
	unsigned char pin_ok[32];
	bool has_pin_ok;
	unsigned char pin_bad[PINS_KEPT][32];
	unsigned n_bad;
	struct ussd_request *hist; /* Hubtel: the inputs so far; NULL for AT */
};

/* The aggregator conventions served. */
enum conv {
	CONV_AT = 0, /* Africa's Talking: form fields, every input in text */
	CONV_HUBTEL, /* Hubtel: JSON, the latest input only */
};

/* A report with the intake (or a "last report" query with the
 * database), and the request that waits for it. */
struct waiting {
	struct ussd_inbound *ui;    /* NULL once the handler is freed */
	struct evhttp_request *req; /* NULL then too */
	bool unknown;               /* the record of an unknown caller */
	enum conv conv;             /* how to answer */
	enum lang lang;             /* "last report": the screen's language */
	struct waiting *prev, *next;
	char screen[USSD_SCREEN_MAX]; /* the END screen */
};

struct ussd_inbound {
	struct intake *intake;
	struct db *db; /* "last report" */
	struct pipeline *pl;
	ussd_inbound_committed_fn committed;
	void *arg;
	struct event *sweep;
	struct strmap *sessions;
	struct session *oldest, *newest;
	struct sender_table *pins; /* per-phone PIN lock */
	struct waiting *waiting;
	char *country_code;
	char *contact;
	enum lang default_lang;
	bool ask_men;
	int64_t timeout_ms;
	size_t max_sessions;
	struct ussd_inbound_stats stats;
};

/* ==== sessions ==== */

static void lru_unlink(struct ussd_inbound *ui, struct session *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		ui->oldest = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		ui->newest = s->prev;
	s->prev = s->next = NULL;
}

static void lru_append(struct ussd_inbound *ui, struct session *s)
{
	s->prev = ui->newest;
	s->next = NULL;
	if (ui->newest)
		ui->newest->next = s;
	else
		ui->oldest = s;
	ui->newest = s;
}

static void session_drop(struct ussd_inbound *ui, struct session *s)
{
	lru_unlink(ui, s);
	(void)strmap_del(ui->sessions, s->id);
	if (s->hist) {
		OPENSSL_cleanse(s->hist, sizeof(*s->hist));
		free(s->hist);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	ui->stats.sessions--;
}

/* Drop the sessions idle for longer than the timeout. */
static void expire(struct ussd_inbound *ui, int64_t now)
{
	while (ui->oldest != NULL && now - ui->oldest->last_ms > ui->timeout_ms)
		session_drop(ui, ui->oldest);
}

/* The timer: expired sessions, and PIN states that have lapsed (a walk
 * over every phone, so not at each request). */
static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct ussd_inbound *ui = arg;
	int64_t now = util_mono_ms();

	(void)fd;
	(void)what;
	expire(ui, now);
	sender_table_sweep(ui->pins, now);
}

static struct session *session_new(struct ussd_inbound *ui, const struct ussd_request *rq,
				   int64_t now)
{
	struct session *s;

	if (ui->stats.sessions >= ui->max_sessions)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	memcpy(s->id, rq->session, sizeof(s->id));
	memcpy(s->phone, rq->phone, sizeof(s->phone));
	s->last_ms = now;
	if (!strmap_put(ui->sessions, s->id, s)) {
		free(s);
		return NULL;
	}
	lru_append(ui, s);
	ui->stats.sessions++;
	return s;
}

/* ==== PINs ==== */

struct pin_ctx {
	struct ussd_inbound *ui;
	struct session *s;
	const char *phone; /* E.164 */
	int64_t now;
};

static void pin_digest(const struct regsnap_person *p, const char *pin, unsigned char out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, p->pin_hash, strlen(p->pin_hash) + 1) ||
	    !EVP_DigestUpdate(ctx, pin, strlen(pin)) || !EVP_DigestFinal_ex(ctx, out, &n))
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

/*
 * The menu's PIN check: a PIN this session typed before is judged as it
 * was (no PBKDF2 again, no second count); a new wrong one counts towards
 * the phone's PIN lock.
 */
static bool pin_check(void *arg, struct regsnap_person *p, const char *pin)
{
	struct pin_ctx *c = arg;
	struct session *s = c->s;
	unsigned char md[32];
	struct sender *snd;
	bool ok;

	pin_digest(p, pin, md);
	if (s->has_pin_ok && CRYPTO_memcmp(md, s->pin_ok, 32) == 0)
		return true;
	for (unsigned i = 0; i < s->n_bad && i < PINS_KEPT; i++)
		if (CRYPTO_memcmp(md, s->pin_bad[i], 32) == 0)
			return false;
	ok = regsnap_pin_check(p, pin);
	snd = sender_table_get(c->ui->pins, c->phone, c->now);
	if (ok) {
		memcpy(s->pin_ok, md, 32);
		s->has_pin_ok = true;
		if (snd)
			sender_pin_ok(snd);
	} else {
		memcpy(s->pin_bad[s->n_bad % PINS_KEPT], md, 32);
		s->n_bad++;
		if (snd && sender_pin_fail(snd, c->now))
			log_info("USSD: a PIN is locked after three wrong PINs");
	}
	OPENSSL_cleanse(md, sizeof(md));
	return ok;
}

/* ==== answers ==== */

/*
 * Answer a screen, 200, in the convention's form: "CON screen" or "END
 * screen" (Africa's Talking), {"Type": "Response" or "Release", "Message":
 * screen} (Hubtel).
 */
static void answer(struct evhttp_request *req, enum conv conv, bool end, const char *screen)
{
	char buf[2 * USSD_SCREEN_MAX + 64];

	if (conv == CONV_HUBTEL) {
		struct json_buf j;

		json_init(&j, buf, sizeof(buf));
		json_open_object(&j, NULL);
		json_string(&j, "Type", end ? "Release" : "Response", end ? 7 : 8);
		json_string(&j, "Message", screen, strlen(screen));
		json_close_object(&j);
		if (!json_finish(&j)) {
			http_reply_text(req, 503, "out of memory");
			return;
		}
		http_reply(req, 200, "application/json", buf, strlen(buf));
		return;
	}
	{
		int n = snprintf(buf, sizeof(buf), "%s %s", end ? "END" : "CON", screen);

		http_reply(req, 200, CONTENT_TYPE, buf, n < 0 ? 0 : (size_t)n);
	}
}

static void waiting_unlink(struct ussd_inbound *ui, struct waiting *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		ui->waiting = w->next;
	if (w->next)
		w->next->prev = w->prev;
	ui->stats.pending--;
}

/* The intake's verdict on a submitted report: answer the END now. */
static void acked(void *arg, enum intake_result result)
{
	struct waiting *w = arg;
	struct ussd_inbound *ui = w->ui;

	if (ui == NULL) {
		free(w);
		return;
	}
	waiting_unlink(ui, w);
	if (result == INTAKE_FAILED) {
		ui->stats.failed++;
		if (evhttp_add_header(evhttp_request_get_output_headers(w->req), "Retry-After",
				      RETRY_AFTER_S) != 0)
			log_warn("could not add a header to an HTTP reply: out of memory");
		http_reply_text(w->req, 503, "could not store the report; send it again later");
	} else {
		if (w->unknown)
			ui->stats.unknown++;
		else
			ui->stats.submitted++;
		ui->stats.requests++;
		answer(w->req, w->conv, true, w->screen);
		if (result == INTAKE_COMMITTED && ui->committed)
			ui->committed(ui->arg);
	}
	free(w);
}

/* The dedup key of a submission: the session and its inputs up to the
 * confirmation (an unknown caller: the session alone). */
static void dedup_key(const struct ussd_request *rq, const struct ussd_outcome *o, char *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t upto = 0;

	if (o->action == USSD_SUBMIT && o->path > 0)
		upto = (size_t)rq->inputs[o->path - 1].off + rq->inputs[o->path - 1].len;
	if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, "ussd", 5) ||
	    !EVP_DigestUpdate(ctx, rq->session, strlen(rq->session) + 1) ||
	    !EVP_DigestUpdate(ctx, o->action == USSD_SUBMIT ? "report" : "unknown", 7) ||
	    !EVP_DigestUpdate(ctx, rq->text, upto) || !EVP_DigestFinal_ex(ctx, md, &n))
		n = 0;
	EVP_MD_CTX_free(ctx);
	util_hex(out, md, n < 32 ? n : 32);
}

/* Hand the report (or the unknown caller's record) to the intake; the END
 * is answered by acked(). */
static void submit(struct ussd_inbound *ui, struct evhttp_request *req, enum conv conv,
		   const struct ussd_request *rq, const struct ussd_outcome *o)
{
	struct inbound in;
	struct waiting *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		http_reply_text(req, 503, "out of memory");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.transport = INBOUND_USSD;
	in.received_ms = util_wall_ms();
	snprintf(in.source, sizeof(in.source), "ussd");
	memcpy(in.sender, rq->phone, sizeof(in.sender));
	if (o->action == USSD_SUBMIT) {
		size_t n = strlen(o->sms);

		memcpy(in.text, o->sms, n + 1);
		in.text_len = (uint16_t)n;
	}
	dedup_key(rq, o, in.dedup);
	w->ui = ui;
	w->req = req;
	w->unknown = o->action == USSD_UNKNOWN;
	w->conv = conv;
	snprintf(w->screen, sizeof(w->screen), "%s", o->screen);
	w->next = ui->waiting;
	if (w->next)
		w->next->prev = w;
	ui->waiting = w;
	ui->stats.pending++;
	intake_submit(ui->intake, &in, acked, w);
}

/* ==== last report ==== */

static const char last_sql[] =
	"SELECT r.form, r.station_code, r.outcome, extract(epoch FROM i.received_at)::bigint"
	" FROM sawt.reports r JOIN sawt.inbound_messages i ON i.id = r.inbound_id"
	" WHERE r.person_id = $1::int ORDER BY r.id DESC LIMIT 1";

/* The database's answer: the END screen. */
static void last_done(const struct db_result *res, void *arg)
{
	struct waiting *w = arg;
	struct ussd_inbound *ui = w->ui;
	struct ussd_last l = { 0 };
	char screen[USSD_SCREEN_MAX], hhmm[8];

	if (ui == NULL) {
		free(w);
		return;
	}
	waiting_unlink(ui, w);
	l.failed = res == NULL || !db_result_ok(res);
	if (!l.failed && db_result_rows(res) > 0) {
		const struct validate_clock *c = registry_clock(pipeline_registry(ui->pl));
		long long t =
			strtoll(db_result_value(res, 0, 3), NULL, 10) + (c ? c->utc_offset : 0);
		long long day = ((t % 86400) + 86400) % 86400;

		snprintf(hhmm, sizeof(hhmm), "%02lld:%02lld", day / 3600, day / 60 % 60);
		l.found = true;
		l.form = db_result_value(res, 0, 0);
		l.station = db_result_isnull(res, 0, 1) ? "?" : db_result_value(res, 0, 1);
		l.outcome = db_result_value(res, 0, 2);
		l.time = hhmm;
	}
	if (l.failed)
		log_warn("USSD: could not read an observer's last report: %s",
			 res ? db_result_error(res) : "no answer");
	ussd_menu_last(w->lang, &l, screen, sizeof(screen));
	ui->stats.requests++;
	answer(w->req, w->conv, true, screen);
	free(w);
}

/* Look up the caller's last report; the END is answered by last_done(). */
static void last_report(struct ussd_inbound *ui, struct evhttp_request *req, enum conv conv,
			const struct ussd_outcome *o)
{
	struct ussd_last failed = { .failed = true };
	struct waiting *w;
	char id[24], screen[USSD_SCREEN_MAX];
	const char *params[1] = { id };

	if (ui->db == NULL || db_get_state(ui->db) != DB_STATE_READY ||
	    (w = calloc(1, sizeof(*w))) == NULL) {
		ussd_menu_last(o->lang, &failed, screen, sizeof(screen));
		ui->stats.requests++;
		answer(req, conv, true, screen);
		return;
	}
	snprintf(id, sizeof(id), "%d", o->person_id);
	w->ui = ui;
	w->req = req;
	w->lang = o->lang;
	w->conv = conv;
	if (!db_query(ui->db, last_sql, 1, params, last_done, w)) {
		free(w);
		ussd_menu_last(o->lang, &failed, screen, sizeof(screen));
		ui->stats.requests++;
		answer(req, conv, true, screen);
		return;
	}
	w->next = ui->waiting;
	if (w->next)
		w->next->prev = w;
	ui->waiting = w;
	ui->stats.pending++;
}

/* ==== the route ==== */

/* Refuse a malformed request (400), counted by reason. */
static void refuse(struct ussd_inbound *ui, struct evhttp_request *req, enum ussd_error e,
		   const char *why)
{
	char addr[ADDR_BUF];

	ui->stats.rejected[e]++;
	log_info("HTTP USSD request from %s refused (400): %s", http_peer(req, addr, sizeof(addr)),
		 why);
	http_reply_text(req, 400, why);
}

/* An END screen of the session layer (expired, busy) in lang. */
static void answer_end(struct ussd_inbound *ui, struct evhttp_request *req, enum conv conv,
		       enum ussd_screen_kind kind, enum lang lang)
{
	char screen[USSD_SCREEN_MAX];

	ussd_menu_screen(kind, lang, screen, sizeof(screen));
	ui->stats.requests++;
	answer(req, conv, true, screen);
}

/*
 * Serve a decoded request rq: find or start its session, run the menu over
 * every input of the session (rq's own for Africa's Talking, the ones kept
 * for Hubtel) and answer, or hand the report to the intake.
 */
static void serve(struct ussd_inbound *ui, struct evhttp_request *req, enum conv conv,
		  struct ussd_request *rq)
{
	struct ussd_request *run = rq;
	struct ussd_outcome out;
	struct ussd_env env = { 0 };
	struct pin_ctx pc;
	struct regsnap *snap;
	struct regsnap_person *p;
	struct session *s;
	struct sender *snd;
	char e164[PHONE_E164_BUF];
	const char *bad;
	enum lang lang;
	int64_t now = util_mono_ms();

	snap = registry_current(pipeline_registry(ui->pl));
	if (snap == NULL) {
		ui->stats.failed++;
		http_reply_text(req, 503, "the registry is not loaded yet; try again");
		return;
	}
	if (!phone_normalize(rq->phone, strlen(rq->phone), ui->country_code, e164, &bad))
		e164[0] = '\0';
	p = e164[0] ? regsnap_person(snap, e164) : NULL;
	lang = p && p->lang >= 0 && p->lang < LANG_COUNT ? (enum lang)p->lang : ui->default_lang;
	expire(ui, now);
	s = strmap_get(ui->sessions, rq->session);
	if (rq->kind == USSD_RELEASE || rq->kind == USSD_TIMEOUT) {
		if (s != NULL && strcmp(s->phone, rq->phone) == 0)
			session_drop(ui, s);
		ui->stats.requests++;
		answer(req, conv, true, "");
		return;
	}
	if (s != NULL && strcmp(s->phone, rq->phone) != 0)
		s = NULL; /* not this caller's session: treated as unknown */
	if (s == NULL && rq->kind != USSD_INITIATION) {
		ui->stats.expired++;
		answer_end(ui, req, conv, USSD_SCREEN_EXPIRED, lang);
		return;
	}
	if (s == NULL || (conv == CONV_HUBTEL && rq->kind == USSD_INITIATION)) {
		struct session *old = strmap_get(ui->sessions, rq->session);

		if (old != NULL) /* started over, or the same id from another phone */
			session_drop(ui, old);
		s = session_new(ui, rq, now);
		if (s == NULL) {
			ui->stats.busy++;
			log_warn(
				"USSD: a new session refused: %zu sessions open ([ussd] "
				"max_sessions)",
				ui->stats.sessions);
			answer_end(ui, req, conv, USSD_SCREEN_BUSY, ui->default_lang);
			return;
		}
	} else {
		s->last_ms = now;
		lru_unlink(ui, s);
		lru_append(ui, s);
	}
	if (conv == CONV_HUBTEL) {
		enum ussd_error e = USSD_OK;

		if (s->hist == NULL) {
			s->hist = calloc(1, sizeof(*s->hist));
			if (s->hist == NULL) {
				http_reply_text(req, 503, "out of memory");
				return;
			}
			memcpy(s->hist->session, rq->session, sizeof(s->hist->session));
			memcpy(s->hist->phone, rq->phone, sizeof(s->hist->phone));
		}
		if (rq->kind == USSD_RESPONSE)
			e = ussd_append(s->hist, rq->text, rq->text_len);
		if (e != USSD_OK) {
			refuse(ui, req, e, "the session has too many or too long inputs");
			return;
		}
		s->hist->kind = rq->kind;
		run = s->hist;
	}
	pc = (struct pin_ctx){ ui, s, e164, now };
	snd = e164[0] ? sender_table_find(ui->pins, e164) : NULL;
	env.snap = snap;
	env.clock = registry_clock(pipeline_registry(ui->pl));
	env.now_s = util_wall_ms() / 1000;
	env.default_lang = ui->default_lang;
	env.phone = e164;
	env.ask_men = ui->ask_men;
	env.pin_locked = snd != NULL && sender_locked(snd, now);
	env.contact = ui->contact;
	env.pin_check = pin_check;
	env.pin_arg = &pc;
	ussd_menu_run(&env, run, &out);
	switch (out.action) {
	case USSD_CON:
	case USSD_END:
		ui->stats.requests++;
		answer(req, conv, out.action == USSD_END, out.screen);
		break;
	case USSD_SUBMIT:
	case USSD_UNKNOWN: submit(ui, req, conv, run, &out); break;
	case USSD_LAST: last_report(ui, req, conv, &out); break;
	}
	/* the screens may echo what was typed */
	OPENSSL_cleanse(&out, sizeof(out));
}

/* GET or POST only; false (answered 405) otherwise. */
static bool method_ok(struct evhttp_request *req, bool get)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(req);

	if (method == EVHTTP_REQ_POST || (get && method == EVHTTP_REQ_GET))
		return true;
	if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			      get ? "GET, POST" : "POST") != 0)
		log_warn("could not add a header to an HTTP reply: out of memory");
	http_reply_text(req, 405,
			get ? "method not allowed: use GET or POST"
			    : "method not allowed: use POST");
	return false;
}

/* The body of req (NULL with *len 0 when empty); false when out of memory. */
static bool body_of(struct evhttp_request *req, const char **b, size_t *len)
{
	struct evbuffer *body = evhttp_request_get_input_buffer(req);

	*len = evbuffer_get_length(body);
	*b = *len > 0 ? (const char *)evbuffer_pullup(body, -1) : NULL;
	if (*len > 0 && *b == NULL) {
		http_reply_text(req, 503, "out of memory");
		return false;
	}
	return true;
}

/* /ussd: Africa's Talking. */
static void handle_at(struct evhttp_request *req, void *arg)
{
	struct ussd_inbound *ui = arg;
	struct ussd_request rq;
	const char *query, *b;
	size_t blen;
	enum ussd_error e;
	char why[256];

	if (!method_ok(req, true) || !body_of(req, &b, &blen))
		return;
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	e = ussd_at_decode(query, query ? strlen(query) : 0, b, blen, &rq, why, sizeof(why));
	if (e != USSD_OK)
		refuse(ui, req, e, why);
	else
		serve(ui, req, CONV_AT, &rq);
	/* the inputs may hold a PIN */
	OPENSSL_cleanse(&rq, sizeof(rq));
}

/* /ussd/hubtel: Hubtel's JSON. */
static void handle_hubtel(struct evhttp_request *req, void *arg)
{
	struct ussd_inbound *ui = arg;
	struct ussd_request rq;
	const char *b;
	size_t blen;
	enum ussd_error e;
	char why[256];

	if (!method_ok(req, false) || !body_of(req, &b, &blen))
		return;
	e = ussd_hubtel_decode(b, blen, &rq, why, sizeof(why));
	if (e != USSD_OK)
		refuse(ui, req, e, why);
	else
		serve(ui, req, CONV_HUBTEL, &rq);
	OPENSSL_cleanse(&rq, sizeof(rq));
}

/* ==== public ==== */

struct ussd_inbound *ussd_inbound_new(struct event_base *base, struct intake *intake,
				      struct pipeline *pl, struct db *db, const struct config *cfg,
				      ussd_inbound_committed_fn committed, void *arg)
{
	struct ussd_inbound *ui = calloc(1, sizeof(*ui));
	struct timeval tv = { SWEEP_S, 0 };

	if (ui == NULL)
		return NULL;
	ui->intake = intake;
	ui->pl = pl;
	ui->db = db;
	ui->committed = committed;
	ui->arg = arg;
	ui->default_lang = cfg->default_language;
	ui->ask_men = cfg->ussd_ask_men;
	ui->timeout_ms = (int64_t)cfg->ussd_session_timeout * 1000;
	ui->max_sessions = (size_t)cfg->ussd_max_sessions;
	ui->sessions = strmap_new(64);
	ui->pins = sender_table_new();
	ui->sweep = event_new(base, -1, EV_PERSIST, on_sweep, ui);
	if (ui->sessions == NULL || ui->pins == NULL || ui->sweep == NULL ||
	    event_add(ui->sweep, &tv) != 0)
		goto fail;
	if (cfg->country_code && (ui->country_code = strdup(cfg->country_code)) == NULL)
		goto fail;
	if (cfg->ussd_contact && (ui->contact = strdup(cfg->ussd_contact)) == NULL)
		goto fail;
	return ui;
fail:
	ussd_inbound_free(ui);
	return NULL;
}

bool ussd_inbound_route(struct ussd_inbound *ui, struct http_server *srv)
{
	return http_server_route(srv, "/ussd", HTTP_ACCESS_SECRET, handle_at, ui) &&
	       http_server_route(srv, "/ussd/hubtel", HTTP_ACCESS_SECRET, handle_hubtel, ui);
}

void ussd_inbound_stats(const struct ussd_inbound *ui, struct ussd_inbound_stats *out)
{
	*out = ui->stats;
}

void ussd_inbound_free(struct ussd_inbound *ui)
{
	if (ui == NULL)
		return;
	/* the intake still calls acked() for these: it frees them then */
	for (struct waiting *w = ui->waiting; w != NULL; w = w->next) {
		w->ui = NULL;
		w->req = NULL;
	}
	while (ui->oldest != NULL)
		session_drop(ui, ui->oldest);
	if (ui->sweep)
		event_free(ui->sweep);
	strmap_free(ui->sessions);
	sender_table_free(ui->pins);
	free(ui->country_code);
	free(ui->contact);
	free(ui);
}
