# crmshift drill rehearses the cutover on a throw-away copy: migrate,
# reconcile, rollback, identical check, each timed; --live rehearses
# rolling back the load that is in (every run not rolled back, newest
# first). The real target and the state's runs, cross-reference and ledger
# are untouched (before the first load: not even created), and no copy is
# left behind (on PostgreSQL: no database); the drill is kept in the state
# (status shows it) and in the audit log; a rollback beyond the decision
# window fails it (exit 3). On PostgreSQL a target with another session on
# it cannot be copied: refused, nothing left.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)

# The drill databases of project's server whose names start as its target's (PostgreSQL), one a line.
drill_databases() {
	local url
	url=$(target_url "$P")
	[[ "$url" == postgres* ]] || return 0
	pg_sql "$url" "select datname from pg_database where datname like '${url##*/}_drill_%' order by 1"
}
state_tables() { state_sql "$P" "select * from runs order by id; select * from xref order by 1, 2; select * from ledger order by seq; select * from checkpoints order by 1, 2"; }
# Nothing of a drill left in the project or on the server.
no_leftovers() { # what
	[ -z "$(find "$P/.crmshift" -name 'drill.*')" ] || fail "$1: the drill's copy was left behind"
	[ -z "$(drill_databases)" ] || fail "$1: the drill's database was left behind: $(drill_databases)"
}

# 1. before any load: a rehearsal of the whole cutover, and nothing of it left behind
"$CRMSHIFT" -C "$P" drill --json >"$SCRATCH/d1.json" || fail "the first drill failed: $(cat "$SCRATCH/d1.json")"
expect_eq "passed" "$(jq .passed "$SCRATCH/d1.json")" true
expect_eq "identical" "$(jq .identical "$SCRATCH/d1.json")" true
expect_eq "rows the drill's migrate wrote" "$(jq .rows_written "$SCRATCH/d1.json")" 61
expect_eq "each step timed" "$(jq '[.seconds[] | select(. > 0)] | length' "$SCRATCH/d1.json")" 4
expect_eq "not kept: no state yet" "$(jq .recorded "$SCRATCH/d1.json")" false
if [ "$TEST_TARGET" = postgres ]; then
	expect_eq "the real target's tables" "$(target_tables "$P")" ""
	expect_eq "the real state's schema" "$(target_sql "$P" "select count(*) from information_schema.schemata where schema_name = 'crmshift'")" 0
else
	[ ! -e "$P/target.db" ] || fail "the drill created the real target"
	[ ! -e "$P/.crmshift/state.db" ] || fail "the drill created the real state"
fi
[ -z "$(ls -A "$P/reports" 2>/dev/null)" ] || fail "the drill wrote reports into the project: $(ls "$P/reports")"
no_leftovers "the first drill"
[ -f "$P/exports/Contact.csv" ] || fail "the exports are gone"
# --live with nothing loaded: nothing to rehearse
rc=0
"$CRMSHIFT" -C "$P" drill --live >/dev/null 2>"$SCRATCH/err" || rc=$?
expect_eq "drill --live before the load" "$rc" 1
grep -q "nothing is loaded" "$SCRATCH/err" || fail "drill --live said: $(cat "$SCRATCH/err")"

# 2. after the load: the real target and the state's record of it stay as they were
"$CRMSHIFT" -C "$P" migrate >/dev/null
before_target=$(target_dump "$P")
before_state=$(state_tables)
"$CRMSHIFT" -C "$P" drill >"$SCRATCH/d2.txt" || fail "the second drill failed: $(cat "$SCRATCH/d2.txt")"
grep -q "^drill on a throw-away copy of the target: PASSED" "$SCRATCH/d2.txt" || fail "drill said: $(cat "$SCRATCH/d2.txt")"
grep -q "the copy is identical to before" "$SCRATCH/d2.txt" || fail "drill said: $(cat "$SCRATCH/d2.txt")"
# a drill after the load rehearses a run that writes nothing: it says its time means little, and what does not
grep -q "^note: the drill's run wrote no rows.*'crmshift drill --live' times rolling back the load" "$SCRATCH/d2.txt" ||
	fail "no note of an empty rehearsal: $(cat "$SCRATCH/d2.txt")"
expect_eq "the real target untouched" "$(target_dump "$P")" "$before_target"
expect_eq "the state's runs, xref, ledger untouched" "$(state_tables)" "$before_state"
expect_eq "kept in the state" "$(state_sql "$P" "select count(*) || ':' || sum(passed) from drills")" "1:1"
"$CRMSHIFT" -C "$P" status | grep -q "^last drill: 1, .*, passed: rollback .* (of the next run) of a 14400 s window, the copy identical to before" ||
	fail "status: $("$CRMSHIFT" -C "$P" status)"
no_leftovers "the second drill"

# 2b. --live: rolling back the load that is in, on the copy; the real one stays
"$CRMSHIFT" -C "$P" drill --live --json >"$SCRATCH/live.json" || fail "drill --live: $(cat "$SCRATCH/live.json")"
expect_eq "the live drill" "$(jq -c '[.passed, .identical, .live_runs, .run, .rows_written, .seconds.migrate]' "$SCRATCH/live.json")" \
	"[true,true,1,1,61,0]"
expect_eq "each of its steps but migrate timed" "$(jq '[.seconds[] | select(. > 0)] | length' "$SCRATCH/live.json")" 3
expect_eq "the real target untouched by --live" "$(target_dump "$P")" "$before_target"
expect_eq "the state's runs, xref, ledger untouched by --live" "$(state_tables)" "$before_state"
expect_eq "status of a live drill" "$("$CRMSHIFT" -C "$P" status --json | jq -c '.last_drill | [.id, .live_runs, .rows_written]')" "[2,1,61]"
"$CRMSHIFT" -C "$P" status | grep -q "^last drill: 2, .*, passed: rollback .* (of the load) of a 14400 s window" ||
	fail "status: $("$CRMSHIFT" -C "$P" status)"
no_leftovers "the live drill"
# two runs loaded (a sync after the load): --live rolls back both, newest first, and says so
"$CRMSHIFT" -C "$P" sync --from "$P/exports" >/dev/null
before_target=$(target_dump "$P")
before_state=$(state_tables)
"$CRMSHIFT" -C "$P" drill --live --json >"$SCRATCH/live2.json" || fail "drill --live after a sync: $(cat "$SCRATCH/live2.json")"
expect_eq "the live drill of two runs" "$(jq -c '[.passed, .identical, .live_runs, .run, .rows_written]' "$SCRATCH/live2.json")" "[true,true,2,2,61]"
expect_eq "the real target untouched by --live of two runs" "$(target_dump "$P")" "$before_target"
expect_eq "the state untouched by --live of two runs" "$(state_tables)" "$before_state"
no_leftovers "the live drill of two runs"

# 3. a window the rollback cannot fit: the drill fails, exit 3, and is kept so
rc=0
"$CRMSHIFT" -C "$P" drill --window 0s >"$SCRATCH/d3.txt" || rc=$?
expect_eq "a drill beyond the window" "$rc" 3
grep -q "decision window 0 s: the rollback does NOT fit" "$SCRATCH/d3.txt" || fail "drill said: $(cat "$SCRATCH/d3.txt")"
expect_eq "status shows the failed one" "$("$CRMSHIFT" -C "$P" status --json | jq -c '.last_drill | [.id, .passed, .window_seconds]')" "[4,false,0]"
# [policy] decision_window is the default window
printf '\n[policy]\ndecision_window = 1h30m\n' >>"$P/crmshift.ini"
"$CRMSHIFT" -C "$P" drill --json >"$SCRATCH/d4.json" || fail "drill: $(cat "$SCRATCH/d4.json")"
expect_eq "the window from crmshift.ini" "$(jq .window_seconds "$SCRATCH/d4.json")" 5400
rc=0
"$CRMSHIFT" -C "$P" drill --window soon >/dev/null 2>"$SCRATCH/err" || rc=$?
expect_eq "a window that is no duration" "$rc" 2

# 4. a drill killed midway leaves its folder (and on PostgreSQL its database): the next drill removes
# them, and nothing the folder's links point at
mkdir -p "$P/.crmshift/drill.killed/.crmshift"
ln -s "$P/exports" "$P/.crmshift/drill.killed/exports"
ln -s "$P/mapping.csv" "$P/.crmshift/drill.killed/mapping.csv"
if [ "$TEST_TARGET" = postgres ]; then
	url=$(target_url "$P")
	psql -q -d postgres -c "CREATE DATABASE ${url##*/}_drill_killedxx" >/dev/null
	echo "${url##*/}_drill_killedxx" >"$P/.crmshift/drill.killed/.crmshift/target-copy"
	# and one killed before its database was made
	mkdir -p "$P/.crmshift/drill.early/.crmshift"
	echo "${url##*/}_drill_neverbrn" >"$P/.crmshift/drill.early/.crmshift/target-copy"
	expect_eq "the killed drill's database" "$(drill_databases)" "${url##*/}_drill_killedxx"
fi
"$CRMSHIFT" -C "$P" drill >/dev/null || fail "drill after a killed one failed"
no_leftovers "after a killed drill"
[ -f "$P/exports/Contact.csv" ] && [ -f "$P/mapping.csv" ] || fail "removing the killed drill's folder followed its links"
# a drill's file that names a database no drill made (edited, damaged): that database is never dropped
if [ "$TEST_TARGET" = postgres ]; then
	other=$(pg_new_db keep)
	mkdir -p "$P/.crmshift/drill.edited/.crmshift"
	echo "${other##*/}" >"$P/.crmshift/drill.edited/.crmshift/target-copy"
	"$CRMSHIFT" -C "$P" drill >/dev/null || fail "drill beside an edited drill file failed"
	expect_eq "the database the edited file names" "$(pg_sql "$other" "select current_database()")" "${other##*/}"
	[ -d "$P/.crmshift/drill.edited" ] || fail "the edited drill's folder was removed without its database"
	rm -rf "$P/.crmshift/drill.edited"
fi

# 5. the audit log has every drill, and stays intact
expect_eq "drills in the audit log" "$("$CRMSHIFT" -C "$P" audit show --json | jq '[.[] | select(.action == "drill")] | map(.result) | join(",")' -r)" \
	"passed,input error,passed,passed,passed,failed,passed,passed$([ "$TEST_TARGET" = postgres ] && echo ,passed)"
"$CRMSHIFT" -C "$P" audit verify >/dev/null || fail "the audit log is broken"

# 6. PostgreSQL: a target another session is on cannot be copied; the drill says so and leaves nothing
if [ "$TEST_TARGET" = postgres ]; then
	url=$(target_url "$P")
	psql -X -q -d "$url" -c "select pg_sleep(60)" >/dev/null 2>&1 &
	sleeper=$!
	until [ "$(pg_sql "$url" "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")" -ge 1 ]; do sleep 0.1; done
	rc=0
	"$CRMSHIFT" -C "$P" drill >/dev/null 2>"$SCRATCH/err" || rc=$?
	# its backend would sleep on after its client was killed: ended on the server
	pg_sql "$url" "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()" >/dev/null
	wait "$sleeper" 2>/dev/null || true
	expect_eq "a drill with another session on the target" "$rc" 4
	grep -q "needs no other session on it (the server: \"There is 1 other session using the database.\")" "$SCRATCH/err" ||
		fail "drill said: $(cat "$SCRATCH/err")"
	no_leftovers "a refused drill"
	expect_eq "the target untouched by a refused drill" "$(target_dump "$P")" "$before_target"
fi
