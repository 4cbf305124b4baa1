/*
 * reader.c: one table of functions per backend; a reader is its backend's
 * handle and that table.
 */
#include "compat.h"
#include "io/reader.h"
#include "io/csv.h"
#include "io/json.h"
#include "io/sqltable.h"
#include "util/alloc.h"
#include "util/path.h"
#include "util/buf.h"
#include "util/limits.h"

#include <string.h>

struct reader_ops {
	int (*next)(void *impl, struct crm_record *rec, struct crm_error *err);
	long (*column)(const void *impl, const char *name);
	const char *(*path)(const void *impl);
	uint64_t (*bytes_read)(const void *impl);
	void (*close)(void *impl);
};

/* A key of several columns (reader.h), added to each record as one more field. */
struct record_key {
	char *name;   /* as written in the spec: the added column's name */
	char **parts; /* the columns it joins, in order */
	long *cols;   /* their indexes, once the header is read */
	size_t part_count;
	long index;		  /* the key's column: the file's own of that name, or the added one */
	int added;		  /* 1 when the reader adds the column */
	struct crm_field *fields; /* a record's fields and the key */
	size_t cap;
	struct crm_buf value;
};

/* A column listing values, read as one record per value (reader.h). */
struct list_column {
	char *name;
	long col;		   /* once the header is read */
	struct crm_record current; /* the file's record being split; its fields are the backend's */
	const char *rest;	   /* what is left of its list */
	size_t rest_len;
	int pending;
	uint64_t index; /* records yielded */
	struct crm_field *fields;
	size_t cap;
};

struct crm_reader {
	const struct reader_ops *ops;
	void *impl;
	struct list_column *each;
	struct record_key *key;
};

static int csv_next(void *impl, struct crm_record *rec, struct crm_error *err)
{
	return crm_csv_next(impl, rec, err);
}

static long csv_column(const void *impl, const char *name)
{
	return crm_csv_column(impl, name);
}

static const char *csv_path(const void *impl)
{
	return crm_csv_path(impl);
}

static uint64_t csv_bytes_read(const void *impl)
{
	return crm_csv_bytes_read(impl);
}

static void csv_close(void *impl)
{
	crm_csv_close(impl);
}

static const struct reader_ops csv_ops = {csv_next, csv_column, csv_path, csv_bytes_read, csv_close};

static int json_next(void *impl, struct crm_record *rec, struct crm_error *err)
{
	return crm_json_next(impl, rec, err);
}

static long json_column(const void *impl, const char *name)
{
	return crm_json_column(impl, name);
}

static const char *json_path(const void *impl)
{
	return crm_json_path(impl);
}

static uint64_t json_bytes_read(const void *impl)
{
	return crm_json_bytes_read(impl);
}

static void json_close(void *impl)
{
	crm_json_close(impl);
}

static const struct reader_ops json_ops = {json_next, json_column, json_path, json_bytes_read, json_close};

static int sqltable_next(void *impl, struct crm_record *rec, struct crm_error *err)
{
	return crm_sqltable_next(impl, rec, err);
}

static long sqltable_column(const void *impl, const char *name)
{
	return crm_sqltable_column(impl, name);
}

static const char *sqltable_path(const void *impl)
{
	return crm_sqltable_path(impl);
}

static uint64_t sqltable_bytes_read(const void *impl)
{
	return crm_sqltable_bytes_read(impl);
}

static void sqltable_close(void *impl)
{
	crm_sqltable_close(impl);
}

static const struct reader_ops sqltable_ops = {sqltable_next, sqltable_column, sqltable_path, sqltable_bytes_read,
					       sqltable_close};

/*
 * Copies rec's fields into a reader-owned array (*fields, *cap) with room
 * for extra more, so a field can be replaced or added without touching the
 * backend's record.
 */
static int copy_fields(struct crm_field **fields, size_t *cap, const struct crm_record *rec, size_t extra,
		       struct crm_error *err)
{
	if (rec->count + extra > *cap) {
		struct crm_field *grown = crm_realloc(*fields, (rec->count + extra) * sizeof(*grown));
		if (!grown)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		*fields = grown;
		*cap = rec->count + extra;
	}
	memcpy(*fields, rec->fields, rec->count * sizeof(**fields));
	return 0;
}

static void each_free(struct list_column *e)
{
	if (!e)
		return;
	crm_free(e->name);
	crm_free(e->fields);
	crm_free(e);
}

static struct list_column *each_new(const char *name, struct crm_error *err)
{
	struct list_column *e = crm_calloc(1, sizeof(*e));

	if (!e || !(e->name = crm_strdup(name))) {
		each_free(e);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	return e;
}

/* The next value of the list being split, trimmed, in (item, len); 0 when none is left. */
static int each_item(struct list_column *e, const char **item, size_t *len)
{
	while (e->rest_len) {
		size_t n = 0;
		const char *p = e->rest;
		while (n < e->rest_len && p[n] != ';')
			n++;
		e->rest += n + (n < e->rest_len);
		e->rest_len -= n + (n < e->rest_len);
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			*item = p;
			*len = n;
			return 1;
		}
	}
	return 0;
}

/* The next record: the current file record with one value of its list, reading on when it has none. */
static int each_next(struct crm_reader *r, struct crm_record *rec, struct crm_error *err)
{
	struct list_column *e = r->each;
	const char *item;
	size_t len;
	int rc;

	for (;;) {
		if (e->pending && each_item(e, &item, &len)) {
			if (copy_fields(&e->fields, &e->cap, &e->current, 0, err))
				return err->code;
			e->fields[e->col].ptr = item;
			e->fields[e->col].len = len;
			*rec = e->current;
			rec->fields = e->fields;
			rec->index = ++e->index;
			return CRM_READ_RECORD;
		}
		e->pending = 0;
		rc = r->ops->next(r->impl, rec, err);
		if (rc != CRM_READ_RECORD)
			return rc;
		if (rec->index == 0) {
			e->col = r->ops->column(r->impl, e->name);
			if (e->col < 0)
				return crm_error_set(err, CRM_EINPUT, "%s: each = '%s': not a column of the file",
						     r->ops->path(r->impl), e->name);
			return rc;
		}
		e->current = *rec;
		e->rest = rec->fields[e->col].ptr;
		e->rest_len = rec->fields[e->col].len;
		e->pending = 1;
	}
}

static void key_free(struct record_key *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->part_count; i++)
		crm_free(k->parts[i]);
	crm_free(k->parts);
	crm_free(k->cols);
	crm_free(k->fields);
	crm_free(k->name);
	crm_buf_release(&k->value);
	crm_free(k);
}

/* "a + b" into its parts, trimmed; NULL with err set when a part is empty. */
static struct record_key *key_parse(const char *path, const char *text, struct crm_error *err)
{
	struct record_key *k = crm_calloc(1, sizeof(*k));
	const char *p = text;
	size_t count = 1, i;

	for (i = 0; text[i]; i++)
		count += text[i] == '+';
	if (!k || !(k->name = crm_strdup(text)) || !(k->parts = crm_calloc(count, sizeof(char *))) ||
	    !(k->cols = crm_calloc(count, sizeof(long)))) {
		key_free(k);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	crm_buf_init(&k->value, CRM_MAX_RECORD_LEN);
	for (i = 0; i < count; i++) {
		size_t len = strcspn(p, "+");
		const char *start = p, *end = p + len;
		while (start < end && *start == ' ')
			start++;
		while (end > start && end[-1] == ' ')
			end--;
		if (end == start) {
			key_free(k);
			crm_error_set(err, CRM_EINPUT, "%s: id '%s': a part of the key is empty", path, text);
			return NULL;
		}
		if (!(k->parts[i] = crm_strndup(start, (size_t)(end - start)))) {
			key_free(k);
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
		k->part_count++;
		p += len + (p[len] == '+');
	}
	return k;
}

/* The header: the key is the file's own column of that name, or one more, of its parts. */
static int key_header(struct crm_reader *r, const struct crm_record *rec, struct crm_error *err)
{
	struct record_key *k = r->key;
	size_t i;

	k->index = r->ops->column(r->impl, k->name);
	if (k->index >= 0)
		return 0;
	for (i = 0; i < k->part_count; i++) {
		k->cols[i] = r->ops->column(r->impl, k->parts[i]);
		if (k->cols[i] < 0)
			return crm_error_set(err, CRM_EINPUT, "%s: id '%s': '%s' is not a column of the file",
					     r->ops->path(r->impl), k->name, k->parts[i]);
	}
	k->added = 1;
	k->index = (long)rec->count;
	return 0;
}

/* The key's value of a record: its parts joined by '|', escaped; empty when a part is. */
static int key_value(struct record_key *k, const struct crm_record *rec, struct crm_error *err)
{
	size_t i, j;

	crm_buf_reset(&k->value);
	for (i = 0; i < k->part_count; i++)
		if (rec->fields[k->cols[i]].len == 0)
			return 0;
	for (i = 0; i < k->part_count; i++) {
		const struct crm_field *f = &rec->fields[k->cols[i]];
		if (i && crm_buf_addch(&k->value, '|', err))
			return err->code;
		for (j = 0; j < f->len; j++)
			if (((f->ptr[j] == '|' || f->ptr[j] == '\\') && crm_buf_addch(&k->value, '\\', err)) ||
			    crm_buf_addch(&k->value, f->ptr[j], err))
				return err->code;
	}
	return 0;
}

/* Adds the key to rec: its fields are copied into the key's array, one longer. */
static int key_add(struct crm_reader *r, struct crm_record *rec, struct crm_error *err)
{
	struct record_key *k = r->key;

	if (rec->index == 0 && key_header(r, rec, err))
		return err->code;
	if (!k->added)
		return 0;
	if (copy_fields(&k->fields, &k->cap, rec, 1, err))
		return err->code;
	if (rec->index == 0) {
		k->fields[rec->count].ptr = k->name;
		k->fields[rec->count].len = strlen(k->name);
	} else {
		if (key_value(k, rec, err))
			return err->code;
		k->fields[rec->count].ptr = k->value.ptr ? k->value.ptr : "";
		k->fields[rec->count].len = k->value.len;
	}
	rec->fields = k->fields;
	rec->count++;
	return 0;
}

struct crm_reader *crm_reader_open(const struct crm_reader_spec *spec, struct crm_error *err)
{
	struct crm_reader *r = crm_calloc(1, sizeof(*r));

	if (!r) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (crm_path_check_input(spec->path, err)) {
		crm_free(r);
		return NULL;
	}
	switch (spec->kind) {
	case CRM_READER_CSV:
		r->ops = &csv_ops;
		r->impl = crm_csv_open(spec->path, spec->encoding, spec->delimiter, err);
		if (r->impl && spec->pad_short_rows)
			crm_csv_pad_short_rows(r->impl);
		break;
	case CRM_READER_SFDX_TREE:
	case CRM_READER_JSON_LINES:
		if (!crm_csv_encoding_is_utf8(spec->encoding)) {
			/* RFC 8259: JSON exchanged between systems is UTF-8 */
			crm_error_set(err, CRM_EINPUT, "%s: a JSON export is UTF-8, not %s", spec->path,
				      spec->encoding);
			break;
		}
		r->ops = &json_ops;
		r->impl = crm_json_open(spec->path,
					spec->kind == CRM_READER_SFDX_TREE ? CRM_JSON_SFDX_TREE : CRM_JSON_LINES,
					spec->kind == CRM_READER_JSON_LINES ? spec->stream : NULL, err);
		break;
	case CRM_READER_SQLITE:
		r->ops = &sqltable_ops;
		r->impl = crm_sqltable_open(spec->path, spec->table ? spec->table : "", err);
		break;
	}
	if (!r->impl) {
		crm_free(r);
		return NULL;
	}
	if (spec->each && !(r->each = each_new(spec->each, err))) {
		crm_reader_close(r);
		return NULL;
	}
	if (spec->key && strchr(spec->key, '+') && !(r->key = key_parse(spec->path, spec->key, err))) {
		crm_reader_close(r);
		return NULL;
	}
	return r;
}

void crm_reader_close(struct crm_reader *r)
{
	if (!r)
		return;
	r->ops->close(r->impl);
	key_free(r->key);
	each_free(r->each);
	crm_free(r);
}

int crm_reader_next(struct crm_reader *r, struct crm_record *rec, struct crm_error *err)
{
	int rc;

	rec->short_fields = 0; /* only the CSV reader has short rows */
	rc = r->each ? each_next(r, rec, err) : r->ops->next(r->impl, rec, err);

	if (rc == CRM_READ_RECORD && r->key && key_add(r, rec, err))
		rc = err->code;
	if (rc <= 0)
		rec->count = 0;
	return rc;
}

long crm_reader_column(const struct crm_reader *r, const char *name)
{
	if (r->key && r->key->added && !strcmp(name, r->key->name))
		return r->key->index;
	return r->ops->column(r->impl, name);
}

const char *crm_reader_path(const struct crm_reader *r)
{
	return r->ops->path(r->impl);
}

uint64_t crm_reader_bytes_read(const struct crm_reader *r)
{
	return r->ops->bytes_read(r->impl);
}
