/*
 * test-sales.c: the open sales pipeline, counted by stage from mapped
 * opportunity values.
 */
#include "compat.h"
#include "harness.h"
#include "engine/sales.h"

#include <string.h>

static void opportunity(struct crm_value v[5], const char *stage, const char *amount, const char *closed,
			const char *close_date)
{
	const char *texts[5] = {stage, amount, closed, "0", close_date};
	size_t i;

	for (i = 0; i < 5; i++) {
		v[i].ptr = texts[i];
		v[i].len = strlen(texts[i]);
	}
}

static void test_sales__open_opportunities_by_stage(void)
{
	struct crm_sales_pipeline pl = {{0, 1, 2, 3, 4}, NULL, 0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_value v[5];

	opportunity(v, "Prospecting", "100.50", "0", "2026-03-01");
	CHECK_INT(crm_sales_add(&pl, v, &err), 0);
	opportunity(v, "Prospecting", "10", "0", "2026-01-15");
	CHECK_INT(crm_sales_add(&pl, v, &err), 0);
	opportunity(v, "Closed Won", "999", "1", "2025-12-01"); /* closed: not in the open pipeline */
	CHECK_INT(crm_sales_add(&pl, v, &err), 0);
	REQUIRE(pl.count == 1);
	CHECK_STR(pl.stages[0].stage, "Prospecting");
	CHECK_INT(pl.stages[0].records, 2);
	CHECK(pl.stages[0].amount > 110.49 && pl.stages[0].amount < 110.51);
	CHECK_STR(pl.stages[0].first_close, "2026-01-15");
	CHECK_STR(pl.stages[0].last_close, "2026-03-01");
cleanup:
	crm_sales_release(&pl);
}

/* Two stages alike in their first 100 bytes are two stages, each named whole (a fixed array cut and joined them). */
static void test_sales__long_stage_names_stay_whole(void)
{
	struct crm_sales_pipeline pl = {{0, 1, 2, 3, 4}, NULL, 0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_value v[5];
	char a[201], b[201];

	memset(a, 'x', 200);
	a[200] = '\0';
	memcpy(b, a, sizeof(a));
	a[150] = 'A';
	b[150] = 'B';
	opportunity(v, a, "1", "0", "");
	CHECK_INT(crm_sales_add(&pl, v, &err), 0);
	opportunity(v, b, "2", "0", "");
	CHECK_INT(crm_sales_add(&pl, v, &err), 0);
	REQUIRE(pl.count == 2);
	CHECK_STR(pl.stages[0].stage, a);
	CHECK_STR(pl.stages[1].stage, b);
cleanup:
	crm_sales_release(&pl);
}

static const struct harness_test tests[] = {
	TEST(test_sales__open_opportunities_by_stage),
	TEST(test_sales__long_stage_names_stay_whole),
};

HARNESS_MAIN
