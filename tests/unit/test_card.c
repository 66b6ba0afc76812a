/*
 * test_card.c - the observer's card: every language renders from the
 * catalogue, Arabic is right to left, the station is in every example,
 * the page fetches nothing and prints on A5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "card.h"

static char *render(enum lang lang, const char *station, const char *name)
{
	struct card_args a = { .lang = lang,
			       .station = station,
			       .station_name = name,
			       .election = "Municipal <2026>" };
	char err[CARD_ERR_MAX] = "";
	char *buf = malloc(CARD_MAX);
	struct strbuf sb;

	assert_non_null(buf);
	strbuf_init(&sb, buf, CARD_MAX);
	if (!card_render(&a, &sb, err, sizeof(err)))
		fail_msg("card %d: %s", (int)lang, err);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Every language renders, with all its parts and no placeholder left. */
static void test_each_language(void **state)
{
	static const char *const attrs[LANG_COUNT] = {
		[LANG_AR] = "<html lang=\"ar\" dir=\"rtl\">",
		[LANG_EN] = "<html lang=\"en\" dir=\"ltr\">",
		[LANG_FR] = "<html lang=\"fr\" dir=\"ltr\">",
	};

	(void)state;
	for (int l = 0; l < LANG_COUNT; l++) {
		char *html = render((enum lang)l, "3107", NULL);

		assert_non_null(strstr(html, attrs[l]));
		assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
		assert_non_null(strstr(html, "@page{size:A5"));
		/* five forms, each with its format, example and reply */
		assert_int_equal(count(html, "<section>"), 5);
		assert_int_equal(count(html, "<p class=\"fmt\">"), 5);
		assert_int_equal(count(html, "<p class=\"reply\">"), 5);
		/* nothing missing: no empty element, no template left over */
		assert_null(strstr(html, "<h2></h2>"));
		assert_null(strstr(html, "<p class=\"fmt\"></p>"));
		assert_null(strstr(html,
				   "{"
				   "station}"));
		assert_null(strstr(html, "{example}"));
		assert_null(strstr(html, "(null)"));
		/* self-contained: nothing to fetch */
		assert_null(strstr(html, "http"));
		assert_null(strstr(html, "src="));
		assert_null(strstr(html, "url("));
		assert_null(strstr(html, "@import"));
		assert_null(strstr(html, "<link"));
		/* the station: heading, five examples, five replies, title */
		assert_true(count(html, "3107") >= 12);
		assert_null(strstr(html, "1021"));
		/* the election's name, escaped */
		assert_non_null(strstr(html, "Municipal &lt;2026&gt;"));
		free(html);
	}
}

static void test_arabic_examples(void **state)
{
	char *html = render(LANG_AR, "0042", "مدرسة \"النور\"");

	(void)state;
	assert_non_null(strstr(html, "<code>ق 0042 م420 ن190</code>"));
	assert_non_null(strstr(html, "تم 0042: 420 مقترع، 190 امرأة (45%)"));
	assert_non_null(strstr(html, "مدرسة &quot;النور&quot;"));
	free(html);
}

/* Without a station: a blank to fill in, examples with 1021. */
static void test_no_station(void **state)
{
	char *html = render(LANG_FR, NULL, NULL);

	(void)state;
	assert_non_null(strstr(html, "<b class=\"code\">____</b>"));
	assert_non_null(strstr(html, "<code>P 1021 V420 F190</code>"));
	assert_non_null(strstr(html, "OK 1021: 420 votants, 190 femmes (45%)"));
	free(html);
}

static void test_bad_station(void **state)
{
	static const char *const bad[] = { "", "12a", "12345678901", "1O21", "<b>", "١٠٢١" };
	char buf[CARD_MAX / 4], err[CARD_ERR_MAX];
	struct strbuf sb;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct card_args a = { .lang = LANG_EN, .station = bad[i] };

		strbuf_init(&sb, buf, sizeof(buf));
		assert_false(card_render(&a, &sb, err, sizeof(err)));
		assert_non_null(strstr(err, "is not valid"));
	}
}

static void test_overflow(void **state)
{
	char buf[512], err[CARD_ERR_MAX];
	struct strbuf sb;
	struct card_args a = { .lang = LANG_EN, .station = "1" };

	(void)state;
	strbuf_init(&sb, buf, sizeof(buf));
	assert_false(card_render(&a, &sb, err, sizeof(err)));
	assert_non_null(strstr(err, "does not fit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_language), cmocka_unit_test(test_arabic_examples),
		cmocka_unit_test(test_no_station),    cmocka_unit_test(test_bad_station),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
