/*
 * reports.c: the reports of a migrate or sync run (migrate-int.h): rejects,
 * orphans and conflicts as CSV rows with a reason each, written before the
 * batch they belong to commits, cut back on --resume, sealed at rest when
 * a key is configured.
 */
#include "compat.h"
#include "engine/migrate-int.h"
#include "audit/seal.h"
#include "io/csv.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the rejects report says of a field on_invalid = blank left empty, before the value's problem. */
static const char blanked_prefix[] = "field left empty, record loaded (on_invalid = blank): ";

/*
 * Why a reference did not resolve. A value listing several ids (HubSpot's
 * "Associated Company IDs" as 111;222) names records that may all be
 * loaded: a link holds one, and which one is the user's call.
 */
void migrate_orphan_reason(char *out, size_t cap, const struct crm_field_program *field, const char *value, size_t len,
			   const char *missing)
{
	const char *parent = field->ref_object;
	int shown = (int)(len > 64 ? 64 : len);

	if (memchr(value, ';', len))
		snprintf(out, cap, "'%.*s' lists several %s records, and a link holds one: name the primary by hand",
			 shown, value, parent);
	else if (field->ref_key)
		snprintf(out, cap, "no loaded %s has %s '%.*s', or several do%s", parent, field->ref_key, shown, value,
			 missing);
	else if (field->alt_count > 1) {
		/* a polymorphic reference: the id names none of its objects, or one not loaded */
		const struct crm_field_program *group = field - field->alt_index;
		char objects[256];
		size_t a, at = 0;
		objects[0] = '\0';
		for (a = 0; a < field->alt_count && at < sizeof(objects); a++)
			at += (size_t)snprintf(objects + at, sizeof(objects) - at, "%s%s",
					       a == 0			   ? ""
					       : a + 1 == field->alt_count ? " or "
									   : ", ",
					       group[a].ref_object);
		snprintf(out, cap, "parent %s '%.*s' is not loaded%s", objects, shown, value, missing);
	} else
		snprintf(out, cap, "parent %s '%.*s' is not loaded%s", parent, shown, value, missing);
}

static void copy_text(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int write_row(FILE *out, const char *const *cols, const size_t *lens, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (crm_csv_write_cell(out, cols[i], lens[i], i == 0))
			return -1;
	return fputc('\n', out) == EOF ? -1 : 0;
}

/* A row of the rejects report: a reason the record was not loaded, or (blanked) a field left empty. */
int migrate_report_row(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
		       const char *field, const char *rule, const char *reason, int blanked, struct crm_error *err)
{
	char line_text[24], text[CRM_ERROR_MSG_MAX];
	const char *cols[6];
	size_t lens[6], i;
	struct crm_report_example *examples = blanked ? m->res->blanks : m->res->rejects;
	size_t *example_count = blanked ? &m->res->blank_examples : &m->res->reject_examples;

	snprintf(line_text, sizeof(line_text), "%lu", line);
	if (blanked)
		snprintf(text, sizeof(text), "%s%s", blanked_prefix, reason);
	cols[0] = object;
	cols[1] = id;
	cols[2] = line_text;
	cols[3] = field;
	cols[4] = rule;
	cols[5] = blanked ? text : reason;
	for (i = 0; i < 6; i++)
		lens[i] = i == 1 ? id_len : strlen(cols[i]);
	if (write_row(m->rejects, cols, lens, 6))
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->rejects_path, strerror(errno));
	*(blanked ? &m->res->blanked_rows : &m->res->reject_rows) += 1;
	if (*example_count < CRM_EXAMPLES_MAX) {
		struct crm_report_example *ex = &examples[(*example_count)++];
		copy_text(ex->object, sizeof(ex->object), object, strlen(object));
		copy_text(ex->source_id, sizeof(ex->source_id), id, id_len);
		ex->line = line;
		copy_text(ex->field, sizeof(ex->field), field, strlen(field));
		copy_text(ex->rule, sizeof(ex->rule), rule, strlen(rule));
		copy_text(ex->reason, sizeof(ex->reason), reason, strlen(reason));
	}
	return 0;
}

int migrate_report_reject(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
			  const char *field, const char *rule, const char *reason, struct crm_error *err)
{
	return migrate_report_row(m, object, id, id_len, line, field, rule, reason, 0, err);
}

int migrate_report_orphan(struct migration *m, const struct crm_project_object *o, const char *id, size_t id_len,
			  unsigned long line, const struct crm_field_program *field, const char *parent_id,
			  size_t parent_len, int rejected, struct crm_error *err)
{
	char line_text[24];
	const char *outcome = rejected ? "rejected: the reference is required" : "loaded without the link";
	const char *cols[7];
	size_t lens[7], i;

	snprintf(line_text, sizeof(line_text), "%lu", line);
	cols[0] = o->cfg->name;
	cols[1] = id;
	cols[2] = line_text;
	cols[3] = field->source_name;
	cols[4] = field->alt_count > 1 ? field->alt_objects : field->ref_object;
	cols[5] = parent_id;
	cols[6] = outcome;
	for (i = 0; i < 7; i++)
		lens[i] = i == 1 ? id_len : i == 5 ? parent_len : strlen(cols[i]);
	if (write_row(m->orphans, cols, lens, 7))
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->orphans_path, strerror(errno));
	m->res->orphan_rows++;
	if (m->res->orphan_examples < CRM_EXAMPLES_MAX) {
		struct crm_report_example *ex = &m->res->orphans[m->res->orphan_examples++];
		copy_text(ex->object, sizeof(ex->object), o->cfg->name, strlen(o->cfg->name));
		copy_text(ex->source_id, sizeof(ex->source_id), id, id_len);
		ex->line = line;
		copy_text(ex->field, sizeof(ex->field), field->source_name, strlen(field->source_name));
		copy_text(ex->rule, sizeof(ex->rule), cols[4], strlen(cols[4]));
		char why[256];
		migrate_orphan_reason(why, sizeof(why), field, parent_id, parent_len, "");
		snprintf(ex->reason, sizeof(ex->reason), "%s; %s", why, outcome);
	}
	return 0;
}

int migrate_report_conflict(struct migration *m, const char *object, const char *id, size_t id_len, unsigned long line,
			    int64_t target_id, const char *change, struct crm_error *err)
{
	const int wins = m->p->cfg.policy.conflicts_source_wins;
	char line_text[24], target[24];
	const char *cols[6];
	size_t lens[6], i;

	snprintf(line_text, sizeof(line_text), "%lu", line);
	snprintf(target, sizeof(target), "%lld", (long long)target_id);
	cols[0] = object;
	cols[1] = id;
	cols[2] = line_text;
	cols[3] = target;
	cols[4] = change;
	cols[5] = wins ? "source wins ([policy] conflicts = source-wins): the target edit is in the ledger's "
			 "pre-image"
		       : "left as the target has it; resolve it there, or sync with [policy] conflicts = source-wins";
	for (i = 0; i < 6; i++)
		lens[i] = i == 1 ? id_len : strlen(cols[i]);
	if (write_row(m->conflicts, cols, lens, 6))
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->conflicts_path, strerror(errno));
	m->res->conflict_rows++;
	return 0;
}

/* The reports, written out before the batch they belong to commits. */
static int flush_owner_tallies(struct migration *m, struct crm_error *err);

int migrate_flush_reports(struct migration *m, struct crm_error *err)
{
	if (fflush(m->rejects) || fflush(m->orphans) || (m->conflicts && fflush(m->conflicts)))
		return crm_error_set(err, CRM_EIO, "cannot write the reports: %s", strerror(errno));
	return flush_owner_tallies(m, err);
}

int migrate_open_reports(struct migration *m, int64_t rejects_offset, int64_t orphans_offset, struct crm_error *err)
{
	static const char rejects_header[] = "object,source_id,line,field,rule,reason\n";
	static const char orphans_header[] = "object,source_id,line,field,parent_object,parent_source_id,outcome\n";
	char dir[PATH_MAX];
	int resume = m->res->resumed;
	int fd;

	if (crm_path_format(dir, sizeof(dir), err, "%s/reports", m->p->cfg.dir) || crm_mkdir_private(dir, err))
		return err->code;
	if (m->opt->dry_run) {
		if (crm_path_format(m->res->rejects_path, sizeof(m->res->rejects_path), err, "%s/rejects-dry-run.csv",
				    dir) ||
		    crm_path_format(m->res->orphans_path, sizeof(m->res->orphans_path), err, "%s/orphans-dry-run.csv",
				    dir))
			return err->code;
	} else if (crm_path_format(m->res->rejects_path, sizeof(m->res->rejects_path), err, "%s/rejects-%lld.csv", dir,
				   (long long)m->run) ||
		   crm_path_format(m->res->orphans_path, sizeof(m->res->orphans_path), err, "%s/orphans-%lld.csv", dir,
				   (long long)m->run)) {
		return err->code;
	}
	/* reports name customers' records: created 0600 */
	fd = open(m->res->rejects_path, O_RDWR | O_CREAT | (resume ? 0 : O_TRUNC) | O_CLOEXEC, 0600);
	if (fd < 0 || (resume && ftruncate(fd, rejects_offset) != 0) || !(m->rejects = fdopen(fd, "r+")))
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->rejects_path, strerror(errno));
	fd = open(m->res->orphans_path, O_RDWR | O_CREAT | (resume ? 0 : O_TRUNC) | O_CLOEXEC, 0600);
	if (fd < 0 || (resume && ftruncate(fd, orphans_offset) != 0) || !(m->orphans = fdopen(fd, "r+")))
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->orphans_path, strerror(errno));
	fseek(m->rejects, 0, SEEK_END);
	fseek(m->orphans, 0, SEEK_END);
	if (ftell(m->rejects) == 0 && fputs(rejects_header, m->rejects) == EOF)
		return crm_error_set(err, CRM_EIO, "cannot write '%s'", m->res->rejects_path);
	if (ftell(m->orphans) == 0 && fputs(orphans_header, m->orphans) == EOF)
		return crm_error_set(err, CRM_EIO, "cannot write '%s'", m->res->orphans_path);
	if (!m->opt->sync)
		return 0;
	if (m->opt->dry_run ? crm_path_format(m->res->conflicts_path, sizeof(m->res->conflicts_path), err,
					      "%s/conflicts-dry-run.csv", dir)
			    : crm_path_format(m->res->conflicts_path, sizeof(m->res->conflicts_path), err,
					      "%s/conflicts-%lld.csv", dir, (long long)m->run))
		return err->code;
	fd = open(m->res->conflicts_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(m->conflicts = fdopen(fd, "w")) ||
	    fputs("object,source_id,line,target_id,change,outcome\n", m->conflicts) == EOF)
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->conflicts_path, strerror(errno));
	return 0;
}

/*
 * The rows a report holds (an interrupted run's, resumed); with blanked
 * non-NULL, the rejects report's rows that left a field empty go there.
 */
int64_t migrate_count_report_rows(const char *path, int64_t *blanked)
{
	struct crm_error ignored = CRM_ERROR_INIT;
	struct crm_csv_reader *r = crm_csv_open(path, "utf-8", ',', &ignored);
	struct crm_record rec;
	int64_t rows = 0;
	int rc;

	if (!r)
		return 0;
	while ((rc = crm_csv_next(r, &rec, &ignored)) != CRM_READ_EOF && rc >= 0) {
		int blank = blanked && rec.index > 0 && rec.count == 6 &&
			    rec.fields[5].len >= sizeof(blanked_prefix) - 1 &&
			    !memcmp(rec.fields[5].ptr, blanked_prefix, sizeof(blanked_prefix) - 1);
		if (blank)
			(*blanked)++;
		else
			rows += rec.index > 0;
	}
	crm_csv_close(r);
	return rows;
}

/*
 * With [security] key_file, the rejects are sealed once the run is done:
 * until then they stay plain (0600), because a killed run's --resume
 * continues them from its last checkpoint. The plain copy is removed once
 * the run is recorded done (remove_plain_rejects).
 */
int migrate_seal_rejects(struct migration *m, struct crm_error *err)
{
	char sealed[PATH_MAX];

	if (!migrate_seal_key(m))
		return 0;
	if (fflush(m->rejects) != 0)
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->rejects_path, strerror(errno));
	if (crm_path_format(sealed, sizeof(sealed), err, "%s%s", m->res->rejects_path, CRM_SEAL_SUFFIX) ||
	    crm_seal_file(m->res->rejects_path, sealed, migrate_seal_key(m), err))
		return err->code;
	memcpy(m->plain_rejects, m->res->rejects_path, sizeof(m->plain_rejects));
	memcpy(m->res->rejects_path, sealed, sizeof(m->res->rejects_path));
	return 0;
}

void migrate_remove_plain_rejects(struct migration *m)
{
	if (m->plain_rejects[0])
		unlink(m->plain_rejects);
}

int migrate_note_owners(struct migration *m, const struct crm_project_object *o, const struct crm_stage_record *rec,
			struct crm_error *err)
{
	uint32_t object = (uint32_t)(o - m->p->objects);
	size_t i;

	for (i = 0; i < rec->owner_count; i++) {
		const struct crm_owner_note *n = &rec->owners[i];
		struct crm_value owner = crm_stage_owner(rec, n);
		const char *target = owner.ptr;
		size_t tlen = owner.len;
		uint32_t slen = (uint32_t)n->source_len;
		unsigned char reason = (unsigned char)n->reason;
		const struct crm_strmap_entry *e;
		struct owner_tally *t;
		int rc;
		/* the key: object, reason, the source user's length, the source user, the target owner */
		if (crm_buf_grow(&m->hashbuf, 9 + n->source_len + tlen, err))
			return err->code;
		crm_buf_reset(&m->hashbuf);
		memcpy(m->hashbuf.ptr, &object, 4);
		m->hashbuf.ptr[4] = (char)reason;
		memcpy(m->hashbuf.ptr + 5, &slen, 4);
		memcpy(m->hashbuf.ptr + 9, n->source, n->source_len);
		memcpy(m->hashbuf.ptr + 9 + n->source_len, target, tlen);
		rc = crm_strmap_put(&m->owner_keys, m->hashbuf.ptr, 9 + n->source_len + tlen,
				    (int64_t)m->owner_tally_count, NULL, &e, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			m->owner_tallies[e->num].records++;
			continue;
		}
		if (crm_grow(&m->owner_tallies, m->owner_tally_count, &m->owner_tally_cap, sizeof(*m->owner_tallies),
			     16))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		t = &m->owner_tallies[m->owner_tally_count++];
		t->object = object;
		t->reason = n->reason;
		t->source = e->key + 9;
		t->source_len = n->source_len;
		t->target = e->key + 9 + n->source_len;
		t->target_len = tlen;
		t->records = 1;
	}
	return 0;
}

void migrate_drop_owner_tallies(struct migration *m)
{
	crm_strmap_release(&m->owner_keys);
	crm_strmap_init(&m->owner_keys);
	m->owner_tally_count = 0;
}

/* The batch's owner counts into the state's, in the batch's transaction. */
static int flush_owner_tallies(struct migration *m, struct crm_error *err)
{
	size_t i;

	for (i = 0; i < m->owner_tally_count; i++) {
		const struct owner_tally *t = &m->owner_tallies[i];
		if (crm_state_owners_add(m->session.state, m->run, m->p->objects[t->object].cfg->name, t->source,
					 t->source_len, t->target, t->target_len, crm_owner_reason_name(t->reason),
					 t->records, err))
			return err->code;
	}
	migrate_drop_owner_tallies(m);
	return 0;
}

struct owners_writing {
	struct migration *m;
	FILE *out;
	char last_user[256];
	size_t last_len;
	int any;
};

static int write_owner_row(void *ctx, const char *object, const char *source_user, size_t source_len,
			   const char *target_owner, size_t target_len, const char *reason, int64_t records,
			   struct crm_error *err)
{
	struct owners_writing *w = ctx;
	struct crm_migrate_result *res = w->m->res;
	char count[24];
	const char *cols[5] = {source_user, target_owner, reason, object, count};
	size_t lens[5] = {source_len, target_len, strlen(reason), strlen(object), 0}, r;

	lens[4] = (size_t)snprintf(count, sizeof(count), "%lld", (long long)records);
	if (write_row(w->out, cols, lens, 5))
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", res->owners_path, strerror(errno));
	for (r = 0; r < 3; r++)
		if (strcmp(reason, crm_owner_reason_name((enum crm_owner_reason)r)) == 0)
			res->owner_records[r] += records;
	if (!target_len)
		res->owner_rejected += records;
	/* rows come by source user: a new one differs from the last */
	if (!w->any || source_len != w->last_len || memcmp(source_user, w->last_user, source_len) != 0) {
		res->owner_users++;
		w->last_len = source_len < sizeof(w->last_user) ? source_len : sizeof(w->last_user);
		memcpy(w->last_user, source_user, w->last_len);
		w->any = 1;
	}
	return 0;
}

int migrate_write_owners(struct migration *m, struct crm_error *err)
{
	struct owners_writing w;
	struct crm_atomic_file af;
	size_t i;
	int uses = 0;

	for (i = 0; i < m->p->count && !uses; i++)
		uses = m->p->objects[i].prog && m->p->objects[i].prog->owner_fields;
	if (!uses)
		return 0;
	memset(&w, 0, sizeof(w));
	w.m = m;
	if (crm_path_format(m->res->owners_path, sizeof(m->res->owners_path), err,
			    m->opt->dry_run ? "%s/reports/owners-dry-run.csv" : "%s/reports/owners-%lld.csv",
			    m->p->cfg.dir, (long long)m->run) ||
	    crm_atomic_open(&af, m->res->owners_path, err))
		return err->code;
	w.out = af.f;
	if (fputs("source_user,target_owner,reason,object,records\n", w.out) == EOF)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", m->res->owners_path, strerror(errno));
	if (!err->code)
		crm_state_owners_each(m->session.state, m->run, write_owner_row, &w, err);
	/* on an error, the temporary file goes; the users' names and e-mails are sealed like the rejects */
	if (crm_atomic_commit(&af, err))
		return err->code;
	return migrate_seal_report(m, m->res->owners_path, err);
}

int migrate_seal_report(struct migration *m, char path[PATH_MAX], struct crm_error *err)
{
	char sealed[PATH_MAX];

	if (!migrate_seal_key(m))
		return 0;
	if (crm_path_format(sealed, sizeof(sealed), err, "%s%s", path, CRM_SEAL_SUFFIX) ||
	    crm_seal_file(path, sealed, migrate_seal_key(m), err))
		return err->code;
	unlink(path);
	memcpy(path, sealed, PATH_MAX);
	return 0;
}
