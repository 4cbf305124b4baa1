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
	struct crm_recon_field *fields;
	size_t field_count;
};

struct crm_recon_critical {
	char field[128]; /* table.column */
	int64_t source_rows, source_blank, target_rows, target_blank;
};

struct crm_recon_relation {
	const char *object, *field, *parent; /* borrowed */
	int64_t dangling;		     /* target rows pointing at no parent row */
};

struct crm_recon_stage {
	char stage[64];
	int64_t source_count, target_count;
	double source_amount, target_amount;
};

struct crm_recon_parent {
	char source_id[64];
	int64_t source_children, target_children;
};

struct crm_recon_trigger {
	char name[48]; /* failed_imports, lost_contact_links, critical_blank, record_mismatches, consent_mismatches */
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
	struct crm_recon_stage *stages;	  /* open pipeline by stage */
	size_t stage_count;
	int64_t won_source_count, won_target_count;
	double won_source_amount, won_target_amount;
	int64_t leads_source, leads_target, opportunities_source, opportunities_target;
	struct crm_recon_parent parents[5]; /* the accounts with most contacts in the source */
	size_t parent_count;
	struct crm_recon_trigger *triggers;
	size_t trigger_count;
	int go;
	double seconds;
};

/* Reconciles the objects in the comma-separated list objects (NULL: all of them). */
int crm_reconcile(struct crm_project *p, const char *objects, struct crm_reconcile_result *res, struct crm_error *err);
void crm_reconcile_result_release(struct crm_reconcile_result *res);

#endif
