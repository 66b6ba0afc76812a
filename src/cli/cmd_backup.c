/*
 * cmd_backup.c - sawt backup FILE, sawt restore FILE: the embedded
 * database (src/store/backup.c, docs/deploy.md).
 */
#include <stdio.h>

#include "backup.h"
#include "cli.h"

int cmd_backup(int argc, char **argv, const struct config *cfg)
{
	char err[1024];

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: sawt backup FILE\n");
		return 2;
	}
	if (!backup_dump(cfg, argv[1], err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	printf("backed up the embedded database of \"%s\" to \"%s\"\n", cfg->state_dir, argv[1]);
	return 0;
}

int cmd_restore(int argc, char **argv, const struct config *cfg)
{
	char err[1024];

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: sawt restore FILE\n");
		return 2;
	}
	if (!backup_restore(cfg, argv[1], err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	printf("restored \"%s\" into the embedded database of \"%s\"; start sawtd\n", argv[1],
	       cfg->state_dir);
	return 0;
}
