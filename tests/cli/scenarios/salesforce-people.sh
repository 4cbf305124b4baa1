# The three fixes every CRM migration makes by hand, together on a
# Salesforce project (the template and its exports): tasks whose WhoId
# names a contact or a lead and WhatId an account or an opportunity, owners
# mapped, unknown and inactive, and people entered twice in several ways
# (an e-mail in another case, a phone written otherwise, the same name at
# the same account; a lead twice). A task that names a merged contact or
# lead links to the survivor's row; the owner of a merged record is the
# survivor's; reconcile finds nothing missing; a re-run changes nothing;
# rollback leaves the target as it was.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
FIX="$ROOT/tests/cli/fixtures"
P="$SCRATCH/sf"
"$CRMSHIFT" init "$P" --from salesforce >/dev/null
cp "$FIX"/template-salesforce/*.csv "$P/exports/"
on_test_target "$P"
row() { # Contact: id account last first email phone owner modified
	echo "\"$1\",\"false\",\"$2\",\"$3\",\"$4\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"$6\",\"\",\"$5\",\"\",\"false\",\"false\",\"$7\",\"2020-01-01T10:00:00.000Z\",\"$8\""
}
{
	row 003Dn00000Wile9IAB 001Dn00000Acme1IAB Coyote Wile WILE.COYOTE@acme.example.com "" 005Dn00000Ownr2IAB 2024-06-01T10:00:00.000Z
	row 003Dn00000Road8IAB 001Dn00000Acme2IAB Runner Roadie "" "0049 30 901821" 005Dn00000Ownr9IAB 2023-01-01T10:00:00.000Z
	row 003Dn00000Wile7IAB 001Dn00000Acme1IAB Coyote "Wile E." "" "" 005Dn00000Ownr1IAB 2021-01-01T10:00:00.000Z
} >>"$P/exports/Contact.csv"
echo '"00QDn00000Lead3MAB","false","Dubois","F.","Dubois Conseil","FRANCOISE.DUBOIS@EXAMPLE.FR","","Open - Not Contacted","Web","false","","","false","005Dn00000Ownr1IAB","2024-01-03T09:00:00.000Z","2024-01-03T09:00:00.000Z"' >>"$P/exports/Lead.csv"
echo '"00TDn00000Task7MAB","00QDn00000Lead3MAB","006Dn00000Deal2IAB","Call the twin","2024-02-04","Completed","Normal","005Dn00000Ownr9IAB","","Call","false","","2024-01-30T09:00:00.000Z","2024-02-01T15:00:00.000Z"' >>"$P/exports/Task.csv"
cat >>"$P/crmshift.ini" <<'INI'

[dedupe "Contact"]
match = email; phone; first_name+last_name+account_id
survivor = most_recent
fill = yes

[dedupe "Lead"]
match = email
INI
sed -i 's#^\(Contact\|Task\),OwnerId,text,owner,trim,#\1,OwnerId,text,owner,"trim -> owner(maps/owners.csv, default=ops@acme.example)",#' "$P/mapping.csv"
[ "$(grep -c 'owner(maps/owners.csv' "$P/mapping.csv")" = 2 ] || fail "the mapping was not edited"
mkdir -p "$P/maps"
printf 'source_user,target_owner,active\n005Dn00000Ownr1IAB,ann@acme.example,true\n005Dn00000Ownr2IAB,bob@acme.example,false\n' >"$P/maps/owners.csv"

"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/m1.json" 2>"$SCRATCH/m1.err" || fail "migrate: $(cat "$SCRATCH/m1.err")"
expect_eq "contacts, leads, tasks: read, inserted, rejected, merged" \
	"$(jq -c '[.objects[] | select(.object == "Contact" or .object == "Lead" or .object == "Task") | [.object, .read, .inserted, .rejected, .merged // 0]]' "$SCRATCH/m1.json")" \
	'[["Contact",6,3,0,3],["Lead",3,2,0,1],["Task",3,3,0,0]]'
expect_eq "merges" "$(cat "$P/reports/merges-1.csv")" 'object,survivor_id,source_id,rule,outcome
Contact,003Dn00000Wile9IAB,003Dn00000Wile9IAB,email,survivor
Contact,003Dn00000Wile9IAB,003Dn00000Wile1IAB,email,merged
Contact,003Dn00000Wile9IAB,003Dn00000Wile7IAB,first_name+last_name+account_id,merged
Contact,003Dn00000Road2IAB,003Dn00000Road2IAB,phone,survivor
Contact,003Dn00000Road2IAB,003Dn00000Road8IAB,phone,merged
Lead,00QDn00000Lead1MAB,00QDn00000Lead1MAB,email,survivor
Lead,00QDn00000Lead1MAB,00QDn00000Lead3MAB,email,merged'

# who and what of each task, by the parents' source ids: Task1 named Wile1, now the survivor Wile9's row
links() {
	target_sql "$P" "select a.source_id, coalesce(c.source_id, '-'), coalesce(l.source_id, '-'), coalesce(ac.source_id, '-'), coalesce(o.source_id, '-'), a.owner
	  from activity a left join contact c on c.id = a.contact_id left join lead l on l.id = a.lead_id
	  left join account ac on ac.id = a.account_id left join opportunity o on o.id = a.opportunity_id where a.source_id like '00T%' order by a.source_id" | tr '\n' ' '
}
expect_eq "task links and owners" "$(links)" \
	"00TDn00000Task1MAB|003Dn00000Wile9IAB|-|-|006Dn00000Deal1IAB|ann@acme.example 00TDn00000Task2MAB|-|00QDn00000Lead1MAB|001Dn00000Acme1IAB|-|ann@acme.example 00TDn00000Task7MAB|-|00QDn00000Lead1MAB|-|006Dn00000Deal2IAB|ops@acme.example "
# the survivor's owner: Wile9's user is inactive, so the default; its blanks filled from Wile1
expect_eq "the survivor's row" "$(target_sql "$P" "select owner, phone, title from contact where source_id = '003Dn00000Wile9IAB'")" \
	"ops@acme.example|(415) 555-0132|VP Engineering"
expect_eq "owners report" "$(cat "$P/reports/owners-1.csv")" 'source_user,target_owner,reason,object,records
005Dn00000Ownr1IAB,ann@acme.example,mapped,Contact,4
005Dn00000Ownr1IAB,ann@acme.example,mapped,Task,2
005Dn00000Ownr2IAB,ops@acme.example,inactive,Contact,1
005Dn00000Ownr9IAB,ops@acme.example,unknown,Contact,1
005Dn00000Ownr9IAB,ops@acme.example,unknown,Task,1'

"$CRMSHIFT" -C "$P" reconcile --json >"$SCRATCH/r1.json" || true
expect_eq "reconcile: missing, mismatched, merged" \
	"$(jq -c '[.objects[] | select(.object == "Contact" or .object == "Lead" or .object == "Task") | [.object, .missing, .mismatched, .merged]]' "$SCRATCH/r1.json")" \
	'[["Contact",0,0,3],["Lead",0,0,1],["Task",0,0,0]]'
expect_eq "reconcile: task links" \
	"$(jq -r '[.relationships.references[] | select(.object == "Task") | .field + ":" + (.source_links | tostring) + "/" + (.target_links | tostring)] | join(" ")' "$SCRATCH/r1.json")" \
	"contact_id:1/1 lead_id:2/2 account_id:1/1 opportunity_id:2/2"
expect_eq "reconcile: contact owners (source/expected/target)" \
	"$(jq -r '[.owners[] | select(.object == "Contact") | "\(.owner):\(.source)/\(.expected)/\(.target)"] | join(" ")' "$SCRATCH/r1.json")" \
	"ann@acme.example:4/2/2 ops@acme.example:2/1/1"

before=$(target_rows "$P")
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/m2.json" 2>/dev/null
expect_eq "a re-run changes nothing" \
	"$(jq -c '[.objects[] | .inserted + .updated] | add' "$SCRATCH/m2.json")" 0
expect_eq "target after the re-run" "$(target_rows "$P")" "$before"
for run in 2 1; do
	"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb$run.json" || fail "rollback of run $run: exit $?"
	expect_eq "rollback of run $run" "$(jq .identical "$SCRATCH/rb$run.json")" true
done
expect_eq "merged ids forgotten" "$(jq .unmerged "$SCRATCH/rb1.json")" 4
expect_eq "nothing left" "$(state_sql "$P" "select count(*) from xref")|$(target_sql "$P" "select count(*) from contact")" "0|0"
