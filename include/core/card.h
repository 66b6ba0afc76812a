/*
 * card.h - the observer's card: one printable page of HTML, in ar, en or
 * fr, generated from the protocol and the reply catalogue.
 *
 * For each form an observer sends (open, turnout, close, results,
 * incident) the card shows the format as HELP gives it, the example
 * message the replies use with the observer's station filled in, and the
 * reply that example gets, all from src/core/reply.c; the parser checks
 * that each example reads as its form.  The page is self-contained (inline
 * CSS, nothing fetched), in large type, sized for A5 (@page size A5) and
 * marked dir="rtl" lang="ar" in Arabic.  The card's own words (headings,
 * the PIN and HELP notes) are a small table in card.c, one per language.
 *
 * Pure: renders into a caller's buffer and allocates nothing.
 */
#ifndef SAWT_CARD_H
#define SAWT_CARD_H

#include <stdbool.h>
#include <stddef.h>

#include "lang.h"
#include "log.h"
#include "strbuf.h"

/* Room for any card: the largest rendering is well below it. */
#define CARD_MAX 32768

/* Room for an error message from card_render(). */
#define CARD_ERR_MAX 160

/* What the card is about. */
struct card_args {
	enum lang lang;
	const char *station;      /* station code, digits; NULL: a placeholder (1021) */
	const char *station_name; /* the station's registered name; NULL: none */
	const char *election;     /* the election's name; NULL or "": none */
};

/*
 * Write the card for a into out.  Returns false, with a one-line reason
 * in err (CARD_ERR_MAX bytes), when the station code is not one an
 * observer can send (digits, 1 to 10), when a catalogue entry the card
 * needs is missing or an example does not parse as its form, or when out
 * overflowed; out then holds a partial page that must not be used.
 */
bool card_render(const struct card_args *a, struct strbuf *out, char *err,
		 size_t errlen) SAWT_MUST_CHECK;

#endif
