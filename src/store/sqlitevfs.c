/*
 * sqlitevfs.c: the SQLite store's VFS, the default one with a rollback
 * journal's writes gathered (sqlitevfs.h). Every file but a main journal is
 * the default VFS's own file, unwrapped; a main journal is wrapped, its
 * methods passing each call through after writing out what was gathered.
 */
#include "compat.h"
#include "store/sqlitevfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

/*
 * How much of a journal is gathered before it is written: 16 pages. The
 * unix VFS writes at most 128 KiB a call (it masks the length), so a
 * larger write would come up short.
 */
#define GATHER_CAP (64 << 10)

/*
 * A main journal: the default VFS's file follows this header, at
 * real_offset(). buf holds len bytes SQLite wrote at `start`, not yet in
 * the file; they are the latest writes, and they continue the file's
 * contents there.
 */
struct journal_file {
	sqlite3_file base;
	sqlite3_file *real;
	char *buf;
	int len;
	sqlite3_int64 start;
};

static sqlite3_vfs vfs;
static sqlite3_vfs *platform;
static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int usable;

/* The real file sits after the header, aligned for any member it holds. */
static size_t real_offset(void)
{
	return (sizeof(struct journal_file) + 15) & ~(size_t)15;
}

/* Writes out what was gathered. Every method but a contiguous write calls it first. */
static int flush(struct journal_file *j)
{
	int rc;

	if (!j->len)
		return SQLITE_OK;
	rc = j->real->pMethods->xWrite(j->real, j->buf, j->len, j->start);
	j->len = 0;
	return rc;
}

static int journal_close(sqlite3_file *f)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j), closed = j->real->pMethods->xClose(j->real);

	sqlite3_free(j->buf);
	j->buf = NULL;
	return rc != SQLITE_OK ? rc : closed;
}

static int journal_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xRead(j->real, out, amt, off);
}

static int journal_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc;

	if (j->len && off == j->start + j->len && j->len + amt <= GATHER_CAP) {
		memcpy(j->buf + j->len, data, (size_t)amt);
		j->len += amt;
		return SQLITE_OK;
	}
	if ((rc = flush(j)) != SQLITE_OK)
		return rc;
	if (amt >= GATHER_CAP / 2 || (!j->buf && !(j->buf = sqlite3_malloc(GATHER_CAP))))
		return j->real->pMethods->xWrite(j->real, data, amt, off); /* large, or no memory: as SQLite wrote it */
	memcpy(j->buf, data, (size_t)amt);
	j->len = amt;
	j->start = off;
	return SQLITE_OK;
}

static int journal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xTruncate(j->real, size);
}

static int journal_sync(sqlite3_file *f, int flags)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xSync(j->real, flags);
}

static int journal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xFileSize(j->real, size);
}

static int journal_lock(sqlite3_file *f, int level)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xLock(j->real, level);
}

static int journal_unlock(sqlite3_file *f, int level)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xUnlock(j->real, level);
}

static int journal_check_reserved(sqlite3_file *f, int *out)
{
	struct journal_file *j = (struct journal_file *)f;

	return j->real->pMethods->xCheckReservedLock(j->real, out);
}

static int journal_file_control(sqlite3_file *f, int op, void *arg)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc = flush(j);

	return rc != SQLITE_OK ? rc : j->real->pMethods->xFileControl(j->real, op, arg);
}

static int journal_sector_size(sqlite3_file *f)
{
	struct journal_file *j = (struct journal_file *)f;

	return j->real->pMethods->xSectorSize(j->real);
}

static int journal_device(sqlite3_file *f)
{
	struct journal_file *j = (struct journal_file *)f;

	return j->real->pMethods->xDeviceCharacteristics(j->real);
}

/* Version 1: a journal is not memory-mapped and has no shared memory. */
static const sqlite3_io_methods journal_methods = {
	1,
	journal_close,
	journal_read,
	journal_write,
	journal_truncate,
	journal_sync,
	journal_file_size,
	journal_lock,
	journal_unlock,
	journal_check_reserved,
	journal_file_control,
	journal_sector_size,
	journal_device,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
};

static int vfs_open(sqlite3_vfs *self, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct journal_file *j = (struct journal_file *)f;
	int rc;

	(void)self;
	if (!(flags & SQLITE_OPEN_MAIN_JOURNAL))
		return platform->xOpen(platform, name, f, flags, out_flags); /* the platform's file, in our space */
	memset(j, 0, sizeof(*j));
	j->real = (sqlite3_file *)((char *)f + real_offset());
	rc = platform->xOpen(platform, name, j->real, flags, out_flags);
	/* a failed open leaves pMethods NULL: SQLite then calls nothing on the file */
	if (rc == SQLITE_OK && j->real->pMethods)
		j->base.pMethods = &journal_methods;
	return rc;
}

static int vfs_delete(sqlite3_vfs *self, const char *name, int sync_dir)
{
	(void)self;
	return platform->xDelete(platform, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *self, const char *name, int flags, int *out)
{
	(void)self;
	return platform->xAccess(platform, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *self, const char *name, int out_len, char *out)
{
	(void)self;
	return platform->xFullPathname(platform, name, out_len, out);
}

static void register_vfs(void)
{
	if (!(platform = sqlite3_vfs_find(NULL)))
		return;
	/*
	 * A copy of the platform's; the file methods pass the platform's VFS on,
	 * the rest (time, randomness, sleep, libraries) are not about files.
	 */
	vfs = *platform;
	vfs.szOsFile = (int)real_offset() + platform->szOsFile;
	vfs.zName = "crmshift-journal-gather";
	vfs.pNext = NULL;
	vfs.xOpen = vfs_open;
	vfs.xDelete = vfs_delete;
	vfs.xAccess = vfs_access;
	vfs.xFullPathname = vfs_full_pathname;
	usable = sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
}

const char *crm_sqlite_vfs_name(void)
{
	pthread_once(&registered, register_vfs);
	return usable ? vfs.zName : NULL;
}
