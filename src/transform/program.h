/*
 * program.h: a source object's mapping compiled once into a program that
 * turns each export record into target values (docs/internals/rules.md).
 * Compiling checks everything that can be checked without data: rule
 * syntax, function names and arguments, source columns against the export's
 * header, target columns against the canonical model, date formats, time
 * zones, regular expressions, value-map files. Running does no parsing.
 *
 * A field's steps run in order on the source value; then its type's
 * conversion (when the rule does not end with it); then its checks. A value
 * that does not fit is a failure with a reason, never a guess. Reference
 * fields (ref(Object)) produce the parent's source id: the engine resolves
 * it to a target id through the cross-reference.
 */
#ifndef CRM_PROGRAM_H
#define CRM_PROGRAM_H

#include "compat.h"
#include "io/reader.h"
#include "model/config.h"
#include "model/mapping.h"
#include "model/schema.h"
#include "transform/rule.h"
#include "util/arena.h"
#include "util/error.h"

struct crm_step;
struct crm_check;

/* What a field's rule does to personal data: the target then holds tokens, masks or nothing. */
enum crm_protect {
	CRM_PROTECT_NONE,
	CRM_PROTECT_PSEUDONYMIZE, /* pseudonymize: "pseu_" and 32 hex digits */
	CRM_PROTECT_MASK,	  /* mask(n): '*' for all but the last n characters */
	CRM_PROTECT_REDACT,	  /* redact: no value */
};

#define CRM_PSEUDONYM_PREFIX "pseu_"
#define CRM_PSEUDONYM_LEN    37

/* What a value that fails its rule does: reject the record, or leave the field empty (on_invalid). */
enum crm_on_invalid { CRM_ON_INVALID_DEFAULT, CRM_ON_INVALID_REJECT, CRM_ON_INVALID_BLANK };

struct crm_field_program {
	const struct crm_mapping_row *row; /* borrowed from the mapping */
	const char *target_field;	   /* borrowed from row */
	const char *source_name;	   /* what rejects call the field */
	long source_col;		   /* -1 when the rule makes the value (concat, default) */
	enum crm_type type;
	int pii;
	int required;
	int owner;		/* the rule has owner(): records are counted per owner */
	const char *ref_object; /* REF fields: the parent's source object (borrowed from the config) */
	const char *ref_table;	/* and its target table */
	char *ref_key;		/* ref(Object.field): the parent's column that names it; NULL for its id */
	struct crm_step *steps;
	size_t step_count;
	struct crm_check *checks;
	size_t check_count;
	enum crm_protect protect; /* the rule's last pseudonymize, mask or redact */
	int mask_tail;
	enum crm_on_invalid on_invalid; /* REJECT or BLANK once compiled */
	/*
	 * A reference to one of several objects (target_field 'contact_id|lead_id'
	 * with ref(Contact|Lead)) compiles to one field per column: alt_count
	 * of them from alt_first on, the same source and steps. A record fills
	 * the one of the object its Salesforce id names by key prefix (003
	 * Contact, 00Q Lead, 001 Account, 006 Opportunity), the others stay
	 * empty; an id the prefix cannot place (another CRM's, a custom
	 * object's) fills them all, and the engine keeps the one whose object's
	 * cross-reference has it (crm_program_alt_settle). alt_count 0: an
	 * ordinary field.
	 */
	size_t alt_first, alt_count, alt_index; /* alt_index: this column's place in its group */
	char *alt_target;			/* owned: this alternative's column, what target_field points to */
	char *alt_objects;			/* owned: the group's objects as the rule names them, "Contact|Lead" */
};

struct crm_program {
	const struct crm_object_config *object; /* borrowed */
	const char *table;			/* target table (object->target) */
	long id_col;
	struct crm_field_program *fields; /* one per target column */
	size_t field_count;
	char today[48];
	char now[48];
	unsigned char pseudonym_key[32]; /* HMAC key of pseudonymize (copied; zeroed on free) */
	size_t owner_fields;		 /* fields with owner() (field->owner): the run writes reports/owners-RUN.csv */
};

/* Collected compile errors, so that `plan` can show them all at once. */
struct crm_diags {
	char **msgs;
	size_t count;
};
void crm_diags_release(struct crm_diags *diags);
/* Adds err's message (copied); returns err's code. */
int crm_diags_add(struct crm_diags *diags, const struct crm_error *err);

/*
 * Compiles the rows of map whose source_object is obj->name, against the
 * export header read by reader. pseudonym_key (32 bytes, copied) keys
 * pseudonymize; a rule that uses it without a key is an error. Every
 * problem found goes to diags (when non-NULL); the first also to err.
 * Returns NULL on error.
 */
struct crm_program *crm_program_compile(const struct crm_config *cfg, const struct crm_mapping *map,
					const struct crm_object_config *obj, const struct crm_reader *reader,
					const unsigned char *pseudonym_key, struct crm_diags *diags,
					struct crm_error *err);
void crm_program_free(struct crm_program *prog);
/*
 * 1 when a target value has the form field's protection gives (a token, a
 * mask, nothing) or is empty; 0 when it could be a source value.
 */
int crm_program_protected_form(const struct crm_field_program *field, const char *ptr, size_t len);
/*
 * The i-th function of the rule registry: its name, and in *kind whether a
 * transform_rule or a validation_rule may name it; NULL past the last. For
 * documentation and its tests: a mapping's rules are compiled, not looked up.
 */
const char *crm_program_function(size_t i, enum crm_rule_kind *kind);
/* The index of the field that fills target column, or -1. */
long crm_program_field(const struct crm_program *prog, const char *column);

struct crm_value {
	const char *ptr; /* NULL or empty: no value */
	size_t len;
	int64_t id; /* a resolved reference: the parent's target id; 0 when none */
};

/* A mapped boolean is "1" or "0". */
static inline int crm_value_is_true(const struct crm_value *v)
{
	return v->len == 1 && v->ptr[0] == '1';
}

struct crm_failure {
	size_t field;	    /* index into prog->fields */
	const char *rule;   /* the step or check as written */
	const char *reason; /* PII-safe text */
};

/* A `unique` check left for crm_program_finish (CRM_RUN_DEFER_UNIQUE). */
struct crm_deferred {
	size_t field; /* index into prog->fields */
	size_t check; /* index into its checks */
};

/* What owner() did with a record's source user: what reports/owners-RUN.csv counts. */
enum crm_owner_reason {
	CRM_OWNER_MAPPED,   /* an active user of the owners file: its target owner */
	CRM_OWNER_UNKNOWN,  /* not in the file (or blank): the default */
	CRM_OWNER_INACTIVE, /* in the file with active = false: the default */
};
const char *crm_owner_reason_name(enum crm_owner_reason reason);

/* An owner() of a record: the field, the source user it read (in the run's arena) and why. */
struct crm_owner_note {
	size_t field;
	const char *source;
	size_t source_len;
	enum crm_owner_reason reason;
};

struct crm_program_result {
	struct crm_value *values; /* prog->field_count of them */
	struct crm_failure *failures;
	size_t failure_count;
	size_t failure_cap;
	struct crm_deferred *deferred; /* at most prog->field_count */
	size_t deferred_count;
	/* on_invalid(blank): the fields left empty, each with its finding (at most one a field) */
	struct crm_failure *blanked;
	size_t blanked_count;
	/* owner(): one note a field that has it, whatever the record's fate (the target owner is the field's value) */
	struct crm_owner_note *owners;
	size_t owner_count;
};

int crm_program_result_init(struct crm_program_result *res, const struct crm_program *prog, struct crm_error *err);
void crm_program_result_release(struct crm_program_result *res);

enum crm_run_flags {
	CRM_RUN_CHECK_UNIQUE = 1, /* record values for `unique` (off when re-reading a file) */
	/*
	 * Leave each `unique` (and the checks after it) to crm_program_finish:
	 * records then map on several threads while the uniqueness sets, which
	 * depend on file order, are kept by one.
	 */
	CRM_RUN_DEFER_UNIQUE = 2,
};

/*
 * Runs prog on rec. Values and reasons live in arena until its next reset.
 * Returns 0 (res->failure_count says whether the record is rejected) or a
 * negative error code (out of memory).
 */
int crm_program_run(struct crm_program *prog, const struct crm_record *rec, struct crm_program_result *res,
		    struct crm_arena *arena, unsigned flags, struct crm_error *err);

/*
 * 1 when the polymorphic group starting at field first holds a value its
 * key prefix could not place: every column of the group carries it, and
 * the caller looks it up in each column's parent.
 */
int crm_program_alt_undecided(const struct crm_program *prog, size_t first, const struct crm_value *values);
/*
 * Settles an undecided group from its lookups: found[a] is nonzero when
 * alternative a's parent has the id. Returns how many have it; *pick is
 * the column to keep: the one that has it, or 0 (the first, where an id no
 * parent has is an orphan). More than one: the id is ambiguous and the
 * record is rejected.
 */
size_t crm_program_alt_settle(const struct crm_program *prog, size_t first, const int *found, size_t *pick);

/*
 * Completes a record run with CRM_RUN_DEFER_UNIQUE: its deferred `unique`
 * checks and the checks after them, on values (the run's values, still
 * valid). Call it on one thread, in file order. res gets only the new
 * failures; their texts live in arena.
 */
int crm_program_finish(struct crm_program *prog, const struct crm_record *rec, const struct crm_value *values,
		       const struct crm_deferred *deferred, size_t count, struct crm_program_result *res,
		       struct crm_arena *arena, struct crm_error *err);

#define CRM_MASKED_MAX 48
/*
 * For a field whose values are not shown (flagged PII or SPI, or
 * pseudonymized, masked or redacted by its rule): writes what is shown
 * instead, "<PII, 12 characters>", and returns 1; otherwise 0.
 */
int crm_program_masked(const struct crm_field_program *field, const char *ptr, size_t len, char *out, size_t cap);
/* Writes a value for a report: itself, or a mask when the field is PII/SPI or protected. */
const char *crm_program_show_value(const struct crm_field_program *field, const char *ptr, size_t len,
				   struct crm_arena *arena);

#endif
