/*
 * store.c: picking a backend from the target URL.
 */
#include "compat.h"
#include "store/store.h"
#include "util/alloc.h"

#include <sodium.h>
#include <string.h>

struct crm_store *crm_store_open(const char *url, const char *base_dir, int create, struct crm_error *err)
{
	struct crm_store *store = NULL;

	/* customer ids and identities are drawn from libsodium's generator */
	if (sodium_init() < 0) {
		crm_error_set(err, CRM_EINTERNAL, "libsodium failed to initialise");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		const char *rel = url + 7;
		char *path;
		size_t dlen = strlen(base_dir), rlen = strlen(rel);
		if (!rlen) {
			crm_error_set(err, CRM_EINPUT, "target url '%s' names no file", url);
			return NULL;
		}
		path = crm_malloc(dlen + rlen + 2);
		if (!path) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
		if (rel[0] == '/') {
			memcpy(path, rel, rlen + 1);
		} else {
			memcpy(path, base_dir, dlen);
			path[dlen] = '/';
			memcpy(path + dlen + 1, rel, rlen + 1);
		}
		store = crm_sqlite_store_open(path, create, err);
		crm_free(path);
	} else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
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
