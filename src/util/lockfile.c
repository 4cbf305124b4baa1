/*
 * lockfile.c: flock(2) on a file that also says who holds it. The file is
 * never removed: removing it while another process waits on the same inode
 * would let a third take a new file's lock beside it. Released, it is
 * emptied, so a non-empty file found when the lock is free was left by a
 * holder that stopped without releasing.
 */
#include "compat.h"
#include "util/lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The holder line in fd (its first line, at most cap - 1 bytes), "" when none. */
static void read_holder(int fd, char *out, size_t cap)
{
	ssize_t n = pread(fd, out, cap - 1, 0);
	char *nl;

	out[n > 0 ? n : 0] = '\0';
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
}

int crm_lockfile_take(struct crm_lockfile *lock, const char *path, const char *holder, struct crm_error *err)
{
	char line[512];
	size_t len;
	int fd;

	lock->fd = -1;
	lock->left_by[0] = '\0';
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return crm_error_set(err, CRM_EIO, "cannot open the lock '%s': %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;
		if (busy)
			read_holder(fd, line, sizeof(line));
		close(fd);
		if (!busy)
			return crm_error_set(err, CRM_EIO, "cannot lock '%s': %s", path, strerror(errno));
		return crm_error_set(err, CRM_EREFUSED, "%s is held by %s", path,
				     line[0] ? line : "a process that has not said who it is yet");
	}
	read_holder(fd, lock->left_by, sizeof(lock->left_by));
	len = (size_t)snprintf(line, sizeof(line), "%s\n", holder);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, len, 0) != (ssize_t)len) {
		crm_error_set(err, CRM_EIO, "cannot write the lock '%s': %s", path, strerror(errno));
		close(fd);
		return err->code;
	}
	lock->fd = fd;
	return 0;
}

void crm_lockfile_release(struct crm_lockfile *lock)
{
	if (lock->fd < 0)
		return;
	{
		/*
	 * Emptied first: a holder line in a free lock means its holder stopped
	 * without releasing. When it cannot be, the lock ends with close all
	 * the same; the next taker only reports a holder that stopped.
	 */
		int emptied = ftruncate(lock->fd, 0) == 0;

		(void)emptied;
		close(lock->fd);
	}
	lock->fd = -1;
}
