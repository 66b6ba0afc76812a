/*
 * frame.h - the small framed messages between sawtd and its modem workers.
 *
 * Each modem worker process talks to sawtd over one socketpair (a byte
 * stream).  Every message is a frame:
 *
 *   byte 0     type (enum frame_type)
 *   byte 1     protocol version (FRAME_VERSION)
 *   bytes 2-3  payload length, big endian
 *   payload    the type's fixed fields, integers big endian, strings in
 *              fixed-size fields: NUL-terminated, zero-padded
 *
 * Each type has exactly one payload length, so a frame's shape is checked
 * before any of it is used: a known type, the right version, the exact
 * length for the type, every string NUL-terminated and valid UTF-8, every
 * enum in range, inbound records accepted by inbound_valid().  A frame that
 * fails is a protocol error: the reader stops trusting the stream (sawtd
 * kills and restarts the worker; a worker exits).
 *
 * Pure functions over caller buffers: no allocation, no I/O.
 */
#ifndef SAWT_FRAME_H
#define SAWT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbound.h"
#include "log.h"

#define FRAME_VERSION 1
#define FRAME_HEADER 4
#define FRAME_MAX 4096 /* header included; every type fits */

#define FRAME_NAME_MAX 64 /* manufacturer, model, operator name */
#define FRAME_IMEI_MAX 32
#define FRAME_OPCODE_MAX 16 /* "415 01" */
#define FRAME_ERROR_MAX 128
#define FRAME_BALANCE_MAX 512
#define FRAME_NUMBER_MAX 33             /* a destination or recipient number */
#define FRAME_TEXT_MAX INBOUND_TEXT_MAX /* bytes of UTF-8 in an outgoing text */

enum frame_type {
	/* worker -> sawtd */
	FRAME_HELLO = 1,    /* the device is open */
	FRAME_INBOUND = 2,  /* a received message; ACK it when durable */
	FRAME_HEALTH = 3,   /* periodic state report (also the heartbeat) */
	FRAME_SENT = 4,     /* outcome of a SEND */
	FRAME_BALANCE = 5,  /* answer to the airtime balance USSD request */
	FRAME_DELIVERY = 6, /* a delivery report for a sent message */
	FRAME_HELD = 7,     /* how many refused messages wait on the device */
	/* sawtd -> worker */
	FRAME_ACK = 16,      /* the INBOUND with this token is durable: delete it */
	FRAME_SEND = 17,     /* send a text */
	FRAME_SHUTDOWN = 18, /* finish and exit */
	FRAME_RELEASE = 19,  /* the INBOUND with this token could not be made
			      * durable: keep it and offer it again later */
	FRAME_RESCAN = 20,   /* sawtd can take messages again: offer what was
			      * refused now */
};

#define FRAME_HELD_MAX 1000000 /* more than any device holds */

/* The worker's own view of its device, reported in HEALTH. */
enum frame_worker_state {
	FRAME_WS_CONNECTING = 0, /* opening the device */
	FRAME_WS_READY = 1,      /* open and registered on a network */
	FRAME_WS_NO_NETWORK = 2, /* open, not registered */
	FRAME_WS_FAILED = 3,     /* could not open or lost the device; exiting */
};

/* Network registration, as the modem reports it. */
enum frame_net {
	FRAME_NET_UNKNOWN = 0,
	FRAME_NET_HOME = 1,
	FRAME_NET_ROAMING = 2,
	FRAME_NET_SEARCHING = 3,
	FRAME_NET_NONE = 4,
	FRAME_NET_DENIED = 5,
};

/* Outcome carried by a delivery report (GSM 03.40 TP-Status, simplified). */
enum frame_delivery {
	FRAME_DLR_DELIVERED = 0,
	FRAME_DLR_PENDING = 1, /* temporary error, the SMSC keeps trying */
	FRAME_DLR_FAILED = 2,  /* the SMSC gave up */
	FRAME_DLR_UNKNOWN = 3,
};

struct frame_hello {
	uint32_t generation; /* given by sawtd at fork */
	uint32_t pid;
	char manufacturer[FRAME_NAME_MAX];
	char model[FRAME_NAME_MAX];
	char imei[FRAME_IMEI_MAX];
};

struct frame_inbound {
	uint64_t token; /* generation << 32 | sequence */
	struct inbound in;
};

struct frame_health {
	uint8_t state;            /* enum frame_worker_state */
	uint8_t net;              /* enum frame_net */
	int8_t signal_percent;    /* 0..100, -1 unknown */
	int16_t signal_dbm;       /* e.g. -73; 0 unknown */
	int64_t last_activity_ms; /* Unix ms of the last SMS in or out; 0 none */
	char operator_code[FRAME_OPCODE_MAX];
	char operator_name[FRAME_NAME_MAX];
	char error[FRAME_ERROR_MAX]; /* last device error, "" none */
};

struct frame_sent {
	uint64_t outbox_id;
	bool ok;
	uint8_t parts;               /* SMS parts sent */
	int16_t reference;           /* TP-MR of the first part, -1 unknown */
	char error[FRAME_ERROR_MAX]; /* "" when ok */
};

struct frame_balance {
	bool ok;
	char text[FRAME_BALANCE_MAX]; /* the network's answer, or the error */
};

struct frame_delivery_report {
	int16_t reference; /* TP-MR of the sent part */
	uint8_t status;    /* enum frame_delivery */
	uint8_t tp_status; /* raw TP-Status */
	char recipient[FRAME_NUMBER_MAX];
};

struct frame_ack {
	uint64_t token;
};

/* RELEASE: sawtd refused the INBOUND with this token (neither committed
 * nor spooled).  The worker leaves it on the device and offers it again
 * after a backoff, or at once on RESCAN. */
struct frame_release {
	uint64_t token;
};

/* HELD: messages the worker offered, sawtd refused and that are still on
 * the device (or, for messages the modem routed straight to the worker,
 * in its memory) waiting to be offered again; 0..FRAME_HELD_MAX.  Sent
 * whenever the number changes. */
struct frame_held {
	uint32_t messages;
};

struct frame_send {
	uint64_t outbox_id;
	uint16_t text_len;
	char to[FRAME_NUMBER_MAX];
	char text[FRAME_TEXT_MAX + 1];
};

struct frame {
	enum frame_type type;
	union {
		struct frame_hello hello;
		struct frame_inbound inbound;
		struct frame_health health;
		struct frame_sent sent;
		struct frame_balance balance;
		struct frame_delivery_report delivery;
		struct frame_ack ack;
		struct frame_send send;
		struct frame_release release;
		struct frame_held held;
	} u;
};

enum frame_result {
	FRAME_OK = 0,
	FRAME_INCOMPLETE, /* need more bytes; nothing consumed */
	FRAME_BAD_TYPE,
	FRAME_BAD_VERSION,
	FRAME_BAD_LENGTH, /* wrong payload length for the type */
	FRAME_BAD_FIELD,  /* a field out of range or a malformed string */
};

/* A short lowercase description, e.g. "unknown frame type". */
const char *frame_result_name(enum frame_result r);

/* "hello", "inbound", ...; "unknown" for anything else. */
const char *frame_type_name(int type);

/* True for the types a worker sends (HELLO ... HELD). */
bool frame_from_worker(enum frame_type type);

/* Names for logs and the modems table: "ready", "home", "delivered". */
const char *frame_worker_state_name(int state);
const char *frame_net_name(int net);
const char *frame_delivery_name(int status);

/*
 * Decode the first frame of buf (len bytes, e.g. what a socket delivered so
 * far) into *out and set *used to its size.  Returns FRAME_INCOMPLETE (and
 * *used 0) while the frame is not all there yet, FRAME_OK when *out holds a
 * shape-checked frame, or an error: the stream is then unusable.  A header
 * that is already wrong is reported without waiting for the payload.
 */
enum frame_result frame_decode(const uint8_t *buf, size_t len, struct frame *out,
			       size_t *used) SAWT_MUST_CHECK;

/*
 * Encode f into buf (cap bytes).  Returns the frame's size, or 0 when cap is
 * too small or f would not pass frame_decode()'s checks (so a sender never
 * puts a malformed frame on the wire).
 */
size_t frame_encode(const struct frame *f, uint8_t *buf, size_t cap) SAWT_MUST_CHECK;

/* The exact payload length of a type; -1 for an unknown type. */
int frame_payload_len(int type);

/*
 * Copy the NUL-terminated UTF-8 string src into a fixed field dst of cap
 * bytes, cutting it at a character boundary when it does not fit, so the
 * result always passes the frame checks (invalid UTF-8 is cut at the first
 * bad byte).
 */
void frame_copy_str(char *dst, size_t cap, const char *src);

/* A phone number a SEND may carry: an optional "+" and 1 to 20 digits. */
bool frame_number_ok(const char *s) SAWT_MUST_CHECK;

#endif
