/*
 * modem_report.h - recording each modem's status in sawt.modems, and the
 * node's spool in sawt.nodes.
 *
 * One row per (node, modem), upserted when the state changes, at most once
 * a second while messages come and go, and every MODEM_REPORT_MIN_SEC
 * otherwise, so `sawt status` and analysts see network, operator, signal,
 * balance, counters, messages held and last activity.  The node's row
 * (spool depth and free space, messages refused and held on the modems)
 * follows the same rule.
 */
#ifndef SAWT_MODEM_REPORT_H
#define SAWT_MODEM_REPORT_H

#include "log.h"

#define MODEM_REPORT_MIN_SEC 10

struct db;
struct modem_status;
struct modem_report;
struct intake_stats;

/* db is not owned; node is copied.  NULL when out of memory. */
struct modem_report *modem_report_new(struct db *db, const char *node) SAWT_MUST_CHECK;

/* Free; NULL is a no-op. */
void modem_report_free(struct modem_report *mr);

/* Record st (throttled as above; state changes always go through). */
void modem_report_status(struct modem_report *mr, const struct modem_status *st);

/* Record the node's spool and held messages from st (throttled as above). */
void modem_report_node(struct modem_report *mr, const struct intake_stats *st);

#endif
