/*
 * profile.c: three phases. First every export's bytes are scanned (dirt.h)
 * and its header read, which decides the encoding to read it in and the
 * columns. Then objects are ordered parents first, by the references that
 * mapping.csv's ref() rules name or that column names suggest, so that most
 * references are checked against a finished id set as they are read; those
 * that point at an object not read yet (itself, or a cycle) wait in a list.
 * Then each export is read once and every value goes through the field's
 * sketches, on a second thread a batch behind the reading (value_worker).
 */
#include "compat.h"
#include "engine/profile.h"
#include "engine/project.h"
#include "io/csv.h"
#include "io/json.h"
#include "io/sqltable.h"
#include "model/config.h"
#include "model/mapping.h"
#include "model/schema.h"
#include "transform/datetime.h"
#include "transform/phone.h"
#include "transform/rule.h"
#include "transform/sfid.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/path.h"
#include "util/limits.h"
#include "util/sketch.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum dup_kind { DUP_EMAIL, DUP_PHONE, DUP_NAME, DUP_KINDS };
/* How a duplicate key's column was chosen, strongest first. */
enum dup_basis { DUP_BY_MAPPING, DUP_BY_SCHEMA, DUP_BY_NAME, DUP_BY_BARE_NAME, DUP_UNCHOSEN };

struct field_state {
	struct crm_distinct distinct;
	struct crm_topk values;
	struct crm_topk patterns;
	int have_num;
	double num_min, num_max;
	char iso_min[CRM_DT_MAX], iso_max[CRM_DT_MAX]; /* ISO and YYYYMMDD dates and date-times */
	char md_min[CRM_DT_MAX], md_max[CRM_DT_MAX];   /* numeric dates read as MM/DD */
	char dm_min[CRM_DT_MAX], dm_max[CRM_DT_MAX];   /* and as DD/MM */
	const struct crm_mapping_row *row;	       /* its mapping.csv row, or NULL */
};

struct dup_slot {
	uint64_t hash; /* 0: empty */
	uint32_t first_line;
	uint32_t count;
};

struct dup_table {
	struct dup_slot *slots;
	size_t cap, count;
};

struct pending_ref {
	uint64_t hash;
	unsigned long line;
	char *id;
	char *value;
};

struct ref_state {
	long col;
	size_t parent; /* index into the objects */
	struct pending_ref *pending;
	size_t pending_count, pending_cap;
};

struct object_state {
	const struct crm_object_config *cfg; /* NULL for an export no [object] names */
	char *path;
	char delimiter;
	enum crm_reader_kind kind;
	const char *stream; /* JSON lines: borrowed from the config */
	char *db_table;	    /* SQLite: the table read, [object] table or an unconfigured table's name */
	int sfdx;	    /* lookups are written "@referenceId" */
	const struct crm_table_def *table;
	char **columns;
	size_t column_count;
	struct field_state *fs;
	long id_col;
	struct crm_idcount ids;	  /* by the id's hash: the ids read, with how often */
	struct crm_idcount pairs; /* a junction's references together, by hash */
	int done;		  /* read to its end: references to it can be checked */
	long dup_cols[DUP_KINDS][3];
	unsigned char dup_rank[DUP_KINDS][3]; /* how the column was chosen: enum dup_basis */
	int phone_cc;
	struct dup_table dups[DUP_KINDS];
	/* more e-mail columns (Email, Work_Email__c): each counted, the one holding most addresses reported */
	long email_alt[2];
	struct dup_table email_alt_dups[2];
	struct crm_profile_duplicates email_alt_found[2];
	struct ref_state *refs;
	size_t ref_count;
	int visiting; /* for ordering */
};

struct profiler {
	struct crm_profile *prof;
	struct crm_config cfg;
	struct crm_mapping map;
	int have_map;
	struct object_state *st; /* parallel to prof->objects before ordering */
	size_t *order;
	size_t order_count;
};

static char *fmt_dup(struct crm_error *err, const char *fmt, ...) CRM_PRINTF(2, 3);

static char *fmt_dup(struct crm_error *err, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	char *s;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s = crm_strdup(buf);
	if (!s)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	return s;
}

static int add_problem(struct crm_profile_object *o, const char *msg, struct crm_error *err)
{
	if (o->problem_count >= CRM_PROFILE_PROBLEMS)
		return 0;
	o->problems[o->problem_count] = crm_strdup(msg);
	if (!o->problems[o->problem_count])
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	o->problem_count++;
	return 0;
}

/* ---- what a mapping says about a column ---- */

static const struct crm_mapping_row *mapping_row(const struct profiler *pr, const char *object, const char *column)
{
	size_t i;

	if (!pr->have_map)
		return NULL;
	for (i = 0; i < pr->map.count; i++) {
		const struct crm_mapping_row *row = &pr->map.rows[i];
		if (strcmp(row->col[CRM_MAP_SOURCE_OBJECT], object) == 0 &&
		    strcmp(row->col[CRM_MAP_SOURCE_FIELD], column) == 0)
			return row;
	}
	return NULL;
}

/*
 * The last call of a transform rule named name, parsed with the rule
 * language's own parser (a name inside a quoted argument is not a call);
 * NULL when there is none or the rule does not parse (plan reports that).
 */
static const struct crm_rule_call *rule_call(const struct crm_rule *rule, const char *name)
{
	size_t i = rule->count;

	while (i-- > 0)
		if (strcmp(rule->calls[i].name, name) == 0)
			return &rule->calls[i];
	return NULL;
}

/* The object a rule's ref(X) names, copied into name (empty when none). */
static void rule_ref(const char *text, char *name, size_t cap)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;
	const struct crm_rule_call *ref;

	name[0] = '\0';
	if (crm_rule_parse(&rule, text, CRM_RULE_TRANSFORM, &err))
		return;
	if ((ref = rule_call(&rule, "ref")) && ref->arg_count)
		snprintf(name, cap, "%s", ref->args[0].text);
	crm_rule_release(&rule);
}

/* The rule protects the value (pseudonymize, mask or redact): profile shows it masked. */
static int rule_protects(const char *text)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;
	int protects;

	if (crm_rule_parse(&rule, text, CRM_RULE_TRANSFORM, &err))
		return 1; /* a rule that does not parse may have meant to: masked, to be safe */
	protects = rule_call(&rule, "pseudonymize") || rule_call(&rule, "mask") || rule_call(&rule, "redact");
	crm_rule_release(&rule);
	return protects;
}

/* The calling code of a rule's phone(E164, XX), or 0. */
static int rule_phone_cc(const char *text)
{
	struct crm_rule rule;
	struct crm_error err = CRM_ERROR_INIT;
	const struct crm_rule_call *phone;
	int cc = 0;

	if (crm_rule_parse(&rule, text, CRM_RULE_TRANSFORM, &err))
		return 0;
	if ((phone = rule_call(&rule, "phone")) && phone->arg_count >= 2)
		cc = crm_phone_country_code(phone->args[1].text);
	crm_rule_release(&rule);
	return cc;
}

/* ---- phase 1: bytes and header ---- */

/* What the bytes say against what crmshift.ini says, as problems; decides the encoding to read in. */
static int judge_bytes(struct crm_profile_object *o, struct crm_error *err)
{
	const struct crm_dirt *d = &o->dirt;
	char msg[1024];

	o->found_encoding = crm_dirt_encoding(d);
	o->read_as = o->declared_encoding;
	if (d->bom == CRM_BOM_UTF8 &&
	    add_problem(
		    o,
		    (snprintf(msg, sizeof(msg), "%s:1:1: starts with a UTF-8 byte-order mark (skipped)", o->file), msg),
		    err))
		return err->code;
	if (!strcmp(o->found_encoding, "utf-16") || !strcmp(o->found_encoding, "utf-32")) {
		static const char *const marks[] = {"", "", "FF FE", "FE FF", "FF FE 00 00", "00 00 FE FF"};
		int wide = !strcmp(o->found_encoding, "utf-32");
		o->read_as = wide ? "UTF-32" : "UTF-16";
		snprintf(msg, sizeof(msg), "%s:1:1: %s (byte-order mark %s); set encoding = %s", o->file, o->read_as,
			 marks[d->bom], o->found_encoding);
		return add_problem(o, msg, err);
	}
	if (d->invalid && crm_csv_encoding_is_utf8(o->declared_encoding)) {
		/* declared UTF-8, but it is not: read it in what it fits, and say what to declare */
		o->read_as = o->found_encoding;
		snprintf(msg, sizeof(msg),
			 "%s:%lu:%lu: byte 0x%02X is not UTF-8: the file is %s, not the utf-8 declared (%lld bytes on "
			 "%lld lines); profiled as %s, set encoding = %s",
			 o->file, d->first_invalid.line, d->first_invalid.col, d->first_invalid_byte, o->found_encoding,
			 (long long)d->invalid, (long long)d->invalid_lines, o->found_encoding, o->found_encoding);
		if (add_problem(o, msg, err))
			return err->code;
	} else if (!d->invalid && d->high && !crm_csv_encoding_is_utf8(o->declared_encoding)) {
		snprintf(
			msg, sizeof(msg),
			"%s: declared %s, but every non-ASCII byte forms valid UTF-8 (%lld bytes): it is likely utf-8, "
			"and reading it as %s would garble them",
			o->file, o->declared_encoding, (long long)d->high, o->declared_encoding);
		if (add_problem(o, msg, err))
			return err->code;
	}
	if (crm_dirt_mixed_breaks(d)) {
		int64_t most = d->crlf >= d->lf && d->crlf >= d->cr ? d->crlf : d->lf >= d->cr ? d->lf : d->cr;
		const struct crm_dirt_pos *odd = d->lf && d->lf != most	      ? &d->first_lf
						 : d->crlf && d->crlf != most ? &d->first_crlf
									      : &d->first_cr;
		snprintf(msg, sizeof(msg),
			 "%s:%lu:%lu: mixed line endings: %lld CRLF, %lld LF, %lld CR (the first of the fewer kind is "
			 "here)",
			 o->file, odd->line, odd->col + 1, (long long)d->crlf, (long long)d->lf, (long long)d->cr);
		if (add_problem(o, msg, err))
			return err->code;
	}
	if (d->nul) {
		snprintf(msg, sizeof(msg), "%s:%lu:%lu: %lld NUL bytes (not text: a binary or UTF-16 file?)", o->file,
			 d->first_nul.line, d->first_nul.col, (long long)d->nul);
		if (add_problem(o, msg, err))
			return err->code;
	}
	return 0;
}

static struct crm_reader *open_export(const struct object_state *s, const struct crm_profile_object *o,
				      struct crm_error *err)
{
	struct crm_reader_spec spec = {.path = s->path,
				       .kind = s->kind,
				       .encoding = o->read_as,
				       .delimiter = s->delimiter,
				       .stream = s->stream,
				       .key = s->cfg ? s->cfg->id : NULL,
				       .each = s->cfg ? s->cfg->each : NULL,
				       .pad_short_rows = s->cfg ? s->cfg->pad_short_rows : 0,
				       .table = s->db_table};

	return crm_reader_open(&spec, err);
}

static int read_header(struct object_state *s, struct crm_profile_object *o, struct crm_error *err)
{
	struct crm_error rerr = CRM_ERROR_INIT;
	struct crm_reader *r = open_export(s, o, &rerr);
	struct crm_record rec;
	size_t i;
	int rc;

	if (!r) {
		o->fatal = crm_strdup(rerr.msg);
		return o->fatal ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	rc = crm_reader_next(r, &rec, &rerr);
	if (rc != CRM_READ_RECORD) {
		o->fatal =
			rc == CRM_READ_EOF ? fmt_dup(err, "%s: empty file (no header)", o->file) : crm_strdup(rerr.msg);
		crm_reader_close(r);
		return o->fatal ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	s->columns = crm_calloc(rec.count ? rec.count : 1, sizeof(char *));
	if (!s->columns) {
		crm_reader_close(r);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	s->column_count = rec.count;
	for (i = 0; i < rec.count; i++) {
		const char *p = rec.fields[i].ptr;
		size_t len = rec.fields[i].len;
		crm_text_trim(&p, &len);
		if (!(s->columns[i] = crm_strndup(p, len))) {
			crm_reader_close(r);
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
	}
	crm_reader_close(r);
	return 0;
}

static long column_index(const struct object_state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->column_count; i++)
		if (strcmp(s->columns[i], name) == 0)
			return (long)i;
	return -1;
}

/*
 * Without [object] id: the first column named id, record id, rec_id,
 * hs_object_id, or <object> id with the object's name in the singular
 * ("Contact ID" in contacts.csv).
 */
static long guess_id_column(const struct object_state *s, const char *object)
{
	static const char *const plain[] = {"id", "recordid", "recid", "hsobjectid", "sfid"};
	char key[256], obj[256], want[300], singular[300];
	size_t i, k, n;

	n = crm_schema_name_key(object, obj, sizeof(obj));
	if (n > 4 && !strcmp(obj + n - 4, "data")) /* deal_data.csv holds deals */
		obj[n -= 4] = '\0';
	snprintf(want, sizeof(want), "%sid", obj);
	if (n > 3 && !strcmp(obj + n - 3, "ies"))
		snprintf(singular, sizeof(singular), "%.*syid", (int)(n - 3), obj);
	else if (n > 1 && obj[n - 1] == 's')
		snprintf(singular, sizeof(singular), "%.*sid", (int)(n - 1), obj);
	else
		snprintf(singular, sizeof(singular), "%s", want);
	for (k = 0; k < CRM_ARRAY_COUNT(plain) + 2; k++)
		for (i = 0; i < s->column_count; i++) {
			const char *candidate = k < CRM_ARRAY_COUNT(plain)    ? plain[k]
						: k == CRM_ARRAY_COUNT(plain) ? want
									      : singular;
			crm_schema_name_key(s->columns[i], key, sizeof(key));
			if (!strcmp(key, candidate))
				return (long)i;
		}
	return -1;
}

struct file_scan {
	struct profiler *pr;
	const char *source_dir;
	const char *objects;
	struct crm_error *err;
};

static int add_object(struct profiler *pr, const struct crm_object_config *cfg, const char *name, const char *path,
		      struct crm_error *err)
{
	struct crm_profile *prof = pr->prof;
	struct crm_profile_object *o;
	struct object_state *s;
	size_t cap = prof->count;

	if (crm_grow(&prof->objects, prof->count, &cap, sizeof(*prof->objects), 8))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	cap = prof->count;
	if (crm_grow(&pr->st, prof->count, &cap, sizeof(*pr->st), 8))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	o = &prof->objects[prof->count];
	s = &pr->st[prof->count];
	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
	prof->count++;
	s->cfg = cfg;
	s->delimiter = cfg ? cfg->delimiter : ',';
	s->kind = cfg ? crm_config_reader_kind(cfg) : CRM_READER_CSV;
	s->stream = cfg ? cfg->stream : NULL;
	if (cfg && cfg->table && !(s->db_table = crm_strdup(cfg->table)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	s->sfdx = cfg && crm_config_is_sfdx(cfg);
	s->id_col = -1;
	crm_idcount_init(&s->ids);
	o->configured = cfg != NULL;
	o->short_rows_padded = cfg && cfg->pad_short_rows;
	o->name = crm_strdup(name);
	s->path = crm_strdup(path);
	o->file = crm_strdup(crm_path_relative(pr->cfg.dir, path));
	if (!o->name || !s->path || !o->file)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (cfg && cfg->target) {
		s->table = crm_schema_table(cfg->target);
		o->target = crm_strdup(cfg->target);
	} else {
		s->table = crm_schema_guess_table(name);
		o->target = s->table ? crm_strdup(s->table->name) : NULL;
	}
	if ((cfg && cfg->target && !o->target) || (s->table && !o->target))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!(o->declared_encoding = crm_strdup(crm_config_encoding(&pr->cfg, s->cfg))))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

/* An export in [source] path that no [object] names: profiled under its file's stem. */
static int unconfigured_file(void *ctx, const char *rel, const char *path, struct crm_error *err)
{
	struct file_scan *fs = ctx;
	struct profiler *pr = fs->pr;
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	size_t len = strlen(base), i;
	char stem[CRM_MAX_IDENT_LEN + 1], full[4096];

	(void)path; /* the walk's path has a "./" inside: the file is named as [object] file names it */
	if (len < 5 || (strcasecmp(base + len - 4, ".csv") != 0 && strcasecmp(base + len - 4, ".tsv") != 0))
		return 0;
	if (crm_path_format(full, sizeof(full), err, "%s/%s", fs->source_dir, base))
		return err->code;
	for (i = 0; i < pr->cfg.object_count; i++) {
		char *p = crm_config_export_path(&pr->cfg, &pr->cfg.objects[i]);
		int same = p && strcmp(p, full) == 0;
		crm_free(p);
		if (same)
			return 0;
	}
	snprintf(stem, sizeof(stem), "%.*s", (int)(len - 4), base);
	if (!crm_project_selected(fs->objects, stem) || crm_config_object(&pr->cfg, stem))
		return 0;
	if (add_object(pr, NULL, stem, full, err))
		return err->code;
	if (strcasecmp(base + len - 4, ".tsv") == 0)
		pr->st[pr->prof->count - 1].delimiter = '\t';
	return 0;
}

/* A table of a SQLite source that no [object] names: profiled under its name. */
static int unconfigured_table(void *ctx, const char *table, struct crm_error *err)
{
	struct file_scan *fs = ctx;
	struct profiler *pr = fs->pr;
	struct object_state *s;
	size_t i;

	for (i = 0; i < pr->cfg.object_count; i++)
		if (pr->cfg.objects[i].table && strcmp(pr->cfg.objects[i].table, table) == 0)
			return 0;
	if (!crm_project_selected(fs->objects, table) || crm_config_object(&pr->cfg, table))
		return 0;
	if (add_object(pr, NULL, table, fs->source_dir, err))
		return err->code;
	s = &pr->st[pr->prof->count - 1];
	s->kind = CRM_READER_SQLITE;
	return (s->db_table = crm_strdup(table)) ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
}

/* ---- the columns' roles: references and duplicate keys ---- */

static const char *column_target(const struct object_state *s, const struct field_state *f, const char *column)
{
	const struct crm_column_def *def;

	if (f->row && f->row->col[CRM_MAP_TARGET_FIELD][0])
		return f->row->col[CRM_MAP_TARGET_FIELD];
	def = crm_schema_match(s->table, column);
	return def ? def->name : NULL;
}

/* The one profiled object loaded into table, or -1 (none, or several). */
static long object_for_table(const struct profiler *pr, const char *table)
{
	long found = -1;
	size_t i;

	for (i = 0; i < pr->prof->count; i++)
		if (pr->prof->objects[i].target && strcmp(pr->prof->objects[i].target, table) == 0) {
			if (found >= 0)
				return -1;
			found = (long)i;
		}
	return found;
}

static long object_named(const struct profiler *pr, const char *name)
{
	size_t i;

	for (i = 0; i < pr->prof->count; i++)
		if (strcmp(pr->prof->objects[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* The object named name, any case, also in the plural (deal: deals, activity: activities); -1 when none. */
static long object_named_loosely(const struct profiler *pr, const char *name)
{
	char plural[CRM_MAX_IDENT_LEN + 8];
	size_t i, n = strlen(name), k;

	for (k = 0; k < 3; k++) {
		if (k == 0)
			snprintf(plural, sizeof(plural), "%s", name);
		else if (k == 1)
			snprintf(plural, sizeof(plural), "%s%s", name, n && name[n - 1] == 's' ? "es" : "s");
		else if (n > 1 && name[n - 1] == 'y')
			snprintf(plural, sizeof(plural), "%.*sies", (int)(n - 1), name);
		else
			continue;
		for (i = 0; i < pr->prof->count; i++)
			if (strcasecmp(pr->prof->objects[i].name, plural) == 0)
				return (long)i;
	}
	return -1;
}

/*
 * Whether an object's records are people, whose names, e-mails, phones and
 * addresses are personal: contacts and leads; a custom object (Order__c, or
 * one crmshift.ini gives a custom table) only when named for people
 * (Patient__c, Member__c): a product's or an order's Name is not. A file
 * nothing tells about counts as people, so nothing personal is shown.
 */
static int holds_people(const struct object_state *s, const struct crm_profile_object *o)
{
	static const char *const words[] = {"contact",	 "lead",     "person",	  "people",    "member",    "customer",
					    "patient",	 "employee", "candidate", "student",   "user",	    "donor",
					    "volunteer", "client",   "guest",	  "applicant", "subscriber"};
	char key[256];
	size_t i;

	size_t n = strlen(o->name);

	if (s->table)
		return o->target && (!strcmp(o->target, "contact") || !strcmp(o->target, "lead"));
	if (!o->target && !(n > 3 && !strcmp(o->name + n - 3, "__c")))
		return 1;
	crm_schema_name_key(o->name, key, sizeof(key));
	for (i = 0; i < CRM_ARRAY_COUNT(words); i++)
		if (strstr(key, words[i]))
			return 1;
	return 0;
}

/*
 * The object a lookup column's name points at, as Salesforce and Pipedrive
 * name them: AccountId and Account__c (Account), Product_Family__c (the
 * object of that very name), org_id (organizations), person_id (persons).
 * -1 when no profiled object fits. base gets the name without its suffix.
 */
static long parent_by_column_name(const struct profiler *pr, const char *column, char *base, size_t cap)
{
	size_t n = strlen(column);
	long p = -1;

	base[0] = '\0';
	if (n > 3 && !strcmp(column + n - 3, "__c")) {
		snprintf(base, cap, "%.*s", (int)(n - 3), column);
		if ((p = object_named_loosely(pr, column)) < 0)
			p = object_named_loosely(pr, base);
	} else if (n > 3 && !strcasecmp(column + n - 3, "_id")) {
		snprintf(base, cap, "%.*s", (int)(n - 3), column);
		p = object_named_loosely(pr, base);
		if (p < 0 && !strcasecmp(base, "org"))
			p = object_named_loosely(pr, "organization");
	} else if (n > 2 && !strcmp(column + n - 2, "Id") && column[n - 3] >= 'a' && column[n - 3] <= 'z') {
		snprintf(base, cap, "%.*s", (int)(n - 2), column);
		p = object_named_loosely(pr, base);
	}
	if (p < 0 && base[0]) {
		/* a second lookup to the same object is named for its role: Primary_Contact__c, ParentAccountId */
		const char *last = strrchr(base, '_');
		size_t i = strlen(base);
		if (!last)
			while (i > 1 && !(base[i - 1] >= 'A' && base[i - 1] <= 'Z'))
				i--;
		last = last ? last + 1 : i > 1 ? base + i - 1 : NULL;
		if (last && *last)
			p = object_named_loosely(pr, last);
	}
	return p;
}

static int add_ref(struct object_state *s, struct crm_profile_object *o, long col, size_t parent,
		   const char *parent_name, const char *basis, struct crm_error *err)
{
	size_t cap = s->ref_count;
	struct crm_profile_reference *r;

	if (crm_grow(&s->refs, s->ref_count, &cap, sizeof(*s->refs), 4))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	cap = o->reference_count;
	if (crm_grow(&o->references, o->reference_count, &cap, sizeof(*o->references), 4))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	memset(&s->refs[s->ref_count], 0, sizeof(s->refs[0]));
	s->refs[s->ref_count].col = col;
	s->refs[s->ref_count].parent = parent;
	s->ref_count++;
	r = &o->references[o->reference_count++];
	memset(r, 0, sizeof(*r));
	r->field = crm_strdup(s->columns[col]);
	r->parent = crm_strdup(parent_name);
	r->basis = basis;
	if (!r->field || !r->parent)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

/* Pipedrive's company_id is the Pipedrive account the data lives in (the same on every record), not an organization. */
static int pipedrive_tenant(const struct object_state *s, size_t c)
{
	return s->cfg && !strcmp(s->cfg->format, "pipedrive") && !strcmp(s->columns[c], "company_id");
}

/*
 * Offers column c for the duplicate keys: by the target field the mapping
 * (or the schema, by its name) gives it, else by what its name says. A
 * stronger basis takes a part from a weaker one, so the mapping's email
 * column is keyed, not email.0.label or email_messages_count before it, and
 * last_name, not a full "name" before it. E-mail columns that lose stay as
 * alternatives, the most e-mail-like reported.
 */
static void dup_role(struct object_state *s, const struct crm_profile_object *o, size_t c, const char *target,
		     enum crm_pii_kind pii)
{
	int mapped = s->fs[c].row && s->fs[c].row->col[CRM_MAP_TARGET_FIELD][0];
	enum dup_basis basis = target ? (mapped ? DUP_BY_MAPPING : DUP_BY_SCHEMA) : DUP_BY_NAME;
	int kind, part;
	long displaced;

	if ((target && !strcmp(target, "email")) || (!target && pii == CRM_PII_KIND_EMAIL))
		kind = DUP_EMAIL, part = 0;
	else if ((target && !strcmp(target, "phone")) || (!target && pii == CRM_PII_KIND_PHONE))
		kind = DUP_PHONE, part = 0;
	else if ((target && !strcmp(target, "first_name")) ||
		 (!target && pii == CRM_PII_KIND_NAME &&
		  (strcasestr(s->columns[c], "first") || strcasestr(s->columns[c], "given"))))
		kind = DUP_NAME, part = 0;
	else if ((target && !strcmp(target, "last_name")) || (!target && pii == CRM_PII_KIND_NAME)) {
		kind = DUP_NAME, part = 1;
		/* a bare name ("name", "Full_Name") is the last part only when nothing names a surname */
		if (!mapped && !strcasestr(s->columns[c], "last") && !strcasestr(s->columns[c], "sur") &&
		    !strcasestr(s->columns[c], "family"))
			basis = DUP_BY_BARE_NAME;
	} else if (target && (!strcmp(target, "company") ||
			      (!strcmp(target, "account_id") && o->target && !strcmp(o->target, "contact"))))
		kind = DUP_NAME, part = 2;
	else
		return;
	if (s->dup_cols[kind][part] >= 0 && s->dup_rank[kind][part] <= basis)
		displaced = (long)c;
	else {
		displaced = s->dup_cols[kind][part];
		s->dup_cols[kind][part] = (long)c;
		s->dup_rank[kind][part] = (unsigned char)basis;
		if (kind == DUP_PHONE) {
			int cc = s->fs[c].row ? rule_phone_cc(s->fs[c].row->col[CRM_MAP_TRANSFORM_RULE]) : 0;
			s->phone_cc = cc ? cc : 1;
		}
	}
	if (kind == DUP_EMAIL && displaced >= 0) {
		if (s->email_alt[0] < 0)
			s->email_alt[0] = displaced;
		else if (s->email_alt[1] < 0)
			s->email_alt[1] = displaced;
	}
}

static int find_roles(struct profiler *pr, size_t index, struct crm_error *err)
{
	struct object_state *s = &pr->st[index];
	struct crm_profile_object *o = &pr->prof->objects[index];
	size_t c, k;

	for (k = 0; k < DUP_KINDS; k++)
		for (c = 0; c < 3; c++) {
			s->dup_cols[k][c] = -1;
			s->dup_rank[k][c] = DUP_UNCHOSEN;
		}
	s->email_alt[0] = s->email_alt[1] = -1;
	s->phone_cc = 1;
	for (c = 0; c < s->column_count; c++) {
		struct field_state *f = &s->fs[c];
		const char *target = column_target(s, f, s->columns[c]);
		char parent[CRM_MAX_IDENT_LEN + 1] = "";
		enum crm_pii_kind pii = crm_infer_pii_name(s->columns[c], holds_people(s, o));
		long p = -1;

		if ((long)c == s->id_col || pipedrive_tenant(s, c))
			continue;
		if (f->row) {
			rule_ref(f->row->col[CRM_MAP_TRANSFORM_RULE], parent, sizeof(parent));
			if (parent[0] && (p = object_named(pr, parent)) >= 0 &&
			    add_ref(s, o, (long)c, (size_t)p, parent, "mapping", err))
				return err->code;
		} else if (target) {
			const struct crm_column_def *def = crm_schema_column(s->table, target);
			if (def && def->type == CRM_TYPE_REF && (p = object_for_table(pr, def->ref_table)) >= 0 &&
			    add_ref(s, o, (long)c, (size_t)p, pr->prof->objects[p].name, "name", err))
				return err->code;
		} else if ((p = parent_by_column_name(pr, s->columns[c], parent, sizeof(parent))) >= 0) {
			/* API names (JSON exports, Data Loader CSVs): lookups follow the CRM's naming */
			if (add_ref(s, o, (long)c, (size_t)p, pr->prof->objects[p].name, "name", err))
				return err->code;
		}
		dup_role(s, o, c, target, pii);
	}
	/* the mapping says which column is the e-mail: others are not keyed */
	if (s->dup_rank[DUP_EMAIL][0] == DUP_BY_MAPPING)
		s->email_alt[0] = s->email_alt[1] = -1;
	return 0;
}

/* ---- phase 2: parents first ---- */

static void visit(struct profiler *pr, size_t i)
{
	struct object_state *s = &pr->st[i];
	size_t r;

	if (s->visiting)
		return; /* done, or on the path: a cycle, whose references wait */
	s->visiting = 1;
	for (r = 0; r < s->ref_count; r++)
		if (s->refs[r].parent != i)
			visit(pr, s->refs[r].parent);
	pr->order[pr->order_count++] = i;
}

/* ---- phase 3: the records ---- */

static void min_max_text(char *min, char *max, const char *v)
{
	if (!min[0] || strcmp(v, min) < 0)
		snprintf(min, CRM_DT_MAX, "%s", v);
	if (!max[0] || strcmp(v, max) > 0)
		snprintf(max, CRM_DT_MAX, "%s", v);
}

static void note_dates(struct field_state *f, struct crm_profile_field *out, const char *p, size_t len, unsigned kinds,
		       unsigned long line)
{
	char iso[CRM_DT_MAX], reason[96];
	struct crm_tz utc = {0, 0, "UTC"};
	enum crm_date_order order = crm_infer_date_order(p, len);
	int a, b, year;

	if (order != CRM_DATE_NOT_NUMERIC) {
		switch (order) {
		case CRM_DATE_AMBIGUOUS:
			if (!out->date_ambiguous++)
				out->first_ambiguous_line = line;
			break;
		case CRM_DATE_DAY_FIRST:
			out->date_day_first++;
			break;
		case CRM_DATE_MONTH_FIRST:
			out->date_month_first++;
			break;
		case CRM_DATE_INVALID:
			out->date_invalid++;
			return;
		default:
			break;
		}
		crm_infer_numeric_date(p, len, &a, &b, &year);
		if (crm_dt_valid_date(year, a, b))
			min_max_text(f->md_min, f->md_max,
				     (snprintf(iso, sizeof(iso), "%04d-%02d-%02d", year, a, b), iso));
		if (crm_dt_valid_date(year, b, a))
			min_max_text(f->dm_min, f->dm_max,
				     (snprintf(iso, sizeof(iso), "%04d-%02d-%02d", year, b, a), iso));
		return;
	}
	if (kinds & (1u << CRM_KIND_DATETIME)) {
		if (crm_datetime_normalize(p, len, &utc, iso, reason, sizeof(reason)) == 0)
			min_max_text(f->iso_min, f->iso_max, iso);
	} else if (kinds & (1u << CRM_KIND_DATE)) {
		if (len == 8) /* YYYYMMDD */
			snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", p, p + 4, p + 6);
		else
			snprintf(iso, sizeof(iso), "%.10s", p);
		min_max_text(f->iso_min, f->iso_max, iso);
	}
}

static int profile_value(struct field_state *f, struct crm_profile_field *out, const char *p, size_t len,
			 unsigned long line, struct crm_error *err)
{
	const char *v = p;
	size_t vlen = len, chars;
	uint64_t hash;
	char shape[48];
	unsigned kinds;
	int k;

	crm_text_trim(&v, &vlen);
	if (!vlen)
		return 0;
	out->filled++;
	if (vlen != len)
		out->padded++;
	hash = crm_hash_bytes(v, vlen);
	if (crm_distinct_add(&f->distinct, hash, err))
		return err->code;
	crm_topk_add_hashed(&f->values, v, vlen, hash);
	crm_topk_add(&f->patterns, shape, crm_infer_shape(v, vlen, shape, sizeof(shape)));
	kinds = crm_infer_kinds(v, vlen);
	for (k = 0; k < CRM_KIND_COUNT; k++)
		if (kinds & (1u << k))
			out->kind_counts[k]++;
	if (kinds & (1u << CRM_KIND_PHONE | 1u << CRM_KIND_INT)) {
		/* what a drafted phone(E164, US) would make of it: the draft says when it would refuse some */
		char e164[CRM_PHONE_MAX], reason[96];
		out->phone_readable += crm_phone_e164(v, vlen, 1, e164, reason, sizeof(reason)) == 0;
	}
	if (kinds & (1u << CRM_KIND_DECIMAL)) {
		char num[64];
		double d;
		memcpy(num, v, vlen < 63 ? vlen : 63);
		num[vlen < 63 ? vlen : 63] = '\0';
		d = strtod(num, NULL);
		if (!f->have_num || d < f->num_min)
			f->num_min = d;
		if (!f->have_num || d > f->num_max)
			f->num_max = d;
		f->have_num = 1;
	}
	if (v[0] >= '0' && v[0] <= '9')
		note_dates(f, out, v, vlen, kinds, line);
	chars = crm_text_chars(v, vlen);
	if (out->filled == 1 || chars < out->min_len)
		out->min_len = chars;
	if (chars > out->max_len)
		out->max_len = chars;
	if (!out->sample && !(out->sample = crm_strndup(v, vlen < 80 ? vlen : 80)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (crm_infer_mojibake(v, vlen) >= 0 && ++out->mojibake == 1)
		out->first_mojibake_line = line;
	if (crm_infer_lossy(v, vlen) >= 0 && ++out->lossy == 1)
		out->first_lossy_line = line;
	return 0;
}

/* An id as a key: Salesforce ids in their 18-character form, so that 15 and 18 match. */
static uint64_t id_hash(const char *p, size_t len)
{
	char id18[CRM_SFID_LEN + 1], reason[96];
	uint64_t h;

	crm_text_trim(&p, &len);
	if ((len == 15 || len == 18) && crm_sfid_normalize(p, len, id18, reason, sizeof(reason)) == 0)
		h = crm_hash_bytes(id18, CRM_SFID_LEN);
	else
		h = crm_hash_bytes(p, len);
	h &= INT64_MAX;
	return h ? h : 1;
}

static int dup_add(struct dup_table *t, uint64_t hash, unsigned long line, uint32_t *first_line, uint32_t *count,
		   struct crm_error *err)
{
	size_t i;

	hash = hash ? hash : 1;
	if ((t->count + 1) * 4 > t->cap * 3) {
		size_t cap = t->cap ? t->cap * 2 : 1024, j;
		struct dup_slot *slots = crm_table_alloc(cap, sizeof(*slots));
		if (!slots)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		for (j = 0; j < t->cap; j++) {
			if (!t->slots[j].hash)
				continue;
			for (i = (size_t)t->slots[j].hash & (cap - 1); slots[i].hash; i = (i + 1) & (cap - 1))
				;
			slots[i] = t->slots[j];
		}
		crm_free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	for (i = (size_t)hash & (t->cap - 1); t->slots[i].hash; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].hash == hash) {
			t->slots[i].count++;
			*first_line = t->slots[i].first_line;
			*count = t->slots[i].count;
			return 0;
		}
	t->slots[i].hash = hash;
	t->slots[i].first_line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	t->slots[i].count = 1;
	t->count++;
	*first_line = t->slots[i].first_line;
	*count = 1;
	return 0;
}

/*
 * A file without an id column whose records point at two or more parents
 * (a junction) may be named by its references together: counts the records
 * whose references all repeat an earlier record's. By hashes, so a collision
 * can only count a repeat that is not one, never hide one.
 */
static int reference_key_of_record(struct object_state *s, const struct crm_profile_object *o,
				   const struct crm_record *rec, struct crm_idcount *seen, int64_t *repeats,
				   struct crm_error *err)
{
	uint64_t h = 0;
	size_t r;

	for (r = 0; r < o->reference_count; r++) {
		const struct crm_field *f = &rec->fields[s->refs[r].col];
		if (!f->len)
			return 0;
		h = h * 0x9e3779b97f4a7c15ull ^ id_hash(f->ptr, f->len);
	}
	if (crm_idcount_get(seen, (int64_t)h))
		(*repeats)++;
	return crm_idcount_add(seen, (int64_t)h, 1, err);
}

/* A name for matching: case folded, accents and punctuation gone, blanks collapsed. */
static size_t name_key(const char *p, size_t len, char *out, size_t cap)
{
	long n = crm_text_fold_words(p, len, CRM_FOLD_STRIP_MARKS, " \t-.,'", out, cap);

	return n < 0 ? 0 : (size_t)n;
}

static void mask_text(const char *v, char *out, size_t cap, int spi)
{
	crm_text_masked(spi ? "SPI" : "PII", v, strlen(v), out, cap);
}

/* Counts one record's duplicate key (key, n; '\x1f' between parts) in table, the first repeats as examples in d. */
static int duplicate_key(struct object_state *s, struct dup_table *table, struct crm_profile_duplicates *d, char *key,
			 size_t n, const struct crm_record *rec, struct crm_error *err)
{
	uint32_t first = 0, count = 0;
	size_t i;

	if (dup_add(table, crm_hash_bytes(key, n), rec->line, &first, &count, err))
		return err->code;
	if (count == 2 && d->example_count < CRM_PROFILE_EXAMPLES) {
		struct crm_profile_duplicate_example *ex = &d->examples[d->example_count++];
		char masked[64];
		ex->first_line = first;
		ex->line = rec->line;
		ex->id = s->id_col >= 0 ? crm_strndup(rec->fields[s->id_col].ptr, rec->fields[s->id_col].len)
					: crm_strdup("");
		for (i = 0; i < n; i++)
			if (key[i] == '\x1f')
				key[i] = ' ';
		mask_text(key, masked, sizeof(masked), 0);
		ex->key = crm_strdup(masked);
		if (!ex->id || !ex->key)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	return 0;
}

static int duplicates_of_record(struct object_state *s, struct crm_profile_object *o, const struct crm_record *rec,
				struct crm_error *err)
{
	size_t k;

	for (k = 0; k < DUP_KINDS; k++) {
		char key[1024], e164[CRM_PHONE_MAX], reason[96];
		size_t n = 0, i;
		struct crm_profile_duplicates *d = &o->duplicates[k];
		if (s->dup_cols[k][k == DUP_NAME ? 1 : 0] < 0)
			continue;
		if (k == DUP_EMAIL || k == DUP_PHONE) {
			const char *p = rec->fields[s->dup_cols[k][0]].ptr;
			size_t len = rec->fields[s->dup_cols[k][0]].len;
			crm_text_trim(&p, &len);
			if (!len || len >= sizeof(key))
				continue;
			if (k == DUP_PHONE) {
				if (crm_phone_e164(p, len, s->phone_cc, e164, reason, sizeof(reason)))
					continue;
				n = (size_t)snprintf(key, sizeof(key), "%s", e164);
			} else {
				for (i = 0; i < len; i++)
					key[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
				n = len;
				key[n] = '\0';
			}
		} else {
			int part;
			for (part = 0; part < 3; part++) {
				long c = s->dup_cols[k][part];
				if (c >= 0 && n + 2 < sizeof(key))
					n += name_key(rec->fields[c].ptr, rec->fields[c].len, key + n, sizeof(key) - n);
				if (part == 1 && !n)
					break; /* no name: no key */
				if (n + 1 < sizeof(key))
					key[n++] = '\x1f';
			}
			if (part < 3)
				continue;
			key[n] = '\0';
		}
		if (duplicate_key(s, &s->dups[k], d, key, n, rec, err))
			return err->code;
	}
	for (k = 0; k < 2; k++) {
		/* the other e-mail columns, each keyed as the first */
		char key[1024];
		const char *p;
		size_t len, i;
		if (s->email_alt[k] < 0)
			continue;
		p = rec->fields[s->email_alt[k]].ptr;
		len = rec->fields[s->email_alt[k]].len;
		crm_text_trim(&p, &len);
		if (!len || len >= sizeof(key))
			continue;
		for (i = 0; i < len; i++)
			key[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
		key[len] = '\0';
		if (duplicate_key(s, &s->email_alt_dups[k], &s->email_alt_found[k], key, len, rec, err))
			return err->code;
	}
	return 0;
}

static int orphan_example(struct crm_profile_reference *r, unsigned long line, const char *id, size_t id_len,
			  const char *value, size_t value_len, struct crm_error *err)
{
	struct crm_profile_orphan_example *ex;

	if (r->example_count >= CRM_PROFILE_EXAMPLES)
		return 0;
	ex = &r->examples[r->example_count++];
	ex->line = line;
	ex->id = crm_strndup(id, id_len);
	ex->value = crm_strndup(value, value_len);
	if (!ex->id || !ex->value)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

static int references_of_record(struct profiler *pr, struct object_state *s, struct crm_profile_object *o,
				const struct crm_record *rec, struct crm_error *err)
{
	const char *id = s->id_col >= 0 ? rec->fields[s->id_col].ptr : "";
	size_t id_len = s->id_col >= 0 ? rec->fields[s->id_col].len : 0, r;

	for (r = 0; r < s->ref_count; r++) {
		struct ref_state *ref = &s->refs[r];
		const char *v = rec->fields[ref->col].ptr;
		size_t len = rec->fields[ref->col].len;
		uint64_t h;
		crm_text_trim(&v, &len);
		if (s->sfdx)
			crm_json_sfdx_lookup(&v, &len);
		if (!len)
			continue;
		o->references[r].references++;
		h = id_hash(v, len);
		if (pr->st[ref->parent].id_col < 0) {
			/* nothing names the parent's records: every reference would look an orphan */
			o->references[r].parent_has_no_id = 1;
			continue;
		}
		if (pr->st[ref->parent].done) {
			if (!crm_idcount_get(&pr->st[ref->parent].ids, (int64_t)h)) {
				o->references[r].orphans++;
				if (orphan_example(&o->references[r], rec->line, id, id_len, v, len, err))
					return err->code;
			}
			continue;
		}
		{
			size_t cap = ref->pending_cap;
			struct pending_ref *p;
			if (crm_grow(&ref->pending, ref->pending_count, &cap, sizeof(*ref->pending), 64))
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			ref->pending_cap = cap;
			p = &ref->pending[ref->pending_count++];
			p->hash = h;
			p->line = rec->line;
			p->id = crm_strndup(id, id_len);
			p->value = crm_strndup(v, len);
			if (!p->id || !p->value)
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/*
 * The values of each field are counted on a second thread, a batch behind
 * the reading: the reading thread parses, copies each good record into a
 * batch and does what spans a record's fields (its id, duplicate keys,
 * references) while the worker counts the previous batch's values field by
 * field, in file order, so the figures are those of one thread. Each side
 * writes only its own: the worker the fields' (fs[], fields[]), the reader
 * the object's.
 */
#define VALUE_BATCH 1024u

struct value_batch {
	struct crm_arena arena;	  /* the values */
	struct crm_field *fields; /* VALUE_BATCH records of column_count fields */
	unsigned long *lines;
	size_t count;
};

struct value_worker {
	struct object_state *s;
	struct crm_profile_object *o;
	struct value_batch batches[2];
	size_t filling; /* the batch the reader fills */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct value_batch *handed; /* handed over and not counted yet */
	int stop;
	struct crm_error err; /* the worker's; read after it is idle */
};

static void *count_values(void *arg)
{
	struct value_worker *w = arg;
	size_t cols = w->s->column_count, i, c;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct value_batch *b;
		while (!w->handed && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!(b = w->handed))
			break;
		pthread_mutex_unlock(&w->lock);
		for (i = 0; i < b->count && !w->err.code; i++)
			for (c = 0; c < cols; c++) {
				const struct crm_field *f = &b->fields[i * cols + c];
				if (profile_value(&w->s->fs[c], &w->o->fields[c], f->ptr, f->len, b->lines[i], &w->err))
					break;
			}
		pthread_mutex_lock(&w->lock);
		w->handed = NULL;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Waits until the worker has counted what it was given. */
static void worker_wait(struct value_worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->handed)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* Hands the filled batch over (once the one before is counted) and fills the other; the worker's error, if any. */
static int worker_hand(struct value_worker *w, struct crm_error *err)
{
	struct value_batch *b = &w->batches[w->filling];

	if (!b->count)
		return 0;
	worker_wait(w);
	if (w->err.code)
		return crm_error_set(err, w->err.code, "%s", w->err.msg);
	pthread_mutex_lock(&w->lock);
	w->handed = b;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->filling ^= 1;
	crm_arena_reset(&w->batches[w->filling].arena);
	w->batches[w->filling].count = 0;
	return 0;
}

static int worker_start(struct value_worker *w, struct object_state *s, struct crm_profile_object *o,
			struct crm_error *err)
{
	size_t k, cols = s->column_count ? s->column_count : 1;

	memset(w, 0, sizeof(*w));
	w->s = s;
	w->o = o;
	for (k = 0; k < 2; k++) {
		crm_arena_init(&w->batches[k].arena, 64 * 1024);
		w->batches[k].fields = crm_malloc(VALUE_BATCH * cols * sizeof(*w->batches[k].fields));
		w->batches[k].lines = crm_malloc(VALUE_BATCH * sizeof(*w->batches[k].lines));
		if (!w->batches[k].fields || !w->batches[k].lines)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, count_values, w) != 0)
		return crm_error_set(err, CRM_ENOMEM, "cannot start a thread to count values");
	w->started = 1;
	return 0;
}

/* Counts what is left, stops the thread and frees the batches; the worker's error into err if none yet. */
static int worker_finish(struct value_worker *w, struct crm_error *err)
{
	size_t k;

	if (w->started) {
		if (!err->code)
			worker_hand(w, err);
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
	}
	for (k = 0; k < 2; k++) {
		crm_arena_release(&w->batches[k].arena);
		crm_free(w->batches[k].fields);
		crm_free(w->batches[k].lines);
	}
	if (w->err.code)
		crm_error_set(err, w->err.code, "%s", w->err.msg);
	return err->code;
}

/* Copies rec's values into the batch being filled; hands it over when full. */
static int worker_add(struct value_worker *w, const struct crm_record *rec, struct crm_error *err)
{
	struct value_batch *b = &w->batches[w->filling];
	size_t cols = w->s->column_count, c;

	for (c = 0; c < cols; c++) {
		struct crm_field *f = &b->fields[b->count * cols + c];
		f->len = c < rec->count ? rec->fields[c].len : 0;
		f->ptr = f->len ? crm_arena_strndup(&b->arena, rec->fields[c].ptr, f->len) : "";
		if (!f->ptr)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	b->lines[b->count++] = rec->line;
	return b->count == VALUE_BATCH ? worker_hand(w, err) : 0;
}

static int read_records(struct profiler *pr, size_t index, struct crm_error *err)
{
	struct object_state *s = &pr->st[index];
	struct crm_profile_object *o = &pr->prof->objects[index];
	struct crm_error rerr = CRM_ERROR_INIT;
	struct crm_reader *r = open_export(s, o, &rerr);
	struct value_worker w;
	struct crm_record rec;
	int rc;

	if (!r) {
		o->fatal = crm_strdup(rerr.msg);
		return o->fatal ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	if (worker_start(&w, s, o, err)) {
		crm_reader_close(r);
		return worker_finish(&w, err);
	}
	while ((rc = crm_reader_next(r, &rec, &rerr)) != CRM_READ_EOF) {
		if (rc < 0) {
			if (rc == CRM_ENOMEM) {
				crm_error_set(err, CRM_ENOMEM, "out of memory");
				break;
			}
			o->fatal = crm_strdup(rerr.msg);
			break;
		}
		if (rec.index == 0)
			continue;
		o->records++;
		o->short_rows += rec.short_fields > 0;
		if (rc == CRM_READ_BAD_RECORD) {
			size_t n = strlen(s->path);
			o->bad_records++;
			/* the reader names the file by its full path; the report by the project-relative one */
			if (!strncmp(rerr.msg, s->path, n) && rerr.msg[n] == ':') {
				char msg[CRM_ERROR_MSG_MAX + 256];
				snprintf(msg, sizeof(msg), "%s%s", o->file, rerr.msg + n);
				if (add_problem(o, msg, err))
					break;
			} else if (add_problem(o, rerr.msg, err)) {
				break;
			}
			rerr.code = 0;
			continue;
		}
		if (worker_add(&w, &rec, err))
			break;
		if (s->id_col >= 0 && rec.fields[s->id_col].len) {
			uint64_t h = id_hash(rec.fields[s->id_col].ptr, rec.fields[s->id_col].len);
			if (crm_idcount_get(&s->ids, (int64_t)h))
				o->duplicate_ids++;
			if (crm_idcount_add(&s->ids, (int64_t)h, 1, err))
				break;
		} else if (o->repeated_reference_keys >= 0 &&
			   reference_key_of_record(s, o, &rec, &s->ids, &o->repeated_reference_keys, err)) {
			break;
		}
		/* a contact role whose opportunity and contact repeat an earlier one's: one link, twice */
		if (o->repeated_pairs >= 0 && s->id_col >= 0 &&
		    reference_key_of_record(s, o, &rec, &s->pairs, &o->repeated_pairs, err))
			break;
		if (duplicates_of_record(s, o, &rec, err) || references_of_record(pr, s, o, &rec, err))
			break;
	}
	crm_reader_close(r);
	if (worker_finish(&w, err))
		return err->code;
	s->done = 1;
	return 0;
}

/* ---- finishing: the figures of each field ---- */

static int personal(const struct crm_profile_field *f)
{
	return f->flagged || f->pii != CRM_PII_KIND_NONE;
}

static const char *choose_type(struct crm_profile_field *f)
{
	static const struct {
		enum crm_kind kind;
		double share;
	} order[] = {
		/* dates before numbers: a column of YYYYMMDD values that are all calendar dates holds dates */
		{CRM_KIND_BOOL, 0.95},	 {CRM_KIND_DATE, 0.9},	   {CRM_KIND_INT, 0.9},
		{CRM_KIND_DECIMAL, 0.9}, {CRM_KIND_DATETIME, 0.9}, {CRM_KIND_EMAIL, 0.8},
		{CRM_KIND_PHONE, 0.8},	 {CRM_KIND_URL, 0.8},	   {CRM_KIND_SFID, 0.95},
	};
	size_t i;

	f->type_share = 1;
	if (!f->filled)
		return "text";
	for (i = 0; i < CRM_ARRAY_COUNT(order); i++) {
		double share = (double)f->kind_counts[order[i].kind] / (double)f->filled;
		/* one value with a fraction makes a column decimal, not int */
		if (order[i].kind == CRM_KIND_INT && f->kind_counts[CRM_KIND_DECIMAL] > f->kind_counts[CRM_KIND_INT])
			continue;
		if (share >= order[i].share) {
			f->type_share = share;
			return crm_kind_name(order[i].kind);
		}
	}
	/* phones written without separators read as numbers: a phone column holds both */
	if ((double)(f->kind_counts[CRM_KIND_PHONE] + f->kind_counts[CRM_KIND_INT]) / (double)f->filled >= 0.9 &&
	    f->kind_counts[CRM_KIND_PHONE] * 2 >= f->filled) {
		f->type_share = (double)f->kind_counts[CRM_KIND_PHONE] / (double)f->filled;
		return "phone";
	}
	return "text";
}

/*
 * The most frequent values. With exact (the column's distinct values are
 * counted exactly), each kept value's count is its exact frequency, not
 * the sketch's estimate, and they are ranked by it: a column of unique
 * names shows 1 each, never '~14'.
 */
static int copy_counts(struct crm_profile_count *out, size_t *count, const struct crm_topk *t,
		       const struct crm_distinct *exact, int mask, int spi, struct crm_error *err)
{
	struct crm_topk_slot slots[CRM_TOPK_SLOTS];
	size_t n = crm_topk_sorted(t, slots, CRM_TOPK_SLOTS), i;

	if (exact && crm_distinct_occurrences(exact, 0) >= 0) {
		for (i = 0; i < n; i++)
			slots[i].count = crm_distinct_occurrences(exact, slots[i].hash);
		qsort(slots, n, sizeof(*slots), crm_topk_slot_order);
	}
	if (n > CRM_PROFILE_TOP)
		n = CRM_PROFILE_TOP;
	for (i = 0; i < n; i++) {
		char masked[64];
		if (mask)
			mask_text(slots[i].value, masked, sizeof(masked), spi);
		out[i].value = crm_strdup(mask ? masked : slots[i].value);
		out[i].count = slots[i].count;
		if (!out[i].value)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		*count = i + 1;
	}
	return 0;
}

static int finish_field(struct object_state *s, struct crm_profile_object *o, size_t c, struct crm_error *err)
{
	struct field_state *f = &s->fs[c];
	struct crm_profile_field *out = &o->fields[c];
	int mask, spi, approx;
	const char *min = NULL, *max = NULL;
	char num_min[64], num_max[64];

	out->type = choose_type(out);
	/*
	 * A name that says e-mail or phone over values that are none at all (a
	 * Send_Email__c flag, a phone-type picklist): not personal data. Only
	 * when no value is one and the values are a flag or a short list, so a
	 * column of garbled addresses stays masked.
	 */
	if (out->pii_basis && !strcmp(out->pii_basis, "name") && out->filled &&
	    (!strcmp(out->type, "bool") || crm_distinct_count(&f->distinct, &approx) <= 20) &&
	    ((out->pii == CRM_PII_KIND_EMAIL && !out->kind_counts[CRM_KIND_EMAIL]) ||
	     (out->pii == CRM_PII_KIND_PHONE && !out->kind_counts[CRM_KIND_PHONE] &&
	      !out->kind_counts[CRM_KIND_INT]))) {
		out->pii = CRM_PII_KIND_NONE;
		out->pii_basis = NULL;
	}
	if (out->pii == CRM_PII_KIND_NONE && out->filled &&
	    (!o->target || !strcmp(o->target, "contact") || !strcmp(o->target, "lead"))) {
		if ((double)out->kind_counts[CRM_KIND_EMAIL] / (double)out->filled >= 0.5) {
			out->pii = CRM_PII_KIND_EMAIL;
			out->pii_basis = "values";
		} else if (!strcmp(out->type, "phone")) {
			out->pii = CRM_PII_KIND_PHONE;
			out->pii_basis = "values";
		}
	}
	mask = personal(out);
	spi = out->pii == CRM_PII_KIND_NATIONAL_ID || (f->row && f->row->pii == CRM_PII_SPI);
	out->distinct = crm_distinct_count(&f->distinct, &out->distinct_approx);
	/* values counted exactly while their distinct count is: then the top values are exact too */
	out->top_approx = f->values.evicted && out->distinct_approx;
	out->patterns_approx = f->patterns.evicted;
	if (copy_counts(out->top, &out->top_count, &f->values, &f->distinct, mask, spi, err) ||
	    copy_counts(out->patterns, &out->pattern_count, &f->patterns, NULL, 0, 0, err))
		return err->code;
	{
		/* a postal code column of 5-digit codes with some of 4: read as numbers on the way, zero lost */
		char key[256];
		int64_t five = 0, four = 0;
		size_t p;
		crm_schema_name_key(out->name, key, sizeof(key));
		for (p = 0; p < out->pattern_count; p++) {
			five += !strcmp(out->patterns[p].value, "ddddd") ? out->patterns[p].count : 0;
			four += !strcmp(out->patterns[p].value, "dddd") ? out->patterns[p].count : 0;
		}
		if ((strstr(key, "postal") || strstr(key, "zip") || strstr(key, "postcode")) && four &&
		    five * 2 >= out->filled)
			out->short_postcodes = four;
	}
	if (out->date_ambiguous || out->date_day_first || out->date_month_first) {
		if (out->date_day_first && out->date_month_first)
			out->date_order = "mixed";
		else if (out->date_day_first)
			out->date_order = "DD/MM";
		else if (out->date_month_first)
			out->date_order = "MM/DD";
		else
			out->date_order = "unknown";
	}
	if (!strcmp(out->type, "int") || !strcmp(out->type, "decimal")) {
		if (f->have_num) {
			snprintf(num_min, sizeof(num_min), "%.15g", f->num_min);
			snprintf(num_max, sizeof(num_max), "%.15g", f->num_max);
			min = num_min;
			max = num_max;
		}
	} else if (!strcmp(out->type, "date") || !strcmp(out->type, "datetime")) {
		if (out->date_order && !strcmp(out->date_order, "DD/MM")) {
			min = f->dm_min;
			max = f->dm_max;
		} else if (out->date_order) {
			min = f->md_min;
			max = f->md_max;
		} else {
			min = f->iso_min;
			max = f->iso_max;
		}
	}
	if (min && min[0]) {
		char masked[64];
		if (mask)
			mask_text(min, masked, sizeof(masked), spi);
		out->min = crm_strdup(mask ? masked : min);
		if (mask)
			mask_text(max, masked, sizeof(masked), spi);
		out->max = crm_strdup(mask ? masked : max);
		if (!out->min || !out->max)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	if (out->sample && mask) {
		/* the shape survives, the letters and digits do not */
		char *p;
		for (p = out->sample; *p; p++)
			if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    ((unsigned char)*p & 0x80))
				*p = '*';
	}
	return 0;
}

static int finish_duplicates(struct object_state *s, struct crm_profile_object *o, struct crm_error *err)
{
	static const char *const names[] = {"email", "phone", "name+company"};
	size_t k, i;

	for (k = 0; k < 2; k++) {
		/* duplicates by e-mail are counted on the column holding the most e-mail addresses */
		long alt = s->email_alt[k], cur = s->dup_cols[DUP_EMAIL][0];
		struct crm_profile_duplicates swap;
		struct dup_table t;
		if (alt < 0 || o->fields[alt].kind_counts[CRM_KIND_EMAIL] <= o->fields[cur].kind_counts[CRM_KIND_EMAIL])
			continue;
		swap = o->duplicates[DUP_EMAIL];
		o->duplicates[DUP_EMAIL] = s->email_alt_found[k];
		s->email_alt_found[k] = swap;
		t = s->dups[DUP_EMAIL];
		s->dups[DUP_EMAIL] = s->email_alt_dups[k];
		s->email_alt_dups[k] = t;
		s->dup_cols[DUP_EMAIL][0] = alt;
		s->email_alt[k] = cur;
	}
	for (k = 0; k < DUP_KINDS; k++) {
		struct crm_profile_duplicates *d = &o->duplicates[k];
		char fields[512] = "";
		int part;
		if (s->dup_cols[k][k == DUP_NAME ? 1 : 0] < 0)
			continue;
		d->by = names[k];
		for (part = 0; part < 3; part++)
			if (s->dup_cols[k][part] >= 0)
				snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), "%s%s",
					 fields[0] ? " + " : "", s->columns[s->dup_cols[k][part]]);
		if (!(d->fields = crm_strdup(fields)))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		for (i = 0; i < s->dups[k].cap; i++)
			if (s->dups[k].slots[i].count > 1) {
				d->groups++;
				d->records += s->dups[k].slots[i].count;
			}
		o->duplicate_count = k + 1;
	}
	return 0;
}

static int finish_pending(struct profiler *pr, struct crm_error *err)
{
	size_t i, r, p;

	for (i = 0; i < pr->prof->count; i++) {
		struct object_state *s = &pr->st[i];
		for (r = 0; r < s->ref_count; r++) {
			struct ref_state *ref = &s->refs[r];
			struct crm_profile_reference *out = &pr->prof->objects[i].references[r];
			for (p = 0; p < ref->pending_count; p++) {
				struct pending_ref *pe = &ref->pending[p];
				if (crm_idcount_get(&pr->st[ref->parent].ids, (int64_t)pe->hash))
					continue;
				out->orphans++;
				if (orphan_example(out, pe->line, pe->id, strlen(pe->id), pe->value, strlen(pe->value),
						   err))
					return err->code;
			}
		}
	}
	return 0;
}

/* ---- the draft ---- */

/* Two target_fields fill a column in common ('contact_id|lead_id' and 'lead_id' do). */
static int targets_overlap(const char *a, const char *b)
{
	size_t i, j, alen, blen;

	for (i = 0; i < crm_alt_count(a); i++) {
		const char *pa = crm_alt_piece(a, i, &alen);
		for (j = 0; j < crm_alt_count(b); j++) {
			const char *pb = crm_alt_piece(b, j, &blen);
			if (alen == blen && memcmp(pa, pb, alen) == 0)
				return 1;
		}
	}
	return 0;
}

static int target_taken(const struct profiler *pr, const char *object, const char *target, size_t draft_from)
{
	size_t i;

	if (pr->have_map)
		for (i = 0; i < pr->map.count; i++)
			if (!strcmp(pr->map.rows[i].col[CRM_MAP_SOURCE_OBJECT], object) &&
			    targets_overlap(pr->map.rows[i].col[CRM_MAP_TARGET_FIELD], target))
				return 1;
	for (i = draft_from; i < pr->prof->draft_count; i++)
		if (targets_overlap(pr->prof->draft[i].col[3], target))
			return 1;
	return 0;
}

/* A custom column holds numbers only when its name is not that of a code (postcodes keep their zeros). */
static int numeric_name(const char *column)
{
	static const char *const codes[] = {"code", "zip", "post", "phone", "id", "number", "no", "ssn"};
	char key[256];
	size_t i;

	crm_schema_name_key(column, key, sizeof(key));
	for (i = 0; i < CRM_ARRAY_COUNT(codes); i++)
		if (strstr(key, codes[i]))
			return 0;
	return 1;
}

/* The type a drafted row says: the model column's when it fills one, else what the values are. */
static enum crm_type draft_column_type(const struct crm_profile_field *f, const struct crm_column_def *def)
{
	static const struct {
		const char *kind;
		enum crm_type type;
	} by_kind[] = {{"int", CRM_TYPE_INT},
		       {"decimal", CRM_TYPE_DECIMAL},
		       {"date", CRM_TYPE_DATE},
		       {"datetime", CRM_TYPE_DATETIME},
		       {"bool", CRM_TYPE_BOOL}};
	size_t i;

	if (def)
		return def->type;
	for (i = 0; i < CRM_ARRAY_COUNT(by_kind); i++)
		if (!strcmp(f->type, by_kind[i].kind))
			return (by_kind[i].type == CRM_TYPE_INT || by_kind[i].type == CRM_TYPE_DECIMAL) &&
					       !numeric_name(f->name)
				       ? CRM_TYPE_TEXT
				       : by_kind[i].type;
	return CRM_TYPE_TEXT;
}

/*
 * How many of a field's values the drafted rule would refuse: those not of
 * the kind the rule reads (a number, a date, a boolean, an e-mail), or for a
 * phone, those phone(E164, US) cannot read. A reference and text refuse none.
 */
static int64_t draft_refusals(const struct crm_profile_field *f, enum crm_type type, const char *rule)
{
	int64_t fit;

	switch (type) {
	case CRM_TYPE_INT:
		fit = f->kind_counts[CRM_KIND_INT];
		break;
	case CRM_TYPE_DECIMAL:
		fit = f->kind_counts[CRM_KIND_DECIMAL];
		break;
	case CRM_TYPE_BOOL:
		fit = f->kind_counts[CRM_KIND_BOOL];
		break;
	case CRM_TYPE_DATE:
	case CRM_TYPE_DATETIME:
		/* a date-time rule reads dates too; values that are neither, or read in neither order, fail */
		fit = f->kind_counts[CRM_KIND_DATE] + f->kind_counts[CRM_KIND_DATETIME] - f->date_invalid -
		      (strstr(rule, "MM/DD")   ? f->date_day_first
		       : strstr(rule, "DD/MM") ? f->date_month_first
					       : 0);
		break;
	case CRM_TYPE_TEXT:
		fit = strstr(rule, "email")    ? f->kind_counts[CRM_KIND_EMAIL]
		      : strstr(rule, "phone(") ? f->phone_readable
					       : f->filled;
		break;
	default:
		fit = f->filled;
	}
	return f->filled > fit ? f->filled - fit : 0;
}

/* The rule and data_type a drafted row starts from: what the target column needs, read the way the values are written. */
static void draft_rule(const struct crm_profile_field *f, enum crm_type type, const char *parent, char *rule,
		       size_t cap, const char **data_type)
{
	const char *order = f->date_order && !strcmp(f->date_order, "DD/MM") ? "DD/MM" : "MM/DD";

	*data_type = crm_type_name(type);
	switch (type) {
	case CRM_TYPE_REF:
		*data_type = "id";
		snprintf(rule, cap, "trim -> ref(%s)", parent);
		return;
	case CRM_TYPE_INT:
	case CRM_TYPE_DECIMAL:
	case CRM_TYPE_BOOL:
		snprintf(rule, cap, "%s", crm_type_name(type));
		return;
	case CRM_TYPE_DATE:
		if (f->date_order)
			snprintf(rule, cap, "parse(%s/YYYY) -> date", order);
		else if (f->pattern_count && !strcmp(f->patterns[0].value, "dddddddd"))
			snprintf(rule, cap, "parse(YYYYMMDD) -> date");
		else
			snprintf(rule, cap, "date");
		return;
	case CRM_TYPE_DATETIME:
		if (f->date_order)
			snprintf(rule, cap, "parse(%s/YYYY hh:mm%s) -> datetime", order,
				 f->pattern_count && strchr(f->patterns[0].value, 'a') ? " AP" : "");
		else
			snprintf(rule, cap, "datetime");
		return;
	case CRM_TYPE_TEXT:
		break;
	}
	if (!strcmp(f->type, "email")) {
		*data_type = "email";
		snprintf(rule, cap, "trim -> email");
	} else if (!strcmp(f->type, "phone")) {
		*data_type = "phone";
		snprintf(rule, cap, "phone(E164, US)");
	} else {
		snprintf(rule, cap, "trim");
	}
}

/*
 * A column whose name says nothing, whose values are another object's ids
 * (accountManager holding contact ids): a reference all the same. Its most
 * frequent values (the sketch keeps up to 32 of them, exactly) are looked
 * up in each object's ids; when at least 4 in 5 of at least 3 distinct
 * values are one object's, the column points at it ("values" basis, the
 * sampled values and those not found kept as its references and orphans).
 */
static int references_by_values(struct profiler *pr, size_t index, struct crm_error *err)
{
	struct object_state *s = &pr->st[index];
	struct crm_profile_object *o = &pr->prof->objects[index];
	size_t c, r, p;

	for (c = 0; c < s->column_count; c++) {
		struct crm_topk_slot slots[CRM_TOPK_SLOTS];
		size_t n, k, best_hits = 0;
		long best = -1;
		const struct crm_column_def *def = crm_schema_match(s->table, s->columns[c]);
		/* a column the model has as something else (a deal's owner is text) stays that */
		int known = (long)c == s->id_col || s->fs[c].row || pipedrive_tenant(s, c) ||
			    (def && def->type != CRM_TYPE_REF) || crm_schema_timestamp_match(s->columns[c]);
		for (r = 0; r < s->ref_count && !known; r++)
			known = s->refs[r].col == (long)c;
		if (known)
			continue;
		n = crm_topk_sorted(&s->fs[c].values, slots, CRM_TOPK_SLOTS);
		if (n < 3)
			continue;
		for (p = 0; p < pr->prof->count; p++) {
			size_t hits = 0;
			if (pr->st[p].id_col < 0 || pr->prof->objects[p].fatal)
				continue;
			for (k = 0; k < n; k++) {
				const char *v = slots[k].value;
				size_t len = slots[k].len;
				if (s->sfdx)
					crm_json_sfdx_lookup(&v, &len);
				/* short numbers are ids of many things and counts of others: they prove nothing */
				if (slots[k].cut || (len < 6 && strspn(v, "0123456789") == len))
					continue;
				hits += crm_idcount_get(&pr->st[p].ids, (int64_t)id_hash(v, len)) > 0;
			}
			if (hits > best_hits) {
				best_hits = hits;
				best = (long)p;
			}
		}
		if (best < 0 || best_hits * 5 < n * 4)
			continue;
		if (add_ref(s, o, (long)c, (size_t)best, pr->prof->objects[best].name, "values", err))
			return err->code;
		o->references[o->reference_count - 1].references = (int64_t)n;
		o->references[o->reference_count - 1].orphans = (int64_t)(n - best_hits);
	}
	return 0;
}

/*
 * Salesforce's polymorphic lookups: WhoId names a contact or a lead, WhatId
 * an account or an opportunity (among others). With both objects in the
 * project, the column is drafted as 'contact_id|lead_id' with
 * ref(Contact|Lead), the exports' own object names. 0 when it is not one.
 */
static int polymorphic_target(const struct profiler *pr, const char *column, char *target, size_t target_cap,
			      char *objects, size_t objects_cap)
{
	static const struct {
		const char *column, *tables[2];
	} lookups[] = {{"who_id", {"contact", "lead"}}, {"what_id", {"account", "opportunity"}}};
	char ident[CRM_MAX_IDENT_LEN + 1];
	size_t i;

	crm_schema_ident(column, ident, sizeof(ident));
	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		long a, b;
		if (strcmp(ident, lookups[i].column) != 0)
			continue;
		a = object_for_table(pr, lookups[i].tables[0]);
		b = object_for_table(pr, lookups[i].tables[1]);
		if (a < 0 || b < 0)
			return 0;
		snprintf(target, target_cap, "%s_id|%s_id", lookups[i].tables[0], lookups[i].tables[1]);
		snprintf(objects, objects_cap, "%s|%s", pr->prof->objects[a].name, pr->prof->objects[b].name);
		return 1;
	}
	return 0;
}

static int draft_object(struct profiler *pr, size_t index, struct crm_error *err)
{
	struct object_state *s = &pr->st[index];
	struct crm_profile_object *o = &pr->prof->objects[index];
	size_t first = pr->prof->draft_count, c, r;

	for (c = 0; c < s->column_count; c++) {
		struct crm_profile_field *f = &o->fields[c];
		const struct crm_column_def *def;
		const char *parent = NULL;
		char target[2 * CRM_MAX_IDENT_LEN + 8], rule[2 * CRM_MAX_IDENT_LEN + 160],
			validation[64] = "", objects[2 * CRM_MAX_IDENT_LEN + 2];
		const char *data_type;
		struct crm_profile_draft_row *row;
		size_t cap = pr->prof->draft_count;
		int ts;
		if ((long)c == s->id_col || s->fs[c].row || !f->filled)
			continue;
		if ((s->sfdx && !strncmp(s->columns[c], "attributes.", 11)) || pipedrive_tenant(s, c))
			continue; /* bookkeeping: a tree record's type and id, the Pipedrive account */
		for (r = 0; r < o->reference_count; r++)
			if (s->refs[r].col == (long)c)
				parent = o->references[r].parent;
		def = crm_schema_match(s->table, s->columns[c]);
		if (def && ((def->type == CRM_TYPE_DATETIME && (!f->type || strcmp(f->type, "datetime"))) ||
			    (def->type == CRM_TYPE_DATE &&
			     (!f->type || (strcmp(f->type, "date") && strcmp(f->type, "datetime"))))))
			def = NULL; /* values that are not that kind of time (a date, '15:15') keep a column of their own */
		ts = crm_schema_timestamp_match(s->columns[c]);
		if (polymorphic_target(pr, s->columns[c], target, sizeof(target), objects, sizeof(objects)) &&
		    !target_taken(pr, o->name, target, first)) {
			parent = objects;
			def = NULL;
		} else if (def && !target_taken(pr, o->name, def->name, first))
			snprintf(target, sizeof(target), "%s", def->name);
		else if (ts && !target_taken(pr, o->name, ts == 1 ? "created_at" : "updated_at", first))
			snprintf(target, sizeof(target), "%s", ts == 1 ? "created_at" : "updated_at");
		else if (parent && parent_by_column_name(pr, s->columns[c], target, sizeof(target)) >= 0) {
			/* a custom lookup: named for what it points at, account_id for Account__c */
			char stem[CRM_MAX_IDENT_LEN + 1];
			crm_schema_ident(target, stem, sizeof(stem));
			snprintf(target, sizeof(target), "%s_id", stem);
		} else {
			crm_schema_ident(s->columns[c], target, sizeof(target));
			/* a reference found by its values fills a column named as references are */
			if (parent && (strlen(target) < 3 || strcmp(target + strlen(target) - 3, "_id")))
				snprintf(target + strlen(target), sizeof(target) - strlen(target), "_id");
		}
		if (target_taken(pr, o->name, target, first))
			continue; /* two columns for one target: the first one drafted wins, the user picks */
		if (!(def && !strcmp(def->name, target)))
			def = NULL;
		if (def && def->type == CRM_TYPE_REF && !parent)
			continue; /* a reference to an object no export holds: nothing to point at */
		draft_rule(f, parent ? CRM_TYPE_REF : draft_column_type(f, def), parent, rule, sizeof(rule),
			   &data_type);
		if (def && def->required && !strcmp(def->name, target))
			snprintf(validation, sizeof(validation), "required");
		if (f->pii == CRM_PII_KIND_BIRTH_DATE)
			snprintf(validation + strlen(validation), sizeof(validation) - strlen(validation),
				 "%snot_future_date", validation[0] ? "; " : "");
		/* values the rule would refuse (profile saw them): an optional field is left empty, not the record lost */
		if (!parent && !strstr(validation, "required") &&
		    draft_refusals(f, draft_column_type(f, def), rule) > 0)
			snprintf(validation + strlen(validation), sizeof(validation) - strlen(validation),
				 "%son_invalid(blank)", validation[0] ? "; " : "");
		if (crm_grow(&pr->prof->draft, pr->prof->draft_count, &cap, sizeof(*pr->prof->draft), 64))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		row = &pr->prof->draft[pr->prof->draft_count++];
		row->col[0] = crm_strdup(o->name);
		row->col[1] = crm_strdup(s->columns[c]);
		row->col[2] = crm_strdup(data_type);
		row->col[3] = crm_strdup(target);
		row->col[4] = crm_strdup(rule);
		row->col[5] = crm_strdup(f->pii == CRM_PII_KIND_NATIONAL_ID ? "SPI" : f->pii ? "PII" : "");
		row->col[6] = crm_strdup(validation);
		row->col[7] = crm_strdup(f->sample ? f->sample : "");
		for (r = 0; r < 8; r++)
			if (!row->col[r])
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	return 0;
}

/* The columns the model requires of the object's table that mapping.csv fills from nothing. */
static int unmapped_required(struct profiler *pr, size_t index, struct crm_error *err)
{
	struct object_state *s = &pr->st[index];
	struct crm_profile_object *o = &pr->prof->objects[index];
	size_t i, d;

	if (!s->table)
		return 0;
	o->unmapped_required = crm_calloc(s->table->count, sizeof(char *));
	if (!o->unmapped_required)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < s->table->count; i++) {
		const struct crm_column_def *def = &s->table->columns[i];
		const char *drafted = NULL;
		if (!def->required || target_taken(pr, o->name, def->name, pr->prof->draft_count))
			continue;
		for (d = 0; d < pr->prof->draft_count; d++)
			if (!strcmp(pr->prof->draft[d].col[0], o->name) &&
			    !strcmp(pr->prof->draft[d].col[3], def->name))
				drafted = pr->prof->draft[d].col[1];
		o->unmapped_required[o->unmapped_required_count] =
			drafted ? fmt_dup(err, "%s (the draft maps %s)", def->name, drafted)
				: fmt_dup(err, "%s (no source field found)", def->name);
		if (!o->unmapped_required[o->unmapped_required_count++])
			return err->code;
	}
	return 0;
}

/* ---- the run ---- */

static int prepare_object(struct profiler *pr, size_t i, struct crm_error *err)
{
	struct object_state *s = &pr->st[i];
	struct crm_profile_object *o = &pr->prof->objects[i];
	struct crm_error derr = CRM_ERROR_INIT;
	size_t c;

	if (s->kind == CRM_READER_SQLITE) {
		o->dirt.final_break = 1; /* a database's bytes are no text: its reader checks each value */
	} else if (crm_dirt_scan(s->path, &o->dirt, &derr)) {
		o->fatal = crm_strdup(derr.msg);
		return o->fatal ? 0 : crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	/* line endings, quotes and encodings are CSV matters: JSON is UTF-8 and its reader checks the rest */
	if (s->kind == CRM_READER_CSV) {
		if (judge_bytes(o, err))
			return err->code;
	} else {
		o->found_encoding = o->read_as = "utf-8";
	}
	if (read_header(s, o, err))
		return err->code;
	if (o->fatal)
		return 0;
	s->fs = crm_calloc(s->column_count ? s->column_count : 1, sizeof(*s->fs));
	o->fields = crm_calloc(s->column_count ? s->column_count : 1, sizeof(*o->fields));
	if (!s->fs || !o->fields)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	o->field_count = s->column_count;
	for (c = 0; c < s->column_count; c++) {
		struct field_state *f = &s->fs[c];
		struct crm_profile_field *out = &o->fields[c];
		crm_distinct_init(&f->distinct);
		crm_topk_init(&f->values);
		crm_topk_init(&f->patterns);
		f->row = mapping_row(pr, o->name, s->columns[c]);
		if (!(out->name = crm_strdup(s->columns[c])))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		if (f->row) {
			if (f->row->col[CRM_MAP_TARGET_FIELD][0] &&
			    !(out->mapped_to = crm_strdup(f->row->col[CRM_MAP_TARGET_FIELD])))
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			out->flagged =
				f->row->pii != CRM_PII_NONE || rule_protects(f->row->col[CRM_MAP_TRANSFORM_RULE]);
		}
		out->pii = crm_infer_pii_name(s->columns[c], holds_people(s, o));
		out->pii_basis = out->pii ? "name" : NULL;
	}
	s->id_col = s->cfg && s->cfg->id ? column_index(s, s->cfg->id) : guess_id_column(s, o->name);
	if (s->id_col >= 0 && !(o->id_field = crm_strdup(s->columns[s->id_col])))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

static void release_state(struct profiler *pr)
{
	size_t i, c, r, p, k;

	for (i = 0; i < pr->prof->count && pr->st; i++) {
		struct object_state *s = &pr->st[i];
		for (c = 0; c < s->column_count; c++) {
			if (s->fs)
				crm_distinct_release(&s->fs[c].distinct);
			crm_free(s->columns[c]);
		}
		for (r = 0; r < s->ref_count; r++) {
			for (p = 0; p < s->refs[r].pending_count; p++) {
				crm_free(s->refs[r].pending[p].id);
				crm_free(s->refs[r].pending[p].value);
			}
			crm_free(s->refs[r].pending);
		}
		for (k = 0; k < DUP_KINDS; k++)
			crm_free(s->dups[k].slots);
		for (k = 0; k < 2; k++) {
			size_t e;
			crm_free(s->email_alt_dups[k].slots);
			for (e = 0; e < s->email_alt_found[k].example_count; e++) {
				crm_free(s->email_alt_found[k].examples[e].id);
				crm_free(s->email_alt_found[k].examples[e].key);
			}
		}
		crm_free(s->refs);
		crm_free(s->columns);
		crm_free(s->fs);
		crm_free(s->path);
		crm_free(s->db_table);
		crm_idcount_release(&s->ids);
		crm_idcount_release(&s->pairs);
	}
	crm_free(pr->st);
	crm_free(pr->order);
	if (pr->have_map)
		crm_mapping_release(&pr->map);
	crm_config_release(&pr->cfg);
}

/*
 * [dedupe]: the groups migrate would merge. They need the compiled mapping:
 * a project that does not open leaves them unknown, and says why.
 */
static int find_people(struct crm_profile *prof, const char *dir, const char *objects, struct crm_error *err)
{
	struct crm_error perr = CRM_ERROR_INIT;
	size_t i;

	prof->project = crm_calloc(1, sizeof(*prof->project));
	if (!prof->project)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (crm_project_open(prof->project, dir, &perr)) {
		crm_project_release(prof->project);
		crm_free(prof->project);
		prof->project = NULL;
		if (perr.code == CRM_ENOMEM)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		if (!(prof->people_problem = crm_strdup(perr.msg)))
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		return 0;
	}
	prof->people = crm_calloc(prof->project->cfg.dedupe_count + 1, sizeof(*prof->people));
	if (!prof->people)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < prof->project->cfg.dedupe_count; i++) {
		const struct crm_dedupe_config *d = &prof->project->cfg.dedupes[i];
		struct crm_profile_people *pp = &prof->people[prof->people_count];
		if (!crm_project_selected(objects, d->object))
			continue;
		pp->object = d->object;
		prof->people_count++;
		if (crm_dedupe_find(prof->project, crm_project_object(prof->project, d->object), d, &pp->found, err))
			return err->code;
	}
	return 0;
}

int crm_profile_run(struct crm_profile *prof, const char *dir, const char *objects, struct crm_error *err)
{
	struct profiler pr;
	struct timespec start;
	struct file_scan scan;
	size_t i;
	char *mapping_path, *source_dir;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(prof, 0, sizeof(*prof));
	memset(&pr, 0, sizeof(pr));
	pr.prof = prof;
	if (crm_config_load(&pr.cfg, dir, err))
		return err->code;
	if (pr.cfg.name && !(prof->name = crm_strdup(pr.cfg.name))) {
		crm_config_release(&pr.cfg);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	mapping_path = crm_config_path(&pr.cfg, "mapping.csv");
	if (!mapping_path) {
		crm_config_release(&pr.cfg);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	{
		struct crm_error merr = CRM_ERROR_INIT;
		if (crm_mapping_load(&pr.map, mapping_path, &merr) == 0)
			pr.have_map = 1;
		else if (!(prof->mapping_problem = crm_strdup(merr.msg)))
			crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	crm_free(mapping_path);
	for (i = 0; i < pr.cfg.object_count && !err->code; i++) {
		const struct crm_object_config *oc = &pr.cfg.objects[i];
		char *path;
		if (!crm_project_selected(objects, oc->name))
			continue;
		path = crm_config_export_path(&pr.cfg, oc);
		if (!path) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
			break;
		}
		add_object(&pr, oc, oc->name, path, err);
		crm_free(path);
	}
	scan.pr = &pr;
	scan.objects = objects;
	scan.err = err;
	source_dir = err->code ? NULL : crm_config_path(&pr.cfg, pr.cfg.source_path);
	if (!err->code && !source_dir)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	scan.source_dir = source_dir;
	/* a SQLite source is one database: its other exports are the tables no [object] names */
	if (source_dir && strcmp(pr.cfg.source_format, "sqlite") == 0)
		crm_sqltable_each(source_dir, unconfigured_table, &scan, err);
	else if (source_dir)
		crm_dir_each_file(source_dir, ".", unconfigured_file, &scan, err);
	crm_free(source_dir);
	for (i = 0; i < prof->count && !err->code; i++)
		prepare_object(&pr, i, err);
	for (i = 0; i < prof->count && !err->code; i++) {
		struct crm_profile_object *o = &prof->objects[i];
		o->repeated_reference_keys = -1;
		o->repeated_pairs = -1;
		if (!o->fatal && !find_roles(&pr, i, err) && pr.st[i].id_col < 0 && o->reference_count >= 2)
			o->repeated_reference_keys = 0;
		if (!o->fatal && o->reference_count >= 2 && o->target && !strcmp(o->target, "opportunity_contact"))
			o->repeated_pairs = 0;
	}
	pr.order = err->code ? NULL : crm_calloc(prof->count ? prof->count : 1, sizeof(size_t));
	if (!err->code && !pr.order)
		crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < prof->count && !err->code; i++)
		visit(&pr, i);
	for (i = 0; i < pr.order_count && !err->code; i++) {
		size_t at = pr.order[i];
		if (!prof->objects[at].fatal)
			read_records(&pr, at, err);
	}
	if (!err->code)
		finish_pending(&pr, err);
	for (i = 0; i < prof->count && !err->code; i++) {
		size_t c;
		if (prof->objects[i].fatal)
			continue;
		for (c = 0; c < prof->objects[i].field_count && !err->code; c++)
			finish_field(&pr.st[i], &prof->objects[i], c, err);
		if (!err->code)
			finish_duplicates(&pr.st[i], &prof->objects[i], err);
	}
	for (i = 0; i < prof->count && !err->code; i++)
		if (!prof->objects[i].fatal)
			references_by_values(&pr, i, err);
	for (i = 0; i < pr.order_count && !err->code; i++)
		if (!prof->objects[pr.order[i]].fatal)
			draft_object(&pr, pr.order[i], err);
	for (i = 0; i < prof->count && !err->code; i++)
		if (!prof->objects[i].fatal)
			unmapped_required(&pr, i, err);
	if (!err->code) {
		/* the report lists objects in the order they were read: parents first */
		struct crm_profile_object *sorted = crm_calloc(prof->count ? prof->count : 1, sizeof(*sorted));
		if (!sorted) {
			crm_error_set(err, CRM_ENOMEM, "out of memory");
		} else {
			for (i = 0; i < pr.order_count; i++)
				sorted[i] = prof->objects[pr.order[i]];
			crm_free(prof->objects);
			prof->objects = sorted;
		}
	}
	if (!err->code && pr.cfg.dedupe_count)
		find_people(prof, dir, objects, err);
	prof->seconds = crm_dt_seconds_since(&start);
	release_state(&pr);
	if (err->code) {
		crm_profile_release(prof);
		return err->code;
	}
	return 0;
}

void crm_profile_release(struct crm_profile *prof)
{
	size_t i, j, k;

	for (i = 0; i < prof->people_count; i++)
		crm_dedupe_result_release(&prof->people[i].found);
	crm_free(prof->people);
	crm_free(prof->people_problem);
	if (prof->project)
		crm_project_release(prof->project);
	crm_free(prof->project);

	for (i = 0; i < prof->count; i++) {
		struct crm_profile_object *o = &prof->objects[i];
		crm_free(o->name);
		crm_free(o->file);
		crm_free(o->target);
		crm_free(o->id_field);
		crm_free(o->declared_encoding);
		crm_free(o->fatal);
		for (j = 0; j < o->problem_count; j++)
			crm_free(o->problems[j]);
		for (j = 0; j < o->field_count; j++) {
			struct crm_profile_field *f = &o->fields[j];
			crm_free(f->name);
			crm_free(f->min);
			crm_free(f->max);
			crm_free(f->mapped_to);
			crm_free(f->sample);
			for (k = 0; k < f->top_count; k++)
				crm_free(f->top[k].value);
			for (k = 0; k < f->pattern_count; k++)
				crm_free(f->patterns[k].value);
		}
		crm_free(o->fields);
		for (j = 0; j < CRM_ARRAY_COUNT(o->duplicates); j++) {
			crm_free(o->duplicates[j].fields);
			for (k = 0; k < o->duplicates[j].example_count; k++) {
				crm_free(o->duplicates[j].examples[k].id);
				crm_free(o->duplicates[j].examples[k].key);
			}
		}
		for (j = 0; j < o->reference_count; j++) {
			crm_free(o->references[j].field);
			crm_free(o->references[j].parent);
			for (k = 0; k < o->references[j].example_count; k++) {
				crm_free(o->references[j].examples[k].id);
				crm_free(o->references[j].examples[k].value);
			}
		}
		crm_free(o->references);
		for (j = 0; j < o->unmapped_required_count; j++)
			crm_free(o->unmapped_required[j]);
		crm_free(o->unmapped_required);
	}
	crm_free(prof->objects);
	for (i = 0; i < prof->draft_count; i++)
		for (j = 0; j < 8; j++)
			crm_free(prof->draft[i].col[j]);
	crm_free(prof->draft);
	crm_free(prof->mapping_problem);
	crm_free(prof->name);
	memset(prof, 0, sizeof(*prof));
}

int crm_profile_write_merges(const struct crm_profile *prof, const char *path, struct crm_error *err)
{
	struct crm_atomic_file af;
	size_t i;
	int bad = 0;

	if (crm_atomic_open(&af, path, err))
		return err->code;
	bad |= fputs(CRM_DEDUPE_CSV_HEADER, af.f) == EOF;
	for (i = 0; i < prof->people_count && !bad; i++)
		bad |= crm_dedupe_write_rows(af.f, prof->people[i].object, &prof->people[i].found, NULL) != 0;
	if (bad)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return crm_atomic_commit(&af, err);
}

int crm_profile_write_draft(const struct crm_profile *prof, const char *path, struct crm_error *err)
{
	struct crm_atomic_file af;
	size_t i;
	int bad = 0;

	if (crm_atomic_open(&af, path, err))
		return err->code;
	bad |= crm_mapping_write_header(af.f);
	for (i = 0; i < prof->draft_count; i++)
		bad |= crm_mapping_write_row(af.f, (const char *const *)prof->draft[i].col);
	if (bad)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return crm_atomic_commit(&af, err);
}
