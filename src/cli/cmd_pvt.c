/*
 * cmd_pvt.c - the quick count (docs/pvt.md):
 *
 *   sawt sample draw --name NAME --size N [--strata region|district] [--seed S]
 *   sawt pvt [-e NAME] [--sample NAME] [--contest CODE]
 *
 * sample draw stores a stratified random sample of stations (store_pvt.c
 * reads the population, src/core/pvt.c allocates and draws); pvt prints
 * the estimates: each candidate's share of valid votes, invalid and blank
 * shares, turnout, women's share of voters and women's turnout, with the
 * standard error's 95% and 99% margins, computed by pvt_estimate() from
 * the per-stratum sums of the reports that count.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "db.h"
#include "pvt.h"
#include "store_pvt.h"

#define PVT_ERR_MAX 1024
#define PVT_MAX_STRATA 4096

static struct store_pvt *open_store(const struct config *cfg)
{
	char err[PVT_ERR_MAX], *conninfo = db_conninfo(cfg);
	struct store_pvt *sp;

	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return NULL;
	}
	sp = store_pvt_new(conninfo, err, sizeof(err));
	free(conninfo);
	if (sp == NULL)
		fprintf(stderr, "sawt: %s\n", err);
	return sp;
}

static int sample_usage(void)
{
	fprintf(stderr,
		"usage: sawt sample draw --name NAME --size N [--strata region|district] "
		"[--seed S] [-e ELECTION]\n"
		"  draw a random sample of N stations for the quick count, in proportion to\n"
		"  registered voters (at least two per stratum); the same seed draws the same\n"
		"  sample\n");
	return 2;
}

/* A whole decimal number in [min, max] (strtoll, nothing after it). */
static bool parse_number(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= min && *out <= max;
}

int cmd_sample(int argc, char **argv, const struct config *cfg)
{
	const char *name = NULL, *election = config_election(cfg), *v;
	enum store_pvt_strata strata = STORE_PVT_NONE;
	long long size = -1, seed = -1;
	char err[PVT_ERR_MAX];
	struct store_pvt *sp;
	size_t nstrata = 0;

	if (argc < 2 || strcmp(argv[1], "draw") != 0)
		return sample_usage();
	for (int i = 2; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--name")) != NULL) {
			name = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--size")) != NULL) {
			if (!parse_number(v, 1, 1000000, &size)) {
				fprintf(stderr, "sawt: invalid sample size \"%s\"\n", v);
				return 2;
			}
		} else if ((v = cli_opt_value(argc, argv, &i, "--seed")) != NULL) {
			if (!parse_number(v, 0, INT64_MAX, &seed)) {
				fprintf(stderr, "sawt: invalid seed \"%s\"\n", v);
				return 2;
			}
		} else if ((v = cli_opt_value(argc, argv, &i, "--strata")) != NULL) {
			if (strcmp(v, "region") == 0) {
				strata = STORE_PVT_REGION;
			} else if (strcmp(v, "district") == 0) {
				strata = STORE_PVT_DISTRICT;
			} else {
				fprintf(stderr, "sawt: invalid strata \"%s\": region or district\n",
					v);
				return 2;
			}
		} else if ((v = cli_opt_value(argc, argv, &i, "--election")) != NULL ||
			   (v = cli_opt_value(argc, argv, &i, "-e")) != NULL) {
			election = v;
		} else {
			return sample_usage();
		}
	}
	if (name == NULL || size < 0)
		return sample_usage();
	if (seed < 0) /* not reproducible unless told: printed below */
		seed = (long long)(((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20)) & INT64_MAX);
	sp = open_store(cfg);
	if (sp == NULL)
		return 1;
	if (!store_pvt_draw(sp, election, name, strata, (long)size, (uint64_t)seed, &nstrata, err,
			    sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		store_pvt_free(sp);
		return 1;
	}
	printf("sample \"%s\": %lld stations in %zu strata (%s), seed %lld\n", name, size, nstrata,
	       strata == STORE_PVT_REGION     ? "region"
	       : strata == STORE_PVT_DISTRICT ? "district"
					      : "none",
	       seed);
	store_pvt_free(sp);
	return 0;
}

#define SAMPLE_CSV_FIELDS 16
#define SAMPLE_CSV_BUF 4096

/* The index of the header field named one of names, or -1. */
static int header_index(const struct csv_record *rec, const char *const *names)
{
	for (size_t f = 0; f < rec->n_fields; f++)
		for (const char *const *n = names; *n != NULL; n++)
			if (strcmp(rec->fields[f].str, *n) == 0)
				return (int)f;
	return -1;
}

int cli_import_sample(const struct config *cfg, const char *name, const char *path, const char *buf,
		      size_t len)
{
	static const char *const station_names[] = { "station", "station_code", "code", NULL };
	static const char *const stratum_names[] = { "stratum", NULL };
	char fbuf[SAMPLE_CSV_BUF], err[PVT_ERR_MAX];
	struct csv_field fields[SAMPLE_CSV_FIELDS];
	struct csv_record rec = { fbuf, sizeof(fbuf), fields, SAMPLE_CSV_FIELDS, 0, 0, "" };
	struct csv_reader r;
	char **codes = NULL, **strata = NULL;
	size_t n = 0, cap = 0;
	int col_station = -1, col_stratum = -1, rc = 1;
	bool header = true;
	enum csv_status st;
	struct store_pvt *sp = NULL;

	csv_init(&r, buf, len);
	while ((st = csv_read(&r, &rec)) != CSV_EOF) {
		if (st == CSV_ERROR) {
			fprintf(stderr, "sawt: %s:%u: %s\n", path, rec.line, rec.err);
			goto out;
		}
		if (csv_record_blank(&rec))
			continue;
		if (header) {
			col_station = header_index(&rec, station_names);
			col_stratum = header_index(&rec, stratum_names);
			if (col_station < 0) {
				fprintf(stderr,
					"sawt: %s:%u: no column \"station\" in the header\n", path,
					rec.line);
				goto out;
			}
			header = false;
			continue;
		}
		if ((size_t)col_station >= rec.n_fields || rec.fields[col_station].len == 0) {
			fprintf(stderr, "sawt: %s:%u: no station code\n", path, rec.line);
			goto out;
		}
		if (n == cap) {
			size_t c = cap ? cap * 2 : 256;
			char **a = realloc(codes, c * sizeof(*a)), **b;
			if (a == NULL)
				goto oom;
			codes = a;
			b = realloc(strata, c * sizeof(*b));
			if (b == NULL)
				goto oom;
			strata = b;
			cap = c;
		}
		codes[n] = strdup(rec.fields[col_station].str);
		strata[n] = col_stratum >= 0 && (size_t)col_stratum < rec.n_fields
				    ? strdup(rec.fields[col_stratum].str)
				    : strdup("");
		n++;
		if (codes[n - 1] == NULL || strata[n - 1] == NULL)
			goto oom;
	}
	if (n == 0) {
		fprintf(stderr, "sawt: %s: no station\n", path);
		goto out;
	}
	sp = open_store(cfg);
	if (sp == NULL)
		goto out;
	if (!store_pvt_import(sp, config_election(cfg), name, (const char *const *)codes,
			      (const char *const *)strata, n, err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		goto out;
	}
	printf("sample \"%s\": %zu stations imported\n", name, n);
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "sawt: out of memory\n");
out:
	for (size_t i = 0; i < n; i++) {
		free(codes[i]);
		free(strata[i]);
	}
	free(codes);
	free(strata);
	store_pvt_free(sp);
	return rc;
}

static int pvt_usage(void)
{
	fprintf(stderr,
		"usage: sawt pvt [-e ELECTION] [--sample NAME] [--contest CODE]\n"
		"  the quick count's estimates with their 95%% and 99%% margins\n");
	return 2;
}

static double num(const struct store_pvt_rows *rows, int r, int c)
{
	const char *v = store_pvt_value(rows, r, c);

	return v != NULL ? strtod(v, NULL) : 0;
}

static bool same_item(const struct store_pvt_rows *rows, int a, int b)
{
	const char *ca = store_pvt_value(rows, a, 1), *cb = store_pvt_value(rows, b, 1);

	if ((ca == NULL) != (cb == NULL) || (ca != NULL && strcmp(ca, cb) != 0))
		return false;
	return strcmp(store_pvt_value(rows, a, 2), store_pvt_value(rows, b, 2)) == 0;
}

/* The coverage line of a group (contest, or the turnout items), from its
 * first item's strata rows [first, end): "312 of 400 sample stations,
 * 78.0%; strata below 50%: North". */
static void print_coverage(const struct store_pvt_rows *rows, int first, int end)
{
	long n = 0, drawn = 0;
	bool any = false;

	for (int r = first; r < end; r++) {
		n += (long)num(rows, r, 8);
		drawn += (long)num(rows, r, 7);
	}
	printf("  coverage: %ld of %ld sample stations, %.1f%%", n, drawn,
	       drawn > 0 ? 100.0 * n / drawn : 0.0);
	for (int r = first; r < end; r++) {
		if (2 * num(rows, r, 8) >= num(rows, r, 7))
			continue;
		printf("%s%s", any ? ", " : "; strata below 50%: ", store_pvt_value(rows, r, 5));
		any = true;
	}
	printf("\n");
}

int cmd_pvt(int argc, char **argv, const struct config *cfg)
{
	const char *sample = NULL, *contest = NULL, *election = config_election(cfg), *v;
	static struct pvt_stratum strata[PVT_MAX_STRATA];
	char err[PVT_ERR_MAX];
	struct store_pvt_rows *rows = NULL;
	struct store_pvt *sp;
	int rc = 1, nrows, group = -1;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--sample")) != NULL)
			sample = v;
		else if ((v = cli_opt_value(argc, argv, &i, "--contest")) != NULL)
			contest = v;
		else if ((v = cli_opt_value(argc, argv, &i, "--election")) != NULL ||
			 (v = cli_opt_value(argc, argv, &i, "-e")) != NULL)
			election = v;
		else
			return pvt_usage();
	}
	sp = open_store(cfg);
	if (sp == NULL)
		return 1;
	rows = store_pvt_sums(sp, election, sample, contest, err, sizeof(err));
	if (rows == NULL) {
		fprintf(stderr, "sawt: %s\n", err);
		goto out;
	}
	nrows = store_pvt_nrows(rows);
	if (nrows == 0) {
		printf("sample \"%s\": no report from a sample station yet\n",
		       sample != NULL ? sample : "(newest)");
		rc = 0;
		goto out;
	}
	printf("Quick count, election \"%s\", sample \"%s\"\n", election,
	       store_pvt_value(rows, 0, 0));
	for (int r = 0; r < nrows;) {
		int end = r + 1;
		size_t n = 0;
		struct pvt_estimate e;
		const char *code = store_pvt_value(rows, r, 1);
		char label[128];

		while (end < nrows && same_item(rows, r, end))
			end++;
		if (end - r > PVT_MAX_STRATA) {
			fprintf(stderr, "sawt: more than %d strata\n", PVT_MAX_STRATA);
			goto out;
		}
		if (group < 0 ||
		    !(code == NULL ? store_pvt_value(rows, group, 1) == NULL
				   : store_pvt_value(rows, group, 1) != NULL &&
					     strcmp(code, store_pvt_value(rows, group, 1)) == 0)) {
			group = r;
			printf("\n%s\n", code != NULL ? code : "turnout");
			print_coverage(rows, r, end);
			printf("  %-22s %9s %8s %8s %8s %9s\n", "item", "estimate", "std err",
			       "±95%", "±99%", "reported");
		}
		for (int s = r; s < end; s++, n++) {
			strata[n] = (struct pvt_stratum){
				.population = (long)num(rows, s, 6),
				.reported = (long)num(rows, s, 8),
				.sy = num(rows, s, 9),
				.sx = num(rows, s, 10),
				.syy = num(rows, s, 11),
				.sxx = num(rows, s, 12),
				.sxy = num(rows, s, 13),
			};
		}
		if (!pvt_estimate(strata, n, &e)) {
			fprintf(stderr, "sawt: inconsistent figures for \"%s\"\n",
				store_pvt_value(rows, r, 3));
			goto out;
		}
		long rep = 0, drawn = 0;
		for (int s = r; s < end; s++) {
			rep += (long)num(rows, s, 8);
			drawn += (long)num(rows, s, 7);
		}
		snprintf(label, sizeof(label), "%s", store_pvt_value(rows, r, 3));
		if (e.status == PVT_NO_ESTIMATE)
			printf("  %-22s %9s\n", label, "-");
		else if (e.status == PVT_NO_MARGIN)
			printf("  %-22s %8.2f%% %8s %8s %8s %4ld/%-4ld  no margin: fewer than two "
			       "reports in stratum %s\n",
			       label, 100 * e.estimate, "-", "-", "-", rep, drawn,
			       store_pvt_value(rows, r + (int)e.short_stratum, 5));
		else
			printf("  %-22s %8.2f%% %8.2f %8.2f %8.2f %4ld/%-4ld\n", label,
			       100 * e.estimate, 100 * e.std_error, 100 * e.moe95, 100 * e.moe99,
			       rep, drawn);
		r = end;
	}
	rc = 0;
out:
	store_pvt_rows_free(rows);
	store_pvt_free(sp);
	return rc;
}
