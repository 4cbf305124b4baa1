/*
 * evidence.c: writing and verifying the signed evidence pack.
 */
#include "compat.h"
#include "audit/evidence.h"
#include "audit/audit.h"
#include "model/config.h"
#include "state/session.h"
#include "state/state.h"
#include "transform/datetime.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/path.h"
#include "util/limits.h"

#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MANIFEST_FORMAT "crmshift evidence pack 1"
#define MANIFEST_MAX	(64u << 20)

/* The folders whose every file the pack lists (a file added later in one is news to a verifier). */
static const struct {
	const char *dir;
	const char *role;
} listed_dirs[] = {
	{"maps", "value map"},
	{".crmshift/snapshots", "snapshot"},
	{"reports", "report"},
};

static const char audit_log_path[] = ".crmshift/audit.log";

/* Each file of the listed folders, with its role. */
typedef int (*file_fn)(void *ctx, const char *rel_path, const char *role, struct crm_error *err);

struct listed_walk {
	file_fn fn;
	void *ctx;
	const char *role;
};

static int listed_file(void *ctx, const char *rel, const char *path, struct crm_error *err)
{
	struct listed_walk *walk = ctx;

	(void)path;
	return walk->fn(walk->ctx, rel, walk->role, err);
}

static int each_listed_file(const char *project_dir, file_fn fn, void *ctx, struct crm_error *err)
{
	struct listed_walk walk = {fn, ctx, NULL};
	size_t d;

	for (d = 0; d < CRM_ARRAY_COUNT(listed_dirs) && !err->code; d++) {
		walk.role = listed_dirs[d].role;
		crm_dir_each_file(project_dir, listed_dirs[d].dir, listed_file, &walk, err);
	}
	return err->code;
}

/* ---- writing ---- */

struct writer {
	const char *project_dir;
	json_t *files;
	json_t *seen; /* paths already listed */
};

static int add_file(void *ctx, const char *rel, const char *role, struct crm_error *err)
{
	struct writer *w = ctx;
	char full[PATH_MAX], sha[CRM_SHA256_HEX];
	uint64_t size;
	struct stat st;

	if (json_object_get(w->seen, rel))
		return 0;
	json_object_set_new(w->seen, rel, json_true());
	if (crm_path_format(full, sizeof(full), err, "%s/%s", w->project_dir, rel))
		return err->code;
	if (stat(full, &st) != 0) {
		/* listed as absent: a file that appears later is then news, not an oversight */
		json_array_append_new(w->files, json_pack("{s:s, s:s, s:b}", "path", rel, "role", role, "present", 0));
		return 0;
	}
	if (crm_sha256_file(full, sha, &size, err))
		return err->code;
	json_array_append_new(w->files, json_pack("{s:s, s:s, s:I, s:s}", "path", rel, "role", role, "size",
						  (json_int_t)size, "sha256", sha));
	return 0;
}

/* The exports: each object's file, then any other file a run read inside the project (sync --from). */
static int add_exports(struct writer *w, const struct crm_config *cfg, json_t *runs, struct crm_error *err)
{
	size_t i, j, r;
	char *path;

	for (i = 0; i < cfg->object_count && !err->code; i++) {
		path = crm_config_export_path(cfg, &cfg->objects[i]);
		if (!path)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		add_file(w, crm_path_relative(cfg->dir, path), "export", err);
		crm_free(path);
	}
	for (r = 0; r < json_array_size(runs) && !err->code; r++) {
		json_t *sources = json_object_get(json_array_get(runs, r), "sources");

		for (j = 0; j < json_array_size(sources) && !err->code; j++) {
			const char *rel = json_string_value(json_object_get(json_array_get(sources, j), "path"));

			if (rel && rel[0] != '/' && strncmp(rel, "../", 3) != 0)
				add_file(w, rel, "export", err);
		}
	}
	return err->code;
}

/* Each run from the state database: what it was, how it ended, its counts and the exports it read. */
static int add_runs(const struct crm_config *cfg, json_t *runs, struct crm_error *err)
{
	char path[PATH_MAX];
	struct crm_session session;
	struct crm_state *state;
	struct crm_run_info info;
	struct crm_buf summary;
	int64_t count = 0, id;
	json_t *parsed, *run;
	int rc;

	if (crm_path_format(path, sizeof(path), err, "%s/.crmshift/state.db", cfg->dir))
		return err->code;
	rc = crm_session_open(cfg->target_url, cfg->dir, path, 0, 0, &session, err);
	if (rc)
		return rc < 0 ? rc : 0; /* 1: nothing has run */
	state = session.state;
	crm_buf_init(&summary, CRM_MAX_RUN_JSON);
	if (crm_state_run_count(state, &count, err))
		goto out;
	for (id = 1; id <= count && !err->code; id++) {
		if (crm_state_run_get(state, id, &info, err) != 1)
			continue;
		run = json_pack("{s:I, s:s, s:s, s:s, s:s}", "run", (json_int_t)id, "command", info.command, "status",
				crm_run_status_name(info.status), "started_at", info.started_at, "finished_at",
				info.finished_at);
		crm_buf_reset(&summary);
		if (crm_state_run_summary(state, id, &summary, err) == 1 && summary.len) {
			parsed = json_loadb(summary.ptr, summary.len, 0, NULL);
			/* counts and sources only: the summary's reject examples are in the hashed reports */
			if (parsed) {
				json_object_set(run, "dry_run", json_object_get(parsed, "dry_run"));
				json_object_set(run, "objects", json_object_get(parsed, "objects"));
				json_object_set(run, "sources", json_object_get(parsed, "sources"));
				json_decref(parsed);
			}
		}
		json_array_append_new(runs, run);
	}
out:
	crm_buf_release(&summary);
	crm_session_close(&session);
	return err->code;
}

struct audit_scan {
	json_t *verdicts;
	int64_t last_seq;
	char last_hash[CRM_SHA256_HEX];
};

static int scan_entry(void *ctx, const json_t *e)
{
	struct audit_scan *s = ctx;
	const char *action = json_string_value(json_object_get(e, "action"));
	const char *hash = json_string_value(json_object_get(e, "hash"));

	s->last_seq = json_integer_value(json_object_get(e, "seq"));
	snprintf(s->last_hash, sizeof(s->last_hash), "%s", hash ? hash : "");
	if (action && strcmp(action, "reconcile") == 0)
		json_array_append_new(s->verdicts,
				      json_pack("{s:I, s:O?, s:O?, s:O?, s:O?}", "seq", (json_int_t)s->last_seq, "time",
						json_object_get(e, "time"), "actor", json_object_get(e, "actor"),
						"verdict", json_object_get(e, "result"), "fired",
						json_object_get(e, "fired")));
	return 0;
}

static json_t *gates_of(const struct crm_config *cfg)
{
	json_t *gates = json_pack("{s:b}", "required", cfg->gates.required);
	char text[600];
	int g;

	for (g = 0; g < CRM_GATE_COUNT; g++) {
		if (!cfg->gates.reference[g])
			continue;
		snprintf(text, sizeof(text), "%s, %s", cfg->gates.reference[g], cfg->gates.date[g]);
		json_object_set_new(gates, crm_gate_key((enum crm_gate)g), json_string(text));
	}
	return gates;
}

/* Writes text to pack_dir/name, whole or not at all. */
static int write_pack_file(const char *pack_dir, const char *name, const char *text, struct crm_error *err)
{
	struct crm_atomic_file af;
	char path[PATH_MAX];

	if (crm_path_format(path, sizeof(path), err, "%s/%s", pack_dir, name) || crm_atomic_open(&af, path, err))
		return err->code;
	if (fputs(text, af.f) < 0)
		crm_error_set(err, CRM_EIO, "'%s': %s", path, strerror(errno));
	return crm_atomic_commit(&af, err);
}

int crm_evidence_write(const char *project_dir, const char *pack_dir, const struct crm_key *key, const char *created_by,
		       struct crm_evidence_pack *pack, struct crm_error *err)
{
	struct crm_audit_verdict verdict;
	struct audit_scan scan = {NULL, 0, ""};
	struct writer w = {project_dir, NULL, NULL};
	struct crm_config cfg;
	char path[PATH_MAX], created[CRM_DT_MAX], sig[CRM_KEY_SIGNATURE_B64], sig_line[CRM_KEY_SIGNATURE_B64 + 1],
		pub[45];
	json_t *manifest = NULL, *runs = NULL, *audit;
	char *text = NULL;
	struct stat st;
	uint64_t log_size = 0;
	char log_sha[CRM_SHA256_HEX] = "";

	memset(pack, 0, sizeof(*pack));
	if (crm_path_format(path, sizeof(path), err, "%s/manifest.json", pack_dir))
		return err->code;
	if (stat(path, &st) == 0)
		return crm_error_set(
			err, CRM_EREFUSED,
			"'%s' already holds an evidence pack: a pack is never overwritten; give a new folder",
			pack_dir);
	if (crm_config_load(&cfg, project_dir, err))
		return err->code;
	if (crm_audit_verify(project_dir, &verdict, err))
		goto out;
	if (!verdict.intact) {
		crm_error_set(err, CRM_EREFUSED, "the audit log is broken (%s): %s; a pack would certify it as it is",
			      verdict.kind, verdict.message);
		goto out;
	}
	w.files = json_array();
	w.seen = json_object();
	runs = json_array();
	scan.verdicts = json_array();
	if (add_runs(&cfg, runs, err) || crm_audit_each(project_dir, scan_entry, &scan, err))
		goto out;
	add_file(&w, "crmshift.ini", "config", err);
	add_file(&w, "mapping.csv", "mapping", err);
	if (cfg.exceptions)
		add_file(&w, cfg.exceptions, "reconcile exceptions", err);
	if (!err->code)
		add_exports(&w, &cfg, runs, err);
	if (!err->code)
		each_listed_file(project_dir, add_file, &w, err);
	/* the log last, after everything it may describe; hashed as it is now, as a prefix for later */
	if (!err->code && !crm_path_format(path, sizeof(path), err, "%s/%s", project_dir, audit_log_path) &&
	    stat(path, &st) == 0 && !crm_sha256_file(path, log_sha, &log_size, err))
		json_array_append_new(w.files, json_pack("{s:s, s:s, s:I, s:s}", "path", audit_log_path, "role",
							 "audit log", "size", (json_int_t)log_size, "sha256", log_sha));
	if (err->code)
		goto out;
	crm_dt_now(NULL, created);
	crm_key_public_base64(key, pub);
	audit = json_pack("{s:I, s:I, s:s}", "entries", (json_int_t)verdict.entries, "last_seq",
			  (json_int_t)scan.last_seq, "last_hash", scan.last_hash);
	manifest = json_pack("{s:s, s:s, s:s, s:s?, s:{s:s, s:s}, s:O, s:O, s:O, s:o, s:o}", "format", MANIFEST_FORMAT,
			     "created", created, "created_by", created_by, "project", cfg.name, "signing_key", "id",
			     key->id, "public_key", pub, "files", w.files, "runs", runs, "verdicts", scan.verdicts,
			     "gates", gates_of(&cfg), "audit", audit);
	text = manifest ? json_dumps(manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto out;
	}
	crm_key_sign(key, text, strlen(text), sig);
	crm_sha256_hex(text, strlen(text), pack->manifest_sha256);
	pack->files = json_array_size(w.files);
	pack->runs = json_array_size(runs);
	pack->audit_entries = verdict.entries;
	snprintf(sig_line, sizeof(sig_line), "%s\n", sig);
	if (!crm_mkdir_private(pack_dir, err) && !write_pack_file(pack_dir, "manifest.json", text, err))
		write_pack_file(pack_dir, "manifest.sig", sig_line, err);
out:
	free(text);
	json_decref(manifest);
	json_decref(w.files);
	json_decref(w.seen);
	json_decref(runs);
	json_decref(scan.verdicts);
	crm_config_release(&cfg);
	return err->code;
}

/* ---- verifying ---- */

static void finding(struct crm_evidence_check *c, const char *kind, const char *path, const char *fmt, ...)
	CRM_PRINTF(4, 5);

static void finding(struct crm_evidence_check *c, const char *kind, const char *path, const char *fmt, ...)
{
	struct crm_evidence_finding *f;
	va_list ap;

	/* out of memory loses the finding's text, never the verdict: count is what decides */
	if (crm_grow(&c->findings, c->count, &c->findings_cap, sizeof(*c->findings), 16))
		return;
	f = &c->findings[c->count++];
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	snprintf(f->path, sizeof(f->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

/* path's content, whole (crm_free *data); a missing file is 1. */
static int read_whole(const char *path, char **data, size_t *len, struct crm_error *err)
{
	struct stat st;
	size_t got;
	FILE *f;

	*data = NULL;
	f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? 1 : crm_error_set(err, CRM_EIO, "'%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || st.st_size > (off_t)MANIFEST_MAX) {
		fclose(f);
		return crm_error_set(err, CRM_EINPUT, "'%s' is larger than a manifest can be", path);
	}
	*data = crm_malloc((size_t)st.st_size + 1);
	if (!*data) {
		fclose(f);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	got = fread(*data, 1, (size_t)st.st_size, f);
	fclose(f);
	(*data)[got] = '\0';
	*len = got;
	return 0;
}

/* 1 when the manifest's bytes carry the trusted key's signature; otherwise a finding says why not. */
static int check_signature(struct crm_evidence_check *c, const char *pack_dir, const char *text, size_t len,
			   const struct crm_key *trusted, struct crm_error *err)
{
	int holds = 0;

	char path[PATH_MAX], *sig = NULL;
	size_t sig_len;
	int rc;

	if (crm_path_format(path, sizeof(path), err, "%s/manifest.sig", pack_dir))
		return 0;
	rc = read_whole(path, &sig, &sig_len, err);
	if (rc < 0)
		return 0;
	if (rc == 1)
		finding(c, "signature", "manifest.sig", "missing: the manifest is not signed");
	else if (crm_key_verify(trusted, text, len, sig))
		holds = 1;
	else if (strcmp(c->signer, trusted->id) != 0)
		finding(c, "signature", "manifest.json",
			"not signed by the trusted key %s (the manifest names key %s): re-signed with another key, "
			"or the wrong public key was given",
			trusted->id, c->signer[0] ? c->signer : "none");
	else
		finding(c, "signature", "manifest.json",
			"its signature does not hold: the manifest was changed after it was signed");
	crm_free(sig);
	return holds;
}

/* Each file the pack lists that is not the audit log, against the project now. */
static void check_files(struct crm_evidence_check *c, const char *project_dir, const json_t *files,
			struct crm_error *err)
{
	char full[PATH_MAX], sha[CRM_SHA256_HEX];
	struct crm_error hash_err;
	uint64_t size;
	size_t i;

	for (i = 0; i < json_array_size(files) && !err->code; i++) {
		const json_t *f = json_array_get(files, i);
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *want = json_string_value(json_object_get(f, "sha256"));
		json_int_t want_size = json_integer_value(json_object_get(f, "size"));
		struct stat st;

		if (!rel || !role || strcmp(role, "audit log") == 0)
			continue;
		if (crm_path_escapes(rel)) {
			/* crmshift never lists one: a forged manifest must not make the verifier read outside */
			finding(c, "changed", rel, "the path leaves the project folder: not read");
			continue;
		}
		if (crm_path_format(full, sizeof(full), err, "%s/%s", project_dir, rel))
			continue;
		c->files_checked++;
		if (json_is_false(json_object_get(f, "present"))) {
			if (stat(full, &st) == 0)
				finding(c, "added", rel, "%s absent when the pack was made; it exists now", role);
			continue;
		}
		crm_error_clear(&hash_err);
		if (crm_sha256_file(full, sha, &size, &hash_err)) {
			finding(c, "missing", rel, "%s listed in the pack (%lld bytes) is gone: %s", role,
				(long long)want_size, hash_err.msg);
			continue;
		}
		if (!want || strcmp(sha, want) != 0 || (json_int_t)size != want_size)
			finding(c, "changed", rel,
				"%s changed since the pack: %lld bytes with SHA-256 %.12s... then, %llu bytes with "
				"%.12s... "
				"now",
				role, (long long)want_size, want ? want : "", (unsigned long long)size, sha);
	}
}

struct unlisted {
	struct crm_evidence_check *c;
	const json_t *listed; /* path -> true */
};

static int check_unlisted(void *ctx, const char *rel, const char *role, struct crm_error *err)
{
	struct unlisted *u = ctx;

	(void)err;
	if (!json_object_get(u->listed, rel))
		finding(u->c, "added", rel, "%s not in the pack: written after it", role);
	return 0;
}

struct later {
	struct crm_evidence_check *c;
	int64_t after; /* the pack's last entry */
	int64_t first, last;
	struct crm_buf actions;
};

static int later_entry(void *ctx, const json_t *e)
{
	struct later *l = ctx;
	struct crm_error ignored = CRM_ERROR_INIT;
	int64_t seq = json_integer_value(json_object_get(e, "seq"));
	const char *action = json_string_value(json_object_get(e, "action"));
	const char *manifest = json_string_value(json_object_get(e, "manifest_sha256"));

	if (seq <= l->after)
		return 0;
	if (action && strcmp(action, "audit evidence") == 0 && manifest &&
	    strcmp(manifest, l->c->manifest_sha256) == 0) {
		l->c->creation_entry = seq;
		return 0;
	}
	if (!l->c->later_entries++)
		l->first = seq;
	l->last = seq;
	if (l->c->later_entries <= 8)
		crm_buf_addf(&l->actions, &ignored, "%s%s", l->c->later_entries > 1 ? ", " : "", action ? action : "?");
	else if (l->c->later_entries == 9)
		crm_buf_addstr(&l->actions, ", ...", &ignored);
	return 0;
}

/* The audit log: the part the pack signed must be there as it was; what follows is later. */
static void check_audit_log(struct crm_evidence_check *c, const char *project_dir, const json_t *manifest,
			    struct crm_error *err)
{
	const json_t *files = json_object_get(manifest, "files");
	const json_t *listed = NULL;
	struct later l;
	struct crm_audit_verdict v;
	char full[PATH_MAX], sha[CRM_SHA256_HEX];
	uint64_t size;
	size_t i;

	for (i = 0; i < json_array_size(files); i++) {
		const char *role = json_string_value(json_object_get(json_array_get(files, i), "role"));

		if (role && strcmp(role, "audit log") == 0)
			listed = json_array_get(files, i);
	}
	if (crm_path_format(full, sizeof(full), err, "%s/%s", project_dir, audit_log_path))
		return;
	if (listed) {
		uint64_t want_size = (uint64_t)json_integer_value(json_object_get(listed, "size"));
		const char *want = json_string_value(json_object_get(listed, "sha256"));
		struct crm_error hash_err = CRM_ERROR_INIT;

		c->files_checked++;
		if (crm_sha256_file_prefix(full, want_size, sha, &size, &hash_err)) {
			finding(c, "missing", audit_log_path, "the audit log the pack signed is gone: %s",
				hash_err.msg);
			return;
		}
		if (size < want_size) {
			finding(c, "changed", audit_log_path,
				"the audit log is shorter than the pack signed (%llu bytes then, %llu now): entries "
				"were removed",
				(unsigned long long)want_size, (unsigned long long)size);
			return;
		}
		if (!want || strcmp(sha, want) != 0) {
			finding(c, "changed", audit_log_path,
				"the audit log's first %llu bytes, which the pack signed, were changed",
				(unsigned long long)want_size);
			return;
		}
	}
	memset(&l, 0, sizeof(l));
	l.c = c;
	l.after = json_integer_value(json_object_get(json_object_get(manifest, "audit"), "last_seq"));
	crm_buf_init(&l.actions, 4096);
	if (!crm_audit_each(project_dir, later_entry, &l, err) && c->later_entries)
		finding(c, "later", audit_log_path, "%lld entr%s written after the pack (seq %lld to %lld: %s)",
			(long long)c->later_entries, c->later_entries == 1 ? "y was" : "ies were", (long long)l.first,
			(long long)l.last, l.actions.len ? l.actions.ptr : "");
	crm_buf_release(&l.actions);
	if (!err->code && !crm_audit_verify(project_dir, &v, err) && !v.intact)
		finding(c, "changed", audit_log_path, "the audit log is broken after the pack (%s): %s", v.kind,
			v.message);
}

int crm_evidence_verify(const char *project_dir, const char *pack_dir, const struct crm_key *trusted,
			struct crm_evidence_check *check, struct crm_error *err)
{
	struct crm_config cfg;
	struct crm_error cfg_err = CRM_ERROR_INIT;
	struct unlisted u;
	char path[PATH_MAX], *text = NULL;
	json_t *manifest = NULL, *listed = NULL;
	const json_t *files;
	size_t len, i;
	int rc, signed_ok;

	memset(check, 0, sizeof(*check));
	if (crm_path_format(path, sizeof(path), err, "%s/manifest.json", pack_dir))
		return err->code;
	rc = read_whole(path, &text, &len, err);
	if (rc == 1)
		return crm_error_set(err, CRM_EINPUT, "'%s' holds no manifest.json: it is not an evidence pack",
				     pack_dir);
	if (rc < 0)
		return err->code;
	crm_sha256_hex(text, len, check->manifest_sha256);
	manifest = json_loadb(text, len, 0, NULL);
	snprintf(check->signer, sizeof(check->signer), "%s",
		 json_string_value(json_object_get(json_object_get(manifest, "signing_key"), "id"))
			 ? json_string_value(json_object_get(json_object_get(manifest, "signing_key"), "id"))
			 : "");
	snprintf(check->created, sizeof(check->created), "%s",
		 json_string_value(json_object_get(manifest, "created"))
			 ? json_string_value(json_object_get(manifest, "created"))
			 : "");
	check->verdict = CRM_EVIDENCE_FORGED;
	signed_ok = check_signature(check, pack_dir, text, len, trusted, err);
	if (err->code)
		goto out;
	if (!manifest || !json_is_string(json_object_get(manifest, "format")) ||
	    strcmp(json_string_value(json_object_get(manifest, "format")), MANIFEST_FORMAT) != 0) {
		finding(check, "signature", "manifest.json", "not a crmshift manifest (%s)", MANIFEST_FORMAT);
		goto out;
	}
	/* the files are checked even under a broken signature: the findings say what the forgery changed */
	files = json_object_get(manifest, "files");
	check_files(check, project_dir, files, err);
	listed = json_object();
	for (i = 0; i < json_array_size(files); i++) {
		const char *rel = json_string_value(json_object_get(json_array_get(files, i), "path"));

		if (rel)
			json_object_set_new(listed, rel, json_true());
	}
	u.c = check;
	u.listed = listed;
	if (!err->code)
		each_listed_file(project_dir, check_unlisted, &u, err);
	if (!err->code && !crm_config_load(&cfg, project_dir, &cfg_err)) {
		for (i = 0; i < cfg.object_count; i++) {
			char *export_path = crm_config_export_path(&cfg, &cfg.objects[i]);
			const char *rel = export_path ? crm_path_relative(cfg.dir, export_path) : NULL;

			if (rel && !json_object_get(listed, rel))
				check_unlisted(&u, rel, "export", err);
			crm_free(export_path);
		}
		crm_config_release(&cfg);
	}
	if (!err->code)
		check_audit_log(check, project_dir, manifest, err);
	if (err->code)
		goto out;
	/* forged, whatever the files say, unless the signature holds */
	if (signed_ok)
		check->verdict = !check->count		? CRM_EVIDENCE_VALID
				 : check->later_entries ? CRM_EVIDENCE_STALE
							: CRM_EVIDENCE_MISMATCH;
out:
	json_decref(listed);
	json_decref(manifest);
	crm_free(text);
	return err->code;
}

const char *crm_evidence_verdict_name(enum crm_evidence_verdict verdict)
{
	static const char *const names[] = {"valid", "forged", "stale", "mismatch"};

	return names[verdict];
}

void crm_evidence_check_release(struct crm_evidence_check *check)
{
	crm_free(check->findings);
	check->findings = NULL;
	check->count = check->findings_cap = 0;
}
