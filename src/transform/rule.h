/*
 * rule.h: the syntax of the rule language (docs/internals/rules.md). A
 * transform rule is steps joined by `->`, a validation rule is checks joined
 * by `;`. A step or check is a name with optional arguments in parentheses:
 *
 *     trim -> parse(MM/DD/YYYY) -> date
 *     concat(FirstName, ' ', LastName)
 *     required; max_len(80); regex('^[A-Z]{2}[0-9]+$')
 *
 * An argument is a quoted string ('...' or "...", a doubled quote inside
 * stands for one) or bare text up to the next comma or closing parenthesis,
 * trimmed. regex takes its whole parenthesised text as one argument when it
 * is not quoted. This module only parses: what a name means is
 * transform/program's business. Errors give the character offset.
 */
#ifndef CRM_RULE_H
#define CRM_RULE_H

#include "compat.h"
#include "util/error.h"

struct crm_rule_arg {
	char *text;
	int quoted;
	size_t offset; /* 1-based character in the rule where the argument starts */
};

struct crm_rule_call {
	char *name;
	size_t offset;	/* 1-based character where the name starts */
	int has_parens; /* `name()` as opposed to `name` */
	struct crm_rule_arg *args;
	size_t arg_count;
};

struct crm_rule {
	struct crm_rule_call *calls;
	size_t count;
};

enum crm_rule_kind { CRM_RULE_TRANSFORM, CRM_RULE_VALIDATION };

/*
 * Parses text into rule (initialised here). An empty text is a rule with no
 * calls. Errors read "at character N: reason" (the caller adds file and line).
 */
int crm_rule_parse(struct crm_rule *rule, const char *text, enum crm_rule_kind kind, struct crm_error *err);
void crm_rule_release(struct crm_rule *rule);

#endif
