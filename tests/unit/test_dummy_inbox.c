/*
 * test_dummy_inbox.c - the files written for Gammu's dummy phone: layout,
 * SMS backup fields, coding choice, multipart headers, locations, errors.
 * (tests/integration/test_modem.c checks that libgammu reads them.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dummy_inbox.h"
#include "strbuf.h"

static char dir[256];
static char err[DUMMY_INBOX_ERR_MAX];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sawt-dummy-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	strcat(dir, "/phone"); /* does not exist yet: prepare creates it */
	return dummy_inbox_prepare(dir, err, sizeof(err)) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *read_loc(int loc)
{
	static char content[8192];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sms/1/%d", dir, loc);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(content, 1, sizeof(content) - 1, f);
	fclose(f);
	content[n] = '\0';
	return content;
}

/* noinline: GCC's -Wformat-overflow misreads the inlined copies under UBSan */
static __attribute__((noinline)) void has(const char *content, const char *line)
{
	if (strstr(content, line) == NULL) {
		print_error("missing \"%s\" in:\n%s\n", line, content);
		fail();
	}
}

static void test_layout(void **state)
{
	char path[512];
	struct stat st;

	(void)state;
	for (int i = 1; i <= 5; i++) {
		snprintf(path, sizeof(path), "%s/sms/%d", dir, i);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	assert_int_equal(dummy_inbox_count(dir), 0);
	assert_true(dummy_inbox_prepare(dir, err, sizeof(err))); /* again: fine */
	assert_string_equal(dummy_inbox_default_dir("/var/lib/sawt", path, sizeof(path)),
			    "/var/lib/sawt/dummy");
}

static void test_gsm7_single(void **state)
{
	struct dummy_sms m = { "+96171123456", "T 1021 V420", 1746353730, 0, 0, 0 };
	char path[512];
	int loc = 0;
	char *c;

	(void)state;
	assert_true(dummy_inbox_write(dir, &m, &loc, err, sizeof(err)));
	assert_int_equal(loc, 1);
	c = read_loc(1);
	has(c, "[SMSBackup000]\n");
	has(c, "PDU = Deliver\n");
	has(c, "DateTime = 20250504T101530Z\n");
	has(c, "State = UnRead\n");
	has(c, "Number = \"+96171123456\"\n");
	has(c, "NumberUnicode = 002B00390036003100370031003100320033003400350036\n");
	has(c, "Text00 = 00540020003100300032003100200056003400320030\n");
	has(c, "Coding = Default_No_Compression\n");
	has(c, "Length = 11\n");
	has(c, "Folder = 1\n");
	assert_null(strstr(c, "UDH"));
	assert_int_equal(dummy_inbox_count(dir), 1);
	/* the next message takes the next location, a freed one is reused */
	assert_true(dummy_inbox_write(dir, &m, &loc, err, sizeof(err)));
	assert_int_equal(loc, 2);
	snprintf(path, sizeof(path), "%s/sms/1/1", dir);
	assert_int_equal(unlink(path), 0);
	assert_true(dummy_inbox_write(dir, &m, &loc, err, sizeof(err)));
	assert_int_equal(loc, 1);
	assert_int_equal(dummy_inbox_count(dir), 2);
}

static void test_arabic_multipart(void **state)
{
	/* ق ١٠ : U+0642 U+0020 U+0661 U+0660 */
	struct dummy_sms m = { "MTC", "\xd9\x82 \xd9\xa1\xd9\xa0", 1746353730, 0xab, 2, 3 };
	char *c;

	(void)state;
	assert_true(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	c = read_loc(1);
	has(c, "Coding = Unicode_No_Compression\n");
	has(c, "Text00 = 0642002006610660\n");
	has(c, "UDH = 050003AB0302\n");
	has(c, "Number = \"MTC\"\n");
	m.concat_ref = 0x1234;
	assert_true(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	has(read_loc(2),
	    "UDH = 0608041234"
	    "0302\n");
}

static void test_long_lines_split(void **state)
{
	char text[161];
	struct dummy_sms m = { "+1", text, 0, 0, 0, 0 };
	char *c;

	(void)state;
	memset(text, 'a', 160);
	text[160] = '\0';
	assert_true(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	c = read_loc(1);
	/* 640 hex digits: three lines of 200 and one of 40, like Gammu writes */
	has(c, "Text03 = 0061006100610061006100610061006100610061\n");
	assert_null(strstr(c, "Text04"));
	has(c, "Length = 160\n");
}

static void test_write_text(void **state)
{
	char text[401], arabic[301];

	(void)state;
	memset(text, 'x', 400);
	text[400] = '\0';
	assert_int_equal(dummy_inbox_write_text(dir, "+1", text, 0, 5, err, sizeof(err)), 3);
	has(read_loc(1), "UDH = 050003050301\n");
	has(read_loc(3), "UDH = 050003050303\n");
	has(read_loc(3), "Length = 94\n");
	for (int i = 0; i < 150; i++)
		memcpy(arabic + 2 * i, "\xd8\xb3", 2); /* 150 x U+0633 */
	arabic[300] = '\0';
	assert_int_equal(dummy_inbox_write_text(dir, "+1", arabic, 0, 6, err, sizeof(err)), 3);
	has(read_loc(4), "Length = 67\n");
	has(read_loc(6), "Length = 16\n");
	assert_int_equal(dummy_inbox_write_text(dir, "+1", "short", 0, 7, err, sizeof(err)), 1);
	assert_int_equal(dummy_inbox_count(dir), 7);
}

static void test_errors(void **state)
{
	char text[162];
	struct dummy_sms m = { "+1", text, 0, 0, 0, 0 };

	(void)state;
	memset(text, 'a', 161);
	text[161] = '\0';
	assert_false(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "does not fit one SMS part"));
	text[154] = '\0'; /* 154 septets: fits alone, not as a part */
	m.part = 1;
	m.parts = 2;
	assert_false(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	m.part = 3;
	text[10] = '\0';
	assert_false(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "multipart numbering"));
	m.part = m.parts = 0;
	m.sender = "";
	assert_false(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	m.sender = "a\"b";
	assert_false(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	m.sender = "+1";
	m.text = "bad \xc3";
	assert_false(dummy_inbox_write(dir, &m, NULL, err, sizeof(err)));
	assert_int_equal(dummy_inbox_count(dir), 0);
}

/* fix_sender on text: its verdict, the file written into out */
static enum dummy_sender fix(const char *text, char *out, size_t cap)
{
	struct strbuf o;

	strbuf_init(&o, out, cap);
	return dummy_inbox_fix_sender(text, strlen(text), &o);
}

#define HEAD "[SMSBackup000]\nPDU = Deliver\n"
#define TAIL "Text00 = 0054\nLength = 1\n"

/* A sender Gammu would cut or garble is marked (U+FFFD), the file kept. */
static void test_fix_sender(void **state)
{
	char out[4096];

	(void)state;
	/* read as written: left alone */
	assert_int_equal(fix(HEAD "Number = \"+96171123456\"\n" TAIL, out, sizeof(out)),
			 DUMMY_SENDER_OK);
	assert_int_equal(
		fix(HEAD "Number = \"x\"\nNumberUnicode = 002B00390036\n" TAIL, out, sizeof(out)),
		DUMMY_SENDER_OK);
	assert_int_equal(fix(HEAD "number=MTC\r\n" TAIL, out, sizeof(out)), DUMMY_SENDER_OK);
	assert_int_equal(
		fix(HEAD "Number = \"a\"\nNumberUnicode = D83DDE00\n" TAIL, out, sizeof(out)),
		DUMMY_SENDER_OK); /* a surrogate pair */
	/* a byte beyond ASCII: Gammu would read "+96171123" */
	assert_int_equal(fix(HEAD "Number = \"+96171123\xff"
				  "456\"\n" TAIL,
			     out, sizeof(out)),
			 DUMMY_SENDER_FIXED);
	has(out,
	    "Number = \"?\"\nNumberUnicode = 002B003900360031003700310031003200"
	    "33FFFD003400350036\n");
	has(out, "PDU = Deliver\n");
	has(out, TAIL);
	/* U+0000 inside NumberUnicode, and a control character */
	assert_int_equal(fix(HEAD
			     "Number = \"+9617\"\nNumberUnicode = 002B00370000003100010032\n" TAIL,
			     out, sizeof(out)),
			 DUMMY_SENDER_FIXED);
	has(out, "NumberUnicode = 002B0037FFFD0031FFFD0032\n");
	if (strstr(out, "+9617") != NULL)
		fail_msg("the old Number line is left: %s", out);
	/* a lone surrogate, bad hex */
	assert_int_equal(
		fix(HEAD "Number = \"a\"\nNumberUnicode = D83D0031\n" TAIL, out, sizeof(out)),
		DUMMY_SENDER_FIXED);
	has(out, "NumberUnicode = FFFD0031\n");
	assert_int_equal(
		fix(HEAD "Number = \"a\"\nNumberUnicode = 00ZZ003\n" TAIL, out, sizeof(out)),
		DUMMY_SENDER_FIXED);
	/* UTF-8 that Gammu reads as NULs: kept in NumberUnicode */
	assert_int_equal(fix(HEAD "Number = \"+9617\xe2\x80\x8b"
				  "1\"\n" TAIL,
			     out, sizeof(out)),
			 DUMMY_SENDER_FIXED);
	has(out, "NumberUnicode = 002B0039003600310037200B0031\n");
	/* longer than Gammu's 50 characters: what it reads, marked at the cut */
	assert_int_equal(fix(HEAD "Number = \"+961711234567890123456789012345678901234567890123"
				  "4567890\"\n" TAIL,
			     out, sizeof(out)),
			 DUMMY_SENDER_FIXED);
	has(out, "0033FFFD\n"); /* 49 characters read, then the mark */
	/* the second section's Number does not count; none: missing */
	assert_int_equal(fix(HEAD TAIL "[Other]\nNumber = \"1\"\n", out, sizeof(out)),
			 DUMMY_SENDER_MISSING);
	assert_int_equal(fix("", out, sizeof(out)), DUMMY_SENDER_MISSING);
	/* no room for the file: missing, nothing half written counts */
	assert_int_equal(fix(HEAD "Number = \"+9617\x01\"\n" TAIL, out, 16), DUMMY_SENDER_MISSING);
}

static void test_fix_file(void **state)
{
	char path[512];
	bool fixed;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/sms/1/7", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(HEAD
	      "Number = \"+96171123\xff"
	      "456\"\n" TAIL,
	      f);
	fclose(f);
	assert_true(dummy_inbox_fix_file(path, &fixed, err, sizeof(err)));
	assert_true(fixed);
	has(read_loc(7),
	    "NumberUnicode = 002B003900360031003700310031003200"
	    "33FFFD003400350036\n");
	assert_true(dummy_inbox_fix_file(path, &fixed, err, sizeof(err)));
	assert_false(fixed);                         /* now it reads as written */
	assert_int_equal(dummy_inbox_count(dir), 1); /* no temporary file left */
	assert_false(dummy_inbox_fix_file("/nonexistent/sms/1/1", &fixed, err, sizeof(err)));
	assert_non_null(strstr(err, "could not open file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gsm7_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arabic_multipart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lines_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test(test_fix_sender),
		cmocka_unit_test_setup_teardown(test_fix_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
