/*
 * alerts.c - sawtd's alerts to coordinators; see alerts.h.
 *
 * A pass: work_sql (sawt.alert_work) -> work_cb reads every row, asks the
 * core what each means (rules, engine) and writes the answer as a JSON
 * array of operations (the doc) -> apply_sql (sawt.alert_apply) ->
 * apply_cb.  One pass at a time; kicks during a pass start another right
 * after it.
 */
#include "alerts.h"

#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_engine.h"
#include "alert_route.h"
#include "alert_text.h"
#include "array.h"
#include "db.h"
#include "file.h"
#include "intake.h"
#include "json.h"
#include "registry.h"
#include "util.h"

#define KICK_DELAY_MS 20
#define RETRY_MS 1000
#define WANT_IDS 16
#define PASS_LIMIT 500 /* reports (and stored alerts) a pass looks at */
#define IDS_PER_OP 500 /* ids in one claim or stations operation */
#define RELEASE_MAX 64 /* coordinators released per pass */
#define OP_BUF 8192    /* one operation's JSON */
#define NUMS_MAX 20
#define HAD_MAX 64

static const char work_sql[] =
	"SELECT k, id, n, s1, s2, s3, s4, s5, s6, s7, s8, s9 FROM sawt.alert_work($1::integer,"
	" $2::double precision, $3::boolean, $4::integer, $5::integer, $6::integer, $7::integer,"
	" $8::boolean, $9::jsonb, $10::integer, $11)";

static const char apply_sql[] =
	"SELECT queued, resolved FROM sawt.alert_apply($1::integer, $2::double precision,"
	" $3::jsonb)";

/* Open operations alerts a tick can clear ('opn' rows; more wait for the
 * next tick). */
#define OPEN_OPS_MAX 256

/* The doc: a JSON array of operations, growing. */
struct doc {
	char *buf;
	size_t len, cap;
	size_t ops;
	bool oom;
};

/* A station missing a report, from a 'miss' row. */
struct miss {
	int check;
	int station;
	int area;
	int route;
	char code[PARSE_STATION_MAX + 1];
};

struct alerts {
	struct event_base *base;
	struct db *db;
	struct registry *reg;
	struct intake *intake;
	struct config_alerts cfg;
	struct config_alerts next_cfg; /* a reload's, applied when the pass ends */
	bool has_next_cfg;
	enum lang lang;
	int polls_open, polls_close;
	char node[64];
	struct alert_engine *engine;
	struct alert_routes *routes;
	uint64_t routes_loads; /* registry loads when the routes were built */
	alerts_queued_cb queued;
	void *queued_arg;
	bool db_ready, stopped, passing, again, reload, tick_due, this_tick;
	unsigned in_flight;
	size_t want_ids;
	int election;
	int64_t now; /* the pass's time */
	struct event *ev_tick, *ev_kick;
	struct alerts_stats stats;
	/* the pass */
	struct doc doc;
	int64_t *claims;
	size_t n_claims, cap_claims;
	struct miss *miss;
	size_t n_miss, cap_miss;
	struct alert_check checks[ALERT_CHECKS_MAX];
	size_t n_checks;
	bool ran_out;
	char open_ops[OPEN_OPS_MAX][ALERT_SUBJECT_MAX]; /* subjects of 'opn' rows */
	size_t n_open_ops;
	struct alert_plan *plan;
	struct alert_release *rel;
};

/* ==== the doc ==== */

static void doc_reset(struct doc *d)
{
	d->len = 0;
	d->ops = 0;
	d->oom = false;
	if (d->cap > 0)
		d->buf[0] = '\0';
}

/* Append the finished object in j. */
static void doc_add(struct doc *d, struct json_buf *j)
{
	size_t n;

	if (!json_finish(j)) {
		log_error("an alert operation does not fit %d bytes; left out", OP_BUF);
		return;
	}
	n = j->len;
	if (!array_grow(&d->buf, &d->cap, d->len + n + 4, 1)) {
		d->oom = true;
		return;
	}
	d->buf[d->len++] = d->ops++ == 0 ? '[' : ',';
	memcpy(d->buf + d->len, j->buf, n);
	d->len += n;
	d->buf[d->len] = '\0';
}

static bool doc_finish(struct doc *d)
{
	if (d->oom || d->ops == 0 || !array_grow(&d->buf, &d->cap, d->len + 2, 1))
		return false;
	d->buf[d->len++] = ']';
	d->buf[d->len] = '\0';
	return true;
}

static void jstr(struct json_buf *j, const char *key, const char *s)
{
	json_string(j, key, s, strlen(s));
}

/* ==== rows ==== */

/* The numbers of a PostgreSQL array "{1,NULL,3}" into out (-1 for NULL). */
static size_t nums(const char *s, int64_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < max; i++)
		out[i] = -1;
	if (s == NULL || *s++ != '{')
		return 0;
	while (*s != '\0' && *s != '}' && n < max) {
		char *end;

		if (strncmp(s, "NULL", 4) == 0) {
			out[n++] = -1;
			s += 4;
		} else {
			out[n++] = strtoll(s, &end, 10);
			s = end;
		}
		if (*s == ',')
			s++;
		else
			break;
	}
	return n;
}

static const char *col(const struct db_result *res, int row, int c)
{
	return db_result_isnull(res, row, c) ? NULL : db_result_value(res, row, c);
}

static const char *scol(const struct db_result *res, int row, int c)
{
	const char *v = col(res, row, c);

	return v ? v : "";
}

static int64_t idcol(const struct db_result *res, int row)
{
	return db_result_isnull(res, row, 1) ? 0 : strtoll(db_result_value(res, row, 1), NULL, 10);
}

static enum parse_form form_of(const char *name)
{
	for (int f = 0; f < PARSE_FORM_COUNT; f++)
		if (strcmp(name, parse_form_name((enum parse_form)f)) == 0)
			return (enum parse_form)f;
	return PARSE_FORM_NONE;
}

/* ==== operations ==== */

static void op_common(struct json_buf *j, const struct alert_plan *p)
{
	json_int(j, "id", p->alert.id);
	json_open_object(j, "figures");
	alert_json_figures(j, &p->alert);
	json_close_object(j);
	jstr(j, "message", p->message);
	json_int(j, "route", p->route_area);
}

static void op_alert(struct alerts *al, const struct alert_plan *p, const char *state)
{
	char buf[OP_BUF];
	struct json_buf j;
	const struct alert *a = &p->alert;

	json_init(&j, buf, sizeof(buf));
	json_open_object(&j, NULL);
	jstr(&j, "op", "alert");
	op_common(&j, p);
	jstr(&j, "kind", alert_rule_name(a->rule));
	jstr(&j, "severity", alert_severity_name(a->severity));
	json_int(&j, "station", a->station_id);
	json_int(&j, "area", a->area_id);
	json_int(&j, "report", a->report_id);
	json_int(&j, "inbound", a->inbound_id);
	jstr(&j, "subject", a->subject);
	jstr(&j, "state", state);
	json_int(&j, "dup", p->kind == ALERT_PLAN_DUPLICATE ? p->other : 0);
	if (p->kind == ALERT_PLAN_BATCH_NEW)
		json_int(&j, "due", p->due);
	json_close_object(&j);
	doc_add(&al->doc, &j);
}

static void op_update(struct alerts *al, const struct alert_plan *p, const char *state)
{
	char buf[OP_BUF];
	struct json_buf j;

	json_init(&j, buf, sizeof(buf));
	json_open_object(&j, NULL);
	jstr(&j, "op", "update");
	op_common(&j, p);
	jstr(&j, "state", state);
	json_close_object(&j);
	doc_add(&al->doc, &j);
}

/* An operation carrying ids[0..n) in chunks: claim, stations, resolve. */
static void op_ids(struct alerts *al, const char *op, int64_t id, const int64_t *ids, size_t n)
{
	for (size_t k = 0; k < n; k += IDS_PER_OP) {
		char buf[OP_BUF * 2];
		struct json_buf j;

		json_init(&j, buf, sizeof(buf));
		json_open_object(&j, NULL);
		jstr(&j, "op", op);
		if (id > 0)
			json_int(&j, "id", id);
		json_open_array(&j, "ids");
		for (size_t i = k; i < n && i < k + IDS_PER_OP; i++)
			json_int(&j, NULL, ids[i]);
		json_close_array(&j);
		json_close_object(&j);
		doc_add(&al->doc, &j);
	}
}

static void op_sends(struct alerts *al, const struct alert_plan *p)
{
	for (size_t i = 0; i < p->n_sends; i++) {
		const struct alert_send *s = &p->sends[i];
		char buf[OP_BUF];
		struct json_buf j;

		json_init(&j, buf, sizeof(buf));
		json_open_object(&j, NULL);
		jstr(&j, "op", "send");
		json_int(&j, "id", p->alert.id);
		json_int(&j, "person", s->person);
		jstr(&j, "phone", s->phone);
		jstr(&j, "reason", alert_reason_name(s->reason));
		jstr(&j, "lang", lang_code(s->lang));
		json_bool(&j, "held", s->held);
		jstr(&j, "body", s->body);
		json_close_object(&j);
		doc_add(&al->doc, &j);
		if (s->held)
			al->stats.held++;
	}
}

static void op_station(struct alerts *al, const struct alert_plan *p)
{
	int64_t st = p->alert.station_id;

	if (st > 0)
		op_ids(al, "stations", p->alert.id, &st, 1);
}

/* Record what the engine planned for a newly raised alert.  False when no
 * id was left. */
static bool record(struct alerts *al, const struct alert_plan *p)
{
	enum alert_rule r = p->alert.rule;

	switch (p->kind) {
	case ALERT_PLAN_NO_ID: al->ran_out = true; return false;
	case ALERT_PLAN_OPEN:
		op_alert(al, p, "open");
		op_sends(al, p);
		al->stats.by_rule[r][ALERTS_OPENED]++;
		log_info("alert %" PRId64 " %s (%s) to %zu coordinator(s)", p->alert.id,
			 alert_rule_name(r), p->alert.subject, p->n_sends);
		break;
	case ALERT_PLAN_DUPLICATE:
		op_alert(al, p, "duplicate");
		al->stats.by_rule[r][ALERTS_DUPLICATE]++;
		break;
	case ALERT_PLAN_BATCH_NEW:
		op_alert(al, p, "batching");
		op_station(al, p);
		al->stats.by_rule[r][ALERTS_BATCHED]++;
		break;
	case ALERT_PLAN_BATCH_ADD:
		op_update(al, p, "batching");
		op_station(al, p);
		al->stats.by_rule[r][ALERTS_BATCHED]++;
		break;
	}
	return true;
}

/* Raise a (rule decided here); false when no id was left. */
static bool raise_alert(struct alerts *al, const struct alert *a)
{
	if (!alert_engine_raise(al->engine, al->routes, a, al->now, al->plan)) {
		al->doc.oom = true;
		return false;
	}
	return record(al, al->plan);
}

/* ==== rows of the work query ==== */

static void row_report(struct alerts *al, const struct db_result *res, int i)
{
	int64_t n[NUMS_MAX];
	struct alert_report r;
	struct alert out[ALERT_REPORT_MAX];
	const char *sev = col(res, i, 8);
	size_t k;

	if (al->ran_out || alert_engine_ids(al->engine) < ALERT_REPORT_MAX) {
		al->ran_out = true;
		return;
	}
	nums(col(res, i, 2), n, NUMS_MAX);
	alert_report_init(&r);
	r.id = idcol(res, i);
	r.inbound_id = n[0];
	r.station_id = (int)n[1];
	r.area_id = (int)n[2];
	r.person_id = (int)n[3];
	r.contest_id = (int)n[4];
	r.registered = n[5];
	r.registered_women = n[6];
	r.voters = n[7];
	r.women = n[8];
	r.men = n[9];
	r.sum = n[10];
	r.incident_code = n[11];
	r.has_prev = n[12] > 0;
	r.prev_person = (int)n[13];
	r.prev_voters = n[14];
	r.prev_sum = n[15];
	r.prev_same_counts = n[16] == 1;
	r.form = form_of(scol(res, i, 3));
	r.rejected = strcmp(scol(res, i, 4), "rejected") == 0;
	snprintf(r.error, sizeof(r.error), "%s", scol(res, i, 5));
	r.flags = alert_report_flags(col(res, i, 6));
	snprintf(r.station, sizeof(r.station), "%s", scol(res, i, 7));
	r.incident_known = sev != NULL && alert_severity_parse(sev, &r.incident_severity);
	for (int l = 0; l < LANG_COUNT; l++)
		snprintf(r.incident_names[l], ALERT_NAME_MAX, "%s", scol(res, i, 9 + l));
	k = alert_rules_report(&al->cfg, &r, out, ALERT_REPORT_MAX);
	for (size_t x = 0; x < k; x++)
		if (!raise_alert(al, &out[x]))
			return; /* cannot happen: ids were counted */
	if (!array_grow(&al->claims, &al->cap_claims, al->n_claims + 1, sizeof(*al->claims))) {
		al->doc.oom = true;
		return;
	}
	al->claims[al->n_claims++] = r.id;
	al->stats.reports++;
}

/* An alert stored elsewhere (new) or a batch whose time is up (due). */
static void row_stored(struct alerts *al, const struct db_result *res, int i)
{
	int64_t n[NUMS_MAX];
	struct alert a;
	enum alert_rule rule;
	enum alert_severity sev;
	char masked[LOG_PHONE_BUF];

	nums(col(res, i, 2), n, NUMS_MAX);
	(void)alert_rule_parse(scol(res, i, 3), &rule);
	alert_init(&a, rule);
	if (alert_severity_parse(scol(res, i, 4), &sev))
		a.severity = sev;
	a.id = idcol(res, i);
	a.station_id = (int)n[0];
	a.area_id = (int)n[1];
	a.report_id = n[2] > 0 ? n[2] : 0;
	a.inbound_id = n[3] > 0 ? n[3] : 0;
	a.f.count = n[4];
	a.f.code = n[5];
	snprintf(a.station, sizeof(a.station), "%s", scol(res, i, 6));
	snprintf(a.f.stations, sizeof(a.f.stations), "%s", scol(res, i, 9));
	snprintf(a.f.text, sizeof(a.f.text), "%s", scol(res, i, 5));
	if (col(res, i, 8) != NULL)
		snprintf(a.f.who, sizeof(a.f.who), "%s", col(res, i, 8));
	else if (col(res, i, 7) != NULL)
		snprintf(a.f.who, sizeof(a.f.who), "%s",
			 log_mask_phone(col(res, i, 7), masked, sizeof(masked)));
	if (!alert_engine_dispatch(al->engine, al->routes, &a, al->now, al->plan)) {
		al->doc.oom = true;
		return;
	}
	op_update(al, al->plan, "open");
	op_sends(al, al->plan);
	al->stats.by_rule[rule][ALERTS_OPENED]++;
	log_info("alert %" PRId64 " %s to %zu coordinator(s)", a.id, alert_rule_name(rule),
		 al->plan->n_sends);
}

static void row_escalate(struct alerts *al, const struct db_result *res, int i)
{
	int64_t n[NUMS_MAX];
	int had[HAD_MAX];
	size_t n_had = 0;
	const char *p = scol(res, i, 7);
	struct alert a;
	enum alert_rule rule;
	char buf[OP_BUF];
	struct json_buf j;

	nums(col(res, i, 2), n, NUMS_MAX);
	(void)alert_rule_parse(scol(res, i, 3), &rule);
	alert_init(&a, rule);
	a.severity = ALERT_SEV_CRITICAL;
	a.id = idcol(res, i);
	a.station_id = (int)n[0];
	a.area_id = (int)n[1];
	snprintf(a.station, sizeof(a.station), "%s", scol(res, i, 6));
	while (*p != '\0' && n_had < HAD_MAX) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		had[n_had++] = (int)v;
		p = *end == ',' ? end + 1 : end;
	}
	if (!alert_engine_escalate(al->engine, al->routes, &a, (int)n[2], had, n_had,
				   al->cfg.escalate_min, al->now, al->plan)) {
		al->doc.oom = true;
		return;
	}
	json_init(&j, buf, sizeof(buf));
	json_open_object(&j, NULL);
	jstr(&j, "op", "escalate");
	json_int(&j, "id", a.id);
	json_int(&j, "route", al->plan->route_area);
	json_close_object(&j);
	doc_add(&al->doc, &j);
	op_sends(al, al->plan);
	al->stats.by_rule[rule][ALERTS_ESCALATED]++;
	log_info("alert %" PRId64 " not acknowledged for %u min: escalated to %zu coordinator(s)",
		 a.id, al->cfg.escalate_min, al->plan->n_sends);
}

static void row_miss(struct alerts *al, const struct db_result *res, int i)
{
	int64_t n[NUMS_MAX];
	struct miss *m;

	if (!array_grow(&al->miss, &al->cap_miss, al->n_miss + 1, sizeof(*al->miss))) {
		al->doc.oom = true;
		return;
	}
	nums(col(res, i, 2), n, NUMS_MAX);
	m = &al->miss[al->n_miss++];
	memset(m, 0, sizeof(*m));
	m->station = (int)idcol(res, i);
	m->check = (int)n[0];
	m->area = (int)n[1];
	snprintf(m->code, sizeof(m->code), "%s", scol(res, i, 3));
}

/* An operations alert: rule about subject; false when one was raised
 * within the dedup window (a tick sees the same condition again and
 * again: no duplicate a tick). */
static bool ops_alert(struct alerts *al, enum alert_rule rule, const char *subject, struct alert *a)
{
	alert_init(a, rule);
	snprintf(a->subject, sizeof(a->subject), "%s:%s", alert_rule_name(rule), subject);
	return !alert_engine_recent(al->engine, a->subject, al->now);
}

/*
 * The condition of the operations rule about subject has cleared: when an
 * alert about it is open, ask the write to resolve it (and drop its
 * copies not yet sent).
 */
static void ops_clear(struct alerts *al, enum alert_rule rule, const char *subject)
{
	char key[ALERT_SUBJECT_MAX], buf[OP_BUF];
	struct json_buf j;
	size_t k;

	snprintf(key, sizeof(key), "%s:%s", alert_rule_name(rule), subject);
	for (k = 0; k < al->n_open_ops; k++)
		if (strcmp(al->open_ops[k], key) == 0)
			break;
	if (k == al->n_open_ops)
		return;
	json_init(&j, buf, sizeof(buf));
	json_open_object(&j, NULL);
	jstr(&j, "op", "clear");
	json_open_array(&j, "subjects");
	json_string(&j, NULL, key, strlen(key));
	json_close_array(&j);
	json_close_object(&j);
	doc_add(&al->doc, &j);
}

static void row_open_ops(struct alerts *al, const struct db_result *res, int i)
{
	if (al->n_open_ops < OPEN_OPS_MAX)
		snprintf(al->open_ops[al->n_open_ops++], ALERT_SUBJECT_MAX, "%s", scol(res, i, 3));
}

static void row_modem(struct alerts *al, const struct db_result *res, int i)
{
	const char *node = scol(res, i, 3), *name = scol(res, i, 4), *state = scol(res, i, 5);
	const char *balance = col(res, i, 6);
	bool down = strcmp(state, "down") == 0 || strcmp(state, "degraded") == 0;
	char key[ALERT_SUBJECT_MAX];
	int64_t since;
	uint64_t value;
	struct alert a;

	snprintf(key, sizeof(key), "%s/%s", node, name);
	since = alert_engine_watch(al->engine, key, down, al->now);
	if (down && al->cfg.modem_down_min > 0 &&
	    al->now - since >= (int64_t)al->cfg.modem_down_min * 60 &&
	    ops_alert(al, ALERT_MODEM_DOWN, key, &a)) {
		snprintf(a.f.who, sizeof(a.f.who), "%s", node[0] ? key : name);
		a.f.minutes = (al->now - since) / 60;
		raise_alert(al, &a);
	}
	if (al->cfg.balance_min == 0 || !alert_balance_parse(balance, &value))
		return;
	if (value >= al->cfg.balance_min)
		ops_clear(al, ALERT_LOW_BALANCE, key); /* topped up */
	else if (ops_alert(al, ALERT_LOW_BALANCE, key, &a)) {
		snprintf(a.f.who, sizeof(a.f.who), "%s", node[0] ? key : name);
		a.f.value = (int64_t)value;
		a.f.threshold = al->cfg.balance_min;
		raise_alert(al, &a);
	}
}

static void row_outbox(struct alerts *al, const struct db_result *res, int i)
{
	int64_t n[NUMS_MAX];
	struct alert a;

	nums(col(res, i, 2), n, NUMS_MAX);
	if (!(al->cfg.outbox_backlog > 0 && n[0] >= (int64_t)al->cfg.outbox_backlog) &&
	    !(al->cfg.outbox_wait_min > 0 && n[0] > 0 &&
	      n[1] >= (int64_t)al->cfg.outbox_wait_min * 60)) {
		ops_clear(al, ALERT_OUTBOX_BACKLOG, "all");
		return;
	}
	if (ops_alert(al, ALERT_OUTBOX_BACKLOG, "all", &a)) {
		a.f.count = n[0];
		a.f.minutes = n[1] / 60;
		raise_alert(al, &a);
	}
}

static void spool_rule(struct alerts *al)
{
	struct intake_stats is;
	int64_t since;
	struct alert a;

	if (al->intake == NULL)
		return;
	intake_stats(al->intake, &is);
	since = alert_engine_watch(al->engine, "spool", is.spool_depth > 0, al->now);
	if (is.spool_depth == 0)
		ops_clear(al, ALERT_SPOOL_BACKLOG, "spool");
	if (is.spool_depth > 0 && al->cfg.spool_min > 0 &&
	    al->now - since >= (int64_t)al->cfg.spool_min * 60 &&
	    ops_alert(al, ALERT_SPOOL_BACKLOG, "spool", &a)) {
		a.f.count = (int64_t)is.spool_depth;
		a.f.minutes = (al->now - since) / 60;
		raise_alert(al, &a);
	}
}

/* Stations missing a report, one alert per check and routed area. */
static int cmp_miss(const void *x, const void *y)
{
	const struct miss *a = x, *b = y;

	if (a->check != b->check)
		return a->check < b->check ? -1 : 1;
	if (a->route != b->route)
		return a->route < b->route ? -1 : 1;
	return strcmp(a->code, b->code);
}

static void missing(struct alerts *al)
{
	enum alert_severity nat = (enum alert_severity)al->cfg.national_severity;
	size_t i = 0;

	if (al->n_miss == 0)
		return;

	for (size_t k = 0; k < al->n_miss; k++)
		(void)alert_routes_find(al->routes, al->miss[k].area, ALERT_SEV_SERIOUS, nat, NULL,
					0, &al->miss[k].route);
	qsort(al->miss, al->n_miss, sizeof(*al->miss), cmp_miss);
	while (i < al->n_miss && !al->ran_out) {
		const struct miss *m = &al->miss[i];
		const struct alert_check *c;
		size_t end = i, count;
		const char *codes[64];
		int64_t *ids;
		struct alert a;

		while (end < al->n_miss && al->miss[end].check == m->check &&
		       al->miss[end].route == m->route)
			end++;
		count = end - i;
		if ((size_t)m->check >= al->n_checks) {
			i = end;
			continue;
		}
		c = &al->checks[m->check];
		alert_init(&a, c->rule);
		a.area_id = m->route;
		a.f.count = (int64_t)count;
		snprintf(a.f.check, sizeof(a.f.check), "%s", c->time);
		snprintf(a.f.key, sizeof(a.f.key), "%s", c->key);
		a.f.after = c->after;
		snprintf(a.subject, sizeof(a.subject), "%s:%s:a%d", alert_rule_name(c->rule),
			 c->key, m->route);
		for (size_t k = 0; k < count && k < 64; k++)
			codes[k] = al->miss[i + k].code;
		alert_station_list(codes, count, count > 64 ? 0 : al->cfg.list_max, a.f.stations,
				   sizeof(a.f.stations));
		if (!raise_alert(al, &a))
			break;
		ids = calloc(count, sizeof(*ids));
		if (ids == NULL) {
			al->doc.oom = true;
			return;
		}
		for (size_t k = 0; k < count; k++)
			ids[k] = al->miss[i + k].station;
		op_ids(al, "stations", al->plan->alert.id, ids, count);
		free(ids);
		i = end;
	}
}

static void release(struct alerts *al)
{
	size_t n = alert_engine_release(al->engine, al->routes, al->now, al->rel, RELEASE_MAX);

	for (size_t k = 0; k < n; k++) {
		const struct alert_release *r = &al->rel[k];
		char buf[OP_BUF * 2];
		struct json_buf j;

		json_init(&j, buf, sizeof(buf));
		json_open_object(&j, NULL);
		jstr(&j, "op", r->digest ? "digest" : "release");
		json_int(&j, "person", r->person);
		if (r->digest) {
			jstr(&j, "body", r->body);
			json_open_array(&j, "ids");
			for (size_t i = 0; i < r->n_alerts; i++)
				json_int(&j, NULL, r->alerts[i]);
			json_close_array(&j);
			al->stats.digests++;
		} else {
			json_int(&j, "id", r->alerts[0]);
			al->stats.released++;
		}
		json_close_object(&j);
		doc_add(&al->doc, &j);
	}
}

/* ==== passes ==== */

/* The connection went (lost, or the server shutting down): the next pass
 * after it is back does the work; no error. */
static bool connection_gone(const struct db_result *res)
{
	const char *st = db_result_sqlstate(res);

	return strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0;
}

static void pass_start(struct alerts *al);

static void apply_config(struct alerts *al);

static void pass_end(struct alerts *al, bool retry)
{
	al->passing = false;
	apply_config(al);
	if (al->again)
		alerts_kick(al);
	else if (retry && !al->stopped)
		db_timer_arm(al->ev_kick, RETRY_MS);
}

/* The time of the pass: the wall clock, moved by the test clock file. */
static int64_t clock_now(void)
{
	const char *path = getenv("SAWT_TEST_CLOCK_FILE");
	int64_t now = util_wall_ms() / 1000;
	char err[256];
	size_t len;
	char *text;

	if (path == NULL || path[0] == '\0')
		return now;
	text = file_read_all(path, 64, &len, err, sizeof(err));
	if (text == NULL)
		return now;
	now += strtoll(text, NULL, 10);
	free(text);
	return now;
}

/* The write resolved the alerts in list ("id:kind,..."; NULL or "": none)
 * whose conditions cleared: count and log them. */
static void resolved_by_clear(struct alerts *al, const char *list)
{
	char kind[ALERT_SUBJECT_MAX];
	enum alert_rule rule;
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *colon = strchr(p, ':'), *end = strchr(p, ',');
		size_t n;

		if (end == NULL)
			end = p + strlen(p);
		if (colon == NULL || colon > end)
			break;
		n = (size_t)(end - colon - 1);
		snprintf(kind, sizeof(kind), "%.*s", n < sizeof(kind) ? (int)n : 0, colon + 1);
		(void)alert_rule_parse(kind, &rule);
		al->stats.by_rule[rule][ALERTS_RESOLVED]++;
		log_info("alert %.*s resolved: its condition cleared", (int)(colon - p), p);
		p = *end == ',' ? end + 1 : end;
	}
}

static void apply_cb(const struct db_result *res, void *arg)
{
	struct alerts *al = arg;

	al->in_flight--;
	if (!db_result_ok(res)) {
		if (connection_gone(res))
			log_warn("alerts not recorded, the database connection went: %s",
				 db_result_error(res));
		else
			log_error("could not record alerts: %s", db_result_error(res));
		al->stats.failures++;
		al->reload = true;
		pass_end(al, true);
		return;
	}
	if (db_result_rows(res) == 1)
		resolved_by_clear(al, db_result_value(res, 0, 1));
	if (db_result_rows(res) == 1 && strtol(db_result_value(res, 0, 0), NULL, 10) > 0) {
		al->stats.sms_queued += (uint64_t)strtol(db_result_value(res, 0, 0), NULL, 10);
		if (al->queued)
			al->queued(al->queued_arg);
	}
	if (al->ran_out) {
		al->ran_out = false;
		al->want_ids *= 2;
		if (al->want_ids > 4096)
			al->want_ids = 4096;
		al->again = true;
		al->tick_due = al->tick_due || al->this_tick;
	}
	pass_end(al, false);
}

static void write_doc(struct alerts *al)
{
	char election[16], now[24];
	const char *p[] = { election, now, NULL };

	op_ids(al, "claim", 0, al->claims, al->n_claims);
	if (al->doc.oom) {
		log_error("out of memory while deciding alerts; they are decided again");
		al->reload = true;
		pass_end(al, true);
		return;
	}
	if (!doc_finish(&al->doc)) {
		pass_end(al, false);
		return;
	}
	snprintf(election, sizeof(election), "%d", al->election);
	snprintf(now, sizeof(now), "%" PRId64, al->now);
	p[2] = al->doc.buf;
	if (!db_query(al->db, apply_sql, 3, p, apply_cb, al)) {
		log_error("could not queue the alerts' write: out of memory");
		al->reload = true;
		pass_end(al, true);
		return;
	}
	al->in_flight++;
}

/* The routes of the registry's current snapshot. */
static bool fresh_routes(struct alerts *al)
{
	struct registry_stats rs;
	struct regsnap *snap = registry_current(al->reg);

	if (snap == NULL)
		return false;
	registry_stats(al->reg, &rs);
	if (al->routes != NULL && rs.loads == al->routes_loads)
		return true;
	alert_routes_free(al->routes);
	al->routes = alert_routes_new(snap, al->lang);
	al->routes_loads = rs.loads;
	return al->routes != NULL;
}

static void load_row(struct alerts *al, const char *k, const struct db_result *res, int i)
{
	int64_t n[NUMS_MAX];
	enum alert_rule rule;
	bool ok = true;

	nums(col(res, i, 2), n, NUMS_MAX);
	if (strcmp(k, "dd") == 0) {
		ok = alert_engine_load_recent(al->engine, scol(res, i, 3), idcol(res, i), n[0]);
	} else if (strcmp(k, "rs") == 0) {
		ok = alert_engine_load_sent(al->engine, (int)n[0], n[1]);
	} else if (strcmp(k, "hd") == 0) {
		(void)alert_rule_parse(scol(res, i, 3), &rule);
		ok = alert_engine_load_held(al->engine, (int)n[0], idcol(res, i), rule);
	} else if (strcmp(k, "bt") == 0) {
		ok = alert_engine_load_batch(al->engine, (int)n[0], idcol(res, i), n[1],
					     (unsigned)(n[2] > 0 ? n[2] : 1), scol(res, i, 3));
	}
	if (!ok)
		al->doc.oom = true;
}

static void row(struct alerts *al, const struct db_result *res, int i)
{
	const char *k = db_result_value(res, i, 0);
	enum alert_rule rule;

	if (strcmp(k, "id") == 0) {
		if (!alert_engine_add_id(al->engine, idcol(res, i)))
			al->doc.oom = true;
	} else if (strcmp(k, "res") == 0) {
		alert_engine_resolved(al->engine, idcol(res, i));
		(void)alert_rule_parse(scol(res, i, 3), &rule);
		al->stats.by_rule[rule][ALERTS_RESOLVED]++;
		log_info("alert %" PRId64 " resolved", idcol(res, i));
	} else if (strcmp(k, "rep") == 0) {
		row_report(al, res, i);
	} else if (strcmp(k, "new") == 0 || strcmp(k, "due") == 0) {
		row_stored(al, res, i);
	} else if (strcmp(k, "miss") == 0) {
		row_miss(al, res, i);
	} else if (strcmp(k, "esc") == 0) {
		row_escalate(al, res, i);
	} else if (strcmp(k, "opn") == 0) {
		row_open_ops(al, res, i);
	} else if (strcmp(k, "mod") == 0) {
		row_modem(al, res, i);
	} else if (strcmp(k, "obx") == 0) {
		row_outbox(al, res, i);
	} else {
		load_row(al, k, res, i);
	}
}

static void work_cb(const struct db_result *res, void *arg)
{
	struct alerts *al = arg;
	int64_t lead[2];
	int rows;

	al->in_flight--;
	if (!db_result_ok(res)) {
		if (!connection_gone(res))
			log_error("could not read the alerts' work: %s", db_result_error(res));
		al->stats.failures++;
		pass_end(al, true);
		return;
	}
	rows = db_result_rows(res);
	nums(rows > 0 ? col(res, 0, 2) : NULL, lead, 2);
	if (lead[0] != 1) {
		if (al->stats.leader)
			log_info("another sawtd dispatches the alerts now");
		al->stats.leader = false;
		al->reload = true;
		pass_end(al, false);
		return;
	}
	if (!al->stats.leader)
		log_info("dispatching the alerts of this election");
	al->stats.leader = true;
	if (lead[1] == 1 || al->reload)
		alert_engine_reset(al->engine);
	al->reload = false;
	alert_engine_sweep(al->engine, al->now);
	doc_reset(&al->doc);
	al->n_claims = al->n_miss = al->n_open_ops = 0;
	al->ran_out = false;
	if (!fresh_routes(al)) {
		pass_end(al, true);
		return;
	}
	for (int i = 1; i < rows; i++)
		row(al, res, i);
	if (al->this_tick) {
		missing(al);
		spool_rule(al);
	}
	release(al);
	write_doc(al);
}

/* The election day and the checks due now. */
static void timer_checks(struct alerts *al, char *json, size_t cap)
{
	const struct validate_clock *vc = registry_clock(al->reg);
	struct alert_day day;
	struct json_buf j;

	alert_day_init(&day, vc->has_open ? (vc->open_at + vc->utc_offset) / 86400 : -1,
		       al->polls_open, al->polls_close, vc->utc_offset, al->now);
	al->n_checks = alert_timer_checks(&al->cfg, &day, al->now, al->checks, ALERT_CHECKS_MAX);
	json_init(&j, json, cap);
	json_open_array(&j, NULL);
	for (size_t i = 0; i < al->n_checks; i++) {
		json_open_object(&j, NULL);
		json_int(&j, "i", (int64_t)i);
		jstr(&j, "rule", alert_rule_name(al->checks[i].rule));
		if (al->checks[i].after > 0)
			json_int(&j, "after", al->checks[i].after);
		jstr(&j, "key", al->checks[i].key);
		json_close_object(&j);
	}
	json_close_array(&j);
	if (!json_finish(&j))
		snprintf(json, cap, "[]");
}

static void pass_start(struct alerts *al)
{
	char election[16], now[24], ids[16], limit[16], dedup[16], rate[16], esc[16], checks[1024];
	const char *p[11];
	size_t have;

	if (!al->db_ready || al->stopped || al->passing)
		return;
	al->election = registry_election_id(al->reg);
	if (al->election == 0 || registry_current(al->reg) == NULL)
		return; /* the next tick tries again */
	al->passing = true;
	al->again = false;
	al->this_tick = al->tick_due;
	al->tick_due = false;
	al->now = clock_now();
	al->stats.passes++;
	have = alert_engine_ids(al->engine);
	snprintf(election, sizeof(election), "%d", al->election);
	snprintf(now, sizeof(now), "%" PRId64, al->now);
	snprintf(ids, sizeof(ids), "%zu",
		 al->reload             ? al->want_ids
		 : have >= al->want_ids ? 0
					: al->want_ids - have);
	snprintf(limit, sizeof(limit), "%d", PASS_LIMIT);
	snprintf(dedup, sizeof(dedup), "%u", al->cfg.dedup_min);
	snprintf(rate, sizeof(rate), "%u", al->cfg.rate_min);
	snprintf(esc, sizeof(esc), "%u", al->cfg.escalate_min);
	p[0] = election;
	p[1] = now;
	p[2] = al->reload ? "true" : "false";
	p[3] = ids;
	p[4] = limit;
	p[5] = dedup;
	p[6] = rate;
	p[7] = al->this_tick ? "true" : "false";
	p[8] = NULL;
	p[9] = esc;
	p[10] = al->node;
	if (al->this_tick) {
		timer_checks(al, checks, sizeof(checks));
		p[8] = checks;
	}
	if (!db_query(al->db, work_sql, 11, p, work_cb, al)) {
		log_error("could not queue the alerts' query: out of memory");
		al->passing = false;
		return;
	}
	al->in_flight++;
}

/* ==== public ==== */

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pass_start(arg);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct alerts *al = arg;

	(void)fd;
	(void)what;
	al->tick_due = true;
	alerts_kick(al);
}

struct alerts *alerts_new(struct event_base *base, struct db *db, struct registry *reg,
			  struct intake *intake, const struct config *cfg, const char *node,
			  alerts_queued_cb queued, void *arg)
{
	struct alerts *al = calloc(1, sizeof(*al));
	struct timeval tick;

	if (al == NULL)
		return NULL;
	al->base = base;
	al->db = db;
	al->reg = reg;
	al->intake = intake;
	al->cfg = cfg->alerts;
	al->lang = cfg->default_language;
	al->polls_open = cfg->polls_open;
	al->polls_close = cfg->polls_close;
	snprintf(al->node, sizeof(al->node), "%s", node ? node : "");
	al->queued = queued;
	al->queued_arg = arg;
	al->want_ids = WANT_IDS;
	al->reload = true;
	al->tick_due = true;
	tick.tv_sec = al->cfg.tick_s > 0 ? al->cfg.tick_s : 10;
	tick.tv_usec = 0;
	al->engine = alert_engine_new(&al->cfg, al->lang);
	al->plan = calloc(1, sizeof(*al->plan));
	al->rel = calloc(RELEASE_MAX, sizeof(*al->rel));
	al->ev_tick = event_new(base, -1, EV_PERSIST, tick_cb, al);
	al->ev_kick = evtimer_new(base, kick_cb, al);
	if (al->engine == NULL || al->plan == NULL || al->rel == NULL || al->ev_tick == NULL ||
	    al->ev_kick == NULL || event_add(al->ev_tick, &tick) != 0) {
		alerts_free(al);
		return NULL;
	}
	return al;
}

/*
 * Use the [alerts] read by a reload, if one waits: a new engine with the
 * new thresholds (the dedup window, rate limits, held copies and batches
 * are read back from the database at the next pass) and the new tick.
 * On failure the running configuration stays.
 */
static void apply_config(struct alerts *al)
{
	struct alert_engine *engine;
	struct timeval tick;

	if (!al->has_next_cfg || al->passing)
		return;
	al->has_next_cfg = false;
	engine = alert_engine_new(&al->next_cfg, al->lang);
	if (engine == NULL) {
		log_error(
			"could not apply the reloaded [alerts]: out of memory; keeping the "
			"running ones");
		return;
	}
	alert_engine_free(al->engine);
	al->engine = engine;
	al->cfg = al->next_cfg;
	al->reload = true;
	tick.tv_sec = al->cfg.tick_s > 0 ? al->cfg.tick_s : 10;
	tick.tv_usec = 0;
	if (event_add(al->ev_tick, &tick) != 0)
		log_error("could not re-arm the alerts' tick");
	log_info("[alerts] reloaded: the next pass reads its state back");
	al->tick_due = true;
	alerts_kick(al);
}

void alerts_reconfigure(struct alerts *al, const struct config *cfg)
{
	if (memcmp(&cfg->alerts, &al->cfg, sizeof(al->cfg)) == 0 && !al->has_next_cfg)
		return;
	al->next_cfg = cfg->alerts;
	al->has_next_cfg = true;
	apply_config(al);
}

void alerts_free(struct alerts *al)
{
	if (al == NULL)
		return;
	if (al->ev_tick)
		event_free(al->ev_tick);
	if (al->ev_kick)
		event_free(al->ev_kick);
	alert_engine_free(al->engine);
	alert_routes_free(al->routes);
	free(al->plan);
	free(al->rel);
	free(al->doc.buf);
	free(al->claims);
	free(al->miss);
	free(al);
}

void alerts_set_db_ready(struct alerts *al, bool ready)
{
	al->db_ready = ready;
	if (!ready) {
		al->reload = true; /* the lock went with the connection */
		return;
	}
	al->tick_due = true;
	alerts_kick(al);
}

void alerts_kick(struct alerts *al)
{
	if (al->stopped || !al->db_ready)
		return;
	if (al->passing) {
		al->again = true;
		return;
	}
	db_timer_arm(al->ev_kick, KICK_DELAY_MS);
}

void alerts_stop(struct alerts *al)
{
	al->stopped = true;
	event_del(al->ev_tick);
	event_del(al->ev_kick);
}

unsigned alerts_in_flight(const struct alerts *al)
{
	return al->in_flight;
}

void alerts_get_stats(const struct alerts *al, struct alerts_stats *out)
{
	*out = al->stats;
}
