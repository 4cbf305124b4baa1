/*
 * cmd-keys.c: `crmshift keys generate signing|data FILE` writes a new key
 * file (0600; a signing key's public half beside it as FILE.pub). Inside a
 * project the generation is an audit entry: which kind, which id, where.
 * `crmshift keys rotate FILE` reseals the project's files at rest under
 * the data key in FILE and names it in crmshift.ini.
 */
#include "compat.h"
#include "audit/keys.h"
#include "cli.h"
#include "engine/rotate.h"
#include "util/alloc.h"

#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] keys generate signing|data FILE\n"
	"       crmshift [-C DIR] keys rotate FILE\n"
	"\n"
	"  generate signing FILE  an Ed25519 key that signs evidence packs: FILE (secret, mode 0600)\n"
	"                         and FILE.pub, which verifiers use ('audit verify-evidence --public-key')\n"
	"  generate data FILE     32 random bytes that pseudonymize values and encrypt files at rest\n"
	"  rotate FILE            reseal every file encrypted at rest under the data key in FILE\n"
	"                         (from [security] key_file), then name FILE as key_file; run it\n"
	"                         again to finish a rotation cut short\n"
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

static int rotate(struct cli *cli, const char *new_path)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_rotate_result res;
	struct crm_config cfg;
	struct crm_key old_key, new_key;
	char *old_path = NULL, *absolute = NULL;
	int rc;

	if (crm_config_load(&cfg, cli->dir, &err))
		return cli_fail(&err);
	if (!cfg.key_file) {
		crm_config_release(&cfg);
		return cli_usage(usage_text, "keys rotate: crmshift.ini has no [security] key_file to rotate from");
	}
	cli_audit_begin(cli, cli->dir);
	json_object_set_new(cli->audit, "action", json_string("keys rotate"));
	rc = cli_lock_project(cli, "keys rotate");
	if (rc >= 0) {
		crm_config_release(&cfg);
		return rc;
	}
	/* the config names the key from the project's folder: a relative path given here is made absolute */
	absolute = new_path[0] == '/' ? crm_strdup(new_path) : realpath(new_path, NULL);
	old_path = crm_config_path(&cfg, cfg.key_file);
	if (!absolute)
		crm_error_set(&err, CRM_EINPUT, "key file '%s': %s", new_path, strerror(errno));
	else if (!old_path)
		crm_error_set(&err, CRM_ENOMEM, "out of memory");
	else if (!crm_key_load(old_path, CRM_KEY_DATA, &old_key, &err) &&
		 !crm_key_load(absolute, CRM_KEY_DATA, &new_key, &err)) {
		json_object_set_new(cli->audit, "key",
				    json_pack("{s:s, s:s, s:s}", "kind", "data", "from", old_key.id, "to", new_key.id));
		if (strcmp(old_key.id, new_key.id) == 0)
			crm_error_set(&err, CRM_EUSAGE, "keys rotate: '%s' is the key crmshift.ini names already",
				      new_path);
		else if (!crm_keys_rotate(&cfg, &old_key, &new_key, absolute, &res, &err) || err.code == CRM_EREFUSED)
			json_object_set_new(cli->audit, "counts",
					    json_pack("{s:I, s:I, s:I}", "resealed", (json_int_t)res.resealed,
						      "already", (json_int_t)res.already, "foreign",
						      (json_int_t)res.foreign));
		crm_key_wipe(&new_key);
	}
	crm_key_wipe(&old_key);
	crm_config_release(&cfg);
	crm_free(old_path);
	if (err.code) {
		free(absolute);
		return err.code == CRM_EUSAGE ? cli_usage(usage_text, "%s", err.msg) : cli_fail(&err);
	}
	if (cli->json) {
		json_t *root = json_pack("{s:s, s:s, s:I, s:I}", "from", old_key.id, "to", new_key.id, "resealed",
					 (json_int_t)res.resealed, "already", (json_int_t)res.already);
		cli_print_json(root, 0);
		json_decref(root);
	} else {
		printf("resealed %zu file%s from key %s to key %s", res.resealed, res.resealed == 1 ? "" : "s",
		       old_key.id, new_key.id);
		if (res.already)
			printf(" (%zu already under it)", res.already);
		printf("\ncrmshift.ini: key_file = %s\n", absolute);
		printf("keep the old key until backups sealed under it have expired\n");
	}
	free(absolute);
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
	if (optind < argc && strcmp(argv[optind], "rotate") == 0) {
		if (argc - optind != 2)
			return cli_usage(usage_text, "keys rotate: give the new data key's file");
		return rotate(cli, argv[optind + 1]);
	}
	return cli_usage(usage_text, "keys: give generate or rotate");
}
