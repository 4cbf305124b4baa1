/*
 * test-events.c: the Debezium envelope reader and event rows as records.
 */
#include "compat.h"
#include "harness.h"
#include "io/events.h"
#include "util/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *write_stream(const char *text)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/events.jsonl", harness_scratch());
	return harness_write_file(path, text) ? NULL : path;
}

static void test_events__envelopes(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_events *in = crm_events_open(
		write_stream("{\"op\":\"c\",\"before\":null,\"after\":{\"Id\":\"1\"},\"source\":{\"table\":\"Contact\","
			     "\"ts_ms\":5}}\n\n"
			     "{\"schema\":{},\"payload\":{\"op\":\"d\",\"before\":{\"Id\":\"2\"},\"after\":null,"
			     "\"source\":{\"table\":\"account\",\"ts_ms\":6}}}\r\n"),
		&err);
	struct crm_event ev;

	REQUIRE(in != NULL);
	CHECK_INT(crm_events_next(in, &ev, &err), 1);
	CHECK_INT(ev.op, 'c');
	CHECK_INT((int)ev.ts_ms, 5);
	CHECK_STR(ev.table, "Contact");
	CHECK(ev.before == 0 && ev.after != 0);
	CHECK_INT(crm_events_next(in, &ev, &err), 1);
	CHECK_INT(ev.op, 'd');
	CHECK_INT((int)ev.line, 3); /* the blank line is counted, not returned */
	CHECK_STR(ev.table, "account");
	CHECK(ev.before != 0 && ev.after == 0);
	CHECK_INT(crm_events_next(in, &ev, &err), 0);
cleanup:
	crm_events_close(in);
}

/* A table's name is taken whole, however long (SQL Server's may have 128 characters, a schema before them). */
static void test_events__long_table_name(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	char line[512], table[301];
	struct crm_events *in;
	struct crm_event ev;

	memset(table, 't', sizeof(table) - 1);
	table[sizeof(table) - 1] = '\0';
	snprintf(line, sizeof(line),
		 "{\"op\":\"c\",\"after\":{\"Id\":\"1\"},\"source\":{\"table\":\"%s\",\"ts_ms\":1}}\n", table);
	in = crm_events_open(write_stream(line), &err);
	REQUIRE(in != NULL);
	CHECK_INT(crm_events_next(in, &ev, &err), 1);
	CHECK_STR(err.msg, "");
	CHECK_STR(ev.table, table);
cleanup:
	crm_events_close(in);
}

static void expect_error(const char *line, const char *message)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_events *in = crm_events_open(write_stream(line), &err);
	struct crm_event ev;

	REQUIRE(in != NULL);
	CHECK(crm_events_next(in, &ev, &err) < 0);
	CHECK_CONTAINS(err.msg, message);
cleanup:
	crm_events_close(in);
}

static void test_events__errors_name_the_line(void)
{
	expect_error("{\"op\":\"c\",", ":1:");
	expect_error("{\"op\":\"c\",", "not a JSON event");
	/* which of two is the event's? neither: a key twice is refused, as in a JSON export */
	expect_error("{\"op\":\"c\",\"op\":\"d\",\"after\":{},\"source\":{\"table\":\"T\",\"ts_ms\":1}}",
		     ":1:14: not a JSON event: duplicate object key");
	expect_error("{\"op\":\"x\",\"source\":{\"table\":\"T\",\"ts_ms\":1}}",
		     "field 'op': must be one of c, u, d, r");
	expect_error("{\"op\":\"t\",\"source\":{\"table\":\"T\",\"ts_ms\":1}}",
		     "a truncate event ('t') is not applied");
	expect_error("{\"op\":\"u\",\"after\":{},\"source\":{\"table\":\"T\"}}", "field 'source.ts_ms'");
	expect_error("{\"op\":\"u\",\"after\":{},\"source\":{\"ts_ms\":1}}", "field 'source.table'");
	expect_error("{\"op\":\"u\",\"after\":null,\"source\":{\"table\":\"T\",\"ts_ms\":1}}",
		     "field 'after': a 'u' event needs the row");
	expect_error("{\"op\":\"d\",\"after\":{},\"source\":{\"table\":\"T\",\"ts_ms\":1}}",
		     "field 'before': a 'd' event needs the row");
}

static void test_events__rows_as_records(void)
{
	static const char text[] = "{\"after\":{\"Id\":\" 7 \",\"N\":42,\"R\":0.1,\"B\":true,\"Z\":null,"
				   "\"S\":\"Zoe\\u0308\",\"Extra\":\"left out\"}}";
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc doc;
	struct crm_jdoc_syntax bad;
	char *columns[] = {"Id", "N", "R", "B", "Z", "S"};
	char *shuffled[] = {"S", "Id", "Z", "N"}; /* in another order than the row's: each found wherever it is */
	char *with_missing[] = {"Id", "Nope"};
	struct crm_arena arena;
	const struct crm_field *f;
	const char *missing;
	size_t row;

	crm_arena_init(&arena, 4096);
	crm_jdoc_init(&doc);
	REQUIRE(crm_jdoc_parse(&doc, text, sizeof(text) - 1, &bad, &err) == 0);
	row = crm_jdoc_member(&doc, 0, "after");
	REQUIRE(row != 0);
	f = crm_events_record(&doc, row, columns, 6, &arena, &missing);
	REQUIRE(f != NULL);
	CHECK_MEM(f[0].ptr, f[0].len, " 7 ");
	CHECK_MEM(f[1].ptr, f[1].len, "42");
	CHECK_MEM(f[2].ptr, f[2].len, "0.1");
	CHECK_MEM(f[3].ptr, f[3].len, "true");
	CHECK_MEM(f[4].ptr, f[4].len, "");
	CHECK_MEM(f[5].ptr, f[5].len, "Zo\xc3\xab"); /* NFC, as the CSV reader gives */
	f = crm_events_record(&doc, row, shuffled, 4, &arena, &missing);
	REQUIRE(f != NULL);
	CHECK_MEM(f[0].ptr, f[0].len, "Zo\xc3\xab");
	CHECK_MEM(f[1].ptr, f[1].len, " 7 ");
	CHECK_MEM(f[2].ptr, f[2].len, "");
	CHECK_MEM(f[3].ptr, f[3].len, "42");
	CHECK(crm_events_record(&doc, row, with_missing, 2, &arena, &missing) == NULL);
	CHECK_STR(missing, "Nope");
	/* node 0, the envelope, is no row: every column is missing from it */
	CHECK(crm_events_record(&doc, 0, columns, 1, &arena, &missing) == NULL);
	CHECK_STR(missing, "Id");
cleanup:
	crm_jdoc_release(&doc);
	crm_arena_release(&arena);
	remove(write_stream(""));
}

/* A line that is not JSON names where, never the text around it: that can be a flagged field's value. */
static void test_events__syntax_errors_quote_no_value(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_events *in = crm_events_open(
		write_stream("{\"op\":\"c\",\"after\":{\"Id\":\"1\",\"Email\":\"jane.doe@secret.example\\q\"}}\n"),
		&err);
	struct crm_event ev;

	CHECK(in != NULL);
	if (!in)
		return;
	CHECK(crm_events_next(in, &ev, &err) < 0);
	CHECK_CONTAINS(err.msg, ":1:");
	CHECK(strstr(err.msg, "jane") == NULL && strstr(err.msg, "secret") == NULL);
	crm_events_close(in);
}

/* An event over the record limit is an error naming its line, read through without being kept. */
static void test_events__event_over_the_limit_names_its_line(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	size_t big = CRM_MAX_RECORD_LEN + 10, n;
	char *text = malloc(big + 256);
	struct crm_events *in;
	struct crm_event ev;

	CHECK(text != NULL);
	if (!text)
		return;
	n = (size_t)snprintf(text, 256,
			     "{\"op\":\"c\",\"after\":{\"Id\":\"1\"},\"source\":{\"table\":\"C\",\"ts_ms\":1}}\n"
			     "{\"op\":\"c\",\"after\":{\"Id\":\"");
	memset(text + n, 'x', big);
	memcpy(text + n + big, "\"}}\n", 5);
	in = crm_events_open(write_stream(text), &err);
	free(text);
	CHECK(in != NULL);
	if (!in)
		return;
	CHECK_INT(crm_events_next(in, &ev, &err), 1);
	CHECK_INT(crm_events_next(in, &ev, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, ":2: an event longer than");
	crm_events_close(in);
}

static const struct harness_test tests[] = {
	TEST(test_events__event_over_the_limit_names_its_line),
	TEST(test_events__syntax_errors_quote_no_value),
	TEST(test_events__envelopes),
	TEST(test_events__long_table_name),
	TEST(test_events__errors_name_the_line),
	TEST(test_events__rows_as_records),
};

HARNESS_MAIN
