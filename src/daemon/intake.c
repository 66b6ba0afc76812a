/*
 * intake.c - hand-over point of every transport; see intake.h.
 *
 * Refusals come in episodes: the first message that can be neither
 * committed nor spooled starts one (one error line, with the spool's
 * figures); it ends once messages are made durable again, none has
 * been refused for EPISODE_QUIET_SEC and the sources hold none of them
 * any more (one line, with how many messages were refused meanwhile).  In between each refusal is a debug line: a
 * spool that takes a few messages as the replay frees room, and refuses
 * the next, is one episode, not many.  The spool's filesystem is looked at (statvfs) after each
 * spooled message and every SPACE_CHECK_SEC: below the configured free
 * space a warning, once, and a line when there is room again.
 */
#include "intake.h"

#include <assert.h>
#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "pipeline.h"
#include "spool.h"
#include "strmap.h"
#include "util.h"

#define REPLAY_WINDOW 64
#define SPACE_CHECK_SEC 10
#define REFUSED_TRACK_MAX 100000  /* distinct refused messages counted per episode */
#define ROOM_GROWTH_BYTES 4096    /* free space grown by this much: offer again */
#define EPISODE_QUIET_SEC 10      /* durable again, no refusal for this long: over */
#define EPISODE_HELD_WAIT_SEC 300 /* ... once the sources hold none, or after this */

/* A refusal episode: from the first refused message to the next durable one. */
struct episode {
	bool on;
	int64_t started_ms;      /* monotonic */
	int64_t durable_ms;      /* first durable message since the last refusal; 0 none */
	uint64_t refusals;       /* offers refused (a message offered again counts again) */
	struct strmap *keys;     /* dedup keys of the messages refused (owned copies) */
	uint64_t untracked;      /* refused messages beyond REFUSED_TRACK_MAX */
	int64_t free_at_fail;    /* free bytes at the last refusal, -1 unknown */
	bool refused_since_room; /* a refusal since the last room hint */
};

struct intake {
	struct event_base *base;
	struct pipeline *pl;
	struct spool *spool;
	char *spool_dir;
	bool db_ready;
	uint64_t replay_cursor; /* highest spool seq handed to the pipeline */
	size_t replay_in_flight;
	size_t direct_in_flight;
	bool replay_failed; /* a replayed message failed: pause */
	struct event *ev_retry;
	struct event *ev_space;
	struct event *ev_quiet; /* ends an episode */
	struct intake_stats stats;
	struct intake_hooks hooks;
	struct episode ep;
	uint64_t warn_bytes; /* warn below this much free space ... */
	unsigned warn_pct;   /* ... or this share of the filesystem (one is 0) */
	bool space_low;      /* below the threshold: warned */
	int64_t free_bytes;  /* last statvfs; -1 unknown */
	int64_t total_bytes;
};

struct pending {
	struct intake *in;
	intake_ack_cb ack;
	void *arg;
	uint64_t seq; /* spool seq when replaying, else 0 */
	struct inbound msg;
};

static void intake_replay(struct intake *in);

/* "320.0 kB": n bytes for a log line. */
static const char *fmt_bytes(int64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	if (n < 0) {
		snprintf(buf, len, "unknown");
		return buf;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRId64 " B", n);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* Messages refused earlier may be taken now: tell the transports (once
 * per refusal, however many reasons come together). */
static void room(struct intake *in)
{
	if (!in->ep.refused_since_room)
		return;
	in->ep.refused_since_room = false;
	if (in->hooks.room != NULL)
		in->hooks.room(in->hooks.arg);
}

/*
 * Look at the spool's filesystem: remember its free space, warn once when
 * it falls below the threshold and say when it is back above.  Free space
 * that grew since the last refusal is room for refused messages.
 */
static void check_space(struct intake *in)
{
	struct statvfs sv;
	uint64_t threshold;
	char f[32], t[32], w[32];
	bool low;

	if (statvfs(in->spool_dir, &sv) != 0) {
		if (in->free_bytes >= 0)
			log_warn("could not check the free space of \"%s\": %s", in->spool_dir,
				 strerror(errno));
		in->free_bytes = in->total_bytes = -1;
		return;
	}
	in->free_bytes = (int64_t)((uint64_t)sv.f_bavail * sv.f_frsize);
	in->total_bytes = (int64_t)((uint64_t)sv.f_blocks * sv.f_frsize);
	threshold =
		in->warn_pct > 0 ? (uint64_t)in->total_bytes / 100 * in->warn_pct : in->warn_bytes;
	low = (uint64_t)in->free_bytes < threshold;
	if (low && !in->space_low)
		log_warn(
			"the spool's filesystem is nearly full: %s free of %s, below the %s of "
			"spool_warn_free; %zu message(s) spooled; when it is full, messages stay "
			"with their sources until there is room (see the operator's guide)",
			fmt_bytes(in->free_bytes, f, sizeof(f)),
			fmt_bytes(in->total_bytes, t, sizeof(t)),
			fmt_bytes((int64_t)threshold, w, sizeof(w)), spool_count(in->spool));
	else if (!low && in->space_low)
		log_info("the spool's filesystem has room again: %s free of %s",
			 fmt_bytes(in->free_bytes, f, sizeof(f)),
			 fmt_bytes(in->total_bytes, t, sizeof(t)));
	in->space_low = low;
	if (in->ep.on && in->ep.free_at_fail >= 0 &&
	    in->free_bytes >= in->ep.free_at_fail + ROOM_GROWTH_BYTES)
		room(in);
}

static void space_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	check_space(arg);
}

static bool key_free(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
	return true;
}

/* A message could be neither committed nor spooled (err says why). */
static void refused(struct intake *in, const struct inbound *msg, const char *err)
{
	struct episode *ep = &in->ep;
	char f[32];

	in->stats.failed++;
	ep->refusals++;
	ep->refused_since_room = true;
	ep->durable_ms = 0;
	evtimer_del(in->ev_quiet);
	check_space(in);
	ep->free_at_fail = in->free_bytes;
	if (!ep->on) {
		ep->on = true;
		ep->started_ms = util_mono_ms();
		log_error(
			"could not spool a message from %s: %s; from now on messages that can be "
			"neither stored nor spooled stay with their sources and are offered again "
			"(database %s, %zu message(s) spooled, %s free for the spool)",
			msg->source, err, in->db_ready ? "up" : "down", spool_count(in->spool),
			fmt_bytes(in->free_bytes, f, sizeof(f)));
	} else {
		log_debug("could not spool a message from %s; it stays with its source: %s",
			  msg->source, err);
	}
	if (ep->keys == NULL)
		ep->keys = strmap_new(64);
	if (ep->keys != NULL && strmap_get(ep->keys, msg->dedup) == NULL) {
		char *k = strmap_len(ep->keys) < REFUSED_TRACK_MAX ? strdup(msg->dedup) : NULL;

		if (k == NULL || !strmap_put(ep->keys, k, k)) {
			free(k);
			ep->untracked++;
		}
	}
}

/* No refusal for EPISODE_QUIET_SEC since messages were durable again:
 * the episode is over once the sources hold no refused message any more
 * (they are being offered again; checked each second), or after
 * EPISODE_HELD_WAIT_SEC whatever they hold (a modem that went away with
 * its messages), so the line says what became of them. */
static void quiet_cb(evutil_socket_t fd, short what, void *arg)
{
	struct intake *in = arg;
	struct episode *ep = &in->ep;
	struct timeval second = { 1, 0 };
	size_t n, held;

	(void)fd;
	(void)what;
	if (!ep->on)
		return;
	held = in->hooks.held ? in->hooks.held(in->hooks.arg) : 0;
	if (held > 0 && util_mono_ms() - ep->durable_ms < EPISODE_HELD_WAIT_SEC * 1000 &&
	    evtimer_add(in->ev_quiet, &second) == 0)
		return;
	n = (ep->keys ? strmap_len(ep->keys) : 0) + (size_t)ep->untracked;
	log_info(
		"messages are durable again (%.1f s after the first refusal): %zu "
		"message(s) were refused meanwhile (%" PRIu64
		" offer(s)) and stayed with their "
		"sources; %zu held there now",
		(double)(ep->durable_ms - ep->started_ms) / 1000.0, n, ep->refusals, held);
	in->stats.episodes++;
	if (ep->keys != NULL) {
		strmap_sweep(ep->keys, key_free, NULL);
		strmap_free(ep->keys);
	}
	memset(ep, 0, sizeof(*ep));
}

/* A message was made durable: the messages refused may be taken too
 * (offer them now), and the episode ends unless refusals follow. */
static void durable_again(struct intake *in)
{
	struct episode *ep = &in->ep;
	struct timeval tv = { EPISODE_QUIET_SEC, 0 };

	if (!ep->on || ep->durable_ms != 0)
		return;
	ep->durable_ms = util_mono_ms();
	if (evtimer_add(in->ev_quiet, &tv) != 0)
		log_warn("could not start a timer; the end of the refusals will not be logged");
	room(in);
}

/* Count what became of a submitted message of msg's transport. */
static void count(struct intake *in, const struct inbound *msg, enum intake_result result)
{
	unsigned t = msg->transport < INTAKE_TRANSPORTS ? msg->transport : 0;

	in->stats.results[t][result]++;
}

/* Spool msg and acknowledge accordingly. */
static void spool_and_ack(struct intake *in, const struct inbound *msg, intake_ack_cb ack,
			  void *arg)
{
	char err[512];
	uint64_t seq;

	if (spool_put(in->spool, msg, &seq, err, sizeof(err))) {
		in->stats.spooled++;
		count(in, msg, INTAKE_SPOOLED);
		check_space(in);
		durable_again(in);
		ack(arg, INTAKE_SPOOLED);
		return;
	}
	refused(in, msg, err);
	count(in, msg, INTAKE_FAILED);
	ack(arg, INTAKE_FAILED);
}

static void direct_done(void *arg, enum pipeline_outcome outcome)
{
	struct pending *p = arg;
	struct intake *in = p->in;

	assert(in->direct_in_flight > 0);
	in->direct_in_flight--;
	if (outcome == PIPELINE_COMMITTED) {
		in->stats.committed++;
		durable_again(in);
		count(in, &p->msg, INTAKE_COMMITTED);
		p->ack(p->arg, INTAKE_COMMITTED);
	} else {
		spool_and_ack(in, &p->msg, p->ack, p->arg);
	}
	free(p);
}

static void replay_done(void *arg, enum pipeline_outcome outcome)
{
	struct pending *p = arg;
	struct intake *in = p->in;

	assert(in->replay_in_flight > 0);
	in->replay_in_flight--;
	if (outcome == PIPELINE_COMMITTED) {
		if (spool_remove(in->spool, p->seq))
			in->stats.replayed++;
		/* the spool shrank: a refused message may fit now */
		if (in->ep.on)
			room(in);
	} else {
		in->replay_failed = true;
	}
	free(p);
	if (in->replay_in_flight == 0 && in->replay_failed) {
		/* start again from the oldest file that is still there */
		struct timeval tv = { 1, 0 };

		in->replay_failed = false;
		in->replay_cursor = 0;
		evtimer_add(in->ev_retry, &tv);
		return;
	}
	intake_replay(in);
}

/* Feed spooled messages to the pipeline, oldest first, a window at a time. */
static void intake_replay(struct intake *in)
{
	while (in->db_ready && !in->replay_failed && in->replay_in_flight < REPLAY_WINDOW) {
		struct pending *p = calloc(1, sizeof(*p));

		if (p == NULL)
			return;
		if (!spool_next(in->spool, in->replay_cursor, &p->msg, &p->seq)) {
			free(p);
			return;
		}
		p->in = in;
		in->replay_cursor = p->seq;
		in->replay_in_flight++;
		if (!pipeline_submit(in->pl, &p->msg, replay_done, p)) {
			in->replay_in_flight--;
			in->replay_cursor = p->seq - 1;
			free(p);
			return;
		}
	}
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	intake_replay(arg);
}

struct intake *intake_new(struct event_base *base, struct pipeline *pl, const char *spool_dir,
			  char *err, size_t errlen)
{
	struct intake *in = calloc(1, sizeof(*in));

	if (in == NULL)
		goto oom;
	in->base = base;
	in->pl = pl;
	in->spool = spool_new(spool_dir);
	in->spool_dir = strdup(spool_dir);
	in->ev_retry = evtimer_new(base, retry_cb, in);
	in->ev_space = event_new(base, -1, EV_PERSIST, space_cb, in);
	in->ev_quiet = evtimer_new(base, quiet_cb, in);
	in->warn_pct = INTAKE_SPOOL_WARN_PCT_DEFAULT;
	in->free_bytes = in->total_bytes = -1;
	if (in->spool == NULL || in->spool_dir == NULL || in->ev_retry == NULL ||
	    in->ev_space == NULL || in->ev_quiet == NULL)
		goto oom;
	if (!spool_open(in->spool, err, errlen)) {
		intake_free(in);
		return NULL;
	}
	{
		struct timeval tv = { SPACE_CHECK_SEC, 0 };

		if (event_add(in->ev_space, &tv) != 0)
			goto oom;
	}
	check_space(in);
	return in;
oom:
	snprintf(err, errlen, "out of memory");
	intake_free(in);
	return NULL;
}

void intake_free(struct intake *in)
{
	if (in == NULL)
		return;
	if (in->ev_retry)
		event_free(in->ev_retry);
	if (in->ev_space)
		event_free(in->ev_space);
	if (in->ev_quiet)
		event_free(in->ev_quiet);
	if (in->ep.keys != NULL) {
		strmap_sweep(in->ep.keys, key_free, NULL);
		strmap_free(in->ep.keys);
	}
	spool_free(in->spool);
	free(in->spool_dir);
	free(in);
}

void intake_submit(struct intake *in, const struct inbound *msg, intake_ack_cb ack, void *arg)
{
	struct pending *p;

	in->stats.submitted++;
	if (!in->db_ready || spool_count(in->spool) > 0) {
		spool_and_ack(in, msg, ack, arg);
		intake_replay(in);
		return;
	}
	p = malloc(sizeof(*p));
	if (p == NULL) {
		spool_and_ack(in, msg, ack, arg);
		return;
	}
	p->in = in;
	p->ack = ack;
	p->arg = arg;
	p->seq = 0;
	p->msg = *msg;
	in->direct_in_flight++;
	if (!pipeline_submit(in->pl, &p->msg, direct_done, p)) {
		in->direct_in_flight--;
		free(p);
		spool_and_ack(in, msg, ack, arg);
	}
}

void intake_set_db_ready(struct intake *in, bool ready)
{
	in->db_ready = ready;
	if (ready) {
		if (spool_count(in->spool) > 0)
			log_info("database ready: replaying %zu spooled message(s)",
				 spool_count(in->spool));
		intake_replay(in);
		room(in);
	}
}

void intake_set_hooks(struct intake *in, const struct intake_hooks *hooks)
{
	in->hooks = *hooks;
}

void intake_set_spool_warn(struct intake *in, uint64_t bytes, unsigned pct)
{
	in->warn_bytes = pct > 0 ? 0 : bytes;
	in->warn_pct = pct > 100 ? 100 : pct;
	in->space_low = false;
	check_space(in);
}

size_t intake_in_flight(const struct intake *in)
{
	return in->direct_in_flight + in->replay_in_flight;
}

void intake_stats(const struct intake *in, struct intake_stats *out)
{
	*out = in->stats;
	out->spool_depth = spool_count(in->spool);
	out->spool_free_bytes = in->free_bytes;
	out->spool_total_bytes = in->total_bytes;
	out->spool_low = in->space_low;
	out->refusing =
		in->ep.on && in->ep.durable_ms == 0; /* nothing durable since the last refusal */
	out->held_on_source = in->hooks.held ? in->hooks.held(in->hooks.arg) : 0;
	if (!spool_oldest_time(in->spool, &out->spool_oldest_ms))
		out->spool_oldest_ms = 0;
}
