/*
 * store_node.h - a node's claim on its name, the blocking way, for
 * sawtd's start-up (src/daemon/node.c; sawt.node_claim(), migration 0021).
 */
#ifndef SAWT_STORE_NODE_H
#define SAWT_STORE_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

enum store_node_claim {
	STORE_NODE_CLAIMED, /* the name is this instance's */
	STORE_NODE_TAKEN,   /* another live node holds it: *holder says which */
	STORE_NODE_UNKNOWN, /* no answer (database unreachable, schema too old): err */
};

/* The live node that holds a name. */
struct store_node_holder {
	char instance[64];
	char started[64];  /* "YYYY-MM-DD HH:MM:SS TZ" */
	char seen_ago[16]; /* seconds since its last heartbeat */
};

/*
 * Claim name for instance on the database of conninfo, waiting at most
 * timeout_sec to connect.  STORE_NODE_TAKEN fills *holder.
 */
enum store_node_claim store_node_claim(const char *conninfo, const char *name, const char *instance,
				       unsigned timeout_sec, struct store_node_holder *holder,
				       char *err, size_t errlen) SAWT_MUST_CHECK;

/* The SQL of the claim (one row: claimed, holder, seen_seconds_ago,
 * holder_started_at as text); $1 the name, $2 the instance. */
extern const char store_node_claim_sql[];

#endif
