/*
 * http_door.h - sawtd's HTTP server made from the [http] section: the
 * options, the file-descriptor limit the connection cap needs, and the
 * start-up log line.  The routes are added by gateway.c.
 */
#ifndef SAWT_HTTP_DOOR_H
#define SAWT_HTTP_DOOR_H

#include <stddef.h>

#include "config.h"
#include "http_server.h"
#include "log.h"

struct event_base;

/*
 * The server of cfg's [http] section, listening; NULL with err empty when
 * [http] listen is not set (HTTP off), NULL with a message in err on
 * failure (address in use, TLS files).  Raises the soft limit on open
 * files when max_connections needs it, and lowers the cap (with a warning)
 * when the hard limit does not allow it.  The caller owns the server.
 */
struct http_server *http_door_new(struct event_base *base, const struct config *cfg, char *err,
				  size_t errlen) SAWT_MUST_CHECK;

#endif
