# The process stopped exactly at the points where a crash once left a
# state that lied (CRMSHIFT_FAULT, src/util/fault.h): each time the next
# run completes the work, with the counts and rows of an uninterrupted run.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"
"$GEN" "$SCRATCH/gen" 3000 1 >/dev/null
cp -r "$SCRATCH/gen" "$SCRATCH/ref"
on_test_target "$SCRATCH/ref"
"$CRMSHIFT" -C "$SCRATCH/ref" migrate --json >"$SCRATCH/ref.json"
counts() { jq -c '[.objects[] | {object, read, inserted, updated, unchanged, rejected, orphaned}]' "$1"; }
killed() { # project, fault point; runs migrate stopped there
	local rc=0
	CRMSHIFT_FAULT=$2 "$CRMSHIFT" -C "$1" migrate >/dev/null 2>&1 || rc=$?
	expect_eq "stopped at $2" "$rc" 137
	expect_eq "run status after the stop at $2" "$(state_sql "$1" "select status from runs")" running
}
like_ref() { # label project resumed-json
	expect_eq "$1: counts" "$(counts "$3")" "$(counts "$SCRATCH/ref.json")"
	expect_eq "$1: rows" "$(target_rows "$2" | md5sum)" "$(target_rows "$SCRATCH/ref" | md5sum)"
	expect_eq "$1: run done" "$(state_sql "$2" "select status from runs")" done
	"$CRMSHIFT" -C "$2" audit verify >/dev/null || fail "$1: audit verify: exit $?"
}

# 1. stopped while the source snapshot is taken (after the 2nd of 4 files' entries): --resume
#    refused with a false "exports changed" ("not in that snapshot"); it takes the rest
P="$SCRATCH/snap"
cp -r "$SCRATCH/gen" "$P"
on_test_target "$P"
killed "$P" source-snapshot:2
expect_eq "files in the partial snapshot" "$(state_sql "$P" "select count(*) from source_files")" 2
"$CRMSHIFT" -C "$P" migrate --resume --json >"$SCRATCH/snap.json" || fail "resume after a stop in the snapshot: exit $?"
like_ref "stopped in the source snapshot" "$P" "$SCRATCH/snap.json"
expect_eq "files in the snapshot after resume" "$(state_sql "$P" "select count(*) from source_files")" 4

# 1b. an export's entry is written when its pass begins (the hashes are taken while the run loads):
#     stopped at the 3rd, the first two objects are loaded and the 4th export not yet taken; the
#     resume takes it and completes the run
P="$SCRATCH/snap3"
cp -r "$SCRATCH/gen" "$P"
on_test_target "$P"
killed "$P" source-snapshot:3
expect_eq "files in the snapshot at the 3rd export" "$(state_sql "$P" "select count(*) from source_files")" 3
expect_eq "objects loaded before the 3rd export's entry" \
	"$(state_sql "$P" "select count(*) from checkpoints where pass1_done = 1")" 2
"$CRMSHIFT" -C "$P" migrate --resume --json >"$SCRATCH/snap3.json" || fail "resume after a stop at the 3rd export: exit $?"
like_ref "stopped at the 3rd export's entry" "$P" "$SCRATCH/snap3.json"
expect_eq "files in the snapshot after that resume" "$(state_sql "$P" "select count(*) from source_files")" 4

# 1c. stopped when the contacts' pass 1 is committed, before their cross-reference entries and
#     source index are made (on a server: on a second connection, beside the next pass): --resume
#     makes both before the objects after them resolve their references; a new run instead of
#     --resume finds the rows and loads nothing twice; a rollback undoes the run
source_indexes() { # project
	if [ "$TEST_TARGET" = postgres ]; then
		target_sql "$1" "select count(*) from pg_indexes where schemaname = 'public' and indexname like '%_source_key'"
	else
		target_sql "$1" "select count(*) from sqlite_master where type = 'index' and name like '%_source_key'"
	fi
}
contact_entries() { state_sql "$1" "select count(*) from xref x join objects o on o.id = x.object_id where o.name = 'Contact'"; }
P="$SCRATCH/passdone"
cp -r "$SCRATCH/gen" "$P"
on_test_target "$P"
killed "$P" pass-done:2
expect_eq "contacts' pass 1 done at the stop" \
	"$(state_sql "$P" "select pass1_done from checkpoints where object = 'Contact'")" 1
if [ "$TEST_TARGET" = postgres ]; then
	expect_eq "source indexes at the stop (the accounts')" "$(source_indexes "$P")" 1
	expect_eq "contacts' entries at the stop" "$(contact_entries "$P")" 0
else
	expect_eq "source indexes at the stop (made in the pass's transaction)" "$(source_indexes "$P")" 2
	expect_eq "contacts' entries at the stop" "$(contact_entries "$P")" 3000
fi
copy_project "$P" "$SCRATCH/passdone-new"
copy_project "$P" "$SCRATCH/passdone-rollback"
"$CRMSHIFT" -C "$P" migrate --resume --json >"$SCRATCH/passdone.json" || fail "resume after the stop at the pass's end: exit $?"
like_ref "stopped at the contacts' pass end" "$P" "$SCRATCH/passdone.json"
expect_eq "source indexes after resume" "$(source_indexes "$P")" 4
expect_eq "entries after resume" "$(state_sql "$P" "select count(*) from xref")" \
	"$(state_sql "$SCRATCH/ref" "select count(*) from xref")"
P="$SCRATCH/passdone-new"
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "a new run after the stop at the pass's end: exit $?"
expect_eq "a new run after the stop: rows" "$(target_rows "$P" | md5sum)" "$(target_rows "$SCRATCH/ref" | md5sum)"
expect_eq "a new run after the stop: contacts' entries" "$(contact_entries "$P")" 3000
expect_eq "a new run after the stop: source indexes" "$(source_indexes "$P")" 4
P="$SCRATCH/passdone-rollback"
"$CRMSHIFT" -C "$P" rollback >/dev/null || fail "rollback after the stop at the pass's end: exit $?"
expect_eq "rolled back: contacts" "$(target_sql "$P" "select count(*) from contact")" 0
expect_eq "rolled back: entries" "$(state_sql "$P" "select count(*) from xref")" 0
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "a load after that rollback: exit $?"
expect_eq "a load after that rollback: rows" "$(target_rows "$P" | md5sum)" "$(target_rows "$SCRATCH/ref" | md5sum)"

# 1d. stopped before the snapshot of the target before the run is written (on a server it is taken
#     beside the run, which commits nothing until it is on disk): --resume found no snapshot and went
#     on without one, and the run could then be neither rolled back nor verified. The resume takes it
#     (nothing was written), completes the run, and the rollback verifies an empty target
P="$SCRATCH/before"
cp -r "$SCRATCH/gen" "$P"
on_test_target "$P"
killed "$P" before-snapshot
[ ! -e "$P/.crmshift/snapshots/run-1-before.snap" ] || fail "a before-snapshot was written before its fault point"
expect_eq "rows written before the before-snapshot" "$(state_sql "$P" "select count(*) from ledger")" 0
"$CRMSHIFT" -C "$P" migrate --resume --json >"$SCRATCH/before.json" || fail "resume after a stop before the before-snapshot: exit $?"
like_ref "stopped before the before-snapshot" "$P" "$SCRATCH/before.json"
"$CRMSHIFT" -C "$P" rollback >"$SCRATCH/before-rollback.out" || fail "rollback of that run: exit $?"
grep -q "identical to its state before the run" "$SCRATCH/before-rollback.out" ||
	fail "rollback of that run: $(cat "$SCRATCH/before-rollback.out")"
expect_eq "that run rolled back: contacts" "$(target_sql "$P" "select count(*) from contact")" 0

# 1e. the same stop, then a new run instead of --resume (which closes the stopped one as interrupted):
#     rolling back past it stopped at "run 1 has no snapshot of the target before it: it cannot be
#     rolled back". It committed nothing, so its rollback is one with nothing to revert or check. A
#     run that has ledger entries and lost its before-snapshot is still refused.
P="$SCRATCH/before-new"
cp -r "$SCRATCH/gen" "$P"
on_test_target "$P"
killed "$P" before-snapshot
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/before-new.json" 2>/dev/null || fail "a new run after the stop: exit $?"
"$CRMSHIFT" -C "$P" rollback >/dev/null || fail "rollback of the new run: exit $?"
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/before-new-rollback.json" || fail "rollback of the stopped run: exit $?"
expect_eq "rollback of the stopped run" "$(jq -c '[.run, .committed_nothing, .identical, .deleted, .tables]' "$SCRATCH/before-new-rollback.json")" '[1,true,true,0,[]]'
expect_eq "the stopped run's status" "$(state_sql "$P" "select status from runs where id = 1")" "rolled back"
"$CRMSHIFT" -C "$P" migrate >/dev/null 2>&1 || fail "a third run: exit $?"
rm "$P/.crmshift/snapshots/run-3-before.snap"
rc=0
"$CRMSHIFT" -C "$P" rollback >/dev/null 2>"$SCRATCH/lost-snapshot.err" || rc=$?
[ "$rc" -ne 0 ] || fail "a run with ledger entries and no before-snapshot was rolled back"
grep -q "run 3 has no snapshot of the target before it" "$SCRATCH/lost-snapshot.err" ||
	fail "lost before-snapshot: $(cat "$SCRATCH/lost-snapshot.err")"

# 2. stopped after the last batch and the after-snapshot, before the run is marked done: the run was
#    marked done first, so a late stop left a done run without its after-snapshot (and without an
#    audit entry), and a later sync overwrote a user's edit reporting 0 conflicts
P="$SCRATCH/late"
cp -r "$SCRATCH/gen" "$P"
on_test_target "$P"
killed "$P" run-done
[ -s "$P/.crmshift/snapshots/run-1-after.snap" ] || fail "the after-snapshot is not there before the run is done"
"$CRMSHIFT" -C "$P" migrate --resume --json >"$SCRATCH/late.json" || fail "resume after a late stop: exit $?"
like_ref "stopped before done" "$P" "$SCRATCH/late.json"
# a user edits a contact the next delta changes: the sync sees the edit and leaves it
id=$(sed -n 2p "$P/delta/incremental/Contact.csv" | cut -d, -f1)
target_sql "$P" "update contact set title = 'Edited by a user' where source_id = '$id'"
"$CRMSHIFT" -C "$P" sync --from "$P/delta/incremental" --json >"$SCRATCH/sync.json"
expect_eq "the user's edit is a conflict" "$(jq '[.objects[].conflicts] | add' "$SCRATCH/sync.json")" 1
expect_eq "the user's edit stays" "$(target_sql "$P" "select title from contact where source_id = '$id'")" "Edited by a user"
