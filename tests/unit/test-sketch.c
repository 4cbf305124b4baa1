/*
 * test-sketch.c: distinct counts (exact, then HyperLogLog within its error)
 * and the Space-Saving top-k (exact until a counter is reused).
 */
#include "compat.h"
#include "harness.h"
#include "util/hash.h"
#include "util/sketch.h"

#include <stdio.h>

static uint64_t hash_of(unsigned n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "value-%u", n);

	return crm_hash_bytes(buf, (size_t)len);
}

static void test_sketch__distinct_exact_then_estimated(void)
{
	struct crm_distinct d;
	struct crm_error err = CRM_ERROR_INIT;
	int approx = -1;
	unsigned i;
	uint64_t n;

	crm_distinct_init(&d);
	for (i = 0; i < 3000; i++)
		CHECK_INT(crm_distinct_add(&d, hash_of(i % 1000), &err), 0);
	CHECK_INT(crm_distinct_count(&d, &approx), 1000);
	CHECK_INT(approx, 0);
	/* while exact, each value's frequency is exact, through the set's growth */
	CHECK_INT(crm_distinct_occurrences(&d, hash_of(7)), 3);
	CHECK_INT(crm_distinct_occurrences(&d, hash_of(5000)), 0);
	CHECK_INT(crm_distinct_add(&d, 0, &err), 0); /* the zero hash counts once */
	CHECK_INT(crm_distinct_add(&d, 0, &err), 0);
	CHECK_INT(crm_distinct_count(&d, &approx), 1001);
	CHECK_INT(crm_distinct_occurrences(&d, 0), 2);
	for (i = 0; i < 200000; i++)
		CHECK_INT(crm_distinct_add(&d, hash_of(i), &err), 0);
	n = crm_distinct_count(&d, &approx);
	CHECK_INT(approx, 1);
	CHECK_INT(crm_distinct_occurrences(&d, hash_of(7)), -1); /* estimated: no exact frequency */
	/* 200001 distinct; the standard error at 2^14 registers is 0.8%: 3% is far out */
	CHECK(n > 194000 && n < 206000);
	crm_distinct_release(&d);
	crm_distinct_init(&d);
	for (i = 0; i < 5000; i++) /* just past the exact limit: small-range correction */
		CHECK_INT(crm_distinct_add(&d, hash_of(i), &err), 0);
	n = crm_distinct_count(&d, &approx);
	CHECK_INT(approx, 1);
	CHECK(n > 4850 && n < 5150);
	crm_distinct_release(&d);
}

static void test_sketch__topk_exact_while_it_fits(void)
{
	struct crm_topk t;
	struct crm_topk_slot top[3];
	unsigned i;

	crm_topk_init(&t);
	for (i = 0; i < 10; i++)
		crm_topk_add(&t, "b", 1);
	for (i = 0; i < 30; i++)
		crm_topk_add(&t, "a", 1);
	crm_topk_add(&t, "c", 1);
	CHECK_INT(crm_topk_sorted(&t, top, 3), 3);
	CHECK_STR(top[0].value, "a");
	CHECK_INT(top[0].count, 30);
	CHECK_STR(top[1].value, "b");
	CHECK_INT(top[2].count, 1);
	CHECK_INT(t.evicted, 0);
}

static void test_sketch__topk_keeps_heavy_hitters_of_a_long_tail(void)
{
	struct crm_topk t;
	struct crm_topk_slot top[2];
	char buf[32];
	unsigned i;

	crm_topk_init(&t);
	for (i = 0; i < 100000; i++) {
		if (i % 5 == 0)
			crm_topk_add(&t, "(ddd) ddd-dddd", 14);
		else if (i % 7 == 0)
			crm_topk_add(&t, "ddd.ddd.dddd", 12);
		else
			crm_topk_add(&t, buf, (size_t)snprintf(buf, sizeof(buf), "tail-%u", i));
	}
	CHECK_INT(crm_topk_sorted(&t, top, 2), 2);
	CHECK_STR(top[0].value, "(ddd) ddd-dddd");
	CHECK_STR(top[1].value, "ddd.ddd.dddd");
	/* Space-Saving: the count never understates, and overstates by at most the recorded error */
	CHECK(top[0].count >= 20000 && top[0].count - top[0].error <= 20000);
	CHECK_INT(t.evicted, 1);
	/* a long value is kept cut at a character boundary */
	crm_topk_init(&t);
	{
		char longv[200];
		memset(longv, 'x', sizeof(longv));
		longv[CRM_TOPK_VALUE_LEN - 1] = '\xc3';
		longv[CRM_TOPK_VALUE_LEN] = '\xa9';
		crm_topk_add(&t, longv, sizeof(longv));
		CHECK_INT(crm_topk_sorted(&t, top, 1), 1);
		CHECK_INT(top[0].len, CRM_TOPK_VALUE_LEN - 1);
		CHECK_INT(top[0].cut, 1);
		CHECK(top[0].hash == crm_hash_bytes(longv, sizeof(longv)));
	}
}

/* Space-Saving as written down: every counter compared, the first least counted one evicted. */
struct plain_topk {
	char value[CRM_TOPK_SLOTS][16];
	int64_t count[CRM_TOPK_SLOTS], error[CRM_TOPK_SLOTS];
	size_t used;
};

static void plain_add(struct plain_topk *p, const char *v)
{
	size_t i, at = 0;

	for (i = 0; i < p->used; i++)
		if (!strcmp(p->value[i], v)) {
			p->count[i]++;
			return;
		}
	if (p->used < CRM_TOPK_SLOTS) {
		at = p->used++;
		p->count[at] = p->error[at] = 0;
	} else {
		for (i = 1; i < p->used; i++)
			if (p->count[i] < p->count[at])
				at = i;
		p->error[at] = p->count[at];
	}
	snprintf(p->value[at], sizeof(p->value[at]), "%s", v);
	p->count[at]++;
}

static void test_sketch__topk_counts_as_space_saving_does(void)
{
	static struct crm_topk t;
	static struct plain_topk p;
	struct crm_topk_slot got[CRM_TOPK_SLOTS];
	uint64_t seed = 42;
	char v[16];
	unsigned i, round, found;
	size_t n, j;

	/* skewed streams: a few heavy values, a long tail, hashes crowding the index */
	for (round = 0; round < 4; round++) {
		crm_topk_init(&t);
		memset(&p, 0, sizeof(p));
		for (i = 0; i < 50000; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			if ((seed >> 60) < 4u + round)
				snprintf(v, sizeof(v), "h%u", (unsigned)(seed >> 33) % 5u);
			else
				snprintf(v, sizeof(v), "t%u", (unsigned)(seed >> 33) % (200u << round));
			crm_topk_add(&t, v, strlen(v));
			plain_add(&p, v);
		}
		n = crm_topk_sorted(&t, got, CRM_TOPK_SLOTS);
		CHECK_INT(n, p.used);
		for (j = 0, found = 0; j < n; j++) {
			size_t k;
			for (k = 0; k < p.used; k++)
				if (!strcmp(p.value[k], got[j].value) && p.count[k] == got[j].count &&
				    p.error[k] == got[j].error)
					found++;
		}
		CHECK_INT(found, n);
	}
}

static const struct harness_test tests[] = {
	TEST(test_sketch__topk_counts_as_space_saving_does),
	TEST(test_sketch__distinct_exact_then_estimated),
	TEST(test_sketch__topk_exact_while_it_fits),
	TEST(test_sketch__topk_keeps_heavy_hitters_of_a_long_tail),
};

HARNESS_MAIN
