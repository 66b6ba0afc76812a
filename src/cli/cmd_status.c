/*
 * cmd_status.c - sawt status [-e NAME] [--districts]
 *
 * A terminal summary of the election for the operator: reporting progress
 * by region, turnout and women's share, results, open incidents and
 * alerts (the open ones listed, and the node dispatching them), flagged and
 * conflicting reports, message errors, and the modems.
 * The figures come from the analytics views (store_status), so they are
 * exactly what analysts see.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "store_status.h"

#define STATUS_ERR_MAX 1024
#define TABLE_MAX_COLS 16
#define CELL_MAX 256
#define TEXT_SHOWN_MAX 60

struct status_ctx {
	struct store_status *st;
	const char *election;
	int depth;
	FILE *out;
	struct store_status_rows *progress; /* STORE_STATUS_PROGRESS */
	struct store_status_rows *turnout;  /* STORE_STATUS_TURNOUT */
	char err[STATUS_ERR_MAX];
};

/* A table of text cells; row 0 holds the headers. */
struct table {
	int ncols;
	int nrows;                  /* data rows, headers not counted */
	char **cells;               /* (nrows + 1) * ncols, NULL = "" */
	bool right[TABLE_MAX_COLS]; /* right-aligned (numbers) */
};

/* ---- text helpers ---- */

/* Display width of UTF-8 text: code points, not counting combining marks
 * (Arabic harakat and general combining diacritics). */
static int text_width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		/* U+064B..U+065F: D9 8B..D9 9F; U+0300..U+036F: CC 80..CD AF */
		if (p[0] == 0xD9 && p[1] >= 0x8B && p[1] <= 0x9F)
			continue;
		if ((p[0] == 0xCC && p[1] >= 0x80) ||
		    (p[0] == 0xCD && p[1] <= 0xAF && p[1] >= 0x80))
			continue;
		w++;
	}
	return w;
}

/* Copy s into buf, cut after max code points with "..." appended. */
static const char *shorten(const char *s, int max, char *buf, size_t n)
{
	size_t i = 0;
	int cps = 0;

	for (; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && cps++ == max)
			break;
	}
	if (s[i] == '\0' || i + 4 > n) {
		snprintf(buf, n, "%s", s);
		return buf;
	}
	snprintf(buf, n, "%.*s...", (int)i, s);
	return buf;
}

static void put_padded(FILE *out, const char *s, int width, bool right)
{
	int pad = width - text_width(s);

	if (right)
		fprintf(out, "%*s%s", pad > 0 ? pad : 0, "", s);
	else
		fprintf(out, "%s%*s", s, pad > 0 ? pad : 0, "");
}

/* "12.5%" for "12.5", "-" for NULL. */
static const char *pct(const char *v, char *buf, size_t n)
{
	if (v == NULL)
		return "-";
	snprintf(buf, n, "%s%%", v);
	return buf;
}

static const char *dash(const char *v)
{
	return v != NULL ? v : "-";
}

/* ---- tables ---- */

static void table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < (t->nrows + 1) * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

static struct table *table_new(int ncols, int nrows)
{
	struct table *t;

	if (ncols < 1 || ncols > TABLE_MAX_COLS || nrows < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	t->nrows = nrows;
	t->cells = calloc((size_t)(nrows + 1) * (size_t)ncols, sizeof(char *));
	if (t->cells == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

/* Set cell (row 0: header) to the formatted text.  False when out of memory. */
static bool table_set(struct table *t, int row, int col, const char *fmt, ...) SAWT_PRINTF(4, 5);

static bool table_set(struct table *t, int row, int col, const char *fmt, ...)
{
	char buf[CELL_MAX];
	char **cell = &t->cells[row * t->ncols + col];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(*cell);
	*cell = strdup(buf);
	return *cell != NULL;
}

static const char *table_get(const struct table *t, int row, int col)
{
	const char *s = t->cells[row * t->ncols + col];

	return s != NULL ? s : "";
}

static void table_print(const struct table *t, FILE *out)
{
	int width[TABLE_MAX_COLS] = { 0 };

	for (int r = 0; r <= t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			int w = text_width(table_get(t, r, c));

			if (w > width[c])
				width[c] = w;
		}
	for (int r = 0; r <= t->nrows; r++) {
		fputs("  ", out);
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = table_get(t, r, c);
			bool last = c == t->ncols - 1;

			/* no trailing blanks */
			put_padded(out, cell,
				   last && (!t->right[c] || cell[0] == '\0') ? 0 : width[c],
				   t->right[c]);
			fputs(last ? "\n" : "  ", out);
		}
	}
}

/* ---- sections ---- */

static struct store_status_rows *fetch(struct status_ctx *c, enum store_status_query q)
{
	return store_status_query(c->st, q, c->election, c->depth, c->err, sizeof(c->err));
}

/* The label of an area row: "all" for the election, districts indented. */
static const char *area_label(const struct store_status_rows *rows, int r, char *buf, size_t n)
{
	const char *depth = store_status_value(rows, r, 1);

	if (depth != NULL && strcmp(depth, "0") == 0)
		return "all";
	snprintf(buf, n, "%s%s", depth != NULL && strcmp(depth, "1") != 0 ? "  " : "",
		 dash(store_status_value(rows, r, 0)));
	return buf;
}

/* Progress columns: each (form, contest) in the order of the first area. */
struct progress_cols {
	int n;
	char key[TABLE_MAX_COLS - 1][80];
};

static int progress_col(struct progress_cols *pc, const char *form, const char *contest, bool add)
{
	char key[80];

	snprintf(key, sizeof(key), "%s%s%s", form, contest ? " " : "", contest ? contest : "");
	for (int i = 0; i < pc->n; i++)
		if (strcmp(pc->key[i], key) == 0)
			return i;
	if (!add || pc->n == TABLE_MAX_COLS - 1)
		return -1;
	snprintf(pc->key[pc->n], sizeof(pc->key[0]), "%s", key);
	return pc->n++;
}

/* Count the distinct areas (consecutive rows share an area). */
static int count_areas(const struct store_status_rows *rows)
{
	int n = 0;

	for (int r = 0; r < store_status_nrows(rows); r++)
		if (r == 0 ||
		    strcmp(dash(store_status_value(rows, r, 0)),
			   dash(store_status_value(rows, r - 1, 0))) != 0 ||
		    strcmp(dash(store_status_value(rows, r, 1)),
			   dash(store_status_value(rows, r - 1, 1))) != 0)
			n++;
	return n;
}

static bool progress_fill(struct table *t, struct progress_cols *pc,
			  const struct store_status_rows *rows)
{
	char lbuf[CELL_MAX];
	int row = 0;

	for (int r = 0; r < store_status_nrows(rows); r++) {
		const char *area = area_label(rows, r, lbuf, sizeof(lbuf));
		int col = progress_col(pc, store_status_value(rows, r, 3),
				       store_status_value(rows, r, 4), false);

		if (r == 0 || strcmp(area, table_get(t, row, 0)) != 0) {
			if (++row > t->nrows)
				return false;
			if (!table_set(t, row, 0, "%s", area))
				return false;
		}
		if (col >= 0 &&
		    !table_set(t, row, col + 1, "%s/%s %s%%", dash(store_status_value(rows, r, 5)),
			       dash(store_status_value(rows, r, 6)),
			       dash(store_status_value(rows, r, 7))))
			return false;
	}
	return true;
}

static bool section_progress(struct status_ctx *c)
{
	const struct store_status_rows *rows = c->progress;
	struct progress_cols pc = { 0 };
	struct table *t = NULL;
	bool ok = false;

	for (int r = 0; r < store_status_nrows(rows); r++)
		(void)progress_col(&pc, store_status_value(rows, r, 3),
				   store_status_value(rows, r, 4), true);
	t = table_new(pc.n + 1, count_areas(rows));
	if (t == NULL || !table_set(t, 0, 0, "area"))
		goto fail;
	for (int i = 0; i < pc.n; i++) {
		t->right[i + 1] = true;
		if (!table_set(t, 0, i + 1, "%s", pc.key[i]))
			goto fail;
	}
	if (!progress_fill(t, &pc, rows))
		goto fail;
	fprintf(c->out, "\nReporting progress (stations reporting / expected)\n");
	table_print(t, c->out);
	ok = true;
fail:
	if (!ok)
		snprintf(c->err, sizeof(c->err), "out of memory");
	table_free(t);
	return ok;
}

static bool turnout_row(struct table *t, int row, const struct store_status_rows *rows, int r)
{
	char lbuf[CELL_MAX], p1[32], p2[32], p3[32];

	return table_set(t, row, 0, "%s", area_label(rows, r, lbuf, sizeof(lbuf))) &&
	       table_set(t, row, 1, "%s/%s", dash(store_status_value(rows, r, 3)),
			 dash(store_status_value(rows, r, 4))) &&
	       table_set(t, row, 2, "%s", dash(store_status_value(rows, r, 5))) &&
	       table_set(t, row, 3, "%s", dash(store_status_value(rows, r, 6))) &&
	       table_set(t, row, 4, "%s", pct(store_status_value(rows, r, 7), p1, sizeof(p1))) &&
	       table_set(t, row, 5, "%s", dash(store_status_value(rows, r, 8))) &&
	       table_set(t, row, 6, "%s", pct(store_status_value(rows, r, 9), p2, sizeof(p2))) &&
	       table_set(t, row, 7, "%s", pct(store_status_value(rows, r, 10), p3, sizeof(p3)));
}

static bool section_turnout(struct status_ctx *c)
{
	static const char *const head[] = { "area",    "stations", "registered",  "voters",
					    "turnout", "women",    "women share", "women turnout" };
	const struct store_status_rows *rows = c->turnout;
	struct table *t = NULL;
	bool ok = false;
	int n = store_status_nrows(rows);

	t = table_new(8, n);
	if (t == NULL)
		goto fail;
	for (int i = 0; i < 8; i++) {
		t->right[i] = i > 0;
		if (!table_set(t, 0, i, "%s", head[i]))
			goto fail;
	}
	for (int r = 0; r < n; r++)
		if (!turnout_row(t, r + 1, rows, r))
			goto fail;
	fprintf(c->out,
		"\nTurnout (close report, else latest turnout report; "
		"rates over the stations reporting)\n");
	table_print(t, c->out);
	ok = true;
fail:
	if (!ok)
		snprintf(c->err, sizeof(c->err), "out of memory");
	table_free(t);
	return ok;
}

/* Print the rows [from, to) of one contest. */
static bool results_contest(struct status_ctx *c, const struct store_status_rows *rows, int from,
			    int to)
{
	struct table *t = table_new(4, to - from);
	char p[32];
	bool ok = t != NULL;

	fprintf(c->out, "  %s %s: %s/%s stations reporting\n",
		dash(store_status_value(rows, from, 0)), dash(store_status_value(rows, from, 1)),
		dash(store_status_value(rows, from, 7)), dash(store_status_value(rows, from, 8)));
	for (int r = from; ok && r < to; r++) {
		const char *share = store_status_value(rows, r, 6);

		ok = table_set(t, r - from + 1, 0, "%s",
			       store_status_value(rows, r, 3) ? store_status_value(rows, r, 3)
							      : "") &&
		     table_set(t, r - from + 1, 1, "%s", dash(store_status_value(rows, r, 4))) &&
		     table_set(t, r - from + 1, 2, "%s", dash(store_status_value(rows, r, 5))) &&
		     table_set(t, r - from + 1, 3, "%s", share ? pct(share, p, sizeof(p)) : "");
	}
	if (ok) {
		t->right[0] = t->right[2] = t->right[3] = true;
		ok = table_set(t, 0, 0, "#") && table_set(t, 0, 1, "candidate") &&
		     table_set(t, 0, 2, "votes") && table_set(t, 0, 3, "share");
	}
	if (ok)
		table_print(t, c->out);
	else
		snprintf(c->err, sizeof(c->err), "out of memory");
	table_free(t);
	return ok;
}

static bool section_results(struct status_ctx *c)
{
	struct store_status_rows *rows = fetch(c, STORE_STATUS_RESULTS);
	int n = store_status_nrows(rows), from = 0;
	bool ok = true;

	if (rows == NULL)
		return false;
	if (n > 0)
		fprintf(c->out, "\nResults (share of valid votes)\n");
	for (int r = 1; ok && r <= n; r++) {
		if (r < n && strcmp(dash(store_status_value(rows, r, 0)),
				    dash(store_status_value(rows, from, 0))) == 0)
			continue;
		ok = results_contest(c, rows, from, r);
		from = r;
	}
	store_status_rows_free(rows);
	return ok;
}

/*
 * Print "N (a 1, b 2)" for the rows whose column key (if key >= 0) equals
 * want, naming column name and counting column count; "none" when there
 * are no such rows.
 */
static void print_counts(FILE *out, const struct store_status_rows *rows, int key, const char *want,
			 int name, int count)
{
	long total = 0;
	int shown = 0;

	for (int r = 0; r < store_status_nrows(rows); r++)
		if (key < 0 || strcmp(dash(store_status_value(rows, r, key)), want) == 0)
			total += strtol(dash(store_status_value(rows, r, count)), NULL, 10);
	if (total == 0) {
		fputs("none\n", out);
		return;
	}
	fprintf(out, "%ld (", total);
	for (int r = 0; r < store_status_nrows(rows); r++) {
		if (key >= 0 && strcmp(dash(store_status_value(rows, r, key)), want) != 0)
			continue;
		fprintf(out, "%s%s %s", shown++ ? ", " : "",
			dash(store_status_value(rows, r, name)),
			dash(store_status_value(rows, r, count)));
	}
	fputs(")\n", out);
}

static bool print_count_line(struct status_ctx *c, const char *label, enum store_status_query q)
{
	struct store_status_rows *rows = fetch(c, q);

	if (rows == NULL)
		return false;
	fprintf(c->out, "%s: ", label);
	print_counts(c->out, rows, -1, NULL, 0, 1);
	store_status_rows_free(rows);
	return true;
}

/* The open alerts, newest first, and who dispatches them. */
static bool section_alerts(struct status_ctx *c)
{
	static const char *const head[] = { "alert", "time",    "severity", "rule", "station",
					    "area",  "sent to", "sent",     "held", "escalations" };
	struct store_status_rows *rows = fetch(c, STORE_STATUS_ALERT_DISPATCHER);
	struct table *t = NULL;
	bool ok = false;
	int n;

	if (rows == NULL)
		return false;
	if (store_status_nrows(rows) > 0)
		fprintf(c->out, "Alerts dispatched by %s, last tick %s (%s ticks)\n",
			dash(store_status_value(rows, 0, 0)), dash(store_status_value(rows, 0, 1)),
			dash(store_status_value(rows, 0, 2)));
	store_status_rows_free(rows);
	rows = fetch(c, STORE_STATUS_ALERTS);
	if (rows == NULL)
		return false;
	n = store_status_nrows(rows);
	if (n == 0) {
		ok = true;
		goto done;
	}
	t = table_new(10, n);
	for (int i = 0; t != NULL && i < 10; i++) {
		t->right[i] = i == 0 || i >= 6;
		if (!table_set(t, 0, i, "%s", head[i]))
			goto done;
	}
	for (int r = 0; t != NULL && r < n; r++)
		for (int i = 0; i < 10; i++)
			if (!table_set(t, r + 1, i, "%s", dash(store_status_value(rows, r, i))))
				goto done;
	if (t != NULL) {
		table_print(t, c->out);
		ok = true;
	}
done:
	if (!ok)
		snprintf(c->err, sizeof(c->err), "out of memory");
	table_free(t);
	store_status_rows_free(rows);
	return ok;
}

static bool section_incidents(struct status_ctx *c)
{
	struct store_status_rows *rows;
	char buf[CELL_MAX];

	fputc('\n', c->out);
	if (!print_count_line(c, "Open incidents", STORE_STATUS_INCIDENT_COUNTS))
		return false;
	rows = fetch(c, STORE_STATUS_INCIDENTS);
	if (rows == NULL)
		return false;
	for (int r = 0; r < store_status_nrows(rows); r++) {
		const char *text = store_status_value(rows, r, 5);

		fprintf(c->out, "  #%s %s station %s %s: %s%s%s\n",
			dash(store_status_value(rows, r, 0)), dash(store_status_value(rows, r, 1)),
			dash(store_status_value(rows, r, 2)), dash(store_status_value(rows, r, 3)),
			dash(store_status_value(rows, r, 4)), text && text[0] ? " - " : "",
			text ? shorten(text, TEXT_SHOWN_MAX, buf, sizeof(buf)) : "");
	}
	store_status_rows_free(rows);
	return print_count_line(c, "Open alerts", STORE_STATUS_ALERT_COUNTS) && section_alerts(c);
}

/* The stations listed for source ("turnout", "close") in CONFLICT_STATIONS. */
static const char *conflict_stations(const struct store_status_rows *st, const char *form)
{
	for (int r = 0; r < store_status_nrows(st); r++)
		if (strcmp(dash(store_status_value(st, r, 0)), form) == 0)
			return store_status_value(st, r, 1);
	return NULL;
}

/* "close 2 (station 201 501), results MUN 1" from the election's progress rows. */
static bool section_conflicts(struct status_ctx *c)
{
	struct store_status_rows *st = fetch(c, STORE_STATUS_CONFLICT_STATIONS);
	const struct store_status_rows *p = c->progress;
	int shown = 0;

	if (st == NULL)
		return false;
	fputs("Conflicting reports: ", c->out);
	for (int r = 0; r < store_status_nrows(p); r++) {
		const char *form = dash(store_status_value(p, r, 3));
		const char *contest = store_status_value(p, r, 4);
		const char *n = dash(store_status_value(p, r, 8));
		const char *stations = conflict_stations(st, form);

		if (strcmp(dash(store_status_value(p, r, 1)), "0") != 0 || strcmp(n, "0") == 0)
			continue;
		fprintf(c->out, "%s%s%s%s %s", shown++ ? ", " : "", form, contest ? " " : "",
			contest ? contest : "", n);
		if (stations != NULL)
			fprintf(c->out, " (station %s)", stations);
	}
	fputs(shown == 0 ? "none\n" : "\n", c->out);
	store_status_rows_free(st);
	return true;
}

static bool section_checks(struct status_ctx *c)
{
	struct store_status_rows *rows = fetch(c, STORE_STATUS_CHECKS);

	if (rows == NULL)
		return false;
	fputs("Flagged reports: ", c->out);
	print_counts(c->out, rows, 0, "flag", 1, 2);
	if (!section_conflicts(c)) {
		store_status_rows_free(rows);
		return false;
	}
	fputs("Message errors: ", c->out);
	print_counts(c->out, rows, 0, "error", 1, 2);
	fputs("Not answered: ", c->out);
	print_counts(c->out, rows, 0, "no_reply", 1, 2);
	fputs("Not processed (sawt reprocess): ", c->out);
	print_counts(c->out, rows, 0, "unprocessed", 1, 2);
	store_status_rows_free(rows);
	return true;
}

static bool modem_row(struct table *t, int row, const struct store_status_rows *rows, int r)
{
	const char *node = store_status_value(rows, r, 1);
	const char *sig = store_status_value(rows, r, 3);
	char p[32];

	return table_set(t, row, 0, "%s%s%s", node && node[0] ? node : "",
			 node && node[0] ? "/" : "", dash(store_status_value(rows, r, 0))) &&
	       table_set(t, row, 1, "%s", dash(store_status_value(rows, r, 2))) &&
	       table_set(t, row, 2, "%s", sig ? pct(sig, p, sizeof(p)) : "-") &&
	       table_set(t, row, 3, "%s", dash(store_status_value(rows, r, 4))) &&
	       table_set(t, row, 4, "%s", dash(store_status_value(rows, r, 5))) &&
	       table_set(t, row, 5, "%s", dash(store_status_value(rows, r, 6))) &&
	       table_set(t, row, 6, "%s", dash(store_status_value(rows, r, 7))) &&
	       table_set(t, row, 7, "%s", dash(store_status_value(rows, r, 8))) &&
	       table_set(t, row, 8, "%s", dash(store_status_value(rows, r, 11))) &&
	       table_set(t, row, 9, "%s", dash(store_status_value(rows, r, 9))) &&
	       table_set(t, row, 10, "%s", dash(store_status_value(rows, r, 10)));
}

/* "300.0 kB" for a byte count given as text; "-" when unknown. */
static const char *bytes_text(const char *v, char *buf, size_t n)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double b;
	int u = 0;

	if (v == NULL)
		return "-";
	b = strtod(v, NULL);
	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f B", b);
	else
		snprintf(buf, n, "%.1f %s", b, units[u]);
	return buf;
}

/*
 * One line per sawtd node: its spool (messages waiting for the database,
 * free space) and the messages held on its modems because they could not
 * be made durable.
 */
static bool section_nodes(struct status_ctx *c)
{
	struct store_status_rows *rows = fetch(c, STORE_STATUS_NODES);
	char f[32], t[32];

	if (rows == NULL)
		return false;
	for (int r = 0; r < store_status_nrows(rows); r++) {
		const char *low = store_status_value(rows, r, 4);
		const char *refusing = store_status_value(rows, r, 5);

		fprintf(c->out,
			"Node %s at %s: spool: %s messages, %s free of %s%s; held on modems: %s%s\n",
			dash(store_status_value(rows, r, 0)), dash(store_status_value(rows, r, 7)),
			dash(store_status_value(rows, r, 1)),
			bytes_text(store_status_value(rows, r, 2), f, sizeof(f)),
			bytes_text(store_status_value(rows, r, 3), t, sizeof(t)),
			low && strcmp(low, "t") == 0 ? " (LOW: see the operator's guide)" : "",
			dash(store_status_value(rows, r, 6)),
			refusing && strcmp(refusing, "t") == 0
				? " (messages refused: neither stored nor spooled)"
				: "");
	}
	store_status_rows_free(rows);
	return true;
}

static bool section_modems(struct status_ctx *c)
{
	static const char *const head[] = { "modem", "state",     "signal",    "operator",
					    "sent",  "received",  "failures",  "restarts",
					    "held",  "last seen", "last error" };
	struct store_status_rows *rows = fetch(c, STORE_STATUS_MODEMS);
	int n = store_status_nrows(rows);
	struct table *t = NULL;
	bool ok = false;

	if (rows == NULL)
		return false;
	if (n == 0) {
		ok = true;
		goto done;
	}
	t = table_new(11, n);
	for (int i = 0; t != NULL && i < 11; i++) {
		t->right[i] = i == 2 || (i >= 4 && i <= 8);
		if (!table_set(t, 0, i, "%s", head[i]))
			goto done;
	}
	for (int r = 0; t != NULL && r < n; r++)
		if (!modem_row(t, r + 1, rows, r))
			goto done;
	if (t != NULL) {
		fprintf(c->out, "\nModems\n");
		table_print(t, c->out);
		ok = true;
	}
done:
	if (!ok)
		snprintf(c->err, sizeof(c->err), "out of memory");
	table_free(t);
	store_status_rows_free(rows);
	return ok;
}

static bool section_header(struct status_ctx *c)
{
	struct store_status_rows *rows = fetch(c, STORE_STATUS_NOW);

	if (rows == NULL)
		return false;
	fprintf(c->out, "Election \"%s\" at %s\n", c->election,
		dash(store_status_value(rows, 0, 0)));
	store_status_rows_free(rows);
	return true;
}

/* Fetch the figures the sections share; false when the election is unknown. */
static bool fetch_common(struct status_ctx *c)
{
	c->turnout = fetch(c, STORE_STATUS_TURNOUT);
	if (c->turnout == NULL)
		return false;
	if (store_status_nrows(c->turnout) == 0) {
		snprintf(c->err, sizeof(c->err),
			 "election \"%s\" not found: import its registry with \"sawt import\", "
			 "or choose another with -e NAME",
			 c->election);
		return false;
	}
	c->progress = fetch(c, STORE_STATUS_PROGRESS);
	return c->progress != NULL;
}

/* "Checklists": each form's coverage, the questions with the most
 * "problem" answers and the logic checks holding, with their stations. */
static bool section_checklists(struct status_ctx *c)
{
	struct store_status_rows *rows = fetch(c, STORE_STATUS_CHECKLISTS);

	if (rows == NULL)
		return false;
	if (store_status_nrows(rows) > 0)
		fprintf(c->out, "\nChecklists (stations reporting / all)\n");
	for (int r = 0; r < store_status_nrows(rows); r++) {
		const char *prob = store_status_value(rows, r, 4);
		const char *held = store_status_value(rows, r, 5);

		fprintf(c->out, "  %s v%s: %s/%s%s%s\n", dash(store_status_value(rows, r, 0)),
			dash(store_status_value(rows, r, 1)), dash(store_status_value(rows, r, 2)),
			dash(store_status_value(rows, r, 3)), prob ? "; most problems: " : "",
			prob ? prob : "");
		if (held != NULL)
			fprintf(c->out, "    checks holding: %s\n", held);
	}
	store_status_rows_free(rows);
	return true;
}

/* "Review queue": reports waiting for a coordinator, by region. */
static bool section_review(struct status_ctx *c)
{
	struct store_status_rows *rows = fetch(c, STORE_STATUS_REVIEW);
	struct table *t;
	int n;

	if (rows == NULL)
		return false;
	n = store_status_nrows(rows);
	if (n == 0) {
		fprintf(c->out, "Review queue: none\n");
		store_status_rows_free(rows);
		return true;
	}
	fprintf(c->out, "Review queue (sawt review list)\n");
	t = table_new(4, n);
	if (t == NULL) {
		store_status_rows_free(rows);
		snprintf(c->err, sizeof(c->err), "out of memory");
		return false;
	}
	(void)(table_set(t, 0, 0, "region") && table_set(t, 0, 1, "needs review") &&
	       table_set(t, 0, 2, "quarantined") && table_set(t, 0, 3, "oldest waiting"));
	for (int r = 0; r < n; r++)
		for (int k = 0; k < 4; k++)
			(void)table_set(t, r + 1, k, "%s", dash(store_status_value(rows, r, k)));
	table_print(t, c->out);
	table_free(t);
	store_status_rows_free(rows);
	return true;
}

static int status_usage(void)
{
	fprintf(stderr,
		"usage: sawt status [-e NAME] [--districts]\n"
		"  -e, --election NAME  the election (default: [election] name, else \"%s\")\n"
		"  --districts          list districts under their regions\n",
		CONFIG_DEFAULT_ELECTION);
	return 2;
}

/* Parse the arguments into c; returns 0, or the usage exit status. */
static int parse_args(struct status_ctx *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-e") == 0 || strcmp(argv[i], "--election") == 0) &&
		    i + 1 < argc && argv[i + 1][0] != '\0')
			c->election = argv[++i];
		else if (strcmp(argv[i], "--districts") == 0)
			c->depth = 2;
		else
			return status_usage();
	}
	return 0;
}

int cmd_status(int argc, char **argv, const struct config *cfg)
{
	struct status_ctx c = {
		.election = config_election(cfg),
		.depth = 1,
		.out = stdout,
	};
	char *conninfo;
	int rc = parse_args(&c, argc, argv);

	if (rc != 0)
		return rc;
	conninfo = db_conninfo(cfg);
	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return 1;
	}
	c.st = store_status_new(conninfo, cfg->timezone, c.err, sizeof(c.err));
	free(conninfo);
	rc = 1;
	if (c.st != NULL && fetch_common(&c) && section_header(&c) && section_progress(&c) &&
	    section_turnout(&c) && section_results(&c) && section_incidents(&c) &&
	    section_checklists(&c) && section_checks(&c) && section_review(&c) &&
	    section_modems(&c) && section_nodes(&c))
		rc = 0;
	fflush(stdout);
	if (rc != 0)
		fprintf(stderr, "sawt: %s\n", c.err);
	store_status_rows_free(c.progress);
	store_status_rows_free(c.turnout);
	store_status_free(c.st);
	return rc;
}
