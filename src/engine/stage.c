/*
 * stage.c: one reader and several mappers, batches handed over in file order.
 *
 * Parsing is sequential (a quote can span lines), mapping is not: each
 * worker thread takes the reader, parses a batch and copies its records
 * into the batch's arena, gives the reader back and maps the batch while
 * the other worker parses the next one. Batches live in a ring of slots
 * numbered by sequence; the loader takes them in sequence order. A slot is
 * refilled only after the loader has handed it back.
 *
 * `unique` depends on file order, so with several workers each record's
 * `unique` checks are deferred (CRM_RUN_DEFER_UNIQUE) and completed by
 * crm_stager_next on the loader's thread, batch by batch, in order. When a
 * resumed run must replay committed records through `unique`, one worker
 * does it all in file order and nothing is deferred.
 */
#include "compat.h"
#include "engine/stage.h"
#include "io/events.h"
#include "io/reader.h"
#include "transform/sfid.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/arena.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define STAGE_RECORDS 1024
#define STAGE_WORKERS 2
#define STAGE_SLOTS   4 /* two mapping, one with the loader, one ready */

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_FULL, SLOT_TAKEN };

struct stage {
	struct crm_arena arena;
	struct crm_stage_record records[STAGE_RECORDS];
	/* each good record as read, its fields copied into arena; fields NULL for a bad one */
	struct crm_record raw[STAGE_RECORDS];
	/* per record, the `unique` checks its mapping left for the loader's thread */
	struct crm_deferred *deferred[STAGE_RECORDS];
	size_t deferred_count[STAGE_RECORDS];
	size_t count;
	uint64_t seq;
	uint64_t bytes_read;
	uint64_t skipped;
	enum slot_state state;
	int last;	      /* no batch follows this one */
	struct crm_error err; /* why, when it is an error */
};

struct worker {
	struct crm_stager *s;
	struct crm_program_result res;
	pthread_t thread;
	int started;
};

struct crm_stager {
	struct crm_project_object *o;
	struct crm_stage_options opt;
	unsigned run_flags;
	struct crm_reader *reader;
	pthread_mutex_t reader_lock; /* the reader, read_done and next_fill */
	int read_done;
	uint64_t next_fill;
	pthread_mutex_t lock; /* slot states, stop */
	pthread_cond_t cond;
	struct stage slots[STAGE_SLOTS];
	struct worker workers[STAGE_WORKERS];
	size_t worker_count;
	int stop;
	struct stage *taken; /* the slot the loader holds */
	uint64_t next_take;
	struct crm_program_result finish; /* the loader's side of deferred checks */
	/* format = salesforce: per export column, 1 for the id and the references, written as 18-character ids */
	unsigned char *sfid_cols;
	size_t sfid_count;
};

static const char *copy(struct crm_arena *arena, const char *ptr, size_t len)
{
	return len ? crm_arena_strndup(arena, ptr, len) : "";
}

static int oom(struct stage *st)
{
	return crm_error_set(&st->err, CRM_ENOMEM, "out of memory");
}

/* The record's id, trimmed unless the record is malformed, copied into the stage. */
static int stage_id(const struct crm_stager *s, struct stage *st, struct crm_stage_record *out,
		    const struct crm_record *rec, int bad)
{
	const char *id = "";
	size_t id_len = 0;

	if ((size_t)s->o->prog->id_col < rec->count) {
		id = rec->fields[s->o->prog->id_col].ptr;
		id_len = rec->fields[s->o->prog->id_col].len;
		if (!bad)
			crm_text_trim(&id, &id_len);
	}
	out->id = copy(&st->arena, id, id_len);
	out->id_len = id_len;
	return out->id ? 0 : oom(st);
}

/* Adds a malformed record, whole, to the stage. */
static int stage_bad(struct crm_stager *s, struct stage *st, const struct crm_record *rec,
		     const struct crm_error *rec_err)
{
	struct crm_stage_record *out = &st->records[st->count];

	memset(out, 0, sizeof(*out));
	out->line = rec->line;
	out->index = rec->index;
	out->bad = 1;
	st->raw[st->count].fields = NULL;
	if (stage_id(s, st, out, rec, 1))
		return -1;
	out->message = copy(&st->arena, rec_err->msg, strlen(rec_err->msg));
	if (!out->message)
		return oom(st);
	st->count++;
	return 0;
}

static int flag_set(const char *v, size_t len)
{
	static const char *const yes[] = {"true", "1", "yes", "y", "t"};
	size_t i;

	crm_text_trim(&v, &len);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strlen(yes[i]) == len && strncasecmp(v, yes[i], len) == 0)
			return 1;
	return 0;
}

/* A raw record's [object] deleted flag into out->deleted, and its modified value as UTC into when ("" when absent). */
static void sync_columns(const struct crm_project_object *o, const struct crm_tz *tz, const struct crm_record *rec,
			 struct crm_stage_record *out, char when[CRM_DT_MAX])
{
	when[0] = '\0';
	if (o->deleted_col >= 0 && (size_t)o->deleted_col < rec->count)
		out->deleted = flag_set(rec->fields[o->deleted_col].ptr, rec->fields[o->deleted_col].len);
	if (o->modified_col >= 0 && (size_t)o->modified_col < rec->count && tz) {
		char reason[8];
		const char *v = rec->fields[o->modified_col].ptr;
		size_t len = rec->fields[o->modified_col].len;
		crm_text_trim(&v, &len);
		if (!len || crm_datetime_normalize(v, len, tz, when, reason, sizeof(reason)))
			when[0] = '\0';
	}
}

size_t crm_stage_event_object(const struct crm_project *p, const char *table)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (strcasecmp(p->objects[p->order[i]].cfg->name, table) == 0 ||
		    strcasecmp(p->objects[p->order[i]].cfg->target, table) == 0)
			return i;
	return p->count;
}

int crm_stage_event_id(const struct crm_project_object *o, const struct crm_event *ev, struct crm_arena *arena,
		       const char **id, size_t *len, struct crm_error *err)
{
	const char *missing;
	/* a delete's is in 'before' (a source logging only the key there is common) */
	const struct crm_field *key = crm_events_record(ev->doc, ev->op == 'd' ? ev->before : ev->after,
							&o->columns[o->prog->id_col], 1, arena, &missing);

	if (!key && !missing)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	*id = key ? key->ptr : "";
	*len = key ? key->len : 0;
	crm_text_trim(id, len);
	return 0;
}

int crm_stage_event(const struct crm_project_object *o, const struct crm_tz *tz, const struct crm_event *ev,
		    const char *path, struct crm_arena *arena, struct crm_record *raw, struct crm_stage_record *rec,
		    struct crm_error *err)
{
	const char *missing;
	char when[CRM_DT_MAX];

	memset(raw, 0, sizeof(*raw));
	memset(rec, 0, sizeof(*rec));
	raw->line = raw->end_line = rec->line = ev->line;
	raw->count = o->column_count;
	rec->id = "";
	if (ev->op == 'd') {
		rec->deleted = 1;
		return crm_stage_event_id(o, ev, arena, &rec->id, &rec->id_len, err);
	}
	raw->fields = crm_events_record(ev->doc, ev->after, o->columns, o->column_count, arena, &missing);
	if (!raw->fields && !missing)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!raw->fields) {
		/* the row does not hold what the export has: reported whole, as a malformed record is */
		char message[320];
		snprintf(message, sizeof(message), "%s:%lu: the event's 'after' row has no column '%.64s'", path,
			 ev->line, missing);
		rec->bad = 1;
		rec->message = crm_arena_strndup(arena, message, strlen(message));
		return rec->message ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	rec->id = raw->fields[o->prog->id_col].ptr;
	rec->id_len = raw->fields[o->prog->id_col].len;
	crm_text_trim(&rec->id, &rec->id_len);
	sync_columns(o, tz, raw, rec, when);
	if (when[0] && !(rec->modified = crm_arena_strndup(arena, when, strlen(when))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

/* Copies a good record's fields into the stage, to be mapped once the reader is released. */
static int stage_raw(struct crm_stager *s, struct stage *st, const struct crm_record *rec)
{
	struct crm_stage_record *out = &st->records[st->count];
	struct crm_record *raw = &st->raw[st->count];
	struct crm_field *fields;
	char when[CRM_DT_MAX];
	size_t f;

	memset(out, 0, sizeof(*out));
	out->line = rec->line;
	out->index = rec->index;
	sync_columns(s->o, s->opt.tz, rec, out, when);
	if (when[0] && s->opt.watermark && crm_dt_compare(when, s->opt.watermark) < 0) {
		st->skipped++; /* applied by an earlier sync */
		return 0;
	}
	if (when[0] && !(out->modified = copy(&st->arena, when, strlen(when))))
		return oom(st);
	fields = crm_arena_alloc(&st->arena, (rec->count ? rec->count : 1) * sizeof(*fields));
	if (!fields)
		return oom(st);
	for (f = 0; f < rec->count; f++) {
		char id18[CRM_SFID_LEN + 1];
		const char *v = rec->fields[f].ptr;
		size_t len = rec->fields[f].len;
		if (f < s->sfid_count && s->sfid_cols[f]) {
			/* one record, one id: a 15-character id is the same record as its 18-character form */
			crm_text_trim(&v, &len);
			if (crm_sfid_normalize(v, len, id18, NULL, 0) == 0) {
				v = id18;
				len = CRM_SFID_LEN;
			} else {
				v = rec->fields[f].ptr; /* not an id as Salesforce writes them: kept as it is */
				len = rec->fields[f].len;
			}
		}
		fields[f].ptr = copy(&st->arena, v, len);
		fields[f].len = len;
		if (!fields[f].ptr)
			return oom(st);
	}
	*raw = *rec;
	raw->fields = fields;
	if (stage_id(s, st, out, raw, 0))
		return -1;
	st->count++;
	return 0;
}

static int keep(const struct crm_stager *s, const struct crm_record *rec)
{
	const char *id;
	size_t id_len;

	if (!s->opt.keep)
		return 1;
	id = rec->fields[s->o->prog->id_col].ptr;
	id_len = rec->fields[s->o->prog->id_col].len;
	crm_text_trim(&id, &id_len);
	return s->opt.keep(s->opt.keep_ctx, s->o, id, id_len);
}

/* Parses one batch into st (the caller holds the reader); sets last at the end of the file or on an error. */
static void read_batch(struct crm_stager *s, struct worker *w, struct stage *st)
{
	struct crm_record rec;
	struct crm_arena scratch;

	crm_arena_init(&scratch, 16 * 1024);
	while (st->count < STAGE_RECORDS) {
		struct crm_error rec_err = CRM_ERROR_INIT;
		int rc = crm_reader_next(s->reader, &rec, &rec_err);
		if (rc < 0 || (rc == CRM_READ_BAD_RECORD && rec.index == 0)) {
			st->err = rec_err; /* a broken file or header: nothing more can be read */
			st->last = 1;
			break;
		}
		if (rc == CRM_READ_EOF) {
			st->last = 1;
			break;
		}
		if (rec.index == 0)
			continue;
		if (s->opt.sample)
			crm_record_sample_offer(s->opt.sample, &rec, rc == CRM_READ_RECORD);
		if ((int64_t)rec.index <= s->opt.skip) {
			/* committed before an interruption: only `unique` needs to see it again (one worker, in order) */
			if (rc == CRM_READ_RECORD && (s->run_flags & CRM_RUN_CHECK_UNIQUE) && keep(s, &rec)) {
				crm_arena_reset(&scratch);
				if (crm_program_run(s->o->prog, &rec, &w->res, &scratch, s->run_flags, &st->err)) {
					st->last = 1;
					break;
				}
			}
			continue;
		}
		if (rc == CRM_READ_BAD_RECORD) {
			if (s->opt.keep_bad && stage_bad(s, st, &rec, &rec_err)) {
				st->last = 1;
				break;
			}
			continue;
		}
		if (keep(s, &rec) && stage_raw(s, st, &rec)) {
			st->last = 1;
			break;
		}
	}
	crm_arena_release(&scratch);
	st->bytes_read = crm_reader_bytes_read(s->reader);
}

struct crm_id_hash crm_stage_key(const struct crm_id_hash *taken, const char *ptr, size_t len)
{
	return taken && (taken->low || taken->high) ? *taken : crm_xref_cache_hash(ptr, len);
}

/* The keys of the record's id and filled references in the id caches (stage.h); -1 when out of memory. */
static int hash_keys(const struct crm_stager *s, struct crm_stage_record *out, struct crm_arena *arena)
{
	const struct crm_program *prog = s->o->prog;
	struct crm_id_hash *refs = NULL;
	size_t f;

	out->id_hash = crm_xref_cache_hash(out->id, out->id_len);
	for (f = 0; f < prog->field_count; f++) {
		if (!prog->fields[f].ref_object || !out->values[f].len)
			continue;
		if (!refs) {
			if (!(refs = crm_arena_alloc(arena, prog->field_count * sizeof(*refs))))
				return -1;
			memset(refs, 0, prog->field_count * sizeof(*refs));
			out->ref_hashes = refs;
		}
		refs[f] = crm_xref_cache_hash(out->values[f].ptr, out->values[f].len);
	}
	return 0;
}

/* Maps the good records of st; values point into its arena, where their raw copies are. */
static int map_batch(struct crm_stager *s, struct worker *w, struct stage *st)
{
	const struct crm_program *prog = s->o->prog;
	size_t i, n = prog->field_count ? prog->field_count : 1;

	for (i = 0; i < st->count; i++) {
		struct crm_stage_record *out = &st->records[i];
		struct crm_value *values;
		struct crm_failure *failures;
		st->deferred_count[i] = 0;
		if (out->bad || !out->id_len)
			continue;
		if (crm_program_run(s->o->prog, &st->raw[i], &w->res, &st->arena, s->run_flags, &st->err))
			return -1;
		values = crm_arena_alloc(&st->arena, n * sizeof(*values));
		failures = crm_arena_alloc(&st->arena,
					   (w->res.failure_count ? w->res.failure_count : 1) * sizeof(*failures));
		if (!values || !failures)
			return oom(st);
		memcpy(values, w->res.values, prog->field_count * sizeof(*values));
		memcpy(failures, w->res.failures, w->res.failure_count * sizeof(*failures));
		out->values = values;
		out->failures = failures;
		out->failure_count = w->res.failure_count;
		if (hash_keys(s, out, &st->arena))
			return oom(st);
		out->blanked_count = w->res.blanked_count;
		if (w->res.blanked_count) {
			struct crm_failure *blanked =
				crm_arena_alloc(&st->arena, w->res.blanked_count * sizeof(*blanked));
			if (!blanked)
				return oom(st);
			memcpy(blanked, w->res.blanked, w->res.blanked_count * sizeof(*blanked));
			out->blanked = blanked;
		}
		out->owner_count = w->res.owner_count;
		if (w->res.owner_count) {
			struct crm_owner_note *owners =
				crm_arena_alloc(&st->arena, w->res.owner_count * sizeof(*owners));
			if (!owners)
				return oom(st);
			memcpy(owners, w->res.owners, w->res.owner_count * sizeof(*owners));
			out->owners = owners;
		}
		if (w->res.deferred_count) {
			st->deferred[i] = crm_arena_alloc(&st->arena, w->res.deferred_count * sizeof(*st->deferred[i]));
			if (!st->deferred[i])
				return oom(st);
			memcpy(st->deferred[i], w->res.deferred, w->res.deferred_count * sizeof(*st->deferred[i]));
			st->deferred_count[i] = w->res.deferred_count;
		}
	}
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct crm_stager *s = w->s;

	for (;;) {
		struct stage *st;
		uint64_t seq;
		pthread_mutex_lock(&s->reader_lock);
		if (s->read_done) {
			pthread_mutex_unlock(&s->reader_lock);
			break;
		}
		seq = s->next_fill++;
		st = &s->slots[seq % STAGE_SLOTS];
		/* slots are reused in sequence order: this one is free once the loader gave back seq - SLOTS */
		pthread_mutex_lock(&s->lock);
		while (st->state != SLOT_FREE && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			s->read_done = 1;
			pthread_mutex_unlock(&s->reader_lock);
			break;
		}
		st->state = SLOT_FILLING;
		pthread_mutex_unlock(&s->lock);
		crm_arena_reset(&st->arena);
		st->count = 0;
		st->skipped = 0;
		st->seq = seq;
		read_batch(s, w, st);
		if (st->last)
			s->read_done = 1;
		pthread_mutex_unlock(&s->reader_lock);
		/* the records read before an error are mapped too: they come before it */
		if (map_batch(s, w, st))
			st->last = 1;
		pthread_mutex_lock(&s->lock);
		st->state = SLOT_FULL;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

struct crm_value crm_stage_owner(const struct crm_stage_record *rec, const struct crm_owner_note *note)
{
	struct crm_value owner = {"", 0, 0};
	size_t i;

	for (i = 0; i < rec->failure_count; i++)
		if (rec->failures[i].field == note->field)
			return owner;
	if (rec->values[note->field].ptr)
		owner = rec->values[note->field];
	return owner;
}

/* The columns that hold Salesforce ids: the record's own and those ref() reads. */
static int mark_sfid_columns(struct crm_stager *s, struct crm_error *err)
{
	const struct crm_program *prog = s->o->prog;
	size_t f;

	s->sfid_count = s->o->column_count;
	s->sfid_cols = crm_calloc(s->sfid_count ? s->sfid_count : 1, 1);
	if (!s->sfid_cols)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (prog->id_col >= 0 && (size_t)prog->id_col < s->sfid_count)
		s->sfid_cols[prog->id_col] = 1;
	for (f = 0; f < prog->field_count; f++)
		if (prog->fields[f].ref_object && prog->fields[f].source_col >= 0 &&
		    (size_t)prog->fields[f].source_col < s->sfid_count)
			s->sfid_cols[prog->fields[f].source_col] = 1;
	return 0;
}

struct crm_stager *crm_stager_start(struct crm_project_object *o, const struct crm_stage_options *opt,
				    struct crm_error *err)
{
	struct crm_stager *s = crm_calloc(1, sizeof(*s));
	size_t i;

	if (!s) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	s->o = o;
	s->opt = *opt;
	s->run_flags = opt->run_flags;
	/* replaying committed records through `unique` needs file order: one worker then */
	s->worker_count = opt->skip > 0 && (opt->run_flags & CRM_RUN_CHECK_UNIQUE) ? 1 : STAGE_WORKERS;
	if (s->worker_count > 1)
		s->run_flags |= CRM_RUN_DEFER_UNIQUE;
	for (i = 0; i < STAGE_SLOTS; i++)
		crm_arena_init(&s->slots[i].arena, 256 * 1024);
	pthread_mutex_init(&s->reader_lock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (crm_program_result_init(&s->finish, o->prog, err))
		goto out_free;
	for (i = 0; i < s->worker_count; i++)
		if (crm_program_result_init(&s->workers[i].res, o->prog, err))
			goto out_free;
	if (!strcmp(o->cfg->format, "salesforce") && mark_sfid_columns(s, err))
		goto out_free;
	s->reader = crm_project_reader_open(o, err);
	if (!s->reader)
		goto out_free;
	for (i = 0; i < s->worker_count; i++) {
		s->workers[i].s = s;
		if (pthread_create(&s->workers[i].thread, NULL, work, &s->workers[i]) != 0) {
			crm_error_set(err, CRM_EINTERNAL, "cannot start the reader threads");
			goto out_free;
		}
		s->workers[i].started = 1;
	}
	return s;
out_free:
	crm_stager_stop(s);
	return NULL;
}

/* The loader's part of mapping: the deferred `unique` checks of a batch, in file order. */
static int finish_batch(struct crm_stager *s, struct stage *st)
{
	size_t i;

	for (i = 0; i < st->count; i++) {
		struct crm_stage_record *out = &st->records[i];
		struct crm_failure *failures;
		size_t n = 0, j = 0, k = 0;
		if (!st->deferred_count[i])
			continue;
		if (crm_program_finish(s->o->prog, &st->raw[i], out->values, st->deferred[i], st->deferred_count[i],
				       &s->finish, &st->arena, &st->err))
			return -1;
		if (!s->finish.failure_count)
			continue;
		/* merged in field order, as a run on one thread lists them */
		failures =
			crm_arena_alloc(&st->arena, (out->failure_count + s->finish.failure_count) * sizeof(*failures));
		if (!failures)
			return oom(st);
		while (j < out->failure_count || k < s->finish.failure_count) {
			int from_run =
				k == s->finish.failure_count ||
				(j < out->failure_count && out->failures[j].field <= s->finish.failures[k].field);
			failures[n++] = from_run ? out->failures[j++] : s->finish.failures[k++];
		}
		out->failures = failures;
		out->failure_count = n;
	}
	return 0;
}

int crm_stager_next(struct crm_stager *s, struct crm_stage_batch *batch, struct crm_error *err)
{
	struct stage *st;

	pthread_mutex_lock(&s->lock);
	if (s->taken) {
		/* the loader is done with the batch it held: a worker may refill the slot */
		if (s->taken->last) {
			pthread_mutex_unlock(&s->lock);
			return s->taken->err.code ? crm_error_set(err, s->taken->err.code, "%s", s->taken->err.msg) : 0;
		}
		s->taken->state = SLOT_FREE;
		s->taken = NULL;
		pthread_cond_broadcast(&s->cond);
	}
	st = &s->slots[s->next_take % STAGE_SLOTS];
	while (!(st->state == SLOT_FULL && st->seq == s->next_take))
		pthread_cond_wait(&s->cond, &s->lock);
	st->state = SLOT_TAKEN;
	s->taken = st;
	s->next_take++;
	pthread_mutex_unlock(&s->lock);
	if ((s->run_flags & CRM_RUN_DEFER_UNIQUE) && finish_batch(s, st)) {
		st->last = 1; /* its records are not all checked: none is handed over */
		return crm_error_set(err, st->err.code, "%s", st->err.msg);
	}
	if (st->count == 0 && st->skipped == 0 && st->last)
		return st->err.code ? crm_error_set(err, st->err.code, "%s", st->err.msg) : 0;
	/* a last batch with records and an error: the records now, the error with the next call */
	batch->records = st->records;
	batch->count = st->count;
	batch->bytes_read = st->bytes_read;
	batch->skipped = st->skipped;
	return 1;
}

void crm_stager_stop(struct crm_stager *s)
{
	size_t i;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->worker_count; i++)
		if (s->workers[i].started)
			pthread_join(s->workers[i].thread, NULL);
	crm_reader_close(s->reader);
	for (i = 0; i < s->worker_count; i++)
		crm_program_result_release(&s->workers[i].res);
	crm_program_result_release(&s->finish);
	for (i = 0; i < STAGE_SLOTS; i++)
		crm_arena_release(&s->slots[i].arena);
	pthread_mutex_destroy(&s->reader_lock);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	crm_free(s->sfid_cols);
	crm_free(s);
}
