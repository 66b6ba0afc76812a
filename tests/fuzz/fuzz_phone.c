/*
 * fuzz_phone.c - fuzz E.164 normalisation.
 *
 * The first byte picks a country code (or none); the rest is the number.
 * A success must be "+" and 8 to 15 ASCII digits not starting with 0,
 * normalising it again must give it back unchanged, and its pseudonym must
 * be 64 hex digits.  A failure must give a reason and an empty output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ccs[] = { NULL, "961", "963", "212", "39", "1", "44", "225", "" };

static void check_e164(const char *out)
{
	size_t n = strlen(out);

	if (n < 1 + PHONE_MIN_DIGITS || n > 1 + PHONE_MAX_DIGITS || out[0] != '+' || out[1] < '1' ||
	    out[1] > '9')
		abort();
	for (size_t i = 1; i < n; i++)
		if (out[i] < '0' || out[i] > '9')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[PHONE_E164_BUF], again[PHONE_E164_BUF], hex[PHONE_PSEUDONYM_BUF];
	const char *reason = NULL, *cc;
	size_t adv = 0;

	if (size == 0)
		return 0;
	cc = ccs[data[0] % (sizeof(ccs) / sizeof(ccs[0]))];
	data++;
	size--;
	(void)phone_digit((const char *)data, size, &adv);
	if (!phone_normalize((const char *)data, size, cc, out, &reason)) {
		if (reason == NULL || reason[0] == '\0' || out[0] != '\0')
			abort();
		return 0;
	}
	check_e164(out);
	if (!phone_normalize(out, strlen(out), cc, again, &reason) || strcmp(out, again) != 0)
		abort();
	if (!phone_pseudonym("fuzz", out, hex) || strlen(hex) != 64 ||
	    strspn(hex, "0123456789abcdef") != 64)
		abort();
	return 0;
}
