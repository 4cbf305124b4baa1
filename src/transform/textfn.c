/*
 * textfn.c: text and number functions. ASCII takes a fast path; anything
 * else goes through utf8proc's case tables, so Ä, ß-free upper/lower and
 * Greek or Cyrillic names are handled as Unicode says.
 */
#include "compat.h"
#include "transform/textfn.h"
#include "util/limits.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

size_t crm_text_chars(const char *in, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += ((unsigned char)in[i] & 0xC0) != 0x80;
	return n;
}

void crm_text_masked(const char *label, const char *ptr, size_t len, char *out, size_t cap)
{
	snprintf(out, cap, "<%s, %zu characters>", label, crm_text_chars(ptr, len));
}

size_t crm_text_prefix_len(const char *in, size_t len, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)in[i] & 0xC0) != 0x80) {
			if (chars == n)
				return i;
			chars++;
		}
	}
	return len;
}

/* The code point at in[*pos] (advancing pos), or -1 for a bad sequence. */
static utf8proc_int32_t next_cp(const char *in, size_t len, size_t *pos)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)in + *pos, (utf8proc_ssize_t)(len - *pos), &cp);

	if (n <= 0) {
		(*pos)++;
		return -1;
	}
	*pos += (size_t)n;
	return cp;
}

static int is_space_cp(utf8proc_int32_t cp)
{
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v')
		return 1;
	if (cp < 0x80)
		return 0;
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS || cp == 0x2028 || cp == 0x2029 || cp == 0x85;
}

void crm_text_trim(const char **ptr, size_t *len)
{
	const char *p = *ptr;
	size_t n = *len;

	for (;;) {
		size_t pos = 0;
		utf8proc_int32_t cp;
		if (!n)
			break;
		/* an ASCII byte is a whole character: most values start and end with one */
		if (!((unsigned char)p[0] & 0x80)) {
			if (!is_space_cp((unsigned char)p[0]))
				break;
			p++;
			n--;
			continue;
		}
		cp = next_cp(p, n, &pos);
		if (cp < 0 || !is_space_cp(cp))
			break;
		p += pos;
		n -= pos;
	}
	while (n) {
		size_t start = n - 1, pos;
		utf8proc_int32_t cp;
		if (!((unsigned char)p[start] & 0x80)) {
			if (!is_space_cp((unsigned char)p[start]))
				break;
			n = start;
			continue;
		}
		while (start > 0 && ((unsigned char)p[start] & 0xC0) == 0x80)
			start--;
		pos = start;
		cp = next_cp(p, n, &pos);
		if (cp < 0 || !is_space_cp(cp))
			break;
		n = start;
	}
	*ptr = p;
	*len = n;
}

long crm_text_fold_words(const char *in, size_t len, unsigned flags, const char *separators, char *out, size_t cap)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n = 0;
	size_t o = 0, i;
	int space = 0;

	/* ASCII folds to its lower case whatever the flags: most names need no utf8proc_map, nor its allocation */
	while ((size_t)n < len && !((unsigned char)in[n] & 0x80))
		n++;
	if ((size_t)n < len)
		n = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &folded,
				 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
					 (flags & CRM_FOLD_COMPAT ? UTF8PROC_COMPAT : 0) |
					 (flags & CRM_FOLD_STRIP_MARKS ? UTF8PROC_STRIPMARK : 0));
	out[0] = '\0';
	if (n < 0)
		return -1;
	for (i = 0; i < (size_t)n && o + 1 < cap; i++) {
		char c = folded ? (char)folded[i] : in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] + 32) : in[i];
		if (c && strchr(separators, c)) {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < cap)
			out[o++] = ' ';
		space = 0;
		out[o++] = c;
	}
	free(folded);
	out[o] = '\0';
	return (long)o;
}

char *crm_text_fold_key(struct crm_arena *arena, const char *in, size_t len, size_t *out_len)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &folded,
					  UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
	size_t pos = 0, o = 0;
	char *out;

	if (n < 0) {
		/* not UTF-8 (the readers validate, so only a caller's raw bytes): compared as they are */
		out = crm_arena_alloc(arena, len + 1);
		if (out) {
			memcpy(out, in, len);
			out[len] = '\0';
			*out_len = len;
		}
		return out;
	}
	out = crm_arena_alloc(arena, (size_t)n + 1);
	while (out && pos < (size_t)n) {
		size_t at = pos;
		utf8proc_int32_t cp = next_cp((const char *)folded, (size_t)n, &pos);
		utf8proc_category_t cat = cp < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(cp);
		if (cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO)
			continue; /* punctuation */
		if (cat >= UTF8PROC_CATEGORY_ZS && cat <= UTF8PROC_CATEGORY_ZP)
			continue; /* separators */
		if (cat == UTF8PROC_CATEGORY_CC)
			continue; /* tabs and other controls */
		memcpy(out + o, folded + at, pos - at);
		o += pos - at;
	}
	free(folded);
	if (out) {
		out[o] = '\0';
		*out_len = o;
	}
	return out;
}

size_t crm_text_distance(const char *a, size_t alen, const char *b, size_t blen, size_t max)
{
	/* three rows of the dynamic programme (the swap looks two back), cells outside the band are max + 1 */
	size_t rows[3][CRM_MAX_SPELLING_KEY + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	size_t i, j, far = max + 1;

	if ((alen > blen ? alen - blen : blen - alen) > max)
		return far;
	if (alen > CRM_MAX_SPELLING_KEY || blen > CRM_MAX_SPELLING_KEY)
		return far; /* keys this long are not compared by spelling */
	for (j = 0; j <= blen; j++)
		prev[j] = j <= max ? j : far;
	for (i = 1; i <= alen; i++) {
		size_t lo = i > max ? i - max : 1, hi = i + max < blen ? i + max : blen, best, *t;
		cur[0] = i <= max ? i : far;
		best = cur[0];
		for (j = 1; j <= blen; j++) {
			size_t d = far;
			if (j >= lo && j <= hi) {
				size_t cost = a[i - 1] != b[j - 1];
				d = prev[j - 1] + cost;
				if (prev[j] + 1 < d)
					d = prev[j] + 1;
				if (cur[j - 1] + 1 < d)
					d = cur[j - 1] + 1;
				if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
				    prev2[j - 2] + 1 < d)
					d = prev2[j - 2] + 1;
				if (d > far)
					d = far;
			}
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > max)
			return far;
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen] > max ? far : prev[blen];
}

static int is_word_break(utf8proc_int32_t cp)
{
	return is_space_cp(cp) || cp == '-' || cp == '\'' || cp == 0x2019 || cp == '(' || cp == '/' || cp == '.';
}

char *crm_text_case(struct crm_arena *arena, const char *in, size_t len, enum crm_case mode, size_t *out_len)
{
	char *out = crm_arena_alloc(arena, len * 4 + 1);
	size_t pos = 0, o = 0;
	int word_start = 1;

	if (!out)
		return NULL;
	while (pos < len) {
		unsigned char c = (unsigned char)in[pos];
		utf8proc_int32_t cp, mapped;
		int upper;
		if (c < 0x80) {
			cp = c;
			pos++;
		} else {
			size_t at = pos;
			cp = next_cp(in, len, &pos);
			if (cp < 0) {
				/* the reader validated the text; copy any stray byte as it is */
				out[o++] = in[at];
				continue;
			}
		}
		upper = mode == CRM_CASE_UPPER || (mode == CRM_CASE_TITLE && word_start);
		if (cp < 0x80)
			mapped = upper ? (cp >= 'a' && cp <= 'z' ? cp - 32 : cp)
				       : (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		else
			mapped = upper ? (mode == CRM_CASE_TITLE ? utf8proc_totitle(cp) : utf8proc_toupper(cp))
				       : utf8proc_tolower(cp);
		o += (size_t)utf8proc_encode_char(mapped, (utf8proc_uint8_t *)out + o);
		word_start = is_word_break(cp);
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

char *crm_text_collapse_ws(struct crm_arena *arena, const char *in, size_t len, size_t *out_len)
{
	char *out = crm_arena_alloc(arena, len + 1);
	size_t pos = 0, o = 0;
	int in_space = 0;

	if (!out)
		return NULL;
	crm_text_trim(&in, &len);
	while (pos < len) {
		size_t at = pos;
		utf8proc_int32_t cp;
		if (!((unsigned char)in[pos] & 0x80)) {
			/* an ASCII byte is a whole character, decoded by nobody */
			cp = (unsigned char)in[pos++];
			if (!is_space_cp(cp)) {
				in_space = 0;
				out[o++] = (char)cp;
				continue;
			}
		} else {
			cp = next_cp(in, len, &pos);
		}
		if (cp >= 0 && is_space_cp(cp)) {
			if (!in_space)
				out[o++] = ' ';
			in_space = 1;
			continue;
		}
		in_space = 0;
		memcpy(out + o, in + at, pos - at);
		o += pos - at;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* Splits a plain decimal into sign, integer digits and fraction digits; 0 when it is one. */
static int split_decimal(const char *in, size_t len, int *neg, const char **int_part, size_t *int_len,
			 const char **frac, size_t *frac_len)
{
	size_t pos = 0;

	*neg = 0;
	if (pos < len && (in[pos] == '-' || in[pos] == '+'))
		*neg = in[pos++] == '-';
	*int_part = in + pos;
	while (pos < len && in[pos] >= '0' && in[pos] <= '9')
		pos++;
	*int_len = (size_t)(in + pos - *int_part);
	*frac = in + pos;
	*frac_len = 0;
	if (pos < len && in[pos] == '.') {
		pos++;
		*frac = in + pos;
		while (pos < len && in[pos] >= '0' && in[pos] <= '9')
			pos++;
		*frac_len = (size_t)(in + pos - *frac);
	}
	if (pos != len || (*int_len == 0 && *frac_len == 0))
		return -1;
	while (*int_len > 1 && **int_part == '0') {
		(*int_part)++;
		(*int_len)--;
	}
	return 0;
}

/*
 * Splits a number that may be written in scientific notation, as Salesforce
 * and spreadsheets export large values (6.0E7, 8.48E10, 1.5e-3): the
 * mantissa's digits are moved by the exponent as text, never through binary
 * floating point, so 8.48E10 is exactly 84800000000. The scale follows what
 * was written (1.50E1 is 15.0). The parts point into in, or into the arena
 * when there is an exponent. 0; -1 when it is not a number; -2 when its
 * exponent is out of range (reason set); -3 out of memory.
 */
static int split_number(struct crm_arena *arena, const char *in, size_t len, int *neg, const char **int_part,
			size_t *int_len, const char **frac, size_t *frac_len, char *reason, size_t reason_cap)
{
	const char *e = NULL, *ip, *fp;
	size_t i, il, fl, digits;
	long exp = 0, point;
	char *d;

	for (i = 0; i < len; i++)
		if (in[i] == 'e' || in[i] == 'E') {
			e = in + i;
			break;
		}
	if (split_decimal(in, e ? (size_t)(e - in) : len, neg, int_part, int_len, frac, frac_len))
		return -1;
	if (!e)
		return 0;
	i = (size_t)(e - in) + 1;
	if (i < len && (in[i] == '+' || in[i] == '-'))
		i++;
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (in[i] < '0' || in[i] > '9')
			return -1;
		exp = exp * 10 + (in[i] - '0');
		if (exp > CRM_MAX_EXPONENT) {
			snprintf(reason, reason_cap, "has an exponent beyond %d", CRM_MAX_EXPONENT);
			return -2;
		}
	}
	if (e[1] == '-')
		exp = -exp;
	/* the digits of the mantissa as one run, the point moved by the exponent */
	ip = *int_part;
	il = *int_len;
	fp = *frac;
	fl = *frac_len;
	digits = il + fl;
	point = (long)il + exp;
	d = crm_arena_alloc(arena, digits + (size_t)(exp < 0 ? -exp : exp) + 2);
	if (!d)
		return -3;
	if (point <= 0) {
		/* 1.5E-3: no integer digits, the fraction starts with -point zeros */
		memset(d, '0', (size_t)-point);
		memcpy(d + -point, ip, il);
		memcpy(d + -point + il, fp, fl);
		*int_part = d;
		*int_len = 0;
		*frac = d;
		*frac_len = (size_t)-point + digits;
	} else if ((size_t)point >= digits) {
		/* 6.0E7: every digit is an integer digit, zeros follow */
		memcpy(d, ip, il);
		memcpy(d + il, fp, fl);
		memset(d + digits, '0', (size_t)point - digits);
		*int_part = d;
		*int_len = (size_t)point;
		*frac = d + point;
		*frac_len = 0;
	} else {
		memcpy(d, ip, il);
		memcpy(d + il, fp, fl);
		*int_part = d;
		*int_len = (size_t)point;
		*frac = d + point;
		*frac_len = digits - (size_t)point;
	}
	while (*int_len > 1 && **int_part == '0') {
		(*int_part)++;
		(*int_len)--;
	}
	return 0;
}

static void number_reason(const char *in, size_t len, char *reason, size_t reason_cap, const char *what)
{
	if (memchr(in, ',', len))
		snprintf(reason, reason_cap,
			 "is not %s (it has a comma: a thousands separator or a decimal comma is ambiguous)", what);
	else
		snprintf(reason, reason_cap, "is not %s", what);
}

static int all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '0')
			return 0;
	return 1;
}

int crm_text_int(struct crm_arena *arena, const char *in, size_t len, const char **out, size_t *out_len, char *reason,
		 size_t reason_cap)
{
	const char *ip, *fp;
	size_t il, fl;
	int neg, rc;
	char *o;

	rc = split_number(arena, in, len, &neg, &ip, &il, &fp, &fl, reason, reason_cap);
	if (rc == -3)
		return -1;
	if (rc == -1)
		number_reason(in, len, reason, reason_cap, "a whole number");
	if (rc)
		return 1;
	if (!all_zero(fp, fl)) {
		snprintf(reason, reason_cap, "is not a whole number (it has a fraction)");
		return 1;
	}
	if (il == 0) {
		number_reason(in, len, reason, reason_cap, "a whole number");
		return 1;
	}
	if (il > 18) {
		snprintf(reason, reason_cap, "is too large for a whole number (more than 18 digits)");
		return 1;
	}
	if (all_zero(ip, il))
		neg = 0;
	o = crm_arena_alloc(arena, il + 2);
	if (!o)
		return -1;
	*out_len = 0;
	if (neg)
		o[(*out_len)++] = '-';
	memcpy(o + *out_len, ip, il);
	*out_len += il;
	o[*out_len] = '\0';
	*out = o;
	return 0;
}

int crm_text_decimal(struct crm_arena *arena, const char *in, size_t len, const char **out, size_t *out_len,
		     char *reason, size_t reason_cap)
{
	const char *ip, *fp;
	size_t il, fl, n = 0;
	int neg, rc;
	char *o;

	rc = split_number(arena, in, len, &neg, &ip, &il, &fp, &fl, reason, reason_cap);
	if (rc == -3)
		return -1;
	if (rc == -1)
		number_reason(in, len, reason, reason_cap, "a decimal number");
	if (rc)
		return 1;
	if (il + fl > 38) {
		snprintf(reason, reason_cap, "has more than 38 digits");
		return 1;
	}
	if (all_zero(ip, il) && all_zero(fp, fl))
		neg = 0;
	o = crm_arena_alloc(arena, il + fl + 4);
	if (!o)
		return -1;
	if (neg)
		o[n++] = '-';
	if (il == 0)
		o[n++] = '0';
	memcpy(o + n, ip, il);
	n += il;
	if (fl) {
		/* the scale is kept as written: 12.50 stays 12.50, as money should */
		o[n++] = '.';
		memcpy(o + n, fp, fl);
		n += fl;
	}
	o[n] = '\0';
	*out = o;
	*out_len = n;
	return 0;
}

int crm_text_round(struct crm_arena *arena, const char *in, size_t len, int places, const char **out, size_t *out_len,
		   char *reason, size_t reason_cap)
{
	const char *ip, *fp;
	size_t il, fl, i, n;
	int neg, carry, rc;
	char *digits, *o;

	rc = split_number(arena, in, len, &neg, &ip, &il, &fp, &fl, reason, reason_cap);
	if (rc == -3)
		return -1;
	if (rc == -1)
		number_reason(in, len, reason, reason_cap, "a decimal number");
	if (rc)
		return 1;
	/* digits = integer part, then exactly `places` fraction digits, with one leading 0 for the carry */
	n = 1 + il + (size_t)places;
	digits = crm_arena_alloc(arena, n + 1);
	o = crm_arena_alloc(arena, n + 4);
	if (!digits || !o)
		return -1;
	digits[0] = '0';
	memcpy(digits + 1, ip, il);
	for (i = 0; i < (size_t)places; i++)
		digits[1 + il + i] = i < fl ? fp[i] : '0';
	carry = fl > (size_t)places && fp[places] >= '5';
	for (i = n; carry && i-- > 0;) {
		if (digits[i] == '9') {
			digits[i] = '0';
		} else {
			digits[i]++;
			carry = 0;
		}
	}
	{
		size_t start = 0, int_digits = 1 + il, k = 0;
		while (start + 1 < int_digits && digits[start] == '0')
			start++;
		if (neg && !all_zero(digits, n))
			o[k++] = '-';
		memcpy(o + k, digits + start, int_digits - start);
		k += int_digits - start;
		if (places > 0) {
			o[k++] = '.';
			memcpy(o + k, digits + int_digits, (size_t)places);
			k += (size_t)places;
		}
		o[k] = '\0';
		*out = o;
		*out_len = k;
	}
	return 0;
}

int crm_text_decimal_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ai, *af, *bi, *bf;
	size_t ail, afl, bil, bfl, i;
	int aneg, bneg, sign, c = 0;

	if (split_decimal(a, alen, &aneg, &ai, &ail, &af, &afl) || split_decimal(b, blen, &bneg, &bi, &bil, &bf, &bfl))
		return 0;
	if (all_zero(ai, ail) && all_zero(af, afl))
		aneg = 0;
	if (all_zero(bi, bil) && all_zero(bf, bfl))
		bneg = 0;
	if (aneg != bneg)
		return aneg ? -1 : 1;
	sign = aneg ? -1 : 1;
	if (ail != bil)
		return ail < bil ? -sign : sign;
	c = memcmp(ai, bi, ail);
	if (c)
		return c < 0 ? -sign : sign;
	for (i = 0; i < afl || i < bfl; i++) {
		char x = i < afl ? af[i] : '0', y = i < bfl ? bf[i] : '0';
		if (x != y)
			return x < y ? -sign : sign;
	}
	return 0;
}

int crm_text_bool(const char *in, size_t len, int *value, char *reason, size_t reason_cap)
{
	static const char *const yes[] = {"true", "t", "yes", "y", "1", "on", "checked", "x"};
	static const char *const no[] = {"false", "f", "no", "n", "0", "off", "unchecked"};
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(yes); i++)
		if (strlen(yes[i]) == len && strncasecmp(yes[i], in, len) == 0) {
			*value = 1;
			return 0;
		}
	for (i = 0; i < CRM_ARRAY_COUNT(no); i++)
		if (strlen(no[i]) == len && strncasecmp(no[i], in, len) == 0) {
			*value = 0;
			return 0;
		}
	snprintf(reason, reason_cap, "is not a boolean (true/false, yes/no, 1/0, y/n, on/off, checked/unchecked)");
	return 1;
}

static int email_local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
	       strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

int crm_text_email_check(const char *in, size_t len, char *reason, size_t reason_cap)
{
	const char *at = memchr(in, '@', len);
	size_t local_len, i, label_len = 0, dots = 0, last_dot = 0;

	if (!at || memchr(at + 1, '@', len - (size_t)(at - in) - 1)) {
		snprintf(reason, reason_cap, "is not an e-mail address (it needs exactly one @)");
		return 1;
	}
	local_len = (size_t)(at - in);
	if (local_len == 0 || local_len > 64 || in[0] == '.' || in[local_len - 1] == '.') {
		snprintf(reason, reason_cap, "is not an e-mail address (bad part before the @)");
		return 1;
	}
	for (i = 0; i < local_len; i++)
		if (!email_local_char((unsigned char)in[i]) || (in[i] == '.' && in[i + 1] == '.')) {
			snprintf(reason, reason_cap, "is not an e-mail address (bad character before the @)");
			return 1;
		}
	for (i = local_len + 1; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '.') {
			if (label_len == 0 || in[i - 1] == '-')
				goto bad_domain;
			dots++;
			last_dot = i;
			label_len = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
			   (c == '-' && label_len > 0)) {
			label_len++;
		} else {
			goto bad_domain;
		}
	}
	if (!dots || label_len < 2 || len - last_dot - 1 < 2)
		goto bad_domain;
	return 0;
bad_domain:
	snprintf(reason, reason_cap, "is not an e-mail address (bad domain after the @)");
	return 1;
}

int crm_text_email(struct crm_arena *arena, const char *in, size_t len, const char **out, size_t *out_len, char *reason,
		   size_t reason_cap)
{
	size_t i, local_len;
	char *o;
	int rc = crm_text_email_check(in, len, reason, reason_cap);

	if (rc)
		return rc;
	local_len = (size_t)((const char *)memchr(in, '@', len) - in);
	o = crm_arena_alloc(arena, len + 1);
	if (!o)
		return -1;
	memcpy(o, in, len);
	for (i = local_len + 1; i < len; i++)
		if (o[i] >= 'A' && o[i] <= 'Z')
			o[i] = (char)(o[i] + 32);
	o[len] = '\0';
	*out = o;
	*out_len = len;
	return 0;
}

int crm_address_part_parse(const char *name)
{
	static const char *const names[] = {"street", "city", "state", "postal_code", "country"};
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(names); i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	if (strcmp(name, "zip") == 0 || strcmp(name, "postal") == 0)
		return CRM_ADDR_POSTAL_CODE;
	return -1;
}

static int has_digit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= '0' && p[i] <= '9')
			return 1;
	return 0;
}

int crm_text_split_address(struct crm_arena *arena, const char *in, size_t len, int part, const char **out,
			   size_t *out_len, char *reason, size_t reason_cap)
{
	const char *parts[16];
	size_t lens[16], count = 0, pos = 0, city, region;

	(void)arena;
	while (pos <= len && count < CRM_ARRAY_COUNT(parts)) {
		size_t end = pos;
		while (end < len && in[end] != ',' && in[end] != '\n' && in[end] != '\r')
			end++;
		parts[count] = in + pos;
		lens[count] = end - pos;
		crm_text_trim(&parts[count], &lens[count]);
		if (lens[count])
			count++;
		pos = end + 1;
	}
	if (count < 3) {
		snprintf(reason, reason_cap, "does not read as 'street, city, state postal[, country]'");
		return 1;
	}
	/* a last part without digits after the 'state postal' part is the country */
	region = count - 1;
	if (!has_digit(parts[region], lens[region]) && has_digit(parts[region - 1], lens[region - 1]) && count >= 4)
		region--;
	city = region - 1;
	if (!has_digit(parts[region], lens[region])) {
		snprintf(reason, reason_cap, "has no postal code where 'state postal' is expected");
		return 1;
	}
	switch (part) {
	case CRM_ADDR_STREET:
		/* everything before the city, commas and all */
		*out = parts[0];
		*out_len = (size_t)(parts[city - 1] + lens[city - 1] - parts[0]);
		return 0;
	case CRM_ADDR_CITY:
		*out = parts[city];
		*out_len = lens[city];
		return 0;
	case CRM_ADDR_COUNTRY:
		*out = region + 1 < count ? parts[region + 1] : "";
		*out_len = region + 1 < count ? lens[region + 1] : 0;
		return 0;
	default: {
		/* "IL 62704": the last token is the postal code, the rest the state */
		const char *r = parts[region];
		size_t rl = lens[region], split = rl;
		while (split > 0 && r[split - 1] != ' ')
			split--;
		if (part == CRM_ADDR_POSTAL_CODE) {
			*out = r + split;
			*out_len = rl - split;
		} else {
			*out = r;
			*out_len = split;
			crm_text_trim(out, out_len);
		}
		return 0;
	}
	}
}
