/*
 * reconcile.h: proving what the target holds against what the source held
 * (DESIGN.md, "Reconciliation and rollback triggers"). The expected target
 * is re-derived from the exports with the same compiled programs and the
 * same cross-reference as migrate, so the two cannot drift; it is compared
 * with the target record by record (128-bit keys and 64-bit content hashes
 * in memory, never both sides as rows), then field by field for the records
 * whose hashes differ. The written rollback triggers of [policy] are
 * measured and give the verdict: GO, or NO-GO with every trigger that fired.
 */
#ifndef CRM_RECONCILE_H
#define CRM_RECONCILE_H

#include "compat.h"
#include "engine/project.h"
#include "util/sha256.h"

#define CRM_RECON_EXAMPLES 3

struct crm_recon_example {
	char source_id[64];
	char expected[96]; /* masked when the field is PII */
	char actual[96];
};

struct crm_recon_field {
	const char *column; /* borrowed from the project */
	int pii;
	int consent;
	int64_t mismatches;
	int64_t blanked; /* values of expected records its rule refused and on_invalid = blank left empty */
	struct crm_recon_example examples[CRM_RECON_EXAMPLES];
	size_t example_count;	  /*
	 * The privacy check, for a field whose rule pseudonymizes, masks or
	 * redacts: target values not in that form may be source values.
	 */
	const char *protection;	  /* pseudonymize, mask, redact; NULL for other fields */
	int64_t protected_values; /* target values checked */
	int64_t exposed;
	char exposed_example[64]; /* the source id of the first */
};

struct crm_recon_object {
	const char *object; /* borrowed */
	const char *table;
	int64_t source_rows; /* records in the export */
	int64_t rejected;    /* records migrate would not load (bad, failed a rule, required orphan, duplicate) */
	int64_t expected;    /* records the target should hold */
	int64_t in_target;   /* expected records found in the target */
	int64_t missing;     /* expected records not in the target */
	int64_t unexpected;  /* target rows of this source system the export does not explain */
	int64_t mismatched;  /* found, but different beyond tolerance in a field no other trigger measures
			       * (consent fields and blanked critical fields are counted by their own triggers) */
	int64_t accepted;    /* differences on the exception list */
	int64_t consent_mismatches;
	int64_t optouts_lost; /* an opt-out in the source that is not one in the target */
	int64_t blanked;      /* values on_invalid = blank leaves empty, in records the target should hold */
	/*
	 * [dedupe]: records merged into their person's survivor, whose source
	 * id names the survivor's row (not expected as rows of their own); one
	 * whose id names no row or another is counted missing instead.
	 */
	int64_t merged;
	/*
	 * What the expected side was read from, when it is more than the
	 * export: "exports/Contact.csv (run 1) + delta/Contact.csv (run 2)",
	 * the source as of the last change a sync applied. NULL otherwise.
	 */
	char *compared_with;
	/*
	 * The SHA-256 of the object's export as configured, taken while the
	 * comparison runs, for the audit log; "" when it could not be read.
	 */
	char export_sha256[CRM_SHA256_HEX];
	struct crm_recon_field *fields;
	size_t field_count;
};

struct crm_recon_critical {
	char field[128]; /* table.column */
	int64_t source_rows, source_blank, target_rows, target_blank;
};

/* Why a link filled in the source is empty in the target. */
enum crm_link_cause {
	CRM_LINK_ABSENT,       /* the parent is not in its export */
	CRM_LINK_RENAMED,      /* no such parent, but one whose key is equal after folding case, spaces, punctuation */
	CRM_LINK_REJECTED,     /* the parent is in its export and was rejected */
	CRM_LINK_DELETED,      /* the parent is flagged deleted in the source */
	CRM_LINK_LIST,	       /* the value lists several ids (a;b): a link holds one */
	CRM_LINK_UNRECONCILED, /* the parent is not loaded and its object is not reconciled in this run */
	CRM_LINK_EMPTY_IN_TARGET, /* the parent is loaded, the target row holds no link all the same */
	CRM_LINK_AMBIGUOUS,	  /* ref(Object.field): several parent records have the value */
	CRM_LINK_NOT_LOADED,	  /* ref(Object.field): one parent record has it and was not loaded */
	CRM_LINK_CAUSES
};

/* The name of a cause in JSON ("not_in_export", ...), and in words for people ("parent not in the export"). */
const char *crm_link_cause_name(enum crm_link_cause cause);
const char *crm_link_cause_text(enum crm_link_cause cause);

#define CRM_RECON_MISSING_TOP 5

/* One parent key that links named and no parent row holds. */
struct crm_recon_missing {
	char key[96]; /* masked when the reference field is personal */
	int64_t records;
	enum crm_link_cause cause;
	char nearest[96]; /* the nearest existing parent key (masked likewise), "" when none is near */
};

struct crm_recon_relation {
	const char *object, *field, *parent; /* borrowed */
	int64_t dangling;		     /* target rows pointing at no parent row */
	/*
	 * Lost links: records the target holds as expected (and records
	 * rejected for this required reference) whose reference is filled in
	 * the export, and of those, how many hold the link in the target.
	 * Records missing from the target are failed imports, not counted here.
	 */
	int64_t source_links, target_links;
	int64_t lost; /* sum of by_cause */
	int64_t by_cause[CRM_LINK_CAUSES];
	struct crm_recon_missing missing[CRM_RECON_MISSING_TOP]; /* the most frequent missing keys */
	size_t missing_count;
	double threshold; /* the lost_links trigger of this reference, percent */
};

struct crm_recon_stage {
	char *stage; /* whole: two stages alike in their first bytes stay two */
	int64_t source_count, target_count;
	double source_amount, target_amount;
};

/*
 * Records per owner of an owner() field: the export's records whose owner
 * it is (the owner() maps each to its target owner; "" for a record whose
 * owner was refused), of those the ones the target should hold, and the
 * target's rows with that owner. expected differs from target when records
 * went missing or changed owner; source from expected when records were
 * not loaded. A malformed record names no owner and is not counted.
 */
struct crm_recon_owner {
	const char *object, *field; /* borrowed */
	char *owner;		    /* owned */
	int64_t source, expected, target;
};

struct crm_recon_parent {
	char source_id[64];
	int64_t source_children, target_children;
};

struct crm_recon_trigger {
	char name
		[48]; /* failed_imports, lost_links, lost_contact_links, critical_blank, record_mismatches, consent_mismatches, privacy */
	char subject[128]; /* the object or field it was measured on */
	double value;	   /* percent, or a count for consent */
	double threshold;
	int percent;
	int fired;
};

struct crm_reconcile_result {
	struct crm_recon_object *objects; /* load order */
	size_t count;
	struct crm_recon_critical *criticals;
	size_t critical_count;
	struct crm_recon_relation *relations;
	size_t relation_count;
	int has_junction;		  /* an object loads opportunity_contact */
	int64_t opportunities_with_roles; /* in the source, and loaded */
	int64_t opportunities_lost_roles; /* of those, with no contact role in the target */
	int64_t duplicate_roles;	  /* roles the target holds twice: the same opportunity and contact */
	struct crm_recon_stage *stages;	  /* open pipeline by stage */
	size_t stage_count;
	int closed_mapped, won_mapped; /* is_closed and is_won are mapped: the pipeline and closed won can be told */
	int64_t won_source_count, won_target_count;
	double won_source_amount, won_target_amount;
	/* every source record (rejected ones too, not those flagged deleted) | rows in the target */
	int64_t leads_source, leads_target, opportunities_source, opportunities_target;
	struct crm_recon_owner *owners; /* per object in load order, by field and owner */
	size_t owner_count, owner_cap;
	struct crm_recon_parent parents[5]; /* the accounts with most contacts in the source */
	size_t parent_count;
	struct crm_recon_trigger *triggers;
	size_t trigger_count;
	int go;
	int64_t events_run; /* the newest change-stream run (sync --events) that stopped part-way, not replayed; 0 when none */
	double seconds;
};

/* Reconciles the objects in the comma-separated list objects (NULL: all of them). */
int crm_reconcile(struct crm_project *p, const char *objects, struct crm_reconcile_result *res, struct crm_error *err);
void crm_reconcile_result_release(struct crm_reconcile_result *res);

#endif
