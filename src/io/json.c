/*
 * json.c: a byte scanner cuts the file into one JSON text per record (a line
 * of JSON lines, an element of an sfdx tree's "records" array), counting
 * lines as it goes so that errors can say where; jsondoc.h parses each text
 * into a flat array of nodes, and a walk of the nodes flattens it into key
 * paths. The scanner only tracks strings and nesting: the JSON inside a
 * record is the parser's to judge. jansson reads the sfdx plan (one small
 * document).
 */
#include "compat.h"
#include "io/json.h"
#include "io/jsondoc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the sfdx scanner is in the tree file. */
enum tree_phase {
	TREE_START, /* before the top-level object */
	TREE_FIRST, /* inside "records": an element or ']' is next */
	TREE_AFTER, /* after an element: ',' or ']' is next */
	TREE_DONE,  /* the records array is over */
};

/*
 * A record's layout: its nodes' kinds, child counts and key hashes in
 * document order. The records of an export come in few layouts, and the
 * layout decides every scalar's column, so the walk that builds key paths
 * and looks them up runs once per layout, not once per record.
 */
struct layout_node {
	uint64_t key_hash;
	uint32_t count;
	uint32_t kind;
};

struct layout {
	uint64_t hash;
	size_t node_count;
	struct layout_node *nodes;
	uint32_t *columns; /* one per scalar, in document order */
};

enum {
	LAYOUT_SLOTS = 512,
	LAYOUT_MAX = LAYOUT_SLOTS / 2, /* layouts kept; records of others are walked */
	LAYOUT_MAX_NODES = 1024,       /* a larger record is walked */
};

struct crm_json_reader {
	char *path;
	enum crm_json_shape shape;
	char *stream;
	FILE *in;
	char *chunk;	    /* the file, read CHUNK_LEN bytes at a time */
	size_t chunk_pos;   /* the next byte's index in chunk */
	size_t chunk_len;   /* bytes in chunk */
	uint64_t chunk_at;  /* the file offset of chunk[0] */
	int read_errno;	    /* why the file could not be read; 0 when it could */
	unsigned long line; /* line of the next byte, 1-based */
	unsigned long col;  /* characters read on that line */
	enum tree_phase phase;

	struct crm_buf text; /* one record's JSON text */
	unsigned long text_line, text_col, text_end_line;

	struct crm_strmap columns; /* key path -> column index */
	const char **names;	   /* borrowed from columns' arena */
	size_t name_count;
	size_t name_cap;

	int header_given;
	struct crm_jdoc doc;	/* the record's text parsed */
	struct layout *layouts; /* LAYOUT_SLOTS, open addressing; node_count 0 is empty */
	size_t layout_count;
	struct layout_node *sig; /* the record's layout */
	size_t sig_len, sig_cap;
	uint64_t sig_hash;
	uint32_t *cols; /* the column of each scalar the walk visited */
	size_t col_len, col_cap;
	struct crm_buf path_buf; /* the key path being walked */
	struct crm_arena values; /* this record's field texts */
	struct crm_field *fields;
	uint64_t index;
};

const char *crm_json_value_text(const json_t *v, size_t *len, struct crm_arena *arena)
{
	struct crm_jnode n;
	char num[32];

	memset(&n, 0, sizeof(n));
	n.kind = CRM_JNODE_NULL;
	if (json_is_string(v)) {
		n.kind = CRM_JNODE_STRING;
		n.text = json_string_value(v);
		n.len = json_string_length(v);
	} else if (json_is_integer(v)) {
		n.kind = CRM_JNODE_INTEGER;
		n.len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		n.text = num;
	} else if (json_is_real(v)) {
		n.kind = CRM_JNODE_REAL;
		n.real = json_real_value(v);
	} else if (json_is_boolean(v)) {
		n.kind = json_is_true(v) ? CRM_JNODE_TRUE : CRM_JNODE_FALSE;
	}
	return crm_jnode_text(&n, len, arena);
}

/* ---- the scanner ---- */

enum { CHUNK_LEN = 256 * 1024 };

/* The next chunk of the file: 1, 0 at its end, -1 when it cannot be read (r->read_errno says why). */
static int fill(struct crm_json_reader *r)
{
	r->chunk_at += r->chunk_len;
	r->chunk_pos = 0;
	r->chunk_len = fread(r->chunk, 1, CHUNK_LEN, r->in);
	if (r->chunk_len)
		return 1;
	if (r->read_errno) {
		r->read_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

/* The next byte, or EOF at the end or when the file cannot be read (r->read_errno set). */
static int get(struct crm_json_reader *r)
{
	int c;

	if (r->chunk_pos == r->chunk_len && fill(r) <= 0)
		return EOF;
	c = (unsigned char)r->chunk[r->chunk_pos++];
	if (c == '\n') {
		r->line++;
		r->col = 0;
	} else if ((c & 0xC0) != 0x80) {
		r->col++; /* a UTF-8 continuation byte is part of the character before */
	}
	return c;
}

/* Gives back the byte get() returned last: it is still in the chunk. */
static void unget(struct crm_json_reader *r, int c)
{
	r->chunk_pos--;
	if (c == '\n')
		r->line--;
	else if ((c & 0xC0) != 0x80)
		r->col--;
}

static int read_error(struct crm_json_reader *r, struct crm_error *err)
{
	return crm_error_set(err, CRM_EIO, "cannot read '%s': %s", r->path, strerror(r->read_errno));
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
		if (c == EOF && r->read_errno)
			return read_error(r, err);
		*after = c;
		return 0;
	}
	for (;;) {
		if (c == EOF)
			return r->read_errno ? read_error(r, err) : broken(r, err, "the file ends inside a record");
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
			return r->read_errno ? read_error(r, err) : broken(r, err, "the file ends inside a key");
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
		return r->read_errno ? read_error(r, err) : broken(r, err, "the file ends inside \"records\"");
	crm_buf_reset(&r->text);
	r->text_line = r->line;
	r->text_col = r->col;
	if (scan_value(r, c, 1, &after, err))
		return err->code;
	if (after == EOF)
		return broken(r, err, "the file ends inside \"records\"");
	if (after >= 0) {
		/* the byte after a bare scalar belongs to the array */
		unget(r, after);
	}
	r->text_end_line = r->line;
	r->phase = TREE_AFTER;
	return 1;
}

/* Whether [s, end) is all blanks, as a line of JSON lines may be. */
static int is_blank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s == end;
}

/* The next non-blank line into r->text: 1, 0 at the end, or a negative code. */
static int next_line_text(struct crm_json_reader *r, struct crm_error *err)
{
	const char *start, *nl;
	size_t n;
	int blank = 1, rc;

	crm_buf_reset(&r->text);
	r->text_line = r->line;
	r->text_col = 1;
	for (;;) {
		if (r->chunk_pos == r->chunk_len) {
			rc = fill(r);
			if (rc < 0)
				return read_error(r, err);
			if (rc == 0) {
				if (blank)
					return 0;
				break;
			}
		}
		start = r->chunk + r->chunk_pos;
		n = r->chunk_len - r->chunk_pos;
		nl = memchr(start, '\n', n);
		if (nl)
			n = (size_t)(nl - start);
		if (blank && !is_blank(start, start + n))
			blank = 0;
		if (r->text.len + n > r->text.max)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: a line is larger than the limit", r->path,
					     r->text_line);
		if (crm_buf_add(&r->text, start, n, err))
			return err->code;
		r->chunk_pos += n;
		if (!nl)
			continue;
		r->chunk_pos++;
		r->line++;
		r->col = 0;
		if (!blank)
			break;
		crm_buf_reset(&r->text);
		r->text_line = r->line;
	}
	r->text_end_line = r->text_line;
	return 1;
}

/* Puts the file at its start, past a UTF-8 byte order mark. */
static int start_pass(struct crm_json_reader *r, struct crm_error *err)
{
	rewind(r->in);
	r->chunk_at = 0;
	r->chunk_pos = r->chunk_len = 0;
	r->line = 1;
	r->col = 0;
	r->phase = TREE_START;
	if (fill(r) < 0)
		return read_error(r, err);
	if (r->chunk_len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0)
		r->chunk_pos = 3;
	return 0;
}

static int next_text(struct crm_json_reader *r, struct crm_error *err)
{
	return r->shape == CRM_JSON_SFDX_TREE ? next_tree_text(r, err) : next_line_text(r, err);
}

/* ---- records ---- */

/*
 * The data of an Airbyte record in the parsed text (bare, or wrapped as
 * {"type": "RECORD", "record": ...}) with its stream name: 0 when the text
 * is not one.
 */
static size_t airbyte_data(const struct crm_jdoc *doc, const struct crm_jnode **stream)
{
	size_t env = crm_jdoc_member(doc, 0, "record"), name, data;

	if (!env || doc->nodes[env].kind != CRM_JNODE_OBJECT)
		env = 0;
	name = crm_jdoc_member(doc, env, "stream");
	data = crm_jdoc_member(doc, env, "data");
	if (!name || doc->nodes[name].kind != CRM_JNODE_STRING || !data || doc->nodes[data].kind != CRM_JNODE_OBJECT)
		return 0;
	*stream = &doc->nodes[name];
	return data;
}

/*
 * The record object in the parsed text: 1 with *obj the object itself or
 * the data of an Airbyte record of r->stream, 0 for a record of another
 * stream, 2 with *why set when the text is not a record.
 */
static int record_object(const struct crm_json_reader *r, size_t *obj, const char **why)
{
	const struct crm_jnode *stream;

	*obj = 0;
	if (r->doc.nodes[0].kind != CRM_JNODE_OBJECT) {
		*why = "the record is not a JSON object";
		return 2;
	}
	if (!r->stream)
		return 1;
	*obj = airbyte_data(&r->doc, &stream);
	if (!*obj) {
		*why = "not an Airbyte record: \"stream\" and \"data\" are expected";
		return 2;
	}
	return stream->len == strlen(r->stream) && memcmp(stream->text, r->stream, stream->len) == 0;
}

/* Calls visit on every scalar under node v, with its key path in r->path_buf. */
typedef int (*scalar_visit)(struct crm_json_reader *r, const struct crm_jnode *v, struct crm_error *err);

static int walk(struct crm_json_reader *r, size_t v, scalar_visit visit, const char **why, struct crm_error *err)
{
	const struct crm_jnode *nodes = r->doc.nodes;
	size_t mark = r->path_buf.len, c, records;
	uint32_t i;
	char num[24];

	if (nodes[v].kind == CRM_JNODE_OBJECT) {
		for (c = v + 1, i = 0; i < nodes[v].count; i++, c = nodes[c].next) {
			r->path_buf.len = mark;
			if ((mark && crm_buf_addch(&r->path_buf, '.', err)) ||
			    crm_buf_add(&r->path_buf, nodes[c].key, nodes[c].key_len, err))
				return err->code;
			records = crm_jdoc_member(&r->doc, c, "records");
			if (r->shape == CRM_JSON_SFDX_TREE && records && nodes[records].kind == CRM_JNODE_ARRAY) {
				/* the key's path stays in path_buf for the message */
				*why = "nests child records: export the tree with --plan, one file per object";
				if (crm_buf_addch(&r->path_buf, '\0', err))
					return err->code;
				return crm_error_set(err, CRM_EINPUT, "nested records");
			}
			if (walk(r, c, visit, why, err))
				return err->code;
		}
	} else if (nodes[v].kind == CRM_JNODE_ARRAY) {
		for (c = v + 1, i = 0; i < nodes[v].count; i++, c = nodes[c].next) {
			snprintf(num, sizeof(num), "%" PRIu32, i);
			r->path_buf.len = mark;
			if ((mark && crm_buf_addch(&r->path_buf, '.', err)) || crm_buf_addstr(&r->path_buf, num, err) ||
			    walk(r, c, visit, why, err))
				return err->code;
		}
	} else {
		if (crm_buf_addch(&r->path_buf, '\0', err))
			return err->code;
		r->path_buf.len--;
		return visit(r, &nodes[v], err);
	}
	r->path_buf.len = mark;
	return 0;
}

/* Notes the column of the scalar the walk is at, for the record's layout. */
static int note_column(struct crm_json_reader *r, int64_t column, struct crm_error *err)
{
	if (crm_grow(&r->cols, r->col_len, &r->col_cap, sizeof(*r->cols), 64))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	r->cols[r->col_len++] = (uint32_t)column;
	return 0;
}

static int add_column(struct crm_json_reader *r, const struct crm_jnode *v, struct crm_error *err)
{
	const struct crm_strmap_entry *e;

	(void)v;
	if ((e = crm_strmap_get(&r->columns, r->path_buf.ptr, r->path_buf.len)))
		return note_column(r, e->num, err);
	if (r->name_count >= CRM_MAX_FIELDS)
		return crm_error_set(err, CRM_EINPUT, "%s: more than %u distinct keys", r->path, CRM_MAX_FIELDS);
	if (crm_grow(&r->names, r->name_count, &r->name_cap, sizeof(*r->names), 64))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (crm_strmap_put(&r->columns, r->path_buf.ptr, r->path_buf.len, (int64_t)r->name_count, NULL, &e, err) < 0)
		return err->code;
	r->names[r->name_count++] = e->key;
	return note_column(r, e->num, err);
}

static int set_field(struct crm_json_reader *r, const struct crm_jnode *v, struct crm_error *err)
{
	const struct crm_strmap_entry *e = crm_strmap_get(&r->columns, r->path_buf.ptr, r->path_buf.len);
	struct crm_field *f;

	if (!e)
		return crm_error_set(err, CRM_EINPUT, "%s: the file changed while it was read (new key '%s')", r->path,
				     r->path_buf.ptr);
	f = &r->fields[e->num];
	f->ptr = crm_jnode_text(v, &f->len, &r->values);
	return f->ptr ? note_column(r, e->num, err) : crm_error_set(err, CRM_ENOMEM, "out of memory");
}

/* The layout of the record at node obj into r->sig and r->sig_hash. */
static int record_layout(struct crm_json_reader *r, size_t obj, struct crm_error *err)
{
	const struct crm_jnode *n;
	size_t i, pending = 1; /* nodes of the record not reached yet */
	uint64_t h = 0;

	r->sig_len = 0;
	for (i = obj; pending; i++, pending--) {
		n = &r->doc.nodes[i];
		if (n->kind == CRM_JNODE_OBJECT || n->kind == CRM_JNODE_ARRAY)
			pending += n->count;
		if (crm_grow(&r->sig, r->sig_len, &r->sig_cap, sizeof(*r->sig), 64))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		r->sig[r->sig_len].key_hash = n->key_hash;
		r->sig[r->sig_len].count = n->count;
		r->sig[r->sig_len].kind = n->kind;
		r->sig_len++;
		h = (h ^ n->key_hash ^ ((uint64_t)n->count << 8 | n->kind)) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	r->sig_hash = h;
	return 0;
}

/* The slot of the record's layout: a known one, or the empty slot where it would go. */
static struct layout *layout_slot(struct crm_json_reader *r)
{
	size_t i = r->sig_hash & (LAYOUT_SLOTS - 1);
	struct layout *l;

	for (;; i = (i + 1) & (LAYOUT_SLOTS - 1)) {
		l = &r->layouts[i];
		if (!l->node_count || (l->hash == r->sig_hash && l->node_count == r->sig_len &&
				       memcmp(l->nodes, r->sig, r->sig_len * sizeof(*r->sig)) == 0))
			return l;
	}
}

/* Keeps the record's layout with the columns its walk noted, while there is room. */
static int keep_layout(struct crm_json_reader *r, struct layout *slot, struct crm_error *err)
{
	if (r->layout_count >= LAYOUT_MAX || r->sig_len > LAYOUT_MAX_NODES)
		return 0;
	slot->nodes = crm_malloc(r->sig_len * sizeof(*slot->nodes));
	slot->columns = crm_malloc((r->col_len ? r->col_len : 1) * sizeof(*slot->columns));
	if (!slot->nodes || !slot->columns) {
		crm_free(slot->nodes);
		crm_free(slot->columns);
		slot->nodes = NULL;
		slot->columns = NULL;
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	memcpy(slot->nodes, r->sig, r->sig_len * sizeof(*slot->nodes));
	if (r->col_len)
		memcpy(slot->columns, r->cols, r->col_len * sizeof(*slot->columns));
	slot->hash = r->sig_hash;
	slot->node_count = r->sig_len;
	r->layout_count++;
	return 0;
}

/* The record's fields by its known layout: each scalar, in document order, into its column. */
static int fill_by_layout(struct crm_json_reader *r, size_t obj, const struct layout *l, struct crm_error *err)
{
	const struct crm_jnode *n;
	struct crm_field *f;
	size_t i, k = 0;

	for (i = 0; i < l->node_count; i++) {
		n = &r->doc.nodes[obj + i];
		if (n->kind == CRM_JNODE_OBJECT || n->kind == CRM_JNODE_ARRAY)
			continue;
		f = &r->fields[l->columns[k++]];
		f->ptr = crm_jnode_text(n, &f->len, &r->values);
		if (!f->ptr)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	return 0;
}

/*
 * Walks the record at node obj with visit (add_column or set_field), or,
 * for a layout walked before, with set_field fills the fields by it.
 * Returns 0, or err's code with *why set when the record is bad.
 */
static int visit_record(struct crm_json_reader *r, size_t obj, scalar_visit visit, const char **why,
			struct crm_error *err)
{
	struct layout *slot;

	*why = NULL;
	if (record_layout(r, obj, err))
		return err->code;
	slot = layout_slot(r);
	if (slot->node_count)
		return visit == set_field ? fill_by_layout(r, obj, slot, err) : 0;
	r->path_buf.len = 0;
	r->col_len = 0;
	if (walk(r, obj, visit, why, err))
		return err->code;
	return keep_layout(r, slot, err);
}

/*
 * Parses r->text into r->doc: 1 with *obj the record, 0 for a record of
 * another stream, 2 with err set for a bad record, or a negative code.
 */
static int parse_text(struct crm_json_reader *r, size_t *obj, struct crm_error *err)
{
	struct crm_jdoc_syntax bad = {0, 0, ""};
	const char *why = NULL;
	int rc;

	*obj = 0;
	rc = crm_jdoc_parse(&r->doc, r->text.ptr, r->text.len, &bad, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		unsigned long line = r->text_line + bad.line - 1;
		unsigned long col = bad.line == 1 ? r->text_col + bad.column - 1 : bad.column;
		crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: %s", r->path, line, col, bad.reason);
		return 2;
	}
	rc = record_object(r, obj, &why);
	if (rc == 2)
		crm_error_set(err, CRM_EINPUT, "%s:%lu: %s", r->path, r->text_line, why);
	return rc;
}

/* The header pass: every record's key paths. Bad records are skipped here and reported by the record pass. */
static int read_columns(struct crm_json_reader *r, struct crm_error *err)
{
	struct crm_error rec_err = CRM_ERROR_INIT;
	const char *why;
	size_t obj;
	int rc;

	while ((rc = next_text(r, err)) == 1) {
		rc = parse_text(r, &obj, &rec_err);
		if (rc < 0) {
			crm_error_set(err, rec_err.code, "%s", rec_err.msg);
		} else if (rc == 1) {
			if (visit_record(r, obj, add_column, &why, &rec_err) && !why)
				crm_error_set(err, rec_err.code, "%s", rec_err.msg);
		}
		crm_error_clear(&rec_err);
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
	crm_jdoc_init(&r->doc);
	r->layouts = crm_calloc(LAYOUT_SLOTS, sizeof(*r->layouts));
	crm_arena_init(&r->values, 64 * 1024);
	r->path = crm_strdup(path);
	r->stream = stream ? crm_strdup(stream) : NULL;
	r->chunk = crm_malloc(CHUNK_LEN);
	if (!r->path || (stream && !r->stream) || !r->chunk || !r->layouts)
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
	size_t i;

	if (!r)
		return;
	if (r->in)
		fclose(r->in);
	crm_buf_release(&r->text);
	crm_buf_release(&r->path_buf);
	crm_strmap_release(&r->columns);
	crm_jdoc_release(&r->doc);
	for (i = 0; r->layouts && i < LAYOUT_SLOTS; i++) {
		crm_free(r->layouts[i].nodes);
		crm_free(r->layouts[i].columns);
	}
	crm_free(r->layouts);
	crm_free(r->sig);
	crm_free(r->cols);
	crm_arena_release(&r->values);
	crm_free(r->names);
	crm_free(r->fields);
	crm_free(r->chunk);
	crm_free(r->stream);
	crm_free(r->path);
	crm_free(r);
}

int crm_json_next(struct crm_json_reader *r, struct crm_record *rec, struct crm_error *err)
{
	const char *why;
	size_t i, obj;
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
		rc = parse_text(r, &obj, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue; /* another stream's record */
		rec->index = ++r->index;
		if (rc == 2)
			return CRM_READ_BAD_RECORD;
		rc = visit_record(r, obj, set_field, &why, err);
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
	return r->chunk_at + r->chunk_pos;
}

int crm_json_streams(const char *path, crm_json_stream_fn fn, void *ctx, struct crm_error *err)
{
	struct crm_json_reader *r = reader_new(path, CRM_JSON_LINES, NULL, err);
	struct crm_jdoc_syntax bad = {0, 0, ""};
	struct crm_strmap seen;
	const struct crm_jnode *name;
	const struct crm_strmap_entry *entry;
	int rc;

	if (!r)
		return err->code;
	crm_strmap_init(&seen);
	while ((rc = next_line_text(r, err)) == 1) {
		rc = crm_jdoc_parse(&r->doc, r->text.ptr, r->text.len, &bad, err);
		if (rc == 0 && airbyte_data(&r->doc, &name) &&
		    crm_strmap_put(&seen, name->text, name->len, 0, NULL, &entry, err) == 1)
			fn(ctx, entry->key, err);
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
