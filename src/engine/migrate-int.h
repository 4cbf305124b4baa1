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
#include "audit/keys.h"
#include "transform/program.h"

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

/* The key files at rest are sealed with ([security] key_file), or NULL. */
static inline const struct crm_key *migrate_seal_key(const struct migration *m)
{
	return m->p->data_key.id[0] ? &m->p->data_key : NULL;
}

/*
 * The run's reports (reports.c): reports/rejects-RUN.csv, orphans-RUN.csv
 * and, for a sync, conflicts-RUN.csv (the -dry-run names for a dry run).
 */
/* Opens them, cut back to the committed offsets for a resumed run. */
int migrate_open_reports(struct migration *m, int64_t rejects_offset, int64_t orphans_offset, struct crm_error *err);
/* Writes them out: before the batch they belong to commits. */
int migrate_flush_reports(struct migration *m, struct crm_error *err);
/*
 * A row of the rejects report: a record that did not load, or (blanked) a
 * field on_invalid = blank left empty in a record that did.
 */
int migrate_report_row(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
		       const char *field, const char *rule, const char *reason, int blanked, struct crm_error *err);
/* A record that did not load, with the field, the rule and the reason. */
int migrate_report_reject(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
			  const char *field, const char *rule, const char *reason, struct crm_error *err);
/* Why a reference did not resolve, into out (missing: what to add after it). */
void migrate_orphan_reason(char *out, size_t cap, const struct crm_field_program *field, const char *value, size_t len,
			   const char *missing);
/* A reference whose parent is not loaded (rejected: the record was rejected for it), in the orphans report. */
int migrate_report_orphan(struct migration *m, const struct crm_project_object *o, const char *id, size_t id_len,
			  unsigned long line, const struct crm_field_program *field, const char *parent_id,
			  size_t parent_len, int rejected, struct crm_error *err);
/* A record changed in the source whose target row users edited; the caller counts it. */
int migrate_report_conflict(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
			    int64_t target_id, const char *change, struct crm_error *err);
/* The data rows of a report (-1 when it cannot be read), and of them the blanked-field notes. */
int64_t migrate_count_report_rows(const char *path, int64_t *blanked);
/* With a data key, the rejects sealed at rest; the plain copy removed once the run is done. */
int migrate_seal_rejects(struct migration *m, struct crm_error *err);
void migrate_remove_plain_rejects(struct migration *m);

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
