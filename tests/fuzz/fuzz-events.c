/*
 * fuzz-events.c: the change-event stream sync --events reads (Debezium
 * envelopes, one JSON object a line), and each event's row read as a record
 * of an export with a few columns.
 */
#include "fuzz.h"

#include "io/events.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char col_id[] = "Id", col_name[] = "LastName", col_mail[] = "Email";
	char *const columns[] = {col_id, col_name, col_mail};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_events *events;
	struct crm_event ev;
	struct crm_arena arena;
	int n = 0;

	events = crm_events_open(fuzz_write(0, "events.jsonl", data, size), &err);
	if (!events)
		return 0;
	crm_arena_init(&arena, 4096);
	while (crm_events_next(events, &ev, &err) > 0 && n++ < 100000) {
		const char *missing;
		crm_events_record(ev.doc, ev.after, columns, 3, &arena, &missing);
		crm_events_record(ev.doc, ev.before, columns, 3, &arena, &missing);
		crm_arena_reset(&arena);
	}
	crm_arena_release(&arena);
	crm_events_close(events);
	return 0;
}
