/*
 * error.c: filling struct crm_error. Messages are truncated, never overflow.
 */
#include "compat.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int crm_error_set(struct crm_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void crm_error_clear(struct crm_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

int crm_error_exit_code(int code)
{
	switch (code) {
	case CRM_OK:
		return CRM_EXIT_OK;
	case CRM_EINPUT:
		return CRM_EXIT_INPUT;
	case CRM_EUSAGE:
		return CRM_EXIT_USAGE;
	case CRM_ENOGO:
		return CRM_EXIT_NOGO;
	case CRM_EREFUSED:
		return CRM_EXIT_REFUSED;
	default:
		return CRM_EXIT_FAILURE;
	}
}
