/*
 * cmd-reconcile.c: `crmshift reconcile` prints source against target per
 * object, field mismatches (PII masked), relationships, critical fields,
 * consent and business totals, then every rollback trigger with its
 * measured value and threshold, and the verdict: exit 0 on GO, 3 on NO-GO.
 */
#include "compat.h"
#include "cli.h"
#include "engine/project.h"
#include "engine/reconcile.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] reconcile [--objects LIST] [--json] [--html FILE]\n"
	"\n"
	"Re-derives the expected target from the exports and the mapping, compares it with\n"
	"the target and measures the rollback triggers of [policy]. Exit 0 on GO, 3 on NO-GO.\n";

static void print_value(const struct crm_recon_trigger *t)
{
	if (t->percent)
		printf("%8.2f%%  threshold %6.2f%%", t->value, t->threshold);
	else
		printf("%9.0f  threshold %7.0f", t->value, t->threshold);
}

static void print_text(const struct crm_reconcile_result *res, const struct crm_project *p)
{
	char name[160];
	size_t i, f, e;
	int any = 0;

	printf("reconcile: %s (%s -> %s)\n\n", p->cfg.name ? p->cfg.name : p->cfg.dir, p->cfg.source_system,
	       p->cfg.target_url);
	printf("%-24s %9s %9s %9s %10s %8s %11s %11s %9s\n", "object", "source", "rejected", "expected", "in target",
	       "missing", "unexpected", "mismatched", "accepted");
	for (i = 0; i < res->count; i++) {
		const struct crm_recon_object *o = &res->objects[i];
		printf("%-24s %9lld %9lld %9lld %10lld %8lld %11lld %11lld %9lld\n", o->object,
		       (long long)o->source_rows, (long long)o->rejected, (long long)o->expected,
		       (long long)o->in_target, (long long)o->missing, (long long)o->unexpected,
		       (long long)o->mismatched, (long long)o->accepted);
	}
	for (i = 0, any = 0; i < res->count; i++)
		if (res->objects[i].merged)
			printf("%s  %s: %lld\n",
			       any++ ? ""
				     : "\nmerged ([dedupe]: records of a person loaded as its survivor's row, not "
				       "missing):\n",
			       res->objects[i].object, (long long)res->objects[i].merged);
	for (i = 0, any = 0; i < res->count; i++)
		if (res->objects[i].compared_with)
			printf("%s  %s: %s\n", any++ ? "" : "\nsource as of the last change a sync applied:\n",
			       res->objects[i].object, res->objects[i].compared_with);
	if (res->events_run)
		printf("\nnote: run %lld stopped part-way through a change stream (sync --events), which is not "
		       "replayed: the records it changed are compared with the older inputs; run that sync again\n",
		       (long long)res->events_run);
	any = 0;
	for (i = 0; i < res->count; i++)
		for (f = 0; f < res->objects[i].field_count; f++) {
			const struct crm_recon_field *rf = &res->objects[i].fields[f];
			if (!rf->mismatches)
				continue;
			if (!any++)
				printf("\nfield mismatches:\n");
			printf("  %s.%s: %lld%s\n", res->objects[i].object, rf->column, (long long)rf->mismatches,
			       rf->consent ? " (consent)" : "");
			for (e = 0; e < rf->example_count; e++)
				printf("    %s: expected %s, target has %s\n", rf->examples[e].source_id,
				       rf->examples[e].expected, rf->examples[e].actual);
		}
	any = 0;
	for (i = 0; i < res->count; i++)
		for (f = 0; f < res->objects[i].field_count; f++) {
			const struct crm_recon_field *rf = &res->objects[i].fields[f];
			if (!rf->blanked)
				continue;
			if (!any++)
				printf("\nfields blanked (on_invalid = blank: values the rule refused, left empty):\n");
			printf("  %s.%s: %lld\n", res->objects[i].object, rf->column, (long long)rf->blanked);
		}
	printf("\nrelationships (links filled in the source, held in the target, lost):\n");
	for (i = 0; i < res->relation_count; i++) {
		const struct crm_recon_relation *rel = &res->relations[i];
		size_t c;
		printf("  %s.%s -> %s: %lld in the source, %lld in the target, %lld lost (%.2f%%); %lld pointing at "
		       "no row\n",
		       rel->object, rel->field, rel->parent, (long long)rel->source_links, (long long)rel->target_links,
		       (long long)rel->lost,
		       rel->source_links ? 100.0 * (double)rel->lost / (double)rel->source_links : 0,
		       (long long)rel->dangling);
		for (c = 0; c < CRM_LINK_CAUSES; c++)
			if (rel->by_cause[c])
				printf("    lost: %lld %s\n", (long long)rel->by_cause[c], crm_link_cause_text(c));
		for (e = 0; e < rel->missing_count; e++) {
			const struct crm_recon_missing *m = &rel->missing[e];
			printf("    '%s' (%lld record%s): %s", m->key, (long long)m->records,
			       m->records == 1 ? "" : "s", crm_link_cause_text(m->cause));
			if (m->nearest[0])
				printf(": did you mean '%s'?", m->nearest);
			printf("\n");
		}
	}
	if (res->has_junction)
		printf("  opportunities with a contact role in the source: %lld; with none in the target: %lld\n",
		       (long long)res->opportunities_with_roles, (long long)res->opportunities_lost_roles);
	if (res->duplicate_roles)
		printf("  contact roles that repeat an earlier role's opportunity and contact: %lld (one link, held "
		       "twice)\n",
		       (long long)res->duplicate_roles);
	for (i = 0; i < res->parent_count; i++)
		printf("  %s account %s: %lld contacts in the source, %lld in the target\n",
		       i == 0 ? "largest" : "       ", res->parents[i].source_id,
		       (long long)res->parents[i].source_children, (long long)res->parents[i].target_children);
	printf("\ncritical fields blank (source -> target):\n");
	for (i = 0; i < res->critical_count; i++) {
		const struct crm_recon_critical *c = &res->criticals[i];
		if (!c->source_rows) {
			printf("  %-28s not mapped\n", c->field);
			continue;
		}
		printf("  %-28s %6.2f%% -> %6.2f%%\n", c->field,
		       c->source_rows ? 100.0 * (double)c->source_blank / (double)c->source_rows : 0,
		       c->target_rows ? 100.0 * (double)c->target_blank / (double)c->target_rows : 0);
	}
	if (res->opportunities_source || res->opportunities_target || res->leads_source || res->leads_target) {
		printf("\nbusiness totals (source | target):\n");
		if (!res->closed_mapped)
			printf("  open pipeline: not mapped (no is_closed: open and closed opportunities cannot be "
			       "told "
			       "apart)\n");
		for (i = 0; i < res->stage_count; i++) {
			const struct crm_recon_stage *s = &res->stages[i];
			printf("  open pipeline %-18s %6lld %16.2f | %6lld %16.2f\n",
			       s->stage[0] ? s->stage : "(no stage)", (long long)s->source_count, s->source_amount,
			       (long long)s->target_count, s->target_amount);
		}
		if (res->won_mapped)
			printf("  closed won                   %6lld %16.2f | %6lld %16.2f\n",
			       (long long)res->won_source_count, res->won_source_amount,
			       (long long)res->won_target_count, res->won_target_amount);
		else
			printf("  closed won: not mapped (no is_won)\n");
		printf("  leads %lld | %lld, opportunities %lld | %lld", (long long)res->leads_source,
		       (long long)res->leads_target, (long long)res->opportunities_source,
		       (long long)res->opportunities_target);
		if (res->leads_source && res->leads_target)
			printf(", opportunities per lead %.2f | %.2f",
			       (double)res->opportunities_source / (double)res->leads_source,
			       (double)res->opportunities_target / (double)res->leads_target);
		printf("\n");
	}
	if (res->owner_count)
		printf("\nrecords per owner (source | loaded as expected | target):\n");
	for (i = 0; i < res->owner_count; i++) {
		const struct crm_recon_owner *o = &res->owners[i];
		snprintf(name, sizeof(name), "%s.%s", o->object, o->field);
		printf("  %-28s %-32s %6lld | %6lld | %6lld%s\n", name, o->owner[0] ? o->owner : "(refused)",
		       (long long)o->source, (long long)o->expected, (long long)o->target,
		       o->expected != o->target ? "  <- differs" : "");
	}
	any = 0;
	for (i = 0; i < res->count; i++)
		for (f = 0; f < res->objects[i].field_count; f++) {
			const struct crm_recon_field *rf = &res->objects[i].fields[f];
			if (!rf->protection)
				continue;
			if (!any++)
				printf("\nprivacy (protected fields hold tokens, masks or nothing, never source "
				       "values):\n");
			snprintf(name, sizeof(name), "%s.%s", res->objects[i].table, rf->column);
			printf("  %-28s %-12s %6lld values, %lld not in that form%s%s\n", name, rf->protection,
			       (long long)rf->protected_values, (long long)rf->exposed, rf->exposed ? ", first " : "",
			       rf->exposed_example);
		}
	printf("\ntriggers:\n");
	for (i = 0; i < res->trigger_count; i++) {
		const struct crm_recon_trigger *t = &res->triggers[i];
		printf("  %-6s %-20s %-30s ", t->fired ? "FIRED" : "ok", t->name, t->subject);
		print_value(t);
		printf("\n");
	}
	{
		size_t fired = 0;
		for (i = 0; i < res->trigger_count; i++)
			fired += (size_t)res->triggers[i].fired;
		if (res->go)
			printf("\nverdict: GO (no rollback trigger fired) in %.2f s\n", res->seconds);
		else
			printf("\nverdict: NO-GO (%zu trigger%s fired) in %.2f s\n", fired, fired == 1 ? "" : "s",
			       res->seconds);
	}
}

static json_t *to_json(const struct crm_reconcile_result *res)
{
	json_t *root = json_object(), *objects = json_array(), *triggers = json_array(), *criticals = json_array();
	json_t *relations = json_array(), *stages = json_array(), *parents = json_array(), *privacy = json_array();
	json_t *owners = json_array();
	size_t i, f, e;

	for (i = 0; i < res->count; i++) {
		const struct crm_recon_object *o = &res->objects[i];
		json_t *fields = json_array(), *blanked = json_array();
		for (f = 0; f < o->field_count; f++) {
			const struct crm_recon_field *rf = &o->fields[f];
			json_t *examples;
			if (rf->protection)
				json_array_append_new(privacy,
						      json_pack("{s:s, s:s, s:s, s:I, s:I, s:s?}", "table", o->table,
								"field", rf->column, "protection", rf->protection,
								"values", (json_int_t)rf->protected_values, "exposed",
								(json_int_t)rf->exposed, "first_exposed",
								rf->exposed ? rf->exposed_example : NULL));
			if (rf->blanked)
				json_array_append_new(blanked, json_pack("{s:s, s:I}", "field", rf->column, "values",
									 (json_int_t)rf->blanked));
			if (!rf->mismatches)
				continue;
			examples = json_array();
			for (e = 0; e < rf->example_count; e++)
				json_array_append_new(examples, json_pack("{s:s, s:s, s:s}", "source_id",
									  rf->examples[e].source_id, "expected",
									  rf->examples[e].expected, "target",
									  rf->examples[e].actual));
			json_array_append_new(fields, json_pack("{s:s, s:I, s:b, s:o}", "field", rf->column,
								"mismatches", (json_int_t)rf->mismatches, "consent",
								rf->consent, "examples", examples));
		}
		json_array_append_new(
			objects,
			json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "object",
				  o->object, "table", o->table, "source_rows", (json_int_t)o->source_rows, "rejected",
				  (json_int_t)o->rejected, "expected", (json_int_t)o->expected, "in_target",
				  (json_int_t)o->in_target, "missing", (json_int_t)o->missing, "unexpected",
				  (json_int_t)o->unexpected, "mismatched", (json_int_t)o->mismatched, "accepted",
				  (json_int_t)o->accepted, "consent_mismatches", (json_int_t)o->consent_mismatches,
				  "optouts_lost", (json_int_t)o->optouts_lost, "fields", fields));
		json_object_set_new(json_array_get(objects, json_array_size(objects) - 1), "merged",
				    json_integer(o->merged));
		json_object_set_new(json_array_get(objects, json_array_size(objects) - 1), "fields_blanked", blanked);
		json_object_set_new(json_array_get(objects, json_array_size(objects) - 1), "compared_with",
				    o->compared_with ? json_string(o->compared_with) : json_null());
	}
	for (i = 0; i < res->trigger_count; i++) {
		const struct crm_recon_trigger *t = &res->triggers[i];
		json_array_append_new(triggers,
				      json_pack("{s:s, s:s, s:f, s:f, s:s, s:b}", "trigger", t->name, "subject",
						t->subject, "value", t->value, "threshold", t->threshold, "unit",
						t->percent ? "percent" : "count", "fired", t->fired));
	}
	for (i = 0; i < res->critical_count; i++) {
		const struct crm_recon_critical *c = &res->criticals[i];
		json_array_append_new(criticals,
				      json_pack("{s:s, s:I, s:I, s:I, s:I}", "field", c->field, "source_rows",
						(json_int_t)c->source_rows, "source_blank", (json_int_t)c->source_blank,
						"target_rows", (json_int_t)c->target_rows, "target_blank",
						(json_int_t)c->target_blank));
	}
	for (i = 0; i < res->relation_count; i++) {
		const struct crm_recon_relation *rel = &res->relations[i];
		json_t *causes = json_object(), *missing = json_array();
		size_t c;
		for (c = 0; c < CRM_LINK_CAUSES; c++)
			json_object_set_new(causes, crm_link_cause_name(c), json_integer(rel->by_cause[c]));
		for (e = 0; e < rel->missing_count; e++)
			json_array_append_new(missing,
					      json_pack("{s:s, s:I, s:s, s:s?}", "key", rel->missing[e].key, "records",
							(json_int_t)rel->missing[e].records, "cause",
							crm_link_cause_name(rel->missing[e].cause), "nearest",
							rel->missing[e].nearest[0] ? rel->missing[e].nearest : NULL));
		json_array_append_new(relations, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:o, s:o}",
							   "object", rel->object, "field", rel->field, "parent",
							   rel->parent, "dangling", (json_int_t)rel->dangling,
							   "source_links", (json_int_t)rel->source_links,
							   "target_links", (json_int_t)rel->target_links, "lost",
							   (json_int_t)rel->lost, "lost_threshold", rel->threshold,
							   "lost_by_cause", causes, "missing_parents", missing));
	}
	for (i = 0; i < res->stage_count; i++)
		json_array_append_new(stages, json_pack("{s:s, s:I, s:f, s:I, s:f}", "stage", res->stages[i].stage,
							"source_count", (json_int_t)res->stages[i].source_count,
							"source_amount", res->stages[i].source_amount, "target_count",
							(json_int_t)res->stages[i].target_count, "target_amount",
							res->stages[i].target_amount));
	for (i = 0; i < res->owner_count; i++)
		json_array_append_new(owners,
				      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "object", res->owners[i].object,
						"field", res->owners[i].field, "owner", res->owners[i].owner, "source",
						(json_int_t)res->owners[i].source, "expected",
						(json_int_t)res->owners[i].expected, "target",
						(json_int_t)res->owners[i].target));
	for (i = 0; i < res->parent_count; i++)
		json_array_append_new(parents,
				      json_pack("{s:s, s:I, s:I}", "source_id", res->parents[i].source_id,
						"source_children", (json_int_t)res->parents[i].source_children,
						"target_children", (json_int_t)res->parents[i].target_children));
	json_object_set_new(root, "verdict", json_string(res->go ? "GO" : "NO-GO"));
	json_object_set_new(root, "triggers", triggers);
	json_object_set_new(root, "objects", objects);
	json_object_set_new(root, "privacy", privacy);
	json_object_set_new(root, "relationships",
			    json_pack("{s:o, s:I, s:I, s:I, s:o}", "references", relations, "opportunities_with_roles",
				      (json_int_t)res->opportunities_with_roles, "opportunities_lost_roles",
				      (json_int_t)res->opportunities_lost_roles, "duplicate_roles",
				      (json_int_t)res->duplicate_roles, "largest_accounts", parents));
	json_object_set_new(root, "critical_fields", criticals);
	json_object_set_new(root, "owners", owners);
	json_object_set_new(root, "business_totals",
			    json_pack("{s:o, s:{s:I, s:f}, s:{s:I, s:f}, s:I, s:I, s:I, s:I}", "open_pipeline", stages,
				      "closed_won_source", "count", (json_int_t)res->won_source_count, "amount",
				      res->won_source_amount, "closed_won_target", "count",
				      (json_int_t)res->won_target_count, "amount", res->won_target_amount,
				      "leads_source", (json_int_t)res->leads_source, "leads_target",
				      (json_int_t)res->leads_target, "opportunities_source",
				      (json_int_t)res->opportunities_source, "opportunities_target",
				      (json_int_t)res->opportunities_target));
	/* without is_closed or is_won there is no figure to give, never a wrong one */
	json_object_set_new(json_object_get(root, "business_totals"), "open_pipeline_mapped",
			    json_boolean(res->closed_mapped));
	json_object_set_new(json_object_get(root, "business_totals"), "closed_won_mapped",
			    json_boolean(res->won_mapped));
	if (!res->won_mapped) {
		json_object_set_new(json_object_get(root, "business_totals"), "closed_won_source", json_null());
		json_object_set_new(json_object_get(root, "business_totals"), "closed_won_target", json_null());
	}
	json_object_set_new(root, "events_not_replayed", res->events_run ? json_integer(res->events_run) : json_null());
	json_object_set_new(root, "seconds", json_real(res->seconds));
	return root;
}

/* The audit entry: the verdict, the triggers that fired, the exports compared. */
static void audit_verdict(struct cli *cli, struct crm_project *p, const struct crm_reconcile_result *res)
{
	json_t *fired = json_array();
	char value[32], threshold[32];
	size_t i;

	/* figures as text: entries hold no floating point, whose rendering differs between JSON tools */
	for (i = 0; i < res->trigger_count; i++) {
		const struct crm_recon_trigger *t = &res->triggers[i];

		if (!t->fired)
			continue;
		snprintf(value, sizeof(value), t->percent ? "%.2f%%" : "%.0f", t->value);
		snprintf(threshold, sizeof(threshold), t->percent ? "%g%%" : "%.0f", t->threshold);
		json_array_append_new(fired, json_pack("{s:s, s:s, s:s, s:s}", "trigger", t->name, "subject",
						       t->subject, "value", value, "threshold", threshold));
	}
	json_object_set_new(cli->audit, "result", json_string(res->go ? "GO" : "NO-GO"));
	json_object_set_new(cli->audit, "fired", fired);
	for (i = 0; i < res->count; i++) {
		const struct crm_project_object *o = crm_project_object(p, res->objects[i].object);
		if (res->objects[i].export_sha256[0])
			cli_audit_input_hashed(cli->audit, cli_rel(cli, o->path), res->objects[i].export_sha256);
	}
}

int cmd_reconcile(int argc, char **argv, struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_reconcile_result res;
	struct crm_project p;
	const char *html = NULL, *objects = NULL;
	int rc;

	rc = cli_report_options(argc, argv, cli, usage_text, &html, &objects);
	if (rc >= 0)
		return rc;
	cli_audit_begin(cli, cli->dir);
	rc = cli_open_project(&p, cli);
	if (rc >= 0)
		return rc;
	if (crm_reconcile(&p, objects, &res, &err) ||
	    (html && cli_reconcile_html(&res, p.cfg.name ? p.cfg.name : p.cfg.dir, html, &err))) {
		crm_reconcile_result_release(&res);
		crm_project_release(&p);
		return cli_fail(&err);
	}
	if (cli->json) {
		json_t *root = to_json(&res);
		cli_print_json(root, JSON_REAL_PRECISION(10));
		json_decref(root);
	} else {
		print_text(&res, &p);
		if (html)
			printf("report: %s\n", html);
	}
	rc = res.go ? CRM_EXIT_OK : CRM_EXIT_NOGO;
	audit_verdict(cli, &p, &res);
	crm_reconcile_result_release(&res);
	crm_project_release(&p);
	return rc;
}
