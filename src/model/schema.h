/*
 * schema.h: the canonical CRM model of DESIGN.md (the contract users' mapping
 * files are written against) and the column types of the mapping template.
 * It says which tables and core columns exist and of what type; it does not
 * create anything (the stores do, from this description).
 *
 * Every table also has the bookkeeping columns id, source_system, source_id,
 * created_at and updated_at; contact and lead have customer_id.
 */
#ifndef CRM_SCHEMA_H
#define CRM_SCHEMA_H

#include "compat.h"

enum crm_type {
	CRM_TYPE_TEXT,
	CRM_TYPE_INT,
	CRM_TYPE_DECIMAL,
	CRM_TYPE_DATE,
	CRM_TYPE_DATETIME,
	CRM_TYPE_BOOL,
	CRM_TYPE_REF, /* the target id of another record */
};

struct crm_column_def {
	const char *name;
	enum crm_type type;
	const char *ref_table; /* for CRM_TYPE_REF: the canonical table pointed at */
	int required;	       /* the model needs it: a row without it is not a usable record */
	const char *aliases;   /* '|'-separated name keys source CRMs use for it */
};

struct crm_table_def {
	const char *name;
	const struct crm_column_def *columns;
	size_t count;
	int has_customer_id;
};

/* The canonical table named name, or NULL for a custom table. */
const struct crm_table_def *crm_schema_table(const char *name);
/* The core column of table, or NULL. */
const struct crm_column_def *crm_schema_column(const struct crm_table_def *table, const char *name);
/*
 * A column name reduced for matching: ASCII letters lowered, digits and
 * non-ASCII bytes kept, everything else dropped ("Record ID", "record_id"
 * and "RecordId" are all "recordid"). Writes at most cap - 1 bytes and a
 * NUL; returns the length.
 */
size_t crm_schema_name_key(const char *name, char *out, size_t cap);

/*
 * The core column of table a source column of that name most likely fills
 * (by crm_schema_name_key and the column's aliases, then without a prefix
 * such as "property_"; a JSON path "email.0.value" as "email"), or NULL. A
 * guess for drafting mappings.
 */
const struct crm_column_def *crm_schema_match(const struct crm_table_def *table, const char *source_column);
/* The canonical table a source object (or export file stem) of that name most likely is, or NULL. */
const struct crm_table_def *crm_schema_guess_table(const char *object);
/*
 * A table or column name made from a source name: snake case ("MailingStreet"
 * is mailing_street, "Consent_Source__c" consent_source_c), prefixed src_
 * when it would start with a digit or be a reserved column. cap >= 8.
 */
void crm_schema_ident(const char *name, char *out, size_t cap);
/* 1 when name's key (crm_schema_name_key) is one of the '|'-separated keys of list. */
int crm_schema_name_in(const char *list, const char *name);
/* 1 when a source column's name is a creation time, 2 a modification time, else 0 (for created_at, updated_at). */
int crm_schema_timestamp_match(const char *source_column);
/* 1 for id, source_system, source_id, customer_id: columns a mapping may not fill. */
int crm_schema_is_reserved(const char *column);
/* 1 for created_at and updated_at: bookkeeping columns a mapping may fill. */
int crm_schema_is_timestamp(const char *column);

/* Parses a data_type of the mapping template; returns 0, or -1 when unknown. */
int crm_type_parse(const char *name, enum crm_type *type);
const char *crm_type_name(enum crm_type type);
/* 1 when name is a valid identifier for a table or column: [a-z_][a-z0-9_]*. */
int crm_schema_valid_ident(const char *name);

#endif
