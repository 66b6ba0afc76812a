/*
 * modem_worker.h - the modem worker process: one per modem, driving
 * libgammu.
 *
 * libgammu blocks, so each modem gets its own child process (forked by
 * modem.c) that owns the GSM_StateMachine and talks to sawtd over a
 * socketpair with the frames of frame.h.  The worker
 *
 *   - opens the device (the modem section's gammurc keys, handed to libgammu
 *     as a [gammu] section) and says HELLO;
 *   - picks up received messages: at once when the modem announces one
 *     (incoming-SMS notification), else by polling; for the dummy phone a
 *     change of its inbox folder is the announcement;
 *   - converts each message at once into a struct inbound (UTF-8 text,
 *     sender, SMSC time as Unix seconds, dedup key) and sends it with a
 *     token; the parts of a multipart message are held (their text only)
 *     until all have arrived or the wait runs out, then sent as one record
 *     with concat_missing saying how many never came;
 *   - deletes a message from the modem (every part) only when sawtd ACKs its
 *     token, i.e. when the message is durable.  A message sawtd RELEASEs
 *     (it could be neither committed nor spooled) stays on the modem and is
 *     offered again after a backoff (reoffer_min_ms, doubling up to
 *     reoffer_max_ms, back to the minimum once a message is acknowledged),
 *     or at once when sawtd says RESCAN; the number of such messages is
 *     reported in HELD frames.  A message that is never acknowledged is
 *     reported again after the ack timeout, and after a restart, because it
 *     is still on the SIM; the dedup key is the same;
 *   - sends texts (multipart and UCS-2 as needed, delivery report
 *     requested) and answers SENT; forwards delivery reports;
 *   - reports HEALTH (network, operator, signal, last activity) regularly:
 *     that is also its heartbeat; checks the airtime balance by USSD.
 *
 * It exits when sawtd says SHUTDOWN or closes the socket, and with an
 * error when the device cannot be opened or is lost (sawtd restarts it).
 * Only this module includes <gammu.h>.
 */
#ifndef SAWT_MODEM_WORKER_H
#define SAWT_MODEM_WORKER_H

#include <stdint.h>

#include "config.h"
#include "log.h"

/* Exit codes of a worker process. */
enum modem_worker_exit {
	MODEM_WORKER_EXIT_OK = 0,       /* SHUTDOWN, or sawtd went away */
	MODEM_WORKER_EXIT_DEVICE = 1,   /* could not open or lost the device */
	MODEM_WORKER_EXIT_PROTOCOL = 2, /* a malformed frame from sawtd */
	MODEM_WORKER_EXIT_NOMEM = 3,
};

struct modem_worker_opts {
	uint32_t generation; /* high half of every token (set by sawtd) */
	int poll_ms;         /* inbox poll interval without notification */
	int concat_wait_ms;  /* how long to wait for missing multipart parts */
	int health_ms;       /* HEALTH interval (the heartbeat) */
	int ack_timeout_ms;  /* report an unacknowledged message again after */
	int send_timeout_ms; /* wait for the network's answer to one part */
	int ussd_timeout_ms; /* wait for the answer to the balance request */
	int reoffer_min_ms;  /* first wait before offering a refused message again */
	int reoffer_max_ms;  /* longest such wait */
};

/*
 * Run the worker for modem mc on the connected socket fd until told to stop.
 * Blocks; returns an enum modem_worker_exit for the process's exit status.
 * Logs with the ident "modem:NAME".  Called in the child right after fork;
 * it does not return before the device is closed.
 */
int modem_worker_main(const struct config_modem *mc, int fd,
		      const struct modem_worker_opts *opts) SAWT_MUST_CHECK;

#endif
