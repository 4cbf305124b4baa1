/*
 * record.h: one record of an export, as every reader yields it (csv.h,
 * json.h, through reader.h): its fields as (ptr, len) pairs in the header's
 * column order, and where it is in its file. A reader's first record is the
 * header, the column names; every later record has exactly that many fields.
 */
#ifndef CRM_RECORD_H
#define CRM_RECORD_H

#include "compat.h"

#include <stddef.h>

struct crm_field {
	const char *ptr;
	size_t len;
};

struct crm_record {
	const struct crm_field *fields; /* borrowed from the reader */
	size_t count;
	unsigned long line;	/* line the record starts on, 1-based */
	unsigned long end_line; /* line it ends on */
	uint64_t index;		/* 1-based number of the data record (header is 0) */
	size_t short_fields;	/* CSV: trailing fields the row left out (padded as empty, or a bad record) */
};

/*
 * What a reader's next() returns besides a negative error code. At the end
 * and on an error, the record holds no fields (count 0).
 */
enum crm_read_status {
	CRM_READ_EOF = 0,
	CRM_READ_RECORD = 1,
	CRM_READ_BAD_RECORD = 2,
};

#endif
