/*
 * sketch.c: the exact set grows by doubling up to CRM_DISTINCT_EXACT values
 * (at most half full), then its hashes seed the HyperLogLog registers and it
 * is freed, so a field costs at most 16 KiB whatever the file's size.
 */
#include "compat.h"
#include "util/sketch.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HLL_REGS (1u << CRM_HLL_BITS)

void crm_distinct_init(struct crm_distinct *d)
{
	memset(d, 0, sizeof(*d));
}

void crm_distinct_release(struct crm_distinct *d)
{
	crm_free(d->set);
	crm_free(d->counts);
	crm_free(d->regs);
	crm_distinct_init(d);
}

static void hll_add(uint8_t *regs, uint64_t hash)
{
	size_t index = (size_t)(hash >> (64 - CRM_HLL_BITS));
	uint64_t rest = hash << CRM_HLL_BITS;
	uint8_t rank = 1;

	/* the position of the first 1 bit in the remaining 64 - CRM_HLL_BITS bits */
	while (rank <= 64 - CRM_HLL_BITS && !(rest & (1ull << 63))) {
		rank++;
		rest <<= 1;
	}
	if (regs[index] < rank)
		regs[index] = rank;
}

/* Adds n to hash's count, inserting it first; 1 when it was new. */
static int set_insert(uint64_t *set, uint32_t *counts, size_t cap, uint64_t hash, uint32_t n)
{
	size_t i = (size_t)hash & (cap - 1);

	while (set[i]) {
		if (set[i] == hash) {
			counts[i] += n;
			return 0;
		}
		i = (i + 1) & (cap - 1);
	}
	set[i] = hash;
	counts[i] = n;
	return 1;
}

static int to_registers(struct crm_distinct *d, struct crm_error *err)
{
	size_t i;

	d->regs = crm_calloc(HLL_REGS, 1);
	if (!d->regs)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < d->cap; i++)
		if (d->set[i])
			hll_add(d->regs, d->set[i]);
	if (d->zero_seen)
		hll_add(d->regs, 0);
	crm_free(d->set);
	crm_free(d->counts);
	d->set = NULL;
	d->counts = NULL;
	return 0;
}

int crm_distinct_add(struct crm_distinct *d, uint64_t hash, struct crm_error *err)
{
	if (d->regs) {
		hll_add(d->regs, hash);
		return 0;
	}
	if (hash == 0) {
		d->zero_seen++;
		return 0;
	}
	if (!d->set) {
		d->set = crm_calloc(16, sizeof(*d->set));
		d->counts = crm_calloc(16, sizeof(*d->counts));
		if (!d->set || !d->counts) {
			/* both or neither: a later call must not find a set without its counts */
			crm_free(d->set);
			crm_free(d->counts);
			d->set = NULL;
			d->counts = NULL;
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
		d->cap = 16;
	}
	/*
	 * Room first, then the insert: a growth that fails leaves the set as it
	 * was, at most half full, so that a later insert still finds a free slot.
	 */
	if ((d->count + 1) * 2 > d->cap) {
		uint64_t *bigger = crm_calloc(d->cap * 2, sizeof(*bigger));
		uint32_t *counts = crm_calloc(d->cap * 2, sizeof(*counts));
		size_t i;
		if (!bigger || !counts) {
			crm_free(bigger);
			crm_free(counts);
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
		for (i = 0; i < d->cap; i++)
			if (d->set[i])
				set_insert(bigger, counts, d->cap * 2, d->set[i], d->counts[i]);
		crm_free(d->set);
		crm_free(d->counts);
		d->set = bigger;
		d->counts = counts;
		d->cap *= 2;
	}
	if (!set_insert(d->set, d->counts, d->cap, hash, 1))
		return 0;
	d->count++;
	if (d->count + (d->zero_seen > 0) > CRM_DISTINCT_EXACT)
		return to_registers(d, err);
	return 0;
}

int64_t crm_distinct_occurrences(const struct crm_distinct *d, uint64_t hash)
{
	size_t i;

	if (d->regs)
		return -1;
	if (hash == 0)
		return d->zero_seen;
	if (!d->set)
		return 0;
	for (i = (size_t)hash & (d->cap - 1); d->set[i]; i = (i + 1) & (d->cap - 1))
		if (d->set[i] == hash)
			return d->counts[i];
	return 0;
}

uint64_t crm_distinct_count(const struct crm_distinct *d, int *approximate)
{
	double m = HLL_REGS, sum = 0, estimate;
	size_t i, zeros = 0;

	*approximate = d->regs != NULL;
	if (!d->regs)
		return d->count + (uint64_t)(d->zero_seen > 0);
	for (i = 0; i < HLL_REGS; i++) {
		sum += ldexp(1.0, -(int)d->regs[i]);
		zeros += d->regs[i] == 0;
	}
	estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	/* small cardinalities: linear counting is the better estimate (Flajolet et al.) */
	if (estimate <= 2.5 * m && zeros)
		estimate = m * log(m / (double)zeros);
	return (uint64_t)(estimate + 0.5);
}

_Static_assert(CRM_TOPK_SLOTS <= 32 && CRM_TOPK_SLOTS < CRM_TOPK_INDEX && !(CRM_TOPK_INDEX & (CRM_TOPK_INDEX - 1)),
	       "a counter is a bit of least and a byte of index, which has free room and a power of two's size");

void crm_topk_init(struct crm_topk *t)
{
	memset(t, 0, sizeof(*t));
}

/* The longest prefix of (ptr, len) within max bytes that ends on a character boundary. */
static size_t char_prefix(const char *ptr, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	while (len && ((unsigned char)ptr[len] & 0xC0) == 0x80)
		len--;
	return len;
}

void crm_topk_add(struct crm_topk *t, const char *ptr, size_t len)
{
	crm_topk_add_hashed(t, ptr, len, crm_hash_bytes(ptr, len));
}

/* Takes index position q out, moving up the entries after it that probing would no longer reach. */
static void index_remove(struct crm_topk *t, size_t q)
{
	size_t j = q, home;

	for (;;) {
		j = (j + 1) & (CRM_TOPK_INDEX - 1);
		if (!t->index[j])
			break;
		home = (size_t)t->hashes[t->index[j] - 1] & (CRM_TOPK_INDEX - 1);
		/* an entry stays where it is when its home lies in (q, j], cyclically */
		if (q <= j ? (home <= q || home > j) : (home <= q && home > j)) {
			t->index[q] = t->index[j];
			q = j;
		}
	}
	t->index[q] = 0;
}

void crm_topk_add_hashed(struct crm_topk *t, const char *ptr, size_t len, uint64_t hash)
{
	size_t keep = char_prefix(ptr, len, CRM_TOPK_VALUE_LEN);
	int cut = keep < len;
	struct crm_topk_kept *k;
	size_t i, q, at;

	for (q = (size_t)hash & (CRM_TOPK_INDEX - 1); t->index[q]; q = (q + 1) & (CRM_TOPK_INDEX - 1)) {
		i = t->index[q] - 1u;
		if (t->hashes[i] == hash && t->kept[i].len == keep && t->kept[i].cut == cut &&
		    memcmp(t->kept[i].text, ptr, keep) == 0) {
			t->counts[i]++;
			t->least &= ~(1u << i);
			return;
		}
	}
	if (t->used < CRM_TOPK_SLOTS) {
		at = t->used++;
		t->counts[at] = 0;
		t->kept[at].error = 0;
	} else {
		/* Space-Saving: the least counted value (the first of them) gives up its counter */
		if (!t->least) {
			int64_t least = t->counts[0];
			for (i = 1; i < CRM_TOPK_SLOTS; i++)
				least = t->counts[i] < least ? t->counts[i] : least;
			for (i = 0; i < CRM_TOPK_SLOTS; i++)
				t->least |= (uint32_t)(t->counts[i] == least) << i;
		}
		for (at = 0; !(t->least >> at & 1u); at++)
			;
		t->least &= ~(1u << at);
		t->kept[at].error = t->counts[at];
		t->evicted = 1;
		for (q = (size_t)t->hashes[at] & (CRM_TOPK_INDEX - 1); t->index[q] != at + 1;
		     q = (q + 1) & (CRM_TOPK_INDEX - 1))
			;
		index_remove(t, q);
	}
	k = &t->kept[at];
	memcpy(k->text, ptr, keep);
	k->text[keep] = '\0';
	k->len = keep;
	k->cut = cut;
	t->hashes[at] = hash;
	t->counts[at]++;
	for (q = (size_t)hash & (CRM_TOPK_INDEX - 1); t->index[q]; q = (q + 1) & (CRM_TOPK_INDEX - 1))
		;
	t->index[q] = (unsigned char)(at + 1);
}

int crm_topk_slot_order(const void *a, const void *b)
{
	const struct crm_topk_slot *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

size_t crm_topk_sorted(const struct crm_topk *t, struct crm_topk_slot *out, size_t n)
{
	struct crm_topk_slot all[CRM_TOPK_SLOTS];
	size_t i;

	memset(all, 0, sizeof(all));
	for (i = 0; i < t->used; i++) {
		memcpy(all[i].value, t->kept[i].text, t->kept[i].len + 1);
		all[i].len = t->kept[i].len;
		all[i].hash = t->hashes[i];
		all[i].count = t->counts[i];
		all[i].error = t->kept[i].error;
		all[i].cut = t->kept[i].cut;
	}
	qsort(all, t->used, sizeof(all[0]), crm_topk_slot_order);
	if (n > t->used)
		n = t->used;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}
