/*
 * backend.c: what the store backends share (backend.h).
 */
#include "compat.h"
#include "store/backend.h"
#include "util/alloc.h"
#include "util/limits.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int crm_writer_shape_init(struct crm_writer_shape *shape, const struct crm_table_spec *spec, struct crm_error *err)
{
	const struct crm_table_def *core = crm_schema_table(spec->table);
	size_t i;

	memset(shape, 0, sizeof(*shape));
	shape->has_customer_id = core && core->has_customer_id;
	shape->is_timestamp = crm_calloc(spec->count ? spec->count : 1, 1);
	if (!shape->is_timestamp)
		return crm_error_set(err, CRM_ENOMEM, "out of memory");
	for (i = 0; i < spec->count; i++) {
		shape->created_mapped |= strcmp(spec->columns[i].name, "created_at") == 0;
		shape->updated_mapped |= strcmp(spec->columns[i].name, "updated_at") == 0;
		shape->is_timestamp[i] = (unsigned char)crm_schema_is_timestamp(spec->columns[i].name);
	}
	return 0;
}

void crm_writer_shape_release(struct crm_writer_shape *shape)
{
	crm_free(shape->is_timestamp);
	shape->is_timestamp = NULL;
}

void crm_writer_value(const struct crm_table_spec *spec, const struct crm_writer_shape *shape,
		      const struct crm_store_row *row, size_t i, struct crm_bound *out)
{
	const struct crm_value *v = &row->values[i];
	enum crm_type type = spec->columns[i].type;

	out->kind = CRM_BOUND_NULL;
	out->number = 0;
	out->text = NULL;
	out->len = 0;
	if (shape->is_timestamp[i] && !(v->ptr && v->len)) {
		out->kind = CRM_BOUND_TEXT;
		out->text = row->load_time;
		out->len = strlen(row->load_time);
	} else if (type == CRM_TYPE_REF) {
		if (v->id > 0) {
			out->kind = CRM_BOUND_INT;
			out->number = v->id;
		}
	} else if (!v->ptr || v->len == 0) {
		return;
	} else if (type == CRM_TYPE_INT || type == CRM_TYPE_BOOL) {
		/* the program has already turned these into plain integer text */
		char digits[32];
		size_t n = v->len < sizeof(digits) - 1 ? v->len : sizeof(digits) - 1;
		memcpy(digits, v->ptr, n);
		digits[n] = '\0';
		out->kind = CRM_BOUND_INT;
		out->number = strtoll(digits, NULL, 10);
	} else {
		out->kind = CRM_BOUND_TEXT;
		out->text = v->ptr;
		out->len = v->len;
	}
}

int crm_writer_sql(enum crm_writer_statement which, const struct crm_table_spec *spec,
		   const struct crm_writer_shape *shape, struct crm_buf *sql, struct crm_error *err)
{
	size_t i;
	int n = 1;

	crm_buf_reset(sql);
	switch (which) {
	case CRM_WRITER_INSERT:
	case CRM_WRITER_INSERT_NEW:
		crm_buf_addf(sql, err, "INSERT INTO \"%s\" (source_system, source_id%s", spec->table,
			     shape->has_customer_id ? ", customer_id" : "");
		for (i = 0; i < spec->count; i++)
			crm_buf_addf(sql, err, ", \"%s\"", spec->columns[i].name);
		crm_buf_addf(sql, err, "%s%s) VALUES ($1, $2", shape->created_mapped ? "" : ", created_at",
			     shape->updated_mapped ? "" : ", updated_at");
		n = 3;
		if (shape->has_customer_id)
			crm_buf_addf(sql, err, ", $%d", n++);
		for (i = 0; i < spec->count; i++)
			crm_buf_addf(sql, err, ", $%d", n++);
		if (!shape->created_mapped)
			crm_buf_addf(sql, err, ", $%d", n++);
		if (!shape->updated_mapped)
			crm_buf_addf(sql, err, ", $%d", n++);
		crm_buf_addstr(sql,
			       which == CRM_WRITER_INSERT_NEW ? ")"
							      : ") ON CONFLICT (source_system, source_id) DO NOTHING",
			       err);
		break;
	case CRM_WRITER_FIND:
		crm_buf_addf(sql, err, "SELECT id FROM \"%s\" WHERE source_system = $1 AND source_id = $2",
			     spec->table);
		break;
	case CRM_WRITER_UPDATE:
		crm_buf_addf(sql, err, "UPDATE \"%s\" SET ", spec->table);
		for (i = 0; i < spec->count; i++, n++)
			crm_buf_addf(sql, err, "%s\"%s\" = $%d", i ? ", " : "", spec->columns[i].name, n);
		if (!shape->updated_mapped)
			crm_buf_addf(sql, err, "%supdated_at = $%d", spec->count ? ", " : "", n++);
		crm_buf_addf(sql, err, " WHERE id = $%d", n);
		break;
	case CRM_WRITER_FETCH:
		crm_buf_addstr(sql, "SELECT ", err);
		for (i = 0; i < spec->count; i++)
			crm_buf_addf(sql, err, "\"%s\", ", spec->columns[i].name);
		crm_buf_addf(sql, err, "updated_at FROM \"%s\" WHERE id = $1", spec->table);
		break;
	}
	return err->code;
}

int crm_restore_sql(const char *table, json_t *pre_image, struct crm_buf *sql, struct crm_error *err)
{
	void *it;
	int idx = 1;

	crm_buf_reset(sql);
	if (json_object_get(pre_image, "id")) {
		/* a deleted row comes back under its id, every column as it was */
		crm_buf_addf(sql, err, "INSERT INTO \"%s\" (", table);
		for (it = json_object_iter(pre_image); it; it = json_object_iter_next(pre_image, it))
			crm_buf_addf(sql, err, "%s\"%s\"", idx++ > 1 ? ", " : "", json_object_iter_key(it));
		crm_buf_addstr(sql, ") VALUES (", err);
		for (idx = 1, it = json_object_iter(pre_image); it; it = json_object_iter_next(pre_image, it), idx++)
			crm_buf_addf(sql, err, "%s$%d", idx > 1 ? ", " : "", idx);
		return crm_buf_addstr(sql, ")", err);
	}
	crm_buf_addf(sql, err, "UPDATE \"%s\" SET ", table);
	for (it = json_object_iter(pre_image); it; it = json_object_iter_next(pre_image, it), idx++)
		crm_buf_addf(sql, err, "%s\"%s\" = $%d", idx > 1 ? ", " : "", json_object_iter_key(it), idx);
	return crm_buf_addf(sql, err, " WHERE id = $%d", idx);
}

/*
 * A version 4 UUID. The random bytes are an XChaCha20 keystream under a key
 * drawn once from the system CSPRNG (libsodium), a block of 1024 UUIDs per
 * refill with a fresh nonce: the system's generator costs a system call per
 * 256 bytes, which a million contacts would feel.
 */
void crm_store_new_uuid(char out[37])
{
	static unsigned char pool[16 * 1024];
	static size_t used = sizeof(pool);
	static unsigned char key[crypto_stream_xchacha20_KEYBYTES];
	static unsigned char nonce[crypto_stream_xchacha20_NONCEBYTES];
	static int keyed;
	static const char hex[] = "0123456789abcdef";
	unsigned char *b;
	size_t i, o = 0;

	if (used == sizeof(pool)) {
		if (!keyed) {
			randombytes_buf(key, sizeof(key));
			randombytes_buf(nonce, sizeof(nonce));
			keyed = 1;
		}
		sodium_increment(nonce, sizeof(nonce));
		crypto_stream_xchacha20(pool, sizeof(pool), nonce, key);
		used = 0;
	}
	b = pool + used;
	used += 16;
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

size_t crm_store_decimal(char *out, int64_t n)
{
	char digits[24];
	uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	size_t len = 0, i = 0;

	do {
		digits[len++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		out[i++] = '-';
	while (len)
		out[i++] = digits[--len];
	out[i] = '\0';
	return i;
}

/* text as a JSON string, escaped as jansson's dump does without JSON_ENSURE_ASCII: 0 or -1 when not UTF-8. */
static int add_json_string(struct crm_buf *out, const char *text, size_t len, struct crm_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, run = 0;

	crm_buf_addch(out, '"', err);
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		char esc[7] = "\\u00";
		size_t esc_len = 2;
		if (c >= 0x80) {
			utf8proc_int32_t cp;
			utf8proc_ssize_t used =
				utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
			if (used <= 0)
				return -1;
			i += (size_t)used;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		crm_buf_add(out, text + run, i - run, err);
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc_len = 6;
		}
		crm_buf_add(out, esc, esc_len, err);
		run = ++i;
	}
	crm_buf_add(out, text + run, len - run, err);
	crm_buf_addch(out, '"', err);
	return 0;
}

int crm_store_json_row(const struct crm_json_column *cols, size_t n, struct crm_buf *out, struct crm_error *err)
{
	const struct crm_json_column *sorted[CRM_MAX_TABLE_COLUMNS];
	size_t i, j;

	if (n > CRM_MAX_TABLE_COLUMNS)
		return crm_error_set(err, CRM_EINTERNAL, "a row of %zu columns (at most %u)", n, CRM_MAX_TABLE_COLUMNS);
	/*
	 * Insertion sort: a row's few dozen names, as JSON_SORT_KEYS orders them
	 * (strcmp); stable, so that of a name given twice the later is last.
	 */
	for (i = 0; i < n; i++)
		sorted[i] = &cols[i];
	for (i = 1; i < n; i++) {
		const struct crm_json_column *c = sorted[i];
		for (j = i; j > 0 && strcmp(sorted[j - 1]->name, c->name) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = c;
	}
	crm_buf_reset(out);
	crm_buf_addch(out, '{', err);
	for (i = 0, j = 0; i < n && !err->code; i++) {
		const struct crm_json_column *c = sorted[i];
		char number[32];
		/* a name given twice (a fetch reads updated_at as mapped and as the load's): the later, as in an object */
		if (i + 1 < n && strcmp(sorted[i + 1]->name, c->name) == 0)
			continue;
		if (j++)
			crm_buf_addch(out, ',', err);
		add_json_string(out, c->name, strlen(c->name), err);
		crm_buf_addch(out, ':', err);
		if (c->kind == CRM_JSON_NULL) {
			crm_buf_addstr(out, "null", err);
		} else if (c->kind == CRM_JSON_INTEGER) {
			crm_store_decimal(number, c->integer);
			crm_buf_addstr(out, number, err);
		} else if (c->kind == CRM_JSON_REAL) {
			/* jansson's own formatting of a double (%.17g, its exponent and ".0" rules) */
			json_t *real = json_real(c->real);
			char *text = real ? json_dumps(real, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
			json_decref(real);
			if (!text)
				return crm_error_set(err, CRM_EINPUT, "column %s: %g is not a JSON number", c->name,
						     c->real);
			crm_buf_addstr(out, text, err);
			free(text);
		} else if (add_json_string(out, c->text, c->len, err)) {
			return crm_error_set(err, CRM_EINPUT, "column %s: its text is not UTF-8", c->name);
		}
	}
	crm_buf_addch(out, '}', err);
	return err->code;
}
