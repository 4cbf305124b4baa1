/*
 * project.h: the fixed project the mapping and value-map harnesses compile
 * against: a crmshift.ini with two objects and their exports' headers, in
 * the harness's scratch directory. The harness supplies the mapping (or a
 * file it names); fuzz_compile runs what plan and migrate run on it.
 */
#ifndef CRM_FUZZ_PROJECT_H
#define CRM_FUZZ_PROJECT_H

#include "fuzz.h"

#include "io/reader.h"
#include "model/config.h"
#include "model/mapping.h"
#include "transform/program.h"
#include "util/alloc.h"

static const char fuzz_ini[] = "[migration]\nname = fuzz\nsource_system = salesforce\n"
			       "[source]\nformat = csv\npath = exports\n"
			       "[target]\nurl = sqlite:target.db\n"
			       "[object \"Account\"]\nfile = Account.csv\nid = Id\ntarget = account\n"
			       "[object \"Contact\"]\nfile = Contact.csv\nid = Id\ntarget = contact\n";
static const char fuzz_contact_header[] =
	"Id,FirstName,LastName,Email,Phone,AccountId,Birthdate,CreatedDate,Amount,Status,Notes\n";
static const char fuzz_account_header[] = "Id,Name,Industry\n";

/* Writes the project's files but mapping.csv. */
static inline void fuzz_project(void)
{
	fuzz_write(1, "crmshift.ini", fuzz_ini, sizeof(fuzz_ini) - 1);
	fuzz_write(2, "exports/Contact.csv", fuzz_contact_header, sizeof(fuzz_contact_header) - 1);
	fuzz_write(3, "exports/Account.csv", fuzz_account_header, sizeof(fuzz_account_header) - 1);
}

/* Loads the project and compiles each object's program (freed at once): every error is an outcome. */
static inline void fuzz_compile(void)
{
	static const unsigned char pseudonym_key[32] = {1, 2, 3};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	struct crm_mapping map;
	size_t i;

	if (crm_config_load(&cfg, fuzz_dir(), &err))
		abort(); /* the fixed ini must load */
	if (crm_mapping_load(&map, fuzz_path(0, "mapping.csv"), &err) == 0) {
		for (i = 0; i < cfg.object_count; i++) {
			struct crm_reader_spec spec = {0};
			struct crm_reader *reader;
			struct crm_program *prog;
			struct crm_record rec;
			char *path = crm_config_export_path(&cfg, &cfg.objects[i]);
			struct crm_error e = CRM_ERROR_INIT;
			if (!path)
				abort();
			spec.path = path;
			spec.kind = CRM_READER_CSV;
			spec.delimiter = ',';
			reader = crm_reader_open(&spec, &e);
			crm_free(path);
			if (!reader || crm_reader_next(reader, &rec, &e) != CRM_READ_RECORD)
				abort();
			prog = crm_program_compile(&cfg, &map, &cfg.objects[i], reader, pseudonym_key, NULL, &e);
			crm_program_free(prog);
			crm_reader_close(reader);
		}
		crm_mapping_release(&map);
	}
	crm_config_release(&cfg);
}

#endif
