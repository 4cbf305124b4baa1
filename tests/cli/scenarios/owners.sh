# owner(maps/owners.csv, default=...) maps source users to target owners:
# an active user to its owner, an unknown or inactive one to the default,
# and without a default such a record is a reject. reports/owners-RUN.csv
# names every source user with its records per object and the reason; the
# counts commit with the batches, so a run killed and resumed reports what
# an uninterrupted one does; a re-run reports the same again.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
a=$(copy_sample a)
# accounts get a default; opportunities have none, so an unknown or inactive owner rejects them
sed -i 's|^Account,OwnerId,text,owner,trim,|Account,OwnerId,text,owner,"trim -> owner(maps/owners.csv, default=ops@acme.example)",|; s|^Opportunity,OwnerId,text,owner,trim,|Opportunity,OwnerId,text,owner,trim -> owner(maps/owners.csv),|' "$a/mapping.csv"
grep -q 'owner(maps/owners.csv, default=ops@acme.example)' "$a/mapping.csv" || fail "the mapping was not edited"
# 005A0000002 is written in another case: an id's case is part of it, so it is unknown
printf 'source_user,target_owner,active\n005A0000001,ann@acme.example,true\n005a0000002,bob@acme.example,\n005A0000003,carl@acme.example,false\n' >"$a/maps/owners.csv"
# small batches: the kill below lands between two of them
sed -i 's/^batch_size = .*/batch_size = 3/' "$a/crmshift.ini"
b="$SCRATCH/b"
copy_project "$a" "$b"

"$CRMSHIFT" -C "$a" migrate --json >"$SCRATCH/m1.json" 2>"$SCRATCH/m1.err" || fail "migrate: $(cat "$SCRATCH/m1.err")"
expected='source_user,target_owner,reason,object,records
005A0000001,ann@acme.example,mapped,Account,4
005A0000001,ann@acme.example,mapped,Opportunity,4
005A0000002,ops@acme.example,unknown,Account,3
005A0000002,,unknown,Opportunity,2
005A0000003,ops@acme.example,inactive,Account,2
005A0000003,,inactive,Opportunity,2
005A0000004,ops@acme.example,unknown,Account,3
005A0000004,,unknown,Opportunity,2'
expect_eq "owners report" "$(cat "$a/reports/owners-1.csv")" "$expected"
expect_eq "owners in the summary" "$(jq -c '.owners | [.users, .mapped, .unknown, .inactive, .rejected]' "$SCRATCH/m1.json")" "[4,8,10,4,6]"
expect_eq "owners file" "$(jq -r '.owners.file' "$SCRATCH/m1.json")" "$a/reports/owners-1.csv"
expect_eq "the rejected opportunities, with the reason" \
	"$(grep -c ",OwnerId,owner(maps/owners.csv),\"'005A000000[234]' is \(an inactive user\|not a user\) in maps/owners.csv, and owner() has no default\"$" "$a/reports/rejects-1.csv")" 6
# the accounts' owners in the target: what the report says, less the account rejected for its
# revenue (the report counts the export's records, loaded or not)
expect_eq "account owners in the target" \
	"$(target_sql "$a" "select owner || ':' || count(*) from account group by owner order by owner" | tr '\n' ' ')" \
	"ann@acme.example:4 ops@acme.example:7 "
"$CRMSHIFT" -C "$a" migrate >"$SCRATCH/m1.txt" 2>&1 || true
grep -q '^owners: 4 source users; 8 records mapped to their owner, 14 not (10 of an unknown user, 4 of an inactive one): 8 given the default, 6 rejected without one; in reports/owners-2.csv$' "$SCRATCH/m1.txt" ||
	fail "the summary line: $(grep owners "$SCRATCH/m1.txt")"
# the re-run (run 2) names the same users with the same records
expect_eq "owners report of the re-run" "$(cat "$a/reports/owners-2.csv")" "$expected"

# killed after its second batch, then resumed: the report of an uninterrupted run
set +e
(CRMSHIFT_FAULT=batch-committed:2 "$CRMSHIFT" -C "$b" migrate) >/dev/null 2>&1
status=$?
set -e
expect_eq "exit of the killed run" "$status" 137
[ -e "$b/reports/owners-1.csv" ] && fail "a killed run wrote its owners report"
"$CRMSHIFT" -C "$b" migrate --resume >/dev/null 2>"$SCRATCH/resume.err" || fail "resume: $(cat "$SCRATCH/resume.err")"
expect_eq "owners report after resume" "$(cat "$b/reports/owners-1.csv")" "$expected"

# reconcile counts records per owner, source against target: a record moved to another owner in the
# target shows on both owners, even where every count per object still matches
owners_of() {
	jq -r '[.owners[] | "\(.object).\(.field):\(.owner):\(.source)/\(.expected)/\(.target)"] | join(" ")' "$1"
}
"$CRMSHIFT" -C "$a" reconcile --json >"$SCRATCH/r1.json" || true
expect_eq "records per owner" "$(owners_of "$SCRATCH/r1.json")" \
	"Account.owner:ann@acme.example:4/4/4 Account.owner:ops@acme.example:8/7/7 Opportunity.owner::6/0/0 Opportunity.owner:ann@acme.example:4/4/4"
target_sql "$a" "update account set owner = 'ann@acme.example' where source_id = (select min(source_id) from account where owner = 'ops@acme.example')" >/dev/null
"$CRMSHIFT" -C "$a" reconcile --json >"$SCRATCH/r2.json" || true
expect_eq "records per owner after an owner changed in the target" "$(owners_of "$SCRATCH/r2.json")" \
	"Account.owner:ann@acme.example:4/4/5 Account.owner:ops@acme.example:8/7/6 Opportunity.owner::6/0/0 Opportunity.owner:ann@acme.example:4/4/4"
"$CRMSHIFT" -C "$a" reconcile >"$SCRATCH/r2.txt" 2>&1 || true
grep -q '^  Account.owner  *ops@acme.example  *8 |      7 |      6  <- differs$' "$SCRATCH/r2.txt" ||
	fail "the owner line: $(grep -A6 'records per owner' "$SCRATCH/r2.txt")"
# and the HTML report shows it, rendered in Chromium
"$CRMSHIFT" -C "$a" reconcile --html "$SCRATCH/r2.html" >/dev/null 2>&1 || true
chrome --dump-dom "file://$SCRATCH/r2.html" >"$SCRATCH/r2.dom" 2>"$SCRATCH/r2.log" || fail "chromium: $(tail -3 "$SCRATCH/r2.log")"
grep -q '<h2>Records per owner</h2>' "$SCRATCH/r2.dom" || fail "no owners table in the report"
grep -qF '<tr class="bad"><td>Account</td><td>owner</td><td>ops@acme.example</td><td>8</td><td>7</td><td>6</td></tr>' "$SCRATCH/r2.dom" ||
	fail "the owner row is not marked: $(grep -o '<tr[^>]*><td>Account</td><td>owner</td>.\{0,120\}' "$SCRATCH/r2.dom" | head -3)"
