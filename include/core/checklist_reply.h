/*
 * checklist_reply.h - the one-SMS replies to checklist messages, in
 * Arabic, English and French (issue 22).
 *
 * A checklist message with good answers is saved in part: the reply says
 * how many answers were saved and names the question codes that were
 * wrong (bad value, no value, two values), unknown, or still missing
 * (required questions with no answer yet), e.g.
 *
 *   OK 1021 OP: 4 saved. Wrong: AB AC. Unknown: ZZ. Missing: AD.
 *   OK 1021 OP: 4 enregistrées. Erronées: AB AC. Inconnues: ZZ. Manquent: AD.
 *   تم 1021 OP: حفظت 4. خطأ: AB AC. غير معروف: ZZ. ناقص: AD.
 *
 * A message refused whole (no station, bad station, bad PIN, no good
 * answer) gets a reply that says why, with an example.  Every reply fits
 * one SMS segment: when the lists do not, their tails are cut to "+N" (N
 * codes not named).
 *
 * Pure: no I/O, no allocation.
 */
#ifndef SAWT_CHECKLIST_REPLY_H
#define SAWT_CHECKLIST_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "checklist_parse.h"
#include "lang.h"

/*
 * Render the reply to m in lang into buf (cap bytes; REPLY_MAX from
 * reply.h is always enough).  missing is the bit set of the form's
 * required questions that still have no answer (checklist_missing() over
 * what is stored and what m adds).  Returns the length written, or -1
 * when it does not fit cap or one segment (a bug: the texts are tested).
 */
int checklist_reply(const struct checklist_msg *m, enum lang lang, uint64_t missing, char *buf,
		    size_t cap);

/*
 * The form named after a v1 HELP message without a topic ("HELP OP",
 * "AIDE OUVR", "مساعده استمارة", "? OP"): m is the v1 parse of the len
 * bytes at text.  NULL when m is not such a HELP or names no form of set.
 */
const struct checklist_form *checklist_help_topic(const struct checklist_set *set,
						  const struct parse_msg *m, const char *text,
						  size_t len);

/*
 * Render the reply to HELP CODE for form in lang into buf (cap bytes): the
 * form's code, then each question's code and what it takes, e.g.
 *   OP station + AA 1/2, AB 1/2, AC 1-3 (several), AD 0-50, AE 1-3, AF text. 1=yes 2=no
 * cut to "+N" codes when it does not fit one segment.  Returns the length,
 * or -1 when even the cut text does not fit.
 */
int checklist_help(const struct checklist_form *form, enum lang lang, char *buf, size_t cap);

#endif
