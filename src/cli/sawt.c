/*
 * sawt.c - the command-line tool: sawt [-c FILE] COMMAND [ARGS...]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "sawt_build.h"

struct command {
	const char *name;
	const char *usage;
	cli_command_fn run;
};

static const struct command commands[] = {
	{ "migrate", "migrate [--status|--check] apply pending migrations", cmd_migrate },
	{ "import", "import [-n] KIND FILE  import stations, contests, people or incident-codes",
	  cmd_import },
	{ "status", "status [-e NAME]       summary: reporting, turnout, results, incidents",
	  cmd_status },
	{ "inject", "inject FROM TEXT...    drop an SMS into the dummy phone's inbox", cmd_inject },
	{ "parse", "parse [MESSAGE]        parse observer messages, print JSON", cmd_parse },
	{ "card", "card [--lang L] [--station CODE]  the observer's card, printable HTML (A5)",
	  cmd_card },
	{ "modems",
	  "modems [--device PATH]  list serial devices, what answers there, [modem] sections",
	  cmd_modems },
	{ "bench", "bench parse            measure parser and reply speed", cmd_bench },
	{ "simulate", "simulate [OPTIONS]     drive a synthetic election into a running sawtd",
	  cmd_simulate },
	{ "unmute", "unmute PHONE           lift a sender's rate-limit mute in the running sawtd",
	  cmd_unmute },
	{ "reprocess",
	  "reprocess [--sender PHONE] [-n]  process messages recorded but not processed",
	  cmd_reprocess },
	{ "sample",
	  "sample draw --name NAME --size N [--strata region|district] [--seed S]  draw a "
	  "quick-count sample",
	  cmd_sample },
	{ "pvt", "pvt [--sample NAME] [--contest CODE]  quick-count estimates with margins",
	  cmd_pvt },
	{ "review",
	  "review [list|show|verify|quarantine|reject|reopen|correct]  the review queue and "
	  "decisions",
	  cmd_review },
	{ "broadcast",
	  "broadcast [FILTERS] --text-ar|--text-en|--text-fr TEXT  text observers, each in "
	  "their language",
	  cmd_broadcast },
	{ "operator",
	  "operator [list|add PHONE --name NAME|remove PHONE]  the operator's account on the "
	  "page",
	  cmd_operator },
	{ "backup", "backup FILE            back up the embedded database (while sawtd runs)",
	  cmd_backup },
	{ "restore", "restore FILE           restore a backup into a fresh state directory",
	  cmd_restore },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: sawt [-c FILE] [-v] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  sawt %s\n", commands[i].usage);
	fprintf(out,
		"\n-c FILE  configuration file (default: $SAWT_CONFIG, else built-in defaults)\n"
		"-v       debug logging\n");
}

static struct config *load_config(const char *path)
{
	char err[CONFIG_ERR_MAX];
	struct config *cfg;

	if (path == NULL)
		path = getenv("SAWT_CONFIG");
	cfg = config_open(path, err, sizeof(err));
	if (cfg == NULL)
		log_fatal("%s", err);
	return cfg;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	bool verbose = false;
	struct config *cfg;
	int opt, rc;

	log_set_ident("sawt");
	while ((opt = getopt_long(argc, argv, "+c:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'v': verbose = true; break;
		case 'V': printf("sawt %s\n", SAWT_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		cfg = load_config(config_path);
		log_set_level(verbose ? LOG_LEVEL_DEBUG : cfg->log_level);
		optind++;
		rc = commands[i].run(argc - optind + 1, argv + optind - 1, cfg);
		config_free(cfg);
		return rc;
	}
	fprintf(stderr, "sawt: unknown command \"%s\"\n", argv[optind]);
	usage(stderr);
	return 2;
}
