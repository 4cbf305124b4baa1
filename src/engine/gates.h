/*
 * gates.h: legal checkpoints as technical controls. With [gates] required =
 * yes, a run refuses to start until the DPA, the DPIA and the records of
 * processing are each recorded (a reference and the date signed). An object
 * with [object] residency = REGION is loaded only into a target whose
 * [security] region is that region. Both refuse with CRM_EREFUSED (exit 4),
 * naming every missing gate and every object out of its region.
 */
#ifndef CRM_GATES_H
#define CRM_GATES_H

#include "compat.h"
#include "engine/project.h"
#include "util/error.h"

/* What the gates decided for a run, for the audit log. */
struct crm_gate_decision {
	int checked; /* gates are required, or an object it loads has a residency */
	int refused;
	char missing[128]; /* "dpa, dpia": the gates not recorded */
	char outside[512]; /* "Contact (eu) ...": objects that may not go to this target */
};

/* Decides for the objects of p that objects selects (NULL: all); refused with err set. */
int crm_gates_check(const struct crm_project *p, const char *objects, struct crm_gate_decision *d,
		    struct crm_error *err);

#endif
