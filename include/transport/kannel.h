/*
 * kannel.h - outgoing SMS through Kannel's sendsms: an HTTP client in
 * sawtd's loop (libevent's evhttp) that hands one outbox row at a time to
 * Kannel's smsbox and reports what smsbox answered.
 *
 * The query of each request (kannel_proto.h) carries the account, the
 * text (GSM 7-bit as UTF-8, anything else as UCS-2), and, with [kannel]
 * dlr_url, a dlr-url that brings Kannel's delivery reports back to
 * sawt's /sms/dlr with the outbox id.  The query holds the password and
 * the secret: it is never logged.
 *
 * Requests go over a few keep-alive connections, at most
 * KANNEL_IN_FLIGHT_MAX at a time, each bounded by [kannel] timeout.
 * Every request accepted by kannel_send() is reported exactly once through
 * on_result, later, from the loop: accepted (2xx), rejected (this message
 * will never go), or unavailable (no answer, 5xx, or an answer that blames
 * the setup, such as "Authorization failed"); see kannel_answer_classify().
 *
 * Health: after an unavailable answer the sender is down for a backoff (1 s
 * doubling to a minute) and takes no rows; then it takes one as a probe,
 * and is up again as soon as Kannel answers anything else.  So an outage
 * costs one row one attempt per backoff, not every row all its attempts.
 *
 * Only http:// URLs: put smsbox next to sawtd or on a private network
 * (docs/kannel.md).
 */
#ifndef SAWT_KANNEL_H
#define SAWT_KANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "kannel_proto.h"
#include "log.h"

struct event_base;
struct kannel;

#define KANNEL_IN_FLIGHT_MAX 32 /* requests outstanding at once */
#define KANNEL_CONNS 4          /* keep-alive connections to smsbox */
#define KANNEL_BACKOFF_MIN_MS 1000
#define KANNEL_BACKOFF_MAX_MS 60000

enum kannel_state {
	KANNEL_STATE_UP,      /* taking rows */
	KANNEL_STATE_DOWN,    /* waiting out the backoff after a failure */
	KANNEL_STATE_PROBING, /* one row in flight to see if Kannel is back */
};

/*
 * The outcome of one kannel_send(): what the answer means (kannel_proto.h)
 * and a one-line account of it ("kannel: 202 0: Accepted for delivery",
 * "kannel: no answer (connection refused)"); text is valid during the
 * call only.
 */
typedef void (*kannel_result_fn)(uint64_t id, enum kannel_answer answer, const char *text,
				 void *arg);

/* Counters and state, for /healthz and /metrics. */
struct kannel_status {
	enum kannel_state state;
	unsigned in_flight;
	uint64_t accepted;
	uint64_t rejected;
	uint64_t unavailable;
	int64_t last_accepted_ms;                /* Unix ms of the last 2xx; 0 never */
	char last_error[KANNEL_ANSWER_TEXT_MAX]; /* "" none yet */
};

/*
 * The sender for cfg's [kannel] section (read now; cfg may be freed
 * afterwards), reporting to on_result(arg).  NULL with err empty when
 * [kannel] url is not set; NULL with a message in err when the URL's host
 * cannot be used or memory ran out.  No connection is made until the
 * first send.
 */
struct kannel *kannel_new(struct event_base *base, const struct config *cfg,
			  kannel_result_fn on_result, void *arg, char *err,
			  size_t errlen) SAWT_MUST_CHECK;

/*
 * Hand outbox row id (text, UTF-8, to the number to) to Kannel.  True:
 * on_result will be called once, later, from the loop; a row that cannot
 * be written as a sendsms query (a recipient that is not a number,
 * invalid UTF-8) is reported rejected without a request ("kannel: not
 * sent: ...").  False, and no call: the sender has no room (kannel_room()
 * is 0) or memory ran out.
 */
bool kannel_send(struct kannel *k, uint64_t id, const char *to, const char *text) SAWT_MUST_CHECK;

/* How many more rows kannel_send() would take now (0 while down). */
unsigned kannel_room(const struct kannel *k);

/* Requests sent whose answer has not come yet. */
unsigned kannel_in_flight(const struct kannel *k);

/* "up", "down" or "probing". */
const char *kannel_state_name(enum kannel_state st);

/* Copy the state and counters into *out. */
void kannel_get_status(const struct kannel *k, struct kannel_status *out);

/*
 * Close the connections and free; NULL is a no-op.  Requests still in
 * flight are dropped without a call to on_result (their rows stay in
 * sending until the outbox's stuck-row rule queues them again).
 */
void kannel_free(struct kannel *k);

#endif
