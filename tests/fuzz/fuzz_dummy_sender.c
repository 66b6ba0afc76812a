/*
 * fuzz_dummy_sender.c - fuzz the dummy inbox's sender check
 * (dummy_inbox_fix_sender) and the sender marking of inbound records
 * (inbound_sender_clean).
 *
 * A file the check rewrote must be judged faithful when checked again (the
 * marking is final), and must not grow beyond what the buffer holds.  A
 * cleaned sender is valid UTF-8, fits its field, and is unchanged when
 * cleaned again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dummy_inbox.h"
#include "inbound.h"
#include "strbuf.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[16384], again[16384];
	char raw[512], sender[INBOUND_SENDER_MAX], twice[INBOUND_SENDER_MAX];
	struct strbuf o, o2;
	size_t n;

	strbuf_init(&o, out, sizeof(out));
	if (dummy_inbox_fix_sender((const char *)data, size, &o) == DUMMY_SENDER_FIXED) {
		if (o.overflow)
			abort();
		strbuf_init(&o2, again, sizeof(again));
		if (dummy_inbox_fix_sender(out, o.len, &o2) != DUMMY_SENDER_OK)
			abort();
	}
	n = size < sizeof(raw) - 1 ? size : sizeof(raw) - 1;
	memcpy(raw, data, n);
	raw[n] = '\0';
	(void)inbound_sender_clean(raw, sender, sizeof(sender));
	if (strlen(sender) >= sizeof(sender) ||
	    utf8_validate(sender, strlen(sender)) != strlen(sender))
		abort();
	if (!inbound_sender_clean(sender, twice, sizeof(twice)) &&
	    strstr(sender, "\xef\xbf\xbd") == NULL)
		abort();
	if (strcmp(sender, twice) != 0)
		abort();
	return 0;
}
