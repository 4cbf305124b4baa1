/*
 * datetime.c: date parsing and UTC conversion. Fixed offsets use plain
 * civil-calendar arithmetic; named zones go through the C library's tz
 * database (TZ + mktime), checking both DST readings of a wall time so that
 * ambiguous and skipped times are found instead of silently resolved.
 */
#include "compat.h"
#include "transform/datetime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Writes v as width digits, zero-padded (the hot path's snprintf). */
static char *put_num(char *out, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return out + width;
}

/* YYYY-MM-DD, NUL-terminated; returns the end. */
static char *put_date(char *out, int y, int m, int d)
{
	out = put_num(out, y, 4);
	*out++ = '-';
	out = put_num(out, m, 2);
	*out++ = '-';
	out = put_num(out, d, 2);
	*out = '\0';
	return out;
}

/* YYYY-MM-DDThh:mm:ss, NUL-terminated; returns the end. */
static char *put_datetime(char *out, int y, int mo, int d, int h, int mi, int s)
{
	out = put_date(out, y, mo, d);
	*out++ = 'T';
	out = put_num(out, h, 2);
	*out++ = ':';
	out = put_num(out, mi, 2);
	*out++ = ':';
	out = put_num(out, s, 2);
	*out = '\0';
	return out;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int crm_dt_valid_date(int year, int month, int day)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
		return 0;
	return day <= days[month - 1] + (month == 2 && is_leap(year));
}

/* Days since 1970-01-01 of a civil date (Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int crm_datefmt_compile(struct crm_datefmt *fmt, const char *text, struct crm_error *err)
{
	static const struct {
		const char *word;
		enum crm_dt_token kind;
	} words[] = {
		{"YYYY", CRM_DT_YEAR}, {"MM", CRM_DT_MONTH}, {"DD", CRM_DT_DAY},
		{"hh", CRM_DT_HOUR},   {"HH", CRM_DT_HOUR},  {"mm", CRM_DT_MINUTE},
		{"ss", CRM_DT_SECOND}, {"AP", CRM_DT_AMPM},  {"TZ", CRM_DT_ZONE},
	};
	int seen[CRM_DT_ZONE + 1] = {0};
	size_t pos = 0, i;

	memset(fmt, 0, sizeof(*fmt));
	if (strlen(text) >= sizeof(fmt->text))
		return crm_error_set(err, CRM_EINPUT, "date format '%s' is too long", text);
	memcpy(fmt->text, text, strlen(text) + 1);
	while (text[pos]) {
		int matched = 0;
		if (fmt->count >= CRM_ARRAY_COUNT(fmt->items))
			return crm_error_set(err, CRM_EINPUT, "date format '%s' is too long", text);
		for (i = 0; i < CRM_ARRAY_COUNT(words); i++) {
			size_t wlen = strlen(words[i].word);
			if (strncmp(text + pos, words[i].word, wlen) == 0) {
				if (seen[words[i].kind]++)
					return crm_error_set(err, CRM_EINPUT, "date format '%s': '%s' appears twice",
							     text, words[i].word);
				fmt->items[fmt->count++].kind = words[i].kind;
				pos += wlen;
				matched = 1;
				break;
			}
		}
		if (matched)
			continue;
		/* letters are tokens; only the ISO separators T and Z may stand as literals */
		if (((text[pos] >= 'A' && text[pos] <= 'Z') || (text[pos] >= 'a' && text[pos] <= 'z')) &&
		    text[pos] != 'T' && text[pos] != 'Z')
			return crm_error_set(
				err, CRM_EINPUT,
				"date format '%s': unknown token at character %zu (use YYYY MM DD hh mm ss AP TZ)",
				text, pos + 1);
		fmt->items[fmt->count].kind = CRM_DT_LITERAL;
		fmt->items[fmt->count++].literal = text[pos++];
	}
	if (!seen[CRM_DT_YEAR] || !seen[CRM_DT_MONTH] || !seen[CRM_DT_DAY])
		return crm_error_set(err, CRM_EINPUT, "date format '%s' needs YYYY, MM and DD", text);
	if (seen[CRM_DT_MINUTE] && !seen[CRM_DT_HOUR])
		return crm_error_set(err, CRM_EINPUT, "date format '%s' has minutes without hours (hh)", text);
	if ((seen[CRM_DT_AMPM] || seen[CRM_DT_SECOND] || seen[CRM_DT_ZONE]) && !seen[CRM_DT_HOUR])
		return crm_error_set(err, CRM_EINPUT, "date format '%s' has a time part without hours (hh)", text);
	fmt->has_time = seen[CRM_DT_HOUR];
	return 0;
}

/* Reads between min and max digits; returns the count read, 0 when none. */
static size_t read_digits(const char *in, size_t len, size_t min, size_t max, int *value)
{
	size_t n = 0;
	int v = 0;

	while (n < max && n < len && in[n] >= '0' && in[n] <= '9') {
		v = v * 10 + (in[n] - '0');
		n++;
	}
	if (n < min)
		return 0;
	*value = v;
	return n;
}

static size_t read_zone(const char *in, size_t len, int *offset_min, int *is_utc)
{
	int hh, mm = 0;
	size_t n, pos = 1;

	if (len >= 1 && in[0] == 'Z') {
		*offset_min = 0;
		*is_utc = 1;
		return 1;
	}
	if (len < 3 || (in[0] != '+' && in[0] != '-'))
		return 0;
	n = read_digits(in + 1, len - 1, 2, 2, &hh);
	if (!n)
		return 0;
	pos += n;
	if (pos < len && in[pos] == ':')
		pos++;
	n = read_digits(in + pos, len - pos, 2, 2, &mm);
	if (n)
		pos += n;
	else if (in[pos - 1] == ':')
		return 0;
	if (hh > 18 || mm > 59)
		return 0;
	*offset_min = (in[0] == '-' ? -1 : 1) * (hh * 60 + mm);
	*is_utc = 0;
	return pos;
}

static void write_zone(char *out, size_t cap, int offset_min, int is_utc)
{
	int a = offset_min < 0 ? -offset_min : offset_min;

	if (is_utc)
		snprintf(out, cap, "Z");
	else
		snprintf(out, cap, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
}

int crm_datefmt_parse(const struct crm_datefmt *fmt, const char *in, size_t len, char *out, char *reason,
		      size_t reason_cap)
{
	int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, pm = -1, zone = 0, utc = 0, has_zone = 0;
	size_t pos = 0, i, n = 0;

	for (i = 0; i < fmt->count; i++) {
		const char *p = in + pos;
		size_t left = len - pos;
		switch (fmt->items[i].kind) {
		case CRM_DT_LITERAL:
			n = left && *p == fmt->items[i].literal;
			if (n && fmt->items[i].literal == 'Z' && fmt->has_time)
				has_zone = utc = 1; /* a literal Z says the time is UTC */
			break;
		case CRM_DT_YEAR:
			n = read_digits(p, left, 4, 4, &year);
			break;
		case CRM_DT_MONTH:
			n = read_digits(p, left, 1, 2, &month);
			break;
		case CRM_DT_DAY:
			n = read_digits(p, left, 1, 2, &day);
			break;
		case CRM_DT_HOUR:
			n = read_digits(p, left, 1, 2, &hour);
			break;
		case CRM_DT_MINUTE:
			n = read_digits(p, left, 2, 2, &minute);
			break;
		case CRM_DT_SECOND:
			n = read_digits(p, left, 2, 2, &second);
			break;
		case CRM_DT_AMPM:
			n = 0;
			if (left >= 2 && (p[1] == 'M' || p[1] == 'm')) {
				if (p[0] == 'A' || p[0] == 'a')
					pm = 0, n = 2;
				else if (p[0] == 'P' || p[0] == 'p')
					pm = 1, n = 2;
			}
			break;
		case CRM_DT_ZONE:
			n = read_zone(p, left, &zone, &utc);
			has_zone = n > 0;
			break;
		}
		if (!n) {
			snprintf(reason, reason_cap, "does not match the format %s", fmt->text);
			return 1;
		}
		pos += n;
	}
	if (pos != len) {
		snprintf(reason, reason_cap, "does not match the format %s (extra characters at the end)", fmt->text);
		return 1;
	}
	if (month < 1 || month > 12) {
		snprintf(reason, reason_cap, "month %d is out of range for the format %s", month, fmt->text);
		return 1;
	}
	if (!crm_dt_valid_date(year, month, day)) {
		snprintf(reason, reason_cap, "day %d is not in month %d of %d (format %s)", day, month, year,
			 fmt->text);
		return 1;
	}
	if (pm >= 0) {
		if (hour < 1 || hour > 12) {
			snprintf(reason, reason_cap, "hour %d is out of range for AM/PM", hour);
			return 1;
		}
		hour = hour % 12 + (pm ? 12 : 0);
	}
	if (hour > 23 || minute > 59 || second > 59) {
		snprintf(reason, reason_cap, "time %02d:%02d:%02d is out of range", hour, minute, second);
		return 1;
	}
	if (!fmt->has_time) {
		put_date(out, year, month, day);
		return 0;
	}
	n = (size_t)(put_datetime(out, year, month, day, hour, minute, second) - out);
	if (has_zone)
		write_zone(out + n, CRM_DT_MAX - n, zone, utc);
	return 0;
}

int crm_tz_parse(struct crm_tz *tz, const char *text, struct crm_error *err)
{
	int utc = 0;
	char path[128];
	struct stat st;

	memset(tz, 0, sizeof(*tz));
	if (!text || !*text || strcmp(text, "UTC") == 0 || strcmp(text, "Z") == 0 || strcmp(text, "utc") == 0)
		return 0;
	if ((text[0] == '+' || text[0] == '-') && read_zone(text, strlen(text), &tz->offset_min, &utc) == strlen(text))
		return 0;
	if (strlen(text) >= sizeof(tz->name) || strstr(text, "..") || text[0] == '/')
		return crm_error_set(err, CRM_EINPUT, "unknown time zone '%s'", text);
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", text);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return crm_error_set(err, CRM_EINPUT, "unknown time zone '%s' (not in the tz database)", text);
	tz->named = 1;
	memcpy(tz->name, text, strlen(text) + 1);
	return 0;
}

int crm_date_normalize(const char *in, size_t len, char *out, char *reason, size_t reason_cap)
{
	int y, m, d;

	if (len < 10 || read_digits(in, 4, 4, 4, &y) != 4 || in[4] != '-' || read_digits(in + 5, 2, 2, 2, &m) != 2 ||
	    in[7] != '-' || read_digits(in + 8, 2, 2, 2, &d) != 2 || (len > 10 && in[10] != 'T' && in[10] != ' ')) {
		snprintf(reason, reason_cap, "is not an ISO date (YYYY-MM-DD); use parse(...) for other formats");
		return 1;
	}
	if (!crm_dt_valid_date(y, m, d)) {
		snprintf(reason, reason_cap, "is not a calendar date");
		return 1;
	}
	put_date(out, y, m, d);
	return 0;
}

/* Seconds since the epoch of a wall time in a named zone; 1 with reason when ambiguous or skipped. */
static int named_to_utc(const struct crm_tz *tz, int y, int mo, int d, int h, int mi, int s, long long *epoch,
			char *reason, size_t reason_cap)
{
	/* TZ is the process's: one zone at a time, whatever the number of mapping threads */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char current[64];
	time_t found[2] = {0, 0};
	int count = 0, isdst;

	pthread_mutex_lock(&lock);
	if (strcmp(current, tz->name) != 0) {
		setenv("TZ", tz->name, 1);
		tzset();
		memcpy(current, tz->name, sizeof(current));
	}
	for (isdst = 0; isdst <= 1; isdst++) {
		struct tm tm = {0}, back;
		time_t t;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		tm.tm_isdst = isdst;
		t = mktime(&tm);
		if (t == (time_t)-1 || !localtime_r(&t, &back))
			continue;
		if (back.tm_year == y - 1900 && back.tm_mon == mo - 1 && back.tm_mday == d && back.tm_hour == h &&
		    back.tm_min == mi && back.tm_sec == s && (count == 0 || found[0] != t))
			found[count++] = t;
	}
	pthread_mutex_unlock(&lock);
	if (count == 0) {
		snprintf(reason, reason_cap, "is a local time that does not exist in %s (skipped by a DST change)",
			 tz->name);
		return 1;
	}
	if (count == 2) {
		snprintf(reason, reason_cap, "is a local time that occurs twice in %s (DST change); give an offset",
			 tz->name);
		return 1;
	}
	*epoch = (long long)found[0];
	return 0;
}

int crm_datetime_normalize(const char *in, size_t len, const struct crm_tz *tz, char *out, char *reason,
			   size_t reason_cap)
{
	int y, mo, d, h, mi, s = 0, zone = 0, utc = 0, has_zone = 0, local_named;
	size_t pos = 10, n, frac_start = 0, frac_len = 0;
	long long epoch;
	long days;

	if (len < 10 || read_digits(in, 4, 4, 4, &y) != 4 || in[4] != '-' || read_digits(in + 5, 2, 2, 2, &mo) != 2 ||
	    in[7] != '-' || read_digits(in + 8, 2, 2, 2, &d) != 2)
		goto bad;
	if (!crm_dt_valid_date(y, mo, d)) {
		snprintf(reason, reason_cap, "is not a calendar date");
		return 1;
	}
	if (len == 10) {
		snprintf(reason, reason_cap, "is a date without a time; map it with 'date', or give the time");
		return 1;
	}
	if (in[pos] != 'T' && in[pos] != ' ')
		goto bad;
	pos++;
	n = read_digits(in + pos, len - pos, 1, 2, &h);
	if (!n)
		goto bad;
	pos += n;
	if (pos >= len || in[pos] != ':')
		goto bad;
	pos++;
	if (!read_digits(in + pos, len - pos, 2, 2, &mi))
		goto bad;
	pos += 2;
	if (pos < len && in[pos] == ':') {
		pos++;
		if (!read_digits(in + pos, len - pos, 2, 2, &s))
			goto bad;
		pos += 2;
		if (pos < len && (in[pos] == '.' || in[pos] == ',')) {
			pos++;
			frac_start = pos;
			while (pos < len && in[pos] >= '0' && in[pos] <= '9')
				pos++;
			frac_len = pos - frac_start;
			if (!frac_len || frac_len > 9)
				goto bad;
		}
	}
	if (pos < len && in[pos] == ' ' && len - pos == 4 && memcmp(in + pos, " UTC", 4) == 0) {
		has_zone = 1;
		pos = len;
	} else if (pos < len) {
		n = read_zone(in + pos, len - pos, &zone, &utc);
		if (!n || pos + n != len)
			goto bad;
		has_zone = 1;
	}
	if (h > 23 || mi > 59 || s > 59) {
		snprintf(reason, reason_cap, "has a time out of range");
		return 1;
	}
	local_named = !has_zone && tz->named;
	if (!has_zone && !local_named)
		zone = tz->offset_min;
	/* already UTC (most exports' +0000 or Z): the fields stand as they are */
	if (local_named || zone) {
		if (!local_named)
			epoch = (long long)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
				(long long)zone * 60;
		else if (named_to_utc(tz, y, mo, d, h, mi, s, &epoch, reason, reason_cap))
			return 1;
		days = (long)(epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400);
		{
			long long rem = epoch - (long long)days * 86400;
			civil_from_days(days, &y, &mo, &d);
			h = (int)(rem / 3600);
			mi = (int)(rem % 3600 / 60);
			s = (int)(rem % 60);
		}
	}
	/* trailing zeros of a fraction carry nothing; the rest is kept, not rounded away */
	while (frac_len && in[frac_start + frac_len - 1] == '0')
		frac_len--;
	if (frac_len)
		snprintf(out, CRM_DT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%.*sZ", y, mo, d, h, mi, s, (int)frac_len,
			 in + frac_start);
	else
		memcpy(put_datetime(out, y, mo, d, h, mi, s), "Z", 2);
	return 0;
bad:
	snprintf(reason, reason_cap,
		 "is not an ISO date-time (YYYY-MM-DDThh:mm[:ss][Z|+hh:mm]); use parse(...) for other formats");
	return 1;
}

void crm_dt_now(char *date_out, char *datetime_out)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (date_out)
		snprintf(date_out, CRM_DT_MAX, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (datetime_out)
		snprintf(datetime_out, CRM_DT_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

double crm_dt_seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int crm_dt_compare(const char *a, const char *b)
{
	int c = strncmp(a, b, 19);
	size_t i, j;

	if (c || strlen(a) < 19 || strlen(b) < 19)
		return c ? c : strcmp(a, b);
	/* the fractions, digit by digit, a missing digit as 0 */
	i = a[19] == '.' ? 20 : 19;
	j = b[19] == '.' ? 20 : 19;
	for (;;) {
		char da = a[i] >= '0' && a[i] <= '9' ? a[i++] : '0';
		char db = b[j] >= '0' && b[j] <= '9' ? b[j++] : '0';
		if (da != db)
			return da < db ? -1 : 1;
		if (!(a[i] >= '0' && a[i] <= '9') && !(b[j] >= '0' && b[j] <= '9'))
			return 0;
	}
}
