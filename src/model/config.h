/*
 * config.h: crmshift.ini, the project's configuration (DESIGN.md). INI in
 * the style of git config: `;` and `#` start comments, object sections are
 * written [object "Name"]. Unknown sections and keys are errors, reported
 * with file and line, because a misspelt key silently ignored is a migration
 * that does something else than its owner wrote.
 *
 * Paths in the config are relative to the project folder; crm_config_path()
 * resolves them.
 */
#ifndef CRM_CONFIG_H
#define CRM_CONFIG_H

#include "compat.h"
#include "io/reader.h"
#include "util/error.h"

struct crm_object_config {
	char *name;	    /* the source object, as in mapping.csv */
	char *file;	    /* export file, relative to [source] path */
	char *id;	    /* primary key column */
	char *target;	    /* canonical or custom table */
	char *modified;	    /* optional: last-modified column (delta sync) */
	char *deleted;	    /* optional: soft-delete flag column */
	int delete_missing; /* a record absent from a full export (sync --full) was deleted */
	char *encoding;	    /* optional: overrides [source] encoding */
	char *residency;    /* optional: loaded only into a target in this [security] region */
	char *format;	    /* the file's format: its own, else [source] format (see crm_config_reader_kind) */
	char *stream;	    /* JSON lines: the Airbyte stream of this object (pipedrive: the object's name) */
	char *each;	    /* optional: a column listing values (a;b): one record per value (reader.h) */
	char *table;	    /* SQLite: the table of the database (default: the object's name) */
	char delimiter;
	int pad_short_rows; /* short_rows = pad: a CSV row's missing trailing fields read as empty */
	int blank_invalid;  /* on_invalid = blank: a failing optional field is left empty, the record kept */
	unsigned long line; /* where the section starts */
};

/* [policy] lost_links.Object.field: one reference's own lost-links threshold. */
struct crm_link_threshold {
	char *reference; /* "Object.target_field", as written */
	double percent;
	unsigned long line; /* where crmshift.ini says so */
};

/* [policy]: the written rollback triggers (thresholds in percent, consent as a count). */
struct crm_policy {
	double failed_imports;	   /* records of an object that failed to import */
	double lost_contact_links; /* opportunities that lost their contact roles */
	double lost_links;	   /* per ref() column: links filled in the source, empty in the target */
	struct crm_link_threshold *link_thresholds; /* lost_links.Object.field: per reference, overriding lost_links */
	size_t link_threshold_count;
	double critical_blank;	   /* a critical field blank beyond the source's own blanks */
	double record_mismatches;  /* records that differ after the load */
	double consent_mismatches; /* consent values that differ: 0 means any fires */
	int conflicts_source_wins; /* sync: a record edited on both sides takes the source's values */
	double decision_window;	   /* seconds a rollback may take once called: what `crmshift drill` checks */
	double hand_reconciliation; /* rows changed since cutover that people reconcile by hand; past it, a project (-1: not set) */
	char **critical_fields; /* "table.column" */
	size_t critical_count;
};

/* [dedupe] survivor: whose fields the one target row of a person takes. */
enum crm_survivor {
	CRM_SURVIVOR_FIRST,	    /* the first record of the export */
	CRM_SURVIVOR_MOST_RECENT,   /* the newest by [object] modified (ties: the first) */
	CRM_SURVIVOR_MOST_COMPLETE, /* the one with most fields filled (ties: the first) */
};

/* One rule of [dedupe] match: target fields that must all be filled and equal. */
struct crm_match_rule {
	char **fields;
	size_t count;
	char *text; /* as written, "first_name+last_name" */
};

/* [dedupe "Object"]: which records of an object are one person, and whose fields the target keeps. */
struct crm_dedupe_config {
	char *object;
	struct crm_match_rule *rules; /* match = a; b+c: records matching by any rule, transitively, are one */
	size_t rule_count;
	enum crm_survivor survivor;
	int fill;	    /* fill = yes: the survivor's blank fields from the others */
	unsigned long line; /* where the section starts */
};

enum crm_tolerance_kind { CRM_TOL_NUMBER, CRM_TOL_CASE };

/* [reconcile] tolerance: a field compared within a margin or without case. */
struct crm_tolerance {
	char *table;
	char *column;
	enum crm_tolerance_kind kind;
	double delta;
};

/* [gates]: a legal checkpoint recorded as done, "REFERENCE, YYYY-MM-DD" (NULL when not recorded). */
enum crm_gate { CRM_GATE_DPA, CRM_GATE_DPIA, CRM_GATE_ROPA, CRM_GATE_COUNT };

struct crm_gates {
	int required; /* migrate and sync refuse while a gate is missing */
	char *reference[CRM_GATE_COUNT];
	char date[CRM_GATE_COUNT][11];
};

/* [people]: who may call a rollback, "Name <contact>" as written (NULL when not named: a gap, never invented). */
enum crm_person { CRM_PERSON_PRIMARY, CRM_PERSON_BACKUP, CRM_PERSON_TECHNICAL, CRM_PERSON_DATA, CRM_PERSON_COUNT };
/* The key of a person in [people]: rollback_primary, rollback_backup, technical_triggers, data_triggers. */
const char *crm_person_key(enum crm_person person);

/* The key of a gate in [gates]: dpa, dpia, records_of_processing. */
const char *crm_gate_key(enum crm_gate gate);

struct crm_config {
	char *dir;  /* the project folder */
	char *path; /* dir/crmshift.ini */
	char *name;
	char *source_system;
	char *source_format;
	char *source_path;
	char *source_plan; /* sfdx: the plan file that names each sObject's file, relative to source_path */
	char *source_encoding;
	char *source_timezone; /* for date-times written without a zone */
	char *target_url;
	unsigned batch_size;
	struct crm_object_config *objects;
	size_t object_count;
	struct crm_policy policy;
	struct crm_tolerance *tolerances;
	size_t tolerance_count;
	struct crm_dedupe_config *dedupes;
	size_t dedupe_count;
	char *exceptions; /* [reconcile] exceptions: a CSV of object,source_id,reason */
	struct crm_gates gates;
	char *people[CRM_PERSON_COUNT];
	char *region;		     /* [security] region: where the target is */
	char *signing_key;	     /* [security] signing_key: the Ed25519 key file that signs evidence packs */
	char *pseudonymize_key;	     /* [security] pseudonymize_key: the data key file of pseudonymize */
	char *key_file;		     /* [security] key_file: the data key file that encrypts files at rest */
	unsigned long key_file_line; /* where crmshift.ini says so (keys rotate rewrites that line) */
};

/* Reads dir/crmshift.ini into cfg (which it initialises). On error cfg is released. */
int crm_config_load(struct crm_config *cfg, const char *dir, struct crm_error *err);
void crm_config_release(struct crm_config *cfg);

/* The lost_links threshold of the reference object.field: its own, else [policy] lost_links. */
double crm_policy_lost_links(const struct crm_policy *pol, const char *object, const char *field);

/* The [dedupe] section of object name, or NULL. Borrowed from cfg. */
const struct crm_dedupe_config *crm_config_dedupe(const struct crm_config *cfg, const char *name);
/* The name of a survivor choice as crmshift.ini writes it ("most_recent"). */
const char *crm_survivor_name(enum crm_survivor survivor);

/* The object section named name, or NULL. Borrowed from cfg. */
const struct crm_object_config *crm_config_object(const struct crm_config *cfg, const char *name);

/* dir-relative path: a new string (crm_free) joining the project folder and rel; NULL on OOM. */
char *crm_config_path(const struct crm_config *cfg, const char *rel);
/* The encoding of an object's export: its own, else [source] encoding, else utf-8; obj may be NULL. Borrowed from cfg. */
const char *crm_config_encoding(const struct crm_config *cfg, const struct crm_object_config *obj);
/*
 * The formats of [source] format and [object] format: csv and salesforce
 * (Data Loader / Data Export CSV) are read as CSV, sfdx as data tree JSON,
 * jsonl and pipedrive (API records, as Airbyte writes them) as JSON lines.
 */
#define CRM_CONFIG_FORMATS "csv, salesforce, sfdx, jsonl, pipedrive, sqlite"
/* The reader an object's file needs. */
enum crm_reader_kind crm_config_reader_kind(const struct crm_object_config *obj);
/* A duration as "4h", "90m", "30s", "1d" or "1h30m" (no unit: seconds) into *seconds; 0, or -1 when it is none. */
int crm_config_duration(const char *text, double *seconds);
/* 1 when the object's file is an sfdx data tree, where a lookup is written "@referenceId". */
int crm_config_is_sfdx(const struct crm_object_config *obj);

/* The export file of an object: a new string (crm_free); NULL on OOM. */
char *crm_config_export_path(const struct crm_config *cfg, const struct crm_object_config *obj);

#endif
