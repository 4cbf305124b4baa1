/*
 * scaffold.c: write a bare crmshift.ini that names the exports folder,
 * profile it (every file is then an export no [object] names, profiled
 * under its own name), and turn what profile found into the [object]
 * sections and its draft into mapping.csv.
 */
#include "compat.h"
#include "engine/scaffold.h"
#include "engine/profile.h"
#include "io/json.h"
#include "io/reader.h"
#include "model/mapping.h"
#include "model/schema.h"
#include "model/template.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct source_kind {
	const char *name;
	const char *source_system;
	const char *modified; /* name keys of a last-modified column */
	const char *deleted;  /* name keys of a soft-delete flag */
};

static const struct source_kind kinds[] = {
	{"salesforce", "salesforce", "lastmodifieddate|systemmodstamp", "isdeleted"},
	{"hubspot", "hubspot", "hslastmodifieddate|propertyhslastmodifieddate|lastmodifieddate|lastmodified",
	 "archived|isdeleted"},
	{"pipedrive", "pipedrive", "updatetime", "deleted|isdeleted"},
	{"generic", "csv", "lastmodifieddate|updatedat|modifiedat|lastmodified|updated", "isdeleted|deleted"},
};

static const struct source_kind *kind_named(const char *crm)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(kinds); i++)
		if (!strcmp(kinds[i].name, crm))
			return &kinds[i];
	return NULL;
}

int crm_scaffold_known(const char *crm)
{
	return kind_named(crm) != NULL;
}

void crm_scaffold_release(struct crm_scaffold *res)
{
	size_t i;

	for (i = 0; i < res->skipped_count; i++)
		crm_free(res->skipped[i]);
	memset(res, 0, sizeof(*res));
}

/* drafted_from ends the first comment line: "from the exports below" */
static void head(FILE *out, const char *name, const struct source_kind *k, const char *drafted_from, const char *format,
		 const char *exports)
{
	fprintf(out,
		"; crmshift.ini, drafted by 'crmshift init --from %s' %s.\n"
		"; Review every [object] and mapping.csv before loading: 'crmshift profile' shows what\n"
		"; the exports hold, 'crmshift plan' checks what is written here.\n"
		"\n[migration]\nname = %s\n; stored in every target row with the source's own id: keep it stable\n"
		"source_system = %s\n\n[source]\nformat = %s\npath = %s\nencoding = utf-8\n"
		"; the zone of date-times written without one\ntimezone = UTC\n\n[target]\nurl = sqlite:target.db\n"
		"batch_size = 5000\n",
		k->name, drafted_from, name, k->source_system, format, exports);
}

static const char *column_in(const struct crm_profile_object *o, const char *keys)
{
	size_t i;

	for (i = 0; i < o->field_count; i++)
		if (crm_schema_name_in(keys, o->fields[i].name) && o->fields[i].filled)
			return o->fields[i].name;
	return NULL;
}

static int skip(struct crm_scaffold *res, const char *file, const char *reason, struct crm_error *err)
{
	char line[1024];

	if (res->skipped_count >= CRM_SCAFFOLD_SKIPPED_MAX)
		return 0;
	snprintf(line, sizeof(line), "%s: %s", file, reason);
	if (!(res->skipped[res->skipped_count] = crm_strdup(line)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	res->skipped_count++;
	return 0;
}

/* 1 when the object of that name got an [object] section. */
static int configured(const struct crm_profile *prof, const char *name)
{
	size_t i;

	for (i = 0; i < prof->count; i++)
		if (!strcmp(prof->objects[i].name, name))
			return !prof->objects[i].fatal && prof->objects[i].id_field;
	return 0;
}

/*
 * A polymorphic ref(A|B) of row keeps the objects that are configured, with
 * their columns; 1 when none is (the row then loses its ref() as another
 * would), -1 on OOM.
 */
static int keep_configured_parents(struct crm_profile *prof, struct crm_profile_draft_row *row, const char *parents)
{
	char objects[1024] = "", targets[1024] = "", rule[1100];
	size_t i, n = crm_alt_count(parents), kept = 0, len, tlen;

	for (i = 0; i < n; i++) {
		char name[CRM_MAX_IDENT_LEN + 1];
		const char *p = crm_alt_piece(parents, i, &len), *t = crm_alt_piece(row->col[3], i, &tlen);
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (!configured(prof, name))
			continue;
		snprintf(objects + strlen(objects), sizeof(objects) - strlen(objects), "%s%s", kept ? "|" : "", name);
		snprintf(targets + strlen(targets), sizeof(targets) - strlen(targets), "%s%.*s", kept ? "|" : "",
			 (int)tlen, t);
		kept++;
	}
	if (kept == n)
		return 0;
	if (!kept) {
		/* the first column keeps the values, as a ref() to an object left out does */
		const char *t = crm_alt_piece(row->col[3], 0, &tlen);
		snprintf(targets, sizeof(targets), "%.*s", (int)tlen, t);
	}
	snprintf(rule, sizeof(rule), "trim -> ref(%s)", objects);
	crm_free(row->col[3]);
	row->col[3] = crm_strdup(targets);
	if (kept) {
		crm_free(row->col[4]);
		row->col[4] = crm_strdup(rule);
	}
	if (!row->col[3] || !row->col[4])
		return -1;
	return !kept;
}

/* Drops the draft rows of objects left out; a ref() to one becomes a plain trim. */
static int keep_configured_rows(struct crm_profile *prof, struct crm_error *err)
{
	size_t i, j, kept = 0;

	for (i = 0; i < prof->draft_count; i++) {
		struct crm_profile_draft_row *row = &prof->draft[i];
		const char *ref = strstr(row->col[4], "ref(");
		if (!configured(prof, row->col[0])) {
			for (j = 0; j < 8; j++)
				crm_free(row->col[j]);
			continue;
		}
		if (ref) {
			char parent[CRM_MAX_IDENT_LEN * 4];
			int none;
			snprintf(parent, sizeof(parent), "%.*s", (int)strcspn(ref + 4, ")"), ref + 4);
			none = crm_alt_count(parent) > 1 ? keep_configured_parents(prof, row, parent)
							 : !configured(prof, parent);
			if (none < 0)
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			if (none) {
				crm_free(row->col[4]);
				crm_free(row->col[2]);
				row->col[4] = crm_strdup("trim");
				row->col[2] = crm_strdup("text");
				if (!row->col[4] || !row->col[2])
					return crm_error_set(err, CRM_ENOMEM, "out of memory");
			}
		}
		prof->draft[kept++] = *row;
	}
	prof->draft_count = kept;
	return 0;
}

/* The target of an object: the canonical table found for it, else a custom table named after it. */
static void table_name(const char *object, const char *found, char *out, size_t cap)
{
	if (found)
		snprintf(out, cap, "%s", found);
	else
		crm_schema_ident(object, out, cap);
}

/* How the CRM's CSV exports are read: Salesforce's with its ids of 15 and 18 characters as one. */
static const char *csv_format(const char *crm)
{
	return strcmp(crm, "salesforce") ? "csv" : "salesforce";
}

/* ---- exports that are not CSV: sfdx data trees and their plans, Airbyte JSON lines ---- */

/* One object of a JSON export, declared before profile runs: the file a record type or stream is read from. */
struct json_object {
	char *name;
	char *file;
};

struct json_exports {
	struct crm_scaffold *res;
	const char *crm;
	char **trees; /* file names, in name order */
	size_t tree_count;
	char **plans;
	size_t plan_count;
	char **lines;
	size_t line_count;
	struct json_object *objects;
	size_t object_count;
	char **left_out; /* files left out, named in res->skipped */
	size_t left_out_count;
	const char *current_file; /* of crm_json_streams' callback */
};

static int push_name(char ***list, size_t *count, const char *name, struct crm_error *err)
{
	size_t cap = *count;

	if (crm_grow(list, *count, &cap, sizeof(**list), 8) || !((*list)[*count] = crm_strdup(name)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	(*count)++;
	return 0;
}

/* The first byte that is not blank (after a UTF-8 BOM), or EOF. */
static int first_byte(const char *path)
{
	FILE *f = fopen(path, "rb");
	int c;

	if (!f)
		return EOF;
	c = getc(f);
	if (c == 0xEF && getc(f) == 0xBB && getc(f) == 0xBF)
		c = getc(f);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		c = getc(f);
	fclose(f);
	return c;
}

static int sort_export(void *ctx, const char *rel, const char *path, struct crm_error *err)
{
	struct json_exports *je = ctx;
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	size_t len = strlen(base);

	if (len > 6 && !strcasecmp(base + len - 6, ".jsonl"))
		return push_name(&je->lines, &je->line_count, base, err);
	if (len > 5 && !strcasecmp(base + len - 5, ".json")) {
		int c = first_byte(path);
		if (c == '{')
			return push_name(&je->trees, &je->tree_count, base, err);
		if (c == '[')
			return push_name(&je->plans, &je->plan_count, base, err);
	}
	return 0;
}

static int is_left_out(const struct json_exports *je, const char *file)
{
	size_t i;

	for (i = 0; i < je->left_out_count; i++)
		if (strcmp(je->left_out[i], file) == 0)
			return 1;
	return 0;
}

/* 1 when a tree file is read as an object already (a plan named it), or was left out. */
static int seen_file(const struct json_exports *je, const char *file)
{
	size_t i;

	for (i = 0; i < je->object_count; i++)
		if (strcmp(je->objects[i].file, file) == 0)
			return 1;
	return is_left_out(je, file);
}

static int leave_out(struct json_exports *je, const char *file, const char *reason, struct crm_error *err)
{
	if (push_name(&je->left_out, &je->left_out_count, file, err))
		return err->code;
	return skip(je->res, file, reason, err);
}

/*
 * Declares that object name is read from file (a JSON lines file holds
 * several, one per stream). When another file holds the same object
 * already, this one is left out and said so: two files of one object would
 * load records with the same ids over each other.
 */
static int declare(struct json_exports *je, const char *name, const char *file, struct crm_error *err)
{
	char reason[512];
	size_t i, cap = je->object_count;

	if (is_left_out(je, file))
		return 0; /* and said so */
	for (i = 0; i < je->object_count; i++) {
		if (strcmp(je->objects[i].name, name) != 0)
			continue;
		if (strcmp(je->objects[i].file, file) == 0)
			return 0; /* declared already (a plan names its file twice) */
		snprintf(reason, sizeof(reason),
			 "holds %s records, as %s does, which is the one read (set [object \"%s\"] file to read this "
			 "one instead)",
			 name, je->objects[i].file, name);
		return leave_out(je, file, reason, err);
	}
	if (crm_grow(&je->objects, je->object_count, &cap, sizeof(*je->objects), 8))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	je->objects[je->object_count].name = crm_strdup(name);
	je->objects[je->object_count].file = crm_strdup(file);
	if (!je->objects[je->object_count].name || !je->objects[je->object_count].file) {
		crm_free(je->objects[je->object_count].name);
		crm_free(je->objects[je->object_count].file);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	je->object_count++;
	return 0;
}

static int declare_plan_step(void *ctx, const char *sobject, const char *const *files, size_t file_count,
			     struct crm_error *err)
{
	size_t f;

	for (f = 0; f < file_count; f++)
		if (declare(ctx, sobject, files[f], err))
			return err->code;
	return 0;
}

/* The record type of an sfdx tree: its first record's attributes.type, in type (cap bytes); "" when none says. */
static void tree_type(const char *path, char *type, size_t cap, struct crm_error *rerr)
{
	struct crm_reader_spec spec = {.path = path, .kind = CRM_READER_SFDX_TREE, .delimiter = ','};
	struct crm_reader *r = crm_reader_open(&spec, rerr);
	struct crm_record rec;
	long col;

	type[0] = '\0';
	if (r && (col = crm_reader_column(r, "attributes.type")) >= 0 &&
	    crm_reader_next(r, &rec, rerr) == CRM_READ_RECORD) {
		while (!type[0] && crm_reader_next(r, &rec, rerr) > 0)
			snprintf(type, cap, "%.*s", (int)rec.fields[col].len, rec.fields[col].ptr);
	}
	crm_reader_close(r);
}

/* The plans' files first (in plan name order), then the trees no plan names, by their records' attributes.type. */
static int declare_trees(struct json_exports *je, const char *folder, struct crm_error *err)
{
	char path[4096], type[CRM_MAX_IDENT_LEN + 1];
	size_t i;

	for (i = 0; i < je->plan_count; i++) {
		struct crm_error plan_err = CRM_ERROR_INIT;
		if (crm_path_format(path, sizeof(path), err, "%s/%s", folder, je->plans[i]))
			return err->code;
		/* a plan that cannot be read only orders the trees: each is still read by its records' type */
		if (crm_json_plan(path, declare_plan_step, je, &plan_err) == CRM_ENOMEM)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	for (i = 0; i < je->tree_count; i++) {
		struct crm_error rerr = CRM_ERROR_INIT;
		if (seen_file(je, je->trees[i]))
			continue;
		if (crm_path_format(path, sizeof(path), err, "%s/%s", folder, je->trees[i]))
			return err->code;
		tree_type(path, type, sizeof(type), &rerr);
		if (!type[0] &&
		    leave_out(je, je->trees[i],
			      rerr.code ? rerr.msg : "no record says its attributes.type: name the object by hand",
			      err))
			return err->code;
		if (type[0] && declare(je, type, je->trees[i], err))
			return err->code;
	}
	return 0;
}

static int declare_stream(void *ctx, const char *stream, struct crm_error *err)
{
	struct json_exports *je = ctx;

	return declare(je, stream, je->current_file, err);
}

static int declare_streams(struct json_exports *je, const char *folder, struct crm_error *err)
{
	char path[4096];
	size_t i;

	for (i = 0; i < je->line_count; i++) {
		je->current_file = je->lines[i];
		if (crm_path_format(path, sizeof(path), err, "%s/%s", folder, je->lines[i]) ||
		    crm_json_streams(path, declare_stream, je, err))
			return err->code;
	}
	return 0;
}

static void json_exports_release(struct json_exports *je)
{
	size_t i;

	for (i = 0; i < je->tree_count; i++)
		crm_free(je->trees[i]);
	for (i = 0; i < je->plan_count; i++)
		crm_free(je->plans[i]);
	for (i = 0; i < je->line_count; i++)
		crm_free(je->lines[i]);
	for (i = 0; i < je->left_out_count; i++)
		crm_free(je->left_out[i]);
	for (i = 0; i < je->object_count; i++) {
		crm_free(je->objects[i].name);
		crm_free(je->objects[i].file);
	}
	crm_free(je->trees);
	crm_free(je->plans);
	crm_free(je->lines);
	crm_free(je->left_out);
	crm_free(je->objects);
}

/* A SQLite database or its SQL dump, given as the exports: one object per table. */
static int is_database(const char *path, const struct stat *st)
{
	static const char *const suffixes[] = {".db", ".sqlite", ".sqlite3", ".sql"};
	size_t n = strlen(path), i;

	for (i = 0; S_ISREG(st->st_mode) && i < CRM_ARRAY_COUNT(suffixes); i++)
		if (n > strlen(suffixes[i]) && !strcmp(path + n - strlen(suffixes[i]), suffixes[i]))
			return 1;
	return 0;
}

/*
 * The format of the exports in folder, and for JSON ones the objects they
 * hold: a Salesforce folder with data trees is sfdx, a Pipedrive folder with
 * JSON lines is pipedrive; anything else is read as the CRM's CSV
 * (csv_format). CSV files beside JSON ones are still profiled, as objects
 * of that format.
 */
static int find_format(struct json_exports *je, const char *folder, const char **format, struct crm_error *err)
{
	*format = csv_format(je->crm);
	if (crm_dir_each_file(folder, ".", sort_export, je, err))
		return err->code;
	if (!strcmp(je->crm, "salesforce") && je->tree_count) {
		*format = "sfdx";
		return declare_trees(je, folder, err);
	}
	if (!strcmp(je->crm, "pipedrive") && je->line_count) {
		*format = "pipedrive";
		return declare_streams(je, folder, err);
	}
	return 0;
}

/* The [object] sections of JSON exports, so that profile reads them as what they are. */
static void declared_objects(FILE *out, const struct json_exports *je, const char *format)
{
	char table[CRM_MAX_IDENT_LEN + 8];
	size_t i;

	for (i = 0; i < je->object_count; i++) {
		const struct crm_table_def *t = crm_schema_guess_table(je->objects[i].name);
		table_name(je->objects[i].name, t ? t->name : NULL, table, sizeof(table));
		fprintf(out, "\n[object \"%s\"]\nfile = %s\n", je->objects[i].name, je->objects[i].file);
		if (!strcmp(format, "pipedrive"))
			fprintf(out, "id = id\n");
		fprintf(out, "target = %s\n", table);
	}
}

/*
 * A natural key for a file without an id column: a field named as a name or
 * a code (Name, Account Name, Code, Number) that is filled and distinct in
 * every record, counted exactly, and not personal. A name guessed personal
 * from its column name alone is a person's only in a table of people: a
 * product's Name is not. NULL when none is.
 */
static const char *natural_key(const struct crm_profile_object *o)
{
	static const char *const words[] = {"name", "code", "key", "number"};
	int people = o->target && (!strcmp(o->target, "contact") || !strcmp(o->target, "lead"));
	size_t i, w;

	for (w = 0; w < CRM_ARRAY_COUNT(words); w++)
		for (i = 0; i < o->field_count && o->records > 0; i++) {
			const struct crm_profile_field *f = &o->fields[i];
			int personal =
				f->flagged || (f->pii != CRM_PII_KIND_NONE &&
					       (people || f->pii != CRM_PII_KIND_NAME || strcmp(f->pii_basis, "name")));
			if (strcasestr(f->name, words[w]) && !personal && f->filled == o->records &&
			    f->distinct == (uint64_t)o->records && !f->distinct_approx)
				return f->name;
		}
	return NULL;
}

/*
 * A file without an id column whose records point at two or more parents
 * (HubSpot's deal_contact: deal_id, contact_id), each filled in every record
 * and never the same together twice: its references together name a record,
 * as a junction's do. Written "a + b" in key, cap bytes; 0 when there is none.
 */
static int reference_key(const struct crm_profile_object *o, char *key, size_t cap)
{
	size_t r, i, len = 0;

	if (o->repeated_reference_keys != 0 || o->records == 0)
		return 0;
	key[0] = '\0';
	for (r = 0; r < o->reference_count; r++) {
		for (i = 0; i < o->field_count; i++)
			if (!strcmp(o->fields[i].name, o->references[r].field))
				break;
		if (i == o->field_count || o->fields[i].filled != o->records)
			return 0;
		len += (size_t)snprintf(key + len, len < cap ? cap - len : 0, "%s%s", r ? " + " : "",
					o->references[r].field);
	}
	return len < cap;
}

/* The mapping rows the draft has for object. */
static size_t draft_rows_of(const struct crm_profile *prof, const char *object)
{
	size_t i, n = 0;

	for (i = 0; i < prof->draft_count; i++)
		n += !strcmp(prof->draft[i].col[0], object);
	return n;
}

static int objects_text(struct crm_scaffold *res, struct crm_profile *prof, const struct source_kind *k,
			const char *format, FILE *out, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < prof->count; i++) {
		struct crm_profile_object *o = &prof->objects[i];
		const char *file = strrchr(o->file, '/') ? strrchr(o->file, '/') + 1 : o->file;
		const char *modified, *deleted, *key;
		char table[CRM_MAX_IDENT_LEN + 8], pair[4 * CRM_MAX_IDENT_LEN];
		if (o->fatal) {
			if (skip(res, file, o->fatal, err))
				return err->code;
			continue;
		}
		key = NULL;
		if (!o->id_field && reference_key(o, pair, sizeof(pair))) {
			fprintf(out,
				"\n; %s has no id column: %s, filled in every record and never twice the same\n"
				"; together, name its records (a junction: the same pair twice would be one link)",
				file, pair);
			key = pair;
		} else if (!o->id_field && (key = natural_key(o)) != NULL) {
			fprintf(out,
				"\n; %s has no id column: %s is filled and unique in every record, so it names the "
				"record\n; (a natural key: a record renamed in the source loads as a new one)",
				file, key);
		}
		if (!o->id_field && !key) {
			if (skip(res, file,
				 "no id column (id, Id, Record ID, <object> id), and no field "
				 "filled and unique in every record that is not personal: "
				 "name one and add it by hand",
				 err))
				return err->code;
			continue;
		}
		if (!draft_rows_of(prof, o->name)) {
			/* an object without one mapping row fails plan: the draft leaves it out, and says so */
			if (skip(res, file, "no column to load besides its id (every other column is empty)", err))
				return err->code;
			crm_free(o->id_field); /* not configured: a reference to it becomes plain text */
			o->id_field = NULL;
			continue;
		}
		if (key) {
			if (!(o->id_field = crm_strdup(key)))
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
		table_name(o->name, o->target, table, sizeof(table));
		fprintf(out, "\n[object \"%s\"]\n", o->name);
		if (strcmp(format, "sqlite") != 0)
			fprintf(out, "file = %s\n", file);
		fprintf(out, "id = %s\ntarget = %s\n", o->id_field, table);
		if (strcmp(format, csv_format(k->name)) != 0 && strcmp(format, "sqlite") != 0 && !o->configured)
			fprintf(out, "format = %s\n", csv_format(k->name)); /* a CSV beside JSON exports */
		if ((modified = column_in(o, k->modified)) != NULL)
			fprintf(out, "modified = %s\n", modified);
		if ((deleted = column_in(o, k->deleted)) != NULL)
			fprintf(out, "deleted = %s\n", deleted);
		if (strcmp(o->found_encoding, "utf-8") != 0 && strcmp(o->found_encoding, "ascii") != 0)
			fprintf(out, "; its bytes are not UTF-8\nencoding = %s\n", o->found_encoding);
		res->objects++;
	}
	return 0;
}

/* dir's crmshift.ini and mapping.csv, in buffers of 4096 bytes; an existing mapping.csv is never overwritten. */
static int project_files(const char *dir, char ini[4096], char mapping[4096], struct crm_error *err)
{
	struct stat st;

	if (crm_path_format(ini, 4096, err, "%s/crmshift.ini", dir) ||
	    crm_path_format(mapping, 4096, err, "%s/mapping.csv", dir))
		return err->code;
	if (stat(mapping, &st) == 0)
		return crm_error_set(err, CRM_EINPUT, "'%s' exists: it is not overwritten", mapping);
	return 0;
}

int crm_scaffold_write(struct crm_scaffold *res, const char *dir, const char *name, const char *crm,
		       const char *exports, struct crm_error *err)
{
	const struct source_kind *k = kind_named(crm);
	char abs[PATH_MAX], ini[4096], mapping[4096];
	struct json_exports je;
	struct crm_profile prof;
	const char *format;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&je, 0, sizeof(je));
	je.res = res;
	je.crm = crm;
	if (!k)
		return crm_error_set(err, CRM_EUSAGE,
				     "unknown source CRM '%s' (salesforce, hubspot, pipedrive, generic)", crm);
	if (!realpath(exports, abs) || stat(abs, &st) != 0 || (!S_ISDIR(st.st_mode) && !is_database(abs, &st)))
		return crm_error_set(err, CRM_EINPUT,
				     "'%s' is not a folder of export files, nor a SQLite database (.db, .sqlite, "
				     ".sqlite3) or SQL dump (.sql)",
				     exports);
	if (project_files(dir, ini, mapping, err))
		return err->code;
	/* a database: profile reads each of its tables as an export */
	format = "sqlite";
	if (S_ISDIR(st.st_mode) && find_format(&je, abs, &format, err))
		goto out_json;
	out = open_memstream(&text, &len);
	if (!out) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_json;
	}
	head(out, name, k, "from the exports below", format, abs);
	declared_objects(out, &je, format);
	if (fclose(out) != 0) {
		free(text);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_json;
	}
	rc = crm_file_write(ini, text, len, 0, err);
	free(text);
	if (rc)
		goto out_json;
	if (crm_profile_run(&prof, dir, NULL, err))
		goto out_unlink;
	text = NULL;
	out = open_memstream(&text, &len);
	if (!out) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_release;
	}
	head(out, name, k, "from the exports below", format, abs);
	rc = objects_text(res, &prof, k, format, out, err);
	if (fclose(out) != 0 && !rc)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!err->code && !keep_configured_rows(&prof, err) && !crm_file_write(ini, text, len, 1, err) &&
	    !crm_profile_write_draft(&prof, mapping, err))
		res->mapping_rows = prof.draft_count;
	free(text);
	if (!err->code) {
		crm_profile_release(&prof);
		json_exports_release(&je);
		return 0;
	}
out_release:
	crm_profile_release(&prof);
out_unlink:
	unlink(ini);
	unlink(mapping);
out_json:
	json_exports_release(&je);
	crm_scaffold_release(res);
	return err->code;
}

/* ---- no exports yet: the CRM's template of standard objects ---- */

static void template_objects(FILE *out, const struct crm_template *t)
{
	size_t i;

	for (i = 0; i < t->object_count; i++) {
		const struct crm_template_object *o = &t->objects[i];
		fputc('\n', out);
		if (o->note)
			fprintf(out, "; %s\n", o->note);
		fprintf(out, "[object \"%s\"]\nfile = %s\nid = %s\ntarget = %s\n", o->name, o->file, o->id, o->target);
		if (o->modified)
			fprintf(out, "modified = %s\n", o->modified);
		if (o->deleted)
			fprintf(out, "deleted = %s\n", o->deleted);
		if (o->each)
			fprintf(out, "each = %s\n", o->each);
	}
}

static int template_mapping(const struct crm_template *t, const char *path, struct crm_error *err)
{
	struct crm_atomic_file af;
	size_t i;
	int bad;

	if (crm_atomic_open(&af, path, err))
		return err->code;
	bad = crm_mapping_write_header(af.f);
	for (i = 0; i < t->row_count; i++) {
		const struct crm_template_row *r = &t->rows[i];
		const char *const col[CRM_MAP_TARGET_OBJECT] = {
			r->object,	   r->field,	r->data_type,	    r->target_field,
			r->transform_rule, r->pii_flag, r->validation_rule, ""};
		bad |= crm_mapping_write_row(af.f, col);
	}
	if (bad)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return crm_atomic_commit(&af, err);
}

int crm_scaffold_template(struct crm_scaffold *res, const char *dir, const char *name, const char *crm,
			  struct crm_error *err)
{
	const struct source_kind *k = kind_named(crm);
	const struct crm_template *t = crm_template_find(crm);
	char ini[4096], mapping[4096];
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!k || !t)
		return crm_error_set(err, CRM_EUSAGE,
				     "'%s' has no standard objects to start from: give its exports with --exports",
				     crm);
	if (project_files(dir, ini, mapping, err))
		return err->code;
	out = open_memstream(&text, &len);
	if (!out)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	head(out, name, k, "from crmshift's template of its standard objects", t->format, "exports");
	fprintf(out, "\n; What the template expects:\n; %s\n", t->note);
	template_objects(out, t);
	if (fclose(out) != 0) {
		free(text);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	rc = crm_file_write(ini, text, len, 0, err);
	free(text);
	if (rc)
		return rc;
	if (template_mapping(t, mapping, err)) {
		unlink(ini);
		return err->code;
	}
	res->objects = t->object_count;
	res->mapping_rows = t->row_count;
	return 0;
}
