/*
 * bench_pipeline.c - messages per second through the whole pipeline
 * (parse, validate, reply, group commit into PostgreSQL) and the time from
 * receipt to commit.  Run it through tests/bench/pipeline.sh, which starts
 * a throwaway PostgreSQL with fsync on and migrates it.
 *
 *   bench_pipeline [-s STATIONS] [-n MESSAGES] [-r RATE] [-w WINDOW]
 *                  [-b BATCH_MAX] [-d BATCH_DELAY_MS] [-f MAX_IN_FLIGHT]
 *                  [-c CONNECTIONS] [-p PHASES]
 *
 * It creates STATIONS stations (5,000) with one observer each, then sends
 * MESSAGES messages (50,000) twice, the tables of messages emptied in
 * between:
 *   (a) as fast as possible: WINDOW (5,000) messages outstanding at once,
 *       a new one submitted as each commits;
 *   (b) offered at RATE (1,000) messages per second.
 * PHASES ("ab") picks which run.
 * Each station gets, in rounds: OPEN, six cumulative turnouts, CLOSE,
 * RESULTS and an incident, so every message is an accepted report that
 * updates a tally and queues a reply.
 */
#include <event2/event.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "inbound.h"
#include "pipeline.h"

#define ROUNDS 10

struct bench {
	struct event_base *base;
	struct db *db;
	struct pipeline *pl;
	int stations;
	int total;
	int window;
	int rate;
	struct pipeline_options opt;
	const char *phases;
	int next; /* next message to submit */
	int done;
	int failed;
	double t0;
	double *lat_ms; /* receipt to commit, per message */
	double *sent_at;
	struct event *tick;
};

struct slot {
	struct bench *b;
	int idx;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Message i: station i % stations, in round i / stations. */
static void message_text(const struct bench *b, int i, char *buf, size_t n)
{
	int st = 10000 + i % b->stations, round = (i / b->stations) % ROUNDS;

	switch (round) {
	case 0: snprintf(buf, n, "OPEN %d 0700", st); break;
	case 7: snprintf(buf, n, "C %d V1400 W700 M700", st); break;
	case 8: snprintf(buf, n, "R %d 500 400 300 150 50 V1400", st); break;
	case 9: snprintf(buf, n, "I %d 3 vote buying at the door", st); break;
	default: snprintf(buf, n, "T %d V%d W%d", st, round * 200, round * 95); break;
	}
}

static void phone_of(int st, char *buf, size_t n)
{
	snprintf(buf, n, "+9617%07d", st);
}

static void done_cb(void *arg, enum pipeline_outcome outcome);

static void submit_one(struct bench *b)
{
	static struct slot *slots;
	struct inbound in;
	char text[128];
	int i = b->next;

	if (slots == NULL && (slots = calloc((size_t)b->total, sizeof(*slots))) == NULL)
		abort();
	memset(&in, 0, sizeof(in));
	message_text(b, i, text, sizeof(text));
	in.transport = INBOUND_GSM;
	snprintf(in.source, sizeof(in.source), "bench");
	phone_of(10000 + i % b->stations, in.sender, sizeof(in.sender));
	in.text_len = (uint16_t)strlen(text);
	memcpy(in.text, text, in.text_len);
	in.received_ms = wall_ms();
	in.smsc_time = in.received_ms / 1000;
	in.concat_ref = (uint16_t)i; /* distinct dedup keys */
	inbound_dedup_key(&in);
	slots[i] = (struct slot){ b, i };
	b->sent_at[i] = now_ms();
	if (!pipeline_submit(b->pl, &in, done_cb, &slots[i])) {
		fprintf(stderr, "bench: pipeline refused message %d\n", i);
		exit(1);
	}
	b->next++;
}

static void done_cb(void *arg, enum pipeline_outcome outcome)
{
	struct slot *s = arg;
	struct bench *b = s->b;

	b->lat_ms[s->idx] = now_ms() - b->sent_at[s->idx];
	b->done++;
	if (outcome != PIPELINE_COMMITTED)
		b->failed++;
	if (b->window > 0 && b->next < b->total)
		submit_one(b);
	if (b->done == b->total)
		event_base_loopbreak(b->base);
}

/* Offered load: submit what is due every millisecond. */
static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	double elapsed = now_ms() - b->t0;
	int due = (int)(elapsed * b->rate / 1000.0);

	(void)fd;
	(void)what;
	while (b->next < b->total && b->next < due)
		submit_one(b);
	if (b->next >= b->total)
		event_del(b->tick);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;

	return (a > c) - (a < c);
}

static double pct(const double *sorted, int n, double p)
{
	int i = (int)(p / 100.0 * (n - 1) + 0.5);

	return sorted[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void report(const char *name, struct bench *b, double secs, double cpu)
{
	double *sorted = malloc((size_t)b->total * sizeof(double));
	struct pipeline_stats st;

	if (sorted == NULL)
		abort();
	memcpy(sorted, b->lat_ms, (size_t)b->total * sizeof(double));
	qsort(sorted, (size_t)b->total, sizeof(double), cmp_double);
	pipeline_stats(b->pl, &st);
	printf("%s: %d messages in %.2f s = %.0f msg/s; receipt to commit p50 %.1f ms,"
	       " p99 %.1f ms, max %.1f ms; sawt CPU %.1f us/msg; %d failed\n",
	       name, b->total, secs, b->total / secs, pct(sorted, b->total, 50),
	       pct(sorted, b->total, 99), sorted[b->total - 1], cpu * 1e6 / b->total, b->failed);
	free(sorted);
}

static void run_phase(struct bench *b, const char *name, int window, int rate)
{
	struct pipeline_stats before, after;
	double t, cpu = cpu_s();

	b->next = b->done = b->failed = 0;
	b->window = window;
	b->rate = rate;
	pipeline_stats(b->pl, &before);
	b->t0 = now_ms();
	if (window > 0) {
		while (b->next < b->total && b->next < window)
			submit_one(b);
	} else {
		struct timeval ms = { 0, 1000 };

		b->tick = event_new(b->base, -1, EV_PERSIST, tick_cb, b);
		event_add(b->tick, &ms);
	}
	event_base_dispatch(b->base);
	t = (now_ms() - b->t0) / 1000.0;
	if (b->tick) {
		event_free(b->tick);
		b->tick = NULL;
	}
	report(name, b, t, cpu_s() - cpu);
	pipeline_stats(b->pl, &after);
	printf("%s: %" PRIu64 " transactions, %.1f messages each on average, largest %" PRIu64
	       ", %" PRIu64 " rejected\n",
	       name, after.batches - before.batches,
	       (double)(after.batch_messages - before.batch_messages) /
		       (double)(after.batches - before.batches),
	       after.batch_largest, after.rejected - before.rejected);
}

static void exec_sql(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "bench: %s\n", PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

/* The registry: one region, a 3-candidate contest, stations, observers. */
static void create_registry(PGconn *c, int stations)
{
	char sql[2048];

	exec_sql(c, "INSERT INTO sawt.elections (name) VALUES ('default') ON CONFLICT DO NOTHING");
	exec_sql(c,
		 "INSERT INTO sawt.areas (election_id, name, depth)"
		 " SELECT id, 'Bench', 1 FROM sawt.elections WHERE name = 'default'");
	exec_sql(c,
		 "INSERT INTO sawt.contests (election_id, code, name)"
		 " SELECT id, 'MUN', 'Council' FROM sawt.elections WHERE name = 'default';"
		 "INSERT INTO sawt.candidates (contest_id, position, name)"
		 " SELECT c.id, g, 'Candidate ' || g FROM sawt.contests c, generate_series(1, 3) g;"
		 "INSERT INTO sawt.incident_codes (election_id, code, severity, name_en)"
		 " SELECT id, 3, 'critical', 'Vote buying' FROM sawt.elections"
		 " WHERE name = 'default'");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO sawt.stations (election_id, code, name, area_id, registered,"
		 " registered_women) SELECT a.election_id, (10000 + g)::text, 'Station ' || g,"
		 " a.id, 2000, 1000 FROM sawt.areas a, generate_series(0, %d) g;"
		 "INSERT INTO sawt.station_contests SELECT s.id, c.id FROM sawt.stations s,"
		 " sawt.contests c;"
		 "INSERT INTO sawt.people (election_id, phone, name, role, pseudonym)"
		 " SELECT s.election_id, '+9617' || lpad(s.code, 7, '0'), 'Observer ' || s.code,"
		 " 'observer', encode(sha256(s.code::bytea), 'hex') FROM sawt.stations s;"
		 "INSERT INTO sawt.person_stations SELECT p.id, s.id FROM sawt.people p"
		 " JOIN sawt.stations s ON p.phone = '+9617' || lpad(s.code, 7, '0')",
		 stations - 1);
	exec_sql(c, sql);
}

/* The registry is loaded and every write connection is up. */
static bool ready(const struct bench *b)
{
	struct pipeline_stats st;

	pipeline_stats(b->pl, &st);
	return pipeline_ready(b->pl) && st.lanes_ready == b->opt.connections;
}

/* A database url of its own (libpq's environment fills in the rest) keeps
 * every connection off the embedded default's socket. */
static const char bench_config[] =
	"[database]\nurl = application_name=sawt_bench\n"
	"[election]\ncountry_code = 961\ndefault_language = en\n";

static void parse_args(struct bench *b, int argc, char **argv)
{
	int opt;

	b->stations = 5000;
	b->total = 50000;
	b->rate = 1000;
	b->window = 5000;
	b->phases = "ab";
	pipeline_options_init(&b->opt);
	b->opt.conninfo = ""; /* libpq's environment, as for the main connection */
	while ((opt = getopt(argc, argv, "s:n:r:w:b:d:f:c:p:")) != -1) {
		switch (opt) {
		case 'c': b->opt.connections = (unsigned)atoi(optarg); break;
		case 'p': b->phases = optarg; break;
		case 'b': b->opt.batch_max = (unsigned)atoi(optarg); break;
		case 'd': b->opt.batch_delay_ms = (unsigned)atoi(optarg); break;
		case 'f': b->opt.max_in_flight = (unsigned)atoi(optarg); break;
		case 's': b->stations = atoi(optarg); break;
		case 'n': b->total = atoi(optarg); break;
		case 'r': b->rate = atoi(optarg); break;
		case 'w': b->window = atoi(optarg); break;
		default:
			fprintf(stderr,
				"usage: bench_pipeline [-s STATIONS] [-n MESSAGES]"
				" [-r RATE] [-w WINDOW] [-b BATCH_MAX] [-d BATCH_DELAY_MS]"
				" [-f MAX_IN_FLIGHT] [-c CONNECTIONS] [-p PHASES]\n");
			exit(2);
		}
	}
	if (b->stations < 1 || b->stations > 9999999 || b->total < 1 || b->rate < 1 ||
	    b->window < 1) {
		fprintf(stderr, "bench: bad arguments\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct bench b = { 0 };
	char err[CONFIG_ERR_MAX];
	struct config *cfg;
	int window, rate;
	PGconn *c;

	parse_args(&b, argc, argv);
	window = b.window;
	rate = b.rate;
	log_set_level(LOG_LEVEL_WARNING);
	c = PQconnectdb("");
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
		return 1;
	}
	create_registry(c, b.stations);
	cfg = config_parse("bench", bench_config, sizeof(bench_config) - 1, err, sizeof(err));
	b.base = event_base_new();
	b.lat_ms = calloc((size_t)b.total, sizeof(double));
	b.sent_at = calloc((size_t)b.total, sizeof(double));
	if (cfg == NULL || b.base == NULL || b.lat_ms == NULL || b.sent_at == NULL)
		return 1;
	b.db = db_new(b.base, "");
	b.pl = b.db ? pipeline_new(b.base, b.db, cfg) : NULL;
	if (b.pl == NULL || !pipeline_set_options(b.pl, &b.opt))
		return 1;
	db_start(b.db);
	for (int i = 0; i < 3000 && !ready(&b); i++) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(b.base, &tv);
		event_base_dispatch(b.base);
	}
	if (!ready(&b)) {
		fprintf(stderr, "bench: the registry or a connection is not ready\n");
		return 1;
	}
	{
		PGresult *r = PQexec(c,
				     "SELECT current_setting('fsync') || '/' ||"
				     " current_setting('synchronous_commit')");

		printf("bench: %d stations, %d messages; PostgreSQL %s, fsync/synchronous_commit %s;"
		       " batches of at most %u, %u ms, %u in flight, %u connections\n",
		       b.stations, b.total, PQparameterStatus(c, "server_version"),
		       PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "?",
		       b.opt.batch_max, b.opt.batch_delay_ms, b.opt.max_in_flight,
		       b.opt.connections);
		PQclear(r);
	}
	if (strchr(b.phases, 'a')) {
		run_phase(&b, "(a) as fast as possible", window, 0);
		exec_sql(
			c,
			"TRUNCATE sawt.tallies, sawt.outbox, sawt.broadcast_recipients, sawt.alert_recipients,"
			" sawt.alert_stations, sawt.alert_queue, sawt.checklist_flags, sawt.alerts,"
			" sawt.review_history,"
			" sawt.reports,"
			" sawt.inbound_messages; CHECKPOINT");
	}
	if (strchr(b.phases, 'b')) {
		char name[64];

		snprintf(name, sizeof(name), "(b) offered %d msg/s", rate);
		run_phase(&b, name, 0, rate);
	}
	pipeline_free(b.pl);
	db_free(b.db);
	event_base_free(b.base);
	config_free(cfg);
	PQfinish(c);
	free(b.lat_ms);
	free(b.sent_at);
	return 0;
}
