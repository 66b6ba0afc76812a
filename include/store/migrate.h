/*
 * migrate.h - database schema migrations.
 *
 * Migrations are files NNNN_name.sql in a directory (NNNN: four digits,
 * name: lowercase letters, digits and '_').  Each is applied in its own
 * transaction, in order, and recorded in table public.sawt_migrations with
 * its name and SHA-256 checksum.  A migration that is recorded but whose
 * file has changed, or one recorded with no file at all (a schema newer than
 * this sawt), makes every operation refuse.  Concurrent runs are serialised
 * with an advisory lock.  Blocking libpq: for the CLI and start-up only.
 */
#ifndef SAWT_MIGRATE_H
#define SAWT_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

enum migrate_mode {
	MIGRATE_APPLY,  /* apply pending migrations */
	MIGRATE_CHECK,  /* fail if any is pending, changed or unknown */
	MIGRATE_STATUS, /* print every migration and its state */
};

struct migrate_report {
	int applied_now; /* applied by this run */
	int already;     /* recorded before this run */
	int pending;     /* not applied (CHECK and STATUS) */
	int latest;      /* highest version known to this sawt */
};

/*
 * Run mode against conninfo with the migration files in dir.  Returns true
 * on success; on failure err holds one line (and, where useful, a detail
 * sentence).  STATUS prints one line a migration to stdout.
 */
bool migrate_run(const char *conninfo, const char *dir, enum migrate_mode mode,
		 struct migrate_report *rep, char *err, size_t errlen) SAWT_MUST_CHECK;

/* The configured or built-in migrations directory (not owned by caller). */
const char *migrate_default_dir(const char *configured);

/* Highest migration version found in dir, 0 if none, -1 on error. */
int migrate_latest_version(const char *dir);

/*
 * Write the versions of the migrations in dir to out as a comma-separated
 * ascending list ("1,2,5"; empty when there are none), the same shape as
 * migrate_versions_sql yields.  Returns false when dir cannot be read or out
 * is too small.
 */
bool migrate_known_versions(const char *dir, char *out, size_t outlen) SAWT_MUST_CHECK;

/* A query of one row and column: the applied versions, shaped as above. */
extern const char migrate_versions_sql[];

/*
 * Compare two ascending comma-separated version lists: the versions this
 * sawt knows and the versions a database has applied.  Sets *unknown to the
 * first applied version that is not known (0 if none) and *missing to the
 * first known version not applied (0 if none).  Pure; never fails on
 * well-formed lists, and treats a malformed item as version 0.
 */
void migrate_compare_versions(const char *known, const char *applied, int *unknown, int *missing);

#endif
