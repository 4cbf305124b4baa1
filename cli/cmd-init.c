/*
 * cmd-init.c: `crmshift init DIR` scaffolds a project: a commented
 * crmshift.ini, a mapping.csv with the template header, and the exports/
 * and maps/ folders. It never overwrites an existing project.
 */
#include "compat.h"
#include "cli.h"
#include "engine/scaffold.h"
#include "model/template.h"
#include "util/path.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
	"usage: crmshift init DIR [--from salesforce|hubspot|pipedrive|generic [--exports PATH]]\n"
	"\n"
	"Creates DIR (or uses it when empty) with crmshift.ini, mapping.csv, exports/ and maps/.\n"
	"With --from and --exports, crmshift.ini names every export in PATH (a folder, or a SQLite\n"
	"database or SQL dump, one object per table) as an object and mapping.csv maps its columns\n"
	"to the canonical model, drafted from the data: review both.\n"
	"With --from alone, they hold the CRM's standard objects and fields, mapped to the model,\n"
	"for exports you put in DIR/exports (generic CSV has no standard objects: give --exports).\n";

static const char ini_template[] =
	"; crmshift.ini: what to migrate, from where, to where.\n"
	"; Comments start with ; or #. Paths are relative to this folder.\n"
	"; Unknown sections and keys are errors, so a typo cannot go unnoticed.\n"
	"\n"
	"[migration]\n"
	"name = %s\n"
	"; stored in every target row with the source's own id: keep it stable\n"
	"source_system = salesforce\n"
	"\n"
	"[source]\n"
	"format = csv\n"
	"path = exports\n"
	"; utf-8 by default; an [object] section can say windows-1252 or latin1\n"
	"encoding = utf-8\n"
	"; the zone of date-times written without one (UTC, +01:00 or Europe/Berlin)\n"
	"timezone = UTC\n"
	"\n"
	"[target]\n"
	"; the embedded default; the file is created when absent\n"
	"url = sqlite:target.db\n"
	"; rows per transaction\n"
	"batch_size = 5000\n"
	"\n"
	"; One section per source object, named as in mapping.csv's source_object.\n"
	"; [object \"Account\"]\n"
	"; file = Account.csv            ; in [source] path\n"
	"; id = Id                       ; the source's primary key column\n"
	"; target = account              ; canonical table: account, contact, lead, opportunity,\n"
	";                               ; opportunity_contact, activity, consent_event; or a custom one\n"
	"; modified = LastModifiedDate   ; optional\n"
	"; deleted = IsDeleted           ; optional\n"
	"; encoding = windows-1252       ; optional, overrides [source] encoding\n";

static const char mapping_header[] =
	"source_object,source_field,data_type,target_field,transform_rule,pii_flag,validation_rule,sample_value\n";

static int init_from(struct cli *cli, const char *dir, const char *name, const char *from, const char *exports)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_scaffold res;
	char path[4096];
	size_t i;

	if (exports ? crm_scaffold_write(&res, dir, name, from, exports, &err)
		    : crm_scaffold_template(&res, dir, name, from, &err))
		return cli_fail(&err);
	snprintf(path, sizeof(path), "%s/maps", dir);
	mkdir(path, 0755);
	cli_audit_begin(cli, dir);
	json_object_set_new(cli->audit, "from", json_string(from));
	json_object_set_new(cli->audit, "template", json_boolean(!exports));
	json_object_set_new(cli->audit, "objects", json_integer((json_int_t)res.objects));
	json_object_set_new(cli->audit, "mapping_rows", json_integer((json_int_t)res.mapping_rows));
	if (exports)
		printf("created %s from the %s exports in %s: %zu objects in crmshift.ini, %zu rows in mapping.csv\n",
		       dir, from, exports, res.objects, res.mapping_rows);
	else
		printf("created %s from the %s template: %zu standard objects in crmshift.ini, %zu rows in "
		       "mapping.csv\n",
		       dir, from, res.objects, res.mapping_rows);
	for (i = 0; i < res.skipped_count; i++)
		printf("left out: %s\n", res.skipped[i]);
	if (!exports) {
		snprintf(path, sizeof(path), "%s/exports", dir);
		mkdir(path, 0755);
		printf("next: put the exports in %s/exports under the file names crmshift.ini gives, then\n"
		       "'crmshift -C %s plan': it names every field your export lacks or names otherwise\n",
		       dir, dir);
	} else {
		printf("next: review crmshift.ini and mapping.csv (the rows are a draft: targets, rules, PII flags),\n"
		       "then 'crmshift -C %s profile' and 'crmshift -C %s plan'\n",
		       dir, dir);
	}
	crm_scaffold_release(&res);
	return CRM_EXIT_OK;
}

int cmd_init(int argc, char **argv, struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"from", required_argument, NULL, 'f'},
					     {"exports", required_argument, NULL, 'e'},
					     {NULL, 0, NULL, 0}};
	const char *from = NULL, *exports = NULL;
	char path[4096], ini[4096];
	const char *dir, *name;
	struct stat st;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c == 'f')
			from = optarg;
		else if (c == 'e')
			exports = optarg;
		else
			return cli_usage(usage_text, "init: unknown option");
	}
	if (argc - optind != 1)
		return cli_usage(usage_text, "init: give exactly one folder");
	if (from && !crm_scaffold_known(from))
		return cli_usage(usage_text, "init: unknown source CRM '%s' (salesforce, hubspot, pipedrive, generic)",
				 from);
	if (exports && !from)
		return cli_usage(usage_text, "init: --exports needs --from: which CRM wrote them");
	if (from && !exports && !crm_template_find(from))
		return cli_usage(usage_text,
				 "init: '%s' has no standard objects to start from: give its exports with "
				 "--exports",
				 from);
	dir = argv[optind];
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		crm_error_set(&err, CRM_EIO, "cannot create '%s': %s", dir, strerror(errno));
		return cli_fail(&err);
	}
	snprintf(path, sizeof(path), "%s/crmshift.ini", dir);
	if (stat(path, &st) == 0) {
		crm_error_set(&err, CRM_EINPUT, "'%s' is already a crmshift project", dir);
		return cli_fail(&err);
	}
	name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	if (from)
		return init_from(cli, dir, name[0] ? name : "migration", from, exports);
	snprintf(ini, sizeof(ini), ini_template, name[0] ? name : "migration");
	if (crm_file_write(path, ini, strlen(ini), 0, &err))
		return cli_fail(&err);
	snprintf(path, sizeof(path), "%s/mapping.csv", dir);
	if (crm_file_write(path, mapping_header, strlen(mapping_header), 0, &err))
		return cli_fail(&err);
	snprintf(path, sizeof(path), "%s/exports", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/maps", dir);
	mkdir(path, 0755);
	cli_audit_begin(cli, dir);
	printf("created %s: crmshift.ini, mapping.csv, exports/, maps/\n"
	       "next: put the export files in %s/exports, describe each object in crmshift.ini,\n"
	       "map its fields in mapping.csv, then run 'crmshift -C %s plan'\n",
	       dir, dir, dir);
	return CRM_EXIT_OK;
}
