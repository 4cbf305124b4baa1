/*
 * reader.c: one table of functions per backend; a reader is its backend's
 * handle and that table.
 */
#include "compat.h"
#include "io/reader.h"
#include "io/csv.h"
#include "io/json.h"
#include "util/alloc.h"

struct reader_ops {
	int (*next)(void *impl, struct crm_record *rec, struct crm_error *err);
	long (*column)(const void *impl, const char *name);
	const char *(*path)(const void *impl);
	uint64_t (*bytes_read)(const void *impl);
	void (*close)(void *impl);
};

struct crm_reader {
	const struct reader_ops *ops;
	void *impl;
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

struct crm_reader *crm_reader_open(const struct crm_reader_spec *spec, struct crm_error *err)
{
	struct crm_reader *r = crm_calloc(1, sizeof(*r));

	if (!r) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	switch (spec->kind) {
	case CRM_READER_CSV:
		r->ops = &csv_ops;
		r->impl = crm_csv_open(spec->path, spec->encoding, spec->delimiter, err);
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
	}
	if (!r->impl) {
		crm_free(r);
		return NULL;
	}
	return r;
}

void crm_reader_close(struct crm_reader *r)
{
	if (!r)
		return;
	r->ops->close(r->impl);
	crm_free(r);
}

int crm_reader_next(struct crm_reader *r, struct crm_record *rec, struct crm_error *err)
{
	return r->ops->next(r->impl, rec, err);
}

long crm_reader_column(const struct crm_reader *r, const char *name)
{
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
