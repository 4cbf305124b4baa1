/*
 * store.h: the target store interface. A store holds the canonical model
 * (model/schema.h) and is reached through a table of function pointers, so
 * the engine never knows which backend it writes to (curl's vtls/ pattern).
 * SQLite (sqlite.c) is the embedded default; PostgreSQL (postgres.c) the
 * production target.
 *
 * Writing goes through a writer: a table plus a fixed list of columns, for
 * which the backend prepares its statements once. Every row also carries the
 * bookkeeping columns: source_system and source_id (unique together: the
 * upsert key), created_at and updated_at (mapped, or the load time), and for
 * contacts and leads an immutable customer_id set at first insert.
 */
#ifndef CRM_STORE_H
#define CRM_STORE_H

#include "compat.h"
#include "model/schema.h"
#include "transform/program.h"
#include "util/buf.h"
#include "util/error.h"

struct crm_store;
struct crm_store_writer;

/*
 * A statement of crmshift's own tables (state/state.h) on the store's
 * connection, so that a batch, its xref, ledger and checkpoint commit in
 * the store's one transaction. SQL in what every backend speaks: tables
 * named crmshift.<name>, parameters $1..$n numbered in order of first use,
 * INSERT ... ON CONFLICT ... DO UPDATE, RETURNING; booleans written as
 * CASE ... THEN 1 ELSE 0 END. Owned by the store that prepared it:
 * finalize every one before the store closes.
 */
struct crm_store_stmt {
	struct crm_store *store;
};

struct crm_store_column {
	const char *name;
	enum crm_type type;
};

/* A table and the columns a writer fills, besides the bookkeeping ones. */
struct crm_table_spec {
	const char *table;
	const char *source_system;
	const struct crm_store_column *columns;
	size_t count;
	/*
	 * A first load into this table: when it is empty, ensure_table leaves
	 * out its source index (ops->source_index), whose random inserts cost
	 * a load more than building it whole afterwards. CRM_DEFER_RESUMED:
	 * left out whatever the table holds (the caller knows its rows are that
	 * load's, from a try a kill stopped).
	 */
	int defer_source_index;
};
enum { CRM_DEFER_WHEN_EMPTY = 1, CRM_DEFER_RESUMED = 2 };

struct crm_store_row {
	const char *source_id;
	size_t source_id_len;
	const struct crm_value *values; /* one per spec column; REF columns take value.id */
	const char *load_time;		/* ISO 8601 UTC, for created_at/updated_at when not mapped */
};

/*
 * A row read back for reconciliation: its source id and the spec's columns
 * as text (integers, booleans and references in decimal; NULL as length 0).
 * Borrowed for the duration of the callback.
 */
typedef int (*crm_store_row_fn)(void *ctx, const char *source_id, size_t source_id_len, const struct crm_value *values,
				struct crm_error *err);

/* A value of append_rows: SQL NULL when null is set, else len bytes of text, or the number when text is NULL. */
struct crm_store_field {
	const char *text;
	size_t len;
	int64_t number;
	int null;
};

/* A row's id and hash (hash_rows, hash_ids); non-zero with err set stops the walk. */
typedef int (*crm_store_hash_fn)(void *ctx, int64_t id, uint64_t hash, struct crm_error *err);

#define CRM_STORE_IDENTITY_LEN 37 /* a UUID and its NUL */

struct crm_store_ops {
	const char *name;
	/* Each statement is a round trip to a server: the engine reads ahead and writes in sets. */
	int remote;
	/*
	 * Creates the table (canonical columns for a core table) and any
	 * missing spec column, and its source index unless spec says to defer
	 * it and the table is empty.
	 */
	int (*ensure_table)(struct crm_store *store, const struct crm_table_spec *spec, struct crm_error *err);
	/*
	 * The unique index on a table's (source_system, source_id), which
	 * turns a second row of one source id away and finds a row by its id.
	 * build 0: 1 when the table has it, 0 when not (a deferred first
	 * load's table until it is built); build 1: builds it when missing, 0.
	 * Without it a writer inserts without a conflict clause: the caller
	 * turns repeated ids away itself. NULL: the backend's tables always
	 * have it.
	 */
	int (*source_index)(struct crm_store *store, const char *table, int build, struct crm_error *err);
	int (*begin)(struct crm_store *store, struct crm_error *err);
	int (*commit)(struct crm_store *store, struct crm_error *err);
	int (*rollback)(struct crm_store *store, struct crm_error *err);
	/*
	 * On a second store of the same target: begins a read-only
	 * transaction that sees the target as it is now (every table at that
	 * one instant, whatever other sessions commit later) and holds the
	 * definitions of those of tables that exist: an ALTER, DROP or
	 * TRUNCATE of one waits until rollback ends it. The writer's open
	 * transaction goes on beside it. Its commit may have to wait until
	 * rollback ends this one (SQLite: one writer's file, whose commit
	 * waits for its readers; PostgreSQL: only the rows' definitions are
	 * held), so the caller ends it first.
	 */
	int (*begin_snapshot)(struct crm_store *store, const char *const *tables, size_t count, struct crm_error *err);
	/* The writer retains spec and its columns (they must outlive it). */
	struct crm_store_writer *(*writer_open)(struct crm_store *store, const struct crm_table_spec *spec,
						struct crm_error *err);
	void (*writer_close)(struct crm_store_writer *writer);
	/*
	 * Inserts row unless (source_system, source_id) exists. Returns 1 and the
	 * new id when inserted, 0 and the existing row's id when it was there.
	 * *row_hash: the new row's hash_rows hash, when the store can tell it
	 * from what it bound (SQLite, in a table whose column types keep every
	 * value as bound), else 0: read it back with row_hash if needed.
	 */
	int (*insert)(struct crm_store_writer *writer, const struct crm_store_row *row, int64_t *id, uint64_t *row_hash,
		      struct crm_error *err);
	/*
	 * Set-based inserts, where a statement per row costs a round trip to
	 * a server (NULL on SQLite, whose insert is as fast in process).
	 * queue_insert copies row (a store may send it on already, into a
	 * table without its source index, where nothing can turn it away);
	 * it returns 1 when the queue is big enough to flush now (memory
	 * stays bounded), else 0. Rows queued must be flushed before the
	 * transaction commits (a commit before is refused); a rollback
	 * empties the queue. flush_inserts inserts every row queued since the last flush, in
	 * queue order, as insert would one by one, and sets ids[i] to the
	 * i-th row's new id, or to 0 when its (source_system, source_id) was
	 * there already (an earlier row of the same flush included): the
	 * caller settles those with insert. hashes[i] is the i-th row's hash
	 * as row_hash would read it, when the store can tell it from what it
	 * sent, else 0 (read it back if needed). ids and hashes have a slot
	 * per queued row. After an error the queue is empty and the
	 * transaction must be rolled back.
	 */
	int (*queue_insert)(struct crm_store_writer *writer, const struct crm_store_row *row, struct crm_error *err);
	int (*flush_inserts)(struct crm_store_writer *writer, int64_t *ids, uint64_t *hashes, struct crm_error *err);
	/*
	 * Sets the writer's columns (and updated_at unless mapped) of row id;
	 * *row_hash is the row's hash as written, as row_hash would read it,
	 * or 0 when the backend cannot tell it without reading the row.
	 */
	int (*update)(struct crm_store_writer *writer, int64_t id, const struct crm_store_row *row, uint64_t *row_hash,
		      struct crm_error *err);
	/*
	 * Set-based updates, as the inserts above: queue_update copies row
	 * for row id (1: flush now, else 0); flush_updates sets every queued
	 * row's columns as update would one by one, in queue order (the last
	 * row queued for an id wins). hashes, unless NULL, has a slot per
	 * queued row: its id's row as written, as row_hash would read it (0
	 * when the row is gone).
	 */
	int (*queue_update)(struct crm_store_writer *writer, int64_t id, const struct crm_store_row *row,
			    struct crm_error *err);
	int (*flush_updates)(struct crm_store_writer *writer, uint64_t *hashes, struct crm_error *err);
	/*
	 * The hash_rows hash of row id as it is now: 1, or 0 when absent. (Not
	 * returned by update, nor read by insert: SQLite's RETURNING made a
	 * first load 2.5x slower.)
	 */
	int (*row_hash)(struct crm_store_writer *writer, int64_t id, uint64_t *hash, struct crm_error *err);
	/* The writer's columns of row id as a JSON object into out (the pre-image): 1, or 0 when absent. */
	int (*fetch)(struct crm_store_writer *writer, int64_t id, struct crm_buf *out, struct crm_error *err);
	/*
	 * Reads rows ids of table (a batch's) in one statement, where each
	 * statement is a round trip to a server (NULL on SQLite). Until the
	 * next read_ahead (or a rollback), row_hash, fetch and row_json of
	 * those rows answer from memory without one; a row written through
	 * the store since (update, flush_updates, remove_rows, restore_row,
	 * empty_table) is read from the table again, as is an id not found.
	 */
	int (*read_ahead)(struct crm_store *store, const char *table, const int64_t *ids, size_t n,
			  struct crm_error *err);
	/*
	 * Calls fn for every row of spec's table that carries spec's
	 * source_system, in no particular order. Integer columns come as
	 * decimal text with .id set to the number (a reference's parent id);
	 * other values have .id 0.
	 */
	int (*scan)(struct crm_store *store, const struct crm_table_spec *spec, crm_store_row_fn fn, void *ctx,
		    struct crm_error *err);
	/* present[i] = 1 when table holds a row whose id is ids[i], else 0; ids ascending. */
	int (*has_rows)(struct crm_store *store, const char *table, const int64_t *ids, size_t n, uint8_t *present,
			struct crm_error *err);
	/*
	 * Calls fn for every row of table whose id is above `above` (INT64_MIN:
	 * all), in id order, with a 64-bit hash of all its columns but id
	 * (storage class and bytes of each): two rows hash alike only when
	 * every value is the same, as the store holds it. NULLs after a row's
	 * last value do not count: a column added to the table (a later run's
	 * custom field, NULL in every row until written) leaves every hash as
	 * the runs before it took it. A table not created yet has no rows.
	 */
	int (*hash_rows)(struct crm_store *store, const char *table, int64_t above, crm_store_hash_fn fn, void *ctx,
			 struct crm_error *err);
	/* The same for the rows whose ids are listed (ascending): fn for each one present, in id order. */
	int (*hash_ids)(struct crm_store *store, const char *table, const int64_t *ids, size_t n, crm_store_hash_fn fn,
			void *ctx, struct crm_error *err);
	/* Every column of row id as a JSON object into out: 1, or 0 when absent. */
	int (*row_json)(struct crm_store *store, const char *table, int64_t id, struct crm_buf *out,
			struct crm_error *err);
	/*
	 * Deletes every row of table (*deleted of them): the rollback of a run into a table that
	 * was empty before it, which SQLite does by freeing the table's pages
	 * instead of rewriting them a row at a time (with secure_delete, as
	 * Debian builds it, the freed pages are zeroed: deleted records do not
	 * stay in the file).
	 */
	int (*empty_table)(struct crm_store *store, const char *table, int64_t *deleted, struct crm_error *err);
	/* Deletes the rows whose ids are listed, in any order (absent ones are no error). */
	int (*remove_rows)(struct crm_store *store, const char *table, const int64_t *ids, size_t n,
			   struct crm_error *err);
	/*
	 * Sets the columns a pre-image (a fetch's JSON object) names back on row
	 * id; a pre-image with an "id" (row_json's, of a deleted row) is
	 * inserted whole.
	 */
	int (*restore_row)(struct crm_store *store, const char *table, int64_t id, const char *pre_image,
			   struct crm_error *err);
	/*
	 * restore_row of n rows of table (distinct ids), as n calls would do it,
	 * where each statement is a round trip to a server. NULL: row by row
	 * costs nothing more (SQLite, in process).
	 */
	int (*restore_rows)(struct crm_store *store, const char *table, const int64_t *ids,
			    const char *const *pre_images, size_t n, struct crm_error *err);
	/*
	 * 1 when a foreign key the store enforces names table, as the table
	 * that holds it or the one it points at; 0 when none does, so that
	 * rows of it and of other such tables may be restored in any order.
	 * NULL: the order must be kept.
	 */
	int (*foreign_keys)(struct crm_store *store, const char *table, struct crm_error *err);
	/*
	 * Fresh planner statistics for schema.table (schema NULL: the
	 * target's), after many rows were written: a server plans lookups of
	 * a table just loaded as scans of all of it until it knows its size.
	 * columns (a comma-separated list of names, NULL for all) limits the
	 * per-column statistics to those lookups filter on; the table's size
	 * is counted either way. changed: the rows the caller wrote since
	 * (or, not knowing, would look up); statistics that were gathered and
	 * counted ten times as many rows are kept, as a server's own
	 * autovacuum would (a delta's ANALYZE of a large table costs more
	 * than the delta). A small sample; a table another session is
	 * gathering them for (the server's autovacuum) is left to it. NULL
	 * where nothing plans that way (SQLite).
	 */
	int (*analyze)(struct crm_store *store, const char *schema, const char *table, const char *columns,
		       int64_t changed, struct crm_error *err);
	/*
	 * Appends nrows rows to crmshift.table in one set, where a statement
	 * per row costs a round trip to a server (NULL on SQLite, whose
	 * statements run in process): fields holds ncols per row, in the
	 * order of columns. The rows must be new: one whose key exists fails
	 * the whole append, and the transaction must be rolled back.
	 */
	int (*append_rows)(struct crm_store *store, const char *table, const char *const *columns, size_t ncols,
			   const struct crm_store_field *fields, size_t nrows, struct crm_error *err);
	/*
	 * Caps the page cache (main and attached state): sequential work such
	 * as reconcile needs little, and SQLite's sorts take as much memory as
	 * the main cache may. 0: back to the size the store opened with.
	 */
	int (*cache_limit)(struct crm_store *store, size_t bytes, struct crm_error *err);
	/* Rows in table (-1 when the table does not exist). */
	int (*count)(struct crm_store *store, const char *table, int64_t *count, struct crm_error *err);
	/* Rows in table and its highest id (0 and 0 when it has none or does not exist). */
	int (*extent)(struct crm_store *store, const char *table, int64_t *rows, int64_t *max_id,
		      struct crm_error *err);
	/* Rows in table that carry source_system (-1 when the table does not exist). */
	int (*count_source)(struct crm_store *store, const char *table, const char *source_system, int64_t *count,
			    struct crm_error *err);
	/*
	 * The target's identity, a UUID crmshift writes into it once, so that a
	 * project's state can tell its own target from a new or another one:
	 * 1 with out set; 0 when it has none (with create, one is made and
	 * committed first, and 1 returned).
	 */
	int (*identity)(struct crm_store *store, char out[CRM_STORE_IDENTITY_LEN], int create, struct crm_error *err);

	/*
	 * The state's home, reachable as schema crmshift: with SQLite the
	 * file at state_path (attached, created mode 0600 with create); with
	 * a server the schema crmshift of the target database (state_path
	 * unused). 0, or 1 when there is none yet and create is 0.
	 */
	int (*state_open)(struct crm_store *store, const char *state_path, int create, struct crm_error *err);
	/* 1 when schema.table has column, 0 when not (or there is no such table). */
	int (*column_exists)(struct crm_store *store, const char *schema, const char *table, const char *column,
			     struct crm_error *err);
	/*
	 * The state's DDL words that differ: an auto-numbered key column, a
	 * table suffix for keyed tables, text that compares and sorts by bytes.
	 */
	const char *serial_key;
	const char *keyed_table_suffix;
	const char *text_bytes;
	/* Runs sql (one or more statements, no parameters). */
	int (*exec)(struct crm_store *store, const char *sql, struct crm_error *err);
	struct crm_store_stmt *(*stmt_prepare)(struct crm_store *store, const char *sql, struct crm_error *err);
	/* index from 1; text and len are read when the statement steps (they must live until then); NULL text: NULL */
	void (*stmt_bind_int64)(struct crm_store_stmt *stmt, int index, int64_t value);
	void (*stmt_bind_double)(struct crm_store_stmt *stmt, int index, double value);
	void (*stmt_bind_text)(struct crm_store_stmt *stmt, int index, const char *text, size_t len);
	/* 1 with a row to read, 0 when done, or a negative CRM_E* code with err set. */
	int (*stmt_step)(struct crm_store_stmt *stmt, struct crm_error *err);
	/* Columns of the current row from 0; a NULL reads as 0, or as NULL text (len 0). */
	int64_t (*stmt_int64)(struct crm_store_stmt *stmt, int col);
	double (*stmt_double)(struct crm_store_stmt *stmt, int col);
	const char *(*stmt_text)(struct crm_store_stmt *stmt, int col, size_t *len);
	/* Ready to bind and step again from the start. */
	void (*stmt_reset)(struct crm_store_stmt *stmt);
	void (*stmt_finalize)(struct crm_store_stmt *stmt);
	void (*close)(struct crm_store *store);
};

struct crm_store {
	const struct crm_store_ops *ops;
	char *url;
};

/*
 * Opens the store a URL names: "sqlite:PATH" (relative to base_dir) or
 * "postgres://..." (a libpq URI; passwords come from libpq's own sources).
 * create: a missing SQLite file is created; without, it opens as an empty
 * database that is never written to disk (a reading command creates
 * nothing). Returns NULL with err set for an unknown scheme or a failure
 * to open.
 */
struct crm_store *crm_store_open(const char *url, const char *base_dir, int create, struct crm_error *err);
void crm_store_close(struct crm_store *store);
/*
 * A copy of the target url names and of the state, for a rehearsal that
 * must not touch the original; url_out (cap bytes) names the copy's
 * target. SQLite: the files, into/target.db and into/state.db (from
 * state_path); a target or state that does not exist yet is copied as
 * nothing. PostgreSQL: a new database on the same server made from the
 * target (the state is in it), named in a file in into first; CRM_EREFUSED
 * when other sessions are on the target or the role may not create
 * databases. Taken while no command writes (the caller holds the
 * project's lock).
 */
int crm_store_copy(const char *url, const char *base_dir, const char *state_path, const char *into, char *url_out,
		   size_t cap, struct crm_error *err);
/*
 * Removes what crm_store_copy made of url outside into: on PostgreSQL the
 * database into's file names (also after a copy that was killed midway),
 * on SQLite nothing. The folder into is the caller's to remove after.
 */
int crm_store_copy_remove(const char *url, const char *into, struct crm_error *err);

/* The statement calls, through the store's table (NULL stmt: finalize does nothing). */
struct crm_store_stmt *crm_stmt_prepare(struct crm_store *store, const char *sql, struct crm_error *err);
void crm_stmt_int64(struct crm_store_stmt *stmt, int index, int64_t value);
void crm_stmt_double(struct crm_store_stmt *stmt, int index, double value);
void crm_stmt_text(struct crm_store_stmt *stmt, int index, const char *text, size_t len);
/* A NUL-terminated text, or NULL. */
void crm_stmt_str(struct crm_store_stmt *stmt, int index, const char *text);
int crm_stmt_step(struct crm_store_stmt *stmt, struct crm_error *err);
int64_t crm_stmt_col_int64(struct crm_store_stmt *stmt, int col);
double crm_stmt_col_double(struct crm_store_stmt *stmt, int col);
const char *crm_stmt_col_text(struct crm_store_stmt *stmt, int col, size_t *len);
void crm_stmt_reset(struct crm_store_stmt *stmt);
void crm_stmt_finalize(struct crm_store_stmt *stmt);

/* The SQLite backend (sqlite.c). */
struct crm_store *crm_sqlite_store_open(const char *path, int create, struct crm_error *err);
/* The PostgreSQL backend (postgres.c): url is a libpq connection URI. */
struct crm_store *crm_postgres_store_open(const char *url, struct crm_error *err);
/* crm_store_copy and crm_store_copy_remove on PostgreSQL. */
int crm_postgres_copy(const char *url, const char *into, char *url_out, size_t cap, struct crm_error *err);
int crm_postgres_copy_remove(const char *url, const char *into, struct crm_error *err);

#endif
