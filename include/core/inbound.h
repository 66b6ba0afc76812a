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

/* flags of a record */
#define INBOUND_TEXT_CUT 0x01 /* the text was longer than INBOUND_TEXT_MAX: cut there */
#define INBOUND_FLAGS_KNOWN INBOUND_TEXT_CUT

enum inbound_transport {
	INBOUND_GSM = 1,
	INBOUND_HTTP = 2,
	INBOUND_USSD = 3,
};

struct inbound {
	uint8_t transport;               /* enum inbound_transport */
	uint8_t concat_parts;            /* parts of a multipart message, 0/1 single */
	uint8_t concat_missing;          /* parts that never arrived (processed anyway) */
	uint8_t flags;                   /* INBOUND_TEXT_CUT */
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
 * Write the sender raw (UTF-8 as a transport read it) into out (cap
 * bytes, at least 4) so that a malformed one is never taken for another
 * number: a control character or a byte that is not UTF-8 becomes U+FFFD,
 * and a sender too long for out is cut at a character boundary and ends in
 * U+FFFD.  phone_normalize() refuses U+FFFD, so such a message is recorded
 * as from a sender that is not a phone number and not answered (a
 * truncated number would have been answered at the wrong number).  True
 * when raw was copied unchanged.
 */
bool inbound_sender_clean(const char *raw, char *out, size_t cap);

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
