/*
 * cmd-audit.c: `crmshift audit verify` recomputes the audit log's hash
 * chain and checks its end against audit.head; it names the first broken
 * entry and exits 3. `crmshift audit show` prints the entries.
 */
#include "compat.h"
#include "audit/audit.h"
#include "cli.h"
#include "transform/datetime.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] audit verify [--json]\n"
	"       crmshift [-C DIR] audit show [--since TIME] [--json]\n"
	"\n"
	"  verify           recompute the chain of .crmshift/audit.log; exit 3 naming the first\n"
	"                   edited, deleted, reordered, truncated or appended entry\n"
	"  show             the entries: who did what, when, with which inputs and result\n"
	"  --since TIME     entries from TIME on (2026-11-22 or 2026-11-22T10:00:00Z)\n"
	"  --json           JSON: the verdict, or the entries as they are in the log\n";

static int verify(struct cli *cli)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_audit_verdict v;

	if (crm_audit_verify(cli->dir, &v, &err))
		return cli_fail(&err);
	if (cli->json) {
		json_t *root = json_pack("{s:b, s:I, s:I}", "intact", v.intact, "entries", (json_int_t)v.entries,
					 "last_seq", (json_int_t)v.last_seq);
		if (!v.intact)
			json_object_update_new(root, json_pack("{s:s, s:I, s:I, s:s}", "kind", v.kind, "line",
							       (json_int_t)v.line, "seq", (json_int_t)v.seq, "message",
							       v.message));
		cli_print_json(root, 0);
		json_decref(root);
	} else if (v.intact) {
		printf("audit log intact: %lld entries, chained from the first to the last, which is the one "
		       "crmshift wrote last\n",
		       (long long)v.entries);
	} else {
		printf("audit log BROKEN (%s): %s\n", v.kind, v.message);
		printf("%lld entries before it hold\n", (long long)v.entries);
	}
	return v.intact ? CRM_EXIT_OK : CRM_EXIT_NOGO;
}

struct show {
	const char *since; /* normalized UTC, or NULL */
	json_t *entries;   /* --json */
	size_t shown;
};

/* "read=20 inserted=17 ..." of an entry's counts */
static void print_counts(const json_t *counts)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)counts, key, value)
	{
		if (json_is_integer(value))
			printf(" %s=%lld", key, (long long)json_integer_value(value));
		else if (json_is_string(value))
			printf(" %s=%s", key, json_string_value(value));
	}
}

static int show_entry(void *ctx, const json_t *e)
{
	struct show *s = ctx;
	const char *time = json_string_value(json_object_get(e, "time"));
	const char *object = json_string_value(json_object_get(e, "object"));
	json_t *run = json_object_get(e, "run");

	if (s->since && (!time || crm_dt_compare(time, s->since) < 0))
		return 0;
	s->shown++;
	if (s->entries) {
		json_array_append(s->entries, (json_t *)e);
		return 0;
	}
	printf("%5lld  %s  %-20s %-10s", (long long)json_integer_value(json_object_get(e, "seq")), time ? time : "",
	       json_string_value(json_object_get(e, "actor")) ? json_string_value(json_object_get(e, "actor")) : "",
	       json_string_value(json_object_get(e, "action")) ? json_string_value(json_object_get(e, "action")) : "");
	if (json_is_integer(run))
		printf(" run %lld", (long long)json_integer_value(run));
	if (object)
		printf(" %s", object);
	printf(": %s",
	       json_string_value(json_object_get(e, "result")) ? json_string_value(json_object_get(e, "result")) : "");
	print_counts(json_object_get(e, "counts"));
	putchar('\n');
	return 0;
}

static int show(struct cli *cli, const char *since)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct show s = {NULL, NULL, 0};
	char when[CRM_DT_MAX], text[64], reason[128];
	struct crm_tz utc;

	if (since) {
		/* a date alone is its midnight, UTC */
		snprintf(text, sizeof(text), "%s%s", since, strlen(since) == 10 ? "T00:00:00Z" : "");
		if (crm_tz_parse(&utc, "UTC", &err) ||
		    crm_datetime_normalize(text, strlen(text), &utc, when, reason, sizeof(reason)))
			return cli_usage(usage_text, "audit show: --since takes a date or a date-time, not '%s'",
					 since);
		s.since = when;
	}
	if (cli->json)
		s.entries = json_array();
	if (crm_audit_each(cli->dir, show_entry, &s, &err)) {
		json_decref(s.entries);
		return cli_fail(&err);
	}
	if (cli->json)
		cli_print_json(s.entries, 0);
	else if (!s.shown)
		printf("no entries%s\n", since ? " since then" : "");
	json_decref(s.entries);
	return CRM_EXIT_OK;
}

int cmd_audit(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"json", no_argument, NULL, 'j'},
					     {"since", required_argument, NULL, 's'},
					     {NULL, 0, NULL, 0}};
	const char *since = NULL, *what;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		case 'j':
			cli->json = 1;
			break;
		case 's':
			since = optarg;
			break;
		default:
			return cli_usage(usage_text, "audit: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(usage_text, "audit: give one of verify, show");
	what = argv[optind];
	if (strcmp(what, "verify") == 0 && !since)
		return verify(cli);
	if (strcmp(what, "show") == 0)
		return show(cli, since);
	return cli_usage(usage_text, "audit: '%s' is not verify or show%s", what,
			 since ? " (--since is for show)" : "");
}
