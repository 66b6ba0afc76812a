/*
 * store_dlr.h - Kannel's delivery reports recorded on their outbox rows
 * (migrations/0014_kannel.sql), on the daemon's loop.
 *
 * A report is about the row it names only while that row's current
 * attempt went through Kannel (via = 'kannel'; a claim clears via, so a
 * report of an earlier attempt finds nothing).  It sets dlr_status,
 * dlr_at and dlr_detail, and moves the row forward, never back:
 *
 *   delivered (1)                 -> delivered, delivered_at
 *   failed (2), smsc_rejected (16) -> failed, error "kannel: delivery failed ..."
 *   smsc_queued (4, 32),          -> sent (from queued, sending or failed:
 *   smsc_accepted (8)                Kannel had it), else unchanged
 *
 * A row whose last report was final (delivered, failed, smsc_rejected)
 * keeps it: later reports of the same message are ignored.
 */
#ifndef SAWT_STORE_DLR_H
#define SAWT_STORE_DLR_H

#include <stdbool.h>

#include "db.h"
#include "kannel_proto.h"
#include "log.h"

enum store_dlr_result {
	STORE_DLR_RECORDED, /* the row took the report */
	STORE_DLR_NO_ROW,   /* no row of that id whose attempt went through Kannel */
	STORE_DLR_FAILED,   /* the database failed; nothing is known */
};

/*
 * The outcome of store_dlr_record(): state is the row's state afterwards
 * ("delivered", "sent", ...; "" unless recorded), error the database's
 * message ("" unless failed).  Both are valid during the call only.
 */
typedef void (*store_dlr_fn)(enum store_dlr_result r, const char *state, const char *error,
			     void *arg);

/*
 * Record report d over db (not owned; the daemon's connection) and call
 * done(arg) once with the outcome.  False (done not called) only when the
 * query could not be queued (out of memory, or d->status unknown).
 */
bool store_dlr_record(struct db *db, const struct kannel_dlr *d, store_dlr_fn done,
		      void *arg) SAWT_MUST_CHECK;

#endif
