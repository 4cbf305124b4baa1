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

#endif
