/*
 * dedupe.h: which records of an object are one person ([dedupe "Object"]).
 * Reads the object's export through its compiled program, as migrate's
 * first pass does, keys each record by every match rule (the rule's target
 * fields after the mapping, compared folded: NFKC case-folded text with
 * white space collapsed, phones in E.164, a blank field never matching),
 * joins records that share a key under any rule, transitively, and picks
 * each group's survivor (first, most_recent or most_complete).
 *
 * Memory: per record its id, 24 bytes a rule that keys it and a few words:
 * the export is read once and nothing of it is kept beyond that.
 *
 * Not for: what the target does with a group. That is migrate's.
 */
#ifndef CRM_DEDUPE_H
#define CRM_DEDUPE_H

#include "compat.h"
#include "engine/project.h"
#include "util/arena.h"
#include "util/hash.h"

#include <stdio.h>

/* A record of a group of two or more: its source id and the rule that first joined it to another. */
struct crm_dedupe_member {
	char *id;    /* owned by the result's arena */
	size_t rule; /* index into the config's rules */
	unsigned long line;
};

/* members[first] is the survivor; the others follow in export order. */
struct crm_dedupe_group {
	size_t first, count;
};

struct crm_dedupe_result {
	const struct crm_dedupe_config *cfg; /* borrowed from the project */
	int64_t records;		     /* records considered: mapped cleanly, with an id, not flagged deleted */
	struct crm_dedupe_member *members;   /* every group's, group after group */
	size_t member_count;
	struct crm_dedupe_group *groups; /* in export order of their survivors */
	size_t group_count;
	int64_t *merged_by_rule; /* per rule: members other than survivors that it joined first */
	size_t *group_of;	 /* per member: its group */
	/*
	 * fill = yes: per group, prog->field_count values (fills + group *
	 * field_count): the first value in export order among the others of a
	 * field the survivor leaves blank; ptr NULL where there is none.
	 */
	struct crm_value *fills;
	size_t field_count;
	struct crm_strmap by_id; /* member source id -> member index */
	struct crm_arena arena;
};

/*
 * Checks d's rules against o's program: every field must be a target
 * column the mapping fills. CRM_EINPUT names the rule, the field and the
 * section's line.
 */
int crm_dedupe_check(const struct crm_project *p, const struct crm_project_object *o, const struct crm_dedupe_config *d,
		     struct crm_error *err);

/*
 * Finds the groups of o's export by d (date-times without a zone read in
 * p's [source] timezone). Returns 0, or an error from reading
 * the export (the reader's file:line:column message) or CRM_ENOMEM. res is
 * initialised here; release it either way.
 */
int crm_dedupe_find(struct crm_project *p, struct crm_project_object *o, const struct crm_dedupe_config *d,
		    struct crm_dedupe_result *res, struct crm_error *err);
void crm_dedupe_result_release(struct crm_dedupe_result *res);

/* A source id's target row: 1 and *row when it has one, 0 when not, < 0 with err set. */
typedef int (*crm_dedupe_row_fn)(void *ctx, const char *id, size_t len, int64_t *row, struct crm_error *err);

/*
 * The row each group's records already name in the target, by fn: rows[g]
 * (0 when none), and unmerged[g] set when they name several. Such a group
 * is not merged (joining rows that exist would move their children):
 * migrate loads its records as any, and reconcile reconciles them so. Both
 * arrays are new (crm_free); 0 or an error code.
 */
int crm_dedupe_rows(const struct crm_dedupe_result *res, crm_dedupe_row_fn fn, void *ctx, int64_t **rows,
		    unsigned char **unmerged, struct crm_error *err);

/*
 * Writes res's groups to out as CSV rows object,survivor_id,source_id,rule,
 * outcome (the header is the caller's): "survivor" and "merged", or, for a
 * group g with unmerged[g] set, "not merged: several rows in the target
 * already" (unmerged may be NULL). -1 on a write error (errno says why).
 */
#define CRM_DEDUPE_CSV_HEADER "object,survivor_id,source_id,rule,outcome\n"
int crm_dedupe_write_rows(FILE *out, const char *object, const struct crm_dedupe_result *res,
			  const unsigned char *unmerged);

/*
 * The index of the member with source id (id, len), or -1 when it is in no
 * group. *repeat is set when the record at line is not that member but a
 * later record with its id (which migrate rejects as a repeated id).
 */
long crm_dedupe_member(const struct crm_dedupe_result *res, const char *id, size_t len, unsigned long line,
		       int *repeat);

/*
 * The survivor's values with its blanks filled from its group (fill = yes),
 * in arena; values itself when there is nothing to fill. NULL on OOM.
 */
const struct crm_value *crm_dedupe_filled(const struct crm_dedupe_result *res, size_t group,
					  const struct crm_value *values, struct crm_arena *arena);

/*
 * The folded form of a value as match rules compare it, into out (cap
 * bytes, NUL-terminated); phone: the field holds telephone numbers.
 * Returns the length, or 0 for a blank value (which never matches).
 */
size_t crm_dedupe_fold(const char *in, size_t len, int phone, char *out, size_t cap);

#endif
