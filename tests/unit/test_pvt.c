/*
 * test_pvt.c - the quick count's estimator and sampling (core/pvt.c):
 * hand-computed estimates and standard errors on small tables, with and
 * without strata; a sample of every station has margin 0; a stratum of
 * fewer than two reports leaves no margin; allocation is proportional with
 * two per stratum and refuses sizes beyond the population; the draw is
 * reproducible from its seed.  And the coverage experiment of issue 21: a
 * synthetic 10,000-station election with regional differences, 300
 * stratified samples of 500; the 95% interval must cover the truth in 92
 * to 98% of the draws for a candidate's share, turnout and women's share,
 * and the stratified margin must be smaller than the unstratified one.
 * The measured coverage and margins are printed as TAP comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pvt.h"
#include "simgen.h"

#define EPS 1e-9

/* Four of ten stations, one stratum: R = 140/400; the residuals are
 * -5, 8, -8, 5 (sum of squares 178), so Var = (1 - 4/10) / (4 * 100^2) *
 * 178 / 3 = 8.9e-4: the same as Apollo's formula. */
static void test_unstratified(void **state)
{
	struct pvt_stratum s = { .population = 10 };
	struct pvt_estimate e;
	static const double y[] = { 30, 50, 20, 40 }, x[] = { 100, 120, 80, 100 };

	for (int i = 0; i < 4; i++)
		pvt_stratum_add(&s, y[i], x[i]);
	assert_true(pvt_estimate(&s, 1, &e));
	assert_int_equal(e.status, PVT_OK);
	assert_true(fabs(e.estimate - 0.35) < EPS);
	assert_true(fabs(e.std_error - sqrt(8.9e-4)) < EPS);
	assert_true(fabs(e.moe95 - PVT_Z95 * sqrt(8.9e-4)) < EPS);
	assert_true(fabs(e.moe99 - PVT_Z99 * sqrt(8.9e-4)) < EPS);
	/* Apollo's form: (1-f)/(k m^2) [sum a^2 - 2p sum am + p^2 sum m^2]/(k-1) */
	double p = s.sy / s.sx, mbar = s.sx / 4;
	double apollo = (1 - 0.4) / (4 * mbar * mbar) * (s.syy - 2 * p * s.sxy + p * p * s.sxx) / 3;
	assert_true(fabs(e.std_error * e.std_error - apollo) < EPS);
}

/* Stratum A: 2 of 4 stations, (10,20) (14,20); B: 3 of 6, (30,40) (36,40)
 * (27,40).  Weights 2 and 2: R = (2*24 + 2*93) / (2*40 + 2*120) = 0.73125.
 * Residuals about their stratum mean: A -2, 2 (s2 = 8), B -1, 5, -4
 * (s2 = 21).  Var = [16 * 0.5 / 2 * 8 + 36 * 0.5 / 3 * 21] / 320^2 =
 * 158 / 102400. */
static void test_stratified(void **state)
{
	struct pvt_stratum s[2] = { { .population = 4 }, { .population = 6 } };
	struct pvt_estimate e;

	pvt_stratum_add(&s[0], 10, 20);
	pvt_stratum_add(&s[0], 14, 20);
	pvt_stratum_add(&s[1], 30, 40);
	pvt_stratum_add(&s[1], 36, 40);
	pvt_stratum_add(&s[1], 27, 40);
	assert_true(pvt_estimate(s, 2, &e));
	assert_int_equal(e.status, PVT_OK);
	assert_true(fabs(e.estimate - 0.73125) < EPS);
	assert_true(fabs(e.std_error - sqrt(158.0 / 102400)) < EPS);
}

/* Every station sampled and reported: the correction makes the margin 0
 * and the estimate is the true ratio. */
static void test_full_population(void **state)
{
	struct pvt_stratum s[2] = { { .population = 3 }, { .population = 2 } };
	struct pvt_estimate e;

	pvt_stratum_add(&s[0], 10, 30);
	pvt_stratum_add(&s[0], 25, 40);
	pvt_stratum_add(&s[0], 5, 30);
	pvt_stratum_add(&s[1], 60, 100);
	pvt_stratum_add(&s[1], 20, 100);
	assert_true(pvt_estimate(s, 2, &e));
	assert_int_equal(e.status, PVT_OK);
	assert_true(fabs(e.estimate - 120.0 / 300) < EPS);
	assert_true(e.std_error == 0 && e.moe95 == 0 && e.moe99 == 0);
}

/* A stratum with one report (or none) leaves the estimate but no margin;
 * no report at all leaves no estimate; more reports than stations is
 * refused. */
static void test_short_strata(void **state)
{
	struct pvt_stratum s[3] = { { .population = 5 }, { .population = 5 }, { .population = 5 } };
	struct pvt_estimate e;

	assert_true(pvt_estimate(s, 3, &e));
	assert_int_equal(e.status, PVT_NO_ESTIMATE);
	pvt_stratum_add(&s[0], 1, 2);
	pvt_stratum_add(&s[0], 2, 2);
	pvt_stratum_add(&s[2], 1, 4);
	pvt_stratum_add(&s[2], 3, 4);
	assert_true(pvt_estimate(s, 3, &e));
	assert_int_equal(e.status, PVT_NO_MARGIN);
	assert_int_equal(e.short_stratum, 1);
	assert_true(fabs(e.estimate - 7.0 / 12) < EPS);
	assert_true(e.std_error == 0);
	pvt_stratum_add(&s[1], 1, 4);
	assert_true(pvt_estimate(s, 3, &e));
	assert_int_equal(e.status, PVT_NO_MARGIN);
	pvt_stratum_add(&s[1], 1, 4);
	assert_true(pvt_estimate(s, 3, &e));
	assert_int_equal(e.status, PVT_OK);
	s[1].reported = 6;
	assert_false(pvt_estimate(s, 3, &e));
	assert_int_equal(e.status, PVT_BAD_INPUT);
}

static void test_allocate(void **state)
{
	long alloc[3];
	char err[256];
	static const long st[] = { 10, 20, 5 };
	static const double reg[] = { 1000, 3000, 1000 };

	assert_true(pvt_allocate(st, reg, 3, 10, alloc, err, sizeof(err)));
	assert_int_equal(alloc[0], 2);
	assert_int_equal(alloc[1], 6);
	assert_int_equal(alloc[2], 2);
	assert_true(pvt_allocate(st, reg, 3, 35, alloc, err, sizeof(err)));
	assert_int_equal(alloc[0] + alloc[1] + alloc[2], 35);
	assert_false(pvt_allocate(st, reg, 3, 36, alloc, err, sizeof(err)));
	assert_string_equal(err, "sample size 36 exceeds the population of 35 stations");
	assert_false(pvt_allocate(st, reg, 3, 5, alloc, err, sizeof(err)));
	assert_non_null(strstr(err, "too small"));

	/* two per stratum even when the proportional share is smaller */
	static const long st2[] = { 10, 100, 10 };
	static const double reg2[] = { 100, 9800, 100 };
	assert_true(pvt_allocate(st2, reg2, 3, 20, alloc, err, sizeof(err)));
	assert_int_equal(alloc[0], 2);
	assert_int_equal(alloc[1], 16);
	assert_int_equal(alloc[2], 2);
	/* proportional: 1:2:1 of registered voters */
	static const long st3[] = { 100, 100, 100 };
	static const double reg3[] = { 25000, 50000, 25000 };
	assert_true(pvt_allocate(st3, reg3, 3, 40, alloc, err, sizeof(err)));
	assert_int_equal(alloc[0], 10);
	assert_int_equal(alloc[1], 20);
	assert_int_equal(alloc[2], 10);
}

static void test_draw(void **state)
{
	size_t of[100];
	bool a[100], b[100], c[100];
	long alloc[2] = { 7, 13 };
	int n0 = 0, n1 = 0;

	for (size_t i = 0; i < 100; i++)
		of[i] = i % 3 == 0 ? 0 : 1;
	assert_true(pvt_draw(of, 100, alloc, 2, 42, a));
	assert_true(pvt_draw(of, 100, alloc, 2, 42, b));
	assert_true(pvt_draw(of, 100, alloc, 2, 43, c));
	assert_memory_equal(a, b, sizeof(a));
	assert_true(memcmp(a, c, sizeof(a)) != 0);
	for (size_t i = 0; i < 100; i++) {
		n0 += a[i] && of[i] == 0;
		n1 += a[i] && of[i] == 1;
	}
	assert_int_equal(n0, 7);
	assert_int_equal(n1, 13);
	alloc[0] = 35; /* stratum 0 has 34 units */
	assert_false(pvt_draw(of, 100, alloc, 2, 42, a));
}

/* ---- the coverage experiment ---- */

#define CE_STATIONS 10000
#define CE_REGIONS 5
#define CE_SAMPLE 500
#define CE_DRAWS 300

struct ce_station {
	size_t region;
	double registered, voters, women, a, b, invalid;
};

static struct ce_station ce[CE_STATIONS];

/* Regions differ in size, turnout, women's share and the vote. */
static void ce_make(void)
{
	static const double turnout[CE_REGIONS] = { 0.42, 0.55, 0.68, 0.50, 0.61 };
	static const double wshare[CE_REGIONS] = { 0.44, 0.50, 0.53, 0.47, 0.51 };
	static const double ashare[CE_REGIONS] = { 0.28, 0.45, 0.62, 0.70, 0.38 };
	struct simgen_rng r;

	simgen_rng_seed(&r, 2026);
	for (size_t i = 0; i < CE_STATIONS; i++) {
		struct ce_station *s = &ce[i];
		size_t g = i % 10;
		s->region = g < 3 ? 0 : g < 5 ? 1 : g < 7 ? 2 : g < 8 ? 3 : 4;
		s->registered = simgen_rng_range(&r, 200, 900);
		double t = turnout[s->region] + simgen_rng_range(&r, -100, 100) / 1000.0;
		s->voters = floor(s->registered * t);
		double w = wshare[s->region] + simgen_rng_range(&r, -60, 60) / 1000.0;
		s->women = floor(s->voters * w);
		s->invalid = floor(s->voters * simgen_rng_range(&r, 0, 40) / 1000.0);
		double valid = s->voters - s->invalid;
		double a = ashare[s->region] + simgen_rng_range(&r, -120, 120) / 1000.0;
		s->a = floor(valid * a);
		s->b = valid - s->a;
	}
}

enum {
	CE_A,
	CE_TURNOUT,
	CE_WOMEN,
	CE_ITEMS
};
static const char *const ce_names[CE_ITEMS] = { "candidate A", "turnout", "women's share" };

static void ce_yx(const struct ce_station *s, int item, double *y, double *x)
{
	switch (item) {
	case CE_A:
		*y = s->a;
		*x = s->a + s->b;
		break;
	case CE_TURNOUT:
		*y = s->voters;
		*x = s->registered;
		break;
	default:
		*y = s->women;
		*x = s->voters;
		break;
	}
}

/* Run the draws with nstrata strata (1: unstratified, or CE_REGIONS):
 * covered[item] of CE_DRAWS, mean 95% margins in moe[item]. */
static void ce_run(size_t nstrata, const double *truth, int *covered, double *moe)
{
	static size_t of[CE_STATIONS];
	static bool chosen[CE_STATIONS];
	long st[CE_REGIONS] = { 0 }, alloc[CE_REGIONS];
	double reg[CE_REGIONS] = { 0 };
	char err[256];

	for (size_t i = 0; i < CE_STATIONS; i++) {
		of[i] = nstrata == 1 ? 0 : ce[i].region;
		st[of[i]]++;
		reg[of[i]] += ce[i].registered;
	}
	assert_true(pvt_allocate(st, reg, nstrata, CE_SAMPLE, alloc, err, sizeof(err)));
	for (int k = 0; k < CE_ITEMS; k++)
		covered[k] = 0, moe[k] = 0;
	for (int d = 0; d < CE_DRAWS; d++) {
		assert_true(pvt_draw(of, CE_STATIONS, alloc, nstrata, 1000 + (uint64_t)d, chosen));
		for (int k = 0; k < CE_ITEMS; k++) {
			struct pvt_stratum s[CE_REGIONS];
			struct pvt_estimate e;
			for (size_t h = 0; h < nstrata; h++)
				s[h] = (struct pvt_stratum){ .population = st[h] };
			for (size_t i = 0; i < CE_STATIONS; i++) {
				double y, x;
				if (!chosen[i])
					continue;
				ce_yx(&ce[i], k, &y, &x);
				pvt_stratum_add(&s[of[i]], y, x);
			}
			assert_true(pvt_estimate(s, nstrata, &e));
			assert_int_equal(e.status, PVT_OK);
			covered[k] += fabs(e.estimate - truth[k]) <= e.moe95;
			moe[k] += e.moe95 / CE_DRAWS;
		}
	}
}

static void test_coverage(void **state)
{
	double truth[CE_ITEMS], moe_s[CE_ITEMS], moe_u[CE_ITEMS];
	int cov_s[CE_ITEMS], cov_u[CE_ITEMS];

	ce_make();
	for (int k = 0; k < CE_ITEMS; k++) {
		double sy = 0, sx = 0;
		for (size_t i = 0; i < CE_STATIONS; i++) {
			double y, x;
			ce_yx(&ce[i], k, &y, &x);
			sy += y;
			sx += x;
		}
		truth[k] = sy / sx;
	}
	ce_run(CE_REGIONS, truth, cov_s, moe_s);
	ce_run(1, truth, cov_u, moe_u);
	printf("# coverage experiment: %d stations, %d regions, %d draws of %d\n", CE_STATIONS,
	       CE_REGIONS, CE_DRAWS, CE_SAMPLE);
	for (int k = 0; k < CE_ITEMS; k++)
		printf("# %-13s true %.4f | stratified: 95%% covers %5.1f%%, mean moe95 %.4f"
		       " | unstratified: covers %5.1f%%, mean moe95 %.4f\n",
		       ce_names[k], truth[k], 100.0 * cov_s[k] / CE_DRAWS, moe_s[k],
		       100.0 * cov_u[k] / CE_DRAWS, moe_u[k]);
	for (int k = 0; k < CE_ITEMS; k++) {
		assert_in_range(cov_s[k], CE_DRAWS * 92 / 100, CE_DRAWS * 98 / 100);
		assert_true(moe_s[k] < moe_u[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unstratified),    cmocka_unit_test(test_stratified),
		cmocka_unit_test(test_full_population), cmocka_unit_test(test_short_strata),
		cmocka_unit_test(test_allocate),        cmocka_unit_test(test_draw),
		cmocka_unit_test(test_coverage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
