/*
 * path.c: checked formatting of file names, private directories.
 */
#include "compat.h"
#include "util/path.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

int crm_mkdir_private(const char *path, struct crm_error *err)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return crm_error_set(err, CRM_EIO, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}
