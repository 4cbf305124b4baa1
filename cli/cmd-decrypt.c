/*
 * cmd-decrypt.c: `crmshift decrypt FILE` writes the plain text of a file
 * crmshift sealed at rest (a record sample, rejects, rows changed since
 * cutover) on stdout or into --output (created 0600, never over a file).
 * It is a use of the key, so it is an audit entry: who read which file.
 */
#include "compat.h"
#include "audit/seal.h"
#include "cli.h"
#include "model/config.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: crmshift [-C DIR] decrypt FILE [--output OUT] [--key FILE]\n"
	"\n"
	"Writes the plain text of FILE, sealed by crmshift with [security] key_file, on stdout\n"
	"or into OUT (mode 0600; an existing OUT is refused). Nothing is written unless the whole\n"
	"file decrypts: a changed, cut or appended file is refused (exit 1), and so is one\n"
	"sealed under another key (exit 4, naming both keys).\n"
	"\n"
	"  --key FILE   the data key; default: [security] key_file of the project\n";

/* The key: given, or the project's key_file. */
static int load_key(const struct cli *cli, const char *given, struct crm_key *key, struct crm_error *err)
{
	struct crm_config cfg;
	char *path;

	if (given)
		return crm_key_load(given, CRM_KEY_DATA, key, err);
	if (crm_config_load(&cfg, cli->dir, err))
		return err->code;
	path = cfg.key_file ? crm_config_path(&cfg, cfg.key_file) : NULL;
	if (!cfg.key_file)
		crm_error_set(err, CRM_EUSAGE, "decrypt: no key: give --key FILE or set [security] key_file");
	else if (!path)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	else
		crm_key_load(path, CRM_KEY_DATA, key, err);
	crm_free(path);
	crm_config_release(&cfg);
	return err->code;
}

/* Writes (data, len) whole to out_path, created 0600 and never over an existing file. */
static int write_new(const char *out_path, const char *data, size_t len, struct crm_error *err)
{
	int fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return crm_error_set(err, errno == EEXIST ? CRM_EREFUSED : CRM_EIO, "'%s': %s", out_path,
				     errno == EEXIST ? "exists: decrypt never writes over a file" : strerror(errno));
	while (done < len && ((n = write(fd, data + done, len - done)) > 0 || (n < 0 && errno == EINTR)))
		done += n > 0 ? (size_t)n : 0;
	if (done < len || fsync(fd) != 0)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", out_path, strerror(errno));
	close(fd);
	if (err->code)
		unlink(out_path);
	return err->code;
}

int cmd_decrypt(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"output", required_argument, NULL, 'o'},
					     {"key", required_argument, NULL, 'k'},
					     {NULL, 0, NULL, 0}};
	struct crm_error err = CRM_ERROR_INIT;
	const char *output = NULL, *key_file = NULL, *file;
	struct crm_key key;
	char *plain = NULL;
	size_t plain_len = 0;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return CRM_EXIT_OK;
		}
		if (c == 'o')
			output = optarg;
		else if (c == 'k')
			key_file = optarg;
		else
			return cli_usage(usage_text, "decrypt: unknown option '%s'", argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage(usage_text, "decrypt: give one file");
	file = argv[optind];
	cli_audit_begin(cli, cli->dir);
	json_object_set_new(cli->audit, "file", json_string(cli_rel(cli, file)));
	if (output)
		json_object_set_new(cli->audit, "output", json_string(output));
	if (load_key(cli, key_file, &key, &err))
		return err.code == CRM_EUSAGE ? cli_usage(usage_text, "%s", err.msg) : cli_fail(&err);
	json_object_set_new(cli->audit, "key", json_pack("{s:s, s:s}", "kind", "data", "id", key.id));
	/* whole in memory first: nothing comes out of a file that does not decrypt to its end */
	crm_seal_read_all(file, &key, &plain, &plain_len, &err);
	crm_key_wipe(&key);
	if (!err.code) {
		if (output)
			write_new(output, plain, plain_len, &err);
		else if (plain_len && fwrite(plain, 1, plain_len, stdout) != plain_len)
			crm_error_set(&err, CRM_EIO, "cannot write the plain text: %s", strerror(errno));
	}
	crm_seal_plain_free(plain, plain_len);
	return err.code ? cli_fail(&err) : CRM_EXIT_OK;
}
