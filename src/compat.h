/*
 * compat.h: the one header every .c includes first. It selects the POSIX
 * and glibc interfaces crmshift uses (fileno, setenv, gmtime_r, iconv) while
 * the language stays C11, so feature macros live here and nowhere else.
 */
#ifndef CRM_COMPAT_H
#define CRM_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stddef.h>
#include <stdint.h>

#define CRM_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#define CRM_ARRAY_COUNT(a)	     (sizeof(a) / sizeof((a)[0]))

#endif
