/*
 * csv.h: the streaming RFC 4180 reader, and the small writer used for
 * reports. The reader reads a file in blocks, transcodes it to UTF-8 when
 * the export is in another encoding (iconv), skips a UTF-8 BOM, and yields
 * one record at a time. Quoted fields may hold the delimiter, doubled quotes
 * and line breaks; records end in LF, CRLF or CR; blank lines are skipped.
 * Every field is checked to be valid UTF-8 and put in NFC (utf8proc), once,
 * here: nothing downstream re-checks encoding.
 *
 * Memory: one input block, one transcoding block and one record buffer; a
 * record's fields point into the record buffer. No allocation per field.
 *
 * Errors come in two kinds. A bad record (a ragged row, invalid UTF-8, a
 * character after a closing quote) is returned as CRM_READ_BAD_RECORD with
 * err naming file:line:column and the field; reading can go on with the next
 * record. A broken file (an unterminated quote, a byte the declared encoding
 * does not have, a read error) is returned as a negative error code and ends
 * the reading.
 */
#ifndef CRM_CSV_H
#define CRM_CSV_H

#include "compat.h"
#include "io/record.h"
#include "util/error.h"

#include <stdio.h>

struct crm_csv_reader;

/*
 * Opens path for reading. encoding is NULL or "utf-8" for UTF-8, or any name
 * iconv knows ("windows-1252", "latin1", ...). delimiter is usually ','.
 * Returns NULL with err set when the file cannot be opened or the encoding is
 * unknown. Free with crm_csv_close().
 */
struct crm_csv_reader *crm_csv_open(const char *path, const char *encoding, char delimiter, struct crm_error *err);
void crm_csv_close(struct crm_csv_reader *reader);
/* 1 when encoding names UTF-8 as crm_csv_open takes it: NULL, "", "utf-8" or "utf8", in any case. */
int crm_csv_encoding_is_utf8(const char *encoding);

/*
 * Reads the next record into rec (fields valid until the next call). The
 * first record read is the header: from then on, a record with another field
 * count is a bad record. Returns CRM_READ_RECORD, CRM_READ_EOF,
 * CRM_READ_BAD_RECORD (err set, rec filled as far as it was read) or a
 * negative error code.
 */
int crm_csv_next(struct crm_csv_reader *reader, struct crm_record *rec, struct crm_error *err);

/*
 * From now on a data record with fewer fields than the header is read with
 * the missing trailing fields empty (a report export leaves them out), its
 * rec->short_fields saying how many; one with more stays a bad record.
 */
void crm_csv_pad_short_rows(struct crm_csv_reader *reader);

/* Index of the column named name, or -1. */
long crm_csv_column(const struct crm_csv_reader *reader, const char *name);
const char *crm_csv_path(const struct crm_csv_reader *reader);
/* Bytes of the file read so far (for progress). */
uint64_t crm_csv_bytes_read(const struct crm_csv_reader *reader);

/* Appends one field to a CSV line being written, quoting when needed: the value exactly. */
int crm_csv_write_field(FILE *out, const char *ptr, size_t len, int first);

/*
 * The same for a file people open in a spreadsheet (every CSV crmshift
 * writes): a value a spreadsheet would run as a formula, one that starts
 * with '=', '+', '-', '@', a tab or a carriage return, is written after an
 * apostrophe, as OWASP advises against CSV injection ("=cmd|..." becomes
 * "'=cmd|..."). Plain numbers ("-12.5", "+3", "1e-5") are left as they are:
 * a number carries no formula. A value that starts with an apostrophe and a
 * trigger gets a second one, so that crm_csv_cell_unmark gives every value
 * back whole.
 */
int crm_csv_write_cell(FILE *out, const char *ptr, size_t len, int first);
/*
 * Reading back a file crmshift wrote and a person edited (mapping.csv, an
 * exceptions list made from a report): drops the apostrophe that
 * crm_csv_write_cell put before a formula trigger from (*ptr, *len).
 */
void crm_csv_cell_unmark(const char **ptr, size_t *len);

#endif
