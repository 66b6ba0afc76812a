/*
 * sms_dlr.h - the route /sms/dlr: Kannel's delivery reports for replies
 * sent through its sendsms (src/transport/kannel.c writes the dlr-url
 * http://sawt:SECRET@HOST/sms/dlr?id=OUTBOX_ID&status=%d&reply=%A).  The
 * secret is required.  Each report is decoded (core/kannel_proto.c) and
 * recorded on its outbox row (store/store_dlr.c), then answered:
 *
 *   200 "delivered" (the row's state)  recorded
 *   400, one line                      malformed; nothing recorded
 *   404, one line                      no row of that id sent through Kannel
 *   503, one line                      the database is unavailable
 *
 * Kannel only logs what it gets back; a lost report leaves the row sent.
 */
#ifndef SAWT_SMS_DLR_H
#define SAWT_SMS_DLR_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "http_server.h"
#include "log.h"

struct sms_dlr;

struct sms_dlr_stats {
	uint64_t recorded;    /* answered 200 */
	uint64_t malformed;   /* answered 400 */
	uint64_t no_row;      /* answered 404 */
	uint64_t failed;      /* answered 503 */
	uint64_t delivered;   /* of recorded, reports of delivery */
	uint64_t undelivered; /* of recorded, reports of failure (2, 16) */
};

/* A handler over db (not owned).  NULL when out of memory. */
struct sms_dlr *sms_dlr_new(struct db *db) SAWT_MUST_CHECK;

/* Serve /sms/dlr on srv (secret required).  False if it could not. */
bool sms_dlr_route(struct sms_dlr *d, struct http_server *srv) SAWT_MUST_CHECK;

void sms_dlr_stats(const struct sms_dlr *d, struct sms_dlr_stats *out);

/* Free; NULL is a no-op.  Reports still with the database are no longer
 * answered: call it before http_server_free(). */
void sms_dlr_free(struct sms_dlr *d);

#endif
