/*
 * test_strmap.c - the string-keyed hash table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define N 5000

static char keys[N][12];

static void test_put_get_replace(void **state)
{
	struct strmap *m = strmap_new(0);
	int a = 1, b = 2;

	(void)state;
	assert_non_null(m);
	assert_null(strmap_get(m, "x"));
	assert_true(strmap_put(m, "x", &a));
	assert_ptr_equal(strmap_get(m, "x"), &a);
	assert_true(strmap_put(m, "x", &b));
	assert_ptr_equal(strmap_get(m, "x"), &b);
	assert_int_equal(strmap_len(m), 1);
	assert_true(strmap_put(m, "", &a));
	assert_ptr_equal(strmap_get(m, ""), &a);
	assert_int_equal(strmap_len(m), 2);
	strmap_free(m);
	strmap_free(NULL);
}

static void test_grow_and_delete(void **state)
{
	struct strmap *m = strmap_new(4);

	(void)state;
	assert_non_null(m);
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_true(strmap_put(m, keys[i], keys[i]));
	}
	assert_int_equal(strmap_len(m), N);
	for (int i = 0; i < N; i += 2)
		assert_ptr_equal(strmap_del(m, keys[i]), keys[i]);
	assert_null(strmap_del(m, "k0"));
	assert_int_equal(strmap_len(m), N / 2);
	for (int i = 0; i < N; i++) {
		if (i % 2)
			assert_ptr_equal(strmap_get(m, keys[i]), keys[i]);
		else
			assert_null(strmap_get(m, keys[i]));
	}
	/* tombstones are reused and rehashed away */
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < N; i += 2)
			assert_true(strmap_put(m, keys[i], keys[i]));
		for (int i = 0; i < N; i += 2)
			assert_non_null(strmap_del(m, keys[i]));
	}
	assert_int_equal(strmap_len(m), N / 2);
	assert_ptr_equal(strmap_get(m, "k4999"), keys[4999]);
	strmap_free(m);
}

static bool drop_multiples_of_three(const char *key, void *value, void *arg)
{
	int *seen = arg;
	int i = atoi(key + 1);

	(void)value;
	(*seen)++;
	return i % 3 == 0;
}

static void test_sweep(void **state)
{
	struct strmap *m = strmap_new(16);
	int seen = 0;

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_true(strmap_put(m, keys[i], keys[i]));
	}
	strmap_sweep(m, drop_multiples_of_three, &seen);
	assert_int_equal(seen, 300);
	assert_int_equal(strmap_len(m), 200);
	assert_null(strmap_get(m, "k3"));
	assert_non_null(strmap_get(m, "k4"));
	strmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace),
		cmocka_unit_test(test_grow_and_delete),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
