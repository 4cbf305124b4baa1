/*
 * test-jsondoc.c: the JSON record parser: values, kinds and texts as
 * jansson gives them, the texts it refuses (with where and why), the depth
 * limit, and keys found twice in objects of every size. fuzz-jsondoc
 * compares it with jansson on generated texts; these are the cases worth
 * naming.
 */
#include "compat.h"
#include "harness.h"
#include "io/jsondoc.h"
#include "util/limits.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The record text of the member named key of the root object. */
static const char *member_text(const struct crm_jdoc *doc, const char *key, struct crm_arena *arena)
{
	size_t i = crm_jdoc_member(doc, 0, key), len;

	return i ? crm_jnode_text(&doc->nodes[i], &len, arena) : "(absent)";
}

static void test_jsondoc__values_read_as_jansson_gives_them(void)
{
	static const char text[] = "{\"s\": \"caf\\u00e9 \\\"q\\\" \\/ \\t\", \"nfc\": \"e\\u0301\", \"emoji\": "
				   "\"\\ud83d\\ude00\", \"neg0\": -0, \"int\": -9223372036854775808, \"real\": 1.50, "
				   "\"exp\": 1e2, \"tiny\": 1e-400, \"t\": true, \"f\": false, \"n\": null, "
				   "\"a\": [1, {\"b\": \"x\"}], \"o\": {}}";
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	struct crm_arena arena;
	size_t a;

	crm_jdoc_init(&doc);
	crm_arena_init(&arena, 1024);
	REQUIRE(crm_jdoc_parse(&doc, text, strlen(text), &bad, &err) == 0);
	CHECK_INT(doc.nodes[0].kind, CRM_JNODE_OBJECT);
	CHECK_INT(doc.nodes[0].count, 13);
	CHECK_STR(member_text(&doc, "s", &arena), "caf\xC3\xA9 \"q\" / \t");
	CHECK_STR(member_text(&doc, "nfc", &arena), "\xC3\xA9"); /* composed */
	CHECK_STR(member_text(&doc, "emoji", &arena), "\xF0\x9F\x98\x80");
	CHECK_STR(member_text(&doc, "neg0", &arena), "0");
	CHECK_STR(member_text(&doc, "int", &arena), "-9223372036854775808");
	CHECK_STR(member_text(&doc, "real", &arena), "1.5");
	CHECK_STR(member_text(&doc, "exp", &arena), "100");
	CHECK_STR(member_text(&doc, "tiny", &arena), "0");
	CHECK_STR(member_text(&doc, "t", &arena), "true");
	CHECK_STR(member_text(&doc, "f", &arena), "false");
	CHECK_STR(member_text(&doc, "n", &arena), "");
	CHECK_STR(member_text(&doc, "o", &arena), "");
	CHECK_STR(member_text(&doc, "missing", &arena), "(absent)");
	a = crm_jdoc_member(&doc, 0, "a");
	REQUIRE(a && doc.nodes[a].kind == CRM_JNODE_ARRAY && doc.nodes[a].count == 2);
	CHECK_INT(doc.nodes[a + 1].kind, CRM_JNODE_INTEGER);
	CHECK_INT(doc.nodes[doc.nodes[a + 1].next].kind, CRM_JNODE_OBJECT);
	CHECK_INT(crm_jdoc_member(&doc, a, "b"), 0); /* an array has no members */
	CHECK_INT(crm_jdoc_member(&doc, doc.nodes[a + 1].next, "b"), doc.nodes[a + 1].next + 1);
cleanup:
	crm_arena_release(&arena);
	crm_jdoc_release(&doc);
}

static void test_jsondoc__texts_that_are_not_json_are_placed_and_named(void)
{
	static const struct {
		const char *text;
		unsigned long line, column;
		const char *reason;
	} cases[] = {
		{"{\"a\":1,\"a\":2}", 1, 10, "duplicate object key near '\"a\"'"},
		{"{\"a\":1,\"\\u0061\":2}", 1, 15, "duplicate object key near '\"\\u0061\"'"},
		{"{\n  \"\xC3\xA9\": 1,\n  \"\xC3\xA9\": 2}", 3, 5, "duplicate object key"},
		{"\"\\ud800\"", 1, 2, "invalid Unicode '\\uD800'"},
		{"\"\\ud800\\u0041\"", 1, 2, "invalid Unicode '\\uD800\\u0041'"},
		{"\"\\udc00\"", 1, 2, "invalid Unicode '\\uDC00'"},
		{"\"a\\u0000\"", 1, 3, "\\u0000 is not allowed"},
		{"\"a\\x\"", 1, 3, "invalid escape"},
		{"\"a\\u12g4\"", 1, 3, "invalid escape"},
		{"\"a\x01\"", 1, 3, "control character 0x1 in string"},
		{"\"\xC0\x80\"", 1, 2, "unable to decode byte 0xc0"},
		{"\"\xED\xA0\x80\"", 1, 2, "unable to decode byte 0xed"},     /* a surrogate in UTF-8 */
		{"\"\xF4\x90\x80\x80\"", 1, 2, "unable to decode byte 0xf4"}, /* past U+10FFFF */
		{"\"abc", 1, 5, "premature end of input"},
		{"01", 1, 2, "invalid token"},
		{"1.", 1, 3, "invalid token"},
		{"-", 1, 2, "invalid token"},
		{"1e+", 1, 4, "invalid token"},
		{"9223372036854775808", 1, 19, "too big integer"},
		{"-9223372036854775809", 1, 20, "too big integer"},
		{"12345678901234567890123", 1, 23, "too big integer"},
		{"1e400", 1, 5, "real number overflow"},
		{"tru", 1, 3, "invalid token"},
		{"[1,]", 1, 4, "unexpected token"},
		{"{\"a\" 1}", 1, 6, "':' expected"},
		{"{\"a\":1 \"b\":2}", 1, 8, "'}' expected"},
		{"{,}", 1, 2, "string or '}' expected"},
		{"[1 2]", 1, 4, "']' expected"},
		{"[1] x", 1, 5, "end of file expected"},
		{"[1]\0", 1, 4, "end of file expected"},
		{"", 1, 1, "premature end of input"},
		{"\xEF\xBB\xBF{}", 1, 1, "unexpected token"},
	};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	size_t i, len;

	crm_jdoc_init(&doc);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].text) + (strcmp(cases[i].text, "[1]") == 0); /* the one with a NUL after it */
		memset(&bad, 0, sizeof(bad));
		CHECK_INT(crm_jdoc_parse(&doc, cases[i].text, len, &bad, &err), 1);
		if (bad.line != cases[i].line || bad.column != cases[i].column || !strstr(bad.reason, cases[i].reason))
			fprintf(stderr, "case %zu (%s): %lu:%lu: %s\n", i, cases[i].text, bad.line, bad.column,
				bad.reason);
		CHECK_INT(bad.line, cases[i].line);
		CHECK_INT(bad.column, cases[i].column);
		CHECK_CONTAINS(bad.reason, cases[i].reason);
		CHECK_INT(err.code, 0);
	}
	/* an empty buffer may have no text at all (an sfdx tree's "[,{...}]"; a fuzz-json finding under UBSan) */
	CHECK_INT(crm_jdoc_parse(&doc, NULL, 0, &bad, &err), 1);
	CHECK_STR(bad.reason, "premature end of input");
	crm_jdoc_release(&doc);
}

/* n arrays nested, around a 1: n + 1 values deep. */
static char *nested(size_t n)
{
	char *text = malloc(2 * n + 2);
	size_t i;

	if (!text)
		return NULL;
	for (i = 0; i < n; i++) {
		text[i] = '[';
		text[n + 1 + i] = ']';
	}
	text[n] = '1';
	text[2 * n + 1] = '\0';
	return text;
}

static void test_jsondoc__depth_is_jansson_s(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	char *deepest = nested(CRM_MAX_JSON_DEPTH - 1), *deeper = nested(CRM_MAX_JSON_DEPTH);

	crm_jdoc_init(&doc);
	REQUIRE(deepest && deeper);
	CHECK_INT(crm_jdoc_parse(&doc, deepest, strlen(deepest), &bad, &err), 0);
	CHECK_INT(doc.count, CRM_MAX_JSON_DEPTH);
	CHECK_INT(crm_jdoc_parse(&doc, deeper, strlen(deeper), &bad, &err), 1);
	CHECK_STR(bad.reason, "maximum parsing depth reached");
	CHECK_INT(bad.column, CRM_MAX_JSON_DEPTH + 1);
cleanup:
	free(deepest);
	free(deeper);
	crm_jdoc_release(&doc);
}

/* An array of n zeros: n + 1 values. */
static char *zeros(size_t n)
{
	char *text = malloc(2 * n + 2);
	size_t i;

	if (!text)
		return NULL;
	text[0] = '[';
	for (i = 0; i < n; i++) {
		text[1 + 2 * i] = '0';
		text[2 + 2 * i] = i + 1 < n ? ',' : ']';
	}
	text[2 * n + 1] = '\0';
	return text;
}

static void test_jsondoc__values_past_the_limit_are_refused(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	char *most = zeros(CRM_MAX_JSON_VALUES - 1), *more = zeros(CRM_MAX_JSON_VALUES);

	crm_jdoc_init(&doc);
	REQUIRE(most && more);
	CHECK_INT(crm_jdoc_parse(&doc, most, strlen(most), &bad, &err), 0);
	CHECK_INT(doc.count, CRM_MAX_JSON_VALUES);
	CHECK_INT(crm_jdoc_parse(&doc, more, strlen(more), &bad, &err), 1);
	CHECK_STR(bad.reason, "more than 1048576 values in one record");
	CHECK_INT(err.code, 0);
cleanup:
	free(most);
	free(more);
	crm_jdoc_release(&doc);
}

static void test_jsondoc__a_key_twice_is_found_in_objects_of_any_size(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	char *text = malloc(64 * 1024);
	size_t len = 0, i;
	int round;

	crm_jdoc_init(&doc);
	REQUIRE(text);
	/* 3,000 members, each an object with the same inner key: no duplicate */
	text[len++] = '{';
	for (i = 0; i < 3000; i++)
		len += (size_t)sprintf(text + len, "%s\"k%zu\":{\"id\":%zu}", i ? "," : "", i, i);
	text[len++] = '}';
	/* parsed again and again: the key table's earlier rounds must not count */
	for (round = 0; round < 3; round++) {
		REQUIRE(crm_jdoc_parse(&doc, text, len, &bad, &err) == 0);
		CHECK_INT(doc.nodes[0].count, 3000);
	}
	/* the last member named as the first */
	len--;
	len += (size_t)sprintf(text + len, ",\"k0\":1}");
	CHECK_INT(crm_jdoc_parse(&doc, text, len, &bad, &err), 1);
	CHECK_STR(bad.reason, "duplicate object key near '\"k0\"'");
	CHECK_INT(bad.column, len - 3);
cleanup:
	free(text);
	crm_jdoc_release(&doc);
}

/* Text below U+0300 is taken as NFC without utf8proc: every pair of its characters must come out as utf8proc composes it. */
static void test_jsondoc__text_below_u0300_is_nfc_as_utf8proc_says(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_jdoc_syntax bad;
	struct crm_jdoc doc;
	struct crm_arena arena;
	utf8proc_uint8_t text[16], *nfc;
	utf8proc_ssize_t n, nfc_len;
	utf8proc_int32_t a, b;
	const char *got;
	size_t got_len;
	long wrong = 0;

	crm_jdoc_init(&doc);
	crm_arena_init(&arena, 1024);
	for (a = 0xA0; a < 0x300; a++) {
		for (b = 0x20; b < 0x370; b++) { /* and the combining marks after them */
			if (b == '"' || b == '\\' || (b >= 0x7F && b < 0xA0))
				continue;
			text[0] = '"';
			n = 1 + utf8proc_encode_char(a, text + 1);
			n += utf8proc_encode_char(b, text + n);
			text[n++] = '"';
			REQUIRE(crm_jdoc_parse(&doc, (const char *)text, (size_t)n, &bad, &err) == 0);
			got = crm_jnode_text(&doc.nodes[0], &got_len, &arena);
			REQUIRE(got);
			nfc_len = utf8proc_map(text + 1, n - 2, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
			REQUIRE(nfc_len >= 0);
			if ((size_t)nfc_len != got_len || memcmp(nfc, got, got_len) != 0)
				wrong++;
			free(nfc);
			crm_arena_reset(&arena);
		}
	}
	CHECK_INT(wrong, 0);
cleanup:
	crm_arena_release(&arena);
	crm_jdoc_release(&doc);
}

static const struct harness_test tests[] = {
	TEST(test_jsondoc__values_read_as_jansson_gives_them),
	TEST(test_jsondoc__texts_that_are_not_json_are_placed_and_named),
	TEST(test_jsondoc__depth_is_jansson_s),
	TEST(test_jsondoc__values_past_the_limit_are_refused),
	TEST(test_jsondoc__a_key_twice_is_found_in_objects_of_any_size),
	TEST(test_jsondoc__text_below_u0300_is_nfc_as_utf8proc_says),
};

HARNESS_MAIN
