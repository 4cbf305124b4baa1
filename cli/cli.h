/*
 * cli.h: what the subcommands share: the global options, printing errors
 * and the project-relative display of paths. Only cli/ prints and exits.
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include "compat.h"
#include "util/error.h"
#include "util/lockfile.h"

#include <jansson.h>
#include <stdio.h>

struct cli {
	const char *dir;     /* the project folder (-C), "." by default */
	int json;	     /* --json given before the command */
	int tty;	     /* stderr is a terminal: progress may be drawn */
	const char *actor;   /* --actor, $CRMSHIFT_ACTOR, or user@host */
	const char *command; /* the command line as given, for the audit log */
	const char *action;  /* the command's name */
	/*
	 * The audit entry of the command, once it starts to act (NULL until
	 * then: help and usage errors are not logged), and entries before it
	 * (per object); main() appends them all when the command returns.
	 */
	json_t *audit;
	json_t *audit_objects;
	const char *audit_dir;	  /* where the log is: the project folder (init: the new one) */
	struct crm_lockfile lock; /* the project lock of an acting command, released by main() */
};

int cmd_init(int argc, char **argv, struct cli *cli);
int cmd_plan(int argc, char **argv, struct cli *cli);
int cmd_migrate(int argc, char **argv, struct cli *cli);
int cmd_status(int argc, char **argv, struct cli *cli);
int cmd_reconcile(int argc, char **argv, struct cli *cli);
int cmd_rollback(int argc, char **argv, struct cli *cli);
int cmd_drill(int argc, char **argv, struct cli *cli);
int cmd_runbook(int argc, char **argv, struct cli *cli);
int cmd_sync(int argc, char **argv, struct cli *cli);
int cmd_audit(int argc, char **argv, struct cli *cli);
int cmd_keys(int argc, char **argv, struct cli *cli);
int cmd_decrypt(int argc, char **argv, struct cli *cli);
int cmd_profile(int argc, char **argv, struct cli *cli);

struct crm_migrate_options;
/* Runs migrate's load (or a sync's) and prints what it did; the exit code (cmd-migrate.c). */
int cli_run_load(struct cli *cli, struct crm_migrate_options *opt);

struct crm_project;
/*
 * Opens the project in cli->dir. Returns -1 when it is open (release it with
 * crm_project_release), otherwise prints every problem found and returns the
 * exit code.
 */
int cli_open_project(struct crm_project *p, const struct cli *cli);

/*
 * Takes the project lock (.crmshift/lock) for an acting command, what
 * ("migrate", "keys rotate"): one at a time on a project. Returns -1 when
 * taken (main() releases it), otherwise prints why not (another command
 * holds it: exit 4) and returns the exit code. A lock left by a command
 * that stopped is taken over, with a note.
 */
int cli_lock_project(struct cli *cli, const char *what);

struct crm_reconcile_result;
/* Writes the reconcile report as one self-contained HTML page (mode 0600). */
int cli_reconcile_html(const struct crm_reconcile_result *res, const char *title, const char *path,
		       struct crm_error *err);

/* Writes s with HTML's special characters escaped. */
void cli_html_escape(FILE *out, const char *s);
/* Creates (or empties) an HTML report at path, mode 0600; NULL with err set. */
FILE *cli_html_create(const char *path, struct crm_error *err);
/* The runbook's Markdown (engine/runbook.h) as an HTML page that prints well, at path (0600). */
int cli_runbook_html(const char *md, const char *path, struct crm_error *err);

struct crm_profile;
/* Writes the profile report as one self-contained HTML page with charts (mode 0600). */
int cli_profile_html(const struct crm_profile *prof, const char *title, const char *path, struct crm_error *err);

/*
 * Prints root on stdout as indented JSON in its own order (extra jansson
 * flags added); -1 when it cannot be rendered (out of memory).
 */
int cli_print_json(const json_t *root, size_t extra_flags);

/*
 * Replaces stdout and stderr with streams that show every control
 * character but newline and tab escaped (terminal.c); main() calls it first.
 */
void cli_output_install(void);
/* The unescaped stderr, for the progress bar's \r only: never data. */
FILE *cli_progress_stream(void);

/* Prints "crmshift: error: MSG" on stderr; returns the exit code for err. */
int cli_fail(const struct crm_error *err);
/* The message cli_fail printed last ("" when none): a refusal's reason goes into the audit log. */
const char *cli_last_error(void);

/* The command starts to act on the project in dir: it will be in the audit log. */
void cli_audit_begin(struct cli *cli, const char *dir);
/* Adds an entry before the command's own (one per object of a run), taking fields. */
void cli_audit_object(struct cli *cli, json_t *fields);
/*
 * Appends the command's entries to the audit log with its result (from rc
 * unless the command set "result"); returns rc, or a failure's exit code
 * when the log cannot be written.
 */
int cli_audit_finish(struct cli *cli, int rc);
/* Appends an entry of fields (taken) now, with the actor, command and project files; the log's error. */
int cli_audit_now(struct cli *cli, json_t *fields, struct crm_error *err);
/* The "inputs" of an entry: each path with its SHA-256 (files that cannot be read are left out). */
void cli_audit_input(json_t *fields, const char *shown, const char *path);
/* The same with a SHA-256 already taken (hex). */
void cli_audit_input_hashed(json_t *fields, const char *shown, const char *sha256);
/* Prints a usage error and the command's usage line; returns CRM_EXIT_USAGE. */
int cli_usage(const char *usage, const char *fmt, ...) CRM_PRINTF(2, 3);
/* path shown relative to the project folder when it lies inside it. */
const char *cli_rel(const struct cli *cli, const char *path);
/*
 * Options of a command that takes only --help and --json: returns -1 when
 * the command should run, otherwise the exit code (help shown, usage error).
 */
int cli_simple_options(int argc, char **argv, struct cli *cli, const char *usage_text);
/* The same, leaving the operands (from optind on) to the command. */
int cli_help_json_options(int argc, char **argv, struct cli *cli, const char *usage_text);
/*
 * Options of a report command (profile, reconcile): --help, --json,
 * --html FILE and --objects LIST, and no operand. *html and *objects are
 * set when given (pointing into argv). Returns as cli_simple_options.
 */
int cli_report_options(int argc, char **argv, struct cli *cli, const char *usage_text, const char **html,
		       const char **objects);

#endif
