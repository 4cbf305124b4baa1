/*
 * drill.c: the cutover rehearsed on a copy (drill.h).
 *
 * The copy is a folder in .crmshift whose entries are symbolic links to the
 * project's own (crmshift.ini, mapping.csv, maps, exports, keys), except
 * .crmshift and reports, which are its own, and a copy of the target and
 * the state. The project is opened there with its target pointed at the
 * copy, so migrate, reconcile and rollback run as they would on the day,
 * writing only inside the folder, which is removed at the end.
 */
#include "compat.h"
#include "engine/drill.h"
#include "engine/migrate.h"
#include "engine/reconcile.h"
#include "engine/rollback.h"
#include "state/session.h"
#include "store/store.h"
#include "transform/datetime.h"
#include "util/alloc.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Links every entry of the project folder into the drill's but .crmshift and reports, made empty there. */
static int mirror_project(const char *dir, const char *drill, struct crm_error *err)
{
	char project[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	struct dirent *e;
	DIR *d;

	/* a link holds the path it is given: relative to the drill's folder, "./mapping.csv" would name itself */
	if (!realpath(dir, project) || !(d = opendir(project)))
		return crm_error_set(err, CRM_EIO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL && !err->code) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, ".crmshift") == 0 || strcmp(e->d_name, "reports") == 0)
			continue;
		if (crm_path_format(from, sizeof(from), err, "%s/%s", project, e->d_name) ||
		    crm_path_format(to, sizeof(to), err, "%s/%s", drill, e->d_name))
			break;
		if (symlink(from, to) != 0)
			crm_error_set(err, CRM_EIO, "%s: %s", to, strerror(errno));
	}
	closedir(d);
	if (err->code)
		return err->code;
	if (crm_path_format(to, sizeof(to), err, "%s/.crmshift", drill) || crm_mkdir_private(to, err) ||
	    crm_path_format(to, sizeof(to), err, "%s/reports", drill) || crm_mkdir_private(to, err))
		return err->code;
	return 0;
}

static int copy_snapshot(void *drill, const char *rel, const char *path, struct crm_error *err)
{
	char to[PATH_MAX];

	if (crm_path_format(to, sizeof(to), err, "%s/%s", (const char *)drill, rel))
		return err->code;
	return crm_file_copy(path, to, err);
}

/* The drill's copy of the real project's snapshots: rollback checks against its run's, sync reads earlier ones. */
static int copy_snapshots(const char *project, const char *drill, struct crm_error *err)
{
	char to_dir[PATH_MAX];

	if (crm_path_format(to_dir, sizeof(to_dir), err, "%s/.crmshift/snapshots", drill) ||
	    crm_mkdir_private(to_dir, err))
		return err->code;
	return crm_dir_each_file(project, ".crmshift/snapshots", copy_snapshot, (void *)drill, err);
}

/*
 * Removes the copy of the drill in folder dir, then the folder; when the
 * copy cannot be removed (a server down) the folder stays, so that a later
 * drill tries again.
 */
static int remove_drill(const char *url, const char *dir, struct crm_error *err)
{
	char into[PATH_MAX];

	if (crm_path_format(into, sizeof(into), err, "%s/.crmshift", dir) || crm_store_copy_remove(url, into, err))
		return err->code;
	crm_remove_tree(dir);
	return 0;
}

/* Removes what drills that were killed left: the caller holds the lock, so none is running. */
static void remove_leftovers(const struct crm_project *p)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/.crmshift", p->cfg.dir) >= (int)sizeof(dir) || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		struct crm_error ignored = CRM_ERROR_INIT;
		if (strncmp(e->d_name, "drill.", 6) == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			remove_drill(p->cfg.target_url, path, &ignored);
	}
	closedir(d);
}

/*
 * The newest run of project dir's state (on target url) not rolled back:
 * 1 with its id, 0 when there is none (or no state), < 0 error.
 */
static int newest_live(const char *dir, const char *url, int64_t *id, struct crm_error *err)
{
	char path[PATH_MAX];
	struct crm_session session;
	struct crm_run_info info;
	int rc;

	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", dir))
		return err->code;
	rc = crm_session_open(url, dir, path, 0, 0, &session, err);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = crm_state_run_newest_live(session.state, &info, err);
	if (rc == 1)
		*id = info.id;
	crm_session_close(&session);
	return rc;
}

/* Keeps the drill in the real state, when the project has one. 1 kept, 0 no state, < 0 error. */
static int record(struct crm_project *p, struct crm_drill_result *res, struct crm_error *err)
{
	char path[PATH_MAX];
	struct crm_session session;
	int rc;

	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", p->cfg.dir))
		return err->code;
	rc = crm_session_open(p->cfg.target_url, p->cfg.dir, path, 0, 0, &session, err);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = crm_state_drill_add(session.state, &res->record, &res->record.id, err);
	crm_session_close(&session);
	return rc ? rc : 1;
}

/* Opens the project in the drill's folder dir with its target at url, the copy's. */
static int open_copy(struct crm_project *p, const char *dir, const char *url, struct crm_error *err)
{
	if (crm_project_open(p, dir, err))
		return err->code;
	crm_free(p->cfg.target_url);
	if (!(p->cfg.target_url = crm_strdup(url)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

/* Reconcile on the copy, timed into res. */
static int rehearse_reconcile(struct crm_project *p, struct crm_drill_result *res, struct crm_error *err)
{
	struct crm_reconcile_result rres;
	double t = now_seconds();
	size_t i;

	memset(&rres, 0, sizeof(rres));
	if (!crm_reconcile(p, NULL, &rres, err)) {
		res->record.reconcile_seconds = now_seconds() - t;
		res->record.go = rres.go;
		for (i = 0; i < rres.trigger_count; i++)
			if (rres.triggers[i].fired && !res->triggers_fired++)
				snprintf(res->first_trigger, sizeof(res->first_trigger), "%s (%s)",
					 rres.triggers[i].name, rres.triggers[i].subject);
	}
	crm_reconcile_result_release(&rres);
	return err->code;
}

/* Rolls back run on the copy, adding its time into res; 1 when it left the copy identical, 0 when not. */
static int rehearse_rollback(struct crm_project *p, int64_t run, struct crm_drill_result *res, struct crm_error *err)
{
	struct crm_rollback_options ropt;
	struct crm_rollback_result rbres;
	double t = now_seconds();
	int identical = 0;

	memset(&ropt, 0, sizeof(ropt));
	memset(&rbres, 0, sizeof(rbres));
	ropt.run = run;
	if (!crm_rollback(p, &ropt, &rbres, err)) {
		res->record.rollback_seconds += now_seconds() - t;
		identical = rbres.identical;
		if (res->record.live_runs)
			res->record.rows_written += rbres.deleted + rbres.restored;
	}
	crm_rollback_result_release(&rbres);
	return err->code ? err->code : identical;
}

/* The cutover of the next run on the copy in dir (whose target is url): migrate, reconcile, rollback. */
static int rehearse_next_run(const char *dir, const char *url, struct crm_drill_result *res, struct crm_error *err)
{
	struct crm_drill_record *d = &res->record;
	struct crm_migrate_options mopt;
	struct crm_migrate_result mres;
	struct crm_project p;
	double t;
	size_t i;
	int rc;

	memset(&mopt, 0, sizeof(mopt));
	memset(&mres, 0, sizeof(mres));
	if (open_copy(&p, dir, url, err))
		goto out;
	t = now_seconds();
	if (crm_migrate(&p, &mopt, &mres, err))
		goto out;
	d->migrate_seconds = now_seconds() - t;
	res->run = mres.run_id;
	for (i = 0; i < mres.count; i++) {
		d->rows_written += mres.objects[i].counts.inserted + mres.objects[i].counts.updated;
		res->rejected += mres.objects[i].counts.rejected;
	}
	if (rehearse_reconcile(&p, res, err) || (rc = rehearse_rollback(&p, mres.run_id, res, err)) < 0)
		goto out;
	d->identical = rc;
out:
	crm_migrate_result_release(&mres);
	crm_project_release(&p);
	return err->code;
}

/*
 * Rolling back what is loaded, on the copy in dir: reconcile, then every
 * run not rolled back, newest first, as the cutover's rollback would; the
 * copy is identical when each rollback left it as it was before its run.
 */
static int rehearse_live(const char *dir, const char *url, struct crm_drill_result *res, struct crm_error *err)
{
	struct crm_drill_record *d = &res->record;
	struct crm_project p;
	int64_t run, last = 0;
	int rc;

	if (open_copy(&p, dir, url, err) || rehearse_reconcile(&p, res, err))
		goto out;
	d->identical = 1;
	while ((rc = newest_live(dir, url, &run, err)) == 1) {
		/* a run that stays live after its rollback would be rolled back forever */
		if (run == last) {
			crm_error_set(err, CRM_EINTERNAL, "run %lld is still live after its rollback on the copy",
				      (long long)run);
			break;
		}
		if (!res->run)
			res->run = run;
		d->live_runs++;
		if ((rc = rehearse_rollback(&p, run, res, err)) < 0)
			break;
		d->identical = d->identical && rc;
		last = run;
	}
out:
	crm_project_release(&p);
	return err->code;
}

int crm_drill(struct crm_project *p, const struct crm_drill_options *opt, struct crm_drill_result *res,
	      struct crm_error *err)
{
	struct crm_drill_record *d = &res->record;
	char dir[PATH_MAX], abs[PATH_MAX], into[PATH_MAX], state[PATH_MAX], url[PATH_MAX + 8];
	double t;

	memset(res, 0, sizeof(*res));
	d->window_seconds = opt->window_seconds >= 0 ? opt->window_seconds : p->cfg.policy.decision_window;
	crm_dt_now(NULL, d->started_at);
	remove_leftovers(p);
	if (opt->live) {
		int64_t run;
		int rc = newest_live(p->cfg.dir, p->cfg.target_url, &run, err);
		if (rc < 0)
			return err->code;
		if (rc == 0)
			return crm_error_set(err, CRM_EINPUT,
					     "nothing is loaded: drill --live rehearses rolling back the runs loaded "
					     "already; without --live the drill rehearses the next run");
	}
	if (crm_path_format(dir, sizeof(dir), err, "%s/.crmshift", p->cfg.dir) || crm_mkdir_private(dir, err) ||
	    crm_path_format(dir, sizeof(dir), err, "%s/.crmshift/drill.XXXXXX", p->cfg.dir))
		return err->code;
	if (!mkdtemp(dir))
		return crm_error_set(err, CRM_EIO, "cannot create the drill's folder in %s/.crmshift: %s", p->cfg.dir,
				     strerror(errno));
	/* absolute: the copy's target url is read from the drill's folder, not from here */
	if (!realpath(dir, abs)) {
		crm_error_set(err, CRM_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	memcpy(dir, abs, sizeof(dir));
	t = now_seconds();
	if (mirror_project(p->cfg.dir, dir, err) || copy_snapshots(p->cfg.dir, dir, err) ||
	    crm_path_format(into, sizeof(into), err, "%s/.crmshift", dir) ||
	    crm_path_format(state, sizeof(state), err, "%s/.crmshift/state.db", p->cfg.dir) ||
	    crm_store_copy(p->cfg.target_url, p->cfg.dir, state, into, url, sizeof(url), err))
		goto out;
	d->copy_seconds = now_seconds() - t;
	if ((opt->live ? rehearse_live(dir, url, res, err) : rehearse_next_run(dir, url, res, err)) ||
	    remove_drill(p->cfg.target_url, dir, err))
		goto out;
	crm_dt_now(NULL, d->finished_at);
	d->passed = d->identical && d->rollback_seconds <= d->window_seconds;
	res->recorded = record(p, res, err) == 1;
	return err->code;
out:
	/* the step's error is the one to tell; a copy left over is removed by the next drill */
	remove_drill(p->cfg.target_url, dir, &(struct crm_error)CRM_ERROR_INIT);
	return err->code;
}
