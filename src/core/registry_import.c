/*
 * registry_import.c - validate registry CSV files into typed rows; see
 * registry_import.h.
 */
#include "registry_import.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "array.h"
#include "csv.h"
#include "parse.h"
#include "pin.h"
#include "util.h"

#define REC_BUF_SIZE (64 * 1024)
#define REC_MAX_FIELDS 256
#define ARENA_BLOCK (64 * 1024)
#define MAX_COLS 8
#define MAX_POSITION 999
#define QUOTE_MAX 48

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct reg_error {
	unsigned line;
	char *msg;
};

struct registry_import {
	enum registry_kind kind;
	const struct kind_spec *spec;
	char *country_code;
	char *pseudonym_secret;
	int pin_iterations;

	struct arena_block *arena;
	struct reg_error *errors;
	size_t n_errors;
	size_t cap_errors;
	void *rows;
	size_t n_rows;
	size_t cap_rows;
	bool oom;
	bool checkable;  /* only rows were refused: the good ones can be checked */
	bool csv_errors; /* a record the CSV reader refused */

	int col[MAX_COLS]; /* CSV field index of each spec column, or -1 */
	size_t header_fields;
	unsigned header_line;
};

/* The line being validated. */
struct row_ctx {
	struct registry_import *imp;
	struct csv_record *rec;
	unsigned line;
	bool bad;
};

struct column_spec {
	const char *name;
	bool required;
	bool list; /* '|'-separated; no length limit */
};

struct kind_spec {
	const char *name;
	const struct column_spec *cols;
	size_t n_cols;
	size_t row_size;
	void (*row)(struct row_ctx *c);
	void (*finish)(struct registry_import *imp);
};

/* ---- memory --------------------------------------------------------- */

static void *arena_alloc(struct registry_import *imp, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	struct arena_block *b = imp->arena;
	void *p;

	n = (n + align - 1) & ~(align - 1);
	if (b == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = malloc(sizeof(*b) + size);
		if (b == NULL) {
			imp->oom = true;
			return NULL;
		}
		b->next = imp->arena;
		b->used = 0;
		b->size = size;
		imp->arena = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static char *arena_strdup(struct registry_import *imp, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(imp, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* s, or NULL when s is empty (optional values). */
static const char *arena_optional(struct registry_import *imp, const char *s)
{
	return s[0] == '\0' ? NULL : arena_strdup(imp, s);
}

static void *append_row(struct registry_import *imp)
{
	size_t size = imp->spec->row_size;
	char *slot;

	if (!array_grow(&imp->rows, &imp->cap_rows, imp->n_rows + 1, size)) {
		imp->oom = true;
		return NULL;
	}
	slot = (char *)imp->rows + imp->n_rows++ * size;
	memset(slot, 0, size);
	return slot;
}

/* ---- errors --------------------------------------------------------- */

static bool add_errorv(struct registry_import *imp, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static bool add_errorv(struct registry_import *imp, unsigned line, const char *fmt, va_list ap)
{
	char reason[512], msg[600];
	size_t pos;

	vsnprintf(reason, sizeof(reason), fmt, ap);
	if (line > 0)
		snprintf(msg, sizeof(msg), "line %u: %s", line, reason);
	else
		snprintf(msg, sizeof(msg), "%s", reason);
	if (!array_grow(&imp->errors, &imp->cap_errors, imp->n_errors + 1, sizeof(*imp->errors)))
		goto oom;
	/* keep the list ordered by line, stable for equal lines */
	pos = imp->n_errors;
	while (pos > 0 && imp->errors[pos - 1].line > line)
		pos--;
	memmove(&imp->errors[pos + 1], &imp->errors[pos],
		(imp->n_errors - pos) * sizeof(imp->errors[0]));
	imp->errors[pos].line = line;
	imp->errors[pos].msg = arena_strdup(imp, msg);
	imp->n_errors++;
	if (imp->errors[pos].msg == NULL)
		goto oom;
	return true;
oom:
	imp->oom = true;
	return false;
}

bool registry_import_add_error(struct registry_import *imp, unsigned line, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = add_errorv(imp, line, fmt, ap);
	va_end(ap);
	return ok;
}

/* Record an error; running out of memory is remembered in imp->oom. */
static void file_error(struct registry_import *imp, unsigned line, const char *fmt, ...)
	SAWT_PRINTF(3, 4);

static void file_error(struct registry_import *imp, unsigned line, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = add_errorv(imp, line, fmt, ap);
	va_end(ap);
	imp->oom |= !ok;
}

static void row_error(struct row_ctx *c, const char *fmt, ...) SAWT_PRINTF(2, 3);

static void row_error(struct row_ctx *c, const char *fmt, ...)
{
	va_list ap;

	c->bad = true;
	va_start(ap, fmt);
	if (!add_errorv(c->imp, c->line, fmt, ap))
		c->imp->oom = true;
	va_end(ap);
}

/* Write s in quotes into buf for a message, cut at QUOTE_MAX bytes. */
static const char *quote(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s);
	bool cut = len > QUOTE_MAX;

	if (cut) {
		len = QUOTE_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--; /* not inside a UTF-8 sequence */
	}
	snprintf(buf, n, "\"%.*s%s\"", (int)len, s, cut ? "..." : "");
	return buf;
}

/* ---- text ----------------------------------------------------------- */

enum text_status {
	TEXT_OK,
	TEXT_BAD_UTF8,
	TEXT_CONTROL
};

/* Length of a valid UTF-8 sequence at u, 0 if invalid. */
static size_t utf8_len(const unsigned char *u)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		n = 2;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		n = 3;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (u[0] == 0xE0)
		lo = 0xA0;
	else if (u[0] == 0xED)
		hi = 0x9F; /* no surrogates */
	else if (u[0] == 0xF0)
		lo = 0x90;
	else if (u[0] == 0xF4)
		hi = 0x8F;
	if (u[1] < lo || u[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((u[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static enum text_status text_check(const char *s, size_t *nchars)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	*nchars = 0;
	while (*u != '\0') {
		n = utf8_len(u);
		if (n == 0)
			return TEXT_BAD_UTF8;
		if ((n == 1 && (u[0] < 0x20 || u[0] == 0x7F)) ||
		    (n == 2 && u[0] == 0xC2 && u[1] < 0xA0))
			return TEXT_CONTROL;
		u += n;
		(*nchars)++;
	}
	return TEXT_OK;
}

static bool is_blank_byte(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trim spaces, tabs and no-break spaces at both ends, in place. */
static void trim_field(struct csv_field *f)
{
	char *s = f->str;
	size_t n = f->len;

	for (;;) {
		if (n > 0 && is_blank_byte(s[0])) {
			s++;
			n--;
		} else if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) {
			s += 2;
			n -= 2;
		} else {
			break;
		}
	}
	for (;;) {
		if (n > 0 && is_blank_byte(s[n - 1]))
			n--;
		else if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 &&
			 (unsigned char)s[n - 1] == 0xA0)
			n -= 2;
		else
			break;
	}
	s[n] = '\0';
	f->str = s;
	f->len = n;
}

/*
 * Copy the digits of s (any script phone_digit() knows) into out as ASCII.
 * False when s is empty, has anything else or more than outsize - 1 digits.
 */
static bool ascii_digits(const char *s, char *out, size_t outsize)
{
	size_t len = strlen(s), i = 0, n = 0, adv = 0;
	int d;

	while (i < len) {
		d = phone_digit(s + i, len - i, &adv);
		if (d < 0 || n + 1 >= outsize)
			return false;
		out[n++] = (char)('0' + d);
		i += adv;
	}
	out[n] = '\0';
	return n > 0;
}

/* Parse a whole number of at most max_digits digits (max 9). */
static bool parse_count(const char *s, int max_digits, int *out)
{
	char digits[10];
	long v = 0;

	if (max_digits > 9 || !ascii_digits(s, digits, (size_t)max_digits + 1))
		return false;
	for (const char *p = digits; *p != '\0'; p++)
		v = v * 10 + (*p - '0');
	*out = (int)v;
	return true;
}

/*
 * A contest code as observers type it after the station in a results
 * message: letters (Latin or Arabic) and digits, starting with a letter,
 * at most PARSE_CONTEST_MAX bytes once normalised.  The code is read by
 * the message parser itself, so out (PARSE_CONTEST_MAX + 1 bytes) holds
 * exactly what a message naming it will carry (upper case, Arabic
 * normalised), and a code the parser would read as something else (a
 * label such as V, a word with a separator) is refused.
 */
static bool contest_code(const char *s, char *out)
{
	char msg[16 + 4 * PARSE_CONTEST_MAX];
	struct parse_msg m;
	int n;

	if (strlen(s) > 4 * PARSE_CONTEST_MAX)
		return false;
	n = snprintf(msg, sizeof(msg), "R 1 %s 1", s);
	if (n < 0 || (size_t)n >= sizeof(msg) || !parse_message(msg, (size_t)n, LANG_EN, &m) ||
	    m.form != PARSE_FORM_RESULTS || !(m.has & PARSE_HAS_CONTEST) || m.n_counts != 1)
		return false;
	memcpy(out, m.contest, strlen(m.contest) + 1);
	return true;
}

#define CONTEST_CODE_RULE \
	"must be a letter (Latin or Arabic) followed by letters or digits, at most 16 bytes, and not a label such as V"

/* ---- fields --------------------------------------------------------- */

static const char *col_name(const struct row_ctx *c, int col)
{
	return c->imp->spec->cols[col].name;
}

/* The trimmed value of spec column col ("" when absent). */
static const char *field(const struct row_ctx *c, int col)
{
	int idx = c->imp->col[col];

	if (idx < 0 || (size_t)idx >= c->rec->n_fields)
		return "";
	return c->rec->fields[idx].str;
}

/* The value of a required column, or NULL after reporting it empty. */
static const char *required(struct row_ctx *c, int col)
{
	const char *s = field(c, col);

	if (s[0] != '\0')
		return s;
	row_error(c, "column \"%s\" is empty", col_name(c, col));
	return NULL;
}

/* A required whole number in [min, max] of at most max_digits digits. */
static bool required_count(struct row_ctx *c, int col, int max_digits, int min, int max, int *out)
{
	const char *s = required(c, col);
	char q[QUOTE_MAX + 8];

	if (s == NULL)
		return false;
	if (!parse_count(s, max_digits, out) || *out < min || *out > max) {
		row_error(c, "%s %s is not a whole number from %d to %d", col_name(c, col),
			  quote(s, q, sizeof(q)), min, max);
		return false;
	}
	return true;
}

typedef bool (*item_fn)(struct row_ctx *c, int col, const char *item, char *out, size_t outsize);

/*
 * Split column col on '|' into list: items trimmed, empty ones dropped,
 * each passed through check (which may rewrite it into out), duplicates
 * reported.
 */
static void split_list(struct row_ctx *c, int col, item_fn check, struct registry_list *list)
{
	char item[REGISTRY_TEXT_MAX * 4 + 1], q[QUOTE_MAX + 8];
	char *buf = arena_strdup(c->imp, field(c, col));
	char *save = NULL, *tok;
	size_t max;

	list->n = 0;
	list->items = NULL;
	if (buf == NULL)
		return;
	max = 1;
	for (const char *p = buf; *p != '\0'; p++)
		max += *p == '|';
	list->items = arena_alloc(c->imp, max * sizeof(*list->items));
	if (list->items == NULL)
		return;
	for (tok = strtok_r(buf, "|", &save); tok != NULL; tok = strtok_r(NULL, "|", &save)) {
		struct csv_field f = { .str = tok, .len = strlen(tok) };

		trim_field(&f);
		if (f.len == 0 || !check(c, col, f.str, item, sizeof(item)))
			continue;
		for (size_t i = 0; i < list->n; i++) {
			if (strcmp(list->items[i], item) == 0) {
				row_error(c, "%s is listed twice in column \"%s\"",
					  quote(item, q, sizeof(q)), col_name(c, col));
				return;
			}
		}
		if ((list->items[list->n] = arena_strdup(c->imp, item)) == NULL)
			return;
		list->n++;
	}
}

static bool item_station_code(struct row_ctx *c, int col, const char *s, char *out, size_t outsize)
{
	char q[QUOTE_MAX + 8];

	if (outsize > REGISTRY_CODE_MAX + 1)
		outsize = REGISTRY_CODE_MAX + 1;
	if (ascii_digits(s, out, outsize))
		return true;
	row_error(c, "station code %s in column \"%s\" is not a number of 1 to %d digits",
		  quote(s, q, sizeof(q)), col_name(c, col), REGISTRY_CODE_MAX);
	return false;
}

static bool item_contest_code(struct row_ctx *c, int col, const char *s, char *out, size_t outsize)
{
	char q[QUOTE_MAX + 8];

	if (outsize > PARSE_CONTEST_MAX && contest_code(s, out))
		return true;
	row_error(c, "contest code %s in column \"%s\" " CONTEST_CODE_RULE, quote(s, q, sizeof(q)),
		  col_name(c, col));
	return false;
}

static bool item_area(struct row_ctx *c, int col, const char *s, char *out, size_t outsize)
{
	char q[QUOTE_MAX + 8];

	if (strlen(s) < outsize) {
		snprintf(out, outsize, "%s", s);
		return true;
	}
	row_error(c, "area %s in column \"%s\" is too long", quote(s, q, sizeof(q)),
		  col_name(c, col));
	return false;
}

/* ---- stations ------------------------------------------------------- */

enum {
	ST_CODE,
	ST_NAME,
	ST_REGION,
	ST_DISTRICT,
	ST_CENTRE,
	ST_REGISTERED,
	ST_WOMEN,
	ST_CONTESTS,
	ST_NCOLS
};

static const struct column_spec station_cols[ST_NCOLS] = {
	[ST_CODE] = { "code", true, false },
	[ST_NAME] = { "name", true, false },
	[ST_REGION] = { "region", true, false },
	[ST_DISTRICT] = { "district", true, false },
	[ST_CENTRE] = { "centre", false, false },
	[ST_REGISTERED] = { "registered", true, false },
	[ST_WOMEN] = { "registered_women", true, false },
	[ST_CONTESTS] = { "contests", false, true },
};

static void station_row(struct row_ctx *c)
{
	struct registry_station st = { .line = c->line };
	char code[REGISTRY_CODE_MAX + 1], q[QUOTE_MAX + 8];
	const char *s, *name, *region;
	bool have_reg, have_women;

	if ((s = required(c, ST_CODE)) != NULL && !ascii_digits(s, code, sizeof(code)))
		row_error(c, "station code %s is not a number of 1 to %d digits",
			  quote(s, q, sizeof(q)), REGISTRY_CODE_MAX);
	name = required(c, ST_NAME);
	region = required(c, ST_REGION);
	have_reg = required_count(c, ST_REGISTERED, 9, 0, 999999999, &st.registered);
	have_women = required_count(c, ST_WOMEN, 9, 0, 999999999, &st.registered_women);
	if (have_reg && have_women && st.registered_women > st.registered)
		row_error(c, "registered_women %d exceeds registered %d", st.registered_women,
			  st.registered);
	split_list(c, ST_CONTESTS, item_contest_code, &st.contests);
	if (c->bad)
		return;
	st.code = arena_strdup(c->imp, code);
	st.name = arena_strdup(c->imp, name);
	st.region = arena_strdup(c->imp, region);
	st.district = arena_optional(c->imp, field(c, ST_DISTRICT));
	st.centre = arena_optional(c->imp, field(c, ST_CENTRE));
	struct registry_station *row = append_row(c->imp);
	if (row != NULL)
		*row = st;
}

/* ---- duplicates ----------------------------------------------------- */

struct dup_key {
	const char *key;
	unsigned line;
};

static int dup_cmp(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	if (r != 0)
		return r;
	return (x->line > y->line) - (x->line < y->line);
}

/* Report every key of keys (n) seen on an earlier line too. */
static void report_duplicates(struct registry_import *imp, struct dup_key *keys, size_t n,
			      const char *what)
{
	char q[QUOTE_MAX + 8];
	size_t first = 0;

	qsort(keys, n, sizeof(*keys), dup_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(keys[i].key, keys[first].key) != 0) {
			first = i;
			continue;
		}
		file_error(imp, keys[i].line, "duplicate %s %s (first on line %u)", what,
			   quote(keys[i].key, q, sizeof(q)), keys[first].line);
	}
}

static struct dup_key *dup_keys_new(struct registry_import *imp)
{
	struct dup_key *keys = malloc((imp->n_rows ? imp->n_rows : 1) * sizeof(*keys));

	if (keys == NULL)
		imp->oom = true;
	return keys;
}

static void station_finish(struct registry_import *imp)
{
	const struct registry_station *rows = imp->rows;
	struct dup_key *keys = dup_keys_new(imp);

	if (keys == NULL)
		return;
	for (size_t i = 0; i < imp->n_rows; i++)
		keys[i] = (struct dup_key){ rows[i].code, rows[i].line };
	report_duplicates(imp, keys, imp->n_rows, "station code");
	free(keys);
}

/* ---- contests ------------------------------------------------------- */

enum {
	CO_CONTEST,
	CO_NAME,
	CO_POSITION,
	CO_CANDIDATE,
	CO_NCOLS
};

static const struct column_spec contest_cols[CO_NCOLS] = {
	[CO_CONTEST] = { "contest", true, false },
	[CO_NAME] = { "contest_name", true, false },
	[CO_POSITION] = { "position", true, false },
	[CO_CANDIDATE] = { "candidate", true, false },
};

static void candidate_row(struct row_ctx *c)
{
	struct registry_candidate cand = { .line = c->line };
	char q[QUOTE_MAX + 8];
	const char *code, *name, *candidate;
	char upper[PARSE_CONTEST_MAX + 1];

	code = required(c, CO_CONTEST);
	if (code != NULL && !contest_code(code, upper))
		row_error(c, "contest code %s " CONTEST_CODE_RULE, quote(code, q, sizeof(q)));
	name = required(c, CO_NAME);
	(void)required_count(c, CO_POSITION, 3, 1, MAX_POSITION, &cand.position);
	candidate = required(c, CO_CANDIDATE);
	if (c->bad)
		return;
	cand.contest = arena_strdup(c->imp, upper);
	cand.contest_name = arena_strdup(c->imp, name);
	cand.name = arena_strdup(c->imp, candidate);
	struct registry_candidate *row = append_row(c->imp);
	if (row != NULL)
		*row = cand;
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct registry_candidate *x = *(const struct registry_candidate *const *)a;
	const struct registry_candidate *y = *(const struct registry_candidate *const *)b;
	int r = strcmp(x->contest, y->contest);

	if (r != 0)
		return r;
	return (x->line > y->line) - (x->line < y->line);
}

/* Check one contest's rows g[0..n), sorted by line. */
static void check_contest(struct registry_import *imp, const struct registry_candidate *const *g,
			  size_t n)
{
	unsigned seen[MAX_POSITION + 1] = { 0 };
	char q1[QUOTE_MAX + 8], q2[QUOTE_MAX + 8], qc[QUOTE_MAX + 8];
	int top = 0;

	quote(g[0]->contest, qc, sizeof(qc));
	for (size_t i = 0; i < n; i++) {
		int p = g[i]->position;

		if (strcmp(g[i]->contest_name, g[0]->contest_name) != 0)
			file_error(imp, g[i]->line,
				   "contest_name %s of contest %s differs from %s on line %u",
				   quote(g[i]->contest_name, q1, sizeof(q1)), qc,
				   quote(g[0]->contest_name, q2, sizeof(q2)), g[0]->line);
		if (seen[p] != 0)
			file_error(imp, g[i]->line,
				   "duplicate position %d in contest %s (first on line %u)", p, qc,
				   seen[p]);
		else
			seen[p] = g[i]->line;
		if (p > top)
			top = p;
	}
	for (int p = 1; p <= top; p++) {
		if (seen[p] == 0) {
			file_error(
				imp, g[0]->line,
				"contest %s has no candidate at position %d (positions run from 1 to %d without gaps)",
				qc, p, top);
			break;
		}
	}
}

static void candidate_finish(struct registry_import *imp)
{
	const struct registry_candidate *rows = imp->rows;
	const struct registry_candidate **g;
	size_t start = 0;

	g = malloc((imp->n_rows ? imp->n_rows : 1) * sizeof(*g));
	if (g == NULL) {
		imp->oom = true;
		return;
	}
	for (size_t i = 0; i < imp->n_rows; i++)
		g[i] = &rows[i];
	qsort(g, imp->n_rows, sizeof(*g), candidate_cmp);
	for (size_t i = 1; i <= imp->n_rows; i++) {
		if (i < imp->n_rows && strcmp(g[i]->contest, g[start]->contest) == 0)
			continue;
		check_contest(imp, g + start, i - start);
		start = i;
	}
	free(g);
}

/* ---- people --------------------------------------------------------- */

enum {
	PE_PHONE,
	PE_NAME,
	PE_ROLE,
	PE_LANGUAGE,
	PE_STATIONS,
	PE_AREAS,
	PE_PIN,
	PE_NCOLS
};

static const struct column_spec people_cols[PE_NCOLS] = {
	[PE_PHONE] = { "phone", true, false },       [PE_NAME] = { "name", true, false },
	[PE_ROLE] = { "role", true, false },         [PE_LANGUAGE] = { "language", false, false },
	[PE_STATIONS] = { "stations", false, true }, [PE_AREAS] = { "areas", false, true },
	[PE_PIN] = { "pin", false, false },
};

static bool parse_role(const char *s, enum registry_role *out)
{
	static const struct {
		const char *name;
		enum registry_role role;
	} roles[] = {
		{ "observer", REGISTRY_ROLE_OBSERVER },
		{ "observateur", REGISTRY_ROLE_OBSERVER },
		{ "\xd9\x85\xd8\xb1\xd8\xa7\xd9\x82\xd8\xa8", REGISTRY_ROLE_OBSERVER }, /* مراقب */
		{ "coordinator", REGISTRY_ROLE_COORDINATOR },
		{ "coordinateur", REGISTRY_ROLE_COORDINATOR },
		{ "coordonnateur", REGISTRY_ROLE_COORDINATOR },
		{ "\xd9\x85\xd9\x86\xd8\xb3\xd9\x82", REGISTRY_ROLE_COORDINATOR }, /* منسق */
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (strcasecmp(s, roles[i].name) == 0) {
			*out = roles[i].role;
			return true;
		}
	}
	return false;
}

static const char *parse_language(const char *s)
{
	static const char *const langs[] = { "ar", "en", "fr" };

	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (strcasecmp(s, langs[i]) == 0)
			return langs[i];
	return NULL;
}

/* The phone, role and language columns of a person. */
static void person_identity(struct row_ctx *c, struct registry_person *p)
{
	const char *s, *reason = NULL;
	char q[QUOTE_MAX + 8];

	if ((s = required(c, PE_PHONE)) != NULL &&
	    !phone_normalize(s, strlen(s), c->imp->country_code, p->phone, &reason))
		row_error(c, "invalid phone %s: %s", quote(s, q, sizeof(q)), reason);
	if ((s = required(c, PE_ROLE)) != NULL && !parse_role(s, &p->role))
		row_error(c, "unknown role %s: expected observer or coordinator",
			  quote(s, q, sizeof(q)));
	s = field(c, PE_LANGUAGE);
	if (s[0] != '\0' && (p->language = parse_language(s)) == NULL)
		row_error(c, "unknown language %s: expected ar, en or fr", quote(s, q, sizeof(q)));
}

/* Hash the PIN column (the PIN itself never appears in a message). */
static void person_pin(struct row_ctx *c, struct registry_person *p)
{
	char pin[9], hash[PIN_HASH_BUF];
	const char *s = field(c, PE_PIN);

	if (s[0] == '\0')
		return;
	if (!ascii_digits(s, pin, sizeof(pin)) || strlen(pin) < 4) {
		row_error(c, "pin must be 4 to 8 digits");
		return;
	}
	if (c->bad)
		return; /* don't spend time hashing a bad row's PIN */
	if (!pin_hash(pin, c->imp->pin_iterations, hash, sizeof(hash))) {
		row_error(c, "could not hash the pin");
		return;
	}
	p->pin_hash = arena_strdup(c->imp, hash);
	OPENSSL_cleanse(pin, sizeof(pin));
}

static void person_row(struct row_ctx *c)
{
	struct registry_person p = { .line = c->line };
	const char *name;

	person_identity(c, &p);
	name = required(c, PE_NAME);
	split_list(c, PE_STATIONS, item_station_code, &p.stations);
	split_list(c, PE_AREAS, item_area, &p.areas);
	if (!c->bad && p.role == REGISTRY_ROLE_OBSERVER && p.stations.n + p.areas.n == 0)
		row_error(c, "an observer needs at least one station or area");
	person_pin(c, &p);
	if (c->bad)
		return;
	if (!phone_pseudonym(c->imp->pseudonym_secret, p.phone, p.pseudonym)) {
		row_error(c, "could not compute the pseudonym");
		return;
	}
	p.name = arena_strdup(c->imp, name);
	struct registry_person *row = append_row(c->imp);
	if (row != NULL)
		*row = p;
}

static void person_finish(struct registry_import *imp)
{
	const struct registry_person *rows = imp->rows;
	struct dup_key *keys = dup_keys_new(imp);

	if (keys == NULL)
		return;
	for (size_t i = 0; i < imp->n_rows; i++)
		keys[i] = (struct dup_key){ rows[i].phone, rows[i].line };
	report_duplicates(imp, keys, imp->n_rows, "phone");
	free(keys);
}

/* ---- incident codes ------------------------------------------------- */

enum {
	IC_CODE,
	IC_SEVERITY,
	IC_NAME_EN,
	IC_NAME_AR,
	IC_NAME_FR,
	IC_NCOLS
};

static const struct column_spec incident_cols[IC_NCOLS] = {
	[IC_CODE] = { "code", true, false },        [IC_SEVERITY] = { "severity", true, false },
	[IC_NAME_EN] = { "name_en", false, false }, [IC_NAME_AR] = { "name_ar", false, false },
	[IC_NAME_FR] = { "name_fr", false, false },
};

static bool parse_severity(const char *s, enum registry_severity *out)
{
	for (int i = REGISTRY_SEVERITY_INFO; i <= REGISTRY_SEVERITY_CRITICAL; i++) {
		if (strcasecmp(s, registry_severity_name((enum registry_severity)i)) == 0) {
			*out = (enum registry_severity)i;
			return true;
		}
	}
	return false;
}

static void incident_row(struct row_ctx *c)
{
	struct registry_incident_code ic = { .line = c->line };
	char q[QUOTE_MAX + 8];
	const char *s;

	(void)required_count(c, IC_CODE, 4, 1, 9999, &ic.code);
	if ((s = required(c, IC_SEVERITY)) != NULL && !parse_severity(s, &ic.severity))
		row_error(c, "unknown severity %s: expected info, serious or critical",
			  quote(s, q, sizeof(q)));
	if (field(c, IC_NAME_EN)[0] == '\0' && field(c, IC_NAME_AR)[0] == '\0' &&
	    field(c, IC_NAME_FR)[0] == '\0')
		row_error(c, "no name: name_en, name_ar and name_fr are all empty");
	if (c->bad)
		return;
	ic.name_en = arena_optional(c->imp, field(c, IC_NAME_EN));
	ic.name_ar = arena_optional(c->imp, field(c, IC_NAME_AR));
	ic.name_fr = arena_optional(c->imp, field(c, IC_NAME_FR));
	struct registry_incident_code *row = append_row(c->imp);
	if (row != NULL)
		*row = ic;
}

static void incident_finish(struct registry_import *imp)
{
	const struct registry_incident_code *rows = imp->rows;
	struct dup_key *keys = dup_keys_new(imp);
	char *text = malloc((imp->n_rows ? imp->n_rows : 1) * 8);

	if (keys == NULL || text == NULL) {
		imp->oom = true;
		goto done;
	}
	for (size_t i = 0; i < imp->n_rows; i++) {
		snprintf(text + i * 8, 8, "%d", rows[i].code);
		keys[i] = (struct dup_key){ text + i * 8, rows[i].line };
	}
	report_duplicates(imp, keys, imp->n_rows, "incident code");
done:
	free(keys);
	free(text);
}

/* ---- kinds ---------------------------------------------------------- */

static const struct kind_spec kinds[] = {
	[REGISTRY_STATIONS] = { "stations", station_cols, ST_NCOLS, sizeof(struct registry_station),
				station_row, station_finish },
	[REGISTRY_CONTESTS] = { "contests", contest_cols, CO_NCOLS,
				sizeof(struct registry_candidate), candidate_row,
				candidate_finish },
	[REGISTRY_PEOPLE] = { "people", people_cols, PE_NCOLS, sizeof(struct registry_person),
			      person_row, person_finish },
	[REGISTRY_INCIDENT_CODES] = { "incident-codes", incident_cols, IC_NCOLS,
				      sizeof(struct registry_incident_code), incident_row,
				      incident_finish },
};

const char *registry_kind_name(enum registry_kind kind)
{
	if ((size_t)kind >= sizeof(kinds) / sizeof(kinds[0]))
		return "unknown";
	return kinds[kind].name;
}

bool registry_kind_parse(const char *name, enum registry_kind *out)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(name, kinds[i].name) == 0) {
			*out = (enum registry_kind)i;
			return true;
		}
	}
	if (strcmp(name, "incident_codes") == 0) {
		*out = REGISTRY_INCIDENT_CODES;
		return true;
	}
	return false;
}

const char *registry_role_name(enum registry_role role)
{
	return role == REGISTRY_ROLE_COORDINATOR ? "coordinator" : "observer";
}

const char *registry_severity_name(enum registry_severity severity)
{
	switch (severity) {
	case REGISTRY_SEVERITY_INFO: return "info";
	case REGISTRY_SEVERITY_SERIOUS: return "serious";
	case REGISTRY_SEVERITY_CRITICAL: return "critical";
	}
	return "unknown";
}

/* ---- the file ------------------------------------------------------- */

struct registry_import *registry_import_new(enum registry_kind kind,
					    const struct registry_options *opt)
{
	struct registry_import *imp;

	if ((size_t)kind >= sizeof(kinds) / sizeof(kinds[0]))
		return NULL;
	imp = calloc(1, sizeof(*imp));
	if (imp == NULL)
		return NULL;
	imp->kind = kind;
	imp->spec = &kinds[kind];
	imp->pin_iterations = opt != NULL ? opt->pin_iterations : 0;
	if (opt != NULL && opt->country_code != NULL &&
	    (imp->country_code = strdup(opt->country_code)) == NULL)
		goto fail;
	if (opt != NULL && opt->pseudonym_secret != NULL &&
	    (imp->pseudonym_secret = strdup(opt->pseudonym_secret)) == NULL)
		goto fail;
	for (size_t i = 0; i < MAX_COLS; i++)
		imp->col[i] = -1;
	return imp;
fail:
	registry_import_free(imp);
	return NULL;
}

void registry_import_free(struct registry_import *imp)
{
	struct arena_block *b, *next;

	if (imp == NULL)
		return;
	for (b = imp->arena; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	if (imp->pseudonym_secret != NULL)
		OPENSSL_cleanse(imp->pseudonym_secret, strlen(imp->pseudonym_secret));
	free(imp->pseudonym_secret);
	free(imp->country_code);
	free(imp->errors);
	free(imp->rows);
	free(imp);
}

/* Lower-case ASCII letters in place (header names). */
static void ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Map the header's column names to the spec's columns. */
static bool map_header(struct registry_import *imp, struct csv_record *rec)
{
	const struct kind_spec *spec = imp->spec;
	size_t before = imp->n_errors;
	char q[QUOTE_MAX + 8];

	imp->header_line = rec->line;
	imp->header_fields = rec->n_fields;
	for (size_t i = 0; i < rec->n_fields; i++) {
		trim_field(&rec->fields[i]);
		ascii_lower(rec->fields[i].str);
		for (size_t j = 0; j < spec->n_cols; j++) {
			if (strcmp(rec->fields[i].str, spec->cols[j].name) != 0)
				continue;
			if (imp->col[j] >= 0)
				file_error(imp, rec->line, "column %s appears twice in the header",
					   quote(spec->cols[j].name, q, sizeof(q)));
			imp->col[j] = (int)i;
		}
	}
	for (size_t j = 0; j < spec->n_cols; j++)
		if (spec->cols[j].required && imp->col[j] < 0)
			file_error(imp, rec->line, "missing column %s",
				   quote(spec->cols[j].name, q, sizeof(q)));
	if (imp->kind == REGISTRY_INCIDENT_CODES && imp->col[IC_NAME_EN] < 0 &&
	    imp->col[IC_NAME_AR] < 0 && imp->col[IC_NAME_FR] < 0)
		file_error(imp, rec->line,
			   "missing column \"name_en\", \"name_ar\" or \"name_fr\"");
	return imp->n_errors == before;
}

/*
 * Read the header (the first non-blank record) and map it; switch the
 * reader to ';' when the header is one field holding semicolons.
 */
static bool read_header(struct registry_import *imp, struct csv_reader *r, struct csv_record *rec)
{
	size_t pos;
	unsigned line;

	for (;;) {
		pos = r->pos;
		line = r->line;
		switch (csv_read(r, rec)) {
		case CSV_EOF: file_error(imp, 0, "the file is empty"); return false;
		case CSV_ERROR: file_error(imp, rec->line, "%s", rec->err); return false;
		case CSV_RECORD: break;
		}
		if (csv_record_blank(rec))
			continue;
		if (rec->n_fields == 1 && r->delim == ',' &&
		    strchr(rec->fields[0].str, ';') != NULL) {
			r->pos = pos;
			r->line = line;
			r->delim = ';';
			continue;
		}
		return map_header(imp, rec);
	}
}

/* Check field count and text of every known column of a data line. */
static bool check_shape(struct row_ctx *c)
{
	const struct kind_spec *spec = c->imp->spec;
	struct csv_record *rec = c->rec;
	size_t nchars;

	for (size_t j = 0; j < spec->n_cols; j++) {
		int idx = c->imp->col[j];

		if (idx >= 0 && (size_t)idx >= rec->n_fields && spec->cols[j].required) {
			row_error(c, "only %zu fields, missing column \"%s\"", rec->n_fields,
				  spec->cols[j].name);
			return false;
		}
	}
	for (size_t i = c->imp->header_fields; i < rec->n_fields; i++) {
		if (rec->fields[i].len > 0) {
			row_error(c, "%zu fields, but the header has %zu", rec->n_fields,
				  c->imp->header_fields);
			return false;
		}
	}
	for (size_t j = 0; j < spec->n_cols; j++) {
		const char *s = field(c, (int)j);

		switch (text_check(s, &nchars)) {
		case TEXT_BAD_UTF8:
			row_error(
				c,
				"column \"%s\" is not valid UTF-8 (save the file as \"CSV UTF-8\")",
				spec->cols[j].name);
			break;
		case TEXT_CONTROL:
			row_error(c, "column \"%s\" contains a line break or control character",
				  spec->cols[j].name);
			break;
		case TEXT_OK:
			if (!spec->cols[j].list && nchars > REGISTRY_TEXT_MAX)
				row_error(c, "column \"%s\" is longer than %d characters",
					  spec->cols[j].name, REGISTRY_TEXT_MAX);
			break;
		}
	}
	return !c->bad;
}

static void process_row(struct registry_import *imp, struct csv_record *rec)
{
	struct row_ctx c = { .imp = imp, .rec = rec, .line = rec->line };

	for (size_t i = 0; i < rec->n_fields; i++)
		trim_field(&rec->fields[i]);
	if (check_shape(&c))
		imp->spec->row(&c);
}

static bool read_rows(struct registry_import *imp, struct csv_reader *r, struct csv_record *rec)
{
	enum csv_status st;

	while (!imp->oom && (st = csv_read(r, rec)) != CSV_EOF) {
		if (st == CSV_ERROR) {
			file_error(imp, rec->line, "%s", rec->err);
			imp->csv_errors = true;
			continue;
		}
		if (!csv_record_blank(rec))
			process_row(imp, rec);
	}
	return !imp->oom;
}

bool registry_import_csv(struct registry_import *imp, const char *buf, size_t len)
{
	struct csv_reader r;
	struct csv_record rec = { .buf_size = REC_BUF_SIZE, .max_fields = REC_MAX_FIELDS };

	rec.buf = malloc(REC_BUF_SIZE);
	rec.fields = malloc(REC_MAX_FIELDS * sizeof(*rec.fields));
	if (rec.buf == NULL || rec.fields == NULL) {
		imp->oom = true;
		goto done;
	}
	if (imp->kind == REGISTRY_PEOPLE &&
	    (imp->pseudonym_secret == NULL || imp->pseudonym_secret[0] == '\0')) {
		file_error(
			imp, 0,
			"pseudonym_secret is not set in section [election] of the configuration; "
			"it is needed to import people");
		goto done;
	}
	csv_init(&r, buf, len);
	if (read_header(imp, &r, &rec) && read_rows(imp, &r, &rec)) {
		size_t before = imp->n_errors;

		imp->spec->finish(imp);
		/* the errors so far are bad rows, left out; none was a CSV
		 * error (counted by read_rows) or about the file as a whole */
		imp->checkable = imp->n_errors == before && !imp->csv_errors && imp->n_rows > 0;
	}
	if (imp->n_rows == 0 && imp->n_errors == 0)
		file_error(imp, 0, "the file has a header but no rows");
done:
	free(rec.buf);
	free(rec.fields);
	return !imp->oom;
}

enum registry_kind registry_import_kind(const struct registry_import *imp)
{
	return imp->kind;
}

bool registry_import_rows_checkable(const struct registry_import *imp)
{
	return imp->checkable && !imp->oom;
}

size_t registry_import_n_errors(const struct registry_import *imp)
{
	return imp->n_errors;
}

const char *registry_import_error(const struct registry_import *imp, size_t i)
{
	if (i >= imp->n_errors || imp->errors[i].msg == NULL)
		return "";
	return imp->errors[i].msg;
}

unsigned registry_import_error_line(const struct registry_import *imp, size_t i)
{
	return i < imp->n_errors ? imp->errors[i].line : 0;
}

size_t registry_import_n_rows(const struct registry_import *imp)
{
	return imp->n_rows;
}

static const void *rows_of(const struct registry_import *imp, enum registry_kind kind, size_t *n)
{
	if (imp->kind != kind) {
		*n = 0;
		return NULL;
	}
	*n = imp->n_rows;
	return imp->rows;
}

const struct registry_station *registry_import_stations(const struct registry_import *imp,
							size_t *n)
{
	return rows_of(imp, REGISTRY_STATIONS, n);
}

const struct registry_candidate *registry_import_candidates(const struct registry_import *imp,
							    size_t *n)
{
	return rows_of(imp, REGISTRY_CONTESTS, n);
}

const struct registry_person *registry_import_people(const struct registry_import *imp, size_t *n)
{
	return rows_of(imp, REGISTRY_PEOPLE, n);
}

const struct registry_incident_code *
registry_import_incident_codes(const struct registry_import *imp, size_t *n)
{
	return rows_of(imp, REGISTRY_INCIDENT_CODES, n);
}
