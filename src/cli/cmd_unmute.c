/*
 * cmd_unmute.c - sawt unmute [--wait SECONDS] PHONE
 *
 * Lift the mute of an observer whose messages went over the rate limit
 * (DESIGN.md section 3: replies withheld for an hour): the request is
 * stored in sawt.operator_requests and announced to every running sawtd,
 * which applies it at once; a sawtd that starts later reads it back, so
 * the mute does not come back with a restart (src/daemon/control.c).  The
 * operator names the observer by phone number, in any form the
 * configured country code makes E.164 of.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "phone.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt unmute [--wait SECONDS] PHONE\n"
		"  lift PHONE's rate-limit mute in the running sawtd (and after a restart);\n"
		"  waits up to --wait seconds (default 10) for a sawtd to apply it\n");
	return 2;
}

int cmd_unmute(int argc, char **argv, const struct config *cfg)
{
	char e164[PHONE_E164_BUF], err[512];
	const char *phone = NULL, *v;
	unsigned wait = 10;
	struct store_control *sc;
	struct store_control_request req;
	long long id, muted;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--wait")) != NULL) {
			if (!cli_wait_seconds(v, &wait))
				return 2;
		} else if (argv[i][0] == '-' || phone != NULL) {
			return usage();
		} else {
			phone = argv[i];
		}
	}
	if (phone == NULL)
		return usage();
	if (!cli_phone(cfg, phone, e164))
		return 2;
	sc = cli_control_open(cfg);
	if (sc == NULL)
		return 1;
	if (!store_control_muted_messages(sc, e164, &muted, err, sizeof(err)) ||
	    !store_control_ask(sc, STORE_CONTROL_UNMUTE, e164, &id, err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		goto out;
	}
	printf("unmute %s: request %lld (%lld message(s) not answered for the rate limit in the "
	       "last hour)\n",
	       e164, id, muted);
	if (!cli_control_wait(sc, id, wait, &req))
		goto out;
	if (req.done)
		printf("applied by sawtd on \"%s\"\n", req.node);
	else
		printf("no sawtd has applied it yet: a running sawtd does when it is connected to "
		       "the database, and one that starts reads it back\n");
	rc = 0;
out:
	store_control_free(sc);
	return rc;
}
