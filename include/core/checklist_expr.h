/*
 * checklist_expr.h - the logic checks of a checklist form (issue 22).
 *
 * A check is a small boolean expression over the form's question codes,
 * the station's registry figures and its latest turnout, written in the
 * definitions file (kind `check`, column `expr`):
 *
 *   AB = 2                     the box was not sealed
 *   AD > V                     more staff than voters
 *   AA = 1 AND (AE = 2 OR AE = 3)
 *   NOT AC = 1                 party A's agent absent (AC multiple choice)
 *
 * Grammar (keywords and names in any case):
 *
 *   expr    := and { OR and }
 *   and     := not { AND not }
 *   not     := NOT not | '(' expr ')' | operand cmp operand
 *   cmp     := = | == | != | <> | < | <= | > | >=
 *   operand := integer | name
 *
 * A name of one or two letters that is a question of the form is that
 * question; otherwise VOTERS (or V), WOMEN (or W), REGISTERED and
 * REGISTERED_WOMEN name the station's figures: its registered voters and
 * registered women, and the voters and women of its latest turnout (or
 * close) report.  A multiple-choice question is compared only with = or
 * != and one of its options: `AC = 2` holds when option 2 was chosen.
 * Text questions cannot be used.
 *
 * Truth has three values: a comparison with an unanswered question or an
 * unknown figure is unknown, AND, OR and NOT are Kleene's (as SQL's), and
 * a check *holds* only when it is true.
 *
 * The compiled form is a postfix program of at most CHECKLIST_EXPR_NODES
 * nodes; checklist_expr_json() writes it for the SQL evaluator
 * (sawt.checklist_check_holds(), migrations/0029_checklist_checks.sql),
 * which must agree with checklist_expr_eval().
 *
 * Pure and allocation-free.
 */
#ifndef SAWT_CHECKLIST_EXPR_H
#define SAWT_CHECKLIST_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define CHECKLIST_EXPR_NODES 32
#define CHECKLIST_EXPR_TEXT_MAX 200 /* bytes of an expression, with its NUL */
#define CHECKLIST_EXPR_DEPTH 8      /* nested parentheses and NOTs */

enum checklist_figure {
	CHECKLIST_FIG_REGISTERED = 0,
	CHECKLIST_FIG_REGISTERED_WOMEN,
	CHECKLIST_FIG_VOTERS,
	CHECKLIST_FIG_WOMEN,
};
#define CHECKLIST_FIG_COUNT 4

/* "registered", "registered_women", "voters", "women". */
const char *checklist_figure_name(enum checklist_figure f);

enum checklist_node_kind {
	CHECKLIST_NODE_NUM = 0,  /* push num */
	CHECKLIST_NODE_QUESTION, /* push question arg's value */
	CHECKLIST_NODE_FIGURE,   /* push figure arg */
	CHECKLIST_NODE_HAS,      /* push: multi question arg has option num */
	CHECKLIST_NODE_CMP,      /* pop b, a; push a (op arg) b */
	CHECKLIST_NODE_AND,
	CHECKLIST_NODE_OR,
	CHECKLIST_NODE_NOT,
};

enum checklist_cmp {
	CHECKLIST_EQ = 0,
	CHECKLIST_NE,
	CHECKLIST_LT,
	CHECKLIST_LE,
	CHECKLIST_GT,
	CHECKLIST_GE,
};

struct checklist_node {
	uint8_t kind; /* enum checklist_node_kind */
	uint8_t arg;  /* question index, figure or enum checklist_cmp */
	int32_t num;
};

struct checklist_expr {
	struct checklist_node nodes[CHECKLIST_EXPR_NODES];
	uint8_t n;
	bool uses_figures; /* some node reads a station figure */
};

struct checklist_form;

/*
 * Compile the expression src (len bytes) against form's questions into
 * out.  Returns true on success; otherwise false with a one-line reason
 * in err (cap bytes), e.g. `"AZ" is not a question of form "OP"`.
 */
bool checklist_expr_compile(const struct checklist_form *form, const char *src, size_t len,
			    struct checklist_expr *out, char *err, size_t cap) SAWT_MUST_CHECK;

enum checklist_truth {
	CHECKLIST_UNKNOWN = 0,
	CHECKLIST_FALSE,
	CHECKLIST_TRUE,
};

/* What a check is evaluated against: per question index of the form its
 * answer (multi: bit d for option d), per figure its value. */
struct checklist_values {
	uint64_t known;    /* bit i: question i answered */
	uint8_t fig_known; /* bit f: figure f known */
	int64_t value[64]; /* CHECKLIST_MAX_QUESTIONS */
	int64_t fig[CHECKLIST_FIG_COUNT];
};

/* The truth of e over v. */
enum checklist_truth checklist_expr_eval(const struct checklist_expr *e,
					 const struct checklist_values *v);

struct json_buf;

/*
 * Write e as a JSON array (member key of the open object, or an element
 * when key is NULL) of nodes: {"k":"num","n":2}, {"k":"q","q":"AB"},
 * {"k":"fig","f":"voters"}, {"k":"has","q":"AC","n":2},
 * {"k":"cmp","op":"<="}, {"k":"and"}, {"k":"or"}, {"k":"not"}.
 */
void checklist_expr_json(const struct checklist_expr *e, const struct checklist_form *form,
			 struct json_buf *j, const char *key);

#endif
