/*
 * sales.c: open opportunities by stage. Stages are few (a sales process
 * has a handful), so a list searched in order is enough.
 */
#include "compat.h"
#include "engine/sales.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

void crm_sales_fields_find(const struct crm_program *prog, struct crm_sales_fields *f)
{
	int opportunity = strcmp(prog->table, "opportunity") == 0;

	f->stage = opportunity ? crm_program_field(prog, "stage") : -1;
	f->amount = opportunity ? crm_program_field(prog, "amount") : -1;
	f->closed = opportunity ? crm_program_field(prog, "is_closed") : -1;
	f->won = opportunity ? crm_program_field(prog, "is_won") : -1;
	f->close_date = opportunity ? crm_program_field(prog, "close_date") : -1;
}

int crm_sales_is_open(const struct crm_sales_fields *f, const struct crm_value *values)
{
	/* without is_closed an open deal cannot be told from a closed one: none is counted, never all */
	return f->stage >= 0 && f->closed >= 0 && !crm_value_is_true(&values[f->closed]);
}

int crm_sales_is_won(const struct crm_sales_fields *f, const struct crm_value *values)
{
	return f->won >= 0 && crm_value_is_true(&values[f->won]);
}

double crm_sales_amount(const struct crm_sales_fields *f, const struct crm_value *values)
{
	char text[64];
	const struct crm_value *v;

	if (f->amount < 0 || !values[f->amount].len)
		return 0;
	/* mapped numbers are not terminated: they point into a record */
	v = &values[f->amount];
	if (v->len >= sizeof(text))
		return 0;
	memcpy(text, v->ptr, v->len);
	text[v->len] = '\0';
	return strtod(text, NULL);
}

void crm_sales_init(struct crm_sales_pipeline *pl, const struct crm_program *prog)
{
	memset(pl, 0, sizeof(*pl));
	crm_sales_fields_find(prog, &pl->fields);
}

static void copy_value(char *dst, size_t cap, const struct crm_value *v)
{
	size_t len = v->len < cap - 1 ? v->len : cap - 1;

	if (len)
		memcpy(dst, v->ptr, len);
	dst[len] = '\0';
}

int crm_sales_add(struct crm_sales_pipeline *pl, const struct crm_value *values, struct crm_error *err)
{
	const struct crm_sales_fields *f = &pl->fields;
	const struct crm_value *stage;
	struct crm_sales_stage *s = NULL;
	char close[sizeof(s->first_close)];
	size_t i;

	if (!crm_sales_is_open(f, values))
		return 0;
	stage = &values[f->stage];
	close[0] = '\0';
	if (f->close_date >= 0)
		copy_value(close, sizeof(close), &values[f->close_date]);
	for (i = 0; i < pl->count && !s; i++)
		if (strlen(pl->stages[i].stage) == stage->len &&
		    memcmp(pl->stages[i].stage, stage->ptr, stage->len) == 0)
			s = &pl->stages[i];
	if (!s) {
		struct crm_sales_stage *grown = crm_realloc(pl->stages, (pl->count + 1) * sizeof(*grown));
		if (!grown)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		pl->stages = grown;
		s = &pl->stages[pl->count];
		memset(s, 0, sizeof(*s));
		if (!(s->stage = crm_strndup(stage->ptr, stage->len)))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		pl->count++;
	}
	s->records++;
	s->amount += crm_sales_amount(f, values);
	/* mapped dates are ISO 8601: text order is date order */
	if (close[0] && (!s->first_close[0] || strcmp(close, s->first_close) < 0))
		memcpy(s->first_close, close, sizeof(close));
	if (close[0] && strcmp(close, s->last_close) > 0)
		memcpy(s->last_close, close, sizeof(close));
	return 0;
}

void crm_sales_release(struct crm_sales_pipeline *pl)
{
	crm_state_sales_free(pl->stages, pl->count);
	memset(pl, 0, sizeof(*pl));
}
