/*
 * modem_report.c - recording each modem's status; see modem_report.h.
 */
#include "modem_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "intake.h"
#include "modem.h"

#define MODEM_REPORT_SLOTS 64

struct slot {
	char name[MODEM_NAME_BUF];
	enum modem_state state;
	uint64_t traffic; /* received + sent + failed when written */
	unsigned held;
	time_t written;
};

/* What was last written to sawt.nodes. */
struct node_row {
	size_t spool;
	size_t held;
	bool refusing, low;
	time_t written;
};

struct modem_report {
	struct db *db;
	char node[64];
	struct slot slots[MODEM_REPORT_SLOTS];
	size_t n;
	struct node_row node_row;
};

static const char upsert_sql[] =
	"INSERT INTO sawt.modems AS m (node, name, state, own_number, imei, operator,"
	" operator_code, network, signal_percent, signal_dbm, balance, balance_at,"
	" sent, received, send_failures, restarts, last_error, last_seen_at,"
	" last_activity_at, worker_pid, started_at, held, updated_at)"
	" VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), nullif($6, ''), nullif($7, ''),"
	" $8, $9::smallint, $10::smallint, nullif($11, ''), to_timestamp($12::bigint / 1000.0),"
	" $13, $14, $15, $16, nullif($17, ''), to_timestamp($18::bigint / 1000.0),"
	" to_timestamp($19::bigint / 1000.0), $20::int, to_timestamp($21::bigint / 1000.0),"
	" $22::int, now())"
	" ON CONFLICT (node, name) DO UPDATE SET state = EXCLUDED.state,"
	" own_number = EXCLUDED.own_number, imei = EXCLUDED.imei, operator = EXCLUDED.operator,"
	" operator_code = EXCLUDED.operator_code, network = EXCLUDED.network,"
	" signal_percent = EXCLUDED.signal_percent, signal_dbm = EXCLUDED.signal_dbm,"
	" balance = coalesce(EXCLUDED.balance, m.balance),"
	" balance_at = coalesce(EXCLUDED.balance_at, m.balance_at),"
	" sent = EXCLUDED.sent, received = EXCLUDED.received,"
	" send_failures = EXCLUDED.send_failures, restarts = EXCLUDED.restarts,"
	" last_error = EXCLUDED.last_error, last_seen_at = EXCLUDED.last_seen_at,"
	" last_activity_at = EXCLUDED.last_activity_at, worker_pid = EXCLUDED.worker_pid,"
	" started_at = EXCLUDED.started_at, held = EXCLUDED.held, updated_at = now()";

static const char node_sql[] =
	"INSERT INTO sawt.nodes AS n (node, spool_messages, spool_free_bytes, spool_total_bytes,"
	" spool_low, refusing, held_on_source, updated_at)"
	" VALUES ($1, $2::int, $3::bigint, $4::bigint, $5::boolean, $6::boolean, $7::int, now())"
	" ON CONFLICT (node) DO UPDATE SET spool_messages = EXCLUDED.spool_messages,"
	" spool_free_bytes = EXCLUDED.spool_free_bytes,"
	" spool_total_bytes = EXCLUDED.spool_total_bytes, spool_low = EXCLUDED.spool_low,"
	" refusing = EXCLUDED.refusing, held_on_source = EXCLUDED.held_on_source,"
	" updated_at = now()";

/* sawt.modems.state for a manager state */
static const char *table_state(enum modem_state s)
{
	switch (s) {
	case MODEM_STATE_READY: return "ready";
	case MODEM_STATE_NO_NETWORK: return "degraded";
	case MODEM_STATE_STARTING: return "starting";
	case MODEM_STATE_DOWN: return "down";
	default: return "disabled";
	}
}

static const char *net_name(enum frame_net n)
{
	static const char *const names[] = { "unknown",   "home", "roaming",
					     "searching", "none", "denied" };

	return (unsigned)n < sizeof(names) / sizeof(names[0]) ? names[n] : "unknown";
}

static void report_cb(const struct db_result *res, void *arg)
{
	(void)arg;
	if (!db_result_ok(res) && strcmp(db_result_sqlstate(res), "08006") != 0)
		log_error("could not record modem status: %s", db_result_error(res));
}

struct modem_report *modem_report_new(struct db *db, const char *node)
{
	struct modem_report *mr = calloc(1, sizeof(*mr));

	if (mr == NULL)
		return NULL;
	mr->db = db;
	snprintf(mr->node, sizeof(mr->node), "%s", node);
	return mr;
}

void modem_report_free(struct modem_report *mr)
{
	free(mr);
}

static struct slot *find_slot(struct modem_report *mr, const char *name)
{
	for (size_t i = 0; i < mr->n; i++)
		if (strcmp(mr->slots[i].name, name) == 0)
			return &mr->slots[i];
	if (mr->n == MODEM_REPORT_SLOTS)
		return NULL;
	snprintf(mr->slots[mr->n].name, MODEM_NAME_BUF, "%s", name);
	mr->slots[mr->n].state = (enum modem_state) - 1;
	return &mr->slots[mr->n++];
}

/* Millisecond timestamp as text, NULL (SQL NULL) when unknown. */
static const char *ms_text(int64_t ms, char *buf, size_t n)
{
	if (ms <= 0)
		return NULL;
	snprintf(buf, n, "%" PRId64, ms);
	return buf;
}

void modem_report_status(struct modem_report *mr, const struct modem_status *st)
{
	struct slot *sl = find_slot(mr, st->name);
	time_t now = time(NULL);
	char sig[8], dbm[8], sent[24], recv[24], fails[24], restarts[16], pid[16];
	char bal_at[24], seen[24], act[24], started[24], held[16];
	const char *p[22];

	uint64_t traffic = st->received + st->sent + st->send_failed;

	if (sl == NULL ||
	    (sl->state == st->state && now - sl->written < MODEM_REPORT_MIN_SEC &&
	     ((sl->traffic == traffic && sl->held == st->held) || now == sl->written)))
		return;
	sl->state = st->state;
	sl->traffic = traffic;
	sl->held = st->held;
	sl->written = now;
	snprintf(sig, sizeof(sig), "%d", st->signal_percent);
	snprintf(dbm, sizeof(dbm), "%d", st->signal_dbm);
	snprintf(sent, sizeof(sent), "%" PRIu64, st->sent);
	snprintf(recv, sizeof(recv), "%" PRIu64, st->received);
	snprintf(fails, sizeof(fails), "%" PRIu64, st->send_failed);
	snprintf(restarts, sizeof(restarts), "%u", st->restarts);
	snprintf(pid, sizeof(pid), "%d", (int)st->pid);
	p[0] = mr->node;
	p[1] = st->name;
	p[2] = table_state(st->state);
	p[3] = st->number;
	p[4] = st->imei;
	p[5] = st->operator_name;
	p[6] = st->operator_code;
	p[7] = net_name(st->net);
	p[8] = st->signal_percent >= 0 ? sig : NULL;
	p[9] = st->signal_dbm != 0 ? dbm : NULL;
	p[10] = st->balance;
	p[11] = ms_text(st->balance_ms, bal_at, sizeof(bal_at));
	p[12] = sent;
	p[13] = recv;
	p[14] = fails;
	p[15] = restarts;
	p[16] = st->last_error;
	p[17] = ms_text(st->last_report_ms, seen, sizeof(seen));
	p[18] = ms_text(st->last_activity_ms, act, sizeof(act));
	p[19] = st->pid > 0 ? pid : NULL;
	p[20] = ms_text(st->started_ms, started, sizeof(started));
	snprintf(held, sizeof(held), "%u", st->held);
	p[21] = held;
	if (!db_query(mr->db, upsert_sql, 22, p, report_cb, NULL))
		log_error("could not queue the modem status: out of memory");
}

void modem_report_node(struct modem_report *mr, const struct intake_stats *st)
{
	struct node_row *nr = &mr->node_row;
	time_t now = time(NULL);
	char spool[24], freeb[24], total[24], held[24];
	const char *p[7];
	bool changed = nr->spool != st->spool_depth || nr->held != st->held_on_source ||
		       nr->refusing != st->refusing || nr->low != st->spool_low;

	if (nr->written != 0 && now - nr->written < MODEM_REPORT_MIN_SEC &&
	    (!changed || now == nr->written))
		return;
	*nr = (struct node_row){ st->spool_depth, st->held_on_source, st->refusing, st->spool_low,
				 now };
	snprintf(spool, sizeof(spool), "%zu", st->spool_depth);
	snprintf(freeb, sizeof(freeb), "%" PRId64, st->spool_free_bytes);
	snprintf(total, sizeof(total), "%" PRId64, st->spool_total_bytes);
	snprintf(held, sizeof(held), "%zu", st->held_on_source);
	p[0] = mr->node;
	p[1] = spool;
	p[2] = st->spool_free_bytes >= 0 ? freeb : NULL;
	p[3] = st->spool_total_bytes >= 0 ? total : NULL;
	p[4] = st->spool_low ? "true" : "false";
	p[5] = st->refusing ? "true" : "false";
	p[6] = held;
	if (!db_query(mr->db, node_sql, 7, p, report_cb, NULL))
		log_error("could not queue the spool's status: out of memory");
}
