/*
 * test-config.c: crmshift.ini as a user may write it, mistakes included.
 */
#include "compat.h"
#include "harness.h"
#include "model/config.h"

#include <stdlib.h>

/* Loads text as dir/crmshift.ini of a new folder; the return code of crm_config_load, err set. */
static int load(const char *text, struct crm_config *cfg, struct crm_error *err)
{
	char dir[128], path[160];
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "%s/XXXXXX", harness_scratch());
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/crmshift.ini", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	rc = crm_config_load(cfg, dir, err);
	unlink(path);
	rmdir(dir);
	return rc;
}

/* Found by fuzzing: a count beyond long's range was converted to long (undefined behaviour) before it was checked. */
static void test_config__consent_mismatches_beyond_any_count_is_refused(void)
{
	static const char *const refused[] = {"1e300", "1e16", "-1", "1.5", "nan", "inf"};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(text, sizeof(text),
			 "[migration]\nname = x\nsource_system = salesforce\n[policy]\nconsent_mismatches = %s\n",
			 refused[i]);
		err.code = 0;
		CHECK(load(text, &cfg, &err) != 0);
		CHECK_CONTAINS(err.msg, ":5: consent_mismatches");
		CHECK_CONTAINS(err.msg, "is not a count");
	}
	CHECK_INT(load("[migration]\nname = x\nsource_system = salesforce\n[policy]\nconsent_mismatches = "
		       "1000000000000000\n",
		       &cfg, &err),
		  0);
	CHECK_INT((long long)cfg.policy.consent_mismatches, 1000000000000000LL);
	crm_config_release(&cfg);
}

/* Nothing is silently set twice: a key, a section, a value cut by the parser's line buffer. */
static void test_config__nothing_is_set_twice_or_cut(void)
{
	static const char head[] = "[migration]\nname = x\nsource_system = salesforce\n";
	static const struct {
		const char *rest, *error;
	} cases[] = {
		{"[object \"C\"]\nid = Id\nid = Email\n", ":6: 'id' is set twice in [object \"C\"] (first on line 5)"},
		{"[object \"C\"]\nid = Id\n[policy]\n[object \"C\"]\ntarget = contact\n",
		 ":7: section [object \"C\"] appears twice (first on line 4)"},
		{"[target]\nurl = sqlite:t.db\n  batch_size = 10\n", ":6: 'url' in [target] takes one value"},
		{"[policy]\ncritical_fields = contact.email, "
		 "contact.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
		 "contact."
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		 "bbbbbb\n",
		 ":5: the line is longer than 198 characters"},
	};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].rest);
		err.code = 0;
		CHECK(load(text, &cfg, &err) != 0);
		CHECK_CONTAINS(err.msg, cases[i].error);
	}
	/* a list goes on over indented lines, adding to what the key line listed */
	snprintf(text, sizeof(text), "%s[policy]\ncritical_fields = contact.email,\n  contact.phone\n", head);
	CHECK_INT(load(text, &cfg, &err), 0);
	CHECK_INT(cfg.policy.critical_count, 2);
	if (cfg.policy.critical_count == 2)
		CHECK_STR(cfg.policy.critical_fields[1], "contact.phone");
	crm_config_release(&cfg);
}

/* [dedupe "Object"]: rules joined by ';', fields by '+'; every mistake named with its line. */
static void test_config__dedupe_sections(void)
{
	static const char head[] = "[migration]\nname = x\nsource_system = salesforce\n[object \"Contact\"]\n"
				   "file = c.csv\nid = Id\ntarget = contact\n";
	static const struct {
		const char *rest, *error;
	} cases[] = {
		{"[dedupe \"Contact\"]\nsurvivor = first\n", ":8: [dedupe \"Contact\"] has no match"},
		{"[dedupe \"Lead\"]\nmatch = email\n", ":8: [dedupe \"Lead\"]: there is no [object \"Lead\"]"},
		{"[dedupe \"Contact\"]\nmatch = email;;phone\n", ":9: match 'email;;phone': rule 2 is empty"},
		{"[dedupe \"Contact\"]\nmatch = first_name++last_name\n",
		 ":9: match rule 'first_name++last_name' has an empty field"},
		{"[dedupe \"Contact\"]\nmatch = email ; phone\n", ":9: match: ' ;' starts a comment here"},
		{"[dedupe \"Contact\"]\nmatch = email\nsurvivor = newest\n",
		 ":10: survivor 'newest' is not most_recent, most_complete or first"},
		{"[dedupe \"Contact\"]\nmatch = email\nfill = true\n", ":10: fill 'true' is not yes or no"},
		{"[dedupe \"Contact\"]\nmatch = email\nsurvivor = most_recent\n",
		 ":8: [dedupe \"Contact\"] survivor = most_recent needs [object \"Contact\"] modified"},
		{"[dedupe \"Contact\"]\nmatch = email\nkeep = all\n",
		 ":10: unknown key 'keep' in [dedupe \"Contact\"]"},
	};
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	const struct crm_dedupe_config *d;
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].rest);
		err.code = 0;
		CHECK(load(text, &cfg, &err) != 0);
		CHECK_CONTAINS(err.msg, cases[i].error);
	}
	snprintf(text, sizeof(text), "%s[dedupe \"Contact\"]\nmatch = email; phone ;x\n", head);
	CHECK(load(text, &cfg, &err) != 0); /* " ;" after the value: a comment would cut it */
	snprintf(text, sizeof(text),
		 "%s[dedupe \"Contact\"]\nmatch = email;  first_name + last_name+account_id\n"
		 "survivor = most_complete\nfill = yes\n",
		 head);
	REQUIRE(load(text, &cfg, &err) == 0);
	d = crm_config_dedupe(&cfg, "Contact");
	REQUIRE(d != NULL);
	CHECK_INT((int)d->rule_count, 2);
	CHECK_STR(d->rules[0].text, "email");
	CHECK_STR(d->rules[1].text, "first_name + last_name+account_id");
	CHECK_INT((int)d->rules[1].count, 3);
	CHECK_STR(d->rules[1].fields[1], "last_name");
	CHECK_STR(d->rules[1].fields[2], "account_id");
	CHECK_INT(d->survivor, CRM_SURVIVOR_MOST_COMPLETE);
	CHECK_INT(d->fill, 1);
	CHECK_STR(crm_survivor_name(d->survivor), "most_complete");
	CHECK(crm_config_dedupe(&cfg, "Lead") == NULL);
cleanup:
	crm_config_release(&cfg);
}

/* Whether [section] key = 1 is a key the parser knows (any other complaint about it says it is). */
static int key_known(const char *section, const char *key)
{
	struct crm_error err = CRM_ERROR_INIT;
	struct crm_config cfg;
	char text[512];

	snprintf(text, sizeof(text), "[migration]\nsource_system = t\n[%s]\n%s = 1\n", section, key);
	if (load(text, &cfg, &err) == 0) {
		crm_config_release(&cfg);
		return 1;
	}
	return !strstr(err.msg, "unknown key") && !strstr(err.msg, "unknown section");
}

/* docs/config.md's table: each key it lists is one the parser takes, in the section it names. */
static void test_config__every_documented_key_is_a_key(void)
{
	FILE *f = fopen("docs/config.md", "r");
	char line[4096], section[64] = "", keys[256], *key, *save;
	size_t checked = 0;

	REQUIRE(f);
	while (fgets(line, sizeof(line), f)) {
		char sec[64];
		const char *rest = line;
		if (strncmp(line, "| `[", 4) == 0 && sscanf(line, "| `[%63[^]]]`", sec) == 1) {
			/* [object "Name"] and [dedupe "Name"]: an object's name */
			if (strncmp(sec, "object ", 7) == 0 || strncmp(sec, "dedupe ", 7) == 0)
				snprintf(section, sizeof(section), "%.6s \"Contact\"", sec);
			else
				snprintf(section, sizeof(section), "%s", sec);
			rest = strchr(line + 1, '|');
		} else if (strncmp(line, "| | `", 5) == 0) {
			rest = line + 2;
		} else {
			continue;
		}
		if (sscanf(rest, "| %255[^|]|", keys) != 1)
			continue;
		for (key = strtok_r(keys, "`, ", &save); key; key = strtok_r(NULL, "`, ", &save)) {
			char name[128];
			snprintf(name, sizeof(name), "%s",
				 strcmp(key, "lost_links.Object.field") == 0 ? "lost_links.Contact.account_id" : key);
			if (!key_known(section, name))
				fprintf(stderr, "docs/config.md: [%s] %s is not a key crmshift.ini takes\n", section,
					name);
			CHECK(key_known(section, name));
			checked++;
		}
	}
	fclose(f);
	CHECK(checked >= 40);
	/* and the check can fail */
	CHECK(!key_known("source", "folder"));
	CHECK(!key_known("object \"Contact\"", "primary_key"));
cleanup:;
}

static void test_config__durations(void)
{
	static const struct {
		const char *text;
		double seconds;
	} good[] = {{"4h", 14400},   {"90m", 5400}, {"1h30m", 5400}, {"3600", 3600},
		    {"3600s", 3600}, {"1d", 86400}, {"0s", 0},	     {"1.5h", 5400}};
	static const char *const bad[] = {"", "soon", "4 hours", "-1h", "1h30", "h", "4x"};
	double v;
	size_t i;

	for (i = 0; i < CRM_ARRAY_COUNT(good); i++) {
		v = -1;
		CHECK_INT(crm_config_duration(good[i].text, &v), 0);
		CHECK(v == good[i].seconds);
	}
	for (i = 0; i < CRM_ARRAY_COUNT(bad); i++)
		CHECK_INT(crm_config_duration(bad[i], &v), -1);
}

static const struct harness_test tests[] = {
	TEST(test_config__consent_mismatches_beyond_any_count_is_refused),
	TEST(test_config__nothing_is_set_twice_or_cut),
	TEST(test_config__dedupe_sections),
	TEST(test_config__every_documented_key_is_a_key),
	TEST(test_config__durations),
};

HARNESS_MAIN
