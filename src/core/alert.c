/*
 * alert.c - alert rules and their evaluation; see alert.h.
 */
#include "alert.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

/* The rules as a table: name and severity, in enum order. */
static const struct {
	const char *name;
	enum alert_severity severity;
} rules[ALERT_RULE_COUNT] = {
	[ALERT_CRITICAL_INCIDENT] = { "critical_incident", ALERT_SEV_CRITICAL },
	[ALERT_SERIOUS_INCIDENTS] = { "serious_incidents", ALERT_SEV_SERIOUS },
	[ALERT_IMPOSSIBLE_NUMBERS] = { "impossible_numbers", ALERT_SEV_SERIOUS },
	[ALERT_TURNOUT_HIGH] = { "turnout_high", ALERT_SEV_SERIOUS },
	[ALERT_TURNOUT_JUMP] = { "turnout_jump", ALERT_SEV_SERIOUS },
	[ALERT_WOMEN_SHARE_LOW] = { "women_share_low", ALERT_SEV_SERIOUS },
	[ALERT_WOMEN_SHARE_HIGH] = { "women_share_high", ALERT_SEV_INFO },
	[ALERT_WOMEN_MISSING] = { "women_missing", ALERT_SEV_INFO },
	[ALERT_RESULTS_CORRECTED] = { "results_corrected", ALERT_SEV_SERIOUS },
	[ALERT_CONFLICTING_REPORTS] = { "conflicting_reports", ALERT_SEV_SERIOUS },
	[ALERT_MISSING_OPENING] = { "missing_opening", ALERT_SEV_SERIOUS },
	[ALERT_MISSING_TURNOUT] = { "missing_turnout", ALERT_SEV_SERIOUS },
	[ALERT_MISSING_RESULTS] = { "missing_results", ALERT_SEV_SERIOUS },
	[ALERT_MODEM_DOWN] = { "modem_down", ALERT_SEV_SERIOUS },
	[ALERT_LOW_BALANCE] = { "low_balance", ALERT_SEV_SERIOUS },
	[ALERT_SPOOL_BACKLOG] = { "spool_backlog", ALERT_SEV_SERIOUS },
	[ALERT_OUTBOX_BACKLOG] = { "outbox_backlog", ALERT_SEV_SERIOUS },
	[ALERT_SENDER_FLOOD] = { "sender_flood", ALERT_SEV_SERIOUS },
	[ALERT_CHECKLIST_CHECK] = { "checklist_check", ALERT_SEV_SERIOUS },
	[ALERT_OTHER] = { "other", ALERT_SEV_SERIOUS },
};

static const char *const severity_names[ALERT_SEV_COUNT] = { "info", "serious", "critical" };

const char *alert_rule_name(enum alert_rule rule)
{
	return (unsigned)rule < ALERT_RULE_COUNT ? rules[rule].name : "other";
}

bool alert_rule_parse(const char *name, enum alert_rule *out)
{
	for (int i = 0; i < ALERT_RULE_COUNT; i++) {
		if (name != NULL && strcmp(name, rules[i].name) == 0) {
			*out = (enum alert_rule)i;
			return true;
		}
	}
	*out = ALERT_OTHER;
	return false;
}

enum alert_severity alert_rule_severity(enum alert_rule rule)
{
	return (unsigned)rule < ALERT_RULE_COUNT ? rules[rule].severity : ALERT_SEV_SERIOUS;
}

bool alert_rule_missing(enum alert_rule rule)
{
	return rule == ALERT_MISSING_OPENING || rule == ALERT_MISSING_TURNOUT ||
	       rule == ALERT_MISSING_RESULTS;
}

const char *alert_severity_name(enum alert_severity sev)
{
	return (unsigned)sev < ALERT_SEV_COUNT ? severity_names[sev] : "serious";
}

bool alert_severity_parse(const char *name, enum alert_severity *out)
{
	for (int i = 0; i < ALERT_SEV_COUNT; i++) {
		if (name != NULL && strcmp(name, severity_names[i]) == 0) {
			*out = (enum alert_severity)i;
			return true;
		}
	}
	return false;
}

void alert_init(struct alert *a, enum alert_rule rule)
{
	memset(a, 0, sizeof(*a));
	a->rule = rule;
	a->severity = alert_rule_severity(rule);
	a->f.voters = a->f.women = a->f.registered = a->f.prev = a->f.value = -1;
	a->f.pct = a->f.threshold = a->f.count = a->f.minutes = a->f.code = -1;
}

void alert_json_figures(struct json_buf *j, const struct alert *a)
{
	static const char *const lang_keys[LANG_COUNT] = { "name_ar", "name_en", "name_fr" };
	const struct alert_figures *f = &a->f;
	const struct {
		const char *key;
		int64_t v;
	} nums[] = {
		{ "voters", f->voters },         { "women", f->women },
		{ "registered", f->registered }, { "prev", f->prev },
		{ "value", f->value },           { "pct", f->pct },
		{ "threshold", f->threshold },   { "count", f->count },
		{ "minutes", f->minutes },       { "code", f->code },
	};
	const struct {
		const char *key;
		const char *v;
	} strs[] = {
		{ "check", f->check }, { "stations", f->stations }, { "who", f->who },
		{ "text", f->text },   { "key", f->key },
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (nums[i].v >= 0)
			json_int(j, nums[i].key, nums[i].v);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].v[0] != '\0')
			json_string(j, strs[i].key, strs[i].v, strlen(strs[i].v));
	for (int l = 0; l < LANG_COUNT; l++)
		if (f->names[l][0] != '\0')
			json_string(j, lang_keys[l], f->names[l], strlen(f->names[l]));
	if (f->after > 0)
		json_int(j, "after", f->after);
}

uint32_t alert_report_flags(const char *s)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{ "resend", ALERT_FLAG_RESEND },
		{ "out_of_order", ALERT_FLAG_OUT_OF_ORDER },
		{ "conflict", ALERT_FLAG_CONFLICT },
		{ "turnout_decrease", ALERT_FLAG_DECREASE },
	};
	uint32_t bits = 0;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		size_t len;

		s += strspn(s, "{},\" ");
		len = strcspn(s, "{},\" ");
		for (size_t i = 0; len > 0 && i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && memcmp(s, names[i].name, len) == 0)
				bits |= names[i].bit;
		s += len;
	}
	return bits;
}

void alert_report_init(struct alert_report *r)
{
	memset(r, 0, sizeof(*r));
	r->voters = r->women = r->men = r->sum = r->incident_code = -1;
	r->prev_voters = r->prev_sum = -1;
}

/* ==== per-report rules ==== */

struct out {
	struct alert *a;
	size_t n, cap;
};

/* A new alert of rule about r's station, or NULL when out is full. */
static struct alert *add(struct out *o, enum alert_rule rule, const struct alert_report *r,
			 const char *what)
{
	struct alert *a;

	if (o->n >= o->cap)
		return NULL;
	a = &o->a[o->n++];
	alert_init(a, rule);
	a->station_id = r->station_id;
	a->area_id = r->area_id;
	snprintf(a->station, sizeof(a->station), "%s", r->station);
	a->report_id = r->id;
	a->inbound_id = r->inbound_id;
	snprintf(a->subject, sizeof(a->subject), "%s:s%d%s%s", alert_rule_name(rule), r->station_id,
		 what[0] ? ":" : "", what);
	return a;
}

static void incident(struct out *o, const struct alert_report *r)
{
	struct alert *a;
	char what[24];

	if (r->rejected || !r->incident_known || r->incident_code < 0)
		return;
	if (r->incident_severity == ALERT_SEV_CRITICAL) {
		snprintf(what, sizeof(what), "c%lld", (long long)r->incident_code);
		a = add(o, ALERT_CRITICAL_INCIDENT, r, what);
	} else if (r->incident_severity == ALERT_SEV_SERIOUS) {
		a = add(o, ALERT_SERIOUS_INCIDENTS, r, "");
		if (a != NULL) /* batched per area: the engine keeps one open */
			snprintf(a->subject, sizeof(a->subject), "serious_incidents:a%d",
				 r->area_id);
	} else {
		return;
	}
	if (a == NULL)
		return;
	a->f.code = r->incident_code;
	a->f.count = 1;
	memcpy(a->f.names, r->incident_names, sizeof(a->f.names));
	snprintf(a->f.stations, sizeof(a->f.stations), "%s", r->station);
}

/* The figures an impossible report names: value > threshold. */
static bool impossible(const struct alert_report *r, int64_t *value, int64_t *limit)
{
	const char *e = r->error;

	if (strcmp(e, "women_exceed_voters") == 0) {
		*value = r->women;
		*limit = r->voters;
	} else if (strcmp(e, "men_exceed_voters") == 0) {
		*value = r->men;
		*limit = r->voters;
	} else if (strcmp(e, "voters_exceed_registered") == 0) {
		*value = r->voters;
		*limit = r->registered;
	} else if (strcmp(e, "women_exceed_registered_women") == 0) {
		*value = r->women;
		*limit = r->registered_women;
	} else if (strcmp(e, "results_exceed_registered") == 0) {
		*value = r->sum;
		*limit = r->registered;
	} else {
		return false;
	}
	return true;
}

static void impossible_numbers(struct out *o, const struct alert_report *r)
{
	int64_t value, limit;
	struct alert *a;

	if (!r->rejected || !impossible(r, &value, &limit))
		return;
	a = add(o, ALERT_IMPOSSIBLE_NUMBERS, r, parse_form_name(r->form));
	if (a == NULL)
		return;
	snprintf(a->f.check, sizeof(a->f.check), "%s", r->error);
	a->f.value = value;
	a->f.threshold = limit;
}

static int64_t floor_pct(int64_t part, int64_t whole)
{
	return part * 100 / whole;
}

static int64_t ceil_pct(int64_t part, int64_t whole)
{
	return (part * 100 + whole - 1) / whole;
}

/* Turnout and close: high turnout, a jump, women's share. */
static void turnout(const struct config_alerts *c, struct out *o, const struct alert_report *r)
{
	int64_t v = r->voters, reg = r->registered, w = r->women;
	struct alert *a;

	if (v < 0)
		return;
	if (c->turnout_high_pct > 0 && reg > 0 && v * 100 >= (int64_t)c->turnout_high_pct * reg &&
	    (a = add(o, ALERT_TURNOUT_HIGH, r, "")) != NULL) {
		a->f.voters = v;
		a->f.registered = reg;
		a->f.pct = floor_pct(v, reg);
		a->f.threshold = c->turnout_high_pct;
	}
	if (c->turnout_jump_pct > 0 && reg > 0 && r->has_prev && r->prev_voters >= 0 &&
	    v > r->prev_voters &&
	    (v - r->prev_voters) * 100 >= (int64_t)c->turnout_jump_pct * reg &&
	    (a = add(o, ALERT_TURNOUT_JUMP, r, "")) != NULL) {
		a->f.voters = v;
		a->f.prev = r->prev_voters;
		a->f.registered = reg;
		a->f.pct = floor_pct(v - r->prev_voters, reg);
		a->f.threshold = c->turnout_jump_pct;
	}
	if (c->women_min_voters == 0 || v < (int64_t)c->women_min_voters || v == 0)
		return;
	if (w < 0) {
		if ((a = add(o, ALERT_WOMEN_MISSING, r, "")) != NULL)
			a->f.voters = v;
		return;
	}
	if (c->women_low_pct > 0 && w * 100 < (int64_t)c->women_low_pct * v &&
	    (a = add(o, ALERT_WOMEN_SHARE_LOW, r, "")) != NULL) {
		a->f.voters = v;
		a->f.women = w;
		a->f.pct = floor_pct(w, v);
		a->f.threshold = c->women_low_pct;
	}
	if (c->women_high_pct > 0 && w * 100 > (int64_t)c->women_high_pct * v &&
	    (a = add(o, ALERT_WOMEN_SHARE_HIGH, r, "")) != NULL) {
		a->f.voters = v;
		a->f.women = w;
		a->f.pct = ceil_pct(w, v);
		a->f.threshold = c->women_high_pct;
	}
}

static void conflict(struct out *o, const struct alert_report *r)
{
	bool results = r->form == PARSE_FORM_RESULTS;
	struct alert *a;

	if (!(r->flags & ALERT_FLAG_CONFLICT))
		return;
	a = add(o, ALERT_CONFLICTING_REPORTS, r, parse_form_name(r->form));
	if (a == NULL)
		return;
	snprintf(a->f.check, sizeof(a->f.check), "%s", parse_form_name(r->form));
	a->f.value = results ? r->sum : r->voters;
	a->f.prev = r->has_prev ? (results ? r->prev_sum : r->prev_voters) : -1;
}

static void corrected(struct out *o, const struct alert_report *r)
{
	struct alert *a;
	char what[16];

	if ((r->flags & ALERT_FLAG_CONFLICT) || !r->has_prev || r->prev_person != r->person_id ||
	    r->prev_same_counts)
		return;
	snprintf(what, sizeof(what), "k%d", r->contest_id);
	a = add(o, ALERT_RESULTS_CORRECTED, r, what);
	if (a == NULL)
		return;
	a->f.prev = r->prev_sum;
	a->f.value = r->sum;
}

size_t alert_rules_report(const struct config_alerts *c, const struct alert_report *r,
			  struct alert *out, size_t cap)
{
	struct out o = { out, 0, cap < ALERT_REPORT_MAX ? cap : ALERT_REPORT_MAX };
	bool current = !(r->flags & ALERT_FLAG_OUT_OF_ORDER);

	if (r->flags & ALERT_FLAG_RESEND)
		return 0;
	switch (r->form) {
	case PARSE_FORM_INCIDENT: incident(&o, r); break;
	case PARSE_FORM_TURNOUT:
	case PARSE_FORM_CLOSE:
		impossible_numbers(&o, r);
		if (!r->rejected && current) {
			turnout(c, &o, r);
			if (r->form == PARSE_FORM_CLOSE)
				conflict(&o, r);
		}
		break;
	case PARSE_FORM_RESULTS:
		impossible_numbers(&o, r);
		if (!r->rejected && current) {
			conflict(&o, r);
			corrected(&o, r);
		}
		break;
	default: break;
	}
	return o.n;
}

/* ==== timer rules ==== */

/* Days from 1970-01-01 to the civil date, and back (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

void alert_day_init(struct alert_day *d, int64_t day, int polls_open, int polls_close,
		    long utc_offset, int64_t now)
{
	if (day < 0)
		day = floor_div(now + utc_offset, 86400);
	d->midnight = day * 86400 - utc_offset;
	d->polls_open = polls_open;
	d->polls_close = polls_close;
	d->utc_offset = utc_offset;
}

static bool add_check(struct alert_check *out, size_t cap, size_t *n, const struct alert_day *d,
		      enum alert_rule rule, const char *form, int minutes, int64_t due,
		      int64_t after)
{
	struct alert_check *c;
	int y, m, day;

	if (*n >= cap)
		return false;
	c = &out[(*n)++];
	memset(c, 0, sizeof(*c));
	c->rule = rule;
	c->form = form;
	c->at = d->midnight + (int64_t)minutes * 60;
	c->due = due;
	c->after = after;
	civil_from_days(floor_div(d->midnight + d->utc_offset, 86400), &y, &m, &day);
	snprintf(c->time, sizeof(c->time), "%02d:%02d", minutes / 60 % 24, minutes % 60);
	snprintf(c->key, sizeof(c->key), "%04d-%02d-%02d %s", y, m, day, c->time);
	return true;
}

size_t alert_timer_checks(const struct config_alerts *a, const struct alert_day *d, int64_t now,
			  struct alert_check *out, size_t cap)
{
	int64_t open = d->midnight + (int64_t)d->polls_open * 60;
	int64_t close = d->midnight + (int64_t)d->polls_close * 60;
	int64_t due, grace = (int64_t)a->checkpoint_grace_min * 60;
	size_t n = 0;
	int last = -1;

	if (now >= d->midnight + 36 * 3600 || now < d->midnight)
		return 0;
	if (d->polls_open >= 0 && a->missing_open_min > 0 &&
	    now >= (due = open + (int64_t)a->missing_open_min * 60))
		add_check(out, cap, &n, d, ALERT_MISSING_OPENING, "open", d->polls_open, due, 0);
	for (size_t i = 0; i < a->n_checkpoints; i++)
		if (now >= d->midnight + (int64_t)a->checkpoints[i] * 60 + grace)
			last = (int)i;
	if (last >= 0 && (d->polls_close < 0 || now < close + grace)) {
		int64_t after = last > 0 ? d->midnight + (int64_t)a->checkpoints[last - 1] * 60
				: d->polls_open >= 0 ? open
						     : d->midnight;

		add_check(out, cap, &n, d, ALERT_MISSING_TURNOUT, "turnout", a->checkpoints[last],
			  d->midnight + (int64_t)a->checkpoints[last] * 60 + grace, after);
	}
	if (d->polls_close >= 0 && a->missing_results_min > 0 &&
	    now >= (due = close + (int64_t)a->missing_results_min * 60))
		add_check(out, cap, &n, d, ALERT_MISSING_RESULTS, "results", d->polls_close, due,
			  0);
	return n;
}

/* ==== helpers ==== */

bool alert_balance_parse(const char *text, uint64_t *out)
{
	const char *p = text;
	uint64_t v = 0;

	if (text == NULL)
		return false;
	while (*p != '\0' && (*p < '0' || *p > '9'))
		p++;
	if (*p == '\0')
		return false;
	for (int digits = 0; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits >= 15)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

void alert_station_list(const char *const *codes, size_t n, size_t max, char *buf, size_t cap)
{
	size_t used = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (n > max)
		return;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, cap - used, "%s%s", i > 0 ? " " : "", codes[i]);

		if (w < 0 || (size_t)w >= cap - used) {
			buf[0] = '\0';
			return;
		}
		used += (size_t)w;
	}
}
