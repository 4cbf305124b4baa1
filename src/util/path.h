/*
 * path.h: building file names into fixed buffers without silent truncation:
 * a name that does not fit is an error, not a shorter name.
 */
#ifndef CRM_PATH_H
#define CRM_PATH_H

#include "compat.h"
#include "util/error.h"

/* snprintf into dst; CRM_EINPUT with err set when the result does not fit. */
int crm_path_format(char *dst, size_t cap, struct crm_error *err, const char *fmt, ...) CRM_PRINTF(4, 5);

/* Creates directory path, mode 0700 (it holds customer data); an existing one is fine. */
int crm_mkdir_private(const char *path, struct crm_error *err);

#endif
