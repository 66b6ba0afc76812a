/*
 * fuzz_web_cookie.c - fuzz the page's Cookie header reader and token check.
 *
 * The input is a Cookie header.  A value found must be non-empty, fit its
 * buffer, hold no ';', and appear in the header right after
 * "sawt_session=".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = malloc(size + 1);
	char v[WEB_TOKEN_BUF], needle[WEB_TOKEN_BUF + 16];

	if (header == NULL)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	if (web_cookie_get(header, WEB_COOKIE, v, sizeof(v))) {
		size_t n = strlen(v);

		if (n == 0 || n >= sizeof(v) || strchr(v, ';') != NULL)
			abort();
		memcpy(needle, WEB_COOKIE "=", sizeof(WEB_COOKIE));
		memcpy(needle + sizeof(WEB_COOKIE), v, n + 1);
		if (strstr(header, needle) == NULL)
			abort();
		(void)web_token_valid(v);
	}
	(void)web_code_valid(header);
	free(header);
	return 0;
}
