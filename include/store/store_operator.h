/*
 * store_operator.h - the operator's account on the election-day page
 * (issue 18; migrations/0034_web_operator.sql), for `sawt operator`.
 *
 * Ownership: a struct store_operator owns its connection until
 * store_operator_free(); rows returned are the caller's.
 */
#ifndef SAWT_STORE_OPERATOR_H
#define SAWT_STORE_OPERATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "store_rows.h"

struct store_operator;

/* Connect to conninfo; NULL with err set when it fails. */
struct store_operator *store_operator_new(const char *conninfo, char *err,
					  size_t errlen) SAWT_MUST_CHECK;

/* Close; NULL is a no-op. */
void store_operator_free(struct store_operator *so);

/*
 * Make (or update, or bring back) the operator account of phone (E.164)
 * in election: name, language ("ar", "en", "fr" or NULL) and pseudonym.
 * Writes "added", "updated" or "restored" into outcome (cap bytes).
 * False with err set (the server's words: a phone registered as an
 * observer or a coordinator, an unknown election).
 */
bool store_operator_add(struct store_operator *so, const char *election, const char *phone,
			const char *name, const char *language, const char *pseudonym,
			char *outcome, size_t cap, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Remove the operator account of phone: "removed", "kept" (other rows
 * refer to it: kept, unable to sign in) or "none" into outcome.
 */
bool store_operator_remove(struct store_operator *so, const char *election, const char *phone,
			   char *outcome, size_t cap, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * The operators of election: phone, name, language, created (YYYY-MM-DD
 * HH:MM), live sessions, last sign-in (or NULL).  NULL with err set.
 */
struct store_rows *store_operator_list(struct store_operator *so, const char *election, char *err,
				       size_t errlen) SAWT_MUST_CHECK;

#endif
