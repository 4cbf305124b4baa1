/*
 * dirt.h: what is wrong with an export file's bytes, before any record is
 * read: a byte-order mark, bytes that are not UTF-8 (and which encoding they
 * fit instead), NUL bytes, mixed line endings, a missing final line break.
 * One streaming pass over the raw file in fixed blocks; memory does not
 * depend on the file's size.
 *
 * Line breaks are counted as CSV sees them: a break inside a quoted field is
 * part of a value, not the end of a record, and is counted apart. Positions
 * are 1-based lines and columns in characters (an invalid byte counts as
 * one), as the CSV reader reports them.
 *
 * Record-level problems (ragged rows) are the CSV reader's to find.
 */
#ifndef CRM_DIRT_H
#define CRM_DIRT_H

#include "compat.h"
#include "util/error.h"

enum crm_bom { CRM_BOM_NONE, CRM_BOM_UTF8, CRM_BOM_UTF16LE, CRM_BOM_UTF16BE, CRM_BOM_UTF32LE, CRM_BOM_UTF32BE };

struct crm_dirt_pos {
	unsigned long line;
	unsigned long col;
};

struct crm_dirt {
	uint64_t bytes;
	enum crm_bom bom;
	int64_t crlf, lf, cr;				    /* record ends of each kind */
	struct crm_dirt_pos first_crlf, first_lf, first_cr; /* where each kind is first seen */
	int64_t quoted_breaks;				    /* line breaks inside quoted fields */
	int final_break;				    /* the file ends with a line break (or is empty) */
	int64_t high;					    /* bytes 0x80 and above */
	int64_t invalid;				    /* bytes not part of a valid UTF-8 sequence */
	struct crm_dirt_pos first_invalid;
	unsigned char first_invalid_byte;
	int64_t invalid_lines; /* lines holding at least one */
	int64_t c1;	       /* of the invalid, bytes 0x80-0x9F: only Windows-1252 gives them letters */
	int64_t nul;
	struct crm_dirt_pos first_nul;
};

/* Scans the file at path; CRM_EINPUT when it cannot be opened, CRM_EIO on a read error. */
int crm_dirt_scan(const char *path, struct crm_dirt *d, struct crm_error *err);

/*
 * The encoding the bytes fit: "ascii", "utf-8", "utf-16" or "utf-32" (by its BOM),
 * "windows-1252" (not UTF-8, with bytes 0x80-0x9F that Windows-1252 maps to
 * letters and punctuation) or "latin1" (not UTF-8, only bytes Latin-1 and
 * Windows-1252 read alike).
 */
const char *crm_dirt_encoding(const struct crm_dirt *d);

/* 1 when the file's record ends are of more than one kind. */
int crm_dirt_mixed_breaks(const struct crm_dirt *d);

#endif
