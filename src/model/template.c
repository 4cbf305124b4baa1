/*
 * template.c: the standard objects of Salesforce, HubSpot and Pipedrive as
 * static data. Rules are the ones the field's documented form needs; what
 * depends on the account (the country of national phone numbers, the stage
 * names, the date format a HubSpot user chose) is left to a person and said
 * in the notes.
 */
#include "compat.h"
#include "model/template.h"
#include "util/limits.h"

#include <string.h>

/* Salesforce: Data Export and Data Loader, one Object.csv per object, API names. */
static const struct crm_template_object salesforce_objects[] = {
	{"Account", "Account.csv", "Id", "account", "LastModifiedDate", "IsDeleted", NULL, NULL},
	{"Contact", "Contact.csv", "Id", "contact", "LastModifiedDate", "IsDeleted", NULL, NULL},
	{"Lead", "Lead.csv", "Id", "lead", "LastModifiedDate", "IsDeleted", NULL, NULL},
	{"Opportunity", "Opportunity.csv", "Id", "opportunity", "LastModifiedDate", "IsDeleted", NULL,
	 "StageName is copied as it is: map it to your stages with map(maps/stage.csv)"},
	{"OpportunityContactRole", "OpportunityContactRole.csv", "Id", "opportunity_contact", "LastModifiedDate",
	 "IsDeleted", NULL, "the junction between opportunities and contacts"},
	{"Task", "Task.csv", "Id", "activity", "LastModifiedDate", "IsDeleted", NULL,
	 "WhoId names a contact or a lead and WhatId an account or an opportunity: each fills the\n"
	 "; column of the object its id's key prefix names (003 contact_id, 00Q lead_id, 001\n"
	 "; account_id, 006 opportunity_id); an id of another object is reported as an orphan.\n"
	 "; AccountId is left out: Salesforce derives it from WhatId and WhoId.\n"
	 "; ActivityDate is a date without a time, so it is kept as due_date, not occurred_at"},
	{"Event", "Event.csv", "Id", "activity", "LastModifiedDate", "IsDeleted", NULL, NULL},
};

static const struct crm_template_row salesforce_rows[] = {
	{"Account", "Name", "text", "name", "trim -> collapse_ws", "", "required"},
	{"Account", "ParentId", "id", "parent_account_id", "trim -> ref(Account)", "", ""},
	{"Account", "Type", "text", "type", "trim", "", ""},
	{"Account", "Industry", "text", "industry", "trim", "", ""},
	{"Account", "Website", "text", "website", "trim -> lower", "", ""},
	{"Account", "Phone", "text", "phone", "trim", "", ""},
	{"Account", "BillingStreet", "text", "billing_street", "trim", "", ""},
	{"Account", "BillingCity", "text", "billing_city", "trim", "", ""},
	{"Account", "BillingState", "text", "billing_state", "trim", "", ""},
	{"Account", "BillingPostalCode", "text", "billing_postal_code", "trim", "", ""},
	{"Account", "BillingCountry", "text", "billing_country", "trim", "", ""},
	{"Account", "AnnualRevenue", "decimal", "annual_revenue", "decimal", "", "range(0,)"},
	{"Account", "NumberOfEmployees", "int", "employees", "int", "", "range(0,)"},
	{"Account", "OwnerId", "text", "owner", "trim", "", ""},
	{"Account", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"Account", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},

	{"Contact", "AccountId", "id", "account_id", "trim -> ref(Account)", "", ""},
	{"Contact", "FirstName", "text", "first_name", "trim -> collapse_ws", "PII", ""},
	{"Contact", "LastName", "text", "last_name", "trim -> collapse_ws", "PII", "required"},
	{"Contact", "Email", "email", "email", "trim -> email", "PII", ""},
	{"Contact", "Phone", "phone", "phone", "trim", "PII", ""},
	{"Contact", "MobilePhone", "phone", "mobile_phone", "trim", "PII", ""},
	{"Contact", "Title", "text", "title", "trim", "", ""},
	{"Contact", "Birthdate", "date", "birth_date", "date", "PII", "not_future_date"},
	{"Contact", "MailingStreet", "text", "mailing_street", "trim", "PII", ""},
	{"Contact", "MailingCity", "text", "mailing_city", "trim", "PII", ""},
	{"Contact", "MailingState", "text", "mailing_state", "trim", "", ""},
	{"Contact", "MailingPostalCode", "text", "mailing_postal_code", "trim", "PII", ""},
	{"Contact", "MailingCountry", "text", "mailing_country", "trim", "", ""},
	{"Contact", "HasOptedOutOfEmail", "bool", "email_opt_out", "bool", "", ""},
	{"Contact", "DoNotCall", "bool", "do_not_call", "bool", "", ""},
	{"Contact", "OwnerId", "text", "owner", "trim", "", ""},
	{"Contact", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"Contact", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},

	{"Lead", "FirstName", "text", "first_name", "trim -> collapse_ws", "PII", ""},
	{"Lead", "LastName", "text", "last_name", "trim -> collapse_ws", "PII", "required"},
	{"Lead", "Email", "email", "email", "trim -> email", "PII", ""},
	{"Lead", "Phone", "phone", "phone", "trim", "PII", ""},
	{"Lead", "Company", "text", "company", "trim -> collapse_ws", "", "required"},
	{"Lead", "Status", "text", "status", "trim", "", ""},
	{"Lead", "LeadSource", "text", "lead_source", "trim", "", ""},
	{"Lead", "ConvertedContactId", "id", "converted_contact_id", "trim -> ref(Contact)", "", ""},
	{"Lead", "ConvertedOpportunityId", "id", "converted_opportunity_id", "trim -> ref(Opportunity)", "", ""},
	{"Lead", "HasOptedOutOfEmail", "bool", "email_opt_out", "bool", "", ""},
	{"Lead", "OwnerId", "text", "owner", "trim", "", ""},
	{"Lead", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"Lead", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},

	{"Opportunity", "AccountId", "id", "account_id", "trim -> ref(Account)", "", ""},
	{"Opportunity", "Name", "text", "name", "trim -> collapse_ws", "", "required"},
	{"Opportunity", "StageName", "text", "stage", "trim", "", "required"},
	{"Opportunity", "Amount", "decimal", "amount", "decimal", "", ""},
	{"Opportunity", "CloseDate", "date", "close_date", "date", "", ""},
	{"Opportunity", "Probability", "decimal", "probability", "decimal", "", "range(0,100)"},
	{"Opportunity", "IsClosed", "bool", "is_closed", "bool", "", ""},
	{"Opportunity", "IsWon", "bool", "is_won", "bool", "", ""},
	{"Opportunity", "LeadSource", "text", "lead_source", "trim", "", ""},
	{"Opportunity", "OwnerId", "text", "owner", "trim", "", ""},
	{"Opportunity", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"Opportunity", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},

	{"OpportunityContactRole", "OpportunityId", "id", "opportunity_id", "trim -> ref(Opportunity)", "", "required"},
	{"OpportunityContactRole", "ContactId", "id", "contact_id", "trim -> ref(Contact)", "", "required"},
	{"OpportunityContactRole", "Role", "text", "role", "trim", "", ""},
	{"OpportunityContactRole", "IsPrimary", "bool", "is_primary", "bool", "", ""},
	{"OpportunityContactRole", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"OpportunityContactRole", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},

	{"Task", "Type", "text", "kind", "trim -> default(task) -> lower", "", "required"},
	{"Task", "Subject", "text", "subject", "trim", "", ""},
	{"Task", "Description", "text", "body", "", "", ""},
	{"Task", "ActivityDate", "date", "due_date", "date", "", ""},
	{"Task", "Status", "text", "status", "trim", "", ""},
	{"Task", "WhoId", "id", "contact_id|lead_id", "trim -> ref(Contact|Lead)", "", ""},
	{"Task", "WhatId", "id", "account_id|opportunity_id", "trim -> ref(Account|Opportunity)", "", ""},
	{"Task", "OwnerId", "text", "owner", "trim", "", ""},
	{"Task", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"Task", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},

	{"Event", "Type", "text", "kind", "trim -> default(meeting) -> lower", "", "required"},
	{"Event", "Subject", "text", "subject", "trim", "", ""},
	{"Event", "Description", "text", "body", "", "", ""},
	{"Event", "ActivityDateTime", "datetime", "occurred_at", "datetime", "", ""},
	{"Event", "WhoId", "id", "contact_id|lead_id", "trim -> ref(Contact|Lead)", "", ""},
	{"Event", "WhatId", "id", "account_id|opportunity_id", "trim -> ref(Account|Opportunity)", "", ""},
	{"Event", "OwnerId", "text", "owner", "trim", "", ""},
	{"Event", "CreatedDate", "datetime", "created_at", "datetime", "", ""},
	{"Event", "LastModifiedDate", "datetime", "updated_at", "datetime", "", ""},
};

/*
 * HubSpot: a CRM export of each object in English, one file per object,
 * with column labels. Association columns list every associated record's id,
 * joined by ';' when there are several.
 */
static const struct crm_template_object hubspot_objects[] = {
	{"companies", "companies.csv", "Record ID", "account", "Last Modified Date", NULL, NULL, NULL},
	{"contacts", "contacts.csv", "Record ID", "contact", "Last Modified Date", NULL, NULL,
	 "a contact with several companies has their ids joined by ';' in Associated Company IDs:\n"
	 "; its link is then reported as an orphan, never guessed; name its primary company by hand"},
	{"deals", "deals.csv", "Record ID", "opportunity", "Last Modified Date", NULL, NULL,
	 "Deal Stage is copied as it is: map it to your stages with map(maps/stage.csv)"},
	{"deal_contacts", "deals.csv", "Record ID + Associated Contact IDs", "opportunity_contact",
	 "Last Modified Date", NULL, "Associated Contact IDs",
	 "each contact a deal lists in Associated Contact IDs, as one deal-contact link"},
};

static const struct crm_template_row hubspot_rows[] = {
	{"companies", "Company name", "text", "name", "trim -> collapse_ws", "", "required"},
	{"companies", "Company Domain Name", "text", "website", "trim -> lower", "", ""},
	{"companies", "Industry", "text", "industry", "trim", "", ""},
	{"companies", "Type", "text", "type", "trim", "", ""},
	{"companies", "Phone Number", "text", "phone", "trim", "", ""},
	{"companies", "Street Address", "text", "billing_street", "trim", "", ""},
	{"companies", "City", "text", "billing_city", "trim", "", ""},
	{"companies", "State/Region", "text", "billing_state", "trim", "", ""},
	{"companies", "Postal Code", "text", "billing_postal_code", "trim", "", ""},
	{"companies", "Country/Region", "text", "billing_country", "trim", "", ""},
	{"companies", "Annual Revenue", "decimal", "annual_revenue", "decimal", "", "range(0,)"},
	{"companies", "Number of Employees", "int", "employees", "int", "", "range(0,)"},
	{"companies", "Company owner", "text", "owner", "trim", "", ""},
	{"companies", "Create Date", "datetime", "created_at", "datetime", "", ""},
	{"companies", "Last Modified Date", "datetime", "updated_at", "datetime", "", ""},

	{"contacts", "Associated Company IDs", "id", "account_id", "trim -> ref(companies)", "", ""},
	{"contacts", "First Name", "text", "first_name", "trim -> collapse_ws", "PII", ""},
	{"contacts", "Last Name", "text", "last_name", "trim -> collapse_ws", "PII", "required"},
	{"contacts", "Email", "email", "email", "trim -> email", "PII", ""},
	{"contacts", "Phone Number", "phone", "phone", "trim", "PII", ""},
	{"contacts", "Mobile Phone Number", "phone", "mobile_phone", "trim", "PII", ""},
	{"contacts", "Job Title", "text", "title", "trim", "", ""},
	{"contacts", "Street Address", "text", "mailing_street", "trim", "PII", ""},
	{"contacts", "City", "text", "mailing_city", "trim", "PII", ""},
	{"contacts", "State/Region", "text", "mailing_state", "trim", "", ""},
	{"contacts", "Postal Code", "text", "mailing_postal_code", "trim", "PII", ""},
	{"contacts", "Country/Region", "text", "mailing_country", "trim", "", ""},
	{"contacts", "Lifecycle Stage", "text", "lifecycle_stage", "trim", "", ""},
	{"contacts", "Contact owner", "text", "owner", "trim", "", ""},
	{"contacts", "Create Date", "datetime", "created_at", "datetime", "", ""},
	{"contacts", "Last Modified Date", "datetime", "updated_at", "datetime", "", ""},

	{"deals", "Associated Company IDs", "id", "account_id", "trim -> ref(companies)", "", ""},
	{"deals", "Deal Name", "text", "name", "trim -> collapse_ws", "", "required"},
	{"deals", "Deal Stage", "text", "stage", "trim", "", "required"},
	{"deals", "Pipeline", "text", "pipeline", "trim", "", ""},
	{"deals", "Amount", "decimal", "amount", "decimal", "", ""},
	{"deals", "Close Date", "date", "close_date", "date", "", ""},
	{"deals", "Deal owner", "text", "owner", "trim", "", ""},
	{"deals", "Create Date", "datetime", "created_at", "datetime", "", ""},
	{"deals", "Last Modified Date", "datetime", "updated_at", "datetime", "", ""},

	{"deal_contacts", "Record ID", "id", "opportunity_id", "trim -> ref(deals)", "", "required"},
	{"deal_contacts", "Associated Contact IDs", "id", "contact_id", "trim -> ref(contacts)", "", "required"},
};

/* Pipedrive: API records, one file per stream (as Airbyte writes them). */
static const struct crm_template_object pipedrive_objects[] = {
	{"organizations", "organizations.jsonl", "id", "account", "update_time", NULL, NULL,
	 "address is the whole address on one line, kept as it is; its parts fill billing_*"},
	{"persons", "persons.jsonl", "id", "contact", "update_time", NULL, NULL,
	 "a person without a last name (only 'name') is rejected: last_name is required"},
	{"deals", "deals.jsonl", "id", "opportunity", "update_time", "deleted", NULL,
	 "stage_id is Pipedrive's stage number: map it to your stages with map(maps/stage.csv)"},
	{"activities", "activities.jsonl", "id", "activity", "update_time", NULL, NULL,
	 "due_date is a date and due_time a time of day (or empty): they are kept apart, not\n"
	 "; joined into occurred_at with an invented midnight"},
};

static const struct crm_template_row pipedrive_rows[] = {
	{"organizations", "name", "text", "name", "trim -> collapse_ws", "", "required"},
	{"organizations", "address", "text", "address", "trim", "", ""},
	{"organizations", "address_locality", "text", "billing_city", "trim", "", ""},
	{"organizations", "address_admin_area_level_1", "text", "billing_state", "trim", "", ""},
	{"organizations", "address_postal_code", "text", "billing_postal_code", "trim", "", ""},
	{"organizations", "address_country", "text", "billing_country", "trim", "", ""},
	{"organizations", "owner_name", "text", "owner", "trim", "", ""},
	{"organizations", "add_time", "datetime", "created_at", "datetime", "", ""},
	{"organizations", "update_time", "datetime", "updated_at", "datetime", "", ""},

	{"persons", "org_id", "id", "account_id", "trim -> ref(organizations)", "", ""},
	{"persons", "first_name", "text", "first_name", "trim -> collapse_ws", "PII", ""},
	{"persons", "last_name", "text", "last_name", "trim -> collapse_ws", "PII", "required"},
	{"persons", "email.0.value", "email", "email", "trim -> email", "PII", ""},
	{"persons", "phone.0.value", "phone", "phone", "trim", "PII", ""},
	{"persons", "owner_name", "text", "owner", "trim", "", ""},
	{"persons", "add_time", "datetime", "created_at", "datetime", "", ""},
	{"persons", "update_time", "datetime", "updated_at", "datetime", "", ""},

	{"deals", "org_id", "id", "account_id", "trim -> ref(organizations)", "", ""},
	{"deals", "person_id", "id", "contact_id", "trim -> ref(persons)", "", ""},
	{"deals", "title", "text", "name", "trim -> collapse_ws", "", "required"},
	{"deals", "stage_id", "text", "stage", "trim", "", "required"},
	{"deals", "value", "decimal", "amount", "decimal", "", ""},
	{"deals", "currency", "text", "currency", "trim -> upper", "", ""},
	{"deals", "expected_close_date", "date", "close_date", "date", "", ""},
	{"deals", "probability", "decimal", "probability", "decimal", "", "range(0,100)"},
	{"deals", "status", "bool", "is_closed", "map(open=false, won=true, lost=true) -> bool", "", ""},
	{"deals", "status", "bool", "is_won", "map(open=false, won=true, lost=false) -> bool", "", ""},
	{"deals", "owner_name", "text", "owner", "trim", "", ""},
	{"deals", "add_time", "datetime", "created_at", "datetime", "", ""},
	{"deals", "update_time", "datetime", "updated_at", "datetime", "", ""},

	{"activities", "type", "text", "kind", "trim -> lower", "", "required"},
	{"activities", "subject", "text", "subject", "trim", "", ""},
	{"activities", "note", "text", "body", "", "", ""},
	{"activities", "due_date", "date", "due_date", "date", "", ""},
	{"activities", "due_time", "text", "due_time", "trim", "", ""},
	{"activities", "done", "text", "status", "map(true=done, false=open)", "", ""},
	{"activities", "org_id", "id", "account_id", "trim -> ref(organizations)", "", ""},
	{"activities", "person_id", "id", "contact_id", "trim -> ref(persons)", "", ""},
	{"activities", "deal_id", "id", "opportunity_id", "trim -> ref(deals)", "", ""},
	{"activities", "owner_name", "text", "owner", "trim", "", ""},
	{"activities", "add_time", "datetime", "created_at", "datetime", "", ""},
	{"activities", "update_time", "datetime", "updated_at", "datetime", "", ""},
};

#define TEMPLATE(crm, format, note, objects, rows)                                                                     \
	{                                                                                                              \
		crm, format, note, objects, CRM_ARRAY_COUNT(objects), rows, CRM_ARRAY_COUNT(rows)                      \
	}

static const struct crm_template templates[] = {
	TEMPLATE("salesforce", "salesforce",
		 "Salesforce's Data Export or Data Loader CSVs: one file per object, named by its API\n"
		 "; name, with API field names. Phones are copied as they are: once you know the country\n"
		 "; of national numbers, phone(E164, US) writes them in E.164",
		 salesforce_objects, salesforce_rows),
	TEMPLATE("hubspot", "csv",
		 "HubSpot CRM exports in English, one file per object, with column labels. Exports in\n"
		 "; another language have other labels, and date formats follow the account's settings:\n"
		 "; 'crmshift plan' names every column to rename, 'crmshift profile' shows the formats",
		 hubspot_objects, hubspot_rows),
	TEMPLATE("pipedrive", "pipedrive",
		 "Pipedrive's API records, one JSON object per line and one file per stream; Airbyte's\n"
		 "; {\"stream\": ..., \"data\": ...} lines too, and one file of every stream when each\n"
		 "; object's file names it. Times without a zone are read as UTC, as the API writes them",
		 pipedrive_objects, pipedrive_rows),
};

const struct crm_template *crm_template_find(const char *crm)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(templates); i++)
		if (!strcmp(templates[i].crm, crm))
			return &templates[i];
	return NULL;
}
