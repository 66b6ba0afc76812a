/*
 * sms_inbound.h - the route /sms/inbound: an SMS delivered over HTTP by
 * Kannel or an aggregator (decoded by core/sms_http.c) is handed to the
 * intake like a modem's, and answered only once it is durable:
 *
 *   200, empty body   committed, or spooled with fsync (the database is
 *                     down): the client must not send it again (a retry
 *                     is harmless anyway: the dedup key counts it once)
 *   400, one line     the request is malformed; nothing is recorded
 *   503, Retry-After  neither committed nor spooled: send it again later
 *
 * The reply SMS is never in the HTTP answer: it leaves through the outbox
 * like every reply (so Kannel, with omit-empty = true, sends nothing back
 * by itself).
 */
#ifndef SAWT_SMS_INBOUND_H
#define SAWT_SMS_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_server.h"
#include "intake.h"
#include "log.h"
#include "sms_http.h"

struct sms_inbound;

/* Called after a message is committed (replies may be waiting). */
typedef void (*sms_inbound_committed_fn)(void *arg);

struct sms_inbound_stats {
	uint64_t committed;                      /* answered 200 after the commit */
	uint64_t spooled;                        /* answered 200 after the spool's fsync */
	uint64_t failed;                         /* answered 503 */
	uint64_t rejected[SMS_HTTP_ERROR_COUNT]; /* answered 400, by reason */
	size_t pending;                          /* waiting for the intake now */
};

/*
 * A handler over intake (not owned); committed(arg) is called after each
 * commit.  NULL when out of memory.
 */
struct sms_inbound *sms_inbound_new(struct intake *intake, sms_inbound_committed_fn committed,
				    void *arg) SAWT_MUST_CHECK;

/* Serve /sms/inbound on srv (secret required).  False if it could not. */
bool sms_inbound_route(struct sms_inbound *si, struct http_server *srv) SAWT_MUST_CHECK;

void sms_inbound_stats(const struct sms_inbound *si, struct sms_inbound_stats *out);

/*
 * Free; NULL is a no-op.  Messages still with the intake stay there
 * (they are durable or failed as usual) but are no longer answered: call
 * it before http_server_free(), which frees the requests.
 */
void sms_inbound_free(struct sms_inbound *si);

#endif
