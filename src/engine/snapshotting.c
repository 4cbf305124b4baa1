/*
 * snapshotting.c: a run's before-snapshot taken beside it (migrate-int.h:
 * migrate_snapshot_before). Its row counts read every row of each table
 * the run may write: 0.2-0.4 s for a million on PostgreSQL, a fifth of a
 * sync of 12,000 of them; 0.05-0.08 s on SQLite, a tenth. A second
 * connection (ops->begin_snapshot) takes them while the run reads its
 * exports, maps its first records and reads ahead:
 *
 * - The run waits until that connection's read-only transaction has begun
 *   (its view of the target fixed, the tables' definitions held), then
 *   goes on. Whatever it writes after is not in the counts.
 * - The run waits for the snapshot file (written, synced, renamed) before
 *   it commits anything (migrate_commit_batch) and before its
 *   after-snapshot, so that no committed write of a run is without the
 *   snapshot that rolls it back and verifies the rollback. Until then its
 *   writes wait in its open transaction. (On SQLite a commit could not
 *   pass the reader anyway; a spill of the run's page cache waits for it.)
 * - A change of a held table's definition (a column the run adds) waits
 *   until the counts are taken.
 */
#include "compat.h"
#include "engine/migrate-int.h"
#include "engine/snapshot.h"
#include "util/alloc.h"
#include "util/path.h"

#include <pthread.h>
#include <string.h>

struct before_snapshot {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int begun;	       /* under lock: 1 when the transaction began, -1 when it could not */
	const char *url, *dir; /* the project's, which outlives the run */
	char path[PATH_MAX];
	struct crm_snapshot_take *takes;
	const char **tables;
	size_t count;
	struct crm_error err;
};

static void say_begun(struct before_snapshot *job, int begun)
{
	pthread_mutex_lock(&job->lock);
	job->begun = begun;
	pthread_cond_signal(&job->changed);
	pthread_mutex_unlock(&job->lock);
}

static void *snapshot_beside(void *arg)
{
	struct before_snapshot *job = arg;
	struct crm_error *err = &job->err;
	struct crm_store *store = crm_store_open(job->url, job->dir, 0, err);
	struct crm_error ignored = CRM_ERROR_INIT;

	if (store && !store->ops->begin_snapshot(store, job->tables, job->count, err)) {
		say_begun(job, 1);
		crm_snapshot_write(store, job->takes, job->count, job->path, err);
	} else {
		say_begun(job, -1);
	}
	if (store) {
		store->ops->rollback(store, &ignored); /* read only: nothing to keep */
		crm_store_close(store);
	}
	return NULL;
}

int migrate_snapshot_before(struct migration *m, const struct crm_snapshot_take *takes, size_t count, const char *path,
			    struct crm_error *err)
{
	struct before_snapshot *job;
	size_t i;
	int rc;

	if (!(job = crm_calloc(1, sizeof(*job))) || !(job->takes = crm_calloc(count ? count : 1, sizeof(*takes))) ||
	    !(job->tables = crm_calloc(count ? count : 1, sizeof(*job->tables)))) {
		rc = crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out_free;
	}
	if (crm_path_format(job->path, sizeof(job->path), err, "%s", path)) {
		rc = err->code;
		goto out_free;
	}
	job->url = m->p->cfg.target_url;
	job->dir = m->p->cfg.dir;
	/* the tables' names are the project's too */
	memcpy(job->takes, takes, count * sizeof(*takes));
	for (i = 0; i < count; i++)
		job->tables[i] = takes[i].table;
	job->count = count;
	job->err = (struct crm_error)CRM_ERROR_INIT;
	pthread_mutex_init(&job->lock, NULL);
	pthread_cond_init(&job->changed, NULL);
	rc = pthread_create(&job->thread, NULL, snapshot_beside, job);
	if (rc) {
		pthread_cond_destroy(&job->changed);
		pthread_mutex_destroy(&job->lock);
		rc = crm_error_set(err, CRM_EIO, "cannot start a thread: %s", strerror(rc));
		goto out_free;
	}
	m->snapshotting = job;
	pthread_mutex_lock(&job->lock);
	while (!job->begun)
		pthread_cond_wait(&job->changed, &job->lock);
	rc = job->begun;
	pthread_mutex_unlock(&job->lock);
	/* a failure before the transaction began ends the run here, before it writes */
	return rc < 0 ? migrate_snapshot_wait(m, err) : 0;
out_free:
	if (job) {
		crm_free(job->takes);
		crm_free(job->tables);
	}
	crm_free(job);
	return rc;
}

int migrate_snapshot_wait(struct migration *m, struct crm_error *err)
{
	struct before_snapshot *job = m->snapshotting;

	if (!job)
		return err->code;
	pthread_join(job->thread, NULL);
	m->snapshotting = NULL;
	if (job->err.code && !err->code)
		crm_error_set(err, job->err.code, "the snapshot of the target before run %lld: %s", (long long)m->run,
			      job->err.msg);
	pthread_cond_destroy(&job->changed);
	pthread_mutex_destroy(&job->lock);
	crm_free(job->takes);
	crm_free(job->tables);
	crm_free(job);
	return err->code;
}
