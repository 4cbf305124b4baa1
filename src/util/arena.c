/*
 * arena.c: blocks in a singly linked list, oldest first. A reset keeps every
 * block for reuse, so an arena reset per record or per batch settles at the
 * memory its largest round needed and stops calling malloc.
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
	arena->cur = NULL;
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
	arena->cur = NULL;
}

void crm_arena_reset(struct crm_arena *arena)
{
	struct crm_arena_block *block;

	for (block = arena->head; block; block = block->next)
		block->used = 0;
	arena->cur = arena->head;
}

void *crm_arena_alloc(struct crm_arena *arena, size_t len)
{
	size_t aligned = (len + 7) & ~(size_t)7;
	struct crm_arena_block *block = arena->cur;

	/* the current block, or the next kept one that has room */
	while (block && block->cap - block->used < aligned)
		block = block->next;
	if (!block) {
		size_t cap = aligned > arena->block_len ? aligned : arena->block_len;
		struct crm_arena_block **tail = &arena->head;
		block = crm_malloc(sizeof(*block) + cap);
		if (!block)
			return NULL;
		block->used = 0;
		block->cap = cap;
		block->next = NULL;
		while (*tail)
			tail = &(*tail)->next;
		*tail = block;
	}
	arena->cur = block;
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
