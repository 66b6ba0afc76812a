/*
 * test_concat.c - putting multipart SMS back together (concat.c): parts in
 * order, out of order, twice, never; two senders with one reference; many
 * messages at once; the oldest handed over for room; bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "concat.h"

#define WAIT 60000
#define GOT_MAX 300

/* A message handed over, copied. */
struct got {
	char sender[CONCAT_SENDER_MAX];
	int ref, total, missing;
	int64_t smsc_time;
	bool cut;
	char text[256];
	struct concat_loc locs[16];
	size_t n_locs;
};

static struct got got[GOT_MAX];
static size_t n_got;

static void ready(void *arg, const struct concat_message *m)
{
	struct got *g = &got[n_got++];

	assert_int_equal((intptr_t)arg, 42);
	assert_true(n_got <= GOT_MAX);
	memset(g, 0, sizeof(*g));
	snprintf(g->sender, sizeof(g->sender), "%s", m->sender);
	g->ref = m->ref;
	g->total = m->total;
	g->missing = m->missing;
	g->smsc_time = m->smsc_time;
	g->cut = m->cut;
	assert_true(m->n_units < sizeof(g->text));
	for (size_t i = 0; i < m->n_units; i++)
		g->text[i] = (char)m->units[i];
	assert_true(m->n_locs <= 16);
	memcpy(g->locs, m->locs, m->n_locs * sizeof(*m->locs));
	g->n_locs = m->n_locs;
}

static struct concat *make(size_t max_groups, size_t max_units)
{
	struct concat_options o = { WAIT, max_groups, max_units };
	struct concat *c = concat_new(&o, ready, (void *)(intptr_t)42);

	assert_non_null(c);
	n_got = 0;
	return c;
}

/* Add part of message (sender, ref, total) with text and, when loc >= 0,
 * stored at location loc. */
static enum concat_result add(struct concat *c, const char *sender, int ref, int part, int total,
			      const char *text, int loc, int64_t t, int64_t now)
{
	uint16_t u[256];
	size_t n = strlen(text);
	struct concat_loc l = { 1, loc, 2 };
	struct concat_part p = { sender, ref, part, total, t, u, n, loc >= 0 ? &l : NULL };

	for (size_t i = 0; i < n; i++)
		u[i] = (uint8_t)text[i];
	return concat_add(c, &p, now);
}

static void test_in_order(void **state)
{
	struct concat *c = make(8, 1000);
	int64_t due;

	(void)state;
	assert_int_equal(add(c, "+9613100001", 7, 1, 3, "T 1021 ", 10, 500, 0), CONCAT_HELD);
	assert_int_equal(concat_pending(c), 1);
	assert_true(concat_next_due(c, &due));
	assert_int_equal(due, WAIT);
	assert_int_equal(add(c, "+9613100001", 7, 2, 3, "V420 ", 11, 501, 10), CONCAT_HELD);
	assert_int_equal(n_got, 0);
	assert_int_equal(add(c, "+9613100001", 7, 3, 3, "W190", 12, 502, 20), CONCAT_COMPLETE);
	assert_int_equal(n_got, 1);
	assert_string_equal(got[0].sender, "+9613100001");
	assert_string_equal(got[0].text, "T 1021 V420 W190");
	assert_int_equal(got[0].ref, 7);
	assert_int_equal(got[0].total, 3);
	assert_int_equal(got[0].missing, 0);
	assert_int_equal(got[0].smsc_time, 500);
	assert_int_equal(got[0].n_locs, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(got[0].locs[i].folder, 1);
		assert_int_equal(got[0].locs[i].location, 10 + i);
		assert_int_equal(got[0].locs[i].memory, 2);
	}
	assert_int_equal(concat_pending(c), 0);
	assert_false(concat_next_due(c, &due));
	concat_expire(c, WAIT * 10);
	assert_int_equal(n_got, 1);
	concat_free(c);
}

static void test_out_of_order(void **state)
{
	struct concat *c = make(8, 1000);

	(void)state;
	assert_int_equal(add(c, "+9613100001", 9, 3, 3, "C", 3, 903, 0), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 9, 1, 3, "A", -1, 901, 1), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 9, 2, 3, "B", 2, 902, 2), CONCAT_COMPLETE);
	assert_int_equal(n_got, 1);
	assert_string_equal(got[0].text, "ABC");
	assert_int_equal(got[0].smsc_time, 901); /* the first part's */
	/* stored parts only, in part order */
	assert_int_equal(got[0].n_locs, 2);
	assert_int_equal(got[0].locs[0].location, 2);
	assert_int_equal(got[0].locs[1].location, 3);
	concat_free(c);
}

static void test_duplicates(void **state)
{
	struct concat *c = make(8, 1000);

	(void)state;
	assert_int_equal(add(c, "+9613100001", 5, 1, 2, "AB", 1, 100, 0), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 5, 1, 2, "AB", 4, 100, 1), CONCAT_DUPLICATE);
	assert_int_equal(add(c, "+9613100001", 5, 1, 2, "AB", -1, 100, 2), CONCAT_DUPLICATE);
	assert_int_equal(n_got, 0);
	assert_int_equal(add(c, "+9613100001", 5, 2, 2, "CD", 2, 101, 3), CONCAT_COMPLETE);
	assert_int_equal(n_got, 1);
	assert_string_equal(got[0].text, "ABCD"); /* once */
	/* the duplicate's location comes back too, after the parts' */
	assert_int_equal(got[0].n_locs, 3);
	assert_int_equal(got[0].locs[0].location, 1);
	assert_int_equal(got[0].locs[1].location, 2);
	assert_int_equal(got[0].locs[2].location, 4);
	/* a part that comes after its message was handed over starts again */
	assert_int_equal(add(c, "+9613100001", 5, 2, 2, "CD", 3, 101, 4), CONCAT_HELD);
	assert_int_equal(concat_pending(c), 1);
	concat_free(c);
}

static void test_missing_part_times_out(void **state)
{
	struct concat *c = make(8, 1000);
	int64_t due;

	(void)state;
	assert_int_equal(add(c, "+9613100001", 3, 1, 3, "one ", 1, 300, 1000), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 3, 3, 3, "three", 3, 302, 5000), CONCAT_HELD);
	assert_true(concat_next_due(c, &due));
	assert_int_equal(due, 1000 + WAIT); /* from the first part */
	concat_expire(c, 1000 + WAIT - 1);
	assert_int_equal(n_got, 0);
	concat_expire(c, 1000 + WAIT);
	assert_int_equal(n_got, 1);
	assert_string_equal(got[0].text, "one three");
	assert_int_equal(got[0].missing, 1);
	assert_int_equal(got[0].total, 3);
	assert_int_equal(got[0].n_locs, 2);
	assert_int_equal(concat_pending(c), 0);

	/* without the first part: the earliest known time */
	assert_int_equal(add(c, "+9613100001", 4, 3, 3, "z", -1, 0, 0), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 4, 2, 3, "y", -1, 410, 0), CONCAT_HELD);
	concat_expire(c, WAIT);
	assert_int_equal(n_got, 2);
	assert_string_equal(got[1].text, "yz");
	assert_int_equal(got[1].missing, 1);
	assert_int_equal(got[1].smsc_time, 410);
	assert_int_equal(got[1].n_locs, 0);
	concat_free(c);
}

static void test_two_senders_one_reference(void **state)
{
	struct concat *c = make(8, 1000);

	(void)state;
	assert_int_equal(add(c, "+9613100001", 1, 1, 2, "a1", -1, 1, 0), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100002", 1, 1, 2, "b1", -1, 1, 0), CONCAT_HELD);
	/* same sender and reference, another part count: another message */
	assert_int_equal(add(c, "+9613100001", 1, 1, 3, "c1", -1, 1, 0), CONCAT_HELD);
	assert_int_equal(concat_pending(c), 3);
	assert_int_equal(add(c, "+9613100002", 1, 2, 2, "b2", -1, 1, 0), CONCAT_COMPLETE);
	assert_string_equal(got[0].sender, "+9613100002");
	assert_string_equal(got[0].text, "b1b2");
	assert_int_equal(add(c, "+9613100001", 1, 2, 2, "a2", -1, 1, 0), CONCAT_COMPLETE);
	assert_string_equal(got[1].sender, "+9613100001");
	assert_string_equal(got[1].text, "a1a2");
	assert_int_equal(concat_pending(c), 1);
	concat_free(c); /* hands nothing over */
	assert_int_equal(n_got, 2);
}

static void test_many_parallel(void **state)
{
	struct concat *c = make(64, 1000);
	char sender[16], want[16];

	(void)state;
	for (int part = 4; part >= 1; part--) {
		for (int m = 0; m < 64; m++) {
			char text[4] = { (char)('a' + part - 1), (char)('A' + m % 26), 0, 0 };

			snprintf(sender, sizeof(sender), "+96131%05d", m % 8);
			assert_int_equal(add(c, sender, m, part, 4, text, m * 4 + part, m, part),
					 part == 1 ? CONCAT_COMPLETE : CONCAT_HELD);
		}
	}
	assert_int_equal(n_got, 64);
	assert_int_equal(concat_pending(c), 0);
	for (int m = 0; m < 64; m++) {
		char L = (char)('A' + m % 26);

		snprintf(want, sizeof(want), "a%cb%cc%cd%c", L, L, L, L);
		assert_int_equal(got[m].ref, m);
		assert_string_equal(got[m].text, want);
		assert_int_equal(got[m].missing, 0);
		assert_int_equal(got[m].n_locs, 4);
		assert_int_equal(got[m].locs[0].location, m * 4 + 1);
	}
	concat_free(c);
}

static void test_oldest_makes_room(void **state)
{
	struct concat *c = make(3, 1000);
	int64_t due;

	(void)state;
	assert_int_equal(add(c, "+9613100001", 1, 1, 2, "x", -1, 1, 300), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 2, 1, 2, "y", -1, 1, 100), CONCAT_HELD);
	assert_int_equal(add(c, "+9613100001", 3, 1, 2, "z", -1, 1, 200), CONCAT_HELD);
	assert_true(concat_next_due(c, &due));
	assert_int_equal(due, 100 + WAIT);
	/* a fourth message: the oldest (ref 2) goes, incomplete */
	assert_int_equal(add(c, "+9613100001", 4, 1, 2, "w", -1, 1, 400), CONCAT_HELD);
	assert_int_equal(n_got, 1);
	assert_int_equal(got[0].ref, 2);
	assert_int_equal(got[0].missing, 1);
	assert_int_equal(concat_pending(c), 3);
	/* a part of a message being assembled makes no room */
	assert_int_equal(add(c, "+9613100001", 1, 2, 2, "x", -1, 1, 500), CONCAT_COMPLETE);
	assert_int_equal(n_got, 2);
	assert_int_equal(got[1].ref, 1);
	concat_expire(c, 200 + WAIT);
	assert_int_equal(n_got, 3);
	assert_int_equal(got[2].ref, 3);
	assert_int_equal(concat_pending(c), 1);
	concat_free(c);
}

static void test_bounds(void **state)
{
	struct concat *c = make(4, 5);
	struct concat_part p = { "+9613100001", 1, 1, 2, 0, NULL, 0, NULL };

	(void)state;
	assert_int_equal(add(c, "+9613100001", 1, 0, 2, "a", -1, 1, 0), CONCAT_REFUSED);
	assert_int_equal(add(c, "+9613100001", 1, 3, 2, "a", -1, 1, 0), CONCAT_REFUSED);
	assert_int_equal(add(c, "+9613100001", 1, 1, 1, "a", -1, 1, 0), CONCAT_REFUSED);
	assert_int_equal(add(c, "+9613100001", 1, 1, CONCAT_PARTS_MAX + 1, "a", -1, 1, 0),
			 CONCAT_REFUSED);
	p.sender = NULL;
	assert_int_equal(concat_add(c, &p, 0), CONCAT_REFUSED);
	assert_int_equal(concat_pending(c), 0);
	/* an empty part counts */
	p.sender = "+9613100001";
	assert_int_equal(concat_add(c, &p, 0), CONCAT_HELD);
	/* the text is cut at max_units */
	assert_int_equal(add(c, "+9613100001", 1, 2, 2, "abcdefgh", -1, 1, 0), CONCAT_COMPLETE);
	assert_string_equal(got[0].text, "abcde");
	assert_true(got[0].cut); /* and says so */
	/* the largest message there is */
	for (int i = CONCAT_PARTS_MAX; i >= 1; i--)
		assert_int_equal(add(c, "+9613100001", 65535, i, CONCAT_PARTS_MAX, "q", -1, 1, 0),
				 i == 1 ? CONCAT_COMPLETE : CONCAT_HELD);
	assert_int_equal(got[1].total, CONCAT_PARTS_MAX);
	assert_string_equal(got[1].text, "qqqqq");
	/* a sender too long is cut, and still matches its parts */
	assert_int_equal(add(c, "+961310000123456789012345678901234567890", 2, 1, 2, "s", -1, 1, 0),
			 CONCAT_HELD);
	assert_int_equal(add(c, "+961310000123456789012345678901234567890", 2, 2, 2, "t", -1, 1, 0),
			 CONCAT_COMPLETE);
	assert_int_equal(strlen(got[2].sender), CONCAT_SENDER_MAX - 1);
	assert_string_equal(got[2].text, "st");
	assert_false(got[2].cut);
	assert_int_equal(concat_pending(c), 0);
	concat_free(c);
	concat_free(NULL);
	assert_string_equal(concat_result_name(CONCAT_HELD), "held");
	assert_string_equal(concat_result_name(CONCAT_REFUSED), "refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_missing_part_times_out),
		cmocka_unit_test(test_two_senders_one_reference),
		cmocka_unit_test(test_many_parallel),
		cmocka_unit_test(test_oldest_makes_room),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
