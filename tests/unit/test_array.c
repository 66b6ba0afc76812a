/*
 * test_array.c - growing arrays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "array.h"

struct item {
	int a;
	double b;
};

static void test_grow_keeps_items(void **state)
{
	struct item *items = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	assert_true(array_grow(&items, &cap, 0, sizeof(*items)));
	assert_null(items);
	assert_int_equal(cap, 0);
	for (int i = 0; i < 1000; i++) {
		assert_true(array_grow(&items, &cap, n + 1, sizeof(*items)));
		assert_true(cap >= n + 1);
		items[n].a = i;
		items[n].b = i / 2.0;
		n++;
	}
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(items[i].a, i);
		assert_true(items[i].b == i / 2.0);
	}
	free(items);
}

static void test_growth_doubles(void **state)
{
	char *s = NULL;
	size_t cap = 0, before;

	(void)state;
	assert_true(array_grow(&s, &cap, 1, 1));
	assert_int_equal(cap, 16);
	assert_true(array_grow(&s, &cap, 16, 1));
	assert_int_equal(cap, 16);
	assert_true(array_grow(&s, &cap, 17, 1));
	assert_int_equal(cap, 32);
	assert_true(array_grow(&s, &cap, 1000, 1));
	assert_int_equal(cap, 1024);
	before = cap;
	assert_true(array_grow(&s, &cap, 10, 1));
	assert_int_equal(cap, before);
	free(s);
}

static void test_overflow(void **state)
{
	int *p = NULL;
	size_t cap = 0;

	(void)state;
	assert_false(array_grow(&p, &cap, SIZE_MAX / 2, sizeof(*p)));
	assert_false(array_grow(&p, &cap, SIZE_MAX, 1));
	assert_false(array_grow(&p, &cap, 1, 0));
	assert_null(p);
	assert_int_equal(cap, 0);
	assert_true(array_grow(&p, &cap, 4, sizeof(*p)));
	assert_false(array_grow(&p, &cap, SIZE_MAX / 4 + 1, sizeof(*p)));
	assert_non_null(p);
	assert_int_equal(cap, 16);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_keeps_items),
		cmocka_unit_test(test_growth_doubles),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
