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
	char port[8];     /* PGEMBED_PORT, or [database] listen's */
	char *listen;     /* listen_addresses: [database] listen's host, "" none */
	char *group;      /* [database] analyst_group or NULL */
	bool as_other;    /* run programs as uid/gid below */
	uid_t uid;
	gid_t gid;
	char user[64];
	char *run_user;    /* [sawt] user or NULL */
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

/* [database] listen's port into port (PGEMBED_PORT when unset) and its
 * host, without IPv6 brackets, into host (may be NULL). */
static void listen_parts(const struct config *cfg, char *port, size_t portlen, char *host,
			 size_t hostlen)
{
	const char *l = cfg->db_listen, *colon = l ? strrchr(l, ':') : NULL;
	size_t n;

	snprintf(port, portlen, "%s", colon ? colon + 1 : PGEMBED_PORT);
	if (host == NULL)
		return;
	host[0] = '\0';
	if (colon == NULL)
		return;
	n = (size_t)(colon - l);
	if (n >= 2 && l[0] == '[' && l[n - 1] == ']') {
		l++;
		n -= 2;
	}
	snprintf(host, hostlen, "%.*s", (int)n, l);
}

const char *pgembed_port(const struct config *cfg, char *buf, size_t n)
{
	listen_parts(cfg, buf, n, NULL, 0);
	return buf;
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
	pg->listen = calloc(1, cfg->db_listen ? strlen(cfg->db_listen) + 1 : 1);
	if (pg->listen)
		listen_parts(cfg, pg->port, sizeof(pg->port), pg->listen,
			     cfg->db_listen ? strlen(cfg->db_listen) + 1 : 1);
	pg->group = cfg->db_analyst_group ? strdup(cfg->db_analyst_group) : NULL;
	pg->run_user = cfg->run_user ? strdup(cfg->run_user) : NULL;
	if ((cfg->run_user && !pg->run_user) || !pg->state_dir || !pg->data_dir || !pg->run_dir ||
	    !pg->log_file || (cfg->pg_bindir && !pg->bindir_cfg) || !pg->listen ||
	    (cfg->db_analyst_group && !pg->group)) {
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
	free(pg->listen);
	free(pg->group);
	free(pg->run_user);
	free(pg);
}

/*
 * As root, pick the unprivileged owner of the cluster: the user sawtd
 * becomes ([sawt] user, else "sawt", src/daemon/privdrop.c), so that it
 * can still run pg_ctl once it is no longer root; "postgres" only while
 * sawtd stays root.
 */
static bool pick_user(struct pgembed *pg, char *err, size_t n)
{
	const char *names[2] = { "sawt", "postgres" };
	size_t count = 2;

	if (geteuid() != 0)
		return true;
	if (pg->run_user != NULL && strcmp(pg->run_user, "root") != 0) {
		names[0] = pg->run_user;
		count = 1;
	}
	for (size_t i = 0; i < count; i++) {
		struct passwd *pw = getpwnam(names[i]);

		if (pw == NULL)
			continue;
		pg->as_other = true;
		pg->uid = pw->pw_uid;
		pg->gid = pw->pw_gid;
		snprintf(pg->user, sizeof(pg->user), "%s", names[i]);
		return true;
	}
	if (count == 1)
		util_seterr(err, n,
			    "user \"%s\" ([sawt] user) does not exist; create it with "
			    "\"adduser --system --group %s\"",
			    names[0], names[0]);
	else
		util_seterr(
			err, n,
			"sawtd runs as root but there is no user \"sawt\" or \"postgres\" to own the embedded database (initdb refuses root); "
			"create one with \"adduser --system sawt\" or configure [database] url");
	return false;
}

void pgembed_now_owner(struct pgembed *pg)
{
	if (pg != NULL && pg->as_other && geteuid() == pg->uid)
		pg->as_other = false;
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

/* Write file name of the data directory with text, owned by the cluster
 * user. */
static bool write_data_file(struct pgembed *pg, const char *name, const char *text, char *err,
			    size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pg->data_dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		util_seterr(err, n, "could not open file \"%s\": %s", path, strerror(errno));
		return false;
	}
	fputs(text, f);
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

/* s with single quotes doubled, for a postgresql.conf string, into buf. */
static const char *conf_quote(const char *s, char *buf, size_t n)
{
	size_t o = 0;

	for (; *s && o + 2 < n; s++) {
		if (*s == '\'')
			buf[o++] = '\'';
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Write data/sawt_embedded.conf: the Unix socket in run/ (reachable by
 * [database] analyst_group when set), TCP only when [database] listen is
 * set, passwords stored as SCRAM.
 */
static bool pg_write_conf(struct pgembed *pg, char *err, size_t n)
{
	char text[8192], dir[4096], host[512], group[256];

	snprintf(text, sizeof(text),
		 "# written by sawtd at every start (src/store/pgembed.c): edits are lost\n"
		 "listen_addresses = '%s'\n"
		 "port = %s\n"
		 "unix_socket_directories = '%s'\n"
		 "unix_socket_group = '%s'\n"
		 "unix_socket_permissions = %s\n"
		 "password_encryption = 'scram-sha-256'\n"
		 "max_connections = 50\n"
		 /* no JIT: sawt's queries are small, and the systemd unit denies
		  * writable executable memory (deploy/sawtd.service) */
		 "jit = off\n",
		 conf_quote(pg->listen, host, sizeof(host)), pg->port,
		 conf_quote(pg->run_dir, dir, sizeof(dir)),
		 conf_quote(pg->group ? pg->group : "", group, sizeof(group)),
		 pg->group ? "0770" : "0700");
	return write_data_file(pg, "sawt_embedded.conf", text, err, n);
}

/* The name of the user with uid, into buf; false when it has none. */
static bool user_name(uid_t uid, char *buf, size_t n)
{
	struct passwd *pw = getpwuid(uid);

	if (pw == NULL)
		return false;
	snprintf(buf, n, "%s", pw->pw_name);
	return true;
}

/*
 * Write data/pg_hba.conf and data/pg_ident.conf (replacing initdb's, which
 * trust every local connection): the daemon's own role PGEMBED_USER only by
 * peer authentication from the system users who run sawtd, own the
 * cluster or are root (map "sawtd"), never over TCP; every other role by
 * password (scram-sha-256), over the socket and, when [database] listen is
 * set, over TCP.
 */
static bool pg_write_auth(struct pgembed *pg, char *err, size_t n)
{
	char hba[2048], ident[1024], me[256], owner[256];
	size_t used;

	snprintf(hba, sizeof(hba),
		 "# written by sawtd at every start (src/store/pgembed.c): edits are lost.\n"
		 "# The daemon's role by peer authentication only; analysts' roles by\n"
		 "# password (docs/analysts.md).\n"
		 "# TYPE  DATABASE  USER  ADDRESS  METHOD\n"
		 "local   all       %s           peer map=sawtd\n"
		 "host    all       %s  all      reject\n"
		 "local   all       all            scram-sha-256\n"
		 "host    all       all   all      scram-sha-256\n",
		 PGEMBED_USER, PGEMBED_USER);
	used = (size_t)snprintf(ident, sizeof(ident),
				"# written by sawtd at every start (src/store/pgembed.c): the "
				"system users who may be role %s\n"
				"# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\n"
				"sawtd      root             %s\n",
				PGEMBED_USER, PGEMBED_USER);
	if (!user_name(pg->as_other ? pg->uid : geteuid(), owner, sizeof(owner)))
		owner[0] = '\0';
	if (!user_name(geteuid(), me, sizeof(me))) {
		log_warn(
			"the user id %ld running sawtd has no name: only root and the cluster's "
			"owner may connect to the embedded database as \"%s\"",
			(long)geteuid(), PGEMBED_USER);
		me[0] = '\0';
	}
	if (owner[0] && strcmp(owner, "root") != 0 && used < sizeof(ident))
		used += (size_t)snprintf(ident + used, sizeof(ident) - used, "sawtd      %s  %s\n",
					 owner, PGEMBED_USER);
	if (me[0] && strcmp(me, "root") != 0 && strcmp(me, owner) != 0 && used < sizeof(ident))
		snprintf(ident + used, sizeof(ident) - used, "sawtd      %s  %s\n", me,
			 PGEMBED_USER);
	return write_data_file(pg, "pg_hba.conf", hba, err, n) &&
	       write_data_file(pg, "pg_ident.conf", ident, err, n);
}

static bool pg_write_settings(struct pgembed *pg, char *err, size_t n)
{
	return pg_write_conf(pg, err, n) && pg_write_auth(pg, err, n);
}

/* Connect to the maintenance database and create ours if missing. */
static bool pg_create_database(struct pgembed *pg, char *err, size_t n)
{
	const char *keys[] = { "host", "port", "user", "dbname", NULL };
	const char *vals[] = { pg->run_dir, pg->port, PGEMBED_USER, "postgres", NULL };
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

/*
 * STATE, STATE/pg and STATE/pg/run.  With [database] analyst_group the
 * group's members may pass through STATE and STATE/pg (mode 0711: no
 * listing) and enter run/ (group analyst_group, mode 0750), where the
 * socket is theirs too (unix_socket_group); else run/ is the cluster
 * user's alone.
 */
static bool pg_prepare_dirs(struct pgembed *pg, char *err, size_t n)
{
	bool pass = pg->as_other || pg->group != NULL;
	struct group *gr = pg->group ? getgrnam(pg->group) : NULL;
	gid_t gid = gr ? gr->gr_gid : pg->as_other ? pg->gid : getegid();

	if (pg->group != NULL && gr == NULL) {
		util_seterr(err, n, "group \"%s\" ([database] analyst_group) does not exist",
			    pg->group);
		return false;
	}
	if (!make_parents(pg->state_dir, err, n) ||
	    !make_dir(pg, pg->state_dir, pass ? 0711 : 0750, false, err, n) ||
	    !make_dir(pg, pg->pg_dir, pg->group ? 0711 : 0700, true, err, n) ||
	    !make_dir(pg, pg->run_dir, pg->group ? 0750 : 0700, true, err, n))
		return false;
	if (pass && chmod(pg->state_dir, 0711) != 0) {
		util_seterr(err, n, "could not change mode of \"%s\": %s", pg->state_dir,
			    strerror(errno));
		return false;
	}
	if (chown(pg->run_dir, (uid_t)-1, gid) != 0) {
		util_seterr(err, n, "could not change the group of \"%s\" to \"%s\": %s",
			    pg->run_dir, pg->group ? pg->group : "the cluster user's",
			    strerror(errno));
		return false;
	}
	return true;
}

bool pgembed_start(struct pgembed *pg, char *err, size_t n)
{
	const char *status_args[] = { "status", "-D", pg->data_dir, NULL };
	const char *reload_args[] = { "reload", "-D", pg->data_dir, NULL };
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
		/* the authentication files just written */
		if (run_prog(pg, "pg_ctl", reload_args, pg->log_file) != 0)
			log_warn("could not reload the embedded PostgreSQL's settings; see \"%s\"",
				 pg->log_file);
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
	const char *status_args[] = { "status", "-D", pg->data_dir, NULL };

	if (pg->bindir == NULL)
		return true;
	/* a restart in flight finishes first, then its server is stopped */
	(void)restart_collect(pg, 0, NULL, 0);
	log_info("stopping the embedded PostgreSQL");
	if (run_prog(pg, "pg_ctl", args, "/dev/null") != 0) {
		/* pg_ctl status exits 3 when no server runs: someone stopped it first */
		if (run_prog(pg, "pg_ctl", status_args, "/dev/null") == 3) {
			log_warn("the embedded PostgreSQL in \"%s\" had already stopped",
				 pg->data_dir);
			return true;
		}
		util_seterr(err, n, "could not stop the embedded PostgreSQL in \"%s\"; see \"%s\"",
			    pg->data_dir, pg->log_file);
		return false;
	}
	return true;
}
