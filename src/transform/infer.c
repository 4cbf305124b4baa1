/*
 * infer.c: value kinds, shapes, date order, personal-data guesses. The
 * tests are cheap first checks (length, first byte) before the validators,
 * because profile runs each of them on every value of every column.
 */
#include "compat.h"
#include "transform/infer.h"
#include "model/schema.h"
#include "transform/datetime.h"
#include "transform/phone.h"
#include "transform/sfid.h"
#include "transform/textfn.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_int(const char *p, size_t len)
{
	size_t i = 0;

	if (len && (p[0] == '-' || p[0] == '+'))
		i = 1;
	if (i == len || len - i > 18)
		return 0;
	/* a leading zero makes a code (a postcode, an account number), not a number */
	if (p[i] == '0' && len - i > 1)
		return 0;
	for (; i < len; i++)
		if (!is_digit(p[i]))
			return 0;
	return 1;
}

/*
 * 12.50, or a number in scientific notation as Salesforce exports large
 * values (6.0E7, 8.48E10: a mantissa without a leading zero, an exponent of
 * one or two digits, so that codes such as 00E12 stay text).
 */
static int is_decimal(const char *p, size_t len)
{
	size_t i = 0, digits = 0, dots = 0, start, exp_digits = 0;

	if (len && (p[0] == '-' || p[0] == '+'))
		i = 1;
	start = i;
	for (; i < len; i++) {
		if (is_digit(p[i]))
			digits++;
		else if (p[i] == '.' && !dots)
			dots++;
		else
			break;
	}
	if (i == len)
		return digits > 0 && dots == 1;
	if ((p[i] != 'e' && p[i] != 'E') || !digits || (p[start] == '0' && start + 1 < len && p[start + 1] != '.'))
		return 0;
	i++;
	if (i < len && (p[i] == '-' || p[i] == '+'))
		i++;
	for (; i < len; i++, exp_digits++)
		if (!is_digit(p[i]))
			return 0;
	return exp_digits >= 1 && exp_digits <= 2;
}

static int is_bool(const char *p, size_t len)
{
	static const char *const words[] = {"true", "false", "yes", "no", "y", "n", "t", "f"};
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(words); i++)
		if (strlen(words[i]) == len && strncasecmp(words[i], p, len) == 0)
			return 1;
	return 0;
}

/* YYYYMMDD as written by Febrl and many mainframes: a calendar date from 1800 to 2100 */
static int is_compact_date(const char *p, size_t len)
{
	int y, m, d;
	size_t i;

	if (len != 8)
		return 0;
	for (i = 0; i < 8; i++)
		if (!is_digit(p[i]))
			return 0;
	y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	m = (p[4] - '0') * 10 + (p[5] - '0');
	d = (p[6] - '0') * 10 + (p[7] - '0');
	return y >= 1800 && y <= 2100 && crm_dt_valid_date(y, m, d);
}

size_t crm_infer_numeric_date(const char *p, size_t len, int *a, int *b, int *year)
{
	int part[3] = {0, 0, 0};
	size_t i = 0, k, n;
	char sep = 0;

	for (k = 0; k < 3; k++) {
		for (n = 0; i < len && is_digit(p[i]) && n < 4; n++, i++)
			part[k] = part[k] * 10 + (p[i] - '0');
		if (n == 0 || (k < 2 && n > 2) || (k == 2 && n != 2 && n != 4))
			return 0;
		if (k < 2) {
			if (i >= len || (p[i] != '/' && p[i] != '.' && p[i] != '-') || (sep && p[i] != sep))
				return 0;
			sep = p[i++];
		}
	}
	if (i < len && is_digit(p[i]))
		return 0;
	*a = part[0];
	*b = part[1];
	*year = part[2] < 100 ? part[2] + 2000 : part[2];
	return i;
}

enum crm_date_order crm_infer_date_order(const char *p, size_t len)
{
	int a, b, year, as_dm, as_md;

	if (!crm_infer_numeric_date(p, len, &a, &b, &year))
		return CRM_DATE_NOT_NUMERIC;
	as_dm = crm_dt_valid_date(year, b, a);
	as_md = crm_dt_valid_date(year, a, b);
	if (as_dm && as_md)
		return a == b ? CRM_DATE_SAME : CRM_DATE_AMBIGUOUS;
	if (as_dm)
		return CRM_DATE_DAY_FIRST;
	if (as_md)
		return CRM_DATE_MONTH_FIRST;
	return CRM_DATE_INVALID;
}

/* the rest of a value after a date: a time of day ("09:30", "9:30:15", "02:15 PM"), nothing else */
static int is_time_tail(const char *p, size_t len)
{
	size_t i = 0, n;

	if (i < len && (p[i] == ' ' || p[i] == 'T'))
		i++;
	else
		return 0;
	for (n = 0; i < len && is_digit(p[i]); i++)
		n++;
	if (n < 1 || n > 2 || i >= len || p[i] != ':')
		return 0;
	for (i++, n = 0; i < len && is_digit(p[i]); i++)
		n++;
	if (n != 2)
		return 0;
	if (i < len && p[i] == ':')
		for (i++; i < len && (is_digit(p[i]) || p[i] == '.'); i++)
			;
	while (i < len && p[i] == ' ')
		i++;
	if (len - i == 2 && (strncasecmp(p + i, "AM", 2) == 0 || strncasecmp(p + i, "PM", 2) == 0))
		i += 2;
	return i == len;
}

static unsigned date_kinds(const char *p, size_t len)
{
	char out[CRM_DT_MAX], reason[128];
	int a, b, year;
	size_t used;
	struct crm_tz utc = {0, 0, "UTC"};

	if (len >= 10 && is_digit(p[0]) && p[4] == '-') {
		if (len == 10)
			return crm_date_normalize(p, len, out, reason, sizeof(reason)) == 0 ? 1u << CRM_KIND_DATE : 0;
		return crm_datetime_normalize(p, len, &utc, out, reason, sizeof(reason)) == 0 ? 1u << CRM_KIND_DATETIME
											      : 0;
	}
	if (is_compact_date(p, len))
		return 1u << CRM_KIND_DATE;
	used = crm_infer_numeric_date(p, len, &a, &b, &year);
	if (used && crm_infer_date_order(p, used) != CRM_DATE_INVALID) {
		if (used == len)
			return 1u << CRM_KIND_DATE;
		if (is_time_tail(p + used, len - used))
			return 1u << CRM_KIND_DATETIME;
	}
	return 0;
}

static int is_phone(const char *p, size_t len)
{
	char out[CRM_PHONE_MAX], reason[96];
	size_t i, digits = 0;
	int separated = 0;

	if (len < 7 || len > 24)
		return 0;
	for (i = 0; i < len; i++) {
		if (is_digit(p[i]))
			digits++;
		else if (strchr("+ -.()/", p[i]))
			separated = 1;
		else
			return 0;
	}
	if (!separated || digits < 7 || digits > 15)
		return 0;
	return crm_phone_e164(p, len, 1, out, reason, sizeof(reason)) == 0;
}

static int is_email(const char *p, size_t len)
{
	char reason[96];

	return memchr(p, '@', len) && crm_text_email_check(p, len, reason, sizeof(reason)) == 0;
}

static int is_url(const char *p, size_t len)
{
	size_t i, last_dot = 0, host_end = len;

	if ((len > 7 && strncasecmp(p, "http://", 7) == 0) || (len > 8 && strncasecmp(p, "https://", 8) == 0))
		return !memchr(p, ' ', len);
	/* a bare host name: letters, digits, dots and dashes, ending in a 2 to 6 letter label */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '/') {
			host_end = i;
			break;
		}
		if (c == '.')
			last_dot = i;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit((char)c) || c == '-'))
			return 0;
	}
	if (!last_dot || host_end - last_dot - 1 < 2 || host_end - last_dot - 1 > 6)
		return 0;
	for (i = last_dot + 1; i < host_end; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')))
			return 0;
	return 1;
}

static int is_sfid(const char *p, size_t len)
{
	char out[CRM_SFID_LEN + 1], reason[96];
	size_t i;
	int digits = 0, letters = 0;

	if (len != 15 && len != 18)
		return 0;
	for (i = 0; i < len; i++) {
		digits += is_digit(p[i]);
		letters += is_letter((unsigned char)p[i]);
	}
	/* an id has a key prefix and a zero-padded serial: digits and letters both */
	return digits >= 3 && letters >= 1 && crm_sfid_normalize(p, len, out, reason, sizeof(reason)) == 0;
}

unsigned crm_infer_kinds(const char *p, size_t len)
{
	unsigned kinds = 0;

	if (!len)
		return 0;
	if (is_bool(p, len))
		kinds |= 1u << CRM_KIND_BOOL;
	if (is_int(p, len))
		kinds |= 1u << CRM_KIND_INT | 1u << CRM_KIND_DECIMAL;
	else if (is_decimal(p, len))
		kinds |= 1u << CRM_KIND_DECIMAL;
	if (is_digit(p[0]))
		kinds |= date_kinds(p, len);
	if (is_email(p, len))
		kinds |= 1u << CRM_KIND_EMAIL;
	else if (is_url(p, len))
		kinds |= 1u << CRM_KIND_URL;
	if (is_phone(p, len))
		kinds |= 1u << CRM_KIND_PHONE;
	if (is_sfid(p, len))
		kinds |= 1u << CRM_KIND_SFID;
	return kinds;
}

const char *crm_kind_name(enum crm_kind kind)
{
	static const char *const names[] = {"bool",  "int",   "decimal", "date", "datetime",
					    "email", "phone", "url",	 "id"};

	return (size_t)kind < CRM_ARRAY_COUNT(names) ? names[kind] : "text";
}

size_t crm_infer_shape(const char *p, size_t len, char *out, size_t cap)
{
	static const char long_text[] = "<long text>";
	size_t i, n = 0;

	for (i = 0; i < len;) {
		unsigned char c = (unsigned char)p[i];
		char emit;
		if (is_digit((char)c)) {
			emit = 'd';
			i++;
		} else if (is_letter(c)) {
			emit = 'a';
			while (i < len && is_letter((unsigned char)p[i]))
				i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			emit = ' ';
			while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
				i++;
		} else {
			emit = (char)c;
			i++;
		}
		if (n + 1 >= cap) {
			n = sizeof(long_text) - 1 < cap ? sizeof(long_text) - 1 : cap - 1;
			memcpy(out, long_text, n);
			out[n] = '\0';
			return n;
		}
		out[n++] = emit;
	}
	out[n] = '\0';
	return n;
}

static int has_any(const char *key, const char *const *words, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strstr(key, words[i]))
			return 1;
	return 0;
}

/*
 * The part of a column's name that says what it holds. A JSON export's
 * flattened path is named by its leaf: email.0.label holds a label,
 * properties.email an address, and a list item's "value" is its parent's
 * (email.0.value). Indexes are skipped.
 */
static void name_leaf(const char *column, char *out, size_t cap)
{
	const char *seg[2] = {NULL, NULL}; /* the last two segments that are not indexes */
	size_t len[2] = {0, 0};
	const char *p = column;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		size_t i = 0;
		while (i < n && is_digit(p[i]))
			i++;
		if (n && i < n) {
			seg[0] = seg[1], len[0] = len[1];
			seg[1] = p, len[1] = n;
		}
		if (!dot)
			break;
		p = dot + 1;
	}
	if (!seg[1]) {
		snprintf(out, cap, "%s", column);
		return;
	}
	if (seg[0] && len[1] == 5 && !strncasecmp(seg[1], "value", 5))
		seg[1] = seg[0], len[1] = len[0];
	snprintf(out, cap, "%.*s", (int)len[1], seg[1]);
}

/*
 * Whether a name's last word says it holds something about the value, not
 * the value: email_messages_count, Phone_Type__c, email_status, a list
 * item's label or primary flag.
 */
static int names_attribute(const char *name)
{
	static const char *const words[] = {"count", "label", "type", "primary", "status", "flag", "verified"};
	size_t n = strlen(name), end, start, i;

	if (n > 3 && !strcmp(name + n - 3, "__c"))
		n -= 3;
	end = n;
	while (end > 0 && !is_letter((unsigned char)name[end - 1]))
		end--;
	start = end;
	while (start > 0 && is_letter((unsigned char)name[start - 1]) &&
	       !(name[start] >= 'A' && name[start] <= 'Z' && name[start - 1] >= 'a' && name[start - 1] <= 'z'))
		start--;
	for (i = 0; i < CRM_ARRAY_COUNT(words); i++)
		if (end - start == strlen(words[i]) && !strncasecmp(name + start, words[i], end - start))
			return 1;
	return 0;
}

enum crm_pii_kind crm_infer_pii_name(const char *column, int person)
{
	static const char *const email[] = {"email"};
	static const char *const phone[] = {"phone", "mobile", "fax", "telephone", "cell"};
	static const char *const name[] = {"firstname", "lastname",   "givenname",  "surname",
					   "fullname",	"middlename", "familyname", "maidenname"};
	static const char *const address[] = {"street", "address", "postalcode", "postcode", "zip"};
	static const char *const national[] = {"ssn", "socsec", "socialsecurity", "nationalid", "passport", "taxid"};
	char leaf[256], key[256];

	name_leaf(column, leaf, sizeof(leaf));
	if (names_attribute(leaf))
		return CRM_PII_KIND_NONE;
	crm_schema_name_key(leaf, key, sizeof(key));
	/* an opt-out flag or a consent column names e-mail without holding an address */
	if (strstr(key, "optout") || strstr(key, "optedout") || strstr(key, "bounce") || strstr(key, "consent"))
		return CRM_PII_KIND_NONE;
	if (has_any(key, national, CRM_ARRAY_COUNT(national)))
		return CRM_PII_KIND_NATIONAL_ID;
	/* a company's switchboard or info@ address is business data; a person's is personal */
	if (person && has_any(key, email, CRM_ARRAY_COUNT(email)))
		return CRM_PII_KIND_EMAIL;
	/* "dob" whole, or at an end: merged_object_ids holds "dob" by accident */
	if (strstr(key, "birth") || !strncmp(key, "dob", 3) ||
	    (strlen(key) > 3 && !strcmp(key + strlen(key) - 3, "dob")))
		return CRM_PII_KIND_BIRTH_DATE;
	if (person && has_any(key, phone, CRM_ARRAY_COUNT(phone)) && !strstr(key, "donotcall"))
		return CRM_PII_KIND_PHONE;
	if (has_any(key, name, CRM_ARRAY_COUNT(name)) || (person && strcmp(key, "name") == 0))
		return CRM_PII_KIND_NAME;
	if (person && has_any(key, address, CRM_ARRAY_COUNT(address)))
		return CRM_PII_KIND_ADDRESS;
	return CRM_PII_KIND_NONE;
}

const char *crm_pii_kind_name(enum crm_pii_kind kind)
{
	static const char *const names[] = {"", "email", "phone", "birth date", "name", "address", "national id"};

	return names[kind];
}

long crm_infer_lossy(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i;

	if (memchr(p, '=', len) || memchr(p, '&', len) || (len > 3 && memmem(p, len, "://", 3)))
		return -1; /* a URL or a query: its '?' is its own */
	for (i = 1; i + 1 < len; i++)
		if (u[i] == '?' && is_letter(u[i - 1]) && is_letter(u[i + 1]))
			return (long)i;
	return -1;
}

long crm_infer_mojibake(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		const unsigned char *u = (const unsigned char *)p + i;
		size_t left = len - i;
		if (u[0] < 0xC2)
			continue;
		/* "Ã" or "Â" followed by a Latin-1 supplement character: UTF-8 read as Windows-1252 */
		if (u[0] == 0xC3 && (u[1] == 0x83 || u[1] == 0x82) && left >= 4 && (u[2] == 0xC2 || u[2] == 0xC3) &&
		    u[3] >= 0x80 && u[3] <= 0xBF)
			return (long)i;
		/* "â€" (U+00E2 U+20AC): the lead bytes of a UTF-8 punctuation mark read as Windows-1252 */
		if (u[0] == 0xC3 && u[1] == 0xA2 && left >= 5 && u[2] == 0xE2 && u[3] == 0x82 && u[4] == 0xAC)
			return (long)i;
		/* "√" (U+221A) followed by a letter, or "‚Ä" (U+201A U+00C4): UTF-8 read as Mac Roman */
		if (u[0] == 0xE2 && left >= 4 && u[1] == 0x88 && u[2] == 0x9A && u[3] != ' ' && u[3] > 0x40)
			return (long)i;
		if (u[0] == 0xE2 && left >= 5 && u[1] == 0x80 && u[2] == 0x9A && u[3] == 0xC3 && u[4] == 0x84)
			return (long)i;
		/* U+FFFD: a decoder already gave up on a byte */
		if (u[0] == 0xEF && left >= 3 && u[1] == 0xBF && u[2] == 0xBD)
			return (long)i;
	}
	return -1;
}
