/*
 * test-seal.c: sealed files round-trip (empty, one chunk, several), name
 * their key, and refuse to open under another key, with a changed byte, cut
 * short, with a chunk dropped, or with data appended.
 */
#include "compat.h"
#include "audit/seal.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[96], path[128];
static struct crm_key key, other;

static void setup(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	char key_path[128];

	snprintf(dir, sizeof(dir), "%s/seal-XXXXXX", harness_scratch());
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/file.enc", dir);
	snprintf(key_path, sizeof(key_path), "%s/a.key", dir);
	CHECK_INT(crm_key_generate(CRM_KEY_DATA, key_path, &key, &err), 0);
	snprintf(key_path, sizeof(key_path), "%s/b.key", dir);
	CHECK_INT(crm_key_generate(CRM_KEY_DATA, key_path, &other, &err), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

/* Opens path under k into memory; the error code, out/out_len the plain text. */
static int open_sealed(const struct crm_key *k, char **out, size_t *out_len, struct crm_error *err)
{
	FILE *mem = open_memstream(out, out_len);
	int rc = crm_seal_read(path, k, mem, err);

	fclose(mem);
	return rc;
}

/* A shell command on the sealed file, which it calls $P. */
static void run(const char *cmd)
{
	CHECK_INT(setenv("P", path, 1), 0);
	CHECK_INT(system(cmd), 0);
}

static void test_seal__round_trip(void)
{
	static const size_t sizes[] = {0, 1, 65536, 65537, 300000};
	struct crm_error err = CRM_ERROR_INIT;
	char id[CRM_KEY_ID], *plain, *back;
	size_t i, j, back_len;

	setup();
	for (i = 0; i < CRM_ARRAY_COUNT(sizes); i++) {
		plain = malloc(sizes[i] + 1);
		for (j = 0; j < sizes[i]; j++)
			plain[j] = (char)('a' + (j * 7 + i) % 26);
		CHECK_INT(crm_seal_save(path, plain, sizes[i], &key, &err), 0);
		CHECK_INT(crm_seal_key_id(path, id, &err), 1);
		CHECK_STR(id, key.id);
		back = NULL;
		CHECK_INT(open_sealed(&key, &back, &back_len, &err), 0);
		CHECK_INT((int)back_len, (int)sizes[i]);
		CHECK(back_len == sizes[i] && memcmp(back, plain, sizes[i]) == 0);
		/* the plain text is nowhere in the file */
		if (sizes[i] >= 65536) {
			char cmd[256];
			snprintf(cmd, sizeof(cmd), "grep -qa '%.*s' %s", 40, plain + 1000, path);
			CHECK(system(cmd) != 0);
		}
		free(back);
		free(plain);
	}
	CHECK_INT(access(path, F_OK), 0);
	teardown();
}

static void test_seal__refusals(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	char *plain, *back = NULL;
	size_t back_len;

	setup();
	plain = malloc(200000);
	memset(plain, 'x', 200000);
	CHECK_INT(crm_seal_save(path, plain, 200000, &key, &err), 0);
	run("cp $P $P.good");

	CHECK_INT(open_sealed(&other, &back, &back_len, &err), CRM_EREFUSED);
	CHECK_CONTAINS(err.msg, "is sealed under key");
	crm_error_clear(&err);
	free(back);

	/* a changed byte in the second chunk: flipped, since a written constant may equal what is there */
	{
		FILE *f = fopen(path, "r+b");
		int c;
		REQUIRE(f != NULL);
		CHECK_INT(fseek(f, 70000, SEEK_SET), 0);
		c = fgetc(f);
		CHECK_INT(fseek(f, 70000, SEEK_SET), 0);
		CHECK_INT(fputc(c ^ 0xff, f), c ^ 0xff);
		CHECK_INT(fclose(f), 0);
	}
	back = NULL;
	CHECK_INT(open_sealed(&key, &back, &back_len, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is damaged at byte 65605");
	crm_error_clear(&err);
	free(back);

	/* cut short after whole chunks: the final one is missing */
	run("head -c 196719 $P.good >$P");
	back = NULL;
	CHECK_INT(open_sealed(&key, &back, &back_len, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is cut short at byte 196719");
	crm_error_clear(&err);
	free(back);

	/* the second chunk dropped: the third does not follow the first */
	run("{ head -c 65605 $P.good; tail -c +131163 $P.good; } >$P.x");
	run("mv $P.x $P");
	back = NULL;
	CHECK_INT(open_sealed(&key, &back, &back_len, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is damaged at byte 65605");
	crm_error_clear(&err);
	free(back);

	/* appended to */
	run("cp $P.good $P && echo more >>$P");
	back = NULL;
	CHECK_INT(open_sealed(&key, &back, &back_len, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "has data after its final part");
	crm_error_clear(&err);
	free(back);

	/* not sealed at all */
	run("echo 'a,b' >$P");
	CHECK_INT(crm_seal_key_id(path, (char[CRM_KEY_ID]){0}, &err), 0);
	back = NULL;
	CHECK_INT(open_sealed(&key, &back, &back_len, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is not a sealed file");
	free(back);
cleanup:
	free(plain);
	teardown();
}

static const struct harness_test tests[] = {
	TEST(test_seal__round_trip),
	TEST(test_seal__refusals),
};

HARNESS_MAIN
