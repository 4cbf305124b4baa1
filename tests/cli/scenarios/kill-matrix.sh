# kill -9 at seeded moments of migrate, sync (an export delta, a change
# stream) and rollback, then the command again: the target ends as an
# uninterrupted run leaves it, with no duplicate, nothing lost, and the run
# done. The moments are fault points (src/util/fault.h): before a record,
# event or ledger entry is applied, just before a transaction commits, just
# after; which pass of each is drawn from KILL_MATRIX_SEED, so a failure
# names a kill that can be replayed exactly. KILL_MATRIX_KILLS kills per
# command and point (2 here; make soak runs many more).
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"
seed=${KILL_MATRIX_SEED:-20261204}
kills=${KILL_MATRIX_KILLS:-2}
RANDOM=$seed

"$GEN" --random-ids "$SCRATCH/fresh" 1500 2 >/dev/null
# small transactions: many commits to stop at
sed -i 's/^batch_size = .*/batch_size = 100/' "$SCRATCH/fresh/crmshift.ini"
delta="$SCRATCH/fresh/delta/incremental"
"$ROOT/scripts/contacts-to-debezium.sh" "$delta/Contact.csv" 2 >"$SCRATCH/events.jsonl"

# the starting points: nothing loaded; loaded once
copy_project "$SCRATCH/fresh" "$SCRATCH/empty"
on_test_target "$SCRATCH/empty"
copy_project "$SCRATCH/empty" "$SCRATCH/loaded"
"$CRMSHIFT" -C "$SCRATCH/loaded" migrate >/dev/null

# each command, its re-run after a kill, and the project it starts from
declare -A start=([migrate]=empty [sync]=loaded [events]=loaded [rollback]=loaded)
declare -A first=([migrate]="migrate" [sync]="sync --from $delta" [events]="sync --events $SCRATCH/events.jsonl" [rollback]="rollback")
declare -A again=([migrate]="migrate --resume" [sync]="sync --from $delta" [events]="sync --events $SCRATCH/events.jsonl" [rollback]="rollback")
declare -A reference passes_record passes_commit
for cmd in migrate sync events rollback; do
	copy_project "$SCRATCH/${start[$cmd]}" "$SCRATCH/ref-$cmd"
	# shellcheck disable=SC2086
	CRMSHIFT_FAULT_LOG="$SCRATCH/points-$cmd" "$CRMSHIFT" -C "$SCRATCH/ref-$cmd" ${first[$cmd]} >/dev/null
	reference[$cmd]=$(target_rows "$SCRATCH/ref-$cmd" | md5sum)
	# how many of each point the uninterrupted command passes (util/fault.h)
	passes_record[$cmd]=$(grep -c '^record$' "$SCRATCH/points-$cmd")
	passes_commit[$cmd]=$(grep -c '^batch-commit$' "$SCRATCH/points-$cmd")
	[ "${passes_commit[$cmd]}" -gt 0 ] || fail "$cmd passes no commit to kill at"
done

tried=0
declare -A done_kills
for cmd in migrate sync events rollback; do
	for point in record batch-commit batch-committed; do
		for _ in $(seq 1 "$kills"); do
			if [ "$point" = record ]; then max=${passes_record[$cmd]}; else max=${passes_commit[$cmd]}; fi
			n=$((RANDOM % max + 1))
			what="$cmd killed at $point:$n (seed $seed)"
			P="$SCRATCH/k-$cmd-$point-$n"
			[ -z "${done_kills[$P]:-}" ] || continue # drawn before: the same kill
			done_kills[$P]=1
			copy_project "$SCRATCH/${start[$cmd]}" "$P"
			# shellcheck disable=SC2086
			rc=$(
				CRMSHIFT_FAULT=$point:$n "$CRMSHIFT" -C "$P" ${first[$cmd]} >/dev/null 2>&1
				echo $?
			)
			expect_eq "$what: stopped" "$rc" 137
			# shellcheck disable=SC2086
			out=$("$CRMSHIFT" -C "$P" ${again[$cmd]} 2>&1) || fail "$what: the command again: $out"
			expect_eq "$what: target as an uninterrupted run leaves it" "$(target_rows "$P" | md5sum)" "${reference[$cmd]}"
			for t in account contact opportunity opportunity_contact; do
				expect_eq "$what: duplicates in $t" "$(target_sql "$P" "select count(*) - count(distinct source_id) from $t")" 0
			done
			# the killed run is finished by the re-run (migrate --resume) or left interrupted (a sync, which a new run completes)
			expect_eq "$what: the last run" "$(state_sql "$P" "select status from runs order by id desc limit 1")" \
				"$(state_sql "$SCRATCH/ref-$cmd" "select status from runs order by id desc limit 1")"
			expect_eq "$what: runs left running" "$(state_sql "$P" "select count(*) from runs where status = 'running'")" 0
			if [ "$cmd" = rollback ]; then
				"$CRMSHIFT" -C "$P" rollback --verify-only >/dev/null || fail "$what: rollback --verify-only: exit $?"
			fi
			[ -n "${KEEP:-}" ] || rm -rf "$P"
			tried=$((tried + 1))
		done
	done
done
echo "kill matrix: $tried kills, each re-run identical to an uninterrupted run (seed $seed)" >&2
