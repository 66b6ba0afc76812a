/*
 * log.h - levelled logging to standard error.
 *
 * Messages go to stderr, one line each.  When stderr is connected to the
 * journal (JOURNAL_STREAM is set) every line carries a "<N>" syslog priority
 * prefix so journald records the level; otherwise a timestamp and the level
 * name are printed.  Phone numbers must go through log_phone() so that they
 * are masked unless the level is debug.
 */
#ifndef SAWT_LOG_H
#define SAWT_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define SAWT_MUST_CHECK __attribute__((warn_unused_result))
#define SAWT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SAWT_NORETURN __attribute__((noreturn))

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Set the most verbose level that is printed (default: info). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Set a short name printed before every line ("sawtd", "modem:usb0"). The
 * string is copied. */
void log_set_ident(const char *ident);

/*
 * Parse "error", "warning", "info" or "debug" into *out.  Returns false and
 * leaves *out alone for anything else.
 */
bool log_level_parse(const char *name, enum log_level *out) SAWT_MUST_CHECK;
const char *log_level_name(enum log_level level);

void log_error(const char *fmt, ...) SAWT_PRINTF(1, 2);
void log_warn(const char *fmt, ...) SAWT_PRINTF(1, 2);
void log_info(const char *fmt, ...) SAWT_PRINTF(1, 2);
void log_debug(const char *fmt, ...) SAWT_PRINTF(1, 2);

/* Log at error level and exit(1).  For start-up failures only. */
void log_fatal(const char *fmt, ...) SAWT_PRINTF(1, 2) SAWT_NORETURN;

/*
 * Render a phone number for a log line into buf (size n) and return buf.
 * Below debug level every digit but the country prefix's first three and the
 * last two is replaced by '*': "+96171123456" -> "+961******56".  At debug
 * level the number is copied as is.  NULL prints as "(none)".
 */
const char *log_phone(const char *phone, char *buf, size_t n);

/* Mask unconditionally (used by log_phone and by tests). */
const char *log_mask_phone(const char *phone, char *buf, size_t n);

#define LOG_PHONE_BUF 40

#endif
