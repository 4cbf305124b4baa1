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
 * Every command that reads or writes a target opens it through a session:
 * the store, the state on the store's connection, and the check that the
 * two belong together, in one call.
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

struct crm_session {
	struct crm_store *store;
	struct crm_state *state;
};

/*
 * Opens the target at target_url (relative to dir for a file), the state
 * on its connection (state_path for a SQLite target) and binds or checks
 * them (crm_session_bind; acting: the command will write). create: the
 * target and the state are created when absent (a first migrate);
 * without, nothing is created. 0 with s open; 1 when the project has no
 * state yet (only without create; s closed); a negative CRM_E* code with
 * err set (s closed).
 */
int crm_session_open(const char *target_url, const char *dir, const char *state_path, int acting, int create,
		     struct crm_session *s, struct crm_error *err);
/* Closes the state, then the store (either may be NULL). */
void crm_session_close(struct crm_session *s);

/*
 * Records (or ledger entries) the next transaction of a long write holds:
 * batch_size, or a quarter of what the command had done when it began,
 * whichever is more. A commit writes every index page its rows touched, and
 * keys in random order touch nearly all of them: transactions that grow
 * with the work keep its writes in proportion to its size, where fixed ones
 * grow with its square. A kill loses at most a fifth of what was done.
 */
uint64_t crm_session_transaction_size(unsigned batch_size, uint64_t done_before);

#endif
