/*
 * cmd-rollback.c: `crmshift rollback [--run ID] [--verify-only]` reverts a
 * migrate run and says what it did, how long it took and whether the target
 * is now identical to its state before the run (exit 3 when it is not).
 */
#include "compat.h"
#include "cli.h"
#include "engine/project.h"
#include "engine/rollback.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] rollback [--run ID] [--verify-only] [--json]\n"
	"\n"
	"Returns the target to its state before a migrate run (by default the newest run not\n"
	"rolled back), after exporting what users edited or created in it since the load to\n"
	"reports/changed-since-cutover-RUN.csv. The run's sync watermarks go with it: the next\n"
	"sync applies again what the rollback undid. --verify-only compares the target with the\n"
	"run's pre-run snapshot and changes nothing. Exit 3 when the target differs from it.\n";

static void print_text(const struct crm_rollback_result *res, int verify_only, const struct cli *cli)
{
	size_t i;

	if (!verify_only) {
		printf("rollback of run %lld (it was %s)%s\n", (long long)res->run,
		       crm_run_status_name(res->run_status),
		       res->resumed ? ": completing an interrupted rollback" : "");
		if (res->export_path[0])
			printf("  changed since cutover: %lld edited, %lld created -> %s%s\n", (long long)res->edited,
			       (long long)res->created, cli_rel(cli, res->export_path),
			       res->edits_known ? ""
						: " (the run did not finish: edits to its rows cannot be told apart)");
		printf("  reverted: %lld inserted rows deleted, %lld updated rows restored, %lld rows created by "
		       "others removed\n",
		       (long long)res->deleted, (long long)res->restored, (long long)res->removed_others);
		if (res->unmerged)
			printf("  unmerged: %lld merged source id%s no longer name%s their survivor's row\n",
			       (long long)res->unmerged, res->unmerged == 1 ? "" : "s", res->unmerged == 1 ? "s" : "");
	}
	if (res->committed_nothing)
		printf("nothing to check: run %lld committed nothing (it stopped before its snapshot of the target, "
		       "and its ledger is empty)\n",
		       (long long)res->run);
	else
		printf("%s against the snapshot before run %lld:\n", verify_only ? "verify" : "check",
		       (long long)res->run);
	for (i = 0; i < res->diff_count; i++) {
		const struct crm_snapshot_diff *d = &res->diffs[i];
		printf("  %-24s %9lld rows then %9lld now", d->table, (long long)d->rows_then, (long long)d->rows_now);
		if (d->missing || d->extra || d->changed)
			printf("  DIFFERS: %lld missing, %lld extra, %lld changed", (long long)d->missing,
			       (long long)d->extra, (long long)d->changed);
		putchar('\n');
	}
	printf("%s in %.2f s\n",
	       res->identical ? "the target is identical to its state before the run"
			      : "the target DIFFERS from its state before the run",
	       res->seconds);
}

static json_t *to_json(const struct crm_rollback_result *res, int verify_only)
{
	json_t *root = json_object(), *tables = json_array();
	size_t i;

	for (i = 0; i < res->diff_count; i++) {
		const struct crm_snapshot_diff *d = &res->diffs[i];
		json_array_append_new(tables,
				      json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "table", d->table, "rows_before_run",
						(json_int_t)d->rows_then, "rows_now", (json_int_t)d->rows_now,
						"missing", (json_int_t)d->missing, "extra", (json_int_t)d->extra,
						"changed", (json_int_t)d->changed));
	}
	json_object_set_new(root, "run", json_integer(res->run));
	json_object_set_new(root, "verify_only", json_boolean(verify_only));
	if (!verify_only) {
		json_object_set_new(root, "run_status_before", json_string(crm_run_status_name(res->run_status)));
		json_object_set_new(root, "resumed", json_boolean(res->resumed));
		json_object_set_new(root, "changed_since_cutover",
				    json_pack("{s:s, s:I, s:I, s:b}", "file", res->export_path, "edited",
					      (json_int_t)res->edited, "created", (json_int_t)res->created,
					      "edits_known", res->edits_known));
		json_object_set_new(root, "deleted", json_integer(res->deleted));
		json_object_set_new(root, "restored", json_integer(res->restored));
		json_object_set_new(root, "removed_others", json_integer(res->removed_others));
		json_object_set_new(root, "unmerged", json_integer(res->unmerged));
	}
	json_object_set_new(root, "committed_nothing", json_boolean(res->committed_nothing));
	json_object_set_new(root, "tables", tables);
	json_object_set_new(root, "identical", json_boolean(res->identical));
	json_object_set_new(root, "seconds", json_real(res->seconds));
	return root;
}

/* The rollback's first entry in the audit log, before it reverts a row: its end is the command's own entry. */
static int audit_start(void *ctx, int64_t run, struct crm_error *err)
{
	json_t *fields = json_pack("{s:I, s:s, s:s}", "run", (json_int_t)run, "phase", "start", "result", "started");

	if (!fields)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return cli_audit_now(ctx, fields, err);
}

int cmd_rollback(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"json", no_argument, NULL, 'j'},
					     {"run", required_argument, NULL, 'r'},
					     {"verify-only", no_argument, NULL, 'v'},
					     {NULL, 0, NULL, 0}};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_rollback_options opt;
	struct crm_rollback_result res;
	struct crm_project p;
	char *end;
	int c, rc;

	memset(&opt, 0, sizeof(opt));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c == 'j') {
			cli->json = 1;
		} else if (c == 'v') {
			opt.verify_only = 1;
		} else if (c == 'r') {
			opt.run = strtoll(optarg, &end, 10);
			if (*end || opt.run <= 0)
				return cli_usage(usage_text, "rollback: --run takes a run id, not '%s'", optarg);
		} else {
			return cli_usage(usage_text, "rollback: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, "rollback: unexpected argument '%s'", argv[optind]);
	cli_audit_begin(cli, cli->dir);
	if (opt.verify_only)
		json_object_set_new(cli->audit, "verify_only", json_true());
	rc = cli_open_project(&p, cli);
	if (rc >= 0)
		return rc;
	/* --verify-only changes nothing: it may run beside an acting command */
	if (!opt.verify_only && (rc = cli_lock_project(cli, "rollback")) >= 0) {
		crm_project_release(&p);
		return rc;
	}
	opt.started = audit_start;
	opt.started_ctx = cli;
	if (crm_rollback(&p, &opt, &res, &err)) {
		crm_rollback_result_release(&res);
		crm_project_release(&p);
		return cli_fail(&err);
	}
	if (cli->json) {
		json_t *root = to_json(&res, opt.verify_only);
		cli_print_json(root, 0);
		json_decref(root);
	} else {
		print_text(&res, opt.verify_only, cli);
	}
	rc = res.identical ? CRM_EXIT_OK : CRM_EXIT_NOGO;
	json_object_set_new(cli->audit, "run", json_integer(res.run));
	json_object_set_new(cli->audit, "result", json_string(res.identical ? "identical" : "differs"));
	if (!opt.verify_only)
		json_object_set_new(cli->audit, "counts",
				    json_pack("{s:I, s:I, s:I, s:I, s:I}", "deleted", (json_int_t)res.deleted,
					      "restored", (json_int_t)res.restored, "removed_others",
					      (json_int_t)res.removed_others, "exported_edited", (json_int_t)res.edited,
					      "exported_created", (json_int_t)res.created));
	crm_rollback_result_release(&res);
	crm_project_release(&p);
	return rc;
}
