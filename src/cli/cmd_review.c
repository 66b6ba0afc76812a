/*
 * cmd_review.c - sawt review: the coordinators' review queue on the
 * command line (docs/review.md, issue 19).
 *
 *   sawt review [list] [--area AREA] [--state S[,S]] [--limit N]
 *   sawt review show ID
 *   sawt review verify|quarantine|reject|reopen ID --reason TEXT [--by NAME]
 *   sawt review correct ID --reason TEXT [--by NAME] FIELD=VALUE...
 *
 * Every decision is one transaction in the database (sawt.review_set,
 * sawt.review_correct, store_review.h) that records who, when, why and the
 * previous state; totals and views follow at once.  Nothing printed holds
 * a phone number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "store_review.h"

/* The decisions, as typed, and the state each sets. */
static const struct decision {
	const char *command;
	const char *state;
} decisions[] = {
	{ "verify", "verified" },
	{ "quarantine", "quarantined" },
	{ "reject", "rejected" },
	{ "reopen", "needs_review" },
};

/* The figures a correction may set, as typed (FIELD=VALUE). */
static const char *const figure_names[] = { "voters",  "women", "men",  "votes",
					    "invalid", "blank", "total" };

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt review [list] [--area AREA] [--state STATE[,STATE]] [--limit N]\n"
		"       sawt review show ID\n"
		"       sawt review verify|quarantine|reject|reopen ID --reason TEXT [--by NAME]\n"
		"       sawt review correct ID --reason TEXT [--by NAME] FIELD=VALUE...\n"
		"  list: reports waiting for review (default: needs_review and quarantined),\n"
		"        oldest first; AREA is a name or a Region/District path\n"
		"  correct: FIELD is voters, women, men, votes (comma-separated, in ballot\n"
		"        order), invalid, blank or total; the correction is a new, verified report\n");
	return 2;
}

static struct store_review *open_review(const struct config *cfg)
{
	char err[512];
	char *conninfo = db_conninfo(cfg);
	struct store_review *sr;

	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return NULL;
	}
	sr = store_review_new(conninfo, err, sizeof(err));
	free(conninfo);
	if (sr == NULL)
		fprintf(stderr, "sawt: %s\n", err);
	return sr;
}

static const char *val(const struct store_rows *rows, int r, int c)
{
	const char *v = store_rows_value(rows, r, c);

	return v ? v : "";
}

/* One report as a line of the queue's columns. */
static void print_report(const struct store_rows *rows, int r)
{
	printf("%-8s %-6s %-16s %-8s %-12s %-11s %s%s%s", val(rows, r, 0), val(rows, r, 1),
	       val(rows, r, 3)[0] ? val(rows, r, 3) : val(rows, r, 2), val(rows, r, 4),
	       val(rows, r, 6), val(rows, r, 10), val(rows, r, 8),
	       val(rows, r, 5)[0] ? " contest " : "", val(rows, r, 5));
	if (val(rows, r, 11)[0])
		printf("  (%s)", val(rows, r, 11));
	printf("\n");
}

static void print_header(void)
{
	printf("%-8s %-6s %-16s %-8s %-12s %-11s %s\n", "report", "station", "area", "form",
	       "state", "waiting", "figures (reason)");
}

static int do_list(struct store_review *sr, const char *election, int argc, char **argv)
{
	const char *area = NULL, *states = NULL, *v;
	int limit = 50;
	char err[1024];
	struct store_rows *rows;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--area")) != NULL)
			area = v;
		else if ((v = cli_opt_value(argc, argv, &i, "--state")) != NULL)
			states = v;
		else if ((v = cli_opt_value(argc, argv, &i, "--limit")) != NULL) {
			limit = atoi(v);
			if (limit < 1 || limit > 100000) {
				fprintf(stderr, "sawt: invalid --limit \"%s\": 1 to 100000\n", v);
				return 2;
			}
		} else
			return usage();
	}
	rows = store_review_queue(sr, election, area, states, limit, err, sizeof(err));
	if (rows == NULL) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	if (store_rows_count(rows) == 0) {
		printf("nothing to review%s%s\n", area ? " in " : "", area ? area : "");
	} else {
		print_header();
		for (int r = 0; r < store_rows_count(rows); r++)
			print_report(rows, r);
		printf("%d report(s)%s\n", store_rows_count(rows),
		       store_rows_count(rows) == limit ? " (the oldest; --limit for more)" : "");
	}
	store_rows_free(rows);
	return 0;
}

static int do_show(struct store_review *sr, const char *election, const char *id)
{
	char err[1024];
	struct store_rows *rep = NULL, *hist = NULL, *st = NULL;
	int rc = 1;

	rep = store_review_report(sr, election, id, err, sizeof(err));
	if (rep == NULL)
		goto fail;
	if (store_rows_count(rep) == 0) {
		snprintf(err, sizeof(err), "report \"%s\" does not exist in election \"%s\"", id,
			 election);
		goto fail;
	}
	hist = store_review_history(sr, id, err, sizeof(err));
	st = hist ? store_review_station(sr, id, err, sizeof(err)) : NULL;
	if (st == NULL)
		goto fail;
	printf("report %s: station %s (%s%s%s), %s%s%s, sent %s\n", val(rep, 0, 0), val(rep, 0, 1),
	       val(rep, 0, 2), val(rep, 0, 3)[0] ? " / " : "", val(rep, 0, 3), val(rep, 0, 4),
	       val(rep, 0, 5)[0] ? " contest " : "", val(rep, 0, 5), val(rep, 0, 9));
	printf("  figures: %s\n  state: %s (validation: %s)\n", val(rep, 0, 8), val(rep, 0, 6),
	       val(rep, 0, 7));
	printf("history:\n");
	if (store_rows_count(hist) == 0)
		printf("  (no decision yet)\n");
	for (int r = 0; r < store_rows_count(hist); r++)
		printf("  %s  %s -> %s  by %s%s%s%s: %s\n", val(hist, r, 0), val(hist, r, 2),
		       val(hist, r, 3), val(hist, r, 1), val(hist, r, 5)[0] ? " (" : "",
		       val(hist, r, 5), val(hist, r, 5)[0] ? ")" : "", val(hist, r, 4));
	printf("the station's other reports:\n");
	if (store_rows_count(st) == 0)
		printf("  (none)\n");
	for (int r = 0; r < store_rows_count(st); r++) {
		printf("  %s ", val(st, r, 12)[0] ? "*" : " ");
		print_report(st, r);
	}
	if (store_rows_count(st) > 0)
		printf("  (* the station's current report of that form)\n");
	rc = 0;
fail:
	if (rc != 0)
		fprintf(stderr, "sawt: %s\n", err);
	store_rows_free(rep);
	store_rows_free(hist);
	store_rows_free(st);
	return rc;
}

/* The actor recorded for a decision: cli:NAME (--by, else $USER). */
static void actor_of(const char *by, char *out, size_t cap)
{
	const char *user = by ? by : getenv("USER");

	snprintf(out, cap, "cli:%s", user && user[0] ? user : "operator");
}

/* A report id as typed: digits only, so the database sees a number. */
static bool report_id_ok(const char *id)
{
	if (id == NULL || id[0] == '\0' || strlen(id) > 18)
		return false;
	for (const char *p = id; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static bool set_figure(struct store_review_figures *f, const char *arg)
{
	const char **slots[] = { &f->voters,  &f->women, &f->men,  &f->counts,
				 &f->invalid, &f->blank, &f->total };
	const char *eq = strchr(arg, '=');

	for (size_t k = 0; eq && k < sizeof(figure_names) / sizeof(figure_names[0]); k++) {
		size_t n = strlen(figure_names[k]);

		if ((size_t)(eq - arg) == n && strncmp(arg, figure_names[k], n) == 0 &&
		    eq[1] != '\0' && strspn(eq + 1, "0123456789,") == strlen(eq + 1)) {
			*slots[k] = eq + 1;
			return true;
		}
	}
	fprintf(stderr,
		"sawt: invalid figure \"%s\": give FIELD=NUMBER with FIELD voters, women, men, "
		"invalid, blank or total, or votes=N,N,...\n",
		arg);
	return false;
}

static int do_decide(struct store_review *sr, const char *election, const char *cmd, int argc,
		     char **argv)
{
	const struct decision *d = NULL;
	struct store_review_figures fig = { 0 };
	const char *id = NULL, *reason = NULL, *by = NULL, *v;
	char actor[96], err[1024], new_id[24];
	struct store_rows *rep;
	bool changed, any_figure = false;

	for (size_t k = 0; k < sizeof(decisions) / sizeof(decisions[0]); k++)
		if (strcmp(cmd, decisions[k].command) == 0)
			d = &decisions[k];
	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--reason")) != NULL)
			reason = v;
		else if ((v = cli_opt_value(argc, argv, &i, "--by")) != NULL)
			by = v;
		else if (argv[i][0] == '-')
			return usage();
		else if (id == NULL)
			id = argv[i];
		else if (d == NULL && set_figure(&fig, argv[i]))
			any_figure = true;
		else
			return d == NULL ? 2 : usage();
	}
	if (!report_id_ok(id)) {
		fprintf(stderr, "sawt: %s: give the report's number (sawt review list shows it)\n",
			id ? "invalid report number" : "no report given");
		return 2;
	}
	if (reason == NULL || reason[0] == '\0') {
		fprintf(stderr,
			"sawt: a decision needs --reason TEXT: it is kept with the report's "
			"history\n");
		return 2;
	}
	if (d == NULL && !any_figure) {
		fprintf(stderr, "sawt: a correction needs at least one FIELD=VALUE\n");
		return 2;
	}
	/* the report must be of this election (ids are global) */
	rep = store_review_report(sr, election, id, err, sizeof(err));
	if (rep == NULL || store_rows_count(rep) == 0) {
		if (rep != NULL)
			snprintf(err, sizeof(err),
				 "report \"%s\" does not exist in election \"%s\"", id, election);
		store_rows_free(rep);
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	store_rows_free(rep);
	actor_of(by, actor, sizeof(actor));
	if (d != NULL) {
		if (!store_review_set(sr, id, d->state, actor, reason, &changed, err,
				      sizeof(err))) {
			fprintf(stderr, "sawt: %s\n", err);
			return 1;
		}
		printf(changed ? "report %s: %s; the totals follow\n" : "report %s: already %s\n",
		       id, d->state);
		return 0;
	}
	if (!store_review_correct(sr, id, actor, reason, &fig, new_id, err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	printf("report %s corrected: report %s holds the corrected figures, verified; the totals "
	       "follow\n",
	       id, new_id);
	return 0;
}

int cmd_review(int argc, char **argv, const struct config *cfg)
{
	const char *election = config_election(cfg), *sub = argc > 1 ? argv[1] : "list";
	struct store_review *sr;
	int rc;

	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)
		return usage();
	if (sub[0] == '-') /* options of the default list */
		sub = "list";
	else {
		argc--;
		argv++;
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "correct") != 0) {
		bool known = false;

		for (size_t k = 0; k < sizeof(decisions) / sizeof(decisions[0]); k++)
			known = known || strcmp(sub, decisions[k].command) == 0;
		if (!known)
			return usage();
	}
	if (strcmp(sub, "show") == 0 && (argc != 2 || !report_id_ok(argv[1])))
		return usage();
	sr = open_review(cfg);
	if (sr == NULL)
		return 1;
	if (strcmp(sub, "list") == 0)
		rc = do_list(sr, election, argc, argv);
	else if (strcmp(sub, "show") == 0)
		rc = do_show(sr, election, argv[1]);
	else
		rc = do_decide(sr, election, sub, argc, argv);
	store_review_free(sr);
	return rc;
}
