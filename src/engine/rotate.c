/*
 * rotate.c: resealing the files at rest under a new key, then naming it in
 * crmshift.ini.
 */
#include "compat.h"
#include "engine/rotate.h"
#include "audit/seal.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const sealed_dirs[] = {"reports", ".crmshift/snapshots"};

struct rotation {
	const struct crm_key *old_key, *new_key;
	struct crm_rotate_result *res;
};

/* One file: a sealed one under the new key already, resealed from the old, or counted as foreign. */
static int rotate_file(void *ctx, const char *rel, const char *path, struct crm_error *err)
{
	struct rotation *r = ctx;
	struct crm_rotate_result *res = r->res;
	size_t len = strlen(rel), suffix = strlen(CRM_SEAL_SUFFIX), plain_len;
	char id[CRM_KEY_ID], *plain;
	int sealed;

	if (len <= suffix || strcmp(rel + len - suffix, CRM_SEAL_SUFFIX) != 0)
		return 0;
	sealed = crm_seal_key_id(path, id, err);
	if (sealed <= 0)
		return err->code; /* named .enc, but not a sealed file: not crmshift's */
	if (strcmp(id, r->new_key->id) == 0) {
		res->already++;
		return 0;
	}
	if (strcmp(id, r->old_key->id) != 0) {
		if (!res->foreign++) {
			snprintf(res->first_foreign, sizeof(res->first_foreign), "%s", rel);
			memcpy(res->foreign_key, id, sizeof(res->foreign_key));
		}
		return 0;
	}
	/* in memory, never on disk in plain text */
	if (!crm_seal_read_all(path, r->old_key, &plain, &plain_len, err) &&
	    !crm_seal_save(path, plain, plain_len, r->new_key, err))
		res->resealed++;
	crm_seal_plain_free(plain, plain_len);
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
	struct rotation r = {old_key, new_key, res};
	size_t d;

	memset(res, 0, sizeof(*res));
	for (d = 0; d < CRM_ARRAY_COUNT(sealed_dirs) && !err->code; d++)
		crm_dir_each_file(cfg->dir, sealed_dirs[d], rotate_file, &r, err);
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
