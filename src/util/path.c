/*
 * path.c: checked formatting of file names.
 */
#include "compat.h"
#include "util/path.h"

#include <stdarg.h>
#include <stdio.h>

int crm_path_format(char *dst, size_t cap, struct crm_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		return crm_error_set(err, CRM_EINPUT, "file name too long: '%.64s...'", dst);
	return 0;
}
