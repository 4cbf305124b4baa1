/*
 * gen.c: writes a synthetic migration project for benchmarks and the
 * kill-and-resume test: N contacts, N/10 accounts (a third of them with a
 * parent), N/5 opportunities and N/2 opportunity contact roles, in the
 * Salesforce export layout of examples/sample, with the usual mess (mixed
 * phone formats, MM/DD/YYYY birthdates, a few invalid rows and orphans).
 *
 * usage: gen [--random-ids] DIR CONTACTS [DELTA_PCT]
 *
 * Ids are in ascending order in each file, as no real export has them;
 * --random-ids scrambles every id (a bijection, so references still
 * match), the order real exports come in.
 *
 * With DELTA_PCT, the source's later state too, for sync: in
 * DIR/delta/incremental/Contact.csv the contacts changed since (DELTA_PCT%
 * updated: a new title; one in a thousand deleted, flagged IsDeleted, none
 * of them in an opportunity role; one in a thousand new), each modified in
 * 2025; in DIR/delta/full/ every export as a full export of that state.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng = 88172645463325252ull;
static int random_ids;

/* The 14-digit number of record i's id: i, or with --random-ids an affine bijection of [0, 10^14). */
static long id_of(long i)
{
	if (!random_ids)
		return i;
	return (long)((2654435761ull * (uint64_t)i + 97531ull) % 100000000000000ull);
}

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const first_names[] = {"Anna",   "Jürgen", "Zoë",   "Łukasz", "Søren", "María", "Wei",    "Aiko",
					  "Olivia", "Noah",   "Chloé", "Mateo",	 "Amara", "Ivan",  "Fatima", "Liam"};
static const char *const last_names[] = {"Smith",  "Müller", "García",	  "Nguyễn", "Kowalski", "O'Brien", "Rossi",
					 "Dubois", "Tanaka", "Johansson", "Silva",  "Novák",	"Kim",	   "Okafor"};
static const char *const titles[] = {"VP Engineering",	"Head of Sales",    "Procurement Manager", "CFO",
				     "Operations Lead", "Account Executive"};
static const char *const states[] = {"CA", "NY", "TX", "WA", "IL", "MA", "OR", "CO"};
static const char *const sources[] = {"Web", "Trade Show", "Partner", "Referral", "Cold Call"};
static const char *const consent[] = {"web-form", "import", "event", "call"};
static const char *const stages[] = {"Prospecting",	   "Qualification", "Needs Analysis", "Proposal/Price Quote",
				     "Negotiation/Review", "Closed Won",    "Closed Lost"};

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gen: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void phone(char *out, size_t cap, uint64_t r)
{
	unsigned a = 200 + (unsigned)(r % 700), b = 200 + (unsigned)(r / 700 % 700), c = (unsigned)(r / 490000 % 10000);

	switch (r % 4) {
	case 0:
		snprintf(out, cap, "(%u) %u-%04u", a, b, c);
		break;
	case 1:
		snprintf(out, cap, "%u.%u.%04u", a, b, c);
		break;
	case 2:
		snprintf(out, cap, "+1 %u %u %04u", a, b, c);
		break;
	default:
		snprintf(out, cap, "%u%u%04u", a, b, c);
	}
}

/* A contact deleted in the delta: no opportunity role refers to it. */
static int deleted_later(long i)
{
	return i % 1000 == 500;
}

static void copy_file(const char *dir, const char *from, const char *to)
{
	char path[4096], buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, from);
	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "gen: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	out = open_out(dir, to);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

int main(int argc, char **argv)
{
	long contacts, accounts, opps, roles, i, delta_every = 0;
	char dir[4096], ph[32], line[2048];
	FILE *f, *inc = NULL, *full = NULL;

	if (argc > 1 && strcmp(argv[1], "--random-ids") == 0) {
		random_ids = 1;
		argv++;
		argc--;
	}
	if ((argc != 3 && argc != 4) || (contacts = strtol(argv[2], NULL, 10)) < 10 ||
	    (argc == 4 && (delta_every = 100 / strtol(argv[3], NULL, 10)) < 1)) {
		fprintf(stderr, "usage: gen [--random-ids] DIR CONTACTS [DELTA_PCT] (at least 10 contacts; a delta of 1 to 100%%)\n");
		return 2;
	}
	accounts = contacts / 10;
	opps = contacts / 5;
	roles = contacts / 2;
	mkdir(argv[1], 0755);
	snprintf(dir, sizeof(dir), "%s/exports", argv[1]);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/maps", argv[1]);
	mkdir(dir, 0755);
	if (delta_every) {
		snprintf(dir, sizeof(dir), "%s/delta", argv[1]);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%s/delta/incremental", argv[1]);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%s/delta/full", argv[1]);
		mkdir(dir, 0755);
	}

	f = open_out(argv[1], "crmshift.ini");
	fputs("[migration]\nname = bench\nsource_system = salesforce\n[source]\npath = exports\n"
	      "[target]\nurl = sqlite:target.db\nbatch_size = 20000\n"
	      "[object \"Account\"]\nfile = Account.csv\nid = Id\ntarget = account\n"
	      "[object \"Contact\"]\nfile = Contact.csv\nid = Id\ntarget = contact\nmodified = "
	      "LastModifiedDate\ndeleted = IsDeleted\ndelete_missing = yes\n"
	      "[object \"Opportunity\"]\nfile = Opportunity.csv\nid = Id\ntarget = opportunity\n"
	      "[object \"OpportunityContactRole\"]\nfile = OpportunityContactRole.csv\nid = Id\ntarget = "
	      "opportunity_contact\n",
	      f);
	fclose(f);
	f = open_out(argv[1], "maps/stage.csv");
	fputs("source_value,target_value\nProspecting,prospecting\nQualification,qualification\nNeeds "
	      "Analysis,qualification\n"
	      "Proposal/Price Quote,proposal\nNegotiation/Review,negotiation\nClosed Won,closed_won\nClosed "
	      "Lost,closed_lost\n",
	      f);
	fclose(f);
	f = open_out(argv[1], "mapping.csv");
	fputs("source_object,source_field,data_type,target_field,transform_rule,pii_flag,validation_rule,sample_value\n"
	      "Account,Name,text,name,trim,,required,Acme\n"
	      "Account,ParentId,id,parent_account_id,ref(Account),,,\n"
	      "Account,Phone,text,phone,\"phone(E164, US)\",,,\n"
	      "Account,AnnualRevenue,decimal,annual_revenue,decimal,,\"range(0,)\",\n"
	      "Contact,AccountId,id,account_id,ref(Account),,,\n"
	      "Contact,FirstName,text,first_name,trim,PII,,\n"
	      "Contact,LastName,text,last_name,trim,PII,required,\n"
	      "Contact,Email,email,email,trim -> email,PII,,\n"
	      "Contact,Phone,phone,phone,\"phone(E164, US)\",PII,,\n"
	      "Contact,Birthdate,date,birth_date,parse(MM/DD/YYYY) -> date,PII,not_future_date,\n"
	      "Contact,MailingCity,text,mailing_city,trim,PII,,\n"
	      "Contact,HasOptedOutOfEmail,bool,email_opt_out,bool,,required,\n"
	      "Contact,CreatedDate,datetime,created_at,datetime,,,\n"
	      "Contact,LastModifiedDate,datetime,updated_at,datetime,,,\n"
	      "Contact,Title,text,title,trim,,max_len(128),\n"
	      "Contact,MobilePhone,phone,mobile_phone,\"phone(E164, US)\",PII,,\n"
	      "Contact,MailingStreet,text,mailing_street,trim -> collapse_ws,PII,,\n"
	      "Contact,MailingState,text,mailing_state,trim -> upper,,,\n"
	      "Contact,MailingPostalCode,text,mailing_postal_code,trim,PII,,\n"
	      "Contact,DoNotCall,bool,do_not_call,bool,,,\n"
	      "Contact,LeadSource,text,lead_source,trim -> lower,,,\n"
	      "Contact,OwnerId,text,owner,trim,,,\n"
	      "Contact,Consent_Source__c,text,consent_source,trim -> lower,,,\n"
	      "Contact,Consent_Timestamp__c,datetime,consent_timestamp,datetime,,not_future_date,\n"
	      "Opportunity,AccountId,id,account_id,ref(Account),,required,\n"
	      "Opportunity,Name,text,name,trim,,required,\n"
	      "Opportunity,StageName,text,stage,map(maps/stage.csv),,required,\n"
	      "Opportunity,Amount,decimal,amount,decimal -> round(2),,\"range(0,)\",\n"
	      "Opportunity,CloseDate,date,close_date,date,,,\n"
	      "OpportunityContactRole,OpportunityId,id,opportunity_id,ref(Opportunity),,required,\n"
	      "OpportunityContactRole,ContactId,id,contact_id,ref(Contact),,required,\n"
	      "OpportunityContactRole,Role,text,role,trim,,,\n"
	      "OpportunityContactRole,IsPrimary,bool,is_primary,bool,,,\n",
	      f);
	fclose(f);

	f = open_out(argv[1], "exports/Account.csv");
	fputs("Id,Name,ParentId,Phone,AnnualRevenue\n", f);
	for (i = 0; i < accounts; i++) {
		uint64_t r = next();
		char parent[32] = "";
		/* a third have a parent, which may come later in the file */
		if (i % 3 == 1)
			snprintf(parent, sizeof(parent), "001B%014ld", id_of((i * 7 + 3) % accounts));
		phone(ph, sizeof(ph), r);
		fprintf(f, "001B%014ld,\"Company %ld, Inc.\",%s,%s,%lu.%02lu\n", id_of(i), i, parent, ph,
			(unsigned long)(r % 100000000), (unsigned long)(r % 100));
	}
	fclose(f);

	f = open_out(argv[1], "exports/Contact.csv");
	if (delta_every) {
		inc = open_out(argv[1], "delta/incremental/Contact.csv");
		full = open_out(argv[1], "delta/full/Contact.csv");
	}
	/* about the width of a real Salesforce contact export: 1M rows make some 270 MB */
	snprintf(line, sizeof(line), "%s",
		 "Id,AccountId,FirstName,LastName,Email,Phone,Birthdate,MailingCity,HasOptedOutOfEmail,CreatedDate,"
		 "LastModifiedDate,Title,MobilePhone,MailingStreet,MailingState,MailingPostalCode,DoNotCall,LeadSource,"
		 "OwnerId,Consent_Source__c,Consent_Timestamp__c,IsDeleted\n");
	fputs(line, f);
	if (delta_every) {
		fputs(line, inc);
		fputs(line, full);
	}
	for (i = 0; i < contacts; i++) {
		uint64_t r = next(), r2 = next();
		const char *fn = first_names[r % 16], *ln = last_names[(r >> 8) % 14];
		long account = (long)((r >> 16) % (uint64_t)accounts);
		char mobile[32];
		phone(ph, sizeof(ph), r >> 3);
		phone(mobile, sizeof(mobile), r2);
		FILE *row;
		char *text = NULL, *modified, *title;
		size_t text_len = 0;
		if (i % 1000 == 999)
			account = accounts + 5; /* an orphan: the account is not in the export */
		row = open_memstream(&text, &text_len);
		fprintf(row,
			"003B%014ld,001B%014ld,%s,\"%s\",c%ld@example%ld.com,%s,%02u/%02u/%u,City "
			"%u,%s,2021-%02u-%02uT10:%02u:00.000+0000,",
			id_of(i), id_of(account), fn, ln, i, (long)(r % 50), ph, (unsigned)(r % 12) + 1,
			i % 5000 == 4999 ? 45u : (unsigned)((r >> 4) % 28) + 1, 1940u + (unsigned)((r >> 9) % 60),
			(unsigned)(r >> 20) % 500, (r >> 30) % 7 ? "false" : "true", (unsigned)(r % 12) + 1,
			(unsigned)(r >> 5) % 28 + 1, (unsigned)(r >> 11) % 60);
		fprintf(row,
			"2024-%02u-%02uT%02u:%02u:00.000+0000,%s,%s,\"%u %s St, Ste %u\",%s,%05u,%s,%s,005B%010u,%s,"
			"2023-%02u-%02uT09:00:00.000+0000,false\n",
			(unsigned)(r2 % 12) + 1, (unsigned)(r2 >> 4) % 28 + 1, (unsigned)(r2 >> 9) % 24,
			(unsigned)(r2 >> 14) % 60, titles[(r2 >> 3) % 6], mobile, (unsigned)(r2 >> 20) % 9000 + 100,
			last_names[(r2 >> 24) % 14], (unsigned)(r2 >> 28) % 900 + 100, states[(r2 >> 32) % 8],
			(unsigned)(r2 >> 36) % 99999, (r2 >> 40) % 11 ? "false" : "true", sources[(r2 >> 44) % 5],
			(unsigned)(r2 >> 50) % 400, consent[(r2 >> 52) % 4], (unsigned)(r2 >> 54) % 12 + 1,
			(unsigned)(r2 >> 58) % 28 + 1);
		fclose(row);
		fputs(text, f);
		if (delta_every) {
			/* the fields the delta changes: the 11th (LastModifiedDate) and 12th (Title); quotes come later */
			modified = text;
			for (int c = 0; c < 10; c++)
				modified = strchr(modified, ',') + 1;
			title = strchr(modified, ',') + 1;
			if (deleted_later(i)) {
				fprintf(inc, "%.*s2025-03-01T10:00:00.000+0000,%.*strue\n", (int)(modified - text),
					text, (int)(strrchr(text, ',') + 1 - title), title);
			} else if (i % delta_every == 1) {
				const char *rest = strchr(title, ',');
				snprintf(line, sizeof(line), "%.*s2025-03-01T10:00:00.000+0000,Updated %ld%s",
					 (int)(modified - text), text, i, rest);
				fputs(line, inc);
				fputs(line, full);
			} else {
				fputs(text, full);
			}
			if (i % 1000 == 999) {
				/* a new contact, in the same account as this one's neighbour */
				snprintf(line, sizeof(line), "003C%s", text + 4);
				modified = line;
				for (int c = 0; c < 10; c++)
					modified = strchr(modified, ',') + 1;
				memcpy(modified, "2025-03-01T10:00:00.000+0000", 28);
				fputs(line, inc);
				fputs(line, full);
			}
		}
		free(text);
	}
	fclose(f);
	if (delta_every) {
		fclose(inc);
		fclose(full);
	}

	f = open_out(argv[1], "exports/Opportunity.csv");
	fputs("Id,AccountId,Name,StageName,Amount,CloseDate\n", f);
	for (i = 0; i < opps; i++) {
		uint64_t r = next();
		fprintf(f, "006B%014ld,001B%014ld,Deal %ld,%s,%lu.%02lu,2024-%02u-%02u\n", id_of(i),
			id_of((long)(r % (uint64_t)accounts)), i, stages[r % 7], (unsigned long)(r >> 8) % 1000000,
			(unsigned long)(r >> 3) % 100, (unsigned)(r >> 12) % 12 + 1, (unsigned)(r >> 17) % 28 + 1);
	}
	fclose(f);

	f = open_out(argv[1], "exports/OpportunityContactRole.csv");
	fputs("Id,OpportunityId,ContactId,Role,IsPrimary\n", f);
	for (i = 0; i < roles; i++) {
		uint64_t r = next();
		long contact = (long)((r >> 20) % (uint64_t)contacts);
		fprintf(f, "00KB%014ld,006B%014ld,003B%014ld,%s,%s\n", id_of(i), id_of((long)(r % (uint64_t)opps)),
			id_of(contact + deleted_later(contact)),
			r % 3 ? "Influencer" : "Decision Maker", i % 2 ? "false" : "true");
	}
	fclose(f);
	if (delta_every) {
		copy_file(argv[1], "exports/Account.csv", "delta/full/Account.csv");
		copy_file(argv[1], "exports/Opportunity.csv", "delta/full/Opportunity.csv");
		copy_file(argv[1], "exports/OpportunityContactRole.csv", "delta/full/OpportunityContactRole.csv");
	}
	return 0;
}
