/*
 * fault.c: fault-injection points (fault.h).
 */
#include "compat.h"
#include "util/fault.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void crm_fault_point(const char *name)
{
	static const char *want;
	static size_t want_len;
	static long countdown;
	static int read, log_fd = -1;
	const char *colon, *log;

	if (!read) {
		read = 1;
		log = getenv("CRMSHIFT_FAULT_LOG");
		if (log)
			log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		want = getenv("CRMSHIFT_FAULT");
		if (want) {
			colon = strchr(want, ':');
			want_len = colon ? (size_t)(colon - want) : strlen(want);
			countdown = colon ? strtol(colon + 1, NULL, 10) : 1;
		}
	}
	if (log_fd >= 0) {
		char line[64];
		int len = snprintf(line, sizeof(line), "%.62s\n", name);
		if (write(log_fd, line, (size_t)len) != len)
			log_fd = -1; /* a test's log it cannot write: the points still work */
	}
	if (!want || strlen(name) != want_len || strncmp(name, want, want_len) != 0)
		return;
	if (--countdown == 0)
		raise(SIGKILL);
}
