/*
 * cmd-runbook.c: `crmshift runbook [--html FILE] [--markdown FILE]` writes
 * the rollback plan from the project (engine/runbook.h): Markdown for a wiki,
 * HTML that prints; to standard output as Markdown when neither is named.
 */
#include "compat.h"
#include "cli.h"
#include "engine/project.h"
#include "engine/runbook.h"
#include "util/buf.h"
#include "util/sha256.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] runbook [--html FILE] [--markdown FILE]\n"
	"\n"
	"Writes the rollback plan from the project: who calls a rollback ([people]), the trigger\n"
	"criteria, what is preserved, the execution steps with owners and times (the rollback's\n"
	"as the last drill measured it), communication scripts (templates/), the reconciliation\n"
	"approach, and the pre-cutover checklist, ticked only from evidence crmshift holds. Gaps\n"
	"are shown, never invented. Markdown to standard output when no file is named.\n";

/* An output file and its SHA-256 in the audit entry: a runbook is a report the log vouches for. */
static void audit_output(struct cli *cli, const char *path)
{
	char sha[CRM_SHA256_HEX];
	struct crm_error err = CRM_ERROR_INIT;
	json_t *outputs = json_object_get(cli->audit, "outputs");
	uint64_t size;

	if (crm_sha256_file(path, sha, &size, &err))
		return;
	if (!outputs) {
		outputs = json_object();
		json_object_set_new(cli->audit, "outputs", outputs);
	}
	json_object_set_new(outputs, cli_rel(cli, path), json_string(sha));
}

/* The Markdown at path, created 0600 as every report (crm_file_write's files are 0644). */
static int write_markdown(const char *path, const struct crm_buf *md, struct crm_error *err)
{
	FILE *out = cli_html_create(path, err);

	if (!out)
		return err->code;
	if ((fwrite(md->ptr, 1, md->len, out) != md->len) | (fclose(out) != 0))
		return crm_error_set(err, CRM_EIO, "cannot write '%s'", path);
	return 0;
}

int cmd_runbook(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"html", required_argument, NULL, 'H'},
					     {"markdown", required_argument, NULL, 'm'},
					     {NULL, 0, NULL, 0}};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_runbook_facts facts;
	const char *html = NULL, *markdown = NULL;
	struct crm_project p;
	struct crm_buf md;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c == 'H')
			html = optarg;
		else if (c == 'm')
			markdown = optarg;
		else
			return cli_usage(usage_text, "runbook: unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage(usage_text, "runbook: unexpected argument '%s'", argv[optind]);
	cli_audit_begin(cli, cli->dir);
	rc = cli_open_project(&p, cli);
	if (rc >= 0)
		return rc;
	crm_buf_init(&md, 1u << 24);
	if (crm_runbook_write(&p, &md, &facts, &err) || (markdown && write_markdown(markdown, &md, &err)) ||
	    (html && cli_runbook_html(md.ptr, html, &err))) {
		crm_buf_release(&md);
		crm_project_release(&p);
		return cli_fail(&err);
	}
	if (!markdown && !html)
		fwrite(md.ptr, 1, md.len, stdout);
	else
		printf("runbook: %zu gap%s, %zu of %zu checklist items ticked from evidence, the rollback %s\n",
		       facts.gaps, facts.gaps == 1 ? "" : "s", facts.ticked, facts.items,
		       facts.rollback_measured ? "measured by a drill" : "not measured (crmshift drill)");
	if (markdown) {
		printf("markdown: %s\n", markdown);
		audit_output(cli, markdown);
	}
	if (html) {
		printf("html: %s\n", html);
		audit_output(cli, html);
	}
	json_object_set_new(cli->audit, "gaps", json_integer((json_int_t)facts.gaps));
	json_object_set_new(cli->audit, "ticked", json_integer((json_int_t)facts.ticked));
	crm_buf_release(&md);
	crm_project_release(&p);
	return CRM_EXIT_OK;
}
