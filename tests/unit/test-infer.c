/*
 * test-infer.c: value kinds, shapes, date order, personal-data guesses,
 * mojibake, Salesforce ids (the test vectors of EXPORT-FORMATS.md) and the
 * model's column and table guesses.
 */
#include "compat.h"
#include "harness.h"
#include "model/schema.h"
#include "transform/infer.h"
#include "transform/sfid.h"

#include <string.h>

static unsigned kinds(const char *s)
{
	return crm_infer_kinds(s, strlen(s));
}

#define K(k) (1u << CRM_KIND_##k)

static void test_infer__kinds(void)
{
	CHECK_INT(kinds("true"), K(BOOL));
	CHECK_INT(kinds("42"), K(INT) | K(DECIMAL));
	CHECK_INT(kinds("-4.5"), K(DECIMAL));
	CHECK_INT(kinds("01742"), 0);	       /* a code with a leading zero, not a number */
	CHECK_INT(kinds("6.0E7"), K(DECIMAL)); /* Salesforce's large numbers */
	CHECK_INT(kinds("8.48E10"), K(DECIMAL));
	CHECK_INT(kinds("-1.5e-3"), K(DECIMAL));
	CHECK_INT(kinds("0.5E2"), K(DECIMAL));
	CHECK_INT(kinds("00E12"), 0); /* a code */
	CHECK_INT(kinds("1E"), 0);
	CHECK_INT(kinds("1E123"), 0);
	CHECK_INT(kinds("E12"), 0);
	CHECK_INT(kinds("1,200,000"), 0);
	CHECK_INT(kinds("2024-02-29"), K(DATE));
	CHECK_INT(kinds("2023-02-29"), 0);
	CHECK_INT(kinds("2019-11-11T17:23:34.000Z"), K(DATETIME));
	CHECK_INT(kinds("2020-12-30 3:15:52"), K(DATETIME));
	CHECK_INT(kinds("07/15/1986"), K(DATE));
	CHECK_INT(kinds("13/45/1990"), 0);
	CHECK_INT(kinds("02/01/2024 09:30 AM"), K(DATETIME));
	CHECK_INT(kinds("19560512"), K(INT) | K(DECIMAL) | K(DATE)); /* Febrl's YYYYMMDD */
	CHECK_INT(kinds("wile.coyote@acme.example.com"), K(EMAIL));
	CHECK_INT(kinds("milton@@initech.example.com"), 0);
	CHECK_INT(kinds("(415) 555-0132"), K(PHONE));
	CHECK_INT(kinds("+49 30 901820"), K(PHONE));
	CHECK_INT(kinds("4155550110"), K(INT) | K(DECIMAL)); /* no separator: a number first */
	CHECK_INT(kinds("acme.example.com"), K(URL));
	CHECK_INT(kinds("https://acme.example.com/x"), K(URL));
	CHECK_INT(kinds("Wile E."), 0);
	CHECK_INT(kinds("0015500000Xyy06AAB"), K(SFID));
	CHECK_INT(kinds("0015500000Xyy06AAC"), 0); /* a wrong suffix */
}

static void test_infer__lossy_question_marks(void)
{
	CHECK_INT(crm_infer_lossy("M?ller", 6), 1);
	CHECK_INT(crm_infer_lossy("Soci?t? G?n?rale", 16), 4);
	CHECK_INT(crm_infer_lossy("Why? Because.", 13), -1);		/* a question's own mark */
	CHECK_INT(crm_infer_lossy("https://x.example/?q=a?b", 24), -1); /* a URL's */
	CHECK_INT(crm_infer_lossy("Ren?", 4), -1);			/* at the end of a word nothing tells */
}

static void test_infer__shape_and_date_order(void)
{
	char out[48];

	CHECK_INT(crm_infer_shape("(415) 555-0132", 14, out, sizeof(out)), 14);
	CHECK_STR(out, "(ddd) ddd-dddd");
	crm_infer_shape("Mary  Ann O'Neil", 16, out, sizeof(out));
	CHECK_STR(out, "a a a'a");
	crm_infer_shape("Jürgen 5", 9, out, sizeof(out));
	CHECK_STR(out, "a d");
	crm_infer_shape("0123456789012345678901234567890123456789012345678901234567890", 61, out, sizeof(out));
	CHECK_STR(out, "<long text>");
	CHECK_INT(crm_infer_date_order("12/01/1984", 10), CRM_DATE_AMBIGUOUS);
	CHECK_INT(crm_infer_date_order("09/09/1960", 10), CRM_DATE_SAME);
	CHECK_INT(crm_infer_date_order("07/15/1986", 10), CRM_DATE_MONTH_FIRST);
	CHECK_INT(crm_infer_date_order("15.07.1986", 10), CRM_DATE_DAY_FIRST);
	CHECK_INT(crm_infer_date_order("02/29/1972", 10), CRM_DATE_MONTH_FIRST);
	CHECK_INT(crm_infer_date_order("29/02/1971", 10), CRM_DATE_INVALID);
	CHECK_INT(crm_infer_date_order("13/45/1990", 10), CRM_DATE_INVALID);
	CHECK_INT(crm_infer_date_order("1986-07-15", 10), CRM_DATE_NOT_NUMERIC);
	CHECK_INT(crm_infer_date_order("415.555.0199", 12), CRM_DATE_NOT_NUMERIC);
	CHECK_INT(crm_infer_date_order("1/5/90", 6), CRM_DATE_AMBIGUOUS);
}

static void test_infer__personal_data_by_name(void)
{
	CHECK_INT(crm_infer_pii_name("Email", 1), CRM_PII_KIND_EMAIL);
	CHECK_INT(crm_infer_pii_name("HasOptedOutOfEmail", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("MobilePhone", 1), CRM_PII_KIND_PHONE);
	CHECK_INT(crm_infer_pii_name("Phone", 0), CRM_PII_KIND_NONE); /* an account's switchboard */
	CHECK_INT(crm_infer_pii_name("DoNotCall", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("date_of_birth", 1), CRM_PII_KIND_BIRTH_DATE);
	CHECK_INT(crm_infer_pii_name("DOB", 1), CRM_PII_KIND_BIRTH_DATE);
	CHECK_INT(crm_infer_pii_name("property_hs_merged_object_ids", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name(" given_name", 1), CRM_PII_KIND_NAME);
	CHECK_INT(crm_infer_pii_name("Name", 1), CRM_PII_KIND_NAME);
	CHECK_INT(crm_infer_pii_name("Name", 0), CRM_PII_KIND_NONE); /* an account's name */
	CHECK_INT(crm_infer_pii_name("MailingStreet", 1), CRM_PII_KIND_ADDRESS);
	CHECK_INT(crm_infer_pii_name("BillingStreet", 0), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("soc_sec_id", 1), CRM_PII_KIND_NATIONAL_ID);
	/* a JSON export's flattened paths are named by their leaf; a list item's value by its parent */
	CHECK_INT(crm_infer_pii_name("email.0.value", 1), CRM_PII_KIND_EMAIL);
	CHECK_INT(crm_infer_pii_name("email.0.label", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("phone.0.primary", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("phone.1.value", 1), CRM_PII_KIND_PHONE);
	CHECK_INT(crm_infer_pii_name("properties.email", 1), CRM_PII_KIND_EMAIL);
	CHECK_INT(crm_infer_pii_name("emails.0", 1), CRM_PII_KIND_EMAIL);
	/* a name whose last word says it holds something about the value */
	CHECK_INT(crm_infer_pii_name("email_messages_count", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("Phone_Type__c", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("EmailBouncedReasonStatus", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("PhoneCount", 1), CRM_PII_KIND_NONE);
	CHECK_INT(crm_infer_pii_name("Accountant_Phone__c", 1), CRM_PII_KIND_PHONE);
}

static void test_infer__mojibake(void)
{
	CHECK_INT(crm_infer_mojibake("Jos\xc3\xa9", 5), -1);			  /* José, fine */
	CHECK_INT(crm_infer_mojibake("Jos\xc3\x83\xc2\xa9", 7), 3);		  /* JosÃ© */
	CHECK_INT(crm_infer_mojibake("O\xc3\xa2\xe2\x82\xac\xe2\x84\xa2", 9), 1); /* Oâ€™ */
	CHECK_INT(crm_infer_mojibake("x\xe2\x80\x9a\xc3\x84\xc3\xb6", 8), 1);	  /* x‚Äö (Mac Roman) */
	CHECK_INT(crm_infer_mojibake("ab\xef\xbf\xbd", 5), 2);			  /* U+FFFD */
}

static void test_infer__salesforce_ids(void)
{
	static const char *const vectors[][2] = {
		{"a0BA0000000L2ZC", "a0BA0000000L2ZCMA0"}, {"AaaAABbbBBCccCC", "AaaAABbbBBCccCCZZZ"},
		{"70130000001tcyI", "70130000001tcyIAAQ"}, {"00558000001N0Ke", "00558000001N0KeAAK"},
		{"80120000000test", "80120000000testAAA"}, {"0015500000Xyy06", "0015500000Xyy06AAB"},
	};
	char out[CRM_SFID_LEN + 1], reason[128];
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(vectors); i++) {
		CHECK_INT(crm_sfid_normalize(vectors[i][0], 15, out, reason, sizeof(reason)), 0);
		CHECK_STR(out, vectors[i][1]);
		CHECK_INT(crm_sfid_normalize(vectors[i][1], 18, out, reason, sizeof(reason)), 0);
		CHECK_STR(out, vectors[i][1]);
	}
	/* upper-cased by a spreadsheet: the suffix gives the case back */
	CHECK_INT(crm_sfid_normalize("A0BA0000000L2ZCMA0", 18, out, reason, sizeof(reason)), 0);
	CHECK_STR(out, "a0BA0000000L2ZCMA0");
	CHECK_INT(crm_sfid_normalize("0033700000JmrFPAA", 17, out, reason, sizeof(reason)), 1);
	CHECK_CONTAINS(reason, "17 characters");
	CHECK_INT(crm_sfid_normalize("01 1G000000bUE8QAM", 18, out, reason, sizeof(reason)), 1);
	CHECK_CONTAINS(reason, "character 3");
	CHECK_INT(crm_sfid_normalize("a0BA0000000L2ZCAAA", 18, out, reason, sizeof(reason)), 1);
	CHECK_CONTAINS(reason, "do not match");
}

static void test_infer__model_guesses(void)
{
	const struct crm_table_def *contact = crm_schema_table("contact");
	char key[64];

	CHECK_INT(crm_schema_name_key("Record ID", key, sizeof(key)), 8);
	CHECK_STR(key, "recordid");
	CHECK_STR(crm_schema_match(contact, "FirstName")->name, "first_name");
	CHECK_STR(crm_schema_match(contact, "property_firstname")->name, "first_name");
	CHECK_STR(crm_schema_match(contact, "Person - Email")->name, "email");
	CHECK_STR(crm_schema_match(contact, "account_id")->name, "account_id");
	CHECK(crm_schema_match(contact, "Favourite_Colour__c") == NULL);
	CHECK_INT(crm_schema_match(contact, "LastName")->required, 1);
	CHECK_INT(crm_schema_timestamp_match("CreatedDate"), 1);
	CHECK_INT(crm_schema_timestamp_match("hs_lastmodifieddate"), 2);
	CHECK_STR(crm_schema_guess_table("sf_account")->name, "account");
	CHECK_STR(crm_schema_guess_table("Persons")->name, "contact");
	CHECK_STR(crm_schema_guess_table("deals")->name, "opportunity");
	CHECK(crm_schema_guess_table("dataset1") == NULL);
}

static const struct harness_test tests[] = {
	TEST(test_infer__kinds),
	TEST(test_infer__lossy_question_marks),
	TEST(test_infer__shape_and_date_order),
	TEST(test_infer__personal_data_by_name),
	TEST(test_infer__mojibake),
	TEST(test_infer__salesforce_ids),
	TEST(test_infer__model_guesses),
};

HARNESS_MAIN
