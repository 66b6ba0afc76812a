/*
 * reply.h - what sawt answers an observer or coordinator, in ar, en, fr.
 *
 * One enum lists every outcome that gets a reply: confirmations, help,
 * coordinator answers, the validation rejections of DESIGN.md section 4 and
 * one entry per parse error.  Each has a stable snake_case code (shared with
 * the database and metrics) and, in each language, a template rendered from
 * a struct reply_args into a caller buffer.  Rendering allocates nothing.
 *
 * Every reply fits one SMS segment (160 GSM 7-bit septets, or 70 UCS-2
 * units when the text needs UCS-2).  A template may have a shorter fallback
 * used when the main text does not fit with the values at hand (a long
 * list of counts, an Arabic word echoed in an English reply, ...); the unit
 * tests render every entry with worst-case values and check that the result
 * is one segment, and that typical values do not need the fallback.
 *
 * Templates: {name} is replaced by a value; {?name:text} keeps text only
 * when name is present, {!name:text} only when it is absent.  Names: station contest time voters
 * women men share total counts n sum code alert token area field example expected registered
 * minutes reported stations turnout women_pct incidents.
 */
#ifndef SAWT_REPLY_H
#define SAWT_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gsm7.h"
#include "lang.h"
#include "log.h"
#include "parse.h"

enum reply_kind {
	/* accepted */
	REPLY_ACCEPTED_OPEN = 0,
	REPLY_ACCEPTED_TURNOUT,
	REPLY_ACCEPTED_CLOSE,
	REPLY_ACCEPTED_RESULTS,
	REPLY_ACCEPTED_INCIDENT,
	REPLY_IDENTICAL_RESEND,   /* acknowledged again, not counted twice */
	REPLY_CORRECTION_FLAGGED, /* cumulative turnout went down */
	/* help */
	REPLY_HELP,
	REPLY_HELP_OPEN,
	REPLY_HELP_TURNOUT,
	REPLY_HELP_CLOSE,
	REPLY_HELP_RESULTS,
	REPLY_HELP_INCIDENT,
	REPLY_HELP_STATUS,
	REPLY_HELP_ACK,
	REPLY_HELP_REVIEW, /* VERIFY and QUAR */
	REPLY_THANKS,      /* an observer's "ok" or "thanks": a courtesy, not an error */
	/* coordinators */
	REPLY_STATUS,
	REPLY_STATUS_UNKNOWN_AREA,
	REPLY_ACK,
	REPLY_ACK_UNKNOWN_ALERT,
	REPLY_NOT_COORDINATOR,
	REPLY_REVIEW_VERIFIED,    /* VERIFY: the station's waiting reports verified */
	REPLY_REVIEW_QUARANTINED, /* QUAR: its newest counted report quarantined */
	REPLY_REVIEW_NOTHING,     /* nothing to verify, or nothing counted to quarantine */
	REPLY_REVIEW_NOT_YOURS,   /* the station is not in the coordinator's areas */
	REPLY_REVIEW_NO_REASON,   /* QUAR without a reason */
	/* rejected by validation */
	REPLY_UNKNOWN_SENDER,
	REPLY_STATION_UNKNOWN,
	REPLY_STATION_NOT_ASSIGNED,
	REPLY_PIN_REQUIRED,
	REPLY_BAD_PIN,
	REPLY_PIN_LOCKED,
	REPLY_WOMEN_EXCEED_VOTERS,
	REPLY_SUM_MISMATCH, /* men + women != voters */
	REPLY_VOTERS_EXCEED_REGISTERED,
	REPLY_WOMEN_EXCEED_REGISTERED_WOMEN,
	REPLY_WRONG_COUNT_NUMBER,
	REPLY_COUNTS_TOTAL_MISMATCH,
	REPLY_RESULTS_EXCEED_REGISTERED,
	REPLY_UNKNOWN_INCIDENT_CODE,
	REPLY_MEN_EXCEED_VOTERS,     /* M > V when W is not given */
	REPLY_CONTEST_REQUIRED,      /* results, several contests, none named */
	REPLY_CONTEST_NOT_ON_BALLOT, /* the contest named is not at the station */
	REPLY_NO_CONTEST,            /* no contest registered for the station */
	REPLY_OUTSIDE_WINDOW,        /* a checklist sent outside its form's hours */
	/* rejected by the parser: same order as enum parse_error */
	REPLY_EMPTY_MESSAGE,
	REPLY_MESSAGE_TOO_LONG,
	REPLY_INVALID_UTF8,
	REPLY_CONTROL_CHARACTER,
	REPLY_MISSING_KEYWORD,
	REPLY_UNKNOWN_KEYWORD,
	REPLY_MISSING_STATION,
	REPLY_BAD_STATION,
	REPLY_MISSING_NUMBER,
	REPLY_BAD_NUMBER,
	REPLY_NUMBER_TOO_LARGE,
	REPLY_MISSING_FIELD,
	REPLY_DUPLICATE_FIELD,
	REPLY_MISSING_LABEL,
	REPLY_UNKNOWN_LABEL,
	REPLY_UNEXPECTED_TOKEN,
	REPLY_BAD_TIME,
	REPLY_MALFORMED_PIN,
	REPLY_TOO_MANY_COUNTS,
	REPLY_BAD_CONTEST,
};
#define REPLY_KIND_COUNT (REPLY_BAD_CONTEST + 1)

/* Room for any rendered reply, NUL included. */
#define REPLY_MAX 512

/* How many code points of an echoed token and area a reply shows. */
#define REPLY_TOKEN_CHARS 12
#define REPLY_AREA_CHARS 20

/*
 * The values a template may use.  Strings may be NULL (absent).  Numbers
 * voters, women, men and total are present when the PARSE_HAS_* bit is set
 * in has; the others are used only by the kinds that need them.
 */
struct reply_args {
	enum parse_form form;   /* picks the example; NONE: turnout */
	enum parse_field field; /* the field an error is about */
	uint32_t has;           /* PARSE_HAS_VOTERS/WOMEN/MEN/TOTAL */
	const char *station;    /* NUL-terminated */
	const char *contest;    /* NUL-terminated */
	const char *time;       /* "HHMM" */
	const char *token;      /* the offending token, token_len bytes */
	size_t token_len;
	const char *area; /* area_len bytes */
	size_t area_len;
	const uint32_t *counts;
	size_t n_counts;
	uint32_t voters, women, men, total;
	uint32_t code; /* incident code */
	uint32_t alert_id;
	uint32_t sum;                /* women + men, or the sum of the counts */
	uint32_t expected;           /* wrong_count_number: counts the contest has */
	uint32_t registered;         /* the registered figure that was exceeded */
	uint32_t minutes;            /* PIN lock time */
	uint32_t reported, stations; /* status: stations reported / in the area */
	uint32_t turnout_pct, women_pct, incidents;
};

/* Details of a rendering, for tests and metrics. */
struct reply_info {
	bool fallback; /* the shorter template was used */
	struct gsm7_size size;
};

/*
 * The stable code of a kind ("accepted_turnout", "bad_pin", ...), stored
 * in the database with each reply and rejection: a code, not a display name.
 */
const char *reply_kind_code(enum reply_kind kind);

/* The kind with code code; false when there is none. */
bool reply_kind_from_code(const char *code, enum reply_kind *out) SAWT_MUST_CHECK;

/* The reply kind for a parse error (err must not be PARSE_OK). */
enum reply_kind reply_kind_for_error(enum parse_error err);

/*
 * The reply to a parsed message before any validation: its parse error, or
 * the confirmation of its form, or help.  Returns false for STATUS and ACK,
 * whose answers need the database.
 */
bool reply_kind_for_msg(const struct parse_msg *msg, enum reply_kind *out) SAWT_MUST_CHECK;

/*
 * Fill *a from a parse result and the message text it was parsed from
 * (kept by pointer: input must outlive *a).  sum becomes the sum of the
 * counts for results, women + men otherwise.
 */
void reply_args_from_msg(struct reply_args *a, const struct parse_msg *msg, const char *input,
			 size_t len);

/*
 * The language to answer in: the registered one when known (registered is
 * an enum lang, or -1 for unknown), else the one the parser found (from
 * the keyword, the script, or the election default).
 */
enum lang reply_lang(int registered, const struct parse_msg *msg);

/*
 * Render the reply of kind in lang into buf (cap bytes, REPLY_MAX is always
 * enough) and NUL-terminate it.  Returns its length in bytes, or -1 when it
 * does not fit in cap.  info, when not NULL, receives details.
 */
int reply_render(enum reply_kind kind, enum lang lang, const struct reply_args *a, char *buf,
		 size_t cap, struct reply_info *info) SAWT_MUST_CHECK;

/*
 * The example message of form in lang that the replies show ("T 1021 V420
 * W190"), with station (NULL: 1021) as its station, into buf (cap bytes),
 * NUL-terminated.  Returns its length, or -1 when it does not fit in cap.
 * PARSE_FORM_NONE gives the turnout example.
 */
int reply_example(enum lang lang, enum parse_form form, const char *station, char *buf,
		  size_t cap) SAWT_MUST_CHECK;

/* The raw template (fallback: the shorter one, NULL when there is none). */
const char *reply_template(enum reply_kind kind, enum lang lang, bool fallback);

#endif
