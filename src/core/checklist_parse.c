/*
 * checklist_parse.c - the SMS grammar of observation checklists; see
 * checklist_parse.h.
 */
#include "checklist_parse.h"

#include <string.h>

#include "utf8.h"

static const char *const error_codes[CHECKLIST_ERROR_COUNT] = {
	[CHECKLIST_OK] = "ok",
	[CHECKLIST_ERR_EMPTY_MESSAGE] = "empty_message",
	[CHECKLIST_ERR_MESSAGE_TOO_LONG] = "message_too_long",
	[CHECKLIST_ERR_INVALID_UTF8] = "invalid_utf8",
	[CHECKLIST_ERR_CONTROL_CHARACTER] = "control_character",
	[CHECKLIST_ERR_UNKNOWN_FORM] = "unknown_form",
	[CHECKLIST_ERR_MISSING_STATION] = "missing_station",
	[CHECKLIST_ERR_BAD_STATION] = "bad_station",
	[CHECKLIST_ERR_MALFORMED_PIN] = "malformed_pin",
	[CHECKLIST_ERR_NO_ANSWERS] = "no_answers",
	[CHECKLIST_ERR_OUTSIDE_WINDOW] = "outside_window",
};

const char *checklist_error_code(enum checklist_error err)
{
	return (unsigned)err < CHECKLIST_ERROR_COUNT ? error_codes[err] : "unknown";
}

static const char *const problem_names[CHECKLIST_PROBLEM_COUNT] = {
	[CHECKLIST_UNKNOWN_CODE] = "unknown_code",
	[CHECKLIST_BAD_VALUE] = "bad_value",
	[CHECKLIST_MISSING_VALUE] = "missing_value",
	[CHECKLIST_DUPLICATE] = "duplicate",
	[CHECKLIST_STRAY] = "stray",
};

const char *checklist_problem_name(enum checklist_problem_kind k)
{
	return (unsigned)k < CHECKLIST_PROBLEM_COUNT ? problem_names[k] : "unknown";
}

/* ---- characters ------------------------------------------------------- */

enum cc {
	CC_SEP,    /* white space, punctuation, symbols: splits tokens */
	CC_DIGIT,  /* any decimal digit */
	CC_NUMCH,  /* O, I, l: a digit inside a value, a letter in a form code */
	CC_LETTER, /* other Latin letters */
	CC_ARABIC, /* Arabic letters */
	CC_HASH,   /* '#', starts a PIN */
	CC_IGNORE, /* tatweel, harakat: as if absent */
	CC_CONTROL,
};

static enum cc classify(uint32_t c)
{
	if (utf8_digit_value(c) >= 0)
		return CC_DIGIT;
	if (c == 'O' || c == 'o' || c == 'I' || c == 'i' || c == 'l' || c == 'L')
		return CC_NUMCH;
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return CC_LETTER;
	if (c == '#' || c == 0xff03)
		return CC_HASH;
	if (c == '\t' || c == '\n' || c == '\r')
		return CC_SEP;
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return CC_CONTROL;
	if (c >= 0x600 && c <= 0x6ff) {
		if (checklist_fold_cp(c) == 0)
			return CC_IGNORE;
		if ((c >= 0x621 && c <= 0x64a) || (c >= 0x671 && c <= 0x6d3))
			return CC_ARABIC;
		return CC_SEP;
	}
	return CC_SEP;
}

/* The value a CC_DIGIT or CC_NUMCH code point stands for. */
static int digit_of(uint32_t c)
{
	int d = utf8_digit_value(c);

	if (d >= 0)
		return d;
	return (c == 'O' || c == 'o') ? 0 : 1;
}

/* ---- tokens ----------------------------------------------------------- */

enum item_kind {
	IT_END,
	IT_CODE, /* Latin letters without O, I, l */
	IT_NUM,  /* digits (and O, I, l) */
	IT_WORD, /* Arabic letters */
	IT_PIN,  /* #digits */
};

#define NUM_KEEP 12 /* digits of a value kept; more means too large */

struct item {
	enum item_kind kind;
	size_t off, end;         /* bytes of the input */
	char text[NUM_KEEP + 1]; /* CODE: letters upper case; NUM, PIN: digits */
	size_t n;                /* letters or digits in the token (may exceed what is kept) */
	bool real_digit;         /* NUM: holds a true digit, not only O, I, l */
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	struct checklist_msg *out;
};

/* Decode at pos without moving; 0 at the end. */
static uint32_t peek(const struct parser *p, size_t *next)
{
	size_t pos = p->pos;
	uint32_t cp = 0;

	if (pos >= p->len || !utf8_decode(p->s, p->len, &pos, &cp))
		return 0;
	*next = pos;
	return cp;
}

static void keep(struct item *it, char c)
{
	if (it->n < NUM_KEEP)
		it->text[it->n] = c;
	it->n++;
	it->text[it->n < NUM_KEEP ? it->n : NUM_KEEP] = '\0';
}

/* The next token; separators skipped. */
static void next_item(struct parser *p, struct item *it)
{
	size_t next;
	uint32_t c;
	enum cc k;

	memset(it, 0, sizeof(*it));
	for (;;) {
		c = peek(p, &next);
		if (c == 0) {
			it->kind = IT_END;
			it->off = it->end = p->len;
			return;
		}
		k = classify(c);
		if (k != CC_SEP && k != CC_IGNORE)
			break;
		p->pos = next;
	}
	it->off = p->pos;
	if (k == CC_HASH) {
		p->pos = next;
		it->kind = IT_PIN;
		while ((c = peek(p, &next)) != 0 && classify(c) == CC_DIGIT) {
			keep(it, (char)('0' + digit_of(c)));
			p->pos = next;
		}
	} else if (k == CC_DIGIT || k == CC_NUMCH) {
		it->kind = IT_NUM;
		while ((c = peek(p, &next)) != 0 &&
		       ((k = classify(c)) == CC_DIGIT || k == CC_NUMCH || k == CC_IGNORE)) {
			if (k != CC_IGNORE) {
				keep(it, (char)('0' + digit_of(c)));
				it->real_digit = it->real_digit || k == CC_DIGIT;
			}
			p->pos = next;
		}
	} else if (k == CC_LETTER) {
		it->kind = IT_CODE;
		while ((c = peek(p, &next)) != 0 && classify(c) == CC_LETTER) {
			keep(it, (char)checklist_fold_cp(c));
			p->pos = next;
		}
	} else {
		it->kind = IT_WORD;
		while ((c = peek(p, &next)) != 0 &&
		       ((k = classify(c)) == CC_ARABIC || k == CC_LETTER || k == CC_NUMCH ||
			k == CC_IGNORE))
			p->pos = next;
	}
	it->end = p->pos;
}

static struct parse_span span(size_t off, size_t end)
{
	struct parse_span s = { (uint16_t)off, (uint16_t)(end - off) };
	return s;
}

static bool fail(struct parser *p, enum checklist_error err, size_t off, size_t end)
{
	p->out->error = err;
	p->out->err_span = span(off, end);
	return false;
}

/* ---- the form word ---------------------------------------------------- */

/*
 * Read the first word at p->pos: a run of Latin or Arabic letters, folded
 * into buf.  Stops at a digit, a separator, '#' or the end.
 */
static bool form_word(struct parser *p, char *buf, size_t cap, size_t *off, size_t *end)
{
	size_t n = 0, next;
	uint32_t c;
	enum cc k;

	while ((c = peek(p, &next)) != 0 && ((k = classify(c)) == CC_SEP || k == CC_IGNORE))
		p->pos = next;
	*off = p->pos;
	while ((c = peek(p, &next)) != 0 && ((k = classify(c)) == CC_LETTER || k == CC_NUMCH ||
					     k == CC_ARABIC || k == CC_IGNORE)) {
		uint32_t f = checklist_fold_cp(c);
		char enc[4];
		size_t e;

		p->pos = next;
		if (f == 0)
			continue;
		e = utf8_encode(f, enc);
		if (n + e + 1 > cap) {
			/* longer than any code or alias: not a form */
			while ((c = peek(p, &next)) != 0 &&
			       ((k = classify(c)) == CC_LETTER || k == CC_NUMCH || k == CC_ARABIC ||
				k == CC_IGNORE))
				p->pos = next;
			*end = p->pos;
			buf[0] = '\0';
			return false;
		}
		memcpy(buf + n, enc, e);
		n += e;
	}
	buf[n] = '\0';
	*end = p->pos;
	return n > 0;
}

/* Skip a leading #PIN (kept in out) so the form word can be read. */
static bool leading_pin(struct parser *p)
{
	size_t next, save = p->pos;
	uint32_t c;
	struct item it;

	while ((c = peek(p, &next)) != 0 && (classify(c) == CC_SEP || classify(c) == CC_IGNORE))
		p->pos = next;
	if (c == 0 || classify(c) != CC_HASH) {
		p->pos = save;
		return true;
	}
	next_item(p, &it);
	if (it.n < PARSE_PIN_MIN || it.n > PARSE_PIN_MAX)
		return fail(p, CHECKLIST_ERR_MALFORMED_PIN, it.off, it.end);
	memcpy(p->out->pin, it.text, it.n + 1);
	return true;
}

const struct checklist_form *checklist_match(const struct checklist_set *set, const char *utf8,
					     size_t len)
{
	struct checklist_msg scratch;
	struct parser p = { .s = utf8, .len = len, .out = &scratch };
	char word[CHECKLIST_ALIAS_MAX];
	size_t off, end;

	if (set == NULL || len > PARSE_MAX_BYTES)
		return NULL;
	memset(&scratch, 0, sizeof(scratch));
	if (!leading_pin(&p) || !form_word(&p, word, sizeof(word), &off, &end))
		return NULL;
	return checklist_set_find(set, word);
}

/* ---- answers ---------------------------------------------------------- */

static void problem(struct parser *p, enum checklist_problem_kind kind, int q, const char *code,
		    size_t off, size_t end)
{
	struct checklist_msg *m = p->out;
	struct checklist_problem *pr;

	if (q >= 0)
		m->groups |= (uint16_t)(1u << m->form->questions[q].group);
	if (m->n_problems >= CHECKLIST_MAX_PROBLEMS) {
		if (m->more_problems < UINT8_MAX)
			m->more_problems++;
		return;
	}
	pr = &m->problems[m->n_problems++];
	pr->kind = kind;
	pr->q = (int8_t)q;
	pr->code[0] = '\0';
	if (code != NULL) {
		size_t n = strlen(code);

		if (n > 3)
			n = 3;
		memcpy(pr->code, code, n);
		pr->code[n] = '\0';
	}
	pr->span = span(off, end);
}

/* The value of a NUM for question q, or false (bad value). */
static bool value_of(const struct checklist_question *q, const struct item *num, uint32_t *v)
{
	uint32_t x = 0;

	if (num->n > NUM_KEEP)
		return false;
	switch (q->type) {
	case CHECKLIST_INTEGER:
		if (num->n > PARSE_NUMBER_MAX_DIGITS)
			return false;
		for (size_t i = 0; i < num->n; i++)
			x = x * 10 + (uint32_t)(num->text[i] - '0');
		if ((int64_t)x < q->min || (int64_t)x > q->max)
			return false;
		break;
	case CHECKLIST_YESNO:
		if (num->n != 1 || (num->text[0] != '1' && num->text[0] != '2'))
			return false;
		x = (uint32_t)(num->text[0] - '0');
		break;
	case CHECKLIST_CHOICE:
		if (num->n != 1 || !(q->options & (1u << (num->text[0] - '0'))))
			return false;
		x = (uint32_t)(num->text[0] - '0');
		break;
	case CHECKLIST_MULTI:
		for (size_t i = 0; i < num->n; i++) {
			unsigned d = (unsigned)(num->text[i] - '0');

			if (d == 0 || !(q->options & (1u << d)))
				return false;
			x |= 1u << d;
		}
		break;
	case CHECKLIST_TEXT: return false;
	}
	*v = x;
	return true;
}

static struct checklist_answer *answer_of(struct checklist_msg *m, int q)
{
	for (size_t i = 0; i < m->n_answers; i++)
		if (m->answers[i].q == q)
			return &m->answers[i];
	return NULL;
}

static void drop_answer(struct checklist_msg *m, int q)
{
	for (size_t i = 0; i < m->n_answers; i++)
		if (m->answers[i].q == q) {
			memmove(&m->answers[i], &m->answers[i + 1],
				(m->n_answers - i - 1) * sizeof(m->answers[0]));
			m->n_answers--;
			break;
		}
	m->answered &= ~(UINT64_C(1) << q);
}

static bool dup_reported(const struct checklist_msg *m, int q)
{
	for (size_t i = 0; i < m->n_problems; i++)
		if (m->problems[i].kind == CHECKLIST_DUPLICATE && m->problems[i].q == q)
			return true;
	return false;
}

/* Record a good answer, or a duplicate when q already has another value. */
static void add_answer(struct parser *p, int q, uint32_t v, struct parse_span text, size_t off,
		       size_t end)
{
	struct checklist_msg *m = p->out;
	struct checklist_answer *a = answer_of(m, q);

	m->groups |= (uint16_t)(1u << m->form->questions[q].group);
	if (dup_reported(m, q))
		return;
	if (a != NULL) {
		bool same =
			m->form->questions[q].type == CHECKLIST_TEXT
				? a->text.len == text.len &&
					  memcmp(p->s + a->text.off, p->s + text.off, text.len) == 0
				: a->value == v;

		if (!same) {
			drop_answer(m, q);
			problem(p, CHECKLIST_DUPLICATE, q, m->form->questions[q].code, off, end);
		}
		return;
	}
	a = &m->answers[m->n_answers++];
	a->q = (uint8_t)q;
	a->value = v;
	a->text = text;
	m->answered |= UINT64_C(1) << q;
}

/* A PIN token met among the answers. */
static bool take_pin(struct parser *p, const struct item *it)
{
	if (it->n < PARSE_PIN_MIN || it->n > PARSE_PIN_MAX ||
	    (p->out->pin[0] != '\0' && strcmp(p->out->pin, it->text) != 0))
		return fail(p, CHECKLIST_ERR_MALFORMED_PIN, it->off, it->end);
	memcpy(p->out->pin, it->text, it->n + 1);
	return true;
}

/*
 * A text answer: the rest of the message, trimmed, less a final #PIN.
 * Returns false when that PIN is malformed.
 */
static bool take_text(struct parser *p, int q, const struct item *code)
{
	size_t a = p->pos, b = p->len, next;
	uint32_t c;

	while ((c = peek(p, &next)) != 0 && classify(c) == CC_SEP)
		p->pos = next;
	a = p->pos;
	/* a final "#digits" is the PIN, not part of the text */
	for (size_t i = b; i > a; i--) {
		if (p->s[i - 1] == '#') {
			struct parser sub = {
				.s = p->s, .len = p->len, .pos = i - 1, .out = p->out
			};
			struct item it;

			next_item(&sub, &it);
			if (it.n > 0 && it.end == b) {
				if (!take_pin(p, &it))
					return false;
				b = i - 1;
			}
			break;
		}
		if (!(p->s[i - 1] >= '0' && p->s[i - 1] <= '9') && p->s[i - 1] != ' ')
			break;
	}
	while (b > a && (p->s[b - 1] == ' ' || p->s[b - 1] == '\t' || p->s[b - 1] == '\n' ||
			 p->s[b - 1] == '\r'))
		b--;
	p->pos = p->len;
	if (b == a) {
		problem(p, CHECKLIST_MISSING_VALUE, q, code->text, code->off, code->end);
		return true;
	}
	add_answer(p, q, 0, span(a, b), code->off, b);
	return true;
}

static bool parse_answers(struct parser *p)
{
	const struct checklist_form *f = p->out->form;
	struct item it, val;

	next_item(p, &it);
	while (it.kind != IT_END) {
		int q;

		if (it.kind == IT_PIN) {
			if (!take_pin(p, &it))
				return false;
			next_item(p, &it);
			continue;
		}
		if (it.kind != IT_CODE) {
			problem(p, CHECKLIST_STRAY, -1, NULL, it.off, it.end);
			next_item(p, &it);
			continue;
		}
		q = it.n <= 2 ? checklist_question_index(f, it.text) : -1;
		if (q >= 0 && f->questions[q].type == CHECKLIST_TEXT) {
			if (!take_text(p, q, &it))
				return false;
			break;
		}
		next_item(p, &val);
		while (val.kind == IT_PIN) {
			if (!take_pin(p, &val))
				return false;
			next_item(p, &val);
		}
		if (q < 0) {
			problem(p, CHECKLIST_UNKNOWN_CODE, -1, it.text, it.off,
				val.kind == IT_NUM ? val.end : it.end);
			if (val.kind == IT_NUM)
				next_item(p, &val);
		} else if (val.kind != IT_NUM) {
			problem(p, CHECKLIST_MISSING_VALUE, q, it.text, it.off, it.end);
		} else {
			uint32_t v;

			if (value_of(&f->questions[q], &val, &v))
				add_answer(p, q, v, span(0, 0), it.off, val.end);
			else
				problem(p, CHECKLIST_BAD_VALUE, q, it.text, it.off, val.end);
			next_item(p, &val);
		}
		it = val;
	}
	if (p->out->n_answers == 0)
		return fail(p, CHECKLIST_ERR_NO_ANSWERS, p->len, p->len);
	return true;
}

/* Reject invalid UTF-8 and control characters before anything else. */
static bool prescan(struct parser *p)
{
	size_t pos = 0, at;
	uint32_t c;
	bool any = false;

	while (pos < p->len) {
		at = pos;
		if (!utf8_decode(p->s, p->len, &pos, &c))
			return fail(p, CHECKLIST_ERR_INVALID_UTF8, at, at + 1);
		if (classify(c) == CC_CONTROL)
			return fail(p, CHECKLIST_ERR_CONTROL_CHARACTER, at, pos);
		any = any || (classify(c) != CC_SEP && classify(c) != CC_IGNORE);
	}
	if (!any)
		return fail(p, CHECKLIST_ERR_EMPTY_MESSAGE, 0, 0);
	return true;
}

bool checklist_parse(const struct checklist_set *set, const char *utf8, size_t len,
		     enum lang fallback, struct checklist_msg *out)
{
	struct parser p = { .s = utf8, .len = len, .out = out };
	char word[CHECKLIST_ALIAS_MAX];
	size_t off = 0, end = 0;
	struct item st;

	memset(out, 0, sizeof(*out));
	out->lang = fallback;
	if (len > PARSE_MAX_BYTES) {
		p.len = 0;
		return fail(&p, CHECKLIST_ERR_MESSAGE_TOO_LONG, 0, 0);
	}
	if (!prescan(&p) || !leading_pin(&p))
		return false;
	if (!form_word(&p, word, sizeof(word), &off, &end) || set == NULL ||
	    (out->form = checklist_set_find(set, word)) == NULL)
		return fail(&p, CHECKLIST_ERR_UNKNOWN_FORM, off, end);
	if (out->form->fold_ar[0] && strcmp(word, out->form->fold_ar) == 0)
		out->lang = LANG_AR;
	else if (out->form->fold_fr[0] && strcmp(word, out->form->fold_fr) == 0)
		out->lang = LANG_FR;
	next_item(&p, &st);
	while (st.kind == IT_PIN) {
		if (!take_pin(&p, &st))
			return false;
		next_item(&p, &st);
	}
	if (st.kind == IT_END)
		return fail(&p, CHECKLIST_ERR_MISSING_STATION, len, len);
	if (st.kind != IT_NUM || !st.real_digit || st.n > PARSE_STATION_MAX)
		return fail(&p, CHECKLIST_ERR_BAD_STATION, st.off, st.end);
	memcpy(out->station, st.text, st.n + 1);
	return parse_answers(&p);
}

uint64_t checklist_missing(const struct checklist_form *form, uint64_t answered, uint16_t groups)
{
	uint64_t miss = 0;

	for (int i = 0; i < form->n_questions; i++) {
		const struct checklist_question *q = &form->questions[i];

		if (q->required && !(answered & (UINT64_C(1) << i)) &&
		    (groups == 0 || (groups & (1u << q->group))))
			miss |= UINT64_C(1) << i;
	}
	return miss;
}

void checklist_msg_values(const struct checklist_msg *m, struct checklist_values *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->n_answers; i++) {
		const struct checklist_answer *a = &m->answers[i];

		if (a->q >= CHECKLIST_MAX_QUESTIONS || m->form == NULL ||
		    m->form->questions[a->q].type == CHECKLIST_TEXT)
			continue;
		out->known |= UINT64_C(1) << a->q;
		out->value[a->q] = a->value;
	}
}
