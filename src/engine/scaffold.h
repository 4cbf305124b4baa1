/*
 * scaffold.h: `init --from CRM --exports PATH`, a project drafted from a
 * CRM's export files. Every CSV in PATH becomes an [object] named after its
 * file, with the table its name suggests (Account.csv, companies.csv and
 * organizations.csv are accounts; an unknown name gets a custom table),
 * the id column, the encoding its bytes fit and, where the CRM has them,
 * the last-modified and soft-delete columns. mapping.csv is profile's
 * draft (profile.h): every column that holds data, with the model's field
 * it most likely fills, a first rule from its values, its personal-data
 * flag and a masked sample. A file without an id column is left out, with
 * the reason, because crmshift cannot load a record it cannot name.
 *
 * Without exports, the CRM's template of its standard objects is written
 * instead (crm_scaffold_template).
 *
 * This is a starting point for a person to review, as the printed summary
 * says; plan checks what it wrote like anything a person wrote.
 */
#ifndef CRM_SCAFFOLD_H
#define CRM_SCAFFOLD_H

#include "compat.h"
#include "util/error.h"

#define CRM_SCAFFOLD_SKIPPED_MAX 64

struct crm_scaffold {
	size_t objects;				 /* [object] sections written */
	size_t mapping_rows;			 /* mapping.csv rows written */
	char *skipped[CRM_SCAFFOLD_SKIPPED_MAX]; /* "file: reason" for each export left out */
	size_t skipped_count;
};

/* 1 when crm is one of salesforce, hubspot, pipedrive, generic. */
int crm_scaffold_known(const char *crm);

/*
 * Writes dir/crmshift.ini and dir/mapping.csv (neither may exist) for the
 * exports in the folder exports, which crmshift.ini names by its absolute
 * path. On error nothing is left behind and res is released.
 */
int crm_scaffold_write(struct crm_scaffold *res, const char *dir, const char *name, const char *crm,
		       const char *exports, struct crm_error *err);
/*
 * Writes dir/crmshift.ini and dir/mapping.csv (neither may exist) from the
 * template of crm's standard objects (model/template.h), for exports still
 * to come in dir/exports. CRM_EUSAGE when crm has no template (generic).
 */
int crm_scaffold_template(struct crm_scaffold *res, const char *dir, const char *name, const char *crm,
			  struct crm_error *err);
void crm_scaffold_release(struct crm_scaffold *res);

#endif
