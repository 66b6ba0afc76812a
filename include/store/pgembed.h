/*
 * pgembed.h - the embedded PostgreSQL cluster.
 *
 * With no [database] url, sawtd runs a private cluster under
 * STATE_DIR/pg: data/ (created by initdb on first run), run/ (the Unix
 * socket) and postgres.log.
 *
 * Authentication (DESIGN.md section 8), written at every start: the
 * daemon's role PGEMBED_USER by peer authentication from the system users
 * who run sawtd, own the cluster, or root (never over TCP); every other
 * role by password (scram-sha-256).  Analysts reach the server through the
 * socket when they are in [database] analyst_group, or over TCP when
 * [database] listen is set (docs/analysts.md).  The server programs come from
 * [database] pg_bindir, else `pg_config --bindir`, else the newest
 * /usr/lib/postgresql/N/bin.  initdb refuses to run as root, so when sawtd
 * runs as root the cluster belongs to the unprivileged user "sawt" or, if
 * there is none, "postgres".
 *
 * Start and stop block: they are for start-up and exit only.  While the
 * daemon runs, a server that went away is started again without blocking:
 * pgembed_running() tells, pgembed_restart_begin() forks pg_ctl and
 * pgembed_restart_poll() collects its outcome.
 */
#ifndef SAWT_PGEMBED_H
#define SAWT_PGEMBED_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "log.h"

#define PGEMBED_PORT "5432"
#define PGEMBED_USER "sawt"
#define PGEMBED_DBNAME "sawt"

struct pgembed;

/* Create a handle for cfg's state_dir; no I/O.  NULL when out of memory. */
struct pgembed *pgembed_new(const struct config *cfg) SAWT_MUST_CHECK;

/* Free the handle (does not stop the server); NULL is a no-op. */
void pgembed_free(struct pgembed *pg);

/*
 * Make the cluster run: initdb on first use, start the server unless it is
 * already running (a previous sawtd that died leaves it running; it is then
 * reused), and create the database.  On failure write a message to err.
 */
bool pgembed_start(struct pgembed *pg, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Once sawtd has become the cluster's owner (src/daemon/privdrop.c): run
 * pg_ctl as ourselves from now on rather than switching users, which only
 * root can.  Does nothing otherwise, or for NULL.
 */
void pgembed_now_owner(struct pgembed *pg);

/* Stop the server with a fast shutdown and wait for it (and for a
 * restart in flight first).  A server that had already stopped (another
 * process signalled it) is a warning, not a failure.  */
bool pgembed_stop(struct pgembed *pg, char *err, size_t errlen) SAWT_MUST_CHECK;

/* True when the cluster's postmaster.pid names a live process. */
bool pgembed_running(const struct pgembed *pg) SAWT_MUST_CHECK;

enum pgembed_restart {
	PGEMBED_RESTART_IDLE,    /* none begun */
	PGEMBED_RESTART_RUNNING, /* pg_ctl start still working */
	PGEMBED_RESTART_DONE,    /* the server is up again */
	PGEMBED_RESTART_FAILED,  /* pg_ctl failed; err says why */
};

/*
 * Start the server again in the background (pg_ctl start as the cluster
 * user) after pgembed_start() succeeded once.  True when a restart is in
 * flight (one already was, or one began); false with a message in err.
 */
bool pgembed_restart_begin(struct pgembed *pg, char *err, size_t errlen) SAWT_MUST_CHECK;

/* The outcome of the restart in flight, without blocking. */
enum pgembed_restart pgembed_restart_poll(struct pgembed *pg, char *err,
					  size_t errlen) SAWT_MUST_CHECK;

/*
 * The directory of PostgreSQL's server programs: configured (may be NULL),
 * else pg_config --bindir, else the newest /usr/lib/postgresql/N/bin.
 * Returns a malloc'd string or NULL when none has initdb.
 */
char *pgembed_find_bindir(const char *configured) SAWT_MUST_CHECK;

/* The cluster's port (its TCP port, and the name of its socket file):
 * [database] listen's, else PGEMBED_PORT; written into buf. */
const char *pgembed_port(const struct config *cfg, char *buf, size_t n);

/* STATE_DIR/pg/run, malloc'd; NULL when out of memory. */
char *pgembed_socket_dir(const struct config *cfg) SAWT_MUST_CHECK;

#endif
