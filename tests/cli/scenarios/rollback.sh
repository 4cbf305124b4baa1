# rollback: users' work since cutover is exported before anything is
# reverted; a first load is undone to an empty target; a run of updates is
# undone to a byte-identical target; a killed rollback completes on re-run.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
gen() { # project contacts
	"$GEN" "$1" "$2" >/dev/null
	on_test_target "$1"
}

# 1. migrate, users edit 3 rows and create 1, rollback
P="$SCRATCH/first"
gen "$P" 800
"$CRMSHIFT" -C "$P" migrate >/dev/null
target_sql "$P" "update contact set title = 'Edited in the CRM' where id in (3, 5);
	update account set name = 'Renamed in the CRM' where id = 2;
	insert into contact (source_system, source_id, customer_id, first_name, created_at, updated_at)
	values ('crm-users', 'u1', 'cust-u1', 'Created in the CRM', '2026-11-22T09:00:00Z', '2026-11-22T09:00:00Z')"
created=$(target_sql "$P" "select id from contact where source_id = 'u1'")
set +e
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb.json"
rc=$?
set -e
expect_eq "rollback exit" "$rc" 0
export_file="$P/reports/changed-since-cutover-1.csv"
expect_eq "export path" "$(jq -r .changed_since_cutover.file "$SCRATCH/rb.json")" "$export_file"
expect_eq "export rows" "$(tail -n +2 "$export_file" | cut -d, -f1-3 | sort -t, -k1,1 -k2,2n | tr '\n' ' ')" \
	"account,2,edited contact,3,edited contact,5,edited contact,$created,created "
grep -q 'Edited in the CRM' "$export_file" || fail "the edited value is not in the export"
grep -q 'Renamed in the CRM' "$export_file" || fail "the renamed account is not in the export"
grep -q 'Created in the CRM' "$export_file" || fail "the created row is not in the export"
expect_eq "export mode" "$(stat -c %a "$export_file")" 600
expect_eq "identical after rollback" "$(jq .identical "$SCRATCH/rb.json")" true
# the tables were empty before the run: emptied whole, the users' row counted as theirs
expect_eq "rows deleted, rows of others removed" "$(jq -c '[.deleted, .removed_others]' "$SCRATCH/rb.json")" "[1440,1]"
for t in account contact opportunity opportunity_contact; do
	expect_eq "rows left in $t" "$(target_sql "$P" "select count(*) from $t")" 0
done
expect_eq "cross-reference after rollback" "$(state_sql "$P" "select count(*) from xref")" 0
"$CRMSHIFT" -C "$P" rollback --verify-only >"$SCRATCH/verify.txt" || fail "verify-only: exit $?"
grep -q "the target is identical to its state before the run" "$SCRATCH/verify.txt" || fail "verify-only: $(cat "$SCRATCH/verify.txt")"
expect_eq "run status" "$(state_sql "$P" "select status from runs where id = 1")" "rolled back"
set +e
"$CRMSHIFT" -C "$P" rollback 2>"$SCRATCH/err.txt"
rc=$?
set -e
expect_eq "second rollback exit" "$rc" 1
grep -q "every run is rolled back already" "$SCRATCH/err.txt" || fail "second rollback: $(cat "$SCRATCH/err.txt")"
# the migration can be run again after a rollback, and loads everything again
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/again.json"
expect_eq "inserted again" "$(jq '[.objects[].inserted] | add' "$SCRATCH/again.json")" 1440

# 2. a run that updates rows is undone to exactly the target before it
P="$SCRATCH/updates"
gen "$P" 800
"$CRMSHIFT" -C "$P" migrate >/dev/null
# the source changes 50 contacts' titles
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR <= 51 { $12 = "Changed Title " NR } { print }' "$P/exports/Contact.csv" >"$SCRATCH/c.csv"
mv "$SCRATCH/c.csv" "$P/exports/Contact.csv"
target_dump "$P" >"$SCRATCH/before-run-2.txt"
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/run2.json"
expect_eq "run 2 updated" "$(jq '.objects[] | select(.object == "Contact") | .updated' "$SCRATCH/run2.json")" 50
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb2.json" || fail "rollback of run 2: exit $?"
expect_eq "restored rows" "$(jq .restored "$SCRATCH/rb2.json")" 50
expect_eq "nothing changed since cutover" "$(jq '.changed_since_cutover | .edited + .created' "$SCRATCH/rb2.json")" 0
target_dump "$P" >"$SCRATCH/after-rollback-2.txt"
cmp -s "$SCRATCH/before-run-2.txt" "$SCRATCH/after-rollback-2.txt" ||
	fail "the target after rolling back run 2 differs from before it: $(diff "$SCRATCH/before-run-2.txt" "$SCRATCH/after-rollback-2.txt" | head -5)"
# run 1 is now the newest; runs are undone newest first
set +e
"$CRMSHIFT" -C "$P" rollback --run 2 2>"$SCRATCH/err.txt"
rc=$?
set -e
expect_eq "rolling back a rolled-back run" "$rc" 1
# what the rollback undid, the next run applies again (the entries forgot the records' hashes)
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/run3.json"
expect_eq "run 3 updated again" "$(jq '.objects[] | select(.object == "Contact") | .updated' "$SCRATCH/run3.json")" 50
expect_eq "titles changed again" "$(target_sql "$P" "select count(*) from contact where title like 'Changed Title %'")" 50

# 3. kill -9 in the middle of a rollback, then run it again. Run 2 inserts into a table that had
# rows, so its rollback deletes them row by row (and is killed in the middle of that); run 1 loaded
# empty tables, which its rollback empties whole in its first transaction (killed right after).
P="$SCRATCH/killed"
gen "$P" 100000
cp "$P/exports/Contact.csv" "$SCRATCH/all-contacts.csv"
head -n 1001 "$SCRATCH/all-contacts.csv" >"$P/exports/Contact.csv"
"$CRMSHIFT" -C "$P" migrate >/dev/null
cp "$SCRATCH/all-contacts.csv" "$P/exports/Contact.csv"
target_dump "$P" >"$SCRATCH/before-run-2k.txt"
"$CRMSHIFT" -C "$P" migrate >/dev/null
last=$(state_sql "$P" "select max(seq) from ledger")
"$CRMSHIFT" -C "$P" rollback >/dev/null 2>&1 &
PROBE=state_sql kill_when_over $! "$P" \
	"select coalesce(max($last + 1 - next_seq), 0) from rollbacks where finished_at is null" 20000 rollback
left=$(target_sql "$P" "select count(*) from contact")
[ "$left" -gt 1000 ] || fail "the kill came too late: nothing was left to roll back"
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb3.json" || fail "re-run of the killed rollback: exit $?"
expect_eq "re-run completes an interrupted rollback" "$(jq .resumed "$SCRATCH/rb3.json")" true
expect_eq "identical after the re-run" "$(jq .identical "$SCRATCH/rb3.json")" true
expect_eq "nothing exported twice" "$(jq -r .changed_since_cutover.file "$SCRATCH/rb3.json")" ""
target_dump "$P" >"$SCRATCH/after-rollback-2k.txt"
cmp -s "$SCRATCH/before-run-2k.txt" "$SCRATCH/after-rollback-2k.txt" ||
	fail "the target after rolling back run 2 differs from before it: $(diff "$SCRATCH/before-run-2k.txt" "$SCRATCH/after-rollback-2k.txt" | head -5)"
set +e
(CRMSHIFT_FAULT=batch-committed:1 "$CRMSHIFT" -C "$P" rollback) >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "the fault after the first transaction did not stop the rollback"
for t in account contact opportunity opportunity_contact; do
	expect_eq "rows left in $t after the emptying transaction" "$(target_sql "$P" "select count(*) from $t")" 0
done
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb3b.json" || fail "re-run of the stopped rollback: exit $?"
expect_eq "re-run completes the stopped rollback" "$(jq .resumed "$SCRATCH/rb3b.json")" true
expect_eq "identical after that re-run" "$(jq .identical "$SCRATCH/rb3b.json")" true
expect_eq "cross-reference after that re-run" "$(state_sql "$P" "select count(*) from xref")" 0

# 4. the check covers what the run wrote. An edit to a row run 2 did not write is the users' work, not
# the run's: the rollback leaves it and exports nothing. A row the run did not write that users
# deleted since cannot be restored (nothing kept it): the row count names it, exit 3.
P="$SCRATCH/untouched"
gen "$P" 200
"$CRMSHIFT" -C "$P" migrate >/dev/null
awk -F, 'BEGIN { OFS = "," } NR == 2 { $12 = "Changed Title" } { print }' "$P/exports/Contact.csv" >"$SCRATCH/c.csv"
mv "$SCRATCH/c.csv" "$P/exports/Contact.csv"
"$CRMSHIFT" -C "$P" migrate >/dev/null # run 2 updates one contact
target_sql "$P" "update account set name = 'Renamed after run 2' where id = 2"
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb4.json" || fail "rollback with an edit outside the run: exit $?"
expect_eq "rows the run wrote restored" "$(jq .restored "$SCRATCH/rb4.json")" 1
expect_eq "nothing of the run's edited since" "$(jq '.changed_since_cutover | .edited + .created' "$SCRATCH/rb4.json")" 0
expect_eq "the users' edit is kept" "$(target_sql "$P" "select name from account where id = 2")" "Renamed after run 2"
expect_eq "identical" "$(jq .identical "$SCRATCH/rb4.json")" true
"$CRMSHIFT" -C "$P" migrate >/dev/null # run 3 updates it again
target_sql "$P" "delete from opportunity_contact where id = 1"
set +e
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb4b.json"
rc=$?
set -e
expect_eq "rollback with a row deleted outside the run: exit" "$rc" 3
expect_eq "the check names it" "$(jq -c '.tables[] | select(.table == "opportunity_contact") | [.rows_before_run - .rows_now, .missing, .extra, .changed]' "$SCRATCH/rb4b.json")" "[1,1,0,0]"
expect_eq "the tables the run wrote are as before" "$(jq -c '[.tables[] | select(.table != "opportunity_contact") | .missing + .extra + .changed] | add' "$SCRATCH/rb4b.json")" 0

# 5. a migrate killed mid-load (no after-snapshot): rollback reverts what it committed; a row users
# created is still told apart from the run's own rows (the ledger's inserts) and exported
P="$SCRATCH/interrupted"
gen "$P" 20000
sed -i 's/^batch_size = .*/batch_size = 200/' "$P/crmshift.ini"
"$CRMSHIFT" -C "$P" migrate >/dev/null 2>&1 &
PROBE=state_sql kill_when_over $! "$P" \
	"select coalesce(sum(pass1_records), 0) from checkpoints where object = 'Contact'" 2000 load
[ ! -e "$P/.crmshift/snapshots/run-1-after.snap" ] || fail "a killed run left an after-snapshot"
target_sql "$P" "insert into account (source_system, source_id, name, created_at, updated_at)
	values ('crm-users', 'u1', 'Created in the CRM', '2026-11-22T09:00:00Z', '2026-11-22T09:00:00Z')"
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb5.json" || fail "rollback of the killed run: exit $?"
expect_eq "killed run: status before" "$(jq -r .run_status_before "$SCRATCH/rb5.json")" running
expect_eq "killed run: edits known" "$(jq .changed_since_cutover.edits_known "$SCRATCH/rb5.json")" false
expect_eq "killed run: created row exported" "$(tail -n +2 "$P/reports/changed-since-cutover-1.csv" | cut -d, -f1,3)" "account,created"
expect_eq "killed run: identical" "$(jq .identical "$SCRATCH/rb5.json")" true

# 6. a sync rolled back and run again does the same work: its rows are back as they were, and the
# ledger's hashes of them are the next sync's conflict baseline (not the rolled-back run's
# after-snapshot, which called every one a conflict). A row users edit after the rollback still is one.
P="$SCRATCH/resync"
"$GEN" "$P" 2000 1 >/dev/null # with a delta
on_test_target "$P"
"$CRMSHIFT" -C "$P" migrate >/dev/null
"$CRMSHIFT" -C "$P" sync --from "$P/delta/incremental" --json >"$SCRATCH/sync1.json" 2>/dev/null
"$CRMSHIFT" -C "$P" rollback >/dev/null
"$CRMSHIFT" -C "$P" sync --from "$P/delta/incremental" --json >"$SCRATCH/sync2.json" 2>/dev/null
expect_eq "the sync again: updated, conflicts" "$(jq -c '[.objects[] | .updated, .conflicts]' "$SCRATCH/sync2.json")" \
	"$(jq -c '[.objects[] | .updated, .conflicts]' "$SCRATCH/sync1.json")"
expect_eq "the first sync updated rows, without conflicts" "$(jq -c '[.objects[] | .updated > 0, .conflicts]' "$SCRATCH/sync1.json")" "[true,0]"
"$CRMSHIFT" -C "$P" rollback >/dev/null
edited=$(awk -F, 'NR == 2 { print $1 }' "$P/delta/incremental/Contact.csv")
target_sql "$P" "update contact set title = 'Edited after the rollback' where source_id = '$edited'"
"$CRMSHIFT" -C "$P" sync --from "$P/delta/incremental" --json >"$SCRATCH/sync3.json" 2>/dev/null
expect_eq "an edit after the rollback is a conflict" "$(jq '[.objects[] | .conflicts] | add' "$SCRATCH/sync3.json")" 1
expect_eq "the edit is kept" "$(target_sql "$P" "select title from contact where source_id = '$edited'")" "Edited after the rollback"
