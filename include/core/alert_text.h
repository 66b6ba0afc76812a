/*
 * alert_text.h - what an alert says to a coordinator, in ar, en and fr.
 *
 * The catalogue has, for each rule (alert.h) and language, a main text and
 * shorter ones; the first that fits one SMS segment with the values at
 * hand is sent (template.h: 160 GSM 7-bit septets, 70 UCS-2 units when
 * the text needs UCS-2, as an Arabic area name in an English text does).
 * Every text carries the alert's short id and says how to acknowledge it
 * (ACK 17, OK 17, تم 17: the parser's keywords).  tests/unit/test_alert.c
 * renders every entry with worst-case values and checks that one fits.
 *
 * The same catalogue has the escalation of an unacknowledged alert and
 * the digest a coordinator gets instead of the alerts held back by the
 * rate limit ("5 more alerts in Aleppo: 3 missing turnout, 2 high
 * turnout. Reply STATUS").
 *
 * Pure; rendering allocates nothing.
 */
#ifndef SAWT_ALERT_TEXT_H
#define SAWT_ALERT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "alert.h"
#include "lang.h"
#include "log.h"

/* Room for any rendered alert text, NUL included. */
#define ALERT_TEXT_MAX 512

/* Templates an entry has at most (main, then shorter ones). */
#define ALERT_TEXT_VARIANTS 3

/* Code points of a name shown (area, incident, modem, sender). */
#define ALERT_NAME_CHARS 20

/*
 * Render alert a (a->id set) for a coordinator speaking lang into buf
 * (cap bytes; ALERT_TEXT_MAX is enough).  Returns its length, or -1 when
 * no variant fits (a bug the unit tests catch).
 */
int alert_text_render(const struct alert *a, enum lang lang, char *buf, size_t cap) SAWT_MUST_CHECK;

/* Same, and the variant used (0: the main text) into *variant. */
int alert_text_render_variant(const struct alert *a, enum lang lang, char *buf, size_t cap,
			      size_t *variant) SAWT_MUST_CHECK;

/* The escalation of a, unacknowledged for minutes. */
int alert_text_escalation(const struct alert *a, unsigned minutes, enum lang lang, char *buf,
			  size_t cap) SAWT_MUST_CHECK;

/*
 * The digest of n held alerts, counts[rule] of each rule, for a
 * coordinator of area (NULL: none).
 */
int alert_text_digest(unsigned n, const unsigned counts[ALERT_RULE_COUNT], const char *area,
		      enum lang lang, char *buf, size_t cap) SAWT_MUST_CHECK;

/* The short name of a rule ("missing turnout"), for digests. */
const char *alert_text_label(enum alert_rule rule, enum lang lang);

/*
 * The raw templates, for tests: kind is a rule, or ALERT_TEXT_ESCALATION
 * or ALERT_TEXT_DIGEST; variant from 0; NULL past the last.
 */
#define ALERT_TEXT_ESCALATION ALERT_RULE_COUNT
#define ALERT_TEXT_DIGEST (ALERT_RULE_COUNT + 1)
#define ALERT_TEXT_KINDS (ALERT_RULE_COUNT + 2)
const char *alert_text_template(int kind, enum lang lang, size_t variant);

#endif
