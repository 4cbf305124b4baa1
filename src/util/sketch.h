/*
 * sketch.h: counting in bounded memory, for profiling exports of any size.
 *
 * struct crm_distinct counts distinct values: exactly (a set of 64-bit
 * hashes, each with how often it came) up to CRM_DISTINCT_EXACT values, then
 * by HyperLogLog (2^14 one-byte registers, a standard error of about 0.8%),
 * and says which. While exact, it also gives a value's exact frequency, so
 * the top values of a column with few distinct values are exact too.
 *
 * struct crm_topk keeps the most frequent values of a stream with the
 * Space-Saving algorithm (Metwally et al.) in CRM_TOPK_SLOTS counters. While
 * no counter was ever evicted, the counts are exact; after that a count may
 * overstate the truth by at most its recorded error, and the figures are
 * marked approximate. Values longer than CRM_TOPK_VALUE_LEN bytes are kept
 * cut at a character boundary (cut is set).
 *
 * Neither is for ids or keys that must be matched exactly (hash.h is).
 */
#ifndef CRM_SKETCH_H
#define CRM_SKETCH_H

#include "compat.h"
#include "util/error.h"

#define CRM_DISTINCT_EXACT 4096u
#define CRM_HLL_BITS	   14u
#define CRM_TOPK_SLOTS	   32u
#define CRM_TOPK_VALUE_LEN 80u

struct crm_distinct {
	uint64_t *set;	    /* open addressing, 0 = empty; NULL once switched to registers */
	uint32_t *counts;   /* how often each hash of set was added */
	size_t count;	    /* values in set */
	size_t cap;	    /* slots in set */
	uint8_t *regs;	    /* HyperLogLog registers, NULL while exact */
	uint32_t zero_seen; /* how often the hash 0 was added (it cannot live in set) */
};

void crm_distinct_init(struct crm_distinct *d);
void crm_distinct_release(struct crm_distinct *d);
/* Adds a value by its 64-bit hash; CRM_ENOMEM on OOM. */
int crm_distinct_add(struct crm_distinct *d, uint64_t hash, struct crm_error *err);
/*
 * How often the value with this hash was added, exactly, while the count is
 * exact (at most CRM_DISTINCT_EXACT values); -1 once it is an estimate.
 */
int64_t crm_distinct_occurrences(const struct crm_distinct *d, uint64_t hash);
/* The number of distinct values; *approximate set to 1 when it is an estimate. */
uint64_t crm_distinct_count(const struct crm_distinct *d, int *approximate);

/* A kept value with its count, as crm_topk_sorted gives it. */
struct crm_topk_slot {
	char value[CRM_TOPK_VALUE_LEN + 1];
	size_t len;
	uint64_t hash; /* crm_hash_bytes of the whole value, not of a cut one */
	int64_t count;
	int64_t error; /* count may exceed the truth by at most this */
	int cut;
};

#define CRM_TOPK_INDEX 64u /* twice the counters: a value is found in a probe or two */

/*
 * The counters. A value is found through index (its hash to its counter,
 * linear probing), not by comparing it with every counter, and the least
 * counted through least (the counters at the smallest count): with values
 * mostly unique, each one evicts a counter.
 */
struct crm_topk {
	uint64_t hashes[CRM_TOPK_SLOTS];
	int64_t counts[CRM_TOPK_SLOTS];
	unsigned char index[CRM_TOPK_INDEX]; /* a counter's number plus one; 0 is free */
	uint32_t least;			     /* a bit per counter at the smallest count; 0: not known */
	struct crm_topk_kept {
		char text[CRM_TOPK_VALUE_LEN + 1];
		size_t len;
		int64_t error;
		int cut;
	} kept[CRM_TOPK_SLOTS];
	size_t used;
	int evicted; /* some counter was reused: counts are approximate */
};

void crm_topk_init(struct crm_topk *t);
/* Counts one occurrence of (ptr, len). */
void crm_topk_add(struct crm_topk *t, const char *ptr, size_t len);
/* The same, for a caller that has crm_hash_bytes(ptr, len) already. */
void crm_topk_add_hashed(struct crm_topk *t, const char *ptr, size_t len, uint64_t hash);
/*
 * Copies the kept values into out in descending count order (ties by
 * value), up to n of them; returns how many.
 */
size_t crm_topk_sorted(const struct crm_topk *t, struct crm_topk_slot *out, size_t n);
/* That order, as a qsort comparator of struct crm_topk_slot (for counts a caller sets again). */
int crm_topk_slot_order(const void *a, const void *b);

#endif
