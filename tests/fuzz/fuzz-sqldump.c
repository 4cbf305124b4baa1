/*
 * fuzz-sqldump.c: an export given as a SQL dump (a path ending in .sql),
 * loaded statement by statement into a scratch database and read as the
 * table "t".
 */
#include "fuzz.h"

#include "io/sqltable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_sqltable *t;
	struct crm_record rec;
	int n = 0;

	t = crm_sqltable_open(fuzz_write(0, "export.sql", data, size), "t", &err);
	if (!t)
		return 0;
	while (crm_sqltable_next(t, &rec, &err) > 0 && n++ < 100000)
		crm_sqltable_column(t, "id");
	crm_sqltable_close(t);
	return 0;
}
