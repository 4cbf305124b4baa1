# crmshift drill rehearses the cutover on a throw-away copy: migrate,
# reconcile, rollback, identical check, each timed. The real target and the
# state's runs, cross-reference and ledger are untouched (before the first
# load: not even created); the drill is kept in the state (status shows it)
# and in the audit log; a rollback beyond the decision window fails it
# (exit 3). On PostgreSQL, where a copy needs a scratch database, it stops
# with a message and changes nothing.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)

if [ "$TEST_TARGET" = postgres ]; then
	"$CRMSHIFT" -C "$P" migrate >/dev/null
	before=$(target_dump "$P")
	rc=0
	"$CRMSHIFT" -C "$P" drill >"$SCRATCH/out" 2>"$SCRATCH/err" || rc=$?
	expect_eq "drill on PostgreSQL" "$rc" 1
	grep -q "a rehearsal runs on SQLite targets" "$SCRATCH/err" || fail "drill said: $(cat "$SCRATCH/err")"
	expect_eq "the target untouched" "$(target_dump "$P")" "$before"
	exit 0
fi

# 1. before any load: a rehearsal of the whole cutover, and nothing of it left behind
"$CRMSHIFT" -C "$P" drill --json >"$SCRATCH/d1.json" || fail "the first drill failed: $(cat "$SCRATCH/d1.json")"
expect_eq "passed" "$(jq .passed "$SCRATCH/d1.json")" true
expect_eq "identical" "$(jq .identical "$SCRATCH/d1.json")" true
expect_eq "rows the drill's migrate wrote" "$(jq .rows_written "$SCRATCH/d1.json")" 61
expect_eq "each step timed" "$(jq '[.seconds[] | select(. > 0)] | length' "$SCRATCH/d1.json")" 4
expect_eq "not kept: no state yet" "$(jq .recorded "$SCRATCH/d1.json")" false
[ ! -e "$P/target.db" ] || fail "the drill created the real target"
[ ! -e "$P/.crmshift/state.db" ] || fail "the drill created the real state"
[ -z "$(ls -A "$P/reports" 2>/dev/null)" ] || fail "the drill wrote reports into the project: $(ls "$P/reports")"
[ -z "$(find "$P/.crmshift" -name 'drill.*')" ] || fail "the drill's copy was left behind"
[ -f "$P/exports/Contact.csv" ] || fail "the exports are gone"

# 2. after the load: the real target and the state's record of it stay as they were
"$CRMSHIFT" -C "$P" migrate >/dev/null
state_tables() { sqlite3 "$P/.crmshift/state.db" "select * from runs; select * from xref; select * from ledger; select * from checkpoints"; }
before_target=$(sha256sum <"$P/target.db")
before_state=$(state_tables)
"$CRMSHIFT" -C "$P" drill >"$SCRATCH/d2.txt" || fail "the second drill failed: $(cat "$SCRATCH/d2.txt")"
grep -q "^drill on a throw-away copy of the target: PASSED" "$SCRATCH/d2.txt" || fail "drill said: $(cat "$SCRATCH/d2.txt")"
grep -q "the copy is identical to before" "$SCRATCH/d2.txt" || fail "drill said: $(cat "$SCRATCH/d2.txt")"
# a drill after the load rehearses a run that writes nothing: it says its time means little
grep -q "^note: the drill's run wrote no rows" "$SCRATCH/d2.txt" || fail "no note of an empty rehearsal: $(cat "$SCRATCH/d2.txt")"
expect_eq "the real target untouched" "$(sha256sum <"$P/target.db")" "$before_target"
expect_eq "the state's runs, xref, ledger untouched" "$(state_tables)" "$before_state"
expect_eq "kept in the state" "$(sqlite3 "$P/.crmshift/state.db" "select count(*) || ':' || sum(passed) from drills")" "1:1"
"$CRMSHIFT" -C "$P" status | grep -q "^last drill: 1, .*, passed: rollback .* of a 14400 s window, the copy identical to before" ||
	fail "status: $("$CRMSHIFT" -C "$P" status)"

# 3. a window the rollback cannot fit: the drill fails, exit 3, and is kept so
rc=0
"$CRMSHIFT" -C "$P" drill --window 0s >"$SCRATCH/d3.txt" || rc=$?
expect_eq "a drill beyond the window" "$rc" 3
grep -q "decision window 0 s: the rollback does NOT fit" "$SCRATCH/d3.txt" || fail "drill said: $(cat "$SCRATCH/d3.txt")"
expect_eq "status shows the failed one" "$("$CRMSHIFT" -C "$P" status --json | jq -c '.last_drill | [.id, .passed, .window_seconds]')" "[2,false,0]"
# [policy] decision_window is the default window
printf '\n[policy]\ndecision_window = 1h30m\n' >>"$P/crmshift.ini"
"$CRMSHIFT" -C "$P" drill --json >"$SCRATCH/d4.json" || fail "drill: $(cat "$SCRATCH/d4.json")"
expect_eq "the window from crmshift.ini" "$(jq .window_seconds "$SCRATCH/d4.json")" 5400
rc=0
"$CRMSHIFT" -C "$P" drill --window soon >/dev/null 2>"$SCRATCH/err" || rc=$?
expect_eq "a window that is no duration" "$rc" 2

# 4. a drill killed midway leaves its folder: the next drill removes it, and nothing its links point at
mkdir -p "$P/.crmshift/drill.killed/.crmshift"
ln -s "$P/exports" "$P/.crmshift/drill.killed/exports"
ln -s "$P/mapping.csv" "$P/.crmshift/drill.killed/mapping.csv"
"$CRMSHIFT" -C "$P" drill >/dev/null || fail "drill after a killed one failed"
[ ! -e "$P/.crmshift/drill.killed" ] || fail "the killed drill's folder is left"
[ -f "$P/exports/Contact.csv" ] && [ -f "$P/mapping.csv" ] || fail "removing the killed drill's folder followed its links"

# 5. the audit log has every drill, and stays intact
expect_eq "drills in the audit log" "$("$CRMSHIFT" -C "$P" audit show --json | jq '[.[] | select(.action == "drill")] | map(.result) | join(",")' -r)" \
	"passed,passed,failed,passed,passed"
"$CRMSHIFT" -C "$P" audit verify >/dev/null || fail "the audit log is broken"
