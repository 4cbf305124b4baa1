/*
 * test-reader.c: what the reader interface adds over its backends: a key of
 * several columns, as a junction without an id column is named by, and a
 * column listing values read as one record per value.
 */
#include "compat.h"
#include "harness.h"
#include "io/reader.h"

#include <string.h>
#include <unistd.h>

static char tmp_path[64];

static struct crm_reader *open_listed(const char *text, enum crm_reader_kind kind, const char *key, const char *each,
				      struct crm_error *err)
{
	struct crm_reader_spec spec = {.path = tmp_path, .kind = kind, .delimiter = ',', .key = key, .each = each};

	if (harness_temp_file(text, strlen(text), tmp_path))
		return NULL;
	return crm_reader_open(&spec, err);
}

static struct crm_reader *open_keyed(const char *text, enum crm_reader_kind kind, const char *key,
				     struct crm_error *err)
{
	return open_listed(text, kind, key, NULL, err);
}

static void test_reader__key_of_two_columns_joins_them(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	struct crm_reader *r = open_keyed("deal_id,contact_id,role\n"
					  "d1,c1,buyer\n"
					  "d|2,c\\1,user\n"
					  "d3,,none\n",
					  CRM_READER_CSV, "deal_id + contact_id", &err);
	long key;

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 4);
	CHECK_FIELD(rec, 3, "deal_id + contact_id");
	key = crm_reader_column(r, "deal_id + contact_id");
	CHECK_INT(key, 3);
	CHECK_INT(crm_reader_column(r, "role"), 2);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 4);
	CHECK_FIELD(rec, key, "d1|c1");
	CHECK_FIELD(rec, 2, "buyer");
	/* a separator or an escape within a part is escaped: ("d|2", "c\1") is not ("d", "2|c\1") */
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, key, "d\\|2|c\\\\1");
	/* a part empty: the record has no id */
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, key, "");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_EOF);
	CHECK_INT(err.code, 0);
	crm_reader_close(r);
	unlink(tmp_path);
}

static void test_reader__a_column_of_the_key_name_is_the_key(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	struct crm_reader *r = open_keyed("a+b,a,b\nx,1,2\n", CRM_READER_CSV, "a+b", &err);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 3);
	CHECK_INT(crm_reader_column(r, "a+b"), 0);
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 0, "x");
	crm_reader_close(r);
	unlink(tmp_path);
}

static void test_reader__key_of_json_lines(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	struct crm_reader *r = open_keyed("{\"deal_id\": 7, \"product_id\": 3, \"quantity\": 2}\n",
					  CRM_READER_JSON_LINES, "deal_id + product_id", &err);
	long key;

	CHECK(r != NULL);
	if (!r)
		return;
	memset(&rec, 0xff, sizeof(rec)); /* the header is told by the reader, whatever the caller's record held */
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.index, 0);
	key = crm_reader_column(r, "deal_id + product_id");
	CHECK_INT(key, 3);
	CHECK_FIELD(rec, key, "deal_id + product_id");
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, key, "7|3");
	crm_reader_close(r);
	unlink(tmp_path);
}

static void test_reader__key_errors(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	struct crm_reader *r = open_keyed("a,b\n1,2\n", CRM_READER_CSV, "a + ", &err);

	/* an empty part: refused at open */
	CHECK(r == NULL);
	CHECK_CONTAINS(err.msg, "id 'a + ': a part of the key is empty");
	unlink(tmp_path);
	/* a part that is not a column: refused with the header */
	err = (struct crm_error)CRM_ERROR_INIT;
	r = open_keyed("a,b\n1,2\n", CRM_READER_CSV, "a + c", &err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(crm_reader_next(r, &rec, &err) < 0);
	CHECK_CONTAINS(err.msg, "id 'a + c': 'c' is not a column of the file");
	crm_reader_close(r);
	unlink(tmp_path);
}

static void test_reader__each_value_of_a_list_is_a_record(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	struct crm_reader *r =
		open_listed("Record ID,Deal Name,Associated Contact IDs\n"
			    "9001,Skates,101; 102\n"
			    "9002,Pilot,\n"
			    "9003,Magnet,;103;;\n",
			    CRM_READER_CSV, "Record ID + Associated Contact IDs", "Associated Contact IDs", &err);
	static const char *const keys[] = {"9001|101", "9001|102", "9003|103"};
	static const unsigned long lines[] = {2, 2, 4};
	long key;
	size_t i;

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
	key = crm_reader_column(r, "Record ID + Associated Contact IDs");
	CHECK_INT(key, 3);
	for (i = 0; i < 3; i++) {
		CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_RECORD);
		CHECK_INT(rec.count, 4);
		CHECK_FIELD(rec, key, keys[i]);
		CHECK_FIELD(rec, 2, strchr(keys[i], '|') + 1);
		CHECK_INT(rec.line, lines[i]);
		CHECK_INT(rec.index, i + 1);
	}
	/* 9002 lists nothing: no record */
	CHECK_INT(crm_reader_next(r, &rec, &err), CRM_READ_EOF);
	CHECK_INT(err.code, 0);
	crm_reader_close(r);
	unlink(tmp_path);
	/* a list column that is not in the file */
	r = open_listed("a,b\n1,2\n", CRM_READER_CSV, NULL, "c", &err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(crm_reader_next(r, &rec, &err) < 0);
	CHECK_CONTAINS(err.msg, "each = 'c': not a column of the file");
	crm_reader_close(r);
	unlink(tmp_path);
}

static const struct harness_test tests[] = {
	TEST(test_reader__key_of_two_columns_joins_them),
	TEST(test_reader__a_column_of_the_key_name_is_the_key),
	TEST(test_reader__key_of_json_lines),
	TEST(test_reader__key_errors),
	TEST(test_reader__each_value_of_a_list_is_a_record),
};

HARNESS_MAIN
