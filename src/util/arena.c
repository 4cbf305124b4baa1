/*
 * arena.c: blocks in a singly linked list, newest first.
 */
#include "compat.h"
#include "util/arena.h"
#include "util/alloc.h"

#include <string.h>

struct crm_arena_block {
	struct crm_arena_block *next;
	size_t used;
	size_t cap;
	char data[];
};

void crm_arena_init(struct crm_arena *arena, size_t block_len)
{
	arena->head = NULL;
	arena->block_len = block_len ? block_len : 64 * 1024;
}

void crm_arena_release(struct crm_arena *arena)
{
	struct crm_arena_block *block = arena->head;

	while (block) {
		struct crm_arena_block *next = block->next;
		crm_free(block);
		block = next;
	}
	arena->head = NULL;
}

void crm_arena_reset(struct crm_arena *arena)
{
	struct crm_arena_block *keep = arena->head;

	if (!keep)
		return;
	/* keep the oldest block: it has the standard size */
	while (keep->next) {
		struct crm_arena_block *next = keep->next;
		crm_free(keep);
		keep = next;
	}
	keep->used = 0;
	arena->head = keep;
}

void *crm_arena_alloc(struct crm_arena *arena, size_t len)
{
	struct crm_arena_block *block = arena->head;
	size_t aligned = (len + 7) & ~(size_t)7;

	if (!block || block->cap - block->used < aligned) {
		size_t cap = aligned > arena->block_len ? aligned : arena->block_len;
		block = crm_malloc(sizeof(*block) + cap);
		if (!block)
			return NULL;
		block->used = 0;
		block->cap = cap;
		block->next = arena->head;
		arena->head = block;
	}
	block->used += aligned;
	return block->data + block->used - aligned;
}

char *crm_arena_strndup(struct crm_arena *arena, const char *ptr, size_t len)
{
	char *copy = crm_arena_alloc(arena, len + 1);

	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, ptr, len);
	copy[len] = '\0';
	return copy;
}
