/*
 * snapshot.h: what the target held, as per-row hashes, so that a rollback
 * can be checked (did the target return to exactly its state before the
 * run?) and edits made after a load can be found (which rows differ from
 * what the run left?). A snapshot is a file under .crmshift/snapshots/:
 * per table its rows in id order, 16 bytes a row (id, hash of every other
 * column as the store holds it), written to a temporary name, synced and
 * renamed, so a crash never leaves half a snapshot.
 *
 * Not for: the source side. Export hashes and row counts are the state's.
 */
#ifndef CRM_SNAPSHOT_H
#define CRM_SNAPSHOT_H

#include "compat.h"
#include "store/store.h"
#include "util/error.h"

/* Writes the rows of tables (a table not created yet is empty) to path. */
int crm_snapshot_write(struct crm_store *store, const char *const *tables, size_t count, const char *path,
		       struct crm_error *err);

struct crm_snapshot;

/* Reads a snapshot into memory (16 bytes a row); NULL with err set. */
struct crm_snapshot *crm_snapshot_load(const char *path, struct crm_error *err);
void crm_snapshot_free(struct crm_snapshot *snap);
size_t crm_snapshot_table_count(const struct crm_snapshot *snap);
const char *crm_snapshot_table(const struct crm_snapshot *snap, size_t i);
/* Whether the snapshot covers table. */
int crm_snapshot_has_table(const struct crm_snapshot *snap, const char *table);
/* 1 and *hash when the table held row id, 0 when not. */
int crm_snapshot_find(const struct crm_snapshot *snap, const char *table, int64_t id, uint64_t *hash);

/* How a table now differs from a snapshot. */
struct crm_snapshot_diff {
	char table[64];
	int64_t rows_then, rows_now;
	int64_t missing; /* rows the snapshot has and the table has not */
	int64_t extra;	 /* rows the table has and the snapshot has not */
	int64_t changed; /* rows in both whose values differ */
};

/* Compares every table of snap with the target now: one diff per table into *out (crm_free it). */
int crm_snapshot_compare(struct crm_store *store, const struct crm_snapshot *snap, struct crm_snapshot_diff **out,
			 struct crm_error *err);

#endif
