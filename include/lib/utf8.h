/*
 * utf8.h - strict UTF-8 decoding and UCS-2/UTF-16BE conversion.
 *
 * Pure functions over caller buffers: no allocation, no I/O.  "Strict"
 * means the forms RFC 3629 forbids are rejected: overlong encodings,
 * surrogate code points (U+D800..U+DFFF), values above U+10FFFF, stray
 * continuation bytes and truncated sequences.
 *
 * GSM modems deliver Arabic text as UCS-2 (in practice UTF-16 big endian,
 * two bytes a character); HTTP aggregators deliver UTF-8.  Everything inside
 * sawt is UTF-8: utf8_from_ucs2() converts the modem's form so that both
 * parse the same.
 */
#ifndef SAWT_UTF8_H
#define SAWT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

/* The most bytes one code point takes in UTF-8. */
#define UTF8_MAX_BYTES 4

/*
 * Decode the code point that starts at s[*pos] (s has len bytes).  On
 * success store it in *cp, advance *pos past it and return true.  On a
 * malformed or truncated sequence return false and leave *pos and *cp
 * unchanged.
 */
bool utf8_decode(const char *s, size_t len, size_t *pos, uint32_t *cp) SAWT_MUST_CHECK;

/*
 * Return the byte offset of the first byte that does not start a valid
 * sequence, or len when all of s is valid UTF-8.
 */
size_t utf8_validate(const char *s, size_t len);

/*
 * Write the UTF-8 form of cp into out, which has room for UTF8_MAX_BYTES.
 * Return the number of bytes written, or 0 (nothing written) when cp is a
 * surrogate or above U+10FFFF.
 */
size_t utf8_encode(uint32_t cp, char *out);

/*
 * Return the number of code points in the first len bytes of s, which must
 * be valid UTF-8 (bytes of an invalid sequence are counted one each).
 */
size_t utf8_count(const char *s, size_t len);

/*
 * The value (0..9) of a decimal digit code point: ASCII '0'..'9', Arabic-
 * Indic U+0660..0669, Eastern Arabic-Indic (Persian) U+06F0..06F9 or
 * full-width U+FF10..FF19.  Returns -1 for any other code point.
 */
int utf8_digit_value(uint32_t cp);

enum utf8_conv {
	UTF8_CONV_OK = 0,
	UTF8_CONV_ODD_LENGTH,    /* UCS-2 input of an odd number of bytes */
	UTF8_CONV_BAD_SURROGATE, /* unpaired UTF-16 surrogate */
	UTF8_CONV_INVALID_UTF8,  /* UTF-8 input that does not decode */
	UTF8_CONV_NO_SPACE,      /* the output buffer is too small */
};

/* A short lowercase description of a conversion result, e.g. for logs. */
const char *utf8_conv_name(enum utf8_conv r);

/*
 * Convert inlen bytes of UCS-2 / UTF-16 big endian (surrogate pairs allowed)
 * into UTF-8 in out, which has cap bytes, and NUL-terminate it.  The number
 * of bytes written (without the NUL) goes to *outlen.  U+0000 in the input
 * becomes a NUL byte in the output: callers use *outlen, not strlen().
 * Needs at most inlen * 3 / 2 + 1 bytes of output.  On failure the content
 * of out is unspecified and *outlen is 0.
 */
enum utf8_conv utf8_from_ucs2(const uint8_t *in, size_t inlen, char *out, size_t cap,
			      size_t *outlen) SAWT_MUST_CHECK;

/*
 * The reverse: convert inlen bytes of UTF-8 into UTF-16 big endian in out
 * (cap bytes; code points above U+FFFF become surrogate pairs).  The number
 * of bytes written goes to *outlen.  Needs at most inlen * 2 bytes.
 */
enum utf8_conv utf8_to_ucs2(const char *in, size_t inlen, uint8_t *out, size_t cap,
			    size_t *outlen) SAWT_MUST_CHECK;

#endif
