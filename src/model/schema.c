/*
 * schema.c: the canonical tables as static data.
 */
#include "compat.h"
#include "model/schema.h"
#include "util/limits.h"

#include <stdio.h>
#include <string.h>

/*
 * C(name, type, table it points at, required, aliases): aliases are name keys
 * (crm_schema_name_key: lower case, letters and digits) that source CRMs give
 * the column, after Salesforce, HubSpot, Pipedrive and common spreadsheets.
 */
#define C(n, t, ref, req, aliases)                                                                                     \
	{                                                                                                              \
		n, CRM_TYPE_##t, ref, req, aliases                                                                     \
	}

static const struct crm_column_def account_cols[] = {
	C("name", TEXT, NULL, 1, "name|accountname|companyname|company|organizationname|orgname|organization"),
	C("parent_account_id", REF, "account", 0, "parentid|parentaccountid|parentcompanyid|hsparentcompanyid"),
	C("industry", TEXT, NULL, 0, "industry"),
	C("type", TEXT, NULL, 0, "type|accounttype|companytype"),
	C("website", TEXT, NULL, 0, "website|domain|url|websiteurl"),
	C("phone", TEXT, NULL, 0, "phone|phonenumber|mainphone"),
	C("billing_street", TEXT, NULL, 0, "billingstreet|street|address|streetaddress|addressstreet"),
	C("billing_city", TEXT, NULL, 0, "billingcity|city|addresscity|addresslocality"),
	C("billing_state", TEXT, NULL, 0, "billingstate|state|stateregion|addressstate|addressadminarealevel1"),
	C("billing_postal_code", TEXT, NULL, 0, "billingpostalcode|postalcode|zip|zipcode|postcode|addresspostalcode"),
	C("billing_country", TEXT, NULL, 0, "billingcountry|country|countryregion|addresscountry"),
	C("annual_revenue", DECIMAL, NULL, 0, "annualrevenue|revenue"),
	C("employees", INT, NULL, 0, "numberofemployees|employees|numemployees|peoplecount|employeecount"),
	C("owner", TEXT, NULL, 0, "ownerid|owner|hubspotownerid|companyowner|userid"),
};

static const struct crm_column_def contact_cols[] = {
	C("account_id", REF, "account", 0, "accountid|associatedcompanyid|companyid|orgid|organizationid"),
	C("first_name", TEXT, NULL, 0, "firstname|givenname|first"),
	C("last_name", TEXT, NULL, 1, "lastname|surname|familyname|last|name"),
	C("email", TEXT, NULL, 0, "email|emailaddress|email1|primaryemail"),
	C("phone", TEXT, NULL, 0, "phone|phonenumber|workphone|businessphone|primaryphone"),
	C("mobile_phone", TEXT, NULL, 0, "mobilephone|mobile|mobilephonenumber|cellphone|cell"),
	C("title", TEXT, NULL, 0, "title|jobtitle|position"),
	C("birth_date", DATE, NULL, 0, "birthdate|dateofbirth|dob|birthday"),
	C("mailing_street", TEXT, NULL, 0, "mailingstreet|street|address|streetaddress|addressstreet"),
	C("mailing_city", TEXT, NULL, 0, "mailingcity|city|addresscity"),
	C("mailing_state", TEXT, NULL, 0, "mailingstate|state|stateregion|addressstate"),
	C("mailing_postal_code", TEXT, NULL, 0, "mailingpostalcode|postalcode|zip|zipcode|postcode"),
	C("mailing_country", TEXT, NULL, 0, "mailingcountry|country|countryregion|addresscountry"),
	C("email_opt_out", BOOL, NULL, 0, "hasoptedoutofemail|emailoptout|unsubscribed|hsemailoptout"),
	C("do_not_call", BOOL, NULL, 0, "donotcall"),
	C("consent_source", TEXT, NULL, 0, "consentsource|consentsourcec|legalbasis"),
	C("consent_timestamp", DATETIME, NULL, 0, "consenttimestamp|consenttimestampc|consentdate"),
	C("consent_scope", TEXT, NULL, 0, "consentscope|consentscopec"),
	C("consent_version", TEXT, NULL, 0, "consentversion|consentversionc"),
	C("owner", TEXT, NULL, 0, "ownerid|owner|hubspotownerid|contactowner|userid"),
};

static const struct crm_column_def lead_cols[] = {
	C("first_name", TEXT, NULL, 0, "firstname|givenname|first"),
	C("last_name", TEXT, NULL, 1, "lastname|surname|familyname|last|name|personname"),
	C("email", TEXT, NULL, 0, "email|emailaddress|primaryemail"),
	C("phone", TEXT, NULL, 0, "phone|phonenumber|mobilephone"),
	C("company", TEXT, NULL, 1, "company|companyname|organization|organizationname|orgname"),
	C("status", TEXT, NULL, 0, "status|leadstatus|hsleadstatus"),
	C("lead_source", TEXT, NULL, 0, "leadsource|source|origin"),
	C("converted_contact_id", REF, "contact", 0, "convertedcontactid"),
	C("converted_opportunity_id", REF, "opportunity", 0, "convertedopportunityid|converteddealid"),
	C("email_opt_out", BOOL, NULL, 0, "hasoptedoutofemail|emailoptout|unsubscribed"),
	C("consent_source", TEXT, NULL, 0, "consentsource|consentsourcec"),
	C("consent_timestamp", DATETIME, NULL, 0, "consenttimestamp|consenttimestampc"),
	C("consent_scope", TEXT, NULL, 0, "consentscope|consentscopec"),
	C("consent_version", TEXT, NULL, 0, "consentversion|consentversionc"),
	C("owner", TEXT, NULL, 0, "ownerid|owner|hubspotownerid|userid"),
};

static const struct crm_column_def opportunity_cols[] = {
	C("account_id", REF, "account", 0, "accountid|associatedcompanyid|companyid|orgid|organizationid"),
	C("name", TEXT, NULL, 1, "name|dealname|opportunityname|title"),
	C("stage", TEXT, NULL, 1, "stagename|stage|dealstage|stageid"),
	C("amount", DECIMAL, NULL, 0, "amount|value|dealamount|dealvalue"),
	C("currency", TEXT, NULL, 0, "currencyisocode|currency|dealcurrencycode"),
	C("close_date", DATE, NULL, 0, "closedate|expectedclosedate|closetime"),
	C("probability", DECIMAL, NULL, 0, "probability|hsdealstageprobability|dealprobability"),
	C("is_closed", BOOL, NULL, 0, "isclosed|hsisclosed"),
	C("is_won", BOOL, NULL, 0, "iswon|hsisclosedwon|won"),
	C("lead_source", TEXT, NULL, 0, "leadsource|source|origin"),
	C("owner", TEXT, NULL, 0, "ownerid|owner|hubspotownerid|dealowner|userid"),
};

static const struct crm_column_def opportunity_contact_cols[] = {
	C("opportunity_id", REF, "opportunity", 1, "opportunityid|dealid"),
	C("contact_id", REF, "contact", 1, "contactid|personid"),
	C("role", TEXT, NULL, 0, "role"),
	C("is_primary", BOOL, NULL, 0, "isprimary|primary"),
};

static const struct crm_column_def activity_cols[] = {
	C("kind", TEXT, NULL, 1, "type|tasksubtype|activitytype|engagementtype|kind"),
	C("subject", TEXT, NULL, 0, "subject|title|name"),
	C("body", TEXT, NULL, 0, "description|body|note|notes|publicdescription|content"),
	C("occurred_at", DATETIME, NULL, 0, "activitydatetime|activitydate|duedate|timestamp|starttime|duetime"),
	C("status", TEXT, NULL, 0, "status|done"),
	C("account_id", REF, "account", 0, "accountid|orgid|companyid"),
	C("contact_id", REF, "contact", 0, "contactid|personid|whoid"),
	C("lead_id", REF, "lead", 0, "leadid"),
	C("opportunity_id", REF, "opportunity", 0, "opportunityid|dealid|whatid"),
	C("owner", TEXT, NULL, 0, "ownerid|owner|hubspotownerid|userid"),
};

static const struct crm_column_def consent_event_cols[] = {
	C("contact_id", REF, "contact", 0, "contactid|whoid"),
	C("lead_id", REF, "lead", 0, "leadid"),
	C("channel", TEXT, NULL, 1, "channel"),
	C("status", TEXT, NULL, 1, "status|optinstatus"),
	C("source", TEXT, NULL, 0, "source"),
	C("occurred_at", DATETIME, NULL, 1, "occurredat|timestamp|capturedate|createddate"),
	C("scope", TEXT, NULL, 0, "scope"),
	C("version", TEXT, NULL, 0, "version"),
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

size_t crm_schema_name_key(const char *name, char *out, size_t cap)
{
	size_t n = 0;

	for (; *name && n + 1 < cap; name++) {
		unsigned char c = (unsigned char)*name;
		if (c >= 'A' && c <= 'Z')
			out[n++] = (char)(c + 32);
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

/* 1 when key is one of the '|'-separated words of list. */
static int in_list(const char *list, const char *key)
{
	size_t len = strlen(key);

	while (*list) {
		const char *bar = strchr(list, '|');
		size_t n = bar ? (size_t)(bar - list) : strlen(list);
		if (n == len && memcmp(list, key, n) == 0)
			return 1;
		list += n + (bar != NULL);
	}
	return 0;
}

const struct crm_column_def *crm_schema_match(const struct crm_table_def *table, const char *source_column)
{
	/* prefixes exports put before a property's own name (HubSpot, Fivetran, Pipedrive's "Person - Name") */
	static const char *const prefixes[] = {"property", "person",  "organization", "deal", "lead",
					       "contact",  "account", "company",      "hs"};
	static const char first_value[] = ".0.value";
	char key[256], name[256];
	size_t i, p, len = strlen(source_column);

	if (!table)
		return NULL;
	/* the first of a list of values in a JSON export (Pipedrive's phone and email) stands for the field */
	if (len > sizeof(first_value) - 1 && !strcmp(source_column + len - (sizeof(first_value) - 1), first_value)) {
		snprintf(name, sizeof(name), "%.*s", (int)(len - (sizeof(first_value) - 1)), source_column);
		source_column = name;
	}
	crm_schema_name_key(source_column, key, sizeof(key));
	for (i = 0; i < table->count; i++)
		if (in_list(table->columns[i].aliases, key))
			return &table->columns[i];
	for (p = 0; p < CRM_ARRAY_COUNT(prefixes); p++) {
		size_t n = strlen(prefixes[p]);
		if (strncmp(key, prefixes[p], n) != 0 || !key[n])
			continue;
		for (i = 0; i < table->count; i++)
			if (in_list(table->columns[i].aliases, key + n))
				return &table->columns[i];
	}
	return NULL;
}

int crm_schema_timestamp_match(const char *source_column)
{
	char key[256];

	crm_schema_name_key(source_column, key, sizeof(key));
	if (in_list("createddate|createdate|createdat|addtime|created|createtime|hscreatedate", key))
		return 1;
	if (in_list("lastmodifieddate|lastmodified|hslastmodifieddate|updatetime|updatedat|modifiedat|"
		    "systemmodstamp|lastmodifiedat|updated",
		    key))
		return 2;
	return 0;
}

const struct crm_table_def *crm_schema_guess_table(const char *object)
{
	static const struct {
		const char *table;
		const char *aliases;
	} guesses[] = {
		{"account", "account|accounts|sfaccount|company|companies|organization|organizations|org|orgs"},
		{"contact", "contact|contacts|sfcontact|person|persons|people"},
		{"lead", "lead|leads|sflead"},
		{"opportunity", "opportunity|opportunities|sfopportunity|deal|deals"},
		{"opportunity_contact", "opportunitycontactrole|opportunitycontactroles|sfopportunitycontactrole|"
					"dealcontact|dealcontacts"},
		{"activity", "task|tasks|sftask|event|events|sfevent|activity|activities|engagement|engagements"},
		{"consent_event", "consent|consents|consentevent|consentevents"},
	};
	char key[256];
	size_t i, n;

	n = crm_schema_name_key(object, key, sizeof(key));
	/* Fivetran's seeds and many dumps name files <object>_data */
	if (n > 4 && !strcmp(key + n - 4, "data"))
		key[n - 4] = '\0';
	for (i = 0; i < CRM_ARRAY_COUNT(guesses); i++)
		if (in_list(guesses[i].aliases, key))
			return crm_schema_table(guesses[i].table);
	return NULL;
}

void crm_schema_ident(const char *name, char *out, size_t cap)
{
	size_t n = 0;
	const char *p;

	for (p = name; *p && n + 2 < cap; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 'A' && c <= 'Z') {
			if (n && out[n - 1] != '_' && p > name &&
			    ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9')))
				out[n++] = '_';
			out[n++] = (char)(c + 32);
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[n++] = (char)c;
		} else if (n && out[n - 1] != '_') {
			out[n++] = '_';
		}
	}
	while (n && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	if (!n || (out[0] >= '0' && out[0] <= '9') || crm_schema_is_reserved(out)) {
		memmove(out + 4, out, n + 1 < cap - 4 ? n + 1 : cap - 4);
		memcpy(out, "src_", 4);
		out[cap - 1] = '\0';
	}
}

int crm_schema_name_in(const char *list, const char *name)
{
	char key[256];

	crm_schema_name_key(name, key, sizeof(key));
	return in_list(list, key);
}
