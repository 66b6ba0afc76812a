/*
 * lang.c - language codes; see lang.h.
 */
#include "lang.h"

#include <stddef.h>
#include <strings.h>

static const char *const lang_codes[LANG_COUNT] = { "ar", "en", "fr" };

const char *lang_code(enum lang lang)
{
	return (unsigned)lang < LANG_COUNT ? lang_codes[lang] : "en";
}

bool lang_parse(const char *code, enum lang *out)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		if (code != NULL && strcasecmp(code, lang_codes[i]) == 0) {
			*out = (enum lang)i;
			return true;
		}
	}
	return false;
}
