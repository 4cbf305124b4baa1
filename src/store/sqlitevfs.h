/*
 * sqlitevfs.h: the file layer the SQLite store opens its databases through.
 * It is the platform's own (unix) with one difference: what SQLite writes
 * to a rollback journal is gathered in memory and written 64 KiB at a
 * time. SQLite journals a page as three writes (its number, the page, a
 * checksum), so a sync that journals 17,000 pages made 51,000 write calls.
 *
 * Nothing SQLite relies on changes: the gathered writes reach the file
 * before any other operation on the journal (a read, a sync, its size, a
 * truncation, a lock, its close), so the journal is on disk, whole, before
 * a page of the database it protects is overwritten (SQLite syncs it first
 * whenever synchronous is not OFF; crmshift never sets OFF). A kill loses
 * only journal bytes no database write depended on yet.
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
