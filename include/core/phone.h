/*
 * phone.h - phone numbers: E.164 normalisation and keyed pseudonyms.
 *
 * Observers' numbers arrive in every local form: "03 123 456",
 * "0944-123-456", "00961 3 123456", "+961 (3) 123.456", in Arabic-Indic
 * digits, with invisible direction marks pasted from a chat.  sawt stores
 * and compares them only in E.164 ("+9613123456"), normalised with the
 * election's country code.
 */
#ifndef SAWT_PHONE_H
#define SAWT_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* "+", at most 15 digits, NUL. */
#define PHONE_E164_BUF 17
/* E.164 allows 15 digits; sawt wants at least 8 (country code included). */
#define PHONE_MAX_DIGITS 15
#define PHONE_MIN_DIGITS 8
/* 64 lowercase hex digits and a NUL. */
#define PHONE_PSEUDONYM_BUF 65

/*
 * Decode one decimal digit at s (len bytes available): ASCII 0-9,
 * Arabic-Indic U+0660-0669, Eastern Arabic-Indic U+06F0-06F9 or full-width
 * U+FF10-FF19.  Returns its value and sets *adv to the bytes it takes, or
 * returns -1 (and leaves *adv alone) when s does not start with a digit.
 */
int phone_digit(const char *s, size_t len, size_t *adv);

/*
 * Normalise the phone number in (len bytes, UTF-8, not necessarily
 * NUL-terminated) to E.164 in out (PHONE_E164_BUF bytes).
 *
 * Spaces, tabs, dashes, dots, slashes, parentheses, no-break and thin
 * spaces, Unicode dashes and direction marks are ignored; digits may be in
 * any script phone_digit() knows.  Then:
 *   "+CC..." or "00CC..."   international: taken as is;
 *   "0..."                  national with trunk prefix: the 0 is replaced
 *                           by country_code ("03 123 456", 961 ->
 *                           "+9613123456"; "0944 123 456", 963 ->
 *                           "+963944123456");
 *   other digits            country_code followed by them, unless they
 *                           already start with country_code and at least
 *                           7 more digits ("9613123456" -> "+9613123456").
 * Zeros right after country_code ("+961 03 123 456") are the trunk prefix
 * typed by mistake and are dropped, except for the countries where it is
 * part of the number (Italy, San Marino, Vatican, Côte d'Ivoire).
 *
 * country_code is 1-3 digits without "+" ("961"); NULL or "" accepts
 * international forms only.  Returns true on success.  On failure returns
 * false and points *reason at a static phrase: "empty", "contains letters",
 * "invalid character", "\"+\" not at the start", "too short", "too long
 * (E.164 allows 15 digits)", "too short for its country's numbering plan",
 * "too long for its country's numbering plan" (the national plans phone.c
 * knows: Lebanon 7-8 digits after +961, Syria 8-9, Morocco 9, ...),
 * "invalid country code", "local number but no country code is
 * configured", "bad country code in the configuration".
 * Allocates nothing.
 */
bool phone_normalize(const char *in, size_t len, const char *country_code, char *out,
		     const char **reason) SAWT_MUST_CHECK;

/*
 * Write the keyed pseudonym of an E.164 number into out_hex
 * (PHONE_PSEUDONYM_BUF bytes): HMAC-SHA256 of e164 keyed with secret, as
 * 64 lowercase hex digits.  The same number and secret always give the
 * same pseudonym; without the secret it cannot be reversed.  Returns false
 * when secret is NULL or empty or OpenSSL fails.
 */
bool phone_pseudonym(const char *secret, const char *e164, char *out_hex) SAWT_MUST_CHECK;

#endif
