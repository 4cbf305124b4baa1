/*
 * test-lockfile.c: the lock one acting command holds on a project. flock
 * locks belong to an open file, so a second open in this process contends
 * as a second process would.
 */
#include "compat.h"
#include "harness.h"
#include "util/lockfile.h"

#include <fcntl.h>

static void test_lockfile__second_taker_is_refused_and_told_who_holds_it(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_lockfile first, second;
	char path[64];

	CHECK_INT(harness_temp_file("", 0, path), 0);
	CHECK_INT(crm_lockfile_take(&first, path, "crmshift migrate (pid 1)", &err), 0);
	CHECK_STR(first.left_by, "");
	CHECK_INT(crm_lockfile_take(&second, path, "crmshift sync (pid 2)", &err), CRM_EREFUSED);
	CHECK_CONTAINS(err.msg, "is held by crmshift migrate (pid 1)");
	CHECK_INT(second.fd, -1);
	crm_lockfile_release(&first);
	crm_lockfile_release(&first); /* twice is fine */
	/* released: free, and empty, so the next taker takes nothing over */
	err.code = 0;
	CHECK_INT(crm_lockfile_take(&second, path, "crmshift sync (pid 2)", &err), 0);
	CHECK_STR(second.left_by, "");
	crm_lockfile_release(&second);
	unlink(path);
}

static void test_lockfile__a_holder_that_stopped_is_taken_over_and_named(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_lockfile dead, next;
	char path[64];

	CHECK_INT(harness_temp_file("", 0, path), 0);
	CHECK_INT(crm_lockfile_take(&dead, path, "crmshift rollback (pid 3)", &err), 0);
	/* a kill -9: the kernel closes the file, nothing empties it */
	close(dead.fd);
	CHECK_INT(crm_lockfile_take(&next, path, "crmshift migrate (pid 4)", &err), 0);
	CHECK_STR(next.left_by, "crmshift rollback (pid 3)");
	crm_lockfile_release(&next);
	unlink(path);
}

static void test_lockfile__unreadable_place_is_an_io_error(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_lockfile lock;

	CHECK_INT(crm_lockfile_take(&lock, "/nonexistent-dir/lock", "x", &err), CRM_EIO);
	CHECK_CONTAINS(err.msg, "cannot open the lock '/nonexistent-dir/lock'");
}

static const struct harness_test tests[] = {
	TEST(test_lockfile__second_taker_is_refused_and_told_who_holds_it),
	TEST(test_lockfile__a_holder_that_stopped_is_taken_over_and_named),
	TEST(test_lockfile__unreadable_place_is_an_io_error),
};

HARNESS_MAIN
