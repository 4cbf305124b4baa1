/*
 * sales.h: the open sales pipeline, the figure sales leadership checks first
 * after a cutover: open opportunities by stage, with their amounts and
 * close dates. Read from an object's mapped values (the canonical
 * opportunity columns stage, amount, is_closed, is_won, close_date), so the
 * source snapshot and reconcile count the same thing.
 */
#ifndef CRM_SALES_H
#define CRM_SALES_H

#include "compat.h"
#include "state/state.h"
#include "transform/program.h"
#include "util/error.h"

/* Where the program puts each column; -1 when it has none (every one, unless the table is opportunity). */
struct crm_sales_fields {
	long stage, amount, closed, won, close_date;
};

void crm_sales_fields_find(const struct crm_program *prog, struct crm_sales_fields *f);
/* An opportunity that has a stage and is not closed; none when is_closed is not mapped. */
int crm_sales_is_open(const struct crm_sales_fields *f, const struct crm_value *values);
int crm_sales_is_won(const struct crm_sales_fields *f, const struct crm_value *values);
double crm_sales_amount(const struct crm_sales_fields *f, const struct crm_value *values);

/* Open opportunities by stage, in the order stages were first seen. */
struct crm_sales_pipeline {
	struct crm_sales_fields fields;
	struct crm_sales_stage *stages;
	size_t count;
};

void crm_sales_init(struct crm_sales_pipeline *pl, const struct crm_program *prog);
/* Adds one mapped record (nothing when it is not an open opportunity). */
int crm_sales_add(struct crm_sales_pipeline *pl, const struct crm_value *values, struct crm_error *err);
void crm_sales_release(struct crm_sales_pipeline *pl);

#endif
