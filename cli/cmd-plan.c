/*
 * cmd-plan.c: `crmshift plan` checks the project without writing: config,
 * mapping rules against the exports' headers and the canonical model, the
 * shape of every export record; it prints the load order.
 */
#include "compat.h"
#include "cli.h"
#include "engine/plan.h"
#include "engine/project.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] = "usage: crmshift [-C DIR] plan [--json]\n"
				 "\n"
				 "Checks crmshift.ini, mapping.csv and the export files without writing anything,\n"
				 "and prints the load order. Exit 1 when something must be fixed first.\n";

static int print_json(struct crm_project *p, const struct crm_plan *plan)
{
	json_t *root = json_object(), *order = json_array();
	size_t i, f;
	int rendered;

	for (i = 0; i < p->count; i++) {
		struct crm_project_object *o = &p->objects[p->order[i]];
		const struct crm_plan_object *po = &plan->objects[p->order[i]];
		json_t *refs = json_array(), *problems = json_array();
		for (f = 0; f < o->prog->field_count; f++)
			if (o->prog->fields[f].ref_object)
				json_array_append_new(refs, json_pack("{s:s, s:s, s:b}", "field",
								      o->prog->fields[f].target_field, "object",
								      o->prog->fields[f].ref_object, "deferred",
								      o->deferred[f]));
		for (f = 0; f < po->problem_count; f++)
			json_array_append_new(problems, json_string(po->problems[f] ? po->problems[f] : ""));
		json_array_append_new(order,
				      json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:s?}", "object",
						o->cfg->name, "table", o->cfg->target, "file", o->path, "encoding",
						o->encoding, "fields", (json_int_t)o->prog->field_count, "records",
						(json_int_t)po->records, "bad_records", (json_int_t)po->bad_records,
						"references", refs, "problems", problems, "fatal", po->fatal));
		if (po->ambiguous_keys)
			json_object_set_new(json_array_get(order, json_array_size(order) - 1), "ambiguous_keys",
					    json_string(po->ambiguous_keys));
	}
	json_object_set_new(root, "load_order", order);
	json_object_set_new(root, "ok", json_boolean(!plan->fatal));
	rendered = cli_print_json(root, 0);
	json_decref(root);
	if (rendered < 0)
		return CRM_EXIT_FAILURE;
	return plan->fatal ? CRM_EXIT_INPUT : CRM_EXIT_OK;
}

int cmd_plan(int argc, char **argv, struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_project p;
	struct crm_plan plan;
	int64_t bad = 0;
	size_t i, f;
	int rc;

	rc = cli_simple_options(argc, argv, cli, usage_text);
	if (rc >= 0)
		return rc;
	cli_audit_begin(cli, cli->dir);
	rc = cli_open_project(&p, cli);
	if (rc >= 0)
		return rc;
	if (crm_plan_scan(&plan, &p, &err)) {
		crm_project_release(&p);
		return cli_fail(&err);
	}
	if (cli->json) {
		rc = print_json(&p, &plan);
		for (i = 0; i < p.count; i++)
			if (plan.objects[i].fatal)
				fprintf(stderr, "crmshift: error: %s\n", plan.objects[i].fatal);
		crm_plan_release(&plan);
		crm_project_release(&p);
		return rc;
	}
	printf("plan for '%s' (%s -> %s)\n\nload order:\n", p.cfg.name ? p.cfg.name : cli->dir, p.cfg.source_system,
	       p.cfg.target_url);
	for (i = 0; i < p.count; i++) {
		struct crm_project_object *o = &p.objects[p.order[i]];
		const struct crm_plan_object *po = &plan.objects[p.order[i]];
		int any = 0;
		printf("  %zu. %-24s -> %-20s %8lld records  %s (%s%s%s)\n", i + 1, o->cfg->name, o->cfg->target,
		       (long long)po->records, cli_rel(cli, o->path),
		       crm_config_reader_kind(o->cfg) == CRM_READER_CSV ? o->encoding : o->cfg->format,
		       o->cfg->stream ? ", stream " : "", o->cfg->stream ? o->cfg->stream : "");
		for (f = 0; f < o->prog->field_count; f++) {
			if (!o->prog->fields[f].ref_object)
				continue;
			printf("%s%s -> %s%s", any ? ", " : "       references: ", o->prog->fields[f].target_field,
			       o->prog->fields[f].ref_object, o->deferred[f] ? " (second pass)" : "");
			any = 1;
		}
		if (any)
			putchar('\n');
		bad += po->bad_records;
	}
	if (p.cycle_broken)
		printf("\nnote: the objects reference each other in a cycle; the references marked (second pass) are "
		       "set after both sides are loaded\n");
	for (i = 0; i < p.count; i++) {
		const struct crm_plan_object *po = &plan.objects[p.order[i]];
		for (f = 0; f < po->problem_count; f++)
			printf("%swill be rejected: %s\n", f == 0 && i == 0 ? "\n" : "",
			       po->problems[f] ? po->problems[f] : "");
		if (po->bad_records > (int64_t)po->problem_count)
			printf("will be rejected: %lld more malformed records in %s\n",
			       (long long)(po->bad_records - (int64_t)po->problem_count),
			       cli_rel(cli, p.objects[p.order[i]].path));
		if (po->ambiguous_keys)
			printf("\nwarning: %s\n", po->ambiguous_keys);
	}
	rc = CRM_EXIT_OK;
	for (i = 0; i < p.count; i++)
		if (plan.objects[i].fatal) {
			fprintf(stderr, "crmshift: error: %s\n", plan.objects[i].fatal);
			rc = CRM_EXIT_INPUT;
		}
	if (rc == CRM_EXIT_OK)
		printf("\nok: %zu objects, mapping compiled%s; nothing was written\n", p.count,
		       bad ? ", some records will be rejected (above)" : "");
	crm_plan_release(&plan);
	crm_project_release(&p);
	return rc;
}
