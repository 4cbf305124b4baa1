/*
 * test-path.c: file names from crmshift.ini and the inputs they name.
 */
#include "compat.h"
#include "harness.h"
#include "util/path.h"

#include <sys/stat.h>

static void test_path__relative_paths_that_climb_out_escape(void)
{
	CHECK_INT(crm_path_escapes("exports"), 0);
	CHECK_INT(crm_path_escapes("exports/../maps/x.csv"), 0);
	CHECK_INT(crm_path_escapes("./a/./b/.."), 0);
	CHECK_INT(crm_path_escapes("/etc/passwd"), 0); /* absolute: the user's explicit choice */
	CHECK_INT(crm_path_escapes("../exports"), 1);
	CHECK_INT(crm_path_escapes("exports/../../x"), 1);
	CHECK_INT(crm_path_escapes("a//..//..//b"), 1);
	CHECK_INT(crm_path_escapes(".."), 1);
	CHECK_INT(crm_path_escapes("..x/y"), 0); /* a name that starts with dots */
}

static void test_path__inputs_are_regular_files(void)
{
	struct crm_error err = CRM_ERROR_INIT;
	char dir[128], fifo[160], file[160];

	snprintf(dir, sizeof(dir), "%s/XXXXXX", harness_scratch());
	CHECK(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/export.csv", dir);
	snprintf(file, sizeof(file), "%s/plain.csv", dir);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	CHECK_INT(harness_write_file(file, ""), 0);
	/* a FIFO is refused without being opened: opening it would wait for a writer forever */
	CHECK_INT(crm_path_check_input(fifo, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is not a regular file");
	crm_error_clear(&err);
	CHECK_INT(crm_path_check_input(dir, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "is a folder, not a file");
	crm_error_clear(&err);
	CHECK_INT(crm_path_check_input("/nonexistent/x.csv", &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "cannot open '/nonexistent/x.csv': No such file or directory");
	crm_error_clear(&err);
	CHECK_INT(crm_path_check_input(file, &err), 0);
	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

static const struct harness_test tests[] = {
	TEST(test_path__relative_paths_that_climb_out_escape),
	TEST(test_path__inputs_are_regular_files),
};

HARNESS_MAIN
