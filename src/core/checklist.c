/*
 * checklist.c - read checklist definitions from CSV; see checklist.h.
 */
#include "checklist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array.h"
#include "csv.h"
#include "json.h"
#include "parse.h"
#include "utf8.h"

#define REC_BUF_SIZE (16 * 1024)
#define REC_MAX_FIELDS 64
#define ERR_MAX 240

enum col {
	COL_FORM,
	COL_KIND,
	COL_CODE,
	COL_TYPE,
	COL_MIN,
	COL_MAX,
	COL_REQUIRED,
	COL_GROUP,
	COL_OPTION,
	COL_ALIAS_AR,
	COL_ALIAS_FR,
	COL_WINDOW,
	COL_AR,
	COL_EN,
	COL_FR,
	COL_PROBLEM, /* the columns from here are written only when set */
	COL_SEVERITY,
	COL_EXPR,
	COL_COUNT,
};
#define COL_FIRST_EXTRA COL_PROBLEM

/* Column names, in the canonical order. */
static const char *const col_names[COL_COUNT] = {
	"form",     "kind",     "code",   "type", "min", "max", "required", "group",    "option",
	"alias_ar", "alias_fr", "window", "ar",   "en",  "fr",  "problem",  "severity", "expr",
};

const char checklist_canonical_header[] =
	"form,kind,code,type,min,max,required,group,option,alias_ar,alias_fr,window,ar,en,fr,"
	"problem,severity,expr\n";

static const char *const severity_names[] = {
	[CHECKLIST_SEV_INFO] = "info",
	[CHECKLIST_SEV_SERIOUS] = "serious",
	[CHECKLIST_SEV_CRITICAL] = "critical",
};

const char *checklist_severity_name(enum checklist_severity s)
{
	return (unsigned)s <= CHECKLIST_SEV_CRITICAL ? severity_names[s] : "serious";
}

static const char *const type_names[CHECKLIST_TYPE_COUNT] = {
	"integer", "yesno", "choice", "multi", "text",
};

const char *checklist_type_name(enum checklist_type t)
{
	return (unsigned)t < CHECKLIST_TYPE_COUNT ? type_names[t] : "integer";
}

struct set_error {
	unsigned line;
	char *msg;
};

struct checklist_set {
	struct checklist_form **forms;
	size_t n_forms, cap_forms;
	struct set_error *errors;
	size_t n_errors, cap_errors;
	bool oom;
};

/* A row being read. */
struct row {
	struct checklist_set *set;
	const struct csv_record *rec;
	const int *col;
	unsigned line;
};

struct checklist_set *checklist_set_new(void)
{
	return calloc(1, sizeof(struct checklist_set));
}

static void drop_forms(struct checklist_set *set)
{
	for (size_t i = 0; i < set->n_forms; i++)
		free(set->forms[i]);
	set->n_forms = 0;
}

void checklist_set_free(struct checklist_set *set)
{
	if (set == NULL)
		return;
	drop_forms(set);
	free(set->forms);
	for (size_t i = 0; i < set->n_errors; i++)
		free(set->errors[i].msg);
	free(set->errors);
	free(set);
}

size_t checklist_set_n_errors(const struct checklist_set *set)
{
	return set->n_errors;
}

const char *checklist_set_error(const struct checklist_set *set, size_t i)
{
	return i < set->n_errors ? set->errors[i].msg : NULL;
}

size_t checklist_set_n_forms(const struct checklist_set *set)
{
	return set->n_forms;
}

const struct checklist_form *checklist_set_form(const struct checklist_set *set, size_t i)
{
	return i < set->n_forms ? set->forms[i] : NULL;
}

static int by_code(const void *a, const void *b)
{
	const struct checklist_form *const *x = a, *const *y = b;

	return strcmp((*x)->code, (*y)->code);
}

void checklist_set_sort(struct checklist_set *set)
{
	if (set->n_forms > 1)
		qsort(set->forms, set->n_forms, sizeof(*set->forms), by_code);
}

void checklist_set_version(struct checklist_set *set, size_t i, int version)
{
	if (i < set->n_forms)
		set->forms[i]->version = version;
}

const struct checklist_form *checklist_set_find(const struct checklist_set *set, const char *folded)
{
	for (size_t i = 0; i < set->n_forms; i++) {
		const struct checklist_form *f = set->forms[i];

		if (strcmp(f->code, folded) == 0 ||
		    (f->fold_ar[0] && strcmp(f->fold_ar, folded) == 0) ||
		    (f->fold_fr[0] && strcmp(f->fold_fr, folded) == 0))
			return f;
	}
	return NULL;
}

int checklist_question_index(const struct checklist_form *form, const char *code)
{
	for (int i = 0; i < form->n_questions; i++)
		if (strcmp(form->questions[i].code, code) == 0)
			return i;
	return -1;
}

/* ---- folding ---------------------------------------------------------- */

uint32_t checklist_fold_cp(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 'A';
	switch (c) {
	case 0x622:
	case 0x623:
	case 0x625:
	case 0x671: return 0x627; /* alef with madda/hamza, wasla -> alef */
	case 0x649:
	case 0x6cc: return 0x64a; /* alef maksura, Farsi yeh -> yeh */
	case 0x629: return 0x647; /* teh marbuta -> heh */
	case 0x6a9: return 0x643; /* keheh -> kaf */
	case 0x61c:
	case 0x640: return 0; /* letter mark, tatweel */
	}
	if ((c >= 0x610 && c <= 0x61a) || (c >= 0x64b && c <= 0x65f) || c == 0x670 ||
	    (c >= 0x6d6 && c <= 0x6ed))
		return 0; /* harakat and Quranic marks */
	return c;
}

bool checklist_fold(const char *in, size_t len, char *out, size_t cap)
{
	size_t pos = 0, n = 0;

	if (cap == 0)
		return false;
	while (pos < len) {
		uint32_t cp;
		char enc[4];
		size_t k;

		if (!utf8_decode(in, len, &pos, &cp))
			goto fail;
		cp = checklist_fold_cp(cp);
		if (cp == 0)
			continue;
		k = utf8_encode(cp, enc);
		if (k == 0 || n + k + 1 > cap)
			goto fail;
		memcpy(out + n, enc, k);
		n += k;
	}
	out[n] = '\0';
	return true;
fail:
	out[0] = '\0';
	return false;
}

/* ---- errors ----------------------------------------------------------- */

static void add_error(struct checklist_set *set, unsigned line, const char *fmt, ...)
	SAWT_PRINTF(3, 4);

/* Record "line N: reason", keeping the errors ordered by line. */
static void add_error(struct checklist_set *set, unsigned line, const char *fmt, ...)
{
	char msg[ERR_MAX], full[ERR_MAX + 24];
	va_list ap;
	size_t pos;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "line %u: %s", line, msg);
	else
		snprintf(full, sizeof(full), "%s", msg);
	if (!array_grow(&set->errors, &set->cap_errors, set->n_errors + 1, sizeof(*set->errors))) {
		set->oom = true;
		return;
	}
	pos = set->n_errors;
	while (pos > 0 && set->errors[pos - 1].line > line)
		pos--;
	memmove(&set->errors[pos + 1], &set->errors[pos],
		(set->n_errors - pos) * sizeof(*set->errors));
	set->errors[pos].line = line;
	set->errors[pos].msg = strdup(full);
	if (set->errors[pos].msg == NULL)
		set->oom = true;
	set->n_errors++;
}

/* ---- fields ----------------------------------------------------------- */

static const char *field(const struct row *r, enum col c)
{
	int i = r->col[c];

	return i >= 0 && (size_t)i < r->rec->n_fields ? r->rec->fields[i].str : "";
}

/* Copy a trimmed text field of at most cap - 1 bytes; false after an error. */
static bool text_field(const struct row *r, enum col c, char *out, size_t cap)
{
	const char *s = field(r, c);
	size_t n = strlen(s);

	if (utf8_validate(s, n) != n) {
		add_error(r->set, r->line, "%s is not valid UTF-8", col_names[c]);
		return false;
	}
	if (n >= cap) {
		add_error(r->set, r->line, "%s is longer than %zu bytes", col_names[c], cap - 1);
		return false;
	}
	memcpy(out, s, n + 1);
	return true;
}

/* The three language columns into out[LANG_COUNT]; at least one set. */
static bool labels(const struct row *r, char (*out)[CHECKLIST_LABEL_MAX], size_t cap,
		   const char *what)
{
	static const enum col cols[LANG_COUNT] = {
		[LANG_AR] = COL_AR, [LANG_EN] = COL_EN, [LANG_FR] = COL_FR
	};
	bool ok = true, any = false;

	for (int l = 0; l < LANG_COUNT; l++) {
		char *dst = (char *)out + (size_t)l * cap;

		ok = text_field(r, cols[l], dst, cap) && ok;
		any = any || field(r, cols[l])[0] != '\0';
	}
	if (ok && !any) {
		add_error(r->set, r->line, "%s missing: give at least one of ar, en, fr", what);
		ok = false;
	}
	return ok;
}

/* A decimal integer, ASCII or Arabic-Indic digits, optional '-'. */
static bool int_field(const char *s, int64_t *out)
{
	size_t pos = 0, len = strlen(s);
	bool neg = false, any = false;
	int64_t v = 0;

	if (len > 0 && s[0] == '-') {
		neg = true;
		pos = 1;
	}
	while (pos < len) {
		uint32_t cp;
		int d;

		if (!utf8_decode(s, len, &pos, &cp) || (d = utf8_digit_value(cp)) < 0)
			return false;
		v = v * 10 + d;
		if (v > CHECKLIST_INT_MAX)
			return false;
		any = true;
	}
	*out = neg ? -v : v;
	return any;
}

static bool all_upper_letters(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

static void upper(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	out[i] = '\0';
}

/* True when the v1 parser reads "word 1021" as one of its forms. */
static bool v1_keyword(const char *word)
{
	char msg[CHECKLIST_ALIAS_MAX + 8];
	struct parse_msg m;

	snprintf(msg, sizeof(msg), "%s 1021", word);
	if (parse_message(msg, strlen(msg), LANG_EN, &m))
		return true;
	return m.form != PARSE_FORM_NONE ||
	       (m.error != PARSE_ERR_UNKNOWN_KEYWORD && m.error != PARSE_ERR_MISSING_KEYWORD);
}

/* "HH:MM-HH:MM" (or HHMM-HHMM) into minutes. */
static bool window_field(const char *s, int16_t *from, int16_t *to)
{
	unsigned h1, m1, h2, m2;
	char tail;

	if (sscanf(s, "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &tail) != 4 &&
	    sscanf(s, "%2u%2u-%2u%2u%c", &h1, &m1, &h2, &m2, &tail) != 4)
		return false;
	if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59)
		return false;
	*from = (int16_t)(h1 * 60 + m1);
	*to = (int16_t)(h2 * 60 + m2);
	return *from < *to;
}

static bool bool_field(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "y", "1", "true", "oui", "نعم" };
	static const char *const no[] = { "", "no", "n", "0", "false", "non", "لا" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	return false;
}

/* ---- rows ------------------------------------------------------------- */

static struct checklist_form *find_form(struct checklist_set *set, const char *code)
{
	for (size_t i = 0; i < set->n_forms; i++)
		if (strcmp(set->forms[i]->code, code) == 0)
			return set->forms[i];
	return NULL;
}

/* The form code of the row, checked; false after an error. */
static bool row_form_code(const struct row *r, char *code)
{
	const char *s = field(r, COL_FORM);

	upper(s, code, 4);
	if (!all_upper_letters(code, 2, 3) || strlen(s) > 3) {
		add_error(r->set, r->line, "form code \"%s\" is not 2 or 3 Latin letters", s);
		return false;
	}
	return true;
}

static bool alias(const struct row *r, enum col c, char *raw, char *fold)
{
	if (!text_field(r, c, raw, CHECKLIST_ALIAS_MAX))
		return false;
	if (raw[0] == '\0') {
		fold[0] = '\0';
		return true;
	}
	for (const char *p = raw; *p; p++)
		if (*p == ' ' || *p == ',' || *p == '#' || (*p >= '0' && *p <= '9')) {
			add_error(r->set, r->line, "%s \"%s\" must be one word without digits",
				  col_names[c], raw);
			return false;
		}
	if (!checklist_fold(raw, strlen(raw), fold, CHECKLIST_ALIAS_MAX) || fold[0] == '\0') {
		add_error(r->set, r->line, "%s \"%s\" is not a word", col_names[c], raw);
		return false;
	}
	if (v1_keyword(raw)) {
		add_error(r->set, r->line, "%s \"%s\" can be read as a keyword of the v1 forms",
			  col_names[c], raw);
		return false;
	}
	return true;
}

static void form_row(const struct row *r)
{
	struct checklist_set *set = r->set;
	struct checklist_form *f;
	char code[4];
	const char *w = field(r, COL_WINDOW);
	bool ok = true;

	if (!row_form_code(r, code))
		return;
	if (v1_keyword(code)) {
		add_error(set, r->line, "form code \"%s\" can be read as a keyword of the v1 forms",
			  code);
		return;
	}
	if (find_form(set, code) != NULL) {
		add_error(set, r->line, "form \"%s\" is defined twice", code);
		return;
	}
	if (set->n_forms >= CHECKLIST_MAX_FORMS) {
		add_error(set, r->line, "more than %d forms", CHECKLIST_MAX_FORMS);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL ||
	    !array_grow(&set->forms, &set->cap_forms, set->n_forms + 1, sizeof(*set->forms))) {
		free(f);
		set->oom = true;
		return;
	}
	memcpy(f->code, code, sizeof(f->code));
	f->line = r->line;
	f->window_from = f->window_to = -1;
	ok = alias(r, COL_ALIAS_AR, f->alias_ar, f->fold_ar) && ok;
	ok = alias(r, COL_ALIAS_FR, f->alias_fr, f->fold_fr) && ok;
	ok = labels(r, f->title, CHECKLIST_LABEL_MAX, "title") && ok;
	if (w[0] != '\0' && !window_field(w, &f->window_from, &f->window_to)) {
		add_error(set, r->line, "window \"%s\" is not HH:MM-HH:MM (from before to)", w);
		ok = false;
	}
	/* kept even when bad, so its questions are not reported as orphans */
	set->forms[set->n_forms++] = f;
	(void)ok;
}

static bool question_code(const struct row *r, char *code)
{
	const char *s = field(r, COL_CODE);

	upper(s, code, 3);
	if (strlen(s) > 2 || !all_upper_letters(code, 1, 2) || strpbrk(code, "ILO") != NULL) {
		add_error(r->set, r->line,
			  "question code \"%s\" is not one or two letters A-Z other than I, L, O",
			  s);
		return false;
	}
	return true;
}

static bool type_field(const struct row *r, enum checklist_type *t)
{
	const char *s = field(r, COL_TYPE);

	for (int i = 0; i < CHECKLIST_TYPE_COUNT; i++)
		if (strcasecmp(s, type_names[i]) == 0) {
			*t = (enum checklist_type)i;
			return true;
		}
	add_error(r->set, r->line, "type \"%s\" is not one of integer, yesno, choice, multi, text",
		  s);
	return false;
}

/*
 * The problem column of a question line into q->problem: yes/no (1/2) for
 * yesno, option digits for choice and multi; whether the options exist is
 * checked in finish(), once they are read.  False after an error.
 */
static bool problem_field(const struct row *r, struct checklist_question *q)
{
	const char *s = field(r, COL_PROBLEM);
	bool yes;

	if (s[0] == '\0')
		return true;
	if (q->type == CHECKLIST_INTEGER || q->type == CHECKLIST_TEXT) {
		add_error(r->set, r->line, "problem is for yesno, choice and multi questions only");
		return false;
	}
	if (q->type == CHECKLIST_YESNO && bool_field(s, &yes)) {
		q->problem = (uint16_t)(1u << (yes ? 1 : 2));
		return true;
	}
	for (const char *p = s; *p; p++) {
		if (*p < '1' || *p > '9' || (q->type == CHECKLIST_YESNO && *p > '2')) {
			add_error(r->set, r->line, "problem \"%s\" is not %s", s,
				  q->type == CHECKLIST_YESNO ? "yes or no"
							     : "a run of option digits (as 23)");
			return false;
		}
		q->problem |= (uint16_t)(1u << (*p - '0'));
	}
	return true;
}

static void question_row(const struct row *r)
{
	struct checklist_set *set = r->set;
	struct checklist_question q = { .line = r->line, .group = 1 };
	struct checklist_form *f;
	char fcode[4];
	const char *req = field(r, COL_REQUIRED), *grp = field(r, COL_GROUP);
	bool ok = true;
	int64_t v;

	if (!row_form_code(r, fcode))
		return;
	if ((f = find_form(set, fcode)) == NULL) {
		add_error(set, r->line, "form \"%s\" has no form line above", fcode);
		return;
	}
	if (!question_code(r, q.code) || !type_field(r, &q.type))
		return;
	if (checklist_question_index(f, q.code) >= 0) {
		add_error(set, r->line, "question \"%s\" of form \"%s\" is defined twice", q.code,
			  fcode);
		return;
	}
	if (f->n_questions >= CHECKLIST_MAX_QUESTIONS) {
		add_error(set, r->line, "form \"%s\" has more than %d questions", fcode,
			  CHECKLIST_MAX_QUESTIONS);
		return;
	}
	if (q.type == CHECKLIST_INTEGER) {
		const char *mn = field(r, COL_MIN), *mx = field(r, COL_MAX);

		if (!int_field(mn, &v) || v < 0) {
			add_error(set, r->line, "min \"%s\" is not a number from 0 to %d", mn,
				  CHECKLIST_INT_MAX);
			ok = false;
		} else {
			q.min = (int32_t)v;
		}
		if (!int_field(mx, &v) || v < 0) {
			add_error(set, r->line, "max \"%s\" is not a number from 0 to %d", mx,
				  CHECKLIST_INT_MAX);
			ok = false;
		} else {
			q.max = (int32_t)v;
		}
		if (ok && q.min > q.max) {
			add_error(set, r->line, "min %d is larger than max %d", (int)q.min,
				  (int)q.max);
			ok = false;
		}
	} else if (field(r, COL_MIN)[0] != '\0' || field(r, COL_MAX)[0] != '\0') {
		add_error(set, r->line, "min and max are for integer questions only");
		ok = false;
	}
	if (!bool_field(req, &q.required)) {
		add_error(set, r->line, "required \"%s\" is not yes or no", req);
		ok = false;
	}
	if (grp[0] != '\0') {
		if (!int_field(grp, &v) || v < 1 || v > CHECKLIST_MAX_GROUP) {
			add_error(set, r->line, "group \"%s\" is not a number from 1 to %d", grp,
				  CHECKLIST_MAX_GROUP);
			ok = false;
		} else {
			q.group = (uint8_t)v;
		}
	}
	ok = labels(r, q.label, CHECKLIST_LABEL_MAX, "label") && ok;
	ok = problem_field(r, &q) && ok;
	if (ok)
		f->questions[f->n_questions++] = q;
}

static void option_row(const struct row *r)
{
	struct checklist_set *set = r->set;
	struct checklist_form *f;
	struct checklist_question *q;
	char fcode[4], qcode[3];
	const char *opt = field(r, COL_OPTION);
	char tmp[LANG_COUNT][CHECKLIST_LABEL_MAX];
	int64_t d;
	int qi;

	if (!row_form_code(r, fcode))
		return;
	if ((f = find_form(set, fcode)) == NULL) {
		add_error(set, r->line, "form \"%s\" has no form line above", fcode);
		return;
	}
	if (!question_code(r, qcode))
		return;
	if ((qi = checklist_question_index(f, qcode)) < 0) {
		add_error(set, r->line, "question \"%s\" of form \"%s\" has no question line above",
			  qcode, fcode);
		return;
	}
	q = &f->questions[qi];
	if (q->type != CHECKLIST_CHOICE && q->type != CHECKLIST_MULTI) {
		add_error(set, r->line, "question \"%s\" is %s: only choice and multi have options",
			  qcode, type_names[q->type]);
		return;
	}
	if (!int_field(opt, &d) || d < 1 || d > CHECKLIST_MAX_OPTIONS) {
		add_error(set, r->line, "option \"%s\" is not a digit from 1 to 9", opt);
		return;
	}
	if (q->options & (1u << d)) {
		add_error(set, r->line, "option %d of question \"%s\" is defined twice", (int)d,
			  qcode);
		return;
	}
	if (!labels(r, tmp, CHECKLIST_LABEL_MAX, "option label"))
		return;
	for (int l = 0; l < LANG_COUNT; l++) {
		if (strlen(tmp[l]) >= CHECKLIST_OPTION_LABEL_MAX) {
			add_error(set, r->line, "option label is longer than %d bytes",
				  CHECKLIST_OPTION_LABEL_MAX - 1);
			return;
		}
		memcpy(q->option_label[d][l], tmp[l], strlen(tmp[l]) + 1);
	}
	q->options |= (uint16_t)(1u << d);
}

/* A check's name: letters, digits and _, from a letter; lower-cased. */
static bool check_name(const struct row *r, char *name)
{
	const char *s = field(r, COL_CODE);
	size_t n = strlen(s);
	bool ok = n >= 1 && n < CHECKLIST_CHECK_NAME_MAX &&
		  ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));

	for (size_t i = 0; ok && i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
		name[i] = c;
	}
	if (!ok) {
		add_error(r->set, r->line,
			  "check name \"%s\" is not a letter then up to %d letters, digits or _", s,
			  CHECKLIST_CHECK_NAME_MAX - 2);
		return false;
	}
	name[n] = '\0';
	return true;
}

/* The expression with runs of blanks made one space. */
static bool expr_text(const struct row *r, char *out)
{
	const char *s = field(r, COL_EXPR);
	size_t o = 0;

	if (s[0] == '\0') {
		add_error(r->set, r->line, "expr missing: a check needs its expression");
		return false;
	}
	for (; *s; s++) {
		bool blank = *s == ' ' || *s == '\t';

		if (blank && (o == 0 || out[o - 1] == ' '))
			continue;
		if (o + 1 >= CHECKLIST_EXPR_TEXT_MAX) {
			add_error(r->set, r->line, "expr is longer than %d bytes",
				  CHECKLIST_EXPR_TEXT_MAX - 1);
			return false;
		}
		out[o++] = blank ? ' ' : *s;
	}
	out[o] = '\0';
	return true;
}

static void check_row(const struct row *r)
{
	struct checklist_set *set = r->set;
	struct checklist_check k = { .line = r->line, .severity = CHECKLIST_SEV_SERIOUS };
	struct checklist_form *f;
	const char *sev = field(r, COL_SEVERITY);
	char fcode[4];
	bool ok = true, found = sev[0] == '\0';

	if (!row_form_code(r, fcode))
		return;
	if ((f = find_form(set, fcode)) == NULL) {
		add_error(set, r->line, "form \"%s\" has no form line above", fcode);
		return;
	}
	if (!check_name(r, k.name))
		return;
	for (int i = 0; i < f->n_checks; i++)
		if (strcmp(f->checks[i].name, k.name) == 0) {
			add_error(set, r->line, "check \"%s\" of form \"%s\" is defined twice",
				  k.name, fcode);
			return;
		}
	if (f->n_checks >= CHECKLIST_MAX_CHECKS) {
		add_error(set, r->line, "form \"%s\" has more than %d checks", fcode,
			  CHECKLIST_MAX_CHECKS);
		return;
	}
	for (int i = 0; !found && i <= CHECKLIST_SEV_CRITICAL; i++)
		if (strcasecmp(sev, severity_names[i]) == 0) {
			k.severity = (enum checklist_severity)i;
			found = true;
		}
	if (!found) {
		add_error(set, r->line, "severity \"%s\" is not one of info, serious, critical",
			  sev);
		ok = false;
	}
	ok = expr_text(r, k.text) && ok;
	ok = labels(r, k.label, CHECKLIST_LABEL_MAX, "label") && ok;
	if (ok)
		f->checks[f->n_checks++] = k;
}

/* Compile f's checks and check its problem answers, now that every
 * question and option is read. */
static void finish_form(struct checklist_set *set, struct checklist_form *f)
{
	char err[ERR_MAX];

	for (int k = 0; k < f->n_questions; k++) {
		const struct checklist_question *q = &f->questions[k];
		uint16_t known = q->type == CHECKLIST_YESNO ? (1u << 1 | 1u << 2) : q->options;

		if (q->problem & ~known)
			add_error(set, q->line, "problem names an option question \"%s\" lacks",
				  q->code);
	}
	for (int i = 0; i < f->n_checks; i++) {
		struct checklist_check *k = &f->checks[i];

		if (!checklist_expr_compile(f, k->text, strlen(k->text), &k->expr, err,
					    sizeof(err)))
			add_error(set, k->line, "check \"%s\": %s", k->name, err);
	}
}

/* Checks across rows once the file is read. */
static void finish(struct checklist_set *set)
{
	for (size_t i = 0; i < set->n_forms; i++) {
		struct checklist_form *f = set->forms[i];

		if (f->n_questions == 0)
			add_error(set, f->line, "form \"%s\" has no questions", f->code);
		for (int k = 0; k < f->n_questions; k++) {
			const struct checklist_question *q = &f->questions[k];

			if ((q->type == CHECKLIST_CHOICE || q->type == CHECKLIST_MULTI) &&
			    q->options == 0)
				add_error(set, q->line,
					  "question \"%s\" of form \"%s\" has no options", q->code,
					  f->code);
		}
		finish_form(set, f);
		for (size_t j = 0; j < i; j++) {
			const struct checklist_form *g = set->forms[j];
			const char *names[3] = { f->code, f->fold_ar, f->fold_fr };
			const char *other[3] = { g->code, g->fold_ar, g->fold_fr };

			for (int a = 0; a < 3; a++)
				for (int b = 0; b < 3; b++)
					if (names[a][0] && strcmp(names[a], other[b]) == 0)
						add_error(set, f->line,
							  "\"%s\" names both form \"%s\" and form "
							  "\"%s\"",
							  names[a], g->code, f->code);
		}
	}
}

/* Map the header record to columns; false after an error. */
static bool header(struct checklist_set *set, const struct csv_record *rec, int *col)
{
	for (int c = 0; c < COL_COUNT; c++)
		col[c] = -1;
	for (size_t i = 0; i < rec->n_fields; i++)
		for (int c = 0; c < COL_COUNT; c++)
			if (strcasecmp(rec->fields[i].str, col_names[c]) == 0) {
				if (col[c] >= 0) {
					add_error(set, rec->line, "column \"%s\" appears twice",
						  col_names[c]);
					return false;
				}
				col[c] = (int)i;
			}
	if (col[COL_FORM] < 0 || col[COL_KIND] < 0) {
		add_error(set, rec->line, "the header needs the columns form and kind");
		return false;
	}
	return true;
}

bool checklist_set_parse(struct checklist_set *set, const char *buf, size_t len)
{
	struct csv_reader rd;
	struct csv_field *fields = calloc(REC_MAX_FIELDS, sizeof(*fields));
	char *rbuf = malloc(REC_BUF_SIZE);
	struct csv_record rec = { .buf = rbuf,
				  .buf_size = REC_BUF_SIZE,
				  .fields = fields,
				  .max_fields = REC_MAX_FIELDS };
	int col[COL_COUNT];
	bool have_header = false;
	enum csv_status st;

	if (fields == NULL || rbuf == NULL) {
		set->oom = true;
		goto done;
	}
	csv_init(&rd, buf, len);
	if (rd.utf16) {
		add_error(set, 0, "the file is UTF-16: save it as UTF-8");
		goto done;
	}
	if (len > 0 && memchr(buf, ';', len) != NULL) {
		const char *nl = memchr(buf, '\n', len);
		size_t hl = nl ? (size_t)(nl - buf) : len;

		if (memchr(buf, ';', hl) != NULL && memchr(buf, ',', hl) == NULL)
			rd.delim = ';';
	}
	while ((st = csv_read(&rd, &rec)) != CSV_EOF) {
		struct row r = { .set = set, .rec = &rec, .col = col, .line = rec.line };
		const char *kind;

		if (st == CSV_ERROR) {
			add_error(set, rec.line, "%s", rec.err);
			continue;
		}
		if (csv_record_blank(&rec))
			continue;
		for (size_t i = 0; i < rec.n_fields; i++) {
			/* trim */
			char *s = rec.fields[i].str;
			size_t n = strlen(s);

			while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
				s[--n] = '\0';
			while (*s == ' ' || *s == '\t')
				memmove(s, s + 1, n--);
		}
		if (!have_header) {
			if (!header(set, &rec, col))
				goto done;
			have_header = true;
			continue;
		}
		kind = field(&r, COL_KIND);
		if (strcasecmp(kind, "form") == 0)
			form_row(&r);
		else if (strcasecmp(kind, "question") == 0)
			question_row(&r);
		else if (strcasecmp(kind, "option") == 0)
			option_row(&r);
		else if (strcasecmp(kind, "check") == 0)
			check_row(&r);
		else
			add_error(set, r.line,
				  "kind \"%s\" is not one of form, question, option, check", kind);
	}
	if (!have_header)
		add_error(set, 0, "the file is empty: it needs a header and at least one form");
	else
		finish(set);
done:
	free(fields);
	free(rbuf);
	if (set->n_errors > 0)
		drop_forms(set);
	return !set->oom;
}

/* ---- canonical text --------------------------------------------------- */

/* Append s as one CSV field, then a comma or, last, the line's end. */
static void csv_field(struct strbuf *sb, const char *s, bool last)
{
	csv_put_field(sb, s, strlen(s));
	strbuf_puts(sb, last ? "\n" : ",");
}

/* One canonical line: values in col_names order; the columns from
 * COL_FIRST_EXTRA only when one is set, so that forms without problems
 * and checks keep the text they had before those columns existed. */
static void line(struct strbuf *sb, const char *const *v)
{
	int last = COL_FIRST_EXTRA - 1;

	for (int c = COL_FIRST_EXTRA; c < COL_COUNT; c++)
		if (v[c] != NULL && v[c][0] != '\0')
			last = COL_COUNT - 1;
	for (int c = 0; c <= last; c++)
		csv_field(sb, v[c] ? v[c] : "", c == last);
}

/* The digits of the answers in mask (bits 1-9). */
static void digits(uint16_t mask, char *out)
{
	for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++)
		if (mask & (1u << d))
			*out++ = (char)('0' + d);
	*out = '\0';
}

void checklist_form_canonical(const struct checklist_form *f, struct strbuf *sb)
{
	const char *v[COL_COUNT] = { 0 };
	char win[16] = "";

	if (f->window_from >= 0)
		snprintf(win, sizeof(win), "%02d:%02d-%02d:%02d", f->window_from / 60,
			 f->window_from % 60, f->window_to / 60, f->window_to % 60);
	v[COL_FORM] = f->code;
	v[COL_KIND] = "form";
	v[COL_ALIAS_AR] = f->alias_ar;
	v[COL_ALIAS_FR] = f->alias_fr;
	v[COL_WINDOW] = win;
	v[COL_AR] = f->title[LANG_AR];
	v[COL_EN] = f->title[LANG_EN];
	v[COL_FR] = f->title[LANG_FR];
	line(sb, v);
	for (int i = 0; i < f->n_questions; i++) {
		const struct checklist_question *q = &f->questions[i];
		char mn[16] = "", mx[16] = "", grp[4], prob[CHECKLIST_MAX_OPTIONS + 1];

		memset(v, 0, sizeof(v));
		if (q->type == CHECKLIST_INTEGER) {
			snprintf(mn, sizeof(mn), "%d", (int)q->min);
			snprintf(mx, sizeof(mx), "%d", (int)q->max);
		}
		snprintf(grp, sizeof(grp), "%d", q->group);
		v[COL_FORM] = f->code;
		v[COL_KIND] = "question";
		v[COL_CODE] = q->code;
		v[COL_TYPE] = type_names[q->type];
		v[COL_MIN] = mn;
		v[COL_MAX] = mx;
		v[COL_REQUIRED] = q->required ? "yes" : "no";
		v[COL_GROUP] = grp;
		v[COL_AR] = q->label[LANG_AR];
		v[COL_EN] = q->label[LANG_EN];
		v[COL_FR] = q->label[LANG_FR];
		digits(q->problem, prob);
		v[COL_PROBLEM] = prob;
		line(sb, v);
		for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++) {
			char opt[2] = { (char)('0' + d), '\0' };

			if (!(q->options & (1u << d)))
				continue;
			memset(v, 0, sizeof(v));
			v[COL_FORM] = f->code;
			v[COL_KIND] = "option";
			v[COL_CODE] = q->code;
			v[COL_OPTION] = opt;
			v[COL_AR] = q->option_label[d][LANG_AR];
			v[COL_EN] = q->option_label[d][LANG_EN];
			v[COL_FR] = q->option_label[d][LANG_FR];
			line(sb, v);
		}
	}
	for (int i = 0; i < f->n_checks; i++) {
		const struct checklist_check *k = &f->checks[i];

		memset(v, 0, sizeof(v));
		v[COL_FORM] = f->code;
		v[COL_KIND] = "check";
		v[COL_CODE] = k->name;
		v[COL_AR] = k->label[LANG_AR];
		v[COL_EN] = k->label[LANG_EN];
		v[COL_FR] = k->label[LANG_FR];
		v[COL_SEVERITY] = severity_names[k->severity];
		v[COL_EXPR] = k->text;
		line(sb, v);
	}
}

/* A JSON string member, left out when s is empty (SQL reads NULL). */
static void json_text(struct json_buf *j, const char *key, const char *s)
{
	if (s[0] != '\0')
		json_string(j, key, s, strlen(s));
}

bool checklist_form_json(const struct checklist_form *f, struct json_buf *j)
{
	static const char *const lk[LANG_COUNT][3] = {
		[LANG_AR] = { "title_ar", "label_ar" },
		[LANG_EN] = { "title_en", "label_en" },
		[LANG_FR] = { "title_fr", "label_fr" },
	};
	struct strbuf sb;
	char t[8], *def = malloc(CHECKLIST_CANONICAL_MAX);

	if (def == NULL)
		return false;
	strbuf_init(&sb, def, CHECKLIST_CANONICAL_MAX);
	checklist_form_canonical(f, &sb);
	json_open_object(j, NULL);
	json_string(j, "code", f->code, strlen(f->code));
	json_string(j, "definition", def, sb.len);
	json_text(j, "alias_ar", f->alias_ar);
	json_text(j, "alias_fr", f->alias_fr);
	for (int l = 0; l < LANG_COUNT; l++)
		json_text(j, lk[l][0], f->title[l]);
	if (f->window_from >= 0) {
		snprintf(t, sizeof(t), "%02d:%02d", f->window_from / 60, f->window_from % 60);
		json_string(j, "window_from", t, strlen(t));
		snprintf(t, sizeof(t), "%02d:%02d", f->window_to / 60, f->window_to % 60);
		json_string(j, "window_to", t, strlen(t));
	}
	json_open_array(j, "questions");
	for (int i = 0; i < f->n_questions; i++) {
		const struct checklist_question *q = &f->questions[i];

		json_open_object(j, NULL);
		json_string(j, "code", q->code, strlen(q->code));
		json_string(j, "type", type_names[q->type], strlen(type_names[q->type]));
		if (q->type == CHECKLIST_INTEGER) {
			json_int(j, "min", q->min);
			json_int(j, "max", q->max);
		}
		json_bool(j, "required", q->required);
		json_int(j, "group", q->group);
		for (int l = 0; l < LANG_COUNT; l++)
			json_text(j, lk[l][1], q->label[l]);
		json_open_array(j, "problem");
		for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++)
			if (q->problem & (1u << d))
				json_int(j, NULL, d);
		json_close_array(j);
		json_open_array(j, "options");
		for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++) {
			if (!(q->options & (1u << d)))
				continue;
			json_open_object(j, NULL);
			json_int(j, "option", d);
			for (int l = 0; l < LANG_COUNT; l++)
				json_text(j, lk[l][1], q->option_label[d][l]);
			json_close_object(j);
		}
		json_close_array(j);
		json_close_object(j);
	}
	json_close_array(j);
	json_open_array(j, "checks");
	for (int i = 0; i < f->n_checks; i++) {
		const struct checklist_check *k = &f->checks[i];

		json_open_object(j, NULL);
		json_string(j, "name", k->name, strlen(k->name));
		json_string(j, "severity", severity_names[k->severity],
			    strlen(severity_names[k->severity]));
		json_string(j, "expr", k->text, strlen(k->text));
		json_bool(j, "uses_figures", k->expr.uses_figures);
		for (int l = 0; l < LANG_COUNT; l++)
			json_text(j, lk[l][1], k->label[l]);
		checklist_expr_json(&k->expr, f, j, "rpn");
		json_close_object(j);
	}
	json_close_array(j);
	json_close_object(j);
	free(def);
	return !sb.overflow;
}
