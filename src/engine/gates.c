/*
 * gates.c: the gate and residency decision of a run.
 */
#include "compat.h"
#include "engine/gates.h"

#include <stdio.h>
#include <string.h>

/* Appends text to a comma-separated list in buf (cut short rather than overflowing). */
static void list_add(char *buf, size_t cap, const char *text)
{
	size_t used = strlen(buf);

	if (used + 1 < cap)
		snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", text);
}

int crm_gates_check(const struct crm_project *p, const char *objects, struct crm_gate_decision *d,
		    struct crm_error *err)
{
	const struct crm_config *cfg = &p->cfg;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (cfg->gates.required) {
		d->checked = 1;
		for (i = 0; i < CRM_GATE_COUNT; i++)
			if (!cfg->gates.reference[i])
				list_add(d->missing, sizeof(d->missing), crm_gate_key((enum crm_gate)i));
	}
	for (i = 0; i < p->count; i++) {
		const struct crm_object_config *o = p->objects[i].cfg;
		char entry[256];
		if (!o->residency || !crm_project_selected(objects, o->name))
			continue;
		d->checked = 1;
		if (cfg->region && strcmp(cfg->region, o->residency) == 0)
			continue;
		snprintf(entry, sizeof(entry), "%s (residency %s)", o->name, o->residency);
		list_add(d->outside, sizeof(d->outside), entry);
	}
	if (!d->missing[0] && !d->outside[0])
		return 0;
	d->refused = 1;
	if (d->missing[0] && d->outside[0])
		return crm_error_set(
			err, CRM_EREFUSED,
			"refused by the gates: not recorded in [gates]: %s; and %s may not be loaded into a "
			"target in %s",
			d->missing, d->outside, cfg->region ? cfg->region : "no declared region");
	if (d->missing[0])
		return crm_error_set(err, CRM_EREFUSED,
				     "refused by the gates: [gates] required = yes, and these are not recorded: %s "
				     "(each as 'REFERENCE, YYYY-MM-DD', once signed)",
				     d->missing);
	return crm_error_set(err, CRM_EREFUSED,
			     "refused by residency: %s may not be loaded into this target, whose [security] region is "
			     "%s",
			     d->outside, cfg->region ? cfg->region : "not declared");
}
