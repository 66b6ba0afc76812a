/*
 * ini.h - a tokenizer for INI files held in memory.
 *
 * The syntax is the one gammurc and most Unix daemons use:
 *
 *   # comment            (also "; comment"; only at the start of a line)
 *   [section]
 *   [section argument]   e.g. [modem usb0]
 *   key = value
 *
 * Leading and trailing blanks (space, tab) of names, keys and values are
 * removed.  A value runs to the end of its line and may be empty or hold
 * "=", "#" and ";": there are no inline comments and no quoting.  Lines end
 * with LF or CRLF; a UTF-8 byte order mark at the start is skipped.  The
 * text must be UTF-8 with no control characters other than tab.
 *
 * The tokenizer allocates nothing and never writes to the buffer: every
 * string it reports is a span (pointer and length) into the caller's
 * buffer, not NUL-terminated.
 */
#ifndef SAWT_INI_H
#define SAWT_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* The longest line accepted, in bytes, without its line ending. */
#define INI_LINE_MAX 4096

enum ini_status {
	INI_OK = 0,
	INI_STOPPED,           /* the handler returned false */
	INI_ERR_NUL,           /* a NUL byte */
	INI_ERR_CONTROL,       /* a control character other than tab */
	INI_ERR_UTF8,          /* bytes that are not UTF-8 */
	INI_ERR_LINE_TOO_LONG, /* more than INI_LINE_MAX bytes */
	INI_ERR_NO_BRACKET,    /* "[name" without the closing "]" */
	INI_ERR_AFTER_BRACKET, /* text after the closing "]" */
	INI_ERR_EMPTY_SECTION, /* "[]" */
	INI_ERR_NO_EQUALS,     /* a line that is neither header nor key = value */
	INI_ERR_EMPTY_KEY,     /* "= value" */
	INI_ERR_NO_SECTION,    /* key = value before the first header */
};

/* A piece of the input buffer.  len 0 means empty (p may then be NULL). */
struct ini_span {
	const char *p;
	size_t len;
};

enum ini_event_type {
	INI_EVENT_SECTION, /* a [name argument] header */
	INI_EVENT_KEY,     /* a key = value line */
};

struct ini_event {
	enum ini_event_type type;
	unsigned line;           /* 1-based line number */
	struct ini_span section; /* section name (for keys: the current one) */
	struct ini_span arg;     /* the header's argument, e.g. "usb0"; may be empty */
	struct ini_span key;     /* INI_EVENT_KEY only */
	struct ini_span value;   /* INI_EVENT_KEY only; may be empty */
};

/* Where and why tokenizing stopped. */
struct ini_error {
	enum ini_status status;
	unsigned line;        /* 0 when status is INI_OK */
	struct ini_span text; /* the offending text, when there is one */
	unsigned char byte;   /* the offending byte for INI_ERR_CONTROL */
};

/*
 * Called once per section header and once per key = value line, in file
 * order.  Return true to go on, false to stop (ini_parse() then returns
 * INI_STOPPED).  The event and its spans are valid during the call only.
 */
typedef bool (*ini_handler)(const struct ini_event *ev, void *ctx);

/*
 * Tokenize the len bytes at buf, calling handler(ev, ctx) for each header
 * and key.  Returns INI_OK when the whole buffer was read, INI_STOPPED when
 * the handler asked to stop, or a syntax error status.  When err is not
 * NULL it is filled in on every return.  Events before a syntax error have
 * already been delivered.  Allocates nothing.
 */
enum ini_status ini_parse(const char *buf, size_t len, ini_handler handler, void *ctx,
			  struct ini_error *err) SAWT_MUST_CHECK;

/*
 * A short lowercase description of a status ("missing \"]\" in section
 * header"), a static string.
 */
const char *ini_status_name(enum ini_status status);

#endif
