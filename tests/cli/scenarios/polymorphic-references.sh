# Tasks and events whose WhoId names a contact or a lead, and WhatId an
# account or an opportunity (the Salesforce template's contact_id|lead_id
# and account_id|opportunity_id): each id fills the column of the object its
# key prefix names; an id of another object is an orphan, reported and
# counted as a lost link, and so is a value that is not a Salesforce id and
# that no contact or lead has. A change of WhoId from a contact to a lead
# moves the link, and rollback moves it back. In an export whose ids carry
# no key prefix (format = csv), each id is looked up in the contacts' and
# the leads' cross-references: it goes where it is found, and an id both
# have is a reject naming both.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
FIX="$ROOT/tests/cli/fixtures"
P="$SCRATCH/sf"
"$CRMSHIFT" init "$P" --from salesforce >/dev/null
cp "$FIX"/template-salesforce/*.csv "$P/exports/"
on_test_target "$P"
# three more tasks: an account's id in WhoId, an id that is not Salesforce's, a lead by its 15-character id
head -1 "$P/exports/Task.csv" >"$SCRATCH/head.csv"
{
	cat "$P/exports/Task.csv"
	echo '"00TDn00000Task3MAB","001Dn00000Acme1IAB","","Wrong who","2024-02-02","Completed","Normal","005Dn00000Ownr1IAB","","Call","false","","2024-01-30T09:00:00.000Z","2024-02-01T15:00:00.000Z"'
	echo '"00TDn00000Task4MAB","LEGACY-17","","From the old CRM","2024-02-03","Completed","Normal","005Dn00000Ownr1IAB","","Call","false","","2024-01-30T09:00:00.000Z","2024-02-01T15:00:00.000Z"'
	echo '"00TDn00000Task5MAB","00QDn00000Lead2","006Dn00000Deal2IAB","Short id","2024-02-04","Completed","Normal","005Dn00000Ownr1IAB","","Call","false","","2024-01-30T09:00:00.000Z","2024-02-01T15:00:00.000Z"'
} >"$SCRATCH/tasks.csv"
mv "$SCRATCH/tasks.csv" "$P/exports/Task.csv"

"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/m1.json" 2>"$SCRATCH/m1.err" || fail "migrate: $(cat "$SCRATCH/m1.err")"
expect_eq "tasks read, inserted, rejected, orphaned" \
	"$(jq -c '.objects[] | select(.object == "Task") | [.read, .inserted, .rejected, .orphaned]' "$SCRATCH/m1.json")" "[5,5,0,2]"

# who and what of each activity, by the parents' source ids: contact, lead, account, opportunity
links() {
	target_sql "${1:-$P}" "select a.source_id, coalesce(c.source_id, '-'), coalesce(l.source_id, '-'), coalesce(ac.source_id, '-'), coalesce(o.source_id, '-')
	  from activity a left join contact c on c.id = a.contact_id left join lead l on l.id = a.lead_id
	  left join account ac on ac.id = a.account_id left join opportunity o on o.id = a.opportunity_id order by a.source_id" | tr '\n' ' '
}
expect_eq "links" "$(links)" \
	"00TDn00000Task1MAB|003Dn00000Wile1IAB|-|-|006Dn00000Deal1IAB 00TDn00000Task2MAB|-|00QDn00000Lead1MAB|001Dn00000Acme1IAB|- 00TDn00000Task3MAB|-|-|-|- 00TDn00000Task4MAB|-|-|-|- 00TDn00000Task5MAB|-|00QDn00000Lead2MAB|-|006Dn00000Deal2IAB 00UDn00000Evnt1MAB|003Dn00000Road2IAB|-|-|006Dn00000Deal2IAB "
expect_eq "the orphan" "$(grep -c '^Task,00TDn00000Task3MAB,4,WhoId,Contact|Lead,001Dn00000Acme1IAB,loaded without the link$' "$P/reports/orphans-1.csv")" 1
expect_eq "why, as migrate says it" "$(jq -r '.orphan_examples[] | select(.source_id == "00TDn00000Task3MAB") | .reason' "$SCRATCH/m1.json")" \
	"parent Contact or Lead '001Dn00000Acme1IAB' is not loaded; loaded without the link"
expect_eq "not a Salesforce id, and no contact or lead has it: an orphan too" \
	"$(grep -c '^Task,00TDn00000Task4MAB,5,WhoId,Contact|Lead,LEGACY-17,loaded without the link$' "$P/reports/orphans-1.csv")" 1

# reconcile: each column against its own parent; the orphan is one lost link of contact_id
rc=0
"$CRMSHIFT" -C "$P" reconcile --json >"$SCRATCH/r1.json" || rc=$?
expect_eq "reconcile links of the task columns (source/target/lost)" \
	"$(jq -r '[.relationships.references[] | select(.object == "Task") | .field + ":" + (.source_links | tostring) + "/" + (.target_links | tostring) + "/" + (.lost | tostring)] | join(" ")' "$SCRATCH/r1.json")" \
	"contact_id:3/1/2 lead_id:2/2/0 account_id:1/1/0 opportunity_id:2/2/0"
expect_eq "the lost link's parent" "$(jq -r '.relationships.references[] | select(.object == "Task" and .field == "contact_id") | [.missing_parents[] | .key] | sort | join(" ")' "$SCRATCH/r1.json")" "001Dn00000Acme1IAB LEGACY-17"

# a re-run changes nothing
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/m2.json" 2>/dev/null
expect_eq "re-run" "$(jq -c '.objects[] | select(.object == "Task") | [.inserted, .updated, .unchanged]' "$SCRATCH/m2.json")" "[0,0,5]"

# Task1 now names a lead: its contact link goes, its lead link comes; rollback puts it back
before=$(links)
sed -i 's/^"00TDn00000Task1MAB","003Dn00000Wile1IAB"/"00TDn00000Task1MAB","00QDn00000Lead1MAB"/' "$P/exports/Task.csv"
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/m3.json" 2>/dev/null
expect_eq "the changed task" "$(jq -c '.objects[] | select(.object == "Task") | [.updated, .unchanged]' "$SCRATCH/m3.json")" "[1,4]"
expect_eq "the link moved" "$(links | cut -d' ' -f1)" "00TDn00000Task1MAB|-|00QDn00000Lead1MAB|-|006Dn00000Deal1IAB"
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb.json" || fail "rollback: exit $?"
expect_eq "rollback identical" "$(jq .identical "$SCRATCH/rb.json")" true
expect_eq "links after rollback" "$(links)" "$before"

# Another CRM's ids (format = csv: no key prefix is read): a lead shares a
# contact's id, as ids numbered per object do
P2="$SCRATCH/csv"
"$CRMSHIFT" init "$P2" --from salesforce >/dev/null
cp "$FIX"/template-salesforce/*.csv "$P2/exports/"
on_test_target "$P2"
sed -i 's/^format = salesforce$/format = csv/' "$P2/crmshift.ini"
grep -q '^format = csv$' "$P2/crmshift.ini" || fail "the project's format is not csv"
sed -n 2p "$P2/exports/Lead.csv" | sed 's/^"00QDn00000Lead1MAB","false","Dubois"/"003Dn00000Road2IAB","false","Twin"/' >>"$P2/exports/Lead.csv"
{
	cat "$P2/exports/Task.csv"
	echo '"00TDn00000Task6MAB","003Dn00000Road2IAB","","Both have it","2024-02-04","Completed","Normal","005Dn00000Ownr1IAB","","Call","false","","2024-01-30T09:00:00.000Z","2024-02-01T15:00:00.000Z"'
} >"$SCRATCH/tasks2.csv"
mv "$SCRATCH/tasks2.csv" "$P2/exports/Task.csv"
"$CRMSHIFT" -C "$P2" migrate --json >"$SCRATCH/c1.json" 2>"$SCRATCH/c1.err" || fail "migrate csv: $(cat "$SCRATCH/c1.err")"
expect_eq "csv: tasks read, inserted, rejected, orphaned" \
	"$(jq -c '.objects[] | select(.object == "Task") | [.read, .inserted, .rejected, .orphaned]' "$SCRATCH/c1.json")" "[3,2,1,0]"
expect_eq "csv: each id where its parent is" "$(links "$P2" | tr ' ' '\n' | grep Task)" \
	"$(printf '%s\n' '00TDn00000Task1MAB|003Dn00000Wile1IAB|-|-|006Dn00000Deal1IAB' '00TDn00000Task2MAB|-|00QDn00000Lead1MAB|001Dn00000Acme1IAB|-')"
expect_eq "csv: the reject names both" \
	"$(grep -c "^Task,00TDn00000Task6MAB,4,WhoId,trim -> ref(Contact|Lead),'003Dn00000Road2IAB' is the id of a Contact and a Lead: which one it names is unknown$" "$P2/reports/rejects-1.csv")" 1
rc=0
"$CRMSHIFT" -C "$P2" reconcile --json >"$SCRATCH/c2.json" || rc=$?
expect_eq "csv: reconcile counts the reject, finds nothing missing" \
	"$(jq -c '[.objects[] | select(.object == "Task") | .source_rows, .in_target, .rejected, .missing]' "$SCRATCH/c2.json")" "[3,2,1,0]"
expect_eq "csv: links of the task columns (source/target/lost)" \
	"$(jq -r '[.relationships.references[] | select(.object == "Task") | .field + ":" + (.source_links | tostring) + "/" + (.target_links | tostring) + "/" + (.lost | tostring)] | join(" ")' "$SCRATCH/c2.json")" \
	"contact_id:1/1/0 lead_id:1/1/0 account_id:1/1/0 opportunity_id:1/1/0"
"$CRMSHIFT" -C "$P2" migrate --json >"$SCRATCH/c3.json" 2>/dev/null
expect_eq "csv: a re-run changes nothing" "$(jq -c '.objects[] | select(.object == "Task") | [.inserted, .updated, .unchanged, .rejected]' "$SCRATCH/c3.json")" "[0,0,2,1]"
