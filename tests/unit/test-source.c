/*
 * test-source.c: SHA-256 of files and buffers, the freeze check's file
 * comparison, and the snapshot's record sample.
 */
#include "compat.h"
#include "engine/source.h"
#include "harness.h"
#include "util/path.h"
#include "util/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static const char *temp_file(const char *text)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/source.csv", harness_scratch());
	return harness_write_file(path, text) ? NULL : path;
}

static void test_source__sha256(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	char hex[CRM_SHA256_HEX];
	uint64_t size = 0;

	/* FIPS 180-2 test vectors */
	crm_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crm_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_INT(crm_sha256_file(temp_file("abc"), hex, &size, &err), 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT((long long)size, 3);
	remove(temp_file(""));
	CHECK_INT(crm_sha256_file("/nonexistent/export.csv", hex, &size, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "/nonexistent/export.csv");
}

/* A snapshot of the file as it is now. */
static void snapshot_of(const char *path, struct crm_source_file *f)
{
	struct stat st;
	struct crm_error err = CRM_ERROR_INIT;

	memset(f, 0, sizeof(*f));
	stat(path, &st);
	crm_sha256_file(path, f->sha256, &f->size, &err);
	f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

static void set_mtime(const char *path, long seconds)
{
	struct timeval tv[2] = {{seconds, 0}, {seconds, 0}};

	utimes(path, tv);
}

static void test_source__changed(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_source_file f;
	char reason[256];
	const char *path = temp_file("Id,Name\n1,Ada\n");

	set_mtime(path, 1700000000);
	snapshot_of(path, &f);
	CHECK_INT(crm_source_changed(&f, path, 0, reason, sizeof(reason), &err), 0);
	CHECK_INT(crm_source_changed(&f, path, 1, reason, sizeof(reason), &err), 0);
	/* touched, same content: compared by content, unchanged */
	set_mtime(path, 1700000100);
	CHECK_INT(crm_source_changed(&f, path, 0, reason, sizeof(reason), &err), 0);
	/* the same size, another content, and the old time put back: only the content tells */
	temp_file("Id,Name\n1,Bob\n");
	set_mtime(path, 1700000000);
	CHECK_INT(crm_source_changed(&f, path, 0, reason, sizeof(reason), &err), 0);
	CHECK_INT(crm_source_changed(&f, path, 1, reason, sizeof(reason), &err), 1);
	CHECK_CONTAINS(reason, "content changed");
	temp_file("Id,Name\n1,Ada\n2,Bob\n");
	CHECK_INT(crm_source_changed(&f, path, 0, reason, sizeof(reason), &err), 1);
	CHECK_STR(reason, "size 20 bytes, was 14");
	remove(path);
	CHECK_INT(crm_source_changed(&f, path, 0, reason, sizeof(reason), &err), 1);
	CHECK_STR(reason, "it is gone");
	CHECK_INT(err.code, 0);
}

static void test_source__display_path(void)
{
	CHECK_STR(crm_path_relative("/p/acme", "/p/acme/exports/Contact.csv"), "exports/Contact.csv");
	CHECK_STR(crm_path_relative("/p/acme/", "/p/acme/exports/Contact.csv"), "exports/Contact.csv");
	CHECK_STR(crm_path_relative(".", "./exports/Contact.csv"), "exports/Contact.csv");
	CHECK_STR(crm_path_relative("/p/acme", "/p/acme2/Contact.csv"), "/p/acme2/Contact.csv");
	CHECK_STR(crm_path_relative("/p/acme", "/tmp/delta/Contact.csv"), "/tmp/delta/Contact.csv");
}

static struct crm_object_config contact_cfg = {.name = "Contact"};
static char *contact_columns[] = {"Id", "Name"};
static struct crm_mapping_row name_row = {.pii = CRM_PII_PII};
static struct crm_field_program name_field = {.row = &name_row, .pii = 1, .source_col = 1};
static struct crm_program contact_prog = {.fields = &name_field, .field_count = 1};
static const struct crm_project_object contact = {
	.cfg = &contact_cfg, .columns = contact_columns, .column_count = 2, .prog = &contact_prog};
static int mask_personal;

/* Offers n records "i,Name i" (every seventh malformed) and writes the sample; its lines, or -1. */
static int draw(size_t capacity, uint64_t seed, int n, char *out, size_t cap, int64_t *records)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record_sample *s = crm_record_sample_new(&contact, capacity, seed, mask_personal);
	char path[128], id[16], name[32];
	FILE *f;
	int i, lines = 0;
	size_t len;

	*out = '\0';
	if (!s)
		return -1;
	for (i = 1; i <= n; i++) {
		struct crm_field fields[2];
		struct crm_record rec = {fields, 2, (unsigned long)i + 1, (unsigned long)i + 1, (uint64_t)i, 0};
		snprintf(id, sizeof(id), "%d", i);
		snprintf(name, sizeof(name), "Name \xc3\xa9 %d", i);
		fields[0].ptr = id;
		fields[0].len = strlen(id);
		fields[1].ptr = name;
		fields[1].len = strlen(name);
		crm_record_sample_offer(s, &rec, i % 7 != 0);
	}
	*records = crm_record_sample_records(s);
	snprintf(path, sizeof(path), "%s/sample.jsonl", harness_scratch());
	CHECK_INT(crm_record_sample_write(s, path, NULL, &err), 0);
	crm_record_sample_free(s);
	f = fopen(path, "rb");
	len = f ? fread(out, 1, cap - 1, f) : 0;
	out[len] = '\0';
	if (f)
		fclose(f);
	remove(path);
	for (i = 0; out[i]; i++)
		lines += out[i] == '\n';
	return lines;
}

static void test_source__record_sample(void)
{
	static char a[1 << 16], b[1 << 16], c[1 << 16];
	int64_t records = 0;
	unsigned long last = 0;
	const char *p;

	/* fewer records than slots: every good one, in file order */
	CHECK_INT(draw(10, 1, 8, a, sizeof(a), &records), 7);
	CHECK_INT((long long)records, 8);
	{
		const char *first =
			"{\"object\":\"Contact\",\"line\":2,\"record\":{\"Id\":\"1\",\"Name\":\"Name \xc3\xa9 1\"}}\n";
		CHECK(strncmp(a, first, strlen(first)) == 0);
	}
	/* the same, with personal values masked: Name feeds a PII field */
	mask_personal = 1;
	CHECK_INT(draw(10, 1, 8, a, sizeof(a), &records), 7);
	mask_personal = 0;
	{
		const char *first = "{\"object\":\"Contact\",\"line\":2,\"record\":{\"Id\":\"1\",\"Name\":\"<PII, 8 "
				    "characters>\"}}\n";
		CHECK(strncmp(a, first, strlen(first)) == 0);
		CHECK(strstr(a, "Name \xc3\xa9") == NULL);
	}
	/* more: exactly the slots, drawn the same for the same seed, otherwise for another */
	CHECK_INT(draw(10, 42, 5000, a, sizeof(a), &records), 10);
	CHECK_INT((long long)records, 5000);
	CHECK_INT(draw(10, 42, 5000, b, sizeof(b), &records), 10);
	CHECK_INT(draw(10, 43, 5000, c, sizeof(c), &records), 10);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	/* in line order, none malformed, not all from the start (it is a sample of the whole file) */
	for (p = a; (p = strstr(p, "\"line\":")) != NULL; p++) {
		unsigned long line = strtoul(p + 7, NULL, 10);
		CHECK(line > last);
		CHECK((line - 1) % 7 != 0);
		last = line;
	}
	CHECK(last > 100);
	/* no slots: it only counts */
	CHECK_INT(draw(0, 1, 50, a, sizeof(a), &records), 0);
	CHECK_INT((long long)records, 50);
}

static const struct harness_test tests[] = {
	TEST(test_source__sha256),
	TEST(test_source__changed),
	TEST(test_source__display_path),
	TEST(test_source__record_sample),
};

HARNESS_MAIN
