/*
 * fuzz-ini.c: crmshift.ini, the project's configuration, as a user (or a
 * mistake) may write it: every section and key the loader knows, through
 * the same call plan and migrate make.
 */
#include "fuzz.h"

#include "model/config.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_config cfg;
	struct crm_error err = CRM_ERROR_INIT;

	fuzz_write(0, "crmshift.ini", data, size);
	if (crm_config_load(&cfg, fuzz_dir(), &err) == 0) {
		size_t i;
		for (i = 0; i < cfg.object_count; i++) {
			char *path = crm_config_export_path(&cfg, &cfg.objects[i]);
			crm_free(path);
			crm_config_encoding(&cfg, &cfg.objects[i]);
		}
		crm_config_release(&cfg);
	}
	return 0;
}
