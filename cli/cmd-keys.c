/*
 * cmd-keys.c: `crmshift keys generate signing|data FILE` writes a new key
 * file (0600; a signing key's public half beside it as FILE.pub). Inside a
 * project the generation is an audit entry: which kind, which id, where.
 */
#include "compat.h"
#include "audit/keys.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] keys generate signing|data FILE\n"
	"\n"
	"  generate signing FILE  an Ed25519 key that signs evidence packs: FILE (secret, mode 0600)\n"
	"                         and FILE.pub, which verifiers use ('audit verify-evidence --public-key')\n"
	"  generate data FILE     32 random bytes that pseudonymize values and encrypt files at rest\n"
	"\n"
	"An existing file is never overwritten. crmshift refuses a secret key file that group or\n"
	"others can read. Keep keys outside the project folder and give their paths in crmshift.ini\n"
	"([security] signing_key, key_file).\n";

static int generate(struct cli *cli, const char *kind_name, const char *path)
{
	struct crm_error err = CRM_ERROR_INIT;
	enum crm_key_kind kind;
	struct crm_key key;

	if (crm_key_kind_parse(kind_name, &kind) || kind == CRM_KEY_PUBLIC)
		return cli_usage(usage_text, "keys generate: '%s' is not signing or data", kind_name);
	cli_audit_begin(cli, cli->dir);
	json_object_set_new(cli->audit, "action", json_string("keys generate"));
	json_object_set_new(cli->audit, "key", json_pack("{s:s, s:s}", "kind", kind_name, "file", path));
	if (crm_key_generate(kind, path, &key, &err))
		return cli_fail(&err);
	json_object_set_new(json_object_get(cli->audit, "key"), "id", json_string(key.id));
	crm_key_wipe(&key);
	if (cli->json) {
		json_t *root = json_pack("{s:s, s:s, s:s}", "kind", kind_name, "id", key.id, "file", path);

		if (kind == CRM_KEY_SIGNING)
			json_object_set_new(root, "public_file", json_sprintf("%s.pub", path));
		cli_print_json(root, 0);
		json_decref(root);
		return CRM_EXIT_OK;
	}
	printf("%s key %s written to %s (mode 0600)\n", kind_name, key.id, path);
	if (kind == CRM_KEY_SIGNING)
		printf("its public key is in %s.pub: give that file to whoever verifies evidence packs\n", path);
	else
		printf("without this file, what it encrypts cannot be read again: keep a copy where backups are\n");
	return CRM_EXIT_OK;
}

int cmd_keys(int argc, char **argv, struct cli *cli)
{
	int rc = cli_help_json_options(argc, argv, cli, usage_text);

	if (rc >= 0)
		return rc;
	if (optind < argc && strcmp(argv[optind], "generate") == 0) {
		if (argc - optind != 3)
			return cli_usage(usage_text, "keys generate: give the kind (signing or data) and the file");
		return generate(cli, argv[optind + 1], argv[optind + 2]);
	}
	return cli_usage(usage_text, "keys: give generate");
}
