/*
 * kannel_proto.h - Kannel's HTTP interface in sawt's terms, pure: the
 * sendsms query that hands one outbox row to Kannel's smsbox, what
 * smsbox's answer means for that row, and the delivery report Kannel
 * fetches back from sawt's /sms/dlr.  The HTTP client that uses them is
 * src/transport/kannel.c; docs/kannel.md describes the setup.
 *
 * sendsms (Kannel user guide, "SMS Push (send-sms) CGI Variables"):
 *
 *   username, password  a sendsms-user of smsbox
 *   to                  the recipient ("+96171123456"; '+' escaped as %2B,
 *                       since a bare '+' reads as a space, which separates
 *                       receivers)
 *   text, coding, charset
 *                       a text that the GSM 7-bit alphabet holds goes as
 *                       coding=0 charset=UTF-8 with the UTF-8 bytes; any
 *                       other (Arabic) as coding=2 charset=UTF-16BE with
 *                       the UTF-16 big-endian bytes, which Kannel sends as
 *                       UCS-2 unchanged
 *   from, smsc          [kannel] sender and smsc, when set
 *   dlr-mask, dlr-url   when [kannel] dlr_url is set: the reports wanted,
 *                       and the URL Kannel fetches for each, with the
 *                       outbox id and Kannel's escapes:
 *                         http://sawt:SECRET@HOST/sms/dlr?id=42&status=%d&reply=%A
 *
 * Every value is percent-escaped: letters, digits and "-._~" stay, every
 * other byte becomes %XX.
 *
 * Pure functions over caller buffers: no allocation, no I/O.
 */
#ifndef SAWT_KANNEL_PROTO_H
#define SAWT_KANNEL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

/* Kannel's delivery report types (%d in a dlr-url, bits of dlr-mask). */
#define KANNEL_DLR_DELIVERED 1      /* delivered to the phone */
#define KANNEL_DLR_UNDELIVERED 2    /* not delivered to the phone */
#define KANNEL_DLR_BUFFERED 4       /* queued on the SMSC */
#define KANNEL_DLR_SMSC_ACCEPTED 8  /* the SMSC took it */
#define KANNEL_DLR_SMSC_REJECTED 16 /* the SMSC refused it */
#define KANNEL_DLR_INTERMEDIATE 32  /* an intermediate report (SMPP) */
#define KANNEL_DLR_MASK_ALL 63

/* The dlr-mask when [kannel] dlr_mask is not set: the final reports and
 * the SMSC's acceptance or refusal (1 + 2 + 8 + 16). */
#define KANNEL_DLR_MASK_DEFAULT 27

/* The user name sawt writes before the secret in the dlr-url. */
#define KANNEL_DLR_USER "sawt"

/* Room for Kannel's %A (the SMSC's reply) as recorded, NUL included. */
#define KANNEL_DLR_REPLY_MAX 161

/* Room for a one-line account of Kannel's answer, NUL included. */
#define KANNEL_ANSWER_TEXT_MAX 161

/* What the sendsms query of one message needs; strings are not copied. */
struct kannel_sendsms {
	const char *username; /* a sendsms-user of smsbox, required */
	const char *password; /* its password, required */
	const char *sender;   /* from; NULL or "": smsbox's default */
	const char *smsc;     /* smsc; NULL or "": Kannel's routing */
	const char *dlr_url;  /* sawt's /sms/dlr as Kannel reaches it; NULL: no reports */
	const char *secret;   /* [http] secret: the dlr-url's Basic-auth password */
	int dlr_mask;         /* 1..63, with dlr_url */
};

enum kannel_query_status {
	KANNEL_QUERY_OK,
	KANNEL_QUERY_BAD_TEXT,      /* the text is not valid UTF-8 */
	KANNEL_QUERY_BAD_RECIPIENT, /* not 3 to 20 digits with an optional '+' */
	KANNEL_QUERY_BAD_DLR_URL,   /* dlr_url not accepted by kannel_dlr_url_check() */
	KANNEL_QUERY_NO_SPACE,      /* the query does not fit the buffer */
};

/* A short lowercase description of a query status, for logs. */
const char *kannel_query_status_name(enum kannel_query_status st);

/*
 * Write the sendsms query string (without the '?') for outbox row id:
 * text (text_len bytes of UTF-8) to the number to, with m's account and
 * options, into out (cap bytes, NUL-terminated); its length goes to
 * *outlen.  KANNEL_QUERY_OK, or why not (out then holds nothing useful).
 * A buffer of 6 * text_len + 2048 bytes always has room when the
 * strings of m are of configuration size (each under 256 bytes).
 */
enum kannel_query_status kannel_sendsms_query(const struct kannel_sendsms *m, uint64_t id,
					      const char *to, const char *text, size_t text_len,
					      char *out, size_t cap,
					      size_t *outlen) SAWT_MUST_CHECK;

/*
 * True when url can be the base of a dlr-url: "http://" or "https://",
 * then a host (and port, path) of printable ASCII without user
 * information ('@' before the path), query ('?'), fragment ('#'),
 * spaces or '%'.  sawt writes the user and the secret into it itself.
 */
bool kannel_dlr_url_check(const char *url);

/*
 * True when secret can be written into a URL for Kannel as it is: 1 to
 * 128 letters, digits, '-', '.', '_' or '~'.  Kannel takes the
 * password of "http://user:password@host" literally (no escapes), up to
 * the first '@', so nothing else is safe there.
 */
bool kannel_secret_check(const char *secret);

/* What smsbox's answer to a sendsms request means for the row. */
enum kannel_answer {
	KANNEL_ANSWER_ACCEPTED,    /* 2xx: "0: Accepted for delivery", "3: Queued ..." */
	KANNEL_ANSWER_REJECTED,    /* this message will never go: failed at once */
	KANNEL_ANSWER_UNAVAILABLE, /* Kannel (or its setup) is at fault: try again later */
};

/*
 * Classify smsbox's answer: HTTP status (0 when there was no answer:
 * connection refused, timed out, closed) and body (len bytes, may be
 * NULL).
 *   2xx                              accepted
 *   5xx, no answer                   unavailable
 *   403 "Authorization failed ...",  unavailable: sawt's account or URL is
 *   404, 405, 407                    wrong, which says nothing about the
 *                                    message; retried while the operator
 *                                    mends the configuration
 *   408, 429                         unavailable
 *   other 4xx (400 a field refused,  rejected
 *   403 "Not routable. Do not try
 *   again.", 413, ...), 1xx, 3xx
 */
enum kannel_answer kannel_answer_classify(int status, const char *body, size_t len);

/* "accepted", "rejected" or "unavailable". */
const char *kannel_answer_name(enum kannel_answer a);

/*
 * A one-line account of the answer for logs and the outbox row's error
 * column: "kannel: 403 Not routable. Do not try again." or "kannel: no
 * answer (why)" when status is 0 (why may be NULL).  The body's first
 * line only, control characters and invalid UTF-8 as '?', cut at a
 * character to fit out (cap bytes; KANNEL_ANSWER_TEXT_MAX is plenty).
 */
void kannel_answer_text(int status, const char *body, size_t len, const char *why, char *out,
			size_t cap);

/* A delivery report, as Kannel fetches sawt's dlr-url. */
struct kannel_dlr {
	uint64_t id;                      /* the outbox row */
	int status;                       /* one of KANNEL_DLR_* */
	char reply[KANNEL_DLR_REPLY_MAX]; /* %A, "" when absent; printable UTF-8 */
};

enum kannel_dlr_error {
	KANNEL_DLR_OK,
	KANNEL_DLR_NO_ID,      /* "id" missing or empty */
	KANNEL_DLR_BAD_ID,     /* not a decimal number from 1 to 2^63 - 1 */
	KANNEL_DLR_NO_STATUS,  /* "status" missing or empty */
	KANNEL_DLR_BAD_STATUS, /* not one of 1, 2, 4, 8, 16, 32 */
	KANNEL_DLR_BAD_ESCAPE, /* '%' not followed by two hexadecimal digits */
	KANNEL_DLR_DUPLICATE,  /* a field given twice */
	KANNEL_DLR_ERROR_COUNT,
};

/*
 * Decode the query string of a /sms/dlr request (len bytes, without the
 * '?'): id, status and, optionally, reply (cut at a character to fit,
 * control characters and invalid UTF-8 as '?').  Other fields are
 * ignored.  On an error *out is left zeroed.
 */
enum kannel_dlr_error kannel_dlr_parse(const char *query, size_t len,
				       struct kannel_dlr *out) SAWT_MUST_CHECK;

/* The one-line reason for a 400: "missing parameter \"id\"", ... */
const char *kannel_dlr_error_text(enum kannel_dlr_error e);

/*
 * What a report type means for the row, as recorded in sawt.outbox's
 * dlr_status: "delivered" (1), "failed" (2), "smsc_queued" (4, 32),
 * "smsc_accepted" (8), "smsc_rejected" (16); NULL for any other value.
 */
const char *kannel_dlr_status_name(int status);

/* True for the reports that end a row: delivered, failed, smsc_rejected. */
bool kannel_dlr_final(int status);

#endif
