/*
 * test_file.c - reading whole files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

static char path[64];

static int make_file(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sawt-test-file-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void write_file(const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void test_read(void **state)
{
	char err[256] = "";
	size_t len = 99;
	char *buf;

	(void)state;
	write_file("ab\0cd\n", 6);
	buf = file_read_all(path, 100, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "ab\0cd\n", 7); /* with the NUL after it */
	free(buf);
	write_file("", 0);
	buf = file_read_all(path, 100, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], '\0');
	free(buf);
}

static void test_large(void **state)
{
	size_t n = 300 * 1024 + 7, len = 0;
	char *data = malloc(n), *buf;
	char err[256];

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	write_file(data, n);
	buf = file_read_all(path, n, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
	free(buf);
	/* one byte more than allowed */
	buf = file_read_all(path, n - 1, &len, err, sizeof(err));
	assert_null(buf);
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(err, "is too large"));
	free(data);
}

static void test_too_large_small(void **state)
{
	char err[256];
	size_t len;

	(void)state;
	write_file("abcd", 4);
	assert_null(file_read_all(path, 3, &len, err, sizeof(err)));
	assert_int_equal(errno, EFBIG);
	assert_null(file_read_all(path, 0, &len, NULL, 0));
	assert_int_equal(errno, EFBIG);
}

static void test_missing(void **state)
{
	char err[256];
	size_t len = 5;

	(void)state;
	assert_null(file_read_all("/nonexistent/sawt/file", 100, &len, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(len, 0);
	assert_string_equal(
		err, "could not open file \"/nonexistent/sawt/file\": No such file or directory");
	/* a directory opens but does not read */
	assert_null(file_read_all("/", 100, &len, err, sizeof(err)));
	assert_int_equal(errno, EISDIR);
	assert_non_null(strstr(err, "could not read file \"/\""));
}

static void test_fd(void **state)
{
	int p[2];
	char err[256];
	size_t len;
	char *buf;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "from a pipe", 11), 11);
	close(p[1]);
	buf = file_read_fd(p[0], "-", 100, &len, err, sizeof(err));
	close(p[0]);
	assert_non_null(buf);
	assert_int_equal(len, 11);
	assert_string_equal(buf, "from a pipe");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_large, make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_too_large_small, make_file, remove_file),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
