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
