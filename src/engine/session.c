/*
 * session.c: the state's binding to its target (session.h).
 */
#include "compat.h"
#include "engine/session.h"

#include <string.h>

#define IDENTITY_KEY "target_identity"

int crm_session_bind(struct crm_store *store, struct crm_state *state, const char *target_url, int acting,
		     struct crm_error *err)
{
	char bound[CRM_STORE_IDENTITY_LEN], target[CRM_STORE_IDENTITY_LEN];
	struct crm_run_info last;
	int has_bound, has_target, has_runs;

	has_bound = crm_state_meta_get(state, IDENTITY_KEY, bound, sizeof(bound), err);
	if (has_bound < 0)
		return err->code;
	has_bound = has_bound == 0;
	has_target = store->ops->identity(store, target, 0, err);
	if (has_target < 0)
		return err->code;
	has_target = has_target == 0;
	if (has_bound && has_target && strcmp(bound, target) != 0)
		return crm_error_set(err, CRM_EREFUSED,
				     "%s holds another load (target %s), not the one this project's state knows "
				     "(target %s): the state was copied from another project, or [target] url points "
				     "elsewhere; nothing was done",
				     target_url, target, bound);
	if (has_bound && !has_target)
		return crm_error_set(err, CRM_EREFUSED,
				     "%s is not the target this project loaded (target %s): it is new or was replaced, "
				     "so the rows the state knows are not there; restore it and run again, or start "
				     "afresh by removing .crmshift/state.db; nothing was done",
				     target_url, bound);
	if (has_bound)
		return 0;
	has_runs = crm_state_run_last(state, &last, err);
	if (has_runs < 0)
		return err->code;
	has_runs = has_runs == 0;
	if (has_target && !has_runs)
		return crm_error_set(err, CRM_EREFUSED,
				     "%s holds a load of another project (target %s) and this project's state knows "
				     "none of its rows: point [target] url at a target of its own; nothing was done",
				     target_url, target);
	/* a first run, or a state from before identities: bind the two when something writes */
	if (!acting)
		return 0;
	if (!has_target && store->ops->identity(store, target, 1, err))
		return err->code;
	return crm_state_meta_put(state, IDENTITY_KEY, target, err);
}
