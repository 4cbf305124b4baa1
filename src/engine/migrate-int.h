/*
 * migrate-int.h: what the modules of a migrate run share and nothing else
 * sees (the way SQLite keeps a layer's internals behind a private header):
 * the run's context, and the source snapshot and freeze checks of
 * freeze.c. The public interface is migrate.h.
 */
#ifndef CRM_MIGRATE_INT_H
#define CRM_MIGRATE_INT_H

#include "compat.h"
#include "engine/dedupe.h"
#include "engine/migrate.h"
#include "engine/sample.h"
#include "engine/sales.h"
#include "engine/snapshot.h"
#include "engine/stage.h"
#include "state/session.h"
#include "state/state.h"
#include "store/store.h"
#include "transform/datetime.h"
#include "util/arena.h"
#include "util/buf.h"
#include "audit/keys.h"
#include "transform/program.h"

#include <limits.h>
#include <stdio.h>

struct written_snapshot {
	int64_t run;
	struct crm_snapshot *snap; /* NULL when the run has none */
};

/* owner(): records of one (object, source user, target owner, reason) in the open batch. */
struct owner_tally {
	size_t object; /* index into the project's objects */
	enum crm_owner_reason reason;
	const char *source, *target; /* in the key map's copy of the key */
	size_t source_len, target_len;
	int64_t records;
};

/*
 * A row a sync wrote (or deleted), as it left it: the hash it read just
 * after the write, which the after-snapshot takes instead of reading the
 * row again. The latest of a row's writes (highest order) is how it ends.
 */
struct written_row {
	const char *table;
	int64_t id;
	uint64_t hash;
	int present; /* 0: deleted */
	size_t order;
};

/* [dedupe] of one object in a run (merge.c). */
struct merge_plan {
	struct crm_dedupe_result found;
	int64_t *rows;		 /* per group: the target row its records name already; 0 none yet */
	unsigned char *unmerged; /* per group: its records name several rows, so it is not merged */
};

/* MERGE_REPEAT: a later record with the id of a merged group's record, rejected as a repeated id. */
enum merge_role { MERGE_NONE, MERGE_SURVIVOR, MERGE_MERGED, MERGE_REPEAT };

struct migration {
	struct crm_project *p;
	const struct crm_migrate_options *opt;
	struct crm_migrate_result *res;
	struct crm_session session;
	struct crm_sample sample;
	int sampling;
	int64_t run;
	char load_time[CRM_DT_MAX];
	FILE *rejects;
	FILE *orphans;
	FILE *conflicts;	      /* sync */
	char plain_rejects[PATH_MAX]; /* the rejects' plain copy once they are sealed */
	struct crm_tz tz;	      /* reads [object] modified values written without a zone */
	struct crm_arena arena;
	struct crm_buf hashbuf;
	struct crm_buf pre_image;
	uint64_t pre_hash;		/* the hash of the row pre_image came from, whole (the ledger's row_hash) */
	int64_t pre_hash_of;		/* the row the conflict check just read pre_hash of (0: none) */
	struct crm_xref_cache **caches; /* per project object, once a reference needs it */
	struct key_map *key_maps;	/* ref(Object.field): built at first use, dropped when the parent changes */
	size_t key_map_count, key_map_cap;
	struct key_values *key_values; /* what the key maps are built from, per parent and column */
	size_t key_value_count, key_value_cap;
	int64_t *keys;			    /* per project object: its key in the state database */
	struct crm_idcount *conflicted;	    /* per project object: target rows left as conflicts this run */
	struct written_snapshot *snapshots; /* after-snapshots of earlier runs, loaded as conflicts need them */
	size_t snapshot_count;
	struct written_row *written; /* sync: every row the run wrote, in write order */
	size_t written_count, written_cap;
	/* owner(): the open batch's counts (num: index into owner_tallies), into the state at commit */
	struct crm_strmap owner_keys;
	struct owner_tally *owner_tallies;
	size_t owner_tally_count, owner_tally_cap;
	struct crm_source_file *sources; /* the run's source snapshot: each export as it started */
	struct source_hashing *hashing;	 /* its hashes still being taken (freeze.c) */
	size_t source_count;
	struct merge_plan **merge_plans; /* per project object, NULL without [dedupe] (merge.c) */
	struct pass_indexing *indexing;	 /* an unindexed pass's entries and index, made beside the run (indexing.c) */
	struct before_snapshot *snapshotting; /* the before-snapshot, taken beside the run (snapshotting.c) */
	char tmpdir[PATH_MAX];
	int preview; /* a dry run against the real target: one transaction, rolled back at the end */
};

/* What one record became: its id, mapped values, resolved references and hash. */
struct prepared {
	const char *id;
	size_t id_len;
	const struct crm_value *values; /* the mapped values, borrowed from the staged record */
	/* the staged record's keys of id and of values' references (stage.h), or zero and NULL */
	struct crm_id_hash id_hash;
	const struct crm_id_hash *ref_hashes;
	struct crm_value *out; /* values for the store: references as target ids */
	int *resolved;	       /* per field: 1 resolved, 0 no value, -1 parent missing */
	uint64_t hash;
	/*
	 * A polymorphic reference whose id several of its objects have: the
	 * group's first field (SIZE_MAX: none) and which alternatives have it.
	 * The record is rejected.
	 */
	size_t ambiguous;
	uint32_t ambiguous_alts;
};

/* A record whose insert is queued (a set-based load), until the queue is flushed. */
struct queued_record {
	const char *id;
	size_t id_len;
	struct crm_id_hash key; /* the id's in the id caches */
	uint64_t hash;
	unsigned long line;
	struct crm_value *values; /* the row's values, for a row the target had already (settle_insert) */
};

/* A sync's update in the writer's queue: its xref entry waits for the row's written hash. */
struct pending_update {
	const char *id;
	size_t id_len;
	int64_t target_id;
	uint64_t hash; /* the record's */
};

struct object_run {
	struct crm_project_object *o;
	int64_t key;
	struct crm_object_result *result;
	struct crm_checkpoint cp;
	struct crm_table_spec spec;
	struct crm_store_column *columns;
	struct crm_store_writer *writer;
	struct crm_value *values; /* pass 2: values of the deferred columns */
	size_t *deferred_fields;  /* pass 2: which fields those are */
	size_t deferred_count;
	int fresh; /* no record of this object was ever loaded: skip the xref lookup */
	/*
	 * Pass 1 of a first load into an empty table whose source index is
	 * built when the pass ends (store.h: source_index): until then the
	 * ids it inserted, kept in memory, turn a repeated id away.
	 */
	int unindexed;
	/*
	 * Such a pass that a kill stopped, going on as it began: its table
	 * holds the rows the tries before committed and nothing else
	 * (resume_unindexed), their ids are in the cache from the ledger.
	 */
	int resumed;
	/*
	 * Its ledger entries are at or after this seq: the run's next when the
	 * pass began in this try, 0 (anywhere in the run) when a try before.
	 */
	int64_t ledger_from;
	int unindexed_cache; /* the object's cache was loaded for that (and kept for the objects after it) */
	int cache_reserved;  /* that cache was sized from the export's first batch */
	int whole_asked;     /* the pass decided at its first batch whether to hold the xref whole (hold_whole) */
	/*
	 * The target holds fewer rows than the state knows: an unchanged
	 * record's row is looked for. -1 until the first unchanged record
	 * asks (a count of every xref entry, which a delta of changed
	 * records need not pay); the pass's own writes keep both counts in
	 * step, so the answer is the same then as at the start.
	 */
	int verify;
	int events; /* change events: a record may come many times, and references resolve at once (no pass 2) */
	int opened; /* change events: the writer is open */
	struct crm_record_sample *sample;   /* pass 1: counts the records, keeps the snapshot's sample */
	struct crm_sales_pipeline pipeline; /* pass 1 of a migrate: open opportunities in the export */
	int keeps_pipeline;
	size_t sample_slots; /* records of the export the snapshot's sample keeps */
	/*
	 * A first load into a backend with set-based inserts: records are
	 * queued and inserted, with their xref and ledger rows, when the batch
	 * ends (migrate_flush_queue), a few statements a batch instead of a few a row.
	 */
	int queues;
	/*
	 * A sync's deletes (of records flagged deleted, of records a full
	 * export no longer has): their rows removed as one set a batch
	 * (migrate_flush_removes); removed_ids has the source ids of the rows
	 * still waiting, so that a later record of one goes after them.
	 */
	int defer_removes;
	int64_t *removes;
	size_t remove_count, remove_cap;
	struct crm_xref_cache *removed_ids;
	struct queued_record *queue;
	size_t queue_count, queue_cap;
	int64_t *queue_ids;	       /* per queued record: its new id, 0 when the target had it */
	uint64_t *queue_hashes;	       /* and its row's hash as the store wrote it, 0 when it could not tell */
	struct crm_inserted *inserted; /* the bookkeeping of the ones inserted */
	struct crm_arena queue_arena;  /* the queued records' ids and values */
	/* a stream's object after a small early send: inserts to go row by row before it queues again */
	size_t inserts_alone;
	/* an unindexed load's queued ids (no index turns a repeat away): freed at each flush */
	struct crm_xref_cache *queued_ids;
	/*
	 * A sync's updates on a server go to the writer's queue
	 * (queue_update) and as one set when the batch ends or a record
	 * names a row that waits; their entries are put then, with the
	 * written hashes the flush tells (migrate_flush_updates).
	 */
	int queue_updates;
	struct pending_update *pending;
	uint64_t *pending_hashes; /* per pending update: its row's written hash, from the flush */
	size_t pending_count, pending_cap, pending_hashes_cap;
	struct crm_idcount pending_ids; /* their target ids */
	struct crm_arena pending_arena; /* their source ids */
	struct crm_state_id *ahead;	/* read_ahead: the staged batch's source ids */
	int64_t *ahead_rows;		/* and the target ids the state knows of them (ahead_cap each) */
	size_t ahead_cap;
	/* read_ahead: the last batch's found records, and the writes counted before it (updated, deleted, conflicts) */
	int64_t ahead_found, ahead_written;
};

/*
 * [dedupe] (merge.c). migrate_merge_plan finds the groups of the selected
 * objects before the first pass; migrate_merge_role says what a record is
 * to its group (MERGE_NONE also for a group left unmerged); a survivor's
 * values come filled from migrate_merge_survivor, which also hands it the
 * row another record of the person has; migrate_merge_finish points the
 * merged ids at the survivor's row when pass 1 ends; migrate_write_merges
 * writes reports/merges-RUN.csv.
 */
int migrate_merge_plan(struct migration *m, struct crm_error *err);
void migrate_merge_release(struct migration *m);
enum merge_role migrate_merge_role(const struct migration *m, const struct object_run *orun,
				   const struct crm_stage_record *rec, size_t *group);
int migrate_merge_survivor(struct migration *m, struct object_run *orun, size_t group, struct prepared *pr,
			   struct crm_error *err);
int migrate_merge_finish(struct migration *m, struct object_run *orun, struct crm_error *err);
int migrate_write_merges(struct migration *m, struct crm_error *err);

/*
 * 1 when value of o's field f, a ref(Object.field), names one loaded
 * parent, 0 when not, or an error.
 */
int migrate_key_resolves(struct migration *m, const struct crm_project_object *o, size_t f, const char *value,
			 size_t len, struct crm_error *err);
/*
 * A change event's record of o (id, its 'after' row raw): its values of the
 * columns other objects' ref(o.column) links name are kept, and those that
 * changed appended to the run's in the state by the batch's commit.
 */
int migrate_note_ref_keys(struct migration *m, const struct crm_project_object *o, const char *id, size_t id_len,
			  const struct crm_record *raw, struct crm_error *err);
/* Keeps the loaded cache of o in step with an xref write (migrate.c). */
int migrate_cache_note(struct migration *m, const struct crm_project_object *o, struct crm_id_hash key,
		       int64_t target_id, struct crm_error *err);

/* The key files at rest are sealed with ([security] key_file), or NULL. */
static inline const struct crm_key *migrate_seal_key(const struct migration *m)
{
	return m->p->data_key.id[0] ? &m->p->data_key : NULL;
}

/*
 * The run's reports (reports.c): reports/rejects-RUN.csv, orphans-RUN.csv
 * and, for a sync, conflicts-RUN.csv (the -dry-run names for a dry run).
 */
/* Opens them, cut back to the committed offsets for a resumed run. */
int migrate_open_reports(struct migration *m, int64_t rejects_offset, int64_t orphans_offset, struct crm_error *err);
/* Writes them out, and the batch's owner counts into the state: before the batch they belong to commits. */
int migrate_flush_reports(struct migration *m, struct crm_error *err);
/* Counts a record's owner() outcomes in the open batch (pass 1, loaded or not). */
int migrate_note_owners(struct migration *m, const struct crm_project_object *o, const struct crm_stage_record *rec,
			struct crm_error *err);
/* Forgets the open batch's owner counts: it was rolled back. */
void migrate_drop_owner_tallies(struct migration *m);
/* reports/owners-RUN.csv from the run's owner counts in the state, when a rule has owner(); sums into m->res. */
int migrate_write_owners(struct migration *m, struct crm_error *err);
/*
 * A report the run has written whole at path (one of m->res's, PATH_MAX
 * bytes): with [security] key_file, sealed in its place, the plain file
 * removed and path naming the sealed one.
 */
int migrate_seal_report(struct migration *m, char path[PATH_MAX], struct crm_error *err);
/*
 * A row of the rejects report: a record that did not load, or (blanked) a
 * field on_invalid = blank left empty in a record that did.
 */
int migrate_report_row(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
		       const char *field, const char *rule, const char *reason, int blanked, struct crm_error *err);
/* A record that did not load, with the field, the rule and the reason. */
int migrate_report_reject(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
			  const char *field, const char *rule, const char *reason, struct crm_error *err);
/* Why a reference did not resolve, into out (missing: what to add after it). */
void migrate_orphan_reason(char *out, size_t cap, const struct crm_field_program *field, const char *value, size_t len,
			   const char *missing);
/* A reference whose parent is not loaded (rejected: the record was rejected for it), in the orphans report. */
int migrate_report_orphan(struct migration *m, const struct crm_project_object *o, const char *id, size_t id_len,
			  unsigned long line, const struct crm_field_program *field, const char *parent_id,
			  size_t parent_len, int rejected, struct crm_error *err);
/* A record changed in the source whose target row users edited; the caller counts it. */
int migrate_report_conflict(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
			    int64_t target_id, const char *change, struct crm_error *err);
/* The data rows of a report (-1 when it cannot be read), and of them the blanked-field notes. */
int64_t migrate_count_report_rows(const char *path, int64_t *blanked);
/* With a data key, the rejects sealed at rest; the plain copy removed once the run is done. */
int migrate_seal_rejects(struct migration *m, struct crm_error *err);
void migrate_remove_plain_rejects(struct migration *m);

/*
 * The source side of a run (freeze.c). Each returns 0 or an error code with
 * err set; a refusal is CRM_EREFUSED naming the exports and what differs.
 */
/* The run's source snapshot as the state holds it, into m->sources. */
int migrate_load_sources(struct migration *m, struct crm_error *err);
/* Once a sync --final finished, the source is frozen: a later run reads only what that sync read. */
int migrate_check_frozen(struct migration *m, struct crm_error *err);
/*
 * The snapshot of every export the run reads, before it reads them: the
 * hashes are taken on a thread while the run goes on, and an export's entry
 * is written when it is needed (migrate_source_ready), so that a run stopped
 * before an entry was written had not read that export.
 */
int migrate_take_sources(struct migration *m, struct crm_error *err);
/*
 * Waits for the hashes up to object's export (every export's when NULL),
 * writes their entries and reads the snapshot again; 0 when there is nothing
 * to wait for. Before anything reads an export.
 */
int migrate_source_ready(struct migration *m, const char *object, struct crm_error *err);
/* Stops and joins the hashing thread, if it still runs (a run that ends early). */
void migrate_release_sources(struct migration *m);
/* A resumed run: the exports are as its snapshot says; one without an entry (not read yet) is taken now. */
int migrate_check_resumed(struct migration *m, struct crm_error *err);
/* Before each pass over an export: unchanged since the run's snapshot (or taken again under --force). */
int migrate_check_unchanged(struct migration *m, const struct crm_project_object *o, struct crm_error *err);

/*
 * The before-snapshot of the run (snapshotting.c) into path: on a server,
 * on a second connection, returning once its view of the target is fixed;
 * elsewhere in line. Each returns 0 or an error code with err set.
 */
int migrate_snapshot_before(struct migration *m, const struct crm_snapshot_take *takes, size_t count, const char *path,
			    struct crm_error *err);
/* Waits for it to be on disk, if it is being taken: its error, unless err holds one already. */
int migrate_snapshot_wait(struct migration *m, struct crm_error *err);

/*
 * The end of an unindexed first load's pass 1 (indexing.c): its xref
 * entries from the run's ledger and its table's source index. Each returns
 * 0 or an error code with err set.
 */
/* Both into the transaction that ends the pass (a store that is not a server, a pass with merges). */
int migrate_indexing_end(struct migration *m, struct object_run *orun, struct crm_error *err);
/*
 * Both on a second connection, after the pass's end committed, while the
 * run goes on (one at a time: waits for the one before); changed: the rows
 * the pass wrote, for the statistics asked for after.
 */
int migrate_indexing_start(struct migration *m, struct object_run *orun, int64_t changed, struct crm_error *err);
/* Waits for the one started, if any: its error, naming the object. */
int migrate_indexing_wait(struct migration *m, struct crm_error *err);
/* Whether project object index object's entries are being made, and whether o writes that table. */
int migrate_indexing_pending(const struct migration *m, size_t object);
int migrate_indexing_shares_table(const struct migration *m, const struct crm_project_object *o);
/*
 * A resumed run's done pass 1 whose table lacks its source index (a kill
 * before the second connection committed): both made now, in a
 * transaction of their own.
 */
int migrate_indexing_complete(struct migration *m, struct object_run *orun, struct crm_error *err);

/*
 * The load loop (migrate.c) as sync.c drives it. Each returns 0 or an error
 * code with err set unless it says otherwise.
 */
int migrate_prepared_init(struct prepared *pr, const struct crm_program *prog, struct crm_error *err);
void migrate_prepared_release(struct prepared *pr);
/*
 * The hash of row id, whole, before the run writes it (the ledger's
 * row_hash) into m->pre_hash: the conflict check's reading of it just now,
 * else read.
 */
int migrate_hash_before(struct migration *m, struct object_run *orun, int64_t id, struct crm_error *err);
/* A batch's transaction (none of its own in a preview: the run is one). */
int migrate_batch_begin(struct migration *m, struct crm_error *err);
/* Rolls the batch back, and the state's writes kept for it. */
void migrate_batch_abort(struct migration *m);
/* Commits the batch (target and state together); unless final, opens the next. */
int migrate_commit_batch(struct migration *m, int final, struct crm_error *err);
/* The object's checkpoint into the open transaction. */
int migrate_save_checkpoint(struct migration *m, struct object_run *orun, struct crm_error *err);
/* Queued writes, the checkpoint, then the commit. */
int migrate_checkpoint(struct migration *m, struct object_run *orun, int final, struct crm_error *err);
/* The object's writer for pass 1 (all its fields) or pass 2 (its deferred references). */
int migrate_open_writer(struct migration *m, struct object_run *orun, int pass, struct crm_error *err);
void migrate_close_writer(struct migration *m, struct object_run *orun);
/* One staged record through pass 1 or pass 2. */
/* Sends orun's queued sync updates and puts their entries (object_run.queue_updates). */
int migrate_flush_updates(struct migration *m, struct object_run *orun, struct crm_error *err);
/*
 * Before a record whose entry names target_id is handled: when that row's
 * update waits in the queue, the queue is sent first (1: read the entry
 * again, it has changed), else 0.
 */
int migrate_flush_if_pending(struct migration *m, struct object_run *orun, int64_t target_id, struct crm_error *err);
/* Room for n source ids in orun->ahead (and their target ids in orun->ahead_rows). */
int migrate_ahead_reserve(struct object_run *orun, size_t n, struct crm_error *err);
/*
 * On a server: the state's entries of the source ids oruns[i]->ahead[0..ns[i])
 * of count objects, and the target rows those of oruns[0] name, read ahead
 * in a few statements (store.h: read_ahead); the records' writes and
 * lookups then answer from memory.
 */
int migrate_read_ahead(struct migration *m, struct object_run *const *oruns, const size_t *ns, size_t count,
		       struct crm_error *err);
int migrate_handle_record(struct migration *m, struct object_run *orun, int pass, const struct crm_stage_record *rec,
			  struct prepared *pr, struct crm_error *err);
/* The object's newest modified value read, once its export is applied: the next sync starts there. */
int migrate_publish_watermark(struct migration *m, struct object_run *orun, struct crm_error *err);
/* The in-memory cross-reference and key maps forget id of o (its row was deleted). */
void migrate_cache_forget(struct migration *m, const struct crm_project_object *o, const char *id, size_t len);

/* What a sync adds (sync.c). */
/*
 * The target row as crmshift just left it, for the xref, when syncing (0
 * otherwise): told, the hash the store's write gave (0 when it gave none,
 * and the row is read).
 */
int migrate_written_hash(struct migration *m, struct object_run *orun, int64_t id, uint64_t told, uint64_t *hash,
			 struct crm_error *err);
/*
 * Sync: the target row changed since crmshift wrote it? Then the source's
 * change is a conflict: reported, and unless the source wins, 1 (leave the
 * row). 0: go ahead.
 */
int migrate_conflict(struct migration *m, struct object_run *orun, const char *id, size_t id_len, unsigned long line,
		     const struct crm_xref *x, const char *change, struct crm_error *err);
/* The queued inserts and updates of orun, sent now (as at a batch's end). */
int migrate_flush_queue(struct migration *m, struct object_run *orun, struct crm_error *err);
/* migrate_flush_queue before a change stream's batch ends (migrate.c says when it stops queueing). */
int migrate_flush_queue_early(struct migration *m, struct object_run *orun, struct crm_error *err);
/* The rows deferred deletes left (orun->defer_removes), removed now. */
int migrate_flush_removes(struct migration *m, struct object_run *orun, struct crm_error *err);
/* Before a record of source id key is written: the waiting removes, when one is its row's. */
int migrate_flush_if_removed(struct migration *m, struct object_run *orun, struct crm_id_hash key,
			     struct crm_error *err);
/* A record deleted in the source: its target row goes, whole, into the ledger. */
int migrate_delete_record(struct migration *m, struct object_run *orun, const char *id, size_t id_len,
			  unsigned long line, struct crm_error *err);
/* sync --full: records the xref holds that the run did not read were deleted in the source. */
int migrate_delete_missing(struct migration *m, struct crm_error *err);
/* sync --events: the stream in order, each event once. */
int migrate_run_events(struct migration *m, struct crm_error *err);

#endif
