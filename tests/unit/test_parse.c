/*
 * test_parse.c - the observer message parser.
 *
 * Most cases are data: tests/data/parse_cases.txt holds messages and the
 * JSON `sawt parse` prints for them.  Each case is also parsed after a
 * round trip through UCS-2 (the modem's form) and must give the same
 * result, and its reply must render into one SMS segment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report_json.h"
#include "parse.h"
#include "reply.h"
#include "utf8.h"
#include "util.h"

#define CASES_FILE SAWT_TEST_DATA "/parse_cases.txt"
#define MIN_CASES 200

struct coverage {
	bool error[PARSE_ERROR_COUNT];
	bool form[PARSE_FORM_COUNT];
	bool lang[LANG_COUNT];
	int cases;
	int failed;
};

/* Expand \{N:TEXT}; return the new position in src, or NULL if malformed. */
static const char *expand_repeat(const char *src, char *dst, size_t cap, size_t *n)
{
	char *end;
	long times = strtol(src + 2, &end, 10);
	const char *text = end + 1, *close;

	if (*end != ':' || times < 0 || (close = strchr(text, '}')) == NULL)
		return NULL;
	for (long i = 0; i < times; i++) {
		if (*n + (size_t)(close - text) >= cap)
			return NULL;
		memcpy(dst + *n, text, (size_t)(close - text));
		*n += (size_t)(close - text);
	}
	return close + 1;
}

/* Unescape a message field; only \{N:TEXT} when json is true. */
static bool unescape(const char *src, bool json, char *dst, size_t cap, size_t *n)
{
	*n = 0;
	while (*src != '\0') {
		if (src[0] == '\\' && src[1] == '{') {
			src = expand_repeat(src, dst, cap, n);
			if (src == NULL)
				return false;
			continue;
		}
		if (*n + 1 >= cap)
			return false;
		if (json || src[0] != '\\') {
			dst[(*n)++] = *src++;
			continue;
		}
		switch (src[1]) {
		case 't':
			dst[(*n)++] = '\t';
			src += 2;
			break;
		case 'n':
			dst[(*n)++] = '\n';
			src += 2;
			break;
		case 'r':
			dst[(*n)++] = '\r';
			src += 2;
			break;
		case '\\':
			dst[(*n)++] = '\\';
			src += 2;
			break;
		case 'x':
			if (util_hex_digit(src[2]) < 0 || util_hex_digit(src[3]) < 0)
				return false;
			dst[(*n)++] = (char)(util_hex_digit(src[2]) * 16 + util_hex_digit(src[3]));
			src += 4;
			break;
		default: return false;
		}
	}
	dst[*n] = '\0';
	return true;
}

static void to_json(const struct parse_msg *m, const char *msg, size_t len, bool detail, char *out,
		    size_t cap)
{
	struct json_buf j;

	json_init(&j, out, cap);
	json_open_object(&j, NULL);
	report_json(&j, m, msg, len, detail);
	json_close_object(&j);
	assert_true(json_finish(&j));
}

/* Parse a copy of exactly len bytes, so ASan catches a read past the end. */
static void parse_exact(const char *msg, size_t len, enum lang fallback, struct parse_msg *m,
			char *json, size_t cap)
{
	char *copy = malloc(len > 0 ? len : 1);
	bool ok;

	assert_non_null(copy);
	memcpy(copy, msg, len);
	ok = parse_message(copy, len, fallback, m);
	assert_int_equal(ok, m->error == PARSE_OK);
	to_json(m, copy, len, false, json, cap);
	free(copy);
}

/* The same message as a modem delivers it gives the same JSON. */
static bool same_after_ucs2(const char *msg, size_t len, enum lang fallback, const char *want)
{
	static uint8_t ucs2[2 * 4096];
	static char back[4096], json[REPORT_JSON_MAX];
	struct parse_msg m;
	size_t n, blen;

	if (utf8_validate(msg, len) != len)
		return true;
	assert_int_equal(utf8_to_ucs2(msg, len, ucs2, sizeof(ucs2), &n), UTF8_CONV_OK);
	assert_int_equal(utf8_from_ucs2(ucs2, n, back, sizeof(back), &blen), UTF8_CONV_OK);
	parse_exact(back, blen, fallback, &m, json, sizeof(json));
	return strcmp(json, want) == 0;
}

/* The reply in every language is one segment, and errors have a detail. */
static bool reply_and_detail_ok(const struct parse_msg *m, const char *msg, size_t len)
{
	struct reply_args a;
	struct reply_info info;
	enum reply_kind kind;
	char buf[REPLY_MAX], detail[256];

	if (m->error != PARSE_OK) {
		size_t n = parse_error_detail(m, msg, len, detail, sizeof(detail));

		if (n == 0 || n >= sizeof(detail) || strchr(detail, '%') != NULL ||
		    isupper((unsigned char)detail[0]))
			return false;
	}
	if (!reply_kind_for_msg(m, &kind))
		return m->form == PARSE_FORM_STATUS || m->form == PARSE_FORM_ACK ||
		       m->form == PARSE_FORM_VERIFY || m->form == PARSE_FORM_QUARANTINE;
	reply_args_from_msg(&a, m, msg, len);
	for (int l = 0; l < LANG_COUNT; l++)
		if (reply_render(kind, (enum lang)l, &a, buf, sizeof(buf), &info) <= 0 ||
		    info.size.segments != 1)
			return false;
	return true;
}

static void run_case(struct coverage *cov, int lineno, const char *line, enum lang fallback)
{
	static char msg[4096], want[REPORT_JSON_MAX], got[REPORT_JSON_MAX], field[4096];
	const char *tab = strrchr(line, '\t');
	struct parse_msg m;
	size_t len, wlen;

	if (tab == NULL) {
		print_error("parse_cases.txt:%d: no tab\n", lineno);
		cov->failed++;
		return;
	}
	memcpy(field, line, (size_t)(tab - line));
	field[tab - line] = '\0';
	if (!unescape(field, false, msg, sizeof(msg), &len) ||
	    !unescape(tab + 1, true, want, sizeof(want), &wlen)) {
		print_error("parse_cases.txt:%d: bad escape\n", lineno);
		cov->failed++;
		return;
	}
	cov->cases++;
	parse_exact(msg, len, fallback, &m, got, sizeof(got));
	if (strcmp(got, want) != 0) {
		print_error("parse_cases.txt:%d: %s\n  want %s\n  got  %s\n", lineno, field, want,
			    got);
		cov->failed++;
		return;
	}
	if (!same_after_ucs2(msg, len, fallback, want)) {
		print_error("parse_cases.txt:%d: differs after UCS-2: %s\n", lineno, field);
		cov->failed++;
	}
	if (!reply_and_detail_ok(&m, msg, len)) {
		print_error("parse_cases.txt:%d: bad reply or detail: %s\n", lineno, field);
		cov->failed++;
	}
	cov->error[m.error] = true;
	cov->form[m.form] = true;
	cov->lang[m.lang] = true;
}

static void test_cases_file(void **state)
{
	static char line[8192];
	struct coverage cov;
	enum lang fallback = LANG_EN;
	FILE *f = fopen(CASES_FILE, "r");
	int lineno = 0;

	(void)state;
	memset(&cov, 0, sizeof(cov));
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "#! lang ", 8) == 0) {
			assert_true(lang_parse(line + 8, &fallback));
			continue;
		}
		if (n == 0 || (line[0] == '#' && strchr(line, '\t') == NULL))
			continue;
		run_case(&cov, lineno, line, fallback);
	}
	fclose(f);
	printf("# %d cases\n", cov.cases);
	assert_int_equal(cov.failed, 0);
	assert_true(cov.cases >= MIN_CASES);
	for (int e = 0; e < PARSE_ERROR_COUNT; e++) {
		if (!cov.error[e])
			print_error("no case for %s\n", parse_error_code((enum parse_error)e));
		assert_true(cov.error[e]);
	}
	for (int i = 1; i < PARSE_FORM_COUNT; i++)
		assert_true(cov.form[i]);
	for (int i = 0; i < LANG_COUNT; i++)
		assert_true(cov.lang[i]);
}

/* A message read from a modem as UCS-2 parses like the UTF-8 one. */
static void test_ucs2_from_modem(void **state)
{
	/* "ق ١٠٢١ م٤٢٠ ن١٩٠" as a modem hands it over: UTF-16 big endian */
	static const uint8_t ucs2[] = {
		0x06, 0x42, 0x00, 0x20, 0x06, 0x61, 0x06, 0x60, 0x06, 0x62, 0x06,
		0x61, 0x00, 0x20, 0x06, 0x45, 0x06, 0x64, 0x06, 0x62, 0x06, 0x60,
		0x00, 0x20, 0x06, 0x46, 0x06, 0x61, 0x06, 0x69, 0x06, 0x60,
	};
	const char *utf8 =
		"\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 \xd9\x85\xd9\xa4\xd9\xa2\xd9\xa0 "
		"\xd9\x86\xd9\xa1\xd9\xa9\xd9\xa0";
	char text[128], a[REPORT_JSON_MAX], b[REPORT_JSON_MAX];
	struct parse_msg m1, m2;
	size_t n;

	(void)state;
	assert_int_equal(utf8_from_ucs2(ucs2, sizeof(ucs2), text, sizeof(text), &n), UTF8_CONV_OK);
	assert_int_equal(n, strlen(utf8));
	assert_true(parse_message(text, n, LANG_EN, &m1));
	assert_true(parse_message(utf8, strlen(utf8), LANG_EN, &m2));
	to_json(&m1, text, n, true, a, sizeof(a));
	to_json(&m2, utf8, strlen(utf8), true, b, sizeof(b));
	assert_string_equal(a, b);
	assert_string_equal(
		a,
		"{\"ok\":true,\"form\":\"turnout\",\"lang\":\"ar\",\"station\":\"1021\","
		"\"voters\":420,\"women\":190}");
}

/* Only len bytes are read: the rest of the buffer does not count. */
static void test_reads_only_len(void **state)
{
	const char *buf = "T 1021 V420 W190";
	struct parse_msg m;

	(void)state;
	assert_true(parse_message(buf, 10, LANG_EN, &m));
	assert_int_equal(m.voters, 42);
	assert_false(m.has & PARSE_HAS_WOMEN);
	assert_false(parse_message(buf, 0, LANG_EN, &m));
	assert_int_equal(m.error, PARSE_ERR_EMPTY_MESSAGE);
}

/* Positions count characters, not bytes. */
static void test_positions_in_characters(void **state)
{
	const char *msg =
		"\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 \xd9\x85\xd9\xa4\xd9\xa2\xd9\xa0 X19";
	struct parse_msg m;

	(void)state;
	assert_false(parse_message(msg, strlen(msg), LANG_EN, &m));
	assert_int_equal(m.error, PARSE_ERR_UNKNOWN_LABEL);
	assert_int_equal(m.err_column, 13);
	assert_int_equal(m.err_span.off, 21);
	assert_int_equal(m.err_span.len, 3);
}

static void test_details(void **state)
{
	char buf[256];
	struct parse_msg m;
	const char *msg = "T 1021 V420 V430";

	(void)state;
	assert_false(parse_message(msg, strlen(msg), LANG_EN, &m));
	parse_error_detail(&m, msg, strlen(msg), buf, sizeof(buf));
	assert_string_equal(buf, "the voters count (V) is given twice (\"V430\")");
	msg = "C 1021 V610";
	assert_false(parse_message(msg, strlen(msg), LANG_EN, &m));
	parse_error_detail(&m, msg, strlen(msg), buf, sizeof(buf));
	assert_string_equal(buf, "the women count (W) is missing");
	/* a small buffer truncates but reports the full length */
	assert_int_equal(parse_error_detail(&m, msg, strlen(msg), buf, 4),
			 strlen("the women count (W) is missing"));
	assert_string_equal(buf, "the");
	assert_true(parse_message("T 1 V1", 6, LANG_EN, &m));
	parse_error_detail(&m, "T 1 V1", 6, buf, sizeof(buf));
	assert_string_equal(buf, "ok");
}

static void test_share(void **state)
{
	(void)state;
	assert_int_equal(parse_share_pct(190, 420), 45);
	assert_int_equal(parse_share_pct(1, 3), 33);
	assert_int_equal(parse_share_pct(2, 3), 67);
	assert_int_equal(parse_share_pct(1, 2), 50);
	assert_int_equal(parse_share_pct(1, 200), 1); /* 0.5 rounds up */
	assert_int_equal(parse_share_pct(0, 10), 0);
	assert_int_equal(parse_share_pct(10, 10), 100);
	assert_int_equal(parse_share_pct(999999999, 999999999), 100);
	assert_int_equal(parse_share_pct(0, 0), -1);
	assert_int_equal(parse_share_pct(11, 10), -1);
}

static void test_names(void **state)
{
	enum lang l;

	(void)state;
	assert_true(lang_parse("AR", &l));
	assert_int_equal(l, LANG_AR);
	assert_true(lang_parse("fr", &l));
	assert_int_equal(l, LANG_FR);
	assert_false(lang_parse("de", &l));
	assert_false(lang_parse(NULL, &l));
	assert_string_equal(lang_code(LANG_EN), "en");
	assert_string_equal(parse_form_name(PARSE_FORM_RESULTS), "results");
	assert_string_equal(parse_error_code(PARSE_ERR_BAD_CONTEST), "bad_contest");
	assert_string_equal(parse_field_name(PARSE_FIELD_ALERT_ID), "alert_id");
	for (int e = 0; e < PARSE_ERROR_COUNT; e++)
		for (const char *c = parse_error_code((enum parse_error)e); *c; c++)
			assert_true(islower((unsigned char)*c) || isdigit((unsigned char)*c) ||
				    *c == '_');
}

/* Every byte value, alone and after a valid start, never crashes. */
static void test_all_bytes(void **state)
{
	char buf[16];
	struct parse_msg m;

	(void)state;
	for (int b = 0; b < 256; b++) {
		buf[0] = (char)b;
		(void)!parse_message(buf, 1, LANG_EN, &m);
		memcpy(buf, "T 1021 V", 8);
		buf[8] = (char)b;
		(void)!parse_message(buf, 9, LANG_EN, &m);
		assert_true(m.error < PARSE_ERROR_COUNT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_file),
		cmocka_unit_test(test_ucs2_from_modem),
		cmocka_unit_test(test_reads_only_len),
		cmocka_unit_test(test_positions_in_characters),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
