/*
 * dedupe.c: groups of records that are one person, by exact match rules on
 * folded target values, joined transitively (union-find). Keys are 128-bit
 * hashes of the folded values, so a false match needs a hash collision
 * (about 2^-64 at a billion keys); the keys of a rule are sorted and equal
 * neighbours joined, so the cost is a sort a rule, not a comparison a pair.
 */
#include "engine/dedupe.h"
#include "engine/stage.h"
#include "io/csv.h"
#include "transform/datetime.h"
#include "transform/phone.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define FOLD_CAP 1024 /* a folded value longer than this is cut: the keys are hashes of what is kept */

/* A rule's key of one record. */
struct keyed {
	XXH128_hash_t key;
	uint32_t record;
};

/* What survivor choice needs of a record, and where it is in the export. */
struct candidate {
	char *id;
	const char *modified; /* UTC ISO text (in the arena); NULL when the record has none */
	uint32_t filled;      /* fields with a value */
	uint32_t parent;      /* union-find */
	uint32_t rule;	      /* the first rule that joined it to another; UINT32_MAX: none */
	unsigned long line;
};

struct finder {
	const struct crm_dedupe_config *d;
	const struct crm_program *prog;
	long **fields; /* per rule: the program's field of each of its fields */
	int **phone;   /* per rule, per field: compared as telephone numbers */
	struct candidate *c;
	size_t count, cap;
	struct keyed **keys; /* per rule */
	size_t *key_count, *key_cap;
	struct crm_idcount ids; /* ids seen already, by hash: migrate loads an id's first record only */
	struct crm_buf key;	/* a rule's folded values, length-prefixed, before hashing */
	struct crm_arena arena; /* every record's id and date while the groups are found */
};

size_t crm_dedupe_fold(const char *in, size_t len, int phone, char *out, size_t cap)
{
	size_t o = 0, i;
	long n;

	crm_text_trim(&in, &len);
	out[0] = '\0';
	if (!len || cap < 2)
		return 0;
	if (phone) {
		char e164[CRM_PHONE_MAX], reason[128];
		/* a number that is not E.164 already and names no country: its digits, as written */
		if (crm_phone_e164(in, len, 0, e164, reason, sizeof(reason)) == 0) {
			snprintf(out, cap, "%s", e164);
			return strlen(out);
		}
		for (i = 0; i < len && o + 1 < cap; i++)
			if ((in[i] >= '0' && in[i] <= '9') || (in[i] == '+' && o == 0))
				out[o++] = in[i];
		out[o] = '\0';
		return o;
	}
	n = crm_text_fold_words(in, len, CRM_FOLD_COMPAT, " \t\n\r", out, cap);
	if (n >= 0)
		return (size_t)n;
	/* not UTF-8: the bytes, ASCII letters folded */
	for (i = 0; i < len && o + 1 < cap; i++)
		out[o++] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
	out[o] = '\0';
	return o;
}

/* A field compared as a telephone number: its column's name says phone (phone, mobile_phone). */
static int is_phone(const char *column)
{
	return strstr(column, "phone") != NULL;
}

int crm_dedupe_check(const struct crm_project *p, const struct crm_project_object *o, const struct crm_dedupe_config *d,
		     struct crm_error *err)
{
	size_t r, f;

	for (r = 0; r < d->rule_count; r++)
		for (f = 0; f < d->rules[r].count; f++)
			if (crm_program_field(o->prog, d->rules[r].fields[f]) < 0)
				return crm_error_set(err, CRM_EINPUT,
						     "%s:%lu: [dedupe \"%s\"] match rule '%s': '%s' is not a column "
						     "the mapping fills for %s (rules compare target fields)",
						     p->cfg.path, d->line, d->object, d->rules[r].text,
						     d->rules[r].fields[f], o->cfg->name);
	return 0;
}

static uint32_t find_root(struct candidate *c, uint32_t x)
{
	while (c[x].parent != x) {
		c[x].parent = c[c[x].parent].parent;
		x = c[x].parent;
	}
	return x;
}

/* Joins a and b: the root is the earlier record, so groups are stable whatever the order of the joins. */
static void join(struct candidate *c, uint32_t a, uint32_t b, uint32_t rule)
{
	uint32_t x = find_root(c, a), y = find_root(c, b);

	if (c[a].rule == UINT32_MAX)
		c[a].rule = rule;
	if (c[b].rule == UINT32_MAX)
		c[b].rule = rule;
	if (x == y)
		return;
	if (x < y)
		c[y].parent = x;
	else
		c[x].parent = y;
}

/* Each rule's key of a record that maps cleanly; a rule with a blank field does not key it. */
static int add_record(struct finder *fd, const struct crm_stage_record *rec, struct crm_error *err)
{
	uint32_t index = (uint32_t)fd->count;
	struct candidate *c;
	char folded[FOLD_CAP];
	size_t r, f;
	int64_t seen;

	if (rec->bad || !rec->id_len || rec->failure_count || rec->deleted)
		return 0;
	/*
	 * A repeated id (rejected by migrate) is not considered. By a 63-bit
	 * hash: a collision leaves a record out of every group, in migrate and
	 * reconcile alike, never in a wrong one.
	 */
	seen = (int64_t)(crm_hash_bytes(rec->id, rec->id_len) >> 1) | 1;
	if (crm_idcount_get(&fd->ids, seen))
		return 0;
	if (crm_idcount_add(&fd->ids, seen, 1, err))
		return err->code;
	if (fd->count == UINT32_MAX - 1)
		return crm_error_set(err, CRM_EINPUT, "[dedupe \"%s\"]: more than %u records", fd->d->object,
				     UINT32_MAX - 1);
	if (crm_grow(&fd->c, fd->count, &fd->cap, sizeof(*fd->c), 1024))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	c = &fd->c[fd->count++];
	memset(c, 0, sizeof(*c));
	c->parent = index;
	c->rule = UINT32_MAX;
	c->line = rec->line;
	if (!(c->id = crm_arena_strndup(&fd->arena, rec->id, rec->id_len)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (rec->modified && !(c->modified = crm_arena_strndup(&fd->arena, rec->modified, strlen(rec->modified))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (f = 0; f < fd->prog->field_count; f++)
		c->filled += rec->values[f].len > 0;
	for (r = 0; r < fd->d->rule_count; r++) {
		struct keyed *k;
		crm_buf_reset(&fd->key);
		for (f = 0; f < fd->d->rules[r].count; f++) {
			const struct crm_value *v = &rec->values[fd->fields[r][f]];
			size_t n =
				crm_dedupe_fold(v->ptr ? v->ptr : "", v->len, fd->phone[r][f], folded, sizeof(folded));
			if (!n)
				break;
			/* the length first: "ab"+"c" and "a"+"bc" are different keys */
			if (crm_buf_add(&fd->key, &n, sizeof(n), err) || crm_buf_add(&fd->key, folded, n, err))
				return err->code;
		}
		if (f < fd->d->rules[r].count)
			continue; /* blank never matches */
		if (crm_grow(&fd->keys[r], fd->key_count[r], &fd->key_cap[r], sizeof(**fd->keys), 1024))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		k = &fd->keys[r][fd->key_count[r]++];
		k->key = XXH3_128bits(fd->key.ptr, fd->key.len);
		k->record = index;
	}
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key.high64 != y->key.high64)
		return x->key.high64 < y->key.high64 ? -1 : 1;
	if (x->key.low64 != y->key.low64)
		return x->key.low64 < y->key.low64 ? -1 : 1;
	return (x->record > y->record) - (x->record < y->record);
}

/* 1 when a should survive rather than b (a earlier in the export than b). */
static int better(const struct crm_dedupe_config *d, const struct candidate *a, const struct candidate *b)
{
	switch (d->survivor) {
	case CRM_SURVIVOR_MOST_RECENT:
		/* a record without a date loses to one with; equal dates: the earlier record */
		if (!b->modified)
			return 1;
		return a->modified && crm_dt_compare(a->modified, b->modified) >= 0;
	case CRM_SURVIVOR_MOST_COMPLETE:
		return a->filled >= b->filled;
	case CRM_SURVIVOR_FIRST:
		break;
	}
	return 1;
}

/* The groups of two or more into res: survivor first, then the others in export order. */
static int collect(struct finder *fd, struct crm_dedupe_result *res, struct crm_error *err)
{
	uint32_t *size = crm_calloc(fd->count ? fd->count : 1, sizeof(uint32_t));
	uint32_t *best = crm_calloc(fd->count ? fd->count : 1, sizeof(uint32_t));
	size_t *at = crm_calloc(fd->count ? fd->count : 1, sizeof(size_t));
	size_t i, groups = 0, members = 0;
	int rc = 0;

	if (!size || !best || !at) {
		rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < fd->count; i++) {
		uint32_t root = find_root(fd->c, (uint32_t)i);
		if (size[root]++ == 0)
			best[root] = (uint32_t)i;
		else if (!better(fd->d, &fd->c[best[root]], &fd->c[i]))
			best[root] = (uint32_t)i;
	}
	for (i = 0; i < fd->count; i++)
		if (fd->c[i].parent == i && size[i] > 1) {
			groups++;
			members += size[i];
		}
	res->groups = crm_calloc(groups ? groups : 1, sizeof(*res->groups));
	res->members = crm_calloc(members ? members : 1, sizeof(*res->members));
	if (!res->groups || !res->members) {
		rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	/* a root is its group's earliest record: groups come in export order, each with its slots */
	for (i = 0; i < fd->count; i++)
		if (fd->c[i].parent == i && size[i] > 1) {
			struct crm_dedupe_group *g = &res->groups[res->group_count++];
			const struct candidate *s = &fd->c[best[i]];
			g->first = res->member_count;
			g->count = size[i];
			/* the result keeps the members' ids only: the others go with the finder */
			res->members[g->first] = (struct crm_dedupe_member){
				crm_arena_strndup(&res->arena, s->id, strlen(s->id)), s->rule, s->line};
			if (!res->members[g->first].id) {
				rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
				goto out;
			}
			at[i] = g->first + 1;
			res->member_count += size[i];
		}
	for (i = 0; i < fd->count; i++) {
		uint32_t root = find_root(fd->c, (uint32_t)i);
		const struct candidate *c = &fd->c[i];
		if (size[root] < 2 || best[root] == i)
			continue;
		res->members[at[root]] = (struct crm_dedupe_member){
			crm_arena_strndup(&res->arena, c->id, strlen(c->id)), c->rule, c->line};
		if (!res->members[at[root]++].id) {
			rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
			goto out;
		}
		res->merged_by_rule[c->rule]++;
	}
	res->group_of = crm_calloc(res->member_count ? res->member_count : 1, sizeof(size_t));
	if (!res->group_of) {
		rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < res->group_count; i++)
		for (size_t k = 0; k < res->groups[i].count; k++) {
			const struct crm_dedupe_member *mb = &res->members[res->groups[i].first + k];
			res->group_of[res->groups[i].first + k] = i;
			if (crm_strmap_put(&res->by_id, mb->id, strlen(mb->id), (int64_t)(res->groups[i].first + k),
					   NULL, NULL, err) < 0) {
				rc = err->code;
				goto out;
			}
		}
out:
	crm_free(size);
	crm_free(best);
	crm_free(at);
	return rc;
}

/*
 * fill = yes: the export again, keeping for each group the first value of
 * each field among its members other than the survivor; then what the
 * survivor has already is dropped, so a fill is only ever of a blank.
 */
static int gather_fills(struct crm_project_object *o, const struct crm_stage_options *opt,
			struct crm_dedupe_result *res, struct crm_error *err)
{
	struct crm_stager *stager;
	struct crm_stage_batch batch;
	size_t i, f, n = res->field_count, slots = res->group_count * n + 1;
	struct crm_value *survivor;
	int rc;

	res->fills = crm_calloc(slots, sizeof(*res->fills));
	survivor = crm_calloc(slots, sizeof(*survivor));
	if (!res->fills || !survivor) {
		crm_free(survivor);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	stager = crm_stager_start(o, opt, err);
	if (!stager) {
		crm_free(survivor);
		return err->code;
	}
	while ((rc = crm_stager_next(stager, &batch, err)) == 1)
		for (i = 0; i < batch.count; i++) {
			const struct crm_stage_record *rec = &batch.records[i];
			long mb;
			size_t g;
			int repeat;
			struct crm_value *into;
			if (rec->bad || rec->failure_count || rec->deleted || !rec->id_len ||
			    (mb = crm_dedupe_member(res, rec->id, rec->id_len, rec->line, &repeat)) < 0 || repeat)
				continue; /* not a member, or a later record repeating a member's id */
			g = res->group_of[mb];
			into = (size_t)mb == res->groups[g].first ? &survivor[g * n] : &res->fills[g * n];
			for (f = 0; f < n; f++) {
				if (into[f].ptr || !rec->values[f].len)
					continue;
				into[f].ptr = crm_arena_strndup(&res->arena, rec->values[f].ptr, rec->values[f].len);
				into[f].len = rec->values[f].len;
				if (!into[f].ptr) {
					rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
					break;
				}
			}
		}
	crm_stager_stop(stager);
	for (i = 0; i < res->group_count * n; i++)
		if (survivor[i].ptr)
			res->fills[i].ptr = NULL, res->fills[i].len = 0;
	crm_free(survivor);
	return rc < 0 ? rc : 0;
}

int crm_dedupe_find(struct crm_project *p, struct crm_project_object *o, const struct crm_dedupe_config *d,
		    struct crm_dedupe_result *res, struct crm_error *err)
{
	struct finder fd;
	struct crm_stage_options opt;
	struct crm_stager *stager = NULL;
	struct crm_stage_batch batch;
	struct crm_tz tz;
	size_t r, f, i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&fd, 0, sizeof(fd));
	res->cfg = d;
	res->field_count = o->prog->field_count;
	crm_arena_init(&res->arena, 1 << 16);
	crm_strmap_init(&res->by_id);
	crm_idcount_init(&fd.ids);
	crm_buf_init(&fd.key, 1u << 20);
	fd.d = d;
	fd.prog = o->prog;
	crm_arena_init(&fd.arena, 1 << 16);
	if (crm_dedupe_check(p, o, d, err) || crm_tz_parse(&tz, p->cfg.source_timezone, err))
		goto out;
	fd.fields = crm_calloc(d->rule_count, sizeof(*fd.fields));
	fd.phone = crm_calloc(d->rule_count, sizeof(*fd.phone));
	fd.keys = crm_calloc(d->rule_count, sizeof(*fd.keys));
	fd.key_count = crm_calloc(d->rule_count, sizeof(size_t));
	fd.key_cap = crm_calloc(d->rule_count, sizeof(size_t));
	res->merged_by_rule = crm_calloc(d->rule_count, sizeof(int64_t));
	if (!fd.fields || !fd.phone || !fd.keys || !fd.key_count || !fd.key_cap || !res->merged_by_rule) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (r = 0; r < d->rule_count; r++) {
		fd.fields[r] = crm_calloc(d->rules[r].count, sizeof(long));
		fd.phone[r] = crm_calloc(d->rules[r].count, sizeof(int));
		if (!fd.fields[r] || !fd.phone[r]) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			goto out;
		}
		for (f = 0; f < d->rules[r].count; f++) {
			fd.fields[r][f] = crm_program_field(o->prog, d->rules[r].fields[f]);
			fd.phone[r][f] = is_phone(d->rules[r].fields[f]);
		}
	}
	/* the records migrate's first pass would load: `unique` checked, malformed ones left out */
	memset(&opt, 0, sizeof(opt));
	opt.run_flags = CRM_RUN_CHECK_UNIQUE;
	opt.tz = &tz;
	stager = crm_stager_start(o, &opt, err);
	if (!stager)
		goto out;
	while ((rc = crm_stager_next(stager, &batch, err)) == 1)
		for (i = 0; i < batch.count; i++)
			if (add_record(&fd, &batch.records[i], err))
				goto out;
	if (rc < 0)
		goto out;
	res->records = (int64_t)fd.count;
	for (r = 0; r < d->rule_count; r++) {
		size_t k, start;
		if (fd.key_count[r])
			qsort(fd.keys[r], fd.key_count[r], sizeof(**fd.keys), by_key);
		for (start = 0, k = 1; k <= fd.key_count[r]; k++) {
			if (k < fd.key_count[r] && fd.keys[r][k].key.high64 == fd.keys[r][start].key.high64 &&
			    fd.keys[r][k].key.low64 == fd.keys[r][start].key.low64) {
				join(fd.c, fd.keys[r][start].record, fd.keys[r][k].record, (uint32_t)r);
				continue;
			}
			start = k;
		}
	}
	if (!collect(&fd, res, err) && d->fill && res->group_count)
		gather_fills(o, &opt, res, err);
out:
	crm_stager_stop(stager);
	for (r = 0; r < d->rule_count; r++) {
		crm_free(fd.fields ? fd.fields[r] : NULL);
		crm_free(fd.phone ? fd.phone[r] : NULL);
		crm_free(fd.keys ? fd.keys[r] : NULL);
	}
	crm_free(fd.fields);
	crm_free(fd.phone);
	crm_free(fd.keys);
	crm_free(fd.key_count);
	crm_free(fd.key_cap);
	crm_free(fd.c);
	crm_idcount_release(&fd.ids);
	crm_arena_release(&fd.arena);
	crm_buf_release(&fd.key);
	return err->code;
}

long crm_dedupe_member(const struct crm_dedupe_result *res, const char *id, size_t len, unsigned long line, int *repeat)
{
	const struct crm_strmap_entry *e = crm_strmap_get(&res->by_id, id, len);

	*repeat = e && res->members[e->num].line != line;
	return e ? (long)e->num : -1;
}

const struct crm_value *crm_dedupe_filled(const struct crm_dedupe_result *res, size_t group,
					  const struct crm_value *values, struct crm_arena *arena)
{
	const struct crm_value *fill = res->fills ? &res->fills[group * res->field_count] : NULL;
	struct crm_value *out;
	size_t f;

	for (f = 0; fill && f < res->field_count && !fill[f].ptr; f++)
		;
	if (!fill || f == res->field_count)
		return values;
	out = crm_arena_alloc(arena, res->field_count * sizeof(*out));
	if (!out)
		return NULL;
	for (f = 0; f < res->field_count; f++)
		out[f] = values[f].len || !fill[f].ptr ? values[f] : fill[f];
	return out;
}

int crm_dedupe_rows(const struct crm_dedupe_result *res, crm_dedupe_row_fn fn, void *ctx, int64_t **rows,
		    unsigned char **unmerged, struct crm_error *err)
{
	size_t g, k;

	*rows = crm_calloc(res->group_count + 1, sizeof(**rows));
	*unmerged = crm_calloc(res->group_count + 1, 1);
	if (!*rows || !*unmerged)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (g = 0; g < res->group_count; g++)
		for (k = 0; k < res->groups[g].count; k++) {
			const char *id = res->members[res->groups[g].first + k].id;
			int64_t row;
			int found = fn(ctx, id, strlen(id), &row, err);
			if (found < 0)
				return found;
			if (found && !(*rows)[g])
				(*rows)[g] = row;
			else if (found && (*rows)[g] != row)
				(*unmerged)[g] = 1;
		}
	return 0;
}

int crm_dedupe_write_rows(FILE *out, const char *object, const struct crm_dedupe_result *res,
			  const unsigned char *unmerged)
{
	size_t g, k, c;

	for (g = 0; g < res->group_count; g++) {
		const struct crm_dedupe_group *group = &res->groups[g];
		const char *survivor = res->members[group->first].id;
		for (k = 0; k < group->count; k++) {
			const struct crm_dedupe_member *mb = &res->members[group->first + k];
			const char *cols[5] = {object, survivor, mb->id, res->cfg->rules[mb->rule].text,
					       unmerged && unmerged[g]
						       ? "not merged: several rows in the target already"
					       : k ? "merged"
						   : "survivor"};
			for (c = 0; c < 5; c++)
				if (crm_csv_write_cell(out, cols[c], strlen(cols[c]), c == 0))
					return -1;
			if (fputc('\n', out) == EOF)
				return -1;
		}
	}
	return 0;
}

void crm_dedupe_result_release(struct crm_dedupe_result *res)
{
	crm_free(res->group_of);
	crm_free(res->fills);
	crm_strmap_release(&res->by_id);
	crm_free(res->members);
	crm_free(res->groups);
	crm_free(res->merged_by_rule);
	crm_arena_release(&res->arena);
	memset(res, 0, sizeof(*res));
}
