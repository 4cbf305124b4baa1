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

/* Removes the folders of drills that were killed: the caller holds the lock, so none is running. */
static void remove_leftovers(const char *project)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/.crmshift", project) >= (int)sizeof(dir) || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "drill.", 6) == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			crm_remove_tree(path);
	closedir(d);
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

/* The steps on the copy in dir (whose target is url): each timed into res. */
static int rehearse(const char *dir, const char *url, struct crm_drill_result *res, struct crm_error *err)
{
	struct crm_drill_record *d = &res->record;
	struct crm_migrate_options mopt;
	struct crm_migrate_result mres;
	struct crm_reconcile_result rres;
	struct crm_rollback_options ropt;
	struct crm_rollback_result rbres;
	struct crm_project p;
	double t;
	size_t i;

	memset(&mopt, 0, sizeof(mopt));
	memset(&ropt, 0, sizeof(ropt));
	memset(&mres, 0, sizeof(mres));
	memset(&rres, 0, sizeof(rres));
	memset(&rbres, 0, sizeof(rbres));
	if (crm_project_open(&p, dir, err)) {
		crm_project_release(&p);
		return err->code;
	}
	crm_free(p.cfg.target_url);
	if (!(p.cfg.target_url = crm_strdup(url))) {
		crm_project_release(&p);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	t = now_seconds();
	if (crm_migrate(&p, &mopt, &mres, err))
		goto out;
	d->migrate_seconds = now_seconds() - t;
	res->run = mres.run_id;
	for (i = 0; i < mres.count; i++) {
		d->rows_written += mres.objects[i].counts.inserted + mres.objects[i].counts.updated;
		res->rejected += mres.objects[i].counts.rejected;
	}
	t = now_seconds();
	if (crm_reconcile(&p, NULL, &rres, err))
		goto out;
	d->reconcile_seconds = now_seconds() - t;
	d->go = rres.go;
	for (i = 0; i < rres.trigger_count; i++)
		if (rres.triggers[i].fired && !res->triggers_fired++)
			snprintf(res->first_trigger, sizeof(res->first_trigger), "%s (%s)", rres.triggers[i].name,
				 rres.triggers[i].subject);
	ropt.run = mres.run_id;
	t = now_seconds();
	if (crm_rollback(&p, &ropt, &rbres, err))
		goto out;
	d->rollback_seconds = now_seconds() - t;
	d->identical = rbres.identical;
out:
	crm_rollback_result_release(&rbres);
	crm_reconcile_result_release(&rres);
	crm_migrate_result_release(&mres);
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
	remove_leftovers(p->cfg.dir);
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
	if (rehearse(dir, url, res, err))
		goto out;
	crm_dt_now(NULL, d->finished_at);
	d->passed = d->identical && d->rollback_seconds <= d->window_seconds;
	res->recorded = record(p, res, err) == 1;
out:
	crm_remove_tree(dir);
	return err->code;
}
