/*
 * log.c - levelled logging to standard error; see log.h.
 */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level cur_level = LOG_LEVEL_INFO;
static char ident[64] = "sawt";

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* syslog priorities for the journal prefix */
static const int level_prio[] = { 3, 4, 6, 7 };

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

void log_set_ident(const char *name)
{
	snprintf(ident, sizeof(ident), "%s", name ? name : "sawt");
}

bool log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	if (strcmp(name, "warn") == 0) {
		*out = LOG_LEVEL_WARNING;
		return true;
	}
	return false;
}

const char *log_level_name(enum log_level level)
{
	return level_names[level];
}

static void log_emit(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void log_emit(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	if (level > cur_level)
		return;
	if (getenv("JOURNAL_STREAM") != NULL) {
		n = snprintf(line, sizeof(line), "<%d>%s: ", level_prio[level], ident);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		n = snprintf(line, sizeof(line), "%s %s %s: ", stamp, ident, level_names[level]);
	}
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

#define LOG_FN(name, level) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		log_emit(level, fmt, ap); \
		va_end(ap); \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARNING)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

const char *log_mask_phone(const char *phone, char *buf, size_t n)
{
	size_t len, digits = 0, seen = 0, o = 0;

	if (n == 0)
		return buf;
	if (phone == NULL) {
		snprintf(buf, n, "(none)");
		return buf;
	}
	len = strlen(phone);
	for (size_t i = 0; i < len; i++)
		if (phone[i] >= '0' && phone[i] <= '9')
			digits++;
	for (size_t i = 0; i < len && o + 1 < n; i++) {
		char c = phone[i];

		if (c >= '0' && c <= '9') {
			seen++;
			if (seen > 3 && seen + 2 <= digits)
				c = '*';
		}
		buf[o++] = c;
	}
	buf[o] = '\0';
	return buf;
}

const char *log_phone(const char *phone, char *buf, size_t n)
{
	if (cur_level >= LOG_LEVEL_DEBUG && phone != NULL) {
		snprintf(buf, n, "%s", phone);
		return buf;
	}
	return log_mask_phone(phone, buf, n);
}
