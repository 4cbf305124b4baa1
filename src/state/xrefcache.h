/*
 * xrefcache.h: an in-memory copy of one object's part of the id
 * cross-reference (source id -> target id), so that resolving ref() costs
 * a hash probe instead of a database query. Keys are kept as 128-bit XXH3
 * hashes of the source id (24 bytes a slot, no copy of the id; 36 bytes an
 * id when reserved, up to 54 while growing): two ids would have to collide
 * in 128 bits to be confused, a chance far below any hardware error rate. The cache never outgrows the cross-reference
 * itself, which is the one structure allowed to grow with the data.
 */
#ifndef CRM_XREFCACHE_H
#define CRM_XREFCACHE_H

#include "compat.h"
#include "util/error.h"

struct crm_xref_cache;

/* A source id as the cache keys it: its 128-bit XXH3 hash. */
struct crm_id_hash {
	uint64_t low, high;
};

struct crm_id_hash crm_xref_cache_hash(const char *id, size_t len);

struct crm_xref_cache *crm_xref_cache_new(void);
void crm_xref_cache_free(struct crm_xref_cache *cache);
/* Sets (or replaces) the target id of a source id. */
int crm_xref_cache_put(struct crm_xref_cache *cache, const char *id, size_t len, int64_t target_id,
		       struct crm_error *err);
/* The same by the id's hash, for callers that have it already (the stager hashes every id). */
int crm_xref_cache_put_hashed(struct crm_xref_cache *cache, struct crm_id_hash key, int64_t target_id,
			      struct crm_error *err);
/*
 * Makes room for n more ids, so that a cache filled from a known count is
 * allocated once, at its final size, instead of doubling through copies.
 */
int crm_xref_cache_reserve(struct crm_xref_cache *cache, size_t n, struct crm_error *err);
/* 1 and *target_id when known, 0 when not. */
int crm_xref_cache_get(const struct crm_xref_cache *cache, const char *id, size_t len, int64_t *target_id);
/* The same lookup by the id's 128-bit XXH3 hash, for callers that keep only the hash. */
int crm_xref_cache_get_hashed(const struct crm_xref_cache *cache, uint64_t low, uint64_t high, int64_t *target_id);
/*
 * Asks the CPU for the slot where a lookup of the id would start: a
 * caller that knows its next ids a few records ahead has their slots in
 * cache when it needs them, instead of waiting on memory for each.
 */
void crm_xref_cache_prefetch(const struct crm_xref_cache *cache, struct crm_id_hash id);
/* Forgets id (its target row was deleted): lookups miss it until it is put again. */
void crm_xref_cache_forget(struct crm_xref_cache *cache, const char *id, size_t len);

#endif
