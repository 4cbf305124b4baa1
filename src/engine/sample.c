/*
 * sample.c: picking and closing the sample. Objects are read in reverse load
 * order, so every child has added its parents' ids before the parents'
 * file is read; a self-referencing object is re-read until its set stops
 * growing (one read per level of its hierarchy).
 */
#include "compat.h"
#include "engine/sample.h"
#include "io/reader.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/arena.h"

#include <string.h>

int crm_sample_has(const struct crm_sample *sample, size_t object_index, const char *object, const char *id,
		   size_t id_len)
{
	uint64_t h = crm_hash_bytes(object, strlen(object)) ^ crm_hash_bytes(id, id_len);

	if ((double)(h % 1000000u) < sample->pct * 10000.0)
		return 1;
	return crm_strmap_get(&sample->needed[object_index], id, id_len) != NULL;
}

void crm_sample_release(struct crm_sample *sample)
{
	size_t i;

	for (i = 0; i < sample->count; i++)
		crm_strmap_release(&sample->needed[i]);
	crm_free(sample->needed);
	memset(sample, 0, sizeof(*sample));
}

/* One read of an object's export; *grew is set when its own set gained ids. */
static int read_object(struct crm_sample *sample, struct crm_project *p, size_t index, int *grew, struct crm_error *err)
{
	struct crm_project_object *o = &p->objects[index];
	struct crm_reader *r = crm_project_reader_open(o, err);
	struct crm_program_result res;
	struct crm_record rec;
	struct crm_arena arena;
	int rc;

	if (!r)
		return err->code;
	if (crm_program_result_init(&res, o->prog, err)) {
		crm_reader_close(r);
		return err->code;
	}
	crm_arena_init(&arena, 64 * 1024);
	*grew = 0;
	while ((rc = crm_reader_next(r, &rec, err)) != CRM_READ_EOF) {
		const char *id;
		size_t id_len, f;
		if (rc < 0)
			goto out;
		if (rc == CRM_READ_BAD_RECORD || rec.index == 0) {
			err->code = 0;
			continue;
		}
		id = rec.fields[o->prog->id_col].ptr;
		id_len = rec.fields[o->prog->id_col].len;
		crm_text_trim(&id, &id_len);
		if (!id_len || !crm_sample_has(sample, index, o->cfg->name, id, id_len))
			continue;
		crm_arena_reset(&arena);
		if (crm_program_run(o->prog, &rec, &res, &arena, 0, err))
			goto out;
		for (f = 0; f < o->prog->field_count; f++) {
			const struct crm_field_program *field = &o->prog->fields[f];
			struct crm_project_object *parent;
			if (!field->ref_object || !res.values[f].len)
				continue;
			parent = crm_project_object(p, field->ref_object);
			rc = crm_strmap_put(&sample->needed[parent - p->objects], res.values[f].ptr, res.values[f].len,
					    0, NULL, NULL, err);
			if (rc < 0)
				goto out;
			if (rc == 1 && parent == o)
				*grew = 1;
		}
	}
	rc = 0;
out:
	crm_arena_release(&arena);
	crm_program_result_release(&res);
	crm_reader_close(r);
	return rc < 0 ? rc : 0;
}

int crm_sample_build(struct crm_sample *sample, struct crm_project *p, double pct, struct crm_error *err)
{
	size_t i;

	memset(sample, 0, sizeof(*sample));
	sample->pct = pct;
	sample->needed = crm_calloc(p->count ? p->count : 1, sizeof(*sample->needed));
	if (!sample->needed)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	sample->count = p->count;
	for (i = 0; i < p->count; i++)
		crm_strmap_init(&sample->needed[i]);
	for (i = p->count; i-- > 0;) {
		size_t index = p->order[i];
		int grew = 1;
		while (grew)
			if (read_object(sample, p, index, &grew, err)) {
				crm_sample_release(sample);
				return err->code;
			}
	}
	return 0;
}
