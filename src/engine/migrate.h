/*
 * migrate.h: loading a project into its target (DESIGN.md, data flow):
 * reader -> program -> checks -> reference resolution -> upsert -> ledger,
 * one object at a time in load order, streaming, in batches that commit
 * with their cross-reference, ledger and checkpoint rows.
 *
 * Guarantees: a record whose mapped content is unchanged since the last run
 * is skipped, so a second run changes nothing; a run killed at any point
 * resumes (opt.resume) to exactly the counts of an uninterrupted run; every
 * record that does not load is in the rejects report with its reason;
 * every missing parent is counted and reported as an orphan, never invented.
 */
#ifndef CRM_MIGRATE_H
#define CRM_MIGRATE_H

#include "compat.h"
#include "engine/gates.h"
#include "state/state.h"
#include "engine/project.h"
#include "state/state.h"

#include <limits.h>

typedef void (*crm_progress_fn)(void *ctx, const char *object, int pass, uint64_t bytes_done, uint64_t bytes_total);

struct crm_migrate_options {
	int dry_run;	     /* shadow import into a throw-away target */
	int resume;	     /* finish the last run, which was interrupted */
	double sample_pct;   /* 0 for everything */
	const char *objects; /* comma-separated source objects; NULL for all */
	crm_progress_fn progress;
	void *progress_ctx;
	/*
	 * crmshift sync: deltas after the initial load. Records modified before
	 * an object's watermark are left out (unless full), flagged or absent
	 * records are deleted, and a record edited in the target since crmshift
	 * wrote it is a conflict: reported and left, unless [policy] conflicts
	 * = source-wins.
	 */
	int sync;
	const char *from;   /* folder of the delta export files; NULL: the [source] path */
	int full;	    /* the files are full exports: absence means deleted ([object] delete_missing) */
	const char *events; /* a Debezium change-event stream, applied in order, instead of files */
	int final;	    /* the last sync: the source is frozen from here on */
	/* read exports that changed after their snapshot (resume) or after the freeze */
	int force;
	/*
	 * Called once the run has its id and before it writes a row (the CLI
	 * appends the run's start to the audit log, so that a run killed later
	 * is in the log). Its error stops the run, nothing written.
	 */
	int (*started)(void *ctx, int64_t run, int resumed, int dry_run, struct crm_error *err);
	void *started_ctx;
};

struct crm_object_result {
	const char *object; /* borrowed from the project */
	const char *table;
	int selected;
	int no_file; /* sync --from: the folder has no file for it */
	struct crm_counts counts;
};

#define CRM_EXAMPLES_MAX 24

struct crm_report_example {
	char object[64];
	char source_id[64];
	unsigned long line;
	char field[64];
	char rule[96];
	char reason[320];
};

struct crm_migrate_result {
	int64_t run_id;
	int sync; /* a sync run: the summary has its counts */
	int resumed;
	int previewed;			   /* a dry run against the real target, rolled back (not a throw-away one) */
	int64_t interrupted_run;	   /* an earlier run left unfinished and closed by this one, or 0 */
	struct crm_object_result *objects; /* in load order */
	size_t count;
	char target[PATH_MAX];
	char rejects_path[PATH_MAX];
	char orphans_path[PATH_MAX];
	char conflicts_path[PATH_MAX]; /* sync */
	int64_t reject_rows;	       /* rows of the rejects report that reject a record */
	int64_t blanked_rows;	       /* rows of the rejects report that left a field empty (on_invalid = blank) */
	int64_t orphan_rows;
	int64_t conflict_rows;
	int64_t events_applied, events_skipped; /* sync --events: skipped were applied by an earlier sync */
	/* owner(): reports/owners-RUN.csv ("" when no rule has owner()), and records by reason */
	char owners_path[PATH_MAX];
	/* [dedupe]: reports/merges-RUN.csv ("" when no object has one), and the people merged */
	char merges_path[PATH_MAX];
	int64_t merge_groups, merged;	/* people merged, and the records merged into their rows (all objects) */
	int64_t owner_records[3];	/* by enum crm_owner_reason: mapped, unknown, inactive */
	int64_t owner_rejected;		/* of those: no default, so rejected */
	int64_t owner_users;		/* source users named */
	struct crm_gate_decision gates; /* decided before anything else */
	/* the run's source snapshot: each export as it read it (crm_free'd by release) */
	struct crm_source_file *sources;
	size_t source_count;
	/* --force: exports read although they changed after their snapshot: "\n  path: what changed" each */
	char forced[1024];
	struct crm_report_example rejects[CRM_EXAMPLES_MAX];
	size_t reject_examples;
	struct crm_report_example blanks[CRM_EXAMPLES_MAX];
	size_t blank_examples;
	struct crm_report_example orphans[CRM_EXAMPLES_MAX];
	size_t orphan_examples;
	double seconds;
};

int crm_migrate(struct crm_project *p, const struct crm_migrate_options *opt, struct crm_migrate_result *res,
		struct crm_error *err);
void crm_migrate_result_release(struct crm_migrate_result *res);

/* The summary as JSON text (free with crm_free); NULL on OOM. */
char *crm_migrate_summary_json(const struct crm_migrate_result *res, int dry_run);

#endif
