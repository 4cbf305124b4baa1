/*
 * state.c: the state database on SQLite. Statements are prepared once.
 * Table names carry the schema ("state." when attached to the target's
 * connection, "main." on its own).
 */
#include "compat.h"
#include "state/state.h"
#include "util/alloc.h"
#include "util/path.h"
#include "state/xrefcache.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum stmt_id { ST_XREF_GET, ST_XREF_PUT, ST_XREF_SEEN, ST_LEDGER_ADD, ST_CP_GET, ST_CP_PUT, ST_COUNT };

struct crm_state {
	sqlite3 *db;
	int shared;
	char schema[8];
	sqlite3_stmt *stmts[ST_COUNT];
};

static int db_error(struct crm_state *st, struct crm_error *err, const char *what)
{
	return crm_error_set(err, CRM_EIO, "state database: %s: %s", what, sqlite3_errmsg(st->db));
}

static int exec(struct crm_state *st, const char *sql, struct crm_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		crm_error_set(err, CRM_EIO, "state database: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return err->code;
	}
	return 0;
}

static const char *const schema_sql =
	"CREATE TABLE IF NOT EXISTS %s.meta (key TEXT PRIMARY KEY, value TEXT);\n"
	"INSERT OR IGNORE INTO %s.meta VALUES ('schema_version', '1');\n"
	"CREATE TABLE IF NOT EXISTS %s.runs (\n"
	"  id INTEGER PRIMARY KEY, command TEXT NOT NULL, options TEXT, status TEXT NOT NULL,\n"
	"  started_at TEXT NOT NULL, finished_at TEXT, summary TEXT);\n"
	"CREATE TABLE IF NOT EXISTS %s.objects (\n"
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL, target_table TEXT NOT NULL, UNIQUE (name, target_table));\n"
	"CREATE TABLE IF NOT EXISTS %s.xref (\n"
	"  object_id INTEGER NOT NULL REFERENCES objects(id), source_id TEXT NOT NULL,\n"
	"  target_id INTEGER NOT NULL, hash INTEGER NOT NULL, seen_run INTEGER NOT NULL, write_run INTEGER NOT NULL,\n"
	"  row_hash INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (object_id, source_id)) WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS %s.ledger (\n"
	"  seq INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, object_id INTEGER NOT NULL REFERENCES objects(id),\n"
	"  target_id INTEGER NOT NULL, source_id TEXT NOT NULL, action TEXT NOT NULL, pre_image TEXT,\n"
	"  hash INTEGER NOT NULL);\n"

	"CREATE TABLE IF NOT EXISTS %s.checkpoints (\n"
	"  run_id INTEGER NOT NULL, object TEXT NOT NULL, pass1_records INTEGER NOT NULL, pass1_done INTEGER NOT "
	"NULL,\n"
	"  pass2_records INTEGER NOT NULL, pass2_done INTEGER NOT NULL, read INTEGER NOT NULL,\n"
	"  inserted INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL,\n"
	"  rejected INTEGER NOT NULL, orphaned INTEGER NOT NULL, rejects_offset INTEGER NOT NULL,\n"
	"  orphans_offset INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,\n"
	"  conflicts INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, max_modified TEXT NOT NULL "
	"DEFAULT '',\n"
	"  blanked INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY (run_id, object));\n"
	"CREATE TABLE IF NOT EXISTS %s.rollbacks (\n"
	"  run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, exported INTEGER NOT NULL,\n"
	"  next_seq INTEGER NOT NULL, finished_at TEXT);\n"
	"CREATE TABLE IF NOT EXISTS %s.watermarks (\n"
	"  name TEXT PRIMARY KEY, value TEXT NOT NULL, run_id INTEGER NOT NULL);\n"
	"CREATE TABLE IF NOT EXISTS %s.source_files (\n"
	"  seq INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, object TEXT NOT NULL, path TEXT NOT NULL,\n"
	"  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, records INTEGER,\n"
	"  taken_at TEXT NOT NULL, forced INTEGER NOT NULL);\n"
	"CREATE TABLE IF NOT EXISTS %s.source_pipeline (\n"
	"  run_id INTEGER NOT NULL, object TEXT NOT NULL, stage TEXT NOT NULL, records INTEGER NOT NULL,\n"
	"  amount REAL NOT NULL, first_close TEXT NOT NULL, last_close TEXT NOT NULL,\n"
	"  PRIMARY KEY (run_id, object, stage));\n";

/*
 * Columns added after a state database was first created (schema 1 had
 * none of them). CREATE TABLE IF NOT EXISTS leaves an old table as it was, so a
 * project migrated with an earlier crmshift gets them here.
 */
static const struct {
	const char *table, *column, *decl;
} added_columns[] = {
	{"xref", "row_hash", "INTEGER NOT NULL DEFAULT 0"},
	{"checkpoints", "deleted", "INTEGER NOT NULL DEFAULT 0"},
	{"checkpoints", "conflicts", "INTEGER NOT NULL DEFAULT 0"},
	{"checkpoints", "skipped", "INTEGER NOT NULL DEFAULT 0"},
	{"checkpoints", "max_modified", "TEXT NOT NULL DEFAULT ''"},
	{"checkpoints", "blanked", "INTEGER NOT NULL DEFAULT 0"},
};

/* Writes sql with every "%s" replaced by the schema name (not a printf format: no arguments are read). */
static void with_schema(char *dst, size_t cap, const char *sql, const char *schema)
{
	size_t o = 0, slen = strlen(schema);

	while (*sql && o + slen + 1 < cap) {
		if (sql[0] == '%' && sql[1] == 's') {
			memcpy(dst + o, schema, slen);
			o += slen;
			sql += 2;
		} else {
			dst[o++] = *sql++;
		}
	}
	dst[o] = '\0';
}

static int add_missing_columns(struct crm_state *st, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
		char sql[256];
		sqlite3_stmt *s;
		int found = 0, rc;
		snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_table_info('%s', '%s') WHERE name = '%s'",
			 added_columns[i].table, st->schema, added_columns[i].column);
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
			return db_error(st, err, "schema check");
		rc = sqlite3_step(s);
		found = rc == SQLITE_ROW;
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_error(st, err, "schema check");
		if (found)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s.%s ADD COLUMN %s %s", st->schema, added_columns[i].table,
			 added_columns[i].column, added_columns[i].decl);
		if (exec(st, sql, err))
			return err->code;
	}
	return 0;
}

static int prepare_all(struct crm_state *st, struct crm_error *err)
{
	static const char *const sql[ST_COUNT] = {
		"SELECT target_id, hash, seen_run, write_run, row_hash FROM %s.xref WHERE object_id = ? AND source_id "
		"= ?",
		"INSERT OR REPLACE INTO %s.xref (object_id, source_id, target_id, hash, seen_run, write_run, row_hash)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)",
		"UPDATE %s.xref SET seen_run = ? WHERE object_id = ? AND source_id = ?",
		"INSERT INTO %s.ledger (run_id, object_id, target_id, source_id, action, pre_image, hash)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)",
		"SELECT pass1_records, pass1_done, pass2_records, pass2_done, read, inserted, updated, unchanged,"
		" rejected, orphaned, rejects_offset, orphans_offset, deleted, conflicts, skipped, max_modified, "
		"blanked"
		" FROM %s.checkpoints"
		" WHERE run_id = ? AND object = ?",
		"INSERT OR REPLACE INTO %s.checkpoints (run_id, object, pass1_records, pass1_done, pass2_records,"
		" pass2_done, read, inserted, updated, unchanged, rejected, orphaned, rejects_offset, orphans_offset,"
		" deleted, conflicts, skipped, max_modified, blanked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, "
		"?, ?, ?, ?, ?)",
	};
	char buf[512];
	size_t i;

	for (i = 0; i < ST_COUNT; i++) {
		with_schema(buf, sizeof(buf), sql[i], st->schema);
		if (sqlite3_prepare_v3(st->db, buf, -1, SQLITE_PREPARE_PERSISTENT, &st->stmts[i], NULL) != SQLITE_OK)
			return db_error(st, err, "prepare");
	}
	return 0;
}

struct crm_state *crm_state_open(const char *path, void *shared_sqlite, struct crm_error *err)
{
	struct crm_state *st = crm_calloc(1, sizeof(*st));
	char sql[4096];

	if (!st) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	/* the state names customers' source ids: only the owner may read it */
	if (crm_file_create_private(path, err))
		goto out_free;
	if (shared_sqlite) {
		sqlite3_stmt *attach;
		st->db = shared_sqlite;
		st->shared = 1;
		memcpy(st->schema, "state", 6);
		if (sqlite3_prepare_v2(st->db, "ATTACH DATABASE ? AS state", -1, &attach, NULL) != SQLITE_OK) {
			db_error(st, err, "attach");
			goto out_free;
		}
		sqlite3_bind_text(attach, 1, path, -1, SQLITE_STATIC);
		if (sqlite3_step(attach) != SQLITE_DONE) {
			crm_error_set(err, CRM_EIO, "cannot attach state database '%s': %s", path,
				      sqlite3_errmsg(st->db));
			sqlite3_finalize(attach);
			goto out_free;
		}
		sqlite3_finalize(attach);
		if (exec(st,
			 "PRAGMA state.page_size = 16384; PRAGMA state.journal_mode = DELETE; PRAGMA state.synchronous "
			 "= NORMAL; PRAGMA "
			 "state.cache_size = -49152",
			 err))
			goto out_close;
	} else {
		memcpy(st->schema, "main", 5);
		if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				    NULL) != SQLITE_OK) {
			crm_error_set(err, CRM_EIO, "cannot open state database '%s': %s", path,
				      st->db ? sqlite3_errmsg(st->db) : "out of memory");
			goto out_close;
		}
		sqlite3_busy_timeout(st->db, 10000);
	}
	with_schema(sql, sizeof(sql), schema_sql, st->schema);
	if (exec(st, sql, err) || add_missing_columns(st, err) || prepare_all(st, err))
		goto out_close;
	return st;

out_close:
	crm_state_close(st);
	return NULL;
out_free:
	crm_free(st);
	return NULL;
}

void crm_state_close(struct crm_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	if (st->shared)
		sqlite3_exec(st->db, "DETACH DATABASE state", NULL, NULL, NULL);
	else
		sqlite3_close_v2(st->db);
	crm_free(st);
}

int crm_state_begin(struct crm_state *st, struct crm_error *err)
{
	return st->shared ? 0 : exec(st, "BEGIN IMMEDIATE", err);
}

int crm_state_commit(struct crm_state *st, struct crm_error *err)
{
	return st->shared ? 0 : exec(st, "COMMIT", err);
}

static int step_done(struct crm_state *st, sqlite3_stmt *s, struct crm_error *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, what);
}

/* Steps a statement prepared for one use, and finalizes it. */
static int step_once(struct crm_state *st, sqlite3_stmt *s, struct crm_error *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, what);
}

static int run_sql(struct crm_state *st, const char *fmt, sqlite3_stmt **out, struct crm_error *err)
{
	char sql[512];

	with_schema(sql, sizeof(sql), fmt, st->schema);
	if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
		return db_error(st, err, "prepare");
	return 0;
}

int crm_state_run_start(struct crm_state *st, const char *command, const char *options_json, const char *started_at,
			int64_t *run_id, struct crm_error *err)
{
	sqlite3_stmt *s;

	if (run_sql(st, "INSERT INTO %s.runs (command, options, status, started_at) VALUES (?, ?, 'running', ?)", &s,
		    err))
		return err->code;
	sqlite3_bind_text(s, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, options_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, started_at, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return db_error(st, err, "start run");
	}
	sqlite3_finalize(s);
	*run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int crm_state_run_finish(struct crm_state *st, int64_t run_id, const char *status, const char *finished_at,
			 const char *summary_json, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "UPDATE %s.runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?", &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, finished_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, summary_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, run_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "finish run");
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *s, int col)
{
	const unsigned char *text = sqlite3_column_text(s, col);

	snprintf(dst, cap, "%s", text ? (const char *)text : "");
}

int crm_state_run_count(struct crm_state *st, int64_t *count, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "SELECT count(*) FROM %s.runs", &s, err))
		return err->code;
	rc = sqlite3_step(s);
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_error(st, err, "count runs");
}

int crm_state_run_summary(struct crm_state *st, int64_t run_id, struct crm_buf *out, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc, found = 0;

	if (run_sql(st, "SELECT summary FROM %s.runs WHERE id = ?", &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		crm_buf_reset(out);
		crm_buf_add(out, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0), err);
		found = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(st, err, "run summary");
	return err->code ? err->code : !found;
}

int crm_state_object_key(struct crm_state *st, const char *object, const char *table, int create, int64_t *key,
			 struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (create) {
		if (run_sql(st, "INSERT OR IGNORE INTO %s.objects (name, target_table) VALUES (?, ?)", &s, err))
			return err->code;
		sqlite3_bind_text(s, 1, object, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, table, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return db_error(st, err, "object key");
	}
	if (run_sql(st, "SELECT id FROM %s.objects WHERE name = ? AND target_table = ?", &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*key = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "object key");
}

int crm_state_xref_get(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
		       struct crm_xref *xref, struct crm_error *err)
{
	sqlite3_stmt *s = st->stmts[ST_XREF_GET];
	int rc;

	sqlite3_bind_int64(s, 1, key);
	sqlite3_bind_text(s, 2, source_id, (int)source_id_len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		xref->target_id = sqlite3_column_int64(s, 0);
		xref->hash = (uint64_t)sqlite3_column_int64(s, 1);
		xref->seen_run = sqlite3_column_int64(s, 2);
		xref->write_run = sqlite3_column_int64(s, 3);
		xref->row_hash = (uint64_t)sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "xref lookup");
}

int crm_state_xref_put(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
		       const struct crm_xref *xref, struct crm_error *err)
{
	sqlite3_stmt *s = st->stmts[ST_XREF_PUT];

	sqlite3_bind_int64(s, 1, key);
	sqlite3_bind_text(s, 2, source_id, (int)source_id_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, xref->target_id);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)xref->hash);
	sqlite3_bind_int64(s, 5, xref->seen_run);
	sqlite3_bind_int64(s, 6, xref->write_run);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)xref->row_hash);
	return step_done(st, s, err, "xref write");
}

int crm_state_xref_seen(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len, int64_t run,
			struct crm_error *err)
{
	sqlite3_stmt *s = st->stmts[ST_XREF_SEEN];

	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, key);
	sqlite3_bind_text(s, 3, source_id, (int)source_id_len, SQLITE_STATIC);
	return step_done(st, s, err, "xref seen");
}

int crm_state_xref_count(struct crm_state *st, int64_t key, int64_t *count, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "SELECT count(*) FROM %s.xref WHERE object_id = ?", &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, key);
	rc = sqlite3_step(s);
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_error(st, err, "xref count");
}

int crm_state_meta_get(struct crm_state *st, const char *key, char *out, size_t cap, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "SELECT value FROM %s.meta WHERE key = ?", &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(out, cap, "%s", sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_error(st, err, "meta read");
}

int crm_state_meta_put(struct crm_state *st, const char *key, const char *value, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st,
		    "INSERT INTO %s.meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
		    "excluded.value",
		    &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "meta write");
}

int crm_state_xref_each(struct crm_state *st, int64_t key, crm_state_id_fn fn, void *ctx, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "SELECT source_id FROM %s.xref WHERE object_id = ?", &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, key);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0), err)) {
			sqlite3_finalize(s);
			return err->code;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "xref walk");
}

int crm_state_xref_source_ids(struct crm_state *st, int64_t key, const int64_t *targets, size_t n, char (*out)[64],
			      struct crm_error *err)
{
	sqlite3_stmt *s;
	size_t i;
	int rc;

	if (n > CRM_STATE_SOURCE_IDS_MAX)
		return crm_error_set(err, CRM_EINTERNAL, "at most %d source ids at once", CRM_STATE_SOURCE_IDS_MAX);
	/* one pass over the object's entries (the key has no target id index) */
	if (run_sql(st,
		    "SELECT target_id, source_id FROM %s.xref WHERE object_id = ? AND target_id IN "
		    "(?, ?, ?, ?, ?, ?, ?, ?)",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, key);
	for (i = 0; i < CRM_STATE_SOURCE_IDS_MAX; i++)
		sqlite3_bind_int64(s, (int)i + 2, i < n ? targets[i] : 0); /* target ids start at 1 */
	for (i = 0; i < n; i++)
		out[i][0] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t target = sqlite3_column_int64(s, 0);
		for (i = 0; i < n; i++)
			if (targets[i] == target)
				snprintf(out[i], sizeof(out[i]), "%s", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "xref source ids");
}

struct crm_xref_cache *crm_state_xref_cache_load(struct crm_state *st, int64_t key, struct crm_error *err)
{
	struct crm_xref_cache *cache = crm_xref_cache_new();
	sqlite3_stmt *s;
	int rc;

	if (!cache) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (!key)
		return cache;
	if (run_sql(st, "SELECT source_id, target_id FROM %s.xref WHERE object_id = ?", &s, err))
		goto out_free;
	sqlite3_bind_int64(s, 1, key);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (crm_xref_cache_put(cache, (const char *)sqlite3_column_text(s, 0),
				       (size_t)sqlite3_column_bytes(s, 0), sqlite3_column_int64(s, 1), err)) {
			sqlite3_finalize(s);
			goto out_free;
		}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return cache;
	db_error(st, err, "xref load");
out_free:
	crm_xref_cache_free(cache);
	return NULL;
}

static const char *const ledger_action_names[] = {"insert", "update", "delete"};

int crm_state_ledger_add(struct crm_state *st, int64_t run, int64_t key, int64_t target_id, const char *source_id,
			 size_t source_id_len, enum crm_ledger_action action, const char *pre_image, uint64_t hash,
			 struct crm_error *err)
{
	sqlite3_stmt *s = st->stmts[ST_LEDGER_ADD];

	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, key);
	sqlite3_bind_int64(s, 3, target_id);
	sqlite3_bind_text(s, 4, source_id, (int)source_id_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, ledger_action_names[action], -1, SQLITE_STATIC);
	if (pre_image)
		sqlite3_bind_text(s, 6, pre_image, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)hash);
	return step_done(st, s, err, "ledger write");
}

int crm_state_checkpoint_get(struct crm_state *st, int64_t run, const char *object, struct crm_checkpoint *cp,
			     struct crm_error *err)
{
	sqlite3_stmt *s = st->stmts[ST_CP_GET];
	int rc;

	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, object, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		cp->pass1_records = sqlite3_column_int64(s, 0);
		cp->pass1_done = sqlite3_column_int(s, 1);
		cp->pass2_records = sqlite3_column_int64(s, 2);
		cp->pass2_done = sqlite3_column_int(s, 3);
		cp->counts.read = sqlite3_column_int64(s, 4);
		cp->counts.inserted = sqlite3_column_int64(s, 5);
		cp->counts.updated = sqlite3_column_int64(s, 6);
		cp->counts.unchanged = sqlite3_column_int64(s, 7);
		cp->counts.rejected = sqlite3_column_int64(s, 8);
		cp->counts.orphaned = sqlite3_column_int64(s, 9);
		cp->rejects_offset = sqlite3_column_int64(s, 10);
		cp->orphans_offset = sqlite3_column_int64(s, 11);
		cp->counts.deleted = sqlite3_column_int64(s, 12);
		cp->counts.conflicts = sqlite3_column_int64(s, 13);
		cp->counts.skipped = sqlite3_column_int64(s, 14);
		copy_col(cp->max_modified, sizeof(cp->max_modified), s, 15);
		cp->counts.blanked = sqlite3_column_int64(s, 16);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "checkpoint read");
}

int crm_state_checkpoint_put(struct crm_state *st, int64_t run, const char *object, const struct crm_checkpoint *cp,
			     struct crm_error *err)
{
	sqlite3_stmt *s = st->stmts[ST_CP_PUT];

	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, object, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, cp->pass1_records);
	sqlite3_bind_int(s, 4, cp->pass1_done);
	sqlite3_bind_int64(s, 5, cp->pass2_records);
	sqlite3_bind_int(s, 6, cp->pass2_done);
	sqlite3_bind_int64(s, 7, cp->counts.read);
	sqlite3_bind_int64(s, 8, cp->counts.inserted);
	sqlite3_bind_int64(s, 9, cp->counts.updated);
	sqlite3_bind_int64(s, 10, cp->counts.unchanged);
	sqlite3_bind_int64(s, 11, cp->counts.rejected);
	sqlite3_bind_int64(s, 12, cp->counts.orphaned);
	sqlite3_bind_int64(s, 13, cp->rejects_offset);
	sqlite3_bind_int64(s, 14, cp->orphans_offset);
	sqlite3_bind_int64(s, 15, cp->counts.deleted);
	sqlite3_bind_int64(s, 16, cp->counts.conflicts);
	sqlite3_bind_int64(s, 17, cp->counts.skipped);
	sqlite3_bind_text(s, 18, cp->max_modified, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 19, cp->counts.blanked);
	return step_done(st, s, err, "checkpoint write");
}

/* The run sql selects (its first row), with id bound to its one parameter when non-zero; 0, or 1 when none. */
static int run_row(struct crm_state *st, const char *sql, int64_t id, struct crm_run_info *info, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, sql, &s, err))
		return err->code;
	if (id)
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		info->id = sqlite3_column_int64(s, 0);
		copy_col(info->status, sizeof(info->status), s, 1);
		copy_col(info->started_at, sizeof(info->started_at), s, 2);
		copy_col(info->finished_at, sizeof(info->finished_at), s, 3);
		copy_col(info->options, sizeof(info->options), s, 4);
		copy_col(info->command, sizeof(info->command), s, 5);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_error(st, err, "run");
}

int crm_state_run_get(struct crm_state *st, int64_t id, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(st, "SELECT id, status, started_at, finished_at, options, command FROM %s.runs WHERE id = ?", id,
		       info, err);
}

int crm_state_run_last(struct crm_state *st, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(
		st,
		"SELECT id, status, started_at, finished_at, options, command FROM %s.runs ORDER BY id DESC LIMIT 1", 0,
		info, err);
}

int crm_state_run_newest_live(struct crm_state *st, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(st,
		       "SELECT id, status, started_at, finished_at, options, command FROM %s.runs WHERE status <> "
		       "'rolled back' "
		       "ORDER BY id DESC LIMIT 1",
		       0, info, err);
}

int crm_state_run_set_status(struct crm_state *st, int64_t id, const char *status, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "UPDATE %s.runs SET status = ? WHERE id = ?", &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "run status");
}

int crm_state_ledger_range(struct crm_state *st, int64_t run, int64_t *first, int64_t *last, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "SELECT coalesce(min(seq), 0), coalesce(max(seq), -1) FROM %s.ledger WHERE run_id = ?", &s,
		    err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	*first = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*last = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : -1;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_error(st, err, "ledger range");
}

int crm_state_ledger_read(struct crm_state *st, int64_t run, int64_t first, int64_t below, size_t limit,
			  struct crm_ledger_entry *out, size_t *count, struct crm_arena *arena, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	*count = 0;
	/* a run's ledger is one contiguous range of seq: the primary key walks it backwards */
	if (run_sql(st,
		    "SELECT l.seq, l.object_id, o.target_table, l.target_id, l.source_id, l.action, l.pre_image "
		    "FROM %s.ledger l JOIN %s.objects o ON o.id = l.object_id "
		    "WHERE l.seq >= ? AND l.seq < ? AND l.run_id = ? ORDER BY l.seq DESC LIMIT ?",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, first);
	sqlite3_bind_int64(s, 2, below);
	sqlite3_bind_int64(s, 3, run);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct crm_ledger_entry *e = &out[(*count)++];
		const char *pre = (const char *)sqlite3_column_text(s, 6);
		e->seq = sqlite3_column_int64(s, 0);
		e->key = sqlite3_column_int64(s, 1);
		e->table = crm_arena_strndup(arena, (const char *)sqlite3_column_text(s, 2),
					     (size_t)sqlite3_column_bytes(s, 2));
		e->target_id = sqlite3_column_int64(s, 3);
		e->source_id = crm_arena_strndup(arena, (const char *)sqlite3_column_text(s, 4),
						 (size_t)sqlite3_column_bytes(s, 4));
		e->action = CRM_LEDGER_INSERT;
		while (e->action < CRM_LEDGER_DELETE &&
		       strcmp((const char *)sqlite3_column_text(s, 5), ledger_action_names[e->action]) != 0)
			e->action++;
		e->pre_image = pre ? crm_arena_strndup(arena, pre, (size_t)sqlite3_column_bytes(s, 6)) : NULL;
		if (!e->table || !e->source_id || (pre && !e->pre_image)) {
			sqlite3_finalize(s);
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "ledger");
}

int crm_state_xref_forget(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
			  struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "DELETE FROM %s.xref WHERE object_id = ? AND source_id = ?", &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, key);
	sqlite3_bind_text(s, 2, source_id, (int)source_id_len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "xref forget");
}

int crm_state_xref_undo(struct crm_state *st, const struct crm_ledger_entry *e, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (e->action == CRM_LEDGER_INSERT)
		return crm_state_xref_forget(st, e->key, e->source_id, strlen(e->source_id), err);
	if (e->action == CRM_LEDGER_DELETE) {
		/* the row is back under its old id; hash 0: the next run compares it afresh */
		struct crm_xref x = {e->target_id, 0, 0, 0, 0};
		return crm_state_xref_put(st, e->key, e->source_id, strlen(e->source_id), &x, err);
	}
	/* an update's previous hashes are not kept: 0 makes the next run write the row again */
	if (run_sql(st, "UPDATE %s.xref SET hash = 0, row_hash = 0 WHERE object_id = ? AND source_id = ?", &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, e->key);
	sqlite3_bind_text(s, 2, e->source_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "xref undo");
}

int crm_state_rollback_get(struct crm_state *st, int64_t run, struct crm_rollback_progress *rp, struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st, "SELECT exported, next_seq, finished_at IS NOT NULL FROM %s.rollbacks WHERE run_id = ?", &s,
		    err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rp->exported = sqlite3_column_int(s, 0);
		rp->next_seq = sqlite3_column_int64(s, 1);
		rp->finished = sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "rollback progress");
}

int crm_state_rollback_put(struct crm_state *st, int64_t run, const struct crm_rollback_progress *rp, const char *now,
			   struct crm_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (run_sql(st,
		    "INSERT INTO %s.rollbacks (run_id, started_at, exported, next_seq, finished_at) VALUES (?, ?, ?, "
		    "?, "
		    "CASE WHEN ? THEN ? END) ON CONFLICT (run_id) DO UPDATE SET exported = excluded.exported, "
		    "next_seq = excluded.next_seq, finished_at = excluded.finished_at",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, rp->exported);
	sqlite3_bind_int64(s, 4, rp->next_seq);
	sqlite3_bind_int(s, 5, rp->finished);
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "rollback progress");
}

/* The watermarks table's key: "object:<Name>", or "events" for the change stream. */
static void watermark_name(char *out, size_t cap, const char *object)
{
	if (object)
		snprintf(out, cap, "object:%s", object);
	else
		snprintf(out, cap, "events");
}

int crm_state_watermark_get(struct crm_state *st, const char *object, char *value, size_t cap, struct crm_error *err)
{
	sqlite3_stmt *s;
	char name[160];
	int rc;

	value[0] = '\0';
	watermark_name(name, sizeof(name), object);
	if (run_sql(st, "SELECT value FROM %s.watermarks WHERE name = ?", &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(value, cap, s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "watermark");
}

int crm_state_watermark_put(struct crm_state *st, const char *object, const char *value, int64_t run,
			    struct crm_error *err)
{
	sqlite3_stmt *s;
	char name[160];
	int rc;

	watermark_name(name, sizeof(name), object);
	if (run_sql(st, "INSERT OR REPLACE INTO %s.watermarks (name, value, run_id) VALUES (?, ?, ?)", &s, err))
		return err->code;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, run);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "watermark");
}

int crm_state_xref_unseen(struct crm_state *st, int64_t key, int64_t run, char ***ids, size_t *count,
			  struct crm_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*count = 0;
	if (run_sql(st, "SELECT source_id FROM %s.xref WHERE object_id = ? AND seen_run < ? ORDER BY source_id", &s,
		    err))
		return err->code;
	sqlite3_bind_int64(s, 1, key);
	sqlite3_bind_int64(s, 2, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (crm_grow(ids, *count, &cap, sizeof(**ids), 64))
			break;
		if (!((*ids)[*count] = crm_strdup((const char *)sqlite3_column_text(s, 0))))
			break;
		(*count)++;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "xref unseen");
}

int crm_state_source_file_put(struct crm_state *st, int64_t run, const struct crm_source_file *f, struct crm_error *err)
{
	sqlite3_stmt *s;

	if (run_sql(st,
		    "INSERT INTO %s.source_files (run_id, object, path, size, mtime_ns, sha256, records, taken_at, "
		    "forced) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, f->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (int64_t)f->size);
	sqlite3_bind_int64(s, 5, f->mtime_ns);
	sqlite3_bind_text(s, 6, f->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, f->taken_at, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, f->forced);
	return step_once(st, s, err, "source snapshot");
}

int crm_state_source_file_records(struct crm_state *st, int64_t run, const char *object, int64_t records,
				  struct crm_error *err)
{
	sqlite3_stmt *s;

	if (run_sql(st,
		    "UPDATE %s.source_files SET records = ? WHERE seq = (SELECT max(seq) FROM %s.source_files "
		    "WHERE run_id = ? AND object = ?)",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, records);
	sqlite3_bind_int64(s, 2, run);
	sqlite3_bind_text(s, 3, object, -1, SQLITE_STATIC);
	return step_once(st, s, err, "source snapshot");
}

int crm_state_source_files(struct crm_state *st, int64_t run, struct crm_source_file **files, size_t *count,
			   struct crm_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*files = NULL;
	*count = 0;
	/* the newest snapshot of each object's file: a forced run took a second one */
	if (run_sql(st,
		    "SELECT object, path, size, mtime_ns, sha256, coalesce(records, -1), taken_at, forced "
		    "FROM %s.source_files WHERE seq IN (SELECT max(seq) FROM %s.source_files WHERE run_id = ? "
		    "GROUP BY object) ORDER BY seq",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct crm_source_file *f;
		if (crm_grow(files, *count, &cap, sizeof(**files), 8))
			break;
		f = &(*files)[(*count)++];
		copy_col(f->object, sizeof(f->object), s, 0);
		copy_col(f->path, sizeof(f->path), s, 1);
		f->size = (uint64_t)sqlite3_column_int64(s, 2);
		f->mtime_ns = sqlite3_column_int64(s, 3);
		copy_col(f->sha256, sizeof(f->sha256), s, 4);
		f->records = sqlite3_column_int64(s, 5);
		copy_col(f->taken_at, sizeof(f->taken_at), s, 6);
		f->forced = sqlite3_column_int(s, 7);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW) {
		crm_free(*files);
		*files = NULL;
		*count = 0;
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "source snapshot");
}

int crm_state_pipeline_put(struct crm_state *st, int64_t run, const char *object,
			   const struct crm_pipeline_stage *stages, size_t count, struct crm_error *err)
{
	sqlite3_stmt *s;
	size_t i;

	if (run_sql(st, "DELETE FROM %s.source_pipeline WHERE run_id = ? AND object = ?", &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, object, -1, SQLITE_STATIC);
	if (step_once(st, s, err, "open pipeline"))
		return err->code;
	if (run_sql(st,
		    "INSERT INTO %s.source_pipeline (run_id, object, stage, records, amount, first_close, "
		    "last_close) VALUES (?, ?, ?, ?, ?, ?, ?)",
		    &s, err))
		return err->code;
	for (i = 0; i < count && !err->code; i++) {
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_text(s, 2, object, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, stages[i].stage, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, stages[i].records);
		sqlite3_bind_double(s, 5, stages[i].amount);
		sqlite3_bind_text(s, 6, stages[i].first_close, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, stages[i].last_close, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			db_error(st, err, "open pipeline");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return err->code;
}

int crm_state_pipeline_get(struct crm_state *st, int64_t run, const char *object, struct crm_pipeline_stage **stages,
			   size_t *count, struct crm_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*stages = NULL;
	*count = 0;
	if (run_sql(st,
		    "SELECT stage, records, amount, first_close, last_close FROM %s.source_pipeline "
		    "WHERE run_id = ? AND (?2 IS NULL OR object = ?2) ORDER BY object, stage",
		    &s, err))
		return err->code;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, object, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct crm_pipeline_stage *ps;
		if (crm_grow(stages, *count, &cap, sizeof(**stages), 8))
			break;
		ps = &(*stages)[(*count)++];
		copy_col(ps->stage, sizeof(ps->stage), s, 0);
		ps->records = sqlite3_column_int64(s, 1);
		ps->amount = sqlite3_column_double(s, 2);
		copy_col(ps->first_close, sizeof(ps->first_close), s, 3);
		copy_col(ps->last_close, sizeof(ps->last_close), s, 4);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW) {
		crm_free(*stages);
		*stages = NULL;
		*count = 0;
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	return rc == SQLITE_DONE ? 0 : db_error(st, err, "open pipeline");
}

int crm_state_run_final(struct crm_state *st, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(st,
		       "SELECT id, status, started_at, finished_at, options, command FROM %s.runs WHERE status = "
		       "'done' AND command = 'sync' AND json_extract(options, '$.sync.final') ORDER BY id DESC "
		       "LIMIT 1",
		       0, info, err);
}
