/*
 * test_ussd.c - the USSD menu: the Africa's Talking adapter, the page
 * budget of every screen in every language with worst-case values, and
 * sessions walked through the menu against a small registry (the fuzz
 * targets' one: tests/fuzz/fuzz_snap.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../fuzz/fuzz_snap.h"
#include "checklist_parse.h"
#include "regsnap.h"
#include "ussd.h"
#include "ussd_menu.h"

static struct regsnap *snap;
static struct validate_clock clk;

/* Election day, 10:00 local (UTC+3). */
#define NOON_S 1746342000

static void page_check(void *arg, const char *name, enum lang lang, const char *screen)
{
	size_t *bad = arg;

	if (screen[0] == '\0' || !ussd_page_fits(screen, strlen(screen))) {
		print_error("screen %s in %s does not fit one USSD page\n", name, lang_code(lang));
		(*bad)++;
	}
}

static void test_every_screen_fits_one_page(void **state)
{
	(void)state;
	for (int l = 0; l < LANG_COUNT; l++) {
		size_t bad = 0, n = ussd_menu_worst_cases((enum lang)l, page_check, &bad);

		assert_true(n > 40);
		assert_int_equal(bad, 0);
	}
}

static void test_page_budget(void **state)
{
	char buf[200];

	(void)state;
	memset(buf, 'a', 182);
	assert_true(ussd_page_fits(buf, 182));
	assert_false(ussd_page_fits(buf, 183));
	/* 80 Arabic letters fit, 81 do not */
	for (int i = 0; i < 81; i++)
		memcpy(buf + 2 * i, "\xd9\x85", 2);
	assert_true(ussd_page_fits(buf, 160));
	assert_false(ussd_page_fits(buf, 162));
}

static void test_at_decode(void **state)
{
	struct ussd_request r;
	char why[128];
	const char *q =
		"sessionId=ATUid_1&serviceCode=%2A384%2A12%23&phoneNumber=%2B9613100001"
		"&networkCode=41501&text=1*300**120";

	(void)state;
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)), USSD_OK);
	assert_string_equal(r.session, "ATUid_1");
	assert_string_equal(r.phone, "+9613100001");
	assert_string_equal(r.service, "*384*12#");
	assert_int_equal(r.kind, USSD_RESPONSE);
	assert_int_equal(r.n_inputs, 4);
	assert_true(ussd_input_is(&r, 0, "1", 1));
	assert_true(ussd_input_is(&r, 1, "300", 3));
	assert_true(ussd_input_is(&r, 2, "", 0));
	assert_true(ussd_input_is(&r, 3, "120", 3));

	/* the first request: empty text, as a POST body */
	q = "sessionId=s2&phoneNumber=%2B9613100001&text=";
	assert_int_equal(ussd_at_decode(NULL, 0, q, strlen(q), &r, why, sizeof(why)), USSD_OK);
	assert_int_equal(r.kind, USSD_INITIATION);
	assert_int_equal(r.n_inputs, 0);

	q = "phoneNumber=1&text=1";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_NO_SESSION);
	assert_string_equal(why, "missing field \"sessionId\"");
	q = "sessionId=a&text=1";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_NO_PHONE);
	q = "sessionId=a&sessionId=b&phoneNumber=1";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_DUPLICATE);
	q = "sessionId=a%20b&phoneNumber=1";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_BAD_SESSION);
	q = "sessionId=a&phoneNumber=1&text=%ZZ";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_BAD_ESCAPE);
	q = "sessionId=a&phoneNumber=1&text=1%0A2";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_BAD_TEXT);
	q = "sessionId=a&phoneNumber=1&text=1%FF";
	assert_int_equal(ussd_at_decode(q, strlen(q), NULL, 0, &r, why, sizeof(why)),
			 USSD_ERR_BAD_TEXT);
	{
		char many[200];
		int n = snprintf(many, sizeof(many), "sessionId=a&phoneNumber=1&text=");

		for (int i = 0; i <= USSD_INPUTS_MAX; i++)
			n += snprintf(many + n, sizeof(many) - (size_t)n, "1*");
		assert_int_equal(ussd_at_decode(many, (size_t)n, NULL, 0, &r, why, sizeof(why)),
				 USSD_ERR_TOO_MANY);
	}
}

static void test_hubtel_decode(void **state)
{
	struct ussd_request r, h;
	char why[128];
	const char *j =
		"{\"SessionId\": \"h1\", \"Mobile\": \"+9613100001\", \"Type\": \"Response\", "
		"\"Message\": \"a*b\", \"ServiceCode\": \"714\"}";

	(void)state;
	assert_int_equal(ussd_hubtel_decode(j, strlen(j), &h, why, sizeof(why)), USSD_OK);
	assert_int_equal(h.kind, USSD_RESPONSE);
	assert_string_equal(h.session, "h1");
	assert_string_equal(h.phone, "+9613100001");
	assert_string_equal(h.text, "a*b");
	memset(&r, 0, sizeof(r));
	assert_int_equal(ussd_append(&r, "4", 1), USSD_OK);
	assert_int_equal(ussd_append(&r, h.text, h.text_len), USSD_OK);
	assert_int_equal(r.n_inputs, 2);
	assert_true(ussd_input_is(&r, 1, "a*b", 3));
	assert_string_equal(r.text, "4*a*b");
	j = "{\"SessionId\": \"h1\", \"Mobile\": \"1\", \"Type\": \"Initiation\", "
	    "\"Message\": \"*714#\"}";
	assert_int_equal(ussd_hubtel_decode(j, strlen(j), &h, why, sizeof(why)), USSD_OK);
	assert_int_equal(h.kind, USSD_INITIATION);
	assert_int_equal(h.text_len, 0);
	j = "{\"SessionId\": \"h1\", \"Mobile\": \"1\", \"Type\": \"Other\"}";
	assert_int_equal(ussd_hubtel_decode(j, strlen(j), &h, why, sizeof(why)), USSD_ERR_BAD_TYPE);
	assert_int_equal(ussd_hubtel_decode("[1]", 3, &h, why, sizeof(why)), USSD_ERR_BAD_JSON);
	j = "{\"Mobile\": \"1\", \"Type\": \"Response\"}";
	assert_int_equal(ussd_hubtel_decode(j, strlen(j), &h, why, sizeof(why)),
			 USSD_ERR_NO_SESSION);
	assert_string_equal(why, "missing field \"SessionId\"");
}

/* Run the session whose inputs are text (joined by '*') for phone. */
static void run(const char *phone, const char *text, bool ask_men, struct ussd_outcome *out)
{
	struct ussd_request r;
	struct ussd_env env = { 0 };

	memset(&r, 0, sizeof(r));
	snprintf(r.session, sizeof(r.session), "s");
	snprintf(r.phone, sizeof(r.phone), "%s", phone);
	snprintf(r.text, sizeof(r.text), "%s", text);
	r.text_len = strlen(r.text);
	r.kind = r.text_len ? USSD_RESPONSE : USSD_INITIATION;
	assert_int_equal(ussd_split(&r), USSD_OK);
	env.snap = snap;
	env.clock = &clk;
	env.now_s = NOON_S;
	env.default_lang = LANG_EN;
	env.phone = phone;
	env.ask_men = ask_men;
	env.contact = "+961 1 555 000";
	ussd_menu_run(&env, &r, out);
	assert_true(out->screen[0] != '\0');
	assert_true(ussd_page_fits(out->screen, strlen(out->screen)));
}

static void test_turnout_with_a_correction(void **state)
{
	struct ussd_outcome o;

	(void)state;
	/* FUZZ_OBSERVER is Arabic, with station 1021 (1000 registered, 500 women) */
	run(FUZZ_OBSERVER, "", false, &o);
	assert_int_equal(o.action, USSD_CON);
	assert_int_equal(o.state, USSD_ST_MAIN);
	assert_int_equal(o.lang, LANG_AR);
	assert_non_null(strstr(o.screen, "1021"));
	run(FUZZ_OBSERVER, "1*1200", false, &o);
	assert_int_equal(o.state, USSD_ST_VOTERS);
	assert_non_null(strstr(o.screen, "أكثر من المسجلين (1000)"));
	run(FUZZ_OBSERVER, "1*1200*600*700", false, &o);
	assert_int_equal(o.state, USSD_ST_WOMEN);
	assert_non_null(strstr(o.screen, "أكثر من المقترعين (600)"));
	run(FUZZ_OBSERVER, "1*1200*600*700*250", false, &o);
	assert_int_equal(o.state, USSD_ST_CONFIRM);
	assert_non_null(strstr(o.screen, "600"));
	run(FUZZ_OBSERVER, "1*1200*600*700*250*1", false, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "T 1021 V600 W250");
	assert_int_equal(o.path, 6);
	/* inputs after the end change nothing */
	run(FUZZ_OBSERVER, "1*1200*600*700*250*1*9*9", false, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "T 1021 V600 W250");
	assert_int_equal(o.path, 6);
	/* cancelled */
	run(FUZZ_OBSERVER, "1*600*250*2", false, &o);
	assert_int_equal(o.action, USSD_END);
	/* men, when asked, must add up */
	run(FUZZ_OBSERVER, "2*600*250*300", true, &o);
	assert_int_equal(o.state, USSD_ST_MEN);
	assert_non_null(strstr(o.screen, "600"));
	run(FUZZ_OBSERVER, "2*600*250*300*350*1", true, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "C 1021 V600 W250 M350");
}

static void test_pin_and_results(void **state)
{
	struct ussd_outcome o;

	(void)state;
	/* FUZZ_PINNED: PIN 4321, no language: the election's (English) */
	run(FUZZ_PINNED, "", false, &o);
	assert_int_equal(o.state, USSD_ST_PIN);
	assert_string_equal(o.screen, "Enter your PIN:");
	run(FUZZ_PINNED, "1111", false, &o);
	assert_int_equal(o.state, USSD_ST_PIN);
	assert_int_equal(o.pin_failures, 1);
	assert_string_equal(o.screen, "Wrong PIN.\nEnter your PIN:");
	run(FUZZ_PINNED, "1111*12*1111", false, &o);
	assert_int_equal(o.action, USSD_END);
	assert_int_equal(o.pin_failures, 3);
	/* MUN has 3 candidates: 3 counts, invalid, blank */
	run(FUZZ_PINNED, "1111*4321*3*100*200", false, &o);
	assert_int_equal(o.state, USSD_ST_COUNT);
	assert_non_null(strstr(o.screen, "MUN candidate 3 of 3"));
	run(FUZZ_PINNED, "1111*4321*3*100*200*900", false, &o);
	assert_int_equal(o.state, USSD_ST_COUNT);
	assert_non_null(strstr(o.screen, "Sum 1200 is over the 1000 registered."));
	run(FUZZ_PINNED, "1111*4321*3*100*200*x", false, &o);
	assert_string_equal(o.screen, "Enter a number.\nMUN candidate 3 of 3: votes?");
	run(FUZZ_PINNED, "1111*4321*3*100*200*300*5", false, &o);
	assert_string_equal(o.screen, "Blank ballots:");
	run(FUZZ_PINNED, "1111*4321*3*100*200*300*5*2", false, &o);
	assert_int_equal(o.state, USSD_ST_CONFIRM);
	assert_string_equal(o.screen, "Results 1021 MUN: 100 200 300 5 2\n1 Send\n2 Cancel");
	run(FUZZ_PINNED, "1111*4321*3*100*200*300*5*2*1", false, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "R 1021 MUN 100 200 300 5 2 #4321");
	assert_string_equal(o.screen, "Sent: results for 1021 recorded. Thank you.");
}

static void test_incident(void **state)
{
	struct ussd_outcome o;

	(void)state;
	run(FUZZ_OBSERVER, "4*7", false, &o);
	assert_int_equal(o.state, USSD_ST_INC_CODE);
	assert_non_null(strstr(o.screen, "رمز غير معروف."));
	run(FUZZ_OBSERVER, "4*7*3*buying #1234 votes", false, &o);
	assert_int_equal(o.state, USSD_ST_CONFIRM);
	run(FUZZ_OBSERVER, "4*7*3*buying #1234 votes*1", false, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "I 1021 3 buying  1234 votes");
	run(FUZZ_OBSERVER, "4*3*0*1", false, &o);
	assert_string_equal(o.sms, "I 1021 3");
}

static void test_unknown_and_help(void **state)
{
	struct ussd_outcome o;

	(void)state;
	run("+9617999999", "", false, &o);
	assert_int_equal(o.action, USSD_UNKNOWN);
	assert_string_equal(o.screen, "This number is not registered. Call +961 1 555 000.");
	run("", "1*2", false, &o);
	assert_int_equal(o.action, USSD_UNKNOWN);
	run(FUZZ_OBSERVER, "5", false, &o);
	assert_int_equal(o.action, USSD_LAST);
	assert_int_equal(o.person_id, 1);
	run(FUZZ_OBSERVER, "6", false, &o);
	assert_int_equal(o.action, USSD_END);
	assert_non_null(strstr(o.screen, "+961 1 555 000"));
	run(FUZZ_OBSERVER, "9", false, &o);
	assert_int_equal(o.state, USSD_ST_MAIN);
	assert_non_null(strstr(o.screen, "خيار خاطئ."));
}

static void test_last_report(void **state)
{
	struct ussd_last l = { false, true, "close", "1021", "18:05", "accepted_flagged" };
	char buf[USSD_SCREEN_MAX];

	(void)state;
	ussd_menu_last(LANG_EN, &l, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Your last report: close for 1021 at 18:05, accepted with a flag.");
	ussd_menu_last(LANG_AR, &l, buf, sizeof(buf));
	assert_string_equal(buf, "آخر تقرير منك: الإغلاق 1021 الساعة 18:05، مقبول مع ملاحظة.");
	l.found = false;
	ussd_menu_last(LANG_FR, &l, buf, sizeof(buf));
	assert_string_equal(buf, "Aucun rapport de vous pour l'instant.");
	l.failed = true;
	ussd_menu_last(LANG_EN, &l, buf, sizeof(buf));
	assert_string_equal(buf, "Cannot check now. Try again later.");
}

/* A checklist by USSD (the fuzz snapshot's OP: AA yes/no, AB 0-50, AC
 * options 1 and 3 optional, Z text optional): every answer checked by the
 * SMS parser, 0 skips, the submitted SMS is the checklist's own. */
static void test_checklist(void **state)
{
	struct ussd_outcome o;
	struct checklist_msg m;

	(void)state;
	run(FUZZ_OBSERVER, "", false, &o);
	assert_non_null(strstr(o.screen, "7 استمارات"));
	run(FUZZ_OBSERVER, "7", false, &o);
	assert_int_equal(o.state, USSD_ST_CK_FORM);
	assert_non_null(strstr(o.screen, "\n1 OP Opening"));
	run(FUZZ_OBSERVER, "7*2", false, &o);
	assert_int_equal(o.state, USSD_ST_CK_FORM);
	assert_non_null(strstr(o.screen, "خيار خاطئ."));
	run(FUZZ_OBSERVER, "7*1", false, &o);
	assert_int_equal(o.state, USSD_ST_CK_QUESTION);
	assert_string_equal(o.screen, "AA A\n1 نعم\n2 لا");
	run(FUZZ_OBSERVER, "7*1*3", false, &o);
	assert_int_equal(o.state, USSD_ST_CK_QUESTION);
	assert_string_equal(o.screen, "جواب غير صحيح.\nAA A\n1 نعم\n2 لا");
	run(FUZZ_OBSERVER, "7*1*1*60", false, &o);
	assert_string_equal(o.screen, "جواب غير صحيح.\nAB B (0-50):");
	run(FUZZ_OBSERVER, "7*1*1*\xd9\xa1\xd9\xa2", false, &o); /* ١٢ */
	assert_string_equal(o.screen, "AC C (عدة، مثال 13)\n0 تخطي\n1 One\n3 Three");
	run(FUZZ_OBSERVER, "7*1*1*12*2", false, &o); /* not an option */
	assert_non_null(strstr(o.screen, "جواب غير صحيح."));
	run(FUZZ_OBSERVER, "7*1*1*12*0", false, &o);
	assert_string_equal(o.screen, "Z Z (نص)\n0 تخطي");
	run(FUZZ_OBSERVER, "7*1*1*12*0*long queue #1", false, &o);
	assert_int_equal(o.state, USSD_ST_CK_CONFIRM);
	assert_string_equal(o.screen, "إرسال OP للمركز 1021: 3 أجوبة؟\n1 إرسال\n2 إلغاء");
	run(FUZZ_OBSERVER, "7*1*1*12*0*long queue #1*1", false, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "OP 1021 AA1 AB12 Z long queue  1");
	assert_string_equal(o.screen, "تم الإرسال: استمارة OP للمركز 1021. شكرا");
	/* the SMS reads back as the answers given */
	assert_true(checklist_parse(regsnap_checklists(snap), o.sms, strlen(o.sms), LANG_AR, &m));
	assert_int_equal(m.n_answers, 3);
	assert_int_equal(m.n_problems, 0);
	run(FUZZ_OBSERVER, "7*1*2*0*13*0*1", false, &o);
	assert_string_equal(o.sms, "OP 1021 AA2 AB0 AC13");
	run(FUZZ_OBSERVER, "7*1*2*0*13*0*2", false, &o);
	assert_int_equal(o.action, USSD_END);
	assert_string_equal(o.screen, "ألغي: لم يرسل شيء.");
	/* inputs after the end change nothing */
	run(FUZZ_OBSERVER, "7*1*2*0*13*0*1*9*9", false, &o);
	assert_int_equal(o.action, USSD_SUBMIT);
	assert_string_equal(o.sms, "OP 1021 AA2 AB0 AC13");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_screen_fits_one_page),
		cmocka_unit_test(test_page_budget),
		cmocka_unit_test(test_at_decode),
		cmocka_unit_test(test_hubtel_decode),
		cmocka_unit_test(test_turnout_with_a_correction),
		cmocka_unit_test(test_pin_and_results),
		cmocka_unit_test(test_incident),
		cmocka_unit_test(test_unknown_and_help),
		cmocka_unit_test(test_last_report),
		cmocka_unit_test(test_checklist),
	};
	int rc;

	snap = fuzz_snap_build(&clk);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	regsnap_free(snap);
	return rc;
}
