/*
 * indexing.c: the end of an unindexed first load's pass 1 (migrate-int.h:
 * object_run.unindexed): its cross-reference entries made from the run's
 * ledger, then its table's source index. Both are the server's work alone,
 * a few seconds for a million records (the entries 2.2 s, the index 1.1 s).
 * On a store that is a server (ops->remote) they are made on a second
 * connection, in its own transaction, while the run goes on with the next
 * object's pass on the first: the server's second core works while the
 * first connection loads. Elsewhere they go into the transaction that ends
 * the pass, as before.
 *
 * The pass's end is committed first (its checkpoint says pass 1 is done);
 * the second transaction commits the entries and the index together. A
 * kill between the two leaves a done pass whose table lacks its source
 * index: the next try makes both before anything reads them
 * (migrate_indexing_complete). Until the second commits, nothing may read
 * the object's entries from the state or write its table: the run waits
 * for it (migrate_indexing_wait) before pass 1 of another object that
 * writes the same table, before a parent cache is loaded from the state,
 * before pass 2 and before the run ends. Children resolve their references
 * through the object's id cache, which its pass 1 filled.
 */
#include "compat.h"
#include "engine/migrate-int.h"
#include "util/alloc.h"
#include "util/path.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct pass_indexing {
	struct pass_indexing *next; /* the one started before */
	pthread_t thread;
	/* the second session's target and state, as the run opened them */
	char url[PATH_MAX], state_path[PATH_MAX];
	const char *dir, *object, *table;
	size_t index; /* the object's in the project */
	int64_t run, key, ledger_from, changed;
	struct crm_error err;
};

/* The entries from the ledger and the source index, in the open transaction of session s. */
static int make_entries_and_index(struct crm_session *s, int64_t run, int64_t key, int64_t ledger_from,
				  int missing_only, const char *table, struct crm_error *err)
{
	if (crm_state_xref_from_ledger(s->state, run, key, ledger_from, missing_only, err) ||
	    s->store->ops->source_index(s->store, table, 1, err))
		return err->code;
	return 0;
}

/* The same, in a transaction of its own on session s: both or neither. */
static int make_in_own_transaction(struct crm_session *s, int64_t run, int64_t key, int64_t ledger_from,
				   int missing_only, const char *table, struct crm_error *err)
{
	struct crm_store *store = s->store;

	if (store->ops->begin(store, err) ||
	    make_entries_and_index(s, run, key, ledger_from, missing_only, table, err) ||
	    store->ops->commit(store, err)) {
		struct crm_error ignored = CRM_ERROR_INIT;
		store->ops->rollback(store, &ignored);
		return err->code;
	}
	return 0;
}

static void *index_beside(void *arg)
{
	struct pass_indexing *job = arg;
	struct crm_error *err = &job->err;
	struct crm_session side;
	int rc = crm_session_open(job->url, job->dir, job->state_path, 0, 0, &side, err);

	if (rc == 1)
		crm_error_set(err, CRM_EIO, "the state went missing while the run went on");
	if (rc)
		return NULL;
	if (!make_in_own_transaction(&side, job->run, job->key, job->ledger_from, 0, job->table, err) &&
	    side.store->ops->analyze) {
		/* the statistics the pass's end would have asked for, now that the entries are in */
		if (!side.store->ops->analyze(side.store, NULL, job->table, "id, source_system, source_id",
					      job->changed, err))
			crm_state_analyze(side.state, job->changed, err);
	}
	crm_session_close(&side);
	return NULL;
}

int migrate_indexing_start(struct migration *m, struct object_run *orun, int64_t changed, struct crm_error *err)
{
	struct pass_indexing *job = crm_calloc(1, sizeof(*job));
	int rc;

	if (!job)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (crm_path_format(job->url, sizeof(job->url), err, "%s", m->p->cfg.target_url) ||
	    crm_path_format(job->state_path, sizeof(job->state_path), err, "%s/.crmshift/state.db", m->p->cfg.dir)) {
		crm_free(job);
		return err->code;
	}
	job->dir = m->p->cfg.dir;
	job->object = orun->o->cfg->name;
	job->table = orun->o->prog->table;
	job->index = (size_t)(orun->o - m->p->objects);
	job->run = m->run;
	job->key = orun->key;
	job->ledger_from = orun->ledger_from;
	job->changed = changed;
	job->err = (struct crm_error)CRM_ERROR_INIT;
	rc = pthread_create(&job->thread, NULL, index_beside, job);
	if (rc) {
		crm_free(job);
		return crm_error_set(err, CRM_EIO, "cannot start a thread: %s", strerror(rc));
	}
	job->next = m->indexing;
	m->indexing = job;
	return 0;
}

int migrate_indexing_wait(struct migration *m, struct crm_error *err)
{
	while (m->indexing) {
		struct pass_indexing *job = m->indexing;
		pthread_join(job->thread, NULL);
		m->indexing = job->next;
		if (job->err.code && !err->code)
			crm_error_set(
				err, job->err.code,
				"%s: its cross-reference entries and the source index of table %s, after pass 1: %s",
				job->object, job->table, job->err.msg);
		crm_free(job);
	}
	return err->code;
}

int migrate_indexing_pending(const struct migration *m, size_t object)
{
	const struct pass_indexing *job;

	for (job = m->indexing; job; job = job->next)
		if (job->index == object)
			return 1;
	return 0;
}

int migrate_indexing_shares_table(const struct migration *m, const struct crm_project_object *o)
{
	const struct pass_indexing *job;

	for (job = m->indexing; job; job = job->next)
		if (strcmp(job->table, o->prog->table) == 0)
			return 1;
	return 0;
}

int migrate_indexing_complete(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	struct crm_store *store = m->session.store;
	int indexed;

	if (!store->ops->source_index || m->preview)
		return 0;
	indexed = store->ops->source_index(store, orun->o->prog->table, 0, err);
	if (indexed)
		return indexed < 0 ? err->code : 0;
	return make_in_own_transaction(&m->session, m->run, orun->key, 0, 1, orun->o->prog->table, err);
}

int migrate_indexing_end(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	return make_entries_and_index(&m->session, m->run, orun->key, orun->ledger_from, 0, orun->o->prog->table, err);
}
