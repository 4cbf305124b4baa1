/*
 * test-rule.c: the rule language's syntax.
 */
#include "compat.h"
#include "harness.h"
#include "transform/rule.h"

static void test_rule__steps_and_arguments(void)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;

	REQUIRE(crm_rule_parse(&rule, "trim -> parse(MM/DD/YYYY) -> concat(First, ' ', \"Last\") -> date",
			       CRM_RULE_TRANSFORM, &err) == 0);
	REQUIRE(rule.count == 4);
	CHECK_STR(rule.calls[0].name, "trim");
	CHECK_INT(rule.calls[0].has_parens, 0);
	CHECK_STR(rule.calls[1].args[0].text, "MM/DD/YYYY");
	CHECK_INT(rule.calls[2].arg_count, 3);
	CHECK_STR(rule.calls[2].args[1].text, " ");
	CHECK_INT(rule.calls[2].args[1].quoted, 1);
	CHECK_STR(rule.calls[2].args[2].text, "Last");
	CHECK_INT(rule.calls[3].offset, 60);
cleanup:
	crm_rule_release(&rule);
}

static void test_rule__checks_with_regex_and_open_range(void)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;

	REQUIRE(crm_rule_parse(&rule, "required; regex(^[A-Z]{2,3}(-\\d+)?$); range(0,); in(a, b c)",
			       CRM_RULE_VALIDATION, &err) == 0);
	REQUIRE(rule.count == 4);
	CHECK_STR(rule.calls[1].args[0].text, "^[A-Z]{2,3}(-\\d+)?$");
	CHECK_INT(rule.calls[2].arg_count, 2);
	CHECK_STR(rule.calls[2].args[1].text, "");
	CHECK_STR(rule.calls[3].args[1].text, "b c");
cleanup:
	crm_rule_release(&rule);
}

static void test_rule__empty_rule_is_copy(void)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;

	CHECK_INT(crm_rule_parse(&rule, "   ", CRM_RULE_TRANSFORM, &err), 0);
	CHECK_INT(rule.count, 0);
	/* empty parentheses are no arguments, not one empty one: in() must not pass as in('') */
	REQUIRE(crm_rule_parse(&rule, "trim( ) -> lower", CRM_RULE_TRANSFORM, &err) == 0);
	CHECK_INT(rule.count, 2);
	CHECK_INT(rule.calls[0].arg_count, 0);
	CHECK_INT(rule.calls[0].has_parens, 1);
	crm_rule_release(&rule);
	REQUIRE(crm_rule_parse(&rule, "range(,)", CRM_RULE_VALIDATION, &err) == 0);
	CHECK_INT(rule.calls[0].arg_count, 2);
	crm_rule_release(&rule);
cleanup:;
}

static void test_rule__syntax_errors_name_the_character(void)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;

	CHECK_INT(crm_rule_parse(&rule, "trim -> parse(MM/DD", CRM_RULE_TRANSFORM, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "at character 20: missing ')'");
	crm_error_clear(&err);
	CHECK_INT(crm_rule_parse(&rule, "trim lower", CRM_RULE_TRANSFORM, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "at character 6: expected '->' between steps");
	crm_error_clear(&err);
	CHECK_INT(crm_rule_parse(&rule, "trim -> -> lower", CRM_RULE_TRANSFORM, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "at character 9: empty step");
	crm_error_clear(&err);
	CHECK_INT(crm_rule_parse(&rule, "in('a", CRM_RULE_VALIDATION, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "unterminated quoted argument");
}

static const struct harness_test tests[] = {
	TEST(test_rule__steps_and_arguments),
	TEST(test_rule__checks_with_regex_and_open_range),
	TEST(test_rule__empty_rule_is_copy),
	TEST(test_rule__syntax_errors_name_the_character),
};

HARNESS_MAIN
