/*
 * scaffold.c: write a bare crmshift.ini that names the exports folder,
 * profile it (every file is then an export no [object] names, profiled
 * under its own name), and turn what profile found into the [object]
 * sections and its draft into mapping.csv.
 */
#include "compat.h"
#include "engine/scaffold.h"
#include "engine/profile.h"
#include "model/schema.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/path.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void head(FILE *out, const char *name, const struct source_kind *k, const char *exports)
{
	fprintf(out,
		"; crmshift.ini, drafted by 'crmshift init --from %s' from the exports below.\n"
		"; Review every [object] and mapping.csv before loading: 'crmshift profile' shows what\n"
		"; the exports hold, 'crmshift plan' checks what is written here.\n"
		"\n[migration]\nname = %s\n; stored in every target row with the source's own id: keep it stable\n"
		"source_system = %s\n\n[source]\nformat = csv\npath = %s\nencoding = utf-8\n"
		"; the zone of date-times written without one\ntimezone = UTC\n\n[target]\nurl = sqlite:target.db\n"
		"batch_size = 5000\n",
		k->name, name, k->source_system, exports);
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
			char parent[CRM_MAX_IDENT_LEN + 1];
			snprintf(parent, sizeof(parent), "%.*s", (int)strcspn(ref + 4, ")"), ref + 4);
			if (!configured(prof, parent)) {
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

static int objects_text(struct crm_scaffold *res, struct crm_profile *prof, const struct source_kind *k, FILE *out,
			struct crm_error *err)
{
	size_t i;

	for (i = 0; i < prof->count; i++) {
		const struct crm_profile_object *o = &prof->objects[i];
		const char *file = strrchr(o->file, '/') ? strrchr(o->file, '/') + 1 : o->file;
		const char *modified, *deleted;
		char table[CRM_MAX_IDENT_LEN + 8];
		if (o->fatal) {
			if (skip(res, file, o->fatal, err))
				return err->code;
			continue;
		}
		if (!o->id_field) {
			if (skip(res, file,
				 "no id column (id, Id, Record ID, <object> id): name one and add it by hand", err))
				return err->code;
			continue;
		}
		if (o->target)
			snprintf(table, sizeof(table), "%s", o->target);
		else
			crm_schema_ident(o->name, table, sizeof(table));
		fprintf(out, "\n[object \"%s\"]\nfile = %s\nid = %s\ntarget = %s\n", o->name, file, o->id_field, table);
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

int crm_scaffold_write(struct crm_scaffold *res, const char *dir, const char *name, const char *crm,
		       const char *exports, struct crm_error *err)
{
	const struct source_kind *k = kind_named(crm);
	char abs[PATH_MAX], ini[4096], mapping[4096];
	struct crm_profile prof;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!k)
		return crm_error_set(err, CRM_EUSAGE,
				     "unknown source CRM '%s' (salesforce, hubspot, pipedrive, generic)", crm);
	if (!realpath(exports, abs) || stat(abs, &st) != 0 || !S_ISDIR(st.st_mode))
		return crm_error_set(err, CRM_EINPUT, "'%s' is not a folder of export files", exports);
	if (crm_path_format(ini, sizeof(ini), err, "%s/crmshift.ini", dir) ||
	    crm_path_format(mapping, sizeof(mapping), err, "%s/mapping.csv", dir))
		return err->code;
	if (stat(mapping, &st) == 0)
		return crm_error_set(err, CRM_EINPUT, "'%s' exists: it is not overwritten", mapping);
	out = open_memstream(&text, &len);
	if (!out)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	head(out, name, k, abs);
	if (fclose(out) != 0) {
		free(text);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	rc = crm_file_write(ini, text, len, 0, err);
	free(text);
	if (rc)
		return rc;
	if (crm_profile_run(&prof, dir, NULL, err))
		goto out_unlink;
	text = NULL;
	out = open_memstream(&text, &len);
	if (!out) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_release;
	}
	head(out, name, k, abs);
	rc = objects_text(res, &prof, k, out, err);
	if (fclose(out) != 0 && !rc)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!err->code && !keep_configured_rows(&prof, err) && !crm_file_write(ini, text, len, 1, err) &&
	    !crm_profile_write_draft(&prof, mapping, err))
		res->mapping_rows = prof.draft_count;
	free(text);
	if (!err->code) {
		crm_profile_release(&prof);
		return 0;
	}
out_release:
	crm_profile_release(&prof);
out_unlink:
	unlink(ini);
	unlink(mapping);
	crm_scaffold_release(res);
	return err->code;
}
