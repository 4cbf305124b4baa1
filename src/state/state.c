/*
 * state.c: the state's tables on the store's connection (state.h). The
 * SQL is what every backend speaks (store.h); the few words of DDL that
 * differ come from the store. Statements used per record are prepared
 * once.
 */
#include "compat.h"
#include "state/state.h"
#include "util/alloc.h"
#include "state/xrefcache.h"
#include "util/hash.h"
#include "util/limits.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

enum stmt_id { ST_XREF_GET, ST_XREF_PUT, ST_XREF_SEEN, ST_XREF_FORGET, ST_XREF_UNDO, ST_CP_GET, ST_CP_PUT, ST_COUNT };

/*
 * Source ids per set statement (the read-ahead's reads and writes, a
 * rollback's forgets): one parameter each, 7 a row for whole entries.
 */
#define SET_CHUNK 500

/*
 * Ledger entries per statement: crm_state_ledger_add keeps them until so
 * many wait, or until a statement that reads the state or crm_state_flush
 * (a first load adds one a row, and a statement of many costs less a row).
 * With the store's append_rows (a server) they go as one COPY, up to
 * LEDGER_APPENDED of them: a sync flushed 32 at a time made 700 round
 * trips for 12,000 updated rows.
 */
#define LEDGER_CHUNK	32
#define LEDGER_APPENDED 1024

/* A ledger entry waiting to be written (its texts in crm_state.waiting_texts). */
struct waiting_entry {
	int64_t run, key, target_id;
	const char *source_id, *pre_image;
	size_t source_id_len;
	enum crm_ledger_action action;
	uint64_t hash, row_hash, written_hash;
};

/* The kinds of set statement of the xref (set_sql). */
enum set_sql { SET_SQL_GET, SET_SQL_PUT, SET_SQL_SEEN, SET_SQL_FORGET, SET_SQL_UNDO, SET_SQL_COUNT };

/* An xref entry read ahead (crm_state_xref_prefetch), and whether a write of it waits. */
struct ahead {
	int64_t key; /* the object's */
	const char *id;
	size_t len;
	int found;
	/* what flush_ahead writes: nothing, seen_run alone (an unchanged record), the whole entry, or its removal */
	enum { AHEAD_CLEAN, AHEAD_SEEN, AHEAD_PUT, AHEAD_FORGET } pending;
	struct crm_xref x;
};

/*
 * Target ids as a bitmap in chunks of SEEN_CHUNK_IDS bits, found by chunk
 * number: a store's keys are dense (SQLite's rowids, a PostgreSQL
 * sequence), so a million marks take about 128 KiB, where a hash set of
 * them took 32 MiB (and a sparse key costs a chunk, 512 bytes).
 */
enum { SEEN_CHUNK_IDS = 4096 };

struct seen_bits {
	struct crm_idcount chunk_of; /* chunk number + 1 -> its index in chunks + 1 */
	uint64_t (*chunks)[SEEN_CHUNK_IDS / 64];
	size_t count, cap;
};

/*
 * An entry of the object held whole (crm_state_xref_preload), by its id's
 * 128-bit key: 48 bytes (runs fit 32 bits: whole_fits). target_id 0 is no
 * entry (never made, or removed: the slot stays, so probes go past it).
 */
struct whole_entry {
	uint64_t low, high;
	int64_t target_id;
	uint64_t hash, row_hash;
	uint32_t seen_run, write_run;
};

enum { WHOLE_PART_BITS = 8, WHOLE_PARTS = 1 << WHOLE_PART_BITS };

struct whole_part {
	struct whole_entry *slots;
	size_t cap, used;
};

struct crm_state {
	struct crm_store *store;
	struct crm_store_stmt *stmts[ST_COUNT];
	/*
	 * One object's whole xref (whole_key; 0: none), read at once where a
	 * lookup costs a round trip: WHOLE_PARTS tables by the ids' keys' top
	 * bits, each grown on its own (so that growing copies a part, not all),
	 * open addressing, linear probes; whole_used entries of whole_max.
	 */
	int64_t whole_key;
	struct whole_part *whole;
	size_t whole_used, whole_max;
	/* the read-ahead: entries of one or more objects, sorted by key, then source id */
	struct ahead *ahead;
	size_t ahead_count, ahead_cap, ahead_pending;
	struct crm_arena ahead_ids;
	struct crm_store_stmt *set_kept[SET_SQL_COUNT]; /* set_stmt's statements for SET_CHUNK ids */
	/* ledger entries not written yet, in the order they were added */
	struct waiting_entry waiting[LEDGER_APPENDED];
	size_t waiting_count, waiting_cap; /* LEDGER_CHUNK, or LEDGER_APPENDED with append_rows */
	struct crm_arena waiting_texts;
	/*
	 * The INSERT of n entries at [n - 1], each prepared when first used: a
	 * sync flushes a few entries before nearly every statement it runs, and
	 * preparing one for each flush was 8% of its time.
	 */
	struct crm_store_stmt *ledger_kept[LEDGER_CHUNK];
	/*
	 * The run this state started, its ledger as added here while that is
	 * only inserts with their written hashes, each object's ids consecutive
	 * (crm_state_run_inserts): a first load's after-snapshot takes them
	 * from memory instead of reading 1.8M entries back (0.45 s). Anything
	 * else (another action, a rolled back transaction, TRACKED_MAX entries)
	 * breaks it, and the ledger is read.
	 */
	int64_t tracked_run;
	int tracking_broken;
	struct tracked_inserts {
		int64_t key, first_id;
		uint64_t *hashes;
		size_t count, cap;
	} * tracked;
	size_t tracked_objects, tracked_total;
	/*
	 * The records run seen_run marked seen (crm_state_xref_seen), per
	 * object: the marks are appended to crmshift.seen, not written into
	 * the xref, whose every page a re-run or a full export rewrote to mark
	 * its unchanged records. Loaded from crmshift.seen when a run begins
	 * (or resumes) and after a rolled back transaction.
	 */
	int64_t seen_run;
	int seen_loaded;
	struct seen_set {
		int64_t key;
		struct seen_bits ids;
	} * seen_sets;
	size_t seen_set_count;
};

static int flush_ahead(struct crm_state *st, struct crm_error *err);

static void seen_drop(struct crm_state *st)
{
	size_t i;

	for (i = 0; i < st->seen_set_count; i++) {
		crm_idcount_release(&st->seen_sets[i].ids.chunk_of);
		crm_free(st->seen_sets[i].ids.chunks);
	}
	crm_free(st->seen_sets);
	st->seen_sets = NULL;
	st->seen_set_count = 0;
	st->seen_loaded = 0;
}

static int seen_has(const struct seen_bits *b, int64_t id)
{
	int64_t at = id > 0 ? crm_idcount_get(&b->chunk_of, id / SEEN_CHUNK_IDS + 1) : 0;

	return at && (b->chunks[at - 1][id % SEEN_CHUNK_IDS / 64] >> (id % 64) & 1);
}

static int seen_add(struct seen_bits *b, int64_t id, struct crm_error *err)
{
	int64_t at;

	if (id <= 0)
		return crm_error_set(err, CRM_EINTERNAL, "state: target id %lld is not a key", (long long)id);
	at = crm_idcount_get(&b->chunk_of, id / SEEN_CHUNK_IDS + 1);
	if (!at) {
		if (crm_grow(&b->chunks, b->count, &b->cap, sizeof(*b->chunks), 16) ||
		    crm_idcount_add(&b->chunk_of, id / SEEN_CHUNK_IDS + 1, (int64_t)b->count + 1, err))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		memset(b->chunks[b->count], 0, sizeof(*b->chunks));
		at = (int64_t)++b->count;
	}
	b->chunks[at - 1][id % SEEN_CHUNK_IDS / 64] |= 1ull << (id % 64);
	return 0;
}

/* The marks of object key (made when absent); NULL with err set. */
static struct seen_bits *seen_set(struct crm_state *st, int64_t key, struct crm_error *err)
{
	struct seen_set *grown;
	size_t i;

	for (i = 0; i < st->seen_set_count; i++)
		if (st->seen_sets[i].key == key)
			return &st->seen_sets[i].ids;
	grown = crm_realloc(st->seen_sets, (st->seen_set_count + 1) * sizeof(*grown));
	if (!grown) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	st->seen_sets = grown;
	grown[i].key = key;
	memset(&grown[i].ids, 0, sizeof(grown[i].ids));
	crm_idcount_init(&grown[i].ids.chunk_of);
	st->seen_set_count++;
	return &grown[i].ids;
}

/*
 * @KEY@ is the store's auto-numbered key column, @KEYED@ its suffix for a
 * table keyed by its primary key, @BYTES@ text that compares and sorts by
 * bytes, as SQLite's does, whatever the database's collation (source ids,
 * stages and objects come out in one order on every backend). No REFERENCES: SQLite cannot name a
 * table of another schema there, and the state writes its keys itself.
 */
static const char *const schema_sql[] = {
	"CREATE TABLE IF NOT EXISTS crmshift.meta (key @BYTES@ PRIMARY KEY, value @BYTES@);\n"
	"INSERT INTO crmshift.meta (key, value) VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;\n"
	"CREATE TABLE IF NOT EXISTS crmshift.runs (\n"
	"  id @KEY@, command @BYTES@ NOT NULL, options @BYTES@, status @BYTES@ NOT NULL,\n"
	"  started_at @BYTES@ NOT NULL, finished_at @BYTES@, summary @BYTES@, ledger_from BIGINT NOT NULL DEFAULT 0);\n"
	"CREATE TABLE IF NOT EXISTS crmshift.objects (\n"
	"  id @KEY@, name @BYTES@ NOT NULL, target_table @BYTES@ NOT NULL, UNIQUE (name, target_table));\n"
	"CREATE TABLE IF NOT EXISTS crmshift.xref (\n"
	"  object_id BIGINT NOT NULL, source_id @BYTES@ NOT NULL,\n"
	"  target_id BIGINT NOT NULL, hash BIGINT NOT NULL, seen_run BIGINT NOT NULL, write_run BIGINT NOT NULL,\n"
	"  row_hash BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (object_id, source_id))@KEYED@;\n"
	"CREATE TABLE IF NOT EXISTS crmshift.seen (\n"
	"  run_id BIGINT NOT NULL, object_id BIGINT NOT NULL, source_id @BYTES@ NOT NULL,\n"
	"  target_id BIGINT NOT NULL);\n"
	"CREATE TABLE IF NOT EXISTS crmshift.ledger (\n"
	"  seq @KEY@, run_id BIGINT NOT NULL, object_id BIGINT NOT NULL,\n"
	"  target_id BIGINT NOT NULL, source_id @BYTES@ NOT NULL, action @BYTES@ NOT NULL, pre_image @BYTES@,\n"
	"  hash BIGINT NOT NULL, row_hash BIGINT NOT NULL DEFAULT 0, written_hash BIGINT NOT NULL DEFAULT 0);\n"
	"CREATE TABLE IF NOT EXISTS crmshift.checkpoints (\n"
	"  run_id BIGINT NOT NULL, object @BYTES@ NOT NULL, pass1_records BIGINT NOT NULL, pass1_done BIGINT NOT "
	"NULL,\n"
	"  pass2_records BIGINT NOT NULL, pass2_done BIGINT NOT NULL, read BIGINT NOT NULL,\n"
	"  inserted BIGINT NOT NULL, updated BIGINT NOT NULL, unchanged BIGINT NOT NULL,\n"
	"  rejected BIGINT NOT NULL, orphaned BIGINT NOT NULL, rejects_offset BIGINT NOT NULL,\n"
	"  orphans_offset BIGINT NOT NULL, deleted BIGINT NOT NULL DEFAULT 0,\n"
	"  conflicts BIGINT NOT NULL DEFAULT 0, skipped BIGINT NOT NULL DEFAULT 0,\n"
	"  max_modified @BYTES@ NOT NULL DEFAULT '', blanked BIGINT NOT NULL DEFAULT 0,\n"
	"  merged BIGINT NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY (run_id, object));\n"
	"CREATE TABLE IF NOT EXISTS crmshift.rollbacks (\n"
	"  run_id BIGINT PRIMARY KEY, started_at @BYTES@ NOT NULL, exported BIGINT NOT NULL,\n"
	"  next_seq BIGINT NOT NULL, finished_at @BYTES@);\n"
	"CREATE TABLE IF NOT EXISTS crmshift.watermark_runs (\n"
	"  name @BYTES@ NOT NULL, run_id BIGINT NOT NULL, value @BYTES@ NOT NULL,\n"
	"  PRIMARY KEY (name, run_id));\n"
	"CREATE TABLE IF NOT EXISTS crmshift.source_files (\n"
	"  seq @KEY@, run_id BIGINT NOT NULL, object @BYTES@ NOT NULL, path @BYTES@ NOT NULL,\n"
	"  size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, sha256 @BYTES@ NOT NULL, records BIGINT,\n"
	"  taken_at @BYTES@ NOT NULL, forced BIGINT NOT NULL, resolved @BYTES@ NOT NULL DEFAULT '');\n"
	"CREATE TABLE IF NOT EXISTS crmshift.owners (\n"
	"  run_id BIGINT NOT NULL, object @BYTES@ NOT NULL, source_user @BYTES@ NOT NULL,\n"
	"  target_owner @BYTES@ NOT NULL, reason @BYTES@ NOT NULL, records BIGINT NOT NULL,\n"
	"  PRIMARY KEY (run_id, object, source_user, target_owner, reason));\n"
	"CREATE TABLE IF NOT EXISTS crmshift.merges (\n"
	"  run_id BIGINT NOT NULL, object_id BIGINT NOT NULL, source_id @BYTES@ NOT NULL,\n"
	"  target_id BIGINT NOT NULL, PRIMARY KEY (run_id, object_id, source_id));\n"
	"CREATE TABLE IF NOT EXISTS crmshift.source_pipeline (\n"
	"  run_id BIGINT NOT NULL, object @BYTES@ NOT NULL, stage @BYTES@ NOT NULL, records BIGINT NOT NULL,\n"
	"  amount DOUBLE PRECISION NOT NULL, first_close @BYTES@ NOT NULL, last_close @BYTES@ NOT NULL,\n"
	"  PRIMARY KEY (run_id, object, stage));\n"
	"CREATE TABLE IF NOT EXISTS crmshift.ref_keys (\n"
	"  seq @KEY@, run_id BIGINT NOT NULL, object_id BIGINT NOT NULL, key_column @BYTES@ NOT NULL,\n"
	"  source_id @BYTES@ NOT NULL, value @BYTES@ NOT NULL);\n",
	/* a string of its own: C11 compilers need take only 4,095 bytes in one */
	"CREATE TABLE IF NOT EXISTS crmshift.drills (\n"
	"  id @KEY@, started_at @BYTES@ NOT NULL, finished_at @BYTES@ NOT NULL, window_seconds DOUBLE PRECISION NOT "
	"NULL,\n"
	"  copy_seconds DOUBLE PRECISION NOT NULL, migrate_seconds DOUBLE PRECISION NOT NULL,\n"
	"  reconcile_seconds DOUBLE PRECISION NOT NULL, rollback_seconds DOUBLE PRECISION NOT NULL,\n"
	"  rows_written BIGINT NOT NULL, go BIGINT NOT NULL, identical BIGINT NOT NULL, passed BIGINT NOT NULL,\n"
	"  live_runs BIGINT NOT NULL DEFAULT 0);\n"};

/*
 * Columns added after a state database was first created (schema 1 had
 * none of them). CREATE TABLE IF NOT EXISTS leaves an old table as it was, so a
 * project migrated with an earlier crmshift gets them here.
 */
static const struct {
	const char *table, *column, *decl;
} added_columns[] = {
	{"xref", "row_hash", "BIGINT NOT NULL DEFAULT 0"},
	{"ledger", "row_hash", "BIGINT NOT NULL DEFAULT 0"},
	{"ledger", "written_hash", "BIGINT NOT NULL DEFAULT 0"},
	{"checkpoints", "deleted", "BIGINT NOT NULL DEFAULT 0"},
	{"checkpoints", "conflicts", "BIGINT NOT NULL DEFAULT 0"},
	{"checkpoints", "skipped", "BIGINT NOT NULL DEFAULT 0"},
	{"checkpoints", "max_modified", "TEXT NOT NULL DEFAULT ''"},
	{"checkpoints", "blanked", "BIGINT NOT NULL DEFAULT 0"},
	{"checkpoints", "merged", "BIGINT NOT NULL DEFAULT 0"},
	{"source_files", "resolved", "TEXT NOT NULL DEFAULT ''"},
	{"drills", "live_runs", "BIGINT NOT NULL DEFAULT 0"},
	{"runs", "ledger_from", "BIGINT NOT NULL DEFAULT 0"},
};

/* The schema's DDL with the store's words in place of @KEY@, @KEYED@ and @BYTES@. */
static int expand_ddl(struct crm_buf *out, const struct crm_store_ops *ops, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(schema_sql) / sizeof(*schema_sql); i++) {
		const char *p = schema_sql[i];
		while (*p && !err->code) {
			if (strncmp(p, "@KEY@", 5) == 0) {
				crm_buf_addstr(out, ops->serial_key, err);
				p += 5;
			} else if (strncmp(p, "@BYTES@", 7) == 0) {
				crm_buf_addstr(out, ops->text_bytes, err);
				p += 7;
			} else if (strncmp(p, "@KEYED@", 7) == 0) {
				crm_buf_addstr(out, ops->keyed_table_suffix, err);
				p += 7;
			} else {
				crm_buf_add(out, p++, 1, err);
			}
		}
	}
	return err->code;
}

static int add_missing_columns(struct crm_state *st, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
		char sql[256];
		int rc = st->store->ops->column_exists(st->store, "crmshift", added_columns[i].table,
						       added_columns[i].column, err);
		if (rc < 0)
			return err->code;
		if (rc)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE crmshift.%s ADD COLUMN %s %s", added_columns[i].table,
			 added_columns[i].column, added_columns[i].decl);
		if (st->store->ops->exec(st->store, sql, err))
			return err->code;
	}
	return 0;
}

/*
 * A state from before watermarks were kept per run held one row per name
 * (crmshift.watermarks): its rows move to watermark_runs, under the runs
 * that published them, and the old table goes. A row of a run rolled back
 * stays behind: what it replaced is not known, and without one the next
 * sync applies all it reads again, where a stale one would skip what the
 * rollback undid. Again after a kill: the copy skips what it copied already.
 */
static int move_watermarks(struct crm_state *st, struct crm_error *err)
{
	int rc = st->store->ops->column_exists(st->store, "crmshift", "watermarks", "name", err);

	if (rc <= 0)
		return rc < 0 ? err->code : 0;
	return st->store->ops->exec(
		st->store,
		"INSERT INTO crmshift.watermark_runs (name, run_id, value) SELECT name, run_id, "
		"value FROM crmshift.watermarks WHERE run_id NOT IN (SELECT id FROM crmshift.runs WHERE "
		"status = 'rolled back') ON CONFLICT DO NOTHING; DROP TABLE crmshift.watermarks",
		err);
}

static int prepare_all(struct crm_state *st, struct crm_error *err)
{
	static const char *const sql[ST_COUNT] = {
		"SELECT target_id, hash, seen_run, write_run, row_hash FROM crmshift.xref WHERE object_id = $1 AND "
		"source_id = $2",
		"INSERT INTO crmshift.xref (object_id, source_id, target_id, hash, seen_run, write_run, row_hash)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (object_id, source_id) DO UPDATE SET"
		" target_id = excluded.target_id, hash = excluded.hash, seen_run = excluded.seen_run,"
		" write_run = excluded.write_run, row_hash = excluded.row_hash",
		"INSERT INTO crmshift.seen (run_id, object_id, source_id, target_id) VALUES ($1, $2, $3, $4)",
		"DELETE FROM crmshift.xref WHERE object_id = $1 AND source_id = $2",
		"UPDATE crmshift.xref SET hash = 0, row_hash = $1 WHERE object_id = $2 AND source_id = $3",
		"SELECT pass1_records, pass1_done, pass2_records, pass2_done, read, inserted, updated, unchanged,"
		" rejected, orphaned, rejects_offset, orphans_offset, deleted, conflicts, skipped, max_modified,"
		" blanked, merged FROM crmshift.checkpoints WHERE run_id = $1 AND object = $2",
		"INSERT INTO crmshift.checkpoints (run_id, object, pass1_records, pass1_done, pass2_records,"
		" pass2_done, read, inserted, updated, unchanged, rejected, orphaned, rejects_offset, orphans_offset,"
		" deleted, conflicts, skipped, max_modified, blanked, merged) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
		" $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT (run_id, object) DO UPDATE SET"
		" pass1_records = excluded.pass1_records, pass1_done = excluded.pass1_done,"
		" pass2_records = excluded.pass2_records, pass2_done = excluded.pass2_done, read = excluded.read,"
		" inserted = excluded.inserted, updated = excluded.updated, unchanged = excluded.unchanged,"
		" rejected = excluded.rejected, orphaned = excluded.orphaned,"
		" rejects_offset = excluded.rejects_offset, orphans_offset = excluded.orphans_offset,"
		" deleted = excluded.deleted, conflicts = excluded.conflicts, skipped = excluded.skipped,"
		" max_modified = excluded.max_modified, blanked = excluded.blanked, merged = excluded.merged",
	};
	size_t i;

	for (i = 0; i < ST_COUNT; i++)
		if (!(st->stmts[i] = crm_stmt_prepare(st->store, sql[i], err)))
			return err->code;
	return 0;
}

int crm_state_open(struct crm_store *store, const char *path, int create, struct crm_state **out, struct crm_error *err)
{
	struct crm_state *st;
	struct crm_buf ddl;
	int rc;

	*out = NULL;
	rc = store->ops->state_open(store, path, create, err);
	if (rc)
		return rc;
	st = crm_calloc(1, sizeof(*st));
	if (!st)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	st->store = store;
	crm_arena_init(&st->ahead_ids, 1 << 16);
	crm_arena_init(&st->waiting_texts, 1 << 12);
	st->waiting_cap = st->store->ops->append_rows ? LEDGER_APPENDED : LEDGER_CHUNK;
	crm_buf_init(&ddl, 1 << 16);
	if (expand_ddl(&ddl, store->ops, err) || store->ops->exec(store, ddl.ptr, err) ||
	    add_missing_columns(st, err) || move_watermarks(st, err) || prepare_all(st, err)) {
		crm_buf_release(&ddl);
		crm_state_close(st);
		return err->code;
	}
	crm_buf_release(&ddl);
	*out = st;
	return 0;
}

static void stop_tracking(struct crm_state *st)
{
	size_t i;

	for (i = 0; i < st->tracked_objects; i++)
		crm_free(st->tracked[i].hashes);
	crm_free(st->tracked);
	st->tracked = NULL;
	st->tracked_objects = 0;
	st->tracked_total = 0;
	st->tracking_broken = 1;
}

/* 4M entries (32 MiB of hashes) at most: beyond, the after-snapshot reads the ledger as before */
#define TRACKED_MAX ((size_t)4 << 20)

static void track_entry(struct crm_state *st, int64_t run, int64_t key, int64_t target_id,
			enum crm_ledger_action action, uint64_t written_hash)
{
	struct tracked_inserts *t = NULL;
	size_t i;

	if (st->tracking_broken)
		return;
	if (run != st->tracked_run || action != CRM_LEDGER_INSERT || !written_hash ||
	    st->tracked_total >= TRACKED_MAX) {
		stop_tracking(st);
		return;
	}
	for (i = st->tracked_objects; i-- > 0 && !t;)
		if (st->tracked[i].key == key)
			t = &st->tracked[i];
	if (!t) {
		struct tracked_inserts *grown = crm_realloc(st->tracked, (st->tracked_objects + 1) * sizeof(*grown));
		if (!grown) {
			stop_tracking(st);
			return;
		}
		st->tracked = grown;
		t = &st->tracked[st->tracked_objects++];
		memset(t, 0, sizeof(*t));
		t->key = key;
		t->first_id = target_id;
	}
	if (target_id != t->first_id + (int64_t)t->count ||
	    crm_grow(&t->hashes, t->count, &t->cap, sizeof(*t->hashes), 4096)) {
		stop_tracking(st);
		return;
	}
	t->hashes[t->count++] = written_hash;
	st->tracked_total++;
}

int crm_state_run_inserts(const struct crm_state *st, int64_t run, int64_t key, int64_t *first_id,
			  const uint64_t **hashes, size_t *count)
{
	size_t i;

	*first_id = 0;
	*hashes = NULL;
	*count = 0;
	if (st->tracking_broken || run != st->tracked_run)
		return 0;
	for (i = 0; i < st->tracked_objects; i++)
		if (st->tracked[i].key == key) {
			*first_id = st->tracked[i].first_id;
			*hashes = st->tracked[i].hashes;
			*count = st->tracked[i].count;
		}
	return 1;
}

void crm_state_close(struct crm_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < ST_COUNT; i++)
		crm_stmt_finalize(st->stmts[i]);
	for (i = 0; i < SET_SQL_COUNT; i++)
		crm_stmt_finalize(st->set_kept[i]);
	for (i = 0; i < LEDGER_CHUNK; i++)
		crm_stmt_finalize(st->ledger_kept[i]);
	stop_tracking(st);
	crm_free(st->ahead);
	crm_state_xref_preload_drop(st);
	crm_arena_release(&st->ahead_ids);
	crm_arena_release(&st->waiting_texts);
	seen_drop(st);
	crm_free(st);
}

/* Steps a statement that returns no row; keeps it for the next use. */
static int step_done(struct crm_store_stmt *s, struct crm_error *err)
{
	int rc = crm_stmt_step(s, err);

	crm_stmt_reset(s);
	if (rc > 0)
		return crm_error_set(err, CRM_EINTERNAL, "state database: a write returned a row");
	return rc;
}

/* Steps a statement prepared for one use that returns no row, and finalizes it. */
static int step_once(struct crm_store_stmt *s, struct crm_error *err)
{
	int rc = crm_stmt_step(s, err);

	crm_stmt_finalize(s);
	if (rc > 0)
		return crm_error_set(err, CRM_EINTERNAL, "state database: a write returned a row");
	return rc;
}

/*
 * A statement for one use, or NULL with err set. Writes the read-ahead
 * holds are written first: whatever the statement reads, it sees them.
 */
static struct crm_store_stmt *once(struct crm_state *st, const char *sql, struct crm_error *err)
{
	if (flush_ahead(st, err))
		return NULL;
	return crm_stmt_prepare(st->store, sql, err);
}

/* Column col as NUL-terminated text into dst (cap bytes; "" for NULL). */
static void copy_col(char *dst, size_t cap, struct crm_store_stmt *s, int col)
{
	size_t len;
	const char *text = crm_stmt_col_text(s, col, &len);

	if (!text || len >= cap)
		len = text ? cap - 1 : 0;
	memcpy(dst, text ? text : "", len);
	dst[len] = '\0';
}

/* Runs s (one row of one integer, such as a count) and finalizes it: 0 and *value, or an error. */
static int one_int(struct crm_store_stmt *s, int64_t *value, struct crm_error *err)
{
	int rc = crm_stmt_step(s, err);

	*value = rc == 1 ? crm_stmt_col_int64(s, 0) : 0;
	crm_stmt_finalize(s);
	if (rc == 0)
		return crm_error_set(err, CRM_EINTERNAL, "state database: a count returned no row");
	return rc < 0 ? rc : 0;
}

/*
 * Run ids are the next after the newest, on every backend: a PostgreSQL
 * sequence would not take back the id of a run rolled back with a preview.
 */
int crm_state_run_start(struct crm_state *st, const char *command, const char *options_json, const char *started_at,
			int64_t *run_id, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "INSERT INTO crmshift.runs (id, command, options, status, started_at, ledger_from) SELECT "
		     "coalesce(max(id), 0) + 1, $1, $2, 'running', $3, "
		     "(SELECT coalesce(max(seq), 0) + 1 FROM crmshift.ledger) FROM crmshift.runs RETURNING id",
		     err);

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, command);
	crm_stmt_str(s, 2, options_json);
	crm_stmt_str(s, 3, started_at);
	if (one_int(s, run_id, err))
		return err->code;
	/* a run begun here: its ledger is all added here, and tracked until something else comes */
	stop_tracking(st);
	st->tracking_broken = 0;
	st->tracked_run = *run_id;
	return 0;
}

static const char *const run_status_names[] = {"running", "done", "interrupted", "rolled back"};

const char *crm_run_status_name(enum crm_run_status status)
{
	return run_status_names[status];
}

int crm_state_run_finish(struct crm_state *st, int64_t run_id, enum crm_run_status status, const char *finished_at,
			 const char *summary_json, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st, "UPDATE crmshift.runs SET status = $1, finished_at = $2, summary = $3 WHERE id = $4", err);

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, crm_run_status_name(status));
	crm_stmt_str(s, 2, finished_at);
	crm_stmt_str(s, 3, summary_json);
	crm_stmt_int64(s, 4, run_id);
	if (step_once(s, err))
		return err->code;
	/* a finished run's marks serve no one: only a running run's are read (and by its --resume) */
	seen_drop(st);
	st->seen_run = 0;
	s = once(st, "DELETE FROM crmshift.seen", err);
	return s ? step_once(s, err) : err->code;
}

int crm_state_run_count(struct crm_state *st, int64_t *count, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "SELECT count(*) FROM crmshift.runs", err);

	return s ? one_int(s, count, err) : err->code;
}

/*
 * The text the query sql (its one parameter the run) selects, into out: 1,
 * 0 when there is no such run (out left as it was), 2 when the column is
 * NULL (out left as it was), or a negative code.
 */
static int run_text(struct crm_state *st, const char *sql, int64_t run_id, struct crm_buf *out, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, sql, err);
	const char *text = NULL;
	size_t len = 0;
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run_id);
	rc = crm_stmt_step(s, err);
	if (rc == 1)
		text = crm_stmt_col_text(s, 0, &len);
	if (text) {
		crm_buf_reset(out);
		crm_buf_add(out, text, len, err);
	}
	crm_stmt_finalize(s);
	if (rc < 0)
		return rc;
	if (err->code)
		return err->code;
	return rc == 0 ? 0 : !text ? 2 : 1;
}

int crm_state_run_summary(struct crm_state *st, int64_t run_id, struct crm_buf *out, struct crm_error *err)
{
	int rc = run_text(st, "SELECT summary FROM crmshift.runs WHERE id = $1", run_id, out, err);

	return rc == 2 ? 0 : rc;
}

int crm_state_object_key(struct crm_state *st, const char *object, const char *table, int create, int64_t *key,
			 struct crm_error *err)
{
	struct crm_store_stmt *s;
	int rc;

	if (create) {
		s = once(st, "INSERT INTO crmshift.objects (name, target_table) VALUES ($1, $2) ON CONFLICT DO NOTHING",
			 err);
		if (!s)
			return err->code;
		crm_stmt_str(s, 1, object);
		crm_stmt_str(s, 2, table);
		if (step_once(s, err))
			return err->code;
	}
	s = once(st, "SELECT id FROM crmshift.objects WHERE name = $1 AND target_table = $2", err);
	if (!s)
		return err->code;
	crm_stmt_str(s, 1, object);
	crm_stmt_str(s, 2, table);
	rc = crm_stmt_step(s, err);
	*key = rc == 1 ? crm_stmt_col_int64(s, 0) : 0;
	crm_stmt_finalize(s);
	return rc;
}

/* Slots n entries take: at most 2 in 3 used. */
#define WHOLE_SLOTS(n) ((n) + (n) / 2 + 16)

void crm_state_xref_preload_drop(struct crm_state *st)
{
	size_t i;

	for (i = 0; st->whole && i < WHOLE_PARTS; i++)
		crm_free(st->whole[i].slots);
	crm_free(st->whole);
	st->whole = NULL;
	st->whole_key = 0;
	st->whole_used = 0;
}

/* The slot of id's key in its part: its entry's, or the empty one where it would go. */
static struct whole_entry *whole_slot(const struct whole_part *part, struct crm_id_hash id)
{
	size_t i = (size_t)(id.low % part->cap);

	while ((part->slots[i].low || part->slots[i].high) &&
	       (part->slots[i].low != id.low || part->slots[i].high != id.high))
		i = i + 1 == part->cap ? 0 : i + 1;
	return &part->slots[i];
}

static struct whole_part *whole_part_of(const struct crm_state *st, struct crm_id_hash id)
{
	return &st->whole[id.high >> (64 - WHOLE_PART_BITS)];
}

/*
 * Room for one more entry in part: a quarter more slots when 2 in 3 are
 * used (a part is small, so growing often costs little, and the table
 * stays at 72 to 90 bytes an entry where doubling made it 144 after each
 * growth). 0, or -1 out of memory.
 */
static int whole_grow(struct whole_part *part)
{
	struct whole_part grown;
	size_t i;

	if ((part->used + 1) * 3 <= part->cap * 2)
		return 0;
	grown.cap = part->cap + part->cap / 4 + 16;
	grown.used = part->used;
	if (!(grown.slots = crm_calloc(grown.cap, sizeof(*grown.slots))))
		return -1;
	for (i = 0; i < part->cap; i++)
		if (part->slots[i].low || part->slots[i].high) {
			struct crm_id_hash k = {part->slots[i].low, part->slots[i].high};
			*whole_slot(&grown, k) = part->slots[i];
		}
	crm_free(part->slots);
	*part = grown;
	return 0;
}

/* Whether an entry's runs fit the whole object's 32 bits. */
static int whole_fits(const struct crm_xref *x)
{
	return x->seen_run >= 0 && x->seen_run <= (int64_t)UINT32_MAX && x->write_run >= 0 &&
	       x->write_run <= (int64_t)UINT32_MAX;
}

/*
 * Sets (x) or removes (x NULL) an entry of the whole object, if key is the
 * object held whole. One past whole_max entries (or out of memory) drops
 * it, and lookups go to the database again.
 */
static void whole_set(struct crm_state *st, int64_t key, const char *id, size_t len, const struct crm_xref *x)
{
	struct crm_id_hash k;
	struct whole_part *part;
	struct whole_entry *e;

	if (!st->whole_key || key != st->whole_key)
		return;
	if (x && !whole_fits(x)) {
		crm_state_xref_preload_drop(st);
		return;
	}
	k = crm_xref_cache_hash(id, len);
	part = whole_part_of(st, k);
	e = whole_slot(part, k);
	if (!e->low && !e->high) {
		if (!x)
			return;
		if (st->whole_used == st->whole_max || whole_grow(part)) {
			crm_state_xref_preload_drop(st);
			return;
		}
		e = whole_slot(part, k);
		part->used++;
		st->whole_used++;
		e->low = k.low;
		e->high = k.high;
	}
	e->target_id = x ? x->target_id : 0;
	if (x) {
		e->hash = x->hash;
		e->row_hash = x->row_hash;
		e->seen_run = (uint32_t)x->seen_run;
		e->write_run = (uint32_t)x->write_run;
	}
}

/* Object key's entry of id when key is held whole: 1 and *x when it has one, 0 when not; -1 when not held. */
static int whole_get(const struct crm_state *st, int64_t key, const char *id, size_t len, struct crm_xref *x)
{
	struct crm_id_hash k;
	const struct whole_entry *e;

	if (!st->whole_key || key != st->whole_key)
		return -1;
	k = crm_xref_cache_hash(id, len);
	e = whole_slot(whole_part_of(st, k), k);
	if (!e->target_id)
		return 0;
	x->target_id = e->target_id;
	x->hash = e->hash;
	x->row_hash = e->row_hash;
	x->seen_run = e->seen_run;
	x->write_run = e->write_run;
	return 1;
}

/* Reads up to WHOLE_PAGE entries of key after the source id in after (then the last read): how many, or an error. */
#define WHOLE_PAGE 65536
static int whole_page(struct crm_state *st, int64_t key, struct crm_buf *after, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "SELECT source_id, target_id, hash, seen_run, write_run, row_hash FROM crmshift.xref "
		     "WHERE object_id = $1 AND source_id > $2 ORDER BY source_id LIMIT 65536",
		     err);
	int rc, n = 0;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	crm_stmt_text(s, 2, after->len ? after->ptr : "", after->len);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t len;
		const char *id = crm_stmt_col_text(s, 0, &len);
		struct crm_xref x;
		x.target_id = crm_stmt_col_int64(s, 1);
		x.hash = (uint64_t)crm_stmt_col_int64(s, 2);
		x.seen_run = crm_stmt_col_int64(s, 3);
		x.write_run = crm_stmt_col_int64(s, 4);
		x.row_hash = (uint64_t)crm_stmt_col_int64(s, 5);
		if (!id || !x.target_id) {
			rc = crm_error_set(err, CRM_EIO, "state database: object %lld has an xref entry without an id",
					   (long long)key);
			break;
		}
		whole_set(st, key, id, len, &x);
		crm_buf_reset(after);
		if (!st->whole_key || crm_buf_add(after, id, len, err)) {
			rc = err->code; /* 0 when it does not fit after all: the read-ahead goes on as before */
			break;
		}
		n++;
	}
	crm_stmt_finalize(s);
	return rc < 0 ? rc : n;
}

int crm_state_xref_preload(struct crm_state *st, int64_t key, int64_t count, size_t max, struct crm_error *err)
{
	struct crm_buf after;
	size_t i;
	int n;

	crm_state_xref_preload_drop(st);
	if (flush_ahead(st, err))
		return err->code;
	if (count < 0 || (uint64_t)count > max)
		return 0;
	if (!(st->whole = crm_calloc(WHOLE_PARTS, sizeof(*st->whole))))
		return 0; /* no memory for it: the read-ahead reads the entries as before */
	/* each part sized for its share of count, grown on its own as entries come */
	for (i = 0; i < WHOLE_PARTS; i++) {
		st->whole[i].cap = WHOLE_SLOTS((size_t)count / WHOLE_PARTS);
		if (!(st->whole[i].slots = crm_calloc(st->whole[i].cap, sizeof(*st->whole[i].slots)))) {
			crm_state_xref_preload_drop(st);
			return 0;
		}
	}
	st->whole_key = key;
	st->whole_max = max;
	/* a page at a time, by source id: a server's whole result would sit in memory at once */
	crm_buf_init(&after, CRM_MAX_FIELD_LEN); /* an id is a field of an export */
	do {
		n = whole_page(st, key, &after, err);
	} while (n == WHOLE_PAGE && st->whole_key);
	crm_buf_release(&after);
	if (n < 0) {
		crm_state_xref_preload_drop(st);
		return n;
	}
	return st->whole_key != 0;
}

static int ahead_cmp(const void *a, const void *b)
{
	const struct ahead *x = a, *y = b;
	int c;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	c = memcmp(x->id, y->id, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The read-ahead's entry of (key, id), or NULL when it holds none. */
static struct ahead *ahead_find(struct crm_state *st, int64_t key, const char *id, size_t len)
{
	struct ahead probe = {0};

	if (!st->ahead_count)
		return NULL;
	probe.key = key;
	probe.id = id;
	probe.len = len;
	return bsearch(&probe, st->ahead, st->ahead_count, sizeof(*st->ahead), ahead_cmp);
}

/*
 * A statement of the xref for n ids: the SELECT of their entries ($1 the
 * key), the upsert of n whole entries (7 parameters each), their seen
 * marks ($1 the run, $2 the key), their DELETE ($1 the key), or the undo
 * of a run's updates of their rows ($1 the key; each id with the row's
 * hash before the run: crm_state_xref_undo).
 */
static struct crm_store_stmt *set_sql(struct crm_state *st, enum set_sql which, size_t n, struct crm_error *err)
{
	static const char *const head[] = {
		("SELECT source_id, target_id, hash, seen_run, write_run, row_hash FROM crmshift.xref "
		 "WHERE object_id = $1 AND source_id IN ("),
		("INSERT INTO crmshift.xref (object_id, source_id, target_id, hash, seen_run, write_run, row_hash) "
		 "VALUES "),
		"INSERT INTO crmshift.seen (run_id, object_id, source_id, target_id) VALUES ",
		"DELETE FROM crmshift.xref WHERE object_id = $1 AND source_id IN (",
		"UPDATE crmshift.xref SET hash = 0, row_hash = v.column3 FROM (VALUES ",
	};
	struct crm_store_stmt *s = NULL;
	struct crm_buf sql;
	size_t i;

	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	crm_buf_addstr(&sql, head[which], err);
	for (i = 0; i < n; i++) {
		if (which == SET_SQL_PUT) {
			int p = 1 + 7 * (int)i;
			crm_buf_addf(&sql, err, "%s($%d, $%d, $%d, $%d, $%d, $%d, $%d)", i ? ", " : "", p, p + 1, p + 2,
				     p + 3, p + 4, p + 5, p + 6);
		} else if (which == SET_SQL_SEEN) {
			crm_buf_addf(&sql, err, "%s($1, $2, $%d, $%d)", i ? ", " : "", 3 + 2 * (int)i, 4 + 2 * (int)i);
		} else if (which == SET_SQL_UNDO) {
			/* the key in every row: SQLite numbers $n in the order they first appear */
			crm_buf_addf(&sql, err, "%s(CAST($1 AS BIGINT), $%d, CAST($%d AS BIGINT))", i ? ", " : "",
				     2 + 2 * (int)i, 3 + 2 * (int)i);
		} else {
			crm_buf_addf(&sql, err, "%s$%d", i ? ", " : "", 2 + (int)i);
		}
	}
	crm_buf_addstr(&sql,
		       which == SET_SQL_PUT
			       ? " ON CONFLICT (object_id, source_id) DO UPDATE SET target_id = excluded.target_id,"
				 " hash = excluded.hash, seen_run = excluded.seen_run, write_run = excluded.write_run,"
				 " row_hash = excluded.row_hash"
		       : which == SET_SQL_SEEN ? ""
		       : which == SET_SQL_UNDO ? ") AS v WHERE object_id = v.column1 AND source_id = v.column2"
					       : ")",
		       err);
	if (!err->code)
		s = crm_stmt_prepare(st->store, sql.ptr, err);
	crm_buf_release(&sql);
	return s;
}

/*
 * The statement for a chunk of n: the kept one for a full chunk (prepared
 * once: SQLite's parse of n numbered parameters costs n squared), else one
 * for this use.
 */
static struct crm_store_stmt *set_stmt(struct crm_state *st, enum set_sql which, size_t n, struct crm_error *err)
{
	struct crm_store_stmt **kept = &st->set_kept[which];

	if (n != SET_CHUNK)
		return set_sql(st, which, n, err);
	if (!*kept)
		*kept = set_sql(st, which, n, err);
	return *kept;
}

static void set_done(struct crm_store_stmt *s, size_t n)
{
	if (n == SET_CHUNK)
		crm_stmt_reset(s);
	else
		crm_stmt_finalize(s);
}

/* A whole entry's 7 parameters of SET_SQL_PUT, from $p on. */
static void bind_entry(struct crm_store_stmt *s, int p, int64_t key, const char *id, size_t len,
		       const struct crm_xref *x)
{
	crm_stmt_int64(s, p, key);
	crm_stmt_text(s, p + 1, id, len);
	crm_stmt_int64(s, p + 2, x->target_id);
	crm_stmt_int64(s, p + 3, (int64_t)x->hash);
	crm_stmt_int64(s, p + 4, x->seen_run);
	crm_stmt_int64(s, p + 5, x->write_run);
	crm_stmt_int64(s, p + 6, (int64_t)x->row_hash);
}

/*
 * Writes the entries of one kind of waiting write, SET_CHUNK to a
 * statement: whole entries upserted, or the seen_run of unchanged records
 * (one parameter a record instead of seven), those of one run together;
 * each statement of one object's entries (they lie together, by key).
 */
static int flush_kind(struct crm_state *st, int kind, struct crm_error *err)
{
	struct ahead *batch[SET_CHUNK];
	size_t i = 0;

	for (;;) {
		struct crm_store_stmt *s;
		size_t n = 0, k;
		int rc;
		for (; i < st->ahead_count && n < SET_CHUNK; i++) {
			struct ahead *a = &st->ahead[i];
			if ((int)a->pending != kind ||
			    (kind == AHEAD_SEEN && n && a->x.seen_run != batch[0]->x.seen_run))
				continue;
			if (n && a->key != batch[0]->key)
				break; /* the next statement starts at it */
			batch[n++] = a;
		}
		if (!n)
			return 0;
		if (!(s = set_stmt(st,
				   kind == AHEAD_PUT	? SET_SQL_PUT
				   : kind == AHEAD_SEEN ? SET_SQL_SEEN
							: SET_SQL_FORGET,
				   n, err)))
			return err->code;
		if (kind == AHEAD_FORGET)
			crm_stmt_int64(s, 1, batch[0]->key);
		if (kind == AHEAD_SEEN) {
			crm_stmt_int64(s, 1, batch[0]->x.seen_run);
			crm_stmt_int64(s, 2, batch[0]->key);
		}
		for (k = 0; k < n; k++) {
			int p = 1 + 7 * (int)k;
			if (kind == AHEAD_SEEN) {
				crm_stmt_text(s, 3 + 2 * (int)k, batch[k]->id, batch[k]->len);
				crm_stmt_int64(s, 4 + 2 * (int)k, batch[k]->x.target_id);
				continue;
			}
			if (kind == AHEAD_FORGET) {
				crm_stmt_text(s, 2 + (int)k, batch[k]->id, batch[k]->len);
				continue;
			}
			bind_entry(s, p, batch[k]->key, batch[k]->id, batch[k]->len, &batch[k]->x);
		}
		rc = crm_stmt_step(s, err);
		set_done(s, n);
		if (rc)
			return rc < 0 ? rc
				      : crm_error_set(err, CRM_EINTERNAL, "state database: a write returned a row");
		for (k = 0; k < n; k++)
			batch[k]->pending = AHEAD_CLEAN;
		st->ahead_pending -= n;
		/* a seen_run of another run left behind: go over the entries again */
		if (kind == AHEAD_SEEN && i == st->ahead_count && st->ahead_pending)
			i = 0;
	}
}

static int flush_ledger(struct crm_state *st, struct crm_error *err);

/* Writes every entry whose write waits: the ledger's, then the read-ahead's. */
static int flush_ahead(struct crm_state *st, struct crm_error *err)
{
	if (st->waiting_count && flush_ledger(st, err))
		return err->code;
	if (!st->ahead_pending)
		return 0;
	if (flush_kind(st, AHEAD_PUT, err) || flush_kind(st, AHEAD_SEEN, err) || flush_kind(st, AHEAD_FORGET, err))
		return err->code;
	if (st->ahead_pending)
		return crm_error_set(err, CRM_EINTERNAL, "state: a read-ahead write went missing");
	return 0;
}

void crm_state_discard(struct crm_state *st)
{
	/* the marks of the transaction are gone from crmshift.seen: read the rest again when next asked */
	st->seen_loaded = 0;
	crm_state_xref_preload_drop(st); /* it holds the transaction's writes */
	st->ahead_count = 0;
	st->ahead_pending = 0;
	crm_arena_reset(&st->ahead_ids);
	st->waiting_count = 0;
	crm_arena_reset(&st->waiting_texts);
	stop_tracking(st);
}

int crm_state_analyze(struct crm_state *st, int64_t changed, struct crm_error *err)
{
	const struct crm_store_ops *ops = st->store->ops;

	if (!ops->analyze || flush_ahead(st, err))
		return err->code;
	/* the columns the state's statements filter on */
	return ops->analyze(st->store, "crmshift", "xref", "object_id, source_id, target_id, seen_run", changed, err) ||
			       ops->analyze(st->store, "crmshift", "ledger", "seq, run_id", changed, err)
		       ? err->code
		       : 0;
}

int crm_state_flush(struct crm_state *st, struct crm_error *err)
{
	return flush_ahead(st, err);
}

int crm_state_xref_prefetch(struct crm_state *st, const struct crm_state_ids *sets, size_t set_count,
			    struct crm_error *err)
{
	size_t i, j, n = 0, kept = 0;

	if (flush_ahead(st, err))
		return err->code;
	st->ahead_count = 0;
	crm_arena_reset(&st->ahead_ids);
	for (j = 0; j < set_count; j++)
		n += sets[j].n;
	if (n > st->ahead_cap) {
		struct ahead *grown = crm_realloc(st->ahead, n * sizeof(*grown));
		if (!grown)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		st->ahead = grown;
		st->ahead_cap = n;
	}
	for (j = 0; j < set_count; j++)
		for (i = 0; i < sets[j].n; i++) {
			struct ahead *a = &st->ahead[kept];
			if (!sets[j].ids[i].len)
				continue;
			memset(a, 0, sizeof(*a));
			a->key = sets[j].key;
			a->len = sets[j].ids[i].len;
			if (!(a->id = crm_arena_strndup(&st->ahead_ids, sets[j].ids[i].ptr, a->len)))
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			kept++;
		}
	if (kept) /* st->ahead may be NULL: nothing was read ahead yet */
		qsort(st->ahead, kept, sizeof(*st->ahead), ahead_cmp);
	/* one entry an id */
	for (i = 0, n = 0; i < kept; i++)
		if (!n || ahead_cmp(&st->ahead[n - 1], &st->ahead[i]) != 0)
			st->ahead[n++] = st->ahead[i];
	/* SET_CHUNK ids of one object a statement; the object held whole needs none */
	for (i = 0; i < n;) {
		size_t k, count = 0;
		struct crm_store_stmt *s;
		int rc;
		while (i + count < n && count < SET_CHUNK && st->ahead[i + count].key == st->ahead[i].key)
			count++;
		if (st->whole_key && st->ahead[i].key == st->whole_key) {
			for (k = 0; k < count; k++) {
				struct ahead *a = &st->ahead[i + k];
				a->found = whole_get(st, a->key, a->id, a->len, &a->x) == 1;
			}
			i += count;
			continue;
		}
		if (!(s = set_stmt(st, SET_SQL_GET, count, err)))
			return err->code;
		crm_stmt_int64(s, 1, st->ahead[i].key);
		for (k = 0; k < count; k++)
			crm_stmt_text(s, 2 + (int)k, st->ahead[i + k].id, st->ahead[i + k].len);
		while ((rc = crm_stmt_step(s, err)) == 1) {
			struct ahead probe = {0}, *a;
			probe.key = st->ahead[i].key;
			probe.id = crm_stmt_col_text(s, 0, &probe.len);
			a = probe.id ? bsearch(&probe, st->ahead + i, count, sizeof(*a), ahead_cmp) : NULL;
			if (!a)
				continue;
			a->found = 1;
			a->x.target_id = crm_stmt_col_int64(s, 1);
			a->x.hash = (uint64_t)crm_stmt_col_int64(s, 2);
			a->x.seen_run = crm_stmt_col_int64(s, 3);
			a->x.write_run = crm_stmt_col_int64(s, 4);
			a->x.row_hash = (uint64_t)crm_stmt_col_int64(s, 5);
		}
		set_done(s, count);
		if (rc < 0)
			return rc;
		i += count;
	}
	st->ahead_count = n;
	return 0;
}

int crm_state_seen_begin(struct crm_state *st, int64_t run, struct crm_error *err)
{
	struct crm_store_stmt *s;
	struct seen_bits *ids;
	int rc;

	seen_drop(st);
	st->seen_run = run;
	/* marks of other runs are left by a run that was killed and never resumed */
	s = once(st, "DELETE FROM crmshift.seen WHERE run_id <> $1", err);
	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	if (step_once(s, err) ||
	    !(s = once(st, "SELECT object_id, target_id FROM crmshift.seen WHERE run_id = $1", err)))
		return err->code;
	crm_stmt_int64(s, 1, run);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		if (!(ids = seen_set(st, crm_stmt_col_int64(s, 0), err)) ||
		    seen_add(ids, crm_stmt_col_int64(s, 1), err)) {
			rc = err->code;
			break;
		}
	}
	crm_stmt_finalize(s);
	if (rc < 0)
		return rc;
	st->seen_loaded = 1;
	return 0;
}

/* A found entry of key: its seen_run is this run's when the run marked it seen (the mark is not in the xref). 1, or a negative code. */
static int seen_by_this_run(struct crm_state *st, int64_t key, struct crm_xref *xref, struct crm_error *err)
{
	size_t i;

	if (!st->seen_run || xref->seen_run == st->seen_run)
		return 1;
	if (!st->seen_loaded && crm_state_seen_begin(st, st->seen_run, err))
		return err->code;
	for (i = 0; i < st->seen_set_count; i++)
		if (st->seen_sets[i].key == key && seen_has(&st->seen_sets[i].ids, xref->target_id))
			xref->seen_run = st->seen_run;
	return 1;
}

int crm_state_xref_get(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
		       struct crm_xref *xref, struct crm_error *err)
{
	struct crm_store_stmt *s = st->stmts[ST_XREF_GET];
	struct ahead *a = ahead_find(st, key, source_id, source_id_len);
	int rc;

	if (a) {
		if (!a->found)
			return 0;
		*xref = a->x;
		return seen_by_this_run(st, key, xref, err);
	}
	rc = whole_get(st, key, source_id, source_id_len, xref);
	if (rc >= 0)
		return rc == 1 ? seen_by_this_run(st, key, xref, err) : 0;
	crm_stmt_int64(s, 1, key);
	crm_stmt_text(s, 2, source_id, source_id_len);
	rc = crm_stmt_step(s, err);
	if (rc == 1) {
		xref->target_id = crm_stmt_col_int64(s, 0);
		xref->hash = (uint64_t)crm_stmt_col_int64(s, 1);
		xref->seen_run = crm_stmt_col_int64(s, 2);
		xref->write_run = crm_stmt_col_int64(s, 3);
		xref->row_hash = (uint64_t)crm_stmt_col_int64(s, 4);
	}
	crm_stmt_reset(s);
	return rc == 1 ? seen_by_this_run(st, key, xref, err) : rc;
}

int crm_state_xref_put(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
		       const struct crm_xref *xref, struct crm_error *err)
{
	struct crm_store_stmt *s = st->stmts[ST_XREF_PUT];
	struct ahead *a = ahead_find(st, key, source_id, source_id_len);

	whole_set(st, key, source_id, source_id_len, xref);
	if (a) {
		a->found = 1;
		a->x = *xref;
		st->ahead_pending += a->pending == AHEAD_CLEAN;
		a->pending = AHEAD_PUT;
		return 0;
	}

	crm_stmt_int64(s, 1, key);
	crm_stmt_text(s, 2, source_id, source_id_len);
	crm_stmt_int64(s, 3, xref->target_id);
	crm_stmt_int64(s, 4, (int64_t)xref->hash);
	crm_stmt_int64(s, 5, xref->seen_run);
	crm_stmt_int64(s, 6, xref->write_run);
	crm_stmt_int64(s, 7, (int64_t)xref->row_hash);
	return step_done(s, err);
}

int crm_state_xref_seen(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
			int64_t target_id, int64_t run, struct crm_error *err)
{
	struct crm_store_stmt *s = st->stmts[ST_XREF_SEEN];
	struct ahead *a = ahead_find(st, key, source_id, source_id_len);
	struct seen_bits *ids;
	struct crm_xref x;
	int rc;

	if ((run != st->seen_run || !st->seen_loaded) && crm_state_seen_begin(st, run, err))
		return err->code;
	if (!target_id) {
		rc = crm_state_xref_get(st, key, source_id, source_id_len, &x, err);
		if (rc <= 0)
			return rc; /* an entry that is not there has nothing to mark */
		target_id = x.target_id;
	}
	if (!(ids = seen_set(st, key, err)))
		return err->code;
	if (seen_has(ids, target_id))
		return 0; /* marked already */
	if (seen_add(ids, target_id, err))
		return err->code;
	if (a) {
		/* an entry that is not there has nothing to mark, as in the database */
		if (a->found && a->x.seen_run != run) {
			a->x.seen_run = run;
			st->ahead_pending += a->pending == AHEAD_CLEAN;
			if (a->pending == AHEAD_CLEAN)
				a->pending = AHEAD_SEEN;
		}
		return 0;
	}

	crm_stmt_int64(s, 1, run);
	crm_stmt_int64(s, 2, key);
	crm_stmt_text(s, 3, source_id, source_id_len);
	crm_stmt_int64(s, 4, target_id);
	return step_done(s, err);
}

/* The page cache while xref_from_ledger sorts (store.h: cache_limit). */
#define XREF_SORT_CACHE ((size_t)4 << 20)

int crm_state_xref_from_ledger(struct crm_state *st, int64_t run, int64_t key, int64_t from_seq, int missing_only,
			       struct crm_error *err)
{
	static const char all[] =
		"INSERT INTO crmshift.xref (object_id, source_id, target_id, hash, seen_run, write_run, row_hash) "
		"SELECT object_id, source_id, target_id, hash, run_id, run_id, row_hash FROM crmshift.ledger "
		"WHERE run_id = $1 AND object_id = $2 AND seq >= $3 AND seq <= $4 AND action = 'insert' "
		"ORDER BY source_id";
	static const char missing[] =
		"INSERT INTO crmshift.xref (object_id, source_id, target_id, hash, seen_run, write_run, row_hash) "
		"SELECT l.object_id, l.source_id, l.target_id, l.hash, l.run_id, l.run_id, l.row_hash "
		"FROM crmshift.ledger l WHERE l.run_id = $1 AND l.object_id = $2 AND l.seq >= $3 AND l.seq <= $4 "
		"AND l.action = 'insert' AND NOT EXISTS (SELECT 1 FROM crmshift.xref x WHERE x.object_id = l.object_id "
		"AND x.source_id = l.source_id) ORDER BY l.source_id";
	struct crm_store_stmt *s;
	int64_t first, last;

	crm_state_xref_preload_drop(st); /* entries it does not see */
	/* the run's range of the primary key, not the whole ledger (SQLite numbers $n as they appear) */
	if (crm_state_ledger_range(st, run, &first, &last, err))
		return err->code;
	if (first < from_seq)
		first = from_seq;
	if (last < first)
		return 0;
	/*
	 * The sort by source id takes as much memory as the page cache may, on
	 * each of its threads: a small cache keeps a load's peak where its
	 * records had it (the sort goes through a temporary file), at no cost
	 * in time (1M entries).
	 */
	if (st->store->ops->cache_limit(st->store, XREF_SORT_CACHE, err) ||
	    !(s = once(st, missing_only ? missing : all, err)))
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_int64(s, 2, key);
	crm_stmt_int64(s, 3, first);
	crm_stmt_int64(s, 4, last);
	if (step_once(s, err))
		return err->code;
	return st->store->ops->cache_limit(st->store, 0, err);
}

int crm_state_xref_any(struct crm_state *st, int64_t key, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "SELECT 1 FROM crmshift.xref WHERE object_id = $1 LIMIT 1", err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	rc = crm_stmt_step(s, err);
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_xref_count(struct crm_state *st, int64_t key, int64_t *count, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "SELECT count(*) FROM crmshift.xref WHERE object_id = $1", err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	return one_int(s, count, err);
}

int crm_state_xref_count_upto(struct crm_state *st, int64_t key, int64_t limit, int64_t *count, struct crm_error *err)
{
	struct crm_store_stmt *s = once(
		st, "SELECT count(*) FROM (SELECT 1 FROM crmshift.xref WHERE object_id = $1 LIMIT $2) AS entries", err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	crm_stmt_int64(s, 2, limit);
	return one_int(s, count, err);
}

int crm_state_meta_get(struct crm_state *st, const char *key, char *out, size_t cap, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "SELECT value FROM crmshift.meta WHERE key = $1", err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, key);
	rc = crm_stmt_step(s, err);
	if (rc == 1)
		copy_col(out, cap, s, 0);
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_meta_put(struct crm_state *st, const char *key, const char *value, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st,
					"INSERT INTO crmshift.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO "
					"UPDATE SET value = excluded.value",
					err);

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, key);
	crm_stmt_str(s, 2, value);
	return step_once(s, err);
}

int crm_state_xref_each(struct crm_state *st, int64_t key, crm_state_id_fn fn, void *ctx, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "SELECT source_id FROM crmshift.xref WHERE object_id = $1", err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t len;
		const char *id = crm_stmt_col_text(s, 0, &len);
		if (fn(ctx, id, len, err)) {
			rc = err->code;
			break;
		}
	}
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_xref_source_ids(struct crm_state *st, int64_t key, const int64_t *targets, size_t n, char (*out)[64],
			      struct crm_error *err)
{
	struct crm_store_stmt *s;
	size_t i;
	int rc;

	if (n > CRM_STATE_SOURCE_IDS_MAX)
		return crm_error_set(err, CRM_EINTERNAL, "at most %d source ids at once", CRM_STATE_SOURCE_IDS_MAX);
	/* one pass over the object's entries (the key has no target id index) */
	s = once(st,
		 "SELECT target_id, source_id FROM crmshift.xref WHERE object_id = $1 AND target_id IN "
		 "($2, $3, $4, $5, $6, $7, $8, $9)",
		 err);
	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	for (i = 0; i < CRM_STATE_SOURCE_IDS_MAX; i++)
		crm_stmt_int64(s, (int)i + 2, i < n ? targets[i] : 0); /* target ids start at 1 */
	for (i = 0; i < n; i++)
		out[i][0] = '\0';
	while ((rc = crm_stmt_step(s, err)) == 1) {
		int64_t target = crm_stmt_col_int64(s, 0);
		for (i = 0; i < n; i++)
			if (targets[i] == target)
				copy_col(out[i], sizeof(out[i]), s, 1);
	}
	crm_stmt_finalize(s);
	return rc;
}

/* Puts each (source id, target id) row s gives into cache: 0, or the error code. */
static int fill_cache(struct crm_store_stmt *s, struct crm_xref_cache *cache, struct crm_error *err)
{
	int rc;

	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t len;
		const char *id = crm_stmt_col_text(s, 0, &len);
		if (crm_xref_cache_put(cache, id, len, crm_stmt_col_int64(s, 1), err)) {
			rc = err->code;
			break;
		}
	}
	crm_stmt_finalize(s);
	return rc;
}

struct crm_xref_cache *crm_state_xref_cache_load(struct crm_state *st, int64_t key, struct crm_error *err)
{
	struct crm_xref_cache *cache = crm_xref_cache_new();
	struct crm_store_stmt *s;
	int64_t count;

	if (!cache) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (!key)
		return cache;
	if (crm_state_xref_count(st, key, &count, err) ||
	    crm_xref_cache_reserve(cache, (size_t)(count > 0 ? count : 0), err))
		goto out_free;
	s = once(st, "SELECT source_id, target_id FROM crmshift.xref WHERE object_id = $1", err);
	if (!s)
		goto out_free;
	crm_stmt_int64(s, 1, key);
	if (fill_cache(s, cache, err) == 0)
		return cache;
out_free:
	crm_xref_cache_free(cache);
	return NULL;
}

struct crm_xref_cache *crm_state_inserted_cache_load(struct crm_state *st, int64_t run, int64_t key, size_t count,
						     struct crm_error *err)
{
	struct crm_xref_cache *cache = crm_xref_cache_new();
	struct crm_store_stmt *s;
	int64_t first, last;

	if (!cache) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	/* the run's range of the primary key, not the whole ledger */
	if (crm_state_ledger_range(st, run, &first, &last, err) || crm_xref_cache_reserve(cache, count, err))
		goto out_free;
	s = once(st,
		 "SELECT source_id, target_id FROM crmshift.ledger WHERE run_id = $1 AND object_id = $2 "
		 "AND seq >= $3 AND seq <= $4 AND action = 'insert'",
		 err);
	if (!s)
		goto out_free;
	crm_stmt_int64(s, 1, run);
	crm_stmt_int64(s, 2, key);
	crm_stmt_int64(s, 3, first);
	crm_stmt_int64(s, 4, last);
	if (fill_cache(s, cache, err) == 0)
		return cache;
out_free:
	crm_xref_cache_free(cache);
	return NULL;
}

static const char *const ledger_action_names[] = {"insert", "update", "delete"};

/* The columns of a ledger entry, as its INSERT and its append name them. */
static const char *const ledger_columns[] = {"run_id",	  "object_id", "target_id", "source_id",   "action",
					     "pre_image", "hash",      "row_hash",  "written_hash"};
#define ENTRY_FIELDS (sizeof(ledger_columns) / sizeof(*ledger_columns))

/* The INSERT of n ledger entries, ENTRY_FIELDS parameters each. */
static struct crm_store_stmt *ledger_sql(struct crm_state *st, size_t n, struct crm_error *err)
{
	struct crm_store_stmt *s = NULL;
	struct crm_buf sql;
	size_t i, c;

	crm_buf_init(&sql, CRM_MAX_SQL_LEN);
	crm_buf_addstr(&sql, "INSERT INTO crmshift.ledger (", err);
	for (c = 0; c < ENTRY_FIELDS; c++)
		crm_buf_addf(&sql, err, "%s%s", c ? ", " : "", ledger_columns[c]);
	crm_buf_addstr(&sql, ") VALUES ", err);
	for (i = 0; i < n; i++) {
		crm_buf_addstr(&sql, i ? ", (" : "(", err);
		for (c = 0; c < ENTRY_FIELDS; c++)
			crm_buf_addf(&sql, err, "%s$%d", c ? ", " : "", (int)(i * ENTRY_FIELDS + c) + 1);
		crm_buf_addch(&sql, ')', err);
	}
	if (!err->code)
		s = crm_stmt_prepare(st->store, sql.ptr, err);
	crm_buf_release(&sql);
	return s;
}

/* The waiting entries in one append (a COPY): in their order, as COPY keeps it. */
static int ledger_appended(struct crm_state *st, struct crm_error *err)
{
	struct crm_store_field *f = crm_calloc(st->waiting_count * ENTRY_FIELDS, sizeof(*f));
	size_t i;

	if (!f)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < st->waiting_count; i++) {
		const struct waiting_entry *e = &st->waiting[i];
		struct crm_store_field *row = f + i * ENTRY_FIELDS;
		row[0].number = e->run;
		row[1].number = e->key;
		row[2].number = e->target_id;
		row[3].text = e->source_id;
		row[3].len = e->source_id_len;
		row[4].text = ledger_action_names[e->action];
		row[4].len = strlen(row[4].text);
		row[5].text = e->pre_image;
		row[5].len = e->pre_image ? strlen(e->pre_image) : 0;
		row[5].null = !e->pre_image;
		row[6].number = (int64_t)e->hash;
		row[7].number = (int64_t)e->row_hash;
		row[8].number = (int64_t)e->written_hash;
	}
	st->store->ops->append_rows(st->store, "ledger", ledger_columns, ENTRY_FIELDS, f, st->waiting_count, err);
	crm_free(f);
	return err->code;
}

/* The waiting entries (LEDGER_CHUNK at most) in one INSERT, prepared once for each count. */
static int ledger_inserted(struct crm_state *st, struct crm_error *err)
{
	size_t n = st->waiting_count, i;
	struct crm_store_stmt *s = st->ledger_kept[n - 1];
	int rc;

	if (!s && !(s = st->ledger_kept[n - 1] = ledger_sql(st, n, err)))
		return err->code;
	for (i = 0; i < n; i++) {
		const struct waiting_entry *e = &st->waiting[i];
		int p = 1 + (int)(ENTRY_FIELDS * i);
		crm_stmt_int64(s, p, e->run);
		crm_stmt_int64(s, p + 1, e->key);
		crm_stmt_int64(s, p + 2, e->target_id);
		crm_stmt_text(s, p + 3, e->source_id, e->source_id_len);
		crm_stmt_str(s, p + 4, ledger_action_names[e->action]);
		crm_stmt_str(s, p + 5, e->pre_image);
		crm_stmt_int64(s, p + 6, (int64_t)e->hash);
		crm_stmt_int64(s, p + 7, (int64_t)e->row_hash);
		crm_stmt_int64(s, p + 8, (int64_t)e->written_hash);
	}
	rc = crm_stmt_step(s, err);
	crm_stmt_reset(s);
	if (rc)
		return rc < 0 ? rc : crm_error_set(err, CRM_EINTERNAL, "state database: a write returned a row");
	return 0;
}

/* Writes the waiting ledger entries, in the order they were added (their seq follows it). */
static int flush_ledger(struct crm_state *st, struct crm_error *err)
{
	if (st->store->ops->append_rows ? ledger_appended(st, err) : ledger_inserted(st, err))
		return err->code;
	st->waiting_count = 0;
	crm_arena_reset(&st->waiting_texts);
	return 0;
}

int crm_state_ledger_add(struct crm_state *st, int64_t run, int64_t key, int64_t target_id, const char *source_id,
			 size_t source_id_len, enum crm_ledger_action action, const char *pre_image, uint64_t hash,
			 uint64_t row_hash, uint64_t written_hash, struct crm_error *err)
{
	struct waiting_entry *e;

	/* a flush that failed (its caller saw the error) left them all waiting: room first */
	if (st->waiting_count == st->waiting_cap && flush_ledger(st, err))
		return err->code;
	e = &st->waiting[st->waiting_count];
	e->source_id = crm_arena_strndup(&st->waiting_texts, source_id, source_id_len);
	e->pre_image = pre_image ? crm_arena_strndup(&st->waiting_texts, pre_image, strlen(pre_image)) : NULL;
	if (!e->source_id || (pre_image && !e->pre_image))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	e->run = run;
	e->key = key;
	e->target_id = target_id;
	e->source_id_len = source_id_len;
	e->action = action;
	e->hash = hash;
	e->row_hash = row_hash;
	e->written_hash = written_hash;
	track_entry(st, run, key, target_id, action, written_hash);
	return ++st->waiting_count == st->waiting_cap ? flush_ledger(st, err) : 0;
}

/* The columns crm_state_inserted appends: an xref entry, then a ledger entry, per row. */
static const char *const inserted_xref_columns[] = {"object_id", "source_id", "target_id", "hash",
						    "seen_run",	 "write_run", "row_hash"};
static const char *const inserted_ledger_columns[] = {"run_id", "object_id", "target_id",   "source_id",
						      "action", "hash",	     "written_hash"};
#define XREF_FIELDS   (sizeof(inserted_xref_columns) / sizeof(*inserted_xref_columns))
#define LEDGER_FIELDS (sizeof(inserted_ledger_columns) / sizeof(*inserted_ledger_columns))

/* With the store's append_rows: two appends, the read-ahead's entries of the rows kept true. */
static int inserted_appended(struct crm_state *st, int64_t run, int64_t key, const struct crm_inserted *rows, size_t n,
			     int ledger_only, struct crm_error *err)
{
	const char *insert = ledger_action_names[CRM_LEDGER_INSERT];
	size_t insert_len = strlen(insert);
	struct crm_store_field *xf, *lf;
	size_t i;

	if (flush_ahead(st, err))
		return err->code;
	xf = crm_calloc(n * XREF_FIELDS, sizeof(*xf));
	lf = crm_calloc(n * LEDGER_FIELDS, sizeof(*lf));
	if (!xf || !lf) {
		crm_free(xf);
		crm_free(lf);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		const struct crm_inserted *r = &rows[i];
		struct crm_store_field *x = xf + i * XREF_FIELDS, *l = lf + i * LEDGER_FIELDS;
		struct ahead *a = ledger_only ? NULL : ahead_find(st, key, r->source_id, r->source_id_len);
		x[0].number = key;
		x[1].text = r->source_id;
		x[1].len = r->source_id_len;
		x[2].number = r->target_id;
		x[3].number = (int64_t)r->hash;
		x[4].number = x[5].number = run;
		x[6].number = (int64_t)r->row_hash;
		l[0].number = run;
		l[1].number = key;
		l[2].number = r->target_id;
		l[3] = x[1];
		l[4].text = insert;
		l[4].len = insert_len;
		l[5].number = (int64_t)r->hash;
		l[6].number = (int64_t)r->written_hash;
		track_entry(st, run, key, r->target_id, CRM_LEDGER_INSERT, r->written_hash);
		if (!ledger_only) {
			struct crm_xref x_now = {r->target_id, r->hash, run, run, r->row_hash};
			whole_set(st, key, r->source_id, r->source_id_len, &x_now);
			if (a) {
				a->found = 1;
				a->x = x_now;
			}
		}
	}
	if (ledger_only ||
	    !st->store->ops->append_rows(st->store, "xref", inserted_xref_columns, XREF_FIELDS, xf, n, err))
		st->store->ops->append_rows(st->store, "ledger", inserted_ledger_columns, LEDGER_FIELDS, lf, n, err);
	crm_free(xf);
	crm_free(lf);
	return err->code;
}

int crm_state_inserted(struct crm_state *st, int64_t run, int64_t key, const struct crm_inserted *rows, size_t n,
		       int ledger_only, struct crm_error *err)
{
	size_t i;

	if (!n)
		return 0;
	if (st->store->ops->append_rows)
		return inserted_appended(st, run, key, rows, n, ledger_only, err);
	/* where statements run in process, row by row costs nothing more */
	for (i = 0; i < n; i++) {
		struct crm_xref x = {rows[i].target_id, rows[i].hash, run, run, rows[i].row_hash};
		if ((!ledger_only && crm_state_xref_put(st, key, rows[i].source_id, rows[i].source_id_len, &x, err)) ||
		    crm_state_ledger_add(st, run, key, rows[i].target_id, rows[i].source_id, rows[i].source_id_len,
					 CRM_LEDGER_INSERT, NULL, rows[i].hash, 0, rows[i].written_hash, err))
			return err->code;
	}
	return 0;
}

int crm_state_checkpoint_get(struct crm_state *st, int64_t run, const char *object, struct crm_checkpoint *cp,
			     struct crm_error *err)
{
	struct crm_store_stmt *s = st->stmts[ST_CP_GET];
	int rc;

	if (flush_ahead(st, err))
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_str(s, 2, object);
	rc = crm_stmt_step(s, err);
	if (rc == 1) {
		cp->pass1_records = crm_stmt_col_int64(s, 0);
		cp->pass1_done = crm_stmt_col_int64(s, 1) != 0;
		cp->pass2_records = crm_stmt_col_int64(s, 2);
		cp->pass2_done = crm_stmt_col_int64(s, 3) != 0;
		cp->counts.read = crm_stmt_col_int64(s, 4);
		cp->counts.inserted = crm_stmt_col_int64(s, 5);
		cp->counts.updated = crm_stmt_col_int64(s, 6);
		cp->counts.unchanged = crm_stmt_col_int64(s, 7);
		cp->counts.rejected = crm_stmt_col_int64(s, 8);
		cp->counts.orphaned = crm_stmt_col_int64(s, 9);
		cp->rejects_offset = crm_stmt_col_int64(s, 10);
		cp->orphans_offset = crm_stmt_col_int64(s, 11);
		cp->counts.deleted = crm_stmt_col_int64(s, 12);
		cp->counts.conflicts = crm_stmt_col_int64(s, 13);
		cp->counts.skipped = crm_stmt_col_int64(s, 14);
		copy_col(cp->max_modified, sizeof(cp->max_modified), s, 15);
		cp->counts.blanked = crm_stmt_col_int64(s, 16);
		cp->counts.merged = crm_stmt_col_int64(s, 17);
	}
	crm_stmt_reset(s);
	return rc;
}

int crm_state_checkpoint_put(struct crm_state *st, int64_t run, const char *object, const struct crm_checkpoint *cp,
			     struct crm_error *err)
{
	struct crm_store_stmt *s = st->stmts[ST_CP_PUT];

	if (flush_ahead(st, err))
		return err->code;

	crm_stmt_int64(s, 1, run);
	crm_stmt_str(s, 2, object);
	crm_stmt_int64(s, 3, cp->pass1_records);
	crm_stmt_int64(s, 4, cp->pass1_done);
	crm_stmt_int64(s, 5, cp->pass2_records);
	crm_stmt_int64(s, 6, cp->pass2_done);
	crm_stmt_int64(s, 7, cp->counts.read);
	crm_stmt_int64(s, 8, cp->counts.inserted);
	crm_stmt_int64(s, 9, cp->counts.updated);
	crm_stmt_int64(s, 10, cp->counts.unchanged);
	crm_stmt_int64(s, 11, cp->counts.rejected);
	crm_stmt_int64(s, 12, cp->counts.orphaned);
	crm_stmt_int64(s, 13, cp->rejects_offset);
	crm_stmt_int64(s, 14, cp->orphans_offset);
	crm_stmt_int64(s, 15, cp->counts.deleted);
	crm_stmt_int64(s, 16, cp->counts.conflicts);
	crm_stmt_int64(s, 17, cp->counts.skipped);
	crm_stmt_str(s, 18, cp->max_modified);
	crm_stmt_int64(s, 19, cp->counts.blanked);
	crm_stmt_int64(s, 20, cp->counts.merged);
	return step_done(s, err);
}

#define RUN_COLUMN_LIST "id, status, started_at, finished_at, command"
#define RUN_COLUMNS	"SELECT " RUN_COLUMN_LIST " FROM crmshift.runs "

/* The run of s's current row into info; 0, or CRM_EIO for a status no crmshift writes. */
static int read_run(struct crm_store_stmt *s, struct crm_run_info *info, struct crm_error *err)
{
	char status[32];
	size_t i;

	info->id = crm_stmt_col_int64(s, 0);
	copy_col(status, sizeof(status), s, 1);
	copy_col(info->started_at, sizeof(info->started_at), s, 2);
	copy_col(info->finished_at, sizeof(info->finished_at), s, 3);
	copy_col(info->command, sizeof(info->command), s, 4);
	for (i = 0; i < CRM_ARRAY_COUNT(run_status_names); i++)
		if (strcmp(status, run_status_names[i]) == 0) {
			info->status = (enum crm_run_status)i;
			return 0;
		}
	return crm_error_set(err, CRM_EIO, "state: run %lld has the status '%s', which no crmshift writes",
			     (long long)info->id, status);
}

/* The run sql selects (its first row), with id bound to its one parameter when non-zero: 1, or 0 when none. */
static int run_row(struct crm_state *st, const char *sql, int64_t id, struct crm_run_info *info, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, sql, err);
	int rc;

	if (!s)
		return err->code;
	if (id)
		crm_stmt_int64(s, 1, id);
	rc = crm_stmt_step(s, err);
	if (rc == 1 && read_run(s, info, err))
		rc = err->code;
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_run_get(struct crm_state *st, int64_t id, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(st, RUN_COLUMNS "WHERE id = $1", id, info, err);
}

int crm_state_run_options(struct crm_state *st, int64_t id, struct crm_buf *out, struct crm_error *err)
{
	int rc = run_text(st, "SELECT options FROM crmshift.runs WHERE id = $1", id, out, err);

	if (rc == 2 || (rc == 1 && !out->len)) {
		crm_buf_reset(out);
		return crm_buf_addstr(out, "{}", err) ? err->code : 1;
	}
	return rc;
}

int crm_state_run_last(struct crm_state *st, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(st, RUN_COLUMNS "ORDER BY id DESC LIMIT 1", 0, info, err);
}

int crm_state_run_newest_live(struct crm_state *st, struct crm_run_info *info, struct crm_error *err)
{
	return run_row(st, RUN_COLUMNS "WHERE status <> 'rolled back' ORDER BY id DESC LIMIT 1", 0, info, err);
}

int crm_state_run_set_status(struct crm_state *st, int64_t id, enum crm_run_status status, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "UPDATE crmshift.runs SET status = $1 WHERE id = $2", err);

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, crm_run_status_name(status));
	crm_stmt_int64(s, 2, id);
	return step_once(s, err);
}

/*
 * Where run's ledger entries may be: from the seq after the ledger's last
 * when it started (runs.ledger_from; 0 for runs from before it was kept)
 * to before the next run's. Runs are sequential, and seqs only grow.
 */
static int ledger_bounds(struct crm_state *st, int64_t run, int64_t *from, int64_t *below, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "SELECT r.ledger_from, coalesce((SELECT min(n.ledger_from) FROM crmshift.runs n WHERE n.id > r.id "
		     "AND n.ledger_from > 0), 9223372036854775807) FROM crmshift.runs r WHERE r.id = $1",
		     err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	rc = crm_stmt_step(s, err);
	*from = rc == 1 ? crm_stmt_col_int64(s, 0) : 0;
	*below = rc == 1 ? crm_stmt_col_int64(s, 1) : INT64_MAX;
	crm_stmt_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The first (or, newest, the last) seq of run between from and below: 1 and *seq, or 0 when it has none. */
static int ledger_end(struct crm_state *st, int64_t run, int64_t from, int64_t below, int newest, int64_t *seq,
		      struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     newest ? "SELECT seq FROM crmshift.ledger WHERE seq >= $1 AND seq < $2 AND run_id = $3 "
			      "ORDER BY seq DESC LIMIT 1"
			    : "SELECT seq FROM crmshift.ledger WHERE seq >= $1 AND seq < $2 AND run_id = $3 "
			      "ORDER BY seq LIMIT 1",
		     err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, from);
	crm_stmt_int64(s, 2, below);
	crm_stmt_int64(s, 3, run);
	rc = crm_stmt_step(s, err);
	if (rc == 1)
		*seq = crm_stmt_col_int64(s, 0);
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_ledger_range(struct crm_state *st, int64_t run, int64_t *first, int64_t *last, struct crm_error *err)
{
	int64_t from = 0, below = INT64_MAX;
	int rc;

	*first = 0;
	*last = -1;
	if (ledger_bounds(st, run, &from, &below, err))
		return err->code;
	/* the primary key's range, walked from either end: the run's first and last entries are at its ends */
	rc = ledger_end(st, run, from, below, 0, first, err);
	if (rc == 1)
		rc = ledger_end(st, run, *first, below, 1, last, err);
	return rc < 0 ? rc : 0;
}

/* Column col as a copy in arena; NULL for SQL NULL (and on no memory, with *nomem set). */
static const char *arena_col(struct crm_arena *arena, struct crm_store_stmt *s, int col, int *nomem)
{
	size_t len;
	const char *text = crm_stmt_col_text(s, col, &len), *copy;

	if (!text)
		return NULL;
	copy = crm_arena_strndup(arena, text, len);
	if (!copy)
		*nomem = 1;
	return copy;
}

/* The action of a ledger row's action text. */
static enum crm_ledger_action ledger_action(const char *text)
{
	enum crm_ledger_action action = CRM_LEDGER_INSERT;

	while (action < CRM_LEDGER_DELETE && strcmp(text, ledger_action_names[action]) != 0)
		action++;
	return action;
}

/* Seqs a statement of crm_state_ledger_walk covers: a server sends a result whole, so it is read in windows. */
#define LEDGER_WALK_WINDOW 65536

/* The target tables of the objects (by key), for a walk that reads keys: a join per entry cost more than the walk. */
struct object_table {
	int64_t key;
	char table[64];
};

struct object_tables {
	struct object_table *of;
	size_t count, cap;
};

static int object_tables_load(struct crm_state *st, struct object_tables *ot, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "SELECT id, target_table FROM crmshift.objects", err);

	memset(ot, 0, sizeof(*ot));
	if (!s)
		return err->code;
	while (crm_stmt_step(s, err) == 1) {
		if (crm_grow(&ot->of, ot->count, &ot->cap, sizeof(*ot->of), 16)) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		ot->of[ot->count].key = crm_stmt_col_int64(s, 0);
		copy_col(ot->of[ot->count++].table, sizeof(ot->of->table), s, 1);
	}
	crm_stmt_finalize(s);
	return err->code;
}

static const char *object_table(const struct object_tables *ot, int64_t key)
{
	size_t i;

	for (i = 0; i < ot->count; i++)
		if (ot->of[i].key == key)
			return ot->of[i].table;
	return "";
}

int crm_state_ledger_walk(struct crm_state *st, int64_t run, int64_t first, int64_t last, crm_ledger_walk_fn fn,
			  void *ctx, struct crm_error *err)
{
	struct object_tables ot;
	struct crm_store_stmt *s = NULL;
	int64_t from;
	int rc = 0;

	if (object_tables_load(st, &ot, err) ||
	    !(s = once(st,
		       "SELECT object_id, target_id, action, row_hash, written_hash FROM crmshift.ledger "
		       "WHERE seq >= $1 AND seq < $2 AND run_id = $3 ORDER BY seq",
		       err)))
		goto out;
	for (from = first; from <= last && rc >= 0 && !err->code; from += LEDGER_WALK_WINDOW) {
		crm_stmt_int64(s, 1, from);
		crm_stmt_int64(s, 2, from + LEDGER_WALK_WINDOW);
		crm_stmt_int64(s, 3, run);
		while ((rc = crm_stmt_step(s, err)) == 1) {
			char action[16];
			copy_col(action, sizeof(action), s, 2);
			if (fn(ctx, object_table(&ot, crm_stmt_col_int64(s, 0)), crm_stmt_col_int64(s, 1),
			       ledger_action(action), (uint64_t)crm_stmt_col_int64(s, 3),
			       (uint64_t)crm_stmt_col_int64(s, 4), err))
				break;
		}
		crm_stmt_reset(s);
	}
out:
	crm_stmt_finalize(s);
	crm_free(ot.of);
	return err->code;
}

int crm_state_ledger_read(struct crm_state *st, int64_t run, int64_t first, int64_t below, size_t limit,
			  struct crm_ledger_entry *out, size_t *count, struct crm_arena *arena, struct crm_error *err)
{
	struct crm_store_stmt *s;
	int rc = 0, nomem = 0;

	*count = 0;
	/*
	 * A run's ledger is one range of seq, with gaps only where a batch was
	 * rolled back: read it a window of limit seqs at a time from the top,
	 * which the primary key answers at once whatever the planner knows of
	 * the table (on a server, a table just loaded has no statistics, and a
	 * LIMIT over the whole range was planned as a scan of all of it).
	 */
	s = once(st,
		 "SELECT l.seq, l.object_id, o.target_table, l.target_id, l.source_id, l.action, l.pre_image, "
		 "l.row_hash "
		 "FROM crmshift.ledger l JOIN crmshift.objects o ON o.id = l.object_id "
		 "WHERE l.seq >= $1 AND l.seq < $2 AND l.run_id = $3 ORDER BY l.seq DESC",
		 err);
	if (!s)
		return err->code;
	while (!*count && !nomem && rc >= 0 && below > first) {
		int64_t from = below - first > (int64_t)limit ? below - (int64_t)limit : first;
		crm_stmt_int64(s, 1, from);
		crm_stmt_int64(s, 2, below);
		crm_stmt_int64(s, 3, run);
		while (!nomem && (rc = crm_stmt_step(s, err)) == 1) {
			struct crm_ledger_entry *e = &out[(*count)++];
			char action[16];
			e->seq = crm_stmt_col_int64(s, 0);
			e->key = crm_stmt_col_int64(s, 1);
			e->table = arena_col(arena, s, 2, &nomem);
			e->target_id = crm_stmt_col_int64(s, 3);
			e->source_id = arena_col(arena, s, 4, &nomem);
			copy_col(action, sizeof(action), s, 5);
			e->action = ledger_action(action);
			e->pre_image = arena_col(arena, s, 6, &nomem);
			e->row_hash = (uint64_t)crm_stmt_col_int64(s, 7);
		}
		crm_stmt_reset(s);
		below = from;
	}
	crm_stmt_finalize(s);
	if (nomem)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return rc;
}

int crm_state_xref_forget(struct crm_state *st, int64_t key, const char *source_id, size_t source_id_len,
			  struct crm_error *err)
{
	struct ahead *a = ahead_find(st, key, source_id, source_id_len);
	struct crm_store_stmt *s = st->stmts[ST_XREF_FORGET];

	whole_set(st, key, source_id, source_id_len, NULL);
	if (a) {
		/* a write that waits for this entry is moot: the removal waits in its place */
		st->ahead_pending += a->pending == AHEAD_CLEAN;
		a->pending = AHEAD_FORGET;
		a->found = 0;
		return 0;
	}
	/* kept, as the put: it reads no ledger, so nothing waiting needs writing first */
	crm_stmt_int64(s, 1, key);
	crm_stmt_text(s, 2, source_id, source_id_len);
	return step_done(s, err);
}

int crm_state_xref_forget_table(struct crm_state *st, const char *table, struct crm_error *err)
{
	struct crm_store_stmt *s;

	crm_state_xref_preload_drop(st); /* entries it does not see */
	s = once(st,
		 "DELETE FROM crmshift.xref WHERE object_id IN "
		 "(SELECT id FROM crmshift.objects WHERE target_table = $1)",
		 err);

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, table);
	return step_once(s, err);
}

int crm_state_xref_forget_many(struct crm_state *st, int64_t key, const struct crm_state_id *ids, size_t n,
			       struct crm_error *err)
{
	size_t done, i;

	if (flush_ahead(st, err))
		return err->code;
	for (i = 0; i < n; i++) {
		struct ahead *a = ahead_find(st, key, ids[i].ptr, ids[i].len);
		if (a)
			a->found = 0;
		whole_set(st, key, ids[i].ptr, ids[i].len, NULL);
	}
	for (done = 0; done < n; done += SET_CHUNK) {
		size_t k, count = n - done < SET_CHUNK ? n - done : SET_CHUNK;
		struct crm_store_stmt *s = set_stmt(st, SET_SQL_FORGET, count, err);
		int rc;
		if (!s)
			return err->code;
		crm_stmt_int64(s, 1, key);
		for (k = 0; k < count; k++)
			crm_stmt_text(s, 2 + (int)k, ids[done + k].ptr, ids[done + k].len);
		rc = crm_stmt_step(s, err);
		set_done(s, count);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * A deleted record's entry as its rollback puts it back. The row is back as
 * it was before the run: its hash then (the ledger's row_hash) is how
 * crmshift left it, the next sync's conflict baseline; the record's hash is
 * not kept, and 0 makes the next run write it again.
 */
static struct crm_xref undeleted_entry(const struct crm_ledger_entry *e)
{
	struct crm_xref x = {e->target_id, 0, 0, 0, e->row_hash};

	return x;
}

int crm_state_xref_undo(struct crm_state *st, const struct crm_ledger_entry *e, struct crm_error *err)
{
	struct crm_store_stmt *s;

	if (e->action == CRM_LEDGER_INSERT)
		return crm_state_xref_forget(st, e->key, e->source_id, strlen(e->source_id), err);
	if (e->action == CRM_LEDGER_DELETE) {
		struct crm_xref x = undeleted_entry(e);
		return crm_state_xref_put(st, e->key, e->source_id, strlen(e->source_id), &x, err);
	}
	/* kept, not once's: a rollback of a sync's updates runs it a row (three round trips less each on a server) */
	s = st->stmts[ST_XREF_UNDO];
	crm_state_xref_preload_drop(st); /* an entry it does not see */
	if (flush_ahead(st, err))
		return err->code;
	crm_stmt_int64(s, 1, (int64_t)e->row_hash);
	crm_stmt_int64(s, 2, e->key);
	crm_stmt_str(s, 3, e->source_id);
	return step_done(s, err);
}

int crm_state_xref_undo_many(struct crm_state *st, const struct crm_ledger_entry *entries, size_t n,
			     struct crm_error *err)
{
	size_t i = 0;

	crm_state_xref_preload_drop(st); /* entries it does not see */
	while (i < n) {
		enum crm_ledger_action action = entries[i].action;
		size_t count = 0, k;
		struct crm_store_stmt *s;
		int rc;
		while (i + count < n && count < SET_CHUNK && action != CRM_LEDGER_INSERT &&
		       entries[i + count].action == action && entries[i + count].key == entries[i].key)
			count++;
		if (count < 2) {
			/* an insert (rollback forgets those many at a time itself), a lone update or delete */
			if (crm_state_xref_undo(st, &entries[i++], err))
				return err->code;
			continue;
		}
		if (flush_ahead(st, err) ||
		    !(s = set_stmt(st, action == CRM_LEDGER_UPDATE ? SET_SQL_UNDO : SET_SQL_PUT, count, err)))
			return err->code;
		if (action == CRM_LEDGER_UPDATE)
			crm_stmt_int64(s, 1, entries[i].key);
		for (k = 0; k < count; k++) {
			const struct crm_ledger_entry *e = &entries[i + k];
			struct crm_xref back;
			if (action == CRM_LEDGER_UPDATE) {
				crm_stmt_str(s, 2 + 2 * (int)k, e->source_id);
				crm_stmt_int64(s, 3 + 2 * (int)k, (int64_t)e->row_hash);
				continue;
			}
			back = undeleted_entry(e);
			bind_entry(s, 1 + 7 * (int)k, e->key, e->source_id, strlen(e->source_id), &back);
		}
		rc = crm_stmt_step(s, err);
		set_done(s, count);
		if (rc < 0)
			return rc;
		i += count;
	}
	return 0;
}

int crm_state_rollback_get(struct crm_state *st, int64_t run, struct crm_rollback_progress *rp, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st,
					"SELECT exported, next_seq, CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END "
					"FROM crmshift.rollbacks WHERE run_id = $1",
					err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	rc = crm_stmt_step(s, err);
	if (rc == 1) {
		rp->exported = crm_stmt_col_int64(s, 0) != 0;
		rp->next_seq = crm_stmt_col_int64(s, 1);
		rp->finished = crm_stmt_col_int64(s, 2) != 0;
	}
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_rollback_put(struct crm_state *st, int64_t run, const struct crm_rollback_progress *rp, const char *now,
			   struct crm_error *err)
{
	struct crm_store_stmt *s = once(st,
					"INSERT INTO crmshift.rollbacks (run_id, started_at, exported, next_seq, "
					"finished_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO UPDATE SET "
					"exported = excluded.exported, next_seq = excluded.next_seq, finished_at = "
					"excluded.finished_at",
					err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_str(s, 2, now);
	crm_stmt_int64(s, 3, rp->exported);
	crm_stmt_int64(s, 4, rp->next_seq);
	crm_stmt_str(s, 5, rp->finished ? now : NULL);
	return step_once(s, err);
}

/* A watermark's name: "object:<Name>", or "events" for the change stream. */
static void watermark_name(char *out, size_t cap, const char *object)
{
	if (object)
		snprintf(out, cap, "object:%s", object);
	else
		snprintf(out, cap, "events");
}

int crm_state_watermark_get(struct crm_state *st, const char *object, char *value, size_t cap, struct crm_error *err)
{
	/* the newest run's: the runs after it that published one are rolled back, and theirs forgotten */
	struct crm_store_stmt *s =
		once(st, "SELECT value FROM crmshift.watermark_runs WHERE name = $1 ORDER BY run_id DESC LIMIT 1", err);
	char name[160];
	int rc;

	value[0] = '\0';
	if (!s)
		return err->code;
	watermark_name(name, sizeof(name), object);
	crm_stmt_str(s, 1, name);
	rc = crm_stmt_step(s, err);
	if (rc == 1)
		copy_col(value, cap, s, 0);
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_watermark_put(struct crm_state *st, const char *object, const char *value, int64_t run,
			    struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "INSERT INTO crmshift.watermark_runs (name, run_id, value) VALUES ($1, $2, $3) ON "
		     "CONFLICT (name, run_id) DO UPDATE SET value = excluded.value",
		     err);
	char name[160];

	if (!s)
		return err->code;
	watermark_name(name, sizeof(name), object);
	crm_stmt_str(s, 1, name);
	crm_stmt_int64(s, 2, run);
	crm_stmt_str(s, 3, value);
	return step_once(s, err);
}

int crm_state_watermarks_undo(struct crm_state *st, int64_t run, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "DELETE FROM crmshift.watermark_runs WHERE run_id = $1", err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	return step_once(s, err);
}

int crm_state_refkeys_each(struct crm_state *st, int64_t key, const char *column, crm_state_refkey_fn fn, void *ctx,
			   struct crm_error *err)
{
	/* newest first within a record: the caller keeps the first it is given */
	struct crm_store_stmt *s = once(st,
					"SELECT source_id, value FROM crmshift.ref_keys WHERE object_id = $1 AND "
					"key_column = $2 ORDER BY source_id, seq DESC",
					err);
	struct crm_buf last; /* the source id given last */
	int given = 0, rc;

	if (!s)
		return err->code;
	crm_buf_init(&last, CRM_MAX_FIELD_LEN); /* an id is a field of an export */
	crm_stmt_int64(s, 1, key);
	crm_stmt_str(s, 2, column);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t len, value_len;
		const char *id = crm_stmt_col_text(s, 0, &len), *value = crm_stmt_col_text(s, 1, &value_len);
		if (given && len == last.len && (!len || memcmp(id, last.ptr, len) == 0))
			continue; /* an older value of the record just given */
		if (fn(ctx, id, len, value ? value : "", value ? value_len : 0, err)) {
			rc = err->code;
			break;
		}
		crm_buf_reset(&last);
		if (len && crm_buf_add(&last, id, len, err)) {
			rc = err->code;
			break;
		}
		given = 1;
	}
	crm_buf_release(&last);
	crm_stmt_finalize(s);
	return rc < 0 ? rc : err->code;
}

static const char *const refkey_columns[] = {"run_id", "object_id", "key_column", "source_id", "value"};
#define REFKEY_FIELDS (sizeof(refkey_columns) / sizeof(*refkey_columns))

int crm_state_refkeys_put(struct crm_state *st, int64_t run, int64_t key, const char *column,
			  const struct crm_state_refkey *values, size_t n, struct crm_error *err)
{
	struct crm_store_field *fields;
	struct crm_store_stmt *s;
	size_t i, column_len = strlen(column);

	if (!n)
		return 0;
	if (st->store->ops->append_rows) {
		if (flush_ahead(st, err))
			return err->code;
		fields = crm_calloc(n * REFKEY_FIELDS, sizeof(*fields));
		if (!fields)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		for (i = 0; i < n; i++) {
			struct crm_store_field *f = fields + i * REFKEY_FIELDS;
			f[0].number = run;
			f[1].number = key;
			f[2].text = column;
			f[2].len = column_len;
			f[3].text = values[i].source_id;
			f[3].len = values[i].source_id_len;
			f[4].text = values[i].value;
			f[4].len = values[i].value_len;
		}
		st->store->ops->append_rows(st->store, "ref_keys", refkey_columns, REFKEY_FIELDS, fields, n, err);
		crm_free(fields);
		return err->code;
	}
	/* where statements run in process, row by row costs nothing more */
	s = once(st,
		 "INSERT INTO crmshift.ref_keys (run_id, object_id, key_column, source_id, value) VALUES ($1, $2, $3, "
		 "$4, $5)",
		 err);
	if (!s)
		return err->code;
	for (i = 0; i < n && !err->code; i++) {
		crm_stmt_int64(s, 1, run);
		crm_stmt_int64(s, 2, key);
		crm_stmt_text(s, 3, column, column_len);
		crm_stmt_text(s, 4, values[i].source_id, values[i].source_id_len);
		crm_stmt_text(s, 5, values[i].value, values[i].value_len);
		step_done(s, err);
	}
	crm_stmt_finalize(s);
	return err->code;
}

int crm_state_refkeys_undo(struct crm_state *st, int64_t run, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st, "DELETE FROM crmshift.ref_keys WHERE run_id = $1", err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	return step_once(s, err);
}

int crm_state_xref_unseen(struct crm_state *st, int64_t key, int64_t run, char ***ids, size_t *count,
			  struct crm_error *err)
{
	/*
	 * EXCEPT, not NOT IN: PostgreSQL runs NOT IN over a subquery it expects
	 * not to fit in work_mem as a scan of the subquery per row (a full sync
	 * of a million contacts had not ended after 12 minutes). EXCEPT sorts
	 * both sides on either backend; a source id is one entry per object.
	 */
	struct crm_store_stmt *s =
		once(st,
		     "SELECT source_id FROM crmshift.xref WHERE object_id = $1 AND seen_run < $2 EXCEPT "
		     "SELECT source_id FROM crmshift.seen WHERE object_id = $1 AND run_id = $2 ORDER BY 1",
		     err);
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*count = 0;
	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, key);
	crm_stmt_int64(s, 2, run);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t len;
		const char *id = crm_stmt_col_text(s, 0, &len);
		if (crm_grow(ids, *count, &cap, sizeof(**ids), 64) || !((*ids)[*count] = crm_strndup(id, len))) {
			rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		(*count)++;
	}
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_source_file_put(struct crm_state *st, int64_t run, const struct crm_source_file *f, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "INSERT INTO crmshift.source_files (run_id, object, path, size, mtime_ns, "
		     "sha256, records, taken_at, forced, resolved) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9)",
		     err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_str(s, 2, f->object);
	crm_stmt_str(s, 3, f->path);
	crm_stmt_int64(s, 4, (int64_t)f->size);
	crm_stmt_int64(s, 5, f->mtime_ns);
	crm_stmt_str(s, 6, f->sha256);
	crm_stmt_str(s, 7, f->taken_at);
	crm_stmt_int64(s, 8, f->forced);
	crm_stmt_str(s, 9, f->resolved);
	return step_once(s, err);
}

int crm_state_source_file_records(struct crm_state *st, int64_t run, const char *object, int64_t records,
				  struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "UPDATE crmshift.source_files SET records = $1 WHERE seq = (SELECT max(seq) FROM "
		     "crmshift.source_files WHERE run_id = $2 AND object = $3)",
		     err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, records);
	crm_stmt_int64(s, 2, run);
	crm_stmt_str(s, 3, object);
	return step_once(s, err);
}

int crm_state_source_files(struct crm_state *st, int64_t run, struct crm_source_file **files, size_t *count,
			   struct crm_error *err)
{
	struct crm_store_stmt *s;
	size_t cap = 0;
	int rc;

	*files = NULL;
	*count = 0;
	/* the newest snapshot of each object's file: a forced run took a second one */
	s = once(st,
		 "SELECT object, path, size, mtime_ns, sha256, coalesce(records, -1), taken_at, forced, resolved "
		 "FROM crmshift.source_files WHERE seq IN (SELECT max(seq) FROM crmshift.source_files WHERE "
		 "run_id = $1 GROUP BY object) ORDER BY seq",
		 err);
	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		struct crm_source_file *f;
		if (crm_grow(files, *count, &cap, sizeof(**files), 8)) {
			rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		f = &(*files)[(*count)++];
		copy_col(f->object, sizeof(f->object), s, 0);
		copy_col(f->path, sizeof(f->path), s, 1);
		f->size = (uint64_t)crm_stmt_col_int64(s, 2);
		f->mtime_ns = crm_stmt_col_int64(s, 3);
		copy_col(f->sha256, sizeof(f->sha256), s, 4);
		f->records = crm_stmt_col_int64(s, 5);
		copy_col(f->taken_at, sizeof(f->taken_at), s, 6);
		f->forced = crm_stmt_col_int64(s, 7) != 0;
		copy_col(f->resolved, sizeof(f->resolved), s, 8);
	}
	crm_stmt_finalize(s);
	if (rc < 0) {
		crm_free(*files);
		*files = NULL;
		*count = 0;
	}
	return rc;
}

int crm_state_sales_put(struct crm_state *st, int64_t run, const char *object, const struct crm_sales_stage *stages,
			size_t count, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st, "DELETE FROM crmshift.source_pipeline WHERE run_id = $1 AND object = $2", err);
	size_t i;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_str(s, 2, object);
	if (step_once(s, err))
		return err->code;
	s = once(st,
		 "INSERT INTO crmshift.source_pipeline (run_id, object, stage, records, amount, first_close, "
		 "last_close) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		 err);
	if (!s)
		return err->code;
	for (i = 0; i < count && !err->code; i++) {
		crm_stmt_int64(s, 1, run);
		crm_stmt_str(s, 2, object);
		crm_stmt_str(s, 3, stages[i].stage);
		crm_stmt_int64(s, 4, stages[i].records);
		crm_stmt_double(s, 5, stages[i].amount);
		crm_stmt_str(s, 6, stages[i].first_close);
		crm_stmt_str(s, 7, stages[i].last_close);
		step_done(s, err);
	}
	crm_stmt_finalize(s);
	return err->code;
}

int crm_state_sales_get(struct crm_state *st, int64_t run, const char *object, struct crm_sales_stage **stages,
			size_t *count, struct crm_error *err)
{
	struct crm_store_stmt *s;
	size_t cap = 0;
	int rc;

	*stages = NULL;
	*count = 0;
	s = once(st,
		 object ? "SELECT stage, records, amount, first_close, last_close FROM crmshift.source_pipeline "
			  "WHERE run_id = $1 AND object = $2 ORDER BY object, stage"
			: "SELECT stage, records, amount, first_close, last_close FROM crmshift.source_pipeline "
			  "WHERE run_id = $1 ORDER BY object, stage",
		 err);
	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	if (object)
		crm_stmt_str(s, 2, object);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		struct crm_sales_stage *ps;
		if (crm_grow(stages, *count, &cap, sizeof(**stages), 8)) {
			rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		ps = &(*stages)[(*count)++];
		{
			size_t len;
			const char *text = crm_stmt_col_text(s, 0, &len);
			if (!(ps->stage = crm_strndup(text ? text : "", text ? len : 0))) {
				(*count)--;
				rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
				break;
			}
		}
		ps->records = crm_stmt_col_int64(s, 1);
		ps->amount = crm_stmt_col_double(s, 2);
		copy_col(ps->first_close, sizeof(ps->first_close), s, 3);
		copy_col(ps->last_close, sizeof(ps->last_close), s, 4);
	}
	crm_stmt_finalize(s);
	if (rc < 0) {
		crm_state_sales_free(*stages, *count);
		*stages = NULL;
		*count = 0;
	}
	return rc;
}

void crm_state_sales_free(struct crm_sales_stage *stages, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		crm_free(stages[i].stage);
	crm_free(stages);
}

int crm_state_owners_add(struct crm_state *st, int64_t run, const char *object, const char *source_user,
			 size_t source_len, const char *target_owner, size_t target_len, const char *reason,
			 int64_t records, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "INSERT INTO crmshift.owners (run_id, object, source_user, target_owner, reason, records) VALUES "
		     "($1, $2, $3, $4, $5, $6) ON CONFLICT (run_id, object, source_user, target_owner, reason) DO "
		     "UPDATE SET records = crmshift.owners.records + excluded.records",
		     err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_str(s, 2, object);
	crm_stmt_text(s, 3, source_user, source_len);
	crm_stmt_text(s, 4, target_owner, target_len);
	crm_stmt_str(s, 5, reason);
	crm_stmt_int64(s, 6, records);
	step_once(s, err);
	return err->code;
}

int crm_state_owners_each(struct crm_state *st, int64_t run, crm_state_owner_fn fn, void *ctx, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "SELECT object, source_user, target_owner, reason, records FROM crmshift.owners "
		     "WHERE run_id = $1 ORDER BY source_user, object, target_owner, reason",
		     err);
	int rc;

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t olen, slen, tlen, rlen;
		const char *object = crm_stmt_col_text(s, 0, &olen), *source = crm_stmt_col_text(s, 1, &slen),
			   *target = crm_stmt_col_text(s, 2, &tlen), *reason = crm_stmt_col_text(s, 3, &rlen);
		if (fn(ctx, object ? object : "", source ? source : "", source ? slen : 0, target ? target : "",
		       target ? tlen : 0, reason ? reason : "", crm_stmt_col_int64(s, 4), err)) {
			rc = err->code;
			break;
		}
	}
	crm_stmt_finalize(s);
	return rc < 0 ? rc : 0;
}

int crm_state_merge_add(struct crm_state *st, int64_t run, int64_t key, const char *source_id, size_t source_id_len,
			int64_t target_id, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st,
					"INSERT INTO crmshift.merges (run_id, object_id, source_id, target_id) VALUES "
					"($1, $2, $3, $4) ON CONFLICT (run_id, object_id, source_id) DO UPDATE SET "
					"target_id = excluded.target_id",
					err);

	if (!s)
		return err->code;
	crm_stmt_int64(s, 1, run);
	crm_stmt_int64(s, 2, key);
	crm_stmt_text(s, 3, source_id, source_id_len);
	crm_stmt_int64(s, 4, target_id);
	return step_once(s, err);
}

int crm_state_merges_undo(struct crm_state *st, int64_t run, int64_t *undone, struct crm_error *err)
{
	struct crm_store_stmt *s = once(
		st, "SELECT object_id, source_id FROM crmshift.merges WHERE run_id = $1 ORDER BY object_id, source_id",
		err);
	struct crm_arena arena;
	int64_t *keys = NULL;
	struct crm_state_id *ids = NULL;
	size_t count = 0, cap = 0, ids_cap = 0, i, from;
	int rc;

	*undone = 0;
	if (!s)
		return err->code;
	crm_arena_init(&arena, 4096);
	crm_stmt_int64(s, 1, run);
	while ((rc = crm_stmt_step(s, err)) == 1) {
		size_t len;
		const char *id = crm_stmt_col_text(s, 1, &len);
		if (crm_grow(&keys, count, &cap, sizeof(*keys), 64) ||
		    crm_grow(&ids, count, &ids_cap, sizeof(*ids), 64) ||
		    !(ids[count].ptr = crm_arena_strndup(&arena, id ? id : "", id ? len : 0))) {
			rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		ids[count].len = id ? len : 0;
		keys[count++] = crm_stmt_col_int64(s, 0);
	}
	crm_stmt_finalize(s);
	/* read whole before writing (a statement open on the table while it changes is not portable); by object */
	for (from = 0, i = 1; rc == 0 && from < count; i++)
		if (i == count || keys[i] != keys[from]) {
			rc = crm_state_xref_forget_many(st, keys[from], ids + from, i - from, err);
			from = i;
		}
	if (rc == 0 && count) {
		s = once(st, "DELETE FROM crmshift.merges WHERE run_id = $1", err);
		if (!s)
			rc = err->code;
		else {
			crm_stmt_int64(s, 1, run);
			rc = step_once(s, err);
		}
	}
	if (rc == 0)
		*undone = (int64_t)count;
	crm_free(keys);
	crm_free(ids);
	crm_arena_release(&arena);
	return rc < 0 ? rc : 0;
}

/* 1 when a run's options (JSON) say sync --final. */
static int options_final(struct crm_store_stmt *s)
{
	size_t len;
	const char *text = crm_stmt_col_text(s, 5, &len); /* after RUN_COLUMN_LIST's five */
	json_t *root = text ? json_loadb(text, len, 0, NULL) : NULL;
	int final = json_is_true(json_object_get(json_object_get(root, "sync"), "final"));

	json_decref(root);
	return final;
}

int crm_state_run_final(struct crm_state *st, struct crm_run_info *info, struct crm_error *err)
{
	struct crm_store_stmt *s = once(st,
					"SELECT " RUN_COLUMN_LIST ", options FROM crmshift.runs "
					"WHERE status = 'done' AND command = 'sync' ORDER BY id DESC",
					err);
	int rc;

	if (!s)
		return err->code;
	/* options are JSON: read here, as the backends' JSON functions differ */
	while ((rc = crm_stmt_step(s, err)) == 1 && !options_final(s))
		;
	if (rc == 1 && read_run(s, info, err))
		rc = err->code;
	crm_stmt_finalize(s);
	return rc;
}

int crm_state_drill_add(struct crm_state *st, const struct crm_drill_record *d, int64_t *id, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "INSERT INTO crmshift.drills (started_at, finished_at, window_seconds, copy_seconds, "
		     "migrate_seconds, reconcile_seconds, rollback_seconds, rows_written, go, identical, "
		     "passed, live_runs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
		     err);

	if (!s)
		return err->code;
	crm_stmt_str(s, 1, d->started_at);
	crm_stmt_str(s, 2, d->finished_at);
	crm_stmt_double(s, 3, d->window_seconds);
	crm_stmt_double(s, 4, d->copy_seconds);
	crm_stmt_double(s, 5, d->migrate_seconds);
	crm_stmt_double(s, 6, d->reconcile_seconds);
	crm_stmt_double(s, 7, d->rollback_seconds);
	crm_stmt_int64(s, 8, d->rows_written);
	crm_stmt_int64(s, 9, d->go);
	crm_stmt_int64(s, 10, d->identical);
	crm_stmt_int64(s, 11, d->passed);
	crm_stmt_int64(s, 12, d->live_runs);
	return one_int(s, id, err);
}

int crm_state_drill_last(struct crm_state *st, struct crm_drill_record *d, struct crm_error *err)
{
	struct crm_store_stmt *s =
		once(st,
		     "SELECT id, started_at, finished_at, window_seconds, copy_seconds, migrate_seconds, "
		     "reconcile_seconds, rollback_seconds, rows_written, go, identical, passed, live_runs FROM "
		     "crmshift.drills ORDER BY id DESC LIMIT 1",
		     err);
	int rc;

	if (!s)
		return err->code;
	rc = crm_stmt_step(s, err);
	if (rc == 1) {
		d->id = crm_stmt_col_int64(s, 0);
		copy_col(d->started_at, sizeof(d->started_at), s, 1);
		copy_col(d->finished_at, sizeof(d->finished_at), s, 2);
		d->window_seconds = crm_stmt_col_double(s, 3);
		d->copy_seconds = crm_stmt_col_double(s, 4);
		d->migrate_seconds = crm_stmt_col_double(s, 5);
		d->reconcile_seconds = crm_stmt_col_double(s, 6);
		d->rollback_seconds = crm_stmt_col_double(s, 7);
		d->rows_written = crm_stmt_col_int64(s, 8);
		d->go = crm_stmt_col_int64(s, 9) != 0;
		d->identical = crm_stmt_col_int64(s, 10) != 0;
		d->passed = crm_stmt_col_int64(s, 11) != 0;
		d->live_runs = crm_stmt_col_int64(s, 12);
	}
	crm_stmt_finalize(s);
	return rc;
}
