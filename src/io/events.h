/*
 * events.h: a change-event stream in Debezium's JSON envelope, one event
 * per line: {"op": "c"|"u"|"d"|"r", "before": {...}, "after": {...},
 * "source": {"table": ..., "ts_ms": ...}}, bare or wrapped in
 * {"schema": ..., "payload": {...}} as the JSON converter writes it with
 * schemas enabled. The reader checks each line's shape and names the line
 * when it is wrong; what the rows mean is the loader's business.
 *
 * Not for: deciding which object a table is, or applying an event.
 */
#ifndef CRM_EVENTS_H
#define CRM_EVENTS_H

#include "compat.h"
#include "io/csv.h"
#include "io/jsondoc.h"
#include "util/arena.h"
#include "util/error.h"

struct crm_event {
	unsigned long line;
	char op;		    /* 'c' create, 'u' update, 'd' delete, 'r' snapshot read */
	int64_t ts_ms;		    /* source.ts_ms: when the change was made in the source */
	const char *table;	    /* source.table */
	const struct crm_jdoc *doc; /* the event, parsed */
	size_t before;		    /* the rows' nodes in doc; 0 when absent or null */
	size_t after;
};

struct crm_events;

/* Opens a stream file; NULL with err set. */
struct crm_events *crm_events_open(const char *path, struct crm_error *err);
/*
 * The next event (valid until the next call): 1, 0 at the end, or a
 * negative code with err naming file:line and what is wrong. ev is zeroed
 * first: at the end it is all zero, on an error it holds no more than was
 * read.
 */
int crm_events_next(struct crm_events *events, struct crm_event *ev, struct crm_error *err);
void crm_events_close(struct crm_events *events);

/*
 * An event row (the object at node row of doc) as a record of an export
 * with these columns: each value as text in NFC (strings as they are,
 * numbers in decimal, booleans as true/false, null as empty), in arena.
 * Keys the columns do not name are left out, as unmapped export columns
 * are. Returns NULL and sets *missing to the first column the row lacks
 * (the event cannot stand for a record), or NULL with *missing NULL when
 * out of memory.
 */
struct crm_field *crm_events_record(const struct crm_jdoc *doc, size_t row, char *const *columns, size_t count,
				    struct crm_arena *arena, const char **missing);

#endif
