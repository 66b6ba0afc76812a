/*
 * sawtd.c - the daemon's main process: configuration, start-up, the event
 * loop, signals and shutdown.
 *
 *   sawtd [-c FILE] [--check] [-v]
 *
 * Start-up failures are fatal (exit 1).  Once the loop runs, failures are
 * logged and isolated: a database that goes away is retried in the
 * background while the daemon keeps running.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "gateway.h"
#include "log.h"
#include "migrate.h"
#include "node.h"
#include "pgembed.h"
#include "privdrop.h"
#include "review_rules.h"
#include "sawt_build.h"
#include "sdnotify.h"
#include "util.h"

#define SHUTDOWN_GRACE_SEC 30
#define PGWATCH_TICK_SEC 1
#define PGWATCH_BACKOFF_MAX_MS 60000

/* A stop signal that arrived before the loop's own handlers existed
 * (during initdb, the embedded server's start, the migrations) or after
 * they were removed (while the embedded server stops): never the default
 * action, which would end sawtd by the signal. */
static volatile sig_atomic_t early_stop_signal;

/* The embedded cluster while it runs, so that a fatal start-up error
 * (exit through log_fatal) stops it rather than leaving it behind. */
static struct pgembed *running_pg;

static void stop_running_pg(void)
{
	char err[1024];

	if (running_pg != NULL && !pgembed_stop(running_pg, err, sizeof(err)))
		log_error("%s", err);
	running_pg = NULL;
}

enum daemon_state {
	DAEMON_STARTING,
	DAEMON_RUNNING,
	DAEMON_STOPPING,
};

struct daemon {
	enum daemon_state state;
	char *config_path; /* NULL: built-in defaults */
	struct config *cfg;
	struct event_base *base;
	struct pgembed *pg;
	struct db *db;
	struct gateway *gw;
	struct node *node; /* its name among the nodes on the database */
	char *conninfo;
	int schema_latest;          /* highest migration this sawt knows */
	char schema_versions[1024]; /* every migration it knows, "1,2,5" */
	int lock_fd;
	int exit_code;
	struct privdrop priv; /* whom sawtd becomes when started as root */
	struct event *ev_sig[3];
	struct event *ev_watchdog;
	struct event *ev_stop_poll;
	struct event *ev_pgwatch; /* restarts the embedded server */
	int64_t pg_next_try;      /* monotonic ms */
	int pg_backoff_ms;
	struct timeval stop_deadline;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sawtd [-c FILE] [--check] [-v]\n\n"
		"  -c FILE    configuration file (default: $SAWT_CONFIG, else built-in defaults)\n"
		"  --check    validate the configuration and exit\n"
		"  -v         debug logging (shows phone numbers unmasked)\n"
		"  -V         print the version\n");
}

static void early_signal(int sig)
{
	if (sig != SIGHUP)
		early_stop_signal = sig;
}

/* Catch SIGTERM and SIGINT (and ignore SIGHUP) from the first instant;
 * libevent's handlers replace these while the loop runs and put them
 * back when they are freed. */
static void early_signals_install(void)
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = early_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (int i = 0; i < 3; i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			log_fatal("could not install signal handler: %s", strerror(errno));
}

/* True (and say so) when a stop signal came during start-up. */
static bool stop_requested_early(void)
{
	int sig = early_stop_signal;

	if (sig == 0)
		return false;
	log_info("received %s during start-up; stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	return true;
}

static struct config *load_config(const char *path)
{
	char err[CONFIG_ERR_MAX];
	struct config *cfg;

	cfg = config_open(path, err, sizeof(err));
	if (cfg == NULL)
		log_fatal("%s", err);
	return cfg;
}

/* Take an exclusive lock on STATE_DIR/sawtd.lock so two daemons never
 * share one state directory (and one embedded cluster). */
static void lock_state_dir(struct daemon *d)
{
	char path[4096];
	const char *dir = d->cfg->state_dir;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		log_fatal("could not create directory \"%s\": %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/sawtd.lock", dir);
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0)
		log_fatal("could not open file \"%s\": %s", path, strerror(errno));
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0)
		log_fatal("state directory \"%s\" is in use by another sawtd (lock file \"%s\")",
			  dir, path);
}

/* Embedded default: start the private cluster and bring its schema up. */
static void start_embedded(struct daemon *d)
{
	char err[1024];
	struct migrate_report rep;

	d->pg = pgembed_new(d->cfg);
	if (d->pg == NULL)
		log_fatal("out of memory");
	if (!pgembed_start(d->pg, err, sizeof(err)))
		log_fatal("%s", err);
	running_pg = d->pg;
	if (!migrate_run(d->conninfo, migrate_default_dir(d->cfg->migrations_dir), MIGRATE_APPLY,
			 &rep, err, sizeof(err)))
		log_fatal("%s", err);
	log_info("embedded database ready: schema at version %d (%d migration(s) applied now)",
		 rep.latest, rep.applied_now);
}

/* Started as root: hand the state directory to the user and become it. */
static void drop_privileges(struct daemon *d)
{
	char err[1024];

	if (!privdrop_chown_state(&d->priv, d->cfg->state_dir, err, sizeof(err)) ||
	    !privdrop_become(&d->priv, err, sizeof(err)))
		log_fatal("%s", err);
	pgembed_now_owner(d->pg);
}

static void daemon_stop(struct daemon *d, int exit_code);

/* After each (re)connection: the schema must be the one this sawt knows. */
static void schema_check_cb(const struct db_result *res, void *arg)
{
	struct daemon *d = arg;
	int unknown, missing;

	if (!db_result_ok(res)) {
		if (strcmp(db_result_sqlstate(res), "42P01") == 0)
			log_error("the database has no sawt schema; run \"sawt migrate\"");
		else if (strcmp(db_result_sqlstate(res), "08006") != 0)
			log_error("could not check the database schema: %s", db_result_error(res));
		if (strcmp(db_result_sqlstate(res), "08006") != 0)
			daemon_stop(d, 1);
		return;
	}
	migrate_compare_versions(d->schema_versions, db_result_value(res, 0, 0), &unknown,
				 &missing);
	if (unknown != 0) {
		log_error(
			"the database schema has migration %d, which this sawtd does not know (it knows up to version %d); upgrade sawtd",
			unknown, d->schema_latest);
		daemon_stop(d, 1);
	} else if (missing != 0) {
		log_error(
			"the database schema lacks migration %d, which this sawtd needs (it knows up to version %d); run \"sawt migrate\"",
			missing, d->schema_latest);
		daemon_stop(d, 1);
	} else {
		log_info("database schema at version %d", d->schema_latest);
		node_claim(d->node);
		if (!review_rules_apply(d->db, d->cfg))
			log_error("could not queue the [quarantine] rules: out of memory");
	}
}

/* Another live node holds our name: stop (the error is logged). */
static void node_refused(void *arg)
{
	daemon_stop(arg, 1);
}

static void db_state_changed(struct db *db, enum db_state state, void *arg)
{
	struct daemon *d = arg;

	log_debug("database connection %s", db_state_name(state));
	if (d->gw)
		gateway_on_db_state(d->gw, state);
	if (state != DB_STATE_READY || d->state == DAEMON_STOPPING)
		return;
	if (!db_query(db, migrate_versions_sql, 0, NULL, schema_check_cb, d))
		log_error("could not queue the schema check: out of memory");
}

static void db_notified(const char *channel, const char *payload, void *arg)
{
	struct daemon *d = arg;

	if (d->gw)
		gateway_on_notify(d->gw, channel, payload);
}

static void watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (!sdnotify("WATCHDOG=1"))
		log_warn("could not notify the service manager");
}

/* Back off before the next restart attempt: 1 s, doubling to a minute. */
static void pgwatch_backoff(struct daemon *d)
{
	d->pg_backoff_ms = d->pg_backoff_ms == 0 ? 1000 : d->pg_backoff_ms * 2;
	if (d->pg_backoff_ms > PGWATCH_BACKOFF_MAX_MS)
		d->pg_backoff_ms = PGWATCH_BACKOFF_MAX_MS;
	d->pg_next_try = util_mono_ms() + d->pg_backoff_ms;
}

/*
 * Every second with the embedded cluster: sawtd owns it, so a server that
 * went away (stopped by hand, crashed) is started again, with backoff,
 * while the connection is down.  Messages meanwhile go to the spool.
 */
static void pgwatch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char err[1024];

	(void)fd;
	(void)what;
	if (d->state != DAEMON_RUNNING)
		return;
	switch (pgembed_restart_poll(d->pg, err, sizeof(err))) {
	case PGEMBED_RESTART_RUNNING: return;
	case PGEMBED_RESTART_DONE: log_info("the embedded PostgreSQL is running again"); return;
	case PGEMBED_RESTART_FAILED:
		log_error("%s; trying again in %d s", err, d->pg_backoff_ms / 1000);
		return;
	case PGEMBED_RESTART_IDLE: break;
	}
	if (db_get_state(d->db) == DB_STATE_READY) {
		d->pg_backoff_ms = 0;
		return;
	}
	if (util_mono_ms() < d->pg_next_try || pgembed_running(d->pg))
		return;
	pgwatch_backoff(d);
	log_warn("the embedded PostgreSQL is not running; starting it again");
	if (!pgembed_restart_begin(d->pg, err, sizeof(err)))
		log_error("%s; trying again in %d s", err, d->pg_backoff_ms / 1000);
}

/* While stopping: exit once the database work has drained, or at the
 * deadline, failing what is still queued. */
static void stop_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval now;

	(void)fd;
	(void)what;
	if ((d->gw == NULL || gateway_stopped(d->gw)) && db_pending(d->db) == 0) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	evutil_gettimeofday(&now, NULL);
	if (evutil_timercmp(&now, &d->stop_deadline, >)) {
		log_warn(
			"giving up after %d s with %zu database queries pending; unacknowledged messages stay with their source",
			SHUTDOWN_GRACE_SEC, db_pending(d->db));
		db_fail_queued(d->db, "sawtd is shutting down");
		event_base_loopexit(d->base, NULL);
	}
}

static void daemon_stop(struct daemon *d, int exit_code)
{
	struct timeval tick = { 0, 50000 };

	if (exit_code > d->exit_code)
		d->exit_code = exit_code;
	if (d->state == DAEMON_STOPPING)
		return;
	d->state = DAEMON_STOPPING;
	if (!sdnotify("STOPPING=1"))
		log_warn("could not notify the service manager");
	log_info("stopping: %zu database queries to finish", db_pending(d->db));
	if (d->node)
		node_release(d->node);
	if (d->gw)
		gateway_stop(d->gw);
	evutil_gettimeofday(&d->stop_deadline, NULL);
	d->stop_deadline.tv_sec += SHUTDOWN_GRACE_SEC;
	d->ev_stop_poll = event_new(d->base, -1, EV_PERSIST, stop_poll_cb, d);
	if (d->ev_stop_poll == NULL || event_add(d->ev_stop_poll, &tick) != 0)
		event_base_loopexit(d->base, NULL);
}

/* Two optional strings (NULL: not set) are the same. */
static bool same_text(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* SIGHUP: re-read the file; apply what can change at run time. */
static void daemon_reload(struct daemon *d)
{
	char err[CONFIG_ERR_MAX];
	struct config *cfg;

	if (!sdnotify("RELOADING=1"))
		log_warn("could not notify the service manager");
	if (d->config_path == NULL) {
		log_info("reload requested; running on built-in defaults, nothing to reload");
		goto done;
	}
	cfg = config_load(d->config_path, err, sizeof(err));
	if (cfg == NULL) {
		log_error("reload failed, keeping the running configuration: %s", err);
		goto done;
	}
	if (strcmp(cfg->state_dir, d->cfg->state_dir) != 0 ||
	    !same_text(cfg->db_url, d->cfg->db_url) ||
	    !same_text(cfg->run_user, d->cfg->run_user) ||
	    !same_text(cfg->node_name, d->cfg->node_name))
		log_warn(
			"changes to state_dir, user, node_name and [database] take effect at the "
			"next restart");
	log_set_level(cfg->log_level);
	if (d->gw)
		gateway_reconfigure(d->gw, cfg);
	if (d->db != NULL && db_get_state(d->db) == DB_STATE_READY &&
	    !review_rules_apply(d->db, cfg))
		log_error("could not queue the [quarantine] rules: out of memory");
	config_free(d->cfg);
	d->cfg = cfg;
	log_info("configuration reloaded from \"%s\"", d->config_path);
done:
	if (!sdnotify("READY=1"))
		log_warn("could not notify the service manager");
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		daemon_reload(d);
		return;
	}
	log_info("received %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_stop(d, 0);
}

static void daemon_setup_events(struct daemon *d)
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	uint64_t wd = sdnotify_watchdog_usec();

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 3; i++) {
		d->ev_sig[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		if (d->ev_sig[i] == NULL || event_add(d->ev_sig[i], NULL) != 0)
			log_fatal("could not install signal handler");
	}
	if (wd > 0) {
		/* ping at half the interval, from the loop itself */
		struct timeval tv = { (time_t)(wd / 2000000), (suseconds_t)((wd / 2) % 1000000) };

		d->ev_watchdog = event_new(d->base, -1, EV_PERSIST, watchdog_cb, d);
		if (d->ev_watchdog == NULL || event_add(d->ev_watchdog, &tv) != 0)
			log_fatal("could not start the watchdog timer");
		log_info("systemd watchdog every %.1f s", (double)wd / 2e6);
	}
	if (d->pg != NULL) {
		struct timeval tv = { PGWATCH_TICK_SEC, 0 };

		d->ev_pgwatch = event_new(d->base, -1, EV_PERSIST, pgwatch_cb, d);
		if (d->ev_pgwatch == NULL || event_add(d->ev_pgwatch, &tv) != 0)
			log_fatal("could not start the embedded database watch");
	}
}

/*
 * Start everything, in order.  False when a stop signal came before the
 * loop could take it: what was started is stopped by daemon_finish().
 */
static bool daemon_start(struct daemon *d)
{
	char err[1024];

	if (!privdrop_resolve(d->cfg->run_user, &d->priv, err, sizeof(err)))
		log_fatal("%s", err);
	lock_state_dir(d);
	d->conninfo = db_conninfo(d->cfg);
	if (d->conninfo == NULL)
		log_fatal("out of memory");
	d->schema_latest = migrate_latest_version(migrate_default_dir(d->cfg->migrations_dir));
	if (d->schema_latest < 0 ||
	    !migrate_known_versions(migrate_default_dir(d->cfg->migrations_dir), d->schema_versions,
				    sizeof(d->schema_versions)))
		log_fatal("could not read the migrations in \"%s\"",
			  migrate_default_dir(d->cfg->migrations_dir));
	if (stop_requested_early())
		return false;
	if (d->cfg->db_url == NULL)
		start_embedded(d);
	if (stop_requested_early())
		return false;
	d->base = event_base_new();
	if (d->base == NULL)
		log_fatal("could not create the event loop");
	d->db = db_new(d->base, d->conninfo);
	if (d->db == NULL)
		log_fatal("out of memory");
	d->node = node_new(d->db, d->cfg, node_refused, d, err, sizeof(err));
	if (d->node == NULL)
		log_fatal("%s", err);
	if (!node_claim_now(d->node, d->conninfo))
		exit(1);
	d->gw = gateway_new(d->base, d->db, d->cfg, err, sizeof(err));
	if (d->gw == NULL)
		log_fatal("%s", err);
	/* what needs root is open (state directory, cluster, HTTP ports, TLS
	 * key): become the unprivileged user before any modem worker starts */
	drop_privileges(d);
	db_set_state_cb(d->db, db_state_changed, d);
	db_set_notify_cb(d->db, db_notified, d);
	daemon_setup_events(d);
	/* from here on the loop's handlers take the signals */
	if (stop_requested_early())
		return false;
	db_start(d->db);
	if (!gateway_start(d->gw, err, sizeof(err)))
		log_fatal("%s", err);
	d->state = DAEMON_RUNNING;
	if (!sdnotify("READY=1"))
		log_warn("could not notify the service manager");
	log_info("sawtd %s running (state directory \"%s\", database %s)", SAWT_VERSION,
		 d->cfg->state_dir, d->cfg->db_url ? "configured" : "embedded");
	return true;
}

static void daemon_finish(struct daemon *d)
{
	char err[1024];

	for (int i = 0; i < 3; i++)
		if (d->ev_sig[i])
			event_free(d->ev_sig[i]);
	if (d->ev_watchdog)
		event_free(d->ev_watchdog);
	if (d->ev_stop_poll)
		event_free(d->ev_stop_poll);
	if (d->ev_pgwatch)
		event_free(d->ev_pgwatch);
	gateway_free(d->gw);
	node_free(d->node);
	db_free(d->db);
	running_pg = NULL;
	if (d->pg && !pgembed_stop(d->pg, err, sizeof(err))) {
		log_error("%s", err);
		d->exit_code = 1;
	}
	pgembed_free(d->pg);
	if (d->base)
		event_base_free(d->base);
	config_free(d->cfg);
	free(d->conninfo);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .lock_fd = -1 };
	bool check = false, verbose = false;
	int opt;

	log_set_ident("sawtd");
	early_signals_install();
	if (atexit(stop_running_pg) != 0)
		log_fatal("could not register the exit handler");
	while ((opt = getopt_long(argc, argv, "c:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': d.config_path = optarg; break;
		case 'k': check = true; break;
		case 'v': verbose = true; break;
		case 'V': printf("sawtd %s\n", SAWT_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (d.config_path == NULL && getenv("SAWT_CONFIG") && getenv("SAWT_CONFIG")[0])
		d.config_path = getenv("SAWT_CONFIG");
	d.cfg = load_config(d.config_path);
	if (check) {
		printf("configuration %s%s%s is valid\n",
		       d.config_path ? "file \"" : "(built-in defaults)",
		       d.config_path ? d.config_path : "", d.config_path ? "\"" : "");
		config_free(d.cfg);
		return 0;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : d.cfg->log_level);
	if (daemon_start(&d))
		event_base_dispatch(d.base);
	log_info("stopped");
	daemon_finish(&d);
	return d.exit_code;
}
