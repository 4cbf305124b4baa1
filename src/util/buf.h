/*
 * buf.h: the growable byte buffer (after curl's dynbuf). Every buffer has a
 * maximum size set at init; growing past it is an error, so untrusted input
 * cannot make crmshift allocate without bound. The content is always
 * NUL-terminated, so buf->ptr can be used as a C string when it holds text,
 * and ptr is never NULL: an empty buffer's is a static "" (never write
 * through ptr beyond what crm_buf_grow made room for).
 */
#ifndef CRM_BUF_H
#define CRM_BUF_H

#include "compat.h"
#include "util/error.h"

struct crm_buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
};

/* Sets up an empty buffer that may grow to max bytes; allocates nothing. */
void crm_buf_init(struct crm_buf *buf, size_t max);
/* Frees the content; the buffer can be used again after crm_buf_init(). */
void crm_buf_release(struct crm_buf *buf);
/* Empties the buffer, keeping its memory. */
void crm_buf_reset(struct crm_buf *buf);

/* Each returns 0, or CRM_ENOMEM / CRM_EINPUT (past max) with err set. */
int crm_buf_grow(struct crm_buf *buf, size_t extra, struct crm_error *err);
int crm_buf_add(struct crm_buf *buf, const void *ptr, size_t len, struct crm_error *err);
int crm_buf_addstr(struct crm_buf *buf, const char *str, struct crm_error *err);
int crm_buf_addf(struct crm_buf *buf, struct crm_error *err, const char *fmt, ...) CRM_PRINTF(3, 4);

/* Inline: scanners add a byte at a time, and a call a byte cost the JSON reader a sixth of its time. */
static inline int crm_buf_addch(struct crm_buf *buf, char ch, struct crm_error *err)
{
	if (buf->len + 1 < buf->cap && buf->len < buf->max) {
		buf->ptr[buf->len++] = ch;
		buf->ptr[buf->len] = '\0';
		return 0;
	}
	return crm_buf_add(buf, &ch, 1, err);
}

#endif
