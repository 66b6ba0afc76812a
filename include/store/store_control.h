/*
 * store_control.h - the operator's requests to sawtd, as `sawt unmute` and
 * `sawt reprocess` write them (sawt.operator_requests, migrations/0013):
 * a row and NOTIFY sawt_control in one transaction, then the row's
 * progress as the daemon records it (src/daemon/control.c).  Also the
 * one registry lookup a command needs without a registry snapshot: a
 * station by code, for `sawt card`.
 *
 * Blocking: for the command-line tool.  Errors are one line in err.
 */
#ifndef SAWT_STORE_CONTROL_H
#define SAWT_STORE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct store_control;

enum store_control_kind {
	STORE_CONTROL_UNMUTE,
	STORE_CONTROL_REPROCESS,
};

/* Messages eligible for reprocessing (sawt.reprocessable), by reason. */
struct store_control_pending {
	long long rate_limited; /* ignored: rate_limited */
	long long failed;       /* failed: a processing error */
};

/* What became of a request. */
struct store_control_request {
	bool started;          /* a sawtd took it */
	bool done;             /* and finished it */
	char node[64];         /* that sawtd's node name ("" none) */
	long long reprocessed; /* reprocess: messages reprocessed */
};

/* Connect to conninfo; NULL after writing err ("could not connect ..."). */
struct store_control *store_control_new(const char *conninfo, char *err,
					size_t errlen) SAWT_MUST_CHECK;

/* Close the connection; NULL is a no-op. */
void store_control_free(struct store_control *sc);

/* Count the messages eligible for reprocessing, of sender (E.164) or of
 * every sender (NULL). */
bool store_control_pending(struct store_control *sc, const char *sender,
			   struct store_control_pending *out, char *err,
			   size_t errlen) SAWT_MUST_CHECK;

/* Count sender's messages not answered because it was rate-limited, in the
 * last hour. */
bool store_control_muted_messages(struct store_control *sc, const char *sender, long long *out,
				  char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Record a request of kind for sender (E.164; NULL: every sender, for
 * reprocess only) and notify the running sawtd, in one transaction; *id
 * is its id.
 */
bool store_control_ask(struct store_control *sc, enum store_control_kind kind, const char *sender,
		       long long *id, char *err, size_t errlen) SAWT_MUST_CHECK;

/* Where request id is. */
bool store_control_get(struct store_control *sc, long long id, struct store_control_request *out,
		       char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * The station with code in election (sawt card --station): *found says
 * whether it exists; when it does, its name goes to name (cap bytes,
 * NUL-terminated, cut when longer).
 */
bool store_control_station(struct store_control *sc, const char *election, const char *code,
			   bool *found, char *name, size_t cap, char *err,
			   size_t errlen) SAWT_MUST_CHECK;

#endif
