/*
 * web_csv.c - the page's JSON answers as CSV; see web_csv.h.
 */
#include "web_csv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "strbuf.h"
#include "util.h"

#define COLS_MAX 128
#define COL_NAME_MAX 96

/* The columns: names in the order first met. */
struct cols {
	char name[COLS_MAX][COL_NAME_MAX];
	size_t n;
	bool too_many;
};

/* The index of name (prefix "." key, or key), added when new; -1 when full. */
static int col_index(struct cols *c, const char *prefix, const char *key)
{
	char name[COL_NAME_MAX];

	snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return (int)i;
	if (c->n >= COLS_MAX) {
		c->too_many = true;
		return -1;
	}
	memcpy(c->name[c->n], name, sizeof(name));
	return (int)c->n++;
}

static bool is_object_array(const json_t *v)
{
	return json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0));
}

/* The member of row that expands into lines: its first array of
 * objects, else its first empty array (no line of its own). */
static const char *nested_key(json_t *row)
{
	const char *key, *empty = NULL;
	json_t *v;

	json_object_foreach(row, key, v)
	{
		if (is_object_array(v))
			return key;
		if (empty == NULL && json_is_array(v) && json_array_size(v) == 0)
			empty = key;
	}
	return empty;
}

/* The cells of one line: a value per column (borrowed), NULL when empty. */
struct line {
	json_t *cell[COLS_MAX];
};

static void put(struct cols *c, struct line *ln, const char *prefix, json_t *obj, const char *skip)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		int i;

		if (skip != NULL && strcmp(key, skip) == 0)
			continue;
		i = col_index(c, prefix, key);
		if (i >= 0 && ln != NULL)
			ln->cell[i] = v;
	}
}

/* Append one cell: text guarded against formulas, the rest as JSON. */
static void cell(struct strbuf *sb, json_t *v)
{
	char *text;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if (n > 0 && strchr("=+-@\t\r", s[0]) != NULL) {
			struct strbuf g;
			char *tmp = malloc(n + 2);

			if (tmp == NULL) {
				sb->overflow = true;
				return;
			}
			strbuf_init(&g, tmp, n + 2);
			strbuf_puts(&g, "'");
			strbuf_append(&g, s, n);
			csv_put_field(sb, tmp, g.len);
			free(tmp);
			return;
		}
		csv_put_field(sb, s, n);
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (text == NULL) {
		sb->overflow = true;
		return;
	}
	csv_put_field(sb, text, strlen(text));
	free(text);
}

static void end_line(struct strbuf *sb, const struct cols *c, const struct line *ln)
{
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0)
			strbuf_puts(sb, ",");
		cell(sb, ln->cell[i]);
	}
	strbuf_puts(sb, "\r\n");
}

/*
 * Walk the rows: collect the columns (sb NULL), or write the lines with
 * the columns known.  top: the top object's own columns, or NULL.
 */
static void walk(struct cols *c, struct strbuf *sb, json_t *rows, json_t *top, const char *member)
{
	size_t i;
	json_t *row;
	struct line *ln = sb != NULL ? malloc(sizeof(*ln)) : NULL;

	if (sb != NULL && ln == NULL) {
		sb->overflow = true;
		return;
	}
	json_array_foreach(rows, i, row)
	{
		const char *nk = json_is_object(row) ? nested_key(row) : NULL;
		json_t *sub = nk != NULL ? json_object_get(row, nk) : NULL;
		size_t k, n = sub != NULL ? json_array_size(sub) : 0;

		if (!json_is_object(row))
			continue;
		for (k = 0; k == 0 || k < n; k++) {
			json_t *el = sub != NULL ? json_array_get(sub, k) : NULL;

			if (ln != NULL)
				memset(ln, 0, sizeof(*ln));
			if (top != NULL)
				put(c, ln, NULL, top, member);
			put(c, ln, NULL, row, nk);
			if (json_is_object(el))
				put(c, ln, nk, el, NULL);
			if (ln != NULL)
				end_line(sb, c, ln);
		}
	}
	free(ln);
}

/* Drop the top object's members that are arrays or objects. */
static json_t *top_columns(json_t *root)
{
	json_t *t = json_object();
	const char *key;
	json_t *v;

	if (t == NULL)
		return NULL;
	json_object_foreach(root, key, v)
	{
		if (!json_is_array(v) && !json_is_object(v) && json_object_set(t, key, v) != 0) {
			json_decref(t);
			return NULL;
		}
	}
	return t;
}

/* The rows of root (borrowed), and *top the top's columns (new ref). */
static json_t *rows_of(json_t *root, const char *member, json_t **top, const char **used)
{
	const char *key;
	json_t *v;

	*top = NULL;
	*used = NULL;
	if (json_is_array(root))
		return root;
	if (!json_is_object(root))
		return NULL;
	json_object_foreach(root, key, v)
	{
		if (member != NULL ? strcmp(key, member) == 0 && json_is_array(v)
				   : is_object_array(v)) {
			*top = top_columns(root);
			*used = key;
			return *top != NULL ? v : NULL;
		}
	}
	return NULL;
}

/* Write the header and every line into a buffer of cap bytes. */
static char *render(struct cols *c, json_t *rows, json_t *top, const char *member, size_t cap,
		    size_t *out_len, bool *overflow)
{
	char *buf = malloc(cap);
	struct strbuf sb;

	if (buf == NULL)
		return NULL;
	strbuf_init(&sb, buf, cap);
	strbuf_puts(&sb, "\xef\xbb\xbf");
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0)
			strbuf_puts(&sb, ",");
		csv_put_field(&sb, c->name[i], strlen(c->name[i]));
	}
	strbuf_puts(&sb, "\r\n");
	walk(c, &sb, rows, top, member);
	*overflow = sb.overflow;
	if (sb.overflow) {
		free(buf);
		return NULL;
	}
	*out_len = sb.len;
	return buf;
}

char *web_csv_from_json(const char *json, size_t len, const char *member, size_t *out_len,
			char *err, size_t cap)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_DECODE_ANY, &jerr), *rows, *top = NULL;
	const char *used = NULL;
	struct cols *c = calloc(1, sizeof(*c));
	char *out = NULL;
	bool overflow = true;

	if (root == NULL) {
		util_seterr(err, cap, "not JSON: %s", jerr.text);
		goto done;
	}
	if (c == NULL) {
		util_seterr(err, cap, "out of memory");
		goto done;
	}
	rows = rows_of(root, member, &top, &used);
	if (rows == NULL) {
		util_seterr(err, cap, "no rows in the answer");
		goto done;
	}
	walk(c, NULL, rows, top, used);
	if (c->too_many) {
		util_seterr(err, cap, "more than %d columns", COLS_MAX);
		goto done;
	}
	for (size_t sz = 2 * len + 4096; overflow && sz <= 2 * (size_t)WEB_CSV_MAX; sz *= 2) {
		out = render(c, rows, top, used, sz > WEB_CSV_MAX ? WEB_CSV_MAX : sz, out_len,
			     &overflow);
		if (out == NULL && !overflow) {
			util_seterr(err, cap, "out of memory");
			goto done;
		}
		if (sz >= WEB_CSV_MAX)
			break;
	}
	if (out == NULL)
		util_seterr(err, cap, "the CSV is over %u bytes", WEB_CSV_MAX);
done:
	json_decref(top);
	json_decref(root);
	free(c);
	return out;
}
