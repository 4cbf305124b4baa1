/*
 * mapping.c: reading mapping.csv with the project's own CSV reader, so its
 * errors carry the same file:line:column as export errors do.
 */
#include "compat.h"
#include "model/mapping.h"
#include "io/csv.h"
#include "util/alloc.h"
#include "util/limits.h"

#include <string.h>
#include <strings.h>

const char *const crm_mapping_columns[CRM_MAP_COLS] = {
	"source_object", "source_field",    "data_type",    "target_field",  "transform_rule",
	"pii_flag",	 "validation_rule", "sample_value", "target_object",
};

void crm_mapping_release(struct crm_mapping *map)
{
	size_t i, c;

	for (i = 0; i < map->count; i++)
		for (c = 0; c < CRM_MAP_COLS; c++)
			crm_free(map->rows[i].col[c]);
	crm_free(map->rows);
	crm_free(map->path);
	memset(map, 0, sizeof(*map));
}

static char *trimmed_copy(const char *ptr, size_t len)
{
	while (len && (*ptr == ' ' || *ptr == '\t')) {
		ptr++;
		len--;
	}
	while (len && (ptr[len - 1] == ' ' || ptr[len - 1] == '\t'))
		len--;
	return crm_strndup(ptr, len);
}

static int check_header(struct crm_mapping *map, const struct crm_record *rec, struct crm_error *err)
{
	size_t i;

	if (rec->count != CRM_MAP_COLS - 1 && rec->count != CRM_MAP_COLS)
		return crm_error_set(err, CRM_EINPUT,
				     "%s:1: the header has %zu columns; the template has 8 (%s,%s,%s,%s,%s,%s,%s,%s) "
				     "and an optional ninth, target_object",
				     map->path, rec->count, crm_mapping_columns[0], crm_mapping_columns[1],
				     crm_mapping_columns[2], crm_mapping_columns[3], crm_mapping_columns[4],
				     crm_mapping_columns[5], crm_mapping_columns[6], crm_mapping_columns[7]);
	for (i = 0; i < rec->count; i++) {
		const char *want = crm_mapping_columns[i];
		if (rec->fields[i].len != strlen(want) || memcmp(rec->fields[i].ptr, want, rec->fields[i].len) != 0)
			return crm_error_set(err, CRM_EINPUT, "%s:1: column %zu is '%.*s' where the template has '%s'",
					     map->path, i + 1, (int)rec->fields[i].len, rec->fields[i].ptr, want);
	}
	return 0;
}

static int add_row(struct crm_mapping *map, const struct crm_record *rec, size_t *cap, struct crm_error *err)
{
	struct crm_mapping_row *row;
	const char *pii;
	size_t c;

	if (map->count >= CRM_MAX_MAPPING_ROWS)
		return crm_error_set(err, CRM_EINPUT, "%s: more than %u rows", map->path, CRM_MAX_MAPPING_ROWS);
	if (crm_grow(&map->rows, map->count, cap, sizeof(*map->rows), 64))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	row = &map->rows[map->count];
	memset(row, 0, sizeof(*row));
	row->line = rec->line;
	map->count++;
	for (c = 0; c < CRM_MAP_COLS; c++) {
		const char *ptr = c < rec->count ? rec->fields[c].ptr : "";
		size_t len = c < rec->count ? rec->fields[c].len : 0;
		/* a draft crmshift wrote marks formula triggers (crm_csv_write_cell): the cell is the value after */
		crm_csv_cell_unmark(&ptr, &len);
		row->col[c] = trimmed_copy(ptr, len);
		if (!row->col[c])
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	if (!row->col[CRM_MAP_SOURCE_OBJECT][0])
		return crm_error_set(err, CRM_EINPUT, "%s:%lu: source_object is empty", map->path, row->line);
	if (!row->col[CRM_MAP_TARGET_FIELD][0])
		return crm_error_set(err, CRM_EINPUT, "%s:%lu: target_field is empty", map->path, row->line);
	pii = row->col[CRM_MAP_PII_FLAG];
	if (!pii[0] || strcasecmp(pii, "no") == 0 || strcasecmp(pii, "none") == 0)
		row->pii = CRM_PII_NONE;
	else if (strcasecmp(pii, "PII") == 0)
		row->pii = CRM_PII_PII;
	else if (strcasecmp(pii, "SPI") == 0)
		row->pii = CRM_PII_SPI;
	else
		return crm_error_set(err, CRM_EINPUT, "%s:%lu: pii_flag '%s' is not PII, SPI or empty", map->path,
				     row->line, pii);
	return 0;
}

int crm_mapping_load(struct crm_mapping *map, const char *path, struct crm_error *err)
{
	struct crm_csv_reader *reader;
	struct crm_record rec;
	size_t cap = 0;
	int rc, header = 1;

	memset(map, 0, sizeof(*map));
	map->path = crm_strdup(path);
	if (!map->path)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	reader = crm_csv_open(path, "utf-8", ',', err);
	if (!reader) {
		crm_mapping_release(map);
		return err->code;
	}
	while ((rc = crm_csv_next(reader, &rec, err)) != CRM_READ_EOF) {
		if (rc < 0 || rc == CRM_READ_BAD_RECORD) {
			rc = err->code;
			goto out;
		}
		if (header) {
			header = 0;
			rc = check_header(map, &rec, err);
		} else {
			rc = add_row(map, &rec, &cap, err);
		}
		if (rc)
			goto out;
	}
	if (header) {
		rc = crm_error_set(err, CRM_EINPUT, "%s: empty file (the template header is missing)", path);
		goto out;
	}
	rc = 0;
out:
	crm_csv_close(reader);
	if (rc)
		crm_mapping_release(map);
	return rc;
}

int crm_mapping_write_header(FILE *out)
{
	return crm_mapping_write_row(out, crm_mapping_columns);
}

int crm_mapping_write_row(FILE *out, const char *const col[CRM_MAP_TARGET_OBJECT])
{
	size_t j;
	int bad = 0;

	for (j = 0; j < CRM_MAP_TARGET_OBJECT; j++)
		bad |= crm_csv_write_cell(out, col[j], strlen(col[j]), j == 0);
	return bad | (fputc('\n', out) == EOF);
}

size_t crm_alt_count(const char *text)
{
	size_t n = 1;

	for (; *text; text++)
		n += *text == '|';
	return n;
}

const char *crm_alt_piece(const char *text, size_t i, size_t *len)
{
	const char *end;

	for (; i > 0; i--) {
		const char *bar = strchr(text, '|');
		if (!bar) {
			text += strlen(text);
			break;
		}
		text = bar + 1;
	}
	end = strchr(text, '|');
	*len = end ? (size_t)(end - text) : strlen(text);
	return text;
}
