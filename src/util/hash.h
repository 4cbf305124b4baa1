/*
 * hash.h: fast non-cryptographic hashing (xxHash's XXH3) and a string-keyed
 * hash table. XXH3 gives the per-record content hashes that make re-runs
 * idempotent; it is not a defence against tampering (the audit chain uses
 * SHA-256 for that).
 *
 * struct crm_strmap maps byte strings to a number and an optional string.
 * It owns copies of its keys and string values (kept in an internal arena,
 * freed by crm_strmap_release) and never removes entries: it serves value
 * maps, uniqueness checks and id sets, which only grow during a run.
 */
#ifndef CRM_HASH_H
#define CRM_HASH_H

#include "compat.h"
#include "util/arena.h"
#include "util/error.h"

uint64_t crm_hash_bytes(const void *ptr, size_t len);

struct crm_strmap_entry {
	const char *key;
	size_t key_len;
	uint64_t hash;
	int64_t num;
	const char *str; /* NULL unless set */
};

struct crm_strmap {
	struct crm_strmap_entry *slots;
	size_t cap; /* slots, 0 when empty */
	size_t count;
	struct crm_arena arena;
};

void crm_strmap_init(struct crm_strmap *map);
void crm_strmap_release(struct crm_strmap *map);

/* The entry for key, or NULL. Borrowed: valid until the next put. */
const struct crm_strmap_entry *crm_strmap_get(const struct crm_strmap *map, const char *key, size_t key_len);

/*
 * Inserts key if absent, copying it and str (may be NULL). Returns 1 when
 * inserted, 0 when the key was already there (the entry is left as it was;
 * *entry points at it either way when entry is non-NULL), CRM_ENOMEM on OOM.
 */
int crm_strmap_put(struct crm_strmap *map, const char *key, size_t key_len, int64_t num, const char *str,
		   const struct crm_strmap_entry **entry, struct crm_error *err);

/*
 * struct crm_idcount counts occurrences of positive 64-bit ids (target row
 * ids): children per parent, references per referenced row. 16 bytes a
 * slot, at most two thirds full; a slot with id 0 is empty.
 */
struct crm_idcount_entry {
	int64_t id;
	int64_t count;
};

struct crm_idcount {
	struct crm_idcount_entry *slots;
	size_t cap; /* slots, 0 when empty */
	size_t count;
};

void crm_idcount_init(struct crm_idcount *map);
void crm_idcount_release(struct crm_idcount *map);
/* Adds n to id's count (id > 0), inserting it at 0 first. */
int crm_idcount_add(struct crm_idcount *map, int64_t id, int64_t n, struct crm_error *err);
/* id's count, 0 when absent. */
int64_t crm_idcount_get(const struct crm_idcount *map, int64_t id);

#endif
