/*
 * cmd_operator.c - sawt operator [list] | add PHONE --name NAME [--lang L]
 *                  | remove PHONE
 *
 * The operator's account on the election-day page (docs/web.md): the
 * operator signs in with this phone number and a code texted to it, and
 * sees what a national coordinator sees, the operations panel included.
 * The account is not part of the registry files and gets no alert; its
 * phone must not be an observer's or a coordinator's.  remove ends its
 * sessions at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "phone.h"
#include "store_operator.h"

#define NAME_MAX_BYTES 120

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt operator [list]\n"
		"       sawt operator add PHONE --name NAME [--lang ar|en|fr]\n"
		"       sawt operator remove PHONE\n"
		"  the operator's account on the election-day page: sign-in by PHONE and "
		"a texted code,\n"
		"  the whole election and the operations panel (docs/web.md)\n");
	return 2;
}

static struct store_operator *open_store(const struct config *cfg)
{
	char err[512];
	char *conninfo = db_conninfo(cfg);
	struct store_operator *so;

	if (conninfo == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		return NULL;
	}
	so = store_operator_new(conninfo, err, sizeof(err));
	free(conninfo);
	if (so == NULL)
		fprintf(stderr, "sawt: %s\n", err);
	return so;
}

static int do_list(struct store_operator *so, const char *election)
{
	char err[512];
	struct store_rows *rows = store_operator_list(so, election, err, sizeof(err));

	if (rows == NULL) {
		fprintf(stderr, "sawt: could not list the operators: %s\n", err);
		return 1;
	}
	if (store_rows_count(rows) == 0)
		printf("no operator account in election \"%s\": sawt operator add PHONE --name "
		       "NAME\n",
		       election);
	for (int r = 0; r < store_rows_count(rows); r++) {
		const char *last = store_rows_value(rows, r, 5);

		printf("%s  %s  lang %s  since %s  sessions %s  last sign-in %s\n",
		       store_rows_value(rows, r, 0), store_rows_value(rows, r, 1),
		       store_rows_value(rows, r, 2)[0] ? store_rows_value(rows, r, 2) : "-",
		       store_rows_value(rows, r, 3), store_rows_value(rows, r, 4),
		       last ? last : "never");
	}
	store_rows_free(rows);
	return 0;
}

/* The options of add after PHONE; false (usage) on anything else. */
static bool add_options(int argc, char **argv, const char **name, const char **lang)
{
	const char *v;

	for (int i = 3; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--name")) != NULL)
			*name = v;
		else if ((v = cli_opt_value(argc, argv, &i, "--lang")) != NULL)
			*lang = v;
		else
			return false;
	}
	return *name != NULL;
}

static int do_add(struct store_operator *so, const struct config *cfg, int argc, char **argv,
		  const char *e164)
{
	const char *name = NULL, *lang = NULL;
	char pseud[PHONE_PSEUDONYM_BUF], outcome[32], err[512];

	if (!add_options(argc, argv, &name, &lang))
		return usage();
	if (name[0] == '\0' || strlen(name) > NAME_MAX_BYTES) {
		fprintf(stderr, "sawt: the name must have 1 to %d bytes\n", NAME_MAX_BYTES);
		return 2;
	}
	if (lang != NULL && strcmp(lang, "ar") != 0 && strcmp(lang, "en") != 0 &&
	    strcmp(lang, "fr") != 0) {
		fprintf(stderr, "sawt: language \"%s\" is not one of ar, en, fr\n", lang);
		return 2;
	}
	if (cfg->pseudonym_secret == NULL || !phone_pseudonym(cfg->pseudonym_secret, e164, pseud)) {
		fprintf(stderr,
			"sawt: could not compute the pseudonym of %s: is [election] "
			"pseudonym_secret set?\n",
			e164);
		return 1;
	}
	if (!store_operator_add(so, config_election(cfg), e164, name, lang, pseud, outcome,
				sizeof(outcome), err, sizeof(err))) {
		fprintf(stderr, "sawt: could not add the operator: %s\n", err);
		return 1;
	}
	printf("operator %s (%s): %s; sign in at the page with this number and the texted "
	       "code\n",
	       e164, name, outcome);
	return 0;
}

static int do_remove(struct store_operator *so, const char *election, const char *e164)
{
	char outcome[32], err[512];

	if (!store_operator_remove(so, election, e164, outcome, sizeof(outcome), err,
				   sizeof(err))) {
		fprintf(stderr, "sawt: could not remove the operator: %s\n", err);
		return 1;
	}
	if (strcmp(outcome, "none") == 0) {
		fprintf(stderr, "sawt: %s is not an operator of election \"%s\"\n", e164, election);
		return 1;
	}
	printf("operator %s removed: sessions ended%s\n", e164,
	       strcmp(outcome, "kept") == 0
		       ? "; the record is kept (an SMS or an acknowledgement refers to it), "
			 "unable to sign in"
		       : "");
	return 0;
}

int cmd_operator(int argc, char **argv, const struct config *cfg)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	char e164[PHONE_E164_BUF];
	struct store_operator *so;
	int rc;

	if (strcmp(sub, "list") == 0) {
		if (argc > 2)
			return usage();
	} else if (strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0) {
		if (argc < 3 || (strcmp(sub, "remove") == 0 && argc != 3))
			return usage();
		if (!cli_phone(cfg, argv[2], e164))
			return 2;
	} else {
		return usage();
	}
	so = open_store(cfg);
	if (so == NULL)
		return 1;
	if (strcmp(sub, "list") == 0)
		rc = do_list(so, config_election(cfg));
	else if (strcmp(sub, "add") == 0)
		rc = do_add(so, cfg, argc, argv, e164);
	else
		rc = do_remove(so, config_election(cfg), e164);
	store_operator_free(so);
	return rc;
}
