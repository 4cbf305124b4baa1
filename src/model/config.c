/*
 * config.c: crmshift.ini through inih. inih reports the line of the first
 * line its handler refused; the handler keeps the reason, and the two are
 * joined into "crmshift.ini:LINE: reason".
 */
#include "compat.h"
#include "model/config.h"
#include "io/json.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/path.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char inline_comment_prefixes[] = ";#";

struct parse_state {
	struct crm_config *cfg;
	char reason[512];
	int oom;
	unsigned long line;	    /* counted by the reader below */
	unsigned long section_line; /* where the current section header is */
	FILE *file;
	char *last_section;
	/*
	 * What the file has set so far, so that nothing is silently set twice:
	 * "section\037key" and section names, each with its line.
	 */
	struct crm_strmap keys_seen, sections_seen;
	int key_in_section; /* a key was set since the last section header */
	int continuation;   /* the line read last is indented after a key: inih continues that key with it */
	int in_dedupe;	    /* the current section is a [dedupe "..."] */
};

/* Keys whose value is a list: an indented line after them adds items (inih's multi-line values). */
static int is_list_key(const char *section, const char *key)
{
	return (strcmp(section, "policy") == 0 && strcmp(key, "critical_fields") == 0) ||
	       (strcmp(section, "reconcile") == 0 && strcmp(key, "tolerance") == 0);
}

static int set_string(char **slot, const char *value, struct parse_state *st)
{
	char *copy = crm_strdup(value);

	if (!copy) {
		st->oom = 1;
		return 0;
	}
	crm_free(*slot);
	*slot = copy;
	return 1;
}

static int refuse(struct parse_state *st, const char *fmt, ...) CRM_PRINTF(2, 3);

static int refuse(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->reason[0]) {
		va_start(ap, fmt);
		vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* Parses `object "Name"`; returns the name (in buf) or NULL when the section is not an object. */
/* The quoted name of a section [kind "Name"] into buf; NULL when section is not of that kind. */
static const char *quoted_name(const char *kind, const char *section, char *buf, size_t cap)
{
	const char *p = section, *q;
	size_t len, kind_len = strlen(kind);

	if (strncmp(p, kind, kind_len) != 0 || (p[kind_len] != ' ' && p[kind_len] != '\t'))
		return NULL;
	p += kind_len;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '"')
		return NULL;
	q = strchr(p + 1, '"');
	if (!q || q[1] != '\0')
		return NULL;
	len = (size_t)(q - p - 1);
	if (len == 0 || len >= cap)
		return NULL;
	memcpy(buf, p + 1, len);
	buf[len] = '\0';
	return buf;
}

static const char *object_name(const char *section, char *buf, size_t cap)
{
	return quoted_name("object", section, buf, cap);
}

static const char *dedupe_name(const char *section, char *buf, size_t cap)
{
	return quoted_name("dedupe", section, buf, cap);
}

static const char *const survivor_names[] = {"first", "most_recent", "most_complete"};

const char *crm_survivor_name(enum crm_survivor survivor)
{
	return survivor_names[survivor];
}

static struct crm_dedupe_config *add_dedupe(struct parse_state *st, const char *name)
{
	struct crm_config *cfg = st->cfg;
	struct crm_dedupe_config *d;
	size_t i;

	for (i = 0; i < cfg->dedupe_count; i++)
		if (strcmp(cfg->dedupes[i].object, name) == 0)
			return &cfg->dedupes[i];
	if (cfg->dedupe_count >= CRM_MAX_OBJECTS) {
		refuse(st, "more than %u [dedupe] sections", CRM_MAX_OBJECTS);
		return NULL;
	}
	d = crm_realloc(cfg->dedupes, (cfg->dedupe_count + 1) * sizeof(*d));
	if (!d) {
		st->oom = 1;
		return NULL;
	}
	cfg->dedupes = d;
	d = &cfg->dedupes[cfg->dedupe_count];
	memset(d, 0, sizeof(*d));
	d->line = st->section_line;
	if (!(d->object = crm_strdup(name))) {
		st->oom = 1;
		return NULL;
	}
	cfg->dedupe_count++;
	return d;
}

/* The text from p to end, white space trimmed, as a new string; NULL (st->oom) on OOM. */
static char *trimmed_copy(struct parse_state *st, const char *p, const char *end)
{
	char *s;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!(s = crm_strndup(p, (size_t)(end - p))))
		st->oom = 1;
	return s;
}

/* match = email; phone; first_name+last_name+account_id */
static int parse_match(struct parse_state *st, struct crm_dedupe_config *d, const char *value)
{
	const char *p = value;

	if (d->rule_count)
		return refuse(st, "match is set twice in [dedupe \"%s\"]", d->object);
	for (;;) {
		const char *end = strchr(p, ';'), *q;
		struct crm_match_rule *r;
		if (!end)
			end = p + strlen(p);
		r = crm_realloc(d->rules, (d->rule_count + 1) * sizeof(*r));
		if (!r) {
			st->oom = 1;
			return 0;
		}
		d->rules = r;
		r = &d->rules[d->rule_count++];
		memset(r, 0, sizeof(*r));
		if (!(r->text = trimmed_copy(st, p, end)))
			return 0;
		if (!r->text[0])
			return refuse(st, "match '%s': rule %zu is empty (rules are joined by ';', fields by '+')",
				      value, d->rule_count);
		for (q = r->text;;) {
			const char *plus = strchr(q, '+');
			char **fields;
			if (!plus)
				plus = q + strlen(q);
			fields = crm_realloc(r->fields, (r->count + 1) * sizeof(*fields));
			if (!fields) {
				st->oom = 1;
				return 0;
			}
			r->fields = fields;
			if (!(r->fields[r->count] = trimmed_copy(st, q, plus)))
				return 0;
			if (!r->fields[r->count++][0])
				return refuse(st, "match rule '%s' has an empty field (fields are joined by '+')",
					      r->text);
			if (!*plus)
				break;
			q = plus + 1;
		}
		if (!*end)
			return 1;
		p = end + 1;
	}
}

static int dedupe_key(struct parse_state *st, struct crm_dedupe_config *d, const char *key, const char *value)
{
	size_t i;

	if (strcmp(key, "match") == 0)
		return parse_match(st, d, value);
	if (strcmp(key, "survivor") == 0) {
		for (i = 0; i < sizeof(survivor_names) / sizeof(survivor_names[0]); i++)
			if (strcmp(value, survivor_names[i]) == 0) {
				d->survivor = (enum crm_survivor)i;
				return 1;
			}
		return refuse(st, "survivor '%s' is not most_recent, most_complete or first", value);
	}
	if (strcmp(key, "fill") == 0) {
		if (strcmp(value, "yes") && strcmp(value, "no"))
			return refuse(st, "fill '%s' is not yes or no", value);
		d->fill = strcmp(value, "yes") == 0;
		return 1;
	}
	return refuse(st, "unknown key '%s' in [dedupe \"%s\"] (match, survivor, fill)", key, d->object);
}

static struct crm_object_config *add_object(struct parse_state *st, const char *name)
{
	struct crm_config *cfg = st->cfg;
	struct crm_object_config *objects, *obj;
	size_t i;

	for (i = 0; i < cfg->object_count; i++)
		if (strcmp(cfg->objects[i].name, name) == 0)
			return &cfg->objects[i];
	if (cfg->object_count >= CRM_MAX_OBJECTS) {
		refuse(st, "more than %u objects", CRM_MAX_OBJECTS);
		return NULL;
	}
	objects = crm_realloc(cfg->objects, (cfg->object_count + 1) * sizeof(*objects));
	if (!objects) {
		st->oom = 1;
		return NULL;
	}
	cfg->objects = objects;
	obj = &objects[cfg->object_count];
	memset(obj, 0, sizeof(*obj));
	obj->delimiter = ',';
	obj->line = st->section_line;
	obj->name = crm_strdup(name);
	if (!obj->name) {
		st->oom = 1;
		return NULL;
	}
	cfg->object_count++;
	return obj;
}

/* Each format of CRM_CONFIG_FORMATS and the reader its files need. */
static const struct {
	const char *name;
	enum crm_reader_kind kind;
} formats[] = {
	{"csv", CRM_READER_CSV},	  {"salesforce", CRM_READER_CSV},	{"sfdx", CRM_READER_SFDX_TREE},
	{"jsonl", CRM_READER_JSON_LINES}, {"pipedrive", CRM_READER_JSON_LINES}, {"sqlite", CRM_READER_SQLITE},
};

/* The formats entry named name, or -1. */
static long format_index(const char *name)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(formats); i++)
		if (strcmp(name, formats[i].name) == 0)
			return (long)i;
	return -1;
}

enum crm_reader_kind crm_config_reader_kind(const struct crm_object_config *obj)
{
	long i = format_index(obj->format);

	return i >= 0 ? formats[i].kind : CRM_READER_CSV;
}

int crm_config_is_sfdx(const struct crm_object_config *obj)
{
	return strcmp(obj->format, "sfdx") == 0;
}

static int object_key(struct parse_state *st, struct crm_object_config *obj, const char *key, const char *value)
{
	if (strcmp(key, "file") == 0)
		return set_string(&obj->file, value, st);
	if (strcmp(key, "id") == 0)
		return set_string(&obj->id, value, st);
	if (strcmp(key, "target") == 0)
		return set_string(&obj->target, value, st);
	if (strcmp(key, "modified") == 0)
		return set_string(&obj->modified, value, st);
	if (strcmp(key, "deleted") == 0)
		return set_string(&obj->deleted, value, st);
	if (strcmp(key, "delete_missing") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return refuse(st, "delete_missing '%s' is not yes or no", value);
		obj->delete_missing = strcmp(value, "yes") == 0;
		return 1;
	}
	if (strcmp(key, "encoding") == 0)
		return set_string(&obj->encoding, value, st);
	if (strcmp(key, "format") == 0)
		return format_index(value) >= 0 ? set_string(&obj->format, value, st)
						: refuse(st, "format '%s' is not one of %s", value, CRM_CONFIG_FORMATS);
	if (strcmp(key, "stream") == 0)
		return set_string(&obj->stream, value, st);
	if (strcmp(key, "each") == 0)
		return set_string(&obj->each, value, st);
	if (strcmp(key, "table") == 0)
		return set_string(&obj->table, value, st);
	if (strcmp(key, "residency") == 0)
		return set_string(&obj->residency, value, st);
	if (strcmp(key, "delimiter") == 0) {
		if (strcmp(value, "tab") == 0 || strcmp(value, "\\t") == 0)
			obj->delimiter = '\t';
		else if (strlen(value) == 1 && value[0] != '"' && value[0] != '\n' && value[0] != '\r')
			obj->delimiter = value[0];
		else
			return refuse(st, "delimiter '%s' is not one character (or 'tab')", value);
		return 1;
	}
	if (strcmp(key, "on_invalid") == 0) {
		if (strcmp(value, "blank") != 0 && strcmp(value, "reject") != 0)
			return refuse(st, "on_invalid '%s' is not 'blank' or 'reject'", value);
		obj->blank_invalid = strcmp(value, "blank") == 0;
		return 1;
	}
	if (strcmp(key, "short_rows") == 0) {
		if (strcmp(value, "pad") != 0 && strcmp(value, "reject") != 0)
			return refuse(st, "short_rows '%s' is not 'pad' or 'reject'", value);
		obj->pad_short_rows = strcmp(value, "pad") == 0;
		return 1;
	}
	return refuse(st, "unknown key '%s' in [object \"%s\"]", key, obj->name);
}

/* "5%", "0.5 %" or "5": a percentage from 0 to 100 */
static int parse_percent(const char *value, double *out)
{
	char *end;
	double v = strtod(value, &end);

	while (*end == ' ')
		end++;
	if (*end == '%')
		end++;
	if (end == value || *end || !(v >= 0) || v > 100)
		return -1;
	*out = v;
	return 0;
}

/* A whole count from 0 to CRM_COUNT_MAX; 0, or -1. */
static int parse_count(const char *value, double *out)
{
	char *end;
	double v = strtod(value, &end);

	/* bounded before the cast: a double beyond long's range converted to long is undefined */
	if (end == value || *end || !(v >= 0 && v <= CRM_COUNT_MAX) || v != (double)(long)v)
		return -1;
	*out = v;
	return 0;
}

/* Splits a comma-separated list, trimming each item; calls fn for each; 0 when fn refused one. */
static int each_item(struct parse_state *st, const char *value, int (*fn)(struct parse_state *, const char *))
{
	char item[256];
	const char *p = value;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len >= sizeof(item))
			return refuse(st, "list item '%.40s...' is too long", p);
		memcpy(item, p, len);
		item[len] = '\0';
		if (len && !fn(st, item))
			return 0;
		if (!end)
			break;
		p = end + 1;
	}
	return 1;
}

static int add_critical(struct parse_state *st, const char *item)
{
	struct crm_policy *pol = &st->cfg->policy;
	char **fields;

	if (!strchr(item, '.'))
		return refuse(st, "critical field '%s' is not written table.column", item);
	fields = crm_realloc(pol->critical_fields, (pol->critical_count + 1) * sizeof(*fields));
	if (!fields || !(fields[pol->critical_count] = crm_strdup(item))) {
		if (fields)
			pol->critical_fields = fields;
		st->oom = 1;
		return 0;
	}
	pol->critical_fields = fields;
	pol->critical_count++;
	return 1;
}

/* lost_links.Object.field = percent: checked against the mapping when the project opens */
static int add_link_threshold(struct parse_state *st, const char *reference, const char *value)
{
	struct crm_policy *pol = &st->cfg->policy;
	struct crm_link_threshold *list;
	double percent;

	if (!strchr(reference, '.') || reference[0] == '.' || reference[strlen(reference) - 1] == '.')
		return refuse(st, "'lost_links.%s' does not name a reference as lost_links.Object.field", reference);
	if (parse_percent(value, &percent))
		return refuse(st, "lost_links.%s '%s' is not a percentage from 0 to 100", reference, value);
	list = crm_realloc(pol->link_thresholds, (pol->link_threshold_count + 1) * sizeof(*list));
	if (!list) {
		st->oom = 1;
		return 0;
	}
	pol->link_thresholds = list;
	list[pol->link_threshold_count].reference = crm_strdup(reference);
	if (!list[pol->link_threshold_count].reference) {
		st->oom = 1;
		return 0;
	}
	list[pol->link_threshold_count].percent = percent;
	list[pol->link_threshold_count].line = st->line;
	pol->link_threshold_count++;
	return 1;
}

double crm_policy_lost_links(const struct crm_policy *pol, const char *object, const char *field)
{
	size_t i, olen = strlen(object);

	for (i = 0; i < pol->link_threshold_count; i++) {
		const char *ref = pol->link_thresholds[i].reference;
		if (strncmp(ref, object, olen) == 0 && ref[olen] == '.' && strcmp(ref + olen + 1, field) == 0)
			return pol->link_thresholds[i].percent;
	}
	return pol->lost_links;
}

static int policy_key(struct parse_state *st, const char *key, const char *value)
{
	struct crm_policy *pol = &st->cfg->policy;
	double *slot = NULL;
	size_t i;

	if (strncmp(key, "lost_links.", 11) == 0)
		return add_link_threshold(st, key + 11, value);

	if (strcmp(key, "critical_fields") == 0) {
		/* the list replaces the defaults; an indented line after it goes on with it */
		if (!st->continuation) {
			for (i = 0; i < pol->critical_count; i++)
				crm_free(pol->critical_fields[i]);
			pol->critical_count = 0;
		}
		return each_item(st, value, add_critical);
	}
	if (strcmp(key, "conflicts") == 0) {
		if (strcmp(value, "report") != 0 && strcmp(value, "source-wins") != 0)
			return refuse(st, "conflicts '%s' is not 'report' or 'source-wins'", value);
		pol->conflicts_source_wins = strcmp(value, "source-wins") == 0;
		return 1;
	}
	if (strcmp(key, "hand_reconciliation") == 0) {
		if (parse_count(value, &pol->hand_reconciliation))
			return refuse(st, "hand_reconciliation '%s' is not a count of rows", value);
		return 1;
	}
	if (strcmp(key, "decision_window") == 0) {
		if (crm_config_duration(value, &pol->decision_window))
			return refuse(st, "decision_window '%s' is not a duration (4h, 90m, 1h30m, 3600s)", value);
		return 1;
	}
	if (strcmp(key, "failed_imports") == 0)
		slot = &pol->failed_imports;
	else if (strcmp(key, "lost_contact_links") == 0)
		slot = &pol->lost_contact_links;
	else if (strcmp(key, "lost_links") == 0)
		slot = &pol->lost_links;
	else if (strcmp(key, "critical_blank") == 0)
		slot = &pol->critical_blank;
	else if (strcmp(key, "record_mismatches") == 0)
		slot = &pol->record_mismatches;
	else if (strcmp(key, "consent_mismatches") == 0) {
		if (parse_count(value, &pol->consent_mismatches))
			return refuse(st, "consent_mismatches '%s' is not a count (0 means any mismatch fires)", value);
		return 1;
	} else
		return refuse(st, "unknown key '%s' in [policy]", key);
	if (parse_percent(value, slot))
		return refuse(st, "%s '%s' is not a percentage from 0 to 100", key, value);
	return 1;
}

static int add_tolerance(struct parse_state *st, const char *item)
{
	struct crm_config *cfg = st->cfg;
	const char *colon = strchr(item, ':'), *dot = strchr(item, '.');
	struct crm_tolerance *tol, *list;

	if (!colon || !dot || dot > colon)
		return refuse(st, "tolerance '%s' is not written table.column:0.01 or table.column:case", item);
	list = crm_realloc(cfg->tolerances, (cfg->tolerance_count + 1) * sizeof(*list));
	if (!list) {
		st->oom = 1;
		return 0;
	}
	cfg->tolerances = list;
	tol = &list[cfg->tolerance_count];
	memset(tol, 0, sizeof(*tol));
	if (strcmp(colon + 1, "case") == 0) {
		tol->kind = CRM_TOL_CASE;
	} else {
		char *end;
		tol->kind = CRM_TOL_NUMBER;
		tol->delta = strtod(colon + 1, &end);
		if (end == colon + 1 || *end || tol->delta < 0)
			return refuse(st, "tolerance '%s': '%s' is neither a number nor 'case'", item, colon + 1);
	}
	tol->table = crm_strndup(item, (size_t)(dot - item));
	tol->column = crm_strndup(dot + 1, (size_t)(colon - dot - 1));
	cfg->tolerance_count++;
	if (!tol->table || !tol->column) {
		st->oom = 1;
		return 0;
	}
	return 1;
}

static int reconcile_key(struct parse_state *st, const char *key, const char *value)
{
	if (strcmp(key, "tolerance") == 0)
		return each_item(st, value, add_tolerance);
	if (strcmp(key, "exceptions") == 0)
		return set_string(&st->cfg->exceptions, value, st);
	return refuse(st, "unknown key '%s' in [reconcile]", key);
}

const char *crm_gate_key(enum crm_gate gate)
{
	static const char *const keys[CRM_GATE_COUNT] = {"dpa", "dpia", "records_of_processing"};

	return keys[gate];
}

/* A date written YYYY-MM-DD that exists in the calendar. */
static int is_iso_date(const char *text)
{
	int y, m, d, n = 0;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

/* dpa = DPA-2026-014, 2026-10-01: the reference, then the date it was signed, after the last comma */
static int gate_key(struct parse_state *st, const char *key, const char *value)
{
	struct crm_gates *g = &st->cfg->gates;
	const char *comma = strrchr(value, ',');
	const char *date;
	size_t len;
	int i;

	if (strcmp(key, "required") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return refuse(st, "[gates] required '%s' is not yes or no", value);
		g->required = strcmp(value, "yes") == 0;
		return 1;
	}
	for (i = 0; i < CRM_GATE_COUNT && strcmp(key, crm_gate_key((enum crm_gate)i)) != 0; i++)
		;
	if (i == CRM_GATE_COUNT)
		return refuse(st, "unknown key '%s' in [gates] (dpa, dpia, records_of_processing, required)", key);
	date = comma ? comma + 1 : "";
	while (*date == ' ')
		date++;
	len = comma ? (size_t)(comma - value) : 0;
	while (len && value[len - 1] == ' ')
		len--;
	if (!len || !is_iso_date(date))
		return refuse(
			st, "[gates] %s '%s' is not 'REFERENCE, YYYY-MM-DD' (the document and the date it was signed)",
			key, value);
	crm_free(g->reference[i]);
	g->reference[i] = crm_malloc(len + 1);
	if (!g->reference[i])
		return refuse(st, "out of memory");
	memcpy(g->reference[i], value, len);
	g->reference[i][len] = '\0';
	memcpy(g->date[i], date, 11);
	return 1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	struct crm_config *cfg = st->cfg;
	char name[CRM_MAX_IDENT_LEN + 1];

	if (key) {
		char seen[CRM_MAX_IDENT_LEN * 2 + 2];
		st->key_in_section = 1;
		const struct crm_strmap_entry *first;
		int n = snprintf(seen, sizeof(seen), "%s\037%s", section, key);
		if (n < 0 || (size_t)n >= sizeof(seen))
			return refuse(st, "the key '%.40s...' in [%.40s...] is too long", key, section);
		if (st->continuation && !is_list_key(section, key))
			return refuse(st,
				      "'%s' in [%s] takes one value: this indented line would replace it "
				      "(only critical_fields and tolerance go on over several lines)",
				      key, section);
		if (!st->continuation) {
			int added =
				crm_strmap_put(&st->keys_seen, seen, (size_t)n, (int64_t)st->line, NULL, &first, NULL);
			if (added < 0) {
				st->oom = 1;
				return 0;
			}
			if (!added)
				return refuse(st, "'%s' is set twice in [%s] (first on line %lld): keep one", key,
					      section, (long long)first->num);
		}
	}
	if (!key) {
		/* a section header with no keys yet */
		if (strcmp(section, "migration") && strcmp(section, "source") && strcmp(section, "target") &&
		    strcmp(section, "policy") && strcmp(section, "reconcile") && strcmp(section, "gates") &&
		    strcmp(section, "security") && strcmp(section, "people") &&
		    !object_name(section, name, sizeof(name)) && !dedupe_name(section, name, sizeof(name)))
			return refuse(st, "unknown section [%s]", section);
		if (object_name(section, name, sizeof(name)))
			return add_object(st, name) != NULL;
		if (dedupe_name(section, name, sizeof(name)))
			return add_dedupe(st, name) != NULL;
		return 1;
	}
	if (strcmp(section, "migration") == 0) {
		if (strcmp(key, "name") == 0)
			return set_string(&cfg->name, value, st);
		if (strcmp(key, "source_system") == 0)
			return set_string(&cfg->source_system, value, st);
		return refuse(st, "unknown key '%s' in [%s]", key, section);
	}
	if (strcmp(section, "source") == 0) {
		if (strcmp(key, "format") == 0)
			return set_string(&cfg->source_format, value, st);
		if (strcmp(key, "path") == 0)
			return set_string(&cfg->source_path, value, st);
		if (strcmp(key, "plan") == 0)
			return set_string(&cfg->source_plan, value, st);
		if (strcmp(key, "encoding") == 0)
			return set_string(&cfg->source_encoding, value, st);
		if (strcmp(key, "timezone") == 0)
			return set_string(&cfg->source_timezone, value, st);
		return refuse(st, "unknown key '%s' in [%s]", key, section);
	}
	if (strcmp(section, "target") == 0) {
		if (strcmp(key, "url") == 0)
			return set_string(&cfg->target_url, value, st);
		if (strcmp(key, "batch_size") == 0) {
			char *end;
			unsigned long n;
			errno = 0;
			n = strtoul(value, &end, 10);
			if (errno || *end || end == value || n == 0 || n > 1000000)
				return refuse(st, "batch_size '%s' is not a number from 1 to 1000000", value);
			cfg->batch_size = (unsigned)n;
			return 1;
		}
		return refuse(st, "unknown key '%s' in [%s]", key, section);
	}
	if (object_name(section, name, sizeof(name))) {
		struct crm_object_config *obj = add_object(st, name);
		return obj ? object_key(st, obj, key, value) : 0;
	}
	if (dedupe_name(section, name, sizeof(name))) {
		struct crm_dedupe_config *d = add_dedupe(st, name);
		return d ? dedupe_key(st, d, key, value) : 0;
	}
	if (strcmp(section, "policy") == 0)
		return policy_key(st, key, value);
	if (strcmp(section, "reconcile") == 0)
		return reconcile_key(st, key, value);
	if (strcmp(section, "gates") == 0)
		return gate_key(st, key, value);
	if (strcmp(section, "people") == 0) {
		enum crm_person person;
		for (person = 0; person < CRM_PERSON_COUNT; person++)
			if (strcmp(key, crm_person_key(person)) == 0)
				return set_string(&cfg->people[person], value, st);
		return refuse(st,
			      "unknown key '%s' in [people] (rollback_primary, rollback_backup, technical_triggers, "
			      "data_triggers)",
			      key);
	}
	if (strcmp(section, "security") == 0) {
		if (strcmp(key, "region") == 0)
			return set_string(&cfg->region, value, st);
		if (strcmp(key, "signing_key") == 0)
			return set_string(&cfg->signing_key, value, st);
		if (strcmp(key, "pseudonymize_key") == 0)
			return set_string(&cfg->pseudonymize_key, value, st);
		if (strcmp(key, "key_file") == 0) {
			cfg->key_file_line = st->line;
			return set_string(&cfg->key_file, value, st);
		}
		return refuse(st, "unknown key '%s' in [security]", key);
	}
	if (!section[0])
		return refuse(st, "key '%s' outside any section", key);
	return refuse(st, "unknown section [%s]", section);
}

/* inih's stream reader, so that the line being parsed is known to the handler */
/*
 * A line the parser must see as an error, whose reason st holds already:
 * "[" (a section never closed) is one inih reports at its line.
 */
static char *refused_line(char *str)
{
	memcpy(str, "[\n", 3);
	return str;
}

static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *line = fgets(str, num, st->file);
	size_t skip;

	if (!line)
		return NULL;
	st->line++;
	if (!strchr(line, '\n') && !feof(st->file)) {
		/* longer than inih's line buffer: the rest would be read as a line of its own */
		int c;
		while ((c = fgetc(st->file)) != EOF && c != '\n')
			;
		refuse(st,
		       "the line is longer than %d characters, the most crmshift.ini's parser reads: shorten it "
		       "(critical_fields and tolerance can go on over indented lines)",
		       num - 2);
		return refused_line(str);
	}
	skip = strspn(line, " \t");
	st->continuation = st->key_in_section && skip > 0 && line[skip] != '\n' && line[skip] != '\r' &&
			   line[skip] != '\0' && line[skip] != ';' && line[skip] != '#';
	if (line[skip] == '[') {
		st->key_in_section = 0;
		st->in_dedupe = strncmp(line + skip + 1, "dedupe", 6) == 0;
		const char *end = strchr(line + skip, ']');
		const struct crm_strmap_entry *first;
		int added;
		st->section_line = st->line;
		if (end) {
			added = crm_strmap_put(&st->sections_seen, line + skip + 1, (size_t)(end - line - skip - 1),
					       (int64_t)st->line, NULL, &first, NULL);
			if (added < 0) {
				st->oom = 1;
				return NULL;
			}
			if (!added) {
				refuse(st, "section [%.*s] appears twice (first on line %lld): put its keys in one",
				       (int)(end - line - skip - 1), line + skip + 1, (long long)first->num);
				return refused_line(str);
			}
		}
	}
	if (st->in_dedupe && strncmp(line + skip, "match", 5) == 0) {
		/* "a ; b" would end the rules at a comment: the rest would be lost without a word */
		const char *c = strpbrk(line + skip, ";#");
		for (; c; c = strpbrk(c + 1, ";#"))
			if (c[-1] == ' ' || c[-1] == '\t') {
				refuse(st,
				       "match: ' %c' starts a comment here, and the rules after it would be lost: "
				       "write them as 'email; phone' (no space before ';')",
				       *c);
				return refused_line(str);
			}
	}
	return line;
}

void crm_config_release(struct crm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->object_count; i++) {
		struct crm_object_config *obj = &cfg->objects[i];
		crm_free(obj->name);
		crm_free(obj->file);
		crm_free(obj->residency);
		crm_free(obj->format);
		crm_free(obj->stream);
		crm_free(obj->each);
		crm_free(obj->table);
		crm_free(obj->id);
		crm_free(obj->target);
		crm_free(obj->modified);
		crm_free(obj->deleted);
		crm_free(obj->encoding);
	}
	crm_free(cfg->objects);
	for (i = 0; i < cfg->policy.critical_count; i++)
		crm_free(cfg->policy.critical_fields[i]);
	crm_free(cfg->policy.critical_fields);
	for (i = 0; i < cfg->policy.link_threshold_count; i++)
		crm_free(cfg->policy.link_thresholds[i].reference);
	crm_free(cfg->policy.link_thresholds);
	for (i = 0; i < cfg->dedupe_count; i++) {
		size_t r, f;
		for (r = 0; r < cfg->dedupes[i].rule_count; r++) {
			for (f = 0; f < cfg->dedupes[i].rules[r].count; f++)
				crm_free(cfg->dedupes[i].rules[r].fields[f]);
			crm_free(cfg->dedupes[i].rules[r].fields);
			crm_free(cfg->dedupes[i].rules[r].text);
		}
		crm_free(cfg->dedupes[i].rules);
		crm_free(cfg->dedupes[i].object);
	}
	crm_free(cfg->dedupes);
	for (i = 0; i < cfg->tolerance_count; i++) {
		crm_free(cfg->tolerances[i].table);
		crm_free(cfg->tolerances[i].column);
	}
	crm_free(cfg->tolerances);
	crm_free(cfg->exceptions);
	for (i = 0; i < CRM_PERSON_COUNT; i++)
		crm_free(cfg->people[i]);
	crm_free(cfg->region);
	crm_free(cfg->signing_key);
	crm_free(cfg->pseudonymize_key);
	crm_free(cfg->key_file);
	for (i = 0; i < CRM_GATE_COUNT; i++)
		crm_free(cfg->gates.reference[i]);
	crm_free(cfg->dir);
	crm_free(cfg->path);
	crm_free(cfg->name);
	crm_free(cfg->source_system);
	crm_free(cfg->source_format);
	crm_free(cfg->source_path);
	crm_free(cfg->source_plan);
	crm_free(cfg->source_encoding);
	crm_free(cfg->source_timezone);
	crm_free(cfg->target_url);
	memset(cfg, 0, sizeof(*cfg));
}

char *crm_config_path(const struct crm_config *cfg, const char *rel)
{
	size_t dlen, rlen;
	char *path;

	if (rel[0] == '/')
		return crm_strdup(rel);
	dlen = strlen(cfg->dir);
	rlen = strlen(rel);
	path = crm_malloc(dlen + rlen + 2);
	if (!path)
		return NULL;
	memcpy(path, cfg->dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, rel, rlen + 1);
	return path;
}

const char *crm_config_encoding(const struct crm_config *cfg, const struct crm_object_config *obj)
{
	if (obj && obj->encoding)
		return obj->encoding;
	return cfg->source_encoding ? cfg->source_encoding : "utf-8";
}

/* A file in [source] path: a new string, or NULL on OOM. */
static char *source_file_path(const struct crm_config *cfg, const char *file)
{
	char *folder, *path;
	size_t flen, len;

	if (file[0] == '/')
		return crm_strdup(file);
	folder = crm_config_path(cfg, cfg->source_path);
	if (!folder)
		return NULL;
	flen = strlen(folder);
	len = strlen(file);
	path = crm_malloc(flen + len + 2);
	if (path) {
		memcpy(path, folder, flen);
		path[flen] = '/';
		memcpy(path + flen + 1, file, len + 1);
	}
	crm_free(folder);
	return path;
}

char *crm_config_export_path(const struct crm_config *cfg, const struct crm_object_config *obj)
{
	/* a table of the database [source] path names, unless the object names a database file of its own */
	if (crm_config_reader_kind(obj) == CRM_READER_SQLITE && !obj->file)
		return crm_config_path(cfg, cfg->source_path);
	return source_file_path(cfg, obj->file);
}

const struct crm_dedupe_config *crm_config_dedupe(const struct crm_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->dedupe_count; i++)
		if (strcmp(cfg->dedupes[i].object, name) == 0)
			return &cfg->dedupes[i];
	return NULL;
}

const struct crm_object_config *crm_config_object(const struct crm_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->object_count; i++)
		if (strcmp(cfg->objects[i].name, name) == 0)
			return &cfg->objects[i];
	return NULL;
}

/* An object's format, and what its format implies: pipedrive's stream, sfdx's id. */
static int object_defaults(struct crm_config *cfg, struct crm_object_config *obj, struct crm_error *err)
{
	if (!obj->format && !(obj->format = crm_strdup(cfg->source_format)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (obj->stream && crm_config_reader_kind(obj) != CRM_READER_JSON_LINES)
		return crm_error_set(err, CRM_EINPUT, "%s:%lu: [object \"%s\"] stream is for JSON lines, not %s",
				     cfg->path, obj->line, obj->name, obj->format);
	if (strcmp(obj->format, "pipedrive") == 0 && !obj->stream && !(obj->stream = crm_strdup(obj->name)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (obj->table && crm_config_reader_kind(obj) != CRM_READER_SQLITE)
		return crm_error_set(err, CRM_EINPUT, "%s:%lu: [object \"%s\"] table is for a SQLite source, not %s",
				     cfg->path, obj->line, obj->name, obj->format);
	if (crm_config_reader_kind(obj) == CRM_READER_SQLITE && !obj->table && !(obj->table = crm_strdup(obj->name)))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	/* DESIGN.md: in a data tree, each record's referenceId is its id */
	if (crm_config_is_sfdx(obj) && !obj->id && !(obj->id = crm_strdup("attributes.referenceId")))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return 0;
}

struct plan_reading {
	struct crm_config *cfg;
	const char *path;
	int step_refused; /* the error is the step's own, already worded */
};

static int plan_step(void *ctx, const char *sobject, const char *const *files, size_t file_count, struct crm_error *err)
{
	struct plan_reading *pr = ctx;
	struct crm_object_config *obj = (struct crm_object_config *)crm_config_object(pr->cfg, sobject);

	pr->step_refused = 1;
	if (!obj)
		return crm_error_set(err, CRM_EINPUT,
				     "%s: [source] plan %s loads %s (%s), which has no [object \"%s\"] section: add "
				     "one with its target",
				     pr->cfg->path, pr->cfg->source_plan, sobject, files[0], sobject);
	if (obj->file)
		return pr->step_refused = 0;
	if (file_count > 1)
		return crm_error_set(err, CRM_EINPUT,
				     "%s: the plan gives %s %zu files; this version reads one file per object: set "
				     "[object \"%s\"] file, one object per file",
				     pr->path, sobject, file_count, sobject);
	if (!(obj->file = crm_strdup(files[0])))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	return pr->step_refused = 0;
}

/*
 * [source] plan: the sfdx plan file. It gives each object its file unless
 * [object] file says otherwise; an sObject the plan loads must have its
 * [object] section, so that no file the plan names is left behind
 * unnoticed.
 */
static int read_plan(struct crm_config *cfg, struct crm_error *err)
{
	struct crm_error plan_err = CRM_ERROR_INIT;
	struct plan_reading pr = {cfg, NULL, 0};
	char *path = source_file_path(cfg, cfg->source_plan);

	if (!path)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	pr.path = path;
	if (crm_json_plan(path, plan_step, &pr, &plan_err) && pr.step_refused)
		crm_error_set(err, plan_err.code, "%s", plan_err.msg);
	else if (plan_err.code)
		crm_error_set(err, plan_err.code, "%s: [source] plan: %s", cfg->path, plan_err.msg);
	crm_free(path);
	return err->code;
}

/*
 * A relative path crmshift.ini gives stays inside the project folder: a
 * "../" that climbs out is refused, so a project copied or handed over
 * reads only its own files. An absolute path is the user's explicit choice.
 */
static int check_inside(const struct crm_config *cfg, const char *what, const char *path, struct crm_error *err)
{
	if (!path || !crm_path_escapes(path))
		return 0;
	return crm_error_set(err, CRM_EINPUT,
			     "%s: %s '%s' is outside the project folder: write its absolute path if that is meant",
			     cfg->path, what, path);
}

static int check_config(struct crm_config *cfg, struct crm_error *err)
{
	size_t i;

	if (!cfg->source_system || !cfg->source_system[0])
		return crm_error_set(err, CRM_EINPUT,
				     "%s: [migration] source_system is required (it is stored in every target row)",
				     cfg->path);
	if (!cfg->source_format && !(cfg->source_format = crm_strdup("csv")))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (format_index(cfg->source_format) < 0)
		return crm_error_set(err, CRM_EINPUT,
				     "%s: [source] format '%s' is not supported by this version (supported: %s)",
				     cfg->path, cfg->source_format, CRM_CONFIG_FORMATS);
	if (!cfg->source_path && !(cfg->source_path = crm_strdup("exports")))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < cfg->object_count; i++)
		if (object_defaults(cfg, &cfg->objects[i], err))
			return err->code;
	for (i = 0; i < cfg->dedupe_count; i++) {
		const struct crm_dedupe_config *d = &cfg->dedupes[i];
		const struct crm_object_config *obj = crm_config_object(cfg, d->object);
		if (!obj)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: [dedupe \"%s\"]: there is no [object \"%s\"]",
					     cfg->path, d->line, d->object, d->object);
		if (!d->rule_count)
			return crm_error_set(err, CRM_EINPUT,
					     "%s:%lu: [dedupe \"%s\"] has no match (as 'match = email; "
					     "first_name+last_name+account_id')",
					     cfg->path, d->line, d->object);
		if (d->survivor == CRM_SURVIVOR_MOST_RECENT && (!obj->modified || !obj->modified[0]))
			return crm_error_set(err, CRM_EINPUT,
					     "%s:%lu: [dedupe \"%s\"] survivor = most_recent needs [object \"%s\"] "
					     "modified: the column that says when a record last changed",
					     cfg->path, d->line, d->object, d->object);
	}
	if (cfg->source_plan && read_plan(cfg, err))
		return err->code;
	if (!cfg->target_url && !(cfg->target_url = crm_strdup("sqlite:target.db")))
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	if (!cfg->batch_size)
		cfg->batch_size = CRM_DEFAULT_BATCH_ROWS;
	if (check_inside(cfg, "[source] path", cfg->source_path, err) ||
	    check_inside(cfg, "[source] plan", cfg->source_plan, err) ||
	    check_inside(cfg, "[reconcile] exceptions", cfg->exceptions, err) ||
	    check_inside(cfg, "[security] key_file", cfg->key_file, err) ||
	    check_inside(cfg, "[security] signing_key", cfg->signing_key, err) ||
	    check_inside(cfg, "[security] pseudonymize_key", cfg->pseudonymize_key, err))
		return err->code;
	for (i = 0; i < cfg->object_count; i++) {
		struct crm_object_config *obj = &cfg->objects[i];
		const char *missing = !obj->file && crm_config_reader_kind(obj) != CRM_READER_SQLITE ? "file"
				      : !obj->id						     ? "id"
				      : !obj->target						     ? "target"
												     : NULL;
		if (missing)
			return crm_error_set(err, CRM_EINPUT, "%s:%lu: [object \"%s\"] needs '%s'", cfg->path,
					     obj->line, obj->name, missing);
		if (obj->file && obj->file[0] != '/' && cfg->source_path[0] != '/') {
			char joined[4096];
			int n = snprintf(joined, sizeof(joined), "%s/%s", cfg->source_path, obj->file);
			if (n < 0 || (size_t)n >= sizeof(joined) || crm_path_escapes(joined))
				return crm_error_set(
					err, CRM_EINPUT,
					"%s:%lu: [object \"%s\"] file '%s' (in [source] path '%s') is outside "
					"the project folder: write its absolute path if that is meant",
					cfg->path, obj->line, obj->name, obj->file, cfg->source_path);
		}
	}
	return 0;
}

int crm_config_load(struct crm_config *cfg, const char *dir, struct crm_error *err)
{
	struct parse_state st;
	int line;

	memset(cfg, 0, sizeof(*cfg));
	memset(&st, 0, sizeof(st));
	crm_strmap_init(&st.keys_seen);
	crm_strmap_init(&st.sections_seen);
	st.cfg = cfg;
	cfg->dir = crm_strdup(dir);
	cfg->path = cfg->dir ? crm_malloc(strlen(dir) + sizeof("/crmshift.ini")) : NULL;
	if (!cfg->path) {
		crm_config_release(cfg);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	memcpy(cfg->path, dir, strlen(dir));
	memcpy(cfg->path + strlen(dir), "/crmshift.ini", sizeof("/crmshift.ini"));
	st.file = fopen(cfg->path, "r");
	if (!st.file) {
		crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO,
			      "cannot read '%s': %s (is '%s' a crmshift project? see 'crmshift init')", cfg->path,
			      strerror(errno), dir);
		crm_config_release(cfg);
		return err->code;
	}
	/* the written triggers of DESIGN.md, unless [policy] says otherwise */
	cfg->policy.failed_imports = 5;
	cfg->policy.decision_window = 4 * 3600; /* the rollback guidance: decide, and be back, within four hours */
	cfg->policy.hand_reconciliation = -1;
	cfg->policy.lost_contact_links = 2;
	cfg->policy.lost_links = 2;
	cfg->policy.critical_blank = 3;
	cfg->policy.record_mismatches = 0.5;
	cfg->policy.consent_mismatches = 0;
	{
		static const char *const defaults[] = {"contact.email", "opportunity.stage", "opportunity.amount"};
		size_t d;
		for (d = 0; d < CRM_ARRAY_COUNT(defaults); d++)
			if (!add_critical(&st, defaults[d])) {
				fclose(st.file);
				crm_config_release(cfg);
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			}
	}
	st.line = 0;
	/* DESIGN.md: `;` and `#` both start comments, inline ones too (after white space) */
	ini_inline_comment_prefixes = inline_comment_prefixes;
	line = ini_parse_stream(read_line, &st, handler, &st);
	fclose(st.file);
	crm_strmap_release(&st.keys_seen);
	crm_strmap_release(&st.sections_seen);
	if (st.oom) {
		crm_config_release(cfg);
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	}
	if (line != 0) {
		if (st.reason[0])
			crm_error_set(err, CRM_EINPUT, "%s:%d: %s", cfg->path, line, st.reason);
		else
			crm_error_set(err, CRM_EINPUT, "%s:%d: syntax error (expected [section] or key = value)",
				      cfg->path, line);
		crm_config_release(cfg);
		return err->code;
	}
	if (check_config(cfg, err)) {
		crm_config_release(cfg);
		return err->code;
	}
	return 0;
}

int crm_config_duration(const char *text, double *seconds)
{
	double total = 0;
	const char *p = text;

	while (*p == ' ')
		p++;
	if (!*p)
		return -1;
	while (*p) {
		char *end;
		double n;
		if (*p < '0' || *p > '9')
			return -1;
		n = strtod(p, &end);
		if (end == p || !(n >= 0 && n <= 1e9))
			return -1;
		switch (*end) {
		case 'd':
			n *= 86400;
			end++;
			break;
		case 'h':
			n *= 3600;
			end++;
			break;
		case 'm':
			n *= 60;
			end++;
			break;
		case 's':
			end++;
			break;
		case '\0':
			if (p != text && total)
				return -1; /* "1h30": the unit of the 30 is not known */
			break;
		default:
			return -1;
		}
		total += n;
		p = end;
		while (*p == ' ')
			p++;
	}
	*seconds = total;
	return 0;
}

const char *crm_person_key(enum crm_person person)
{
	static const char *const keys[] = {"rollback_primary", "rollback_backup", "technical_triggers",
					   "data_triggers"};

	return keys[person];
}
