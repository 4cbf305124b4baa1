/*
 * infer.h: what a value or a column name looks like, for `profile` and for
 * drafting mappings. Every judgement here is a guess made to help a person
 * decide, never a rule applied to data: the rule language (program.h) is
 * what loads and rejects.
 *
 * The kind tests reuse the validators the rules use (e-mail, phone, date,
 * boolean), so "looks like an e-mail" means "email would accept it".
 */
#ifndef CRM_INFER_H
#define CRM_INFER_H

#include "compat.h"

enum crm_kind {
	CRM_KIND_BOOL,
	CRM_KIND_INT,
	CRM_KIND_DECIMAL,
	CRM_KIND_DATE,	   /* ISO, a numeric d/m/y date or YYYYMMDD */
	CRM_KIND_DATETIME, /* a date with a time of day */
	CRM_KIND_EMAIL,
	CRM_KIND_PHONE, /* phone characters with a separator or a +, 7 to 15 digits */
	CRM_KIND_URL,
	CRM_KIND_SFID, /* a Salesforce record id: 15 characters, or 18 with a valid suffix */
	CRM_KIND_COUNT
};

/* The kinds (1u << CRM_KIND_*) that (ptr, len), already trimmed, could be. */
unsigned crm_infer_kinds(const char *ptr, size_t len);
const char *crm_kind_name(enum crm_kind kind);

/*
 * The shape of a value: each digit is 'd', each run of letters one 'a',
 * each run of blanks one space, anything else itself: "(415) 555-0132" is
 * "(ddd) ddd-dddd", "07/15/1986" is "dd/dd/dddd". A value whose shape would
 * pass cap - 1 bytes gives "<long text>". Returns the shape's length.
 */
size_t crm_infer_shape(const char *ptr, size_t len, char *out, size_t cap);

/* How a numeric date written n/n/yyyy (or with . or -) reads. */
enum crm_date_order {
	CRM_DATE_NOT_NUMERIC, /* not of that form (ISO dates are not) */
	CRM_DATE_AMBIGUOUS,   /* a valid date read either way, and two different dates */
	CRM_DATE_SAME,	      /* day and month equal: one date either way */
	CRM_DATE_DAY_FIRST,   /* valid only as DD/MM */
	CRM_DATE_MONTH_FIRST, /* valid only as MM/DD */
	CRM_DATE_INVALID,     /* valid in neither order */
};

enum crm_date_order crm_infer_date_order(const char *ptr, size_t len);
/*
 * Reads a numeric date at the start of (ptr, len): n/n/yy or n/n/yyyy, with
 * '/', '.' or '-' (one kind). Sets its first and second numbers and the year
 * (two digits are 20yy); returns the bytes it took, 0 when it is not one.
 */
size_t crm_infer_numeric_date(const char *ptr, size_t len, int *first, int *second, int *year);

/* The personal data a column holds, guessed from its name or its values. */
enum crm_pii_kind {
	CRM_PII_KIND_NONE,
	CRM_PII_KIND_EMAIL,
	CRM_PII_KIND_PHONE,
	CRM_PII_KIND_BIRTH_DATE,
	CRM_PII_KIND_NAME,
	CRM_PII_KIND_ADDRESS,
	CRM_PII_KIND_NATIONAL_ID,
};

/*
 * The guess from a column's name. person: the column belongs to people; a
 * bare "Name" is then a person's, and e-mail and phone columns of anything
 * else (an account's switchboard) are not personal.
 */
enum crm_pii_kind crm_infer_pii_name(const char *column, int person);
const char *crm_pii_kind_name(enum crm_pii_kind kind);

/*
 * Byte offset of the first sign of mojibake in valid UTF-8 text (UTF-8 read
 * as Windows-1252 or Mac Roman and saved again: "Ã©", "â€™", "‚Äö√Ñ√¥", or
 * the replacement character U+FFFD), or -1.
 */
long crm_infer_mojibake(const char *ptr, size_t len);
/*
 * Byte offset of the first '?' standing where a letter was ("M?ller",
 * "Soci?t? G?n?rale": text written to a code page without those letters,
 * which leaves a '?' for each), or -1. A '?' counts between two letters
 * (so a question's own '?' does not), never in a URL or a query.
 */
long crm_infer_lossy(const char *ptr, size_t len);

#endif
