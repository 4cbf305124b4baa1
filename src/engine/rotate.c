/*
 * rotate.c: resealing the files at rest under a new key, then naming it in
 * crmshift.ini.
 */
#include "compat.h"
#include "engine/rotate.h"
#include "audit/seal.h"
#include "util/alloc.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const sealed_dirs[] = {"reports", ".crmshift/snapshots"};

/* One sealed file: under the new key already, resealed from the old, or counted as foreign. */
static int rotate_file(const char *path, const char *shown, const struct crm_key *old_key,
		       const struct crm_key *new_key, struct crm_rotate_result *res, struct crm_error *err)
{
	char id[CRM_KEY_ID], *plain = NULL;
	size_t plain_len = 0;
	FILE *mem;
	int sealed = crm_seal_key_id(path, id, err);

	if (sealed < 0)
		return err->code;
	if (!sealed)
		return 0; /* named .enc, but not a sealed file: not crmshift's */
	if (strcmp(id, new_key->id) == 0) {
		res->already++;
		return 0;
	}
	if (strcmp(id, old_key->id) != 0) {
		if (!res->foreign++) {
			snprintf(res->first_foreign, sizeof(res->first_foreign), "%s", shown);
			memcpy(res->foreign_key, id, sizeof(res->foreign_key));
		}
		return 0;
	}
	/* in memory, never on disk in plain text */
	mem = open_memstream(&plain, &plain_len);
	if (!mem)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	crm_seal_read(path, old_key, mem, err);
	if (fclose(mem) != 0 && !err->code)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!err->code && !crm_seal_save(path, plain, plain_len, new_key, err))
		res->resealed++;
	if (plain) {
		sodium_memzero(plain, plain_len);
		free(plain);
	}
	return err->code;
}

/* crmshift.ini with its key_file line replaced, written whole and with the mode it had. */
static int rewrite_config(const struct crm_config *cfg, const char *new_key_path, struct crm_error *err)
{
	struct crm_atomic_file af;
	struct stat st;
	unsigned long line = 0;
	char text[8192];
	FILE *in;

	in = fopen(cfg->path, "rb");
	if (!in || fstat(fileno(in), &st) != 0) {
		if (in)
			fclose(in);
		return crm_error_set(err, CRM_EIO, "cannot read '%s': %s", cfg->path, strerror(errno));
	}
	if (crm_atomic_open(&af, cfg->path, err)) {
		fclose(in);
		return err->code;
	}
	while (fgets(text, sizeof(text), in)) {
		int whole = strchr(text, '\n') != NULL;
		if (line + 1 == cfg->key_file_line)
			fprintf(af.f, "key_file = %s%s", new_key_path, whole ? "\n" : "");
		else
			fputs(text, af.f);
		line += whole;
	}
	if (ferror(in))
		crm_error_set(err, CRM_EIO, "cannot read '%s': %s", cfg->path, strerror(errno));
	fclose(in);
	if (crm_atomic_commit(&af, err))
		return err->code;
	if (chmod(cfg->path, st.st_mode & 07777) != 0)
		return crm_error_set(err, CRM_EIO, "'%s': %s", cfg->path, strerror(errno));
	return 0;
}

int crm_keys_rotate(const struct crm_config *cfg, const struct crm_key *old_key, const struct crm_key *new_key,
		    const char *new_key_path, struct crm_rotate_result *res, struct crm_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX], shown[PATH_MAX];
	struct dirent **names;
	size_t d;
	int n, i;

	memset(res, 0, sizeof(*res));
	for (d = 0; d < CRM_ARRAY_COUNT(sealed_dirs) && !err->code; d++) {
		if (crm_path_format(dir, sizeof(dir), err, "%s/%s", cfg->dir, sealed_dirs[d]))
			return err->code;
		n = scandir(dir, &names, NULL, alphasort);
		if (n < 0) {
			if (errno == ENOENT)
				continue;
			return crm_error_set(err, CRM_EIO, "'%s': %s", dir, strerror(errno));
		}
		for (i = 0; i < n; i++) {
			const char *name = names[i]->d_name;
			size_t len = strlen(name);
			if (!err->code && len > strlen(CRM_SEAL_SUFFIX) &&
			    strcmp(name + len - strlen(CRM_SEAL_SUFFIX), CRM_SEAL_SUFFIX) == 0 &&
			    !crm_path_format(path, sizeof(path), err, "%s/%s", dir, name) &&
			    !crm_path_format(shown, sizeof(shown), err, "%s/%s", sealed_dirs[d], name))
				rotate_file(path, shown, old_key, new_key, res, err);
			free(names[i]);
		}
		free(names);
	}
	if (err->code)
		return err->code;
	if (res->foreign)
		return crm_error_set(err, CRM_EREFUSED,
				     "%zu sealed file%s under neither key (first: %s, under key %s): left as they are, "
				     "and crmshift.ini still names the old key",
				     res->foreign, res->foreign == 1 ? " is" : "s are", res->first_foreign,
				     res->foreign_key);
	return rewrite_config(cfg, new_key_path, err);
}
