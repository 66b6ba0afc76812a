/*
 * store_checklist.h - write checklist definitions to PostgreSQL, versioned.
 *
 * The database half of `sawt import checklists`: takes a struct
 * checklist_set that checklist_set_parse() read without errors and hands
 * its forms to sawt.checklist_import() (migrations/0023_checklists.sql) in
 * ONE transaction with synchronous libpq (CLI code).  A form whose
 * canonical definition differs from its current version gets a new
 * version; an unchanged one keeps its version.
 */
#ifndef SAWT_STORE_CHECKLIST_H
#define SAWT_STORE_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "checklist.h"
#include "log.h"

/* What happened to one form. */
struct store_checklist_outcome {
	char code[4];
	int version;      /* its current version after the import */
	char outcome[12]; /* "new", "changed" or "unchanged" */
};

/*
 * Connect to conninfo and import set's forms into election (NULL:
 * CONFIG_DEFAULT_ELECTION), rolling back instead of committing when
 * dry_run.  out (room for checklist_set_n_forms(set) entries) receives one
 * outcome per form.  Returns false with a one-line message in err, e.g.
 * "the database has no checklist tables yet: run \"sawt migrate\" first".
 */
bool store_checklist_import(const char *conninfo, const struct checklist_set *set,
			    const char *election, bool dry_run, struct store_checklist_outcome *out,
			    char *err, size_t errlen) SAWT_MUST_CHECK;

#endif
