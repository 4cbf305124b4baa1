/*
 * sqlitevfs.c: the SQLite store's VFS, the default one with the writes to
 * a database and to its rollback journal gathered (sqlitevfs.h). Those two
 * kinds of file are wrapped, their methods passing each call through after
 * writing out what was gathered; every other file (statement journals, a
 * commit's super-journal, temporary files) is the default VFS's own,
 * unwrapped.
 */
#include "compat.h"
#include "store/sqlitevfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

/*
 * How much is gathered before it is written: 16 pages. The unix VFS
 * writes at most 128 KiB a call (it masks the length), so a larger write
 * would come up short.
 */
#define GATHER_CAP (64 << 10)

/*
 * A database or main journal: the default VFS's file follows this header,
 * at real_offset(). buf holds len bytes SQLite wrote at `start`, not yet
 * in the file; they are the latest writes, one contiguous run.
 */
struct gathered_file {
	sqlite3_file base;
	sqlite3_file *real;
	char *buf;
	int len;
	sqlite3_int64 start;
	int direct; /* a WAL database's: written as SQLite writes it */
};

static sqlite3_vfs vfs;
static sqlite3_vfs *platform;
static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int usable;

/* The real file sits after the header, aligned for any member it holds. */
static size_t real_offset(void)
{
	return (sizeof(struct gathered_file) + 15) & ~(size_t)15;
}

/* Writes out what was gathered. Every method but a contiguous write calls it first. */
static int flush(struct gathered_file *g)
{
	int rc;

	if (!g->len)
		return SQLITE_OK;
	rc = g->real->pMethods->xWrite(g->real, g->buf, g->len, g->start);
	g->len = 0;
	return rc;
}

/* f's real file, with what was gathered written out; NULL (and *rc) when that failed. */
static sqlite3_file *flushed(sqlite3_file *f, int *rc)
{
	struct gathered_file *g = (struct gathered_file *)f;

	*rc = flush(g);
	return *rc == SQLITE_OK ? g->real : NULL;
}

static int gathered_close(sqlite3_file *f)
{
	struct gathered_file *g = (struct gathered_file *)f;
	int rc = flush(g), closed = g->real->pMethods->xClose(g->real);

	sqlite3_free(g->buf);
	g->buf = NULL;
	return rc != SQLITE_OK ? rc : closed;
}

static int gathered_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
	struct gathered_file *g = (struct gathered_file *)f;
	int rc;

	if (g->direct)
		return g->real->pMethods->xWrite(g->real, data, amt, off);
	if (g->len && off == g->start + g->len && g->len + amt <= GATHER_CAP) {
		memcpy(g->buf + g->len, data, (size_t)amt);
		g->len += amt;
		return SQLITE_OK;
	}
	if ((rc = flush(g)) != SQLITE_OK)
		return rc;
	if (amt >= GATHER_CAP / 2 || (!g->buf && !(g->buf = sqlite3_malloc(GATHER_CAP))))
		return g->real->pMethods->xWrite(g->real, data, amt, off); /* large, or no memory: as SQLite wrote it */
	memcpy(g->buf, data, (size_t)amt);
	g->len = amt;
	g->start = off;
	return SQLITE_OK;
}

static int gathered_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xRead(real, out, amt, off) : rc;
}

static int gathered_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xTruncate(real, size) : rc;
}

static int gathered_sync(sqlite3_file *f, int flags)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xSync(real, flags) : rc;
}

static int gathered_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xFileSize(real, size) : rc;
}

/*
 * A database's pages are written under its exclusive lock: flushed before
 * the lock is given up, they are in the file before another connection,
 * in this process or another, may read it.
 */
static int gathered_lock(sqlite3_file *f, int level)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xLock(real, level) : rc;
}

static int gathered_unlock(sqlite3_file *f, int level)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xUnlock(real, level) : rc;
}

static int gathered_check_reserved(sqlite3_file *f, int *out)
{
	sqlite3_file *real = ((struct gathered_file *)f)->real;

	return real->pMethods->xCheckReservedLock(real, out);
}

static int gathered_file_control(sqlite3_file *f, int op, void *arg)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	return real ? real->pMethods->xFileControl(real, op, arg) : rc;
}

static int gathered_sector_size(sqlite3_file *f)
{
	sqlite3_file *real = ((struct gathered_file *)f)->real;

	return real->pMethods->xSectorSize(real);
}

static int gathered_device(sqlite3_file *f)
{
	sqlite3_file *real = ((struct gathered_file *)f)->real;

	return real->pMethods->xDeviceCharacteristics(real);
}

/*
 * Shared memory (a WAL database's, until crmshift turns it to a rollback
 * journal) and memory mapping: passed through, after a flush, when the
 * real file has them. A database with shared memory is written as SQLite
 * writes it from then on: its readers learn of a checkpoint's pages
 * through that memory, not through a call here.
 */
static int gathered_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	((struct gathered_file *)f)->direct = 1;
	if (!real)
		return rc;
	return real->pMethods->iVersion >= 2 ? real->pMethods->xShmMap(real, region, size, extend, out)
					     : SQLITE_IOERR_SHMMAP;
}

static int gathered_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	if (!real)
		return rc;
	return real->pMethods->iVersion >= 2 ? real->pMethods->xShmLock(real, offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}

static void gathered_shm_barrier(sqlite3_file *f)
{
	sqlite3_file *real = ((struct gathered_file *)f)->real;

	if (real->pMethods->iVersion >= 2)
		real->pMethods->xShmBarrier(real);
}

static int gathered_shm_unmap(sqlite3_file *f, int delete_flag)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	if (!real)
		return rc;
	return real->pMethods->iVersion >= 2 ? real->pMethods->xShmUnmap(real, delete_flag) : SQLITE_OK;
}

static int gathered_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
	int rc;
	sqlite3_file *real = flushed(f, &rc);

	*out = NULL; /* no mapping: SQLite reads the page instead */
	if (!real)
		return rc;
	return real->pMethods->iVersion >= 3 ? real->pMethods->xFetch(real, off, amt, out) : SQLITE_OK;
}

static int gathered_unfetch(sqlite3_file *f, sqlite3_int64 off, void *page)
{
	sqlite3_file *real = ((struct gathered_file *)f)->real;

	return real->pMethods->iVersion >= 3 ? real->pMethods->xUnfetch(real, off, page) : SQLITE_OK;
}

static const sqlite3_io_methods gathered_methods = {
	3,
	gathered_close,
	gathered_read,
	gathered_write,
	gathered_truncate,
	gathered_sync,
	gathered_file_size,
	gathered_lock,
	gathered_unlock,
	gathered_check_reserved,
	gathered_file_control,
	gathered_sector_size,
	gathered_device,
	gathered_shm_map,
	gathered_shm_lock,
	gathered_shm_barrier,
	gathered_shm_unmap,
	gathered_fetch,
	gathered_unfetch,
};

static int vfs_open(sqlite3_vfs *self, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct gathered_file *g = (struct gathered_file *)f;
	int rc;

	(void)self;
	if (!(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL)))
		return platform->xOpen(platform, name, f, flags, out_flags); /* the platform's file, in our space */
	memset(g, 0, sizeof(*g));
	g->real = (sqlite3_file *)((char *)f + real_offset());
	rc = platform->xOpen(platform, name, g->real, flags, out_flags);
	/* a failed open leaves pMethods NULL: SQLite then calls nothing on the file */
	if (rc == SQLITE_OK && g->real->pMethods)
		g->base.pMethods = &gathered_methods;
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
	vfs.zName = "crmshift-gather";
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
