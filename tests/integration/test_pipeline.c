/*
 * test_pipeline.c - the processing pipeline end to end against a real
 * PostgreSQL (run under tests/pgtmp.sh): inbound records go through
 * pipeline_submit() on a real event loop, and the stored inbound row,
 * report, tally and outbox reply are checked with SQL.
 *
 * The registry comes from tests/data/pipeline/ through `sawt import`.
 * Election day is 2025-05-04 (UTC), polls open 07:00, results due 23:00.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "inbound.h"
#include "pipeline.h"

#define A "+9613100001"      /* observer of 1021 and 2012 */
#define B "+9613100002"      /* observer of 1021 */
#define PINNED "+9613100003" /* 1021, 1023; PIN 4321 */
#define COORD "+9613100004"  /* coordinator of Beirut */
#define FLOOD "+9613100005"  /* 2011 */
#define ARABIC "+9613100006" /* 2011, replies in Arabic */
#define LOCKED "+9613100007" /* 1023; PIN 8642; French */
#define F "+9613100008"      /* 2011, 1023 */
#define AGAIN "+9613100010"  /* 1022; PIN 5555 */
#define OWN "+9613999999"    /* sawt's own modem */

#define NOON 1746360000 /* 2025-05-04 12:00 UTC */

static struct event_base *base;
static struct db *db;
static struct pipeline *pl;
static struct config *cfg;
static struct pipeline_options opt;
static PGconn *conn;
static int64_t clock_s = NOON; /* each message gets its own SMSC time */

/* What the database holds about one message. */
struct stored {
	char state[16];
	char in_error[48];
	char no_reply[32];
	int reports;
	char outcome[24];
	char error[48];
	char flags[96];
	char superseded[24];
	int replies;
	char body[600];
	int priority;
};

/* ---- helpers ---- */

static void forward_state(struct db *d, enum db_state state, void *arg)
{
	(void)d;
	(void)arg;
	if (pl != NULL)
		pipeline_on_db_state(pl, state);
}

static void forward_notify(const char *channel, const char *payload, void *arg)
{
	(void)arg;
	if (pl != NULL)
		pipeline_on_notify(pl, channel, payload);
}

static void run_ms(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Run the loop until *flag is set (10 s at most). */
static void run_until(const int *flag)
{
	for (int i = 0; *flag == 0 && i < 2000; i++)
		run_ms(5);
}

static void done_cb(void *arg, enum pipeline_outcome outcome)
{
	int *o = arg;

	*o = outcome == PIPELINE_COMMITTED ? 1 : 2;
}

static void mk(struct inbound *in, const char *sender, const char *text, int64_t t)
{
	memset(in, 0, sizeof(*in));
	in->transport = INBOUND_GSM;
	snprintf(in->source, sizeof(in->source), "m1");
	snprintf(in->sender, sizeof(in->sender), "%s", sender);
	in->text_len = (uint16_t)strlen(text);
	memcpy(in->text, text, in->text_len);
	in->smsc_time = t;
	in->received_ms = t * 1000 + 700;
	inbound_dedup_key(in);
}

/* ---- what the stored callback says (for /metrics) ---- */

struct seen {
	int n;
	uint8_t transport;
	bool reprocessed;
	char outcome[24], code[48], form[16];
};

static void stored_cb(void *arg, const struct pipeline_stored *st)
{
	struct seen *s = arg;

	s->n++;
	s->transport = st->transport;
	s->reprocessed = st->reprocessed;
	snprintf(s->outcome, sizeof(s->outcome), "%s", st->outcome);
	snprintf(s->code, sizeof(s->code), "%s", st->code);
	snprintf(s->form, sizeof(s->form), "%s", st->form);
}

/* Submit in and wait for its commit. */
static void send_in(struct inbound *in)
{
	int o = 0;

	assert_true(pipeline_submit(pl, in, done_cb, &o));
	run_until(&o);
	assert_int_equal(o, 1);
}

/* Send text from sender at time t; in (optional) receives the record. */
static void send_at(const char *sender, const char *text, int64_t t, struct inbound *out)
{
	struct inbound in;

	mk(&in, sender, text, t);
	send_in(&in);
	if (out != NULL)
		*out = in;
}

static void send_msg(const char *sender, const char *text, struct inbound *out)
{
	send_at(sender, text, clock_s++, out);
}

static void copy_val(char *dst, size_t n, PGresult *r, int col)
{
	snprintf(dst, n, "%s", PQntuples(r) ? PQgetvalue(r, 0, col) : "");
}

/* The first value of a query with up to one parameter ("" when none). */
static char *q1(const char *sql, const char *param)
{
	static char buf[1024];
	PGresult *r = PQexecParams(conn, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("query failed: %s: %s", sql, PQerrorMessage(conn));
	copy_val(buf, sizeof(buf), r, 0);
	PQclear(r);
	return buf;
}

static int q1i(const char *sql, const char *param)
{
	return atoi(q1(sql, param));
}

static void load(const struct inbound *in, struct stored *s)
{
	const char *p = in->dedup;
	PGresult *r = PQexecParams(
		conn,
		"SELECT i.state, coalesce(i.error_code, ''), coalesce(i.no_reply_reason, ''),"
		" (SELECT count(*) FROM sawt.reports r WHERE r.inbound_id = i.id),"
		" coalesce(r.outcome, ''), coalesce(r.error_code, ''), coalesce(r.flags::text, ''),"
		" coalesce(r.superseded_by::text, ''),"
		" (SELECT count(*) FROM sawt.outbox o WHERE o.inbound_id = i.id),"
		" coalesce((SELECT o.body FROM sawt.outbox o WHERE o.inbound_id = i.id"
		"  ORDER BY o.id DESC LIMIT 1), ''),"
		" coalesce((SELECT o.priority FROM sawt.outbox o WHERE o.inbound_id = i.id"
		"  ORDER BY o.id DESC LIMIT 1), 0)"
		" FROM sawt.inbound_messages i"
		" LEFT JOIN sawt.reports r ON r.inbound_id = i.id"
		" WHERE i.dedup_key = decode($1, 'hex')",
		1, NULL, &p, NULL, NULL, 0);

	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), 1);
	memset(s, 0, sizeof(*s));
	copy_val(s->state, sizeof(s->state), r, 0);
	copy_val(s->in_error, sizeof(s->in_error), r, 1);
	copy_val(s->no_reply, sizeof(s->no_reply), r, 2);
	s->reports = atoi(PQgetvalue(r, 0, 3));
	copy_val(s->outcome, sizeof(s->outcome), r, 4);
	copy_val(s->error, sizeof(s->error), r, 5);
	copy_val(s->flags, sizeof(s->flags), r, 6);
	copy_val(s->superseded, sizeof(s->superseded), r, 7);
	s->replies = atoi(PQgetvalue(r, 0, 8));
	copy_val(s->body, sizeof(s->body), r, 9);
	s->priority = atoi(PQgetvalue(r, 0, 10));
	PQclear(r);
}

/* Send text and load what was stored. */
static void roundtrip(const char *sender, const char *text, struct stored *s)
{
	struct inbound in;

	send_msg(sender, text, &in);
	load(&in, s);
}

/* Import a file of tests/data/pipeline/ with `sawt import`. */
static int import(const char *kind, const char *file)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "\"$SAWT\" import %s \"$SAWT_TEST_DATA/pipeline/%s\""
		 " >/dev/null",
		 kind, file);
	return system(cmd);
}

static void tally(const char *station, const char *form, const char *cols, char *out, size_t n)
{
	char sql[512];
	const char *params[2] = { station, form };
	PGresult *r;

	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM sawt.tallies t JOIN sawt.stations s"
		 " ON s.id = t.station_id WHERE s.code = $1 AND t.form = $2",
		 cols);
	r = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	copy_val(out, n, r, 0);
	PQclear(r);
}

static unsigned lanes_ready(void)
{
	struct pipeline_stats st;

	pipeline_stats(pl, &st);
	return st.lanes_ready;
}

/* ---- setup ---- */

static const char test_config[] =
	"[election]\n"
	"country_code = 961\n"
	"default_language = en\n"
	"timezone = UTC\n"
	"polls_open = 07:00\n"
	"polls_close = 19:00\n"
	"results_deadline = 2025-05-04 23:00\n"
	"pseudonym_secret = test-secret\n"
	"[database]\n"
	"url = postgresql://\n" /* libpq's environment, like db_new(base, "") */
	"[modem m1]\n"
	"device = /dev/null\n"
	"number = 03999999\n";

static int setup(void **state)
{
	char err[CONFIG_ERR_MAX];

	(void)state;
	if (system("\"$SAWT\" migrate >/dev/null") != 0 ||
	    import("incident-codes", "incident_codes.csv") != 0 ||
	    import("contests", "contests.csv") != 0 || import("stations", "stations.csv") != 0 ||
	    import("people", "people.csv") != 0)
		return -1;
	conn = PQconnectdb("");
	cfg = config_parse("test", test_config, sizeof(test_config) - 1, err, sizeof(err));
	base = event_base_new();
	if (cfg == NULL)
		print_error("%s\n", err);
	if (PQstatus(conn) != CONNECTION_OK || cfg == NULL || base == NULL)
		return -1;
	db = db_new(base, "");
	if (db == NULL)
		return -1;
	db_set_state_cb(db, forward_state, NULL);
	db_set_notify_cb(db, forward_notify, NULL);
	pl = pipeline_new(base, db, cfg);
	if (pl == NULL)
		return -1;
	pipeline_options_init(&opt);
	opt.rate_max = 40;
	opt.node = "test-node";
	opt.conninfo = ""; /* the extra write connection: libpq's environment */
	if (!pipeline_set_options(pl, &opt))
		return -1;
	db_start(db);
	for (int i = 0; i < 1000 && !(pipeline_ready(pl) && lanes_ready() == 2); i++)
		run_ms(10);
	return pipeline_ready(pl) && lanes_ready() == 2 ? 0 : -1;
}

static int teardown(void **state)
{
	struct pipeline_stats st;

	(void)state;
	if (pl != NULL) {
		pipeline_stats(pl, &st);
		for (int i = 0; i < 500 && st.in_flight > 0; i++) {
			run_ms(10);
			pipeline_stats(pl, &st);
		}
	}
	pipeline_free(pl);
	pl = NULL;
	db_free(db);
	event_base_free(base);
	config_free(cfg);
	PQfinish(conn);
	return 0;
}

/* ---- accepted reports ---- */

static void test_turnout_accepted(void **state)
{
	struct stored s;
	char v[64];

	(void)state;
	roundtrip(A, "T 1021 V420 W190", &s);
	assert_string_equal(s.state, "processed");
	assert_int_equal(s.reports, 1);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.flags, "{}");
	assert_string_equal(s.body, "OK 1021: 420 voters, 190 women (45%)");
	assert_int_equal(s.priority, 2);
	tally("1021", "turnout", "t.voters || '/' || t.women", v, sizeof(v));
	assert_string_equal(v, "420/190");
	/* share = women / voters, rate = women / registered women */
	assert_string_equal(q1("SELECT women_share_pct || ' ' || women_rate_pct"
			       " FROM sawt.station_turnout WHERE code = '1021'",
			       NULL),
			    "45.2 38.0");
	assert_string_equal(q1("SELECT a.women_share_pct FROM sawt.area_turnout a"
			       " WHERE a.name = 'Beirut'",
			       NULL),
			    "45.2");
}

static void test_other_forms_accepted(void **state)
{
	struct stored s;

	(void)state;
	roundtrip(F, "OPEN 1023 0705", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.body, "OK 1023: opening at 07:05 recorded. Thank you.");
	roundtrip(F, "C 1023 V500 W250 M250", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.body,
			    "OK 1023 closed: 500 voters, 250 women (50%), 250 men. Thank you.");
	roundtrip(F, "R 1023 100 200 150 30 20 V500", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.body, "OK 1023 results: 100 200 150 30 20 (sum 500), V 500");
	assert_string_equal(q1("SELECT counts::text || ' ' || invalid || ' ' || blank"
			       " FROM sawt.reports WHERE station_code = '1023'"
			       " AND form = 'results'",
			       NULL),
			    "{100,200,150} 30 20");
	roundtrip(F, "I 1023 3 vote buying at the door", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.body, "OK 1023: incident 3 recorded. Thank you.");
	assert_string_equal(q1("SELECT text FROM sawt.reports WHERE form = 'incident'"
			       " AND station_code = '1023'",
			       NULL),
			    "vote buying at the door");
	/* coordinators report for any station of their area */
	roundtrip(COORD, "R 1022 MUK 10 20 3 1", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_int_equal(q1i("SELECT count(*) FROM sawt.tallies t JOIN sawt.contests c"
			     " ON c.id = t.contest_id WHERE c.code = 'MUK'",
			     NULL),
			 1);
	/* an Arabic contest code, imported as بلدية, typed with ة or ه */
	roundtrip(COORD, "ف ١٠٢٢ بلدية ٥ ٦ ١ ٠", &s);
	assert_string_equal(s.outcome, "accepted");
	roundtrip(COORD, "R 1022 بلديه 7 6 1 0", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(q1("SELECT t.counts::text FROM sawt.tallies t JOIN sawt.contests c"
			       " ON c.id = t.contest_id WHERE c.code = 'بلديه'",
			       NULL),
			    "{7,6}");
}

static void test_arabic_reply_and_help(void **state)
{
	struct stored s;

	(void)state;
	roundtrip(ARABIC, "T 2011 V100 W40", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_non_null(strstr(s.body, "2011"));
	assert_non_null(strstr(s.body, "\xd8")); /* Arabic letters */
	roundtrip(A, "HELP", &s);
	assert_int_equal(s.reports, 0);
	assert_string_equal(s.state, "processed");
	assert_int_equal(s.priority, 3);
	assert_non_null(strstr(s.body, "HELP T for more"));
}

/* ---- every rule rejected ---- */

struct rule_case {
	const char *sender;
	const char *text;
	const char *code;
	const char *reply; /* a part of the reply */
	bool report;       /* a report row is expected */
};

static void test_rules_rejected(void **state)
{
	static const struct rule_case cases[] = {
		{ "+9613777777", "T 1021 V1", "unknown_sender", "not registered", true },
		{ A, "T 9999 V1", "station_unknown", "Station 9999 does not exist", true },
		{ A, "T 2011 V1", "station_not_assigned", "not assigned to you", true },
		{ PINNED, "T 1021 V10", "pin_required", "PIN missing", true },
		{ PINNED, "T 1021 V10 #1111", "bad_pin", "Wrong PIN", true },
		{ A, "T 1021 V100 W150", "women_exceed_voters", "W 150 is more than V 100", true },
		{ A, "T 1021 V100 W40 M50", "sum_mismatch", "W 40 + M 50 = 90, not V 100", true },
		{ A, "T 1021 V1001", "voters_exceed_registered", "1000 voters registered", true },
		{ A, "C 1021 V900 W501", "women_exceed_registered_women", "500 women registered",
		  true },
		{ A, "R 1021 1 2 3 4", "wrong_count_number", "4 numbers for 1021, 5 expected",
		  true },
		{ A, "R 1021 1 2 3 4 5 V16", "counts_total_mismatch", "add up to 15, not V 16",
		  true },
		{ A, "R 1021 500 400 100 10 5", "results_exceed_registered",
		  "add up to 1015, more than the 1000", true },
		{ A, "I 1021 9 something", "unknown_incident_code", "Unknown incident code 9",
		  true },
		{ COORD, "R 1022 1 2 3 4 5", "contest_required", "several contests", true },
		{ COORD, "R 1022 XYZ 1 2 3 4 5", "contest_not_on_ballot", "XYZ", true },
		{ A, "T 1021 V", "missing_number", "No number after", true },
		{ A, "R 2012 1 2 3", "no_contest", "no contest is registered", true },
		{ A, "STATUS", "not_coordinator", "for coordinators only", false },
	};
	struct stored s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rule_case *c = &cases[i];

		roundtrip(c->sender, c->text, &s);
		print_message("# %s -> %s: %s\n", c->text, s.in_error, s.body);
		assert_string_equal(s.state, "processed");
		assert_string_equal(s.in_error, c->code);
		assert_int_equal(s.reports, c->report ? 1 : 0);
		if (c->report) {
			assert_string_equal(s.outcome, "rejected");
			assert_string_equal(s.error, c->code);
		}
		assert_int_equal(s.replies, 1);
		assert_int_equal(s.priority, 1);
		assert_non_null(strstr(s.body, c->reply));
	}
	/* nothing rejected reached a tally */
	assert_int_equal(q1i("SELECT count(*) FROM sawt.tallies t JOIN sawt.stations s"
			     " ON s.id = t.station_id WHERE s.code IN ('1021', '2012')"
			     " AND t.form IN ('close', 'results', 'incident')",
			     NULL),
			 0);
}

/* ---- database-side semantics ---- */

static void test_dedup(void **state)
{
	struct inbound in;
	struct stored s;

	(void)state;
	send_msg(F, "T 2011 V150 W60", &in);
	send_in(&in); /* the same record again */
	load(&in, &s);
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.replies, 1); /* its reply is still waiting: not doubled */
	assert_int_equal(q1i("SELECT count(*) FROM sawt.inbound_messages"
			     " WHERE dedup_key = decode($1, 'hex')",
			     in.dedup),
			 1);
	/* once sent (or delivered), a redelivery is not answered again: one
	 * reply per message, however often a gateway delivers it */
	q1("WITH u AS (UPDATE sawt.outbox SET state = 'sent' WHERE state = 'queued'"
	   " RETURNING 1) SELECT count(*) FROM u",
	   NULL);
	send_in(&in);
	load(&in, &s);
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.replies, 1);
	/* a reply that failed for good never reached the observer: a
	 * redelivery queues it again, once */
	q1("WITH u AS (UPDATE sawt.outbox SET state = 'failed' WHERE state = 'sent'"
	   " RETURNING 1) SELECT count(*) FROM u",
	   NULL);
	send_in(&in);
	send_in(&in);
	load(&in, &s);
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.replies, 2);
	assert_string_equal(s.body, "OK 2011: 150 voters, 60 women (40%)");
}

static void test_supersede_and_resend(void **state)
{
	struct inbound first, second, again;
	struct stored s;
	char v[64];

	(void)state;
	send_msg(A, "T 2012 V100 W50", &first);
	send_msg(A, "T 2012 V200 W90", &second);
	load(&first, &s);
	assert_string_equal(s.superseded, q1("SELECT r.id FROM sawt.reports r JOIN"
					     " sawt.inbound_messages i ON i.id = r.inbound_id"
					     " WHERE i.dedup_key = decode($1, 'hex')",
					     second.dedup));
	tally("2012", "turnout", "t.voters || ' ' || t.reports", v, sizeof(v));
	assert_string_equal(v, "200 2");
	/* the same figures again, later: acknowledged, not counted twice */
	send_msg(A, "T 2012 V200 W90", &again);
	load(&again, &s);
	assert_string_equal(s.outcome, "accepted_flagged");
	assert_string_equal(s.flags, "{resend}");
	assert_string_equal(s.body, "Already received for 2012. It is not counted twice.");
	assert_int_equal(s.priority, 2);
	tally("2012", "turnout", "t.voters || ' ' || t.reports", v, sizeof(v));
	assert_string_equal(v, "200 2");
	/* the current report is still the second one */
	assert_int_equal(q1i("SELECT count(*) FROM sawt.reports WHERE station_code = '2012'"
			     " AND form = 'turnout' AND superseded_by IS NULL",
			     NULL),
			 1);
}

static void test_decreasing_turnout(void **state)
{
	struct stored s;
	char v[64];

	(void)state;
	roundtrip(B, "T 1021 V500 W240", &s);
	assert_string_equal(s.outcome, "accepted");
	roundtrip(B, "T 1021 V450 W230", &s);
	assert_string_equal(s.outcome, "accepted_flagged");
	assert_string_equal(s.flags, "{turnout_decrease}");
	assert_non_null(strstr(s.body, "correction saved (450 voters"));
	tally("1021", "turnout", "t.voters || ' ' || t.corrected", v, sizeof(v));
	assert_string_equal(v, "450 true");
	assert_string_equal(q1("SELECT corrected FROM sawt.station_turnout"
			       " WHERE code = '1021'",
			       NULL),
			    "t");
	/* below another observer's figure: flagged, but the reply does not
	 * speak of "your last report" */
	roundtrip(A, "T 1021 V440 W220", &s);
	assert_string_equal(s.flags, "{turnout_decrease}");
	assert_null(strstr(s.body, "correction saved"));
	assert_non_null(strstr(s.body, "OK 1021: 440 voters"));
}

static void test_conflict(void **state)
{
	struct stored s;
	char v[64];

	(void)state;
	roundtrip(A, "R 1021 100 200 50 10 5", &s);
	assert_string_equal(s.outcome, "accepted");
	roundtrip(B, "R 1021 100 200 60 10 5", &s);
	assert_string_equal(s.outcome, "accepted_flagged");
	assert_string_equal(s.flags, "{conflict}");
	tally("1021", "results", "t.conflict::text || ' ' || t.counts::text", v, sizeof(v));
	assert_string_equal(v, "true {100,200,60}");
	assert_int_equal(q1i("SELECT count(*) FROM sawt.reports WHERE station_code = '1021'"
			     " AND form = 'results' AND outcome <> 'rejected'",
			     NULL),
			 2);
	/* the same figures from a second observer are no conflict */
	roundtrip(A, "R 1021 100 200 60 10 5", &s);
	assert_string_equal(s.outcome, "accepted");
	/* nor are they when only one gives an optional figure: the V total
	 * of results, the men's figure of a close */
	roundtrip(B, "R 1021 100 200 60 10 5 V375", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.flags, "{}");
	roundtrip(A, "C 1021 V600 W280", &s);
	assert_string_equal(s.outcome, "accepted");
	roundtrip(B, "C 1021 V600 W280 M320", &s);
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.flags, "{}");
	/* a figure both give and that differs still is */
	roundtrip(A, "C 1021 V600 W281 M319", &s);
	assert_string_equal(s.flags, "{conflict}");
}

static void test_early_and_late(void **state)
{
	struct inbound in;
	struct stored s;

	(void)state;
	send_at(F, "T 1023 V10", NOON - 6 * 3600, &in); /* 06:00 */
	load(&in, &s);
	assert_string_equal(s.flags, "{early}");
	assert_string_equal(s.outcome, "accepted_flagged");
	/* sent before the opening an earlier test reported: history */
	send_at(F, "OPEN 1023 0650", NOON - 5 * 3600 - 600, &in);
	load(&in, &s);
	assert_string_equal(s.flags, "{out_of_order}");
	send_at(F, "I 1023 1 opened late", NOON + 11 * 3600 + 1800, &in); /* 23:30 */
	load(&in, &s);
	assert_string_equal(s.flags, "{late}");
}

static void test_one_batch_in_order(void **state)
{
	static const char *texts[] = {
		"T 2011 V300 W100",
		"T 2011 V300 W100",
		"T 2011 V250 W100",
		"T 2011 V260 W100",
	};
	static const char *flags[] = { "{}", "{resend}", "{turnout_decrease}", "{}" };
	struct inbound in[4];
	int done[4] = { 0 };

	(void)state;
	/* submitted back to back: they cannot share one transaction */
	for (int i = 0; i < 4; i++) {
		mk(&in[i], F, texts[i], clock_s++);
		assert_true(pipeline_submit(pl, &in[i], done_cb, &done[i]));
	}
	run_until(&done[3]);
	for (int i = 0; i < 4; i++) {
		struct stored s;

		assert_int_equal(done[i], 1);
		load(&in[i], &s);
		assert_string_equal(s.flags, flags[i]);
	}
}

/* ---- sender rules ---- */

static void test_no_reply_senders(void **state)
{
	static const struct {
		const char *sender, *reason;
	} cases[] = {
		{ OWN, "own_number" },
		{ "03999999", "own_number" },
		{ "MTC", "non_phone_sender" },
		{ "1515", "non_phone_sender" },
	};
	struct stored s;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		roundtrip(cases[i].sender, "T 1021 V1", &s);
		assert_string_equal(s.state, "ignored");
		assert_string_equal(s.no_reply, cases[i].reason);
		assert_int_equal(s.reports, 0);
		assert_int_equal(s.replies, 0);
	}
}

/*
 * The current figure follows the send time: an SMS sent hours earlier and
 * delivered after a newer one is history (superseded at once, flagged
 * out_of_order), the tally keeps the newer figure, and the reply does not
 * speak of a decrease.
 */
static void test_late_older_report(void **state)
{
	struct inbound late;
	struct stored s;
	char v[16];

	(void)state;
	roundtrip(A, "C 2012 V300 W140", &s);
	assert_string_equal(s.outcome, "accepted");
	mk(&late, A, "C 2012 V5 W2", clock_s - 25000);
	late.received_ms = (clock_s++) * 1000LL;
	send_in(&late);
	load(&late, &s);
	assert_int_equal(s.reports, 1);
	assert_string_equal(s.outcome, "accepted_flagged");
	assert_non_null(strstr(s.flags, "out_of_order"));
	assert_null(strstr(s.flags, "turnout_decrease"));
	assert_string_not_equal(s.superseded, "");
	assert_int_equal(s.replies, 1);
	assert_non_null(strstr(s.body, "5 voters"));
	tally("2012", "close", "t.voters", v, sizeof(v));
	assert_string_equal(v, "300");
	/* a newer one is current again */
	roundtrip(A, "C 2012 V320 W150", &s);
	assert_string_equal(s.outcome, "accepted");
	tally("2012", "close", "t.voters", v, sizeof(v));
	assert_string_equal(v, "320");
}

/* A number that is not registered is answered for its first message of the
 * hour only; every message is stored with the reason. */
static void test_unknown_sender_once(void **state)
{
	struct stored s;

	(void)state;
	roundtrip("+9613777001", "T 1021 V1", &s);
	assert_string_equal(s.in_error, "unknown_sender");
	assert_int_equal(s.replies, 1);
	roundtrip("+9613777001", "HELP", &s);
	assert_string_equal(s.state, "processed");
	assert_string_equal(s.no_reply, "unknown_sender");
	assert_int_equal(s.replies, 0);
	roundtrip("+9613777001", "T 1021 V2", &s);
	assert_string_equal(s.no_reply, "unknown_sender");
	assert_int_equal(s.replies, 0);
}

static void test_rate_limit(void **state)
{
	struct stored s;
	char text[32];

	(void)state;
	/* rate_max is 40 in these tests: the 41st message mutes the sender */
	for (int i = 0; i < 43; i++) {
		snprintf(text, sizeof(text), "T 2011 V%d", 400 + i);
		roundtrip(FLOOD, text, &s);
		if (i < 40) {
			assert_string_equal(s.state, "processed");
			assert_int_equal(s.replies, 1);
		} else {
			/* throttled: the report is processed and counted, the
			 * reply withheld (DESIGN.md section 3) */
			assert_string_equal(s.state, "processed");
			assert_string_equal(s.no_reply, "rate_limited");
			assert_string_equal(s.outcome, "accepted");
			assert_int_equal(s.replies, 0);
			assert_int_equal(s.reports, 1);
		}
	}
	/* the last one is the station's current figure */
	assert_string_equal(
		q1("SELECT t.voters FROM sawt.tallies t JOIN sawt.stations st"
		   " ON st.id = t.station_id WHERE st.code = '2011' AND t.form = 'turnout'",
		   NULL),
		"442");
	assert_int_equal(q1i("SELECT count(*) FROM sawt.alerts WHERE kind = 'sender_flood'", NULL),
			 1);
	assert_non_null(strstr(q1("SELECT message FROM sawt.alerts"
				  " WHERE kind = 'sender_flood'",
				  NULL),
			       "Flooder"));
}

static void test_pin_lock(void **state)
{
	struct stored s;

	(void)state;
	roundtrip(LOCKED, "T 1023 V10 #8642", &s);
	assert_string_equal(s.outcome, "accepted");
	roundtrip(LOCKED, "T 1023 V11 #1111", &s);
	assert_string_equal(s.in_error, "bad_pin");
	roundtrip(LOCKED, "T 1023 V11 #2222", &s);
	assert_string_equal(s.in_error, "bad_pin");
	roundtrip(LOCKED, "T 1023 V11 #3333", &s);
	assert_string_equal(s.in_error, "pin_locked");
	assert_string_equal(s.outcome, "rejected");
	assert_non_null(strstr(s.body, "30"));
	/* now even the right PIN is refused, and the message is recorded */
	roundtrip(LOCKED, "T 1023 V12 #8642", &s);
	assert_string_equal(s.in_error, "pin_locked");
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.replies, 1);
	print_message("# locked reply: %s\n", s.body);
}

/* The same message delivered again (a modem worker killed before it
 * deleted it, a spool replay) counts neither for the rate nor as another
 * wrong PIN: the sender's next reports are still processed. */
static void test_redelivery_counts_once(void **state)
{
	struct inbound wrong, in[37];
	struct stored s;
	char text[32];

	(void)state;
	send_msg(AGAIN, "T 1022 V90 #1111", &wrong);
	send_in(&wrong);
	send_in(&wrong);
	roundtrip(AGAIN, "T 1022 V95 #5555", &s);
	assert_string_equal(s.in_error, ""); /* one wrong PIN, not three */
	assert_string_equal(s.outcome, "accepted");
	/* rate_max is 40: 39 messages in all, three of them delivered twice */
	for (int i = 0; i < 37; i++) {
		snprintf(text, sizeof(text), "T 1022 V%d #5555", 100 + i);
		send_msg(AGAIN, text, &in[i]);
		for (int k = i - 2; i == 33 && k <= i; k++)
			send_in(&in[k]);
	}
	load(&in[36], &s);
	assert_string_equal(s.no_reply, "");
	assert_int_equal(s.reports, 1);
	assert_int_equal(q1i("SELECT count(*) FROM sawt.inbound_messages WHERE sender = $1", AGAIN),
			 39);
	assert_int_equal(q1i("SELECT count(*) FROM sawt.inbound_messages WHERE sender = $1"
			     " AND state = 'ignored'",
			     AGAIN),
			 0);
	assert_int_equal(q1i("SELECT count(*) FROM sawt.alerts WHERE kind = 'sender_flood'", NULL),
			 1); /* FLOOD's only */
}

/* Free the pipeline and build a new one on the same database, as a
 * restarted sawtd would. */
static void restart_pipeline(void)
{
	struct pipeline_stats st;

	pipeline_stats(pl, &st);
	for (int i = 0; i < 500 && st.in_flight > 0; i++) {
		run_ms(10);
		pipeline_stats(pl, &st);
	}
	pipeline_free(pl);
	pl = pipeline_new(base, db, cfg);
	assert_non_null(pl);
	assert_true(pipeline_set_options(pl, &opt));
	for (int i = 0; i < 1000 && !(pipeline_ready(pl) && lanes_ready() == 2); i++)
		run_ms(10);
	assert_true(pipeline_ready(pl));
}

/* A restart neither lifts a PIN lock or a mute nor forgets wrong PINs,
 * and a right PIN still wipes the wrong ones before it. */
static void test_restart_keeps_sender_state(void **state)
{
	struct stored s;

	(void)state;
	/* PINNED: one wrong PIN in test_rules_rejected */
	roundtrip(PINNED, "T 1023 V20 #1112", &s);
	assert_string_equal(s.in_error, "bad_pin");
	roundtrip(PINNED, "T 1023 V20 #4321", &s);
	assert_int_equal(strncmp(s.outcome, "accepted", 8), 0); /* the right PIN */
	roundtrip(PINNED, "T 1023 V21 #1113", &s);
	assert_string_equal(s.in_error, "bad_pin");
	restart_pipeline();
	roundtrip(LOCKED, "T 1023 V13 #8642", &s);
	assert_string_equal(s.in_error, "pin_locked");
	roundtrip(FLOOD, "T 2011 V600", &s);
	assert_string_equal(s.no_reply, "rate_limited");
	assert_int_equal(q1i("SELECT count(*) FROM sawt.alerts WHERE kind = 'sender_flood'", NULL),
			 1);
	roundtrip(PINNED, "T 1023 V22 #1114", &s);
	assert_string_equal(s.in_error, "bad_pin"); /* second since the right one */
	roundtrip(PINNED, "T 1023 V22 #1115", &s);
	assert_string_equal(s.in_error, "pin_locked"); /* third */
}

/* ---- the operator's requests (sawt unmute, sawt reprocess) ---- */

/* Run the loop until the operator's request of kind is done (10 s at most). */
static void await_request(const char *kind)
{
	for (int i = 0; i < 2000 && q1i("SELECT count(*) FROM sawt.operator_requests"
					" WHERE kind = $1 AND done_at IS NULL",
					kind) > 0;
	     i++)
		run_ms(5);
	assert_int_equal(q1i("SELECT count(*) FROM sawt.operator_requests"
			     " WHERE kind = $1 AND done_at IS NULL",
			     kind),
			 0);
}

/* `sawt unmute PHONE` reaches the running pipeline at once, and a restart
 * does not bring the mute back. */
static void test_unmute(void **state)
{
	struct stored s;

	(void)state;
	/* FLOOD is muted since test_rate_limit, across the restart */
	roundtrip(FLOOD, "T 2011 V601", &s);
	assert_string_equal(s.no_reply, "rate_limited");
	assert_int_equal(system("\"$SAWT\" unmute --wait 0 '+961 3 100 005' >/dev/null"), 0);
	await_request("unmute");
	assert_string_equal(
		q1("SELECT node FROM sawt.operator_requests WHERE kind = 'unmute'", NULL),
		"test-node");
	roundtrip(FLOOD, "T 2011 V602", &s);
	assert_string_equal(s.no_reply, "");
	assert_int_equal(s.replies, 1);
	restart_pipeline();
	roundtrip(FLOOD, "T 2011 V603", &s);
	assert_string_equal(s.no_reply, "");
	assert_int_equal(s.replies, 1);
	/* a phone number the operator mistyped is refused */
	assert_int_not_equal(system("\"$SAWT\" unmute --wait 0 12ab >/dev/null 2>&1"), 0);
}

/* Store text from sender as an older sawtd stored a message it did not
 * process (state, no_reply_reason); in receives the record. */
static void store_unprocessed(const char *sender, const char *text, int64_t t, const char *st,
			      const char *why, struct inbound *in)
{
	char ts[24];
	const char *p[6] = { sender, text, ts, in->dedup, st, why };
	PGresult *r;

	mk(in, sender, text, t);
	snprintf(ts, sizeof(ts), "%lld", (long long)t);
	r = PQexecParams(
		conn,
		"INSERT INTO sawt.inbound_messages (received_at, transport, modem,"
		" sender, smsc_time, text, dedup_key, state, no_reply_reason, processed_at)"
		" VALUES (to_timestamp($3::bigint + 1), 'modem', 'm1', $1,"
		" to_timestamp($3::bigint), $2, decode($4, 'hex'), $5, $6,"
		" to_timestamp($3::bigint + 1))",
		6, NULL, p, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
}

static void redo_done(void *arg, enum pipeline_redo_outcome outcome)
{
	int *o = arg;

	*o = 10 + (int)outcome;
}

/* `sawt reprocess`: the messages an older sawtd recorded without
 * processing them are processed once, by send time, without replies. */
static void test_reprocess(void **state)
{
	struct inbound newer, older, open, own;
	struct stored s;
	char v[64], id[24], reports[24];
	struct seen seen = { 0 };
	int o = 0;

	(void)state;
	/* rate-limited by an older sawtd; the later-sent one first */
	store_unprocessed(A, "C 2012 V360 W170", NOON + 7200, "ignored", "rate_limited", &newer);
	store_unprocessed(A, "C 2012 V340 W160", NOON + 3600, "ignored", "rate_limited", &older);
	store_unprocessed(A, "OPEN 2012 0705", NOON - 10000, "failed", NULL, &open);
	store_unprocessed(OWN, "C 2012 V1 W1", NOON, "ignored", "own_number", &own);
	/* A's failed "T 3001 V10" of test_bad_message_isolated is the fourth */
	assert_int_equal(system("\"$SAWT\" reprocess --dry-run --sender +9613100001"
				" | grep -qx '4 message(s) recorded but not processed from"
				" +9613100001 (rate_limited 2, failed 2)'"),
			 0);
	assert_int_equal(q1i("SELECT count(*) FROM sawt.operator_requests"
			     " WHERE kind = 'reprocess'",
			     NULL),
			 0);
	assert_int_not_equal(
		system("\"$SAWT\" reprocess --wait 0 --sender 031OOOO1X >/dev/null 2>&1"), 0);
	/* the operator's local form, with the configuration's country code */
	assert_int_equal(system("\"$SAWT\" reprocess --wait 0 --sender '03 100 001' >/dev/null"),
			 0);
	await_request("reprocess");
	assert_int_equal(q1i("SELECT reprocessed FROM sawt.operator_requests"
			     " WHERE kind = 'reprocess'",
			     NULL),
			 4);
	load(&newer, &s);
	assert_string_equal(s.state, "processed");
	assert_string_equal(s.no_reply, "rate_limited"); /* why it got no answer then */
	assert_string_equal(s.outcome, "accepted");
	assert_string_equal(s.superseded, "");
	assert_int_equal(s.replies, 0);
	load(&older, &s);
	assert_string_equal(s.state, "processed");
	assert_string_equal(s.flags, "{out_of_order}"); /* sent before the current one */
	assert_string_not_equal(s.superseded, "");
	assert_int_equal(s.replies, 0);
	load(&open, &s);
	assert_string_equal(s.state, "processed");
	assert_string_equal(s.no_reply, "reprocessed");
	assert_string_equal(s.outcome, "accepted");
	load(&own, &s);
	assert_string_equal(s.state, "ignored");
	assert_int_equal(s.reports, 0);
	tally("2012", "close", "t.voters::text", v, sizeof(v));
	assert_string_equal(v, "360");
	assert_int_equal(q1i("SELECT count(*) FROM sawt.inbound_messages"
			     " WHERE reprocessed_at IS NOT NULL",
			     NULL),
			 4);
	assert_int_equal(q1i("SELECT count(*) FROM sawt.reports r JOIN sawt.inbound_messages i"
			     " ON i.id = r.inbound_id WHERE i.text = 'T 3001 V10'",
			     NULL),
			 1); /* the failed one, decided now: station unknown */
	/* again: nothing is left, nothing is counted twice */
	assert_int_equal(system("\"$SAWT\" reprocess --wait 0 --sender +9613100001"
				" | grep -qx '0 message(s) recorded but not processed from"
				" +9613100001 (rate_limited 0, failed 0)'"),
			 0);
	/* a reprocess that lost the race to another finds the row processed */
	tally("2012", "close", "t.reports::text", reports, sizeof(reports));
	snprintf(id, sizeof(id), "%s",
		 q1("SELECT id FROM sawt.inbound_messages WHERE dedup_key = decode($1, 'hex')",
		    newer.dedup));
	pipeline_set_stored_cb(pl, stored_cb, &seen);
	assert_true(pipeline_reprocess(pl, &newer, atoll(id), redo_done, &o));
	run_until(&o);
	assert_int_equal(o, 10 + PIPELINE_REDO_NOT_DUE);
	pipeline_set_stored_cb(pl, NULL, NULL);
	/* counted as a reprocessed message, not as one more message in */
	assert_int_equal(seen.n, 1);
	assert_true(seen.reprocessed);
	assert_string_equal(seen.outcome, "duplicate");
	load(&newer, &s);
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.replies, 0);
	tally("2012", "close", "t.reports::text", v, sizeof(v));
	assert_string_equal(v, reports);
}

/* ---- registry refresh and database loss ---- */

static void test_registry_refresh(void **state)
{
	struct stored s;

	(void)state;
	roundtrip("+9613100009", "T 2012 V5", &s);
	assert_string_equal(s.in_error, "unknown_sender");
	assert_int_equal(import("people", "people_late.csv"), 0);
	/* the NOTIFY from the import reloads the cache */
	run_ms(600);
	roundtrip("+9613100009", "T 2012 V300", &s);
	assert_string_equal(s.outcome, "accepted");
}

/* Use n write connections from now on. */
static void set_connections(unsigned n)
{
	opt.connections = n;
	assert_true(pipeline_set_options(pl, &opt));
	for (int i = 0; i < 500 && lanes_ready() < n; i++)
		run_ms(10);
	assert_int_equal(lanes_ready(), n);
}

/* A message the database refuses fails alone and is still recorded. */
static void test_bad_message_isolated(void **state)
{
	struct inbound bad, good;
	struct stored s;
	int done[2] = { 0, 0 };
	struct pipeline_stats st;
	uint64_t retries;

	(void)state;
	set_connections(1); /* both messages in one batch */
	pipeline_stats(pl, &st);
	retries = st.retries;
	q1("WITH s AS (INSERT INTO sawt.stations (election_id, code, name, area_id,"
	   " registered, registered_women) SELECT election_id, '3001', 'Temporary', area_id,"
	   " 100, 50 FROM sawt.stations WHERE code = '2011' RETURNING id)"
	   " INSERT INTO sawt.person_stations SELECT p.id, s.id FROM sawt.people p, s"
	   " WHERE p.phone = $1 RETURNING 1",
	   A);
	run_ms(600);
	/* gone from the database, not yet from the cache (the loop is not running) */
	q1("WITH d AS (DELETE FROM sawt.person_stations WHERE station_id ="
	   " (SELECT id FROM sawt.stations WHERE code = '3001') RETURNING station_id),"
	   " e AS (DELETE FROM sawt.stations WHERE id IN (SELECT station_id FROM d)"
	   " RETURNING 1) SELECT count(*) FROM e",
	   NULL);
	mk(&bad, A, "T 3001 V10", clock_s++);
	mk(&good, B, "T 1021 V480 W235", clock_s++);
	assert_true(pipeline_submit(pl, &bad, done_cb, &done[0]));
	assert_true(pipeline_submit(pl, &good, done_cb, &done[1]));
	run_until(&done[0]);
	run_until(&done[1]);
	assert_int_equal(done[0], 1);
	assert_int_equal(done[1], 1);
	load(&good, &s);
	assert_string_equal(s.outcome, "accepted");
	load(&bad, &s);
	assert_string_equal(s.state, "failed");
	assert_string_equal(s.in_error, "internal_error");
	assert_int_equal(s.reports, 0);
	assert_int_equal(s.replies, 0);
	pipeline_stats(pl, &st);
	assert_int_equal(st.internal_errors, 1);
	assert_int_equal(st.retries - retries, 2); /* split, then the fallback */
	set_connections(2);
}

/* An extra write connection that cannot connect: its stations use the
 * main one, and nothing is refused. */
static void test_extra_connection_down(void **state)
{
	static const char *texts[] = {
		"T 2011 V520 W250",
		"T 1023 V300 W150",
		"I 2011 1 late opening",
		"C 2011 V560 W270",
	};
	struct stored s;

	(void)state;
	opt.conninfo = "host=/nonexistent/sawt-test";
	assert_true(pipeline_set_options(pl, &opt));
	run_ms(300);
	assert_int_equal(lanes_ready(), 1);
	for (size_t i = 0; i < 4; i++) {
		roundtrip(F, texts[i], &s);
		assert_string_equal(s.state, "processed");
		assert_int_equal(s.reports, 1);
	}
	opt.conninfo = "";
	set_connections(2);
}

/* The server goes away: what was in flight fails, new messages are
 * refused, and after the restart LISTEN and the cache are back. */
static void test_database_restart(void **state)
{
	struct inbound in;
	struct stored s;
	int done = 0;

	(void)state;
	mk(&in, B, "T 1021 V490 W240", clock_s++);
	assert_true(pipeline_submit(pl, &in, done_cb, &done));
	assert_int_equal(system("\"$SAWT_TEST_PGCTL\" stop"), 0);
	run_until(&done);
	assert_int_equal(done, 2);
	for (int i = 0; i < 200 && db_get_state(db) == DB_STATE_READY; i++)
		run_ms(10);
	assert_false(pipeline_submit(pl, &in, done_cb, &done));
	assert_int_equal(system("\"$SAWT_TEST_PGCTL\" start"), 0);
	PQreset(conn);
	for (int i = 0; i < 1000 && (db_get_state(db) != DB_STATE_READY || lanes_ready() < 2); i++)
		run_ms(10);
	run_ms(300);
	/* the failed message, offered again, is stored once */
	send_in(&in);
	load(&in, &s);
	assert_string_equal(s.outcome, "accepted");
	/* a registry change after the restart still reaches the cache */
	q1("WITH u AS (UPDATE sawt.stations SET registered = 2000 WHERE code = '1021'"
	   " RETURNING 1) SELECT count(*) FROM u",
	   NULL);
	run_ms(600);
	roundtrip(B, "T 1021 V1500", &s);
	assert_string_equal(s.outcome, "accepted");
}

static void test_stored_outcomes(void **state)
{
	static const struct {
		const char *sender, *text, *outcome, *code, *form;
	} cases[] = {
		{ A, "T 9999 V1", "rejected", "station_unknown", "turnout" },
		{ A, "T 1021 V", "rejected", "missing_number", "turnout" },
		{ A, "STATUS", "rejected", "not_coordinator", "" },
		{ "+9613777777", "T 1021 V1", "rejected", "unknown_sender", "turnout" },
		{ OWN, "T 1021 V1", "ignored", "own_number", "" },
		{ "MTC", "hello", "ignored", "non_phone_sender", "" },
		{ A, "HELP", "answered", "", "" },
		{ COORD, "STATUS", "command", "", "" },
	};
	struct seen seen = { 0 };
	struct inbound in;

	(void)state;
	pipeline_set_stored_cb(pl, stored_cb, &seen);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		seen.n = 0;
		send_msg(cases[i].sender, cases[i].text, NULL);
		print_message("# %s -> %s %s %s\n", cases[i].text, seen.outcome, seen.code,
			      seen.form);
		assert_int_equal(seen.n, 1);
		assert_int_equal(seen.transport, INBOUND_GSM);
		assert_false(seen.reprocessed);
		assert_string_equal(seen.outcome, cases[i].outcome);
		assert_string_equal(seen.code, cases[i].code);
		assert_string_equal(seen.form, cases[i].form);
	}
	/* an accepted report, then the same record again */
	seen.n = 0;
	send_msg(A, "C 1021 V990 W400", &in);
	assert_int_equal(seen.n, 1);
	assert_true(strncmp(seen.outcome, "accepted", 8) == 0);
	assert_string_equal(seen.code, "");
	assert_string_equal(seen.form, "close");
	send_in(&in);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.outcome, "duplicate");
	assert_string_equal(seen.form, "");
	pipeline_set_stored_cb(pl, NULL, NULL);
	send_msg(A, "HELP", NULL);
	assert_int_equal(seen.n, 2);
}

static void test_stats(void **state)
{
	struct pipeline_stats st;

	(void)state;
	pipeline_stats(pl, &st);
	assert_true(st.received > 50);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.failed, 1);
	assert_true(st.duplicates >= 2);
	assert_true(st.rejected >= 18);
	assert_true(st.ignored >= 7);
	assert_true(st.batches > 0 && st.batch_messages == st.committed);
	assert_int_equal(st.in_flight, 0);
	assert_true(st.registry_loads >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turnout_accepted),
		cmocka_unit_test(test_other_forms_accepted),
		cmocka_unit_test(test_arabic_reply_and_help),
		cmocka_unit_test(test_rules_rejected),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_supersede_and_resend),
		cmocka_unit_test(test_decreasing_turnout),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_early_and_late),
		cmocka_unit_test(test_one_batch_in_order),
		cmocka_unit_test(test_no_reply_senders),
		cmocka_unit_test(test_late_older_report),
		cmocka_unit_test(test_unknown_sender_once),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_pin_lock),
		cmocka_unit_test(test_redelivery_counts_once),
		cmocka_unit_test(test_registry_refresh),
		cmocka_unit_test(test_bad_message_isolated),
		cmocka_unit_test(test_extra_connection_down),
		cmocka_unit_test(test_database_restart),
		cmocka_unit_test(test_stored_outcomes),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_restart_keeps_sender_state), /* new stats from here */
		cmocka_unit_test(test_unmute),
		cmocka_unit_test(test_reprocess),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
