/*
 * json.h: exports written as JSON, read as records with the CSV reader's
 * protocol (record.h): the first record is the header, then one record per
 * JSON object. Two shapes:
 *
 *   - an sfdx data tree file (`sf data export tree`): {"records": [ {...},
 *     ... ]}, each record with "attributes": {"type", "referenceId"};
 *   - JSON lines: one object per line, either the record itself or an
 *     Airbyte record, {"stream": S, "data": {...}} (also wrapped as
 *     {"type": "RECORD", "record": {...}}), of which only the stream asked
 *     for is read.
 *
 * A record's keys become columns by their path: nested objects as
 * "attributes.referenceId" or "org_id.value", array elements by position,
 * "phone.0.value", "label_ids.1". The header is the union of the paths of
 * every record, in the order they first appear; a record without a path
 * has an empty field there, as has a null. Strings are put in NFC, numbers
 * written in decimal, booleans as true and false (crm_jnode_text).
 *
 * Memory: the file is read twice, once for the header and once for the
 * records, and only one record's text and nodes are held at a time, so an
 * export of any length reads in the memory of its largest record (and of
 * at most 256 record layouts, the columns of each kept to skip the key
 * paths' lookup for the records of a layout seen before).
 *
 * Errors: a record that is not valid JSON, not an object, has a key twice,
 * or nests child records (an sfdx tree exported without --plan) is a bad
 * record (CRM_READ_BAD_RECORD, err naming file:line:column); reading goes
 * on. A file whose structure is broken (no "records" array, an unterminated
 * record, a record over the size limit) stops the reading with a negative
 * code.
 *
 * Not for: the change-event stream of sync (events.h), JSON output.
 */
#ifndef CRM_JSON_H
#define CRM_JSON_H

#include "compat.h"
#include "io/record.h"
#include "util/arena.h"
#include "util/error.h"

#include <jansson.h>

enum crm_json_shape {
	CRM_JSON_SFDX_TREE,
	CRM_JSON_LINES,
};

struct crm_json_reader;

/*
 * Opens path and reads it once for the header. stream (JSON lines only) is
 * the Airbyte stream whose records are read, or NULL when every line is a
 * record. Returns NULL with err set when the file cannot be read or its
 * structure is broken. Free with crm_json_close().
 */
struct crm_json_reader *crm_json_open(const char *path, enum crm_json_shape shape, const char *stream,
				      struct crm_error *err);
void crm_json_close(struct crm_json_reader *reader);

/* As crm_csv_next: the header first, then the records (fields valid until the next call). */
int crm_json_next(struct crm_json_reader *reader, struct crm_record *rec, struct crm_error *err);
/* Index of the column named name (a key path), or -1. */
long crm_json_column(const struct crm_json_reader *reader, const char *name);
const char *crm_json_path(const struct crm_json_reader *reader);
/* Bytes of the file read so far in the record pass (for progress). */
uint64_t crm_json_bytes_read(const struct crm_json_reader *reader);

/*
 * The Airbyte streams of a JSON lines file, in the order they first appear:
 * calls fn once per stream name. Lines that are not Airbyte records are
 * passed over (the reader names them when a stream is read). Returns 0, or
 * a negative code with err set (an unreadable file, or fn's error).
 */
typedef int (*crm_json_stream_fn)(void *ctx, const char *stream, struct crm_error *err);
int crm_json_streams(const char *path, crm_json_stream_fn fn, void *ctx, struct crm_error *err);

/*
 * The steps of an sfdx plan file (`sf data export tree --plan`): a JSON
 * array of {"sobject": ..., "files": [...]}, in load order. Calls fn once per
 * step with its sObject and its files (borrowed for the call). Returns 0,
 * fn's error, or a negative code with err naming the file and what is wrong:
 * not JSON (with line and column), not an array, a step without an sObject
 * or files. Steps before a wrong one have been passed to fn.
 */
typedef int (*crm_json_plan_fn)(void *ctx, const char *sobject, const char *const *files, size_t file_count,
				struct crm_error *err);
int crm_json_plan(const char *path, crm_json_plan_fn fn, void *ctx, struct crm_error *err);

/*
 * What is wrong with a document jansson could not parse, without the text
 * it quotes ("invalid token near 'jane@exam'"): that text can be a flagged
 * field's value, and error messages reach the terminal, --json and the
 * rejects file (a duplicate key keeps its name: a key is no value).
 * Written into buf (cap bytes); returns buf.
 */
const char *crm_json_error_reason(const json_error_t *jerr, char *buf, size_t cap);

/* An sfdx lookup, "@referenceId", as the referenceId it points at: drops the '@' from (*ptr, *len) when there is one. */
void crm_json_sfdx_lookup(const char **ptr, size_t *len);

/*
 * A scalar jansson value as record text, in arena, as crm_jnode_text gives
 * it (jsondoc.h): the change events of sync read their rows with jansson.
 * NULL when out of memory; *len is its length.
 */
const char *crm_json_value_text(const json_t *value, size_t *len, struct crm_arena *arena);

#endif
