/*
 * gateway.h - the message path of sawtd, assembled: modems and HTTP
 * (/sms/inbound) -> intake (commit or spool, then acknowledge) -> pipeline
 * -> PostgreSQL; outbox -> modems and/or Kannel's sendsms ([kannel]),
 * Kannel's delivery reports (/sms/dlr) -> the outbox rows; modem health
 * -> sawt.modems.
 *
 * sawtd.c owns the loop, the database connection and the lifecycle; this
 * module owns every part of the message path and the order they start and
 * stop in.
 */
#ifndef SAWT_GATEWAY_H
#define SAWT_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "log.h"

struct event_base;
struct gateway;

/*
 * Build the message path over db (not owned) for cfg (read now; may be
 * freed afterwards).  With no [modem] section, Gammu's dummy phone in
 * STATE_DIR/dummy is used.  NULL with a message in err on failure.
 */
struct gateway *gateway_new(struct event_base *base, struct db *db, const struct config *cfg,
			    char *err, size_t errlen) SAWT_MUST_CHECK;

/* Start the modem workers.  False with a message in err. */
bool gateway_start(struct gateway *gw, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * SIGHUP: apply what cfg (read now; may be freed afterwards) changes that
 * can change at run time: today [alerts].
 */
void gateway_reconfigure(struct gateway *gw, const struct config *cfg);

/* Forward the database connection's state changes and notifications. */
void gateway_on_db_state(struct gateway *gw, enum db_state state);
void gateway_on_notify(struct gateway *gw, const char *channel, const char *payload);

/*
 * Begin a graceful stop: stop claiming outgoing messages, let received
 * messages finish (commit or spool, then acknowledge), then stop the modem
 * workers.  Call gateway_stopped() until it says true.
 */
void gateway_stop(struct gateway *gw);

/* True when nothing is in flight and every worker has exited.  Also
 * moves the stop along its phases; call it periodically while stopping. */
bool gateway_stopped(struct gateway *gw);

/* Free everything; NULL is a no-op. */
void gateway_free(struct gateway *gw);

#endif
