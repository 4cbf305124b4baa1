/*
 * fault.c: fault-injection points (fault.h).
 */
#include "compat.h"
#include "util/fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void crm_fault_point(const char *name)
{
	static const char *want;
	static size_t want_len;
	static long countdown;
	static int read;
	const char *colon;

	if (!read) {
		read = 1;
		want = getenv("CRMSHIFT_FAULT");
		if (want) {
			colon = strchr(want, ':');
			want_len = colon ? (size_t)(colon - want) : strlen(want);
			countdown = colon ? strtol(colon + 1, NULL, 10) : 1;
		}
	}
	if (!want || strlen(name) != want_len || strncmp(name, want, want_len) != 0)
		return;
	if (--countdown == 0)
		raise(SIGKILL);
}
