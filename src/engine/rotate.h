/*
 * rotate.h: `crmshift keys rotate`: every file the project sealed at rest
 * (*.enc in reports/ and .crmshift/snapshots/) is resealed under a new data
 * key, one file at a time and each replaced whole, then crmshift.ini's
 * key_file line names the new key. A rotation cut short is finished by
 * running it again: files already under the new key are left as they are.
 */
#ifndef CRM_ROTATE_H
#define CRM_ROTATE_H

#include "compat.h"
#include "audit/keys.h"
#include "model/config.h"
#include "util/error.h"

struct crm_rotate_result {
	size_t resealed; /* from the old key to the new */
	size_t already;	 /* under the new key before (an earlier rotation cut short) */
	size_t foreign;	 /* under neither: left, and the config not changed */
	char first_foreign[4096];
	char foreign_key[CRM_KEY_ID];
};

/*
 * Reseals the project's files from old_key to new_key and rewrites the
 * key_file line of cfg's crmshift.ini to new_key_path. Files under another
 * key are CRM_EREFUSED (the config then still names the old key).
 */
int crm_keys_rotate(const struct crm_config *cfg, const struct crm_key *old_key, const struct crm_key *new_key,
		    const char *new_key_path, struct crm_rotate_result *res, struct crm_error *err);

#endif
