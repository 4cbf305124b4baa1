# Every row of the sample's target checked against the source exports,
# read independently (sqlite3 .import of the raw CSV files): each contact
# linked to the right account, each junction row to the right opportunity
# and contact, each account to its parent, by source id; and a second run
# changes nothing. The source tables sit beside the target as schema s:
# attached on SQLite, copied into the database on PostgreSQL.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)
"$CRMSHIFT" -C "$P" migrate >/dev/null
import_source "$P" "$SCRATCH/src.db"
if [ "$TEST_TARGET" = postgres ]; then
	url=$(target_url "$P")
	pg_sql "$url" "create schema s"
	for t in $(sqlite3 "$SCRATCH/src.db" "select name from sqlite_master where type = 'table'"); do
		pg_sql "$url" "create table s.$t ($(sqlite3 "$SCRATCH/src.db" "select group_concat(lower(name) || ' text', ', ') from pragma_table_info('$t')"))"
		# NULL '\N': an empty field stays an empty string, as sqlite3's import reads it
		sqlite3 -csv "$SCRATCH/src.db" "select * from $t" | psql -X -q -d "$url" -c "\\copy s.$t from stdin csv null '\\N'"
	done
	q() { target_sql "$P" "$1"; }
else
	q() { sqlite3 "$P/target.db" "attach '$SCRATCH/src.db' as s; $1"; }
fi

# every loaded contact points at the account its source row names (or at nothing when that account is not loaded)
bad=$(q "select count(*) from contact c join s.src_Contact sc on sc.Id = c.source_id
	 left join account a on a.id = c.account_id
	 where coalesce(a.source_id, '') != (case when exists (select 1 from account x where x.source_id = sc.AccountId) then sc.AccountId else '' end)")
expect_eq "contacts linked to the wrong account" "$bad" 0
linked=$(q "select count(*) from contact where account_id is not null")
expect_eq "contacts with an account" "$linked" 15

# junction rows: both ends by source id
bad=$(q "select count(*) from opportunity_contact r join s.src_OpportunityContactRole sr on sr.Id = r.source_id
	 join opportunity o on o.id = r.opportunity_id join contact c on c.id = r.contact_id
	 where o.source_id != sr.OpportunityId or c.source_id != sr.ContactId or r.role != sr.Role")
expect_eq "junction rows with a wrong end" "$bad" 0
ends=$(q "select count(*) from opportunity_contact where opportunity_id is null or contact_id is null")
expect_eq "junction rows missing an end" "$ends" 0
expect_eq "junction rows" "$(q 'select count(*) from opportunity_contact')" 13

# account hierarchy
bad=$(q "select count(*) from account a join s.src_Account sa on sa.Id = a.source_id left join account p on p.id = a.parent_account_id
	 where coalesce(p.source_id, '') != (case when exists (select 1 from account x where x.source_id = sa.ParentId) then sa.ParentId else '' end)")
expect_eq "accounts with a wrong parent" "$bad" 0
expect_eq "accounts with a parent" "$(q 'select count(*) from account where parent_account_id is not null')" 3

# opportunities and tasks to their parents
bad=$(q "select count(*) from opportunity o join s.src_Opportunity so on so.Id = o.source_id join account a on a.id = o.account_id where a.source_id != so.AccountId")
expect_eq "opportunities on the wrong account" "$bad" 0
bad=$(q "select count(*) from activity t join s.src_Task st on st.Id = t.source_id left join contact c on c.id = t.contact_id left join opportunity o on o.id = t.opportunity_id
	 where coalesce(c.source_id,'') != st.WhoId or coalesce(o.source_id,'') != st.WhatId")
expect_eq "activities with a wrong link" "$bad" 0

# every source row is either in the target or in the rejects report
for obj in Account:account Contact:contact Lead:lead Opportunity:opportunity OpportunityContactRole:opportunity_contact Task:activity; do
	o=${obj%%:*} t=${obj##*:}
	src=$(q "select count(*) from s.src_$o")
	loaded=$(q "select count(*) from $t")
	rejected=$(tail -n +2 "$P/reports/rejects-1.csv" | grep -c "^$o," || true)
	expect_eq "$o: source rows = loaded + rejected" "$src" "$((loaded + rejected))"
done

# values: names with non-ASCII letters survive, consent flags are exact
expect_eq "opt-outs" "$(q "select source_id from contact where email_opt_out" | LC_ALL=C sort)" \
	"$(q "select Id from s.src_Contact where HasOptedOutOfEmail = 'true' and Id in (select source_id from contact)" | LC_ALL=C sort)"
expect_eq "non-ASCII name" "$(q "select first_name || ' ' || last_name from contact where source_id = '003A000000000007AAA'")" "Łukasz Kowalski"
expect_eq "windows-1252 name" "$(q "select company from lead where source_id = '00QA000000000003AAA'")" "Ångström Optik AB"

# a second run changes nothing
before=$(target_dump "$P")
out=$("$CRMSHIFT" -C "$P" migrate)
echo "$out" | grep -q "total                                                71         0         0        61        10         5" || fail "second run: $out"
expect_eq "target after a second run" "$(target_dump "$P")" "$before"
