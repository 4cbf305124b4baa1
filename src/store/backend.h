/*
 * backend.h: what the store backends (sqlite.c, postgres.c) share and the
 * engine does not see.
 */
#ifndef CRM_STORE_BACKEND_H
#define CRM_STORE_BACKEND_H

#include "compat.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>

/* What a writer writes besides its spec's columns, the same on every backend. */
struct crm_writer_shape {
	int has_customer_id;		    /* contacts and leads: a UUID at first insert */
	int created_mapped, updated_mapped; /* the mapping fills created_at / updated_at, else the load time does */
	unsigned char *is_timestamp;	    /* per spec column: created_at or updated_at */
};

int crm_writer_shape_init(struct crm_writer_shape *shape, const struct crm_table_spec *spec, struct crm_error *err);
void crm_writer_shape_release(struct crm_writer_shape *shape);

/* What a writer binds for one column of a row: NULL, an integer or text (borrowed from the row). */
struct crm_bound {
	enum { CRM_BOUND_NULL, CRM_BOUND_INT, CRM_BOUND_TEXT } kind;
	int64_t number;
	const char *text;
	size_t len;
};

/*
 * Spec column i of row as the writer binds it, the same choice on every
 * backend: a reference as its parent's id, integers and booleans as
 * numbers, an empty value as NULL, but an empty mapped created_at or
 * updated_at as the load time (the columns are NOT NULL).
 */
void crm_writer_value(const struct crm_table_spec *spec, const struct crm_writer_shape *shape,
		      const struct crm_store_row *row, size_t i, struct crm_bound *out);

enum crm_writer_statement {
	CRM_WRITER_INSERT,     /* source_system, source_id, [customer_id], columns, [created_at], [updated_at] */
	CRM_WRITER_INSERT_NEW, /* the same as INSERT, with no conflict clause: a table without its source index */
	CRM_WRITER_FIND,       /* the id of (source_system, source_id) */
	CRM_WRITER_UPDATE,     /* columns, [updated_at], then the id */
	CRM_WRITER_FETCH,      /* the columns and updated_at of an id: the pre-image */
};

/*
 * The SQL of a writer's statement into sql (reset first), with $1..$n
 * parameters in the order listed, which both SQLite and PostgreSQL take.
 */
int crm_writer_sql(enum crm_writer_statement which, const struct crm_table_spec *spec,
		   const struct crm_writer_shape *shape, struct crm_buf *sql, struct crm_error *err);

/*
 * The SQL that puts a pre-image (a JSON object) back on a row of table:
 * with an "id" (a deleted row, row_json's) an INSERT of every column,
 * otherwise an UPDATE of its columns WHERE id = the last parameter.
 * Parameters $1..$n follow the object's keys.
 */
int crm_restore_sql(const char *table, json_t *pre_image, struct crm_buf *sql, struct crm_error *err);

/* A random (version 4) UUID into out, for a row's customer_id or a target's identity. */
void crm_store_new_uuid(char out[37]);
/* n in decimal into out (24 bytes), NUL-terminated, as "%lld" writes it; its length. */
size_t crm_store_decimal(char *out, int64_t n);

/* One column of a row for crm_store_json_row: its name and value (text borrowed). */
struct crm_json_column {
	const char *name;
	enum { CRM_JSON_NULL, CRM_JSON_INTEGER, CRM_JSON_REAL, CRM_JSON_TEXT } kind;
	int64_t integer;
	double real;
	const char *text;
	size_t len;
};

/*
 * The columns as one JSON object into out (reset first), byte for byte what
 * jansson's json_dumps (JSON_COMPACT | JSON_SORT_KEYS) writes of the same
 * values: keys sorted by bytes, compact. A row's pre-image is taken for
 * every row a sync changes; through jansson's objects it was most of that
 * reading (4 in 5 of its samples). Both backends write their pre-images so.
 * Text that is not UTF-8 is an error (CRM_EINPUT) naming the column.
 */
int crm_store_json_row(const struct crm_json_column *cols, size_t n, struct crm_buf *out, struct crm_error *err);

#endif
