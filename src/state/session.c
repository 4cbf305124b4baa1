/*
 * session.c: the state's binding to its target (session.h).
 */
#include "compat.h"
#include "state/session.h"

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
	has_bound = has_bound == 1;
	has_target = store->ops->identity(store, target, 0, err);
	if (has_target < 0)
		return err->code;
	has_target = has_target == 1;
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
	has_runs = has_runs == 1;
	if (has_target && !has_runs)
		return crm_error_set(err, CRM_EREFUSED,
				     "%s holds a load of another project (target %s) and this project's state knows "
				     "none of its rows: point [target] url at a target of its own; nothing was done",
				     target_url, target);
	/* a first run, or a state from before identities: bind the two when something writes */
	if (!acting)
		return 0;
	if (!has_target && store->ops->identity(store, target, 1, err) < 0)
		return err->code;
	return crm_state_meta_put(state, IDENTITY_KEY, target, err);
}

int crm_session_open(const char *target_url, const char *dir, const char *state_path, int acting, int create,
		     struct crm_session *s, struct crm_error *err)
{
	int rc;

	s->state = NULL;
	s->store = crm_store_open(target_url, dir, create, err);
	if (!s->store)
		return err->code;
	rc = crm_state_open(s->store, state_path, create, &s->state, err);
	if (rc == 0)
		rc = crm_session_bind(s->store, s->state, target_url, acting, err);
	if (rc)
		crm_session_close(s);
	return rc;
}

void crm_session_close(struct crm_session *s)
{
	crm_state_close(s->state);
	crm_store_close(s->store);
	s->state = NULL;
	s->store = NULL;
}

uint64_t crm_session_transaction_size(unsigned batch_size, uint64_t done_before)
{
	return done_before / 4 > batch_size ? done_before / 4 : batch_size;
}
