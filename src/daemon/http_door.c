/*
 * http_door.c - sawtd's HTTP server from the configuration; see http_door.h.
 */
#include "http_door.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"

/* Descriptors kept for everything that is not an HTTP connection: the
 * database connections, modem workers, spool files, the listener. */
#define FD_RESERVE 256

/*
 * Make room for want HTTP connections under RLIMIT_NOFILE: raise the soft
 * limit up to the hard one if needed.  Returns how many connections fit.
 */
static unsigned fd_room(unsigned want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rlim_t cur = rl.rlim_cur;

		rl.rlim_cur =
			(rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("could not raise the limit on open files from %llu to %llu: %s",
				 (unsigned long long)cur, (unsigned long long)rl.rlim_cur,
				 strerror(errno));
			rl.rlim_cur = cur;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return want;
	if (rl.rlim_cur <= FD_RESERVE + 1)
		return 1;
	return (unsigned)(rl.rlim_cur - FD_RESERVE);
}

struct http_server *http_door_new(struct event_base *base, const struct config *cfg, char *err,
				  size_t errlen)
{
	struct http_server_options opt = { 0 };
	struct http_server *srv;
	unsigned room;

	if (errlen > 0)
		err[0] = '\0';
	if (cfg->http_listen == NULL)
		return NULL;
	opt.listen = cfg->http_listen;
	opt.secret = cfg->http_secret;
	opt.tls_cert = cfg->tls_cert;
	opt.tls_key = cfg->tls_key;
	opt.timeout_s = cfg->http_timeout;
	opt.max_conns = (unsigned)cfg->http_max_connections;
	room = fd_room(opt.max_conns);
	if (room < opt.max_conns) {
		log_warn(
			"[http] max_connections lowered from %u to %u: the limit on open files "
			"allows no more (raise LimitNOFILE)",
			opt.max_conns, room);
		opt.max_conns = room;
	}
	srv = http_server_new(base, &opt, err, errlen);
	if (srv == NULL)
		return NULL;
	if (cfg->http_secret == NULL || cfg->http_secret[0] == '\0')
		log_warn("[http] secret is not set: requests that need it are refused");
	log_info("HTTP%s on %s (port %d, at most %u connections, timeout %d s)",
		 http_server_tls(srv) ? "S" : "", cfg->http_listen, http_server_port(srv),
		 opt.max_conns, opt.timeout_s);
	return srv;
}
