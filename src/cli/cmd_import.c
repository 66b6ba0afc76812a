/*
 * cmd_import.c - sawt import [--dry-run] KIND FILE.csv
 *
 * Validates the whole file, then writes it in one transaction: a file with
 * any bad row imports nothing, and every bad row is listed with its line,
 * those the file shows and those the database shows (unknown station,
 * area, contest) in one pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "file.h"
#include "checklist.h"
#include "registry_import.h"
#include "store_checklist.h"
#include "store_import.h"

#define IMPORT_FILE_MAX (64 * 1024 * 1024)

static void import_usage(void)
{
	fprintf(stderr,
		"usage: sawt import [--dry-run] KIND FILE.csv\n"
		"KIND: stations, contests, people, incident-codes or checklists (FILE \"-\": standard input)\n"
		"       sawt import sample NAME FILE.csv  a quick-count sample drawn elsewhere\n"
		"       (columns station and, optionally, stratum; docs/pvt.md)\n");
}

/* Read all of path ("-": stdin) into a malloc'd buffer; NULL after a message. */
static char *read_all(const char *path, size_t *len)
{
	char err[512];
	char *buf =
		strcmp(path, "-") == 0
			? file_read_fd(STDIN_FILENO, path, IMPORT_FILE_MAX, len, err, sizeof(err))
			: file_read_all(path, IMPORT_FILE_MAX, len, err, sizeof(err));

	if (buf == NULL)
		fprintf(stderr, "sawt: %s\n", err);
	return buf;
}

/* Print every error of imp, then a count of bad rows, to stderr. */
static void print_bad_rows(const struct registry_import *imp, const char *path)
{
	size_t n = registry_import_n_errors(imp), rows = 0;
	unsigned last = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned line = registry_import_error_line(imp, i);

		fprintf(stderr, "%s\n", registry_import_error(imp, i));
		if (line == 0 || line != last)
			rows++;
		last = line;
	}
	fprintf(stderr, "sawt: %s: %zu bad %s, nothing imported\n", path, rows,
		rows == 1 ? "row" : "rows");
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_summary(enum registry_kind kind, const struct store_import_summary *s,
			  bool dry_run)
{
	const char *verb = dry_run ? "would import" : "imported";

	switch (kind) {
	case REGISTRY_STATIONS:
		printf("%s %zu %s (%zu new, %zu updated), %zu new %s\n", verb, s->rows,
		       plural(s->rows, "station", "stations"), s->inserted, s->updated,
		       s->areas_inserted, plural(s->areas_inserted, "area", "areas"));
		break;
	case REGISTRY_CONTESTS:
		printf("%s %zu %s (%zu new, %zu updated) with %zu %s (%zu new, %zu updated)\n",
		       verb, s->groups_inserted + s->groups_updated,
		       plural(s->groups_inserted + s->groups_updated, "contest", "contests"),
		       s->groups_inserted, s->groups_updated, s->rows,
		       plural(s->rows, "candidate", "candidates"), s->inserted, s->updated);
		break;
	case REGISTRY_PEOPLE:
		printf("%s %zu %s (%zu new, %zu updated)\n", verb, s->rows,
		       plural(s->rows, "person", "people"), s->inserted, s->updated);
		break;
	case REGISTRY_INCIDENT_CODES:
		printf("%s %zu %s (%zu new, %zu updated)\n", verb, s->rows,
		       plural(s->rows, "incident code", "incident codes"), s->inserted, s->updated);
		break;
	}
}

/* Validate buf and store it; returns the exit status. */
static int import_buffer(const struct config *cfg, enum registry_kind kind, const char *path,
			 const char *buf, size_t len, bool dry_run)
{
	struct registry_options ropt = { .country_code = cfg->country_code,
					 .pseudonym_secret = cfg->pseudonym_secret };
	struct store_import_options sopt = { .election = config_election(cfg),
					     .country_code = cfg->country_code,
					     .dry_run = dry_run };
	struct store_import_summary sum;
	struct registry_import *imp = registry_import_new(kind, &ropt);
	char *conninfo = NULL, err[1024];
	int rc = 1;

	if (imp == NULL || !registry_import_csv(imp, buf, len)) {
		fprintf(stderr, "sawt: out of memory\n");
		goto done;
	}
	/* the database checks run also when some rows are bad (the good
	 * ones are checked), unless the file itself is unreadable */
	if ((registry_import_n_errors(imp) == 0 || registry_import_rows_checkable(imp)) &&
	    (conninfo = db_conninfo(cfg)) == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		goto done;
	}
	switch (conninfo == NULL ? STORE_IMPORT_BAD_ROWS
				 : store_import_run(conninfo, imp, &sopt, &sum, err, sizeof(err))) {
	case STORE_IMPORT_OK:
		print_summary(kind, &sum, dry_run);
		rc = 0;
		break;
	case STORE_IMPORT_BAD_ROWS: print_bad_rows(imp, path); break;
	case STORE_IMPORT_FAILED:
		if (registry_import_n_errors(imp) > 0) {
			/* what was found without the database still counts */
			print_bad_rows(imp, path);
			fprintf(stderr,
				"sawt: %s: the good rows were not checked against the "
				"database: %s\n",
				path, err);
		} else {
			fprintf(stderr, "sawt: %s: %s; nothing imported\n", path, err);
		}
		break;
	}
done:
	free(conninfo);
	registry_import_free(imp);
	return rc;
}

/*
 * Import checklist definitions (docs/checklists.md): every bad row listed
 * and nothing imported, else each form's outcome, one line a form:
 *   OP: new, version 1
 *   CL: changed, version 2
 * Returns the exit status.
 */
static int import_checklists(const struct config *cfg, const char *path, const char *buf,
			     size_t len, bool dry_run)
{
	struct checklist_set *set = checklist_set_new();
	struct store_checklist_outcome *out = NULL;
	char *conninfo = NULL, err[1024];
	size_t n;
	int rc = 1;

	if (set == NULL || !checklist_set_parse(set, buf, len)) {
		fprintf(stderr, "sawt: out of memory\n");
		goto done;
	}
	if ((n = checklist_set_n_errors(set)) > 0) {
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", checklist_set_error(set, i));
		fprintf(stderr, "sawt: %s: %zu %s, nothing imported\n", path, n,
			plural(n, "error", "errors"));
		goto done;
	}
	n = checklist_set_n_forms(set);
	if ((out = calloc(n, sizeof(*out))) == NULL || (conninfo = db_conninfo(cfg)) == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		goto done;
	}
	if (!store_checklist_import(conninfo, set, config_election(cfg), dry_run, out, err,
				    sizeof(err))) {
		fprintf(stderr, "sawt: %s: %s; nothing imported\n", path, err);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s%s: %s, version %d\n", dry_run ? "would import " : "", out[i].code,
		       out[i].outcome, out[i].version);
	rc = 0;
done:
	free(out);
	free(conninfo);
	checklist_set_free(set);
	return rc;
}

int cmd_import(int argc, char **argv, const struct config *cfg)
{
	enum registry_kind kind;
	bool dry_run = false;
	int i = 1, rc;
	size_t len;
	char *buf;

	if (i < argc && (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0)) {
		dry_run = true;
		i++;
	}
	if (argc - i == 3 && strcmp(argv[i], "sample") == 0 && !dry_run) {
		buf = read_all(argv[i + 2], &len);
		if (buf == NULL)
			return 1;
		rc = cli_import_sample(cfg, argv[i + 1], argv[i + 2], buf, len);
		free(buf);
		return rc;
	}
	if (argc - i != 2) {
		import_usage();
		return 2;
	}
	if (strcmp(argv[i], "checklists") == 0) {
		buf = read_all(argv[i + 1], &len);
		if (buf == NULL)
			return 1;
		rc = import_checklists(cfg, argv[i + 1], buf, len, dry_run);
		free(buf);
		return rc;
	}
	if (!registry_kind_parse(argv[i], &kind)) {
		fprintf(stderr, "sawt: unknown kind \"%s\"\n", argv[i]);
		import_usage();
		return 2;
	}
	buf = read_all(argv[i + 1], &len);
	if (buf == NULL)
		return 1;
	rc = import_buffer(cfg, kind, argv[i + 1], buf, len, dry_run);
	free(buf);
	return rc;
}
