/*
 * cmd-audit.c: `crmshift audit verify` recomputes the audit log's hash
 * chain and checks its end against audit.head; it names the first broken
 * entry and exits 3. `crmshift audit show` prints the entries.
 * `audit evidence DIR` writes a signed evidence pack; `audit
 * verify-evidence DIR` checks one against a trusted public key and the
 * project as it is now.
 */
#include "compat.h"
#include "audit/audit.h"
#include "audit/evidence.h"
#include "cli.h"
#include "model/config.h"
#include "transform/datetime.h"
#include "util/alloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] audit verify [--json]\n"
	"       crmshift [-C DIR] audit show [--since TIME] [--json]\n"
	"       crmshift [-C DIR] audit evidence PACK [--key FILE] [--json]\n"
	"       crmshift [-C DIR] audit verify-evidence PACK [--public-key FILE] [--json]\n"
	"\n"
	"  verify           recompute the chain of .crmshift/audit.log; exit 3 naming the first\n"
	"                   edited, deleted, reordered, truncated or appended entry\n"
	"  show             the entries: who did what, when, with which inputs and result\n"
	"  --since TIME     entries from TIME on (2026-11-22 or 2026-11-22T10:00:00Z)\n"
	"  evidence PACK    write PACK/manifest.json (every config, mapping, export, snapshot,\n"
	"                   report and the audit log with its SHA-256 and size; runs, counts,\n"
	"                   verdicts, gates) and PACK/manifest.sig, its Ed25519 signature\n"
	"  --key FILE       the signing key ('crmshift keys generate signing FILE');\n"
	"                   default: [security] signing_key\n"
	"  verify-evidence PACK\n"
	"                   check the signature and every file against the project now; exit 3\n"
	"                   when the pack is forged, stale or does not match\n"
	"  --public-key FILE  the key trusted to have signed it; default: the .pub of\n"
	"                   [security] signing_key. Never the key the pack names itself\n"
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

/*
 * The key file to use: given, or [security] signing_key of the project
 * (suffix ".pub" for the public half when that file exists). Into path;
 * 0, or the exit code when there is none.
 */
static int key_path(const struct cli *cli, const char *given, const char *suffix, char *path, size_t cap)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	char *configured;

	if (given) {
		snprintf(path, cap, "%s", given);
		return 0;
	}
	if (crm_config_load(&cfg, cli->dir, &err))
		return cli_fail(&err);
	configured = cfg.signing_key ? crm_config_path(&cfg, cfg.signing_key) : NULL;
	crm_config_release(&cfg);
	if (!configured)
		return cli_usage(usage_text,
				 "audit: no signing key: give %s FILE or set [security] signing_key in crmshift.ini",
				 suffix ? "--public-key" : "--key");
	snprintf(path, cap, "%s%s", configured, suffix ? suffix : "");
	/* the .pub beside the key, or the key itself (its public half) when there is no .pub */
	if (suffix && access(path, F_OK) != 0)
		snprintf(path, cap, "%s", configured);
	crm_free(configured);
	return 0;
}

static int evidence(struct cli *cli, const char *pack_dir, const char *key_file)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_evidence_pack pack;
	struct crm_key key;
	char path[4096];
	int rc;

	cli_audit_begin(cli, cli->dir);
	json_object_set_new(cli->audit, "action", json_string("audit evidence"));
	json_object_set_new(cli->audit, "pack", json_string(pack_dir));
	rc = key_path(cli, key_file, NULL, path, sizeof(path));
	if (rc)
		return rc;
	if (crm_key_load(path, CRM_KEY_SIGNING, &key, &err))
		return cli_fail(&err);
	json_object_set_new(cli->audit, "key", json_pack("{s:s, s:s}", "kind", "signing", "id", key.id));
	rc = crm_evidence_write(cli->dir, pack_dir, &key, cli->actor, &pack, &err);
	crm_key_wipe(&key);
	if (rc)
		return cli_fail(&err);
	/* the log records the pack by its manifest's hash: verify-evidence recognises this entry as its own */
	json_object_set_new(cli->audit, "manifest_sha256", json_string(pack.manifest_sha256));
	json_object_set_new(cli->audit, "counts",
			    json_pack("{s:I, s:I, s:I}", "files", (json_int_t)pack.files, "runs", (json_int_t)pack.runs,
				      "audit_entries", (json_int_t)pack.audit_entries));
	if (cli->json) {
		json_t *root = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "pack", pack_dir, "manifest_sha256",
					 pack.manifest_sha256, "key", key.id, "files", (json_int_t)pack.files, "runs",
					 (json_int_t)pack.runs, "audit_entries", (json_int_t)pack.audit_entries);

		cli_print_json(root, 0);
		json_decref(root);
		return CRM_EXIT_OK;
	}
	printf("evidence pack written to %s: %zu files, %zu runs, %lld audit entries\n", pack_dir, pack.files,
	       pack.runs, (long long)pack.audit_entries);
	printf("manifest.json SHA-256 %s, signed by key %s (manifest.sig)\n", pack.manifest_sha256, key.id);
	return CRM_EXIT_OK;
}

static const char *verdict_text(enum crm_evidence_verdict verdict)
{
	switch (verdict) {
	case CRM_EVIDENCE_VALID:
		return "VALID: signed by the trusted key, and every file is as the pack lists it";
	case CRM_EVIDENCE_FORGED:
		return "FORGED: the signature does not hold under the trusted key";
	case CRM_EVIDENCE_STALE:
		return "STALE: signed by the trusted key, but crmshift has acted on the project since";
	case CRM_EVIDENCE_MISMATCH:
		break;
	}
	return "MISMATCH: signed by the trusted key, but files differ with no later action in the audit log";
}

static int verify_evidence(struct cli *cli, const char *pack_dir, const char *public_file)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_evidence_check check;
	struct crm_key key;
	char path[4096];
	size_t i;
	int rc;

	rc = key_path(cli, public_file, ".pub", path, sizeof(path));
	if (rc)
		return rc;
	if (crm_key_load(path, CRM_KEY_PUBLIC, &key, &err) ||
	    crm_evidence_verify(cli->dir, pack_dir, &key, &check, &err))
		return cli_fail(&err);
	if (cli->json) {
		json_t *root =
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:[]}", "pack", pack_dir, "verdict",
				  crm_evidence_verdict_name(check.verdict), "signer", check.signer, "trusted_key",
				  key.id, "created", check.created, "files_checked", (json_int_t)check.files_checked,
				  "later_entries", (json_int_t)check.later_entries, "creation_entry",
				  (json_int_t)check.creation_entry, "findings");

		for (i = 0; i < check.count; i++)
			json_array_append_new(json_object_get(root, "findings"),
					      json_pack("{s:s, s:s, s:s}", "kind", check.findings[i].kind, "path",
							check.findings[i].path, "message", check.findings[i].message));
		cli_print_json(root, 0);
		json_decref(root);
	} else {
		printf("evidence pack %s: %s\n", pack_dir, verdict_text(check.verdict));
		printf("  made %s, naming key %s; trusted key %s; %zu files checked\n", check.created,
		       check.signer[0] ? check.signer : "(none)", key.id, check.files_checked);
		if (check.creation_entry)
			printf("  audit entry %lld records its creation\n", (long long)check.creation_entry);
		for (i = 0; i < check.count; i++)
			printf("  %-9s  %s: %s\n", check.findings[i].kind, check.findings[i].path,
			       check.findings[i].message);
	}
	rc = check.verdict == CRM_EVIDENCE_VALID ? CRM_EXIT_OK : CRM_EXIT_NOGO;
	crm_evidence_check_release(&check);
	return rc;
}

int cmd_audit(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"json", no_argument, NULL, 'j'},
					     {"since", required_argument, NULL, 's'},
					     {"key", required_argument, NULL, 'k'},
					     {"public-key", required_argument, NULL, 'p'},
					     {NULL, 0, NULL, 0}};
	const char *since = NULL, *key = NULL, *public_key = NULL, *what;
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
		case 'k':
			key = optarg;
			break;
		case 'p':
			public_key = optarg;
			break;
		default:
			return cli_usage(usage_text, "audit: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage(usage_text, "audit: give one of verify, show, evidence, verify-evidence");
	what = argv[optind];
	if (strcmp(what, "evidence") == 0 || strcmp(what, "verify-evidence") == 0) {
		if (optind + 2 != argc)
			return cli_usage(usage_text, "audit %s: give the pack's folder", what);
		if (since || (what[0] == 'e' ? public_key != NULL : key != NULL))
			return cli_usage(usage_text, "audit %s: %s is not one of its options", what,
					 since		  ? "--since"
					 : what[0] == 'e' ? "--public-key"
							  : "--key");
		return what[0] == 'e' ? evidence(cli, argv[optind + 1], key)
				      : verify_evidence(cli, argv[optind + 1], public_key);
	}
	if (optind + 1 != argc)
		return cli_usage(usage_text, "audit %s: unexpected argument '%s'", what, argv[optind + 1]);
	if (key || public_key)
		return cli_usage(usage_text, "audit %s: --key and --public-key are for evidence packs", what);
	if (strcmp(what, "verify") == 0 && !since)
		return verify(cli);
	if (strcmp(what, "show") == 0)
		return show(cli, since);
	return cli_usage(usage_text, "audit: '%s' is not verify, show, evidence or verify-evidence%s", what,
			 since ? " (--since is for show)" : "");
}
