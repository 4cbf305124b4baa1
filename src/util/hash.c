/*
 * hash.c: XXH3 wrappers and an open-addressing table with linear probing.
 * The table stays at most half full.
 */
#include "compat.h"
#include "util/hash.h"
#include "util/alloc.h"

#include <string.h>
#include <xxhash.h>

uint64_t crm_hash_bytes(const void *ptr, size_t len)
{
	return XXH3_64bits(ptr, len);
}

void crm_strmap_init(struct crm_strmap *map)
{
	map->slots = NULL;
	map->cap = 0;
	map->count = 0;
	crm_arena_init(&map->arena, 64 * 1024);
}

void crm_strmap_release(struct crm_strmap *map)
{
	crm_free(map->slots);
	crm_arena_release(&map->arena);
	map->slots = NULL;
	map->cap = 0;
	map->count = 0;
}

static struct crm_strmap_entry *find_slot(struct crm_strmap_entry *slots, size_t cap, const char *key, size_t key_len,
					  uint64_t hash)
{
	size_t i = (size_t)hash & (cap - 1);

	for (;;) {
		struct crm_strmap_entry *slot = &slots[i];
		if (!slot->key)
			return slot;
		if (slot->hash == hash && slot->key_len == key_len && memcmp(slot->key, key, key_len) == 0)
			return slot;
		i = (i + 1) & (cap - 1);
	}
}

const struct crm_strmap_entry *crm_strmap_get(const struct crm_strmap *map, const char *key, size_t key_len)
{
	struct crm_strmap_entry *slot;

	if (!map->cap)
		return NULL;
	slot = find_slot(map->slots, map->cap, key, key_len, crm_hash_bytes(key, key_len));
	return slot->key ? slot : NULL;
}

static int grow(struct crm_strmap *map, struct crm_error *err)
{
	size_t cap = map->cap ? map->cap * 2 : 64;
	struct crm_strmap_entry *slots = crm_calloc(cap, sizeof(*slots));
	size_t i;

	if (!slots)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < map->cap; i++) {
		struct crm_strmap_entry *old = &map->slots[i];
		if (old->key)
			*find_slot(slots, cap, old->key, old->key_len, old->hash) = *old;
	}
	crm_free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

int crm_strmap_put(struct crm_strmap *map, const char *key, size_t key_len, int64_t num, const char *str,
		   const struct crm_strmap_entry **entry, struct crm_error *err)
{
	uint64_t hash = crm_hash_bytes(key, key_len);
	struct crm_strmap_entry *slot;
	int rc;

	if ((map->count + 1) * 2 > map->cap) {
		rc = grow(map, err);
		if (rc)
			return rc;
	}
	slot = find_slot(map->slots, map->cap, key, key_len, hash);
	if (slot->key) {
		if (entry)
			*entry = slot;
		return 0;
	}
	slot->key = crm_arena_strndup(&map->arena, key, key_len);
	slot->str = str ? crm_arena_strndup(&map->arena, str, strlen(str)) : NULL;
	if (!slot->key || (str && !slot->str)) {
		slot->key = NULL;
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	slot->key_len = key_len;
	slot->hash = hash;
	slot->num = num;
	map->count++;
	if (entry)
		*entry = slot;
	return 1;
}
