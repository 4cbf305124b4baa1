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
	struct crm_strmap_entry *slots = crm_table_alloc(cap, sizeof(*slots));
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

void crm_idcount_init(struct crm_idcount *map)
{
	map->slots = NULL;
	map->cap = 0;
	map->count = 0;
}

void crm_idcount_release(struct crm_idcount *map)
{
	crm_free(map->slots);
	crm_idcount_init(map);
}

static struct crm_idcount_entry *find_id(struct crm_idcount_entry *slots, size_t cap, int64_t id)
{
	/* ids are often consecutive: Fibonacci hashing spreads them before the slot is chosen */
	size_t i = (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15u) % cap);

	while (slots[i].id && slots[i].id != id)
		i = i + 1 == cap ? 0 : i + 1;
	return &slots[i];
}

int crm_idcount_add(struct crm_idcount *map, int64_t id, int64_t n, struct crm_error *err)
{
	struct crm_idcount_entry *slot;

	if ((map->count + 1) * 3 > map->cap * 2) {
		/* grown to 4/9 full: 24 to 36 bytes an id, where doubling at half full took 32 to 64 */
		size_t cap = map->count + map->count * 5 / 4 + 1024, i;
		struct crm_idcount_entry *slots = crm_table_alloc(cap, sizeof(*slots));
		if (!slots)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		for (i = 0; i < map->cap; i++)
			if (map->slots[i].id)
				*find_id(slots, cap, map->slots[i].id) = map->slots[i];
		crm_free(map->slots);
		map->slots = slots;
		map->cap = cap;
	}
	slot = find_id(map->slots, map->cap, id);
	if (!slot->id) {
		slot->id = id;
		map->count++;
	}
	slot->count += n;
	return 0;
}

int64_t crm_idcount_get(const struct crm_idcount *map, int64_t id)
{
	return map->cap && id ? find_id(map->slots, map->cap, id)->count : 0;
}
