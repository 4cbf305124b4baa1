/*
 * postgres.c: the PostgreSQL target store (libpq). The canonical tables
 * live in the connection's current schema (search_path), the state in the
 * schema crmshift of the same database, so one transaction covers a batch
 * and its bookkeeping. Columns are typed for the applications that read
 * them (bigint, numeric, date, timestamptz, boolean, text); read back,
 * values come as the text SQLite holds (read_value), so reconciliation,
 * pre-images and reports are the same on both backends. Source ids and
 * the state's keys use the "C" collation: they sort by bytes, as in
 * SQLite, whatever the database's locale.
 *
 * A first load's queued inserts tell each row's hash from the values sent
 * (predicted_hash: the text the server prints for them, where that is the
 * text sent or one conversion from it; checked against the rows of each
 * writer's first flush), so the after-snapshot reads no row back. Into a
 * table waiting for its source index they stream: the table's COPY opens
 * at a queue's first row and takes the rows as they are queued, so the
 * server works while the next are mapped; any other statement ends it
 * first (stream_end).
 *
 * Statements are prepared once per writer or state statement and sent
 * with their parameters as text; results come back as text. Large reads
 * (scan, hash_rows) go through a cursor, so memory stays flat and other
 * statements can run between fetches.
 */
#include "compat.h"
#include "store/store.h"
#include "store/backend.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/path.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define BOOL_OID	16
#define INT8_OID	20
#define TEXT_OID	25
#define DATE_OID	1082
#define VARCHAR_OID	1043
#define TIMESTAMPTZ_OID 1184
#define NUMERIC_OID	1700
/* rows of a writer's first flush read back to check the hashes it told (predict_check) */
#define PREDICT_SAMPLE 64
#define FETCH_ROWS     4096
/* an unindexed queue's ids: one block drawn at its first row, the rest given back at its flush */
#define STREAM_IDS 65536
/* restore_rows' pre-images in one statement at most (about; a row past it goes in its own) */
#define RESTORE_BYTES ((size_t)64 << 20)
/* an unindexed queue's rows go out in pieces of this size while it fills */
#define STREAM_BYTES ((size_t)1 << 20)
#define QUEUE_BYTES  (32u << 20) /* queued inserts past this size ask to be flushed */
/* COPY text is bounded by what fills it (QUEUE_BYTES, a state append's rows), not by its buffer */
#define COPY_BYTES_MAX ((size_t)1 << 34)

/* A row read ahead: its id, and its row in rows_ahead.res (-1 once written since). */
struct row_at {
	int64_t id;
	int row;
};

/*
 * Rows of one table read ahead (pg_read_ahead), SELECT * as row_hash reads
 * them, found by id in byid (sorted by id).
 */
struct rows_ahead {
	char *table;
	PGresult *res;
	struct row_at *byid;
	size_t count;
	unsigned generation; /* one a read-ahead: a writer finds its fetch's columns in res once */
};

struct pg_store {
	struct crm_store base;
	PGconn *conn;
	unsigned next_name; /* prepared statements are named s1, s2, ... */
	unsigned next_cursor;
	unsigned transaction; /* one a BEGIN: the writers' staging tables are made once in each */
	struct rows_ahead ahead;
	/*
	 * The writer whose queue's COPY is open (pg_queue_insert), or NULL: any
	 * other statement ends it first (stream_end). sent lists the writers
	 * whose queues drew ids (rows of theirs may be in the table) that their flush has not told
	 * yet: a commit refuses, a rollback empties their queues.
	 */
	struct crm_store_writer *streaming;
	struct crm_store_writer **sent;
	size_t sent_count, sent_cap;
	int lost_queue; /* such a writer was closed: the transaction can only be rolled back */
};

static int stream_end(struct pg_store *s, struct crm_error *err);
static int copy_error(struct crm_store_writer *w, PGresult *res, int updates, struct crm_error *err);

/* Parameters sent as text, each in a buffer kept for the next value: a row's parameters cost no allocation. */
struct pg_params {
	int count;
	char **values;
	size_t *caps;
	unsigned char *nulls;
};

struct pg_stmt {
	struct crm_store_stmt base;
	char name[16];
	struct pg_params params;
	PGresult *res;
	int row; /* the current row of res; -1 before the first step */
};

/* Where a table column's value comes from in a queued insert (predicted_hash), in SELECT * order. */
enum {
	FROM_NOTHING = -1, /* not written: NULL */
	FROM_SYSTEM = -2,
	FROM_SOURCE_ID = -3,
	FROM_CUSTOMER_ID = -4,
	FROM_LOAD_TIME = -5 /* created_at or updated_at the mapping does not fill */
};

struct predicted_column {
	int from; /* a spec column's index, or FROM_* */
	Oid type;
};

struct crm_store_writer {
	struct pg_store *store;
	const struct crm_table_spec *spec;
	struct crm_writer_shape shape;
	int unindexed; /* the table lacks its source index (a first load's): inserts have no conflict clause */
	char insert[16], find[16], update[16], fetch[16], hash[16];
	struct pg_params params;
	/* the fetch's columns (the spec's, updated_at) in the read-ahead's rows, for its generation */
	int *fetch_cols;
	unsigned fetch_generation;
	/* queue_insert: the rows as COPY text, and each row's source id (end offsets into ids) */
	struct crm_buf copy;
	struct crm_buf ids;
	size_t *id_ends;
	size_t queued, queued_cap;
	/*
	 * An unindexed queue's rows, with their ids, as the table's COPY text
	 * not yet sent; the ids, a block from first_id to block_last; the
	 * queue position of the open COPY's first line.
	 */
	struct crm_buf direct;
	int64_t first_id, block_last;
	size_t copy_first;
	/*
	 * Each queued row's hash as hash_rows will read it, told from the
	 * values sent (predict_plan); predicted[i] 0 when a value's server
	 * text cannot be told. predict: 1 while the plan holds; 0 when the
	 * table has a column it cannot tell, or a check read back otherwise.
	 */
	int predict, predict_checked;
	struct predicted_column *predict_cols;
	int predict_count;
	uint64_t *predicted;
	size_t predicted_cap;
	/* queue_update: the rows as COPY text */
	struct crm_buf updates;
	int64_t *update_ids;
	size_t updates_queued, updates_cap;
	/* the staging tables' (enum stage_kind) name suffix, and the transaction each was made in */
	unsigned stage_name, stage_made[2];
};

/* The server's message, first line only, without its "ERROR:  " prefix. */
static int pg_error(struct pg_store *s, const PGresult *res, struct crm_error *err, const char *what)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;

	if (!msg)
		msg = PQerrorMessage(s->conn);
	if (PQstatus(s->conn) == CONNECTION_BAD)
		return crm_error_set(err, CRM_EIO, "PostgreSQL at %s:%s: %s: the connection was lost: %.*s",
				     PQhost(s->conn), PQport(s->conn), what, (int)strcspn(msg, "\n"), msg);
	return crm_error_set(err, CRM_EIO, "PostgreSQL: %s: %.*s%s%.*s", what, (int)strcspn(msg, "\n"), msg,
			     detail ? " (" : "", detail ? (int)strcspn(detail, "\n") : 0, detail ? detail : "");
}

/* Runs sql (no parameters) expecting status ok; the result is cleared. */
/* Runs sql; *rows (unless NULL) the rows it affected. */
static int run_counted(struct pg_store *s, const char *sql, const char *what, int64_t *rows, struct crm_error *err)
{
	PGresult *res;
	ExecStatusType st;

	if (stream_end(s, err))
		return err->code;
	res = PQexec(s->conn, sql);
	st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_error(s, res, err, what);
		PQclear(res);
		return err->code;
	}
	if (rows)
		*rows = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

static int run(struct pg_store *s, const char *sql, const char *what, struct crm_error *err)
{
	return run_counted(s, sql, what, NULL, err);
}

static void ahead_clear(struct rows_ahead *a)
{
	PQclear(a->res);
	crm_free(a->byid);
	crm_free(a->table);
	a->res = NULL;
	a->byid = NULL;
	a->table = NULL;
	a->count = 0;
}

static int row_at_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct row_at *)a)->id, y = ((const struct row_at *)b)->id;

	return (x > y) - (x < y);
}

/* Row id of table as read ahead and not written since, or NULL. */
static struct row_at *ahead_find(struct rows_ahead *a, const char *table, int64_t id)
{
	struct row_at probe = {id, 0}, *at;

	if (!a->count || strcmp(a->table, table) != 0)
		return NULL;
	at = bsearch(&probe, a->byid, a->count, sizeof(*a->byid), row_at_cmp);
	return at && at->row >= 0 ? at : NULL;
}

/* The rows of res found by id (column 0), sorted: a row_at each, or NULL when out of memory. */
static struct row_at *rows_by_id(const PGresult *res)
{
	int row, rows = PQntuples(res);
	struct row_at *byid = crm_calloc(rows ? (size_t)rows : 1, sizeof(*byid));

	for (row = 0; byid && row < rows; row++) {
		byid[row].id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
		byid[row].row = row;
	}
	if (byid)
		qsort(byid, (size_t)rows, sizeof(*byid), row_at_cmp);
	return byid;
}

/* A write of rows ids of table: what was read ahead of them is no longer so. */
static void ahead_forget(struct rows_ahead *a, const char *table, const int64_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct row_at *at = ahead_find(a, table, ids[i]);
		if (at)
			at->row = -1;
	}
}

static int params_resize(struct pg_params *p, int count, struct crm_error *err)
{
	char **values;
	size_t *caps;
	unsigned char *nulls;
	int i;

	if (count <= p->count)
		return 0;
	values = crm_realloc(p->values, (size_t)count * sizeof(*values));
	if (values)
		p->values = values;
	caps = values ? crm_realloc(p->caps, (size_t)count * sizeof(*caps)) : NULL;
	if (caps)
		p->caps = caps;
	nulls = caps ? crm_realloc(p->nulls, (size_t)count) : NULL;
	if (!nulls)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	p->nulls = nulls;
	for (i = p->count; i < count; i++) {
		p->values[i] = NULL;
		p->caps[i] = 0;
		p->nulls[i] = 1;
	}
	p->count = count;
	return 0;
}

static void params_release(struct pg_params *p)
{
	int i;

	for (i = 0; i < p->count; i++)
		crm_free(p->values[i]);
	crm_free(p->values);
	crm_free(p->caps);
	crm_free(p->nulls);
	memset(p, 0, sizeof(*p));
}

/* Sets parameter index (from 1) to len bytes of text, or to NULL when text is NULL. */
static int param_set(struct pg_params *p, int index, const char *text, size_t len, struct crm_error *err)
{
	int i = index - 1;

	if (params_resize(p, index, err))
		return err->code;
	p->nulls[i] = !text;
	if (!text)
		return 0;
	if (len + 1 > p->caps[i]) {
		char *grown = crm_realloc(p->values[i], len + 1);
		if (!grown)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		p->values[i] = grown;
		p->caps[i] = len + 1;
	}
	memcpy(p->values[i], text, len);
	p->values[i][len] = '\0';
	return 0;
}

static int param_int64(struct pg_params *p, int index, int64_t v, struct crm_error *err)
{
	char digits[24];

	return param_set(p, index, digits, crm_store_decimal(digits, v), err);
}

/*
 * Runs prepared statement name with the first count parameters of p (one
 * not set is NULL); NULL when memory ran out.
 */
static PGresult *exec_prepared(struct pg_store *s, const char *name, struct pg_params *p, int count)
{
	const char *stack[64] = {NULL};
	const char **values = count <= 64 ? stack : crm_calloc((size_t)count, sizeof(*values));
	PGresult *res;
	int i;

	if (!values)
		return NULL;
	for (i = 0; i < count; i++)
		values[i] = i < p->count && !p->nulls[i] ? p->values[i] : NULL;
	res = PQexecPrepared(s->conn, name, count, values, NULL, NULL, 0);
	if (values != stack)
		crm_free(values);
	return res;
}

static int prepare_named(struct pg_store *s, char name[16], const char *sql, struct crm_error *err)
{
	PGresult *res;

	if (stream_end(s, err))
		return err->code;
	snprintf(name, 16, "s%u", ++s->next_name);
	res = PQprepare(s->conn, name, sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_error(s, res, err, "prepare");
		PQclear(res);
		return err->code;
	}
	PQclear(res);
	return 0;
}

static void deallocate(struct pg_store *s, const char *name)
{
	char sql[48];

	/* a statement left prepared harms nothing: an open COPY is not ended for it */
	if (!name[0] || s->streaming || PQstatus(s->conn) != CONNECTION_OK)
		return;
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
	PQclear(PQexec(s->conn, sql));
}

/* 1 when query (its n parameters in values) returns a row, 0 when not; what names it in an error. */
static int any_row(struct pg_store *s, const char *query, int n, const char *const *values, const char *what,
		   struct crm_error *err)
{
	PGresult *res;
	int found;

	if (stream_end(s, err))
		return -1;
	res = PQexecParams(s->conn, query, n, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s, res, err, what);
		PQclear(res);
		return err->code;
	}
	found = PQntuples(res) > 0;
	PQclear(res);
	return found;
}

/*
 * A table's or a column's lookup reads pg_catalog, not information_schema:
 * its views check privileges row by row, and a column's lookup took 1.4 ms
 * (542 of them, 0.75 s, in a first load of 14 small objects, when each
 * mapped column was asked for; now a table's columns are read once).
 */
#define RELATION_IN_SCHEMA                                                                                             \
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = coalesce($1, "                \
	"current_schema()) AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"

/* 1 when table (in the current schema, or schema when not NULL) exists, 0 when not. */
static int table_exists(struct pg_store *s, const char *schema, const char *table, struct crm_error *err)
{
	const char *values[2] = {schema, table};

	return any_row(s, "SELECT 1 " RELATION_IN_SCHEMA, 2, values, "table lookup", err);
}

static int pg_column_exists(struct crm_store *base, const char *schema, const char *table, const char *column,
			    struct crm_error *err)
{
	const char *values[3] = {schema, table, column};

	return any_row((struct pg_store *)base,
		       "SELECT 1 FROM pg_attribute a WHERE a.attrelid = (SELECT c.oid " RELATION_IN_SCHEMA
		       ") AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped",
		       3, values, "column lookup", err);
}

/*
 * The columns of table in the current schema, name and information_schema's
 * data_type (a numeric's without its precision, as check_columns compares
 * them); none when it does not exist. One query a table: a result the
 * caller clears, NULL on an error.
 */
static PGresult *table_columns(struct pg_store *s, const char *table, struct crm_error *err)
{
	const char *values[1] = {table};
	PGresult *res;

	if (stream_end(s, err))
		return NULL;
	res = PQexecParams(s->conn,
			   "SELECT column_name, data_type FROM information_schema.columns WHERE "
			   "table_schema = current_schema() AND table_name = $1",
			   1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s, res, err, "column lookup");
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The column type of a model type, as information_schema names it. */
static const char *sql_type(enum crm_type type)
{
	switch (type) {
	case CRM_TYPE_INT:
	case CRM_TYPE_REF:
		return "bigint";
	case CRM_TYPE_DECIMAL:
		return "numeric"; /* keeps the written scale: 12.50 stays 12.50 */
	case CRM_TYPE_DATE:
		return "date";
	case CRM_TYPE_DATETIME:
		return "timestamp with time zone";
	case CRM_TYPE_BOOL:
		return "boolean";
	default:
		return "text";
	}
}

/*
 * A value of a result as the text the mapping wrote, as SQLite holds it:
 * bigints and booleans as decimal (with .id set), timestamps as ISO 8601
 * UTC ("2024-01-05T10:00:00Z"; the session's zone is UTC), the rest as
 * PostgreSQL prints it (dates in ISO, numerics with their scale). buf
 * holds converted text; 0, or 1 for a NULL.
 */
static int read_value(const PGresult *res, int row, int col, char buf[48], struct crm_value *v)
{
	const char *text = PQgetvalue(res, row, col);
	size_t len = (size_t)PQgetlength(res, row, col);
	Oid type = PQftype(res, col);

	v->id = 0;
	if (PQgetisnull(res, row, col)) {
		v->ptr = NULL;
		v->len = 0;
		return 1;
	}
	v->ptr = text;
	v->len = len;
	if (type == INT8_OID || type == BOOL_OID) {
		v->id = type == BOOL_OID ? text[0] == 't' : strtoll(text, NULL, 10);
		v->len = crm_store_decimal(buf, v->id);
		v->ptr = buf;
	} else if (type == TIMESTAMPTZ_OID && len >= 22 && len < 47 && !strcmp(text + len - 3, "+00") &&
		   text[10] == ' ') {
		memcpy(buf, text, len - 3);
		buf[10] = 'T';
		buf[len - 3] = 'Z';
		buf[len - 2] = '\0';
		v->ptr = buf;
		v->len = len - 2;
	}
	return 0;
}

/*
 * The columns a table holds (res, table_columns') that the canonical model
 * does not declare with the same type: a table made by something else is
 * refused, never altered.
 */
static int check_columns(const struct crm_table_def *core, const char *table, const PGresult *res,
			 struct crm_error *err)
{
	struct crm_buf odd;
	int i, n;

	crm_buf_init(&odd, 1 << 16);
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *name = PQgetvalue(res, i, 0), *type = PQgetvalue(res, i, 1);
		const char *want = NULL;
		size_t c;
		if (!strcmp(name, "id"))
			want = "bigint";
		else if (!strcmp(name, "source_system") || !strcmp(name, "source_id") || !strcmp(name, "customer_id") ||
			 !strcmp(name, "created_at") || !strcmp(name, "updated_at"))
			want = crm_schema_is_timestamp(name) ? "timestamp with time zone" : "text";
		for (c = 0; !want && c < core->count; c++)
			if (!strcmp(name, core->columns[c].name))
				want = sql_type(core->columns[c].type);
		/* a column the model does not know is a custom field crmshift added: its type is its own */
		if (want && strcmp(want, type) != 0)
			crm_buf_addf(&odd, err, "%s%s %s (crmshift writes %s)", odd.len ? ", " : "", name, type, want);
	}
	if (odd.len && !err->code)
		crm_error_set(err, CRM_EREFUSED,
			      "table %s in the target was not made by crmshift: %s; point [target] url at another "
			      "database or schema; nothing was written",
			      table, odd.ptr);
	crm_buf_release(&odd);
	return err->code;
}

/*
 * The source index is any unique index on exactly (source_system,
 * source_id), without expressions or a predicate: TABLE_source_key as built
 * here, or the UNIQUE constraint of a table made by a crmshift that
 * declared it with the table. ON CONFLICT (source_system, source_id) finds
 * either.
 */
static int pg_source_index(struct crm_store *base, const char *table, int build, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	const char *values[1] = {table};
	char sql[256];
	int rc = any_row(s,
			 "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid "
			 "= c.relnamespace WHERE n.nspname = current_schema() AND c.relname = $1 AND i.indisunique AND "
			 "i.indpred IS NULL AND i.indexprs IS NULL AND i.indnatts = 2 AND i.indkey[0] = (SELECT attnum "
			 "FROM pg_attribute WHERE attrelid = c.oid AND attname = 'source_system') AND i.indkey[1] = "
			 "(SELECT attnum FROM pg_attribute WHERE attrelid = c.oid AND attname = 'source_id')",
			 1, values, "source index lookup", err);

	if (rc < 0 || err->code)
		return err->code;
	if (!build || rc)
		return build ? 0 : rc;
	/* one sort of every key in the server's memory, not runs merged from disk (for this transaction) */
	snprintf(sql, sizeof(sql),
		 "SET LOCAL maintenance_work_mem = '256MB'; CREATE UNIQUE INDEX \"%s_source_key\" ON \"%s\" "
		 "(source_system, source_id)",
		 table, table);
	return run(s, sql, "build the source index", err);
}

static int pg_ensure_table(struct crm_store *base, const struct crm_table_spec *spec, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	const struct crm_table_def *core = crm_schema_table(spec->table);
	PGresult *columns;
	struct crm_buf sql;
	size_t i;
	int rc;

	rc = table_exists(s, NULL, spec->table, err);
	if (rc < 0)
		return err->code;
	columns = rc ? table_columns(s, spec->table, err) : NULL;
	if (rc && (!columns || (core && check_columns(core, spec->table, columns, err)))) {
		PQclear(columns);
		return err->code;
	}
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (!rc) {
		crm_buf_addf(&sql, err,
			     "CREATE TABLE \"%s\" (\n  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n  "
			     "source_system text NOT NULL,\n  source_id text COLLATE \"C\" NOT NULL",
			     spec->table);
		if (core && core->has_customer_id)
			crm_buf_addstr(&sql, ",\n  customer_id text NOT NULL", err);
		for (i = 0; core && i < core->count; i++)
			crm_buf_addf(&sql, err, ",\n  \"%s\" %s", core->columns[i].name,
				     sql_type(core->columns[i].type));
		/* its source index apart, built when the load allows (pg_source_index) */
		crm_buf_addstr(&sql, ",\n  created_at timestamptz NOT NULL,\n  updated_at timestamptz NOT NULL\n)",
			       err);
		if (err->code || run(s, sql.ptr, "create table", err)) {
			crm_buf_release(&sql);
			return err->code;
		}
	}
	if (!rc)
		columns = table_columns(s, spec->table, err); /* the table just made */
	for (i = 0; columns && i < spec->count; i++) {
		const struct crm_store_column *col = &spec->columns[i];
		int c, n = PQntuples(columns);
		for (c = 0; c < n && strcmp(PQgetvalue(columns, c, 0), col->name) != 0; c++)
			;
		if (c < n)
			continue;
		/* a custom field becomes a typed column */
		crm_buf_reset(&sql);
		if (crm_buf_addf(&sql, err, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", spec->table, col->name,
				 sql_type(col->type)) ||
		    run(s, sql.ptr, "add column", err))
			break;
	}
	PQclear(columns);
	/* a first load may defer the source index while the table is empty */
	if (!err->code && spec->defer_source_index == CRM_DEFER_WHEN_EMPTY) {
		crm_buf_reset(&sql);
		if (!crm_buf_addf(&sql, err, "SELECT 1 FROM \"%s\" LIMIT 1", spec->table))
			rc = any_row(s, sql.ptr, 0, NULL, "table lookup", err);
	}
	crm_buf_release(&sql);
	if (err->code || spec->defer_source_index == CRM_DEFER_RESUMED ||
	    (spec->defer_source_index == CRM_DEFER_WHEN_EMPTY && rc == 0))
		return err->code;
	return pg_source_index(base, spec->table, 1, err);
}

/* Sends the rest of a COPY's rows and ends it: the COPY's result (the server's verdict on every row). */
static PGresult *copy_finish(struct pg_store *s, const struct crm_buf *rest)
{
	PGresult *res, *extra;
	int sent = !rest->len || PQputCopyData(s->conn, rest->ptr, (int)rest->len) == 1;

	PQputCopyEnd(s->conn, sent ? NULL : "crmshift could not send the rows");
	res = PQgetResult(s->conn);
	while ((extra = PQgetResult(s->conn)))
		PQclear(extra);
	return res;
}

/*
 * Ends the open COPY of a queue, if any: its rows are in the table, or err
 * names the record and column the server refused. Every statement but a
 * queue's own runs after it: the connection takes nothing else while a
 * COPY is open.
 */
static int stream_end(struct pg_store *s, struct crm_error *err)
{
	struct crm_store_writer *w = s->streaming;
	PGresult *res;

	if (!w)
		return 0;
	s->streaming = NULL;
	res = copy_finish(s, &w->direct);
	crm_buf_reset(&w->direct);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && !err->code)
		copy_error(w, res, 0, err);
	PQclear(res);
	return err->code;
}

/* Ends an open COPY without its rows: the transaction is being rolled back. */
static void stream_abort(struct pg_store *s)
{
	PGresult *res;

	if (!s->streaming)
		return;
	s->streaming = NULL;
	PQputCopyEnd(s->conn, "rolled back");
	while ((res = PQgetResult(s->conn)))
		PQclear(res);
}

/* A queue emptied: nothing of it is sent again (rows already in the table go with their transaction). */
static void queue_clear(struct crm_store_writer *w)
{
	struct pg_store *s = w->store;
	size_t i;

	crm_buf_reset(&w->copy);
	crm_buf_reset(&w->ids);
	crm_buf_reset(&w->direct);
	w->queued = 0;
	w->first_id = w->block_last = 0;
	w->copy_first = 0;
	for (i = 0; i < s->sent_count; i++)
		if (s->sent[i] == w) {
			s->sent[i] = s->sent[--s->sent_count];
			break;
		}
}

static int pg_begin(struct crm_store *base, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;

	s->transaction++;
	return run(s, "BEGIN", "begin", err);
}

/*
 * The snapshot is taken by the first lookup, the tables held after it: the
 * run that waits for it has written nothing. Its reads go on one process:
 * the run's client and its server process keep a core busy, and a count
 * with parallel workers competed with them (a sync of 12,000 of 1M
 * contacts 2.2-2.5 s with them, 1.6-1.9 s without).
 */
static int pg_begin_snapshot(struct crm_store *base, const char *const *tables, size_t count, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	char sql[256];
	size_t i;
	int rc;

	s->transaction++;
	if (run(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin", err) ||
	    run(s, "SET LOCAL max_parallel_workers_per_gather = 0", "begin", err))
		return err->code;
	for (i = 0; i < count; i++) {
		rc = table_exists(s, NULL, tables[i], err);
		if (rc < 0)
			return err->code;
		snprintf(sql, sizeof(sql), "LOCK TABLE \"%s\" IN ACCESS SHARE MODE", tables[i]);
		if (rc && run(s, sql, "lock", err))
			return err->code;
	}
	return 0;
}

static int pg_commit(struct crm_store *base, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;

	/* rows in the table whose flush never told their ids would be committed without their bookkeeping */
	if (s->sent_count || s->lost_queue)
		return crm_error_set(err, CRM_EINTERNAL,
				     "PostgreSQL: rows queued for table %s were not flushed before the commit; nothing "
				     "of the batch was committed",
				     s->sent_count ? s->sent[0]->spec->table : "(closed)");
	return run(s, "COMMIT", "commit", err);
}

static int pg_rollback(struct crm_store *base, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;

	/* the rows read ahead may have been written in the transaction */
	ahead_clear(&s->ahead);
	/* the queues whose rows streamed into the table lose them with it */
	stream_abort(s);
	while (s->sent_count)
		queue_clear(s->sent[0]);
	s->lost_queue = 0;
	if (PQtransactionStatus(s->conn) == PQTRANS_IDLE || PQstatus(s->conn) != CONNECTION_OK)
		return 0;
	return run(s, "ROLLBACK", "rollback", err);
}

static int all_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return n > 0;
}

/* Two digits at p as a number within lo..hi, else -1. */
static int two_digits(const char *p, int lo, int hi)
{
	int v;

	if (!all_digits(p, 2))
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v >= lo && v <= hi ? v : -1;
}

/* "YYYY-MM-DD", year 1 on: the form DateStyle ISO prints (a date the server refuses fails the COPY). */
static int iso_date(const char *p, size_t n)
{
	return n >= 10 && all_digits(p, 4) && memcmp(p, "0000", 4) != 0 && p[4] == '-' &&
	       two_digits(p + 5, 1, 12) > 0 && p[7] == '-' && two_digits(p + 8, 1, 31) > 0;
}

/*
 * The text the server prints for a value it was sent, the way hash_rows
 * reads it (DateStyle ISO, TimeZone UTC: the session's): 1 with *out and
 * *len (in buf, or the value itself), 0 when it cannot be told for
 * certain: the value is not in the one form the type prints unchanged.
 */
static int server_text(Oid type, const struct crm_bound *b, char buf[64], const char **out, size_t *len)
{
	const char *p = b->text;
	size_t n = b->len, i;

	if (b->kind == CRM_BOUND_INT) {
		if (type == BOOL_OID) {
			if (b->number != 0 && b->number != 1)
				return 0;
			*out = b->number ? "t" : "f";
			*len = 1;
			return 1;
		}
		if (type != INT8_OID && type != NUMERIC_OID && type != TEXT_OID && type != VARCHAR_OID)
			return 0;
		*len = crm_store_decimal(buf, b->number);
		*out = buf;
		return 1;
	}
	*out = p;
	*len = n;
	switch (type) {
	case TEXT_OID:
	case VARCHAR_OID:
		return 1;
	case NUMERIC_OID: {
		/* -?(0|[1-9][0-9]*)(\.[0-9]+)?, not a negative zero: numeric keeps the scale it was given */
		size_t at = p[0] == '-', digits;
		int nonzero = 0;
		for (digits = 0; at + digits < n && p[at + digits] >= '0' && p[at + digits] <= '9'; digits++)
			nonzero |= p[at + digits] != '0';
		if (!digits || (digits > 1 && p[at] == '0'))
			return 0;
		at += digits;
		if (at < n) {
			if (p[at] != '.' || !all_digits(p + at + 1, n - at - 1))
				return 0;
			for (i = at + 1; i < n; i++)
				nonzero |= p[i] != '0';
		}
		return !(p[0] == '-' && !nonzero);
	}
	case DATE_OID:
		return n == 10 && iso_date(p, n);
	case TIMESTAMPTZ_OID: {
		/* "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z" prints as "YYYY-MM-DD HH:MM:SS[.f without trailing zeros]+00" */
		size_t frac = 0;
		if (n < 20 || !iso_date(p, n) || p[10] != 'T' || two_digits(p + 11, 0, 23) < 0 || p[13] != ':' ||
		    two_digits(p + 14, 0, 59) < 0 || p[16] != ':' || two_digits(p + 17, 0, 59) < 0 || p[n - 1] != 'Z')
			return 0;
		if (n > 20) {
			if (p[19] != '.' || n - 21 < 1 || n - 21 > 6 || !all_digits(p + 20, n - 21))
				return 0;
			for (frac = n - 21; frac > 0 && p[20 + frac - 1] == '0'; frac--)
				;
		}
		memcpy(buf, p, 19);
		buf[10] = ' ';
		*len = 19;
		if (frac) {
			buf[(*len)++] = '.';
			memcpy(buf + *len, p + 20, frac);
			*len += frac;
		}
		memcpy(buf + *len, "+00", 3);
		*len += 3;
		*out = buf;
		return 1;
	}
	default:
		return 0;
	}
}

/*
 * How a queued insert's hash is told (w->predict_cols): the table's columns
 * as SELECT * gives them, each with where its value comes from. The plan
 * is given up (w->predict 0) for a table whose rows a value sent does not
 * tell: a column written of a type, or with a type modifier, server_text
 * does not know; a column not written that has a default or is generated;
 * a trigger.
 */
static int predict_plan(struct crm_store_writer *w, struct crm_error *err)
{
	const struct crm_table_spec *spec = w->spec;
	char sql[256], table[160];
	const char *values[1] = {table};
	PGresult *set, *res;
	int c, n, ok;

	w->predict = 0;
	if (stream_end(w->store, err))
		return err->code;
	snprintf(table, sizeof(table), "\"%s\"", spec->table);
	/* what the server sets itself: the columns with a default or generated (id aside), "" for a trigger */
	set = PQexecParams(
		w->store->conn,
		"SELECT attname::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT "
		"attisdropped AND attname <> 'id' AND (atthasdef OR attgenerated <> '' OR attidentity <> '') "
		"UNION ALL SELECT '' FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal",
		1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(set) != PGRES_TUPLES_OK) {
		pg_error(w->store, set, err, "the table's defaults and triggers");
		PQclear(set);
		return err->code;
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM %s LIMIT 0", table);
	res = PQexec(w->store->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(w->store, res, err, "the table's columns");
		PQclear(res);
		PQclear(set);
		return err->code;
	}
	n = PQnfields(res);
	w->predict_cols = crm_calloc(n ? (size_t)n : 1, sizeof(*w->predict_cols));
	ok = w->predict_cols && n > 0 && !strcmp(PQfname(res, 0), "id");
	for (c = 1; ok && c < n; c++) {
		struct predicted_column *pc = &w->predict_cols[w->predict_count++];
		const char *name = PQfname(res, c);
		int r;
		size_t i;
		pc->type = PQftype(res, c);
		pc->from = FROM_NOTHING;
		if (!strcmp(name, "source_system"))
			pc->from = FROM_SYSTEM;
		else if (!strcmp(name, "source_id"))
			pc->from = FROM_SOURCE_ID;
		else if (!strcmp(name, "customer_id") && w->shape.has_customer_id)
			pc->from = FROM_CUSTOMER_ID;
		else if ((!strcmp(name, "created_at") && !w->shape.created_mapped) ||
			 (!strcmp(name, "updated_at") && !w->shape.updated_mapped))
			pc->from = FROM_LOAD_TIME;
		for (i = 0; pc->from == FROM_NOTHING && i < spec->count; i++)
			if (!strcmp(name, spec->columns[i].name))
				pc->from = (int)i;
		if (pc->from != FROM_NOTHING)
			ok = PQfmod(res, c) == -1 &&
			     (pc->type == TEXT_OID || pc->type == VARCHAR_OID || pc->type == INT8_OID ||
			      pc->type == BOOL_OID || pc->type == NUMERIC_OID || pc->type == DATE_OID ||
			      pc->type == TIMESTAMPTZ_OID);
		for (r = 0; ok && pc->from == FROM_NOTHING && r < PQntuples(set); r++)
			ok = strcmp(PQgetvalue(set, r, 0), name) != 0;
	}
	for (c = 0; ok && c < PQntuples(set); c++)
		ok = PQgetlength(set, c, 0) > 0;
	PQclear(res);
	PQclear(set);
	if (!w->predict_cols)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	w->predict = ok;
	return 0;
}

/*
 * One column's step of a row's hash (hash_columns, predicted_hash): its
 * NULL mark, then its text unless NULL, chained on h.
 */
static uint64_t hash_column(uint64_t h, const char *text, size_t len)
{
	unsigned char tag = text != NULL;

	h = XXH3_64bits_withSeed(&tag, 1, h);
	return text ? XXH3_64bits_withSeed(text, len, h) : h;
}

/* A queued insert's hash as hash_rows will read the row, or 0 when a value's server text cannot be told. */
static uint64_t predicted_hash(const struct crm_store_writer *w, const struct crm_store_row *row, const char *uuid)
{
	uint64_t h = 0, kept = 0;
	int c;

	for (c = 0; c < w->predict_count; c++) {
		const struct predicted_column *pc = &w->predict_cols[c];
		struct crm_bound b = {CRM_BOUND_TEXT, 0, NULL, 0};
		const char *text = NULL;
		size_t len = 0;
		char buf[64];
		switch (pc->from) {
		case FROM_NOTHING:
			b.kind = CRM_BOUND_NULL;
			break;
		case FROM_SYSTEM:
			b.text = w->spec->source_system;
			b.len = strlen(b.text);
			break;
		case FROM_SOURCE_ID:
			b.text = row->source_id;
			b.len = row->source_id_len;
			break;
		case FROM_CUSTOMER_ID:
			b.text = uuid;
			b.len = 36;
			break;
		case FROM_LOAD_TIME:
			b.text = row->load_time;
			b.len = strlen(b.text);
			break;
		default:
			crm_writer_value(w->spec, &w->shape, row, (size_t)pc->from, &b);
		}
		if (b.kind != CRM_BOUND_NULL && !server_text(pc->type, &b, buf, &text, &len))
			return 0;
		h = hash_column(h, text, len);
		if (text)
			kept = h;
	}
	return kept;
}

static void pg_writer_close(struct crm_store_writer *w)
{
	size_t i;

	if (!w)
		return;
	/* closed with rows in the table its flush never told: only a rollback may end the transaction now */
	for (i = 0; i < w->store->sent_count; i++)
		if (w->store->sent[i] == w) {
			if (w->store->streaming == w)
				stream_abort(w->store);
			w->store->lost_queue = 1;
			queue_clear(w);
			break;
		}
	deallocate(w->store, w->insert);
	deallocate(w->store, w->find);
	deallocate(w->store, w->update);
	deallocate(w->store, w->fetch);
	deallocate(w->store, w->hash);
	params_release(&w->params);
	crm_free(w->fetch_cols);
	crm_writer_shape_release(&w->shape);
	crm_buf_release(&w->copy);
	crm_buf_release(&w->ids);
	crm_buf_release(&w->updates);
	crm_buf_release(&w->direct);
	crm_free(w->update_ids);
	crm_free(w->id_ends);
	crm_free(w->predict_cols);
	crm_free(w->predicted);
	crm_free(w);
}

static int prepare_buf(struct pg_store *s, char name[16], struct crm_buf *sql, struct crm_error *err)
{
	if (err->code || prepare_named(s, name, sql->ptr, err))
		return err->code;
	crm_buf_reset(sql);
	return 0;
}

static struct crm_store_writer *pg_writer_open(struct crm_store *base, const struct crm_table_spec *spec,
					       struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct crm_store_writer *w = crm_calloc(1, sizeof(*w));
	struct crm_buf sql;

	if (!w) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	w->store = s;
	w->spec = spec;
	w->stage_name = ++s->next_name;
	crm_buf_init(&w->copy, COPY_BYTES_MAX);
	crm_buf_init(&w->ids, (size_t)1 << 34);
	crm_buf_init(&w->updates, COPY_BYTES_MAX);
	crm_buf_init(&w->direct, COPY_BYTES_MAX);
	if (crm_writer_shape_init(&w->shape, spec, err)) {
		crm_free(w);
		return NULL;
	}
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	/* the writes return the row: its id, and its hash as row_hash reads it */
	w->unindexed = pg_source_index(base, spec->table, 0, err) == 0;
	if (!err->code &&
	    !crm_writer_sql(w->unindexed ? CRM_WRITER_INSERT_NEW : CRM_WRITER_INSERT, spec, &w->shape, &sql, err) &&
	    !crm_buf_addstr(&sql, " RETURNING *", err))
		prepare_buf(s, w->insert, &sql, err);
	if (!crm_writer_sql(CRM_WRITER_FIND, spec, &w->shape, &sql, err))
		prepare_buf(s, w->find, &sql, err);
	if (!crm_writer_sql(CRM_WRITER_UPDATE, spec, &w->shape, &sql, err) &&
	    !crm_buf_addstr(&sql, " RETURNING *", err))
		prepare_buf(s, w->update, &sql, err);
	if (!crm_writer_sql(CRM_WRITER_FETCH, spec, &w->shape, &sql, err))
		prepare_buf(s, w->fetch, &sql, err);
	/* the hash reads every column but id: the first of "*" */
	if (!err->code && !crm_buf_addf(&sql, err, "SELECT * FROM \"%s\" WHERE id = $1", spec->table))
		prepare_buf(s, w->hash, &sql, err);
	crm_buf_release(&sql);
	if (!err->code)
		predict_plan(w, err);
	if (err->code) {
		pg_writer_close(w);
		return NULL;
	}
	return w;
}

static int bind_columns(struct crm_store_writer *w, int idx, const struct crm_store_row *row, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < w->spec->count && !err->code; i++, idx++) {
		struct crm_bound b;
		crm_writer_value(w->spec, &w->shape, row, i, &b);
		if (b.kind == CRM_BOUND_INT)
			param_int64(&w->params, idx, b.number, err);
		else
			param_set(&w->params, idx, b.kind == CRM_BOUND_TEXT ? b.text : NULL, b.len, err);
	}
	return idx;
}

/* Runs a writer's statement: its result when status is want, else NULL with err set. */
static PGresult *writer_exec(struct crm_store_writer *w, const char *name, int count, ExecStatusType want,
			     const char *what, struct crm_error *err)
{
	PGresult *res;

	if (err->code || stream_end(w->store, err))
		return NULL;
	res = exec_prepared(w->store, name, &w->params, count);
	if (PQresultStatus(res) != want) {
		pg_error(w->store, res, err, what);
		PQclear(res);
		return NULL;
	}
	return res;
}

/*
 * The hash_rows hash of a result row: every column from 1 on (0 is id),
 * each as a NULL mark or its text, up to the last not NULL (store.h).
 * Values keep their type per column, so text is enough to tell two rows
 * apart.
 */
static uint64_t hash_columns(const PGresult *res, int row)
{
	uint64_t h = 0, kept = 0;
	int i, n = PQnfields(res);

	for (i = 1; i < n; i++) {
		int null = PQgetisnull(res, row, i);
		h = hash_column(h, null ? NULL : PQgetvalue(res, row, i), (size_t)PQgetlength(res, row, i));
		if (!null)
			kept = h; /* NULLs after the last value do not count (store.h: hash_rows) */
	}
	return kept;
}

static int pg_insert(struct crm_store_writer *w, const struct crm_store_row *row, int64_t *id, uint64_t *row_hash,
		     struct crm_error *err)
{
	PGresult *res;
	int idx = 1;
	char uuid[37];

	/* the server's text form of each value is what hash_rows hashes: RETURNING * gives it */
	*row_hash = 0;

	param_set(&w->params, idx++, w->spec->source_system, strlen(w->spec->source_system), err);
	param_set(&w->params, idx++, row->source_id, row->source_id_len, err);
	if (w->shape.has_customer_id) {
		crm_store_new_uuid(uuid);
		param_set(&w->params, idx++, uuid, 36, err);
	}
	idx = bind_columns(w, idx, row, err);
	if (!w->shape.created_mapped)
		param_set(&w->params, idx++, row->load_time, strlen(row->load_time), err);
	if (!w->shape.updated_mapped)
		param_set(&w->params, idx++, row->load_time, strlen(row->load_time), err);
	res = writer_exec(w, w->insert, idx - 1, PGRES_TUPLES_OK, "insert", err);
	if (!res)
		return err->code;
	if (PQntuples(res) == 1) {
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*row_hash = hash_columns(res, 0);
		PQclear(res);
		return 1;
	}
	PQclear(res);
	/* the row was there already (loaded before the state knew it) */
	res = writer_exec(w, w->find, 2, PGRES_TUPLES_OK, "insert conflict", err);
	if (!res)
		return err->code;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return crm_error_set(err, CRM_EIO, "PostgreSQL: insert conflict without a row");
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* One field of a COPY text row and its tab: \N for NULL, else the text with its specials escaped. */
static int copy_field(struct crm_buf *out, const char *text, size_t len, struct crm_error *err)
{
	/* the letter after the backslash of each byte COPY text escapes */
	static const char escaped[256] = {['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r'};
	size_t i = 0;
	char *p;

	if (!text)
		return crm_buf_add(out, "\\N\t", 3, err);
	/* room once for the worst case, every byte escaped: a field is a call, not a call a run */
	if (crm_buf_grow(out, 2 * len + 1, err))
		return err->code;
	p = out->ptr + out->len;
	while (i < len && !escaped[(unsigned char)text[i]])
		i++;
	memcpy(p, text, i);
	p += i;
	for (; i < len; i++) {
		char e = escaped[(unsigned char)text[i]];
		if (e) {
			*p++ = '\\';
			*p++ = e;
		} else {
			*p++ = text[i];
		}
	}
	*p++ = '\t';
	*p = '\0';
	out->len = (size_t)(p - out->ptr);
	return 0;
}

static int copy_int(struct crm_buf *out, int64_t n, struct crm_error *err)
{
	if (crm_buf_grow(out, 24, err))
		return err->code;
	out->len += crm_store_decimal(out->ptr + out->len, n);
	return crm_buf_addch(out, '\t', err);
}

/* The writer's columns of row, as the statements bind them (crm_writer_value). */
static int copy_columns(struct crm_store_writer *w, struct crm_buf *out, const struct crm_store_row *row,
			struct crm_error *err)
{
	size_t i;

	for (i = 0; i < w->spec->count; i++) {
		struct crm_bound b;
		crm_writer_value(w->spec, &w->shape, row, i, &b);
		if (b.kind == CRM_BOUND_INT)
			copy_int(out, b.number, err);
		else
			copy_field(out, b.kind == CRM_BOUND_TEXT ? b.text : NULL, b.len, err);
	}
	return err->code;
}

/* Ends the row: its last field's tab becomes the line's end. */
static void copy_end_row(struct crm_buf *out)
{
	if (out->len)
		out->ptr[out->len - 1] = '\n';
}

/* A queued row's fields from source_id on, as queue_columns lists them, and the line's end. */
static int queue_line(struct crm_store_writer *w, struct crm_buf *out, const struct crm_store_row *row,
		      const char *uuid, struct crm_error *err)
{
	copy_field(out, row->source_id, row->source_id_len, err);
	if (w->shape.has_customer_id)
		copy_field(out, uuid, 36, err);
	copy_columns(w, out, row, err);
	if (!w->shape.created_mapped)
		copy_field(out, row->load_time, strlen(row->load_time), err);
	if (!w->shape.updated_mapped)
		copy_field(out, row->load_time, strlen(row->load_time), err);
	copy_end_row(out);
	return err->code;
}

/* The columns of a queued row from source_id on: source_id, [customer_id], the spec's, [created_at], [updated_at]. */
static int queue_columns(const struct crm_store_writer *w, struct crm_buf *cols, struct crm_error *err)
{
	size_t i;

	crm_buf_addstr(cols, w->shape.has_customer_id ? "source_id, customer_id" : "source_id", err);
	for (i = 0; i < w->spec->count; i++)
		crm_buf_addf(cols, err, ", \"%s\"", w->spec->columns[i].name);
	return crm_buf_addf(cols, err, "%s%s", w->shape.created_mapped ? "" : ", created_at",
			    w->shape.updated_mapped ? "" : ", updated_at");
}

/*
 * An unindexed queue's ids: one block of the table's identity sequence,
 * drawn at its first row under a lock that holds other writers of the
 * table off until the batch commits (a nextval a row cost more than the
 * insert); its flush gives back what it did not use.
 */
static int draw_ids(struct crm_store_writer *w, struct crm_error *err)
{
	struct pg_store *s = w->store;
	char table[160], count[24];
	const char *params[2] = {table, count};
	struct crm_buf lock;
	PGresult *res;

	snprintf(table, sizeof(table), "\"%s\"", w->spec->table);
	snprintf(count, sizeof(count), "%d", STREAM_IDS);
	crm_buf_init(&lock, CRM_MAX_SQL_LEN);
	if (!crm_buf_addf(&lock, err, "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", table))
		run(s, lock.ptr, "lock the table for its ids", err);
	crm_buf_release(&lock);
	if (err->code)
		return err->code;
	res = PQexecParams(s->conn,
			   "SELECT setval(q.s, nextval(q.s) + $2::bigint - 1) FROM (SELECT "
			   "pg_get_serial_sequence($1, 'id') AS s) q",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_error(s, res, err, "ids for the insert");
		PQclear(res);
		return err->code;
	}
	w->block_last = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	w->first_id = w->block_last - STREAM_IDS + 1;
	PQclear(res);
	/* the block is the transaction's: a rollback empties the queue, a commit waits for its flush */
	if (crm_grow(&s->sent, s->sent_count, &s->sent_cap, sizeof(*s->sent), 8))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	s->sent[s->sent_count++] = w;
	return 0;
}

/* Opens the COPY an unindexed queue's rows go out through (another writer's ends first). */
static int stream_open(struct crm_store_writer *w, struct crm_error *err)
{
	struct pg_store *s = w->store;
	struct crm_buf sql;
	PGresult *res;

	if (stream_end(s, err))
		return err->code;
	crm_buf_init(&sql, CRM_MAX_SQL_LEN); /* a wide table's columns */
	if (!crm_buf_addf(&sql, err, "COPY \"%s\" (id, source_system, ", w->spec->table) &&
	    !queue_columns(w, &sql, err) && !crm_buf_addstr(&sql, ") FROM STDIN", err)) {
		res = PQexec(s->conn, sql.ptr);
		if (PQresultStatus(res) != PGRES_COPY_IN)
			pg_error(s, res, err, "copy");
		PQclear(res);
	}
	crm_buf_release(&sql);
	if (err->code)
		return err->code;
	s->streaming = w;
	w->copy_first = w->queued;
	return 0;
}

/*
 * Queued rows are COPY text. Into a table waiting for its source index (an
 * unindexed first load's), they stream: each row, with its id from the
 * queue's block and the source system, goes into the table's COPY as it
 * is queued (in pieces of STREAM_BYTES), so the server takes the rows in
 * while the next are mapped, and the flush only ends the COPY (no
 * conflict can turn a row away: the caller turned repeats away). Else
 * they wait for the flush, for a staging table: position, then the
 * queue_columns. 1 asks for a flush: the block is used up, or the queue
 * holds QUEUE_BYTES.
 */
static int pg_queue_insert(struct crm_store_writer *w, const struct crm_store_row *row, struct crm_error *err)
{
	struct pg_store *s = w->store;
	char uuid[37] = "";

	if (crm_grow(&w->id_ends, w->queued, &w->queued_cap, sizeof(*w->id_ends), 1024) ||
	    crm_grow(&w->predicted, w->queued, &w->predicted_cap, sizeof(*w->predicted), 1024))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (w->shape.has_customer_id)
		crm_store_new_uuid(uuid);
	if (w->unindexed) {
		if (w->first_id && w->first_id + (int64_t)w->queued > w->block_last)
			return crm_error_set(err, CRM_EINTERNAL, "PostgreSQL: a full queue of inserts was not flushed");
		if ((!w->first_id && draw_ids(w, err)) || (s->streaming != w && stream_open(w, err)))
			return err->code;
		copy_int(&w->direct, w->first_id + (int64_t)w->queued, err);
		copy_field(&w->direct, w->spec->source_system, strlen(w->spec->source_system), err);
		queue_line(w, &w->direct, row, uuid, err);
		if (!err->code && w->direct.len >= STREAM_BYTES) {
			if (PQputCopyData(s->conn, w->direct.ptr, (int)w->direct.len) != 1)
				return pg_error(s, NULL, err, "copy");
			crm_buf_reset(&w->direct);
		}
	} else {
		copy_int(&w->copy, (int64_t)w->queued, err);
		queue_line(w, &w->copy, row, uuid, err);
	}
	crm_buf_add(&w->ids, row->source_id, row->source_id_len, err);
	if (err->code)
		return err->code;
	w->predicted[w->queued] = w->predict ? predicted_hash(w, row, uuid) : 0;
	w->id_ends[w->queued++] = w->ids.len;
	return w->unindexed ? w->first_id + (int64_t)w->queued > w->block_last : w->copy.len >= QUEUE_BYTES;
}

/* A queued row's source id, for matching the rows the insert returns to their places. */
struct queued_id {
	const char *ptr;
	size_t len;
	size_t pos;
};

static int queued_id_cmp(const void *a, const void *b)
{
	const struct queued_id *x = a, *y = b;
	int c = memcmp(x->ptr, y->ptr, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The first queued position whose source id is (ptr, len), or SIZE_MAX; sorted by id then position. */
static size_t queued_find(const struct queued_id *sorted, size_t n, const char *ptr, size_t len)
{
	struct queued_id key = {ptr, len, 0};
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (queued_id_cmp(&sorted[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && sorted[lo].len == len && memcmp(sorted[lo].ptr, ptr, len) == 0)
		return sorted[lo].pos;
	return SIZE_MAX;
}

/*
 * How much of a server message to show: its first line, up to the value
 * it quotes after ': "' (invalid input syntax ..., a duplicate key), which
 * may be personal data.
 */
static int message_without_value(const char *msg)
{
	const char *quoted = strstr(msg, ": \"");

	return quoted ? (int)(quoted - msg) : (int)strcspn(msg, "\n");
}

/*
 * A COPY failure names the queued row (its source id for an insert, its id
 * for an update) and the column, not the value (it may be personal data).
 */
static int copy_error(struct crm_store_writer *w, PGresult *res, int updates, struct crm_error *err)
{
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *at = context ? strstr(context, ", line ") : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	unsigned long line = at ? strtoul(at + 7, NULL, 10) : 0;
	const char *col = at ? strstr(at, ", column ") : NULL;
	char row[64];
	/* a streamed queue's COPY may have begun part-way through it */
	size_t start, pos = (updates ? 0 : w->copy_first) + line - 1;

	if (!msg || !line || pos >= (updates ? w->updates_queued : w->queued))
		return pg_error(w->store, res, err, updates ? "update" : "insert");
	start = pos && !updates ? w->id_ends[pos - 1] : 0;
	if (updates)
		snprintf(row, sizeof(row), "row %lld", (long long)w->update_ids[pos]);
	else
		snprintf(row, sizeof(row), "record '%.*s'", (int)(w->id_ends[pos] - start), w->ids.ptr + start);
	return crm_error_set(err, CRM_EIO, "PostgreSQL: %s %s: %s%s%.*s: %.*s", updates ? "update of" : "insert into",
			     w->spec->table, row, col ? ", column " : "", col ? (int)strcspn(col + 9, ":\n") : 0,
			     col ? col + 9 : "", message_without_value(msg), msg);
}

enum stage_kind { STAGE_INSERTS, STAGE_UPDATES };

/*
 * A staging table for one of w's flushes, its name into stage: pos, then
 * the columns (a list of names) with the target table's types, made empty
 * from it. In a transaction block, each writer has one of each kind, made
 * at its first flush (ON COMMIT DROP: gone with the commit or rollback)
 * and emptied after each (stage_done): a table a flush kept a lock each to
 * the transaction's end, and a stream's small flushes ran the server out
 * of shared memory for them. Outside one, a table a flush, dropped after.
 */
static int stage_open(struct crm_store_writer *w, enum stage_kind kind, const char *cols, char stage[32], int *reused,
		      struct crm_error *err)
{
	struct pg_store *s = w->store;
	int block;
	struct crm_buf sql;

	if (stream_end(s, err))
		return err->code;
	*reused = block = PQtransactionStatus(s->conn) == PQTRANS_INTRANS;
	if (block)
		snprintf(stage, 32, "crmshift_stage_%u_%d", w->stage_name, (int)kind);
	else
		snprintf(stage, 32, "crmshift_stage_%u", ++s->next_name);
	if (block && w->stage_made[kind] == s->transaction)
		return 0;
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (!crm_buf_addf(&sql, err,
			  "CREATE TEMPORARY TABLE %s %s AS SELECT 0::bigint AS pos, %s FROM \"%s\" WITH NO DATA", stage,
			  block ? "ON COMMIT DROP" : "", cols, w->spec->table) &&
	    !run(s, sql.ptr, "stage", err) && block)
		w->stage_made[kind] = s->transaction;
	crm_buf_release(&sql);
	return err->code;
}

/* The flush's staging table emptied for the next (reused, as stage_open said), or dropped. */
static int stage_done(struct crm_store_writer *w, const char *stage, int reused, struct crm_error *err)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "%s %s", reused ? "TRUNCATE" : "DROP TABLE", stage);
	return run(w->store, sql, "stage", err);
}

/*
 * COPY into FROM STDIN (into: a table and its column list) with data in
 * COPY text. Returns the final result: PGRES_COMMAND_OK when the rows
 * went in, else the failure (a failed send fails the COPY on the server
 * too). The caller clears it.
 */
static PGresult *copy_in(struct pg_store *s, const char *into, const struct crm_buf *data, struct crm_error *err)
{
	struct crm_buf sql;
	PGresult *res;

	if (stream_end(s, err))
		return NULL;
	crm_buf_init(&sql, CRM_MAX_SQL_LEN); /* into may list every column of a wide table */
	if (crm_buf_addf(&sql, err, "COPY %s FROM STDIN", into)) {
		crm_buf_release(&sql);
		return NULL;
	}
	res = PQexec(s->conn, sql.ptr);
	crm_buf_release(&sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return res;
	PQclear(res);
	return copy_finish(s, data);
}

/* Sends the queued rows (the inserts', or with updates the updates') into the staging table with COPY. */
static int copy_queued(struct crm_store_writer *w, const char *stage, int updates, struct crm_error *err)
{
	PGresult *res = copy_in(w->store, stage, updates ? &w->updates : &w->copy, err);

	if (res && PQresultStatus(res) != PGRES_COMMAND_OK)
		copy_error(w, res, updates, err);
	else if (!res && !err->code)
		pg_error(w->store, NULL, err, "copy");
	PQclear(res);
	return err->code;
}

/*
 * A flush of an unindexed queue: its COPY ended (the rows streamed as
 * they were queued, pg_queue_insert), each numbered from its block, and the
 * ids it did not use given back so that the next rows follow on.
 */
static int flush_direct(struct crm_store_writer *w, int64_t *ids, struct crm_error *err)
{
	struct pg_store *s = w->store;
	int64_t last = w->first_id + (int64_t)w->queued - 1;
	char table[160], value[24];
	const char *params[2] = {table, value};
	PGresult *res;
	size_t i;

	if (s->streaming == w && stream_end(s, err))
		return err->code;
	if (last < w->block_last) {
		snprintf(table, sizeof(table), "\"%s\"", w->spec->table);
		snprintf(value, sizeof(value), "%lld", (long long)last);
		res = PQexecParams(s->conn, "SELECT setval(pg_get_serial_sequence($1, 'id'), $2::bigint)", 2, NULL,
				   params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			pg_error(s, res, err, "ids for the insert");
		PQclear(res);
		if (err->code)
			return err->code;
	}
	for (i = 0; i < w->queued; i++)
		ids[i] = w->first_id + (int64_t)i;
	return 0;
}

/*
 * A flush through a staging table of the target's column types
 * (stage_open): the rows copied in, one INSERT ... SELECT in queue order
 * whose RETURNING says which rows went in, and the table emptied or
 * dropped. cols: the queued text's columns after pos.
 */
static int flush_staged(struct crm_store_writer *w, int64_t *ids, const char *cols, struct crm_error *err)
{
	struct pg_store *s = w->store;
	struct queued_id *sorted = NULL;
	struct crm_buf sql;
	char stage[32];
	PGresult *res = NULL;
	const char *param = w->spec->source_system;
	size_t i;
	int r, reused = 0;

	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (!stage_open(w, STAGE_INSERTS, cols, stage, &reused, err))
		copy_queued(w, stage, 0, err);
	if (!err->code &&
	    !crm_buf_addf(&sql, err,
			  "INSERT INTO \"%s\" (source_system, %s) SELECT $1, %s FROM %s ORDER BY pos ON CONFLICT "
			  "(source_system, source_id) DO NOTHING RETURNING id, source_id",
			  w->spec->table, cols, cols, stage)) {
		res = PQexecParams(s->conn, sql.ptr, 1, NULL, &param, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			pg_error(s, res, err, "insert");
	}
	sorted = err->code ? NULL : crm_calloc(w->queued, sizeof(*sorted));
	if (!err->code && !sorted)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; sorted && i < w->queued; i++) {
		size_t start = i ? w->id_ends[i - 1] : 0;
		sorted[i].ptr = w->ids.ptr + start;
		sorted[i].len = w->id_ends[i] - start;
		sorted[i].pos = i;
	}
	if (sorted)
		qsort(sorted, w->queued, sizeof(*sorted), queued_id_cmp);
	/* of rows with one source id, the first queued is the one that went in (ORDER BY pos) */
	for (r = 0; sorted && r < PQntuples(res); r++) {
		size_t pos = queued_find(sorted, w->queued, PQgetvalue(res, r, 1), (size_t)PQgetlength(res, r, 1));
		if (pos == SIZE_MAX) {
			crm_error_set(err, CRM_EINTERNAL, "PostgreSQL: insert returned a row that was not queued");
			break;
		}
		ids[pos] = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	}
	PQclear(res);
	crm_free(sorted);
	if (!err->code)
		stage_done(w, stage, reused, err);
	crm_buf_release(&sql);
	return err->code;
}

/* ids as a PostgreSQL array literal, "{1,2,3}", into out. */
static int id_array(struct crm_buf *out, const int64_t *ids, size_t n, struct crm_error *err)
{
	size_t i;

	crm_buf_addstr(out, "{", err);
	for (i = 0; i < n && !err->code; i++) {
		char digits[24];
		size_t len = crm_store_decimal(digits, ids[i]);
		if (i)
			crm_buf_addstr(out, ",", err);
		crm_buf_add(out, digits, len, err);
	}
	return crm_buf_addstr(out, "}", err);
}

/* Runs sql with one parameter, the ids as a bigint[]; its result when status is want, else NULL. */
static PGresult *with_ids(struct pg_store *s, const char *sql, const int64_t *ids, size_t n, ExecStatusType want,
			  const char *what, struct crm_error *err)
{
	struct crm_buf array;
	const char *values[1];
	PGresult *res = NULL;

	if (stream_end(s, err))
		return NULL;
	crm_buf_init(&array, (size_t)1 << 31);
	if (!id_array(&array, ids, n, err)) {
		values[0] = array.ptr;
		res = PQexecParams(s->conn, sql, 1, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) != want) {
			pg_error(s, res, err, what);
			PQclear(res);
			res = NULL;
		}
	}
	crm_buf_release(&array);
	return res;
}

/*
 * The hashes a writer's first flush told, checked against its rows as
 * hash_rows reads them (a sample spread over the flush): a server that
 * prints a value otherwise than server_text says (a setting of its own)
 * turns the telling off for good, and this flush's hashes are 0.
 */
static int predict_check(struct crm_store_writer *w, const int64_t *ids, uint64_t *hashes, size_t n,
			 struct crm_error *err)
{
	int64_t sample[PREDICT_SAMPLE];
	size_t picked[PREDICT_SAMPLE], count = 0, i, step = n / PREDICT_SAMPLE + 1;
	struct row_at *byid;
	char sql[256];
	PGresult *res;
	int same = 1;

	for (i = 0; i < n && count < PREDICT_SAMPLE; i += step)
		if (ids[i] && hashes[i]) {
			picked[count] = i;
			sample[count++] = ids[i];
		}
	w->predict_checked = 1;
	if (!count)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" WHERE id = ANY($1::bigint[])", w->spec->table);
	res = with_ids(w->store, sql, sample, count, PGRES_TUPLES_OK, "check the rows' hashes", err);
	if (!res)
		return err->code;
	byid = rows_by_id(res);
	if (!byid) {
		PQclear(res);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	same = PQntuples(res) == (int)count;
	for (i = 0; same && i < count; i++) {
		struct row_at key = {sample[i], 0}, *at;
		at = bsearch(&key, byid, count, sizeof(*byid), row_at_cmp);
		same = at && hash_columns(res, at->row) == hashes[picked[i]];
	}
	crm_free(byid);
	PQclear(res);
	if (!same) {
		w->predict = 0;
		memset(hashes, 0, n * sizeof(*hashes));
	}
	return 0;
}

/* The queue inserted, straight in while the table waits for its source index, else through a staging table. */
static int pg_flush_inserts(struct crm_store_writer *w, int64_t *ids, uint64_t *hashes, struct crm_error *err)
{
	struct crm_buf cols;
	size_t i, n = w->queued;

	if (!w->queued) {
		queue_clear(w); /* ids drawn for a row that never went out */
		return 0;
	}
	for (i = 0; i < n; i++)
		ids[i] = 0;
	if (w->unindexed) {
		flush_direct(w, ids, err);
	} else {
		crm_buf_init(&cols, CRM_MAX_SQL_LEN);
		if (!queue_columns(w, &cols, err))
			flush_staged(w, ids, cols.ptr, err);
		crm_buf_release(&cols);
	}
	if (err->code)
		for (i = 0; i < n; i++)
			ids[i] = 0;
	queue_clear(w);
	for (i = 0; i < n; i++)
		hashes[i] = w->predict && ids[i] ? w->predicted[i] : 0;
	if (!err->code && w->predict && !w->predict_checked)
		predict_check(w, ids, hashes, n, err);
	return err->code;
}

/* Queued updates in COPY text: position, id, the spec's columns, [updated_at]. */
static int pg_queue_update(struct crm_store_writer *w, int64_t id, const struct crm_store_row *row,
			   struct crm_error *err)
{
	if (crm_grow(&w->update_ids, w->updates_queued, &w->updates_cap, sizeof(*w->update_ids), 1024))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	copy_int(&w->updates, (int64_t)w->updates_queued, err);
	copy_int(&w->updates, id, err);
	copy_columns(w, &w->updates, row, err);
	if (!w->shape.updated_mapped)
		copy_field(&w->updates, row->load_time, strlen(row->load_time), err);
	copy_end_row(&w->updates);
	if (err->code)
		return err->code;
	w->update_ids[w->updates_queued++] = id;
	return w->updates.len >= QUEUE_BYTES;
}

/*
 * The UPDATE's RETURNING rows: hashes[i], the i-th queued row's, is the
 * hash of the row of its id as written (0 when the row is gone).
 */
static int returned_hashes(struct crm_store_writer *w, const PGresult *res, uint64_t *hashes, struct crm_error *err)
{
	size_t i, rows = (size_t)PQntuples(res);
	struct row_at *byid = rows_by_id(res);

	if (!byid)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < w->updates_queued; i++) {
		struct row_at probe = {w->update_ids[i], 0};
		const struct row_at *at = bsearch(&probe, byid, rows, sizeof(*byid), row_at_cmp);
		hashes[i] = at ? hash_columns(res, at->row) : 0;
	}
	crm_free(byid);
	return 0;
}

/* One flush: staged as the inserts are, then one UPDATE ... FROM, the last row queued for an id winning. */
static int pg_flush_updates(struct crm_store_writer *w, uint64_t *hashes, struct crm_error *err)
{
	const struct crm_table_spec *spec = w->spec;
	struct crm_buf cols, sets, sql;
	char stage[32];
	size_t i;
	int reused = 0;

	if (!w->updates_queued)
		return 0;
	if (stream_end(w->store, err))
		return err->code;
	ahead_forget(&w->store->ahead, spec->table, w->update_ids, w->updates_queued);
	crm_buf_init(&cols, CRM_MAX_SQL_LEN);
	crm_buf_init(&sets, CRM_MAX_SQL_LEN);
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	crm_buf_addstr(&cols, "id", err);
	for (i = 0; i < spec->count; i++) {
		crm_buf_addf(&cols, err, ", \"%s\"", spec->columns[i].name);
		crm_buf_addf(&sets, err, "%s\"%s\" = s.\"%s\"", i ? ", " : "", spec->columns[i].name,
			     spec->columns[i].name);
	}
	if (!w->shape.updated_mapped) {
		crm_buf_addstr(&cols, ", updated_at", err);
		crm_buf_addf(&sets, err, "%supdated_at = s.updated_at", spec->count ? ", " : "");
	}
	if (!err->code && !stage_open(w, STAGE_UPDATES, cols.ptr, stage, &reused, err) &&
	    !copy_queued(w, stage, 1, err) &&
	    !crm_buf_addf(&sql, err,
			  "UPDATE \"%s\" SET %s FROM (SELECT DISTINCT ON (id) * FROM %s ORDER BY id, pos DESC) s "
			  "WHERE \"%s\".id = s.id",
			  spec->table, sets.ptr, stage, spec->table)) {
		/* the rows as written, as row_hash would read them, when asked */
		if (hashes && !crm_buf_addf(&sql, err, " RETURNING \"%s\".*", spec->table)) {
			PGresult *res = PQexec(w->store->conn, sql.ptr);
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				pg_error(w->store, res, err, "update");
			else
				returned_hashes(w, res, hashes, err);
			PQclear(res);
		} else if (!hashes) {
			run(w->store, sql.ptr, "update", err);
		}
		if (!err->code)
			stage_done(w, stage, reused, err);
	}
	crm_buf_release(&cols);
	crm_buf_release(&sets);
	crm_buf_release(&sql);
	crm_buf_reset(&w->updates);
	w->updates_queued = 0;
	return err->code;
}

/* RETURNING * gives the row as written: its hash without a second round trip (a sync's updates go one by one). */
static int pg_update(struct crm_store_writer *w, int64_t id, const struct crm_store_row *row, uint64_t *row_hash,
		     struct crm_error *err)
{
	PGresult *res;
	int idx = bind_columns(w, 1, row, err);

	*row_hash = 0;
	if (!w->shape.updated_mapped)
		param_set(&w->params, idx++, row->load_time, strlen(row->load_time), err);
	param_int64(&w->params, idx, id, err);
	res = writer_exec(w, w->update, idx, PGRES_TUPLES_OK, "update", err);
	ahead_forget(&w->store->ahead, w->spec->table, &id, 1);
	if (res && PQntuples(res) == 1)
		*row_hash = hash_columns(res, 0);
	PQclear(res);
	return err->code;
}

static int pg_row_hash(struct crm_store_writer *w, int64_t id, uint64_t *hash, struct crm_error *err)
{
	struct row_at *ahead = ahead_find(&w->store->ahead, w->spec->table, id);
	PGresult *res;
	int found;

	if (ahead) {
		*hash = hash_columns(w->store->ahead.res, ahead->row);
		return 1;
	}
	param_int64(&w->params, 1, id, err);
	res = writer_exec(w, w->hash, 1, PGRES_TUPLES_OK, "row hash", err);
	if (!res)
		return err->code;
	found = PQntuples(res) == 1;
	*hash = found ? hash_columns(res, 0) : 0;
	PQclear(res);
	return found;
}

/*
 * Row row of res as a JSON object into out (backend.h: crm_store_json_row),
 * as SQLite's backend writes it: bigints and booleans as integers, the rest
 * as text (read_value's), NULL as null. Its n columns are those at picks
 * in res, or (picks NULL) all of res's.
 */
static int row_json_text(const PGresult *res, int row, const int *picks, int n, struct crm_buf *out,
			 struct crm_error *err)
{
	int i;
	struct crm_json_column *cols = crm_calloc(n > 0 ? (size_t)n : 1, sizeof(*cols));
	char(*bufs)[48] = crm_calloc(n > 0 ? (size_t)n : 1, sizeof(*bufs));

	if (!cols || !bufs) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	} else {
		for (i = 0; i < n; i++) {
			struct crm_json_column *c = &cols[i];
			struct crm_value value;
			int col = picks ? picks[i] : i;
			Oid type = PQftype(res, col);
			c->name = PQfname(res, col);
			if (read_value(res, row, col, bufs[i], &value)) {
				c->kind = CRM_JSON_NULL;
			} else if (type == INT8_OID || type == BOOL_OID) {
				c->kind = CRM_JSON_INTEGER;
				c->integer = value.id;
			} else {
				c->kind = CRM_JSON_TEXT;
				c->text = value.ptr;
				c->len = value.len;
			}
		}
		crm_store_json_row(cols, (size_t)n, out, err);
	}
	crm_free(cols);
	crm_free(bufs);
	return err->code;
}

/*
 * The read-ahead's columns of the writer's fetch (the spec's, then
 * updated_at) into w->fetch_cols: 1, or 0 when one is missing (the table
 * changed its shape: the fetch asks the server).
 */
static int fetch_columns(struct crm_store_writer *w, struct crm_error *err)
{
	const PGresult *res = w->store->ahead.res;
	int i, k, count = (int)w->spec->count + 1, fields = PQnfields(res);

	if (w->fetch_generation == w->store->ahead.generation)
		return w->fetch_cols != NULL;
	crm_free(w->fetch_cols);
	if (!(w->fetch_cols = crm_calloc((size_t)count, sizeof(*w->fetch_cols))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (k = 0; k < count; k++) {
		const char *name = k < count - 1 ? w->spec->columns[k].name : "updated_at";
		for (i = 0; i < fields && strcmp(PQfname(res, i), name) != 0; i++)
			;
		if (i == fields) {
			crm_free(w->fetch_cols);
			w->fetch_cols = NULL;
			break;
		}
		w->fetch_cols[k] = i;
	}
	w->fetch_generation = w->store->ahead.generation;
	return w->fetch_cols != NULL;
}

static int pg_fetch(struct crm_store_writer *w, int64_t id, struct crm_buf *out, struct crm_error *err)
{
	struct row_at *ahead = ahead_find(&w->store->ahead, w->spec->table, id);
	PGresult *res;
	int rc;

	if (ahead && (rc = fetch_columns(w, err)) != 0) {
		if (rc < 0)
			return rc;
		rc = row_json_text(w->store->ahead.res, ahead->row, w->fetch_cols, (int)w->spec->count + 1, out, err);
		return rc ? rc : 1;
	}
	param_int64(&w->params, 1, id, err);
	res = writer_exec(w, w->fetch, 1, PGRES_TUPLES_OK, "fetch", err);
	if (!res)
		return err->code;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	rc = row_json_text(res, 0, NULL, PQnfields(res), out, err);
	PQclear(res);
	return rc ? rc : 1;
}

/*
 * Walks the rows of query (its parameters in values) through a cursor,
 * FETCH_ROWS at a time, calling fn with each batch. Inside the caller's
 * transaction when there is one, else in a read-only one of its own.
 */
static int each_batch(struct pg_store *s, const char *query, int nvalues, const char *const *values,
		      int (*fn)(void *ctx, const PGresult *res, struct crm_error *err), void *ctx, const char *what,
		      struct crm_error *err)
{
	int own;
	char cursor[32], sql[64];
	struct crm_buf declare;
	PGresult *res;

	if (stream_end(s, err))
		return err->code;
	own = PQtransactionStatus(s->conn) == PQTRANS_IDLE;
	snprintf(cursor, sizeof(cursor), "c%u", ++s->next_cursor);
	crm_buf_init(&declare, CRM_MAX_SQL_LEN);
	if (crm_buf_addf(&declare, err, "DECLARE %s NO SCROLL CURSOR FOR %s", cursor, query))
		goto out;
	if (own && run(s, "BEGIN READ ONLY", what, err))
		goto out;
	res = PQexecParams(s->conn, declare.ptr, nvalues, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_error(s, res, err, what);
		PQclear(res);
		goto out_tx;
	}
	PQclear(res);
	snprintf(sql, sizeof(sql), "FETCH %d FROM %s", FETCH_ROWS, cursor);
	for (;;) {
		int rows;
		res = PQexec(s->conn, sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			pg_error(s, res, err, what);
			PQclear(res);
			break;
		}
		rows = PQntuples(res);
		if (rows && fn(ctx, res, err)) {
			PQclear(res);
			break;
		}
		PQclear(res);
		if (rows < FETCH_ROWS)
			break;
	}
	if (PQtransactionStatus(s->conn) == PQTRANS_INTRANS) {
		snprintf(sql, sizeof(sql), "CLOSE %s", cursor);
		PQclear(PQexec(s->conn, sql));
	}
out_tx:
	if (own)
		PQclear(PQexec(s->conn, err->code ? "ROLLBACK" : "COMMIT"));
out:
	crm_buf_release(&declare);
	return err->code;
}

struct scan_walk {
	const struct crm_table_spec *spec;
	crm_store_row_fn fn;
	void *ctx;
	struct crm_value *values;
	char (*numbers)[48];
};

static int scan_batch(void *ctx, const PGresult *res, struct crm_error *err)
{
	struct scan_walk *sw = ctx;
	int row, rows = PQntuples(res);
	size_t i;

	for (row = 0; row < rows; row++) {
		for (i = 0; i < sw->spec->count; i++) {
			/* integers, booleans and references read back as the decimal text the mapping wrote */
			read_value(res, row, (int)i + 1, sw->numbers[i], &sw->values[i]);
		}
		if (sw->fn(sw->ctx, PQgetvalue(res, row, 0), (size_t)PQgetlength(res, row, 0), sw->values, err))
			return err->code;
	}
	return 0;
}

static int pg_scan(struct crm_store *base, const struct crm_table_spec *spec, crm_store_row_fn fn, void *ctx,
		   struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct scan_walk sw = {spec, fn, ctx, NULL, NULL};
	const char *values[1] = {spec->source_system};
	struct crm_buf sql;
	size_t i;

	sw.values = crm_calloc(spec->count ? spec->count : 1, sizeof(*sw.values));
	sw.numbers = crm_calloc(spec->count ? spec->count : 1, sizeof(*sw.numbers));
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (!sw.values || !sw.numbers) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	crm_buf_addstr(&sql, "SELECT source_id", err);
	for (i = 0; i < spec->count; i++)
		crm_buf_addf(&sql, err, ", \"%s\"", spec->columns[i].name);
	crm_buf_addf(&sql, err, " FROM \"%s\" WHERE source_system = $1", spec->table);
	if (!err->code)
		each_batch(s, sql.ptr, 1, values, scan_batch, &sw, "scan", err);
out:
	crm_buf_release(&sql);
	crm_free(sw.values);
	crm_free(sw.numbers);
	return err->code;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int pg_has_rows(struct crm_store *base, const char *table, const int64_t *ids, size_t n, uint8_t *present,
		       struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	char sql[256];
	PGresult *res;
	int row, rows;

	memset(present, 0, n);
	snprintf(sql, sizeof(sql), "SELECT id FROM \"%s\" WHERE id = ANY($1::bigint[])", table);
	res = with_ids(s, sql, ids, n, PGRES_TUPLES_OK, "parent rows", err);
	if (!res)
		return err->code;
	rows = PQntuples(res);
	for (row = 0; row < rows; row++) {
		int64_t id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
		const int64_t *at = bsearch(&id, ids, n, sizeof(*ids), cmp_id);
		if (at)
			present[at - ids] = 1;
	}
	PQclear(res);
	return 0;
}

struct hash_walk {
	crm_store_hash_fn fn;
	void *ctx;
};

static int hash_batch(void *ctx, const PGresult *res, struct crm_error *err)
{
	struct hash_walk *hw = ctx;
	int row, rows = PQntuples(res);

	for (row = 0; row < rows; row++)
		if (hw->fn(hw->ctx, strtoll(PQgetvalue(res, row, 0), NULL, 10), hash_columns(res, row), err))
			return err->code;
	return 0;
}

static int pg_hash_rows(struct crm_store *base, const char *table, int64_t above, crm_store_hash_fn fn, void *ctx,
			struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct hash_walk hw = {fn, ctx};
	char sql[256], from[24];
	const char *values[1] = {from};
	int rc = table_exists(s, NULL, table, err);

	if (rc <= 0)
		return err->code; /* a table not created yet has no rows */
	snprintf(from, sizeof(from), "%lld", (long long)above);
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" WHERE id > $1::bigint ORDER BY id", table);
	return each_batch(s, sql, 1, values, hash_batch, &hw, "row hashes", err);
}

/* Ids a statement names in its array, at most: one statement a batch keeps the array's text in bounds. */
#define HASH_IDS_BATCH 10000

static int pg_hash_ids(struct crm_store *base, const char *table, const int64_t *ids, size_t n, crm_store_hash_fn fn,
		       void *ctx, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct hash_walk hw = {fn, ctx};
	char sql[256];
	size_t at;
	int rc = table_exists(s, NULL, table, err);

	if (rc <= 0)
		return err->code;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" WHERE id = ANY($1::bigint[]) ORDER BY id", table);
	for (at = 0; at < n && !err->code; at += HASH_IDS_BATCH) {
		PGresult *res = with_ids(s, sql, ids + at, n - at < HASH_IDS_BATCH ? n - at : HASH_IDS_BATCH,
					 PGRES_TUPLES_OK, "row hashes", err);
		if (res)
			hash_batch(&hw, res, err);
		PQclear(res);
	}
	return err->code;
}

static int pg_read_ahead(struct crm_store *base, const char *table, const int64_t *ids, size_t n, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct rows_ahead *a = &s->ahead;
	char sql[256];

	ahead_clear(a);
	a->generation++;
	if (!n)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" WHERE id = ANY($1::bigint[])", table);
	if (!(a->res = with_ids(s, sql, ids, n, PGRES_TUPLES_OK, "read ahead", err)))
		return err->code;
	a->byid = rows_by_id(a->res);
	a->table = crm_strdup(table);
	if (!a->byid || !a->table) {
		ahead_clear(a);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	a->count = (size_t)PQntuples(a->res);
	return 0;
}

static int pg_row_json(struct crm_store *base, const char *table, int64_t id, struct crm_buf *out,
		       struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct row_at *ahead = ahead_find(&s->ahead, table, id);
	char sql[256];
	PGresult *res;
	int rc;

	if (ahead) {
		rc = row_json_text(s->ahead.res, ahead->row, NULL, PQnfields(s->ahead.res), out, err);
		return rc ? rc : 1;
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" WHERE id = ANY($1::bigint[])", table);
	res = with_ids(s, sql, &id, 1, PGRES_TUPLES_OK, "read row", err);
	if (!res)
		return err->code;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	rc = row_json_text(res, 0, NULL, PQnfields(res), out, err);
	PQclear(res);
	return rc ? rc : 1;
}

static int pg_analyze(struct crm_store *base, const char *schema, const char *table, const char *columns,
		      int64_t changed, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct crm_buf sql;
	char count[24];
	const char *values[3] = {schema, table, count};
	int fresh;

	/* autovacuum's rule (50 rows and a tenth): reltuples is -1 until statistics were gathered once */
	snprintf(count, sizeof(count), "%lld", (long long)changed);
	fresh = any_row(s,
			"SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE n.nspname = coalesce($1, current_schema()) AND c.relname = $2 AND c.reltuples >= 0 "
			"AND $3::float8 <= 50 + 0.1 * c.reltuples",
			3, values, "statistics lookup", err);
	if (fresh)
		return fresh < 0 ? fresh : 0;
	/*
	 * A sample of 3,000 rows (statistics target 10, not the server's 100):
	 * the columns crmshift looks rows up by are keys, whose size and
	 * spread that tells as well, and the sample's pages are the cost.
	 * SKIP_LOCKED: a table autovacuum is at work on (after a large load it
	 * gathers statistics too) is left to it; otherwise the ANALYZE waits
	 * a deadlock_timeout for the server to cancel autovacuum. A first
	 * load's four passes spent 0.7-1.7 s here, the client idle; now 0.1 s.
	 */
	crm_buf_init(&sql, 1 << 10);
	crm_buf_addstr(&sql, "SET LOCAL default_statistics_target = 10; ", err);
	if (schema)
		crm_buf_addf(&sql, err, "ANALYZE (SKIP_LOCKED) \"%s\".\"%s\"", schema, table);
	else
		crm_buf_addf(&sql, err, "ANALYZE (SKIP_LOCKED) \"%s\"", table);
	if (columns)
		crm_buf_addf(&sql, err, " (%s)", columns);
	if (!err->code)
		run(s, sql.ptr, "analyze", err);
	crm_buf_release(&sql);
	return err->code;
}

static int pg_empty_table(struct crm_store *base, const char *table, int64_t *deleted, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	char sql[256];

	/* DELETE, not TRUNCATE: it takes no lock that stops readers, and it counts the rows */
	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", table);
	ahead_clear(&s->ahead);
	*deleted = 0;
	return run_counted(s, sql, "empty table", deleted, err);
}

static int pg_remove_rows(struct crm_store *base, const char *table, const int64_t *ids, size_t n,
			  struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	char sql[256];

	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE id = ANY($1::bigint[])", table);
	ahead_forget(&s->ahead, table, ids, n);
	PQclear(with_ids(s, sql, ids, n, PGRES_COMMAND_OK, "delete", err));
	return err->code;
}

static int pg_restore_row(struct crm_store *base, const char *table, int64_t id, const char *pre_image,
			  struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	json_error_t jerr;
	json_t *obj = json_loads(pre_image, 0, &jerr);
	struct pg_params params = {0, NULL, NULL, NULL};
	const char **values = NULL;
	struct crm_buf sql;
	PGresult *res;
	void *it;
	int idx = 1, whole, i;

	if (!json_is_object(obj)) {
		json_decref(obj);
		return crm_error_set(err, CRM_EINTERNAL, "the ledger's pre-image of %s row %lld is not a JSON object",
				     table, (long long)id);
	}
	whole = json_object_get(obj, "id") != NULL;
	ahead_forget(&s->ahead, table, &id, 1);
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	crm_restore_sql(table, obj, &sql, err);
	idx = 1;
	for (it = json_object_iter(obj); it && !err->code; it = json_object_iter_next(obj, it)) {
		json_t *v = json_object_iter_value(it);
		char number[32];
		if (json_is_integer(v)) {
			param_int64(&params, idx, json_integer_value(v), err);
		} else if (json_is_real(v)) {
			snprintf(number, sizeof(number), "%.17g", json_real_value(v));
			param_set(&params, idx, number, strlen(number), err);
		} else if (json_is_string(v)) {
			param_set(&params, idx, json_string_value(v), json_string_length(v), err);
		} else {
			param_set(&params, idx, NULL, 0, err);
		}
		idx++;
	}
	if (!whole)
		param_int64(&params, idx++, id, err);
	if (!err->code && !(values = crm_calloc((size_t)idx, sizeof(*values))))
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; !err->code && i < idx - 1; i++)
		values[i] = params.nulls[i] ? NULL : params.values[i];
	if (!err->code && !stream_end(s, err)) {
		res = PQexecParams(s->conn, sql.ptr, idx - 1, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			pg_error(s, res, err, "restore");
		PQclear(res);
	}
	crm_free(values);
	params_release(&params);
	crm_buf_release(&sql);
	json_decref(obj);
	return err->code;
}

/* The column names a pre-image sets, in its order, into keys (NUL-separated): what a group of rows shares. */
static int pre_image_keys(json_t *obj, struct crm_buf *keys, struct crm_error *err)
{
	void *it;

	crm_buf_reset(keys);
	for (it = json_object_iter(obj); it && !err->code; it = json_object_iter_next(obj, it))
		crm_buf_add(keys, json_object_iter_key(it), strlen(json_object_iter_key(it)) + 1, err);
	return err->code;
}

/* pre_images[k] as a JSON object into objs[k] (kept there from a group's end to the next's start). */
static int pre_image_parse(const char *table, const int64_t *ids, const char *const *pre_images, json_t **objs,
			   size_t k, struct crm_error *err)
{
	json_error_t jerr;

	if (objs[k])
		return 0;
	/* assigned apart: json_is_object is a macro that evaluates its argument twice */
	objs[k] = json_loads(pre_images[k], 0, &jerr);
	if (!json_is_object(objs[k]))
		return crm_error_set(err, CRM_EINTERNAL, "the ledger's pre-image of %s row %lld is not a JSON object",
				     table, (long long)ids[k]);
	return 0;
}

/* A foreign key on table or pointing at it (store.h: foreign_keys): one found by the catalogue, any_row's 1. */
static int pg_foreign_keys(struct crm_store *base, const char *table, struct crm_error *err)
{
	const char *values[1] = {table};

	return any_row((struct pg_store *)base,
		       "SELECT 1 FROM pg_constraint WHERE contype = 'f' AND (conrelid = to_regclass(quote_ident($1)) "
		       "OR confrelid = to_regclass(quote_ident($1))) LIMIT 1",
		       1, values, "foreign keys", err);
}

/*
 * Restores rows whose pre-images name the same columns with one statement a
 * group: the pre-images, each with its row's id, go as one JSON array that
 * json_populate_recordset reads as rows of the table, every value through
 * its column type's input, as restore_row's text parameters are. Updated
 * rows get their columns back with an UPDATE, deleted rows (whole
 * pre-images, with their ids) come back with an INSERT.
 */
static int pg_restore_rows(struct crm_store *base, const char *table, const int64_t *ids, const char *const *pre_images,
			   size_t n, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct crm_buf keys, next_keys, sql, array;
	json_t **objs = crm_calloc(n ? n : 1, sizeof(*objs));
	size_t i = 0, j, k;

	crm_buf_init(&keys, CRM_MAX_SQL_LEN);
	crm_buf_init(&next_keys, CRM_MAX_SQL_LEN);
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	crm_buf_init(&array, CRM_MAX_ROW_JSON);
	if (!objs)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	ahead_forget(&s->ahead, table, ids, n);
	while (i < n && !err->code) {
		int whole;
		void *it;
		if (pre_image_parse(table, ids, pre_images, objs, i, err))
			break;
		whole = json_object_get(objs[i], "id") != NULL;
		if (json_object_size(objs[i]) == 0) {
			pg_restore_row(base, table, ids[i], pre_images[i], err);
			i++;
			continue;
		}
		if (pre_image_keys(objs[i], &keys, err))
			break;
		crm_buf_reset(&array);
		crm_buf_addstr(&array, "[", err);
		for (j = i; j < n && !err->code; j++) {
			char *body;
			if (j > i && pre_image_parse(table, ids, pre_images, objs, j, err))
				break;
			/* another shape, or past RESTORE_BYTES of JSON, starts another statement */
			if (j > i && ((json_object_get(objs[j], "id") != NULL) != whole ||
				      array.len + strlen(pre_images[j]) > RESTORE_BYTES ||
				      pre_image_keys(objs[j], &next_keys, err) || next_keys.len != keys.len ||
				      memcmp(next_keys.ptr, keys.ptr, keys.len) != 0))
				break;
			/* an update's pre-image with its row's id in it: {..., "id": N} */
			if ((!whole && json_object_set_new(objs[j], "id", json_integer(ids[j]))) ||
			    !(body = json_dumps(objs[j], JSON_COMPACT))) {
				crm_error_set(err, CRM_ENOMEM, "out of memory");
				break;
			}
			crm_buf_addf(&array, err, "%s%s", j > i ? "," : "", body);
			free(body);
			/* the group's first names its columns; the others are text now */
			if (j > i) {
				json_decref(objs[j]);
				objs[j] = NULL;
			}
		}
		crm_buf_addstr(&array, "]", err);
		crm_buf_reset(&sql);
		/* a deleted row comes back under its id, every column as it was */
		crm_buf_addf(&sql, err, whole ? "INSERT INTO \"%s\" (" : "UPDATE \"%s\" t SET ", table);
		k = 0;
		for (it = json_object_iter(objs[i]); it && !err->code; it = json_object_iter_next(objs[i], it)) {
			const char *col = json_object_iter_key(it);
			if (whole)
				crm_buf_addf(&sql, err, "%s\"%s\"", k++ ? ", " : "", col);
			else if (strcmp(col, "id") != 0)
				crm_buf_addf(&sql, err, "%s\"%s\" = r.\"%s\"", k++ ? ", " : "", col, col);
		}
		if (whole) {
			crm_buf_addstr(&sql, ") SELECT ", err);
			k = 0;
			for (it = json_object_iter(objs[i]); it && !err->code; it = json_object_iter_next(objs[i], it))
				crm_buf_addf(&sql, err, "%sr.\"%s\"", k++ ? ", " : "", json_object_iter_key(it));
		}
		crm_buf_addf(&sql, err, " FROM json_populate_recordset(NULL::\"%s\", $1::json) r%s", table,
			     whole ? "" : " WHERE t.id = r.id");
		if (!err->code && !stream_end(s, err)) {
			const char *values[1] = {array.ptr};
			PGresult *res = PQexecParams(s->conn, sql.ptr, 1, NULL, values, NULL, NULL, 0);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				pg_error(s, res, err, "restore");
			PQclear(res);
		}
		json_decref(objs[i]);
		objs[i] = NULL;
		i = j;
	}
	for (k = 0; objs && k < n; k++)
		json_decref(objs[k]);
	crm_free(objs);
	crm_buf_release(&keys);
	crm_buf_release(&next_keys);
	crm_buf_release(&sql);
	crm_buf_release(&array);
	return err->code;
}

static int pg_cache_limit(struct crm_store *base, size_t bytes, struct crm_error *err)
{
	/* the server manages its own buffers: the client holds a cursor's batch at most */
	(void)base;
	(void)bytes;
	(void)err;
	return 0;
}

/* Rows of table (with source_system, unless NULL) and, when max_id is not NULL, its highest id. */
static int count_rows(struct pg_store *s, const char *table, const char *source_system, int64_t *count, int64_t *max_id,
		      struct crm_error *err)
{
	const char *values[1] = {source_system};
	char sql[256];
	PGresult *res;
	int rc = table_exists(s, NULL, table, err);

	*count = -1;
	if (rc <= 0)
		return err->code;
	snprintf(sql, sizeof(sql), "SELECT count(*), coalesce(max(id), 0) FROM \"%s\"%s", table,
		 source_system ? " WHERE source_system = $1" : "");
	res = PQexecParams(s->conn, sql, source_system ? 1 : 0, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s, res, err, "count");
		PQclear(res);
		return err->code;
	}
	*count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (max_id)
		*max_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return 0;
}

static int pg_count(struct crm_store *base, const char *table, int64_t *count, struct crm_error *err)
{
	return count_rows((struct pg_store *)base, table, NULL, count, NULL, err);
}

static int pg_extent(struct crm_store *base, const char *table, int64_t *rows, int64_t *max_id, struct crm_error *err)
{
	*max_id = 0;
	if (count_rows((struct pg_store *)base, table, NULL, rows, max_id, err))
		return err->code;
	if (*rows < 0)
		*rows = 0; /* a table not created yet */
	return 0;
}

static int pg_count_source(struct crm_store *base, const char *table, const char *source_system, int64_t *count,
			   struct crm_error *err)
{
	return count_rows((struct pg_store *)base, table, source_system, count, NULL, err);
}

static int pg_identity(struct crm_store *base, char out[CRM_STORE_IDENTITY_LEN], int create, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	const char *values[1];
	PGresult *res;
	int rc = table_exists(s, NULL, "crmshift_identity", err);

	if (rc < 0)
		return err->code;
	if (rc) {
		res = PQexec(s->conn, "SELECT identity FROM crmshift_identity ORDER BY id LIMIT 1");
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			pg_error(s, res, err, "target identity");
			PQclear(res);
			return err->code;
		}
		rc = PQntuples(res) == 1;
		if (rc)
			snprintf(out, CRM_STORE_IDENTITY_LEN, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		if (rc)
			return 1;
	}
	if (!create)
		return 0;
	crm_store_new_uuid(out);
	if (run(s,
		"CREATE TABLE IF NOT EXISTS crmshift_identity (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY "
		"KEY, identity text NOT NULL)",
		"target identity", err))
		return err->code;
	values[0] = out;
	res = PQexecParams(s->conn, "INSERT INTO crmshift_identity (identity) VALUES ($1)", 1, NULL, values, NULL, NULL,
			   0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		pg_error(s, res, err, "target identity");
	PQclear(res);
	return err->code ? err->code : 1;
}

static int pg_state_open(struct crm_store *base, const char *state_path, int create, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	int rc;

	(void)state_path; /* the state lives in the target database */
	if (!create) {
		rc = table_exists(s, "crmshift", "runs", err);
		if (rc <= 0)
			return rc < 0 ? err->code : 1;
		return 0;
	}
	return run(s, "CREATE SCHEMA IF NOT EXISTS crmshift", "create the state schema", err);
}

/*
 * One COPY into crmshift.table. A failure names the table and the
 * server's reason, without the value it quotes or the detail (they quote
 * the key, which may be personal data).
 */
static int pg_append_rows(struct crm_store *base, const char *table, const char *const *columns, size_t ncols,
			  const struct crm_store_field *fields, size_t nrows, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct crm_buf into, data;
	PGresult *res = NULL;
	size_t i;

	if (!nrows)
		return 0;
	crm_buf_init(&into, 1 << 10);
	crm_buf_init(&data, COPY_BYTES_MAX);
	crm_buf_addf(&into, err, "crmshift.\"%s\" (", table);
	for (i = 0; i < ncols; i++)
		crm_buf_addf(&into, err, "%s\"%s\"", i ? ", " : "", columns[i]);
	crm_buf_addch(&into, ')', err);
	for (i = 0; i < nrows * ncols && !err->code; i++) {
		if (fields[i].null || fields[i].text)
			copy_field(&data, fields[i].null ? NULL : fields[i].text, fields[i].len, err);
		else
			copy_int(&data, fields[i].number, err);
		if (i % ncols == ncols - 1)
			copy_end_row(&data);
	}
	if (!err->code)
		res = copy_in(s, into.ptr, &data, err);
	if (!err->code && PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		if (!msg || PQstatus(s->conn) == CONNECTION_BAD)
			pg_error(s, res, err, "append");
		else
			crm_error_set(err, CRM_EIO, "PostgreSQL: append to crmshift.%s: %.*s", table,
				      message_without_value(msg), msg);
	}
	PQclear(res);
	crm_buf_release(&into);
	crm_buf_release(&data);
	return err->code;
}

static int pg_exec(struct crm_store *base, const char *sql, struct crm_error *err)
{
	return run((struct pg_store *)base, sql, "state", err);
}

static struct crm_store_stmt *pg_stmt_prepare(struct crm_store *base, const char *sql, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_stmt *stmt = crm_calloc(1, sizeof(*stmt));

	if (!stmt) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (prepare_named(s, stmt->name, sql, err)) {
		crm_free(stmt);
		return NULL;
	}
	stmt->base.store = base;
	stmt->row = -1;
	return &stmt->base;
}

/* Binding cannot fail in the interface: a failure to allocate is reported when the statement steps. */
static void pg_stmt_bind_int64(struct crm_store_stmt *base, int index, int64_t value)
{
	struct crm_error ignored = {0};

	param_int64(&((struct pg_stmt *)base)->params, index, value, &ignored);
}

static void pg_stmt_bind_double(struct crm_store_stmt *base, int index, double value)
{
	struct crm_error ignored = {0};
	char number[32];

	snprintf(number, sizeof(number), "%.17g", value);
	param_set(&((struct pg_stmt *)base)->params, index, number, strlen(number), &ignored);
}

static void pg_stmt_bind_text(struct crm_store_stmt *base, int index, const char *text, size_t len)
{
	struct crm_error ignored = {0};

	param_set(&((struct pg_stmt *)base)->params, index, text, len, &ignored);
}

static int pg_stmt_step(struct crm_store_stmt *base, struct crm_error *err)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;
	struct pg_store *s = (struct pg_store *)base->store;

	if (!stmt->res) {
		ExecStatusType st;
		if (stream_end(s, err))
			return err->code;
		stmt->res = exec_prepared(s, stmt->name, &stmt->params, stmt->params.count);
		st = PQresultStatus(stmt->res);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			pg_error(s, stmt->res, err, "state");
			PQclear(stmt->res);
			stmt->res = NULL;
			return err->code;
		}
		stmt->row = -1;
	}
	stmt->row++;
	return stmt->row < PQntuples(stmt->res);
}

static int64_t pg_stmt_int64(struct crm_store_stmt *base, int col)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	return strtoll(PQgetvalue(stmt->res, stmt->row, col), NULL, 10);
}

static double pg_stmt_double(struct crm_store_stmt *base, int col)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	return strtod(PQgetvalue(stmt->res, stmt->row, col), NULL);
}

static const char *pg_stmt_text(struct crm_store_stmt *base, int col, size_t *len)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	if (PQgetisnull(stmt->res, stmt->row, col)) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)PQgetlength(stmt->res, stmt->row, col);
	return PQgetvalue(stmt->res, stmt->row, col);
}

static void pg_stmt_reset(struct crm_store_stmt *base)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;
	int i;

	PQclear(stmt->res);
	stmt->res = NULL;
	stmt->row = -1;
	for (i = 0; i < stmt->params.count; i++)
		stmt->params.nulls[i] = 1;
}

static void pg_stmt_finalize(struct crm_store_stmt *base)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	PQclear(stmt->res);
	deallocate((struct pg_store *)base->store, stmt->name);
	params_release(&stmt->params);
	crm_free(stmt);
}

static void pg_close(struct crm_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (!s)
		return;
	ahead_clear(&s->ahead);
	stream_abort(s);
	PQfinish(s->conn);
	crm_free(s->sent);
	crm_free(s);
}

static const struct crm_store_ops pg_ops = {
	.name = "postgres",
	.remote = 1,
	.ensure_table = pg_ensure_table,
	.source_index = pg_source_index,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.begin_snapshot = pg_begin_snapshot,
	.writer_open = pg_writer_open,
	.writer_close = pg_writer_close,
	.insert = pg_insert,
	.queue_insert = pg_queue_insert,
	.flush_inserts = pg_flush_inserts,
	.queue_update = pg_queue_update,
	.flush_updates = pg_flush_updates,
	.update = pg_update,
	.row_hash = pg_row_hash,
	.fetch = pg_fetch,
	.scan = pg_scan,
	.has_rows = pg_has_rows,
	.hash_rows = pg_hash_rows,
	.hash_ids = pg_hash_ids,
	.row_json = pg_row_json,
	.read_ahead = pg_read_ahead,
	.analyze = pg_analyze,
	.append_rows = pg_append_rows,
	.empty_table = pg_empty_table,
	.remove_rows = pg_remove_rows,
	.restore_row = pg_restore_row,
	.restore_rows = pg_restore_rows,
	.foreign_keys = pg_foreign_keys,
	.cache_limit = pg_cache_limit,
	.count = pg_count,
	.extent = pg_extent,
	.count_source = pg_count_source,
	.identity = pg_identity,
	.state_open = pg_state_open,
	.column_exists = pg_column_exists,
	.serial_key = "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	.keyed_table_suffix = "",
	.text_bytes = "text COLLATE \"C\"",
	.exec = pg_exec,
	.stmt_prepare = pg_stmt_prepare,
	.stmt_bind_int64 = pg_stmt_bind_int64,
	.stmt_bind_double = pg_stmt_bind_double,
	.stmt_bind_text = pg_stmt_bind_text,
	.stmt_step = pg_stmt_step,
	.stmt_int64 = pg_stmt_int64,
	.stmt_double = pg_stmt_double,
	.stmt_text = pg_stmt_text,
	.stmt_reset = pg_stmt_reset,
	.stmt_finalize = pg_stmt_finalize,
	.close = pg_close,
};

/* libpq prints notices (CREATE ... IF NOT EXISTS) to stderr by default: library code prints nothing. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Fixes the schema of the model tables for the session: the first existing
 * schema of the search path other than crmshift. Without this, a user
 * named crmshift would find the state's schema first ("$user" comes before
 * public) once the first run created it, and the tables would move.
 */
static int pin_schema(struct pg_store *s, struct crm_error *err)
{
	PGresult *res =
		PQexec(s->conn, "SELECT set_config('search_path', quote_ident(n), false) FROM "
				"unnest(current_schemas(false)) WITH ORDINALITY AS t(n, i) WHERE n <> 'crmshift' "
				"ORDER BY i LIMIT 1");

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s, res, err, "search_path");
		PQclear(res);
		return err->code;
	}
	if (PQntuples(res) != 1)
		crm_error_set(
			err, CRM_EINPUT,
			"the PostgreSQL target's search_path names no schema for the model tables (crmshift is "
			"the state's own): create one, or name one with options=-csearch_path%%3DNAME in the url");
	PQclear(res);
	return err->code;
}

struct crm_store *crm_postgres_store_open(const char *url, struct crm_error *err)
{
	struct pg_store *s;
	PQconninfoOption *opts, *o;
	char *parse_error = NULL;

	/* a password in crmshift.ini would be read by anyone who reads the project */
	opts = PQconninfoParse(url, &parse_error);
	if (!opts) {
		crm_error_set(err, CRM_EINPUT, "[target] url is not a PostgreSQL connection URI: %.*s",
			      parse_error ? (int)strcspn(parse_error, "\n") : 13,
			      parse_error ? parse_error : "out of memory");
		PQfreemem(parse_error);
		return NULL;
	}
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && o->val[0]) {
			PQconninfoFree(opts);
			crm_error_set(
				err, CRM_EINPUT,
				"[target] url holds a password: crmshift.ini is no place for one; put it in "
				"~/.pgpass (or PGPASSFILE, PGPASSWORD, a service file) and remove it from the url");
			return NULL;
		}
	PQconninfoFree(opts);
	s = crm_calloc(1, sizeof(*s));
	if (!s) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &pg_ops;
	s->conn = PQconnectdb(url);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		const char *msg = s->conn ? PQerrorMessage(s->conn) : "out of memory";
		/* libpq's message names the host and port it tried, and never the password */
		crm_error_set(err, CRM_EIO, "cannot connect to the PostgreSQL target (host %s, port %s): %.*s",
			      s->conn && PQhost(s->conn) ? PQhost(s->conn) : "?",
			      s->conn && PQport(s->conn) ? PQport(s->conn) : "?", (int)strcspn(msg, "\n"), msg);
		pg_close(&s->base);
		return NULL;
	}
	PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
	/* dates and times print as read_value expects them, whatever the server's defaults */
	if (run(s, "SET client_min_messages = warning; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'",
		"session settings", err) ||
	    pin_schema(s, err)) {
		pg_close(&s->base);
		return NULL;
	}
	return &s->base;
}

/*
 * The copy of a target for a rehearsal (crmshift drill): a database made
 * from the target with CREATE DATABASE ... TEMPLATE, which copies every
 * table, index, sequence and the state's schema as they are, and needs no
 * session on the target but the one that asks. Its name is written to
 * into/COPY_MARKER before it is created, so that a rehearsal killed midway
 * leaves what the next one needs to drop it.
 */
#define COPY_MARKER	 "target-copy"
#define COPY_NAME_PREFIX 40 /* bytes of the target's name kept in the copy's, under NAMEDATALEN's 63 */

/* v percent-encoded, but for what a URI leaves as it is. */
static int add_encoded(struct crm_buf *uri, const char *v, struct crm_error *err)
{
	for (; *v && !err->code; v++)
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
		    strchr("-._~", *v))
			crm_buf_addch(uri, *v, err);
		else
			crm_buf_addf(uri, err, "%%%02X", (unsigned char)*v);
	return err->code;
}

/* url with dbname in place of its own, as a URI of parameters that keeps every other option it gave. */
static int url_with_dbname(const char *url, const char *dbname, char *out, size_t cap, struct crm_error *err)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
	struct crm_buf uri;

	if (!opts)
		return crm_error_set(err, CRM_EINPUT, "[target] url is not a PostgreSQL connection URI");
	crm_buf_init(&uri, cap);
	if (!crm_buf_addstr(&uri, "postgresql://?dbname=", err))
		add_encoded(&uri, dbname, err);
	for (o = opts; o->keyword && !err->code; o++)
		if (strcmp(o->keyword, "dbname") != 0 && o->val && o->val[0] &&
		    !crm_buf_addf(&uri, err, "&%s=", o->keyword))
			add_encoded(&uri, o->val, err);
	PQconninfoFree(opts);
	if (!err->code)
		crm_path_format(out, cap, err, "%.*s", (int)uri.len, uri.ptr);
	crm_buf_release(&uri);
	return err->code;
}

/* The copy's name: the target's (cut at a character's start) with "_drill_" and eight random letters. */
static void copy_name(const char *target, char out[64])
{
	size_t n = strlen(target), i;

	if (n > COPY_NAME_PREFIX) {
		n = COPY_NAME_PREFIX;
		while (n > 0 && ((unsigned char)target[n] & 0xC0) == 0x80)
			n--;
	}
	/* letters, not digits: a run of digits in a name could pass for a customer's phone number in a report */
	snprintf(out, 64, "%.*s_drill_", (int)n, target);
	for (i = strlen(out); i < n + 15; i++)
		out[i] = (char)('a' + randombytes_uniform(26));
	out[i] = '\0';
}

/*
 * 1 when name is one copy_name makes ("_drill_" and eight lowercase
 * letters at its end): the only databases a drill's file may have dropped,
 * whatever a damaged or edited file says.
 */
static int is_copy_name(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 15 || strncmp(name + n - 15, "_drill_", 7) != 0)
		return 0;
	for (i = n - 8; i < n; i++)
		if (name[i] < 'a' || name[i] > 'z')
			return 0;
	return 1;
}

/* CREATE DATABASE name (quoted) rest, or DROP (IF EXISTS); the server's refusal said for what it means. */
static int database_statement(struct pg_store *s, int drop, const char *name, const char *rest, struct crm_error *err)
{
	char *quoted = PQescapeIdentifier(s->conn, name, strlen(name));
	struct crm_buf sql;
	PGresult *res;
	const char *state, *detail;

	if (!quoted)
		return pg_error(s, NULL, err, "the drill's database name");
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (crm_buf_addf(&sql, err, "%s %s%s", drop ? "DROP DATABASE IF EXISTS" : "CREATE DATABASE", quoted, rest)) {
		PQfreemem(quoted);
		crm_buf_release(&sql);
		return err->code;
	}
	PQfreemem(quoted);
	res = PQexec(s->conn, sql.ptr);
	crm_buf_release(&sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return 0;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	if (state && strcmp(state, "55006") == 0)
		crm_error_set(
			err, CRM_EREFUSED,
			"the drill copies the PostgreSQL target %s with CREATE DATABASE ... TEMPLATE, which needs "
			"no other session on it (the server: \"%.*s\"); run the drill when the others have "
			"ended (pg_stat_activity names them); nothing was done",
			PQdb(s->conn), detail ? (int)strcspn(detail, "\n") : 4, detail ? detail : "busy");
	else if (state && strcmp(state, "42501") == 0)
		crm_error_set(err, CRM_EREFUSED,
			      "the drill copies the PostgreSQL target into a database of its own, and the role %s may "
			      "not %s one (it needs CREATEDB, or to own the database); nothing was done",
			      PQuser(s->conn), drop ? "drop" : "create");
	else
		pg_error(s, res, err, drop ? "drop the drill's database" : "copy the target");
	PQclear(res);
	return err->code;
}

int crm_postgres_copy(const char *url, const char *into, char *url_out, size_t cap, struct crm_error *err)
{
	struct pg_store *s = (struct pg_store *)crm_postgres_store_open(url, err);
	struct crm_atomic_file marker;
	char name[64], path[PATH_MAX], template_clause[200];
	char *quoted;

	if (!s)
		return err->code;
	copy_name(PQdb(s->conn), name);
	quoted = PQescapeIdentifier(s->conn, PQdb(s->conn), strlen(PQdb(s->conn)));
	if (!quoted) {
		pg_error(s, NULL, err, "the target's name");
		goto out;
	}
	crm_path_format(template_clause, sizeof(template_clause), err, " TEMPLATE %s", quoted);
	PQfreemem(quoted);
	if (err->code || url_with_dbname(url, name, url_out, cap, err) ||
	    crm_path_format(path, sizeof(path), err, "%s/" COPY_MARKER, into) || crm_atomic_open(&marker, path, err))
		goto out;
	fprintf(marker.f, "%s\n", name);
	if (crm_atomic_commit(&marker, err))
		goto out;
	database_statement(s, 0, name, template_clause, err);
out:
	pg_close(&s->base);
	return err->code;
}

int crm_postgres_copy_remove(const char *url, const char *into, struct crm_error *err)
{
	struct pg_store *s;
	char path[PATH_MAX], name[80];
	FILE *f;
	int got;

	if (crm_path_format(path, sizeof(path), err, "%s/" COPY_MARKER, into))
		return err->code;
	if (!(f = fopen(path, "r")))
		return 0; /* the folder of a copy that was never begun */
	got = fgets(name, sizeof(name), f) != NULL;
	fclose(f);
	name[got ? strcspn(name, "\n") : 0] = '\0';
	if (!is_copy_name(name))
		return crm_error_set(err, CRM_EINPUT,
				     "%s does not name a database a drill made ('%.63s'): it was left as it is", path,
				     name);
	if (!(s = (struct pg_store *)crm_postgres_store_open(url, err)))
		return err->code;
	/* IF EXISTS: a copy refused or killed before it was made; FORCE: a session a killed drill left open */
	if (!database_statement(s, 1, name, " WITH (FORCE)", err) && unlink(path) != 0)
		crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
	pg_close(&s->base);
	return err->code;
}
