/*
 * arena.h: a bump allocator for per-record temporaries (after git's
 * mem-pool). The hot loop allocates transformed values here and resets the
 * arena once per record, so no value is malloc'd or freed one by one.
 */
#ifndef CRM_ARENA_H
#define CRM_ARENA_H

#include "compat.h"

struct crm_arena_block;

struct crm_arena {
	struct crm_arena_block *head; /* every block, oldest first */
	struct crm_arena_block *cur;  /* where allocation goes on */
	size_t block_len;
};

void crm_arena_init(struct crm_arena *arena, size_t block_len);
/* Frees every block. */
void crm_arena_release(struct crm_arena *arena);
/* Forgets every allocation but keeps all blocks for reuse. */
void crm_arena_reset(struct crm_arena *arena);
/* len bytes, 8-aligned, valid until the next reset; NULL on OOM. */
void *crm_arena_alloc(struct crm_arena *arena, size_t len);
/* A NUL-terminated copy of (ptr, len) in the arena; NULL on OOM. */
char *crm_arena_strndup(struct crm_arena *arena, const char *ptr, size_t len);

#endif
