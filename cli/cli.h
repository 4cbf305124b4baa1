/*
 * cli.h: what the subcommands share: the global options, printing errors
 * and the project-relative display of paths. Only cli/ prints and exits.
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include "compat.h"
#include "util/error.h"

#include <jansson.h>

struct cli {
	const char *dir; /* the project folder (-C), "." by default */
	int json;	 /* --json given before the command */
	int tty;	 /* stderr is a terminal: progress may be drawn */
};

int cmd_init(int argc, char **argv, struct cli *cli);
int cmd_plan(int argc, char **argv, struct cli *cli);
int cmd_migrate(int argc, char **argv, struct cli *cli);
int cmd_status(int argc, char **argv, struct cli *cli);
int cmd_reconcile(int argc, char **argv, struct cli *cli);
int cmd_rollback(int argc, char **argv, struct cli *cli);
int cmd_sync(int argc, char **argv, struct cli *cli);

struct crm_project;
/*
 * Opens the project in cli->dir. Returns -1 when it is open (release it with
 * crm_project_release), otherwise prints every problem found and returns the
 * exit code.
 */
int cli_open_project(struct crm_project *p, const struct cli *cli);

struct crm_reconcile_result;
/* Writes the reconcile report as one self-contained HTML page (mode 0600). */
int cli_reconcile_html(const struct crm_reconcile_result *res, const char *title, const char *path,
		       struct crm_error *err);

/*
 * Prints root on stdout as indented JSON in its own order (extra jansson
 * flags added); -1 when it cannot be rendered (out of memory).
 */
int cli_print_json(const json_t *root, size_t extra_flags);

/* Prints "crmshift: error: MSG" on stderr; returns the exit code for err. */
int cli_fail(const struct crm_error *err);
/* Prints a usage error and the command's usage line; returns CRM_EXIT_USAGE. */
int cli_usage(const char *usage, const char *fmt, ...) CRM_PRINTF(2, 3);
/* path shown relative to the project folder when it lies inside it. */
const char *cli_rel(const struct cli *cli, const char *path);
/*
 * Options of a command that takes only --help and --json: returns -1 when
 * the command should run, otherwise the exit code (help shown, usage error).
 */
int cli_simple_options(int argc, char **argv, struct cli *cli, const char *usage_text);

#endif
