/*
 * source.c: source snapshots (file facts in the state database), the
 * freeze check, and the record sample.
 */
#include "compat.h"
#include "engine/source.h"
#include "audit/seal.h"
#include "transform/datetime.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/limits.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* An absolute path without "", "." and ".." parts, in place, as if no folder on it were a link. */
static void lexical_normal(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		char *part;
		size_t len;
		while (*in == '/')
			in++;
		part = in;
		while (*in && *in != '/')
			in++;
		len = (size_t)(in - part);
		if (len == 0 || (len == 1 && part[0] == '.'))
			continue;
		if (len == 2 && part[0] == '.' && part[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, part, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/*
 * The file path leads to, when a symbolic link (the file's or a folder's)
 * takes it elsewhere: an export is followed where its link points, and the
 * snapshot names where that was. "" when path is the file itself.
 */
static int resolve_link(const char *path, char *out, size_t cap, struct crm_error *err)
{
	char real[PATH_MAX], lexical[PATH_MAX];

	out[0] = '\0';
	if (!realpath(path, real))
		return crm_error_set(err, CRM_EINPUT, "%s: %s", path, strerror(errno));
	if (path[0] == '/')
		snprintf(lexical, sizeof(lexical), "%s", path);
	else if (!getcwd(lexical, sizeof(lexical)) ||
		 crm_path_format(lexical + strlen(lexical), sizeof(lexical) - strlen(lexical), err, "/%s", path))
		return err->code ? err->code : crm_error_set(err, CRM_EIO, "cannot name the working folder");
	/* the same file named with ./, // or ../ is not a link */
	lexical_normal(lexical);
	if (strcmp(real, lexical) == 0)
		return 0;
	return crm_path_format(out, cap, err, "%s", real);
}

int crm_source_describe(const char *dir, const char *object, const char *path, int forced, struct crm_source_file *f,
			struct crm_error *err)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (stat(path, &st) != 0)
		return crm_error_set(err, CRM_EINPUT, "%s: %s", path, strerror(errno));
	if (crm_sha256_file(path, f->sha256, &f->size, err))
		return err->code;
	if (crm_path_format(f->object, sizeof(f->object), err, "%s", object) ||
	    crm_path_format(f->path, sizeof(f->path), err, "%s", crm_path_relative(dir, path)))
		return err->code;
	if (resolve_link(path, f->resolved, sizeof(f->resolved), err))
		return err->code;
	f->mtime_ns = mtime_ns(&st);
	f->forced = forced;
	crm_dt_now(NULL, f->taken_at);
	return 0;
}

int crm_source_take(struct crm_state *state, int64_t run, const char *dir, const char *object, const char *path,
		    int forced, struct crm_error *err)
{
	struct crm_source_file f;

	if (crm_source_describe(dir, object, path, forced, &f, err))
		return err->code;
	return crm_state_source_file_put(state, run, &f, err);
}

int crm_source_changed(const struct crm_source_file *f, const char *path, int by_content, char *reason, size_t cap,
		       struct crm_error *err)
{
	char sha[CRM_SHA256_HEX];
	struct stat st;
	uint64_t size;

	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
		snprintf(reason, cap, "it is gone");
		return 1;
	}
	if ((uint64_t)st.st_size != f->size) {
		snprintf(reason, cap, "size %llu bytes, was %llu", (unsigned long long)st.st_size,
			 (unsigned long long)f->size);
		return 1;
	}
	/* the same size and time: unchanged, unless the caller wants the content compared anyway */
	if (!by_content && mtime_ns(&st) == f->mtime_ns)
		return 0;
	if (crm_sha256_file(path, sha, &size, err))
		return err->code;
	if (strcmp(sha, f->sha256) != 0) {
		snprintf(reason, cap, "content changed: SHA-256 %.12s..., was %.12s...", sha, f->sha256);
		return 1;
	}
	return 0;
}

/* ---- the record sample ---- */

struct kept_record {
	unsigned long line;
	char *json; /* {"column": "value", ...} */
};

struct crm_record_sample {
	const struct crm_project_object *o;
	size_t capacity, count;
	struct kept_record *kept;
	uint64_t good;	 /* good records offered */
	int64_t records; /* every record read */
	uint64_t rng;	 /* xorshift64* state */
	/* per column: the field it feeds when its values are personal (shown masked), or NULL */
	const struct crm_field_program **personal;
};

struct crm_record_sample *crm_record_sample_new(const struct crm_project_object *o, size_t capacity, uint64_t seed,
						int mask_personal)
{
	struct crm_record_sample *s = crm_calloc(1, sizeof(*s));
	size_t f;

	if (!s)
		return NULL;
	s->kept = crm_calloc(capacity ? capacity : 1, sizeof(*s->kept));
	s->personal = mask_personal ? crm_calloc(o->column_count ? o->column_count : 1, sizeof(*s->personal)) : NULL;
	if (!s->kept || (mask_personal && !s->personal)) {
		crm_free(s->kept);
		crm_free(s->personal);
		crm_free(s);
		return NULL;
	}
	for (f = 0; s->personal && f < o->prog->field_count; f++) {
		const struct crm_field_program *field = &o->prog->fields[f];
		if ((field->pii || field->protect) && field->source_col >= 0 &&
		    (size_t)field->source_col < o->column_count)
			s->personal[field->source_col] = field;
	}
	s->o = o;
	s->capacity = capacity;
	/* seeded by the caller and the object, mixed (splitmix64's finalizer), never 0: xorshift's fixed point */
	s->rng = seed ^ crm_hash_bytes(o->cfg->name, strlen(o->cfg->name));
	s->rng = (s->rng ^ (s->rng >> 30)) * 0xbf58476d1ce4e5b9ULL;
	s->rng = (s->rng ^ (s->rng >> 27)) * 0x94d049bb133111ebULL;
	s->rng ^= s->rng >> 31;
	if (!s->rng)
		s->rng = 1;
	return s;
}

static uint64_t next_random(struct crm_record_sample *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

static char *record_json(const struct crm_record_sample *s, const struct crm_record *rec)
{
	const struct crm_project_object *o = s->o;
	json_t *obj = json_object();
	char *text = NULL, masked[CRM_MASKED_MAX];
	size_t f;

	if (!obj)
		return NULL;
	for (f = 0; f < rec->count && f < o->column_count; f++) {
		const struct crm_field_program *personal = s->personal ? s->personal[f] : NULL;
		json_t *v;
		if (personal && rec->fields[f].len) {
			crm_program_masked(personal, rec->fields[f].ptr, rec->fields[f].len, masked, sizeof(masked));
			v = json_string(masked);
		} else {
			/* invalid UTF-8 cannot be JSON text: such a record is not kept */
			v = json_stringn(rec->fields[f].len ? rec->fields[f].ptr : "", rec->fields[f].len);
		}
		if (!v || json_object_set_new(obj, o->columns[f], v))
			goto out;
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	json_decref(obj);
	return text;
}

void crm_record_sample_offer(struct crm_record_sample *s, const struct crm_record *rec, int good)
{
	size_t slot;
	char *json;

	s->records++;
	if (!good || !s->capacity)
		return;
	s->good++;
	if (s->count < s->capacity) {
		slot = s->count;
	} else {
		uint64_t j = next_random(s) % s->good;
		if (j >= s->capacity)
			return;
		slot = (size_t)j;
	}
	json = record_json(s, rec);
	if (!json)
		return; /* not valid UTF-8 (or out of memory): the sample is a sample without it */
	if (slot < s->count)
		free(s->kept[slot].json);
	else
		s->count++;
	s->kept[slot].line = rec->line;
	s->kept[slot].json = json;
}

int64_t crm_record_sample_records(const struct crm_record_sample *s)
{
	return s->records;
}

static int by_line(const void *a, const void *b)
{
	const struct kept_record *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

int crm_record_sample_write(const struct crm_record_sample *s, const char *path, const struct crm_key *seal_key,
			    struct crm_error *err)
{
	struct kept_record *order;
	struct crm_buf text;
	json_t *name;
	char *name_json;
	size_t i;

	order = crm_calloc(s->count ? s->count : 1, sizeof(*order));
	if (!order)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	memcpy(order, s->kept, s->count * sizeof(*order));
	qsort(order, s->count, sizeof(*order), by_line);
	/* the object's name as JSON text, once */
	name = json_string(s->o->cfg->name);
	name_json = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
	json_decref(name);
	/* built in memory (about 100 records): a sealed sample never touches the disk in plain text */
	crm_buf_init(&text, CRM_MAX_ROW_JSON);
	if (!name_json)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < s->count && !err->code; i++)
		crm_buf_addf(&text, err, "{\"object\":%s,\"line\":%lu,\"record\":%s}\n", name_json, order[i].line,
			     order[i].json);
	if (!err->code)
		crm_seal_save(path, text.ptr, text.len, seal_key, err);
	sodium_memzero(text.ptr, text.len);
	crm_buf_release(&text);
	free(name_json);
	crm_free(order);
	return err->code;
}

void crm_record_sample_free(struct crm_record_sample *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->count; i++)
		free(s->kept[i].json);
	crm_free(s->kept);
	crm_free(s->personal);
	crm_free(s);
}
