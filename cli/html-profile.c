/*
 * html-profile.c: the profile as one self-contained HTML page: inline CSS
 * and SVG, no script, nothing fetched. First a chart of the volumes and a
 * table of findings per object, then per object its file checks, a chart
 * of each field's fill rate, the field table with top values and formats
 * (as bars), dates, duplicates, orphans and unmapped required fields.
 */
#include "compat.h"
#include "cli.h"
#include "engine/profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double pct(int64_t part, int64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* Horizontal bars, one per (label, value) with value in 0..max. */
static void bars(FILE *out, const char *label, const char *const *names, const double *values, size_t n, double max,
		 const char *unit)
{
	const int row = 22, left = 240, width = 420;
	size_t i;

	if (max <= 0)
		max = 1;
	fprintf(out, "<svg class=\"chart\" role=\"img\" aria-label=\"");
	cli_html_escape(out, label);
	fprintf(out, "\" width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n", left + width + 90,
		(int)n * row + 6);
	for (i = 0; i < n; i++) {
		int y = (int)i * row + 3, w = (int)(values[i] / max * width);
		fprintf(out, "<text x=\"0\" y=\"%d\">", y + 14);
		cli_html_escape(out, names[i]);
		fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" class=\"track\"/>", left, y,
			width);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" class=\"bar\"/>", left, y,
			w > 0 ? w : 1);
		/* a percentage to a tenth, a count whole */
		fprintf(out, "<text x=\"%d\" y=\"%d\">%.*f%s</text>\n", left + width + 6, y + 14, unit[0] ? 1 : 0,
			values[i], unit);
	}
	fputs("</svg>\n", out);
}

static void counts(FILE *out, const struct crm_profile_count *c, size_t n, int64_t filled, int approx)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double p = pct(c[i].count, filled);
		fputs("<div class=\"count\"><span class=\"mini\" style=\"width:", out);
		fprintf(out, "%.0fpx\"></span><code>", p * 0.8 + 1);
		cli_html_escape(out, c[i].value);
		fprintf(out, "</code> %s%lld (%.1f%%)</div>", approx ? "~" : "", (long long)c[i].count, p);
	}
}

static void field_row(FILE *out, const struct crm_profile_object *o, const struct crm_profile_field *f)
{
	fputs("<tr><td>", out);
	cli_html_escape(out, f->name);
	fprintf(out, "</td><td>%s", f->type);
	if (f->type_share < 1)
		fprintf(out, " (%.0f%%)", f->type_share * 100);
	fprintf(out, "</td><td>%.1f%%</td><td>%s%llu</td><td class=\"l\">", pct(f->filled, o->records),
		f->distinct_approx ? "~" : "", (unsigned long long)f->distinct);
	counts(out, f->top, f->top_count, f->filled, f->top_approx);
	fputs("</td><td class=\"l\">", out);
	counts(out, f->patterns, f->pattern_count, f->filled, f->patterns_approx);
	fputs("</td><td class=\"l\">", out);
	if (f->min) {
		cli_html_escape(out, f->min);
		fputs(" … ", out);
		cli_html_escape(out, f->max);
	} else if (f->filled) {
		fprintf(out, "%zu … %zu chars", f->min_len, f->max_len);
	}
	fputs("</td><td class=\"l\">", out);
	if (f->pii)
		fprintf(out, "<span class=\"pii\">%s</span> (%s)", crm_pii_kind_name(f->pii), f->pii_basis);
	else if (f->flagged)
		fputs("<span class=\"pii\">flagged</span>", out);
	fputs("</td><td class=\"l\">", out);
	if (f->mapped_to)
		cli_html_escape(out, f->mapped_to);
	fputs("</td></tr>\n", out);
}

static void object_section(FILE *out, const struct crm_profile_object *o)
{
	const char **names;
	double *fill;
	size_t i, k;

	fputs("<h2 id=\"", out);
	cli_html_escape(out, o->name);
	fputs("\">", out);
	cli_html_escape(out, o->name);
	if (o->target) {
		fputs(" → ", out);
		cli_html_escape(out, o->target);
	}
	fputs("</h2>\n<p><code>", out);
	cli_html_escape(out, o->file);
	fputs("</code>", out);
	if (o->fatal) {
		fputs("</p><p class=\"bad\">Cannot be profiled: ", out);
		cli_html_escape(out, o->fatal);
		fputs("</p>\n", out);
		return;
	}
	fprintf(out, " · %lld records · %zu fields · %s", (long long)o->records, o->field_count, o->found_encoding);
	if (strcmp(o->read_as, o->declared_encoding) != 0)
		fprintf(out, " (read as %s; declared %s)", o->read_as, o->declared_encoding);
	fprintf(out, " · line ends: %lld CRLF, %lld LF, %lld CR%s</p>\n", (long long)o->dirt.crlf,
		(long long)o->dirt.lf, (long long)o->dirt.cr, crm_dirt_mixed_breaks(&o->dirt) ? " (mixed)" : "");
	if (o->problem_count) {
		fputs("<ul class=\"problems\">\n", out);
		for (i = 0; i < o->problem_count; i++) {
			fputs("<li>", out);
			cli_html_escape(out, o->problems[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	if (o->short_rows && !o->short_rows_padded)
		fprintf(out,
			"<p class=\"problems\">%lld rows leave out trailing fields, as report exports do with empty "
			"ones: <code>[object] short_rows = pad</code> reads them as empty.</p>\n",
			(long long)o->short_rows);
	names = malloc((o->field_count ? o->field_count : 1) * sizeof(*names));
	fill = malloc((o->field_count ? o->field_count : 1) * sizeof(*fill));
	if (names && fill) {
		for (i = 0; i < o->field_count; i++) {
			names[i] = o->fields[i].name;
			fill[i] = pct(o->fields[i].filled, o->records);
		}
		fputs("<h3>Fill rate</h3>\n", out);
		bars(out, "fill rate per field", names, fill, o->field_count, 100, "%");
	}
	free(names);
	free(fill);
	/* fixed columns that wrap long values, so the table fits a 1280-pixel page */
	fputs("<h3>Fields</h3>\n<table class=\"fields\"><colgroup><col style=\"width:12%\"><col "
	      "style=\"width:7%\"><col style=\"width:6%\"><col style=\"width:6%\"><col style=\"width:24%\"><col "
	      "style=\"width:18%\"><col style=\"width:9%\"><col style=\"width:9%\"><col "
	      "style=\"width:9%\"></colgroup><tr><th>field</th><th>type</th><th>fill</th><th>distinct</th><th>top "
	      "values</th><th>formats</th><th>range</th><th>personal data</th><th>mapped to</th></tr>\n",
	      out);
	for (i = 0; i < o->field_count; i++)
		field_row(out, o, &o->fields[i]);
	fputs("</table>\n", out);
	for (i = 0; i < o->field_count; i++) {
		const struct crm_profile_field *f = &o->fields[i];
		if (f->date_order && f->date_ambiguous) {
			fputs("<p class=\"warn\">Dates in <code>", out);
			cli_html_escape(out, f->name);
			fprintf(out,
				"</code>: %lld read both as DD/MM and MM/DD (first at line %lu); %lld only as MM/DD, "
				"%lld "
				"only as DD/MM, %lld in neither order. Order: %s.</p>\n",
				(long long)f->date_ambiguous, f->first_ambiguous_line, (long long)f->date_month_first,
				(long long)f->date_day_first, (long long)f->date_invalid, f->date_order);
		}
		if (f->mojibake) {
			fputs("<p class=\"warn\">Encoding: <code>", out);
			cli_html_escape(out, f->name);
			fprintf(out, "</code> has %lld values that look decoded twice (first at line %lu).</p>\n",
				(long long)f->mojibake, f->first_mojibake_line);
		}
	}
	for (k = 0; k < o->duplicate_count; k++) {
		const struct crm_profile_duplicates *d = &o->duplicates[k];
		if (!d->by)
			continue;
		fprintf(out, "<p class=\"%s\">Duplicates by %s (<code>", d->groups ? "warn" : "ok", d->by);
		cli_html_escape(out, d->fields);
		fprintf(out, "</code>): %lld groups, %lld records", (long long)d->groups, (long long)d->records);
		for (i = 0; i < d->example_count; i++) {
			fprintf(out, "%s lines %lu and %lu ", i ? ";" : ":", d->examples[i].first_line,
				d->examples[i].line);
			cli_html_escape(out, d->examples[i].id);
		}
		fputs("</p>\n", out);
	}
	for (k = 0; k < o->reference_count; k++) {
		const struct crm_profile_reference *r = &o->references[k];
		fprintf(out, "<p class=\"%s\">References <code>", r->orphans || r->parent_has_no_id ? "warn" : "ok");
		cli_html_escape(out, r->field);
		fputs("</code> → ", out);
		cli_html_escape(out, r->parent);
		if (r->parent_has_no_id)
			fprintf(out, ": %lld, not checked: the parent has no id column", (long long)r->references);
		else
			fprintf(out, ": %lld, of which %lld orphans", (long long)r->references, (long long)r->orphans);
		for (i = 0; i < r->example_count; i++) {
			fprintf(out, "%s line %lu <code>", i ? ";" : ":", r->examples[i].line);
			cli_html_escape(out, r->examples[i].value);
			fputs("</code>", out);
		}
		fputs("</p>\n", out);
	}
	for (k = 0; k < o->unmapped_required_count; k++) {
		fputs("<p class=\"warn\">Required by the model, not in mapping.csv: ", out);
		cli_html_escape(out, o->unmapped_required[k]);
		fputs("</p>\n", out);
	}
}

int cli_profile_html(const struct crm_profile *prof, const char *title, const char *path, struct crm_error *err)
{
	FILE *out = cli_html_create(path, err);
	const char **names;
	double *volume, max = 0;
	size_t i, k;

	if (!out)
		return err->code;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>crmshift profile: ", out);
	cli_html_escape(out, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:system-ui,sans-serif;margin:2em;color:#1d2330;max-width:1180px}\n"
	      "table.fields{width:100%;table-layout:fixed}table.fields td{overflow-wrap:anywhere}\n"
	      "table.fields .count{white-space:normal}\n"
	      "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2.2em;border-bottom:2px solid "
	      "#d8dce3}h3{font-size:1em}\n"
	      "table{border-collapse:collapse;font-size:.85em}td,th{border-bottom:1px solid #d8dce3;padding:.3em "
	      ".6em;text-align:right;vertical-align:top}\n"
	      "td:first-child,th:first-child,td.l,th.l{text-align:left}\n"
	      ".chart text{font-size:12px}.track{fill:#eef0f4}.bar{fill:#3a6fb0}\n"
	      ".mini{display:inline-block;height:8px;background:#3a6fb0;margin-right:.4em}\n"
	      ".count{white-space:nowrap}code{background:#eef0f4;padding:0 .3em}\n"
	      ".pii{color:#8a4b00;font-weight:600}.warn{color:#8a4b00}.bad{color:#9b1c1c;font-weight:600}\n"
	      ".ok{color:#14642d}.problems li{color:#9b1c1c}\n"
	      "</style></head><body>\n<h1>Profile: ",
	      out);
	cli_html_escape(out, title);
	fprintf(out,
		"</h1>\n<p>%zu objects. Figures marked ~ are estimates (bounded-memory sketches). Values of "
		"personal fields are masked.</p>\n",
		prof->count);
	names = malloc((prof->count ? prof->count : 1) * sizeof(*names));
	volume = malloc((prof->count ? prof->count : 1) * sizeof(*volume));
	if (names && volume) {
		for (i = 0; i < prof->count; i++) {
			names[i] = prof->objects[i].name;
			volume[i] = (double)prof->objects[i].records;
			if (volume[i] > max)
				max = volume[i];
		}
		fputs("<h2>Volumes</h2>\n", out);
		bars(out, "records per object", names, volume, prof->count, max, "");
	}
	free(names);
	free(volume);
	fputs("<h2>Findings</h2>\n<table><tr><th>object</th><th>records</th><th>malformed</th><th>file "
	      "problems</th><th>ambiguous dates</th><th>duplicate groups</th><th>orphans</th><th>required, "
	      "unmapped</th></tr>\n",
	      out);
	for (i = 0; i < prof->count; i++) {
		const struct crm_profile_object *o = &prof->objects[i];
		int64_t dates = 0, groups = 0, orphans = 0;
		for (k = 0; k < o->field_count; k++)
			dates += o->fields[k].date_ambiguous;
		for (k = 0; k < o->duplicate_count; k++)
			groups += o->duplicates[k].groups;
		for (k = 0; k < o->reference_count; k++)
			orphans += o->references[k].orphans;
		fputs("<tr><td><a href=\"#", out);
		cli_html_escape(out, o->name);
		fputs("\">", out);
		cli_html_escape(out, o->name);
		fprintf(out,
			"</a></td><td>%lld</td><td>%lld</td><td>%zu</td><td>%lld</td><td>%lld</td><td>%lld</"
			"td><td>%zu</"
			"td></tr>\n",
			(long long)o->records, (long long)o->bad_records, o->problem_count, (long long)dates,
			(long long)groups, (long long)orphans, o->unmapped_required_count);
	}
	fputs("</table>\n", out);
	for (i = 0; i < prof->count; i++)
		object_section(out, &prof->objects[i]);
	fprintf(out,
		"<h2>Draft</h2>\n<p>%zu mapping rows drafted for the columns mapping.csv does not map, in "
		"<code>reports/mapping-draft.csv</code>.</p>\n</body></html>\n",
		prof->draft_count);
	if (fclose(out) != 0)
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
