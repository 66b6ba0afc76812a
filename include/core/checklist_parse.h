/*
 * checklist_parse.h - the SMS grammar of observation checklists (issue 22).
 *
 * A checklist message is the form's code (or its Arabic or French alias),
 * the station number, then answers, each a question code and its value:
 *
 *   OP 1021 AA1 AB2 AC13 AD420
 *   op1021aa1ab2ac13ad420          (joined: the same message)
 *   فتح ١٠٢١ AA1 AB2 #4821          (Arabic alias, Arabic-Indic digits, PIN)
 *
 * Tokens are split by white space and any punctuation; digits may be
 * ASCII, Arabic-Indic, Eastern Arabic-Indic or full-width; Arabic is
 * normalised as in the v1 grammar (checklist_fold()); a question code and
 * its value may be joined or apart (AB2, AB 2, AB=2); inside a value O
 * reads as 0 and I or l as 1 (question codes never hold those letters).
 * Values by type: integer, a number within the question's min..max;
 * yesno, 1 (yes) or 2 (no); choice, one defined option digit; multi, a
 * run of defined option digits (AC13: options 1 and 3); text, the rest of
 * the message (so a text question comes last).  An optional #PIN (4 to 8
 * digits) may come anywhere.
 *
 * An answer that is wrong does not spoil the others: it is listed as a
 * problem (unknown code, bad value, missing value, duplicate answer,
 * stray token) and the good answers are kept, so the caller can save them
 * (partial save).  Only a message whose form, station or PIN cannot be
 * read is an error as a whole.
 *
 * Pure: no I/O, no allocation, no global state.  The forms are the
 * caller's read-only table (struct checklist_set); the result points into
 * it and into the input, which must both outlive it.
 */
#ifndef SAWT_CHECKLIST_PARSE_H
#define SAWT_CHECKLIST_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "lang.h"
#include "log.h"
#include "parse.h"

#define CHECKLIST_MAX_PROBLEMS 16

enum checklist_error {
	CHECKLIST_OK = 0,
	CHECKLIST_ERR_EMPTY_MESSAGE,
	CHECKLIST_ERR_MESSAGE_TOO_LONG,
	CHECKLIST_ERR_INVALID_UTF8,
	CHECKLIST_ERR_CONTROL_CHARACTER,
	CHECKLIST_ERR_UNKNOWN_FORM, /* the first word names no form */
	CHECKLIST_ERR_MISSING_STATION,
	CHECKLIST_ERR_BAD_STATION, /* not a number, or over 10 digits */
	CHECKLIST_ERR_MALFORMED_PIN,
	CHECKLIST_ERR_NO_ANSWERS, /* form and station, but no good answer */
	/* set by the decision step, not the parser: sent outside the form's
	 * window (checklist_decide.h) */
	CHECKLIST_ERR_OUTSIDE_WINDOW,
};
#define CHECKLIST_ERROR_COUNT 11

/* Stable snake_case code of err: "ok", "unknown_form", ... */
const char *checklist_error_code(enum checklist_error err);

enum checklist_problem_kind {
	CHECKLIST_UNKNOWN_CODE = 0, /* no such question in the form */
	CHECKLIST_BAD_VALUE,        /* out of range, not an option */
	CHECKLIST_MISSING_VALUE,    /* a code with no value after it */
	CHECKLIST_DUPLICATE,        /* one question given two different values */
	CHECKLIST_STRAY,            /* a number or word that is no answer */
};
#define CHECKLIST_PROBLEM_COUNT 5

/* "unknown_code", "bad_value", "missing_value", "duplicate", "stray". */
const char *checklist_problem_name(enum checklist_problem_kind k);

struct checklist_answer {
	uint8_t q;              /* index into form->questions */
	uint32_t value;         /* integer; yesno 1/2; choice digit; multi: bit d per option d */
	struct parse_span text; /* text questions: the answer as typed */
};

struct checklist_problem {
	enum checklist_problem_kind kind;
	int8_t q;               /* question index, -1 when unknown or stray */
	char code[4];           /* the code as read (upper case), "" for a stray token */
	struct parse_span span; /* the offending token */
};

struct checklist_msg {
	enum checklist_error error;
	struct parse_span err_span;

	const struct checklist_form *form; /* NULL: unknown form */
	enum lang lang;                    /* the alias's, else the fallback */
	char station[PARSE_STATION_MAX + 1];
	char pin[PARSE_PIN_MAX + 1]; /* "" none */

	struct checklist_answer answers[CHECKLIST_MAX_QUESTIONS];
	uint8_t n_answers;
	uint64_t answered; /* bit i: question i answered well */
	struct checklist_problem problems[CHECKLIST_MAX_PROBLEMS];
	uint8_t n_problems;
	uint8_t more_problems; /* problems past CHECKLIST_MAX_PROBLEMS, not kept */
	uint16_t groups;       /* bit g: some answer or problem of group g */
};

/*
 * The form whose code or alias is the first word of the len bytes at utf8
 * (after an optional #PIN), or NULL.  The decision step's dispatch: a
 * message that names a form goes to checklist_parse(), any other to the
 * v1 parser.  Pure, allocates nothing, reads at most PARSE_MAX_BYTES.
 */
const struct checklist_form *checklist_match(const struct checklist_set *set, const char *utf8,
					     size_t len);

/*
 * Parse the len bytes at utf8 against the forms of set into *out.
 * fallback is the language when the form is named by its code.  Returns
 * true when out->error is CHECKLIST_OK (problems with single answers may
 * still be listed); *out is fully written either way.
 */
bool checklist_parse(const struct checklist_set *set, const char *utf8, size_t len,
		     enum lang fallback, struct checklist_msg *out) SAWT_MUST_CHECK;

/*
 * The required questions of form that are not in the bit set answered,
 * restricted to the groups in the bit set groups (bit g for group g; 0:
 * every group).  Bit i of the result is question i.
 */
uint64_t checklist_missing(const struct checklist_form *form, uint64_t answered, uint16_t groups);

/*
 * The values of m's good answers as a logic check reads them
 * (checklist_expr_eval()); no figure is known.
 */
void checklist_msg_values(const struct checklist_msg *m, struct checklist_values *out);

#endif
