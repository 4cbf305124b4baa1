/*
 * session.h: what a command checks of its target and state before it acts.
 *
 * The state database knows what was loaded into one target: which rows
 * hold which source records. It is bound to that target by an identity
 * (a UUID) stored in both when the first run writes. A target that lost
 * its identity (a new or replaced database, [target] url pointed at
 * another file) or has another one (a state copied from another project)
 * would make a run count records 'unchanged' that are not there, or write
 * over rows that are some other load's: such a run is refused.
 *
 * Not for: opening the store or the state (store.h, state.h).
 */
#ifndef CRM_SESSION_H
#define CRM_SESSION_H

#include "compat.h"
#include "state/state.h"
#include "store/store.h"

/*
 * Checks that state belongs to store's target. acting: the command will
 * write (migrate, sync, rollback), so a first run binds the two (an
 * identity made and stored in both); a read-only command binds nothing.
 * A state from an earlier crmshift, with runs and no identity, is bound to
 * the target it is used with. CRM_EREFUSED naming target_url and what
 * differs; 0 when they belong together (or nothing has run yet).
 */
int crm_session_bind(struct crm_store *store, struct crm_state *state, const char *target_url, int acting,
		     struct crm_error *err);

#endif
