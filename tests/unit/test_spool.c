/*
 * test_spool.c - the inbound spool: durable put, ordered replay, removal,
 * reopen after a restart, damaged and stray files.
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
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

static char base[128];
static char dir[256];

static int setup(void **state)
{
	char tmpl[] = "/tmp/sawt-spool-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(base, sizeof(base), "%s", tmpl);
	snprintf(dir, sizeof(dir), "%s/spool", tmpl);
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void make(struct inbound *in, const char *sender, const char *text)
{
	memset(in, 0, sizeof(*in));
	in->transport = INBOUND_GSM;
	snprintf(in->source, sizeof(in->source), "usb0");
	snprintf(in->sender, sizeof(in->sender), "%s", sender);
	in->text_len = (uint16_t)snprintf(in->text, sizeof(in->text), "%s", text);
	in->smsc_time = 1790000000;
	inbound_dedup_key(in);
}

static void test_put_replay_in_order(void **state)
{
	struct spool *sp = spool_new(dir);
	struct inbound a, b, out;
	uint64_t s1, s2, s;
	char err[256];

	(void)state;
	assert_true(spool_open(sp, err, sizeof(err)));
	assert_int_equal(spool_count(sp), 0);
	assert_false(spool_oldest(sp, &out, &s));
	make(&a, "+9613123456", "T 1021 V420 W190");
	make(&b, "+9613123457", "ق ١٠٢١ م٤٢٠ ن١٩٠");
	assert_true(spool_put(sp, &a, &s1, err, sizeof(err)));
	assert_true(spool_put(sp, &b, &s2, err, sizeof(err)));
	assert_true(s2 > s1);
	assert_int_equal(spool_count(sp), 2);
	assert_true(spool_oldest(sp, &out, &s));
	assert_int_equal(s, s1);
	assert_memory_equal(&out, &a, sizeof(a));
	assert_true(spool_remove(sp, s1));
	assert_true(spool_oldest(sp, &out, &s));
	assert_int_equal(s, s2);
	assert_string_equal(out.text, b.text);
	assert_string_equal(out.dedup, b.dedup);
	spool_free(sp);
}

/* Set the modification time of spooled message seq to unix_s. */
static void set_mtime(uint64_t seq, time_t unix_s)
{
	char path[512];
	struct timespec ts[2] = { { unix_s, 0 }, { unix_s, 250000000 } };

	snprintf(path, sizeof(path), "%s/%020llu.msg", dir, (unsigned long long)seq);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_oldest_time(void **state)
{
	struct spool *sp = spool_new(dir);
	struct inbound a;
	uint64_t s1, s2;
	int64_t ms = 0;
	char err[256];

	(void)state;
	assert_true(spool_open(sp, err, sizeof(err)));
	assert_false(spool_oldest_time(sp, &ms));
	make(&a, "+9613123456", "T 1021 V420 W190");
	assert_true(spool_put(sp, &a, &s1, err, sizeof(err)));
	assert_true(spool_put(sp, &a, &s2, err, sizeof(err)));
	set_mtime(s1, 1790000000);
	set_mtime(s2, 1790000100);
	assert_true(spool_oldest_time(sp, &ms));
	assert_int_equal(ms, 1790000000250LL);
	assert_true(spool_remove(sp, s1));
	assert_true(spool_oldest_time(sp, &ms));
	assert_int_equal(ms, 1790000100250LL);
	assert_true(spool_remove(sp, s2));
	assert_false(spool_oldest_time(sp, &ms));
	spool_free(sp);
}

static void test_survives_restart(void **state)
{
	struct spool *sp = spool_new(dir);
	struct inbound a, out;
	uint64_t s1, s2, s;
	char err[256], path[512];
	FILE *f;

	(void)state;
	assert_true(spool_open(sp, err, sizeof(err)));
	make(&a, "+9613123456", "OPEN 1021 0705");
	assert_true(spool_put(sp, &a, &s1, err, sizeof(err)));
	spool_free(sp);

	/* a temporary file left by a crash mid-write is dropped */
	snprintf(path, sizeof(path), "%s/tmp.00000000000000000099", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("half", f);
	fclose(f);

	sp = spool_new(dir);
	assert_true(spool_open(sp, err, sizeof(err)));
	assert_int_equal(spool_count(sp), 1);
	assert_int_equal(access(path, F_OK), -1);
	assert_true(spool_oldest(sp, &out, &s));
	assert_int_equal(s, s1);
	assert_string_equal(out.text, "OPEN 1021 0705");
	/* numbering continues after the files found */
	assert_true(spool_put(sp, &a, &s2, err, sizeof(err)));
	assert_true(s2 > s1);
	spool_free(sp);
	spool_free(NULL);
}

static void test_damaged_file_is_quarantined(void **state)
{
	struct spool *sp = spool_new(dir);
	struct inbound a, out;
	uint64_t s1, s2, s;
	char err[256], path[512], bad[512];
	FILE *f;

	(void)state;
	assert_true(spool_open(sp, err, sizeof(err)));
	make(&a, "+9613123456", "C 1021 V610 W270");
	assert_true(spool_put(sp, &a, &s1, err, sizeof(err)));
	assert_true(spool_put(sp, &a, &s2, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/%020llu.msg", dir, (unsigned long long)s1);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 100, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_true(spool_oldest(sp, &out, &s));
	assert_int_equal(s, s2);
	snprintf(bad, sizeof(bad), "%s/bad/%020llu.msg", dir, (unsigned long long)s1);
	assert_int_equal(access(bad, F_OK), 0);
	assert_int_equal(spool_count(sp), 1);
	spool_free(sp);
}

static void test_decode_rejects_bad_shapes(void **state)
{
	unsigned char buf[SPOOL_FILE_SIZE];
	struct inbound a, out;

	(void)state;
	make(&a, "+9613123456", "R 1021 120 340 55 12 3");
	spool_encode(&a, buf);
	assert_true(spool_decode(buf, sizeof(buf), &out));
	assert_false(spool_decode(buf, sizeof(buf) - 1, &out));
	buf[0] = 'X';
	assert_false(spool_decode(buf, sizeof(buf), &out));
	/* a record whose text is not valid UTF-8 is refused even with a good sum */
	a.text[0] = (char)0xff;
	spool_encode(&a, buf);
	assert_false(spool_decode(buf, sizeof(buf), &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_replay_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oldest_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_file_is_quarantined, setup, teardown),
		cmocka_unit_test(test_decode_rejects_bad_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
