/*
 * plan.c: the read-only scan of the exports.
 */
#include "compat.h"
#include "engine/plan.h"
#include "io/reader.h"
#include "util/alloc.h"

#include <string.h>

void crm_plan_release(struct crm_plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->count; i++) {
		for (j = 0; j < plan->objects[i].problem_count; j++)
			crm_free(plan->objects[i].problems[j]);
		crm_free(plan->objects[i].fatal);
	}
	crm_free(plan->objects);
	memset(plan, 0, sizeof(*plan));
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
	return 0;
}
