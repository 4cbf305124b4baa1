/*
 * runbook.c: the rollback plan written from the project (runbook.h).
 */
#include "compat.h"
#include "engine/runbook.h"
#include "audit/audit.h"
#include "engine/snapshot.h"
#include "state/session.h"
#include "transform/datetime.h"
#include "util/alloc.h"
#include "util/path.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const audience_names[CRM_AUDIENCE_COUNT] = {"sales-reps", "leadership", "customers", "regulators"};
static const char *const audience_titles[CRM_AUDIENCE_COUNT] = {"Sales reps", "Leadership", "Customers", "Regulators"};

/* crmshift's own texts; templates/NAME.md replaces one. Placeholders: see placeholder(). */
static const char *const default_templates[CRM_AUDIENCE_COUNT] = {
	"Subject: the new CRM is being rolled back ({project})\n"
	"\n"
	"We are returning the new CRM to its state before the cutover of {cutover}: {reason}. Please stop "
	"entering data in the new CRM now and work in the old one until {primary} tells you otherwise. What you "
	"entered since the cutover is not lost: it is exported before the rollback and reconciled with you.\n",
	"Subject: rollback of the {project} CRM cutover\n"
	"\n"
	"The cutover of {cutover} is being rolled back: {reason}. The rollback was rehearsed and takes "
	"{rollback_time}; the decision window is {window}. {primary} leads it ({backup} as backup). Reconciliation "
	"proves the old CRM is whole before users return to it; you will have the figures when it ends.\n",
	"Subject: a short pause in our customer records\n"
	"\n"
	"We are completing a change to the system that holds your records. For a short time, changes you ask us "
	"for may take longer to appear. Nothing you have given us is lost or shared. Questions: {primary}.\n",
	"Subject: notification of a data migration rollback ({project})\n"
	"\n"
	"The migration of customer records from {source_system} was rolled back on decision of {primary}: "
	"{reason}. Personal data stayed within the systems named in our records of processing; the rollback "
	"and its verification are recorded in a hash-chained audit log, available with a signed evidence pack on "
	"request.\n",
};

struct facts {
	struct crm_project *p;
	int has_state;
	int has_run;
	struct crm_run_info last;
	int frozen;
	struct crm_run_info final;
	int drilled;
	struct crm_drill_record drill;
	struct crm_source_file *files;
	size_t file_count;
	int before_snapshot;
	struct crm_audit_verdict audit;
	/* the audit log's last reconcile, and its last GO */
	char reconcile_time[32], reconcile_result[16], reason[512];
	char go_time[32];
	int64_t go_seq;
	size_t gaps;
};

static void duration_text(char *out, size_t cap, double s)
{
	if (s >= 3600 && (long)s % 3600 == 0)
		snprintf(out, cap, "%.0f h", s / 3600);
	else if (s >= 3600)
		snprintf(out, cap, "%ld h %ld min", (long)s / 3600, ((long)s % 3600) / 60);
	else if (s >= 60)
		snprintf(out, cap, "%.0f min", s / 60);
	else
		snprintf(out, cap, "%.2f s", s);
}

static const char *text_of(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "?";
}

/* An audit entry: the last reconcile's verdict and what fired, the last GO. */
static int each_entry(void *ctx, const json_t *entry)
{
	struct facts *f = ctx;
	const char *action = json_string_value(json_object_get(entry, "action"));
	const char *result = json_string_value(json_object_get(entry, "result"));
	const char *time = json_string_value(json_object_get(entry, "time"));
	const json_t *first;

	if (!action || strcmp(action, "reconcile") != 0 || !result || !time)
		return 0;
	snprintf(f->reconcile_time, sizeof(f->reconcile_time), "%s", time);
	snprintf(f->reconcile_result, sizeof(f->reconcile_result), "%s", result);
	f->reason[0] = '\0';
	first = json_array_get(json_object_get(entry, "fired"), 0);
	if (first)
		snprintf(f->reason, sizeof(f->reason),
			 "reconciliation measured %s on %s at %s, against a threshold of %s", text_of(first, "trigger"),
			 text_of(first, "subject"), text_of(first, "value"), text_of(first, "threshold"));
	if (strcmp(result, "GO") == 0) {
		snprintf(f->go_time, sizeof(f->go_time), "%s", time);
		f->go_seq = (int64_t)json_integer_value(json_object_get(entry, "seq"));
	}
	return 0;
}

static int gather(struct facts *f, struct crm_error *err)
{
	const struct crm_config *cfg = &f->p->cfg;
	struct crm_session session;
	char path[PATH_MAX];
	int rc;

	if (crm_audit_verify(cfg->dir, &f->audit, err) || crm_audit_each(cfg->dir, each_entry, f, err))
		return err->code;
	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", cfg->dir))
		return err->code;
	rc = crm_session_open(cfg->target_url, cfg->dir, path, 0, 0, &session, err);
	if (rc)
		return rc < 0 ? rc : 0;
	f->has_state = 1;
	rc = crm_state_run_last(session.state, &f->last, err);
	f->has_run = rc == 1;
	if (rc >= 0)
		rc = crm_state_run_final(session.state, &f->final, err);
	f->frozen = rc == 1;
	if (rc >= 0)
		rc = crm_state_drill_last(session.state, &f->drill, err);
	f->drilled = rc == 1;
	if (rc >= 0 && f->has_run)
		rc = crm_state_source_files(session.state, f->last.id, &f->files, &f->file_count, err);
	crm_session_close(&session);
	if (rc < 0)
		return err->code;
	if (f->has_run && !crm_snapshot_path(path, cfg->dir, f->last.id, "before", err))
		f->before_snapshot = access(path, F_OK) == 0;
	return err->code;
}

/* text with the characters a table cell cannot hold written as they can be */
static void cell(struct crm_buf *md, const char *text, struct crm_error *err)
{
	for (; *text; text++) {
		if (*text == '|')
			crm_buf_addstr(md, "\\|", err);
		else if (*text == '\n')
			crm_buf_addch(md, ' ', err);
		else
			crm_buf_addch(md, *text, err);
	}
}

/* A person of [people], or the gap. */
static const char *person(struct facts *f, enum crm_person who, char *gap, size_t cap)
{
	const char *named = f->p->cfg.people[who];

	if (named && *named)
		return named;
	snprintf(gap, cap, "**gap**: [people] %s is not set", crm_person_key(who));
	return gap;
}

static void people_section(struct facts *f, struct crm_buf *md, struct crm_error *err)
{
	static const char *const roles[CRM_PERSON_COUNT] = {
		"calls the rollback (primary)", "calls it when the primary cannot (backup)",
		"watches the technical triggers (failed imports)",
		"watches the data triggers (links, blanks, mismatches, consent)"};
	enum crm_person who;
	char gap[128];

	crm_buf_addstr(md, "## Who calls a rollback\n\n| role | who |\n|---|---|\n", err);
	for (who = 0; who < CRM_PERSON_COUNT; who++) {
		const char *named = f->p->cfg.people[who];
		f->gaps += !(named && *named);
		crm_buf_addf(md, err, "| %s | ", roles[who]);
		cell(md, person(f, who, gap, sizeof(gap)), err);
		crm_buf_addstr(md, " |\n", err);
	}
	crm_buf_addstr(md, "\n", err);
}

static void triggers_section(struct facts *f, struct crm_buf *md, struct crm_error *err)
{
	const struct crm_policy *pol = &f->p->cfg.policy;
	char technical[128], data[128], critical[512] = "";
	size_t i, o = 0;

	person(f, CRM_PERSON_TECHNICAL, technical, sizeof(technical));
	person(f, CRM_PERSON_DATA, data, sizeof(data));
	for (i = 0; i < pol->critical_count && o + 2 < sizeof(critical); i++)
		o += (size_t)snprintf(critical + o, sizeof(critical) - o, "%s%s", i ? ", " : "",
				      pol->critical_fields[i]);
	crm_buf_addstr(md,
		       "## 1. Trigger criteria and authorities\n\n"
		       "Written before migration day in `crmshift.ini` ([policy]); `crmshift reconcile` measures each "
		       "one and gives the verdict, GO or NO-GO. Any trigger that fires is a NO-GO: the person below "
		       "watches it, the rollback's primary (or backup) calls it.\n\n"
		       "| trigger | threshold | why | watched by |\n|---|---|---|---|\n",
		       err);
	crm_buf_addf(md, err,
		     "| failed imports | %g%% of an object's records | records not in the target cannot be worked on "
		     "or sold to | ",
		     pol->failed_imports);
	cell(md, technical, err);
	crm_buf_addf(md, err, " |\n| lost links | %g%% of a reference's links", pol->lost_links);
	for (i = 0; i < pol->link_threshold_count; i++)
		crm_buf_addf(md, err, "; %s: %g%%", pol->link_thresholds[i].reference, pol->link_thresholds[i].percent);
	crm_buf_addstr(md, " | a contact without its account, a deal without its company, is lost to its owner | ",
		       err);
	cell(md, data, err);
	crm_buf_addf(md, err,
		     " |\n| lost contact roles | %g%% of opportunities | who is involved in a deal is how it is "
		     "worked | ",
		     pol->lost_contact_links);
	cell(md, data, err);
	crm_buf_addf(md, err, " |\n| critical fields blank | %g points beyond the source's own blanks (",
		     pol->critical_blank);
	cell(md, critical, err);
	crm_buf_addstr(md, ") | the fields the business runs on | ", err);
	cell(md, data, err);
	crm_buf_addf(md, err,
		     " |\n| records that differ | %g%% of an object's records | a record loaded wrong is worse than "
		     "one not loaded | ",
		     pol->record_mismatches);
	cell(md, data, err);
	crm_buf_addf(md, err,
		     " |\n| consent that differs | %.0f values (0: any); an opt-out lost always fires | marketing "
		     "to someone who opted out is a breach | ",
		     pol->consent_mismatches);
	cell(md, data, err);
	crm_buf_addstr(md, " |\n\n", err);
	if (f->reconcile_time[0])
		crm_buf_addf(md, err, "Last verdict: %s, reconcile of %s%s%s.\n\n", f->reconcile_result,
			     f->reconcile_time, f->reason[0] ? ": " : "", f->reason);
	else
		crm_buf_addstr(md, "Last verdict: none yet (`crmshift reconcile` gives one).\n\n", err);
}

static void preservation_section(struct facts *f, struct crm_buf *md, struct crm_error *err)
{
	size_t i;

	crm_buf_addstr(md, "## 2. Pre-migration preservation\n\n", err);
	if (!f->has_run) {
		crm_buf_addstr(md, "- Source snapshot: none yet; the first `crmshift migrate` takes it.\n", err);
	} else {
		crm_buf_addf(md, err, "- Source snapshot of run %lld (%s): each export as it was read:\n",
			     (long long)f->last.id, f->last.started_at);
		for (i = 0; i < f->file_count; i++) {
			crm_buf_addf(md, err, "  - `%s`: %lld records, SHA-256 `%.16s…`, taken %s\n", f->files[i].path,
				     (long long)f->files[i].records, f->files[i].sha256, f->files[i].taken_at);
		}
	}
	if (f->frozen)
		crm_buf_addf(
			md, err,
			"- The source is frozen by the final sync, run %lld (%s): runs refuse exports that differ.\n",
			(long long)f->final.id, f->final.finished_at);
	else
		crm_buf_addstr(md, "- The source is not frozen (`crmshift sync --final` freezes it at cutover).\n",
			       err);
	if (f->has_run && f->before_snapshot)
		crm_buf_addf(
			md, err,
			"- The target before run %lld: `.crmshift/snapshots/run-%lld-before.snap`, which `crmshift "
			"rollback` verifies against.\n",
			(long long)f->last.id, (long long)f->last.id);
	else if (f->has_run)
		crm_buf_addf(md, err, "- The target before run %lld: **gap**: no before-snapshot.\n",
			     (long long)f->last.id);
	crm_buf_addf(
		md, err,
		"- Evidence: the audit log `.crmshift/audit.log`, %lld entries, %s; `crmshift audit evidence PACK` "
		"writes a signed pack of every file, run and verdict.\n\n",
		(long long)f->audit.entries, f->audit.intact ? "its chain intact" : "**its chain is BROKEN**");
}

static void steps_section(struct facts *f, struct crm_buf *md, struct crm_error *err)
{
	char primary[128], backup[128], technical[128], data[128], window[32], measured[256];

	person(f, CRM_PERSON_PRIMARY, primary, sizeof(primary));
	person(f, CRM_PERSON_BACKUP, backup, sizeof(backup));
	person(f, CRM_PERSON_TECHNICAL, technical, sizeof(technical));
	person(f, CRM_PERSON_DATA, data, sizeof(data));
	duration_text(window, sizeof(window), f->p->cfg.policy.decision_window);
	if (f->drilled) {
		char took[32];
		duration_text(took, sizeof(took), f->drill.rollback_seconds);
		snprintf(measured, sizeof(measured), "%s for %lld rows %s, measured by drill %lld (%s, %s)", took,
			 (long long)f->drill.rows_written,
			 f->drill.live_runs ? "of the load as it is" : "of a rehearsed run", (long long)f->drill.id,
			 f->drill.finished_at, f->drill.passed ? "passed" : "FAILED");
	} else {
		snprintf(measured, sizeof(measured), "not measured: run `crmshift drill`");
	}
	crm_buf_addf(
		md, err,
		"## 3. Execution steps\n\nThe decision window is %s ([policy] decision_window): the rollback is "
		"called, done and verified within it.\n\n| # | step | how | owner | time |\n|---|---|---|---|---|\n",
		window);
	crm_buf_addstr(md, "| 1 | Call the rollback: a trigger fired, or the business cannot work | section 1 | ", err);
	cell(md, primary, err);
	crm_buf_addstr(md, " (backup: ", err);
	cell(md, backup, err);
	crm_buf_addstr(md, ") | at once |\n| 2 | Tell users to stop writing to the new CRM | section 4 | ", err);
	cell(md, primary, err);
	crm_buf_addstr(md,
		       " | minutes |\n| 3 | Export what users changed since cutover, and revert the load | `crmshift "
		       "rollback` | ",
		       err);
	cell(md, technical, err);
	crm_buf_addstr(md, " | ", err);
	cell(md, measured, err);
	crm_buf_addstr(
		md, " |\n| 4 | Verify the target is as it was before the load | `crmshift rollback --verify-only` | ",
		err);
	cell(md, technical, err);
	crm_buf_addstr(md,
		       " | part of step 3 |\n| 5 | Reconcile the changes since cutover in the old CRM | section 5 | ",
		       err);
	cell(md, data, err);
	crm_buf_addstr(
		md,
		" | by their count |\n| 6 | Tell users, leadership, customers and regulators it is done | section 4 | ",
		err);
	cell(md, primary, err);
	crm_buf_addstr(md, " | minutes |\n\n", err);
}

/* The value of placeholder name (len bytes), or NULL for one not known. */
static const char *placeholder(struct facts *f, const char *name, size_t len, char *tmp, size_t cap)
{
	char gap[128];

#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (IS("project"))
		return f->p->cfg.name ? f->p->cfg.name : f->p->cfg.source_system;
	if (IS("source_system"))
		return f->p->cfg.source_system;
	if (IS("primary") || IS("backup")) {
		const char *who = person(f, IS("primary") ? CRM_PERSON_PRIMARY : CRM_PERSON_BACKUP, gap, sizeof(gap));
		snprintf(tmp, cap, "%s", who);
		return tmp;
	}
	if (IS("window")) {
		duration_text(tmp, cap, f->p->cfg.policy.decision_window);
		return tmp;
	}
	if (IS("rollback_time")) {
		if (f->drilled)
			duration_text(tmp, cap, f->drill.rollback_seconds);
		else
			snprintf(tmp, cap, "(not measured: run crmshift drill)");
		return tmp;
	}
	if (IS("cutover"))
		return f->has_run ? f->last.started_at : "(no load yet)";
	if (IS("reason"))
		return f->reason[0] ? f->reason : "the rollback was called by the people named in the rollback plan";
#undef IS
	return NULL;
}

/* text with each {placeholder} filled; an unknown one is an error at path:line. */
static int fill(struct facts *f, struct crm_buf *md, const char *text, const char *path, struct crm_error *err)
{
	unsigned long line = 1;
	const char *p = text;
	char tmp[256];

	for (; *p && !err->code; p++) {
		const char *end, *value;
		if (*p == '\n')
			line++;
		if (*p != '{' || !(end = strchr(p, '}')) || memchr(p, '\n', (size_t)(end - p))) {
			crm_buf_addch(md, *p, err);
			continue;
		}
		value = placeholder(f, p + 1, (size_t)(end - p - 1), tmp, sizeof(tmp));
		if (!value)
			return crm_error_set(
				err, CRM_EINPUT,
				"%s:%lu: unknown placeholder {%.*s} (project, source_system, primary, backup, "
				"window, rollback_time, cutover, reason)",
				path, line, (int)(end - p - 1), p + 1);
		crm_buf_addstr(md, value, err);
		p = end;
	}
	return err->code;
}

static int communication_section(struct facts *f, struct crm_buf *md, int *own_templates, struct crm_error *err)
{
	enum crm_audience a;

	*own_templates = 1;
	crm_buf_addstr(md,
		       "## 4. Communication scripts\n\nFilled with the project's facts; the project's "
		       "`templates/sales-reps.md`, `leadership.md`, `customers.md` and `regulators.md` replace "
		       "crmshift's own.\n\n",
		       err);
	for (a = 0; a < CRM_AUDIENCE_COUNT && !err->code; a++) {
		char path[PATH_MAX];
		size_t len;
		FILE *in;
		if (crm_path_format(path, sizeof(path), err, "%s/templates/%s.md", f->p->cfg.dir, audience_names[a]))
			return err->code;
		crm_buf_addf(md, err, "### %s\n\n", audience_titles[a]);
		in = fopen(path, "rb");
		if (in) {
			struct crm_buf t;
			char block[4096];
			crm_buf_init(&t, 1u << 20);
			while ((len = fread(block, 1, sizeof(block), in)) > 0 && !crm_buf_add(&t, block, len, err))
				;
			fclose(in);
			if (!err->code)
				fill(f, md, t.ptr, crm_path_relative(f->p->cfg.dir, path), err);
			crm_buf_release(&t);
		} else if (errno == ENOENT) {
			*own_templates = 0;
			fill(f, md, default_templates[a], "crmshift's template", err);
		} else {
			return crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
		}
		crm_buf_addstr(md, "\n", err);
	}
	return err->code;
}

static void reconciliation_section(struct facts *f, struct crm_buf *md, struct crm_error *err)
{
	double limit = f->p->cfg.policy.hand_reconciliation;

	crm_buf_addstr(
		md,
		"## 5. Reconciliation approach\n\nBefore it reverts a row, `crmshift rollback` writes every row "
		"users edited or created in the new CRM since the load to "
		"`reports/changed-since-cutover-<run>.csv` (sealed when the project has a key): that is the work "
		"to bring back into the old CRM. ",
		err);
	if (limit >= 0)
		crm_buf_addf(md, err,
			     "Up to %.0f rows are reconciled by hand by the data owner; past %.0f, reconciliation is a "
			     "project with its own plan ([policy] hand_reconciliation).\n\n",
			     limit, limit);
	else {
		f->gaps++;
		crm_buf_addstr(md,
			       "**gap**: [policy] hand_reconciliation is not set: the count of changed rows past which "
			       "reconciliation is a project, not a task.\n\n",
			       err);
	}
}

/* A key file named in crmshift.ini: present and readable by its owner alone. */
static int key_private(const struct crm_config *cfg, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	if (!file)
		return 0;
	if (file[0] == '/')
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg->dir, file);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & 077);
}

static void check(struct crm_buf *md, struct crm_runbook_facts *out, int ticked, const char *item, const char *evidence,
		  struct crm_error *err)
{
	out->items++;
	out->ticked += ticked != 0;
	crm_buf_addf(md, err, "- [%c] %s: %s\n", ticked ? 'x' : ' ', item, evidence);
}

static void checklist_section(struct facts *f, struct crm_buf *md, struct crm_runbook_facts *out, int own_templates,
			      struct crm_error *err)
{
	const struct crm_config *cfg = &f->p->cfg;
	static const char *const gate_items[CRM_GATE_COUNT] = {"Data processing agreement signed",
							       "Data protection impact assessment completed",
							       "Records of processing updated"};
	char evidence[512], window[32];
	enum crm_gate g;

	crm_buf_addstr(md,
		       "## Pre-cutover checklist\n\nTicked only from evidence crmshift holds, which each item names; "
		       "the rest is for people to tick.\n\n",
		       err);
	for (g = 0; g < CRM_GATE_COUNT; g++) {
		if (cfg->gates.reference[g])
			snprintf(evidence, sizeof(evidence), "%s, %s ([gates] %s)", cfg->gates.reference[g],
				 cfg->gates.date[g], crm_gate_key(g));
		else
			snprintf(evidence, sizeof(evidence), "not recorded ([gates] %s)", crm_gate_key(g));
		check(md, out, cfg->gates.reference[g] != NULL, gate_items[g], evidence, err);
	}
	check(md, out, 0, "Field-level mapping reviewed, consent preserved",
	      "for people to tick: `crmshift plan` and `profile` show the mapping and the consent fields", err);
	if (f->has_run)
		snprintf(evidence, sizeof(evidence), "run %lld took it (%s)", (long long)f->last.id,
			 f->last.started_at);
	check(md, out, f->has_run, "Source snapshot taken", f->has_run ? evidence : "no run has taken one", err);
	if (f->go_time[0])
		snprintf(evidence, sizeof(evidence), "reconcile GO, audit entry %lld (%s)", (long long)f->go_seq,
			 f->go_time);
	check(md, out, f->go_time[0] != 0, "Pilot reconciled GO",
	      f->go_time[0] ? evidence : "no reconcile in the audit log said GO", err);
	duration_text(window, sizeof(window), cfg->policy.decision_window);
	if (f->drilled)
		snprintf(evidence, sizeof(evidence), "drill %lld (%s): %s, rollback %.2f s of a %s window",
			 (long long)f->drill.id, f->drill.finished_at, f->drill.passed ? "passed" : "FAILED",
			 f->drill.rollback_seconds, window);
	check(md, out, f->drilled && f->drill.passed, "Rollback rehearsal passed within the decision window",
	      f->drilled ? evidence : "no drill yet (`crmshift drill`)", err);
	snprintf(evidence, sizeof(evidence), "signing key %s, data key %s",
		 cfg->signing_key ? cfg->signing_key : "not set", cfg->key_file ? cfg->key_file : "not set");
	check(md, out, key_private(cfg, cfg->signing_key) && key_private(cfg, cfg->key_file),
	      "Keys provisioned, present and private (mode 0600)", evidence, err);
	check(md, out, f->audit.intact, "Audit log intact",
	      f->audit.intact ? "`crmshift audit verify` holds" : "`crmshift audit verify` finds it broken", err);
	check(md, out, own_templates, "Communication templates ready",
	      own_templates ? "the project's own in templates/" : "crmshift's defaults in use: write templates/", err);
	check(md, out, 0, "Monitoring in place", "for people to tick: crmshift does not watch the new CRM", err);
	crm_buf_addstr(md, "\n", err);
}

int crm_runbook_write(struct crm_project *p, struct crm_buf *md, struct crm_runbook_facts *out, struct crm_error *err)
{
	struct facts f;
	char now[CRM_DT_MAX];
	int own_templates = 0;

	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	f.p = p;
	if (gather(&f, err))
		goto out;
	crm_dt_now(NULL, now);
	crm_buf_addstr(md, "# Rollback plan: ", err);
	cell(md, p->cfg.name ? p->cfg.name : p->cfg.source_system, err);
	crm_buf_addf(md, err,
		     "\n\nWritten by crmshift on %s from the project's configuration, state and audit log. What "
		     "crmshift cannot know is marked **gap**.\n\n",
		     now);
	people_section(&f, md, err);
	triggers_section(&f, md, err);
	preservation_section(&f, md, err);
	steps_section(&f, md, err);
	if (communication_section(&f, md, &own_templates, err))
		goto out;
	reconciliation_section(&f, md, err);
	checklist_section(&f, md, out, own_templates, err);
	out->gaps = f.gaps;
	out->rollback_measured = f.drilled;
out:
	crm_free(f.files);
	return err->code;
}
