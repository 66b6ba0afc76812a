/*
 * intake.c - hand-over point of every transport; see intake.h.
 */
#include "intake.h"

#include <assert.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "spool.h"

#define REPLAY_WINDOW 64

struct intake {
	struct event_base *base;
	struct pipeline *pl;
	struct spool *spool;
	bool db_ready;
	uint64_t replay_cursor; /* highest spool seq handed to the pipeline */
	size_t replay_in_flight;
	size_t direct_in_flight;
	bool replay_failed; /* a replayed message failed: pause */
	struct event *ev_retry;
	struct intake_stats stats;
};

struct pending {
	struct intake *in;
	intake_ack_cb ack;
	void *arg;
	uint64_t seq; /* spool seq when replaying, else 0 */
	struct inbound msg;
};

static void intake_replay(struct intake *in);

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
		ack(arg, INTAKE_SPOOLED);
		return;
	}
	log_error("could not spool a message from %s; it stays with its source: %s", msg->source,
		  err);
	in->stats.failed++;
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
	in->ev_retry = evtimer_new(base, retry_cb, in);
	if (in->spool == NULL || in->ev_retry == NULL)
		goto oom;
	if (!spool_open(in->spool, err, errlen)) {
		intake_free(in);
		return NULL;
	}
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
	spool_free(in->spool);
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
	}
}

size_t intake_in_flight(const struct intake *in)
{
	return in->direct_in_flight + in->replay_in_flight;
}

void intake_stats(const struct intake *in, struct intake_stats *out)
{
	*out = in->stats;
	out->spool_depth = spool_count(in->spool);
	if (!spool_oldest_time(in->spool, &out->spool_oldest_ms))
		out->spool_oldest_ms = 0;
}
