/*
 * test-audit.c: the audit log's chain and head, through the library: an
 * intact log, then each kind of damage found at the first entry it touches.
 */
#include "compat.h"
#include "audit/audit.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[96];

static void make_log(int entries)
{
	struct crm_error err = CRM_ERROR_INIT;
	int i;

	snprintf(dir, sizeof(dir), "%s/audit-XXXXXX", harness_scratch());
	CHECK(mkdtemp(dir) != NULL);
	for (i = 0; i < entries; i++) {
		json_t *fields = json_pack("{s:s, s:{s:i}}", "action", "migrate", "counts", "read", i * 10);
		CHECK_INT(crm_audit_append(dir, fields, &err), 0);
		json_decref(fields);
	}
}

static void run(const char *cmd)
{
	CHECK_INT(system(cmd), 0);
}

/* sed -i SCRIPT on the log */
static void edit_log(const char *script)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "sed -i '%s' %s/.crmshift/audit.log", script, dir);
	run(cmd);
}

static void cleanup(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
}

static int count_entry(void *ctx, const json_t *entry)
{
	(void)entry;
	(*(int *)ctx)++;
	return 0;
}

static void test_audit__intact(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_audit_verdict v;
	int n = 0;

	make_log(4);
	CHECK_INT(crm_audit_verify(dir, &v, &err), 0);
	CHECK(v.intact);
	CHECK_INT(v.entries, 4);
	CHECK_INT(v.last_seq, 4);
	CHECK_INT(crm_audit_each(dir, count_entry, &n, &err), 0);
	CHECK_INT(n, 4);
	cleanup();
	/* no log yet: intact and empty */
	snprintf(dir, sizeof(dir), "%s/audit-none", harness_scratch());
	CHECK_INT(crm_audit_verify(dir, &v, &err), 0);
	CHECK(v.intact);
	CHECK_INT(v.entries, 0);
}

static void expect_broken(const char *kind, unsigned long line, const char *says)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_audit_verdict v;

	CHECK_INT(crm_audit_verify(dir, &v, &err), 0);
	CHECK(!v.intact);
	CHECK_STR(v.kind, kind);
	CHECK_INT(v.line, line);
	CHECK_CONTAINS(v.message, says);
}

static void test_audit__damage(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	json_t *fields = json_pack("{s:s}", "action", "plan");

	make_log(4);
	edit_log("2s/\"read\":10/\"read\":11/");
	expect_broken("edited", 2, "entry 2 (line 2) does not match its hash");
	cleanup();
	make_log(4);
	edit_log("3d");
	expect_broken("deleted", 3, "entry 3 was deleted");
	cleanup();
	make_log(4);
	edit_log("2{h;d};3G");
	expect_broken("reordered", 2, "entry 3 is at line 2, where entry 2 belongs");
	cleanup();
	make_log(4);
	edit_log("4d");
	expect_broken("truncated", 3, "ends at entry 3 but crmshift wrote up to entry 4");
	/* and nothing more is appended to it */
	CHECK_INT(crm_audit_append(dir, fields, &err), CRM_EREFUSED);
	CHECK_CONTAINS(err.msg, "does not end with the last entry crmshift wrote");
	cleanup();
	make_log(2);
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd),
			 "tail -n 1 %s/.crmshift/audit.log | sed 's/\"seq\":2/\"seq\":3/' >>%s/.crmshift/audit.log",
			 dir, dir);
		run(cmd);
	}
	expect_broken("appended", 3, "entry 3 (line 3) comes after the last entry crmshift wrote (2");
	cleanup();
	json_decref(fields);
}

static const struct harness_test tests[] = {
	TEST(test_audit__intact),
	TEST(test_audit__damage),
};

HARNESS_MAIN
