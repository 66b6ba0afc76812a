/*
 * modem.h - sawtd's side of the GSM modems: one worker process per modem,
 * supervised from the event loop.
 *
 * modem_mgr_start() forks one worker (modem_worker.h) per [modem NAME]
 * section, or one for Gammu's dummy phone in STATE_DIR/dummy when there is
 * none.  Each worker talks over a socketpair with the frames of frame.h,
 * read here with a bufferevent; a malformed frame kills the worker.
 *
 * Supervision: a worker that exits, crashes, or sends nothing (HEALTH is its
 * heartbeat) for hang_ms is killed if need be and restarted after a backoff
 * that doubles from backoff_min_ms to backoff_max_ms, and falls back to
 * the minimum once a worker has stayed up for backoff_max_ms.  The other
 * modems and the daemon carry on.  Children are reaped with waitpid() on
 * their own pids only (a SIGCHLD event and a timer), so other children of
 * sawtd are left alone.
 *
 * Received messages: on_inbound() hands over each record with a token.
 * The message stays on the modem until modem_mgr_ack() with that token,
 * which the daemon calls once the message is durable (committed or
 * spooled).  A worker restarted before the ack reports the message again
 * (same dedup key, new token); an ack with a token of an earlier worker is
 * refused.  When the daemon could not make a message durable it calls
 * modem_mgr_release(): the message stays on the modem and the worker
 * offers it again after a backoff, or at once after modem_mgr_rescan();
 * each modem's status says how many such messages it holds.
 *
 * Sending: modem_mgr_send() queues a text on one modem; on_sent() reports
 * the outcome exactly once per accepted send, also when the worker dies
 * first (then as MODEM_SEND_LOST: whether it went out is unknown).
 *
 * Health: modem_mgr_status() and on_status() give each modem's state,
 * network, operator, signal, last activity and balance, for the
 * sawt.modems table and /metrics.
 *
 * Only modem_worker.c includes <gammu.h>; this module does not.
 */
#ifndef SAWT_MODEM_H
#define SAWT_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "frame.h"
#include "inbound.h"
#include "log.h"

struct event_base;
struct modem_mgr;

#define MODEM_NAME_BUF 33
#define MODEM_SENDS_MAX 64 /* sends queued on one worker at a time */

enum modem_state {
	MODEM_STATE_DOWN = 0,   /* no worker; waiting out the backoff */
	MODEM_STATE_STARTING,   /* worker started, device not open yet */
	MODEM_STATE_READY,      /* device open, registered on a network */
	MODEM_STATE_NO_NETWORK, /* device open, not registered */
	MODEM_STATE_STOPPING,   /* modem_mgr_stop() called, worker finishing */
	MODEM_STATE_STOPPED,    /* no worker, none will be started */
};

/* What became of one send. */
enum modem_send_outcome {
	MODEM_SEND_OK = 0, /* the modem handed it to the SMSC */
	MODEM_SEND_FAILED, /* the modem refused it; error says why */
	MODEM_SEND_LOST,   /* the worker died first: it may or may not have left */
};

/* Everything known about one modem.  Strings are UTF-8, "" when unknown. */
struct modem_status {
	char name[MODEM_NAME_BUF];
	char number[FRAME_NUMBER_MAX]; /* the SIM's own number (config), "" unknown */
	enum modem_state state;
	enum frame_net net;
	int signal_percent; /* 0..100, -1 unknown */
	int signal_dbm;     /* e.g. -73, 0 unknown */
	char operator_code[FRAME_OPCODE_MAX];
	char operator_name[FRAME_NAME_MAX];
	char manufacturer[FRAME_NAME_MAX];
	char model[FRAME_NAME_MAX];
	char imei[FRAME_IMEI_MAX];
	char last_error[FRAME_ERROR_MAX];
	char balance[FRAME_BALANCE_MAX]; /* last answer to balance_ussd */
	bool balance_ok;
	int64_t balance_ms;       /* when it came, Unix ms; 0 never */
	int64_t last_activity_ms; /* last message in or out, Unix ms; 0 none */
	int64_t last_report_ms;   /* last frame from the worker, Unix ms */
	int64_t started_ms;       /* current worker started, Unix ms; 0 none */
	unsigned restarts;        /* workers started after the first */
	pid_t pid;                /* current worker, 0 none */
	bool send;                /* configured for outgoing SMS */
	bool receive;             /* configured for incoming SMS */
	unsigned sends_queued;    /* sends accepted, not yet reported */
	uint64_t received;        /* records handed to on_inbound */
	uint64_t sent;            /* sends reported ok */
	uint64_t send_failed;     /* sends reported failed */
	unsigned held;            /* messages refused by sawtd, still on the modem
				   * and to be offered again (the worker's HELD) */
};

struct modem_callbacks {
	/* A received message; in is valid during the call only.  Call
	 * modem_mgr_ack(mgr, modem, token) once it is durable. */
	void (*on_inbound)(const struct inbound *in, const char *modem, uint64_t token, void *arg);
	/* Outcome of a modem_mgr_send(): parts is the number of SMS parts
	 * that went out, reference the first part's message reference (-1
	 * unknown; delivery reports carry it), error is "" when sent. */
	void (*on_sent)(const char *modem, uint64_t outbox_id, enum modem_send_outcome outcome,
			int parts, int reference, const char *error, void *arg);
	/* Any change of a modem's status (state, periodic health, balance). */
	void (*on_status)(const struct modem_status *st, void *arg);
	/* A delivery report for a message sent with the given reference
	 * (optional). */
	void (*on_delivery)(const char *modem, int reference, enum frame_delivery status,
			    const char *recipient, void *arg);
	void *arg;
};

struct modem_options {
	int poll_ms;         /* inbox poll without notification (2000) */
	int concat_wait_ms;  /* wait for missing multipart parts (60000) */
	int health_ms;       /* health report interval (30000) */
	int hang_ms;         /* silence that means a hung worker (180000) */
	int ack_timeout_ms;  /* report an unacknowledged message again (600000) */
	int send_timeout_ms; /* network answer to one part (60000) */
	int ussd_timeout_ms; /* answer to the balance request (30000) */
	int backoff_min_ms;  /* first restart delay (1000) */
	int backoff_max_ms;  /* longest restart delay (60000) */
	int stop_timeout_ms; /* SHUTDOWN grace before SIGKILL (10000) */
	int reoffer_min_ms;  /* first wait before a refused message is offered
			      * again (1000) */
	int reoffer_max_ms;  /* longest such wait (60000) */
};

/* Fill o with the defaults given above. */
void modem_options_init(struct modem_options *o);

/* "down", "starting", "ready", "no_network", "stopping", "stopped". */
const char *modem_state_name(enum modem_state state);

/*
 * The default modem when the configuration has none: Gammu's dummy phone,
 * name "dummy", model dummy, connection none, device STATE_DIR/dummy (a
 * folder; see dummy_inbox.h), sending and receiving.  Returns NULL when out
 * of memory; free with modem_config_free().
 */
struct config_modem *modem_config_dummy(const char *state_dir) SAWT_MUST_CHECK;

/* A deep copy of m; NULL when out of memory. */
struct config_modem *modem_config_dup(const struct config_modem *m) SAWT_MUST_CHECK;

/* Free a config_modem made by the two functions above; NULL is a no-op. */
void modem_config_free(struct config_modem *m);

/*
 * Create the manager for cfg's modems (copied: cfg may be freed or
 * reloaded afterwards) with opts (NULL: the defaults) and the callbacks in
 * cb (copied; any of them may be NULL).  Nothing is started yet.  Returns
 * NULL when out of memory.
 */
struct modem_mgr *modem_mgr_new(struct event_base *base, const struct config *cfg,
				const struct modem_options *opts,
				const struct modem_callbacks *cb) SAWT_MUST_CHECK;

/*
 * Start one worker per modem.  For a dummy-phone modem the folder and its
 * sms/1..5 are created first.  Returns false with a message in err when
 * the manager cannot run at all (a dummy folder that cannot be created,
 * no event); a worker that fails to start is only logged and retried.
 */
bool modem_mgr_start(struct modem_mgr *mgr, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Apply the modem sections of cfg (a reloaded configuration) to the
 * running manager, matching modems by name: a new section gets a worker at
 * once; a section that is gone has its worker asked to finish (as
 * modem_mgr_stop() does for all) and its modem leaves the manager once the
 * worker has exited, after a last on_status() in MODEM_STATE_STOPPED; a
 * section with any key changed has its worker finish and a new one started
 * at once with the new section; an unchanged section's worker is left
 * alone.  Messages a finishing worker had handed over but not had
 * acknowledged stay on the modem (offered again by the next worker of that
 * name); its queued sends are reported MODEM_SEND_LOST, as when a worker
 * dies.  A modem whose dummy-phone folder cannot be made is not added (an
 * error is logged).  Does nothing once modem_mgr_stop() has been called or
 * before modem_mgr_start().
 */
void modem_mgr_reconfigure(struct modem_mgr *mgr, const struct config *cfg);

/*
 * The message with this token is durable: tell the worker to delete it
 * from the modem.  Returns false when the modem is unknown or its worker
 * is not the one that issued the token (it was restarted: the message will
 * be reported again) or is gone.
 */
bool modem_mgr_ack(struct modem_mgr *mgr, const char *modem, uint64_t token) SAWT_MUST_CHECK;

/*
 * The message with this token could not be made durable (neither committed
 * nor spooled): tell the worker to leave it on the modem and offer it
 * again later (after reoffer_min_ms, doubling up to reoffer_max_ms while
 * refusals go on).  Returns false like modem_mgr_ack(); the message is then
 * offered again anyway (after the ack timeout, or by the next worker).
 */
bool modem_mgr_release(struct modem_mgr *mgr, const char *modem, uint64_t token) SAWT_MUST_CHECK;

/*
 * The daemon can take messages again (the database is back, the spool has
 * room): every worker offers the messages it holds at once, and starts its
 * backoff again from reoffer_min_ms.
 */
void modem_mgr_rescan(struct modem_mgr *mgr);

/* Messages held on all modems: the sum of their status' held. */
size_t modem_mgr_held(const struct modem_mgr *mgr);

/*
 * Queue text (UTF-8, at most FRAME_TEXT_MAX bytes) to number to (digits
 * with an optional "+") on modem.  Returns false, and on_sent is not
 * called, when the modem is unknown, not configured to send, not ready
 * (state other than MODEM_STATE_READY), has MODEM_SENDS_MAX sends queued,
 * or the text or number is malformed.  Otherwise on_sent is called once,
 * later.
 */
bool modem_mgr_send(struct modem_mgr *mgr, const char *modem, uint64_t outbox_id, const char *to,
		    const char *text) SAWT_MUST_CHECK;

/* True when modem exists, is configured to send and is READY. */
bool modem_mgr_healthy(const struct modem_mgr *mgr, const char *modem);

/* Number of modems, and the status of the i-th (NULL when out of range)
 * or of the one named (NULL when unknown).  Valid until the next return to
 * the event loop. */
size_t modem_mgr_count(const struct modem_mgr *mgr);
const struct modem_status *modem_mgr_status_at(const struct modem_mgr *mgr, size_t i);
const struct modem_status *modem_mgr_status(const struct modem_mgr *mgr, const char *modem);

/*
 * Ask every worker to finish (SHUTDOWN), kill the ones still running after
 * stop_timeout_ms, and start none again.  Returns at once; sends still
 * queued are reported failed as their workers exit.
 */
void modem_mgr_stop(struct modem_mgr *mgr);

/* Number of worker processes still running (0 after a completed stop). */
size_t modem_mgr_running(const struct modem_mgr *mgr);

/*
 * Free the manager: workers still running are killed (SIGKILL) and
 * reaped, queued sends are dropped without callbacks.  NULL is a no-op.
 * Call it from outside the callbacks.
 */
void modem_mgr_free(struct modem_mgr *mgr);

#endif
