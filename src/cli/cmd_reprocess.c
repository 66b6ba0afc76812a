/*
 * cmd_reprocess.c - sawt reprocess [--sender PHONE] [--dry-run] [--wait SECONDS]
 *
 * Have the running sawtd process the messages it recorded without
 * processing them: those stored as ignored for the rate limit (by versions
 * of sawtd before throttling withheld only replies) and those stored as
 * failed (a processing error kept only the raw message).  Each is decided
 * as it would have been when it came, by its send time (a report older
 * than the station's current one becomes history), stored in its own
 * inbound row exactly once, and not answered (migrations/0013_operator.sql
 * says which messages are eligible and why).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "phone.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt reprocess [--sender PHONE] [--dry-run] [--wait SECONDS]\n"
		"  process the messages recorded but not processed (ignored for the rate limit,\n"
		"  or failed), of PHONE or of every sender; --dry-run only counts them; waits up\n"
		"  to --wait seconds (default 60) for the running sawtd to finish\n");
	return 2;
}

int cmd_reprocess(int argc, char **argv, const struct config *cfg)
{
	char e164[PHONE_E164_BUF], err[512];
	const char *phone = NULL, *v;
	bool dry = false;
	unsigned wait = 60;
	struct store_control *sc;
	struct store_control_pending pend;
	struct store_control_request req;
	long long id;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--wait")) != NULL) {
			if (!cli_wait_seconds(v, &wait))
				return 2;
		} else if ((v = cli_opt_value(argc, argv, &i, "--sender")) != NULL) {
			phone = v;
		} else if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			dry = true;
		} else {
			return usage();
		}
	}
	if (phone != NULL && !cli_phone(cfg, phone, e164))
		return 2;
	sc = cli_control_open(cfg);
	if (sc == NULL)
		return 1;
	if (!store_control_pending(sc, phone ? e164 : NULL, &pend, err, sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		goto out;
	}
	printf("%lld message(s) recorded but not processed%s%s (rate_limited %lld, failed %lld)\n",
	       pend.rate_limited + pend.failed, phone ? " from " : "", phone ? e164 : "",
	       pend.rate_limited, pend.failed);
	rc = 0;
	if (dry || pend.rate_limited + pend.failed == 0)
		goto out;
	rc = 1;
	if (!store_control_ask(sc, STORE_CONTROL_REPROCESS, phone ? e164 : NULL, &id, err,
			       sizeof(err))) {
		fprintf(stderr, "sawt: %s\n", err);
		goto out;
	}
	printf("reprocess: request %lld\n", id);
	if (!cli_control_wait(sc, id, wait, &req))
		goto out;
	if (req.done)
		printf("sawtd on \"%s\" reprocessed %lld message(s)\n", req.node, req.reprocessed);
	else if (req.started)
		printf("sawtd on \"%s\" is still reprocessing; see sawt status\n", req.node);
	else
		printf("no sawtd has taken it yet: a running sawtd does when it is connected to "
		       "the database\n");
	rc = 0;
out:
	store_control_free(sc);
	return rc;
}
