/*
 * events.c: line by line (at most CRM_MAX_RECORD_LEN bytes kept); each line
 * parsed whole by jsondoc (no allocation per value: jansson's tree of
 * values was a fifth of a sync's time), which also rejects invalid UTF-8
 * and a key twice in one object.
 */
#include "compat.h"
#include "io/events.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct crm_events {
	FILE *in;
	char *path;
	struct crm_buf line; /* the current event's text, at most CRM_MAX_RECORD_LEN bytes */
	unsigned long line_no;
	struct crm_jdoc doc;  /* the current event, parsed */
	struct crm_buf table; /* its source.table, NUL-terminated */
};

/*
 * The next line into ev->line, without its line end: 1, 0 at the end of the
 * file, or a negative code. A line over CRM_MAX_RECORD_LEN is read to its
 * end but not kept, so a huge event costs no memory, and is an error
 * naming its line.
 */
static int next_line(struct crm_events *ev, struct crm_error *err)
{
	char chunk[65536];
	int over = 0, any = 0;

	crm_buf_reset(&ev->line);
	while (fgets(chunk, sizeof(chunk), ev->in)) {
		size_t n = strlen(chunk);
		int end = n && chunk[n - 1] == '\n';
		any = 1;
		if (!over && ev->line.len + n > CRM_MAX_RECORD_LEN)
			over = 1;
		if (!over && crm_buf_add(&ev->line, chunk, n, err))
			return err->code;
		if (end)
			break;
	}
	if (ferror(ev->in))
		return crm_error_set(err, CRM_EIO, "cannot read '%s': %s", ev->path, strerror(errno));
	if (!any)
		return 0;
	ev->line_no++;
	if (over)
		return crm_error_set(err, CRM_EINPUT, "%s:%lu: an event longer than %u bytes (the limit of one record)",
				     ev->path, ev->line_no, CRM_MAX_RECORD_LEN);
	return 1;
}

struct crm_events *crm_events_open(const char *path, struct crm_error *err)
{
	struct crm_events *ev = crm_calloc(1, sizeof(*ev));

	if (!ev || !(ev->path = crm_strdup(path))) {
		crm_free(ev);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	crm_buf_init(&ev->line, CRM_MAX_RECORD_LEN);
	crm_buf_init(&ev->table, CRM_MAX_RECORD_LEN); /* as long as its line may be */
	crm_jdoc_init(&ev->doc);
	ev->in = fopen(path, "r");
	if (!ev->in) {
		crm_error_set(err, CRM_EINPUT, "cannot open '%s': %s", path, strerror(errno));
		crm_events_close(ev);
		return NULL;
	}
	return ev;
}

void crm_events_close(struct crm_events *ev)
{
	if (!ev)
		return;
	if (ev->in)
		fclose(ev->in);
	crm_jdoc_release(&ev->doc);
	crm_buf_release(&ev->table);
	crm_buf_release(&ev->line);
	crm_free(ev->path);
	crm_free(ev);
}

/* The member named key of the object at obj, not the root (source, which 0 means absent), or 0. */
static size_t member_of(const struct crm_jdoc *doc, size_t obj, const char *key)
{
	return obj ? crm_jdoc_member(doc, obj, key) : 0;
}

/* The envelope's row named key: an object's node, or 0 when absent, null or not an object. */
static size_t row_or_none(const struct crm_jdoc *doc, size_t env, const char *key)
{
	size_t at = crm_jdoc_member(doc, env, key);

	return at && doc->nodes[at].kind == CRM_JNODE_OBJECT ? at : 0;
}

int crm_events_next(struct crm_events *ev, struct crm_event *out, struct crm_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	while ((rc = next_line(ev, err)) == 1) {
		struct crm_jdoc_syntax bad = {0, 0, ""};
		const struct crm_jdoc *doc = &ev->doc;
		const struct crm_jnode *op;
		size_t env, at, source, ts, table, len = ev->line.len;
		const char *text = ev->line.ptr;
		char digits[32];
		while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
			len--;
		if (!len)
			continue;
		rc = crm_jdoc_parse(&ev->doc, text, len, &bad, err);
		if (rc == 1)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu:%lu: not a JSON event: %s", ev->path, ev->line_no,
					     bad.column, bad.reason);
		if (rc)
			return rc;
		/* the envelope, bare or as the payload of the converter's {"schema", "payload"} */
		env = crm_jdoc_member(doc, 0, "payload");
		if (!env || doc->nodes[env].kind != CRM_JNODE_OBJECT)
			env = 0;
		at = crm_jdoc_member(doc, env, "op");
		op = at ? &doc->nodes[at] : NULL;
		source = crm_jdoc_member(doc, env, "source");
		ts = member_of(doc, source, "ts_ms");
		table = member_of(doc, source, "table");
		if (!op || op->kind != CRM_JNODE_STRING || op->len != 1 || !op->text[0] || !strchr("cudr", op->text[0]))
			return crm_error_set(
				err, CRM_EINPUT, "%s:%lu: field 'op': %s", ev->path, ev->line_no,
				op && op->kind == CRM_JNODE_STRING && op->len == 1 && op->text[0] == 't'
					? "a truncate event ('t') is not applied: it would delete every record of a "
					  "table; delete them in the source and export, or roll back"
					: "must be one of c, u, d, r (Debezium's create, update, delete, read)");
		if (!ts || doc->nodes[ts].kind != CRM_JNODE_INTEGER)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: field 'source.ts_ms': missing or not an integer",
					     ev->path, ev->line_no);
		if (!table || doc->nodes[table].kind != CRM_JNODE_STRING)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: field 'source.table': missing or not a string",
					     ev->path, ev->line_no);
		/* an integer's text is as written, within int64 (the parser saw to it) */
		snprintf(digits, sizeof(digits), "%.*s", (int)doc->nodes[ts].len, doc->nodes[ts].text);
		crm_buf_reset(&ev->table);
		if (crm_buf_add(&ev->table, doc->nodes[table].text, doc->nodes[table].len, err) ||
		    crm_buf_add(&ev->table, "", 1, err))
			return err->code;
		out->line = ev->line_no;
		out->op = op->text[0];
		out->ts_ms = strtoll(digits, NULL, 10);
		out->table = ev->table.ptr;
		out->doc = doc;
		out->before = row_or_none(doc, env, "before");
		out->after = row_or_none(doc, env, "after");
		if (out->op == 'd' ? !out->before : !out->after)
			return crm_error_set(err, CRM_EINPUT,
					     "%s:%lu: field '%s': a '%c' event needs the row as an object", ev->path,
					     ev->line_no, out->op == 'd' ? "before" : "after", out->op);
		return 1;
	}
	return rc;
}

/*
 * The member of row named key, looked for from *cursor on around the row:
 * a stream's rows hold their columns in one order, most often the
 * export's, so each is found at the first look. 0 when there is none.
 */
static size_t find_column(const struct crm_jdoc *doc, size_t row, size_t *cursor, const char *key)
{
	size_t key_len = strlen(key), at = *cursor;
	uint32_t k;

	for (k = 0; k < doc->nodes[row].count; k++) {
		const struct crm_jnode *n = &doc->nodes[at];
		size_t next = n->next ? n->next : row + 1;
		if (n->key_len == key_len && memcmp(n->key, key, key_len) == 0) {
			*cursor = next;
			return at;
		}
		at = next;
	}
	return 0;
}

struct crm_field *crm_events_record(const struct crm_jdoc *doc, size_t row, char *const *columns, size_t count,
				    struct crm_arena *arena, const char **missing)
{
	struct crm_field *fields = crm_arena_alloc(arena, (count ? count : 1) * sizeof(*fields));
	size_t i, cursor = row + 1;
	int object = row && row < doc->count && doc->nodes[row].kind == CRM_JNODE_OBJECT;

	*missing = NULL;
	if (!fields)
		return NULL;
	for (i = 0; i < count; i++) {
		size_t at = object ? find_column(doc, row, &cursor, columns[i]) : 0;
		if (!at) {
			*missing = columns[i];
			return NULL;
		}
		fields[i].ptr = crm_jnode_text(&doc->nodes[at], &fields[i].len, arena);
		if (!fields[i].ptr)
			return NULL;
	}
	return fields;
}
