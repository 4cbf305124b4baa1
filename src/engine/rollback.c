/*
 * rollback.c: export what changed since cutover, revert the ledger in
 * batches, remove rows others created, verify against the snapshot.
 */
#include "compat.h"
#include "engine/rollback.h"
#include "state/session.h"
#include "audit/seal.h"
#include "io/csv.h"
#include "state/state.h"
#include "store/store.h"
#include "transform/datetime.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/fault.h"
#include "util/hash.h"
#include "util/path.h"
#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Ledger entries read and reverted at a time: [target] batch_size; a
 * transaction holds as many of those as crm_session_transaction_size says,
 * as a load's do, so that undoing a load costs about what the load cost.
 */
struct revert_buffers {
	size_t cap;
	struct crm_ledger_entry *entries;
	int64_t *ids;
	struct crm_state_id *sids;
	const char **pre_images;
	unsigned char *done;
	struct crm_ledger_entry *group; /* revert_tables': one table's entries */
};

struct rollback {
	struct crm_project *p;
	struct crm_rollback_result *res;
	struct crm_session session;
	struct crm_snapshot *before, *after;
	struct crm_run_rows *rows; /* per before-table, in its order: what the run wrote, from the ledger */
	size_t row_count;
	/*
	 * Per rows: the table was empty before the run, which inserted into it:
	 * it is emptied whole, and its ledger entries are passed over.
	 */
	unsigned char *emptied;
	/* per rows: no foreign key the store enforces names the table (find_unordered) */
	unsigned char *unordered;
	int64_t *created_in;	     /* per rows: the rows others created in it, as the export found them */
	int64_t first_seq, last_seq; /* the run's ledger */
	char now[CRM_DT_MAX];
	struct revert_buffers buf;
};

/* A row to export: its table (index into the before-snapshot), id and why. */
struct changed {
	size_t table;
	int64_t id;
	int created;
};

struct finding {
	struct rollback *rb;
	size_t table;
	struct changed *rows;
	size_t count, cap;
};

static int buffers_alloc(struct revert_buffers *b, size_t cap, struct crm_error *err)
{
	b->cap = cap ? cap : 1;
	b->entries = crm_calloc(b->cap, sizeof(*b->entries));
	b->ids = crm_calloc(b->cap, sizeof(*b->ids));
	b->sids = crm_calloc(b->cap, sizeof(*b->sids));
	b->pre_images = crm_calloc(b->cap, sizeof(*b->pre_images));
	b->done = crm_calloc(b->cap, 1);
	b->group = crm_calloc(b->cap, sizeof(*b->group));
	if (!b->entries || !b->ids || !b->sids || !b->pre_images || !b->done || !b->group)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

static void buffers_release(struct revert_buffers *b)
{
	crm_free(b->entries);
	crm_free(b->ids);
	crm_free(b->sids);
	crm_free(b->pre_images);
	crm_free(b->done);
	crm_free(b->group);
	memset(b, 0, sizeof(*b));
}

static int add_changed(struct finding *f, int64_t id, int created, struct crm_error *err)
{
	if (crm_grow(&f->rows, f->count, &f->cap, sizeof(*f->rows), 256))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	f->rows[f->count].table = f->table;
	f->rows[f->count].id = id;
	f->rows[f->count].created = created;
	f->count++;
	return 0;
}

/* Was row id there before the run? A whole snapshot lists it; otherwise every row up to its highest id was. */
static int there_before(const struct rollback *rb, size_t table, int64_t id)
{
	uint64_t then;

	if (crm_snapshot_whole(rb->before))
		return crm_snapshot_find(rb->before, rb->rows[table].table, id, &then);
	return id <= rb->rows[table].max_then;
}

/* A row the run wrote: edited when its hash differs from how the run left it (its after-snapshot). */
static int judge_written(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct finding *f = ctx;
	uint64_t then;

	if (f->rb->after && crm_snapshot_find(f->rb->after, f->rb->rows[f->table].table, id, &then) && then != hash)
		return add_changed(f, id, 0, err);
	return 0;
}

/* Is this row one users created or changed after the load? */
static int judge_row(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct finding *f = ctx;
	struct rollback *rb = f->rb;
	const char *table = rb->rows[f->table].table;
	uint64_t then;

	if (!there_before(rb, f->table, id))
		return crm_idcount_get(&rb->rows[f->table].inserted, id) ? judge_written(ctx, id, hash, err)
									 : add_changed(f, id, 1, err);
	/* there before, in a whole snapshot: a table the run did not write is as the before-snapshot has it */
	if (rb->after) {
		const struct crm_snapshot *cutover = crm_snapshot_has_table(rb->after, table) ? rb->after : rb->before;
		if (crm_snapshot_find(cutover, table, id, &then) && then != hash)
			return add_changed(f, id, 0, err);
	}
	return 0;
}

/* Calls fn with the hash of each row the run wrote at or below the table's highest id then, as it is now. */
static int hash_expected(struct rollback *rb, const struct crm_run_rows *r, crm_store_hash_fn fn, void *ctx,
			 struct crm_error *err)
{
	return rb->session.store->ops->hash_ids(rb->session.store, r->table, r->ids, r->count, fn, ctx, err);
}

/*
 * reports/changed-since-cutover-<run>.csv: table, id, change, the row as
 * JSON. Written whole or not at all; sealed (.csv.enc) with [security]
 * key_file, built in memory so that the rows never reach the disk in plain
 * text then.
 */
static int export_changes(struct rollback *rb, struct crm_error *err)
{
	const struct crm_key *key = rb->p->data_key.id[0] ? &rb->p->data_key : NULL;
	struct finding f;
	struct crm_buf row;
	char dir[PATH_MAX], *text = NULL;
	size_t text_len = 0;
	FILE *out = NULL;
	size_t t, i;

	memset(&f, 0, sizeof(f));
	f.rb = rb;
	crm_buf_init(&row, CRM_MAX_ROW_JSON);
	for (t = 0; t < rb->row_count; t++) {
		const struct crm_run_rows *r = &rb->rows[t];
		f.table = t;
		/* the rows added since the run began, then (with a whole snapshot, among all) the rows it wrote */
		if (rb->session.store->ops->hash_rows(rb->session.store, r->table,
						      crm_snapshot_whole(rb->before) ? INT64_MIN : r->max_then,
						      judge_row, &f, err) ||
		    (!crm_snapshot_whole(rb->before) && hash_expected(rb, r, judge_written, &f, err)))
			goto out;
	}
	if (crm_path_format(dir, sizeof(dir), err, "%s/reports", rb->p->cfg.dir) || crm_mkdir_private(dir, err) ||
	    crm_path_format(rb->res->export_path, sizeof(rb->res->export_path), err,
			    "%s/changed-since-cutover-%lld.csv%s", dir, (long long)rb->res->run,
			    key ? CRM_SEAL_SUFFIX : ""))
		goto out;
	out = open_memstream(&text, &text_len);
	if (!out) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	fputs("table,id,change,row\n", out);
	for (i = 0; i < f.count; i++) {
		const char *table = rb->rows[f.rows[i].table].table;
		char id[24];
		int rc = rb->session.store->ops->row_json(rb->session.store, table, f.rows[i].id, &row, err);
		if (rc < 0)
			goto out;
		if (rc == 0)
			continue; /* deleted since the scan a moment ago: nothing to keep */
		snprintf(id, sizeof(id), "%lld", (long long)f.rows[i].id);
		crm_csv_write_cell(out, table, strlen(table), 1);
		crm_csv_write_cell(out, id, strlen(id), 0);
		crm_csv_write_cell(out, f.rows[i].created ? "created" : "edited", f.rows[i].created ? 7 : 6, 0);
		crm_csv_write_cell(out, row.ptr, row.len, 0);
		fputc('\n', out);
		*(f.rows[i].created ? &rb->res->created : &rb->res->edited) += 1;
		if (f.rows[i].created)
			rb->created_in[f.rows[i].table]++;
	}
	if (fclose(out) != 0) {
		out = NULL;
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	out = NULL;
	/* it holds customers' records: 0600, like every report */
	crm_seal_save(rb->res->export_path, text, text_len, key, err);
out:
	if (out)
		fclose(out);
	if (text) {
		sodium_memzero(text, text_len);
		free(text);
	}
	crm_free(f.rows);
	crm_buf_release(&row);
	return err->code;
}

/* Whether table is one rollback empties whole (rb->emptied). */
static int is_emptied(const struct rollback *rb, const char *table)
{
	size_t t;

	for (t = 0; t < rb->row_count; t++)
		if (rb->emptied[t] && strcmp(rb->rows[t].table, table) == 0)
			return 1;
	return 0;
}

/*
 * The tables that were empty before the run and that it inserted into:
 * back as they were, they are empty again, whatever the run (or anyone
 * since) did to them. A row at a time, undoing 1.8M inserts rewrote and
 * journaled every page of the target and of the xref; emptied whole,
 * SQLite frees the pages. Users' edits are exported before.
 */
static void find_emptied(struct rollback *rb)
{
	size_t t;

	if (crm_snapshot_whole(rb->before))
		return;
	for (t = 0; t < rb->row_count; t++) {
		int64_t rows, max_id;
		crm_snapshot_extent(rb->before, rb->rows[t].table, &rows, &max_id);
		rb->emptied[t] = rows == 0 && rb->rows[t].inserted.count > 0;
	}
}

/*
 * The tables whose rows may be put back in any order: on a store that
 * restores sets, those no foreign key names (crmshift makes none on a
 * server; a table of the user's may have them, and then its rows go back
 * in the ledger's order, as the run's went in).
 */
static int find_unordered(struct rollback *rb, struct crm_error *err)
{
	const struct crm_store_ops *ops = rb->session.store->ops;
	size_t t;
	int rc;

	if (!ops->restore_rows || !ops->foreign_keys)
		return 0;
	for (t = 0; t < rb->row_count; t++) {
		if ((rc = ops->foreign_keys(rb->session.store, rb->rows[t].table, err)) < 0)
			return err->code;
		rb->unordered[t] = rc == 0;
	}
	return 0;
}

static int is_unordered(const struct rollback *rb, const char *table)
{
	size_t t;

	for (t = 0; t < rb->row_count; t++)
		if (strcmp(rb->rows[t].table, table) == 0)
			return rb->unordered[t];
	return 0;
}

/*
 * Empties rb->emptied's tables, children first (the reverse of load order),
 * and their xref entries. The rows it deletes are the run's, and those
 * others created, which the export counted (when it ran in this process).
 */
static int empty_tables(struct rollback *rb, struct crm_error *err)
{
	size_t t;

	for (t = rb->row_count; t-- > 0;) {
		int64_t deleted, others;
		if (!rb->emptied[t])
			continue;
		if (rb->session.store->ops->empty_table(rb->session.store, rb->rows[t].table, &deleted, err) ||
		    crm_state_xref_forget_table(rb->session.state, rb->rows[t].table, err))
			return err->code;
		others = rb->created_in[t] < deleted ? rb->created_in[t] : deleted;
		rb->res->removed_others += others;
		rb->res->deleted += deleted - others;
	}
	return 0;
}

/* Rolls back the open transaction after a failure: err already says why. */
static void abandon(struct rollback *rb)
{
	struct crm_error ignored = CRM_ERROR_INIT;

	rb->session.store->ops->rollback(rb->session.store, &ignored);
}

/*
 * Undoes entries[from, to), all inserts: their rows go a table at a time
 * and their xref entries an object at a time, a few statements for the lot
 * instead of a few a row. Order within the group does not matter: a run
 * inserts a source id again only after deleting it, and such a delete's
 * entry ends the group.
 */
static int undo_inserts(struct rollback *rb, const struct crm_ledger_entry *entries, size_t from, size_t to,
			struct crm_error *err)
{
	int64_t *ids = rb->buf.ids;
	struct crm_state_id *sids = rb->buf.sids;
	unsigned char *done = rb->buf.done;
	size_t i, j, n;

	memset(done, 0, to - from);
	for (i = from; i < to; i++) {
		if (done[i - from] || is_emptied(rb, entries[i].table))
			continue;
		for (j = i, n = 0; j < to; j++)
			if (!done[j - from] && strcmp(entries[j].table, entries[i].table) == 0) {
				ids[n++] = entries[j].target_id;
				done[j - from] = 1;
			}
		if (rb->session.store->ops->remove_rows(rb->session.store, entries[i].table, ids, n, err))
			return err->code;
		rb->res->deleted += (int64_t)n;
	}
	memset(done, 0, to - from);
	for (i = from; i < to; i++) {
		if (done[i - from] || is_emptied(rb, entries[i].table))
			continue;
		for (j = i, n = 0; j < to; j++)
			if (!done[j - from] && entries[j].key == entries[i].key) {
				sids[n].ptr = entries[j].source_id;
				sids[n++].len = strlen(entries[j].source_id);
				done[j - from] = 1;
			}
		if (crm_state_xref_forget_many(rb->session.state, entries[i].key, sids, n, err))
			return err->code;
	}
	return 0;
}

/*
 * Entries from `from` on that put rows back from their pre-images, while
 * they restore rows of one table: the rows restored (at once where the
 * store can: a round trip a row on a server), their xref entries undone.
 * The index of the first entry after them; err set on failure. A run
 * writes a row's entry once, so those rows are distinct and their order
 * does not matter.
 */
static size_t restore_rows(struct rollback *rb, const struct crm_ledger_entry *entries, size_t from, size_t to,
			   struct crm_error *err)
{
	struct crm_store *store = rb->session.store;
	const char *table = entries[from].table;
	size_t end, i, n = 0;
	int deleted;

	for (end = from; end < to && entries[end].action != CRM_LEDGER_INSERT; end++) {
		const struct crm_ledger_entry *e = &entries[end];
		if (end > from) {
			if (strcmp(e->table, table) != 0 || !store->ops->restore_rows)
				break;
			crm_fault_point("record");
		}
		if (!e->pre_image) {
			crm_error_set(err, CRM_EINTERNAL, "the ledger has no pre-image for %s row %lld", e->table,
				      (long long)e->target_id);
			return end;
		}
	}
	/* the deleted rows first, then the updated: a set statement covers a run of one kind */
	for (deleted = 1; deleted >= 0; deleted--)
		for (i = from; i < end; i++)
			if ((entries[i].action == CRM_LEDGER_DELETE) == deleted) {
				rb->buf.ids[n] = entries[i].target_id;
				rb->buf.pre_images[n++] = entries[i].pre_image;
			}
	if (store->ops->restore_rows
		    ? store->ops->restore_rows(store, table, rb->buf.ids, rb->buf.pre_images, n, err)
		    : store->ops->restore_row(store, table, rb->buf.ids[0], rb->buf.pre_images[0], err))
		return end;
	rb->res->restored += (int64_t)n;
	crm_state_xref_undo_many(rb->session.state, entries + from, end - from, err);
	return end;
}

/*
 * Reverts entries[0..n) in their order: consecutive inserts together
 * (undo_inserts), consecutive updates and deletes of one table together
 * (restore_rows). err set on failure.
 */
static int revert_in_order(struct rollback *rb, const struct crm_ledger_entry *entries, size_t n, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < n && !err->code; i++) {
		const struct crm_ledger_entry *e = &entries[i];
		crm_fault_point("record");
		if (e->action == CRM_LEDGER_INSERT) {
			size_t end = i + 1;
			while (end < n && entries[end].action == CRM_LEDGER_INSERT)
				end++;
			undo_inserts(rb, entries, i, end, err);
			i = end - 1;
			continue;
		}
		if (is_emptied(rb, e->table) && e->pre_image)
			continue;
		i = restore_rows(rb, entries, i, n, err) - 1;
	}
	return err->code;
}

/*
 * Reverts entries[0..n): where no foreign key names any of their tables
 * (is_unordered), a table at a time, each table's entries in their order
 * (revert_in_order); else all in their order. Rows of tables no key ties
 * do not depend on each other, and a table's own go back as they came: a
 * change stream that changed accounts and contacts in turns left runs of
 * one table a row or two long, each a few statements.
 */
static int revert_tables(struct rollback *rb, const struct crm_ledger_entry *entries, size_t n, struct crm_error *err)
{
	struct crm_ledger_entry *group = rb->buf.group;
	size_t i, t, k;

	for (i = 0; i < n; i++)
		if (!is_unordered(rb, entries[i].table))
			return revert_in_order(rb, entries, n, err);
	for (t = 0; t < rb->row_count && !err->code; t++) {
		for (i = 0, k = 0; i < n; i++)
			if (strcmp(entries[i].table, rb->rows[t].table) == 0)
				group[k++] = entries[i];
		if (k)
			revert_in_order(rb, group, k, err);
	}
	return err->code;
}

/*
 * Within the open transaction: up to buf.cap ledger entries below
 * progress->next_seq reverted, and next_seq moved past them; *count of
 * them. 0, or a negative code (the transaction is then abandoned).
 */
static int revert_entries(struct rollback *rb, struct crm_rollback_progress *progress, struct crm_arena *arena,
			  size_t *count, struct crm_error *err)
{
	struct crm_ledger_entry *entries = rb->buf.entries;

	crm_arena_reset(arena);
	if (crm_state_ledger_read(rb->session.state, rb->res->run, rb->first_seq, progress->next_seq, rb->buf.cap,
				  entries, count, arena, err))
		goto fail;
	if (revert_tables(rb, entries, *count, err))
		goto fail;
	if (*count)
		progress->next_seq = entries[*count - 1].seq;
	return 0;
fail:
	abandon(rb);
	return err->code;
}

/* The run's ledger reverted, newest first, in transactions that record progress as they commit. */
static int revert_run(struct rollback *rb, struct crm_rollback_progress *progress, struct crm_arena *arena,
		      struct crm_error *err)
{
	uint64_t reverted = 0, in_transaction;
	size_t count;

	do {
		uint64_t transaction = crm_session_transaction_size((unsigned)rb->buf.cap, reverted);
		int64_t unmerged = 0;
		if (rb->session.store->ops->begin(rb->session.store, err))
			return err->code;
		in_transaction = 0;
		/* the merged ids the run pointed at its rows go first, with the first batch (none after it) */
		if (!reverted &&
		    (crm_state_merges_undo(rb->session.state, rb->res->run, &unmerged, err) || empty_tables(rb, err)))
			goto fail;
		rb->res->unmerged += unmerged;
		in_transaction = (uint64_t)unmerged;
		do {
			if (revert_entries(rb, progress, arena, &count, err))
				return err->code;
			in_transaction += count;
		} while (count && in_transaction < transaction);
		if (!in_transaction) {
			/* nothing was left to revert: the empty transaction ends */
			if (rb->session.store->ops->commit(rb->session.store, err))
				goto fail;
			break;
		}
		if (crm_state_rollback_put(rb->session.state, rb->res->run, progress, rb->now, err))
			goto fail;
		crm_fault_point("batch-commit");
		if (rb->session.store->ops->commit(rb->session.store, err))
			goto fail;
		crm_fault_point("batch-committed");
		reverted += in_transaction;
	} while (count);
	return 0;
fail:
	abandon(rb);
	return err->code;
}

struct strays {
	struct rollback *rb;
	size_t table;
	int64_t *ids; /* rows that were not there before the run, in id order */
	size_t count, cap;
};

static int find_stray(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct strays *s = ctx;

	(void)hash;
	if (there_before(s->rb, s->table, id))
		return 0;
	if (crm_grow(&s->ids, s->count, &s->cap, sizeof(*s->ids), 256))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	s->ids[s->count++] = id;
	return 0;
}

/* Rows that were not there before the run and are not the run's (reverted already): others created them. */
static int remove_others(struct rollback *rb, struct crm_error *err)
{
	struct strays s;

	memset(&s, 0, sizeof(s));
	s.rb = rb;
	for (s.table = 0; s.table < rb->row_count; s.table++) {
		const struct crm_run_rows *r = &rb->rows[s.table];
		s.count = 0;
		if (rb->session.store->ops->hash_rows(rb->session.store, r->table,
						      crm_snapshot_whole(rb->before) ? INT64_MIN : r->max_then,
						      find_stray, &s, err))
			break;
		if (!s.count)
			continue;
		if (rb->session.store->ops->begin(rb->session.store, err))
			break;
		if (rb->session.store->ops->remove_rows(rb->session.store, r->table, s.ids, s.count, err) ||
		    rb->session.store->ops->commit(rb->session.store, err)) {
			abandon(rb);
			break;
		}
		rb->res->removed_others += (int64_t)s.count;
	}
	crm_free(s.ids);
	return err->code;
}

/* The run to work on: the one asked for, which must be the newest not rolled back unless only verifying. */
static int pick_run(struct rollback *rb, const struct crm_rollback_options *opt, struct crm_error *err)
{
	struct crm_run_info live, info;
	int rc = crm_state_run_newest_live(rb->session.state, &live, err);

	if (rc < 0)
		return err->code;
	if (!opt->run && opt->verify_only) {
		/* verifying: the newest run, rolled back or not */
		rc = crm_state_run_last(rb->session.state, &info, err);
		if (rc < 0)
			return err->code;
		if (rc == 0)
			return crm_error_set(err, CRM_EINPUT, "nothing to verify: no migration has run");
	} else if (!opt->run) {
		if (rc == 0)
			return crm_error_set(err, CRM_EINPUT, "nothing to roll back: every run is rolled back already");
		info = live;
	} else {
		rc = crm_state_run_get(rb->session.state, opt->run, &info, err);
		if (rc < 0)
			return err->code;
		if (rc == 0)
			return crm_error_set(err, CRM_EINPUT, "there is no run %lld ('crmshift status' lists them)",
					     (long long)opt->run);
		if (!opt->verify_only && info.status == CRM_RUN_ROLLED_BACK) {
			struct crm_rollback_progress rp;
			rc = crm_state_rollback_get(rb->session.state, info.id, &rp, err);
			if (rc < 0)
				return err->code;
			if (rc == 0 || rp.finished)
				return crm_error_set(err, CRM_EINPUT, "run %lld is rolled back already",
						     (long long)info.id);
		} else if (!opt->verify_only && info.id != live.id) {
			return crm_error_set(
				err, CRM_EINPUT,
				"run %lld is not the newest run: roll back run %lld first (runs are undone "
				"newest first)",
				(long long)info.id, (long long)live.id);
		}
	}
	rb->res->run = info.id;
	rb->res->run_status = info.status;
	return 0;
}

static int open_snapshot(struct rollback *rb, const char *when, struct crm_snapshot **out, struct crm_error *err)
{
	char path[PATH_MAX];
	struct stat st;

	*out = NULL;
	if (crm_snapshot_path(path, rb->p->cfg.dir, rb->res->run, when, err))
		return err->code;
	if (stat(path, &st) != 0) {
		if (strcmp(when, "after") == 0)
			return 0; /* the run did not finish: edits since the load cannot be told apart */
		/*
		 * A run's commits wait for its before-snapshot: one stopped before
		 * that was written, and without a ledger entry, committed nothing
		 * (none in *out).
		 */
		if (rb->last_seq < rb->first_seq)
			return 0;
		return crm_error_set(err, CRM_EINPUT,
				     "run %lld has no snapshot of the target before it (%s): it cannot be rolled back "
				     "or verified",
				     (long long)rb->res->run, path);
	}
	*out = crm_snapshot_load(path, err);
	return *out ? 0 : err->code;
}

int crm_rollback(struct crm_project *p, const struct crm_rollback_options *opt, struct crm_rollback_result *res,
		 struct crm_error *err)
{
	struct rollback rb;
	struct crm_rollback_progress progress;
	struct crm_arena arena;
	char path[PATH_MAX];
	struct timespec start;
	size_t i;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(res, 0, sizeof(*res));
	memset(&rb, 0, sizeof(rb));
	rb.p = p;
	rb.res = res;
	crm_dt_now(NULL, rb.now);
	crm_arena_init(&arena, 256 * 1024);
	if (buffers_alloc(&rb.buf, p->cfg.batch_size, err))
		goto out;
	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", p->cfg.dir))
		goto out;
	rc = crm_session_open(p->cfg.target_url, p->cfg.dir, path, !opt->verify_only, 0, &rb.session, err);
	if (rc > 0)
		crm_error_set(err, CRM_EINPUT, "nothing to roll back: no migration has run in '%s'", p->cfg.dir);
	/* the run's ledger: what it wrote, and what those rows were before it */
	if (rc || pick_run(&rb, opt, err) ||
	    crm_state_ledger_range(rb.session.state, res->run, &rb.first_seq, &rb.last_seq, err) ||
	    open_snapshot(&rb, "before", &rb.before, err))
		goto out;
	res->committed_nothing = !rb.before;
	if (!res->committed_nothing &&
	    crm_snapshot_run_rows(rb.session.state, res->run, rb.first_seq, rb.last_seq, rb.before,
				  opt->verify_only ? 0 : CRM_RUN_ROWS_INSERTED, &rb.rows, &rb.row_count, err))
		goto out;
	rb.emptied = crm_calloc(rb.row_count ? rb.row_count : 1, sizeof(*rb.emptied));
	rb.created_in = crm_calloc(rb.row_count ? rb.row_count : 1, sizeof(*rb.created_in));
	rb.unordered = crm_calloc(rb.row_count ? rb.row_count : 1, sizeof(*rb.unordered));
	if (!rb.emptied || !rb.created_in || !rb.unordered) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	if (!opt->verify_only && opt->started && opt->started(opt->started_ctx, res->run, err))
		goto out;
	if (!opt->verify_only) {
		rc = crm_state_rollback_get(rb.session.state, res->run, &progress, err);
		if (rc < 0)
			goto out;
		res->resumed = rc == 1;
		/* the run may have just loaded the ledger and xref: lookups of them need their statistics */
		if (crm_state_analyze(rb.session.state, rb.last_seq - rb.first_seq + 1, err))
			goto out;
		if (rc == 0) {
			progress.exported = 0;
			progress.next_seq = rb.last_seq + 1;
			progress.finished = 0;
		}
		if (!res->committed_nothing) {
			/* before the target changes: users' work since the load, saved once */
			if (!progress.exported) {
				if (open_snapshot(&rb, "after", &rb.after, err))
					goto out;
				res->edits_known = rb.after != NULL;
				if (export_changes(&rb, err))
					goto out;
				progress.exported = 1;
				if (crm_state_rollback_put(rb.session.state, res->run, &progress, rb.now, err))
					goto out;
			}
			find_emptied(&rb);
			if (find_unordered(&rb, err) || revert_run(&rb, &progress, &arena, err) ||
			    remove_others(&rb, err))
				goto out;
		}
		progress.finished = 1;
		/*
		 * what the run applied is undone: the next sync must apply it again,
		 * not skip it, and resolve links by the parents' values from before it
		 */
		if (crm_state_watermarks_undo(rb.session.state, res->run, err) ||
		    crm_state_refkeys_undo(rb.session.state, res->run, err) ||
		    crm_state_run_set_status(rb.session.state, res->run, CRM_RUN_ROLLED_BACK, err) ||
		    crm_state_rollback_put(rb.session.state, res->run, &progress, rb.now, err))
			goto out;
	}
	res->diffs = crm_calloc(rb.row_count ? rb.row_count : 1, sizeof(*res->diffs));
	if (!res->diffs) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	res->identical = 1;
	for (i = 0; i < rb.row_count; i++, res->diff_count++) {
		const struct crm_run_rows *r = &rb.rows[i];
		struct crm_snapshot_diff *d = &res->diffs[i];
		if (crm_snapshot_compare(rb.session.store, rb.before, r, d, err))
			goto out;
		if (d->missing || d->extra || d->changed)
			res->identical = 0;
	}
out:
	crm_snapshot_run_rows_free(rb.rows, rb.row_count);
	crm_free(rb.emptied);
	crm_free(rb.unordered);
	crm_free(rb.created_in);
	crm_snapshot_free(rb.before);
	crm_snapshot_free(rb.after);
	crm_arena_release(&arena);
	buffers_release(&rb.buf);
	crm_session_close(&rb.session);
	res->seconds = crm_dt_seconds_since(&start);
	return err->code;
}

void crm_rollback_result_release(struct crm_rollback_result *res)
{
	crm_free(res->diffs);
	res->diffs = NULL;
	res->diff_count = 0;
}
