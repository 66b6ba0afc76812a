/*
 * ussd.h - one USSD request from an aggregator, whatever its convention,
 * as the menu (ussd_menu.h) reads it.
 *
 * A convention is an adapter that fills a struct ussd_request: the session
 * id, the caller's phone, what the request is (the session starts, the
 * caller answered, the session was released or timed out) and every input
 * of the session so far, oldest first.  The menu replays those inputs from
 * the start at each request, so an adapter whose convention gives only the
 * latest input (Hubtel: Type and Message) must add it to the inputs the
 * daemon kept for the session; Africa's Talking gives them all in `text`,
 * joined by '*', and its adapter is ussd_at_decode().
 *
 *   sessionId=ATUid_1&serviceCode=*384*12#&phoneNumber=+96176123456
 *     &networkCode=41501&text=1*300*120
 *   -> session "ATUid_1", phone "+96176123456", RESPONSE, inputs "1" "300" "120"
 *
 * Pure and allocation-free: the request holds copies (fixed sizes), the
 * inputs are byte ranges of its text.
 */
#ifndef SAWT_USSD_H
#define SAWT_USSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbound.h"
#include "log.h"

#define USSD_SESSION_MAX 64 /* bytes of a session id, NUL not included */
#define USSD_SERVICE_MAX 32 /* bytes of a service code such as *384*12# */
#define USSD_TEXT_MAX 512   /* bytes of the joined inputs */
#define USSD_INPUTS_MAX 48  /* inputs in one session */
#define USSD_INPUT_MAX 160  /* bytes of one input */

/* What a request is. */
enum ussd_kind {
	USSD_INITIATION = 0, /* the caller dialled the code: no input yet */
	USSD_RESPONSE,       /* the caller answered a screen */
	USSD_RELEASE,        /* the caller or network ended the session */
	USSD_TIMEOUT,        /* the network gave up waiting for the caller */
};

struct ussd_input {
	uint16_t off; /* in ussd_request.text */
	uint16_t len;
};

struct ussd_request {
	enum ussd_kind kind;
	char session[USSD_SESSION_MAX + 1]; /* NUL-terminated, printable ASCII */
	char phone[INBOUND_SENDER_MAX];     /* as received (inbound_sender_clean()) */
	char service[USSD_SERVICE_MAX + 1]; /* "" when not given */
	char text[USSD_TEXT_MAX + 1];       /* the inputs, joined by '*' */
	size_t text_len;
	struct ussd_input inputs[USSD_INPUTS_MAX];
	size_t n_inputs;
};

/* Why a request is refused (400); USSD_OK when it is not. */
enum ussd_error {
	USSD_OK = 0,
	USSD_ERR_BAD_ESCAPE,  /* a '%' not followed by two hexadecimal digits */
	USSD_ERR_NO_SESSION,  /* sessionId missing or empty */
	USSD_ERR_BAD_SESSION, /* sessionId too long or not printable ASCII */
	USSD_ERR_NO_PHONE,    /* phoneNumber missing or empty */
	USSD_ERR_DUPLICATE,   /* a field given twice */
	USSD_ERR_TOO_LONG,    /* text, one input or the service code too long */
	USSD_ERR_TOO_MANY,    /* more than USSD_INPUTS_MAX inputs */
	USSD_ERR_BAD_TEXT,    /* text not UTF-8, or with a control character */
	USSD_ERR_BAD_JSON,    /* Hubtel: not a JSON object */
	USSD_ERR_BAD_TYPE,    /* Hubtel: Type missing or unknown */
};
#define USSD_ERROR_COUNT 11

/* A stable snake_case code for metrics: "bad_escape", "no_session", ... */
const char *ussd_error_code(enum ussd_error e);

/*
 * Africa's Talking: decode the form fields of a callback (the URL's query
 * string and, for a POST, an application/x-www-form-urlencoded body; either
 * may be NULL with length 0) into *out.  Fields: sessionId, phoneNumber,
 * serviceCode, networkCode (ignored), text.  An empty text is the
 * initiation; any other is a response whose inputs are text split at '*'
 * (an empty input between two '*' is kept).  Unknown fields are ignored
 * (the secret is checked before, by the server).  On error, why (cap bytes)
 * says which field and why, lowercase, values never quoted (they may hold a
 * PIN).
 */
enum ussd_error ussd_at_decode(const char *query, size_t query_len, const char *body,
			       size_t body_len, struct ussd_request *out, char *why,
			       size_t cap) SAWT_MUST_CHECK;

/*
 * Split r->text (text_len bytes) at '*' into r->inputs.  An empty text has
 * no input.  USSD_ERR_TOO_MANY or USSD_ERR_TOO_LONG (one input over
 * USSD_INPUT_MAX) when it cannot be read; the adapters call it.
 */
enum ussd_error ussd_split(struct ussd_request *r) SAWT_MUST_CHECK;

/*
 * Hubtel: decode a JSON callback ({"SessionId": ..., "Mobile": ...,
 * "Type": "Initiation" | "Response" | "Release" | "Timeout", "Message":
 * ..., "ServiceCode": ...}) into *out.  Hubtel sends only the latest
 * input: out->text is that Message (for a response; empty for the other
 * types, whose Message is the code dialled) and out has no inputs; the
 * daemon appends it to the inputs it keeps for the session
 * (ussd_append()) before running the menu.
 */
enum ussd_error ussd_hubtel_decode(const char *body, size_t len, struct ussd_request *out,
				   char *why, size_t cap) SAWT_MUST_CHECK;

/*
 * Append the n bytes at s as r's next input (kept whole even when it holds
 * a '*'; r->text gets it after a '*' separator).  USSD_ERR_TOO_MANY,
 * USSD_ERR_TOO_LONG (the input or the text) or USSD_ERR_BAD_TEXT.
 */
enum ussd_error ussd_append(struct ussd_request *r, const char *s, size_t n) SAWT_MUST_CHECK;

/* True when input i of r is exactly the n bytes at s. */
bool ussd_input_is(const struct ussd_request *r, size_t i, const char *s, size_t n);

#endif
