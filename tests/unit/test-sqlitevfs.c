/*
 * test-sqlitevfs.c: the SQLite store's VFS gathers the writes to a
 * database and its rollback journal; each other call finds the file as
 * SQLite wrote it, another connection finds a commit, and the journal
 * still restores the database: after a ROLLBACK, and after a writer killed
 * in the middle of a transaction whose pages already went to the database
 * file (a small page cache spills them).
 */
#include "compat.h"
#include "harness.h"
#include "store/sqlitevfs.h"

#include <sqlite3.h>

/* 400 rows of 1,000 bytes: about 120 pages, each rewritten by touch_all. */
#define ROWS 400

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, crm_sqlite_vfs_name()) !=
		    SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int64_t query(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t value = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		value = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return value;
}

/* A database of ROWS rows, all 'a' (the file's path in path). */
static sqlite3 *make_db(char path[64])
{
	sqlite3 *db;

	if (snprintf(path, 64, "%s/vfs-%d.db", harness_scratch(), (int)getpid()) >= 64)
		return NULL;
	unlink(path);
	db = open_db(path);
	if (db && sqlite3_exec(db,
			       "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE n(i) AS (SELECT 1 "
			       "UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO t SELECT i, printf('%.1000c', "
			       "'a') FROM n",
			       NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* Rewrites every row (so every page of t) to 'b' inside the open transaction. */
static int touch_all(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN; UPDATE t SET v = printf('%.1000c', 'b')", NULL, NULL, NULL);
}

/* This process's write calls so far (/proc/self/io's syscw), or -1. */
static int64_t write_calls(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "syscw: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Whether the file holds a run of 'b's: a page the update wrote. */
static int file_holds_b(const char *path)
{
	FILE *f = fopen(path, "rb");
	char page[4096], run[200];
	int found = 0;

	if (!f)
		return 0;
	memset(run, 'b', sizeof(run));
	while (!found && fread(page, 1, sizeof(page), f) == sizeof(page))
		found = memmem(page, sizeof(page), run, sizeof(run)) != NULL;
	fclose(f);
	return found;
}

static void remove_db(const char *path)
{
	char journal[80];

	unlink(path);
	snprintf(journal, sizeof(journal), "%s-journal", path);
	unlink(journal);
}

/* The size of path on disk, as a process other than SQLite sees it (-1: none). */
static long long disk_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* What path holds on disk, as text in out (cap bytes), read without SQLite. */
static const char *disk_text(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;

	if (f)
		fclose(f);
	out[n] = '\0';
	return out;
}

/* Opens a file of kind (SQLITE_OPEN_MAIN_JOURNAL or _MAIN_DB) through the VFS and checks each call on it. */
static void check_each_call(int kind)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(crm_sqlite_vfs_name());
	sqlite3_file *f = NULL;
	char db[64], file[80] = {0}, got[8] = {0}, text[32];
	sqlite3_int64 size = 0;
	int opened = 0, moved = 0;

	REQUIRE(vfs && (f = calloc(1, (size_t)vfs->szOsFile)));
	/* the platform's VFS takes a new journal's permissions from its database */
	REQUIRE(harness_temp_file("", 0, db) == 0);
	snprintf(file, sizeof(file) - 1, "%s%s", db, kind == SQLITE_OPEN_MAIN_JOURNAL ? "-journal" : "-main");
	REQUIRE(vfs->xOpen(vfs, file, f, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | kind, NULL) == SQLITE_OK);
	opened = 1;
	/* contiguous writes wait in memory */
	CHECK_INT(f->pMethods->xWrite(f, "0123", 4, 0), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, "4567", 4, 4), SQLITE_OK);
	CHECK_INT(disk_size(file), 0);
	/* every other call finds the file as SQLite wrote it */
	CHECK_INT(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	CHECK_INT(size, 8);
	CHECK_INT(disk_size(file), 8);
	CHECK_INT(f->pMethods->xWrite(f, "89", 2, 8), SQLITE_OK);
	CHECK_INT(disk_size(file), 8);
	CHECK_INT(f->pMethods->xSync(f, SQLITE_SYNC_NORMAL), SQLITE_OK);
	CHECK_INT(disk_size(file), 10);
	CHECK_INT(f->pMethods->xWrite(f, "ab", 2, 10), SQLITE_OK);
	CHECK_INT(f->pMethods->xRead(f, got, 4, 8), SQLITE_OK);
	CHECK_STR(got, "89ab");
	CHECK_INT(f->pMethods->xWrite(f, "cd", 2, 12), SQLITE_OK);
	CHECK_INT(f->pMethods->xTruncate(f, 11), SQLITE_OK);
	CHECK_INT(disk_size(file), 11);
	/* taking or giving up a lock, and a file control */
	CHECK_INT(f->pMethods->xWrite(f, "gh", 2, 11), SQLITE_OK);
	CHECK_INT(f->pMethods->xLock(f, SQLITE_LOCK_SHARED), SQLITE_OK);
	CHECK_INT(disk_size(file), 13);
	CHECK_INT(f->pMethods->xWrite(f, "ij", 2, 13), SQLITE_OK);
	CHECK_INT(f->pMethods->xUnlock(f, SQLITE_LOCK_NONE), SQLITE_OK);
	CHECK_INT(disk_size(file), 15);
	CHECK_INT(f->pMethods->xWrite(f, "kl", 2, 15), SQLITE_OK);
	CHECK_INT(f->pMethods->xFileControl(f, SQLITE_FCNTL_HAS_MOVED, &moved), SQLITE_OK);
	CHECK_INT(disk_size(file), 17);
	/* a write elsewhere (a header rewritten) lands after what came before it */
	CHECK_INT(f->pMethods->xWrite(f, "X", 1, 0), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, "ef", 2, 17), SQLITE_OK);
	CHECK_INT(f->pMethods->xClose(f), SQLITE_OK);
	opened = 0;
	CHECK_INT(disk_size(file), 19);
	CHECK_STR(disk_text(file, text, sizeof(text)), "X123456789aghijklef");
cleanup:
	if (opened)
		f->pMethods->xClose(f);
	free(f);
	unlink(file);
	unlink(db);
}

static void test_sqlitevfs__a_journal_is_on_disk_before_each_other_call(void)
{
	check_each_call(SQLITE_OPEN_MAIN_JOURNAL);
}

static void test_sqlitevfs__a_database_is_on_disk_before_each_other_call(void)
{
	check_each_call(SQLITE_OPEN_MAIN_DB);
}

static void test_sqlitevfs__journal_writes_are_gathered(void)
{
	char path[64];
	sqlite3 *db = NULL;
	int64_t pages, before, calls;

	REQUIRE(crm_sqlite_vfs_name());
	REQUIRE((db = make_db(path)));
	pages = query(db, "PRAGMA page_count");
	CHECK(pages > 100);
	before = write_calls();
	REQUIRE(before >= 0);
	CHECK_INT(touch_all(db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	/*
	 * Each page goes to the journal once (SQLite's three calls a page) and
	 * to the database once: 4 calls a page as SQLite makes them, and here
	 * a call for 16 pages' records and one for 16 pages in a row.
	 */
	calls = write_calls() - before;
	CHECK(calls > 0);
	CHECK(calls < pages / 4);
	CHECK_INT(query(db, "SELECT count(*) FROM t WHERE v LIKE 'b%'"), ROWS);
cleanup:
	sqlite3_close(db);
	remove_db(path);
}

static void test_sqlitevfs__a_commit_is_in_the_file_when_its_lock_is_released(void)
{
	char path[64];
	sqlite3 *db = NULL, *other = NULL;

	REQUIRE((db = make_db(path)));
	/* no sync at the commit: only the lock's release writes out the last pages */
	CHECK_INT(sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(touch_all(db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	REQUIRE(sqlite3_open_v2(path, &other, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	CHECK_INT(query(other, "SELECT count(*) FROM t WHERE v LIKE 'b%'"), ROWS);
	CHECK_INT(query(other, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
cleanup:
	sqlite3_close(other);
	sqlite3_close(db);
	remove_db(path);
}

static void test_sqlitevfs__rollback_reads_back_what_was_gathered(void)
{
	char path[64];
	sqlite3 *db = NULL;

	REQUIRE((db = make_db(path)));
	/* a page cache of 10 pages: the update spills pages to the file before its end */
	CHECK_INT(sqlite3_exec(db, "PRAGMA cache_size = 10", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(touch_all(db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(query(db, "SELECT count(*) FROM t WHERE v LIKE 'a%'"), ROWS);
	CHECK_INT(query(db, "SELECT count(*) FROM t"), ROWS);
cleanup:
	sqlite3_close(db);
	remove_db(path);
}

static void test_sqlitevfs__a_killed_writer_is_undone_by_its_journal(void)
{
	char path[64], journal[80];
	sqlite3 *db = NULL;
	struct stat st;
	pid_t child;
	int status = -1;

	REQUIRE((db = make_db(path)));
	sqlite3_close(db);
	db = NULL;
	child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		/*
		 * Spilled pages are in the database file; the journal's last
		 * records may be gathered only. _exit leaves both as a kill -9 does.
		 */
		sqlite3 *w = open_db(path);
		_exit(w && sqlite3_exec(w, "PRAGMA cache_size = 10", NULL, NULL, NULL) == SQLITE_OK &&
				      touch_all(w) == SQLITE_OK
			      ? 0
			      : 1);
	}
	REQUIRE(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(journal, sizeof(journal), "%s-journal", path);
	CHECK(stat(journal, &st) == 0 && st.st_size > 0); /* a hot journal was left */
	CHECK(file_holds_b(path));			  /* and pages of the update in the database */
	REQUIRE((db = open_db(path)));
	CHECK_INT(query(db, "SELECT count(*) FROM t WHERE v LIKE 'a%'"), ROWS);
	CHECK_INT(query(db, "SELECT count(*) FROM t"), ROWS);
	CHECK_INT(query(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
cleanup:
	sqlite3_close(db);
	remove_db(path);
}

static const struct harness_test tests[] = {
	TEST(test_sqlitevfs__a_journal_is_on_disk_before_each_other_call),
	TEST(test_sqlitevfs__a_database_is_on_disk_before_each_other_call),
	TEST(test_sqlitevfs__a_commit_is_in_the_file_when_its_lock_is_released),
	TEST(test_sqlitevfs__journal_writes_are_gathered),
	TEST(test_sqlitevfs__rollback_reads_back_what_was_gathered),
	TEST_UNSWEPT(test_sqlitevfs__a_killed_writer_is_undone_by_its_journal),
};

HARNESS_MAIN
