/*
 * events.c: line by line with getline; each line parsed whole by jansson,
 * which also rejects invalid UTF-8.
 */
#include "compat.h"
#include "io/events.h"
#include "io/json.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct crm_events {
	FILE *in;
	char *path;
	char *line;
	size_t cap;
	unsigned long line_no;
	json_t *doc;
};

struct crm_events *crm_events_open(const char *path, struct crm_error *err)
{
	struct crm_events *ev = crm_calloc(1, sizeof(*ev));

	if (!ev || !(ev->path = crm_strdup(path))) {
		crm_free(ev);
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
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
	free(ev->line);
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
	ssize_t len;

	json_decref(ev->doc);
	ev->doc = NULL;
	while ((len = getline(&ev->line, &ev->cap, ev->in)) >= 0) {
		json_error_t jerr;
		const json_t *env, *source, *op, *ts, *table;
		ev->line_no++;
		while (len && (ev->line[len - 1] == '\n' || ev->line[len - 1] == '\r' || ev->line[len - 1] == ' '))
			ev->line[--len] = '\0';
		if (!len)
			continue;
		ev->doc = json_loadb(ev->line, (size_t)len, 0, &jerr);
		if (!ev->doc)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu:%d: not a JSON event: %s", ev->path, ev->line_no,
					     jerr.column, jerr.text);
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
	if (ferror(ev->in))
		return crm_error_set(err, CRM_EIO, "cannot read '%s': %s", ev->path, strerror(errno));
	return 0;
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
