/*
 * rule.c: a hand-written recursive-descent parser for the rule language.
 * It is small enough that a generator would add more than it saves.
 */
#include "compat.h"
#include "transform/rule.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#include <ctype.h>
#include <string.h>

struct parser {
	const char *text;
	size_t pos;
	enum crm_rule_kind kind;
	struct crm_error *err;
};

static void skip_ws(struct parser *p)
{
	while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t')
		p->pos++;
}

static int fail(struct parser *p, size_t pos, const char *what)
{
	return crm_error_set(p->err, CRM_EINPUT, "at character %zu: %s", pos + 1, what);
}

static int at_separator(const struct parser *p)
{
	const char *s = p->text + p->pos;

	if (p->kind == CRM_RULE_TRANSFORM)
		return s[0] == '-' && s[1] == '>';
	return s[0] == ';';
}

static int add_arg(struct crm_rule_call *call, const char *ptr, size_t len, int quoted, size_t offset,
		   struct crm_error *err)
{
	struct crm_rule_arg *args;

	if (call->arg_count >= CRM_MAX_RULE_ARGS)
		return crm_error_set(err, CRM_EINPUT, "at character %zu: more than %u arguments", offset,
				     CRM_MAX_RULE_ARGS);
	args = crm_realloc(call->args, (call->arg_count + 1) * sizeof(*args));
	if (!args)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	call->args = args;
	args[call->arg_count].text = crm_strndup(ptr, len);
	if (!args[call->arg_count].text)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	args[call->arg_count].quoted = quoted;
	args[call->arg_count].offset = offset;
	call->arg_count++;
	return 0;
}

/* regex(...) unquoted: everything up to the parenthesis that balances the opening one */
static int parse_raw_arg(struct parser *p, struct crm_rule_call *call)
{
	size_t start = p->pos, depth = 1;
	const char *s = p->text;

	while (s[p->pos]) {
		if (s[p->pos] == '\\' && s[p->pos + 1]) {
			p->pos += 2;
			continue;
		}
		if (s[p->pos] == '(')
			depth++;
		else if (s[p->pos] == ')' && --depth == 0)
			break;
		p->pos++;
	}
	if (!s[p->pos])
		return fail(p, start - 1, "'(' is never closed");
	if (add_arg(call, s + start, p->pos - start, 0, start + 1, p->err))
		return p->err->code;
	p->pos++; /* ')' */
	return 0;
}

static int parse_quoted(struct parser *p, struct crm_rule_call *call)
{
	char quote = p->text[p->pos];
	size_t start = p->pos;
	struct crm_buf buf;
	int rc;

	crm_buf_init(&buf, 64 * 1024);
	p->pos++;
	for (;;) {
		char c = p->text[p->pos];
		if (!c) {
			crm_buf_release(&buf);
			return fail(p, start, "unterminated quoted argument");
		}
		if (c == quote) {
			if (p->text[p->pos + 1] != quote)
				break;
			p->pos++;
		}
		if (crm_buf_addch(&buf, c, p->err)) {
			crm_buf_release(&buf);
			return p->err->code;
		}
		p->pos++;
	}
	p->pos++;
	rc = add_arg(call, buf.ptr, buf.len, 1, start + 1, p->err);
	crm_buf_release(&buf);
	return rc;
}

static int parse_args(struct parser *p, struct crm_rule_call *call)
{
	const char *s = p->text;

	if (strcmp(call->name, "regex") == 0) {
		skip_ws(p);
		if (s[p->pos] != '\'' && s[p->pos] != '"')
			return parse_raw_arg(p, call);
	}
	skip_ws(p);
	if (s[p->pos] == ')') {
		p->pos++;
		return 0; /* name(): no arguments, as name alone */
	}
	for (;;) {
		size_t start, end;
		skip_ws(p);
		if (s[p->pos] == '\'' || s[p->pos] == '"') {
			if (parse_quoted(p, call))
				return p->err->code;
			skip_ws(p);
		} else {
			size_t depth = 0;
			start = p->pos;
			while (s[p->pos] && (depth || (s[p->pos] != ',' && s[p->pos] != ')'))) {
				if (s[p->pos] == '(')
					depth++;
				else if (s[p->pos] == ')')
					depth--;
				p->pos++;
			}
			end = p->pos;
			while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
				end--;
			if (add_arg(call, s + start, end - start, 0, start + 1, p->err))
				return p->err->code;
		}
		if (s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (s[p->pos] == ')') {
			p->pos++;
			return 0;
		}
		if (!s[p->pos])
			return fail(p, p->pos, "missing ')'");
		return fail(p, p->pos, "expected ',' or ')' after an argument");
	}
}

static int parse_call(struct parser *p, struct crm_rule *rule)
{
	struct crm_rule_call *calls, *call;
	size_t start;

	skip_ws(p);
	start = p->pos;
	while (isalnum((unsigned char)p->text[p->pos]) || p->text[p->pos] == '_')
		p->pos++;
	if (p->pos == start) {
		if (!p->text[p->pos] || at_separator(p))
			return fail(p, p->pos, p->kind == CRM_RULE_TRANSFORM ? "empty step" : "empty check");
		return fail(p, p->pos, "expected a name");
	}
	if (rule->count >= CRM_MAX_RULE_STEPS)
		return crm_error_set(p->err, CRM_EINPUT, "at character %zu: more than %u steps", start + 1,
				     CRM_MAX_RULE_STEPS);
	calls = crm_realloc(rule->calls, (rule->count + 1) * sizeof(*calls));
	if (!calls)
		return crm_error_set(p->err, CRM_ENOMEM, "out of memory");
	rule->calls = calls;
	call = &calls[rule->count];
	memset(call, 0, sizeof(*call));
	rule->count++;
	call->offset = start + 1;
	call->name = crm_strndup(p->text + start, p->pos - start);
	if (!call->name)
		return crm_error_set(p->err, CRM_ENOMEM, "out of memory");
	skip_ws(p);
	if (p->text[p->pos] == '(') {
		call->has_parens = 1;
		p->pos++;
		return parse_args(p, call);
	}
	return 0;
}

int crm_rule_parse(struct crm_rule *rule, const char *text, enum crm_rule_kind kind, struct crm_error *err)
{
	struct parser p = {text, 0, kind, err};

	rule->calls = NULL;
	rule->count = 0;
	skip_ws(&p);
	if (!text[p.pos])
		return 0;
	for (;;) {
		if (parse_call(&p, rule))
			goto out_fail;
		skip_ws(&p);
		if (!text[p.pos])
			return 0;
		if (!at_separator(&p)) {
			fail(&p, p.pos,
			     kind == CRM_RULE_TRANSFORM ? "expected '->' between steps"
							: "expected ';' between checks");
			goto out_fail;
		}
		p.pos += kind == CRM_RULE_TRANSFORM ? 2 : 1;
		skip_ws(&p);
		if (kind == CRM_RULE_VALIDATION && !text[p.pos])
			return 0; /* a trailing ';' is harmless */
	}
out_fail:
	crm_rule_release(rule);
	return err->code;
}

void crm_rule_release(struct crm_rule *rule)
{
	size_t i, a;

	for (i = 0; i < rule->count; i++) {
		for (a = 0; a < rule->calls[i].arg_count; a++)
			crm_free(rule->calls[i].args[a].text);
		crm_free(rule->calls[i].args);
		crm_free(rule->calls[i].name);
	}
	crm_free(rule->calls);
	rule->calls = NULL;
	rule->count = 0;
}
