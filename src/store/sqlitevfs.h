/*
 * sqlitevfs.h: the file layer the SQLite store opens its databases through.
 * It is the platform's own (unix) with one difference: what SQLite writes
 * to a database or to its rollback journal is gathered in memory while it
 * runs on, and written 64 KiB at a time. SQLite journals a page as three
 * write calls (its number, the page, a checksum) and writes each page of a
 * commit with one, in the order of the file.
 *
 * Nothing SQLite relies on changes: the gathered writes reach the file
 * before any other operation on it (a read, a sync, its size, a
 * truncation, a lock taken or given up, a file control, its close). So the
 * journal is on disk, whole, before a page of the database it protects is
 * overwritten (SQLite syncs it first whenever synchronous is not OFF), and
 * a database's pages are in the file before its exclusive lock is given
 * up, that is before any other connection may read them. A kill loses only
 * bytes that no write depended on yet. That needs the syncs: with
 * synchronous OFF, which crmshift never sets, a commit's pages would be
 * written out only after its journal was deleted.
 */
#ifndef CRM_SQLITEVFS_H
#define CRM_SQLITEVFS_H

/*
 * The name of that VFS for sqlite3_open_v2, registered at the first call
 * (thread-safe), or NULL when it could not be (out of memory, no default
 * VFS): the caller then opens with SQLite's default.
 */
const char *crm_sqlite_vfs_name(void);

#endif
