/*
 * profile.h: discovery. `crmshift profile` reads every export of a project,
 * once, before anything moves, and says what is in it: per object the
 * volume and what is wrong with the file's bytes (dirt.h) and records; per
 * field the inferred type, fill rate, distinct count, top values, format
 * patterns, range, a personal-data guess, date-order ambiguity and encoding
 * problems; duplicates by normalised e-mail, by E.164 phone and by name plus
 * company; references to parents that are not in the exports; the fields
 * the canonical model requires that nothing maps to. It drafts mapping.csv
 * rows for the columns mapping.csv does not map yet.
 *
 * Profiling needs only crmshift.ini: mapping.csv is used when it loads (to
 * know the references, the flags and what is mapped), and export files in
 * [source] path that no [object] names are profiled too, named after the
 * file, so a fresh project shows everything it was given.
 *
 * Memory: per field a bounded sketch (sketch.h: about 25 KiB); per object
 * the set of its ids and, for people, three duplicate tables of 16 bytes a
 * record: like the id cross-reference, that grows with the records, nothing
 * else does. Figures from a sketch are marked approximate.
 *
 * Values of fields flagged or guessed personal never leave here in clear:
 * top values, ranges and examples are masked ("<PII, 12 characters>"), the
 * draft's sample values keep only their punctuation ("(***) ***-****").
 */
#ifndef CRM_PROFILE_H
#define CRM_PROFILE_H

#include "compat.h"
#include "engine/dedupe.h"
#include "io/dirt.h"
#include "transform/infer.h"
#include "util/error.h"

#define CRM_PROFILE_TOP	     5
#define CRM_PROFILE_EXAMPLES 5
#define CRM_PROFILE_PROBLEMS 20

struct crm_profile_count {
	char *value; /* masked for personal fields */
	int64_t count;
};

struct crm_profile_field {
	char *name;
	int64_t filled; /* values that are not blank */
	int64_t padded; /* values with blanks around them */
	uint64_t distinct;
	int distinct_approx;
	const char *type;  /* inferred: text, int, decimal, date, datetime, bool, email, phone, url, id */
	double type_share; /* of the filled values, the share of that type (1 for text) */
	int64_t kind_counts[CRM_KIND_COUNT];
	int64_t phone_readable; /* values the drafted phone(E164, US) reads */
	struct crm_profile_count top[CRM_PROFILE_TOP];
	size_t top_count;
	int top_approx;
	struct crm_profile_count patterns[CRM_PROFILE_TOP];
	size_t pattern_count;
	int patterns_approx;
	char *min, *max;	  /* for numbers and dates; NULL otherwise; masked for personal fields */
	size_t min_len, max_len;  /* in characters, of the filled values */
	enum crm_pii_kind pii;	  /* the guess */
	const char *pii_basis;	  /* "name" or "values" */
	int flagged;		  /* mapping.csv flags it PII or SPI, or protects it */
	int64_t date_ambiguous;	  /* numeric dates that read both as DD/MM and MM/DD */
	int64_t date_day_first;	  /* that read only as DD/MM */
	int64_t date_month_first; /* that read only as MM/DD */
	int64_t date_invalid;	  /* that read in neither order */
	const char *date_order;	  /* "MM/DD", "DD/MM", "mixed" (evidence both ways), "unknown"; NULL: no such dates */
	unsigned long first_ambiguous_line;
	int64_t mojibake; /* values with signs of a double-decoded encoding */
	unsigned long first_mojibake_line;
	int64_t lossy; /* values with '?' where letters were (a lossy transcoding before the export) */
	unsigned long first_lossy_line;
	int64_t short_postcodes; /* a postal code column's 4-digit values among 5-digit ones: a lost leading zero */
	char *mapped_to;	 /* its target field in mapping.csv, or NULL */
	char *sample;		 /* the first value, shaped (masked) when personal */
};

struct crm_profile_duplicate_example {
	unsigned long first_line, line;
	char *id;  /* the source id of the later record ("" without an id column) */
	char *key; /* the key, masked */
};

struct crm_profile_duplicates {
	const char *by;	 /* "email", "phone" or "name+company" */
	char *fields;	 /* the source columns the key is built from */
	int64_t groups;	 /* keys held by more than one record */
	int64_t records; /* records in those groups */
	struct crm_profile_duplicate_example examples[CRM_PROFILE_EXAMPLES];
	size_t example_count;
};

struct crm_profile_orphan_example {
	unsigned long line;
	char *id;
	char *value;
};

struct crm_profile_reference {
	char *field;	   /* the referencing column */
	char *parent;	   /* the object it points at */
	const char *basis; /* "mapping" (a ref() rule), "name" (a guess from the column's name), or "values" (its
			    * most frequent values are the parent's ids: references and orphans count those) */
	int64_t references;
	int64_t orphans;      /* references to an id the parent's export does not hold */
	int parent_has_no_id; /* the parent has no id column: the references could not be checked */
	struct crm_profile_orphan_example examples[CRM_PROFILE_EXAMPLES];
	size_t example_count;
};

struct crm_profile_object {
	char *name;
	char *file;	/* the export, relative to the project folder when inside it */
	char *target;	/* its table: from crmshift.ini, or a guess; NULL when none */
	int configured; /* it has an [object] section */
	char *id_field; /* the id column, NULL when none is known */
	int64_t records;
	int64_t bad_records;
	int64_t short_rows;    /* CSV rows that leave out trailing fields (bad records unless short_rows = pad) */
	int short_rows_padded; /* [object] short_rows = pad: they were read with those fields empty */
	int64_t duplicate_ids; /* records whose id an earlier record has */
	/*
	 * Without an id column and with two or more references: records whose
	 * references together repeat an earlier record's (0 makes them a key of
	 * the file, as a junction's); -1 when not counted.
	 */
	int64_t repeated_reference_keys;
	int64_t repeated_pairs; /* opportunity_contact: records whose references repeat an earlier one's; -1: not counted */
	struct crm_dirt dirt;
	char *declared_encoding;	      /* by crmshift.ini */
	const char *found_encoding;	      /* crm_dirt_encoding */
	const char *read_as;		      /* the encoding the records were read in: one of the two */
	char *problems[CRM_PROFILE_PROBLEMS]; /* the first bad records and file problems, with file:line:column */
	size_t problem_count;
	char *fatal; /* the file could not be read to its end (or at all) */
	struct crm_profile_field *fields;
	size_t field_count;
	struct crm_profile_duplicates duplicates[3];
	size_t duplicate_count;
	struct crm_profile_reference *references;
	size_t reference_count;
	char **unmapped_required; /* target columns the model requires that nothing maps */
	size_t unmapped_required_count;
};

/* A drafted mapping.csv row: the template's eight columns. */
struct crm_profile_draft_row {
	char *col[8];
};

/* [dedupe "Object"]: the people entered more than once, found before anything moves, as migrate finds them. */
struct crm_profile_people {
	const char *object; /* borrowed from the project */
	struct crm_dedupe_result found;
};

struct crm_profile {
	char *name;			    /* [migration] name, NULL when the project has none */
	char *mapping_problem;		    /* mapping.csv could not be read: profiled without it */
	struct crm_profile_object *objects; /* in reading order: parents first */
	size_t count;
	struct crm_profile_draft_row *draft;
	size_t draft_count;
	/*
	 * [dedupe]: the groups, found with the project's compiled mapping (the
	 * project is kept open for their rules); people_problem says why they
	 * could not be looked for (the mapping does not compile, say).
	 */
	struct crm_project *project;
	struct crm_profile_people *people;
	size_t people_count;
	char *people_problem;
	double seconds;
};

/*
 * Profiles the project in dir; objects is NULL or a comma-separated list of
 * source objects. A problem in one export is recorded in its object and the
 * others are profiled; err is set only when the project cannot be read
 * (crmshift.ini) or on out of memory. On error prof is released.
 */
int crm_profile_run(struct crm_profile *prof, const char *dir, const char *objects, struct crm_error *err);
void crm_profile_release(struct crm_profile *prof);

/* Writes the people's groups (crm_dedupe_write_rows) to path, whole or not at all (mode 0600). */
int crm_profile_write_merges(const struct crm_profile *prof, const char *path, struct crm_error *err);

/* Writes the draft rows as a mapping.csv (with its header) to path, whole or not at all (mode 0600). */
int crm_profile_write_draft(const struct crm_profile *prof, const char *path, struct crm_error *err);

#endif
