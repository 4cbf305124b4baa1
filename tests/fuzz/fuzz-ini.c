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
		/* every [dedupe] rule names its object and its fields whole */
		for (i = 0; i < cfg.dedupe_count; i++) {
			size_t r, f;
			if (!crm_config_object(&cfg, cfg.dedupes[i].object) || !cfg.dedupes[i].rule_count)
				abort();
			for (r = 0; r < cfg.dedupes[i].rule_count; r++)
				for (f = 0; f < cfg.dedupes[i].rules[r].count; f++)
					if (!cfg.dedupes[i].rules[r].fields[f][0])
						abort();
			crm_survivor_name(cfg.dedupes[i].survivor);
		}
		crm_config_release(&cfg);
	}
	return 0;
}
