/*
 * store.c: picking a backend from the target URL.
 */
#include "compat.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/path.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The file a "sqlite:PATH" url names: PATH, relative to base_dir unless absolute. */
static int sqlite_file(const char *url, const char *base_dir, char *path, size_t cap, struct crm_error *err)
{
	const char *rel = url + 7;

	if (!*rel)
		return crm_error_set(err, CRM_EINPUT, "target url '%s' names no file", url);
	return rel[0] == '/' ? crm_path_format(path, cap, err, "%s", rel)
			     : crm_path_format(path, cap, err, "%s/%s", base_dir, rel);
}

static int is_postgres(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

struct crm_store *crm_store_open(const char *url, const char *base_dir, int create, struct crm_error *err)
{
	struct crm_store *store = NULL;

	/* customer ids and identities are drawn from libsodium's generator */
	if (sodium_init() < 0) {
		crm_error_set(err, CRM_EINTERNAL, "libsodium failed to initialise");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		char path[PATH_MAX];
		if (sqlite_file(url, base_dir, path, sizeof(path), err))
			return NULL;
		store = crm_sqlite_store_open(path, create, err);
	} else if (is_postgres(url)) {
		store = crm_postgres_store_open(url, err);
	} else {
		crm_error_set(err, CRM_EINPUT,
			      "target url '%s' has an unknown scheme (use sqlite:FILE or postgres://USER@HOST:PORT/DB)",
			      url);
		return NULL;
	}
	if (store) {
		store->url = crm_strdup(url);
		if (!store->url) {
			store->ops->close(store);
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
	}
	return store;
}

void crm_store_close(struct crm_store *store)
{
	char *url;

	if (!store)
		return;
	url = store->url;
	store->ops->close(store);
	crm_free(url);
}

struct crm_store_stmt *crm_stmt_prepare(struct crm_store *store, const char *sql, struct crm_error *err)
{
	return store->ops->stmt_prepare(store, sql, err);
}

void crm_stmt_int64(struct crm_store_stmt *stmt, int index, int64_t value)
{
	stmt->store->ops->stmt_bind_int64(stmt, index, value);
}

void crm_stmt_double(struct crm_store_stmt *stmt, int index, double value)
{
	stmt->store->ops->stmt_bind_double(stmt, index, value);
}

void crm_stmt_text(struct crm_store_stmt *stmt, int index, const char *text, size_t len)
{
	stmt->store->ops->stmt_bind_text(stmt, index, text, len);
}

void crm_stmt_str(struct crm_store_stmt *stmt, int index, const char *text)
{
	stmt->store->ops->stmt_bind_text(stmt, index, text, text ? strlen(text) : 0);
}

int crm_stmt_step(struct crm_store_stmt *stmt, struct crm_error *err)
{
	return stmt->store->ops->stmt_step(stmt, err);
}

int64_t crm_stmt_col_int64(struct crm_store_stmt *stmt, int col)
{
	return stmt->store->ops->stmt_int64(stmt, col);
}

double crm_stmt_col_double(struct crm_store_stmt *stmt, int col)
{
	return stmt->store->ops->stmt_double(stmt, col);
}

const char *crm_stmt_col_text(struct crm_store_stmt *stmt, int col, size_t *len)
{
	return stmt->store->ops->stmt_text(stmt, col, len);
}

void crm_stmt_reset(struct crm_store_stmt *stmt)
{
	stmt->store->ops->stmt_reset(stmt);
}

void crm_stmt_finalize(struct crm_store_stmt *stmt)
{
	if (stmt)
		stmt->store->ops->stmt_finalize(stmt);
}

/* Copies from to to, with a rollback journal left by a crash beside it (its copy rolls back as the original would). */
static int copy_database(const char *from, const char *to, struct crm_error *err)
{
	char journal_from[PATH_MAX], journal_to[PATH_MAX];

	if (access(from, F_OK) != 0)
		return 0;
	if (crm_file_copy(from, to, err))
		return err->code;
	if (crm_path_format(journal_from, sizeof(journal_from), err, "%s-journal", from) ||
	    crm_path_format(journal_to, sizeof(journal_to), err, "%s-journal", to))
		return err->code;
	return access(journal_from, F_OK) == 0 ? crm_file_copy(journal_from, journal_to, err) : 0;
}

int crm_store_copy(const char *url, const char *base_dir, const char *state_path, const char *into, char *url_out,
		   size_t cap, struct crm_error *err)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (is_postgres(url))
		return crm_postgres_copy(url, into, url_out, cap, err);
	if (strncmp(url, "sqlite:", 7) != 0)
		return crm_error_set(err, CRM_EINPUT, "target url '%s' has an unknown scheme", url);
	if (sqlite_file(url, base_dir, from, sizeof(from), err) ||
	    crm_path_format(to, sizeof(to), err, "%s/target.db", into) ||
	    crm_path_format(url_out, cap, err, "sqlite:%s", to) || copy_database(from, to, err) ||
	    crm_path_format(to, sizeof(to), err, "%s/state.db", into))
		return err->code;
	return copy_database(state_path, to, err);
}

int crm_store_copy_remove(const char *url, const char *into, struct crm_error *err)
{
	return is_postgres(url) ? crm_postgres_copy_remove(url, into, err) : 0;
}
