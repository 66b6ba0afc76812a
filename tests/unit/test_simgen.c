/*
 * test_simgen.c - the generator of "sawt simulate": the same seed gives
 * the same election; its figures are consistent (women <= voters <=
 * registered, results add up to the voters, areas add up to the whole);
 * every message reads back, through the real parser, as the figures it
 * was made from (or, for a typo, as something the pipeline rejects); no
 * observer exceeds the per-sender budget; the registry CSV files import
 * without an error; the SMSC times avoid the clock's flags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "registry_import.h"
#include "simgen.h"
#include "strmap.h"
#include "validate.h"

static struct simgen *make(uint64_t seed, unsigned stations, unsigned typos)
{
	struct simgen_options o;
	struct simgen *g;

	simgen_options_init(&o);
	o.seed = seed;
	o.stations = stations;
	o.typo_pct = typos;
	o.dup_pct = 5;
	g = simgen_new(&o);
	assert_non_null(g);
	return g;
}

static void test_rng(void **state)
{
	struct simgen_rng a, b, c;
	bool seen_lo = false, seen_hi = false, differ = false;

	(void)state;
	simgen_rng_seed(&a, 42);
	simgen_rng_seed(&b, 42);
	simgen_rng_seed(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = simgen_rng_next(&a);

		assert_int_equal(x, simgen_rng_next(&b));
		differ |= x != simgen_rng_next(&c);
	}
	assert_true(differ);
	for (int i = 0; i < 10000; i++) {
		int v = simgen_rng_range(&a, -3, 3);

		assert_true(v >= -3 && v <= 3);
		seen_lo |= v == -3;
		seen_hi |= v == 3;
		assert_true(simgen_rng_below(&a, 7) < 7);
	}
	assert_true(seen_lo && seen_hi);
	assert_int_equal(simgen_rng_below(&a, 0), 0);
	assert_false(simgen_rng_pct(&a, 0));
	assert_true(simgen_rng_pct(&a, 100));
}

static void test_options(void **state)
{
	struct simgen_options o;

	(void)state;
	simgen_options_init(&o);
	o.stations = 0;
	assert_null(simgen_new(&o));
	simgen_options_init(&o);
	o.typo_pct = 101;
	assert_null(simgen_new(&o));
	simgen_options_init(&o);
	o.country_code = "96a";
	assert_null(simgen_new(&o));
	o.country_code = "0961";
	assert_null(simgen_new(&o));
	simgen_free(NULL);
}

static void same_csv(const struct simgen *a, const struct simgen *b, enum registry_kind k,
		     bool want_same)
{
	size_t la, lb;
	char *x = simgen_csv(a, k, &la), *y = simgen_csv(b, k, &lb);

	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(want_same, la == lb && memcmp(x, y, la) == 0);
	free(x);
	free(y);
}

static void test_deterministic(void **state)
{
	struct simgen *a = make(7, 120, 10), *b = make(7, 120, 10), *c = make(8, 120, 10);
	bool differ = false;

	(void)state;
	assert_int_equal(simgen_n_messages(a), simgen_n_messages(b));
	for (size_t i = 0; i < simgen_n_messages(a); i++) {
		assert_string_equal(simgen_message(a, i)->text, simgen_message(b, i)->text);
		assert_int_equal(simgen_message(a, i)->nominal, simgen_message(b, i)->nominal);
	}
	for (size_t i = 0; i < simgen_n_messages(a) && i < simgen_n_messages(c); i++)
		differ |= strcmp(simgen_message(a, i)->text, simgen_message(c, i)->text) != 0;
	assert_true(differ);
	same_csv(a, b, REGISTRY_STATIONS, true);
	same_csv(a, b, REGISTRY_PEOPLE, true);
	same_csv(a, c, REGISTRY_STATIONS, false);
	simgen_free(a);
	simgen_free(b);
	simgen_free(c);
}

static void check_station(const struct simgen *g, const struct simgen_station *s)
{
	int last_v = 0, last_w = 0, rounds = 0;

	assert_true(s->registered_women <= s->registered);
	assert_true(s->voters >= 1 && s->voters <= s->registered);
	assert_true(s->women <= s->voters && s->women <= s->registered_women);
	for (int r = 0; r < SIMGEN_ROUNDS; r++) {
		if (!s->round[r])
			continue;
		rounds++;
		assert_true(s->round_voters[r] >= last_v && s->round_voters[r] <= s->voters);
		assert_true(s->round_women[r] >= last_w && s->round_women[r] <= s->round_voters[r]);
		last_v = s->round_voters[r];
		last_w = s->round_women[r];
	}
	assert_true(rounds >= 2);
	assert_true(s->contest[0]);
	for (unsigned c = 0; c < SIMGEN_CONTESTS; c++) {
		int sum = 0;

		if (!s->contest[c])
			continue;
		for (unsigned i = 0; i < simgen_contest(g, c)->n_candidates + 2; i++) {
			assert_true(s->results[c][i] >= 0);
			sum += s->results[c][i];
		}
		assert_int_equal(sum, s->voters);
	}
}

struct totals {
	long long voters, women, regions_voters, mun1;
};

static void total_cb(const char *key, long long value, void *arg)
{
	struct totals *t = arg;

	if (strcmp(key, "area|election|el|voters") == 0)
		t->voters = value;
	else if (strncmp(key, "area|region|", 12) == 0 && strstr(key, "|voters"))
		t->regions_voters += value;
	else if (strcmp(key, "results|MUN|1") == 0)
		t->mun1 = value;
}

static void test_totals(void **state)
{
	struct simgen *g = make(3, 300, 5);
	struct totals t = { 0 };
	long long voters = 0, mun1 = 0;

	(void)state;
	assert_int_equal(simgen_n_stations(g), 300);
	assert_int_equal(simgen_n_regions(g), 8);
	for (size_t i = 0; i < simgen_n_stations(g); i++) {
		const struct simgen_station *s = simgen_station(g, i);

		check_station(g, s);
		voters += s->voters;
		mun1 += s->results[0][0];
		assert_string_equal(simgen_person(g, s->observer)->phone,
				    simgen_person(g, i)->phone);
	}
	simgen_expected(g, "el", total_cb, &t);
	assert_int_equal(t.voters, voters);
	assert_int_equal(t.regions_voters, voters);
	assert_int_equal(t.mun1, mun1);
	simgen_free(g);
}

/* The station s as it should read back from message m. */
static void check_report(const struct simgen *g, const struct simgen_message *m,
			 const struct parse_msg *r)
{
	const struct simgen_station *s = simgen_station(g, m->station);
	static const enum parse_form forms[] = { PARSE_FORM_OPEN, PARSE_FORM_TURNOUT,
						 PARSE_FORM_CLOSE, PARSE_FORM_RESULTS,
						 PARSE_FORM_INCIDENT };
	const struct simgen_person *p = simgen_person(g, m->person);

	assert_int_equal(r->form, forms[m->form]);
	assert_string_equal(r->station, s->code);
	if (p->pin[0] != '\0')
		assert_string_equal(r->pin, p->pin);
	else
		assert_false(r->has & PARSE_HAS_PIN);
	if (m->form == SIMGEN_TURNOUT || m->form == SIMGEN_CLOSE) {
		int v = m->form == SIMGEN_CLOSE ? s->voters : s->round_voters[m->round];
		int w = m->form == SIMGEN_CLOSE ? s->women : s->round_women[m->round];

		assert_int_equal(r->voters, v);
		assert_int_equal(r->women, w);
		if (r->has & PARSE_HAS_MEN)
			assert_int_equal(r->men, v - w);
	} else if (m->form == SIMGEN_RESULTS) {
		const struct simgen_contest *k = simgen_contest(g, m->contest);

		assert_int_equal(r->n_counts, k->n_candidates + 2);
		for (unsigned i = 0; i < r->n_counts; i++)
			assert_int_equal(r->counts[i], s->results[m->contest][i]);
		if (r->has & PARSE_HAS_CONTEST)
			assert_string_equal(r->contest, k->code);
		else
			assert_false(s->contest[0] && s->contest[1]);
		if (r->has & PARSE_HAS_TOTAL)
			assert_int_equal(r->total, s->voters);
	} else if (m->form == SIMGEN_INCIDENT) {
		assert_int_equal(r->code, s->incident[m->incident]);
	}
}

/* A typo that parses must break a rule validation checks. */
static void check_typo(const struct simgen *g, const struct simgen_message *m,
		       const struct parse_msg *r, struct strmap *codes)
{
	if (r->error != PARSE_OK)
		return;
	if (strmap_get(codes, r->station) == NULL)
		return; /* station_unknown */
	if (m->form == SIMGEN_RESULTS) {
		assert_int_not_equal(r->n_counts, simgen_contest(g, m->contest)->n_candidates + 2);
		return;
	}
	assert_true(m->form == SIMGEN_TURNOUT || m->form == SIMGEN_CLOSE);
	assert_true(r->women > r->voters);
}

static void test_messages_parse(void **state)
{
	struct simgen *g = make(11, 400, 30);
	struct strmap *codes = strmap_new(400);
	size_t typos = 0, arabic = 0, resends = 0;

	(void)state;
	assert_non_null(codes);
	for (size_t i = 0; i < simgen_n_stations(g); i++)
		assert_true(strmap_put(codes, simgen_station(g, i)->code, (void *)codes));
	for (size_t i = 0; i < simgen_n_messages(g); i++) {
		const struct simgen_message *m = simgen_message(g, i);
		struct parse_msg r;
		bool ok = parse_message(m->text, strlen(m->text), LANG_EN, &r);

		if (m->kind == SIMGEN_TYPO) {
			check_typo(g, m, &r, codes);
			typos++;
			continue;
		}
		if (!ok)
			fail_msg("message %zu \"%s\": %s", i, m->text, parse_error_code(r.error));
		check_report(g, m, &r);
		arabic += m->arabic;
		resends += m->kind == SIMGEN_RESEND;
	}
	assert_true(typos > 0 && arabic > 0 && resends > 0);
	strmap_free(codes);
	simgen_free(g);
}

/* Each typo is followed by its correct report; each resend repeats an
 * earlier message of its sender; nobody sends more than the budget. */
static void test_sequence(void **state)
{
	struct simgen *g = make(5, 200, 40);
	size_t np = simgen_n_people(g), *sent = calloc(np, sizeof(*sent));
	struct simgen_counts c;

	(void)state;
	assert_non_null(sent);
	for (size_t i = 0; i < simgen_n_messages(g); i++) {
		const struct simgen_message *m = simgen_message(g, i);
		bool found = false;

		sent[m->person]++;
		for (size_t j = i + 1; m->kind == SIMGEN_TYPO && !found && j < simgen_n_messages(g);
		     j++) {
			const struct simgen_message *x = simgen_message(g, j);

			found = x->person == m->person && x->form == m->form &&
				x->kind == SIMGEN_REPORT && x->round == m->round &&
				x->contest == m->contest && x->incident == m->incident;
		}
		for (size_t j = 0; m->kind == SIMGEN_RESEND && !found && j < i; j++)
			found = simgen_message(g, j)->person == m->person &&
				strcmp(simgen_message(g, j)->text, m->text) == 0;
		assert_true(m->kind == SIMGEN_REPORT || found);
		if (i > 0)
			assert_true(m->nominal >= simgen_message(g, i - 1)->nominal);
	}
	for (size_t p = 0; p < np; p++)
		assert_true(sent[p] <= SIMGEN_SENDER_BUDGET);
	simgen_get_counts(g, &c);
	assert_int_equal(c.messages, simgen_n_messages(g));
	assert_int_equal(c.reports + c.typos + c.resends, c.messages);
	free(sent);
	simgen_free(g);
}

static void import_kind(const struct simgen *g, enum registry_kind kind, size_t rows)
{
	struct registry_options o = { .country_code = "961",
				      .pseudonym_secret = "s",
				      .pin_iterations = 1 };
	struct registry_import *imp = registry_import_new(kind, &o);
	size_t len;
	char *csv = simgen_csv(g, kind, &len);

	assert_non_null(imp);
	assert_non_null(csv);
	assert_true(registry_import_csv(imp, csv, len));
	if (registry_import_n_errors(imp) > 0)
		fail_msg("%s: %s", registry_kind_name(kind), registry_import_error(imp, 0));
	assert_int_equal(registry_import_n_rows(imp), rows);
	if (kind == REGISTRY_PEOPLE) {
		size_t n;
		const struct registry_person *p = registry_import_people(imp, &n);

		for (size_t i = 0; i < n; i++)
			assert_string_equal(p[i].phone, simgen_person(g, i)->phone);
	}
	free(csv);
	registry_import_free(imp);
}

static void test_csv_imports(void **state)
{
	struct simgen *g = make(9, 150, 5);
	size_t candidates = simgen_contest(g, 0)->n_candidates + simgen_contest(g, 1)->n_candidates;

	(void)state;
	import_kind(g, REGISTRY_STATIONS, simgen_n_stations(g));
	import_kind(g, REGISTRY_CONTESTS, candidates);
	import_kind(g, REGISTRY_PEOPLE, simgen_n_people(g));
	import_kind(g, REGISTRY_INCIDENT_CODES, 8);
	simgen_free(g);
}

/* Schedule at now and check the window, per-sender order and flags. */
static void check_schedule(struct simgen *g, const struct validate_clock *clk, int64_t now)
{
	struct simgen_timeline tl;
	int64_t *last = calloc(simgen_n_people(g), sizeof(*last));

	assert_non_null(last);
	assert_true(simgen_plan(g, clk, now, &tl));
	simgen_schedule(g, &tl);
	for (size_t i = 0; i < simgen_n_messages(g); i++) {
		const struct simgen_message *m = simgen_message(g, i);
		int64_t local = m->smsc + clk->utc_offset;

		assert_true(m->smsc >= now - 86400 && m->smsc <= now);
		assert_true(m->smsc > last[m->person]);
		last[m->person] = m->smsc;
		if (m->form != SIMGEN_OPEN && clk->polls_open >= 0 && !clk->has_open)
			assert_true(((local % 86400) / 60) >= clk->polls_open);
		if (m->form != SIMGEN_OPEN && clk->has_open)
			assert_true(m->smsc >= clk->open_at);
		if (clk->has_deadline)
			assert_true(m->smsc <= clk->deadline_at);
	}
	free(last);
}

static void test_schedule(void **state)
{
	struct simgen *g = make(2, 100, 5);
	struct validate_clock clk;
	/* 2025-05-04 00:00 UTC, and times of that day */
	const int64_t day = 1746316800, hours[] = { 1, 7, 9, 13, 20, 23 };
	struct simgen_timeline tl;

	(void)state;
	assert_true(validate_clock_init(&clk, 7 * 60, NULL, 3 * 3600));
	for (size_t i = 0; i < sizeof(hours) / sizeof(hours[0]); i++)
		check_schedule(g, &clk, day + hours[i] * 3600);
	/* a deadline: election day 2025-05-04 (local +3), results by 23:00 */
	assert_true(validate_clock_init(&clk, 7 * 60, "2025-05-04 23:00", 3 * 3600));
	check_schedule(g, &clk, day + 22 * 3600);
	check_schedule(g, &clk, day + 12 * 3600);
	/* the election was a month ago: no flag-free time in the last day */
	assert_false(simgen_plan(g, &clk, day + 30 * 86400, &tl));
	assert_true(tl.compressed);
	simgen_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_messages_parse),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_csv_imports),
		cmocka_unit_test(test_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
