/*
 * test-program.c: compiling mapping rows against an export, and running the
 * compiled program on records.
 */
#include "compat.h"
#include "audit/keys.h"
#include "harness.h"
#include "project-helper.h"
#include "engine/project.h"
#include "io/csv.h"
#include "util/arena.h"

/*
 * Runs the project's only program on the export's data records up to record
 * n, whose values res then holds; 0, or -1 with res released.
 */
static int run_all(struct crm_project *p, struct crm_program_result *res, struct crm_arena *arena, int n)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_csv_reader *r;
	struct crm_record rec;
	int i = 0;

	if (crm_program_result_init(res, p->objects[0].prog, &err))
		return -1;
	r = crm_csv_open(p->objects[0].path, "utf-8", ',', &err);
	while (r && i < n && crm_csv_next(r, &rec, &err) == CRM_READ_RECORD) {
		if (rec.index == 0)
			continue;
		crm_arena_reset(arena);
		if (crm_program_run(p->objects[0].prog, &rec, res, arena, CRM_RUN_CHECK_UNIQUE, &err))
			break;
		i++;
	}
	crm_csv_close(r);
	if (i == n)
		return 0;
	crm_program_result_release(res);
	return -1;
}

static void test_program__template_example_row_works_as_written(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};

	make_project("Contact,dob,date,birth_date,parse(YYYY-MM-DD) -> date,PII,not_future_date,1986-07-15\n"
		     "Contact,last,text,last_name,trim,PII,required,Doe\n",
		     "Id,dob,last\n1,1986-07-15,Doe\n2,2999-01-01,Roe\n3,1986-13-01,Poe\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	REQUIRE(run_all(&p, &res, &arena, 1) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_MEM(res.values[0].ptr, res.values[0].len, "1986-07-15");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 2) == 0);
	CHECK_INT(res.failure_count, 1);
	CHECK_STR(res.failures[0].rule, "not_future_date");
	CHECK_STR(res.failures[0].reason, "<PII, 10 characters> is in the future");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 3) == 0);
	CHECK_INT(res.failure_count, 1);
	CHECK_STR(res.failures[0].rule, "parse(YYYY-MM-DD)");
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

static void test_program__map_default_concat_nullif_unique(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};

	make_project("Contact,status,text,title,\"map(Open=open, Closed Won=won, default=other)\",,,Open\n"
		     "Contact,,text,last_name,\"concat(first, ' ', last) -> trim\",,,A B\n"
		     "Contact,mail,text,email,nullif(n/a) -> email,,unique,a@b.com\n",
		     "Id,status,first,last,mail\n1,closed won,Ann,Lee,A@X.COM\n2,Nope,,,n/a\n3,Open,Bo,,a@x.com\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	REQUIRE(run_all(&p, &res, &arena, 1) == 0);
	CHECK_MEM(res.values[0].ptr, res.values[0].len, "won"); /* matched without case */
	CHECK_MEM(res.values[1].ptr, res.values[1].len, "Ann Lee");
	CHECK_MEM(res.values[2].ptr, res.values[2].len, "A@x.com");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 2) == 0);
	CHECK_MEM(res.values[0].ptr, res.values[0].len, "other");
	CHECK_INT(res.values[1].len, 0); /* concat of empty fields invents nothing */
	CHECK_INT(res.values[2].len, 0);
	CHECK_INT(res.failure_count, 0);
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 3) == 0);
	CHECK_MEM(res.values[1].ptr, res.values[1].len, "Bo");
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* map(..., default=keep): a fix list, every other value passes through as it is */
static void test_program__map_default_keep_passes_values_through(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};

	make_project("Contact,stage,text,title,\"map(Closd Won=Closed Won, default=keep)\",,,Prospecting\n",
		     "Id,stage\n1,Closd Won\n2,Prospecting\n3,closd won\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	REQUIRE(run_all(&p, &res, &arena, 1) == 0);
	CHECK_MEM(res.values[0].ptr, res.values[0].len, "Closed Won");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 2) == 0);
	/* no entry: unchanged, so the value is still the record's (read back in the CLI case map-default-keep) */
	CHECK_INT(res.values[0].len, 11);
	CHECK_INT(res.failure_count, 0);
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 3) == 0);
	CHECK_MEM(res.values[0].ptr, res.values[0].len, "Closed Won"); /* the entry, without case */
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* two defaults are a mistake, not a choice */
static void test_program__map_with_two_defaults_is_an_error(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;

	make_project("Contact,stage,text,title,\"map(a=b, default=keep, default=x)\",,,a\n", "Id,stage\n1,a\n");
	CHECK(crm_project_open(&p, project_dir, &err) != 0);
	CHECK_CONTAINS(err.msg, "'map' has two defaults");
	crm_project_release(&p); /* what a failed open keeps for the caller: its diagnostics */
	remove_project();
}

static void test_program__unique_rejects_the_second_record(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};

	make_project("Contact,mail,text,email,email,,unique,a@b.com\n", "Id,mail\n1,a@x.com\n2,a@x.com\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	REQUIRE(run_all(&p, &res, &arena, 2) == 0);
	CHECK_INT(res.failure_count, 1);
	CHECK_STR(res.failures[0].reason, "'a@x.com' is not unique: record '1' has it too");
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

static void test_program__compile_errors_are_all_collected(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;

	make_project("Contact,Emial,text,email,trim,,,\n"
		     "Contact,dob,date,birth_date,parse(MM/DD/YYY),,,\n"
		     "Contact,dob,date,title,frobnicate,,,\n"
		     "Contact,dob,decimal,first_name,,,,\n"
		     "Contact,dob,text,phone,\"phone(E164, XX)\",,,\n"
		     "Contact,dob,text,mobile_phone,,,regex([a-),\n"
		     "Contact,dob,text,account_id,trim,,,\n",
		     "Id,dob\n1,2000-01-01\n");
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
	CHECK_INT(p.diags.count, 7);
	if (p.diags.count == 7) {
		CHECK_CONTAINS(p.diags.msgs[0], "mapping.csv:2: source_field 'Emial' is not a column of");
		CHECK_CONTAINS(p.diags.msgs[1], "mapping.csv:3: transform_rule 'parse(MM/DD/YYY)' at character 7: date "
						"format 'MM/DD/YYY': unknown token at character 7");
		CHECK_CONTAINS(
			p.diags.msgs[2],
			"mapping.csv:4: transform_rule 'frobnicate' at character 1: unknown function 'frobnicate'");
		CHECK_CONTAINS(p.diags.msgs[3], "mapping.csv:5: 'contact.first_name' is text in the canonical model; "
						"data_type 'decimal' does not fit");
		CHECK_CONTAINS(p.diags.msgs[4], "unknown country 'XX'");
		CHECK_CONTAINS(p.diags.msgs[5], "mapping.csv:7: validation_rule 'regex([a-)'");
		CHECK_CONTAINS(p.diags.msgs[6],
			       "'account_id' holds a reference: its transform_rule must end with ref(Object)");
	}
	crm_project_release(&p);
	remove_project();
}

static void test_program__unknown_ref_object(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;

	make_project("Contact,acc,id,account_id,ref(Acount),,,\n", "Id,acc\n1,2\n");
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "ref(Acount): no [object \"Acount\"] in crmshift.ini");
	crm_project_release(&p);
	remove_project();
}

static void test_program__config_errors(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;

	make_project("Contact,a,text,title,,,,\n", "Id,a\n1,x\n");
	write_project_file("crmshift.ini", "[migration]\nsource_system = test\nsoruce = x\n");
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "crmshift.ini:3: unknown key 'soruce' in [migration]");
	crm_error_clear(&err);
	write_project_file("crmshift.ini", "[migration]\nsource_system = test\n[sources]\npath = x\n");
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "crmshift.ini:4: unknown section [sources]");
	crm_error_clear(&err);
	write_project_file(
		"crmshift.ini",
		"[migration]\nsource_system = test # the name\n[object \"Contact\"]\nfile = c.csv\ntarget = contact\n");
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
	CHECK_CONTAINS(err.msg, "crmshift.ini:3: [object \"Contact\"] needs 'id'");
	crm_project_release(&p);
	remove_project();
}

static void test_program__pseudonymize_mask_redact(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};
	struct crm_key key;
	char path[256], token[64], masked[CRM_MASKED_MAX];
	const struct crm_field_program *mail;

	make_project(
		"Contact,mail,text,email,trim -> lower -> pseudonymize,PII,required,a@b.com\n"
		"Contact,phone,text,phone,trim -> mask(4),PII,,555-0101\n"
		"Contact,street,text,mailing_street,redact,,,1 Main St\n",
		"Id,mail,phone,street\n1, Ann@X.com ,+1 415 555 0101,1 Main St\n2,ann@x.com,Zoë,\n3,bo@x.com,,x\n");
	/* without a key, pseudonymize is a compile error that says what to do */
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
	CHECK_INT(p.diags.count, 1);
	CHECK_CONTAINS(err.msg, "pseudonymize needs the project's key: set [security] pseudonymize_key");
	crm_project_release(&p);
	crm_error_clear(&err);
	snprintf(path, sizeof(path), "%s/pseu.key", project_dir);
	REQUIRE(crm_key_generate(CRM_KEY_DATA, path, &key, &err) == 0);
	write_project_file("crmshift.ini",
			   "[migration]\nsource_system = test\n[security]\npseudonymize_key = pseu.key\n"
			   "[object \"Contact\"]\nfile = c.csv\nid = Id\ntarget = contact\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	CHECK_INT(p.diags.count, 0);
	CHECK_STR(p.pseudonym_key.id, key.id);
	crm_arena_init(&arena, 4096);
	mail = &p.objects[0].prog->fields[0];

	REQUIRE(run_all(&p, &res, &arena, 1) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_INT(res.values[0].len, CRM_PSEUDONYM_LEN);
	CHECK_MEM(res.values[0].ptr, 5, "pseu_");
	CHECK_INT(crm_program_protected_form(mail, res.values[0].ptr, res.values[0].len), 1);
	snprintf(token, sizeof(token), "%.*s", (int)res.values[0].len, res.values[0].ptr);
	CHECK_MEM(res.values[1].ptr, res.values[1].len, "***********0101");
	CHECK_INT(res.values[2].len, 0);
	crm_program_result_release(&res);

	/* the same value after the same steps: the same token, so joins still work */
	REQUIRE(run_all(&p, &res, &arena, 2) == 0);
	CHECK_MEM(res.values[0].ptr, res.values[0].len, token);
	/* a value no longer than the tail is masked whole; characters, not bytes */
	CHECK_MEM(res.values[1].ptr, res.values[1].len, "***");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 3) == 0);
	CHECK(res.values[0].len == CRM_PSEUDONYM_LEN && memcmp(res.values[0].ptr, token, CRM_PSEUDONYM_LEN) != 0);
	crm_program_result_release(&res);

	/* what the privacy check accepts */
	CHECK_INT(crm_program_protected_form(mail, "ann@x.com", 9), 0);
	CHECK_INT(crm_program_protected_form(mail, "pseu_0123456789abcdef0123456789abcdeg", CRM_PSEUDONYM_LEN), 0);
	CHECK_INT(crm_program_protected_form(mail, "", 0), 1);
	CHECK_INT(crm_program_protected_form(&p.objects[0].prog->fields[1], "****0101", 8), 1);
	CHECK_INT(crm_program_protected_form(&p.objects[0].prog->fields[1], "****50101", 9), 0);
	CHECK_INT(crm_program_protected_form(&p.objects[0].prog->fields[1], "555-0101", 8), 0);
	CHECK_INT(crm_program_protected_form(&p.objects[0].prog->fields[2], "x", 1), 0);
	/* and what reports show of a protected field that is not flagged PII */
	CHECK_INT(crm_program_masked(&p.objects[0].prog->fields[2], "1 Main St", 9, masked, sizeof(masked)), 1);
	CHECK_STR(masked, "<protected, 9 characters>");
	crm_project_release(&p);

	/* a key others can read stops the project before anything is read */
	CHECK_INT(chmod(path, 0644), 0);
	CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EREFUSED);
	CHECK_CONTAINS(err.msg, "[security] pseudonymize_key: key file");
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* A Salesforce project: contacts, leads, accounts, opportunities and tasks whose WhoId and WhatId name either. */
static void make_polymorphic_project(const char *who_target, const char *who_rule, const char *task_format,
				     const char *tasks)
{
	char mapping[1024], ini[1024];

	snprintf(mapping, sizeof(mapping),
		 "Contact,LastName,text,last_name,trim,,,\n"
		 "Lead,LastName,text,last_name,trim,,,\n"
		 "Account,Name,text,name,trim,,,\n"
		 "Opportunity,Name,text,name,trim,,,\n"
		 "Task,Type,text,kind,trim,,,\n"
		 "Task,WhoId,id,%s,%s,,,\n"
		 "Task,WhatId,id,account_id|opportunity_id,trim -> ref(Account|Opportunity),,,\n",
		 who_target, who_rule);
	make_project(mapping, "Id,LastName\n");
	snprintf(ini, sizeof(ini),
		 "[migration]\nsource_system = salesforce\n"
		 "[object \"Contact\"]\nfile = c.csv\nid = Id\ntarget = contact\n"
		 "[object \"Lead\"]\nfile = l.csv\nid = Id\ntarget = lead\n"
		 "[object \"Account\"]\nfile = a.csv\nid = Id\ntarget = account\n"
		 "[object \"Opportunity\"]\nfile = o.csv\nid = Id\ntarget = opportunity\n"
		 "[object \"Task\"]\nfile = t.csv\nid = Id\ntarget = activity\nformat = %s\n",
		 task_format);
	write_project_file("crmshift.ini", ini);
	write_project_file("exports/l.csv", "Id,LastName\n");
	write_project_file("exports/a.csv", "Id,Name\n");
	write_project_file("exports/o.csv", "Id,Name\n");
	write_project_file("exports/t.csv", tasks);
}

/* Runs record n (from 1) of the export of object through its program into res; its values live in arena. */
static int run_record(struct crm_project *p, const char *object, int n, struct crm_program_result *res,
		      struct crm_arena *arena)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_project_object *o = crm_project_object(p, object);
	struct crm_csv_reader *r;
	struct crm_record rec;
	int i = 0, rc = -1;

	if (!o || crm_program_result_init(res, o->prog, &err))
		return -1;
	r = crm_csv_open(o->path, "utf-8", ',', &err);
	while (r && crm_csv_next(r, &rec, &err) == CRM_READ_RECORD)
		if (rec.index > 0 && ++i == n) {
			crm_arena_reset(arena);
			rc = crm_program_run(o->prog, &rec, res, arena, 0, &err) ? -1 : 0;
			/* values may point into the reader's buffer, which closes below */
			for (size_t f = 0; rc == 0 && f < o->prog->field_count; f++)
				if (res->values[f].len && !(res->values[f].ptr = crm_arena_strndup(
								    arena, res->values[f].ptr, res->values[f].len)))
					rc = -1;
			break;
		}
	crm_csv_close(r);
	return rc;
}

/* The value a program left in column of res, as a string ("" when empty). */
static const char *value_of(struct crm_project *p, const char *object, const struct crm_program_result *res,
			    const char *column, char *out, size_t cap)
{
	const struct crm_program *prog = crm_project_object(p, object)->prog;
	long f = crm_program_field(prog, column);

	snprintf(out, cap, "%.*s", f < 0 ? 0 : (int)res->values[f].len, f < 0 ? "" : res->values[f].ptr);
	return out;
}

/* WhoId -> contact_id|lead_id: each id fills the column of the object its key prefix names. */
static void test_program__polymorphic_reference_by_key_prefix(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};
	char v[4][64];

	make_polymorphic_project("contact_id|lead_id", "trim -> ref(Contact|Lead)", "salesforce",
				 "Id,Type,WhoId,WhatId\n"
				 "00T000000000001AAA,call,003000000000001AAA,006000000000001AAA\n"
				 "00T000000000002AAA,call, 00Q000000000001 ,001000000000001\n"
				 "00T000000000003AAA,call,001000000000009AAA,\n"
				 "00T000000000004AAA,call,CONTACT-17,\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	/* a contact and an opportunity */
	REQUIRE(run_record(&p, "Task", 1, &res, &arena) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_STR(value_of(&p, "Task", &res, "contact_id", v[0], 64), "003000000000001AAA");
	CHECK_STR(value_of(&p, "Task", &res, "lead_id", v[1], 64), "");
	CHECK_STR(value_of(&p, "Task", &res, "account_id", v[2], 64), "");
	CHECK_STR(value_of(&p, "Task", &res, "opportunity_id", v[3], 64), "006000000000001AAA");
	crm_program_result_release(&res);
	/* a lead and an account, by 15-character ids, trimmed first */
	REQUIRE(run_record(&p, "Task", 2, &res, &arena) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_STR(value_of(&p, "Task", &res, "contact_id", v[0], 64), "");
	CHECK_STR(value_of(&p, "Task", &res, "lead_id", v[1], 64), "00Q000000000001");
	CHECK_STR(value_of(&p, "Task", &res, "account_id", v[2], 64), "001000000000001");
	CHECK_STR(value_of(&p, "Task", &res, "opportunity_id", v[3], 64), "");
	crm_program_result_release(&res);
	/* an account's id in WhoId names neither: it stays in the first column, an orphan there */
	REQUIRE(run_record(&p, "Task", 3, &res, &arena) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_STR(value_of(&p, "Task", &res, "contact_id", v[0], 64), "001000000000009AAA");
	CHECK_STR(value_of(&p, "Task", &res, "lead_id", v[1], 64), "");
	crm_program_result_release(&res);
	/* not a Salesforce id: the prefix cannot tell, so every column keeps it for the cross-references */
	REQUIRE(run_record(&p, "Task", 4, &res, &arena) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_STR(value_of(&p, "Task", &res, "contact_id", v[0], 64), "CONTACT-17");
	CHECK_STR(value_of(&p, "Task", &res, "lead_id", v[1], 64), "CONTACT-17");
	{
		const struct crm_program *prog = crm_project_object(&p, "Task")->prog;
		long first = crm_program_field(prog, "contact_id");
		int none[2] = {0, 0}, lead[2] = {0, 1}, both[2] = {1, 1};
		size_t pick = 9;
		CHECK_INT(crm_program_alt_undecided(prog, (size_t)first, res.values), 1);
		CHECK_INT(crm_program_alt_undecided(prog, (size_t)crm_program_field(prog, "account_id"), res.values),
			  0);
		/* the one parent that has it wins; none: the first column, an orphan; two: ambiguous */
		CHECK_INT((int)crm_program_alt_settle(prog, (size_t)first, lead, &pick), 1);
		CHECK_INT((int)pick, 1);
		CHECK_INT((int)crm_program_alt_settle(prog, (size_t)first, none, &pick), 0);
		CHECK_INT((int)pick, 0);
		CHECK_INT((int)crm_program_alt_settle(prog, (size_t)first, both, &pick), 2);
	}
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* An export from another CRM: no key prefix is read, every id is left to the cross-references. */
static void test_program__polymorphic_reference_of_another_crm(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};
	char v[2][64];

	make_polymorphic_project("contact_id|lead_id", "ref(Contact|Lead)", "csv",
				 "Id,Type,WhoId,WhatId\nT1,call,003000000000001AAA,\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	REQUIRE(run_record(&p, "Task", 1, &res, &arena) == 0);
	CHECK_INT(res.failure_count, 0);
	CHECK_STR(value_of(&p, "Task", &res, "contact_id", v[0], 64), "003000000000001AAA");
	CHECK_STR(value_of(&p, "Task", &res, "lead_id", v[1], 64), "003000000000001AAA");
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* The columns and the objects must pair up, by ids, in a Salesforce export. */
static void test_program__polymorphic_reference_errors(void)
{
	static const struct {
		const char *target, *rule, *format, *message;
	} cases[] = {
		{"contact_id|lead_id", "ref(Contact)", "salesforce",
		 "ref(Contact) names 1 object(s) and target_field 'contact_id|lead_id' 2 columns"},
		{"contact_id", "ref(Contact|Lead)", "salesforce",
		 "ref(Contact|Lead) names 2 objects: target_field must name as many columns"},
		{"contact_id|lead_id", "trim", "salesforce",
		 "target_field 'contact_id|lead_id' names 2 columns: its rule must end with ref(...)"},
		{"contact_id|lead_id", "ref(Contact.Email|Lead)", "salesforce",
		 "a reference to one of several objects links by their ids, not by another field"},
		{"a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q", "ref(Contact|Lead)", "salesforce",
		 "target_field 'a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q' names 17 columns; a reference names at most 16 "
		 "objects"},
		{"contact_id|", "ref(Contact|Lead)", "salesforce",
		 "target_field 'contact_id|': '' is not a column name"},
		{"contact_id|account_id", "ref(Contact|Account)", "salesforce",
		 "mapping.csv:8: target_field 'account_id' is already filled by line 7"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crm_project p = {0};
		struct crm_error err = CRM_ERROR_INIT;
		make_polymorphic_project(cases[i].target, cases[i].rule, cases[i].format,
					 "Id,Type,WhoId,WhatId\n00T000000000001AAA,call,,\n");
		CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
		CHECK_CONTAINS(err.msg, cases[i].message);
		crm_project_release(&p);
		remove_project();
	}
}

/* owner(FILE, default=OWNER): users by id (exact) or e-mail (any case), the default for unknown and inactive ones. */
static void test_program__owner_maps_users_with_a_default(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};
	static const struct {
		const char *owner;
		enum crm_owner_reason reason;
	} want[] = {
		{"ann@acme.example", CRM_OWNER_MAPPED},	  /* 005A1 */
		{"ann@acme.example", CRM_OWNER_MAPPED},	  /* ANN@Old.Example: an e-mail in another case */
		{"ops@acme.example", CRM_OWNER_UNKNOWN},  /* 005a1: an id in another case is another id */
		{"ops@acme.example", CRM_OWNER_INACTIVE}, /* 005A3 */
		{"ops@acme.example", CRM_OWNER_UNKNOWN},  /* nobody */
		{"ops@acme.example", CRM_OWNER_UNKNOWN},  /* blank */
	};
	size_t i;

	make_project("Contact,own,text,owner,\"trim -> owner(maps/owners.csv, default=ops@acme.example)\",,,\n",
		     "Id,own\n1,005A1\n2,ANN@Old.Example\n3,005a1\n4, 005A3 \n5,nobody\n6,\n");
	write_project_file("maps/owners.csv", "source_user,target_owner,active\n005A1,ann@acme.example,true\n"
					      "ann@old.example,ann@acme.example,\n005A3,carl@acme.example,FALSE\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	CHECK_INT((long)p.objects[0].prog->owner_fields, 1);
	crm_arena_init(&arena, 4096);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		REQUIRE(run_all(&p, &res, &arena, (int)i + 1) == 0);
		CHECK_INT(res.failure_count, 0);
		CHECK_MEM(res.values[0].ptr, res.values[0].len, want[i].owner);
		CHECK_INT(res.owner_count, 1);
		CHECK_INT(res.owners[0].reason, want[i].reason);
		crm_program_result_release(&res);
	}
	/* the note keeps the source user as owner() read it: trimmed */
	REQUIRE(run_all(&p, &res, &arena, 4) == 0);
	CHECK_MEM(res.owners[0].source, res.owners[0].source_len, "005A3");
	CHECK_STR(crm_owner_reason_name(res.owners[0].reason), "inactive");
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* Without a default an unknown or inactive user is a reject, saying which and where. */
static void test_program__owner_without_a_default_rejects(void)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena = {0};

	make_project("Contact,own,text,owner,trim -> owner(maps/owners.csv),,,\n", "Id,own\n1,005A3\n2,005A9\n3,\n");
	write_project_file("maps/owners.csv", "source_user,target_owner,active\n005A3,,false\n");
	REQUIRE(crm_project_open(&p, project_dir, &err) == 0);
	crm_arena_init(&arena, 4096);
	REQUIRE(run_all(&p, &res, &arena, 1) == 0);
	CHECK_INT(res.failure_count, 1);
	CHECK_STR(res.failures[0].rule, "owner(maps/owners.csv)");
	CHECK_STR(res.failures[0].reason, "'005A3' is an inactive user in maps/owners.csv, and owner() has no default");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 2) == 0);
	CHECK_STR(res.failures[0].reason, "'005A9' is not a user in maps/owners.csv, and owner() has no default");
	crm_program_result_release(&res);
	REQUIRE(run_all(&p, &res, &arena, 3) == 0);
	CHECK_STR(res.failures[0].reason, "value is blank: no owner, and owner() has no default to give it");
	CHECK_INT(res.owners[0].reason, CRM_OWNER_UNKNOWN);
cleanup:
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
}

/* A wrong owners file or rule is named before anything runs. */
static void test_program__owner_errors(void)
{
	static const struct {
		const char *rule, *file, *message;
	} cases[] = {
		{"owner(maps/owners.csv)", "user,owner\n",
		 "owners.csv:1: an owners file has the columns source_user,target_owner,active"},
		{"owner(maps/owners.csv)", "source_user,target_owner,active\n005A1,a@x.example,\n005A1,b@x.example,\n",
		 "owners.csv:3: source_user '005A1' is listed twice"},
		{"owner(maps/owners.csv)", "source_user,target_owner,active\n005A1,a@x.example,maybe\n",
		 "owners.csv:2: active is true or false (or empty: true)"},
		{"owner(maps/owners.csv)", "source_user,target_owner,active\n005A1,,true\n",
		 "owners.csv:2: target_owner is empty for an active user"},
		{"owner(maps/owners.csv)", "source_user,target_owner,active\n,a@x.example,true\n",
		 "owners.csv:2: source_user is empty"},
		{"\"owner(maps/owners.csv, ops@x.example)\"", "source_user,target_owner\n",
		 "the second argument is default=OWNER"},
		{"owner(maps/nobody.csv)", "source_user,target_owner\n",
		 "owners file 'maps/nobody.csv' cannot be read"},
		{"owner(maps/owners.csv) -> owner(maps/owners.csv)", "source_user,target_owner\n",
		 "owner() once a field: one source user, one owner"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crm_project p = {0};
		struct crm_error err = CRM_ERROR_INIT;
		char row[256];
		snprintf(row, sizeof(row), "Contact,own,text,owner,%s,,,\n", cases[i].rule);
		make_project(row, "Id,own\n1,005A1\n");
		write_project_file("maps/owners.csv", cases[i].file);
		CHECK_INT(crm_project_open(&p, project_dir, &err), CRM_EINPUT);
		CHECK_CONTAINS(err.msg, cases[i].message);
		crm_project_release(&p);
		remove_project();
	}
}

/* ---- docs/mapping.md: every function of the registry, its examples run as written ---- */

#define DOC_VALUES_MAX 4

struct doc_example {
	enum crm_rule_kind kind;
	char rule[384];
	char values[DOC_VALUES_MAX][128];
	size_t value_count;
	char outcome[384]; /* "gives" cell: "\"...\"", "reject: ...", "passes", "plan: ...", "a token" */
	int line;
};

/* The cells of a table row "| a | b | c |", trimmed, `\|` unescaped, outer backticks dropped; how many. */
static size_t doc_cells(const char *line, char cells[][384], size_t max)
{
	size_t n = 0, len = 0;
	const char *p = line + 1;

	for (; *p && *p != '\n' && n < max; p++) {
		if (*p == '\\' && p[1] == '|') {
			if (len + 1 < 384)
				cells[n][len++] = '|';
			p++;
			continue;
		}
		if (*p != '|') {
			if (len + 1 < 384)
				cells[n][len++] = *p;
			continue;
		}
		while (len && cells[n][len - 1] == ' ')
			len--;
		cells[n][len] = '\0';
		{
			char *c = cells[n];
			size_t skip = strspn(c, " ");
			memmove(c, c + skip, strlen(c + skip) + 1);
			len = strlen(c);
			if (len >= 2 && c[0] == '`' && c[len - 1] == '`') {
				memmove(c, c + 1, len - 2);
				c[len - 2] = '\0';
			}
		}
		n++;
		len = 0;
	}
	return n;
}

/* "\"a\", \"b\"" into values; 0, or -1 when the cell is not quoted values. */
static int doc_values(const char *cell, struct doc_example *ex)
{
	const char *p = cell;

	ex->value_count = 0;
	while (*p) {
		const char *end;
		if (*p != '"' || !(end = strchr(p + 1, '"')) || ex->value_count == DOC_VALUES_MAX ||
		    (size_t)(end - p - 1) >= sizeof(ex->values[0]))
			return -1;
		snprintf(ex->values[ex->value_count++], sizeof(ex->values[0]), "%.*s", (int)(end - p - 1), p + 1);
		p = end + 1;
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
	}
	return ex->value_count ? 0 : -1;
}

/* A CSV field: quoted, its quotes doubled. */
static void doc_csv_field(char *out, size_t cap, const char *text)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *text && o + 3 < cap; text++) {
		if (*text == '"')
			out[o++] = '"';
		out[o++] = *text;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* Runs one example in a project of its own; prints what differs and returns 1, or 0 when it holds. */
static int doc_run_example(const struct doc_example *ex)
{
	struct crm_project p = {0};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_program_result res = {0};
	struct crm_arena arena;
	struct crm_key key;
	const struct crm_project_object *contact;
	char rule[800], mapping[2048], export_csv[1024], value[300], path[256], got[1200] = "(no record)";
	const char *outcome = ex->outcome;
	int is_ref = strstr(ex->rule, "ref(") != NULL, wrong = 0;
	size_t i;

	crm_arena_init(&arena, 4096);
	doc_csv_field(rule, sizeof(rule), ex->rule);
	snprintf(mapping, sizeof(mapping), "Account,Name,text,name,trim,,,Acme\nContact,Value,%s,%s,%s,,%s,\n",
		 is_ref ? "id" : "text", is_ref ? "account_id" : "value", ex->kind == CRM_RULE_TRANSFORM ? rule : "",
		 ex->kind == CRM_RULE_VALIDATION ? rule : "");
	snprintf(export_csv, sizeof(export_csv), "Id,Value,First,Last\n");
	for (i = 0; i < ex->value_count; i++) {
		doc_csv_field(value, sizeof(value), ex->values[i]);
		snprintf(export_csv + strlen(export_csv), sizeof(export_csv) - strlen(export_csv),
			 "%zu,%s,Ada,Lovelace\n", i + 1, value);
	}
	if (!make_project(mapping, export_csv))
		return 1;
	write_project_file("crmshift.ini",
			   "[migration]\nsource_system = test\n[security]\npseudonymize_key = pseu.key\n"
			   "[object \"Account\"]\nfile = a.csv\nid = Id\ntarget = account\n"
			   "[object \"Contact\"]\nfile = c.csv\nid = Id\ntarget = contact\n");
	write_project_file("exports/a.csv", "Id,Name\n001A,Acme\n");
	write_project_file("owners.csv", "source_user,target_owner,active\n005A,alice@acme.example,true\n"
					 "Bob Jones,bob@acme.example,true\n005C,carol@acme.example,false\n");
	snprintf(path, sizeof(path), "%s/pseu.key", project_dir);
	if (crm_key_generate(CRM_KEY_DATA, path, &key, &err)) {
		snprintf(got, sizeof(got), "no key: %s", err.msg);
		wrong = 1;
		goto out;
	}
	if (strncmp(outcome, "plan: ", 6) == 0) {
		int rc = crm_project_open(&p, project_dir, &err);
		snprintf(got, sizeof(got), "plan: %s", rc ? err.msg : "(no error)");
		wrong = !rc || !strstr(err.msg, outcome + 6);
		goto out;
	}
	if (crm_project_open(&p, project_dir, &err)) {
		snprintf(got, sizeof(got), "plan: %s", err.msg);
		wrong = 1;
		goto out;
	}
	contact = crm_project_object(&p, "Contact");
	{
		struct crm_csv_reader *r = crm_csv_open(contact->path, "utf-8", ',', &err);
		struct crm_record rec;
		long fi = crm_program_field(contact->prog, is_ref ? "account_id" : "value");
		if (!r || crm_program_result_init(&res, contact->prog, &err)) {
			crm_csv_close(r);
			snprintf(got, sizeof(got), "cannot run: %s", err.msg);
			wrong = 1;
			goto out;
		}
		while (crm_csv_next(r, &rec, &err) == CRM_READ_RECORD) {
			if (rec.index == 0)
				continue;
			crm_arena_reset(&arena);
			if (crm_program_run(contact->prog, &rec, &res, &arena, CRM_RUN_CHECK_UNIQUE, &err))
				break;
			/* the last record's outcome, read while its values still point into the record */
			if (res.failure_count)
				snprintf(got, sizeof(got), "reject: %s", res.failures[0].reason);
			else if (strcmp(outcome, "passes") == 0)
				snprintf(got, sizeof(got), "passes");
			else if (strcmp(outcome, "a token") == 0 && res.values[fi].len == CRM_PSEUDONYM_LEN &&
				 memcmp(res.values[fi].ptr, CRM_PSEUDONYM_PREFIX, sizeof(CRM_PSEUDONYM_PREFIX) - 1) ==
					 0)
				snprintf(got, sizeof(got), "a token");
			else
				snprintf(got, sizeof(got), "\"%.*s\"", (int)res.values[fi].len, res.values[fi].ptr);
		}
		crm_csv_close(r);
		wrong = strcmp(got, outcome) != 0;
	}
out:
	if (wrong)
		fprintf(stderr, "docs/mapping.md:%d: `%s` on \"%s\": the page says %s, the program gives %s\n",
			ex->line, ex->rule, ex->values[0], outcome, got);
	crm_program_result_release(&res);
	crm_arena_release(&arena);
	crm_project_release(&p);
	remove_project();
	return wrong;
}

static void test_program__every_function_documented_with_examples_that_hold(void)
{
	FILE *f = fopen("docs/mapping.md", "r");
	char line[1024], cells[4][384], heading[64] = "";
	enum crm_rule_kind kind = CRM_RULE_TRANSFORM, fkind;
	int section = 0, lineno = 0, examples = 0;
	size_t i, documented[64] = {0}, count = 0;
	const char *name;

	REQUIRE(f);
	while (crm_program_function(count, &fkind))
		count++;
	REQUIRE(count <= CRM_ARRAY_COUNT(documented));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (strncmp(line, "## ", 3) == 0) {
			section = strcmp(line, "## Transform functions\n") == 0 ? 1
				  : strcmp(line, "## Check functions\n") == 0	? 2
										: 0;
			kind = section == 2 ? CRM_RULE_VALIDATION : CRM_RULE_TRANSFORM;
			heading[0] = '\0';
			continue;
		}
		if (!section)
			continue;
		if (sscanf(line, "### `%63[a-z_]`", heading) == 1) {
			for (i = 0; (name = crm_program_function(i, &fkind)); i++)
				if (fkind == kind && strcmp(name, heading) == 0)
					break;
			if (!name)
				fprintf(stderr, "docs/mapping.md:%d: '%s' is no %s function\n", lineno, heading,
					section == 1 ? "transform" : "check");
			CHECK(name != NULL);
			continue;
		}
		if (strncmp(line, "| `", 3) == 0 && heading[0]) {
			struct doc_example ex = {.kind = kind, .line = lineno};
			CHECK_INT(doc_cells(line, cells, 4), 3);
			snprintf(ex.rule, sizeof(ex.rule), "%s", cells[0]);
			snprintf(ex.outcome, sizeof(ex.outcome), "%s", cells[2]);
			if (doc_values(cells[1], &ex)) {
				fprintf(stderr, "docs/mapping.md:%d: the value cell is not quoted values\n", lineno);
				CHECK(0);
				continue;
			}
			for (i = 0; (name = crm_program_function(i, &fkind)); i++)
				if (fkind == kind && strcmp(name, heading) == 0)
					documented[i]++;
			CHECK_INT(doc_run_example(&ex), 0);
			examples++;
		}
	}
	fclose(f);
	for (i = 0; (name = crm_program_function(i, &fkind)); i++) {
		if (!documented[i])
			fprintf(stderr, "docs/mapping.md: the %s '%s' has no example\n",
				fkind == CRM_RULE_TRANSFORM ? "transform" : "check", name);
		CHECK(documented[i] > 0);
	}
	CHECK(examples > 60);
cleanup:;
}

static const struct harness_test tests[] = {
	TEST(test_program__pseudonymize_mask_redact),
	TEST(test_program__template_example_row_works_as_written),
	TEST(test_program__map_default_concat_nullif_unique),
	TEST(test_program__map_default_keep_passes_values_through),
	TEST(test_program__map_with_two_defaults_is_an_error),
	TEST(test_program__unique_rejects_the_second_record),
	TEST(test_program__compile_errors_are_all_collected),
	TEST(test_program__unknown_ref_object),
	TEST(test_program__config_errors),
	TEST(test_program__polymorphic_reference_by_key_prefix),
	TEST(test_program__polymorphic_reference_of_another_crm),
	TEST(test_program__polymorphic_reference_errors),
	TEST(test_program__owner_maps_users_with_a_default),
	TEST(test_program__owner_without_a_default_rejects),
	TEST(test_program__owner_errors),
	TEST_UNSWEPT(test_program__every_function_documented_with_examples_that_hold),
};

HARNESS_MAIN
