/*
 * reader.h: an export's records, whatever the file's format. Each backend
 * (csv.h for delimited text, json.h for sfdx data trees and JSON lines,
 * sqltable.h for a SQLite database's tables) yields the same records (record.h): the header first, then one record
 * per source record, with bad records reported and reading going on. The
 * engine reads every export through this interface and so never knows what
 * file it came from.
 *
 * Not for: crmshift's own CSV files (mapping.csv, exceptions, reports),
 * which are CSV by definition and use csv.h directly.
 */
#ifndef CRM_READER_H
#define CRM_READER_H

#include "compat.h"
#include "io/record.h"
#include "util/error.h"

enum crm_reader_kind {
	CRM_READER_CSV,	       /* delimited text, in any encoding iconv knows */
	CRM_READER_SFDX_TREE,  /* {"records": [...]} of sf data export tree */
	CRM_READER_JSON_LINES, /* one JSON object per line, bare or as Airbyte records */
	CRM_READER_SQLITE      /* a table of a SQLite database, or of its SQL dump (sqltable.h) */
};

struct crm_reader_spec {
	const char *path;
	enum crm_reader_kind kind;
	const char *encoding; /* CSV: NULL or "utf-8", or an iconv name */
	char delimiter;	      /* CSV: usually ',' */
	const char *stream;   /* JSON lines: the Airbyte stream to read, or NULL when each line is a record */
	const char *key;      /* a record key of several columns, "a + b", or NULL (see below) */
	const char *each;     /* a column listing values joined by ';': one record per value, or NULL */
	int pad_short_rows;   /* CSV: a row's missing trailing fields read as empty (crm_csv_pad_short_rows) */
	const char *table;    /* SQLite: the table to read */
};

/*
 * A column listing several values (HubSpot's "Associated Contact IDs":
 * 101;102) can be read as one record per value: each is the file's record
 * with that column holding one value (spaces around it trimmed), on the
 * file's line. A record whose list is empty yields none. A key (below) is
 * made after, so "Record ID + Associated Contact IDs" names each pair.
 */

/*
 * A key of several columns names the records of a table that has no id
 * column of its own, such as a junction (HubSpot's deal_contact: deal_id +
 * contact_id). The reader adds a column named as the key ("deal_id +
 * contact_id") after the file's own: each record's parts, in the key's
 * order, joined by '|' ('|' and '\' within a part escaped with '\', so two
 * keys are equal only when every part is); empty when a part is empty, as a
 * record without its id. When the file has a column of that very name, it
 * is that column and nothing is added. A part that is not a column is an
 * error when the header is read.
 */

struct crm_reader;

/* Opens spec->path (the spec is not retained). NULL with err set. Free with crm_reader_close(). */
struct crm_reader *crm_reader_open(const struct crm_reader_spec *spec, struct crm_error *err);
void crm_reader_close(struct crm_reader *reader);

/*
 * The next record (fields valid until the next call): the header first.
 * Returns CRM_READ_RECORD, CRM_READ_EOF, CRM_READ_BAD_RECORD (err names
 * file:line and why; reading can go on) or a negative error code.
 */
int crm_reader_next(struct crm_reader *reader, struct crm_record *rec, struct crm_error *err);
/* Index of the column named name, or -1. */
long crm_reader_column(const struct crm_reader *reader, const char *name);
const char *crm_reader_path(const struct crm_reader *reader);
/* Bytes of the file read so far (for progress). */
uint64_t crm_reader_bytes_read(const struct crm_reader *reader);

#endif
