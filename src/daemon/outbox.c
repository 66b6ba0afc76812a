/*
 * outbox.c - draining sawt.outbox over the modems; see outbox.h.
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
	struct modem_mgr *mgr;
	char node[64];
	bool db_ready;
	bool stopped;
	bool claiming; /* a claim query is outstanding */
	unsigned in_flight;
	size_t rr; /* round-robin position over modems */
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
	" UPDATE sawt.outbox o SET state = 'sending', node = $1, modem = NULL,"
	" claimed_at = now(), attempts = o.attempts + 1"
	" FROM c WHERE o.id = c.id"
	" RETURNING o.id, o.recipient, o.body, o.priority, o.kind, o.attempts";

static const char assign_sql[] =
	"UPDATE sawt.outbox o SET modem = m.modem"
	" FROM unnest($1::bigint[], $2::text[]) AS m(id, modem) WHERE o.id = m.id";

static const char release_sql[] =
	"UPDATE sawt.outbox SET state = 'queued', node = NULL, attempts = attempts - 1"
	" WHERE id = $1 AND state = 'sending'";

static const char sent_sql[] =
	"UPDATE sawt.outbox SET state = 'sent', sent_at = now(), smsc_ref = $2,"
	" error = NULL WHERE id = $1 AND state = 'sending' AND modem = $3";

static const char failed_sql[] =
	"UPDATE sawt.outbox SET"
	" state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END,"
	" next_attempt_at = now() + make_interval(secs => 30 * power(2, attempts - 1)),"
	" error = $2 WHERE id = $1 AND state = 'sending' AND modem = $4";

static const char lost_sql[] =
	"UPDATE sawt.outbox SET"
	" state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END,"
	" next_attempt_at = now(), error = $2"
	" WHERE id = $1 AND state = 'sending' AND modem = $4";

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
};

static const char *const result_names[OUTBOX_RESULTS] = {
	[OUTBOX_RESULT_SENT] = "sent",
	[OUTBOX_RESULT_RETRY] = "retry",
	[OUTBOX_RESULT_LOST] = "lost",
	[OUTBOX_RESULT_FAILED] = "failed",
};

const char *outbox_kind_name(enum outbox_kind kind)
{
	return kind < OUTBOX_KINDS ? kind_names[kind] : "unknown";
}

const char *outbox_result_name(enum outbox_result result)
{
	return result < OUTBOX_RESULTS ? result_names[result] : "unknown";
}

const char *outbox_via_name(unsigned via)
{
	return via == OUTBOX_VIA_MODEM ? "modem" : "unknown";
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
 * Count the outcome of row id's attempt through via: sent, or refused
 * (retry) or lost, which are failed at the last attempt.
 */
static void flight_done(struct outbox *ob, uint64_t id, unsigned via, enum outbox_result result)
{
	for (size_t i = 0; i < ob->n_flights; i++) {
		struct flight f = ob->flights[i];

		if (f.id != id)
			continue;
		ob->flights[i] = ob->flights[--ob->n_flights];
		if (result != OUTBOX_RESULT_SENT && f.attempts >= OUTBOX_MAX_ATTEMPTS)
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

/* Free room on healthy sending modems. */
static unsigned capacity(const struct outbox *ob)
{
	unsigned room = 0;

	for (size_t i = 0; i < modem_mgr_count(ob->mgr); i++) {
		const struct modem_status *st = modem_mgr_status_at(ob->mgr, i);

		if (st && modem_mgr_healthy(ob->mgr, st->name) &&
		    st->sends_queued < MODEM_SENDS_MAX)
			room += MODEM_SENDS_MAX - st->sends_queued;
	}
	return room;
}

/* The next healthy modem with room, round robin; NULL if none. */
static const char *pick_modem(struct outbox *ob)
{
	size_t n = modem_mgr_count(ob->mgr);

	for (size_t k = 0; k < n; k++) {
		const struct modem_status *st = modem_mgr_status_at(ob->mgr, (ob->rr + k) % n);

		if (st && modem_mgr_healthy(ob->mgr, st->name) &&
		    st->sends_queued < MODEM_SENDS_MAX) {
			ob->rr = (ob->rr + k + 1) % n;
			return st->name;
		}
	}
	return NULL;
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

/* Hand one claimed row to a modem; false if none would take it. */
static bool dispatch(struct outbox *ob, uint64_t id, const char *to, const char *body, char *ids,
		     char *modems, size_t cap)
{
	const char *modem = pick_modem(ob);
	char idbuf[24];

	if (modem == NULL || !modem_mgr_send(ob->mgr, modem, id, to, body))
		return false;
	snprintf(idbuf, sizeof(idbuf), "%" PRIu64, id);
	arr_add(ids, cap, idbuf, false);
	arr_add(modems, cap, modem, true);
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

	if (!ob->db_ready || ob->stopped || ob->claiming || ob->mgr == NULL)
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

void outbox_on_sent(struct outbox *ob, const char *modem, uint64_t id,
		    enum modem_send_outcome outcome, int parts, int reference, const char *error)
{
	char idbuf[24], ref[16], maxa[8];

	(void)parts;
	if (ob->in_flight > 0)
		ob->in_flight--;
	snprintf(idbuf, sizeof(idbuf), "%" PRIu64, id);
	if (outcome == MODEM_SEND_OK) {
		const char *p[] = { idbuf, reference >= 0 ? ref : NULL, modem };

		snprintf(ref, sizeof(ref), "%d", reference);
		ob->stats.sent++;
		flight_done(ob, id, OUTBOX_VIA_MODEM, OUTBOX_RESULT_SENT);
		run(ob, "sent", sent_sql, 3, p);
	} else {
		const char *p[] = { idbuf, error && error[0] ? error : "send failed", maxa, modem };
		bool lost = outcome == MODEM_SEND_LOST;

		snprintf(maxa, sizeof(maxa), "%d", OUTBOX_MAX_ATTEMPTS);
		ob->stats.failed_attempts++;
		flight_done(ob, id, OUTBOX_VIA_MODEM,
			    lost ? OUTBOX_RESULT_LOST : OUTBOX_RESULT_RETRY);
		log_warn("outbox %s: sending on modem %s failed: %s%s", idbuf, modem, p[1],
			 lost ? "; queued again now" : "");
		run(ob, lost ? "lost" : "failed", lost ? lost_sql : failed_sql, 4, p);
	}
	outbox_kick(ob);
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
}
