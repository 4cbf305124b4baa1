/*
 * alloc.c: malloc wrappers with failure injection for tests.
 */
#include "compat.h"
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* atomic: the stager's threads allocate too */
static _Atomic long fail_countdown = -1;
static atomic_int failed; /* an allocation was made to fail since the last crm_alloc_fail_after */

static int should_fail(void)
{
	long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

	for (;;) {
		if (n < 0)
			return 0;
		if (n == 0) {
			atomic_store(&failed, 1);
			return 1;
		}
		if (atomic_compare_exchange_weak(&fail_countdown, &n, n - 1))
			return 0;
	}
}

void crm_alloc_fail_after(long count)
{
	atomic_store(&fail_countdown, count);
	atomic_store(&failed, 0);
}

int crm_alloc_failed(void)
{
	return atomic_load(&failed);
}

void *crm_malloc(size_t len)
{
	return should_fail() ? NULL : malloc(len ? len : 1);
}

void *crm_calloc(size_t count, size_t len)
{
	return should_fail() ? NULL : calloc(count ? count : 1, len ? len : 1);
}

int crm_grow(void *items, size_t count, size_t *cap, size_t size, size_t first)
{
	void *ptr, *grown;
	size_t want;

	if (count < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	/* items is a T **: its pointer is read and written as bytes, whatever T is */
	memcpy(&ptr, items, sizeof(ptr));
	grown = crm_realloc(ptr, want * size);
	if (!grown)
		return -1;
	memcpy(items, &grown, sizeof(grown));
	*cap = want;
	return 0;
}

void *crm_table_alloc(size_t count, size_t len)
{
	void *ptr;

	if (count && len > SIZE_MAX / count)
		return NULL;
	ptr = crm_malloc(count * len);
	if (ptr)
		memset(ptr, 0, count * len);
	return ptr;
}

void *crm_realloc(void *ptr, size_t len)
{
	return should_fail() ? NULL : realloc(ptr, len ? len : 1);
}

void crm_free(void *ptr)
{
	free(ptr);
}

char *crm_strndup(const char *ptr, size_t len)
{
	char *copy = crm_malloc(len + 1);

	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, ptr, len);
	copy[len] = '\0';
	return copy;
}

char *crm_strdup(const char *str)
{
	return crm_strndup(str, strlen(str));
}
