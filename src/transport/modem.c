/*
 * modem.c - supervising the modem worker processes from the event loop;
 * see modem.h.
 */
#include "modem.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "dummy_inbox.h"
#include "modem_worker.h"
#include "utf8.h"
#include "util.h"

#define TICK_MS 200
#define BALANCE_INTERVAL_DEFAULT 3600
#define WORKER_FD 3

struct slot {
	struct modem_mgr *mgr;
	struct config_modem *cfg; /* owned copy */
	struct modem_status st;
	uint32_t generation;     /* of the current worker */
	pid_t pid;               /* 0: none */
	struct bufferevent *bev; /* NULL: no channel */
	int64_t last_frame;      /* monotonic ms */
	int64_t started;         /* monotonic ms */
	int64_t restart_at;      /* monotonic ms, when DOWN */
	int64_t kill_at;         /* monotonic ms, 0: none */
	int failures;            /* consecutive short runs */
	uint64_t *sends;         /* outbox ids queued on the worker */
	size_t n_sends;
	bool retiring;                 /* removed from the configuration: stop,
					* then leave the manager */
	struct config_modem *next_cfg; /* changed: start with this once the
					* worker has exited (owned) */
};

struct modem_mgr {
	struct event_base *base;
	struct modem_options o;
	struct modem_callbacks cb;
	struct slot **slots; /* pointers: bufferevents hold a slot's address,
			      * so slots never move when the array grows */
	size_t n, cap;
	struct event *ev_chld;
	struct event *ev_tick;
	uint32_t generation;
	bool stopping;
};

static void slot_set_cfg(struct slot *s, struct config_modem *mc);
static void sweep(struct modem_mgr *m);

void modem_options_init(struct modem_options *o)
{
	*o = (struct modem_options){
		.poll_ms = 2000,
		.concat_wait_ms = 60000,
		.health_ms = 30000,
		.hang_ms = 180000,
		.ack_timeout_ms = 600000,
		.send_timeout_ms = 60000,
		.ussd_timeout_ms = 30000,
		.backoff_min_ms = 1000,
		.backoff_max_ms = 60000,
		.stop_timeout_ms = 10000,
		.reoffer_min_ms = 1000,
		.reoffer_max_ms = 60000,
	};
}

const char *modem_state_name(enum modem_state state)
{
	switch (state) {
	case MODEM_STATE_DOWN: return "down";
	case MODEM_STATE_STARTING: return "starting";
	case MODEM_STATE_READY: return "ready";
	case MODEM_STATE_NO_NETWORK: return "no_network";
	case MODEM_STATE_STOPPING: return "stopping";
	case MODEM_STATE_STOPPED: return "stopped";
	}
	return "unknown";
}

/* ---- modem configurations ---- */

void modem_config_free(struct config_modem *m)
{
	if (m == NULL)
		return;
	config_modem_clear(m);
	free(m);
}

/* strdup that keeps NULL; *ok turns false when out of memory. */
static char *dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*ok = false;
	return d;
}

struct config_modem *modem_config_dup(const struct config_modem *m)
{
	struct config_modem *d = calloc(1, sizeof(*d));
	bool ok = true;

	if (d == NULL)
		return NULL;
	*d = *m;
	d->gammu = NULL;
	d->n_gammu = 0;
	d->name = dup_or_null(m->name, &ok);
	d->device = dup_or_null(m->device, &ok);
	d->connection = dup_or_null(m->connection, &ok);
	d->model = dup_or_null(m->model, &ok);
	d->number = dup_or_null(m->number, &ok);
	d->balance_ussd = dup_or_null(m->balance_ussd, &ok);
	if (m->n_gammu > 0) {
		d->gammu = calloc(m->n_gammu, sizeof(*d->gammu));
		ok = ok && d->gammu != NULL;
		for (size_t i = 0; ok && i < m->n_gammu; i++, d->n_gammu++) {
			d->gammu[i].key = dup_or_null(m->gammu[i].key, &ok);
			d->gammu[i].value = dup_or_null(m->gammu[i].value, &ok);
		}
	}
	if (!ok || d->name == NULL) {
		modem_config_free(d);
		return NULL;
	}
	return d;
}

struct config_modem *modem_config_dummy(const char *state_dir)
{
	char dir[4096];
	struct config_kv kv[3] = {
		{ "model", "dummy" },
		{ "connection", "none" },
		{ "device", dir },
	};
	struct config_modem m = {
		.name = "dummy",
		.device = dir,
		.connection = "none",
		.model = "dummy",
		.gammu = kv,
		.n_gammu = 3,
		.balance_interval = BALANCE_INTERVAL_DEFAULT,
		.send = true,
		.receive = true,
	};

	dummy_inbox_default_dir(state_dir, dir, sizeof(dir));
	return modem_config_dup(&m);
}

static bool is_dummy(const struct config_modem *m)
{
	return m->model != NULL && strcmp(m->model, "dummy") == 0;
}

/* ---- status ---- */

static void notify(struct slot *s)
{
	struct modem_mgr *m = s->mgr;

	if (m->cb.on_status)
		m->cb.on_status(&s->st, m->cb.arg);
}

static void set_state(struct slot *s, enum modem_state state)
{
	if (s->st.state == state)
		return;
	log_info("modem \"%s\": %s -> %s", s->st.name, modem_state_name(s->st.state),
		 modem_state_name(state));
	s->st.state = state;
}

/* ---- frames to a worker ---- */

static bool send_frame(struct slot *s, const struct frame *f)
{
	uint8_t buf[FRAME_MAX];
	size_t n;

	if (s->bev == NULL)
		return false;
	n = frame_encode(f, buf, sizeof(buf));
	return n > 0 && bufferevent_write(s->bev, buf, n) == 0;
}

/* ---- worker exit and restart ---- */

static void close_channel(struct slot *s)
{
	if (s->bev != NULL) {
		bufferevent_free(s->bev);
		s->bev = NULL;
	}
}

static void kill_worker(struct slot *s, const char *why)
{
	if (s->pid <= 0)
		return;
	log_error("modem \"%s\": %s; killing worker %ld", s->st.name, why, (long)s->pid);
	kill(s->pid, SIGKILL);
	s->kill_at = 0;
	close_channel(s);
}

/* Report every queued send as failed (the worker is gone). */
static void fail_sends(struct slot *s)
{
	struct modem_mgr *m = s->mgr;
	uint64_t *ids = s->sends;
	size_t n = s->n_sends;

	s->sends = NULL;
	s->n_sends = 0;
	s->st.sends_queued = 0;
	for (size_t i = 0; i < n; i++) {
		s->st.send_failed++;
		if (m->cb.on_sent)
			m->cb.on_sent(
				s->st.name, ids[i], MODEM_SEND_LOST, 0, -1,
				"the modem worker exited before reporting (the message may have been sent)",
				m->cb.arg);
	}
	free(ids);
}

static int backoff_ms(struct slot *s)
{
	const struct modem_options *o = &s->mgr->o;
	int64_t d = o->backoff_min_ms;

	for (int i = 0; i < s->failures && d < o->backoff_max_ms; i++)
		d *= 2;
	if (d > o->backoff_max_ms)
		d = o->backoff_max_ms;
	s->failures++;
	return (int)d;
}

static void log_exit(struct slot *s, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == MODEM_WORKER_EXIT_OK)
		log_info("modem \"%s\": worker %ld exited", s->st.name, (long)s->pid);
	else if (WIFEXITED(status))
		log_error("modem \"%s\": worker %ld exited with status %d", s->st.name,
			  (long)s->pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_error("modem \"%s\": worker %ld was terminated by signal %d", s->st.name,
			  (long)s->pid, WTERMSIG(status));
}

static void worker_exited(struct slot *s, int status)
{
	struct modem_mgr *m = s->mgr;
	int delay;

	log_exit(s, status);
	close_channel(s);
	s->pid = 0;
	s->st.pid = 0;
	s->st.held = 0; /* still on the modem: the next worker offers them */
	s->kill_at = 0;
	if (m->stopping || s->retiring) {
		set_state(s, MODEM_STATE_STOPPED);
	} else if (s->next_cfg != NULL) {
		/* its section changed: start again at once, with the new one */
		slot_set_cfg(s, s->next_cfg);
		s->next_cfg = NULL;
		s->failures = 0;
		s->restart_at = util_mono_ms();
		set_state(s, MODEM_STATE_DOWN);
		log_info("modem \"%s\": starting with its new configuration", s->st.name);
	} else {
		delay = backoff_ms(s);
		s->restart_at = util_mono_ms() + delay;
		set_state(s, MODEM_STATE_DOWN);
		log_info("modem \"%s\": restarting in %.1f s", s->st.name, delay / 1000.0);
	}
	fail_sends(s);
	notify(s);
}

static void reap(struct slot *s)
{
	int status;
	pid_t r;

	if (s->pid <= 0)
		return;
	do
		r = waitpid(s->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == s->pid)
		worker_exited(s, status);
}

/* ---- frames from a worker ---- */

static void protocol_error(struct slot *s, const char *what)
{
	char why[160];

	snprintf(why, sizeof(why), "protocol error (%s)", what);
	snprintf(s->st.last_error, sizeof(s->st.last_error), "%s", why);
	kill_worker(s, why);
}

static void on_hello(struct slot *s, const struct frame_hello *h)
{
	snprintf(s->st.manufacturer, sizeof(s->st.manufacturer), "%s", h->manufacturer);
	snprintf(s->st.model, sizeof(s->st.model), "%s", h->model);
	snprintf(s->st.imei, sizeof(s->st.imei), "%s", h->imei);
	log_info("modem \"%s\": device open (%s %s)", s->st.name, h->manufacturer, h->model);
	notify(s);
}

static void on_health(struct slot *s, const struct frame_health *h)
{
	struct modem_status *st = &s->st;

	st->net = (enum frame_net)h->net;
	st->signal_percent = h->signal_percent;
	st->signal_dbm = h->signal_dbm;
	if (h->last_activity_ms > st->last_activity_ms)
		st->last_activity_ms = h->last_activity_ms;
	snprintf(st->operator_code, sizeof(st->operator_code), "%s", h->operator_code);
	snprintf(st->operator_name, sizeof(st->operator_name), "%s", h->operator_name);
	if (h->error[0] != '\0')
		snprintf(st->last_error, sizeof(st->last_error), "%s", h->error);
	if (st->state != MODEM_STATE_STOPPING) {
		if (h->state == FRAME_WS_READY)
			set_state(s, MODEM_STATE_READY);
		else if (h->state == FRAME_WS_NO_NETWORK)
			set_state(s, MODEM_STATE_NO_NETWORK);
		else
			set_state(s, MODEM_STATE_STARTING);
	}
	notify(s);
}

static void on_inbound(struct slot *s, const struct frame_inbound *f)
{
	struct modem_mgr *m = s->mgr;

	if ((uint32_t)(f->token >> 32) != s->generation) {
		protocol_error(s, "token of another worker");
		return;
	}
	if (strcmp(f->in.source, s->st.name) != 0) {
		protocol_error(s, "record of another modem");
		return;
	}
	s->st.received++;
	s->st.last_activity_ms = util_wall_ms();
	if (m->cb.on_inbound)
		m->cb.on_inbound(&f->in, s->st.name, f->token, m->cb.arg);
}

static void on_sent(struct slot *s, const struct frame_sent *f)
{
	struct modem_mgr *m = s->mgr;
	size_t i;

	for (i = 0; i < s->n_sends && s->sends[i] != f->outbox_id; i++)
		;
	if (i == s->n_sends) {
		log_warn("modem \"%s\": outcome of a send that was not queued (%llu)", s->st.name,
			 (unsigned long long)f->outbox_id);
		return;
	}
	memmove(&s->sends[i], &s->sends[i + 1], (s->n_sends - i - 1) * sizeof(*s->sends));
	s->st.sends_queued = (unsigned)--s->n_sends;
	if (f->ok)
		s->st.sent++;
	else
		s->st.send_failed++;
	s->st.last_activity_ms = util_wall_ms();
	if (m->cb.on_sent)
		m->cb.on_sent(s->st.name, f->outbox_id, f->ok ? MODEM_SEND_OK : MODEM_SEND_FAILED,
			      f->parts, f->reference, f->error, m->cb.arg);
}

static void on_held(struct slot *s, const struct frame_held *f)
{
	if (f->messages == s->st.held)
		return;
	log_debug("modem \"%s\": %u refused message(s) held", s->st.name, f->messages);
	s->st.held = f->messages;
	notify(s);
}

static void on_balance(struct slot *s, const struct frame_balance *f)
{
	snprintf(s->st.balance, sizeof(s->st.balance), "%s", f->text);
	s->st.balance_ok = f->ok;
	s->st.balance_ms = util_wall_ms();
	if (!f->ok)
		log_warn("modem \"%s\": balance check failed: %s", s->st.name, f->text);
	notify(s);
}

static void handle_frame(struct slot *s, const struct frame *f)
{
	struct modem_mgr *m = s->mgr;

	s->last_frame = util_mono_ms();
	s->st.last_report_ms = util_wall_ms();
	switch (f->type) {
	case FRAME_HELLO:
		if (f->u.hello.generation != s->generation)
			protocol_error(s, "hello of another worker");
		else
			on_hello(s, &f->u.hello);
		break;
	case FRAME_INBOUND: on_inbound(s, &f->u.inbound); break;
	case FRAME_HEALTH: on_health(s, &f->u.health); break;
	case FRAME_SENT: on_sent(s, &f->u.sent); break;
	case FRAME_BALANCE: on_balance(s, &f->u.balance); break;
	case FRAME_HELD: on_held(s, &f->u.held); break;
	case FRAME_DELIVERY:
		if (m->cb.on_delivery)
			m->cb.on_delivery(s->st.name, f->u.delivery.reference,
					  (enum frame_delivery)f->u.delivery.status,
					  f->u.delivery.recipient, m->cb.arg);
		break;
	default: protocol_error(s, "frame type meant for a worker"); break;
	}
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct slot *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct frame f;
	enum frame_result r;
	size_t len, used;
	uint8_t *p;

	while (s->bev == bev && (len = evbuffer_get_length(in)) > 0) {
		if (len > FRAME_MAX)
			len = FRAME_MAX;
		p = evbuffer_pullup(in, (ssize_t)len);
		r = frame_decode(p, len, &f, &used);
		if (r == FRAME_INCOMPLETE)
			return;
		if (r != FRAME_OK) {
			protocol_error(s, frame_result_name(r));
			return;
		}
		evbuffer_drain(in, used);
		handle_frame(s, &f);
	}
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct slot *s = arg;

	(void)bev;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	log_debug("modem \"%s\": worker closed its connection", s->st.name);
	close_channel(s);
	/* it is exiting; give it the stop grace time to do so */
	s->kill_at = util_mono_ms() + s->mgr->o.stop_timeout_ms;
}

/* ---- starting a worker ---- */

static void reset_signals(void)
{
	static const int sigs[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,
				    SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
	sigset_t all;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Leave the terminal's process group: a Ctrl-C is for sawtd, which
	 * stops its workers in order; they must not die with it at once. */
	setpgid(0, 0);
}

/* Close every descriptor from first on (the parent's sockets, the event
 * loop's, the database's). */
static void close_from(int first)
{
	struct dirent *de;
	DIR *d;
	int fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0)
		return;
#endif
	d = opendir("/proc/self/fd");
	if (d == NULL) {
		for (fd = first; fd < 1024; fd++)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (fd >= first && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

/* In the child: leave the parent's world and run the worker. */
static void SAWT_NORETURN child_main(struct slot *s, int fd, pid_t parent)
{
	const struct modem_options *o = &s->mgr->o;
	struct modem_worker_opts wo = {
		.generation = s->generation,
		.poll_ms = o->poll_ms,
		.concat_wait_ms = o->concat_wait_ms,
		.health_ms = o->health_ms,
		.ack_timeout_ms = o->ack_timeout_ms,
		.send_timeout_ms = o->send_timeout_ms,
		.ussd_timeout_ms = o->ussd_timeout_ms,
		.reoffer_min_ms = o->reoffer_min_ms,
		.reoffer_max_ms = o->reoffer_max_ms,
	};

	reset_signals();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(MODEM_WORKER_EXIT_OK);
	if (fd != WORKER_FD) {
		if (dup2(fd, WORKER_FD) < 0)
			_exit(MODEM_WORKER_EXIT_NOMEM);
		fd = WORKER_FD;
	}
	close_from(WORKER_FD + 1);
	/* never touch the parent's event loop; _exit skips its atexit work */
	_exit(modem_worker_main(s->cfg, fd, &wo));
}

static bool open_channel(struct slot *s, int fd)
{
	struct modem_mgr *m = s->mgr;

	if (evutil_make_socket_nonblocking(fd) != 0)
		goto fail;
	s->bev = bufferevent_socket_new(m->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL)
		goto fail;
	bufferevent_setcb(s->bev, read_cb, NULL, event_cb, s);
	if (bufferevent_enable(s->bev, EV_READ | EV_WRITE) != 0) {
		close_channel(s);
		return false;
	}
	return true;
fail:
	close(fd);
	return false;
}

static void spawn_failed(struct slot *s, const char *what)
{
	int delay = backoff_ms(s);

	log_error("modem \"%s\": could not start the worker: %s: %s; retrying in %.1f s",
		  s->st.name, what, strerror(errno), delay / 1000.0);
	s->restart_at = util_mono_ms() + delay;
	set_state(s, MODEM_STATE_DOWN);
}

static void spawn(struct slot *s)
{
	struct modem_mgr *m = s->mgr;
	pid_t parent = getpid(), pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		spawn_failed(s, "socketpair");
		return;
	}
	s->generation = ++m->generation;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		spawn_failed(s, "fork");
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(s, sv[1], parent);
	}
	close(sv[1]);
	if (s->st.started_ms != 0)
		s->st.restarts++;
	s->pid = pid;
	s->st.pid = pid;
	s->started = s->last_frame = util_mono_ms();
	s->st.started_ms = util_wall_ms();
	s->kill_at = 0;
	if (!open_channel(s, sv[0]))
		kill_worker(s, "could not watch its socket");
	set_state(s, MODEM_STATE_STARTING);
	notify(s);
}

/* ---- the timer ---- */

static void check_slot(struct slot *s, int64_t now)
{
	struct modem_mgr *m = s->mgr;
	char why[96];

	reap(s);
	if (s->pid == 0) {
		if (s->st.state == MODEM_STATE_DOWN && !m->stopping && now >= s->restart_at)
			spawn(s);
		return;
	}
	if (s->kill_at != 0 && now >= s->kill_at) {
		kill_worker(s, s->st.state == MODEM_STATE_STOPPING ? "did not stop in time"
								   : "did not exit after closing");
	} else if (s->bev != NULL && now - s->last_frame > m->o.hang_ms) {
		snprintf(why, sizeof(why), "no report for %.1f s (hung)",
			 (now - s->last_frame) / 1000.0);
		snprintf(s->st.last_error, sizeof(s->st.last_error), "%s", why);
		kill_worker(s, why);
	}
	if (now - s->started >= m->o.backoff_max_ms)
		s->failures = 0;
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct modem_mgr *m = arg;
	int64_t now = util_mono_ms();

	(void)fd;
	(void)what;
	for (size_t i = 0; i < m->n; i++)
		check_slot(m->slots[i], now);
	sweep(m);
}

static void chld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct modem_mgr *m = arg;

	(void)sig;
	(void)what;
	for (size_t i = 0; i < m->n; i++)
		reap(m->slots[i]);
}

/* ---- public ---- */

/* Take mc (owned) as s's configuration, and what the status shows of it. */
static void slot_set_cfg(struct slot *s, struct config_modem *mc)
{
	modem_config_free(s->cfg);
	s->cfg = mc;
	s->st.send = mc->send;
	s->st.receive = mc->receive;
	snprintf(s->st.number, sizeof(s->st.number), "%s", mc->number ? mc->number : "");
}

/*
 * Append a slot for mc (owned; freed here on failure), DOWN with no
 * worker.  Returns it, or NULL when mc is NULL or out of memory.
 */
static struct slot *add_slot(struct modem_mgr *m, struct config_modem *mc)
{
	struct slot *s;

	if (mc == NULL)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL || !array_grow(&m->slots, &m->cap, m->n + 1, sizeof(*m->slots))) {
		free(s);
		modem_config_free(mc);
		return NULL;
	}
	m->slots[m->n++] = s;
	s->mgr = m;
	snprintf(s->st.name, sizeof(s->st.name), "%s", mc->name);
	s->st.signal_percent = -1;
	s->st.state = MODEM_STATE_DOWN;
	slot_set_cfg(s, mc);
	return s;
}

/* Free a slot whose worker is gone (or kill and reap it first). */
static void slot_free(struct slot *s)
{
	close_channel(s);
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(s->sends);
	modem_config_free(s->cfg);
	modem_config_free(s->next_cfg);
	free(s);
}

/* Drop the slots of removed modems whose worker has exited. */
static void sweep(struct modem_mgr *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct slot *s = m->slots[i];

		if (s->retiring && s->pid == 0) {
			log_info("modem \"%s\": removed", s->st.name);
			slot_free(s);
		} else {
			m->slots[kept++] = s;
		}
	}
	m->n = kept;
}

struct modem_mgr *modem_mgr_new(struct event_base *base, const struct config *cfg,
				const struct modem_options *opts, const struct modem_callbacks *cb)
{
	struct modem_mgr *m = calloc(1, sizeof(*m));
	size_t want = cfg->n_modems ? cfg->n_modems : 1;
	bool ok = true;

	if (m == NULL)
		return NULL;
	m->base = base;
	if (opts)
		m->o = *opts;
	else
		modem_options_init(&m->o);
	if (cb)
		m->cb = *cb;
	if (!array_grow(&m->slots, &m->cap, want, sizeof(*m->slots))) {
		free(m);
		return NULL;
	}
	if (cfg->n_modems == 0)
		ok = add_slot(m, modem_config_dummy(cfg->state_dir)) != NULL;
	for (size_t i = 0; ok && i < cfg->n_modems; i++)
		ok = add_slot(m, modem_config_dup(&cfg->modems[i])) != NULL;
	if (!ok) {
		modem_mgr_free(m);
		return NULL;
	}
	return m;
}

static bool prepare_dummies(struct modem_mgr *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct config_modem *mc = m->slots[i]->cfg;

		if (is_dummy(mc) && mc->device != NULL &&
		    !dummy_inbox_prepare(mc->device, err, errlen))
			return false;
	}
	return true;
}

bool modem_mgr_start(struct modem_mgr *mgr, char *err, size_t errlen)
{
	struct timeval tick = { 0, TICK_MS * 1000 };

	if (!prepare_dummies(mgr, err, errlen))
		return false;
	mgr->ev_chld = evsignal_new(mgr->base, SIGCHLD, chld_cb, mgr);
	mgr->ev_tick = event_new(mgr->base, -1, EV_PERSIST, tick_cb, mgr);
	if (mgr->ev_chld == NULL || mgr->ev_tick == NULL || event_add(mgr->ev_chld, NULL) != 0 ||
	    event_add(mgr->ev_tick, &tick) != 0) {
		snprintf(err, errlen, "could not set up the modem supervision events");
		return false;
	}
	for (size_t i = 0; i < mgr->n; i++)
		spawn(mgr->slots[i]);
	return true;
}

static struct slot *find(const struct modem_mgr *mgr, const char *modem)
{
	for (size_t i = 0; i < mgr->n; i++)
		if (strcmp(mgr->slots[i]->st.name, modem) == 0)
			return mgr->slots[i];
	return NULL;
}

/* ---- reconfiguration (SIGHUP) ---- */

static bool same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* True when a and b would make the same worker. */
static bool same_modem(const struct config_modem *a, const struct config_modem *b)
{
	if (!same_str(a->name, b->name) || !same_str(a->device, b->device) ||
	    !same_str(a->connection, b->connection) || !same_str(a->model, b->model) ||
	    !same_str(a->number, b->number) || !same_str(a->balance_ussd, b->balance_ussd) ||
	    a->balance_interval != b->balance_interval || a->send != b->send ||
	    a->receive != b->receive || a->n_gammu != b->n_gammu)
		return false;
	for (size_t i = 0; i < a->n_gammu; i++)
		if (!same_str(a->gammu[i].key, b->gammu[i].key) ||
		    !same_str(a->gammu[i].value, b->gammu[i].value))
			return false;
	return true;
}

/*
 * A dummy phone's folder must exist before its worker opens it (as at
 * start).  Returns false, logged with what for, when it cannot be made.
 */
static bool prepare(const struct config_modem *mc, const char *what)
{
	char err[256];

	if (!is_dummy(mc) || mc->device == NULL ||
	    dummy_inbox_prepare(mc->device, err, sizeof(err)))
		return true;
	log_error("modem \"%s\": %s: %s", mc->name, what, err);
	return false;
}

/* Ask s's worker to finish (it is then started again or dropped). */
static void stop_worker(struct slot *s)
{
	struct frame f;

	if (s->pid == 0 || s->st.state == MODEM_STATE_STOPPING)
		return;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_SHUTDOWN;
	if (!send_frame(s, &f))
		log_debug("modem \"%s\": could not send shutdown", s->st.name);
	set_state(s, MODEM_STATE_STOPPING);
	s->kill_at = util_mono_ms() + s->mgr->o.stop_timeout_ms;
	notify(s);
}

/* s's section is gone: stop its worker; the tick then drops the slot. */
static void retire(struct slot *s)
{
	modem_config_free(s->next_cfg);
	s->next_cfg = NULL;
	s->retiring = true;
	log_info("modem \"%s\": no longer configured; stopping it", s->st.name);
	if (s->pid == 0) {
		set_state(s, MODEM_STATE_STOPPED);
		notify(s);
	} else {
		stop_worker(s);
	}
}

/* s's section changed to mc (owned): restart its worker with it. */
static void change(struct slot *s, struct config_modem *mc)
{
	if (!prepare(mc, "new configuration not applied, the modem runs as before")) {
		modem_config_free(mc);
		return;
	}
	s->retiring = false;
	log_info("modem \"%s\": configuration changed; restarting it", s->st.name);
	if (s->pid == 0) {
		slot_set_cfg(s, mc);
		s->failures = 0;
		s->restart_at = util_mono_ms();
		set_state(s, MODEM_STATE_DOWN);
		notify(s);
		return;
	}
	modem_config_free(s->next_cfg);
	s->next_cfg = mc;
	stop_worker(s);
}

/* mc (owned) names a modem not running yet: add it and start its worker. */
static void add_new(struct modem_mgr *mgr, struct config_modem *mc)
{
	struct slot *s;

	if (!prepare(mc, "not added")) {
		modem_config_free(mc);
		return;
	}
	s = add_slot(mgr, mc);
	if (s == NULL) {
		log_error("could not add a modem: out of memory");
		return;
	}
	log_info("modem \"%s\": added", s->st.name);
	spawn(s);
}

/* The modem sections cfg asks for, as owned copies; false when out of memory. */
static bool wanted_modems(const struct config *cfg, struct config_modem ***out, size_t *n)
{
	size_t want = cfg->n_modems ? cfg->n_modems : 1;
	struct config_modem **w = calloc(want, sizeof(*w));
	bool ok = w != NULL;

	if (ok && cfg->n_modems == 0)
		ok = (w[0] = modem_config_dummy(cfg->state_dir)) != NULL;
	for (size_t i = 0; ok && i < cfg->n_modems; i++)
		ok = (w[i] = modem_config_dup(&cfg->modems[i])) != NULL;
	if (!ok && w != NULL) {
		for (size_t i = 0; i < want; i++)
			modem_config_free(w[i]);
		free(w);
		w = NULL;
	}
	*out = w;
	*n = want;
	return ok;
}

void modem_mgr_reconfigure(struct modem_mgr *mgr, const struct config *cfg)
{
	struct config_modem **want;
	size_t n_want, n_old = mgr->n;

	if (mgr->stopping || mgr->ev_tick == NULL)
		return;
	if (!wanted_modems(cfg, &want, &n_want)) {
		log_error(
			"could not apply the modem sections: out of memory; the modems run as before");
		return;
	}
	for (size_t i = 0; i < n_old; i++) {
		struct slot *s = mgr->slots[i];
		bool kept = false;

		for (size_t k = 0; k < n_want && !kept; k++)
			kept = want[k] != NULL && strcmp(want[k]->name, s->st.name) == 0;
		if (!kept && !s->retiring)
			retire(s);
	}
	for (size_t k = 0; k < n_want; k++) {
		struct slot *s = find(mgr, want[k]->name);
		const struct config_modem *now;

		if (s == NULL) {
			add_new(mgr, want[k]);
			continue;
		}
		now = s->next_cfg ? s->next_cfg : s->cfg;
		if (!s->retiring && same_modem(now, want[k]))
			modem_config_free(want[k]);
		else
			change(s, want[k]);
	}
	free(want);
}

bool modem_mgr_ack(struct modem_mgr *mgr, const char *modem, uint64_t token)
{
	struct slot *s = find(mgr, modem);
	struct frame f;

	if (s == NULL || s->pid == 0 || (uint32_t)(token >> 32) != s->generation)
		return false;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_ACK;
	f.u.ack.token = token;
	return send_frame(s, &f);
}

bool modem_mgr_release(struct modem_mgr *mgr, const char *modem, uint64_t token)
{
	struct slot *s = find(mgr, modem);
	struct frame f;

	if (s == NULL || s->pid == 0 || (uint32_t)(token >> 32) != s->generation)
		return false;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_RELEASE;
	f.u.release.token = token;
	return send_frame(s, &f);
}

void modem_mgr_rescan(struct modem_mgr *mgr)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_RESCAN;
	for (size_t i = 0; i < mgr->n; i++) {
		struct slot *s = mgr->slots[i];

		if (s->pid > 0 && s->cfg->receive && !send_frame(s, &f))
			log_debug("modem \"%s\": could not send rescan", s->st.name);
	}
}

size_t modem_mgr_held(const struct modem_mgr *mgr)
{
	size_t n = 0;

	for (size_t i = 0; i < mgr->n; i++)
		n += mgr->slots[i]->st.held;
	return n;
}

bool modem_mgr_send(struct modem_mgr *mgr, const char *modem, uint64_t outbox_id, const char *to,
		    const char *text)
{
	struct slot *s = find(mgr, modem);
	struct frame f;
	size_t len = strlen(text);
	uint64_t *ids;

	if (s == NULL || !s->cfg->send || s->st.state != MODEM_STATE_READY ||
	    s->n_sends >= MODEM_SENDS_MAX || !frame_number_ok(to) || len > FRAME_TEXT_MAX ||
	    utf8_validate(text, len) != len)
		return false;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_SEND;
	f.u.send.outbox_id = outbox_id;
	f.u.send.text_len = (uint16_t)len;
	snprintf(f.u.send.to, sizeof(f.u.send.to), "%s", to);
	memcpy(f.u.send.text, text, len + 1);
	ids = realloc(s->sends, (s->n_sends + 1) * sizeof(*ids));
	if (ids == NULL)
		return false;
	s->sends = ids;
	if (!send_frame(s, &f))
		return false;
	s->sends[s->n_sends++] = outbox_id;
	s->st.sends_queued = (unsigned)s->n_sends;
	return true;
}

bool modem_mgr_healthy(const struct modem_mgr *mgr, const char *modem)
{
	const struct slot *s = find(mgr, modem);

	return s != NULL && s->cfg->send && s->st.state == MODEM_STATE_READY;
}

size_t modem_mgr_count(const struct modem_mgr *mgr)
{
	return mgr->n;
}

const struct modem_status *modem_mgr_status_at(const struct modem_mgr *mgr, size_t i)
{
	return i < mgr->n ? &mgr->slots[i]->st : NULL;
}

const struct modem_status *modem_mgr_status(const struct modem_mgr *mgr, const char *modem)
{
	const struct slot *s = find(mgr, modem);

	return s ? &s->st : NULL;
}

void modem_mgr_stop(struct modem_mgr *mgr)
{
	struct frame f;

	if (mgr == NULL)
		return;
	mgr->stopping = true;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_SHUTDOWN;
	for (size_t i = 0; i < mgr->n; i++) {
		struct slot *s = mgr->slots[i];

		if (s->pid == 0) {
			set_state(s, MODEM_STATE_STOPPED);
		} else {
			if (!send_frame(s, &f))
				log_debug("modem \"%s\": could not send shutdown", s->st.name);
			set_state(s, MODEM_STATE_STOPPING);
			s->kill_at = util_mono_ms() + mgr->o.stop_timeout_ms;
		}
		notify(s);
	}
}

size_t modem_mgr_running(const struct modem_mgr *mgr)
{
	size_t n = 0;

	for (size_t i = 0; i < mgr->n; i++)
		if (mgr->slots[i]->pid > 0)
			n++;
	return n;
}

void modem_mgr_free(struct modem_mgr *mgr)
{
	if (mgr == NULL)
		return;
	for (size_t i = 0; i < mgr->n; i++)
		slot_free(mgr->slots[i]);
	if (mgr->ev_chld)
		event_free(mgr->ev_chld);
	if (mgr->ev_tick)
		event_free(mgr->ev_tick);
	free(mgr->slots);
	free(mgr);
}
