/*
 * sqltable.c: a SQLite table as a stream of records (sqltable.h). One
 * prepared SELECT walks the table; each row's values are copied into one
 * buffer (normalised to NFC where they are not ASCII), which the record's
 * fields point into until the next row.
 */
#include "compat.h"
#include "io/sqltable.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

struct crm_sqltable {
	char *path; /* as given: the database or the dump */
	char *table;
	char *temp; /* the database a dump was loaded into, removed on close; NULL otherwise */
	sqlite3 *db;
	sqlite3_stmt *rows;
	size_t column_count;
	int header_done;
	uint64_t index; /* rows read */
	int64_t total;	/* rows in the table */
	uint64_t file_size;
	struct crm_buf values; /* the current record's bytes */
	size_t *offsets;       /* each field's start and end in values */
	struct crm_field *fields;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * What a dump's statements may do: create and fill the tables of the
 * scratch database, nothing else. A dump is an export nobody vetted, and
 * SQL can reach beyond its database: ATTACH and VACUUM INTO write any file
 * the user may write (refused by the limit of no attached database, set
 * with this), and pragmas change the connection. sqlite3's .dump writes
 * PRAGMA foreign_keys=OFF and transactions, which pass. The action refused
 * first is kept in ctx (a char[32]) for the message.
 */
static int dump_authorizer(void *ctx, int action, const char *arg1, const char *arg2, const char *db_name,
			   const char *trigger)
{
	char *refused = ctx;

	(void)db_name;
	(void)trigger;
	if (action == SQLITE_ATTACH || action == SQLITE_DETACH ||
	    (action == SQLITE_PRAGMA && (!arg1 || strcasecmp(arg1, "foreign_keys") != 0)) ||
	    (action == SQLITE_FUNCTION && arg2 && strcasecmp(arg2, "load_extension") == 0)) {
		if (!refused[0])
			snprintf(refused, 32, "%s",
				 action == SQLITE_PRAGMA     ? "PRAGMA"
				 : action == SQLITE_FUNCTION ? "load_extension"
				 : action == SQLITE_ATTACH   ? "ATTACH"
							     : "DETACH");
		return SQLITE_DENY;
	}
	return SQLITE_OK;
}

/*
 * Loads the SQL dump at path into a new temporary database (its name into
 * *temp): statement by statement, each complete one run as soon as it is
 * read, so a dump of any size takes the memory of its largest statement.
 * Statements that would reach beyond that database are refused
 * (dump_authorizer).
 */
static sqlite3 *load_dump(const char *path, char **temp, struct crm_error *err)
{
	const char *dir = getenv("TMPDIR");
	char name[4096];
	struct crm_buf stmt;
	sqlite3 *db = NULL;
	FILE *in;
	char *line = NULL, *msg = NULL;
	char refused[32] = "";
	size_t cap = 0;
	ssize_t n;
	unsigned long line_no = 0, first_line = 0;
	int fd;

	in = fopen(path, "r");
	if (!in) {
		crm_error_set(err, errno == ENOENT ? CRM_EINPUT : CRM_EIO, "cannot read '%s': %s", path,
			      strerror(errno));
		return NULL;
	}
	snprintf(name, sizeof(name), "%s/crmshift-dump-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(name);
	if (fd < 0) {
		crm_error_set(err, CRM_EIO, "cannot create a temporary database for '%s': %s", path, strerror(errno));
		fclose(in);
		return NULL;
	}
	close(fd);
	if (!(*temp = crm_strdup(name))) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto fail;
	}
	if (sqlite3_open_v2(name, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EIO, "cannot create a temporary database for '%s': %s", path,
			      db ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_set_authorizer(db, dump_authorizer, refused);
	crm_buf_init(&stmt, CRM_MAX_RECORD_LEN);
	while ((n = getline(&line, &cap, in)) >= 0) {
		line_no++;
		if (!stmt.len)
			first_line = line_no;
		if (crm_buf_add(&stmt, line, (size_t)n, err)) {
			crm_error_set(err, CRM_EINPUT, "%s:%lu: a statement longer than %u bytes", path, first_line,
				      CRM_MAX_RECORD_LEN);
			break;
		}
		if (!sqlite3_complete(stmt.ptr))
			continue;
		if (sqlite3_exec(db, stmt.ptr, NULL, NULL, &msg) != SQLITE_OK) {
			if (refused[0])
				crm_error_set(err, CRM_EINPUT,
					      "%s:%lu: %s is refused: a dump may only create and fill tables", path,
					      first_line, refused);
			else
				crm_error_set(err, CRM_EINPUT, "%s:%lu: %s", path, first_line,
					      msg ? msg : "cannot be run");
			sqlite3_free(msg);
			break;
		}
		crm_buf_reset(&stmt);
	}
	if (!err->code && ferror(in))
		crm_error_set(err, CRM_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (!err->code && stmt.len && strspn(stmt.ptr, " \t\r\n") != stmt.len)
		crm_error_set(err, CRM_EINPUT, "%s:%lu: the last statement is not complete (no ';')", path, first_line);
	crm_buf_release(&stmt);
	free(line);
	if (err->code)
		goto fail;
	fclose(in);
	return db;
fail:
	fclose(in);
	sqlite3_close(db);
	unlink(name);
	crm_free(*temp);
	*temp = NULL;
	return NULL;
}

/* The database at path, read-only (a dump loaded first); NULL with err set. */
static sqlite3 *open_database(const char *path, char **temp, struct crm_error *err)
{
	sqlite3 *db = NULL;

	*temp = NULL;
	if (ends_with(path, ".sql"))
		return load_dump(path, temp, err);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EINPUT, "cannot open '%s' as a SQLite database: %s", path,
			      db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	/* a file that is not a database opens; its first read says so */
	if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EINPUT, "'%s' is not a SQLite database: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void close_database(sqlite3 *db, char *temp)
{
	sqlite3_close(db);
	if (temp) {
		unlink(temp);
		crm_free(temp);
	}
}

/* The tables a database has, for a message: "a, b, c" into out. */
static void table_names(sqlite3 *db, char *out, size_t cap)
{
	sqlite3_stmt *s;
	size_t len = 0;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE "
			       "'sqlite%' ORDER BY name",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW && len + 1 < cap)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "",
					(const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (!out[0])
		snprintf(out, cap, "none");
}

/* SELECT ... FROM "table", the name quoted as SQL wants it. */
static int quoted_query(struct crm_buf *sql, const char *select, const char *table, struct crm_error *err)
{
	const char *p;

	if (crm_buf_addstr(sql, select, err) || crm_buf_addch(sql, '"', err))
		return err->code;
	for (p = table; *p; p++)
		if ((*p == '"' && crm_buf_addch(sql, '"', err)) || crm_buf_addch(sql, *p, err))
			return err->code;
	return crm_buf_addch(sql, '"', err);
}

struct crm_sqltable *crm_sqltable_open(const char *path, const char *table, struct crm_error *err)
{
	struct crm_sqltable *t = crm_calloc(1, sizeof(*t));
	struct crm_buf sql;
	sqlite3_stmt *s = NULL;
	struct stat st;
	int found;

	if (!t) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		return NULL;
	}
	crm_buf_init(&t->values, CRM_MAX_RECORD_LEN);
	crm_buf_init(&sql, 4096);
	t->path = crm_strdup(path);
	t->table = crm_strdup(table);
	if (!t->path || !t->table) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto fail;
	}
	t->file_size = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
	t->db = open_database(path, &t->temp, err);
	if (!t->db)
		goto fail;
	if (sqlite3_prepare_v2(t->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", -1,
			       &s, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EIO, "'%s': %s", path, sqlite3_errmsg(t->db));
		goto fail;
	}
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	if (!found) {
		char names[512];
		table_names(t->db, names, sizeof(names));
		crm_error_set(err, CRM_EINPUT, "'%s' has no table '%s' (its tables: %s)", path, table, names);
		goto fail;
	}
	if (quoted_query(&sql, "SELECT count(*) FROM ", table, err))
		goto fail;
	if (sqlite3_prepare_v2(t->db, sql.ptr, -1, &s, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EINPUT, "'%s': table '%s': %s", path, table, sqlite3_errmsg(t->db));
		goto fail;
	}
	t->total = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	crm_buf_reset(&sql);
	if (quoted_query(&sql, "SELECT * FROM ", table, err))
		goto fail;
	if (sqlite3_prepare_v2(t->db, sql.ptr, -1, &t->rows, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EINPUT, "'%s': table '%s': %s", path, table, sqlite3_errmsg(t->db));
		goto fail;
	}
	t->column_count = (size_t)sqlite3_column_count(t->rows);
	if (t->column_count > CRM_MAX_FIELDS) {
		crm_error_set(err, CRM_EINPUT, "'%s': table '%s' has %zu columns, more than %u", path, table,
			      t->column_count, CRM_MAX_FIELDS);
		goto fail;
	}
	t->offsets = crm_calloc(t->column_count * 2 + 1, sizeof(*t->offsets));
	t->fields = crm_calloc(t->column_count + 1, sizeof(*t->fields));
	if (!t->offsets || !t->fields) {
		crm_error_set(err, CRM_ENOMEM, "out of memory");
		goto fail;
	}
	crm_buf_release(&sql);
	return t;
fail:
	crm_buf_release(&sql);
	crm_sqltable_close(t);
	return NULL;
}

void crm_sqltable_close(struct crm_sqltable *t)
{
	if (!t)
		return;
	sqlite3_finalize(t->rows);
	close_database(t->db, t->temp);
	crm_buf_release(&t->values);
	crm_free(t->offsets);
	crm_free(t->fields);
	crm_free(t->path);
	crm_free(t->table);
	crm_free(t);
}

/* Appends one value, in NFC; *bad set when it is not UTF-8 (then kept as it is). */
static int add_value(struct crm_sqltable *t, const unsigned char *v, size_t len, int *bad, struct crm_error *err)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t nfc_len;
	size_t i;
	int rc;

	for (i = 0; i < len && v[i] < 0x80; i++)
		;
	if (i == len)
		return crm_buf_add(&t->values, v, len, err);
	nfc_len = utf8proc_map(v, (utf8proc_ssize_t)len, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (nfc_len < 0) {
		*bad = 1;
		return crm_buf_add(&t->values, v, len, err);
	}
	rc = crm_buf_add(&t->values, nfc, (size_t)nfc_len, err);
	free(nfc);
	return rc;
}

int crm_sqltable_next(struct crm_sqltable *t, struct crm_record *rec, struct crm_error *err)
{
	size_t c;
	int rc, bad_col = -1;

	crm_buf_reset(&t->values);
	memset(rec, 0, sizeof(*rec));
	if (!t->header_done) {
		for (c = 0; c < t->column_count; c++) {
			const char *name = sqlite3_column_name(t->rows, (int)c);
			t->offsets[c * 2] = t->values.len;
			if (crm_buf_addstr(&t->values, name ? name : "", err))
				return err->code;
			t->offsets[c * 2 + 1] = t->values.len;
		}
		t->header_done = 1;
		rec->line = rec->end_line = 1;
		rec->index = 0;
	} else {
		rc = sqlite3_step(t->rows);
		if (rc == SQLITE_DONE)
			return CRM_READ_EOF;
		if (rc != SQLITE_ROW)
			return crm_error_set(err, CRM_EIO, "'%s': table '%s': %s", t->path, t->table,
					     sqlite3_errmsg(t->db));
		t->index++;
		for (c = 0; c < t->column_count; c++) {
			const unsigned char *v = sqlite3_column_text(t->rows, (int)c);
			size_t len = (size_t)sqlite3_column_bytes(t->rows, (int)c);
			int bad = 0;
			if (!v && sqlite3_column_type(t->rows, (int)c) != SQLITE_NULL)
				return crm_error_set(err, CRM_ENOMEM, "out of memory");
			t->offsets[c * 2] = t->values.len;
			if (v && add_value(t, v, len, &bad, err))
				return err->code;
			t->offsets[c * 2 + 1] = t->values.len;
			if (bad && bad_col < 0)
				bad_col = (int)c;
		}
		rec->line = rec->end_line = (unsigned long)t->index + 1;
		rec->index = t->index;
	}
	for (c = 0; c < t->column_count; c++) {
		t->fields[c].ptr = t->values.ptr ? t->values.ptr + t->offsets[c * 2] : "";
		t->fields[c].len = t->offsets[c * 2 + 1] - t->offsets[c * 2];
	}
	rec->fields = t->fields;
	rec->count = t->column_count;
	if (bad_col >= 0) {
		crm_error_set(err, CRM_EINPUT, "%s: table '%s' row %llu: invalid UTF-8 in column '%s'", t->path,
			      t->table, (unsigned long long)t->index, sqlite3_column_name(t->rows, bad_col));
		return CRM_READ_BAD_RECORD;
	}
	return CRM_READ_RECORD;
}

long crm_sqltable_column(const struct crm_sqltable *t, const char *name)
{
	size_t c;

	for (c = 0; c < t->column_count; c++) {
		const char *n = sqlite3_column_name(t->rows, (int)c);
		if (n && strcmp(n, name) == 0)
			return (long)c;
	}
	return -1;
}

const char *crm_sqltable_path(const struct crm_sqltable *t)
{
	return t->path;
}

uint64_t crm_sqltable_bytes_read(const struct crm_sqltable *t)
{
	if (t->total <= 0)
		return t->file_size;
	return (uint64_t)((double)t->file_size * (double)t->index / (double)t->total);
}

int crm_sqltable_each(const char *path, crm_sqltable_name_fn fn, void *ctx, struct crm_error *err)
{
	char *temp = NULL;
	sqlite3 *db = open_database(path, &temp, err);
	sqlite3_stmt *s;

	if (!db)
		return err->code;
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
			       "ORDER BY name",
			       -1, &s, NULL) != SQLITE_OK) {
		crm_error_set(err, CRM_EIO, "'%s': %s", path, sqlite3_errmsg(db));
	} else {
		while (sqlite3_step(s) == SQLITE_ROW)
			if (fn(ctx, (const char *)sqlite3_column_text(s, 0), err))
				break;
		sqlite3_finalize(s);
	}
	close_database(db, temp);
	return err->code;
}
