/*
 * cmd_inject.c - sawt inject [--dir DIR] FROM TEXT...
 *
 * Drop one received message into Gammu's dummy phone (the default modem
 * when no [modem] section is configured), as if the observer at FROM had
 * texted it: for trying sawt and for training without a phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dummy_inbox.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt inject [--dir DUMMY_DIR] [--time UNIX_SECONDS] FROM TEXT...\n"
		"  writes one SMS from FROM into the dummy phone's inbox (default STATE_DIR/dummy),\n"
		"  stamped by the SMSC at --time (default: now)\n");
	return 2;
}

int cmd_inject(int argc, char **argv, const struct config *cfg)
{
	char dir[4096], text[4096] = "", err[DUMMY_INBOX_ERR_MAX];
	int i = 1, parts;
	size_t used = 0;
	int64_t when = (int64_t)time(NULL);
	char *end;

	dummy_inbox_default_dir(cfg->state_dir, dir, sizeof(dir));
	while (i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-') {
		if (strcmp(argv[i], "--dir") == 0) {
			snprintf(dir, sizeof(dir), "%s", argv[i + 1]);
		} else if (strcmp(argv[i], "--time") == 0) {
			when = strtoll(argv[i + 1], &end, 10);
			if (*end != '\0' || when <= 0) {
				fprintf(stderr,
					"sawt: invalid value \"%s\" for --time: expected Unix seconds\n",
					argv[i + 1]);
				return 2;
			}
		} else {
			return usage();
		}
		i += 2;
	}
	if (argc - i < 2)
		return usage();
	for (int k = i + 1; k < argc; k++) {
		int n = snprintf(text + used, sizeof(text) - used, "%s%s", k > i + 1 ? " " : "",
				 argv[k]);

		if (n < 0 || (size_t)n >= sizeof(text) - used) {
			fprintf(stderr, "sawt: message too long\n");
			return 1;
		}
		used += (size_t)n;
	}
	if (!dummy_inbox_prepare(dir, err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	parts = dummy_inbox_write_text(dir, argv[i], text, when, (uint16_t)(rand() & 0xff), err,
				       sizeof(err));
	if (parts == 0) {
		fprintf(stderr, "sawt: %s\n", err);
		return 1;
	}
	printf("queued %d SMS part(s) from %s in \"%s/sms/1\"\n", parts, argv[i], dir);
	return 0;
}
