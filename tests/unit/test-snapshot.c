/*
 * Unit tests for engine/snapshot.c: a before-snapshot of counts and highest
 * ids, checked against the rows a run wrote; an after-snapshot of some rows;
 * a whole CRMSNAP1 file of an earlier version, read and compared row by row.
 */
#include "compat.h"
#include "harness.h"
#include "engine/snapshot.h"
#include "state/state.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The snapshot file the cases write and read back. */
static const char *snap_path(void)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/snapshot.snap", harness_scratch());
	return path;
}
#define SNAP_PATH snap_path()

static struct crm_store *open_target(char url[256])
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_store *store;

	snprintf(url, 256, "sqlite:%s/snapshot.db", harness_scratch());
	unlink(url + 7);
	store = crm_store_open(url, "/tmp", 1, &err);
	CHECK(store != NULL);
	if (store)
		CHECK_INT(store->ops->exec(store,
					   "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
					   "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');",
					   &err),
			  0);
	CHECK_STR(err.msg, "");
	return store;
}

static int keep_hash(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	uint64_t *hashes = ctx;

	(void)err;
	if (id >= 1 && id <= 4)
		hashes[id] = hash;
	return 0;
}

/* Table t against before, the run having written the rows of expect (n of them, at most 4). */
static struct crm_snapshot_diff compare(struct crm_store *store, const struct crm_snapshot *before,
					struct crm_snapshot_expect *expect, size_t n)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_snapshot_diff d;
	int64_t ids[4];
	struct crm_run_rows rows = {"t", 0, expect, ids, n, n, {0}, 0, NULL, 0, 0};
	size_t i;

	for (i = 0; i < n && i < 4; i++)
		ids[i] = expect[i].id;
	CHECK_INT(crm_snapshot_compare(store, before, &rows, &d, &err), 0);
	CHECK_STR(err.msg, "");
	return d;
}

#define CHECK_DIFF(d, then, now, miss, ext, chg)                                                                       \
	do {                                                                                                           \
		CHECK_INT((d).rows_then, then);                                                                        \
		CHECK_INT((d).rows_now, now);                                                                          \
		CHECK_INT((d).missing, miss);                                                                          \
		CHECK_INT((d).extra, ext);                                                                             \
		CHECK_INT((d).changed, chg);                                                                           \
	} while (0)

/*
 * A run updates row 2, deletes row 3 and inserts row 4: the check finds
 * each; undone, nothing; a row the run did not write, deleted, shows in the
 * count.
 */
static void test_snapshot__before_counts_and_written_rows(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_snapshot_take take = {"t", 1, INT64_MAX, NULL, 0, NULL, NULL, 0};
	struct crm_snapshot *before, *after;
	struct crm_snapshot_expect expect[2];
	uint64_t hashes[5] = {0}, h;
	int64_t rows, max_id, ids[1] = {2};
	char url[256];
	struct crm_store *store = open_target(url);

	if (!store)
		return;
	CHECK_INT(store->ops->hash_rows(store, "t", INT64_MIN, keep_hash, hashes, &err), 0);
	CHECK_INT(crm_snapshot_write(store, &take, 1, SNAP_PATH, &err), 0);
	before = crm_snapshot_load(SNAP_PATH, &err);
	CHECK(before != NULL);
	if (!before)
		goto out;
	CHECK_INT(crm_snapshot_whole(before), 0);
	crm_snapshot_extent(before, "t", &rows, &max_id);
	CHECK_INT(rows, 3);
	CHECK_INT(max_id, 3);
	CHECK_INT(crm_snapshot_find(before, "t", 2, &h), 0); /* it lists no rows */

	CHECK_INT(store->ops->exec(store,
				   "UPDATE t SET v = 'TWO' WHERE id = 2; DELETE FROM t WHERE id = 3;"
				   "INSERT INTO t VALUES (4, 'four');",
				   &err),
		  0);
	expect[0] = (struct crm_snapshot_expect){2, hashes[2], 1};
	expect[1] = (struct crm_snapshot_expect){3, hashes[3], 1};
	CHECK_DIFF(compare(store, before, expect, 2), 3, 3, 1, 1, 1);

	/* the after-snapshot: the rows above the highest id before, and the listed ones */
	take = (struct crm_snapshot_take){"t", 0, 3, ids, 1, NULL, NULL, 0};
	CHECK_INT(crm_snapshot_write(store, &take, 1, SNAP_PATH, &err), 0);
	after = crm_snapshot_load(SNAP_PATH, &err);
	CHECK(after != NULL);
	if (after) {
		CHECK_INT(crm_snapshot_find(after, "t", 4, &h), 1);
		CHECK_INT(crm_snapshot_find(after, "t", 2, &h), 1);
		CHECK(h != hashes[2]);
		CHECK_INT(crm_snapshot_find(after, "t", 1, &h), 0);
		crm_snapshot_extent(after, "t", &rows, &max_id);
		CHECK_INT(rows, -1); /* not counted */
		crm_snapshot_free(after);
	}

	CHECK_INT(store->ops->exec(store,
				   "UPDATE t SET v = 'two' WHERE id = 2; INSERT INTO t VALUES (3, 'three');"
				   "DELETE FROM t WHERE id = 4;",
				   &err),
		  0);
	CHECK_DIFF(compare(store, before, expect, 2), 3, 3, 0, 0, 0);
	/* an edit to a row the run did not write is not the check's; a deletion shows in the count */
	CHECK_INT(store->ops->exec(store, "UPDATE t SET v = 'uno' WHERE id = 1", &err), 0);
	CHECK_DIFF(compare(store, before, expect, 2), 3, 3, 0, 0, 0);
	CHECK_INT(store->ops->exec(store, "DELETE FROM t WHERE id = 1", &err), 0);
	CHECK_DIFF(compare(store, before, expect, 2), 3, 2, 1, 0, 0);
	crm_snapshot_free(before);
out:
	CHECK_STR(err.msg, "");
	crm_store_close(store);
	unlink(url + 7);
	unlink(SNAP_PATH);
}

/* A CRMSNAP1 file (every row, no counts) of an earlier version: read whole, compared row by row. */
static void test_snapshot__whole_snapshots_of_earlier_versions(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_snapshot *snap;
	uint64_t hashes[5] = {0}, count = 3, h;
	uint32_t tables = 1;
	uint16_t len = 1;
	int64_t rows, max_id, id;
	char url[256];
	struct crm_store *store = open_target(url);
	FILE *f;

	if (!store)
		return;
	CHECK_INT(store->ops->hash_rows(store, "t", INT64_MIN, keep_hash, hashes, &err), 0);
	f = fopen(SNAP_PATH, "wb");
	CHECK(f != NULL);
	if (!f)
		goto out;
	fwrite("CRMSNAP1", 8, 1, f);
	fwrite(&tables, sizeof(tables), 1, f);
	fwrite(&len, sizeof(len), 1, f);
	fwrite("t", 1, 1, f);
	fwrite(&count, sizeof(count), 1, f);
	for (id = 1; id <= 3; id++) {
		fwrite(&id, sizeof(id), 1, f);
		fwrite(&hashes[id], sizeof(hashes[id]), 1, f);
	}
	fclose(f);
	snap = crm_snapshot_load(SNAP_PATH, &err);
	CHECK(snap != NULL);
	if (!snap)
		goto out;
	CHECK_INT(crm_snapshot_whole(snap), 1);
	crm_snapshot_extent(snap, "t", &rows, &max_id);
	CHECK_INT(rows, 3);
	CHECK_INT(max_id, 3);
	CHECK_INT(crm_snapshot_find(snap, "t", 2, &h), 1);
	CHECK(h == hashes[2]);
	CHECK_DIFF(compare(store, snap, NULL, 0), 3, 3, 0, 0, 0);
	/* row by row: an edit anywhere is found, whatever the run wrote */
	CHECK_INT(
		store->ops->exec(store, "UPDATE t SET v = 'uno' WHERE id = 1; INSERT INTO t VALUES (4, 'four')", &err),
		0);
	CHECK_DIFF(compare(store, snap, NULL, 0), 3, 4, 0, 1, 1);
	crm_snapshot_free(snap);
out:
	CHECK_STR(err.msg, "");
	crm_store_close(store);
	unlink(url + 7);
	unlink(SNAP_PATH);
}

/* A sync's after-snapshot: the hashes it took as it wrote are listed as given, the rows not read again. */
static void test_snapshot__hashes_known_from_the_writes(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_snapshot *snap;
	struct crm_snapshot_take take;
	int64_t ids[2] = {1, 3};
	uint64_t known[2] = {11, 33}, h = 0;
	char url[256];
	struct crm_store *store = open_target(url);

	if (!store)
		return;
	take = (struct crm_snapshot_take){"t", 0, INT64_MAX, ids, 2, known, NULL, 0};
	CHECK_INT(crm_snapshot_write(store, &take, 1, SNAP_PATH, &err), 0);
	snap = crm_snapshot_load(SNAP_PATH, &err);
	CHECK(snap != NULL);
	if (snap) {
		CHECK_INT(crm_snapshot_find(snap, "t", 1, &h), 1);
		CHECK(h == 11);
		CHECK_INT(crm_snapshot_find(snap, "t", 3, &h), 1);
		CHECK(h == 33);
		CHECK_INT(crm_snapshot_find(snap, "t", 2, &h), 0);
		crm_snapshot_free(snap);
	}
	CHECK_STR(err.msg, "");
	crm_store_close(store);
	unlink(url + 7);
	unlink(SNAP_PATH);
}

/* A first load's after-snapshot: the rows above the highest id come as the inserts hashed them, none read. */
static void test_snapshot__inserted_rows_as_their_inserts_hashed_them(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_snapshot *snap;
	struct crm_snapshot_take take;
	static const struct crm_snapshot_row inserted[2] = {{2, 22}, {3, 33}};
	int64_t ids[1] = {1};
	uint64_t h = 0;
	char url[256];
	struct crm_store *store = open_target(url);

	if (!store)
		return;
	take = (struct crm_snapshot_take){"t", 0, 1, ids, 1, NULL, inserted, 2};
	CHECK_INT(crm_snapshot_write(store, &take, 1, SNAP_PATH, &err), 0);
	snap = crm_snapshot_load(SNAP_PATH, &err);
	CHECK(snap != NULL);
	if (snap) {
		CHECK_INT(crm_snapshot_find(snap, "t", 1, &h), 1); /* listed, so read */
		CHECK(h != 0 && h != 22);
		CHECK_INT(crm_snapshot_find(snap, "t", 2, &h), 1);
		CHECK(h == 22);
		CHECK_INT(crm_snapshot_find(snap, "t", 3, &h), 1);
		CHECK(h == 33);
		crm_snapshot_free(snap);
	}
	CHECK_STR(err.msg, "");
	crm_store_close(store);
	unlink(url + 7);
	unlink(SNAP_PATH);
}

/*
 * The hashes a run's inserts left, from its ledger: kept while every entry
 * above the highest id before the run is an insert the store hashed, ids
 * ascending; an update, a delete, an insert without a hash or ids out of
 * order after them, and the table's rows are read back instead.
 */
static void test_snapshot__written_rows_from_the_ledger(void)
{
	static const struct {
		enum crm_ledger_action action;
		int64_t id;
		uint64_t written;
	} cases[][3] = {
		{{CRM_LEDGER_INSERT, 4, 44}, {CRM_LEDGER_INSERT, 5, 55}, {CRM_LEDGER_UPDATE, 2, 0}},
		{{CRM_LEDGER_INSERT, 4, 44}, {CRM_LEDGER_UPDATE, 4, 0}, {CRM_LEDGER_INSERT, 5, 55}},
		{{CRM_LEDGER_INSERT, 4, 44}, {CRM_LEDGER_INSERT, 5, 0}, {CRM_LEDGER_INSERT, 6, 66}},
		{{CRM_LEDGER_INSERT, 5, 55}, {CRM_LEDGER_INSERT, 4, 44}, {CRM_LEDGER_INSERT, 6, 66}},
		{{CRM_LEDGER_INSERT, 4, 44}, {CRM_LEDGER_DELETE, 5, 0}, {CRM_LEDGER_INSERT, 6, 66}},
	};
	static const int known[] = {1, 0, 0, 0, 0};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_snapshot_take take = {"t", 1, INT64_MAX, NULL, 0, NULL, NULL, 0};
		struct crm_snapshot *before = NULL;
		struct crm_run_rows *rows = NULL;
		struct crm_state *state = NULL;
		size_t count = 0, i;
		int64_t run = 0, key = 0, first = 0, last = -1;
		char url[256], state_path[128];
		struct crm_store *store = open_target(url);

		if (!store)
			return;
		snprintf(state_path, sizeof(state_path), "%s/snapshot-state.db", harness_scratch());
		unlink(state_path);
		CHECK_INT(crm_snapshot_write(store, &take, 1, SNAP_PATH, &err), 0);
		before = crm_snapshot_load(SNAP_PATH, &err);
		CHECK_INT(crm_state_open(store, state_path, 1, &state, &err), 0);
		if (before && state) {
			CHECK_INT(crm_state_run_start(state, "migrate", "{}", "2026-01-01T00:00:00Z", &run, &err), 0);
			CHECK_INT(crm_state_object_key(state, "T", "t", 1, &key, &err), 1);
			CHECK_INT(store->ops->begin(store, &err), 0);
			for (i = 0; i < 3; i++)
				CHECK_INT(crm_state_ledger_add(state, run, key, cases[c][i].id, "s", 1,
							       cases[c][i].action, NULL, 1, 0, cases[c][i].written,
							       &err),
					  0);
			CHECK_INT(store->ops->commit(store, &err), 0);
			CHECK_INT(crm_state_ledger_range(state, run, &first, &last, &err), 0);
			CHECK_INT(crm_snapshot_run_rows(state, run, first, last, before, CRM_RUN_ROWS_WRITTEN, &rows,
							&count, &err),
				  0);
			CHECK_INT(count, 1);
			if (count == 1) {
				CHECK_INT(rows[0].written_known, known[c]);
				CHECK_INT(rows[0].written_count, known[c] ? 2 : 0);
				if (known[c] && rows[0].written_count == 2) {
					CHECK_INT(rows[0].written[0].id, 4);
					CHECK(rows[0].written[0].hash == 44);
					CHECK_INT(rows[0].written[1].id, 5);
					CHECK(rows[0].written[1].hash == 55);
				}
			}
		}
		CHECK_STR(err.msg, "");
		crm_snapshot_run_rows_free(rows, count);
		crm_snapshot_free(before);
		crm_state_close(state);
		crm_store_close(store);
		unlink(state_path);
		unlink(url + 7);
		unlink(SNAP_PATH);
	}
}

/* A file cut short, or one that is not a snapshot, is refused by name; nothing past its end is read. */
static void test_snapshot__truncated_files_are_refused(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_snapshot_take take;
	int64_t ids[1] = {1};
	uint64_t known[1] = {11};
	char url[256];
	struct crm_store *store = open_target(url);
	FILE *f;

	if (!store)
		return;
	take = (struct crm_snapshot_take){"t", 0, INT64_MAX, ids, 1, known, NULL, 0};
	CHECK_INT(crm_snapshot_write(store, &take, 1, SNAP_PATH, &err), 0);
	/* the last row's hash cut off */
	CHECK_INT(truncate(SNAP_PATH, 8 + 4 + 2 + 1 + 16 + 8 + 8), 0);
	CHECK(crm_snapshot_load(SNAP_PATH, &err) == NULL);
	CHECK_CONTAINS(err.msg, "is truncated or damaged");
	crm_error_clear(&err);
	f = fopen(SNAP_PATH, "wb");
	CHECK(f != NULL);
	if (f) {
		fputs("not a snapshot", f);
		fclose(f);
	}
	CHECK(crm_snapshot_load(SNAP_PATH, &err) == NULL);
	CHECK_CONTAINS(err.msg, "is not a crmshift snapshot");
	crm_error_clear(&err);
	CHECK_INT(truncate(SNAP_PATH, 0), 0);
	CHECK(crm_snapshot_load(SNAP_PATH, &err) == NULL);
	CHECK_CONTAINS(err.msg, "is not a crmshift snapshot");
	crm_store_close(store);
	unlink(url + 7);
	unlink(SNAP_PATH);
}

static const struct harness_test tests[] = {
	TEST(test_snapshot__before_counts_and_written_rows),
	TEST(test_snapshot__whole_snapshots_of_earlier_versions),
	TEST(test_snapshot__hashes_known_from_the_writes),
	TEST(test_snapshot__inserted_rows_as_their_inserts_hashed_them),
	TEST(test_snapshot__written_rows_from_the_ledger),
	TEST(test_snapshot__truncated_files_are_refused),
};

HARNESS_MAIN
