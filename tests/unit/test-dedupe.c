/*
 * test-dedupe.c: which records are one person ([dedupe]): values folded as
 * rules compare them, groups joined transitively, survivors and fills.
 */
#include "compat.h"
#include "harness.h"
#include "engine/dedupe.h"
#include "project-helper.h"

#include <string.h>

static const char *folded(const char *in, int phone, char *out)
{
	crm_dedupe_fold(in, strlen(in), phone, out, 64);
	return out;
}

/* Compared after folding: case and compatibility forms, white space, phone formats; blank is nothing. */
static void test_dedupe__values_fold(void)
{
	char out[64];

	CHECK_STR(folded("  Wile.Coyote@ACME.example  ", 0, out), "wile.coyote@acme.example");
	CHECK_STR(folded("ＪＯＨＮ  Smith", 0, out), "john smith"); /* full-width letters: NFKC */
	CHECK_STR(folded("Straße", 0, out), "strasse");
	CHECK_STR(folded("Zoë", 0, out), "zoë"); /* the accent stays: Zoe and Zoë may be two people */
	CHECK_STR(folded("+1 (415) 555-0132", 1, out), "+14155550132");
	CHECK_STR(folded("0044 20 7946 0958", 1, out), "+442079460958");
	CHECK_STR(folded("555-0132", 1, out), "5550132"); /* no country to tell: the digits as written */
	CHECK_INT((int)crm_dedupe_fold("   ", 3, 0, out, 64), 0);
	CHECK_INT((int)crm_dedupe_fold("", 0, 1, out, 64), 0);
	CHECK_INT((int)crm_dedupe_fold("\xff\xfe"
				       "AB",
				       4, 0, out, 64),
		  4); /* not UTF-8: its bytes, ASCII folded */
	CHECK_STR(out, "\xff\xfe"
		       "ab");
}

static const char mapping[] = "Contact,FirstName,text,first_name,trim,,,\n"
			      "Contact,LastName,text,last_name,trim,,,\n"
			      "Contact,Email,text,email,trim,,,\n"
			      "Contact,Phone,text,phone,trim,,,\n"
			      "Contact,Title,text,title,trim,,,\n"
			      "Contact,Modified,datetime,updated_at,datetime,,,\n"
			      "Contact,Age,int,age,int,,,\n";

/*
 * 1 and 2 share an e-mail, 2 and 3 a phone (in two international forms):
 * one person of three. 4 and 5
 * share a name but 5 has no e-mail: blank never matches. 6 repeats 1's id
 * (migrate rejects it), 7 fails its int and is not considered.
 */
static const char export_csv[] = "Id,FirstName,LastName,Email,Phone,Title,Modified,Age\n"
				 "1,Ann,Lee,ann@x.example,,Boss,2024-01-01T00:00:00Z,\n"
				 "2,Ann,Lee,ANN@x.example,+1 415 555 0132,,2024-03-01T00:00:00Z,\n"
				 "3,Annie,Lee,,001 (415) 555-0132,CEO,2023-01-01T00:00:00Z,40\n"
				 "4,Bob,Roe,bob@x.example,,,,\n"
				 "5,Bob,Roe,,,,,\n"
				 "1,Ann,Lee,other@x.example,,,,\n"
				 "7,Ann,Lee,ann@x.example,,,,not a number\n";

static int open_with(struct crm_project *p, const char *dedupe, struct crm_error *err)
{
	char ini[512];

	make_project(mapping, export_csv);
	snprintf(ini, sizeof(ini),
		 "[migration]\nsource_system = test\n[object \"Contact\"]\nfile = c.csv\nid = Id\ntarget = contact\n"
		 "modified = Modified\n[dedupe \"Contact\"]\n%s",
		 dedupe);
	write_project_file("crmshift.ini", ini);
	return crm_project_open(p, project_dir, err);
}

/* The ids of group g, survivor first, joined by spaces. */
static const char *group_ids(const struct crm_dedupe_result *r, size_t g, char *out, size_t cap)
{
	size_t k, at = 0;

	out[0] = '\0';
	for (k = 0; g < r->group_count && k < r->groups[g].count && at < cap; k++)
		at += (size_t)snprintf(out + at, cap - at, "%s%s", k ? " " : "", r->members[r->groups[g].first + k].id);
	return out;
}

static void test_dedupe__groups_are_transitive_and_blank_never_matches(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_dedupe_result r = {0};
	char ids[128];

	REQUIRE(open_with(&p, "match = email; phone; first_name+last_name+email\n", &err) == 0);
	REQUIRE(crm_dedupe_find(&p, crm_project_object(&p, "Contact"), crm_config_dedupe(&p.cfg, "Contact"), &r,
				&err) == 0);
	CHECK_INT(r.records, 5); /* the repeated id and the failing record are not considered */
	CHECK_INT((int)r.group_count, 1);
	CHECK_STR(group_ids(&r, 0, ids, sizeof(ids)), "1 2 3"); /* survivor = first (the default) */
	/* the rule that first joined each: 1 and 2 by email, 3 by phone */
	CHECK_INT((int)r.members[0].rule, 0);
	CHECK_INT((int)r.members[1].rule, 0);
	CHECK_INT((int)r.members[2].rule, 1);
	CHECK_INT(r.merged_by_rule[0], 1);
	CHECK_INT(r.merged_by_rule[1], 1);
	CHECK_INT(r.merged_by_rule[2], 0);
	{
		int repeat;
		CHECK_INT((int)crm_dedupe_member(&r, "3", 1, r.members[2].line, &repeat), 2);
		CHECK_INT(repeat, 0);
		CHECK_INT((int)crm_dedupe_member(&r, "4", 1, 5, &repeat), -1);
		CHECK_INT(repeat, 0);
		/* record 6 repeats 1's id: the member, and a repeat */
		CHECK_INT((int)crm_dedupe_member(&r, "1", 1, 7, &repeat), 0);
		CHECK_INT(repeat, 1);
	}
	{
		char path[64];
		FILE *f;
		char text[512] = "";
		REQUIRE(harness_temp_file("", 0, path) == 0);
		f = fopen(path, "w");
		REQUIRE(f != NULL);
		CHECK_INT(crm_dedupe_write_rows(f, "Contact", &r, NULL), 0);
		fclose(f);
		f = fopen(path, "r");
		REQUIRE(f != NULL);
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
		unlink(path);
		CHECK_STR(text, "Contact,1,1,email,survivor\nContact,1,2,email,merged\nContact,1,3,phone,merged\n");
	}
cleanup:
	crm_dedupe_result_release(&r);
	crm_project_release(&p);
	remove_project();
}

/* A lookup that gives ids "1" and "3" rows (as an earlier load left them) and "2" the row ctx says, or none. */
static int fake_row(void *ctx, const char *id, size_t len, int64_t *row, struct crm_error *err)
{
	const int64_t *two = ctx;

	(void)err;
	if (len != 1)
		return 0;
	*row = id[0] == '2' ? *two : 10;
	return id[0] != '2' || *two != 0;
}

/* The row a group's records name: one is kept, none is 0, two leave the group unmerged. */
static void test_dedupe__rows_a_group_names(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_dedupe_result r = {0};
	int64_t *rows = NULL, two;
	unsigned char *unmerged = NULL;

	REQUIRE(open_with(&p, "match = email; phone\n", &err) == 0);
	REQUIRE(crm_dedupe_find(&p, crm_project_object(&p, "Contact"), crm_config_dedupe(&p.cfg, "Contact"), &r,
				&err) == 0);
	REQUIRE(r.group_count == 1);
	two = 0; /* 2 has no row: the group names row 10 */
	REQUIRE(crm_dedupe_rows(&r, fake_row, &two, &rows, &unmerged, &err) == 0);
	CHECK_INT(rows[0], 10);
	CHECK_INT(unmerged[0], 0);
	crm_free(rows);
	crm_free(unmerged);
	two = 10; /* the same row again */
	REQUIRE(crm_dedupe_rows(&r, fake_row, &two, &rows, &unmerged, &err) == 0);
	CHECK_INT(unmerged[0], 0);
	crm_free(rows);
	crm_free(unmerged);
	two = 11; /* another row: two people in the target already */
	REQUIRE(crm_dedupe_rows(&r, fake_row, &two, &rows, &unmerged, &err) == 0);
	CHECK_INT(unmerged[0], 1);
cleanup:
	crm_free(rows);
	crm_free(unmerged);
	crm_dedupe_result_release(&r);
	crm_project_release(&p);
	remove_project();
}

static void test_dedupe__survivor_and_fill(void)
{
	static const struct {
		const char *config, *ids;
	} cases[] = {
		{"match = email; phone\nsurvivor = most_recent\n", "2 1 3"},
		{"match = email; phone\nsurvivor = most_complete\n", "3 1 2"}, /* 3 fills 7 fields, 1 and 2 six */
		{"match = email; phone\nsurvivor = first\n", "1 2 3"},
	};
	struct crm_arena arena;
	size_t i;

	crm_arena_init(&arena, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crm_project p = {0};
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_dedupe_result r = {0};
		char ids[128];
		if (open_with(&p, cases[i].config, &err) == 0 &&
		    crm_dedupe_find(&p, crm_project_object(&p, "Contact"), crm_config_dedupe(&p.cfg, "Contact"), &r,
				    &err) == 0)
			CHECK_STR(group_ids(&r, 0, ids, sizeof(ids)), cases[i].ids);
		else
			CHECK_STR(err.msg, "");
		CHECK(r.fills == NULL); /* fill = no */
		crm_dedupe_result_release(&r);
		crm_project_release(&p);
		remove_project();
	}
	/* fill = yes: the survivor's blanks from the others, in export order; its own values stay */
	{
		struct crm_project p = {0};
		struct crm_error err = CRM_ERROR_INIT;
		struct crm_dedupe_result r = {0};
		const struct crm_program *prog;
		/* record 2's values, as its program maps them */
		struct crm_value survivor[7] = {{"Ann", 3, 0},
						{"Lee", 3, 0},
						{"ANN@x.example", 13, 0},
						{"+1 415 555 0132", 15, 0},
						{"", 0, 0},
						{"2024-03-01T00:00:00Z", 20, 0},
						{"", 0, 0}};
		const struct crm_value *v;
		REQUIRE(open_with(&p, "match = email; phone\nsurvivor = most_recent\nfill = yes\n", &err) == 0);
		REQUIRE(crm_dedupe_find(&p, crm_project_object(&p, "Contact"), crm_config_dedupe(&p.cfg, "Contact"), &r,
					&err) == 0);
		prog = crm_project_object(&p, "Contact")->prog;
		REQUIRE(prog->field_count == 7);
		v = crm_dedupe_filled(&r, 0, survivor, &arena);
		REQUIRE(v != NULL);
		CHECK_MEM(v[crm_program_field(prog, "title")].ptr, v[crm_program_field(prog, "title")].len, "Boss");
		CHECK_MEM(v[crm_program_field(prog, "phone")].ptr, v[crm_program_field(prog, "phone")].len,
			  "+1 415 555 0132");
		CHECK_MEM(v[crm_program_field(prog, "age")].ptr, v[crm_program_field(prog, "age")].len, "40");
		CHECK_MEM(v[crm_program_field(prog, "email")].ptr, v[crm_program_field(prog, "email")].len,
			  "ANN@x.example");
	cleanup:
		crm_dedupe_result_release(&r);
		crm_project_release(&p);
		remove_project();
	}
	crm_arena_release(&arena);
}

/* A rule names target fields: one the mapping does not fill is an error with its line, at open. */
static void test_dedupe__rules_name_mapped_columns(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;

	CHECK(open_with(&p, "match = email; mobile+last_name\n", &err) != 0);
	CHECK_CONTAINS(err.msg, "crmshift.ini:8: [dedupe \"Contact\"] match rule 'mobile+last_name': 'mobile' is not a "
				"column the mapping fills for Contact");
	crm_project_release(&p);
	remove_project();
}

static const struct harness_test tests[] = {
	TEST(test_dedupe__values_fold),
	TEST(test_dedupe__groups_are_transitive_and_blank_never_matches),
	TEST(test_dedupe__rows_a_group_names),
	TEST(test_dedupe__survivor_and_fill),
	TEST(test_dedupe__rules_name_mapped_columns),
};

HARNESS_MAIN
