/*
 * store_import.h - write validated registry rows to PostgreSQL.
 *
 * The database half of `sawt import`: takes a struct registry_import that
 * registry_import_csv() filled without errors and writes its rows in ONE
 * transaction with synchronous libpq (CLI code: blocking is fine).  Rows
 * are upserted on their natural keys, so re-importing a file updates rows
 * in place; nothing is ever deleted, except that a re-imported contest
 * loses candidates past its new last position, and a station's contests
 * and a person's stations and areas become exactly those of the file.
 *
 * What only the database can tell is checked before anything is written,
 * and reported as bad rows added to imp (nothing is imported then):
 *   stations: every contest listed exists ("import contests first");
 *   people:   every station code and area exists; an area given by name
 *             alone is unique ("Region/District" picks one).
 * Areas are created from the stations' region and district names.
 *
 * Every registry row belongs to an election, found (or created) by name.
 */
#ifndef SAWT_STORE_IMPORT_H
#define SAWT_STORE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "registry_import.h"

struct store_import_options {
	const char *election;     /* NULL: CONFIG_DEFAULT_ELECTION */
	const char *country_code; /* recorded on the election when set */
	bool dry_run;             /* do everything, then roll back */
};

struct store_import_summary {
	size_t rows;            /* rows of the file */
	size_t inserted;        /* stations, candidates, people or codes new */
	size_t updated;         /* ... already there, updated in place */
	size_t groups_inserted; /* contests: contests new */
	size_t groups_updated;  /* contests: contests already there */
	size_t areas_inserted;  /* stations: areas created */
};

enum store_import_result {
	STORE_IMPORT_OK,       /* committed (or rolled back: dry run) */
	STORE_IMPORT_BAD_ROWS, /* errors in imp; nothing written */
	STORE_IMPORT_FAILED,   /* connection or database error in err */
};

/*
 * Connect to conninfo and import imp's rows as described above.  sum is
 * filled on STORE_IMPORT_OK.  On STORE_IMPORT_BAD_ROWS the reasons are in
 * registry_import_error(); imp must not have errors on entry (that also
 * gives STORE_IMPORT_BAD_ROWS, without connecting).  On
 * STORE_IMPORT_FAILED err holds one line, e.g.
 *   could not connect to the database: ...
 *   line 7: ERROR:  ...
 */
enum store_import_result store_import_run(const char *conninfo, struct registry_import *imp,
					  const struct store_import_options *opt,
					  struct store_import_summary *sum, char *err,
					  size_t errlen) SAWT_MUST_CHECK;

#endif
