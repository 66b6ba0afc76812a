/*
 * test_checklist.c - checklist definitions (checklist.c) and the checklist
 * SMS grammar (checklist_parse.c), without a database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "checklist_expr.h"
#include "json.h"
#include "checklist_decide.h"
#include "checklist_parse.h"
#include "checklist_reply.h"
#include "gsm7.h"
#include "parse.h"
#include "reply.h"
#include "file.h"
#include "utf8.h"

#define HEADER \
	"form,kind,code,type,min,max,required,group,option,alias_ar,alias_fr,window,ar,en,fr\n"

static char *read_data(const char *name, size_t *len)
{
	char path[512], err[256];
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", SAWT_TEST_DATA, name);
	buf = file_read_all(path, 1 << 20, len, err, sizeof(err));
	if (buf == NULL)
		fail_msg("%s", err);
	return buf;
}

static struct checklist_set *load(const char *text, size_t len)
{
	struct checklist_set *set = checklist_set_new();

	assert_non_null(set);
	assert_true(checklist_set_parse(set, text, len));
	return set;
}

static struct checklist_set *load_good(void)
{
	size_t len;
	char *buf = read_data("checklists/good.csv", &len);
	struct checklist_set *set = load(buf, len);

	free(buf);
	return set;
}

/* Every error of set joined by newlines. */
static void errors_of(const struct checklist_set *set, char *out, size_t cap)
{
	struct strbuf sb;

	strbuf_init(&sb, out, cap);
	for (size_t i = 0; i < checklist_set_n_errors(set); i++)
		strbuf_printf(&sb, "%s\n", checklist_set_error(set, i));
}

static void test_good_file(void **state)
{
	struct checklist_set *set = load_good();
	const struct checklist_form *op, *cl;
	char errs[4096];

	(void)state;
	errors_of(set, errs, sizeof(errs));
	assert_string_equal(errs, "");
	assert_int_equal(checklist_set_n_forms(set), 2);
	op = checklist_set_form(set, 0);
	cl = checklist_set_form(set, 1);
	assert_string_equal(op->code, "OP");
	assert_string_equal(op->alias_fr, "OUVR");
	assert_string_equal(op->alias_ar, "استمارة");
	assert_string_equal(op->fold_ar, "استماره");
	assert_int_equal(op->window_from, 6 * 60);
	assert_int_equal(op->window_to, 10 * 60);
	assert_string_equal(op->title[LANG_EN], "Opening checklist");
	assert_int_equal(op->n_questions, 6);
	assert_string_equal(op->questions[2].code, "AC");
	assert_int_equal(op->questions[2].type, CHECKLIST_MULTI);
	assert_int_equal(op->questions[2].options, (1 << 1) | (1 << 2) | (1 << 3));
	assert_string_equal(op->questions[2].option_label[2][LANG_FR], "Parti B");
	assert_int_equal(op->questions[3].type, CHECKLIST_INTEGER);
	assert_int_equal(op->questions[3].max, 50);
	assert_true(op->questions[3].required);
	assert_false(op->questions[2].required);
	assert_int_equal(op->questions[4].group, 2);
	assert_string_equal(cl->code, "CL");
	assert_int_equal(cl->window_from, -1);
	assert_int_equal(cl->n_questions, 2);
	assert_ptr_equal(checklist_set_find(set, "CLOT"), cl);
	assert_ptr_equal(checklist_set_find(set, "ختام"), cl);
	assert_null(checklist_set_find(set, "T"));
	checklist_set_free(set);
}

static void test_bad_file(void **state)
{
	size_t len;
	char *buf = read_data("checklists/bad.csv", &len);
	struct checklist_set *set = load(buf, len);
	char errs[8192];

	(void)state;
	errors_of(set, errs, sizeof(errs));
	assert_string_equal(
		errs,
		"line 2: window \"06:00-25:00\" is not HH:MM-HH:MM (from before to)\n"
		"line 3: form code \"T\" is not 2 or 3 Latin letters\n"
		"line 4: form code \"OUV\" can be read as a keyword of the v1 forms\n"
		"line 5: question code \"AI\" is not one or two letters A-Z other than I, L, O\n"
		"line 6: type \"colour\" is not one of integer, yesno, choice, multi, text\n"
		"line 7: min 10 is larger than max 5\n"
		"line 8: required \"maybe\" is not yes or no\n"
		"line 9: group \"12\" is not a number from 1 to 9\n"
		"line 10: label missing: give at least one of ar, en, fr\n"
		"line 11: question \"AG\" of form \"OP\" has no options\n"
		"line 12: question \"AH\" of form \"OP\" has no question line above\n"
		"line 13: option \"0\" is not a digit from 1 to 9\n"
		"line 14: form \"ZZ\" has no form line above\n"
		"line 16: question \"AA\" of form \"OP\" is defined twice\n"
		"line 17: kind \"frob\" is not one of form, question, option, check\n");
	assert_int_equal(checklist_set_n_forms(set), 0);
	checklist_set_free(set);
	free(buf);
}

static void expect_one_error(const char *text, const char *want)
{
	struct checklist_set *set = load(text, strlen(text));
	char errs[2048];

	errors_of(set, errs, sizeof(errs));
	assert_string_equal(errs, want);
	checklist_set_free(set);
}

static void test_more_bad_rows(void **state)
{
	(void)state;
	expect_one_error("", "the file is empty: it needs a header and at least one form\n");
	expect_one_error("code,type\nAA,yesno\n",
			 "line 1: the header needs the columns form and kind\n");
	expect_one_error(HEADER "OP,form,,,,,,,,,,,,Opening,\n",
			 "line 2: form \"OP\" has no questions\n");
	expect_one_error(HEADER "OP,form,,,,,,,,,,,,,\nOP,question,AA,yesno,,,yes,1,,,,,,A,\n",
			 "line 2: title missing: give at least one of ar, en, fr\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,افتتاح,,,,Opening,\n"
			 "OP,question,AA,yesno,,,yes,1,,,,,,A,\n",
			 "line 2: alias_ar \"افتتاح\" can be read as a keyword of the v1 forms\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,,,,,Opening,\nOP,question,AA,yesno,,,yes,1,,,,,,A,\n"
			 "CK,form,,,,,,,,,OP,,,Check,\nCK,question,AA,yesno,,,yes,1,,,,,,A,\n",
			 "line 4: \"OP\" names both form \"OP\" and form \"CK\"\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,,,,,Opening,\nOP,form,,,,,,,,,,,,Again,\n"
			 "OP,question,AA,yesno,,,yes,1,,,,,,A,\n",
			 "line 3: form \"OP\" is defined twice\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,,,,,Opening,\nOP,question,AA,yesno,1,2,yes,1,,,,,,A,\n"
			 "OP,question,AB,yesno,,,yes,1,,,,,,B,\n",
			 "line 3: min and max are for integer questions only\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,,,,,Opening,\nOP,question,AA,integer,,5,yes,1,,,,,,A,\n"
			 "OP,question,AB,yesno,,,yes,1,,,,,,B,\n",
			 "line 3: min \"\" is not a number from 0 to 999999999\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,,,,,Opening,\nOP,question,AA,yesno,,,yes,1,,,,,,A,\n"
			 "OP,option,AA,,,,,,1,,,,,Yes,\n",
			 "line 4: question \"AA\" is yesno: only choice and multi have options\n");
	expect_one_error(HEADER
			 "OP,form,,,,,,,,,,,,Opening,\nOP,question,AA,choice,,,yes,1,,,,,,A,\n"
			 "OP,option,AA,,,,,,1,,,,,One,\nOP,option,AA,,,,,,1,,,,,Uno,\n",
			 "line 5: option 1 of question \"AA\" is defined twice\n");
}

/* The canonical text of every form of set, after the header. */
static void canonical(const struct checklist_set *set, char *out, size_t cap)
{
	struct strbuf sb;

	strbuf_init(&sb, out, cap);
	strbuf_puts(&sb, checklist_canonical_header);
	for (size_t i = 0; i < checklist_set_n_forms(set); i++)
		checklist_form_canonical(checklist_set_form(set, i), &sb);
	assert_false(sb.overflow);
}

static void test_canonical_round_trip(void **state)
{
	static char a[1 << 16], b[1 << 16];
	struct checklist_set *set = load_good(), *again;

	(void)state;
	canonical(set, a, sizeof(a));
	again = load(a, strlen(a));
	assert_int_equal(checklist_set_n_errors(again), 0);
	canonical(again, b, sizeof(b));
	assert_string_equal(a, b);
	/* a label changed: another text, so the store makes a new version */
	checklist_set_free(again);
	{
		char *p = strstr(a, "Staff present");

		assert_non_null(p);
		p[0] = 'Z';
	}
	again = load(a, strlen(a));
	canonical(again, b, sizeof(b));
	assert_string_not_equal(b, "");
	{
		char *p = strstr(b, "Ztaff present");
		assert_non_null(p);
	}
	checklist_set_free(again);
	checklist_set_free(set);
}

/* ---- the parse corpus ------------------------------------------------- */

static void summary(const struct checklist_msg *m, const char *input, char *out, size_t cap)
{
	struct strbuf sb;
	uint64_t miss;

	strbuf_init(&sb, out, cap);
	if (m->error != CHECKLIST_OK) {
		strbuf_printf(&sb, "!%s", checklist_error_code(m->error));
		return;
	}
	strbuf_printf(&sb, "%s %s %s", m->form->code, m->station, lang_code(m->lang));
	if (m->pin[0])
		strbuf_printf(&sb, " pin=%s", m->pin);
	for (size_t i = 0; i < m->n_answers; i++) {
		const struct checklist_answer *a = &m->answers[i];
		const struct checklist_question *q = &m->form->questions[a->q];

		strbuf_printf(&sb, " %s=", q->code);
		if (q->type == CHECKLIST_TEXT)
			strbuf_printf(&sb, "\"%.*s\"", (int)a->text.len, input + a->text.off);
		else if (q->type == CHECKLIST_MULTI)
			for (int d = 1; d <= 9; d++) {
				if (a->value & (1u << d))
					strbuf_printf(&sb, "%d", d);
			}
		else
			strbuf_printf(&sb, "%u", a->value);
	}
	for (size_t i = 0; i < m->n_problems; i++)
		strbuf_printf(&sb, " !%s:%s", checklist_problem_name(m->problems[i].kind),
			      m->problems[i].code);
	miss = checklist_missing(m->form, m->answered, m->groups);
	if (miss) {
		const char *sep = "";

		strbuf_puts(&sb, " missing=");
		for (int i = 0; i < m->form->n_questions; i++)
			if (miss & (UINT64_C(1) << i)) {
				strbuf_printf(&sb, "%s%s", sep, m->form->questions[i].code);
				sep = ",";
			}
	}
}

/* Spans lie in the input. */
static void check_spans(const struct checklist_msg *m, size_t len)
{
	assert_true((size_t)m->err_span.off + m->err_span.len <= len);
	for (size_t i = 0; i < m->n_answers; i++)
		assert_true((size_t)m->answers[i].text.off + m->answers[i].text.len <= len);
	for (size_t i = 0; i < m->n_problems; i++)
		assert_true((size_t)m->problems[i].span.off + m->problems[i].span.len <= len);
}

static void test_corpus(void **state)
{
	static uint8_t ucs2[4096];
	static char back[4096];
	struct checklist_set *set = load_good();
	size_t len, n, blen;
	char *buf = read_data("checklist_cases.txt", &len), *line, *save = NULL;
	int lineno = 0, cases = 0, failed = 0;
	bool errs[CHECKLIST_ERROR_COUNT] = { 0 }, probs[CHECKLIST_PROBLEM_COUNT] = { 0 };

	(void)state;
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), got[512], got2[512];
		struct checklist_msg m;

		lineno++;
		if (line[0] == '#' && line[1] == ' ')
			continue;
		if (tab == NULL)
			fail_msg("checklist_cases.txt: a line without a tab: %s", line);
		*tab = '\0';
		bool ok = checklist_parse(set, line, strlen(line), LANG_EN, &m);
		assert_int_equal(ok, m.error == CHECKLIST_OK);
		check_spans(&m, strlen(line));
		summary(&m, line, got, sizeof(got));
		errs[m.error] = true;
		for (size_t i = 0; i < m.n_problems; i++)
			probs[m.problems[i].kind] = true;
		if (m.error == CHECKLIST_OK && checklist_match(set, line, strlen(line)) != m.form) {
			print_error("case %d: checklist_match disagrees: %s\n", lineno, line);
			failed++;
		}
		if (strcmp(got, tab + 1) != 0) {
			print_error("case \"%s\": got \"%s\", want \"%s\"\n", line, got, tab + 1);
			failed++;
		}
		assert_int_equal(utf8_to_ucs2(line, strlen(line), ucs2, sizeof(ucs2), &n),
				 UTF8_CONV_OK);
		assert_int_equal(utf8_from_ucs2(ucs2, n, back, sizeof(back), &blen), UTF8_CONV_OK);
		ok = checklist_parse(set, back, blen, LANG_EN, &m);
		assert_int_equal(ok, m.error == CHECKLIST_OK);
		summary(&m, back, got2, sizeof(got2));
		if (strcmp(got, got2) != 0) {
			print_error("case \"%s\": differs after UCS-2: \"%s\"\n", line, got2);
			failed++;
		}
		cases++;
	}
	assert_int_equal(failed, 0);
	assert_true(cases > 40);
	/* the corpus covers every outcome but the two it cannot hold */
	for (int e = 0; e < CHECKLIST_ERROR_COUNT; e++)
		if (e != CHECKLIST_ERR_MESSAGE_TOO_LONG && e != CHECKLIST_ERR_INVALID_UTF8 &&
		    e != CHECKLIST_ERR_CONTROL_CHARACTER && e != CHECKLIST_ERR_OUTSIDE_WINDOW &&
		    !errs[e])
			fail_msg("no case gives %s", checklist_error_code((enum checklist_error)e));
	for (int k = 0; k < CHECKLIST_PROBLEM_COUNT; k++)
		if (!probs[k])
			fail_msg("no case gives %s",
				 checklist_problem_name((enum checklist_problem_kind)k));
	free(buf);
	checklist_set_free(set);
}

static void test_bytes(void **state)
{
	struct checklist_set *set = load_good();
	struct checklist_msg m;
	static char big[PARSE_MAX_BYTES + 10];

	(void)state;
	assert_false(checklist_parse(set, "OP 1021 AA\xff", 11, LANG_EN, &m));
	assert_int_equal(m.error, CHECKLIST_ERR_INVALID_UTF8);
	assert_false(checklist_parse(set, "OP 1021 AA1\x01", 12, LANG_EN, &m));
	assert_int_equal(m.error, CHECKLIST_ERR_CONTROL_CHARACTER);
	memset(big, ' ', sizeof(big));
	memcpy(big, "OP 1021 AA1", 11);
	assert_false(checklist_parse(set, big, sizeof(big), LANG_EN, &m));
	assert_int_equal(m.error, CHECKLIST_ERR_MESSAGE_TOO_LONG);
	/* v1 messages are not checklists */
	assert_null(checklist_match(set, "T 1021 V420 W190", 16));
	assert_null(checklist_match(set, "OPEN 1021", 9));
	assert_null(checklist_match(NULL, "OP 1021 AA1", 11));
	assert_non_null(checklist_match(set, "#1234 op1021", 12));
	/* many problems: counted past the ones kept */
	assert_true(
		checklist_parse(set,
				"OP 1021 AA1 Z1 Z2 Z3 Z4 Z5 Z6 Z7 Z8 Z9 ZA1 ZB1 ZC1 ZD1 ZE1 ZF1 "
				"ZG1 ZH1 ZJ1",
				strlen("OP 1021 AA1 Z1 Z2 Z3 Z4 Z5 Z6 Z7 Z8 Z9 ZA1 ZB1 ZC1 ZD1 ZE1 "
				       "ZF1 ZG1 ZH1 ZJ1"),
				LANG_EN, &m));
	assert_int_equal(m.n_problems, CHECKLIST_MAX_PROBLEMS);
	assert_int_equal(m.more_problems, 2);
	checklist_set_free(set);
}

/* The reply to text in lang, with missing from the message alone. */
static void expect_reply(const struct checklist_set *set, const char *text, enum lang lang,
			 const char *want)
{
	struct checklist_msg m;
	char buf[REPLY_MAX];
	int n;

	if (!checklist_parse(set, text, strlen(text), LANG_EN, &m))
		assert_int_not_equal(m.error, CHECKLIST_OK);
	n = checklist_reply(&m, lang,
			    checklist_missing(m.form != NULL ? m.form : checklist_set_form(set, 0),
					      m.answered, m.groups),
			    buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, want);
}

static void test_replies(void **state)
{
	struct checklist_set *set = load_good();

	(void)state;
	expect_reply(set, "OP 1021 AA1 AB2 AD5", LANG_EN,
		     "OK 1021 OP: 3 saved. Complete. Thank you.");
	expect_reply(set, "OP 1021 AA1 AB3 AC14 ZZ1", LANG_EN,
		     "OK 1021 OP: 1 saved. Wrong: AB AC. Unknown: ZZ. Missing: AB AD.");
	expect_reply(
		set, "OP 1021 AA1 AB3 AC14 ZZ1", LANG_FR,
		"OK 1021 OP: 1 enregistrées. Erronées: AB AC. Inconnues: ZZ. Manquent: AB AD.");
	expect_reply(set, "OP 1021 AA1 AB3 AC14 ZZ1", LANG_AR,
		     "تم 1021 OP: حفظت 1. خطأ: AB AC. غير معروف: ZZ. ناقص: AB AD.");
	expect_reply(
		set, "OP 1021 ZZ1 AB", LANG_EN,
		"Nothing saved for 1021 OP: no valid answer. Wrong: AB. Unknown: ZZ. Missing: AA AB AD.");
	expect_reply(set, "OP 1021 ZZ1", LANG_EN,
		     "Nothing saved for 1021 OP: no valid answer. Unknown: ZZ. Missing: AA AB AD.");
	expect_reply(set, "OP", LANG_EN, "Station number missing. Ex: OP 1021 AA1 AB2");
	expect_reply(set, "OP AA1", LANG_FR, "Numéro du bureau invalide. Ex: OP 1021 AA1 AB2");
	expect_reply(set, "OP 1021 AA1 #12", LANG_AR,
		     "الرمز غير صحيح: # ثم 4 إلى 8 أرقام. لم يحفظ شيء");
	checklist_set_free(set);
}

/*
 * The worst case: a three-letter form of 64 required questions with
 * two-letter codes, a ten-digit station, every problem kept and more
 * dropped, every other question missing: every reply is one segment in
 * every language, its lists cut to "+N".
 */
static void test_reply_worst_case(void **state)
{
	static char csv[1 << 16], msg[PARSE_MAX_BYTES];
	static const char letters[] = "ABCDEFGHJKMNPQRSTUVWXYZ";
	struct checklist_set *set;
	struct strbuf sb, mb;
	struct checklist_msg m;
	char buf[REPLY_MAX];
	int q = 0;

	(void)state;
	strbuf_init(&sb, csv, sizeof(csv));
	strbuf_puts(&sb, HEADER "ZZZ,form,,,,,,,,,,,,Worst,\n");
	for (int a = 0; letters[a] && q < CHECKLIST_MAX_QUESTIONS; a++)
		for (int b = 0; letters[b] && q < CHECKLIST_MAX_QUESTIONS; b++, q++)
			strbuf_printf(&sb, "ZZZ,question,%c%c,integer,0,9,yes,1,,,,,,Q,\n",
				      letters[a], letters[b]);
	assert_false(sb.overflow);
	set = load(csv, sb.len);
	assert_int_equal(checklist_set_n_errors(set), 0);
	strbuf_init(&mb, msg, sizeof(msg));
	strbuf_puts(&mb, "ZZZ 1234567890 AA1 Z1");
	for (int i = 1; i < 30; i++)
		strbuf_printf(&mb, " %s%s", checklist_set_form(set, 0)->questions[i].code,
			      i % 2 ? "77" : "");
	for (int i = 0; i < 300; i++)
		strbuf_puts(&mb, " Z1");
	assert_true(checklist_parse(set, msg, mb.len, LANG_EN, &m));
	assert_int_equal(m.n_problems, CHECKLIST_MAX_PROBLEMS);
	assert_int_equal(m.more_problems, 255);
	for (int l = 0; l < LANG_COUNT; l++) {
		struct gsm7_size sz;
		int n = checklist_reply(&m, (enum lang)l, checklist_missing(m.form, m.answered, 0),
					buf, sizeof(buf));

		assert_true(n > 0);
		assert_true(gsm7_measure(buf, (size_t)n, &sz));
		assert_int_equal(sz.segments, 1);
		assert_non_null(strstr(buf, "+"));
	}
	/* every refusal too, with the longest form code */
	for (int e = 0; e < CHECKLIST_ERROR_COUNT; e++)
		for (int l = 0; l < LANG_COUNT; l++) {
			struct gsm7_size sz;
			int n;

			m.error = (enum checklist_error)e;
			n = checklist_reply(&m, (enum lang)l, UINT64_MAX, buf, sizeof(buf));
			assert_true(n > 0);
			assert_true(gsm7_measure(buf, (size_t)n, &sz));
			assert_int_equal(sz.segments, 1);
		}
	checklist_set_free(set);
}

/* The v1 parse of text, then the form its HELP names. */
static const struct checklist_form *help_topic(const struct checklist_set *set, const char *text)
{
	struct parse_msg m;

	if (!parse_message(text, strlen(text), LANG_EN, &m))
		return NULL;
	return checklist_help_topic(set, &m, text, strlen(text));
}

static void test_help(void **state)
{
	struct checklist_set *set = load_good();
	const struct checklist_form *op = checklist_set_form(set, 0);
	char buf[REPLY_MAX];

	(void)state;
	assert_ptr_equal(help_topic(set, "HELP OP"), op);
	assert_ptr_equal(help_topic(set, "help op"), op);
	assert_ptr_equal(help_topic(set, "AIDE OUVR"), op);
	assert_ptr_equal(help_topic(set, "مساعدة استمارة"), op);
	assert_ptr_equal(help_topic(set, "? CL"), checklist_set_form(set, 1));
	assert_null(help_topic(set, "HELP"));
	assert_null(help_topic(set, "HELP T"));
	assert_null(help_topic(set, "HELP XX"));
	assert_null(help_topic(set, "T 1021 V420"));
	assert_null(help_topic(NULL, "HELP OP"));
	assert_true(checklist_help(op, LANG_EN, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "OP station + AA 1/2, AB 1/2, AC 1-3 (several), AD 0-50, AE 1-3, "
			    "AF text. 1=yes 2=no");
	assert_true(checklist_help(op, LANG_FR, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "OP bureau + AA 1/2, AB 1/2, AC 1-3 (plusieurs), AD 0-50, AE 1-3, "
			    "AF texte. 1=oui 2=non");
	assert_true(checklist_help(op, LANG_AR, buf, sizeof(buf)) > 0);
	/* Arabic (UCS-2, 70 characters) is cut to +N */
	assert_string_equal(buf,
			    "OP رقم القلم + AA 1/2, AB 1/2, AC 1-3 (عدة), AD 0-50 +2. 1=نعم 2=لا");
	checklist_set_free(set);
}

/* HELP for the largest form is cut to one segment in every language. */
static void test_help_worst_case(void **state)
{
	static char csv[1 << 16];
	static const char letters[] = "ABCDEFGHJKMNPQRSTUVWXYZ";
	struct checklist_set *set;
	struct strbuf sb;
	char buf[REPLY_MAX];
	int q = 0;

	(void)state;
	strbuf_init(&sb, csv, sizeof(csv));
	strbuf_puts(&sb, HEADER "ZZZ,form,,,,,,,,,,,,Worst,\n");
	for (int a = 0; letters[a] && q < CHECKLIST_MAX_QUESTIONS; a++)
		for (int b = 0; letters[b] && q < CHECKLIST_MAX_QUESTIONS; b++, q++)
			strbuf_printf(
				&sb,
				"ZZZ,question,%c%c,integer,100000000,999999999,yes,1,,,,,,Q,\n",
				letters[a], letters[b]);
	set = load(csv, sb.len);
	assert_int_equal(checklist_set_n_errors(set), 0);
	for (int l = 0; l < LANG_COUNT; l++) {
		struct gsm7_size sz;
		int n = checklist_help(checklist_set_form(set, 0), (enum lang)l, buf, sizeof(buf));

		assert_true(n > 0);
		assert_true(gsm7_measure(buf, (size_t)n, &sz));
		assert_int_equal(sz.segments, 1);
		assert_non_null(strstr(buf, " +"));
	}
	checklist_set_free(set);
}


/* ---- logic checks and problem answers ---------------------------------- */

static struct checklist_set *load_checks(void)
{
	size_t len;
	char *buf = read_data("checklists/checks.csv", &len);
	struct checklist_set *set = load(buf, len);
	char errs[4096];

	errors_of(set, errs, sizeof(errs));
	assert_string_equal(errs, "");
	free(buf);
	return set;
}

static void test_checks_file(void **state)
{
	static char a[1 << 16], b[1 << 16], js[1 << 16];
	struct checklist_set *set = load_checks(), *again;
	const struct checklist_form *op = checklist_set_find(set, "OP");
	struct json_buf j;

	(void)state;
	assert_non_null(op);
	assert_int_equal(op->n_checks, 3);
	assert_string_equal(op->checks[0].name, "unsealed");
	assert_int_equal(op->checks[0].severity, CHECKLIST_SEV_CRITICAL);
	assert_string_equal(op->checks[1].text, "AA = 2 AND (AE = 2 OR AE = 3)");
	assert_int_equal(op->checks[2].severity, CHECKLIST_SEV_INFO);
	assert_int_equal(op->questions[0].problem, 1u << 2); /* AA: no */
	assert_int_equal(op->questions[4].problem, 1u << 2 | 1u << 3);
	assert_true(checklist_set_find(set, "CL")->checks[0].expr.uses_figures);
	assert_false(op->checks[0].expr.uses_figures);
	/* the canonical text reads back the same, checks and problems kept */
	canonical(set, a, sizeof(a));
	assert_non_null(strstr(a, "OP,check,unsealed,,,,,,,,,,صناديق غير مختومة,Boxes not sealed,"
				  "Urnes non scellées,,critical,AB = 2\n"));
	again = load(a, strlen(a));
	canonical(again, b, sizeof(b));
	assert_string_equal(a, b);
	checklist_set_free(again);
	/* the JSON the store imports carries the postfix program */
	json_init(&j, js, sizeof(js));
	assert_true(checklist_form_json(op, &j));
	assert_true(json_finish(&j));
	assert_non_null(strstr(js, "\"name\":\"unsealed\",\"severity\":\"critical\",\"expr\":\"AB = 2\","
				   "\"uses_figures\":false"));
	assert_non_null(strstr(js, "\"rpn\":[{\"k\":\"q\",\"q\":\"AB\"},{\"k\":\"num\",\"n\":2},"
				   "{\"k\":\"cmp\",\"op\":\"=\"}]"));
	assert_non_null(strstr(js, "\"rpn\":[{\"k\":\"has\",\"n\":1,\"q\":\"AC\"},{\"k\":\"not\"}]"));
	assert_non_null(strstr(js, "\"problem\":[2,3]"));
	checklist_set_free(set);
}

/* A form without problems or checks keeps the canonical text it had
 * before those columns: a re-import makes no new version. */
static void test_canonical_unchanged_without_checks(void **state)
{
	static char a[1 << 16];
	struct checklist_set *set = load_good();

	(void)state;
	canonical(set, a, sizeof(a));
	assert_non_null(strstr(a, "\nOP,question,AD,integer,0,50,yes,1,,,,,عدد الموظفين,Staff present,"
				  "Membres présents\n"));
	assert_null(strstr(a, ",,,\n"));
	checklist_set_free(set);
}

static void test_bad_checks(void **state)
{
#define OPF HEADER_X "OP,form,,,,,,,,,,,,Opening,\n" \
	"OP,question,AA,yesno,,,yes,1,,,,,,A,\n" \
	"OP,question,AC,multi,,,no,1,,,,,,C,\n" \
	"OP,option,AC,,,,,,1,,,,,One,\n" \
	"OP,question,AD,integer,0,50,yes,1,,,,,,D,\n" \
	"OP,question,AF,text,,,no,1,,,,,,F,\n"
#define HEADER_X \
	"form,kind,code,type,min,max,required,group,option,alias_ar,alias_fr,window,ar,en,fr," \
	"problem,severity,expr\n"
	(void)state;
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AZ = 1\n",
			 "line 8: check \"x\": \"AZ\" is not a question of form \"OP\" nor a "
			 "figure (VOTERS, WOMEN, REGISTERED, REGISTERED_WOMEN)\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AF = 1\n",
			 "line 8: check \"x\": \"AF\" is a text question: a check cannot read it\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AC < 2\n",
			 "line 8: check \"x\": \"AC\" is a multiple-choice question: compare it "
			 "with = or != and one of its options\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AC = 4\n",
			 "line 8: check \"x\": 4 is not an option of \"AC\"\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AA = 3\n",
			 "line 8: check \"x\": \"AA\" is a yes/no question: compare it with 1 (yes) "
			 "or 2 (no)\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,(AA = 1\n",
			 "line 8: check \"x\": a \"(\" is not closed\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AA = 1 AD\n",
			 "line 8: check \"x\": unexpected \"AD\" at position 8\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AD\n",
			 "line 8: check \"x\": expected a comparison (=, !=, <, <=, >, >=) after "
			 "\"AD\"\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,1 = 1\n",
			 "line 8: check \"x\": \"1 = 1\" compares two numbers\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,\n",
			 "line 8: expr missing: a check needs its expression\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,bad,AA = 1\n",
			 "line 8: severity \"bad\" is not one of info, serious, critical\n");
	expect_one_error(OPF "OP,check,9x,,,,,,,,,,,X,,,,AA = 1\n",
			 "line 8: check name \"9x\" is not a letter then up to 23 letters, digits "
			 "or _\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,X,,,,AA = 1\nOP,check,X,,,,,,,,,,,X,,,,AA = 1\n",
			 "line 9: check \"x\" of form \"OP\" is defined twice\n");
	expect_one_error(OPF "OP,check,x,,,,,,,,,,,,,,,AA = 1\n",
			 "line 8: label missing: give at least one of ar, en, fr\n");
	expect_one_error(HEADER_X "OP,form,,,,,,,,,,,,Opening,\n"
				  "OP,question,AD,integer,0,50,yes,1,,,,,,D,,2\n"
				  "OP,question,AB,yesno,,,yes,1,,,,,,B,\n",
			 "line 3: problem is for yesno, choice and multi questions only\n");
	expect_one_error(HEADER_X "OP,form,,,,,,,,,,,,Opening,\n"
				  "OP,question,AC,multi,,,no,1,,,,,,C,,13\n"
				  "OP,option,AC,,,,,,1,,,,,One,\n",
			 "line 3: problem names an option question \"AC\" lacks\n");
	expect_one_error(HEADER_X "OP,form,,,,,,,,,,,,Opening,\n"
				  "OP,question,AA,yesno,,,yes,1,,,,,,A,,3\n"
				  "OP,question,AB,yesno,,,yes,1,,,,,,B,\n",
			 "line 3: problem \"3\" is not yes or no\n");
#undef OPF
#undef HEADER_X
}

/* Compile src against the good file's OP and evaluate it over v. */
static enum checklist_truth eval_op(const char *src, const struct checklist_values *v)
{
	struct checklist_set *set = load_good();
	const struct checklist_form *op = checklist_set_find(set, "OP");
	struct checklist_expr e;
	char err[256];
	enum checklist_truth t;

	if (!checklist_expr_compile(op, src, strlen(src), &e, err, sizeof(err)))
		fail_msg("%s: %s", src, err);
	t = checklist_expr_eval(&e, v);
	checklist_set_free(set);
	return t;
}

static void test_expr_eval(void **state)
{
	/* OP: AA yesno(0) AB yesno(1) AC multi(2) AD integer(3) AE choice(4) AF text(5) */
	struct checklist_values v = { 0 };

	(void)state;
	v.known = 1u << 0 | 1u << 2 | 1u << 3; /* AA=2, AC={1,3}, AD=12; AB, AE unanswered */
	v.value[0] = 2;
	v.value[2] = 1u << 1 | 1u << 3;
	v.value[3] = 12;
	v.fig_known = 1u << CHECKLIST_FIG_VOTERS | 1u << CHECKLIST_FIG_REGISTERED;
	v.fig[CHECKLIST_FIG_VOTERS] = 10;
	v.fig[CHECKLIST_FIG_REGISTERED] = 800;
	assert_int_equal(eval_op("AA = 2", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("aa == 1", &v), CHECKLIST_FALSE);
	assert_int_equal(eval_op("AB = 2", &v), CHECKLIST_UNKNOWN);
	assert_int_equal(eval_op("AD > V", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("AD >= voters", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("AD <= 12 and AD <> 11", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("AD < W", &v), CHECKLIST_UNKNOWN);
	assert_int_equal(eval_op("REGISTERED < AD", &v), CHECKLIST_FALSE);
	assert_int_equal(eval_op("AC = 3", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("AC = 2", &v), CHECKLIST_FALSE);
	assert_int_equal(eval_op("2 = AC", &v), CHECKLIST_FALSE);
	assert_int_equal(eval_op("AC != 2", &v), CHECKLIST_TRUE);
	/* Kleene: unknown OR true is true, unknown AND false is false */
	assert_int_equal(eval_op("AB = 2 OR AA = 2", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("AB = 2 AND AA = 1", &v), CHECKLIST_FALSE);
	assert_int_equal(eval_op("AB = 2 AND AA = 2", &v), CHECKLIST_UNKNOWN);
	assert_int_equal(eval_op("NOT AB = 2", &v), CHECKLIST_UNKNOWN);
	assert_int_equal(eval_op("NOT (AA = 1 OR AD > 50)", &v), CHECKLIST_TRUE);
	/* AND binds tighter than OR */
	assert_int_equal(eval_op("AA = 2 OR AA = 1 AND AD = 0", &v), CHECKLIST_TRUE);
	assert_int_equal(eval_op("(AA = 2 OR AA = 1) AND AD = 0", &v), CHECKLIST_FALSE);
}

static void test_expr_limits(void **state)
{
	struct checklist_set *set = load_good();
	const struct checklist_form *op = checklist_set_find(set, "OP");
	struct checklist_expr e;
	char err[256], src[CHECKLIST_EXPR_TEXT_MAX * 2] = "";

	(void)state;
	for (int i = 0; i < 12; i++)
		strcat(src, "AD = 1 OR ");
	strcat(src, "AD = 1");
	assert_false(checklist_expr_compile(op, src, strlen(src), &e, err, sizeof(err)));
	assert_string_equal(err, "the expression is longer than 32 terms");
	strcpy(src, "((((((((((AD = 1))))))))))");
	assert_false(checklist_expr_compile(op, src, strlen(src), &e, err, sizeof(err)));
	assert_string_equal(err, "the expression nests deeper than 8");
	assert_false(checklist_expr_compile(op, "AD = 1000000000", 15, &e, err, sizeof(err)));
	assert_string_equal(err, "the number at \"1000000000\" is over 999999999");
	assert_false(checklist_expr_compile(op, "AD = 1 #", 8, &e, err, sizeof(err)));
	assert_string_equal(err, "unexpected \"#\" at position 8");
	checklist_set_free(set);
}

/* The window is read in the election's time zone, its last minute kept;
 * the reply names the hours and fits one segment in every language. */
static void test_window(void **state)
{
	struct checklist_set *set = load_good();
	const struct checklist_form *op = checklist_set_find(set, "OP"); /* 06:00-10:00 */
	const struct checklist_form *cl = checklist_set_find(set, "CL"); /* no window */
	struct validate_clock utc = { .utc_offset = 0 }, beirut = { .utc_offset = 7200 };
	const int64_t day = 1746316800; /* 2025-05-04 00:00 UTC */
	struct checklist_msg m = { .error = CHECKLIST_ERR_OUTSIDE_WINDOW, .form = op };
	char buf[REPLY_MAX];
	static const char *const want[LANG_COUNT] = {
		[LANG_EN] = "Nothing saved for 1234567890 OP: this checklist is sent 06:00-10:00 only.",
		[LANG_FR] = "Rien enregistré pour 1234567890 OP: liste à envoyer 06:00-10:00 seulement.",
		[LANG_AR] = "لم يحفظ شيء 1234567890 OP: ترسل هذه الاستمارة 06:00-10:00 فقط.",
	};

	(void)state;
	assert_false(checklist_in_window(op, &utc, day + 5 * 3600 + 59 * 60 + 59));
	assert_true(checklist_in_window(op, &utc, day + 6 * 3600));
	assert_true(checklist_in_window(op, &utc, day + 10 * 3600 + 59));
	assert_false(checklist_in_window(op, &utc, day + 10 * 3600 + 60));
	/* 04:30 UTC is 06:30 in Beirut; 08:30 UTC is 10:30 there */
	assert_false(checklist_in_window(op, &utc, day + 4 * 3600 + 1800));
	assert_true(checklist_in_window(op, &beirut, day + 4 * 3600 + 1800));
	assert_false(checklist_in_window(op, &beirut, day + 8 * 3600 + 1800));
	/* before 1970 and a day later work the same */
	assert_true(checklist_in_window(op, &utc, -86400 + 7 * 3600));
	assert_true(checklist_in_window(cl, &utc, day + 23 * 3600));
	memcpy(m.station, "1234567890", 11);
	for (int l = 0; l < LANG_COUNT; l++) {
		struct gsm7_size sz;
		int n = checklist_reply(&m, (enum lang)l, 0, buf, sizeof(buf));

		assert_true(n > 0);
		assert_string_equal(buf, want[l]);
		assert_true(gsm7_measure(buf, (size_t)n, &sz));
		assert_int_equal(sz.segments, 1);
	}
	checklist_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),     cmocka_unit_test(test_bad_file),
		cmocka_unit_test(test_more_bad_rows), cmocka_unit_test(test_canonical_round_trip),
		cmocka_unit_test(test_corpus),        cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_replies),       cmocka_unit_test(test_reply_worst_case),
		cmocka_unit_test(test_help),          cmocka_unit_test(test_help_worst_case),
		cmocka_unit_test(test_checks_file),
		cmocka_unit_test(test_canonical_unchanged_without_checks),
		cmocka_unit_test(test_bad_checks),    cmocka_unit_test(test_expr_eval),
		cmocka_unit_test(test_expr_limits),   cmocka_unit_test(test_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
