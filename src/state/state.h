/*
 * state.h: the state database, .crmshift/state.db (SQLite; schema in
 * docs/internals/state.md). It remembers what crmshift did so that a re-run
 * is idempotent and a crash resumable:
 *
 *   runs         one row per migrate run: options, status, summary
 *   xref         source object + source id -> target table + target id,
 *                with the content hash last written and the run that last
 *                saw the record
 *   ledger       every row a run inserted or updated: action, pre-image of
 *                an update, hash written (what rollback and "changed since
 *                cutover" read)
 *   checkpoints  per run and object: records done, counts, report offsets
 *
 * The state lives where the store puts it (store.h: state_open): with a
 * SQLite target in .crmshift/state.db, attached to the target's connection;
 * with a server, in the schema crmshift of the target database. Either way
 * it shares the store's connection, so a batch, its xref rows, its ledger
 * rows and its checkpoint commit in the store's one transaction
 * (store->ops->begin and commit); the state has no transactions of its own.
 */
#ifndef CRM_STATE_H
#define CRM_STATE_H

#include "compat.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "store/store.h"

struct crm_state;

/*
 * Opens the state on store's connection (path: where a SQLite target keeps
 * it), creating its tables with create. 0 with *out set; 1 when there is no
 * state yet and create is 0; a negative CRM_E* code with err set. Close it
 * before the store.
 */
int crm_state_open(struct crm_store *store, const char *path, int create, struct crm_state **out,
		   struct crm_error *err);
void crm_state_close(struct crm_state *state);

/* A value of the state's meta table: 1 with it in out (cap bytes), 0 when the key has none. */
int crm_state_meta_get(struct crm_state *state, const char *key, char *out, size_t cap, struct crm_error *err);
int crm_state_meta_put(struct crm_state *state, const char *key, const char *value, struct crm_error *err);

struct crm_counts {
	int64_t read, inserted, updated, unchanged, rejected, orphaned;
	int64_t deleted;   /* sync: deleted in the source */
	int64_t conflicts; /* sync: changed in the source and edited in the target, left as they were */
	int64_t skipped;   /* sync: not modified since the watermark */
	int64_t blanked;   /* values left empty by on_invalid = blank (their records loaded) */
	int64_t merged;	   /* [dedupe]: records merged into another of the same person, not loaded as rows */
};

/* How a run stands; crmshift.runs keeps its name (crm_run_status_name). */
enum crm_run_status {
	CRM_RUN_RUNNING,     /* started and not finished: going on, or killed (migrate --resume goes on with it) */
	CRM_RUN_DONE,	     /* finished */
	CRM_RUN_INTERRUPTED, /* killed and not resumed: the next run closed it */
	CRM_RUN_ROLLED_BACK, /* its writes were reverted */
};
/* "running", "done", "interrupted", "rolled back": as the state stores it and reports show it. */
const char *crm_run_status_name(enum crm_run_status status);

struct crm_run_info {
	int64_t id;
	enum crm_run_status status;
	char started_at[32];
	char finished_at[32];
	char command[16]; /* migrate, sync */
};

/* A new run of command ("migrate", "sync"), status running. */
int crm_state_run_start(struct crm_state *state, const char *command, const char *options_json, const char *started_at,
			int64_t *run_id, struct crm_error *err);
int crm_state_run_finish(struct crm_state *state, int64_t run_id, enum crm_run_status status, const char *finished_at,
			 const char *summary_json, struct crm_error *err);
/* The newest run: 1 when found, 0 when there is none. */
int crm_state_run_last(struct crm_state *state, struct crm_run_info *info, struct crm_error *err);
/* Run id: 1 when found, 0 when there is none. */
int crm_state_run_get(struct crm_state *state, int64_t id, struct crm_run_info *info, struct crm_error *err);
/*
 * The options run id was started with, as JSON ("{}" when it has none),
 * into out: of any length, where a copy into crm_run_info was cut. 1 when
 * found, 0 when there is no such run (out left as it was).
 */
int crm_state_run_options(struct crm_state *state, int64_t id, struct crm_buf *out, struct crm_error *err);
/* The newest run not rolled back: 1 when found, 0 when there is none. */
int crm_state_run_newest_live(struct crm_state *state, struct crm_run_info *info, struct crm_error *err);
int crm_state_run_set_status(struct crm_state *state, int64_t id, enum crm_run_status status, struct crm_error *err);
/* Count of runs. */
int crm_state_run_count(struct crm_state *state, int64_t *count, struct crm_error *err);
/* Summary JSON of a run into out: 1, or 0 when it has none (out left as it was). */
int crm_state_run_summary(struct crm_state *state, int64_t run_id, struct crm_buf *out, struct crm_error *err);

struct crm_xref {
	int64_t target_id;
	uint64_t hash;
	int64_t seen_run;  /* the last run that read the record */
	int64_t write_run; /* the last run that wrote it */
	uint64_t row_hash; /* the target row as that write left it (the store's row hash); 0 when not known */
};

/*
 * The key of a source object loading into a table: the xref and the ledger
 * refer to it by this small integer rather than by names. With create, a
 * missing pair is added. Returns 1 and *key when found, 0 when not.
 */
int crm_state_object_key(struct crm_state *state, const char *object, const char *table, int create, int64_t *key,
			 struct crm_error *err);

/* 1 and *xref when (key, source_id) is known, 0 when not. */
int crm_state_xref_get(struct crm_state *state, int64_t key, const char *source_id, size_t source_id_len,
		       struct crm_xref *xref, struct crm_error *err);
/* A source id, for crm_state_xref_prefetch. */
struct crm_state_id {
	const char *ptr;
	size_t len;
};

/* An object's (key's) source ids, for crm_state_xref_prefetch. */
struct crm_state_ids {
	int64_t key;
	const struct crm_state_id *ids;
	size_t n;
};

/*
 * Reads ahead the entries of the source ids of sets (a batch of records of
 * one object, or a change stream's window of several; empty ids are
 * skipped), a few statements for all, for a store where each statement is
 * a round trip. Until the next read-ahead, xref_get of those (key, id)
 * pairs answers from memory, and their xref_put, xref_seen and xref_forget
 * are kept in memory and written, many to a statement, before any other
 * state statement runs (a checkpoint's, say) or at crm_state_flush. The
 * previous read-ahead's writes are written first.
 */
int crm_state_xref_prefetch(struct crm_state *state, const struct crm_state_ids *sets, size_t set_count,
			    struct crm_error *err);
/* Drops the read-ahead and its waiting writes: the store's transaction was rolled back. */
void crm_state_discard(struct crm_state *state);
/*
 * Fresh statistics of the cross-reference and the ledger, where the store
 * needs them and changed (entries written, or about to be looked up) may
 * have made them stale (store.h: analyze).
 */
int crm_state_analyze(struct crm_state *state, int64_t changed, struct crm_error *err);
/* Writes the read-ahead's waiting writes: before the store's transaction commits. */
int crm_state_flush(struct crm_state *state, struct crm_error *err);
/*
 * The entries of the rows run inserted for key, made from its ledger (each
 * inserted row's source id, target id and hashes, seen and written by run):
 * a first load into an empty table writes them so at its pass's end, in
 * key order, instead of one at a time at random places of the xref.
 * from_seq: the entries are at or after that seq of the ledger (0: anywhere
 * in the run), which spares reading the objects loaded before. missing_only:
 * only those the xref lacks, for a run resumed after it was stopped before
 * that pass's end; else every one, any already there an error.
 */
int crm_state_xref_from_ledger(struct crm_state *state, int64_t run, int64_t key, int64_t from_seq, int missing_only,
			       struct crm_error *err);
/* Inserts or replaces the entry. */
int crm_state_xref_put(struct crm_state *state, int64_t key, const char *source_id, size_t source_id_len,
		       const struct crm_xref *xref, struct crm_error *err);
/*
 * Begins (or, resumed, takes up) run's seen marks: loads those it made
 * before, and drops those of other runs. A run calls it once it has its
 * id, before its first xref_get; crm_state_xref_seen calls it for a run
 * that did not. A finished run's marks are dropped (crm_state_run_finish).
 */
int crm_state_seen_begin(struct crm_state *state, int64_t run, struct crm_error *err);
/*
 * Marks the entry seen by run (an unchanged record, or a full export's
 * record not loaded); target_id is the entry's, or 0 to look it up (an id
 * without an entry has nothing to mark). The mark is kept in memory (by
 * target id, 16 bytes a slot) and appended to crmshift.seen, not written
 * into the entry: xref_get reports it as seen_run, xref_unseen leaves the
 * entry out.
 */
int crm_state_xref_seen(struct crm_state *state, int64_t key, const char *source_id, size_t source_id_len,
			int64_t target_id, int64_t run, struct crm_error *err);
/* Removes the entry (the record was deleted). */
int crm_state_xref_forget(struct crm_state *state, int64_t key, const char *source_id, size_t source_id_len,
			  struct crm_error *err);
/*
 * Removes every entry of the objects loading into table: its rows are all
 * gone (a rollback emptied it), so none names a row any more.
 */
int crm_state_xref_forget_table(struct crm_state *state, const char *table, struct crm_error *err);
/* Removes the entries of the n source ids listed (absent ones are no error), many to a statement. */
int crm_state_xref_forget_many(struct crm_state *state, int64_t key, const struct crm_state_id *ids, size_t n,
			       struct crm_error *err);
/*
 * The source ids of key's entries whose seen_run is below run: records the
 * run did not read (absent from a full export). crm_free each and the array.
 */
int crm_state_xref_unseen(struct crm_state *state, int64_t key, int64_t run, char ***ids, size_t *count,
			  struct crm_error *err);
int crm_state_xref_count(struct crm_state *state, int64_t key, int64_t *count, struct crm_error *err);
/* The same, counting no further than limit: its cost follows limit, not the object's entries. */
int crm_state_xref_count_upto(struct crm_state *state, int64_t key, int64_t limit, int64_t *count,
			      struct crm_error *err);
/* 1 when key has an entry, 0 when none: one lookup, where a count reads every entry. */
int crm_state_xref_any(struct crm_state *state, int64_t key, struct crm_error *err);
/*
 * Calls fn with each source id of key's entries (borrowed for the call), in
 * no set order. fn returns 0 to go on, or an error code (with err set) that
 * stops the walk and is returned.
 */
typedef int (*crm_state_id_fn)(void *ctx, const char *source_id, size_t len, struct crm_error *err);
int crm_state_xref_each(struct crm_state *state, int64_t key, crm_state_id_fn fn, void *ctx, struct crm_error *err);
/*
 * The source ids of up to CRM_STATE_SOURCE_IDS_MAX target rows of an object
 * into out[i] ("" when the cross-reference does not hold target i).
 */
#define CRM_STATE_SOURCE_IDS_MAX 8
int crm_state_xref_source_ids(struct crm_state *state, int64_t key, const int64_t *targets, size_t n, char (*out)[64],
			      struct crm_error *err);

struct crm_xref_cache;
/*
 * A new in-memory cross-reference holding every (source id, target id) of the
 * object (empty for key 0, an object never loaded). Free with
 * crm_xref_cache_free(); NULL with err set on failure.
 */
struct crm_xref_cache *crm_state_xref_cache_load(struct crm_state *state, int64_t key, struct crm_error *err);
/*
 * The same for the rows run inserted into object key's table, from its
 * ledger (a first load's, whose entries come at its pass's end), sized for
 * count of them.
 */
struct crm_xref_cache *crm_state_inserted_cache_load(struct crm_state *state, int64_t run, int64_t key, size_t count,
						     struct crm_error *err);

enum crm_ledger_action { CRM_LEDGER_INSERT, CRM_LEDGER_UPDATE, CRM_LEDGER_DELETE };

/*
 * One row a run wrote: hash is the record's content hash, row_hash the
 * target row's hash_rows hash before this write (0 for an insert): what a
 * rollback must bring it back to; written_hash its hash as this write left
 * it, when the store told it (an insert's, store.h; else 0): what the
 * after-snapshot takes instead of reading the row back. Entries are
 * written in the order they are added, a few to a statement: at the latest
 * before a state statement that reads the ledger runs, or at
 * crm_state_flush (so before the store's transaction commits); a
 * transaction rolled back drops them with crm_state_discard.
 */
int crm_state_ledger_add(struct crm_state *state, int64_t run, int64_t key, int64_t target_id, const char *source_id,
			 size_t source_id_len, enum crm_ledger_action action, const char *pre_image, uint64_t hash,
			 uint64_t row_hash, uint64_t written_hash, struct crm_error *err);

/* A row a run has just inserted, for crm_state_inserted. */
struct crm_inserted {
	const char *source_id;
	size_t source_id_len;
	int64_t target_id;
	uint64_t hash;
	uint64_t written_hash; /* the row's hash as the store wrote it, 0 when it could not tell */
	uint64_t row_hash;     /* the xref's row_hash: how a sync left the row (0: not kept, as a migration) */
};

/*
 * The bookkeeping of n rows run inserted for key: each one's xref entry
 * (seen and written by run, with its row_hash) and its ledger insert
 * (with its written_hash, which the after-snapshot takes),
 * in row order, as crm_state_xref_put and crm_state_ledger_add write
 * them: on a remote store in one append per table (a set-based load's
 * round trips). The rows are new to key: no two share a source id and
 * none has an xref entry yet (an append fails on one that has). With
 * ledger_only, the ledger's alone: a first load into an empty table makes
 * its entries from the ledger when its pass ends (crm_state_xref_from_ledger).
 */
int crm_state_inserted(struct crm_state *state, int64_t run, int64_t key, const struct crm_inserted *rows, size_t n,
		       int ledger_only, struct crm_error *err);

struct crm_ledger_entry {
	int64_t seq, key, target_id;
	const char *table, *source_id;
	enum crm_ledger_action action;
	/* JSON object: an update's prior columns, a deleted row whole (with its id); NULL for an insert */
	const char *pre_image;
	/* an update's or delete's row as it was before, as the store's hash_rows hashes it (0: not known) */
	uint64_t row_hash;
};

/*
 * The inserts this state added to run's ledger for key, when run began here
 * (crm_state_run_start) and every entry added to it since is an insert with
 * its written hash, each object's ids consecutive: 1, with the first id and
 * the hashes of the rows from it on (owned by the state, valid until its next
 * ledger entry; none for a key without inserts). 0 when that is not so (an
 * update, a delete, a rolled back transaction, a resumed run, millions of
 * entries): the ledger says it.
 */
int crm_state_run_inserts(const struct crm_state *state, int64_t run, int64_t key, int64_t *first_id,
			  const uint64_t **hashes, size_t *count);
/* The first and last seq of a run's ledger (last < first when it has none). */
int crm_state_ledger_range(struct crm_state *state, int64_t run, int64_t *first, int64_t *last, struct crm_error *err);
/*
 * Up to limit entries of run with first <= seq < below, newest first, into
 * out (*count of them); texts in arena.
 */
int crm_state_ledger_read(struct crm_state *state, int64_t run, int64_t first, int64_t below, size_t limit,
			  struct crm_ledger_entry *out, size_t *count, struct crm_arena *arena, struct crm_error *err);
/* One entry of a run's ledger, its pre-image left out; non-zero with err set stops the walk. */
typedef int (*crm_ledger_walk_fn)(void *ctx, const char *table, int64_t target_id, enum crm_ledger_action action,
				  uint64_t row_hash, uint64_t written_hash, struct crm_error *err);
/* Calls fn for every entry of run with first <= seq <= last, oldest first. */
int crm_state_ledger_walk(struct crm_state *state, int64_t run, int64_t first, int64_t last, crm_ledger_walk_fn fn,
			  void *ctx, struct crm_error *err);
/*
 * Undoes a ledger entry in the cross-reference: an insert's entry goes, an
 * update's hashes are cleared, a deleted record's entry comes back.
 */
int crm_state_xref_undo(struct crm_state *state, const struct crm_ledger_entry *entry, struct crm_error *err);
/* crm_state_xref_undo of n entries: updates, or deletes, of one object's rows go 500 to a statement. */
int crm_state_xref_undo_many(struct crm_state *state, const struct crm_ledger_entry *entries, size_t n,
			     struct crm_error *err);

/*
 * A merged record of run ([dedupe]): its source id now names target_id, the
 * row of the person's survivor, in the xref; the rollback of run forgets it.
 */
int crm_state_merge_add(struct crm_state *state, int64_t run, int64_t key, const char *source_id, size_t source_id_len,
			int64_t target_id, struct crm_error *err);
/* Forgets the xref entries of run's merges, and the merges (*undone of them): part of its rollback. */
int crm_state_merges_undo(struct crm_state *state, int64_t run, int64_t *undone, struct crm_error *err);

/* How far the rollback of a run got: committed with each batch it reverts. */
struct crm_rollback_progress {
	int exported;	  /* changed-since-cutover written: never again, the target is being reverted */
	int64_t next_seq; /* ledger entries below this are still to revert */
	int finished;
};
/* 1 and *rp when a rollback of run was started, 0 when not. */
int crm_state_rollback_get(struct crm_state *state, int64_t run, struct crm_rollback_progress *rp,
			   struct crm_error *err);
int crm_state_rollback_put(struct crm_state *state, int64_t run, const struct crm_rollback_progress *rp,
			   const char *now, struct crm_error *err);

struct crm_checkpoint {
	int64_t pass1_records; /* records of the file fully handled in pass 1 */
	int64_t pass2_records;
	int pass1_done, pass2_done;
	struct crm_counts counts;
	int64_t rejects_offset; /* bytes of the rejects report that belong to committed work */
	int64_t orphans_offset;
	char max_modified[48]; /* the newest [object] modified value read so far ("" when none) */
};

/* 1 and *cp when a checkpoint exists for (run, object), 0 when not. */
int crm_state_checkpoint_get(struct crm_state *state, int64_t run, const char *object, struct crm_checkpoint *cp,
			     struct crm_error *err);
int crm_state_checkpoint_put(struct crm_state *state, int64_t run, const char *object, const struct crm_checkpoint *cp,
			     struct crm_error *err);

/*
 * Watermarks: how far delta sync got. For a source object, the newest
 * `modified` value applied; for object NULL, the change stream's position.
 * Kept per run: get returns the newest run's, 1 and value when set, 0 when
 * not; put sets run's.
 */
int crm_state_watermark_get(struct crm_state *state, const char *object, char *value, size_t cap,
			    struct crm_error *err);
int crm_state_watermark_put(struct crm_state *state, const char *object, const char *value, int64_t run,
			    struct crm_error *err);
/*
 * Forgets the watermarks run published (its rollback): the next sync starts
 * where the run before it left off, so what run applied is applied again.
 */
int crm_state_watermarks_undo(struct crm_state *state, int64_t run, struct crm_error *err);

/*
 * What ref(Object.field) resolves by (engine/refkey.h): each record of the
 * object (key) and its value of column, as the newest run that read the
 * record found it ("" when it had none). A run appends only the values
 * that changed, in the caller's transaction; its rollback forgets them.
 */
struct crm_state_refkey {
	const char *source_id, *value;
	size_t source_id_len, value_len;
};
/* One record's newest value; non-zero with err set stops the walk. */
typedef int (*crm_state_refkey_fn)(void *ctx, const char *source_id, size_t source_id_len, const char *value,
				   size_t value_len, struct crm_error *err);
/* Calls fn once per record that has a value of column, in source id order. */
int crm_state_refkeys_each(struct crm_state *state, int64_t key, const char *column, crm_state_refkey_fn fn, void *ctx,
			   struct crm_error *err);
/* Appends run's values of n records (a record given again: its newest value is the last). */
int crm_state_refkeys_put(struct crm_state *state, int64_t run, int64_t key, const char *column,
			  const struct crm_state_refkey *values, size_t n, struct crm_error *err);
/* Forgets the values run appended (its rollback). */
int crm_state_refkeys_undo(struct crm_state *state, int64_t run, struct crm_error *err);

/*
 * Reads object key's whole xref (count entries: crm_state_xref_count) into
 * memory when count is at most max, for a store where each lookup is a
 * round trip: until crm_state_xref_preload_drop (or another object's
 * preload, or a rolled back transaction: crm_state_discard), the
 * read-ahead and xref_get answer from it. The writes of its entries here
 * keep it true; a write of many at once (from the ledger, a table's, a
 * rollback's undo) drops it, and so does an entry past max. 1 when read,
 * 0 when count exceeds max (or there is no memory for them: nothing is
 * held), or an error. Memory: 72 to 90 bytes an entry (48 a slot, at
 * most 2 in 3 used, a quarter more slots as a part grows).
 */
int crm_state_xref_preload(struct crm_state *state, int64_t key, int64_t count, size_t max, struct crm_error *err);
void crm_state_xref_preload_drop(struct crm_state *state);

/*
 * The source side of a run's snapshot: an export file as it was when the
 * run started (or when --force accepted it changed), and the records read.
 */
struct crm_source_file {
	char object[128]; /* the object; "events" for a change stream */
	char path[1024];  /* as the project names it (relative to its folder when inside it) */
	uint64_t size;
	int64_t mtime_ns;
	char sha256[65];
	int64_t records; /* records in the file; -1 until a pass read it all */
	char taken_at[32];
	int forced; /* taken again under --force after the file changed */
	/* the file read, when path leads to it through a symbolic link (of the file or a folder); else "" */
	char resolved[1024];
};

int crm_state_source_file_put(struct crm_state *state, int64_t run, const struct crm_source_file *file,
			      struct crm_error *err);
/* Sets the record count of the newest snapshot of object's file in run. */
int crm_state_source_file_records(struct crm_state *state, int64_t run, const char *object, int64_t records,
				  struct crm_error *err);
/* The newest snapshot of each object's file in run, in the order taken (crm_free *files). */
int crm_state_source_files(struct crm_state *state, int64_t run, struct crm_source_file **files, size_t *count,
			   struct crm_error *err);

/* One stage of the open pipeline: open opportunities in the source when a run read them. */
struct crm_sales_stage {
	char *stage; /* whole, as mapped: two stages alike in their first bytes stay two */
	int64_t records;
	double amount;
	char first_close[32], last_close[32]; /* earliest and latest close date ("" when none) */
};

/*
 * owner(): records of object whose source user got target_owner for
 * reason (mapped, unknown, inactive; target_owner empty: rejected, no
 * default), added to run's count in the caller's transaction.
 */
int crm_state_owners_add(struct crm_state *state, int64_t run, const char *object, const char *source_user,
			 size_t source_len, const char *target_owner, size_t target_len, const char *reason,
			 int64_t records, struct crm_error *err);
/* One row of a run's owner counts; non-zero with err set stops the walk. */
typedef int (*crm_state_owner_fn)(void *ctx, const char *object, const char *source_user, size_t source_len,
				  const char *target_owner, size_t target_len, const char *reason, int64_t records,
				  struct crm_error *err);
/* Calls fn for each of run's owner counts, by source user, object, target owner and reason. */
int crm_state_owners_each(struct crm_state *state, int64_t run, crm_state_owner_fn fn, void *ctx,
			  struct crm_error *err);

/* Replaces object's open pipeline in run (in the caller's transaction). */
int crm_state_sales_put(struct crm_state *state, int64_t run, const char *object, const struct crm_sales_stage *stages,
			size_t count, struct crm_error *err);
/* Object's open pipeline in run, or every object's for object NULL (crm_free *stages). */
/* Frees stages and the names they own. */
void crm_state_sales_free(struct crm_sales_stage *stages, size_t count);
int crm_state_sales_get(struct crm_state *state, int64_t run, const char *object, struct crm_sales_stage **stages,
			size_t *count, struct crm_error *err);

/* A rehearsal of the cutover on a copy of the target (crmshift drill): what it measured. */
struct crm_drill_record {
	int64_t id;
	char started_at[32], finished_at[32];
	double window_seconds; /* the decision window it was held to */
	double copy_seconds, migrate_seconds, reconcile_seconds, rollback_seconds;
	int64_t rows_written; /* rows its migrate inserted or updated in the copy; with live_runs, rows they wrote */
	int go;		      /* reconcile's verdict on the copy */
	int identical;	      /* the rollback left the copy as it was before */
	int passed;	      /* identical, and the rollback within the window */
	int64_t live_runs;    /* 0: it rehearsed a migrate; else the runs loaded already that it rolled back */
};
int crm_state_drill_add(struct crm_state *state, const struct crm_drill_record *drill, int64_t *id,
			struct crm_error *err);
/* The newest drill: 1 when there is one, 0 when none. */
int crm_state_drill_last(struct crm_state *state, struct crm_drill_record *drill, struct crm_error *err);

/* The newest finished sync --final not rolled back: the freeze. 1 when found, 0 when none. */
int crm_state_run_final(struct crm_state *state, struct crm_run_info *info, struct crm_error *err);

#endif
