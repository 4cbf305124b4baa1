/*
 * fuzz-rule.c: the rule parser alone (transform_rule and validation_rule
 * text of a mapping row); the first byte chooses which.
 */
#include "fuzz.h"

#include "transform/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_rule rule;
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_text(data + 1, size - 1);
	if (crm_rule_parse(&rule, text, data[0] & 1 ? CRM_RULE_VALIDATION : CRM_RULE_TRANSFORM, &err) == 0)
		crm_rule_release(&rule);
	free(text);
	return 0;
}
