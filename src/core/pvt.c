/*
 * pvt.c - the quick count's estimator and sample drawing (pvt.h).
 */
#include "pvt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simgen.h"

void pvt_stratum_add(struct pvt_stratum *s, double y, double x)
{
	s->reported++;
	s->sy += y;
	s->sx += x;
	s->syy += y * y;
	s->sxx += x * x;
	s->sxy += x * y;
}

bool pvt_estimate(const struct pvt_stratum *s, size_t n, struct pvt_estimate *out)
{
	double Y = 0, X = 0, var = 0;
	bool margin = true;

	memset(out, 0, sizeof(*out));
	out->status = PVT_NO_ESTIMATE;
	for (size_t h = 0; h < n; h++) {
		if (s[h].reported < 0 || s[h].reported > s[h].population) {
			out->status = PVT_BAD_INPUT;
			return false;
		}
		if (s[h].reported == 0)
			continue;
		double w = (double)s[h].population / (double)s[h].reported;
		Y += w * s[h].sy;
		X += w * s[h].sx;
	}
	if (X <= 0)
		return true;
	out->estimate = Y / X;
	for (size_t h = 0; h < n; h++) {
		if (s[h].reported < 2) {
			if (margin)
				out->short_stratum = h;
			margin = false;
			continue;
		}
		double R = out->estimate, k = (double)s[h].reported, N = (double)s[h].population;
		double dsum = s[h].sy - R * s[h].sx;
		double ss = s[h].syy - 2 * R * s[h].sxy + R * R * s[h].sxx - dsum * dsum / k;
		if (ss < 0) /* rounding: the sum of squares is never negative */
			ss = 0;
		var += N * N * (1 - k / N) / k * ss / (k - 1);
	}
	if (!margin) {
		out->status = PVT_NO_MARGIN;
		return true;
	}
	var /= X * X;
	out->status = PVT_OK;
	out->std_error = sqrt(var);
	out->moe95 = PVT_Z95 * out->std_error;
	out->moe99 = PVT_Z99 * out->std_error;
	return true;
}

bool pvt_allocate(const long *stations, const double *registered, size_t n, long size, long *alloc,
		  char *err, size_t errlen)
{
	long total = 0, sum = 0, floor_sum = 0;
	double reg = 0;

	for (size_t h = 0; h < n; h++) {
		total += stations[h];
		reg += registered[h];
		floor_sum += stations[h] < 2 ? stations[h] : 2;
	}
	if (size > total) {
		snprintf(err, errlen, "sample size %ld exceeds the population of %ld stations",
			 size, total);
		return false;
	}
	if (size < floor_sum || size <= 0) {
		snprintf(err, errlen,
			 "sample size %ld is too small: %zu strata need at least %ld stations "
			 "(two each)",
			 size, n, floor_sum);
		return false;
	}
	for (size_t h = 0; h < n; h++) {
		double ideal = reg > 0 ? size * registered[h] / reg : 0;
		long a = (long)floor(ideal), min = stations[h] < 2 ? stations[h] : 2;
		if (a < min)
			a = min;
		if (a > stations[h])
			a = stations[h];
		alloc[h] = a;
		sum += a;
	}
	/* Largest remainders: give to the stratum furthest below its ideal
	 * share, take from the one furthest above it (never below two). */
	while (sum != size) {
		size_t best = n;
		double best_gap = 0;
		for (size_t h = 0; h < n; h++) {
			double ideal = reg > 0 ? size * registered[h] / reg : 0;
			double gap = ideal - (double)alloc[h];
			long min = stations[h] < 2 ? stations[h] : 2;
			if (sum < size && alloc[h] < stations[h] && (best == n || gap > best_gap)) {
				best = h;
				best_gap = gap;
			} else if (sum > size && alloc[h] > min && (best == n || gap < best_gap)) {
				best = h;
				best_gap = gap;
			}
		}
		if (best == n) { /* cannot happen given the checks above */
			snprintf(err, errlen, "could not allocate %ld stations", size);
			return false;
		}
		alloc[best] += sum < size ? 1 : -1;
		sum += sum < size ? 1 : -1;
	}
	return true;
}

bool pvt_draw(const size_t *stratum_of, size_t nunits, const long *alloc, size_t nstrata,
	      uint64_t seed, bool *chosen)
{
	struct simgen_rng rng;

	simgen_rng_seed(&rng, seed);
	for (size_t i = 0; i < nunits; i++)
		chosen[i] = false;
	for (size_t h = 0; h < nstrata; h++) {
		long left = 0, need = alloc[h];
		for (size_t i = 0; i < nunits; i++)
			left += stratum_of[i] == h;
		if (need > left || need < 0)
			return false;
		for (size_t i = 0; i < nunits && need > 0; i++) {
			if (stratum_of[i] != h)
				continue;
			/* take unit i with probability need / left */
			double u = (double)(simgen_rng_next(&rng) >> 11) * 0x1.0p-53;
			if (u * (double)left < (double)need) {
				chosen[i] = true;
				need--;
			}
			left--;
		}
	}
	return true;
}
