/*
 * pgembed.c - the embedded PostgreSQL cluster; see pgembed.h.
 */
#include "pgembed.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "util.h"

struct pgembed {
	char *state_dir;
	char *pg_dir;     /* STATE/pg */
	char *data_dir;   /* STATE/pg/data */
	char *run_dir;    /* STATE/pg/run */
	char *log_file;   /* STATE/pg/postgres.log */
	char *bindir_cfg; /* configured pg_bindir or NULL */
	char *bindir;     /* found at start */
	bool as_other;    /* run programs as uid/gid below */
	uid_t uid;
	gid_t gid;
	char user[64];
	pid_t restart_pid; /* pg_ctl start in flight, 0: none */
};

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

char *pgembed_socket_dir(const struct config *cfg)
{
	char *pg = path_join(cfg->state_dir, "pg");
	char *run = pg ? path_join(pg, "run") : NULL;

	free(pg);
	return run;
}

static bool has_initdb(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/initdb", dir);
	return access(path, X_OK) == 0;
}

/* Compare "/usr/lib/postgresql/N/bin" paths by N, descending. */
static int version_of(const char *path)
{
	const char *p = strstr(path, "/postgresql/");

	return p ? atoi(p + strlen("/postgresql/")) : 0;
}

static char *bindir_from_pg_config(void)
{
	char line[4096];
	FILE *f = popen("pg_config --bindir 2>/dev/null", "r");
	char *res = NULL;

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && has_initdb(line))
			res = strdup(line);
	}
	pclose(f);
	return res;
}

char *pgembed_find_bindir(const char *configured)
{
	glob_t g;
	char *best = NULL;
	int best_v = -1;

	if (configured != NULL)
		return has_initdb(configured) ? strdup(configured) : NULL;
	best = bindir_from_pg_config();
	if (best != NULL)
		return best;
	if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) != 0)
		return NULL;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (has_initdb(g.gl_pathv[i]) && version_of(g.gl_pathv[i]) > best_v) {
			best_v = version_of(g.gl_pathv[i]);
			free(best);
			best = strdup(g.gl_pathv[i]);
		}
	}
	globfree(&g);
	return best;
}

struct pgembed *pgembed_new(const struct config *cfg)
{
	struct pgembed *pg = calloc(1, sizeof(*pg));

	if (pg == NULL)
		return NULL;
	pg->state_dir = strdup(cfg->state_dir);
	pg->pg_dir = path_join(cfg->state_dir, "pg");
	pg->data_dir = pg->pg_dir ? path_join(pg->pg_dir, "data") : NULL;
	pg->run_dir = pg->pg_dir ? path_join(pg->pg_dir, "run") : NULL;
	pg->log_file = pg->pg_dir ? path_join(pg->pg_dir, "postgres.log") : NULL;
	pg->bindir_cfg = cfg->pg_bindir ? strdup(cfg->pg_bindir) : NULL;
	if (!pg->state_dir || !pg->data_dir || !pg->run_dir || !pg->log_file ||
	    (cfg->pg_bindir && !pg->bindir_cfg)) {
		pgembed_free(pg);
		return NULL;
	}
	return pg;
}

void pgembed_free(struct pgembed *pg)
{
	if (pg == NULL)
		return;
	free(pg->state_dir);
	free(pg->pg_dir);
	free(pg->data_dir);
	free(pg->run_dir);
	free(pg->log_file);
	free(pg->bindir_cfg);
	free(pg->bindir);
	free(pg);
}

/* As root, pick the unprivileged owner of the cluster. */
static bool pick_user(struct pgembed *pg, char *err, size_t n)
{
	static const char *const names[] = { "sawt", "postgres" };

	if (geteuid() != 0)
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct passwd *pw = getpwnam(names[i]);

		if (pw == NULL)
			continue;
		pg->as_other = true;
		pg->uid = pw->pw_uid;
		pg->gid = pw->pw_gid;
		snprintf(pg->user, sizeof(pg->user), "%s", names[i]);
		return true;
	}
	util_seterr(
		err, n,
		"sawtd runs as root but there is no user \"sawt\" or \"postgres\" to own the embedded database (initdb refuses root); "
		"create one with \"adduser --system sawt\" or configure [database] url");
	return false;
}

/* mkdir path with mode unless it exists; chown to the cluster user. */
static bool make_dir(struct pgembed *pg, const char *path, mode_t mode, bool own, char *err,
		     size_t n)
{
	if (mkdir(path, mode) != 0 && errno != EEXIST) {
		util_seterr(err, n, "could not create directory \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (own && pg->as_other && chown(path, pg->uid, pg->gid) != 0) {
		util_seterr(err, n, "could not change owner of \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (own && chmod(path, mode) != 0) {
		util_seterr(err, n, "could not change mode of \"%s\": %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* Create every missing directory of path (mode 0755 for parents). */
static bool make_parents(const char *path, char *err, size_t n)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			util_seterr(err, n, "could not create directory \"%s\": %s", buf,
				    strerror(errno));
			return false;
		}
		*p = '/';
	}
	return true;
}

/* In the child: fail with why, written to the log (its stderr). */
static void SAWT_NORETURN child_fail(const char *what, const char *arg)
{
	dprintf(STDERR_FILENO, "sawtd: could not %s \"%s\": %s\n", what, arg, strerror(errno));
	_exit(126);
}

/*
 * In the child: output to logfd (opened by the parent, so a cluster user
 * who cannot reach the directory still leaves a trace), a session of its
 * own, no service-manager socket, the cluster user, the cluster folder.
 */
static void child_setup(const struct pgembed *pg, int logfd)
{
	int fd;

	if (logfd >= 0) {
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	/* A session of its own: a Ctrl-C at sawtd's terminal must not reach
	 * the postmaster (SIGINT is its fast shutdown); sawtd stops it. */
	setsid();
	/* The postmaster speaks sd_notify itself: its READY=1 must never be
	 * taken for sawtd's. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (pg->as_other) {
		if (setgroups(0, NULL) != 0 || setgid(pg->gid) != 0 || setuid(pg->uid) != 0)
			child_fail("become user", pg->user);
	}
	if (chdir(pg->pg_dir) != 0)
		child_fail("change directory to", pg->pg_dir);
}

/* Open logpath for appending, owned by the cluster user; -1 on failure. */
static int open_log(const struct pgembed *pg, const char *logpath)
{
	int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd >= 0 && pg->as_other && strcmp(logpath, "/dev/null") != 0 &&
	    fchown(fd, pg->uid, pg->gid) != 0)
		log_warn("could not change owner of \"%s\": %s", logpath, strerror(errno));
	return fd;
}

/*
 * Fork bindir/prog with args (NULL-terminated, not including argv[0]) as
 * the cluster user, output appended to logpath.  Returns the child's pid,
 * or -1 when it could not be forked.
 */
static pid_t spawn_prog(const struct pgembed *pg, const char *prog, const char *const *args,
			const char *logpath)
{
	char path[4096];
	const char *argv[32];
	size_t i = 0;
	pid_t pid;
	int logfd;

	snprintf(path, sizeof(path), "%s/%s", pg->bindir, prog);
	argv[i++] = path;
	for (; args[i - 1] != NULL && i < 31; i++)
		argv[i] = args[i - 1];
	argv[i] = NULL;
	logfd = open_log(pg, logpath);
	pid = fork();
	if (pid == 0) {
		child_setup(pg, logfd);
		execv(path, (char *const *)argv);
		child_fail("execute", path);
	}
	if (logfd >= 0)
		close(logfd);
	return pid;
}

/* Exit status of a child, -1 when it did not exit normally. */
static int exit_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run prog as spawn_prog does and wait: its exit status, or -1. */
static int run_prog(const struct pgembed *pg, const char *prog, const char *const *args,
		    const char *logpath)
{
	pid_t pid = spawn_prog(pg, prog, args, logpath);
	int status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return exit_status(status);
}

/*
 * The last non-empty line of file path (at most n - 1 bytes of it) into
 * buf; "no output" when there is none or the file cannot be read.
 */
static void last_line(const char *path, char *buf, size_t n)
{
	char tail[1024];
	ssize_t got = -1;
	size_t len, start;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		off_t end = lseek(fd, 0, SEEK_END);
		off_t from = end > (off_t)sizeof(tail) - 1 ? end - (off_t)sizeof(tail) + 1 : 0;

		got = pread(fd, tail, sizeof(tail) - 1, from);
		close(fd);
	}
	len = got > 0 ? (size_t)got : 0;
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r' || tail[len - 1] == ' '))
		len--;
	if (len == 0) {
		snprintf(buf, n, "no output");
		return;
	}
	tail[len] = '\0';
	start = len;
	while (start > 0 && tail[start - 1] != '\n')
		start--;
	snprintf(buf, n, "%s", tail + start);
}

static bool file_exists(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Append the include line to postgresql.conf once, after initdb. */
static bool pg_initdb(struct pgembed *pg, char *err, size_t n)
{
	const char *args[] = { "-D",    pg->data_dir, "-U",   PGEMBED_USER,       "-A",
			       "trust", "-E",         "UTF8", "--locale=C.UTF-8", NULL };
	char conf[4096];
	FILE *f;

	log_info("creating the embedded database cluster in \"%s\"", pg->data_dir);
	if (run_prog(pg, "initdb", args, pg->log_file) != 0) {
		char why[512];

		last_line(pg->log_file, why, sizeof(why));
		util_seterr(err, n, "initdb failed for \"%s\": %s (full output in \"%s\")",
			    pg->data_dir, why, pg->log_file);
		return false;
	}
	snprintf(conf, sizeof(conf), "%s/postgresql.conf", pg->data_dir);
	f = fopen(conf, "a");
	if (f == NULL) {
		util_seterr(err, n, "could not open file \"%s\": %s", conf, strerror(errno));
		return false;
	}
	fprintf(f,
		"\n# added by sawtd: settings rewritten at every start\ninclude_if_exists = 'sawt_embedded.conf'\n");
	if (fclose(f) != 0) {
		util_seterr(err, n, "could not write file \"%s\": %s", conf, strerror(errno));
		return false;
	}
	return true;
}

/* Write data/sawt_embedded.conf: Unix socket in run/, no TCP. */
static bool pg_write_settings(struct pgembed *pg, char *err, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sawt_embedded.conf", pg->data_dir);
	f = fopen(path, "w");
	if (f == NULL) {
		util_seterr(err, n, "could not open file \"%s\": %s", path, strerror(errno));
		return false;
	}
	fprintf(f, "listen_addresses = ''\nport = %s\nunix_socket_directories = '", PGEMBED_PORT);
	for (const char *p = pg->run_dir; *p; p++)
		fputs(*p == '\'' ? "''" : (char[]){ *p, 0 }, f);
	fprintf(f, "'\nunix_socket_permissions = 0700\nmax_connections = 50\n");
	if (fclose(f) != 0) {
		util_seterr(err, n, "could not write file \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (pg->as_other && chown(path, pg->uid, pg->gid) != 0) {
		util_seterr(err, n, "could not change owner of \"%s\": %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* Connect to the maintenance database and create ours if missing. */
static bool pg_create_database(struct pgembed *pg, char *err, size_t n)
{
	const char *keys[] = { "host", "port", "user", "dbname", NULL };
	const char *vals[] = { pg->run_dir, PGEMBED_PORT, PGEMBED_USER, "postgres", NULL };
	const char *check[] = { PGEMBED_DBNAME };
	PGconn *conn = db_connect_blocking_params(keys, vals, err, n);
	PGresult *res = NULL;
	bool ok = false;

	if (conn == NULL)
		goto out;
	res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, check,
			   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		util_seterr(err, n, "could not query the embedded database: %s",
			    PQerrorMessage(conn));
		goto out;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		res = PQexec(conn, "CREATE DATABASE " PGEMBED_DBNAME);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			util_seterr(err, n, "could not create database \"%s\": %s", PGEMBED_DBNAME,
				    PQerrorMessage(conn));
			goto out;
		}
		log_info("created database \"%s\" in the embedded cluster", PGEMBED_DBNAME);
	}
	ok = true;
out:
	PQclear(res);
	PQfinish(conn);
	return ok;
}

static bool pg_prepare_dirs(struct pgembed *pg, char *err, size_t n)
{
	if (!make_parents(pg->state_dir, err, n) ||
	    !make_dir(pg, pg->state_dir, pg->as_other ? 0711 : 0750, false, err, n) ||
	    !make_dir(pg, pg->pg_dir, 0700, true, err, n) ||
	    !make_dir(pg, pg->run_dir, 0700, true, err, n))
		return false;
	if (pg->as_other && chmod(pg->state_dir, 0711) != 0) {
		util_seterr(err, n, "could not change mode of \"%s\": %s", pg->state_dir,
			    strerror(errno));
		return false;
	}
	return true;
}

bool pgembed_start(struct pgembed *pg, char *err, size_t n)
{
	const char *status_args[] = { "status", "-D", pg->data_dir, NULL };
	const char *start_args[] = { "start",      "-w", "-t",         "120", "-D",
				     pg->data_dir, "-l", pg->log_file, NULL };

	if (!pick_user(pg, err, n))
		return false;
	free(pg->bindir);
	pg->bindir = pgembed_find_bindir(pg->bindir_cfg);
	if (pg->bindir == NULL) {
		util_seterr(
			err, n,
			"could not find PostgreSQL's server programs (initdb, pg_ctl)%s%s; install the Debian package postgresql or set [database] pg_bindir",
			pg->bindir_cfg ? " in " : "", pg->bindir_cfg ? pg->bindir_cfg : "");
		return false;
	}
	if (!pg_prepare_dirs(pg, err, n))
		return false;
	if (!file_exists(pg->data_dir, "PG_VERSION") && !pg_initdb(pg, err, n))
		return false;
	if (!pg_write_settings(pg, err, n))
		return false;
	if (run_prog(pg, "pg_ctl", status_args, "/dev/null") == 0) {
		log_info("reusing the embedded PostgreSQL already running in \"%s\"", pg->data_dir);
	} else {
		log_info("starting the embedded PostgreSQL in \"%s\" (%s)", pg->data_dir,
			 pg->bindir);
		if (run_prog(pg, "pg_ctl", start_args, pg->log_file) != 0) {
			char why[512];

			last_line(pg->log_file, why, sizeof(why));
			util_seterr(
				err, n,
				"could not start the embedded PostgreSQL: %s (full output in \"%s\")",
				why, pg->log_file);
			return false;
		}
	}
	return pg_create_database(pg, err, n);
}

bool pgembed_running(const struct pgembed *pg)
{
	char path[4096], line[32];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->data_dir);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(line, sizeof(line), f) != NULL)
		pid = strtol(line, NULL, 10);
	fclose(f);
	if (pid <= 0)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

bool pgembed_restart_begin(struct pgembed *pg, char *err, size_t n)
{
	const char *args[] = { "start",      "-w", "-t",         "60", "-D",
			       pg->data_dir, "-l", pg->log_file, NULL };

	if (pg->restart_pid > 0)
		return true;
	if (pg->bindir == NULL) {
		util_seterr(err, n, "the embedded PostgreSQL was never started");
		return false;
	}
	pg->restart_pid = spawn_prog(pg, "pg_ctl", args, pg->log_file);
	if (pg->restart_pid < 0) {
		pg->restart_pid = 0;
		util_seterr(err, n, "could not fork: %s", strerror(errno));
		return false;
	}
	return true;
}

/* Wait for (block) or poll a restart in flight; its outcome. */
static enum pgembed_restart restart_collect(struct pgembed *pg, int flags, char *err, size_t n)
{
	int status = 0;
	pid_t r;

	if (pg->restart_pid <= 0)
		return PGEMBED_RESTART_IDLE;
	do
		r = waitpid(pg->restart_pid, &status, flags);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return PGEMBED_RESTART_RUNNING;
	pg->restart_pid = 0;
	if (r > 0 && exit_status(status) == 0)
		return PGEMBED_RESTART_DONE;
	if (err != NULL) {
		char why[512];

		last_line(pg->log_file, why, sizeof(why));
		util_seterr(err, n,
			    "could not start the embedded PostgreSQL: %s (full output in \"%s\")",
			    why, pg->log_file);
	}
	return PGEMBED_RESTART_FAILED;
}

enum pgembed_restart pgembed_restart_poll(struct pgembed *pg, char *err, size_t n)
{
	return restart_collect(pg, WNOHANG, err, n);
}

bool pgembed_stop(struct pgembed *pg, char *err, size_t n)
{
	const char *args[] = { "stop", "-m", "fast", "-w", "-t", "60", "-D", pg->data_dir, NULL };

	if (pg->bindir == NULL)
		return true;
	/* a restart in flight finishes first, then its server is stopped */
	(void)restart_collect(pg, 0, NULL, 0);
	log_info("stopping the embedded PostgreSQL");
	if (run_prog(pg, "pg_ctl", args, "/dev/null") != 0) {
		util_seterr(err, n, "could not stop the embedded PostgreSQL in \"%s\"; see \"%s\"",
			    pg->data_dir, pg->log_file);
		return false;
	}
	return true;
}
