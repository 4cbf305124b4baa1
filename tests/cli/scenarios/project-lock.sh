# One acting command at a time on a project: while one holds the project
# lock, migrate, sync, rollback and keys rotate are refused (exit 4, the
# holder named) and change nothing; a lock left by a killed command is
# taken over with a note. The holder here is a shell that holds the lock
# with flock(1), as a running crmshift does, so nothing depends on timing.
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)
K=$(dirname "$P")
# a data key, so that keys rotate has one to rotate from
"$CRMSHIFT" keys generate data "$K/old.key" >/dev/null
"$CRMSHIFT" keys generate data "$K/new.key" >/dev/null
printf '\n[security]\nkey_file = %s\n' "$K/old.key" >>"$P/crmshift.ini"
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "first migrate"
before=$(target_dump "$P")
runs_before=$(sqlite3 "$P/.crmshift/state.db" "select count(*) from runs")
lock="$P/.crmshift/lock"
printf 'crmshift sync (pid 4242, by lead@example, since 2026-12-04T10:00:00Z)\n' >"$lock"
# the holder: a process that takes the lock on the file and sleeps holding it
(
	exec 9>>"$lock"
	flock 9
	exec sleep 600
) &
holder=$!
# a failed check must not leave the holder sleeping
trap 'kill -9 "$holder" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$SCRATCH"' EXIT
# wait until the lock is held: flock -n fails then
for _ in $(seq 1 500); do
	flock -n "$lock" true || break
	sleep 0.01
done
flock -n "$lock" true && fail "the holder never took the lock"

for cmd in "migrate" "migrate --resume" "sync" "rollback" "keys rotate $K/new.key"; do
	set +e
	out=$("$CRMSHIFT" -C "$P" $cmd 2>&1)
	rc=$?
	set -e
	expect_eq "exit code of $cmd while the project is locked" "$rc" 4
	echo "$out" | grep -qF "another command is acting on this project: $lock is held by crmshift sync (pid 4242, by lead@example, since 2026-12-04T10:00:00Z)" ||
		fail "$cmd: the holder is not named: $out"
done
# read-only commands run beside it
"$CRMSHIFT" -C "$P" status >/dev/null || fail "status refused while locked"
"$CRMSHIFT" -C "$P" rollback --verify-only >/dev/null || true
expect_eq "target unchanged while locked" "$(target_dump "$P")" "$before"
expect_eq "no run started while locked" "$(sqlite3 "$P/.crmshift/state.db" "select count(*) from runs")" "$runs_before"
# the refusal is in the audit log
grep -q '"result":"refused"' "$P/.crmshift/audit.log" || fail "the refusal is not in the audit log"

# the holder is killed: its holder line stays, and the next command takes the lock over
{
	kill -9 "$holder"
	wait "$holder"
} 2>/dev/null || true
out=$("$CRMSHIFT" -C "$P" migrate 2>&1) || fail "migrate after the holder was killed: $out"
echo "$out" | grep -qF "note: took over the project lock from crmshift sync (pid 4242, by lead@example, since 2026-12-04T10:00:00Z), which stopped without releasing it" ||
	fail "no note of the take-over: $out"
# released at the end: empty, so the next run has nothing to take over
expect_eq "lock file after a run" "$(wc -c <"$lock")" 0
out=$("$CRMSHIFT" -C "$P" migrate 2>&1)
if echo "$out" | grep -q "took over"; then fail "a released lock was taken over: $out"; fi
