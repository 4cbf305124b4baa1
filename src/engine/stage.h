/*
 * stage.h: reading and mapping an object's export on a second thread. The
 * stager parses records and runs the object's compiled program; it hands
 * the loader batches of mapped records (values and failures copied out of
 * the reader's buffer), so that parsing and mapping one batch overlaps with
 * writing the previous one. Everything that touches the target, the state
 * database, the cross-reference or the reports stays on the loader's thread;
 * the stager only reads the export and runs the program (whose `unique`
 * sets it alone then uses).
 *
 * Not for: deciding what a record becomes in the target. That is the
 * loader's (migrate.c).
 */
#ifndef CRM_STAGE_H
#define CRM_STAGE_H

#include "compat.h"
#include "engine/project.h"
#include "engine/source.h"
#include "state/xrefcache.h"
#include "transform/datetime.h"

struct crm_stage_record {
	unsigned long line;
	uint64_t index;
	int bad; /* malformed: message holds the reader's file:line:column reason */
	const char *message;
	const char *id; /* trimmed; length 0 when the record has no id */
	size_t id_len;
	const struct crm_value *values; /* prog->field_count of them (NULL for a bad record) */
	const struct crm_failure *failures;
	size_t failure_count;
	const struct crm_failure *blanked; /* on_invalid(blank): fields left empty, the record kept */
	size_t blanked_count;
	const struct crm_owner_note *owners; /* owner(): each one's source user and why its owner */
	size_t owner_count;
	int deleted;	      /* [object] deleted: the flag is set */
	const char *modified; /* [object] modified as a UTC date-time; NULL when absent or unreadable */
	/*
	 * Taken on the mapping thread, so that the loader's lookups of the id
	 * caches need not hash: the id's key, and per field the key of a
	 * filled reference's value (zero for the others). Zero and NULL when
	 * not taken (records of events): the loader hashes them itself.
	 */
	struct crm_id_hash id_hash;
	const struct crm_id_hash *ref_hashes;
};

/*
 * The key the stager took (taken: NULL, or zero when it took none), else
 * the key of ptr/len hashed now: a record's id or a reference's value.
 */
struct crm_id_hash crm_stage_key(const struct crm_id_hash *taken, const char *ptr, size_t len);

/* The target owner an owner() note of rec gave: the field's value, empty when the field failed. */
struct crm_value crm_stage_owner(const struct crm_stage_record *rec, const struct crm_owner_note *note);

struct crm_stage_batch {
	const struct crm_stage_record *records;
	size_t count;
	uint64_t bytes_read; /* of the export, for progress */
	uint64_t skipped;    /* records left out since the last batch: modified before the watermark */
};

/* Which records to stage: the loader's sample test (NULL keeps every record). */
typedef int (*crm_stage_keep_fn)(void *ctx, const struct crm_project_object *o, const char *id, size_t id_len);

struct crm_stage_options {
	int64_t skip;	    /* records already committed: re-read only to restore `unique` */
	unsigned run_flags; /* crm_program_run flags (CRM_RUN_CHECK_UNIQUE in pass 1) */
	int keep_bad;	    /* stage malformed records (pass 1) or drop them (pass 2) */
	crm_stage_keep_fn keep;
	void *keep_ctx;
	const struct crm_tz *tz;	  /* reads [object] modified values written without a zone */
	const char *watermark;		  /* sync: leave out records modified before it (NULL keeps them) */
	struct crm_record_sample *sample; /* offered every record read, in file order (NULL: none) */
};

struct crm_stager;

/* Opens the export and starts the thread. NULL with err set on failure. */
struct crm_stager *crm_stager_start(struct crm_project_object *o, const struct crm_stage_options *opt,
				    struct crm_error *err);
/*
 * The next batch (valid until the next call or crm_stager_stop). Returns 1
 * with a batch, 0 at the end of the export, or a negative error code (a
 * broken file, out of memory) after the batches read before it.
 */
int crm_stager_next(struct crm_stager *stager, struct crm_stage_batch *batch, struct crm_error *err);
/* Stops the thread (if still running) and frees everything; accepts NULL. */
void crm_stager_stop(struct crm_stager *stager);

struct crm_event;

/*
 * Which object a change event's source.table names: its position in load
 * order (p->order) of the first object whose name or target table is
 * table, any case; p->count when none.
 */
size_t crm_stage_event_object(const struct crm_project *p, const char *table);

/*
 * A change event (sync --events) as a record of object o, as a stager
 * would give it: the key trimmed; a delete ('d') has the key alone, from
 * 'before'; else raw holds the 'after' row's fields in o's columns (for
 * crm_program_run), rec the [object] deleted flag and modified value as
 * UTC (tz reads values without a zone; NULL leaves modified unset). An
 * 'after' row lacking one of o's columns gives rec->bad with a message
 * naming path:line. Everything lives in arena. Returns 0 or CRM_ENOMEM.
 */
int crm_stage_event(const struct crm_project_object *o, const struct crm_tz *tz, const struct crm_event *ev,
		    const char *path, struct crm_arena *arena, struct crm_record *raw, struct crm_stage_record *rec,
		    struct crm_error *err);
/*
 * The source id alone of a change event for object o, trimmed, as
 * crm_stage_event finds it (from 'before' for a delete, else 'after'):
 * into *id (in arena) and *len, "" when the row lacks it. 0 or CRM_ENOMEM.
 */
int crm_stage_event_id(const struct crm_project_object *o, const struct crm_event *ev, struct crm_arena *arena,
		       const char **id, size_t *len, struct crm_error *err);

#endif
