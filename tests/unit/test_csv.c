/*
 * test_csv.c - the RFC 4180 CSV reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "csv.h"

#define MAXF 8

struct reader {
	struct csv_reader r;
	struct csv_record rec;
	char buf[256];
	struct csv_field fields[MAXF];
	char log[1024];
};

static void start(struct reader *t, const char *text, size_t len)
{
	memset(t, 0, sizeof(*t));
	csv_init(&t->r, text, len);
	t->rec.buf = t->buf;
	t->rec.buf_size = sizeof(t->buf);
	t->rec.fields = t->fields;
	t->rec.max_fields = MAXF;
}

/*
 * Read everything into a log: each record as "L<line>[f1|f2]" (quoted
 * fields in <>), each error as "L<line>!<message>".
 */
static const char *read_all(struct reader *t)
{
	enum csv_status st;
	size_t n = 0;

	while ((st = csv_read(&t->r, &t->rec)) != CSV_EOF) {
		n += (size_t)snprintf(t->log + n, sizeof(t->log) - n, "L%u", t->rec.line);
		if (st == CSV_ERROR) {
			n += (size_t)snprintf(t->log + n, sizeof(t->log) - n, "!%s;", t->rec.err);
			continue;
		}
		for (size_t i = 0; i < t->rec.n_fields; i++) {
			const struct csv_field *f = &t->rec.fields[i];

			assert_int_equal(strlen(f->str), f->len);
			n += (size_t)snprintf(t->log + n, sizeof(t->log) - n, "%s%s%s%s",
					      i ? "|" : "[", f->quoted ? "<" : "", f->str,
					      f->quoted ? ">" : "");
		}
		n += (size_t)snprintf(t->log + n, sizeof(t->log) - n, "];");
	}
	return t->log;
}

static const char *csv(const char *text)
{
	static struct reader t;

	start(&t, text, strlen(text));
	return read_all(&t);
}

static void test_simple(void **state)
{
	(void)state;
	assert_string_equal(csv("a,b,c\n1,2,3\n"), "L1[a|b|c];L2[1|2|3];");
	assert_string_equal(csv("a,b\r\n1,2\r\n"), "L1[a|b];L2[1|2];");
	assert_string_equal(csv("a,b\r1,2\r"), "L1[a|b];L2[1|2];");
	assert_string_equal(csv("a,b\n1,2"), "L1[a|b];L2[1|2];");
	assert_string_equal(csv(""), "");
	assert_string_equal(csv("\n"), "L1[];");
	assert_string_equal(csv("a,,\n"), "L1[a||];");
	assert_string_equal(csv(",\n"), "L1[|];");
	assert_string_equal(csv(" a , b \n"), "L1[ a | b ];");
}

static void test_quoted(void **state)
{
	(void)state;
	assert_string_equal(csv("\"a,b\",c\n"), "L1[<a,b>|c];");
	assert_string_equal(csv("\"say \"\"hi\"\"\",x\n"), "L1[<say \"hi\">|x];");
	assert_string_equal(csv("\"\",\"\"\"\"\n"), "L1[<>|<\">];");
	assert_string_equal(csv("x,\"two\nlines\"\ny\n"), "L1[x|<two\nlines>];L3[y];");
	assert_string_equal(csv("x,\"crlf\r\ninside\"\r\ny\r\n"), "L1[x|<crlf\r\ninside>];L3[y];");
	assert_string_equal(csv("\"end\""), "L1[<end>];");
	/* blanks around a quoted field are dropped */
	assert_string_equal(csv("a, \"b, c\" ,\t\"d\"\t\n"), "L1[a|<b, c>|<d>];");
	assert_string_equal(csv("a,  \n"), "L1[a|  ];");
	/* a quote inside an unquoted field is a literal character */
	assert_string_equal(csv("ab\"c,d\n"), "L1[ab\"c|d];");
}

static void test_arabic_and_bom(void **state)
{
	(void)state;
	assert_string_equal(csv("\xEF\xBB\xBF"
				"code,name\n1021,مدرسة الرمل\n"),
			    "L1[code|name];L2[1021|مدرسة الرمل];");
	/* a BOM anywhere else is data */
	assert_string_equal(csv("a\n\xEF\xBB\xBF"
				"b\n"),
			    "L1[a];L2[\xEF\xBB\xBF"
			    "b];");
}

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(csv("a\n\"open,b\nc\n"),
			    "L1[a];L2!unterminated quoted field starting on line 2;");
	assert_string_equal(csv("\"a\"x,b\nc\n"),
			    "L1!unexpected character after closing quote in field 1;L2[c];");
	assert_string_equal(csv("a,\"b\" x,c\nd\n"),
			    "L1!unexpected character after closing quote in field 2;L2[d];");
	assert_string_equal(csv("1,2,3,4,5,6,7,8,9\nok\n"), "L1!more than 8 fields;L2[ok];");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "a,b\0c\nd\n";
	struct reader t;

	(void)state;
	start(&t, text, sizeof(text) - 1);
	assert_string_equal(read_all(&t), "L1!NUL byte in field 2;L2[d];");
}

static void test_too_long(void **state)
{
	char text[600];
	struct reader t;

	(void)state;
	memset(text, 'x', 300);
	strcpy(text + 300, "\n\"q\nq\"\nnext\n");
	start(&t, text, strlen(text));
	assert_string_equal(read_all(&t), "L1!record longer than 256 bytes;L2[<q\nq>];L4[next];");

	/* exactly full: 255 bytes and the NUL fit */
	memset(text, 'y', 255);
	strcpy(text + 255, "\n");
	start(&t, text, strlen(text));
	assert_int_equal(csv_read(&t.r, &t.rec), CSV_RECORD);
	assert_int_equal(t.rec.fields[0].len, 255);
	memset(text, 'y', 256);
	strcpy(text + 256, "\n");
	start(&t, text, strlen(text));
	assert_int_equal(csv_read(&t.r, &t.rec), CSV_ERROR);
	assert_int_equal(t.rec.n_fields, 0);
}

static void test_utf16(void **state)
{
	static const char text[] =
		"\xFF\xFE"
		"c\0o\0d\0e\0";
	struct reader t;

	(void)state;
	start(&t, text, sizeof(text) - 1);
	assert_string_equal(read_all(&t), "L1!file is UTF-16: save it as \"CSV UTF-8\";");
}

static void test_semicolon(void **state)
{
	struct reader t;
	const char *text = "a;\"b;c\";d\n";

	(void)state;
	start(&t, text, strlen(text));
	t.r.delim = ';';
	assert_string_equal(read_all(&t), "L1[a|<b;c>|d];");

	/* a tab delimiter is not skipped as a blank */
	text = "a\t\t\"b\"\t\n";
	start(&t, text, strlen(text));
	t.r.delim = '\t';
	assert_string_equal(read_all(&t), "L1[a||<b>|];");
}

static void test_blank(void **state)
{
	struct reader t;

	(void)state;
	start(&t, ",,\n,x\n", 6);
	assert_int_equal(csv_read(&t.r, &t.rec), CSV_RECORD);
	assert_true(csv_record_blank(&t.rec));
	assert_int_equal(csv_read(&t.r, &t.rec), CSV_RECORD);
	assert_false(csv_record_blank(&t.rec));
	assert_int_equal(csv_read(&t.r, &t.rec), CSV_EOF);
	assert_int_equal(csv_read(&t.r, &t.rec), CSV_EOF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),         cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_arabic_and_bom), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),       cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_utf16),          cmocka_unit_test(test_semicolon),
		cmocka_unit_test(test_blank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
