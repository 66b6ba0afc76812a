/*
 * fuzz_parse.c - fuzz the observer message parser, its JSON form and the
 * reply renderer.
 *
 * Every input is parsed as UTF-8 (as HTTP delivers it) and as UCS-2 (as a
 * modem does).  Checked: every span of the result lies inside the input,
 * the fields hold what they claim (digits only, counts bounded), the JSON
 * fits its documented buffer, every reply renders into one SMS segment in
 * every language, and a message that survives a UCS-2 round trip parses
 * the same way again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report_json.h"
#include "parse.h"
#include "reply.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct parse_span s, size_t len)
{
	if ((size_t)s.off + s.len > len)
		abort();
}

static void check_digits(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			abort();
}

static void check_msg(const struct parse_msg *m, size_t len)
{
	if (m->error >= PARSE_ERROR_COUNT || m->form >= PARSE_FORM_COUNT || m->lang >= LANG_COUNT ||
	    m->n_counts > PARSE_MAX_COUNTS)
		abort();
	check_span(m->err_span, len);
	check_span(m->text, len);
	check_span(m->area, len);
	check_span(m->ignored[0], len);
	check_span(m->ignored[1], len);
	check_digits(m->station, PARSE_STATION_MAX);
	check_digits(m->pin, PARSE_PIN_MAX);
	check_digits(m->time, 4);
	if ((m->has & PARSE_HAS_PIN) && strlen(m->pin) < PARSE_PIN_MIN)
		abort();
	if (strlen(m->contest) > PARSE_CONTEST_MAX)
		abort();
	if (m->error == PARSE_OK && m->form == PARSE_FORM_NONE)
		abort();
	for (size_t i = 0; i < m->n_counts; i++)
		if (m->counts[i] > 999999999)
			abort();
}

static void check_outputs(const struct parse_msg *m, const char *text, size_t len)
{
	static char json[REPORT_JSON_MAX], detail[256];
	struct json_buf j;
	struct reply_args a;
	struct reply_info info;
	enum reply_kind kind;
	char reply[REPLY_MAX];

	json_init(&j, json, sizeof(json));
	json_open_object(&j, NULL);
	report_json(&j, m, text, len, true);
	json_close_object(&j);
	if (!json_finish(&j))
		abort();
	(void)parse_error_detail(m, text, len, detail, sizeof(detail));
	if (!reply_kind_for_msg(m, &kind))
		return;
	reply_args_from_msg(&a, m, text, len);
	for (int l = 0; l < LANG_COUNT; l++)
		if (reply_render(kind, (enum lang)l, &a, reply, sizeof(reply), &info) <= 0 ||
		    info.size.segments != 1)
			abort();
}

static void parse_checked(const char *text, size_t len, struct parse_msg *m)
{
	bool ok = parse_message(text, len, LANG_EN, m);

	if (ok != (m->error == PARSE_OK))
		abort();
	check_msg(m, len);
	check_outputs(m, text, len);
}

/* Valid UTF-8 that goes to UCS-2 and back parses the same. */
static void round_trip(const char *text, size_t len, const struct parse_msg *m1)
{
	static uint8_t ucs2[2 * (PARSE_MAX_BYTES + 1)];
	static char back[PARSE_MAX_BYTES + 1];
	struct parse_msg m2;
	size_t n, blen;

	if (len > PARSE_MAX_BYTES || utf8_validate(text, len) != len)
		return;
	if (utf8_to_ucs2(text, len, ucs2, sizeof(ucs2), &n) != UTF8_CONV_OK ||
	    utf8_from_ucs2(ucs2, n, back, sizeof(back), &blen) != UTF8_CONV_OK || blen != len ||
	    memcmp(back, text, len) != 0)
		abort();
	parse_checked(back, blen, &m2);
	if (m2.error != m1->error || m2.form != m1->form || m2.has != m1->has ||
	    m2.voters != m1->voters || m2.n_counts != m1->n_counts ||
	    strcmp(m2.station, m1->station) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char conv[3 * 4096 + 1];
	struct parse_msg m;
	size_t n;

	parse_checked((const char *)data, size, &m);
	round_trip((const char *)data, size, &m);
	if (size <= 4096 && utf8_from_ucs2(data, size, conv, sizeof(conv), &n) == UTF8_CONV_OK)
		parse_checked(conv, n, &m);
	return 0;
}
