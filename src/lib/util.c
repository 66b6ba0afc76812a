/*
 * util.c - clocks and error buffers; see util.h.
 */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t util_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

void util_seterr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (n == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	err[strcspn(err, "\n")] = '\0';
}
