/*
 * project.h: a migration project opened for work: its config, its mapping,
 * one compiled program per source object (compiled against the export's
 * header) and the load order. Opening a project is what `plan` checks and
 * what every command that moves data starts from.
 *
 * Load order is a topological sort of the ref() graph, parents first. A
 * reference to the object itself (Account.ParentId) or to an object loaded
 * later (a cycle, broken where it costs least) is "deferred": filled in a
 * second pass once both sides are loaded.
 */
#ifndef CRM_PROJECT_H
#define CRM_PROJECT_H

#include "compat.h"
#include "audit/keys.h"
#include "io/reader.h"
#include "model/config.h"
#include "model/mapping.h"
#include "transform/program.h"
#include "util/error.h"

struct crm_project_object {
	const struct crm_object_config *cfg; /* borrowed from project->cfg */
	char *path;			     /* the export file */
	const char *encoding;
	struct crm_program *prog; /* NULL when it failed to compile */
	int *deferred;		  /* per prog field: 1 for a reference filled in pass 2 */
	int has_deferred;
	size_t order;	/* position in the load order */
	char **columns; /* the export's header */
	size_t column_count;
	long modified_col; /* [object] modified: its column, or -1 */
	long deleted_col;  /* [object] deleted: its column, or -1 */
};

struct crm_project {
	struct crm_config cfg;
	struct crm_mapping map;
	struct crm_project_object *objects; /* in config order */
	size_t count;
	size_t *order;		/* indices into objects, parents first */
	struct crm_diags diags; /* every error found while opening */
	int cycle_broken;	/* a reference cycle between objects was found */
	/* [security] keys, zeroed on release; id "" when not configured */
	struct crm_key pseudonym_key; /* pseudonymize_key: keys pseudonymize */
	struct crm_key data_key;      /* key_file: seals files at rest */
};

/*
 * Opens the project in dir. On a config error it fails at once; mapping and
 * compile errors are all collected in p->diags and the first is returned in
 * err. On error p holds only those diagnostics (crm_project_release frees them).
 */
int crm_project_open(struct crm_project *p, const char *dir, struct crm_error *err);
void crm_project_release(struct crm_project *p);

/* Opens o's export with the reader its format needs (config.h); NULL with err set. */
struct crm_reader *crm_project_reader_open(const struct crm_project_object *o, struct crm_error *err);

/* The object with this source name, or NULL. */
struct crm_project_object *crm_project_object(struct crm_project *p, const char *name);
/*
 * The next name of a comma-separated --objects list, blanks around it
 * trimmed: its start, with its length in *len (it is not NUL-terminated);
 * NULL past the last. *cursor (the list at first) moves on.
 */
const char *crm_project_list_next(const char **cursor, size_t *len);
/* 1 when name is in the comma-separated list (NULL selects every object). */
int crm_project_selected(const char *list, const char *name);
/* CRM_EUSAGE naming the first entry of list that is not an object of p. */
int crm_project_check_selection(const struct crm_project *p, const char *list, struct crm_error *err);

/*
 * A copy of o that reads the file at path instead (a delta a sync applied):
 * its own path and program compiled against that file's header, the rest
 * borrowed from o. Release with crm_project_file_view_release.
 */
int crm_project_file_view(struct crm_project *p, const struct crm_project_object *o, const char *path,
			  struct crm_project_object *view, struct crm_error *err);
void crm_project_file_view_release(struct crm_project_object *view);

/*
 * Points o at another export file of the same object (sync's delta files)
 * and compiles its program against that file's header, whose columns may
 * come in another order. On error o has no program.
 */
int crm_project_use_file(struct crm_project *p, struct crm_project_object *o, const char *path, struct crm_error *err);

#endif
