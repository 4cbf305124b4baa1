/*
 * cmd-drill.c: `crmshift drill [--live] [--window DURATION]` rehearses the
 * cutover on a copy of the target and says how long each step took and
 * whether the rollback fits the decision window (exit 3 when it does not,
 * or when it did not leave the copy as it was).
 */
#include "compat.h"
#include "cli.h"
#include "engine/drill.h"
#include "engine/project.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] drill [--live] [--window DURATION] [--json]\n"
	"\n"
	"Rehearses the cutover on a throw-away copy of the target and the state, never the real\n"
	"ones: migrate, reconcile, rollback, and the check that the rollback left the copy as it\n"
	"was, each step timed. --live rehearses rolling back what is loaded already instead:\n"
	"reconcile, then every run not rolled back, newest first. The drill passes when the copy\n"
	"is identical and the rollback took no longer than the decision window: --window (4h,\n"
	"90m, 1h30m, 3600s), else [policy] decision_window, else 4h. Kept in the state and the\n"
	"audit log; status shows the last. On PostgreSQL the copy is a database made from the\n"
	"target (CREATEDB, and no other session on the target). Exit 3 when the drill fails.\n";

static void print_text(const struct crm_drill_result *res)
{
	const struct crm_drill_record *d = &res->record;

	printf("drill on a throw-away copy of the target: %s\n", d->passed ? "PASSED" : "FAILED");
	printf("  copy       %8.2f s\n", d->copy_seconds);
	if (d->live_runs)
		printf("  migrate           -  skipped: the drill rolls back what is loaded\n");
	else
		printf("  migrate    %8.2f s  run %lld: %lld rows written, %lld records rejected\n", d->migrate_seconds,
		       (long long)res->run, (long long)d->rows_written, (long long)res->rejected);
	printf("  reconcile  %8.2f s  %s", d->reconcile_seconds, d->go ? "GO" : "NO-GO");
	if (res->triggers_fired)
		printf(": %zu trigger%s fired, first %s", res->triggers_fired, res->triggers_fired == 1 ? "" : "s",
		       res->first_trigger);
	printf("\n  rollback   %8.2f s  ", d->rollback_seconds);
	if (d->live_runs)
		printf("%lld run%s loaded, newest %lld, %lld rows reverted: ", (long long)d->live_runs,
		       d->live_runs == 1 ? "" : "s", (long long)res->run, (long long)d->rows_written);
	printf("%s\n", d->identical ? "the copy is identical to before" : "the copy DIFFERS from before");
	printf("decision window %.0f s: the rollback %s\n", d->window_seconds,
	       d->rollback_seconds <= d->window_seconds ? "fits" : "does NOT fit");
	if (!d->rows_written && !d->live_runs)
		printf("note: the drill's run wrote no rows (the target holds this load already), so its rollback "
		       "time says little of the cutover's: 'crmshift drill --live' times rolling back the load\n");
	if (res->recorded)
		printf("kept as drill %lld; 'crmshift status' shows the last drill\n", (long long)d->id);
	else
		printf("not kept in the state: the project has none yet (nothing has run); the audit log has it\n");
}

static json_t *to_json(const struct crm_drill_result *res)
{
	const struct crm_drill_record *d = &res->record;

	return json_pack("{s:b, s:I, s:s, s:s, s:f, s:{s:f, s:f, s:f, s:f}, s:I, s:I, s:I, s:b, s:I, s:b, s:b, s:b, "
			 "s:I}",
			 "passed", d->passed, "drill", (json_int_t)(res->recorded ? d->id : 0), "started_at",
			 d->started_at, "finished_at", d->finished_at, "window_seconds", d->window_seconds, "seconds",
			 "copy", d->copy_seconds, "migrate", d->migrate_seconds, "reconcile", d->reconcile_seconds,
			 "rollback", d->rollback_seconds, "run", (json_int_t)res->run, "rows_written",
			 (json_int_t)d->rows_written, "rejected", (json_int_t)res->rejected, "go", d->go,
			 "triggers_fired", (json_int_t)res->triggers_fired, "identical", d->identical, "recorded",
			 res->recorded, "window_fits", d->rollback_seconds <= d->window_seconds, "live_runs",
			 (json_int_t)d->live_runs);
}

int cmd_drill(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"json", no_argument, NULL, 'j'},
					     {"live", no_argument, NULL, 'l'},
					     {"window", required_argument, NULL, 'w'},
					     {NULL, 0, NULL, 0}};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_drill_options opt = {-1, 0};
	struct crm_drill_result res;
	struct crm_project p;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c == 'j')
			cli->json = 1;
		else if (c == 'l')
			opt.live = 1;
		else if (c == 'w') {
			if (crm_config_duration(optarg, &opt.window_seconds))
				return cli_usage(usage_text,
						 "drill: --window takes a duration (4h, 90m, 3600s), not '%s'", optarg);
		} else
			return cli_usage(usage_text, "drill: unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage(usage_text, "drill: unexpected argument '%s'", argv[optind]);
	cli_audit_begin(cli, cli->dir);
	rc = cli_open_project(&p, cli);
	if (rc >= 0)
		return rc;
	/* the copy is taken while nothing writes; and a drill is one at a time */
	if ((rc = cli_lock_project(cli, "drill")) >= 0) {
		crm_project_release(&p);
		return rc;
	}
	if (crm_drill(&p, &opt, &res, &err)) {
		crm_project_release(&p);
		return cli_fail(&err);
	}
	if (cli->json) {
		json_t *root = to_json(&res);
		cli_print_json(root, 0);
		json_decref(root);
	} else {
		print_text(&res);
	}
	json_object_set_new(cli->audit, "result", json_string(res.record.passed ? "passed" : "failed"));
	/* figures as text: entries hold no floating point, whose rendering differs between JSON tools */
	{
		const struct crm_drill_record *d = &res.record;
		char window[32], copy[32], migrate[32], reconcile[32], rollback[32];
		snprintf(window, sizeof(window), "%.0f s", d->window_seconds);
		snprintf(copy, sizeof(copy), "%.2f s", d->copy_seconds);
		snprintf(migrate, sizeof(migrate), "%.2f s", d->migrate_seconds);
		snprintf(reconcile, sizeof(reconcile), "%.2f s", d->reconcile_seconds);
		snprintf(rollback, sizeof(rollback), "%.2f s", d->rollback_seconds);
		json_object_set_new(cli->audit, "drill",
				    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:b}", "id",
					      (json_int_t)(res.recorded ? d->id : 0), "window", window, "copy", copy,
					      "migrate", migrate, "reconcile", reconcile, "rollback", rollback,
					      "rows_written", (json_int_t)d->rows_written, "live_runs",
					      (json_int_t)d->live_runs, "verdict", d->go ? "GO" : "NO-GO", "identical",
					      d->identical));
	}
	crm_project_release(&p);
	return res.record.passed ? CRM_EXIT_OK : CRM_EXIT_NOGO;
}
