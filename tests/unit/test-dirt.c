/*
 * test-dirt.c: the byte checks of an export: BOMs, the encoding the bytes
 * fit, line endings as CSV sees them, NUL bytes, the final line break.
 */
#include "compat.h"
#include "harness.h"
#include "io/dirt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Scans text as a file into *d; 0, or -1 (the file, or the scan, failed). */
static int scan_text(const char *text, size_t len, struct crm_dirt *d)
{
	char path[64];
	struct crm_error err = CRM_ERROR_INIT;
	int rc;

	if (harness_temp_file(text, len, path))
		return -1;
	rc = crm_dirt_scan(path, d, &err);
	unlink(path);
	return rc ? -1 : 0;
}

#define SCAN(text, d) REQUIRE(scan_text(text, sizeof(text) - 1, d) == 0)

static void test_dirt__utf8_and_bom(void)
{
	struct crm_dirt d;

	SCAN("\xef\xbb\xbfId,Name\n1,J\xc3\xbcrgen\n", &d);

	CHECK_INT(d.bom, CRM_BOM_UTF8);
	CHECK_STR(crm_dirt_encoding(&d), "utf-8");
	CHECK_INT(d.lf, 2);
	CHECK_INT(d.final_break, 1);
	SCAN("a,b\n1,2", &d);
	CHECK_STR(crm_dirt_encoding(&d), "ascii");
	CHECK_INT(d.final_break, 0);
	SCAN("\xff\xfeI\0d\0", &d);
	CHECK_STR(crm_dirt_encoding(&d), "utf-16");
	/* UTF-32 little-endian starts with UTF-16's two bytes, then two zeros: not UTF-16 */
	SCAN("\xff\xfe\0\0I\0\0\0d\0\0\0", &d);
	CHECK_INT(d.bom, CRM_BOM_UTF32LE);
	CHECK_STR(crm_dirt_encoding(&d), "utf-32");
	CHECK_INT(d.final_break, 1); /* not byte text: nothing to say of its line breaks */
	SCAN("\0\0\xfe\xff\0\0\0I", &d);
	CHECK_INT(d.bom, CRM_BOM_UTF32BE);
	CHECK_STR(crm_dirt_encoding(&d), "utf-32");
cleanup:;
}

static void test_dirt__windows_1252_and_latin1(void)
{
	/* Fran\xe7oise: e7 starts no UTF-8 sequence here; \x92 is Windows-1252's right quote */
	struct crm_dirt d;

	SCAN("Id,Name\n1,Fran\xe7"
	     "oise\n2,O\x92"
	     "Brien\n3,ok\n",
	     &d);

	CHECK_STR(crm_dirt_encoding(&d), "windows-1252");
	CHECK_INT(d.invalid, 2);
	CHECK_INT(d.invalid_lines, 2);
	CHECK_INT(d.first_invalid.line, 2);
	CHECK_INT(d.first_invalid.col, 7);
	CHECK_INT(d.first_invalid_byte, 0xE7);
	SCAN("x\n\xc5"
	     "ngstr\xf6"
	     "m\n",
	     &d);
	CHECK_STR(crm_dirt_encoding(&d), "latin1");
	CHECK_INT(d.first_invalid.line, 2);
	CHECK_INT(d.first_invalid.col, 1);
	/* an overlong form and a surrogate are not UTF-8 either */
	SCAN("\xc0\xaf \xed\xa0\x80", &d);
	CHECK_INT(d.invalid, 5);
cleanup:;
}

static void test_dirt__line_endings_as_csv_sees_them(void)
{
	struct crm_dirt d;

	SCAN("a,b\r\n1,\"two\nlines\"\r\n2,x\n3,y\r4,z\r\n", &d);

	CHECK_INT(d.crlf, 3);
	CHECK_INT(d.lf, 1);
	CHECK_INT(d.cr, 1);
	CHECK_INT(d.quoted_breaks, 1); /* inside quotes: part of a value */
	CHECK_INT(crm_dirt_mixed_breaks(&d), 1);
	CHECK_INT(d.first_lf.line, 4);
	CHECK_INT(d.first_lf.col, 3);
	CHECK_INT(d.first_cr.line, 5);
	SCAN("a\r\nb\r\n", &d);
	CHECK_INT(crm_dirt_mixed_breaks(&d), 0);
	SCAN("a,b\n1,\0\n", &d);
	CHECK_INT(d.nul, 1);
	CHECK_INT(d.first_nul.line, 2);
	CHECK_INT(d.first_nul.col, 3);
cleanup:;
}

static const struct harness_test tests[] = {
	TEST(test_dirt__utf8_and_bom),
	TEST(test_dirt__windows_1252_and_latin1),
	TEST(test_dirt__line_endings_as_csv_sees_them),
};

HARNESS_MAIN
