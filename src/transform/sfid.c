/*
 * sfid.c: the suffix is computed, never looked up; a 15-character id is
 * taken as written, since its case is the only thing that tells records
 * apart.
 */
#include "compat.h"
#include "transform/sfid.h"

#include <stdio.h>
#include <string.h>

static const char suffix_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void suffix_of(const char *id15, char *suffix)
{
	int chunk, j;

	for (chunk = 0; chunk < 3; chunk++) {
		unsigned bits = 0;
		for (j = 0; j < 5; j++) {
			char c = id15[chunk * 5 + j];
			if (c >= 'A' && c <= 'Z')
				bits |= 1u << j;
		}
		suffix[chunk] = suffix_alphabet[bits];
	}
}

/* Gives the letters of id (15) the case the suffix records; 1 when the suffix is not of that alphabet. */
static int apply_case(char *id, const char *suffix)
{
	int chunk, j;

	for (chunk = 0; chunk < 3; chunk++) {
		const char *at =
			strchr(suffix_alphabet,
			       suffix[chunk] >= 'a' && suffix[chunk] <= 'z' ? suffix[chunk] - 32 : suffix[chunk]);
		unsigned bits;
		if (!at || !*at)
			return 1;
		bits = (unsigned)(at - suffix_alphabet);
		for (j = 0; j < 5; j++) {
			char *c = &id[chunk * 5 + j];
			if (bits & (1u << j)) {
				if (*c >= 'a' && *c <= 'z')
					*c = (char)(*c - 32);
			} else if (*c >= 'A' && *c <= 'Z') {
				*c = (char)(*c + 32);
			}
		}
	}
	return 0;
}

int crm_sfid_normalize(const char *in, size_t len, char *out, char *reason, size_t reason_cap)
{
	char suffix[3];
	size_t i;
	int lower = 0, upper = 0;

	if (len != 15 && len != 18) {
		snprintf(reason, reason_cap, "is not a Salesforce id (%zu characters, not 15 or 18)", len);
		return 1;
	}
	for (i = 0; i < len; i++)
		if (!is_alnum(in[i])) {
			snprintf(reason, reason_cap, "is not a Salesforce id (character %zu is not a letter or digit)",
				 i + 1);
			return 1;
		}
	memcpy(out, in, len);
	out[CRM_SFID_LEN] = '\0';
	suffix_of(out, suffix);
	if (len == 15) {
		memcpy(out + 15, suffix, 3);
		return 0;
	}
	if (memcmp(out + 15, suffix, 3) == 0)
		return 0;
	for (i = 0; i < 15; i++) {
		lower |= in[i] >= 'a' && in[i] <= 'z';
		upper |= in[i] >= 'A' && in[i] <= 'Z';
	}
	if (!(lower && upper) && apply_case(out, in + 15) == 0) {
		/* the case was lost (all one case): the suffix says what it was */
		for (i = 15; i < 18; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 32);
		suffix_of(out, suffix);
		if (memcmp(out + 15, suffix, 3) == 0)
			return 0;
	}
	snprintf(reason, reason_cap, "is not a Salesforce id (its last 3 characters do not match the first 15)");
	return 1;
}
