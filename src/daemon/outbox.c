/*
 * outbox.c - draining sawt.outbox over the senders; see outbox.h.
 */
#include "outbox.h"

#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "db.h"
#include "modem.h"

#define OUTBOX_CLAIM_MAX 50
#define OUTBOX_TICK_MS 1000
#define OUTBOX_STUCK_CHECK_SEC 30
#define OUTBOX_MODEMS_MAX 64

struct modem_seen {
	char name[MODEM_NAME_BUF];
	enum modem_state state;
};

/* A row handed to a sender, for counting its outcome. */
struct flight {
	uint64_t id;
	uint8_t kind;     /* enum outbox_kind */
	uint8_t attempts; /* this one included */
};

struct outbox {
	struct event_base *base;
	struct db *db;
	struct modem_mgr *mgr;       /* NULL: modems send nothing */
	struct outbox_sender sender; /* sender.send NULL: none */
	char node[64];
	bool db_ready;
	bool stopped;
	bool claiming; /* a claim query is outstanding */
	unsigned in_flight;
	size_t rr; /* round-robin position over the modems and the sender */
	struct event *ev_tick;
	struct event *ev_kick;
	int64_t last_stuck_check;
	struct modem_seen seen[OUTBOX_MODEMS_MAX];
	size_t n_seen;
	struct flight *flights; /* rows handed out, outcome not yet known */
	size_t n_flights, cap_flights;
	struct outbox_stats stats;
};

static const char claim_sql[] =
	"WITH c AS (SELECT id FROM sawt.outbox"
	" WHERE state = 'queued' AND next_attempt_at <= now()"
	" ORDER BY priority, next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
	" UPDATE sawt.outbox o SET state = 'sending', node = $1, modem = NULL, via = NULL,"
	" claimed_at = now(), attempts = o.attempts + 1"
	" FROM c WHERE o.id = c.id"
	" RETURNING o.id, o.recipient, o.body, o.priority, o.kind, o.attempts";

/* Which modem took each row; NULL: the other sender, which records its
 * via with its outcome. */
static const char assign_sql[] =
	"UPDATE sawt.outbox o SET modem = m.modem,"
	" via = CASE WHEN m.modem IS NULL THEN o.via ELSE 'modem' END"
	" FROM unnest($1::bigint[], $2::text[]) AS m(id, modem) WHERE o.id = m.id";

static const char release_sql[] =
	"UPDATE sawt.outbox SET state = 'queued', node = NULL, attempts = attempts - 1"
	" WHERE id = $1 AND state = 'sending'";

/*
 * The outcomes of an attempt.  Each names the attempt it is about: the
 * sending state, the node and the modem (NULL for the other sender), so a
 * late outcome of an attempt that was given up changes nothing.
 *   sent, rejected:  $1 id  $2 smsc_ref / error  $3 via  $4 node  $5 modem
 *   failed, lost:    the same, and $6 the most attempts
 */
#define ATTEMPT_IS \
	" WHERE id = $1 AND state = 'sending' AND node = $4 AND modem IS NOT DISTINCT FROM $5"

static const char sent_sql[] =
	"UPDATE sawt.outbox SET state = 'sent', sent_at = now(),"
	" smsc_ref = $2, error = NULL, via = $3" ATTEMPT_IS;

static const char rejected_sql[] =
	"UPDATE sawt.outbox SET state = 'failed', error = $2, via = $3" ATTEMPT_IS;

static const char failed_sql[] =
	"UPDATE sawt.outbox SET"
	" state = CASE WHEN attempts >= $6::int THEN 'failed' ELSE 'queued' END,"
	" next_attempt_at = now() + make_interval(secs => 30 * power(2, attempts - 1)),"
	" error = $2, via = $3" ATTEMPT_IS;

static const char lost_sql[] =
	"UPDATE sawt.outbox SET"
	" state = CASE WHEN attempts >= $6::int THEN 'failed' ELSE 'queued' END,"
	" next_attempt_at = now(), error = $2, via = $3" ATTEMPT_IS;

static const char modem_down_sql[] =
	"UPDATE sawt.outbox SET state = 'queued', error = 'modem ' || $2 || ' went down while sending'"
	" WHERE state = 'sending' AND node = $1 AND modem = $2";

static const char stuck_sql[] =
	"UPDATE sawt.outbox SET state = 'queued',"
	" error = 'no outcome from modem ' || coalesce(modem, '?') || ' after ' || $1 || ' s'"
	" WHERE state = 'sending' AND claimed_at < now() - make_interval(secs => $1::int)";

static const char delivery_sql[] =
	"UPDATE sawt.outbox SET state = $4,"
	" delivered_at = CASE WHEN $4 = 'delivered' THEN now() END,"
	" error = CASE WHEN $4 = 'failed' THEN 'delivery failed' END"
	" WHERE id = (SELECT id FROM sawt.outbox WHERE node = $1 AND modem = $2"
	" AND smsc_ref = $3::int AND state = 'sent' ORDER BY sent_at DESC LIMIT 1)";

static void outbox_claim(struct outbox *ob);

static const char *const kind_names[OUTBOX_KINDS] = {
	[OUTBOX_KIND_REPLY] = "reply",
	[OUTBOX_KIND_ALERT] = "alert",
	[OUTBOX_KIND_STATUS] = "status",
	[OUTBOX_KIND_MANUAL] = "manual",
	[OUTBOX_KIND_BROADCAST] = "broadcast",
};

static const char *const result_names[OUTBOX_RESULTS] = {
	[OUTBOX_RESULT_SENT] = "sent",         [OUTBOX_RESULT_RETRY] = "retry",
	[OUTBOX_RESULT_LOST] = "lost",         [OUTBOX_RESULT_FAILED] = "failed",
	[OUTBOX_RESULT_REJECTED] = "rejected",
};

const char *outbox_kind_name(enum outbox_kind kind)
{
	return kind < OUTBOX_KINDS ? kind_names[kind] : "unknown";
}

const char *outbox_result_name(enum outbox_result result)
{
	return result < OUTBOX_RESULTS ? result_names[result] : "unknown";
}

static enum outbox_kind kind_of(const char *s)
{
	for (int k = 0; k < OUTBOX_KINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (enum outbox_kind)k;
	return OUTBOX_KIND_MANUAL;
}

/* Remember row id, handed to a sender, until its outcome. */
static void flight_add(struct outbox *ob, uint64_t id, enum outbox_kind kind, int attempts)
{
	if (!array_grow(&ob->flights, &ob->cap_flights, ob->n_flights + 1, sizeof(*ob->flights))) {
		log_warn("outbox %" PRIu64 ": out of memory; its outcome is not counted", id);
		return;
	}
	ob->flights[ob->n_flights++] = (struct flight){
		.id = id,
		.kind = (uint8_t)kind,
		.attempts = (uint8_t)(attempts > 255 ? 255
				      : attempts < 0 ? 0
						     : attempts),
	};
}

/*
 * Count the outcome of row id's attempt through via: sent, rejected, or
 * refused (retry) or lost, which are failed at the last attempt.
 */
static void flight_done(struct outbox *ob, uint64_t id, unsigned via, enum outbox_result result)
{
	for (size_t i = 0; i < ob->n_flights; i++) {
		struct flight f = ob->flights[i];

		if (f.id != id)
			continue;
		ob->flights[i] = ob->flights[--ob->n_flights];
		if ((result == OUTBOX_RESULT_RETRY || result == OUTBOX_RESULT_LOST) &&
		    f.attempts >= OUTBOX_MAX_ATTEMPTS)
			result = OUTBOX_RESULT_FAILED;
		if (via < OUTBOX_VIAS)
			ob->stats.results[via][f.kind][result]++;
		return;
	}
}

/* Log failures of bookkeeping queries; nothing else to do with them. */
static void check_cb(const struct db_result *res, void *arg)
{
	if (!db_result_ok(res) && strcmp(db_result_sqlstate(res), "08006") != 0)
		log_error("outbox update failed (%s): %s", (const char *)arg, db_result_error(res));
}

static void run(struct outbox *ob, const char *what, const char *sql, int n,
		const char *const *params)
{
	if (!db_query(ob->db, sql, n, params, check_cb, (void *)what))
		log_error("could not queue outbox update (%s): out of memory", what);
}

static size_t modem_count(const struct outbox *ob)
{
	return ob->mgr ? modem_mgr_count(ob->mgr) : 0;
}

static unsigned sender_room(const struct outbox *ob)
{
	return ob->sender.send ? ob->sender.room(ob->sender.ctx) : 0;
}

/* Free room on healthy sending modems and the other sender. */
static unsigned capacity(const struct outbox *ob)
{
	unsigned room = sender_room(ob);

	for (size_t i = 0; i < modem_count(ob); i++) {
		const struct modem_status *st = modem_mgr_status_at(ob->mgr, i);

		if (st && modem_mgr_healthy(ob->mgr, st->name) &&
		    st->sends_queued < MODEM_SENDS_MAX)
			room += MODEM_SENDS_MAX - st->sends_queued;
	}
	return room;
}

/* The position of the other sender in the round robin. */
#define PICK_SENDER SIZE_MAX

/*
 * The next sender with room, round robin over the modems (positions 0 to
 * n - 1) and the other sender (position n): a modem's position, or
 * PICK_SENDER; false if none has room.
 */
static bool pick(struct outbox *ob, size_t *out)
{
	size_t n = modem_count(ob);

	for (size_t k = 0; k <= n; k++) {
		size_t i = (ob->rr + k) % (n + 1);
		const struct modem_status *st;

		if (i == n) {
			if (sender_room(ob) == 0)
				continue;
			ob->rr = (i + 1) % (n + 1);
			*out = PICK_SENDER;
			return true;
		}
		st = modem_mgr_status_at(ob->mgr, i);
		if (st && modem_mgr_healthy(ob->mgr, st->name) &&
		    st->sends_queued < MODEM_SENDS_MAX) {
			ob->rr = (i + 1) % (n + 1);
			*out = i;
			return true;
		}
	}
	return false;
}

struct claimed {
	int row;
	int priority;
	uint64_t id;
	enum outbox_kind kind;
	int attempts;
};

static int cmp_claimed(const void *a, const void *b)
{
	const struct claimed *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority - y->priority;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Append to a PostgreSQL array literal being built in buf. */
static void arr_add(char *buf, size_t cap, const char *item, bool quote)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s%s%s%s", n > 1 ? "," : "", quote ? "\"" : "", item,
		 quote ? "\"" : "");
}

/* Hand one claimed row to one sender; false if none would take it. */
static bool dispatch(struct outbox *ob, uint64_t id, const char *to, const char *body, char *ids,
		     char *modems, size_t cap)
{
	const char *modem = NULL;
	char idbuf[24];
	size_t at;

	if (!pick(ob, &at))
		return false;
	if (at == PICK_SENDER) {
		if (!ob->sender.send(ob->sender.ctx, id, to, body))
			return false;
		ob->stats.sender_claimed++;
	} else {
		modem = modem_mgr_status_at(ob->mgr, at)->name;
		if (!modem_mgr_send(ob->mgr, modem, id, to, body))
			return false;
	}
	snprintf(idbuf, sizeof(idbuf), "%" PRIu64, id);
	arr_add(ids, cap, idbuf, false);
	arr_add(modems, cap, modem ? modem : "NULL", modem != NULL);
	ob->in_flight++;
	ob->stats.claimed++;
	return true;
}

static void claim_cb(const struct db_result *res, void *arg)
{
	struct outbox *ob = arg;
	struct claimed rows[OUTBOX_CLAIM_MAX];
	char ids[OUTBOX_CLAIM_MAX * 24 + 4] = "{", modems[OUTBOX_CLAIM_MAX * 40 + 4] = "{";
	int n = db_result_rows(res);

	ob->claiming = false;
	if (!db_result_ok(res)) {
		if (strcmp(db_result_sqlstate(res), "08006") != 0)
			log_error("could not claim outbox rows: %s", db_result_error(res));
		return;
	}
	if (n > OUTBOX_CLAIM_MAX)
		n = OUTBOX_CLAIM_MAX;
	for (int i = 0; i < n; i++) {
		rows[i].row = i;
		rows[i].id = strtoull(db_result_value(res, i, 0), NULL, 10);
		rows[i].priority = atoi(db_result_value(res, i, 3));
		rows[i].kind = kind_of(db_result_value(res, i, 4));
		rows[i].attempts = atoi(db_result_value(res, i, 5));
	}
	qsort(rows, (size_t)n, sizeof(rows[0]), cmp_claimed);
	for (int i = 0; i < n; i++) {
		int r = rows[i].row;
		const char *p[] = { db_result_value(res, r, 0) };

		if (!dispatch(ob, rows[i].id, db_result_value(res, r, 1),
			      db_result_value(res, r, 2), ids, modems, sizeof(modems)))
			run(ob, "release", release_sql, 1, p);
		else
			flight_add(ob, rows[i].id, rows[i].kind, rows[i].attempts);
	}
	strcat(ids, "}");
	strcat(modems, "}");
	if (strlen(ids) > 2) {
		const char *p[] = { ids, modems };

		run(ob, "assign", assign_sql, 2, p);
	}
	if (n == OUTBOX_CLAIM_MAX)
		outbox_kick(ob); /* there may be more */
}

static int64_t now_sec(void)
{
	struct timeval tv;

	evutil_gettimeofday(&tv, NULL);
	return tv.tv_sec;
}

static void check_stuck(struct outbox *ob)
{
	char secs[16];
	const char *p[] = { secs };

	if (now_sec() - ob->last_stuck_check < OUTBOX_STUCK_CHECK_SEC)
		return;
	ob->last_stuck_check = now_sec();
	snprintf(secs, sizeof(secs), "%d", OUTBOX_STUCK_SEC);
	run(ob, "stuck rows", stuck_sql, 1, p);
}

static void outbox_claim(struct outbox *ob)
{
	unsigned room;
	char limit[16];
	const char *p[] = { ob->node, limit };

	if (!ob->db_ready || ob->stopped || ob->claiming || (ob->mgr == NULL && !ob->sender.send))
		return;
	check_stuck(ob);
	room = capacity(ob);
	if (room == 0)
		return;
	snprintf(limit, sizeof(limit), "%u", room < OUTBOX_CLAIM_MAX ? room : OUTBOX_CLAIM_MAX);
	if (db_query(ob->db, claim_sql, 2, p, claim_cb, ob))
		ob->claiming = true;
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	outbox_claim(arg);
}

struct outbox *outbox_new(struct event_base *base, struct db *db, struct modem_mgr *mgr,
			  const char *node)
{
	struct outbox *ob = calloc(1, sizeof(*ob));
	struct timeval tick = { OUTBOX_TICK_MS / 1000, (OUTBOX_TICK_MS % 1000) * 1000 };

	if (ob == NULL)
		return NULL;
	ob->base = base;
	ob->db = db;
	ob->mgr = mgr;
	snprintf(ob->node, sizeof(ob->node), "%s", node);
	ob->ev_tick = event_new(base, -1, EV_PERSIST, tick_cb, ob);
	ob->ev_kick = evtimer_new(base, tick_cb, ob);
	if (ob->ev_tick == NULL || ob->ev_kick == NULL || event_add(ob->ev_tick, &tick) != 0) {
		outbox_free(ob);
		return NULL;
	}
	return ob;
}

void outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	if (ob->ev_tick)
		event_free(ob->ev_tick);
	if (ob->ev_kick)
		event_free(ob->ev_kick);
	free(ob->flights);
	free(ob);
}

void outbox_set_modems(struct outbox *ob, struct modem_mgr *mgr)
{
	ob->mgr = mgr;
}

void outbox_set_sender(struct outbox *ob, const struct outbox_sender *s)
{
	if (s == NULL)
		memset(&ob->sender, 0, sizeof(ob->sender));
	else
		ob->sender = *s;
	ob->rr = 0;
}

void outbox_set_db_ready(struct outbox *ob, bool ready)
{
	ob->db_ready = ready;
	if (ready)
		outbox_kick(ob);
}

void outbox_kick(struct outbox *ob)
{
	struct timeval soon = { 0, 5000 };

	if (!ob->stopped && !evtimer_pending(ob->ev_kick, NULL))
		evtimer_add(ob->ev_kick, &soon);
}

void outbox_stop(struct outbox *ob)
{
	ob->stopped = true;
}

unsigned outbox_in_flight(const struct outbox *ob)
{
	return ob->in_flight;
}

/*
 * Record the outcome of an attempt by modem (NULL: the other sender,
 * whose kind is via) on row id.  reference is the SMSC's message
 * reference of a modem's send (-1 unknown).
 */
static void record(struct outbox *ob, uint64_t id, const char *via, const char *modem,
		   enum outbox_outcome outcome, int reference, const char *error)
{
	static const char *const what[] = {
		[OUTBOX_SENT] = "sent",
		[OUTBOX_RETRY] = "failed",
		[OUTBOX_REJECTED] = "rejected",
		[OUTBOX_LOST] = "lost",
	};
	static const char *const sqls[] = {
		[OUTBOX_SENT] = sent_sql,
		[OUTBOX_RETRY] = failed_sql,
		[OUTBOX_REJECTED] = rejected_sql,
		[OUTBOX_LOST] = lost_sql,
	};
	static const enum outbox_result counted[] = {
		[OUTBOX_SENT] = OUTBOX_RESULT_SENT,
		[OUTBOX_RETRY] = OUTBOX_RESULT_RETRY,
		[OUTBOX_REJECTED] = OUTBOX_RESULT_REJECTED,
		[OUTBOX_LOST] = OUTBOX_RESULT_LOST,
	};
	char idbuf[24], ref[16], maxa[8];
	const char *p[6];

	if (ob->in_flight > 0)
		ob->in_flight--;
	flight_done(ob, id, modem ? OUTBOX_VIA_MODEM : OUTBOX_VIA_SENDER, counted[outcome]);
	snprintf(idbuf, sizeof(idbuf), "%" PRIu64, id);
	snprintf(ref, sizeof(ref), "%d", reference);
	snprintf(maxa, sizeof(maxa), "%d", OUTBOX_MAX_ATTEMPTS);
	p[0] = idbuf;
	p[2] = via;
	p[3] = ob->node;
	p[4] = modem;
	p[5] = maxa;
	if (outcome == OUTBOX_SENT) {
		p[1] = reference >= 0 ? ref : NULL;
		ob->stats.sent++;
		if (modem == NULL)
			ob->stats.sender_sent++;
	} else {
		p[1] = error && error[0] ? error : "send failed";
		if (outcome == OUTBOX_REJECTED)
			ob->stats.rejected++;
		else
			ob->stats.failed_attempts++;
		log_warn("outbox %s: sending %s %s failed%s: %s", idbuf,
			 modem ? "on modem" : "through", modem ? modem : via,
			 outcome == OUTBOX_LOST       ? " (queued again now)"
			 : outcome == OUTBOX_REJECTED ? " for good"
						      : "",
			 p[1]);
	}
	run(ob, what[outcome], sqls[outcome],
	    outcome == OUTBOX_RETRY || outcome == OUTBOX_LOST ? 6 : 5, p);
	outbox_kick(ob);
}

void outbox_on_sent(struct outbox *ob, const char *modem, uint64_t id,
		    enum modem_send_outcome outcome, int parts, int reference, const char *error)
{
	enum outbox_outcome o = outcome == MODEM_SEND_OK     ? OUTBOX_SENT
				: outcome == MODEM_SEND_LOST ? OUTBOX_LOST
							     : OUTBOX_RETRY;

	(void)parts;
	record(ob, id, "modem", modem, o, reference, error);
}

void outbox_on_sender_result(struct outbox *ob, uint64_t id, enum outbox_outcome outcome,
			     const char *error)
{
	record(ob, id, ob->sender.via ? ob->sender.via : "kannel", NULL, outcome, -1, error);
}

void outbox_on_delivery(struct outbox *ob, const char *modem, int reference,
			enum frame_delivery status, const char *recipient)
{
	char ref[16];
	const char *state;
	const char *p[4];

	(void)recipient;
	if (status == FRAME_DLR_DELIVERED)
		state = "delivered";
	else if (status == FRAME_DLR_FAILED)
		state = "failed";
	else
		return; /* pending or unknown: the SMSC keeps trying */
	snprintf(ref, sizeof(ref), "%d", reference);
	p[0] = ob->node;
	p[1] = modem;
	p[2] = ref;
	p[3] = state;
	if (status == FRAME_DLR_DELIVERED)
		ob->stats.delivered++;
	else
		ob->stats.not_delivered++;
	run(ob, "delivery", delivery_sql, 4, p);
}

static struct modem_seen *seen_slot(struct outbox *ob, const char *name)
{
	for (size_t i = 0; i < ob->n_seen; i++)
		if (strcmp(ob->seen[i].name, name) == 0)
			return &ob->seen[i];
	if (ob->n_seen == OUTBOX_MODEMS_MAX)
		return NULL;
	snprintf(ob->seen[ob->n_seen].name, MODEM_NAME_BUF, "%s", name);
	ob->seen[ob->n_seen].state = MODEM_STATE_STARTING;
	return &ob->seen[ob->n_seen++];
}

void outbox_on_modem_status(struct outbox *ob, const struct modem_status *st)
{
	struct modem_seen *s = seen_slot(ob, st->name);
	bool was_up, is_up;

	if (s == NULL)
		return;
	was_up = s->state == MODEM_STATE_READY || s->state == MODEM_STATE_NO_NETWORK;
	is_up = st->state == MODEM_STATE_READY || st->state == MODEM_STATE_NO_NETWORK;
	s->state = st->state;
	if (was_up && !is_up && ob->db_ready) {
		const char *p[] = { ob->node, st->name };

		run(ob, "modem down", modem_down_sql, 2, p);
	}
	if (st->state == MODEM_STATE_READY)
		outbox_kick(ob);
}

void outbox_get_stats(const struct outbox *ob, struct outbox_stats *out)
{
	*out = ob->stats;
	snprintf(out->sender_via, sizeof(out->sender_via), "%s",
		 ob->sender.send && ob->sender.via ? ob->sender.via : "");
}
