/*
 * node.h - this sawtd's name among the nodes sharing one database.
 *
 * A node is named by [sawt] node_name (default: the host name) and is one
 * state directory, identified by the random instance identifier kept in
 * STATE_DIR/node_id (made on first start).  On every connection to the
 * database the node claims its name (sawt.node_claim(), migration 0021);
 * when another live node holds it the claim is refused and sawtd must
 * stop.  Stopping cleanly releases the name (sawt.node_release()).
 */
#ifndef SAWT_NODE_H
#define SAWT_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "log.h"

#define NODE_NAME_MAX 64 /* with the terminating NUL */

struct node;

/* Called once a claim is refused (the error is already logged). */
typedef void (*node_refused_cb)(void *arg);

/*
 * The node of cfg ([sawt] node_name, else the host name) and its state
 * directory's instance, read from STATE_DIR/node_id or made there (the
 * directory must exist).  NULL with the reason in err.  Queries go to db
 * (borrowed, must outlive the node).  Free with node_free().
 */
struct node *node_new(struct db *db, const struct config *cfg, node_refused_cb refused, void *arg,
		      char *err, size_t errlen) SAWT_MUST_CHECK;

/* Free the node; NULL is a no-op. */
void node_free(struct node *n);

/* The node's name (owned by the node). */
const char *node_name(const struct node *n);

/* Queue the claim of the name (on each connection to the database). */
void node_claim(struct node *n);

/*
 * At start-up, before the modems and the HTTP door start: claim the name
 * now over a connection of its own to conninfo.  False (the error logged)
 * when another live node holds it: sawtd must not start.  True when
 * claimed, or when the database does not answer (a warning; the claim
 * then comes with the first connection, node_claim()).
 */
bool node_claim_now(struct node *n, const char *conninfo) SAWT_MUST_CHECK;

/* Queue the release of the name, once claimed (as sawtd stops). */
void node_release(struct node *n);

#endif
