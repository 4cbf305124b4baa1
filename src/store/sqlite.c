/*
 * sqlite.c: the SQLite target store. Values are stored by type: integers,
 * booleans and references as INTEGER; text, dates, date-times and decimals
 * as TEXT (decimals stay exact, with their written scale). Statements are
 * prepared once per writer. The database keeps SQLite's rollback journal,
 * not WAL, so that a transaction spanning the attached state database
 * commits atomically across both files.
 */
#include "compat.h"
#include "store/store.h"
#include "store/backend.h"
#include "store/sqlitevfs.h"
#include "util/alloc.h"
#include "util/path.h"
#include "util/limits.h"

#include <ctype.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

struct sqlite_store {
	struct crm_store base;
	sqlite3 *db;
	int state_attached;
	/* row_json's statement, kept for the table it reads (a sync's deletes read one table after another) */
	sqlite3_stmt *row_json;
	char row_json_table[CRM_MAX_IDENT_LEN + 1];
};

/* The page cache of the target and of the state, each (negative: KiB), as a store opens them. */
#define PAGE_CACHE "-49152"

/* Where the value of one of a table's columns (after id) comes from in an insert. */
struct hash_slot {
	enum { FROM_NULL, FROM_SOURCE_SYSTEM, FROM_SOURCE_ID, FROM_CUSTOMER_ID, FROM_COLUMN, FROM_LOAD_TIME } from;
	size_t column; /* FROM_COLUMN: the spec's */
};

struct crm_store_writer {
	struct sqlite_store *store;
	const struct crm_table_spec *spec;
	struct crm_writer_shape shape;
	sqlite3_stmt *insert;
	sqlite3_stmt *find;
	sqlite3_stmt *update;
	sqlite3_stmt *fetch;
	sqlite3_stmt *hash;
	/*
	 * The table's columns after id in table order, each as insert binds
	 * it, so that insert can tell an inserted row's hash without reading
	 * it back; NULL when the table stores some value otherwise than bound
	 * (hash_plan says when).
	 */
	struct hash_slot *hash_slots;
	size_t hash_slot_count;
	struct crm_bound *bound; /* the spec's columns as the last bind_columns bound them */
};

static int db_error(sqlite3 *db, struct crm_error *err, const char *what)
{
	return crm_error_set(err, CRM_EIO, "target database: %s: %s", what, sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, struct crm_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		crm_error_set(err, CRM_EIO, "target database: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return err->code;
	}
	return 0;
}

static const char *sql_type(enum crm_type type)
{
	switch (type) {
	case CRM_TYPE_INT:
	case CRM_TYPE_BOOL:
	case CRM_TYPE_REF:
		return "INTEGER";
	default:
		return "TEXT";
	}
}

/* 1 when schema.table has column, 0 when not, -1 when the table does not exist (err unset) */
static int has_column(sqlite3 *db, const char *schema, const char *table, const char *column, struct crm_error *err)
{
	char sql[256];
	sqlite3_stmt *st;
	int found = -1, rc;

	snprintf(sql, sizeof(sql), "PRAGMA %s.table_info(\"%s\")", schema, table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "table_info");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found < 0)
			found = 0;
		if (strcmp((const char *)sqlite3_column_text(st, 1), column) == 0)
			found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, "table_info");
	return found;
}

/* 1 when table has a row, 0 when it is empty, < 0 error. */
static int has_rows(sqlite3 *db, const char *table, struct crm_error *err)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM \"%s\")", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "rows");
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
	sqlite3_finalize(st);
	return rc < 0 ? db_error(db, err, "rows") : rc;
}

/*
 * The source index is any unique index on exactly (source_system,
 * source_id): TABLE_source_key as built here, or the UNIQUE constraint of a
 * table made by a crmshift that built it with the table.
 */
static int sqlite_source_index(struct crm_store *base, const char *table, int build, struct crm_error *err)
{
	sqlite3 *db = ((struct sqlite_store *)base)->db;
	char sql[256];
	sqlite3_stmt *st;
	int64_t cache;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT EXISTS (SELECT 1 FROM pragma_index_list(?1) AS l WHERE l.\"unique\" AND "
			       "(SELECT group_concat(name) FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY "
			       "seqno)) = 'source_system,source_id')",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "source index");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
	sqlite3_finalize(st);
	if (rc < 0)
		return db_error(db, err, "source index");
	if (!build || rc)
		return build ? 0 : rc;
	/*
	 * The build's sorter takes as much memory as the page cache may, on
	 * each of its threads: a small cache for it (the pages are read once,
	 * in order) keeps a load's peak where the load had it, at no cost in
	 * time.
	 */
	if (sqlite3_prepare_v2(db, "PRAGMA main.cache_size", -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "cache_size");
	cache = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (exec(db, "PRAGMA main.cache_size = -4096", err))
		return err->code;
	snprintf(sql, sizeof(sql), "CREATE UNIQUE INDEX \"%s_source_key\" ON \"%s\" (source_system, source_id)", table,
		 table);
	rc = exec(db, sql, err);
	snprintf(sql, sizeof(sql), "PRAGMA main.cache_size = %lld", (long long)cache);
	if (cache)
		exec(db, sql, rc ? &(struct crm_error)CRM_ERROR_INIT : err);
	return err->code;
}

static int sqlite_ensure_table(struct crm_store *base, const struct crm_table_spec *spec, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const struct crm_table_def *core = crm_schema_table(spec->table);
	struct crm_buf sql;
	size_t i;
	int rc;

	rc = has_column(s->db, "main", spec->table, "id", err);
	if (rc < 0 && err->code)
		return err->code;
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (rc < 0) {
		crm_buf_addf(&sql, err,
			     "CREATE TABLE \"%s\" (\n  id INTEGER PRIMARY KEY,\n  source_system TEXT NOT NULL,\n  "
			     "source_id TEXT NOT NULL",
			     spec->table);
		/* v4 UUIDs carry 122 random bits: unique by construction, so no index (it would cost a random insert per row) */
		if (core && core->has_customer_id)
			crm_buf_addstr(&sql, ",\n  customer_id TEXT NOT NULL", err);
		for (i = 0; core && i < core->count; i++) {
			const struct crm_column_def *col = &core->columns[i];
			crm_buf_addf(&sql, err, ",\n  %s %s", col->name, sql_type(col->type));
			if (col->type == CRM_TYPE_REF)
				crm_buf_addf(&sql, err, " REFERENCES \"%s\"(id)", col->ref_table);
		}
		/* its source index apart, built when the load allows (sqlite_source_index) */
		crm_buf_addstr(&sql, ",\n  created_at TEXT NOT NULL,\n  updated_at TEXT NOT NULL\n)", err);
		if (err->code || exec(s->db, sql.ptr, err)) {
			crm_buf_release(&sql);
			return err->code;
		}
	}
	for (i = 0; i < spec->count; i++) {
		const struct crm_store_column *col = &spec->columns[i];
		rc = has_column(s->db, "main", spec->table, col->name, err);
		if (rc < 0) {
			crm_buf_release(&sql);
			return err->code;
		}
		if (rc == 1)
			continue;
		/* a custom field becomes a typed column */
		crm_buf_reset(&sql);
		if (crm_buf_addf(&sql, err, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", spec->table, col->name,
				 sql_type(col->type)) ||
		    exec(s->db, sql.ptr, err)) {
			crm_buf_release(&sql);
			return err->code;
		}
	}
	crm_buf_release(&sql);
	if (spec->defer_source_index == CRM_DEFER_RESUMED)
		return 0;
	if (spec->defer_source_index == CRM_DEFER_WHEN_EMPTY) {
		rc = has_rows(s->db, spec->table, err);
		if (rc <= 0)
			return rc < 0 ? err->code : 0;
	}
	return sqlite_source_index(base, spec->table, 1, err);
}

static int sqlite_begin(struct crm_store *base, struct crm_error *err)
{
	return exec(((struct sqlite_store *)base)->db, "BEGIN IMMEDIATE", err);
}

static int sqlite_commit(struct crm_store *base, struct crm_error *err)
{
	return exec(((struct sqlite_store *)base)->db, "COMMIT", err);
}

/*
 * A read transaction on this (second) connection: a SHARED lock on the
 * target, its view fixed by the first read. The writer's connection goes
 * on beside it under RESERVED (rollback journal); its commit, or a spill
 * of its cache, waits (busy timeout) until this one ends, and nobody
 * else's commit can change a table meanwhile. The counts read each page
 * once, in order: a small cache, which keeps them from doubling the
 * process's memory.
 */
static int sqlite_begin_snapshot(struct crm_store *base, const char *const *tables, size_t count, struct crm_error *err)
{
	(void)tables;
	(void)count;
	return exec(((struct sqlite_store *)base)->db,
		    "PRAGMA main.cache_size = -2048; BEGIN; SELECT count(*) FROM main.sqlite_master", err);
}

static int sqlite_rollback(struct crm_store *base, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	if (sqlite3_get_autocommit(s->db))
		return 0;
	return exec(s->db, "ROLLBACK", err);
}

static void sqlite_writer_close(struct crm_store_writer *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->insert);
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->update);
	sqlite3_finalize(w->fetch);
	sqlite3_finalize(w->hash);
	crm_writer_shape_release(&w->shape);
	crm_free(w->hash_slots);
	crm_free(w->bound);
	crm_free(w);
}

static int prepare(sqlite3 *db, struct crm_buf *sql, sqlite3_stmt **st, struct crm_error *err)
{
	if (err->code)
		return err->code;
	if (sqlite3_prepare_v3(db, sql->ptr, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_error(db, err, "prepare");
	crm_buf_reset(sql);
	return 0;
}

/*
 * SQLite's type affinity of a declared column type (its datatype rules, in
 * their order): only TEXT and BLOB keep text as bound; INTEGER, NUMERIC
 * and BLOB keep an integer.
 */
static int keeps_bound(const char *decl, int integer)
{
	char up[64];
	size_t i;

	for (i = 0; decl && decl[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)decl[i]);
	up[i] = '\0';
	if (strstr(up, "INT"))
		return integer;
	if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		return !integer;
	if (!up[0] || strstr(up, "BLOB"))
		return 1;
	if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
		return 0;
	return integer; /* NUMERIC */
}

/* Whether spec column i is bound as an integer (or NULL), else as text (or NULL). */
static int bound_integer(const struct crm_store_writer *w, size_t i)
{
	enum crm_type type = w->spec->columns[i].type;

	return !w->shape.is_timestamp[i] && (type == CRM_TYPE_INT || type == CRM_TYPE_BOOL || type == CRM_TYPE_REF);
}

/* What the writer binds, besides its spec's columns, to the column called name (FROM_NULL: nothing). */
static int bound_besides(const struct crm_store_writer *w, const char *name)
{
	if (sqlite3_stricmp(name, "source_system") == 0)
		return FROM_SOURCE_SYSTEM;
	if (sqlite3_stricmp(name, "source_id") == 0)
		return FROM_SOURCE_ID;
	if (w->shape.has_customer_id && sqlite3_stricmp(name, "customer_id") == 0)
		return FROM_CUSTOMER_ID;
	if ((!w->shape.created_mapped && sqlite3_stricmp(name, "created_at") == 0) ||
	    (!w->shape.updated_mapped && sqlite3_stricmp(name, "updated_at") == 0))
		return FROM_LOAD_TIME;
	return FROM_NULL;
}

/*
 * Where each of the table's columns after id gets its value in an insert
 * (w->hash_slots), when every one keeps the value as bound: id first (the
 * rowid), no hidden or generated column, no default on a column the insert
 * leaves out, and every declared type one whose affinity converts nothing
 * bound to it. Otherwise (a table made by hand) hash_slots stays NULL and
 * inserted rows are read back to be hashed.
 */
static int hash_plan(struct crm_store_writer *w, struct crm_error *err)
{
	sqlite3 *db = w->store->db;
	sqlite3_stmt *st;
	struct hash_slot *slots = NULL;
	size_t n = 0, cap = 0, i;
	int rc = SQLITE_DONE, usable = 1;

	if (sqlite3_prepare_v2(db, "SELECT name, type, dflt_value, pk, hidden FROM pragma_table_xinfo(?, 'main')", -1,
			       &st, NULL) != SQLITE_OK)
		return db_error(db, err, "table_xinfo");
	sqlite3_bind_text(st, 1, w->spec->table, -1, SQLITE_STATIC);
	for (i = 0; usable && (rc = sqlite3_step(st)) == SQLITE_ROW; i++) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *decl = (const char *)sqlite3_column_text(st, 1);
		struct hash_slot slot = {FROM_NULL, 0};
		size_t c;
		if (i == 0) {
			usable = sqlite3_stricmp(name, "id") == 0 && sqlite3_column_int(st, 3) == 1 && decl &&
				 sqlite3_stricmp(decl, "INTEGER") == 0;
			continue;
		}
		if (sqlite3_column_int(st, 4) != 0) {
			usable = 0;
			break;
		}
		for (c = 0; c < w->spec->count && sqlite3_stricmp(name, w->spec->columns[c].name) != 0; c++)
			;
		if (c < w->spec->count) {
			slot.from = FROM_COLUMN;
			slot.column = c;
			usable = keeps_bound(decl, bound_integer(w, c));
		} else if ((slot.from = bound_besides(w, name)) != FROM_NULL) {
			usable = keeps_bound(decl, 0);
		} else {
			usable = sqlite3_column_type(st, 2) == SQLITE_NULL; /* left out: NULL unless it has a default */
		}
		if (usable && crm_grow(&slots, n, &cap, sizeof(*slots), 16)) {
			sqlite3_finalize(st);
			crm_free(slots);
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
		if (usable)
			slots[n++] = slot;
	}
	sqlite3_finalize(st);
	if (usable && rc != SQLITE_DONE) {
		crm_free(slots);
		return db_error(db, err, "table_xinfo");
	}
	if (!usable || i == 0) {
		crm_free(slots);
		return 0;
	}
	w->bound = crm_calloc(w->spec->count ? w->spec->count : 1, sizeof(*w->bound));
	if (!w->bound) {
		crm_free(slots);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	w->hash_slots = slots;
	w->hash_slot_count = n;
	return 0;
}

static struct crm_store_writer *sqlite_writer_open(struct crm_store *base, const struct crm_table_spec *spec,
						   struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	struct crm_store_writer *w = crm_calloc(1, sizeof(*w));
	struct crm_buf sql;
	int indexed;

	if (!w) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	w->store = s;
	w->spec = spec;
	if (crm_writer_shape_init(&w->shape, spec, err)) {
		crm_free(w);
		return NULL;
	}
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	indexed = sqlite_source_index(base, spec->table, 0, err);
	if (indexed >= 0 &&
	    !crm_writer_sql(indexed ? CRM_WRITER_INSERT : CRM_WRITER_INSERT_NEW, spec, &w->shape, &sql, err))
		prepare(s->db, &sql, &w->insert, err);
	if (!crm_writer_sql(CRM_WRITER_FIND, spec, &w->shape, &sql, err))
		prepare(s->db, &sql, &w->find, err);
	if (!crm_writer_sql(CRM_WRITER_UPDATE, spec, &w->shape, &sql, err))
		prepare(s->db, &sql, &w->update, err);
	if (!crm_writer_sql(CRM_WRITER_FETCH, spec, &w->shape, &sql, err))
		prepare(s->db, &sql, &w->fetch, err);
	/* the hash reads every column but id: the second, from "id, *" */
	if (!err->code && !crm_buf_addf(&sql, err, "SELECT id, * FROM \"%s\" WHERE id = ?", spec->table))
		prepare(s->db, &sql, &w->hash, err);
	crm_buf_release(&sql);
	if (!err->code)
		hash_plan(w, err);
	if (err->code) {
		sqlite_writer_close(w);
		return NULL;
	}
	return w;
}

/* Binds the writer's columns from index idx on; returns the next index. */
static int bind_columns(struct crm_store_writer *w, sqlite3_stmt *st, int idx, const struct crm_store_row *row)
{
	size_t i;

	for (i = 0; i < w->spec->count; i++, idx++) {
		struct crm_bound b;
		crm_writer_value(w->spec, &w->shape, row, i, &b);
		if (w->bound)
			w->bound[i] = b;
		if (b.kind == CRM_BOUND_INT)
			sqlite3_bind_int64(st, idx, b.number);
		else if (b.kind == CRM_BOUND_TEXT)
			sqlite3_bind_text(st, idx, b.text, (int)b.len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, idx);
	}
	return idx;
}

/* h, continued by a value of storage class type (its bytes: an integer's, a double's, text's or a blob's). */
static uint64_t hash_value(uint64_t h, int type, const void *bytes, size_t len)
{
	unsigned char tag = (unsigned char)type;

	h = XXH3_64bits_withSeed(&tag, 1, h);
	return type == SQLITE_NULL ? h : XXH3_64bits_withSeed(bytes ? bytes : "", len, h);
}

static uint64_t hash_columns(sqlite3_stmt *st, int from)
{
	uint64_t h = 0, kept = 0;
	int i, n = sqlite3_column_count(st);

	for (i = from; i < n; i++) {
		sqlite3_value *col = sqlite3_column_value(st, i);
		int type = sqlite3_value_type(col);
		if (type == SQLITE_INTEGER) {
			int64_t v = sqlite3_value_int64(col);
			h = hash_value(h, type, &v, sizeof(v));
		} else if (type == SQLITE_FLOAT) {
			double v = sqlite3_value_double(col);
			h = hash_value(h, type, &v, sizeof(v));
		} else if (type == SQLITE_NULL) {
			h = hash_value(h, type, NULL, 0);
			continue;
		} else {
			const void *v = type == SQLITE_BLOB ? sqlite3_value_blob(col) : sqlite3_value_text(col);
			h = hash_value(h, type, v, (size_t)sqlite3_value_bytes(col));
		}
		kept = h; /* NULLs after the last value do not count (store.h: hash_rows) */
	}
	return kept;
}

static uint64_t hash_text(uint64_t h, const char *text, size_t len)
{
	return hash_value(h, SQLITE_TEXT, text, len);
}

/* hash_columns' hash of the row insert just wrote, from what it bound (w->hash_slots says where each value is). */
static uint64_t hash_inserted(const struct crm_store_writer *w, const struct crm_store_row *row, const char *uuid)
{
	uint64_t h = 0, kept = 0;
	size_t i;

	for (i = 0; i < w->hash_slot_count; i++) {
		const struct hash_slot *slot = &w->hash_slots[i];
		const struct crm_bound *b = &w->bound[slot->column];
		switch (slot->from) {
		case FROM_NULL:
			h = hash_value(h, SQLITE_NULL, NULL, 0);
			continue;
		case FROM_SOURCE_SYSTEM:
			h = hash_text(h, w->spec->source_system, strlen(w->spec->source_system));
			break;
		case FROM_SOURCE_ID:
			h = hash_text(h, row->source_id, row->source_id_len);
			break;
		case FROM_CUSTOMER_ID:
			h = hash_text(h, uuid, 36);
			break;
		case FROM_LOAD_TIME:
			h = hash_text(h, row->load_time, strlen(row->load_time));
			break;
		case FROM_COLUMN:
			if (b->kind == CRM_BOUND_INT)
				h = hash_value(h, SQLITE_INTEGER, &b->number, sizeof(b->number));
			else if (b->kind == CRM_BOUND_TEXT)
				h = hash_text(h, b->text, b->len);
			else {
				h = hash_value(h, SQLITE_NULL, NULL, 0);
				continue;
			}
			break;
		}
		kept = h;
	}
	return kept;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, struct crm_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(db, err, what);
	return 0;
}

static int sqlite_insert(struct crm_store_writer *w, const struct crm_store_row *row, int64_t *id, uint64_t *row_hash,
			 struct crm_error *err)
{
	sqlite3 *db = w->store->db;
	sqlite3_stmt *st = w->insert;
	int idx = 1, rc;
	char uuid[37];

	sqlite3_bind_text(st, idx++, w->spec->source_system, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, idx++, row->source_id, (int)row->source_id_len, SQLITE_STATIC);
	if (w->shape.has_customer_id) {
		crm_store_new_uuid(uuid);
		sqlite3_bind_text(st, idx++, uuid, 36, SQLITE_TRANSIENT);
	}
	idx = bind_columns(w, st, idx, row);
	if (!w->shape.created_mapped)
		sqlite3_bind_text(st, idx++, row->load_time, -1, SQLITE_STATIC);
	if (!w->shape.updated_mapped)
		sqlite3_bind_text(st, idx++, row->load_time, -1, SQLITE_STATIC);
	if (step_done(db, st, err, "insert"))
		return err->code;
	*row_hash = 0;
	if (sqlite3_changes(db) == 1) {
		*id = sqlite3_last_insert_rowid(db);
		if (w->hash_slots)
			*row_hash = hash_inserted(w, row, uuid);
		return 1;
	}
	/* the row was there already (loaded before the state database knew it) */
	st = w->find;
	sqlite3_bind_text(st, 1, w->spec->source_system, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->source_id, (int)row->source_id_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, err, "insert conflict without a row");
	return 0;
}

static int sqlite_update(struct crm_store_writer *w, int64_t id, const struct crm_store_row *row, uint64_t *row_hash,
			 struct crm_error *err)
{
	sqlite3_stmt *st = w->update;
	int idx = 1;

	*row_hash = 0; /* read back when needed: in process, a read costs no more */

	idx = bind_columns(w, st, idx, row);
	if (!w->shape.updated_mapped)
		sqlite3_bind_text(st, idx++, row->load_time, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, idx, id);
	return step_done(w->store->db, st, err, "update");
}

static int sqlite_row_hash(struct crm_store_writer *w, int64_t id, uint64_t *hash, struct crm_error *err)
{
	sqlite3_stmt *st = w->hash;
	int rc;

	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*hash = rc == SQLITE_ROW ? hash_columns(st, 2) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(w->store->db, err, "row hash");
}

/* The integer the query sql gives, its one parameter param (none when NULL). */
static int query_int64(sqlite3 *db, const char *sql, const char *param, int64_t *value, struct crm_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "count");
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_error(db, err, "count");
}

/*
 * Rows of table (with source_system, unless NULL; -1 without the table)
 * and, when max_id is not NULL, its highest id. Two queries: count(*)
 * alone reads the smallest index, where with max(id) beside it SQLite
 * reads the whole table (0.35 s of a 2.2 s sync at 1M contacts).
 */
static int count_rows(struct sqlite_store *s, const char *table, const char *source_system, int64_t *count,
		      int64_t *max_id, struct crm_error *err)
{
	char sql[256];
	int rc = has_column(s->db, "main", table, "id", err);

	if (rc < 0) {
		*count = -1;
		return err->code;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM main.\"%s\"%s", table,
		 source_system ? " WHERE source_system = ?" : "");
	if (query_int64(s->db, sql, source_system, count, err) || !max_id)
		return err->code;
	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM main.\"%s\"", table);
	return query_int64(s->db, sql, NULL, max_id, err);
}

static int sqlite_scan(struct crm_store *base, const struct crm_table_spec *spec, crm_store_row_fn fn, void *ctx,
		       struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	struct crm_value *values = crm_calloc(spec->count ? spec->count : 1, sizeof(*values));
	char(*numbers)[24] = crm_calloc(spec->count ? spec->count : 1, sizeof(*numbers));
	struct crm_buf sql;
	sqlite3_stmt *st = NULL;
	int64_t total, ours;
	size_t i;
	int rc;

	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	if (!values || !numbers) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	crm_buf_addstr(&sql, "SELECT source_id", err);
	for (i = 0; i < spec->count; i++)
		crm_buf_addf(&sql, err, ", \"%s\"", spec->columns[i].name);
	if (count_rows(s, spec->table, NULL, &total, NULL, err) ||
	    count_rows(s, spec->table, spec->source_system, &ours, NULL, err))
		goto out;
	/*
	 * The unique key's index would give the rows in source id order, a
	 * random table page for each: when the source's rows are a good part
	 * of the table, reading it in order and skipping the others costs less.
	 */
	crm_buf_addf(&sql, err, " FROM \"%s\"%s WHERE source_system = ?", spec->table,
		     ours * 4 >= total ? " NOT INDEXED" : "");
	if (err->code)
		goto out;
	if (sqlite3_prepare_v2(s->db, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		db_error(s->db, err, "scan");
		goto out;
	}
	sqlite3_bind_text(st, 1, spec->source_system, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < spec->count; i++) {
			sqlite3_value *col = sqlite3_column_value(st, (int)i + 1);
			if (sqlite3_value_type(col) == SQLITE_INTEGER) {
				/* integers, booleans and references read back as the decimal text the mapping wrote */
				values[i].id = sqlite3_value_int64(col);
				values[i].ptr = numbers[i];
				values[i].len = crm_store_decimal(numbers[i], values[i].id);
			} else {
				values[i].ptr = (const char *)sqlite3_value_text(col);
				values[i].len = (size_t)sqlite3_value_bytes(col);
				values[i].id = 0;
			}
		}
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0), values, err))
			goto out;
	}
	if (rc != SQLITE_DONE)
		db_error(s->db, err, "scan");
out:
	sqlite3_finalize(st);
	crm_buf_release(&sql);
	crm_free(values);
	crm_free(numbers);
	return err->code;
}

/*
 * Runs sql (one parameter: a row id) once per id; present[i], when present
 * is non-NULL, says whether it yielded a row.
 */
static int step_each_id(sqlite3 *db, const char *sql, const int64_t *ids, size_t n, uint8_t *present, const char *what,
			struct crm_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, what);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			db_error(db, err, what);
			break;
		}
		if (present)
			present[i] = rc == SQLITE_ROW;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err->code;
}

static int sqlite_has_rows(struct crm_store *base, const char *table, const int64_t *ids, size_t n, uint8_t *present,
			   struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[256];
	int own = sqlite3_get_autocommit(s->db);

	/* point lookups in id order walk the table's B-tree forward, each page read once */
	snprintf(sql, sizeof(sql), "SELECT 1 FROM main.\"%s\" WHERE id = ?", table);
	/* one read transaction: otherwise each lookup takes and drops the file lock */
	if (own && exec(s->db, "BEGIN", err))
		return err->code;
	step_each_id(s->db, sql, ids, n, present, "parent rows", err);
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL); /* nothing was written */
	return err->code;
}

static int sqlite_hash_rows(struct crm_store *base, const char *table, int64_t above, crm_store_hash_fn fn, void *ctx,
			    struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[256];
	sqlite3_stmt *st;
	int rc = has_column(s->db, "main", table, "id", err);

	if (rc <= 0)
		return err->code; /* a table not created yet has no rows */
	/* id first, then every column in table order; a range of the rowid B-tree, read forward */
	snprintf(sql, sizeof(sql), "SELECT id, * FROM main.\"%s\" WHERE id > ? ORDER BY id", table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s->db, err, "row hashes");
	sqlite3_bind_int64(st, 1, above);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(st, 0), hash_columns(st, 2), err)) {
			sqlite3_finalize(st);
			return err->code;
		}
	}
	if (rc != SQLITE_DONE)
		db_error(s->db, err, "row hashes");
	sqlite3_finalize(st);
	return err->code;
}

static int sqlite_hash_ids(struct crm_store *base, const char *table, const int64_t *ids, size_t n,
			   crm_store_hash_fn fn, void *ctx, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[256];
	sqlite3_stmt *st;
	size_t i;
	int rc = has_column(s->db, "main", table, "id", err);

	if (rc <= 0)
		return err->code;
	snprintf(sql, sizeof(sql), "SELECT id, * FROM main.\"%s\" WHERE id = ?", table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s->db, err, "row hashes");
	for (i = 0; i < n && !err->code; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			fn(ctx, ids[i], hash_columns(st, 2), err);
		else if (rc != SQLITE_DONE)
			db_error(s->db, err, "row hashes");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err->code;
}

/* The columns of st's row from from on as a JSON object into out (backend.h: crm_store_json_row). */
static int row_json_text(sqlite3_stmt *st, int from, struct crm_buf *out, struct crm_error *err)
{
	int i, n = sqlite3_column_count(st);
	struct crm_json_column *cols = crm_calloc(n > from ? (size_t)(n - from) : 1, sizeof(*cols));
	size_t k = 0;

	if (!cols)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = from; i < n; i++, k++) {
		struct crm_json_column *c = &cols[k];
		c->name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			c->kind = CRM_JSON_NULL;
			break;
		case SQLITE_INTEGER:
			c->kind = CRM_JSON_INTEGER;
			c->integer = sqlite3_column_int64(st, i);
			break;
		case SQLITE_FLOAT:
			c->kind = CRM_JSON_REAL;
			c->real = sqlite3_column_double(st, i);
			break;
		default:
			c->kind = CRM_JSON_TEXT;
			c->text = (const char *)sqlite3_column_text(st, i);
			c->len = (size_t)sqlite3_column_bytes(st, i);
			if (!c->text)
				c->text = "";
		}
	}
	crm_store_json_row(cols, k, out, err);
	crm_free(cols);
	return err->code;
}

static int sqlite_fetch(struct crm_store_writer *w, int64_t id, struct crm_buf *out, struct crm_error *err)
{
	sqlite3_stmt *st = w->fetch;
	int rc;

	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 0;
		return db_error(w->store->db, err, "fetch");
	}
	rc = row_json_text(st, 0, out, err);
	sqlite3_reset(st);
	return rc ? rc : 1;
}

static int sqlite_row_json(struct crm_store *base, const char *table, int64_t id, struct crm_buf *out,
			   struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[256];
	sqlite3_stmt *st = s->row_json;
	int rc;

	if (!st || strcmp(s->row_json_table, table) != 0) {
		sqlite3_finalize(st);
		s->row_json = NULL;
		snprintf(sql, sizeof(sql), "SELECT * FROM main.\"%s\" WHERE id = ?", table);
		if (strlen(table) >= sizeof(s->row_json_table) ||
		    sqlite3_prepare_v2(s->db, sql, -1, &s->row_json, NULL) != SQLITE_OK)
			return db_error(s->db, err, "read row");
		snprintf(s->row_json_table, sizeof(s->row_json_table), "%s", table);
		st = s->row_json;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : db_error(s->db, err, "read row");
	}
	rc = row_json_text(st, 0, out, err);
	sqlite3_reset(st);
	return rc ? rc : 1;
}

static int sqlite_empty_table(struct crm_store *base, const char *table, int64_t *deleted, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[256];

	/* no WHERE: SQLite frees the table's pages whole (its truncate optimization), and counts the rows */
	snprintf(sql, sizeof(sql), "DELETE FROM main.\"%s\"", table);
	*deleted = 0;
	if (exec(s->db, sql, err))
		return err->code;
	*deleted = sqlite3_changes64(s->db);
	return 0;
}

static int sqlite_remove_rows(struct crm_store *base, const char *table, const int64_t *ids, size_t n,
			      struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[256];

	snprintf(sql, sizeof(sql), "DELETE FROM main.\"%s\" WHERE id = ?", table);
	return step_each_id(s->db, sql, ids, n, NULL, "delete", err);
}

static int sqlite_restore_row(struct crm_store *base, const char *table, int64_t id, const char *pre_image,
			      struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	json_error_t jerr;
	json_t *obj = json_loads(pre_image, 0, &jerr);
	void *it;
	struct crm_buf sql;
	sqlite3_stmt *st = NULL;
	int idx = 1, whole;

	if (!json_is_object(obj)) {
		json_decref(obj);
		return crm_error_set(err, CRM_EINTERNAL, "the ledger's pre-image of %s row %lld is not a JSON object",
				     table, (long long)id);
	}
	whole = json_object_get(obj, "id") != NULL;
	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	crm_restore_sql(table, obj, &sql, err);
	if (err->code || sqlite3_prepare_v2(s->db, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		if (!err->code)
			db_error(s->db, err, "restore");
		goto out;
	}
	idx = 1;
	/* each value back in its storage class: the row then hashes as it did */
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		json_t *v = json_object_iter_value(it);
		if (json_is_integer(v))
			sqlite3_bind_int64(st, idx, json_integer_value(v));
		else if (json_is_real(v))
			sqlite3_bind_double(st, idx, json_real_value(v));
		else if (json_is_string(v))
			sqlite3_bind_text(st, idx, json_string_value(v), (int)json_string_length(v), SQLITE_STATIC);
		else
			sqlite3_bind_null(st, idx);
		idx++;
	}
	if (!whole)
		sqlite3_bind_int64(st, idx, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		db_error(s->db, err, "restore");
out:
	sqlite3_finalize(st);
	crm_buf_release(&sql);
	json_decref(obj);
	return err->code;
}

static int sqlite_cache_limit(struct crm_store *base, size_t bytes, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	char sql[160], size[24];

	if (bytes)
		snprintf(size, sizeof(size), "-%ld", (long)(bytes / 1024));
	else
		snprintf(size, sizeof(size), "%s", PAGE_CACHE);
	snprintf(sql, sizeof(sql), "PRAGMA main.cache_size = %s", size);
	if (exec(s->db, sql, err))
		return err->code;
	if (!s->state_attached)
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA crmshift.cache_size = %s", size);
	return exec(s->db, sql, err);
}

static int sqlite_count(struct crm_store *base, const char *table, int64_t *count, struct crm_error *err)
{
	return count_rows((struct sqlite_store *)base, table, NULL, count, NULL, err);
}

static int sqlite_extent(struct crm_store *base, const char *table, int64_t *rows, int64_t *max_id,
			 struct crm_error *err)
{
	*max_id = 0;
	if (count_rows((struct sqlite_store *)base, table, NULL, rows, max_id, err))
		return err->code;
	if (*rows < 0)
		*rows = 0; /* a table not created yet */
	return 0;
}

static int sqlite_identity(struct crm_store *base, char out[CRM_STORE_IDENTITY_LEN], int create, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	/* a target without the table (new, or written by something else) fails to prepare: it has no identity */
	if (sqlite3_prepare_v2(s->db, "SELECT identity FROM main.crmshift_identity", -1, &st, NULL) == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			snprintf(out, CRM_STORE_IDENTITY_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc != SQLITE_DONE)
			return db_error(s->db, err, "target identity");
	}
	if (!create)
		return 0;
	crm_store_new_uuid(out);
	if (sqlite3_exec(s->db,
			 "CREATE TABLE IF NOT EXISTS main.crmshift_identity (id INTEGER PRIMARY KEY, identity TEXT NOT "
			 "NULL)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO main.crmshift_identity (identity) VALUES (?)", -1, &st, NULL) !=
		    SQLITE_OK)
		return db_error(s->db, err, "target identity");
	sqlite3_bind_text(st, 1, out, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 1 : db_error(s->db, err, "target identity");
}

static int sqlite_count_source(struct crm_store *base, const char *table, const char *source_system, int64_t *count,
			       struct crm_error *err)
{
	return count_rows((struct sqlite_store *)base, table, source_system, count, NULL, err);
}

static int sqlite_state_open(struct crm_store *base, const char *state_path, int create, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *attach;
	int rc;

	if (!create && access(state_path, F_OK) != 0)
		return 1;
	/* the state names customers' source ids: only the owner may read it */
	if (crm_file_create_private(state_path, err))
		return err->code;
	if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ? AS crmshift", -1, &attach, NULL) != SQLITE_OK)
		return db_error(s->db, err, "attach the state");
	sqlite3_bind_text(attach, 1, state_path, -1, SQLITE_STATIC);
	rc = sqlite3_step(attach);
	sqlite3_finalize(attach);
	if (rc != SQLITE_DONE)
		return crm_error_set(err, CRM_EIO, "cannot attach state database '%s': %s", state_path,
				     sqlite3_errmsg(s->db));
	s->state_attached = 1;
	/*
	 * Pages of 4 KiB (as the target's): a sync's and a load's xref
	 * writes land at random places, and each rewrites, and journals, a
	 * whole page. 1M contacts: first load 13.2 s -> 11.7 s, a sync of 12k
	 * of them 1.15 s -> 1.02 s. Set when the file is created; an older
	 * state keeps its pages.
	 */
	return exec(s->db,
		    "PRAGMA crmshift.page_size = 4096; PRAGMA crmshift.journal_mode = DELETE; PRAGMA "
		    "crmshift.synchronous = NORMAL; PRAGMA crmshift.cache_size = " PAGE_CACHE,
		    err);
}

static int sqlite_column_exists(struct crm_store *base, const char *schema, const char *table, const char *column,
				struct crm_error *err)
{
	int rc = has_column(((struct sqlite_store *)base)->db, schema, table, column, err);

	if (rc < 0)
		return err->code ? err->code : 0; /* no such table */
	return rc;
}

static int sqlite_exec(struct crm_store *base, const char *sql, struct crm_error *err)
{
	return exec(((struct sqlite_store *)base)->db, sql, err);
}

struct sqlite_stmt {
	struct crm_store_stmt base;
	sqlite3_stmt *st;
};

static struct crm_store_stmt *sqlite_stmt_prepare(struct crm_store *base, const char *sql, struct crm_error *err)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	struct sqlite_stmt *stmt = crm_calloc(1, sizeof(*stmt));

	if (!stmt) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt->st, NULL) != SQLITE_OK) {
		db_error(s->db, err, "prepare");
		crm_free(stmt);
		return NULL;
	}
	stmt->base.store = base;
	return &stmt->base;
}

static void sqlite_stmt_bind_int64(struct crm_store_stmt *base, int index, int64_t value)
{
	sqlite3_bind_int64(((struct sqlite_stmt *)base)->st, index, value);
}

static void sqlite_stmt_bind_double(struct crm_store_stmt *base, int index, double value)
{
	sqlite3_bind_double(((struct sqlite_stmt *)base)->st, index, value);
}

static void sqlite_stmt_bind_text(struct crm_store_stmt *base, int index, const char *text, size_t len)
{
	sqlite3_stmt *st = ((struct sqlite_stmt *)base)->st;

	if (text)
		sqlite3_bind_text(st, index, text, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, index);
}

static int sqlite_stmt_step(struct crm_store_stmt *base, struct crm_error *err)
{
	sqlite3_stmt *st = ((struct sqlite_stmt *)base)->st;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return crm_error_set(err, CRM_EIO, "state database: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
}

static int64_t sqlite_stmt_int64(struct crm_store_stmt *base, int col)
{
	return sqlite3_column_int64(((struct sqlite_stmt *)base)->st, col);
}

static double sqlite_stmt_double(struct crm_store_stmt *base, int col)
{
	return sqlite3_column_double(((struct sqlite_stmt *)base)->st, col);
}

static const char *sqlite_stmt_text(struct crm_store_stmt *base, int col, size_t *len)
{
	sqlite3_stmt *st = ((struct sqlite_stmt *)base)->st;
	const char *text = (const char *)sqlite3_column_text(st, col);

	*len = text ? (size_t)sqlite3_column_bytes(st, col) : 0;
	return text;
}

static void sqlite_stmt_reset(struct crm_store_stmt *base)
{
	sqlite3_stmt *st = ((struct sqlite_stmt *)base)->st;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void sqlite_stmt_finalize(struct crm_store_stmt *base)
{
	sqlite3_finalize(((struct sqlite_stmt *)base)->st);
	crm_free(base);
}

static void sqlite_close(struct crm_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	if (!s)
		return;
	sqlite3_finalize(s->row_json);
	if (s->state_attached)
		sqlite3_exec(s->db, "DETACH DATABASE crmshift", NULL, NULL, NULL);
	sqlite3_close_v2(s->db);
	crm_free(s);
}

static const struct crm_store_ops sqlite_ops = {
	.name = "sqlite",
	.ensure_table = sqlite_ensure_table,
	.source_index = sqlite_source_index,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.begin_snapshot = sqlite_begin_snapshot,
	.writer_open = sqlite_writer_open,
	.writer_close = sqlite_writer_close,
	.insert = sqlite_insert,
	.update = sqlite_update,
	.row_hash = sqlite_row_hash,
	.fetch = sqlite_fetch,
	.scan = sqlite_scan,
	.has_rows = sqlite_has_rows,
	.hash_rows = sqlite_hash_rows,
	.hash_ids = sqlite_hash_ids,
	.row_json = sqlite_row_json,
	.empty_table = sqlite_empty_table,
	.remove_rows = sqlite_remove_rows,
	.restore_row = sqlite_restore_row,
	.cache_limit = sqlite_cache_limit,
	.count = sqlite_count,
	.extent = sqlite_extent,
	.count_source = sqlite_count_source,
	.identity = sqlite_identity,
	.state_open = sqlite_state_open,
	.column_exists = sqlite_column_exists,
	.serial_key = "INTEGER PRIMARY KEY",
	.keyed_table_suffix = " WITHOUT ROWID",
	.text_bytes = "TEXT",
	.exec = sqlite_exec,
	.stmt_prepare = sqlite_stmt_prepare,
	.stmt_bind_int64 = sqlite_stmt_bind_int64,
	.stmt_bind_double = sqlite_stmt_bind_double,
	.stmt_bind_text = sqlite_stmt_bind_text,
	.stmt_step = sqlite_stmt_step,
	.stmt_int64 = sqlite_stmt_int64,
	.stmt_double = sqlite_stmt_double,
	.stmt_text = sqlite_stmt_text,
	.stmt_reset = sqlite_stmt_reset,
	.stmt_finalize = sqlite_stmt_finalize,
	.close = sqlite_close,
};

struct crm_store *crm_sqlite_store_open(const char *path, int create, struct crm_error *err)
{
	struct sqlite_store *s = crm_calloc(1, sizeof(*s));

	if (!s) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &sqlite_ops;
	if (!create && access(path, F_OK) != 0)
		path = ":memory:";
	/* the target holds customers' records: a new one is created for its owner only */
	if (strcmp(path, ":memory:") != 0 && crm_file_create_private(path, err)) {
		crm_free(s);
		return NULL;
	}
	/*
	 * No mutex: one thread uses the connection at a time (the store's
	 * contract). Rows are read through sqlite3_column_value, whose values
	 * differ from sqlite3_column_*'s only by the mutex they would hold.
	 */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    crm_sqlite_vfs_name()) != SQLITE_OK) {
		crm_error_set(err, CRM_EIO, "cannot open target database '%s': %s", path,
			      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close_v2(s->db);
		crm_free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 10000);
	/*
	 * Rollback journal (not WAL): commits spanning the attached state
	 * database are atomic. 4 KiB pages: a sync's updates land on random
	 * pages, each journaled and written whole (12k of 1M contacts wrote
	 * 345 MB of target and journal with 16 KiB pages; 0.98 s -> 0.70 s),
	 * and a first load, which now defers its indexes, takes as long
	 * (9.1 s either way at 1.8M rows). An existing target keeps its pages.
	 * Sorts (a deferred index's build, the xref made from the ledger) take
	 * a second thread: the other core is idle then. The 1M contacts' xref
	 * and index: 1.56 s -> 1.28 s.
	 */
	if (exec(s->db,
		 "PRAGMA page_size = 4096; PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL; PRAGMA threads = "
		 "2; PRAGMA cache_size = " PAGE_CACHE,
		 err)) {
		sqlite3_close_v2(s->db);
		crm_free(s);
		return NULL;
	}
	return &s->base;
}
