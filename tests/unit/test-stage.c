/*
 * test-stage.c: the stager maps on several threads and defers `unique` to
 * the loader's thread; what it hands over must be what one thread running
 * the program record by record in file order gives: the same records, the
 * same values and the same failures in the same order.
 */
#include "compat.h"
#include "harness.h"
#include "project-helper.h"
#include "engine/project.h"
#include "engine/stage.h"
#include "io/csv.h"
#include "util/arena.h"

#include <string.h>

#define RECORDS 6000

/* An export over several batches: e-mails repeat within and across batches, some rows break earlier checks. */
static char *make_export(void)
{
	size_t cap = RECORDS * 64 + 64, len = 0;
	char *csv = malloc(cap);
	int i;

	len += (size_t)snprintf(csv + len, cap - len, "Id,mail,code\n");
	for (i = 1; i <= RECORDS; i++) {
		/* every 7th row reuses the e-mail of a row 1500 earlier (another batch), every 11th the previous row's */
		int mail = i % 7 == 0 && i > 1500 ? i - 1500 : i % 11 == 0 ? i - 1 : i;
		/* code: unique, then max_len(4): a long code past `unique` fails the check after it */
		const char *code = i % 13 == 0 ? "toolong" : "c";
		if (i % 17 == 0)
			len += (size_t)snprintf(csv + len, cap - len, "%d,not-an-email,%s%d\n", i, code, i % 5);
		else
			len += (size_t)snprintf(csv + len, cap - len, "%d,u%d@example.com,%s%d\n", i, mail, code,
						i % 3000);
	}
	return csv;
}

static void test_stage__threads_give_what_one_thread_gives(void)
{
	struct crm_project reference = {0}, staged = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_stage_options opt;
	struct crm_stager *stager = NULL;
	struct crm_stage_batch batch;
	struct crm_program_result res = {0};
	struct crm_csv_reader *r = NULL;
	struct crm_record rec;
	struct crm_arena arena = {0};
	char *csv = make_export();
	size_t seen = 0, rejected = 0, mismatches = 0, i, f;
	int rc;

	make_project("Contact,mail,text,email,trim,,email; unique,u@example.com\n"
		     "Contact,code,text,title,trim,,unique; max_len(4),c1\n"
		     /* fails on the worker, after a field whose failure comes from the loader's thread */
		     "Contact,code,text,last_name,trim,,max_len(5),c1\n",
		     csv);
	free(csv);
	REQUIRE(crm_project_open(&reference, project_dir, &err) == 0);
	REQUIRE(crm_project_open(&staged, project_dir, &err) == 0);
	memset(&opt, 0, sizeof(opt));
	opt.run_flags = CRM_RUN_CHECK_UNIQUE;
	opt.keep_bad = 1;
	stager = crm_stager_start(&staged.objects[0], &opt, &err);
	REQUIRE(stager != NULL);
	r = crm_csv_open(reference.objects[0].path, "utf-8", ',', &err);
	REQUIRE(r != NULL);
	REQUIRE(crm_csv_next(r, &rec, &err) == CRM_READ_RECORD); /* the header */
	REQUIRE(crm_program_result_init(&res, reference.objects[0].prog, &err) == 0);
	crm_arena_init(&arena, 4096);
	while ((rc = crm_stager_next(stager, &batch, &err)) == 1) {
		for (i = 0; i < batch.count; i++) {
			const struct crm_stage_record *got = &batch.records[i];
			REQUIRE(crm_csv_next(r, &rec, &err) == CRM_READ_RECORD);
			crm_arena_reset(&arena);
			REQUIRE(crm_program_run(reference.objects[0].prog, &rec, &res, &arena, CRM_RUN_CHECK_UNIQUE,
						&err) == 0);
			seen++;
			rejected += got->failure_count > 0;
			mismatches += got->index != rec.index || got->failure_count != res.failure_count;
			for (f = 0; f < res.failure_count && f < got->failure_count; f++)
				mismatches += got->failures[f].field != res.failures[f].field ||
					      strcmp(got->failures[f].rule, res.failures[f].rule) != 0 ||
					      strcmp(got->failures[f].reason, res.failures[f].reason) != 0;
			for (f = 0; f < 3; f++)
				mismatches += got->values[f].len != res.values[f].len ||
					      memcmp(got->values[f].ptr, res.values[f].ptr, res.values[f].len) != 0;
		}
	}
	CHECK_INT(rc, 0);
	CHECK_INT((long)seen, RECORDS);
	CHECK_INT((long)mismatches, 0);
	CHECK(rejected > RECORDS / 4); /* the export does exercise the checks */
cleanup:
	crm_stager_stop(stager);
	crm_csv_close(r);
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&reference);
	crm_project_release(&staged);
	remove_project();
}

/*
 * A staged record carries the id caches' keys of its id and of its filled
 * references, taken on the mapping thread: what the loader would have
 * hashed itself (and nothing for a field that is no reference or empty).
 */
static void test_stage__keys_of_id_and_references(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_stage_options opt;
	struct crm_stager *stager = NULL;
	struct crm_stage_batch batch;
	size_t seen = 0, wrong = 0, filled = 0, i;
	int rc;

	make_project("Contact,AccountId,id,account_id,trim -> ref(Account),,,001A\n"
		     "Contact,LastName,text,last_name,trim,,,Coyote\n"
		     "Account,Name,text,name,trim,,,Acme\n",
		     "Id,AccountId,LastName\n003A, 001A ,Coyote\n003B,,Runner\n003C,001B,Gumby\n");
	write_project_file("crmshift.ini", "[migration]\nsource_system = test\n"
					   "[object \"Account\"]\nfile = a.csv\nid = Id\ntarget = account\n"
					   "[object \"Contact\"]\nfile = c.csv\nid = Id\ntarget = contact\n");
	write_project_file("exports/a.csv", "Id,Name\n001A,Acme\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	memset(&opt, 0, sizeof(opt));
	stager = crm_stager_start(crm_project_object(&p, "Contact"), &opt, &err);
	REQUIRE(stager != NULL);
	while ((rc = crm_stager_next(stager, &batch, &err)) == 1) {
		for (i = 0; i < batch.count; i++) {
			const struct crm_stage_record *got = &batch.records[i];
			const struct crm_program *prog = crm_project_object(&p, "Contact")->prog;
			struct crm_id_hash id = crm_xref_cache_hash(got->id, got->id_len);
			size_t f;
			seen++;
			wrong += got->id_hash.low != id.low || got->id_hash.high != id.high;
			for (f = 0; f < prog->field_count; f++) {
				const struct crm_value *v = &got->values[f];
				struct crm_id_hash want = {0, 0};
				if (prog->fields[f].ref_object && v->len)
					want = crm_xref_cache_hash(v->ptr, v->len);
				filled += want.low != 0;
				wrong += (got->ref_hashes ? got->ref_hashes[f].low : 0) != want.low ||
					 (got->ref_hashes ? got->ref_hashes[f].high : 0) != want.high;
			}
		}
	}
	CHECK_INT(rc, 0);
	CHECK_INT((long)seen, 3);
	CHECK_INT((long)filled, 2); /* 001A trimmed, and 001B; the empty one has none */
	CHECK_INT((long)wrong, 0);
cleanup:
	crm_stager_stop(stager);
	crm_project_release(&p);
	remove_project();
}

static const struct harness_test tests[] = {
	TEST(test_stage__threads_give_what_one_thread_gives),
	TEST(test_stage__keys_of_id_and_references),
};

HARNESS_MAIN
