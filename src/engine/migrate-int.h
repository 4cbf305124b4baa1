/*
 * migrate-int.h: what the modules of a migrate run share and nothing else
 * sees (the way SQLite keeps a layer's internals behind a private header):
 * the run's context, and the source snapshot and freeze checks of
 * freeze.c. The public interface is migrate.h.
 */
#ifndef CRM_MIGRATE_INT_H
#define CRM_MIGRATE_INT_H

#include "compat.h"
#include "engine/migrate.h"
#include "engine/sample.h"
#include "engine/snapshot.h"
#include "state/session.h"
#include "transform/datetime.h"
#include "util/arena.h"
#include "util/buf.h"

#include <limits.h>
#include <stdio.h>

struct written_snapshot {
	int64_t run;
	struct crm_snapshot *snap; /* NULL when the run has none */
};

struct migration {
	struct crm_project *p;
	const struct crm_migrate_options *opt;
	struct crm_migrate_result *res;
	struct crm_session session;
	struct crm_sample sample;
	int sampling;
	int64_t run;
	char load_time[CRM_DT_MAX];
	FILE *rejects;
	FILE *orphans;
	FILE *conflicts;	      /* sync */
	char plain_rejects[PATH_MAX]; /* the rejects' plain copy once they are sealed */
	struct crm_tz tz;	      /* reads [object] modified values written without a zone */
	struct crm_arena arena;
	struct crm_buf hashbuf;
	struct crm_buf pre_image;
	struct crm_xref_cache **caches; /* per project object, once a reference needs it */
	struct key_map *key_maps;	/* ref(Object.field): built at first use, dropped when the parent changes */
	size_t key_map_count;
	int64_t *keys;			    /* per project object: its key in the state database */
	struct crm_idcount *conflicted;	    /* per project object: target rows left as conflicts this run */
	struct written_snapshot *snapshots; /* after-snapshots of earlier runs, loaded as conflicts need them */
	size_t snapshot_count;
	struct crm_source_file *sources; /* the run's source snapshot: each export as it started */
	size_t source_count;
	char tmpdir[PATH_MAX];
	int preview; /* a dry run against the real target: one transaction, rolled back at the end */
};

/*
 * The source side of a run (freeze.c). Each returns 0 or an error code with
 * err set; a refusal is CRM_EREFUSED naming the exports and what differs.
 */
/* The run's source snapshot as the state holds it, into m->sources. */
int migrate_load_sources(struct migration *m, struct crm_error *err);
/* Once a sync --final finished, the source is frozen: a later run reads only what that sync read. */
int migrate_check_frozen(struct migration *m, struct crm_error *err);
/* The snapshot of every export the run reads, before it reads them. */
int migrate_take_sources(struct migration *m, struct crm_error *err);
/* A resumed run: the exports are as its snapshot says, or taken now when it read none of them yet. */
int migrate_check_resumed(struct migration *m, struct crm_error *err);
/* Before each pass over an export: unchanged since the run's snapshot (or taken again under --force). */
int migrate_check_unchanged(struct migration *m, const struct crm_project_object *o, struct crm_error *err);

#endif
