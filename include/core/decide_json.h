/*
 * decide_json.h - the record of a decided message as the store takes it:
 * one sawt.ingest_msg object (migrations/0005_pipeline.sql), written with
 * the helper layer's JSON writer.
 *
 * Members, each only when it applies: the inbound row (dkey, transport,
 * modem, sender, smsc, recv_ms, mp_ref/mp_part/mp_total, txt, cut, person,
 * in_state, in_error, no_reply, redo); the report (form, station, station_code,
 * verdict, error or flags, open_at, voters/women/men, counts, invalid,
 * blank, total, contest, incident, incident_text); the replies (recipient,
 * priority, reply, reply_resend, reply_decrease); the alert (alert_key,
 * alert_msg).
 */
#ifndef SAWT_DECIDE_JSON_H
#define SAWT_DECIDE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "decide.h"
#include "log.h"

/* Room always enough for the record of any message. */
#define DECIDE_JSON_MAX 32768

/*
 * Write the record of d, whose dedup key is dedup (64 hex digits), into
 * buf (cap bytes) as one NUL-terminated JSON object.  A record of
 * decide_failed() holds the inbound row alone, with in_error
 * internal_error.  Returns false when it does not fit in cap (buf then
 * holds an unspecified prefix).  Allocates nothing.
 */
bool decide_json(const struct decide_result *d, const char *dedup, char *buf,
		 size_t cap) SAWT_MUST_CHECK;

#endif
