/*
 * buf.c: struct crm_buf. Growth doubles, capped at max.
 */
#include "compat.h"
#include "util/buf.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * What an empty buffer points at (after git's strbuf_slopbuf): ptr is never
 * NULL, so an empty buffer is the text "" and ptr + len is defined. It is
 * never written: only a buffer with cap > 0 writes into ptr.
 */
static char empty[1];

void crm_buf_init(struct crm_buf *buf, size_t max)
{
	buf->ptr = empty;
	buf->len = 0;
	buf->cap = 0;
	buf->max = max;
}

void crm_buf_release(struct crm_buf *buf)
{
	if (buf->cap)
		crm_free(buf->ptr);
	crm_buf_init(buf, buf->max);
}

void crm_buf_reset(struct crm_buf *buf)
{
	buf->len = 0;
	if (buf->cap)
		buf->ptr[0] = '\0';
}

int crm_buf_grow(struct crm_buf *buf, size_t extra, struct crm_error *err)
{
	size_t need, cap;
	char *ptr;

	if (extra > buf->max || buf->len > buf->max - extra)
		return crm_error_set(err, CRM_EINPUT, "value is longer than the limit of %zu bytes", buf->max);
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > buf->max + 1)
		cap = buf->max + 1;
	ptr = crm_realloc(buf->cap ? buf->ptr : NULL, cap);
	if (!ptr)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!buf->cap)
		ptr[0] = '\0';
	buf->ptr = ptr;
	buf->cap = cap;
	return 0;
}

int crm_buf_add(struct crm_buf *buf, const void *ptr, size_t len, struct crm_error *err)
{
	int rc = crm_buf_grow(buf, len, err);

	if (rc)
		return rc;
	if (len)
		memcpy(buf->ptr + buf->len, ptr, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

int crm_buf_addstr(struct crm_buf *buf, const char *str, struct crm_error *err)
{
	return crm_buf_add(buf, str, strlen(str), err);
}

int crm_buf_addf(struct crm_buf *buf, struct crm_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;
	int rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return crm_error_set(err, CRM_EINTERNAL, "bad format string");
	rc = crm_buf_grow(buf, (size_t)n, err);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
	return 0;
}
