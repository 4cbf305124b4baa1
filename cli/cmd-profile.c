/*
 * cmd-profile.c: `crmshift profile` prints what the exports hold before
 * anything moves (engine/profile.h), writes the drafted mapping rows to
 * reports/mapping-draft.csv and, with --html, the report as one page.
 * It reads the exports and writes nothing else.
 */
#include "compat.h"
#include "cli.h"
#include "engine/profile.h"
#include "engine/project.h"
#include "util/path.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] profile [--objects LIST] [--json] [--html FILE]\n"
	"\n"
	"Reads every export (the objects of crmshift.ini and any other CSV in [source] path) and\n"
	"reports per object and field: type, fill rate, distinct values, top values and formats,\n"
	"ranges, personal data, ambiguous dates, encoding and line-ending problems, ragged rows,\n"
	"duplicates, orphan references and required target fields nothing maps. Drafts mapping\n"
	"rows for unmapped columns in reports/mapping-draft.csv. Figures marked ~ are estimates.\n";

static double pct(int64_t part, int64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* The columns s takes on a terminal: printf pads by bytes, and a name such as "Prénom" has more bytes than columns. */
static size_t text_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t width = 0;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;

	while (*p && (n = utf8proc_iterate(p, -1, &c)) > 0) {
		int w = utf8proc_charwidth(c);
		width += w > 0 ? (size_t)w : 0;
		p += n;
	}
	return width;
}

/* name, then spaces to width columns (none when it is wider) */
static void print_padded(const char *name, size_t width)
{
	size_t used = text_width(name);

	printf("%s%*s", name, (int)(used < width ? width - used : 0), "");
}

/* The field column: as wide as the longest name, and never narrower than 26. */
static size_t name_column(const struct crm_profile_object *o)
{
	size_t width = 26, i;

	for (i = 0; i < o->field_count; i++) {
		size_t name = text_width(o->fields[i].name);
		if (name > width)
			width = name;
	}
	return width;
}

static void print_field(const struct crm_profile_object *o, const struct crm_profile_field *f, size_t width)
{
	char distinct[32], patterns[160] = "", personal[64] = "", type[32];
	size_t i;

	if (f->type_share < 1)
		snprintf(type, sizeof(type), "%s %.0f%%", f->type, f->type_share * 100);
	else
		snprintf(type, sizeof(type), "%s", f->type);
	snprintf(distinct, sizeof(distinct), "%s%llu", f->distinct_approx ? "~" : "", (unsigned long long)f->distinct);
	for (i = 0; i < f->pattern_count && i < 2; i++)
		snprintf(patterns + strlen(patterns), sizeof(patterns) - strlen(patterns), "%s%s %.0f%%", i ? ", " : "",
			 f->patterns[i].value, pct(f->patterns[i].count, f->filled));
	if (f->pattern_count > 2)
		snprintf(patterns + strlen(patterns), sizeof(patterns) - strlen(patterns), ", ...");
	if (f->pii)
		snprintf(personal, sizeof(personal), "%s (%s)", crm_pii_kind_name(f->pii), f->pii_basis);
	else if (f->flagged)
		snprintf(personal, sizeof(personal), "flagged (mapping)");
	printf("  ");
	print_padded(f->name, width);
	printf(" %-12s %6.1f%% %9s  %-44s %s\n", type, pct(f->filled, o->records), distinct,
	       f->filled ? patterns : "(empty)", personal);
}

static void print_object(const struct crm_profile_object *o)
{
	size_t i, k, width = name_column(o);

	printf("\n%s%s%s%s  %s", o->name, o->target ? " -> " : "", o->target ? o->target : "",
	       o->configured ? "" : " (not in crmshift.ini)", o->file);
	if (o->fatal) {
		printf("\n  cannot be profiled: %s\n", o->fatal);
		return;
	}
	printf("  %lld records, %zu fields, %s", (long long)o->records, o->field_count, o->found_encoding);
	if (strcmp(o->read_as, o->declared_encoding) != 0)
		printf(" (read as %s; declared %s)", o->read_as, o->declared_encoding);
	printf("\n  id: %s", o->id_field ? o->id_field : "none found (set [object] id)");
	if (o->duplicate_ids)
		printf(", %lld records repeat an earlier id", (long long)o->duplicate_ids);
	if (o->repeated_pairs > 0)
		printf("\n  duplicate links: %lld records repeat the references of an earlier one (the same "
		       "opportunity and contact twice: one link, loaded twice)",
		       (long long)o->repeated_pairs);
	printf("\n");
	for (i = 0; i < o->problem_count; i++)
		printf("  problem: %s\n", o->problems[i]);
	if (o->bad_records > (int64_t)o->problem_count)
		printf("  problem: %lld more malformed records\n",
		       (long long)(o->bad_records - (int64_t)o->problem_count));
	if (o->short_rows && o->short_rows_padded)
		printf("  note: %lld rows leave out trailing fields, read as empty (short_rows = pad)\n",
		       (long long)o->short_rows);
	else if (o->short_rows)
		printf("  problem: %lld rows leave out trailing fields, as report exports do with empty ones: "
		       "[object] short_rows = pad reads them as empty\n",
		       (long long)o->short_rows);
	if (!o->dirt.final_break)
		printf("  note: no line break after the last record\n");
	if (o->dirt.quoted_breaks)
		printf("  note: %lld line breaks inside quoted values\n", (long long)o->dirt.quoted_breaks);
	printf("  ");
	print_padded("field", width);
	printf(" %-12s %7s %9s  %-44s %s\n", "type", "fill", "distinct", "formats", "personal data");
	for (i = 0; i < o->field_count; i++)
		print_field(o, &o->fields[i], width);
	for (i = 0; i < o->field_count; i++) {
		const struct crm_profile_field *f = &o->fields[i];
		if (f->date_order && (f->date_ambiguous || !strcmp(f->date_order, "mixed")))
			printf("  dates: %s: %lld values read both as DD/MM and MM/DD (first at line %lu); %lld only "
			       "as "
			       "MM/DD, %lld only as DD/MM, %lld in neither order: %s\n",
			       f->name, (long long)f->date_ambiguous, f->first_ambiguous_line,
			       (long long)f->date_month_first, (long long)f->date_day_first, (long long)f->date_invalid,
			       !strcmp(f->date_order, "mixed")	   ? "both orders are present: check the source"
			       : !strcmp(f->date_order, "unknown") ? "nothing tells the order: ask the source's owner"
								   : f->date_order);
		if (f->mojibake)
			printf("  encoding: %s: %lld values look decoded twice (mojibake; first at %s:%lu)\n", f->name,
			       (long long)f->mojibake, o->file, f->first_mojibake_line);
		if (f->lossy)
			printf("  encoding: %s: %lld values have '?' where letters were (first at %s:%lu): an earlier "
			       "export wrote them to a code page without those letters; the letters are gone from this "
			       "file, take them from the source again\n",
			       f->name, (long long)f->lossy, o->file, f->first_lossy_line);
		if (f->short_postcodes)
			printf("  postal codes: %s: %lld values have 4 digits where the others have 5: a leading zero "
			       "was lost (a spreadsheet read them as numbers)\n",
			       f->name, (long long)f->short_postcodes);
		if (f->padded)
			printf("  blanks: %s: %lld values have spaces around them\n", f->name, (long long)f->padded);
	}
	for (k = 0; k < o->duplicate_count; k++) {
		const struct crm_profile_duplicates *d = &o->duplicates[k];
		if (!d->by)
			continue;
		printf("  duplicates by %s (%s): %lld groups, %lld records", d->by, d->fields, (long long)d->groups,
		       (long long)d->records);
		for (i = 0; i < d->example_count; i++)
			printf("%s lines %lu and %lu%s%s%s", i ? ";" : ":", d->examples[i].first_line,
			       d->examples[i].line, d->examples[i].id[0] ? " (" : "", d->examples[i].id,
			       d->examples[i].id[0] ? ")" : "");
		printf("\n");
	}
	for (k = 0; k < o->reference_count; k++) {
		const struct crm_profile_reference *r = &o->references[k];
		if (r->parent_has_no_id) {
			printf("  references: %s -> %s (%s): %lld references, not checked: %s has no id column (set "
			       "[object \"%s\"] id)\n",
			       r->field, r->parent, r->basis, (long long)r->references, r->parent, r->parent);
			continue;
		}
		if (!strcmp(r->basis, "values")) {
			printf("  references: %s -> %s (values): %lld of its %lld most frequent values are %s ids\n",
			       r->field, r->parent, (long long)(r->references - r->orphans), (long long)r->references,
			       r->parent);
			continue;
		}
		printf("  references: %s -> %s (%s): %lld references, %lld orphans", r->field, r->parent, r->basis,
		       (long long)r->references, (long long)r->orphans);
		for (i = 0; i < r->example_count; i++)
			printf("%s line %lu%s%s%s '%s'", i ? ";" : ":", r->examples[i].line,
			       r->examples[i].id[0] ? " (" : "", r->examples[i].id, r->examples[i].id[0] ? ")" : "",
			       r->examples[i].value);
		printf("\n");
	}
	for (k = 0; k < o->unmapped_required_count; k++)
		printf("  required by %s, not in mapping.csv: %s\n", o->target, o->unmapped_required[k]);
}

static json_t *counts_json(const struct crm_profile_count *c, size_t n, int64_t filled)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:f}", "value", c[i].value, "count",
						   (json_int_t)c[i].count, "percent", pct(c[i].count, filled)));
	return a;
}

static json_t *field_json(const struct crm_profile_object *o, const struct crm_profile_field *f)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:f, s:I, s:f, s:I, s:b, s:o, s:b, s:o, s:b}", "name", f->name, "type", f->type,
		"type_share", f->type_share, "filled", (json_int_t)f->filled, "fill_rate", pct(f->filled, o->records),
		"distinct", (json_int_t)f->distinct, "distinct_approximate", f->distinct_approx, "top",
		counts_json(f->top, f->top_count, f->filled), "top_approximate", f->top_approx, "patterns",
		counts_json(f->patterns, f->pattern_count, f->filled), "patterns_approximate", f->patterns_approx);

	json_object_set_new(j, "min", f->min ? json_string(f->min) : json_null());
	json_object_set_new(j, "max", f->max ? json_string(f->max) : json_null());
	json_object_set_new(j, "min_length", json_integer((json_int_t)f->min_len));
	json_object_set_new(j, "max_length", json_integer((json_int_t)f->max_len));
	json_object_set_new(j, "pii",
			    f->pii ? json_pack("{s:s, s:s}", "kind", crm_pii_kind_name(f->pii), "basis", f->pii_basis)
				   : json_null());
	json_object_set_new(j, "flagged", json_boolean(f->flagged));
	json_object_set_new(j, "mapped_to", f->mapped_to ? json_string(f->mapped_to) : json_null());
	if (f->date_order)
		json_object_set_new(j, "dates",
				    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "order", f->date_order, "ambiguous",
					      (json_int_t)f->date_ambiguous, "month_first",
					      (json_int_t)f->date_month_first, "day_first",
					      (json_int_t)f->date_day_first, "invalid", (json_int_t)f->date_invalid,
					      "first_ambiguous_line", (json_int_t)f->first_ambiguous_line));
	json_object_set_new(j, "mojibake", json_integer((json_int_t)f->mojibake));
	json_object_set_new(j, "lossy_question_marks", json_integer((json_int_t)f->lossy));
	if (f->lossy)
		json_object_set_new(j, "first_lossy_line", json_integer((json_int_t)f->first_lossy_line));
	json_object_set_new(j, "postal_codes_without_leading_zero", json_integer((json_int_t)f->short_postcodes));
	if (f->mojibake)
		json_object_set_new(j, "first_mojibake_line", json_integer((json_int_t)f->first_mojibake_line));
	json_object_set_new(j, "padded", json_integer((json_int_t)f->padded));
	return j;
}

static json_t *object_json(const struct crm_profile_object *o)
{
	json_t *j = json_pack("{s:s, s:s, s:b}", "object", o->name, "file", o->file, "configured", o->configured);
	json_t *fields = json_array(), *problems = json_array(), *dups = json_array(), *refs = json_array(),
	       *required = json_array();
	size_t i, k;

	json_object_set_new(j, "table", o->target ? json_string(o->target) : json_null());
	if (o->fatal) {
		json_object_set_new(j, "fatal", json_string(o->fatal));
		json_decref(fields);
		json_decref(problems);
		json_decref(dups);
		json_decref(refs);
		json_decref(required);
		return j;
	}
	json_object_set_new(j, "records", json_integer((json_int_t)o->records));
	json_object_set_new(j, "bad_records", json_integer((json_int_t)o->bad_records));
	if (o->repeated_pairs >= 0)
		json_object_set_new(j, "repeated_links", json_integer((json_int_t)o->repeated_pairs));
	json_object_set_new(j, "short_rows", json_integer((json_int_t)o->short_rows));
	json_object_set_new(j, "short_rows_padded", json_boolean(o->short_rows_padded));
	json_object_set_new(j, "id_field", o->id_field ? json_string(o->id_field) : json_null());
	json_object_set_new(j, "duplicate_ids", json_integer((json_int_t)o->duplicate_ids));
	json_object_set_new(j, "file_checks",
			    json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:b, s:I, s:I, s:I}", "bytes",
				      (json_int_t)o->dirt.bytes, "bom",
				      o->dirt.bom == CRM_BOM_UTF8      ? "utf-8"
				      : o->dirt.bom == CRM_BOM_UTF16LE ? "utf-16le"
				      : o->dirt.bom == CRM_BOM_UTF16BE ? "utf-16be"
								       : "none",
				      "encoding", o->found_encoding, "declared_encoding", o->declared_encoding,
				      "read_as", o->read_as, "crlf", (json_int_t)o->dirt.crlf, "lf",
				      (json_int_t)o->dirt.lf, "cr", (json_int_t)o->dirt.cr, "mixed_line_endings",
				      crm_dirt_mixed_breaks(&o->dirt), "final_line_break", o->dirt.final_break,
				      "quoted_line_breaks", (json_int_t)o->dirt.quoted_breaks, "invalid_bytes",
				      (json_int_t)o->dirt.invalid, "nul_bytes", (json_int_t)o->dirt.nul));
	for (i = 0; i < o->problem_count; i++)
		json_array_append_new(problems, json_string(o->problems[i]));
	json_object_set_new(j, "problems", problems);
	for (i = 0; i < o->field_count; i++)
		json_array_append_new(fields, field_json(o, &o->fields[i]));
	json_object_set_new(j, "fields", fields);
	for (k = 0; k < o->duplicate_count; k++) {
		const struct crm_profile_duplicates *d = &o->duplicates[k];
		json_t *ex;
		if (!d->by)
			continue;
		ex = json_array();
		for (i = 0; i < d->example_count; i++)
			json_array_append_new(ex, json_pack("{s:I, s:I, s:s, s:s}", "first_line",
							    (json_int_t)d->examples[i].first_line, "line",
							    (json_int_t)d->examples[i].line, "id", d->examples[i].id,
							    "key", d->examples[i].key));
		json_array_append_new(dups, json_pack("{s:s, s:s, s:I, s:I, s:o}", "by", d->by, "fields", d->fields,
						      "groups", (json_int_t)d->groups, "records",
						      (json_int_t)d->records, "examples", ex));
	}
	json_object_set_new(j, "duplicates", dups);
	for (k = 0; k < o->reference_count; k++) {
		const struct crm_profile_reference *r = &o->references[k];
		json_t *ex = json_array();
		for (i = 0; i < r->example_count; i++)
			json_array_append_new(ex, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)r->examples[i].line,
							    "id", r->examples[i].id, "value", r->examples[i].value));
		json_array_append_new(refs,
				      json_pack("{s:s, s:s, s:s, s:I, s:o, s:b, s:o}", "field", r->field, "parent",
						r->parent, "basis", r->basis, "references", (json_int_t)r->references,
						"orphans", r->parent_has_no_id ? json_null() : json_integer(r->orphans),
						"parent_has_no_id", r->parent_has_no_id, "examples", ex));
	}
	json_object_set_new(j, "references", refs);
	for (i = 0; i < o->unmapped_required_count; i++)
		json_array_append_new(required, json_string(o->unmapped_required[i]));
	json_object_set_new(j, "unmapped_required", required);
	return j;
}

/* [dedupe]: the people entered more than once, and by which rule their records matched. */
static json_t *people_json(const struct crm_profile *prof, const char *merges)
{
	json_t *people = json_array();
	size_t i, r;

	for (i = 0; i < prof->people_count; i++) {
		const struct crm_dedupe_result *f = &prof->people[i].found;
		json_t *rules = json_array();
		for (r = 0; r < f->cfg->rule_count; r++)
			json_array_append_new(rules, json_pack("{s:s, s:I}", "rule", f->cfg->rules[r].text, "merged",
							       (json_int_t)f->merged_by_rule[r]));
		/* every member but its group's survivor is merged */
		json_array_append_new(
			people, json_pack("{s:s, s:I, s:I, s:I, s:o}", "object", prof->people[i].object, "records",
					  (json_int_t)f->records, "people", (json_int_t)f->group_count, "merged",
					  (json_int_t)(f->member_count - f->group_count), "by_rule", rules));
	}
	return json_pack("{s:o, s:s?, s:s?}", "objects", people, "file", merges, "problem", prof->people_problem);
}

static void print_people(const struct crm_profile *prof, const char *merges)
{
	size_t i, r;

	if (prof->people_problem)
		printf("\npeople ([dedupe]): not looked for: %s\n", prof->people_problem);
	for (i = 0; i < prof->people_count; i++) {
		const struct crm_dedupe_result *f = &prof->people[i].found;
		printf("\npeople ([dedupe \"%s\"], before anything moves): %zu of %lld records are %zu %s entered "
		       "more than once; migrate loads each once, merging %zu records\n",
		       prof->people[i].object, f->member_count, (long long)f->records, f->group_count,
		       f->group_count == 1 ? "person" : "people", f->member_count - f->group_count);
		for (r = 0; r < f->cfg->rule_count; r++)
			printf("  %-40s %lld merged\n", f->cfg->rules[r].text, (long long)f->merged_by_rule[r]);
	}
	if (merges)
		printf("the groups: %s\n", merges);
}

static int print_json(const struct crm_profile *prof, const char *draft, const char *merges)
{
	json_t *root = json_object(), *objects = json_array();
	size_t i;
	int rc;

	for (i = 0; i < prof->count; i++)
		json_array_append_new(objects, object_json(&prof->objects[i]));
	json_object_set_new(root, "objects", objects);
	json_object_set_new(root, "mapping_problem",
			    prof->mapping_problem ? json_string(prof->mapping_problem) : json_null());
	json_object_set_new(root, "draft",
			    json_pack("{s:s, s:I}", "file", draft, "rows", (json_int_t)prof->draft_count));
	if (prof->people_count || prof->people_problem)
		json_object_set_new(root, "people", people_json(prof, merges));
	json_object_set_new(root, "seconds", json_real(prof->seconds));
	rc = cli_print_json(root, JSON_REAL_PRECISION(6));
	json_decref(root);
	return rc;
}

/* Each name of the --objects list must be an object profile found. */
static int check_objects(const char *list, const struct crm_profile *prof)
{
	const char *cursor = list, *name;
	size_t n, i;

	while ((name = crm_project_list_next(&cursor, &n)) != NULL) {
		int found = 0;
		for (i = 0; i < prof->count; i++)
			found |= strlen(prof->objects[i].name) == n && !strncmp(prof->objects[i].name, name, n);
		if (n && !found)
			return cli_usage(usage_text, "profile: unknown object '%.*s'", (int)n, name);
	}
	return -1;
}

int cmd_profile(int argc, char **argv, struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_profile prof;
	const char *html = NULL, *objects = NULL;
	char reports[4096], draft[4096], merges[4096] = "";
	int64_t records = 0;
	size_t i;
	int rc;

	rc = cli_report_options(argc, argv, cli, usage_text, &html, &objects);
	if (rc >= 0)
		return rc;
	cli_audit_begin(cli, cli->dir);
	if (crm_profile_run(&prof, cli->dir, objects, &err))
		return cli_fail(&err);
	rc = check_objects(objects, &prof);
	if (rc >= 0) {
		crm_profile_release(&prof);
		return rc;
	}
	if (crm_path_format(reports, sizeof(reports), &err, "%s/reports", cli->dir) ||
	    crm_mkdir_private(reports, &err) ||
	    crm_path_format(draft, sizeof(draft), &err, "%s/mapping-draft.csv", reports) ||
	    crm_profile_write_draft(&prof, draft, &err) ||
	    (prof.people_count && (crm_path_format(merges, sizeof(merges), &err, "%s/merges-profile.csv", reports) ||
				   crm_profile_write_merges(&prof, merges, &err))) ||
	    (html && cli_profile_html(&prof, prof.name ? prof.name : cli->dir, html, &err))) {
		crm_profile_release(&prof);
		return cli_fail(&err);
	}
	for (i = 0; i < prof.count; i++) {
		char path[4096];
		const char *file = prof.objects[i].file;
		records += prof.objects[i].records;
		if (file[0] == '/')
			snprintf(path, sizeof(path), "%s", file);
		else
			snprintf(path, sizeof(path), "%s/%s", cli->dir, file);
		cli_audit_input(cli->audit, file, path);
	}
	json_object_set_new(cli->audit, "objects", json_integer((json_int_t)prof.count));
	json_object_set_new(cli->audit, "records", json_integer((json_int_t)records));
	json_object_set_new(cli->audit, "draft_rows", json_integer((json_int_t)prof.draft_count));
	if (cli->json) {
		rc = print_json(&prof, cli_rel(cli, draft), merges[0] ? cli_rel(cli, merges) : NULL) < 0
			     ? CRM_EXIT_FAILURE
			     : CRM_EXIT_OK;
	} else {
		printf("profile: %zu objects, %lld records, %.2f s\n", prof.count, (long long)records, prof.seconds);
		if (prof.mapping_problem)
			printf("note: mapping.csv not used: %s\n", prof.mapping_problem);
		for (i = 0; i < prof.count; i++)
			print_object(&prof.objects[i]);
		print_people(&prof, merges[0] ? cli_rel(cli, merges) : NULL);
		printf("\ndraft: %zu mapping rows for columns mapping.csv does not map, in %s\n", prof.draft_count,
		       cli_rel(cli, draft));
		if (html)
			printf("report: %s\n", html);
		rc = CRM_EXIT_OK;
	}
	/* the report is written either way; an export that could not be read to its end is an input error */
	for (i = 0; rc == CRM_EXIT_OK && i < prof.count; i++)
		if (prof.objects[i].fatal)
			rc = CRM_EXIT_INPUT;
	crm_profile_release(&prof);
	return rc;
}
