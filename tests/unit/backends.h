/*
 * backends.h: every store backend compiled in, opened empty for a test.
 * SQLite in a new temporary file; PostgreSQL in a new database of the
 * server tests/run-all.sh started (PGHOST, PGPORT, PGUSER, PGPASSFILE),
 * or skipped with the reason when there is none.
 */
#ifndef CRM_TEST_BACKENDS_H
#define CRM_TEST_BACKENDS_H

#include "harness.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BACKEND_SQLITE, BACKEND_POSTGRES, BACKEND_COUNT };
static const char *const backend_names[BACKEND_COUNT] = {"sqlite", "postgres"};

/* The url of a new empty target of backend b into url (256 bytes); 0, or 1 (skipped, reason printed once). */
static int backend_new_target(int b, char url[256])
{
	static unsigned serial;
	static int told;
	char sql[160], name[64];
	PGconn *conn;
	PGresult *res;
	int ok;

	serial++;
	if (b == BACKEND_SQLITE) {
		snprintf(url, 256, "sqlite:%s/store-%u.db", harness_scratch(), serial);
		unlink(url + 7);
		return 0;
	}
	if (!getenv("PGPORT")) {
		if (!told++)
			printf("postgres backend skipped: no PostgreSQL test server (tests/run-all.sh starts one)\n");
		return 1;
	}
	/*
	 * The allocation sweep runs a case once per allocation point, each in a
	 * new process: a database each would be thousands of CREATE DATABASE
	 * (half an hour of CI). It sweeps the embedded backend: the state and
	 * store code above the backend is the same, and postgres.c's own
	 * allocation failures are not swept (a gap).
	 */
	if (getenv("HARNESS_ALLOC_SWEEP"))
		return 1;
	snprintf(name, sizeof(name), "unit_%ld_%u", (long)getpid(), serial);
	conn = PQconnectdb("dbname=postgres");
	/* a linguistic default collation, as a production database has: byte order must not depend on it */
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s LOCALE_PROVIDER icu ICU_LOCALE 'und' TEMPLATE template0", name);
	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "cannot create database %s: %s", name, PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	snprintf(url, 256, "postgres://%s@%s:%s/%s", getenv("PGUSER") ? getenv("PGUSER") : "postgres",
		 getenv("PGHOST") ? getenv("PGHOST") : "127.0.0.1", getenv("PGPORT"), name);
	return ok ? 0 : -1;
}

#endif
