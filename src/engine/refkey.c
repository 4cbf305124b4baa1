/*
 * refkey.c: a parent's other unique column, read from its export, mapped
 * to its loaded records' target ids (refkey.h).
 */
#include "compat.h"
#include "engine/refkey.h"
#include "transform/sfid.h"
#include "transform/textfn.h"

#include <stdio.h>
#include <string.h>

struct crm_xref_cache *crm_refkey_load(const struct crm_project_object *o, const char *column,
				       const struct crm_xref_cache *ids, struct crm_refkey_stats *stats,
				       struct crm_error *err)
{
	struct crm_error rerr = CRM_ERROR_INIT;
	struct crm_xref_cache *map = crm_xref_cache_new();
	struct crm_reader *r = NULL;
	struct crm_record rec;
	long key_col = -1, id_col = -1;
	int salesforce = o->cfg->format && strcmp(o->cfg->format, "salesforce") == 0, rc;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!map) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	r = crm_project_reader_open(o, err);
	if (!r)
		goto out_free;
	while ((rc = crm_reader_next(r, &rec, &rerr)) != CRM_READ_EOF) {
		char id18[CRM_SFID_LEN + 1];
		const char *id, *value;
		size_t id_len, value_len;
		int64_t target = 0, known;
		if (rc < 0) {
			crm_error_set(err, rerr.code, "%s", rerr.msg);
			goto out_free;
		}
		if (rc == CRM_READ_BAD_RECORD) {
			crm_error_clear(&rerr); /* malformed: rejected by the load, so it names no parent */
			continue;
		}
		if (rec.index == 0) {
			key_col = crm_reader_column(r, column);
			id_col = crm_reader_column(r, o->cfg->id);
			if (key_col < 0 || id_col < 0) {
				crm_error_set(err, CRM_EINPUT, "%s: no column '%s'", crm_reader_path(r),
					      key_col < 0 ? column : o->cfg->id);
				goto out_free;
			}
			continue;
		}
		value = rec.fields[key_col].ptr;
		value_len = rec.fields[key_col].len;
		crm_text_trim(&value, &value_len);
		if (!value_len)
			continue;
		if (ids) {
			id = rec.fields[id_col].ptr;
			id_len = rec.fields[id_col].len;
			crm_text_trim(&id, &id_len);
			/* the id as the stager writes it, so it is found in the cross-reference */
			if (salesforce && crm_sfid_normalize(id, id_len, id18, NULL, 0) == 0) {
				id = id18;
				id_len = CRM_SFID_LEN;
			}
			if (!crm_xref_cache_get(ids, id, id_len, &target))
				continue; /* not loaded: it names no parent in the target */
		} else {
			target = (int64_t)rec.line;
		}
		if (crm_xref_cache_get(map, value, value_len, &known)) {
			if (known == CRM_REFKEY_AMBIGUOUS || known == target)
				continue;
			if (stats && !stats->ambiguous++) {
				snprintf(stats->first_value, sizeof(stats->first_value), "%.*s",
					 (int)(value_len > 63 ? 63 : value_len), value);
				stats->first_lines[0] = ids ? 0 : (unsigned long)known;
				stats->first_lines[1] = rec.line;
			}
			target = CRM_REFKEY_AMBIGUOUS;
		}
		if (crm_xref_cache_put(map, value, value_len, target, err))
			goto out_free;
	}
	crm_reader_close(r);
	return map;
out_free:
	crm_reader_close(r);
	crm_xref_cache_free(map);
	return NULL;
}
