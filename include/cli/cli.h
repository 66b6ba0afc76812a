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

#include "config.h"

typedef int (*cli_command_fn)(int argc, char **argv, const struct config *cfg);

int cmd_inject(int argc, char **argv, const struct config *cfg);
int cmd_migrate(int argc, char **argv, const struct config *cfg);
int cmd_import(int argc, char **argv, const struct config *cfg);
int cmd_status(int argc, char **argv, const struct config *cfg);
int cmd_parse(int argc, char **argv, const struct config *cfg);
int cmd_bench(int argc, char **argv, const struct config *cfg);
int cmd_simulate(int argc, char **argv, const struct config *cfg);

/*
 * Shared by the commands (src/cli/options.c): the value of the option
 * "--name VALUE" or "--name=VALUE" at argv[*i], advancing *i past a
 * separate VALUE; NULL when argv[*i] is not that option or VALUE is missing.
 */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);

#endif
