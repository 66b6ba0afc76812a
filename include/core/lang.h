/*
 * lang.h - the languages sawt speaks: Arabic, English and French.
 *
 * The one vocabulary of languages shared by the parser (the language a
 * message is written in), the replies (the language they are rendered
 * in), the registry (an observer's registered language) and the
 * configuration ([election] default_language).  A language is written as
 * its ISO 639-1 code, "ar", "en" or "fr", in files and in the database.
 *
 * Pure functions: no allocation, no I/O.
 */
#ifndef SAWT_LANG_H
#define SAWT_LANG_H

#include <stdbool.h>

#include "log.h"

enum lang {
	LANG_AR = 0,
	LANG_EN,
	LANG_FR,
};
#define LANG_COUNT 3

/*
 * The ISO 639-1 code of lang: "ar", "en" or "fr"; "en" for a value out of
 * range.  The string is static.
 */
const char *lang_code(enum lang lang);

/*
 * Parse the code "ar", "en" or "fr" (any case) into *out.  False, with
 * *out untouched, for NULL and anything else.
 */
bool lang_parse(const char *code, enum lang *out) SAWT_MUST_CHECK;

#endif
