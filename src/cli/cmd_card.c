/*
 * cmd_card.c - sawt card [--lang ar|en|fr] [--station CODE [--offline]] [-o FILE]
 *
 * Write the observer's card (src/core/card.c): one self-contained HTML
 * page to print on A5, in the language of the observers it is for, with
 * their station's code in the examples.  With --station the station is
 * looked up in the configured database (its name goes on the card, an
 * unknown code is an error); --offline takes the code as given, for a
 * trainer with no database at hand.  Without --station the card has a
 * blank to fill in by hand and examples with station 1021.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "cli.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt card [--lang ar|en|fr] [--station CODE [--offline]] [-o FILE]\n"
		"  write the observer's card, one printable A5 page of HTML, to FILE or\n"
		"  standard output; --lang defaults to [election] default_language;\n"
		"  --station looks the station up in the database, --offline takes it as given\n");
	return 2;
}

/* The station's name from the database into name; false after printing why not. */
static bool lookup(const struct config *cfg, const char *code, char *name, size_t cap)
{
	char err[512];
	struct store_control *sc = cli_control_open(cfg);
	bool found = false, ok;

	if (sc == NULL) {
		fprintf(stderr, "sawt: use --offline to make the card without the database\n");
		return false;
	}
	ok = store_control_station(sc, config_election(cfg), code, &found, name, cap, err,
				   sizeof(err));
	store_control_free(sc);
	if (!ok) {
		fprintf(stderr, "sawt: %s\n", err);
		return false;
	}
	if (!found) {
		fprintf(stderr,
			"sawt: station \"%s\" not found in election \"%s\": check the code, or use "
			"--offline\n",
			code, config_election(cfg));
		return false;
	}
	return true;
}

int cmd_card(int argc, char **argv, const struct config *cfg)
{
	struct card_args a = { .lang = cfg->default_language };
	const char *station = NULL, *outpath = NULL, *v;
	bool offline = false;
	char name[256] = "", err[CARD_ERR_MAX];
	char *buf = NULL;
	struct strbuf sb;
	FILE *out = stdout;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--lang")) != NULL) {
			if (!lang_parse(v, &a.lang)) {
				fprintf(stderr, "sawt: unknown language \"%s\": ar, en or fr\n", v);
				return 2;
			}
		} else if ((v = cli_opt_value(argc, argv, &i, "--station")) != NULL) {
			station = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "-o")) != NULL) {
			outpath = v;
		} else if (strcmp(argv[i], "--offline") == 0) {
			offline = true;
		} else {
			return usage();
		}
	}
	a.station = station;
	a.election = cfg->election_name;
	buf = malloc(CARD_MAX);
	if (buf == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return 1;
	}
	strbuf_init(&sb, buf, CARD_MAX);
	/* Check the code before asking the database about it. */
	if (!card_render(&a, &sb, err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		rc = station != NULL ? 2 : 1;
		goto out;
	}
	if (station != NULL && !offline) {
		if (!lookup(cfg, station, name, sizeof(name)))
			goto out;
		a.station_name = name;
		strbuf_init(&sb, buf, CARD_MAX);
		if (!card_render(&a, &sb, err, sizeof(err))) {
			fprintf(stderr, "sawt: %s\n", err);
			goto out;
		}
	}
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		fprintf(stderr, "sawt: could not open file \"%s\": %s\n", outpath, strerror(errno));
		goto out;
	}
	if (fwrite(sb.buf, 1, sb.len, out) != sb.len || fflush(out) != 0) {
		fprintf(stderr, "sawt: could not write the card: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (out != stdout && out != NULL && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "sawt: could not write file \"%s\": %s\n", outpath,
			strerror(errno));
		rc = 1;
	}
	free(buf);
	return rc;
}
