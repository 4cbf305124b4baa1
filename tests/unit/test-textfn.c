/*
 * test-textfn.c: text, number, boolean, e-mail, address and phone functions.
 */
#include "compat.h"
#include "harness.h"
#include "transform/phone.h"
#include "transform/textfn.h"

static struct crm_arena arena;

static void test_textfn__case_and_whitespace(void)
{
	size_t len;
	const char *t;

	crm_arena_init(&arena, 4096);
	t = crm_text_case(&arena, "mary-jane o'brien", 17, CRM_CASE_TITLE, &len);
	CHECK_MEM(t, len, "Mary-Jane O'Brien");
	t = crm_text_case(&arena, "\xc3\xa4rger \xc3\x9f", 9, CRM_CASE_UPPER, &len);
	CHECK_MEM(t, len, "\xc3\x84RGER \xe1\xba\x9e"); /* Unicode's simple mapping: capital sharp s */
	t = crm_text_case(&arena, "\xc5\x81UKASZ", 7, CRM_CASE_LOWER, &len);
	CHECK_MEM(t, len, "\xc5\x82ukasz");
	t = crm_text_collapse_ws(&arena, "  a \t b\n\nc  ", 12, &len);
	CHECK_MEM(t, len, "a b c");
	t = "\xc2\xa0 x \xc2\xa0";
	len = strlen(t);
	crm_text_trim(&t, &len);
	CHECK_MEM(t, len, "x");
	/* ASCII spaces and Unicode ones in turn, at both ends; an accent at an end stays */
	t = " \t\xc2\xa0\r\xe3\x80\x80 \xc3\xa9 x\xe2\x80\xa8\n \xc2\xa0\v";
	len = strlen(t);
	crm_text_trim(&t, &len);
	CHECK_MEM(t, len, "\xc3\xa9 x");
	t = "\f\f";
	len = strlen(t);
	crm_text_trim(&t, &len);
	CHECK_INT(len, 0);
	crm_arena_release(&arena);
}

static void test_textfn__numbers(void)
{
	const char *out;
	size_t len;
	char reason[256];

	crm_arena_init(&arena, 4096);
	CHECK_INT(crm_text_int(&arena, "0042", 4, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "42");
	CHECK_INT(crm_text_int(&arena, "12.0", 4, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "12");
	CHECK_INT(crm_text_int(&arena, "12.5", 4, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_decimal(&arena, "12.50", 5, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "12.50");
	CHECK_INT(crm_text_decimal(&arena, "-.5", 3, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "-0.5");
	CHECK_INT(crm_text_decimal(&arena, "1,200,000", 9, &out, &len, reason, 256), 1);
	CHECK_CONTAINS(reason, "comma");
	CHECK_INT(crm_text_round(&arena, "2.345", 5, 2, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "2.35");
	CHECK_INT(crm_text_round(&arena, "-9.995", 6, 2, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "-10.00");
	CHECK_INT(crm_text_round(&arena, "7", 1, 2, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "7.00");
	CHECK(crm_text_decimal_cmp("10", 2, "9.99", 4) > 0);
	CHECK(crm_text_decimal_cmp("-1", 2, "0", 1) < 0);
	CHECK_INT(crm_text_decimal_cmp("1.50", 4, "1.5", 3), 0);
	crm_arena_release(&arena);
}

/* Salesforce exports large numbers as 6.0E7: read exactly, as text, never through a double */
static void test_textfn__scientific_notation(void)
{
	const char *out;
	size_t len;
	char reason[256];

	crm_arena_init(&arena, 4096);
	CHECK_INT(crm_text_decimal(&arena, "8.48E10", 7, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "84800000000");
	CHECK_INT(crm_text_decimal(&arena, "6.0E7", 5, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "60000000");
	CHECK_INT(crm_text_decimal(&arena, "1.50e1", 6, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "15.0");
	CHECK_INT(crm_text_decimal(&arena, "-1.5E-3", 7, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "-0.0015");
	CHECK_INT(crm_text_decimal(&arena, "12345E-2", 8, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "123.45");
	CHECK_INT(crm_text_decimal(&arena, "1.2345678901234567890123E+22", 28, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "12345678901234567890123"); /* beyond a double's 17 digits, still exact */
	CHECK_INT(crm_text_decimal(&arena, "0E5", 3, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "0");
	CHECK_INT(crm_text_int(&arena, "6.0E7", 5, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "60000000");
	CHECK_INT(crm_text_int(&arena, "5E-1", 4, &out, &len, reason, 256), 1);
	CHECK_CONTAINS(reason, "fraction");
	CHECK_INT(crm_text_round(&arena, "2.345E2", 7, 0, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "235");
	/* only numbers: a bare or doubled exponent, letters, an exponent nobody writes */
	CHECK_INT(crm_text_decimal(&arena, "1E", 2, &out, &len, reason, 256), 1);
	CHECK_CONTAINS(reason, "is not a decimal number");
	CHECK_INT(crm_text_decimal(&arena, "E5", 2, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_decimal(&arena, "1E5E2", 5, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_decimal(&arena, "1E+-5", 5, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_decimal(&arena, "1.5E2x", 6, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_decimal(&arena, "1E999999999999", 14, &out, &len, reason, 256), 1);
	CHECK_CONTAINS(reason, "exponent beyond 64");
	CHECK_INT(crm_text_decimal(&arena, "1E40", 4, &out, &len, reason, 256), 1);
	CHECK_CONTAINS(reason, "more than 38 digits");
	crm_arena_release(&arena);
}

static void test_textfn__booleans(void)
{
	int v = -1;
	char reason[256];

	CHECK_INT(crm_text_bool("TRUE", 4, &v, reason, 256), 0);
	CHECK_INT(v, 1);
	CHECK_INT(crm_text_bool("no", 2, &v, reason, 256), 0);
	CHECK_INT(v, 0);
	CHECK_INT(crm_text_bool("maybe", 5, &v, reason, 256), 1);
}

static void test_textfn__email(void)
{
	const char *out;
	size_t len;
	char reason[256];

	crm_arena_init(&arena, 4096);
	CHECK_INT(crm_text_email(&arena, "Road.Runner@ACME.Example.com", 28, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "Road.Runner@acme.example.com");
	CHECK_INT(crm_text_email(&arena, "a@@b.com", 8, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_email(&arena, "a@b", 3, &out, &len, reason, 256), 1);
	CHECK_INT(crm_text_email(&arena, "a..b@c.com", 10, &out, &len, reason, 256), 1);
	crm_arena_release(&arena);
}

static void test_textfn__split_address(void)
{
	static const char addr[] = "742 Evergreen Ter, Apt 2\nSpringfield, OR 97403, USA";
	const char *out;
	size_t len;
	char reason[256];

	CHECK_INT(crm_text_split_address(NULL, addr, sizeof(addr) - 1, CRM_ADDR_STREET, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "742 Evergreen Ter, Apt 2");
	CHECK_INT(crm_text_split_address(NULL, addr, sizeof(addr) - 1, CRM_ADDR_CITY, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "Springfield");
	CHECK_INT(crm_text_split_address(NULL, addr, sizeof(addr) - 1, CRM_ADDR_STATE, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "OR");
	CHECK_INT(crm_text_split_address(NULL, addr, sizeof(addr) - 1, CRM_ADDR_POSTAL_CODE, &out, &len, reason, 256),
		  0);
	CHECK_MEM(out, len, "97403");
	CHECK_INT(crm_text_split_address(NULL, addr, sizeof(addr) - 1, CRM_ADDR_COUNTRY, &out, &len, reason, 256), 0);
	CHECK_MEM(out, len, "USA");
	CHECK_INT(crm_text_split_address(NULL, "Springfield", 11, CRM_ADDR_CITY, &out, &len, reason, 256), 1);
}

static void test_textfn__phone(void)
{
	char out[CRM_PHONE_MAX], reason[256];
	int us = crm_phone_country_code("US"), de = crm_phone_country_code("DE");

	CHECK_INT(crm_phone_e164("(415) 555-0132", 14, us, out, reason, 256), 0);
	CHECK_STR(out, "+14155550132");
	CHECK_INT(crm_phone_e164("415.555.0199", 12, us, out, reason, 256), 0);
	CHECK_STR(out, "+14155550199");
	CHECK_INT(crm_phone_e164("1-415-555-0199", 14, us, out, reason, 256), 0);
	CHECK_STR(out, "+14155550199");
	CHECK_INT(crm_phone_e164("+44 (0)20 7946 0958", 19, us, out, reason, 256), 0);
	CHECK_STR(out, "+442079460958");
	CHECK_INT(crm_phone_e164("0171 2345678", 12, de, out, reason, 256), 0);
	CHECK_STR(out, "+491712345678");
	CHECK_INT(crm_phone_e164("0049 171 2345678", 16, us, out, reason, 256), 0);
	CHECK_STR(out, "+491712345678");
	CHECK_INT(crm_phone_e164("555-0132", 8, us, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "has 7 digits after +1; expected 10");
	CHECK_INT(crm_phone_e164("(415) 555-0132 x12", 18, us, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "extension");
	CHECK_INT(crm_phone_e164("(415) 555-0132 Ext. 12", 22, us, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "extension");
	CHECK_INT(crm_phone_e164("(415) 555-0132 e", 16, us, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "not part of a phone number");
	CHECK_INT(crm_phone_e164("030 1234567", 11, us, out, reason, 256), 1);
	CHECK_INT(crm_phone_e164("12345", 5, 0, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "no country code");
}

static void test_textfn__fold_key(void)
{
	size_t len;
	const char *t;

	t = crm_text_fold_key(&arena, "GTX Pro", 7, &len);
	CHECK_STR(t, "gtxpro");
	CHECK_INT(len, 6);
	t = crm_text_fold_key(&arena, " gtx-PRO. ", 10, &len);
	CHECK_STR(t, "gtxpro");
	/* accents and Unicode punctuation and spaces go too: "Société Générale — SA" */
	t = crm_text_fold_key(&arena, "Soci\xc3\xa9t\xc3\xa9\xc2\xa0G\xc3\xa9n\xc3\xa9rale \xe2\x80\x94 SA", 28, &len);
	CHECK_STR(t, "societegeneralesa");
	t = crm_text_fold_key(&arena, "", 0, &len);
	CHECK_STR(t, "");
	CHECK_INT(len, 0);
}

/* Words for comparing: case and (as asked) compatibility forms and accents folded, separators one space. */
static void test_textfn__fold_words(void)
{
	static const char john[] = "  ＪＯＨＮ \t Smith ", zoe[] = "Zoë-Anne O'Neil.";
	char out[64];

	CHECK_INT(crm_text_fold_words(john, strlen(john), CRM_FOLD_COMPAT, " \t", out, sizeof(out)), 10);
	CHECK_STR(out, "john smith");
	CHECK_INT(crm_text_fold_words(zoe, strlen(zoe), CRM_FOLD_STRIP_MARKS, " -.,'", out, sizeof(out)), 15);
	CHECK_STR(out, "zoe anne o neil");
	/* without the compatibility flag, full-width letters stay what they are; accents stay unless stripped */
	CHECK_INT(crm_text_fold_words("Zoë", 4, 0, " ", out, sizeof(out)), 4);
	CHECK_STR(out, "zoë");
	/* cut to fit, never past cap */
	CHECK_INT(crm_text_fold_words("abcdef", 6, 0, " ", out, 4), 3);
	CHECK_STR(out, "abc");
	CHECK_INT(crm_text_fold_words("\xff", 1, 0, " ", out, sizeof(out)), -1);
	CHECK_STR(out, "");
	/* ASCII is folded without utf8proc: each byte as utf8proc folds it beside a letter that needs it */
	{
		char alone[8], with[8], want[sizeof(out) + 2];
		int c;
		for (c = 1; c < 0x80; c++) {
			alone[0] = with[0] = (char)c;
			memcpy(with + 1, "\xc3\x89", 2); /* É */
			crm_text_fold_words(alone, 1, CRM_FOLD_STRIP_MARKS, " -", out, sizeof(out));
			snprintf(want, sizeof(want), "%se", out);
			crm_text_fold_words(with, 3, CRM_FOLD_STRIP_MARKS, " -", out, sizeof(out));
			CHECK_STR(out, want);
		}
	}
}

static void test_textfn__distance(void)
{
	CHECK_INT(crm_text_distance("mgspecial", 9, "mgspecial", 9, 2), 0);
	CHECK_INT(crm_text_distance("mgspecail", 9, "mgspecial", 9, 2), 1); /* a swap of neighbours is one edit */
	CHECK_INT(crm_text_distance("acme", 4, "acne", 4, 2), 1);
	CHECK_INT(crm_text_distance("acme", 4, "acmeco", 6, 2), 2);
	CHECK_INT(crm_text_distance("acme", 4, "acmecorp", 8, 2), 3); /* beyond max: max + 1 */
	CHECK_INT(crm_text_distance("kitten", 6, "sitting", 7, 3), 3);
	CHECK_INT(crm_text_distance("kitten", 6, "sitting", 7, 2), 3);
	CHECK_INT(crm_text_distance("", 0, "ab", 2, 2), 2);
	CHECK_INT(crm_text_distance("abc", 3, "xyz", 3, 0), 1);
}

static const struct harness_test tests[] = {
	TEST(test_textfn__case_and_whitespace),
	TEST(test_textfn__numbers),
	TEST(test_textfn__scientific_notation),
	TEST(test_textfn__booleans),
	TEST(test_textfn__email),
	TEST(test_textfn__split_address),
	TEST(test_textfn__phone),
	TEST(test_textfn__fold_key),
	TEST(test_textfn__fold_words),
	TEST(test_textfn__distance),
};

HARNESS_MAIN
