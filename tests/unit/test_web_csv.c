/*
 * test_web_csv.c - the page's JSON answers as CSV (web_csv.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "web_csv.h"

#define BOM "\xef\xbb\xbf"

/* The CSV of json, checked against want. */
static void expect(const char *json, const char *member, const char *want)
{
	char err[256];
	size_t n = 0;
	char *csv = web_csv_from_json(json, strlen(json), member, &n, err, sizeof(err));

	if (csv == NULL)
		fail_msg("%s: %s", json, err);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(csv, want, n);
	free(csv);
}

static void expect_error(const char *json, const char *member, const char *want)
{
	char err[256];
	size_t n = 0;
	char *csv = web_csv_from_json(json, strlen(json), member, &n, err, sizeof(err));

	assert_null(csv);
	assert_string_equal(err, want);
}

/* A flat array: columns in the order met, numbers, booleans and null. */
static void test_flat(void **state)
{
	(void)state;
	expect("[{\"id\":3,\"name\":\"بيروت\",\"turnout_pct\":45.5,\"has_children\":true,"
	       "\"women\":null},{\"id\":4,\"name\":\"Mount Lebanon\",\"extra\":\"x\"}]",
	       NULL,
	       BOM
	       "id,name,turnout_pct,has_children,women,extra\r\n"
	       "3,بيروت,45.5,true,,\r\n"
	       "4,Mount Lebanon,,,,x\r\n");
	expect("[]", NULL, BOM "\r\n");
}

/* Quotes, commas, semicolons, line breaks; formulas defused. */
static void test_quoting(void **state)
{
	(void)state;
	expect("[{\"text\":\"a, \\\"b\\\"; c\\nd\"},{\"text\":\"=HYPERLINK(1)\"},"
	       "{\"text\":\"-5 voters\"},{\"text\":\"@x\"},{\"text\":\" lead\"},{\"n\":-5}]",
	       NULL,
	       BOM
	       "text,n\r\n"
	       "\"a, \"\"b\"\"; c\nd\",\r\n"
	       "'=HYPERLINK(1),\r\n"
	       "'-5 voters,\r\n"
	       "'@x,\r\n"
	       "\" lead\",\r\n"
	       ",-5\r\n");
}

/* A nested array of objects: a line per element, the row's columns kept. */
static void test_nested(void **state)
{
	(void)state;
	expect("[{\"code\":\"MUN\",\"valid\":10,\"candidates\":[{\"position\":1,\"votes\":6},"
	       "{\"position\":2,\"votes\":4}]},{\"code\":\"MUK\",\"valid\":0,\"candidates\":[]}]",
	       NULL,
	       BOM
	       "code,valid,candidates.position,candidates.votes\r\n"
	       "MUN,10,1,6\r\n"
	       "MUN,10,2,4\r\n"
	       "MUK,0,,\r\n");
}

/* A top object: its scalar members on every line; a named member. */
static void test_top_object(void **state)
{
	(void)state;
	expect("{\"stations\":9,\"points\":[{\"form\":\"open\",\"n\":2},{\"form\":\"close\",\"n\":1}]}",
	       NULL, BOM "stations,form,n\r\n9,open,2\r\n9,close,1\r\n");
	expect("{\"at\":\"t\",\"modems\":[{\"name\":\"usb0\"}],\"nodes\":[{\"node\":\"a\"}],"
	       "\"outbox\":{\"queued\":0}}",
	       "nodes", BOM "at,node\r\nt,a\r\n");
	expect("{\"at\":\"t\",\"modems\":[],\"nodes\":[{\"node\":\"a\"}]}", "modems", BOM "\r\n");
	expect("[{\"areas\":[1,2],\"o\":{\"a\":1}}]", NULL,
	       BOM "areas,o\r\n\"[1,2]\",\"{\"\"a\"\":1}\"\r\n");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{", NULL, "not JSON: string or '}' expected near end of file");
	expect_error("{\"a\":1}", NULL, "no rows in the answer");
	expect_error("\"x\"", NULL, "no rows in the answer");
	expect_error("{\"a\":[]}", "b", "no rows in the answer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat),   cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_nested), cmocka_unit_test(test_top_object),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
