/*
 * merge.c: [dedupe] in a migrate run. Before the first pass each object's
 * groups are found (dedupe.c) and set against the cross-reference: a group
 * whose records already name two or more target rows is left as it is,
 * since joining rows that exist would move their children; a group that
 * names one row keeps it, whichever record survives now. In pass 1 the
 * survivor loads (its blanks filled when fill = yes) and the others do not;
 * when the pass ends each merged source id is pointed at the survivor's row
 * and noted in the state (crmshift.merges) for rollback to forget. The run
 * writes reports/merges-RUN.csv from the groups, so a resumed run writes
 * what an uninterrupted one does.
 */
#include "engine/migrate-int.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <string.h>

struct xref_lookup {
	struct crm_state *state;
	int64_t key; /* 0: the object was never loaded */
};

static int xref_row(void *ctx, const char *id, size_t len, int64_t *row, struct crm_error *err)
{
	const struct xref_lookup *l = ctx;
	struct crm_xref x;
	int found;

	if (!l->key)
		return 0;
	found = crm_state_xref_get(l->state, l->key, id, len, &x, err);
	if (found == 1)
		*row = x.target_id;
	return found;
}

int migrate_merge_plan(struct migration *m, struct crm_error *err)
{
	size_t i;

	m->merge_plans = crm_calloc(m->p->count ? m->p->count : 1, sizeof(*m->merge_plans));
	if (!m->merge_plans)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < m->p->count; i++) {
		struct crm_project_object *o = &m->p->objects[m->p->order[i]];
		const struct crm_dedupe_config *d = crm_config_dedupe(&m->p->cfg, o->cfg->name);
		struct merge_plan *plan;
		struct xref_lookup lookup = {m->session.state, m->keys[m->p->order[i]]};
		if (!d || !m->res->objects[i].selected)
			continue;
		plan = crm_calloc(1, sizeof(*plan));
		if (!plan)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		m->merge_plans[m->p->order[i]] = plan;
		if (migrate_source_ready(m, NULL, err) || crm_dedupe_find(m->p, o, d, &plan->found, err))
			return err->code;
		if (crm_dedupe_rows(&plan->found, xref_row, &lookup, &plan->rows, &plan->unmerged, err))
			return err->code;
	}
	return 0;
}

void migrate_merge_release(struct migration *m)
{
	size_t i;

	for (i = 0; m->merge_plans && i < m->p->count; i++)
		if (m->merge_plans[i]) {
			crm_dedupe_result_release(&m->merge_plans[i]->found);
			crm_free(m->merge_plans[i]->rows);
			crm_free(m->merge_plans[i]->unmerged);
			crm_free(m->merge_plans[i]);
		}
	crm_free(m->merge_plans);
	m->merge_plans = NULL;
}

enum merge_role migrate_merge_role(const struct migration *m, const struct object_run *orun,
				   const struct crm_stage_record *rec, size_t *group)
{
	const struct merge_plan *plan = m->merge_plans ? m->merge_plans[orun->o - m->p->objects] : NULL;
	long member;
	int repeat;

	if (!plan || (member = crm_dedupe_member(&plan->found, rec->id, rec->id_len, rec->line, &repeat)) < 0)
		return MERGE_NONE;
	*group = plan->found.group_of[member];
	if (plan->unmerged[*group])
		return MERGE_NONE;
	if (repeat)
		return MERGE_REPEAT;
	return (size_t)member == plan->found.groups[*group].first ? MERGE_SURVIVOR : MERGE_MERGED;
}

int migrate_merge_survivor(struct migration *m, struct object_run *orun, size_t group, struct prepared *pr,
			   struct crm_error *err)
{
	const struct merge_plan *plan = m->merge_plans[orun->o - m->p->objects];
	struct crm_xref x;
	int found;

	pr->values = crm_dedupe_filled(&plan->found, group, pr->values, &m->arena);
	pr->ref_hashes = NULL; /* of the record's values, not of those filled in */
	if (!pr->values)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!plan->rows[group])
		return 0;
	/* another record of the person has the row: the survivor takes it over, and writes its values there */
	found = crm_state_xref_get(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
	if (found)
		return found < 0 ? err->code : 0;
	memset(&x, 0, sizeof(x));
	x.target_id = plan->rows[group];
	return crm_state_xref_put(m->session.state, orun->key, pr->id, pr->id_len, &x, err);
}

int migrate_merge_finish(struct migration *m, struct object_run *orun, struct crm_error *err)
{
	const struct merge_plan *plan = m->merge_plans ? m->merge_plans[orun->o - m->p->objects] : NULL;
	size_t g, k;

	for (g = 0; plan && g < plan->found.group_count; g++) {
		const struct crm_dedupe_group *group = &plan->found.groups[g];
		const struct crm_dedupe_member *survivor = &plan->found.members[group->first];
		struct crm_xref s;
		int found;
		if (plan->unmerged[g])
			continue;
		found = crm_state_xref_get(m->session.state, orun->key, survivor->id, strlen(survivor->id), &s, err);
		if (found < 0)
			return err->code;
		for (k = 1; k < group->count; k++) {
			const struct crm_dedupe_member *mb = &plan->found.members[group->first + k];
			size_t len = strlen(mb->id);
			struct crm_xref x;
			int had;
			if (!found) {
				char reason[320];
				snprintf(
					reason, sizeof(reason),
					"is the same person as '%.200s', whose record was not loaded (see its reasons)",
					survivor->id);
				orun->result->counts.rejected++;
				if (migrate_report_reject(m, orun->o->cfg->name, mb->id, len, mb->line, "", "dedupe",
							  reason, err))
					return err->code;
				continue;
			}
			orun->result->counts.merged++;
			had = crm_state_xref_get(m->session.state, orun->key, mb->id, len, &x, err);
			if (had < 0)
				return err->code;
			if (had && x.target_id == s.target_id) {
				/* merged by an earlier run: nothing changes */
				if (crm_state_xref_seen(m->session.state, orun->key, mb->id, len, x.target_id, m->run,
							err))
					return err->code;
				continue;
			}
			memset(&x, 0, sizeof(x));
			x.target_id = s.target_id;
			x.seen_run = x.write_run = m->run;
			if (crm_state_xref_put(m->session.state, orun->key, mb->id, len, &x, err) ||
			    crm_state_merge_add(m->session.state, m->run, orun->key, mb->id, len, s.target_id, err) ||
			    migrate_cache_note(m, orun->o, crm_xref_cache_hash(mb->id, len), s.target_id, err))
				return err->code;
		}
	}
	return 0;
}

int migrate_write_merges(struct migration *m, struct crm_error *err)
{
	struct crm_atomic_file af;
	size_t i, g;
	int io = 0;

	for (i = 0; m->merge_plans && i < m->p->count && !m->merge_plans[i]; i++)
		;
	if (!m->merge_plans || i == m->p->count)
		return 0;
	if (crm_path_format(m->res->merges_path, sizeof(m->res->merges_path), err,
			    m->opt->dry_run ? "%s/reports/merges-dry-run.csv" : "%s/reports/merges-%lld.csv",
			    m->p->cfg.dir, (long long)m->run) ||
	    crm_atomic_open(&af, m->res->merges_path, err))
		return err->code;
	io |= fputs(CRM_DEDUPE_CSV_HEADER, af.f) == EOF;
	for (i = 0; i < m->p->count && !io; i++) {
		const struct merge_plan *plan = m->merge_plans[m->p->order[i]];
		if (!plan)
			continue;
		for (g = 0; g < plan->found.group_count; g++)
			m->res->merge_groups += !plan->unmerged[g];
		m->res->merged += m->res->objects[i].counts.merged;
		io |= crm_dedupe_write_rows(af.f, m->p->objects[m->p->order[i]].cfg->name, &plan->found,
					    plan->unmerged) != 0;
	}
	if (io)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->merges_path, strerror(errno));
	/* on an error, the temporary file goes; source ids of people are sealed at rest like the rejects */
	if (crm_atomic_commit(&af, err))
		return err->code;
	return migrate_seal_report(m, m->res->merges_path, err);
}
