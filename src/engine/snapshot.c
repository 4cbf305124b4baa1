/*
 * snapshot.c: the file is "CRMSNAP1", a u32 table count, then per table a
 * u16 name length, the name, a u64 row count and the rows (i64 id, u64
 * hash), ids ascending. Counts are patched in once a table is written.
 */
#include "compat.h"
#include "engine/snapshot.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "CRMSNAP1"

struct snap_row {
	int64_t id;
	uint64_t hash;
};

struct snap_table {
	char name[64];
	struct snap_row *rows;
	size_t count;
};

struct crm_snapshot {
	struct snap_table *tables;
	size_t count;
};

struct writing {
	FILE *f;
	uint64_t rows;
};

static int write_row(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct writing *w = ctx;
	struct snap_row row;

	row.id = id;
	row.hash = hash;
	if (fwrite(&row, sizeof(row), 1, w->f) != 1)
		return crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
	w->rows++;
	return 0;
}

int crm_snapshot_write(struct crm_store *store, const char *const *tables, size_t count, const char *path,
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
		crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
	for (i = 0; i < count && !err->code; i++) {
		uint16_t len = (uint16_t)strlen(tables[i]);
		long at;
		w.rows = 0;
		if (fwrite(&len, sizeof(len), 1, w.f) != 1 || fwrite(tables[i], len, 1, w.f) != 1) {
			crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
			break;
		}
		at = ftell(w.f);
		if (fwrite(&w.rows, sizeof(w.rows), 1, w.f) != 1) {
			crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
			break;
		}
		if (store->ops->hash_rows(store, tables[i], write_row, &w, err))
			break;
		/* the row count, now known, into its place */
		if (fseek(w.f, at, SEEK_SET) || fwrite(&w.rows, sizeof(w.rows), 1, w.f) != 1 || fseek(w.f, 0, SEEK_END))
			crm_error_set(err, CRM_EIO, "cannot write the snapshot: %s", strerror(errno));
	}
	return crm_atomic_commit(&af, err);
}

struct crm_snapshot *crm_snapshot_load(const char *path, struct crm_error *err)
{
	FILE *f = fopen(path, "rb");
	struct crm_snapshot *snap;
	char magic[8];
	uint32_t n;
	size_t i;

	if (!f) {
		crm_error_set(err, CRM_EINPUT, "cannot read the snapshot '%s': %s", path, strerror(errno));
		return NULL;
	}
	snap = crm_calloc(1, sizeof(*snap));
	if (!snap || fread(magic, 8, 1, f) != 1 || memcmp(magic, MAGIC, 8) || fread(&n, sizeof(n), 1, f) != 1 ||
	    n > 4096 || !(snap->tables = crm_calloc(n ? n : 1, sizeof(*snap->tables)))) {
		crm_error_set(err, snap ? CRM_EINPUT : CRM_ENOMEM, "'%s' is not a crmshift snapshot", path);
		goto fail;
	}
	snap->count = n;
	for (i = 0; i < n; i++) {
		struct snap_table *t = &snap->tables[i];
		uint16_t len;
		uint64_t rows;
		if (fread(&len, sizeof(len), 1, f) != 1 || len >= sizeof(t->name) || fread(t->name, len, 1, f) != 1 ||
		    fread(&rows, sizeof(rows), 1, f) != 1 || rows > SIZE_MAX / sizeof(*t->rows)) {
			crm_error_set(err, CRM_EINPUT, "the snapshot '%s' is truncated or damaged", path);
			goto fail;
		}
		t->name[len] = '\0';
		t->count = (size_t)rows;
		t->rows = crm_malloc((t->count ? t->count : 1) * sizeof(*t->rows));
		if (!t->rows) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			goto fail;
		}
		if (t->count && fread(t->rows, sizeof(*t->rows), t->count, f) != t->count) {
			crm_error_set(err, CRM_EINPUT, "the snapshot '%s' is truncated or damaged", path);
			goto fail;
		}
	}
	fclose(f);
	return snap;
fail:
	fclose(f);
	crm_snapshot_free(snap);
	return NULL;
}

void crm_snapshot_free(struct crm_snapshot *snap)
{
	size_t i;

	if (!snap)
		return;
	for (i = 0; snap->tables && i < snap->count; i++)
		crm_free(snap->tables[i].rows);
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

int crm_snapshot_find(const struct crm_snapshot *snap, const char *table, int64_t id, uint64_t *hash)
{
	const struct snap_table *t = table_of(snap, table);
	size_t lo = 0, hi = t ? t->count : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->rows[mid].id == id) {
			*hash = t->rows[mid].hash;
			return 1;
		}
		if (t->rows[mid].id < id)
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

/* A merge of two id-ordered sequences: the table now and the snapshot. */
static int compare_row(void *ctx, int64_t id, uint64_t hash, struct crm_error *err)
{
	struct comparing *c = ctx;

	(void)err;
	c->d->rows_now++;
	while (c->next < c->t->count && c->t->rows[c->next].id < id) {
		c->d->missing++;
		c->next++;
	}
	if (c->next < c->t->count && c->t->rows[c->next].id == id) {
		c->d->changed += c->t->rows[c->next].hash != hash;
		c->next++;
	} else {
		c->d->extra++;
	}
	return 0;
}

int crm_snapshot_compare(struct crm_store *store, const struct crm_snapshot *snap, struct crm_snapshot_diff **out,
			 struct crm_error *err)
{
	struct crm_snapshot_diff *diffs = crm_calloc(snap->count ? snap->count : 1, sizeof(*diffs));
	size_t i;

	*out = diffs;
	if (!diffs)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < snap->count; i++) {
		struct comparing c;
		c.t = &snap->tables[i];
		c.next = 0;
		c.d = &diffs[i];
		snprintf(c.d->table, sizeof(c.d->table), "%s", c.t->name);
		c.d->rows_then = (int64_t)c.t->count;
		if (store->ops->hash_rows(store, c.t->name, compare_row, &c, err))
			return err->code;
		c.d->missing += (int64_t)(c.t->count - c.next);
	}
	return 0;
}
