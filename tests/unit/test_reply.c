/*
 * test_reply.c - the reply catalogue: codes, rendering, and the SMS
 * segment budget of every entry in every language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "gsm7.h"
#include "parse.h"
#include "reply.h"

static uint32_t big_counts[PARSE_MAX_COUNTS];
static const uint32_t small_counts[] = { 120, 340, 55, 12, 3 };

/* Tokens, areas and contests that make a reply as long as it can get:
 * Latin (GSM-7), GSM-7 extension characters (two septets each), Arabic
 * (UCS-2) and characters outside the BMP (two UTF-16 units each). */
static const char *const long_words[] = {
	"WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
	"\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85"
	"\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85"
	"\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85",
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
};
#define N_LONG (sizeof(long_words) / sizeof(long_words[0]))

/* Longest contest codes the parser lets through: 16 bytes. */
static const char *const long_contests[] = {
	"ABCDEFGHIJKLMNOP",
	"\xd8\xa8\xd9\x84\xd8\xaf\xd9\x8a\xd9\x87\xd8\xa8\xd9\x84\xd8\xaf",
};

static void worst_args(struct reply_args *a, size_t variant)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < PARSE_MAX_COUNTS; i++)
		big_counts[i] = 999999999;
	a->has = PARSE_HAS_VOTERS | PARSE_HAS_WOMEN | PARSE_HAS_MEN | PARSE_HAS_TOTAL;
	a->station = "1234567890"; /* PARSE_STATION_MAX digits */
	a->contest = long_contests[variant % 2];
	a->time = "2359";
	a->token = long_words[variant % N_LONG];
	a->token_len = strlen(a->token);
	a->area = long_words[(variant + 1) % N_LONG];
	a->area_len = strlen(a->area);
	a->counts = big_counts;
	a->n_counts = PARSE_MAX_COUNTS;
	a->voters = a->women = a->men = a->total = 999999999;
	a->code = a->alert_id = a->sum = 999999999;
	a->expected = a->registered = a->minutes = 999999999;
	a->reported = a->stations = a->incidents = 999999999;
	a->turnout_pct = a->women_pct = 100;
}

static void typical_args(struct reply_args *a)
{
	memset(a, 0, sizeof(*a));
	a->has = PARSE_HAS_VOTERS | PARSE_HAS_WOMEN | PARSE_HAS_MEN;
	a->station = "1021";
	a->contest = "MUN";
	a->time = "0705";
	a->token = "V42x";
	a->token_len = 4;
	a->area = "Beirut";
	a->area_len = 6;
	a->counts = small_counts;
	a->n_counts = 5;
	a->voters = 420;
	a->women = 190;
	a->men = 230;
	a->sum = 420;
	a->code = 3;
	a->alert_id = 17;
	a->expected = 6;
	a->registered = 400;
	a->minutes = 30;
	a->reported = 112;
	a->stations = 140;
	a->turnout_pct = 38;
	a->women_pct = 44;
	a->incidents = 5;
}

/* Render; print and return false when the reply is not one segment. */
static bool one_segment(enum reply_kind k, enum lang l, const struct reply_args *a)
{
	char buf[REPLY_MAX];
	struct reply_info info = { false, { GSM7_CODING_GSM7, 0, 0, 0 } };
	int n = reply_render(k, l, a, buf, sizeof(buf), &info);

	if (n >= 0 && info.size.segments == 1 && strchr(buf, '{') == NULL)
		return true;
	print_error("%s %s: %d bytes, %zu %s units, %zu segments: %s\n", reply_kind_code(k),
		    lang_code(l), n, info.size.units, gsm7_coding_name(info.size.coding),
		    info.size.segments, n < 0 ? "(none)" : buf);
	return false;
}

/* The segment budget: every entry, every language, the longest values. */
static void test_worst_case_fits_one_segment(void **state)
{
	struct reply_args a;
	int bad = 0;

	(void)state;
	for (int k = 0; k < REPLY_KIND_COUNT; k++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			bool ok = true;

			for (size_t v = 0; ok && v < N_LONG; v++) {
				for (int f = 0; ok && f < PARSE_FIELD_COUNT; f++) {
					for (int form = 0; ok && form < PARSE_FORM_COUNT; form++) {
						worst_args(&a, v);
						a.field = (enum parse_field)f;
						a.form = (enum parse_form)form;
						ok = one_segment((enum reply_kind)k, (enum lang)l,
								 &a);
					}
				}
			}
			bad += !ok;
		}
	}
	assert_int_equal(bad, 0);
}

/* Typical values use the main text, not the shorter fallback. */
/* A polling station is قلم in Arabic, never مركز: that word is the centre
 * that holds several stations (STATUS once said "3/3 مركز" for 3 stations
 * in 2 centres). */
static void test_arabic_station_word(void **state)
{
	(void)state;
	for (int k = 0; k < REPLY_KIND_COUNT; k++) {
		for (int full = 0; full < 2; full++) {
			const char *t = reply_template((enum reply_kind)k, LANG_AR, full == 0);

			if (t != NULL && strstr(t, "\xd9\x85\xd8\xb1\xd9\x83\xd8\xb2") != NULL)
				fail_msg("%s: \"%s\" calls a station a centre",
					 reply_kind_code((enum reply_kind)k), t);
		}
	}
	assert_non_null(strstr(reply_template(REPLY_STATUS, LANG_AR, false),
			       "{stations} \xd9\x82\xd9\x84\xd9\x85")); /* قلم */
}

/* An English or French STATUS naming an Arabic area starts with Latin
 * text, so the phone shows it left to right. */
static void test_status_direction(void **state)
{
	char buf[REPLY_MAX];
	struct reply_args a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.area =
		"\xd8\xac\xd8\xa8\xd9\x84 \xd9\x84\xd8\xa8\xd9\x86\xd8\xa7\xd9\x86"; /* جبل لبنان */
	a.area_len = strlen(a.area);
	a.reported = 3;
	a.stations = 5;
	a.turnout_pct = 43;
	a.women_pct = 44;
	a.incidents = 2;
	assert_true(reply_render(REPLY_STATUS, LANG_EN, &a, buf, REPLY_MAX, NULL) > 0);
	assert_string_equal(buf,
			    "3/5 reported in \xd8\xac\xd8\xa8\xd9\x84 "
			    "\xd9\x84\xd8\xa8\xd9\x86\xd8\xa7\xd9\x86, turnout 43%, "
			    "women 44%, 2 incidents");
	assert_true(reply_render(REPLY_STATUS, LANG_FR, &a, buf, REPLY_MAX, NULL) > 0);
	assert_int_equal(strncmp(buf, "3/5 bureaux \xc3\xa0 ", 15), 0);
	a.area = NULL;
	a.area_len = 0;
	assert_true(reply_render(REPLY_STATUS, LANG_EN, &a, buf, REPLY_MAX, NULL) > 0);
	assert_string_equal(buf, "3/5 stations reported, turnout 43%, women 44%, 2 incidents");
	a.area = "\xd8\xac\xd8\xa8\xd9\x84 \xd9\x84\xd8\xa8\xd9\x86\xd8\xa7\xd9\x86";
	a.area_len = strlen(a.area);
	/* Arabic keeps the area first: it reads right to left anyway */
	assert_true(reply_render(REPLY_STATUS, LANG_AR, &a, buf, REPLY_MAX, NULL) > 0);
	assert_int_equal(strncmp(buf, a.area, strlen(a.area)), 0);
}

static void test_typical_uses_main_text(void **state)
{
	struct reply_args a;
	char buf[REPLY_MAX];
	struct reply_info info;
	int bad = 0;

	(void)state;
	for (int k = 0; k < REPLY_KIND_COUNT; k++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			for (int form = 0; form < PARSE_FORM_COUNT; form++) {
				typical_args(&a);
				a.form = (enum parse_form)form;
				a.field = PARSE_FIELD_VOTERS;
				assert_true(reply_render((enum reply_kind)k, (enum lang)l, &a, buf,
							 sizeof(buf), &info) > 0);
				/* en and fr stay GSM-7 with Latin values */
				if (info.fallback ||
				    (l != LANG_AR && info.size.coding != GSM7_CODING_GSM7)) {
					print_error(
						"%s %s: %s%s\n",
						reply_kind_code((enum reply_kind)k),
						lang_code((enum lang)l),
						info.fallback ? "fell back: " : "not GSM-7: ", buf);
					bad++;
					break;
				}
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void test_every_entry_translated(void **state)
{
	(void)state;
	for (int k = 0; k < REPLY_KIND_COUNT; k++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			const char *t = reply_template((enum reply_kind)k, (enum lang)l, false);

			if (t == NULL || t[0] == '\0')
				print_error("%s: no %s text\n", reply_kind_code((enum reply_kind)k),
					    lang_code((enum lang)l));
			assert_non_null(t);
			assert_true(t[0] != '\0');
		}
	}
}

static void test_codes_unique_and_round_trip(void **state)
{
	enum reply_kind back;

	(void)state;
	for (int k = 0; k < REPLY_KIND_COUNT; k++) {
		const char *code = reply_kind_code((enum reply_kind)k);

		assert_true(reply_kind_from_code(code, &back));
		assert_int_equal(back, k);
		for (const char *c = code; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
				    *c == '_');
	}
	assert_false(reply_kind_from_code("no_such_reply", &back));
	assert_false(reply_kind_from_code(NULL, &back));
}

/* Each parse error has the reply kind with the same code. */
static void test_parse_errors_map_to_same_code(void **state)
{
	(void)state;
	for (int e = PARSE_ERR_EMPTY_MESSAGE; e < PARSE_ERROR_COUNT; e++)
		assert_string_equal(reply_kind_code(reply_kind_for_error((enum parse_error)e)),
				    parse_error_code((enum parse_error)e));
}

static void render_msg(const char *text, enum lang fallback, int registered, char *buf)
{
	struct parse_msg m;
	struct reply_args a;
	enum reply_kind k;

	bool parsed = parse_message(text, strlen(text), fallback, &m);

	(void)parsed;
	assert_true(reply_kind_for_msg(&m, &k));
	reply_args_from_msg(&a, &m, text, strlen(text));
	assert_true(reply_render(k, reply_lang(registered, &m), &a, buf, REPLY_MAX, NULL) > 0);
}

static void expect_reply(const char *text, int registered, const char *want)
{
	char buf[REPLY_MAX];

	render_msg(text, LANG_EN, registered, buf);
	if (strcmp(buf, want) != 0)
		print_error("%s -> %s\n", text, buf);
	assert_string_equal(buf, want);
}

/* Arabic replies are written with their hamzas (أعد الإرسال, أكثر, أقل,
 * أو), as an observer would write them; the parser reads both. */
static void test_arabic_hamzas(void **state)
{
	char buf[REPLY_MAX];
	struct reply_args a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.station = "1021";
	a.voters = 100;
	a.women = 150;
	a.has = PARSE_HAS_VOTERS | PARSE_HAS_WOMEN;
	assert_true(reply_render(REPLY_WOMEN_EXCEED_VOTERS, LANG_AR, &a, buf, REPLY_MAX, NULL) > 0);
	assert_non_null(strstr(buf, "أكثر"));
	assert_non_null(strstr(buf, "أعد الإرسال"));
	assert_null(strstr(buf, "اعد الارسال"));
	assert_true(reply_render(REPLY_CORRECTION_FLAGGED, LANG_AR, &a, buf, REPLY_MAX, NULL) > 0);
	assert_non_null(strstr(buf, "أقل"));
}

static void test_confirmations_echo(void **state)
{
	(void)state;
	/* DESIGN.md's example */
	expect_reply("T 1021 V420 W190", -1, "OK 1021: 420 voters, 190 women (45%)");
	expect_reply("T 1021 V420", -1, "OK 1021: 420 voters");
	expect_reply("T 1021 V420 W190 M230", -1, "OK 1021: 420 voters, 190 women (45%), 230 men");
	/* no share when it would be meaningless */
	expect_reply("T 1021 V0 W0", -1, "OK 1021: 0 voters, 0 women");
	expect_reply("T 1021 V100 W300", -1, "OK 1021: 100 voters, 300 women");
	/* rounding: 1/3 -> 33%, 2/3 -> 67%, 1/2 -> 50% */
	expect_reply("T 9 V3 W1", -1, "OK 9: 3 voters, 1 women (33%)");
	expect_reply("T 9 V3 W2", -1, "OK 9: 3 voters, 2 women (67%)");
	expect_reply("C 1021 V610 W270", -1,
		     "OK 1021 closed: 610 voters, 270 women (44%). Thank you.");
	expect_reply("P 1021 V420 F190", -1, "OK 1021: 420 votants, 190 femmes (45%)");
	expect_reply(
		"\xd9\x82 1021 \xd9\x85"
		"420 \xd9\x86"
		"190",
		-1,
		"\xd8\xaa\xd9\x85 1021: 420 \xd9\x85\xd9\x82\xd8\xaa\xd8\xb1\xd8\xb9\xd8\x8c 190 "
		"\xd8\xa7\xd9\x85\xd8\xb1\xd8\xa3\xd8\xa9 (45%)");
	expect_reply("OPEN 1021 0705", -1, "OK 1021: opening at 07:05 recorded. Thank you.");
	expect_reply("R 1021 120 340 55 12 3", -1, "OK 1021 results: 120 340 55 12 3 (sum 530)");
	expect_reply("R 1021 MUN 120 340 V460", -1,
		     "OK 1021 MUN results: 120 340 (sum 460), V 460");
	expect_reply("I 1021 3 vote buying", -1, "OK 1021: incident 3 recorded. Thank you.");
	/* the registered language wins over the message's */
	expect_reply("T 1021 V420 W190", LANG_FR, "OK 1021: 420 votants, 190 femmes (45%)");
}

static void test_errors_say_what_is_wrong(void **state)
{
	(void)state;
	expect_reply("C 1021 V610", -1, "W (women) missing. Ex: C 1021 V610 W270");
	expect_reply("T 1021", -1, "V (voters) missing. Ex: T 1021 V420 W190");
	expect_reply("F 1021 V610", -1, "F (femmes) manquant. Ex: F 1021 V610 F270");
	expect_reply(
		"T 1021 420 190", -1,
		"Number \"420\" has no letter. Write V before voters, W before women, M before men. Ex: T 1021 V420 W190");
	expect_reply(
		"TRN 1021 V420", -1,
		"Unknown word \"TRN\". Start with T, C, O, R, I or HELP. Ex: T 1021 V420 W190");
	expect_reply("T 1021 V420 #12", -1,
		     "PIN \"#12\" is not valid: # then 4 to 8 digits, e.g. #1234");
	expect_reply("", -1, "Empty message. Send HELP for the formats.");
	/* a long token is cut */
	expect_reply("T 1021 V420 W190 ABCDEFGHIJKLMNOP1X", -1,
		     "Not understood: \"ABCDEFGHIJKL..\". Ex: T 1021 V420 W190");
}

static void test_results_fall_back_when_long(void **state)
{
	char msg[512], buf[REPLY_MAX];
	size_t n = 0;
	struct reply_info info;
	struct parse_msg m;
	struct reply_args a;

	(void)state;
	n += (size_t)snprintf(msg + n, sizeof(msg) - n, "R 1021");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, " 12345678");
	assert_true(parse_message(msg, n, LANG_EN, &m));
	reply_args_from_msg(&a, &m, msg, n);
	n = (size_t)reply_render(REPLY_ACCEPTED_RESULTS, LANG_EN, &a, buf, sizeof(buf), &info);
	assert_int_equal(n, strlen(buf));
	assert_true(info.fallback);
	assert_string_equal(buf, "OK 1021 results: 20 numbers, sum 246913560");
}

static void test_help(void **state)
{
	char buf[REPLY_MAX];

	(void)state;
	render_msg("HELP", LANG_EN, -1, buf);
	assert_non_null(strstr(buf, "T stn V voters W women M men"));
	render_msg("HELP T", LANG_EN, -1, buf);
	assert_non_null(strstr(buf, "Ex: T 1021 V420 W190 M230"));
	render_msg("AIDE", LANG_EN, -1, buf);
	assert_non_null(strstr(buf, "P bur V votants"));
	render_msg("?", LANG_FR, -1, buf);
	assert_non_null(strstr(buf, "P bur V votants"));
}

static void test_validation_replies(void **state)
{
	struct reply_args a;
	char buf[REPLY_MAX];

	(void)state;
	typical_args(&a);
	a.women = 500;
	assert_true(reply_render(REPLY_WOMEN_EXCEED_VOTERS, LANG_EN, &a, buf, sizeof(buf), NULL) >
		    0);
	assert_string_equal(buf, "Not counted: 1021 W 500 is more than V 420. Check and resend.");
	typical_args(&a);
	a.sum = 410;
	a.men = 220;
	assert_true(reply_render(REPLY_SUM_MISMATCH, LANG_EN, &a, buf, sizeof(buf), NULL) > 0);
	assert_string_equal(buf,
			    "Not counted: 1021 W 190 + M 220 = 410, not V 420. Check and resend.");
	assert_true(reply_render(REPLY_PIN_LOCKED, LANG_EN, &a, buf, sizeof(buf), NULL) > 0);
	assert_non_null(strstr(buf, "30 min"));
}

static void test_render_errors(void **state)
{
	struct reply_args a;
	char buf[8];

	(void)state;
	typical_args(&a);
	assert_int_equal(reply_render(REPLY_ACCEPTED_TURNOUT, LANG_EN, &a, buf, sizeof(buf), NULL),
			 -1);
	assert_int_equal(reply_render(REPLY_KIND_COUNT, LANG_EN, &a, buf, sizeof(buf), NULL), -1);
	assert_int_equal(reply_render(REPLY_ACK, LANG_EN, &a, buf, 0, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worst_case_fits_one_segment),
		cmocka_unit_test(test_arabic_hamzas),
		cmocka_unit_test(test_arabic_station_word),
		cmocka_unit_test(test_status_direction),
		cmocka_unit_test(test_typical_uses_main_text),
		cmocka_unit_test(test_every_entry_translated),
		cmocka_unit_test(test_codes_unique_and_round_trip),
		cmocka_unit_test(test_parse_errors_map_to_same_code),
		cmocka_unit_test(test_confirmations_echo),
		cmocka_unit_test(test_errors_say_what_is_wrong),
		cmocka_unit_test(test_results_fall_back_when_long),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_validation_replies),
		cmocka_unit_test(test_render_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
