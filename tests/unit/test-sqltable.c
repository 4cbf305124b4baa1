/*
 * test-sqltable.c: a SQLite table, or its SQL dump, read as an export: the
 * header and the rows as text, NULL as empty, values in NFC, a value that
 * is not UTF-8 as a bad record, a missing table and a broken dump named.
 */
#include "compat.h"
#include "harness.h"
#include "io/sqltable.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char db_path[128];

/* A database made from sql, in a new temporary file whose name ends in .db. */
static int make_db(const char *sql)
{
	sqlite3 *db;
	int fd, rc;

	snprintf(db_path, sizeof(db_path), "%s/XXXXXX.db", harness_scratch());
	fd = mkstemps(db_path, 3);
	if (fd < 0)
		return -1;
	close(fd);
	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void test_sqltable__rows_as_text(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_sqltable *t;
	struct crm_record rec;

	CHECK_INT(make_db("CREATE TABLE \"Acc ount\" (id TEXT, \"Name\" TEXT, revenue REAL, employees INTEGER);"
			  "INSERT INTO \"Acc ount\" VALUES ('A1', 'Acme', 6e7, 250);"
			  /* 'e' and a combining acute accent: NFC makes it one character */
			  "INSERT INTO \"Acc ount\" VALUES ('A2', 'Soci' || char(101, 769) || 't' || char(233), NULL, "
			  "NULL);"),
		  0);
	t = crm_sqltable_open(db_path, "Acc ount", &err);
	unlink(db_path);
	REQUIRE(t != NULL);
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.index, 0);
	CHECK_INT(rec.count, 4);
	CHECK_FIELD(rec, 1, "Name");
	CHECK_INT(crm_sqltable_column(t, "employees"), 3);
	CHECK_INT(crm_sqltable_column(t, "nope"), -1);
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_RECORD);
	CHECK_INT(rec.index, 1);
	CHECK_INT(rec.line, 2); /* as in a CSV export with its header on line 1 */
	CHECK_FIELD(rec, 0, "A1");
	CHECK_FIELD(rec, 2, "60000000.0");
	CHECK_FIELD(rec, 3, "250");
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "Soci\xc3\xa9t\xc3\xa9");
	CHECK_FIELD(rec, 2, ""); /* NULL is empty */
	CHECK_FIELD(rec, 3, "");
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_EOF);
	CHECK(crm_sqltable_bytes_read(t) > 0);
cleanup:
	crm_sqltable_close(t);
}

static void test_sqltable__not_utf8_is_a_bad_record_and_reading_goes_on(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_sqltable *t;
	struct crm_record rec;

	CHECK_INT(make_db("CREATE TABLE c (id TEXT, name TEXT);"
			  "INSERT INTO c VALUES ('C1', CAST(X'4DFC6C6C6572' AS TEXT));" /* Müller in latin1 */
			  "INSERT INTO c VALUES ('C2', 'Runner');"),
		  0);
	t = crm_sqltable_open(db_path, "c", &err);
	unlink(db_path);
	REQUIRE(t != NULL);
	crm_sqltable_next(t, &rec, &err);
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_BAD_RECORD);
	CHECK_CONTAINS(err.msg, ": table 'c' row 1: invalid UTF-8 in column 'name'");
	crm_error_clear(&err);
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "Runner");
cleanup:
	crm_sqltable_close(t);
}

static void test_sqltable__missing_table_names_the_tables(void)
{
	struct crm_error err = CRM_ERROR_INIT;

	CHECK_INT(make_db("CREATE TABLE b (x); CREATE TABLE a (x);"), 0);
	CHECK(crm_sqltable_open(db_path, "Contact", &err) == NULL);
	CHECK_CONTAINS(err.msg, "has no table 'Contact' (its tables: a, b)");
	unlink(db_path);
	crm_error_clear(&err);
	CHECK(crm_sqltable_open("/nonexistent/x.db", "a", &err) == NULL);
	CHECK_CONTAINS(err.msg, "cannot open '/nonexistent/x.db' as a SQLite database");
	crm_error_clear(&err);
	CHECK_INT(harness_temp_file("a,b\n1,2\n", 8, db_path), 0);
	CHECK(crm_sqltable_open(db_path, "a", &err) == NULL);
	CHECK_CONTAINS(err.msg, "is not a SQLite database");
	unlink(db_path);
}

/* Appends each table's name and a space to the test's buffer of 64 bytes. */
static int list_table(void *ctx, const char *table, struct crm_error *err)
{
	char *names = ctx;
	size_t len = strlen(names);

	(void)err;
	snprintf(names + len, 64 - len, "%s ", table);
	return 0;
}

static void test_sqltable__dump_is_loaded_and_its_errors_named(void)
{
	static const char dump[] = "BEGIN TRANSACTION;\n"
				   "CREATE TABLE \"Contact\" (id TEXT, \"Note\" TEXT);\n"
				   "INSERT INTO \"Contact\" VALUES ('C1', 'two\n"
				   "lines; and a semicolon');\n"
				   "CREATE TABLE \"Account\" (id TEXT);\n"
				   "COMMIT;\n";
	static const char broken[] = "CREATE TABLE t (id TEXT);\nINSERT INTO t VALUES ('a');\nINSERT INTO nope VALUES "
				     "(1);\n";
	struct crm_error err = CRM_ERROR_INIT;
	char path[128], tables[64] = "";
	struct crm_sqltable *t = NULL;
	struct crm_record rec;
	size_t n;

	snprintf(path, sizeof(path), "%s/XXXXXX.sql", harness_scratch());
	CHECK(mkstemps(path, 4) >= 0);
	CHECK_INT(harness_write_file(path, dump), 0);
	t = crm_sqltable_open(path, "Contact", &err);
	REQUIRE(t != NULL);
	crm_sqltable_next(t, &rec, &err);
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_RECORD);
	CHECK_FIELD(rec, 1, "two\nlines; and a semicolon");
	CHECK_INT(crm_sqltable_next(t, &rec, &err), CRM_READ_EOF);
	crm_sqltable_close(t);
	t = NULL;
	CHECK_INT(crm_sqltable_each(path, list_table, tables, &err), 0);
	CHECK_STR(tables, "Account Contact ");
	CHECK_INT(harness_write_file(path, broken), 0);
	crm_error_clear(&err);
	CHECK(crm_sqltable_open(path, "t", &err) == NULL);
	n = strlen(path);
	CHECK(strncmp(err.msg, path, n) == 0);
	CHECK_CONTAINS(err.msg + n, ":3: no such table: nope");
cleanup:
	crm_sqltable_close(t);
	unlink(path);
}

/* A dump is an export nobody vetted: SQL that reaches beyond its scratch database is refused, and writes nothing. */
static void test_sqltable__dump_cannot_reach_beyond_its_database(void)
{
	/* each statement around the path of a file it must not create */
	static const char *const hostile[][2] = {
		{"ATTACH DATABASE '", "' AS evil;\nCREATE TABLE evil.t (x);\n"},
		{"CREATE TABLE t (id TEXT);\nVACUUM INTO '", "';\n"},
		{"PRAGMA writable_schema = ON;\nCREATE TABLE t (id TEXT); -- ", "\n"},
		{"CREATE TABLE t (id TEXT);\nSELECT load_extension('", "');\n"},
	};
	static const char *const refused[] = {"ATTACH is refused", "ATTACH is refused", "PRAGMA is refused",
					      "load_extension"};
	struct crm_error err = CRM_ERROR_INIT;
	char path[128], target[128];
	size_t i;

	snprintf(target, sizeof(target), "%s/XXXXXX", harness_scratch());
	CHECK(mkstemp(target) >= 0);
	unlink(target);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char sql[512];
		snprintf(path, sizeof(path), "%s/XXXXXX.sql", harness_scratch());
		CHECK(mkstemps(path, 4) >= 0);
		snprintf(sql, sizeof(sql), "%s%s%s", hostile[i][0], target, hostile[i][1]);
		CHECK_INT(harness_write_file(path, sql), 0);
		err.code = 0;
		err.msg[0] = '\0';
		CHECK(crm_sqltable_open(path, "t", &err) == NULL);
		CHECK_INT(err.code, CRM_EINPUT);
		CHECK_CONTAINS(err.msg, refused[i]);
		CHECK(access(target, F_OK) != 0);
		unlink(path);
		unlink(target);
	}
}

static const struct harness_test tests[] = {
	TEST(test_sqltable__rows_as_text),
	TEST(test_sqltable__not_utf8_is_a_bad_record_and_reading_goes_on),
	TEST(test_sqltable__missing_table_names_the_tables),
	TEST(test_sqltable__dump_is_loaded_and_its_errors_named),
	TEST(test_sqltable__dump_cannot_reach_beyond_its_database),
};

HARNESS_MAIN
