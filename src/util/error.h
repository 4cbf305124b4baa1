/*
 * error.h: how library code reports failure. A fallible function returns 0
 * or a negative CRM_E* code (or NULL) and fills the caller's struct crm_error.
 * The first failure wins: crm_error_set() leaves an already-set error alone,
 * so a caller can chain calls and check once. The message buffer is fixed so
 * that running out of memory can still be reported.
 *
 * Not for printing: only cli/ turns an error into text on stderr and an exit
 * code (crm_error_exit_code()).
 */
#ifndef CRM_ERROR_H
#define CRM_ERROR_H

#include "compat.h"

enum crm_errcode {
	CRM_OK = 0,
	CRM_EINPUT = -1,    /* bad data, config or mapping: exit 1 */
	CRM_EUSAGE = -2,    /* bad command line: exit 2 */
	CRM_ENOGO = -3,	    /* a verification failed: exit 3 */
	CRM_EREFUSED = -4,  /* a gate or policy refused: exit 4 */
	CRM_EIO = -5,	    /* I/O or database failure: exit 5 */
	CRM_ENOMEM = -6,    /* out of memory: exit 5 */
	CRM_EINTERNAL = -7, /* a bug: exit 5 */
};

enum crm_exit {
	CRM_EXIT_OK = 0,
	CRM_EXIT_INPUT = 1,
	CRM_EXIT_USAGE = 2,
	CRM_EXIT_NOGO = 3,
	CRM_EXIT_REFUSED = 4,
	CRM_EXIT_FAILURE = 5,
};

#define CRM_ERROR_MSG_MAX 1024

struct crm_error {
	int code;
	char msg[CRM_ERROR_MSG_MAX];
};

#define CRM_ERROR_INIT                                                                                                 \
	{                                                                                                              \
		0,                                                                                                     \
		{                                                                                                      \
			0                                                                                              \
		}                                                                                                      \
	}

/* Sets code and message unless err already holds an error; returns code. */
int crm_error_set(struct crm_error *err, int code, const char *fmt, ...) CRM_PRINTF(3, 4);

void crm_error_clear(struct crm_error *err);

/* The process exit code (enum crm_exit) for an error code. */
int crm_error_exit_code(int code);

#endif
