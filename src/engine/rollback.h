/*
 * rollback.h: returning the target to exactly its state before a migrate
 * run (DESIGN.md lifecycle, "rollback"). From the run's ledger, newest
 * first (children before parents): rows the run inserted are deleted, rows
 * it updated get their pre-images back; rows that others created in the
 * target since are removed too. Before anything is reverted, every row users
 * edited after the load (its hash differs from the snapshot taken when the
 * run finished) and every row they created goes to
 * reports/changed-since-cutover-<run>.csv, so their work is not lost. The
 * end is checked against the snapshot taken before the run.
 *
 * Crash safety: the export is written once (tmp, fsync, rename) and marked
 * in the state; each batch of reverted ledger entries commits with its
 * progress; every step is idempotent, so running it again completes it.
 */
#ifndef CRM_ROLLBACK_H
#define CRM_ROLLBACK_H

#include "compat.h"
#include "engine/project.h"
#include "engine/snapshot.h"
#include "state/state.h"

#include <limits.h>

struct crm_rollback_options {
	int64_t run;	 /* 0: the newest run not rolled back */
	int verify_only; /* compare with the pre-run snapshot, change nothing */
	/*
	 * Called once the run to revert is known and before anything is
	 * written (the CLI appends the rollback's start to the audit log: a
	 * broken log stops it here). Not called for verify_only.
	 */
	int (*started)(void *ctx, int64_t run, struct crm_error *err);
	void *started_ctx;
};

struct crm_rollback_result {
	int64_t run;
	enum crm_run_status run_status; /* before this rollback */
	int resumed;			/* an interrupted rollback was completed */
	int edits_known;		/* the run left an after-snapshot: edits since the load could be told apart */
	/*
	 * The run stopped before its snapshot of the target before it and has
	 * no ledger entry: it committed nothing (its commits wait for that
	 * snapshot), so there is nothing to revert and no table to check;
	 * identical says so.
	 */
	int committed_nothing;
	int64_t edited, created; /* rows exported to export_path */
	char export_path[PATH_MAX];
	int64_t deleted, restored, removed_others;
	int64_t unmerged; /* [dedupe]: merged source ids whose cross-reference the run added, forgotten */
	struct crm_snapshot_diff *diffs; /* the target against the pre-run snapshot */
	size_t diff_count;
	int identical;
	double seconds;
};

int crm_rollback(struct crm_project *p, const struct crm_rollback_options *opt, struct crm_rollback_result *res,
		 struct crm_error *err);
void crm_rollback_result_release(struct crm_rollback_result *res);

#endif
