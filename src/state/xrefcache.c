/*
 * xrefcache.c: open addressing with linear probing, at most two thirds
 * full, of any capacity (not only powers of two), so that a cache sized to
 * the cross-reference it copies takes 36 bytes an id, where a power of two
 * at most half full took 48 to 96. A slot
 * with target_id 0 is empty (target ids start at 1); -1 marks a forgotten
 * entry, which keeps the probe chains through it intact.
 */
#include "compat.h"
#include "state/xrefcache.h"
#include "util/alloc.h"

#include <xxhash.h>

struct slot {
	uint64_t low, high;
	int64_t target_id;
};

struct crm_xref_cache {
	struct slot *slots;
	size_t cap;
	size_t count;
};

struct crm_xref_cache *crm_xref_cache_new(void)
{
	return crm_calloc(1, sizeof(struct crm_xref_cache));
}

void crm_xref_cache_free(struct crm_xref_cache *cache)
{
	if (!cache)
		return;
	crm_free(cache->slots);
	crm_free(cache);
}

struct crm_id_hash crm_xref_cache_hash(const char *id, size_t len)
{
	XXH128_hash_t h = XXH3_128bits(id, len);
	struct crm_id_hash out = {h.low64, h.high64};

	return out;
}

/* The slot a key's probe starts at: the top of low * cap, a multiply where low % cap took a division. */
static size_t start_slot(uint64_t low, size_t cap)
{
	__extension__ typedef unsigned __int128 wide;

	return (size_t)(((wide)low * cap) >> 64);
}

static struct slot *find(struct slot *slots, size_t cap, uint64_t low, uint64_t high)
{
	size_t i = start_slot(low, cap);

	while (slots[i].target_id && (slots[i].low != low || slots[i].high != high))
		i = i + 1 == cap ? 0 : i + 1;
	return &slots[i];
}

/* Moves the entries into a table of cap slots. */
static int resize(struct crm_xref_cache *cache, size_t cap, struct crm_error *err)
{
	struct slot *slots = crm_table_alloc(cap, sizeof(*slots));
	size_t i;

	if (!slots)
		return crm_error_set(err, CRM_ENOMEM, "out of memory (id cross-reference cache)");
	for (i = 0; i < cache->cap; i++)
		if (cache->slots[i].target_id)
			*find(slots, cap, cache->slots[i].low, cache->slots[i].high) = cache->slots[i];
	crm_free(cache->slots);
	cache->slots = slots;
	cache->cap = cap;
	return 0;
}

/* The capacity that holds n entries at most two thirds full. */
static size_t capacity_for(size_t n)
{
	return n + n / 2 + 1024;
}

int crm_xref_cache_reserve(struct crm_xref_cache *cache, size_t n, struct crm_error *err)
{
	if (n > SIZE_MAX / 2 / sizeof(struct slot))
		return crm_error_set(err, CRM_ENOMEM, "out of memory (id cross-reference cache)");
	n += cache->count;
	return (n + 1) * 3 > cache->cap * 2 ? resize(cache, capacity_for(n), err) : 0;
}

int crm_xref_cache_put(struct crm_xref_cache *cache, const char *id, size_t len, int64_t target_id,
		       struct crm_error *err)
{
	return crm_xref_cache_put_hashed(cache, crm_xref_cache_hash(id, len), target_id, err);
}

int crm_xref_cache_put_hashed(struct crm_xref_cache *cache, struct crm_id_hash h, int64_t target_id,
			      struct crm_error *err)
{
	struct slot *s;

	if ((cache->count + 1) * 3 > cache->cap * 2 && resize(cache, capacity_for(cache->count * 3 / 2), err))
		return err->code;
	s = find(cache->slots, cache->cap, h.low, h.high);
	if (!s->target_id)
		cache->count++;
	s->low = h.low;
	s->high = h.high;
	s->target_id = target_id;
	return 0;
}

int crm_xref_cache_get_hashed(const struct crm_xref_cache *cache, uint64_t low, uint64_t high, int64_t *target_id)
{
	struct slot *s;

	if (!cache->cap)
		return 0;
	s = find(cache->slots, cache->cap, low, high);
	if (s->target_id <= 0)
		return 0;
	*target_id = s->target_id;
	return 1;
}

int crm_xref_cache_get(const struct crm_xref_cache *cache, const char *id, size_t len, int64_t *target_id)
{
	struct crm_id_hash h = crm_xref_cache_hash(id, len);

	return crm_xref_cache_get_hashed(cache, h.low, h.high, target_id);
}

void crm_xref_cache_prefetch(const struct crm_xref_cache *cache, struct crm_id_hash id)
{
	if (cache->cap)
		__builtin_prefetch(&cache->slots[start_slot(id.low, cache->cap)]);
}

void crm_xref_cache_forget(struct crm_xref_cache *cache, const char *id, size_t len)
{
	struct crm_id_hash h = crm_xref_cache_hash(id, len);
	struct slot *s;

	if (!cache->cap)
		return;
	s = find(cache->slots, cache->cap, h.low, h.high);
	if (s->target_id > 0)
		s->target_id = -1;
}
