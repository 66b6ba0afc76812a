/*
 * checklist.h - observation checklists the network defines (issue 22).
 *
 * `sawt import checklists FILE.csv` reads one CSV file describing any
 * number of forms.  Each line is one thing, said by its `kind` column:
 *
 *   form      form,kind,alias_ar,alias_fr,window,ar,en,fr
 *             the form's code (2-3 Latin letters that the v1 parser
 *             cannot read as one of its keywords), optional Arabic and
 *             French aliases, an optional time window HH:MM-HH:MM, and
 *             its title in ar/en/fr (at least one).
 *   question  form,kind,code,type,min,max,required,group,ar,en,fr
 *             a question code of one or two letters (A-Z but not I, L or
 *             O, which the parser reads as digits), a type: integer (min,
 *             max), yesno (1 yes, 2 no), choice (one option 1-9), multi
 *             (several options, as a run of digits: AC13) or text; the
 *             label in ar/en/fr (at least one); required (yes/no, 1/0,
 *             empty: no); the group (1-9, empty: 1), one SMS each.
 *   option    form,kind,code,option,ar,en,fr
 *             option 1-9 of a choice or multi question, with its label.
 *   check     form,kind,code,severity,expr,ar,en,fr
 *             a logic check (checklist_expr.h): a name (letters, digits,
 *             _; up to 24), a severity (info, serious, critical; empty:
 *             serious), the expression, a label in ar/en/fr (at least
 *             one).  Compiled once every question of the form is read.
 *
 * A question line may also have `problem`: the answers that are a
 * problem (yesno: yes or no, 1 or 2; choice and multi: option digits, as
 * "23").
 *
 * The header names the columns in any order, any case; only `form` and
 * `kind` are required.  Blank lines are skipped.  Every problem of every
 * line is recorded as "line N: reason" and a file with any is refused
 * whole, as the registry imports are (registry_import.h).
 *
 * A form is written back in one canonical text (checklist_form_canonical):
 * the store compares it with the form's current version and makes a new
 * version when it differs, and the daemon reads the current versions back
 * with checklist_set_parse().  The message parser (checklist_parse.h)
 * reads a struct checklist_set as a read-only table.
 *
 * Ownership: a struct checklist_set owns its forms and errors until
 * checklist_set_free().
 */
#ifndef SAWT_CHECKLIST_H
#define SAWT_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist_expr.h"
#include "lang.h"
#include "log.h"
#include "strbuf.h"

#define CHECKLIST_MAX_FORMS 32
#define CHECKLIST_MAX_QUESTIONS 64 /* per form */
#define CHECKLIST_MAX_OPTIONS 9    /* options 1..9 */
#define CHECKLIST_MAX_GROUP 9
#define CHECKLIST_LABEL_MAX 160       /* bytes of a title or label, UTF-8 */
#define CHECKLIST_OPTION_LABEL_MAX 80 /* bytes of an option label, UTF-8 */
#define CHECKLIST_ALIAS_MAX 48        /* bytes of an alias, UTF-8 */
#define CHECKLIST_INT_MAX 999999999
#define CHECKLIST_MAX_CHECKS 16               /* per form */
#define CHECKLIST_CHECK_NAME_MAX 25           /* bytes of a check's name, with its NUL */
#define CHECKLIST_CANONICAL_MAX (1024 * 1024) /* bytes of one form's canonical text, at most */

enum checklist_type {
	CHECKLIST_INTEGER = 0,
	CHECKLIST_YESNO,
	CHECKLIST_CHOICE,
	CHECKLIST_MULTI,
	CHECKLIST_TEXT,
};
#define CHECKLIST_TYPE_COUNT 5

/* "integer", "yesno", "choice", "multi", "text". */
const char *checklist_type_name(enum checklist_type t);

struct checklist_question {
	char code[3]; /* "A" .. "ZZ", upper case */
	enum checklist_type type;
	int32_t min, max; /* integer */
	uint16_t options; /* choice, multi: bit d set when option d exists */
	bool required;
	uint8_t group; /* 1..9 */
	char label[LANG_COUNT][CHECKLIST_LABEL_MAX];
	char option_label[CHECKLIST_MAX_OPTIONS + 1][LANG_COUNT][CHECKLIST_OPTION_LABEL_MAX];
	/* yesno, choice, multi: bit d set when answer d is a "problem" (the
	 * box not sealed); counted apart by the summaries */
	uint16_t problem;
	unsigned line; /* of its row in the file read */
};

enum checklist_severity {
	CHECKLIST_SEV_INFO = 0,
	CHECKLIST_SEV_SERIOUS,
	CHECKLIST_SEV_CRITICAL,
};

/* "info", "serious", "critical": the alerts' severities (alert.h). */
const char *checklist_severity_name(enum checklist_severity s);

/* A logic check (checklist_expr.h): when its expression holds for a
 * station's answers the checklist is flagged and an alert raised. */
struct checklist_check {
	char name[CHECKLIST_CHECK_NAME_MAX]; /* lower case: letters, digits, _ */
	enum checklist_severity severity;
	char text[CHECKLIST_EXPR_TEXT_MAX]; /* the expression, spaces collapsed */
	struct checklist_expr expr;
	char label[LANG_COUNT][CHECKLIST_LABEL_MAX];
	unsigned line;
};

struct checklist_form {
	char code[4];                       /* upper case */
	char alias_ar[CHECKLIST_ALIAS_MAX]; /* as written; "" none */
	char alias_fr[CHECKLIST_ALIAS_MAX]; /* as written; "" none */
	char fold_ar[CHECKLIST_ALIAS_MAX];  /* checklist_fold() of alias_ar */
	char fold_fr[CHECKLIST_ALIAS_MAX];  /* checklist_fold() of alias_fr */
	char title[LANG_COUNT][CHECKLIST_LABEL_MAX];
	int16_t window_from, window_to; /* minutes of the day; -1: none */
	int version;                    /* set by the store; 0 until then */
	struct checklist_question questions[CHECKLIST_MAX_QUESTIONS];
	uint8_t n_questions;
	struct checklist_check checks[CHECKLIST_MAX_CHECKS];
	uint8_t n_checks;
	unsigned line;
};

struct checklist_set;

/* A new, empty set; NULL when out of memory. */
struct checklist_set *checklist_set_new(void) SAWT_MUST_CHECK;

/* Free set, its forms and errors; NULL is a no-op. */
void checklist_set_free(struct checklist_set *set);

/*
 * Read the CSV file in buf (len bytes) into set (which must be new).
 * Returns false only when out of memory; bad lines are recorded, see
 * checklist_set_n_errors().  When there is any error, the set holds no
 * forms.
 */
bool checklist_set_parse(struct checklist_set *set, const char *buf, size_t len) SAWT_MUST_CHECK;

size_t checklist_set_n_errors(const struct checklist_set *set);

/* The i-th error, "line N: reason" (or "reason" for the whole file). */
const char *checklist_set_error(const struct checklist_set *set, size_t i);

size_t checklist_set_n_forms(const struct checklist_set *set);

/* The i-th form, in the order of the file; NULL past the end. */
const struct checklist_form *checklist_set_form(const struct checklist_set *set, size_t i);

/* Order the forms by code (checklist_set_form()'s order). */
void checklist_set_sort(struct checklist_set *set);

/* Set the i-th form's version (the store's number). */
void checklist_set_version(struct checklist_set *set, size_t i, int version);

/* The form whose code or alias is word (folded: checklist_fold()), or NULL. */
const struct checklist_form *checklist_set_find(const struct checklist_set *set,
						const char *folded);

/* The index of question code (upper case) in form, or -1. */
int checklist_question_index(const struct checklist_form *form, const char *code);

/*
 * Append form's canonical text to sb: the form's CSV lines (without the
 * header) in a fixed order and spelling, so that two files defining the
 * same form give the same text, and checklist_set_parse() of
 * checklist_canonical_header followed by the texts of any forms gives the
 * same forms back.  The caller checks sb->overflow.
 */
void checklist_form_canonical(const struct checklist_form *form, struct strbuf *sb);

/*
 * Write form as one JSON object into j (the input of
 * sawt.checklist_import(), migrations/0023_checklists.sql): code,
 * definition (its canonical text), aliases, titles, window and questions
 * with their options.  The caller checks json_finish().  Returns false
 * only when out of memory.
 */
struct json_buf;
bool checklist_form_json(const struct checklist_form *form, struct json_buf *j) SAWT_MUST_CHECK;

/* The header line of canonical texts (with its newline). */
extern const char checklist_canonical_header[];

/*
 * Fold the word in (len bytes of UTF-8) the way the parser compares form
 * codes and aliases: Latin letters upper case, Arabic letter variants
 * (أ إ آ -> ا, ى -> ي, ة -> ه) unified, tatweel and harakat dropped.  Writes
 * at most cap bytes including the NUL; returns false (out "" ) when it
 * does not fit or the text is not valid UTF-8.
 */
bool checklist_fold(const char *in, size_t len, char *out, size_t cap) SAWT_MUST_CHECK;

/*
 * Fold one code point: returns the folded code point, or 0 when it is
 * dropped (tatweel, harakat).
 */
uint32_t checklist_fold_cp(uint32_t cp);

#endif
