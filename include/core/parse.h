/*
 * parse.h - the observer message language (DESIGN.md section 4, v1).
 *
 * parse_message() turns one SMS or USSD text (UTF-8) into a struct
 * parse_msg: the form (open, turnout, close, results, incident, help,
 * status, ack), the station and numbers, or an error with a stable
 * snake_case code and the position of the offending token.  It is a pure
 * function: no I/O, no allocation, no global state; it reads at most len
 * bytes and never more than PARSE_MAX_BYTES.  docs/protocol.md is the
 * description for people; docs/parse-json.md the JSON form (`sawt parse`).
 *
 * What it accepts, in short: a keyword first (an optional #PIN may come
 * before it or anywhere after it); tokens are case-insensitive and split by
 * white space and punctuation (, ، ; ؛ . - / : = * and others); digits may
 * be ASCII, Arabic-Indic, Eastern Arabic-Indic or full-width; Arabic is
 * normalised (tatweel and harakat dropped, أ إ آ -> ا, ى -> ي, ة -> ه);
 * O/o read as 0 and I/i/l/L as 1 inside a number; a label and its number
 * may be joined or apart (W190, W 190, W=190).
 *
 * Besides (issue 24), from the lexicon table in parse.c: labels written as
 * words in en/fr/ar ("voters", "femmes", "عدد الناخبين"), before or after
 * their number ("420 voters"), small words skipped in fixed places (before
 * the station, between figures, before an opening time), and keyword
 * synonyms ("PARTICIPATION", "الاقتراع").  Every number still belongs to
 * exactly one label; what could be read two ways is an error.
 *
 * Validation against the registry (does the station exist, women <= voters,
 * ...) is not done here.
 */
#ifndef SAWT_PARSE_H
#define SAWT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang.h"
#include "log.h"

#define PARSE_MAX_BYTES 1600      /* ten concatenated segments */
#define PARSE_MAX_COUNTS 32       /* result counts in one message */
#define PARSE_STATION_MAX 10      /* digits of a station code */
#define PARSE_NUMBER_MAX_DIGITS 9 /* any count, code or alert id */
#define PARSE_PIN_MIN 4           /* digits of a PIN */
#define PARSE_PIN_MAX 8
#define PARSE_CONTEST_MAX 16 /* bytes of a (normalised) contest code */

enum parse_form {
	PARSE_FORM_NONE = 0, /* no keyword recognised */
	PARSE_FORM_OPEN,
	PARSE_FORM_TURNOUT,
	PARSE_FORM_CLOSE,
	PARSE_FORM_RESULTS,
	PARSE_FORM_INCIDENT,
	PARSE_FORM_HELP,
	PARSE_FORM_STATUS,
	PARSE_FORM_ACK,
	PARSE_FORM_VERIFY,     /* a coordinator's VERIFY STATION [reason] */
	PARSE_FORM_QUARANTINE, /* a coordinator's QUAR STATION reason */
};
#define PARSE_FORM_COUNT 11

/* "open", "turnout", ...; "none" for PARSE_FORM_NONE. */
const char *parse_form_name(enum parse_form form);

/* Stable codes: the names below without the prefix, in lower case. */
enum parse_error {
	PARSE_OK = 0,
	PARSE_ERR_EMPTY_MESSAGE,    /* nothing but spaces and punctuation */
	PARSE_ERR_MESSAGE_TOO_LONG, /* over PARSE_MAX_BYTES */
	PARSE_ERR_INVALID_UTF8,
	PARSE_ERR_CONTROL_CHARACTER, /* C0/C1 control other than tab, CR, LF */
	PARSE_ERR_MISSING_KEYWORD,   /* starts with a number */
	PARSE_ERR_UNKNOWN_KEYWORD,
	PARSE_ERR_MISSING_STATION,
	PARSE_ERR_BAD_STATION,      /* not a number, or over 10 digits */
	PARSE_ERR_MISSING_NUMBER,   /* a label with no number after it */
	PARSE_ERR_BAD_NUMBER,       /* a label followed by something not a number */
	PARSE_ERR_NUMBER_TOO_LARGE, /* over 9 digits */
	PARSE_ERR_MISSING_FIELD,    /* a required label, code or id is absent */
	PARSE_ERR_DUPLICATE_FIELD,
	PARSE_ERR_MISSING_LABEL, /* a bare number where a label is needed */
	PARSE_ERR_UNKNOWN_LABEL, /* e.g. X190 */
	PARSE_ERR_UNEXPECTED_TOKEN,
	PARSE_ERR_BAD_TIME,
	PARSE_ERR_MALFORMED_PIN, /* # not followed by 4 to 8 digits */
	PARSE_ERR_TOO_MANY_COUNTS,
	PARSE_ERR_BAD_CONTEST,
};
#define PARSE_ERROR_COUNT 21

/*
 * The stable snake_case code of err: "ok", "empty_message",
 * "unknown_keyword", ...  Stored in the database and shown in JSON, so it
 * is a code (never changes), not a display name.
 */
const char *parse_error_code(enum parse_error err);

/* The field an error is about (missing_field, duplicate_field, ...). */
enum parse_field {
	PARSE_FIELD_NONE = 0,
	PARSE_FIELD_STATION,
	PARSE_FIELD_VOTERS,
	PARSE_FIELD_WOMEN,
	PARSE_FIELD_MEN,
	PARSE_FIELD_TOTAL,
	PARSE_FIELD_COUNTS,
	PARSE_FIELD_CODE,
	PARSE_FIELD_ALERT_ID,
	PARSE_FIELD_TIME,
	PARSE_FIELD_PIN,
	PARSE_FIELD_CONTEST,
};
#define PARSE_FIELD_COUNT 12

/* "station", "voters", ...; "none" for PARSE_FIELD_NONE. */
const char *parse_field_name(enum parse_field field);

/* A byte range of the input text. */
struct parse_span {
	uint16_t off;
	uint16_t len;
};

/* Bits of parse_msg.has */
#define PARSE_HAS_STATION (1u << 0)
#define PARSE_HAS_VOTERS (1u << 1)
#define PARSE_HAS_WOMEN (1u << 2)
#define PARSE_HAS_MEN (1u << 3)
#define PARSE_HAS_TOTAL (1u << 4)
#define PARSE_HAS_CODE (1u << 5)
#define PARSE_HAS_ALERT (1u << 6)
#define PARSE_HAS_TIME (1u << 7)
#define PARSE_HAS_PIN (1u << 8)
#define PARSE_HAS_CONTEST (1u << 9)
#define PARSE_HAS_TEXT (1u << 10)
#define PARSE_HAS_AREA (1u << 11)
#define PARSE_HAS_TOPIC (1u << 12)

/*
 * The result of parse_message().  Strings are NUL-terminated ASCII (the
 * contest code is normalised UTF-8).  text, area and ignored are byte
 * ranges of the caller's input: they are only meaningful while that input
 * is.  On failure, error is set, and form, lang and whatever was parsed
 * before the error (station, ...) are kept.
 */
struct parse_msg {
	enum parse_error error;
	enum parse_field err_field; /* for missing/duplicate field and numbers */
	struct parse_span err_span; /* the offending token; len 0 at the end */
	uint16_t err_column;        /* 1-based character position; 0: none */

	enum parse_form form;
	enum lang lang;        /* from the keyword, the script, or fallback */
	enum parse_form topic; /* HELP <keyword> */
	uint32_t has;          /* PARSE_HAS_* */

	char station[PARSE_STATION_MAX + 1];
	char contest[PARSE_CONTEST_MAX + 1];
	char time[5]; /* HHMM */
	char pin[PARSE_PIN_MAX + 1];

	uint32_t voters, women, men;
	uint32_t total; /* results: the V total */
	uint32_t code;  /* incident code */
	uint32_t alert_id;
	uint32_t counts[PARSE_MAX_COUNTS];
	uint8_t n_counts;

	struct parse_span text;       /* incident free text, as typed */
	struct parse_span area;       /* status area, as typed */
	struct parse_span ignored[2]; /* a stray leading word; trailing words */
};

/*
 * Parse the len bytes at utf8 (need not be NUL-terminated) into *out.
 * fallback is the language reported when neither the keyword nor the
 * script decides it (the election default).  Returns true when the message
 * is well formed (out->error == PARSE_OK), false otherwise; *out is fully
 * written either way.
 */
bool parse_message(const char *utf8, size_t len, enum lang fallback,
		   struct parse_msg *out) SAWT_MUST_CHECK;

/*
 * Write a one-sentence English description of out's error (lowercase,
 * values quoted) into buf (cap bytes, always NUL-terminated when cap > 0),
 * quoting the offending token from input.  Returns the length the full
 * sentence has (like snprintf).  For a message without error: "ok".
 */
size_t parse_error_detail(const struct parse_msg *msg, const char *input, size_t len, char *buf,
			  size_t cap);

/* The women's share in percent, rounded: women * 100 / voters; -1 when
 * voters is 0 or women > voters. */
int parse_share_pct(uint32_t women, uint32_t voters);

#endif
