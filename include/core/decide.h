/*
 * decide.h - what one inbound message is and what it does (DESIGN.md
 * sections 3 and 4), decided in memory before anything is stored.
 *
 * decide_message() takes the inbound record, the registry snapshot and its
 * clock, the sender state, the settings and the time, and fills a struct
 * decide_result: whether the message is processed or only recorded (and
 * why it gets no reply), the parse result, the validation verdict (outcome,
 * flags, error code), the reply texts and their language and priority, the
 * tally it updates and the alert it raises.  decide_json.h writes that
 * result as the record the store commits (sawt.ingest_msg).
 *
 * Pure: no I/O, no clock of its own, no allocation but the sender table's
 * entry for a new sender.  It changes what it is given to change: the
 * sender's rate and PIN state (sender.h) and the PIN memo of the
 * registry snapshot (regsnap_pin_check()).
 *
 * Sender checks (section 3), in order; the first that holds records the
 * message without processing or answering it:
 *   1. non_phone_sender: letters, a short code of at most 6 digits, or
 *      anything phone_normalize() refuses;
 *   2. own_number: one of sawt's own numbers (a reply would loop);
 *   3. rate_limited: more than rate_max messages within rate_window_s
 *      seconds; the message that starts the mute raises one sender_flood
 *      alert (its key holds the sender and the UTC day).
 * Then the message is parsed and validated (validate.h), with the PIN lock
 * rules: a wrong PIN counts towards the lock and the third one is answered
 * pin_locked; a right PIN forgets the wrong ones.  A report that is not
 * rejected but misses parts of its multipart message is flagged
 * missing_parts.  STATUS and ACK from a coordinator are answered elsewhere
 * (state DECIDE_RECEIVED, no reply here).
 *
 * Reprocessing (c->redo, an operator's `sawt reprocess` of a message stored
 * before without being processed): the message is decided as above, by its
 * own send time, but it was counted for its sender's rate when it came and
 * it is no answer to anything now: it counts neither for the rate nor for
 * the PIN lock (nor does a lock in force now refuse it), raises no alert,
 * and gets no reply (no_reply reprocessed).
 *
 * A message that came by USSD (a report the observer confirmed in the
 * menu, or the record of an unknown caller) is answered on the session's
 * screen: it gets no SMS reply (no_reply ussd) unless [ussd] sms_reply.
 *
 * Replies are rendered in the observer's registered language, else the
 * language the parser found (reply_lang()).  A report that is not rejected
 * also gets its identical-resend reply and, for turnout and close, its
 * correction-flagged reply: the store picks one of them when it finds the
 * report is a resend or a decrease.
 */
#ifndef SAWT_DECIDE_H
#define SAWT_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist_parse.h"
#include "config.h"
#include "inbound.h"
#include "log.h"
#include "parse.h"
#include "regsnap.h"
#include "reply.h"
#include "sender.h"
#include "validate.h"

/* What becomes of the inbound row (its state column). */
enum decide_state {
	DECIDE_PROCESSED = 0, /* decided here: report, reply */
	DECIDE_IGNORED,       /* recorded only; see no_reply */
	DECIDE_RECEIVED,      /* STATUS or ACK: answered by command.c */
	DECIDE_FAILED,        /* could not be stored as decided (decide_failed()) */
};

/* Why a message gets no reply (its no_reply_reason column). */
enum decide_no_reply {
	DECIDE_REPLY = 0,             /* it may be answered */
	DECIDE_NO_REPLY_NON_PHONE,    /* "non_phone_sender" */
	DECIDE_NO_REPLY_OWN_NUMBER,   /* "own_number" */
	DECIDE_NO_REPLY_RATE_LIMITED, /* "rate_limited" */
	DECIDE_NO_REPLY_UNKNOWN,      /* "unknown_sender": answered once an hour at most */
	DECIDE_NO_REPLY_REPROCESSED,  /* "reprocessed": decided again, long after it came */
	DECIDE_NO_REPLY_USSD,         /* "ussd": answered on the USSD session's screen */
};

/* Reply priorities in the outbox: lower goes first. */
enum decide_priority {
	DECIDE_PRIORITY_NONE = 0,    /* no reply */
	DECIDE_PRIORITY_ERROR = 1,   /* a rejection */
	DECIDE_PRIORITY_CONFIRM = 2, /* a confirmation */
	DECIDE_PRIORITY_HELP = 3,
};

#define DECIDE_TALLY_KEY_MAX 48
#define DECIDE_ALERT_KEY_MAX 96
#define DECIDE_ALERT_TEXT_MAX 256

/* What sawtd is configured with; read only. */
struct decide_settings {
	const char *country_code; /* for phone_normalize(); may be NULL */
	const char *const *own;   /* sawt's own numbers, E.164 */
	size_t n_own;
	enum lang default_lang;                  /* the parser's fallback */
	struct sender_rules rules;               /* rate limit and mute */
	enum config_unknown_reply unknown_reply; /* [election] unknown_sender_reply */
	bool ussd_sms_reply; /* [ussd] sms_reply: a USSD report gets its SMS reply too */
};

/* The state and time the message is decided against. */
struct decide_context {
	struct regsnap *snap; /* finished; its PIN memo is written */
	const struct validate_clock *clock;
	struct sender_table *senders; /* rate and PIN state, updated */
	int64_t mono_ms;              /* the senders' clock (util_mono_ms()) */
	int64_t wall_ms;              /* Unix milliseconds now */
	int64_t redo; /* reprocessing the stored inbound row redo; 0: a new message */
};

/* The sender_flood alert a message raises. */
struct decide_alert {
	bool raise;
	char key[DECIDE_ALERT_KEY_MAX]; /* once per sender and UTC day */
	char text[DECIDE_ALERT_TEXT_MAX];
};

struct decide_result {
	const struct inbound *in;        /* the message (not owned) */
	char sender[INBOUND_SENDER_MAX]; /* E.164, or as received */
	int64_t recv_ms;                 /* when received (Unix ms) */
	bool again;                      /* its sender sent this message before */
	int64_t redo;                    /* the inbound row reprocessed (c->redo); 0: none */
	int64_t sent_s; /* when it was sent (Unix s): the SMSC time when plausible, else receipt */
	enum decide_state state;
	enum decide_no_reply no_reply;
	bool parsed; /* msg and verdict are set */
	/* a checklist message (its first word names a form of the snapshot,
	 * checklist_decide.h): cl is its parse; msg holds only its station,
	 * PIN and language, for the sender, PIN and station checks */
	bool checklist;
	bool checklist_reply; /* the reply is checklist_reply()'s, not the catalogue's */
	struct checklist_msg cl;
	uint64_t cl_missing; /* required questions of its form still unanswered */
	const struct checklist_form *help_form; /* HELP CODE: the form named */
	struct parse_msg msg;
	struct validate_result verdict; /* outcome, reply kind, flags, registry rows */
	bool missing_parts;             /* a flag of its own: parts never came */
	uint32_t minutes;               /* PIN lock minutes the reply gives */
	/* the replies; "" when none */
	enum lang lang;
	enum decide_priority priority;
	char body[REPLY_MAX];        /* the answer to this message */
	char resend[REPLY_MAX];      /* if the store finds an identical resend */
	char decrease[REPLY_MAX];    /* if it finds cumulative turnout went down */
	bool render_failed;          /* a reply did not render (a bug): left "" */
	enum reply_kind failed_kind; /* the first that did not */
	/* the tally an accepted report updates */
	int station_id;                       /* 0: none */
	char tally_key[DECIDE_TALLY_KEY_MAX]; /* "station/form/contest"; "" none */
	struct decide_alert alert;
};

/*
 * Decide the message in (which must outlive *out: out->in points to it)
 * with settings s in context c, and fill *out (always fully written).
 * Updates the sender state in c->senders (rate, wrong and right PINs) and
 * the snapshot's PIN memo; allocates only the entry of a sender seen for
 * the first time (when that fails the sender is decided without rate and
 * PIN state, as it was before).
 */
void decide_message(const struct decide_settings *s, const struct decide_context *c,
		    const struct inbound *in, struct decide_result *out);

/*
 * Fill *out as the record of a message that could not be stored as
 * decided: state DECIDE_FAILED, the sender as received, nothing else.
 * wall_ms is used when in has no receipt time.
 */
void decide_failed(const struct inbound *in, int64_t wall_ms, struct decide_result *out);

/* True when d carries a report form (open, turnout, close, results,
 * incident). */
bool decide_is_report(const struct decide_result *d);

/* "processed", "ignored", "received", "failed". */
const char *decide_state_name(enum decide_state state);

/* "non_phone_sender", "own_number", "rate_limited", "unknown_sender",
 * "reprocessed", "ussd"; NULL for DECIDE_REPLY. */
const char *decide_no_reply_code(enum decide_no_reply why);

#endif
