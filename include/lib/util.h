/*
 * util.h - small pieces shared by many modules: clocks, error buffers, hex.
 */
#ifndef SAWT_UTIL_H
#define SAWT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

/* Milliseconds of CLOCK_MONOTONIC: for intervals and deadlines. */
int64_t util_mono_ms(void);

/* Microseconds of CLOCK_MONOTONIC: for measuring short durations
 * (database queries). */
int64_t util_mono_us(void);

/* Milliseconds since the Unix epoch: for timestamps that are stored. */
int64_t util_wall_ms(void);

/*
 * Format into err (n bytes, always NUL-terminated when n > 0; nothing is
 * written when n is 0) and make it one line: trailing newlines and blanks
 * are dropped and every inner newline, with the blanks that follow it,
 * becomes one space, so libpq's multi-line messages ("ERROR: ...\nDETAIL:
 * ...\n") keep their detail on one line.  For the "char *err, size_t
 * errlen" convention of module APIs.
 */
void util_seterr(char *err, size_t n, const char *fmt, ...) SAWT_PRINTF(3, 4);

/* util_seterr() with a va_list (for modules that add their own prefix). */
void util_vseterr(char *err, size_t n, const char *fmt, va_list ap) SAWT_PRINTF(3, 0);

/*
 * Write the n bytes of data as 2 * n lowercase hexadecimal digits into out,
 * which must have room for 2 * n + 1 bytes, and NUL-terminate it.  Returns
 * out.
 */
char *util_hex(char *out, const void *data, size_t n);

/* The value of the hexadecimal digit c (either case), or -1. */
int util_hex_digit(char c);

#endif
