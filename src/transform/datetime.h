/*
 * datetime.h: dates and times as the rule language sees them. Everything
 * leaves here in ISO 8601: dates as YYYY-MM-DD, date-times as
 * YYYY-MM-DDThh:mm:ss[.fff]Z in UTC.
 *
 * Two rules keep customer data honest. A value that does not fit its format
 * is rejected with a reason, never guessed (13/45/1990 is not a date in any
 * order). A date-only value is never converted between time zones, so a
 * birthday cannot move by a day; time-zone conversion applies to date-times
 * only, and a local time that a DST change makes ambiguous or skips is
 * rejected rather than resolved by assumption.
 *
 * The "reason" out-parameters receive a short lowercase text for the rejects
 * file. They never contain the value itself: callers add it when the field
 * is not personal data.
 */
#ifndef CRM_DATETIME_H
#define CRM_DATETIME_H

#include "compat.h"
#include "util/error.h"

#include <time.h>

#define CRM_DT_MAX 48 /* room for any ISO text written here, with its NUL */

enum crm_dt_token {
	CRM_DT_LITERAL,
	CRM_DT_YEAR,
	CRM_DT_MONTH,
	CRM_DT_DAY,
	CRM_DT_HOUR,
	CRM_DT_MINUTE,
	CRM_DT_SECOND,
	CRM_DT_AMPM,
	CRM_DT_ZONE,
};

struct crm_datefmt {
	struct {
		enum crm_dt_token kind;
		char literal;
	} items[64];
	size_t count;
	int has_time;
	char text[64];
};

/* Compiles a parse() format: tokens YYYY MM DD hh mm ss, AP (AM/PM), TZ (Z or +hh:mm). */
int crm_datefmt_compile(struct crm_datefmt *fmt, const char *text, struct crm_error *err);

/*
 * Reads (in, len) by fmt and writes the ISO text to out (CRM_DT_MAX bytes):
 * a date, or a date-time without zone ("YYYY-MM-DDThh:mm:ss") or with the
 * zone read ("...Z", "...+02:00"). Returns 0, or 1 with reason set.
 */
int crm_datefmt_parse(const struct crm_datefmt *fmt, const char *in, size_t len, char *out, char *reason,
		      size_t reason_cap);

/* A source time zone: UTC, a fixed offset (+02:00) or a tz database name. */
struct crm_tz {
	int named;
	int offset_min;
	char name[64];
};

/* Parses "UTC", "Z", "+02:00", "-0500" or an IANA name (checked against the tz database). */
int crm_tz_parse(struct crm_tz *tz, const char *text, struct crm_error *err);

/* An ISO date, or the literal date part of an ISO date-time (no conversion). */
int crm_date_normalize(const char *in, size_t len, char *out, char *reason, size_t reason_cap);

/*
 * An ISO date-time (T or space, optional seconds and fraction, optional Z,
 * +hh:mm, +hhmm or " UTC") to UTC. A value without a zone is read in tz.
 * A date without a time is rejected: inventing midnight would shift it.
 */
int crm_datetime_normalize(const char *in, size_t len, const struct crm_tz *tz, char *out, char *reason,
			   size_t reason_cap);

/* Today's date and the current time in UTC, as ISO text (CRM_DT_MAX bytes each); either may be NULL. */
void crm_dt_now(char *date_out, char *datetime_out);
/* Orders two crm_datetime_normalize outputs by time (<0, 0, >0); fractions of any length compare. */
int crm_dt_compare(const char *a, const char *b);

/* Seconds since start, a reading of CLOCK_MONOTONIC: how long a command took. */
double crm_dt_seconds_since(const struct timespec *start);

/* 1 when (y, m, d) is a calendar date. */
int crm_dt_valid_date(int year, int month, int day);

#endif
