/*
 * refkey.h: what ref(Object.field) resolves by. Data Loader's
 * "Parent:Account-Oracle_Id__c" and exports that link by names point at a
 * parent through another column of its export than its id. This map takes
 * each value of that column to the target id of the loaded parent record
 * that has it (through the parent's cross-reference), so the loader and
 * reconcile resolve such a reference with one hash probe, as for ids.
 *
 * A value that several parent records have names none of them: it maps to
 * CRM_REFKEY_AMBIGUOUS, which resolves nothing, and is counted.
 *
 * Memory: one cross-reference cache entry (24 bytes) per distinct value,
 * the size of the parent's own cross-reference.
 */
#ifndef CRM_REFKEY_H
#define CRM_REFKEY_H

#include "compat.h"
#include "engine/project.h"
#include "state/state.h"
#include "state/xrefcache.h"

#include <stdint.h>

#define CRM_REFKEY_AMBIGUOUS INT64_MAX

struct crm_refkey_stats {
	int64_t ambiguous;	      /* values that several records have */
	char first_value[64];	      /* the first of them, as written (cut at 63 bytes) */
	unsigned long first_lines[2]; /* the lines of its first two records */
};

/*
 * Reads o's export and maps the trimmed values of column to target ids:
 * each record's id (trimmed; a Salesforce id in its 18-character form when
 * the object's format is salesforce) looked up in ids. With ids NULL every
 * record counts, as `plan` checks before anything is loaded; its line is
 * the value. Malformed records and empty values are left out. stats may be
 * NULL. Returns a new cache (crm_xref_cache_free) or NULL with err set.
 */
struct crm_xref_cache *crm_refkey_load(const struct crm_project_object *o, const char *column,
				       const struct crm_xref_cache *ids, struct crm_refkey_stats *stats,
				       struct crm_error *err);

/*
 * The values of one column of a parent's export, per record, kept in the
 * state across runs (crm_state_refkeys_*): a sync's delta file or change
 * stream holds only some of the parent's records, and the links of the
 * others must still resolve. A run reads the parent's export (or events)
 * over what earlier runs kept, and appends only what changed.
 *
 * Memory: each record's source id and value, once; a value that changes
 * in the run (an event) keeps its old copy until the run ends.
 */
struct crm_refkey_values;

/* The values object key's records had after the runs before (none: a project that kept none yet). */
struct crm_refkey_values *crm_refkey_values_load(struct crm_state *state, int64_t key, const char *column,
						 struct crm_error *err);
void crm_refkey_values_free(struct crm_refkey_values *values);
/* How many records have a value (0: none kept). */
size_t crm_refkey_values_count(const struct crm_refkey_values *values);
/*
 * Reads o's export: each well-formed record's value of the column (trimmed,
 * "" when empty; its id as the stager writes it) replaces the one kept,
 * and those that changed are appended to run's in the state.
 */
int crm_refkey_values_read(struct crm_refkey_values *values, const struct crm_project_object *o,
			   struct crm_state *state, int64_t run, struct crm_error *err);
/*
 * One record's value (a change event), kept, and noted to append when it
 * changed: 1 when it replaced another value the record had (a map built
 * from values names the record by its old value: build it again), else 0
 * (crm_refkey_map_note adds a new one), or an error.
 */
int crm_refkey_values_set(struct crm_refkey_values *values, const char *id, size_t id_len, const char *value,
			  size_t value_len, struct crm_error *err);
/* Appends the values set since the last flush to run's in the state (in the caller's transaction). */
int crm_refkey_values_flush(struct crm_refkey_values *values, struct crm_state *state, int64_t run,
			    struct crm_error *err);
/*
 * The map from each value to the target id of the one loaded record (in
 * ids) that has it, CRM_REFKEY_AMBIGUOUS for a value several have. A new
 * cache (crm_xref_cache_free), or NULL with err set.
 */
struct crm_xref_cache *crm_refkey_map(const struct crm_refkey_values *values, const struct crm_xref_cache *ids,
				      struct crm_error *err);
/*
 * A record (by its id's key) was loaded as target_id: map (built by
 * crm_refkey_map from values) learns its value, as a rebuild would.
 */
int crm_refkey_map_note(struct crm_xref_cache *map, const struct crm_refkey_values *values, struct crm_id_hash id,
			int64_t target_id, struct crm_error *err);

#endif
