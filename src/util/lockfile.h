/*
 * lockfile.h: an exclusive lock held by a running process on a file, and
 * who holds it. The lock is the kernel's (flock), so it ends with the
 * process however the process ends: a kill -9 leaves no lock to clear,
 * only the holder's description, which the next taker reads as "left by a
 * process that stopped" and replaces. Used for the project lock: one acting
 * command at a time on a project (cli/).
 */
#ifndef CRM_LOCKFILE_H
#define CRM_LOCKFILE_H

#include "compat.h"
#include "util/error.h"

struct crm_lockfile {
	int fd; /* -1 when not held */
	/* taken over: what the previous holder, which stopped without releasing, wrote ("" when none) */
	char left_by[256];
};

/*
 * Takes the lock on path (created mode 0600 when absent) and writes holder
 * (one line: who and since when) into it. When another process holds it:
 * CRM_EREFUSED with err naming path and that process's holder line. Never
 * waits.
 */
int crm_lockfile_take(struct crm_lockfile *lock, const char *path, const char *holder, struct crm_error *err);
/* Empties the holder line and releases the lock; a lock not held is fine. */
void crm_lockfile_release(struct crm_lockfile *lock);

#endif
