/*
 * command.c - answering coordinators' STATUS, ACK, VERIFY and QUAR; see
 * command.h.
 *
 * A pass reads the 'received' rows of the election's people in pages of
 * COMMAND_PAGE (oldest first, by a cursor on the id, so rows that are not
 * answered this time never hide the ones after them).  Each row becomes a
 * job:
 *   STATUS  status_sql (the numbers), render, finish_sql;
 *   ACK     both replies rendered, then ack_sql, which decides, acknowledges
 *           and queues in one statement;
 *   VERIFY, QUAR  the five possible replies rendered, then review_sql
 *           (sawt.review_sms), which checks the station is the
 *           coordinator's, decides, and queues the reply in one statement;
 *   refuse  the sender is no longer a coordinator: finish_sql with
 *           not_coordinator.
 * The jobs of a page run side by side on the connection; the next page is
 * read when all are done.
 */
#include "command.h"

#include <assert.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "parse.h"
#include "reply.h"

#define KICK_DELAY_US 5000 /* coalesces the kicks of one loop turn */
#define ID_BUF 24

/* The 'received' rows of the election's people after a cursor. */
static const char page_sql[] =
	"SELECT im.id, im.text, p.id, p.role, COALESCE(p.language, '')"
	" FROM sawt.inbound_messages im"
	" JOIN sawt.people p ON p.id = im.person_id"
	" JOIN sawt.elections e ON e.id = p.election_id"
	" WHERE im.state = 'received' AND im.id > $2::bigint AND e.name = $1"
	" ORDER BY im.id LIMIT $3::int";

/* The coordinator (person $1) and the areas assigned to them. */
#define COORDINATOR_CTE \
	"p AS (SELECT pe.id, pe.election_id," \
	" ARRAY(SELECT pa.area_id FROM sawt.person_areas pa WHERE pa.person_id = pe.id) AS mine" \
	" FROM sawt.people pe WHERE pe.id = $1::int)"

/*
 * STATUS for person $1, area $2 (NULL: their areas, or the election).
 * named: the areas called $2 (or "parent $2") the coordinator may see;
 * pick: the shallowest of them, when only one is that shallow.  The
 * figures are those of analytics.area_turnout (turnout over the stations
 * that reported, women's share over those that gave W) and the open
 * incidents of analytics.incidents, over the union of the stations in
 * scope, rounded to whole percents from the views' one decimal.
 */
static const char status_sql[] =
	"WITH " COORDINATOR_CTE
	","
	" named AS (SELECT a.id, a.name, a.depth FROM p"
	"  JOIN sawt.areas a ON a.election_id = p.election_id"
	"  JOIN sawt.analytics_area_ancestors aa ON aa.area_id = a.id"
	"  LEFT JOIN sawt.areas up ON up.id = a.parent_id"
	"  WHERE (cardinality(p.mine) = 0 OR aa.ancestors && p.mine)"
	"  AND sawt.fold_name($2::text) IN (sawt.fold_name(a.name),"
	"   sawt.fold_name(up.name) || ' ' || sawt.fold_name(a.name))),"
	" pick AS (SELECT n.id, n.name FROM named n"
	"  WHERE n.depth = (SELECT min(depth) FROM named)"
	"  AND (SELECT count(*) FROM named m WHERE m.depth = n.depth) = 1),"
	" scope AS (SELECT"
	"  CASE WHEN $2::text IS NOT NULL THEN ARRAY(SELECT id FROM pick)"
	"   WHEN cardinality(p.mine) > 0 THEN p.mine END AS ids,"
	"  CASE WHEN $2::text IS NOT NULL THEN (SELECT name FROM pick)"
	"   WHEN cardinality(p.mine) = 1 THEN"
	"    (SELECT a.name FROM sawt.areas a WHERE a.id = p.mine[1]) END AS name"
	"  FROM p),"
	" st AS (SELECT s.id, s.registered FROM p CROSS JOIN scope"
	"  JOIN sawt.stations s ON s.election_id = p.election_id"
	"  JOIN sawt.analytics_area_ancestors aa ON aa.area_id = s.area_id"
	"  WHERE scope.ids IS NULL OR aa.ancestors && scope.ids),"
	" tu AS (SELECT count(*) AS stations, count(t.voters) AS reporting,"
	"  round(100.0 * sum(t.voters)"
	"   / NULLIF(sum(st.registered) FILTER (WHERE t.voters IS NOT NULL), 0), 1) AS turnout,"
	"  round(100.0 * sum(t.women)"
	"   / NULLIF(sum(t.voters) FILTER (WHERE t.women IS NOT NULL), 0), 1) AS women"
	"  FROM st LEFT JOIN sawt.analytics_turnout t ON t.station_id = st.id),"
	" inc AS (SELECT count(*) AS open FROM st"
	"  JOIN sawt.reports r ON r.station_id = st.id"
	"  WHERE r.form = 'incident' AND r.outcome <> 'rejected' AND r.superseded_by IS NULL"
	"  AND NOT COALESCE((SELECT bool_and(al.acknowledged_at IS NOT NULL)"
	"   FROM sawt.alerts al WHERE al.report_id = r.id), false))"
	" SELECT $2::text IS NULL OR EXISTS (SELECT 1 FROM pick), scope.name,"
	"  tu.stations, tu.reporting, COALESCE(round(tu.turnout), 0),"
	"  COALESCE(round(tu.women), 0), inc.open"
	" FROM scope, tu, inc";

/*
 * Mark inbound row $1 processed (error code $5, NULL when answered) and
 * queue reply $2 of kind $3 at priority $4, once: nothing happens when the
 * row is no longer 'received'.
 */
static const char finish_sql[] =
	"WITH done AS (UPDATE sawt.inbound_messages"
	"  SET state = 'processed', processed_at = now(), error_code = $5::text"
	"  WHERE id = $1::bigint AND state = 'received'"
	"  RETURNING id, sender, person_id)"
	" INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, inbound_id)"
	" SELECT sender, $2::text, $4::smallint, $3::text, person_id, id FROM done"
	" RETURNING id";

/*
 * ACK of alert $3 by person $1 for inbound row $2: al is the alert when
 * it is of their election and visible to them (about their areas or
 * below, about no area, or sent to them: src/daemon/alerts.c); the row is marked
 * processed, the alert acknowledged (unless it already was) and the reply
 * queued ($4 when known, $5 when not), all or nothing and only while the
 * row is 'received'.  Returns replies queued, known, alerts acknowledged.
 */
static const char ack_sql[] =
	"WITH " COORDINATOR_CTE
	","
	" al AS (SELECT a.id FROM p"
	"  JOIN sawt.alerts a ON a.id = $3::bigint"
	"  LEFT JOIN sawt.stations s ON s.id = a.station_id"
	"  LEFT JOIN sawt.areas ar ON ar.id = a.area_id"
	"  LEFT JOIN sawt.analytics_area_ancestors sa ON sa.area_id = s.area_id"
	"  LEFT JOIN sawt.analytics_area_ancestors aa ON aa.area_id = a.area_id"
	"  WHERE COALESCE(a.election_id, s.election_id, ar.election_id) = p.election_id"
	"  AND (cardinality(p.mine) = 0 OR (a.station_id IS NULL AND a.area_id IS NULL)"
	"   OR sa.ancestors && p.mine OR aa.ancestors && p.mine"
	"   OR EXISTS (SELECT 1 FROM sawt.alert_recipients r"
	"    WHERE r.alert_id = a.id AND r.person_id = p.id))),"
	" done AS (UPDATE sawt.inbound_messages im"
	"  SET state = 'processed', processed_at = now(),"
	"  error_code = CASE WHEN EXISTS (SELECT 1 FROM al) THEN NULL ELSE 'ack_unknown_alert' END"
	"  WHERE im.id = $2::bigint AND im.state = 'received'"
	"  RETURNING im.id, im.sender, im.person_id),"
	" ack AS (UPDATE sawt.alerts a SET acknowledged_at = now(), acknowledged_by = $1::int"
	"  FROM al, done WHERE a.id = al.id AND a.acknowledged_at IS NULL"
	"  RETURNING a.id),"
	" ins AS (INSERT INTO sawt.outbox (recipient, body, priority, kind, person_id, inbound_id)"
	"  SELECT done.sender, CASE WHEN EXISTS (SELECT 1 FROM al) THEN $4::text ELSE $5::text END,"
	"  2, 'reply', done.person_id, done.id FROM done"
	"  RETURNING id)"
	" SELECT (SELECT count(*) FROM ins), EXISTS (SELECT 1 FROM al), (SELECT count(*) FROM ack)";

/* VERIFY / QUAR of person $1 for row $2 about station $3 ($4 the action,
 * $5 the reason), with the five replies (migration 0024). */
static const char review_sql[] =
	"SELECT queued, result, changed"
	" FROM sawt.review_sms($1::int, $2::bigint, $3, $4, $5, $6, $7, $8, $9, $10)";

enum job_kind {
	JOB_STATUS,
	JOB_ACK,
	JOB_REVIEW, /* VERIFY or QUAR */
	JOB_REFUSE, /* no longer a coordinator */
};

struct job {
	struct job *prev, *next;
	struct command *cmd;
	enum job_kind kind;
	char id[ID_BUF]; /* sawt.inbound_messages.id */
	char person[ID_BUF];
	enum lang lang;
	struct parse_msg msg; /* spans into text */
	size_t len;
	char text[PARSE_MAX_BYTES + 1];
};

struct command {
	struct event_base *base;
	struct db *db;
	char *election;
	enum lang default_lang;
	command_queued_cb queued;
	void *queued_arg;
	bool db_ready;
	bool stopped;
	bool passing;                 /* a pass is under way */
	bool again;                   /* kicked during the pass: pass again */
	bool page_full;               /* the page read was full: read on */
	unsigned page_left;           /* jobs of the page not finished (+1 while starting) */
	unsigned in_flight;           /* queries sent, no result yet */
	char cursor[ID_BUF];          /* the last id read in this pass */
	unsigned long long warned_id; /* highest id of a non-command row logged */
	struct job *jobs;
	struct event *ev_tick;
	struct event *ev_kick;
	struct command_stats stats;
};

static void page_read(struct command *cmd);

/* ==== helpers ==== */

static bool query(struct command *cmd, const char *sql, int n, const char *const *params,
		  db_query_cb cb, void *arg)
{
	if (!db_query(cmd->db, sql, n, params, cb, arg)) {
		log_error("could not queue a coordinator query: out of memory");
		return false;
	}
	cmd->in_flight++;
	return true;
}

static uint32_t value_u32(const struct db_result *res, int col)
{
	unsigned long long v = strtoull(db_result_value(res, 0, col), NULL, 10);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool value_true(const struct db_result *res, int col)
{
	return strcmp(db_result_value(res, 0, col), "t") == 0;
}

static bool render(enum reply_kind kind, enum lang lang, const struct reply_args *a, char *buf)
{
	if (reply_render(kind, lang, a, buf, REPLY_MAX, NULL) < 0) {
		log_error("could not render reply \"%s\" in %s", reply_kind_code(kind),
			  lang_code(lang));
		return false;
	}
	return true;
}

/* A query of a job failed: the row stays 'received' for the next pass. */
static void log_failure(const struct job *j, const struct db_result *res)
{
	if (strcmp(db_result_sqlstate(res), "08006") == 0)
		log_warn("coordinator message %s: connection lost; it will be answered later",
			 j->id);
	else
		log_error("could not answer coordinator message %s: %s", j->id,
			  db_result_error(res));
}

/* ==== passes and pages ==== */

static void pass_end(struct command *cmd)
{
	cmd->passing = false;
	if (cmd->again)
		command_kick(cmd);
}

/* One job of the page (or the page's start guard) is done. */
static void page_step(struct command *cmd)
{
	if (--cmd->page_left > 0)
		return;
	if (cmd->page_full && !cmd->stopped && cmd->db_ready)
		page_read(cmd);
	else
		pass_end(cmd);
}

static void job_done(struct job *j, bool ok)
{
	struct command *cmd = j->cmd;

	if (!ok)
		cmd->stats.failures++;
	if (j->prev)
		j->prev->next = j->next;
	else
		cmd->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	free(j);
	page_step(cmd);
}

static void replied(struct job *j, const struct db_result *res)
{
	struct command *cmd = j->cmd;

	if (db_result_rows(res) == 0 || strcmp(db_result_value(res, 0, 0), "0") == 0) {
		log_debug("coordinator message %s was answered elsewhere", j->id);
		return;
	}
	if (j->kind == JOB_STATUS)
		cmd->stats.status_answered++;
	else if (j->kind == JOB_ACK)
		cmd->stats.ack_answered++;
	else if (j->kind == JOB_REVIEW)
		cmd->stats.review_answered++;
	else
		cmd->stats.refused++;
	if (cmd->queued)
		cmd->queued(cmd->queued_arg);
}

/* ==== answering ==== */

static void finish_cb(const struct db_result *res, void *arg)
{
	struct job *j = arg;

	assert(j->cmd->in_flight > 0);
	j->cmd->in_flight--;
	if (!db_result_ok(res)) {
		log_failure(j, res);
		job_done(j, false);
		return;
	}
	replied(j, res);
	job_done(j, true);
}

/* Queue body of kind for j's row; error is the inbound error code or NULL. */
static bool finish(struct job *j, const char *body, const char *kind, const char *priority,
		   const char *error)
{
	const char *p[] = { j->id, body, kind, priority, error };

	return query(j->cmd, finish_sql, 5, p, finish_cb, j);
}

static void status_cb(const struct db_result *res, void *arg)
{
	struct job *j = arg;
	struct reply_args a;
	char body[REPLY_MAX];
	bool known;

	assert(j->cmd->in_flight > 0);
	j->cmd->in_flight--;
	if (!db_result_ok(res) || db_result_rows(res) != 1) {
		if (db_result_ok(res))
			log_error("coordinator message %s: person %s not found", j->id, j->person);
		else
			log_failure(j, res);
		job_done(j, false);
		return;
	}
	known = value_true(res, 0);
	reply_args_from_msg(&a, &j->msg, j->text, j->len);
	if (known) {
		a.area = db_result_isnull(res, 0, 1) ? NULL : db_result_value(res, 0, 1);
		a.area_len = a.area ? strlen(a.area) : 0;
		a.stations = value_u32(res, 2);
		a.reported = value_u32(res, 3);
		a.turnout_pct = value_u32(res, 4);
		a.women_pct = value_u32(res, 5);
		a.incidents = value_u32(res, 6);
	}
	if (!render(known ? REPLY_STATUS : REPLY_STATUS_UNKNOWN_AREA, j->lang, &a, body) ||
	    !finish(j, body, "status", "2", known ? NULL : "status_unknown_area"))
		job_done(j, false);
}

/*
 * The result of a statement that decides and answers in one (ack_sql,
 * review_sql): on failure the job ends failed and false is returned;
 * otherwise true when its third column (what changed) is not "0".
 */
static bool decided(struct job *j, const struct db_result *res, bool *changed)
{
	assert(j->cmd->in_flight > 0);
	j->cmd->in_flight--;
	if (!db_result_ok(res)) {
		log_failure(j, res);
		job_done(j, false);
		return false;
	}
	*changed = db_result_rows(res) == 1 && strcmp(db_result_value(res, 0, 2), "0") != 0;
	return true;
}

static void ack_cb(const struct db_result *res, void *arg)
{
	struct job *j = arg;
	bool changed;

	if (!decided(j, res, &changed))
		return;
	if (changed)
		log_info("alert %u acknowledged by person %s", j->msg.alert_id, j->person);
	replied(j, res);
	job_done(j, true);
}

static void review_cb(const struct db_result *res, void *arg)
{
	struct job *j = arg;
	bool changed;

	if (!decided(j, res, &changed))
		return;
	if (changed)
		log_info("station %s: %s report(s) %s by person %s by SMS", j->msg.station,
			 db_result_value(res, 0, 2),
			 j->msg.form == PARSE_FORM_VERIFY ? "verified" : "quarantined", j->person);
	replied(j, res);
	job_done(j, true);
}

/* The replies a VERIFY or QUAR may get, in the order review_sql takes them. */
static const enum reply_kind review_replies[5] = {
	REPLY_REVIEW_VERIFIED,  REPLY_REVIEW_QUARANTINED, REPLY_REVIEW_NOTHING,
	REPLY_REVIEW_NOT_YOURS, REPLY_REVIEW_NO_REASON,
};

static bool run_review(struct job *j)
{
	struct reply_args a;
	char bodies[5][REPLY_MAX], reason[PARSE_MAX_BYTES + 1] = "";
	const char *p[10] = { j->person, j->id, j->msg.station,
			      j->msg.form == PARSE_FORM_VERIFY ? "verify" : "quarantine", reason };

	reply_args_from_msg(&a, &j->msg, j->text, j->len);
	for (int k = 0; k < 5; k++) {
		if (!render(review_replies[k], j->lang, &a, bodies[k]))
			return false;
		p[5 + k] = bodies[k];
	}
	if (j->msg.has & PARSE_HAS_TEXT) {
		memcpy(reason, j->text + j->msg.text.off, j->msg.text.len);
		reason[j->msg.text.len] = '\0';
	}
	return query(j->cmd, review_sql, 10, p, review_cb, j);
}

static bool run_status(struct job *j)
{
	char area[PARSE_MAX_BYTES + 1];
	const char *p[] = { j->person, NULL };

	if (j->msg.has & PARSE_HAS_AREA) {
		memcpy(area, j->text + j->msg.area.off, j->msg.area.len);
		area[j->msg.area.len] = '\0';
		p[1] = area;
	}
	return query(j->cmd, status_sql, 2, p, status_cb, j);
}

static bool run_ack(struct job *j)
{
	struct reply_args a;
	char known[REPLY_MAX], unknown[REPLY_MAX], alert[16];
	const char *p[] = { j->person, j->id, alert, known, unknown };

	reply_args_from_msg(&a, &j->msg, j->text, j->len);
	snprintf(alert, sizeof(alert), "%u", j->msg.alert_id);
	if (!render(REPLY_ACK, j->lang, &a, known) ||
	    !render(REPLY_ACK_UNKNOWN_ALERT, j->lang, &a, unknown))
		return false;
	return query(j->cmd, ack_sql, 5, p, ack_cb, j);
}

static bool run_refuse(struct job *j)
{
	struct reply_args a;
	char body[REPLY_MAX];

	reply_args_from_msg(&a, &j->msg, j->text, j->len);
	if (!render(REPLY_NOT_COORDINATOR, j->lang, &a, body))
		return false;
	return finish(j, body, "reply", "1", reply_kind_code(REPLY_NOT_COORDINATOR));
}

static void job_run(struct job *j)
{
	bool ok;

	switch (j->kind) {
	case JOB_STATUS: ok = run_status(j); break;
	case JOB_ACK: ok = run_ack(j); break;
	case JOB_REVIEW: ok = run_review(j); break;
	default: ok = run_refuse(j); break;
	}
	if (!ok)
		job_done(j, false);
}

/* ==== reading a page ==== */

/* Row i of a page as a job; NULL when it is not a command (or no memory). */
static struct job *job_new(struct command *cmd, const struct db_result *res, int i)
{
	struct job *j = calloc(1, sizeof(*j));
	const char *text = db_result_value(res, i, 1);
	enum lang registered;
	bool has_lang;

	if (j == NULL) {
		log_error("out of memory: coordinator message %s waits",
			  db_result_value(res, i, 0));
		return NULL;
	}
	j->cmd = cmd;
	snprintf(j->id, sizeof(j->id), "%s", db_result_value(res, i, 0));
	snprintf(j->person, sizeof(j->person), "%s", db_result_value(res, i, 2));
	j->len = strlen(text);
	if (j->len > sizeof(j->text))
		j->len = sizeof(j->text); /* parses as message_too_long */
	memcpy(j->text, text, j->len);
	if (!parse_message(j->text, j->len, cmd->default_lang, &j->msg) ||
	    (j->msg.form != PARSE_FORM_STATUS && j->msg.form != PARSE_FORM_ACK &&
	     j->msg.form != PARSE_FORM_VERIFY && j->msg.form != PARSE_FORM_QUARANTINE)) {
		free(j);
		return NULL;
	}
	has_lang = lang_parse(db_result_value(res, i, 4), &registered);
	j->lang = reply_lang(has_lang ? (int)registered : -1, &j->msg);
	if (strcmp(db_result_value(res, i, 3), "coordinator") != 0)
		j->kind = JOB_REFUSE;
	else
		j->kind = j->msg.form == PARSE_FORM_STATUS ? JOB_STATUS
			  : j->msg.form == PARSE_FORM_ACK  ? JOB_ACK
							   : JOB_REVIEW;
	return j;
}

/* Rows in state 'received' that are not STATUS or ACK belong to nobody
 * here; say so once per row. */
static void not_a_command(struct command *cmd, const char *id)
{
	unsigned long long n = strtoull(id, NULL, 10);

	if (n <= cmd->warned_id)
		return;
	cmd->warned_id = n;
	log_warn("inbound message %s is in state received but is not a STATUS or ACK; left alone",
		 id);
}

static void page_cb(const struct db_result *res, void *arg)
{
	struct command *cmd = arg;
	int n;

	assert(cmd->in_flight > 0);
	cmd->in_flight--;
	if (!db_result_ok(res)) {
		if (strcmp(db_result_sqlstate(res), "08006") != 0)
			log_error("could not read coordinator messages: %s", db_result_error(res));
		cmd->again = false;
		pass_end(cmd);
		return;
	}
	n = db_result_rows(res);
	cmd->page_full = n >= COMMAND_PAGE;
	cmd->page_left = 1; /* held until every job has started */
	for (int i = 0; i < n; i++) {
		struct job *j;

		snprintf(cmd->cursor, sizeof(cmd->cursor), "%s", db_result_value(res, i, 0));
		j = job_new(cmd, res, i);
		if (j == NULL) {
			not_a_command(cmd, cmd->cursor);
			continue;
		}
		j->next = cmd->jobs;
		if (cmd->jobs)
			cmd->jobs->prev = j;
		cmd->jobs = j;
		cmd->page_left++;
		job_run(j);
	}
	page_step(cmd);
}

static void page_read(struct command *cmd)
{
	char limit[16];
	const char *p[] = { cmd->election, cmd->cursor, limit };

	snprintf(limit, sizeof(limit), "%d", COMMAND_PAGE);
	if (!query(cmd, page_sql, 3, p, page_cb, cmd))
		pass_end(cmd);
}

static void pass_start(struct command *cmd)
{
	if (!cmd->db_ready || cmd->stopped || cmd->passing)
		return;
	cmd->passing = true;
	cmd->again = false;
	cmd->stats.passes++;
	snprintf(cmd->cursor, sizeof(cmd->cursor), "0");
	page_read(cmd);
}

/* ==== public ==== */

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pass_start(arg);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	command_kick(arg);
}

struct command *command_new(struct event_base *base, struct db *db, const struct config *cfg,
			    command_queued_cb queued, void *arg)
{
	struct command *cmd = calloc(1, sizeof(*cmd));
	struct timeval tick = { COMMAND_TICK_SEC, 0 };

	if (cmd == NULL)
		return NULL;
	cmd->base = base;
	cmd->db = db;
	cmd->queued = queued;
	cmd->queued_arg = arg;
	cmd->default_lang = cfg->default_language;
	cmd->election = strdup(config_election(cfg));
	cmd->ev_tick = event_new(base, -1, EV_PERSIST, tick_cb, cmd);
	cmd->ev_kick = evtimer_new(base, kick_cb, cmd);
	if (cmd->election == NULL || cmd->ev_tick == NULL || cmd->ev_kick == NULL ||
	    event_add(cmd->ev_tick, &tick) != 0)
		goto fail;
	return cmd;
fail:
	command_free(cmd);
	return NULL;
}

void command_free(struct command *cmd)
{
	if (cmd == NULL)
		return;
	while (cmd->jobs) {
		struct job *j = cmd->jobs;

		cmd->jobs = j->next;
		free(j);
	}
	if (cmd->ev_tick)
		event_free(cmd->ev_tick);
	if (cmd->ev_kick)
		event_free(cmd->ev_kick);
	free(cmd->election);
	free(cmd);
}

void command_set_db_ready(struct command *cmd, bool ready)
{
	cmd->db_ready = ready;
	if (ready)
		command_kick(cmd);
}

void command_kick(struct command *cmd)
{
	struct timeval soon = { 0, KICK_DELAY_US };

	if (cmd->stopped || !cmd->db_ready)
		return;
	if (cmd->passing) {
		cmd->again = true;
		return;
	}
	if (!evtimer_pending(cmd->ev_kick, NULL))
		evtimer_add(cmd->ev_kick, &soon);
}

void command_stop(struct command *cmd)
{
	cmd->stopped = true;
	event_del(cmd->ev_tick);
	event_del(cmd->ev_kick);
}

unsigned command_in_flight(const struct command *cmd)
{
	return cmd->in_flight;
}

void command_get_stats(const struct command *cmd, struct command_stats *out)
{
	*out = cmd->stats;
}
