/*
 * plan.c: the read-only scan of the exports.
 */
#include "compat.h"
#include "engine/plan.h"
#include "engine/refkey.h"
#include "engine/stage.h"
#include "io/reader.h"
#include "state/xrefcache.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <string.h>

void crm_plan_release(struct crm_plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->count; i++) {
		for (j = 0; j < plan->objects[i].problem_count; j++)
			crm_free(plan->objects[i].problems[j]);
		crm_free(plan->objects[i].fatal);
		crm_free(plan->objects[i].ambiguous_keys);
	}
	crm_free(plan->objects);
	memset(plan, 0, sizeof(*plan));
}

/*
 * A reference by another field than the id must name one parent: the
 * values of that column that several records of the parent's export have
 * resolve to none, which the plan says (the first such reference of each
 * object, with the first value and its lines).
 */
static int check_ref_keys(struct crm_plan *plan, struct crm_project *p, struct crm_error *err)
{
	size_t i, f;

	for (i = 0; i < p->count; i++) {
		const struct crm_program *prog = p->objects[i].prog;
		for (f = 0; f < prog->field_count && !plan->objects[i].ambiguous_keys; f++) {
			const struct crm_field_program *field = &prog->fields[f];
			struct crm_project_object *parent;
			struct crm_refkey_stats stats;
			struct crm_xref_cache *map;
			char text[512];
			if (!field->ref_key)
				continue;
			parent = crm_project_object(p, field->ref_object);
			if (plan->objects[parent - p->objects].fatal)
				continue;
			map = crm_refkey_load(parent, field->ref_key, NULL, &stats, err);
			if (!map)
				return err->code;
			crm_xref_cache_free(map);
			if (!stats.ambiguous)
				continue;
			snprintf(text, sizeof(text),
				 "ref(%s.%s): %lld value%s of %s name several %s records ('%s' at lines %lu and %lu of "
				 "%s): links by %s are left empty",
				 field->ref_object, field->ref_key, (long long)stats.ambiguous,
				 stats.ambiguous == 1 ? "" : "s", field->ref_key, field->ref_object, stats.first_value,
				 stats.first_lines[0], stats.first_lines[1], parent->path,
				 stats.ambiguous == 1 ? "it" : "them");
			if (!(plan->objects[i].ambiguous_keys = crm_strdup(text)))
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* 1 when another object loads into o's table. */
static int shares_table(const struct crm_project *p, const struct crm_project_object *o)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (&p->objects[i] != o && strcmp(p->objects[i].cfg->target, o->cfg->target) == 0)
			return 1;
	return 0;
}

/*
 * Objects that write one table must not share a source id: migrate loads the
 * first object's record and rejects the other's. Each object's ids that
 * would load (as the stager makes them: trimmed, Salesforce ids in their
 * 18-character form) are checked against the ids of the objects that load
 * into the same table before it; the first overlap makes the plan fail,
 * naming both objects and the first ids.
 */
static int check_shared_ids(struct crm_plan *plan, struct crm_project *p, struct crm_error *err)
{
	struct crm_xref_cache **ids = crm_calloc(p->count ? p->count : 1, sizeof(*ids));
	size_t i, j, k;

	if (!ids)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < p->count && !err->code; i++) {
		size_t at = p->order[i];
		struct crm_project_object *o = &p->objects[at];
		struct crm_plan_object *po = &plan->objects[at];
		struct crm_stage_options opt;
		struct crm_stage_batch batch;
		struct crm_stager *stager;
		const char *owner = NULL;
		char first[3][64];
		int64_t shared = 0;
		int rc;

		if (po->fatal || !shares_table(p, o))
			continue;
		if (!(ids[at] = crm_xref_cache_new())) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		memset(&opt, 0, sizeof(opt));
		stager = crm_stager_start(o, &opt, err);
		if (!stager)
			break;
		while ((rc = crm_stager_next(stager, &batch, err)) == 1) {
			for (k = 0; k < batch.count; k++) {
				const struct crm_stage_record *rec = &batch.records[k];
				int64_t ignored;
				if (rec->bad || !rec->id_len || rec->failure_count || rec->deleted)
					continue; /* rejected or not loaded anyway */
				for (j = 0; j < i; j++) {
					size_t other = p->order[j];
					if (!ids[other] || strcmp(p->objects[other].cfg->target, o->cfg->target) != 0 ||
					    !crm_xref_cache_get(ids[other], rec->id, rec->id_len, &ignored))
						continue;
					if (!owner)
						owner = p->objects[other].cfg->name;
					if (shared < 3)
						snprintf(first[shared], sizeof(first[shared]), "%.*s",
							 (int)(rec->id_len > 60 ? 60 : rec->id_len), rec->id);
					shared++;
					break;
				}
				if (crm_xref_cache_put(ids[at], rec->id, rec->id_len, 1, err))
					break;
			}
			if (err->code)
				break;
		}
		crm_stager_stop(stager);
		if (rc < 0 || err->code)
			break;
		if (shared) {
			struct crm_buf msg;
			crm_buf_init(&msg, 4096);
			crm_buf_addf(&msg, err,
				     "%s: %lld records of %s have the source ids of %s records, which load into the "
				     "same table '%s' first (",
				     o->path, (long long)shared, o->cfg->name, owner, o->cfg->target);
			for (k = 0; k < (size_t)shared && k < 3; k++)
				crm_buf_addf(&msg, err, "%s'%s'", k ? ", " : "", first[k]);
			crm_buf_addf(&msg, err,
				     "%s): two objects that write one table cannot share a source id, and these "
				     "records would be rejected",
				     shared > 3 ? ", ..." : "");
			if (!err->code && !(po->fatal = crm_strdup(msg.ptr)))
				crm_error_set(err, CRM_ENOMEM, "out of memory");
			crm_buf_release(&msg);
			plan->fatal = 1;
		}
	}
	for (i = 0; i < p->count; i++)
		crm_xref_cache_free(ids[i]);
	crm_free(ids);
	return err->code;
}

int crm_plan_scan(struct crm_plan *plan, struct crm_project *p, struct crm_error *err)
{
	size_t i;

	memset(plan, 0, sizeof(*plan));
	plan->objects = crm_calloc(p->count ? p->count : 1, sizeof(*plan->objects));
	if (!plan->objects)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	plan->count = p->count;
	for (i = 0; i < p->count; i++) {
		struct crm_project_object *o = &p->objects[i];
		struct crm_plan_object *po = &plan->objects[i];
		struct crm_error rerr = CRM_ERROR_INIT;
		struct crm_reader *r = crm_project_reader_open(o, &rerr);
		struct crm_record rec;
		int rc;

		if (!r) {
			po->fatal = crm_strdup(rerr.msg);
			plan->fatal = 1;
			continue;
		}
		while ((rc = crm_reader_next(r, &rec, &rerr)) != CRM_READ_EOF) {
			if (rc < 0) {
				po->fatal = crm_strdup(rerr.msg);
				plan->fatal = 1;
				break;
			}
			if (rec.index == 0)
				continue;
			po->records++;
			if (rc == CRM_READ_BAD_RECORD) {
				po->bad_records++;
				if (po->problem_count < CRM_PLAN_PROBLEMS_MAX)
					po->problems[po->problem_count++] = crm_strdup(rerr.msg);
				crm_error_clear(&rerr);
			}
		}
		crm_reader_close(r);
	}
	return check_shared_ids(plan, p, err) || check_ref_keys(plan, p, err) ? err->code : 0;
}
