/*
 * gsm7.h - the GSM 03.38 default alphabet and SMS segment arithmetic.
 *
 * An SMS is sent in the GSM 7-bit default alphabet when every character of
 * it is in that alphabet (characters of the extension table, such as
 * [ ] { } | ^ ~ \ and the euro sign, take two septets: an escape and the
 * character); otherwise the whole message goes as UCS-2 (UTF-16), two bytes
 * a character.  One segment holds 160 septets or 70 UTF-16 units; a
 * concatenated message loses room to its header and holds 153 septets or 67
 * units a segment, and never splits an escape pair or a surrogate pair.
 *
 * Pure functions: no allocation, no I/O.
 */
#ifndef SAWT_GSM7_H
#define SAWT_GSM7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define GSM7_SEPTETS_SINGLE 160 /* septets in a lone GSM-7 segment */
#define GSM7_SEPTETS_MULTI 153  /* ... in a segment of a concatenated one */
#define GSM7_UCS2_SINGLE 70     /* UTF-16 units in a lone UCS-2 segment */
#define GSM7_UCS2_MULTI 67      /* ... in a segment of a concatenated one */

enum gsm7_coding {
	GSM7_CODING_GSM7 = 0,
	GSM7_CODING_UCS2,
};

struct gsm7_size {
	enum gsm7_coding coding;
	size_t units;    /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	size_t chars;    /* code points */
	size_t segments; /* 1 for an empty text */
};

/*
 * Return how many septets cp takes in the GSM 7-bit default alphabet: 1 for
 * the basic table, 2 for the extension table, 0 when it is not in the
 * alphabet (then the message needs UCS-2).
 */
int gsm7_septets(uint32_t cp);

/* "gsm7" or "ucs2". */
const char *gsm7_coding_name(enum gsm7_coding coding);

/*
 * Measure the UTF-8 text s (len bytes) as an SMS: the coding it needs, its
 * length in that coding's units and the number of segments it costs.
 * Returns false (and leaves *out alone) when s is not valid UTF-8.
 */
bool gsm7_measure(const char *s, size_t len, struct gsm7_size *out) SAWT_MUST_CHECK;

/*
 * Convenience: the number of segments s costs, or 0 when s is not valid
 * UTF-8.
 */
size_t gsm7_segments(const char *s, size_t len);

#endif
