/*
 * inbound.h - the one record every transport produces for a received
 * message (GSM modem, HTTP aggregator, USSD), and its dedup key.
 *
 * A record is small, fixed-size and self-contained (no pointers), so it can
 * be queued, written to the spool and sent between processes as is.  Text
 * is always UTF-8, whatever the message's coding on the air.
 */
#ifndef SAWT_INBOUND_H
#define SAWT_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define INBOUND_SOURCE_MAX 33 /* modem name or "http", NUL included */
#define INBOUND_SENDER_MAX 33 /* as received: "+9613123456", "MTC" */
#define INBOUND_TEXT_MAX 2048 /* bytes of UTF-8, NUL not included */
#define INBOUND_DEDUP_HEX 65  /* 64 hex digits + NUL */

enum inbound_transport {
	INBOUND_GSM = 1,
	INBOUND_HTTP = 2,
	INBOUND_USSD = 3,
};

struct inbound {
	uint8_t transport;      /* enum inbound_transport */
	uint8_t concat_parts;   /* parts of a multipart message, 0/1 single */
	uint8_t concat_missing; /* parts that never arrived (processed anyway) */
	uint8_t reserved;
	uint16_t concat_ref;             /* multipart reference, 0 single */
	uint16_t text_len;               /* bytes used in text */
	int64_t smsc_time;               /* SMSC timestamp, Unix seconds UTC; 0 unknown */
	int64_t received_ms;             /* when sawt got it, Unix milliseconds */
	char source[INBOUND_SOURCE_MAX]; /* NUL-terminated */
	char sender[INBOUND_SENDER_MAX]; /* NUL-terminated */
	char text[INBOUND_TEXT_MAX + 1]; /* UTF-8, NUL-terminated */
	char dedup[INBOUND_DEDUP_HEX];   /* inbound_dedup_key() */
};

/*
 * Compute in->dedup: hex SHA-256 over sender, SMSC timestamp, multipart
 * reference and part count, and text.  Redelivery of the same message from
 * the same source (a modem that did not get to delete it, a replayed spool,
 * an aggregator retrying) gives the same key.
 */
void inbound_dedup_key(struct inbound *in);

/*
 * Check that a record is well formed: known transport, NUL-terminated
 * strings, text_len matching the text, valid UTF-8.  Used on every record
 * that crosses a process or file boundary.
 */
bool inbound_valid(const struct inbound *in) SAWT_MUST_CHECK;

/*
 * The name of a transport as stored (sawt.inbound_messages.transport) and
 * in metrics: "modem" (INBOUND_GSM and anything unknown), "http", "ussd".
 */
const char *inbound_transport_name(uint8_t transport);

#endif
