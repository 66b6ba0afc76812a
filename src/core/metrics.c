/*
 * metrics.c - metric families and the Prometheus text format; see
 * metrics.h.
 *
 * A series is found by its label set as it is printed (a="x",b="y"):
 * escaping is one-to-one, so two label sets print alike only when they
 * are equal, and the printed form is what rendering needs anyway.
 */
#include "metrics.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strmap.h"
#include "utf8.h"

const double metrics_latency_le[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				      0.1,    0.25,  0.5,    1,     2.5,  5,     10 };
const size_t metrics_latency_n = sizeof(metrics_latency_le) / sizeof(metrics_latency_le[0]);

struct series {
	char *labels; /* as printed, without braces; "" for none */
	double value;
	struct metrics_hist hist;
};

struct metrics_family {
	struct metrics *m;
	enum metrics_type type;
	char *name;
	char *help;
	char *labels; /* the declaration's list, for comparison */
	size_t n_labels;
	char *label[METRICS_LABELS_MAX];
	struct strmap *by_labels;
	struct series **series; /* in the order first set */
	size_t n, cap;
};

struct metrics {
	struct metrics_family **fam; /* in the order declared */
	size_t n, cap;
	struct strmap *by_name;
	char error[METRICS_ERROR_MAX];
};

/* A growing string for building series keys. */
struct dbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void dbuf_add(struct dbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (!array_grow(&b->p, &b->cap, b->len + n + 1, 1)) {
		b->oom = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void dbuf_puts(struct dbuf *b, const char *s)
{
	dbuf_add(b, s, strlen(s));
}

static void set_error(struct metrics *m, const char *fmt, ...) SAWT_PRINTF(2, 3);

static void set_error(struct metrics *m, const char *fmt, ...)
{
	va_list ap;

	if (m == NULL || m->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(m->error, sizeof(m->error), fmt, ap);
	va_end(ap);
}

/* ==== histograms ==== */

bool metrics_hist_init(struct metrics_hist *h, const double *le, size_t n)
{
	memset(h, 0, sizeof(*h));
	if (n == 0 || n > METRICS_BUCKETS_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		/* finite: NaN fails v == v, the infinities the range */
		if (!(le[i] == le[i]) || le[i] > DBL_MAX || le[i] < -DBL_MAX ||
		    (i > 0 && !(le[i] > le[i - 1])))
			return false;
	}
	memcpy(h->le, le, n * sizeof(*le));
	h->n = n;
	return true;
}

void metrics_hist_observe(struct metrics_hist *h, double v)
{
	size_t i = 0;

	if (!(v == v))
		return;
	while (i < h->n && v > h->le[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum += v;
}

bool metrics_hist_merge(struct metrics_hist *into, const struct metrics_hist *from)
{
	if (from->n == 0 && from->count == 0)
		return true; /* zeroed: nothing to add */
	if (into->n == 0 && into->count == 0) {
		into->n = from->n;
		memcpy(into->le, from->le, sizeof(into->le));
	}
	if (into->n != from->n || memcmp(into->le, from->le, from->n * sizeof(double)) != 0)
		return false;
	for (size_t i = 0; i <= from->n; i++)
		into->bucket[i] += from->bucket[i];
	into->count += from->count;
	into->sum += from->sum;
	return true;
}

/* ==== names ==== */

static bool name_ok(const char *s, bool colon)
{
	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || (colon && c == ':')))
			return false;
	}
	return true;
}

/* Split "a,b" into f->label[]; false with the error recorded. */
static bool take_labels(struct metrics *m, struct metrics_family *f, const char *labels)
{
	const char *p = labels;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *l;

		if (f->n_labels == METRICS_LABELS_MAX) {
			set_error(m, "metric \"%s\" has more than %d labels", f->name,
				  METRICS_LABELS_MAX);
			return false;
		}
		l = strndup(p, len);
		if (l == NULL) {
			set_error(m, "out of memory");
			return false;
		}
		f->label[f->n_labels++] = l;
		if (!name_ok(l, false) || strncmp(l, "__", 2) == 0 ||
		    (f->type == METRICS_HISTOGRAM && strcmp(l, "le") == 0)) {
			set_error(m, "metric \"%s\": invalid label name \"%s\"", f->name, l);
			return false;
		}
		for (size_t i = 0; i + 1 < f->n_labels; i++) {
			if (strcmp(f->label[i], l) == 0) {
				set_error(m, "metric \"%s\": label \"%s\" given twice", f->name, l);
				return false;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return true;
}

/* ==== sets and families ==== */

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->by_name = strmap_new(64);
	if (m->by_name == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static void family_free(struct metrics_family *f)
{
	if (f == NULL)
		return;
	metrics_family_clear(f);
	strmap_free(f->by_labels);
	free(f->series);
	for (size_t i = 0; i < f->n_labels; i++)
		free(f->label[i]);
	free(f->labels);
	free(f->help);
	free(f->name);
	free(f);
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		family_free(m->fam[i]);
	free(m->fam);
	strmap_free(m->by_name);
	free(m);
}

static const char *const type_names[] = {
	[METRICS_COUNTER] = "counter",
	[METRICS_GAUGE] = "gauge",
	[METRICS_HISTOGRAM] = "histogram",
};

/* The family name already declared, if it matches; NULL otherwise. */
static struct metrics_family *family_again(struct metrics *m, struct metrics_family *f,
					   enum metrics_type type, const char *labels)
{
	if (f->type != type || strcmp(f->labels, labels ? labels : "") != 0) {
		set_error(m, "metric \"%s\" declared again with another type or labels", f->name);
		return NULL;
	}
	return f;
}

struct metrics_family *metrics_family(struct metrics *m, enum metrics_type type, const char *name,
				      const char *help, const char *labels)
{
	struct metrics_family *f;

	if (m == NULL || m->error[0] != '\0')
		return NULL;
	if (!name_ok(name, true) || type > METRICS_HISTOGRAM) {
		set_error(m, "invalid metric name \"%s\"", name ? name : "");
		return NULL;
	}
	f = strmap_get(m->by_name, name);
	if (f != NULL)
		return family_again(m, f, type, labels);
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		goto oom;
	f->m = m;
	f->type = type;
	f->name = strdup(name);
	f->help = strdup(help ? help : "");
	f->labels = strdup(labels ? labels : "");
	f->by_labels = strmap_new(8);
	if (f->name == NULL || f->help == NULL || f->labels == NULL || f->by_labels == NULL)
		goto oom;
	if (!take_labels(m, f, labels)) {
		family_free(f);
		return NULL;
	}
	if (!array_grow(&m->fam, &m->cap, m->n + 1, sizeof(*m->fam)) ||
	    !strmap_put(m->by_name, f->name, f))
		goto oom;
	m->fam[m->n++] = f;
	return f;
oom:
	family_free(f);
	set_error(m, "out of memory");
	return NULL;
}

/* Append s escaped as a label value: \\, \", \n; not UTF-8: U+FFFD. */
static void escape_value(struct dbuf *b, const char *s)
{
	size_t len = strlen(s), pos = 0;

	while (pos < len) {
		size_t start = pos;
		uint32_t cp;

		if (!utf8_decode(s, len, &pos, &cp)) {
			dbuf_puts(b, "\xef\xbf\xbd");
			pos = start + 1;
		} else if (cp == '\\') {
			dbuf_puts(b, "\\\\");
		} else if (cp == '"') {
			dbuf_puts(b, "\\\"");
		} else if (cp == '\n') {
			dbuf_puts(b, "\\n");
		} else {
			dbuf_add(b, s + start, pos - start);
		}
	}
}

/* The printed label set of values in b; false with the error recorded. */
static bool series_key(struct metrics_family *f, const char *const *values, struct dbuf *b)
{
	dbuf_puts(b, "");
	for (size_t i = 0; i < f->n_labels; i++) {
		if (values == NULL || values[i] == NULL) {
			set_error(f->m, "metric \"%s\": no value for label \"%s\"", f->name,
				  f->label[i]);
			return false;
		}
		if (i > 0)
			dbuf_puts(b, ",");
		dbuf_puts(b, f->label[i]);
		dbuf_puts(b, "=\"");
		escape_value(b, values[i]);
		dbuf_puts(b, "\"");
	}
	if (b->oom)
		set_error(f->m, "out of memory");
	return !b->oom;
}

/* The series values of f, created when new; NULL with the error recorded. */
static struct series *series_get(struct metrics_family *f, const char *const *values, bool create)
{
	struct dbuf b = { 0 };
	struct series *s = NULL;

	if (f == NULL || f->m->error[0] != '\0' || !series_key(f, values, &b))
		goto done;
	s = strmap_get(f->by_labels, b.p);
	if (s != NULL || !create)
		goto done;
	s = calloc(1, sizeof(*s));
	if (s == NULL || !array_grow(&f->series, &f->cap, f->n + 1, sizeof(*f->series)))
		goto oom;
	s->labels = b.p;
	b.p = NULL;
	if (!strmap_put(f->by_labels, s->labels, s))
		goto oom;
	f->series[f->n++] = s;
	goto done;
oom:
	if (s != NULL)
		free(s->labels);
	free(s);
	s = NULL;
	set_error(f->m, "out of memory");
done:
	free(b.p);
	return s;
}

static struct series *scalar(struct metrics_family *f, const char *const *values)
{
	if (f != NULL && f->type == METRICS_HISTOGRAM) {
		set_error(f->m, "metric \"%s\" is a histogram: give it a histogram", f->name);
		return NULL;
	}
	return series_get(f, values, true);
}

void metrics_set(struct metrics_family *f, const char *const *values, double v)
{
	struct series *s = scalar(f, values);

	if (s != NULL)
		s->value = v;
}

void metrics_add(struct metrics_family *f, const char *const *values, double delta)
{
	struct series *s = scalar(f, values);

	if (s != NULL)
		s->value += delta;
}

void metrics_hist_set(struct metrics_family *f, const char *const *values,
		      const struct metrics_hist *h)
{
	struct series *s;

	if (f != NULL && f->type != METRICS_HISTOGRAM) {
		set_error(f->m, "metric \"%s\" is not a histogram", f->name);
		return;
	}
	if (f != NULL && (h->n == 0 || h->n > METRICS_BUCKETS_MAX)) {
		set_error(f->m, "metric \"%s\": a histogram without bounds", f->name);
		return;
	}
	s = series_get(f, values, true);
	if (s != NULL)
		s->hist = *h;
}

void metrics_family_clear(struct metrics_family *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		(void)strmap_del(f->by_labels, f->series[i]->labels);
		free(f->series[i]->labels);
		free(f->series[i]);
	}
	f->n = 0;
}

double metrics_get(const struct metrics_family *f, const char *const *values)
{
	struct series *s;

	if (f == NULL)
		return 0;
	s = series_get((struct metrics_family *)f, values, false);
	if (s == NULL)
		return 0;
	return f->type == METRICS_HISTOGRAM ? (double)s->hist.count : s->value;
}

const char *metrics_error(const struct metrics *m)
{
	return m->error;
}

/* ==== rendering ==== */

const char *metrics_format_value(double v, char *buf, size_t n)
{
	if (!(v == v))
		snprintf(buf, n, "NaN");
	else if (v > DBL_MAX)
		snprintf(buf, n, "+Inf");
	else if (v < -DBL_MAX)
		snprintf(buf, n, "-Inf");
	else if (v == 0)
		snprintf(buf, n, "0");
	else if (v > -1e15 && v < 1e15 && (double)(int64_t)v == v)
		snprintf(buf, n, "%lld", (long long)v);
	else
		for (int p = 1; p <= 17; p++) {
			snprintf(buf, n, "%.*g", p, v);
			if (strtod(buf, NULL) == v)
				break;
		}
	return buf;
}

/* Help text: backslash and newline escaped. */
static void put_help(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			strbuf_puts(out, "\\\\");
		else if (*s == '\n')
			strbuf_puts(out, "\\n");
		else
			strbuf_append(out, s, 1);
	}
}

/* name{labels[,extra]} value */
static void put_sample(struct strbuf *out, const char *name, const char *suffix, const char *labels,
		       const char *extra, double v)
{
	char num[40];

	strbuf_puts(out, name);
	strbuf_puts(out, suffix);
	if (labels[0] != '\0' || extra != NULL) {
		strbuf_puts(out, "{");
		strbuf_puts(out, labels);
		if (extra != NULL) {
			if (labels[0] != '\0')
				strbuf_puts(out, ",");
			strbuf_puts(out, extra);
		}
		strbuf_puts(out, "}");
	}
	strbuf_puts(out, " ");
	strbuf_puts(out, metrics_format_value(v, num, sizeof(num)));
	strbuf_puts(out, "\n");
}

static void put_hist(struct strbuf *out, const struct metrics_family *f, const struct series *s)
{
	const struct metrics_hist *h = &s->hist;
	uint64_t cum = 0;
	char le[64], num[40];

	for (size_t i = 0; i < h->n; i++) {
		cum += h->bucket[i];
		snprintf(le, sizeof(le), "le=\"%s\"",
			 metrics_format_value(h->le[i], num, sizeof(num)));
		put_sample(out, f->name, "_bucket", s->labels, le, (double)cum);
	}
	put_sample(out, f->name, "_bucket", s->labels, "le=\"+Inf\"", (double)h->count);
	put_sample(out, f->name, "_sum", s->labels, NULL, h->sum);
	put_sample(out, f->name, "_count", s->labels, NULL, (double)h->count);
}

bool metrics_render(const struct metrics *m, struct strbuf *out)
{
	if (m->error[0] != '\0')
		return false;
	for (size_t i = 0; i < m->n; i++) {
		const struct metrics_family *f = m->fam[i];

		strbuf_printf(out, "# HELP %s ", f->name);
		put_help(out, f->help);
		strbuf_printf(out, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
		for (size_t k = 0; k < f->n; k++) {
			if (f->type == METRICS_HISTOGRAM)
				put_hist(out, f, f->series[k]);
			else
				put_sample(out, f->name, "", f->series[k]->labels, NULL,
					   f->series[k]->value);
		}
	}
	return !out->overflow;
}
