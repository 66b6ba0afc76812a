/*
 * pvt.h - the quick count (parallel vote tabulation): the estimator and the
 * drawing of samples.  docs/pvt.md gives the formulas beside Apollo's.
 *
 * Pure: no I/O, no clock, no allocation.  The store gathers, for each
 * stratum of a sample, the sums of the reporting sample stations' figures
 * (struct pvt_stratum); pvt_estimate() turns them into the combined ratio
 * estimate R = Y/X with its standard error and margins.  For a candidate's
 * share y is the candidate's votes and x the valid votes; for turnout y is
 * the voters and x the registered voters; and so on (docs/pvt.md).
 *
 * Sampling (pvt_allocate(), pvt_draw()): a stratified simple random
 * sample, allocated in proportion to registered voters with at least two
 * stations per stratum, reproducible from a seed.
 */
#ifndef SAWT_PVT_H
#define SAWT_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define PVT_Z95 1.959963984540054
#define PVT_Z99 2.5758293035489004

/* One stratum: its population, its reporting sample stations' sums. */
struct pvt_stratum {
	long population; /* N_h: stations of the stratum in the election */
	long reported;   /* n_h: sample stations with a figure */
	double sy, sx;   /* sums of y and x over those stations */
	double syy, sxx, sxy;
};

/* Why an estimate has no margin (or no estimate at all). */
enum pvt_status {
	PVT_OK,          /* estimate and margins */
	PVT_NO_MARGIN,   /* estimate only: a stratum has fewer than 2 reports */
	PVT_NO_ESTIMATE, /* no report, or every x is 0 */
	PVT_BAD_INPUT,   /* reported > population, or negative counts */
};

struct pvt_estimate {
	enum pvt_status status;
	double estimate;      /* R, a fraction (0..1 for shares) */
	double std_error;     /* sqrt(Var(R)); 0 unless status is PVT_OK */
	double moe95;         /* PVT_Z95 * std_error */
	double moe99;         /* PVT_Z99 * std_error */
	size_t short_stratum; /* PVT_NO_MARGIN: the first stratum below 2 */
};

/* Add a station's (y, x) to stratum s (s->reported counts it). */
void pvt_stratum_add(struct pvt_stratum *s, double y, double x);

/*
 * The combined ratio estimate over strata s[0..n): with expansion weights
 * w_h = N_h / n_h,
 *   R = sum_h w_h sy_h / sum_h w_h sx_h
 *   Var(R) = 1/X^2 * sum_h N_h^2 (1 - n_h/N_h) / n_h * s2_h
 *   s2_h = [syy - 2R sxy + R^2 sxx - (sy - R sx)^2 / n_h] / (n_h - 1)
 * with X = sum_h w_h sx_h.  A stratum of no report adds nothing to R and
 * leaves no margin; one of a single report leaves no margin either
 * (status PVT_NO_MARGIN, short_stratum its index).  A stratum every
 * station of which reported has variance 0 (the finite-population
 * correction).  Returns false (status PVT_BAD_INPUT) on input that cannot
 * come from a sample; out is always set.
 */
bool pvt_estimate(const struct pvt_stratum *s, size_t n, struct pvt_estimate *out) SAWT_MUST_CHECK;

/*
 * Allocate a sample of size stations to n strata in proportion to their
 * registered voters, with at least two stations per stratum (all of it
 * when a stratum has fewer), never more than a stratum's stations:
 * largest remainders.  stations[h] and registered[h] describe stratum h;
 * alloc[h] receives its share.  False, with err set (PostgreSQL style),
 * when size exceeds the population or cannot give each stratum two.
 */
bool pvt_allocate(const long *stations, const double *registered, size_t n, long size, long *alloc,
		  char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Draw alloc[h] units of each stratum h by simple random sampling without
 * replacement (selection sampling, Knuth's algorithm S), units in the
 * order given: stratum_of[i] is unit i's stratum (0..nstrata).  chosen[i]
 * is set true for the drawn units, false for the others.  The same seed,
 * units and allocation give the same sample on every machine.  False
 * when an allocation exceeds its stratum.
 */
bool pvt_draw(const size_t *stratum_of, size_t nunits, const long *alloc, size_t nstrata,
	      uint64_t seed, bool *chosen) SAWT_MUST_CHECK;

#endif
