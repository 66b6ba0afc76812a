/*
 * review_rules.h - the election's automatic quarantine rules from the
 * configuration's [quarantine] section (docs/review.md, issue 19).
 *
 * When the file has the section, review_rules_apply() writes it to
 * sawt.quarantine_rules (sawt.quarantine_configure(): the whole set, in one
 * statement), so a report arriving afterwards is checked against it.
 * sawtd calls it once the schema is checked and again on SIGHUP.  Without
 * the section nothing is written: rules put in the table by hand stay.
 */
#ifndef SAWT_REVIEW_RULES_H
#define SAWT_REVIEW_RULES_H

#include <stdbool.h>

#include "config.h"
#include "log.h"

struct db;

/*
 * Queue the write of cfg's [quarantine] on db (its outcome is logged).
 * Returns true when there was nothing to write or it was queued; false
 * when it could not be queued (out of memory).
 */
bool review_rules_apply(struct db *db, const struct config *cfg) SAWT_MUST_CHECK;

#endif
