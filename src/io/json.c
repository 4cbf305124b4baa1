/*
 * json.c: a byte scanner cuts the file into one JSON text per record (a line
 * of JSON lines, an element of an sfdx tree's "records" array), counting
 * lines as it goes so that errors can say where; jansson parses each text,
 * and a walk of the tree flattens it into key paths. The scanner only
 * tracks strings and nesting: the JSON inside a record is jansson's to judge.
 */
#include "compat.h"
#include "io/json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Where the sfdx scanner is in the tree file. */
enum tree_phase {
	TREE_START, /* before the top-level object */
	TREE_FIRST, /* inside "records": an element or ']' is next */
	TREE_AFTER, /* after an element: ',' or ']' is next */
	TREE_DONE,  /* the records array is over */
};

struct crm_json_reader {
	char *path;
	enum crm_json_shape shape;
	char *stream;
	FILE *in;
	unsigned long line; /* line of the next byte, 1-based */
	unsigned long col;  /* bytes read on that line */
	enum tree_phase phase;

	struct crm_buf text; /* one record's JSON text */
	unsigned long text_line, text_col, text_end_line;

	struct crm_strmap columns; /* key path -> column index */
	const char **names;	   /* borrowed from columns' arena */
	size_t name_count;
	size_t name_cap;

	int header_given;
	struct crm_buf path_buf; /* the key path being walked */
	struct crm_arena values; /* this record's field texts */
	struct crm_field *fields;
	uint64_t index;
};

const char *crm_json_value_text(const json_t *v, size_t *len, struct crm_arena *arena)
{
	char num[64];
	const char *text = "";
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	char *copy;

	*len = 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t i, slen = json_string_length(v);
		for (i = 0; i < slen && (unsigned char)s[i] < 0x80; i++)
			;
		if (i == slen) {
			/* ASCII is in NFC already: no decomposition to build */
			*len = slen;
			return slen ? crm_arena_strndup(arena, s, slen) : "";
		}
		n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)slen, &nfc,
				 UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (n < 0)
			return NULL;
		copy = crm_arena_strndup(arena, (const char *)nfc, (size_t)n);
		free(nfc);
		*len = (size_t)n;
		return copy;
	}
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		text = num;
	} else if (json_is_real(v)) {
		/* 15 significant digits: what a decimal column holds, without binary noise (0.1, not 0.1000...01) */
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		text = num;
	} else if (json_is_boolean(v)) {
		text = json_is_true(v) ? "true" : "false";
	}
	*len = strlen(text);
	return *len ? crm_arena_strndup(arena, text, *len) : "";
}

/* ---- the scanner ---- */

static int get(struct crm_json_reader *r)
{
	int c = getc_unlocked(r->in);

	if (c == '\n') {
		r->line++;
		r->col = 0;
	} else if (c != EOF) {
		r->col++;
	}
	return c;
}

static int read_error(struct crm_json_reader *r, struct crm_error *err)
{
	return crm_error_set(err, CRM_EIO, "cannot read '%s': %s", r->path, strerror(errno));
}

static int skip_space(struct crm_json_reader *r)
{
	int c;

	do
		c = get(r);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	return c;
}

static int broken(struct crm_json_reader *r, struct crm_error *err, const char *what)
{
	return crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: %s", r->path, r->line, r->col, what);
}

/*
 * Appends a byte of a record's text: 0, or 1 past the record limit (err
 * untouched, so the caller says where: the buffer's own message would win,
 * being first), or CRM_ENOMEM with err set.
 */
static int text_add(struct crm_json_reader *r, int c, struct crm_error *err)
{
	if (r->text.len >= r->text.max)
		return 1;
	return crm_buf_addch(&r->text, (char)c, err);
}

static int is_delimiter(int c)
{
	return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Reads the rest of a JSON value that starts with first, into r->text when
 * keep is set. An object, array or string ends with its closing byte and
 * *after is -2; a bare scalar (number, true, false, null) ends at the byte
 * after it, which is read and returned through *after (EOF included).
 */
static int scan_value(struct crm_json_reader *r, int first, int keep, int *after, struct crm_error *err)
{
	int depth = 0, in_string = 0, escaped = 0, c = first, rc;

	*after = -2;
	if (first != '{' && first != '[' && first != '"') {
		while (c != EOF && !is_delimiter(c)) {
			if (keep && (rc = text_add(r, c, err)) != 0)
				return rc < 0 ? rc : broken(r, err, "a record is larger than the limit");
			c = get(r);
		}
		if (c == EOF && ferror(r->in))
			return read_error(r, err);
		*after = c;
		return 0;
	}
	for (;;) {
		if (c == EOF)
			return ferror(r->in) ? read_error(r, err) : broken(r, err, "the file ends inside a record");
		if (keep && (rc = text_add(r, c, err)) != 0)
			return rc < 0 ? rc : broken(r, err, "a record is larger than the limit");
		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"') {
				in_string = 0;
				if (depth == 0)
					return 0;
			}
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			return 0;
		}
		c = get(r);
	}
}

/* Reads a key string whose opening quote was read; 1 when it is "records". */
static int key_is_records(struct crm_json_reader *r, struct crm_error *err)
{
	static const char want[] = "records";
	size_t n = 0;
	int c, escaped = 0, match = 1;

	for (;;) {
		c = get(r);
		if (c == EOF)
			return ferror(r->in) ? read_error(r, err) : broken(r, err, "the file ends inside a key");
		if (!escaped && c == '"')
			return match && n == sizeof(want) - 1;
		if (escaped || c == '\\')
			match = 0; /* an escaped key is not the plain "records" */
		escaped = !escaped && c == '\\';
		if (n < sizeof(want) - 1 && c != want[n])
			match = 0;
		n++;
	}
}

/*
 * Reads top-level keys up to the "records" array (leaving the scanner at its
 * first element) or, when records were read already, to the end of the
 * object, which must be the end of the file. Returns 1 at the records, 0 at
 * the end.
 */
static int scan_top(struct crm_json_reader *r, int records_seen, struct crm_error *err)
{
	int c, rc, after;

	for (;;) {
		c = skip_space(r);
		if (c == '}')
			break;
		if (c == ',')
			c = skip_space(r);
		if (c != '"')
			return broken(r, err, "a key of the top-level object is expected");
		rc = key_is_records(r, err);
		if (rc < 0)
			return rc;
		if (skip_space(r) != ':')
			return broken(r, err, "':' is expected after a key");
		c = skip_space(r);
		if (rc == 1) {
			if (records_seen)
				return broken(r, err, "\"records\" appears twice");
			if (c != '[')
				return broken(r, err, "\"records\" is not an array");
			return 1;
		}
		if (scan_value(r, c, 0, &after, err))
			return err->code;
		if (after == '}')
			break;
		if (after == ',')
			continue;
		if (after != -2 && !is_delimiter(after))
			return broken(r, err, "',' or '}' is expected");
		c = skip_space(r);
		if (c == '}')
			break;
		if (c != ',')
			return broken(r, err, "',' or '}' is expected");
	}
	if (!records_seen)
		return crm_error_set(err, CRM_EINPUT,
				     "%s: no \"records\" array: not an sfdx data tree file (sf data export tree)",
				     r->path);
	if (skip_space(r) != EOF)
		return broken(r, err, "text after the top-level object");
	return 0;
}

/* The next element of an sfdx tree's records array into r->text: 1, 0 at the end, or a negative code. */
static int next_tree_text(struct crm_json_reader *r, struct crm_error *err)
{
	int c, rc, after;

	if (r->phase == TREE_DONE)
		return 0;
	if (r->phase == TREE_START) {
		c = skip_space(r);
		if (c != '{')
			return broken(r, err, "an sfdx data tree file starts with '{'");
		rc = scan_top(r, 0, err);
		if (rc < 0)
			return rc;
		r->phase = TREE_FIRST;
	}
	c = skip_space(r);
	if (r->phase == TREE_AFTER) {
		if (c == ',') {
			c = skip_space(r);
		} else if (c != ']') {
			return broken(r, err, "',' or ']' is expected between records");
		}
	}
	if (c == ']') {
		r->phase = TREE_DONE;
		rc = scan_top(r, 1, err);
		return rc < 0 ? rc : 0;
	}
	if (c == EOF)
		return ferror(r->in) ? read_error(r, err) : broken(r, err, "the file ends inside \"records\"");
	crm_buf_reset(&r->text);
	r->text_line = r->line;
	r->text_col = r->col;
	if (scan_value(r, c, 1, &after, err))
		return err->code;
	if (after == EOF)
		return broken(r, err, "the file ends inside \"records\"");
	if (after >= 0) {
		/* the byte after a bare scalar belongs to the array */
		if (ungetc(after, r->in) == EOF)
			return read_error(r, err);
		if (after == '\n')
			r->line--;
	}
	r->text_end_line = r->line;
	r->phase = TREE_AFTER;
	return 1;
}

/* The next non-blank line into r->text: 1, 0 at the end, or a negative code. */
static int next_line_text(struct crm_json_reader *r, struct crm_error *err)
{
	int c, blank = 1, rc;

	crm_buf_reset(&r->text);
	r->text_line = r->line;
	r->text_col = 1;
	for (;;) {
		c = get(r);
		if (c == EOF) {
			if (ferror(r->in))
				return read_error(r, err);
			if (blank)
				return 0;
			break;
		}
		if (c == '\n') {
			if (!blank)
				break;
			crm_buf_reset(&r->text);
			r->text_line = r->line;
			continue;
		}
		if (c != ' ' && c != '\t' && c != '\r')
			blank = 0;
		if ((rc = text_add(r, c, err)) != 0)
			return rc < 0 ? rc
				      : crm_error_set(err, CRM_EINPUT, "%s:%lu: a line is larger than the limit",
						      r->path, r->text_line);
	}
	r->text_end_line = r->text_line;
	return 1;
}

/* Puts the file at its start, past a UTF-8 byte order mark. */
static int start_pass(struct crm_json_reader *r, struct crm_error *err)
{
	unsigned char bom[3];
	size_t n;

	rewind(r->in);
	r->line = 1;
	r->col = 0;
	r->phase = TREE_START;
	n = fread(bom, 1, sizeof(bom), r->in);
	if (ferror(r->in))
		return read_error(r, err);
	if (n == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF)
		return 0;
	rewind(r->in);
	return 0;
}

static int next_text(struct crm_json_reader *r, struct crm_error *err)
{
	return r->shape == CRM_JSON_SFDX_TREE ? next_tree_text(r, err) : next_line_text(r, err);
}

/* ---- records ---- */

/*
 * The record object in the parsed text: the object itself, or the data of
 * an Airbyte record of r->stream. *skip is set for a record of another
 * stream. NULL with *why set when the text is not a record.
 */
/* The data of an Airbyte record (bare, or wrapped as {"type": "RECORD", "record": ...}) and its stream; NULL when root is not one. */
static json_t *airbyte_data(json_t *root, const char **stream)
{
	json_t *env = json_is_object(json_object_get(root, "record")) ? json_object_get(root, "record") : root;
	json_t *name = json_object_get(env, "stream"), *data = json_object_get(env, "data");

	if (!json_is_string(name) || !json_is_object(data))
		return NULL;
	*stream = json_string_value(name);
	return data;
}

static json_t *record_object(const struct crm_json_reader *r, json_t *root, int *skip, const char **why)
{
	const char *stream;
	json_t *data;

	*skip = 0;
	if (!json_is_object(root)) {
		*why = "the record is not a JSON object";
		return NULL;
	}
	if (!r->stream)
		return root;
	data = airbyte_data(root, &stream);
	if (!data) {
		*why = "not an Airbyte record: \"stream\" and \"data\" are expected";
		return NULL;
	}
	if (strcmp(stream, r->stream) != 0) {
		*skip = 1;
		return NULL;
	}
	return data;
}

/* Calls visit on every scalar of v under the key path in r->path_buf. */
typedef int (*scalar_visit)(struct crm_json_reader *r, const json_t *v, struct crm_error *err);

static int walk(struct crm_json_reader *r, const json_t *v, scalar_visit visit, const char **why, struct crm_error *err)
{
	size_t mark = r->path_buf.len, i;
	const char *key;
	const json_t *child;
	char num[24];

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
		{
			if (r->shape == CRM_JSON_SFDX_TREE && json_is_object(child) &&
			    json_is_array(json_object_get(child, "records"))) {
				/* the key's path stays in path_buf for the message */
				*why = "nests child records: export the tree with --plan, one file per object";
				r->path_buf.len = mark;
				if ((mark && crm_buf_addch(&r->path_buf, '.', err)) ||
				    crm_buf_add(&r->path_buf, key, strlen(key) + 1, err))
					return err->code;
				return crm_error_set(err, CRM_EINPUT, "nested records");
			}
			r->path_buf.len = mark;
			if ((mark && crm_buf_addch(&r->path_buf, '.', err)) || crm_buf_addstr(&r->path_buf, key, err) ||
			    walk(r, child, visit, why, err))
				return err->code;
		}
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			snprintf(num, sizeof(num), "%zu", i);
			r->path_buf.len = mark;
			if ((mark && crm_buf_addch(&r->path_buf, '.', err)) || crm_buf_addstr(&r->path_buf, num, err) ||
			    walk(r, json_array_get(v, i), visit, why, err))
				return err->code;
		}
	} else {
		if (crm_buf_addch(&r->path_buf, '\0', err))
			return err->code;
		r->path_buf.len--;
		return visit(r, v, err);
	}
	r->path_buf.len = mark;
	return 0;
}

static int add_column(struct crm_json_reader *r, const json_t *v, struct crm_error *err)
{
	const struct crm_strmap_entry *e;
	const char **grown;

	(void)v;
	if (crm_strmap_get(&r->columns, r->path_buf.ptr, r->path_buf.len))
		return 0;
	if (r->name_count >= CRM_MAX_FIELDS)
		return crm_error_set(err, CRM_EINPUT, "%s: more than %u distinct keys", r->path, CRM_MAX_FIELDS);
	if (r->name_count == r->name_cap) {
		r->name_cap = r->name_cap ? 2 * r->name_cap : 64;
		grown = crm_realloc(r->names, r->name_cap * sizeof(*grown));
		if (!grown)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		r->names = grown;
	}
	if (crm_strmap_put(&r->columns, r->path_buf.ptr, r->path_buf.len, (int64_t)r->name_count, NULL, &e, err) < 0)
		return err->code;
	r->names[r->name_count++] = e->key;
	return 0;
}

static int set_field(struct crm_json_reader *r, const json_t *v, struct crm_error *err)
{
	const struct crm_strmap_entry *e = crm_strmap_get(&r->columns, r->path_buf.ptr, r->path_buf.len);
	struct crm_field *f;

	if (!e)
		return crm_error_set(err, CRM_EINPUT, "%s: the file changed while it was read (new key '%s')", r->path,
				     r->path_buf.ptr);
	f = &r->fields[e->num];
	f->ptr = crm_json_value_text(v, &f->len, &r->values);
	return f->ptr ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
}

/*
 * Parses r->text into *root (json_decref it; NULL when not JSON): 1 with
 * *obj the record, 0 for a record of another stream, 2 with err set for a
 * bad record.
 */
static int parse_text(struct crm_json_reader *r, json_t **root, json_t **obj, struct crm_error *err)
{
	json_error_t jerr;
	const char *why = NULL;
	int skip;

	*obj = NULL;
	*root = json_loadb(r->text.ptr, r->text.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!*root) {
		unsigned long line = r->text_line + (jerr.line > 0 ? (unsigned long)jerr.line - 1 : 0);
		unsigned long col = jerr.line == 1 ? r->text_col + (unsigned long)jerr.column - 1
						   : (unsigned long)(jerr.column > 0 ? jerr.column : 0);
		char reason[JSON_ERROR_TEXT_LENGTH];
		crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: %s", r->path, line, col,
			      crm_json_error_reason(&jerr, reason, sizeof(reason)));
		return 2;
	}
	*obj = record_object(r, *root, &skip, &why);
	if (*obj || skip)
		return *obj ? 1 : 0;
	crm_error_set(err, CRM_EINPUT, "%s:%lu: %s", r->path, r->text_line, why);
	return 2;
}

/* The header pass: every record's key paths. Bad records are skipped here and reported by the record pass. */
static int read_columns(struct crm_json_reader *r, struct crm_error *err)
{
	struct crm_error rec_err = CRM_ERROR_INIT;
	json_t *root, *obj;
	const char *why;
	int rc;

	while ((rc = next_text(r, err)) == 1) {
		if (parse_text(r, &root, &obj, &rec_err) == 1) {
			r->path_buf.len = 0;
			why = NULL;
			if (walk(r, obj, add_column, &why, &rec_err) && !why)
				crm_error_set(err, rec_err.code, "%s", rec_err.msg);
		}
		crm_error_clear(&rec_err);
		json_decref(root);
		if (err->code)
			return err->code;
	}
	return rc;
}

/* A reader of path at the start of its first pass; NULL with err set. */
static struct crm_json_reader *reader_new(const char *path, enum crm_json_shape shape, const char *stream,
					  struct crm_error *err)
{
	struct crm_json_reader *r = crm_calloc(1, sizeof(*r));

	if (!r) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	r->shape = shape;
	crm_buf_init(&r->text, CRM_MAX_RECORD_LEN);
	crm_buf_init(&r->path_buf, CRM_MAX_FIELD_LEN);
	crm_strmap_init(&r->columns);
	crm_arena_init(&r->values, 64 * 1024);
	r->path = crm_strdup(path);
	r->stream = stream ? crm_strdup(stream) : NULL;
	if (!r->path || (stream && !r->stream))
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	else if (!(r->in = fopen(path, "rb")))
		crm_error_set(err, CRM_EIO, "cannot open '%s': %s", path, strerror(errno));
	if (err->code || start_pass(r, err)) {
		crm_json_close(r);
		return NULL;
	}
	return r;
}

struct crm_json_reader *crm_json_open(const char *path, enum crm_json_shape shape, const char *stream,
				      struct crm_error *err)
{
	struct crm_json_reader *r = reader_new(path, shape, stream, err);

	if (!r || read_columns(r, err) < 0)
		goto fail;
	if (r->name_count == 0) {
		crm_error_set(err, CRM_EINPUT, "%s: no records%s%s", path, stream ? " of stream " : "",
			      stream ? stream : "");
		goto fail;
	}
	r->fields = crm_calloc(r->name_count, sizeof(*r->fields));
	if (!r->fields) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto fail;
	}
	if (start_pass(r, err))
		goto fail;
	return r;
fail:
	crm_json_close(r);
	return NULL;
}

void crm_json_close(struct crm_json_reader *r)
{
	if (!r)
		return;
	if (r->in)
		fclose(r->in);
	crm_buf_release(&r->text);
	crm_buf_release(&r->path_buf);
	crm_strmap_release(&r->columns);
	crm_arena_release(&r->values);
	crm_free(r->names);
	crm_free(r->fields);
	crm_free(r->stream);
	crm_free(r->path);
	crm_free(r);
}

int crm_json_next(struct crm_json_reader *r, struct crm_record *rec, struct crm_error *err)
{
	json_t *root, *obj;
	const char *why;
	size_t i;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->fields = r->fields;
	rec->count = r->name_count;
	if (!r->header_given) {
		r->header_given = 1;
		for (i = 0; i < r->name_count; i++) {
			r->fields[i].ptr = r->names[i];
			r->fields[i].len = strlen(r->names[i]);
		}
		rec->line = rec->end_line = 1;
		return CRM_READ_RECORD;
	}
	for (;;) {
		rc = next_text(r, err);
		if (rc <= 0)
			return rc;
		rec->line = r->text_line;
		rec->end_line = r->text_end_line;
		crm_arena_reset(&r->values);
		for (i = 0; i < r->name_count; i++) {
			r->fields[i].ptr = "";
			r->fields[i].len = 0;
		}
		rc = parse_text(r, &root, &obj, err);
		if (rc == 0) {
			json_decref(root);
			continue; /* another stream's record */
		}
		rec->index = ++r->index;
		if (rc == 2) {
			json_decref(root);
			return CRM_READ_BAD_RECORD;
		}
		r->path_buf.len = 0;
		why = NULL;
		rc = walk(r, obj, set_field, &why, err);
		json_decref(root);
		if (why) {
			crm_error_clear(err);
			crm_error_set(err, CRM_EINPUT, "%s:%lu: '%s' %s", r->path, rec->line, r->path_buf.ptr, why);
			return CRM_READ_BAD_RECORD;
		}
		return rc < 0 ? rc : CRM_READ_RECORD;
	}
}

long crm_json_column(const struct crm_json_reader *r, const char *name)
{
	const struct crm_strmap_entry *e = crm_strmap_get(&r->columns, name, strlen(name));

	return e ? (long)e->num : -1;
}

const char *crm_json_path(const struct crm_json_reader *r)
{
	return r->path;
}

uint64_t crm_json_bytes_read(const struct crm_json_reader *r)
{
	off_t pos = ftello(r->in);

	return pos > 0 ? (uint64_t)pos : 0;
}

int crm_json_streams(const char *path, crm_json_stream_fn fn, void *ctx, struct crm_error *err)
{
	struct crm_json_reader *r = reader_new(path, CRM_JSON_LINES, NULL, err);
	struct crm_strmap seen;
	const char *name;
	json_t *root;
	int rc;

	if (!r)
		return err->code;
	crm_strmap_init(&seen);
	while ((rc = next_line_text(r, err)) == 1) {
		root = json_loadb(r->text.ptr, r->text.len, 0, NULL);
		if (airbyte_data(root, &name) && crm_strmap_put(&seen, name, strlen(name), 0, NULL, NULL, err) == 1)
			fn(ctx, name, err);
		json_decref(root);
		if (err->code)
			break;
	}
	crm_strmap_release(&seen);
	crm_json_close(r);
	return err->code;
}

int crm_json_plan(const char *path, crm_json_plan_fn fn, void *ctx, struct crm_error *err)
{
	const char **files = NULL;
	json_error_t jerr;
	json_t *plan, *step;
	size_t i, f;

	plan = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!plan) {
		char reason[JSON_ERROR_TEXT_LENGTH];
		return crm_error_set(err, CRM_EINPUT, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				     crm_json_error_reason(&jerr, reason, sizeof(reason)));
	}
	if (!json_is_array(plan))
		crm_error_set(err, CRM_EINPUT,
			      "%s: not an sfdx plan: a JSON array of {\"sobject\", \"files\"} is expected", path);
	json_array_foreach(plan, i, step)
	{
		const char *sobject = json_string_value(json_object_get(step, "sobject"));
		json_t *list = json_object_get(step, "files");
		size_t count = json_array_size(list);
		if (err->code)
			break;
		for (f = 0; f < count && json_is_string(json_array_get(list, f)); f++)
			;
		if (!sobject || count == 0 || f < count) {
			crm_error_set(err, CRM_EINPUT, "%s: step %zu: \"sobject\" and \"files\" are expected", path,
				      i + 1);
			break;
		}
		crm_free(files);
		if (!(files = crm_calloc(count, sizeof(*files)))) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		for (f = 0; f < count; f++)
			files[f] = json_string_value(json_array_get(list, f));
		if (fn(ctx, sobject, files, count, err))
			break;
	}
	crm_free(files);
	json_decref(plan);
	return err->code;
}

void crm_json_sfdx_lookup(const char **ptr, size_t *len)
{
	if (*len && (*ptr)[0] == '@') {
		(*ptr)++;
		(*len)--;
	}
}

const char *crm_json_error_reason(const json_error_t *jerr, char *buf, size_t cap)
{
	/*
	 * jansson ends its messages with " near '<the text>'" or " near end of
	 * file". A duplicate key is named by that text: a key, not a value.
	 */
	const char *near = strncmp(jerr->text, "duplicate object key", 20) == 0 ? NULL : strstr(jerr->text, " near '");
	size_t len = near ? (size_t)(near - jerr->text) : strlen(jerr->text);

	snprintf(buf, cap, "%.*s", (int)len, jerr->text);
	return buf;
}
