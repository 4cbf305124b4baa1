/*
 * test-datetime.c: date formats, ISO date-times, zones and DST.
 */
#include "compat.h"
#include "harness.h"
#include "transform/datetime.h"

static int parse_fmt(const char *fmt_text, const char *in, char *out, char *reason)
{
	struct crm_datefmt fmt;
	struct crm_error err = CRM_ERROR_INIT;

	if (crm_datefmt_compile(&fmt, fmt_text, &err))
		return -1;
	return crm_datefmt_parse(&fmt, in, strlen(in), out, reason, 256);
}

static void test_datetime__parse_formats(void)
{
	char out[CRM_DT_MAX], reason[256];

	CHECK_INT(parse_fmt("MM/DD/YYYY", "07/15/1986", out, reason), 0);
	CHECK_STR(out, "1986-07-15");
	CHECK_INT(parse_fmt("MM/DD/YYYY", "1/5/1990", out, reason), 0);
	CHECK_STR(out, "1990-01-05");
	CHECK_INT(parse_fmt("DD.MM.YYYY", "29.02.2024", out, reason), 0);
	CHECK_STR(out, "2024-02-29");
	CHECK_INT(parse_fmt("YYYY-MM-DD", "1986-07-15", out, reason), 0);
	CHECK_STR(out, "1986-07-15");
	CHECK_INT(parse_fmt("MM/DD/YYYY hh:mm AP", "03/14/2024 09:30 PM", out, reason), 0);
	CHECK_STR(out, "2024-03-14T21:30:00");
	CHECK_INT(parse_fmt("MM/DD/YYYY hh:mm AP", "03/14/2024 12:05 AM", out, reason), 0);
	CHECK_STR(out, "2024-03-14T00:05:00");
	CHECK_INT(parse_fmt("YYYY-MM-DDThh:mm:ssTZ", "2024-03-14T09:30:00+01:00", out, reason), 0);
	CHECK_STR(out, "2024-03-14T09:30:00+01:00");
	CHECK_INT(parse_fmt("YYYYMMDD", "19860715", out, reason), 0);
	CHECK_STR(out, "1986-07-15");
}

static void test_datetime__parse_refuses_what_does_not_fit(void)
{
	char out[CRM_DT_MAX], reason[256];

	CHECK_INT(parse_fmt("MM/DD/YYYY", "13/45/1990", out, reason), 1);
	CHECK_CONTAINS(reason, "month 13 is out of range");
	CHECK_INT(parse_fmt("MM/DD/YYYY", "02/30/2023", out, reason), 1);
	CHECK_CONTAINS(reason, "day 30 is not in month 2 of 2023");
	CHECK_INT(parse_fmt("MM/DD/YYYY", "1990-01-05", out, reason), 1);
	CHECK_CONTAINS(reason, "does not match the format MM/DD/YYYY");
	CHECK_INT(parse_fmt("MM/DD/YYYY", "01/05/1990x", out, reason), 1);
	CHECK_CONTAINS(reason, "extra characters");
	CHECK_INT(parse_fmt("DD/MM/YYYY", "29/02/2023", out, reason), 1);
}

static void test_datetime__format_errors(void)
{
	struct crm_datefmt fmt;
	struct crm_error err = CRM_ERROR_INIT;

	CHECK_INT(crm_datefmt_compile(&fmt, "MM/DD/YYY", &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "unknown token at character 7");
	crm_error_clear(&err);
	CHECK_INT(crm_datefmt_compile(&fmt, "MM/YYYY", &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "needs YYYY, MM and DD");
}

static void test_datetime__date_never_shifts(void)
{
	char out[CRM_DT_MAX], reason[256];

	CHECK_INT(crm_date_normalize("1986-07-15", 10, out, reason, sizeof(reason)), 0);
	CHECK_STR(out, "1986-07-15");
	/* the date part as written, never converted to another zone */
	CHECK_INT(crm_date_normalize("1986-07-15T23:30:00-05:00", 25, out, reason, sizeof(reason)), 0);
	CHECK_STR(out, "1986-07-15");
	CHECK_INT(crm_date_normalize("07/15/1986", 10, out, reason, sizeof(reason)), 1);
	CHECK_INT(crm_date_normalize("1986-02-30", 10, out, reason, sizeof(reason)), 1);
}

static void test_datetime__to_utc(void)
{
	struct crm_tz utc, berlin, plus2;
	struct crm_error err = CRM_ERROR_INIT;
	char out[CRM_DT_MAX], reason[256];

	CHECK_INT(crm_tz_parse(&utc, "UTC", &err), 0);
	CHECK_INT(crm_tz_parse(&plus2, "+02:00", &err), 0);
	CHECK_INT(crm_tz_parse(&berlin, "Europe/Berlin", &err), 0);
	CHECK_INT(crm_datetime_normalize("2024-03-14T09:30:00.000+0000", 28, &utc, out, reason, 256), 0);
	CHECK_STR(out, "2024-03-14T09:30:00Z");
	CHECK_INT(crm_datetime_normalize("2024-03-14 09:30:00", 19, &plus2, out, reason, 256), 0);
	CHECK_STR(out, "2024-03-14T07:30:00Z");
	CHECK_INT(crm_datetime_normalize("2024-07-01 09:30", 16, &berlin, out, reason, 256), 0);
	CHECK_STR(out, "2024-07-01T07:30:00Z");
	CHECK_INT(crm_datetime_normalize("2024-01-01T00:30:00+01:00", 25, &utc, out, reason, 256), 0);
	CHECK_STR(out, "2023-12-31T23:30:00Z");
	CHECK_INT(crm_datetime_normalize("2020-12-30 05:18:21.205000 UTC", 30, &berlin, out, reason, 256), 0);
	CHECK_STR(out, "2020-12-30T05:18:21.205Z");
	CHECK_INT(crm_datetime_normalize("2020-12-30 3:15:52", 18, &utc, out, reason, 256), 0);
	CHECK_STR(out, "2020-12-30T03:15:52Z");
}

static void test_datetime__dst_gap_and_overlap_are_refused(void)
{
	struct crm_tz ny;
	struct crm_error err = CRM_ERROR_INIT;
	char out[CRM_DT_MAX], reason[256];

	CHECK_INT(crm_tz_parse(&ny, "America/New_York", &err), 0);
	CHECK_INT(crm_datetime_normalize("2024-03-10T02:30:00", 19, &ny, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "does not exist in America/New_York");
	CHECK_INT(crm_datetime_normalize("2024-11-03T01:30:00", 19, &ny, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "occurs twice");
	CHECK_INT(crm_datetime_normalize("2024-11-03T01:30:00-04:00", 25, &ny, out, reason, 256), 0);
	CHECK_STR(out, "2024-11-03T05:30:00Z");
}

static void test_datetime__date_only_is_not_a_datetime(void)
{
	struct crm_tz utc = {0, 0, ""};
	char out[CRM_DT_MAX], reason[256];

	CHECK_INT(crm_datetime_normalize("1986-07-15", 10, &utc, out, reason, 256), 1);
	CHECK_CONTAINS(reason, "date without a time");
}

static void test_datetime__unknown_zone(void)
{
	struct crm_tz tz;
	struct crm_error err = CRM_ERROR_INIT;

	CHECK_INT(crm_tz_parse(&tz, "Mars/Olympus", &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "unknown time zone 'Mars/Olympus'");
}

static void test_datetime__compare_by_time(void)
{
	CHECK(crm_dt_compare("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z") == 0);
	CHECK(crm_dt_compare("2024-01-01T10:00:00Z", "2024-01-01T10:00:00.000Z") == 0);
	CHECK(crm_dt_compare("2024-01-01T10:00:00.5Z", "2024-01-01T10:00:00Z") > 0); /* '.' sorts before 'Z' */
	CHECK(crm_dt_compare("2024-01-01T10:00:00.25Z", "2024-01-01T10:00:00.3Z") < 0);
	CHECK(crm_dt_compare("2023-12-31T23:59:59.9Z", "2024-01-01T00:00:00Z") < 0);
	CHECK(crm_dt_compare("2024-01-01T00:00:00Z", "") > 0);
}

static const struct harness_test tests[] = {
	TEST(test_datetime__compare_by_time),
	TEST(test_datetime__parse_formats),
	TEST(test_datetime__parse_refuses_what_does_not_fit),
	TEST(test_datetime__format_errors),
	TEST(test_datetime__date_never_shifts),
	TEST(test_datetime__to_utc),
	TEST(test_datetime__dst_gap_and_overlap_are_refused),
	TEST(test_datetime__date_only_is_not_a_datetime),
	TEST(test_datetime__unknown_zone),
};

HARNESS_MAIN
