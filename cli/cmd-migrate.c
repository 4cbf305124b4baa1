/*
 * cmd-migrate.c: `crmshift migrate` loads the exports into the target and
 * prints, per object, what happened to every record read: inserted,
 * updated, unchanged, rejected, orphaned; then the first rejects and
 * orphans with their reasons, and where the full reports are. The load
 * and its summary serve `crmshift sync` too (cmd-sync.c: cli_run_load).
 */
#include "compat.h"
#include "cli.h"
#include "engine/migrate.h"
#include "engine/project.h"
#include "util/alloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] migrate [--dry-run] [--sample PCT] [--objects LIST] [--json]\n"
	"       crmshift [-C DIR] migrate --resume [--force] [--json]\n"
	"\n"
	"  --dry-run        shadow import: the whole run against the target, rolled back at the end\n"
	"  --sample PCT     a deterministic PCT% of the records, with the parents they need\n"
	"  --objects LIST   only these source objects (comma-separated), in load order\n"
	"  --resume         finish the last run, which was interrupted, where it stopped\n"
	"  --force          read exports that changed after the run's snapshot (or after the final sync\n"
	"                   froze the source) as they are now, instead of refusing (exit 4)\n"
	"  --json           print the summary as JSON\n"
	"\n"
	"Every run first records each export's size, time and SHA-256 (the source snapshot). A resumed\n"
	"run, and every run after 'sync --final', refuses exports that differ from their snapshot.\n";

static void progress(void *ctx, const char *object, int pass, uint64_t done, uint64_t total)
{
	int width = 30, filled = total ? (int)((double)done / (double)total * width) : width;
	FILE *tty = cli_progress_stream(); /* draws with \r; the object name is the project's own */

	(void)ctx;
	if (filled > width)
		filled = width;
	fprintf(tty, "\r  %-24s %s [%.*s%*s] %3d%%", object, pass == 1 ? "load" : "link", filled,
		"##############################", width - filled, "",
		total ? (int)(100.0 * (double)done / (double)total) : 100);
	if (done >= total)
		fprintf(tty, "\r%*s\r", 70, "");
	fflush(tty);
}

static int parse_pct(const char *text, double *pct)
{
	char *end;

	errno = 0;
	*pct = strtod(text, &end);
	if (*end == '%')
		end++;
	return errno || end == text || *end || !(*pct > 0) || *pct > 100 ? -1 : 0;
}

static void print_row(const struct crm_counts *c, const char *object, const char *table, int sync)
{
	printf("%-24s %-20s %9lld %9lld %9lld %9lld %9lld %9lld", object, table, (long long)c->read,
	       (long long)c->inserted, (long long)c->updated, (long long)c->unchanged, (long long)c->rejected,
	       (long long)c->orphaned);
	if (sync)
		printf(" %9lld %9lld %9lld", (long long)c->deleted, (long long)c->conflicts, (long long)c->skipped);
	putchar('\n');
}

static void print_summary(const struct cli *cli, const struct crm_migrate_result *res, int dry_run)
{
	struct crm_counts total = {0};
	size_t i;

	printf("%s run %lld into %s%s%s\n\n",
	       dry_run	   ? "dry run (nothing kept):"
	       : res->sync ? "sync:"
			   : "migrate:",
	       (long long)res->run_id, res->target, res->resumed ? " (resumed)" : "",
	       res->previewed ? " (previewed in one transaction, rolled back at the end)" : "");
	if (res->events_applied || res->events_skipped)
		printf("events: %lld applied, %lld skipped (applied by an earlier sync)\n\n",
		       (long long)res->events_applied, (long long)res->events_skipped);
	if (res->interrupted_run)
		printf("note: run %lld had been interrupted; it is closed, and this run loads what it had not\n\n",
		       (long long)res->interrupted_run);
	printf("%-24s %-20s %9s %9s %9s %9s %9s %9s", "object", "table", "read", "inserted", "updated", "unchanged",
	       "rejected", "orphaned");
	if (res->sync)
		printf(" %9s %9s %9s", "deleted", "conflicts", "skipped");
	putchar('\n');
	for (i = 0; i < res->count; i++) {
		const struct crm_object_result *o = &res->objects[i];
		if (o->no_file)
			printf("%-24s %-20s (no file in --from: left as it is)\n", o->object, o->table);
		if (!o->selected)
			continue;
		print_row(&o->counts, o->object, o->table, res->sync);
		total.read += o->counts.read;
		total.inserted += o->counts.inserted;
		total.updated += o->counts.updated;
		total.unchanged += o->counts.unchanged;
		total.rejected += o->counts.rejected;
		total.orphaned += o->counts.orphaned;
		total.deleted += o->counts.deleted;
		total.conflicts += o->counts.conflicts;
		total.skipped += o->counts.skipped;
	}
	print_row(&total, "total", "", res->sync);
	if (res->conflict_rows) {
		printf("\nconflicts: %lld record%s changed in the source and edited in the target since crmshift wrote "
		       "%s; in %s\n",
		       (long long)res->conflict_rows, res->conflict_rows == 1 ? "" : "s",
		       res->conflict_rows == 1 ? "it" : "them", cli_rel(cli, res->conflicts_path));
	}
	if (res->reject_rows) {
		printf("\nrejected: %lld record%s not loaded; %lld reason%s in %s\n", (long long)total.rejected,
		       total.rejected == 1 ? "" : "s", (long long)res->reject_rows, res->reject_rows == 1 ? "" : "s",
		       cli_rel(cli, res->rejects_path));
		for (i = 0; i < res->reject_examples && i < 12; i++) {
			const struct crm_report_example *ex = &res->rejects[i];
			printf("  %s %s (line %lu) %s: %s: %s\n", ex->object,
			       ex->source_id[0] ? ex->source_id : "(no id)", ex->line,
			       ex->field[0] ? ex->field : "record", ex->rule, ex->reason);
		}
		if (res->reject_rows > 12)
			printf("  ... and %lld more in the report\n", (long long)(res->reject_rows - 12));
	}
	if (res->blanked_rows) {
		printf("\nfields blanked: %lld value%s left empty, %s record%s loaded without %s (on_invalid = blank); "
		       "in %s\n",
		       (long long)res->blanked_rows, res->blanked_rows == 1 ? "" : "s",
		       res->blanked_rows == 1 ? "its" : "their", res->blanked_rows == 1 ? "" : "s",
		       res->blanked_rows == 1 ? "it" : "them", cli_rel(cli, res->rejects_path));
		for (i = 0; i < res->blank_examples && i < 12; i++) {
			const struct crm_report_example *ex = &res->blanks[i];
			printf("  %s %s (line %lu) %s: %s: %s\n", ex->object, ex->source_id, ex->line, ex->field,
			       ex->rule, ex->reason);
		}
		if (res->blanked_rows > 12)
			printf("  ... and %lld more in the report\n", (long long)(res->blanked_rows - 12));
	}
	if (res->orphan_rows) {
		printf("\norphaned: %lld reference%s to a parent that is not loaded (never invented); in %s\n",
		       (long long)res->orphan_rows, res->orphan_rows == 1 ? "" : "s", cli_rel(cli, res->orphans_path));
		for (i = 0; i < res->orphan_examples && i < 12; i++) {
			const struct crm_report_example *ex = &res->orphans[i];
			printf("  %s %s (line %lu) %s: %s\n", ex->object, ex->source_id, ex->line, ex->field,
			       ex->reason);
		}
		if (res->orphan_rows > 12)
			printf("  ... and %lld more in the report\n", (long long)(res->orphan_rows - 12));
	}
	if (res->owners_path[0]) {
		int64_t others = res->owner_records[CRM_OWNER_UNKNOWN] + res->owner_records[CRM_OWNER_INACTIVE];
		printf("\nowners: %lld source user%s; %lld record%s mapped to their owner, %lld not (%lld of an "
		       "unknown "
		       "user, %lld of an inactive one): %lld given the default, %lld rejected without one; in %s\n",
		       (long long)res->owner_users, res->owner_users == 1 ? "" : "s",
		       (long long)res->owner_records[CRM_OWNER_MAPPED],
		       res->owner_records[CRM_OWNER_MAPPED] == 1 ? "" : "s", (long long)others,
		       (long long)res->owner_records[CRM_OWNER_UNKNOWN],
		       (long long)res->owner_records[CRM_OWNER_INACTIVE], (long long)(others - res->owner_rejected),
		       (long long)res->owner_rejected, cli_rel(cli, res->owners_path));
	}
	if (res->merges_path[0])
		printf("\npeople entered more than once ([dedupe]): %lld; %lld record%s merged into their survivor's "
		       "row; in %s\n",
		       (long long)res->merge_groups, (long long)res->merged, res->merged == 1 ? "" : "s",
		       cli_rel(cli, res->merges_path));
	if (res->forced[0])
		printf("\nnote: --force: read as they are now, although they changed after their snapshot:%s\n",
		       res->forced);
	printf("\n%s in %.2f s\n",
	       !dry_run		? "done"
	       : res->previewed ? "dry run done; every change was rolled back"
				: "dry run done; the throw-away target is removed",
	       res->seconds);
}

/*
 * The audit entries of a run: one per object (its counts, its export's
 * SHA-256 from the run's source snapshot) when it finished, then the run's
 * own.
 */
static void audit_run(struct cli *cli, const struct crm_project *p, const struct crm_migrate_result *res,
		      const struct crm_migrate_options *opt, int failed)
{
	size_t i, j;

	if (res->gates.checked) {
		/* the gate decision: what was recorded, what was missing, what was out of its region */
		json_t *gates = json_object();
		for (i = 0; i < CRM_GATE_COUNT; i++) {
			char text[512];
			snprintf(text, sizeof(text), "%s, %s",
				 p->cfg.gates.reference[i] ? p->cfg.gates.reference[i] : "", p->cfg.gates.date[i]);
			json_object_set_new(gates, crm_gate_key((enum crm_gate)i),
					    p->cfg.gates.reference[i] ? json_string(text) : json_null());
		}
		cli_audit_object(cli, json_pack("{s:s, s:s, s:b, s:o, s:s, s:s, s:s?}", "action", "gate", "result",
						res->gates.refused ? "refused" : "passed", "required",
						p->cfg.gates.required, "gates", gates, "missing", res->gates.missing,
						"outside_region", res->gates.outside, "region", p->cfg.region));
	}
	if (res->run_id)
		json_object_set_new(cli->audit, "run", json_integer(res->run_id));
	if (opt->dry_run)
		json_object_set_new(cli->audit, "dry_run", json_true());
	if (res->resumed)
		json_object_set_new(cli->audit, "resumed", json_true());
	if (res->forced[0])
		json_object_set_new(cli->audit, "forced", json_string(res->forced));
	for (i = 0; i < res->count; i++) {
		const struct crm_object_result *o = &res->objects[i];
		const struct crm_counts *c = &o->counts;
		json_t *entry;
		if (!o->selected || failed)
			continue;
		entry = json_pack("{s:s, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}", "object", o->object,
				  "run", (json_int_t)res->run_id, "counts", "read", (json_int_t)c->read, "inserted",
				  (json_int_t)c->inserted, "updated", (json_int_t)c->updated, "unchanged",
				  (json_int_t)c->unchanged, "rejected", (json_int_t)c->rejected, "orphaned",
				  (json_int_t)c->orphaned, "deleted", (json_int_t)c->deleted, "conflicts",
				  (json_int_t)c->conflicts, "skipped", (json_int_t)c->skipped);
		if (entry && c->blanked)
			json_object_set_new(json_object_get(entry, "counts"), "fields_blanked",
					    json_integer(c->blanked));
		for (j = 0; entry && j < res->source_count; j++)
			if (strcmp(res->sources[j].object, o->object) == 0)
				json_object_set_new(entry, "inputs",
						    json_pack("{s:s}", res->sources[j].path, res->sources[j].sha256));
		if (entry && opt->dry_run)
			json_object_set_new(entry, "dry_run", json_true());
		if (entry)
			cli_audit_object(cli, entry);
	}
	for (j = 0; j < res->source_count; j++)
		if (strcmp(res->sources[j].object, "events") == 0)
			json_object_set_new(cli->audit, "inputs",
					    json_pack("{s:s}", res->sources[j].path, res->sources[j].sha256));
}

/* The run's first entry in the audit log, before it writes: its end is the command's own entry. */
static int audit_start(void *ctx, int64_t run, int resumed, int dry_run, struct crm_error *err)
{
	json_t *fields = json_pack("{s:I, s:s, s:s}", "run", (json_int_t)run, "phase", "start", "result", "started");

	if (!fields)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (dry_run)
		json_object_set_new(fields, "dry_run", json_true());
	if (resumed)
		json_object_set_new(fields, "resumed", json_true());
	return cli_audit_now(ctx, fields, err);
}

/* Runs the load and prints what it did; the result's exit code. */
int cli_run_load(struct cli *cli, struct crm_migrate_options *opt)
{
	struct crm_migrate_result res;
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_project p;
	int rc;

	cli_audit_begin(cli, cli->dir);
	rc = cli_open_project(&p, cli);
	if (rc >= 0)
		return rc;
	rc = cli_lock_project(cli, opt->sync ? "sync" : "migrate");
	if (rc >= 0) {
		crm_project_release(&p);
		return rc;
	}
	if (cli->tty && !cli->json)
		opt->progress = progress;
	opt->started = audit_start;
	opt->started_ctx = cli;
	rc = crm_migrate(&p, opt, &res, &err);
	audit_run(cli, &p, &res, opt, rc != 0);
	if (rc) {
		/*
		 * A refusal explains itself; a failure leaves a run to continue. After
		 * an input error the same export would stop it again: it must be fixed
		 * first, and a resumed run reads a changed export only with --force.
		 */
		if (res.run_id && !opt->dry_run && rc != CRM_EREFUSED) {
			if (opt->sync)
				fprintf(stderr,
					"crmshift: sync run %lld stopped; what was committed stays, and running "
					"'crmshift sync' again applies the rest once%s\n",
					(long long)res.run_id,
					rc == CRM_EINPUT ? " (fix the input error below first)" : "");
			else if (rc == CRM_EINPUT)
				fprintf(stderr,
					"crmshift: run %lld stopped on the input error below; what was "
					"committed stays: fix the export, then 'crmshift migrate --resume "
					"--force' continues with it as corrected\n",
					(long long)res.run_id);
			else
				fprintf(stderr,
					"crmshift: run %lld stopped; what was committed stays, 'crmshift migrate "
					"--resume' continues it\n",
					(long long)res.run_id);
		}
		crm_migrate_result_release(&res);
		crm_project_release(&p);
		return cli_fail(&err);
	}
	if (cli->json) {
		char *text = crm_migrate_summary_json(&res, opt->dry_run);
		if (text)
			puts(text);
		crm_free(text);
	} else {
		print_summary(cli, &res, opt->dry_run);
	}
	crm_migrate_result_release(&res);
	crm_project_release(&p);
	return CRM_EXIT_OK;
}

int cmd_migrate(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},	  {"json", no_argument, NULL, 'j'},
		{"dry-run", no_argument, NULL, 'd'},	  {"resume", no_argument, NULL, 'r'},
		{"sample", required_argument, NULL, 's'}, {"objects", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'X'},	  {NULL, 0, NULL, 0}};
	struct crm_migrate_options opt;
	int c;

	memset(&opt, 0, sizeof(opt));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		case 'j':
			cli->json = 1;
			break;
		case 'd':
			opt.dry_run = 1;
			break;
		case 'r':
			opt.resume = 1;
			break;
		case 's':
			if (parse_pct(optarg, &opt.sample_pct))
				return cli_usage(usage_text,
						 "migrate: --sample takes a percentage above 0 and up to 100, not '%s'",
						 optarg);
			break;
		case 'o':
			opt.objects = optarg;
			break;
		case 'X':
			opt.force = 1;
			break;
		default:
			return cli_usage(usage_text, "migrate: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, "migrate: unexpected argument '%s'", argv[optind]);
	if (opt.resume && (opt.dry_run || opt.sample_pct > 0 || opt.objects))
		return cli_usage(usage_text,
				 "migrate: --resume continues the interrupted run with its own options; give it alone");
	return cli_run_load(cli, &opt);
}
