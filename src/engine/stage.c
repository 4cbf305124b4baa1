/*
 * stage.c: a producer thread and two batches used in turn. The producer
 * fills one batch while the loader works through the other; a batch is
 * handed over under the mutex and not touched by the producer again until
 * the loader asks for the next one.
 */
#include "compat.h"
#include "engine/stage.h"
#include "io/csv.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/arena.h"

#include <pthread.h>
#include <string.h>

#define STAGE_RECORDS 1024

struct stage {
	struct crm_arena arena;
	struct crm_stage_record records[STAGE_RECORDS];
	size_t count;
	uint64_t bytes_read;
	int last;	      /* no batch follows this one */
	struct crm_error err; /* why, when it is an error */
};

struct crm_stager {
	struct crm_project_object *o;
	struct crm_stage_options opt;
	struct crm_csv_reader *reader;
	struct crm_program_result res;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct stage stages[2];
	int full[2];
	int stop;
	int taken; /* the stage the loader holds, or -1 */
	int next;  /* the stage the loader takes next */
};

static const char *copy(struct crm_arena *arena, const char *ptr, size_t len)
{
	return len ? crm_arena_strndup(arena, ptr, len) : "";
}

/* Adds one record to the stage; returns 0, or -1 with st->err set. */
static int stage_record(struct crm_stager *s, struct stage *st, const struct crm_csv_record *rec, int bad,
			const struct crm_error *rec_err)
{
	const struct crm_program *prog = s->o->prog;
	struct crm_stage_record *out = &st->records[st->count];
	struct crm_value *values;
	struct crm_failure *failures;
	size_t f;

	memset(out, 0, sizeof(*out));
	out->line = rec->line;
	out->index = rec->index;
	if ((size_t)prog->id_col < rec->count) {
		const char *id = rec->fields[prog->id_col].ptr;
		size_t id_len = rec->fields[prog->id_col].len;
		if (!bad)
			crm_text_trim(&id, &id_len);
		out->id = copy(&st->arena, id, id_len);
		out->id_len = id_len;
	} else {
		out->id = "";
	}
	if (bad) {
		out->bad = 1;
		out->message = copy(&st->arena, rec_err->msg, strlen(rec_err->msg));
		if (!out->message || !out->id)
			return crm_error_set(&st->err, CRM_ENOMEM, "out of memory");
		st->count++;
		return 0;
	}
	if (!out->id)
		return crm_error_set(&st->err, CRM_ENOMEM, "out of memory");
	if (out->id_len) {
		if (crm_program_run(s->o->prog, rec, &s->res, &st->arena, s->opt.run_flags, &st->err))
			return -1;
		values = crm_arena_alloc(&st->arena, (prog->field_count ? prog->field_count : 1) * sizeof(*values));
		failures = crm_arena_alloc(&st->arena,
					   (s->res.failure_count ? s->res.failure_count : 1) * sizeof(*failures));
		if (!values || !failures)
			return crm_error_set(&st->err, CRM_ENOMEM, "out of memory");
		for (f = 0; f < prog->field_count; f++) {
			/* values may point into the reader's buffer, which the next record reuses */
			values[f].ptr = copy(&st->arena, s->res.values[f].ptr, s->res.values[f].len);
			values[f].len = s->res.values[f].len;
			values[f].id = 0;
			if (!values[f].ptr)
				return crm_error_set(&st->err, CRM_ENOMEM, "out of memory");
		}
		memcpy(failures, s->res.failures, s->res.failure_count * sizeof(*failures));
		out->values = values;
		out->failures = failures;
		out->failure_count = s->res.failure_count;
	}
	st->count++;
	return 0;
}

static int keep(const struct crm_stager *s, const struct crm_csv_record *rec)
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

/* Fills one stage; sets st->last at the end of the file or on an error. */
static void fill(struct crm_stager *s, struct stage *st)
{
	struct crm_csv_record rec;
	struct crm_arena scratch;

	crm_arena_reset(&st->arena);
	st->count = 0;
	crm_arena_init(&scratch, 16 * 1024);
	while (st->count < STAGE_RECORDS) {
		struct crm_error rec_err = CRM_ERROR_INIT;
		int rc = crm_csv_next(s->reader, &rec, &rec_err);
		if (rc < 0) {
			st->err = rec_err;
			st->last = 1;
			break;
		}
		if (rc == CRM_CSV_EOF) {
			st->last = 1;
			break;
		}
		if (rec.index == 0) {
			if (rc == CRM_CSV_BAD_RECORD) {
				/* a broken header: nothing can be mapped */
				st->err = rec_err;
				st->last = 1;
				break;
			}
			continue;
		}
		if ((int64_t)rec.index <= s->opt.skip) {
			/* committed before an interruption: only `unique` needs to see it again */
			if (rc == CRM_CSV_RECORD && (s->opt.run_flags & CRM_RUN_CHECK_UNIQUE) && keep(s, &rec)) {
				crm_arena_reset(&scratch);
				if (crm_program_run(s->o->prog, &rec, &s->res, &scratch, s->opt.run_flags, &st->err)) {
					st->last = 1;
					break;
				}
			}
			continue;
		}
		if (rc == CRM_CSV_BAD_RECORD) {
			if (s->opt.keep_bad && stage_record(s, st, &rec, 1, &rec_err)) {
				st->last = 1;
				break;
			}
			continue;
		}
		if (!keep(s, &rec))
			continue;
		if (stage_record(s, st, &rec, 0, NULL)) {
			st->last = 1;
			break;
		}
	}
	crm_arena_release(&scratch);
	st->bytes_read = crm_csv_bytes_read(s->reader);
}

static void *produce(void *arg)
{
	struct crm_stager *s = arg;
	int slot = 0;

	for (;;) {
		struct stage *st = &s->stages[slot];
		pthread_mutex_lock(&s->lock);
		while (s->full[slot] && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		pthread_mutex_unlock(&s->lock);
		fill(s, st);
		pthread_mutex_lock(&s->lock);
		s->full[slot] = 1;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		if (st->last)
			break;
		slot ^= 1;
	}
	return NULL;
}

struct crm_stager *crm_stager_start(struct crm_project_object *o, const struct crm_stage_options *opt,
				    struct crm_error *err)
{
	struct crm_stager *s = crm_calloc(1, sizeof(*s));

	if (!s) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	s->o = o;
	s->opt = *opt;
	s->taken = -1;
	crm_arena_init(&s->stages[0].arena, 256 * 1024);
	crm_arena_init(&s->stages[1].arena, 256 * 1024);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (crm_program_result_init(&s->res, o->prog, err))
		goto out_free;
	s->reader = crm_csv_open(o->path, o->encoding, o->cfg->delimiter, err);
	if (!s->reader)
		goto out_free;
	if (pthread_create(&s->thread, NULL, produce, s) != 0) {
		crm_error_set(err, CRM_EINTERNAL, "cannot start the reader thread");
		goto out_free;
	}
	s->started = 1;
	return s;
out_free:
	crm_stager_stop(s);
	return NULL;
}

int crm_stager_next(struct crm_stager *s, struct crm_stage_batch *batch, struct crm_error *err)
{
	struct stage *st;

	pthread_mutex_lock(&s->lock);
	if (s->taken >= 0) {
		/* the loader is done with the batch it held: the producer may refill it */
		struct stage *prev = &s->stages[s->taken];
		if (prev->last) {
			pthread_mutex_unlock(&s->lock);
			return prev->err.code ? crm_error_set(err, prev->err.code, "%s", prev->err.msg) : 0;
		}
		s->full[s->taken] = 0;
		s->taken = -1;
		pthread_cond_broadcast(&s->cond);
	}
	while (!s->full[s->next])
		pthread_cond_wait(&s->cond, &s->lock);
	s->taken = s->next;
	s->next ^= 1;
	pthread_mutex_unlock(&s->lock);
	st = &s->stages[s->taken];
	if (st->count == 0 && st->last)
		return st->err.code ? crm_error_set(err, st->err.code, "%s", st->err.msg) : 0;
	/* a last batch with records and an error: the records now, the error with the next call */
	batch->records = st->records;
	batch->count = st->count;
	batch->bytes_read = st->bytes_read;
	return 1;
}

void crm_stager_stop(struct crm_stager *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = 1;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	crm_csv_close(s->reader);
	crm_program_result_release(&s->res);
	crm_arena_release(&s->stages[0].arena);
	crm_arena_release(&s->stages[1].arena);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	crm_free(s);
}
