/*
 * dummy_inbox.h - drop received messages into Gammu's dummy phone.
 *
 * With no [modem] section sawtd drives Gammu's dummy phone: a folder
 * (STATE_DIR/dummy by default) whose sms/1/ subfolder is the SIM inbox.
 * Each file there, named by its location (1 to 10000), holds one message in
 * Gammu's SMS backup format, an INI file:
 *
 *   [SMSBackup000]
 *   PDU = Deliver
 *   DateTime = 20250504T101530Z         the SMSC timestamp, UTC
 *   State = UnRead
 *   Number = "+96171123456"             required: the reader stops without it
 *   NumberUnicode = 002B0039...         the sender as UCS-2 hex (preferred)
 *   UDH = 050003AB0301                  multipart header (optional)
 *   Text00 = 00540020...                the text as UCS-2 hex, 200 digits a line
 *   Coding = Default_No_Compression     or Unicode_No_Compression
 *   Folder = 1
 *   Length = 16                         characters
 *
 * The text is stored decoded (as UCS-2) whatever the coding; the coding only
 * says how it travelled, chosen here like a phone would: GSM 7-bit when
 * every character is in the GSM alphabet, else UCS-2.  Gammu deletes the
 * file when sawtd deletes the message from the "SIM".
 *
 * Used by the tests and by "sawt simulate".  Plain file writing; this
 * module does not use libgammu.
 */
#ifndef SAWT_DUMMY_INBOX_H
#define SAWT_DUMMY_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define DUMMY_INBOX_ERR_MAX 512
#define DUMMY_INBOX_MAX_LOCATION 10000 /* the dummy driver's highest location */

/* One SMS as the network delivers it (one part of a multipart message). */
struct dummy_sms {
	const char *sender;  /* "+96171123456" or an alphanumeric "MTC" */
	const char *text;    /* UTF-8; must fit one SMS (one part) */
	int64_t smsc_time;   /* Unix seconds UTC; 0: now */
	uint16_t concat_ref; /* multipart reference (> 255 uses a 16-bit header) */
	uint8_t part;        /* 1-based part number; 0 for a single message */
	uint8_t parts;       /* number of parts; 0 for a single message */
};

/*
 * Write "STATE_DIR/dummy" into buf (n bytes) and return buf: the dummy
 * phone's folder when no modem is configured.
 */
const char *dummy_inbox_default_dir(const char *state_dir, char *buf, size_t n);

/*
 * Create the dummy phone's folder dir and its sms/1 ... sms/5 subfolders
 * (the driver creates them itself only when dir exists).  Existing folders
 * are fine.  On failure write a message into err and return false.
 */
bool dummy_inbox_prepare(const char *dir, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Write one SMS into dir's inbox (sms/1) at the lowest free location, the
 * way a SIM fills up: the file is written under a temporary name and then
 * linked to its final name, so the driver never sees a partial file and an
 * existing message is never replaced.  The location is stored in *location
 * when it is not NULL.  Returns false with a message in err when the SMS is
 * malformed (empty sender, invalid UTF-8, text longer than one part), the
 * inbox is full or a file cannot be written.
 */
bool dummy_inbox_write(const char *dir, const struct dummy_sms *sms, int *location, char *err,
		       size_t errlen) SAWT_MUST_CHECK;

/*
 * Write a whole text from sender as the network would deliver it: one SMS
 * when it fits, else consecutive parts (153 GSM 7-bit or 67 UCS-2 units
 * each, never splitting an escape or surrogate pair) with multipart
 * reference ref.  Returns the number of parts written, or 0 with a message
 * in err (parts written before a failure stay in the inbox).
 */
int dummy_inbox_write_text(const char *dir, const char *sender, const char *text, int64_t smsc_time,
			   uint16_t ref, char *err, size_t errlen) SAWT_MUST_CHECK;

/* What dummy_inbox_fix_sender() found. */
enum dummy_sender {
	DUMMY_SENDER_OK,      /* Gammu reads the sender as written */
	DUMMY_SENDER_FIXED,   /* it would not: out holds the file, the sender marked */
	DUMMY_SENDER_MISSING, /* no Number line (or out too small) */
};

struct strbuf;

/*
 * Look at the sender of one backup file (text, len bytes) the way Gammu's
 * reader takes it: NumberUnicode (UCS-2 hex) when the file has it, else
 * Number = "...", of which Gammu reads printable ASCII only (another byte
 * becomes U+0000 and cuts the number there: "+96171123<byte>456" would be
 * read as +96171123 and answered there).  A sender Gammu would not read
 * faithfully -- U+0000, a control character, a lone surrogate, bad hex, a
 * byte beyond ASCII, more than the 50 characters Gammu keeps -- is written
 * into out: the file again, with
 * Number = "?" and a NumberUnicode in which each such character is U+FFFD,
 * so the message is still read and recorded, and its sender, which
 * phone_normalize() refuses, gets no reply.  Allocates nothing.
 */
enum dummy_sender dummy_inbox_fix_sender(const char *text, size_t len, struct strbuf *out);

/*
 * dummy_inbox_fix_sender() on the file at path: when its sender had to be
 * marked the file is replaced (temporary file in its folder, renamed over
 * it) and *fixed is set.  False with a message in err when the file cannot
 * be read or written or has no sender.
 */
bool dummy_inbox_fix_file(const char *path, bool *fixed, char *err, size_t errlen) SAWT_MUST_CHECK;

/* Number of messages waiting in dir's inbox (sms/1); -1 when unreadable. */
int dummy_inbox_count(const char *dir);

#endif
