/*
 * checklist_expr.c - compile and evaluate the logic checks of a checklist
 * form; see checklist_expr.h.
 */
#include "checklist_expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checklist.h"
#include "json.h"

_Static_assert(CHECKLIST_MAX_QUESTIONS <= 64, "checklist_values holds 64 questions");

static const char *const figure_names[CHECKLIST_FIG_COUNT] = {
	[CHECKLIST_FIG_REGISTERED] = "registered",
	[CHECKLIST_FIG_REGISTERED_WOMEN] = "registered_women",
	[CHECKLIST_FIG_VOTERS] = "voters",
	[CHECKLIST_FIG_WOMEN] = "women",
};

static const char *const cmp_names[] = {
	[CHECKLIST_EQ] = "=",  [CHECKLIST_NE] = "!=", [CHECKLIST_LT] = "<",
	[CHECKLIST_LE] = "<=", [CHECKLIST_GT] = ">",  [CHECKLIST_GE] = ">=",
};

/* Names of the figures, long and short; a short one yields to a question. */
static const struct {
	const char *name;
	enum checklist_figure fig;
} figure_words[] = {
	{ "REGISTERED", CHECKLIST_FIG_REGISTERED },
	{ "REGISTERED_WOMEN", CHECKLIST_FIG_REGISTERED_WOMEN },
	{ "VOTERS", CHECKLIST_FIG_VOTERS },
	{ "V", CHECKLIST_FIG_VOTERS },
	{ "WOMEN", CHECKLIST_FIG_WOMEN },
	{ "W", CHECKLIST_FIG_WOMEN },
};

const char *checklist_figure_name(enum checklist_figure f)
{
	return (unsigned)f < CHECKLIST_FIG_COUNT ? figure_names[f] : "voters";
}

/* ---- tokens ----------------------------------------------------------- */

enum tok {
	T_END,
	T_NUM,
	T_NAME,
	T_CMP,
	T_AND,
	T_OR,
	T_NOT,
	T_LPAREN,
	T_RPAREN,
	T_BAD,
};

struct cc {
	const struct checklist_form *form;
	const char *s;
	size_t len, pos;
	/* the current token */
	enum tok t;
	size_t t_start, t_len;
	int64_t num;
	enum checklist_cmp cmp;
	struct checklist_expr *out;
	char *err;
	size_t cap;
	bool failed;
	int depth;
};

static void fail(struct cc *c, const char *fmt, ...) SAWT_PRINTF(2, 3);

/* Record the first error only. */
static void fail(struct cc *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->err, c->cap, fmt, ap);
	va_end(ap);
}

static bool is_name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
}

/* Is the current token the keyword kw (any case)? */
static bool word_is(const struct cc *c, const char *kw)
{
	return strlen(kw) == c->t_len && strncasecmp(c->s + c->t_start, kw, c->t_len) == 0;
}

static void lex_number(struct cc *c)
{
	c->num = 0;
	while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
		c->num = c->num * 10 + (c->s[c->pos++] - '0');
		if (c->num > CHECKLIST_INT_MAX) {
			fail(c, "the number at \"%.*s\" is over %d", 12, c->s + c->t_start,
			     CHECKLIST_INT_MAX);
			c->t = T_BAD;
			return;
		}
	}
	c->t = T_NUM;
}

static void lex_cmp(struct cc *c)
{
	static const struct {
		const char *op;
		enum checklist_cmp cmp;
	} ops[] = {
		{ "==", CHECKLIST_EQ }, { "!=", CHECKLIST_NE }, { "<>", CHECKLIST_NE },
		{ "<=", CHECKLIST_LE }, { ">=", CHECKLIST_GE }, { "=", CHECKLIST_EQ },
		{ "<", CHECKLIST_LT },  { ">", CHECKLIST_GT },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].op);

		if (c->len - c->pos >= n && memcmp(c->s + c->pos, ops[i].op, n) == 0) {
			c->pos += n;
			c->t = T_CMP;
			c->cmp = ops[i].cmp;
			return;
		}
	}
	c->t = T_BAD;
}

/* Read the next token into c. */
static void next(struct cc *c)
{
	char ch;

	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
		c->pos++;
	c->t_start = c->pos;
	if (c->pos >= c->len) {
		c->t = T_END;
		c->t_len = 0;
		return;
	}
	ch = c->s[c->pos];
	if (ch >= '0' && ch <= '9') {
		lex_number(c);
	} else if (is_name_char(ch)) {
		while (c->pos < c->len && is_name_char(c->s[c->pos]))
			c->pos++;
		c->t_len = c->pos - c->t_start;
		c->t = word_is(c, "AND")   ? T_AND
		       : word_is(c, "OR")  ? T_OR
		       : word_is(c, "NOT") ? T_NOT
					   : T_NAME;
	} else if (ch == '(' || ch == ')') {
		c->pos++;
		c->t = ch == '(' ? T_LPAREN : T_RPAREN;
	} else {
		lex_cmp(c);
		if (c->t == T_BAD)
			c->pos++;
	}
	c->t_len = c->pos - c->t_start;
}

/* ---- compiling -------------------------------------------------------- */

static void emit(struct cc *c, enum checklist_node_kind kind, unsigned arg, int64_t num)
{
	struct checklist_node *n;

	if (c->failed)
		return;
	if (c->out->n >= CHECKLIST_EXPR_NODES) {
		fail(c, "the expression is longer than %d terms", CHECKLIST_EXPR_NODES);
		return;
	}
	n = &c->out->nodes[c->out->n++];
	n->kind = (uint8_t)kind;
	n->arg = (uint8_t)arg;
	n->num = (int32_t)num;
	if (kind == CHECKLIST_NODE_FIGURE)
		c->out->uses_figures = true;
}

/* An operand as read: a number, a question (its index) or a figure. */
struct operand {
	enum checklist_node_kind kind; /* NUM, QUESTION or FIGURE */
	int index;
	int64_t num;
	char text[24];
};

static bool operand(struct cc *c, struct operand *o)
{
	char name[24];

	snprintf(o->text, sizeof(o->text), "%.*s", (int)c->t_len, c->s + c->t_start);
	if (c->t == T_NUM) {
		o->kind = CHECKLIST_NODE_NUM;
		o->num = c->num;
		next(c);
		return true;
	}
	if (c->t != T_NAME) {
		fail(c, "expected a question code, a figure or a number at \"%s\"",
		     c->t == T_END ? "the end" : o->text);
		return false;
	}
	if (c->t_len >= sizeof(name)) {
		fail(c, "\"%s...\" is not a question code or a figure", o->text);
		return false;
	}
	for (size_t i = 0; i < c->t_len; i++) {
		char ch = c->s[c->t_start + i];

		name[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
	}
	name[c->t_len] = '\0';
	next(c);
	o->index = strlen(name) <= 2 ? checklist_question_index(c->form, name) : -1;
	if (o->index >= 0) {
		o->kind = CHECKLIST_NODE_QUESTION;
		return true;
	}
	for (size_t i = 0; i < sizeof(figure_words) / sizeof(figure_words[0]); i++)
		if (strcmp(figure_words[i].name, name) == 0) {
			o->kind = CHECKLIST_NODE_FIGURE;
			o->index = (int)figure_words[i].fig;
			return true;
		}
	fail(c,
	     "\"%s\" is not a question of form \"%s\" nor a figure (VOTERS, WOMEN, "
	     "REGISTERED, REGISTERED_WOMEN)",
	     name, c->form->code);
	return false;
}

/* Check a question operand may be compared with op and the other side. */
static bool usable(struct cc *c, const struct operand *q, enum checklist_cmp op,
		   const struct operand *other)
{
	const struct checklist_question *x = &c->form->questions[q->index];

	if (x->type == CHECKLIST_TEXT) {
		fail(c, "\"%s\" is a text question: a check cannot read it", x->code);
		return false;
	}
	if (x->type == CHECKLIST_MULTI &&
	    ((op != CHECKLIST_EQ && op != CHECKLIST_NE) || other->kind != CHECKLIST_NODE_NUM)) {
		fail(c,
		     "\"%s\" is a multiple-choice question: compare it with = or != and one of "
		     "its options",
		     x->code);
		return false;
	}
	if ((x->type == CHECKLIST_MULTI || x->type == CHECKLIST_CHOICE) &&
	    other->kind == CHECKLIST_NODE_NUM && (op == CHECKLIST_EQ || op == CHECKLIST_NE) &&
	    (other->num > CHECKLIST_MAX_OPTIONS || !(x->options & (1u << other->num)))) {
		fail(c, "%s is not an option of \"%s\"", other->text, x->code);
		return false;
	}
	if (x->type == CHECKLIST_YESNO && other->kind == CHECKLIST_NODE_NUM && other->num != 1 &&
	    other->num != 2) {
		fail(c, "\"%s\" is a yes/no question: compare it with 1 (yes) or 2 (no)", x->code);
		return false;
	}
	return true;
}

static void push_operand(struct cc *c, const struct operand *o)
{
	emit(c, o->kind, o->kind == CHECKLIST_NODE_NUM ? 0u : (unsigned)o->index, o->num);
}

static void comparison(struct cc *c)
{
	struct operand a = { 0 }, b = { 0 };
	enum checklist_cmp op;

	if (!operand(c, &a))
		return;
	if (c->t != T_CMP) {
		fail(c, "expected a comparison (=, !=, <, <=, >, >=) after \"%s\"", a.text);
		return;
	}
	op = c->cmp;
	next(c);
	if (!operand(c, &b))
		return;
	if (a.kind == CHECKLIST_NODE_QUESTION && !usable(c, &a, op, &b))
		return;
	if (b.kind == CHECKLIST_NODE_QUESTION && !usable(c, &b, op, &a))
		return;
	if (a.kind == CHECKLIST_NODE_NUM && b.kind == CHECKLIST_NODE_NUM) {
		fail(c, "\"%s %s %s\" compares two numbers", a.text, cmp_names[op], b.text);
		return;
	}
	if (b.kind == CHECKLIST_NODE_QUESTION &&
	    c->form->questions[b.index].type == CHECKLIST_MULTI) {
		struct operand t = a;

		a = b;
		b = t;
	}
	if (a.kind == CHECKLIST_NODE_QUESTION &&
	    c->form->questions[a.index].type == CHECKLIST_MULTI) {
		emit(c, CHECKLIST_NODE_HAS, (unsigned)a.index, b.num);
		if (op == CHECKLIST_NE)
			emit(c, CHECKLIST_NODE_NOT, 0, 0);
		return;
	}
	push_operand(c, &a);
	push_operand(c, &b);
	emit(c, CHECKLIST_NODE_CMP, op, 0);
}

static void expr_or(struct cc *c);

static void expr_not(struct cc *c)
{
	if (c->failed)
		return;
	if (++c->depth > CHECKLIST_EXPR_DEPTH) {
		fail(c, "the expression nests deeper than %d", CHECKLIST_EXPR_DEPTH);
		return;
	}
	if (c->t == T_NOT) {
		next(c);
		expr_not(c);
		emit(c, CHECKLIST_NODE_NOT, 0, 0);
	} else if (c->t == T_LPAREN) {
		next(c);
		expr_or(c);
		if (!c->failed && c->t != T_RPAREN)
			fail(c, "a \"(\" is not closed");
		next(c);
	} else {
		comparison(c);
	}
	c->depth--;
}

static void expr_and(struct cc *c)
{
	expr_not(c);
	while (!c->failed && c->t == T_AND) {
		next(c);
		expr_not(c);
		emit(c, CHECKLIST_NODE_AND, 0, 0);
	}
}

static void expr_or(struct cc *c)
{
	expr_and(c);
	while (!c->failed && c->t == T_OR) {
		next(c);
		expr_and(c);
		emit(c, CHECKLIST_NODE_OR, 0, 0);
	}
}

bool checklist_expr_compile(const struct checklist_form *form, const char *src, size_t len,
			    struct checklist_expr *out, char *err, size_t cap)
{
	struct cc c = { .form = form, .s = src, .len = len, .out = out, .err = err, .cap = cap };

	memset(out, 0, sizeof(*out));
	if (cap > 0)
		err[0] = '\0';
	if (memchr(src, '\0', len) != NULL) {
		fail(&c, "the expression holds a NUL byte");
		return false;
	}
	next(&c);
	if (c.t == T_END) {
		fail(&c, "the expression is empty");
		return false;
	}
	expr_or(&c);
	if (!c.failed && c.t != T_END)
		fail(&c, "unexpected \"%.*s\" at position %zu", (int)(c.t_len ? c.t_len : 1),
		     src + c.t_start, c.t_start + 1);
	return !c.failed;
}

/* ---- evaluating ------------------------------------------------------- */

struct val {
	enum checklist_truth known; /* UNKNOWN, or TRUE for a known number */
	int64_t v;
};

static enum checklist_truth truth(bool b)
{
	return b ? CHECKLIST_TRUE : CHECKLIST_FALSE;
}

static enum checklist_truth compare(enum checklist_cmp op, int64_t a, int64_t b)
{
	switch (op) {
	case CHECKLIST_EQ: return truth(a == b);
	case CHECKLIST_NE: return truth(a != b);
	case CHECKLIST_LT: return truth(a < b);
	case CHECKLIST_LE: return truth(a <= b);
	case CHECKLIST_GT: return truth(a > b);
	case CHECKLIST_GE: return truth(a >= b);
	}
	return CHECKLIST_UNKNOWN;
}

static enum checklist_truth kleene_and(enum checklist_truth a, enum checklist_truth b)
{
	if (a == CHECKLIST_FALSE || b == CHECKLIST_FALSE)
		return CHECKLIST_FALSE;
	return a == CHECKLIST_TRUE && b == CHECKLIST_TRUE ? CHECKLIST_TRUE : CHECKLIST_UNKNOWN;
}

static enum checklist_truth kleene_or(enum checklist_truth a, enum checklist_truth b)
{
	if (a == CHECKLIST_TRUE || b == CHECKLIST_TRUE)
		return CHECKLIST_TRUE;
	return a == CHECKLIST_FALSE && b == CHECKLIST_FALSE ? CHECKLIST_FALSE : CHECKLIST_UNKNOWN;
}

static enum checklist_truth kleene_not(enum checklist_truth a)
{
	return a == CHECKLIST_TRUE    ? CHECKLIST_FALSE
	       : a == CHECKLIST_FALSE ? CHECKLIST_TRUE
				      : CHECKLIST_UNKNOWN;
}

/* One node over the stack st of *sp entries; false when malformed. */
static bool step(const struct checklist_node *n, const struct checklist_values *v, struct val *st,
		 size_t *sp)
{
	struct val a, b;
	bool known;

	switch ((enum checklist_node_kind)n->kind) {
	case CHECKLIST_NODE_NUM: st[(*sp)++] = (struct val){ CHECKLIST_TRUE, n->num }; return true;
	case CHECKLIST_NODE_QUESTION:
	case CHECKLIST_NODE_HAS:
		known = n->arg < 64 && (v->known >> n->arg & 1u);
		if (!known)
			st[(*sp)++] = (struct val){ CHECKLIST_UNKNOWN, 0 };
		else if (n->kind == CHECKLIST_NODE_QUESTION)
			st[(*sp)++] = (struct val){ CHECKLIST_TRUE, v->value[n->arg] };
		else
			st[(*sp)++] = (struct val){ (n->num >= 0 && n->num < 63 &&
						     (v->value[n->arg] >> n->num & 1))
							    ? CHECKLIST_TRUE
							    : CHECKLIST_FALSE,
						    0 };
		return true;
	case CHECKLIST_NODE_FIGURE:
		known = n->arg < CHECKLIST_FIG_COUNT && (v->fig_known >> n->arg & 1u);
		st[(*sp)++] = (struct val){ known ? CHECKLIST_TRUE : CHECKLIST_UNKNOWN,
					    known ? v->fig[n->arg] : 0 };
		return true;
	case CHECKLIST_NODE_NOT:
		if (*sp < 1)
			return false;
		st[*sp - 1].known = kleene_not(st[*sp - 1].known);
		return true;
	case CHECKLIST_NODE_CMP:
	case CHECKLIST_NODE_AND:
	case CHECKLIST_NODE_OR: break;
	default: return false;
	}
	if (*sp < 2)
		return false;
	b = st[--(*sp)];
	a = st[--(*sp)];
	if (n->kind == CHECKLIST_NODE_CMP)
		a.known = a.known == CHECKLIST_TRUE && b.known == CHECKLIST_TRUE
				  ? compare((enum checklist_cmp)n->arg, a.v, b.v)
				  : CHECKLIST_UNKNOWN;
	else if (n->kind == CHECKLIST_NODE_AND)
		a.known = kleene_and(a.known, b.known);
	else
		a.known = kleene_or(a.known, b.known);
	st[(*sp)++] = a;
	return true;
}

enum checklist_truth checklist_expr_eval(const struct checklist_expr *e,
					 const struct checklist_values *v)
{
	struct val st[CHECKLIST_EXPR_NODES];
	size_t sp = 0;

	for (size_t i = 0; i < e->n && i < CHECKLIST_EXPR_NODES; i++)
		if (!step(&e->nodes[i], v, st, &sp))
			return CHECKLIST_UNKNOWN;
	return sp == 1 ? st[0].known : CHECKLIST_UNKNOWN;
}

/* ---- JSON ------------------------------------------------------------- */

void checklist_expr_json(const struct checklist_expr *e, const struct checklist_form *form,
			 struct json_buf *j, const char *key)
{
	static const char *const kinds[] = {
		[CHECKLIST_NODE_NUM] = "num",    [CHECKLIST_NODE_QUESTION] = "q",
		[CHECKLIST_NODE_FIGURE] = "fig", [CHECKLIST_NODE_HAS] = "has",
		[CHECKLIST_NODE_CMP] = "cmp",    [CHECKLIST_NODE_AND] = "and",
		[CHECKLIST_NODE_OR] = "or",      [CHECKLIST_NODE_NOT] = "not",
	};

	json_open_array(j, key);
	for (size_t i = 0; i < e->n; i++) {
		const struct checklist_node *n = &e->nodes[i];
		const char *k = n->kind <= CHECKLIST_NODE_NOT ? kinds[n->kind] : "not";

		json_open_object(j, NULL);
		json_string(j, "k", k, strlen(k));
		if (n->kind == CHECKLIST_NODE_NUM || n->kind == CHECKLIST_NODE_HAS)
			json_int(j, "n", n->num);
		if ((n->kind == CHECKLIST_NODE_QUESTION || n->kind == CHECKLIST_NODE_HAS) &&
		    n->arg < form->n_questions)
			json_string(j, "q", form->questions[n->arg].code,
				    strlen(form->questions[n->arg].code));
		if (n->kind == CHECKLIST_NODE_FIGURE) {
			const char *f = checklist_figure_name((enum checklist_figure)n->arg);

			json_string(j, "f", f, strlen(f));
		}
		if (n->kind == CHECKLIST_NODE_CMP)
			json_string(j, "op", cmp_names[n->arg % 6], strlen(cmp_names[n->arg % 6]));
		json_close_object(j);
	}
	json_close_array(j);
}
