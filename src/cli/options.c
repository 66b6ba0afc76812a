/*
 * options.c - option parsing shared by the commands; see cli.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db.h"
#include "phone.h"

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0' || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

bool cli_phone(const struct config *cfg, const char *raw, char *e164)
{
	const char *why;

	if (phone_normalize(raw, strlen(raw), cfg->country_code, e164, &why))
		return true;
	fprintf(stderr, "sawt: \"%s\" is not a phone number: %s\n", raw, why);
	return false;
}

bool cli_wait_seconds(const char *value, unsigned *out)
{
	char *end;
	long v = strtol(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v < 0 || v > 3600) {
		fprintf(stderr,
			"sawt: invalid value \"%s\" for --wait: expected 0 to 3600 seconds\n",
			value);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

struct store_control *cli_control_open(const struct config *cfg)
{
	char err[512];
	char *conninfo = db_conninfo(cfg);
	struct store_control *sc;

	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return NULL;
	}
	sc = store_control_new(conninfo, err, sizeof(err));
	free(conninfo);
	if (sc == NULL)
		fprintf(stderr, "sawt: %s\n", err);
	return sc;
}

bool cli_control_wait(struct store_control *sc, long long id, unsigned seconds,
		      struct store_control_request *out)
{
	char err[512];
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	for (unsigned i = 0;; i++) {
		if (!store_control_get(sc, id, out, err, sizeof(err))) {
			fprintf(stderr, "sawt: %s\n", err);
			return false;
		}
		if (out->done || i >= seconds * 10)
			return true;
		nanosleep(&tick, NULL);
	}
}
