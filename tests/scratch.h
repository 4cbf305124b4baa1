/*
 * scratch.h: a folder of the process's own for the files a test or a
 * fuzzing harness writes, BASE/NAME-PID-XXXXXX, made when first asked and
 * removed with what it holds when the process exits. A forked child makes
 * and removes its own, so a child stopped half-way (the unit harness's
 * allocation sweep) leaves nothing behind.
 */
#ifndef CRM_TEST_SCRATCH_H
#define CRM_TEST_SCRATCH_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch_path[64]; /* a short base: the tests' paths under it fit their buffers */
static pid_t scratch_owner;

static inline int scratch_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void scratch_remove(void)
{
	if (scratch_owner == getpid())
		nftw(scratch_path, scratch_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * The folder under base ($TMPDIR or /tmp when NULL). Aborts when it cannot
 * be made (or base is too long for it): no run is valid without it.
 */
static inline const char *scratch_dir(const char *base, const char *name)
{
	if (scratch_owner != getpid()) {
		int first = scratch_owner == 0;
		if (!base)
			base = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		if (snprintf(scratch_path, sizeof(scratch_path), "%s/%s-%ld-XXXXXX", base, name, (long)getpid()) >=
			    (int)sizeof(scratch_path) ||
		    !mkdtemp(scratch_path)) {
			perror("scratch folder");
			abort();
		}
		scratch_owner = getpid();
		if (first)
			atexit(scratch_remove);
	}
	return scratch_path;
}

#endif
