/*
 * cmd_migrate.c - sawt migrate [--status | --check]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "migrate.h"

int cmd_migrate(int argc, char **argv, const struct config *cfg)
{
	enum migrate_mode mode = MIGRATE_APPLY;
	struct migrate_report rep;
	char err[1024];
	char *conninfo;
	const char *dir = migrate_default_dir(cfg->migrations_dir);
	bool ok;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0) {
			mode = MIGRATE_STATUS;
		} else if (strcmp(argv[i], "--check") == 0) {
			mode = MIGRATE_CHECK;
		} else {
			fprintf(stderr, "usage: sawt migrate [--status | --check]\n");
			return 2;
		}
	}
	conninfo = db_conninfo(cfg);
	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return 1;
	}
	ok = migrate_run(conninfo, dir, mode, &rep, err, sizeof(err));
	free(conninfo);
	if (!ok) {
		fprintf(stderr, "sawt: %s\n", err);
		if (cfg->db_url == NULL && strstr(err, "could not connect") != NULL)
			fprintf(stderr,
				"HINT:  No [database] url is configured, so sawt uses the embedded database under \"%s\", "
				"which runs only while sawtd runs (as the same user, or root).\n",
				cfg->state_dir);
		return 1;
	}
	if (mode == MIGRATE_APPLY)
		printf("applied %d migration(s), %d already applied; schema at version %d\n",
		       rep.applied_now, rep.already, rep.latest);
	else if (mode == MIGRATE_CHECK)
		printf("schema up to date at version %d\n", rep.latest);
	return 0;
}
