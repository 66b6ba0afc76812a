/*
 * backup.c - back up and restore the embedded cluster; see backup.h.
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "pgembed.h"
#include "util.h"

/* Run bindir/prog with args (argv[0] excluded, NULL-terminated); its output
 * goes where ours does.  Its exit status, or -1 with err set. */
static int run(const char *bindir, const char *prog, const char *const *args, char *err,
	       size_t errlen)
{
	const char *argv[16];
	char path[4096];
	size_t n = 0;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/%s", bindir, prog);
	argv[n++] = path;
	for (size_t i = 0; args[i] != NULL && n < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0) {
		util_seterr(err, errlen, "could not fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execv(path, (char *const *)argv);
		dprintf(STDERR_FILENO, "sawt: could not execute \"%s\": %s\n", path,
			strerror(errno));
		_exit(126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			util_seterr(err, errlen, "could not wait for \"%s\": %s", path,
				    strerror(errno));
			return -1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The embedded cluster only; its server programs' directory, or NULL. */
static char *embedded_bindir(const struct config *cfg, const char *what, char *err, size_t errlen)
{
	char *bindir;

	if (cfg->db_url != NULL) {
		util_seterr(err, errlen,
			    "%s works on the embedded database only; [database] url names an "
			    "external one: back it up with its own tools (docs/deploy.md)",
			    what);
		return NULL;
	}
	bindir = pgembed_find_bindir(cfg->pg_bindir);
	if (bindir == NULL)
		util_seterr(
			err, errlen,
			"could not find PostgreSQL's programs (pg_dump, pg_restore); install the "
			"Debian package postgresql or set [database] pg_bindir");
	return bindir;
}

bool backup_dump(const struct config *cfg, const char *file, char *err, size_t errlen)
{
	char *bindir = embedded_bindir(cfg, "sawt backup", err, errlen);
	char *conninfo = NULL;
	bool ok = false;
	int fd, rc;

	if (bindir == NULL)
		return false;
	conninfo = db_conninfo(cfg);
	if (conninfo == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto fail;
	}
	/* made here with mode 0600: the backup holds phone numbers and names */
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		util_seterr(err, errlen, "could not open file \"%s\": %s", file, strerror(errno));
		goto fail;
	}
	close(fd);
	rc = run(bindir, "pg_dump",
		 (const char *const[]){ "--format=custom", "--file", file, "--dbname", conninfo,
					NULL },
		 err, errlen);
	if (rc != 0) {
		if (rc > 0)
			util_seterr(err, errlen,
				    "pg_dump failed (exit status %d); is sawtd running on \"%s\"?",
				    rc, cfg->state_dir);
		unlink(file);
		goto fail;
	}
	ok = true;
fail:
	free(conninfo);
	free(bindir);
	return ok;
}

/* True when the database of conninfo holds no sawt schema yet. */
static bool database_fresh(const char *conninfo, const char *state_dir, char *err, size_t errlen)
{
	PGconn *conn = db_connect_blocking(conninfo, err, errlen);
	PGresult *res;
	bool fresh = false;

	if (conn == NULL)
		return false;
	res = PQexec(conn, "SELECT to_regclass('public.sawt_migrations') IS NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		util_seterr(err, errlen, "could not inspect the database: %s",
			    PQerrorMessage(conn));
	else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		util_seterr(err, errlen,
			    "the embedded database in \"%s\" already holds a sawt schema; restore "
			    "into a fresh state directory (move this one away, or set [sawt] "
			    "state_dir to an empty one)",
			    state_dir);
	else
		fresh = true;
	PQclear(res);
	if (fresh) {
		/* roles are the cluster's: the one the schema's grants name */
		res = PQexec(conn,
			     "DO $$ BEGIN CREATE ROLE sawt_analyst NOLOGIN;"
			     " EXCEPTION WHEN duplicate_object THEN NULL; END $$");
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			util_seterr(err, errlen, "could not create role sawt_analyst: %s",
				    PQerrorMessage(conn));
			fresh = false;
		}
		PQclear(res);
	}
	PQfinish(conn);
	return fresh;
}

/*
 * The restored database is this state directory's alone: the nodes the
 * backup saw running (its own sawtd among them) are marked stopped, so
 * that the sawtd started on it can claim its name (src/daemon/node.c).
 */
static bool release_nodes(const char *conninfo, char *err, size_t errlen)
{
	PGconn *conn = db_connect_blocking(conninfo, err, errlen);
	PGresult *res;
	bool ok;

	if (conn == NULL)
		return false;
	res = PQexec(conn,
		     "DO $$ BEGIN UPDATE sawt.nodes SET stopped_at = now()"
		     " WHERE stopped_at IS NULL;"
		     " EXCEPTION WHEN undefined_column OR undefined_table THEN NULL; END $$");
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		util_seterr(err, errlen, "could not mark the backup's nodes stopped: %s",
			    PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	return ok;
}

/*
 * As root: the state directory and its lock file, made here, go to the
 * cluster's owner (the user sawtd runs as), so that a sawtd started as
 * that user (systemd's User=sawt) can take the lock.
 */
static bool give_state(const char *state_dir, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;

	if (geteuid() != 0)
		return true;
	snprintf(path, sizeof(path), "%s/pg/data", state_dir);
	if (stat(path, &st) != 0) {
		util_seterr(err, errlen, "could not stat \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (st.st_uid == 0)
		return true;
	snprintf(path, sizeof(path), "%s/sawtd.lock", state_dir);
	if (chown(state_dir, st.st_uid, st.st_gid) != 0 || chown(path, st.st_uid, st.st_gid) != 0) {
		util_seterr(err, errlen, "could not change owner of \"%s\": %s", state_dir,
			    strerror(errno));
		return false;
	}
	return true;
}

/* STATE_DIR/sawtd.lock, as sawtd takes it: no sawtd runs there while we
 * restore.  The descriptor, or -1 with err set. */
static int lock_state(const char *state_dir, char *err, size_t errlen)
{
	char path[4096];
	int fd;

	if (mkdir(state_dir, 0750) != 0 && errno != EEXIST) {
		util_seterr(err, errlen, "could not create directory \"%s\": %s", state_dir,
			    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sawtd.lock", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		util_seterr(err, errlen, "could not open file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		util_seterr(err, errlen,
			    "state directory \"%s\" is in use by a running sawtd; stop it first",
			    state_dir);
		close(fd);
		return -1;
	}
	return fd;
}

bool backup_restore(const struct config *cfg, const char *file, char *err, size_t errlen)
{
	char *bindir = embedded_bindir(cfg, "sawt restore", err, errlen);
	char *conninfo = NULL;
	struct pgembed *pg = NULL;
	char stop_err[1024];
	bool ok = false, started = false;
	int lock = -1, rc;

	if (bindir == NULL)
		return false;
	if (access(file, R_OK) != 0) {
		util_seterr(err, errlen, "could not open file \"%s\": %s", file, strerror(errno));
		goto fail;
	}
	lock = lock_state(cfg->state_dir, err, errlen);
	if (lock < 0)
		goto fail;
	conninfo = db_conninfo(cfg);
	pg = pgembed_new(cfg);
	if (conninfo == NULL || pg == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto fail;
	}
	if (!pgembed_start(pg, err, errlen))
		goto fail;
	started = true;
	if (!database_fresh(conninfo, cfg->state_dir, err, errlen))
		goto fail;
	rc = run(bindir, "pg_restore",
		 (const char *const[]){ "--exit-on-error", "--single-transaction", "--dbname",
					conninfo, file, NULL },
		 err, errlen);
	if (rc != 0) {
		if (rc > 0)
			util_seterr(err, errlen,
				    "pg_restore failed (exit status %d); nothing was restored", rc);
		goto fail;
	}
	if (!release_nodes(conninfo, err, errlen) || !give_state(cfg->state_dir, err, errlen))
		goto fail;
	ok = true;
fail:
	if (started && !pgembed_stop(pg, stop_err, sizeof(stop_err))) {
		if (ok)
			util_seterr(err, errlen, "%s", stop_err);
		ok = false;
	}
	pgembed_free(pg);
	if (lock >= 0)
		close(lock);
	free(conninfo);
	free(bindir);
	return ok;
}
