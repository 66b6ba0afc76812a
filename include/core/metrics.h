/*
 * metrics.h - metric families in memory and their Prometheus text
 * exposition (format version 0.0.4, what GET /metrics answers).
 *
 * A struct metrics holds families; a family has a type (counter, gauge,
 * histogram), a name, a help line and the names of its labels; each of its
 * series is one set of label values with a value (a histogram's value is a
 * struct metrics_hist).  metrics_render() writes them, families in the
 * order they were declared and series in the order they were first set:
 *
 *   # HELP sawt_messages_total Messages stored, by ...
 *   # TYPE sawt_messages_total counter
 *   sawt_messages_total{transport="gsm",outcome="accepted",code=""} 12
 *
 * and for a histogram the cumulative buckets, +Inf last, then _sum and
 * _count:
 *
 *   sawt_db_query_duration_seconds_bucket{le="0.001"} 40
 *   ...
 *   sawt_db_query_duration_seconds_bucket{le="+Inf"} 52
 *   sawt_db_query_duration_seconds_sum 0.071
 *   sawt_db_query_duration_seconds_count 52
 *
 * Label values are escaped (backslash, double quote, newline) and bytes
 * that are not UTF-8 become U+FFFD; help text has its backslashes and
 * newlines escaped.  Names are checked: a metric name is
 * [a-zA-Z_:][a-zA-Z0-9_:]*, a label name [a-zA-Z_][a-zA-Z0-9_]* not
 * starting with "__", and a histogram may not have a label "le".  The
 * naming conventions (a "sawt_" prefix, "_total" on counters, base units)
 * are the caller's.
 *
 * Errors are sticky, like strbuf's overflow: a call that cannot do what
 * it is asked (a bad name, a label count that does not match, a family
 * declared twice differently, out of memory) records the first error and
 * does nothing, and metrics_render() then fails.  So a caller sets
 * everything and checks once.
 *
 * Pure: no I/O, no clock.  Allocates (the families and series), which a
 * scrape may; the histogram struct does not.
 */
#ifndef SAWT_METRICS_H
#define SAWT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "strbuf.h"

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
};

#define METRICS_LABELS_MAX 6   /* labels of one family */
#define METRICS_BUCKETS_MAX 20 /* finite upper bounds of one histogram */
#define METRICS_ERROR_MAX 160

/*
 * A histogram of observations: counts by upper bound (non-cumulative:
 * bucket[i] counts the observations in (le[i-1], le[i]], bucket[n] those
 * above le[n-1]), their number and sum.  A plain struct: a module keeps
 * one, observes into it, and a scrape copies it into a family.
 */
struct metrics_hist {
	size_t n;                                 /* finite bounds used */
	double le[METRICS_BUCKETS_MAX];           /* strictly increasing */
	uint64_t bucket[METRICS_BUCKETS_MAX + 1]; /* [n]: above le[n - 1] */
	uint64_t count;
	double sum;
};

/*
 * Empty h with the n upper bounds le (finite, strictly increasing, 1 to
 * METRICS_BUCKETS_MAX of them).  False, with h empty and without bounds,
 * when le is not such a list.
 */
bool metrics_hist_init(struct metrics_hist *h, const double *le, size_t n) SAWT_MUST_CHECK;

/* Count the observation v (NaN is ignored). */
void metrics_hist_observe(struct metrics_hist *h, double v);

/*
 * Add the counts of from into into.  False, into unchanged, when their
 * bounds differ; an into without bounds (zeroed) takes from's, and a
 * zeroed from adds nothing.
 */
bool metrics_hist_merge(struct metrics_hist *into, const struct metrics_hist *from) SAWT_MUST_CHECK;

/*
 * The bounds sawt uses for durations of database queries and HTTP
 * requests, in seconds: 0.0005 to 10.
 */
extern const double metrics_latency_le[];
extern const size_t metrics_latency_n;

struct metrics;
struct metrics_family;

/* An empty set.  NULL when out of memory. */
struct metrics *metrics_new(void) SAWT_MUST_CHECK;

/* Free the set, its families and series; NULL is a no-op. */
void metrics_free(struct metrics *m);

/*
 * The family name in m: declared now with its type, help line and label
 * names (labels: a comma-separated list such as "transport,outcome", or
 * NULL or "" for none), or the one already declared when name, type and
 * labels match (help is then not compared).  Strings are copied.  NULL,
 * with the error recorded, when a name is invalid or the name is taken
 * by a different family, or out of memory; the functions below accept
 * that NULL and do nothing.
 */
struct metrics_family *metrics_family(struct metrics *m, enum metrics_type type, const char *name,
				      const char *help, const char *labels);

/*
 * Set, or add delta to, the value of the series with label values values
 * (an array of as many strings as the family has labels, in the same
 * order; NULL when it has none), creating it at 0.  For counters and
 * gauges; the caller keeps counters monotonic.
 */
void metrics_set(struct metrics_family *f, const char *const *values, double v);
void metrics_add(struct metrics_family *f, const char *const *values, double delta);

/* Set the histogram of the series values (as above) to a copy of h. */
void metrics_hist_set(struct metrics_family *f, const char *const *values,
		      const struct metrics_hist *h);

/* Remove every series of f (a gauge whose label sets come and go). */
void metrics_family_clear(struct metrics_family *f);

/*
 * The value of the series values of f (0 when there is none; a
 * histogram's count).  For tests and for callers that derive one figure
 * from another.
 */
double metrics_get(const struct metrics_family *f, const char *const *values);

/* The first error recorded ("" when none). */
const char *metrics_error(const struct metrics *m);

/*
 * Append the text exposition of every family of m to out.  False when an
 * error was recorded (nothing is appended) or when out overflowed (a
 * caller with a fixed buffer tries again with a larger one).
 */
bool metrics_render(const struct metrics *m, struct strbuf *out) SAWT_MUST_CHECK;

/*
 * Format v as a sample value into buf (n bytes, 32 is enough): integers
 * without a fraction ("12"), others with the fewest digits that read back
 * as v ("0.005"), "NaN", "+Inf", "-Inf".  Returns buf.
 */
const char *metrics_format_value(double v, char *buf, size_t n);

#endif
