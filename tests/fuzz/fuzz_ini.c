/*
 * fuzz_ini.c - fuzz the configuration parser and its INI tokenizer.
 *
 * Every input goes through config_parse() (which must either return a
 * config or write an error message) and straight through ini_parse(),
 * whose spans must all lie inside the input and whose line numbers must
 * never go down.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bounds {
	const char *start;
	const char *end;
	unsigned last_line;
};

static void check_span(const struct bounds *b, struct ini_span s)
{
	if (s.len == 0)
		return;
	if (s.p < b->start || s.p + s.len > b->end || s.len > INI_LINE_MAX)
		abort();
	/* a span never holds a line break or a NUL byte */
	if (memchr(s.p, '\n', s.len) != NULL || memchr(s.p, '\0', s.len) != NULL)
		abort();
}

static bool check_event(const struct ini_event *ev, void *ctx)
{
	struct bounds *b = ctx;

	if (ev->line < b->last_line || ev->line == 0)
		abort();
	b->last_line = ev->line;
	check_span(b, ev->section);
	check_span(b, ev->arg);
	if (ev->type == INI_EVENT_SECTION) {
		if (ev->section.len == 0)
			abort();
	} else {
		check_span(b, ev->key);
		check_span(b, ev->value);
		if (ev->key.len == 0)
			abort();
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONFIG_ERR_MAX];
	struct bounds b = { (const char *)data, (const char *)data + size, 0 };
	struct ini_error ie;
	struct config *cfg;

	err[0] = '\0';
	cfg = config_parse("fuzz.conf", (const char *)data, size, err, sizeof(err));
	if (cfg == NULL && err[0] == '\0')
		abort();
	config_free(cfg);

	switch (ini_parse((const char *)data, size, check_event, &b, &ie)) {
	case INI_OK: break;
	case INI_STOPPED: abort();
	default:
		if (ie.line == 0 || ie.line < b.last_line)
			abort();
		check_span(&b, ie.text);
		break;
	}
	return 0;
}
