/*
 * test-json.c: sfdx data trees and JSON lines read as records, on hand-made
 * files for the edge cases and on the real exports in ../shared/data/real.
 */
#include "compat.h"
#include "harness.h"
#include "io/reader.h"
#include "util/alloc.h"
#include "util/limits.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_path[64];

static struct crm_reader *open_spec(const char *path, enum crm_reader_kind kind, const char *stream,
				    struct crm_error *err)
{
	struct crm_reader_spec spec = {.path = path, .kind = kind, .delimiter = ',', .stream = stream};

	return crm_reader_open(&spec, err);
}

static struct crm_reader *open_text(const char *text, enum crm_reader_kind kind, const char *stream,
				    struct crm_error *err)
{
	if (harness_temp_file(text, strlen(text), tmp_path))
		return NULL;
	return open_spec(tmp_path, kind, stream, err);
}

static void close_text(struct crm_reader *r)
{
	crm_reader_close(r);
	unlink(tmp_path);
}

/* The field of rec in the column named name, as a NUL-terminated copy in buf. */
static const char *field(const struct crm_reader *r, const struct crm_record *rec, const char *name, char *buf,
			 size_t cap)
{
	long i = crm_reader_column(r, name);

	if (i < 0 || (size_t)i >= rec->count)
		return "(no column)";
	snprintf(buf, cap, "%.*s", (int)rec->fields[i].len, rec->fields[i].ptr);
	return buf;
}

#define FIELD(name) field(r, &rec, name, buf, sizeof(buf))

static void test_json__sfdx_tree_header_is_union_of_keys_in_order(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	char buf[256];
	struct crm_reader *r =
		open_text("\xEF\xBB\xBF{\n"
			  "  \"records\": [\n"
			  "    {\"attributes\": {\"type\": \"Account\", \"referenceId\": \"AccountRef1\"},\n"
			  "     \"Name\": \"Acme, Inc.\", \"NumberOfEmployees\": 250},\n"
			  "    {\"attributes\": {\"type\": \"Account\", \"referenceId\": \"AccountRef2\"},\n"
			  "     \"Name\": \"Cafe\\u0301\", \"Rating\": null, \"AnnualRevenue\": 1.5e6,\n"
			  "     \"IsPartner\": true}\n"
			  "  ]\n"
			  "}\n",
			  CRM_READER_SFDX_TREE, NULL, &err);

	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 7);
	CHECK_FIELD(rec, 0, "attributes.type");
	CHECK_FIELD(rec, 1, "attributes.referenceId");
	CHECK_FIELD(rec, 3, "NumberOfEmployees");
	CHECK_FIELD(rec, 6, "IsPartner");

	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.line, 3);
	CHECK_INT(rec.end_line, 4);
	CHECK_INT(rec.index, 1);
	CHECK_STR(FIELD("attributes.referenceId"), "AccountRef1");
	CHECK_STR(FIELD("Name"), "Acme, Inc.");
	CHECK_STR(FIELD("NumberOfEmployees"), "250");
	CHECK_STR(FIELD("IsPartner"), ""); /* a key the record does not have */

	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.line, 5);
	CHECK_STR(FIELD("Name"), "Caf\xC3\xA9"); /* NFC */
	CHECK_STR(FIELD("Rating"), "");
	CHECK_STR(FIELD("AnnualRevenue"), "1500000");
	CHECK_STR(FIELD("IsPartner"), "true");
	CHECK_STR(FIELD("NumberOfEmployees"), "");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_EOF);
	CHECK_INT(err.code, 0);
	close_text(r);
}

static void test_json__sfdx_bad_records_are_named_and_reading_goes_on(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	char buf[256];
	struct crm_reader *r =
		open_text("{\"records\": [\n"
			  "{\"Name\": \"a\", \"Name\": \"b\"},\n"
			  "{\"Name\": \"Parent\", \"Contacts\": {\"records\": [{\"LastName\": \"x\"}]}},\n"
			  "42,\n"
			  "{\"Name\": \"ok\"}\n"
			  "]}",
			  CRM_READER_SFDX_TREE, NULL, &err);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD); /* header */
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":2:");
	CHECK_CONTAINS(err.msg, "duplicate");
	crm_error_clear(&err);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":3: 'Contacts' nests child records");
	crm_error_clear(&err);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":4: the record is not a JSON object");
	crm_error_clear(&err);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.index, 4);
	CHECK_STR(FIELD("Name"), "ok");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_EOF);
	close_text(r);
}

static void test_json__sfdx_broken_structure_stops_at_open(void)
{
	struct crm_error err = CRM_ERROR_INIT;

	CHECK(open_text("{\"result\": []}", CRM_READER_SFDX_TREE, NULL, &err) == NULL);
	CHECK_CONTAINS(err.msg, "no \"records\" array: not an sfdx data tree file");
	unlink(tmp_path);
	crm_error_clear(&err);
	CHECK(open_text("{\"records\": [\n{\"Name\": \"a\"},\n{\"Name\": \"b", CRM_READER_SFDX_TREE, NULL, &err) ==
	      NULL);
	CHECK_CONTAINS(err.msg, ":3:");
	CHECK_CONTAINS(err.msg, "the file ends inside a record");
	unlink(tmp_path);
	crm_error_clear(&err);
	CHECK(open_text("[{\"Name\": \"a\"}]", CRM_READER_SFDX_TREE, NULL, &err) == NULL);
	CHECK_CONTAINS(err.msg, "starts with '{'");
	unlink(tmp_path);
	crm_error_clear(&err);
	CHECK(open_text("{\"records\": [{\"Name\": \"a\"}]} trailing", CRM_READER_SFDX_TREE, NULL, &err) == NULL);
	CHECK_CONTAINS(err.msg, "text after the top-level object");
	unlink(tmp_path);
}

static void test_json__json_lines_flatten_arrays_and_objects(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	char buf[256];
	struct crm_reader *r = open_text(
		"{\"id\": 5, \"org_id\": {\"value\": 1, \"name\": \"Org\"}, \"phone\": [{\"label\": \"work\", "
		"\"value\": \"+14443332266\", \"primary\": true}], \"label_ids\": [\"a\", \"b\"]}\n"
		"\n"
		"{\"id\": 6, \"org_id\": null, \"phone\": [], \"label_ids\": []}\n"
		"{\"id\": 7,\n",
		CRM_READER_JSON_LINES, NULL, &err);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	/* id, org_id.value, org_id.name, phone.0.{label,value,primary}, label_ids.{0,1}, and org_id: a null is a value */
	CHECK_INT(rec.count, 9);
	CHECK(crm_reader_column(r, "org_id.value") == 1);
	CHECK(crm_reader_column(r, "phone.0.value") >= 0);
	CHECK(crm_reader_column(r, "label_ids.1") >= 0);
	CHECK(crm_reader_column(r, "org_id") == 8);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_STR(FIELD("org_id.name"), "Org");
	CHECK_STR(FIELD("phone.0.value"), "+14443332266");
	CHECK_STR(FIELD("phone.0.primary"), "true");
	CHECK_STR(FIELD("label_ids.1"), "b");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.line, 3);
	CHECK_STR(FIELD("id"), "6");
	CHECK_STR(FIELD("org_id.value"), "");
	CHECK_STR(FIELD("phone.0.value"), "");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":4:");
	crm_error_clear(&err);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_EOF);
	close_text(r);
}

static void test_json__airbyte_stream_keeps_only_its_records(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	char buf[256];
	struct crm_reader *r =
		open_text("{\"stream\": \"deals\", \"data\": {\"id\": 1, \"title\": \"d\"}, \"emitted_at\": 1}\n"
			  "{\"stream\": \"persons\", \"data\": {\"id\": 5, \"name\": \"P\"}, \"emitted_at\": 1}\n"
			  "{\"type\": \"RECORD\", \"record\": {\"stream\": \"persons\", \"data\": {\"id\": 6, "
			  "\"name\": \"Q\"}}}\n"
			  "{\"type\": \"STATE\", \"state\": {}}\n",
			  CRM_READER_JSON_LINES, "persons", &err);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 2);
	CHECK(crm_reader_column(r, "title") == -1);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.line, 2);
	CHECK_INT(rec.index, 1);
	CHECK_STR(FIELD("name"), "P");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_STR(FIELD("id"), "6");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":4: not an Airbyte record");
	crm_error_clear(&err);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_EOF);
	close_text(r);

	CHECK(open_text("{\"stream\": \"deals\", \"data\": {\"id\": 1}}\n", CRM_READER_JSON_LINES, "persons", &err) ==
	      NULL);
	CHECK_CONTAINS(err.msg, "no records of stream persons");
	unlink(tmp_path);
}

static void test_json__encoding_other_than_utf8_is_refused(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_reader_spec spec = {
		.path = tmp_path, .kind = CRM_READER_JSON_LINES, .encoding = "latin1", .delimiter = ','};

	CHECK_INT(harness_temp_file("{}\n", 3, tmp_path), 0);
	CHECK(crm_reader_open(&spec, &err) == NULL);
	CHECK_CONTAINS(err.msg, "a JSON export is UTF-8, not latin1");
	unlink(tmp_path);
}

/*
 * Reads a real export to its end: the record count, and the fields of its
 * first record named in expect ("column", "value", ... NULL).
 */
static void check_real(const char *path, enum crm_reader_kind kind, const char *stream, int records,
		       const char *const *expect)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	char buf[256];
	struct crm_reader *r = open_spec(path, kind, stream, &err);
	int n = 0;
	size_t i;

	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	while (crm_reader_next(r, &rec, &err) == CRM_READ_RECORD)
		if (++n == 1)
			for (i = 0; expect[i]; i += 2)
				CHECK_STR(FIELD(expect[i]), expect[i + 1]);
	CHECK_INT(err.code, 0);
	CHECK_INT(n, records);
	crm_reader_close(r);
}

/* ebikes' order items: the junction with @references, numbers as JSON numbers. */
static void test_json__real_ebikes_order_items(void)
{
	static const char *const first[] = {
		"attributes.referenceId", "OrderItemRef1", "Order__c", "@OrderRef1", "Product__c",
		"@Product__cRef10",	  "Price__c",	   "65",       NULL};

	check_real("../shared/data/real/ebikes-lwc/tree-nto-demo/Order_Item__cs.json", CRM_READER_SFDX_TREE, NULL, 5,
		   first);
}

/* The Airbyte excerpt: 3 persons among 39 lines, with their phone and email arrays. */
static void test_json__real_airbyte_pipedrive_persons(void)
{
	static const char *const first[] = {
		"id", "5", "phone.0.value", "+14443332266", "email.0.value", "user2.sample.airbyte@gmail.com", "org_id",
		"1",  NULL};

	check_real("../shared/data/real/airbyte-pipedrive/expected_records_excerpt.jsonl", CRM_READER_JSON_LINES,
		   "persons", 3, first);
}

/* A record past CRM_MAX_RECORD_LEN is refused with its place, in both formats. */
static void test_json__record_larger_than_the_limit_is_named(void)
{
	static const char *const heads[] = {"{\"a\": \"", "{\"records\": [{\"a\": \""};
	static const char *const tails[] = {"\"}\n", "\"}]}\n"};
	static const enum crm_reader_kind kinds[] = {CRM_READER_JSON_LINES, CRM_READER_SFDX_TREE};
	static const char *const said[] = {":1: a line is larger than the limit",
					   ": a record is larger than the limit"};
	size_t body = CRM_MAX_RECORD_LEN + 16, k;

	for (k = 0; k < 2; k++) {
		struct crm_error err = CRM_ERROR_INIT;
		size_t head = strlen(heads[k]), tail = strlen(tails[k]);
		char *text = malloc(head + body + tail + 1);
		struct crm_reader *r;
		CHECK(text != NULL);
		if (!text)
			return;
		memcpy(text, heads[k], head);
		memset(text + head, 'x', body);
		memcpy(text + head + body, tails[k], tail + 1);
		r = open_text(text, kinds[k], NULL, &err);
		free(text);
		CHECK(r == NULL);
		CHECK_INT(err.code, CRM_EINPUT);
		CHECK_CONTAINS(err.msg, said[k]);
		close_text(r);
	}
}

static void test_json__out_of_memory_is_an_error(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_reader *r;
	int n;

	for (n = 0; n < 200; n++) {
		crm_error_clear(&err);
		crm_alloc_fail_after(n);
		r = open_spec("../shared/data/real/ebikes-lwc/tree-main/Accounts.json", CRM_READER_SFDX_TREE, NULL,
			      &err);
		crm_alloc_fail_after(-1);
		if (r) {
			crm_reader_close(r);
			break;
		}
		CHECK_INT(err.code, CRM_ENOMEM);
	}
	CHECK(n > 0 && n < 200);
}

/* A broken record names where and what, never the text around it: that can be a flagged field's value. */
static void test_json__syntax_errors_quote_no_value(void)
{
	static const char *const broken[] = {
		"{\"Id\": \"1\", \"Email\": \"jane.doe@secret.example\\q\"}\n",	   /* a bad escape */
		"{\"Id\": \"1\", \"Email\": jane.doe@secret.example}\n",	   /* no quotes */
		"{\"Id\": \"1\", \"Email\": \"jane.doe@secret.example\" \"x\"}\n", /* a missing comma */
	};
	size_t i;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_record rec;
		char text[256];
		struct crm_reader *r;
		snprintf(text, sizeof(text), "{\"Id\": \"0\", \"Email\": \"a@b.example\"}\n%s", broken[i]);
		r = open_text(text, CRM_READER_JSON_LINES, NULL, &err);
		CHECK(r != NULL);
		if (!r)
			continue;
		CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD); /* the header */
		CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
		CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_BAD_RECORD);
		CHECK_CONTAINS(err.msg, ":2:");
		CHECK(strstr(err.msg, "jane") == NULL && strstr(err.msg, "secret") == NULL);
		close_text(r);
	}
}

static const struct harness_test tests[] = {
	TEST(test_json__syntax_errors_quote_no_value),
	TEST(test_json__sfdx_tree_header_is_union_of_keys_in_order),
	TEST(test_json__sfdx_bad_records_are_named_and_reading_goes_on),
	TEST(test_json__sfdx_broken_structure_stops_at_open),
	TEST(test_json__json_lines_flatten_arrays_and_objects),
	TEST(test_json__airbyte_stream_keeps_only_its_records),
	TEST(test_json__encoding_other_than_utf8_is_refused),
	TEST(test_json__real_ebikes_order_items),
	TEST(test_json__real_airbyte_pipedrive_persons),
	TEST(test_json__record_larger_than_the_limit_is_named),
	TEST(test_json__out_of_memory_is_an_error),
};

HARNESS_MAIN
