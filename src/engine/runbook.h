/*
 * runbook.h: the rollback plan as a document (crmshift runbook), written
 * from what the project holds: [people], the [policy] triggers, the state's
 * runs, snapshots and drills, the gates, the keys and the audit log. Five
 * sections (trigger criteria and authorities; preservation; execution
 * steps with owners and time estimates; communication scripts; the
 * reconciliation approach) and the pre-cutover checklist. What crmshift
 * cannot know is shown as a gap, never invented; a checklist item is ticked
 * only from evidence crmshift holds, which the item names.
 *
 * The document is Markdown of a small subset (headings, paragraphs, "- "
 * and "- [x] " lines, tables), which cli/ also renders as HTML.
 */
#ifndef CRM_RUNBOOK_H
#define CRM_RUNBOOK_H

#include "compat.h"
#include "engine/project.h"
#include "util/buf.h"

/* The four audiences of section 4, each a template in templates/NAME.md (or crmshift's own). */
enum crm_audience {
	CRM_AUDIENCE_SALES,
	CRM_AUDIENCE_LEADERSHIP,
	CRM_AUDIENCE_CUSTOMERS,
	CRM_AUDIENCE_REGULATORS,
	CRM_AUDIENCE_COUNT
};

struct crm_runbook_facts {
	size_t gaps;	       /* people and settings not named */
	size_t ticked;	       /* checklist items ticked from evidence */
	size_t items;	       /* checklist items */
	int rollback_measured; /* a drill measured the rollback */
};

/*
 * Writes the runbook of p into md. A template with a placeholder it does not
 * know is an error naming the file, line and placeholder.
 */
int crm_runbook_write(struct crm_project *p, struct crm_buf *md, struct crm_runbook_facts *facts,
		      struct crm_error *err);

#endif
