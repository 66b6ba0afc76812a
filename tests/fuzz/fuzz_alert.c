/*
 * fuzz_alert.c - fuzz the alert rules and texts (src/core/alert*.c).
 *
 * The input is a report's numbers (the first bytes, as int16 pairs) and
 * then lines: flags as PostgreSQL prints them, an airtime balance text, an
 * area name, an incident name, a modem or sender, a stored message.  The
 * rules must raise at most ALERT_REPORT_MAX alerts of known rules; every
 * alert they raise, and every rule with the fuzzed names, must render in
 * every language within one SMS segment (the last variant of each entry
 * has no name in it); the balance and flags parsers must not read past
 * their text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_text.h"
#include "config.h"
#include "gsm7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 6

static const char *const checks[] = {
	"women_exceed_voters",
	"men_exceed_voters",
	"voters_exceed_registered",
	"women_exceed_registered_women",
	"results_exceed_registered",
	"close",
	"results",
};

static int64_t num(const uint8_t *d, size_t size, size_t i)
{
	if (2 * i + 1 >= size)
		return -1;
	return (int16_t)((d[2 * i] << 8) | d[2 * i + 1]);
}

static void one_segment(const char *buf, int len)
{
	struct gsm7_size sz;

	if (len < 0 || !gsm7_measure(buf, (size_t)len, &sz) || sz.segments != 1)
		abort();
}

static void render_all(struct alert *a)
{
	char buf[ALERT_TEXT_MAX];
	unsigned counts[ALERT_RULE_COUNT] = { 0 };

	for (int l = 0; l < LANG_COUNT; l++) {
		one_segment(buf, alert_text_render(a, (enum lang)l, buf, sizeof(buf)));
		one_segment(buf, alert_text_escalation(a, 15, (enum lang)l, buf, sizeof(buf)));
		counts[a->rule]++;
		one_segment(buf, alert_text_digest(3, counts, a->area_name, (enum lang)l, buf,
						   sizeof(buf)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char fields[FIELDS][200] = { "" };
	struct config_alerts c;
	struct alert_report r;
	struct alert out[ALERT_REPORT_MAX], a;
	size_t head = size < 40 ? size : 40, n, f = 0, start = head;
	uint64_t balance;

	config_alerts_defaults(&c);
	for (size_t i = head; i <= size && f < FIELDS; i++) {
		if (i == size || data[i] == '\n') {
			size_t len = i - start < sizeof(fields[0]) - 1 ? i - start
								       : sizeof(fields[0]) - 1;

			memcpy(fields[f], data + start, len);
			fields[f++][len] = '\0';
			start = i + 1;
		}
	}
	if (alert_balance_parse(fields[1], &balance) && balance > 999999999999999ULL)
		abort();
	alert_report_init(&r);
	r.form = (enum parse_form)(head > 0 ? data[0] % PARSE_FORM_COUNT : 0);
	r.rejected = head > 1 && (data[1] & 1);
	snprintf(r.error, sizeof(r.error), "%s", checks[head > 1 ? data[1] % 7 : 0]);
	r.flags = alert_report_flags(fields[0]);
	r.station_id = 1;
	snprintf(r.station, sizeof(r.station), "1021");
	r.registered = num(data, head, 1);
	r.registered_women = num(data, head, 2);
	r.voters = num(data, head, 3);
	r.women = num(data, head, 4);
	r.men = num(data, head, 5);
	r.sum = num(data, head, 6);
	r.incident_code = num(data, head, 7);
	r.incident_known = head > 16 && (data[16] & 1);
	r.incident_severity = (enum alert_severity)(head > 17 ? data[17] % ALERT_SEV_COUNT : 0);
	r.has_prev = head > 18 && (data[18] & 1);
	r.prev_person = head > 19 ? data[19] : 0;
	r.prev_voters = num(data, head, 10);
	r.prev_sum = num(data, head, 11);
	for (int l = 0; l < LANG_COUNT; l++)
		snprintf(r.incident_names[l], ALERT_NAME_MAX, "%s", fields[3]);
	n = alert_rules_report(&c, &r, out, ALERT_REPORT_MAX);
	if (n > ALERT_REPORT_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)out[i].rule >= ALERT_RULE_COUNT)
			abort();
		out[i].id = 999999999;
		snprintf(out[i].area_name, sizeof(out[i].area_name), "%s", fields[2]);
		render_all(&out[i]);
	}
	for (int rule = 0; rule < ALERT_RULE_COUNT; rule++) {
		alert_init(&a, (enum alert_rule)rule);
		a.id = head > 20 ? data[20] * 1000003 : 17;
		snprintf(a.station, sizeof(a.station), "1021");
		snprintf(a.area_name, sizeof(a.area_name), "%s", fields[2]);
		/* what the rules put there: a figure check for impossible_numbers,
		 * a form for conflicts, a time for missing reports */
		if (alert_rule_missing(a.rule))
			snprintf(a.f.check, sizeof(a.f.check), "23:59");
		else if (a.rule == ALERT_CONFLICTING_REPORTS)
			snprintf(a.f.check, sizeof(a.f.check), "%s",
				 checks[5 + (head > 21 ? data[21] % 2 : 0)]);
		else
			snprintf(a.f.check, sizeof(a.f.check), "%s",
				 checks[head > 21 ? data[21] % 5 : 0]);
		snprintf(a.f.stations, sizeof(a.f.stations), "%s", fields[5]);
		snprintf(a.f.who, sizeof(a.f.who), "%s", fields[4]);
		snprintf(a.f.text, sizeof(a.f.text), "%s", fields[5]);
		for (int l = 0; l < LANG_COUNT; l++)
			snprintf(a.f.names[l], sizeof(a.f.names[l]), "%s", fields[3]);
		a.f.voters = a.f.women = a.f.registered = a.f.prev = a.f.value =
			num(data, head, 12);
		a.f.count = a.f.minutes = a.f.code = num(data, head, 13);
		a.f.pct = a.f.threshold = head > 22 ? data[22] % 101 : 0;
		render_all(&a);
	}
	return 0;
}
