/*
 * util.h - small pieces shared by many modules: clocks and error buffers.
 */
#ifndef SAWT_UTIL_H
#define SAWT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

/* Milliseconds of CLOCK_MONOTONIC: for intervals and deadlines. */
int64_t util_mono_ms(void);

/* Milliseconds since the Unix epoch: for timestamps that are stored. */
int64_t util_wall_ms(void);

/*
 * Format into err (n bytes, always NUL-terminated when n > 0) and cut it
 * at the first newline, so libpq's and the system's messages stay on one
 * line.  For the "char *err, size_t errlen" convention of module APIs.
 */
void util_seterr(char *err, size_t n, const char *fmt, ...) SAWT_PRINTF(3, 4);

#endif
