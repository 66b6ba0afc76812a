/*
 * fuzz_checklist.c - fuzz the checklist SMS grammar (checklist_parse.c)
 * and the checklist definitions reader (checklist.c).
 *
 * Every input is parsed as a message against a fixed pair of forms, as
 * UTF-8 and as UCS-2, and checked: spans inside the input, answers only
 * for questions of the form and within their rules, each question at most
 * once, the match of the dispatch agreeing with the parse, the same result
 * after a UCS-2 round trip, every reply rendering in one segment in every
 * language.  The input is also read as a definitions file;
 * when it defines forms, their canonical text reads back to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "checklist_parse.h"
#include "checklist_reply.h"
#include "reply.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char forms_csv[] =
	"form,kind,code,type,min,max,required,group,option,alias_ar,alias_fr,ar,en,fr\n"
	"OP,form,,,,,,,,\xd8\xa7\xd8\xb3\xd8\xaa\xd9\x85\xd8\xa7\xd8\xb1\xd8\xa9,OUVR,,Opening,\n"
	"OP,question,AA,yesno,,,yes,1,,,,,A,\n"
	"OP,question,AB,integer,0,50,yes,1,,,,,B,\n"
	"OP,question,AC,multi,,,no,1,,,,,C,\n"
	"OP,option,AC,,,,,,1,,,,One,\n"
	"OP,option,AC,,,,,,3,,,,Three,\n"
	"OP,question,AD,choice,,,no,2,,,,,D,\n"
	"OP,option,AD,,,,,,2,,,,Two,\n"
	"OP,question,Z,text,,,no,2,,,,,Z,\n"
	"CL,form,,,,,,,,,CLOT,,Closing,\n"
	"CL,question,BA,integer,0,999999999,yes,1,,,,,BA,\n";

static struct checklist_set *forms(void)
{
	static struct checklist_set *set;

	if (set == NULL) {
		set = checklist_set_new();
		if (set == NULL || !checklist_set_parse(set, forms_csv, sizeof(forms_csv) - 1) ||
		    checklist_set_n_forms(set) != 2)
			abort();
	}
	return set;
}

static void check_span(struct parse_span s, size_t len)
{
	if ((size_t)s.off + s.len > len)
		abort();
}

static void check_msg(const struct checklist_set *set, const struct checklist_msg *m,
		      const char *text, size_t len)
{
	uint64_t seen = 0;

	if ((unsigned)m->error >= CHECKLIST_ERROR_COUNT || m->lang >= LANG_COUNT ||
	    m->n_problems > CHECKLIST_MAX_PROBLEMS)
		abort();
	check_span(m->err_span, len);
	if (m->error == CHECKLIST_OK &&
	    (m->form == NULL || m->n_answers == 0 || checklist_match(set, text, len) != m->form))
		abort();
	if (strlen(m->pin) != 0 && (strlen(m->pin) < 4 || strlen(m->pin) > 8))
		abort();
	for (size_t i = 0; i < m->n_answers; i++) {
		const struct checklist_answer *a = &m->answers[i];
		const struct checklist_question *q;

		if (m->form == NULL || a->q >= m->form->n_questions || (seen >> a->q) & 1)
			abort();
		seen |= UINT64_C(1) << a->q;
		check_span(a->text, len);
		q = &m->form->questions[a->q];
		switch (q->type) {
		case CHECKLIST_INTEGER:
			if ((int64_t)a->value < q->min || (int64_t)a->value > q->max)
				abort();
			break;
		case CHECKLIST_YESNO:
			if (a->value != 1 && a->value != 2)
				abort();
			break;
		case CHECKLIST_CHOICE:
			if (a->value > 9 || !(q->options & (1u << a->value)))
				abort();
			break;
		case CHECKLIST_MULTI:
			if (a->value == 0 || (a->value & ~(uint32_t)q->options))
				abort();
			break;
		case CHECKLIST_TEXT:
			if (a->text.len == 0)
				abort();
			break;
		}
	}
	if (seen != m->answered)
		abort();
	for (size_t i = 0; i < m->n_problems; i++)
		check_span(m->problems[i].span, len);
	/* every reply renders, in one segment, in every language */
	for (int l = 0; l < LANG_COUNT; l++) {
		char buf[REPLY_MAX];
		uint64_t miss = m->form ? checklist_missing(m->form, m->answered, m->groups) : 0;

		if (checklist_reply(m, (enum lang)l, miss, buf, sizeof(buf)) <= 0)
			abort();
	}
}

static void parse_checked(const char *text, size_t len, struct checklist_msg *m)
{
	const struct checklist_set *set = forms();
	bool ok = checklist_parse(set, text, len, LANG_EN, m);

	if (ok != (m->error == CHECKLIST_OK))
		abort();
	check_msg(set, m, text, len);
}

static void round_trip(const char *text, size_t len, const struct checklist_msg *m1)
{
	static uint8_t ucs2[2 * (PARSE_MAX_BYTES + 1)];
	static char back[PARSE_MAX_BYTES + 1];
	struct checklist_msg m2;
	size_t n, blen;

	if (len > PARSE_MAX_BYTES || utf8_validate(text, len) != len)
		return;
	if (utf8_to_ucs2(text, len, ucs2, sizeof(ucs2), &n) != UTF8_CONV_OK ||
	    utf8_from_ucs2(ucs2, n, back, sizeof(back), &blen) != UTF8_CONV_OK || blen != len)
		return;
	parse_checked(back, blen, &m2);
	if (m2.error != m1->error || m2.form != m1->form || m2.answered != m1->answered ||
	    m2.n_problems != m1->n_problems || strcmp(m2.station, m1->station) != 0 ||
	    strcmp(m2.pin, m1->pin) != 0)
		abort();
}

/* Definitions: a set that reads well writes a canonical text that reads back the same. */
static void definitions(const char *text, size_t len)
{
	static char a[1 << 20], b[1 << 20];
	struct checklist_set *set = checklist_set_new(), *again = NULL;
	struct strbuf sa, sb;

	if (set == NULL || !checklist_set_parse(set, text, len))
		abort();
	if (checklist_set_n_errors(set) > 0 || checklist_set_n_forms(set) == 0)
		goto done;
	strbuf_init(&sa, a, sizeof(a));
	strbuf_puts(&sa, checklist_canonical_header);
	for (size_t i = 0; i < checklist_set_n_forms(set); i++)
		checklist_form_canonical(checklist_set_form(set, i), &sa);
	if (sa.overflow || (again = checklist_set_new()) == NULL ||
	    !checklist_set_parse(again, a, sa.len) || checklist_set_n_errors(again) > 0)
		abort();
	strbuf_init(&sb, b, sizeof(b));
	strbuf_puts(&sb, checklist_canonical_header);
	for (size_t i = 0; i < checklist_set_n_forms(again); i++)
		checklist_form_canonical(checklist_set_form(again, i), &sb);
	if (sb.len != sa.len || memcmp(a, b, sa.len) != 0)
		abort();
done:
	checklist_set_free(again);
	checklist_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char conv[3 * 4096 + 1];
	struct checklist_msg m;
	size_t n;

	parse_checked((const char *)data, size, &m);
	round_trip((const char *)data, size, &m);
	if (size <= 4096 && utf8_from_ucs2(data, size, conv, sizeof(conv), &n) == UTF8_CONV_OK)
		parse_checked(conv, n, &m);
	if (size <= 64 * 1024)
		definitions((const char *)data, size);
	return 0;
}
