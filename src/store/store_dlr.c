/*
 * store_dlr.c - Kannel's delivery reports on their outbox rows; see
 * store_dlr.h.
 */
#include "store_dlr.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * $1 id, $2 the report ("delivered", "failed", "smsc_queued",
 * "smsc_accepted", "smsc_rejected"), $3 the SMSC's reply ("" none).
 * o.closed: the row already had a final report, which stays.
 */
static const char dlr_sql[] =
	"WITH o AS (SELECT id, coalesce(dlr_status IN ('delivered', 'failed', 'smsc_rejected'),"
	" false) AS closed FROM sawt.outbox WHERE id = $1 AND via = 'kannel' FOR UPDATE)"
	" UPDATE sawt.outbox t SET"
	" state = CASE WHEN o.closed THEN t.state"
	"  WHEN $2 = 'delivered' THEN 'delivered'"
	"  WHEN $2 IN ('failed', 'smsc_rejected') THEN 'failed'"
	"  WHEN t.state IN ('queued', 'sending', 'failed') THEN 'sent'"
	"  ELSE t.state END,"
	" sent_at = CASE WHEN o.closed THEN t.sent_at ELSE coalesce(t.sent_at, now()) END,"
	" delivered_at = CASE WHEN NOT o.closed AND $2 = 'delivered' THEN now()"
	"  ELSE t.delivered_at END,"
	" error = CASE WHEN o.closed THEN t.error"
	"  WHEN $2 IN ('failed', 'smsc_rejected')"
	"   THEN 'kannel: delivery ' || $2 || coalesce(': ' || nullif($3, ''), '')"
	"  WHEN t.state IN ('queued', 'sending', 'failed') OR $2 = 'delivered' THEN NULL"
	"  ELSE t.error END,"
	" dlr_status = CASE WHEN o.closed THEN t.dlr_status ELSE $2 END,"
	" dlr_at = CASE WHEN o.closed THEN t.dlr_at ELSE now() END,"
	" dlr_detail = CASE WHEN o.closed THEN t.dlr_detail ELSE nullif($3, '') END"
	" FROM o WHERE t.id = o.id"
	" RETURNING t.state";

struct dlr_query {
	store_dlr_fn done;
	void *arg;
};

static void dlr_cb(const struct db_result *res, void *arg)
{
	struct dlr_query *q = arg;

	if (!db_result_ok(res))
		q->done(STORE_DLR_FAILED, "", db_result_error(res), q->arg);
	else if (db_result_rows(res) == 0)
		q->done(STORE_DLR_NO_ROW, "", "", q->arg);
	else
		q->done(STORE_DLR_RECORDED, db_result_value(res, 0, 0), "", q->arg);
	free(q);
}

bool store_dlr_record(struct db *db, const struct kannel_dlr *d, store_dlr_fn done, void *arg)
{
	const char *status = kannel_dlr_status_name(d->status);
	char id[24];
	const char *p[3] = { id, status, d->reply };
	struct dlr_query *q;

	if (status == NULL)
		return false;
	q = malloc(sizeof(*q));
	if (q == NULL)
		return false;
	q->done = done;
	q->arg = arg;
	snprintf(id, sizeof(id), "%" PRIu64, d->id);
	if (!db_query(db, dlr_sql, 3, p, dlr_cb, q)) {
		free(q);
		return false;
	}
	return true;
}
