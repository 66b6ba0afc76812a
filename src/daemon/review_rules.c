/*
 * review_rules.c - [quarantine] into sawt.quarantine_rules; see
 * review_rules.h.
 */
#include "review_rules.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

/* $1 election, $2/$3 tolerances in percent (NULL: off), $4 unbound_sender. */
static const char apply_sql[] =
	"SELECT sawt.quarantine_configure($1, $2::numeric / 100, $3::numeric / 100, $4::boolean)";

static void applied_cb(const struct db_result *res, void *arg)
{
	(void)arg;
	if (!db_result_ok(res)) {
		log_error("could not apply the [quarantine] rules: %s", db_result_error(res));
		return;
	}
	log_info("quarantine rules: %s", db_result_value(res, 0, 0));
}

/* A tolerance as text for the query; NULL when the rule is off. */
static const char *tolerance(int pct, char *buf, size_t n)
{
	if (pct == CONFIG_QUARANTINE_OFF)
		return NULL;
	snprintf(buf, n, "%d", pct);
	return buf;
}

bool review_rules_apply(struct db *db, const struct config *cfg)
{
	const struct config_quarantine *q = &cfg->quarantine;
	char turnout[16], results[16];
	const char *p[4];

	if (!q->present)
		return true;
	p[0] = config_election(cfg);
	p[1] = tolerance(q->turnout_over_registered, turnout, sizeof(turnout));
	p[2] = tolerance(q->results_sum, results, sizeof(results));
	p[3] = q->unbound_sender ? "true" : "false";
	return db_query(db, apply_sql, 4, p, applied_cb, NULL);
}
