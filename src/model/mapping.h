/*
 * mapping.h: mapping.csv, the field-level mapping template. Its columns are
 * exactly source_object, source_field, data_type, target_field,
 * transform_rule, pii_flag, validation_rule, sample_value and, optionally,
 * target_object, in that order, as migration teams already keep them. This
 * module reads and checks the file's shape; compiling the rules is
 * transform/program's work.
 */
#ifndef CRM_MAPPING_H
#define CRM_MAPPING_H

#include "compat.h"
#include "util/error.h"

#include <stdio.h>

enum crm_mapping_col {
	CRM_MAP_SOURCE_OBJECT,
	CRM_MAP_SOURCE_FIELD,
	CRM_MAP_DATA_TYPE,
	CRM_MAP_TARGET_FIELD,
	CRM_MAP_TRANSFORM_RULE,
	CRM_MAP_PII_FLAG,
	CRM_MAP_VALIDATION_RULE,
	CRM_MAP_SAMPLE_VALUE,
	CRM_MAP_TARGET_OBJECT,
	CRM_MAP_COLS
};

enum crm_pii { CRM_PII_NONE, CRM_PII_PII, CRM_PII_SPI };

struct crm_mapping_row {
	unsigned long line;
	char *col[CRM_MAP_COLS]; /* trimmed; "" when empty, never NULL */
	enum crm_pii pii;
};

struct crm_mapping {
	char *path;
	struct crm_mapping_row *rows;
	size_t count;
};

/* The template's column names, in order. */
extern const char *const crm_mapping_columns[CRM_MAP_COLS];

/*
 * A target_field that names several columns ('contact_id|lead_id', a
 * reference to one of several objects, with ref(Contact|Lead)): how many
 * pieces text has ('|' between them; 1 without), and piece i's start and
 * *len bytes.
 */
size_t crm_alt_count(const char *text);
const char *crm_alt_piece(const char *text, size_t i, size_t *len);

/* Reads path into map (which it initialises); on error map is released. */
int crm_mapping_load(struct crm_mapping *map, const char *path, struct crm_error *err);
void crm_mapping_release(struct crm_mapping *map);

/*
 * Writes the template's header line to out (the eight columns before
 * target_object), then each row a hands over; returns nonzero when a write
 * failed (errno tells why).
 */
int crm_mapping_write_header(FILE *out);
int crm_mapping_write_row(FILE *out, const char *const col[CRM_MAP_TARGET_OBJECT]);

#endif
