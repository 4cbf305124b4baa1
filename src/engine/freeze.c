/*
 * freeze.c: the source side of a migrate or sync run (migrate-int.h): the
 * snapshot of every export before it is read, the check that an export
 * did not change while a run read it or since the final sync froze the
 * source, and what --resume and --force do about it.
 */
#include "compat.h"
#include "engine/migrate-int.h"
#include "engine/source.h"
#include "util/alloc.h"
#include "util/fault.h"
#include "util/path.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* An export this run reads: the object's file, or the change stream. */
struct run_input {
	const char *object;
	const char *path;
	int changed; /* the freeze check found it differs from the snapshot */
};

/* The run's inputs (crm_free them), *count of them; NULL when out of memory. */
static struct run_input *run_inputs(const struct migration *m, size_t *count)
{
	struct run_input *in = crm_calloc(m->p->count + 1, sizeof(*in));
	size_t i, n = 0;

	if (in && m->opt->events) {
		in[n].object = "events";
		in[n++].path = m->opt->events;
	}
	for (i = 0; in && !m->opt->events && i < m->p->count; i++)
		if (m->res->objects[i].selected) {
			in[n].object = m->p->objects[m->p->order[i]].cfg->name;
			in[n++].path = m->p->objects[m->p->order[i]].path;
		}
	*count = n;
	return in;
}

static const struct crm_source_file *find_source(const struct crm_source_file *files, size_t count, const char *object)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(files[i].object, object) == 0)
			return &files[i];
	return NULL;
}

/* The run's own snapshot, read again after it changed. */
int migrate_load_sources(struct migration *m, struct crm_error *err)
{
	crm_free(m->sources);
	m->sources = NULL;
	return crm_state_source_files(m->session.state, m->run, &m->sources, &m->source_count, err);
}

/* Notes a changed export in list ("\n  path: reason"); cut short, never overflowing. */
static void list_change(char *list, size_t cap, const char *path, const char *reason)
{
	size_t used = strlen(list);

	if (used + 1 < cap)
		snprintf(list + used, cap - used, "\n  %.300s: %.200s", path, reason);
}

/*
 * The freeze check: the run's inputs, by content, against a snapshot (the
 * run's own when it resumes, the final sync's once the source is frozen).
 * A changed, missing or different file is marked changed and refuses the
 * run unless --force, which reads them as they are now (res->forced says
 * which).
 */
static int freeze_check(struct migration *m, struct run_input *in, size_t n, const struct crm_source_file *files,
			size_t count, const char *against, const char *advice, struct crm_error *err)
{
	char list[sizeof(m->res->forced)] = "";
	size_t i;

	for (i = 0; i < n && !err->code; i++) {
		const struct crm_source_file *f = find_source(files, count, in[i].object);
		const char *shown = crm_path_relative(m->p->cfg.dir, in[i].path);
		char reason[256];
		int rc = 1;
		if (!f)
			snprintf(reason, sizeof(reason), "not in that snapshot");
		else if (strcmp(f->path, shown) != 0)
			snprintf(reason, sizeof(reason), "not the file of that snapshot (%.200s)", f->path);
		else
			rc = crm_source_changed(f, in[i].path, 1, reason, sizeof(reason), err);
		if (rc == 1) {
			list_change(list, sizeof(list), shown, reason);
			in[i].changed = 1;
		}
	}
	if (err->code || !list[0])
		return err->code;
	if (!m->opt->force)
		return crm_error_set(err, CRM_EREFUSED, "%s:%s\n%s, or pass --force to read them as they are now",
				     against, list, advice);
	snprintf(m->res->forced, sizeof(m->res->forced), "%s", list);
	return 0;
}

/* Once a sync --final finished, the source is frozen: a later run reads only what that sync read. */
int migrate_check_frozen(struct migration *m, struct crm_error *err)
{
	struct crm_run_info final;
	struct crm_source_file *files = NULL;
	struct run_input *in;
	size_t count = 0, n;
	char against[256];
	int rc = crm_state_run_final(m->session.state, &final, err);

	if (rc != 1)
		return rc < 0 ? rc : 0;
	if (crm_state_source_files(m->session.state, final.id, &files, &count, err))
		return err->code;
	snprintf(against, sizeof(against),
		 "refused: the source was frozen by the final sync (run %lld, %s); these exports differ from what "
		 "it read",
		 (long long) final.id, final.finished_at);
	in = run_inputs(m, &n);
	if (!in)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	else
		freeze_check(m, in, n, files, count, against,
			     "roll that sync back first ('crmshift rollback') to reopen the source", err);
	crm_free(in);
	crm_free(files);
	return err->code;
}

/* A resumed run goes on only with the exports it started with. */
int migrate_check_resumed(struct migration *m, struct crm_error *err)
{
	struct run_input *in;
	char against[256];
	size_t i, n, retaken = 0, taken = 0;

	if (migrate_load_sources(m, err))
		return err->code;
	snprintf(against, sizeof(against),
		 "refused: these exports changed after run %lld took its snapshot; resuming would load a mix of two "
		 "versions",
		 (long long)m->run);
	in = run_inputs(m, &n);
	if (!in)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	/*
	 * An export without an entry was not read (its entry is written before
	 * anything reads it): a run stopped before it got there takes it now.
	 */
	for (i = 0; i < n && !err->code; i++)
		if (!find_source(m->sources, m->source_count, in[i].object) &&
		    !crm_source_take(m->session.state, m->run, m->p->cfg.dir, in[i].object, in[i].path, 0, err))
			taken++;
	if (taken)
		migrate_load_sources(m, err);
	if (!err->code)
		freeze_check(m, in, n, m->sources, m->source_count, against,
			     "restore them and resume, or start a new run ('crmshift migrate')", err);
	/* --force: the changed files are taken again, so the snapshot says what the rest of the run reads */
	for (i = 0; i < n && !err->code; i++)
		if (in[i].changed &&
		    !crm_source_take(m->session.state, m->run, m->p->cfg.dir, in[i].object, in[i].path, 1, err))
			retaken++;
	crm_free(in);
	return err->code || !retaken ? err->code : migrate_load_sources(m, err);
}

/*
 * The exports' hashes, taken on a thread of their own, in load order, while
 * the run loads what it hashed before (the first load of 1.8M rows hashed its
 * 368 MB for 0.3 s before reading a record, the other core idle).
 */
struct source_hashing {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t hashed_one;
	const char *dir;
	struct run_input *in;
	size_t count;
	struct crm_source_file *files;
	struct crm_error *errors;
	size_t hashed;	/* files[0, hashed) are described, or failed (errors) */
	int stop;	/* the run ends: hash no further */
	size_t written; /* files[0, written) are in the state */
};

static void *hash_sources(void *arg)
{
	struct source_hashing *h = arg;
	size_t i;

	for (i = 0; i < h->count; i++) {
		int stop;
		pthread_mutex_lock(&h->lock);
		stop = h->stop;
		pthread_mutex_unlock(&h->lock);
		if (stop)
			break;
		crm_source_describe(h->dir, h->in[i].object, h->in[i].path, 0, &h->files[i], &h->errors[i]);
		pthread_mutex_lock(&h->lock);
		h->hashed = i + 1;
		pthread_cond_broadcast(&h->hashed_one);
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

static void free_hashing(struct source_hashing *h)
{
	crm_free(h->in);
	crm_free(h->files);
	crm_free(h->errors);
	crm_free(h);
}

void migrate_release_sources(struct migration *m)
{
	struct source_hashing *h = m->hashing;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = 1;
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->hashed_one);
	free_hashing(h);
	m->hashing = NULL;
}

int migrate_take_sources(struct migration *m, struct crm_error *err)
{
	struct source_hashing *h = crm_calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	h->dir = m->p->cfg.dir;
	h->in = run_inputs(m, &h->count);
	h->files = crm_calloc(h->count ? h->count : 1, sizeof(*h->files));
	h->errors = crm_calloc(h->count ? h->count : 1, sizeof(*h->errors));
	if (!h->in || !h->files || !h->errors) {
		free_hashing(h);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->hashed_one, NULL);
	rc = pthread_create(&h->thread, NULL, hash_sources, h);
	if (rc) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->hashed_one);
		free_hashing(h);
		return crm_error_set(err, CRM_EIO, "cannot start a thread: %s", strerror(rc));
	}
	m->hashing = h;
	return 0;
}

int migrate_source_ready(struct migration *m, const char *object, struct crm_error *err)
{
	struct source_hashing *h = m->hashing;
	size_t upto, i;

	if (!h)
		return 0;
	upto = object ? h->written : h->count;
	for (i = h->written; object && i < h->count; i++)
		if (strcmp(h->in[i].object, object) == 0) {
			upto = i + 1;
			break;
		}
	if (upto == h->written)
		return 0;
	for (i = h->written; i < upto; i++) {
		pthread_mutex_lock(&h->lock);
		while (h->hashed <= i)
			pthread_cond_wait(&h->hashed_one, &h->lock);
		pthread_mutex_unlock(&h->lock);
		if (h->errors[i].code) {
			*err = h->errors[i];
			return err->code;
		}
		if (crm_state_source_file_put(m->session.state, m->run, &h->files[i], err))
			return err->code;
		crm_fault_point("source-snapshot");
		h->written = i + 1;
	}
	if (h->written == h->count)
		migrate_release_sources(m);
	return migrate_load_sources(m, err);
}

/*
 * Before each pass over an export: has it changed since the run's snapshot
 * (size, modification time)? A run that read half of one version must not
 * read the rest from another.
 */
int migrate_check_unchanged(struct migration *m, const struct crm_project_object *o, struct crm_error *err)
{
	const struct crm_source_file *f;
	char reason[256], list[512] = "";
	int rc;

	if (migrate_source_ready(m, o->cfg->name, err))
		return err->code;
	f = find_source(m->sources, m->source_count, o->cfg->name);
	if (!f)
		return 0;
	rc = crm_source_changed(f, o->path, 0, reason, sizeof(reason), err);
	if (rc != 1)
		return rc;
	list_change(list, sizeof(list), f->path, reason);
	if (!m->opt->force)
		return crm_error_set(err, CRM_EREFUSED,
				     "refused: an export changed while run %lld read it:%s\nthe run stops here; "
				     "restore the file and "
				     "run 'crmshift %s'%s, or add --force to read it as it is now",
				     (long long)m->run, list, m->opt->sync ? "sync" : "migrate --resume",
				     m->opt->sync ? " again" : "");
	snprintf(m->res->forced + strlen(m->res->forced), sizeof(m->res->forced) - strlen(m->res->forced), "%s", list);
	if (crm_source_take(m->session.state, m->run, m->p->cfg.dir, o->cfg->name, o->path, 1, err))
		return err->code;
	return migrate_load_sources(m, err);
}
