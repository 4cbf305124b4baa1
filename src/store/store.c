/*
 * store.c: picking a backend from the target URL.
 */
#include "compat.h"
#include "store/store.h"
#include "util/alloc.h"

#include <string.h>

struct crm_store *crm_store_open(const char *url, const char *base_dir, struct crm_error *err)
{
	struct crm_store *store = NULL;

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
		store = crm_sqlite_store_open(path, err);
		crm_free(path);
	} else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0 ||
		   strncmp(url, "csv:", 4) == 0) {
		crm_error_set(err, CRM_EINPUT, "target '%s': this version of crmshift writes to sqlite: targets only",
			      url);
		return NULL;
	} else {
		crm_error_set(err, CRM_EINPUT, "target url '%s' has an unknown scheme (use sqlite:FILE)", url);
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
