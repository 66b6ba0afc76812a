/*
 * fuzz_web_origin.c - fuzz the page's same-origin check of POSTs and the
 * key a client address counts under in the sign-in limit.
 *
 * The input, cut at its first newline, is an Origin value and a Host
 * value.  Without Origin and Referer a request passes; without Host one
 * with an Origin does not; Origin and Referer are judged alike; a passing
 * Origin holds the Host (case aside).  The input as a client address gets
 * a key that fits its buffer and is its own key; a fresh limit of 2 lets
 * that key through twice, then refuses it for 1 to 60 seconds.
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_origin(const char *origin, const char *host)
{
	bool same = web_origin_ok(origin, NULL, host);

	if (!web_origin_ok(NULL, NULL, host))
		abort();
	if (web_origin_ok(origin, NULL, NULL))
		abort();
	if (web_origin_ok(NULL, origin, host) != same)
		abort();
	if (same && (host[0] == '\0' || strcasestr(origin, host) == NULL))
		abort();
}

static void check_key(const char *addr)
{
	char key[WEB_LIMIT_KEY_BUF], again[WEB_LIMIT_KEY_BUF], small[8];
	struct web_limit *l;
	unsigned retry = 0;

	web_limit_key(addr, key, sizeof(key));
	if (key[0] == '\0' || strlen(key) >= sizeof(key))
		abort();
	web_limit_key(key, again, sizeof(again));
	if (strcmp(key, again) != 0)
		abort();
	web_limit_key(addr, small, sizeof(small));
	if (strlen(small) >= sizeof(small))
		abort();
	l = web_limit_new(2, 60, 8);
	if (l == NULL)
		return;
	if (!web_limit_take(l, key, 1000, &retry) || !web_limit_take(l, key, 1001, &retry))
		abort();
	if (web_limit_take(l, key, 1002, &retry) || retry < 1 || retry > 60)
		abort();
	web_limit_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *nl;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_key(text);
	nl = strchr(text, '\n');
	if (nl != NULL) {
		*nl = '\0';
		check_origin(text, nl + 1);
	} else {
		check_origin(text, "");
	}
	free(text);
	return 0;
}
