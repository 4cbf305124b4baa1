/*
 * program.c: compiling mapping rows into steps and checks, and running them.
 *
 * Each step kind has its arguments checked at compile time and its data
 * prepared (date formats, time zones, value maps, regexes), so the run loop
 * is a switch over prepared steps. Intermediate values live in the caller's
 * arena.
 */
#include "compat.h"
#include "transform/program.h"
#include "transform/sfid.h"
#include "io/csv.h"
#include "io/json.h"
#include "transform/datetime.h"
#include "transform/phone.h"
#include "transform/rule.h"
#include "transform/textfn.h"
#include "util/alloc.h"
#include "util/path.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/limits.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

struct compiler;
struct crm_step;
struct crm_check;
struct run_ctx;

enum rule_flags {
	RULE_ON_BLANK = 1,	 /* runs on an empty value too; the others leave no value as none */
	RULE_ACROSS_RECORDS = 2, /* compares a record with those before it: deferrable, never blanked */
};

#define ANY_ARGS 255 /* a rule_fn's max_args: no limit */

/* A rule function, one row of the registry (rule_fns, below the functions it names). */
struct rule_fn {
	const char *name;
	enum crm_rule_kind kind;
	unsigned char min_args, max_args;
	unsigned flags;	   /* enum rule_flags */
	const char *needs; /* what a call with too few arguments lacks, for its message; NULL: the counts say */
	int (*compile_step)(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			    const struct crm_rule_call *call);
	int (*run_step)(const struct crm_step *step, struct run_ctx *x, const char **v, size_t *len);
	int (*compile_check)(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			     const struct crm_rule_call *call);
	int (*run_check)(struct crm_check *check, struct run_ctx *x, const char *v, size_t len);
};

/*
 * What a run sees besides its value: the program, the record, where values,
 * notes and reasons go. Set up by run_ctx_init once a record, reason left
 * unwritten: an initializer would clear its 256 bytes for every record.
 */
struct run_ctx {
	struct crm_program *prog;
	const struct crm_record *rec;
	struct crm_program_result *res;
	size_t field; /* the field run */
	struct crm_arena *arena;
	const char *source_id; /* the record's id, for unique's message */
	size_t source_id_len;
	unsigned flags;	  /* enum crm_run_flags */
	char reason[256]; /* why a run refused a value */
};

struct concat_part {
	long col; /* a source column, or -1 for the literal */
	char *literal;
	size_t len;
};

struct crm_step {
	const struct rule_fn *fn;
	char *text; /* as written, for reports */
	int n;
	struct crm_datefmt fmt;
	struct crm_tz tz;
	struct crm_strmap map;
	struct crm_strmap folded; /* case-folded keys of map; num = 1 when two keys fold alike */
	int has_map;
	char *literal; /* default(v), nullif(v), map default */
	int has_literal;
	int keep_unmapped; /* map(..., default=keep): a value without an entry passes through */
	char *file;	   /* owner(): the owners file as the rule names it */
	struct concat_part *parts;
	size_t part_count;
};

struct crm_check {
	const struct rule_fn *fn;
	char *text;
	pcre2_code *re;
	char **values;
	size_t value_count;
	size_t n;
	char *lo, *hi; /* range bounds, normalised; NULL when open */
	struct crm_strmap seen;
	int has_seen;
};

void crm_diags_release(struct crm_diags *diags)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		crm_free(diags->msgs[i]);
	crm_free(diags->msgs);
	diags->msgs = NULL;
	diags->count = 0;
}

int crm_diags_add(struct crm_diags *diags, const struct crm_error *err)
{
	char **msgs;

	if (!diags)
		return err->code;
	msgs = crm_realloc(diags->msgs, (diags->count + 1) * sizeof(*msgs));
	if (!msgs)
		return err->code;
	diags->msgs = msgs;
	msgs[diags->count] = crm_strdup(err->msg);
	if (msgs[diags->count])
		diags->count++;
	return err->code;
}

/* ---- compiling ---- */

struct compiler {
	const struct crm_config *cfg;
	const struct crm_mapping *map;
	const struct crm_object_config *obj;
	const struct crm_reader *reader;
	const struct crm_mapping_row *row;
	const char *column; /* the mapping column being compiled */
	const char *rule_text;
	struct crm_error *err;
	const unsigned char *pseudonym_key; /* NULL when the project has none */
	size_t alt, alts;		    /* the alternative of a 'a_id|b_id' target_field compiled, of how many */
	int last_step;			    /* the step compiled ends its rule */
};

static int cfail(struct compiler *c, size_t offset, const char *fmt, ...) CRM_PRINTF(3, 4);

static int cfail(struct compiler *c, size_t offset, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (offset)
		return crm_error_set(c->err, CRM_EINPUT, "%s:%lu: %s '%s' at character %zu: %s", c->map->path,
				     c->row->line, c->column, c->rule_text, offset, what);
	return crm_error_set(c->err, CRM_EINPUT, "%s:%lu: %s", c->map->path, c->row->line, what);
}

static int parse_count(struct compiler *c, const struct crm_rule_call *call, size_t index, int min, int max, int *out)
{
	const char *text = call->args[index].text;
	char *end;
	long v = strtol(text, &end, 10);

	if (!*text || *end || v < min || v > max)
		return cfail(c, call->args[index].offset, "'%s' needs a whole number from %d to %d, not '%s'",
			     call->name, min, max, text);
	*out = (int)v;
	return 0;
}

static char *call_text(const struct compiler *c, const struct crm_rule_call *call, const struct crm_rule_call *next)
{
	/* the step as the user wrote it: from its name to the next separator */
	size_t start = call->offset - 1;
	size_t end = next ? next->offset - 1 : strlen(c->rule_text);
	const char *t = c->rule_text;

	while (end > start && (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '>' || t[end - 1] == ';' ||
			       (t[end - 1] == '-' && t[end] == '>')))
		end--;
	return crm_strndup(t + start, end - start);
}

static int fold_key(const char *ptr, size_t len, char **out, size_t *out_len)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)ptr, (utf8proc_ssize_t)len, &folded,
					  UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);

	if (n < 0)
		return -1;
	*out = (char *)folded;
	*out_len = (size_t)n;
	return 0;
}

static int map_add(struct compiler *c, struct crm_step *step, const char *from, const char *to, size_t offset,
		   const char *where, unsigned long where_line)
{
	const struct crm_strmap_entry *entry;
	char *folded;
	size_t folded_len;
	int rc = crm_strmap_put(&step->map, from, strlen(from), 0, to, &entry, c->err);

	if (rc < 0)
		return rc;
	if (rc == 0 && strcmp(entry->str, to) != 0) {
		if (where)
			return crm_error_set(c->err, CRM_EINPUT,
					     "%s:%lu: source value '%s' is mapped twice, to '%s' and '%s'", where,
					     where_line, from, entry->str, to);
		return cfail(c, offset, "value '%s' is mapped twice", from);
	}
	if (fold_key(from, strlen(from), &folded, &folded_len) == 0) {
		rc = crm_strmap_put(&step->folded, folded, folded_len, 0, to, &entry, c->err);
		if (rc == 0 && strcmp(entry->str, to) != 0)
			((struct crm_strmap_entry *)entry)->num = 1; /* ambiguous without case: exact matches only */
		free(folded);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * A CSV file a rule names (a value map, an owners file), in the project
 * folder unless written absolute: its reader and *path (crm_free), or NULL
 * with c->err set, naming it as what.
 */
static struct crm_csv_reader *open_rule_file(struct compiler *c, const struct crm_rule_arg *arg, const char *what,
					     char **path)
{
	struct crm_csv_reader *r;

	if (crm_path_escapes(arg->text)) {
		cfail(c, arg->offset, "%s '%s' is outside the project folder: write its absolute path if that is meant",
		      what, arg->text);
		return NULL;
	}
	if (!(*path = crm_config_path(c->cfg, arg->text))) {
		crm_error_set(c->err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	if (!(r = crm_csv_open(*path, "utf-8", ',', c->err))) {
		c->err->code = 0;
		cfail(c, arg->offset, "%s '%s' cannot be read", what, arg->text);
		crm_free(*path);
		*path = NULL;
	}
	return r;
}

static int load_map_file(struct compiler *c, struct crm_step *step, const struct crm_rule_arg *arg)
{
	char *path;
	struct crm_csv_reader *r;
	struct crm_record rec;
	int rc, header = 1;

	if (!(r = open_rule_file(c, arg, "value map", &path)))
		return c->err->code;
	while ((rc = crm_csv_next(r, &rec, c->err)) != CRM_READ_EOF) {
		char *from, *to;
		if (rc < 0 || rc == CRM_READ_BAD_RECORD) {
			rc = c->err->code;
			goto out;
		}
		if (header) {
			header = 0;
			if (rec.count != 2) {
				rc = crm_error_set(c->err, CRM_EINPUT,
						   "%s:%lu: a value map has two columns: source_value,target_value",
						   path, rec.line);
				goto out;
			}
			continue;
		}
		from = crm_strndup(rec.fields[0].ptr, rec.fields[0].len);
		to = crm_strndup(rec.fields[1].ptr, rec.fields[1].len);
		if (!from || !to) {
			crm_free(from);
			crm_free(to);
			rc = crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			goto out;
		}
		rc = map_add(c, step, from, to, arg->offset, path, rec.line);
		crm_free(from);
		crm_free(to);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	crm_csv_close(r);
	crm_free(path);
	return rc;
}

static int compile_map(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
		       const struct crm_rule_call *call)
{
	size_t i;
	int rc;

	(void)field;
	crm_strmap_init(&step->map);
	crm_strmap_init(&step->folded);
	step->has_map = 1;
	for (i = 0; i < call->arg_count; i++) {
		const struct crm_rule_arg *arg = &call->args[i];
		const char *eq = arg->quoted ? NULL : strchr(arg->text, '=');
		if (i == 0 && !eq && (strstr(arg->text, ".csv") || strchr(arg->text, '/'))) {
			rc = load_map_file(c, step, arg);
			if (rc)
				return rc;
			continue;
		}
		if (!eq)
			return cfail(c, arg->offset, "'%s' is not a value=target pair (or a map file ending in .csv)",
				     arg->text);
		{
			char *from = crm_strndup(arg->text, (size_t)(eq - arg->text));
			const char *to = eq + 1;
			size_t flen;
			if (!from)
				return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			flen = strlen(from);
			while (flen && from[flen - 1] == ' ')
				from[--flen] = '\0';
			while (*to == ' ')
				to++;
			if (strcmp(from, "default") == 0 && (step->has_literal || step->keep_unmapped)) {
				rc = cfail(c, arg->offset, "'map' has two defaults");
			} else if (strcmp(from, "default") == 0 && strcmp(to, "keep") == 0) {
				step->keep_unmapped = 1; /* only a fix list: every other value is right as it is */
				rc = 0;
			} else if (strcmp(from, "default") == 0) {
				step->literal = crm_strdup(to);
				step->has_literal = 1;
				rc = step->literal ? 0 : crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			} else {
				rc = map_add(c, step, from, to, arg->offset, NULL, 0);
			}
			crm_free(from);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The owners file's active column: empty, true/yes/1 or false/no/0, any case; -1 for anything else. */
static int parse_active(const char *ptr, size_t len)
{
	static const char *const yes[] = {"", "true", "yes", "1"}, *const no[] = {"false", "no", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strlen(yes[i]) == len && strncasecmp(ptr, yes[i], len) == 0)
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strlen(no[i]) == len && strncasecmp(ptr, no[i], len) == 0)
			return 0;
	return -1;
}

/*
 * One user of the owners file: by its exact text in map (num 1: inactive)
 * and case-folded in folded (num bit 0: two users fold alike, so exact
 * matches only; bit 1: inactive), for e-mails and names written in
 * another case (run_owner folds only those: an id's case is its own).
 */
static int owner_add(struct compiler *c, struct crm_step *step, const char *path, unsigned long line, const char *user,
		     const char *owner, int active)
{
	const struct crm_strmap_entry *entry;
	char *folded;
	size_t folded_len;
	int rc = crm_strmap_put(&step->map, user, strlen(user), active ? 0 : 1, owner, &entry, c->err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return crm_error_set(c->err, CRM_EINPUT, "%s:%lu: source_user '%s' is listed twice", path, line, user);
	if (fold_key(user, strlen(user), &folded, &folded_len) == 0) {
		rc = crm_strmap_put(&step->folded, folded, folded_len, active ? 0 : 2, owner, &entry, c->err);
		if (rc == 0)
			((struct crm_strmap_entry *)entry)->num |= 1;
		free(folded);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* owner(FILE) or owner(FILE, default=OWNER): FILE has the columns source_user,target_owner,active. */
static int compile_owner(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			 const struct crm_rule_call *call)
{
	const struct crm_rule_arg *arg;
	struct crm_csv_reader *r;
	struct crm_record rec;
	char *path;
	int rc;

	if (field->owner)
		return cfail(c, call->offset, "owner() once a field: one source user, one owner");
	field->owner = 1;
	arg = &call->args[0];
	crm_strmap_init(&step->map);
	crm_strmap_init(&step->folded);
	step->has_map = 1;
	if (call->arg_count == 2) {
		const char *d = call->args[1].text;
		if (call->args[1].quoted || strncmp(d, "default=", 8) != 0 || !d[8])
			return cfail(c, call->args[1].offset,
				     "owner(): the second argument is default=OWNER, the owner of records whose user "
				     "is unknown or inactive");
		if (!(step->literal = crm_strdup(d + 8)))
			return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
		step->has_literal = 1;
	}
	if (!(step->file = crm_strdup(arg->text)))
		return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	if (!(r = open_rule_file(c, arg, "owners file", &path)))
		return c->err->code;
	while ((rc = crm_csv_next(r, &rec, c->err)) != CRM_READ_EOF) {
		char *user, *owner;
		int active;
		if (rc < 0 || rc == CRM_READ_BAD_RECORD) {
			rc = c->err->code;
			goto out;
		}
		if (rec.index == 0) {
			if (rec.count < 2 || rec.count > 3 || rec.fields[0].len != 11 ||
			    memcmp(rec.fields[0].ptr, "source_user", 11) != 0 || rec.fields[1].len != 12 ||
			    memcmp(rec.fields[1].ptr, "target_owner", 12) != 0 ||
			    (rec.count == 3 &&
			     (rec.fields[2].len != 6 || memcmp(rec.fields[2].ptr, "active", 6) != 0))) {
				rc = crm_error_set(
					c->err, CRM_EINPUT,
					"%s:%lu: an owners file has the columns source_user,target_owner,active", path,
					rec.line);
				goto out;
			}
			continue;
		}
		active = rec.count < 3 ? 1 : parse_active(rec.fields[2].ptr, rec.fields[2].len);
		if (rec.count < 2 || !rec.fields[0].len || active < 0 || (active && !rec.fields[1].len)) {
			rc = crm_error_set(c->err, CRM_EINPUT, "%s:%lu: %s", path, rec.line,
					   rec.count < 2 || !rec.fields[0].len ? "source_user is empty"
					   : active < 0 ? "active is true or false (or empty: true)"
							: "target_owner is empty for an active user");
			goto out;
		}
		user = crm_strndup(rec.fields[0].ptr, rec.fields[0].len);
		owner = crm_strndup(rec.fields[1].ptr, rec.fields[1].len);
		rc = user && owner ? owner_add(c, step, path, rec.line, user, owner, active)
				   : crm_error_set(c->err, CRM_ENOMEM, "out of memory");
		crm_free(user);
		crm_free(owner);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	crm_csv_close(r);
	crm_free(path);
	return rc;
}

static int compile_concat(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			  const struct crm_rule_call *call)
{
	size_t i;

	(void)field;
	step->parts = crm_calloc(call->arg_count, sizeof(*step->parts));
	if (!step->parts)
		return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	step->part_count = call->arg_count;
	for (i = 0; i < call->arg_count; i++) {
		const struct crm_rule_arg *arg = &call->args[i];
		struct concat_part *part = &step->parts[i];
		if (arg->quoted) {
			part->col = -1;
			part->literal = crm_strdup(arg->text);
			if (!part->literal)
				return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			part->len = strlen(arg->text);
			continue;
		}
		part->col = crm_reader_column(c->reader, arg->text);
		if (part->col < 0)
			return cfail(c, arg->offset, "'%s' is not a column of '%s' (quote literals: ' ')", arg->text,
				     crm_reader_path(c->reader));
	}
	return 0;
}

/*
 * ref(Object) links by the parent's id; ref(Object.field) by another column
 * of the parent's export (an external id, a name), whose values must name
 * one loaded parent each. The column is checked against the parent's
 * export when the project opens (project.c), once every header is read.
 */
static const struct crm_object_config *ref_object(struct compiler *c, struct crm_field_program *field,
						  const struct crm_rule_call *call)
{
	const struct crm_object_config *parent;
	const char *text, *dot;
	char piece[256];
	size_t pieces;

	text = call->args[0].text;
	pieces = crm_alt_count(text);
	if (pieces != c->alts) {
		if (c->alts == 1)
			cfail(c, call->args[0].offset,
			      "ref(%s) names %zu objects: target_field must name as many columns, one for each, "
			      "as 'contact_id|lead_id' for ref(Contact|Lead)",
			      text, pieces);
		else
			cfail(c, call->args[0].offset,
			      "ref(%s) names %zu object(s) and target_field '%s' %zu columns: one column for each "
			      "object, in the same order",
			      text, pieces, c->row->col[CRM_MAP_TARGET_FIELD], c->alts);
		return NULL;
	}
	if (c->alts > 1) {
		size_t len;
		const char *at = crm_alt_piece(text, c->alt, &len);
		if (len >= sizeof(piece) || memchr(at, '.', len)) {
			cfail(c, call->args[0].offset,
			      "ref(%s): a reference to one of several objects links by their ids, not by another "
			      "field (ref(Object.field))",
			      text);
			return NULL;
		}
		memcpy(piece, at, len);
		piece[len] = '\0';
		if (!(field->alt_objects = crm_strdup(text))) {
			crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
		text = piece;
	}
	parent = crm_config_object(c->cfg, text);
	dot = strchr(text, '.');
	if (!parent && dot) {
		char *name = crm_strndup(text, (size_t)(dot - text));
		if (!name) {
			crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
		parent = crm_config_object(c->cfg, name);
		crm_free(name);
		if (parent && !dot[1]) {
			cfail(c, call->args[0].offset, "ref(%s): no field after '%s.'", text, parent->name);
			return NULL;
		}
		if (parent && !(field->ref_key = crm_strdup(dot + 1))) {
			crm_error_set(c->err, CRM_ENOMEM, "out of memory");
			return NULL;
		}
	}
	if (!parent)
		cfail(c, call->args[0].offset, "ref(%s): no [object \"%.*s\"] in crmshift.ini", text,
		      (int)(dot ? (size_t)(dot - text) : strlen(text)), text);
	return parent;
}

/* ---- the rule functions: each one's preparation, then each one's run; the registry names them ---- */

static int compile_parse(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			 const struct crm_rule_call *call)
{
	struct crm_error ferr = CRM_ERROR_INIT;

	(void)field;
	if (crm_datefmt_compile(&step->fmt, call->args[0].text, &ferr))
		return cfail(c, call->args[0].offset, "%s", ferr.msg);
	return 0;
}

/* datetime(ZONE), or datetime alone and a datetime column's implied step: the project's [source] timezone */
static int compile_datetime(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			    const struct crm_rule_call *call)
{
	struct crm_error terr = CRM_ERROR_INIT;

	(void)field;
	if (!call->arg_count) {
		if (crm_tz_parse(&step->tz, c->cfg->source_timezone, &terr))
			return crm_error_set(c->err, CRM_EINPUT, "%s: [source] timezone: %s", c->cfg->path, terr.msg);
		return 0;
	}
	if (crm_tz_parse(&step->tz, call->args[0].text, &terr))
		return cfail(c, call->args[0].offset, "%s", terr.msg);
	return 0;
}

static int compile_round(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			 const struct crm_rule_call *call)
{
	(void)field;
	return parse_count(c, call, 0, 0, 18, &step->n);
}

static int compile_truncate(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			    const struct crm_rule_call *call)
{
	(void)field;
	return parse_count(c, call, 0, 1, 1000000, &step->n);
}

static int compile_phone(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			 const struct crm_rule_call *call)
{
	(void)field;
	if (call->arg_count >= 1 && strcasecmp(call->args[0].text, "E164") != 0)
		return cfail(c, call->args[0].offset, "phone() writes E164 only, not '%s'", call->args[0].text);
	if (call->arg_count == 2) {
		step->n = crm_phone_country_code(call->args[1].text);
		if (!step->n)
			return cfail(c, call->args[1].offset,
				     "unknown country '%s' (use an ISO code such as US, GB, DE)", call->args[1].text);
	}
	return 0;
}

/* default(v) and nullif(v): the literal */
static int compile_literal(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			   const struct crm_rule_call *call)
{
	(void)field;
	step->literal = crm_strdup(call->args[0].text);
	return step->literal ? 0 : crm_error_set(c->err, CRM_ENOMEM, "out of memory");
}

static int compile_split_address(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
				 const struct crm_rule_call *call)
{
	(void)field;
	step->n = crm_address_part_parse(call->args[0].text);
	if (step->n < 0)
		return cfail(c, call->args[0].offset,
			     "unknown address part '%s' (street, city, state, postal_code, country)",
			     call->args[0].text);
	return 0;
}

static int compile_pseudonymize(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
				const struct crm_rule_call *call)
{
	(void)step;
	field->protect = CRM_PROTECT_PSEUDONYMIZE;
	if (!c->pseudonym_key)
		return cfail(c, call->offset,
			     "pseudonymize needs the project's key: set [security] pseudonymize_key to a data "
			     "key file ('crmshift keys generate data FILE')");
	return 0;
}

static int compile_mask(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			const struct crm_rule_call *call)
{
	field->protect = CRM_PROTECT_MASK;
	if (parse_count(c, call, 0, 0, 1000, &step->n))
		return c->err->code;
	field->mask_tail = step->n;
	return 0;
}

static int compile_redact(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			  const struct crm_rule_call *call)
{
	(void)c;
	(void)step;
	(void)call;
	field->protect = CRM_PROTECT_REDACT;
	return 0;
}

static int compile_ref(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
		       const struct crm_rule_call *call)
{
	const struct crm_object_config *parent = ref_object(c, field, call);

	if (!parent)
		return c->err->code;
	if (!c->last_step)
		return cfail(c, call->offset, "ref(...) must be the last step");
	field->ref_object = parent->name;
	field->ref_table = parent->target;
	/* a data tree writes a lookup as "@" and the parent's referenceId, its id */
	step->n = crm_config_is_sfdx(c->obj);
	return 0;
}

static int compile_required(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			    const struct crm_rule_call *call)
{
	(void)c;
	(void)check;
	(void)call;
	field->required = 1;
	return 0;
}

static int compile_on_invalid(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			      const struct crm_rule_call *call)
{
	const char *policy = call->args[0].text;

	(void)check;
	if (strcmp(policy, "blank") != 0 && strcmp(policy, "reject") != 0)
		return cfail(c, call->args[0].offset, "on_invalid '%s' is not 'blank' or 'reject'", policy);
	field->on_invalid = strcmp(policy, "blank") == 0 ? CRM_ON_INVALID_BLANK : CRM_ON_INVALID_REJECT;
	return 0;
}

static int compile_unique(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			  const struct crm_rule_call *call)
{
	(void)c;
	(void)field;
	(void)call;
	crm_strmap_init(&check->seen);
	check->has_seen = 1;
	return 0;
}

static int compile_max_len(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			   const struct crm_rule_call *call)
{
	int n = 0;

	(void)field;
	if (parse_count(c, call, 0, 1, 100000000, &n))
		return c->err->code;
	check->n = (size_t)n;
	return 0;
}

static int compile_in(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
		      const struct crm_rule_call *call)
{
	size_t i;

	(void)field;
	check->values = crm_calloc(call->arg_count, sizeof(char *));
	if (!check->values)
		return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	check->value_count = call->arg_count;
	for (i = 0; i < call->arg_count; i++)
		if (!(check->values[i] = crm_strdup(call->args[i].text)))
			return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	return 0;
}

static int compile_range(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			 const struct crm_rule_call *call)
{
	struct crm_arena tmp;
	size_t i;

	(void)field;
	crm_arena_init(&tmp, 256);
	for (i = 0; i < 2; i++) {
		const char *text = call->args[i].text, *norm;
		size_t len;
		char reason[128];
		if (!*text)
			continue;
		if (crm_text_decimal(&tmp, text, strlen(text), &norm, &len, reason, sizeof(reason)) != 0) {
			crm_arena_release(&tmp);
			return cfail(c, call->args[i].offset, "range bound '%s' is not a number", text);
		}
		*(i ? &check->hi : &check->lo) = crm_strndup(norm, len);
	}
	crm_arena_release(&tmp);
	if ((call->args[0].text[0] && !check->lo) || (call->args[1].text[0] && !check->hi))
		return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	if (!check->lo && !check->hi)
		return cfail(c, call->offset, "range(,) has no bound");
	return 0;
}

static int compile_regex(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			 const struct crm_rule_call *call)
{
	int code;
	PCRE2_SIZE at;

	(void)field;
	check->re = pcre2_compile((PCRE2_SPTR)call->args[0].text, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &at, NULL);
	if (!check->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		return cfail(c, call->args[0].offset + at, "regex: %s", (const char *)msg);
	}
	pcre2_jit_compile(check->re, PCRE2_JIT_COMPLETE); /* best effort: the interpreter is the fallback */
	return 0;
}

static const char *fixed(struct crm_arena *arena, const char *text, size_t *len)
{
	*len = strlen(text);
	return crm_arena_strndup(arena, text, *len);
}

/* "pseu_" and the first 16 bytes of HMAC-SHA-256(key, value) in hex: the same value, the same token. */
static const char *pseudonym(const struct crm_program *prog, struct crm_arena *arena, const char *in, size_t n,
			     size_t *len)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char *out = crm_arena_alloc(arena, CRM_PSEUDONYM_LEN + 1);
	crypto_auth_hmacsha256_state st;

	if (!out)
		return NULL;
	crypto_auth_hmacsha256_init(&st, prog->pseudonym_key, sizeof(prog->pseudonym_key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)in, n);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, CRM_PSEUDONYM_PREFIX, sizeof(CRM_PSEUDONYM_PREFIX) - 1);
	sodium_bin2hex(out + sizeof(CRM_PSEUDONYM_PREFIX) - 1, 33, mac, 16);
	*len = CRM_PSEUDONYM_LEN;
	return out;
}

/* Every character but the last tail ones as '*'; all of them when the value is not longer than tail. */
static const char *mask_value(struct crm_arena *arena, const char *in, size_t n, size_t tail, size_t *len)
{
	size_t chars = 0, i, keep_from = n, seen = 0, stars;
	char *out;

	for (i = 0; i < n; i++)
		chars += ((unsigned char)in[i] & 0xC0) != 0x80;
	if (chars > tail) {
		/* the byte where the last tail characters start */
		for (i = 0; i < n; i++) {
			if (((unsigned char)in[i] & 0xC0) != 0x80 && seen++ == chars - tail) {
				keep_from = i;
				break;
			}
		}
		stars = chars - tail;
	} else {
		stars = chars;
	}
	out = crm_arena_alloc(arena, stars + (n - keep_from) + 1);
	if (!out)
		return NULL;
	memset(out, '*', stars);
	memcpy(out + stars, in + keep_from, n - keep_from);
	*len = stars + (n - keep_from);
	out[*len] = '\0';
	return out;
}

/*
 * The runs: a step's turns *v (len bytes) into its result, a check's judges
 * v. Each returns 0, 1 when the value is refused (x->reason filled), or a
 * negative code (out of memory). Values made live in x->arena.
 */

static int step_keep(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	(void)x;
	(void)v;
	(void)len;
	return 0;
}

static int step_ref(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)x;
	crm_text_trim(v, len);
	if (s->n)
		crm_json_sfdx_lookup(v, len);
	return 0;
}

static int step_trim(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	(void)x;
	crm_text_trim(v, len);
	return 0;
}

static int change_case(struct run_ctx *x, const char **v, size_t *len, enum crm_case mode)
{
	*v = crm_text_case(x->arena, *v, *len, mode, len);
	return *v ? 0 : -1;
}

static int step_lower(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	return change_case(x, v, len, CRM_CASE_LOWER);
}

static int step_upper(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	return change_case(x, v, len, CRM_CASE_UPPER);
}

static int step_title(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	return change_case(x, v, len, CRM_CASE_TITLE);
}

static int step_collapse_ws(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	*v = crm_text_collapse_ws(x->arena, *v, *len, len);
	return *v ? 0 : -1;
}

/* The trimmed value through a conversion that writes a fixed-size text (a date, a time, a phone number). */
static int convert_fixed(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len,
			 int (*convert)(const struct crm_step *, const char *, size_t, char *, char *, size_t))
{
	char out[CRM_DT_MAX];
	const char *in = *v;
	size_t n = *len;
	int rc;

	crm_text_trim(&in, &n);
	rc = convert(s, in, n, out, x->reason, sizeof(x->reason));
	if (rc)
		return rc;
	*v = fixed(x->arena, out, len);
	return *v ? 0 : -1;
}

static int parse_with_format(const struct crm_step *s, const char *in, size_t n, char *out, char *reason, size_t cap)
{
	return crm_datefmt_parse(&s->fmt, in, n, out, reason, cap);
}

static int to_date(const struct crm_step *s, const char *in, size_t n, char *out, char *reason, size_t cap)
{
	(void)s;
	return crm_date_normalize(in, n, out, reason, cap);
}

static int to_datetime(const struct crm_step *s, const char *in, size_t n, char *out, char *reason, size_t cap)
{
	return crm_datetime_normalize(in, n, &s->tz, out, reason, cap);
}

static int to_phone(const struct crm_step *s, const char *in, size_t n, char *out, char *reason, size_t cap)
{
	return crm_phone_e164(in, n, s->n, out, reason, cap);
}

static int step_parse(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	return convert_fixed(s, x, v, len, parse_with_format);
}

static int step_date(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	return convert_fixed(s, x, v, len, to_date);
}

static int step_datetime(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	return convert_fixed(s, x, v, len, to_datetime);
}

static int step_phone(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	return convert_fixed(s, x, v, len, to_phone);
}

static int step_int(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const char *in = *v;
	size_t n = *len;

	(void)s;
	crm_text_trim(&in, &n);
	return crm_text_int(x->arena, in, n, v, len, x->reason, sizeof(x->reason));
}

static int step_decimal(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const char *in = *v;
	size_t n = *len;

	(void)s;
	crm_text_trim(&in, &n);
	return crm_text_decimal(x->arena, in, n, v, len, x->reason, sizeof(x->reason));
}

static int step_round(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const char *in = *v;
	size_t n = *len;

	crm_text_trim(&in, &n);
	return crm_text_round(x->arena, in, n, s->n, v, len, x->reason, sizeof(x->reason));
}

static int step_bool(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const char *in = *v;
	size_t n = *len;
	int b, rc;

	(void)s;
	crm_text_trim(&in, &n);
	rc = crm_text_bool(in, n, &b, x->reason, sizeof(x->reason));
	if (rc)
		return rc;
	*v = b ? "1" : "0";
	*len = 1;
	return 0;
}

static int step_email(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const char *in = *v;
	size_t n = *len;

	(void)s;
	crm_text_trim(&in, &n);
	return crm_text_email(x->arena, in, n, v, len, x->reason, sizeof(x->reason));
}

/*
 * owner(): the source user's target owner; the default for a user the file
 * does not list (or a blank one) or lists as inactive; without a default,
 * such a user is refused. Whatever the outcome, a note in x->res says which.
 */
static int step_owner(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	struct crm_owner_note *note = &x->res->owners[x->res->owner_count++];
	const struct crm_strmap_entry *e = *len ? crm_strmap_get(&s->map, *v, *len) : NULL;
	int inactive = 0;

	note->field = x->field;
	if (!(note->source = crm_arena_strndup(x->arena, *v, *len)))
		return -1;
	note->source_len = *len;
	if (*len && e) {
		inactive = e->num & 1;
	} else if (*len && (memchr(*v, '@', *len) || memchr(*v, ' ', *len))) {
		/* an e-mail or a name in another case; an id's case is part of it (Salesforce's 15 characters) */
		char *folded;
		size_t flen;
		if (fold_key(*v, *len, &folded, &flen) == 0) {
			e = crm_strmap_get(&s->folded, folded, flen);
			free(folded);
			if (e && (e->num & 1))
				e = NULL; /* two users differ only by case: no guessing */
			inactive = e && (e->num & 2);
		}
	}
	note->reason = !e ? CRM_OWNER_UNKNOWN : inactive ? CRM_OWNER_INACTIVE : CRM_OWNER_MAPPED;
	if (note->reason == CRM_OWNER_MAPPED) {
		*v = e->str;
		*len = strlen(e->str);
		return 0;
	}
	if (s->has_literal) {
		*v = s->literal;
		*len = strlen(s->literal);
		return 0;
	}
	if (!*len)
		snprintf(x->reason, sizeof(x->reason), "is blank: no owner, and owner() has no default to give it");
	else
		snprintf(x->reason, sizeof(x->reason), "%s in %s, and owner() has no default",
			 note->reason == CRM_OWNER_INACTIVE ? "is an inactive user" : "is not a user", s->file);
	return 1;
}

static int step_map(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const struct crm_strmap_entry *e = crm_strmap_get(&s->map, *v, *len);

	if (!e) {
		char *folded;
		size_t flen;
		if (fold_key(*v, *len, &folded, &flen) == 0) {
			e = crm_strmap_get(&s->folded, folded, flen);
			free(folded);
			if (e && e->num)
				e = NULL; /* two source values differ only by case here: no guessing */
		}
	}
	if (e) {
		*v = e->str;
		*len = strlen(e->str);
		return 0;
	}
	if (s->has_literal) {
		*v = s->literal;
		*len = strlen(s->literal);
		return 0;
	}
	if (s->keep_unmapped)
		return 0; /* passes through unchanged */
	snprintf(x->reason, sizeof(x->reason), "has no entry in the value map, which has no default");
	return 1;
}

static int step_default(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)x;
	if (*len == 0) {
		*v = s->literal;
		*len = strlen(s->literal);
	}
	return 0;
}

static int step_nullif(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)x;
	if (*len == strlen(s->literal) && memcmp(*v, s->literal, *len) == 0)
		*len = 0;
	return 0;
}

static int step_truncate(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)x;
	*len = crm_text_prefix_len(*v, *len, (size_t)s->n);
	return 0;
}

static int step_pseudonymize(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	*v = pseudonym(x->prog, x->arena, *v, *len, len);
	return *v ? 0 : -1;
}

static int step_mask(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	*v = mask_value(x->arena, *v, *len, (size_t)s->n, len);
	return *v ? 0 : -1;
}

static int step_redact(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	(void)s;
	(void)x;
	(void)v;
	*len = 0;
	return 0;
}

static int step_split_address(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	return crm_text_split_address(x->arena, *v, *len, s->n, v, len, x->reason, sizeof(x->reason));
}

static int step_concat(const struct crm_step *s, struct run_ctx *x, const char **v, size_t *len)
{
	const struct crm_record *rec = x->rec;
	size_t total = 0, o = 0, i;
	char *out;
	int any = 0;

	for (i = 0; i < s->part_count; i++) {
		if (s->parts[i].col < 0) {
			total += s->parts[i].len;
		} else if ((size_t)s->parts[i].col < rec->count) {
			total += rec->fields[s->parts[i].col].len;
			any |= rec->fields[s->parts[i].col].len > 0;
		}
	}
	if (!any) {
		/* literals alone would invent a value */
		*len = 0;
		return 0;
	}
	out = crm_arena_alloc(x->arena, total + 1);
	if (!out)
		return -1;
	for (i = 0; i < s->part_count; i++) {
		const char *p = s->parts[i].col < 0 ? s->parts[i].literal : rec->fields[s->parts[i].col].ptr;
		size_t pl = s->parts[i].col < 0 ? s->parts[i].len : rec->fields[s->parts[i].col].len;
		memcpy(out + o, p, pl);
		o += pl;
	}
	out[o] = '\0';
	*v = out;
	*len = o;
	return 0;
}

static int check_required(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	(void)k;
	(void)v;
	if (len)
		return 0;
	snprintf(x->reason, sizeof(x->reason), "is required but empty");
	return 1;
}

static int is_iso_date_prefix(const char *v, size_t len)
{
	size_t i;

	if (len < 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? v[i] != '-' : (v[i] < '0' || v[i] > '9'))
			return 0;
	return 1;
}

static int check_not_future_date(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	(void)k;
	if (!is_iso_date_prefix(v, len)) {
		snprintf(x->reason, sizeof(x->reason), "is not a date");
		return 1;
	}
	if (len == 10 ? memcmp(v, x->prog->today, 10) > 0 : strncmp(v, x->prog->now, len) > 0) {
		snprintf(x->reason, sizeof(x->reason), "is in the future");
		return 1;
	}
	return 0;
}

static int check_email(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	const char *out;
	size_t out_len;

	(void)k;
	return crm_text_email(x->arena, v, len, &out, &out_len, x->reason, sizeof(x->reason));
}

static int check_regex(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	/* per call: programs run on several threads at once */
	pcre2_match_data *match = pcre2_match_data_create_from_pattern(k->re, NULL);
	int rc;

	if (!match)
		return -1;
	rc = pcre2_match(k->re, (PCRE2_SPTR)v, len, 0, 0, match, NULL);
	pcre2_match_data_free(match);
	if (rc >= 0)
		return 0;
	if (rc != PCRE2_ERROR_NOMATCH)
		snprintf(x->reason, sizeof(x->reason), "could not be matched (pcre2 error %d)", rc);
	else
		snprintf(x->reason, sizeof(x->reason), "does not match %s", k->text);
	return 1;
}

static int check_in(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < k->value_count; i++)
		if (strlen(k->values[i]) == len && memcmp(k->values[i], v, len) == 0)
			return 0;
	snprintf(x->reason, sizeof(x->reason), "is not one of %s", k->text);
	return 1;
}

static int check_max_len(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	size_t chars = crm_text_chars(v, len);

	if (chars <= k->n)
		return 0;
	snprintf(x->reason, sizeof(x->reason), "is %zu characters long; %s allows %zu", chars, k->text, k->n);
	return 1;
}

static int check_range(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	const char *norm;
	size_t nlen;
	int rc = crm_text_decimal(x->arena, v, len, &norm, &nlen, x->reason, sizeof(x->reason));

	if (rc)
		return rc;
	if ((k->lo && crm_text_decimal_cmp(norm, nlen, k->lo, strlen(k->lo)) < 0) ||
	    (k->hi && crm_text_decimal_cmp(norm, nlen, k->hi, strlen(k->hi)) > 0)) {
		snprintf(x->reason, sizeof(x->reason), "is outside %s", k->text);
		return 1;
	}
	return 0;
}

static int check_unique(struct crm_check *k, struct run_ctx *x, const char *v, size_t len)
{
	const struct crm_strmap_entry *e;
	struct crm_error perr = CRM_ERROR_INIT;
	char *id;
	int rc;

	if (!(x->flags & CRM_RUN_CHECK_UNIQUE))
		return 0;
	if (!(id = crm_arena_strndup(x->arena, x->source_id, x->source_id_len)))
		return -1;
	rc = crm_strmap_put(&k->seen, v, len, 0, id, &e, &perr);
	if (rc < 0)
		return -1;
	if (rc == 1 || strcmp(e->str, id) == 0)
		return 0;
	snprintf(x->reason, sizeof(x->reason), "is not unique: record '%s' has it too", e->str);
	return 1;
}

/* ---- the registry: every function a mapping's rules may name ---- */

/*
 * A transform fills compile_step (NULL: nothing to prepare) and run_step; a
 * validation compile_check and run_check (NULL: a policy, no check of its
 * own). Adding a function is a row here and its run above.
 */
static const struct rule_fn rule_fns[] = {
	{"trim", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_trim, NULL, NULL},
	{"lower", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_lower, NULL, NULL},
	{"upper", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_upper, NULL, NULL},
	{"title", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_title, NULL, NULL},
	{"collapse_ws", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_collapse_ws, NULL, NULL},
	{"text", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_keep, NULL, NULL},
	{"parse", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_parse, step_parse, NULL, NULL},
	{"date", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_date, NULL, NULL},
	{"datetime", CRM_RULE_TRANSFORM, 0, 1, 0, NULL, compile_datetime, step_datetime, NULL, NULL},
	{"int", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_int, NULL, NULL},
	{"decimal", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_decimal, NULL, NULL},
	{"round", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_round, step_round, NULL, NULL},
	{"bool", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_bool, NULL, NULL},
	{"phone", CRM_RULE_TRANSFORM, 0, 2, 0, NULL, compile_phone, step_phone, NULL, NULL},
	{"email", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, NULL, step_email, NULL, NULL},
	{"map", CRM_RULE_TRANSFORM, 1, ANY_ARGS, 0, "a value-map file or value=target pairs", compile_map, step_map,
	 NULL, NULL},
	{"owner", CRM_RULE_TRANSFORM, 1, 2, RULE_ON_BLANK, NULL, compile_owner, step_owner, NULL, NULL},
	{"default", CRM_RULE_TRANSFORM, 1, 1, RULE_ON_BLANK, NULL, compile_literal, step_default, NULL, NULL},
	{"nullif", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_literal, step_nullif, NULL, NULL},
	{"truncate", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_truncate, step_truncate, NULL, NULL},
	{"concat", CRM_RULE_TRANSFORM, 1, ANY_ARGS, RULE_ON_BLANK, "fields or quoted literals", compile_concat,
	 step_concat, NULL, NULL},
	{"split_address", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_split_address, step_split_address, NULL, NULL},
	{"pseudonymize", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, compile_pseudonymize, step_pseudonymize, NULL, NULL},
	{"mask", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_mask, step_mask, NULL, NULL},
	{"redact", CRM_RULE_TRANSFORM, 0, 0, 0, NULL, compile_redact, step_redact, NULL, NULL},
	{"ref", CRM_RULE_TRANSFORM, 1, 1, 0, NULL, compile_ref, step_ref, NULL, NULL},
	{"required", CRM_RULE_VALIDATION, 0, 0, RULE_ON_BLANK, NULL, NULL, NULL, compile_required, check_required},
	{"not_future_date", CRM_RULE_VALIDATION, 0, 0, 0, NULL, NULL, NULL, NULL, check_not_future_date},
	{"email", CRM_RULE_VALIDATION, 0, 0, 0, NULL, NULL, NULL, NULL, check_email},
	{"max_len", CRM_RULE_VALIDATION, 1, 1, 0, NULL, NULL, NULL, compile_max_len, check_max_len},
	{"in", CRM_RULE_VALIDATION, 1, ANY_ARGS, 0, "at least one value", NULL, NULL, compile_in, check_in},
	{"range", CRM_RULE_VALIDATION, 2, 2, 0, NULL, NULL, NULL, compile_range, check_range},
	{"regex", CRM_RULE_VALIDATION, 1, 1, 0, NULL, NULL, NULL, compile_regex, check_regex},
	{"unique", CRM_RULE_VALIDATION, 0, 0, RULE_ACROSS_RECORDS, NULL, NULL, NULL, compile_unique, check_unique},
	{"on_invalid", CRM_RULE_VALIDATION, 1, 1, 0, NULL, NULL, NULL, compile_on_invalid, NULL},
};

static const struct rule_fn *rule_fn_find(enum crm_rule_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(rule_fns); i++)
		if (rule_fns[i].kind == kind && strcmp(rule_fns[i].name, name) == 0)
			return &rule_fns[i];
	return NULL;
}

const char *crm_program_function(size_t i, enum crm_rule_kind *kind)
{
	if (i >= CRM_ARRAY_COUNT(rule_fns))
		return NULL;
	*kind = rule_fns[i].kind;
	return rule_fns[i].name;
}

static int want_args(struct compiler *c, const struct rule_fn *fn, const struct crm_rule_call *call)
{
	size_t min = fn->min_args, max = fn->max_args;

	if (call->arg_count >= min && (max == ANY_ARGS || call->arg_count <= max))
		return 0;
	if (fn->needs && call->arg_count < min)
		return cfail(c, call->offset, "'%s' needs %s", call->name, fn->needs);
	if (min == max && min == 0)
		return cfail(c, call->offset, "'%s' takes no arguments", call->name);
	if (min == max)
		return cfail(c, call->offset, "'%s' takes %zu argument%s, not %zu", call->name, min,
			     min == 1 ? "" : "s", call->arg_count);
	return cfail(c, call->offset, "'%s' takes %zu to %zu arguments, not %zu", call->name, min, max,
		     call->arg_count);
}

static int compile_step(struct compiler *c, struct crm_field_program *field, struct crm_step *step,
			const struct crm_rule_call *call)
{
	step->fn = rule_fn_find(CRM_RULE_TRANSFORM, call->name);
	if (!step->fn)
		return cfail(c, call->offset, "unknown function '%s'", call->name);
	if (want_args(c, step->fn, call))
		return c->err->code;
	return step->fn->compile_step ? step->fn->compile_step(c, field, step, call) : 0;
}

static int compile_check(struct compiler *c, struct crm_field_program *field, struct crm_check *check,
			 const struct crm_rule_call *call)
{
	check->fn = rule_fn_find(CRM_RULE_VALIDATION, call->name);
	if (!check->fn)
		return cfail(c, call->offset, "unknown check '%s'", call->name);
	if (want_args(c, check->fn, call))
		return c->err->code;
	return check->fn->compile_check ? check->fn->compile_check(c, field, check, call) : 0;
}

/* The step a column's type implies: its conversion, named as the type is. */
static const struct rule_fn *type_fn(enum crm_type type)
{
	return rule_fn_find(CRM_RULE_TRANSFORM, crm_type_name(type));
}

static int resolve_type(struct compiler *c, const struct crm_table_def *table, struct crm_field_program *field)
{
	const char *target = field->target_field;
	const char *dtype = c->row->col[CRM_MAP_DATA_TYPE];
	const struct crm_column_def *core;
	enum crm_type declared;

	c->column = "data_type";
	if (crm_type_parse(dtype, &declared))
		return cfail(c, 0, "data_type '%s' is not one of text, int, decimal, date, datetime, bool, id", dtype);
	if (crm_schema_is_reserved(target))
		return cfail(c, 0,
			     "target_field '%s' is filled by crmshift itself; map the source's key with [object] id",
			     target);
	if (!crm_schema_valid_ident(target))
		return cfail(c, 0, "target_field '%s' is not a valid column name (lower case letters, digits, _)",
			     target);
	core = crm_schema_column(table, target);
	if (crm_schema_is_timestamp(target)) {
		field->type = CRM_TYPE_DATETIME;
		if (declared != CRM_TYPE_TEXT && declared != CRM_TYPE_DATETIME)
			return cfail(c, 0, "'%s' is a datetime column; data_type '%s' does not fit", target, dtype);
	} else if (core) {
		field->type = core->type;
		if (core->type == CRM_TYPE_REF) {
			if (declared != CRM_TYPE_REF && declared != CRM_TYPE_TEXT)
				return cfail(c, 0, "'%s.%s' is a reference; data_type '%s' does not fit", table->name,
					     target, dtype);
		} else if (declared != CRM_TYPE_TEXT && declared != core->type) {
			return cfail(c, 0, "'%s.%s' is %s in the canonical model; data_type '%s' does not fit",
				     table->name, target, crm_type_name(core->type), dtype);
		}
	} else {
		field->type = declared; /* a custom column takes the type the mapping declares */
	}
	if (field->type == CRM_TYPE_REF && !field->ref_object)
		return cfail(c, 0, "'%s' holds a reference: its transform_rule must end with ref(Object)", target);
	if (field->ref_object && field->type != CRM_TYPE_REF)
		return cfail(c, 0, "ref(%s) fills '%s', which is not a reference column (name it *_id, data_type id)",
			     field->ref_object, target);
	if (core && core->type == CRM_TYPE_REF && strcmp(core->ref_table, field->ref_table) != 0)
		return cfail(c, 0, "'%s.%s' points at '%s', but ref(%s) loads into '%s'", table->name, target,
			     core->ref_table, field->ref_object, field->ref_table);
	return 0;
}

/*
 * Whether a value that fails its rule blanks the field or rejects the record:
 * the row's on_invalid(...), else its object's [object] on_invalid. Never
 * blank for a field the record cannot do without (`required`, a required
 * reference) or whose value must be unique: the row saying so is an error,
 * the object's policy leaves such a field rejecting.
 */
static int invalid_policy(struct compiler *c, struct crm_field_program *field)
{
	const char *why = NULL;
	size_t i;

	for (i = 0; i < field->check_count; i++)
		if (field->checks[i].fn->flags & RULE_ACROSS_RECORDS)
			why = "a value that must be unique";
	if (field->required)
		why = field->ref_object ? "a required reference" : "a required field";
	if (field->on_invalid == CRM_ON_INVALID_BLANK && why)
		return crm_error_set(c->err, CRM_EINPUT,
				     "%s:%lu: validation_rule: on_invalid(blank) cannot apply to %s: its record is "
				     "rejected without it",
				     c->map->path, field->row->line, why);
	if (field->on_invalid == CRM_ON_INVALID_DEFAULT)
		field->on_invalid = c->obj->blank_invalid && !why ? CRM_ON_INVALID_BLANK : CRM_ON_INVALID_REJECT;
	return 0;
}

static int compile_field(struct compiler *c, const struct crm_table_def *table, struct crm_field_program *field)
{
	const struct crm_mapping_row *row = c->row;
	struct crm_rule rule;
	size_t i;
	int rc, implicit;

	field->row = row;
	field->target_field = row->col[CRM_MAP_TARGET_FIELD];
	if (c->alts > 1) {
		size_t len;
		const char *at = crm_alt_piece(field->target_field, c->alt, &len);
		if (!(field->alt_target = crm_strndup(at, len)))
			return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
		field->target_field = field->alt_target;
		if (!len || !crm_schema_valid_ident(field->alt_target))
			return cfail(c, 0, "target_field '%s': '%s' is not a column name",
				     row->col[CRM_MAP_TARGET_FIELD], field->alt_target);
	}
	field->pii = row->pii != CRM_PII_NONE;
	field->source_col = -1;
	field->source_name = row->col[CRM_MAP_SOURCE_FIELD][0] ? row->col[CRM_MAP_SOURCE_FIELD] : field->target_field;
	if (row->col[CRM_MAP_SOURCE_FIELD][0]) {
		field->source_col = crm_reader_column(c->reader, row->col[CRM_MAP_SOURCE_FIELD]);
		if (field->source_col < 0)
			return cfail(c, 0, "source_field '%s' is not a column of '%s'", row->col[CRM_MAP_SOURCE_FIELD],
				     crm_reader_path(c->reader));
	}

	c->column = "transform_rule";
	c->rule_text = row->col[CRM_MAP_TRANSFORM_RULE];
	if (crm_rule_parse(&rule, c->rule_text, CRM_RULE_TRANSFORM, c->err)) {
		char msg[CRM_ERROR_MSG_MAX];
		memcpy(msg, c->err->msg, sizeof(msg));
		c->err->code = 0;
		return crm_error_set(c->err, CRM_EINPUT, "%s:%lu: transform_rule '%s' %s", c->map->path, row->line,
				     c->rule_text, msg);
	}
	if (field->source_col < 0 && (rule.count == 0 || (strcmp(rule.calls[0].name, "concat") != 0 &&
							  strcmp(rule.calls[0].name, "default") != 0))) {
		crm_rule_release(&rule);
		return cfail(
			c, 0,
			"source_field is empty: only a rule starting with concat(...) or default(...) can fill '%s'",
			field->target_field);
	}
	field->steps = crm_calloc(rule.count + 1, sizeof(*field->steps));
	if (!field->steps) {
		crm_rule_release(&rule);
		return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	}
	rc = 0;
	for (i = 0; i < rule.count && !rc; i++) {
		field->steps[i].text = call_text(c, &rule.calls[i], i + 1 < rule.count ? &rule.calls[i + 1] : NULL);
		field->step_count++;
		c->last_step = i + 1 == rule.count;
		rc = field->steps[i].text ? compile_step(c, field, &field->steps[i], &rule.calls[i])
					  : crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	}
	crm_rule_release(&rule);
	if (rc)
		return rc;
	if (c->alts > 1 && !field->ref_object)
		return cfail(c, 0,
			     "target_field '%s' names %zu columns: its rule must end with ref(...) naming as many "
			     "objects, as ref(Contact|Lead) for 'contact_id|lead_id'",
			     row->col[CRM_MAP_TARGET_FIELD], c->alts);
	rc = resolve_type(c, table, field);
	if (rc)
		return rc;
	/* a value of a typed column goes through its type's conversion unless the rule ends with it */
	implicit = field->type != CRM_TYPE_TEXT && field->type != CRM_TYPE_REF &&
		   (field->step_count == 0 || field->steps[field->step_count - 1].fn != type_fn(field->type));
	if (implicit) {
		struct crm_step *step = &field->steps[field->step_count];
		const struct crm_rule_call implied = {.name = NULL}; /* no arguments: the project's settings */
		step->fn = type_fn(field->type);
		step->text = crm_strdup(crm_type_name(field->type));
		if (!step->text)
			return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
		field->step_count++;
		if (step->fn->compile_step && step->fn->compile_step(c, field, step, &implied))
			return c->err->code;
	}

	c->column = "validation_rule";
	c->rule_text = row->col[CRM_MAP_VALIDATION_RULE];
	if (crm_rule_parse(&rule, c->rule_text, CRM_RULE_VALIDATION, c->err)) {
		char msg[CRM_ERROR_MSG_MAX];
		memcpy(msg, c->err->msg, sizeof(msg));
		c->err->code = 0;
		return crm_error_set(c->err, CRM_EINPUT, "%s:%lu: validation_rule '%s' %s", c->map->path, row->line,
				     c->rule_text, msg);
	}
	field->checks = crm_calloc(rule.count ? rule.count : 1, sizeof(*field->checks));
	if (!field->checks) {
		crm_rule_release(&rule);
		return crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	}
	for (i = 0; i < rule.count && !rc; i++) {
		field->checks[i].text = call_text(c, &rule.calls[i], i + 1 < rule.count ? &rule.calls[i + 1] : NULL);
		field->check_count++;
		rc = field->checks[i].text ? compile_check(c, field, &field->checks[i], &rule.calls[i])
					   : crm_error_set(c->err, CRM_ENOMEM, "out of memory");
	}
	crm_rule_release(&rule);
	return rc ? rc : invalid_policy(c, field);
}

static void release_field(struct crm_field_program *field)
{
	size_t i, j;

	for (i = 0; i < field->step_count; i++) {
		struct crm_step *s = &field->steps[i];
		crm_free(s->text);
		crm_free(s->literal);
		crm_free(s->file);
		if (s->has_map) {
			crm_strmap_release(&s->map);
			crm_strmap_release(&s->folded);
		}
		for (j = 0; j < s->part_count; j++)
			crm_free(s->parts[j].literal);
		crm_free(s->parts);
	}
	crm_free(field->steps);
	crm_free(field->ref_key);
	crm_free(field->alt_target);
	crm_free(field->alt_objects);
	for (i = 0; i < field->check_count; i++) {
		struct crm_check *k = &field->checks[i];
		crm_free(k->text);
		if (k->re)
			pcre2_code_free(k->re);
		for (j = 0; j < k->value_count; j++)
			crm_free(k->values[j]);
		crm_free(k->values);
		crm_free(k->lo);
		crm_free(k->hi);
		if (k->has_seen)
			crm_strmap_release(&k->seen);
	}
	crm_free(field->checks);
}

long crm_program_field(const struct crm_program *prog, const char *column)
{
	size_t f;

	for (f = 0; f < prog->field_count; f++)
		if (strcmp(prog->fields[f].target_field, column) == 0)
			return (long)f;
	return -1;
}

void crm_program_free(struct crm_program *prog)
{
	size_t i;

	if (!prog)
		return;
	for (i = 0; i < prog->field_count; i++)
		release_field(&prog->fields[i]);
	crm_free(prog->fields);
	sodium_memzero(prog->pseudonym_key, sizeof(prog->pseudonym_key));
	crm_free(prog);
}

struct crm_program *crm_program_compile(const struct crm_config *cfg, const struct crm_mapping *map,
					const struct crm_object_config *obj, const struct crm_reader *reader,
					const unsigned char *pseudonym_key, struct crm_diags *diags,
					struct crm_error *err)
{
	struct crm_program *prog = crm_calloc(1, sizeof(*prog));
	const struct crm_table_def *table;
	struct compiler c = {cfg, map, obj, reader, NULL, "", "", NULL, pseudonym_key, 0, 1, 0};
	struct crm_error first = CRM_ERROR_INIT;
	size_t i, j, count = 0;

	if (!prog) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	prog->object = obj;
	prog->table = obj->target;
	if (pseudonym_key)
		memcpy(prog->pseudonym_key, pseudonym_key, sizeof(prog->pseudonym_key));
	crm_dt_now(prog->today, prog->now);
	table = crm_schema_table(obj->target);
	if (!crm_schema_valid_ident(obj->target)) {
		crm_error_set(&first, CRM_EINPUT, "%s:%lu: [object \"%s\"] target '%s' is not a valid table name",
			      cfg->path, obj->line, obj->name, obj->target);
		crm_diags_add(diags, &first);
		goto out;
	}
	/* a custom table may be any name but the databases' own and crmshift's */
	if (strncasecmp(obj->target, "sqlite_", 7) == 0 || strncasecmp(obj->target, "pg_", 3) == 0 ||
	    strncasecmp(obj->target, "crmshift", 8) == 0) {
		crm_error_set(&first, CRM_EINPUT,
			      "%s:%lu: [object \"%s\"] target '%s' is a name the database or crmshift reserves "
			      "(sqlite_*, pg_*, crmshift*)",
			      cfg->path, obj->line, obj->name, obj->target);
		crm_diags_add(diags, &first);
		goto out;
	}
	prog->id_col = crm_reader_column(reader, obj->id);
	if (prog->id_col < 0) {
		crm_error_set(&first, CRM_EINPUT, "%s:%lu: [object \"%s\"] id column '%s' is not in '%s'", cfg->path,
			      obj->line, obj->name, obj->id, crm_reader_path(reader));
		crm_diags_add(diags, &first);
	}
	for (i = 0; i < map->count; i++)
		if (strcmp(map->rows[i].col[CRM_MAP_SOURCE_OBJECT], obj->name) == 0)
			count += crm_alt_count(map->rows[i].col[CRM_MAP_TARGET_FIELD]);
	prog->fields = crm_calloc(count ? count : 1, sizeof(*prog->fields));
	if (!prog->fields) {
		crm_error_set(&first, CRM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < map->count; i++) {
		const struct crm_mapping_row *row = &map->rows[i];
		struct crm_error ferr = CRM_ERROR_INIT;
		struct crm_field_program *field;
		const char *row_target = row->col[CRM_MAP_TARGET_OBJECT];

		if (strcmp(row->col[CRM_MAP_SOURCE_OBJECT], obj->name) != 0)
			continue;
		c.row = row;
		c.err = &ferr;
		if (row_target[0] && strcmp(row_target, obj->target) != 0) {
			cfail(&c, 0,
			      "target_object '%s' differs from [object \"%s\"] target '%s'; one source object loads "
			      "into one table in this version",
			      row_target, obj->name, obj->target);
			crm_diags_add(diags, &ferr);
			if (!first.code)
				first = ferr;
			continue;
		}
		c.alts = crm_alt_count(row->col[CRM_MAP_TARGET_FIELD]);
		if (c.alts > CRM_MAX_REF_OBJECTS) {
			cfail(&c, 0, "target_field '%s' names %zu columns; a reference names at most %u objects",
			      row->col[CRM_MAP_TARGET_FIELD], c.alts, CRM_MAX_REF_OBJECTS);
			crm_diags_add(diags, &ferr);
			if (!first.code)
				first = ferr;
			continue;
		}
		for (c.alt = 0; c.alt < c.alts && !ferr.code; c.alt++) {
			size_t group = prog->field_count - c.alt, len;
			const char *column = crm_alt_piece(row->col[CRM_MAP_TARGET_FIELD], c.alt, &len);
			for (j = 0; j < prog->field_count; j++)
				if (strlen(prog->fields[j].target_field) == len &&
				    memcmp(prog->fields[j].target_field, column, len) == 0) {
					cfail(&c, 0, "target_field '%.*s' is already filled by line %lu", (int)len,
					      column, prog->fields[j].row->line);
					break;
				}
			if (ferr.code)
				break;
			field = &prog->fields[prog->field_count++];
			if (compile_field(&c, table, field)) {
				release_field(field);
				memset(field, 0, sizeof(*field));
				prog->field_count--;
			} else if (c.alts > 1) {
				field->alt_first = group;
				field->alt_count = c.alts;
				field->alt_index = c.alt;
			}
		}
		if (ferr.code && c.alts > 1) {
			/* a group is whole or not at all */
			while (prog->field_count && prog->fields[prog->field_count - 1].row == row) {
				release_field(&prog->fields[--prog->field_count]);
				memset(&prog->fields[prog->field_count], 0, sizeof(*prog->fields));
			}
		}
		if (ferr.code) {
			crm_diags_add(diags, &ferr);
			if (!first.code)
				first = ferr;
		}
	}
	for (i = 0; i < prog->field_count; i++) {
		prog->owner_fields += (size_t)prog->fields[i].owner;
	}
	if (!first.code && prog->field_count == 0) {
		crm_error_set(&first, CRM_EINPUT, "%s: no mapping rows for source object '%s'", map->path, obj->name);
		crm_diags_add(diags, &first);
	}
	if (!first.code) {
		/* the table as migrate will create it: its core columns and one more per custom target field */
		size_t columns = table ? table->count : 0;
		for (i = 0; i < prog->field_count; i++)
			columns += !table || !crm_schema_column(table, prog->fields[i].target_field);
		if (columns > CRM_MAX_TABLE_COLUMNS) {
			crm_error_set(&first, CRM_EINPUT,
				      "%s: '%s' would get %zu columns, more than the %u a target table can hold "
				      "(PostgreSQL's limit; SQLite's is 2000): map fewer custom fields into it",
				      map->path, obj->target, columns, CRM_MAX_TABLE_COLUMNS);
			crm_diags_add(diags, &first);
		}
	}
out:
	if (first.code) {
		crm_error_set(err, first.code, "%s", first.msg);
		crm_program_free(prog);
		return NULL;
	}
	return prog;
}

/* ---- running ---- */

int crm_program_result_init(struct crm_program_result *res, const struct crm_program *prog, struct crm_error *err)
{
	memset(res, 0, sizeof(*res));
	res->values = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*res->values));
	res->failure_cap = 8;
	res->failures = crm_calloc(res->failure_cap, sizeof(*res->failures));
	/* at most one per field: a field's checks stop at its first `unique` */
	res->deferred = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*res->deferred));
	res->blanked = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*res->blanked));
	res->owners = crm_calloc(prog->field_count ? prog->field_count : 1, sizeof(*res->owners));
	if (!res->values || !res->failures || !res->deferred || !res->blanked || !res->owners) {
		crm_program_result_release(res);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	return 0;
}

void crm_program_result_release(struct crm_program_result *res)
{
	crm_free(res->values);
	crm_free(res->failures);
	crm_free(res->deferred);
	crm_free(res->blanked);
	crm_free(res->owners);
	memset(res, 0, sizeof(*res));
}

int crm_program_masked(const struct crm_field_program *field, const char *ptr, size_t len, char *out, size_t cap)
{
	if (!field->pii && !field->protect)
		return 0;
	crm_text_masked(field->pii ? (field->row->pii == CRM_PII_SPI ? "SPI" : "PII") : "protected", ptr, len, out,
			cap);
	return 1;
}

const char *crm_program_show_value(const struct crm_field_program *field, const char *ptr, size_t len,
				   struct crm_arena *arena)
{
	char *out;

	if (len == 0)
		return "value";
	if (field->pii || field->protect) {
		out = crm_arena_alloc(arena, CRM_MASKED_MAX);
		if (out)
			crm_program_masked(field, ptr, len, out, CRM_MASKED_MAX);
		return out ? out : "<masked>";
	}
	out = crm_arena_alloc(arena, len + 3);
	if (!out)
		return "";
	out[0] = '\'';
	memcpy(out + 1, ptr, len);
	out[len + 1] = '\'';
	out[len + 2] = '\0';
	return out;
}

static int add_failure(struct crm_program_result *res, size_t field, const char *rule, const char *reason,
		       struct crm_error *err)
{
	if (res->failure_count == res->failure_cap) {
		size_t cap = res->failure_cap * 2;
		struct crm_failure *f = crm_realloc(res->failures, cap * sizeof(*f));
		if (!f)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		res->failures = f;
		res->failure_cap = cap;
	}
	res->failures[res->failure_count].field = field;
	res->failures[res->failure_count].rule = rule;
	res->failures[res->failure_count].reason = reason;
	res->failure_count++;
	return 0;
}

/*
 * Records a refused value: "'13/45/1990' does not match ..." with the value
 * masked for PII. A field whose policy is on_invalid(blank) is left empty
 * and the finding goes to res->blanked; otherwise the record fails.
 */
static int refuse(struct crm_program *prog, struct crm_program_result *res, size_t fi, const char *rule,
		  const char *value, size_t len, const char *reason, struct crm_arena *arena, struct crm_error *err)
{
	const char *shown = crm_program_show_value(&prog->fields[fi], value, len, arena);
	size_t n = strlen(shown) + strlen(reason) + 2;
	char *text = crm_arena_alloc(arena, n);

	if (!text)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	snprintf(text, n, "%s %s", shown, reason);
	if (prog->fields[fi].on_invalid == CRM_ON_INVALID_BLANK) {
		/* at most one finding a field: its steps and checks stop at the first */
		struct crm_failure *b = &res->blanked[res->blanked_count++];
		b->field = fi;
		b->rule = rule;
		b->reason = text;
		res->values[fi].ptr = "";
		res->values[fi].len = 0;
		return 0;
	}
	return add_failure(res, fi, rule, text, err);
}

int crm_program_protected_form(const struct crm_field_program *field, const char *ptr, size_t len)
{
	size_t i, stars = 0, chars = 0;

	if (!len)
		return 1; /* no value holds nothing */
	switch (field->protect) {
	case CRM_PROTECT_PSEUDONYMIZE:
		if (len != CRM_PSEUDONYM_LEN || memcmp(ptr, CRM_PSEUDONYM_PREFIX, sizeof(CRM_PSEUDONYM_PREFIX) - 1))
			return 0;
		for (i = sizeof(CRM_PSEUDONYM_PREFIX) - 1; i < len; i++)
			if (!((ptr[i] >= '0' && ptr[i] <= '9') || (ptr[i] >= 'a' && ptr[i] <= 'f')))
				return 0;
		return 1;
	case CRM_PROTECT_MASK:
		while (stars < len && ptr[stars] == '*')
			stars++;
		for (i = stars; i < len; i++)
			chars += ((unsigned char)ptr[i] & 0xC0) != 0x80;
		return stars > 0 && chars <= (size_t)field->mask_tail;
	case CRM_PROTECT_REDACT:
		return 0;
	default:
		return 1;
	}
}

const char *crm_owner_reason_name(enum crm_owner_reason reason)
{
	return reason == CRM_OWNER_MAPPED ? "mapped" : reason == CRM_OWNER_INACTIVE ? "inactive" : "unknown";
}

/*
 * Runs field fi's checks from the first-th on the value v: the first refusal
 * is recorded and ends them. With CRM_RUN_DEFER_UNIQUE, a `unique` is left
 * in res->deferred with the checks after it.
 */
static int run_checks(struct run_ctx *x, size_t fi, size_t first, const char *v, size_t len, struct crm_error *err)
{
	struct crm_field_program *f = &x->prog->fields[fi];
	size_t si;
	int rc;

	for (si = first; si < f->check_count; si++) {
		struct crm_check *k = &f->checks[si];
		if ((k->fn->flags & RULE_ACROSS_RECORDS) && (x->flags & CRM_RUN_DEFER_UNIQUE) &&
		    (x->flags & CRM_RUN_CHECK_UNIQUE)) {
			x->res->deferred[x->res->deferred_count].field = fi;
			x->res->deferred[x->res->deferred_count].check = si;
			x->res->deferred_count++;
			return 0;
		}
		/* on_invalid is a policy, not a check; the checks but `required` judge values, not their absence */
		if (!k->fn->run_check || (!len && !(k->fn->flags & RULE_ON_BLANK)))
			continue;
		rc = k->fn->run_check(k, x, v, len);
		if (rc < 0)
			return crm_error_set(err, CRM_ENOMEM, "out of memory");
		if (rc > 0)
			return refuse(x->prog, x->res, fi, k->text, v, len, x->reason, x->arena, err);
	}
	return 0;
}

static void source_id(const struct crm_program *prog, const struct crm_record *rec, const char **id, size_t *len)
{
	int known = prog->id_col >= 0 && (size_t)prog->id_col < rec->count;

	*id = known ? rec->fields[prog->id_col].ptr : "";
	*len = known ? rec->fields[prog->id_col].len : 0;
}

static void run_ctx_init(struct run_ctx *x, struct crm_program *prog, const struct crm_record *rec,
			 struct crm_program_result *res, struct crm_arena *arena, unsigned flags)
{
	x->prog = prog;
	x->rec = rec;
	x->res = res;
	x->field = 0;
	x->arena = arena;
	x->flags = flags;
	x->reason[0] = '\0';
	source_id(prog, rec, &x->source_id, &x->source_id_len);
}

/* Salesforce's key prefixes of the objects a polymorphic lookup (WhoId, WhatId) names. */
static const struct {
	char prefix[4];
	const char *object, *table;
} key_prefixes[] = {
	{"001", "Account", "account"},
	{"003", "Contact", "contact"},
	{"006", "Opportunity", "opportunity"},
	{"00Q", "Lead", "lead"},
};

#define ALT_NONE      ((size_t)-1) /* a Salesforce id of a known object the group does not name */
#define ALT_UNDECIDED ((size_t)-2) /* the key prefix cannot tell: the cross-references will */

/*
 * Which alternative of the group from first the id names, by its key
 * prefix (objects exported from Salesforce only): the one whose object has
 * the prefix's name, else its table.
 */
static size_t choose_alt(const struct crm_program *prog, size_t first, const char *v, size_t len)
{
	const struct crm_field_program *group = &prog->fields[first];
	char id18[CRM_SFID_LEN + 1];
	size_t k, a;

	if (strcmp(prog->object->format, "salesforce") != 0 || crm_sfid_normalize(v, len, id18, NULL, 0) != 0)
		return ALT_UNDECIDED;
	for (k = 0; k < sizeof(key_prefixes) / sizeof(key_prefixes[0]); k++)
		if (memcmp(id18, key_prefixes[k].prefix, 3) == 0)
			break;
	if (k == sizeof(key_prefixes) / sizeof(key_prefixes[0]))
		return ALT_UNDECIDED; /* a custom object's prefix, say: its own org's */
	for (a = 0; a < group->alt_count; a++)
		if (strcasecmp(group[a].ref_object, key_prefixes[k].object) == 0)
			return a;
	for (a = 0; a < group->alt_count; a++)
		if (strcmp(group[a].ref_table, key_prefixes[k].table) == 0)
			return a;
	return ALT_NONE;
}

/*
 * A polymorphic reference's value goes to one column of its group: the
 * one of the object its key prefix names. An id of a known object outside
 * the group stays in the first, where it is an orphan as any id of a parent
 * not loaded; an id the prefix cannot place stays in every column, for the
 * engine to settle by cross-reference (crm_program_alt_settle).
 */
static void fill_one_alt(struct crm_program *prog, struct crm_program_result *res, size_t first)
{
	const struct crm_field_program *group = &prog->fields[first];
	struct crm_value v = res->values[first];
	size_t a, pick;

	if (!v.ptr || !v.len)
		return;
	pick = choose_alt(prog, first, v.ptr, v.len);
	if (pick == ALT_UNDECIDED)
		return;
	if (pick == ALT_NONE)
		pick = 0;
	for (a = 0; a < group->alt_count; a++)
		if (a != pick) {
			res->values[first + a].ptr = "";
			res->values[first + a].len = 0;
		}
}

int crm_program_alt_undecided(const struct crm_program *prog, size_t first, const struct crm_value *values)
{
	const struct crm_field_program *group = &prog->fields[first];

	return group->alt_count > 1 && first == group->alt_first && values[first].len && values[first + 1].len;
}

size_t crm_program_alt_settle(const struct crm_program *prog, size_t first, const int *found, size_t *pick)
{
	size_t a, n = 0;

	*pick = 0;
	for (a = prog->fields[first].alt_count; a-- > 0;)
		if (found[a]) {
			n++;
			*pick = a;
		}
	return n;
}

int crm_program_run(struct crm_program *prog, const struct crm_record *rec, struct crm_program_result *res,
		    struct crm_arena *arena, unsigned flags, struct crm_error *err)
{
	struct run_ctx x;
	size_t fi, si;
	int rc;

	run_ctx_init(&x, prog, rec, res, arena, flags);
	res->failure_count = 0;
	res->blanked_count = 0;
	res->deferred_count = 0;
	res->owner_count = 0;
	for (fi = 0; fi < prog->field_count; fi++) {
		struct crm_field_program *f = &prog->fields[fi];
		const char *v = "";
		size_t len = 0;
		int refused = 0;

		if (f->alt_count && fi != f->alt_first) {
			/* another column of a polymorphic reference: the first's value, placed below */
			res->values[fi] = res->values[f->alt_first];
			continue;
		}
		if (f->source_col >= 0 && (size_t)f->source_col < rec->count) {
			v = rec->fields[f->source_col].ptr;
			len = rec->fields[f->source_col].len;
		}
		x.field = fi;
		for (si = 0; si < f->step_count; si++) {
			const struct crm_step *s = &f->steps[si];
			const char *before = v;
			size_t before_len = len;
			if (!len && !(s->fn->flags & RULE_ON_BLANK))
				continue; /* no value stays no value; `required` decides whether that is allowed */
			rc = s->fn->run_step(s, &x, &v, &len);
			if (rc < 0)
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			if (rc > 0) {
				if (refuse(prog, res, fi, s->text, before, before_len, x.reason, arena, err))
					return err->code;
				refused = 1;
				break;
			}
		}
		if (!refused) {
			res->values[fi].ptr = v;
			res->values[fi].len = len;
			if (run_checks(&x, fi, 0, v, len, err))
				return err->code;
		} else if (f->on_invalid != CRM_ON_INVALID_BLANK) {
			res->values[fi].ptr = v;
			res->values[fi].len = len;
		}
	}
	for (fi = 0; fi < prog->field_count; fi++)
		if (prog->fields[fi].alt_count && fi == prog->fields[fi].alt_first)
			fill_one_alt(prog, res, fi);
	return 0;
}

int crm_program_finish(struct crm_program *prog, const struct crm_record *rec, const struct crm_value *values,
		       const struct crm_deferred *deferred, size_t count, struct crm_program_result *res,
		       struct crm_arena *arena, struct crm_error *err)
{
	struct run_ctx x;
	size_t i;

	run_ctx_init(&x, prog, rec, res, arena, CRM_RUN_CHECK_UNIQUE);
	res->failure_count = 0;
	res->deferred_count = 0;
	for (i = 0; i < count; i++) {
		size_t fi = deferred[i].field;
		if (run_checks(&x, fi, deferred[i].check, values[fi].ptr, values[fi].len, err))
			return err->code;
	}
	return 0;
}
