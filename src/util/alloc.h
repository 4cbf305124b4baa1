/*
 * alloc.h: the one allocation choke point of the library. Out of memory is an
 * ordinary error: these return NULL and the caller reports CRM_ENOMEM. Tests
 * can make the n-th allocation fail with crm_alloc_fail_after().
 */
#ifndef CRM_ALLOC_H
#define CRM_ALLOC_H

#include "compat.h"

void *crm_malloc(size_t len);
void *crm_calloc(size_t count, size_t len);
void *crm_realloc(void *ptr, size_t len);
/*
 * Zeroed memory for a hash table, written now rather than left to the
 * kernel's shared zero page: a table is probed (read) before it is written,
 * and the copy-on-write of the zero page then costs a TLB flush on every
 * core of a threaded process, once per page.
 */
void *crm_table_alloc(size_t count, size_t len);
void crm_free(void *ptr);

/*
 * Room for one more element in an array that grows by doubling: when count
 * has reached *cap, the array whose address is items is reallocated to
 * twice *cap elements of size (first when empty). 0, or -1 when out of
 * memory, the array and *cap left as they were.
 */
int crm_grow(void *items, size_t count, size_t *cap, size_t size, size_t first);

/* Copies (ptr, len) into a new NUL-terminated string; NULL on OOM. */
char *crm_strndup(const char *ptr, size_t len);
char *crm_strdup(const char *str);

/* Makes allocations fail after count more succeed; -1 turns it off. */
void crm_alloc_fail_after(long count);
/* 1 when an allocation failed by crm_alloc_fail_after since it was last called. */
int crm_alloc_failed(void);

#endif
