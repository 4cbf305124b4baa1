/*
 * audit-log.c: what every acting command writes to the audit log. A command
 * calls cli_audit_begin once it acts on a project and fills cli->audit
 * (run, counts, result); main() calls cli_audit_finish with its exit code.
 * A run also appends its start as it starts (cli_audit_now), so that a run
 * killed before it returns is in the log.
 * Each entry gets the actor, the command line, the action, the SHA-256 of
 * crmshift.ini and mapping.csv, and the result. Only names, counts, hashes
 * and results go in: never a record's values.
 */
#include "compat.h"
#include "audit/audit.h"
#include "cli.h"
#include "util/sha256.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void cli_audit_begin(struct cli *cli, const char *dir)
{
	if (!cli->audit)
		cli->audit = json_object();
	cli->audit_dir = dir;
}

void cli_audit_object(struct cli *cli, json_t *fields)
{
	if (!cli->audit_objects)
		cli->audit_objects = json_array();
	json_array_append_new(cli->audit_objects, fields);
}

void cli_audit_input(json_t *fields, const char *shown, const char *path)
{
	struct crm_error err = CRM_ERROR_INIT;
	char sha[CRM_SHA256_HEX];
	uint64_t size;

	if (!crm_sha256_file(path, sha, &size, &err))
		cli_audit_input_hashed(fields, shown, sha);
}

void cli_audit_input_hashed(json_t *fields, const char *shown, const char *sha256)
{
	json_t *inputs = json_object_get(fields, "inputs");

	if (!inputs) {
		inputs = json_object();
		json_object_set_new(fields, "inputs", inputs);
	}
	json_object_set_new(inputs, shown, json_string(sha256));
}

static const char *result_of(int rc)
{
	switch (rc) {
	case CRM_EXIT_OK:
		return "ok";
	case CRM_EXIT_INPUT:
		return "input error";
	case CRM_EXIT_NOGO:
		return "NO-GO";
	case CRM_EXIT_REFUSED:
		return "refused";
	default:
		return "failed";
	}
}

/* The fields every entry has (project: the SHA-256 of crmshift.ini and mapping.csv), then the entry appended. */
static int append(struct cli *cli, json_t *fields, json_t *project, int rc, struct crm_error *err)
{
	json_t *inputs = json_object_get(fields, "inputs");

	json_object_set_new(fields, "actor", json_string(cli->actor));
	json_object_set_new(fields, "command", json_string(cli->command));
	if (!json_object_get(fields, "action"))
		json_object_set_new(fields, "action", json_string(cli->action));
	if (!json_object_get(fields, "result"))
		json_object_set_new(fields, "result", json_string(result_of(rc)));
	if (inputs)
		json_object_update(inputs, project);
	else
		json_object_set(fields, "inputs", project);
	return crm_audit_append(cli->audit_dir, fields, err);
}

/* The project's own files with their SHA-256 (a new object to json_decref), or NULL when dir is no project. */
static json_t *project_files(struct cli *cli)
{
	char ini[4096], path[4096];
	json_t *project;
	struct stat st;

	snprintf(ini, sizeof(ini), "%s/crmshift.ini", cli->audit_dir ? cli->audit_dir : ".");
	if (stat(ini, &st) != 0)
		return NULL;
	project = json_object();
	cli_audit_input(project, "crmshift.ini", ini);
	snprintf(path, sizeof(path), "%s/mapping.csv", cli->audit_dir);
	cli_audit_input(project, "mapping.csv", path);
	return project;
}

int cli_audit_now(struct cli *cli, json_t *fields, struct crm_error *err)
{
	json_t *project = project_files(cli);

	if (project)
		append(cli, fields, json_object_get(project, "inputs"), CRM_EXIT_OK, err);
	json_decref(project);
	json_decref(fields);
	return err->code;
}

int cli_audit_finish(struct cli *cli, int rc)
{
	struct crm_error err = CRM_ERROR_INIT;
	json_t *project, *project_inputs;
	size_t i;

	/* only a project's own actions: not help, not a usage error, not a folder that is no project */
	if (!cli->audit || rc == CRM_EXIT_USAGE || !(project = project_files(cli)))
		goto out;
	if (rc == CRM_EXIT_REFUSED && !json_object_get(cli->audit, "reason"))
		json_object_set_new(cli->audit, "reason", json_string(cli_last_error()));
	project_inputs = json_object_get(project, "inputs");
	for (i = 0; i < json_array_size(cli->audit_objects) && !err.code; i++)
		append(cli, json_array_get(cli->audit_objects, i), project_inputs, rc, &err);
	if (!err.code)
		append(cli, cli->audit, project_inputs, rc, &err);
	json_decref(project);
	if (err.code) {
		fprintf(stderr, "crmshift: error: the audit log: %s\n", err.msg);
		if (rc == CRM_EXIT_OK)
			rc = crm_error_exit_code(err.code);
	}
out:
	json_decref(cli->audit);
	json_decref(cli->audit_objects);
	cli->audit = cli->audit_objects = NULL;
	return rc;
}
