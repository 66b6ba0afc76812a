/*
 * fuzz_registry_import.c - fuzz registry CSV validation.
 *
 * The first byte picks the kind (stations, contests, people, incident
 * codes); the rest is the file.  Every error must be non-empty and
 * ordered by line, and every good row must carry the line it came from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errors(const struct registry_import *imp)
{
	unsigned last = 0;

	for (size_t i = 0; i < registry_import_n_errors(imp); i++) {
		unsigned line = registry_import_error_line(imp, i);

		if (line < last || registry_import_error(imp, i)[0] == '\0')
			abort();
		last = line;
	}
}

static void check_rows(const struct registry_import *imp)
{
	const struct registry_station *st;
	const struct registry_person *p;
	size_t n;

	st = registry_import_stations(imp, &n);
	for (size_t i = 0; i < n; i++)
		if (st[i].line < 2 || st[i].registered_women > st[i].registered ||
		    strspn(st[i].code, "0123456789") != strlen(st[i].code))
			abort();
	p = registry_import_people(imp, &n);
	for (size_t i = 0; i < n; i++)
		if (p[i].line < 2 || p[i].phone[0] != '+' || strlen(p[i].pseudonym) != 64 ||
		    (p[i].pin_hash != NULL && strncmp(p[i].pin_hash, "pbkdf2-sha256$1$", 16) != 0))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry_options opt = { .country_code = "961",
					.pseudonym_secret = "fuzz",
					.pin_iterations = 1 };
	struct registry_import *imp;

	if (size == 0)
		return 0;
	imp = registry_import_new((enum registry_kind)(data[0] % 4), &opt);
	if (imp == NULL)
		return 0;
	if (!registry_import_csv(imp, (const char *)data + 1, size - 1))
		abort();
	check_errors(imp);
	check_rows(imp);
	registry_import_free(imp);
	return 0;
}
