/*
 * html-reconcile.c: the reconcile report as one self-contained HTML page:
 * inline CSS and SVG, no script, nothing fetched. The verdict comes first,
 * then a bar chart of each trigger's measured value against its threshold,
 * the per-object table, field mismatches with (masked) examples,
 * relationships, critical fields and business totals.
 */
#include "compat.h"
#include "cli.h"
#include "engine/reconcile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void value_text(char *buf, size_t cap, const struct crm_recon_trigger *t, double v)
{
	if (t->percent)
		snprintf(buf, cap, "%.2f%%", v);
	else
		snprintf(buf, cap, "%.0f", v);
}

/* One bar per trigger: the measured value, a mark at the threshold. */
static void chart(FILE *out, const struct crm_reconcile_result *res)
{
	const int row = 30, label = 430, width = 380; /* room for Object.reference_id labels */
	size_t i;

	fprintf(out,
		"<svg class=\"chart\" role=\"img\" aria-label=\"triggers against thresholds\" width=\"%d\" "
		"height=\"%d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n",
		label + width + 110, (int)res->trigger_count * row + 10);
	for (i = 0; i < res->trigger_count; i++) {
		const struct crm_recon_trigger *t = &res->triggers[i];
		double scale = (t->threshold > t->value ? t->threshold : t->value) * 1.25;
		int y = (int)i * row + 5, bar, mark;
		char v[32], th[32];
		if (scale <= 0)
			scale = 1;
		bar = (int)(t->value / scale * width);
		mark = (int)(t->threshold / scale * width);
		value_text(v, sizeof(v), t, t->value);
		value_text(th, sizeof(th), t, t->threshold);
		fprintf(out, "<text x=\"0\" y=\"%d\" class=\"%s\">", y + 17, t->fired ? "fired" : "ok");
		cli_html_escape(out, t->name);
		fputs(" · ", out);
		cli_html_escape(out, t->subject);
		fprintf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" class=\"track\"/>\n", label,
			y, width);
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" class=\"bar %s\"><title>%s (threshold "
			"%s)</title></rect>\n",
			label, y, bar > 0 ? bar : 1, t->fired ? "fired" : "ok", v, th);
		fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"threshold\"/>\n", label + mark,
			label + mark, y - 2, y + 22);
		fprintf(out, "<text x=\"%d\" y=\"%d\">%s / %s</text>\n", label + width + 6, y + 15, v, th);
	}
	fputs("</svg>\n", out);
}

int cli_reconcile_html(const struct crm_reconcile_result *res, const char *title, const char *path,
		       struct crm_error *err)
{
	FILE *out = cli_html_create(path, err);
	size_t i, f, e, fired = 0;

	if (!out)
		return err->code;
	for (i = 0; i < res->trigger_count; i++)
		fired += (size_t)res->triggers[i].fired;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>crmshift reconcile: ", out);
	cli_html_escape(out, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:system-ui,sans-serif;margin:2em;color:#1d2330;max-width:1100px}\n"
	      "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}\n"
	      ".verdict{font-size:2em;font-weight:700;padding:.4em .8em;display:inline-block;border-radius:6px}\n"
	      ".go{background:#dff3e4;color:#14642d}.nogo{background:#fbe0e0;color:#9b1c1c}\n"
	      "table{border-collapse:collapse;font-size:.9em}td,th{border-bottom:1px solid #d8dce3;padding:.3em "
	      ".7em;text-align:right}\n"
	      "td:first-child,th:first-child,td.examples{text-align:left}\n"
	      ".chart text{font-size:13px}.chart text.fired{fill:#9b1c1c;font-weight:600}\n"
	      ".track{fill:#eef0f4}.bar.ok{fill:#3a9a5b}.bar.fired{fill:#d04545}.threshold{stroke:#1d2330;stroke-width:"
	      "2}\n"
	      "code{background:#eef0f4;padding:0 .3em}tr.bad td{color:#9b1c1c;font-weight:600}\n"
	      "</style></head><body>\n<h1>Reconciliation: ",
	      out);
	cli_html_escape(out, title);
	fprintf(out, "</h1>\n<p id=\"verdict\" class=\"verdict %s\">%s</p>\n<p>%s</p>\n", res->go ? "go" : "nogo",
		res->go ? "GO" : "NO-GO",
		res->go ? "No rollback trigger fired." : "Rollback triggers fired: see the red bars.");
	if (!res->go)
		fprintf(out, "<p>%zu trigger%s fired.</p>\n", fired, fired == 1 ? "" : "s");
	fputs("<h2>Rollback triggers</h2>\n", out);
	chart(out, res);

	fputs("<h2>Objects</h2>\n<table><tr><th>object</th><th>source</th><th>rejected</th><th>expected</th><th>in "
	      "target</th><th>missing</th><th>unexpected</th><th>mismatched</th><th>accepted</th><th>merged</th></"
	      "tr>\n",
	      out);
	for (i = 0; i < res->count; i++) {
		const struct crm_recon_object *o = &res->objects[i];
		fputs("<tr><td>", out);
		cli_html_escape(out, o->object);
		fprintf(out,
			"</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</"
			"td><td>%lld</td><td>%lld</td></tr>\n",
			(long long)o->source_rows, (long long)o->rejected, (long long)o->expected,
			(long long)o->in_target, (long long)o->missing, (long long)o->unexpected,
			(long long)o->mismatched, (long long)o->accepted, (long long)o->merged);
	}
	fputs("</table>\n<h2>Field mismatches</h2>\n<table><tr><th>field</th><th>records</th><th>examples "
	      "(source id: expected → target)</th></tr>\n",
	      out);
	for (i = 0; i < res->count; i++)
		for (f = 0; f < res->objects[i].field_count; f++) {
			const struct crm_recon_field *rf = &res->objects[i].fields[f];
			if (!rf->mismatches)
				continue;
			fputs("<tr><td>", out);
			cli_html_escape(out, res->objects[i].object);
			fputc('.', out);
			cli_html_escape(out, rf->column);
			fprintf(out, "%s</td><td>%lld</td><td class=\"examples\">", rf->consent ? " (consent)" : "",
				(long long)rf->mismatches);
			for (e = 0; e < rf->example_count; e++) {
				fputs(e ? "<br>" : "", out);
				cli_html_escape(out, rf->examples[e].source_id);
				fputs(": <code>", out);
				cli_html_escape(out, rf->examples[e].expected);
				fputs("</code> → <code>", out);
				cli_html_escape(out, rf->examples[e].actual);
				fputs("</code>", out);
			}
			fputs("</td></tr>\n", out);
		}
	fputs("</table>\n", out);
	for (i = 0, e = 0; i < res->count; i++)
		for (f = 0; f < res->objects[i].field_count; f++) {
			const struct crm_recon_field *rf = &res->objects[i].fields[f];
			if (!rf->blanked)
				continue;
			if (!e++)
				fputs("<h2>Fields blanked</h2>\n<p>Values their rule refused, left empty by "
				      "<code>on_invalid = "
				      "blank</code>; the records "
				      "loaded.</p>\n<table><tr><th>field</th><th>values</th></tr>\n",
				      out);
			fputs("<tr><td>", out);
			cli_html_escape(out, res->objects[i].object);
			fputc('.', out);
			cli_html_escape(out, rf->column);
			fprintf(out, "</td><td>%lld</td></tr>\n", (long long)rf->blanked);
		}
	if (e)
		fputs("</table>\n", out);
	fputs("<h2>Relationships</h2>\n<table><tr><th>reference</th><th>links in the source</th><th>in the "
	      "target</th><th>lost</th><th>why, and the most frequent missing parents</th><th>pointing at no "
	      "row</th></tr>\n",
	      out);
	for (i = 0; i < res->relation_count; i++) {
		const struct crm_recon_relation *rel = &res->relations[i];
		size_t c, m;
		const char *sep = "";
		fputs("<tr><td>", out);
		cli_html_escape(out, rel->object);
		fputc('.', out);
		cli_html_escape(out, rel->field);
		fputs(" → ", out);
		cli_html_escape(out, rel->parent);
		fprintf(out, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td class=\"examples\">",
			(long long)rel->source_links, (long long)rel->target_links, (long long)rel->lost);
		for (c = 0; c < CRM_LINK_CAUSES; c++)
			if (rel->by_cause[c]) {
				fprintf(out, "%s%lld %s", sep, (long long)rel->by_cause[c], crm_link_cause_text(c));
				sep = "; ";
			}
		for (m = 0; m < rel->missing_count; m++) {
			fputs("<br><code>", out);
			cli_html_escape(out, rel->missing[m].key);
			fprintf(out, "</code> (%lld): ", (long long)rel->missing[m].records);
			cli_html_escape(out, crm_link_cause_text(rel->missing[m].cause));
			if (rel->missing[m].nearest[0]) {
				fputs(", did you mean <code>", out);
				cli_html_escape(out, rel->missing[m].nearest);
				fputs("</code>?", out);
			}
		}
		fprintf(out, "</td><td>%lld</td></tr>\n", (long long)rel->dangling);
	}
	fputs("</table>\n", out);
	if (res->has_junction)
		fprintf(out,
			"<p>Opportunities with a contact role in the source: %lld; with none in the target: "
			"%lld.</p>\n",
			(long long)res->opportunities_with_roles, (long long)res->opportunities_lost_roles);
	if (res->parent_count) {
		fputs("<table><tr><th>largest accounts</th><th>contacts in the source</th><th>in the "
		      "target</th></tr>\n",
		      out);
		for (i = 0; i < res->parent_count; i++) {
			const struct crm_recon_parent *pa = &res->parents[i];
			fprintf(out, "<tr%s><td>", pa->target_children != pa->source_children ? " class=\"bad\"" : "");
			cli_html_escape(out, pa->source_id);
			fprintf(out, "</td><td>%lld</td><td>%lld</td></tr>\n", (long long)pa->source_children,
				(long long)pa->target_children);
		}
		fputs("</table>\n", out);
	}
	fputs("<h2>Critical fields blank</h2>\n<table><tr><th>field</th><th>source</th><th>target</th></tr>\n", out);
	for (i = 0; i < res->critical_count; i++) {
		const struct crm_recon_critical *c = &res->criticals[i];
		fputs("<tr><td>", out);
		cli_html_escape(out, c->field);
		if (!c->source_rows)
			fputs("</td><td colspan=\"2\">not mapped</td></tr>\n", out);
		else
			fprintf(out, "</td><td>%.2f%%</td><td>%.2f%%</td></tr>\n",
				100.0 * (double)c->source_blank / (double)c->source_rows,
				c->target_rows ? 100.0 * (double)c->target_blank / (double)c->target_rows : 0);
	}
	fputs("</table>\n<h2>Business totals</h2>\n<table><tr><th>open pipeline by stage</th><th>source</th><th>source "
	      "amount</th><th>target</th><th>target amount</th></tr>\n",
	      out);
	if (!res->closed_mapped)
		fputs("<tr><td colspan=\"5\">not mapped: without is_closed, open and closed opportunities cannot be "
		      "told "
		      "apart</td></tr>\n",
		      out);
	for (i = 0; i < res->stage_count; i++) {
		fputs("<tr><td>", out);
		cli_html_escape(out, res->stages[i].stage);
		fprintf(out, "</td><td>%lld</td><td>%.2f</td><td>%lld</td><td>%.2f</td></tr>\n",
			(long long)res->stages[i].source_count, res->stages[i].source_amount,
			(long long)res->stages[i].target_count, res->stages[i].target_amount);
	}
	if (res->won_mapped)
		fprintf(out,
			"<tr><td>closed won</td><td>%lld</td><td>%.2f</td><td>%lld</td><td>%.2f</td></tr>\n</table>\n",
			(long long)res->won_source_count, res->won_source_amount, (long long)res->won_target_count,
			res->won_target_amount);
	else
		fputs("<tr><td>closed won</td><td colspan=\"4\">not mapped (no is_won)</td></tr>\n</table>\n", out);
	fprintf(out, "<p>Leads %lld (source) / %lld (target); opportunities %lld / %lld.</p>\n",
		(long long)res->leads_source, (long long)res->leads_target, (long long)res->opportunities_source,
		(long long)res->opportunities_target);
	if (res->owner_count)
		fputs("<h2>Records per "
		      "owner</h2>\n<table><tr><th>object</th><th>field</th><th>owner</th><th>source</th>"
		      "<th>loaded as expected</th><th>target</th></tr>\n",
		      out);
	for (i = 0; i < res->owner_count; i++) {
		const struct crm_recon_owner *o = &res->owners[i];
		fprintf(out, "<tr%s><td>", o->expected != o->target ? " class=\"bad\"" : "");
		cli_html_escape(out, o->object);
		fputs("</td><td>", out);
		cli_html_escape(out, o->field);
		fputs("</td><td>", out);
		cli_html_escape(out, o->owner[0] ? o->owner : "(refused)");
		fprintf(out, "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n", (long long)o->source,
			(long long)o->expected, (long long)o->target);
	}
	if (res->owner_count)
		fputs("</table>\n", out);
	fputs("</body></html>\n", out);
	if (fclose(out) != 0)
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
