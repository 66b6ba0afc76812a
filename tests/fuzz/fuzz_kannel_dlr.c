/*
 * fuzz_kannel_dlr.c - fuzz the decoding of Kannel's delivery reports
 * (/sms/dlr's query string) and the account of smsbox's answers.
 *
 * A report that decodes must name a row (id 1 to 2^63 - 1) and a known
 * report type, and its reply must be printable UTF-8 within its buffer;
 * written back as a query and decoded again it must come out the same.  A
 * report that fails must leave the output zeroed.  The same bytes as an
 * answer body must give a one-line, valid UTF-8 account within its buffer.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kannel_proto.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n >= cap || utf8_validate(s, n) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			abort();
}

static void escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 4 < cap; s++)
		o += (size_t)snprintf(out + o, cap - o, "%%%02X", (unsigned char)*s);
	out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *q = (const char *)data;
	struct kannel_dlr d, again;
	char text[KANNEL_ANSWER_TEXT_MAX], query[1024], esc[KANNEL_DLR_REPLY_MAX * 3 + 1];
	enum kannel_dlr_error e = kannel_dlr_parse(q, size, &d);

	if (e == KANNEL_DLR_OK) {
		if (d.id == 0 || d.id > (uint64_t)INT64_MAX ||
		    kannel_dlr_status_name(d.status) == NULL)
			abort();
		check_text(d.reply, sizeof(d.reply));
		escape(d.reply, esc, sizeof(esc));
		snprintf(query, sizeof(query), "id=%" PRIu64 "&status=%d&reply=%s", d.id, d.status,
			 esc);
		if (kannel_dlr_parse(query, strlen(query), &again) != KANNEL_DLR_OK ||
		    again.id != d.id || again.status != d.status ||
		    strcmp(again.reply, d.reply) != 0)
			abort();
	} else {
		if ((unsigned)e >= KANNEL_DLR_ERROR_COUNT || d.id != 0 || d.status != 0 ||
		    d.reply[0] != '\0' || kannel_dlr_error_text(e)[0] == '\0')
			abort();
	}
	{
		char why[64];
		size_t n = size < sizeof(why) - 1 ? size : sizeof(why) - 1;

		memcpy(why, q, n);
		why[n] = '\0';
		kannel_answer_text(size > 0 ? 200 + data[0] % 400 : 0, q, size, why, text,
				   sizeof(text));
		check_text(text, sizeof(text));
		kannel_answer_text(0, NULL, 0, why, text, sizeof(text));
	}
	check_text(text, sizeof(text));
	(void)kannel_answer_classify(size > 0 ? data[0] * 3 : 0, q, size);
	return 0;
}
