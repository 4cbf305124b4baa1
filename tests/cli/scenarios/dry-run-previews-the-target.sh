# A dry run after a load previews against the real target: inside one
# transaction rolled back at the end, it counts what the run would insert,
# update and delete there (a throw-away target counted every record new),
# and leaves the target and the state byte for byte as they were.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"
"$GEN" "$SCRATCH/p" 3000 1 >/dev/null
P="$SCRATCH/p"
on_test_target "$P"
"$CRMSHIFT" -C "$P" migrate >/dev/null
files() { # SQLite: the files byte for byte; PostgreSQL: every row of the target and the state
	if [ "$TEST_TARGET" = sqlite ]; then
		md5sum <"$P/target.db"
		md5sum <"$P/.crmshift/state.db"
	else
		target_dump "$P" | md5sum
		state_dump "$P" | md5sum
	fi
}
counts() { jq -c '[.objects[] | {object, read, inserted, updated, unchanged, rejected, orphaned, deleted, conflicts}]' "$1"; }
before=$(files)

"$CRMSHIFT" -C "$P" migrate --dry-run --json >"$SCRATCH/dry-migrate.json"
expect_eq "a dry re-run: every record unchanged" "$(jq '[.objects[].inserted, .objects[].updated] | add' "$SCRATCH/dry-migrate.json")" 0
expect_eq "target and state after a dry migrate" "$(files)" "$before"
"$CRMSHIFT" -C "$P" migrate --dry-run | head -n 1 | grep -q "rolled back at the end" || fail "the dry run does not say it was rolled back"

"$CRMSHIFT" -C "$P" sync --dry-run --from "$P/delta/incremental" --json >"$SCRATCH/dry-sync.json"
expect_eq "target and state after a dry sync" "$(files)" "$before"
expect_eq "no run recorded" "$(state_sql "$P" "select count(*) from runs")" 1
"$CRMSHIFT" -C "$P" sync --from "$P/delta/incremental" --json >"$SCRATCH/sync.json"
expect_eq "the dry sync counted what the sync did" "$(counts "$SCRATCH/dry-sync.json")" "$(counts "$SCRATCH/sync.json")"
expect_eq "3 inserted, 30 updated, 3 deleted" \
	"$(jq -c '[([.objects[].inserted] | add), ([.objects[].updated] | add), ([.objects[].deleted] | add)]' "$SCRATCH/dry-sync.json")" "[3,30,3]"
