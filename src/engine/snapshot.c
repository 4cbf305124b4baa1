/*
 * snapshot.c: the file is "CRMSNAP2", a u32 table count, then per table a
 * u16 name length, the name, the table's i64 row count and i64 highest id,
 * a u64 count of the rows listed and those rows (i64 id, u64 hash), ids
 * ascending. Counts are patched in once a table is written. "CRMSNAP1"
 * files (earlier versions) have no row count or highest id: they list every
 * row.
 */
#include "compat.h"
#include "engine/snapshot.h"
#include "state/state.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC	    "CRMSNAP2"
#define MAGIC_WHOLE "CRMSNAP1"

/* A row as the file has it: 16 bytes, at any alignment. */
#define ROW_BYTES sizeof(struct crm_snapshot_row)

struct snap_table {
	char name[64];
	int64_t rows_total, max_id;
	const unsigned char *rows; /* in the mapping */
	size_t count;
};

struct crm_snapshot {
	void *map; /* the file, mapped */
	size_t map_len;
	struct snap_table *tables;
	size_t count;
	int whole;
};

static struct crm_snapshot_row row_at(const struct snap_table *t, size_t i)
{
	struct crm_snapshot_row row;

	memcpy(&row, t->rows + i * ROW_BYTES, ROW_BYTES);
	return row;
}

struct writing {
	FILE *f;
	uint64_t rows;
};

static int write_row(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct writing *w = ctx;
	struct crm_snapshot_row row;

	row.id = id;
	row.hash = hash;
	if (fwrite(&row, sizeof(row), 1, w->f) != 1)
		return crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
	w->rows++;
	return 0;
}

static int io_error(struct crm_error *err)
{
	return crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
}

/* The rows take lists, in id order: the listed ids up to `above`, then every row above it. */
static int write_rows(struct crm_store *store, const struct crm_snapshot_take *take, struct writing *w,
		      struct crm_error *err)
{
	size_t below = 0;

	while (below < take->id_count && take->ids[below] <= take->above)
		below++;
	if (take->hashes) {
		size_t i;
		for (i = 0; i < below && !err->code; i++)
			write_row(w, take->ids[i], take->hashes[i], err);
	} else if (below) {
		store->ops->hash_ids(store, take->table, take->ids, below, write_row, w, err);
	}
	if (err->code)
		return err->code;
	if (take->inserted) {
		if (take->inserted_count &&
		    fwrite(take->inserted, sizeof(*take->inserted), take->inserted_count, w->f) != take->inserted_count)
			return io_error(err);
		w->rows += take->inserted_count;
	} else if (take->above != INT64_MAX) {
		store->ops->hash_rows(store, take->table, take->above, write_row, w, err);
	}
	return err->code;
}

int crm_snapshot_write(struct crm_store *store, const struct crm_snapshot_take *takes, size_t count, const char *path,
		       struct crm_error *err)
{
	struct crm_atomic_file af;
	struct writing w;
	uint32_t n = (uint32_t)count;
	size_t i;

	/* row ids and hashes only, but of customers' records: 0600 like the rest of .crmshift */
	if (crm_atomic_open(&af, path, err))
		return err->code;
	w.f = af.f;
	if (fwrite(MAGIC, 8, 1, w.f) != 1 || fwrite(&n, sizeof(n), 1, w.f) != 1)
		io_error(err);
	for (i = 0; i < count && !err->code; i++) {
		uint16_t len = (uint16_t)strlen(takes[i].table);
		int64_t extent[2] = {-1, -1};
		long at;
		w.rows = 0;
		if (takes[i].extent && store->ops->extent(store, takes[i].table, &extent[0], &extent[1], err))
			break;
		if (fwrite(&len, sizeof(len), 1, w.f) != 1 || fwrite(takes[i].table, len, 1, w.f) != 1 ||
		    fwrite(extent, sizeof(extent), 1, w.f) != 1) {
			io_error(err);
			break;
		}
		at = ftell(w.f);
		if (fwrite(&w.rows, sizeof(w.rows), 1, w.f) != 1) {
			io_error(err);
			break;
		}
		if (write_rows(store, &takes[i], &w, err))
			break;
		/* the row count, now known, into its place */
		if (fseek(w.f, at, SEEK_SET) || fwrite(&w.rows, sizeof(w.rows), 1, w.f) != 1 || fseek(w.f, 0, SEEK_END))
			io_error(err);
	}
	return crm_atomic_commit(&af, err);
}

/* Takes len bytes at *at of the mapping into out: 0, or -1 past its end. */
static int take_bytes(const struct crm_snapshot *snap, size_t *at, void *out, size_t len)
{
	if (len > snap->map_len - *at)
		return -1;
	memcpy(out, (const unsigned char *)snap->map + *at, len);
	*at += len;
	return 0;
}

int crm_snapshot_path(char *path, const char *project_dir, int64_t run, const char *when, struct crm_error *err)
{
	return crm_path_format(path, PATH_MAX, err, "%s/.crmshift/snapshots/run-%lld-%s.snap", project_dir,
			       (long long)run, when);
}

/*
 * Maps the file instead of reading it: a sync looks up the few rows it
 * writes in the after-snapshot of a load of millions, and only the pages
 * its binary searches touch are read.
 */
struct crm_snapshot *crm_snapshot_load(const char *path, struct crm_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct crm_snapshot *snap = NULL;
	struct stat st;
	char magic[8];
	uint32_t n;
	size_t i, at = 0;

	if (fd < 0 || fstat(fd, &st) != 0) {
		crm_error_set(err, CRM_EINPUT, "cannot read the snapshot '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (!(snap = crm_calloc(1, sizeof(*snap)))) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto fail;
	}
	if (st.st_size < 12) {
		crm_error_set(err, CRM_EINPUT, "'%s' is not a crmshift snapshot", path);
		goto fail;
	}
	snap->map_len = (size_t)st.st_size;
	snap->map = mmap(NULL, snap->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (snap->map == MAP_FAILED) {
		snap->map = NULL;
		crm_error_set(err, CRM_EIO, "cannot read the snapshot '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (take_bytes(snap, &at, magic, 8) || (memcmp(magic, MAGIC, 8) != 0 && memcmp(magic, MAGIC_WHOLE, 8) != 0) ||
	    take_bytes(snap, &at, &n, sizeof(n)) || n > 4096) {
		crm_error_set(err, CRM_EINPUT, "'%s' is not a crmshift snapshot", path);
		goto fail;
	}
	if (!(snap->tables = crm_calloc(n ? n : 1, sizeof(*snap->tables)))) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto fail;
	}
	snap->count = n;
	snap->whole = memcmp(magic, MAGIC_WHOLE, 8) == 0;
	for (i = 0; i < n; i++) {
		struct snap_table *t = &snap->tables[i];
		int64_t extent[2] = {0, 0};
		uint16_t len;
		uint64_t rows;
		if (take_bytes(snap, &at, &len, sizeof(len)) || len >= sizeof(t->name) ||
		    take_bytes(snap, &at, t->name, len) ||
		    (!snap->whole && take_bytes(snap, &at, extent, sizeof(extent))) ||
		    take_bytes(snap, &at, &rows, sizeof(rows)) || rows > (snap->map_len - at) / ROW_BYTES) {
			crm_error_set(err, CRM_EINPUT, "the snapshot '%s' is truncated or damaged", path);
			goto fail;
		}
		t->name[len] = '\0';
		t->count = (size_t)rows;
		t->rows = (const unsigned char *)snap->map + at;
		at += t->count * ROW_BYTES;
		/* a whole snapshot lists every row: its count and its last id are the table's */
		t->rows_total = snap->whole ? (int64_t)t->count : extent[0];
		t->max_id = snap->whole ? (t->count ? row_at(t, t->count - 1).id : 0) : extent[1];
	}
	close(fd);
	return snap;
fail:
	if (fd >= 0)
		close(fd);
	crm_snapshot_free(snap);
	return NULL;
}

void crm_snapshot_free(struct crm_snapshot *snap)
{
	if (!snap)
		return;
	if (snap->map)
		munmap(snap->map, snap->map_len);
	crm_free(snap->tables);
	crm_free(snap);
}

size_t crm_snapshot_table_count(const struct crm_snapshot *snap)
{
	return snap->count;
}

const char *crm_snapshot_table(const struct crm_snapshot *snap, size_t i)
{
	return snap->tables[i].name;
}

static const struct snap_table *table_of(const struct crm_snapshot *snap, const char *table)
{
	size_t i;

	for (i = 0; i < snap->count; i++)
		if (strcmp(snap->tables[i].name, table) == 0)
			return &snap->tables[i];
	return NULL;
}

int crm_snapshot_has_table(const struct crm_snapshot *snap, const char *table)
{
	return table_of(snap, table) != NULL;
}

int crm_snapshot_whole(const struct crm_snapshot *snap)
{
	return snap->whole;
}

void crm_snapshot_extent(const struct crm_snapshot *snap, const char *table, int64_t *rows, int64_t *max_id)
{
	const struct snap_table *t = table_of(snap, table);

	*rows = t ? t->rows_total : 0;
	*max_id = t ? t->max_id : 0;
}

int crm_snapshot_find(const struct crm_snapshot *snap, const char *table, int64_t id, uint64_t *hash)
{
	const struct snap_table *t = table_of(snap, table);
	size_t lo = 0, hi = t ? t->count : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct crm_snapshot_row row = row_at(t, mid);
		if (row.id == id) {
			*hash = row.hash;
			return 1;
		}
		if (row.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

struct comparing {
	const struct snap_table *t;
	size_t next; /* the snapshot's next row not yet matched */
	struct crm_snapshot_diff *d;
};

/* A whole snapshot: a merge of two id-ordered sequences, the table now and the snapshot. */
static int compare_row(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct comparing *c = ctx;

	(void)err;
	c->d->rows_now++;
	while (c->next < c->t->count && row_at(c->t, c->next).id < id) {
		c->d->missing++;
		c->next++;
	}
	if (c->next < c->t->count && row_at(c->t, c->next).id == id) {
		c->d->changed += row_at(c->t, c->next).hash != hash;
		c->next++;
	} else {
		c->d->extra++;
	}
	return 0;
}

static int compare_whole(struct crm_store *store, const struct snap_table *t, struct crm_snapshot_diff *d,
			 struct crm_error *err)
{
	struct comparing c;

	c.t = t;
	c.next = 0;
	c.d = d;
	if (store->ops->hash_rows(store, t->name, INT64_MIN, compare_row, &c, err))
		return err->code;
	d->missing += (int64_t)(t->count - c.next);
	return 0;
}

struct checking {
	const struct crm_snapshot_expect *expect;
	size_t n, next;
	int64_t max_then;
	int64_t seen; /* rows expected present and found */
	struct crm_snapshot_diff *d;
};

/* A row above the highest id before the run: none was there then. */
static int count_extra(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct checking *c = ctx;

	(void)id, (void)hash, (void)err;
	c->d->extra++;
	return 0;
}

/* One of the rows the run wrote, found now (hash_ids calls in id order, as expect is). */
static int check_written(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct checking *c = ctx;
	const struct crm_snapshot_expect *e;

	(void)err;
	while (c->next < c->n && c->expect[c->next].id < id)
		c->next++;
	if (c->next == c->n || c->expect[c->next].id != id)
		return 0;
	e = &c->expect[c->next++];
	if (!e->present) {
		c->d->extra += id <= c->max_then; /* above it, count_extra counts it */
		return 0;
	}
	c->seen++;
	c->d->changed += e->hash && e->hash != hash;
	return 0;
}

int crm_snapshot_compare(struct crm_store *store, const struct crm_snapshot *before, const struct crm_run_rows *rows,
			 struct crm_snapshot_diff *diff, struct crm_error *err)
{
	const char *table = rows->table;
	const struct snap_table *t = table_of(before, table);
	struct checking c;
	int64_t max_now, present = 0, untouched_then, untouched_now;
	size_t i;

	memset(diff, 0, sizeof(*diff));
	snprintf(diff->table, sizeof(diff->table), "%s", table);
	if (t) {
		diff->rows_then = t->rows_total;
		if (before->whole)
			return compare_whole(store, t, diff, err);
	}
	if (store->ops->extent(store, table, &diff->rows_now, &max_now, err))
		return err->code;
	memset(&c, 0, sizeof(c));
	c.expect = rows->expect;
	c.n = rows->count;
	c.max_then = t ? t->max_id : 0;
	c.d = diff;
	if (store->ops->hash_rows(store, table, c.max_then, count_extra, &c, err))
		return err->code;
	for (i = 0; i < rows->count; i++)
		present += rows->expect[i].present;
	if (store->ops->hash_ids(store, table, rows->ids, rows->count, check_written, &c, err))
		return err->code;
	diff->missing += present - c.seen;
	/* the rows the run did not write: as many now as then, or some went (or came at an id used before) */
	untouched_then = diff->rows_then - present;
	untouched_now = diff->rows_now - diff->extra - c.seen;
	if (untouched_now < untouched_then)
		diff->missing += untouched_then - untouched_now;
	else
		diff->extra += untouched_now - untouched_then;
	return 0;
}

struct run_walk {
	struct crm_run_rows *rows;
	size_t count;
	unsigned want;
};

/* An entry above max_then: one more row of r->written, or the end of them (written_known 0). */
static int note_written(struct crm_run_rows *r, int64_t target_id, enum crm_ledger_action action, uint64_t written_hash,
			struct crm_error *err)
{
	if (!r->written_known)
		return 0;
	if (action != CRM_LEDGER_INSERT || !written_hash ||
	    (r->written_count && r->written[r->written_count - 1].id >= target_id)) {
		r->written_known = 0;
		crm_free(r->written);
		r->written = NULL;
		r->written_count = r->written_cap = 0;
		return 0;
	}
	if (crm_grow(&r->written, r->written_count, &r->written_cap, sizeof(*r->written), 4096))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	r->written[r->written_count].id = target_id;
	r->written[r->written_count++].hash = written_hash;
	return 0;
}

static int walk_entry(void *ctx, const char *table, int64_t target_id, enum crm_ledger_action action, uint64_t row_hash,
		      uint64_t written_hash, struct crm_error *err)
{
	struct run_walk *w = ctx;
	struct crm_run_rows *r = NULL;
	struct crm_snapshot_expect *e;
	size_t i;

	for (i = 0; i < w->count && !r; i++)
		if (strcmp(w->rows[i].table, table) == 0)
			r = &w->rows[i];
	if (!r)
		return 0; /* a table the project no longer loads into: the before-snapshot does not cover it */
	if (action == CRM_LEDGER_INSERT && (w->want & CRM_RUN_ROWS_INSERTED) &&
	    crm_idcount_add(&r->inserted, target_id, 1, err))
		return err->code;
	if (target_id > r->max_then)
		return note_written(r, target_id, action, written_hash, err);
	if (crm_grow(&r->expect, r->count, &r->cap, sizeof(*r->expect), 256))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	e = &r->expect[r->count++];
	e->id = target_id;
	e->present = action != CRM_LEDGER_INSERT;
	e->hash = e->present ? row_hash : 0;
	return 0;
}

/* By id, and for one id the oldest entry first: the sort is stable because of the walk's order index. */
struct ordered {
	struct crm_snapshot_expect e;
	size_t order;
};

static int cmp_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	if (x->e.id != y->e.id)
		return x->e.id < y->e.id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Ascending ids, one each: the oldest entry says what the row was before the run; and the ids alone. */
static int order_rows(struct crm_run_rows *r, struct crm_error *err)
{
	struct ordered *o = crm_malloc((r->count ? r->count : 1) * sizeof(*o));
	size_t i, n = 0;

	r->ids = crm_malloc((r->count ? r->count : 1) * sizeof(*r->ids));
	if (!o || !r->ids) {
		crm_free(o);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	for (i = 0; i < r->count; i++) {
		o[i].e = r->expect[i];
		o[i].order = i;
	}
	qsort(o, r->count, sizeof(*o), cmp_ordered);
	for (i = 0; i < r->count; i++)
		if (!n || r->expect[n - 1].id != o[i].e.id)
			r->expect[n++] = o[i].e;
	r->count = n;
	for (i = 0; i < n; i++)
		r->ids[i] = r->expect[i].id;
	crm_free(o);
	return 0;
}

int crm_snapshot_run_rows(struct crm_state *state, int64_t run, int64_t first, int64_t last,
			  const struct crm_snapshot *before, unsigned want, struct crm_run_rows **out, size_t *count,
			  struct crm_error *err)
{
	struct run_walk w;
	size_t i;

	*out = NULL;
	*count = 0;
	w.rows = crm_calloc(before->count ? before->count : 1, sizeof(*w.rows));
	if (!w.rows)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	w.count = before->count;
	w.want = want;
	for (i = 0; i < before->count; i++) {
		w.rows[i].table = before->tables[i].name;
		w.rows[i].max_then = before->tables[i].max_id;
		w.rows[i].written_known = (want & CRM_RUN_ROWS_WRITTEN) != 0;
		crm_idcount_init(&w.rows[i].inserted);
	}
	*out = w.rows;
	*count = w.count;
	/* into tables empty before it, a run wrote no row at or below their highest id: nothing to walk for */
	for (i = 0; i < before->count && !want && before->tables[i].max_id <= 0; i++)
		;
	if (i < before->count && crm_state_ledger_walk(state, run, first, last, walk_entry, &w, err))
		return err->code;
	for (i = 0; i < w.count; i++)
		if (order_rows(&w.rows[i], err))
			return err->code;
	return 0;
}

void crm_snapshot_run_rows_free(struct crm_run_rows *rows, size_t count)
{
	size_t i;

	for (i = 0; rows && i < count; i++) {
		crm_free(rows[i].expect);
		crm_free(rows[i].ids);
		crm_free(rows[i].written);
		crm_idcount_release(&rows[i].inserted);
	}
	crm_free(rows);
}
