/*
 * textfn.h: the value functions of the rule language that work on text and
 * numbers: trimming, case, white space, numbers, booleans, e-mail
 * addresses and postal addresses. Each is a pure function of its input.
 * Results that need memory go into the caller's arena; functions that can
 * refuse a value return 1 and write a reason (without the value, which may
 * be personal data).
 */
#ifndef CRM_TEXTFN_H
#define CRM_TEXTFN_H

#include "compat.h"
#include "util/arena.h"

enum crm_case { CRM_CASE_LOWER, CRM_CASE_UPPER, CRM_CASE_TITLE };

/* The characters (code points) in UTF-8 text. */
size_t crm_text_chars(const char *in, size_t len);
/* What reports show for a value they must not: "<label, 12 characters>" (label: PII, SPI, protected). */
void crm_text_masked(const char *label, const char *ptr, size_t len, char *out, size_t cap);
/* Strips ASCII and Unicode white space at both ends; returns a slice of in. */
void crm_text_trim(const char **ptr, size_t *len);
/* Each returns the new text in the arena (NULL on OOM) and its length in out_len. */
char *crm_text_case(struct crm_arena *arena, const char *in, size_t len, enum crm_case mode, size_t *out_len);
char *crm_text_collapse_ws(struct crm_arena *arena, const char *in, size_t len, size_t *out_len);
/*
 * A key for matching names that differ only in how they are written: case
 * folded, accents stripped, white space and punctuation gone ("GTX-Pro" and
 * "gtx pro" both give "gtxpro"). The text goes into the arena (NULL on OOM).
 */
char *crm_text_fold_key(struct crm_arena *arena, const char *in, size_t len, size_t *out_len);
/* How crm_text_fold_words folds beyond case: compatibility forms (NFKC: 'ＪＯＨＮ' is 'john'), accents. */
enum crm_fold { CRM_FOLD_COMPAT = 1, CRM_FOLD_STRIP_MARKS = 2 };
/*
 * Text as words for comparing: case folded (and as flags says), each run
 * of the bytes of separators one space, none at either end; into out (cap
 * >= 1 bytes, NUL-terminated, cut to fit). Returns the length, or -1 when
 * in is not UTF-8 (out is then empty).
 */
long crm_text_fold_words(const char *in, size_t len, unsigned flags, const char *separators, char *out, size_t cap);
/*
 * The edit distance between two byte strings (insertions, deletions,
 * substitutions and swaps of neighbours, each 1), or max + 1 when it is
 * above max: the work is a band of 2 * max + 1 cells a row. Strings longer
 * than CRM_MAX_SPELLING_KEY (limits.h) are never within max.
 */
size_t crm_text_distance(const char *a, size_t alen, const char *b, size_t blen, size_t max);
/* The byte length of the first n characters. */
size_t crm_text_prefix_len(const char *in, size_t len, size_t n);

/* Numbers: normalised text into out (the arena); 0, 1 with reason, or -1 on OOM. */
int crm_text_int(struct crm_arena *arena, const char *in, size_t len, const char **out, size_t *out_len, char *reason,
		 size_t reason_cap);
int crm_text_decimal(struct crm_arena *arena, const char *in, size_t len, const char **out, size_t *out_len,
		     char *reason, size_t reason_cap);
/* Rounds a decimal half away from zero to places decimals, written with exactly that many. */
int crm_text_round(struct crm_arena *arena, const char *in, size_t len, int places, const char **out, size_t *out_len,
		   char *reason, size_t reason_cap);
/* Compares two normalised decimals numerically: <0, 0, >0. */
int crm_text_decimal_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* The true/false words of the common CRMs; sets *value to 1 or 0. */
int crm_text_bool(const char *in, size_t len, int *value, char *reason, size_t reason_cap);

/* Checks an address without writing anything: 0, or 1 with reason. */
int crm_text_email_check(const char *in, size_t len, char *reason, size_t reason_cap);
/* Checks an address; writes it with a lower-case domain into the arena. */
int crm_text_email(struct crm_arena *arena, const char *in, size_t len, const char **out, size_t *out_len, char *reason,
		   size_t reason_cap);

enum crm_address_part {
	CRM_ADDR_STREET,
	CRM_ADDR_CITY,
	CRM_ADDR_STATE,
	CRM_ADDR_POSTAL_CODE,
	CRM_ADDR_COUNTRY,
};
/* Parses the name of a part ("street", "city", "state", "postal_code", "country"); -1 when unknown. */
int crm_address_part_parse(const char *name);
/*
 * One part of a one-field address written "street, city, state postal[, country]"
 * (lines or commas). A shape it cannot split with certainty is refused.
 */
int crm_text_split_address(struct crm_arena *arena, const char *in, size_t len, int part, const char **out,
			   size_t *out_len, char *reason, size_t reason_cap);

#endif
