/*
 * project-helper.h: writes a small project into a temporary folder, for
 * the tests of modules that work on a whole project.
 */
#ifndef CRM_PROJECT_HELPER_H
#define CRM_PROJECT_HELPER_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char project_dir[96];

static void write_project_file(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", project_dir, rel);
	harness_write_file(path, text);
}

/* A project with one object "Contact" from exports/c.csv into table contact. */
static const char *make_project(const char *mapping_rows, const char *export_csv)
{
	char path[256];

	snprintf(project_dir, sizeof(project_dir), "%s/project-XXXXXX", harness_scratch());
	if (!mkdtemp(project_dir))
		return NULL;
	snprintf(path, sizeof(path), "%s/exports", project_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/maps", project_dir);
	mkdir(path, 0700);
	write_project_file(
		"crmshift.ini",
		"[migration]\nsource_system = test\n[object \"Contact\"]\nfile = c.csv\nid = Id\ntarget = contact\n");
	{
		char mapping[8192];
		snprintf(mapping, sizeof(mapping),
			 "source_object,source_field,data_type,target_field,transform_rule,pii_flag,validation_rule,"
			 "sample_value\n%s",
			 mapping_rows);
		write_project_file("mapping.csv", mapping);
	}
	write_project_file("exports/c.csv", export_csv);
	return project_dir;
}

static void remove_project(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", project_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", project_dir);
}

#endif
