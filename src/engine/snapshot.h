/*
 * snapshot.h: what the target held, so that a rollback can be checked (is
 * every row the run wrote as it was before the run, and no row added since
 * left?) and edits made after a load can be found (which rows the run
 * wrote differ from how it left them?). A snapshot is a file under
 * .crmshift/snapshots/: per table its row count, its highest id, and the
 * rows it covers in id order, 16 bytes a row (id, hash of every other
 * column as the store holds it); written to a temporary name, synced and
 * renamed, so a crash never leaves half a snapshot.
 *
 * What a snapshot covers follows a run's work, not the target's size: the
 * one before a run lists no rows (the ledger keeps the hash of each row the
 * run updates or deletes, taken when it writes it), the one after lists
 * the rows the run wrote. Snapshots written by earlier versions (CRMSNAP1)
 * list every row of every table and are read as such ("whole").
 *
 * Not for: the source side. Export hashes and row counts are the state's.
 */
#ifndef CRM_SNAPSHOT_H
#define CRM_SNAPSHOT_H

#include "compat.h"
#include "store/store.h"
#include "util/error.h"
#include "util/hash.h"

/* A row as a snapshot lists it: its id and hash (the store's hash_rows hash). */
struct crm_snapshot_row {
	int64_t id;
	uint64_t hash;
};

/* What a snapshot takes of one table. */
struct crm_snapshot_take {
	const char *table;
	int extent;	    /* its row count and highest id (else -1 and -1: counting rows reads them all) */
	int64_t above;	    /* the rows whose id is above this (INT64_MAX: none) */
	const int64_t *ids; /* and these rows (ascending; absent ones are left out) */
	size_t id_count;
	/*
	 * Or NULL: the hashes of ids, known already (a sync hashes each row
	 * it writes just after writing it), so that they are not read again;
	 * ids then lists only rows that are present.
	 */
	const uint64_t *hashes;
	/*
	 * Or NULL: the rows above `above`, ids ascending, with the hashes the
	 * run's inserts left (crm_run_rows' written), so that none is read back.
	 */
	const struct crm_snapshot_row *inserted;
	size_t inserted_count;
};

int crm_snapshot_write(struct crm_store *store, const struct crm_snapshot_take *takes, size_t count, const char *path,
		       struct crm_error *err);

/*
 * The file of run's snapshot of the target taken when ("before" or
 * "after") in the project at project_dir, into path (PATH_MAX bytes).
 * CRM_EINPUT when it would not fit.
 */
int crm_snapshot_path(char *path, const char *project_dir, int64_t run, const char *when, struct crm_error *err);

struct crm_snapshot;

/* Maps a snapshot file (its rows are read as lookups touch them); NULL with err set. */
struct crm_snapshot *crm_snapshot_load(const char *path, struct crm_error *err);
void crm_snapshot_free(struct crm_snapshot *snap);
size_t crm_snapshot_table_count(const struct crm_snapshot *snap);
const char *crm_snapshot_table(const struct crm_snapshot *snap, size_t i);
/* Whether the snapshot covers table. */
int crm_snapshot_has_table(const struct crm_snapshot *snap, const char *table);
/* Whether it lists every row of every table (CRMSNAP1). */
int crm_snapshot_whole(const struct crm_snapshot *snap);
/* The table's row count and highest id when the snapshot was taken (0 and 0 for a table it does not cover). */
void crm_snapshot_extent(const struct crm_snapshot *snap, const char *table, int64_t *rows, int64_t *max_id);
/* 1 and *hash when the snapshot lists row id, 0 when not. */
int crm_snapshot_find(const struct crm_snapshot *snap, const char *table, int64_t id, uint64_t *hash);

/* A row a run wrote and what it was before the run: present with its hash (0: not known), or absent. */
struct crm_snapshot_expect {
	int64_t id;
	uint64_t hash;
	int present;
};

/* How a table now differs from its state before a run. */
struct crm_snapshot_diff {
	char table[64];
	int64_t rows_then, rows_now;
	int64_t missing; /* rows there before and not now */
	int64_t extra;	 /* rows there now and not before */
	int64_t changed; /* rows in both whose values differ */
};

struct crm_run_rows;

/*
 * Compares rows->table with the before-snapshot `before` of a run, given
 * what each row the run wrote was before it (rows->expect): those rows one
 * by one, every row above the snapshot's highest id (none may be left), and
 * the row count, which accounts for the rows the run did not write. A
 * whole snapshot is compared row by row instead.
 */
int crm_snapshot_compare(struct crm_store *store, const struct crm_snapshot *before, const struct crm_run_rows *rows,
			 struct crm_snapshot_diff *diff, struct crm_error *err);

/*
 * A table's share of a run's ledger, as rollback and the after-snapshot
 * need it: every row the run wrote at or below the before-snapshot's
 * highest id, with what it was before the run (an update's or delete's
 * ledger row_hash; absent for an insert), ascending, one each (the
 * oldest entry wins); and, when asked for, every row the run inserted,
 * and the rows above that id with the hashes the run's inserts left.
 * The rows above that id were not there before the run, whatever it did
 * to them.
 */
struct crm_run_rows {
	const char *table; /* the before-snapshot's */
	int64_t max_then;  /* the before-snapshot's highest id */
	struct crm_snapshot_expect *expect;
	int64_t *ids; /* expect's ids, in its order: what the store's hash_ids takes */
	size_t count, cap;
	struct crm_idcount inserted; /* CRM_RUN_ROWS_INSERTED */
	/*
	 * CRM_RUN_ROWS_WRITTEN: written_known when every entry above max_then
	 * is an insert whose row's hash the ledger kept (written_hash), ids
	 * ascending; then written lists them. Else written is empty: an
	 * update, a delete or an insert the store did not hash came after.
	 */
	int written_known;
	struct crm_snapshot_row *written;
	size_t written_count, written_cap;
};

struct crm_state;

enum {
	CRM_RUN_ROWS_INSERTED = 1, /* crm_run_rows' inserted */
	CRM_RUN_ROWS_WRITTEN = 2,  /* crm_run_rows' written */
};

/*
 * One crm_run_rows per table of before, from run's ledger entries
 * first..last, into *out (*count of them); want: CRM_RUN_ROWS_* flags.
 */
int crm_snapshot_run_rows(struct crm_state *state, int64_t run, int64_t first, int64_t last,
			  const struct crm_snapshot *before, unsigned want, struct crm_run_rows **out, size_t *count,
			  struct crm_error *err);
void crm_snapshot_run_rows_free(struct crm_run_rows *rows, size_t count);

#endif
