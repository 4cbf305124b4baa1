/*
 * project.c: opening a project and ordering its objects.
 */
#include "compat.h"
#include "engine/project.h"
#include "engine/dedupe.h"
#include "io/reader.h"
#include "util/alloc.h"

#include <string.h>

struct crm_project_object *crm_project_object(struct crm_project *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (strcmp(p->objects[i].cfg->name, name) == 0)
			return &p->objects[i];
	return NULL;
}

struct crm_reader *crm_project_reader_open(const struct crm_project_object *o, struct crm_error *err)
{
	struct crm_reader_spec spec = {.path = o->path,
				       .kind = crm_config_reader_kind(o->cfg),
				       .encoding = o->encoding,
				       .delimiter = o->cfg->delimiter,
				       .stream = o->cfg->stream,
				       .key = o->cfg->id,
				       .each = o->cfg->each,
				       .pad_short_rows = o->cfg->pad_short_rows,
				       .table = o->cfg->table};

	return crm_reader_open(&spec, err);
}

static void release_columns(struct crm_project_object *o)
{
	size_t i;

	for (i = 0; i < o->column_count; i++)
		crm_free(o->columns[i]);
	crm_free(o->columns);
	o->columns = NULL;
	o->column_count = 0;
}

void crm_project_release(struct crm_project *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		crm_program_free(p->objects[i].prog);
		crm_free(p->objects[i].path);
		crm_free(p->objects[i].deferred);
		release_columns(&p->objects[i]);
	}
	crm_free(p->objects);
	crm_free(p->order);
	crm_diags_release(&p->diags);
	crm_mapping_release(&p->map);
	crm_config_release(&p->cfg);
	crm_key_wipe(&p->pseudonym_key);
	crm_key_wipe(&p->data_key);
	memset(p, 0, sizeof(*p));
}

/*
 * A data key of [security] (name: its key, rel: its value), read once, here,
 * so that a bad key stops the project before any record is read.
 */
static int load_key(struct crm_project *p, const char *name, const char *rel, struct crm_key *key,
		    struct crm_error *err)
{
	struct crm_error key_err = CRM_ERROR_INIT;
	char *path;

	if (!rel)
		return 0;
	path = crm_config_path(&p->cfg, rel);
	if (!path)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_key_load(path, CRM_KEY_DATA, key, &key_err);
	crm_free(path);
	if (key_err.code)
		return crm_error_set(err, key_err.code, "%s: [security] %s: %s", p->cfg.path, name, key_err.msg);
	return 0;
}

/* The header's names, and where the sync columns ([object] modified and deleted) are. */
static int read_header(struct crm_project_object *o, const struct crm_reader *r, const struct crm_record *hdr,
		       struct crm_error *err)
{
	size_t i;

	o->columns = crm_calloc(hdr->count ? hdr->count : 1, sizeof(*o->columns));
	if (!o->columns)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < hdr->count; i++) {
		o->columns[i] = crm_strndup(hdr->fields[i].ptr, hdr->fields[i].len);
		if (!o->columns[i])
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		o->column_count++;
	}
	o->modified_col = o->cfg->modified ? crm_reader_column(r, o->cfg->modified) : -1;
	o->deleted_col = o->cfg->deleted ? crm_reader_column(r, o->cfg->deleted) : -1;
	if (o->cfg->modified && o->modified_col < 0)
		return crm_error_set(err, CRM_EINPUT, "%s: [object \"%s\"] modified = %s: the file has no such column",
				     o->path, o->cfg->name, o->cfg->modified);
	if (o->cfg->deleted && o->deleted_col < 0)
		return crm_error_set(err, CRM_EINPUT, "%s: [object \"%s\"] deleted = %s: the file has no such column",
				     o->path, o->cfg->name, o->cfg->deleted);
	return 0;
}

/* Compiles o's program against the header of o->path; problems go to diags too (when non-NULL). */
static int compile_program(struct crm_project *p, struct crm_project_object *o, struct crm_diags *diags,
			   struct crm_error *err)
{
	struct crm_reader *r;
	struct crm_record rec;
	int rc;

	o->encoding = crm_config_encoding(&p->cfg, o->cfg);
	r = crm_project_reader_open(o, err);
	if (!r)
		goto fail;
	rc = crm_reader_next(r, &rec, err);
	if (rc == CRM_READ_EOF)
		crm_error_set(err, CRM_EINPUT, "%s: empty file (no header)", o->path);
	if (rc != CRM_READ_RECORD || read_header(o, r, &rec, err)) {
		crm_reader_close(r);
		goto fail;
	}
	/* the compiler adds its own problems to diags */
	o->prog = crm_program_compile(&p->cfg, &p->map, o->cfg, r,
				      p->pseudonym_key.id[0] ? p->pseudonym_key.secret : NULL, diags, err);
	crm_reader_close(r);
	return err->code;
fail:
	if (diags && err->code != CRM_ENOMEM)
		crm_diags_add(diags, err);
	return err->code;
}

static int compile_object(struct crm_project *p, struct crm_project_object *o, struct crm_error *first)
{
	struct crm_error err = CRM_ERROR_INIT;

	if (compile_program(p, o, &p->diags, &err)) {
		if (!first->code)
			*first = err;
		return err.code;
	}
	o->deferred = crm_calloc(o->prog->field_count ? o->prog->field_count : 1, sizeof(int));
	if (!o->deferred)
		return crm_error_set(first, CRM_ENOMEM, "out of memory");
	return 0;
}

int crm_project_use_file(struct crm_project *p, struct crm_project_object *o, const char *path, struct crm_error *err)
{
	char *copy = crm_strdup(path);

	if (!copy)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_program_free(o->prog);
	o->prog = NULL;
	release_columns(o);
	crm_free(o->path);
	o->path = copy;
	/* the same mapping rows: the fields, and which of them pass 2 sets, stay as they were */
	if (compile_program(p, o, NULL, err))
		return err->code;
	return 0;
}

int crm_project_file_view(struct crm_project *p, const struct crm_project_object *o, const char *path,
			  struct crm_project_object *view, struct crm_error *err)
{
	memset(view, 0, sizeof(*view));
	view->cfg = o->cfg;
	view->deferred = o->deferred;
	view->has_deferred = o->has_deferred;
	view->order = o->order;
	if (crm_project_use_file(p, view, path, err)) {
		crm_project_file_view_release(view);
		return err->code;
	}
	return 0;
}

void crm_project_file_view_release(struct crm_project_object *view)
{
	crm_program_free(view->prog);
	release_columns(view);
	crm_free(view->path);
	memset(view, 0, sizeof(*view));
}

/* 1 when object a has a (non-self) reference to object b */
static int refers_to(const struct crm_project_object *a, const struct crm_project_object *b)
{
	size_t i;

	if (!a->prog || a == b)
		return 0;
	for (i = 0; i < a->prog->field_count; i++)
		if (a->prog->fields[i].ref_object && strcmp(a->prog->fields[i].ref_object, b->cfg->name) == 0)
			return 1;
	return 0;
}

static int order_objects(struct crm_project *p, struct crm_error *err)
{
	int *placed = crm_calloc(p->count ? p->count : 1, sizeof(int));
	size_t n = 0, i, j, f;

	p->order = crm_calloc(p->count ? p->count : 1, sizeof(size_t));
	if (!placed || !p->order) {
		crm_free(placed);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	while (n < p->count) {
		size_t best = p->count, best_missing = (size_t)-1;
		/* Kahn's algorithm in config order; on a cycle, the object waiting on fewest goes first */
		for (i = 0; i < p->count; i++) {
			size_t missing = 0;
			if (placed[i])
				continue;
			for (j = 0; j < p->count; j++)
				if (!placed[j] && refers_to(&p->objects[i], &p->objects[j]))
					missing++;
			if (missing < best_missing) {
				best = i;
				best_missing = missing;
			}
			if (missing == 0)
				break;
		}
		if (best_missing > 0)
			p->cycle_broken = 1;
		placed[best] = 1;
		p->objects[best].order = n;
		p->order[n++] = best;
	}
	crm_free(placed);
	for (i = 0; i < p->count; i++) {
		struct crm_project_object *o = &p->objects[i];
		if (!o->prog)
			continue;
		for (f = 0; f < o->prog->field_count; f++) {
			const char *parent = o->prog->fields[f].ref_object;
			struct crm_project_object *po = parent ? crm_project_object(p, parent) : NULL;
			if (po && po->order >= o->order) {
				o->deferred[f] = 1;
				o->has_deferred = 1;
			}
		}
	}
	return 0;
}

/* Every [dedupe] rule compares columns its object's mapping fills. */
static void check_dedupes(struct crm_project *p, struct crm_error *first)
{
	size_t i;

	for (i = 0; i < p->cfg.dedupe_count; i++) {
		const struct crm_dedupe_config *d = &p->cfg.dedupes[i];
		const struct crm_project_object *o = crm_project_object(p, d->object);
		struct crm_error e = CRM_ERROR_INIT;
		if (!o || !o->prog || !crm_dedupe_check(p, o, d, &e))
			continue; /* the object's own errors are reported */
		crm_diags_add(&p->diags, &e);
		if (!first->code)
			*first = e;
	}
}

/* Each ref(Object.field) names a column of the parent's export. */
static void check_ref_keys(struct crm_project *p, struct crm_error *first)
{
	size_t o, f, c;

	for (o = 0; o < p->count; o++) {
		const struct crm_program *prog = p->objects[o].prog;
		for (f = 0; prog && f < prog->field_count; f++) {
			const struct crm_field_program *field = &prog->fields[f];
			const struct crm_project_object *parent;
			struct crm_error e = CRM_ERROR_INIT;
			int found = 0;
			if (!field->ref_key)
				continue;
			parent = crm_project_object(p, field->ref_object);
			if (!parent->columns)
				continue; /* its export could not be read: that error is reported */
			for (c = 0; c < parent->column_count && !found; c++)
				found = strcmp(parent->columns[c], field->ref_key) == 0;
			if (found)
				continue;
			crm_error_set(&e, CRM_EINPUT, "%s:%lu: ref(%s.%s): %s has no column '%s'", p->map.path,
				      field->row->line, field->ref_object, field->ref_key, parent->path,
				      field->ref_key);
			crm_diags_add(&p->diags, &e);
			if (!first->code)
				*first = e;
		}
	}
}

/* Each [policy] lost_links.Object.field names a ref() column of a mapped object. */
static void check_link_thresholds(struct crm_project *p, struct crm_error *first)
{
	const struct crm_policy *pol = &p->cfg.policy;
	size_t i, f;

	for (i = 0; i < pol->link_threshold_count; i++) {
		const struct crm_link_threshold *t = &pol->link_thresholds[i];
		struct crm_error e = CRM_ERROR_INIT;
		int found = 0;
		size_t o;
		for (o = 0; o < p->count && !found; o++) {
			const char *name = p->objects[o].cfg->name;
			size_t len = strlen(name);
			const struct crm_program *prog = p->objects[o].prog;
			if (strncmp(t->reference, name, len) != 0 || t->reference[len] != '.')
				continue;
			if (!prog)
				found = 1; /* its mapping did not compile: that error is the one to fix first */
			for (f = 0; prog && f < prog->field_count && !found; f++)
				found = prog->fields[f].ref_object &&
					strcmp(prog->fields[f].target_field, t->reference + len + 1) == 0;
		}
		if (found)
			continue;
		crm_error_set(&e, CRM_EINPUT,
			      "%s:%lu: [policy] lost_links.%s names no reference: write lost_links.Object.field, "
			      "with a field that ref() fills",
			      p->cfg.path, t->line, t->reference);
		crm_diags_add(&p->diags, &e);
		if (!first->code)
			*first = e;
	}
}

int crm_project_open(struct crm_project *p, const char *dir, struct crm_error *err)
{
	struct crm_error first = CRM_ERROR_INIT;
	char *mapping_path;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (crm_config_load(&p->cfg, dir, err))
		return err->code;
	if (p->cfg.object_count == 0) {
		/* a project may be profiled before it names its objects, not loaded */
		crm_error_set(err, CRM_EINPUT,
			      "%s: no [object \"...\"] section: nothing to migrate ('crmshift profile' shows what the "
			      "exports hold)",
			      p->cfg.path);
		crm_project_release(p);
		return err->code;
	}
	if (load_key(p, "pseudonymize_key", p->cfg.pseudonymize_key, &p->pseudonym_key, err) ||
	    load_key(p, "key_file", p->cfg.key_file, &p->data_key, err)) {
		crm_project_release(p);
		return err->code;
	}
	mapping_path = crm_config_path(&p->cfg, "mapping.csv");
	if (!mapping_path) {
		crm_project_release(p);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	if (crm_mapping_load(&p->map, mapping_path, err)) {
		crm_free(mapping_path);
		crm_project_release(p);
		return err->code;
	}
	crm_free(mapping_path);
	for (i = 0; i < p->map.count; i++) {
		const struct crm_mapping_row *row = &p->map.rows[i];
		if (!crm_config_object(&p->cfg, row->col[CRM_MAP_SOURCE_OBJECT])) {
			struct crm_error e = CRM_ERROR_INIT;
			crm_error_set(&e, CRM_EINPUT, "%s:%lu: source_object '%s' has no [object \"%s\"] section in %s",
				      p->map.path, row->line, row->col[CRM_MAP_SOURCE_OBJECT],
				      row->col[CRM_MAP_SOURCE_OBJECT], p->cfg.path);
			crm_diags_add(&p->diags, &e);
			if (!first.code)
				first = e;
		}
	}
	p->objects = crm_calloc(p->cfg.object_count ? p->cfg.object_count : 1, sizeof(*p->objects));
	if (!p->objects) {
		crm_project_release(p);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	p->count = p->cfg.object_count;
	for (i = 0; i < p->count; i++) {
		struct crm_project_object *o = &p->objects[i];
		o->cfg = &p->cfg.objects[i];
		o->path = crm_config_export_path(&p->cfg, o->cfg);
		if (!o->path) {
			crm_project_release(p);
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
		if (compile_object(p, o, &first) == CRM_ENOMEM) {
			crm_project_release(p);
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
	}
	check_link_thresholds(p, &first);
	check_ref_keys(p, &first);
	check_dedupes(p, &first);
	if (!first.code && order_objects(p, &first)) {
		crm_project_release(p);
		return crm_error_set(err, first.code, "%s", first.msg);
	}
	if (first.code) {
		crm_error_set(err, first.code, "%s", first.msg);
		/* keep the diagnostics for the caller: release everything else */
		{
			struct crm_diags keep = p->diags;
			p->diags.msgs = NULL;
			p->diags.count = 0;
			crm_project_release(p);
			p->diags = keep;
		}
		return err->code;
	}
	return 0;
}

const char *crm_project_list_next(const char **cursor, size_t *len)
{
	const char *p = *cursor, *end;
	size_t n;

	if (!p || !*p)
		return NULL;
	end = strchr(p, ',');
	n = end ? (size_t)(end - p) : strlen(p);
	*cursor = end ? end + 1 : NULL;
	while (n && *p == ' ') {
		p++;
		n--;
	}
	while (n && p[n - 1] == ' ')
		n--;
	*len = n;
	return p;
}

int crm_project_selected(const char *list, const char *name)
{
	size_t len = strlen(name), n;
	const char *cursor = list, *item;

	if (!list)
		return 1;
	while ((item = crm_project_list_next(&cursor, &n)) != NULL)
		if (n == len && strncmp(item, name, len) == 0)
			return 1;
	return 0;
}

int crm_project_check_selection(const struct crm_project *p, const char *list, struct crm_error *err)
{
	const char *cursor = list, *s;
	size_t n, i;

	while ((s = crm_project_list_next(&cursor, &n)) != NULL) {
		int known = 0;
		for (i = 0; i < p->count; i++)
			known |= strlen(p->objects[i].cfg->name) == n && strncmp(p->objects[i].cfg->name, s, n) == 0;
		if (!known)
			return crm_error_set(err, CRM_EUSAGE, "--objects: '%.*s' is not an object of this project",
					     (int)n, s);
	}
	return 0;
}
