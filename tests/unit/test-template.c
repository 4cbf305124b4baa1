/*
 * test-template.c: the templates of init --from CRM agree with the canonical
 * model: every row names an object of its template, a model column of the
 * right type (or a new column with a valid name), rules that parse, ref()s
 * to objects of the template whose table is the one the column points at;
 * and every column the model requires is filled.
 */
#include "compat.h"
#include "harness.h"
#include "model/mapping.h"
#include "model/schema.h"
#include "model/template.h"
#include "transform/rule.h"

static const struct crm_template_object *object_of(const struct crm_template *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->object_count; i++)
		if (!strcmp(t->objects[i].name, name))
			return &t->objects[i];
	return NULL;
}

static int row_fills(const struct crm_template *t, const char *object, const char *column)
{
	size_t i;

	for (i = 0; i < t->row_count; i++)
		if (!strcmp(t->rows[i].object, object) && !strcmp(t->rows[i].target_field, column))
			return 1;
	return 0;
}

/* The object a rule's last step ref(X) names, in parent (cap bytes), or "" when it has none. */
static void ref_of(const char *rule_text, char *parent, size_t cap)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_rule rule;

	parent[0] = '\0';
	CHECK_INT(crm_rule_parse(&rule, rule_text, CRM_RULE_TRANSFORM, &err), 0);
	if (err.code) {
		fprintf(stderr, "rule '%s': %s\n", rule_text, err.msg);
		return;
	}
	if (rule.count && !strcmp(rule.calls[rule.count - 1].name, "ref") && rule.calls[rule.count - 1].arg_count)
		snprintf(parent, cap, "%s", rule.calls[rule.count - 1].args[0].text);
	crm_rule_release(&rule);
}

static void check_row(const struct crm_template *t, const struct crm_template_row *r)
{
	const struct crm_template_object *o = object_of(t, r->object);
	const struct crm_table_def *table;
	const struct crm_column_def *col;
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_rule checks;
	enum crm_type type;
	char parent[64];
	size_t a;

	CHECK(o != NULL);
	if (!o)
		return;
	table = crm_schema_table(o->target);
	REQUIRE(table != NULL); /* every template object fills a model table */
	CHECK_INT(crm_type_parse(r->data_type, &type), 0);
	CHECK(r->field[0] != '\0');
	CHECK(!crm_schema_is_reserved(r->target_field));
	CHECK(!strcmp(r->pii_flag, "") || !strcmp(r->pii_flag, "PII"));
	ref_of(r->transform_rule, parent, sizeof(parent));
	CHECK_INT(crm_rule_parse(&checks, r->validation_rule, CRM_RULE_VALIDATION, &err), 0);
	if (!err.code)
		crm_rule_release(&checks);
	/* a polymorphic reference ('contact_id|lead_id', ref(Contact|Lead)): each column with its object */
	CHECK_INT(crm_alt_count(r->target_field), crm_alt_count(parent));
	for (a = 0; a < crm_alt_count(r->target_field); a++) {
		size_t len, plen;
		const char *at = crm_alt_piece(r->target_field, a, &len), *pat = crm_alt_piece(parent, a, &plen);
		char column[64], object[64];
		snprintf(column, sizeof(column), "%.*s", (int)len, at);
		snprintf(object, sizeof(object), "%.*s", (int)plen, pat);
		col = crm_schema_column(table, column);
		if (col) {
			/* a model column: the type it has, text where any text converts */
			if (type != col->type && type != CRM_TYPE_TEXT)
				fprintf(stderr, "%s.%s: %s for a %s column\n", r->object, r->field, r->data_type,
					crm_type_name(col->type));
			CHECK(type == col->type || type == CRM_TYPE_TEXT);
			if (col->type == CRM_TYPE_REF) {
				const struct crm_template_object *p = object_of(t, object);
				CHECK(p && !strcmp(p->target, col->ref_table));
			}
		} else if (!crm_schema_is_timestamp(column)) {
			CHECK(crm_schema_valid_ident(column)); /* a new column */
		}
		if (object[0])
			CHECK(object_of(t, object) != NULL);
	}
cleanup:;
}

static void check_template(const char *crm)
{
	const struct crm_template *t = crm_template_find(crm);
	size_t i, j;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_STR(t->crm, crm);
	for (i = 0; i < t->row_count; i++)
		check_row(t, &t->rows[i]);
	for (i = 0; i < t->object_count; i++) {
		const struct crm_template_object *o = &t->objects[i];
		const struct crm_table_def *table = crm_schema_table(o->target);
		CHECK(object_of(t, o->name) == o); /* names are unique */
		for (j = 0; table && j < table->count; j++)
			if (table->columns[j].required && !row_fills(t, o->name, table->columns[j].name)) {
				fprintf(stderr, "%s: %s.%s is required and not mapped\n", crm, o->target,
					table->columns[j].name);
				CHECK(0);
			}
	}
}

static void test_template__salesforce_agrees_with_the_model(void)
{
	check_template("salesforce");
	CHECK_STR(crm_template_find("salesforce")->format, "salesforce");
}

static void test_template__hubspot_agrees_with_the_model(void)
{
	check_template("hubspot");
}

static void test_template__pipedrive_agrees_with_the_model(void)
{
	check_template("pipedrive");
	CHECK_STR(crm_template_find("pipedrive")->format, "pipedrive");
}

static void test_template__generic_csv_has_none(void)
{
	CHECK(crm_template_find("generic") == NULL);
	CHECK(crm_template_find("zoho") == NULL);
}

static const struct harness_test tests[] = {
	TEST(test_template__salesforce_agrees_with_the_model),
	TEST(test_template__hubspot_agrees_with_the_model),
	TEST(test_template__pipedrive_agrees_with_the_model),
	TEST(test_template__generic_csv_has_none),
};

HARNESS_MAIN
