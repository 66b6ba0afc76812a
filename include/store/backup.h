/*
 * backup.h - back up and restore the embedded cluster's sawt database.
 *
 * A backup is pg_dump's custom format (-Fc) of the database "sawt": one
 * snapshot, so it is consistent while sawtd runs and keeps writing.  A
 * restore goes into a fresh state directory: the cluster is made
 * (initdb) and started as sawtd would, the dump restored in one
 * transaction, and the cluster stopped again; sawtd then starts on it.
 * Roles live outside a database: sawt_analyst is made again, analysts'
 * login roles are not (docs/deploy.md says what to do).
 *
 * An external database ([database] url) is backed up by its own
 * administrator; both functions refuse it.
 */
#ifndef SAWT_BACKUP_H
#define SAWT_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "log.h"

/*
 * Write the backup of cfg's embedded database to file (created or
 * replaced; mode 0600).  The cluster must be running (sawtd runs).  False
 * with the reason in err; pg_dump's own messages go to stderr.
 */
bool backup_dump(const struct config *cfg, const char *file, char *err,
		 size_t errlen) SAWT_MUST_CHECK;

/*
 * Restore file into cfg's state directory, which must hold no sawt schema
 * yet and no running sawtd.  False with the reason in err; pg_restore's
 * own messages go to stderr.
 */
bool backup_restore(const struct config *cfg, const char *file, char *err,
		    size_t errlen) SAWT_MUST_CHECK;

#endif
