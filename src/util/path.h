/*
 * path.h: building file names into fixed buffers without silent truncation:
 * a name that does not fit is an error, not a shorter name.
 */
#ifndef CRM_PATH_H
#define CRM_PATH_H

#include "compat.h"
#include "util/error.h"

#include <stdio.h>

/* snprintf into dst; CRM_EINPUT with err set when the result does not fit. */
int crm_path_format(char *dst, size_t cap, struct crm_error *err, const char *fmt, ...) CRM_PRINTF(4, 5);

/* path as the project shows it: relative to dir when inside it, without leading "./". */
const char *crm_path_relative(const char *dir, const char *path);

/*
 * Removes path and, when it is a folder, everything in it. A symbolic link
 * is removed, never followed: what it points at stays. 0, or -1 with errno.
 */
int crm_remove_tree(const char *path);
/* Copies the file from to a new file to (mode 0600, written whole and synced); 0, or an error. */
int crm_file_copy(const char *from, const char *to, struct crm_error *err);

/* Creates directory path, mode 0700 (it holds customer data); an existing one is fine. */
int crm_mkdir_private(const char *path, struct crm_error *err);

/*
 * Calls fn for each regular file of the folder dir/sub, in name order, with
 * its path relative to dir ("sub/name") and its full path. Hidden and
 * temporary (*.tmp) files are left out; a missing folder has no files.
 * Stops at the first error fn sets.
 */
typedef int (*crm_dir_file_fn)(void *ctx, const char *rel, const char *path, struct crm_error *err);
int crm_dir_each_file(const char *dir, const char *sub, crm_dir_file_fn fn, void *ctx, struct crm_error *err);

/*
 * 1 when the relative path rel, read from its base folder, climbs out of
 * it ("../x", "a/../../x"); 0 for an absolute path or one that stays in.
 * Lexical: symlinks inside are the user's own choice.
 */
int crm_path_escapes(const char *rel);

/*
 * 0 when path (symlinks followed) is a regular file that can be read;
 * CRM_EINPUT naming it otherwise: missing, a folder, or a FIFO, socket or
 * device, which would block a read or never end. Checked before an input
 * is opened, without opening it.
 */
int crm_path_check_input(const char *path, struct crm_error *err);

/* Creates path empty, mode 0600, unless it exists (a database about to be opened: it holds customer data). */
int crm_file_create_private(const char *path, struct crm_error *err);

/*
 * Writes (text, len) to path, mode 0644: a file people edit (crmshift.ini,
 * mapping.csv). Unless replace is set the file must not exist (CRM_EINPUT).
 */
int crm_file_write(const char *path, const char *text, size_t len, int replace, struct crm_error *err);

/*
 * A file written whole or not at all: written to path.tmp (mode 0600: it
 * holds customer data), synced and renamed over path on commit.
 */
struct crm_atomic_file {
	FILE *f;
	char path[4096];
	char tmp[4096];
};

int crm_atomic_open(struct crm_atomic_file *af, const char *path, struct crm_error *err);
/* Syncs and renames; on failure (or after err was set by the writer) removes the temporary file. */
int crm_atomic_commit(struct crm_atomic_file *af, struct crm_error *err);

#endif
