/*
 * util.c - clocks, error buffers and hex; see util.h.
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

int64_t util_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t util_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

void util_vseterr(char *err, size_t n, const char *fmt, va_list ap)
{
	size_t r = 0, w = 0;

	if (n == 0)
		return;
	vsnprintf(err, n, fmt, ap);
	/* one line: "\n" and the blanks after it become one space */
	while (err[r] != '\0') {
		if (err[r] == '\n') {
			while (err[r] == '\n' || err[r] == ' ' || err[r] == '\t')
				r++;
			if (err[r] != '\0')
				err[w++] = ' ';
			continue;
		}
		err[w++] = err[r++];
	}
	while (w > 0 && (err[w - 1] == ' ' || err[w - 1] == '\t'))
		w--;
	err[w] = '\0';
}

void util_seterr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vseterr(err, n, fmt, ap);
	va_end(ap);
}

char *util_hex(char *out, const void *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *in = data;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0F];
	}
	out[2 * n] = '\0';
	return out;
}

int util_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}
