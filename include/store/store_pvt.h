/*
 * store_pvt.h - the quick count's samples and figures (migrations/0018).
 *
 * Blocking libpq (CLI code).  store_pvt_draw() draws and stores a sample
 * in one transaction (src/core/pvt.c does the drawing); store_pvt_sums()
 * reads the per-stratum sums sawt pvt turns into estimates with
 * pvt_estimate().  Errors are PostgreSQL style, in err.
 */
#ifndef SAWT_STORE_PVT_H
#define SAWT_STORE_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

enum store_pvt_strata {
	STORE_PVT_NONE,     /* one stratum, "all" */
	STORE_PVT_REGION,   /* by region */
	STORE_PVT_DISTRICT, /* by district (a station directly in its region: the region) */
};

struct store_pvt;
struct store_pvt_rows;

/* Connect to conninfo; NULL with err set. */
struct store_pvt *store_pvt_new(const char *conninfo, char *err, size_t errlen) SAWT_MUST_CHECK;

/* Close the connection (rolling back what was not committed); NULL safe. */
void store_pvt_free(struct store_pvt *sp);

/*
 * Draw sample name of size stations among election's stations with
 * registered voters, stratified as strata says, allocated in proportion
 * to registered voters with at least two per stratum, from seed; store it
 * and commit.  *drawn_strata receives the number of strata.  False with
 * err set when the election is unknown, the name taken, or the size
 * larger than the population (nothing is stored then).
 */
bool store_pvt_draw(struct store_pvt *sp, const char *election, const char *name,
		    enum store_pvt_strata strata, long size, uint64_t seed, size_t *drawn_strata,
		    char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Store sample name of election drawn elsewhere: codes[i] is a station
 * code, strata[i] its stratum (NULL or "": no stratum) for i < n.  A
 * stratum names a region or a district of the election; its population
 * is that area's stations with registered voters.  Stations without a
 * stratum are in stratum "all": every station of the election.  In one
 * transaction; false with err set (nothing stored) on an unknown or
 * repeated code, a station outside its stratum, a stratum naming no area,
 * or a name already taken.
 */
bool store_pvt_import(struct store_pvt *sp, const char *election, const char *name,
		      const char *const *codes, const char *const *strata, size_t n, char *err,
		      size_t errlen) SAWT_MUST_CHECK;

/*
 * The per-stratum sums of sample (NULL: the election's newest sample) for
 * contest (NULL: every contest, and turnout and women's figures), every
 * report so far: rows ordered by contest, item and stratum, columns
 *   0 sample, 1 contest (NULL for turnout items), 2 ikey, 3 item,
 *   4 position, 5 stratum, 6 population, 7 drawn, 8 n, 9 sy, 10 sx,
 *   11 syy, 12 sxx, 13 sxy
 * (sawt.pvt_strata_sums; ikey as there).  NULL with err set on a database
 * error or when the sample does not exist.  The caller frees the rows.
 */
struct store_pvt_rows *store_pvt_sums(struct store_pvt *sp, const char *election,
				      const char *sample, const char *contest, char *err,
				      size_t errlen) SAWT_MUST_CHECK;

int store_pvt_nrows(const struct store_pvt_rows *rows);

/* The text of a value; NULL for SQL NULL. */
const char *store_pvt_value(const struct store_pvt_rows *rows, int row, int col);

void store_pvt_rows_free(struct store_pvt_rows *rows);

#endif
