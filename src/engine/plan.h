/*
 * plan.h: what `crmshift plan` checks beyond opening the project: it reads
 * every export once, without writing anything, and counts its records and
 * the records that will be rejected for their shape (ragged rows, invalid
 * UTF-8, a stray quote), each with file:line:column. A broken file (an
 * unterminated quote, a byte the declared encoding does not have) is an
 * error.
 */
#ifndef CRM_PLAN_H
#define CRM_PLAN_H

#include "compat.h"
#include "engine/project.h"

#define CRM_PLAN_PROBLEMS_MAX 20

struct crm_plan_object {
	int64_t records;
	int64_t bad_records;
	char *problems[CRM_PLAN_PROBLEMS_MAX]; /* the first ones, as messages */
	size_t problem_count;
	char *fatal;	      /* the file cannot be read to its end */
	char *ambiguous_keys; /* a ref(Object.field) of this object whose values several parents have, said */
};

struct crm_plan {
	struct crm_plan_object *objects; /* parallel to project->objects */
	size_t count;
	int fatal;
};

int crm_plan_scan(struct crm_plan *plan, struct crm_project *p, struct crm_error *err);
void crm_plan_release(struct crm_plan *plan);

#endif
