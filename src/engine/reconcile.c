/*
 * reconcile.c: expected versus actual, then the triggers.
 *
 * Per object, in load order:
 *   1. the export is staged and mapped exactly as migrate does (same
 *      programs, same `unique`, references resolved through the same
 *      cross-reference); each record migrate would load goes into a map
 *      keyed by a 128-bit hash of its source id, holding a 64-bit hash of
 *      its expected values;
 *   2. the target table is scanned once: each row is looked up and its
 *      values hashed the same way; rows the export does not explain are
 *      unexpected, expected records never seen are missing;
 *   3. only when hashes differ, the export is read again for those records
 *      and the target scanned again for them, to compare field by field with
 *      the tolerances, the consent rule and the exception list.
 * Memory: the map (40 bytes a slot, at most 3/4 full), the target rows'
 * hashes (32 bytes a row, gathered by the scan thread while the export is
 * mapped) and the differing records' values.
 */
#include "compat.h"
#include "engine/reconcile.h"
#include "engine/dedupe.h"
#include "engine/sales.h"
#include "engine/refkey.h"
#include "engine/source.h"
#include "engine/stage.h"
#include "state/session.h"
#include "io/csv.h"
#include "io/events.h"
#include "state/state.h"
#include "state/xrefcache.h"
#include "store/store.h"
#include "transform/datetime.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/path.h"
#include "util/sha256.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <utf8proc.h>
#include <xxhash.h>

/* records compared field by field at most, per object; beyond, they count as mismatched records only */
#define DETAIL_MAX 100000

struct slot {
	uint64_t low, high;	/* the source id's 128-bit hash; both 0 = empty */
	uint64_t hash;		/* of the expected values, timestamps aside */
	uint32_t hc, hu;	/* of the mapped created_at and updated_at */
	uint32_t detail;	/* 1-based index of the expected values kept for a field comparison */
	unsigned skip : 2;	/* timestamps not compared: mapped, but left empty by the source */
	unsigned seen : 2;	/* 1 found in the target, 2 missing and its links counted */
	unsigned exception : 1; /* on the exception list */
	unsigned differs : 1;	/* the target's hashes differ */
	unsigned gone : 2;	/* GONE_*: the newest input that has the record does not load it */
	unsigned input : 16;	/* which input gave the record (several: an export and the deltas after it) */
};

/* How many records ahead match and the phase 1 read ask for a record's slots */
#define MATCH_AHEAD 16

/* A record the newest input that has it does not load: earlier inputs' versions of it count no more. */
enum { GONE_NOT, GONE_DELETED, GONE_REJECTED };

/* A target row as the scan thread saw it: its id's hash and its values' hashes. */
struct trow {
	uint64_t low, high, hash;
	uint32_t hc, hu;
};

struct idmap {
	struct slot *slots;
	size_t cap, count;
};

/* The slot where the search for an id whose hash's high half is high starts. */
static size_t idmap_index(const struct idmap *m, uint64_t high)
{
	/* any capacity, not only powers of two: the map is sized to the records, up to 3/4 full */
	return (size_t)(high % m->cap);
}

static struct slot *idmap_find(struct idmap *m, uint64_t low, uint64_t high)
{
	size_t i = idmap_index(m, high);

	while ((m->slots[i].low || m->slots[i].high) && (m->slots[i].low != low || m->slots[i].high != high))
		i = i + 1 == m->cap ? 0 : i + 1;
	return &m->slots[i];
}

static int idmap_resize(struct idmap *m, size_t cap)
{
	struct slot *slots = crm_table_alloc(cap, sizeof(*slots)), *old = m->slots;
	size_t old_cap = m->cap, i;

	if (!slots)
		return -1;
	m->slots = slots;
	m->cap = cap;
	for (i = 0; i < old_cap; i++)
		if (old[i].low || old[i].high)
			*idmap_find(m, old[i].low, old[i].high) = old[i];
	crm_free(old);
	return 0;
}

/* Sizes the map for about n records. */
static int idmap_reserve(struct idmap *m, size_t n)
{
	size_t cap = n + n / 3 + 64;

	return cap > m->cap ? idmap_resize(m, cap) : 0;
}

/* The map's key of an id: its 128-bit XXH3 hash, never 0,0 (which marks an empty slot). */
static struct crm_id_hash id_key(struct crm_id_hash h)
{
	if (!h.low && !h.high)
		h.low = 1;
	return h;
}

/* A staged record's key: from the hash the mapping thread took (stage.h), else hashed here (an event's). */
static struct crm_id_hash record_key(const struct crm_stage_record *rec)
{
	return id_key(crm_stage_key(&rec->id_hash, rec->id, rec->id_len));
}

/* The slot for key, added when absent (*added set); NULL on OOM. */
static struct slot *idmap_put(struct idmap *m, struct crm_id_hash key, int *added)
{
	struct slot *s;

	if ((m->count + 1) * 4 > m->cap * 3 && idmap_resize(m, m->cap ? m->cap + m->cap / 2 : 1024))
		return NULL;
	s = idmap_find(m, key.low, key.high);
	*added = !(s->low || s->high);
	if (*added) {
		s->low = key.low;
		s->high = key.high;
		m->count++;
	}
	return s;
}

static struct slot *idmap_get_hashed(struct idmap *m, uint64_t low, uint64_t high)
{
	struct slot *s;

	if (!m->cap)
		return NULL;
	s = idmap_find(m, low, high);
	return s->low || s->high ? s : NULL;
}

static void id_hash(const char *id, size_t len, uint64_t *low, uint64_t *high)
{
	struct crm_id_hash key = id_key(crm_xref_cache_hash(id, len));

	*low = key.low;
	*high = key.high;
}

static struct slot *idmap_get(struct idmap *m, const char *id, size_t len)
{
	struct crm_id_hash key;
	struct slot *s;

	if (!m->cap)
		return NULL;
	key = id_key(crm_xref_cache_hash(id, len));
	s = idmap_find(m, key.low, key.high);
	return s->low || s->high ? s : NULL;
}

/*
 * The SHA-256 of the selected objects' exports, on a thread of its own: it
 * takes a core the comparison leaves idle while it reads the state and
 * settles the verdict, instead of a pass over every export after it.
 */
struct export_digests {
	const struct crm_project *p;
	const char *objects;
	char (*sha256)[CRM_SHA256_HEX]; /* per project object; "" when not selected or unreadable */
	pthread_t thread;
	int started;
};

static void *digest_exports(void *arg)
{
	struct export_digests *d = arg;
	size_t i;

	for (i = 0; i < d->p->count; i++) {
		struct crm_error err = CRM_ERROR_INIT;
		uint64_t size;
		if (crm_project_selected(d->objects, d->p->objects[i].cfg->name) &&
		    crm_sha256_file(d->p->objects[i].path, d->sha256[i], &size, &err))
			d->sha256[i][0] = '\0';
	}
	return NULL;
}

struct reconciliation {
	struct crm_project *p;
	const char *objects; /* the selection, NULL for all */
	struct crm_reconcile_result *res;
	struct crm_session session;
	struct crm_xref_cache **caches; /* per project object */
	int64_t *keys;
	struct crm_strmap exceptions; /* "object\037source_id" -> reason */
	struct crm_arena arena;
	/* source ids of opportunities that have a contact role in the export */
	struct crm_strmap role_opportunities;
	/* target ids of opportunities -> their contact roles in the target */
	struct crm_idcount target_role_opportunities;
	/* account target id -> its contacts: in the export (accounts the state knows), in the target */
	struct crm_idcount source_children, target_children;
	/* per project object: 1 when a selected object's ref() names it */
	uint8_t *referenced;
	/* per project object: 1 once its export is read, so its not-loaded ids below are complete */
	uint8_t *reconciled;
	/* per referenced object: source ids in the export that are not loaded (num: a crm_link_cause) */
	struct crm_strmap *not_loaded;
	/* per project object: what reconcile compares with, newest first (NULL: its export, as configured) */
	struct recon_input **inputs;
	size_t *input_count;
	/* per relation (res->relations): parent keys that links named and no parent row holds -> records */
	struct crm_strmap *missing;
	size_t missing_cap;
	const struct crm_field_program **missing_field; /* per relation: its field (masks personal keys) */
	size_t missing_field_cap;
};

/* A file a run read for an object: an export, or a delta a sync applied. */
struct recon_input {
	struct crm_source_file file; /* as the run's snapshot recorded it */
	char *path;		     /* where it is now (the project folder joined) */
	int64_t run;
	int full;   /* a whole export (a migrate, sync --full): nothing before it counts */
	int events; /* a change stream (sync --events): every object's events in one file */
};

/* One reference column as the scan thread found it in the target. */
struct ref_tally {
	struct crm_idcount children; /* parent id -> rows pointing at it */
	int64_t not_ids;	     /* values that are no row id at all */
	/* lost links, from the export's side: filled, not resolved (keys in missing), and held in the target */
	int64_t source_links, lost, target_links;
	int64_t missing_row_links; /* resolved links of records the target lacks (failed imports) */
	struct crm_strmap missing;
};

/* A reference of a record, as the target should hold it (object_check.unresolved). */
enum {
	REF_MISSING = 1,   /* names no loaded parent: an orphan */
	REF_ELSEWHERE = 2, /* a polymorphic reference's column its id does not go to (settle_alternatives) */
};

/*
 * Records per owner of an owner() field, keyed by the field's index (4
 * bytes) and the owner: the source side's on the export's thread, the
 * target's on the scan thread, merged into the result after both.
 */
struct owner_counts {
	struct crm_strmap source;   /* num: the export's records naming the owner */
	struct crm_strmap expected; /* num: of those, the ones the target should hold */
	struct crm_strmap target;   /* num: the target's rows */
	struct crm_buf source_key, target_key;
};

/* What an object's comparison needs while it runs. */
struct object_check {
	struct crm_project_object *o;
	struct crm_recon_object *r;
	size_t index;
	struct idmap expected;
	size_t differing; /* records whose hashes differ, detailed or not */
	char **details;	  /* expected values of differing records, len-prefixed (slot.detail - 1) */
	size_t detail_count;
	struct crm_arena values; /* where the details live */
	struct trow *trows;	 /* phase 1: the target rows, gathered by the scan thread */
	size_t trow_count, trow_cap;
	struct crm_recon_stage *tstages; /* the scan thread's open pipeline, merged afterwards */
	size_t tstage_count;
	struct owner_counts owners;
	/* [dedupe]: the groups, as migrate finds them, and per group the row they name (crm_dedupe_rows) */
	struct crm_dedupe_result dedupe;
	int64_t *dedupe_rows;
	unsigned char *dedupe_unmerged;
	struct ref_tally *refs; /* per field, for references: what the target points at */
	uint8_t *unresolved; /* per field: REF_MISSING, the record's reference names no loaded parent; REF_ELSEWHERE */
	struct crm_xref_cache **key_maps; /* per field: what a ref(Object.field) resolves by (refkey.h) */
	int *ref_bit;			  /* per field: the bit of a reference in trow_refs, -1 for other fields */
	size_t ref_bytes;		  /* of each row in trow_refs */
	uint8_t *trow_refs;		  /* phase 1: per target row, a bit per reference the row holds */
	size_t trow_refs_cap;
	struct crm_table_spec spec;
	struct crm_store_column *columns;
	struct crm_value *resolved;	    /* per field: the value the store should hold */
	int *timestamp;			    /* per field: created_at/updated_at */
	int *critical;			    /* per field: index into res->criticals + 1, or 0 */
	int phase;			    /* 1: hashes, 2: fields */
	int multi;			    /* the source is an export and the deltas syncs applied after it */
	unsigned input;			    /* the input being read (0 the newest) */
	struct crm_project_object *stage_o; /* the object reading that input; oc->o when there is one */
	/* columns the totals read, found once (-1 when the table has none) */
	long role_opp;		       /* opportunity_contact.opportunity_id */
	long role_contact;	       /* opportunity_contact.contact_id */
	struct crm_idcount role_pairs; /* the expected roles' (opportunity, contact) target ids, by hash */
	long account;		       /* contact.account_id */
	struct crm_sales_fields opp;
};

static int is_consent_column(const char *table, const char *column)
{
	if (strcmp(table, "consent_event") == 0)
		return 1;
	return strcmp(column, "email_opt_out") == 0 || strcmp(column, "do_not_call") == 0 ||
	       strncmp(column, "consent_", 8) == 0;
}

static int is_optout_column(const char *column)
{
	return strcmp(column, "email_opt_out") == 0 || strcmp(column, "do_not_call") == 0;
}

static struct crm_xref_cache *cache_for(struct reconciliation *rc, const char *object, struct crm_error *err)
{
	struct crm_project_object *po = crm_project_object(rc->p, object);
	size_t i = (size_t)(po - rc->p->objects);

	if (!rc->caches[i])
		rc->caches[i] = crm_state_xref_cache_load(rc->session.state, rc->keys[i], err);
	return rc->caches[i];
}

/*
 * Hashes of values as the target holds them: the columns but the timestamps,
 * and each mapped timestamp apart. Each field is hashed on its own with the
 * previous hash as seed: XXH3 mixes in the length, so field boundaries count.
 */
static void row_hashes(const struct object_check *oc, const struct crm_value *v, uint64_t *hash, uint32_t *hc,
		       uint32_t *hu)
{
	uint64_t h = 0;
	size_t f;

	*hc = *hu = 0;
	for (f = 0; f < oc->o->prog->field_count; f++) {
		const char *ptr = v[f].len ? v[f].ptr : "";
		if (oc->timestamp[f])
			*(oc->timestamp[f] == 1 ? hc : hu) = (uint32_t)XXH3_64bits(ptr, v[f].len);
		else
			h = XXH3_64bits_withSeed(ptr, v[f].len, h);
	}
	*hash = h;
}

/* The target row matches the expected record: timestamps the source left empty are not compared. */
static int same_hashes(const struct slot *s, uint64_t hash, uint32_t hc, uint32_t hu)
{
	return s->hash == hash && ((s->skip & 1) || s->hc == hc) && ((s->skip & 2) || s->hu == hu);
}

/*
 * An id the key prefix could not place, as migrate settles it: it stays in
 * the one column whose parent has it, in the first (an orphan) when none
 * has; the other columns are REF_ELSEWHERE. Returns 1 when several have it.
 */
static int settle_alternatives(struct object_check *oc, size_t first, int *orphan_rejected)
{
	const struct crm_program *prog = oc->o->prog;
	int found[CRM_MAX_REF_OBJECTS];
	size_t a, pick, count = prog->fields[first].alt_count;

	for (a = 0; a < count; a++)
		found[a] = oc->unresolved[first + a] != REF_MISSING;
	if (crm_program_alt_settle(prog, first, found, &pick) > 1)
		return 1;
	for (a = 0; a < count; a++) {
		if (a == pick)
			continue;
		oc->resolved[first + a].ptr = "";
		oc->resolved[first + a].len = 0;
		oc->resolved[first + a].id = 0;
		oc->unresolved[first + a] = REF_ELSEWHERE;
	}
	*orphan_rejected = 0;
	for (a = 0; a < prog->field_count; a++)
		*orphan_rejected |= oc->unresolved[a] == REF_MISSING && prog->fields[a].required;
	return 0;
}

/*
 * The values the store should hold for a staged record: references as the
 * parents' target ids in decimal. Returns 1 when migrate would reject the
 * record for a required reference whose parent is not loaded.
 */
static int expected_values(struct reconciliation *rc, struct object_check *oc, const struct crm_stage_record *rec,
			   uint8_t *skip, struct crm_error *err)
{
	const struct crm_program *prog = oc->o->prog;
	size_t f;
	int orphan_rejected = 0;

	*skip = 0;
	for (f = 0; f < prog->field_count; f++) {
		const struct crm_field_program *field = &prog->fields[f];
		const struct crm_value *v = &rec->values[f];
		oc->resolved[f] = *v;
		oc->unresolved[f] = 0;
		if (field->ref_object && v->len) {
			struct crm_xref_cache *cache =
				field->ref_key ? oc->key_maps[f] : cache_for(rc, field->ref_object, err);
			struct crm_id_hash key;
			int64_t target = 0;
			char *text;
			if (!cache)
				return err->code;
			/* a value several parents have (ref by another field) names none of them, as in migrate */
			key = crm_stage_key(rec->ref_hashes ? &rec->ref_hashes[f] : NULL, v->ptr, v->len);
			if (!crm_xref_cache_get_hashed(cache, key.low, key.high, &target) ||
			    target == CRM_REFKEY_AMBIGUOUS) {
				oc->resolved[f].ptr = "";
				oc->resolved[f].len = 0;
				oc->unresolved[f] = REF_MISSING;
				orphan_rejected |= field->required;
				continue;
			}
			text = crm_arena_alloc(&rc->arena, 24);
			if (!text)
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			oc->resolved[f].len = (size_t)snprintf(text, 24, "%lld", (long long)target);
			oc->resolved[f].ptr = text;
			oc->resolved[f].id = target;
		}
		if (oc->timestamp[f] && !v->len)
			*skip |= (uint8_t)oc->timestamp[f];
	}
	for (f = 0; f < prog->field_count; f++)
		if (crm_program_alt_undecided(prog, f, rec->values) && settle_alternatives(oc, f, &orphan_rejected))
			return 1; /* several parents have the id: migrate rejects the record */
	return orphan_rejected;
}

static void mask(char *out, size_t cap, const struct crm_field_program *field, const char *ptr, size_t len)
{
	if (!len)
		snprintf(out, cap, "(empty)");
	else if (!crm_program_masked(field, ptr, len, out, cap))
		snprintf(out, cap, "%.*s", (int)(len > (size_t)cap - 1 ? cap - 1 : len), ptr);
}

static const struct crm_tolerance *tolerance_for(const struct crm_config *cfg, const char *table, const char *column)
{
	size_t i;

	for (i = 0; i < cfg->tolerance_count; i++)
		if (strcmp(cfg->tolerances[i].table, table) == 0 && strcmp(cfg->tolerances[i].column, column) == 0)
			return &cfg->tolerances[i];
	return NULL;
}

static int equal_within(const struct crm_tolerance *tol, const struct crm_value *a, const struct crm_value *b)
{
	if (a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0))
		return 1;
	if (!tol || !a->len || !b->len)
		return 0;
	if (tol->kind == CRM_TOL_NUMBER) {
		char x[64], y[64];
		char *ex, *ey;
		double dx, dy;
		if (a->len >= sizeof(x) || b->len >= sizeof(y))
			return 0;
		memcpy(x, a->ptr, a->len);
		x[a->len] = '\0';
		memcpy(y, b->ptr, b->len);
		y[b->len] = '\0';
		dx = strtod(x, &ex);
		dy = strtod(y, &ey);
		/* a relative epsilon keeps 0.01 a cent even after binary rounding */
		return !*ex && !*ey && (dx - dy <= tol->delta * (1 + 1e-9)) && (dy - dx <= tol->delta * (1 + 1e-9));
	} else {
		utf8proc_uint8_t *fa = NULL, *fb = NULL;
		utf8proc_ssize_t la, lb;
		int same;
		la = utf8proc_map((const utf8proc_uint8_t *)a->ptr, (utf8proc_ssize_t)a->len, &fa,
				  UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
		lb = utf8proc_map((const utf8proc_uint8_t *)b->ptr, (utf8proc_ssize_t)b->len, &fb,
				  UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
		same = la >= 0 && la == lb && memcmp(fa, fb, (size_t)la) == 0;
		free(fa);
		free(fb);
		return same;
	}
}

static int exception_reason(struct reconciliation *rc, const char *object, const char *id, size_t len)
{
	char key[512];
	size_t olen = strlen(object);

	if (!rc->exceptions.count || olen + 1 + len > sizeof(key))
		return 0;
	memcpy(key, object, olen);
	key[olen] = '\037';
	memcpy(key + olen + 1, id, len);
	return crm_strmap_get(&rc->exceptions, key, olen + 1 + len) != NULL;
}

static int load_exceptions(struct reconciliation *rc, struct crm_error *err)
{
	struct crm_csv_reader *r;
	struct crm_record rec;
	char *path;
	int rc_;

	if (!rc->p->cfg.exceptions)
		return 0;
	path = crm_config_path(&rc->p->cfg, rc->p->cfg.exceptions);
	if (!path)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	r = crm_csv_open(path, "utf-8", ',', err);
	crm_free(path);
	if (!r)
		return err->code;
	while ((rc_ = crm_csv_next(r, &rec, err)) != CRM_READ_EOF) {
		struct crm_field object, id;
		char key[512];
		if (rc_ < 0 || rc_ == CRM_READ_BAD_RECORD)
			goto out;
		if (rec.index == 0) {
			if (rec.count != 3 || crm_csv_column(r, "object") != 0 || crm_csv_column(r, "source_id") != 1 ||
			    crm_csv_column(r, "reason") != 2) {
				crm_error_set(err, CRM_EINPUT,
					      "%s:1: the exception list's columns are object,source_id,reason",
					      crm_csv_path(r));
				goto out;
			}
			continue;
		}
		if (!rec.fields[2].len) {
			crm_error_set(err, CRM_EINPUT, "%s:%lu: an exception needs a reason", crm_csv_path(r),
				      rec.line);
			goto out;
		}
		/* the ids may come from a report, where crmshift marked formula triggers */
		object = rec.fields[0];
		id = rec.fields[1];
		crm_csv_cell_unmark(&object.ptr, &object.len);
		crm_csv_cell_unmark(&id.ptr, &id.len);
		if (object.len + 1 + id.len > sizeof(key)) {
			crm_error_set(err, CRM_EINPUT, "%s:%lu: object and source id are too long", crm_csv_path(r),
				      rec.line);
			goto out;
		}
		memcpy(key, object.ptr, object.len);
		key[object.len] = '\037';
		memcpy(key + object.len + 1, id.ptr, id.len);
		if (crm_strmap_put(&rc->exceptions, key, object.len + 1 + id.len, 0, NULL, NULL, err) < 0)
			goto out;
	}
out:
	crm_csv_close(r);
	return err->code;
}

/* ---- aggregates: critical fields, business totals, relationships ---- */

static struct crm_recon_stage *stage_entry(struct crm_recon_stage **items, size_t *count, const char *stage, size_t len,
					   struct crm_error *err)
{
	size_t i;
	struct crm_recon_stage *stages;

	for (i = 0; i < *count; i++)
		if (strlen((*items)[i].stage) == len && memcmp((*items)[i].stage, stage, len) == 0)
			return &(*items)[i];
	stages = crm_realloc(*items, (*count + 1) * sizeof(*stages));
	if (!stages) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	*items = stages;
	memset(&stages[*count], 0, sizeof(*stages));
	if (!(stages[*count].stage = crm_strndup(stage, len))) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	return &stages[(*count)++];
}

/* Adds one row's business figures (source side when source is set). */
static int business(struct reconciliation *rc, struct object_check *oc, const struct crm_value *v, int source,
		    struct crm_error *err)
{
	struct crm_reconcile_result *res = rc->res;
	const struct crm_program *prog = oc->o->prog;

	/*
	 * The source and target sides run on two threads at once: a side writes
	 * only its own fields (a "+= 0" from the other side would lose counts).
	 */
	if (strcmp(prog->table, "lead") == 0) {
		if (!source)
			res->leads_target++; /* the source's are counted record by record in stage_export */
		return 0;
	}
	if (strcmp(prog->table, "opportunity") == 0) {
		const struct crm_sales_fields *opp = &oc->opp;
		double value = crm_sales_amount(opp, v);
		if (!source)
			res->opportunities_target++;
		if (crm_sales_is_won(opp, v)) {
			*(source ? &res->won_source_count : &res->won_target_count) += 1;
			*(source ? &res->won_source_amount : &res->won_target_amount) += value;
		}
		if (crm_sales_is_open(opp, v)) {
			const struct crm_value *stage = &v[opp->stage];
			/* the scan thread keeps its own list: the two sides run at once */
			struct crm_recon_stage *s = source ? stage_entry(&res->stages, &res->stage_count,
									 stage->ptr ? stage->ptr : "", stage->len, err)
							   : stage_entry(&oc->tstages, &oc->tstage_count,
									 stage->ptr ? stage->ptr : "", stage->len, err);
			if (!s)
				return err->code;
			*(source ? &s->source_count : &s->target_count) += 1;
			*(source ? &s->source_amount : &s->target_amount) += value;
		}
	}
	return 0;
}

static void criticals(struct reconciliation *rc, struct object_check *oc, const struct crm_value *v, int source)
{
	size_t f;

	for (f = 0; f < oc->o->prog->field_count; f++) {
		struct crm_recon_critical *c;
		if (!oc->critical[f])
			continue;
		c = &rc->res->criticals[oc->critical[f] - 1];
		*(source ? &c->source_rows : &c->target_rows) += 1;
		if (!v[f].len)
			*(source ? &c->source_blank : &c->target_blank) += 1;
	}
}

/* Adds 1 to owner's count for field f in map; key is the side's buffer. */
static int count_owner(struct crm_strmap *map, struct crm_buf *key, size_t f, const struct crm_value *owner,
		       struct crm_error *err)
{
	uint32_t field = (uint32_t)f;
	const struct crm_strmap_entry *e;

	crm_buf_reset(key);
	if (crm_buf_add(key, &field, sizeof(field), err) || crm_buf_add(key, owner->ptr, owner->len, err))
		return err->code;
	if (crm_strmap_put(map, key->ptr, key->len, 0, NULL, &e, err) < 0)
		return err->code;
	((struct crm_strmap_entry *)e)->num++; /* the map owns its entries; it counts, never removes */
	return 0;
}

/* Counts rec's owners in map: the source's records, or those the target should hold. */
static int source_owners(struct object_check *oc, struct crm_strmap *map, const struct crm_stage_record *rec,
			 struct crm_error *err)
{
	size_t i;

	for (i = 0; i < rec->owner_count; i++) {
		struct crm_value owner = crm_stage_owner(rec, &rec->owners[i]);
		if (count_owner(map, &oc->owners.source_key, rec->owners[i].field, &owner, err))
			return err->code;
	}
	return 0;
}

static int target_owners(struct object_check *oc, const struct crm_value *values, struct crm_error *err)
{
	size_t f;

	for (f = 0; f < oc->o->prog->field_count; f++) {
		struct crm_value owner = {values[f].len ? values[f].ptr : "", values[f].len, 0};
		if (oc->o->prog->fields[f].owner &&
		    count_owner(&oc->owners.target, &oc->owners.target_key, f, &owner, err))
			return err->code;
	}
	return 0;
}

static int by_field_and_owner(const void *a, const void *b)
{
	const struct crm_recon_owner *x = a, *y = b;
	int c = strcmp(x->field, y->field);

	return c ? c : strcmp(x->owner, y->owner);
}

/* Both sides' counts into the result: the object's owners by field, then owner. */
static int merge_owners(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	struct crm_reconcile_result *res = rc->res;
	const struct crm_strmap *maps[3] = {&oc->owners.source, &oc->owners.expected, &oc->owners.target};
	struct crm_strmap rows; /* key -> index into res->owners */
	size_t m, i, start = res->owner_count;
	int rc_ = 0;

	crm_strmap_init(&rows);
	for (m = 0; m < 3 && !rc_; m++)
		for (i = 0; i < maps[m]->cap && !rc_; i++) {
			const struct crm_strmap_entry *e = &maps[m]->slots[i], *row;
			struct crm_recon_owner *o;
			uint32_t field;
			int added;
			if (!e->key)
				continue;
			added = crm_strmap_put(&rows, e->key, e->key_len, (int64_t)res->owner_count, NULL, &row, err);
			if (added < 0 || (added && crm_grow(&res->owners, res->owner_count, &res->owner_cap,
							    sizeof(*res->owners), 16))) {
				rc_ = crm_error_set(err, CRM_ENOMEM, "out of memory");
				break;
			}
			o = &res->owners[row->num];
			if (added) {
				memcpy(&field, e->key, sizeof(field));
				memset(o, 0, sizeof(*o));
				o->object = oc->o->cfg->name;
				o->field = oc->o->prog->fields[field].target_field;
				if (!(o->owner = crm_strndup(e->key + sizeof(field), e->key_len - sizeof(field)))) {
					rc_ = crm_error_set(err, CRM_ENOMEM, "out of memory");
					break;
				}
				res->owner_count++;
			}
			*(m == 0 ? &o->source : m == 1 ? &o->expected : &o->target) += e->num;
		}
	crm_strmap_release(&rows);
	if (!rc_ && res->owner_count > start)
		qsort(res->owners + start, res->owner_count - start, sizeof(*res->owners), by_field_and_owner);
	return rc_;
}

/* ---- phase 1: expected records from the export ---- */

/* 1 when another object loading into the same table knows this source id: its row, not an unexpected one */
static int other_object_row(struct reconciliation *rc, struct object_check *oc, uint64_t low, uint64_t high)
{
	size_t i;
	int64_t target;

	for (i = 0; i < rc->p->count; i++) {
		struct crm_project_object *other = &rc->p->objects[i];
		if (other == oc->o || strcmp(other->cfg->target, oc->o->cfg->target) != 0 || !rc->caches[i])
			continue;
		if (crm_xref_cache_get_hashed(rc->caches[i], low, high, &target))
			return 1;
	}
	return 0;
}

/* Keeps a source id of a referenced object that will not load: a link to it is lost for that cause. */
static int not_loaded(struct reconciliation *rc, struct object_check *oc, const struct crm_stage_record *rec,
		      enum crm_link_cause cause, struct crm_error *err)
{
	size_t i = (size_t)(oc->o - rc->p->objects);

	if (!rc->referenced[i] || !rec->id_len)
		return 0;
	return crm_strmap_put(&rc->not_loaded[i], rec->id, rec->id_len, cause, NULL, NULL, err) < 0 ? err->code : 0;
}

/*
 * Several inputs (an export and the deltas syncs applied after it) are read
 * newest first: a record a newer input had is that input's, and older
 * versions of it count no more.
 */
static int shadowed(struct object_check *oc, const struct crm_stage_record *rec)
{
	struct slot *s;

	if (!oc->multi || !rec->id_len)
		return 0;
	s = idmap_get(&oc->expected, rec->id, rec->id_len);
	return s && s->input != oc->input;
}

/* With several inputs: a record of this input that is not loaded (deleted or rejected) hides older versions. */
static int tombstone(struct object_check *oc, const struct crm_stage_record *rec, unsigned gone, struct crm_error *err)
{
	struct slot *s;
	int added;

	if (!oc->multi || !rec->id_len)
		return 0;
	s = idmap_put(&oc->expected, record_key(rec), &added);
	if (!s)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (added) {
		s->gone = gone;
		s->input = oc->input;
	}
	return 0;
}

/*
 * The links a record carries in the export, and the parent keys of those it
 * loses. A record rejected for a required reference counts only the links it
 * lost that way (only_lost): its other links are lost with the record, which
 * failed_imports measures.
 */
static int tally_links(struct object_check *oc, const struct crm_stage_record *rec, int only_lost,
		       struct crm_error *err)
{
	const struct crm_program *prog = oc->o->prog;
	size_t f;

	for (f = 0; f < prog->field_count; f++) {
		struct ref_tally *t = &oc->refs[f];
		const struct crm_strmap_entry *e;
		if (!prog->fields[f].ref_object || !rec->values[f].len || oc->unresolved[f] == REF_ELSEWHERE ||
		    (only_lost && oc->unresolved[f] != REF_MISSING))
			continue;
		t->source_links++;
		if (oc->unresolved[f] != REF_MISSING)
			continue;
		t->lost++;
		if (crm_strmap_put(&t->missing, rec->values[f].ptr, rec->values[f].len, 0, NULL, &e, err) < 0)
			return err->code;
		((struct crm_strmap_entry *)e)->num++; /* the map owns its entries; it counts, never removes */
	}
	return 0;
}

/*
 * A record of a merged group: 1 for a merged one (counted merged; missing
 * when its id does not name the survivor's row; rejected, as migrate
 * rejects it, when the survivor was not loaded) and for a later
 * record repeating a member's id (rejected, as migrate rejects it), 0
 * otherwise; a survivor's values come filled in *copy, which rec then
 * points at.
 */
static int merged_record(struct reconciliation *rc, struct object_check *oc, const struct crm_stage_record **rec,
			 struct crm_stage_record *copy, struct crm_error *err)
{
	int repeat = 0;
	long member = oc->dedupe_rows
			      ? crm_dedupe_member(&oc->dedupe, (*rec)->id, (*rec)->id_len, (*rec)->line, &repeat)
			      : -1;
	size_t g;
	int64_t target;

	if (member < 0)
		return 0;
	g = oc->dedupe.group_of[member];
	if (oc->dedupe_unmerged[g])
		return 0;
	if (repeat) {
		oc->r->rejected += oc->phase == 1;
		return 1;
	}
	if ((size_t)member == oc->dedupe.groups[g].first) {
		*copy = **rec;
		copy->values = crm_dedupe_filled(&oc->dedupe, g, (*rec)->values, &rc->arena);
		copy->ref_hashes = NULL; /* of the record's values, not of those filled in */
		if (!copy->values)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		*rec = copy;
		return 0;
	}
	if (oc->phase == 1) {
		struct crm_xref_cache *ids = cache_for(rc, oc->o->cfg->name, err);
		if (!ids)
			return err->code;
		if (!oc->dedupe_rows[g])
			oc->r->rejected++; /* no record of the person is loaded: migrate rejects it with its survivor */
		else if (crm_xref_cache_get(ids, (*rec)->id, (*rec)->id_len, &target) && target == oc->dedupe_rows[g])
			oc->r->merged++;
		else
			oc->r->missing++;
	}
	return 1;
}

/*
 * One record of the source (an export's, or a change event's), phase 1:
 * what the target should hold; phase 2: the details of a record that
 * differs, or the links of one the target lacks.
 */
static int expect_record(struct reconciliation *rc, struct object_check *oc, const struct crm_stage_record *rec,
			 struct crm_error *err)
{
	const struct crm_program *prog = oc->o->prog;
	long role_opp = oc->role_opp, account = oc->account;
	size_t k;
	struct slot *s;
	struct crm_stage_record filled;
	uint8_t skip;
	int added, orphan, merged;

	crm_arena_reset(&rc->arena);
	if (oc->phase == 1 && shadowed(oc, rec))
		return 0; /* a newer input has this record: that one is the source's */
	if (oc->phase == 1) {
		oc->r->source_rows++;
		if (!rec->deleted || rec->bad) {
			rc->res->leads_source += !strcmp(prog->table, "lead");
			rc->res->opportunities_source += !strcmp(prog->table, "opportunity");
		}
		/* the junction's source side: a role names its opportunity even when it is rejected */
		if (role_opp >= 0 && !rec->bad && rec->values && rec->values[role_opp].len &&
		    crm_strmap_put(&rc->role_opportunities, rec->values[role_opp].ptr, rec->values[role_opp].len, 0,
				   NULL, NULL, err) < 0)
			return err->code;
	}
	if (rec->deleted && !rec->bad) {
		/* flagged deleted in the source ([object] deleted): not loaded, not expected */
		if (oc->phase == 1 &&
		    (not_loaded(rc, oc, rec, CRM_LINK_DELETED, err) || tombstone(oc, rec, GONE_DELETED, err)))
			return err->code;
		return 0;
	}
	/* the source's business figures: every record that maps, rejected or not, as migrate's snapshot */
	if (oc->phase == 1 && !rec->bad && rec->values && business(rc, oc, rec->values, 1, err))
		return err->code;
	if (oc->phase == 1 && !rec->bad && rec->values && source_owners(oc, &oc->owners.source, rec, err))
		return err->code;
	if (rec->bad || !rec->id_len || rec->failure_count) {
		if (oc->phase == 1) {
			oc->r->rejected++;
			if (not_loaded(rc, oc, rec, CRM_LINK_REJECTED, err) || tombstone(oc, rec, GONE_REJECTED, err))
				return err->code;
		}
		return 0;
	}
	merged = merged_record(rc, oc, &rec, &filled, err);
	if (merged)
		return merged < 0 ? merged : 0;
	if (oc->phase == 2) {
		struct slot *d = idmap_get(&oc->expected, rec->id, rec->id_len);
		size_t f, total = 0;
		char *copy;
		if (d && (d->gone || d->input != oc->input))
			return 0; /* not this input's record */
		if (d && d->seen == 0) {
			/* a missing (or excepted missing) record: its links go with it, measured by failed_imports */
			d->seen = 2;
			if (expected_values(rc, oc, rec, &skip, err) < 0)
				return err->code;
			for (f = 0; f < prog->field_count; f++)
				oc->refs[f].missing_row_links += prog->fields[f].ref_object && oc->resolved[f].len;
			return 0;
		}
		if (!d || !d->differs || d->detail || oc->detail_count >= DETAIL_MAX)
			return 0;
		if (expected_values(rc, oc, rec, &skip, err) < 0)
			return err->code;
		/* the expected values of a differing record, kept as len-prefixed text */
		for (f = 0; f < prog->field_count; f++)
			total += sizeof(uint32_t) + oc->resolved[f].len;
		copy = crm_arena_alloc(&oc->values, total + 1);
		if (!copy) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			return err->code;
		}
		total = 0;
		for (f = 0; f < prog->field_count; f++) {
			uint32_t len = (uint32_t)oc->resolved[f].len;
			memcpy(copy + total, &len, sizeof(len));
			memcpy(copy + total + sizeof(len), oc->resolved[f].ptr, len);
			total += sizeof(len) + len;
		}
		oc->details[oc->detail_count++] = copy;
		d->detail = (uint32_t)oc->detail_count;
		return 0;
	}
	{
		/* migrate rejects an id another object writing the same table has loaded */
		struct crm_id_hash key = record_key(rec);
		if (other_object_row(rc, oc, key.low, key.high)) {
			oc->r->rejected++;
			if (not_loaded(rc, oc, rec, CRM_LINK_REJECTED, err) || tombstone(oc, rec, GONE_REJECTED, err))
				return err->code;
			return 0;
		}
	}
	orphan = expected_values(rc, oc, rec, &skip, err);
	if (orphan < 0)
		return err->code;
	if (orphan) {
		oc->r->rejected++;
		if (not_loaded(rc, oc, rec, CRM_LINK_REJECTED, err) || tally_links(oc, rec, 1, err) ||
		    tombstone(oc, rec, GONE_REJECTED, err))
			return err->code;
		return 0;
	}
	s = idmap_put(&oc->expected, record_key(rec), &added);
	if (!s) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return err->code;
	}
	if (!added && s->gone) {
		/* the input's earlier record with this id was not loaded; this one is */
		s->gone = GONE_NOT;
		added = 1;
	}
	if (!added) {
		/* migrate loads the first record with an id and rejects the others */
		oc->r->rejected++;
		return 0;
	}
	s->input = oc->input;
	if (tally_links(oc, rec, 0, err))
		return err->code;
	for (k = 0; k < rec->blanked_count; k++) {
		/* expected empty, so no mismatch: counted, so a GO never hides them */
		oc->r->blanked++;
		oc->r->fields[rec->blanked[k].field].blanked++;
	}
	row_hashes(oc, oc->resolved, &s->hash, &s->hc, &s->hu);
	s->skip = skip;
	s->exception = (uint8_t)exception_reason(rc, oc->o->cfg->name, rec->id, rec->id_len);
	oc->r->expected++;
	if (source_owners(oc, &oc->owners.expected, rec, err))
		return err->code;
	criticals(rc, oc, oc->resolved, 1);
	if (oc->role_opp >= 0 && oc->role_contact >= 0 && oc->resolved[oc->role_opp].id &&
	    oc->resolved[oc->role_contact].id) {
		/* a role whose opportunity and contact an earlier role has: one link, held twice */
		uint64_t pair = XXH3_64bits_withSeed(&oc->resolved[oc->role_contact].id, sizeof(int64_t),
						     (uint64_t)oc->resolved[oc->role_opp].id);
		int64_t key = (int64_t)(pair >> 1) | 1;
		rc->res->duplicate_roles += crm_idcount_get(&oc->role_pairs, key) > 0;
		if (crm_idcount_add(&oc->role_pairs, key, 1, err))
			return err->code;
	}
	if (account >= 0 && oc->resolved[account].id &&
	    crm_idcount_add(&rc->source_children, oc->resolved[account].id, 1, err))
		return err->code;
	return 0;
}

/*
 * The slots a record a few ahead will touch, asked for early (phase 1): its
 * id's in the expected map, its references' in the parents' id caches.
 */
static void prefetch_keys(const struct reconciliation *rc, const struct object_check *oc,
			  const struct crm_stage_record *rec)
{
	const struct crm_program *prog = oc->o->prog;
	size_t f;

	if (oc->expected.cap && rec->id_len)
		__builtin_prefetch(&oc->expected.slots[idmap_index(&oc->expected, record_key(rec).high)]);
	for (f = 0; rec->ref_hashes && f < prog->field_count; f++) {
		const struct crm_field_program *field = &prog->fields[f];
		const struct crm_xref_cache *cache;
		if (!field->ref_object || !rec->values[f].len)
			continue;
		cache = field->ref_key ? oc->key_maps[f]
				       : rc->caches[crm_project_object(rc->p, field->ref_object) - rc->p->objects];
		if (cache)
			crm_xref_cache_prefetch(cache, rec->ref_hashes[f]);
	}
}

static int stage_export(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	struct crm_stage_options opt;
	struct crm_stager *stager;
	struct crm_stage_batch batch;
	size_t i;
	int rc_;

	memset(&opt, 0, sizeof(opt));
	opt.keep_bad = 1;
	opt.run_flags = oc->phase == 1 ? CRM_RUN_CHECK_UNIQUE : 0;
	stager = crm_stager_start(oc->stage_o ? oc->stage_o : oc->o, &opt, err);
	if (!stager)
		return err->code;
	while (!err->code && (rc_ = crm_stager_next(stager, &batch, err)) == 1)
		for (i = 0; i < batch.count && !err->code; i++) {
			if (oc->phase == 1 && i + MATCH_AHEAD < batch.count)
				prefetch_keys(rc, oc, &batch.records[i + MATCH_AHEAD]);
			expect_record(rc, oc, &batch.records[i], err);
		}
	crm_stager_stop(stager);
	return err->code;
}

/* An event's row through the mapping, as sync --events mapped it (without `unique`). */
static int map_event(const struct object_check *oc, const struct crm_record *raw, struct crm_arena *arena,
		     struct crm_program_result *res, struct crm_stage_record *rec, struct crm_error *err)
{
	if (crm_program_run(oc->o->prog, raw, res, arena, 0, err))
		return err->code;
	rec->values = res->values;
	rec->failures = res->failures;
	rec->failure_count = res->failure_count;
	rec->blanked = res->blanked;
	rec->blanked_count = res->blanked_count;
	return 0;
}

/*
 * A change stream's events for this object, each record's last event
 * only (what the stream left it as): one pass finds the last event of
 * each key, a second expects those.
 */
static int stage_events(struct reconciliation *rc, struct object_check *oc, const char *path, struct crm_error *err)
{
	struct crm_strmap last;
	struct crm_program_result res;
	struct crm_arena arena;
	struct crm_events *in = NULL;
	struct crm_event ev;
	int pass;

	crm_strmap_init(&last);
	crm_arena_init(&arena, 64 * 1024);
	if (crm_program_result_init(&res, oc->o->prog, err))
		goto out;
	for (pass = 0; pass < 2 && !err->code; pass++) {
		int64_t seen = 0;
		if (!(in = crm_events_open(path, err)))
			break;
		while (!err->code && crm_events_next(in, &ev, err) == 1) {
			const struct crm_strmap_entry *e;
			struct crm_record raw;
			struct crm_stage_record rec;
			size_t at = crm_stage_event_object(rc->p, ev.table);
			if (at == rc->p->count || &rc->p->objects[rc->p->order[at]] != oc->o)
				continue; /* another object's event, or one sync rejected */
			seen++;
			crm_arena_reset(&arena);
			if (crm_stage_event(oc->o, NULL, &ev, path, &arena, &raw, &rec, err))
				break;
			if (pass == 0) {
				/* a later event of the same record replaces the earlier */
				if (rec.id_len && crm_strmap_put(&last, rec.id, rec.id_len, seen, NULL, &e, err) == 0)
					((struct crm_strmap_entry *)e)->num = seen;
				continue;
			}
			/* an event without a key (or a row that cannot be read) is reported each time, as sync did */
			if (rec.id_len && (e = crm_strmap_get(&last, rec.id, rec.id_len)) && e->num != seen)
				continue;
			if (raw.fields && rec.id_len && map_event(oc, &raw, &arena, &res, &rec, err))
				break;
			expect_record(rc, oc, &rec, err);
		}
		crm_events_close(in);
		in = NULL;
	}
out:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_strmap_release(&last);
	return err->code;
}

/*
 * The export, or with several inputs each of them newest first, each read
 * by a view of the object compiled against that file's header.
 */
static int stage_inputs(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	size_t at = (size_t)(oc->o - rc->p->objects), k;

	oc->multi = rc->input_count[at] > 0;
	if (!oc->multi)
		return stage_export(rc, oc, err);
	if (!oc->r->compared_with) {
		/* oldest first, as they were applied */
		struct crm_buf text;
		crm_buf_init(&text, 64 * 1024);
		for (k = rc->input_count[at]; k-- > 0 && !err->code;)
			crm_buf_addf(&text, err, "%s%s (run %lld)", k + 1 < rc->input_count[at] ? " + " : "",
				     rc->inputs[at][k].file.path, (long long)rc->inputs[at][k].run);
		if (!err->code && !(oc->r->compared_with = crm_strdup(text.ptr)))
			crm_error_set(err, CRM_ENOMEM, "out of memory");
		crm_buf_release(&text);
		if (err->code)
			return err->code;
	}
	for (k = 0; k < rc->input_count[at] && !err->code; k++) {
		struct crm_project_object view;
		oc->input = (unsigned)k;
		if (rc->inputs[at][k].events) {
			stage_events(rc, oc, rc->inputs[at][k].path, err);
			continue;
		}
		if (crm_project_file_view(rc->p, oc->o, rc->inputs[at][k].path, &view, err))
			break;
		oc->stage_o = &view;
		stage_export(rc, oc, err);
		oc->stage_o = NULL;
		crm_project_file_view_release(&view);
	}
	return err->code;
}

/* ---- phase 1 and 2 on the target side ---- */

static int compare_fields(struct reconciliation *rc, struct object_check *oc, const char *id, size_t id_len,
			  const struct crm_value *actual, const char *stored)
{
	const struct crm_program *prog = oc->o->prog;
	const struct crm_config *cfg = &rc->p->cfg;
	struct crm_value expected;
	size_t f, pos = 0;
	int differs = 0, consent = 0, optout = 0, other = 0;
	int accepted = exception_reason(rc, oc->o->cfg->name, id, id_len);
	uint8_t skip = 0;
	struct slot *s = idmap_get(&oc->expected, id, id_len);

	if (s)
		skip = s->skip;
	for (f = 0; f < prog->field_count; f++) {
		struct crm_recon_field *rf = &oc->r->fields[f];
		uint32_t len;
		memcpy(&len, stored + pos, sizeof(len));
		expected.ptr = stored + pos + sizeof(len);
		expected.len = len;
		pos += sizeof(len) + len;
		if (oc->timestamp[f] && (skip & oc->timestamp[f]))
			continue;
		/* consent is compared exactly, whatever the tolerances say */
		if (equal_within(rf->consent ? NULL : tolerance_for(cfg, prog->table, rf->column), &expected,
				 &actual[f]))
			continue;
		differs = 1;
		if (accepted)
			continue;
		rf->mismatches++;
		/* each difference is measured by one trigger: consent, a blanked critical field, or record mismatches */
		if (rf->consent) {
			consent = 1;
			if (is_optout_column(rf->column) && crm_value_is_true(&expected) &&
			    !crm_value_is_true(&actual[f]))
				optout = 1;
		} else if (!((oc->critical[f] || prog->fields[f].ref_object) && expected.len && !actual[f].len)) {
			other = 1; /* a blanked critical field or link is measured by critical_blank or lost_links */
		}
		if (rf->example_count < CRM_RECON_EXAMPLES) {
			struct crm_recon_example *ex = &rf->examples[rf->example_count++];
			snprintf(ex->source_id, sizeof(ex->source_id), "%.*s", (int)(id_len > 63 ? 63 : id_len), id);
			mask(ex->expected, sizeof(ex->expected), &prog->fields[f], expected.ptr, expected.len);
			mask(ex->actual, sizeof(ex->actual), &prog->fields[f], actual[f].ptr, actual[f].len);
		}
	}
	if (!differs)
		return 0; /* within tolerance */
	if (accepted) {
		oc->r->accepted++;
		return 0;
	}
	oc->r->mismatched += other;
	oc->r->consent_mismatches += consent;
	oc->r->optouts_lost += optout;
	return 0;
}

struct scan_ctx {
	struct reconciliation *rc;
	struct object_check *oc;
	pthread_t thread;
	struct crm_error err;
};

/* The privacy check of one target value (phase 1, on the scan thread). */
static void privacy(struct crm_recon_field *rf, const struct crm_field_program *field, const char *id, size_t id_len,
		    const struct crm_value *v)
{
	if (!rf->protection || !v->len)
		return;
	rf->protected_values++;
	if (crm_program_protected_form(field, v->ptr, v->len))
		return;
	if (!rf->exposed++)
		snprintf(rf->exposed_example, sizeof(rf->exposed_example), "%.*s", (int)(id_len > 63 ? 63 : id_len),
			 id);
}

/* Phase 1, on the scan thread: keeps the row's hashes and the target side's figures. */
static int gather_row(void *ctx, const char *id, size_t id_len, const struct crm_value *values, struct crm_error *err)
{
	struct scan_ctx *sc = ctx;
	struct object_check *oc = sc->oc;
	struct reconciliation *rc = sc->rc;
	struct trow *t;
	size_t f;

	if (crm_grow(&oc->trows, oc->trow_count, &oc->trow_cap, sizeof(*oc->trows), 4096))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (oc->ref_bytes) {
		uint8_t *bits;
		if (crm_grow(&oc->trow_refs, oc->trow_count, &oc->trow_refs_cap, oc->ref_bytes, 4096))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		bits = oc->trow_refs + oc->trow_count * oc->ref_bytes;
		memset(bits, 0, oc->ref_bytes);
		for (f = 0; f < oc->o->prog->field_count; f++)
			if (oc->ref_bit[f] >= 0 && values[f].len)
				bits[oc->ref_bit[f] / 8] |= (uint8_t)(1u << (oc->ref_bit[f] % 8));
	}
	t = &oc->trows[oc->trow_count++];
	id_hash(id, id_len, &t->low, &t->high);
	row_hashes(oc, values, &t->hash, &t->hc, &t->hu);
	criticals(rc, oc, values, 0);
	if (business(rc, oc, values, 0, err))
		return err->code;
	if (target_owners(oc, values, err))
		return err->code;
	for (f = 0; f < oc->o->prog->field_count; f++) {
		privacy(&oc->r->fields[f], &oc->o->prog->fields[f], id, id_len, &values[f]);
		if (!oc->o->prog->fields[f].ref_object || !values[f].len)
			continue;
		if (values[f].id <= 0)
			oc->refs[f].not_ids++;
		else if (crm_idcount_add(&oc->refs[f].children, values[f].id, 1, err))
			return err->code;
	}
	return 0;
}

static void *scan_thread(void *arg)
{
	struct scan_ctx *sc = arg;

	sc->rc->session.store->ops->scan(sc->rc->session.store, &sc->oc->spec, gather_row, sc, &sc->err);
	return NULL;
}

/* Phase 2: the differing records, field by field. */
static int compare_row(void *ctx, const char *id, size_t id_len, const struct crm_value *values, struct crm_error *err)
{
	struct scan_ctx *sc = ctx;
	struct object_check *oc = sc->oc;
	struct slot *s = idmap_get(&oc->expected, id, id_len);

	(void)err;
	if (!s || !s->differs)
		return 0;
	if (s->detail)
		return compare_fields(sc->rc, oc, id, id_len, values, oc->details[s->detail - 1]);
	if (s->exception)
		oc->r->accepted++;
	else
		oc->r->mismatched++; /* beyond the detail budget, or the export no longer yields it */
	return 0;
}

/* After both sides are read: matches, missing and unexpected records, and which differ. */
static void match(struct reconciliation *rc, struct object_check *oc)
{
	size_t i;

	for (i = 0; i < oc->trow_count; i++) {
		const struct trow *t = &oc->trows[i];
		struct slot *s;
		/* the rows' slots lie anywhere in the map: asked for a few rows ahead, they are in cache when needed */
		if (i + MATCH_AHEAD < oc->trow_count && oc->expected.cap)
			__builtin_prefetch(
				&oc->expected.slots[idmap_index(&oc->expected, oc->trows[i + MATCH_AHEAD].high)]);
		s = idmap_get_hashed(&oc->expected, t->low, t->high);
		if (!s) {
			oc->r->unexpected += !other_object_row(rc, oc, t->low, t->high);
			continue;
		}
		if (s->gone) {
			/* deleted in the source since: the row should be gone; a newer version rejected: the row stays */
			oc->r->unexpected += s->gone == GONE_DELETED;
			continue;
		}
		if (s->seen) {
			oc->r->unexpected++; /* a second row with the same source id */
			continue;
		}
		s->seen = 1;
		oc->r->in_target++;
		if (oc->ref_bytes) {
			const uint8_t *bits = oc->trow_refs + i * oc->ref_bytes;
			size_t f;
			for (f = 0; f < oc->o->prog->field_count; f++)
				if (oc->ref_bit[f] >= 0 && (bits[oc->ref_bit[f] / 8] & (1u << (oc->ref_bit[f] % 8))))
					oc->refs[f].target_links++;
		}
		if (!same_hashes(s, t->hash, t->hc, t->hu)) {
			s->differs = 1;
			oc->differing++;
		}
	}
	for (i = 0; i < oc->expected.cap; i++) {
		struct slot *s = &oc->expected.slots[i];
		if ((s->low || s->high) && !s->seen && !s->gone) {
			if (s->exception)
				oc->r->accepted++;
			else
				oc->r->missing++;
		}
	}
}

/* Loads, before the threads start, every cross-reference the object's comparison reads. */
static int preload(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	const struct crm_program *prog = oc->o->prog;
	size_t i;

	for (i = 0; i < prog->field_count; i++) {
		const struct crm_field_program *field = &prog->fields[i];
		struct crm_xref_cache *ids;
		if (!field->ref_object)
			continue;
		ids = cache_for(rc, field->ref_object, err);
		if (!ids)
			return err->code;
		if (field->ref_key && !(oc->key_maps[i] = crm_refkey_load(crm_project_object(rc->p, field->ref_object),
									  field->ref_key, ids, NULL, err)))
			return err->code;
	}
	for (i = 0; i < rc->p->count; i++)
		if (&rc->p->objects[i] != oc->o && strcmp(rc->p->objects[i].cfg->target, oc->o->cfg->target) == 0 &&
		    !cache_for(rc, rc->p->objects[i].cfg->name, err))
			return err->code;
	return 0;
}

static int setup_check(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	const struct crm_program *prog = oc->o->prog;
	size_t f, n = prog->field_count ? prog->field_count : 1, c;

	oc->columns = crm_calloc(n, sizeof(*oc->columns));
	oc->resolved = crm_calloc(n, sizeof(*oc->resolved));
	oc->timestamp = crm_calloc(n, sizeof(int));
	oc->critical = crm_calloc(n, sizeof(int));
	oc->r->fields = crm_calloc(n, sizeof(*oc->r->fields));
	oc->refs = crm_calloc(n, sizeof(*oc->refs)); /* all zero: empty tallies */
	oc->unresolved = crm_calloc(n, 1);
	oc->key_maps = crm_calloc(n, sizeof(*oc->key_maps));
	oc->ref_bit = crm_calloc(n, sizeof(int));
	if (!oc->columns || !oc->resolved || !oc->timestamp || !oc->critical || !oc->r->fields || !oc->refs ||
	    !oc->unresolved || !oc->ref_bit || !oc->key_maps)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	oc->r->field_count = prog->field_count;
	crm_strmap_init(&oc->owners.source);
	crm_strmap_init(&oc->owners.expected);
	crm_strmap_init(&oc->owners.target);
	crm_buf_init(&oc->owners.source_key, sizeof(uint32_t) + CRM_MAX_FIELD_LEN);
	crm_buf_init(&oc->owners.target_key, sizeof(uint32_t) + CRM_MAX_FIELD_LEN);
	for (f = 0; f < prog->field_count; f++) {
		const struct crm_field_program *field = &prog->fields[f];
		char name[256];
		oc->ref_bit[f] = field->ref_object ? (int)oc->ref_bytes++ : -1; /* counted here, bytes below */
		crm_strmap_init(&oc->refs[f].missing);
		oc->columns[f].name = field->target_field;
		oc->columns[f].type = field->type;
		oc->timestamp[f] = strcmp(field->target_field, "created_at") == 0   ? 1
				   : strcmp(field->target_field, "updated_at") == 0 ? 2
										    : 0;
		oc->r->fields[f].column = field->target_field;
		oc->r->fields[f].pii = field->pii;
		oc->r->fields[f].protection = field->protect == CRM_PROTECT_PSEUDONYMIZE ? "pseudonymize"
					      : field->protect == CRM_PROTECT_MASK	 ? "mask"
					      : field->protect == CRM_PROTECT_REDACT	 ? "redact"
											 : NULL;
		oc->r->fields[f].consent = is_consent_column(prog->table, field->target_field);
		snprintf(name, sizeof(name), "%s.%s", prog->table, field->target_field);
		for (c = 0; c < rc->res->critical_count; c++)
			if (strcmp(rc->res->criticals[c].field, name) == 0)
				oc->critical[f] = (int)c + 1;
	}
	oc->ref_bytes = (oc->ref_bytes + 7) / 8;
	oc->role_opp = strcmp(prog->table, "opportunity_contact") == 0 ? crm_program_field(prog, "opportunity_id") : -1;
	oc->role_contact = oc->role_opp >= 0 ? crm_program_field(prog, "contact_id") : -1;
	oc->account = strcmp(prog->table, "contact") == 0 ? crm_program_field(prog, "account_id") : -1;
	crm_sales_fields_find(prog, &oc->opp);
	rc->res->closed_mapped |= oc->opp.closed >= 0;
	rc->res->won_mapped |= oc->opp.won >= 0;
	oc->spec.table = prog->table;
	oc->spec.source_system = rc->p->cfg.source_system;
	oc->spec.columns = oc->columns;
	oc->spec.count = prog->field_count;
	oc->details = crm_calloc(DETAIL_MAX, sizeof(*oc->details));
	if (!oc->details)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_arena_init(&oc->values, 256 * 1024);
	return 0;
}

static void release_check(struct object_check *oc)
{
	size_t f, i;

	for (f = 0; oc->refs && f < oc->o->prog->field_count; f++) {
		crm_idcount_release(&oc->refs[f].children);
		crm_strmap_release(&oc->refs[f].missing);
	}
	crm_free(oc->refs);
	crm_free(oc->unresolved);
	for (f = 0; oc->key_maps && f < oc->o->prog->field_count; f++)
		crm_xref_cache_free(oc->key_maps[f]);
	crm_free(oc->key_maps);
	crm_free(oc->ref_bit);
	crm_free(oc->trow_refs);
	crm_free(oc->columns);
	crm_free(oc->resolved);
	crm_free(oc->timestamp);
	crm_free(oc->critical);
	crm_free(oc->expected.slots);
	crm_free(oc->details);
	crm_free(oc->trows);
	for (i = 0; i < oc->tstage_count; i++)
		crm_free(oc->tstages[i].stage);
	crm_free(oc->tstages);
	crm_dedupe_result_release(&oc->dedupe);
	crm_free(oc->dedupe_rows);
	crm_free(oc->dedupe_unmerged);
	crm_strmap_release(&oc->owners.source);
	crm_strmap_release(&oc->owners.expected);
	crm_strmap_release(&oc->owners.target);
	crm_buf_release(&oc->owners.source_key);
	crm_buf_release(&oc->owners.target_key);
	crm_idcount_release(&oc->role_pairs);
	crm_arena_release(&oc->values);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct crm_idcount_entry *)a)->id, y = ((const struct crm_idcount_entry *)b)->id;

	return (x > y) - (x < y);
}

/* Target rows whose reference names no row of the parent table. */
static int dangling(struct reconciliation *rc, const char *parent_table, const struct ref_tally *t, int64_t *count,
		    struct crm_error *err)
{
	size_t n = t->children.count, i, k = 0;
	struct crm_idcount_entry *refs = crm_malloc((n ? n : 1) * sizeof(*refs));
	int64_t *ids = crm_malloc((n ? n : 1) * sizeof(*ids));
	uint8_t *present = crm_malloc(n ? n : 1);

	*count = t->not_ids;
	if (!refs || !ids || !present) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < t->children.cap; i++)
		if (t->children.slots[i].id)
			refs[k++] = t->children.slots[i];
	qsort(refs, n, sizeof(*refs), by_id);
	for (i = 0; i < n; i++)
		ids[i] = refs[i].id;
	if (rc->session.store->ops->has_rows(rc->session.store, parent_table, ids, n, present, err))
		goto out;
	for (i = 0; i < n; i++)
		if (!present[i])
			*count += refs[i].count;
out:
	crm_free(refs);
	crm_free(ids);
	crm_free(present);
	return err->code;
}

static int merge_counts(struct crm_idcount *into, const struct crm_idcount *from, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < from->cap; i++)
		if (from->slots[i].id && crm_idcount_add(into, from->slots[i].id, from->slots[i].count, err))
			return err->code;
	return 0;
}

static int xref_cache_row(void *ctx, const char *id, size_t len, int64_t *row, struct crm_error *err)
{
	(void)err;
	return crm_xref_cache_get(ctx, id, len, row);
}

/*
 * [dedupe]: the object's groups as migrate finds them, and the row each
 * names in the cross-reference: a group naming several rows was left
 * unmerged by migrate, and its records are reconciled as any.
 */
static int find_people(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	const struct crm_dedupe_config *d = crm_config_dedupe(&rc->p->cfg, oc->o->cfg->name);
	struct crm_xref_cache *ids;

	if (!d)
		return 0;
	if (crm_dedupe_find(rc->p, oc->o, d, &oc->dedupe, err) || !(ids = cache_for(rc, oc->o->cfg->name, err)))
		return err->code;
	return crm_dedupe_rows(&oc->dedupe, xref_cache_row, ids, &oc->dedupe_rows, &oc->dedupe_unmerged, err);
}

static int check_object(struct reconciliation *rc, struct object_check *oc, struct crm_error *err)
{
	const struct crm_program *prog = oc->o->prog;
	struct scan_ctx sc;
	size_t i;
	int64_t count;
	int scanning = 0;

	memset(&sc, 0, sizeof(sc));
	sc.rc = rc;
	sc.oc = oc;
	if (setup_check(rc, oc, err) || preload(rc, oc, err) || find_people(rc, oc, err))
		return err->code;
	rc->res->has_junction |= oc->role_opp >= 0;
	if (rc->session.store->ops->count(rc->session.store, prog->table, &count, err))
		return err->code;
	{
		/* sized once from what is known, so neither side doubles while both are in memory */
		int64_t known = 0;
		if (rc->keys[oc->o - rc->p->objects] &&
		    crm_state_xref_count(rc->session.state, rc->keys[oc->o - rc->p->objects], &known, err))
			return err->code;
		if (idmap_reserve(&oc->expected, (size_t)known))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		if (count > 0) {
			oc->trows = crm_malloc((size_t)count * sizeof(*oc->trows));
			if (!oc->trows)
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			oc->trow_cap = (size_t)count;
			if (oc->ref_bytes) {
				oc->trow_refs = crm_malloc((size_t)count * oc->ref_bytes);
				if (!oc->trow_refs)
					return crm_error_set(err, CRM_ENOMEM, "out of memory");
				oc->trow_refs_cap = (size_t)count;
			}
		}
	}
	oc->phase = 1;
	/* the target is read on its own thread while the export is mapped: the state is not touched meanwhile */
	if (count >= 0) {
		if (pthread_create(&sc.thread, NULL, scan_thread, &sc) != 0)
			return crm_error_set(err, CRM_EINTERNAL, "cannot start the scan thread");
		scanning = 1;
	}
	stage_inputs(rc, oc, err);
	if (scanning)
		pthread_join(sc.thread, NULL);
	if (err->code)
		return err->code;
	if (sc.err.code)
		return crm_error_set(err, sc.err.code, "%s", sc.err.msg);
	for (i = 0; i < oc->tstage_count; i++) {
		struct crm_recon_stage *st = stage_entry(&rc->res->stages, &rc->res->stage_count, oc->tstages[i].stage,
							 strlen(oc->tstages[i].stage), err);
		if (!st)
			return err->code;
		st->target_count += oc->tstages[i].target_count;
		st->target_amount += oc->tstages[i].target_amount;
	}
	if (merge_owners(rc, oc, err))
		return err->code;
	match(rc, oc);
	/* the export again: for the records that differ, and for the links of records the target lacks */
	if (oc->differing || (oc->r->missing && oc->ref_bytes)) {
		oc->phase = 2;
		if (stage_inputs(rc, oc, err))
			return err->code;
		if (oc->differing && rc->session.store->ops->scan(rc->session.store, &oc->spec, compare_row, &sc, err))
			return err->code;
	}
	rc->reconciled[oc->o - rc->p->objects] = 1;
	for (i = 0; i < prog->field_count; i++) {
		const struct crm_field_program *field = &prog->fields[i];
		struct ref_tally *t = &oc->refs[i];
		struct crm_recon_relation *rel;
		size_t n = rc->res->relation_count;
		if (!field->ref_object || count < 0)
			continue;
		rel = crm_realloc(rc->res->relations, (n + 1) * sizeof(*rel));
		if (rel)
			rc->res->relations = rel;
		if (!rel || crm_grow(&rc->missing, n, &rc->missing_cap, sizeof(*rc->missing), 16) ||
		    crm_grow(&rc->missing_field, n, &rc->missing_field_cap, sizeof(*rc->missing_field), 16))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		rel = &rel[n];
		memset(rel, 0, sizeof(*rel));
		rel->object = oc->o->cfg->name;
		rel->field = field->target_field;
		rel->parent = field->ref_object;
		rel->source_links = t->source_links;
		rel->target_links = t->target_links;
		rel->threshold = crm_policy_lost_links(&rc->p->cfg.policy, rel->object, rel->field);
		/* a link the export resolves that the target row does not hold: emptied, or its row is missing */
		if (t->source_links - t->lost - t->missing_row_links > t->target_links)
			rel->by_cause[CRM_LINK_EMPTY_IN_TARGET] =
				t->source_links - t->lost - t->missing_row_links - t->target_links;
		rel->source_links -= t->missing_row_links;
		/* the keys move to the result's side: they are explained once every parent is read */
		rc->missing[n] = t->missing;
		crm_strmap_init(&t->missing);
		rc->missing_field[n] = field;
		rc->res->relation_count++;
		if (dangling(rc, field->ref_table, t, &rel->dangling, err))
			return err->code;
	}
	/* what the junction and the largest accounts read after every object is checked */
	if (oc->account >= 0 && merge_counts(&rc->target_children, &oc->refs[oc->account].children, err))
		return err->code;
	if (oc->role_opp >= 0 && merge_counts(&rc->target_role_opportunities, &oc->refs[oc->role_opp].children, err))
		return err->code;
	return 0;
}

/* The junction: opportunities with a contact role in the source, and which of them have none in the target. */
static int junction(struct reconciliation *rc, struct crm_error *err)
{
	struct crm_project_object *role = NULL, *opp;
	struct crm_xref_cache *cache;
	size_t i;
	long f = -1;

	for (i = 0; i < rc->p->count && !role; i++)
		if (strcmp(rc->p->objects[i].cfg->target, "opportunity_contact") == 0 &&
		    crm_project_selected(rc->objects, rc->p->objects[i].cfg->name)) {
			role = &rc->p->objects[i];
			f = crm_program_field(role->prog, "opportunity_id");
		}
	if (!role || f < 0)
		return 0;
	opp = crm_project_object(rc->p, role->prog->fields[f].ref_object);
	cache = cache_for(rc, opp->cfg->name, err);
	if (!cache)
		return err->code;
	for (i = 0; i < rc->role_opportunities.cap; i++) {
		const struct crm_strmap_entry *e = &rc->role_opportunities.slots[i];
		int64_t target;
		if (!e->key || !crm_xref_cache_get(cache, e->key, e->key_len, &target))
			continue; /* the opportunity itself did not load: a failed import, counted there */
		rc->res->opportunities_with_roles++;
		if (!crm_idcount_get(&rc->target_role_opportunities, target))
			rc->res->opportunities_lost_roles++;
	}
	return 0;
}

/* The accounts with most contacts in the export, with their contacts in the target. */
static int largest_parents(struct reconciliation *rc, struct crm_error *err)
{
	struct crm_reconcile_result *res = rc->res;
	struct crm_project_object *contact = NULL, *account;
	int64_t ids[CRM_ARRAY_COUNT(res->parents)];
	char source_ids[CRM_ARRAY_COUNT(res->parents)][64];
	size_t i, j, top = CRM_ARRAY_COUNT(res->parents);
	long f = -1;

	for (i = 0; i < rc->p->count && !contact; i++)
		if (strcmp(rc->p->objects[i].cfg->target, "contact") == 0 &&
		    crm_project_selected(rc->objects, rc->p->objects[i].cfg->name) &&
		    (f = crm_program_field(rc->p->objects[i].prog, "account_id")) >= 0)
			contact = &rc->p->objects[i];
	if (!contact)
		return 0;
	account = crm_project_object(rc->p, contact->prog->fields[f].ref_object);
	for (i = 0; i < rc->source_children.cap; i++) {
		const struct crm_idcount_entry *e = &rc->source_children.slots[i];
		size_t at;
		if (!e->id)
			continue;
		/* insertion into a top-5 list, largest first; ties by id for a stable report */
		for (at = 0; at < res->parent_count; at++)
			if (e->count > res->parents[at].source_children ||
			    (e->count == res->parents[at].source_children && e->id < ids[at]))
				break;
		if (at >= top)
			continue;
		for (j = res->parent_count < top ? res->parent_count : top - 1; j > at; j--) {
			res->parents[j] = res->parents[j - 1];
			ids[j] = ids[j - 1];
		}
		if (res->parent_count < top)
			res->parent_count++;
		ids[at] = e->id;
		res->parents[at].source_children = e->count;
	}
	if (crm_state_xref_source_ids(rc->session.state, rc->keys[account - rc->p->objects], ids, res->parent_count,
				      source_ids, err))
		return err->code;
	for (i = 0; i < res->parent_count; i++) {
		memcpy(res->parents[i].source_id, source_ids[i], sizeof(res->parents[i].source_id));
		res->parents[i].target_children = crm_idcount_get(&rc->target_children, ids[i]);
	}
	return 0;
}

const char *crm_link_cause_name(enum crm_link_cause cause)
{
	static const char *const names[CRM_LINK_CAUSES] = {
		"not_in_export",   "named_differently",	   "parent_rejected",
		"parent_deleted",  "list_of_ids",	   "parent_not_reconciled",
		"empty_in_target", "ambiguous_parent_key", "parent_not_loaded",
	};

	return (unsigned)cause < CRM_LINK_CAUSES ? names[cause] : "unknown";
}

const char *crm_link_cause_text(enum crm_link_cause cause)
{
	static const char *const texts[CRM_LINK_CAUSES] = {
		"parent not in the export",
		"parent named differently",
		"parent rejected",
		"parent flagged deleted",
		"a list of several ids",
		"parent not loaded (its object is not reconciled in this run)",
		"empty in the target though the parent is loaded",
		"the value names several parent records",
		"parent in the export, not loaded (rejected or flagged deleted)",
	};

	return (unsigned)cause < CRM_LINK_CAUSES ? texts[cause] : "unknown";
}

/* The walk over a parent's loaded keys: a set of their folded forms, and the nearest key to each top key. */
struct nearest_walk {
	struct crm_idcount folded; /* hash of a folded key -> keys folding to it */
	struct crm_arena scratch;
	size_t top_count;
	const char *top_folded[CRM_RECON_MISSING_TOP];
	size_t top_folded_len[CRM_RECON_MISSING_TOP];
	size_t best[CRM_RECON_MISSING_TOP];   /* distance of the nearest so far; SIZE_MAX when none */
	char *nearest[CRM_RECON_MISSING_TOP]; /* crm_free */
};

static int64_t folded_id(const char *ptr, size_t len)
{
	/* a positive id for crm_idcount: 62 bits of the hash, never 0 */
	return (int64_t)((XXH3_64bits(ptr, len) >> 2) | 1);
}

/*
 * How far a missing key may be from a parent key to be offered: short keys
 * must match closer, and a key of mostly digits (a record id, a number) is
 * not spelt, so ids one digit apart are never offered as the same parent.
 */
static size_t spelling_margin(const char *folded, size_t len)
{
	size_t i, digits = 0;

	for (i = 0; i < len; i++)
		digits += folded[i] >= '0' && folded[i] <= '9';
	if (digits * 2 >= len)
		return 0;
	return len >= 8 ? 2 : len >= 4 ? 1 : 0;
}

static int nearest_visit(void *ctx, const char *key, size_t len, struct crm_error *err)
{
	struct nearest_walk *w = ctx;
	size_t flen, t;
	const char *f;

	crm_arena_reset(&w->scratch);
	f = crm_text_fold_key(&w->scratch, key, len, &flen);
	if (!f)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (crm_idcount_add(&w->folded, folded_id(f, flen), 1, err))
		return err->code;
	for (t = 0; t < w->top_count; t++) {
		size_t margin, d;
		if (!w->top_folded[t])
			continue;
		margin = spelling_margin(w->top_folded[t], w->top_folded_len[t]);
		d = crm_text_distance(w->top_folded[t], w->top_folded_len[t], f, flen, margin);
		if (d > margin || d > w->best[t])
			continue;
		/* equally near: the smaller key, so the report does not depend on the walk's order */
		if (d == w->best[t] && w->nearest[t] && strcmp(key, w->nearest[t]) >= 0)
			continue;
		crm_free(w->nearest[t]);
		w->nearest[t] = crm_strndup(key, len);
		if (!w->nearest[t])
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		w->best[t] = d;
	}
	return 0;
}

static int by_records(const void *a, const void *b)
{
	const struct crm_strmap_entry *x = *(const struct crm_strmap_entry *const *)a;
	const struct crm_strmap_entry *y = *(const struct crm_strmap_entry *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c;

	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;
	c = memcmp(x->key, y->key, n);
	return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static void show_key(char *out, size_t cap, const struct crm_field_program *field, const char *ptr, size_t len)
{
	if (!crm_program_masked(field, ptr, len, out, cap))
		snprintf(out, cap, "%.*s", (int)(len > cap - 1 ? cap - 1 : len), ptr);
}

/*
 * Why each link of one reference was lost: a list, a parent not loaded
 * (rejected or flagged deleted, as its export said), a parent spelt
 * differently (equal after folding), or none in the export; and for the most
 * frequent keys the nearest key the parent has.
 */
/*
 * The cause of a lost link that its key alone tells, or -1: a list of ids;
 * for a reference by id, a parent its export has but that was rejected or
 * flagged deleted; for a reference by another field (export_keys, that
 * column's values in the parent's export), a value several parents have,
 * or one parent that is not loaded.
 */
static int known_cause(struct reconciliation *rc, size_t parent, const struct crm_xref_cache *export_keys,
		       const char *key, size_t len)
{
	const struct crm_strmap_entry *nl;
	int64_t line;

	if (memchr(key, ';', len))
		return CRM_LINK_LIST;
	if (export_keys) {
		if (!crm_xref_cache_get(export_keys, key, len, &line))
			return -1;
		return line == CRM_REFKEY_AMBIGUOUS ? CRM_LINK_AMBIGUOUS : CRM_LINK_NOT_LOADED;
	}
	nl = crm_strmap_get(&rc->not_loaded[parent], key, len);
	return nl ? (int)nl->num : -1;
}

/* Offers every key of the parent to the walk: its ids from the cross-reference, or the values of its column. */
static int walk_parent_keys(struct reconciliation *rc, size_t parent, const struct crm_field_program *field,
			    struct nearest_walk *w, struct crm_error *err)
{
	struct crm_error rerr = CRM_ERROR_INIT;
	struct crm_reader *r;
	struct crm_record rec;
	long col = -1;
	int rc_;

	if (!field->ref_key)
		return rc->keys[parent]
			       ? crm_state_xref_each(rc->session.state, rc->keys[parent], nearest_visit, w, err)
			       : 0;
	r = crm_project_reader_open(&rc->p->objects[parent], err);
	if (!r)
		return err->code;
	while ((rc_ = crm_reader_next(r, &rec, &rerr)) != CRM_READ_EOF) {
		const char *v;
		size_t len;
		if (rc_ < 0) {
			crm_error_set(err, rerr.code, "%s", rerr.msg);
			break;
		}
		if (rc_ == CRM_READ_BAD_RECORD) {
			crm_error_clear(&rerr);
			continue;
		}
		if (rec.index == 0) {
			col = crm_reader_column(r, field->ref_key);
			continue;
		}
		if (col < 0)
			break;
		v = rec.fields[col].ptr;
		len = rec.fields[col].len;
		crm_text_trim(&v, &len);
		if (len && nearest_visit(w, v, len, err))
			break;
	}
	crm_reader_close(r);
	return err->code;
}

static int explain_relation(struct reconciliation *rc, size_t r, struct crm_error *err)
{
	struct crm_recon_relation *rel = &rc->res->relations[r];
	const struct crm_strmap *keys = &rc->missing[r];
	const struct crm_field_program *field = rc->missing_field[r];
	struct crm_project_object *parent = crm_project_object(rc->p, rel->parent);
	size_t pi = (size_t)(parent - rc->p->objects), i, k = 0, t;
	const struct crm_strmap_entry **entries;
	struct crm_xref_cache *export_keys = NULL;
	struct nearest_walk w;
	int walk = 0;

	if (!keys->count)
		return 0;
	if (field->ref_key && !(export_keys = crm_refkey_load(parent, field->ref_key, NULL, NULL, err)))
		return err->code;
	memset(&w, 0, sizeof(w));
	crm_arena_init(&w.scratch, 4096);
	entries = crm_malloc(keys->count * sizeof(*entries));
	if (!entries)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < keys->cap; i++)
		if (keys->slots[i].key)
			entries[k++] = &keys->slots[i];
	qsort(entries, k, sizeof(*entries), by_records);
	w.top_count = k < CRM_RECON_MISSING_TOP ? k : CRM_RECON_MISSING_TOP;
	for (i = 0; i < k; i++) {
		int known = known_cause(rc, pi, export_keys, entries[i]->key, entries[i]->key_len) >= 0;
		/* a key that may be spelt like a loaded one: the parent's keys are walked once for all of them */
		walk |= !known;
		if (i < w.top_count && !known) {
			w.top_folded[i] = crm_text_fold_key(&rc->arena, entries[i]->key, entries[i]->key_len,
							    &w.top_folded_len[i]);
			if (!w.top_folded[i]) {
				crm_error_set(err, CRM_ENOMEM, "out of memory");
				goto out;
			}
		}
		if (i < w.top_count)
			w.best[i] = SIZE_MAX;
	}
	if (walk && walk_parent_keys(rc, pi, field, &w, err))
		goto out;
	for (i = 0; i < k; i++) {
		const struct crm_strmap_entry *e = entries[i];
		int known = known_cause(rc, pi, export_keys, e->key, e->key_len);
		enum crm_link_cause cause;
		if (known >= 0) {
			cause = (enum crm_link_cause)known;
		} else {
			size_t flen;
			const char *f;
			crm_arena_reset(&w.scratch);
			f = crm_text_fold_key(&w.scratch, e->key, e->key_len, &flen);
			if (!f) {
				crm_error_set(err, CRM_ENOMEM, "out of memory");
				goto out;
			}
			cause = crm_idcount_get(&w.folded, folded_id(f, flen)) ? CRM_LINK_RENAMED
				: rc->reconciled[pi]			       ? CRM_LINK_ABSENT
									       : CRM_LINK_UNRECONCILED;
		}
		rel->by_cause[cause] += e->num;
		if (i < w.top_count) {
			struct crm_recon_missing *m = &rel->missing[rel->missing_count++];
			show_key(m->key, sizeof(m->key), field, e->key, e->key_len);
			m->records = e->num;
			m->cause = cause;
			if (w.nearest[i])
				show_key(m->nearest, sizeof(m->nearest), field, w.nearest[i], strlen(w.nearest[i]));
		}
	}
out:
	crm_xref_cache_free(export_keys);
	for (t = 0; t < CRM_RECON_MISSING_TOP; t++)
		crm_free(w.nearest[t]);
	crm_idcount_release(&w.folded);
	crm_arena_release(&w.scratch);
	crm_free(entries);
	return err->code;
}

/* Lost links of every reference, once every object is read: their causes add up to what was lost. */
static int explain_lost_links(struct reconciliation *rc, struct crm_error *err)
{
	size_t r, c;

	for (r = 0; r < rc->res->relation_count; r++) {
		struct crm_recon_relation *rel = &rc->res->relations[r];
		crm_arena_reset(&rc->arena);
		if (explain_relation(rc, r, err))
			return err->code;
		for (c = 0; c < CRM_LINK_CAUSES; c++)
			rel->lost += rel->by_cause[c];
	}
	return 0;
}

/* ---- the source as of the last applied change ---- */

/* A whole export: a migrate's, or a sync --full's; a sync's delta otherwise. 1, 0, or a negative code. */
static int whole_export(struct reconciliation *rc, const struct crm_run_info *info, struct crm_error *err)
{
	json_t *options, *sync;
	struct crm_buf text;
	int full;

	if (strcmp(info->command, "sync") != 0)
		return 1;
	crm_buf_init(&text, CRM_MAX_RUN_JSON);
	full = crm_state_run_options(rc->session.state, info->id, &text, err);
	options = full == 1 ? json_loads(text.ptr, 0, NULL) : NULL;
	crm_buf_release(&text);
	if (full != 1)
		return full < 0 ? full : 0;
	sync = json_object_get(options, "sync");
	full = json_is_true(json_object_get(sync, "full"));
	json_decref(options);
	return full;
}

static void free_inputs(struct recon_input *inputs, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		crm_free(inputs[i].path);
	crm_free(inputs);
}

/* Appends a file a run read to object at's inputs. */
static int add_input(struct reconciliation *rc, size_t at, const struct crm_source_file *file, int64_t run, int full,
		     int events, struct crm_error *err)
{
	size_t cap = rc->input_count[at];
	struct recon_input *in;

	if (crm_grow(&rc->inputs[at], rc->input_count[at], &cap, sizeof(*in), 4))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	in = &rc->inputs[at][rc->input_count[at]++];
	memset(in, 0, sizeof(*in));
	in->file = *file;
	in->run = run;
	in->full = full;
	in->events = events;
	in->path = file->path[0] == '/' ? crm_strdup(file->path) : crm_config_path(&rc->p->cfg, file->path);
	return in->path ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
}

/*
 * What each object's source is, as the runs that are not rolled back read
 * it: its newest whole export and every delta a sync applied after it,
 * newest first. An object that is just its configured export, as the
 * migration read it, keeps the plain reading (no inputs). Every file
 * replayed must still be as its run read it (SHA-256).
 */
static int gather_inputs(struct reconciliation *rc, struct crm_error *err)
{
	struct crm_run_info last;
	int64_t run;
	size_t i, k;
	int rc_ = crm_state_run_last(rc->session.state, &last, err);

	if (rc_ < 0 || rc_ == 0)
		return rc_ < 0 ? err->code : 0;
	for (run = 1; run <= last.id; run++) {
		struct crm_run_info info;
		struct crm_source_file *files = NULL;
		size_t n = 0;
		int full;
		rc_ = crm_state_run_get(rc->session.state, run, &info, err);
		if (rc_ < 0)
			return err->code;
		if (rc_ == 0 || info.status == CRM_RUN_ROLLED_BACK)
			continue;
		full = whole_export(rc, &info, err);
		if (full < 0)
			return err->code;
		if (crm_state_source_files(rc->session.state, run, &files, &n, err))
			return err->code;
		for (i = 0; i < n && !err->code; i++) {
			struct crm_project_object *po = crm_project_object(rc->p, files[i].object);
			size_t o;
			if (!strcmp(files[i].object, "events")) {
				/* a stream names many objects: each reads its own events from it */
				if (info.status != CRM_RUN_DONE) {
					/* stopped part-way: how far it got is not recorded per run */
					rc->res->events_run = run;
					continue;
				}
				for (o = 0; o < rc->p->count && !err->code; o++)
					add_input(rc, o, &files[i], run, 0, 1, err);
				continue;
			}
			if (po)
				add_input(rc, (size_t)(po - rc->p->objects), &files[i], run, full, 0, err);
		}
		crm_free(files);
		if (err->code)
			return err->code;
	}
	for (i = 0; i < rc->p->count; i++) {
		struct recon_input *in = rc->inputs[i];
		size_t n = rc->input_count[i], first = n;
		/* newest back to the newest whole export, then newest first */
		while (first > 0 && !(first < n && in[first].full))
			first--;
		for (k = 0; k < first; k++)
			crm_free(in[k].path);
		memmove(in, in + first, (n - first) * sizeof(*in));
		n -= first;
		for (k = 0; k < n / 2; k++) {
			struct recon_input t = in[k];
			in[k] = in[n - 1 - k];
			in[n - 1 - k] = t;
		}
		rc->input_count[i] = n;
		if (n == 1 && in[0].full && !strcmp(in[0].path, rc->p->objects[i].path))
			rc->input_count[i] = 0; /* the export as configured: the plain reading */
		if (!rc->input_count[i]) {
			free_inputs(in, n);
			rc->inputs[i] = NULL;
			continue;
		}
		for (k = 0; k < n; k++) {
			char reason[512];
			int changed = crm_source_changed(&in[k].file, in[k].path, 1, reason, sizeof(reason), err);
			if (changed < 0)
				return err->code;
			if (changed)
				return crm_error_set(
					err, CRM_EINPUT,
					"%s: reconcile compares the target with the source as run %lld read "
					"it, and %s: put that file back as the run read it",
					in[k].file.path, (long long)in[k].run, reason);
		}
	}
	return 0;
}

static int add_trigger(struct crm_reconcile_result *res, const char *name, const char *subject, double value,
		       double threshold, int percent, int fired, struct crm_error *err)
{
	struct crm_recon_trigger *t = crm_realloc(res->triggers, (res->trigger_count + 1) * sizeof(*t));

	if (!t)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	res->triggers = t;
	t = &t[res->trigger_count++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->subject, sizeof(t->subject), "%s", subject);
	t->value = value;
	t->threshold = threshold;
	t->percent = percent;
	t->fired = fired;
	if (fired)
		res->go = 0;
	return 0;
}

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0;
}

static int triggers(struct reconciliation *rc, struct crm_error *err)
{
	struct crm_reconcile_result *res = rc->res;
	const struct crm_policy *pol = &rc->p->cfg.policy;
	int64_t consent = 0, optouts = 0;
	size_t i;

	res->go = 1;
	for (i = 0; i < res->count; i++) {
		const struct crm_recon_object *o = &res->objects[i];
		double v = pct(o->rejected + o->missing, o->source_rows);
		if (add_trigger(res, "failed_imports", o->object, v, pol->failed_imports, 1, v > pol->failed_imports,
				err))
			return err->code;
	}
	for (i = 0; i < res->relation_count; i++) {
		const struct crm_recon_relation *rel = &res->relations[i];
		char subject[128];
		double v = pct(rel->lost, rel->source_links);
		snprintf(subject, sizeof(subject), "%s.%s", rel->object, rel->field);
		if (add_trigger(res, "lost_links", subject, v, rel->threshold, 1, v > rel->threshold, err))
			return err->code;
	}
	if (res->has_junction) {
		double v = pct(res->opportunities_lost_roles, res->opportunities_with_roles);
		if (add_trigger(res, "lost_contact_links", "opportunity_contact", v, pol->lost_contact_links, 1,
				v > pol->lost_contact_links, err))
			return err->code;
	}
	for (i = 0; i < res->critical_count; i++) {
		const struct crm_recon_critical *c = &res->criticals[i];
		double v = pct(c->target_blank, c->target_rows) - pct(c->source_blank, c->source_rows);
		if (!c->source_rows)
			continue; /* not mapped in this project */
		if (add_trigger(res, "critical_blank", c->field, v, pol->critical_blank, 1, v > pol->critical_blank,
				err))
			return err->code;
	}
	for (i = 0; i < res->count; i++) {
		const struct crm_recon_object *o = &res->objects[i];
		double v = pct(o->mismatched, o->in_target);
		if (add_trigger(res, "record_mismatches", o->object, v, pol->record_mismatches, 1,
				v > pol->record_mismatches, err))
			return err->code;
		consent += o->consent_mismatches;
		optouts += o->optouts_lost;
	}
	/* a protected field holding what may be a source value is a failure whatever the count */
	for (i = 0; i < res->count; i++) {
		const struct crm_recon_object *o = &res->objects[i];
		size_t f;
		for (f = 0; f < o->field_count; f++) {
			char subject[128];
			if (!o->fields[f].protection)
				continue;
			snprintf(subject, sizeof(subject), "%s.%s", o->table, o->fields[f].column);
			if (add_trigger(res, "privacy", subject, (double)o->fields[f].exposed, 0, 0,
					o->fields[f].exposed > 0, err))
				return err->code;
		}
	}
	/* an opt-out lost is a failure whatever the threshold */
	return add_trigger(res, "consent_mismatches", optouts ? "opt-outs lost" : "consent fields", (double)consent,
			   pol->consent_mismatches, 0, (double)consent > pol->consent_mismatches || optouts > 0, err);
}

void crm_reconcile_result_release(struct crm_reconcile_result *res)
{
	size_t i;

	for (i = 0; i < res->count; i++) {
		crm_free(res->objects[i].fields);
		crm_free(res->objects[i].compared_with);
	}
	crm_free(res->objects);
	crm_free(res->criticals);
	crm_free(res->relations);
	for (i = 0; i < res->stage_count; i++)
		crm_free(res->stages[i].stage);
	crm_free(res->stages);
	for (i = 0; i < res->owner_count; i++)
		crm_free(res->owners[i].owner);
	crm_free(res->owners);
	crm_free(res->triggers);
	memset(res, 0, sizeof(*res));
}

int crm_reconcile(struct crm_project *p, const char *objects, struct crm_reconcile_result *res, struct crm_error *err)
{
	struct reconciliation rc;
	struct export_digests digests;
	char path[PATH_MAX];
	struct timespec start;
	size_t i;
	int opened;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(res, 0, sizeof(*res));
	memset(&rc, 0, sizeof(rc));
	memset(&digests, 0, sizeof(digests));
	rc.p = p;
	rc.objects = objects;
	rc.res = res;
	crm_strmap_init(&rc.exceptions);
	crm_strmap_init(&rc.role_opportunities);
	crm_arena_init(&rc.arena, 16 * 1024);
	rc.caches = crm_calloc(p->count ? p->count : 1, sizeof(*rc.caches));
	rc.keys = crm_calloc(p->count ? p->count : 1, sizeof(*rc.keys));
	rc.referenced = crm_calloc(p->count ? p->count : 1, 1);
	rc.reconciled = crm_calloc(p->count ? p->count : 1, 1);
	rc.not_loaded = crm_calloc(p->count ? p->count : 1, sizeof(*rc.not_loaded));
	rc.inputs = crm_calloc(p->count ? p->count : 1, sizeof(*rc.inputs));
	rc.input_count = crm_calloc(p->count ? p->count : 1, sizeof(*rc.input_count));
	res->objects = crm_calloc(p->count ? p->count : 1, sizeof(*res->objects));
	res->criticals =
		crm_calloc(p->cfg.policy.critical_count ? p->cfg.policy.critical_count : 1, sizeof(*res->criticals));
	digests.p = p;
	digests.objects = objects;
	digests.sha256 = crm_calloc(p->count ? p->count : 1, sizeof(*digests.sha256));
	if (!rc.caches || !rc.keys || !rc.referenced || !rc.reconciled || !rc.not_loaded || !rc.inputs ||
	    !rc.input_count || !res->objects || !res->criticals || !digests.sha256) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	digests.started = pthread_create(&digests.thread, NULL, digest_exports, &digests) == 0;
	if (!digests.started) {
		crm_error_set(err, CRM_EINTERNAL, "cannot start a thread");
		goto out;
	}
	for (i = 0; i < p->count; i++) {
		const struct crm_program *prog = p->objects[i].prog;
		size_t f;
		crm_strmap_init(&rc.not_loaded[i]);
		for (f = 0; crm_project_selected(objects, p->objects[i].cfg->name) && f < prog->field_count; f++)
			if (prog->fields[f].ref_object)
				rc.referenced[crm_project_object(p, prog->fields[f].ref_object) - p->objects] = 1;
	}
	res->critical_count = p->cfg.policy.critical_count;
	for (i = 0; i < res->critical_count; i++)
		snprintf(res->criticals[i].field, sizeof(res->criticals[i].field), "%s",
			 p->cfg.policy.critical_fields[i]);
	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", p->cfg.dir))
		goto out;
	if (load_exceptions(&rc, err))
		goto out;
	opened = crm_session_open(p->cfg.target_url, p->cfg.dir, path, 0, 0, &rc.session, err);
	if (opened > 0)
		crm_error_set(err, CRM_EINPUT,
			      "nothing to reconcile: no migration has run in '%s' ('crmshift migrate' first)",
			      p->cfg.dir);
	if (opened || rc.session.store->ops->cache_limit(rc.session.store, 8u << 20, err))
		goto out;
	for (i = 0; i < p->count; i++)
		if (crm_state_object_key(rc.session.state, p->objects[i].cfg->name, p->objects[i].cfg->target, 0,
					 &rc.keys[i], err) < 0)
			goto out;
	if (crm_project_check_selection(p, objects, err) || gather_inputs(&rc, err))
		goto out;
	for (i = 0; i < p->count; i++) {
		struct object_check oc;
		int rc_;
		memset(&oc, 0, sizeof(oc));
		oc.o = &p->objects[p->order[i]];
		if (!crm_project_selected(objects, oc.o->cfg->name))
			continue;
		oc.r = &res->objects[res->count++];
		oc.r->object = oc.o->cfg->name;
		oc.r->table = oc.o->cfg->target;
		rc_ = check_object(&rc, &oc, err);
		release_check(&oc);
		if (rc_)
			goto out;
	}
	if (junction(&rc, err) || largest_parents(&rc, err) || explain_lost_links(&rc, err) || triggers(&rc, err))
		goto out;
out:
	if (digests.started) {
		pthread_join(digests.thread, NULL);
		for (i = 0; i < res->count; i++)
			memcpy(res->objects[i].export_sha256,
			       digests.sha256[crm_project_object(p, res->objects[i].object) - p->objects],
			       CRM_SHA256_HEX);
	}
	crm_free(digests.sha256);
	for (i = 0; rc.not_loaded && i < p->count; i++)
		crm_strmap_release(&rc.not_loaded[i]);
	for (i = 0; i < res->relation_count && rc.missing; i++)
		crm_strmap_release(&rc.missing[i]);
	crm_free(rc.not_loaded);
	for (i = 0; rc.inputs && i < p->count; i++)
		free_inputs(rc.inputs[i], rc.input_count[i]);
	crm_free(rc.inputs);
	crm_free(rc.input_count);
	crm_free(rc.missing);
	crm_free(rc.missing_field);
	crm_free(rc.referenced);
	crm_free(rc.reconciled);
	for (i = 0; rc.caches && i < p->count; i++)
		crm_xref_cache_free(rc.caches[i]);
	crm_free(rc.caches);
	crm_free(rc.keys);
	crm_idcount_release(&rc.target_role_opportunities);
	crm_idcount_release(&rc.source_children);
	crm_idcount_release(&rc.target_children);
	crm_strmap_release(&rc.exceptions);
	crm_strmap_release(&rc.role_opportunities);
	crm_arena_release(&rc.arena);
	crm_session_close(&rc.session);
	res->seconds = crm_dt_seconds_since(&start);
	return err->code;
}
