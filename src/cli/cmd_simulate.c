/*
 * cmd_simulate.c - sawt simulate [OPTIONS]
 *
 * The demo and the load generator: generate a synthetic election
 * (simgen.h), write its registry as CSV files and import them, hand the
 * observers' messages of a whole election day to a running sawtd at a
 * chosen rate, through its dummy phone (--via dummy, the default) or its
 * HTTP door (--via http: POST /sms/inbound, the way Kannel does, each
 * message offered again until sawtd takes it), wait until sawtd has
 * processed them, and compare the analytics views with the figures that
 * were sent.  Exit 0
 * when there is no difference, 1 otherwise (or on error), 2 on bad usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "array.h"
#include "db.h"
#include "dummy_inbox.h"
#include "http_pump.h"
#include "registry_import.h"
#include "simgen.h"
#include "store_import.h"
#include "store_sim.h"
#include "strmap.h"
#include "validate.h"

#define SIM_ERR_MAX 1024
#define SIM_INBOX_HIGH 500  /* wait while the dummy inbox holds more */
#define SIM_INBOX_CHECK 100 /* count the inbox every this many writes */
#define SIM_PATH_MAX 4096
#define SIM_DEMO_SECRET "sawt-simulate-demo" /* when the configuration has none */
#define SIM_FORM_MAX 4096                    /* one form-encoded message */
#define SIM_URL_MAX 1024

enum sim_via {
	SIM_VIA_DUMMY, /* files in the dummy phone's inbox */
	SIM_VIA_HTTP,  /* POST /sms/inbound */
};

struct sim_opts {
	unsigned stations;
	uint64_t seed;
	double rate; /* messages per second; 0: no limit */
	char dir[SIM_PATH_MAX];
	char dummy[SIM_PATH_MAX];
	enum sim_via via;
	char url[SIM_URL_MAX]; /* --via http: "" for the [http] listen address */
	unsigned conns;        /* --via http: connections */
	bool no_import;
	unsigned typos, arabic, pins, dups;
	unsigned timeout; /* seconds */
	bool quiet;
};

/* One compared figure. */
struct fact {
	char *key;
	long long expected, got;
	bool has_got, got_null;
};

struct sim {
	struct sim_opts o;
	const struct config *cfg;
	const char *election;
	const char *cc;     /* country code of the phones */
	const char *secret; /* the pseudonyms' key */
	struct simgen *g;
	struct store_sim *st;
	struct http_pump *pump; /* --via http */
	const char **senders;   /* the observers' phones */
	size_t n_senders;
	struct simgen_counts counts;
	bool flag_free; /* the timeline avoids early/late flags */
	int64_t smsc_from, smsc_to;
	size_t written, parts;
	double t_first_write, t_last_write, t_done;
	bool timed_out;
	struct store_sim_progress prog;
	struct fact *facts;
	size_t n_facts, cap_facts;
	struct strmap *by_key;
	char err[SIM_ERR_MAX];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void SAWT_PRINTF(2, 3) say(const struct sim *sm, const char *fmt, ...)
{
	va_list ap;

	if (sm->o.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* ==== options ==== */

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt simulate [OPTIONS]\n"
		"  --stations N       polling stations (default 50)\n"
		"  --seed S           random seed (default: from the clock; printed)\n"
		"  --rate R           messages per second into the inbox (default 50; 0: no limit)\n"
		"  --dir DIR          where the CSV files go (default STATE_DIR/simulation)\n"
		"  --dummy DIR        the dummy phone of the running sawtd (default STATE_DIR/dummy)\n"
		"  --via dummy|http   hand messages over through the dummy phone (default) or\n"
		"                     by POST to sawtd's /sms/inbound\n"
		"  --url URL          with --via http (default: from [http] listen)\n"
		"  --connections N    with --via http: keep-alive connections (default 8)\n"
		"  --no-import        the registry of this seed is already loaded\n"
		"  --typos PCT        reports first sent with a mistake (default 5)\n"
		"  --arabic PCT       observers writing in Arabic (default 30)\n"
		"  --pins PCT         observers with a PIN (default 20)\n"
		"  --resends PCT      reports sent twice (default 1)\n"
		"  --timeout SEC      longest wait for sawtd to process everything (default 120)\n"
		"  --quiet            print only the final report\n");
	return 2;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

/* Options that take a number: name, where, maximum. */
static bool set_number(struct sim_opts *o, const char *name, const char *val)
{
	static const struct {
		const char *name;
		unsigned long long max;
	} nums[] = {
		{ "--stations", SIMGEN_MAX_STATIONS },
		{ "--seed", UINT64_MAX },
		{ "--typos", 100 },
		{ "--arabic", 100 },
		{ "--pins", 100 },
		{ "--resends", 100 },
		{ "--timeout", 86400 },
		{ "--connections", HTTP_PUMP_MAX_CONNS },
	};
	unsigned *dst[] = { &o->stations, NULL,     &o->typos,   &o->arabic,
			    &o->pins,     &o->dups, &o->timeout, &o->conns };
	unsigned long long v;

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (strcmp(name, nums[i].name) != 0)
			continue;
		if (!parse_uint(val, nums[i].max, &v) || (dst[i] == &o->stations && v == 0) ||
		    (dst[i] == &o->conns && v == 0)) {
			fprintf(stderr, "sawt: invalid value \"%s\" for %s\n", val ? val : "",
				name);
			return false;
		}
		if (dst[i] != NULL)
			*dst[i] = (unsigned)v;
		else
			o->seed = v;
		return true;
	}
	fprintf(stderr, "sawt: unknown option \"%s\"\n", name);
	return false;
}

static bool set_option(struct sim_opts *o, const char *name, const char *val)
{
	char *end;

	if (strcmp(name, "--rate") == 0) {
		o->rate = val ? strtod(val, &end) : -1;
		if (val == NULL || *end != '\0' || end == val ||
		    !(o->rate >= 0 && o->rate <= 1e6)) {
			fprintf(stderr, "sawt: invalid value \"%s\" for --rate\n", val ? val : "");
			return false;
		}
		return true;
	}
	if (strcmp(name, "--via") == 0) {
		if (val != NULL && strcmp(val, "dummy") == 0) {
			o->via = SIM_VIA_DUMMY;
		} else if (val != NULL && strcmp(val, "http") == 0) {
			o->via = SIM_VIA_HTTP;
		} else {
			fprintf(stderr,
				"sawt: invalid value \"%s\" for --via: expected dummy or http\n",
				val ? val : "");
			return false;
		}
		return true;
	}
	if (strcmp(name, "--url") == 0) {
		if (val == NULL || val[0] == '\0' || strlen(val) >= sizeof(o->url)) {
			fprintf(stderr, "sawt: invalid value \"%s\" for --url\n", val ? val : "");
			return false;
		}
		snprintf(o->url, sizeof(o->url), "%s", val);
		return true;
	}
	if (strcmp(name, "--dir") == 0 || strcmp(name, "--dummy") == 0) {
		if (val == NULL || val[0] == '\0') {
			fprintf(stderr, "sawt: %s needs a directory\n", name);
			return false;
		}
		snprintf(strcmp(name, "--dir") == 0 ? o->dir : o->dummy, SIM_PATH_MAX, "%s", val);
		return true;
	}
	return set_number(o, name, val);
}

static bool parse_opts(int argc, char **argv, const struct config *cfg, struct sim_opts *o)
{
	*o = (struct sim_opts){ .stations = 50,
				.seed = (uint64_t)time(NULL),
				.rate = 50,
				.typos = 5,
				.arabic = 30,
				.pins = 20,
				.dups = 1,
				.conns = 8,
				.timeout = 120 };
	snprintf(o->dir, sizeof(o->dir), "%s/simulation", cfg->state_dir);
	dummy_inbox_default_dir(cfg->state_dir, o->dummy, sizeof(o->dummy));
	for (int i = 1; i < argc; i++) {
		char name[64];
		const char *eq = strchr(argv[i], '=');

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			return false;
		} else if (strcmp(argv[i], "--no-import") == 0) {
			o->no_import = true;
		} else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			o->quiet = true;
		} else if (strncmp(argv[i], "--", 2) == 0 && eq != NULL) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i]), argv[i]);
			if (!set_option(o, name, eq + 1))
				return false;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			if (!set_option(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL))
				return false;
			i++;
		} else {
			fprintf(stderr, "sawt: unexpected argument \"%s\"\n", argv[i]);
			return false;
		}
	}
	return true;
}

/* ==== generating and importing ==== */

static bool make_dirs(const char *path, char *err, size_t errlen)
{
	char buf[SIM_PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "could not create directory \"%s\": %s", buf,
				 strerror(errno));
			return false;
		}
		if ((*p = c) == '\0')
			return true;
	}
}

static bool write_file(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL && fwrite(buf, 1, len, f) == len;

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		snprintf(err, errlen, "could not write file \"%s\": %s", path, strerror(errno));
	return ok;
}

static const char *csv_name(enum registry_kind kind)
{
	switch (kind) {
	case REGISTRY_STATIONS: return "stations.csv";
	case REGISTRY_CONTESTS: return "contests.csv";
	case REGISTRY_PEOPLE: return "people.csv";
	case REGISTRY_INCIDENT_CODES: return "incident_codes.csv";
	}
	return "registry.csv";
}

/* Validate and store one CSV buffer the way "sawt import" does. */
static bool import_one(struct sim *sm, enum registry_kind kind, const char *buf, size_t len)
{
	struct registry_options ropt = { .country_code = sm->cc, .pseudonym_secret = sm->secret };
	struct store_import_options sopt = { .election = sm->election,
					     .country_code = sm->cfg->country_code };
	struct registry_import *imp;
	struct store_import_summary sum;
	char *conninfo = db_conninfo(sm->cfg);
	bool ok = false;

	imp = registry_import_new(kind, &ropt);
	if (imp == NULL || conninfo == NULL || !registry_import_csv(imp, buf, len)) {
		snprintf(sm->err, sizeof(sm->err), "out of memory");
		goto done;
	}
	switch (registry_import_n_errors(imp)
			? STORE_IMPORT_BAD_ROWS
			: store_import_run(conninfo, imp, &sopt, &sum, sm->err, sizeof(sm->err))) {
	case STORE_IMPORT_OK: ok = true; break;
	case STORE_IMPORT_BAD_ROWS:
		snprintf(sm->err, sizeof(sm->err), "%s: %s", csv_name(kind),
			 registry_import_error(imp, 0));
		break;
	case STORE_IMPORT_FAILED: break;
	}
done:
	free(conninfo);
	registry_import_free(imp);
	return ok;
}

/* Write the four CSV files and import them (in dependency order). */
static bool write_and_import(struct sim *sm)
{
	static const enum registry_kind order[] = { REGISTRY_INCIDENT_CODES, REGISTRY_CONTESTS,
						    REGISTRY_STATIONS, REGISTRY_PEOPLE };
	char path[SIM_PATH_MAX + 32];
	double t0 = now_s();
	bool ok = make_dirs(sm->o.dir, sm->err, sizeof(sm->err));

	for (size_t i = 0; ok && i < sizeof(order) / sizeof(order[0]); i++) {
		size_t len;
		char *buf = simgen_csv(sm->g, order[i], &len);

		snprintf(path, sizeof(path), "%s/%s", sm->o.dir, csv_name(order[i]));
		if (buf == NULL) {
			snprintf(sm->err, sizeof(sm->err), "out of memory");
			return false;
		}
		ok = write_file(path, buf, len, sm->err, sizeof(sm->err)) &&
		     (sm->o.no_import || import_one(sm, order[i], buf, len));
		free(buf);
	}
	if (ok && sm->o.no_import)
		say(sm, "wrote the registry to \"%s\" (not imported: --no-import)\n", sm->o.dir);
	else if (ok)
		say(sm, "imported the registry in %.1f s (CSV files in \"%s\")\n", now_s() - t0,
		    sm->o.dir);
	return ok;
}

/* ==== waiting for sawtd's registry ==== */

/*
 * Hand one message from phone to sawtd by the chosen door: a file in the
 * dummy phone's inbox, or a POST to /sms/inbound (offered again until
 * taken; see http_pump.h).  Returns the SMS parts written (1 over HTTP,
 * where the aggregator has joined them), 0 with sm->err set on failure.
 */
static int hand_over(struct sim *sm, const char *phone, const char *text, int64_t smsc,
		     uint16_t ref)
{
	char body[SIM_FORM_MAX], num[32];
	size_t len = 0;

	if (sm->o.via == SIM_VIA_DUMMY)
		return dummy_inbox_write_text(sm->o.dummy, phone, text, smsc, ref, sm->err,
					      sizeof(sm->err));
	snprintf(num, sizeof(num), "%lld", (long long)smsc);
	if (!http_pump_form_add(body, sizeof(body), &len, "from", phone) ||
	    !http_pump_form_add(body, sizeof(body), &len, "text", text) ||
	    !http_pump_form_add(body, sizeof(body), &len, "time", num) ||
	    !http_pump_form_add(body, sizeof(body), &len, "smsc", "simulate")) {
		snprintf(sm->err, sizeof(sm->err), "a simulated message is too long to post");
		return 0;
	}
	if (!http_pump_post(sm->pump, body, len, now_s() + sm->o.timeout, sm->err, sizeof(sm->err)))
		return 0;
	return 1;
}

/* Over HTTP: wait until sawtd has taken everything posted so far. */
static bool handed_over(struct sim *sm)
{
	return sm->o.via == SIM_VIA_DUMMY ||
	       http_pump_drain(sm->pump, now_s() + sm->o.timeout, sm->err, sizeof(sm->err));
}

/* Where messages go, for the progress lines. */
static const char *door_name(const struct sim *sm)
{
	return sm->o.via == SIM_VIA_DUMMY ? sm->o.dummy : sm->o.url;
}

/*
 * Send HELP from a coordinator until sawtd records one from a known
 * person: then it reads the dummy phone and its registry cache has the
 * people just imported (they are imported last).  Coordinators take turns
 * so that none hits the per-sender rate limit.
 */
static bool wait_registry(struct sim *sm)
{
	size_t first = simgen_n_stations(sm->g), n = simgen_n_people(sm->g) - first, k = 0;
	double start = now_s(), sent = 0, pause = 0.5;
	int64_t smsc = 0;
	bool found = false, known = false;
	const char *phone = NULL;

	while (!known) {
		if (now_s() - start > sm->o.timeout) {
			if (phone != NULL && found)
				snprintf(
					sm->err, sizeof(sm->err),
					"sawtd does not know the simulated "
					"people after %u s%s",
					sm->o.timeout,
					sm->o.no_import
						? " (import this seed's registry, or drop --no-import)"
						: "");
			else
				snprintf(sm->err, sizeof(sm->err),
					 "no answer from sawtd within %u s: "
					 "is it running, reading \"%s\"?",
					 sm->o.timeout, door_name(sm));
			return false;
		}
		if (smsc == 0 || (found && now_s() - sent >= pause)) {
			phone = simgen_person(sm->g, first + k++ % n)->phone;
			smsc = (int64_t)time(NULL);
			if (hand_over(sm, phone, "HELP", smsc, 0) == 0 || !handed_over(sm))
				return false;
			sent = now_s();
			pause = pause < 4 ? pause * 2 : pause;
			found = false;
		}
		sleep_s(0.1);
		if (!store_sim_probe(sm->st, phone, smsc, &found, &known, sm->err, sizeof(sm->err)))
			return false;
	}
	say(sm, "sawtd is reading \"%s\" and knows the observers (%.1f s)\n", door_name(sm),
	    now_s() - start);
	return true;
}

/* ==== writing the messages ==== */

/* Keep the dummy phone from filling up: wait while it holds too many. */
static bool throttle_inbox(struct sim *sm)
{
	double start = now_s();
	int n;

	if (sm->o.via != SIM_VIA_DUMMY)
		return true; /* the pump holds at most --connections */
	while ((n = dummy_inbox_count(sm->o.dummy)) > SIM_INBOX_HIGH) {
		if (now_s() - start > sm->o.timeout) {
			snprintf(sm->err, sizeof(sm->err),
				 "the dummy inbox still holds %d messages after %u s: sawtd is "
				 "not reading it",
				 n, sm->o.timeout);
			return false;
		}
		sleep_s(0.02);
	}
	return true;
}

static void progress_line(struct sim *sm, double *last)
{
	double t = now_s(), el = t - sm->t_first_write;

	if (sm->o.quiet || t - *last < 2)
		return;
	*last = t;
	printf("  %zu/%zu written (%.0f msgs/s), %d in the inbox\n", sm->written,
	       simgen_n_messages(sm->g), el > 0 ? (double)sm->written / el : 0.0,
	       sm->o.via == SIM_VIA_DUMMY ? dummy_inbox_count(sm->o.dummy) : 0);
	fflush(stdout);
}

static bool write_messages(struct sim *sm)
{
	size_t n = simgen_n_messages(sm->g);
	double last = now_s();

	sm->t_first_write = now_s();
	for (size_t i = 0; i < n; i++) {
		const struct simgen_message *m = simgen_message(sm->g, i);
		int parts;

		if (sm->o.rate > 0)
			sleep_s(sm->t_first_write + (double)i / sm->o.rate - now_s());
		if (i % SIM_INBOX_CHECK == 0 && !throttle_inbox(sm))
			return false;
		parts = hand_over(sm, simgen_person(sm->g, m->person)->phone, m->text, m->smsc,
				  (uint16_t)(i & 0xffff));
		if (parts == 0)
			return false;
		sm->written++;
		sm->parts += (size_t)parts;
		progress_line(sm, &last);
	}
	if (!handed_over(sm))
		return false;
	sm->t_last_write = now_s();
	return true;
}

/* A log of what was sent: SMSC time, sender, kind, text. */
static bool write_log(struct sim *sm)
{
	static const char *const kinds[] = { "report", "typo", "resend" };
	char path[SIM_PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/messages.tsv", sm->o.dir);
	if ((f = fopen(path, "w")) == NULL)
		goto fail;
	fprintf(f, "smsc_time\tsender\tkind\tstation\ttext\n");
	for (size_t i = 0; i < simgen_n_messages(sm->g); i++) {
		const struct simgen_message *m = simgen_message(sm->g, i);
		time_t t = (time_t)m->smsc;
		struct tm tm;
		char ts[32];

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		fprintf(f, "%s\t%s\t%s\t%s\t%s\n", ts, simgen_person(sm->g, m->person)->phone,
			kinds[m->kind], simgen_station(sm->g, m->station)->code, m->text);
	}
	if (fclose(f) == 0)
		return true;
	f = NULL;
fail:
	snprintf(sm->err, sizeof(sm->err), "could not write file \"%s\": %s", path,
		 strerror(errno));
	if (f != NULL)
		fclose(f);
	return false;
}

/* ==== waiting for sawtd ==== */

static bool all_done(const struct sim *sm)
{
	const struct store_sim_progress *p = &sm->prog;

	return p->stored >= (long long)sm->written &&
	       p->replies_sent + p->replies_failed >= p->replies;
}

static bool refresh(struct sim *sm)
{
	return store_sim_progress(sm->st, sm->senders, sm->n_senders, sm->smsc_from, sm->smsc_to,
				  &sm->prog, sm->err, sizeof(sm->err));
}

/* Poll until the inbox is empty, every message has its inbound row and
 * every reply has left, or the timeout. */
static bool wait_processed(struct sim *sm)
{
	double start = now_s(), last = start;
	int inbox;

	for (;;) {
		bool show = !sm->o.quiet && now_s() - last >= 2;

		inbox = sm->o.via == SIM_VIA_DUMMY ? dummy_inbox_count(sm->o.dummy) : 0;
		if ((inbox <= 0 || show) && !refresh(sm))
			return false;
		if (inbox <= 0 && all_done(sm))
			break;
		if (now_s() - start > sm->o.timeout) {
			sm->timed_out = true;
			if (!refresh(sm))
				return false;
			break;
		}
		if (show) {
			last = now_s();
			printf("  waiting: %d in the inbox, %lld/%zu stored, %lld/%lld replies sent\n",
			       inbox, sm->prog.stored, sm->written, sm->prog.replies_sent,
			       sm->prog.replies);
			fflush(stdout);
		}
		sleep_s(inbox > 0 ? 0.1 : 0.25);
	}
	sm->t_done = now_s();
	return true;
}

/* ==== comparing ==== */

static struct fact *fact_add(struct sim *sm, const char *key, long long expected)
{
	struct fact *f;

	if (!array_grow(&sm->facts, &sm->cap_facts, sm->n_facts + 1, sizeof(*sm->facts)))
		return NULL;
	f = &sm->facts[sm->n_facts];
	*f = (struct fact){ .key = strdup(key), .expected = expected };
	if (f->key == NULL)
		return NULL;
	sm->n_facts++;
	return f;
}

static void expected_cb(const char *key, long long value, void *arg)
{
	struct sim *sm = arg;

	if (sm->err[0] == '\0' && fact_add(sm, key, value) == NULL)
		snprintf(sm->err, sizeof(sm->err), "out of memory");
}

static void got_cb(const char *key, long long value, bool isnull, void *arg)
{
	struct sim *sm = arg;
	struct fact *f = strmap_get(sm->by_key, key);

	if (f == NULL)
		return; /* areas and stations of other imports */
	f->has_got = true;
	f->got = value;
	f->got_null = isnull;
}

/* The message counts, then every figure of the views. */
static bool collect_facts(struct sim *sm)
{
	const struct store_sim_progress *p = &sm->prog;
	struct {
		const char *key;
		long long expected, got;
	} msgs[] = {
		{ "messages|stored", (long long)sm->written, p->stored },
		{ "messages|rejected", (long long)sm->counts.typos, p->rejected },
		{ "messages|ignored", 0, p->ignored },
		{ "messages|resend", (long long)sm->counts.resends, p->resends },
		{ "messages|flagged_time", 0, p->flagged_time },
		{ "messages|replies_sent", (long long)sm->written, p->replies_sent },
	};

	sm->err[0] = '\0';
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct fact *f;

		if (i == 4 && !sm->flag_free)
			continue; /* the timeline could not avoid flags */
		if ((f = fact_add(sm, msgs[i].key, msgs[i].expected)) == NULL)
			goto oom;
		f->has_got = true;
		f->got = msgs[i].got;
	}
	simgen_expected(sm->g, sm->election, expected_cb, sm);
	if (sm->err[0] != '\0' || (sm->by_key = strmap_new(sm->n_facts)) == NULL)
		goto oom;
	for (size_t i = 0; i < sm->n_facts; i++)
		if (!strmap_put(sm->by_key, sm->facts[i].key, &sm->facts[i]))
			goto oom;
	return store_sim_facts(sm->st, sm->election, got_cb, sm, sm->err, sizeof(sm->err));
oom:
	snprintf(sm->err, sizeof(sm->err), "out of memory");
	return false;
}

static bool fact_ok(const struct fact *f)
{
	return f->has_got && !f->got_null && f->got == f->expected;
}

/* A readable name for a key. */
static void fact_label(const struct sim *sm, const char *key, char *buf, size_t n)
{
	static const struct {
		const char *key, *label;
	} fixed[] = {
		{ "messages|stored", "messages stored" },
		{ "messages|rejected", "messages rejected (typos)" },
		{ "messages|ignored", "messages not processed" },
		{ "messages|resend", "identical resends recognised" },
		{ "messages|flagged_time", "reports flagged early or late" },
		{ "messages|replies_sent", "replies sent" },
		{ "incidents", "incidents" },
	};
	char k[512], *part[4] = { NULL };
	int np = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(key, fixed[i].key) == 0) {
			snprintf(buf, n, "%s", fixed[i].label);
			return;
		}
	snprintf(k, sizeof(k), "%s", key);
	for (char *p = k, *save = NULL; np < 4 && (p = strtok_r(p, "|", &save)); p = NULL)
		part[np++] = p;
	if (np == 4 && strcmp(part[1], "election") == 0)
		snprintf(buf, n, "turnout, %s: %s", sm->election, part[3]);
	else if (np == 4)
		snprintf(buf, n, "turnout, %s: %s", part[2], part[3]);
	else if (np == 3 && strcmp(part[0], "station") == 0)
		snprintf(buf, n, "station %s: %s", part[1], part[2]);
	else if (np == 3)
		snprintf(buf, n, "results %s: %s%s", part[1], part[2][0] <= '9' ? "candidate " : "",
			 part[2]);
	else if (np == 2)
		snprintf(buf, n, "reports received: %s", part[1]);
	else
		snprintf(buf, n, "%s", key);
}

static int text_width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		w += (*p & 0xC0) != 0x80;
	return w;
}

static void print_fact(const struct sim *sm, const struct fact *f)
{
	char label[512], got[32];

	fact_label(sm, f->key, label, sizeof(label));
	if (!f->has_got || f->got_null)
		snprintf(got, sizeof(got), "-");
	else
		snprintf(got, sizeof(got), "%lld", f->got);
	printf("  %s%*s %12lld %12s  %s\n", label, 44 - text_width(label), "", f->expected, got,
	       fact_ok(f) ? "✓" : "✗");
}

/* Print the table (stations only when they differ); returns the number
 * of differences. */
static size_t print_comparison(const struct sim *sm)
{
	size_t diffs = 0, stations = 0, stations_ok = 0;

	printf("\n  %-44s %12s %12s\n", "what", "expected", "got");
	for (size_t i = 0; i < sm->n_facts; i++) {
		const struct fact *f = &sm->facts[i];
		bool station = strncmp(f->key, "station|", 8) == 0;

		diffs += !fact_ok(f);
		if (station && !fact_ok(f))
			print_fact(sm, f);
		if (!station)
			print_fact(sm, f);
		else if (strstr(f->key, "|voters") != NULL) {
			stations++;
			stations_ok += fact_ok(f) && fact_ok(f + 1);
		}
	}
	printf("  %s%*s %12zu %12zu  %s\n", "stations with exact turnout (voters, women)",
	       44 - text_width("stations with exact turnout (voters, women)"), "", stations,
	       stations_ok, stations == stations_ok ? "✓" : "✗");
	return diffs;
}

/* ==== the run ==== */

/* SMSC times are shown in the election's time zone (offset seconds east). */
static void print_plan(const struct sim *sm, const struct simgen_timeline *tl, long offset)
{
	char a[32], b[32];
	time_t t0 = (time_t)(sm->smsc_from + offset), t1 = (time_t)(sm->smsc_to + offset);
	struct tm tm;

	strftime(a, sizeof(a), "%Y-%m-%d %H:%M", gmtime_r(&t0, &tm));
	strftime(b, sizeof(b), "%H:%M", gmtime_r(&t1, &tm));
	say(sm, "SMSC times %s to %s (UTC%+.1f)%s\n", a, b, (double)offset / 3600,
	    tl->compressed ? ", election day compressed into the last 24 hours" : "");
	if (!sm->flag_free)
		say(sm,
		    "note: the configured election day is not within the last 24 hours: "
		    "reports will be flagged early or late (not compared)\n");
}

/* The clock sawtd validates with, and the SMSC times of every message. */
static bool plan_times(struct sim *sm)
{
	struct validate_clock clock;
	struct simgen_timeline tl;
	long offset;
	time_t now = time(NULL);
	struct tm tm;

	if (sm->cfg->timezone != NULL) {
		if (!store_sim_utc_offset(sm->st, sm->cfg->timezone, sm->cfg->results_deadline,
					  &offset, sm->err, sizeof(sm->err)))
			return false;
	} else {
		offset = localtime_r(&now, &tm) != NULL ? tm.tm_gmtoff : 0;
	}
	if (!validate_clock_init(&clock, sm->cfg->polls_open, sm->cfg->results_deadline, offset)) {
		snprintf(sm->err, sizeof(sm->err), "results_deadline \"%s\" cannot be read",
			 sm->cfg->results_deadline);
		return false;
	}
	sm->flag_free = simgen_plan(sm->g, &clock, (int64_t)now, &tl);
	simgen_schedule(sm->g, &tl);
	sm->smsc_from = simgen_message(sm->g, 0)->smsc;
	sm->smsc_to = sm->smsc_from;
	for (size_t i = 0; i < simgen_n_messages(sm->g); i++)
		if (simgen_message(sm->g, i)->smsc > sm->smsc_to)
			sm->smsc_to = simgen_message(sm->g, i)->smsc;
	print_plan(sm, &tl, offset);
	return true;
}

static bool generate(struct sim *sm)
{
	struct simgen_options go;
	struct simgen_counts *c = &sm->counts;

	simgen_options_init(&go);
	go.seed = sm->o.seed;
	go.stations = sm->o.stations;
	go.typo_pct = sm->o.typos;
	go.arabic_pct = sm->o.arabic;
	go.pin_pct = sm->o.pins;
	go.dup_pct = sm->o.dups;
	go.country_code = sm->cc;
	go.polls_open = sm->cfg->polls_open;
	go.polls_close = sm->cfg->polls_close;
	if ((sm->g = simgen_new(&go)) == NULL) {
		snprintf(sm->err, sizeof(sm->err),
			 "could not generate the election (country code "
			 "\"%s\"?)",
			 sm->cc);
		return false;
	}
	sm->n_senders = simgen_n_stations(sm->g);
	if ((sm->senders = calloc(sm->n_senders, sizeof(*sm->senders))) == NULL) {
		snprintf(sm->err, sizeof(sm->err), "out of memory");
		return false;
	}
	for (size_t i = 0; i < sm->n_senders; i++)
		sm->senders[i] = simgen_person(sm->g, i)->phone;
	simgen_get_counts(sm->g, c);
	say(sm, "election \"%s\", seed %llu: %zu stations in %zu region%s, %zu people\n",
	    sm->election, (unsigned long long)sm->o.seed, simgen_n_stations(sm->g),
	    simgen_n_regions(sm->g), simgen_n_regions(sm->g) == 1 ? "" : "s",
	    simgen_n_people(sm->g));
	say(sm,
	    "%zu messages: %zu reports, %zu typos (resent correctly), %zu identical "
	    "resends, %zu in Arabic, %zu with a PIN\n",
	    c->messages, c->reports, c->typos, c->resends, c->arabic, c->with_pin);
	return true;
}

static void print_report(const struct sim *sm)
{
	double w = sm->t_last_write - sm->t_first_write;
	double span = sm->prog.last_received - sm->prog.first_received;
	double commit = sm->prog.last_processed - sm->t_first_write;

	printf("\nwritten: %zu messages (%zu SMS) in %.1f s, %.0f msgs/s\n", sm->written, sm->parts,
	       w, w > 0 ? (double)sm->written / w : 0.0);
	printf("processing: %s %.1f s after the last write\n", sm->timed_out ? "TIMED OUT" : "done",
	       sm->t_done - sm->t_last_write);
	if (sm->prog.last_processed > 0)
		printf("first write to last commit: %.1f s, %.0f msgs/s (received_at span %.1f s)\n",
		       commit, commit > 0 ? (double)sm->prog.stored / commit : 0.0, span);
	if (sm->pump != NULL) {
		struct http_pump_stats hs;

		http_pump_stats(sm->pump, &hs);
		printf("http: %llu messages taken over %u connections, %llu attempts refused "
		       "for now and offered again; answer latency p50 %.1f ms, p99 %.1f ms\n",
		       (unsigned long long)hs.taken, sm->o.conns, (unsigned long long)hs.retried,
		       hs.lat_p50_ms, hs.lat_p99_ms);
	}
	if (sm->prog.out_of_order > 0)
		printf("note: %lld reports arrived after one sent later (flagged "
		       "out_of_order: kept as history, the later one stays current)\n",
		       sm->prog.out_of_order);
}

static void sim_free(struct sim *sm)
{
	for (size_t i = 0; i < sm->n_facts; i++)
		free(sm->facts[i].key);
	free(sm->facts);
	strmap_free(sm->by_key);
	http_pump_free(sm->pump);
	free(sm->senders);
	store_sim_free(sm->st);
	simgen_free(sm->g);
}

static bool connect_db(struct sim *sm)
{
	char *conninfo = db_conninfo(sm->cfg);

	if (conninfo == NULL) {
		snprintf(sm->err, sizeof(sm->err), "out of memory");
		return false;
	}
	sm->st = store_sim_new(conninfo, sm->err, sizeof(sm->err));
	free(conninfo);
	return sm->st != NULL;
}

/* --via http: the URL (from [http] listen unless given) and the pump. */
static bool open_pump(struct sim *sm)
{
	if (sm->o.url[0] == '\0') {
		if (sm->cfg->http_listen == NULL) {
			snprintf(sm->err, sizeof(sm->err),
				 "--via http needs sawtd's HTTP door: set [http] listen in the "
				 "configuration, or pass --url");
			return false;
		}
		if (sm->cfg->tls_cert != NULL) {
			snprintf(sm->err, sizeof(sm->err),
				 "sawtd's [http] door speaks TLS and the simulation plain http: "
				 "pass --url of a plain listener");
			return false;
		}
		if (!http_pump_default_url(sm->cfg->http_listen, sm->o.url, sizeof(sm->o.url))) {
			snprintf(sm->err, sizeof(sm->err), "invalid [http] listen \"%s\"",
				 sm->cfg->http_listen);
			return false;
		}
	}
	sm->pump = http_pump_new(sm->o.url, sm->cfg->http_secret, sm->o.conns, sm->err,
				 sizeof(sm->err));
	return sm->pump != NULL;
}

static bool preflight(struct sim *sm)
{
	char def[SIM_PATH_MAX];

	dummy_inbox_default_dir(sm->cfg->state_dir, def, sizeof(def));
	if (sm->o.via == SIM_VIA_DUMMY && sm->cfg->n_modems > 0 && strcmp(def, sm->o.dummy) == 0) {
		snprintf(sm->err, sizeof(sm->err),
			 "the configuration has [modem] sections, so "
			 "sawtd does not read the dummy phone: pass --dummy DIR");
		return false;
	}
	sm->secret = sm->cfg->pseudonym_secret;
	if (!sm->o.no_import && (sm->secret == NULL || sm->secret[0] == '\0')) {
		sm->secret = SIM_DEMO_SECRET;
		say(sm,
		    "note: [election] pseudonym_secret is not set: the simulated people's "
		    "pseudonyms are keyed with a demo secret\n");
	}
	if (sm->o.via == SIM_VIA_HTTP)
		return open_pump(sm);
	return dummy_inbox_prepare(sm->o.dummy, sm->err, sizeof(sm->err));
}

static bool run(struct sim *sm)
{
	if (!preflight(sm) || !generate(sm) || !connect_db(sm) || !write_and_import(sm) ||
	    !wait_registry(sm) || !plan_times(sm) || !write_log(sm))
		return false;
	say(sm, "writing %zu messages into \"%s%s\" (%s)\n", simgen_n_messages(sm->g),
	    door_name(sm), sm->o.via == SIM_VIA_DUMMY ? "/sms/1" : "",
	    sm->o.rate > 0 ? "rate-limited" : "as fast as possible");
	if (!write_messages(sm))
		return false;
	say(sm, "all written; waiting for sawtd (at most %u s)\n", sm->o.timeout);
	return wait_processed(sm) && collect_facts(sm);
}

int cmd_simulate(int argc, char **argv, const struct config *cfg)
{
	struct sim sm = { .cfg = cfg };
	size_t diffs;
	int rc = 1;

	if (!parse_opts(argc, argv, cfg, &sm.o))
		return usage();
	sm.election = config_election(cfg);
	sm.cc = cfg->country_code && cfg->country_code[0] ? cfg->country_code : "961";
	if (!run(&sm)) {
		fprintf(stderr, "sawt: %s\n", sm.err);
		if (sm.written > 0)
			fprintf(stderr, "sawt: %zu of %zu messages were written\n", sm.written,
				simgen_n_messages(sm.g));
		goto done;
	}
	print_report(&sm);
	diffs = print_comparison(&sm);
	printf("\n%zu %s\n", diffs, diffs == 1 ? "difference" : "differences");
	rc = diffs == 0 && !sm.timed_out ? 0 : 1;
done:
	sim_free(&sm);
	return rc;
}
