/*
 * main.c: the crmshift program. It reads the global options (-C DIR,
 * --json, --help, --version), finds the subcommand in one static table and
 * hands over the rest of argv (git's git.c and commands[]).
 */
#include "compat.h"
#include "cli.h"
#include "engine/project.h"
#include "transform/datetime.h"
#include "util/path.h"

#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <sys/auxv.h>
#endif

#define CRMSHIFT_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli *cli);
	const char *summary;
};

static const struct command commands[] = {
	{"init", cmd_init, "scaffold a migration project"},
	{"profile", cmd_profile, "what the exports hold, before anything moves: types, formats, dirt, duplicates"},
	{"plan", cmd_plan, "check config, mapping and exports without writing; print the load order"},
	{"migrate", cmd_migrate, "load the exports into the target (--dry-run for a shadow import)"},
	{"reconcile", cmd_reconcile, "source against target; the rollback triggers' verdict, GO or NO-GO"},
	{"sync", cmd_sync, "apply what changed in the source since: new exports or a change stream"},
	{"rollback", cmd_rollback, "return the target to its state before a run; export what users changed since"},
	{"drill", cmd_drill, "rehearse the cutover on a copy: is the rollback identical, within the window"},
	{"runbook", cmd_runbook, "the rollback plan from the project: people, triggers, steps, scripts, checklist"},
	{"status", cmd_status, "runs, counts and what the state database knows"},
	{"audit", cmd_audit, "the audit log: verify, show; signed evidence packs: write, verify"},
	{"keys", cmd_keys, "generate the keys that sign evidence and protect personal data; rotate"},
	{"decrypt", cmd_decrypt, "the plain text of a file crmshift encrypted at rest"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: crmshift [-C DIR] [--json] [--actor NAME] <command> [options]\n\ncommands:\n");
	for (i = 0; i < CRM_ARRAY_COUNT(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'crmshift <command> --help' describes a command.\n"
		     "exit codes: 0 ok, 1 input error, 2 usage error, 3 NO-GO, 4 refused, 5 I/O or internal failure\n");
}

static char last_error[CRM_ERROR_MSG_MAX];

const char *cli_last_error(void)
{
	return last_error;
}

int cli_fail(const struct crm_error *err)
{
	snprintf(last_error, sizeof(last_error), "%s", err->msg[0] ? err->msg : "unknown failure");
	fprintf(stderr, "crmshift: error: %s\n", last_error);
	return crm_error_exit_code(err->code ? err->code : CRM_EINTERNAL);
}

int cli_usage(const char *usage_line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "crmshift: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_line);
	return CRM_EXIT_USAGE;
}

const char *cli_rel(const struct cli *cli, const char *path)
{
	return crm_path_relative(cli->dir, path);
}

int cli_open_project(struct crm_project *p, const struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	size_t i;

	if (!crm_project_open(p, cli->dir, &err)) {
		/* the keys the command will use, by id: key use is on record */
		if (cli->audit && p->pseudonym_key.id[0])
			json_object_set_new(cli->audit, "pseudonymize_key", json_string(p->pseudonym_key.id));
		if (cli->audit && p->data_key.id[0])
			json_object_set_new(cli->audit, "seal_key", json_string(p->data_key.id));
		return -1;
	}
	if (!p->diags.count) {
		crm_project_release(p);
		return cli_fail(&err);
	}
	/* every problem at once; err holds the first of them */
	for (i = 0; i < p->diags.count; i++)
		fprintf(stderr, "crmshift: error: %s\n", p->diags.msgs[i]);
	fprintf(stderr, "crmshift: %zu problem%s to fix before anything can be loaded\n", p->diags.count,
		p->diags.count == 1 ? "" : "s");
	crm_project_release(p);
	return crm_error_exit_code(err.code);
}

int cli_print_json(const json_t *root, size_t extra_flags)
{
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | extra_flags) : NULL;

	if (!text)
		return -1;
	puts(text);
	free(text);
	return 0;
}

int cli_help_json_options(int argc, char **argv, struct cli *cli, const char *usage_text)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c != 'j')
			return cli_usage(usage_text, "%s: unknown option '%s'", argv[0], argv[optind - 1]);
		cli->json = 1;
	}
	return -1;
}

int cli_simple_options(int argc, char **argv, struct cli *cli, const char *usage_text)
{
	int rc = cli_help_json_options(argc, argv, cli, usage_text);

	if (rc >= 0)
		return rc;
	if (optind != argc)
		return cli_usage(usage_text, "%s: unexpected argument '%s'", argv[0], argv[optind]);
	return -1;
}

int cli_report_options(int argc, char **argv, struct cli *cli, const char *usage_text, const char **html,
		       const char **objects)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"json", no_argument, NULL, 'j'},
					     {"html", required_argument, NULL, 'H'},
					     {"objects", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c == 'j')
			cli->json = 1;
		else if (c == 'H')
			*html = optarg;
		else if (c == 'o')
			*objects = optarg;
		else
			return cli_usage(usage_text, "%s: unknown option '%s'", argv[0], argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage(usage_text, "%s: unexpected argument '%s'", argv[0], argv[optind]);
	return -1;
}

/* Who acts, for the audit log: --actor, then $CRMSHIFT_ACTOR, then user@host. */
static const char *default_actor(char *buf, size_t cap)
{
	const char *env = getenv("CRMSHIFT_ACTOR");
	struct passwd *pw;
	char host[256] = "localhost";

	if (env && *env)
		return env;
	pw = getpwuid(geteuid());
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, cap, "%s@%s", pw ? pw->pw_name : "unknown", host);
	return buf;
}

/* The command line as typed, for the audit log (cut at cap). */
static void join_args(int argc, char **argv, char *out, size_t cap)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	/* the program as "crmshift", wherever it was run from */
	for (i = 0; i < argc && used + 1 < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", i ? argv[i] : "crmshift");
}

int cli_lock_project(struct cli *cli, const char *what)
{
	struct crm_error err = CRM_ERROR_INIT;
	char dir[4096], path[4096], holder[1024], now[CRM_DT_MAX];

	crm_dt_now(NULL, now);
	snprintf(holder, sizeof(holder), "crmshift %s (pid %ld, by %s, since %s)", what, (long)getpid(), cli->actor,
		 now);
	if (crm_path_format(dir, sizeof(dir), &err, "%s/.crmshift", cli->dir) || crm_mkdir_private(dir, &err) ||
	    crm_path_format(path, sizeof(path), &err, "%s/lock", dir))
		return cli_fail(&err);
	if (crm_lockfile_take(&cli->lock, path, holder, &err)) {
		if (err.code == CRM_EREFUSED) {
			struct crm_error busy = CRM_ERROR_INIT;
			crm_error_set(&busy, CRM_EREFUSED,
				      "another command is acting on this project: %s; one of migrate, sync, rollback "
				      "and keys rotate at a time: wait for it to end, then run this again",
				      err.msg);
			return cli_fail(&busy);
		}
		return cli_fail(&err);
	}
	if (cli->lock.left_by[0])
		fprintf(stderr,
			"crmshift: note: took over the project lock from %s, which stopped without releasing it\n",
			cli->lock.left_by);
	return -1;
}

/*
 * glibc's malloc asks the kernel for transparent huge pages when the
 * tunable glibc.malloc.hugetlb is 1: a page fault then maps 2 MiB, not
 * 4 KiB. crmshift fills large page caches and id tables once each, so it
 * spends much of its system time taking faults (a sync of 12k of 1M
 * contacts: 26,600 faults, 1.35 s; with the tunable 4,300 and 1.17 s; a
 * first load 72,000 -> 8,000). glibc reads tunables only as a process
 * starts: crmshift sets it and runs itself again (the file
 * /proc/self/exe names), once, before anything else. A GLIBC_TUNABLES
 * already set is the user's and left alone (GLIBC_TUNABLES=
 * glibc.malloc.hugetlb=0 turns this off); without /proc it runs on as it
 * is.
 */
static void use_huge_pages(char **argv)
{
#ifdef __GLIBC__
	char self[PATH_MAX];
	ssize_t len;

	/* a set-user-ID start: the loader drops GLIBC_TUNABLES, and would again */
	if (getauxval(AT_SECURE) || getenv("GLIBC_TUNABLES") ||
	    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0)
		return;
	len = readlink("/proc/self/exe", self, sizeof(self));
	/* by its own path: the process keeps its name (pgrep crmshift), not "exe" */
	if (len > 0 && (size_t)len < sizeof(self)) {
		self[len] = '\0';
		execv(self, argv);
	}
	unsetenv("GLIBC_TUNABLES");
#else
	(void)argv;
#endif
}

int main(int argc, char **argv)
{
	struct cli cli;
	char actor[512], command[2048];
	int i = 1;
	size_t c;

	use_huge_pages(argv);
	cli_output_install();
	memset(&cli, 0, sizeof(cli));
	cli.lock.fd = -1;
	cli.dir = ".";
	cli.tty = isatty(2);
	cli.actor = default_actor(actor, sizeof(actor));
	join_args(argc, argv, command, sizeof(command));
	cli.command = command;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "crmshift: error: -C needs a folder\n");
				return CRM_EXIT_USAGE;
			}
			cli.dir = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--json") == 0) {
			cli.json = 1;
			i++;
		} else if (strcmp(argv[i], "--actor") == 0) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "crmshift: error: --actor needs a name\n");
				return CRM_EXIT_USAGE;
			}
			cli.actor = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CRM_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("crmshift %s\n", CRMSHIFT_VERSION);
			return CRM_EXIT_OK;
		} else {
			fprintf(stderr, "crmshift: error: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return CRM_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CRM_EXIT_USAGE;
	}
	for (c = 0; c < CRM_ARRAY_COUNT(commands); c++)
		if (strcmp(commands[c].name, argv[i]) == 0) {
			int rc;
			cli.action = commands[c].name;
			rc = cli_audit_finish(&cli, commands[c].fn(argc - i, argv + i, &cli));
			crm_lockfile_release(&cli.lock);
			return rc;
		}
	fprintf(stderr, "crmshift: error: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return CRM_EXIT_USAGE;
}
