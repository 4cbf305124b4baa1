/*
 * cmd-status.c: `crmshift status` tells what the state database knows: the
 * runs, the last run's summary and source snapshot, whether a final sync
 * froze the source, and per object the records it holds in the
 * cross-reference next to the rows in the target.
 */
#include "compat.h"
#include "cli.h"
#include "engine/project.h"
#include "state/session.h"
#include "model/config.h"
#include "state/state.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/limits.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] = "usage: crmshift [-C DIR] status [--json]\n";

/* The run's source snapshot: each export read, and the open pipeline when it was read. */
static json_t *source_snapshot(struct crm_state *state, int64_t run, struct crm_error *err)
{
	struct crm_source_file *files = NULL;
	struct crm_sales_stage *stages = NULL;
	size_t count = 0, stage_count = 0, i;
	json_t *arr, *pipeline;

	if (crm_state_source_files(state, run, &files, &count, err) ||
	    crm_state_sales_get(state, run, NULL, &stages, &stage_count, err)) {
		crm_free(files);
		return NULL;
	}
	arr = json_array();
	pipeline = json_array();
	for (i = 0; i < count; i++) {
		json_t *f = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:b}", "object", files[i].object, "path",
				      files[i].path, "size", (json_int_t)files[i].size, "records",
				      (json_int_t)files[i].records, "sha256", files[i].sha256, "taken_at",
				      files[i].taken_at, "forced", files[i].forced);
		/* an export reached through a symbolic link: where it was */
		if (files[i].resolved[0])
			json_object_set_new(f, "resolved", json_string(files[i].resolved));
		json_array_append_new(arr, f);
	}
	for (i = 0; i < stage_count; i++)
		json_array_append_new(pipeline, json_pack("{s:s, s:I, s:f, s:s, s:s}", "stage", stages[i].stage, "open",
							  (json_int_t)stages[i].records, "amount", stages[i].amount,
							  "first_close", stages[i].first_close, "last_close",
							  stages[i].last_close));
	crm_free(files);
	crm_state_sales_free(stages, stage_count);
	return json_pack("{s:I, s:o, s:o}", "run", (json_int_t)run, "files", arr, "open_pipeline", pipeline);
}

static void print_source_snapshot(const json_t *snap)
{
	const json_t *files = json_object_get(snap, "files"), *pipeline = json_object_get(snap, "open_pipeline");
	size_t i;

	if (!json_array_size(files))
		return;
	printf("\nsource snapshot of run %lld:\n", (long long)json_integer_value(json_object_get(snap, "run")));
	printf("  %-40s %12s %10s  %s\n", "export", "bytes", "records", "SHA-256");
	for (i = 0; i < json_array_size(files); i++) {
		const json_t *f = json_array_get(files, i);
		long long records = (long long)json_integer_value(json_object_get(f, "records"));
		printf("  %-40s %12lld ", json_string_value(json_object_get(f, "path")),
		       (long long)json_integer_value(json_object_get(f, "size")));
		if (records < 0)
			printf("%10s", "-");
		else
			printf("%10lld", records);
		printf("  %.16s...%s\n", json_string_value(json_object_get(f, "sha256")),
		       json_is_true(json_object_get(f, "forced")) ? " (taken again under --force)" : "");
		if (json_object_get(f, "resolved"))
			printf("    a symbolic link to %s\n", json_string_value(json_object_get(f, "resolved")));
	}
	if (!json_array_size(pipeline))
		return;
	printf("  open pipeline: %-22s %6s %16s  %s\n", "stage", "open", "amount", "close dates");
	for (i = 0; i < json_array_size(pipeline); i++) {
		const json_t *st = json_array_get(pipeline, i);
		printf("                 %-22s %6lld %16.2f  %s .. %s\n",
		       json_string_value(json_object_get(st, "stage")),
		       (long long)json_integer_value(json_object_get(st, "open")),
		       json_real_value(json_object_get(st, "amount")),
		       json_string_value(json_object_get(st, "first_close")),
		       json_string_value(json_object_get(st, "last_close")));
	}
}

int cmd_status(int argc, char **argv, struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	struct crm_session session = {NULL, NULL};
	struct crm_state *state = NULL;
	struct crm_run_info last, final;
	struct crm_drill_record drill;
	struct crm_buf summary;
	char path[4096];
	int64_t runs = 0;
	json_t *root = NULL, *objects = NULL, *snap;
	size_t i;
	int rc, have_last, frozen, drilled;

	rc = cli_simple_options(argc, argv, cli, usage_text);
	if (rc >= 0)
		return rc;
	if (crm_config_load(&cfg, cli->dir, &err))
		return cli_fail(&err);
	snprintf(path, sizeof(path), "%s/.crmshift/state.db", cfg.dir);
	crm_buf_init(&summary, CRM_MAX_RUN_JSON);
	rc = crm_session_open(cfg.target_url, cfg.dir, path, 0, 0, &session, &err);
	if (rc > 0) {
		if (cli->json)
			printf("{\"runs\": 0, \"objects\": []}\n");
		else
			printf("no migration has run in '%s' yet ('crmshift migrate' starts one)\n", cli->dir);
		crm_buf_release(&summary);
		crm_config_release(&cfg);
		return CRM_EXIT_OK;
	}
	state = session.state;
	if (rc || crm_state_run_count(state, &runs, &err))
		goto out;
	rc = crm_state_run_last(state, &last, &err);
	if (rc < 0)
		goto out;
	have_last = rc == 1;
	root = json_object();
	objects = json_array();
	json_object_set_new(root, "runs", json_integer(runs));
	if (have_last) {
		json_object_set_new(root, "last_run",
				    json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)last.id, "command",
					      last.command, "status", crm_run_status_name(last.status), "started_at",
					      last.started_at, "finished_at", last.finished_at));
		if (crm_state_run_summary(state, last.id, &summary, &err) < 0)
			goto out;
		snap = source_snapshot(state, last.id, &err);
		if (!snap)
			goto out;
		json_object_set_new(root, "source_snapshot", snap);
	}
	rc = crm_state_run_final(state, &final, &err);
	if (rc < 0)
		goto out;
	frozen = rc == 1;
	json_object_set_new(
		root, "frozen_by",
		frozen ? json_pack("{s:I, s:s}", "run", (json_int_t) final.id, "finished_at", final.finished_at)
		       : json_null());
	drilled = crm_state_drill_last(state, &drill, &err);
	if (drilled < 0)
		goto out;
	json_object_set_new(root, "last_drill",
			    drilled ? json_pack("{s:I, s:s, s:b, s:b, s:b, s:f, s:f, s:f, s:f, s:f, s:I, s:I}", "id",
						(json_int_t)drill.id, "finished_at", drill.finished_at, "passed",
						drill.passed, "identical", drill.identical, "go", drill.go,
						"window_seconds", drill.window_seconds, "copy_seconds",
						drill.copy_seconds, "migrate_seconds", drill.migrate_seconds,
						"reconcile_seconds", drill.reconcile_seconds, "rollback_seconds",
						drill.rollback_seconds, "rows_written", (json_int_t)drill.rows_written,
						"live_runs", (json_int_t)drill.live_runs)
				    : json_null());
	for (i = 0; i < cfg.object_count; i++) {
		int64_t known = 0, rows = 0, key;
		char watermark[48];
		rc = crm_state_object_key(state, cfg.objects[i].name, cfg.objects[i].target, 0, &key, &err);
		if (rc < 0 || (rc == 1 && crm_state_xref_count(state, key, &known, &err)) ||
		    session.store->ops->count(session.store, cfg.objects[i].target, &rows, &err))
			goto out;
		if (crm_state_watermark_get(state, cfg.objects[i].name, watermark, sizeof(watermark), &err) < 0)
			goto out;
		json_array_append_new(objects,
				      json_pack("{s:s, s:s, s:I, s:I, s:s}", "object", cfg.objects[i].name, "table",
						cfg.objects[i].target, "known_records", (json_int_t)known,
						"target_rows", (json_int_t)rows, "watermark", watermark));
	}
	json_object_set_new(root, "objects", objects);
	objects = NULL;
	if (cli->json) {
		cli_print_json(root, 0);
	} else {
		json_t *arr = json_object_get(root, "objects");
		printf("project '%s': %lld run%s; target %s\n", cfg.name ? cfg.name : cli->dir, (long long)runs,
		       runs == 1 ? "" : "s", cfg.target_url);
		if (have_last)
			printf("last run: %lld, %s, started %s%s%s\n", (long long)last.id,
			       crm_run_status_name(last.status), last.started_at,
			       last.finished_at[0] ? ", finished " : "", last.finished_at);
		if (have_last && last.status == CRM_RUN_RUNNING)
			printf("  it did not finish: %s\n",
			       strcmp(last.command, "migrate") == 0
				       ? "'crmshift migrate --resume' completes it"
				       : "running 'crmshift sync' again applies the rest once");
		if (drilled)
			printf("last drill: %lld, %s, %s: rollback %.2f s %s of a %.0f s window, the copy %s\n",
			       (long long)drill.id, drill.finished_at, drill.passed ? "passed" : "FAILED",
			       drill.rollback_seconds, drill.live_runs ? "(of the load)" : "(of the next run)",
			       drill.window_seconds, drill.identical ? "identical to before" : "DIFFERING from before");
		else
			printf("no drill yet: 'crmshift drill' rehearses the cutover and measures the rollback\n");
		if (frozen)
			printf("frozen: the final sync (run %lld, %s) froze the source; runs refuse exports that "
			       "differ from what it read\n",
			       (long long) final.id, final.finished_at);
		printf("\n%-24s %-20s %14s %12s  %s\n", "object", "table", "known records", "target rows",
		       "sync watermark");
		for (i = 0; i < json_array_size(arr); i++) {
			json_t *o = json_array_get(arr, i);
			long long rows = (long long)json_integer_value(json_object_get(o, "target_rows"));
			printf("%-24s %-20s %14lld ", json_string_value(json_object_get(o, "object")),
			       json_string_value(json_object_get(o, "table")),
			       (long long)json_integer_value(json_object_get(o, "known_records")));
			if (rows < 0)
				printf("%12s", "(no table)");
			else
				printf("%12lld", rows);
			printf("  %s\n", json_string_value(json_object_get(o, "watermark")));
		}
		if (have_last)
			print_source_snapshot(json_object_get(root, "source_snapshot"));
	}
out:
	json_decref(objects);
	json_decref(root);
	crm_buf_release(&summary);
	crm_session_close(&session);
	crm_config_release(&cfg);
	return err.code ? cli_fail(&err) : CRM_EXIT_OK;
}
