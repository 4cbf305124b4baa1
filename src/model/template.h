/*
 * template.h: a CRM's standard objects and fields, mapped to the canonical
 * model as a starting point. `init --from CRM` writes one out when there are
 * no exports to draft from yet: the [object] sections a usual export of that
 * CRM has, and a mapping.csv row for each standard field.
 *
 * The field names are those the CRM's documentation and real exports use
 * (EXPORT-FORMATS.md): Salesforce API names as Data Export and Data Loader
 * write them; HubSpot's English column labels of a CRM export ("Record ID",
 * "Associated Company IDs"); Pipedrive's API records, as its API and Airbyte
 * give them. A user's export may lack some of these fields or name them
 * otherwise; plan names each one, and the user edits the row.
 */
#ifndef CRM_TEMPLATE_H
#define CRM_TEMPLATE_H

#include "compat.h"

struct crm_template_object {
	const char *name;     /* [object "name"], and source_object in mapping.csv */
	const char *file;     /* in [source] path */
	const char *id;	      /* the id column */
	const char *target;   /* canonical table */
	const char *modified; /* last-modified column, or NULL */
	const char *deleted;  /* soft-delete flag, or NULL */
	const char *each;     /* a column listing values, one record per value (reader.h), or NULL */
	const char *note;     /* written as a comment above the section, or NULL */
};

/* One mapping.csv row: the template's columns but sample_value, which has no data to show. */
struct crm_template_row {
	const char *object;
	const char *field;
	const char *data_type;
	const char *target_field;
	const char *transform_rule;
	const char *pii_flag;
	const char *validation_rule;
};

struct crm_template {
	const char *crm;    /* salesforce, hubspot, pipedrive */
	const char *format; /* [source] format */
	const char *note;   /* what the template assumes, written at the top of crmshift.ini */
	const struct crm_template_object *objects;
	size_t object_count;
	const struct crm_template_row *rows;
	size_t row_count;
};

/* The template of crm, or NULL when it has none (generic CSV has no standard objects). */
const struct crm_template *crm_template_find(const char *crm);

#endif
