/*
 * cli.h - the sawt command-line tool's commands.
 *
 * Each command lives in src/cli/cmd_NAME.c and is listed in the commands[] table
 * of src/cli/sawt.c.  A command gets the arguments after its name (argv[0] is
 * the command name) and the loaded configuration (defaults when no -c was
 * given; never NULL).  It returns the process exit status: 0 success, 1
 * failure, 2 usage error.  What several commands share is in
 * src/cli/options.c.
 */
#ifndef SAWT_CLI_H
#define SAWT_CLI_H

#include <stdbool.h>

#include "config.h"
#include "store_control.h"

typedef int (*cli_command_fn)(int argc, char **argv, const struct config *cfg);

int cmd_inject(int argc, char **argv, const struct config *cfg);
int cmd_migrate(int argc, char **argv, const struct config *cfg);
int cmd_import(int argc, char **argv, const struct config *cfg);
int cmd_status(int argc, char **argv, const struct config *cfg);
int cmd_card(int argc, char **argv, const struct config *cfg);
int cmd_modems(int argc, char **argv, const struct config *cfg);
int cmd_parse(int argc, char **argv, const struct config *cfg);
int cmd_bench(int argc, char **argv, const struct config *cfg);
int cmd_simulate(int argc, char **argv, const struct config *cfg);
int cmd_unmute(int argc, char **argv, const struct config *cfg);
int cmd_reprocess(int argc, char **argv, const struct config *cfg);
int cmd_sample(int argc, char **argv, const struct config *cfg);
int cmd_pvt(int argc, char **argv, const struct config *cfg);
int cmd_review(int argc, char **argv, const struct config *cfg);
int cmd_operator(int argc, char **argv, const struct config *cfg);
int cmd_broadcast(int argc, char **argv, const struct config *cfg);
int cmd_backup(int argc, char **argv, const struct config *cfg);
int cmd_restore(int argc, char **argv, const struct config *cfg);

/* sawt import sample NAME FILE (src/cli/cmd_pvt.c): the CSV in buf (len
 * bytes, path for messages) stored as quick-count sample name. */
int cli_import_sample(const struct config *cfg, const char *name, const char *path, const char *buf,
		      size_t len);

/*
 * Shared by the commands (src/cli/options.c): the value of the option
 * "--name VALUE" or "--name=VALUE" at argv[*i], advancing *i past a
 * separate VALUE; NULL when argv[*i] is not that option or VALUE is missing.
 */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);

/* raw as an E.164 number in e164 (PHONE_E164_BUF bytes) with cfg's country
 * code; false after printing why it is not one. */
bool cli_phone(const struct config *cfg, const char *raw, char *e164);

/* The seconds of --wait VALUE (0 to 3600); false after printing why not. */
bool cli_wait_seconds(const char *value, unsigned *out);

/* A connection for the operator's requests (store_control.h) to cfg's
 * database; NULL after printing why. */
struct store_control *cli_control_open(const struct config *cfg);

/* Wait up to seconds (polling ten times a second) for request id to be
 * done; *out is where it is when done or when the time is up.  False after
 * printing a database error. */
bool cli_control_wait(struct store_control *sc, long long id, unsigned seconds,
		      struct store_control_request *out);

#endif
