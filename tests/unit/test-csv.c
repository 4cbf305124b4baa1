/*
 * test-csv.c: the CSV reader against RFC 4180 and the mess real exports have.
 */
#include "compat.h"
#include "harness.h"
#include "io/csv.h"
#include "util/limits.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <unistd.h>

static char tmp_path[64];

static struct crm_csv_reader *open_text(const char *text, size_t len, const char *encoding)
{
	struct crm_error err = CRM_ERROR_INIT;

	if (harness_temp_file(text, len, tmp_path))
		return NULL;
	return crm_csv_open(tmp_path, encoding, ',', &err);
}

#define OPEN(text) open_text(text, sizeof(text) - 1, "utf-8")

static void close_text(struct crm_csv_reader *r)
{
	crm_csv_close(r);
	unlink(tmp_path);
}

static void test_csv__quotes_commas_newlines(void)
{
	struct crm_csv_reader *r = OPEN("a,b,c\r\n1,\"x, y\",\"line1\nline2\"\r\n2,\"say \"\"hi\"\"\",\r\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 3);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 3);
	CHECK_FIELD(rec, 1, "x, y");
	CHECK_FIELD(rec, 2, "line1\nline2");
	CHECK_INT(rec.line, 2);
	CHECK_INT(rec.index, 1);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.line, 4);
	CHECK_FIELD(rec, 1, "say \"hi\"");
	CHECK_FIELD(rec, 2, "");
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_EOF);
cleanup:
	close_text(r);
}

static void test_csv__bom_no_final_newline_blank_lines(void)
{
	struct crm_csv_reader *r = OPEN("\xEF\xBB\xBFId,Name\n\n1,Ann\n\n2,Bob");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 0, "Id");
	CHECK_INT(crm_csv_column(r, "Name"), 1);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "Ann");
	CHECK_INT(rec.line, 3);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "Bob");
	CHECK_INT(rec.index, 2);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_EOF);
cleanup:
	close_text(r);
}

static void test_csv__ragged_row_is_bad_record_and_reading_goes_on(void)
{
	struct crm_csv_reader *r = OPEN("a,b\n1,2,3\n4,5\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":2:5: ragged row: 3 fields where the header has 2 (field 3 starts here)");
	crm_error_clear(&err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 0, "4");
cleanup:
	close_text(r);
}

static void test_csv__short_row_names_where_it_ends(void)
{
	struct crm_csv_reader *r = OPEN("a,b,c\n1,2,3\n\"x\ny\",5\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	/* the record starts on line 3 and ends on line 4 after "y",5 */
	CHECK_CONTAINS(err.msg, ":4:5: ragged row: 2 fields where the header has 3 (the row ends here; ");
	CHECK_CONTAINS(err.msg, "short_rows = pad");
	CHECK_INT(rec.short_fields, 1);
cleanup:
	close_text(r);
}

static void test_csv__short_rows_padded_when_asked(void)
{
	struct crm_csv_reader *r = OPEN("a,b,c,d\n1,2,3,4\n5\n6,7,8,9,10\n\"x\ny\",\n11,12,13,14\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_pad_short_rows(r);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.short_fields, 0);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.count, 4);
	CHECK_INT(rec.short_fields, 3);
	CHECK_FIELD(rec, 0, "5");
	CHECK_FIELD(rec, 3, "");
	/* a row with more fields than the header stays malformed */
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":4:9: ragged row: 5 fields where the header has 4 (field 5 starts here)");
	crm_error_clear(&err);
	/* a quoted line break, then an empty field: two fields given, two padded */
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.short_fields, 2);
	CHECK_FIELD(rec, 0, "x\ny");
	CHECK_FIELD(rec, 1, "");
	CHECK_FIELD(rec, 2, "");
	CHECK_FIELD(rec, 3, "");
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 3, "14");
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_EOF);
cleanup:
	close_text(r);
}

static void test_csv__unterminated_quote_names_line_and_column(void)
{
	struct crm_csv_reader *r = OPEN("a,b\n1,2\n3,\"open\n4,5\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, ":3:3: unterminated quoted field");
cleanup:
	close_text(r);
}

static void test_csv__invalid_utf8_names_line_column_and_field(void)
{
	struct crm_csv_reader *r = OPEN("id,name\n1,ok\n2,M\xfcller\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":3:4: invalid UTF-8 (byte 0xFC) in field 2 'name'");
cleanup:
	close_text(r);
}

static void test_csv__windows_1252_is_transcoded(void)
{
	static const char text[] = "id,name\n1,O\x92"
				   "Brien \x96 M\xfcller\n";
	struct crm_csv_reader *r = open_text(text, sizeof(text) - 1, "windows-1252");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1,
		    "O\xe2\x80\x99"
		    "Brien \xe2\x80\x93 M\xc3\xbcller");
cleanup:
	close_text(r);
}

static void test_csv__windows_1252_undefined_byte_is_an_error(void)
{
	static const char text[] = "id,name\n1,ok\n2,bad\x81here\n";
	struct crm_csv_reader *r = open_text(text, sizeof(text) - 1, "windows-1252");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	int rc;

	REQUIRE(r != NULL);
	while ((rc = crm_csv_next(r, &rec, &err)) > 0)
		;
	CHECK_INT(rc, CRM_EINPUT);
	CHECK_CONTAINS(err.msg, ":3:6: byte 0x81 is not valid windows-1252");
cleanup:
	close_text(r);
}

static void test_csv__latin1_and_nfc(void)
{
	/* e + combining acute (NFD) becomes the single code point (NFC) */
	struct crm_csv_reader *r = OPEN("n\nCafe\xcc\x81\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 0, "Caf\xc3\xa9");
cleanup:
	close_text(r);
}

/* Fields below U+0300 skip utf8proc: they come out as they are, and broken sequences are still refused. */
static void test_csv__text_below_u0300_taken_as_it_is(void)
{
	static const char *const bad[] = {"n\nab\xc3\n", "n\n\xc2\x41\n", "n\n\xc0\xaf\n", "n\nx\xcb\n"};
	struct crm_csv_reader *r = OPEN("n\n\xc3\xa9t\xc3\xa9 \xc2\xa0\xcb\xbf\n\xc5\x81\xc3\xb3"
					"d\xc5\xba\xcc\x81\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;
	size_t i;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 0, "\xc3\xa9t\xc3\xa9 \xc2\xa0\xcb\xbf");
	/* with a combining mark after them: through utf8proc (z with acute and a second acute: NFC keeps both) */
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 0,
		    "\xc5\x81\xc3\xb3"
		    "d\xc5\xba\xcc\x81");
	close_text(r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = open_text(bad[i], strlen(bad[i]), "utf-8");
		REQUIRE(r != NULL);
		crm_error_clear(&err);
		crm_csv_next(r, &rec, &err);
		CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
		CHECK_CONTAINS(err.msg, "invalid UTF-8");
		close_text(r);
	}
	r = NULL;
cleanup:
	close_text(r);
}

static void test_csv__text_after_closing_quote_is_bad_record(void)
{
	struct crm_csv_reader *r = OPEN("a,b\n\"x\"y,2\n3,4\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":2:4: unexpected character after a closing quote");
	crm_error_clear(&err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
cleanup:
	close_text(r);
}

/* Columns count characters: each quote of a doubled pair, a multibyte letter as one, a CR inside quotes as none. */
static void test_csv__columns_after_quoted_text(void)
{
	struct crm_csv_reader *r = OPEN("a,b\n\"x\"\"\u00e9\r\"y,2\n\"p\nq\"z,3\n");
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	/* "x""é<CR>" is 7 characters counted (the CR is not): the y is column 7 */
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":2:7: unexpected character after a closing quote");
	crm_error_clear(&err);
	/* a line break inside quotes starts the count again: q" then z at column 3 */
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":4:3: unexpected character after a closing quote");
	crm_error_clear(&err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_EOF);
cleanup:
	close_text(r);
}

static void test_csv__missing_file(void)
{
	struct crm_error err = CRM_ERROR_INIT;

	CHECK(crm_csv_open("/nonexistent/x.csv", NULL, ',', &err) == NULL);
	CHECK_INT(err.code, CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "cannot open '/nonexistent/x.csv'");
}

static void test_csv__large_field_across_blocks(void)
{
	size_t n = 600000, i;
	char *text = malloc(n + 32);
	struct crm_csv_reader *r;
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_record rec;

	memcpy(text, "a,b\n1,\"", 7);
	for (i = 0; i < n; i++)
		text[7 + i] = (char)('a' + i % 26);
	memcpy(text + 7 + n, "\"\n", 2);
	r = open_text(text, n + 9, "utf-8");
	REQUIRE(r != NULL);
	crm_csv_next(r, &rec, &err);
	REQUIRE(crm_csv_next(r, &rec, &err) == CRM_READ_RECORD);
	REQUIRE(rec.count == 2 && rec.fields[1].len == n);
	CHECK(rec.fields[1].ptr[n - 1] == (char)('a' + (n - 1) % 26));
cleanup:
	close_text(r);
	free(text);
}

static void test_csv__out_of_memory_is_an_error(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_csv_reader *r;
	long n;

	/* every allocation of crm_csv_open failing in turn: NULL and CRM_ENOMEM each time, never a crash */
	for (n = 0; n < 6; n++) {
		crm_error_clear(&err);
		crm_alloc_fail_after(n);
		r = crm_csv_open("/dev/null", "windows-1252", ',', &err);
		crm_alloc_fail_after(-1);
		if (r) {
			crm_csv_close(r);
			break;
		}
		CHECK_INT(err.code, CRM_ENOMEM);
		CHECK_CONTAINS(err.msg, "out of memory");
	}
	CHECK(n > 0 && n < 6);
}

/* Every CSV crmshift writes for people: formula triggers neutralised (OWASP), the rest exactly; read back whole. */
static void test_csv__cells_neutralise_formulas_and_read_back(void)
{
	static const char *const values[] = {
		"=cmd|' /C calc'!A0", "+C2", "@SUM(A1)", "-2+3", "\tx", "=a,\"b\"", "-12.5", "+3", "1e-5", "plain", "",
		"'=already quoted"};
	static const char *const written[] = {"\"'=cmd|' /C calc'!A0\"",
					      "\"'+C2\"",
					      "\"'@SUM(A1)\"",
					      "\"'-2+3\"",
					      "\"'\tx\"",
					      "\"'=a,\"\"b\"\"\"",
					      "-12.5",
					      "+3",
					      "1e-5",
					      "plain",
					      "",
					      "\"''=already quoted\""};
	char *text = NULL, path[64];
	size_t text_len = 0, i;
	struct crm_csv_reader *r = NULL;
	FILE *mem;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_record rec;
		const char *ptr;
		size_t len;

		mem = open_memstream(&text, &text_len);
		REQUIRE(mem != NULL);
		CHECK_INT(crm_csv_write_cell(mem, "h", 1, 1), 0);
		CHECK_INT(crm_csv_write_cell(mem, values[i], strlen(values[i]), 0), 0);
		fputc('\n', mem);
		fclose(mem);
		CHECK_MEM(text + 2, strlen(text) - 3, written[i]);
		/* read back by the CSV reader, then unmarked: the value itself */
		CHECK_INT(harness_temp_file(text, strlen(text), path), 0);
		r = crm_csv_open(path, "utf-8", ',', &err);
		unlink(path);
		REQUIRE(r != NULL);
		CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
		REQUIRE(rec.count == 2);
		ptr = rec.fields[1].ptr;
		len = rec.fields[1].len;
		crm_csv_cell_unmark(&ptr, &len);
		CHECK_MEM(ptr, len, values[i]);
		CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_EOF);
		crm_csv_close(r);
		r = NULL;
		free(text);
		text = NULL;
	}
cleanup:
	crm_csv_close(r);
	free(text);
}

/* Two columns of one name (blanks around it aside) stop the reading at the header; unnamed columns do not. */
static void test_csv__duplicate_header_name_is_an_error(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_csv_reader *r;
	struct crm_record rec;
	char path[64];

	CHECK_INT(harness_temp_file("Id,LastName,Email, LastName\n1,a,b,c\n", 36, path), 0);
	r = crm_csv_open(path, "utf-8", ',', &err);
	unlink(path);
	REQUIRE(r != NULL);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, ":1: column 4 is named 'LastName' as column 2 is");
	crm_csv_close(r);
	r = NULL;
	err.code = 0;
	CHECK_INT(harness_temp_file("Id,,Email,\n1,,b,\n", 18, path), 0);
	r = crm_csv_open(path, "utf-8", ',', &err);
	unlink(path);
	REQUIRE(r != NULL);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
cleanup:
	crm_csv_close(r);
}

/* A record over a limit (fields, field length) is a bad record naming where; the next record reads. */
static void test_csv__record_over_a_limit_is_bad_and_reading_goes_on(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	size_t cap = CRM_MAX_FIELD_LEN + 2 * CRM_MAX_FIELDS + 64, n = 0, i;
	char *text = malloc(cap), path[64];
	struct crm_csv_reader *r;
	struct crm_record rec;

	CHECK(text != NULL);
	if (!text)
		return;
	n += (size_t)snprintf(text + n, cap - n, "Id,Name\n");
	for (i = 0; i <= CRM_MAX_FIELDS; i++)
		n += (size_t)snprintf(text + n, cap - n, "%sx", i ? "," : "");
	n += (size_t)snprintf(text + n, cap - n, "\n2,ok\n3,\"");
	memset(text + n, 'y', CRM_MAX_FIELD_LEN + 1);
	n += CRM_MAX_FIELD_LEN + 1;
	n += (size_t)snprintf(text + n, cap - n, "\"\n4,fine\n");
	CHECK_INT(harness_temp_file(text, n, path), 0);
	free(text);
	r = crm_csv_open(path, "utf-8", ',', &err);
	unlink(path);
	REQUIRE(r != NULL);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":2:8193: more than 4096 fields in one record");
	CHECK_INT(rec.line, 2);
	crm_error_clear(&err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "ok");
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ":4:3: field longer than 16777216 bytes");
	crm_error_clear(&err);
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "fine");
	CHECK_INT(crm_csv_next(r, &rec, &err), CRM_READ_EOF);
cleanup:
	crm_csv_close(r);
}

static const struct harness_test tests[] = {
	TEST(test_csv__record_over_a_limit_is_bad_and_reading_goes_on),
	TEST(test_csv__duplicate_header_name_is_an_error),
	TEST(test_csv__cells_neutralise_formulas_and_read_back),
	TEST(test_csv__quotes_commas_newlines),
	TEST(test_csv__bom_no_final_newline_blank_lines),
	TEST(test_csv__ragged_row_is_bad_record_and_reading_goes_on),
	TEST(test_csv__short_row_names_where_it_ends),
	TEST(test_csv__short_rows_padded_when_asked),
	TEST(test_csv__unterminated_quote_names_line_and_column),
	TEST(test_csv__invalid_utf8_names_line_column_and_field),
	TEST(test_csv__windows_1252_is_transcoded),
	TEST(test_csv__windows_1252_undefined_byte_is_an_error),
	TEST(test_csv__latin1_and_nfc),
	TEST(test_csv__text_below_u0300_taken_as_it_is),
	TEST(test_csv__text_after_closing_quote_is_bad_record),
	TEST(test_csv__columns_after_quoted_text),
	TEST(test_csv__missing_file),
	TEST(test_csv__large_field_across_blocks),
	TEST(test_csv__out_of_memory_is_an_error),
};

HARNESS_MAIN
