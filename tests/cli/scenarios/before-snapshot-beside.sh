# The snapshot of the target before a run is taken on a second connection
# while the run reads its exports, maps and reads ahead (snapshotting.c);
# the run commits nothing until that snapshot is on disk. Here its
# temporary file's name is taken by a directory, so it cannot be written:
# the sync (600 titles changed: three batches of 200) fails with exit 5
# naming the file, the target and the ledger are as they were, and the
# next sync, with the name free, runs and rolls back to that same target.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"
P="$SCRATCH/project"
"$GEN" "$P" 3000 1 >/dev/null
sed -i 's/^batch_size = .*/batch_size = 200/' "$P/crmshift.ini"
on_test_target "$P"
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "the first load: exit $?"

mkdir "$SCRATCH/changed"
cp "$P"/exports/*.csv "$SCRATCH/changed/"
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR <= 601 { $12 = $12 " II" } { print }' "$P/exports/Contact.csv" \
	>"$SCRATCH/changed/Contact.csv"
next=$(state_sql "$P" "select max(id) + 1 from runs") # as crm_state_run_start numbers runs
target_rows "$P" >"$SCRATCH/before-sync.rows"
entries=$(state_sql "$P" "select count(*) from ledger")
mkdir -p "$P/.crmshift/snapshots/run-$next-before.snap.tmp"
rc=0
"$CRMSHIFT" -C "$P" sync --full --from "$SCRATCH/changed" >"$SCRATCH/nosnap.out" 2>"$SCRATCH/nosnap.err" || rc=$?
expect_eq "unwritable before-snapshot: exit code" "$rc" 5
grep -q "snapshot of the target before run $next: cannot create '.*run-$next-before.snap.tmp'" "$SCRATCH/nosnap.err" ||
	fail "unwritable before-snapshot: $(cat "$SCRATCH/nosnap.err")"
target_rows "$P" >"$SCRATCH/after-failed-sync.rows"
diff "$SCRATCH/before-sync.rows" "$SCRATCH/after-failed-sync.rows" >"$SCRATCH/failed-sync.diff" ||
	fail "a sync without its before-snapshot changed the target: $(head -n 20 "$SCRATCH/failed-sync.diff")"
expect_eq "a sync without its before-snapshot: ledger entries" "$(state_sql "$P" "select count(*) from ledger")" "$entries"

rmdir "$P/.crmshift/snapshots/run-$next-before.snap.tmp"
"$CRMSHIFT" -C "$P" sync --full --from "$SCRATCH/changed" --json >"$SCRATCH/sync.json" || fail "the sync after: exit $?"
expect_eq "the sync after: updated" "$(jq '[.objects[].updated] | add' "$SCRATCH/sync.json")" 600
"$CRMSHIFT" -C "$P" rollback >"$SCRATCH/rollback.out" || fail "the rollback of the sync: exit $?"
grep -q "identical to its state before the run" "$SCRATCH/rollback.out" || fail "rollback: $(cat "$SCRATCH/rollback.out")"
target_rows "$P" >"$SCRATCH/rolled-back.rows"
diff "$SCRATCH/before-sync.rows" "$SCRATCH/rolled-back.rows" >/dev/null ||
	fail "the rollback left a target other than the one before"
