/*
 * schema.c: the canonical tables as static data.
 */
#include "compat.h"
#include "model/schema.h"
#include "util/limits.h"

#include <string.h>

#define T(n)                                                                                                           \
	{                                                                                                              \
		n, CRM_TYPE_TEXT, NULL                                                                                 \
	}
#define I(n)                                                                                                           \
	{                                                                                                              \
		n, CRM_TYPE_INT, NULL                                                                                  \
	}
#define N(n)                                                                                                           \
	{                                                                                                              \
		n, CRM_TYPE_DECIMAL, NULL                                                                              \
	}
#define D(n)                                                                                                           \
	{                                                                                                              \
		n, CRM_TYPE_DATE, NULL                                                                                 \
	}
#define DT(n)                                                                                                          \
	{                                                                                                              \
		n, CRM_TYPE_DATETIME, NULL                                                                             \
	}
#define B(n)                                                                                                           \
	{                                                                                                              \
		n, CRM_TYPE_BOOL, NULL                                                                                 \
	}
#define R(n, t)                                                                                                        \
	{                                                                                                              \
		n, CRM_TYPE_REF, t                                                                                     \
	}

static const struct crm_column_def account_cols[] = {
	T("name"),
	R("parent_account_id", "account"),
	T("industry"),
	T("type"),
	T("website"),
	T("phone"),
	T("billing_street"),
	T("billing_city"),
	T("billing_state"),
	T("billing_postal_code"),
	T("billing_country"),
	N("annual_revenue"),
	I("employees"),
	T("owner"),
};

static const struct crm_column_def contact_cols[] = {
	R("account_id", "account"),
	T("first_name"),
	T("last_name"),
	T("email"),
	T("phone"),
	T("mobile_phone"),
	T("title"),
	D("birth_date"),
	T("mailing_street"),
	T("mailing_city"),
	T("mailing_state"),
	T("mailing_postal_code"),
	T("mailing_country"),
	B("email_opt_out"),
	B("do_not_call"),
	T("consent_source"),
	DT("consent_timestamp"),
	T("consent_scope"),
	T("consent_version"),
	T("owner"),
};

static const struct crm_column_def lead_cols[] = {
	T("first_name"),
	T("last_name"),
	T("email"),
	T("phone"),
	T("company"),
	T("status"),
	T("lead_source"),
	R("converted_contact_id", "contact"),
	R("converted_opportunity_id", "opportunity"),
	B("email_opt_out"),
	T("consent_source"),
	DT("consent_timestamp"),
	T("consent_scope"),
	T("consent_version"),
	T("owner"),
};

static const struct crm_column_def opportunity_cols[] = {
	R("account_id", "account"), T("name"),	    T("stage"),	 N("amount"),	   T("currency"), D("close_date"),
	N("probability"),	    B("is_closed"), B("is_won"), T("lead_source"), T("owner"),
};

static const struct crm_column_def opportunity_contact_cols[] = {
	R("opportunity_id", "opportunity"),
	R("contact_id", "contact"),
	T("role"),
	B("is_primary"),
};

static const struct crm_column_def activity_cols[] = {
	T("kind"),
	T("subject"),
	T("body"),
	DT("occurred_at"),
	T("status"),
	R("account_id", "account"),
	R("contact_id", "contact"),
	R("lead_id", "lead"),
	R("opportunity_id", "opportunity"),
	T("owner"),
};

static const struct crm_column_def consent_event_cols[] = {
	R("contact_id", "contact"), R("lead_id", "lead"), T("channel"), T("status"), T("source"),
	DT("occurred_at"),	    T("scope"),		  T("version"),
};

#define TABLE(n, cols, cid)                                                                                            \
	{                                                                                                              \
		n, cols, CRM_ARRAY_COUNT(cols), cid                                                                    \
	}

static const struct crm_table_def tables[] = {
	TABLE("account", account_cols, 0),
	TABLE("contact", contact_cols, 1),
	TABLE("lead", lead_cols, 1),
	TABLE("opportunity", opportunity_cols, 0),
	TABLE("opportunity_contact", opportunity_contact_cols, 0),
	TABLE("activity", activity_cols, 0),
	TABLE("consent_event", consent_event_cols, 0),
};

const struct crm_table_def *crm_schema_table(const char *name)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(tables); i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

const struct crm_column_def *crm_schema_column(const struct crm_table_def *table, const char *name)
{
	size_t i;

	if (!table)
		return NULL;
	for (i = 0; i < table->count; i++)
		if (strcmp(table->columns[i].name, name) == 0)
			return &table->columns[i];
	return NULL;
}

int crm_schema_is_reserved(const char *column)
{
	return strcmp(column, "id") == 0 || strcmp(column, "source_system") == 0 || strcmp(column, "source_id") == 0 ||
	       strcmp(column, "customer_id") == 0;
}

int crm_schema_is_timestamp(const char *column)
{
	return strcmp(column, "created_at") == 0 || strcmp(column, "updated_at") == 0;
}

static const char *const type_names[] = {"text", "int", "decimal", "date", "datetime", "bool", "ref"};

int crm_type_parse(const char *name, enum crm_type *type)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(type_names); i++)
		if (strcmp(type_names[i], name) == 0) {
			*type = (enum crm_type)i;
			return 0;
		}
	/* the words migration teams already write in their sheets */
	if (strcmp(name, "string") == 0 || strcmp(name, "picklist") == 0 || strcmp(name, "email") == 0 ||
	    strcmp(name, "phone") == 0 || strcmp(name, "") == 0) {
		*type = CRM_TYPE_TEXT;
		return 0;
	}
	if (strcmp(name, "integer") == 0) {
		*type = CRM_TYPE_INT;
		return 0;
	}
	if (strcmp(name, "number") == 0 || strcmp(name, "currency") == 0) {
		*type = CRM_TYPE_DECIMAL;
		return 0;
	}
	if (strcmp(name, "boolean") == 0) {
		*type = CRM_TYPE_BOOL;
		return 0;
	}
	if (strcmp(name, "id") == 0 || strcmp(name, "reference") == 0) {
		*type = CRM_TYPE_REF;
		return 0;
	}
	return -1;
}

const char *crm_type_name(enum crm_type type)
{
	return type_names[type];
}

int crm_schema_valid_ident(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > CRM_MAX_IDENT_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}
