/*
 * refkey.c: a parent's other unique column, read from its export, mapped
 * to its loaded records' target ids (refkey.h).
 */
#include "compat.h"
#include "engine/refkey.h"
#include "util/alloc.h"
#include "transform/sfid.h"
#include "transform/textfn.h"

#include <stdio.h>
#include <string.h>

/* One record of a parent's export: its id as the stager writes it, its value of the column trimmed, its line. */
typedef int (*record_fn)(void *ctx, const char *id, size_t id_len, const char *value, size_t value_len,
			 unsigned long line, struct crm_error *err);

/* Calls fn for each well-formed record of o's export (malformed ones are rejected by the load: they name no parent). */
static int each_record(const struct crm_project_object *o, const char *column, record_fn fn, void *ctx,
		       struct crm_error *err)
{
	struct crm_error rerr = CRM_ERROR_INIT;
	struct crm_reader *r = crm_project_reader_open(o, err);
	struct crm_record rec;
	long key_col = -1, id_col = -1;
	int salesforce = o->cfg->format && strcmp(o->cfg->format, "salesforce") == 0, rc;

	if (!r)
		return err->code;
	while ((rc = crm_reader_next(r, &rec, &rerr)) != CRM_READ_EOF) {
		char id18[CRM_SFID_LEN + 1];
		const char *id, *value;
		size_t id_len, value_len;
		if (rc < 0) {
			crm_error_set(err, rerr.code, "%s", rerr.msg);
			break;
		}
		if (rc == CRM_READ_BAD_RECORD) {
			crm_error_clear(&rerr);
			continue;
		}
		if (rec.index == 0) {
			key_col = crm_reader_column(r, column);
			id_col = crm_reader_column(r, o->cfg->id);
			if (key_col < 0 || id_col < 0) {
				crm_error_set(err, CRM_EINPUT, "%s: no column '%s'", crm_reader_path(r),
					      key_col < 0 ? column : o->cfg->id);
				break;
			}
			continue;
		}
		value = rec.fields[key_col].ptr;
		value_len = rec.fields[key_col].len;
		crm_text_trim(&value, &value_len);
		id = rec.fields[id_col].ptr;
		id_len = rec.fields[id_col].len;
		crm_text_trim(&id, &id_len);
		/* the id as the stager writes it, so it is found in the cross-reference */
		if (salesforce && crm_sfid_normalize(id, id_len, id18, NULL, 0) == 0) {
			id = id18;
			id_len = CRM_SFID_LEN;
		}
		if (fn(ctx, id, id_len, value, value_len, rec.line, err))
			break;
	}
	crm_reader_close(r);
	return err->code;
}

/*
 * Maps value to target; a value another target has maps to
 * CRM_REFKEY_AMBIGUOUS. 1 when this record made it so (*other: the
 * target it had), 0 when not, or an error.
 */
static int map_put(struct crm_xref_cache *map, const char *value, size_t len, int64_t target, int64_t *other,
		   struct crm_error *err)
{
	int64_t known;

	if (crm_xref_cache_get(map, value, len, &known)) {
		if (known == CRM_REFKEY_AMBIGUOUS || known == target)
			return 0;
		*other = known;
		return crm_xref_cache_put(map, value, len, CRM_REFKEY_AMBIGUOUS, err) ? err->code : 1;
	}
	return crm_xref_cache_put(map, value, len, target, err);
}

struct load {
	struct crm_xref_cache *map;
	const struct crm_xref_cache *ids;
	struct crm_refkey_stats *stats;
};

static int load_record(void *ctx, const char *id, size_t id_len, const char *value, size_t value_len,
		       unsigned long line, struct crm_error *err)
{
	struct load *l = ctx;
	int64_t target = (int64_t)line, other = 0;
	int rc;

	if (!value_len)
		return 0;
	if (l->ids && !crm_xref_cache_get(l->ids, id, id_len, &target))
		return 0; /* not loaded: it names no parent in the target */
	rc = map_put(l->map, value, value_len, target, &other, err);
	if (rc == 1 && l->stats && !l->stats->ambiguous++) {
		snprintf(l->stats->first_value, sizeof(l->stats->first_value), "%.*s",
			 (int)(value_len > 63 ? 63 : value_len), value);
		l->stats->first_lines[0] = l->ids ? 0 : (unsigned long)other;
		l->stats->first_lines[1] = line;
	}
	return rc < 0 ? rc : 0;
}

struct crm_xref_cache *crm_refkey_load(const struct crm_project_object *o, const char *column,
				       const struct crm_xref_cache *ids, struct crm_refkey_stats *stats,
				       struct crm_error *err)
{
	struct load l = {crm_xref_cache_new(), ids, stats};

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!l.map) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (each_record(o, column, load_record, &l, err)) {
		crm_xref_cache_free(l.map);
		return NULL;
	}
	return l.map;
}

struct value_entry {
	const char *id, *value;
	size_t id_len, value_len;
	struct crm_id_hash id_hash;
};

struct crm_refkey_values {
	int64_t key;
	char *column;
	struct crm_xref_cache *index; /* source id -> its entry's position */
	struct value_entry *entries;
	size_t count, cap;
	struct crm_arena arena;		  /* the values */
	struct crm_state_refkey *changed; /* the values that changed, until appended (crm_refkey_values_flush) */
	size_t changed_count, cap_changed;
};

/*
 * Keeps id's value (*kept: its entry): 2 when it replaced another value
 * the record had, 1 when the record had none, 0 when the same, or an error.
 */
static int keep_value(struct crm_refkey_values *v, const char *id, size_t id_len, const char *value, size_t value_len,
		      const struct value_entry **kept, struct crm_error *err)
{
	struct crm_id_hash hash = crm_xref_cache_hash(id, id_len);
	struct value_entry *e;
	int64_t at;
	int replaced;

	if (!crm_xref_cache_get_hashed(v->index, hash.low, hash.high, &at)) {
		if (crm_grow(&v->entries, v->count, &v->cap, sizeof(*v->entries), 256) ||
		    crm_xref_cache_put_hashed(v->index, hash, (int64_t)v->count, err))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		e = &v->entries[v->count++];
		e->id = crm_arena_strndup(&v->arena, id, id_len);
		e->id_len = id_len;
		e->id_hash = hash;
		e->value_len = 0;
		if (!e->id)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	} else {
		e = &v->entries[at];
		if (e->value_len == value_len && memcmp(e->value, value, value_len) == 0)
			return 0;
	}
	*kept = e;
	replaced = e->value_len > 0;
	e->value = value_len ? crm_arena_strndup(&v->arena, value, value_len) : "";
	e->value_len = value_len;
	if (!e->value)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return replaced ? 2 : 1;
}

static int kept_value(void *ctx, const char *id, size_t id_len, const char *value, size_t value_len,
		      struct crm_error *err)
{
	const struct value_entry *e;
	int rc = keep_value(ctx, id, id_len, value, value_len, &e, err);

	return rc < 0 ? rc : 0;
}

struct crm_refkey_values *crm_refkey_values_load(struct crm_state *state, int64_t key, const char *column,
						 struct crm_error *err)
{
	struct crm_refkey_values *v = crm_calloc(1, sizeof(*v));

	if (!v || !(v->column = crm_strdup(column)) || !(v->index = crm_xref_cache_new())) {
		if (v)
			crm_free(v->column);
		crm_free(v);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	v->key = key;
	crm_arena_init(&v->arena, 1 << 16);
	if (crm_state_refkeys_each(state, key, column, kept_value, v, err)) {
		crm_refkey_values_free(v);
		return NULL;
	}
	return v;
}

void crm_refkey_values_free(struct crm_refkey_values *v)
{
	if (!v)
		return;
	crm_free(v->column);
	crm_xref_cache_free(v->index);
	crm_free(v->entries);
	crm_arena_release(&v->arena);
	crm_free(v->changed);
	crm_free(v);
}

size_t crm_refkey_values_count(const struct crm_refkey_values *v)
{
	return v->count;
}

/* Keeps id's value, and notes it to append when it changed: keep_value's return. */
static int keep_changed(struct crm_refkey_values *v, const char *id, size_t id_len, const char *value, size_t value_len,
			struct crm_error *err)
{
	const struct value_entry *e;
	struct crm_state_refkey *c;
	int rc = keep_value(v, id, id_len, value, value_len, &e, err);

	if (rc <= 0)
		return rc;
	if (crm_grow(&v->changed, v->changed_count, &v->cap_changed, sizeof(*v->changed), 256))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	c = &v->changed[v->changed_count++];
	c->source_id = e->id;
	c->source_id_len = e->id_len;
	c->value = e->value;
	c->value_len = e->value_len;
	return rc;
}

static int read_record(void *ctx, const char *id, size_t id_len, const char *value, size_t value_len,
		       unsigned long line, struct crm_error *err)
{
	int rc = id_len ? keep_changed(ctx, id, id_len, value, value_len, err) : 0;

	(void)line;
	return rc < 0 ? rc : 0;
}

int crm_refkey_values_read(struct crm_refkey_values *v, const struct crm_project_object *o, struct crm_state *state,
			   int64_t run, struct crm_error *err)
{
	return each_record(o, v->column, read_record, v, err) || crm_refkey_values_flush(v, state, run, err) ? err->code
													     : 0;
}

int crm_refkey_values_set(struct crm_refkey_values *v, const char *id, size_t id_len, const char *value,
			  size_t value_len, struct crm_error *err)
{
	int rc = keep_changed(v, id, id_len, value, value_len, err);

	return rc < 0 ? rc : rc == 2;
}

int crm_refkey_values_flush(struct crm_refkey_values *v, struct crm_state *state, int64_t run, struct crm_error *err)
{
	size_t n = v->changed_count;

	v->changed_count = 0;
	return crm_state_refkeys_put(state, run, v->key, v->column, v->changed, n, err);
}

struct crm_xref_cache *crm_refkey_map(const struct crm_refkey_values *v, const struct crm_xref_cache *ids,
				      struct crm_error *err)
{
	struct crm_xref_cache *map = crm_xref_cache_new();
	size_t i;

	if (!map) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < v->count; i++) {
		const struct value_entry *e = &v->entries[i];
		int64_t target, other;
		if (!e->value_len || !crm_xref_cache_get_hashed(ids, e->id_hash.low, e->id_hash.high, &target))
			continue; /* no value, or not loaded: it names no parent in the target */
		if (map_put(map, e->value, e->value_len, target, &other, err) < 0) {
			crm_xref_cache_free(map);
			return NULL;
		}
	}
	return map;
}

int crm_refkey_map_note(struct crm_xref_cache *map, const struct crm_refkey_values *v, struct crm_id_hash id,
			int64_t target_id, struct crm_error *err)
{
	const struct value_entry *e;
	int64_t at, other;

	if (!crm_xref_cache_get_hashed(v->index, id.low, id.high, &at))
		return 0;
	e = &v->entries[at];
	return e->value_len && map_put(map, e->value, e->value_len, target_id, &other, err) < 0 ? err->code : 0;
}
