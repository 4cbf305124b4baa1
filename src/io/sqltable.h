/*
 * sqltable.h: a table of a SQLite database read as an export, as
 * CumulusCI's datasets and many tools' exports arrive (a .db file, or its
 * SQL dump, which is loaded into a temporary database first). The records
 * are the table's rows in rowid order, one at a time (nothing is held but
 * the current row); the header is its column names. A value is its text as
 * SQLite gives it (an integer in decimal, a real as SQLite writes it, NULL
 * as empty), checked to be UTF-8 and put in NFC like every export's.
 *
 * Positions: a row's "line" is its position plus one, as in a CSV export of
 * the table with its header on line 1, so rejects and reports name it the
 * same way.
 *
 * Not for: the target or the state database (store/, state/).
 */
#ifndef CRM_SQLTABLE_H
#define CRM_SQLTABLE_H

#include "compat.h"
#include "io/record.h"
#include "util/error.h"

struct crm_sqltable;

/*
 * Opens table of the database at path, read-only; a path ending in ".sql"
 * is a dump, loaded statement by statement into a temporary database that
 * close removes. NULL with err set: the file is not a database, the dump
 * has an error (its line named), or the table does not exist (the tables
 * it has named).
 */
struct crm_sqltable *crm_sqltable_open(const char *path, const char *table, struct crm_error *err);
void crm_sqltable_close(struct crm_sqltable *t);
/* As crm_csv_next: the header first, then each row; a value that is not UTF-8 makes a bad record. */
int crm_sqltable_next(struct crm_sqltable *t, struct crm_record *rec, struct crm_error *err);
long crm_sqltable_column(const struct crm_sqltable *t, const char *name);
const char *crm_sqltable_path(const struct crm_sqltable *t);
/* An estimate for progress: the file's size times the share of rows read. */
uint64_t crm_sqltable_bytes_read(const struct crm_sqltable *t);

/*
 * Calls fn with the name of each table of the database (or dump) at path
 * that is not SQLite's own, in name order. fn returns 0 to go on.
 */
typedef int (*crm_sqltable_name_fn)(void *ctx, const char *table, struct crm_error *err);
int crm_sqltable_each(const char *path, crm_sqltable_name_fn fn, void *ctx, struct crm_error *err);

#endif
