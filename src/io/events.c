/*
 * events.c: line by line (at most CRM_MAX_RECORD_LEN bytes kept); each line parsed whole by jansson,
 * which also rejects invalid UTF-8.
 */
#include "compat.h"
#include "io/events.h"
#include "io/json.h"
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
	json_t *doc;
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
	json_decref(ev->doc);
	crm_buf_release(&ev->line);
	crm_free(ev->path);
	crm_free(ev);
}

static const json_t *row_or_null(const json_t *env, const char *key)
{
	const json_t *v = json_object_get(env, key);

	return json_is_object(v) ? v : NULL;
}

int crm_events_next(struct crm_events *ev, struct crm_event *out, struct crm_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	json_decref(ev->doc);
	ev->doc = NULL;
	while ((rc = next_line(ev, err)) == 1) {
		json_error_t jerr;
		const json_t *env, *source, *op, *ts, *table;
		size_t len = ev->line.len;
		const char *text = ev->line.ptr;
		while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
			len--;
		if (!len)
			continue;
		ev->doc = json_loadb(text, len, 0, &jerr);
		if (!ev->doc) {
			char reason[JSON_ERROR_TEXT_LENGTH];
			return crm_error_set(err, CRM_EINPUT, "%s:%lu:%d: not a JSON event: %s", ev->path, ev->line_no,
					     jerr.column, crm_json_error_reason(&jerr, reason, sizeof(reason)));
		}
		env = json_object_get(ev->doc, "payload");
		if (!json_is_object(env))
			env = ev->doc;
		op = json_object_get(env, "op");
		source = json_object_get(env, "source");
		ts = json_object_get(source, "ts_ms");
		table = json_object_get(source, "table");
		if (!json_is_string(op) || json_string_length(op) != 1 || !strchr("cudr", json_string_value(op)[0]))
			return crm_error_set(
				err, CRM_EINPUT, "%s:%lu: field 'op': %s", ev->path, ev->line_no,
				json_is_string(op) && strcmp(json_string_value(op), "t") == 0
					? "a truncate event ('t') is not applied: it would delete every record of a "
					  "table; delete them in the source and export, or roll back"
					: "must be one of c, u, d, r (Debezium's create, update, delete, read)");
		if (!json_is_integer(ts))
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: field 'source.ts_ms': missing or not an integer",
					     ev->path, ev->line_no);
		if (!json_is_string(table))
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: field 'source.table': missing or not a string",
					     ev->path, ev->line_no);
		out->line = ev->line_no;
		out->op = json_string_value(op)[0];
		out->ts_ms = json_integer_value(ts);
		out->table = json_string_value(table);
		out->before = row_or_null(env, "before");
		out->after = row_or_null(env, "after");
		if (out->op == 'd' ? !out->before : !out->after)
			return crm_error_set(err, CRM_EINPUT,
					     "%s:%lu: field '%s': a '%c' event needs the row as an object", ev->path,
					     ev->line_no, out->op == 'd' ? "before" : "after", out->op);
		return 1;
	}
	return rc;
}

struct crm_field *crm_events_record(const json_t *row, char *const *columns, size_t count, struct crm_arena *arena,
				    const char **missing)
{
	struct crm_field *fields = crm_arena_alloc(arena, (count ? count : 1) * sizeof(*fields));
	size_t i;

	*missing = NULL;
	if (!fields)
		return NULL;
	for (i = 0; i < count; i++) {
		const json_t *v = json_object_get(row, columns[i]);
		if (!v) {
			*missing = columns[i];
			return NULL;
		}
		fields[i].ptr = crm_json_value_text(v, &fields[i].len, arena);
		if (!fields[i].ptr)
			return NULL;
	}
	return fields;
}
