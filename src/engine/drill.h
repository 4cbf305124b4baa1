/*
 * drill.h: rehearsing the cutover (crmshift drill). On a throw-away copy of
 * the target and the state, in .crmshift/drill.XXXXXX, never the real ones:
 * migrate, reconcile, rollback, and the rollback's check that the copy is
 * as it was before, each step timed. The drill passes when the rollback left
 * the copy identical and took no longer than the decision window
 * ([policy] decision_window, 4 hours unless set). The result is kept in the
 * real state (crmshift.drills) when the project has one; the caller writes
 * it to the audit log.
 */
#ifndef CRM_DRILL_H
#define CRM_DRILL_H

#include "compat.h"
#include "engine/project.h"
#include "state/state.h"

struct crm_drill_options {
	double window_seconds; /* < 0: [policy] decision_window */
	/*
	 * 0: rehearse the next run (migrate the exports, reconcile, roll it
	 * back); 1: rehearse rolling back what is loaded (reconcile, then every
	 * run not rolled back, newest first), CRM_EINPUT when nothing is.
	 */
	int live;
};

struct crm_drill_result {
	struct crm_drill_record record;
	int64_t run;		 /* the drill's migrate run in the copy; live: the newest run it rolled back */
	size_t triggers_fired;	 /* reconcile's triggers that fired on the copy */
	int64_t rejected;	 /* records its migrate rejected */
	int recorded;		 /* kept in the real state (0: the project has none yet) */
	char first_trigger[256]; /* the first trigger that fired, as reconcile names it ("" when none) */
};

/*
 * Runs the drill for project p (opened on the real project folder, whose
 * lock the caller holds). 0 with res filled, whether or not the drill
 * passed; an error when a step could not run (CRM_EINPUT for a target that
 * cannot be copied yet).
 */
int crm_drill(struct crm_project *p, const struct crm_drill_options *opt, struct crm_drill_result *res,
	      struct crm_error *err);

#endif
