/*
 * migrate.c: the load loop. See docs/internals/migrate.md for the state
 * machine; in short, for each selected object in load order:
 *
 *   pass 1  read the export; map, check and resolve each record; upsert it
 *           (insert, update with its pre-image in the ledger, or skip when
 *           its content hash is unchanged); references to the object itself
 *           or to one loaded later are left for pass 2
 *   pass 2  (objects with such references) read the export again and set
 *           the references now that every parent is loaded
 *
 * Every batch commits the target rows, their xref and ledger rows and the
 * object's checkpoint (records done, counts, report offsets) in one
 * transaction. --resume restarts each object from its checkpoint and cuts the
 * reports back to the committed offsets, so nothing is counted or reported
 * twice.
 */
#include "compat.h"
#include "engine/migrate-int.h"
#include "engine/sales.h"
#include "engine/refkey.h"
#include "engine/sample.h"
#include "audit/seal.h"
#include "engine/snapshot.h"
#include "engine/source.h"
#include "engine/stage.h"
#include "state/session.h"
#include "io/csv.h"
#include "state/xrefcache.h"
#include "store/store.h"
#include "transform/datetime.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/fault.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Records of the source a migrate's snapshot keeps as its sample, across the exports. */
#define SOURCE_SAMPLE 100

/* How many records ahead of the one it loads the loader asks for their id caches' slots */
#define PREFETCH_AHEAD 8

int migrate_prepared_init(struct prepared *pr, const struct crm_program *prog, struct crm_error *err)
{
	memset(pr, 0, sizeof(*pr));
	pr->out = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*pr->out));
	pr->resolved = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*pr->resolved));
	if (!pr->out || !pr->resolved)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

void migrate_prepared_release(struct prepared *pr)
{
	crm_free(pr->out);
	crm_free(pr->resolved);
}

/* The cross-reference of object index i in memory, loaded at first use. */
static struct crm_xref_cache *cache_for(struct migration *m, size_t i, struct crm_error *err)
{
	if (!m->caches[i]) {
		/* its entries, if they are being made, are in the state once that commits */
		if (migrate_indexing_pending(m, i) && migrate_indexing_wait(m, err))
			return NULL;
		m->caches[i] = crm_state_xref_cache_load(m->session.state, m->keys[i], err);
	}
	return m->caches[i];
}

/* The values of a parent's column that ref(Object.column) links name (refkey.h), kept for the run. */
struct key_values {
	size_t parent; /* project object index */
	const char *column;
	struct crm_refkey_values *values;
};

/* What ref(Object.field) resolves by (refkey.h), for one reference field. */
struct key_map {
	const struct crm_field_program *field;
	size_t parent; /* project object index */
	struct crm_refkey_values *values;
	struct crm_xref_cache *map;
	/*
	 * A reference filled in the second pass (to the object itself, or in a
	 * cycle): its map is built once a pass and kept while the pass writes
	 * the parent's records, which would otherwise rebuild it after each.
	 * Pass 1 resolves it against the records loaded before the pass (as
	 * the next run's pass 1 will, so an unchanged record stays unchanged);
	 * pass 2, against them all.
	 */
	int per_pass;
};

/*
 * Whether this run reads object i's export: a change stream reads none,
 * and a sync leaves out the objects not selected and those --from has no
 * file of (their exports are where earlier runs read them).
 */
static int reads_export(const struct migration *m, size_t i)
{
	const struct crm_project_object *o = &m->p->objects[i];

	return !m->opt->events && crm_project_selected(m->opt->objects, o->cfg->name) &&
	       !m->res->objects[o->order].no_file;
}

/*
 * The values of parent's column at first use: what earlier runs kept, and
 * over them this run's export of the parent (or its only export, in a
 * project whose earlier runs kept none).
 */
static struct crm_refkey_values *values_for(struct migration *m, size_t parent, const char *column,
					    struct crm_error *err)
{
	struct crm_refkey_values *v;
	size_t i;

	for (i = 0; i < m->key_value_count; i++)
		if (m->key_values[i].parent == parent && strcmp(m->key_values[i].column, column) == 0)
			return m->key_values[i].values;
	v = crm_refkey_values_load(m->session.state, m->keys[parent], column, err);
	if (!v)
		return NULL;
	if ((reads_export(m, parent) || !crm_refkey_values_count(v)) &&
	    crm_refkey_values_read(v, &m->p->objects[parent], m->session.state, m->run, err)) {
		crm_refkey_values_free(v);
		return NULL;
	}
	if (crm_grow(&m->key_values, m->key_value_count, &m->key_value_cap, sizeof(*m->key_values), 4)) {
		crm_refkey_values_free(v);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	m->key_values[i].parent = parent;
	m->key_values[i].column = column;
	m->key_values[i].values = v;
	m->key_value_count++;
	return v;
}

/* The map of a ref(Object.field), built from the parent's values and cross-reference at first use. */
static struct crm_xref_cache *key_map_for(struct migration *m, const struct crm_field_program *field, int per_pass,
					  struct crm_error *err)
{
	size_t i, parent = (size_t)(crm_project_object(m->p, field->ref_object) - m->p->objects);
	struct crm_xref_cache *ids;
	struct key_map *maps;

	for (i = 0; i < m->key_map_count && m->key_maps[i].field != field; i++)
		;
	if (i < m->key_map_count && m->key_maps[i].map)
		return m->key_maps[i].map;
	ids = cache_for(m, parent, err);
	if (!ids)
		return NULL;
	if (i == m->key_map_count) {
		if (crm_grow(&m->key_maps, m->key_map_count, &m->key_map_cap, sizeof(*m->key_maps), 4)) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
		maps = m->key_maps;
		maps[i].field = field;
		maps[i].parent = parent;
		maps[i].per_pass = per_pass;
		maps[i].map = NULL;
		if (!(maps[i].values = values_for(m, parent, field->ref_key, err)))
			return NULL;
		m->key_map_count++;
	}
	m->key_maps[i].map = crm_refkey_map(m->key_maps[i].values, ids, err);
	return m->key_maps[i].map;
}

/*
 * The parent's records changed: the maps that resolve by its other columns
 * are built again when next needed (a per-pass map at the next pass:
 * parent SIZE_MAX drops those).
 */
static void key_maps_drop(struct migration *m, size_t parent)
{
	size_t i;

	for (i = 0; i < m->key_map_count; i++)
		if (m->key_maps[i].map &&
		    (parent == SIZE_MAX ? m->key_maps[i].per_pass
					: m->key_maps[i].parent == parent && !m->key_maps[i].per_pass)) {
			crm_xref_cache_free(m->key_maps[i].map);
			m->key_maps[i].map = NULL;
		}
}

int migrate_key_resolves(struct migration *m, const struct crm_project_object *o, size_t f, const char *value,
			 size_t len, struct crm_error *err)
{
	struct crm_xref_cache *map = key_map_for(m, &o->prog->fields[f], o->deferred[f], err);
	int64_t target;

	if (!map)
		return err->code;
	return crm_xref_cache_get(map, value, len, &target) && target != CRM_REFKEY_AMBIGUOUS;
}

/*
 * The parent's built maps learn that its record (by its id's key) is
 * target_id; a map the parent's pass keeps (per_pass) sees only the
 * records loaded before the pass.
 */
static int maps_learn(struct migration *m, size_t parent, struct crm_id_hash key, int64_t target_id,
		      struct crm_error *err)
{
	size_t i;

	for (i = 0; i < m->key_map_count; i++)
		if (m->key_maps[i].map && m->key_maps[i].parent == parent && !m->key_maps[i].per_pass &&
		    crm_refkey_map_note(m->key_maps[i].map, m->key_maps[i].values, key, target_id, err))
			return err->code;
	return 0;
}

/* The parent's maps learn a record's value, if it is loaded (else they learn it when it is: migrate_cache_note). */
static int note_loaded(struct migration *m, size_t parent, const char *id, size_t id_len, struct crm_error *err)
{
	struct crm_id_hash key = crm_xref_cache_hash(id, id_len);
	int64_t target;

	if (!m->caches[parent] || !crm_xref_cache_get_hashed(m->caches[parent], key.low, key.high, &target))
		return 0;
	return maps_learn(m, parent, key, target, err);
}

int migrate_note_ref_keys(struct migration *m, const struct crm_project_object *o, const char *id, size_t id_len,
			  const struct crm_record *raw, struct crm_error *err)
{
	size_t parent = (size_t)(o - m->p->objects), i, f, c;

	for (i = 0; i < m->p->count; i++) {
		const struct crm_program *prog = m->p->objects[i].prog;
		for (f = 0; prog && f < prog->field_count; f++) {
			const struct crm_field_program *field = &prog->fields[f];
			struct crm_refkey_values *v;
			const char *value;
			size_t len;
			int rc;
			if (!field->ref_key || crm_project_object(m->p, field->ref_object) != o)
				continue;
			for (c = 0; c < o->column_count && strcmp(o->columns[c], field->ref_key) != 0; c++)
				;
			if (c == o->column_count)
				continue; /* no such column: refused when the project opens (check_ref_keys) */
			value = raw->fields[c].ptr;
			len = raw->fields[c].len;
			crm_text_trim(&value, &len);
			if (!(v = values_for(m, parent, field->ref_key, err)))
				return err->code;
			rc = crm_refkey_values_set(v, id, id_len, value, len, err);
			if (rc < 0)
				return rc;
			if (rc)
				key_maps_drop(m, parent); /* the record's old value names it no more */
			else if (note_loaded(m, parent, id, id_len, err))
				return err->code;
		}
	}
	return 0;
}

/* Frees the key maps and their values (key_map_for loads them again, from the state). */
static void drop_key_maps(struct migration *m)
{
	size_t i;

	for (i = 0; i < m->key_map_count; i++)
		crm_xref_cache_free(m->key_maps[i].map);
	m->key_map_count = 0;
	for (i = 0; i < m->key_value_count; i++)
		crm_refkey_values_free(m->key_values[i].values);
	m->key_value_count = 0;
}

/* Frees the id caches and the key maps (cache_for and key_map_for load them again). */
static void drop_caches(struct migration *m)
{
	size_t i;

	for (i = 0; m->caches && i < m->p->count; i++) {
		crm_xref_cache_free(m->caches[i]);
		m->caches[i] = NULL;
	}
	drop_key_maps(m);
}

int migrate_cache_note(struct migration *m, const struct crm_project_object *o, struct crm_id_hash key,
		       int64_t target_id, struct crm_error *err)
{
	size_t parent = (size_t)(o - m->p->objects);
	struct crm_xref_cache *c = m->caches[parent];

	if (maps_learn(m, parent, key, target_id, err))
		return err->code;
	return c ? crm_xref_cache_put_hashed(c, key, target_id, err) : 0;
}

void migrate_cache_forget(struct migration *m, const struct crm_project_object *o, const char *id, size_t len)
{
	size_t i = (size_t)(o - m->p->objects);

	if (m->caches[i])
		crm_xref_cache_forget(m->caches[i], id, len);
	key_maps_drop(m, i);
}

/*
 * An id the key prefix could not place stays in the one column whose parent
 * has it; in the first (an orphan) when none has; in none when several
 * have, and the record is rejected (pr->ambiguous).
 */
static void settle_alternatives(struct prepared *pr, const struct crm_program *prog, size_t first)
{
	int found[CRM_MAX_REF_OBJECTS];
	size_t a, pick, count = prog->fields[first].alt_count;

	for (a = 0; a < count; a++)
		found[a] = pr->resolved[first + a] > 0;
	if (crm_program_alt_settle(prog, first, found, &pick) > 1) {
		pr->ambiguous = first;
		pr->ambiguous_alts = 0;
		for (a = 0; a < count; a++)
			pr->ambiguous_alts |= found[a] ? 1u << a : 0;
		pick = SIZE_MAX;
	}
	for (a = 0; a < count; a++)
		if (a != pick) {
			pr->out[first + a].ptr = "";
			pr->out[first + a].len = 0;
			pr->out[first + a].id = 0;
			pr->resolved[first + a] = 0;
		}
}

/* The content hash: the values as they go to the store and the target ids they resolved to. */
static int hash_prepared(struct migration *m, const struct crm_program *prog, struct prepared *pr,
			 struct crm_error *err)
{
	size_t f, need = 0;

	/* one grow for the record, then plain copies (this runs once per record on the writer's thread) */
	crm_buf_reset(&m->hashbuf);
	for (f = 0; f < prog->field_count; f++)
		need += sizeof(uint32_t) + pr->out[f].len + sizeof(int64_t);
	if (crm_buf_grow(&m->hashbuf, need, err))
		return err->code;
	for (f = 0; f < prog->field_count; f++) {
		const struct crm_value *v = &pr->out[f];
		uint32_t len = (uint32_t)v->len;
		memcpy(m->hashbuf.ptr + m->hashbuf.len, &len, sizeof(len));
		if (v->len)
			memcpy(m->hashbuf.ptr + m->hashbuf.len + sizeof(len), v->ptr, v->len);
		memcpy(m->hashbuf.ptr + m->hashbuf.len + sizeof(len) + v->len, &v->id, sizeof(v->id));
		m->hashbuf.len += sizeof(len) + v->len + sizeof(v->id);
	}
	pr->hash = crm_hash_bytes(m->hashbuf.ptr, m->hashbuf.len);
	return 0;
}

/*
 * Resolves references and computes the content hash. A deferred reference
 * is looked up too: in pass 2 its parent is there; in pass 1 it may not be.
 * The hash covers the mapped values and the target ids they resolved to, so
 * a link that appears later (a parent loaded after a fix) is a change.
 */
static int resolve_and_hash(struct migration *m, struct crm_project_object *o, struct prepared *pr,
			    struct crm_error *err)
{
	const struct crm_program *prog = o->prog;
	size_t f;

	pr->ambiguous = SIZE_MAX;
	for (f = 0; f < prog->field_count; f++) {
		const struct crm_field_program *field = &prog->fields[f];
		const struct crm_value *v = &pr->values[f];
		struct crm_id_hash key;
		int64_t target = 0;

		pr->out[f] = *v;
		pr->out[f].id = 0;
		pr->resolved[f] = 0;
		if (field->ref_object && v->len) {
			struct crm_xref_cache *cache =
				field->ref_key ? key_map_for(m, field, o->deferred[f], err)
					       : cache_for(m,
							   (size_t)(crm_project_object(m->p, field->ref_object) -
								    m->p->objects),
							   err);
			if (!cache)
				return err->code;
			key = crm_stage_key(pr->ref_hashes ? &pr->ref_hashes[f] : NULL, v->ptr, v->len);
			pr->resolved[f] = crm_xref_cache_get_hashed(cache, key.low, key.high, &target) ? 1 : -1;
			if (target == CRM_REFKEY_AMBIGUOUS) {
				pr->resolved[f] = -1; /* several parents have this value: none is the one */
				target = 0;
			}
			pr->out[f].id = target;
		}
	}
	for (f = 0; f < prog->field_count; f++)
		if (crm_program_alt_undecided(prog, f, pr->values))
			settle_alternatives(pr, prog, f);
	return hash_prepared(m, prog, pr, err);
}

/* Reports why a staged record is not loaded; returns 1 when it is rejected, 0 when it can load. */
static int report_failures(struct migration *m, const struct crm_project_object *o, const struct crm_stage_record *rec,
			   struct crm_error *err)
{
	const struct crm_program *prog = o->prog;
	size_t i;

	if (!rec->id_len) {
		if (migrate_report_reject(m, o->cfg->name, "", 0, rec->line, o->cfg->id, "id", "the record has no id",
					  err))
			return err->code;
		return 1;
	}
	for (i = 0; i < rec->failure_count; i++) {
		const struct crm_failure *fail = &rec->failures[i];
		if (migrate_report_reject(m, o->cfg->name, rec->id, rec->id_len, rec->line,
					  prog->fields[fail->field].source_name, fail->rule, fail->reason, err))
			return err->code;
	}
	/* fields on_invalid = blank left empty: findings of a loaded record, or more reasons of a rejected one */
	for (i = 0; i < rec->blanked_count; i++) {
		const struct crm_failure *fail = &rec->blanked[i];
		if (migrate_report_row(m, o->cfg->name, rec->id, rec->id_len, rec->line,
				       prog->fields[fail->field].source_name, fail->rule, fail->reason,
				       !rec->failure_count, err))
			return err->code;
	}
	return rec->failure_count > 0;
}

/* The object's checkpoint (records done, counts, report offsets) into the open transaction. */
int migrate_save_checkpoint(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	long pos;

	if (migrate_flush_reports(m, err))
		return err->code;
	pos = ftell(m->rejects);
	orun->cp.rejects_offset = pos < 0 ? 0 : pos;
	pos = ftell(m->orphans);
	orun->cp.orphans_offset = pos < 0 ? 0 : pos;
	orun->cp.counts = orun->result->counts;
	if (orun->keeps_pipeline && crm_state_sales_put(m->session.state, m->run, orun->o->cfg->name,
							orun->pipeline.stages, orun->pipeline.count, err))
		return err->code;
	return crm_state_checkpoint_put(m->session.state, m->run, orun->o->cfg->name, &orun->cp, err);
}

/*
 * A batch's transaction. In a preview (a dry run against the real target)
 * the whole run is one transaction, rolled back when it ends, so batches
 * neither open nor commit one; after a failure the run stops and the
 * preview's rollback discards everything.
 */
int migrate_batch_begin(struct migration *m, struct crm_error *err)
{
	return m->preview ? 0 : m->session.store->ops->begin(m->session.store, err);
}

void migrate_batch_abort(struct migration *m)
{
	struct crm_error ignored = CRM_ERROR_INIT;

	/* the writes the state keeps for the batch went with it, and its owner counts and key values */
	crm_state_discard(m->session.state);
	migrate_drop_owner_tallies(m);
	drop_key_maps(m);
	if (!m->preview)
		m->session.store->ops->rollback(m->session.store, &ignored);
}

/* Commits the batch (target and state together); unless final, opens the next. */
int migrate_commit_batch(struct migration *m, int final, struct crm_error *err)
{
	size_t i;

	if (migrate_snapshot_wait(m, err)) /* nothing committed without the snapshot that rolls it back */
		return err->code;
	for (i = 0; i < m->key_value_count; i++)
		if (crm_refkey_values_flush(m->key_values[i].values, m->session.state, m->run, err))
			return err->code;
	if (crm_state_flush(m->session.state, err))
		return err->code;
	if (m->preview)
		return 0;
	crm_fault_point("batch-commit");
	if (m->session.store->ops->commit(m->session.store, err))
		return err->code;
	crm_fault_point("batch-committed");
	if (final)
		return 0;
	return migrate_batch_begin(m, err);
}

int migrate_checkpoint(struct migration *m, struct object_run *orun, int final, struct crm_error *err)
{
	return migrate_flush_removes(m, orun, err) || migrate_flush_queue(m, orun, err) ||
			       migrate_save_checkpoint(m, orun, err) || migrate_commit_batch(m, final, err)
		       ? err->code
		       : 0;
}

/*
 * Whether the target holds fewer of this source system's rows in o's table
 * than the state knows records of the objects that write it: rows deleted
 * outside crmshift, which the run must load again rather than count
 * unchanged. One count a table, so a run whose target is whole pays nothing
 * per record.
 */
static int missing_rows(struct migration *m, const struct crm_project_object *o, int *missing, struct crm_error *err)
{
	int64_t known = 0, rows;
	size_t i;

	*missing = 0;
	for (i = 0; i < m->p->count; i++) {
		int64_t n;
		if (strcmp(m->p->objects[i].cfg->target, o->cfg->target) != 0 || !m->keys[i])
			continue;
		if (crm_state_xref_count(m->session.state, m->keys[i], &n, err))
			return err->code;
		known += n;
	}
	if (m->session.store->ops->count_source(m->session.store, o->cfg->target, m->p->cfg.source_system, &rows, err))
		return err->code;
	*missing = known > 0 && rows < known;
	return 0;
}

/* A full export's record that is not loaded still exists in the source: it must not count as absent. */
static int keep_seen(struct migration *m, struct object_run *orun, const char *id, size_t id_len, struct crm_error *err)
{
	if (!m->opt->full || !id_len)
		return 0;
	return crm_state_xref_seen(m->session.state, orun->key, id, id_len, 0, m->run, err);
}

/*
 * Another object that writes the same table and has loaded this source id:
 * its name, or NULL (err set on a state error). A row is one object's
 * record; a second object with the same id would overwrite it.
 */
static const char *other_owner(struct migration *m, const struct crm_project_object *o, const char *id, size_t len,
			       struct crm_error *err)
{
	size_t i;

	for (i = 0; i < m->p->count; i++) {
		const struct crm_project_object *other = &m->p->objects[i];
		struct crm_xref x;
		int found;
		if (other == o || strcmp(other->cfg->target, o->cfg->target) != 0 || !m->keys[i])
			continue;
		found = crm_state_xref_get(m->session.state, m->keys[i], id, len, &x, err);
		if (found < 0)
			return NULL;
		if (found)
			return other->cfg->name;
	}
	return NULL;
}

static int reject_duplicate(struct migration *m, struct object_run *orun, const char *id, size_t id_len,
			    unsigned long line, struct crm_error *err)
{
	orun->result->counts.rejected++;
	return migrate_report_reject(m, orun->o->cfg->name, id, id_len, line, orun->o->cfg->id, "id",
				     "the same id appears earlier in the file; only the first record is loaded", err);
}

/*
 * Before row id is updated: the writer's columns into m->pre_image (what a
 * rollback sets back) and the whole row's hash into m->pre_hash (what the
 * rollback's check expects then). 0, or 1 when the row is absent.
 */
static int take_pre_image(struct migration *m, struct object_run *orun, int64_t id, struct crm_error *err)
{
	int rc = m->session.store->ops->fetch(orun->writer, id, &m->pre_image, err);

	if (rc != 1)
		return rc < 0 ? rc : 1;
	return migrate_hash_before(m, orun, id, err);
}

int migrate_hash_before(struct migration *m, struct object_run *orun, int64_t id, struct crm_error *err)
{
	int rc = 0;

	if (m->pre_hash_of != id)
		rc = m->session.store->ops->row_hash(orun->writer, id, &m->pre_hash, err);
	m->pre_hash_of = 0;
	return rc < 0 ? rc : 0;
}

/*
 * After the insert of row (rc 1: inserted as id, its hash as stored
 * inserted_hash when the store told it; 0: the target had a row of its
 * source id, id): a row of another object or an earlier record of the
 * file is a reject, any other is updated; then the ledger, the xref and
 * the cache.
 */
static int settle_insert(struct migration *m, struct object_run *orun, uint64_t hash, unsigned long line,
			 const struct crm_store_row *row, int rc, int64_t id, uint64_t inserted_hash,
			 struct crm_error *err)
{
	const char *sid = row->source_id;
	size_t sid_len = row->source_id_len;
	struct crm_xref x;
	uint64_t row_hash, written = inserted_hash; /* the row's hash as the store wrote it, when it told */

	memset(&x, 0, sizeof(x));
	if (rc == 0) {
		/* the target has the row but the state did not know it (or it came earlier in this file) */
		struct crm_xref seen;
		const char *owner = other_owner(m, orun->o, sid, sid_len, err);
		int known;
		if (err->code)
			return err->code;
		if (owner) {
			char reason[320];
			snprintf(reason, sizeof(reason),
				 "the id is already a record of %s in table '%s': two objects that write one table "
				 "cannot share a source id",
				 owner, orun->o->cfg->target);
			orun->result->counts.rejected++;
			if (migrate_report_reject(m, orun->o->cfg->name, sid, sid_len, line, orun->o->cfg->id, "id",
						  reason, err))
				return err->code;
			return keep_seen(m, orun, sid, sid_len, err);
		}
		known = crm_state_xref_get(m->session.state, orun->key, sid, sid_len, &seen, err);
		if (known < 0)
			return err->code;
		if (known && seen.seen_run == m->run && !orun->events)
			return reject_duplicate(m, orun, sid, sid_len, line, err);
		rc = take_pre_image(m, orun, id, err);
		if (rc)
			return rc < 0 ? rc
				      : crm_error_set(err, CRM_EINTERNAL, "target row %lld vanished", (long long)id);
		if (m->session.store->ops->update(orun->writer, id, row, &written, err) ||
		    crm_state_ledger_add(m->session.state, m->run, orun->key, id, sid, sid_len, CRM_LEDGER_UPDATE,
					 m->pre_image.ptr, hash, m->pre_hash, 0, err))
			return err->code;
		orun->result->counts.updated++;
	} else {
		if (crm_state_ledger_add(m->session.state, m->run, orun->key, id, sid, sid_len, CRM_LEDGER_INSERT, NULL,
					 hash, 0, inserted_hash, err))
			return err->code;
		orun->result->counts.inserted++;
	}
	if (migrate_written_hash(m, orun, id, written, &row_hash, err))
		return err->code;
	x.target_id = id;
	x.hash = hash;
	x.row_hash = row_hash;
	x.seen_run = x.write_run = m->run;
	if (migrate_cache_note(m, orun->o, crm_xref_cache_hash(sid, sid_len), id, err))
		return err->code;
	/* a first load into an empty table makes its entries from the ledger at the pass's end */
	if (orun->unindexed)
		return 0;
	return crm_state_xref_put(m->session.state, orun->key, sid, sid_len, &x, err);
}

/* Makes room for one more queued record (and its slots in the flush's arrays). */
static int queue_grow(struct object_run *orun, struct crm_error *err)
{
	size_t cap = orun->queue_cap ? 2 * orun->queue_cap : 1024;
	struct queued_record *queue;
	int64_t *ids;
	uint64_t *hashes;
	struct crm_inserted *inserted;

	if (orun->queue_count < orun->queue_cap)
		return 0;
	queue = crm_realloc(orun->queue, cap * sizeof(*queue));
	if (queue)
		orun->queue = queue;
	ids = queue ? crm_realloc(orun->queue_ids, cap * sizeof(*ids)) : NULL;
	if (ids)
		orun->queue_ids = ids;
	hashes = ids ? crm_realloc(orun->queue_hashes, cap * sizeof(*hashes)) : NULL;
	if (hashes)
		orun->queue_hashes = hashes;
	inserted = hashes ? crm_realloc(orun->inserted, cap * sizeof(*inserted)) : NULL;
	if (!inserted)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	orun->inserted = inserted;
	orun->queue_cap = cap;
	return 0;
}

/*
 * Inserts the queued records: the rows in one set, then, in queue order,
 * the bookkeeping of those that went in, many a statement, and settle_insert
 * for each the target had (after the bookkeeping before it, so that an
 * earlier record of the file is known as such).
 */
int migrate_flush_queue(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	const struct crm_xref_cache *own;
	size_t i, n = 0;

	if (migrate_flush_updates(m, orun, err))
		return err->code;
	if (orun->queues && m->session.store->ops->queue_update &&
	    m->session.store->ops->flush_updates(orun->writer, NULL, err))
		return err->code;
	if (!orun->queue_count)
		return 0;
	if (m->session.store->ops->flush_inserts(orun->writer, orun->queue_ids, orun->queue_hashes, err))
		return err->code;
	own = m->caches[orun->o - m->p->objects];
	for (i = 0; i < orun->queue_count; i++) {
		const struct queued_record *q = &orun->queue[i];
		struct crm_store_row row = {q->id, q->id_len, q->values, m->load_time};
		uint64_t inserted_hash;
		int64_t id;
		int rc;
		if (own && i + PREFETCH_AHEAD < orun->queue_count)
			crm_xref_cache_prefetch(own, orun->queue[i + PREFETCH_AHEAD].key);
		if (orun->queue_ids[i]) {
			struct crm_inserted *ins = &orun->inserted[n++];
			ins->source_id = q->id;
			ins->source_id_len = q->id_len;
			ins->target_id = orun->queue_ids[i];
			ins->hash = q->hash;
			ins->written_hash = orun->queue_hashes[i];
			ins->row_hash = 0;
			orun->result->counts.inserted++;
			/* a sync keeps a told hash; one the store could not tell, its after-snapshot reads back with the rest */
			if ((ins->written_hash &&
			     migrate_written_hash(m, orun, ins->target_id, ins->written_hash, &ins->row_hash, err)) ||
			    migrate_cache_note(m, orun->o, q->key, ins->target_id, err))
				return err->code;
			continue;
		}
		if (crm_state_inserted(m->session.state, m->run, orun->key, orun->inserted, n, orun->unindexed, err))
			return err->code;
		n = 0;
		rc = m->session.store->ops->insert(orun->writer, &row, &id, &inserted_hash, err);
		if (rc < 0 || settle_insert(m, orun, q->hash, q->line, &row, rc, id, inserted_hash, err))
			return err->code;
	}
	if (crm_state_inserted(m->session.state, m->run, orun->key, orun->inserted, n, orun->unindexed, err))
		return err->code;
	orun->queue_count = 0;
	crm_arena_reset(&orun->queue_arena);
	/* the flushed ids are in the object's cache now */
	crm_xref_cache_free(orun->queued_ids);
	orun->queued_ids = NULL;
	return 0;
}

/* Queues a record's insert (orun->queues), its id and values copied; a full queue is flushed. */
static int queue_record(struct migration *m, struct object_run *orun, const struct crm_stage_record *rec,
			struct prepared *pr, struct crm_error *err)
{
	size_t f, count = orun->o->prog->field_count;
	struct crm_store_row row = {pr->id, pr->id_len, pr->out, m->load_time};
	struct queued_record *q;
	int rc;

	if (queue_grow(orun, err))
		return err->code;
	q = &orun->queue[orun->queue_count];
	q->id = crm_arena_strndup(&orun->queue_arena, pr->id, pr->id_len);
	q->id_len = pr->id_len;
	q->key = crm_stage_key(&pr->id_hash, pr->id, pr->id_len);
	q->hash = pr->hash;
	q->line = rec->line;
	q->values = crm_arena_alloc(&orun->queue_arena, (count ? count : 1) * sizeof(*q->values));
	if (!q->id || !q->values)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (f = 0; f < count; f++) {
		q->values[f] = pr->out[f];
		if (pr->out[f].ptr &&
		    !(q->values[f].ptr = crm_arena_strndup(&orun->queue_arena, pr->out[f].ptr, pr->out[f].len)))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	/* a later event of the record, or of a record that links to it, sends the queue first (sync.c's flush_needed) */
	if (orun->events && ((!orun->queued_ids && !(orun->queued_ids = crm_xref_cache_new())) ||
			     crm_xref_cache_put_hashed(orun->queued_ids, q->key, 1, err)))
		return err->code ? err->code : crm_error_set(err, CRM_ENOMEM, "out of memory");
	orun->queue_count++;
	rc = m->session.store->ops->queue_insert(orun->writer, &row, err);
	if (rc < 0)
		return rc;
	return rc == 1 ? migrate_flush_queue(m, orun, err) : 0;
}

/*
 * A change stream's queue sent before its batch's end, because an event
 * needs what it holds. Sending a set costs a few statements, about six
 * single inserts' time on PostgreSQL: a stream whose events each need the
 * last record created (an account, then a contact of it, over and over)
 * would pay that per record (20,000 such creates: 2.7 s row by row, 14 s a
 * set each). An object whose queue was sent with fewer than
 * EARLY_FLUSH_MIN records inserts its next EARLY_ALONE records row by row,
 * then queues again (a pause after sends of under 16 held the bench's
 * interleaved stream, sends of 11 to 25, row by row: 3.5 s against 2.2 s).
 */
#define EARLY_FLUSH_MIN 4
#define EARLY_ALONE	64

int migrate_flush_queue_early(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	size_t queued = orun->queue_count;

	if (migrate_flush_queue(m, orun, err))
		return err->code;
	if (queued < EARLY_FLUSH_MIN) {
		orun->queues = 0;
		orun->inserts_alone = EARLY_ALONE;
	}
	return 0;
}

int migrate_flush_updates(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	size_t i;

	if (!orun->pending_count)
		return 0;
	if (m->session.store->ops->flush_updates(orun->writer, orun->pending_hashes, err))
		return err->code;
	for (i = 0; i < orun->pending_count; i++) {
		const struct pending_update *p = &orun->pending[i];
		struct crm_xref x;
		memset(&x, 0, sizeof(x));
		x.target_id = p->target_id;
		x.hash = p->hash;
		x.seen_run = x.write_run = m->run;
		if (migrate_written_hash(m, orun, p->target_id, orun->pending_hashes[i], &x.row_hash, err) ||
		    crm_state_xref_put(m->session.state, orun->key, p->id, p->id_len, &x, err))
			return err->code;
	}
	orun->pending_count = 0;
	crm_arena_reset(&orun->pending_arena);
	crm_idcount_release(&orun->pending_ids);
	crm_idcount_init(&orun->pending_ids);
	return 0;
}

int migrate_flush_if_pending(struct migration *m, struct object_run *orun, int64_t target_id, struct crm_error *err)
{
	if (!orun->pending_count || !crm_idcount_get(&orun->pending_ids, target_id))
		return 0;
	return migrate_flush_updates(m, orun, err) ? err->code : 1;
}

/* A sync's update of row x->target_id to row, queued (its count and ledger entry made): its entry is put when sent. */
static int queue_sync_update(struct migration *m, struct object_run *orun, const struct crm_xref *x,
			     const struct prepared *pr, const struct crm_store_row *row, struct crm_error *err)
{
	struct pending_update *p;
	int rc;

	if (crm_grow(&orun->pending, orun->pending_count, &orun->pending_cap, sizeof(*orun->pending), 256) ||
	    crm_grow(&orun->pending_hashes, orun->pending_count, &orun->pending_hashes_cap,
		     sizeof(*orun->pending_hashes), 256))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	p = &orun->pending[orun->pending_count];
	if (!(p->id = crm_arena_strndup(&orun->pending_arena, pr->id, pr->id_len)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	p->id_len = pr->id_len;
	p->target_id = x->target_id;
	p->hash = pr->hash;
	if (crm_idcount_add(&orun->pending_ids, x->target_id, 1, err))
		return err->code;
	rc = m->session.store->ops->queue_update(orun->writer, x->target_id, row, err);
	if (rc < 0)
		return rc;
	orun->pending_count++;
	return rc == 1 ? migrate_flush_updates(m, orun, err) : 0;
}

static int write_record(struct migration *m, struct object_run *orun, const struct crm_stage_record *rec,
			struct prepared *pr, struct crm_error *err)
{
	struct crm_store_row row = {pr->id, pr->id_len, pr->out, m->load_time};
	struct crm_xref x;
	uint64_t inserted_hash, written;
	int found = 0, entry, rc;
	int64_t id;
	uint64_t row_hash;

	memset(&x, 0, sizeof(x));
	/* a record of a source id whose row a deleted record of this batch left to remove: removed first */
	if (orun->remove_count &&
	    migrate_flush_if_removed(m, orun, crm_stage_key(&pr->id_hash, pr->id, pr->id_len), err))
		return err->code;
	if (!orun->fresh) {
		found = crm_state_xref_get(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
		/* its row's update waits in the queue: sent first, this record reads the row and entry as they are */
		if (found == 1 && (rc = migrate_flush_if_pending(m, orun, x.target_id, err)) != 0)
			found = rc < 0 ? rc
				       : crm_state_xref_get(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
		if (found < 0)
			return err->code;
	}
	entry = found;
	if (found && x.seen_run == m->run && !orun->events)
		return reject_duplicate(m, orun, pr->id, pr->id_len, rec->line, err);
	if (found && x.hash == pr->hash) {
		if (orun->verify < 0 && missing_rows(m, orun->o, &orun->verify, err))
			return err->code;
		if (orun->verify > 0) {
			/* rows went missing from the target: an unchanged record whose row is gone is loaded again */
			rc = m->session.store->ops->fetch(orun->writer, x.target_id, &m->pre_image, err);
			if (rc < 0)
				return rc;
			found = rc == 1;
		}
	}
	if (found && x.hash == pr->hash) {
		orun->result->counts.unchanged++;
		return crm_state_xref_seen(m->session.state, orun->key, pr->id, pr->id_len, x.target_id, m->run, err);
	}
	if (found) {
		rc = migrate_conflict(m, orun, pr->id, pr->id_len, rec->line, &x, "changed in the source", err);
		if (rc)
			return rc < 0 ? rc : 0;
		rc = take_pre_image(m, orun, x.target_id, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			/* queued, the row's entry waits for the flush to tell its written hash */
			if ((!orun->queue_updates &&
			     m->session.store->ops->update(orun->writer, x.target_id, &row, &written, err)) ||
			    crm_state_ledger_add(m->session.state, m->run, orun->key, x.target_id, pr->id, pr->id_len,
						 CRM_LEDGER_UPDATE, m->pre_image.ptr, pr->hash, m->pre_hash, 0, err))
				return err->code;
			orun->result->counts.updated++;
			if (orun->queue_updates)
				return queue_sync_update(m, orun, &x, pr, &row, err);
			if (migrate_written_hash(m, orun, x.target_id, written, &row_hash, err))
				return err->code;
			x.hash = pr->hash;
			x.row_hash = row_hash;
			x.seen_run = x.write_run = m->run;
			return crm_state_xref_put(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
		}
		/* the target row is gone (deleted outside crmshift): load it again */
	}
	if (orun->unindexed) {
		/* no source index to turn a repeated id away yet: this load's ids are in its cache, the queue's in their own */
		struct crm_xref_cache *own = cache_for(m, (size_t)(orun->o - m->p->objects), err);
		if (!own)
			return err->code;
		struct crm_id_hash key = crm_stage_key(&pr->id_hash, pr->id, pr->id_len);
		if (crm_xref_cache_get_hashed(own, key.low, key.high, &id) == 1)
			return reject_duplicate(m, orun, pr->id, pr->id_len, rec->line, err);
		if (orun->queues) {
			if (!orun->queued_ids && !(orun->queued_ids = crm_xref_cache_new()))
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			if (crm_xref_cache_get_hashed(orun->queued_ids, key.low, key.high, &id) == 1)
				return reject_duplicate(m, orun, pr->id, pr->id_len, rec->line, err);
			if (crm_xref_cache_put_hashed(orun->queued_ids, key, 1, err))
				return err->code;
		}
	}
	/* a record with an entry whose row is gone goes alone: the flush appends entries, it does not replace one */
	if (orun->queues && !entry)
		return queue_record(m, orun, rec, pr, err);
	rc = m->session.store->ops->insert(orun->writer, &row, &id, &inserted_hash, err);
	if (rc < 0)
		return rc;
	if (orun->inserts_alone && --orun->inserts_alone == 0)
		orun->queues = 1; /* migrate_flush_queue_early's pause is over */
	return settle_insert(m, orun, pr->hash, rec->line, &row, rc, id, inserted_hash, err);
}

/*
 * The id caches' slots a record a few ahead will look up: its id's in its
 * own cache (a first load into an empty table checks it for repeats), and
 * its references' in their parents'. A lookup in a cache of a million ids
 * waits on memory; asked for early, the slots are there in time.
 */
static void prefetch_keys(struct migration *m, struct object_run *orun, const struct crm_stage_record *rec)
{
	const struct crm_program *prog = orun->o->prog;
	size_t f;

	if (orun->unindexed && m->caches[orun->o - m->p->objects] && rec->id_len)
		crm_xref_cache_prefetch(m->caches[orun->o - m->p->objects], rec->id_hash);
	for (f = 0; rec->ref_hashes && f < prog->field_count; f++) {
		const struct crm_field_program *field = &prog->fields[f];
		size_t parent;
		if (!field->ref_object || field->ref_key || !rec->values[f].len)
			continue;
		parent = (size_t)(crm_project_object(m->p, field->ref_object) - m->p->objects);
		if (m->caches[parent])
			crm_xref_cache_prefetch(m->caches[parent], rec->ref_hashes[f]);
	}
}

/* Is field f's reference left for pass 2? */
static int deferred(const struct object_run *orun, size_t f)
{
	return !orun->events && orun->o->deferred[f];
}

/* A polymorphic id that several of its objects have: which one it names is unknown. */
static int reject_ambiguous(struct migration *m, struct object_run *orun, const struct crm_stage_record *rec,
			    const struct prepared *pr, struct crm_error *err)
{
	const struct crm_field_program *group = &orun->o->prog->fields[pr->ambiguous];
	const struct crm_value *v = &pr->values[pr->ambiguous];
	char reason[512];
	size_t a, at, n = 0;

	at = (size_t)snprintf(reason, sizeof(reason), "'%.*s' is the id of ", (int)(v->len > 64 ? 64 : v->len), v->ptr);
	for (a = 0; a < group->alt_count && at < sizeof(reason); a++)
		if (pr->ambiguous_alts & (1u << a))
			at += (size_t)snprintf(reason + at, sizeof(reason) - at, "%sa %s", n++ ? " and " : "",
					       group[a].ref_object);
	if (at < sizeof(reason))
		snprintf(reason + at, sizeof(reason) - at, ": which one it names is unknown");
	return migrate_report_reject(m, orun->o->cfg->name, pr->id, pr->id_len, rec->line, group->source_name,
				     group->row->col[CRM_MAP_TRANSFORM_RULE], reason, err);
}

/* Pass 1 for one record that mapped cleanly: orphans, then the write. */
static int load_record(struct migration *m, struct object_run *orun, const struct crm_stage_record *rec,
		       struct prepared *pr, struct crm_error *err)
{
	const struct crm_program *prog = orun->o->prog;
	int orphan = 0, rejected = 0;
	size_t f;

	if (resolve_and_hash(m, orun->o, pr, err))
		return err->code;
	for (f = 0; f < prog->field_count; f++)
		if (pr->resolved[f] < 0 && !deferred(orun, f) && prog->fields[f].required)
			rejected = 1;
	if (pr->ambiguous != SIZE_MAX) {
		if (reject_ambiguous(m, orun, rec, pr, err))
			return err->code;
		rejected = 1;
	}
	for (f = 0; f < prog->field_count; f++) {
		const struct crm_value *v = &pr->values[f];
		if (pr->resolved[f] >= 0 || deferred(orun, f))
			continue;
		orphan = 1;
		if (migrate_report_orphan(m, orun->o, pr->id, pr->id_len, rec->line, &prog->fields[f], v->ptr, v->len,
					  rejected, err))
			return err->code;
		if (prog->fields[f].required) {
			char why[256], reason[320];
			migrate_orphan_reason(why, sizeof(why), &prog->fields[f], v->ptr, v->len,
					      " (missing from the export or rejected)");
			snprintf(reason, sizeof(reason), "orphan: %s", why);
			if (migrate_report_reject(m, orun->o->cfg->name, pr->id, pr->id_len, rec->line,
						  prog->fields[f].source_name, "required", reason, err))
				return err->code;
		}
	}
	if (orphan)
		orun->result->counts.orphaned++;
	if (rejected) {
		orun->result->counts.rejected++;
		return keep_seen(m, orun, pr->id, pr->id_len, err);
	}
	return write_record(m, orun, rec, pr, err);
}

/* Queues a pass-2 update (orun->queues); a full queue is flushed. */
static int queue_update(struct migration *m, struct object_run *orun, int64_t id, const struct crm_store_row *row,
			struct crm_error *err)
{
	int rc = m->session.store->ops->queue_update(orun->writer, id, row, err);

	if (rc < 0)
		return rc;
	return rc == 1 ? m->session.store->ops->flush_updates(orun->writer, NULL, err) : 0;
}

/* Pass 2 for one record: set its deferred references. */
static int link_record(struct migration *m, struct object_run *orun, const struct crm_stage_record *rec,
		       struct prepared *pr, struct crm_error *err)
{
	const struct crm_program *prog = orun->o->prog;
	struct crm_store_row row = {pr->id, pr->id_len, orun->values, m->load_time};
	struct crm_xref x;
	size_t i;
	int found, orphan = 0, rc;
	uint64_t row_hash, written = 0; /* 0: queued, or a store that cannot tell it */

	found = crm_state_xref_get(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
	if (found <= 0)
		return found; /* not loaded (rejected in pass 1): nothing to link */
	if (crm_idcount_get(&m->conflicted[orun->o - m->p->objects], x.target_id))
		return 0; /* left as a conflict in pass 1 */
	if (resolve_and_hash(m, orun->o, pr, err))
		return err->code;
	for (i = 0; i < orun->deferred_count; i++) {
		size_t f = orun->deferred_fields[i];
		orun->values[i] = pr->out[f];
		if (pr->resolved[f] < 0 && orun->o->deferred[f]) {
			orphan = 1;
			if (migrate_report_orphan(m, orun->o, pr->id, pr->id_len, rec->line, &prog->fields[f],
						  pr->values[f].ptr, pr->values[f].len, 0, err))
				return err->code;
		}
	}
	if (orphan)
		orun->result->counts.orphaned++;
	if (x.hash == pr->hash)
		return 0;
	if (x.write_run != m->run) {
		/* pass 1 found the record unchanged: only its links changed, and users may have edited it */
		rc = migrate_conflict(m, orun, pr->id, pr->id_len, rec->line, &x, "links changed in the source", err);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	if (x.write_run != m->run) {
		rc = take_pre_image(m, orun, x.target_id, err);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	/*
	 * A row pass 1 wrote has its ledger entry of this run already: its
	 * pre-image (or its insert) undoes this update too, so the ledger holds
	 * one entry a row a run, however many batches or passes wrote it.
	 */
	if ((orun->queues ? queue_update(m, orun, x.target_id, &row, err)
			  : m->session.store->ops->update(orun->writer, x.target_id, &row, &written, err)) ||
	    (x.write_run != m->run &&
	     crm_state_ledger_add(m->session.state, m->run, orun->key, x.target_id, pr->id, pr->id_len,
				  CRM_LEDGER_UPDATE, m->pre_image.ptr, pr->hash, m->pre_hash, 0, err)))
		return err->code;
	if (x.write_run != m->run) {
		/* pass 1 found the record unchanged; its links are what changed */
		orun->result->counts.unchanged--;
		orun->result->counts.updated++;
	}
	if (migrate_written_hash(m, orun, x.target_id, written, &row_hash, err))
		return err->code;
	x.hash = pr->hash;
	x.row_hash = row_hash;
	x.write_run = m->run;
	return crm_state_xref_put(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
}

int migrate_open_writer(struct migration *m, struct object_run *orun, int pass, struct crm_error *err)
{
	const struct crm_program *prog = orun->o->prog;
	size_t f, n = 0;

	orun->columns = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*orun->columns));
	orun->values = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*orun->values));
	orun->deferred_fields = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(size_t));
	if (!orun->columns || !orun->values || !orun->deferred_fields)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (f = 0; f < prog->field_count; f++) {
		/* pass 2 sets the deferred references, and keeps a mapped updated_at as the source wrote it */
		if (pass == 2 && !orun->o->deferred[f] && strcmp(prog->fields[f].target_field, "updated_at") != 0)
			continue;
		orun->columns[n].name = prog->fields[f].target_field;
		orun->columns[n].type = prog->fields[f].type;
		if (pass == 2)
			orun->deferred_fields[orun->deferred_count++] = f;
		n++;
	}
	orun->spec.table = prog->table;
	orun->spec.source_system = m->p->cfg.source_system;
	orun->spec.columns = orun->columns;
	orun->spec.count = n;
	if (pass == 1 && orun->fresh && !orun->events && !m->opt->sync)
		orun->spec.defer_source_index = orun->resumed ? CRM_DEFER_RESUMED : CRM_DEFER_WHEN_EMPTY;
	else
		orun->spec.defer_source_index = 0;
	orun->unindexed = 0;
	if (pass == 1 && m->session.store->ops->ensure_table(m->session.store, &orun->spec, err))
		return err->code;
	if (orun->spec.defer_source_index && m->session.store->ops->source_index) {
		int indexed = m->session.store->ops->source_index(m->session.store, prog->table, 0, err);
		if (indexed < 0)
			return err->code;
		orun->unindexed = !indexed;
		orun->unindexed_cache = orun->unindexed && !m->caches[orun->o - m->p->objects];
	}
	orun->ledger_from = 0;
	if (orun->unindexed && orun->cp.pass1_records == 0) {
		int64_t first, last;

		if (crm_state_ledger_range(m->session.state, m->run, &first, &last, err))
			return err->code;
		orun->ledger_from = last + 1;
	}
	/* row-by-row updates cost a round trip each on a server: queued, as pass 2's links are */
	orun->queue_updates = pass == 1 && m->session.store->ops->queue_update;
	orun->pending_count = 0;
	crm_idcount_init(&orun->pending_ids);
	crm_arena_init(&orun->pending_arena, 1 << 16);
	orun->writer = m->session.store->ops->writer_open(m->session.store, &orun->spec, err);
	return orun->writer ? 0 : err->code;
}

void migrate_close_writer(struct migration *m, struct object_run *orun)
{
	if (orun->writer)
		m->session.store->ops->writer_close(orun->writer);
	crm_free(orun->columns);
	crm_free(orun->values);
	crm_free(orun->deferred_fields);
	orun->writer = NULL;
	orun->columns = NULL;
	orun->values = NULL;
	orun->deferred_fields = NULL;
	orun->deferred_count = 0;
	crm_free(orun->queue);
	crm_free(orun->queue_ids);
	crm_free(orun->queue_hashes);
	crm_free(orun->inserted);
	crm_free(orun->pending);
	crm_free(orun->pending_hashes);
	orun->pending = NULL;
	orun->pending_hashes = NULL;
	orun->pending_count = orun->pending_cap = orun->pending_hashes_cap = 0;
	crm_idcount_release(&orun->pending_ids);
	crm_arena_release(&orun->pending_arena);
	crm_free(orun->ahead);
	crm_free(orun->ahead_rows);
	orun->ahead = NULL;
	orun->ahead_rows = NULL;
	orun->ahead_cap = 0;
	crm_arena_release(&orun->queue_arena);
	crm_xref_cache_free(orun->queued_ids);
	orun->queued_ids = NULL;
	crm_xref_cache_free(orun->removed_ids);
	orun->removed_ids = NULL;
	crm_free(orun->removes);
	orun->removes = NULL;
	orun->remove_count = orun->remove_cap = 0;
	orun->queue = NULL;
	orun->queue_ids = NULL;
	orun->queue_hashes = NULL;
	orun->inserted = NULL;
	orun->queue_count = orun->queue_cap = 0;
	orun->queues = 0;
}

/* The stager's filter: a record is loaded when --sample picked it. */
static int in_sample(void *ctx, const struct crm_project_object *o, const char *id, size_t id_len)
{
	const struct migration *m = ctx;

	return crm_sample_has(&m->sample, (size_t)(o - m->p->objects), o->cfg->name, id, id_len);
}

/* One staged record through pass 1 or pass 2. */
int migrate_handle_record(struct migration *m, struct object_run *orun, int pass, const struct crm_stage_record *rec,
			  struct prepared *pr, struct crm_error *err)
{
	struct crm_project_object *o = orun->o;
	enum merge_role role;
	size_t group = 0;
	int rc;

	crm_fault_point("record");
	if (pass == 2) {
		if (rec->bad || !rec->id_len || rec->failure_count)
			return 0; /* rejected in pass 1 already */
		pr->id = rec->id;
		pr->id_len = rec->id_len;
		pr->values = rec->values;
		pr->id_hash = rec->id_hash;
		pr->ref_hashes = rec->ref_hashes;
		role = migrate_merge_role(m, orun, rec, &group);
		if (role == MERGE_MERGED || role == MERGE_REPEAT)
			return 0; /* its id names the survivor's row, whose links are the survivor's */
		if (role == MERGE_SURVIVOR && migrate_merge_survivor(m, orun, group, pr, err))
			return err->code;
		return link_record(m, orun, rec, pr, err);
	}
	orun->result->counts.read++;
	if (rec->modified && crm_dt_compare(rec->modified, orun->cp.max_modified) > 0)
		snprintf(orun->cp.max_modified, sizeof(orun->cp.max_modified), "%s", rec->modified);
	if (rec->bad) {
		/* the record's fields cannot be trusted: it is reported whole, its rule the file's format */
		orun->result->counts.rejected++;
		if (migrate_report_reject(m, o->cfg->name, rec->id, rec->id_len, rec->line, "", o->cfg->format,
					  rec->message, err))
			return err->code;
		return keep_seen(m, orun, rec->id, rec->id_len, err);
	}
	if (rec->deleted && rec->id_len)
		return migrate_delete_record(m, orun, rec->id, rec->id_len, rec->line, err);
	/* the source's pipeline, rejected records included: they are in the source */
	if (orun->keeps_pipeline && rec->values && crm_sales_add(&orun->pipeline, rec->values, err))
		return err->code;
	/* so are their users: the owners report names every one, and what its records got */
	if (rec->owner_count && migrate_note_owners(m, o, rec, err))
		return err->code;
	rc = report_failures(m, o, rec, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		orun->result->counts.rejected++;
		return keep_seen(m, orun, rec->id, rec->id_len, err);
	}
	orun->result->counts.blanked += (int64_t)rec->blanked_count;
	pr->id = rec->id;
	pr->id_len = rec->id_len;
	pr->values = rec->values;
	pr->id_hash = rec->id_hash;
	pr->ref_hashes = rec->ref_hashes;
	role = migrate_merge_role(m, orun, rec, &group);
	if (role == MERGE_MERGED)
		return keep_seen(m, orun, rec->id, rec->id_len, err); /* pointed at its survivor when the pass ends */
	if (role == MERGE_REPEAT)
		return reject_duplicate(m, orun, rec->id, rec->id_len, rec->line, err);
	if (role == MERGE_SURVIVOR && migrate_merge_survivor(m, orun, group, pr, err))
		return err->code;
	return load_record(m, orun, rec, pr, err);
}

/* The object's newest modified value read, once its export is applied: the next sync starts there. */
int migrate_publish_watermark(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	char current[CRM_DT_MAX];
	int rc;

	if (m->opt->dry_run || m->sampling || !orun->cp.max_modified[0])
		return 0;
	rc = crm_state_watermark_get(m->session.state, orun->o->cfg->name, current, sizeof(current), err);
	if (rc < 0)
		return rc;
	if (rc == 1 && crm_dt_compare(orun->cp.max_modified, current) <= 0)
		return 0;
	return crm_state_watermark_put(m->session.state, orun->o->cfg->name, orun->cp.max_modified, m->run, err);
}

/*
 * Pass 1 counts the export's records for the source snapshot; a migrate
 * also keeps its share of the record sample and, for opportunities, the
 * open pipeline (a resumed pass continues the figures its checkpoints kept).
 */
static int start_source_figures(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	/* a sample written in plain text masks personal values; a sealed one keeps the records as read */
	orun->sample = crm_record_sample_new(orun->o, orun->sample_slots, (uint64_t)m->run, !migrate_seal_key(m));
	if (!orun->sample)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_sales_init(&orun->pipeline, orun->o->prog);
	orun->keeps_pipeline = !m->opt->sync && !m->opt->dry_run && !m->sampling && orun->pipeline.fields.stage >= 0;
	if (orun->keeps_pipeline && orun->cp.pass1_records > 0)
		return crm_state_sales_get(m->session.state, m->run, orun->o->cfg->name, &orun->pipeline.stages,
					   &orun->pipeline.count, err);
	return 0;
}

/* At the end of pass 1, in its last transaction: the record count, and the sample written out. */
static int save_source_figures(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	char path[PATH_MAX];

	if (m->opt->dry_run)
		return 0;
	if (crm_state_source_file_records(m->session.state, m->run, orun->o->cfg->name,
					  crm_record_sample_records(orun->sample), err))
		return err->code;
	if (!orun->sample_slots)
		return 0;
	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/snapshots/run-%lld-sample-%s.jsonl%s", m->p->cfg.dir,
			    (long long)m->run, orun->o->cfg->name, migrate_seal_key(m) ? CRM_SEAL_SUFFIX : ""))
		return err->code;
	return crm_record_sample_write(orun->sample, path, migrate_seal_key(m), err);
}

/*
 * After the read-ahead of their entries: the target rows of a staged
 * batch's known records, in one statement, when most will be written (a
 * changed record's conflict check and pre-image read its row, a round
 * trip or two each). The last batch tells: one found record in 32 or more
 * written (an incremental export, say). A full export of few changes reads
 * the rows it writes one at a time rather than every row it names.
 */
static int read_rows_ahead(struct migration *m, struct object_run *orun, size_t count, struct crm_error *err)
{
	const struct crm_counts *c = &orun->result->counts;
	int64_t written = c->updated + c->deleted + c->conflicts;
	int wanted = !orun->ahead_found || (written - orun->ahead_written) * 32 >= orun->ahead_found;
	struct crm_xref x;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < count; i++) {
		if (!orun->ahead[i].len)
			continue;
		rc = crm_state_xref_get(m->session.state, orun->key, orun->ahead[i].ptr, orun->ahead[i].len, &x, err);
		if (rc < 0)
			return rc;
		if (rc == 1)
			orun->ahead_rows[n++] = x.target_id;
	}
	orun->ahead_found = (int64_t)n;
	orun->ahead_written = written;
	return m->session.store->ops->read_ahead(m->session.store, orun->o->prog->table, orun->ahead_rows,
						 wanted ? n : 0, err);
}

int migrate_ahead_reserve(struct object_run *orun, size_t n, struct crm_error *err)
{
	struct crm_state_id *grown;
	int64_t *rows;

	if (n <= orun->ahead_cap)
		return 0;
	if (!(grown = crm_realloc(orun->ahead, n * sizeof(*grown))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	orun->ahead = grown;
	if (!(rows = crm_realloc(orun->ahead_rows, n * sizeof(*rows))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	orun->ahead_rows = rows;
	orun->ahead_cap = n;
	return 0;
}

/*
 * On a server, the cross-reference entries of a batch's records are read
 * in a few statements, and their writes wait for the batch's commit,
 * rather than a round trip or two a record; then the rows those entries
 * name (read_rows_ahead), of the first object's records only (the store
 * reads ahead one table's). A first load has none to read.
 */
int migrate_read_ahead(struct migration *m, struct object_run *const *oruns, const size_t *ns, size_t count,
		       struct crm_error *err)
{
	struct crm_state_ids *sets;
	size_t i, k = 0;

	if (!m->session.store->ops->remote)
		return 0;
	if (!(sets = crm_malloc((count ? count : 1) * sizeof(*sets))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < count && !err->code; i++) {
		if (oruns[i]->fresh)
			continue;
		/* the queued updates' entries go into the read-ahead they were read in, many to a statement */
		if (!migrate_flush_updates(m, oruns[i], err)) {
			sets[k].key = oruns[i]->key;
			sets[k].ids = oruns[i]->ahead;
			sets[k++].n = ns[i];
		}
	}
	if (!err->code && k && !crm_state_xref_prefetch(m->session.state, sets, k, err) &&
	    m->session.store->ops->read_ahead && !oruns[0]->fresh)
		read_rows_ahead(m, oruns[0], ns[0], err);
	crm_free(sets);
	return err->code;
}

/* migrate_read_ahead of a staged batch's records. */
static int read_ahead(struct migration *m, struct object_run *orun, const struct crm_stage_batch *staged,
		      struct crm_error *err)
{
	size_t i;

	if (!m->session.store->ops->remote || orun->fresh || migrate_ahead_reserve(orun, staged->count, err))
		return err->code;
	for (i = 0; i < staged->count; i++) {
		orun->ahead[i].ptr = staged->records[i].id;
		orun->ahead[i].len = staged->records[i].id_len;
	}
	return migrate_read_ahead(m, &orun, &staged->count, 1, err);
}

/* The rows a pass wrote: its counts now against before. */
static int64_t written_since(const struct object_run *orun, const struct crm_counts *before)
{
	const struct crm_counts *now = &orun->result->counts;

	return (now->inserted - before->inserted) + (now->updated - before->updated) + (now->deleted - before->deleted);
}

/*
 * After a pass that wrote rows, on a store that plans by statistics: the
 * table's and the state's, fresh when the rows written may have made them
 * stale, so that the next pass's lookups (and the next run's) are planned
 * for their real size. Only the columns crmshift
 * looks rows up by: statistics of every column cost more than the lookups
 * gain, and the server's autovacuum gathers them after a large load.
 */
static int analyze_written(struct migration *m, struct object_run *orun, const struct crm_counts *before,
			   struct crm_error *err)
{
	struct crm_store *store = m->session.store;
	int64_t changed = written_since(orun, before);

	if (!store->ops->analyze || !changed)
		return 0;
	return store->ops->analyze(store, NULL, orun->o->prog->table, "id, source_system, source_id", changed, err) ||
			       crm_state_analyze(m->session.state, changed, err)
		       ? err->code
		       : 0;
}

/* The records an export of total bytes holds, at its first batch's bytes per record (staged: not empty). */
static double export_records(const struct crm_stage_batch *staged, uint64_t total)
{
	return (double)staged->records[staged->count - 1].index * (double)total / (double)staged->bytes_read;
}

/*
 * An unindexed first load keeps its ids in its cache: at the first batch,
 * room for the export's records (and a little), so that the cache is
 * allocated once instead of growing through copies of itself, which would
 * double its peak.
 */
static int reserve_own_cache(struct migration *m, struct object_run *orun, const struct crm_stage_batch *staged,
			     uint64_t total, struct crm_error *err)
{
	struct crm_xref_cache *own;

	if (!orun->unindexed_cache || orun->cache_reserved || !staged->count || !staged->bytes_read)
		return 0;
	orun->cache_reserved = 1;
	if (!(own = cache_for(m, (size_t)(orun->o - m->p->objects), err)))
		return err->code;
	return crm_xref_cache_reserve(own, (size_t)(export_records(staged, total) * 1.05), err);
}

/*
 * Entries of one object the state may hold whole for a pass (72 to 90
 * bytes each: 86 to 108 MB at most; an object with more, or a pass that
 * comes to more, is read ahead as before).
 */
#define WHOLE_MAX 1200000

/*
 * On a server, a pass whose export holds at least a quarter as many
 * records as the object has entries (a re-run, the rest of a load after a
 * sample, a full export) reads the object's whole xref once, instead of
 * its records' entries in statements of a few hundred ids (a re-run of 1M
 * contacts: 5,567 statements, 5.4-6.3 s of the server's time). A delta
 * reads only its own records' entries, as before: its cost follows it.
 * Decided at the first batch, by the export's size at its bytes a record.
 */
static int hold_whole(struct migration *m, struct object_run *orun, const struct crm_stage_batch *staged,
		      uint64_t total, struct crm_error *err)
{
	int64_t entries, limit;

	if (!m->session.store->ops->remote || orun->fresh || orun->whole_asked || !staged->count || !staged->bytes_read)
		return 0;
	orun->whole_asked = 1;
	/* a count that stops past four times the export: a delta's pass does not count a million entries */
	limit = (int64_t)(export_records(staged, total) * 4) + 1;
	if (crm_state_xref_count_upto(m->session.state, orun->key, limit, &entries, err))
		return err->code;
	if (entries >= limit)
		return 0;
	return crm_state_xref_preload(m->session.state, orun->key, entries, WHOLE_MAX, err) < 0 ? err->code : 0;
}

static int run_pass(struct migration *m, struct object_run *orun, int pass, struct crm_error *err)
{
	struct crm_project_object *o = orun->o;
	int64_t *done = pass == 1 ? &orun->cp.pass1_records : &orun->cp.pass2_records;

	key_maps_drop(m, SIZE_MAX); /* the per-pass maps see every record loaded before this pass */
	unsigned batch = m->p->cfg.batch_size, in_batch = 0;
	uint64_t in_transaction = 0, transaction = crm_session_transaction_size(batch, (uint64_t)*done);
	struct crm_stage_options sopt;
	struct crm_stager *stager = NULL;
	struct crm_stage_batch staged;
	struct crm_counts written; /* the counts before the pass, to tell what it wrote */
	struct prepared pr;
	struct stat st;
	uint64_t total = 0;
	size_t i;
	int rc, beside = 0;
	char watermark[CRM_DT_MAX];

	memset(&pr, 0, sizeof(pr));
	memset(&sopt, 0, sizeof(sopt));
	if (migrate_check_unchanged(m, o, err))
		return err->code;
	if (pass == 1 && start_source_figures(m, orun, err))
		goto out;
	sopt.sample = orun->sample;
	sopt.tz = &m->tz;
	if (m->opt->sync && !m->opt->full && !m->opt->dry_run) {
		/* an incremental export: what the last sync applied is left out */
		rc = crm_state_watermark_get(m->session.state, o->cfg->name, watermark, sizeof(watermark), err);
		if (rc < 0)
			return rc;
		sopt.watermark = rc == 1 ? watermark : NULL;
	}
	sopt.skip = *done;
	sopt.run_flags = pass == 1 ? CRM_RUN_CHECK_UNIQUE : 0;
	sopt.keep_bad = pass == 1;
	sopt.keep = m->sampling ? in_sample : NULL;
	sopt.keep_ctx = m;
	if (stat(o->path, &st) == 0)
		total = (uint64_t)st.st_size;
	written = orun->result->counts;
	if (migrate_open_writer(m, orun, pass, err) || migrate_prepared_init(&pr, o->prog, err))
		goto out;
	/*
	 * Queued: the inserts of new records (a first load's, the rest of a
	 * load after a sample, a sync's; a change stream's: open_event_object),
	 * a migrate's pass 2 link updates (a sync keeps each row's hash as
	 * written, which they do not tell).
	 */
	orun->queues =
		pass == 1 ? m->session.store->ops->queue_insert != NULL : m->session.store->ops->queue_update != NULL;
	orun->queues = orun->queues && (pass == 1 || !m->opt->sync);
	/* pass 1's deletes of records flagged deleted wait for the batch's end too, their rows removed as one set */
	orun->defer_removes = pass == 1;
	crm_arena_init(&orun->queue_arena, 1 << 16);
	stager = crm_stager_start(o, &sopt, err);
	if (!stager)
		goto out;
	if (migrate_batch_begin(m, err))
		goto out;
	while ((rc = crm_stager_next(stager, &staged, err)) == 1) {
		if (pass == 1)
			orun->result->counts.skipped += (int64_t)staged.skipped;
		if (hold_whole(m, orun, &staged, total, err) || read_ahead(m, orun, &staged, err) ||
		    reserve_own_cache(m, orun, &staged, total, err))
			goto out_rollback;
		for (i = 0; i < staged.count; i++) {
			if (i + PREFETCH_AHEAD < staged.count)
				prefetch_keys(m, orun, &staged.records[i + PREFETCH_AHEAD]);
			crm_arena_reset(&m->arena);
			if (migrate_handle_record(m, orun, pass, &staged.records[i], &pr, err))
				goto out_rollback;
			*done = (int64_t)staged.records[i].index;
			in_transaction++;
			if (++in_batch >= batch) {
				/* a batch's queued rows go as one set; the transaction may go on */
				in_batch = 0;
				if (in_transaction < transaction) {
					if (migrate_flush_queue(m, orun, err))
						goto out_rollback;
				} else {
					in_transaction = 0;
					transaction = crm_session_transaction_size(batch, (uint64_t)*done);
					if (migrate_checkpoint(m, orun, 0, err))
						goto out_rollback;
				}
				if (m->opt->progress)
					m->opt->progress(m->opt->progress_ctx, o->cfg->name, pass, staged.bytes_read,
							 total);
			}
		}
	}
	if (rc < 0)
		goto out_rollback;
	if (pass == 1) {
		orun->cp.pass1_done = 1;
		/*
		 * An unindexed load's entries and index come whole: on a server,
		 * beside the next pass once this one's end is committed; else,
		 * and when merges need the entries, in the transaction that says
		 * pass 1 is done. The survivors' rows are in (their queue flushed,
		 * their entries made) before the merged ids are pointed at them.
		 */
		beside = orun->unindexed && m->session.store->ops->remote && !m->preview &&
			 !(m->merge_plans && m->merge_plans[o - m->p->objects]);
		if (migrate_flush_queue(m, orun, err) ||
		    (orun->unindexed && !beside && migrate_indexing_end(m, orun, err)) ||
		    migrate_merge_finish(m, orun, err) || migrate_publish_watermark(m, orun, err) ||
		    save_source_figures(m, orun, err))
			goto out_rollback;
		orun->unindexed = 0;
	} else {
		orun->cp.pass2_done = 1;
	}
	if (migrate_checkpoint(m, orun, 1, err))
		goto out_rollback;
	crm_fault_point("pass-done");
	if (beside ? migrate_indexing_start(m, orun, written_since(orun, &written), err)
		   : analyze_written(m, orun, &written, err))
		goto out_rollback;
	if (m->opt->progress)
		m->opt->progress(m->opt->progress_ctx, o->cfg->name, pass, total, total);
	goto out;

out_rollback:
	migrate_batch_abort(m);
out:
	crm_state_xref_preload_drop(m->session.state);
	orun->whole_asked = 0;
	crm_stager_stop(stager);
	crm_record_sample_free(orun->sample);
	orun->sample = NULL;
	crm_sales_release(&orun->pipeline);
	migrate_prepared_release(&pr);
	migrate_close_writer(m, orun);
	return err->code;
}

/*
 * Whether pass 1 of orun, an unindexed first load (migrate-int.h) that a
 * kill stopped, goes on as it began: 1, or 0 when its committed rows are
 * to get their entries now and it goes on as a load into a table with rows
 * (each record's entry read, each new row inserted alone: after a kill at
 * 60% of 1M contacts, PostgreSQL took 104 s for the rest, where the whole
 * first load takes 15 s). It goes on while the table still lacks its
 * source index and holds those rows only, none with an entry: their ids
 * go into the object's cache from the run's ledger, to turn repeats away
 * as before, and entries and index come whole at the pass's end.
 */
static int resume_unindexed(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	struct crm_store *store = m->session.store;
	size_t i = (size_t)(orun->o - m->p->objects);
	struct crm_xref_cache *ids;
	int64_t rows = -1;
	int rc = store->ops->source_index(store, orun->o->prog->table, 0, err);

	if (rc == 0)
		rc = crm_state_xref_any(m->session.state, orun->key, err);
	if (rc == 0 && store->ops->count(store, orun->o->prog->table, &rows, err))
		return err->code;
	if (rc != 0 || rows != orun->cp.counts.inserted)
		return rc < 0 ? rc : 0;
	ids = crm_state_inserted_cache_load(m->session.state, m->run, orun->key, (size_t)rows, err);
	if (!ids)
		return err->code;
	crm_xref_cache_free(m->caches[i]);
	m->caches[i] = ids;
	orun->resumed = 1;
	return 1;
}

/* The options of an interrupted run, into opt: *objects (crm_free it) holds its --objects. -1 when they are not JSON. */
static int parse_run_options(const char *json, struct crm_migrate_options *opt, char **objects)
{
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr), *v;
	int rc = 0;

	if (!root)
		return -1;
	v = json_object_get(root, "sample_pct");
	opt->sample_pct = json_is_number(v) ? json_number_value(v) : 0;
	v = json_object_get(root, "objects");
	if (json_is_string(v)) {
		opt->objects = *objects = crm_strdup(json_string_value(v));
		rc = *objects ? 0 : -2;
	}
	json_decref(root);
	return rc;
}

static char *options_json(const struct crm_migrate_options *opt)
{
	json_t *root = json_object();
	char *text;

	if (!root)
		return NULL;
	json_object_set_new(root, "sample_pct", json_real(opt->sample_pct));
	if (opt->objects)
		json_object_set_new(root, "objects", json_string(opt->objects));
	if (opt->sync)
		json_object_set_new(root, "sync",
				    json_pack("{s:s?, s:b, s:s?, s:b}", "from", opt->from, "full", opt->full, "events",
					      opt->events, "final", opt->final));
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	return text;
}

static int start_run(struct migration *m, struct crm_migrate_options *eff, char **objects, struct crm_error *err)
{
	struct crm_run_info last;
	int rc = crm_state_run_last(m->session.state, &last, err);
	struct crm_buf options;
	char *opts;

	if (rc < 0)
		return err->code;
	if (m->opt->resume) {
		if (rc == 0 || last.status != CRM_RUN_RUNNING)
			return crm_error_set(err, CRM_EINPUT, "nothing to resume: %s",
					     rc == 0 ? "no run has started yet" : "the last run finished");
		if (strcmp(last.command, "migrate") != 0)
			return crm_error_set(err, CRM_EINPUT,
					     "nothing to resume: the interrupted run %lld is a %s; run 'crmshift %s' "
					     "again",
					     (long long)last.id, last.command, last.command);
		m->run = last.id;
		m->res->resumed = 1;
		crm_buf_init(&options, CRM_MAX_RUN_JSON);
		rc = crm_state_run_options(m->session.state, last.id, &options, err);
		if (rc == 1)
			rc = parse_run_options(options.ptr, eff, objects);
		else if (rc == 0)
			crm_error_set(err, CRM_EINTERNAL, "run %lld vanished", (long long)last.id);
		crm_buf_release(&options);
		if (err->code)
			return err->code;
		if (rc == -2)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		if (rc)
			return crm_error_set(err, CRM_EIO, "run %lld: its options cannot be read", (long long)last.id);
		return 0;
	}
	if (rc == 1 && last.status == CRM_RUN_RUNNING) {
		/* a run that was killed and not resumed: close it, and say so */
		char now[CRM_DT_MAX];
		crm_dt_now(NULL, now);
		if (crm_state_run_finish(m->session.state, last.id, CRM_RUN_INTERRUPTED, now, NULL, err))
			return err->code;
		if (!m->preview) /* a preview's writes are rolled back: the run stays as it was */
			m->res->interrupted_run = last.id;
	}
	opts = options_json(eff);
	if (!opts)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	rc = crm_state_run_start(m->session.state, m->opt->sync ? "sync" : "migrate", opts, m->load_time, &m->run, err);
	free(opts);
	return rc;
}

/* By table, then id, then write order: a row's last write ends its run of entries. */
static int written_order(const void *a, const void *b)
{
	const struct written_row *x = a, *y = b;
	int c = strcmp(x->table, y->table);

	if (c)
		return c;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The hashes of take's ids as the sync left them (m->written, sorted by
 * written_order), into *hashes (the take's ids cut to the rows present):
 * when every id has one. 0 with *hashes NULL when one has none: they are
 * read from the target then.
 */
static int known_hashes(struct migration *m, struct crm_snapshot_take *take, int64_t *ids, uint64_t **hashes,
			struct crm_error *err)
{
	size_t at = 0, i, kept = 0;

	*hashes = NULL;
	while (at < m->written_count && strcmp(m->written[at].table, take->table) < 0)
		at++;
	for (i = 0; i < take->id_count; i++) {
		while (at < m->written_count && strcmp(m->written[at].table, take->table) == 0 &&
		       m->written[at].id < ids[i])
			at++;
		if (at == m->written_count || strcmp(m->written[at].table, take->table) != 0 ||
		    m->written[at].id != ids[i])
			return 0;
	}
	if (!(*hashes = crm_malloc((take->id_count ? take->id_count : 1) * sizeof(**hashes))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (at = 0, i = 0; i < take->id_count; i++) {
		const struct written_row *last;
		while (strcmp(m->written[at].table, take->table) != 0 || m->written[at].id < ids[i])
			at++;
		while (at + 1 < m->written_count && m->written[at + 1].id == ids[i] &&
		       strcmp(m->written[at + 1].table, take->table) == 0)
			at++;
		last = &m->written[at];
		if (!last->present)
			continue;
		ids[kept] = ids[i];
		(*hashes)[kept++] = last->hash;
	}
	take->id_count = kept;
	take->hashes = *hashes;
	return 0;
}

/*
 * Whether a pass 2 of the run may have set links on rows of table it
 * inserted: such an update adds no ledger entry (the insert's undoes it),
 * so the hash the insert left is not the row's. (A column another object
 * of the run adds to table changes no hash: store.h, hash_rows.)
 */
static int relinks(const struct migration *m, const char *table)
{
	size_t i;

	for (i = 0; i < m->p->count; i++) {
		const struct crm_project_object *o = &m->p->objects[m->p->order[i]];
		if (m->res->objects[i].selected && o->has_deferred && strcmp(o->cfg->target, table) == 0)
			return 1;
	}
	return 0;
}

/*
 * A run begun in this process that only inserted, each object's ids
 * consecutive: the rows it wrote, as crm_snapshot_run_rows would read them
 * from its ledger, from the state's memory of its inserts instead (1.8M
 * entries: 0.45 s of reading). 1 with *rows (freed by the caller either
 * way), 0 when the ledger must say.
 */
static int inserts_known(struct migration *m, const struct crm_snapshot *before, struct crm_run_rows **rows,
			 size_t *row_count, struct crm_error *err)
{
	size_t tables = crm_snapshot_table_count(before), i, o;
	struct crm_run_rows *r;

	if (m->res->resumed || m->written_count)
		return 0;
	if (!(r = crm_calloc(tables ? tables : 1, sizeof(*r))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	*rows = r;
	*row_count = tables;
	for (i = 0; i < tables; i++) {
		int64_t rows_then;
		r[i].table = crm_snapshot_table(before, i);
		crm_snapshot_extent(before, r[i].table, &rows_then, &r[i].max_then);
		r[i].written_known = 1;
		crm_idcount_init(&r[i].inserted);
	}
	for (o = 0; o < m->p->count; o++) {
		const uint64_t *hashes;
		int64_t first;
		size_t count, k;
		if (!crm_state_run_inserts(m->session.state, m->run, m->keys[o], &first, &hashes, &count))
			return 0;
		for (i = 0; count && i < tables && strcmp(r[i].table, m->p->objects[o].cfg->target) != 0; i++)
			;
		if (!count || i == tables)
			continue; /* as the ledger's walk, a table the before-snapshot lacks is left out */
		/* a second object's rows in the table, or rows at or below its highest id then: the ledger says */
		if (r[i].written_count || first <= r[i].max_then)
			return 0;
		if (!(r[i].written = crm_malloc(count * sizeof(*r[i].written))))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		for (k = 0; k < count; k++) {
			r[i].written[k].id = first + (int64_t)k;
			r[i].written[k].hash = hashes[k];
		}
		r[i].written_count = r[i].written_cap = count;
	}
	return 1;
}

/*
 * The after-snapshot takes, of each table the run wrote, the rows it wrote:
 * every row above the table's highest id before the run (the run's
 * inserts: with the hashes the ledger kept of them, or read back as a
 * range of the id index) and, from the ledger, those at or below it
 * (their ids in *rows, which the takes borrow until freed; the hashes a
 * sync kept as it wrote them in hashes[t], freed by the caller).
 */
static int take_written(struct migration *m, struct crm_snapshot_take *takes, size_t n, struct crm_run_rows **rows,
			size_t *row_count, uint64_t **hashes, struct crm_error *err)
{
	struct crm_snapshot *before;
	char path[PATH_MAX];
	int64_t first, last;
	size_t i, t;
	int known;

	if (crm_snapshot_path(path, m->p->cfg.dir, m->run, "before", err) || !(before = crm_snapshot_load(path, err)))
		return err->code;
	if (m->written_count)
		qsort(m->written, m->written_count, sizeof(*m->written), written_order);
	known = inserts_known(m, before, rows, row_count, err);
	if (!known && !err->code) {
		crm_snapshot_run_rows_free(*rows, *row_count);
		*rows = NULL;
		*row_count = 0;
	}
	if (!err->code && (known || (!crm_state_ledger_range(m->session.state, m->run, &first, &last, err) &&
				     !crm_snapshot_run_rows(m->session.state, m->run, first, last, before,
							    CRM_RUN_ROWS_WRITTEN, rows, row_count, err))))
		for (t = 0; t < n && !err->code; t++)
			for (i = 0; i < *row_count; i++)
				if (strcmp((*rows)[i].table, takes[t].table) == 0) {
					takes[t].above = (*rows)[i].max_then;
					takes[t].ids = (*rows)[i].ids;
					takes[t].id_count = (*rows)[i].count;
					if ((*rows)[i].written_known && !relinks(m, takes[t].table)) {
						takes[t].inserted = (*rows)[i].written;
						takes[t].inserted_count = (*rows)[i].written_count;
					}
					if (m->written_count &&
					    known_hashes(m, &takes[t], (*rows)[i].ids, &hashes[t], err))
						break;
				}
	crm_snapshot_free(before);
	return err->code;
}

/* Whether the run's before-snapshot is on disk. */
static int before_written(const struct migration *m)
{
	struct crm_error ignored = CRM_ERROR_INIT;
	char path[PATH_MAX];
	struct stat st;

	return !crm_snapshot_path(path, m->p->cfg.dir, m->run, "before", &ignored) && stat(path, &st) == 0;
}

/*
 * The target before the run (what rollback must return to: each table's
 * row count and highest id; the ledger keeps each written row's hash) or
 * after it (the rows the run wrote: what users then edited). Either covers
 * the tables the run may write, not the whole target.
 */
static int snapshot(struct migration *m, const char *when, struct crm_error *err)
{
	size_t cap = m->p->count ? m->p->count : 1, i, j, n = 0, row_count = 0;
	struct crm_snapshot_take *takes = crm_calloc(cap, sizeof(*takes));
	uint64_t **hashes = crm_calloc(cap, sizeof(*hashes));
	struct crm_run_rows *rows = NULL;
	int after = strcmp(when, "after") == 0;
	char path[PATH_MAX];

	if (!takes || !hashes) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m->p->count; i++) {
		const char *t = m->p->objects[m->p->order[i]].cfg->target;
		/*
		 * Before the run, the tables of its objects (an object left out,
		 * or without a delta file, writes nothing); after it, only the
		 * tables it wrote.
		 */
		if (!m->res->objects[i].selected ||
		    (after && !m->res->objects[i].counts.inserted && !m->res->objects[i].counts.updated))
			continue;
		for (j = 0; j < n && strcmp(takes[j].table, t) != 0; j++)
			;
		if (j == n) {
			takes[n].table = t;
			takes[n].extent = !after;
			takes[n++].above = INT64_MAX;
		}
	}
	if (after && n && take_written(m, takes, n, &rows, &row_count, hashes, err))
		goto out;
	if (!after)
		crm_fault_point("before-snapshot");
	if (!crm_path_format(path, sizeof(path), err, "%s/.crmshift/snapshots", m->p->cfg.dir) &&
	    !crm_mkdir_private(path, err) && !crm_snapshot_path(path, m->p->cfg.dir, m->run, when, err))
		after ? crm_snapshot_write(m->session.store, takes, n, path, err)
		      : migrate_snapshot_before(m, takes, n, path, err);
out:
	crm_snapshot_run_rows_free(rows, row_count);
	for (i = 0; hashes && i < n; i++)
		crm_free(hashes[i]);
	crm_free(hashes);
	crm_free(takes);
	return err->code;
}

/*
 * The results' objects in load order; for sync --from, each object's delta
 * file (an object without one is left out of the run).
 */
static int prepare_objects(struct migration *m, struct crm_error *err)
{
	const struct crm_migrate_options *opt = m->opt;
	struct crm_project *p = m->p;
	size_t i;

	if (opt->sync && opt->resume)
		return crm_error_set(err, CRM_EUSAGE,
				     "sync has no --resume: run it again; what a killed sync committed is not applied "
				     "twice");
	if (opt->events && opt->objects)
		return crm_error_set(err, CRM_EUSAGE,
				     "--objects cannot select from a change stream: its events are applied in order, "
				     "all of them");
	if (opt->events && access(opt->events, R_OK) != 0)
		return crm_error_set(err, CRM_EINPUT, "cannot read '%s': %s", opt->events, strerror(errno));
	if (opt->from && access(opt->from, R_OK | X_OK) != 0)
		return crm_error_set(err, CRM_EINPUT, "--from '%s': %s", opt->from, strerror(errno));
	m->res->objects = crm_calloc(p->count ? p->count : 1, sizeof(*m->res->objects));
	if (!m->res->objects)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	m->res->count = p->count;
	m->res->sync = opt->sync;
	for (i = 0; i < p->count; i++) {
		struct crm_project_object *o = &p->objects[p->order[i]];
		struct crm_object_result *r = &m->res->objects[i];
		char path[PATH_MAX];
		r->object = o->cfg->name;
		r->table = o->cfg->target;
		if (!opt->sync || !opt->from || !crm_project_selected(opt->objects, o->cfg->name))
			continue;
		if (crm_path_format(path, sizeof(path), err, "%s/%s", opt->from, o->cfg->file))
			return err->code;
		if (access(path, F_OK) != 0) {
			r->no_file = 1;
			continue;
		}
		if (crm_project_use_file(p, o, path, err))
			return err->code;
	}
	return 0;
}

/* A new empty SQLite target and state in .crmshift/dry-run.XXXXXX, removed when the run ends. */
static int open_throwaway(struct migration *m, char *url, size_t url_cap, char *path, size_t path_cap,
			  struct crm_error *err)
{
	if (crm_path_format(m->tmpdir, sizeof(m->tmpdir), err, "%s/.crmshift/dry-run.XXXXXX", m->p->cfg.dir))
		return err->code;
	if (!mkdtemp(m->tmpdir)) {
		m->tmpdir[0] = '\0';
		return crm_error_set(err, CRM_EIO, "cannot create a throw-away target: %s", strerror(errno));
	}
	/* the store resolves sqlite: paths against the project folder */
	if (crm_path_format(url, url_cap, err, "sqlite:.crmshift/%s/target.db", strrchr(m->tmpdir, '/') + 1) ||
	    crm_path_format(path, path_cap, err, "%s/state.db", m->tmpdir))
		return err->code;
	return 0;
}

/* A sync (of exports or events) of an object with [dedupe]: not built yet, refused before anything starts. */
static int refuse_sync_merges(const struct crm_project *p, const struct crm_migrate_options *opt, struct crm_error *err)
{
	size_t i;

	for (i = 0; (opt->sync || opt->events) && i < p->cfg.dedupe_count; i++)
		if (crm_project_selected(opt->objects, p->cfg.dedupes[i].object))
			return crm_error_set(err, CRM_EINPUT,
					     "%s:%lu: [dedupe \"%s\"]: a sync does not merge duplicates yet; load the "
					     "object with 'crmshift migrate' (which merges them), or sync the others "
					     "with --objects",
					     p->cfg.path, p->cfg.dedupes[i].line, p->cfg.dedupes[i].object);
	return 0;
}

int crm_migrate(struct crm_project *p, const struct crm_migrate_options *opt, struct crm_migrate_result *res,
		struct crm_error *err)
{
	struct migration m;
	struct crm_migrate_options eff = *opt;
	char *objects = NULL, path[PATH_MAX], url[PATH_MAX];
	struct timespec start;
	int64_t rejects_offset = 0, orphans_offset = 0;
	size_t i, selected = 0;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(res, 0, sizeof(*res));
	memset(&m, 0, sizeof(m));
	m.p = p;
	m.opt = opt;
	m.res = res;
	crm_arena_init(&m.arena, 64 * 1024);
	crm_buf_init(&m.hashbuf, CRM_MAX_ROW_JSON);
	crm_buf_init(&m.pre_image, CRM_MAX_ROW_JSON);
	crm_strmap_init(&m.owner_keys);
	crm_dt_now(NULL, m.load_time);
	/* the legal gates and residency come first: nothing is read before they pass */
	if (crm_project_check_selection(p, opt->objects, err) || refuse_sync_merges(p, opt, err) ||
	    crm_gates_check(p, opt->objects, &res->gates, err) || crm_tz_parse(&m.tz, p->cfg.source_timezone, err) ||
	    prepare_objects(&m, err))
		goto out;

	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift", p->cfg.dir) || crm_mkdir_private(path, err))
		goto out;
	if (crm_path_format(url, sizeof(url), err, "%s", p->cfg.target_url) ||
	    crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", p->cfg.dir))
		goto out;
	if (opt->dry_run) {
		/*
		 * A preview runs against the real target and state inside one
		 * transaction, rolled back at the end: it counts what the run would
		 * insert, update and delete there. Before anything was loaded the
		 * real target is empty, so a throw-away one says the same and
		 * creates nothing in the project.
		 */
		rc = crm_session_open(url, p->cfg.dir, path, 0, 0, &m.session, err);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			if (m.session.store->ops->begin(m.session.store, err))
				goto out;
			m.preview = 1;
			res->previewed = 1;
		} else if (open_throwaway(&m, url, sizeof(url), path, sizeof(path), err) ||
			   crm_session_open(url, p->cfg.dir, path, 1, 1, &m.session, err)) {
			goto out;
		}
	} else if (crm_session_open(url, p->cfg.dir, path, 1, 1, &m.session, err)) {
		goto out;
	}
	if (crm_path_format(res->target, sizeof(res->target), err, "%s",
			    opt->dry_run && !m.preview ? "throw-away sqlite target" : url))
		goto out;
	for (i = 0; !opt->resume && i < p->count; i++)
		res->objects[i].selected = crm_project_selected(opt->objects, p->objects[p->order[i]].cfg->name) &&
					   !res->objects[i].no_file;
	if (!opt->dry_run && !opt->resume && migrate_check_frozen(&m, err))
		goto out;
	if (start_run(&m, &eff, &objects, err) || crm_state_seen_begin(m.session.state, m.run, err))
		goto out;
	m.opt = &eff;
	res->run_id = m.run;
	if (opt->started && opt->started(opt->started_ctx, m.run, res->resumed, opt->dry_run, err))
		goto out;
	/* a resumed run keeps the snapshot taken when it started (below) */
	if (!opt->dry_run && !res->resumed && snapshot(&m, "before", err))
		goto out_failed;

	m.caches = crm_calloc(p->count ? p->count : 1, sizeof(*m.caches));
	m.keys = crm_calloc(p->count ? p->count : 1, sizeof(*m.keys));
	m.conflicted = crm_calloc(p->count ? p->count : 1, sizeof(*m.conflicted));
	if (!m.caches || !m.keys || !m.conflicted) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_failed;
	}
	for (i = 0; i < p->count; i++)
		if (crm_state_object_key(m.session.state, p->objects[i].cfg->name, p->objects[i].cfg->target, 1,
					 &m.keys[i], err) < 0)
			goto out_failed;
	for (i = 0; i < p->count; i++) {
		struct crm_project_object *o = &p->objects[p->order[i]];
		struct crm_checkpoint cp;
		/* a resumed run selects what it selected when it started */
		res->objects[i].selected = crm_project_selected(eff.objects, o->cfg->name) && !res->objects[i].no_file;
		if (res->resumed) {
			rc = crm_state_checkpoint_get(m.session.state, m.run, o->cfg->name, &cp, err);
			if (rc < 0)
				goto out_failed;
			if (rc == 1) {
				if (cp.rejects_offset > rejects_offset)
					rejects_offset = cp.rejects_offset;
				if (cp.orphans_offset > orphans_offset)
					orphans_offset = cp.orphans_offset;
			}
		}
	}
	/*
	 * A resumed run keeps the snapshot taken when it started. One stopped
	 * before that was written had committed nothing (a commit waits for
	 * it: migrate_commit_batch), so the target is as it was: taken now.
	 */
	if (!opt->dry_run && res->resumed && !before_written(&m) && snapshot(&m, "before", err))
		goto out_failed;
	if (!opt->dry_run && (res->resumed ? migrate_check_resumed(&m, err) : migrate_take_sources(&m, err)))
		goto out_failed;
	if (migrate_open_reports(&m, rejects_offset, orphans_offset, err))
		goto out_failed;
	if (res->resumed) {
		res->reject_rows = migrate_count_report_rows(res->rejects_path, &res->blanked_rows);
		res->orphan_rows = migrate_count_report_rows(res->orphans_path, NULL);
	}
	if (eff.sample_pct > 0) {
		if (migrate_source_ready(&m, NULL, err) || crm_sample_build(&m.sample, p, eff.sample_pct, err))
			goto out_failed;
		m.sampling = 1;
	}

	if (migrate_merge_plan(&m, err))
		goto out_failed;
	if (eff.events && (migrate_source_ready(&m, NULL, err) || migrate_run_events(&m, err)))
		goto out_failed;
	for (i = 0; i < p->count; i++)
		selected += res->objects[i].selected;
	for (int pass = 1; pass <= 2 && !eff.events; pass++) {
		size_t k = 0;
		for (i = 0; i < p->count; i++) {
			struct object_run orun;
			memset(&orun, 0, sizeof(orun));
			orun.o = &p->objects[p->order[i]];
			orun.key = m.keys[p->order[i]];
			orun.result = &res->objects[i];
			if (!orun.result->selected)
				continue;
			/* the snapshot's sample: SOURCE_SAMPLE records of a migrate, shared out over its exports */
			if (!eff.sync && !opt->dry_run)
				orun.sample_slots = SOURCE_SAMPLE / selected + (k < SOURCE_SAMPLE % selected);
			k++;
			if (pass == 2 && !orun.o->has_deferred)
				continue;
			/* a load into the same table is whole first: this pass looks its rows up and writes them */
			if (migrate_indexing_shares_table(&m, orun.o) && migrate_indexing_wait(&m, err))
				goto out_failed;
			rc = crm_state_checkpoint_get(m.session.state, m.run, orun.o->cfg->name, &orun.cp, err);
			if (rc < 0)
				goto out_failed;
			orun.result->counts = orun.cp.counts;
			if (pass == 1 && orun.cp.pass1_done && migrate_indexing_complete(&m, &orun, err))
				goto out_failed;
			if ((pass == 1 && orun.cp.pass1_done) || (pass == 2 && orun.cp.pass2_done))
				continue;
			/*
			 * A first try stopped in an unindexed first load's pass 1
			 * left its committed rows without entries. Unless this try
			 * goes on with that load, they are made now, so that it
			 * knows them (and the object is not fresh).
			 */
			if (pass == 1 && orun.cp.pass1_records > 0 && m.session.store->ops->source_index) {
				rc = resume_unindexed(&m, &orun, err);
				if (rc < 0 || (rc == 0 &&
					       crm_state_xref_from_ledger(m.session.state, m.run, orun.key, 0, 1, err)))
					goto out_failed;
			}
			rc = crm_state_xref_any(m.session.state, orun.key, err);
			if (rc < 0)
				goto out_failed;
			orun.fresh = rc == 0;
			orun.verify = pass == 1 && !orun.fresh ? -1 : 0;
			if (run_pass(&m, &orun, pass, err))
				goto out_failed;
		}
	}
	if (migrate_indexing_wait(&m, err) || migrate_snapshot_wait(&m, err) ||
	    (eff.sync && eff.full && migrate_delete_missing(&m, err)))
		goto out_failed;
	/* the snapshot again, now with the records each export held */
	if (!opt->dry_run && (migrate_source_ready(&m, NULL, err) || migrate_load_sources(&m, err)))
		goto out_failed;
	res->sources = m.sources;
	res->source_count = m.source_count;
	res->seconds = crm_dt_seconds_since(&start);
	{
		char now[CRM_DT_MAX];
		char *summary;
		if (migrate_write_owners(&m, err) || migrate_write_merges(&m, err) || migrate_seal_rejects(&m, err))
			goto out_failed;
		summary = crm_migrate_summary_json(res, opt->dry_run);
		crm_dt_now(NULL, now);
		if (!summary) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			goto out_failed;
		}
		/*
		 * The after-snapshot before the run is done: a run stopped between
		 * the two is still running, and --resume takes the snapshot again.
		 * (Done first, a late kill left a done run without it, and a later
		 * sync could not tell users' edits from its own.)
		 */
		drop_caches(&m); /* no record is resolved any more: their memory goes to the snapshot's rows */
		if (!opt->dry_run && snapshot(&m, "after", err)) {
			crm_free(summary);
			goto out_failed;
		}
		crm_fault_point("run-done");
		rc = crm_state_run_finish(m.session.state, m.run, CRM_RUN_DONE, now, summary, err);
		crm_free(summary);
		if (!rc)
			migrate_remove_plain_rejects(&m);
	}
	goto out;

out_failed:
	/* an I/O or data failure mid-run leaves the run 'running': --resume continues it */
out:
	migrate_indexing_wait(&m, err); /* its error, unless the run failed before */
	migrate_snapshot_wait(&m, err);
	migrate_release_sources(&m);
	drop_caches(&m);
	crm_free(m.key_maps);
	crm_free(m.key_values);
	crm_free(m.caches);
	crm_free(m.keys);
	for (i = 0; m.conflicted && i < p->count; i++)
		crm_idcount_release(&m.conflicted[i]);
	crm_free(m.conflicted);
	for (i = 0; i < m.snapshot_count; i++)
		crm_snapshot_free(m.snapshots[i].snap);
	crm_free(m.snapshots);
	crm_free(m.written);
	crm_strmap_release(&m.owner_keys);
	crm_free(m.owner_tallies);
	migrate_merge_release(&m);
	/* the snapshot, for the summary and the audit log */
	res->sources = m.sources;
	res->source_count = m.source_count;
	if (m.sampling)
		crm_sample_release(&m.sample);
	if (m.rejects)
		fclose(m.rejects);
	if (m.orphans)
		fclose(m.orphans);
	if (m.conflicts)
		fclose(m.conflicts);
	if (m.preview) {
		struct crm_error ignored = CRM_ERROR_INIT;
		m.session.store->ops->rollback(m.session.store, &ignored);
	}
	crm_session_close(&m.session);
	if (m.tmpdir[0])
		crm_remove_tree(m.tmpdir);
	crm_arena_release(&m.arena);
	crm_buf_release(&m.hashbuf);
	crm_buf_release(&m.pre_image);
	crm_free(objects);
	if (!err->code)
		res->seconds = crm_dt_seconds_since(&start);
	return err->code;
}

void crm_migrate_result_release(struct crm_migrate_result *res)
{
	crm_free(res->sources);
	res->sources = NULL;
	crm_free(res->objects);
	res->objects = NULL;
	res->count = 0;
}

static json_t *examples_json(const struct crm_report_example *ex, size_t count)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < count; i++) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "object", ex[i].object, "source_id",
				      ex[i].source_id, "line", (json_int_t)ex[i].line, "field", ex[i].field, "rule",
				      ex[i].rule, "reason", ex[i].reason);
		if (o)
			json_array_append_new(arr, o);
	}
	return arr;
}

char *crm_migrate_summary_json(const struct crm_migrate_result *res, int dry_run)
{
	const int sync = res->sync;
	json_t *root = json_object(), *objects = json_array();
	char *text;
	size_t i;

	if (!root || !objects) {
		json_decref(root);
		json_decref(objects);
		return NULL;
	}
	for (i = 0; i < res->count; i++) {
		const struct crm_object_result *o = &res->objects[i];
		if (!o->selected)
			continue;
		json_t *obj = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "object", o->object, "table",
					o->table, "read", (json_int_t)o->counts.read, "inserted",
					(json_int_t)o->counts.inserted, "updated", (json_int_t)o->counts.updated,
					"unchanged", (json_int_t)o->counts.unchanged, "rejected",
					(json_int_t)o->counts.rejected, "orphaned", (json_int_t)o->counts.orphaned);
		if (obj && o->counts.blanked)
			json_object_set_new(obj, "fields_blanked", json_integer(o->counts.blanked));
		if (obj && o->counts.merged)
			json_object_set_new(obj, "merged", json_integer(o->counts.merged));
		if (obj && sync)
			json_object_update_new(obj,
					       json_pack("{s:I, s:I, s:I}", "deleted", (json_int_t)o->counts.deleted,
							 "conflicts", (json_int_t)o->counts.conflicts, "skipped",
							 (json_int_t)o->counts.skipped));
		json_array_append_new(objects, obj);
	}
	json_object_set_new(root, "run", json_integer(res->run_id));
	json_object_set_new(root, "dry_run", json_boolean(dry_run));
	json_object_set_new(root, "resumed", json_boolean(res->resumed));
	if (res->forced[0]) {
		/* "\n  path: what changed" per export */
		json_t *forced = json_array();
		const char *line = res->forced;
		while (forced && (line = strstr(line, "\n  ")) != NULL) {
			const char *end = strchr(line + 3, '\n');
			size_t len = end ? (size_t)(end - line - 3) : strlen(line + 3);
			json_array_append_new(forced, json_stringn(line + 3, len));
			line += 3;
		}
		json_object_set_new(root, "forced", forced);
	}
	json_object_set_new(root, "target", json_string(res->target));
	json_object_set_new(root, "objects", objects);
	{
		json_t *sources = json_array();
		for (i = 0; sources && i < res->source_count; i++) {
			const struct crm_source_file *f = &res->sources[i];
			json_array_append_new(sources, json_pack("{s:s, s:s, s:I, s:I, s:s, s:b}", "object", f->object,
								 "path", f->path, "size", (json_int_t)f->size,
								 "records", (json_int_t)f->records, "sha256", f->sha256,
								 "forced", f->forced));
		}
		json_object_set_new(root, "sources", sources);
	}
	json_object_set_new(root, "rejects_file", json_string(res->rejects_path));
	json_object_set_new(root, "reject_rows", json_integer(res->reject_rows));
	json_object_set_new(root, "orphans_file", json_string(res->orphans_path));
	json_object_set_new(root, "orphan_rows", json_integer(res->orphan_rows));
	json_object_set_new(root, "reject_examples", examples_json(res->rejects, res->reject_examples));
	json_object_set_new(root, "blanked_rows", json_integer(res->blanked_rows));
	json_object_set_new(root, "blanked_examples", examples_json(res->blanks, res->blank_examples));
	json_object_set_new(root, "orphan_examples", examples_json(res->orphans, res->orphan_examples));
	if (res->owners_path[0])
		json_object_set_new(root, "owners",
				    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "file", res->owners_path, "users",
					      (json_int_t)res->owner_users, "mapped",
					      (json_int_t)res->owner_records[CRM_OWNER_MAPPED], "unknown",
					      (json_int_t)res->owner_records[CRM_OWNER_UNKNOWN], "inactive",
					      (json_int_t)res->owner_records[CRM_OWNER_INACTIVE], "rejected",
					      (json_int_t)res->owner_rejected));
	if (res->merges_path[0])
		json_object_set_new(root, "merges",
				    json_pack("{s:s, s:I, s:I}", "file", res->merges_path, "people",
					      (json_int_t)res->merge_groups, "merged", (json_int_t)res->merged));
	if (sync) {
		json_object_set_new(root, "conflicts_file", json_string(res->conflicts_path));
		json_object_set_new(root, "conflict_rows", json_integer(res->conflict_rows));
		json_object_set_new(root, "events_applied", json_integer(res->events_applied));
		json_object_set_new(root, "events_skipped", json_integer(res->events_skipped));
	}
	json_object_set_new(root, "seconds", json_real(res->seconds));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return NULL;
	{
		/* hand over in our allocator's ownership, as the header promises */
		char *copy = crm_strdup(text);
		free(text);
		return copy;
	}
}
