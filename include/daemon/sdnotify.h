/*
 * sdnotify.h - systemd service notification (sd_notify protocol).
 *
 * When NOTIFY_SOCKET is set (Type=notify units), state strings such as
 * "READY=1", "STOPPING=1", "RELOADING=1" or "WATCHDOG=1" are sent as one
 * datagram to that socket (a path, or "@name" for the abstract namespace).
 * Without NOTIFY_SOCKET every call does nothing and succeeds.
 */
#ifndef SAWT_SDNOTIFY_H
#define SAWT_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

/* Send state; false when NOTIFY_SOCKET is set but sending failed. */
bool sdnotify(const char *state) SAWT_MUST_CHECK;

/*
 * The watchdog interval in microseconds from WATCHDOG_USEC (honouring
 * WATCHDOG_PID), or 0 when the watchdog is not enabled for this process.
 */
uint64_t sdnotify_watchdog_usec(void);

#endif
