/*
 * cmd_broadcast.c - sawt broadcast: one message to the observers (or
 * coordinators) a filter picks, each in their own language, the
 * coordinators of the areas concerned copied once (docs/broadcasts.md,
 * issue 19).
 *
 *   sawt broadcast [--dry-run | --at HH:MM] [--role observers|coordinators] [--area AREA]
 *       [--stations CODE,...] [--lang ar|en|fr]
 *       [--missing opening|turnout|close|results [--since HH:MM]]
 *       [--open-incidents] [--by NAME]
 *       --text-ar TEXT | --text-en TEXT | --text-fr TEXT ...
 *   sawt broadcast --scheduled | --cancel ID
 *
 * --at saves it as a reminder that sawtd sends every day at that time,
 * choosing the recipients then (src/daemon/reminders.c).
 *
 * Each text must fit one SMS segment: the command refuses otherwise and
 * says by how much.  The filter is handed to the database as JSON
 * (sawt.broadcast_plan) and recorded with the broadcast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "gsm7.h"
#include "json.h"
#include "lang.h"
#include "store_broadcast.h"

#define FILTER_MAX 4096

/* The texts, by language, as typed. */
struct texts {
	const char *ar, *en, *fr;
};

/* The filter's options: each a JSON key, a value check and the value. */
static const struct filter_opt {
	const char *option;
	const char *key;
	const char *const *allowed; /* NULL: any text */
} filter_opts[] = {
	{ "--role", "role", (const char *const[]){ "observers", "coordinators", NULL } },
	{ "--area", "area", NULL },
	{ "--lang", "lang", (const char *const[]){ "ar", "en", "fr", NULL } },
	{ "--missing", "missing",
	  (const char *const[]){ "opening", "turnout", "close", "results", NULL } },
	{ "--since", "since", NULL },
};
#define N_FILTER_OPTS (sizeof(filter_opts) / sizeof(filter_opts[0]))

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt broadcast [--dry-run | --at HH:MM] [--role observers|coordinators]\n"
		"         [--area AREA]\n"
		"         [--stations CODE,...] [--lang ar|en|fr]\n"
		"         [--missing opening|turnout|close|results [--since HH:MM]]\n"
		"         [--open-incidents] [--by NAME]\n"
		"         --text-ar TEXT | --text-en TEXT | --text-fr TEXT ...\n"
		"       sawt broadcast --scheduled | --cancel ID\n"
		"  --at: a reminder sawtd sends every day at HH:MM, to whom the filter\n"
		"  picks then (at once today when HH:MM has passed)\n"
		"  each recipient gets the text of their language (else of the default\n"
		"  language, else the first given); each text must fit one SMS segment\n");
	return 2;
}

static bool allowed(const struct filter_opt *o, const char *v)
{
	if (o->allowed == NULL)
		return v[0] != '\0';
	for (const char *const *a = o->allowed; *a; a++)
		if (strcmp(*a, v) == 0)
			return true;
	return false;
}

/* HH:MM, 00:00 to 23:59. */
static bool hhmm_ok(const char *v)
{
	return strlen(v) == 5 && v[0] >= '0' && v[0] <= '2' && v[1] >= '0' && v[1] <= '9' &&
	       v[2] == ':' && v[3] >= '0' && v[3] <= '5' && v[4] >= '0' && v[4] <= '9' &&
	       (v[0] < '2' || v[1] <= '3');
}

/* A comma-separated list of station codes (digits) as a JSON array. */
static bool put_stations(struct json_buf *j, const char *list)
{
	const char *p = list;

	json_open_array(j, "stations");
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n > 10 || strspn(p, "0123456789") < n) {
			fprintf(stderr,
				"sawt: invalid --stations \"%s\": give station codes, "
				"comma-separated\n",
				list);
			return false;
		}
		json_string(j, NULL, p, n);
		p += n + (p[n] == ',');
	}
	json_close_array(j);
	return true;
}

/* Refuse a text over one segment, saying by how much. */
static bool text_fits(const char *lang_name, const char *t)
{
	struct gsm7_size sz;

	if (t == NULL)
		return true;
	if (t[0] == '\0' || !gsm7_measure(t, strlen(t), &sz)) {
		fprintf(stderr, "sawt: the %s text is %s\n", lang_name,
			t[0] ? "not valid UTF-8" : "empty");
		return false;
	}
	if (sz.segments > 1) {
		fprintf(stderr,
			"sawt: the %s text takes %zu SMS segments (%zu %s; one segment holds %d): "
			"shorten it\n",
			lang_name, sz.segments, sz.units,
			sz.coding == GSM7_CODING_UCS2 ? "UTF-16 units, as it needs Unicode"
						      : "GSM characters",
			sz.coding == GSM7_CODING_UCS2 ? GSM7_UCS2_SINGLE : GSM7_SEPTETS_SINGLE);
		return false;
	}
	return true;
}

static struct store_broadcast *open_store(const struct config *cfg)
{
	char err[512];
	char *conninfo = db_conninfo(cfg);
	struct store_broadcast *sb;

	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return NULL;
	}
	sb = store_broadcast_new(conninfo, err, sizeof(err));
	free(conninfo);
	if (sb == NULL)
		fprintf(stderr, "sawt: %s\n", err);
	return sb;
}

static void print_plan(const struct store_rows *rows)
{
	long total = 0, copies = 0;

	for (int r = 0; r < store_rows_count(rows); r++) {
		const char *copy = store_rows_value(rows, r, 0);
		long n = atol(store_rows_value(rows, r, 3) ? store_rows_value(rows, r, 3) : "0");

		if (copy == NULL)
			continue;
		if (copy[0] == 't')
			copies += n;
		else
			total += n;
		printf("%ld %s (%s): %s\n", n, copy[0] == 't' ? "coordinator copies" : "recipients",
		       store_rows_value(rows, r, 1), store_rows_value(rows, r, 2));
	}
	printf("dry run: %ld recipient(s) and %ld coordinator copy(ies) would be sent; nothing "
	       "was queued\n",
	       total, copies);
}

/* What to do with the message. */
enum action {
	ACTION_SEND,
	ACTION_DRY_RUN,
	ACTION_SCHEDULE,
};

static int run(const struct config *cfg, const struct store_broadcast_msg *m, enum action act,
	       const char *at, const char *by)
{
	char err[1024], actor[96];
	const char *user = by ? by : getenv("USER");
	struct store_broadcast *sb = open_store(cfg);
	struct store_rows *rows;
	int rc = 1;

	if (sb == NULL)
		return 1;
	snprintf(actor, sizeof(actor), "cli:%s", user && user[0] ? user : "operator");
	rows = act == ACTION_DRY_RUN ? store_broadcast_plan(sb, m, err, sizeof(err))
	       : act == ACTION_SCHEDULE
		       ? store_broadcast_schedule(sb, m, at, actor, err, sizeof(err))
		       : store_broadcast_send(sb, m, actor, err, sizeof(err));
	if (rows == NULL) {
		fprintf(stderr, "sawt: %s\n", err);
		goto out;
	}
	if (act == ACTION_DRY_RUN)
		print_plan(rows);
	else if (act == ACTION_SCHEDULE)
		printf("reminder %s: sawtd sends it every day at %s%s\n",
		       store_rows_value(rows, 0, 0), at,
		       store_rows_value(rows, 0, 1)[0] == 't' ? " (that time has passed: today's "
								"goes now)"
							      : "");
	else if (store_rows_value(rows, 0, 0) == NULL)
		printf("nobody matches the filter: nothing was sent\n");
	else
		printf("broadcast %s: %s recipient(s) and %s coordinator copy(ies) queued\n",
		       store_rows_value(rows, 0, 0), store_rows_value(rows, 0, 1),
		       store_rows_value(rows, 0, 2));
	store_rows_free(rows);
	rc = 0;
out:
	store_broadcast_free(sb);
	return rc;
}

/* sawt broadcast --scheduled: the reminders that are not cancelled. */
static int list_reminders(const struct config *cfg)
{
	char err[1024];
	struct store_broadcast *sb = open_store(cfg);
	struct store_rows *rows;

	if (sb == NULL)
		return 1;
	rows = store_broadcast_reminders(sb, config_election(cfg), err, sizeof(err));
	store_broadcast_free(sb);
	if (rows == NULL) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	if (store_rows_count(rows) == 0)
		printf("no reminder scheduled\n");
	for (int r = 0; r < store_rows_count(rows); r++) {
		const char *last = store_rows_value(rows, r, 4);

		printf("reminder %s at %s: %s\n  %s\n  last run: %s\n",
		       store_rows_value(rows, r, 0), store_rows_value(rows, r, 1),
		       store_rows_value(rows, r, 2), store_rows_value(rows, r, 3),
		       last ? last : "not yet");
	}
	store_rows_free(rows);
	return 0;
}

/* sawt broadcast --cancel ID */
static int cancel_reminder(const struct config *cfg, const char *id)
{
	char err[1024];
	struct store_broadcast *sb;
	bool found;
	int rc = 1;

	if (id[0] == '\0' || strlen(id) > 9 || strspn(id, "0123456789") != strlen(id)) {
		fprintf(stderr, "sawt: invalid reminder number \"%s\"\n", id);
		return 2;
	}
	sb = open_store(cfg);
	if (sb == NULL)
		return 1;
	if (!store_broadcast_cancel(sb, config_election(cfg), id, &found, err, sizeof(err)))
		fprintf(stderr, "sawt: %s\n", err);
	else if (!found)
		fprintf(stderr, "sawt: reminder \"%s\" does not exist or is already cancelled\n",
			id);
	else {
		printf("reminder %s cancelled\n", id);
		rc = 0;
	}
	store_broadcast_free(sb);
	return rc;
}

int cmd_broadcast(int argc, char **argv, const struct config *cfg)
{
	char filter[FILTER_MAX];
	struct json_buf j;
	struct texts t = { 0 };
	struct store_broadcast_msg m = { 0 };
	const char *by = NULL, *v, *since = NULL, *missing = NULL, *at = NULL;
	bool dry = false;

	json_init(&j, filter, sizeof(filter));
	json_open_object(&j, NULL);
	for (int i = 1; i < argc; i++) {
		size_t k;

		if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			dry = true;
			continue;
		}
		if (strcmp(argv[i], "--scheduled") == 0 && argc == 2)
			return list_reminders(cfg);
		if ((v = cli_opt_value(argc, argv, &i, "--cancel")) != NULL)
			return argc == 3 ? cancel_reminder(cfg, v) : usage();
		if ((v = cli_opt_value(argc, argv, &i, "--at")) != NULL) {
			if (!hhmm_ok(v)) {
				fprintf(stderr,
					"sawt: invalid --at \"%s\": a time of day as HH:MM\n", v);
				return 2;
			}
			at = v;
			continue;
		}
		if (strcmp(argv[i], "--open-incidents") == 0) {
			json_bool(&j, "open_incidents", true);
			continue;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--text-ar")) != NULL) {
			t.ar = v;
			continue;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--text-en")) != NULL) {
			t.en = v;
			continue;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--text-fr")) != NULL) {
			t.fr = v;
			continue;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--by")) != NULL) {
			by = v;
			continue;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--stations")) != NULL) {
			if (!put_stations(&j, v))
				return 2;
			continue;
		}
		for (k = 0; k < N_FILTER_OPTS; k++)
			if ((v = cli_opt_value(argc, argv, &i, filter_opts[k].option)) != NULL)
				break;
		if (k == N_FILTER_OPTS)
			return usage();
		if (!allowed(&filter_opts[k], v) ||
		    (strcmp(filter_opts[k].key, "since") == 0 && !hhmm_ok(v))) {
			fprintf(stderr, "sawt: invalid %s \"%s\"\n", filter_opts[k].option, v);
			return 2;
		}
		if (strcmp(filter_opts[k].key, "since") == 0)
			since = v;
		if (strcmp(filter_opts[k].key, "missing") == 0)
			missing = v;
		json_string(&j, filter_opts[k].key, v, strlen(v));
	}
	if (dry && at != NULL) {
		fprintf(stderr,
			"sawt: --dry-run and --at do not go together: try the filter with "
			"--dry-run first\n");
		return 2;
	}
	if (since != NULL && missing == NULL) {
		fprintf(stderr,
			"sawt: --since goes with --missing (what has not been sent since "
			"then)\n");
		return 2;
	}
	if (t.ar == NULL && t.en == NULL && t.fr == NULL) {
		fprintf(stderr, "sawt: no text: give --text-ar, --text-en or --text-fr\n");
		return 2;
	}
	if (!text_fits("Arabic", t.ar) || !text_fits("English", t.en) || !text_fits("French", t.fr))
		return 2;
	if (cfg->timezone != NULL && cfg->timezone[0] != '\0')
		json_string(&j, "timezone", cfg->timezone, strlen(cfg->timezone));
	json_close_object(&j);
	if (!json_finish(&j)) {
		fprintf(stderr, "sawt: the filter is too long\n");
		return 2;
	}
	m.election = config_election(cfg);
	m.filter = filter;
	m.default_lang = lang_code(cfg->default_language);
	m.text_ar = t.ar;
	m.text_en = t.en;
	m.text_fr = t.fr;
	return run(cfg, &m, dry ? ACTION_DRY_RUN : at ? ACTION_SCHEDULE : ACTION_SEND, at, by);
}
