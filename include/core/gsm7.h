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

#define SMS_GSM7_SINGLE 160
#define SMS_GSM7_MULTI 153
#define SMS_UCS2_SINGLE 70
#define SMS_UCS2_MULTI 67

enum sms_coding {
	SMS_CODING_GSM7 = 0,
	SMS_CODING_UCS2,
};

struct sms_size {
	enum sms_coding coding;
	size_t units;      /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	size_t chars;      /* code points */
	size_t segments;   /* 1 for an empty text */
};

/*
 * Return how many septets cp takes in the GSM 7-bit default alphabet: 1 for
 * the basic table, 2 for the extension table, 0 when it is not in the
 * alphabet (then the message needs UCS-2).
 */
int gsm7_septets(uint32_t cp);

/* "gsm7" or "ucs2". */
const char *sms_coding_name(enum sms_coding coding);

/*
 * Measure the UTF-8 text s (len bytes) as an SMS: the coding it needs, its
 * length in that coding's units and the number of segments it costs.
 * Returns false (and leaves *out alone) when s is not valid UTF-8.
 */
bool sms_measure(const char *s, size_t len, struct sms_size *out) SAWT_MUST_CHECK;

/*
 * Convenience: the number of segments s costs, or 0 when s is not valid
 * UTF-8.
 */
size_t sms_segments(const char *s, size_t len);

#endif
