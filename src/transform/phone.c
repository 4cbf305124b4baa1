/*
 * phone.c: E.164 normalisation. The national-number lengths per calling
 * code come from the ITU-T E.164 national numbering plans; the NANP (+1)
 * is checked strictly (area code and exchange cannot start with 0 or 1).
 */
#include "compat.h"
#include "transform/phone.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct country {
	const char *iso2;
	int cc;
	int min_len, max_len; /* national significant number */
};

static const struct country countries[] = {
	{"US", 1, 10, 10},  {"CA", 1, 10, 10}, {"GB", 44, 9, 10},  {"UK", 44, 9, 10},  {"DE", 49, 6, 13},
	{"FR", 33, 9, 9},   {"ES", 34, 9, 9},  {"IT", 39, 6, 11},  {"NL", 31, 9, 9},   {"BE", 32, 8, 9},
	{"CH", 41, 9, 9},   {"AT", 43, 4, 13}, {"IE", 353, 7, 9},  {"PT", 351, 9, 9},  {"SE", 46, 7, 13},
	{"NO", 47, 8, 8},   {"DK", 45, 8, 8},  {"FI", 358, 5, 12}, {"PL", 48, 9, 9},   {"CZ", 420, 9, 9},
	{"AU", 61, 9, 9},   {"NZ", 64, 8, 10}, {"JP", 81, 9, 10},  {"IN", 91, 10, 10}, {"BR", 55, 10, 11},
	{"MX", 52, 10, 10}, {"ZA", 27, 9, 9},  {"SG", 65, 8, 8},   {"HK", 852, 8, 8},  {"CN", 86, 10, 11},
	{"LU", 352, 4, 11},
};

int crm_phone_country_code(const char *iso2)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(countries); i++)
		if (strcasecmp(countries[i].iso2, iso2) == 0)
			return countries[i].cc;
	return 0;
}

static const struct country *by_code(int cc)
{
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(countries); i++)
		if (countries[i].cc == cc)
			return &countries[i];
	return NULL;
}

/* The calling code that starts digits (1 to 3 digits, by the table), or 0. */
static int leading_code(const char *digits, size_t n, size_t *code_len)
{
	size_t len;

	for (len = 1; len <= 3 && len < n; len++) {
		int cc = 0;
		size_t i;
		for (i = 0; i < len; i++)
			cc = cc * 10 + (digits[i] - '0');
		if (by_code(cc)) {
			*code_len = len;
			return cc;
		}
	}
	return 0;
}

/* "+<cc><nsn>" into out, by hand: snprintf's format parsing was a tenth of the rule's time. */
static int put_e164(char *out, int cc, const char *nsn, size_t nsn_len, char *reason, size_t reason_cap)
{
	char code[12];
	size_t code_len = 0, i;

	do
		code[code_len++] = (char)('0' + cc % 10);
	while ((cc /= 10) && code_len < sizeof(code));
	if (1 + code_len + nsn_len >= CRM_PHONE_MAX) {
		snprintf(reason, reason_cap, "has too many digits for a phone number");
		return 1;
	}
	out[0] = '+';
	for (i = 0; i < code_len; i++)
		out[1 + i] = code[code_len - 1 - i];
	memcpy(out + 1 + code_len, nsn, nsn_len);
	out[1 + code_len + nsn_len] = '\0';
	return 0;
}

int crm_phone_e164(const char *in, size_t len, int default_cc, char *out, char *reason, size_t reason_cap)
{
	char digits[32];
	size_t n = 0, i, code_len = 0;
	int plus = 0, cc = 0;
	const struct country *c;
	const char *nsn;
	size_t nsn_len;

	for (i = 0; i < len; i++) {
		char ch = in[i];
		if (ch >= '0' && ch <= '9') {
			if (n >= sizeof(digits) - 1) {
				snprintf(reason, reason_cap, "has too many digits for a phone number");
				return 1;
			}
			digits[n++] = ch;
		} else if (ch == '+' && n == 0 && !plus) {
			plus = 1;
		} else if (ch == ' ' || ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == '/' || ch == '\t') {
			continue;
		} else if (ch == 'x' || ch == 'X' || ch == '#' || ch == ';' || ch == ',' ||
			   (i + 2 < len && strncasecmp(in + i, "ext", 3) == 0)) {
			snprintf(reason, reason_cap, "has an extension, which E.164 cannot hold");
			return 1;
		} else {
			snprintf(reason, reason_cap, "has characters that are not part of a phone number");
			return 1;
		}
	}
	digits[n] = '\0';
	if (n == 0) {
		snprintf(reason, reason_cap, "has no digits");
		return 1;
	}
	if (!plus && n > 2 && digits[0] == '0' && digits[1] == '0') {
		/* 00 is the international prefix in most of the world */
		memmove(digits, digits + 2, n - 1);
		n -= 2;
		plus = 1;
	}
	if (plus) {
		cc = leading_code(digits, n, &code_len);
		if (!cc) {
			/* a calling code crmshift has no plan for: trust the + and check E.164's length only */
			if (n < 8 || n > 15) {
				snprintf(reason, reason_cap, "has %zu digits; E.164 allows 8 to 15", n);
				return 1;
			}
			snprintf(out, CRM_PHONE_MAX, "+%.15s", digits); /* n <= 15 here */
			return 0;
		}
		nsn = digits + code_len;
		nsn_len = n - code_len;
	} else {
		if (!default_cc) {
			snprintf(reason, reason_cap, "has no country code and the rule gives no default country");
			return 1;
		}
		cc = default_cc;
		nsn = digits;
		nsn_len = n;
		if (cc == 1 && n == 11 && digits[0] == '1') {
			nsn++;
			nsn_len--;
		} else if (cc != 1 && n > 1 && digits[0] == '0') {
			nsn++; /* the national trunk prefix */
			nsn_len--;
		}
	}
	c = by_code(cc);
	if (cc != 39 && nsn_len && nsn[0] == '0' && plus) {
		/* "+44 (0)20 ..." writes the trunk 0 after the country code */
		nsn++;
		nsn_len--;
	}
	if (c && (nsn_len < (size_t)c->min_len || nsn_len > (size_t)c->max_len)) {
		if (c->min_len == c->max_len)
			snprintf(reason, reason_cap, "has %zu digits after +%d; expected %d", nsn_len, cc, c->min_len);
		else
			snprintf(reason, reason_cap, "has %zu digits after +%d; expected %d to %d", nsn_len, cc,
				 c->min_len, c->max_len);
		return 1;
	}
	if (cc == 1 && (nsn[0] < '2' || nsn[3] < '2')) {
		snprintf(reason, reason_cap,
			 "is not a valid North American number (area code or exchange starts with 0 or 1)");
		return 1;
	}
	return put_e164(out, cc, nsn, nsn_len, reason, reason_cap);
}
