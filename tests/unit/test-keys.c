/*
 * test-keys.c: key files and signatures: a generated key loads back with
 * the same id, a signature holds under its key and not under another or
 * over changed bytes; existing files, readable secrets, damaged files and
 * the wrong kind are refused.
 */
#include "compat.h"
#include "audit/keys.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[96];
static char path[128], other[128], data[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/keys-XXXXXX", harness_scratch());
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/sign.key", dir);
	snprintf(other, sizeof(other), "%s/other.key", dir);
	snprintf(data, sizeof(data), "%s/data.key", dir);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static void test_keys__sign_and_verify(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_key made, loaded, pub, stranger;
	char sig[CRM_KEY_SIGNATURE_B64], pub_path[160];
	static const char msg[] = "{\"files\": []}";
	struct stat st;

	setup();
	CHECK_INT(crm_key_generate(CRM_KEY_SIGNING, path, &made, &err), 0);
	CHECK_INT((int)strlen(made.id), 16);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT((int)(st.st_mode & 0777), 0600);
	CHECK_INT(crm_key_load(path, CRM_KEY_SIGNING, &loaded, &err), 0);
	CHECK_STR(loaded.id, made.id);
	snprintf(pub_path, sizeof(pub_path), "%s.pub", path);
	CHECK_INT(crm_key_load(pub_path, CRM_KEY_PUBLIC, &pub, &err), 0);
	CHECK_STR(pub.id, made.id);

	crm_key_sign(&loaded, msg, strlen(msg), sig);
	CHECK_INT(crm_key_verify(&pub, msg, strlen(msg), sig), 1);
	/* a signing key verifies too, as its public half */
	CHECK_INT(crm_key_verify(&loaded, msg, strlen(msg), sig), 1);
	CHECK_INT(crm_key_verify(&pub, msg, strlen(msg) - 1, sig), 0);
	CHECK_INT(crm_key_generate(CRM_KEY_SIGNING, other, &stranger, &err), 0);
	CHECK(strcmp(stranger.id, made.id) != 0);
	CHECK_INT(crm_key_verify(&stranger, msg, strlen(msg), sig), 0);
	CHECK_INT(crm_key_verify(&pub, msg, strlen(msg), "not base64 at all"), 0);
	crm_key_wipe(&loaded);
	cleanup();
}

static void test_keys__refusals(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_key key, again;
	char cmd[1024];

	setup();
	CHECK_INT(crm_key_generate(CRM_KEY_DATA, data, &key, &err), 0);
	CHECK_INT(crm_key_load(data, CRM_KEY_DATA, &again, &err), 0);
	CHECK_STR(again.id, key.id);
	CHECK(memcmp(again.secret, key.secret, CRM_KEY_DATA_BYTES) == 0);

	/* never over an existing key */
	CHECK_INT(crm_key_generate(CRM_KEY_DATA, data, &again, &err), CRM_EREFUSED);
	CHECK_CONTAINS(err.msg, "never overwrites a key");
	crm_error_clear(&err);

	/* the wrong kind */
	CHECK_INT(crm_key_load(data, CRM_KEY_SIGNING, &again, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "holds a data key, not a signing key");
	crm_error_clear(&err);

	/* readable by the group: refused, naming the fix */
	CHECK_INT(chmod(data, 0640), 0);
	CHECK_INT(crm_key_load(data, CRM_KEY_DATA, &again, &err), CRM_EREFUSED);
	CHECK_CONTAINS(err.msg, "(mode 0640): run 'chmod 600");
	crm_error_clear(&err);
	CHECK_INT(chmod(data, 0600), 0);

	/* a changed byte of the key no longer matches its id */
	snprintf(cmd, sizeof(cmd),
		 "awk '/^crmshift-key/ {c = substr($4, 1, 1); $4 = (c == \"A\" ? \"B\" : \"A\") substr($4, 2)} "
		 "{print}' %s >%s.new && cat %s.new >%s",
		 data, data, data, data);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(crm_key_load(data, CRM_KEY_DATA, &again, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is damaged");
	crm_error_clear(&err);

	/* not a key file at all; no file */
	snprintf(cmd, sizeof(cmd), "echo hello >%s/text && chmod 600 %s/text", dir, dir);
	CHECK_INT(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/text", dir);
	CHECK_INT(crm_key_load(cmd, CRM_KEY_DATA, &again, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is not a crmshift key file");
	crm_error_clear(&err);
	snprintf(cmd, sizeof(cmd), "%s/none", dir);
	CHECK_INT(crm_key_load(cmd, CRM_KEY_DATA, &again, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "No such file");
	cleanup();
}

static const struct harness_test tests[] = {
	TEST(test_keys__sign_and_verify),
	TEST(test_keys__refusals),
};

HARNESS_MAIN
