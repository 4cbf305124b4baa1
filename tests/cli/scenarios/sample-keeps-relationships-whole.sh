# --sample picks the same records every time and brings the parents of the
# picked children along: a sample has no orphan the full data would not have.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
"$GEN" "$SCRATCH/g" 5000 >/dev/null
cp -r "$SCRATCH/g" "$SCRATCH/h"
on_test_target "$SCRATCH/g"
on_test_target "$SCRATCH/h"
"$CRMSHIFT" -C "$SCRATCH/g" migrate --sample 5 --json >"$SCRATCH/s1.json"
"$CRMSHIFT" -C "$SCRATCH/h" migrate --sample 5 --json >"$SCRATCH/s2.json"
expect_eq "same sample twice" "$(jq -c '[.objects[] | .inserted]' "$SCRATCH/s1.json")" "$(jq -c '[.objects[] | .inserted]' "$SCRATCH/s2.json")"
G="$SCRATCH/g"
contacts=$(target_sql "$G" "select count(*) from contact")
[ "$contacts" -gt 100 ] && [ "$contacts" -lt 2500 ] || fail "sampled contacts: $contacts"
# the generator makes 1 contact in 1000 point at a missing account: only those may lack their account
orphans=$(target_sql "$G" "select count(*) from contact where account_id is null and source_id not like '%999'")
expect_eq "sampled contacts without their account" "$orphans" 0
# every sampled contact role has both ends loaded
ends=$(target_sql "$G" "select count(*) from opportunity_contact where opportunity_id is null or contact_id is null")
expect_eq "sampled roles missing an end" "$ends" 0
roles=$(target_sql "$G" "select count(*) from opportunity_contact")
[ "$roles" -gt 50 ] || fail "sampled roles: $roles"
# every account whose source row names a parent has it
sqlite3 "$SCRATCH/src.db" ".import --csv '$G/exports/Account.csv' a"
sqlite3 "$SCRATCH/src.db" "select Id from a where ParentId != '' order by Id" >"$SCRATCH/with-parent"
target_sql "$G" "select source_id from account where parent_account_id is null order by source_id" >"$SCRATCH/without"
[ -s "$SCRATCH/with-parent" ] || fail "no generated account has a parent"
missing=$(LC_ALL=C comm -12 "$SCRATCH/with-parent" "$SCRATCH/without" | wc -l)
expect_eq "sampled accounts without their parent" "$missing" 0

# The whole load after the sample: the sampled records found unchanged, the
# rest new (inserted as sets on a server, as a first load's are). The target
# ends as a whole load into an empty one leaves it, row for row and link for
# link, with the same records rejected and orphaned.
H="$SCRATCH/h"
"$CRMSHIFT" -C "$G" migrate --json >"$SCRATCH/rest.json"
"$CRMSHIFT" -C "$H" rollback >/dev/null
"$CRMSHIFT" -C "$H" migrate --json >"$SCRATCH/whole.json"
expect_eq "loaded by the sample and the rest = by a whole load" \
	"$(jq -c '[.objects[] | {object, loaded: (.inserted + .unchanged + .updated), rejected, orphaned}]' "$SCRATCH/rest.json")" \
	"$(jq -c '[.objects[] | {object, loaded: .inserted, rejected, orphaned}]' "$SCRATCH/whole.json")"
expect_eq "sampled records unchanged" "$(jq '[.objects[] | .unchanged] | add' "$SCRATCH/rest.json")" \
	"$(jq '[.objects[] | .inserted] | add' "$SCRATCH/s1.json")"
target_rows "$G" >"$SCRATCH/g.rows"
target_rows "$H" >"$SCRATCH/h.rows"
diff "$SCRATCH/h.rows" "$SCRATCH/g.rows" | head -n 20 >&2 || true
expect_eq "target after the sample and the rest" "$(md5sum <"$SCRATCH/g.rows")" "$(md5sum <"$SCRATCH/h.rows")"
for t in account contact opportunity opportunity_contact; do
	expect_eq "duplicates in $t" "$(target_sql "$G" "select count(*) - count(distinct source_id) from $t")" 0
done
expect_eq "xref entries" "$(state_sql "$G" "select count(*) from xref")" "$(state_sql "$H" "select count(*) from xref")"
expect_eq "rejects" "$(cut -d, -f1-5 "$G/reports/rejects-2.csv" | sort | md5sum)" \
	"$(cut -d, -f1-5 "$H/reports/rejects-2.csv" | sort | md5sum)"
# and the rest rolls back to the sample exactly
"$CRMSHIFT" -C "$G" rollback --json >"$SCRATCH/rb.json"
expect_eq "the rest rolled back" "$(jq -c '[.changed_since_cutover.edited, .changed_since_cutover.created, .identical]' \
	"$SCRATCH/rb.json")" "[0,0,true]"
expect_eq "contacts after rolling back the rest" "$(target_sql "$G" "select count(*) from contact")" "$contacts"
